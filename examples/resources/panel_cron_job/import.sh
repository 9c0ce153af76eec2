#!/bin/sh
# HestiaCP: USER/JOB (the JOB number `v-list-cron-jobs USER` shows).
terraform import panel_cron_job.backup shopowner/3

# PanelAlpha: USER_ID/ACCOUNT_ID/LINE (the job's line in the hosting account's crontab).
terraform import panel_cron_job.backup 12/34/2
