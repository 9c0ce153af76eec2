//! DNS records of a zone (HestiaCP records of a user's DNS domain), and the name and
//! value rules every layer shares: a record is identified by its content (type, name,
//! value, priority), because panels number records (HestiaCP reuses a deleted highest
//! number) or address them by position.

use super::super::service::{Locator, PanelObject, Service};
use super::super::Panel;

/// The record types the provider manages.
pub const RECORD_TYPES: [&str; 8] = ["A", "AAAA", "CNAME", "MX", "TXT", "SRV", "CAA", "NS"];

/// Types whose value is (or ends with) a host name, compared without a trailing dot
/// and case-insensitively.
const HOST_TYPES: [&str; 4] = ["CNAME", "MX", "NS", "SRV"];

/// The types that carry a priority.
pub fn has_priority(rtype: &str) -> bool {
    rtype.eq_ignore_ascii_case("MX") || rtype.eq_ignore_ascii_case("SRV")
}

#[derive(Clone, Debug, PartialEq)]
pub struct DnsRecord {
    /// HestiaCP: `USER/ZONE/ID` (the panel's record number).
    pub id: String,
    /// The owning user's id, where the panel has one per zone (HestiaCP); else empty.
    pub owner: String,
    /// The zone's domain name, lower case, without a trailing dot.
    pub zone: String,
    /// Upper case (`A`, `MX`...).
    pub rtype: String,
    /// Relative to the zone, `@` for the apex ([`normal_name`]).
    pub name: String,
    /// As the panel reports it, a TXT value without the quotes the panel added.
    pub value: String,
    pub ttl: Option<u32>,
    /// MX and SRV only.
    pub priority: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DnsRecordSpec {
    pub owner: String,
    pub zone: String,
    pub rtype: String,
    pub name: String,
    pub value: String,
    pub ttl: Option<u32>,
    pub priority: Option<u32>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DnsRecordPatch {
    pub name: Option<String>,
    pub value: Option<String>,
    pub ttl: Option<u32>,
    pub priority: Option<u32>,
}

/// A record's natural key: its owner and zone, and its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsRecordKey {
    pub owner: String,
    pub zone: String,
    pub rtype: String,
    pub name: String,
    pub value: String,
    /// `None` matches any priority (a key from a configuration that leaves it out).
    pub priority: Option<u32>,
}

impl DnsRecordKey {
    /// Whether `record` is this key's: same zone (and owner, when both the key and the
    /// record have one: Plesk reports no owner on a record), type, name and value in
    /// their normal forms, and priority when the key has one.
    pub fn matches(&self, record: &DnsRecord) -> bool {
        (self.owner.is_empty() || record.owner.is_empty() || record.owner == self.owner)
            && same_zone(&record.zone, &self.zone)
            && self.content_matches(record)
    }

    /// Type, name, value and (when set) priority only.
    pub fn content_matches(&self, record: &DnsRecord) -> bool {
        record.rtype.eq_ignore_ascii_case(&self.rtype)
            && normal_name(&record.name, &record.zone) == normal_name(&self.name, &self.zone)
            && same_value(&self.rtype, &record.value, &self.value)
            && (self.priority.is_none()
                || !has_priority(&self.rtype)
                || record.priority == self.priority)
    }

