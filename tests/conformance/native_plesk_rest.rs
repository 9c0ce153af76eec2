//! The native Plesk REST v2 backend (issue 16): refreshes served by whole-panel lists
//! shared by every resource of the run, read-backs of the one object, cheap natural-key
//! lookups, every documented import form, and the subscription's system (FTP) user
//! password set in place (issue 15 item 2). Requests are counted by the simulator
//! (`GET /__sim/requests`, route `METHOD /path`).

use std::sync::Arc;

use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use terraform_provider_panel::panel::names::DomainName;
use terraform_provider_panel::panel::{
    Database, DatabaseKey, Domain, DomainKey, DomainKind, DomainPatch, ListFilter, Locator, Panel,
    PanelKind, PanelObject, Secret, Service, User, UserKey,
};

use super::{ok, Calls, Fixture, Requests, PASSWORD};

const KIND: PanelKind = PanelKind::PleskRest;
/// Terraform's default `-parallelism`.
const PARALLELISM: usize = 10;

fn service<O: PanelObject>(panel: &dyn Panel) -> &dyn Service<O> {
    O::service(panel).unwrap_or_else(|| panic!("plesk_rest has no {} service", O::NOUN))
}

fn show(label: &str, resources: usize, counted: &Requests) -> f64 {
    let per_resource = counted.total as f64 / resources as f64;
    println!(
        "plesk_rest economy: {label}: {resources} resources -> {} requests ({per_resource:.3} per \
         resource) {:?}",
        counted.total, counted.routes
    );
    per_resource
}

/// One resource as state knows it: what `get` is given on refresh.
#[derive(Clone, Debug)]
enum Refreshed {
    User(Locator),
    Domain(Locator),
    Database(Locator),
}

/// Refreshes every resource concurrently (Terraform's default parallelism), each with
/// the locator state would give it (id plus owner), and checks each one is found.
async fn refresh(panel: Arc<dyn Panel>, resources: &[Refreshed]) {
    let outcomes: Vec<(Refreshed, Result<bool, String>)> = stream::iter(resources.iter().cloned())
        .map(|resource| {
            let panel = Arc::clone(&panel);
            async move {
                let found = match &resource {
                    Refreshed::User(at) => service::<User>(panel.as_ref())
                        .get(at)
                        .await
                        .map(|o| o.is_some()),
                    Refreshed::Domain(at) => service::<Domain>(panel.as_ref())
                        .get(at)
                        .await
                        .map(|o| o.is_some()),
                    Refreshed::Database(at) => service::<Database>(panel.as_ref())
                        .get(at)
                        .await
                        .map(|o| o.is_some()),
                };
                (resource, found.map_err(|e| format!("{e:?}")))
            }
        })
        .buffer_unordered(PARALLELISM)
        .collect()
        .await;
    for (resource, found) in outcomes {
        match found {
            Ok(true) => {}
            Ok(false) => panic!("{resource:?} was seeded but reads as gone"),
            Err(e) => panic!("{resource:?}: {e}"),
        }
    }
}

fn login(owner: usize) -> String {
    format!("eco{owner:04}")
}

/// `owners` customers; with `fleet`, each also has one subscription, three addon
/// domains and four databases (each with its user) on the subscription: 9 resources
/// per owner.
fn seed(owners: usize, fleet: bool) -> Value {
    let mut clients = Vec::new();
    let mut domains = Vec::new();
    let mut databases = Vec::new();
    for o in 1..=owners {
        clients.push(json!({"login": login(o), "name": format!("Eco Owner {o}"),
            "email": format!("{}@example.com", login(o)), "password": PASSWORD}));
        if !fleet {
            continue;
        }
        let main = format!("{}.test", login(o));
        domains.push(
            json!({"name": main, "kind": "subscription", "owner_login": login(o),
            "ftp_login": format!("{}f", login(o)), "ftp_password": PASSWORD}),
        );
        for d in 1..=3 {
            domains.push(
                json!({"name": format!("{}-addon{d}.test", login(o)), "kind": "addon",
                "owner_login": login(o), "parent": main}),
            );
        }
        for d in 1..=4 {
            databases.push(json!({"name": format!("{}db{d}", login(o)), "domain": main,
                "type": "mysql",
                "users": [{"login": format!("{}u{d}", login(o)), "password": PASSWORD}]}));
        }
    }
    json!({"clients": clients, "domains": domains, "databases": databases})
}

