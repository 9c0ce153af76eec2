#!/bin/sh
# HestiaCP: USER/DOMAIN. The private key is not imported; set private_key_wo (and its
# version) in the configuration before the certificate is next changed.
terraform import panel_certificate.site siteowner/example.com

# PanelAlpha: USER_ID/ACCOUNT_ID/DOMAIN.
terraform import panel_certificate.site 3/7/example.com
