//! PanelAlpha DNS records: the records of a zone of a hosting account
//! (`server-accounts/{id}/dns-zones` lists the account's zones;
//! `server-accounts/{id}/dns-zones/{name}/records[/{line}]` lists, creates, changes and
//! deletes records, user API; endpoints.json #280-285). A record is addressed by its
//! `{line}`, which changes when a record above it is deleted, so a record is identified
//! by its content, as cron jobs are: every read, change and delete checks the line still
//! holds the remembered content ([`Locator::content`]), finds the record again by
//! content when it moved, and never changes or deletes a line holding anything else.
//! Every change to one hosting account's zones holds that account's lock from finding
//! the line to the panel's answer (two parallel deletes would otherwise each address a
//! line found before the other's delete).
//!
//! Ids: `USER_ID/ACCOUNT_ID/ZONE/LINE`. `owner` is required: zones belong to a user's
//! hosting account (the zone's account is found among the owner's). A refresh reads one
//! record list per zone, shared by every record of the zone.
//!
//! What the references say, and what is assumed (written down as assumptions):
//! - the create/update body fields (`name`, `type`, `ttl`, `address`, `cname`,
//!   `nameserver`, `preference` + `exchange`, `priority` + `weight` + `port` + `target`,
//!   `txtdata`, `rdata`) are the seed's (endpoints.json #283, #285); CAA goes as `rdata`
//!   (`FLAGS TAG "VALUE"`, as the provider's value is written);
//! - a listed record is `{line, name, type, ttl, content, rdata}` with `line` and `ttl` as
//!   strings (the vendor's integration template); `content` is the value (TXT: the text
//!   itself, which is what is compared; MX `PREFERENCE EXCHANGE`, SRV
//!   `PRIORITY WEIGHT PORT TARGET`; assumed from zone-file RDATA); names and host names
//!   are fully qualified with a final dot (assumed) and made relative / undotted on read;
//! - an update keeps the record's line (assumed: a zone editor rewrites the line);
//! - SOA and other types the provider does not manage (DS, PTR) are left out of reads.

use std::sync::Arc;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::client::HttpRequest;
use super::error::FieldMap;
use super::{account_key, parse_number, PanelAlphaBackend, Source};
use crate::backends::rest::lenient_id;
use crate::panel::dns_record::{
    has_priority, key_of_content, normal_name, normal_zone, value_problem, RECORD_TYPES,
};
use crate::panel::{
    DnsRecord, DnsRecordKey, DnsRecordPatch, DnsRecordSpec, ListFilter, Locator, PanelError,
    PanelErrorKind, PanelObject, PanelResult, Service,
};

const DNS_FIELDS: FieldMap = &[
    // "A CNAME record cannot coexist with other records of the same name" is about the
    // name (the simulator's wording, assumed).
    ("same name", "name"),
    ("txtdata", "value"),
    ("address", "value"),
    ("cname", "value"),
    ("exchange", "value"),
    ("nameserver", "value"),
    ("target", "value"),
    ("weight", "value"),
    ("port", "value"),
    ("rdata", "value"),
    ("preference", "priority"),
    ("priority", "priority"),
    ("ttl", "ttl"),
    ("type", "type"),
    ("name", "name"),
];

/// The panel's MX/SRV priority when none is given (the provider sends one always).
const DEFAULT_PRIORITY: u32 = 10;

/// One item of `GET .../dns-zones`.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct ZoneItem {
    #[serde(default)]
    name: String,
}

/// One item of `GET .../dns-zones/{name}/records`.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct RecordItem {
    #[serde(default, deserialize_with = "lenient_id")]
    line: Option<i64>,
    #[serde(default)]
    name: String,
    #[serde(default, rename = "type")]
    rtype: String,
    #[serde(default, deserialize_with = "lenient_id")]
    ttl: Option<i64>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    rdata: Option<String>,
}

fn undotted(value: &str) -> String {
    let value = value.trim();
    if value == "." {
        value.to_owned()
    } else {
        value.trim_end_matches('.').to_owned()
    }
}

