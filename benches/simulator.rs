//! Simple reads per second against each simulated panel holding 1,000 objects,
//! over loopback with concurrent keep-alive clients (target: >= 5,000/s).
//!
//! Run: `cargo bench --bench simulator` (builds `panel-sim` with the bench
//! profile). A panel whose module is not in this build is skipped with a note.
//! Tunables: `SIM_BENCH_REQUESTS` (default 20000), `SIM_BENCH_CONCURRENCY` (32).

#[path = "support/cli.rs"]
mod cli;
#[path = "../tests/support/sim.rs"]
mod sim;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sim::SimProcess;

const OBJECTS: usize = 1_000;

/// How to fill one panel with objects and read one of them back.
struct Workload {
    panel: &'static str,
    what: &'static str,
    seed: fn() -> Value,
    /// Ids (or names) of the seeded objects, discovered after seeding.
    discover: fn(&reqwest::Client, &SimProcess) -> futures::future::BoxFuture<'static, Vec<String>>,
    read: fn(&reqwest::Client, &SimProcess, &str) -> reqwest::RequestBuilder,
}

fn hestia_seed() -> Value {
    let users: Vec<Value> = (1..=OBJECTS)
        .map(|i| json!({"user": format!("user{i:04}"), "password": "Bench-pw1", "email": format!("user{i}@example.com")}))
        .collect();
    json!({ "users": users })
}

fn hestia_names(
    _: &reqwest::Client,
    _: &SimProcess,
) -> futures::future::BoxFuture<'static, Vec<String>> {
    Box::pin(async { (1..=OBJECTS).map(|i| format!("user{i:04}")).collect() })
}

fn hestia_read(client: &reqwest::Client, sim: &SimProcess, user: &str) -> reqwest::RequestBuilder {
    let form = [
        ("access_key", sim.cred("access_key")),
        ("secret_key", sim.cred("secret_key")),
        ("cmd", "v-list-user".to_string()),
        ("arg1", user.to_string()),
        ("arg2", "json".to_string()),
    ];
    client.post(sim.url("/api/")).form(&form)
}

fn plesk_seed() -> Value {
    let clients: Vec<Value> = (1..=OBJECTS)
        .map(|i| json!({"login": format!("c{i}")}))
        .collect();
    json!({ "clients": clients })
}

fn plesk_ids(
    client: &reqwest::Client,
    sim: &SimProcess,
) -> futures::future::BoxFuture<'static, Vec<String>> {
    let request = client
        .get(sim.url("/api/v2/clients"))
        .header("X-API-Key", sim.cred("api_key"));
    Box::pin(async move {
        let Ok(response) = request.send().await else {
            return Vec::new();
        };
        let listed: Value = response.json().await.unwrap_or_default();
        ids_of(listed.as_array())
    })
}

fn plesk_read(client: &reqwest::Client, sim: &SimProcess, id: &str) -> reqwest::RequestBuilder {
    client
        .get(sim.url(&format!("/api/v2/clients/{id}")))
        .header("X-API-Key", sim.cred("api_key"))
}

fn panelalpha_seed() -> Value {
    let users: Vec<Value> = (1..=OBJECTS)
        .map(|i| json!({"email": format!("u{i}@example.com"), "first_name": "Bench", "last_name": format!("User{i}"), "password": "secret123"}))
        .collect();
    json!({ "users": users })
}

fn panelalpha_ids(
    client: &reqwest::Client,
    sim: &SimProcess,
) -> futures::future::BoxFuture<'static, Vec<String>> {
    let request = client
        .get(sim.url(&format!("/api/admin/users?per_page={OBJECTS}")))
        .bearer_auth(sim.cred("token"));
    Box::pin(async move {
        let Ok(response) = request.send().await else {
            return Vec::new();
        };
        let listed: Value = response.json().await.unwrap_or_default();
        ids_of(listed["data"].as_array())
    })
}

fn panelalpha_read(
    client: &reqwest::Client,
    sim: &SimProcess,
    id: &str,
) -> reqwest::RequestBuilder {
    client
        .get(sim.url(&format!("/api/admin/users/{id}")))
        .bearer_auth(sim.cred("token"))
}

