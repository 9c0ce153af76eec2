//! HestiaCP-specific cases for the native backend (issue 16 item 1; issue 15 items 5,
//! 7, 9, 10), run against `panel-sim hestia`:
//! - reads use the owner state knows: one shared `v-list-web-domains OWNER` /
//!   `v-list-databases OWNER` per owner, a search of other owners only when the object
//!   is not where the hint says;
//! - read-backs after a change read that one object (`v-list-user`,
//!   `v-list-web-domain`, `v-list-database`), never a list;
//! - `find` of a user is one `v-list-user`;
//! - domains stored in Unicode (as the real panel keeps `bücher.example.com`) are found,
//!   imported, read and deleted with either spelling;
//! - logins the panel accepts but the provider's rules refuse (`Zupper`) are reported
//!   as the panel spells them;
//! - wrong credentials and a suspended owner give errors that say so.

use std::sync::Arc;

use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use terraform_provider_panel::panel::names::DomainName;
use terraform_provider_panel::panel::{
    Database, DatabaseKey, DatabaseSpec, Domain, DomainKey, DomainKind, DomainSpec, ListFilter,
    Locator, Panel, PanelErrorKind, PanelKind, PanelObject, Secret, User, UserKey,
};

use super::{ok, service, Fixture, Requests, MAX_CONCURRENT, PASSWORD};

const KIND: PanelKind = PanelKind::Hestia;

fn user_seed(login: &str, domains: &[String], databases: &[&str]) -> Value {
    json!({
        "user": login,
        "password": PASSWORD,
        "email": format!("{}@example.com", login.to_lowercase()),
        "name": format!("Owner {login}"),
        "web_domains": domains.iter().map(|d| json!({"domain": d})).collect::<Vec<_>>(),
        "databases": databases.iter().map(|db| json!({
            "database": db, "dbuser": format!("{db}u"), "password": PASSWORD, "type": "mysql"
        })).collect::<Vec<_>>(),
    })
}

fn show(label: &str, resources: usize, counted: &Requests) {
    println!(
        "hestia native: {label}: {resources} resource(s) -> {} request(s) {:?}",
        counted.total, counted.routes
    );
}

/// One resource to refresh, with the locator the engine builds from state.
#[derive(Clone, Debug)]
enum Refresh {
    User(Locator),
    Domain(Locator),
    Database(Locator),
}

async fn refresh_all(panel: Arc<dyn Panel>, items: Vec<Refresh>) {
    let outcomes: Vec<(Refresh, Result<bool, String>)> = stream::iter(items)
        .map(|item| {
            let panel = Arc::clone(&panel);
            async move {
                let found = match &item {
                    Refresh::User(at) => service::<User>(panel.as_ref())
                        .expect("users")
                        .get(at)
                        .await
                        .map(|o| o.is_some()),
                    Refresh::Domain(at) => service::<Domain>(panel.as_ref())
                        .expect("domains")
                        .get(at)
                        .await
                        .map(|o| o.is_some()),
                    Refresh::Database(at) => service::<Database>(panel.as_ref())
                        .expect("databases")
                        .get(at)
                        .await
                        .map(|o| o.is_some()),
                };
                (item, found.map_err(|e| format!("{e:?}")))
            }
        })
        .buffer_unordered(MAX_CONCURRENT)
        .collect()
        .await;
    for (item, found) in outcomes {
        match found {
            Ok(true) => {}
            Ok(false) => panic!("{item:?} was seeded but reads back as gone"),
            Err(e) => panic!("{item:?}: {e}"),
        }
    }
}

