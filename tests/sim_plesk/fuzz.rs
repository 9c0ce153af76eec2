//! Random XML, JSON, paths and headers never crash the simulator and always get a
//! Plesk-shaped answer: an XML packet (with a `system` error or operator results) from
//! the XML API, an `ErrorResponse` JSON body for every REST error.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use proptest::prelude::*;
use serde_json::Value;

use super::{Sim, Tree};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

/// Names that make random packets reach deep into the operators.
const NAMES: &[&str] = &[
    "packet",
    "customer",
    "webspace",
    "site",
    "database",
    "db_server",
    "ip",
    "service-plan",
    "secret_key",
    "server",
    "reseller",
    "add",
    "get",
    "set",
    "del",
    "add-db",
    "get-db",
    "del-db",
    "add-db-user",
    "get-db-users",
    "set-db-user",
    "del-db-user",
    "gen_info",
    "gen-info",
    "gen_setup",
    "filter",
    "dataset",
    "values",
    "hosting",
    "vrt_hst",
    "property",
    "name",
    "value",
    "id",
    "login",
    "pname",
    "passwd",
    "ip_address",
    "webspace-id",
    "db-id",
    "type",
    "owner-login",
    "parent-site-id",
    "status",
    "key",
    "get_protos",
    "x",
];

fn element() -> impl Strategy<Value = String> {
    let leaf = (prop::sample::select(NAMES), "[ -~]{0,12}").prop_map(|(name, text)| {
        let text = text.replace('&', "&amp;").replace('<', "&lt;");
        format!("<{name}>{text}</{name}>")
    });
    leaf.prop_recursive(4, 40, 5, |inner| {
        (
            prop::sample::select(NAMES),
            prop::collection::vec(inner, 0..5),
        )
            .prop_map(|(name, children)| format!("<{name}>{}</{name}>", children.concat()))
    })
}

fn assert_xml_answer(answer: &str) {
    let tree = Tree::parse(answer).unwrap_or_else(|e| panic!("answer is not XML ({e}): {answer}"));
    assert_eq!(tree.name, "packet");
    assert!(!tree.children.is_empty(), "{answer}");
    if let Some(system) = tree.child("system") {
        assert_eq!(tree.children.len(), 1);
        assert_eq!(system.text_at("status").as_deref(), Some("error"));
        assert!(system
            .text_at("errcode")
            .is_some_and(|c| c.parse::<u32>().is_ok()));
    }
}

