#!/bin/sh
# HestiaCP: USER/DOMAIN/FULL_LOGIN (the full login as FTP_USER of v-list-web-domain shows it).
terraform import panel_ftp_account.deploy siteowner/example.com/siteowner_deploy

# Plesk (REST and XML API): the FTP login.
terraform import panel_ftp_account.deploy deploy

# PanelAlpha: USER_ID/ACCOUNT_ID/LOGIN@DOMAIN.
terraform import panel_ftp_account.deploy 12/34/deploy@example.com
