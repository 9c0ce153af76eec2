# Every database of one user (the owner filter is applied by the panel) ...
variable "list_databases_owner_id" {
  type        = string
  description = "The panel id of the user whose databases to list (HestiaCP: the login)."
}

data "panel_databases" "of_owner" {
  owner = var.list_databases_owner_id
}

# ... and those hanging off one domain: a Plesk subscription or the main domain
# of a PanelAlpha hosting account (HestiaCP databases have no domain).
variable "list_databases_domain" {
  type        = string
  description = "Domain whose databases to list."
}

data "panel_databases" "of_domain" {
  domain = var.list_databases_domain
}

output "owner_database_names" {
  value = data.panel_databases.of_owner.databases[*].full_name
}

output "domain_database_ids" {
  value = data.panel_databases.of_domain.ids
}