/// What state would hold after importing everything seeded: listed by one backend.
async fn seeded_resources(fx: &Fixture) -> Vec<Refreshed> {
    let lister = fx.backend();
    let seeded = |text: &str| text.starts_with("eco");
    let users: Vec<User> = ok(lister.list_users().await, "list_users")
        .into_iter()
        .filter(|u| seeded(&u.login))
        .collect();
    let domains = ok(
        lister.list_domains(&ListFilter::default()).await,
        "list_domains",
    );
    let databases = ok(
        lister.list_databases(&ListFilter::default()).await,
        "list_databases",
    );
    let mut all: Vec<Refreshed> = Vec::new();
    all.extend(users.iter().map(|u| Refreshed::User(u.locator())));
    all.extend(
        domains
            .iter()
            .filter(|d| seeded(&d.name))
            .map(|d| Refreshed::Domain(d.locator())),
    );
    all.extend(
        databases
            .iter()
            .filter(|d| seeded(&d.name))
            .map(|d| Refreshed::Database(d.locator())),
    );
    // Interleave types, as Terraform refreshes resources in no particular order.
    all.sort_by_key(|r| match r {
        Refreshed::User(at) | Refreshed::Domain(at) | Refreshed::Database(at) => {
            format!("{}{}", at.owner.clone().unwrap_or_default(), at.id)
        }
    });
    all
}

/// Issue 16: refreshing 1,000 customers costs at most 0.1 requests per resource (one
/// `GET /clients` serves them all).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshing_1000_users_lists_the_clients_once() {
    let fx = Fixture::start(KIND).await;
    fx.control.seed(&seed(1000, false)).await;
    let resources = seeded_resources(&fx).await;
    assert_eq!(resources.len(), 1000);
    fx.control.clear_requests().await;
    refresh(fx.backend(), &resources).await;
    let counted = fx.control.requests().await;
    let per_resource = show("users", resources.len(), &counted);
    assert!(
        per_resource <= 0.1,
        "{} requests for {} users: {:?}",
        counted.total,
        resources.len(),
        counted.routes
    );
}

/// Issue 16: a mixed fleet of 999 resources (111 customers, each with a subscription,
/// three addon domains and four databases with users) refreshes in at most 0.1
/// requests per resource: one list each of clients, domains, databases and database
/// users.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshing_a_mixed_fleet_of_999_costs_whole_panel_lists_only() {
    let fx = Fixture::start(KIND).await;
    fx.control.seed(&seed(111, true)).await;
    let resources = seeded_resources(&fx).await;
    assert_eq!(resources.len(), 999, "seeded resources listed");
    fx.control.clear_requests().await;
    refresh(fx.backend(), &resources).await;
    let counted = fx.control.requests().await;
    let per_resource = show("mixed fleet", resources.len(), &counted);
    assert!(
        per_resource <= 0.1,
        "{} requests for {} resources: {:?}",
        counted.total,
        resources.len(),
        counted.routes
    );
}

