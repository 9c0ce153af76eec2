//! HestiaCP DNS records: `v-add-dns-record`, `v-change-dns-record`,
//! `v-delete-dns-record`, `v-list-dns-records USER DOMAIN json`. A record's id is
//! `USER/ZONE/ID`.
//!
//! What the recorded answers show, and what follows from it:
//! - the panel numbers a zone's records highest + 1 and answers nothing on add
//!   (records 111-128), so the new record is the highest-numbered one with the spec's
//!   content;
//! - deleting a record does not renumber the others (records 150, 151), but the
//!   highest number is handed out again after its record is deleted (154-156): an id
//!   alone may name another record later. Every read, change and delete therefore
//!   checks the record at the id still holds the content state remembers
//!   ([`Locator::content`]), finds it again by content otherwise, and never changes or
//!   deletes a record holding anything else;
//! - TXT values: the panel removes every double quote and wraps a value holding a
//!   space or `;` in one pair of quotes (records 115-118, 147; long values are one
//!   quoted string, not split, record 115). The pair is removed on read
//!   ([`unquote_txt`]); values with `"` (removed) or `\` (not escaped in the JSON
//!   listing) are refused at plan time, so what is read back is what was written;
//! - host-name values (CNAME, MX, NS, SRV) get a trailing dot (records 113, 114,
//!   123), removed on read; names are stored lower case (record 126);
//! - SRV: the value is `WEIGHT PORT TARGET` with the priority apart; a three-field
//!   value with a non-zero weight was refused by the real panel (record 119) while a
//!   four-field `PRIORITY WEIGHT PORT TARGET` was taken (record 120), so SRV values
//!   are sent with the priority in front (HestiaCP's default priority, 10, when none
//!   is configured).
//!
//! Ids do not shift when another record is deleted, and the content is checked before
//! every change. A per-zone lock is still held from a create's add to finding its
//! record (two identical records created at once would otherwise both take the
//! highest-numbered one), and from a change's or delete's check to the panel's answer
//! (a create in between could be handed the number just checked).

use crate::panel::dns_record::{
    has_priority, key_of_content, normal_name, normal_zone, same_name, same_value, unquote_txt,
    value_problem,
};
use crate::panel::{
    DnsRecord, DnsRecordKey, DnsRecordPatch, DnsRecordSpec, ListFilter, Locator, PanelError,
    PanelErrorKind, PanelObject, PanelResult, Service,
};

use super::wire::{self, DnsRecordEntry};
use super::{missing_owner_is_input_error, HestiaBackend, Touches};

/// HestiaCP's priority when an MX or SRV record is added without one.
const DEFAULT_PRIORITY: u32 = 10;

/// Characters HestiaCP removes from a TXT value or cannot list back.
pub(crate) const TXT_REFUSED: &[char] = &['"', '\\'];

fn number(text: &str) -> Option<u32> {
    text.trim().parse().ok()
}

pub(crate) fn record_from_entry(
    owner: &str,
    zone: &str,
    key: &str,
    entry: &DnsRecordEntry,
) -> DnsRecord {
    let rtype = entry.rtype.trim().to_ascii_uppercase();
    let id = if entry.id.trim().is_empty() {
        key
    } else {
        entry.id.trim()
    };
    let value = match rtype.as_str() {
        "TXT" => unquote_txt(&entry.value).to_owned(),
        "CNAME" | "MX" | "NS" | "SRV" if entry.value.trim() != "." => {
            entry.value.trim().trim_end_matches('.').to_owned()
        }
        _ => entry.value.clone(),
    };
    DnsRecord {
        id: format!("{owner}/{zone}/{id}"),
        owner: owner.to_owned(),
        zone: zone.to_owned(),
        name: normal_name(&entry.record, zone),
        priority: number(&entry.priority).filter(|_| has_priority(&rtype)),
        rtype,
        value,
        ttl: number(&entry.ttl),
    }
}

/// `USER/ZONE/ID` into its parts (the id a number).
fn parse_id(id: &str) -> Option<(&str, &str, &str)> {
    let mut parts = id.trim().splitn(3, '/');
    let owner = parts.next()?;
    let zone = parts.next()?;
    let number = parts.next()?;
    let numeric = !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit());
    (!owner.is_empty() && !zone.is_empty() && numeric).then_some((owner, zone, number))
}

