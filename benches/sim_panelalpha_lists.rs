//! How much CPU the PanelAlpha simulator spends answering its largest list requests: the
//! admin lists a provider refreshes from (users, services; per_page = everything, and a walk
//! over pages of 100) and the per-account lists (domains, DNS records, cron jobs, mail
//! accounts) holding 3,000 objects. The router is driven in-process (no sockets), so the
//! numbers are the simulator's own cost per answer, serialisation included.
//!
//! Run: `cargo bench --bench sim_panelalpha_lists`. Tunables: `SIM_LIST_OBJECTS` (default
//! 3000), `SIM_LIST_ROUNDS` (default 20). A test runner gets one `smoke` test: 1 round on 50
//! objects (`benches/support/cli.rs`).

#[path = "support/cli.rs"]
mod cli;

// A bench is built with `cfg(test)` but without the test harness, so the modules' unit tests
// are left out and their imports look unused.
#[allow(dead_code, unused_imports)]
#[path = "../src/bin/panel-sim/panel.rs"]
mod panel;

#[allow(dead_code, unused_imports)]
#[path = "../src/bin/panel-sim/panelalpha/mod.rs"]
mod panelalpha;

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use panel::SimPanel;
use serde_json::{json, Value};
use tower::ServiceExt;

const TOKEN: &str = "sim-panelalpha-token";

/// utime + stime of this process from /proc (Linux), in seconds; 0 if unreadable.
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return 0.0;
    };
    let Some(after) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
        return 0.0;
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    ticks / 100.0
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `objects` users, each with one service (so one hosting account); user 1's account also
/// holds `objects` addon domains, DNS records, cron jobs and mail accounts.
fn seed(objects: usize) -> Value {
    let mut users: Vec<Value> = (1..=objects)
        .map(|i| {
            json!({"email": format!("u{i}@example.com"), "first_name": "Bench",
                   "last_name": format!("User{i}"), "password": "secret123",
                   "services": [{"plan": 1, "domain": format!("site{i}.example")}]})
        })
        .collect();
    let big = &mut users[0]["services"][0];
    big["domains"] = json!((1..=objects)
        .map(|i| format!("addon{i}.example"))
        .collect::<Vec<_>>());
    big["dns_records"] = json!((1..=objects)
        .map(|i| json!({"zone": "site1.example", "name": format!("h{i}"), "type": "A", "address": "192.0.2.7"}))
        .collect::<Vec<_>>());
    big["cron_jobs"] = json!((1..=objects)
        .map(|i| json!({"minute": "*/5", "hour": "*", "day_of_month": "*", "month": "*", "day_of_week": "*", "command": format!("/bin/true {i}")}))
        .collect::<Vec<_>>());
    big["email_accounts"] = json!((1..=objects)
        .map(|i| json!({"email": format!("box{i}@site1.example"), "password": "mail-pass-1"}))
        .collect::<Vec<_>>());
    json!({ "users": users })
}

async fn get(router: &axum::Router, path: &str, user: Option<u64>) -> (u16, usize) {
    let mut request = Request::builder()
        .uri(path)
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("Accept", "application/json")
        .header("Host", "panel.test:8443");
    if let Some(user) = user {
        request = request.header("X-PanelAlpha-User", user.to_string());
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = response.status().as_u16();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .map(|b| b.len())
        .unwrap_or(0);
    (status, bytes)
}

struct Case {
    what: String,
    /// Requests making up one round (a page walk is several).
    paths: Vec<String>,
    user: Option<u64>,
    /// Objects one round returns.
    objects: usize,
}

async fn measure(router: &axum::Router, case: &Case, rounds: usize) {
    // Warm-up, and a check that the case answers what it claims.
    let mut bytes = 0;
    for path in &case.paths {
        let (status, size) = get(router, path, case.user).await;
        if status == 404 {
            println!("{:<52} skipped: {path} is not served", case.what);
            return;
        }
        assert_eq!(status, 200, "{path} answered {status}");
        bytes += size;
    }
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    for _ in 0..rounds {
        for path in &case.paths {
            get(router, path, case.user).await;
        }
    }
    let wall = started.elapsed();
    let cpu = cpu_seconds() - cpu_before;
    let per_round = wall / u32::try_from(rounds.max(1)).unwrap_or(1);
    println!(
        "{:<52} {:>8.2} ms/answer wall  {:>6.2} us/object  {:>7.2} ms CPU/answer  ({} objects, {} requests, {:.1} MiB)",
        case.what,
        ms(per_round),
        ms(per_round) * 1000.0 / case.objects.max(1) as f64,
        cpu * 1000.0 / rounds.max(1) as f64,
        case.objects,
        case.paths.len(),
        bytes as f64 / (1024.0 * 1024.0)
    );
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn main() {
    let full_run = match cli::from_args() {
        cli::Run::Measure => true,
        cli::Run::Smoke => false,
        cli::Run::Nothing => return,
    };
    let objects = env_number("SIM_LIST_OBJECTS", if full_run { 3000 } else { 50 });
    let rounds = env_number("SIM_LIST_ROUNDS", if full_run { 20 } else { 1 });
    let panel = panelalpha::new();
    let seeding = Instant::now();
    panel.seed(seed(objects)).expect("seed applies");
    println!(
        "panelalpha: seeded {objects} users/services/accounts + {objects} domains, DNS records, cron jobs, mailboxes in {:.0} ms",
        ms(seeding.elapsed())
    );
    let router = panel.clone().router();
    let walk = |base: &str| -> Vec<String> {
        (1..=objects.div_ceil(100))
            .map(|page| format!("{base}?per_page=100&page={page}"))
            .collect()
    };
    let cases = [
        Case {
            what: format!("GET api/admin/users?per_page={objects}"),
            paths: vec![format!("/api/admin/users?per_page={objects}")],
            user: None,
            objects,
        },
        Case {
            what: "GET api/admin/users, pages of 100".to_string(),
            paths: walk("/api/admin/users"),
            user: None,
            objects,
        },
        Case {
            what: format!("GET api/admin/services?per_page={objects}"),
            paths: vec![format!("/api/admin/services?per_page={objects}")],
            user: None,
            objects,
        },
        Case {
            what: "GET api/admin/services, pages of 100".to_string(),
            paths: walk("/api/admin/services"),
            user: None,
            objects,
        },
        Case {
            what: "GET api/admin/services?user_id=N (one of N)".to_string(),
            paths: vec![format!("/api/admin/services?user_id={objects}")],
            user: None,
            objects: 1,
        },
        Case {
            what: "GET api/server-accounts/1/domains".to_string(),
            paths: vec!["/api/server-accounts/1/domains".to_string()],
            user: Some(1),
            objects: objects + 1,
        },
        Case {
            what: "GET api/server-accounts/1/dns-zones/{zone}/records".to_string(),
            paths: vec!["/api/server-accounts/1/dns-zones/site1.example/records".to_string()],
            user: Some(1),
            objects,
        },
        Case {
            what: "GET api/server-accounts/1/cron-jobs".to_string(),
            paths: vec!["/api/server-accounts/1/cron-jobs".to_string()],
            user: Some(1),
            objects,
        },
        Case {
            what: "GET api/server-accounts/1/email/accounts".to_string(),
            paths: vec!["/api/server-accounts/1/email/accounts".to_string()],
            user: Some(1),
            objects,
        },
    ];
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for case in &cases {
            measure(&router, case, rounds).await;
        }
    });
}
