//! The six data sources end to end: the provider's own service (`provider::service()`,
//! msgpack values as Terraform sends them) configured against a spawned `panel-sim`,
//! seeded through `POST /__sim/seed`, for each of the four panel APIs. Each test reads
//! every data source and checks the values against the seeded objects, the filters,
//! and the not-found diagnostics.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::json;
use terraform_provider_panel::framework::diag::{Diagnostics, Severity};
use terraform_provider_panel::framework::rpc::*;
use terraform_provider_panel::tfvalue::{msgpack, AttributePath, Type, Value};

use crate::support::sim::{spawn, SimProcess};

/// A configured provider service talking to one simulator.
struct Fixture {
    // Kept alive for the test's duration: dropping it kills the simulator.
    _sim: SimProcess,
    service: Arc<dyn ProviderService>,
    types: BTreeMap<String, Type>,
}

fn errors(diagnostics: &Diagnostics) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect()
}

fn object(ty: &Type, pairs: &[(&str, Value)]) -> Value {
    let Type::Object(fields) = ty else {
        panic!("schemas are objects")
    };
    let mut value: BTreeMap<String, Value> =
        fields.keys().map(|k| (k.clone(), Value::Null)).collect();
    for (name, v) in pairs {
        assert!(value.contains_key(*name), "no attribute {name}");
        value.insert((*name).to_owned(), v.clone());
    }
    Value::Object(value)
}

fn raw(value: &Value, ty: &Type) -> RawValue {
    RawValue {
        msgpack: msgpack::encode(value, ty).expect("encodable test value"),
        json: Vec::new(),
    }
}

fn text(value: &Value, name: &str) -> Option<String> {
    value
        .get_attr(name)
        .unwrap_or_else(|| panic!("no attribute {name}"))
        .as_str()
        .map(str::to_owned)
}

fn elements<'a>(value: &'a Value, name: &str) -> &'a [Value] {
    value
        .get_attr(name)
        .and_then(Value::as_elements)
        .unwrap_or_else(|| panic!("{name} is not a list"))
}

fn names_of(value: &Value, list: &str, field: &str) -> Vec<String> {
    elements(value, list)
        .iter()
        .map(|item| text(item, field).expect("names are set"))
        .collect()
}

impl Fixture {
    /// Spawns the simulator for `provider_type`, seeds it, and configures the provider.
    async fn start(provider_type: &str, seed: serde_json::Value) -> Fixture {
        let sim_name = match provider_type {
            "plesk_rest" | "plesk_xml" => "plesk",
            other => other,
        };
        let sim = spawn(sim_name, &[]);
        let answer = reqwest::Client::new()
            .post(sim.url("/__sim/seed"))
            .json(&seed)
            .send()
            .await
            .expect("seed request");
        let status = answer.status();
        let body = answer.text().await.unwrap_or_default();
        assert!(status.is_success(), "seed refused ({status}): {body}");

        let service = terraform_provider_panel::service();
        let schema = service.get_provider_schema().await;
        assert!(schema.diagnostics.is_empty(), "{:?}", schema.diagnostics);
        let types: BTreeMap<String, Type> = schema
            .data_source_schemas
            .iter()
            .map(|(name, s)| (name.clone(), s.object_type()))
            .collect();
        let provider_type_object = schema.provider.object_type();
        let mut block = vec![
            ("type", Value::string(provider_type)),
            ("endpoint", Value::string(sim.base_url.clone())),
        ];
        let credentials: &[(&str, &str)] = match provider_type {
            "hestia" => &[("access_key", "access_key"), ("secret_key", "secret_key")],
            "plesk_rest" => &[("api_key", "api_key")],
            "plesk_xml" => &[("secret_key", "secret_key")],
            "panelalpha" => &[("token", "token")],
            other => panic!("unknown panel type {other}"),
        };
        for (attribute, credential) in credentials {
            block.push((attribute, Value::string(sim.cred(credential))));
        }
        let diagnostics = service
            .configure(ConfigureRequest {
                config: raw(
                    &object(&provider_type_object, &block),
                    &provider_type_object,
                ),
                ..Default::default()
            })
            .await;
        assert!(errors(&diagnostics).is_empty(), "{diagnostics:?}");
        Fixture {
            _sim: sim,
            service,
            types,
        }
    }