/// The mixed fleet of issue 16: owners each with one domain and one database; every
/// resource refreshed with the owner its state records, as the engine does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_fleet_refresh_costs_at_most_0_7_requests_per_resource() {
    const OWNERS: usize = 333;
    let fx = Fixture::start(KIND).await;
    let users: Vec<Value> = (0..OWNERS)
        .map(|o| {
            let login = format!("fleet{o:03}");
            user_seed(&login, &[format!("{login}.example")], &["db"])
        })
        .collect();
    fx.control.seed(&json!({ "users": users })).await;
    let mut items = Vec::new();
    for o in 0..OWNERS {
        let login = format!("fleet{o:03}");
        items.push(Refresh::User(Locator::new(&login)));
        items.push(Refresh::Domain(
            Locator::new(format!("{login}.example")).with_owner(Some(&login)),
        ));
        items.push(Refresh::Database(
            Locator::new(format!("{login}_db")).with_owner(Some(&login)),
        ));
    }
    // Terraform refreshes in no particular order.
    items.sort_by_key(|item| format!("{item:?}").len() % 7);
    let resources = items.len();
    fx.control.clear_requests().await;
    refresh_all(fx.backend(), items.clone()).await;
    let counted = fx.control.requests().await;
    show("mixed fleet refresh", resources, &counted);

    // The same refresh with each read taking READ_MS on the panel, for the record (not
    // asserted: timings belong to benchmarks): the reads of different owners overlap,
    // so the wall time stays near requests x latency / concurrency.
    const READ_MS: u64 = 20;
    fx.control
        .faults(json!({ "read_latency_ms": READ_MS }))
        .await;
    let started = std::time::Instant::now();
    refresh_all(fx.backend(), items).await;
    let wall = started.elapsed();
    fx.control.faults(json!({ "read_latency_ms": 0 })).await;
    let ideal = counted.total as f64 * READ_MS as f64 / MAX_CONCURRENT as f64 / 1000.0;
    println!(
        "hestia native: mixed fleet refresh at {READ_MS} ms per read: {:.2} s (ideal {ideal:.2} s \
         = {} requests x {READ_MS} ms / {MAX_CONCURRENT} concurrent)",
        wall.as_secs_f64(),
        counted.total
    );
    let per_resource = counted.total as f64 / resources as f64;
    assert!(
        per_resource <= 0.7,
        "{} requests for {resources} resources ({per_resource:.3} per resource): {:?}",
        counted.total,
        counted.routes
    );
    assert_eq!(counted.route("v-list-users"), 1, "{counted:?}");
}

/// Issue 16: with 100 other users on the panel, one domain's refresh cost 102 requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_domain_refresh_goes_straight_to_its_owner() {
    let fx = Fixture::start(KIND).await;
    let mut users: Vec<Value> = (0..100)
        .map(|o| {
            user_seed(
                &format!("other{o:03}"),
                &[format!("other{o:03}.example")],
                &[],
            )
        })
        .collect();
    users.push(user_seed(
        "target",
        &["target.example".to_owned()],
        &["shop"],
    ));
    fx.control.seed(&json!({ "users": users })).await;

    fx.control.clear_requests().await;
    let domains = fx.backend();
    let at = Locator::new("target.example").with_owner(Some("target"));
    let found = ok(
        service::<Domain>(domains.as_ref()).unwrap().get(&at).await,
        "domain refresh",
    );
    assert_eq!(found.map(|d| d.owner).as_deref(), Some("target"));
    let counted = fx.control.requests().await;
    show("one domain refresh, 100 other users", 1, &counted);
    assert_eq!(counted.total, 1, "{counted:?}");
    assert_eq!(counted.route("v-list-web-domains"), 1, "{counted:?}");

    fx.control.clear_requests().await;
    let databases = fx.backend();
    let at = Locator::new("target_shop").with_owner(Some("target"));
    let found = ok(
        service::<Database>(databases.as_ref())
            .unwrap()
            .get(&at)
            .await,
        "database refresh",
    );
    assert_eq!(found.map(|d| d.name).as_deref(), Some("target_shop"));
    let counted = fx.control.requests().await;
    show("one database refresh, 100 other users", 1, &counted);
    assert_eq!(counted.total, 1, "{counted:?}");
}