fn record_number(record: &DnsRecord) -> u64 {
    parse_id(&record.id)
        .and_then(|(_, _, n)| n.parse().ok())
        .unwrap_or(0)
}

fn malformed(id: &str) -> PanelError {
    PanelError::invalid(
        Some("id"),
        format!(
            "hestia DNS record ids look like USER/ZONE/ID (e.g. bob/example.com/22) or \
             USER/ZONE/TYPE/NAME/VALUE, got {id:?}"
        ),
    )
}

/// The record `at` names among `records`: the one at its id when that still holds the
/// remembered content, else the lowest-numbered one holding that content.
fn locate(records: &[DnsRecord], at: &Locator) -> Option<DnsRecord> {
    let (owner, zone, _) = parse_id(&at.id)?;
    let key = at
        .content
        .as_deref()
        .and_then(|content| key_of_content(owner, zone, content));
    let at_id = records.iter().find(|r| r.id == at.id);
    match key {
        None => at_id.cloned(),
        Some(key) => match at_id {
            Some(record) if key.content_matches(record) => Some(record.clone()),
            _ => records
                .iter()
                .filter(|r| key.content_matches(r))
                .min_by_key(|r| record_number(r))
                .cloned(),
        },
    }
}

/// The checks HestiaCP would make after the request, made before it.
fn check_spec(spec: &DnsRecordSpec) -> PanelResult<()> {
    if spec.owner.trim().is_empty() {
        return Err(PanelError::invalid(
            Some("owner"),
            "HestiaCP zones belong to a user: set `owner` to the panel_user whose DNS domain \
             the zone is",
        ));
    }
    check_value(&spec.rtype, &spec.value)
}

fn check_value(rtype: &str, value: &str) -> PanelResult<()> {
    if let Some(problem) = value_problem(rtype, value) {
        return Err(PanelError::invalid(Some("value"), problem));
    }
    if rtype == "TXT" && value.contains(TXT_REFUSED) {
        return Err(PanelError::invalid(
            Some("value"),
            "HestiaCP removes double quotes from a TXT value and cannot list a backslash back",
        ));
    }
    Ok(())
}

/// The value as sent: SRV with its priority in front (see the module documentation).
fn wire_value(rtype: &str, value: &str, priority: Option<u32>) -> String {
    if rtype == "SRV" {
        format!("{} {}", priority.unwrap_or(DEFAULT_PRIORITY), value.trim())
    } else {
        value.to_owned()
    }
}

/// A missing zone is a bad `zone`, a missing user a bad `owner`.
fn missing_zone_or_owner(error: PanelError, owner: &str, zone: &str) -> PanelError {
    if error.kind == PanelErrorKind::NotFound && error.message.contains("dns domain") {
        let mut error = error;
        error.kind = PanelErrorKind::InvalidInput {
            field: Some("zone".to_owned()),
        };
        error.message = format!(
            "the DNS zone {zone:?} does not exist for the HestiaCP user {owner:?}: add it first \
             (`v-add-dns-domain {owner} {zone} IP`, or a web domain with DNS support); {}",
            error.message
        );
        return error;
    }
    missing_owner_is_input_error(error)
}

fn cache_key(owner: &str, zone: &str) -> String {
    format!("{owner}/{zone}")
}

/// One lock per zone (`OWNER/ZONE`), see the module documentation.
#[derive(Debug, Default)]
pub(crate) struct ZoneLocks {
    locks:
        std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
}

impl ZoneLocks {
    async fn lock(&self, key: &str) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            // Entries are only inserted, so a poisoned map holds nothing torn.
            let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            locks.entry(key.to_owned()).or_default().clone()
        };
        lock.lock_owned().await
    }
}

impl HestiaBackend {
    /// A zone's records, from one shared `v-list-dns-records`; a zone that does not
    /// exist has none.
    async fn zone_records(
        &self,
        owner: &str,
        zone: &str,
    ) -> PanelResult<std::sync::Arc<Vec<DnsRecord>>> {
        self.dns_records
            .get_or_load(&cache_key(owner, zone), || self.load_zone(owner, zone))
            .await
    }

