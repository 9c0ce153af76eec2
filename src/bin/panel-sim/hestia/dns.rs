//! DNS zones and records: `v-add-dns-domain`, `v-list-dns-domain(s)`,
//! `v-delete-dns-domain`, `v-add/change/delete-dns-record`, `v-list-dns-records`
//! (HestiaCP 1.10.3 scripts of the same names, `func/domain.sh`, the `default`
//! DNS template, `func/internal/dns_record_validator.php`), checked against
//! records 100-174 and 600-656.
//!
//! Record ids behave like the real ones: the template numbers NS1-NS8 as 1-8
//! and drops the unused lines (110, 160); a new record gets the highest id + 1
//! (111-127), a deleted one leaves a gap that is refilled only when it was the
//! highest (150-156); an explicit id is taken as given (125, 134).

use std::fmt::Write as _;

use super::commands::{
    check_user_format, existing_user, existing_user_mut, is_domain_new, limit_reached, unsuspended,
    Args, DomainKind, Failure, E_ARGS, E_EXISTS, E_INVALID, E_LIMIT, E_NOTEXIST, E_SUSPENDED,
};
use super::state::{now_time_date, DnsDomain, DnsRecord, State, User};
use super::validate;

/// A new zone's serial (`update_domain_zone`), raised by one on every record change.
const SERIAL_BASE: u64 = 3_000_000_000;
const ZONE_TTL: &str = "14400";

/// The `default` DNS template (`install/common/templates/dns/default.tpl`):
/// id, record, type, priority, value with `%ip%`, `%domain%` and `%nsN%`.
const DEFAULT_TEMPLATE: &[(u64, &str, &str, &str, &str)] = &[
    (1, "@", "NS", "", "%ns1%."),
    (2, "@", "NS", "", "%ns2%."),
    (3, "@", "NS", "", "%ns3%."),
    (4, "@", "NS", "", "%ns4%."),
    (5, "@", "NS", "", "%ns5%."),
    (6, "@", "NS", "", "%ns6%."),
    (7, "@", "NS", "", "%ns7%."),
    (8, "@", "NS", "", "%ns8%."),
    (9, "@", "A", "", "%ip%"),
    (10, "www", "CNAME", "", "%domain%."),
    (11, "ftp", "CNAME", "", "%domain%."),
    (12, "mail", "A", "", "%ip%"),
    (13, "webmail", "CNAME", "", "mail.%domain%."),
    (14, "@", "MX", "0", "mail.%domain%."),
    (15, "@", "TXT", "", "\"v=spf1 a mx ip4:%ip% -all\""),
    (
        16,
        "_dmarc",
        "TXT",
        "",
        "\"v=DMARC1; p=quarantine; pct=100\"",
    ),
    (17, "_submission._tcp", "SRV", "1", "0 587 mail.%domain%."),
    (18, "_imap._tcp", "SRV", "1", "0 143 mail.%domain%."),
    (19, "_imaps._tcp", "SRV", "1", "0 993 mail.%domain%."),
    (20, "_pop3._tcp", "SRV", "1", "0 110 mail.%domain%."),
    (21, "_pop3s._tcp", "SRV", "1", "0 995 mail.%domain%."),
];

fn zone_index(user: &User, domain: &str) -> Result<usize, Failure> {
    user.dns_domains
        .iter()
        .position(|d| d.domain == domain)
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("dns domain {domain} doesn't exist")))
}

/// `is_object_unsuspended 'dns' 'DOMAIN'`.
fn zone_unsuspended(zone: &DnsDomain) -> Result<(), Failure> {
    if zone.suspended {
        Err(Failure::new(
            E_SUSPENDED,
            format!("dns {} is suspended", zone.domain),
        ))
    } else {
        Ok(())
    }
}

