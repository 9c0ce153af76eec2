//! Plesk XML backend, natively ported: what only this backend promises, checked against
//! the simulator's request counters (`GET /__sim/requests`) and its state dump.
//!
//! - refresh economy (issue 16): one `customer get` with an empty filter serves every
//!   user read; a mixed fleet costs a handful of whole-panel lists, not requests per
//!   owner;
//! - read-backs after a mutation read that one object (filtered by id), never a list;
//! - owner hints, moved objects, `find` and every import format;
//! - `document_root` in both forms (issue 15 item 3) and the system password of a
//!   subscription (issue 15 item 2).

use std::sync::Arc;

use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use terraform_provider_panel::panel::{
    Database, Domain, Locator, Panel, PanelKind, PanelObject, Service, User,
};

use super::{ok, Fixture, Requests, MAX_CONCURRENT, PASSWORD};

const KIND: PanelKind = PanelKind::PleskXml;

/// Issue 16's target: requests per refreshed resource at 1,000 resources.
const MAX_REQUESTS_PER_RESOURCE: f64 = 0.1;

fn users(panel: &dyn Panel) -> &dyn Service<User> {
    panel.users().expect("plesk_xml has users")
}

fn domains(panel: &dyn Panel) -> &dyn Service<Domain> {
    panel.domains().expect("plesk_xml has domains")
}

fn databases(panel: &dyn Panel) -> &dyn Service<Database> {
    panel.databases().expect("plesk_xml has databases")
}

/// One resource a refresh reads: its type and where state says it is.
#[derive(Clone, Debug)]
enum Refreshed {
    User(Locator),
    Domain(Locator),
    Database(Locator),
}

/// Reads every resource concurrently (as Terraform refreshes, in no particular order)
/// through one fresh backend, and checks each is found.
async fn refresh(panel: Arc<dyn Panel>, resources: &[Refreshed]) {
    let outcomes: Vec<(Refreshed, Result<bool, String>)> = stream::iter(resources.iter().cloned())
        .map(|resource| {
            let panel = Arc::clone(&panel);
            async move {
                let found = match &resource {
                    Refreshed::User(at) => users(panel.as_ref()).get(at).await.map(|o| o.is_some()),
                    Refreshed::Domain(at) => {
                        domains(panel.as_ref()).get(at).await.map(|o| o.is_some())
                    }
                    Refreshed::Database(at) => {
                        databases(panel.as_ref()).get(at).await.map(|o| o.is_some())
                    }
                };
                (resource, found.map_err(|e| format!("{e:?}")))
            }
        })
        .buffer_unordered(MAX_CONCURRENT)
        .collect()
        .await;
    for (resource, found) in outcomes {
        match found {
            Ok(true) => {}
            Ok(false) => panic!("{resource:?} was seeded but reads back as gone"),
            Err(e) => panic!("{resource:?}: {e}"),
        }
    }
}

fn login(owner: usize) -> String {
    format!("fleet{owner:04}")
}

/// `owners` customers, each with one subscription holding one database with its user
/// (the "mixed fleet" of issue 16: a user, a domain and a database per owner).
fn fleet_seed(owners: usize, with_sites: bool) -> Value {
    let mut clients = Vec::new();
    let mut domains = Vec::new();
    let mut databases = Vec::new();
    for o in 1..=owners {
        clients.push(json!({"login": login(o), "name": format!("Fleet {o}"),
            "email": format!("{}@example.com", login(o)), "password": PASSWORD}));
        if with_sites {
            domains.push(
                json!({"name": format!("{}.test", login(o)), "owner_login": login(o),
                "ftp_login": format!("f{o:04}"), "ftp_password": PASSWORD}),
            );
            databases.push(
                json!({"name": format!("db{o:04}"), "domain": format!("{}.test", login(o)),
                "type": "mysql", "users": [{"login": format!("u{o:04}"), "password": PASSWORD}]}),
            );
        }
    }
    json!({"clients": clients, "domains": domains, "databases": databases})
}

/// What state would hold for every seeded object: ids with their owner hints, from
/// one backend's lists.
async fn fleet_locators(fx: &Fixture) -> Vec<Refreshed> {
    let lister = fx.backend();
    let seeded_users: Vec<User> = ok(
        users(lister.as_ref()).list(&Default::default()).await,
        "list users",
    )
    .into_iter()
    .filter(|u| u.login.starts_with("fleet"))
    .collect();
    let mut resources: Vec<Refreshed> = seeded_users
        .iter()
        .map(|u| Refreshed::User(u.locator()))
        .collect();
    resources.extend(
        ok(
            domains(lister.as_ref()).list(&Default::default()).await,
            "list domains",
        )
        .into_iter()
        .map(|d| Refreshed::Domain(d.locator())),
    );
    resources.extend(
        ok(
            databases(lister.as_ref()).list(&Default::default()).await,
            "list databases",
        )
        .into_iter()
        .map(|d| Refreshed::Database(d.locator())),
    );
    // Interleave types, as Terraform does.
    resources.sort_by_key(|r| match r {
        Refreshed::User(at) | Refreshed::Domain(at) | Refreshed::Database(at) => {
            at.id.rsplit('/').next().unwrap_or_default().to_owned()
        }
    });
    resources
}

async fn measured_refresh(fx: &Fixture, resources: &[Refreshed], label: &str) -> Requests {
    fx.control.clear_requests().await;
    refresh(fx.backend(), resources).await;
    let counted = fx.control.requests().await;
    println!(
        "plesk_xml refresh of {label}: {} resources -> {} requests ({:.4} per resource) {:?}",
        resources.len(),
        counted.total,
        counted.total as f64 / resources.len() as f64,
        counted.routes
    );
    counted
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_alone_are_read_with_one_customer_list() {
    let fx = Fixture::start(KIND).await;
    fx.control.seed(&fleet_seed(1000, false)).await;
    let resources = fleet_locators(&fx).await;
    assert_eq!(resources.len(), 1000);
    let counted = measured_refresh(&fx, &resources, "1,000 users").await;
    assert_eq!(
        counted.route("xml customer.get"),
        1,
        "one customer list serves every user read: {:?}",
        counted.routes
    );
    assert_eq!(counted.total, 1, "{:?}", counted.routes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mixed_fleet_costs_at_most_a_tenth_of_a_request_per_resource() {
    let fx = Fixture::start(KIND).await;
    fx.control.seed(&fleet_seed(333, true)).await;
    let resources = fleet_locators(&fx).await;
    assert_eq!(resources.len(), 999);
    let counted = measured_refresh(&fx, &resources, "a mixed fleet").await;
    let per_resource = counted.total as f64 / resources.len() as f64;
    assert!(
        per_resource <= MAX_REQUESTS_PER_RESOURCE,
        "{} requests for {} resources ({per_resource:.3} each): {:?}",
        counted.total,
        resources.len(),
        counted.routes
    );
}
