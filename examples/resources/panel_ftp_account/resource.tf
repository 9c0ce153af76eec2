# Which panel the provider talks to: hestia, plesk_rest or plesk_xml. (On PanelAlpha
# the owner needs a plan and the site is an addon domain of its hosting account; the
# FTP account looks the same, and logs in as deploy@example.com.)
variable "panel_type" {
  description = "The provider's type: hestia, plesk_rest or plesk_xml."
  type        = string
}

locals {
  plesk = startswith(var.panel_type, "plesk")
}

variable "user_password" {
  description = "Login password of the site's owner. Write-only: never stored in state."
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

variable "ftp_password" {
  description = "Password of the additional FTP account. Write-only: never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "panel_user" "owner" {
  login               = "siteowner"
  email               = "siteowner@example.com"
  name                = "Site Owner"
  password_wo         = var.user_password
  password_wo_version = 1
}

resource "panel_domain" "site" {
  name                       = "example.com"
  owner                      = panel_user.owner.id
  system_password_wo         = local.plesk ? var.system_password : null
  system_password_wo_version = local.plesk ? 1 : null
}

# An FTP account confined to the uploads directory of the site. On HestiaCP the
# login becomes siteowner_deploy (see full_login).
resource "panel_ftp_account" "deploy" {
  owner  = panel_user.owner.id
  domain = panel_domain.site.name
  login  = "deploy"
  home   = "public_html/uploads"

  # Bump the version to send a new password (rotation).
  password_wo         = var.ftp_password
  password_wo_version = 1
}

output "ftp_login" {
  description = "What an FTP client logs in with."
  value       = panel_ftp_account.deploy.full_login
}