fn ids_of(items: Option<&Vec<Value>>) -> Vec<String> {
    items
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item.get("id"))
                .map(|id| id.to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// utime + stime of a process, from /proc (Linux), in seconds; 0 if unreadable.
fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are 14 and 15.
    let Some(after) = stat.rsplit_once(')').map(|(_, rest)| rest) else {
        return 0.0;
    };
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|i| fields.get(*i).and_then(|v| v.parse::<f64>().ok()))
        .sum();
    ticks / 100.0 // USER_HZ is 100 on Linux
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn bench(workload: &Workload, total: usize, concurrency: usize) {
    let sim = match sim::try_spawn(workload.panel, &[]) {
        Ok(sim) => Arc::new(sim),
        Err(err) => {
            let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            println!(
                "{:<11} skipped: simulator not available in this build ({first})",
                workload.panel
            );
            return;
        }
    };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .timeout(Duration::from_secs(30))
        .build()
        .expect("HTTP client");
    let seeded = client
        .post(sim.url("/__sim/seed"))
        .json(&(workload.seed)())
        .send()
        .await;
    match seeded {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => {
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            println!(
                "{:<11} skipped: seeding {OBJECTS} objects failed ({status}): {text}",
                workload.panel
            );
            return;
        }
        Err(err) => {
            println!("{:<11} skipped: seeding failed: {err}", workload.panel);
            return;
        }
    }
    let keys = Arc::new((workload.discover)(&client, &sim).await);
    if keys.len() < OBJECTS {
        println!(
            "{:<11} skipped: found {} of {OBJECTS} seeded objects to read",
            workload.panel,
            keys.len()
        );
        return;
    }

    let run = |count: usize| {
        let next = Arc::new(AtomicUsize::new(0));
        let failures = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..concurrency)
            .map(|_| {
                let (client, sim, keys) = (client.clone(), Arc::clone(&sim), Arc::clone(&keys));
                let (next, failures) = (Arc::clone(&next), Arc::clone(&failures));
                let read = workload.read;
                tokio::spawn(async move {
                    loop {
                        let n = next.fetch_add(1, Ordering::Relaxed);
                        if n >= count {
                            break;
                        }
                        // A stride that visits objects all over the table.
                        let key = &keys[(n * 7919) % keys.len()];
                        let ok = match read(&client, &sim, key).send().await {
                            Ok(response) => {
                                let ok = response.status().as_u16() == 200;
                                ok && response.bytes().await.is_ok()
                            }
                            Err(_) => false,
                        };
                        if !ok {
                            failures.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        async move {
            let started = Instant::now();
            for task in tasks {
                let _ = task.await;
            }
            (started.elapsed(), failures.load(Ordering::Relaxed))
        }
    };

    run(total / 10).await; // warm-up: connections, caches
    let cpu_before = cpu_seconds(sim.child.id());
    let (elapsed, failures) = run(total).await;
    let cpu_used = cpu_seconds(sim.child.id()) - cpu_before;
    let rate = total as f64 / elapsed.as_secs_f64();
    println!(
        "{:<11} {:>9.0} reads/s  ({total} x {}, {concurrency} clients, {OBJECTS} objects, {:.2} s, {failures} failed)",
        workload.panel,
        rate,
        workload.what,
        elapsed.as_secs_f64()
    );
    // The machine is shared (and the client runs on it too), so also report what
    // the simulator itself spent: reads per CPU-second of the simulator process.
    if cpu_used > 0.0 {
        println!(
            "{:<11} {:>9.0} reads per simulator CPU-second ({:.1} us CPU per read)",
            "",
            total as f64 / cpu_used,
            cpu_used * 1e6 / total as f64
        );
    }
}

fn main() {
    // A test runner (`cargo test --all-targets`, nextest) runs this file too, on the
    // debug build: a short smoke run proves the workloads still work there.
    let full_run = match cli::from_args() {
        cli::Run::Measure => true,
        cli::Run::Smoke => false,
        cli::Run::Nothing => return,
    };
    let default_requests = if full_run { 20_000 } else { 300 };
    let total = env_number("SIM_BENCH_REQUESTS", default_requests);
    let concurrency = env_number("SIM_BENCH_CONCURRENCY", 32);
    let workloads = [
        Workload {
            panel: "hestia",
            what: "v-list-user USER json (access key)",
            seed: hestia_seed,
            discover: hestia_names,
            read: hestia_read,
        },
        Workload {
            panel: "plesk",
            what: "GET /api/v2/clients/{id} (X-API-Key)",
            seed: plesk_seed,
            discover: plesk_ids,
            read: plesk_read,
        },
        Workload {
            panel: "panelalpha",
            what: "GET /api/admin/users/{id} (Bearer)",
            seed: panelalpha_seed,
            discover: panelalpha_ids,
            read: panelalpha_read,
        },
    ];
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for workload in &workloads {
            bench(workload, total, concurrency).await;
        }
    });
}