    fn ty(&self, type_name: &str) -> &Type {
        self.types
            .get(type_name)
            .unwrap_or_else(|| panic!("data source {type_name} not registered"))
    }

    /// Reads a data source; `Ok(state)` or `Err(error diagnostics)`.
    async fn try_read(
        &self,
        type_name: &str,
        pairs: &[(&str, Value)],
    ) -> Result<Value, Diagnostics> {
        let ty = self.ty(type_name).clone();
        let config = object(&ty, pairs);
        let validation = self
            .service
            .validate_data_source_config(ValidateDataSourceConfigRequest {
                type_name: type_name.into(),
                config: raw(&config, &ty),
            })
            .await;
        assert!(validation.is_empty(), "{validation:?}");
        let answer = self
            .service
            .read_data_source(ReadDataSourceRequest {
                type_name: type_name.into(),
                config: raw(&config, &ty),
                ..Default::default()
            })
            .await;
        if answer.diagnostics.has_errors() {
            assert!(answer.state.is_none(), "no state alongside errors");
            return Err(answer.diagnostics);
        }
        let state = answer.state.expect("a state without errors");
        let value = msgpack::decode(&state.msgpack, &ty).expect("the answer decodes");
        assert!(value.is_wholly_known());
        // Terraform rejects a data source that changes its configured arguments.
        for (name, configured) in pairs {
            assert_eq!(
                value.get_attr(name),
                Some(configured),
                "{type_name}.{name} kept"
            );
        }
        Ok(value)
    }

    async fn read(&self, type_name: &str, pairs: &[(&str, Value)]) -> Value {
        match self.try_read(type_name, pairs).await {
            Ok(value) => value,
            Err(diagnostics) => panic!("{type_name}: {:?}", errors(&diagnostics)),
        }
    }

    /// Reads a singular data source that must fail with "not found" on `attribute`.
    async fn assert_not_found(
        &self,
        type_name: &str,
        pairs: &[(&str, Value)],
        attribute: &str,
        value: &str,
    ) {
        let diagnostics = self
            .try_read(type_name, pairs)
            .await
            .expect_err("lookup of a missing object fails");
        let found = diagnostics.iter().find(|d| d.severity == Severity::Error);
        let diagnostic = found.expect("an error diagnostic");
        assert!(
            diagnostic.summary.ends_with("Not Found"),
            "{}",
            diagnostic.summary
        );
        assert_eq!(diagnostic.attribute, Some(AttributePath::root(attribute)));
        assert!(
            diagnostic
                .detail
                .contains(&format!("`{attribute}` = {value:?}")),
            "{}",
            diagnostic.detail
        );
    }
}

/// What the seed put on the panel, in the provider's terms, where it differs by panel.
struct Expected {
    /// The `login` of each seeded user (PanelAlpha: the email).
    alice_login: &'static str,
    bob_login: &'static str,
    plan: Option<&'static str>,
    /// Whether bob could be seeded suspended.
    bob_suspended: bool,
    /// The shop site: `(kind, parent)`.
    shop_kind: &'static str,
    shop_parent: Option<&'static str>,
    /// Databases carry a domain.
    database_domains: bool,
    /// HestiaCP-style `<owner login>_` prefix on database and user names.
    prefixed: bool,
}

const SEEDED_PASSWORD: &str = "Sim-Passw0rd-42";

fn hestia_seed() -> serde_json::Value {
    json!({"users": [
        {"user": "alice", "password": SEEDED_PASSWORD, "email": "alice@example.com",
         "name": "Alice Able",
         "web_domains": [{"domain": "alice.example"}, {"domain": "shop-alice.example"}],
         "databases": [{"database": "wp", "dbuser": "wpuser", "password": SEEDED_PASSWORD,
                        "type": "mysql"}]},
        {"user": "bob", "password": SEEDED_PASSWORD, "email": "bob@example.com",
         "name": "Bob Bee", "suspended": true,
         "web_domains": [{"domain": "bob.example"}],
         "databases": [{"database": "shop", "dbuser": "shopuser", "password": SEEDED_PASSWORD,
                        "type": "mysql"}]}
    ]})
}

