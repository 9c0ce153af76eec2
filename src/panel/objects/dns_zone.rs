//! DNS zones as objects of their own (HestiaCP's DNS domains). On the other panels the
//! zone comes with the domain, and `panel_dns_record` is all there is.

use super::super::service::{Locator, PanelObject, Service};
use super::super::Panel;

#[derive(Clone, Debug, PartialEq)]
pub struct DnsZone {
    /// HestiaCP: `USER/ZONE`.
    pub id: String,
    /// The owning user's id.
    pub owner: String,
    /// The zone's domain name, lower-case.
    pub name: String,
    /// The IP address the zone's template records point to.
    pub ip: String,
    /// The zone's default TTL in seconds.
    pub ttl: i64,
    /// The DNS template the zone was made from (HestiaCP `TPL`).
    pub template: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DnsZoneSpec {
    pub owner: String,
    pub name: String,
    pub ip: String,
    /// `None`: the panel's default.
    pub ttl: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DnsZonePatch {
    pub ip: Option<String>,
    pub ttl: Option<i64>,
}

/// A zone's natural key: its name within its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsZoneKey {
    pub owner: String,
    pub name: String,
}

impl DnsZoneKey {
    pub fn matches(&self, zone: &DnsZone) -> bool {
        zone.owner == self.owner
            && zone
                .name
                .eq_ignore_ascii_case(self.name.trim_end_matches('.'))
    }
}

impl PanelObject for DnsZone {
    type Spec = DnsZoneSpec;
    type Patch = DnsZonePatch;
    type Key = DnsZoneKey;
    const NOUN: &'static str = "DNS zone";

    fn id(&self) -> &str {
        &self.id
    }

    fn locator(&self) -> Locator {
        Locator::new(&self.id).with_owner(Some(&self.owner))
    }

    fn owner(&self) -> Option<&str> {
        Some(&self.owner)
    }

    fn spec_key(spec: &DnsZoneSpec) -> DnsZoneKey {
        DnsZoneKey {
            owner: spec.owner.clone(),
            name: spec.name.clone(),
        }
    }

    fn service(panel: &dyn Panel) -> Option<&dyn Service<Self>> {
        panel.dns_zones()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_the_name_case_insensitively_within_the_owner() {
        let zone = DnsZone {
            id: "bob/example.com".into(),
            owner: "bob".into(),
            name: "example.com".into(),
            ip: "192.0.2.10".into(),
            ttl: 14400,
            template: "default".into(),
        };
        let key = DnsZoneKey {
            owner: "bob".into(),
            name: "Example.com.".into(),
        };
        assert!(key.matches(&zone));
        assert!(!DnsZoneKey {
            owner: "ann".into(),
            ..key
        }
        .matches(&zone));
    }
}
