# Which panel the provider talks to: what a user or domain needs differs per panel.
variable "panel_type" {
  description = "The provider's type: hestia, plesk_rest, plesk_xml or panelalpha."
  type        = string
}

variable "user_password" {
  description = "Login password of the domain owner. Write-only: never stored in state."
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

locals {
  plesk = startswith(var.panel_type, "plesk")
}

resource "panel_user" "owner" {
  login               = var.panel_type == "panelalpha" ? null : "webowner"
  email               = "webowner@example.com"
  name                = "Web Owner"
  password_wo         = var.user_password
  password_wo_version = 1
}

# A Plesk subscription or a HestiaCP web domain. (A PanelAlpha account's main domain
# comes with the user's plan: import it instead, as USER_ID/ACCOUNT_ID/DOMAIN.)
resource "panel_domain" "site" {
  name  = "example.com"
  owner = panel_user.owner.id

  # Plesk subscriptions have a system (FTP) user; other panels have none.
  system_password_wo         = local.plesk ? var.system_password : null
  system_password_wo_version = local.plesk ? 1 : null
}