    /// The content as a [`Locator::content`].
    pub fn content(&self) -> String {
        content(
            &self.rtype,
            &self.name,
            &self.zone,
            &self.value,
            self.priority,
        )
    }
}

/// A record's content as [`Locator::content`] holds it: type, name, priority and value
/// on four lines (the value last: it is one line, but the only free text).
pub fn content(rtype: &str, name: &str, zone: &str, value: &str, priority: Option<u32>) -> String {
    let rtype = rtype.to_ascii_uppercase();
    let priority = priority
        .filter(|_| has_priority(&rtype))
        .map(|p| p.to_string())
        .unwrap_or_default();
    format!(
        "{rtype}\n{}\n{priority}\n{}",
        normal_name(name, zone),
        normal_value(&rtype, value)
    )
}

/// The key a [`Locator::content`] describes, within `owner` and `zone`.
pub fn key_of_content(owner: &str, zone: &str, content: &str) -> Option<DnsRecordKey> {
    let mut parts = content.splitn(4, '\n');
    let rtype = parts.next()?.to_owned();
    let name = parts.next()?.to_owned();
    let priority = parts.next()?;
    let value = parts.next()?.to_owned();
    Some(DnsRecordKey {
        owner: owner.to_owned(),
        zone: normal_zone(zone),
        rtype,
        name,
        value,
        priority: priority.parse().ok(),
    })
}

/// A zone name: lower case, without surrounding spaces or a trailing dot.
pub fn normal_zone(zone: &str) -> String {
    zone.trim().trim_end_matches('.').to_ascii_lowercase()
}

pub fn same_zone(a: &str, b: &str) -> bool {
    normal_zone(a) == normal_zone(b)
}

/// A name relative to `zone`: `@`, the empty name and the zone's own name (with or
/// without a trailing dot) are the apex `@`; a fully qualified name inside the zone
/// loses the zone's suffix; names are lower case (DNS names compare case-insensitively,
/// and HestiaCP stores them lower case, record 126).
pub fn normal_name(name: &str, zone: &str) -> String {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    let zone = normal_zone(zone);
    if name.is_empty() || name == "@" || (!zone.is_empty() && name == zone) {
        return "@".to_owned();
    }
    match name.strip_suffix(&format!(".{zone}")) {
        Some(relative) if !zone.is_empty() && !relative.is_empty() => relative.to_owned(),
        _ => name,
    }
}

pub fn same_name(a: &str, b: &str, zone: &str) -> bool {
    normal_name(a, zone) == normal_name(b, zone)
}

/// A value in the form two values are compared in: host names (CNAME, MX, NS and the
/// SRV target) without a trailing dot and in lower case, AAAA in lower case; TXT and
/// CAA exactly as written (quotes included: they are part of the value).
pub fn normal_value(rtype: &str, value: &str) -> String {
    let rtype = rtype.to_ascii_uppercase();
    if HOST_TYPES.contains(&rtype.as_str()) {
        let value = value.trim();
        let value = if value == "." {
            value
        } else {
            value.trim_end_matches('.')
        };
        value
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase()
    } else if rtype == "AAAA" || rtype == "A" {
        value.trim().to_ascii_lowercase()
    } else {
        value.to_owned()
    }
}

pub fn same_value(rtype: &str, a: &str, b: &str) -> bool {
    normal_value(rtype, a) == normal_value(rtype, b)
}

/// A TXT value as a panel that wraps values in double quotes lists it, without those
/// quotes (HestiaCP: `"say hello world"`, records 115-118, 147). Only one surrounding
/// pair is removed; a value the panel did not wrap is returned as it is.
pub fn unquote_txt(listed: &str) -> &str {
    match listed
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(inner) if listed.len() >= 2 => inner,
        _ => listed,
    }
}

/// What is wrong with a value of type `rtype` before any panel sees it.
pub fn value_problem(rtype: &str, value: &str) -> Option<String> {
    if value.trim().is_empty() {
        return Some("must not be empty".to_owned());
    }
    if value.contains(['\n', '\r', '\0']) {
        return Some("must be one line".to_owned());
    }
    match rtype {
        "A" if value.trim().parse::<std::net::Ipv4Addr>().is_err() => Some(format!(
            "must be an IPv4 address for an A record, got {value:?}"
        )),
        "AAAA" if value.trim().parse::<std::net::Ipv6Addr>().is_err() => Some(format!(
            "must be an IPv6 address for an AAAA record, got {value:?}"
        )),
        "SRV" if value.split_whitespace().count() != 3 => Some(format!(
            "must be \"WEIGHT PORT TARGET\" for an SRV record (the priority goes in \
             `priority`), got {value:?}"
        )),
        _ => None,
    }
}

impl PanelObject for DnsRecord {
    type Spec = DnsRecordSpec;
    type Patch = DnsRecordPatch;
    type Key = DnsRecordKey;
    const NOUN: &'static str = "DNS record";

    fn id(&self) -> &str {
        &self.id
    }

    fn locator(&self) -> Locator {
        Locator::new(&self.id)
            .with_owner(Some(&self.owner))
            .with_content(content(
                &self.rtype,
                &self.name,
                &self.zone,
                &self.value,
                self.priority,
            ))
    }

    fn owner(&self) -> Option<&str> {
        (!self.owner.is_empty()).then_some(self.owner.as_str())
    }

    fn spec_key(spec: &DnsRecordSpec) -> DnsRecordKey {
        DnsRecordKey {
            owner: spec.owner.clone(),
            zone: normal_zone(&spec.zone),
            rtype: spec.rtype.to_ascii_uppercase(),
            name: normal_name(&spec.name, &spec.zone),
            value: spec.value.clone(),
            priority: spec.priority.filter(|_| has_priority(&spec.rtype)),
        }
    }

