//! Nothing is lost under ordinary faults (issue 9): through real Terraform, on every
//! backend, a fleet of 21 mixed resources is applied while the simulated panel
//! misbehaves in one way: it commits creates and then drops the connection; it answers
//! only after the provider stopped waiting; it commits and answers 500; it fails reads
//! (the look before a create, the read-back after it) with 500 or 429; or Terraform is
//! interrupted (SIGINT) while slow creates are on the wire.
//!
//! After the faulty apply, every object the panel holds is in Terraform's state (as
//! recorded, or as unconfirmed, to be settled by the next refresh); a clean re-apply
//! converges in one run with no import; the next plan is empty; and the panel holds the
//! fleet exactly once.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::{Backend, Sim};
use crate::support::terraform::{hcl_string, Terraform};

const USERS: usize = 7;
const PASSWORD: &str = "Fault-Passw0rd!";

fn login(n: usize) -> String {
    format!("fault{n:02}")
}

fn email(n: usize) -> String {
    format!("fault{n:02}@example.com")
}

fn domain(n: usize) -> String {
    format!("fault{n:02}.example")
}

/// The database names of user `n`: one per user, two on PanelAlpha (which gets no
/// domains here, so the fleet still has 21 resources).
fn databases(backend: Backend, n: usize) -> Vec<String> {
    match backend {
        Backend::PanelAlpha => vec![format!("db{n:02}a"), format!("db{n:02}b")],
        _ => vec![format!("db{n:02}")],
    }
}

/// The fleet's configuration: users, their main domains (not on PanelAlpha, where the
/// main domain comes with the plan) and their databases.
fn fleet(backend: Backend) -> String {
    let mut hcl = String::new();
    for n in 1..=USERS {
        hcl += &format!("resource \"panel_user\" \"u{n}\" {{\n");
        if backend != Backend::PanelAlpha {
            hcl += &format!("  login = {}\n", hcl_string(&login(n)));
        }
        hcl += &format!("  email = {}\n", hcl_string(&email(n)));
        hcl += &format!("  name  = \"Fault User {n}\"\n");
        if backend == Backend::PanelAlpha {
            hcl += "  plan  = \"Starter\"\n";
        }
        hcl += &format!(
            "  password_wo = {}\n  password_wo_version = 1\n}}\n\n",
            hcl_string(PASSWORD)
        );
        if backend != Backend::PanelAlpha {
            hcl += &format!(
                "resource \"panel_domain\" \"d{n}\" {{\n  name  = {}\n  owner = panel_user.u{n}.id\n",
                hcl_string(&domain(n))
            );
            if backend.is_plesk() {
                hcl += &format!("  system_password_wo = {}\n", hcl_string(PASSWORD));
            }
            hcl += "}\n\n";
        }
        for (i, database) in databases(backend, n).into_iter().enumerate() {
            hcl += &format!(
                "resource \"panel_database\" \"b{n}_{i}\" {{\n  name  = {}\n  owner = panel_user.u{n}.id\n  user  = {}\n  password_wo = {}\n",
                hcl_string(&database),
                hcl_string(&format!("{database}u")),
                hcl_string(PASSWORD)
            );
            if backend.is_plesk() {
                hcl += &format!("  domain = panel_domain.d{n}.name\n");
            }
            hcl += "}\n\n";
        }
    }
    hcl
}

/// What the fleet is made of, by the names the panel keys them by.
struct Expected {
    users: Vec<String>,
    domains: Vec<String>,
    databases: Vec<String>,
}

fn expected(backend: Backend) -> Expected {
    let users = (1..=USERS)
        .map(|n| {
            if backend == Backend::PanelAlpha {
                email(n)
            } else {
                login(n)
            }
        })
        .collect();
    let domains = if backend == Backend::PanelAlpha {
        Vec::new()
    } else {
        (1..=USERS).map(domain).collect()
    };
    let databases = (1..=USERS).flat_map(|n| databases(backend, n)).collect();
    Expected {
        users,
        domains,
        databases,
    }
}