/// The engine's create path for each type: `find` before, the create, `read_back`
/// after. Reads after a change are single-object commands, never lists, and a user's
/// `find` is one `v-list-user`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creates_read_one_object_and_never_a_list() {
    let fx = Fixture::start(KIND).await;
    // Other users make any list read visible (and costly) on the panel.
    let others: Vec<Value> = (0..20)
        .map(|o| user_seed(&format!("bystander{o:02}"), &[], &[]))
        .collect();
    fx.control.seed(&json!({ "users": others })).await;
    let panel = fx.backend();
    let users = service::<User>(panel.as_ref()).unwrap();
    let domains = service::<Domain>(panel.as_ref()).unwrap();
    let databases = service::<Database>(panel.as_ref()).unwrap();

    fx.control.clear_requests().await;
    let spec = fx.user_spec("single");
    let key = User::spec_key(&spec);
    assert_eq!(ok(users.find(&key).await, "find new user"), None);
    let counted = fx.control.requests().await;
    assert_eq!(counted.total, 1, "find of a new user: {counted:?}");
    assert_eq!(counted.route("v-list-user"), 1, "{counted:?}");

    let user = ok(users.create(&spec).await, "create user");
    let back = ok(users.read_back(&user.locator()).await, "read back user");
    assert_eq!(back.as_ref(), Some(&user));
    // A second read-back has nothing fresh at hand and reads the user again.
    let again = ok(users.read_back(&user.locator()).await, "read back again");
    assert_eq!(again.as_ref(), Some(&user));

    let domain_spec = fx.domain_spec(&user, "single-read.example", DomainKind::Main, None);
    let domain_key = Domain::spec_key(&domain_spec);
    assert_eq!(ok(domains.find(&domain_key).await, "find new domain"), None);
    let domain = ok(domains.create(&domain_spec).await, "create domain");
    let back = ok(
        domains.read_back(&domain.locator()).await,
        "read back domain",
    );
    assert_eq!(back.as_ref(), Some(&domain));
    let again = ok(
        domains.read_back(&domain.locator()).await,
        "read back again",
    );
    assert_eq!(again.as_ref(), Some(&domain));

    let db_spec: DatabaseSpec = fx.database_spec(&user, None, "single", Some("singleu"));
    let db_key = Database::spec_key(&db_spec);
    assert_eq!(ok(databases.find(&db_key).await, "find new database"), None);
    let database = ok(databases.create(&db_spec).await, "create database");
    let back = ok(
        databases.read_back(&database.locator()).await,
        "read back database",
    );
    assert_eq!(back.as_ref(), Some(&database));
    let again = ok(
        databases.read_back(&database.locator()).await,
        "read back again",
    );
    assert_eq!(again.as_ref(), Some(&database));

    let counted = fx.control.requests().await;
    show("find + create + 2 read-backs of each type", 3, &counted);
    assert_eq!(counted.route("v-list-users"), 0, "{counted:?}");
    // The domain and database `find`s before their creates read the owner's list,
    // once each; the read-backs never do.
    assert_eq!(counted.route("v-list-web-domains"), 1, "{counted:?}");
    assert_eq!(counted.route("v-list-databases"), 1, "{counted:?}");
    // find + create's own read + the second read-back (the first is what the create read).
    assert_eq!(counted.route("v-list-user"), 3, "{counted:?}");
    assert_eq!(counted.route("v-list-web-domain"), 2, "{counted:?}");
    assert_eq!(counted.route("v-list-database"), 2, "{counted:?}");

    // A change reads the one object back too.
    fx.control.clear_requests().await;
    let patch = terraform_provider_panel::panel::UserPatch {
        email: Some("single.changed@example.com".to_owned()),
        ..Default::default()
    };
    let changed = ok(users.update(&user.locator(), &patch).await, "update user");
    assert_eq!(changed.email, "single.changed@example.com");
    let db_patch = terraform_provider_panel::panel::DatabasePatch {
        password: Some(Secret::new("Other-Passw0rd!8")),
    };
    let changed = ok(
        databases.update(&database.locator(), &db_patch).await,
        "update database",
    );
    assert_eq!(changed, database);
    let counted = fx.control.requests().await;
    show("update user + database", 2, &counted);
    for list in ["v-list-users", "v-list-web-domains", "v-list-databases"] {
        assert_eq!(counted.route(list), 0, "{list}: {counted:?}");
    }
}

