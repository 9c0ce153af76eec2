//! Request economy: what a `terraform refresh` of many resources costs on each panel.
//!
//! 20 owners with 5 domains and 5 databases each (220 resources) are seeded straight
//! into the simulator; their ids come from one backend's list calls. Then FRESH backend
//! instances (as a new provider process has) read every object concurrently, once per
//! object type and once all together, and the simulator's request counters must show:
//! - at most one request per resource, for each type and in total;
//! - on panels that can only list (Hestia, PanelAlpha), each list a read needs is
//!   fetched once per owner: a type's refresh costs at most
//!   `owners * lists_per_owner + LIST_OVERHEAD` requests.

use std::sync::Arc;

use futures::stream::{self, StreamExt};
use terraform_provider_panel::panel::{ListFilter, Panel, PanelKind};

use super::{ok, Calls, Fixture, Requests, MAX_CONCURRENT};

const OWNERS: usize = 20;
const PER_OWNER: usize = 5;
/// Requests allowed beyond the per-owner lists (e.g. one list of all users to find
/// owners, or PanelAlpha's one list of every user's services).
const LIST_OVERHEAD: u64 = 3;

/// How many per-owner requests a refresh of `read` needs on a list-only panel, `None`
/// where only the one-request-per-resource bound applies. Each is a different list the
/// API makes necessary, fetched once per owner however many objects the owner has.
fn lists_per_owner(kind: PanelKind, read: Read) -> Option<u64> {
    match (kind, read) {
        // v-list-users (once for all), v-list-web-domains USER, v-list-databases USER.
        (PanelKind::Hestia, _) => Some(1),
        // One list of all users and one of all services, whatever the owner count.
        (PanelKind::PanelAlpha, Read::User) => Some(0),
        // The account's domain list (it marks the main domain).
        (PanelKind::PanelAlpha, Read::Domain) => Some(1),
        // The account's databases, its MySQL users (the only place a database's user
        // shows) and the user's accounts (the database's domain).
        (PanelKind::PanelAlpha, Read::Database) => Some(3),
        (PanelKind::PleskRest | PanelKind::PleskXml, _) => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Read {
    User,
    Domain,
    Database,
}

/// Reads every `(type, id)` concurrently, at most MAX_CONCURRENT at a time, and checks
/// each object is found.
async fn refresh(panel: Arc<dyn Panel>, ids: &[(Read, String)]) {
    let outcomes: Vec<(Read, String, Result<bool, String>)> = stream::iter(ids.iter().cloned())
        .map(|(read, id)| {
            let panel = Arc::clone(&panel);
            async move {
                let found = match read {
                    Read::User => panel.get_user(&id).await.map(|o| o.is_some()),
                    Read::Domain => panel.get_domain(&id).await.map(|o| o.is_some()),
                    Read::Database => panel.get_database(&id).await.map(|o| o.is_some()),
                };
                (read, id, found.map_err(|e| format!("{e:?}")))
            }
        })
        .buffer_unordered(MAX_CONCURRENT)
        .collect()
        .await;
    for (read, id, found) in outcomes {
        match found {
            Ok(true) => {}
            Ok(false) => panic!("{read:?} {id} was seeded but reads back as gone"),
            Err(e) => panic!("{read:?} {id}: {e}"),
        }
    }
}

fn show(label: &str, kind: PanelKind, objects: usize, counted: &Requests) {
    println!(
        "economy {}: {label}: {objects} objects -> {} requests {:?}",
        kind.as_str(),
        counted.total,
        counted.routes
    );
}

pub async fn refresh_economy(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    fx.control.seed(&fx.economy_seed(OWNERS, PER_OWNER)).await;

    // Only the seeded objects: a panel may list its own admin account too.
    let seeded = |text: &str| text.contains("eco");
    let lister = fx.backend();
    let users: Vec<_> = ok(lister.list_users().await, "list_users")
        .into_iter()
        .filter(|u| seeded(&u.email))
        .collect();
    let domains: Vec<_> = ok(
        lister.list_domains(&ListFilter::default()).await,
        "list_domains",
    )
    .into_iter()
    .filter(|d| seeded(&d.name))
    .collect();
    let databases: Vec<_> = ok(
        lister.list_databases(&ListFilter::default()).await,
        "list_databases",
    )
    .into_iter()
    .filter(|d| users.iter().any(|u| u.id == d.owner))
    .collect();
    assert_eq!(users.len(), OWNERS, "seeded users listed: {users:?}");
    assert_eq!(
        domains.len(),
        OWNERS * PER_OWNER,
        "seeded domains listed: {domains:?}"
    );
    assert_eq!(
        databases.len(),
        OWNERS * PER_OWNER,
        "seeded databases listed: {databases:?}"
    );
    let user_ids: Vec<(Read, String)> = users.iter().map(|u| (Read::User, u.id.clone())).collect();
    let domain_ids: Vec<(Read, String)> = domains
        .iter()
        .map(|d| (Read::Domain, d.id.clone()))
        .collect();
    let database_ids: Vec<(Read, String)> = databases
        .iter()
        .map(|d| (Read::Database, d.id.clone()))
        .collect();

    let mut failures = Vec::new();
    for (label, read, ids) in [
        ("users", Read::User, &user_ids),
        ("domains", Read::Domain, &domain_ids),
        ("databases", Read::Database, &database_ids),
    ] {
        fx.control.clear_requests().await;
        refresh(fx.backend(), ids).await;
        let counted = fx.control.requests().await;
        show(label, kind, ids.len(), &counted);
        if counted.total > ids.len() as u64 {
            failures.push(format!(
                "{label}: {} requests for {} objects (more than one per resource): {:?}",
                counted.total,
                ids.len(),
                counted.routes
            ));
        }
        if let Some(lists) = lists_per_owner(kind, read) {
            let owner_bound = OWNERS as u64 * lists + LIST_OVERHEAD;
            if counted.total > owner_bound {
                failures.push(format!(
                    "{label}: {} requests, more than {lists} list(s) per owner ({OWNERS} owners + {LIST_OVERHEAD}): {:?}",
                    counted.total, counted.routes
                ));
            }
        }
    }

    let mut everything = Vec::new();
    everything.extend(user_ids.iter().cloned());
    everything.extend(domain_ids.iter().cloned());
    everything.extend(database_ids.iter().cloned());
    // Interleave types, as Terraform refreshes resources in no particular order.
    everything.sort_by(|a, b| a.1.cmp(&b.1));
    fx.control.clear_requests().await;
    refresh(fx.backend(), &everything).await;
    let counted = fx.control.requests().await;
    show("all resources together", kind, everything.len(), &counted);
    if counted.total > everything.len() as u64 {
        failures.push(format!(
            "all: {} requests for {} resources: {:?}",
            counted.total,
            everything.len(),
            counted.routes
        ));
    }
    assert!(
        failures.is_empty(),
        "{} request economy:\n{}",
        kind.as_str(),
        failures.join("\n")
    );
}
