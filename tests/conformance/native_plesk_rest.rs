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