/// The routes counted since the last clear, as `(route, count)` pairs, zero counts left out.
async fn routes(fx: &Fixture) -> Vec<(String, u64)> {
    fx.control
        .requests()
        .await
        .routes
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn expect(routes: &[(&str, u64)]) -> Vec<(String, u64)> {
    routes.iter().map(|(r, n)| ((*r).to_owned(), *n)).collect()
}

/// A customer with a subscription, an addon domain, and a database with a user on the
/// subscription, created through the backend.
async fn small_fleet(fx: &Fixture, tag: &str) -> (User, Domain, Domain, Database) {
    let owner = fx.create_owner(tag).await;
    let site = fx.create_site(&owner, &format!("{tag}-main.test")).await;
    let addon_spec = fx.domain_spec(
        &owner,
        &format!("{tag}-addon.test"),
        DomainKind::Addon,
        Some(&site.name),
    );
    let addon = ok(fx.panel.create_domain(&addon_spec).await, "create addon");
    let db_spec = fx.database_spec(&owner, Some(&site), &format!("{tag}db"), Some("dbu"));
    let db_spec = terraform_provider_panel::panel::DatabaseSpec {
        user: Some(format!("{tag}u")),
        ..db_spec
    };
    let database = ok(fx.panel.create_database(&db_spec).await, "create database");
    (owner, site, addon, database)
}

/// Read-backs after a change read the one object, never a whole-panel list (issue 16).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_backs_read_the_one_object() {
    let fx = Fixture::start(KIND).await;
    let (owner, site, addon, database) = small_fleet(&fx, "rb").await;
    let panel = fx.backend();

    fx.control.clear_requests().await;
    let user = ok(
        service::<User>(panel.as_ref())
            .read_back(&owner.locator())
            .await,
        "user read-back",
    );
    assert_eq!(user.as_ref(), Some(&owner));
    assert_eq!(
        routes(&fx).await,
        expect(&[("GET /api/v2/clients/{id}", 1)])
    );

    fx.control.clear_requests().await;
    let main = ok(
        service::<Domain>(panel.as_ref())
            .read_back(&site.locator())
            .await,
        "subscription read-back",
    );
    assert_eq!(main.as_ref(), Some(&site));
    assert_eq!(
        routes(&fx).await,
        expect(&[("GET /api/v2/domains/{id}", 1)])
    );

    // An addon domain's kind and parent are told only by its owner's other domains.
    fx.control.clear_requests().await;
    let read = ok(
        service::<Domain>(panel.as_ref())
            .read_back(&addon.locator())
            .await,
        "addon read-back",
    );
    assert_eq!(read.as_ref(), Some(&addon));
    assert_eq!(
        routes(&fx).await,
        expect(&[
            ("GET /api/v2/clients/{id}/domains", 1),
            ("GET /api/v2/domains/{id}", 1)
        ])
    );

    // No GET /databases/{id} in the spec: the domain's databases and the database's users.
    fx.control.clear_requests().await;
    let read = ok(
        service::<Database>(panel.as_ref())
            .read_back(&database.locator())
            .await,
        "database read-back",
    );
    assert_eq!(read.as_ref(), Some(&database));
    assert!(database.user.is_some(), "{database:?}");
    assert_eq!(
        routes(&fx).await,
        expect(&[("GET /api/v2/databases", 1), ("GET /api/v2/dbusers", 1)])
    );
}

/// An apply creating many users looks each login up first: the customer list is
/// loaded once and then patched by every create, not loaded again after each one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_of_many_users_lists_the_customers_once() {
    let fx = Fixture::start(KIND).await;
    let panel = fx.backend();
    let users = service::<User>(panel.as_ref());
    fx.control.clear_requests().await;
    let specs: Vec<_> = (0..30).map(|n| fx.user_spec(&format!("many{n}"))).collect();
    let created: Vec<User> = stream::iter(specs.iter())
        .map(|spec| async move {
            let key = UserKey {
                login: spec.login.clone(),
            };
            assert_eq!(ok(users.find(&key).await, "find before create"), None);
            let created = ok(users.create(spec).await, "create");
            ok(users.read_back(&created.locator()).await, "read back").expect("created")
        })
        .buffer_unordered(PARALLELISM)
        .collect()
        .await;
    let counted = fx.control.requests().await;
    assert_eq!(
        counted.route("GET /api/v2/clients"),
        1,
        "the customer list was loaded again during the apply: {counted:?}"
    );
    assert_eq!(counted.route("POST /api/v2/clients"), 30);
    // The patched list knows the new customers: creating one again is refused before
    // anything is sent.
    let again = ok(
        users
            .find(&UserKey {
                login: created[7].login.clone(),
            })
            .await,
        "find a created login",
    );
    assert_eq!(again.map(|u| u.id), Some(created[7].id.clone()));
}

/// A create whose answer is lost drops the shared list, so the lookups that settle the
/// outcome see what the panel committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_create_answer_is_seen_by_the_next_lookup() {
    let fx = Fixture::start(KIND).await;
    let users = service::<User>(fx.panel.as_ref());
    let spec = fx.user_spec("lost");
    let key = UserKey {
        login: spec.login.clone(),
    };
    assert_eq!(ok(users.find(&key).await, "find before"), None);
    fx.control
        .faults(json!({"drop_after_commit_next": 1}))
        .await;
    assert!(users.create(&spec).await.is_err(), "the answer was lost");
    let found = ok(users.find(&key).await, "find after the lost answer");
    assert_eq!(found.map(|u| u.login), Some(spec.login));
}

