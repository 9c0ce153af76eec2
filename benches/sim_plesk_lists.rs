//! What the simulated Plesk spends on whole-list answers (issue 16 item 5): one
//! state holding N customers, N subscriptions and N databases, and the list calls a
//! refresh batches on (REST `GET /clients`, `/domains`, `/databases`; XML `<get>`
//! with an empty filter for customer, webspace, site and database).
//!
//! The router runs in-process (no sockets), so the numbers are the simulator's own
//! CPU per answer, not the client's or the network's.
//!
//! Run: `cargo bench --bench sim_plesk_lists`. Tunables: `SIM_LIST_OBJECTS`
//! (default 3000), `SIM_LIST_ROUNDS` (default 20). Under `cargo test --all-targets`
//! (no `--bench` argument) it smoke-runs with 50 objects and 2 rounds.

// Under `cargo clippy --all-targets` the module is checked with `cfg(test)` but without
// its `#[test]` functions, which leaves the test modules' imports unused.
#[allow(dead_code, unused_imports)]
#[path = "../src/bin/panel-sim/panel.rs"]
mod panel;
#[allow(dead_code, unused_imports)]
#[path = "../src/bin/panel-sim/plesk/mod.rs"]
mod plesk;

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use base64::Engine as _;
use panel::SimPanel as _;
use serde_json::{json, Value};
use tower::ServiceExt as _;

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn seed(objects: usize) -> Value {
    let clients: Vec<Value> = (1..=objects)
        .map(|i| json!({"login": format!("c{i}"), "email": format!("c{i}@example.com")}))
        .collect();
    let domains: Vec<Value> = (1..=objects)
        .map(|i| json!({"name": format!("site{i}.example"), "owner_login": format!("c{i}"), "ftp_login": format!("ftp{i}"), "ftp_password": "secret1"}))
        .collect();
    let databases: Vec<Value> = (1..=objects)
        .map(|i| json!({"name": format!("db{i}"), "domain": format!("site{i}.example")}))
        .collect();
    json!({"clients": clients, "domains": domains, "databases": databases})
}

struct Call {
    what: &'static str,
    request: fn(&str) -> Request<Body>,
}

fn rest(path: &'static str) -> impl Fn(&str) -> Request<Body> {
    move |auth: &str| {
        Request::builder()
            .method(Method::GET)
            .uri(path)
            .header("authorization", auth)
            .body(Body::empty())
            .expect("request")
    }
}

fn xml(packet: &'static str, auth: &str) -> Request<Body> {
    let _ = auth;
    Request::builder()
        .method(Method::POST)
        .uri("/enterprise/control/agent.php")
        .header("HTTP_AUTH_LOGIN", "admin")
        .header("HTTP_AUTH_PASSWD", "sim-Passw0rd!")
        .header("content-type", "text/xml")
        .body(Body::from(packet))
        .expect("request")
}

async fn run() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let objects = env_number("SIM_LIST_OBJECTS", if full { 3000 } else { 50 });
    let rounds = env_number("SIM_LIST_ROUNDS", if full { 20 } else { 2 }).max(1);

    let sim = plesk::new();
    let started = Instant::now();
    sim.seed(seed(objects)).expect("seed accepted");
    println!(
        "plesk seed: {objects} customers + {objects} subscriptions + {objects} databases in {:.0} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let router = Arc::clone(&sim).router();
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode("admin:sim-Passw0rd!")
    );

    let calls = [
        Call {
            what: "REST GET /api/v2/clients",
            request: |a| rest("/api/v2/clients")(a),
        },
        Call {
            what: "REST GET /api/v2/domains",
            request: |a| rest("/api/v2/domains")(a),
        },
        Call {
            what: "REST GET /api/v2/databases",
            request: |a| rest("/api/v2/databases")(a),
        },
        Call {
            what: "XML customer get <filter/> gen_info",
            request: |a| {
                xml("<packet><customer><get><filter/><dataset><gen_info/></dataset></get></customer></packet>", a)
            },
        },
        Call {
            what: "XML webspace get <filter/> gen_info+hosting",
            request: |a| {
                xml("<packet><webspace><get><filter/><dataset><gen_info/><hosting/></dataset></get></webspace></packet>", a)
            },
        },
        Call {
            what: "XML site get <filter/> gen_info",
            request: |a| {
                xml("<packet><site><get><filter/><dataset><gen_info/></dataset></get></site></packet>", a)
            },
        },
        Call {
            what: "XML database get-db <filter/>",
            request: |a| {
                xml(
                    "<packet><database><get-db><filter/></get-db></database></packet>",
                    a,
                )
            },
        },
    ];
    for call in &calls {
        let mut bytes = 0usize;
        let started = Instant::now();
        for _ in 0..rounds {
            let response = router
                .clone()
                .oneshot((call.request)(&auth))
                .await
                .expect("router is infallible");
            assert_eq!(response.status(), StatusCode::OK, "{}", call.what);
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .expect("body");
            bytes = body.len();
        }
        let per_call = started.elapsed().as_secs_f64() / rounds as f64;
        println!(
            "{:<44} {:>8.2} ms/answer  {:>6.2} us/object  {:>9} bytes",
            call.what,
            per_call * 1e3,
            per_call * 1e6 / objects as f64,
            bytes
        );
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(run());
}
