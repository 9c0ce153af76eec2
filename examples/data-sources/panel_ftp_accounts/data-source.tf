# Every FTP account of one user's site.
variable "list_ftp_owner_id" {
  type        = string
  description = "The panel id of the user whose FTP accounts to list (HestiaCP: the login)."
}

data "panel_ftp_accounts" "of_site" {
  owner  = var.list_ftp_owner_id
  domain = "example.com"
}

output "site_ftp_logins" {
  value = data.panel_ftp_accounts.of_site.ftp_accounts[*].full_login
}