/// `find` by domain name uses the API's filter, and with an owner only that owner's
/// domain counts: another customer's is never taken for ours.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn domain_lookup_filters_by_name_and_keeps_to_the_owner() {
    let fx = Fixture::start(KIND).await;
    let owner = fx.create_owner("fa").await;
    let other = fx.create_owner("fb").await;
    let site = fx.create_site(&owner, "find-me.test").await;
    let domains = service::<Domain>(fx.panel.as_ref());
    let key = |name: &str, owner: Option<&User>| DomainKey {
        name: DomainName::lenient(name),
        owner: owner.map(|o| o.id.clone()),
    };

    fx.control.clear_requests().await;
    assert_eq!(
        ok(
            domains.find(&key("absent.test", Some(&owner))).await,
            "absent"
        ),
        None
    );
    assert_eq!(routes(&fx).await, expect(&[("GET /api/v2/domains", 1)]));

    let mine = ok(
        domains.find(&key("FIND-me.test", Some(&owner))).await,
        "mine",
    );
    assert_eq!(mine.as_ref(), Some(&site));
    let theirs = ok(
        domains.find(&key("find-me.test", Some(&other))).await,
        "theirs",
    );
    assert_eq!(theirs, None, "another owner's domain is not this owner's");
    let anywhere = ok(domains.find(&key("find-me.test", None)).await, "anywhere");
    assert_eq!(anywhere.map(|d| d.owner), Some(owner.id.clone()));
}

/// A refresh uses the owner state knows: a bare domain id with the owner's id needs no
/// owner lookup; without it, one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_of_a_bare_domain_id_uses_the_owner_hint() {
    let fx = Fixture::start(KIND).await;
    let owner = fx.create_owner("hint").await;
    let site = fx.create_site(&owner, "hint.test").await;
    let bare = site
        .id
        .split_once('/')
        .expect("CLIENT/DOMAIN id")
        .1
        .to_owned();
    let at = Locator::new(bare);

    fx.control.clear_requests().await;
    let panel = fx.backend();
    let hinted = service::<Domain>(panel.as_ref())
        .get(&at.clone().with_owner(Some(&owner.id)))
        .await;
    assert_eq!(ok(hinted, "hinted").as_ref(), Some(&site));
    assert_eq!(routes(&fx).await, expect(&[("GET /api/v2/domains", 1)]));

    fx.control.clear_requests().await;
    let panel = fx.backend();
    let unhinted = service::<Domain>(panel.as_ref()).get(&at).await;
    assert_eq!(ok(unhinted, "without owner").as_ref(), Some(&site));
    assert_eq!(
        routes(&fx).await,
        expect(&[
            ("GET /api/v2/domains", 1),
            ("GET /api/v2/domains/{id}/client", 1)
        ])
    );
}

/// Every import form the docs promise, and the id each "already exists" diagnostic
/// suggests (`import_id`), import the object.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_import_form_imports() {
    let fx = Fixture::start(KIND).await;
    let (owner, site, addon, database) = small_fleet(&fx, "imp").await;
    let panel = fx.backend();
    let users = service::<User>(panel.as_ref());
    let domains = service::<Domain>(panel.as_ref());
    let databases = service::<Database>(panel.as_ref());

    for id in [
        owner.login.clone(),
        owner.id.clone(),
        users.import_id(&owner),
    ] {
        assert_eq!(
            ok(users.import(&id).await, &id),
            Some(owner.clone()),
            "{id}"
        );
    }
    let bare_addon = addon.id.split_once('/').expect("id").1.to_owned();
    for id in [
        addon.name.clone(),
        addon.name.to_uppercase(),
        addon.id.clone(),
        bare_addon,
        domains.import_id(&addon),
    ] {
        assert_eq!(
            ok(domains.import(&id).await, &id),
            Some(addon.clone()),
            "{id}"
        );
    }
    assert_eq!(
        ok(domains.import(&site.name).await, "main").as_ref(),
        Some(&site)
    );
    for id in [
        format!("{}/{}", site.name, database.name),
        format!("{}/{}", owner.login, database.name),
        database.id.clone(),
        databases.import_id(&database),
    ] {
        assert_eq!(
            ok(databases.import(&id).await, &id),
            Some(database.clone()),
            "{id}"
        );
    }
    for missing in ["nobody", "999999"] {
        assert_eq!(ok(users.import(missing).await, missing), None);
    }
    assert_eq!(ok(domains.import("absent.test").await, "absent"), None);
    assert_eq!(
        ok(
            databases.import(&format!("{}/absentdb", site.name)).await,
            "absent db"
        ),
        None
    );
}

