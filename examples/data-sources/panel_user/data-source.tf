# Look a user up by login (PanelAlpha: by email), or by id.
data "panel_user" "alice" {
  login = "alice"
}

output "alice_email" {
  value = data.panel_user.alice.email
}
