//! The simulator harness as a user relies on it: one ready line, the control
//! API, every realism knob, persistence across restarts and `--tls`.
//! Driven through the Hestia panel, whose route keys are the `cmd` values.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::sim::{spawn, SimProcess};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A Hestia command with the access key from the ready line.
async fn hestia(sim: &SimProcess, cmd: &str, args: &[&str]) -> reqwest::Result<reqwest::Response> {
    let mut form = vec![
        ("access_key".to_string(), sim.cred("access_key")),
        ("secret_key".to_string(), sim.cred("secret_key")),
        ("cmd".to_string(), cmd.to_string()),
    ];
    for (i, arg) in args.iter().enumerate() {
        form.push((format!("arg{}", i + 1), arg.to_string()));
    }
    client().post(sim.url("/api/")).form(&form).send().await
}

async fn add_user(sim: &SimProcess, user: &str) -> reqwest::Result<reqwest::Response> {
    let email = format!("{user}@example.com");
    hestia(sim, "v-add-user", &[user, "Secret-pw1", &email]).await
}

async fn control(
    sim: &SimProcess,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client().request(method, sim.url(path));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

async fn state_has_user(sim: &SimProcess, user: &str) -> bool {
    let (_, state) = control(sim, reqwest::Method::GET, "/__sim/state", None).await;
    state["users"].get(user).is_some()
}

#[tokio::test]
async fn ready_line_is_the_only_stdout_and_sigterm_exits_cleanly() {
    let mut sim = spawn("hestia", &[]);
    let ready: Value = serde_json::from_str(&sim.ready_line).unwrap();
    assert_eq!(ready["panel"], "hestia");
    assert!(sim.base_url.starts_with("http://127.0.0.1:"));
    assert_eq!(ready["ca_cert_pem_path"], Value::Null);
    for key in ["user", "password", "access_key", "secret_key", "hash"] {
        assert!(
            ready["credentials"][key].is_string(),
            "missing credential {key}"
        );
    }
    assert_eq!(add_user(&sim, "quiet").await.unwrap().status(), 204);
    let _ = hestia(&sim, "v-list-users", &["json"]).await.unwrap();
    let status = sim.terminate();
    assert!(status.success(), "exit status {status}");
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        sim.extra_stdout.lock().unwrap().is_empty(),
        "stdout had more than one line"
    );
}

