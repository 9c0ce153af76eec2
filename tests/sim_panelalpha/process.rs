//! The PanelAlpha simulator as a process, the way the provider's tests drive it: its control
//! endpoints (`/__sim/panelalpha/...`) and seed keys for faults and UI actions, the harness's
//! own `fail_next` on the purge route, and `--state` persistence of the new object types.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::sim::{spawn, SimProcess};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// A panel call as the provider makes it (bearer token, JSON, acting user when given).
async fn call(
    sim: &SimProcess,
    method: reqwest::Method,
    path: &str,
    user: Option<u64>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = client()
        .request(method, sim.url(path))
        .bearer_auth(sim.cred("token"))
        .header("Accept", "application/json");
    if let Some(user) = user {
        request = request.header("X-PanelAlpha-User", user.to_string());
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

async fn control(sim: &SimProcess, method: reqwest::Method, path: &str, body: Value) -> u16 {
    let response = client()
        .request(method, sim.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn purge_failures_from_either_knob_leave_the_user_archived() {
    let sim = spawn("panelalpha", &[]);
    let seeded = control(
        &sim,
        reqwest::Method::POST,
        "/__sim/seed",
        json!({"users": [{"email": "a@example.com"}, {"email": "b@example.com"}],
               "faults": {"purge_user_failures": 1}}),
    )
    .await;
    assert_eq!(seeded, 200);
    let delete = reqwest::Method::DELETE;
    assert_eq!(
        call(&sim, delete.clone(), "/api/admin/users/1", None, None)
            .await
            .0,
        204
    );
    // The panel's own failure: Laravel's 500 body.
    assert_eq!(
        call(
            &sim,
            delete.clone(),
            "/api/admin/users/1/delete",
            None,
            None
        )
        .await,
        (500, json!({"message": "Server Error"}))
    );
    // The harness's failure on the same route key: nginx's page, nothing committed.
    let knob = control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/faults",
        json!({"fail_next": [{"status": 503, "route": "DELETE /api/admin/users/{id}/delete"}]}),
    )
    .await;
    assert_eq!(knob, 200);
    assert_eq!(
        call(
            &sim,
            delete.clone(),
            "/api/admin/users/1/delete",
            None,
            None
        )
        .await
        .0,
        503
    );
    let (_, archived) = call(
        &sim,
        reqwest::Method::GET,
        "/api/admin/users/archived",
        None,
        None,
    )
    .await;
    assert_eq!(archived["data"][0]["email"], "a@example.com");
    // A user deleted in the UI, through the control API.
    let ui = control(
        &sim,
        reqwest::Method::POST,
        "/__sim/panelalpha/archive-user",
        json!({"email": "b@example.com"}),
    )
    .await;
    assert_eq!(ui, 200);
    let again = control(
        &sim,
        reqwest::Method::POST,
        "/__sim/panelalpha/archive-user",
        json!({"email": "b@example.com"}),
    )
    .await;
    assert_eq!(again, 404, "an archived user is not active any more");
    let (_, archived) = call(
        &sim,
        reqwest::Method::GET,
        "/api/admin/users/archived",
        None,
        None,
    )
    .await;
    assert_eq!(archived["meta"]["total"], 2);
    let (_, active) = call(&sim, reqwest::Method::GET, "/api/admin/users", None, None).await;
    assert_eq!(active["meta"]["total"], 0);
    // The panel fault set at run time, and read back.
    let set = control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/panelalpha/faults",
        json!({"purge_user_failures": 1}),
    )
    .await;
    assert_eq!(set, 200);
    assert_eq!(
        call(
            &sim,
            delete.clone(),
            "/api/admin/users/2/delete",
            None,
            None
        )
        .await
        .0,
        500
    );
    let faults: Value = client()
        .get(sim.url("/__sim/panelalpha/faults"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(faults, json!({"purge_user_failures": 0}));
    let typo = control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/panelalpha/faults",
        json!({"purge_failures": 1}),
    )
    .await;
    assert_eq!(typo, 400);
    for id in [1, 2] {
        let path = format!("/api/admin/users/{id}/delete");
        assert_eq!(call(&sim, delete.clone(), &path, None, None).await.0, 204);
    }
}

#[tokio::test]
async fn the_state_file_keeps_every_object_type_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let state_arg = state.to_str().unwrap();
    let mut sim = spawn("panelalpha", &["--state", state_arg]);
    let instant = control(
        &sim,
        reqwest::Method::PUT,
        "/__sim/panelalpha/letsencrypt",
        json!({"delay_ms": 0}),
    )
    .await;
    assert_eq!(instant, 200);
    let seeded = control(
        &sim,
        reqwest::Method::POST,
        "/__sim/seed",
        json!({"users": [{"email": "p@example.com", "services": [{"domain": "p.example",
                 "ftp_accounts": [{"user": "ftp1"}],
                 "email_accounts": [{"email": "box@p.example"}],
                 "cron_jobs": [{"minute": "*", "hour": "*", "day_of_month": "*", "month": "*", "day_of_week": "*", "command": "true"}]}]}]}),
    )
    .await;
    assert_eq!(seeded, 200);
    let writes = [
        (
            reqwest::Method::POST,
            "/api/server-accounts/1/dns-zones/p.example/records",
            json!({"name": "kept", "type": "TXT", "txtdata": "persisted"}),
        ),
        (
            reqwest::Method::POST,
            "/api/server-accounts/1/email/forwarders",
            json!({"email": "fw", "domain": "p.example", "destination": "x@example.org"}),
        ),
        (
            reqwest::Method::POST,
            "/api/server-accounts/1/ssl/certificates/order",
            json!({"domain": "p.example", "provider_id": 1}),
        ),
    ];
    for (method, path, body) in writes {
        let (status, answer) = call(&sim, method, path, Some(1), Some(body)).await;
        assert_eq!(status, 200, "{path}: {answer}");
    }
    assert!(sim.terminate().success());

    let sim = spawn("panelalpha", &["--state", state_arg]);
    let reads = [
        ("/api/server-accounts/1/dns-zones/p.example/records", 9),
        ("/api/server-accounts/1/ftp-accounts", 1),
        ("/api/server-accounts/1/email/accounts", 1),
        ("/api/server-accounts/1/email/forwarders", 1),
        ("/api/server-accounts/1/cron-jobs", 1),
        ("/api/server-accounts/1/ssl/domains", 1),
    ];
    for (path, count) in reads {
        let (status, answer) = call(&sim, reqwest::Method::GET, path, Some(1), None).await;
        assert_eq!(status, 200, "{path}");
        assert_eq!(
            answer["data"].as_array().map(Vec::len),
            Some(count),
            "{path}: {answer}"
        );
    }
    let saved = std::fs::read_to_string(&state).unwrap();
    assert!(saved.contains("persisted") && !saved.contains("PRIVATE KEY"));
}
