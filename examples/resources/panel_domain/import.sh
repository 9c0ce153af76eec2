#!/bin/sh
# Every panel: import a domain by its name.
terraform import panel_domain.site example.com

# PanelAlpha: a hosting account's main domain, as USER_ID/ACCOUNT_ID/DOMAIN.
terraform import panel_domain.site 12/34/example.com
