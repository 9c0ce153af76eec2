//! DNS records, shared by REST `/dns/records` and XML `dns add_rec/get_rec/del_rec`.
//!
//! Sources: REST `DnsRecord`/`DnsRecordRequest` (openapi.json: type enum, host, value,
//! opt, ttl); XML `dnsRecord` (schema outline: `site-id|site-alias-id`, `type`, `host`,
//! `value`, `opt`); the official client's `DnsTest` (TXT with empty host = the apex,
//! MX priority in `opt`, DS records, bulk add/delete by id); ERRORS.md §3.4 (a
//! duplicate record is 1007 "DNS record '…' already exists").
//!
//! Assumptions (no reference shows them):
//! - a zone belongs to each subscription and addon domain; a subdomain's records live
//!   in its parent's zone (asking by a subdomain reaches that zone);
//! - `host` is taken relative to the zone unless it already ends with the zone name;
//!   both APIs report it fully qualified with a trailing dot, as do the names in
//!   CNAME/NS/MX/SRV/PTR values;
//! - SRV `opt` is "priority weight port", MX `opt` the priority (default 10);
//! - a record has its own TTL only when one was given; otherwise the zone's 86400 is
//!   reported (Plesk's default SOA TTL);
//! - new zones get a small default template (see [`State::add_template_records`]),
//!   switchable with the seed key `dns_template`.

use serde::{Deserialize, Serialize};

use super::state::{DomainKind, Fault, State};
use super::validate::printable;

pub const DEFAULT_TTL: u32 = 86_400;

/// Types a record can be created with (REST enum minus SOA and AXFR, which describe
/// the zone itself).
pub const RECORD_TYPES: &[&str] = &[
    "A", "AAAA", "CNAME", "MX", "NS", "TXT", "SRV", "PTR", "CAA", "DS", "TLSA", "HTTPS",
];

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DnsRecord {
    pub id: u64,
    /// The zone's domain (subscription or addon domain).
    pub zone_id: u64,
    #[serde(rename = "type")]
    pub rtype: String,
    /// Fully qualified, trailing dot.
    pub host: String,
    pub value: String,
    pub opt: String,
    pub ttl: Option<u32>,
}

/// Fields for adding or changing a record; `None` = not given.
#[derive(Clone, Debug, Default)]
pub struct RecordFields {
    pub rtype: Option<String>,
    pub host: Option<String>,
    pub value: Option<String>,
    pub opt: Option<String>,
    pub ttl: Option<u32>,
}

fn names_a_host(rtype: &str) -> bool {
    matches!(rtype, "CNAME" | "NS" | "MX" | "SRV" | "PTR")
}

fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_ascii_lowercase()
    } else {
        format!("{}.", name.to_ascii_lowercase())
    }
}

/// `host` as given (relative, empty for the apex, or already under the zone) → FQDN.
pub fn absolute_host(host: &str, zone_ascii: &str) -> String {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() || host == "@" || host == zone_ascii {
        return format!("{zone_ascii}.");
    }
    if host.ends_with(&format!(".{zone_ascii}")) {
        return format!("{host}.");
    }
    format!("{host}.{zone_ascii}.")
}

fn valid_label_chars(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name.trim_end_matches('.').split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '*')
        })
}

