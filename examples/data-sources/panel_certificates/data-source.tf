# Every certificate of one user that expires within 30 days.
variable "list_certificates_owner_id" {
  type        = string
  description = "The panel id of the user whose certificates to list (HestiaCP: the login)."
}

data "panel_certificates" "expiring" {
  owner          = var.list_certificates_owner_id
  expires_before = timeadd(plantimestamp(), "720h")
}

output "expiring_domains" {
  value = data.panel_certificates.expiring.certificates[*].domain
}
