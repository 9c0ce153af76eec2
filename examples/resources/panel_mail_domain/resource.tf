# Which panel the provider talks to: hestia or plesk_xml. (Plesk switches mail on for
# every new domain, and on PanelAlpha every domain of a hosting account receives mail:
# there, import the domain's mail instead of creating it; see Import below.)
variable "panel_type" {
  description = "The provider's type: hestia or plesk_xml."
  type        = string
}

locals {
  plesk = startswith(var.panel_type, "plesk")
}

variable "user_password" {
  description = "Login password of the domain's owner. Write-only: never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "system_password" {
  description = "Plesk only: password of the subscription's system (FTP) user. Write-only."
  type        = string
  sensitive   = true
  ephemeral   = true
  default     = null
}

resource "panel_user" "owner" {
  login               = "mailowner"
  email               = "mailowner@example.com"
  name                = "Mail Owner"
  password_wo         = var.user_password
  password_wo_version = 1
}

resource "panel_domain" "site" {
  name                       = "example.com"
  owner                      = panel_user.owner.id
  system_password_wo         = local.plesk ? var.system_password : null
  system_password_wo_version = local.plesk ? 1 : null
}

# example.com receives mail: mailboxes and forwarders can be added to it.
resource "panel_mail_domain" "site" {
  owner  = panel_user.owner.id
  domain = panel_domain.site.name
}
