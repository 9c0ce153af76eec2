//! DNS zones and records of a hosting account (`api/server-accounts/{id}/dns-zones...`).
//!
//! Sources:
//! - the seed (`endpoints.json` #280-286): the routes, the record fields of create/update
//!   (`name`, `type` required; `rdata`, `txtdata`, `target`, `weight`, `port`, `priority`,
//!   `cname`, `address`, `flag`, `tag`, `value`, `preference`, `exchange`, `nameserver`,
//!   `pointer`, `ttl`, `proxied` optional) and that records are addressed by `{line}`;
//! - the vendor's integration template (`Account/Dns.php`, `Dns/Zone.php`, `Dns/Records.php`):
//!   a zone is `{name, details: {remote_id}}`; a record is `{name, type, ttl, line, content,
//!   rdata}` with `ttl` and `line` as strings, `rdata` "raw record data (same as content)";
//!   the record types a hosting server offers (A, AAAA, CNAME, DS, MX, NS, PTR, SRV, TXT).
//!
//! Assumptions (the sources are silent), each chosen to behave like the line-based zone file
//! of a cPanel-style server:
//! - A zone exists for every main, addon and alias domain of the account (created with the
//!   domain, removed with it); a subdomain's records live in its parent's zone. There is no
//!   endpoint to create or delete a zone.
//! - A record's `line` is its line number in the zone file: line 1 is `$TTL`, the SOA record
//!   is line 2, and each record takes one line. A new record is appended; deleting a record
//!   renumbers every record after it (line - 1), as deleting a line from a file does. Updates
//!   keep the line.
//! - New zones hold SOA, two NS, A, MX and `www`/`mail` CNAME records and an SPF TXT record.
//!   The SOA record can be neither changed nor deleted (message-only 422).
//! - Names: `@`, a relative name (`www`), or a name ending in the zone (with or without the
//!   final dot) are accepted; names are listed fully qualified with a final dot. Host names in
//!   data (cname, exchange, nameserver, pointer, target) are stored fully qualified too.
//! - Type-specific fields win over `rdata`; `rdata` is used when they are absent. TXT data is
//!   stored in zone-file form (quoted strings of at most 255 bytes), listed as `rdata`, while
//!   `content` is the text itself, so long and quoted values round-trip exactly.
//! - CAA is offered too (the seed's `flag`/`tag`/`value` fields); `flag` true is 128.
//! - An identical record (same name, type and data) and a CNAME beside other data at the
//!   same name are refused (message-only 422): a zone file cannot hold either meaningfully.
//! - `proxied` is stored as sent and flipped by `toggle-proxy` (no proxy is simulated).

use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::reply::ApiError;
use super::validate::{Input, Text, Validator};

/// The record types `GET .../dns-zones/record-types` offers (integration template, plus CAA
/// whose fields the seed documents), in alphabetical order.
pub const RECORD_TYPES: &[&str] = &[
    "A", "AAAA", "CAA", "CNAME", "DS", "MX", "NS", "PTR", "SRV", "TXT",
];

/// The zone's `$TTL` (cPanel's default) and the lines before the first record.
pub const DEFAULT_TTL: u32 = 14_400;
const HEADER_LINES: usize = 1;

