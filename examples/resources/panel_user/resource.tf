# Which panel the provider talks to: what a user or domain needs differs per panel.
variable "panel_type" {
  description = "The provider's type: hestia, plesk_rest, plesk_xml or panelalpha."
  type        = string
}

variable "user_password" {
  description = "Login password of the example user. Write-only: sent to the panel, never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "panel_user" "alice" {
  # Plesk and HestiaCP users have a login; PanelAlpha users log in with their email.
  login = var.panel_type == "panelalpha" ? null : "alice"
  email = "alice@example.com"
  name  = "Alice Example"

  # Bump the version to send a new password.
  password_wo         = var.user_password
  password_wo_version = 1
}