fn plesk_seed() -> serde_json::Value {
    json!({
        "clients": [
            {"login": "alice", "name": "Alice Able", "email": "alice@example.com"},
            {"login": "bob", "name": "Bob Bee", "email": "bob@example.com", "status": 16}
        ],
        "domains": [
            {"name": "alice.example", "kind": "subscription", "owner_login": "alice",
             "ftp_login": "aliceftp", "ftp_password": SEEDED_PASSWORD},
            {"name": "shop-alice.example", "kind": "addon", "owner_login": "alice",
             "parent": "alice.example"},
            {"name": "bob.example", "kind": "subscription", "owner_login": "bob",
             "ftp_login": "bobftp", "ftp_password": SEEDED_PASSWORD}
        ],
        "databases": [
            {"name": "wp", "domain": "alice.example", "type": "mysql",
             "users": [{"login": "wpuser", "password": SEEDED_PASSWORD}]},
            {"name": "shop", "domain": "bob.example", "type": "mysql",
             "users": [{"login": "shopuser", "password": SEEDED_PASSWORD}]}
        ]
    })
}

fn panelalpha_seed() -> serde_json::Value {
    json!({"users": [
        {"email": "alice@example.com", "first_name": "Alice", "last_name": "Able",
         "password": SEEDED_PASSWORD,
         "services": [{"plan": "Starter", "domain": "alice.example",
                       "domains": ["shop-alice.example"],
                       "databases": [{"name": "wp", "users": ["wpuser"]}]}]},
        {"email": "bob@example.com", "first_name": "Bob", "last_name": "Bee",
         "password": SEEDED_PASSWORD,
         "services": [{"plan": "Starter", "domain": "bob.example",
                       "databases": [{"name": "shop", "users": ["shopuser"]}]}]}
    ]})
}

const PLESK: Expected = Expected {
    alice_login: "alice",
    bob_login: "bob",
    plan: None,
    bob_suspended: true,
    shop_kind: "addon",
    shop_parent: Some("alice.example"),
    database_domains: true,
    prefixed: false,
};

#[tokio::test]
async fn data_sources_on_hestia() {
    let fixture = Fixture::start("hestia", hestia_seed()).await;
    let expected = Expected {
        alice_login: "alice",
        bob_login: "bob",
        plan: Some("default"),
        bob_suspended: true,
        shop_kind: "main",
        shop_parent: None,
        database_domains: false,
        prefixed: true,
    };
    exercise(&fixture, &expected).await;
}

#[tokio::test]
async fn data_sources_on_plesk_rest() {
    let fixture = Fixture::start("plesk_rest", plesk_seed()).await;
    exercise(&fixture, &PLESK).await;
}

#[tokio::test]
async fn data_sources_on_plesk_xml() {
    let fixture = Fixture::start("plesk_xml", plesk_seed()).await;
    exercise(&fixture, &PLESK).await;
}

#[tokio::test]
async fn data_sources_on_panelalpha() {
    let fixture = Fixture::start("panelalpha", panelalpha_seed()).await;
    let expected = Expected {
        alice_login: "alice@example.com",
        bob_login: "bob@example.com",
        plan: Some("Starter"),
        bob_suspended: false,
        shop_kind: "addon",
        shop_parent: Some("alice.example"),
        database_domains: true,
        prefixed: false,
    };
    exercise(&fixture, &expected).await;
}

/// Every data source against the seeded panel.
async fn exercise(fixture: &Fixture, expected: &Expected) {
    let (alice_id, bob_id) = check_users(fixture, expected).await;
    check_domains(fixture, expected, &alice_id, &bob_id).await;
    check_databases(fixture, expected, &alice_id, &bob_id).await;
}