/// The state's instances of `kind`, as attribute objects.
fn state_objects(tf: &Terraform, kind: &str) -> Vec<Value> {
    let state = if tf.state_raw().is_empty() {
        json!({})
    } else {
        tf.state_json()
    };
    state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["mode"] == "managed" && r["type"] == kind)
        .flat_map(|r| r["instances"].as_array().cloned().unwrap_or_default())
        .map(|i| i["attributes"].clone())
        .collect()
}

fn text<'a>(object: &'a Value, name: &str) -> &'a str {
    object[name].as_str().unwrap_or_default()
}

/// Every fleet object the panel holds is in the state: recorded (same id) or
/// unconfirmed (empty id, same configured key), and each exactly once.
fn assert_nothing_lost(sim: &Sim, tf: &Terraform, backend: Backend, when: &str) {
    let view = sim.view();
    let expected = expected(backend);
    let users = state_objects(tf, "panel_user");
    for user in view
        .users
        .iter()
        .filter(|u| expected.users.contains(&u.login))
    {
        let matching: Vec<&Value> = users
            .iter()
            .filter(|s| {
                let key = if backend == Backend::PanelAlpha {
                    text(s, "email")
                } else {
                    text(s, "login")
                };
                key == user.login && [user.panel_id.as_str(), ""].contains(&text(s, "id"))
            })
            .collect();
        assert_eq!(
            matching.len(),
            1,
            "[{backend:?}] {when}: user {} is on the panel but {} times in state: {users:#?}",
            user.login,
            matching.len()
        );
    }
    let domains = state_objects(tf, "panel_domain");
    for domain in view
        .domains
        .iter()
        .filter(|d| expected.domains.contains(&d.name))
    {
        let matching = domains
            .iter()
            .filter(|s| text(s, "name") == domain.name)
            .count();
        assert_eq!(
            matching, 1,
            "[{backend:?}] {when}: domain {} is on the panel but {matching} times in state",
            domain.name
        );
    }
    let databases = state_objects(tf, "panel_database");
    for name in &expected.databases {
        let Some(stored) = view.database(name) else {
            continue;
        };
        let matching = databases
            .iter()
            .filter(|s| text(s, "full_name") == stored.name || text(s, "name") == name)
            .count();
        assert_eq!(
            matching, 1,
            "[{backend:?}] {when}: database {} is on the panel but {matching} times in state",
            stored.name
        );
    }
}

/// The panel holds the whole fleet, each object exactly once.
fn assert_fleet_once(sim: &Sim, backend: Backend) {
    let view = sim.view();
    let expected = expected(backend);
    for login in &expected.users {
        let count = view.users.iter().filter(|u| &u.login == login).count();
        assert_eq!(
            count, 1,
            "[{backend:?}] user {login} on the panel {count} times"
        );
    }
    for name in &expected.domains {
        let count = view.domains.iter().filter(|d| &d.name == name).count();
        assert_eq!(
            count, 1,
            "[{backend:?}] domain {name} on the panel {count} times"
        );
    }
    for name in &expected.databases {
        let suffix = format!("_{name}");
        let count = view
            .databases
            .iter()
            .filter(|d| &d.name == name || d.name.ends_with(&suffix))
            .count();
        assert_eq!(
            count, 1,
            "[{backend:?}] database {name} on the panel {count} times"
        );
    }
}

fn terraform_for(sim: &Sim, backend: Backend) -> Terraform {
    let mut tf = sim.terraform();
    // Short enough that a held-back answer outlasts it; every call gets this long.
    tf.set_env("PANEL_REQUEST_TIMEOUT", "2");
    tf.write("fleet.tf", &fleet(backend));
    tf
}

/// After the faulty apply: nothing lost, one clean apply converges, the plan is
/// empty, the panel holds the fleet once.
fn converge(sim: &Sim, tf: &Terraform, backend: Backend, fault: &str) {
    sim.set_faults(&json!({
        "fail_next": [], "drop_after_commit_next": 0, "drop_after_commit": [],
        "delay_after_commit": [], "status_after_commit": [], "latency_ms": 0
    }));
    assert_nothing_lost(sim, tf, backend, &format!("after the {fault} apply"));
    let outcome = tf.try_apply();
    assert_eq!(
        outcome.code,
        0,
        "[{backend:?}] the clean re-apply after {fault} must converge in one run: {}",
        outcome.describe()
    );
    assert!(
        !outcome.stderr.contains("Already Exists") && !outcome.stdout.contains("Already Exists"),
        "[{backend:?}] {fault}: an object the provider created came back as 'already exists'"
    );
    tf.assert_empty_plan(&format!("[{backend:?}] after {fault}"));
    assert_fleet_once(sim, backend);
}