/// The simulated server's name servers and address (TEST-NET-1, RFC 5737).
const NAME_SERVERS: [&str; 2] = ["ns1.panelalpha.test.", "ns2.panelalpha.test."];
pub const SERVER_IP: &str = "192.0.2.10";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Zone {
    /// Records in file order; a record's line is `HEADER_LINES + index + 1`.
    pub records: Vec<Record>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Record {
    /// Fully qualified, lower case, with the final dot.
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub ttl: u32,
    /// Zone-file RDATA (TXT: quoted strings).
    pub rdata: String,
    #[serde(default)]
    pub proxied: bool,
}

impl Zone {
    /// A new zone as a cPanel-style server writes it.
    pub fn new(zone: &str, serial: u64) -> Self {
        let apex = format!("{zone}.");
        let record = |name: &str, rtype: &str, rdata: String| Record {
            name: name.to_string(),
            rtype: rtype.to_string(),
            ttl: DEFAULT_TTL,
            rdata,
            proxied: false,
        };
        Zone {
            records: vec![
                record(
                    &apex,
                    "SOA",
                    format!(
                        "{} hostmaster.{apex} {serial} 3600 1800 1209600 86400",
                        NAME_SERVERS[0]
                    ),
                ),
                record(&apex, "NS", NAME_SERVERS[0].to_string()),
                record(&apex, "NS", NAME_SERVERS[1].to_string()),
                record(&apex, "A", SERVER_IP.to_string()),
                record(&apex, "MX", format!("0 {apex}")),
                record(&format!("www.{apex}"), "CNAME", apex.clone()),
                record(&format!("mail.{apex}"), "CNAME", apex.clone()),
                record(&apex, "TXT", txt_to_rdata("v=spf1 +a +mx ~all")),
            ],
        }
    }

    /// Every change bumps the SOA serial, as a zone editor does.
    fn bump_serial(&mut self) {
        if let Some(soa) = self.records.iter_mut().find(|r| r.rtype == "SOA") {
            let mut parts: Vec<String> = soa.rdata.split(' ').map(str::to_string).collect();
            if let Some(serial) = parts.get_mut(2) {
                let next = serial.parse::<u64>().unwrap_or(0).saturating_add(1);
                *serial = next.to_string();
            }
            soa.rdata = parts.join(" ");
        }
    }

    fn index_of_line(&self, raw_line: &str) -> Result<usize, ApiError> {
        let missing = || ApiError::NotFound(format!("Record on line {raw_line} not found."));
        let line: usize = raw_line.trim().parse().map_err(|_| missing())?;
        let index = line
            .checked_sub(HEADER_LINES + 1)
            .filter(|index| *index < self.records.len())
            .ok_or_else(missing)?;
        Ok(index)
    }

    fn editable_index(&self, raw_line: &str, action: &str) -> Result<usize, ApiError> {
        let index = self.index_of_line(raw_line)?;
        if self.records[index].rtype == "SOA" {
            return Err(ApiError::Unprocessable(format!(
                "The SOA record cannot be {action}."
            )));
        }
        Ok(index)
    }

    /// Refuses a record that would duplicate another or break the CNAME rule; `skip` is the
    /// record being replaced.
    fn check_fits(&self, candidate: &Record, skip: Option<usize>) -> Result<(), ApiError> {
        for (index, other) in self.records.iter().enumerate() {
            if Some(index) == skip || other.name != candidate.name {
                continue;
            }
            if other.rtype == candidate.rtype && other.rdata == candidate.rdata {
                return Err(ApiError::Unprocessable(format!(
                    "The {} record {} already exists in the zone.",
                    candidate.rtype, candidate.name
                )));
            }
            if other.rtype == "CNAME" || candidate.rtype == "CNAME" {
                return Err(ApiError::Unprocessable(format!(
                    "A CNAME record cannot coexist with other records of the same name ({}).",
                    candidate.name
                )));
            }
        }
        Ok(())
    }

    /// Appends a record (create); answers the new record.
    pub fn create(&mut self, zone: &str, input: &Input) -> Result<Value, ApiError> {
        let record = record_from_input(zone, input)?;
        self.check_fits(&record, None)?;
        self.records.push(record);
        self.bump_serial();
        let index = self.records.len() - 1;
        Ok(record_json(index, &self.records[index]))
    }

    /// Replaces the record on `line` (update); the line stays.
    pub fn update(&mut self, zone: &str, raw_line: &str, input: &Input) -> Result<Value, ApiError> {
        let index = self.editable_index(raw_line, "changed")?;
        let record = record_from_input(zone, input)?;
        self.check_fits(&record, Some(index))?;
        self.records[index] = record;
        self.bump_serial();
        Ok(record_json(index, &self.records[index]))
    }

    /// Removes the record on `line`; every later record moves up one line.
    pub fn delete(&mut self, raw_line: &str) -> Result<(), ApiError> {
        let index = self.editable_index(raw_line, "deleted")?;
        self.records.remove(index);
        self.bump_serial();
        Ok(())
    }

    pub fn toggle_proxy(&mut self, raw_line: &str) -> Result<Value, ApiError> {
        let index = self.editable_index(raw_line, "changed")?;
        let record = &mut self.records[index];
        record.proxied = !record.proxied;
        Ok(record_json(index, record))
    }

    pub fn records_view(&self) -> Vec<RecordView<'_>> {
        self.records
            .iter()
            .enumerate()
            .map(|(index, record)| record_view(index, record))
            .collect()
    }
}

