#!/bin/sh
# HestiaCP: USER/ZONE/ID (the ID `v-list-dns-records USER ZONE` shows) ...
terraform import panel_dns_record.www shopowner/shop.example.com/22

# ... or by content: USER/ZONE/TYPE/NAME/VALUE (the value may contain `/`).
terraform import panel_dns_record.mail shopowner/shop.example.com/MX/@/mx1.mail.example.net

# Plesk (REST and XML): ZONE/ID (the record id of GET /api/v2/dns/records?domain=ZONE,
# or of dns get_rec by site-id), or by content ZONE/TYPE/NAME/VALUE.
terraform import panel_dns_record.www shop.example.com/42

# PanelAlpha: USER_ID/ACCOUNT_ID/ZONE/LINE (the record's line in
# GET server-accounts/{id}/dns-zones/{name}/records), or by content
# USER_ID/ZONE/TYPE/NAME/VALUE.
terraform import panel_dns_record.www 3/7/shop.example.com/12
