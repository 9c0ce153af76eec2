//! Plesk REST DNS records: `GET/POST /dns/records?domain=ZONE`,
//! `GET/PUT/DELETE /dns/records/{id}` (openapi.json `DnsRecord`: `id`, `type`, `host`,
//! `value`, `opt`, `ttl`). A record's id is `ZONE/ID`.
//!
//! What the references say, and what is assumed (written down as assumptions):
//! - record ids are integers the panel gives (openapi.json); the provider still checks
//!   the record at an id holds the content it remembers before changing or deleting it,
//!   as on every panel;
//! - `host` is reported fully qualified with a trailing dot, and so are host names in
//!   CNAME/NS/MX/SRV values (assumed, as the simulator does); both are made relative /
//!   undotted on read;
//! - MX priority travels in `opt`; SRV `opt` is `PRIORITY WEIGHT PORT` and `value` the
//!   target (the official client's DNS test; assumed for SRV), mapped to the provider's
//!   `value = "WEIGHT PORT TARGET"` + `priority`;
//! - TXT values are sent and read as they are, without quoting (no reference shows
//!   Plesk adding or removing quotes; assumed), so quotes and values longer than 255
//!   bytes round-trip exactly;
//! - the apex is sent as an empty `host` (the official client's TXT test).

use std::sync::Arc;

use reqwest::Method;
use serde::Deserialize;

use super::client::HttpRequest;
use super::error::FieldMap;
use super::{ignore_not_found, parse_number, PleskRestBackend, Touched};
use crate::panel::dns_record::{
    has_priority, key_of_content, normal_name, normal_zone, value_problem,
};
use crate::panel::{
    DnsRecord, DnsRecordKey, DnsRecordPatch, DnsRecordSpec, ListFilter, Locator, PanelError,
    PanelErrorKind, PanelResult, Service,
};

const DNS_FIELDS: FieldMap = &[
    ("host", "name"),
    ("value", "value"),
    ("opt", "priority"),
    ("type", "type"),
    ("ttl", "ttl"),
    ("domain", "zone"),
];

/// Plesk's MX priority when none is given (assumed, as the simulator does).
const DEFAULT_PRIORITY: u32 = 10;

/// One record as `/dns/records` answers it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct DnsRecordWire {
    pub id: Option<i64>,
    #[serde(rename = "type")]
    pub rtype: String,
    pub host: String,
    pub value: String,
    pub opt: Option<String>,
    pub ttl: Option<i64>,
}

fn undotted(value: &str) -> String {
    let value = value.trim();
    if value == "." {
        value.to_owned()
    } else {
        value.trim_end_matches('.').to_owned()
    }
}

pub(crate) fn record_from_wire(zone: &str, wire: &DnsRecordWire) -> DnsRecord {
    let rtype = wire.rtype.trim().to_ascii_uppercase();
    let opt = wire.opt.clone().unwrap_or_default();
    let (value, priority) = match rtype.as_str() {
        "MX" => (undotted(&wire.value), opt.trim().parse().ok()),
        "SRV" => {
            let parts: Vec<&str> = opt.split_whitespace().collect();
            match parts.as_slice() {
                [priority, weight, port] => (
                    format!("{weight} {port} {}", undotted(&wire.value)),
                    priority.parse().ok(),
                ),
                _ => (undotted(&wire.value), None),
            }
        }
        "CNAME" | "NS" => (undotted(&wire.value), None),
        _ => (wire.value.clone(), None),
    };
    DnsRecord {
        id: format!("{zone}/{}", wire.id.unwrap_or_default()),
        owner: String::new(),
        zone: zone.to_owned(),
        name: normal_name(&wire.host, zone),
        rtype,
        value,
        ttl: wire.ttl.and_then(|t| u32::try_from(t).ok()),
        priority: priority.filter(|_| has_priority(&wire.rtype)),
    }
}

