# Look a mail domain up by its owner and domain ...
variable "lookup_mail_owner_id" {
  type        = string
  description = "The panel id of the domain's owner (HestiaCP: the login)."
}

data "panel_mail_domain" "by_name" {
  owner  = var.lookup_mail_owner_id
  domain = "example.com"
}

# ... or by the panel's id.
data "panel_mail_domain" "by_id" {
  id = data.panel_mail_domain.by_name.id
}

output "mail_domain_id" {
  value = data.panel_mail_domain.by_id.id
}
