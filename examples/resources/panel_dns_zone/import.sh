#!/bin/sh
# HestiaCP: USER/ZONE. (The other panels have no zones of their own.)
terraform import panel_dns_zone.main zoneowner/zone.example.com
