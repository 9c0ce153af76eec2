//! The object types of the breadth issues (DNS records, FTP accounts, mail, certificates,
//! subdomains) through the XML API: lifecycle, the documented error codes, answers that
//! fit the 1.6.9.1 output schema outline, and passwords visible only as digests.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::{json, Value};

use super::outline::assert_matches_schema;
use super::panel::SimPanel as _;
use super::{assert_system_error, Sim, Tree};

fn tree(xml: &str) -> Tree {
    Tree::parse(xml).unwrap_or_else(|e| panic!("not XML ({e}): {xml}"))
}

/// `(status, errcode)` of every `result` under `path`'s parent, in order.
fn results(xml: &str, path: &str) -> Vec<(String, Option<String>)> {
    let answer = tree(xml);
    let (parent, _) = path.rsplit_once('/').expect("path has a parent");
    let node = answer
        .at(parent)
        .unwrap_or_else(|| panic!("no {parent} in {xml}"));
    node.children
        .iter()
        .filter(|c| c.name == "result")
        .map(|r| {
            (
                r.text_at("status").unwrap_or_default(),
                r.text_at("errcode"),
            )
        })
        .collect()
}

fn ok(xml: &str, path: &str) {
    let all = results(xml, path);
    assert!(
        !all.is_empty() && all.iter().all(|(s, _)| s == "ok"),
        "{xml}"
    );
    assert_matches_schema(xml);
}

fn error_code(xml: &str, path: &str) -> String {
    assert_matches_schema(xml);
    let all = results(xml, path);
    let (status, code) = all
        .first()
        .cloned()
        .unwrap_or_else(|| panic!("no result in {xml}"));
    assert_eq!(status, "error", "{xml}");
    code.unwrap_or_default()
}

fn seeded() -> Sim {
    Sim::seeded(json!({
        "clients": [{"login": "jdoe"}],
        "domains": [
            {"name": "example.com", "owner_login": "jdoe", "ftp_login": "exftp", "ftp_password": "secret1"},
            {"name": "other.example", "owner_login": "jdoe"}
        ]
    }))
}

fn dump(sim: &Sim) -> Value {
    sim.panel.dump()
}

