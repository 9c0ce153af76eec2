# Every mailbox of one user's mail domain.
variable "list_mailbox_owner_id" {
  type        = string
  description = "The panel id of the user whose mailboxes to list (HestiaCP: the login)."
}

data "panel_mailboxes" "of_domain" {
  owner  = var.list_mailbox_owner_id
  domain = "example.com"
}

output "addresses" {
  value = data.panel_mailboxes.of_domain.mailboxes[*].address
}