/// `v-add-dns-domain USER DOMAIN IP [NS1] ... [NS8] [RESTART] [DNSSEC]`.
pub fn add_domain(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check(
        "v-add-dns-domain",
        3,
        "USER DOMAIN IP [NS1] [NS2] [NS3] [..] [NS8] [RESTART]",
    )?;
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    let ip = args.get(3);
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    if !ip.is_empty() {
        validate::ipv4(ip, "ip")?;
    }
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    validate::restart(args.get(12))?;
    let (utf, idn) = validate::domain_forms(&domain);
    is_domain_new(state, DomainKind::Dns, login, &utf)?;
    is_domain_new(state, DomainKind::Dns, login, &idn)?;
    if validate::looks_like_ipv4(&domain) {
        return Err(Failure {
            code: E_ARGS,
            message: String::new(),
            output: "Error: Invalid domain format. IP address detected as input.\n".into(),
        });
    }
    let dnssec = args.get(13);
    if !dnssec.is_empty() {
        validate::boolean(dnssec, "dnssec")?;
    }
    let package = state
        .packages
        .get(&user.package)
        .cloned()
        .unwrap_or_default();
    if limit_reached(&package.dns_domains, user.dns_domains.len()) {
        return Err(Failure::new(
            E_LIMIT,
            "DNS_DOMAINS limit is reached :: upgrade user package",
        ));
    }
    let mut ns: Vec<String> = Vec::with_capacity(8);
    for n in 1..=8 {
        let given = args.get(3 + n);
        let value = given.trim_matches('.').to_string();
        if !given.is_empty() {
            validate::domain(&value, &format!("ns{n}"))?;
        }
        ns.push(value);
    }
    // Without a second name server the user's package NS list replaces them.
    if ns[1].is_empty() {
        for (slot, server) in ns.iter_mut().zip(package.ns.split(',')) {
            *slot = server.to_string();
        }
    }
    let (time, date) = now_time_date();
    let exp = (chrono::Utc::now() + chrono::Months::new(12))
        .format("%Y-%m-%d")
        .to_string();
    let records = DEFAULT_TEMPLATE
        .iter()
        // Only NS3-NS8 lines are dropped when unused (`grep -v %nsN%`).
        .filter(|(id, ..)| !(3..=8).contains(id) || !ns[*id as usize - 1].is_empty())
        .map(|(id, record, rtype, priority, value)| {
            let mut value = value.replace("%ip%", ip).replace("%domain%", &domain);
            for (n, server) in ns.iter().enumerate() {
                value = value.replace(&format!("%ns{}%", n + 1), server);
            }
            DnsRecord {
                id: *id,
                record: (*record).to_string(),
                rtype: (*rtype).to_string(),
                priority: (*priority).to_string(),
                value,
                ttl: None,
                suspended: false,
                time: time.clone(),
                date: date.clone(),
            }
        })
        .collect();
    state.dns_owner.insert(domain.clone(), login.to_string());
    let user = existing_user_mut(state, login)?;
    user.dns_domains.push(DnsDomain {
        domain,
        ip: ip.to_string(),
        template: package.dns_template,
        ttl: ZONE_TTL.to_string(),
        exp,
        // SOA is the first name server as given, trailing dots removed (109).
        soa: ns[0].clone(),
        serial: SERIAL_BASE,
        dnssec: if dnssec.is_empty() { "no" } else { dnssec }.to_string(),
        suspended: false,
        time,
        date,
        records,
    });
    Ok(())
}

/// `v-change-dns-domain-ip USER DOMAIN IP [RESTART]`. Assumed from HestiaCP's script of
/// that name (no recorded answer): the owner and zone must exist and be unsuspended,
/// the IP must be IPv4; the zone's IP changes and so does every record whose value
/// was the old IP (the script rewrites them); the serial is raised.
pub fn change_domain_ip(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-change-dns-domain-ip", 3, "USER DOMAIN IP [RESTART]")?;
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    let ip = args.get(3);
    check_user_format(login)?;
    validate::domain(&domain, "domain")?;
    validate::ipv4(ip, "ip")?;
    validate::restart(args.get(4))?;
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    let user = existing_user_mut(state, login)?;
    let index = zone_index(user, &domain)?;
    let zone = &mut user.dns_domains[index];
    zone_unsuspended(zone)?;
    let old = std::mem::replace(&mut zone.ip, ip.to_string());
    for record in &mut zone.records {
        if record.value == old {
            record.value = ip.to_string();
        }
    }
    zone.serial += 1;
    Ok(())
}