#[tokio::test]
async fn dns_records_follow_the_official_client_and_the_error_codes() {
    let sim = seeded();
    // New zones carry the default records (assumption, see dns.rs): NS, A, www, mail, MX.
    let zone = sim
        .xml("<packet><dns><get_rec><filter><site-id>1</site-id></filter></get_rec></dns></packet>")
        .await;
    ok(&zone, "dns/get_rec/result");
    let hosts: Vec<String> = tree(&zone)
        .at("dns/get_rec")
        .unwrap()
        .children
        .iter()
        .filter_map(|r| r.text_at("data/host"))
        .collect();
    assert!(hosts.contains(&"www.example.com.".to_owned()), "{hosts:?}");

    // DnsTest::testBulkCreate: three add_rec in one packet, one result each.
    let added = sim
        .xml("<packet><dns><add_rec><site-id>1</site-id><type>TXT</type><host>host</host><value>value</value></add_rec></dns><dns><add_rec><site-id>1</site-id><type>A</type><host>host</host><value>1.1.1.1</value></add_rec></dns><dns><add_rec><site-id>1</site-id><type>MX</type><host>custom-mail</host><value>1.1.1.1</value><opt>10</opt></add_rec></dns></packet>")
        .await;
    assert_matches_schema(&added);
    let ids: Vec<String> = tree(&added)
        .children
        .iter()
        .filter_map(|d| d.text_at("add_rec/result/id"))
        .collect();
    assert_eq!(ids.len(), 3, "{added}");

    // DnsTest::testGetById: TXT with an empty host is the apex; site-id comes back.
    let apex = sim.xml("<packet><dns><add_rec><site-id>1</site-id><type>TXT</type><host></host><value>v=verify</value></add_rec></dns></packet>").await;
    ok(&apex, "dns/add_rec/result");
    let apex_id = tree(&apex).text_at("dns/add_rec/result/id").unwrap();
    let got = sim
        .xml(&format!(
            "<packet><dns><get_rec><filter><id>{apex_id}</id></filter></get_rec></dns></packet>"
        ))
        .await;
    ok(&got, "dns/get_rec/result");
    let data = tree(&got);
    assert_eq!(
        data.text_at("dns/get_rec/result/data/site-id").as_deref(),
        Some("1")
    );
    assert_eq!(
        data.text_at("dns/get_rec/result/data/type").as_deref(),
        Some("TXT")
    );
    assert_eq!(
        data.text_at("dns/get_rec/result/data/host").as_deref(),
        Some("example.com.")
    );
    assert_eq!(
        data.text_at("dns/get_rec/result/data/value").as_deref(),
        Some("v=verify")
    );

    // A TXT value longer than 255 bytes with quotes round-trips exactly.
    let long = format!("\"{}\" & <x>", "k".repeat(300));
    let escaped = long
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    let added = sim.xml(&format!("<packet><dns><add_rec><site-id>1</site-id><type>TXT</type><host>dkim._domainkey</host><value>{escaped}</value></add_rec></dns></packet>")).await;
    let long_id = tree(&added).text_at("dns/add_rec/result/id").expect(&added);
    let got = sim
        .xml(&format!(
            "<packet><dns><get_rec><filter><id>{long_id}</id></filter></get_rec></dns></packet>"
        ))
        .await;
    assert_eq!(
        tree(&got).text_at("dns/get_rec/result/data/value"),
        Some(long.clone())
    );

    // Errors: duplicate 1007 (ERRORS.md §3.4), unknown site 1013, bad value 1019,
    // unknown record 1013, a CNAME beside other records 1007.
    let dup = sim.xml("<packet><dns><add_rec><site-id>1</site-id><type>TXT</type><host>host</host><value>value</value></add_rec></dns></packet>").await;
    assert_eq!(error_code(&dup, "dns/add_rec/result"), "1007");
    let missing = sim.xml("<packet><dns><add_rec><site-id>999</site-id><type>A</type><host>x</host><value>1.2.3.4</value></add_rec></dns></packet>").await;
    assert_eq!(error_code(&missing, "dns/add_rec/result"), "1013");
    let bad = sim.xml("<packet><dns><add_rec><site-id>1</site-id><type>A</type><host>x</host><value>not-an-ip</value></add_rec></dns></packet>").await;
    assert_eq!(error_code(&bad, "dns/add_rec/result"), "1019");
    let bad_type = sim.xml("<packet><dns><add_rec><site-id>1</site-id><type>SOA</type><host>x</host><value>y</value></add_rec></dns></packet>").await;
    assert_eq!(error_code(&bad_type, "dns/add_rec/result"), "1019");
    let cname = sim.xml("<packet><dns><add_rec><site-id>1</site-id><type>CNAME</type><host>host</host><value>example.org</value></add_rec></dns></packet>").await;
    assert_eq!(error_code(&cname, "dns/add_rec/result"), "1007");
    let gone = sim
        .xml("<packet><dns><get_rec><filter><id>99999</id></filter></get_rec></dns></packet>")
        .await;
    assert_eq!(error_code(&gone, "dns/get_rec/result"), "1013");
    assert_system_error(&sim.xml("<packet><dns><add_rec><site-alias-id>1</site-alias-id><type>A</type><host>x</host><value>1.2.3.4</value></add_rec></dns></packet>").await, 1014);

    // DnsTest::testBulkDelete: by id, one result each; deleting again is 1013.
    let packet: String = ids
        .iter()
        .map(|id| format!("<dns><del_rec><filter><id>{id}</id></filter></del_rec></dns>"))
        .collect();
    let deleted = sim.xml(&format!("<packet>{packet}</packet>")).await;
    assert_matches_schema(&deleted);
    assert!(!deleted.contains("error"), "{deleted}");
    let again = sim
        .xml(&format!(
            "<packet><dns><del_rec><filter><id>{}</id></filter></del_rec></dns></packet>",
            ids[0]
        ))
        .await;
    assert_eq!(error_code(&again, "dns/del_rec/result"), "1013");

    // One state: the REST API lists the same zone, TTL defaulted.
    let rest = sim
        .rest(Method::GET, "/api/v2/dns/records?domain=example.com", None)
        .await;
    assert_eq!(rest.status, StatusCode::OK);
    let listed = rest.json();
    let apex_rest = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"].as_u64().map(|id| id.to_string()).as_deref() == Some(apex_id.as_str()))
        .expect("apex TXT via REST");
    assert_eq!(apex_rest["host"], "example.com.");
    assert_eq!(apex_rest["ttl"], 86400);
    // Deleting the subscription takes its zone along.
    sim.xml("<packet><webspace><del><filter><id>1</id></filter></del></webspace></packet>")
        .await;
    assert!(dump(&sim)["dns"].get("1").is_none());
}