    fn service(panel: &dyn Panel) -> Option<&dyn Service<Self>> {
        panel.dns_records()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> DnsRecord {
        DnsRecord {
            id: "bob/example.com/22".into(),
            owner: "bob".into(),
            zone: "example.com".into(),
            rtype: "MX".into(),
            name: "@".into(),
            value: "mx2.example.com.".into(),
            ttl: Some(14400),
            priority: Some(20),
        }
    }

    #[test]
    fn names_are_relative_to_the_zone_with_at_for_the_apex() {
        for apex in ["@", "", " ", "example.com", "EXAMPLE.com.", "example.com."] {
            assert_eq!(normal_name(apex, "example.com"), "@", "{apex:?}");
        }
        assert_eq!(normal_name("WWW", "example.com"), "www");
        assert_eq!(normal_name("www.example.com.", "Example.COM"), "www");
        assert_eq!(normal_name("a.b.example.com", "example.com"), "a.b");
        // Another zone's name is not shortened.
        assert_eq!(
            normal_name("www.example.org", "example.com"),
            "www.example.org"
        );
        assert_eq!(normal_name("_sip._tcp", "example.com"), "_sip._tcp");
        assert!(same_name("@", "example.com.", "example.com"));
        assert!(!same_name("www", "ww", "example.com"));
    }

    #[test]
    fn host_values_compare_without_the_trailing_dot_and_txt_exactly() {
        assert!(same_value("MX", "mx2.example.com", "MX2.example.com."));
        assert!(same_value("CNAME", "a.example.com.", "a.example.com"));
        assert!(same_value(
            "SRV",
            "5 5060 sip.example.com",
            "5  5060 sip.example.com."
        ));
        assert!(same_value("AAAA", "2001:DB8::1", "2001:db8::1"));
        assert!(!same_value("TXT", "v=spf1 -all", "v=spf1 -all."));
        assert!(!same_value("TXT", "Hello", "hello"));
        assert!(!same_value("TXT", "say \"hi\"", "say hi"));
        assert!(same_value(
            "CAA",
            "0 issue \"letsencrypt.org\"",
            "0 issue \"letsencrypt.org\""
        ));
    }

    #[test]
    fn txt_quotes_added_by_the_panel_come_off_once() {
        assert_eq!(unquote_txt("\"say hello world\""), "say hello world");
        assert_eq!(unquote_txt("token-abc123"), "token-abc123");
        assert_eq!(unquote_txt("\""), "\"");
        assert_eq!(unquote_txt("\"\"x\"\""), "\"x\"");
        let long = format!("v=long1; {}", "0123456789abcdef".repeat(20));
        assert!(long.len() > 255);
        assert_eq!(unquote_txt(&format!("\"{long}\"")), long);
        assert_eq!(unquote_txt("\"it's here\""), "it's here");
    }

    #[test]
    fn values_are_checked_per_type() {
        assert_eq!(value_problem("A", "192.0.2.1"), None);
        assert!(value_problem("A", "2001:db8::1")
            .unwrap_or_default()
            .contains("IPv4"));
        assert!(value_problem("AAAA", "192.0.2.1")
            .unwrap_or_default()
            .contains("IPv6"));
        assert!(value_problem("SRV", "10 5 5060 sip.example.com")
            .unwrap_or_default()
            .contains("`priority`"));
        assert_eq!(value_problem("SRV", "5 5060 sip.example.com"), None);
        assert!(value_problem("TXT", "a\nb").is_some());
        assert!(value_problem("TXT", "").is_some());
    }

    #[test]
    fn keys_match_content_and_survive_the_round_trip_through_a_locator() {
        let key = DnsRecordKey {
            owner: "bob".into(),
            zone: "example.com".into(),
            rtype: "mx".into(),
            name: "example.com.".into(),
            value: "MX2.example.com".into(),
            priority: Some(20),
        };
        assert!(key.matches(&record()));
        assert!(!DnsRecordKey {
            priority: Some(10),
            ..key.clone()
        }
        .matches(&record()));
        assert!(DnsRecordKey {
            priority: None,
            ..key.clone()
        }
        .matches(&record()));
        assert!(!DnsRecordKey {
            owner: "ann".into(),
            ..key.clone()
        }
        .matches(&record()));
        let at = record().locator();
        let again = key_of_content(
            "bob",
            "example.com",
            at.content.as_deref().unwrap_or_default(),
        )
        .unwrap();
        assert!(again.matches(&record()));
        assert_eq!(again.priority, Some(20));
        assert_eq!(again.name, "@");
    }
}