/// State's owner is a hint: a domain that moved to another user is still found (the
/// search), and a state without owner (import, data sources, old states) works.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_domain_is_found_by_searching_the_other_owners() {
    let fx = Fixture::start(KIND).await;
    let users: Vec<Value> = (0..12)
        .map(|o| {
            user_seed(
                &format!("mover{o:02}"),
                &[format!("mover{o:02}.example")],
                &[],
            )
        })
        .collect();
    fx.control.seed(&json!({ "users": users })).await;
    let panel = fx.backend();
    let domains = service::<Domain>(panel.as_ref()).unwrap();

    // State says mover00 owns mover07's domain.
    fx.control.clear_requests().await;
    let stale = Locator::new("mover07.example").with_owner(Some("mover00"));
    let found = ok(domains.get(&stale).await, "get moved domain");
    assert_eq!(found.map(|d| d.owner).as_deref(), Some("mover07"));
    let counted = fx.control.requests().await;
    show("refresh of a moved domain, 12 users", 1, &counted);
    assert_eq!(counted.route("v-list-users"), 1, "{counted:?}");

    let unhinted = ok(
        domains.get(&Locator::new("mover03.example")).await,
        "get without owner",
    );
    assert_eq!(unhinted.map(|d| d.owner).as_deref(), Some("mover03"));
    let gone = ok(
        domains
            .get(&Locator::new("nowhere.example").with_owner(Some("mover01")))
            .await,
        "get of a domain no one has",
    );
    assert_eq!(gone, None);
    let imported = ok(domains.import("mover05/mover05.example").await, "import");
    assert_eq!(imported.map(|d| d.id).as_deref(), Some("mover05.example"));
    let not_theirs = ok(domains.import("mover04/mover05.example").await, "import");
    assert_eq!(
        not_theirs, None,
        "OWNER/DOMAIN looks only at OWNER's domains"
    );
}

