# Every cron job of one user (the owner filter is applied by the panel).
variable "list_cron_owner_id" {
  type        = string
  description = "The panel id of the user whose cron jobs to list (HestiaCP: the login)."
}

data "panel_cron_jobs" "of_owner" {
  owner = var.list_cron_owner_id
}

output "owner_cron_commands" {
  value = data.panel_cron_jobs.of_owner.cron_jobs[*].command
}

output "owner_cron_job_ids" {
  value = data.panel_cron_jobs.of_owner.ids
}
