resource "panel_user" "alice" {
  login = "alice" # leave unset on PanelAlpha, where users are known by email
  email = "alice@example.com"
  name  = "Alice Example"

  # Write-only (Terraform 1.11+): sent to the panel, never stored in state.
  # Bump password_wo_version to send a new password.
  password_wo         = var.alice_password
  password_wo_version = 1
}

variable "alice_password" {
  type      = string
  sensitive = true
  default   = "Example-Passw0rd!"
}