pub fn zone_json(name: &str) -> Value {
    json!({"name": name, "details": {"remote_id": name}})
}

/// A record as listed: the integration template's fields (strings for `line` and `ttl`), plus
/// `proxied`.
#[derive(Serialize)]
pub struct RecordView<'a> {
    line: String,
    name: &'a str,
    #[serde(rename = "type")]
    rtype: &'a str,
    ttl: String,
    content: Cow<'a, str>,
    rdata: &'a str,
    proxied: bool,
}

fn record_view(index: usize, record: &Record) -> RecordView<'_> {
    RecordView {
        line: (HEADER_LINES + index + 1).to_string(),
        name: &record.name,
        rtype: &record.rtype,
        ttl: record.ttl.to_string(),
        content: if record.rtype == "TXT" {
            Cow::Owned(rdata_to_txt(&record.rdata))
        } else {
            Cow::Borrowed(&record.rdata)
        },
        rdata: &record.rdata,
        proxied: record.proxied,
    }
}

fn record_json(index: usize, record: &Record) -> Value {
    serde_json::to_value(record_view(index, record)).unwrap_or(Value::Null)
}

/// A zone of the account by name (case-insensitive, a final dot allowed).
pub fn zone_key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

pub fn zone_not_found(name: &str) -> ApiError {
    ApiError::NotFound(format!("DNS zone {name} not found."))
}

/// Validates a create/update body into a record of `zone`.
fn record_from_input(zone: &str, input: &Input) -> Result<Record, ApiError> {
    let mut v = Validator::new(input);
    let name = v
        .text(
            "name",
            Text {
                max: Some(255),
                ..Text::REQUIRED
            },
        )
        .and_then(|name| match absolute_name(zone, &name) {
            Ok(name) => Some(name),
            Err(message) => {
                v.fail("name", message);
                None
            }
        });
    let rtype = v.one_of("type", true, RECORD_TYPES);
    let ttl = v.integer_in("ttl", false, 1, i64::from(i32::MAX));
    let proxied = v.boolean("proxied", false);
    let raw = v.text("rdata", Text::OPTIONAL);
    let rdata = match rtype.as_deref() {
        Some(rtype) => typed_rdata(&mut v, rtype, raw.as_deref()),
        None => None,
    };
    v.finish()?;
    let (Some(name), Some(rtype), Some(rdata)) = (name, rtype, rdata) else {
        return Err(ApiError::field("type", "The selected type is invalid."));
    };
    Ok(Record {
        name,
        rtype,
        ttl: ttl
            .and_then(|t| u32::try_from(t).ok())
            .unwrap_or(DEFAULT_TTL),
        rdata,
        proxied: proxied.unwrap_or(false),
    })
}