fn with_fault(backend: Backend, fault: &str, faults: Value) {
    let sim = Sim::start(backend);
    let tf = terraform_for(&sim, backend);
    sim.set_faults(&faults);
    let faulty = tf.try_apply();
    eprintln!(
        "[{backend:?}] {fault}: faulty apply exited {} ({} bytes of output)",
        faulty.code,
        faulty.stdout.len() + faulty.stderr.len()
    );
    converge(&sim, &tf, backend, fault);
}

/// Commits creates, then drops the connection without an answer.
fn commit_then_drop(backend: Backend) {
    with_fault(
        backend,
        "commit-then-drop",
        json!({"drop_after_commit": [{"count": 5, "kind": "write"}]}),
    );
}

/// Commits creates, then answers after the provider's 2 s timeout.
fn answer_after_timeout(backend: Backend) {
    with_fault(
        backend,
        "answer-after-timeout",
        json!({"delay_after_commit": [{"ms": 3000, "count": 4, "kind": "write"}]}),
    );
}

/// Commits creates, then answers 500.
fn commit_then_500(backend: Backend) {
    with_fault(
        backend,
        "commit-then-500",
        json!({"status_after_commit": [{"status": 500, "count": 5, "kind": "write"}]}),
    );
}

/// Reads (the look before a create, the read-back after it) fail with 500.
fn reads_fail_500(backend: Backend) {
    with_fault(
        backend,
        "reads-500",
        json!({"fail_next": [{"status": 500, "count": 6, "kind": "read"}]}),
    );
}

/// Reads answer 429 with Retry-After.
fn reads_rate_limited(backend: Backend) {
    with_fault(
        backend,
        "reads-429",
        json!({"fail_next": [{"status": 429, "count": 6, "kind": "read", "retry_after": 1}]}),
    );
}

/// Terraform is interrupted while slow creates are on the wire.
fn interrupted(backend: Backend) {
    let sim = Sim::start(backend);
    let tf = terraform_for(&sim, backend);
    sim.set_faults(&json!({"latency_ms": {"read": 0, "write": 1500}}));
    let mut child = tf.spawn(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    // Let the first creates leave (Terraform starts 10 at a time), then press Ctrl-C.
    let started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let created = !sim.view().users.is_empty();
        if created || started.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    std::thread::sleep(Duration::from_millis(700));
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap_or_else(|err| panic!("cannot send SIGINT: {err}"));
    assert!(status.success(), "kill -INT failed");
    let waited = Instant::now();
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap_or(None) {
            break exit;
        }
        assert!(
            waited.elapsed() < Duration::from_secs(120),
            "[{backend:?}] terraform did not exit within 120 s of SIGINT"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    eprintln!(
        "[{backend:?}] interrupted apply exited {exit} {:.1} s after SIGINT",
        waited.elapsed().as_secs_f64()
    );
    converge(&sim, &tf, backend, "SIGINT");
}

macro_rules! backend_cases {
    ($($backend:ident => $variant:expr),* $(,)?) => {
        $(
            mod $backend {
                use super::*;

                #[test]
                fn commit_then_drop() {
                    super::commit_then_drop($variant);
                }

                #[test]
                fn answer_after_timeout() {
                    super::answer_after_timeout($variant);
                }

                #[test]
                fn commit_then_500() {
                    super::commit_then_500($variant);
                }

                #[test]
                fn reads_fail_500() {
                    super::reads_fail_500($variant);
                }

                #[test]
                fn reads_rate_limited() {
                    super::reads_rate_limited($variant);
                }

                #[test]
                fn interrupted() {
                    super::interrupted($variant);
                }
            }
        )*
    };
}

backend_cases!(
    hestia => Backend::Hestia,
    plesk_rest => Backend::PleskRest,
    plesk_xml => Backend::PleskXml,
    panelalpha => Backend::PanelAlpha,
);
