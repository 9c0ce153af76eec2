data "panel_domain" "site" {
  name = "example.com"
}

output "site_owner" {
  value = data.panel_domain.site.owner
}