/// The zone-file RDATA from the type's own fields, or from `rdata` when they are absent.
fn typed_rdata(v: &mut Validator<'_>, rtype: &str, raw: Option<&str>) -> Option<String> {
    let host = |v: &mut Validator<'_>, field: &str| -> Option<String> {
        let text = v.text(
            field,
            Text {
                max: Some(255),
                ..Text::OPTIONAL
            },
        )?;
        match host_name(&text) {
            Some(host) => Some(host),
            None => {
                v.fail(field, format!("The {field} field format is invalid."));
                None
            }
        }
    };
    let absent = |v: &Validator<'_>, fields: &[&str]| fields.iter().all(|f| !v.input_has(f));
    // `rdata` stands in for the type's fields when none of them was sent.
    let from_raw = |v: &mut Validator<'_>, fields: &[&str]| -> Option<Option<String>> {
        if !absent(v, fields) {
            return None;
        }
        match raw {
            Some(raw) => Some(raw_rdata(v, rtype, raw)),
            None => {
                for field in fields {
                    v.require_when(field, "type", rtype);
                }
                Some(None)
            }
        }
    };
    match rtype {
        "A" | "AAAA" => {
            if let Some(result) = from_raw(v, &["address"]) {
                return result;
            }
            let address = v.text("address", Text::OPTIONAL)?;
            let parsed = if rtype == "A" {
                address.parse::<Ipv4Addr>().ok().map(|a| a.to_string())
            } else {
                address.parse::<Ipv6Addr>().ok().map(|a| a.to_string())
            };
            if parsed.is_none() {
                let family = if rtype == "A" { "IPv4" } else { "IPv6" };
                v.fail(
                    "address",
                    format!("The address field must be a valid {family} address."),
                );
            }
            parsed
        }
        "CNAME" | "NS" | "PTR" => {
            let field = match rtype {
                "CNAME" => "cname",
                "NS" => "nameserver",
                _ => "pointer",
            };
            if let Some(result) = from_raw(v, &[field]) {
                return result;
            }
            host(v, field)
        }
        "MX" => {
            if let Some(result) = from_raw(v, &["preference", "exchange"]) {
                return result;
            }
            let preference = v.integer_in("preference", false, 0, 65_535);
            let exchange = host(v, "exchange");
            if !v.input_has("preference") {
                v.require_when("preference", "type", rtype);
            }
            if !v.input_has("exchange") {
                v.require_when("exchange", "type", rtype);
            }
            Some(format!("{} {}", preference?, exchange?))
        }
        "SRV" => {
            let fields = ["priority", "weight", "port", "target"];
            if let Some(result) = from_raw(v, &fields) {
                return result;
            }
            let priority = v.integer_in("priority", false, 0, 65_535);
            let weight = v.integer_in("weight", false, 0, 65_535);
            let port = v.integer_in("port", false, 0, 65_535);
            let target = host(v, "target");
            for field in fields {
                if !v.input_has(field) {
                    v.require_when(field, "type", rtype);
                }
            }
            Some(format!("{} {} {} {}", priority?, weight?, port?, target?))
        }
        "CAA" => {
            let fields = ["flag", "tag", "value"];
            if let Some(result) = from_raw(v, &fields) {
                return result;
            }
            let flag = v.boolean("flag", false).unwrap_or(false);
            let tag = v.one_of("tag", false, &["issue", "issuewild", "iodef"]);
            let value = v.text("value", Text::OPTIONAL);
            for field in ["tag", "value"] {
                if !v.input_has(field) {
                    v.require_when(field, "type", rtype);
                }
            }
            let flag = if flag { 128 } else { 0 };
            Some(format!("{flag} {} {}", tag?, quote(&value?)))
        }
        "TXT" => {
            if let Some(result) = from_raw(v, &["txtdata"]) {
                return result;
            }
            let text = v.text("txtdata", Text::OPTIONAL)?;
            Some(txt_to_rdata(&text))
        }
        // DS (and anything without fields of its own) is given as raw data.
        _ => match raw {
            Some(raw) => raw_rdata(v, rtype, raw),
            None => {
                v.require_when("rdata", "type", rtype);
                None
            }
        },
    }
}

/// Raw RDATA for a type: checked as far as the simulator needs to keep the zone sane.
fn raw_rdata(v: &mut Validator<'_>, rtype: &str, raw: &str) -> Option<String> {
    let invalid = |v: &mut Validator<'_>| {
        v.fail("rdata", "The rdata field format is invalid.".to_string());
        None
    };
    if raw.contains(['\n', '\r']) {
        return invalid(v);
    }
    match rtype {
        "A" => raw.parse::<Ipv4Addr>().map(|a| a.to_string()).ok(),
        "AAAA" => raw.parse::<Ipv6Addr>().map(|a| a.to_string()).ok(),
        "CNAME" | "NS" | "PTR" => host_name(raw),
        "TXT" => Some(if raw.starts_with('"') {
            txt_to_rdata(&rdata_to_txt(raw))
        } else {
            txt_to_rdata(raw)
        }),
        "MX" => {
            let (preference, exchange) = raw.split_once(' ')?;
            let preference: u16 = preference.parse().ok()?;
            Some(format!("{preference} {}", host_name(exchange.trim())?))
        }
        _ => Some(raw.split_whitespace().collect::<Vec<_>>().join(" ")),
    }
    .or_else(|| invalid(v))
}

