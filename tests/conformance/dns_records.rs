//! DNS record cases: create / read / update / delete / import / find through the
//! backend, checked with the panel's own listing; records the panel numbers again
//! (HestiaCP hands a deleted highest number to the next record) and records Terraform
//! does not own; a create whose answer is lost, found again by content; refusals naming
//! the attribute. Every case runs on the four panels. Plesk XML has no record update: a
//! change is a new record (new id) added before the old one is deleted ([`xml_change`]);
//! PanelAlpha addresses records by line, which moves when a line above is deleted
//! ([`renumbering`]).

use serde_json::{json, Value};
use terraform_provider_panel::panel::{
    DnsRecord, DnsRecordKey, DnsRecordPatch, DnsRecordSpec, ListFilter, Locator, PanelKind,
    PanelObject, Service, User,
};

use super::{assert_invalid, ok, service, Fixture};

const ZONE: &str = "conf-dns.com";

fn dns(fx: &Fixture) -> &dyn Service<DnsRecord> {
    service::<DnsRecord>(fx.panel.as_ref()).expect("a DNS record service")
}

fn spec(
    owner: &User,
    rtype: &str,
    name: &str,
    value: &str,
    priority: Option<u32>,
) -> DnsRecordSpec {
    DnsRecordSpec {
        owner: owner.id.clone(),
        zone: ZONE.to_owned(),
        rtype: rtype.to_owned(),
        name: name.to_owned(),
        value: value.to_owned(),
        ttl: None,
        priority,
    }
}

fn at(record: &DnsRecord) -> Locator {
    record.locator()
}

