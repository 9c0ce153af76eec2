# Every database user of one customer.
variable "list_dbuser_owner_id" {
  type        = string
  description = "The panel id of the user whose database users to list."
}

data "panel_database_users" "of_owner" {
  owner = var.list_dbuser_owner_id
}

output "database_user_names" {
  value = data.panel_database_users.of_owner.database_users[*].full_name
}
