# DNS records of a zone. HestiaCP: the zone is a DNS domain of the owner, which must
# exist (`v-add-dns-domain`, or `v-add-domain` with the web domain). Plesk (REST and XML):
# the zone of a subscription or site (`owner` is not needed; the XML API takes no `ttl`).
# PanelAlpha: a zone of the owner's hosting account (`owner` is required).
variable "user_password" {
  description = "Login password of the zone's owner. Write-only: never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "panel_user" "owner" {
  login               = "shopowner"
  email               = "shopowner@example.com"
  name                = "Shop Owner"
  password_wo         = var.user_password
  password_wo_version = 1
}

resource "panel_dns_record" "www" {
  owner = panel_user.owner.id
  zone  = "shop.example.com"
  type  = "A"
  name  = "www"
  value = "192.0.2.20"
  ttl   = 3600
}

# `@` (or "" or the zone's own name) is the zone's apex.
resource "panel_dns_record" "mail" {
  owner    = panel_user.owner.id
  zone     = "shop.example.com"
  type     = "MX"
  name     = "@"
  value    = "mx1.mail.example.net"
  priority = 10
}

# TXT values are written without surrounding quotes; long values (DKIM keys) stay one
# value.
resource "panel_dns_record" "spf" {
  owner = panel_user.owner.id
  zone  = "shop.example.com"
  type  = "TXT"
  name  = "@"
  value = "v=spf1 mx include:_spf.mail.example.net -all"
}

output "www_record_id" {
  description = "HestiaCP: USER/ZONE/ID."
  value       = panel_dns_record.www.id
}
