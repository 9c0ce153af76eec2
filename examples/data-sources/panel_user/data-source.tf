# Look a user up by login (on PanelAlpha the login is the email address).
variable "lookup_user_login" {
  type        = string
  description = "Login of an existing panel user (PanelAlpha: the user's email)."
}

data "panel_user" "by_login" {
  login = var.lookup_user_login
}

# The same user again, this time by the panel's own id.
data "panel_user" "by_id" {
  id = data.panel_user.by_login.id
}

output "user_email" {
  value = data.panel_user.by_login.email
}

output "user_is_suspended" {
  value = data.panel_user.by_id.suspended
}
