# The domains of one user (the owner is a panel_user id).
data "panel_domains" "alice" {
  owner = "alice"
}

output "alice_domains" {
  value = [for domain in data.panel_domains.alice.domains : domain.name]
}
