# Which panel the provider talks to: plesk_rest, plesk_xml or panelalpha. HestiaCP has
# no database users apart from databases: set `user` on the `panel_database` there.
variable "panel_type" {
  description = "The provider's type: plesk_rest, plesk_xml or panelalpha."
  type        = string
}

locals {
  plesk = startswith(var.panel_type, "plesk")
}

variable "user_password" {
  description = "Login password of the databases' owner. Write-only: never stored in state."
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

variable "report_password" {
  description = "Password of the reporting database user. Write-only: never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "panel_user" "owner" {
  login               = local.plesk ? "shopowner" : null
  plan                = local.plesk ? null : "Starter"
  email               = "shopowner@example.com"
  name                = "Shop Owner"
  password_wo         = var.user_password
  password_wo_version = 1
}

# Plesk: databases live in a subscription.
resource "panel_domain" "site" {
  count                      = local.plesk ? 1 : 0
  name                       = "example.com"
  owner                      = panel_user.owner.id
  system_password_wo         = var.system_password
  system_password_wo_version = 1
}

# The shop's database, with its own user (the simple case: panel_database.user).
resource "panel_database" "shop" {
  name   = "shop"
  owner  = panel_user.owner.id
  domain = local.plesk ? panel_domain.site[0].name : null
}

# A second user of the same database, e.g. for reporting, with its own password.
# On PanelAlpha `databases` may name several databases of the same hosting account;
# Plesk grants exactly one (a change of it replaces the user).
resource "panel_database_user" "report" {
  owner     = panel_user.owner.id
  name      = "report"
  databases = [panel_database.shop.id]

  # Bump the version to send a new password (rotation).
  password_wo         = var.report_password
  password_wo_version = 1
}

output "report_login" {
  description = "What a MySQL client logs in with (PanelAlpha adds the account prefix)."
  value       = panel_database_user.report.full_name
}
