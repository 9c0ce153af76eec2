#!/bin/sh
# HestiaCP: USER/DOMAIN/NAME.
terraform import panel_mailbox.info mailboxowner/example.com/info

# Plesk (XML and REST API): the address.
terraform import panel_mailbox.info info@example.com

# PanelAlpha: USER_ID/ACCOUNT_ID/ADDRESS.
terraform import panel_mailbox.info 12/34/info@example.com
