# Look a domain up by name; the name is compared case-insensitively, and
# internationalised names may be written in Unicode or punycode.
variable "lookup_domain_name" {
  type        = string
  description = "Name of an existing domain on the panel."
}

data "panel_domain" "site" {
  name = var.lookup_domain_name
}

output "domain_owner_id" {
  value = data.panel_domain.site.owner
}

output "domain_kind" {
  value = data.panel_domain.site.kind
}