/// Issue 15 item 2 (backend side): the subscription's system (FTP) user password is set
/// in place through `PUT /domains/{id}` (`hosting_settings.ftp_password`), without
/// touching its login.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_system_user_password_is_changed_in_place() {
    let fx = Fixture::start(KIND).await;
    let owner = fx.create_owner("ftp").await;
    let site = fx.create_site(&owner, "ftp-pass.test").await;
    let domain_id = site.id.split_once('/').expect("id").1.to_owned();
    let system_user = |dump: &Value| {
        let domain = &dump["domains"][&domain_id];
        (
            domain["ftp_login"].as_str().map(str::to_owned),
            domain["ftp_password_hash"].as_str().map(str::to_owned),
        )
    };
    let (login_before, hash_before) = system_user(&fx.control.state().await);
    assert!(login_before.is_some() && hash_before.is_some());

    fx.control.clear_requests().await;
    let patch = DomainPatch {
        system_password: Some(Secret::new("Other-Ftp-Passw0rd!")),
        ..DomainPatch::default()
    };
    let updated = ok(
        service::<Domain>(fx.panel.as_ref())
            .update(&site.locator(), &patch)
            .await,
        "update system password",
    );
    assert_eq!(updated, site, "a password change alters nothing visible");
    assert_eq!(
        fx.control
            .requests()
            .await
            .route("PUT /api/v2/domains/{id}"),
        1
    );
    let (login_after, hash_after) = system_user(&fx.control.state().await);
    assert_eq!(login_after, login_before, "the login is kept");
    assert_ne!(
        hash_after, hash_before,
        "the panel's password did not change"
    );

    // A site has no system user of its own.
    let addon_spec = fx.domain_spec(
        &owner,
        "ftp-addon.test",
        DomainKind::Addon,
        Some(&site.name),
    );
    let addon = ok(fx.panel.create_domain(&addon_spec).await, "addon");
    super::assert_invalid(
        service::<Domain>(fx.panel.as_ref())
            .update(&addon.locator(), &patch)
            .await,
        "system_password",
        "system password of an addon domain",
    );
}

/// Database lookups by owner and name: with the domain (a resource's create), that
/// domain's databases; without (a data source), the shared lists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_lookup_by_owner_and_name() {
    let fx = Fixture::start(KIND).await;
    let (owner, site, _, database) = small_fleet(&fx, "dbf").await;
    let other = fx.create_owner("dbo").await;
    let databases = service::<Database>(fx.panel.as_ref());
    let key = |owner: &User, name: &str, domain: Option<&str>| DatabaseKey {
        owner: owner.id.clone(),
        name: name.to_owned(),
        domain: domain.map(str::to_owned),
    };
    let upper = database.name.to_uppercase();
    for (lookup, what) in [
        (key(&owner, &database.name, Some(&site.name)), "with domain"),
        (key(&owner, &upper, Some(&site.name)), "other case"),
        (key(&owner, &database.name, None), "without domain"),
    ] {
        assert_eq!(
            ok(databases.find(&lookup).await, what).as_ref(),
            Some(&database),
            "{what}"
        );
    }
    assert_eq!(
        ok(
            databases
                .find(&key(&other, &database.name, Some(&site.name)))
                .await,
            "another owner"
        ),
        None,
        "a database on another customer's domain is not this owner's"
    );
    assert_eq!(
        ok(
            databases
                .find(&key(&owner, "absentdb", Some(&site.name)))
                .await,
            "absent"
        ),
        None
    );
}