/// `v-change-dns-domain-ttl USER DOMAIN TTL [RESTART]`. Assumed from HestiaCP's script
/// of that name (no recorded answer): the TTL must be a whole number (the script's
/// `is_format_valid 'ttl'`); the zone's TTL changes (records without their own TTL
/// follow it) and the serial is raised.
pub fn change_domain_ttl(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-change-dns-domain-ttl", 3, "USER DOMAIN TTL [RESTART]")?;
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    let ttl = args.get(3);
    check_user_format(login)?;
    validate::domain(&domain, "domain")?;
    if ttl.is_empty() || !ttl.bytes().all(|b| b.is_ascii_digit()) || ttl.len() > 10 {
        return Err(Failure::new(
            E_INVALID,
            format!("invalid ttl format :: {ttl}"),
        ));
    }
    validate::restart(args.get(4))?;
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    let user = existing_user_mut(state, login)?;
    let index = zone_index(user, &domain)?;
    let zone = &mut user.dns_domains[index];
    zone_unsuspended(zone)?;
    zone.ttl = ttl.to_string();
    zone.serial += 1;
    Ok(())
}

/// `v-delete-dns-domain USER DOMAIN [RESTART]` (deletes under a suspended owner
/// too: 652).
pub fn delete_domain(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-delete-dns-domain", 2, "USER DOMAIN [RESTART]")?;
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    validate::restart(args.get(3))?;
    let user = existing_user_mut(state, login)?;
    let index = zone_index(user, &domain)?;
    user.dns_domains.remove(index);
    state.dns_owner.remove(&domain);
    Ok(())
}

/// The value as `v-add-dns-record` / `v-change-dns-record` rewrite it before
/// validating: a trailing dot for host-name types, double quotes removed (not
/// for CAA), then quoted again when it holds a space or a semicolon (not for
/// SRV and the key types). Records 113-123, 147.
fn shape_value(rtype: &str, raw: &str) -> String {
    // `[[ $rtype =~ ^NS|CNAME|MX|PTR|SRV ]]`.
    let host_type = rtype.starts_with("NS")
        || ["CNAME", "MX", "PTR", "SRV"]
            .iter()
            .any(|t| rtype.contains(t));
    let mut value = raw.to_string();
    if host_type && !value.ends_with('.') {
        value.push('.');
    }
    if rtype != "CAA" {
        value = value.replace('"', "");
        let keeps_spaces = matches!(rtype, "SRV" | "DNSKEY" | "DS" | "TLSA" | "KEY" | "IPSECKEY");
        if !keeps_spaces && value.contains([';', ' ', '\t', '\n', '\r', '\u{b}', '\u{c}']) {
            value = format!("\"{value}\"");
        }
    }
    value
}

/// `is_dns_fqnd`: NS and SRV values need three dots, CNAME/MX/PTR two (with
/// the trailing one).
fn fqdn(rtype: &str, value: &str) -> Result<(), Failure> {
    if rtype == "SRV" {
        let fields: Vec<&str> = value.split_whitespace().collect();
        if fields.first() == Some(&".") || fields.last() == Some(&".") {
            return Ok(());
        }
    }
    // `grep "^NS\|CNAME\|MX\|PTR\|SRV"`.
    let fqdn_type = rtype.starts_with("NS")
        || ["CNAME", "MX", "PTR", "SRV"]
            .iter()
            .any(|t| rtype.contains(t));
    if !fqdn_type {
        return Ok(());
    }
    let needed = if matches!(rtype, "CNAME" | "MX" | "PTR") {
        2
    } else {
        3
    };
    if value.matches('.').count() < needed {
        let shown = value.strip_suffix('.').unwrap_or(value);
        return Err(Failure {
            code: E_INVALID,
            message: String::new(),
            output: format!(
                "Error: {rtype} record {shown} should be a fully qualified domain name (FQDN)\n"
            ),
        });
    }
    Ok(())
}

