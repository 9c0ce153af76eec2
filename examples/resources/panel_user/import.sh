# By login (Plesk, HestiaCP):
terraform import panel_user.alice alice
# By email (PanelAlpha):
terraform import panel_user.alice alice@example.com