fn sim_web_domains(dump: &Value, login: &str) -> Vec<String> {
    dump["users"][login]["web_domains"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|d| d["domain"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Issue 15 item 9: the panel keeps `bücher.example.com` in Unicode. Every path
/// compares names in normal form and sends them as the panel stores them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_stored_in_unicode_is_found_by_either_spelling() {
    const UNICODE: &str = "bücher.example.com";
    const PUNYCODE: &str = "xn--bcher-kva.example.com";
    let fx = Fixture::start(KIND).await;
    let users = vec![
        user_seed("bystander", &["bystander.example".to_owned()], &[]),
        user_seed("books", &[UNICODE.to_owned()], &[]),
    ];
    fx.control.seed(&json!({ "users": users })).await;
    let dump = fx.control.state().await;
    assert_eq!(
        sim_web_domains(&dump, "books"),
        [UNICODE],
        "the simulator keeps the Unicode spelling, as the real panel does"
    );
    let panel = fx.backend();
    let domains = service::<Domain>(panel.as_ref()).unwrap();

    for spelling in [
        UNICODE,
        PUNYCODE,
        "Bücher.Example.COM",
        "books/bücher.example.com",
    ] {
        let imported = ok(domains.import(spelling).await, spelling)
            .unwrap_or_else(|| panic!("import {spelling:?} found nothing"));
        assert_eq!(imported.id, PUNYCODE, "{spelling}");
        assert_eq!(imported.name, PUNYCODE, "{spelling}");
        assert_eq!(imported.owner, "books", "{spelling}");
    }
    for owner in [Some("books".to_owned()), None] {
        let key = DomainKey {
            name: DomainName::lenient(UNICODE),
            owner: owner.clone(),
        };
        let found = ok(domains.find(&key).await, "find");
        assert_eq!(found.map(|d| d.id).as_deref(), Some(PUNYCODE), "{owner:?}");
    }
    let at = Locator::new(PUNYCODE).with_owner(Some("books"));
    let read = ok(domains.get(&at).await, "get").expect("refresh finds it");
    assert_eq!(read.owner, "books");
    let fresh = ok(
        fx.backend().domains().unwrap().read_back(&at).await,
        "read back",
    )
    .expect("the single read uses the stored spelling");
    assert_eq!(fresh, read);
    let listed = ok(domains.list(&ListFilter::owned_by("books")).await, "list");
    assert_eq!(
        listed.iter().map(|d| d.name.as_str()).collect::<Vec<_>>(),
        [PUNYCODE]
    );

    // Creating it again, in the form the provider sends names, is refused as existing
    // (the panel checks both spellings, exit 4).
    let owner = User {
        administrator: false,
        id: "books".into(),
        login: "books".into(),
        email: "books@example.com".into(),
        name: "Owner books".into(),
        plan: Some("default".into()),
        suspended: false,
    };
    let spec: DomainSpec = fx.domain_spec(&owner, PUNYCODE, DomainKind::Main, None);
    let error = domains.create(&spec).await.expect_err("a twin is refused");
    assert_eq!(error.kind, PanelErrorKind::AlreadyExists, "{error:?}");

    // Deleting it with the id state holds removes the domain the panel stores in Unicode.
    ok(domains.delete(&at).await, "delete");
    let dump = fx.control.state().await;
    assert!(sim_web_domains(&dump, "books").is_empty(), "{dump}");
    assert_eq!(ok(domains.get(&at).await, "get after delete"), None);
}

/// Issue 15 item 10: the panel accepts a login `Zupper`, which the provider's rules for
/// new logins refuse; everything read keeps the panel's spelling.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_outside_the_providers_rules_is_reported_as_the_panel_has_it() {
    let fx = Fixture::start(KIND).await;
    let users = vec![user_seed(
        "Zupper",
        &["zupper.example".to_owned()],
        &["shop"],
    )];
    fx.control.seed(&json!({ "users": users })).await;
    let panel = fx.backend();
    let users = service::<User>(panel.as_ref()).unwrap();
    let imported = ok(users.import("Zupper").await, "import").expect("imported");
    assert_eq!(imported.id, "Zupper");
    assert_eq!(imported.login, "Zupper");
    let key = UserKey {
        login: "Zupper".into(),
    };
    assert_eq!(ok(users.find(&key).await, "find").as_ref(), Some(&imported));
    assert_eq!(
        ok(users.get(&Locator::new("Zupper")).await, "get").as_ref(),
        Some(&imported)
    );
    let domains = service::<Domain>(panel.as_ref()).unwrap();
    let domain = ok(
        domains
            .get(&Locator::new("zupper.example").with_owner(Some("Zupper")))
            .await,
        "domain of Zupper",
    )
    .expect("found");
    assert_eq!(domain.owner, "Zupper");
    let databases = service::<Database>(panel.as_ref()).unwrap();
    for id in ["Zupper/shop", "Zupper/Zupper_shop", "Zupper_shop"] {
        let db = ok(databases.import(id).await, id).unwrap_or_else(|| panic!("{id}"));
        assert_eq!(db.id, "Zupper_shop");
        assert_eq!(db.owner, "Zupper");
    }
    let key = DatabaseKey {
        owner: "Zupper".into(),
        name: "shop".into(),
        domain: None,
    };
    assert!(ok(databases.find(&key).await, "find database").is_some());
}

/// Issue 15 item 7: wrong credentials say which credentials the panel refused, with
/// Hestia's exit code, and never the secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_name_the_access_key_and_the_exit_code() {
    let fx = Fixture::start(KIND).await;
    let wrong = fx.backend_with(fx.wrong_credentials());
    let error = wrong.check_connection().await.expect_err("refused");
    assert_eq!(error.kind, PanelErrorKind::Auth);
    assert_eq!(
        error.message,
        "the panel refused the access key (Hestia exit code 9, E_PASSWORD)"
    );
    assert_eq!(error.panel_code.as_deref(), Some("9"));
    assert!(
        error
            .panel_message
            .as_deref()
            .is_some_and(|m| m.contains("Invalid secret key")),
        "{error:?}"
    );
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("wrongsecret"), "{shown}");
    let users = service::<User>(wrong.as_ref()).unwrap();
    let key = UserKey {
        login: "admin".into(),
    };
    let error = users.find(&key).await.expect_err("refused");
    assert_eq!(
        error.kind,
        PanelErrorKind::Auth,
        "not 'no such user': {error:?}"
    );
}