#[tokio::test]
async fn latency_knob_delays_panel_requests() {
    let sim = spawn("hestia", &["--latency-ms", "1500"]);
    let started = Instant::now();
    hestia(&sim, "v-list-users", &["json"]).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(1500));
    let (status, faults) = control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/faults",
        Some(json!({"latency_ms": 0})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(faults["latency_ms"], 0);
    let started = Instant::now();
    hestia(&sim, "v-list-users", &["json"]).await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[tokio::test]
async fn fail_rate_injects_5xx_before_anything_is_committed() {
    let sim = spawn("hestia", &["--fail-rate", "1"]);
    for i in 0..5 {
        let response = add_user(&sim, &format!("failer{i}")).await.unwrap();
        assert!(
            [500, 502, 503].contains(&response.status().as_u16()),
            "{}",
            response.status()
        );
        assert!(response.text().await.unwrap().contains("nginx"));
    }
    for i in 0..5 {
        assert!(!state_has_user(&sim, &format!("failer{i}")).await);
    }
    let (_, faults) = control(&sim, reqwest::Method::GET, "/__sim/faults", None).await;
    assert_eq!(faults["fail_rate"], 1.0);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let sim = spawn("hestia", &["--rate-limit", "2"]);
    // Sent at once, so the bucket (2 tokens, 2 per second) cannot refill in between.
    let burst = (0..8).map(|_| hestia(&sim, "v-list-users", &["json"]));
    let responses = futures::future::join_all(burst).await;
    let mut ok = 0;
    let mut retry_after = None;
    for response in responses {
        let response = response.unwrap();
        match response.status().as_u16() {
            200 => ok += 1,
            429 => {
                let header = response
                    .headers()
                    .get("retry-after")
                    .expect("Retry-After header");
                retry_after = Some(header.to_str().unwrap().parse::<u64>().unwrap());
            }
            other => panic!("unexpected status {other}"),
        }
    }
    assert!((2..8).contains(&ok), "{ok} of 8 passed a 2 rps limit");
    assert!(retry_after.expect("at least one 429") >= 1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        hestia(&sim, "v-list-users", &["json"])
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn fail_next_fails_exactly_the_matching_requests() {
    let sim = spawn("hestia", &[]);
    let (status, _) = control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/faults",
        Some(json!({"fail_next": [{"status": 503, "count": 2, "route": "v-add-user"}]})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        hestia(&sim, "v-list-users", &["json"])
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(add_user(&sim, "first").await.unwrap().status(), 503);
    assert_eq!(add_user(&sim, "first").await.unwrap().status(), 503);
    assert!(!state_has_user(&sim, "first").await);
    assert_eq!(add_user(&sim, "first").await.unwrap().status(), 204);
    let (_, faults) = control(&sim, reqwest::Method::GET, "/__sim/faults", None).await;
    assert_eq!(faults["fail_next"], json!([]));
}

#[tokio::test]
async fn drop_after_commit_commits_then_closes_without_a_response() {
    let sim = spawn("hestia", &[]);
    control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/faults",
        Some(json!({"drop_after_commit_next": 1})),
    )
    .await;
    let outcome = add_user(&sim, "dropped").await;
    let error = outcome.expect_err("the client must not get a response");
    assert!(
        !error.is_timeout(),
        "connection should close, not hang: {error}"
    );
    assert!(
        state_has_user(&sim, "dropped").await,
        "the change must be committed"
    );
    // Only the next request was affected.
    assert_eq!(add_user(&sim, "dropped").await.unwrap().status(), 400);
}

#[tokio::test]
async fn request_counters_count_per_command_and_reset() {
    let sim = spawn("hestia", &[]);
    add_user(&sim, "counted").await.unwrap();
    hestia(&sim, "v-list-user", &["counted", "json"])
        .await
        .unwrap();
    hestia(&sim, "v-list-user", &["counted", "json"])
        .await
        .unwrap();
    let (_, counts) = control(&sim, reqwest::Method::GET, "/__sim/requests", None).await;
    assert_eq!(
        counts,
        json!({"total": 3, "routes": {"v-add-user": 1, "v-list-user": 2}})
    );
    let (status, counts) = control(&sim, reqwest::Method::DELETE, "/__sim/requests", None).await;
    assert_eq!(status, 200);
    assert_eq!(counts["total"], 0);
}

#[tokio::test]
async fn reset_restores_state_and_counters_but_keeps_command_line_knobs() {
    let sim = spawn(
        "hestia",
        &[
            "--latency-ms",
            "read=5,write=50",
            "--fail-rate",
            "0",
            "--rate-limit",
            "500",
        ],
    );
    add_user(&sim, "gone").await.unwrap();
    control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/faults",
        Some(json!({"fail_next": [{"status": 503}], "latency_ms": 0})),
    )
    .await;
    let (status, _) = control(&sim, reqwest::Method::POST, "/__sim/reset", None).await;
    assert_eq!(status, 200);
    assert!(!state_has_user(&sim, "gone").await);
    assert!(state_has_user(&sim, "admin").await);
    let (_, counts) = control(&sim, reqwest::Method::GET, "/__sim/requests", None).await;
    assert_eq!(counts["total"], 0);
    let (_, faults) = control(&sim, reqwest::Method::GET, "/__sim/faults", None).await;
    assert_eq!(faults["latency_ms"], json!({"read": 5, "write": 50}));
    assert_eq!(faults["rate_limit_rps"], 500);
    assert_eq!(faults["fail_next"], json!([]));
    // The scripted failure is gone with the reset.
    assert_eq!(add_user(&sim, "after").await.unwrap().status(), 204);
}

#[tokio::test]
async fn latency_is_per_request_kind() {
    let sim = spawn("hestia", &["--latency-ms", "read=0,write=1200"]);
    let started = Instant::now();
    hestia(&sim, "v-list-users", &["json"]).await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(1000),
        "reads are fast"
    );
    let started = Instant::now();
    add_user(&sim, "slowwrite").await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(1200),
        "writes wait"
    );
    let (status, faults) = control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/faults",
        Some(json!({"read_latency_ms": 1200, "write_latency_ms": 0})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(faults["latency_ms"], json!({"read": 1200, "write": 0}));
    let started = Instant::now();
    hestia(&sim, "v-list-user", &["slowwrite", "json"])
        .await
        .unwrap();
    assert!(started.elapsed() >= Duration::from_millis(1200));
}

#[tokio::test]
async fn fail_next_can_fail_the_read_back_after_a_create() {
    let sim = spawn("hestia", &[]);
    let (status, _) = control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/faults",
        Some(
            json!({"fail_next": [{"status": 429, "kind": "read", "retry_after": 4},
                                  {"status": 500, "kind": "read"}]}),
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(add_user(&sim, "created").await.unwrap().status(), 204);
    let throttled = hestia(&sim, "v-list-user", &["created", "json"])
        .await
        .unwrap();
    assert_eq!(throttled.status(), 429);
    assert_eq!(throttled.headers()["retry-after"], "4");
    let failed = hestia(&sim, "v-list-user", &["created", "json"])
        .await
        .unwrap();
    assert_eq!(failed.status(), 500);
    let read = hestia(&sim, "v-list-user", &["created", "json"])
        .await
        .unwrap();
    assert_eq!(read.status(), 200);
}

#[tokio::test]
async fn delay_after_commit_commits_then_holds_the_answer_back() {
    let sim = spawn("hestia", &[]);
    control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/faults",
        Some(json!({"delay_after_commit": [{"ms": 3000, "route": "v-add-user"}]})),
    )
    .await;
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(800))
        .build()
        .unwrap();
    let form = [
        ("access_key", sim.cred("access_key")),
        ("secret_key", sim.cred("secret_key")),
        ("cmd", "v-add-user".to_string()),
        ("arg1", "delayed".to_string()),
        ("arg2", "Secret-pw1".to_string()),
        ("arg3", "d@example.com".to_string()),
    ];
    let outcome = impatient.post(sim.url("/api/")).form(&form).send().await;
    assert!(outcome.expect_err("the client gives up").is_timeout());
    assert!(
        state_has_user(&sim, "delayed").await,
        "the change was committed before the answer was held back"
    );
    // Counted down: the next one answers at once.
    let started = Instant::now();
    assert_eq!(add_user(&sim, "prompt").await.unwrap().status(), 204);
    assert!(started.elapsed() < Duration::from_millis(2000));
}

