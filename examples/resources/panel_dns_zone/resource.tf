# HestiaCP only: the other panels make the zone with the domain, and panel_dns_record
# alone manages its records there.
variable "panel_type" {
  description = "The provider's type: hestia."
  type        = string
}

variable "user_password" {
  description = "Login password of the zone's owner. Write-only: never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "panel_user" "owner" {
  login               = "zoneowner"
  email               = "zoneowner@example.com"
  name                = "Zone Owner"
  password_wo         = var.user_password
  password_wo_version = 1
}

# The DNS domain, with the records of the panel's DNS template. Deleting it deletes
# every record in it.
resource "panel_dns_zone" "main" {
  owner = panel_user.owner.id
  name  = "zone.example.com"
  ip    = "192.0.2.10"
  ttl   = 3600
}

# A record of Terraform's own in that zone.
resource "panel_dns_record" "verify" {
  owner = panel_user.owner.id
  zone  = panel_dns_zone.main.name
  type  = "TXT"
  name  = "verify"
  value = "site-verification=0123456789"
}
