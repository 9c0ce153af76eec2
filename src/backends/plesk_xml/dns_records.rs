//! DNS records of a subscription's or addon domain's zone through the `dns` operator:
//! `add_rec` (site-id, type, host, value, opt), `get_rec` filtered by `site-id` (the
//! zone) or `id` (one record), `del_rec` by `id` (schema outline `dnsRecord`,
//! `dnsSelectionFilterType`). A record's id is `ZONE/ID` (ID: Plesk's record id), as on
//! Plesk REST, and the provider remembers the record's content and checks it before
//! every change or delete, as on every panel.
//!
//! What the XML API lacks, and what the provider does about it:
//! - **No TTL**: neither `add_rec` nor `get_rec` carries one, so the capability
//!   `dns_record_ttl` is false (a configured `ttl` is refused at plan time) and records
//!   are read without one.
//! - **No record update**: the operator has no `set` for records. A change of name,
//!   value or priority adds the new record first and deletes the old one after the add
//!   is confirmed, so the name never goes without a record: at every moment the zone
//!   holds the old record, the new one, or both. Deleting first and adding second
//!   (which is what a Terraform replacement does by default) would leave the name
//!   without a record when the add fails (a refused value, a lost connection), and a
//!   failed update keeps the prior state, which would then name a record that no
//!   longer exists. When the delete of the old record fails, the new one is deleted
//!   again, so a failed update changes nothing; only when that clean-up fails too are
//!   both in the zone, and the error says which record to remove. The record's id
//!   changes with such an update (capability `dns_record_update_keeps_id` is false, so
//!   the plan shows the id as known after apply).
//!
//! Requests: a refresh of any number of records costs the shared subscription and site
//! list (one packet) and one `get_rec` per zone, shared by every record of the zone;
//! writes drop that zone's listing.
//!
//! What the references say, and what is assumed (written down as assumptions):
//! - `host` is reported fully qualified with a trailing dot, and so are host names in
//!   CNAME/NS/MX/SRV values (assumed, as on Plesk REST); both are made relative /
//!   undotted on read; the apex is sent as an empty `host` (the official client's
//!   `DnsTest`);
//! - MX priority travels in `opt` (the official client's `DnsTest`); SRV `opt` is
//!   `PRIORITY WEIGHT PORT` and `value` the target (assumed, as on Plesk REST);
//! - TXT values are sent and read as they are (no reference shows Plesk adding or
//!   removing quotes); the XML answer's text is read trimmed, so leading and trailing
//!   spaces of a value do not survive;
//! - a subdomain's records live in its parent's zone (assumed, as the simulator does):
//!   a subdomain named as `zone` is refused, naming the zone to use;
//! - which field an `add_rec` refusal is about is read from its errtext (`host` ->
//!   `name`, `opt` -> `priority`, `type`, otherwise `value`; assumed).

use std::sync::Arc;

use crate::panel::dns_record::{
    has_priority, key_of_content, normal_name, normal_zone, value_problem,
};
use crate::panel::{
    DnsRecord, DnsRecordKey, DnsRecordPatch, DnsRecordSpec, DomainKind, ListFilter, Locator,
    PanelError, PanelErrorKind, PanelResult, Service,
};

use super::wire::{self, DnsRecordData};
use super::{domains, records, Place, PleskXmlBackend, Touches};

/// DNS records are in none of the backend's whole-panel lists.
const NOTHING: Touches = Touches {
    customers: false,
    domains: false,
    databases: false,
};

/// Plesk's MX priority when none is given (assumed, as on Plesk REST).
const DEFAULT_PRIORITY: u32 = 10;

fn undotted(value: &str) -> String {
    let value = value.trim();
    if value == "." {
        value.to_owned()
    } else {
        value.trim_end_matches('.').to_owned()
    }
}

/// A `get_rec` record of `zone` in the provider's terms.
pub(crate) fn record_from_data(zone: &str, data: &DnsRecordData) -> DnsRecord {
    let rtype = data.rtype.trim().to_ascii_uppercase();
    let (value, priority) = match rtype.as_str() {
        "MX" => (undotted(&data.value), data.opt.trim().parse().ok()),
        "SRV" => match data.opt.split_whitespace().collect::<Vec<_>>().as_slice() {
            [priority, weight, port] => (
                format!("{weight} {port} {}", undotted(&data.value)),
                priority.parse().ok(),
            ),
            _ => (undotted(&data.value), None),
        },
        "CNAME" | "NS" => (undotted(&data.value), None),
        _ => (data.value.clone(), None),
    };
    DnsRecord {
        id: format!("{zone}/{}", data.id),
        owner: String::new(),
        zone: zone.to_owned(),
        name: normal_name(&data.host, zone),
        priority: priority.filter(|_| has_priority(&rtype)),
        rtype,
        value,
        ttl: None,
    }
}

