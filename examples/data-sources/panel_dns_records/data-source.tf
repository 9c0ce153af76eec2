# Every record of one zone (the records Terraform manages and the others).
variable "list_dns_owner_id" {
  type        = string
  description = "The panel id of the zone's owner (HestiaCP: the login)."
}

data "panel_dns_records" "zone" {
  owner = var.list_dns_owner_id
  zone  = "shop.example.com"
}

data "panel_dns_records" "txt" {
  owner = var.list_dns_owner_id
  zone  = "shop.example.com"
  type  = "TXT"
}

output "zone_record_names" {
  value = data.panel_dns_records.zone.records[*].name
}

output "txt_values" {
  value = data.panel_dns_records.txt.records[*].value
}
