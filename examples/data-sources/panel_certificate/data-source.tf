# The certificate of one domain, by owner + domain.
variable "certificate_owner_id" {
  type        = string
  description = "The panel id of the domain's owner (HestiaCP: the login)."
}

data "panel_certificate" "site" {
  owner  = var.certificate_owner_id
  domain = "example.com"
}

output "site_certificate_expires" {
  value = data.panel_certificate.site.not_after
}
