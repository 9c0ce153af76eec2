# Look a database up by owner and name (HestiaCP: the name with or without the
# "<owner login>_" prefix) ...
variable "lookup_database_owner_id" {
  type        = string
  description = "The panel id of the database's owner (HestiaCP: the login)."
}

variable "lookup_database_name" {
  type        = string
  description = "Name of an existing database of that owner."
}

data "panel_database" "by_name" {
  owner = var.lookup_database_owner_id
  name  = var.lookup_database_name
}

# ... or by the panel's id.
data "panel_database" "by_id" {
  id = data.panel_database.by_name.id
}

output "database_full_name" {
  value = data.panel_database.by_name.full_name
}

output "database_user" {
  value = data.panel_database.by_id.full_user
}
