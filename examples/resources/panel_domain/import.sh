# By domain name (every panel):
terraform import panel_domain.site bob-example.com
# A PanelAlpha account's main domain, by USER_ID/ACCOUNT_ID/DOMAIN:
terraform import panel_domain.site 12/34/bob-example.com
