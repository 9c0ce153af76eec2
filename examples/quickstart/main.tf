# The quickstart: one customer with a web domain and a database.
#
# scripts/quickstart.sh runs this against the bundled panel simulator. The provider
# block is empty because everything comes from the environment the script exports:
# PANEL_TYPE, PANEL_ENDPOINT and the panel's credentials (PANEL_ACCESS_KEY, ...).

terraform {
  required_version = ">= 1.11" # write-only passwords
  required_providers {
    panel = {
      source = "panelops/panel"
    }
  }
}

provider "panel" {}

variable "panel_type" {
  description = "The panel the provider talks to (the script sets it from PANEL_TYPE): hestia, plesk_rest, plesk_xml or panelalpha."
  type        = string
  default     = "hestia"
}

variable "password" {
  description = "Password for the user, the site's system user (Plesk) and the database user."
  type        = string
  sensitive   = true
  default     = "Quickstart-Passw0rd!"
}

locals {
  # The few places where panels differ (see docs/guides/):
  plesk      = startswith(var.panel_type, "plesk") # a domain is a subscription with a system user; databases belong to one
  panelalpha = var.panel_type == "panelalpha"      # users are known by email; the plan provisions the hosting account
}

resource "panel_user" "demo" {
  login = local.panelalpha ? null : "demo"
  email = "demo@example.com"
  name  = "Demo User"
  plan  = local.panelalpha ? "Starter" : null

  password_wo         = var.password
  password_wo_version = 1
}

# PanelAlpha creates the hosting account's main domain with the plan, so there
# the quickstart adds none.
resource "panel_domain" "site" {
  count = local.panelalpha ? 0 : 1

  name  = "demo.example.com"
  owner = panel_user.demo.id

  system_password_wo         = local.plesk ? var.password : null
  system_password_wo_version = local.plesk ? 1 : null
}

resource "panel_database" "app" {
  owner  = panel_user.demo.id
  name   = "app"
  user   = "app"
  domain = local.plesk ? panel_domain.site[0].name : null

  password_wo         = var.password
  password_wo_version = 1
}

output "user_id" {
  description = "The panel's id of the user: use it as owner, or to import it elsewhere."
  value       = panel_user.demo.id
}

output "domain" {
  value = one(panel_domain.site[*].name)
}

output "database_name" {
  description = "The name applications connect with (HestiaCP prefixes the owner's login)."
  value       = panel_database.app.full_name
}

output "database_user" {
  value = panel_database.app.full_user
}