fn check_value(rtype: &str, value: &str, opt: &str) -> Result<(), Fault> {
    let invalid = |m: String| Err(Fault::invalid("value", m));
    if value.trim().is_empty() {
        return invalid(format!("A {rtype} record needs a value."));
    }
    if value.chars().any(|c| c.is_control()) {
        return invalid("The value contains control characters.".into());
    }
    match rtype {
        "A" if value.parse::<std::net::Ipv4Addr>().is_err() => {
            invalid(format!("'{}' is not an IPv4 address.", printable(value)))
        }
        "AAAA" if value.parse::<std::net::Ipv6Addr>().is_err() => {
            invalid(format!("'{}' is not an IPv6 address.", printable(value)))
        }
        t if names_a_host(t) && !valid_label_chars(value) => {
            invalid(format!("'{}' is not a host name.", printable(value)))
        }
        "MX" if opt.parse::<u16>().is_err() => Err(Fault::invalid(
            "opt",
            "The MX priority must be a number from 0 to 65535.",
        )),
        "SRV" => {
            let parts: Vec<&str> = opt.split_whitespace().collect();
            if parts.len() != 3 || parts.iter().any(|p| p.parse::<u16>().is_err()) {
                return Err(Fault::invalid(
                    "opt",
                    "An SRV record needs opt \"priority weight port\".",
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

impl State {
    /// The zone a domain's records live in: its own, or (subdomain) its parent's.
    pub fn zone_of(&self, domain_id: u64) -> Option<u64> {
        let mut current = self.domains.get(&domain_id)?;
        for _ in 0..16 {
            if current.kind != DomainKind::Subdomain {
                return Some(current.id);
            }
            current = self.domains.get(&current.parent_id?)?;
        }
        None
    }

    pub fn dns_record(&self, id: u64) -> Option<&DnsRecord> {
        self.dns.values().flatten().find(|r| r.id == id)
    }

    /// Records of a zone, in creation order (the official client relies on none).
    pub fn zone_records(&self, zone_id: u64) -> &[DnsRecord] {
        self.dns.get(&zone_id).map(Vec::as_slice).unwrap_or(&[])
    }

    fn build_record(
        &self,
        zone_id: u64,
        fields: &RecordFields,
        current: Option<&DnsRecord>,
    ) -> Result<DnsRecord, Fault> {
        let zone_ascii = self
            .domains
            .get(&zone_id)
            .map(|d| d.ascii_name.clone())
            .ok_or_else(|| Fault::NotFound("Domain is not found".into()))?;
        let rtype = fields
            .rtype
            .clone()
            .or_else(|| current.map(|c| c.rtype.clone()))
            .ok_or_else(|| Fault::invalid("type", "The record type is required."))?
            .to_ascii_uppercase();
        if !RECORD_TYPES.contains(&rtype.as_str()) {
            return Err(Fault::invalid(
                "type",
                format!(
                    "Records of type '{}' cannot be added; use one of {}.",
                    printable(&rtype),
                    RECORD_TYPES.join(", ")
                ),
            ));
        }
        let host = match (&fields.host, current) {
            (Some(host), _) => {
                if host.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(Fault::invalid("host", "The host name is invalid."));
                }
                absolute_host(host, &zone_ascii)
            }
            (None, Some(current)) => current.host.clone(),
            (None, None) => format!("{zone_ascii}."),
        };
        if host != format!("{zone_ascii}.") && !valid_label_chars(&host) {
            return Err(Fault::invalid(
                "host",
                format!("'{}' is not a valid host name.", printable(&host)),
            ));
        }
        let mut value = fields
            .value
            .clone()
            .or_else(|| current.map(|c| c.value.clone()))
            .unwrap_or_default();
        let opt = fields
            .opt
            .clone()
            .or_else(|| current.map(|c| c.opt.clone()))
            .unwrap_or_else(|| {
                if rtype == "MX" {
                    "10".into()
                } else {
                    String::new()
                }
            });
        check_value(&rtype, &value, &opt)?;
        if names_a_host(&rtype) {
            value = fqdn(value.trim());
        }
        if rtype == "CNAME" && host == format!("{zone_ascii}.") {
            return Err(Fault::invalid(
                "host",
                "A CNAME record cannot be added for the domain itself.",
            ));
        }
        let own_id = current.map(|c| c.id);
        for other in self.zone_records(zone_id) {
            if Some(other.id) == own_id || other.host != host {
                continue;
            }
            let same = other.rtype == rtype && other.value == value && other.opt == opt;
            if same {
                return Err(Fault::Exists(format!(
                    "DNS record '{host} {rtype} {}' already exists.",
                    printable(&value)
                )));
            }
            if rtype == "CNAME" || other.rtype == "CNAME" {
                return Err(Fault::Exists(format!(
                    "A CNAME record for {host} cannot coexist with other records for that name."
                )));
            }
        }
        Ok(DnsRecord {
            id: own_id.unwrap_or(0),
            zone_id,
            rtype,
            host,
            value,
            opt,
            ttl: fields.ttl.or(current.and_then(|c| c.ttl)),
        })
    }

    /// Adds a record to the zone of `domain_id` (a subdomain's goes to its parent's).
    pub fn add_dns_record(
        &mut self,
        domain_id: u64,
        fields: RecordFields,
    ) -> Result<DnsRecord, Fault> {
        let zone_id = self
            .zone_of(domain_id)
            .ok_or_else(|| Fault::NotFound("Domain is not found".into()))?;
        let mut record = self.build_record(zone_id, &fields, None)?;
        self.counters.dns_record += 1;
        record.id = self.counters.dns_record;
        self.dns.entry(zone_id).or_default().push(record.clone());
        Ok(record)
    }

    pub fn update_dns_record(&mut self, id: u64, fields: RecordFields) -> Result<DnsRecord, Fault> {
        let current = self
            .dns_record(id)
            .cloned()
            .ok_or_else(|| Fault::NotFound("DNS record is not found".into()))?;
        let updated = self.build_record(current.zone_id, &fields, Some(&current))?;
        if let Some(slot) = self
            .dns
            .get_mut(&current.zone_id)
            .and_then(|zone| zone.iter_mut().find(|r| r.id == id))
        {
            *slot = updated.clone();
        }
        Ok(updated)
    }

    pub fn delete_dns_record(&mut self, id: u64) -> Result<DnsRecord, Fault> {
        for zone in self.dns.values_mut() {
            if let Some(index) = zone.iter().position(|r| r.id == id) {
                return Ok(zone.remove(index));
            }
        }
        Err(Fault::NotFound("DNS record is not found".into()))
    }

    /// Assumption (the references carry no zone template): a new zone gets Plesk's
    /// usual default records, NS + glue, the apex A, `www` CNAME, `mail` A + MX and an
    /// SPF TXT; a new subdomain gets an A record in its parent's zone. Off with the seed
    /// key `"dns_template": false`. Only when the domain has an IPv4 address.
    pub fn add_template_records(&mut self, domain_id: u64) {
        if !self.dns_template {
            return;
        }
        let Some(domain) = self.domains.get(&domain_id) else {
            return;
        };
        let Some(ip) = self
            .domain_ips(domain)
            .into_iter()
            .find(|ip| ip.parse::<std::net::Ipv4Addr>().is_ok())
        else {
            return;
        };
        let name = domain.ascii_name.clone();
        let rows: Vec<(&str, String, String, &str)> = if domain.kind == DomainKind::Subdomain {
            vec![("A", name.clone(), ip, "")]
        } else {
            vec![
                ("NS", String::new(), format!("ns1.{name}"), ""),
                ("NS", String::new(), format!("ns2.{name}"), ""),
                ("A", "ns1".into(), ip.clone(), ""),
                ("A", "ns2".into(), ip.clone(), ""),
                ("A", String::new(), ip.clone(), ""),
                ("CNAME", "www".into(), name.clone(), ""),
                ("A", "mail".into(), ip, ""),
                ("MX", String::new(), format!("mail.{name}"), "10"),
                ("TXT", String::new(), "v=spf1 +a +mx -all".into(), ""),
            ]
        };
        for (rtype, host, value, opt) in rows {
            // A clash (a subdomain named like a template host) just skips that record.
            let _ = self.add_dns_record(
                domain_id,
                RecordFields {
                    rtype: Some(rtype.into()),
                    host: Some(host),
                    value: Some(value),
                    opt: Some(opt.into()),
                    ttl: None,
                },
            );
        }
    }

    /// Drops what hangs off domains that are going away: their zones, the records a
    /// subdomain put into its parent's zone, their mail accounts.
    pub fn forget_domain_services(&mut self, doomed: &[u64]) {
        let subdomain_hosts: Vec<(u64, String)> = doomed
            .iter()
            .filter_map(|id| self.domains.get(id))
            .filter(|d| d.kind == DomainKind::Subdomain)
            .filter_map(|d| Some((self.zone_of(d.id)?, format!("{}.", d.ascii_name))))
            .collect();
        for (zone, host) in subdomain_hosts {
            let nested = format!(".{host}");
            if let Some(records) = self.dns.get_mut(&zone) {
                records.retain(|r| r.host != host && !r.host.ends_with(&nested));
            }
        }
        for id in doomed {
            self.dns.remove(id);
        }
        self.mailnames.retain(|_, m| !doomed.contains(&m.domain_id));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_made_absolute_once() {
        assert_eq!(absolute_host("", "example.com"), "example.com.");
        assert_eq!(absolute_host("@", "example.com"), "example.com.");
        assert_eq!(absolute_host("www", "example.com"), "www.example.com.");
        assert_eq!(
            absolute_host("WWW.example.com.", "example.com"),
            "www.example.com."
        );
    }

    #[test]
    fn values_are_checked_by_type() {
        assert!(check_value("A", "10.0.0.1", "").is_ok());
        assert!(check_value("A", "::1", "").is_err());
        assert!(check_value("AAAA", "::1", "").is_ok());
        assert!(check_value("MX", "mail.example.com", "x").is_err());
        assert!(check_value("SRV", "sip.example.com", "10 5 5060").is_ok());
        assert!(check_value("SRV", "sip.example.com", "10").is_err());
        assert!(check_value("TXT", "", "").is_err());
        assert!(check_value("TXT", &"x".repeat(600), "").is_ok());
    }
}
