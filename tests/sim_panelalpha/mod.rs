//! Conformance of the PanelAlpha simulator with the API reference, not with our provider.
//!
//! `tests/fixtures/reference/panelalpha/endpoints.json` lists all 302 endpoints of
//! PanelAlpha's Scribe-generated API reference (read by [`endpoints`] only). The simulator's
//! own modules are compiled
//! into this test binary (the simulator is a binary crate, so it cannot be linked as a
//! library) and its axum router is driven in-process with `tower::ServiceExt::oneshot`.
//!
//! What is checked: every served route is a documented (method, path) pair; each served route
//! answers 2xx to the seed's example request once its prerequisites exist; removing any
//! required body parameter gives Laravel's 422 naming it; the 401 shape; the
//! `X-PanelAlpha-User` rules; the user/service/domain/MySQL life cycles; and a property test
//! that random requests never panic and always get a Laravel-shaped answer.

#[allow(dead_code)]
#[path = "../../src/bin/panel-sim/panel.rs"]
mod panel;

#[allow(dead_code)]
#[path = "../../src/bin/panel-sim/panelalpha/mod.rs"]
mod panelalpha;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::support::reference_dir;
use panel::SimPanel;
use panelalpha::routes::{match_route, RouteMatch, Source, ROUTES};

mod dns;
mod faults;
mod hosting;
mod process;
mod ssl;

const TOKEN: &str = "sim-panelalpha-token";

/// The 302 documented endpoints (the one place that knows where the fixture lives).
fn endpoints() -> Vec<Value> {
    let path = reference_dir("panelalpha/endpoints.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let parsed: Value = serde_json::from_str(&text).expect("endpoints.json parses");
    parsed["endpoints"]
        .as_array()
        .expect("endpoints array")
        .clone()
}

fn endpoint<'a>(all: &'a [Value], method: &str, path: &str) -> Option<&'a Value> {
    all.iter()
        .find(|e| e["method"] == method && e["path"] == path)
}

/// One in-process simulator.
struct Sim {
    panel: Arc<panelalpha::PanelAlpha>,
    router: axum::Router,
}

/// A response: status, headers and the JSON body (`Null` when empty).
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Sim {
    fn new() -> Self {
        let panel = panelalpha::new();
        let router = panel.clone().router();
        Sim { panel, router }
    }

    async fn send(&self, request: Request<Body>) -> Answer {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("router is infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body reads");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("non-JSON body: {}", String::from_utf8_lossy(&bytes)))
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    /// A request as the vendor client sends it: bearer token, JSON content type, and the
    /// acting user for user routes.
    async fn call(
        &self,
        method: &str,
        path: &str,
        user: Option<u64>,
        body: Option<Value>,
    ) -> Answer {
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("Authorization", format!("Bearer {TOKEN}"))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("Host", "panel.test:8443");
        if let Some(user) = user {
            request = request.header("X-PanelAlpha-User", user.to_string());
        }
        let body = body
            .map(|b| Body::from(b.to_string()))
            .unwrap_or_else(Body::empty);
        self.send(request.body(body).expect("request builds")).await
    }

    async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call(method, path, None, body).await
    }

    async fn user(&self, user: u64, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.call(method, path, Some(user), body).await
    }
}

/// The standard world: plans 1..=11 (so the seed's example plan ids 8 and 11 exist), user 1
/// owning service/account 1 (`main.example`, addon `shop.example`, database `qui` with user
/// `wpuser`; account prefix `mainexam_`; FTP account `deploy@main.example`, one cron job,
/// mailbox `info@main.example`, forwarder `sales@main.example`, a certificate installed on
/// `main.example`), and user 2 owning service/account 2. Let's Encrypt orders stay pending
/// for an hour unless processed.
fn world_seed() -> Value {
    let extra_plans: Vec<Value> = (4..=11)
        .map(|n| json!({"name": format!("Plan {n}"), "server_type": "cpanel"}))
        .collect();
    json!({
        "plans": extra_plans,
        "settings": {"letsencrypt_delay_ms": 3_600_000},
        "users": [
            {"email": "owner@example.com", "first_name": "Olga", "last_name": "Owner", "password": "owner-pass-1",
             "services": [{"plan": "Starter", "domain": "main.example", "domains": ["shop.example"],
                           "databases": [{"name": "qui", "users": ["wpuser"]}],
                           "ftp_accounts": [{"user": "deploy"}],
                           "cron_jobs": [{"minute": "0", "hour": "3", "day_of_month": "*", "month": "*",
                                          "day_of_week": "*", "command": "php /home/mainexam/cron.php"}],
                           "email_accounts": [{"email": "info@main.example", "quota": 100}],
                           "email_forwarders": [{"email": "sales@main.example", "destination": "boss@example.org"}],
                           "ssl_certificates": [{"domain": "main.example"}]}]},
            {"email": "other@example.com", "password": "other-pass-1",
             "services": [{"plan": 2, "domain": "other.example"}]}
        ]
    })
}

fn world() -> Sim {
    let sim = Sim::new();
    sim.panel.seed(world_seed()).expect("seed applies");
    sim
}

/// The world with user 2 archived (which archives service 2) and a pending Let's Encrypt
/// order 1: prerequisites of the archived-object and SSL-order routes.
async fn world_with_archive() -> Sim {
    let sim = world();
    let answer = sim.admin("DELETE", "/api/admin/users/2", None).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    let order = sim
        .user(
            1,
            "POST",
            "/api/server-accounts/1/ssl/certificates/order",
            Some(json!({"domain": "shop.example", "provider_id": 1})),
        )
        .await;
    assert_eq!(order.body["data"]["id"], 1, "{}", order.body);
    sim
}

/// The DNS line of the default zone's `A` record (line 1 is `$TTL`, then SOA, NS, NS, A).
const A_RECORD_LINE: &str = "5";