#[tokio::test]
async fn status_after_commit_commits_then_answers_a_5xx() {
    let sim = spawn("hestia", &[]);
    let (status, faults) = control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/faults",
        Some(json!({"status_after_commit": [{"status": 502, "count": 2, "kind": "write"}]})),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(faults["status_after_commit"][0]["count"], 2);
    assert_eq!(
        hestia(&sim, "v-list-users", &["json"])
            .await
            .unwrap()
            .status(),
        200,
        "reads are not targeted"
    );
    let first = add_user(&sim, "committed").await.unwrap();
    assert_eq!(first.status(), 502);
    assert!(first.text().await.unwrap().contains("nginx"));
    assert!(state_has_user(&sim, "committed").await);
    // A retry of the same create now meets the committed user.
    assert_eq!(add_user(&sim, "committed").await.unwrap().status(), 502);
    assert_eq!(add_user(&sim, "committed").await.unwrap().status(), 400);
    let (status, _) = control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/faults",
        Some(json!({"status_after_commit": [{"status": 404}]})),
    )
    .await;
    assert_eq!(status, 400, "only 5xx statuses");
}

#[tokio::test]
async fn state_dump_restore_and_seed() {
    let sim = spawn("hestia", &[]);
    let (_, empty) = control(&sim, reqwest::Method::GET, "/__sim/state", None).await;
    let seed = json!({"users": [{"user": "seeded", "password": "pw", "email": "s@example.com",
        "web_domains": [{"domain": "seeded.example"}]}]});
    let (status, _) = control(&sim, reqwest::Method::POST, "/__sim/seed", Some(seed)).await;
    assert_eq!(status, 200);
    let listed = hestia(
        &sim,
        "v-list-web-domain",
        &["seeded", "seeded.example", "json"],
    )
    .await
    .unwrap();
    assert_eq!(listed.status(), 200);
    let (status, _) = control(&sim, reqwest::Method::PUT, "/__sim/state", Some(empty)).await;
    assert_eq!(status, 200);
    assert!(!state_has_user(&sim, "seeded").await);
    let (status, error) = control(
        &sim,
        reqwest::Method::POST,
        "/__sim/seed",
        Some(json!({"users": [{"user": "1bad", "password": "x", "email": "b@example.com"}]})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(error["error"]
        .as_str()
        .unwrap()
        .contains("invalid user format"));
    let (status, _) = control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/faults",
        Some(json!({"fail_rate": 2})),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = control(&sim, reqwest::Method::GET, "/__sim/nothing", None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn state_file_survives_restarts_graceful_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hestia.json");
    let path_arg = path.to_str().unwrap();
    let seed_path = dir.path().join("seed.json");
    std::fs::write(
        &seed_path,
        json!({"users": [{"user": "fromseed", "password": "pw", "email": "f@example.com"}]})
            .to_string(),
    )
    .unwrap();
    let seed_arg = seed_path.to_str().unwrap();

    let mut sim = spawn("hestia", &["--state", path_arg, "--seed", seed_arg]);
    assert!(state_has_user(&sim, "fromseed").await);
    add_user(&sim, "keeper").await.unwrap();
    assert!(sim.terminate().success());

    // The seed is not applied again on top of the saved state.
    let sim = spawn("hestia", &["--state", path_arg, "--seed", seed_arg]);
    assert!(state_has_user(&sim, "keeper").await);
    assert!(state_has_user(&sim, "fromseed").await);
    add_user(&sim, "afterkill").await.unwrap();
    drop(sim); // SIGKILL: no chance to save on the way out

    let sim = spawn("hestia", &["--state", path_arg]);
    assert!(
        state_has_user(&sim, "afterkill").await,
        "saved after every change"
    );
    let response = hestia(&sim, "v-list-user", &["keeper", "json"])
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn tls_serves_https_trusted_only_with_the_printed_ca() {
    let sim = spawn("hestia", &["--tls"]);
    assert!(
        sim.base_url.starts_with("https://127.0.0.1:"),
        "{}",
        sim.base_url
    );
    let ca_path = sim.ca_cert_pem_path.clone().expect("ca_cert_pem_path");
    let pem = std::fs::read(&ca_path).unwrap();
    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let form = [
        ("access_key", sim.cred("access_key")),
        ("secret_key", sim.cred("secret_key")),
        ("cmd", "v-list-users".to_string()),
        ("arg1", "json".to_string()),
    ];
    let response = trusting
        .post(sim.url("/api/"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let by_name = sim.base_url.replace("127.0.0.1", "localhost");
    let response = trusting
        .post(format!("{by_name}/api/"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let default_client = reqwest::Client::new();
    let refused = default_client
        .post(sim.url("/api/"))
        .form(&form)
        .send()
        .await;
    assert!(
        refused.is_err(),
        "a client without the CA must refuse the certificate"
    );
}