#[tokio::test]
async fn subdomains_behave_as_the_official_client_expects() {
    let sim = seeded();
    let add = |name: &'static str| {
        format!("<packet><subdomain><add><parent>example.com</parent><name>{name}</name><property><name>www_root</name><value>{name}</value></property></add></subdomain></packet>")
    };
    let first = sim.xml(&add("sub")).await;
    ok(&first, "subdomain/add/result");
    let id = tree(&first).text_at("subdomain/add/result/id").unwrap();
    sim.xml(&add("sub2")).await;
    let got = sim
        .xml(&format!(
            "<packet><subdomain><get><filter><id>{id}</id></filter></get></subdomain></packet>"
        ))
        .await;
    ok(&got, "subdomain/get/result");
    let data = tree(&got);
    assert_eq!(
        data.text_at("subdomain/get/result/data/parent").as_deref(),
        Some("example.com")
    );
    assert_eq!(
        data.text_at("subdomain/get/result/data/name").as_deref(),
        Some("sub.example.com")
    );
    assert!(data
        .text_at("subdomain/get/result/data/property/value")
        .unwrap()
        .contains("sub"));
    let all = sim
        .xml("<packet><subdomain><get><filter/></get></subdomain></packet>")
        .await;
    assert_eq!(results(&all, "subdomain/get/result").len(), 2);
    // The same object as a site subdomain.
    let site = sim.xml(&format!("<packet><site><get><filter><id>{id}</id></filter><dataset><gen_info/></dataset></get></site></packet>")).await;
    assert_eq!(
        tree(&site)
            .text_at("site/get/result/data/gen_info/name")
            .as_deref(),
        Some("sub.example.com")
    );
    // Errors: duplicate 1007, unknown parent 1013, unknown subdomain 1013 + filter-id.
    assert_eq!(
        error_code(&sim.xml(&add("sub")).await, "subdomain/add/result"),
        "1007"
    );
    let orphan = sim.xml("<packet><subdomain><add><parent>nope.example</parent><name>x</name></add></subdomain></packet>").await;
    assert_eq!(error_code(&orphan, "subdomain/add/result"), "1013");
    let unknown = sim.xml("<packet><subdomain><del><filter><name>forum.example.com</name></filter></del></subdomain></packet>").await;
    assert_eq!(error_code(&unknown, "subdomain/del/result"), "1013");
    assert_eq!(
        tree(&unknown)
            .text_at("subdomain/del/result/filter-id")
            .as_deref(),
        Some("forum.example.com")
    );
    let set = sim.xml(&format!("<packet><subdomain><set><filter><id>{id}</id></filter><property><name>www_root</name><value>moved</value></property></set></subdomain></packet>")).await;
    ok(&set, "subdomain/set/result");
    let del = sim
        .xml(&format!(
            "<packet><subdomain><del><filter><id>{id}</id></filter></del></subdomain></packet>"
        ))
        .await;
    ok(&del, "subdomain/del/result");
    let after = sim
        .xml("<packet><subdomain><get><filter/></get></subdomain></packet>")
        .await;
    assert_eq!(results(&after, "subdomain/get/result").len(), 1);
}