/// `is_dns_nameserver_valid`: an NS inside the zone needs its A record.
fn nameserver(zone: &DnsDomain, rtype: &str, value: &str) -> Result<(), Failure> {
    if rtype != "NS" {
        return Ok(());
    }
    let suffix = format!(".{}.", zone.domain);
    if let Some(host) = value.strip_suffix(&suffix) {
        if !zone
            .records
            .iter()
            .any(|r| r.record == host && r.rtype == "A")
        {
            return Err(Failure::new(
                E_NOTEXIST,
                format!("IN A {host}.{} does not exist", zone.domain),
            ));
        }
    }
    Ok(())
}

fn bump_serial(zone: &mut DnsDomain) {
    // `update_domain_serial`: +1, wrapping past 2^32 - 1 to 1.
    zone.serial = if zone.serial >= u64::from(u32::MAX) {
        1
    } else {
        zone.serial + 1
    };
}

/// `v-add-dns-record USER DOMAIN RECORD TYPE VALUE [PRIORITY] [ID] [RESTART] [TTL]`.
pub fn add_record(state: &mut State, args: &Args) -> Result<(), Failure> {
    let login = args.get(1);
    let record = args.get(3).to_lowercase();
    let rtype = args.get(4).to_uppercase();
    // An empty priority becomes 10, then only MX and SRV keep one.
    let mut priority = match args.get(6) {
        "" => "10",
        given => given,
    }
    .to_string();
    if rtype != "MX" && rtype != "SRV" {
        priority.clear();
    }
    let value = shape_value(&rtype, args.get(5));
    // The script checks this before it even counts its arguments.
    if record == "@" && rtype == "CNAME" {
        return Err(Failure::new(E_INVALID, "CNAME on root is not allowed"));
    }
    let domain = validate::normalise_domain(args.get(2));
    args.check(
        "v-add-dns-record",
        5,
        "USER DOMAIN RECORD TYPE VALUE [PRIORITY] [ID] [RESTART] [TTL]",
    )?;
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    if !record.is_empty() {
        validate::common(&record, "record")?;
    }
    if !rtype.is_empty() {
        validate::dns_type(&rtype)?;
    }
    let (value, priority) = if value.is_empty() {
        (value, priority)
    } else {
        validate::dns_record_value(&value, &rtype, &priority)?
    };
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    let zone = &user.dns_domains[zone_index(user, &domain)?];
    zone_unsuspended(zone)?;
    let package = state
        .packages
        .get(&user.package)
        .cloned()
        .unwrap_or_default();
    if limit_reached(&package.dns_records, zone.records.len()) {
        return Err(Failure::new(
            E_LIMIT,
            "DNS_RECORDS limit is reached :: upgrade user package",
        ));
    }
    let id_text = args.get(7);
    let id = if id_text.is_empty() {
        zone.records.iter().map(|r| r.id).max().unwrap_or(0) + 1
    } else {
        validate::id(id_text)?;
        id_text
            .parse::<u64>()
            .map_err(|_| Failure::new(E_INVALID, format!("invalid id format :: {id_text}")))?
    };
    if zone.records.iter().any(|r| r.id == id) {
        return Err(Failure::new(E_EXISTS, format!("ID={id} already exists")));
    }
    fqdn(&rtype, &value)?;
    nameserver(zone, &rtype, &value)?;
    let ttl = args.get(9);
    if !ttl.is_empty() {
        validate::int(ttl, "ttl")?;
    }
    validate::restart(args.get(8))?;
    let (time, date) = now_time_date();
    let user = existing_user_mut(state, login)?;
    let index = zone_index(user, &domain)?;
    let zone = &mut user.dns_domains[index];
    insert_sorted(
        zone,
        DnsRecord {
            id,
            record,
            rtype,
            priority,
            value,
            ttl: (!ttl.is_empty()).then(|| ttl.to_string()),
            suspended: false,
            time,
            date,
        },
    );
    bump_serial(zone);
    Ok(())
}

