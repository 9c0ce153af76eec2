//! Every captured XML request (reference/plesk/xml/captured) is replayed against the
//! simulator after creating the objects it refers to (with the captured ids, by moving
//! the id counters), and the answer must have the captured answer's element structure.
//! Operations the simulator does not model must get the system-error shape.

use serde_json::{json, Value};

use super::{assert_system_error, Sim, Tree};
use crate::support::reference_dir;

/// Captured pairs for operations panel-sim does not simulate (see plesk/mod.rs docs).
const UNSIMULATED: &[&str] = &[
    "event_log-get",
    "event_log-get-last-id",
    "event_log-get_events",
    "locale-get",
    "locale-get-2",
    "server-create_session-login",
    "session-get",
    "session-terminate",
    "ui-create-custombutton",
    "ui-delete-custombutton",
    "ui-get-custombutton",
    "ui-get-navigation",
    "user-add",
    "user-del",
    "user-get",
    "webspace-get-limit-descriptor",
    "webspace-get-permission-descriptor",
    "webspace-get-physical-hosting-descriptor",
];

/// Moves an id counter so the next object created gets `next` (restore of a dump).
fn next_id(sim: &Sim, counter: &str, next: u64) {
    use super::panel::SimPanel as _;
    let mut dump = sim.panel.dump();
    dump["counters"][counter] = json!(next - 1);
    sim.panel.restore(dump).expect("restore");
}

fn add_key(sim: &Sim, key: &str) {
    use super::panel::SimPanel as _;
    let mut dump = sim.panel.dump();
    dump["keys"][key] =
        json!({"key": key, "login": "admin", "ip_addresses": ["192.168.0.1"], "description": ""});
    sim.panel.restore(dump).expect("restore");
}

fn seed(sim: &Sim, value: Value) {
    use super::panel::SimPanel as _;
    sim.panel.seed(value).expect("seed");
}

fn subscription(name: &str) -> Value {
    json!({"name": name, "ip": "172.17.0.2"})
}

fn addon(name: &str, parent: &str) -> Value {
    json!({"name": name, "kind": "addon", "parent": parent, "hosting_type": "none"})
}

/// A simulator holding what the captured request refers to, under the captured ids.
fn prepared(pair: &str) -> Sim {
    let sim = Sim::new();
    seed(
        &sim,
        json!({"ips": [{"ip": "172.17.0.2", "netmask": "255.255.0.0", "interface": "eth0", "type": "exclusive"}]}),
    );
    let customer = |sim: &Sim, login: &str| {
        seed(
            sim,
            json!({"clients": [{"login": login, "name": "John Smith"}]}),
        )
    };
    match pair {
        "customer-del" => {
            next_id(&sim, "client", 174);
            customer(&sim, "john-unit-test");
        }
        "customer-get" => {
            next_id(&sim, "client", 176);
            customer(&sim, "john-unit-test");
        }
        "customer-get-2" => {
            customer(&sim, "customer-a");
            customer(&sim, "customer-b");
        }
        "customer-del-2" => customer(&sim, "customer-a"),
        "reseller-del" | "reseller-get" => {
            next_id(
                &sim,
                "client",
                if pair == "reseller-del" { 179 } else { 181 },
            );
            seed(
                &sim,
                json!({"clients": [{"login": "reseller-unit-test", "type": "reseller"}]}),
            );
        }
        "webspace-del" | "site-add" => {
            next_id(&sim, "domain", 56);
            seed(&sim, json!({"domains": [subscription("example.dom")]}));
        }
        "webspace-get" => {
            next_id(&sim, "domain", 68);
            seed(&sim, json!({"domains": [subscription("example-test.dom")]}));
        }
        "site-del" | "site-get" => {
            next_id(&sim, "domain", if pair == "site-del" { 58 } else { 60 });
            seed(
                &sim,
                json!({"domains": [subscription("example.dom"), addon("addon.dom", "example.dom")]}),
            );
        }
        "site-get-2" => seed(
            &sim,
            json!({"domains": [subscription("example.dom"), addon("addon.dom", "example.dom"), addon("addon2.dom", "example.dom")]}),
        ),
        "secret_key-delete" => add_key(&sim, "dd582842-6c9b-2c64-2c05-59f27e2edf66"),
        "secret_key-get_info" => add_key(&sim, "7f2193f7-decf-350f-84d9-cffd81dd2a54"),
        _ => {}
    }
    sim
}

fn captured_pairs() -> Vec<String> {
    let dir = reference_dir("plesk/xml/captured");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reference directory {} must exist: {e}", dir.display()))
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter_map(|name| name.strip_suffix(".request.xml").map(str::to_owned))
        .collect();
    names.sort();
    names
}

fn read(pair: &str, side: &str) -> String {
    let path = reference_dir("plesk/xml/captured").join(format!("{pair}.{side}.xml"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn all_statuses(tree: &Tree, out: &mut Vec<String>) {
    if tree.name == "result" {
        if let Some(status) = tree.text_at("status") {
            out.push(status);
        }
    }
    for child in &tree.children {
        all_statuses(child, out);
    }
}

#[tokio::test]
async fn every_captured_request_is_answered_with_the_captured_structure() {
    let pairs = captured_pairs();
    assert_eq!(pairs.len(), 58, "the reference holds 58 captured pairs");
    let mut failures = Vec::new();
    for pair in &pairs {
        let sim = prepared(pair);
        let answer = sim.xml(&read(pair, "request")).await;
        if UNSIMULATED.contains(&pair.as_str()) {
            assert_system_error(&answer, 1014);
            continue;
        }
        let ours = Tree::parse(&answer)
            .unwrap_or_else(|e| panic!("{pair}: answer is not XML ({e}): {answer}"));
        let theirs = Tree::parse(&read(pair, "response")).expect("captured response parses");
        let mut statuses = Vec::new();
        all_statuses(&ours, &mut statuses);
        if statuses.is_empty() || statuses.iter().any(|s| s != "ok") {
            failures.push(format!(
                "{pair}: expected every result ok, got {statuses:?}\n{answer}"
            ));
            continue;
        }
        if ours.shape() != theirs.shape() {
            let (mut a, mut b) = (String::new(), String::new());
            ours.shape().render(0, &mut a);
            theirs.shape().render(0, &mut b);
            failures.push(format!(
                "{pair}: structure differs\n--- ours\n{a}--- captured\n{b}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn captured_requests_replayed_after_setup_have_effects() {
    // Replaying the captured add then get must show the added customer's fields.
    let sim = Sim::new();
    let added = Tree::parse(&sim.xml(&read("customer-add", "request")).await).expect("xml");
    let id = added.text_at("customer/add/result/id").expect("id");
    let get = format!("<packet><customer><get><filter><id>{id}</id></filter><dataset><gen_info/></dataset></get></customer></packet>");
    let got = Tree::parse(&sim.xml(&get).await).expect("xml");
    let info = got
        .at("customer/get/result/data/gen_info")
        .expect("gen_info");
    assert_eq!(info.text_at("login").as_deref(), Some("john-unit-test"));
    assert_eq!(info.text_at("cname").as_deref(), Some("Plesk"));
    assert_eq!(info.text_at("email").as_deref(), Some("john@smith.com"));
    assert_eq!(info.text_at("external-id").as_deref(), Some("link:12345"));
    assert_eq!(info.text_at("password_type").as_deref(), Some("crypt"));
    assert_ne!(
        info.text_at("password").as_deref(),
        Some("simple-password"),
        "never plaintext"
    );
}
