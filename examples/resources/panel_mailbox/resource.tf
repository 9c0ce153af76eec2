# Which panel the provider talks to: hestia or plesk_xml. (On PanelAlpha the owner
# needs a plan and the site is an addon domain of its hosting account; the mailbox looks
# the same.)
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

variable "mailbox_password" {
  description = "Password of the mailbox. Write-only: never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "panel_user" "owner" {
  login               = "mailboxowner"
  email               = "mailboxowner@example.com"
  name                = "Mailbox Owner"
  password_wo         = var.user_password
  password_wo_version = 1
}

resource "panel_domain" "site" {
  name                       = "example.com"
  owner                      = panel_user.owner.id
  system_password_wo         = local.plesk ? var.system_password : null
  system_password_wo_version = local.plesk ? 1 : null
}

# HestiaCP needs the mail domain; Plesk switches mail on with the domain (import its
# panel_mail_domain there if you want it in the configuration).
resource "panel_mail_domain" "site" {
  count  = local.plesk ? 0 : 1
  owner  = panel_user.owner.id
  domain = panel_domain.site.name
}

# info@example.com with a 500 MB quota.
resource "panel_mailbox" "info" {
  owner  = panel_user.owner.id
  domain = local.plesk ? panel_domain.site.name : panel_mail_domain.site[0].domain
  name   = "info"
  quota  = 500

  # Bump the version to send a new password (rotation).
  password_wo         = var.mailbox_password
  password_wo_version = 1
}

output "mailbox_address" {
  value = panel_mailbox.info.address
}