/// `(host, value, opt)` as `add_rec` takes them: the host relative (empty for the
/// apex), MX/SRV priority in `opt`.
fn add_fields(
    zone: &str,
    rtype: &str,
    name: &str,
    value: &str,
    priority: Option<u32>,
) -> (String, String, String) {
    let name = normal_name(name, zone);
    let host = if name == "@" { String::new() } else { name };
    let priority = priority.unwrap_or(DEFAULT_PRIORITY);
    match rtype {
        "MX" => (host, value.trim().to_owned(), priority.to_string()),
        "SRV" => match value.split_whitespace().collect::<Vec<_>>().as_slice() {
            [weight, port, target] => (
                host,
                (*target).to_owned(),
                format!("{priority} {weight} {port}"),
            ),
            _ => (host, value.to_owned(), String::new()),
        },
        _ => (host, value.to_owned(), String::new()),
    }
}

/// `ZONE/ID` into its parts.
fn parse_id(id: &str) -> Option<(String, String)> {
    let (zone, number) = id.trim().rsplit_once('/')?;
    if zone.is_empty() || zone.contains('/') || !super::is_numeric_id(number) {
        return None;
    }
    Some((normal_zone(zone), number.to_owned()))
}

fn number_of(record: &DnsRecord) -> u64 {
    parse_id(&record.id)
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(u64::MAX)
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
    match key {
        None => at_id.cloned(),
        Some(key) => match at_id {
            Some(record) if key.content_matches(record) => Some(record.clone()),
            _ => records
                .iter()
                .filter(|r| key.content_matches(r))
                .min_by_key(|r| number_of(r))
                .cloned(),
        },
    }
}

/// An `add_rec` refusal on the attribute its errtext names.
fn on_field(error: PanelError) -> PanelError {
    if !matches!(error.kind, PanelErrorKind::InvalidInput { .. }) {
        return error;
    }
    let text = error
        .panel_message
        .clone()
        .unwrap_or_else(|| error.message.clone())
        .to_ascii_lowercase();
    let field = if text.starts_with("host") || text.contains("host name") {
        "name"
    } else if text.starts_with("opt") || text.contains("priority") {
        "priority"
    } else if text.starts_with("type") {
        "type"
    } else {
        "value"
    };
    let mut error = error;
    error.kind = PanelErrorKind::InvalidInput {
        field: Some(field.to_owned()),
    };
    error
}

fn ttl_unsupported() -> PanelError {
    PanelError::new(
        PanelErrorKind::InvalidInput {
            field: Some("ttl".to_owned()),
        },
        "the Plesk XML API has no TTL for a DNS record (dns add_rec takes site-id, type, \
         host, value and opt): remove `ttl`",
    )
    .nothing_done()
}

impl PleskXmlBackend {
    /// The Plesk site id of the zone named `zone`: a subscription's or an addon
    /// domain's. A subdomain, whose records live in its parent's zone, and a name no
    /// subscription or site has, are refused on `zone`.
    async fn zone_site(&self, zone: &str) -> PanelResult<String> {
        let table = self.site_table().await?;
        let place = table.by_name.get(zone).copied().or_else(|| {
            table
                .by_name
                .iter()
                .find(|(name, _)| normal_zone(name) == zone)
                .map(|(_, place)| *place)
        });
        let missing = || {
            PanelError::invalid(
                Some("zone"),
                format!(
                    "the DNS zone {zone:?} does not exist on Plesk (a subscription or site of \
                     that name has it)"
                ),
            )
        };
        match place.ok_or_else(missing)? {
            Place::Webspace(i) => Ok(table.webspaces[i].id.clone()),
            Place::Site(i) => {
                let site = &table.sites[i];
                let family = table.family_of(&site.id).ok_or_else(missing)?;
                match domains::site_kind(site, &family) {
                    (DomainKind::Subdomain, parent) => Err(PanelError::invalid(
                        Some("zone"),
                        format!(
                            "{zone} is a subdomain on Plesk, and its records live in the zone \
                             of {parent}: set zone = \"{parent}\" and name the record \
                             relative to it"
                        ),
                    )),
                    _ => Ok(site.id.clone()),
                }
            }
        }
    }

