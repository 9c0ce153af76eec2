resource "panel_user" "carol" {
  login               = "carol"
  email               = "carol@example.com"
  name                = "Carol Example"
  password_wo         = var.carol_password
  password_wo_version = 1
}

# On HestiaCP the panel prefixes both names with the owner's login:
# this database is carol_shop, its user carol_app.
resource "panel_database" "shop" {
  owner = panel_user.carol.id
  name  = "shop"
  user  = "app"

  # Plesk: the subscription (main domain) the database belongs to.
  # domain = panel_domain.site.name

  password_wo         = var.carol_password
  password_wo_version = 1
}

output "database_name" {
  value = panel_database.shop.full_name
}

output "database_user" {
  value = panel_database.shop.full_user
}

variable "carol_password" {
  type      = string
  sensitive = true
  default   = "Example-Passw0rd!"
}
