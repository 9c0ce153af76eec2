# By owner and the unprefixed name; `id` works too.
data "panel_database" "shop" {
  owner = "alice"
  name  = "shop"
}

output "shop_database" {
  value = data.panel_database.shop.full_name
}