/// A concrete URL for a served route in [`world_with_archive`].
fn concrete_path(template: &str) -> String {
    let archived = template.contains("archive") || template.ends_with("/delete");
    let object_id = if archived { "2" } else { "1" };
    let segments: Vec<String> = template
        .split('/')
        .map(|segment| match segment {
            "{id}" | "{userId}" => object_id.to_string(),
            "{domain}" => "shop.example".to_string(),
            "{user}" if template.contains("/ftp-accounts/") => "deploy@main.example".to_string(),
            "{user}" => "mainexam_wpuser".to_string(),
            "{database}" => "mainexam_qui".to_string(),
            "{name}" if template.contains("/mysql/users/") => "mainexam_wpuser".to_string(),
            "{name}" if template.contains("/dns-zones/") => "main.example".to_string(),
            "{name}" => "mainexam_qui".to_string(),
            "{line}" if template.contains("/dns-zones/") => A_RECORD_LINE.to_string(),
            "{line}" => "1".to_string(),
            "{email}" if template.contains("/forwarders/") => "sales@main.example".to_string(),
            "{email}" => "info@main.example".to_string(),
            other => other.to_string(),
        })
        .collect();
    format!("/{}", segments.join("/"))
}

/// Example values are the generator's random words; only their types carry information.
/// Where a value must meet a rule the seed does not print, the test substitutes a value of the
/// same JSON type (asserted below).
fn example_override(method: &str, path: &str, field: &str) -> Option<Value> {
    match (method, path, field) {
        // An addon domain must be a DNS name; the example is the bare word "sit".
        ("POST", "api/server-accounts/{id}/domains", "domain") => Some(json!("sit.example")),
        // Privileges must be MySQL privilege names; the example is "et".
        ("PUT", "api/server-accounts/{id}/mysql/privileges/{user}/{database}", "privileges") => {
            Some(json!("SELECT,INSERT"))
        }
        // Objects inside a hosting account name one of its domains; the examples are words.
        (
            _,
            "api/server-accounts/{id}/ftp-accounts"
            | "api/server-accounts/{id}/email/accounts"
            | "api/server-accounts/{id}/email/forwarders"
            | "api/server-accounts/{id}/ssl/certificates/install"
            | "api/server-accounts/{id}/ssl/certificates/order"
            | "api/server-accounts/{id}/ssl",
            "domain",
        ) => Some(json!("main.example")),
        (_, "api/server-accounts/{id}/email/accounts", "email") => {
            Some(json!("tsmith@main.example"))
        }
        (_, "api/server-accounts/{id}/email/forwarders", "email") => {
            Some(json!("skiles.ward@main.example"))
        }
        // The only provider is Let's Encrypt, id 1.
        (_, "api/server-accounts/{id}/ssl/certificates/order", "provider_id") => Some(json!(1)),
        // Cron fields must be cron syntax; the examples are words.
        (
            _,
            "api/server-accounts/{id}/cron-jobs" | "api/server-accounts/{id}/cron-jobs/{line}",
            field,
        ) if field != "command" => Some(json!(if field == "minute" { "*/5" } else { "*" })),
        // A record type and the data it needs; the examples are words.
        (
            _,
            "api/server-accounts/{id}/dns-zones/{name}/records"
            | "api/server-accounts/{id}/dns-zones/{name}/records/{line}",
            "type",
        ) => Some(json!("A")),
        (
            _,
            "api/server-accounts/{id}/dns-zones/{name}/records"
            | "api/server-accounts/{id}/dns-zones/{name}/records/{line}",
            "address",
        ) => Some(json!("192.0.2.1")),
        _ => None,
    }
}

/// Example values that depend on the world: the id of the certificate seeded on
/// `main.example` (ids derive from the certificate's fingerprint).
async fn world_override(sim: &Sim, path: &str, body: &mut Value) {
    if path == "api/server-accounts/{id}/ssl/certificates/install" {
        let stored = sim
            .user(1, "GET", "/api/server-accounts/1/ssl/certificates", None)
            .await;
        let id = stored.body["data"][0]["id"].clone();
        assert!(id.is_string(), "a stored certificate: {}", stored.body);
        if let Some(map) = body.as_object_mut() {
            map.insert("certificate_id".to_string(), id);
        }
    }
}

fn example_body(endpoint: &Value) -> Value {
    let method = endpoint["method"].as_str().unwrap_or("");
    let path = endpoint["path"].as_str().unwrap_or("");
    let mut body = match &endpoint["example_request"]["body"] {
        Value::Object(map) => map.clone(),
        _ => serde_json::Map::new(),
    };
    for (field, value) in body.iter_mut() {
        if let Some(replacement) = example_override(method, path, field) {
            assert_eq!(
                std::mem::discriminant(value),
                std::mem::discriminant(&replacement),
                "override of {field} keeps the JSON type"
            );
            *value = replacement;
        }
    }
    Value::Object(body)
}

fn with_query(path: String, endpoint: &Value) -> String {
    let method = endpoint["method"].as_str().unwrap_or("");
    let template = endpoint["path"].as_str().unwrap_or("");
    match endpoint["example_request"]["query"].as_object() {
        Some(query) if !query.is_empty() => {
            let mut serializer = url::form_urlencoded::Serializer::new(String::new());
            for (key, value) in query {
                let value = example_override(method, template, key).unwrap_or(value.clone());
                serializer.append_pair(key, value.as_str().unwrap_or(&value.to_string()));
            }
            format!("{path}?{}", serializer.finish())
        }
        _ => path,
    }
}

fn user_scope(path: &str) -> Option<u64> {
    (!path.starts_with("api/admin/")).then_some(1)
}