async fn check_users(fixture: &Fixture, expected: &Expected) -> (String, String) {
    let s = Value::string;
    let alice = fixture
        .read("panel_user", &[("login", s(expected.alice_login))])
        .await;
    let alice_id = text(&alice, "id").expect("id filled in");
    assert_eq!(text(&alice, "email").as_deref(), Some("alice@example.com"));
    assert_eq!(text(&alice, "name").as_deref(), Some("Alice Able"));
    assert_eq!(text(&alice, "plan").as_deref(), expected.plan);
    assert_eq!(alice.get_attr("suspended"), Some(&Value::Bool(false)));

    let bob = fixture
        .read("panel_user", &[("login", s(expected.bob_login))])
        .await;
    let bob_id = text(&bob, "id").expect("id filled in");
    assert_ne!(alice_id, bob_id);
    assert_eq!(text(&bob, "name").as_deref(), Some("Bob Bee"));
    assert_eq!(
        bob.get_attr("suspended"),
        Some(&Value::Bool(expected.bob_suspended))
    );

    // By id: the same user, login filled in.
    let by_id = fixture.read("panel_user", &[("id", s(&alice_id))]).await;
    assert_eq!(by_id, alice, "lookup by id and by login agree");

    fixture
        .assert_not_found("panel_user", &[("login", s("ghost"))], "login", "ghost")
        .await;

    // The list: everyone, then each filter.
    let all = fixture.read("panel_users", &[]).await;
    let logins = names_of(&all, "users", "login");
    assert!(
        logins.contains(&expected.alice_login.to_owned()),
        "{logins:?}"
    );
    assert!(
        logins.contains(&expected.bob_login.to_owned()),
        "{logins:?}"
    );
    let mut sorted = logins.clone();
    sorted.sort();
    assert_eq!(logins, sorted, "users are sorted by login");
    assert_eq!(
        names_of(&all, "users", "id"),
        elements(&all, "ids")
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>(),
        "ids follow users"
    );
    let listed_alice = elements(&all, "users")
        .iter()
        .find(|u| text(u, "id").as_deref() == Some(alice_id.as_str()))
        .expect("alice listed");
    assert_eq!(
        listed_alice, &alice,
        "list entries equal the singular lookup"
    );

    let by_prefix = fixture
        .read(
            "panel_users",
            &[("login_prefix", s(&expected.alice_login[..3]))],
        )
        .await;
    assert_eq!(
        names_of(&by_prefix, "users", "login"),
        vec![expected.alice_login]
    );
    let by_email = fixture
        .read("panel_users", &[("email", s("BOB@example.com"))])
        .await;
    assert_eq!(
        elements(&by_email, "ids"),
        &[Value::string(bob_id.clone())],
        "email filter is case-insensitive"
    );
    let nobody = fixture
        .read(
            "panel_users",
            &[("login_prefix", s("zz")), ("email", s("bob@example.com"))],
        )
        .await;
    assert!(elements(&nobody, "users").is_empty());
    assert!(elements(&nobody, "ids").is_empty());
    (alice_id, bob_id)
}

