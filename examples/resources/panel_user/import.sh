#!/bin/sh
# Plesk and HestiaCP: import a user by login.
terraform import panel_user.alice alice

# PanelAlpha: import a user by email.
terraform import panel_user.alice alice@example.com