    /// A zone's records, fresh from the panel.
    async fn load_zone(&self, owner: &str, zone: &str) -> PanelResult<Vec<DnsRecord>> {
        let command = wire::list_dns_records(owner, zone);
        let Some(body) = self.read_optional(&command).await? else {
            return Ok(Vec::new());
        };
        Ok(wire::parse_keyed::<DnsRecordEntry>(command.name, &body)?
            .into_iter()
            .map(|(key, entry)| record_from_entry(owner, zone, &key, &entry))
            .collect())
    }

    /// Every record of every zone of `owner` (`v-list-dns-domains`, then each zone).
    async fn owner_records(&self, owner: String) -> PanelResult<Vec<DnsRecord>> {
        let command = wire::list_dns_domains(&owner);
        let Some(body) = self.read_optional(&command).await? else {
            return Ok(Vec::new());
        };
        let zones = wire::parse_keyed::<serde::de::IgnoredAny>(command.name, &body)?;
        let mut records = Vec::new();
        for (zone, _) in zones {
            records.extend(self.zone_records(&owner, &zone).await?.iter().cloned());
        }
        Ok(records)
    }
}

#[async_trait::async_trait]
impl Service<DnsRecord> for HestiaBackend {
    async fn create(&self, spec: &DnsRecordSpec) -> PanelResult<DnsRecord> {
        check_spec(spec)?;
        let owner = spec.owner.as_str();
        let zone = normal_zone(&spec.zone);
        let rtype = spec.rtype.to_ascii_uppercase();
        let priority = spec.priority.filter(|_| has_priority(&rtype));
        let command = wire::add_dns_record(
            owner,
            &zone,
            &normal_name(&spec.name, &zone),
            &rtype,
            &wire_value(&rtype, &spec.value, priority),
            priority,
            spec.ttl,
        );
        let key = cache_key(owner, &zone);
        let _zone = self.dns_zone_locks.lock(&key).await;
        self.write(&command, Touches::DnsRecords(owner, &key))
            .await
            .map_err(|e| missing_zone_or_owner(e, owner, &zone))?;
        let wanted = DnsRecord::spec_key(spec);
        let found = self
            .zone_records(owner, &zone)
            .await?
            .iter()
            .filter(|record| wanted.matches(record))
            .max_by_key(|record| record_number(record))
            .cloned();
        let Some(created) = found else {
            // Added, but not listed: the engine looks it up by content again.
            return Err(PanelError::protocol(format!(
                "v-add-dns-record succeeded, but zone {zone} of {owner} lists no {rtype} \
                 record {:?} with value {:?}",
                spec.name, spec.value
            ))
            .maybe_done());
        };
        self.fresh.remember(&created, owner);
        Ok(created)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<DnsRecord>> {
        let Some((owner, zone, _)) = parse_id(&at.id) else {
            return Ok(None);
        };
        Ok(locate(&self.zone_records(owner, zone).await?, at))
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<DnsRecord>> {
        if let Some(record) = self.fresh.take::<DnsRecord>(&at.id) {
            return Ok(Some(record));
        }
        let Some((owner, zone, _)) = parse_id(&at.id) else {
            return Ok(None);
        };
        Ok(locate(&self.load_zone(owner, zone).await?, at))
    }

    /// Among the zone's records (one shared list): the same content; the lowest-numbered
    /// when several are identical. Without an owner (a data-source lookup by content),
    /// the zone is looked for among every user's (a DNS domain name is the server's
    /// once), one listing per user.
    async fn find(&self, key: &DnsRecordKey) -> PanelResult<Option<DnsRecord>> {
        let zone = normal_zone(&key.zone);
        let owners = if key.owner.is_empty() {
            self.other_logins(None).await?
        } else {
            vec![key.owner.clone()]
        };
        for owner in owners {
            let found = self
                .zone_records(&owner, &zone)
                .await?
                .iter()
                .filter(|record| key.matches(record))
                .min_by_key(|record| record_number(record))
                .cloned();
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<DnsRecord>> {
        match &filter.owner {
            Some(owner) => self.owner_records(owner.clone()).await,
            None => {
                self.for_every_owner(|owner| self.owner_records(owner))
                    .await
            }
        }
    }

    /// `v-change-dns-record` rewrites name, type, value, priority (and the TTL when
    /// given) of the record found by id and content, keeping its id.
    async fn update(&self, at: &Locator, patch: &DnsRecordPatch) -> PanelResult<DnsRecord> {
        let (owner, zone, _) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let missing =
            || PanelError::not_found(format!("hestia DNS record {} does not exist", at.id));
        let _zone = self.dns_zone_locks.lock(&cache_key(owner, zone)).await;
        let current = locate(&self.load_zone(owner, zone).await?, at).ok_or_else(missing)?;
        let (_, _, number) = parse_id(&current.id).ok_or_else(|| malformed(&current.id))?;
        let name = patch.name.as_deref().unwrap_or(&current.name);
        let value = patch.value.as_deref().unwrap_or(&current.value);
        check_value(&current.rtype, value)?;
        let priority = patch
            .priority
            .or(current.priority)
            .filter(|_| has_priority(&current.rtype));
        let ttl = patch.ttl.or(current.ttl);
        if same_name(name, &current.name, zone)
            && same_value(&current.rtype, value, &current.value)
            && priority == current.priority
            && ttl == current.ttl
        {
            // Nothing to change (e.g. a name respelled in the configuration): HestiaCP
            // refuses a change without changes ("No pending changes", E_EXISTS).
            return Ok(current);
        }
        let change = wire::change_dns_record(
            owner,
            zone,
            number,
            &normal_name(name, zone),
            &current.rtype,
            &wire_value(&current.rtype, value, priority),
            priority,
            ttl,
        );
        let key = cache_key(owner, zone);
        self.write(&change, Touches::DnsRecords(owner, &key))
            .await
            .map_err(|e| missing_zone_or_owner(e, owner, zone))?;
        let id = current.id.clone();
        self.load_zone(owner, zone)
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(missing)
    }

    /// Deletes the record found by id and content; a record at the id holding other
    /// content is left alone (it is not this resource's), and nothing found is done.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (owner, zone, _) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let _zone = self.dns_zone_locks.lock(&cache_key(owner, zone)).await;
        let Some(current) = locate(&self.load_zone(owner, zone).await?, at) else {
            return Ok(());
        };
        let (_, _, number) = parse_id(&current.id).ok_or_else(|| malformed(&current.id))?;
        let key = cache_key(owner, zone);
        match self
            .write(
                &wire::delete_dns_record(owner, zone, number),
                Touches::DnsRecords(owner, &key),
            )
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    /// `USER/ZONE/ID`, or `USER/ZONE/TYPE/NAME/VALUE` (the value may hold `/`; the
    /// lowest-numbered record with that content).
    async fn import(&self, id: &str) -> PanelResult<Option<DnsRecord>> {
        if let Some((owner, zone, _)) = parse_id(id) {
            let zone = normal_zone(zone);
            let wanted = format!(
                "{owner}/{zone}/{}",
                id.trim().rsplit('/').next().unwrap_or("")
            );
            return Ok(self
                .load_zone(owner, &zone)
                .await?
                .into_iter()
                .find(|r| r.id == wanted));
        }
        let parts: Vec<&str> = id.trim().splitn(5, '/').collect();
        let [owner, zone, rtype, name, value] = parts.as_slice() else {
            return Err(malformed(id));
        };
        let key = DnsRecordKey {
            owner: (*owner).to_owned(),
            zone: normal_zone(zone),
            rtype: rtype.to_ascii_uppercase(),
            name: normal_name(name, zone),
            value: (*value).to_owned(),
            priority: None,
        };
        Ok(self
            .load_zone(owner, &key.zone)
            .await?
            .into_iter()
            .filter(|r| key.matches(r))
            .min_by_key(record_number))
    }

    fn import_id(&self, object: &DnsRecord) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER/ZONE/ID (e.g. bob/example.com/22: the ID `v-list-dns-records USER ZONE` shows) \
         or USER/ZONE/TYPE/NAME/VALUE (e.g. bob/example.com/MX/@/mail.example.com)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::hestia::error::parse_error;

    fn entry(record: &str, rtype: &str, value: &str, priority: &str, id: &str) -> DnsRecordEntry {
        DnsRecordEntry {
            record: record.into(),
            rtype: rtype.into(),
            priority: priority.into(),
            value: value.into(),
            id: id.into(),
            ttl: "14400".into(),
        }
    }

    #[test]
    fn ids_are_user_zone_and_number() {
        assert_eq!(
            parse_id("bob/example.com/22"),
            Some(("bob", "example.com", "22"))
        );
        for bad in [
            "bob",
            "bob/example.com",
            "bob/example.com/x",
            "/z/1",
            "b//1",
        ] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn listed_values_lose_the_quotes_and_dots_the_panel_added() {
        // Records 128 and 147: quotes removed and the value wrapped; host names dotted.
        let txt = record_from_entry(
            "capmore",
            "cap-dns.com",
            "27",
            &entry("quoted", "TXT", "\"say hello world\"", "", "27"),
        );
        assert_eq!(txt.value, "say hello world");
        assert_eq!(txt.id, "capmore/cap-dns.com/27");
        assert_eq!(txt.priority, None);
        let mx = record_from_entry(
            "capmore",
            "cap-dns.com",
            "25",
            &entry("@", "MX", "mx2.cap-dns.com.", "20", "25"),
        );
        assert_eq!(
            (mx.value.as_str(), mx.priority),
            ("mx2.cap-dns.com", Some(20))
        );
        let srv = record_from_entry(
            "capmore",
            "cap-dns.com",
            "30",
            &entry("_sip._tcp", "SRV", "5 5060 sip.cap-dns.com.", "10", "30"),
        );
        assert_eq!(srv.value, "5 5060 sip.cap-dns.com");
        assert_eq!(
            wire_value("SRV", "5 5060 sip.cap-dns.com", None),
            "10 5 5060 sip.cap-dns.com"
        );
        assert_eq!(
            wire_value("SRV", "5 5060 sip.cap-dns.com", Some(30)),
            "30 5 5060 sip.cap-dns.com"
        );
        let upper = record_from_entry(
            "capmore",
            "cap-dns.com",
            "9",
            &entry("UPPER", "a", "192.0.2.1", "", ""),
        );
        assert_eq!((upper.name.as_str(), upper.rtype.as_str()), ("upper", "A"));
    }

    #[test]
    fn a_reused_id_holding_other_content_is_not_ours() {
        let ours = record_from_entry(
            "bob",
            "z.com",
            "503",
            &entry("after", "A", "192.0.2.40", "", "503"),
        );
        let at = ours.locator();
        let reused = record_from_entry(
            "bob",
            "z.com",
            "503",
            &entry("reuse", "A", "192.0.2.41", "", "503"),
        );
        assert_eq!(locate(std::slice::from_ref(&reused), &at), None);
        let moved = DnsRecord {
            id: "bob/z.com/600".into(),
            ..ours.clone()
        };
        let found = locate(&[reused, moved], &at);
        assert_eq!(found.map(|r| r.id).as_deref(), Some("bob/z.com/600"));
    }

    #[test]
    fn refusals_name_the_attribute() {
        for (command, record, field) in [
            (
                "v-add-dns-record",
                "Error: invalid record format :: bad name",
                "name",
            ),
            (
                "v-add-dns-record",
                "Error: CNAME on root is not allowed",
                "name",
            ),
            (
                "v-add-dns-record",
                "Error: invalid dns record type format :: BOGUS",
                "type",
            ),
            (
                "v-add-dns-record",
                "Error: invalid ttl format :: abc",
                "ttl",
            ),
            (
                "v-add-dns-record",
                "Error: dns record validation failed :: not-an-ipv6",
                "value",
            ),
        ] {
            let error = parse_error(command, Some(2), record);
            assert_eq!(
                error.kind,
                PanelErrorKind::InvalidInput {
                    field: Some(field.into())
                },
                "{record}"
            );
        }
        let missing = parse_error(
            "v-add-dns-record",
            Some(3),
            "Error: dns domain nosuch-zone.com doesn't exist",
        );
        let error = missing_zone_or_owner(missing, "capmore", "nosuch-zone.com");
        assert_eq!(
            error.kind,
            PanelErrorKind::InvalidInput {
                field: Some("zone".into())
            }
        );
        assert!(
            error.message.contains("v-add-dns-domain"),
            "{}",
            error.message
        );
        assert!(check_value("TXT", "say \"hi\"").is_err());
        assert!(check_value("TXT", &"x y;".repeat(100)).is_ok());
    }
}
