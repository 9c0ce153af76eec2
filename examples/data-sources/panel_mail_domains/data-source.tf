# Every domain of one user that receives mail.
variable "list_mail_owner_id" {
  type        = string
  description = "The panel id of the user whose mail domains to list (HestiaCP: the login)."
}

data "panel_mail_domains" "of_owner" {
  owner = var.list_mail_owner_id
}

output "mail_domains" {
  value = data.panel_mail_domains.of_owner.mail_domains[*].domain
}
