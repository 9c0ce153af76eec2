# Which panel the provider talks to. Certificates are managed on HestiaCP; the other
# panels refuse panel_certificate at plan time (see the table above).
variable "panel_type" {
  description = "The provider's type: hestia."
  type        = string
}

variable "user_password" {
  description = "Login password of the site's owner. Write-only: never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

variable "shop_certificate" {
  description = "PEM certificate of shop.example.com (e.g. file(\"shop.crt\")); null for none."
  type        = string
  default     = null
}

variable "shop_private_key" {
  description = "Its PEM private key. Write-only: never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
  default     = null
}

resource "panel_user" "owner" {
  login               = "siteowner"
  email               = "siteowner@example.com"
  name                = "Site Owner"
  password_wo         = var.user_password
  password_wo_version = 1
}

resource "panel_domain" "site" {
  name  = "example.com"
  owner = panel_user.owner.id
}

resource "panel_domain" "shop" {
  name  = "shop.example.com"
  owner = panel_user.owner.id
}

# A certificate the panel requests from Let's Encrypt and renews itself: a renewal
# (new not_after and fingerprint) is not drift.
resource "panel_certificate" "site" {
  owner        = panel_user.owner.id
  domain       = panel_domain.site.name
  lets_encrypt = true
}

# An uploaded certificate. The key is write-only: bump the version (or change the
# certificate) to send it again.
resource "panel_certificate" "shop" {
  count = var.shop_certificate == null ? 0 : 1

  owner                  = panel_user.owner.id
  domain                 = panel_domain.shop.name
  certificate            = var.shop_certificate
  private_key_wo         = var.shop_private_key
  private_key_wo_version = 1
}

# Warn when the certificate expires within 30 days.
check "site_certificate_expiry" {
  assert {
    condition     = timecmp(panel_certificate.site.not_after, timeadd(plantimestamp(), "720h")) > 0
    error_message = "The certificate of example.com expires on ${panel_certificate.site.not_after}."
  }
}

output "site_certificate_fingerprint" {
  description = "SHA-256 of the certificate's DER."
  value       = panel_certificate.site.fingerprint
}