fn assert_error_body(status: StatusCode, body: &[u8]) {
    if status.is_success() {
        return;
    }
    let value: Value = serde_json::from_slice(body).unwrap_or_else(|e| {
        panic!(
            "{status}: error body is not JSON ({e}): {}",
            String::from_utf8_lossy(body)
        )
    });
    assert_eq!(
        value["code"].as_u64(),
        Some(u64::from(status.as_u16())),
        "{value}"
    );
    assert!(value["message"].is_string(), "{value}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_to_the_xml_api(body in prop::collection::vec(any::<u8>(), 0..300)) {
        let sim = Sim::new();
        let answer = runtime().block_on(async {
            let creds = sim.credentials();
            let login = creds["login"].as_str().unwrap_or_default().to_owned();
            let password = creds["password"].as_str().unwrap_or_default().to_owned();
            let request = Request::builder()
                .method(Method::POST)
                .uri("/enterprise/control/agent.php")
                .header("HTTP_AUTH_LOGIN", login)
                .header("HTTP_AUTH_PASSWD", password)
                .body(Body::from(body))
                .expect("request");
            sim.send(request).await
        });
        prop_assert_eq!(answer.status, StatusCode::OK);
        assert_xml_answer(&answer.text());
    }

    #[test]
    fn random_packets_to_the_xml_api(children in prop::collection::vec(element(), 0..4), version in prop::option::of("[0-9.]{0,8}")) {
        let sim = Sim::seeded(serde_json::json!({
            "clients": [{"login": "jdoe"}],
            "domains": [{"name": "example.com", "owner_login": "jdoe", "ftp_login": "exftp", "ftp_password": "secret1"}],
            "databases": [{"name": "wp", "domain": "example.com", "users": [{"login": "wpu", "password": "secret1"}]}]
        }));
        let version = version.map(|v| format!(" version=\"{v}\"")).unwrap_or_default();
        let packet = format!("<packet{version}>{}</packet>", children.concat());
        let answer = runtime().block_on(sim.xml(&packet));
        assert_xml_answer(&answer);
    }

    #[test]
    fn random_auth_headers_never_get_in(
        login in "[ -~]{0,20}", password in "[ -~]{0,20}", key in "[ -~]{0,40}", use_key in any::<bool>()
    ) {
        let sim = Sim::new();
        let headers: Vec<(&str, &str)> =
            if use_key { vec![("KEY", key.as_str())] } else { vec![("HTTP_AUTH_LOGIN", login.as_str()), ("HTTP_AUTH_PASSWD", password.as_str())] };
        let answer = runtime().block_on(sim.xml_with(&headers, "<packet><server><get_protos/></server></packet>"));
        let tree = Tree::parse(&answer).expect("xml");
        prop_assert!(tree.child("system").is_some(), "{}", answer);
        let basic = format!("Basic {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, format!("{login}:{password}")));
        let reply = runtime().block_on(sim.rest_with(Method::GET, "/api/v2/clients", None, &[("authorization", basic.as_str()), ("x-api-key", key.as_str())]));
        prop_assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_error_body(reply.status, &reply.body);
    }

    #[test]
    fn random_json_to_every_writing_route(body in any_json(), route in 0usize..9) {
        let sim = Sim::seeded(serde_json::json!({
            "clients": [{"login": "jdoe"}],
            "domains": [{"name": "example.com", "owner_login": "jdoe", "ftp_login": "exftp", "ftp_password": "secret1"}],
            "databases": [{"name": "wp", "domain": "example.com", "users": [{"login": "wpu", "password": "secret1"}]}]
        }));
        let (method, path) = [
            (Method::POST, "/api/v2/clients"),
            (Method::PUT, "/api/v2/clients/2"),
            (Method::POST, "/api/v2/domains"),
            (Method::PUT, "/api/v2/domains/1"),
            (Method::PUT, "/api/v2/domains/1/status"),
            (Method::POST, "/api/v2/databases"),
            (Method::POST, "/api/v2/dbusers"),
            (Method::PUT, "/api/v2/dbusers/1"),
            (Method::POST, "/api/v2/auth/keys"),
        ][route].clone();
        let reply = runtime().block_on(sim.rest(method, path, Some(body)));
        prop_assert!([200u16, 201, 400, 401, 404].contains(&reply.status.as_u16()), "{}", reply.status);
        assert_error_body(reply.status, &reply.body);
    }

    #[test]
    fn random_paths_and_methods_under_the_api(path in "[a-z0-9/{}%?=.-]{0,40}", method in 0usize..5, raw in prop::collection::vec(any::<u8>(), 0..64)) {
        let sim = Sim::new();
        let method = [Method::GET, Method::POST, Method::PUT, Method::DELETE, Method::PATCH][method].clone();
        let uri = format!("/api/v2/{}", path.trim_start_matches('/'));
        let Ok(uri) = uri.parse::<axum::http::Uri>() else { return Ok(()) };
        let reply = runtime().block_on(async {
            let auth = format!("Basic {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "admin:sim-Passw0rd!"));
            let request = Request::builder().method(method).uri(uri).header("authorization", auth).body(Body::from(raw)).expect("request");
            sim.send(request).await
        });
        prop_assert!(reply.status.as_u16() < 500, "{}", reply.status);
        assert_error_body(reply.status, &reply.body);
    }
}

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[ -~]{0,16}".prop_map(Value::String),
        prop::sample::select(vec![
            "example.com",
            "jdoe",
            "virtual",
            "mysql",
            "secret1",
            "203.0.113.10",
            "active"
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        let keys = prop::sample::select(vec![
            "name",
            "login",
            "password",
            "email",
            "type",
            "status",
            "hosting_type",
            "hosting_settings",
            "ftp_login",
            "ftp_password",
            "base_domain",
            "parent_domain",
            "owner_client",
            "ip_addresses",
            "ipv4",
            "plan",
            "id",
            "guid",
            "database_id",
            "server_id",
            "ip",
            "ips",
            "description",
            "external_id",
        ]);
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(keys, inner, 0..6).prop_map(|map| Value::Object(
                map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}
