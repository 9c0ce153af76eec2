# Look a database user up by its owner and name ...
variable "lookup_dbuser_owner_id" {
  type        = string
  description = "The panel id of the database user's owner."
}

data "panel_database_user" "by_name" {
  owner = var.lookup_dbuser_owner_id
  name  = "report"
}

# ... or by the panel's id.
data "panel_database_user" "by_id" {
  id = data.panel_database_user.by_name.id
}

output "report_databases" {
  value = data.panel_database_user.by_id.databases
}
