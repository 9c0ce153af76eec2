# Every user whose login starts with "shop-".
data "panel_users" "shops" {
  login_prefix = "shop-"
}

output "shop_user_ids" {
  value = data.panel_users.shops.ids
}
