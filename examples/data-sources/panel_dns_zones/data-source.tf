# Every DNS zone of one user (HestiaCP).
variable "list_zone_owner_id" {
  type        = string
  description = "The login of the user whose zones to list."
}

data "panel_dns_zones" "of_owner" {
  owner = var.list_zone_owner_id
}

output "zone_names" {
  value = data.panel_dns_zones.of_owner.zones[*].name
}
