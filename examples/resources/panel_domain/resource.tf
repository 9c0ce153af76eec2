resource "panel_user" "bob" {
  login               = "bob"
  email               = "bob@example.com"
  name                = "Bob Example"
  password_wo         = var.bob_password
  password_wo_version = 1
}

resource "panel_domain" "site" {
  name  = "bob-example.com"
  owner = panel_user.bob.id

  # Plesk only: a main domain is a subscription with a system (FTP) user.
  # system_password_wo         = var.bob_password
  # system_password_wo_version = 1
}

# On Plesk and PanelAlpha, further sites hang off a main domain:
# resource "panel_domain" "blog" {
#   name   = "blog.bob-example.com"
#   owner  = panel_user.bob.id
#   kind   = "subdomain"
#   parent = panel_domain.site.name
# }

variable "bob_password" {
  type      = string
  sensitive = true
  default   = "Example-Passw0rd!"
}
