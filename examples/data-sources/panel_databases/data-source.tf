data "panel_databases" "alice" {
  owner = "alice"
}

output "alice_databases" {
  value = [for database in data.panel_databases.alice.databases : database.full_name]
}