#[test]
fn every_served_route_is_a_documented_endpoint() {
    let all = endpoints();
    assert_eq!(all.len(), 302);
    // Routes the vendor's WHMCS client calls that the seed lacks (README §4.1).
    let vendor_client = [
        ("GET", "api/admin/users/login-url"),
        ("GET", "api/admin/services/{id}/stats"),
        ("GET", "api/admin/services/stats"),
        ("POST", "api/admin/instances"),
        ("PUT", "api/admin/services/{id}/unset-as-trial"),
        ("POST", "api/server-accounts/{id}/control-panel-sso-url"),
    ];
    for route in ROUTES {
        let documented = endpoint(&all, route.method, route.path);
        match route.source {
            Source::Seed => assert!(
                documented.is_some(),
                "{} {} is not in endpoints.json",
                route.method,
                route.path
            ),
            Source::VendorClient => {
                assert!(
                    documented.is_none(),
                    "{} {} is in the seed",
                    route.method,
                    route.path
                );
                assert!(
                    vendor_client.contains(&(route.method, route.path)),
                    "{} {} is not a vendor-client route",
                    route.method,
                    route.path
                );
            }
        }
    }
    let mut seen = std::collections::HashSet::new();
    for route in ROUTES {
        assert!(
            seen.insert((route.method, route.path)),
            "duplicate route {} {}",
            route.method,
            route.path
        );
    }
    eprintln!(
        "panelalpha simulator serves {} of {} documented endpoints",
        ROUTES.len(),
        all.len()
    );
}

#[test]
fn documented_paths_route_to_the_documented_template() {
    // The dispatcher must pick the route whose template is the documented one, e.g.
    // `users/email` must not be taken for `users/{id}`.
    for route in ROUTES {
        match match_route(route.method, &concrete_path(route.path)[1..]) {
            RouteMatch::Found(found) => assert_eq!(found.route.path, route.path),
            other => panic!("{} {} did not match: {other:?}", route.method, route.path),
        }
    }
    assert!(
        matches!(match_route("GET", "api/admin/users/email"), RouteMatch::Found(f) if f.route.path == "api/admin/users/email")
    );
}