impl RecordItem {
    /// The record, or `None` for a type the provider does not manage (SOA, DS...).
    fn record(&self, user: i64, account: i64, zone: &str) -> Option<DnsRecord> {
        let rtype = self.rtype.trim().to_ascii_uppercase();
        if !RECORD_TYPES.contains(&rtype.as_str()) {
            return None;
        }
        let line = self.line?;
        let data = self
            .content
            .clone()
            .or_else(|| self.rdata.clone())
            .unwrap_or_default();
        let parts: Vec<&str> = data.split_whitespace().collect();
        let (value, priority) = match (rtype.as_str(), parts.as_slice()) {
            ("MX", [preference, exchange]) => (undotted(exchange), preference.parse().ok()),
            ("SRV", [priority, weight, port, target]) => (
                format!("{weight} {port} {}", undotted(target)),
                priority.parse().ok(),
            ),
            ("MX" | "SRV" | "CNAME" | "NS", _) => (undotted(&data), None),
            _ => (data, None),
        };
        Some(DnsRecord {
            id: format!("{user}/{account}/{zone}/{line}"),
            owner: user.to_string(),
            zone: zone.to_owned(),
            name: normal_name(&self.name, zone),
            priority: priority.filter(|_| has_priority(&rtype)),
            rtype,
            value,
            ttl: self.ttl.and_then(|t| u32::try_from(t).ok()),
        })
    }
}

/// The body of a create or an update: the type's own fields (CAA as `rdata`).
fn body(
    zone: &str,
    rtype: &str,
    name: &str,
    value: &str,
    priority: Option<u32>,
    ttl: Option<u32>,
) -> PanelResult<Value> {
    if let Some(problem) = value_problem(rtype, value) {
        return Err(PanelError::invalid(Some("value"), problem));
    }
    let name = normal_name(name, zone);
    let priority = priority.unwrap_or(DEFAULT_PRIORITY);
    let mut body = json!({"name": name, "type": rtype});
    match rtype {
        "A" | "AAAA" => body["address"] = json!(value.trim()),
        "CNAME" => body["cname"] = json!(value.trim()),
        "NS" => body["nameserver"] = json!(value.trim()),
        "MX" => {
            body["preference"] = json!(priority);
            body["exchange"] = json!(value.trim());
        }
        "SRV" => match value.split_whitespace().collect::<Vec<_>>().as_slice() {
            [weight, port, target] => {
                let number = |field: &str, text: &str| {
                    text.parse::<u32>().map_err(|_| {
                        PanelError::invalid(
                            Some("value"),
                            format!("the SRV {field} must be a number, got {text:?}"),
                        )
                    })
                };
                body["priority"] = json!(priority);
                body["weight"] = json!(number("weight", weight)?);
                body["port"] = json!(number("port", port)?);
                body["target"] = json!(target);
            }
            _ => {
                return Err(PanelError::invalid(
                    Some("value"),
                    "an SRV value is \"WEIGHT PORT TARGET\"",
                ))
            }
        },
        "TXT" => body["txtdata"] = json!(value),
        _ => body["rdata"] = json!(value),
    }
    if let Some(ttl) = ttl {
        body["ttl"] = json!(ttl);
    }
    Ok(body)
}

/// `USER_ID/ACCOUNT_ID/ZONE/LINE`.
fn parse_id(id: &str) -> Option<(i64, i64, String, i64)> {
    let parts: Vec<&str> = id.trim().split('/').collect();
    let [user, account, zone, line] = parts.as_slice() else {
        return None;
    };
    let number = |text: &str| text.parse::<i64>().ok().filter(|n| *n > 0);
    let zone = normal_zone(zone);
    if zone.is_empty() {
        return None;
    }
    Some((number(user)?, number(account)?, zone, number(line)?))
}

