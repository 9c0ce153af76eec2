# Which panel the provider talks to: what a user needs differs per panel.
variable "panel_type" {
  description = "The provider's type: hestia or panelalpha (Plesk's APIs have no cron jobs)."
  type        = string
}

variable "user_password" {
  description = "Login password of the job's owner. Write-only: never stored in state."
  type        = string
  sensitive   = true
  ephemeral   = true
}

resource "panel_user" "owner" {
  login = var.panel_type == "panelalpha" ? null : "shopowner"
  email = "shopowner@example.com"
  name  = "Shop Owner"
  # PanelAlpha: cron jobs live in the hosting account the plan provisions.
  plan                = var.panel_type == "panelalpha" ? "Starter" : null
  password_wo         = var.user_password
  password_wo_version = 1
}

# Every night at 02:30: minute hour day-of-month month day-of-week.
resource "panel_cron_job" "backup" {
  owner    = panel_user.owner.id
  schedule = "30 2 * * *"
  command  = "/usr/bin/php /home/shopowner/backup.php --quiet > /dev/null 2>&1"
}

# Every 15 minutes on weekdays, paused for now (HestiaCP only).
resource "panel_cron_job" "report" {
  owner     = panel_user.owner.id
  schedule  = "*/15 * * * 1-5"
  command   = "/usr/bin/php /home/shopowner/report.php"
  suspended = var.panel_type == "hestia"
}

output "backup_job_id" {
  description = "HestiaCP: USER/JOB; PanelAlpha: USER_ID/ACCOUNT_ID/LINE."
  value       = panel_cron_job.backup.id
}