/// The documented filters of a GET ("Body Parameters" in the seed) as a query string.
/// A query string cannot carry JSON booleans and Laravel's `boolean` rule refuses "false",
/// so booleans travel as 1/0.
fn filters_as_query(path: &str, body: &Value) -> String {
    let mut serializer = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in body.as_object().into_iter().flatten() {
        let text = match value {
            Value::Bool(flag) => u8::from(*flag).to_string(),
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        serializer.append_pair(key, &text);
    }
    let query = serializer.finish();
    let separator = if path.contains('?') { '&' } else { '?' };
    format!("{path}{separator}{query}")
}

#[tokio::test]
async fn every_served_route_accepts_its_documented_example_request() {
    let all = endpoints();
    let mut requests = 0;
    for route in ROUTES {
        let Some(documented) = endpoint(&all, route.method, route.path) else {
            // Vendor-client routes have no seed entry; their own tests cover them.
            assert_eq!(route.source, Source::VendorClient);
            requests += 1;
            continue;
        };
        let path = with_query(concrete_path(route.path), documented);
        let has_body_params = documented["body_params"]
            .as_array()
            .is_some_and(|params| !params.is_empty());
        let body = has_body_params.then(|| example_body(documented));
        // A GET's filters are sent both ways the README allows: as the seed's JSON body and
        // as a query string.
        let mut variants = vec![(path.clone(), body.clone())];
        if route.method == "GET" {
            if let Some(filters) = &body {
                variants.push((filters_as_query(&path, filters), None));
            }
        }
        for (path, mut body) in variants {
            let sim = world_with_archive().await;
            if let Some(body) = body.as_mut() {
                world_override(&sim, route.path, body).await;
            }
            let answer = sim
                .call(route.method, &path, user_scope(route.path), body.clone())
                .await;
            assert!(
                answer.status.is_success(),
                "{} {} with {:?} answered {} {}",
                route.method,
                path,
                body,
                answer.status,
                answer.body
            );
            if answer.status != StatusCode::NO_CONTENT {
                assert!(
                    answer.body.get("data").is_some(),
                    "{} {}: no data envelope",
                    route.method,
                    path
                );
            }
            requests += 1;
        }
    }
    // 87 routes (2 from the vendor client), plus the query-string variant of the 5 GETs
    // with documented filters.
    assert_eq!((ROUTES.len(), requests), (87, 92));
}

#[tokio::test]
async fn removing_a_required_body_parameter_names_it_in_a_422() {
    let all = endpoints();
    let mut checked = 0;
    for route in ROUTES
        .iter()
        .filter(|r| r.method == "POST" || r.method == "PUT")
    {
        let Some(documented) = endpoint(&all, route.method, route.path) else {
            continue;
        };
        let required: Vec<&str> = documented["body_params"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["required"] == true)
            .filter_map(|p| p["name"].as_str())
            .collect();
        for field in required {
            let sim = world_with_archive().await;
            let mut body = example_body(documented);
            world_override(&sim, route.path, &mut body).await;
            body.as_object_mut().map(|b| b.remove(field));
            let path = concrete_path(route.path);
            let answer = sim
                .call(route.method, &path, user_scope(route.path), Some(body))
                .await;
            let expected = format!("The {} field is required.", field.replace('_', " "));
            assert_eq!(
                answer.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{} {path} without {field}: {}",
                route.method,
                answer.body
            );
            assert_eq!(
                answer.body["errors"][field],
                json!([expected]),
                "{} {path}",
                route.method
            );
            assert!(answer.body["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(&expected)));
            checked += 1;
        }
    }
    assert_eq!(
        checked, 44,
        "required body parameters across the served POST/PUT routes"
    );
}

#[tokio::test]
async fn authentication_failures_get_laravels_401() {
    let sim = world();
    let attempts: [(&str, Option<&str>); 4] = [
        ("/api/admin/users", None),
        ("/api/admin/users", Some("Bearer wrong-token")),
        ("/api/server-accounts", Some("Basic c2ltOnNpbQ==")),
        ("/api/admin/users/1", Some(TOKEN)),
    ];
    for (path, authorization) in attempts {
        let mut request = Request::builder()
            .uri(path)
            .header("X-PanelAlpha-User", "1");
        if let Some(value) = authorization {
            request = request.header("Authorization", value);
        }
        let answer = sim.send(request.body(Body::empty()).unwrap()).await;
        assert_eq!(
            answer.status,
            StatusCode::UNAUTHORIZED,
            "{path} {authorization:?}"
        );
        assert_eq!(answer.body, json!({"message": "Unauthenticated."}));
        assert_eq!(answer.headers["content-type"], "application/json");
        assert_eq!(answer.headers["cache-control"], "no-cache, private");
    }
    // Route matching comes first in Laravel: an unknown route is a 404 even without a token.
    let unknown = sim
        .send(
            Request::builder()
                .uri("/api/admin/nothing")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        unknown.body,
        json!({"message": "The route api/admin/nothing could not be found."})
    );
    // The bearer scheme is case-insensitive, as in Laravel's `bearerToken()`.
    let lower = sim
        .send(
            Request::builder()
                .uri("/api/admin/plans")
                .header("Authorization", format!("bearer {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(lower.status, StatusCode::OK);
}

#[tokio::test]
async fn user_routes_need_the_acting_user_and_only_reach_its_own_accounts() {
    let sim = world();
    let missing = sim
        .admin("GET", "/api/server-accounts/1/domains", None)
        .await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);
    assert_eq!(
        missing.body,
        json!({"message": "This action is unauthorized."})
    );

    let unknown_user = sim.user(99, "GET", "/api/server-accounts", None).await;
    assert_eq!(unknown_user.status, StatusCode::NOT_FOUND);
    assert_eq!(
        unknown_user.body,
        json!({"message": "No query results for model [App\\Models\\User] 99"})
    );

    let foreign = sim
        .user(2, "GET", "/api/server-accounts/1/mysql/databases", None)
        .await;
    assert_eq!(foreign.status, StatusCode::FORBIDDEN);
    assert_eq!(
        foreign.body,
        json!({"message": "This action is unauthorized."})
    );
    let foreign_write = sim
        .user(
            2,
            "POST",
            "/api/server-accounts/1/mysql/databases",
            Some(json!({"name": "x"})),
        )
        .await;
    assert_eq!(foreign_write.status, StatusCode::FORBIDDEN);

    let no_account = sim.user(1, "GET", "/api/server-accounts/77", None).await;
    assert_eq!(no_account.status, StatusCode::NOT_FOUND);
    assert_eq!(
        no_account.body,
        json!({"message": "No query results for model [App\\Models\\HostingAccount] 77"})
    );

    let own = sim.user(1, "GET", "/api/server-accounts", None).await;
    assert_eq!(own.status, StatusCode::OK);
    let accounts = own.body["data"].as_array().unwrap();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["id"], 1);
    assert_eq!(accounts[0]["domain"], "main.example");
    assert_eq!(accounts[0]["username"], "mainexam");

    // The header is ignored on admin routes.
    let admin = sim
        .user(2, "GET", "/api/admin/hosting-accounts/1", None)
        .await;
    assert_eq!(admin.status, StatusCode::OK);
}

#[tokio::test]
async fn user_life_cycle_with_archive_and_purge() {
    let sim = Sim::new();
    let created = sim
        .admin(
            "POST",
            "/api/admin/users",
            Some(json!({
                "email": "Ann@Example.com", "password": "long-enough", "first_name": " Ann ",
                "unknown_extra": true
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = created.body["data"]["id"].as_u64().unwrap();
    assert_eq!(created.body["data"]["first_name"], "Ann");
    assert!(created.body["data"].get("password").is_none());

    let by_email = sim
        .admin(
            "GET",
            "/api/admin/users/email?email=ann%40example.com",
            None,
        )
        .await;
    assert_eq!(by_email.body["data"]["id"], id);
    let nobody = sim
        .admin(
            "GET",
            "/api/admin/users/email?email=nobody%40example.com",
            None,
        )
        .await;
    assert_eq!(
        (nobody.status, nobody.body),
        (StatusCode::OK, json!({"data": []}))
    );
    let no_email = sim.admin("GET", "/api/admin/users/email", None).await;
    assert_eq!(
        no_email.body["errors"]["email"],
        json!(["The email field is required."])
    );

    let duplicate = sim
        .admin(
            "POST",
            "/api/admin/users",
            Some(json!({"email": "ann@example.com", "password": "long-enough"})),
        )
        .await;
    assert_eq!(duplicate.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        duplicate.body["errors"]["email"],
        json!(["The email has already been taken."])
    );

    let bad = sim
        .admin(
            "POST",
            "/api/admin/users",
            Some(json!({"email": "not-an-email", "password": "short"})),
        )
        .await;
    assert_eq!(
        bad.body,
        json!({
            "message": "The email field must be a valid email address. (and 1 more error)",
            "errors": {
                "email": ["The email field must be a valid email address."],
                "password": ["The password field must be at least 8 characters."]
            }
        })
    );

    let no_email_update = sim
        .admin(
            "PUT",
            &format!("/api/admin/users/{id}"),
            Some(json!({"last_name": "Lee"})),
        )
        .await;
    assert_eq!(
        no_email_update.body["errors"]["email"],
        json!(["The email field is required."])
    );
    let updated = sim
        .admin(
            "PUT",
            &format!("/api/admin/users/{id}"),
            Some(json!({"email": "ann@example.com", "last_name": "Lee"})),
        )
        .await;
    assert_eq!(updated.status, StatusCode::OK);
    assert_eq!(
        (
            updated.body["data"]["first_name"].clone(),
            updated.body["data"]["last_name"].clone()
        ),
        (json!("Ann"), json!("Lee"))
    );

    assert_eq!(
        sim.admin("DELETE", &format!("/api/admin/users/{id}"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let gone = sim
        .admin("GET", &format!("/api/admin/users/{id}"), None)
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(
        gone.body["message"],
        format!("No query results for model [App\\Models\\User] {id}")
    );
    let archived = sim
        .admin("GET", &format!("/api/admin/users/{id}/archived"), None)
        .await;
    assert_eq!(archived.body["data"]["email"], "ann@example.com");
    let still_taken = sim
        .admin(
            "POST",
            "/api/admin/users",
            Some(json!({"email": "ann@example.com", "password": "long-enough"})),
        )
        .await;
    assert_eq!(still_taken.status, StatusCode::UNPROCESSABLE_ENTITY);

    assert_eq!(
        sim.admin("DELETE", &format!("/api/admin/users/{id}/delete"), None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let again = sim
        .admin(
            "POST",
            "/api/admin/users",
            Some(json!({"email": "ann@example.com", "password": "long-enough"})),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
    assert_ne!(again.body["data"]["id"], id, "ids are never reused");
}

#[tokio::test]
async fn services_provision_a_hosting_account_and_terminate_it() {
    let sim = Sim::new();
    let user = sim
        .admin(
            "POST",
            "/api/admin/users",
            Some(json!({"email": "b@example.com", "password": "long-enough"})),
        )
        .await;
    let user_id = user.body["data"]["id"].as_u64().unwrap();
    // What the vendor client sends, plus the main domain.
    let created = sim
        .admin(
            "POST",
            &format!("/api/admin/users/{user_id}/services"),
            Some(json!({
                "plan_id": 1, "status": "active", "instance_limit": null, "server_location": null,
                "hosting_account_config": {"domain": "brand.example"}
            })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let service = &created.body["data"];
    let service_id = service["id"].as_u64().unwrap();
    assert_eq!(service["status"], "active");
    assert_eq!(service["plan"]["server_type"], "cpanel");
    let account_id = service["server_accounts"][0]["id"].as_u64().unwrap();
    assert_eq!(service["server_accounts"][0]["domain"], "brand.example");

    let bad_plan = sim
        .admin(
            "PUT",
            &format!("/api/admin/users/{user_id}/services/{service_id}/change-plan"),
            Some(json!({"plan_id": 42})),
        )
        .await;
    assert_eq!(
        bad_plan.body["errors"]["plan_id"],
        json!(["The selected plan id is invalid."])
    );
    let changed = sim
        .admin(
            "PUT",
            &format!("/api/admin/users/{user_id}/services/{service_id}/change-plan"),
            Some(json!({"plan_id": 3})),
        )
        .await;
    assert_eq!(changed.body["data"]["plan"]["name"], "Agency");
    let suspended = sim
        .admin(
            "PUT",
            &format!("/api/admin/users/{user_id}/services/{service_id}/suspend"),
            None,
        )
        .await;
    assert_eq!(suspended.body["data"]["status"], "suspended");
    let wrong_owner = sim
        .admin(
            "PUT",
            &format!("/api/admin/users/999/services/{service_id}/unsuspend"),
            None,
        )
        .await;
    assert_eq!(wrong_owner.status, StatusCode::NOT_FOUND);
    let unsuspended = sim
        .admin(
            "PUT",
            &format!("/api/admin/users/{user_id}/services/{service_id}/unsuspend"),
            None,
        )
        .await;
    assert_eq!(unsuspended.body["data"]["status"], "active");

    let listed = sim
        .admin("GET", &format!("/api/admin/users/{user_id}/services"), None)
        .await;
    assert_eq!(listed.body["data"].as_array().unwrap().len(), 1);

    let terminated = sim
        .admin(
            "DELETE",
            &format!("/api/admin/services/{service_id}"),
            Some(json!({"force_termination": true})),
        )
        .await;
    assert_eq!(terminated.status, StatusCode::NO_CONTENT);
    let listed = sim
        .admin("GET", &format!("/api/admin/users/{user_id}/services"), None)
        .await;
    assert_eq!(listed.body["data"], json!([]));
    let account = sim
        .user(
            user_id,
            "GET",
            &format!("/api/server-accounts/{account_id}/domains"),
            None,
        )
        .await;
    assert_eq!(account.status, StatusCode::NOT_FOUND);
    let archived = sim
        .admin(
            "GET",
            &format!("/api/admin/services/{service_id}/archived"),
            None,
        )
        .await;
    assert_eq!(archived.body["data"]["id"], service_id);
    // The freed main domain can be provisioned again.
    let again = sim
        .admin(
            "POST",
            &format!("/api/admin/users/{user_id}/services"),
            Some(json!({"plan_id": 1, "domain": "brand.example"})),
        )
        .await;
    assert_eq!(again.status, StatusCode::CREATED);
}

#[tokio::test]
async fn domains_on_a_hosting_account() {
    let sim = world();
    let listed = sim
        .user(1, "GET", "/api/server-accounts/1/domains", None)
        .await;
    assert_eq!(
        listed.body["data"][0],
        json!({"domain": "main.example", "type": "main", "document_root": "/public_html",
               "redirect_enabled": false, "redirect_url": null, "aliases": []})
    );
    let sub = sim
        .user(
            1,
            "POST",
            "/api/server-accounts/1/domains",
            Some(json!({"domain": "blog", "type": "sub", "parent_domain": "main.example"})),
        )
        .await;
    assert_eq!(sub.status, StatusCode::OK);
    assert_eq!(sub.body["data"]["domain"], "blog.main.example");
    let alias = sim.user(1, "POST", "/api/server-accounts/1/domains", Some(json!({"domain": "Main.Example.Net", "type": "alias", "parent_domain": "main.example"}))).await;
    assert_eq!(alias.body["data"]["domain"], "main.example.net");
    let sub_without_parent = sim
        .user(
            1,
            "POST",
            "/api/server-accounts/1/domains",
            Some(json!({"domain": "x", "type": "sub"})),
        )
        .await;
    assert_eq!(
        sub_without_parent.body["errors"]["parent_domain"],
        json!(["The parent domain field is required when type is sub."])
    );
    let bad_type = sim
        .user(
            1,
            "POST",
            "/api/server-accounts/1/domains",
            Some(json!({"domain": "x.example", "type": "main"})),
        )
        .await;
    assert_eq!(
        bad_type.body["errors"]["type"],
        json!(["The selected type is invalid."])
    );
    let taken_elsewhere = sim
        .user(
            1,
            "POST",
            "/api/server-accounts/1/domains",
            Some(json!({"domain": "other.example", "type": "addon"})),
        )
        .await;
    assert_eq!(
        taken_elsewhere.body["errors"]["domain"],
        json!(["The domain has already been taken."])
    );

    let listed = sim
        .user(1, "GET", "/api/server-accounts/1/domains", None)
        .await;
    assert_eq!(
        listed.body["data"][0]["aliases"],
        json!(["main.example.net"])
    );

    let redirect_without_url = sim
        .user(
            1,
            "PUT",
            "/api/server-accounts/1/domains/shop.example",
            Some(json!({"document_root": "/public_html/shop", "redirect_enabled": true})),
        )
        .await;
    assert_eq!(
        redirect_without_url.body["errors"]["redirect_url"],
        json!(["The redirect url field is required when redirect enabled is true."])
    );
    let updated = sim.user(1, "PUT", "/api/server-accounts/1/domains/shop.example", Some(json!({"document_root": "/public_html/shop", "redirect_enabled": true, "redirect_url": "https://main.example/"}))).await;
    assert_eq!(updated.body["data"]["document_root"], "/public_html/shop");
    assert_eq!(
        updated.body["data"]["redirect_url"],
        "https://main.example/"
    );
    let unknown = sim
        .user(
            1,
            "PUT",
            "/api/server-accounts/1/domains/nope.example",
            Some(json!({"document_root": "/x"})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);

    let main = sim
        .user(
            1,
            "DELETE",
            "/api/server-accounts/1/domains/main.example",
            None,
        )
        .await;
    assert_eq!(
        (main.status, main.body),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"message": "The main domain cannot be deleted."})
        )
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
    let names: Vec<Value> = sim
        .user(1, "GET", "/api/server-accounts/1/domains", None)
        .await
        .body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["domain"].clone())
        .collect();
    assert_eq!(
        names,
        vec![
            json!("main.example"),
            json!("blog.main.example"),
            json!("main.example.net")
        ]
    );
}

#[tokio::test]
async fn mysql_databases_users_and_privileges() {
    let sim = world();
    let account = "/api/server-accounts/1/mysql";
    let db = sim
        .user(
            1,
            "POST",
            &format!("{account}/databases"),
            Some(json!({"name": "shop"})),
        )
        .await;
    assert_eq!(db.body, json!({"data": {"name": "mainexam_shop"}}));
    let full = sim
        .user(
            1,
            "POST",
            &format!("{account}/databases"),
            Some(json!({"name": "mainexam_logs"})),
        )
        .await;
    assert_eq!(full.body["data"]["name"], "mainexam_logs");
    let dup = sim
        .user(
            1,
            "POST",
            &format!("{account}/databases"),
            Some(json!({"name": "shop"})),
        )
        .await;
    assert_eq!(
        dup.body["errors"]["name"],
        json!(["The name has already been taken."])
    );
    let bad = sim
        .user(
            1,
            "POST",
            &format!("{account}/databases"),
            Some(json!({"name": "no-dashes"})),
        )
        .await;
    assert_eq!(
        bad.body["errors"]["name"],
        json!(["The name field format is invalid."])
    );

    let user = sim
        .user(
            1,
            "POST",
            &format!("{account}/users"),
            Some(json!({"name": "shopper", "password": "S3cret!", "database": "mainexam_shop"})),
        )
        .await;
    assert_eq!(user.body["data"]["name"], "mainexam_shopper");
    let privileges = sim
        .user(
            1,
            "GET",
            &format!("{account}/privileges/mainexam_shopper/mainexam_shop"),
            None,
        )
        .await;
    assert_eq!(privileges.body, json!({"data": ["ALL PRIVILEGES"]}));
    let narrowed = sim
        .user(
            1,
            "PUT",
            &format!("{account}/privileges/mainexam_shopper/mainexam_shop"),
            Some(json!({"privileges": "select, INSERT"})),
        )
        .await;
    assert_eq!(narrowed.body, json!({"data": ["INSERT", "SELECT"]}));
    let invalid = sim
        .user(
            1,
            "PUT",
            &format!("{account}/privileges/mainexam_shopper/mainexam_shop"),
            Some(json!({"privileges": "SELECT,FLY"})),
        )
        .await;
    assert_eq!(
        invalid.body["errors"]["privileges"],
        json!(["The selected privileges is invalid."])
    );

    let renamed = sim
        .user(
            1,
            "PUT",
            &format!("{account}/databases/mainexam_shop/name"),
            Some(json!({"name": "store"})),
        )
        .await;
    assert_eq!(renamed.body["data"]["name"], "mainexam_store");
    let users = sim.user(1, "GET", &format!("{account}/users"), None).await;
    assert_eq!(
        users.body["data"][0],
        json!({"user": "mainexam_shopper", "databases": ["mainexam_store"]})
    );
    let password = sim
        .user(
            1,
            "PUT",
            &format!("{account}/users/mainexam_shopper"),
            Some(json!({"password": "N3w-secret"})),
        )
        .await;
    assert_eq!(password.status, StatusCode::OK);
    let revoked = sim
        .user(
            1,
            "DELETE",
            &format!("{account}/privileges/mainexam_shopper/mainexam_store"),
            None,
        )
        .await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    let none = sim
        .user(
            1,
            "GET",
            &format!("{account}/privileges/mainexam_shopper/mainexam_store"),
            None,
        )
        .await;
    assert_eq!(none.body, json!({"data": []}));

    assert_eq!(
        sim.user(
            1,
            "DELETE",
            &format!("{account}/databases/mainexam_store"),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        sim.user(
            1,
            "DELETE",
            &format!("{account}/users/mainexam_shopper"),
            None
        )
        .await
        .status,
        StatusCode::NO_CONTENT
    );
    let missing = sim
        .user(
            1,
            "DELETE",
            &format!("{account}/databases/mainexam_store"),
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let listed = sim
        .user(1, "GET", &format!("{account}/databases"), None)
        .await;
    assert_eq!(
        listed.body["data"],
        json!([{"database": "mainexam_logs", "disk_usage": 0}, {"database": "mainexam_qui", "disk_usage": 0}])
    );
    // A dump never carries passwords in clear.
    assert!(!sim.panel.dump().to_string().contains("S3cret!"));
}

#[tokio::test]
async fn admin_lists_are_laravel_paginators() {
    let users: Vec<Value> = (1..=5)
        .map(|n| json!({"email": format!("u{n}@example.com"), "password": "long-enough"}))
        .collect();
    let sim = Sim::new();
    sim.panel.seed(json!({"users": users})).unwrap();
    let page = sim
        .admin("GET", "/api/admin/users?per_page=2&page=2", None)
        .await;
    assert_eq!(page.body["data"].as_array().unwrap().len(), 2);
    assert_eq!(page.body["data"][0]["email"], "u3@example.com");
    let meta = &page.body["meta"];
    assert_eq!(
        (
            meta["current_page"].clone(),
            meta["last_page"].clone(),
            meta["total"].clone()
        ),
        (json!(2), json!(3), json!(5))
    );
    assert_eq!(
        (
            meta["from"].clone(),
            meta["to"].clone(),
            meta["per_page"].clone()
        ),
        (json!(3), json!(4), json!(2))
    );
    assert_eq!(
        page.body["links"]["next"],
        "http://panel.test:8443/api/admin/users?page=3"
    );
    let filtered = sim.admin("GET", "/api/admin/users?filter=U4", None).await;
    assert_eq!(filtered.body["meta"]["total"], 1);
    let plans = sim
        .admin("GET", "/api/admin/plans?per_page=100", None)
        .await;
    assert_eq!(plans.body["meta"]["total"], 3);
    assert_eq!(plans.body["data"][0]["name"], "Starter");
}

#[tokio::test]
async fn wrong_methods_and_bad_ids_get_laravel_errors() {
    let sim = world();
    let wrong = sim.admin("POST", "/api/admin/users/1/delete", None).await;
    assert_eq!(wrong.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(wrong.body["message"], "The POST method is not supported for route api/admin/users/1/delete. Supported methods: DELETE.");
    let word = sim.admin("GET", "/api/admin/services/abc", None).await;
    assert_eq!(
        word.body,
        json!({"message": "No query results for model [App\\Models\\Service] abc"})
    );
    let broken_json = sim
        .send(
            Request::builder()
                .method("POST")
                .uri("/api/admin/users")
                .header("Authorization", format!("Bearer {TOKEN}"))
                .header("Content-Type", "application/json")
                .body(Body::from("{\"email\":"))
                .unwrap(),
        )
        .await;
    assert_eq!(broken_json.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        broken_json.body["message"],
        "The email field is required. (and 1 more error)"
    );
    let form = sim
        .send(
            Request::builder()
                .method("POST")
                .uri("/api/admin/users")
                .header("Authorization", format!("Bearer {TOKEN}"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(Body::from("email=form%40example.com&password=long-enough"))
                .unwrap(),
        )
        .await;
    assert_eq!(form.status, StatusCode::CREATED);
}

#[test]
fn state_survives_dump_and_restore_and_reset_returns_to_defaults() {
    let sim = world();
    let dump = sim.panel.dump();
    let copy = Sim::new();
    copy.panel.restore(dump.clone()).unwrap();
    assert_eq!(copy.panel.dump(), dump);
    // The rebuilt indexes still enforce uniqueness after a restore.
    let clash = copy
        .panel
        .seed(json!({"users": [{"email": "OWNER@example.com", "password": "long-enough"}]}));
    assert!(clash.unwrap_err().contains("already been taken"));
    assert!(copy.panel.restore(json!({"users": 5})).is_err());
    copy.panel.reset();
    assert_eq!(copy.panel.dump()["users"], json!({}));
    assert_eq!(copy.panel.dump()["plans"].as_object().unwrap().len(), 3);
}

#[test]
fn a_failing_seed_changes_nothing() {
    let sim = Sim::new();
    let before = sim.panel.dump();
    let result = sim.panel.seed(json!({"users": [
        {"email": "ok@example.com", "password": "long-enough"},
        {"email": "bad@example.com", "services": [{"plan": "No such plan"}]}
    ]}));
    assert!(result.unwrap_err().contains("No such plan"));
    assert_eq!(sim.panel.dump(), before);
}

#[test]
fn route_keys_template_ids() {
    let sim = Sim::new();
    let key = |method: http::Method, path: &str| sim.panel.route_key(&method, path, b"");
    assert_eq!(
        key(http::Method::GET, "/api/admin/users/17"),
        "GET /api/admin/users/{id}"
    );
    assert_eq!(
        key(http::Method::GET, "/api/admin/users/email"),
        "GET /api/admin/users/email"
    );
    assert_eq!(
        key(
            http::Method::PUT,
            "/api/server-accounts/3/mysql/privileges/a_u/a_db"
        ),
        "PUT /api/server-accounts/{id}/mysql/privileges/{user}/{database}"
    );
    assert_eq!(
        key(http::Method::GET, "/api/admin/unknown/42"),
        "GET /api/admin/unknown/{id}"
    );
    assert_eq!(sim.panel.credentials(), json!({"token": TOKEN}));
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            "\\PC{0,12}".prop_map(Value::String),
            prop_oneof![
                Just("mainexam_qui"),
                Just("shop.example"),
                Just("SELECT"),
                Just("x@y.io"),
                Just("long-enough")
            ]
            .prop_map(|s| json!(s)),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(
                    prop_oneof![
                        Just("email".to_string()),
                        Just("password".to_string()),
                        Just("name".to_string()),
                        Just("plan_id".to_string()),
                        Just("domain".to_string()),
                        Just("type".to_string()),
                        Just("parent_domain".to_string()),
                        Just("document_root".to_string()),
                        Just("privileges".to_string()),
                        Just("database".to_string()),
                        Just("redirect_enabled".to_string()),
                        Just("redirect_url".to_string()),
                        Just("hosting_account_config".to_string()),
                        Just("php_version".to_string()),
                        "[a-z_]{1,10}"
                    ],
                    inner,
                    0..6
                )
                .prop_map(|map| Value::Object(map.into_iter().collect())),
            ]
        })
    }

    fn segment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("1".to_string()),
            Just("2".to_string()),
            Just("0".to_string()),
            Just("shop.example".to_string()),
            Just("mainexam_qui".to_string()),
            Just("mainexam_wpuser".to_string()),
            Just("%E2%9C%93".to_string()),
            Just("%zz".to_string()),
            "[A-Za-z0-9._~-]{1,12}",
        ]
    }

    #[derive(Debug, Clone)]
    struct Fuzzed {
        method: &'static str,
        path: String,
        query: Vec<(String, String)>,
        content_type: Option<&'static str>,
        body: Vec<u8>,
        authorization: Option<String>,
        acting_user: Option<String>,
    }

    fn request() -> impl Strategy<Value = Fuzzed> {
        let path = prop_oneof![
            4 => (0..ROUTES.len(), prop::collection::vec(segment(), 4)).prop_map(|(index, values)| {
                let mut values = values.into_iter();
                let segments: Vec<String> = ROUTES[index]
                    .path
                    .split('/')
                    .map(|s| if s.starts_with('{') { values.next().unwrap_or_default() } else { s.to_string() })
                    .collect();
                format!("/{}", segments.join("/"))
            }),
            1 => prop::collection::vec(segment(), 0..6).prop_map(|s| format!("/api/{}", s.join("/"))),
        ];
        let body = prop_oneof![
            3 => json_value().prop_map(|v| v.to_string().into_bytes()),
            1 => prop::collection::vec(any::<u8>(), 0..64),
        ];
        (
            prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]),
            path,
            prop::collection::vec(("[a-z_]{1,10}", "\\PC{0,10}"), 0..3),
            prop::option::of(prop::sample::select(vec![
                "application/json",
                "application/x-www-form-urlencoded",
                "text/plain",
            ])),
            body,
            prop_oneof![
                4 => Just(Some(format!("Bearer {TOKEN}"))),
                1 => Just(None),
                1 => "[ -~]{0,20}".prop_map(Some),
            ],
            prop_oneof![
                Just(None),
                Just(Some("1".to_string())),
                Just(Some("2".to_string())),
                "[ -~]{0,8}".prop_map(Some)
            ],
        )
            .prop_map(
                |(method, path, query, content_type, body, authorization, acting_user)| Fuzzed {
                    method,
                    path,
                    query,
                    content_type,
                    body,
                    authorization,
                    acting_user,
                },
            )
    }

    fn build(fuzzed: &Fuzzed) -> Option<Request<Body>> {
        let mut uri = fuzzed.path.clone();
        if !fuzzed.query.is_empty() {
            let mut serializer = url::form_urlencoded::Serializer::new(String::new());
            for (key, value) in &fuzzed.query {
                serializer.append_pair(key, value);
            }
            uri = format!("{uri}?{}", serializer.finish());
        }
        let mut request = Request::builder().method(fuzzed.method).uri(uri);
        if let Some(value) = &fuzzed.authorization {
            request = request.header("Authorization", value);
        }
        if let Some(value) = &fuzzed.acting_user {
            request = request.header("X-PanelAlpha-User", value);
        }
        if let Some(value) = fuzzed.content_type {
            request = request.header("Content-Type", value);
        }
        request.body(Body::from(fuzzed.body.clone())).ok()
    }

    fn assert_laravel_shape(fuzzed: &Fuzzed, answer: &Answer) {
        let status = answer.status.as_u16();
        assert!(
            [200, 201, 204, 401, 403, 404, 405, 422].contains(&status),
            "{fuzzed:?} -> unexpected status {status} {}",
            answer.body
        );
        if status == 204 || fuzzed.method == "HEAD" {
            return;
        }
        assert_eq!(answer.headers["content-type"], "application/json");
        if status < 300 {
            assert!(
                answer.body.get("data").is_some(),
                "{fuzzed:?} -> {}",
                answer.body
            );
            return;
        }
        assert!(
            answer.body["message"].is_string(),
            "{fuzzed:?} -> {}",
            answer.body
        );
        if status == 422 {
            if let Some(errors) = answer.body.get("errors") {
                let errors = errors.as_object().expect("errors is an object");
                assert!(!errors.is_empty());
                for messages in errors.values() {
                    let messages = messages.as_array().expect("messages are a list");
                    assert!(!messages.is_empty() && messages.iter().all(Value::is_string));
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// Random methods, paths, queries, bodies and headers never panic the simulator and
        /// always get a Laravel-shaped answer.
        #[test]
        fn random_requests_get_laravel_shaped_answers(requests in prop::collection::vec(request(), 1..8)) {
            let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let sim = world();
            for fuzzed in &requests {
                let Some(request) = build(fuzzed) else { continue };
                let answer = runtime.block_on(sim.send(request));
                assert_laravel_shape(fuzzed, &answer);
            }
        }
    }
}