fn malformed(id: &str) -> PanelError {
    PanelError::invalid(
        Some("id"),
        format!(
            "panelalpha DNS record ids look like USER_ID/ACCOUNT_ID/ZONE/LINE (e.g. \
             3/7/example.com/12) or USER_ID/ZONE/TYPE/NAME/VALUE, got {id:?}"
        ),
    )
}

fn line_of(record: &DnsRecord) -> i64 {
    parse_id(&record.id).map_or(i64::MAX, |(_, _, _, line)| line)
}

/// The record `at` names in `records`: the one on its line when the line still holds
/// the remembered content, else the first line holding that content; without a
/// remembered content, whatever the line holds.
fn locate(records: &[DnsRecord], at: &Locator) -> Option<DnsRecord> {
    let (user, _, zone, _) = parse_id(&at.id)?;
    let key = at
        .content
        .as_deref()
        .and_then(|content| key_of_content(&user.to_string(), &zone, content));
    let on_line = records.iter().find(|r| r.id == at.id);
    match key {
        None => on_line.cloned(),
        Some(key) => match on_line {
            Some(record) if key.content_matches(record) => Some(record.clone()),
            _ => records
                .iter()
                .filter(|r| key.content_matches(r))
                .min_by_key(|r| line_of(r))
                .cloned(),
        },
    }
}

impl PanelAlphaBackend {
    /// A hosting account's zones (`None`: the account is gone).
    async fn dns_zones_of(&self, user: i64, account: i64) -> PanelResult<Vec<String>> {
        let zones: Arc<Option<Vec<ZoneItem>>> = self
            .dns_zones
            .get_or_load(&account_key(user, account), || {
                self.account_list(format!("server-accounts/{account}/dns-zones"), user)
            })
            .await?;
        Ok(zones
            .as_ref()
            .iter()
            .flatten()
            .map(|z| normal_zone(&z.name))
            .collect())
    }

    /// The owner's hosting account whose zones include `zone`.
    async fn zone_account(&self, user: i64, zone: &str, source: Source) -> PanelResult<i64> {
        let mut accounts: Vec<i64> = self
            .accounts_of(user, source)
            .await?
            .iter()
            .filter_map(|a| a.id)
            .collect();
        accounts.sort_unstable();
        for account in accounts {
            if self
                .dns_zones_of(user, account)
                .await?
                .iter()
                .any(|z| z == zone)
            {
                return Ok(account);
            }
        }
        Err(PanelError::invalid(
            Some("zone"),
            format!(
                "no hosting account of panelalpha user {user} has the DNS zone {zone:?} (a \
                 zone comes with a main, addon or alias domain of the account; a subdomain's \
                 records are in its parent's zone)"
            ),
        ))
    }

    /// One zone's records, shared by every read of the run until a write to it.
    async fn zone_records(
        &self,
        user: i64,
        account: i64,
        zone: &str,
    ) -> PanelResult<Vec<DnsRecord>> {
        let key = format!("{}/{zone}", account_key(user, account));
        let items: Arc<Option<Vec<RecordItem>>> = self
            .dns_records
            .get_or_load(&key, || {
                self.account_list(
                    format!("server-accounts/{account}/dns-zones/{zone}/records"),
                    user,
                )
            })
            .await?;
        Ok(items
            .as_ref()
            .iter()
            .flatten()
            .filter_map(|item| item.record(user, account, zone))
            .collect())
    }

    fn forget_zone(&self, user: i64, account: i64, zone: &str) {
        self.dns_records
            .invalidate(&format!("{}/{zone}", account_key(user, account)));
    }

    /// The zone's records as the panel lists them now.
    async fn zone_records_fresh(
        &self,
        user: i64,
        account: i64,
        zone: &str,
    ) -> PanelResult<Vec<DnsRecord>> {
        self.forget_zone(user, account, zone);
        self.zone_records(user, account, zone).await
    }