/// Issue 15 item 5: HestiaCP refuses new objects of a suspended user (401 / 5). The
/// error says the owner is suspended; it does not blame the credentials.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suspended_owner_is_named_as_the_reason() {
    let fx = Fixture::start(KIND).await;
    let mut frozen = user_seed("frozen", &[], &[]);
    frozen["suspended"] = json!(true);
    fx.control.seed(&json!({ "users": [frozen] })).await;
    let panel = fx.backend();
    let owner = ok(
        service::<User>(panel.as_ref())
            .unwrap()
            .get(&Locator::new("frozen"))
            .await,
        "owner",
    )
    .expect("seeded");
    assert!(owner.suspended);

    let spec = fx.domain_spec(&owner, "frozen.example", DomainKind::Main, None);
    let domain_error = service::<Domain>(panel.as_ref())
        .unwrap()
        .create(&spec)
        .await
        .expect_err("refused");
    let spec = fx.database_spec(&owner, None, "cold", Some("coldu"));
    let database_error = service::<Database>(panel.as_ref())
        .unwrap()
        .create(&spec)
        .await
        .expect_err("refused");
    for error in [domain_error, database_error] {
        assert_eq!(
            error.kind,
            PanelErrorKind::InvalidInput { field: None },
            "{error:?}"
        );
        assert!(
            error
                .message
                .contains("the owner \"frozen\" is suspended on the panel"),
            "{error:?}"
        );
        assert!(
            error.message.contains("unsuspend the owner first"),
            "{error:?}"
        );
        assert_eq!(error.panel_code.as_deref(), Some("5"));
        assert!(!error.may_have_taken_effect());
    }
}

// ---- through real Terraform -----------------------------------------------------------

mod terraform {
    use serde_json::json;

    use crate::acceptance::{Backend, Sim};
    use crate::support::terraform::{hcl_string, Outcome};

    const PASSWORD: &str = "Nat1ve-Hestia-Secret!";
    const UNICODE: &str = "bücher.example.com";
    const PUNYCODE: &str = "xn--bcher-kva.example.com";

