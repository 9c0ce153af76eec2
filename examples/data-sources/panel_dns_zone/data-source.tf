# Look a DNS zone up by its owner and name (HestiaCP).
variable "lookup_zone_owner_id" {
  type        = string
  description = "The login of the zone's owner."
}

data "panel_dns_zone" "main" {
  owner = var.lookup_zone_owner_id
  name  = "zone.example.com"
}

output "zone_ip" {
  value = data.panel_dns_zone.main.ip
}
