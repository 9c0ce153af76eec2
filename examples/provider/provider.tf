terraform {
  required_providers {
    panel = {
      source = "panelops/panel"
    }
  }
}

# Every argument can also come from a PANEL_* environment variable (PANEL_TYPE,
# PANEL_ENDPOINT, PANEL_ACCESS_KEY, ...); values set here win.
provider "panel" {
  type     = var.panel_type
  endpoint = var.panel_endpoint

  # Set only what your panel uses:
  #   hestia:     access_key + secret_key (or login + password)
  #   plesk_rest: api_key (or login + password)
  #   plesk_xml:  secret_key (or login + password)
  #   panelalpha: token
  login      = lookup(var.panel_credentials, "login", null)
  password   = lookup(var.panel_credentials, "password", null)
  api_key    = lookup(var.panel_credentials, "api_key", null)
  access_key = lookup(var.panel_credentials, "access_key", null)
  secret_key = lookup(var.panel_credentials, "secret_key", null)
  token      = lookup(var.panel_credentials, "token", null)

  # For a panel with a self-signed certificate (Plesk's default): trust it
  # instead of turning verification off.
  ca_cert_pem = var.panel_ca_cert_pem
}

variable "panel_type" {
  description = "plesk_rest, plesk_xml, panelalpha or hestia (null: PANEL_TYPE)."
  type        = string
  default     = null
}

variable "panel_endpoint" {
  description = "Base URL of the panel, e.g. https://panel.example.com:8083."
  type        = string
  default     = null
}

variable "panel_credentials" {
  description = "Credentials by argument name: login, password, api_key, access_key, secret_key, token."
  type        = map(string)
  sensitive   = true
  default     = {}
}

variable "panel_ca_cert_pem" {
  description = "PEM text of the CA that signed the panel's certificate, if it is not publicly trusted."
  type        = string
  default     = null
}
