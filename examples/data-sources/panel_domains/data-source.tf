# The main domains of one user (the owner filter is applied by the panel).
variable "list_domains_owner_id" {
  type        = string
  description = "The panel id of the user whose domains to list (HestiaCP: the login)."
}

data "panel_domains" "main_of_owner" {
  owner = var.list_domains_owner_id
  kind  = "main"
}

output "main_domain_names" {
  value = [for domain in data.panel_domains.main_of_owner.domains : domain.name]
}