/// Runs a HestiaCP command through the panel's API, as a person at the panel would;
/// answers the body.
async fn hestia(fx: &Fixture, cmd: &str, args: &[&str]) -> String {
    let text = |key: &str| {
        fx.sim.credentials[key]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let mut form = vec![
        ("access_key".to_owned(), text("access_key")),
        ("secret_key".to_owned(), text("secret_key")),
        ("cmd".to_owned(), cmd.to_owned()),
    ];
    for (n, arg) in args.iter().enumerate() {
        form.push((format!("arg{}", n + 1), (*arg).to_owned()));
    }
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .expect("client");
    let response = client
        .post(format!("{}/api/", fx.sim.base_url))
        .form(&form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    response.text().await.unwrap_or_default()
}

/// A Plesk REST call, as a person's script would make it; answers the body.
async fn plesk(fx: &Fixture, method: reqwest::Method, path: &str, body: Option<Value>) -> String {
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .expect("client");
    let key = fx.sim.credentials["api_key"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut request = client
        .request(method, format!("{}/api/v2/{path}", fx.sim.base_url))
        .header("X-API-Key", key)
        .header("Accept", "application/json");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    response.text().await.unwrap_or_default()
}

fn is_plesk(kind: PanelKind) -> bool {
    matches!(kind, PanelKind::PleskRest | PanelKind::PleskXml)
}

/// A PanelAlpha user-API call as the user `user` (a person in the panel's UI); answers
/// the body's data.
async fn panelalpha(
    fx: &Fixture,
    method: reqwest::Method,
    path: &str,
    user: &str,
    body: Option<Value>,
) -> Value {
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .expect("client");
    let token = fx.sim.credentials["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let mut request = client
        .request(method, format!("{}/api/{path}", fx.sim.base_url))
        .bearer_auth(token)
        .header("X-PanelAlpha-User", user)
        .header("Accept", "application/json");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    let status = response.status();
    let text = response.text().await.unwrap_or_default();
    assert!(status.is_success(), "{path}: {status} {text}");
    let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    match value.get("data") {
        Some(data) => data.clone(),
        None => value,
    }
}

/// The owner's hosting account holding `ZONE` (PanelAlpha).
async fn zone_account(fx: &Fixture, owner: &str) -> String {
    let accounts = panelalpha(fx, reqwest::Method::GET, "server-accounts", owner, None).await;
    for account in accounts.as_array().into_iter().flatten() {
        let id = account["id"].to_string();
        let zones = panelalpha(
            fx,
            reqwest::Method::GET,
            &format!("server-accounts/{id}/dns-zones"),
            owner,
            None,
        )
        .await;
        if zones
            .as_array()
            .into_iter()
            .flatten()
            .any(|z| z["name"] == ZONE)
        {
            return id;
        }
    }
    panic!("no hosting account of {owner} has {ZONE}: {accounts}");
}

/// The zone's records as the panel lists them: `(id, name, type, value)`. Both Plesk
/// kinds are one server: its REST listing is the panel's own view for both.
async fn panel_records(fx: &Fixture, owner: &str) -> Vec<(String, String, String, String)> {
    if is_plesk(fx.kind) {
        let body = plesk(
            fx,
            reqwest::Method::GET,
            &format!("dns/records?domain={ZONE}"),
            None,
        )
        .await;
        let listed: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        return listed
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                (
                    r["id"].to_string(),
                    text(&r["host"]),
                    text(&r["type"]),
                    text(&r["value"]),
                )
            })
            .collect();
    }
    if fx.kind == PanelKind::PanelAlpha {
        let account = zone_account(fx, owner).await;
        let listed = panelalpha(
            fx,
            reqwest::Method::GET,
            &format!("server-accounts/{account}/dns-zones/{ZONE}/records"),
            owner,
            None,
        )
        .await;
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        // The SOA record is the panel's bookkeeping (its serial moves with every change).
        return listed
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["type"] != "SOA")
            .map(|r| {
                (
                    text(&r["line"]),
                    text(&r["name"]),
                    text(&r["type"]),
                    text(&r["content"]),
                )
            })
            .collect();
    }
    let body = hestia(fx, "v-list-dns-records", &[owner, ZONE, "json"]).await;
    let listed: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    listed
        .as_object()
        .into_iter()
        .flat_map(|m| m.iter())
        .map(|(id, r)| {
            (
                id.clone(),
                text(&r["RECORD"]),
                text(&r["TYPE"]),
                text(&r["VALUE"]),
            )
        })
        .collect()
}

/// An owner with the zone `ZONE` (HestiaCP adds its default records).
async fn owner_with_zone(fx: &Fixture, tag: &str) -> User {
    let owner = fx.create_owner(tag).await;
    if is_plesk(fx.kind) || fx.kind == PanelKind::PanelAlpha {
        fx.create_site(&owner, ZONE).await;
    } else {
        hestia(fx, "v-add-dns-domain", &[&owner.id, ZONE, "192.0.2.10"]).await;
    }
    assert!(
        !panel_records(fx, &owner.id).await.is_empty(),
        "the zone was added with its default records"
    );
    owner
}

pub async fn lifecycle(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = owner_with_zone(&fx, "dns").await;
    let before = panel_records(&fx, &owner.id).await;
    let dns = dns(&fx);

    let a = spec(&owner, "A", "host1", "192.0.2.20", None);
    assert_eq!(
        ok(dns.find(&DnsRecord::spec_key(&a)).await, "find before"),
        None
    );
    let a = ok(dns.create(&a).await, "create A");
    assert_eq!((a.rtype.as_str(), a.name.as_str()), ("A", "host1"));
    let mx = ok(
        dns.create(&spec(&owner, "MX", "@", "mx2.conf-dns.com", Some(20)))
            .await,
        "create MX",
    );
    assert_eq!(
        (mx.value.as_str(), mx.priority),
        ("mx2.conf-dns.com", Some(20))
    );
    // Longer than 255 bytes, with a space, `;` and an apostrophe: read back exactly.
    let long = format!("v=DKIM1; k=rsa; it's p={}", "AbCd0123".repeat(40));
    assert!(long.len() > 255);
    let txt = ok(
        dns.create(&spec(&owner, "TXT", "mail._domainkey", &long, None))
            .await,
        "create TXT",
    );
    assert_eq!(txt.value, long);
    let plain = ok(
        dns.create(&spec(&owner, "TXT", "", "token-abc123", None))
            .await,
        "create TXT at the apex",
    );
    assert_eq!(
        (plain.name.as_str(), plain.value.as_str()),
        ("@", "token-abc123")
    );

    let fresh = fx.backend();
    let fresh_dns = service::<DnsRecord>(fresh.as_ref()).expect("service");
    for record in [&a, &mx, &txt, &plain] {
        assert_eq!(
            ok(dns.read_back(&at(record)).await, "read_back").as_ref(),
            Some(record)
        );
        assert_eq!(
            ok(fresh_dns.get(&at(record)).await, "fresh get").as_ref(),
            Some(record)
        );
    }
    let by_content = DnsRecordKey {
        owner: owner.id.clone(),
        zone: "CONF-DNS.com.".into(),
        rtype: "MX".into(),
        name: "conf-dns.com".into(),
        value: "MX2.conf-dns.com.".into(),
        priority: Some(20),
    };
    assert_eq!(
        ok(fresh_dns.find(&by_content).await, "find").as_ref(),
        Some(&mx)
    );
    let other_priority = DnsRecordKey {
        priority: Some(30),
        ..by_content.clone()
    };
    assert_eq!(
        ok(fresh_dns.find(&other_priority).await, "find other"),
        None
    );
    let listed = ok(
        fresh_dns
            .list(&ListFilter::owned_by(owner.id.clone()))
            .await,
        "list",
    );
    for record in [&a, &mx, &txt, &plain] {
        assert!(listed.contains(record), "{record:?} not in {listed:?}");
    }
    // The zone's records the provider manages (PanelAlpha's SOA is not one of them; its
    // users have other zones too).
    let managed = before.iter().filter(|r| r.2 != "SOA").count();
    let in_zone = listed.iter().filter(|r| r.zone == ZONE).count();
    assert_eq!(in_zone, managed + 4, "{listed:?}");

    // In place: value, name, TTL; the id stays. Plesk XML: no TTL, and a change is a
    // new record with a new id, the old one gone.
    let keeps_id = fx.caps().dns_record_update_keeps_id;
    let patch = DnsRecordPatch {
        value: Some("192.0.2.30".into()),
        ttl: fx.caps().dns_record_ttl.then_some(600),
        ..DnsRecordPatch::default()
    };
    let changed = ok(dns.update(&at(&a), &patch).await, "update A");
    assert_eq!(changed.id == a.id, keeps_id, "{} -> {}", a.id, changed.id);
    let ttl = if fx.caps().dns_record_ttl {
        Some(600)
    } else {
        None
    };
    assert_eq!((changed.value.as_str(), changed.ttl), ("192.0.2.30", ttl));
    if !fx.caps().dns_record_ttl {
        let patch = DnsRecordPatch {
            ttl: Some(600),
            ..DnsRecordPatch::default()
        };
        assert_invalid(dns.update(&at(&changed), &patch).await, "ttl", "a TTL");
        let mut with_ttl = spec(&owner, "A", "ttl", "192.0.2.40", None);
        with_ttl.ttl = Some(600);
        assert_invalid(dns.create(&with_ttl).await, "ttl", "a TTL");
    }
    let patch = DnsRecordPatch {
        value: Some(format!("{long} more")),
        ..DnsRecordPatch::default()
    };
    let txt2 = ok(dns.update(&at(&txt), &patch).await, "update TXT");
    assert_eq!(txt2.value, format!("{long} more"));
    assert_eq!(txt2.id == txt.id, keeps_id);
    let later = fx.backend();
    assert_eq!(
        ok(
            service::<DnsRecord>(later.as_ref())
                .expect("service")
                .get(&at(&txt))
                .await,
            "the old TXT through its locator"
        ),
        None,
        "after the change, the old content is found nowhere"
    );
    let empty = ok(
        dns.update(&at(&txt2), &DnsRecordPatch::default()).await,
        "an empty change",
    );
    assert_eq!(empty, txt2, "an empty change changes nothing");

    // Import by the documented ids.
    assert_eq!(
        ok(fresh_dns.import(&changed.id).await, "import id").as_ref(),
        Some(&changed)
    );
    let by_content = match kind {
        PanelKind::PleskRest | PanelKind::PleskXml => format!("{ZONE}/MX/@/mx2.conf-dns.com"),
        // PanelAlpha: USER_ID/ZONE/TYPE/NAME/VALUE, like HestiaCP's.
        _ => format!("{}/{ZONE}/MX/@/mx2.conf-dns.com", owner.id),
    };
    assert_eq!(
        ok(fresh_dns.import(&by_content).await, "import content").as_ref(),
        Some(&mx)
    );
    assert_eq!(dns.import_id(&mx), mx.id);

    for record in [&changed, &mx, &txt2, &plain] {
        ok(dns.delete(&at(record)).await, "delete");
        ok(dns.delete(&at(record)).await, "delete again is idempotent");
        assert_eq!(ok(dns.get(&at(record)).await, "get after delete"), None);
    }
    assert_eq!(
        panel_records(&fx, &owner.id).await,
        before,
        "the zone's own records are untouched"
    );
}

/// A record's number handed to another record (HestiaCP reuses the highest number
/// after its record is deleted) is not this record any more: never read as it, changed
/// or deleted through it.
pub async fn renumbering(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = owner_with_zone(&fx, "renum").await;
    let dns = dns(&fx);
    let first = ok(
        dns.create(&spec(&owner, "A", "one", "192.0.2.1", None))
            .await,
        "first",
    );
    let last = ok(
        dns.create(&spec(&owner, "A", "two", "192.0.2.2", None))
            .await,
        "last",
    );
    // At the panel: the last record goes, and a person adds another one.
    let number = last.id.rsplit('/').next().unwrap_or_default().to_owned();
    if is_plesk(kind) {
        plesk(
            &fx,
            reqwest::Method::DELETE,
            &format!("dns/records/{number}"),
            None,
        )
        .await;
        plesk(
            &fx,
            reqwest::Method::POST,
            &format!("dns/records?domain={ZONE}"),
            Some(json!({"type": "A", "host": "foreign", "value": "192.0.2.99"})),
        )
        .await;
    } else if kind == PanelKind::PanelAlpha {
        let account = zone_account(&fx, &owner.id).await;
        let records = format!("server-accounts/{account}/dns-zones/{ZONE}/records");
        panelalpha(
            &fx,
            reqwest::Method::DELETE,
            &format!("{records}/{number}"),
            &owner.id,
            None,
        )
        .await;
        panelalpha(
            &fx,
            reqwest::Method::POST,
            &records,
            &owner.id,
            Some(json!({"name": "foreign", "type": "A", "address": "192.0.2.99"})),
        )
        .await;
        let foreign = panel_records(&fx, &owner.id)
            .await
            .into_iter()
            .find(|r| r.1.starts_with("foreign."))
            .expect("the foreign record");
        assert_eq!(foreign.0, number, "the panel put it on the freed line");
    } else {
        hestia(&fx, "v-delete-dns-record", &[&owner.id, ZONE, &number]).await;
        hestia(
            &fx,
            "v-add-dns-record",
            &[&owner.id, ZONE, "foreign", "A", "192.0.2.99"],
        )
        .await;
        let foreign = panel_records(&fx, &owner.id)
            .await
            .into_iter()
            .find(|r| r.1 == "foreign")
            .expect("the foreign record");
        assert_eq!(foreign.0, number, "the panel handed the number out again");
    }

    let fresh = fx.backend();
    let fresh_dns = service::<DnsRecord>(fresh.as_ref()).expect("service");
    assert_eq!(
        ok(fresh_dns.get(&at(&last)).await, "get by the reused number"),
        None
    );
    let patch = DnsRecordPatch {
        value: Some("192.0.2.3".into()),
        ..DnsRecordPatch::default()
    };
    assert!(
        fresh_dns.update(&at(&last), &patch).await.is_err(),
        "an update through a reused number must fail"
    );
    ok(
        fresh_dns.delete(&at(&last)).await,
        "delete of a record already gone",
    );
    let records = panel_records(&fx, &owner.id).await;
    assert!(
        records
            .iter()
            .any(|r| r.1.starts_with("foreign") && r.3 == "192.0.2.99"),
        "the foreign record was changed or deleted: {records:?}"
    );
    // The other record is untouched and still found by its number.
    assert_eq!(
        ok(fresh_dns.get(&at(&first)).await, "first").as_ref(),
        Some(&first)
    );
    if kind != PanelKind::PanelAlpha {
        return;
    }
    // PanelAlpha: a line above ours is deleted at the panel, so every line after it
    // moves up one. Ours is found on its new line, changed and deleted there, and the
    // record now on its old line is never touched.
    let account = zone_account(&fx, &owner.id).await;
    let records = format!("server-accounts/{account}/dns-zones/{ZONE}/records");
    let above = panel_records(&fx, &owner.id)
        .await
        .into_iter()
        .find(|r| r.2 == "CNAME")
        .expect("a template CNAME above our records");
    panelalpha(
        &fx,
        reqwest::Method::DELETE,
        &format!("{records}/{}", above.0),
        &owner.id,
        None,
    )
    .await;
    let later = fx.backend();
    let later_dns = service::<DnsRecord>(later.as_ref()).expect("service");
    let moved =
        ok(later_dns.get(&at(&first)).await, "first after the shift").expect("found by content");
    assert_ne!(moved.id, first.id, "it moved");
    assert_eq!(
        (moved.name.as_str(), moved.value.as_str()),
        ("one", "192.0.2.1")
    );
    let before = panel_records(&fx, &owner.id).await;
    let old_line = first.id.rsplit('/').next().unwrap_or_default().to_owned();
    let on_old_line = before
        .iter()
        .find(|r| r.0 == old_line)
        .cloned()
        .expect("another record on the old line");
    let changed = ok(
        later_dns.update(&at(&first), &patch).await,
        "update through the old line",
    );
    assert_eq!(changed.id, moved.id);
    assert_eq!(changed.value, "192.0.2.3");
    ok(later_dns.delete(&at(&changed)).await, "delete");
    let after = panel_records(&fx, &owner.id).await;
    assert!(
        after
            .iter()
            .any(|r| r.1 == on_old_line.1 && r.2 == on_old_line.2 && r.3 == on_old_line.3),
        "the record on the old line is untouched: {after:?}"
    );
    assert!(!after
        .iter()
        .any(|r| r.3 == "192.0.2.3" || r.3 == "192.0.2.1"));
}

/// The create's answer is lost after the panel committed: not created twice, and a
/// lookup by content (what the engine does) finds it.
pub async fn lost_create_answer(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = owner_with_zone(&fx, "lost").await;
    let dns = dns(&fx);
    let wanted = spec(&owner, "TXT", "lost", "v=lost; answer", None);
    let key = DnsRecord::spec_key(&wanted);
    assert_eq!(ok(dns.find(&key).await, "find before"), None);
    fx.control.clear_requests().await;
    let route = match kind {
        PanelKind::PleskRest => "POST /api/v2/dns/records",
        PanelKind::PleskXml => "xml dns.add_rec",
        PanelKind::PanelAlpha => "POST /api/server-accounts/{id}/dns-zones/{name}/records",
        _ => "v-add-dns-record",
    };
    fx.control
        .faults(json!({"drop_after_commit": [{"route": route}]}))
        .await;
    let error = match dns.create(&wanted).await {
        Ok(record) => panic!("create succeeded although its answer was lost: {record:?}"),
        Err(e) => e,
    };
    assert!(error.may_have_taken_effect(), "{error:?}");
    assert_eq!(fx.control.requests().await.route(route), 1, "sent once");
    let fresh = fx.backend();
    let found = ok(
        service::<DnsRecord>(fresh.as_ref())
            .expect("service")
            .find(&key)
            .await,
        "find after",
    )
    .expect("the committed record is found by content");
    assert_eq!(found.value, wanted.value);
    let copies = panel_records(&fx, &owner.id)
        .await
        .into_iter()
        .filter(|r| r.1 == "lost" || r.1 == format!("lost.{ZONE}."))
        .count();
    assert_eq!(copies, 1, "one record, no duplicate");
}

/// Refusals name the attribute: a missing zone, a missing owner, values the panel
/// would not read back as written.
pub async fn invalid_input(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = owner_with_zone(&fx, "bad").await;
    let dns = dns(&fx);
    let mut no_zone = spec(&owner, "A", "x", "192.0.2.1", None);
    no_zone.zone = "nosuch-zone.com".into();
    assert_invalid(dns.create(&no_zone).await, "zone", "missing zone");
    if fx.caps().dns_record_owner_required {
        // HestiaCP and PanelAlpha: zones belong to users.
        let mut no_owner = spec(&owner, "A", "x", "192.0.2.1", None);
        no_owner.owner = "nosuchuser".into();
        assert_invalid(dns.create(&no_owner).await, "owner", "missing owner");
        no_owner.owner = String::new();
        assert_invalid(dns.create(&no_owner).await, "owner", "empty owner");
    }
    if kind == PanelKind::Hestia {
        assert_invalid(
            dns.create(&spec(&owner, "TXT", "q", "say \"hi\"", None))
                .await,
            "value",
            "a quote the panel would remove",
        );
    } else {
        // Plesk keeps quotes in TXT values: they round-trip exactly.
        let quoted = ok(
            dns.create(&spec(&owner, "TXT", "q", "say \"hi\" it's", None))
                .await,
            "TXT with quotes",
        );
        assert_eq!(quoted.value, "say \"hi\" it's");
        let fresh = fx.backend();
        let read = ok(
            service::<DnsRecord>(fresh.as_ref())
                .expect("service")
                .get(&at(&quoted))
                .await,
            "read quoted",
        );
        assert_eq!(read.map(|r| r.value).as_deref(), Some("say \"hi\" it's"));
    }
    assert_invalid(
        dns.create(&spec(&owner, "A", "x", "2001:db8::1", None))
            .await,
        "value",
        "IPv6 in an A record",
    );
    assert_invalid(
        dns.create(&spec(&owner, "CNAME", "@", "other.example.com", None))
            .await,
        "name",
        "CNAME at the apex (the panel's refusal)",
    );
}

/// Terraform creates and destroys in parallel: two identical records created at once
/// are two records with two ids, and parallel deletes remove exactly Terraform's
/// records, never the panel's own.
pub async fn parallel_changes(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = owner_with_zone(&fx, "par").await;
    let before = panel_records(&fx, &owner.id).await;
    let dns = dns(&fx);
    let twin = spec(&owner, "TXT", "twin", "same; content", None);
    let twins = futures::future::join_all([dns.create(&twin), dns.create(&twin)]).await;
    let twins: Vec<DnsRecord> = if kind == PanelKind::Hestia {
        // HestiaCP takes identical records (record 127).
        let twins: Vec<DnsRecord> = twins.into_iter().map(|r| ok(r, "create twin")).collect();
        assert_ne!(twins[0].id, twins[1].id, "each create has its own record");
        twins
    } else {
        // Plesk refuses the second as a duplicate.
        let (made, refused): (Vec<_>, Vec<_>) = twins.into_iter().partition(Result::is_ok);
        assert_eq!(made.len(), 1, "one twin is made");
        for error in refused.into_iter().filter_map(Result::err) {
            assert_eq!(
                error.kind,
                terraform_provider_panel::panel::PanelErrorKind::AlreadyExists
            );
        }
        made.into_iter().filter_map(Result::ok).collect()
    };
    let mut ours = twins;
    for n in 1..=4 {
        let record = spec(
            &owner,
            "A",
            &format!("par{n}"),
            &format!("192.0.2.{n}"),
            None,
        );
        ours.push(ok(dns.create(&record).await, "create ours"));
    }
    let locators: Vec<Locator> = ours.iter().map(at).collect();
    let deletes = locators.iter().map(|locator| dns.delete(locator));
    for result in futures::future::join_all(deletes).await {
        ok(result, "parallel delete");
    }
    assert_eq!(
        panel_records(&fx, &owner.id).await,
        before,
        "{}: the parallel deletes removed exactly Terraform's records",
        kind.as_str()
    );
}

/// Plesk XML has no record update: a change adds the new record, then deletes the old.
/// A lost answer to the add is found again by content and the change completes; a
/// failed delete of the old record takes the new one away again, so nothing changes.
pub async fn xml_change(kind: PanelKind) {
    if kind != PanelKind::PleskXml {
        return;
    }
    let fx = Fixture::start(kind).await;
    let owner = owner_with_zone(&fx, "xmlchg").await;
    let dns = dns(&fx);
    let record = ok(
        dns.create(&spec(&owner, "MX", "mx", "mx1.conf-dns.com", Some(10)))
            .await,
        "create",
    );
    let before = panel_records(&fx, &owner.id).await;

    // The add's answer is lost after the panel committed: found, and the old goes.
    fx.control
        .faults(json!({"drop_after_commit": [{"route": "xml dns.add_rec"}]}))
        .await;
    let patch = DnsRecordPatch {
        priority: Some(20),
        ..DnsRecordPatch::default()
    };
    let changed = ok(dns.update(&at(&record), &patch).await, "update, add lost");
    assert_eq!(changed.priority, Some(20));
    assert_ne!(changed.id, record.id);
    let after = panel_records(&fx, &owner.id).await;
    assert_eq!(after.len(), before.len(), "one record for one: {after:?}");
    assert!(
        after
            .iter()
            .any(|r| r.0 == changed.id.rsplit('/').next().unwrap_or_default()),
        "{after:?}"
    );
    assert!(
        !after
            .iter()
            .any(|r| r.0 == record.id.rsplit('/').next().unwrap_or_default()),
        "the old record is gone: {after:?}"
    );

    // The delete of the old record fails: the new one is taken away again.
    let before = panel_records(&fx, &owner.id).await;
    fx.control
        .faults(json!({"fail_next": [{"status": 500, "route": "xml dns.del_rec", "count": 1}]}))
        .await;
    let patch = DnsRecordPatch {
        value: Some("mx3.conf-dns.com".into()),
        ..DnsRecordPatch::default()
    };
    let error = match dns.update(&at(&changed), &patch).await {
        Ok(record) => panic!("the update succeeded although the delete failed: {record:?}"),
        Err(e) => e,
    };
    assert!(error.message.contains("nothing was changed"), "{error:?}");
    assert_eq!(
        panel_records(&fx, &owner.id).await,
        before,
        "the zone is as before the failed change"
    );
    assert_eq!(
        ok(
            fx.backend()
                .dns_records()
                .expect("service")
                .get(&at(&changed))
                .await,
            "get"
        )
        .as_ref(),
        Some(&changed),
        "the record in state is still there"
    );

    // The new content is held by another record already: refused, nothing changed.
    let other = ok(
        dns.create(&spec(&owner, "MX", "mx", "mx4.conf-dns.com", Some(20)))
            .await,
        "another",
    );
    let patch = DnsRecordPatch {
        value: Some("mx4.conf-dns.com".into()),
        ..DnsRecordPatch::default()
    };
    let before = panel_records(&fx, &owner.id).await;
    match dns.update(&at(&changed), &patch).await {
        Ok(record) => panic!("changed onto another record's content: {record:?}"),
        Err(e) => assert_eq!(
            e.kind,
            terraform_provider_panel::panel::PanelErrorKind::AlreadyExists,
            "{e:?}"
        ),
    }
    assert_eq!(panel_records(&fx, &owner.id).await, before);
    ok(dns.delete(&at(&other)).await, "delete other");
    ok(dns.delete(&at(&changed)).await, "delete");
}