/// The body of a POST or PUT: `host` relative (empty for the apex), MX/SRV priority in
/// `opt`.
fn body(
    zone: &str,
    rtype: &str,
    name: &str,
    value: &str,
    priority: Option<u32>,
    ttl: Option<u32>,
) -> serde_json::Value {
    let name = normal_name(name, zone);
    let host = if name == "@" { String::new() } else { name };
    let (value, opt) = match rtype {
        "MX" => (
            value.trim().to_owned(),
            priority.unwrap_or(DEFAULT_PRIORITY).to_string(),
        ),
        "SRV" => {
            let parts: Vec<&str> = value.split_whitespace().collect();
            let priority = priority.unwrap_or(DEFAULT_PRIORITY);
            match parts.as_slice() {
                [weight, port, target] => {
                    ((*target).to_owned(), format!("{priority} {weight} {port}"))
                }
                _ => (value.to_owned(), String::new()),
            }
        }
        _ => (value.to_owned(), String::new()),
    };
    let mut body = serde_json::json!({
        "type": rtype,
        "host": host,
        "value": value,
        "opt": opt,
    });
    if let Some(ttl) = ttl {
        body["ttl"] = serde_json::json!(ttl);
    }
    body
}

/// `ZONE/ID` into its parts.
fn parse_id(id: &str) -> Option<(String, i64)> {
    let (zone, number) = id.trim().rsplit_once('/')?;
    if zone.is_empty() || zone.contains('/') {
        return None;
    }
    let number = parse_number("id", number).ok()?;
    Some((normal_zone(zone), number))
}

fn malformed(id: &str) -> PanelError {
    PanelError::invalid(
        Some("id"),
        format!(
            "plesk DNS record ids look like ZONE/ID (e.g. example.com/42) or \
             ZONE/TYPE/NAME/VALUE, got {id:?}"
        ),
    )
}

/// The record `at` names: the one at its id when it still holds the remembered
/// content, else the lowest-numbered one holding that content.
fn locate(records: &[DnsRecord], at: &Locator) -> Option<DnsRecord> {
    let (zone, _) = parse_id(&at.id)?;
    let key = at
        .content
        .as_deref()
        .and_then(|content| key_of_content("", &zone, content));
    let at_id = records.iter().find(|r| r.id == at.id);
    let number = |r: &DnsRecord| parse_id(&r.id).map(|(_, n)| n).unwrap_or(i64::MAX);
    match key {
        None => at_id.cloned(),
        Some(key) => match at_id {
            Some(record) if key.content_matches(record) => Some(record.clone()),
            _ => records
                .iter()
                .filter(|r| key.content_matches(r))
                .min_by_key(|r| number(r))
                .cloned(),
        },
    }
}

/// A zone that does not exist is a bad `zone`.
fn missing_zone(error: PanelError, zone: &str) -> PanelError {
    if error.kind == PanelErrorKind::NotFound {
        let mut error = error;
        error.kind = PanelErrorKind::InvalidInput {
            field: Some("zone".to_owned()),
        };
        error.message = format!(
            "the DNS zone {zone:?} does not exist on Plesk (a subscription or site of that \
             name has it); {}",
            error.message
        );
        return error;
    }
    error
}

impl PleskRestBackend {
    /// A zone's records from one shared `GET /dns/records?domain=ZONE`; a zone that does
    /// not exist has none.
    async fn zone_records(&self, zone: &str) -> PanelResult<Arc<Vec<DnsRecord>>> {
        self.dns_records
            .get_or_load(zone, || self.load_zone(zone))
            .await
    }

    async fn load_zone(&self, zone: &str) -> PanelResult<Vec<DnsRecord>> {
        let request = HttpRequest::get("dns/records").query("domain", zone);
        let listed: Option<Vec<DnsRecordWire>> = self.read_optional(request).await?;
        Ok(listed
            .unwrap_or_default()
            .iter()
            .map(|wire| record_from_wire(zone, wire))
            .collect())
    }

    async fn dns_write(&self, request: HttpRequest, zone: &str) -> PanelResult<String> {
        let outcome = self
            .write(request, DNS_FIELDS, &[], Touched::default())
            .await;
        self.dns_records.invalidate(zone);
        outcome
    }
}