#[tokio::test]
async fn ftp_accounts_have_a_lifecycle_and_rotate_passwords_as_digests() {
    let sim = seeded();
    let added = sim.xml("<packet><ftp-user><add><name>deploy</name><password>first-pass1</password><home>/httpdocs/app</home><quota>-1</quota><permissions><read>true</read><write>false</write></permissions><webspace-id>1</webspace-id></add></ftp-user></packet>").await;
    ok(&added, "ftp-user/add/result");
    let digest = |sim: &Sim| {
        dump(sim)["ftp_users"]["1"]["password_hash"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let before = digest(&sim);
    assert!(!before.contains("first-pass1"));
    let got = sim
        .xml(
            "<packet><ftp-user><get><filter><name>deploy</name></filter></get></ftp-user></packet>",
        )
        .await;
    ok(&got, "ftp-user/get/result");
    let t = tree(&got);
    assert_eq!(
        t.text_at("ftp-user/get/result/home").as_deref(),
        Some("/httpdocs/app")
    );
    assert_eq!(
        t.text_at("ftp-user/get/result/permissions/write")
            .as_deref(),
        Some("false")
    );
    assert_eq!(
        t.text_at("ftp-user/get/result/webspace-id").as_deref(),
        Some("1")
    );
    let set = sim.xml("<packet><ftp-user><set><filter><name>deploy</name></filter><values><password>second-pass2</password><home>/httpdocs</home></values></set></ftp-user></packet>").await;
    ok(&set, "ftp-user/set/result");
    assert_ne!(digest(&sim), before, "a new password is a new digest");
    // Errors: the subscription's own system user name 1007, unknown webspace 1013,
    // a home outside the subscription 1019, an unknown account 1013.
    let taken = sim.xml("<packet><ftp-user><add><name>exftp</name><password>secret1</password><webspace-id>1</webspace-id></add></ftp-user></packet>").await;
    assert_eq!(error_code(&taken, "ftp-user/add/result"), "1007");
    let nowhere = sim.xml("<packet><ftp-user><add><name>x1</name><password>secret1</password><webspace-id>99</webspace-id></add></ftp-user></packet>").await;
    assert_eq!(error_code(&nowhere, "ftp-user/add/result"), "1013");
    let escape = sim.xml("<packet><ftp-user><add><name>x2</name><password>secret1</password><home>/../../etc</home><webspace-id>1</webspace-id></add></ftp-user></packet>").await;
    assert_eq!(error_code(&escape, "ftp-user/add/result"), "1019");
    let unknown = sim.xml("<packet><ftp-user><del><filter><name>nobody1</name></filter></del></ftp-user></packet>").await;
    assert_eq!(error_code(&unknown, "ftp-user/del/result"), "1013");
    // The REST view of the same account.
    let rest = sim
        .rest(Method::GET, "/api/v2/ftpusers?name=deploy", None)
        .await
        .json();
    assert_eq!(rest[0]["home"], "/httpdocs");
    assert_eq!(rest[0]["permissions"]["write"], "false");
    let del = sim.xml("<packet><ftp-user><del><filter><webspace-id>1</webspace-id></filter></del></ftp-user></packet>").await;
    ok(&del, "ftp-user/del/result");
    assert!(dump(&sim)["ftp_users"].as_object().unwrap().is_empty());
}

#[tokio::test]
async fn mail_accounts_cover_create_update_get_remove_and_the_domain_service() {
    let sim = seeded();
    // MailTest::testCreateMultiForwarding.
    let created = sim.xml("<packet><mail><create><filter><site-id>1</site-id><mailname><name>test</name><mailbox><enabled>true</enabled><quota>1048576</quota></mailbox><forwarding><enabled>true</enabled><address>user1@example.org</address><address>user2@example.org</address></forwarding><alias>test1</alias><alias>test2</alias><password><value>test-&amp;PWD*1@42!13#</value></password></mailname></filter></create></mail></packet>").await;
    ok(&created, "mail/create/result");
    assert_eq!(
        tree(&created)
            .text_at("mail/create/result/mailname/name")
            .as_deref(),
        Some("test")
    );
    let info = sim.xml("<packet><mail><get_info><filter><site-id>1</site-id><name>test</name></filter><mailbox/><forwarding/><aliases/></get_info></mail></packet>").await;
    ok(&info, "mail/get_info/result");
    let t = tree(&info);
    let mailname = t.at("mail/get_info/result/mailname").unwrap();
    assert_eq!(
        mailname
            .children
            .iter()
            .filter(|c| c.name == "alias")
            .count(),
        2
    );
    assert_eq!(
        mailname
            .at("forwarding")
            .unwrap()
            .children
            .iter()
            .filter(|c| c.name == "address")
            .count(),
        2
    );
    assert_eq!(
        mailname.text_at("mailbox/quota").as_deref(),
        Some("1048576")
    );
    assert!(!info.contains("PWD"), "no password in answers");

    let digest = |sim: &Sim| {
        dump(sim)["mailnames"]["1"]["password_hash"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let before = digest(&sim);
    let set = sim.xml("<packet><mail><update><set><filter><site-id>1</site-id><mailname><name>test</name><mailbox><quota>2097152</quota></mailbox><forwarding><enabled>true</enabled><address>only@example.org</address></forwarding><password><value>rotated-pass9</value></password></mailname></filter></set></update></mail></packet>").await;
    ok(&set, "mail/update/set/result");
    assert_ne!(
        digest(&sim),
        before,
        "password rotation shows in the digest"
    );
    let add = sim.xml("<packet><mail><update><add><filter><site-id>1</site-id><mailname><name>test</name><forwarding><address>two@example.org</address></forwarding></mailname></filter></add></update></mail></packet>").await;
    ok(&add, "mail/update/add/result");
    let remove = sim.xml("<packet><mail><update><remove><filter><site-id>1</site-id><mailname><name>test</name><alias>test1</alias></mailname></filter></remove></update></mail></packet>").await;
    ok(&remove, "mail/update/remove/result");
    let state = dump(&sim);
    assert_eq!(
        state["mailnames"]["1"]["forwarding"],
        json!(["only@example.org", "two@example.org"])
    );
    assert_eq!(state["mailnames"]["1"]["aliases"], json!(["test2"]));
    assert_eq!(state["mailnames"]["1"]["quota"], 2097152);

    // Errors: duplicate 1007, unknown site 1013, bad name 1019, weak password under a
    // strict policy 1019, unmodelled autoresponder 1014.
    let dup = sim.xml("<packet><mail><create><filter><site-id>1</site-id><mailname><name>test</name></mailname></filter></create></mail></packet>").await;
    assert_eq!(error_code(&dup, "mail/create/result"), "1007");
    let nowhere = sim.xml("<packet><mail><create><filter><site-id>99</site-id><mailname><name>x</name></mailname></filter></create></mail></packet>").await;
    assert_eq!(error_code(&nowhere, "mail/create/result"), "1013");
    let bad = sim.xml("<packet><mail><create><filter><site-id>1</site-id><mailname><name>bad name</name></mailname></filter></create></mail></packet>").await;
    assert_eq!(error_code(&bad, "mail/create/result"), "1019");
    assert_system_error(&sim.xml("<packet><mail><create><filter><site-id>1</site-id><mailname><name>r</name><autoresponder><enabled>true</enabled></autoresponder></mailname></filter></create></mail></packet>").await, 1014);

    // Mail service on the domain: off → creating fails 1023, prefs and the webspace
    // mail dataset report it, on again → works.
    ok(
        &sim.xml("<packet><mail><disable><site-id>1</site-id></disable></mail></packet>")
            .await,
        "mail/disable/result",
    );
    let prefs = sim.xml("<packet><mail><get_prefs><filter><site-id>1</site-id></filter></get_prefs></mail></packet>").await;
    ok(&prefs, "mail/get_prefs/result");
    assert_eq!(
        tree(&prefs)
            .text_at("mail/get_prefs/result/prefs/mailservice")
            .as_deref(),
        Some("false")
    );
    let ws = sim.xml("<packet><webspace><get><filter><id>1</id></filter><dataset><mail/></dataset></get></webspace></packet>").await;
    assert_eq!(
        tree(&ws)
            .text_at("webspace/get/result/data/mail/mailservice")
            .as_deref(),
        Some("false")
    );
    let off = sim.xml("<packet><mail><create><filter><site-id>1</site-id><mailname><name>new</name></mailname></filter></create></mail></packet>").await;
    assert_eq!(error_code(&off, "mail/create/result"), "1023");
    ok(&sim.xml("<packet><mail><set_prefs><filter><site-id>1</site-id></filter><prefs><mailservice>true</mailservice></prefs></set_prefs></mail></packet>").await, "mail/set_prefs/result");
    ok(&sim.xml("<packet><mail><create><filter><site-id>1</site-id><mailname><name>new</name></mailname></filter></create></mail></packet>").await, "mail/create/result");

    // MailTest::testGetAllWithoutMailnames on another domain: one ok result, no mailname.
    let empty = sim.xml("<packet><mail><get_info><filter><site-id>2</site-id></filter></get_info></mail></packet>").await;
    ok(&empty, "mail/get_info/result");
    assert!(tree(&empty).at("mail/get_info/result/mailname").is_none());
    let removed = sim.xml("<packet><mail><remove><filter><site-id>1</site-id><name>test</name></filter></remove></mail></packet>").await;
    ok(&removed, "mail/remove/result");
    let unknown = sim.xml("<packet><mail><remove><filter><site-id>1</site-id><name>test</name></filter></remove></mail></packet>").await;
    assert_eq!(error_code(&unknown, "mail/remove/result"), "1013");
}

const CERT_INFO: &str = "<info><bits>2048</bits><country>CH</country><state>Schaffhausen</state><location>Schaffhausen</location><company>Plesk</company><email>info@plesk.com</email><name>plesk.com</name></info>";

#[tokio::test]
async fn certificates_install_update_list_and_remove() {
    let sim = seeded();
    let generated = sim
        .xml(&format!(
            "<packet><certificate><generate>{CERT_INFO}</generate></certificate></packet>"
        ))
        .await;
    ok(&generated, "certificate/generate/result");
    let t = tree(&generated);
    let csr = t.text_at("certificate/generate/result/csr").unwrap();
    let pvt = t.text_at("certificate/generate/result/pvt").unwrap();
    assert!(csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
    assert!(pvt.starts_with("-----BEGIN PRIVATE KEY-----"));
    // CertificateTest::testInstall: csr + pvt into the server pool.
    let install = |name: &str, pool: &str| {
        format!("<packet><certificate><install><name>{name}</name>{pool}<content><csr>{csr}</csr><pvt>{pvt}</pvt></content></install></certificate></packet>")
    };
    ok(
        &sim.xml(&install("test", "<admin/>")).await,
        "certificate/install/result",
    );
    assert_eq!(
        error_code(
            &sim.xml(&install("test", "<admin/>")).await,
            "certificate/install/result"
        ),
        "1007"
    );
    ok(
        &sim.xml(&install("site-cert", "<webspace>example.com</webspace>"))
            .await,
        "certificate/install/result",
    );
    assert_eq!(
        error_code(
            &sim.xml(&install("x", "<webspace>nope.example</webspace>"))
                .await,
            "certificate/install/result"
        ),
        "1013"
    );
    let pool = sim.xml("<packet><certificate><get-pool><filter><domain-name>example.com</domain-name></filter></get-pool></certificate></packet>").await;
    ok(&pool, "certificate/get-pool/result");
    assert_eq!(
        tree(&pool)
            .text_at("certificate/get-pool/result/certificates/certificate/name")
            .as_deref(),
        Some("site-cert")
    );
    let bad = sim.xml(&format!("<packet><certificate><update><name>test</name><admin/><content><csr>{csr}</csr><pvt>{pvt}</pvt><cert>not a certificate</cert></content></update></certificate></packet>")).await;
    assert_eq!(error_code(&bad, "certificate/update/result"), "1019");
    let removed = sim.xml("<packet><certificate><remove><filter><name>test</name></filter><admin/></remove></certificate></packet>").await;
    ok(&removed, "certificate/remove/result");
    let again = sim.xml("<packet><certificate><remove><filter><name>test</name></filter><admin/></remove></certificate></packet>").await;
    assert_eq!(error_code(&again, "certificate/remove/result"), "1013");
    // Private keys never reach the state dump.
    let state = dump(&sim).to_string();
    assert!(
        !state.contains("PRIVATE KEY"),
        "the dump keeps no private key"
    );
}

#[tokio::test]
async fn server_get_answers_every_dataset_in_one_result() {
    let sim = seeded();
    let sets = [
        "key",
        "gen_info",
        "components",
        "stat",
        "admin",
        "interfaces",
        "services_state",
        "prefs",
        "shells",
        "session_setup",
        "site-isolation-config",
        "updates",
        "admin-domain-list",
        "certificates",
    ];
    let packet = format!(
        "<packet><server><get>{}</get></server></packet>",
        sets.iter().map(|s| format!("<{s}/>")).collect::<String>()
    );
    let answer = sim.xml(&packet).await;
    ok(&answer, "server/get/result");
    let t = tree(&answer);
    let result = t.at("server/get/result").unwrap();
    let names: Vec<&str> = result
        .children
        .iter()
        .skip(1)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, sets, "in request order");
    assert_eq!(result.text_at("stat/objects/clients").as_deref(), Some("1"));
    assert_eq!(result.text_at("stat/objects/domains").as_deref(), Some("2"));
    // DNS and mail are simulated, so the official client's DNS/mail tests do not skip.
    let running: Vec<String> = result
        .at("services_state")
        .unwrap()
        .children
        .iter()
        .filter(|s| s.text_at("state").as_deref() == Some("running"))
        .filter_map(|s| s.text_at("id"))
        .collect();
    assert!(running.contains(&"dns".to_owned()) && running.contains(&"smtp".to_owned()));
}

#[tokio::test]
async fn webspace_and_site_datasets_answer_content_or_refuse() {
    let sim = seeded();
    let sets = [
        "gen_info",
        "hosting",
        "hosting-basic",
        "limits",
        "stat",
        "prefs",
        "disk_usage",
        "performance",
        "subscriptions",
        "permissions",
        "plan-items",
        "php-settings",
        "mail",
        "aps-filter",
        "packages",
    ];
    for set in sets {
        let answer = sim.xml(&format!("<packet><webspace><get><filter><id>1</id></filter><dataset><{set}/></dataset></get></webspace></packet>")).await;
        ok(&answer, "webspace/get/result");
        let t = tree(&answer);
        assert!(
            t.at(&format!("webspace/get/result/data/{set}")).is_some(),
            "{set}: {answer}"
        );
    }
    assert_system_error(&sim.xml("<packet><webspace><get><filter/><dataset><resource-usage/></dataset></get></webspace></packet>").await, 1014);
    sim.xml("<packet><site><add><gen_setup><name>addon.example</name><webspace-id>1</webspace-id></gen_setup></add></site></packet>").await;
    for set in ["stat", "prefs", "disk_usage", "performance"] {
        let answer = sim.xml(&format!("<packet><site><get><filter><name>addon.example</name></filter><dataset><{set}/></dataset></get></site></packet>")).await;
        ok(&answer, "site/get/result");
        assert!(
            tree(&answer)
                .at(&format!("site/get/result/data/{set}"))
                .is_some(),
            "{set}: {answer}"
        );
    }
}

#[tokio::test]
async fn rest_cli_mail_and_lets_encrypt_with_a_delay() {
    let sim = Sim::seeded(json!({
        "domains": [{"name": "example.com", "ftp_login": "exftp", "ftp_password": "secret1"}],
        "letsencrypt": {"delay_ms": 400, "wait": false}
    }));
    let sim = &sim;
    let call = |command: &str, body: Value| {
        let path = format!("/api/v2/cli/{command}/call");
        async move { sim.rest(Method::POST, &path, Some(body)).await }
    };
    let created = call("mail", json!({"params": ["--create", "info@example.com", "-mailbox", "true", "-passwd", "", "-mbox_quota", "1M", "-forwarding", "true", "-forwarding-addresses", "add:a@example.org,b@example.org"], "env": {"PSA_PASSWORD": "env-pass1"}})).await;
    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(created.json()["code"], 0, "{}", created.text());
    let info = call("mail", json!({"params": ["--info", "info@example.com"]}))
        .await
        .json();
    let stdout = info["stdout"].as_str().unwrap();
    assert!(
        stdout.contains("Mailbox:") && stdout.contains("true") && stdout.contains("a@example.org"),
        "{stdout}"
    );
    assert!(stdout.contains("1048576"), "{stdout}");
    let digest = sim.panel.dump()["mailnames"]["1"]["password_hash"].clone();
    let state = sim.panel.dump().to_string();
    assert!(!state.contains("env-pass1"));
    call(
        "mail",
        json!({"params": ["--update", "info@example.com", "-passwd", "rotated9"]}),
    )
    .await;
    assert_ne!(sim.panel.dump()["mailnames"]["1"]["password_hash"], digest);
    // Failures answer 200 with a non-zero code (research §1.5) and a reason on stderr.
    let dup = call("mail", json!({"params": ["--create", "info@example.com"]})).await;
    assert_eq!(dup.status, StatusCode::OK);
    assert_eq!(dup.json()["code"], 1);
    assert!(dup.json()["stderr"]
        .as_str()
        .unwrap()
        .contains("already exists"));
    let off = call("mail", json!({"params": ["--off", "example.com"]}))
        .await
        .json();
    assert_eq!(off["code"], 0);
    let ws = sim.xml("<packet><webspace><get><filter><id>1</id></filter><dataset><mail/></dataset></get></webspace></packet>").await;
    assert!(ws.contains("<mailservice>false</mailservice>"), "{ws}");
    assert_eq!(
        sim.rest(
            Method::POST,
            "/api/v2/cli/cron/call",
            Some(json!({"params": []}))
        )
        .await
        .status,
        StatusCode::NOT_FOUND
    );

    // Let's Encrypt: the call answers at once, the certificate appears after the delay.
    let issued = call("extension", json!({"params": ["--exec", "letsencrypt", "cli.php", "-d", "example.com", "-d", "www.example.com", "-m", "admin@example.com"]})).await;
    assert_eq!(issued.json()["code"], 0, "{}", issued.text());
    let pool = "<packet><certificate><get-pool><filter><domain-name>example.com</domain-name></filter></get-pool></certificate></packet>";
    assert!(
        !sim.xml(pool).await.contains("Lets Encrypt"),
        "not yet issued"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = sim.xml(pool).await;
    assert!(after.contains("Lets Encrypt example.com"), "{after}");
    let hosting = sim.xml("<packet><webspace><get><filter><id>1</id></filter><dataset><hosting/></dataset></get></webspace></packet>").await;
    assert!(
        hosting.contains("Lets Encrypt example.com"),
        "the domain uses it: {hosting}"
    );
    let cert = sim.panel.dump()["certificates"]["1"].clone();
    assert_eq!(cert["lets_encrypt"], true);
    assert!(cert["subject"].as_str().unwrap().contains("example.com"));
    assert!(cert["not_after"].as_str().is_some() && cert["fingerprint_sha256"].as_str().is_some());
    let unknown = call(
        "extension",
        json!({"params": ["--exec", "letsencrypt", "cli.php", "-d", "nope.example"]}),
    )
    .await
    .json();
    assert_eq!(unknown["code"], 1);
}

#[tokio::test]
async fn thousands_of_objects_seed_dump_and_restore_quickly() {
    let domains: Vec<Value> = (0..50)
        .map(|i| json!({"name": format!("d{i}.example")}))
        .collect();
    let records: Vec<Value> = (0..1200).map(|i| json!({"domain": format!("d{}.example", i % 50), "type": "TXT", "host": format!("h{i}"), "value": format!("v{i}")})).collect();
    let ftp: Vec<Value> = (0..1200)
        .map(|i| json!({"name": format!("ftp{i}"), "domain": format!("d{}.example", i % 50)}))
        .collect();
    let mail: Vec<Value> = (0..1200).map(|i| json!({"address": format!("m{i}@d{}.example", i % 50), "mailbox": true, "password": "secret1"})).collect();
    let started = std::time::Instant::now();
    let sim = Sim::seeded(
        json!({"dns_template": false, "domains": domains, "dns_records": records, "ftp_users": ftp, "mail": mail}),
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "seeding took {:?}",
        started.elapsed()
    );
    let dumped = sim.panel.dump();
    assert_eq!(
        dumped["dns"]
            .as_object()
            .unwrap()
            .values()
            .map(|z| z.as_array().unwrap().len())
            .sum::<usize>(),
        1200
    );
    assert_eq!(dumped["ftp_users"].as_object().unwrap().len(), 1200);
    assert_eq!(dumped["mailnames"].as_object().unwrap().len(), 1200);
    let fresh = Sim::new();
    fresh.panel.restore(dumped.clone()).expect("restore");
    assert_eq!(fresh.panel.dump(), dumped);
    // Bad seeds name the object at fault and change nothing.
    let before = fresh.panel.dump();
    let err = fresh
        .panel
        .seed(json!({"mail": [{"address": "x@nowhere.example"}]}))
        .unwrap_err();
    assert!(err.contains("x@nowhere.example"), "{err}");
    assert_eq!(fresh.panel.dump(), before);
}