    /// Terraform's output with its box drawing removed and every run of white space
    /// made one space, so phrases survive its line wrapping.
    fn flat(outcome: &Outcome) -> String {
        outcome
            .output()
            .replace(['│', '╷', '╵'], " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn seed_user(login: &str, domains: &[&str], suspended: bool) -> serde_json::Value {
        json!({
            "user": login, "password": PASSWORD, "email": format!("{}@example.com", login.to_lowercase()),
            "name": format!("Owner {login}"), "suspended": suspended,
            "web_domains": domains.iter().map(|d| json!({"domain": d})).collect::<Vec<_>>(),
        })
    }

    fn domain_block(name: &str, domain: &str, owner: &str) -> String {
        format!(
            "resource \"panel_domain\" \"{name}\" {{\n  name  = {}\n  owner = {}\n}}\n",
            hcl_string(domain),
            hcl_string(owner)
        )
    }

    fn import_block(address: &str, id: &str) -> String {
        format!(
            "import {{\n  to = {address}\n  id = {}\n}}\n",
            hcl_string(id)
        )
    }

    /// Creating the domain again, in `spelling`, is refused as existing, with an import
    /// command that works when run.
    fn apply_finds_it_existing(sim: &Sim, spelling: &str) {
        let tf = sim.terraform();
        tf.write("main.tf", &domain_block("again", spelling, "books"));
        let outcome = tf.try_apply();
        let text = flat(&outcome);
        assert_eq!(outcome.code, 1, "{}", outcome.describe());
        assert!(
            text.contains("Panel Object Already Exists"),
            "{spelling}: {}",
            outcome.describe()
        );
        let suggested = format!("terraform import panel_domain.NAME '{PUNYCODE}'");
        assert!(
            text.contains(&suggested),
            "{spelling}: the error names the import command\n{}",
            outcome.describe()
        );
        tf.import("panel_domain.again", PUNYCODE);
        let state = tf.state_attributes("panel_domain.again");
        assert_eq!(state["owner"], "books", "{state}");
        assert_eq!(state["id"], PUNYCODE, "{state}");
    }

    /// Issue 15 items 9 and 10 end to end: a domain the panel keeps in Unicode imports
    /// with either spelling (CLI and `import {}`), a config with either spelling finds it
    /// as existing, and a user named `Zupper` imports and keeps that name.
    #[test]
    fn imports_of_unicode_domains_and_of_logins_outside_the_rules() {
        let sim = Sim::start(Backend::Hestia);
        sim.seed(&json!({"users": [
            seed_user("Zupper", &["zupper.example"], false),
            seed_user("books", &[UNICODE], false),
        ]}));

        let tf = sim.terraform();
        let config = format!(
            "resource \"panel_user\" \"zupper\" {{\n  login = \"Zupper\"\n  email = \"zupper@example.com\"\n  name  = \"Owner Zupper\"\n}}\n{}\n{}\n{}\n{}",
            import_block("panel_user.zupper", "Zupper"),
            domain_block("zupper", "zupper.example", "Zupper"),
            import_block("panel_domain.zupper", "zupper.example"),
            domain_block("books", UNICODE, "books")
                + &import_block("panel_domain.books", UNICODE),
        );
        tf.write("main.tf", &config);
        let apply = tf.apply();
        assert!(apply.stdout.contains("3 imported"), "{}", apply.describe());
        let user = tf.state_attributes("panel_user.zupper");
        assert_eq!(user["login"], "Zupper", "{user}");
        assert_eq!(user["id"], "Zupper", "{user}");
        let books = tf.state_attributes("panel_domain.books");
        assert_eq!(books["id"], PUNYCODE, "{books}");
        assert_eq!(
            books["name"], UNICODE,
            "the configured spelling is kept: {books}"
        );
        tf.assert_empty_plan("after importing the Unicode domain and Zupper");

        let cli = sim.terraform();
        cli.write("main.tf", &domain_block("books", PUNYCODE, "books"));
        cli.import("panel_domain.books", PUNYCODE);
        cli.assert_empty_plan("after a CLI import in punycode");

        apply_finds_it_existing(&sim, UNICODE);
        apply_finds_it_existing(&sim, PUNYCODE);

        let dump = sim.dump();
        assert_eq!(
            dump["users"]["books"]["web_domains"][0]["domain"], UNICODE,
            "nothing renamed the domain on the panel"
        );
        // The one destroy removes the domain the panel stores in Unicode.
        cli.destroy();
        let dump = sim.dump();
        assert_eq!(dump["users"]["books"]["web_domains"], json!([]), "{dump}");
    }

    /// Issue 15 items 7 and 5 end to end: wrong credentials name the panel, where it
    /// is and which credentials it refused; a suspended owner is named as the reason a
    /// domain or database cannot be added.
    #[test]
    fn refusals_say_what_the_panel_refused() {
        let sim = Sim::start(Backend::Hestia);
        sim.seed(&json!({"users": [seed_user("frozen", &[], true)]}));

        let mut wrong = sim.terraform();
        let secret = "wrongsecret0000000000000000000000000000x";
        wrong.set_env("PANEL_SECRET_KEY", secret);
        wrong.write(
            "main.tf",
            "data \"panel_user\" \"admin\" {\n  login = \"admin\"\n}\n",
        );
        let outcome = wrong.plan();
        let text = flat(&outcome);
        assert_eq!(outcome.code, 1, "{}", outcome.describe());
        for phrase in [
            "Panel Authentication Failed".to_owned(),
            format!("on the `hestia` panel at {}", sim.process.base_url),
            "the panel refused the access key (Hestia exit code 9, E_PASSWORD)".to_owned(),
            "The panel said: [9] Error: Invalid secret key".to_owned(),
        ] {
            assert!(
                text.contains(&phrase),
                "missing {phrase:?}\n{}",
                outcome.describe()
            );
        }
        assert!(!text.contains(secret), "{}", outcome.describe());

        let tf = sim.terraform();
        tf.write(
            "main.tf",
            &format!(
                "{}\nresource \"panel_database\" \"cold\" {{\n  name  = \"cold\"\n  owner = \"frozen\"\n  user  = \"coldu\"\n  password_wo = {}\n}}\n",
                domain_block("frozen", "frozen.example", "frozen"),
                hcl_string(PASSWORD)
            ),
        );
        let before = sim.dump();
        let outcome = tf.try_apply();
        let text = flat(&outcome);
        assert_eq!(outcome.code, 1, "{}", outcome.describe());
        for address in ["panel_domain.frozen", "panel_database.cold"] {
            assert!(
                text.contains(&format!("with {address},")),
                "{}",
                outcome.describe()
            );
        }
        assert_eq!(
            text.matches("the owner \"frozen\" is suspended on the panel")
                .count(),
            2,
            "{}",
            outcome.describe()
        );
        assert!(
            text.contains("unsuspend the owner first"),
            "{}",
            outcome.describe()
        );
        assert!(!text.contains("Authentication"), "{}", outcome.describe());
        assert!(!text.contains("credentials"), "{}", outcome.describe());
        assert_eq!(sim.dump()["users"]["frozen"], before["users"]["frozen"]);
    }
}