#[async_trait::async_trait]
impl Service<DnsRecord> for PleskRestBackend {
    async fn create(&self, spec: &DnsRecordSpec) -> PanelResult<DnsRecord> {
        let rtype = spec.rtype.to_ascii_uppercase();
        if let Some(problem) = value_problem(&rtype, &spec.value) {
            return Err(PanelError::invalid(Some("value"), problem));
        }
        let zone = normal_zone(&spec.zone);
        let request = HttpRequest::new(Method::POST, "dns/records")
            .query("domain", zone.clone())
            .json(body(
                &zone,
                &rtype,
                &spec.name,
                &spec.value,
                spec.priority.filter(|_| has_priority(&rtype)),
                spec.ttl,
            ));
        let answer = self
            .dns_write(request, &zone)
            .await
            .map_err(|e| missing_zone(e, &zone))?;
        let wire: DnsRecordWire = super::decode_answer("POST /dns/records", &answer)?;
        if wire.id.is_none() {
            return Err(
                PanelError::protocol("POST /dns/records answered a record without an id")
                    .maybe_done(),
            );
        }
        Ok(record_from_wire(&zone, &wire))
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<DnsRecord>> {
        let Some((zone, _)) = parse_id(&at.id) else {
            return Ok(None);
        };
        Ok(locate(&self.zone_records(&zone).await?, at))
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<DnsRecord>> {
        let Some((zone, number)) = parse_id(&at.id) else {
            return Ok(None);
        };
        let request = HttpRequest::get(format!("dns/records/{number}"));
        let found: Option<DnsRecordWire> = self.read_optional(request).await?;
        let records: Vec<DnsRecord> = found.iter().map(|w| record_from_wire(&zone, w)).collect();
        match locate(&records, at) {
            Some(record) => Ok(Some(record)),
            // Not at its id any more: look for the content in the zone.
            None => Ok(locate(&self.load_zone(&zone).await?, at)),
        }
    }

    async fn find(&self, key: &DnsRecordKey) -> PanelResult<Option<DnsRecord>> {
        let number = |r: &DnsRecord| parse_id(&r.id).map(|(_, n)| n).unwrap_or(i64::MAX);
        Ok(self
            .zone_records(&normal_zone(&key.zone))
            .await?
            .iter()
            .filter(|record| key.matches(record))
            .min_by_key(|r| number(r))
            .cloned())
    }

    /// Every zone of the listed domains (the owner's, or every domain), one request per
    /// zone; a subdomain's records are its parent zone's, listed once.
    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<DnsRecord>> {
        let domains = Service::<crate::panel::Domain>::list(self, filter).await?;
        let mut records: Vec<DnsRecord> = Vec::new();
        for domain in domains {
            let zone = normal_zone(domain.name.as_str());
            for record in self.zone_records(&zone).await?.iter() {
                if !records
                    .iter()
                    .any(|r| r.id.rsplit('/').next() == record.id.rsplit('/').next())
                {
                    records.push(record.clone());
                }
            }
        }
        Ok(records)
    }

    async fn update(&self, at: &Locator, patch: &DnsRecordPatch) -> PanelResult<DnsRecord> {
        let (zone, _) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let missing =
            || PanelError::not_found(format!("plesk DNS record {} does not exist", at.id));
        let current = locate(&self.load_zone(&zone).await?, at).ok_or_else(missing)?;
        let (_, number) = parse_id(&current.id).ok_or_else(|| malformed(&current.id))?;
        let value = patch.value.as_deref().unwrap_or(&current.value);
        if let Some(problem) = value_problem(&current.rtype, value) {
            return Err(PanelError::invalid(Some("value"), problem));
        }
        let request = HttpRequest::new(Method::PUT, format!("dns/records/{number}")).json(body(
            &zone,
            &current.rtype,
            patch.name.as_deref().unwrap_or(&current.name),
            value,
            patch.priority.or(current.priority),
            patch.ttl.or(current.ttl),
        ));
        self.dns_write(request, &zone).await?;
        let request = HttpRequest::get(format!("dns/records/{number}"));
        let found: Option<DnsRecordWire> = self.read_optional(request).await?;
        found
            .map(|wire| record_from_wire(&zone, &wire))
            .ok_or_else(missing)
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (zone, _) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let Some(current) = locate(&self.load_zone(&zone).await?, at) else {
            return Ok(());
        };
        let (_, number) = parse_id(&current.id).ok_or_else(|| malformed(&current.id))?;
        let request = HttpRequest::new(Method::DELETE, format!("dns/records/{number}"));
        ignore_not_found(self.dns_write(request, &zone).await)
    }

    /// `ZONE/ID`, or `ZONE/TYPE/NAME/VALUE` (the lowest-numbered record with that
    /// content; the value may hold `/`).
    async fn import(&self, id: &str) -> PanelResult<Option<DnsRecord>> {
        if let Some((zone, number)) = parse_id(id) {
            let wanted = format!("{zone}/{number}");
            return Ok(self
                .load_zone(&zone)
                .await?
                .into_iter()
                .find(|r| r.id == wanted));
        }
        let parts: Vec<&str> = id.trim().splitn(4, '/').collect();
        let [zone, rtype, name, value] = parts.as_slice() else {
            return Err(malformed(id));
        };
        let key = DnsRecordKey {
            owner: String::new(),
            zone: normal_zone(zone),
            rtype: rtype.to_ascii_uppercase(),
            name: normal_name(name, zone),
            value: (*value).to_owned(),
            priority: None,
        };
        let number = |r: &DnsRecord| parse_id(&r.id).map(|(_, n)| n).unwrap_or(i64::MAX);
        Ok(self
            .load_zone(&key.zone)
            .await?
            .into_iter()
            .filter(|r| key.matches(r))
            .min_by_key(number))
    }

    fn import_id(&self, object: &DnsRecord) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "ZONE/ID (e.g. example.com/42: the record id of GET /api/v2/dns/records?domain=ZONE) \
         or ZONE/TYPE/NAME/VALUE (e.g. example.com/MX/@/mail.example.com)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(rtype: &str, host: &str, value: &str, opt: &str) -> DnsRecordWire {
        DnsRecordWire {
            id: Some(7),
            rtype: rtype.into(),
            host: host.into(),
            value: value.into(),
            opt: Some(opt.into()),
            ttl: Some(86400),
        }
    }

    #[test]
    fn wire_records_map_to_relative_names_and_priorities() {
        let mx = record_from_wire(
            "example.com",
            &wire("MX", "example.com.", "mail.example.com.", "20"),
        );
        assert_eq!(
            (
                mx.id.as_str(),
                mx.name.as_str(),
                mx.value.as_str(),
                mx.priority
            ),
            ("example.com/7", "@", "mail.example.com", Some(20))
        );
        let srv = record_from_wire(
            "example.com",
            &wire(
                "SRV",
                "_sip._tcp.example.com.",
                "sip.example.com.",
                "10 5 5060",
            ),
        );
        assert_eq!(
            (srv.value.as_str(), srv.priority),
            ("5 5060 sip.example.com", Some(10))
        );
        let sent = body(
            "example.com",
            "SRV",
            "_sip._tcp",
            "5 5060 sip.example.com",
            Some(10),
            None,
        );
        assert_eq!(sent["opt"], "10 5 5060");
        assert_eq!(sent["value"], "sip.example.com");
        let apex = body(
            "example.com",
            "TXT",
            "example.com.",
            "say \"hi\"",
            None,
            Some(600),
        );
        assert_eq!(
            (apex["host"].as_str(), apex["value"].as_str()),
            (Some(""), Some("say \"hi\""))
        );
        assert_eq!(apex["ttl"], 600);
        assert_eq!(parse_id("example.com/7"), Some(("example.com".into(), 7)));
        assert_eq!(parse_id("example.com/MX/@/x"), None);
    }
}