    /// The record a create or an update answered, else the first line holding `key`'s
    /// content in the zone's list of now.
    async fn answered_record(
        &self,
        answer: &Value,
        user: i64,
        account: i64,
        zone: &str,
        key: &DnsRecordKey,
    ) -> PanelResult<DnsRecord> {
        if let Ok(item) = serde_json::from_value::<RecordItem>(answer.clone()) {
            if let Some(record) = item.record(user, account, zone) {
                if key.content_matches(&record) {
                    return Ok(record);
                }
            }
        }
        self.zone_records_fresh(user, account, zone)
            .await?
            .into_iter()
            .filter(|r| key.content_matches(r))
            .min_by_key(line_of)
            .ok_or_else(|| {
                PanelError::protocol(format!(
                    "the panel accepted the DNS record, but zone {zone} of hosting account \
                     {account} lists no line holding it"
                ))
                .maybe_done()
            })
    }

    async fn dns_write(
        &self,
        request: HttpRequest,
        user: i64,
        account: i64,
        zone: &str,
    ) -> PanelResult<Value> {
        let outcome = self.write(request, Some(user), DNS_FIELDS, &[], &[]).await;
        self.forget_zone(user, account, zone);
        outcome
    }
}

/// A zone the panel does not have is a bad `zone`.
fn missing_zone(error: PanelError, zone: &str) -> PanelError {
    if error.kind == PanelErrorKind::NotFound {
        let mut error = error;
        error.kind = PanelErrorKind::InvalidInput {
            field: Some("zone".to_owned()),
        };
        error.message = format!("the DNS zone {zone:?} does not exist: {}", error.message);
        return error;
    }
    error
}

