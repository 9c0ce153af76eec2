# HestiaCP: OWNER/FULL_NAME
terraform import panel_database.shop carol/carol_shop
# Plesk: DOMAIN/NAME
terraform import panel_database.shop carol-example.com/shop
# PanelAlpha: USER_ID/ACCOUNT_ID/NAME
terraform import panel_database.shop 12/34/shop
