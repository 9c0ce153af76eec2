//! DNS zones and records: zones that come with domains, the record life cycle, validation,
//! and line numbers that shift when a record before them is deleted.

use super::*;

const ZONES: &str = "/api/server-accounts/1/dns-zones";
const RECORDS: &str = "/api/server-accounts/1/dns-zones/main.example/records";

async fn records(sim: &Sim) -> Vec<Value> {
    let answer = sim.user(1, "GET", RECORDS, None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.body["data"].as_array().cloned().unwrap_or_default()
}

/// (line, name, type, content) of every record.
async fn lines(sim: &Sim) -> Vec<(String, String, String, String)> {
    records(sim)
        .await
        .iter()
        .map(|r| {
            let text = |key: &str| r[key].as_str().unwrap_or_default().to_string();
            (text("line"), text("name"), text("type"), text("content"))
        })
        .collect()
}

async fn create(sim: &Sim, body: Value) -> Answer {
    sim.user(1, "POST", RECORDS, Some(body)).await
}

#[tokio::test]
async fn zones_come_and_go_with_domains_and_start_with_default_records() {
    let sim = world();
    let zones = sim.user(1, "GET", ZONES, None).await;
    assert_eq!(
        zones.body["data"],
        json!([
            {"name": "main.example", "details": {"remote_id": "main.example"}},
            {"name": "shop.example", "details": {"remote_id": "shop.example"}}
        ])
    );
    let types = sim
        .user(1, "GET", &format!("{ZONES}/record-types"), None)
        .await;
    assert_eq!(
        types.body["data"],
        json!(["A", "AAAA", "CAA", "CNAME", "DS", "MX", "NS", "PTR", "SRV", "TXT"])
    );

    let listed = records(&sim).await;
    assert_eq!(listed.len(), 8);
    assert_eq!(listed[0]["line"], "2", "line 1 is the zone's $TTL");
    assert_eq!(listed[0]["type"], "SOA");
    let a = &listed[3];
    assert_eq!(
        a,
        &json!({"line": A_RECORD_LINE, "name": "main.example.", "type": "A", "ttl": "14400",
                "content": "192.0.2.10", "rdata": "192.0.2.10", "proxied": false})
    );
    assert_eq!(listed[7]["type"], "TXT");
    assert_eq!(listed[7]["content"], "v=spf1 +a +mx ~all");
    assert_eq!(listed[7]["rdata"], "\"v=spf1 +a +mx ~all\"");

    // A subdomain lives in its parent's zone; an alias gets a zone of its own.
    for (domain, kind) in [("blog", "sub"), ("main.example.net", "alias")] {
        let added = sim
            .user(
                1,
                "POST",
                "/api/server-accounts/1/domains",
                Some(json!({"domain": domain, "type": kind, "parent_domain": "main.example"})),
            )
            .await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    }
    let names = |answer: &Answer| -> Vec<Value> {
        answer.body["data"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|z| z["name"].clone())
            .collect()
    };
    let zones = sim.user(1, "GET", ZONES, None).await;
    assert_eq!(
        names(&zones),
        vec![
            json!("main.example"),
            json!("main.example.net"),
            json!("shop.example")
        ]
    );
    let deleted = sim
        .user(
            1,
            "DELETE",
            "/api/server-accounts/1/domains/shop.example",
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let gone = sim
        .user(1, "GET", &format!("{ZONES}/shop.example/records"), None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(
        gone.body,
        json!({"message": "DNS zone shop.example not found."})
    );
    // Zones are reached through the owner's hosting account only.
    let foreign = sim.user(2, "GET", RECORDS, None).await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn records_are_created_read_updated_and_deleted() {
    let sim = world();
    let created = create(
        &sim,
        json!({"name": "www2", "type": "A", "address": "192.0.2.1", "ttl": 300}),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(
        created.body["data"],
        json!({"line": "10", "name": "www2.main.example.", "type": "A", "ttl": "300",
               "content": "192.0.2.1", "rdata": "192.0.2.1", "proxied": false})
    );
    assert_eq!(records(&sim).await.last(), Some(&created.body["data"]));

    // Every type is built from its own fields, host names fully qualified.
    let cases = [
        (
            json!({"name": "@", "type": "MX", "preference": 10, "exchange": "mx.main.example"}),
            "10 mx.main.example.",
        ),
        (
            json!({"name": "v6", "type": "AAAA", "address": "2001:DB8:0:0::1"}),
            "2001:db8::1",
        ),
        (
            json!({"name": "_sip._tcp", "type": "SRV", "priority": 1, "weight": 2, "port": 5060, "target": "sip.example.org."}),
            "1 2 5060 sip.example.org.",
        ),
        (
            json!({"name": "@", "type": "CAA", "flag": false, "tag": "issue", "value": "letsencrypt.org"}),
            "0 issue \"letsencrypt.org\"",
        ),
        (
            json!({"name": "alias", "type": "CNAME", "cname": "www.example.org"}),
            "www.example.org.",
        ),
        (
            json!({"name": "sub", "type": "NS", "nameserver": "ns.example.org"}),
            "ns.example.org.",
        ),
        (
            json!({"name": "raw", "type": "A", "rdata": "198.51.100.4"}),
            "198.51.100.4",
        ),
        (
            json!({"name": "ds", "type": "DS", "rdata": "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"}),
            "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
        ),
    ];
    for (body, content) in cases {
        let answer = create(&sim, body.clone()).await;
        assert_eq!(answer.status, StatusCode::OK, "{body}: {}", answer.body);
        assert_eq!(answer.body["data"]["content"], content, "{body}");
    }

    // TXT data longer than 255 bytes and with quotes round-trips exactly.
    let dkim = format!("v=DKIM1; k=rsa; p={}; n=\"quoted\\\"", "M".repeat(400));
    let txt = create(
        &sim,
        json!({"name": "sel._domainkey", "type": "TXT", "txtdata": dkim}),
    )
    .await;
    assert_eq!(txt.body["data"]["content"], dkim);
    let rdata = txt.body["data"]["rdata"].as_str().unwrap();
    assert!(rdata.starts_with('"') && rdata.contains("\" \""), "{rdata}");

    let line = created.body["data"]["line"].as_str().unwrap().to_string();
    let updated = sim
        .user(
            1,
            "PUT",
            &format!("{RECORDS}/{line}"),
            Some(json!({"name": "www2", "type": "CNAME", "cname": "main.example."})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(
        (
            updated.body["data"]["line"].clone(),
            updated.body["data"]["type"].clone(),
            updated.body["data"]["ttl"].clone()
        ),
        (json!(line), json!("CNAME"), json!("14400")),
        "the line stays; an update replaces the whole record"
    );
    let toggled = sim
        .user(1, "PATCH", &format!("{RECORDS}/{line}/toggle-proxy"), None)
        .await;
    assert_eq!(toggled.body["data"]["proxied"], true);

    let deleted = sim
        .user(1, "DELETE", &format!("{RECORDS}/{line}"), None)
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert!(!records(&sim)
        .await
        .iter()
        .any(|r| r["name"] == "www2.main.example."));
}

#[tokio::test]
async fn invalid_records_get_laravel_422s_and_missing_ones_404s() {
    let sim = world();
    let field_error = |answer: &Answer, field: &str| -> Value {
        assert_eq!(
            answer.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            answer.body
        );
        answer.body["errors"][field].clone()
    };
    let cases = [
        (json!({"name": "x"}), "type", "The type field is required."),
        (
            json!({"name": "x", "type": "SOA", "rdata": "x"}),
            "type",
            "The selected type is invalid.",
        ),
        (
            json!({"name": "x", "type": "A"}),
            "address",
            "The address field is required when type is A.",
        ),
        (
            json!({"name": "x", "type": "A", "address": "999.1.1.1"}),
            "address",
            "The address field must be a valid IPv4 address.",
        ),
        (
            json!({"name": "x", "type": "MX", "exchange": "mx.example.org"}),
            "preference",
            "The preference field is required when type is MX.",
        ),
        (
            json!({"name": "x.other.org.", "type": "A", "address": "192.0.2.1"}),
            "name",
            "The name field must be a name in the zone main.example.",
        ),
        (
            json!({"name": "x", "type": "A", "address": "192.0.2.1", "ttl": 0}),
            "ttl",
            "The ttl field must be at least 1.",
        ),
        (
            json!({"name": "bad name", "type": "A", "address": "192.0.2.1"}),
            "name",
            "The name field format is invalid.",
        ),
    ];
    for (body, field, message) in cases {
        let answer = create(&sim, body.clone()).await;
        assert_eq!(field_error(&answer, field), json!([message]), "{body}");
    }

    let duplicate = create(
        &sim,
        json!({"name": "@", "type": "A", "address": "192.0.2.10"}),
    )
    .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        duplicate.body,
        json!({"message": "The A record main.example. already exists in the zone."})
    );
    let beside_cname = create(
        &sim,
        json!({"name": "www", "type": "TXT", "txtdata": "hello"}),
    )
    .await;
    assert_eq!(
        beside_cname.body["message"],
        "A CNAME record cannot coexist with other records of the same name (www.main.example.)."
    );

    let soa = sim.user(1, "DELETE", &format!("{RECORDS}/2"), None).await;
    assert_eq!(
        (soa.status, soa.body),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"message": "The SOA record cannot be deleted."})
        )
    );
    for line in ["1", "99", "abc"] {
        let missing = sim
            .user(1, "DELETE", &format!("{RECORDS}/{line}"), None)
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND, "{line}");
        assert_eq!(
            missing.body["message"],
            format!("Record on line {line} not found.")
        );
    }
    let no_zone = sim
        .user(
            1,
            "POST",
            &format!("{ZONES}/nothing.example/records"),
            Some(json!({"name": "x", "type": "A", "address": "192.0.2.1"})),
        )
        .await;
    assert_eq!(no_zone.status, StatusCode::NOT_FOUND);
    assert_eq!(records(&sim).await.len(), 8, "nothing was added");
}

#[tokio::test]
async fn deleting_a_record_renumbers_every_record_after_it() {
    let sim = world();
    for n in 1..=5 {
        let answer = create(
            &sim,
            json!({"name": format!("h{n}"), "type": "A", "address": format!("192.0.2.{n}")}),
        )
        .await;
        assert_eq!(answer.body["data"]["line"], json!((9 + n).to_string()));
    }
    let deleted = sim.user(1, "DELETE", &format!("{RECORDS}/11"), None).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    let after: Vec<(String, String)> = lines(&sim)
        .await
        .into_iter()
        .filter(|(_, name, _, _)| name.starts_with('h'))
        .map(|(line, name, _, _)| (line, name))
        .collect();
    let expected: Vec<(String, String)> = [
        ("10", "h1.main.example."),
        ("11", "h3.main.example."),
        ("12", "h4.main.example."),
        ("13", "h5.main.example."),
    ]
    .iter()
    .map(|(l, n)| (l.to_string(), n.to_string()))
    .collect();
    assert_eq!(after, expected);
    // The old last line is gone; what was on line 12 is now on line 11.
    let stale = sim.user(1, "DELETE", &format!("{RECORDS}/14"), None).await;
    assert_eq!(stale.status, StatusCode::NOT_FOUND);
    let updated = sim
        .user(
            1,
            "PUT",
            &format!("{RECORDS}/11"),
            Some(json!({"name": "h3", "type": "A", "address": "203.0.113.3"})),
        )
        .await;
    assert_eq!(updated.body["data"]["name"], "h3.main.example.");
    assert_eq!(updated.body["data"]["line"], "11");
    // Every change (five creates, a delete, an update) bumped the SOA serial.
    let soa = &records(&sim).await[0];
    let serial: u64 = soa["content"]
        .as_str()
        .and_then(|c| c.split(' ').nth(2))
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert_eq!(serial % 100, 8, "seven changes after 01: {serial}");
}
