# Look a DNS record up by its content ...
data "panel_dns_record" "by_content" {
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
