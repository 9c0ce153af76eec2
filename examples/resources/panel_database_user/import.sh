#!/bin/sh
# HestiaCP: not offered (each database has exactly one user: panel_database.user).

# Plesk (REST and XML API): the database user's login (its numeric id works too).
terraform import panel_database_user.report report

# PanelAlpha: USER_ID/ACCOUNT_ID/NAME, NAME as stored (with the account prefix) or as written.
terraform import panel_database_user.report 12/34/acct_report
