# Look a DNS record up by its content ...
variable "lookup_dns_owner_id" {
  type        = string
  description = "The panel id of the zone's owner (HestiaCP: the login)."
}

data "panel_dns_record" "by_content" {
  owner = var.lookup_dns_owner_id
  zone  = "shop.example.com"
  type  = "MX"
  name  = "@"
  value = "mx1.mail.example.net"
}

# ... or by the panel's id.
data "panel_dns_record" "by_id" {
  id = data.panel_dns_record.by_content.id
}

output "mail_priority" {
  value = data.panel_dns_record.by_id.priority
}