/// `sort_dns_records`: the zone file is kept in id order.
fn insert_sorted(zone: &mut DnsDomain, record: DnsRecord) {
    let at = zone.records.partition_point(|r| r.id < record.id);
    zone.records.insert(at, record);
}

/// `v-change-dns-record USER DOMAIN ID RECORD TYPE VALUE [PRIORITY] [RESTART] [TTL]`:
/// the id stays, name and type may change (142); an empty TYPE keeps the
/// record's (146); leaving TTL out drops the record's own TTL (144, 146).
pub fn change_record(state: &mut State, args: &Args) -> Result<(), Failure> {
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    let id_text = args.get(3);
    let record = args.get(4);
    args.check(
        "v-change-dns-record",
        6,
        "USER DOMAIN ID RECORD TYPE VALUE [PRIORITY] [RESTART] [TTL]",
    )?;
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    if !id_text.is_empty() {
        validate::id(id_text)?;
    }
    if !record.is_empty() {
        validate::common(record, "record")?;
    }
    validate::restart(args.get(8))?;
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    let zone = &user.dns_domains[zone_index(user, &domain)?];
    zone_unsuspended(zone)?;
    let current = zone
        .records
        .iter()
        .find(|r| r.id.to_string() == id_text)
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("{domain} id {id_text} doesn't exist")))?;
    let ttl = args.get(9);
    if !ttl.is_empty() {
        validate::int(ttl, "ttl")?;
    }
    let mut rtype = args.get(5).to_string();
    if record == "@" && rtype == "CNAME" {
        return Err(Failure::new(E_INVALID, "CNAME on root is not allowed"));
    }
    if rtype.is_empty() {
        rtype = current.rtype.clone();
    }
    let mut priority = match args.get(7) {
        "" => current.priority.clone(),
        given => given.to_string(),
    };
    if rtype != "MX" && rtype != "SRV" {
        priority.clear();
    }
    let value = shape_value(&rtype, args.get(6));
    validate::dns_type(&rtype)?;
    let (value, priority) = if value.is_empty() {
        (value, priority)
    } else {
        validate::dns_record_value(&value, &rtype, &priority)?
    };
    fqdn(&rtype, &value)?;
    nameserver(zone, &rtype, &value)?;
    // Bash `-eq` on empty strings compares 0 with 0.
    let number = |text: &str| text.parse::<i64>().unwrap_or(0);
    let unchanged = current.record == record
        && current.rtype == rtype
        && number(&current.priority) == number(&priority)
        && current.value == value
        && !current.suspended
        && number(current.ttl.as_deref().unwrap_or("")) == number(ttl);
    if unchanged {
        // Printed with echo, not check_result: no "Error:" (141).
        return Err(Failure {
            code: E_EXISTS,
            message: String::new(),
            output: "No pending changes in DNS entry.\n".into(),
        });
    }
    let id = current.id;
    let (time, date) = now_time_date();
    let user = existing_user_mut(state, login)?;
    let index = zone_index(user, &domain)?;
    let zone = &mut user.dns_domains[index];
    zone.records.retain(|r| r.id != id);
    insert_sorted(
        zone,
        DnsRecord {
            id,
            record: record.to_string(),
            rtype,
            priority,
            value,
            ttl: (!ttl.is_empty()).then(|| ttl.to_string()),
            suspended: false,
            time,
            date,
        },
    );
    bump_serial(zone);
    Ok(())
}

/// `v-delete-dns-record USER DOMAIN ID [RESTART]`: the last A or NS record
/// stays (162); allowed under a suspended owner (622).
pub fn delete_record(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-delete-dns-record", 3, "USER DOMAIN ID [RESTART]")?;
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    let id_text = args.get(3);
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    if !id_text.is_empty() {
        validate::id(id_text)?;
    }
    validate::restart(args.get(4))?;
    let user = existing_user_mut(state, login)?;
    let index = zone_index(user, &domain)?;
    remove_record(&mut user.dns_domains[index], id_text)
}