    /// A zone's records from one shared `get_rec` by site-id; a zone that does not
    /// exist has none.
    async fn zone_records(&self, zone: &str) -> PanelResult<Arc<Vec<DnsRecord>>> {
        self.dns_records
            .get_or_load(zone, || self.load_zone(zone))
            .await
    }

    async fn load_zone(&self, zone: &str) -> PanelResult<Vec<DnsRecord>> {
        let site = match self.zone_site(zone).await {
            Ok(site) => site,
            Err(e) if matches!(e.kind, PanelErrorKind::InvalidInput { .. }) => {
                return Ok(Vec::new())
            }
            Err(e) => return Err(e),
        };
        let packet = self
            .read(&wire::dns_get_rec_of_sites(std::slice::from_ref(&site)))
            .await?;
        let listed = records(&packet, "dns", "get_rec", wire::dns_record_data)?;
        Ok(listed
            .iter()
            // A record of another zone (a site whose records live elsewhere) is not
            // this zone's.
            .filter(|data| data.site_id.is_empty() || data.site_id == site)
            .map(|data| record_from_data(zone, data))
            .collect())
    }

    /// One record by Plesk id, `None` when there is none.
    async fn record_by_id(&self, zone: &str, number: &str) -> PanelResult<Option<DnsRecord>> {
        let packet = self.read(&wire::dns_get_rec(number)).await?;
        let found = records(&packet, "dns", "get_rec", wire::dns_record_data)?;
        Ok(found
            .iter()
            .find(|data| data.id == number)
            .map(|data| record_from_data(zone, data)))
    }

    /// `add_rec` and the record it made, read back by id.
    async fn add_record(
        &self,
        site: &str,
        zone: &str,
        rtype: &str,
        name: &str,
        value: &str,
        priority: Option<u32>,
    ) -> PanelResult<DnsRecord> {
        let (host, value, opt) = add_fields(zone, rtype, name, value, priority);
        let body = wire::dns_add_rec(site, rtype, &host, &value, &opt);
        let outcome = self.write(&body, &[], NOTHING).await;
        self.dns_records.invalidate(zone);
        let packet = outcome?;
        let result = wire::single_result(&packet, "dns", "add_rec").map_err(on_field)?;
        let number = wire::result_id(result, "dns add_rec").map_err(PanelError::maybe_done)?;
        match self.record_by_id(zone, &number).await {
            Ok(Some(record)) => Ok(record),
            Ok(None) => Err(PanelError::protocol(format!(
                "dns add_rec answered id {number}, but dns get_rec finds no such record"
            ))
            .maybe_done()),
            Err(e) => Err(e.maybe_done()),
        }
    }

