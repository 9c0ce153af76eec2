//! `terraform-provider-panel adopt` (issue 14), through real Terraform on every
//! backend: a simulated panel seeded with 20 customers (each a user, 5 domains and 4
//! databases: 200 objects) is read with list calls, the written configuration passes
//! `terraform fmt -check` and `terraform validate`, `terraform apply` imports every
//! object and creates, changes and destroys nothing, and the next plan is empty. Then
//! two more customers appear on the panel, and `adopt --only-new` writes only them.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use super::economy::{seed_with, OWNERS};
use super::{Backend, Sim, SimView};
use crate::support::terraform::{provider_binary, Terraform};

/// Runs `adopt` against the simulator with `args`, returning its stderr.
pub(super) fn adopt(sim: &Sim, args: &[&str]) -> String {
    let mut command = Command::new(provider_binary());
    command.arg("adopt").args(args);
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("PANEL_")) {
        command.env_remove(name);
    }
    for (name, value) in sim.provider_env() {
        command.env(name, value);
    }
    let output = command
        .output()
        .unwrap_or_else(|err| panic!("cannot run the provider's adopt: {err}"));
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "[{:?}] adopt {args:?} failed ({}):\n{stderr}",
        sim.backend,
        output.status
    );
    stderr
}

/// The generated `.tf` files of `dir`, by name.
fn generated(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
        .flatten()
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| n.ends_with(".tf"))
        .collect();
    names.sort();
    names
}

/// Reads "Resources: N imported, A added, C changed, D destroyed." from apply output.
pub(super) fn apply_counts(stdout: &str) -> (usize, usize, usize, usize) {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Apply complete!"))
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"));
    let number = |word: &str| -> usize {
        line.split(", ")
            .chain(line.split(": "))
            .find_map(|part| {
                let part = part.trim().trim_end_matches('.');
                part.strip_suffix(word)?
                    .trim()
                    .rsplit(' ')
                    .next()?
                    .parse()
                    .ok()
            })
            .unwrap_or(0)
    };
    (
        number("imported"),
        number("added"),
        number("changed"),
        number("destroyed"),
    )
}

/// The objects `adopt` writes without `--owner`: all but the panel's administrator
/// (HestiaCP's `admin`) and what it owns.
fn adoptable(view: &SimView) -> usize {
    let admin = |owner: &str| owner == ADMIN;
    view.users.iter().filter(|u| !admin(&u.login)).count()
        + view.domains.iter().filter(|d| !admin(&d.owner)).count()
        + view.databases.iter().filter(|d| !admin(&d.owner)).count()
}

/// HestiaCP's administrator, which the simulator always has.
const ADMIN: &str = "admin";

/// Customers seeded: `PANEL_ADOPT_OWNERS` (default 20, 10 objects each), so the same
/// test measures a large panel: `PANEL_ADOPT_OWNERS=100 cargo test --test integration
/// acceptance::adopt -- --nocapture` adopts 1,000 objects per backend.
fn owners() -> usize {
    std::env::var("PANEL_ADOPT_OWNERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(OWNERS)
}

fn adopt_whole_panel(backend: Backend) {
    let owners = owners();
    let sim = Sim::start(backend);
    sim.seed(&seed_with(backend, owners));
    let objects = adoptable(&sim.view());
    assert!(
        objects >= owners * 9,
        "[{backend:?}] seeded {objects} objects"
    );
    let mut tf = Terraform::new();
    for (name, value) in sim.provider_env() {
        tf.set_env(name, &value);
    }
    let out = tf.dir().to_string_lossy().into_owned();
    sim.reset_requests();
    let log = adopt(&sim, &["--out", &out]);
    let (requests, routes) = sim.requests();
    eprintln!(
        "[{backend:?}] adopt read {objects} objects with {requests} requests: {routes:?}\n{log}"
    );
    assert!(
        // Half a request per object at most, plus one list per customer for each type
        // the seed leaves empty (cron jobs, FTP accounts: listed per account where the
        // panel only lists per account).
        requests as usize <= objects / 2 + 2 * owners,
        "[{backend:?}] adopt should read with list calls, not per object: {requests} requests \
         for {objects} objects ({routes:?})"
    );
    if backend == Backend::Hestia {
        assert!(
            log.contains("left out \"admin\" (the panel's administrator account)"),
            "[{backend:?}] the administrator is left out, and the log says so: {log}"
        );
    }
    let files = generated(tf.dir());
    assert!(files.contains(&"providers.tf".to_owned()), "{files:?}");
    assert_eq!(
        files.iter().filter(|f| f.starts_with("customer_")).count(),
        owners,
        "[{backend:?}] one file per customer: {files:?}"
    );
    tf.run(&["fmt", "-check", "-recursive", "-no-color"])
        .success();
    tf.run(&["validate", "-no-color"]).success();
    let started = std::time::Instant::now();
    let applied = tf.apply();
    eprintln!(
        "[{backend:?}] terraform apply of the adopted configuration: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let (imported, added, changed, destroyed) = apply_counts(&applied.stdout);
    assert_eq!(
        (imported, added, changed, destroyed),
        (objects, 0, 0, 0),
        "[{backend:?}] adoption must import everything and change nothing:\n{}",
        applied.stdout
    );
    tf.assert_empty_plan(&format!("[{backend:?}] after adopting the panel"));

    // Two more customers appear; --only-new writes just them.
    let extra = more_customers(backend);
    sim.seed(&extra);
    let log = adopt(
        &sim,
        &[
            "--out",
            &out,
            "--only-new",
            &format!("{out}/terraform.tfstate"),
        ],
    );
    assert!(log.contains("already managed"), "[{backend:?}] {log}");
    let after = adoptable(&sim.view());
    let applied = tf.apply();
    let (imported, added, changed, destroyed) = apply_counts(&applied.stdout);
    assert_eq!(
        (imported, added, changed, destroyed),
        (after - objects, 0, 0, 0),
        "[{backend:?}] --only-new must import the new objects only:\n{}",
        applied.stdout
    );
    tf.assert_empty_plan(&format!("[{backend:?}] after adopting the new customers"));
}

/// Two customers beyond the seed, in the same shape.
fn more_customers(backend: Backend) -> serde_json::Value {
    let full = seed_with(backend, 2);
    let rename = |text: &str| text.replace("eco01", "new01").replace("eco02", "new02");
    let first_two = |list: &serde_json::Value| -> serde_json::Value {
        serde_json::from_str(&rename(&list.to_string())).unwrap_or_default()
    };
    match backend {
        Backend::Hestia | Backend::PanelAlpha => {
            let users: Vec<serde_json::Value> = full["users"]
                .as_array()
                .into_iter()
                .flatten()
                .take(2)
                .map(first_two)
                .collect();
            json!({"users": users})
        }
        Backend::PleskRest | Backend::PleskXml => {
            let keep = |key: &str| -> Vec<serde_json::Value> {
                full[key]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|item| {
                        let text = item.to_string();
                        text.contains("eco01") || text.contains("eco02")
                    })
                    .map(first_two)
                    .collect()
            };
            json!({"clients": keep("clients"), "domains": keep("domains"), "databases": keep("databases")})
        }
    }
}

#[test]
fn hestia() {
    adopt_whole_panel(Backend::Hestia);
}

#[test]
fn plesk_rest() {
    adopt_whole_panel(Backend::PleskRest);
}

#[test]
fn plesk_xml() {
    adopt_whole_panel(Backend::PleskXml);
}

#[test]
fn panelalpha() {
    adopt_whole_panel(Backend::PanelAlpha);
}