/// Removes one record by id with the checks of `v-delete-dns-record`.
pub fn remove_record(zone: &mut DnsDomain, id_text: &str) -> Result<(), Failure> {
    let position = zone
        .records
        .iter()
        .position(|r| r.id.to_string() == id_text)
        .ok_or_else(|| {
            Failure::new(
                E_NOTEXIST,
                format!("{} id {id_text} doesn't exist", zone.domain),
            )
        })?;
    let rtype = zone.records[position].rtype.clone();
    if (rtype == "A" || rtype == "NS")
        && zone.records.iter().filter(|r| r.rtype == rtype).count() <= 1
    {
        return Err(Failure {
            code: E_INVALID,
            message: String::new(),
            output: format!("Error: at least one {rtype} record should remain active\n"),
        });
    }
    zone.records.remove(position);
    bump_serial(zone);
    Ok(())
}

/// Adds a record the way a script calling `v-add-dns-record` does (DKIM).
pub fn append_record(zone: &mut DnsDomain, record: &str, rtype: &str, value: String) {
    let (time, date) = now_time_date();
    let id = zone.records.iter().map(|r| r.id).max().unwrap_or(0) + 1;
    insert_sorted(
        zone,
        DnsRecord {
            id,
            record: record.to_string(),
            rtype: rtype.to_string(),
            priority: String::new(),
            value,
            ttl: None,
            suspended: false,
            time,
            date,
        },
    );
    bump_serial(zone);
}

fn domain_fields(zone: &DnsDomain) -> [(&'static str, String); 12] {
    [
        ("IP", zone.ip.clone()),
        ("TPL", zone.template.clone()),
        ("TTL", zone.ttl.clone()),
        ("EXP", zone.exp.clone()),
        ("SOA", zone.soa.clone()),
        ("SERIAL", format!("{:010}", zone.serial)),
        ("DNSSEC", zone.dnssec.clone()),
        ("SRC", String::new()),
        ("RECORDS", zone.records.len().to_string()),
        ("SUSPENDED", yes_no(zone.suspended).to_string()),
        ("TIME", zone.time.clone()),
        ("DATE", zone.date.clone()),
    ]
}

fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}

fn push_object(out: &mut String, key: &str, fields: &[(&str, String)], last: bool) {
    let _ = writeln!(out, "    \"{key}\": {{");
    for (i, (name, value)) in fields.iter().enumerate() {
        let comma = if i + 1 < fields.len() { "," } else { "" };
        let _ = writeln!(out, "        \"{name}\": \"{value}\"{comma}");
    }
    out.push_str(if last { "    }\n" } else { "    },\n" });
}

fn domains_listing(zones: &[&DnsDomain], format: &str) -> String {
    match format {
        "json" => {
            let mut out = String::from("{\n");
            for (i, zone) in zones.iter().enumerate() {
                push_object(
                    &mut out,
                    &zone.domain,
                    &domain_fields(zone),
                    i + 1 == zones.len(),
                );
            }
            out.push_str("}\n");
            out
        }
        "plain" => zones
            .iter()
            .map(|zone| {
                let f = domain_fields(zone);
                format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                    zone.domain,
                    f[0].1,
                    f[1].1,
                    f[2].1,
                    f[3].1,
                    f[4].1,
                    f[6].1,
                    f[5].1,
                    f[7].1,
                    f[8].1,
                    f[9].1,
                    f[10].1,
                    f[11].1
                )
            })
            .collect(),
        "shell" => {
            let mut out = String::from("DOMAIN   IP   TPL   TTL   DNSSEC   REC   SPND   DATE\n------   --   ---   ---   ------   ---   ----   ----\n");
            for zone in zones {
                let _ = writeln!(
                    out,
                    "{} {} {} {} {} {} {} {}",
                    zone.domain,
                    zone.ip,
                    zone.template,
                    zone.ttl,
                    zone.dnssec,
                    zone.records.len(),
                    yes_no(zone.suspended),
                    zone.date
                );
            }
            out
        }
        _ => String::new(),
    }
}

/// `v-list-dns-domains USER [FORMAT]`.
pub fn list_domains(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-dns-domains", 1, "USER [FORMAT]")?;
    let login = args.get(1);
    check_user_format(login)?;
    let user = existing_user(state, login)?;
    let zones: Vec<&DnsDomain> = user.dns_domains.iter().collect();
    Ok(domains_listing(&zones, args.or(2, "shell")))
}

