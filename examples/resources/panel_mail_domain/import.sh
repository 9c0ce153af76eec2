#!/bin/sh
# HestiaCP: USER/DOMAIN.
terraform import panel_mail_domain.site mailowner/example.com

# Plesk (XML API): the domain name (Plesk switches mail on for every new domain).
terraform import panel_mail_domain.site example.com

# PanelAlpha: USER_ID/ACCOUNT_ID/DOMAIN (every domain of a hosting account receives mail).
terraform import panel_mail_domain.site 12/34/example.com
