# Look a mailbox up by its owner, domain and name ...
variable "lookup_mailbox_owner_id" {
  type        = string
  description = "The panel id of the mailbox's owner (HestiaCP: the login)."
}

data "panel_mailbox" "by_name" {
  owner  = var.lookup_mailbox_owner_id
  domain = "example.com"
  name   = "info"
}

# ... or by the panel's id.
data "panel_mailbox" "by_id" {
  id = data.panel_mailbox.by_name.id
}

output "info_quota" {
  value = data.panel_mailbox.by_id.quota
}