/// `@`, a relative name or a name in the zone -> the fully qualified name with a final dot.
fn absolute_name(zone: &str, raw: &str) -> Result<String, String> {
    let name = raw.to_ascii_lowercase();
    let apex = format!("{zone}.");
    let outside = || format!("The name field must be a name in the zone {zone}.");
    let relative = if name == "@" || name == zone || name == apex {
        return Ok(apex);
    } else if let Some(absolute) = name.strip_suffix('.') {
        absolute
            .strip_suffix(&format!(".{zone}"))
            .ok_or_else(outside)?
            .to_string()
    } else if let Some(inside) = name.strip_suffix(&format!(".{zone}")) {
        inside.to_string()
    } else {
        name.clone()
    };
    let labels: Vec<&str> = relative.split('.').collect();
    let valid = labels.iter().enumerate().all(|(index, label)| {
        (index == 0 && *label == "*")
            || (!label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    });
    if !valid || relative.len() + apex.len() > 254 {
        return Err("The name field format is invalid.".to_string());
    }
    Ok(format!("{relative}.{apex}"))
}

/// A host name in record data, fully qualified with the final dot; `None` when malformed.
fn host_name(raw: &str) -> Option<String> {
    let name = raw.trim().to_ascii_lowercase();
    let bare = name.strip_suffix('.').unwrap_or(&name);
    let valid = !bare.is_empty()
        && bare.len() <= 253
        && bare.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
    valid.then(|| format!("{bare}."))
}

fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// TXT text -> zone-file RDATA: quoted character strings of at most 255 bytes each (RFC 1035
/// 3.3.14), split on character boundaries.
pub fn txt_to_rdata(text: &str) -> String {
    let mut chunks = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if current.len() + c.len_utf8() > 255 {
            chunks.push(quote(&current));
            current.clear();
        }
        current.push(c);
    }
    if !current.is_empty() || chunks.is_empty() {
        chunks.push(quote(&current));
    }
    chunks.join(" ")
}

/// Zone-file TXT RDATA -> the text (character strings concatenated, escapes resolved).
pub fn rdata_to_txt(rdata: &str) -> String {
    let mut out: Vec<u8> = Vec::with_capacity(rdata.len());
    let bytes = rdata.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !in_string {
            if b == b'"' {
                in_string = true;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = false,
            b'\\' if i + 3 < bytes.len() && bytes[i + 1..i + 4].iter().all(u8::is_ascii_digit) => {
                let digits = std::str::from_utf8(&bytes[i + 1..i + 4]).unwrap_or("0");
                out.push(digits.parse::<u8>().unwrap_or(b'?'));
                i += 3;
            }
            b'\\' if i + 1 < bytes.len() => {
                out.push(bytes[i + 1]);
                i += 1;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_round_trips_through_255_byte_strings() {
        let long = format!("v=DKIM1; k=rsa; p={}\"quoted\\", "A".repeat(600));
        let rdata = txt_to_rdata(&long);
        assert_eq!(rdata.matches("\" \"").count(), 2, "{rdata}");
        assert_eq!(rdata_to_txt(&rdata), long);
        let accents = "é".repeat(200);
        assert_eq!(rdata_to_txt(&txt_to_rdata(&accents)), accents);
        assert_eq!(rdata_to_txt(r#""a\065b""#), "aAb");
    }

    #[test]
    fn names_are_made_absolute_inside_the_zone() {
        let zone = "example.com";
        assert_eq!(absolute_name(zone, "@").unwrap(), "example.com.");
        assert_eq!(absolute_name(zone, "WWW").unwrap(), "www.example.com.");
        assert_eq!(
            absolute_name(zone, "www.example.com").unwrap(),
            "www.example.com."
        );
        assert_eq!(
            absolute_name(zone, "_dmarc").unwrap(),
            "_dmarc.example.com."
        );
        assert_eq!(absolute_name(zone, "*.dev").unwrap(), "*.dev.example.com.");
        assert!(absolute_name(zone, "www.other.org.").is_err());
        assert!(absolute_name(zone, "a..b").is_err());
        assert!(absolute_name(zone, "a.*").is_err());
    }
}