#[async_trait::async_trait]
impl Service<DnsRecord> for PanelAlphaBackend {
    async fn create(&self, spec: &DnsRecordSpec) -> PanelResult<DnsRecord> {
        let rtype = spec.rtype.to_ascii_uppercase();
        let zone = normal_zone(&spec.zone);
        let request_body = body(
            &zone,
            &rtype,
            &spec.name,
            &spec.value,
            spec.priority.filter(|_| has_priority(&rtype)),
            spec.ttl,
        )?;
        if spec.owner.trim().is_empty() {
            return Err(PanelError::invalid(
                Some("owner"),
                "on PanelAlpha a DNS zone belongs to a user's hosting account: set owner",
            ));
        }
        let user = parse_number("owner", &spec.owner)?;
        let account = self.zone_account(user, &zone, Source::Own).await?;
        let _zone_lock = self.dns_locks.lock(user, account).await;
        let request = HttpRequest::new(
            Method::POST,
            format!("server-accounts/{account}/dns-zones/{zone}/records"),
        )
        .json(request_body);
        let answer = self
            .dns_write(request, user, account, &zone)
            .await
            .map_err(|e| missing_zone(e, &zone))?;
        let key = DnsRecord::spec_key(spec);
        self.answered_record(&answer, user, account, &zone, &key)
            .await
            .map_err(PanelError::maybe_done)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<DnsRecord>> {
        let Some((user, account, zone, _)) = parse_id(&at.id) else {
            return Ok(None);
        };
        Ok(locate(&self.zone_records(user, account, &zone).await?, at))
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<DnsRecord>> {
        let Some((user, account, zone, _)) = parse_id(&at.id) else {
            return Ok(None);
        };
        Ok(locate(
            &self.zone_records_fresh(user, account, &zone).await?,
            at,
        ))
    }

    /// The first line holding the content in the zone of the owner's account (of any
    /// user's account when the key has no owner).
    async fn find(&self, key: &DnsRecordKey) -> PanelResult<Option<DnsRecord>> {
        let zone = normal_zone(&key.zone);
        let owners: Vec<(i64, i64)> = if key.owner.trim().is_empty() {
            self.listed_accounts(None).await?
        } else {
            let Ok(user) = key.owner.trim().parse::<i64>() else {
                return Ok(None);
            };
            self.listed_accounts(Some(&user.to_string())).await?
        };
        for (user, account) in owners {
            if !self.dns_zones_of(user, account).await?.contains(&zone) {
                continue;
            }
            let found = self
                .zone_records(user, account, &zone)
                .await?
                .into_iter()
                .filter(|r| key.matches(r))
                .min_by_key(line_of);
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<DnsRecord>> {
        let mut out = Vec::new();
        for (user, account) in self.listed_accounts(filter.owner.as_deref()).await? {
            for zone in self.dns_zones_of(user, account).await? {
                out.extend(self.zone_records(user, account, &zone).await?);
            }
        }
        Ok(out)
    }

    /// Rewrites the line that holds the record now (found again by content), never a
    /// line holding anything else.
    async fn update(&self, at: &Locator, patch: &DnsRecordPatch) -> PanelResult<DnsRecord> {
        let (user, account, zone, _) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let _zone_lock = self.dns_locks.lock(user, account).await;
        let current = locate(&self.zone_records_fresh(user, account, &zone).await?, at)
            .ok_or_else(|| {
                PanelError::not_found(format!(
                    "panelalpha DNS record {} is no longer in its zone",
                    at.id
                ))
            })?;
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
        let ttl = patch.ttl.or(current.ttl);
        let key = DnsRecordKey {
            owner: user.to_string(),
            zone: zone.clone(),
            rtype: current.rtype.clone(),
            name: name.clone(),
            value: value.clone(),
            priority,
        };
        if key.content_matches(&current) && priority == current.priority && ttl == current.ttl {
            return Ok(current);
        }
        let line = line_of(&current);
        let request = HttpRequest::new(
            Method::PUT,
            format!("server-accounts/{account}/dns-zones/{zone}/records/{line}"),
        )
        .json(body(&zone, &current.rtype, &name, &value, priority, ttl)?);
        let answer = self.dns_write(request, user, account, &zone).await?;
        self.answered_record(&answer, user, account, &zone, &key)
            .await
    }

    /// Deletes the line that holds the record now; a record no line holds is gone.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (user, account, zone, _) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let _zone_lock = self.dns_locks.lock(user, account).await;
        let Some(current) = locate(&self.zone_records_fresh(user, account, &zone).await?, at)
        else {
            return Ok(());
        };
        let line = line_of(&current);
        let request = HttpRequest::new(
            Method::DELETE,
            format!("server-accounts/{account}/dns-zones/{zone}/records/{line}"),
        );
        match self.dns_write(request, user, account, &zone).await {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(drop),
        }
    }

    /// `USER_ID/ACCOUNT_ID/ZONE/LINE`, or `USER_ID/ZONE/TYPE/NAME/VALUE` (the first line
    /// with that content; the value may hold `/`).
    async fn import(&self, id: &str) -> PanelResult<Option<DnsRecord>> {
        if let Some((user, account, zone, _)) = parse_id(id) {
            let wanted = format!(
                "{user}/{account}/{zone}/{}",
                id.rsplit('/').next().unwrap_or_default()
            );
            return Ok(self
                .zone_records_fresh(user, account, &zone)
                .await?
                .into_iter()
                .find(|r| r.id == wanted));
        }
        let parts: Vec<&str> = id.trim().splitn(5, '/').collect();
        let [user, zone, rtype, name, value] = parts.as_slice() else {
            return Err(malformed(id));
        };
        let user = user.parse::<i64>().map_err(|_| malformed(id))?;
        let key = DnsRecordKey {
            owner: user.to_string(),
            zone: normal_zone(zone),
            rtype: rtype.to_ascii_uppercase(),
            name: normal_name(name, zone),
            value: (*value).to_owned(),
            priority: None,
        };
        let account = match self.zone_account(user, &key.zone, Source::Own).await {
            Ok(account) => account,
            Err(e) if matches!(e.kind, PanelErrorKind::InvalidInput { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(self
            .zone_records_fresh(user, account, &key.zone)
            .await?
            .into_iter()
            .filter(|r| key.matches(r))
            .min_by_key(line_of))
    }

    fn import_id(&self, object: &DnsRecord) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER_ID/ACCOUNT_ID/ZONE/LINE (e.g. 3/7/example.com/12: the record's line in \
         GET server-accounts/{id}/dns-zones/{name}/records) or USER_ID/ZONE/TYPE/NAME/VALUE \
         (e.g. 3/example.com/MX/@/mail.example.com)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(line: i64, name: &str, rtype: &str, content: &str) -> RecordItem {
        RecordItem {
            line: Some(line),
            name: name.into(),
            rtype: rtype.into(),
            ttl: Some(14400),
            content: Some(content.into()),
            rdata: None,
        }
    }

    #[test]
    fn listed_records_map_to_relative_names_and_priorities() {
        let mx = item(6, "example.com.", "MX", "20 mx2.example.com.")
            .record(3, 7, "example.com")
            .unwrap();
        assert_eq!(
            (
                mx.id.as_str(),
                mx.name.as_str(),
                mx.value.as_str(),
                mx.priority,
                mx.ttl
            ),
            (
                "3/7/example.com/6",
                "@",
                "mx2.example.com",
                Some(20),
                Some(14400)
            )
        );
        let srv = item(
            7,
            "_sip._tcp.example.com.",
            "SRV",
            "10 5 5060 sip.example.com.",
        )
        .record(3, 7, "example.com")
        .unwrap();
        assert_eq!(
            (srv.value.as_str(), srv.priority),
            ("5 5060 sip.example.com", Some(10))
        );
        let txt = item(8, "x.example.com.", "TXT", "say \"hi\"; it's")
            .record(3, 7, "example.com")
            .unwrap();
        assert_eq!(txt.value, "say \"hi\"; it's");
        assert!(item(2, "example.com.", "SOA", "ns1. h. 1 2 3 4 5")
            .record(3, 7, "example.com")
            .is_none());
        assert_eq!(
            parse_id("3/7/Example.com/12"),
            Some((3, 7, "example.com".into(), 12))
        );
        assert_eq!(parse_id("3/example.com/A/www/192.0.2.1"), None);
        assert_eq!(parse_id("3/7/example.com/0"), None);
    }

    #[test]
    fn bodies_use_the_types_own_fields() {
        let srv = body(
            "example.com",
            "SRV",
            "_sip._tcp",
            "5 5060 sip.example.com",
            Some(10),
            None,
        )
        .unwrap();
        assert_eq!(
            (
                &srv["priority"],
                &srv["weight"],
                &srv["port"],
                &srv["target"]
            ),
            (
                &json!(10),
                &json!(5),
                &json!(5060),
                &json!("sip.example.com")
            )
        );
        let mx = body("example.com", "MX", "@", "mx.example.com", None, Some(600)).unwrap();
        assert_eq!(
            (&mx["name"], &mx["preference"], &mx["ttl"]),
            (&json!("@"), &json!(10), &json!(600))
        );
        let txt = body(
            "example.com",
            "TXT",
            "example.com.",
            " a \"b\" ",
            None,
            None,
        )
        .unwrap();
        assert_eq!(txt["txtdata"], " a \"b\" ");
        assert!(body("example.com", "A", "x", "::1", None, None).is_err());
    }

    #[test]
    fn a_line_holding_something_else_is_not_the_record() {
        let records: Vec<DnsRecord> = [
            item(3, "a.example.com.", "A", "192.0.2.1"),
            item(4, "b.example.com.", "A", "192.0.2.2"),
        ]
        .iter()
        .filter_map(|i| i.record(3, 7, "example.com"))
        .collect();
        // The record remembered on line 5 moved up to line 4.
        let moved = Locator::new("3/7/example.com/5").with_content(
            crate::panel::dns_record::content("A", "b", "example.com", "192.0.2.2", None),
        );
        assert_eq!(
            locate(&records, &moved).map(|r| r.id),
            Some("3/7/example.com/4".to_owned())
        );
        // Line 3 holds another record now: not ours.
        let gone = Locator::new("3/7/example.com/3").with_content(
            crate::panel::dns_record::content("A", "c", "example.com", "192.0.2.3", None),
        );
        assert_eq!(locate(&records, &gone), None);
    }
}
