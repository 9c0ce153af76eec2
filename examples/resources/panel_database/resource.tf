# Which panel the provider talks to: what a user or domain needs differs per panel.
variable "panel_type" {
  description = "The provider's type: hestia, plesk_rest, plesk_xml or panelalpha."
  type        = string
}

variable "user_password" {
  description = "Login password of the database owner. Write-only: never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "database_password" {
  description = "Password of the database user. Write-only: never stored in state."
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
  login               = var.panel_type == "panelalpha" ? null : "shopowner"
  email               = "shopowner@example.com"
  name                = "Shop Owner"
  password_wo         = var.user_password
  password_wo_version = 1
}

# Plesk databases belong to a subscription.
resource "panel_domain" "shop" {
  count = local.plesk ? 1 : 0

  name                       = "shop.example.com"
  owner                      = panel_user.owner.id
  system_password_wo         = var.system_password
  system_password_wo_version = 1
}

resource "panel_database" "shop" {
  name   = "shop"
  owner  = panel_user.owner.id
  domain = local.plesk ? panel_domain.shop[0].name : null

  # HestiaCP stores these as shopowner_shop and shopowner_app (see full_name, full_user).
  user                = "app"
  password_wo         = var.database_password
  password_wo_version = 1
}

output "database_full_name" {
  description = "The name applications connect with."
  value       = panel_database.shop.full_name
}