async fn check_domains(fixture: &Fixture, expected: &Expected, alice_id: &str, bob_id: &str) {
    let s = Value::string;
    let main = fixture
        .read("panel_domain", &[("name", s("alice.example"))])
        .await;
    assert_eq!(text(&main, "owner").as_deref(), Some(alice_id));
    assert_eq!(text(&main, "kind").as_deref(), Some("main"));
    assert_eq!(text(&main, "parent"), None);
    assert!(text(&main, "id").is_some());

    // A differently spelled name finds the same domain and is kept as written.
    let shouted = fixture
        .read("panel_domain", &[("name", s("Alice.EXAMPLE"))])
        .await;
    assert_eq!(text(&shouted, "id"), text(&main, "id"));

    let shop = fixture
        .read("panel_domain", &[("name", s("shop-alice.example"))])
        .await;
    assert_eq!(text(&shop, "owner").as_deref(), Some(alice_id));
    assert_eq!(text(&shop, "kind").as_deref(), Some(expected.shop_kind));
    assert_eq!(text(&shop, "parent").as_deref(), expected.shop_parent);

    fixture
        .assert_not_found(
            "panel_domain",
            &[("name", s("missing.example"))],
            "name",
            "missing.example",
        )
        .await;

    let all = fixture.read("panel_domains", &[]).await;
    let names = names_of(&all, "domains", "name");
    for name in ["alice.example", "shop-alice.example", "bob.example"] {
        assert!(names.contains(&name.to_owned()), "{name} in {names:?}");
    }
    let listed_main = elements(&all, "domains")
        .iter()
        .find(|d| text(d, "name").as_deref() == Some("alice.example"))
        .expect("listed");
    assert_eq!(listed_main, &main, "list entries equal the singular lookup");

    let alices = fixture
        .read("panel_domains", &[("owner", s(alice_id))])
        .await;
    assert_eq!(
        names_of(&alices, "domains", "name"),
        vec!["alice.example", "shop-alice.example"]
    );
    assert_eq!(
        elements(&alices, "ids"),
        &[
            main.get_attr("id").cloned().unwrap_or(Value::Null),
            shop.get_attr("id").cloned().unwrap_or(Value::Null)
        ]
    );
    let bobs = fixture.read("panel_domains", &[("owner", s(bob_id))]).await;
    assert_eq!(names_of(&bobs, "domains", "name"), vec!["bob.example"]);

    let alice_main = fixture
        .read(
            "panel_domains",
            &[("owner", s(alice_id)), ("kind", s("main"))],
        )
        .await;
    let mut want_main = vec!["alice.example"];
    if expected.shop_kind == "main" {
        want_main.push("shop-alice.example");
    }
    assert_eq!(names_of(&alice_main, "domains", "name"), want_main);
    let addons = fixture.read("panel_domains", &[("kind", s("addon"))]).await;
    let want_addons: Vec<&str> = if expected.shop_kind == "addon" {
        vec!["shop-alice.example"]
    } else {
        Vec::new()
    };
    assert_eq!(names_of(&addons, "domains", "name"), want_addons);
}

async fn check_databases(fixture: &Fixture, expected: &Expected, alice_id: &str, bob_id: &str) {
    let s = Value::string;
    // Find alice's database by listing, then check each lookup against it.
    let alices = fixture
        .read("panel_databases", &[("owner", s(alice_id))])
        .await;
    let listed = elements(&alices, "databases");
    assert_eq!(listed.len(), 1, "alice has one database");
    let wp = &listed[0];
    assert_eq!(
        elements(&alices, "ids"),
        &[wp.get_attr("id").cloned().unwrap_or(Value::Null)]
    );
    let full_name = text(wp, "full_name").expect("full_name");
    let name = text(wp, "name").expect("name");
    let full_user = text(wp, "full_user").expect("full_user");
    let user = text(wp, "user").expect("user");
    assert_eq!(text(wp, "owner").as_deref(), Some(alice_id));
    assert_eq!(text(wp, "engine").as_deref(), Some("mysql"));
    if expected.prefixed {
        assert_eq!(name, "wp");
        assert_eq!(full_name, format!("{alice_id}_wp"));
        assert_eq!(user, "wpuser");
        assert_eq!(full_user, format!("{alice_id}_wpuser"));
    } else {
        // PanelAlpha stores names with its account prefix, which `name` / `user`
        // leave out; Plesk keeps them as written.
        assert_eq!(name, "wp");
        assert!(
            full_name == "wp" || full_name.ends_with("_wp"),
            "{full_name}"
        );
        assert_eq!(user, "wpuser");
        assert!(
            full_user == "wpuser" || full_user.ends_with("_wpuser"),
            "{full_user}"
        );
    }
    let want_domain = expected.database_domains.then_some("alice.example");
    assert_eq!(text(wp, "domain").as_deref(), want_domain);

    // By owner + name: the same object; the configured name is kept as written.
    let by_name = fixture
        .read(
            "panel_database",
            &[("owner", s(alice_id)), ("name", s(&name))],
        )
        .await;
    assert_eq!(&by_name, wp);
    if expected.prefixed {
        let by_full_name = fixture
            .read(
                "panel_database",
                &[("owner", s(alice_id)), ("name", s(&full_name))],
            )
            .await;
        assert_eq!(text(&by_full_name, "id"), text(wp, "id"));
    }
    let by_id = fixture
        .read(
            "panel_database",
            &[("id", wp.get_attr("id").cloned().unwrap_or(Value::Null))],
        )
        .await;
    assert_eq!(&by_id, wp);

    fixture
        .assert_not_found(
            "panel_database",
            &[("owner", s(alice_id)), ("name", s("nope"))],
            "name",
            "nope",
        )
        .await;

    let all = fixture.read("panel_databases", &[]).await;
    let owners: Vec<String> = names_of(&all, "databases", "owner");
    assert!(owners.contains(&alice_id.to_owned()) && owners.contains(&bob_id.to_owned()));
    let bobs = fixture
        .read("panel_databases", &[("owner", s(bob_id))])
        .await;
    let bob_names = names_of(&bobs, "databases", "name");
    assert_eq!(bob_names.len(), 1);
    assert!(bob_names[0].ends_with("shop"), "{bob_names:?}");

    let of_domain = fixture
        .read("panel_databases", &[("domain", s("ALICE.example"))])
        .await;
    let want: Vec<Value> = if expected.database_domains {
        vec![wp.clone()]
    } else {
        Vec::new()
    };
    assert_eq!(elements(&of_domain, "databases"), want.as_slice());
}

