# Every user whose login starts with a prefix, e.g. all customers of one reseller
# naming scheme. Leave both filters out to list every user.
variable "list_users_login_prefix" {
  type        = string
  description = "Only users whose login starts with this text."
  default     = "a"
}

data "panel_users" "matching" {
  login_prefix = var.list_users_login_prefix
}

output "matching_user_ids" {
  value = data.panel_users.matching.ids
}

output "matching_user_emails" {
  value = [for user in data.panel_users.matching.users : user.email]
}
