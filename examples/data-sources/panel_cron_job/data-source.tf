# Look a cron job up by its owner, schedule and command ...
variable "lookup_cron_owner_id" {
  type        = string
  description = "The panel id of the job's owner (HestiaCP: the login)."
}

data "panel_cron_job" "by_content" {
  owner    = var.lookup_cron_owner_id
  schedule = "30 2 * * *"
  command  = "/usr/bin/php /home/shopowner/backup.php --quiet > /dev/null 2>&1"
}

# ... or by the panel's id.
data "panel_cron_job" "by_id" {
  id = data.panel_cron_job.by_content.id
}

output "backup_job_suspended" {
  value = data.panel_cron_job.by_id.suspended
}