#[tokio::test]
async fn lookups_must_name_exactly_one_key() {
    // Validation needs no panel: the provider is not configured here.
    let service = terraform_provider_panel::service();
    let schema = service.get_provider_schema().await;
    let validate = |type_name: &'static str, pairs: Vec<(&'static str, Value)>| {
        let ty = schema.data_source_schemas[type_name].object_type();
        let config = raw(&object(&ty, &pairs), &ty);
        let service = Arc::clone(&service);
        async move {
            service
                .validate_data_source_config(ValidateDataSourceConfigRequest {
                    type_name: type_name.into(),
                    config,
                })
                .await
        }
    };
    let s = Value::string;

    let both = validate("panel_user", vec![("login", s("a")), ("id", s("1"))]).await;
    assert_eq!(errors(&both).len(), 1, "{both:?}");
    assert!(errors(&both)[0].starts_with("Conflicting Lookups"));

    let neither = validate("panel_user", vec![]).await;
    assert!(
        errors(&neither)[0].starts_with("Missing Lookup"),
        "{neither:?}"
    );

    // Unknown values (from another resource) count as given.
    let unknown = validate("panel_user", vec![("login", Value::unknown())]).await;
    assert!(unknown.is_empty(), "{unknown:?}");

    let half = validate("panel_database", vec![("owner", s("alice"))]).await;
    assert_eq!(errors(&half).len(), 1, "{half:?}");
    assert_eq!(half.0[0].attribute, Some(AttributePath::root("name")));

    let mixed = validate(
        "panel_database",
        vec![("id", s("x")), ("owner", s("alice")), ("name", s("wp"))],
    )
    .await;
    assert!(
        errors(&mixed)[0].starts_with("Conflicting Lookups"),
        "{mixed:?}"
    );

    let bad_kind = validate("panel_domains", vec![("kind", s("parked"))]).await;
    assert_eq!(bad_kind.0[0].attribute, Some(AttributePath::root("kind")));

    // Reading without a configured provider says so instead of panicking.
    let ty = schema.data_source_schemas["panel_users"].object_type();
    let unconfigured = service
        .read_data_source(ReadDataSourceRequest {
            type_name: "panel_users".into(),
            config: raw(&object(&ty, &[]), &ty),
            ..Default::default()
        })
        .await;
    assert!(unconfigured.state.is_none());
    assert!(errors(&unconfigured.diagnostics)[0].starts_with("Provider Not Configured"));
}