/// `v-list-dns-domain USER DOMAIN [FORMAT]` (the name as stored: 109).
pub fn list_domain(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-dns-domain", 2, "USER DOMAIN [FORMAT]")?;
    let (login, domain) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(domain, "domain")?;
    }
    let user = existing_user(state, login)?;
    let zone = &user.dns_domains[zone_index(user, domain)?];
    Ok(domains_listing(&[zone], args.or(3, "shell")))
}

/// `v-list-dns-records USER DOMAIN [FORMAT]`: keyed by id in id order, the
/// zone's TTL for records without their own; VALUE escapes only `"` (and tabs).
pub fn list_records(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-dns-records", 2, "USER DOMAIN [FORMAT]")?;
    let (login, domain) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(domain, "domain")?;
    }
    let user = existing_user(state, login)?;
    let zone = &user.dns_domains[zone_index(user, domain)?];
    let ttl = |r: &DnsRecord| r.ttl.clone().unwrap_or_else(|| zone.ttl.clone());
    Ok(match args.or(3, "shell") {
        "json" => {
            let mut out = String::with_capacity(64 + zone.records.len() * 260);
            out.push_str("{\n");
            for (i, r) in zone.records.iter().enumerate() {
                let value = r.value.replace('"', "\\\"").replace('\t', "\\u0009");
                let fields = [
                    ("RECORD", r.record.clone()),
                    ("TYPE", r.rtype.clone()),
                    ("PRIORITY", r.priority.clone()),
                    ("VALUE", value),
                    ("ID", r.id.to_string()),
                    ("SUSPENDED", yes_no(r.suspended).to_string()),
                    ("TIME", r.time.clone()),
                    ("DATE", r.date.clone()),
                    ("TTL", ttl(r)),
                ];
                push_object(
                    &mut out,
                    &r.id.to_string(),
                    &fields,
                    i + 1 == zone.records.len(),
                );
            }
            out.push_str("}\n");
            out
        }
        "plain" => zone
            .records
            .iter()
            .map(|r| {
                format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                    r.id,
                    r.record,
                    r.rtype,
                    r.priority,
                    r.value,
                    yes_no(r.suspended),
                    r.time,
                    r.date,
                    ttl(r)
                )
            })
            .collect(),
        "shell" => {
            let mut out =
                String::from("ID RECORD TYPE VALUE DATE TTL\n-- ------ ---- ----- ---- ----\n");
            for r in &zone.records {
                let short: String = r.value.chars().take(30).collect();
                let _ = writeln!(
                    out,
                    "{} {} {} {} {} {}",
                    r.id,
                    r.record,
                    r.rtype,
                    short,
                    r.date,
                    ttl(r)
                );
            }
            out
        }
        _ => String::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_shaped_like_the_scripts_do() {
        assert_eq!(
            shape_value("TXT", "say \"hello world\""),
            "\"say hello world\""
        );
        assert_eq!(shape_value("TXT", "token-abc123"), "token-abc123");
        assert_eq!(
            shape_value("TXT", "v=x; \"in quotes\" it's"),
            "\"v=x; in quotes it's\""
        );
        assert_eq!(
            shape_value("CNAME", "host1.cap-dns.com"),
            "host1.cap-dns.com."
        );
        assert_eq!(
            shape_value("CAA", "0 issue \"letsencrypt.org\""),
            "0 issue \"letsencrypt.org\""
        );
        assert_eq!(
            shape_value("SRV", "0 5061 sip.cap-dns.com"),
            "0 5061 sip.cap-dns.com."
        );
    }

    #[test]
    fn fqdn_needs_enough_dots() {
        assert!(fqdn("MX", "mail.").is_err());
        assert!(fqdn("MX", "mail.example.").is_ok());
        assert!(fqdn("NS", "ns.example.").is_err());
        assert!(fqdn("A", "1.2.3.4").is_ok());
    }
}
