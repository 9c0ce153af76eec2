#!/bin/sh
# HestiaCP: OWNER/FULL_NAME (the name with the owner's prefix).
terraform import panel_database.shop shopowner/shopowner_shop

# Plesk: DOMAIN/NAME.
terraform import panel_database.shop shop.example.com/shop

# PanelAlpha: USER_ID/ACCOUNT_ID/NAME.
terraform import panel_database.shop 12/34/shop