    /// `del_rec` by Plesk id; a record already gone is deleted.
    async fn delete_record(&self, zone: &str, number: &str) -> PanelResult<()> {
        let outcome = self.write(&wire::dns_del_rec(number), &[], NOTHING).await;
        self.dns_records.invalidate(zone);
        match outcome.and_then(|packet| wire::single_result(&packet, "dns", "del_rec").map(drop)) {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    /// After an add whose answer was lost: the record holding `key`'s content that the
    /// zone did not have before (`before` are the ids it had), if the add made it.
    async fn added_after_all(
        &self,
        zone: &str,
        key: &DnsRecordKey,
        before: &[String],
    ) -> Option<DnsRecord> {
        let records = self.load_zone(zone).await.ok()?;
        records
            .into_iter()
            .filter(|r| !before.contains(&r.id) && key.content_matches(r))
            .min_by_key(number_of)
    }
}

#[async_trait::async_trait]
impl Service<DnsRecord> for PleskXmlBackend {
    async fn create(&self, spec: &DnsRecordSpec) -> PanelResult<DnsRecord> {
        let rtype = spec.rtype.to_ascii_uppercase();
        if let Some(problem) = value_problem(&rtype, &spec.value) {
            return Err(PanelError::invalid(Some("value"), problem));
        }
        if spec.ttl.is_some() {
            return Err(ttl_unsupported());
        }
        let zone = normal_zone(&spec.zone);
        let site = self.zone_site(&zone).await?;
        self.add_record(
            &site,
            &zone,
            &rtype,
            &spec.name,
            &spec.value,
            spec.priority.filter(|_| has_priority(&rtype)),
        )
        .await
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
        let found: Vec<DnsRecord> = self
            .record_by_id(&zone, &number)
            .await?
            .into_iter()
            .collect();
        match locate(&found, at) {
            Some(record) => Ok(Some(record)),
            // Not at its id any more: look for the content in the zone.
            None => Ok(locate(&self.load_zone(&zone).await?, at)),
        }
    }

    async fn find(&self, key: &DnsRecordKey) -> PanelResult<Option<DnsRecord>> {
        Ok(self
            .zone_records(&normal_zone(&key.zone))
            .await?
            .iter()
            .filter(|record| key.matches(record))
            .min_by_key(|r| number_of(r))
            .cloned())
    }

    /// Every zone of the listed domains (the owner's, or every domain), one `get_rec`
    /// per zone; subdomains have no zone of their own.
    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<DnsRecord>> {
        let domains = Service::<crate::panel::Domain>::list(self, filter).await?;
        let mut out: Vec<DnsRecord> = Vec::new();
        for domain in domains {
            if domain.kind == DomainKind::Subdomain {
                continue;
            }
            let zone = normal_zone(domain.name.as_str());
            out.extend(self.zone_records(&zone).await?.iter().cloned());
        }
        Ok(out)
    }

    /// Adds the changed record, then deletes the old one (see the module docs).
    async fn update(&self, at: &Locator, patch: &DnsRecordPatch) -> PanelResult<DnsRecord> {
        let (zone, _) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let missing =
            || PanelError::not_found(format!("plesk DNS record {} does not exist", at.id));
        let listing = self.load_zone(&zone).await?;
        let current = locate(&listing, at).ok_or_else(missing)?;
        if patch.ttl.is_some_and(|ttl| Some(ttl) != current.ttl) {
            return Err(ttl_unsupported());
        }
        let name = patch
            .name
            .as_deref()
            .map(|n| normal_name(n, &zone))
            .unwrap_or_else(|| current.name.clone());
        let value = patch.value.clone().unwrap_or_else(|| current.value.clone());
        let priority = patch
            .priority
            .or(current.priority)
            .filter(|_| has_priority(&current.rtype));
        let key = DnsRecordKey {
            owner: String::new(),
            zone: zone.clone(),
            rtype: current.rtype.clone(),
            name: name.clone(),
            value: value.clone(),
            priority,
        };
        if key.content_matches(&current) && priority == current.priority {
            return Ok(current);
        }
        if let Some(problem) = value_problem(&current.rtype, &value) {
            return Err(PanelError::invalid(Some("value"), problem));
        }
        if let Some(other) = listing
            .iter()
            .find(|r| r.id != current.id && key.content_matches(r))
        {
            return Err(PanelError::already_exists(format!(
                "plesk DNS zone {zone} already has a record {} {} with that value ({}); \
                 nothing was changed. Import that record or remove it at the panel",
                other.rtype, other.name, other.id
            ))
            .nothing_done());
        }
        let site = self.zone_site(&zone).await?;
        // 1. The new record; the old one stays until it exists.
        let before: Vec<String> = listing.iter().map(|r| r.id.clone()).collect();
        let added = match self
            .add_record(&site, &zone, &current.rtype, &name, &value, priority)
            .await
        {
            Ok(record) => record,
            Err(e) if !e.may_have_taken_effect() => return Err(e),
            Err(e) => match self.added_after_all(&zone, &key, &before).await {
                Some(record) => record,
                None => {
                    let mut e = e;
                    e.message = format!(
                        "{}; the changed record was not found in the zone afterwards, and \
                         the old record {} is unchanged",
                        e.message, current.id
                    );
                    return Err(e);
                }
            },
        };
        // 2. The old record.
        let (_, old_number) = parse_id(&current.id).ok_or_else(|| malformed(&current.id))?;
        let deleted = self.delete_record(&zone, &old_number).await;
        let Err(error) = deleted else {
            return Ok(added);
        };
        if error.may_have_taken_effect() {
            if let Ok(records) = self.load_zone(&zone).await {
                if !records.iter().any(|r| r.id == current.id) {
                    return Ok(added);
                }
            }
        }
        // The old record is still there: take the new one away again.
        let (_, new_number) = parse_id(&added.id).ok_or_else(|| malformed(&added.id))?;
        let mut error = error;
        match self.delete_record(&zone, &new_number).await {
            Ok(()) => {
                error.message = format!(
                    "{}; deleting the old record {} failed, so the changed record {} was \
                     deleted again and nothing was changed",
                    error.message, current.id, added.id
                );
            }
            Err(cleanup) => {
                error.message = format!(
                    "{}; deleting the old record {} failed, and deleting the changed record \
                     {} again failed too ({}): both are in the zone now, Terraform keeps the \
                     old one; remove {} at the panel",
                    error.message, current.id, added.id, cleanup.message, added.id
                );
            }
        }
        Err(error)
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (zone, _) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let Some(current) = locate(&self.load_zone(&zone).await?, at) else {
            return Ok(());
        };
        let (_, number) = parse_id(&current.id).ok_or_else(|| malformed(&current.id))?;
        self.delete_record(&zone, &number).await
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
        Ok(self
            .load_zone(&key.zone)
            .await?
            .into_iter()
            .filter(|r| key.matches(r))
            .min_by_key(number_of))
    }

    fn import_id(&self, object: &DnsRecord) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "ZONE/ID (e.g. example.com/42: the record id of dns get_rec by site-id) or \
         ZONE/TYPE/NAME/VALUE (e.g. example.com/MX/@/mail.example.com)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(rtype: &str, host: &str, value: &str, opt: &str) -> DnsRecordData {
        DnsRecordData {
            id: "7".into(),
            site_id: "3".into(),
            rtype: rtype.into(),
            host: host.into(),
            value: value.into(),
            opt: opt.into(),
        }
    }

    #[test]
    fn records_map_to_relative_names_and_priorities_without_ttl() {
        let mx = record_from_data(
            "example.com",
            &data("MX", "example.com.", "mail.example.com.", "20"),
        );
        assert_eq!(
            (
                mx.id.as_str(),
                mx.name.as_str(),
                mx.value.as_str(),
                mx.priority,
                mx.ttl
            ),
            ("example.com/7", "@", "mail.example.com", Some(20), None)
        );
        let srv = record_from_data(
            "example.com",
            &data(
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
        let txt = record_from_data("example.com", &data("TXT", "example.com.", "a \"b\"", ""));
        assert_eq!((txt.value.as_str(), txt.priority), ("a \"b\"", None));
        assert_eq!(
            add_fields(
                "example.com",
                "SRV",
                "_sip._tcp",
                "5 5060 sip.example.com",
                Some(10)
            ),
            (
                "_sip._tcp".to_owned(),
                "sip.example.com".to_owned(),
                "10 5 5060".to_owned()
            )
        );
        assert_eq!(
            add_fields("example.com", "TXT", "example.com.", "x", None),
            (String::new(), "x".to_owned(), String::new())
        );
        assert_eq!(
            add_fields("example.com", "MX", "@", "mx.example.com", None).2,
            "10"
        );
        assert_eq!(
            parse_id("Example.com/7"),
            Some(("example.com".into(), "7".into()))
        );
        assert_eq!(parse_id("example.com/MX/@/x"), None);
        assert_eq!(parse_id("example.com/x7"), None);
    }

    #[test]
    fn refusals_land_on_the_attribute_the_errtext_names() {
        let refusal = |text: &str| {
            on_field(super::super::error::result_error(
                "dns add_rec",
                Some(1019),
                text,
            ))
            .kind
        };
        let field = |f: &str| PanelErrorKind::InvalidInput {
            field: Some(f.to_owned()),
        };
        assert_eq!(
            refusal("host: A CNAME record cannot be added for the domain itself."),
            field("name")
        );
        assert_eq!(
            refusal("opt: The MX priority must be a number from 0 to 65535."),
            field("priority")
        );
        assert_eq!(
            refusal("value: '::1' is not an IPv4 address."),
            field("value")
        );
        let exists = on_field(super::super::error::result_error(
            "dns add_rec",
            Some(1007),
            "DNS record 'x' already exists.",
        ));
        assert_eq!(exists.kind, PanelErrorKind::AlreadyExists);
    }
}
