# Look an FTP account up by its owner, domain and login ...
variable "lookup_ftp_owner_id" {
  type        = string
  description = "The panel id of the account's owner (HestiaCP: the login)."
}

data "panel_ftp_account" "by_login" {
  owner  = var.lookup_ftp_owner_id
  domain = "example.com"
  login  = "deploy"
}

# ... or by the panel's id.
data "panel_ftp_account" "by_id" {
  id = data.panel_ftp_account.by_login.id
}

output "deploy_home" {
  value = data.panel_ftp_account.by_id.home
}
