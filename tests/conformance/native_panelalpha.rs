//! PanelAlpha on its native services, against `panel-sim panelalpha`: what the port
//! promises beyond the shared cases. Request counts come from the simulator
//! (`GET /__sim/requests`), panel-side facts from its state dump.
//!
//! - Request economy: plan users are created and read back without listing every
//!   user or service (issue 16: the apply used to re-list all services after each),
//!   and a refresh at 1,000+ resources costs what the API makes necessary: one list of
//!   users and one of services for the run, and one list per hosting account and kind.
//! - Archived users (issue 9): a user archived on the panel (its UI only archives) is
//!   still found, is never purged by a create or import, is reported with the fix, and
//!   a delete of it purges it.
//! - A database deleted on the panel leaves its MySQL user behind (issue 9): re-creating
//!   it names that user and the call that removes it; nothing is orphaned.
//! - Database import ids (issue 15 item 4): the name as configured and as stored, and
//!   the id the "already exists" diagnostic suggests, all import.
//! - Addon domains and subdomains without `parent` (issue 15 item 1).
//! - Through real terraform: the leftover MySQL user, an archived user in a
//!   configuration, and running the import command a diagnostic suggests.

use std::sync::Arc;

use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use terraform_provider_panel::panel::names::DomainName;
use terraform_provider_panel::panel::{
    Database, DatabaseKey, Domain, DomainKey, DomainKind, Locator, Panel, PanelErrorKind,
    PanelKind, PanelObject, Service, User, UserKey, UserPatch,
};

use super::{ok, Calls, Fixture, MAX_CONCURRENT, PASSWORD};

const KIND: PanelKind = PanelKind::PanelAlpha;

fn users(panel: &Arc<dyn Panel>) -> &dyn Service<User> {
    panel.users().expect("panelalpha has users")
}

fn domains(panel: &Arc<dyn Panel>) -> &dyn Service<Domain> {
    panel.domains().expect("panelalpha has domains")
}

fn databases(panel: &Arc<dyn Panel>) -> &dyn Service<Database> {
    panel.databases().expect("panelalpha has databases")
}

/// The simulated panel's own API, as a person at the panel (or its UI) would use it.
struct PanelApi {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl PanelApi {
    fn new(fx: &Fixture) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: fx.sim.base_url.clone(),
            token: fx.sim.credentials["token"]
                .as_str()
                .expect("a token in the ready line")
                .to_owned(),
        }
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        as_user: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{}/api/{path}", self.base))
            .bearer_auth(&self.token)
            .header("Accept", "application/json");
        if let Some(user) = as_user {
            request = request.header("X-PanelAlpha-User", user);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the simulator answers");
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }
}

/// `userId/accountId/name` → (user, account).
fn user_and_account(id: &str) -> (String, String) {
    let mut parts = id.split('/');
    (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    )
}

// ---- request economy ------------------------------------------------------------------

/// What an apply does for each user: look the email up, create, read back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_users_are_created_without_listing_every_user_or_service() {
    let fx = Fixture::start(KIND).await;
    // Others on the panel, so a list would be visible in its cost.
    fx.control.seed(&fx.economy_seed(20, 1)).await;
    let backend = fx.backend();
    fx.control.clear_requests().await;
    const NEW: usize = 12;
    for n in 0..NEW {
        let spec = fx.user_spec(&format!("apply{n}"));
        let key = UserKey {
            login: spec.email.clone(),
        };
        assert_eq!(ok(users(&backend).find(&key).await, "find"), None);
        let created = ok(users(&backend).create(&spec).await, "create");
        let read = ok(
            users(&backend).read_back(&created.locator()).await,
            "read back",
        );
        assert_eq!(read.as_ref(), Some(&created), "read-back of {n}");
        assert_eq!(created.plan, fx.plan());
    }
    let counted = fx.control.requests().await;
    println!(
        "panelalpha apply of {NEW} plan users: {} requests {:?}",
        counted.total, counted.routes
    );
    for list in ["GET /api/admin/services", "GET /api/admin/users"] {
        assert_eq!(
            counted.route(list),
            0,
            "{list} during an apply: {counted:?}"
        );
    }
    // Per user: email lookup, create, service, the user and their services; once: the
    // plans and the archived users (to tell "free" from "archived").
    assert!(
        counted.total <= 5 * NEW as u64 + 2,
        "{} requests for {NEW} users: {counted:?}",
        counted.total
    );
}

async fn refresh(panel: Arc<dyn Panel>, ids: &[(char, String)]) {
    let outcomes: Vec<(String, bool)> = stream::iter(ids.iter().cloned())
        .map(|(kind, id)| {
            let panel = Arc::clone(&panel);
            async move {
                let found = match kind {
                    'u' => panel.get_user(&id).await.map(|o| o.is_some()),
                    'd' => panel.get_domain(&id).await.map(|o| o.is_some()),
                    _ => panel.get_database(&id).await.map(|o| o.is_some()),
                };
                (id, found.unwrap_or_else(|e| panic!("{kind} read: {e:?}")))
            }
        })
        .buffer_unordered(MAX_CONCURRENT)
        .collect()
        .await;
    for (id, found) in outcomes {
        assert!(found, "{id} was seeded but reads as gone");
    }
}

/// Refreshing 1,100 resources (100 users, each with 5 domains and 5 databases in one
/// hosting account), then 1,000 users alone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_at_a_thousand_resources_costs_lists_not_objects() {
    let fx = Fixture::start(KIND).await;
    const OWNERS: usize = 100;
    fx.control.seed(&fx.economy_seed(OWNERS, 5)).await;
    let lister = fx.backend();
    let mut ids: Vec<(char, String)> = Vec::new();
    for user in ok(lister.list_users().await, "list users") {
        ids.push(('u', user.id));
    }
    for domain in ok(
        lister.list_domains(&Default::default()).await,
        "list domains",
    ) {
        ids.push(('d', domain.id));
    }
    for db in ok(
        lister.list_databases(&Default::default()).await,
        "list databases",
    ) {
        ids.push(('b', db.id));
    }
    assert_eq!(ids.len(), OWNERS * 11, "seeded objects listed");
    ids.sort_by(|a, b| a.1.cmp(&b.1));
    fx.control.clear_requests().await;
    refresh(fx.backend(), &ids).await;
    let counted = fx.control.requests().await;
    let per_resource = counted.total as f64 / ids.len() as f64;
    println!(
        "panelalpha refresh of {} resources in {OWNERS} hosting accounts: {} requests \
         ({per_resource:.3} per resource) {:?}",
        ids.len(),
        counted.total,
        counted.routes
    );
    // The API lists domains, databases and MySQL users per hosting account only.
    assert!(
        counted.total <= 3 * OWNERS as u64 + 2,
        "{} requests: {counted:?}",
        counted.total
    );
    for global in ["GET /api/admin/services", "GET /api/admin/users"] {
        assert_eq!(counted.route(global), 1, "{global}: {counted:?}");
    }

    // 1,000 users with plans: two lists in all.
    let fx = Fixture::start(KIND).await;
    fx.control.seed(&fx.economy_seed(1000, 1)).await;
    let users: Vec<(char, String)> = ok(fx.backend().list_users().await, "list users")
        .into_iter()
        .map(|u| ('u', u.id))
        .collect();
    assert_eq!(users.len(), 1000);
    fx.control.clear_requests().await;
    refresh(fx.backend(), &users).await;
    let counted = fx.control.requests().await;
    println!(
        "panelalpha refresh of 1000 users: {} requests ({:.3} per resource) {:?}",
        counted.total,
        counted.total as f64 / 1000.0,
        counted.routes
    );
    assert!(counted.total <= 2, "{counted:?}");
}

// ---- archived users --------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_archived_on_the_panel_is_found_reported_and_purged_only_by_a_delete() {
    let fx = Fixture::start(KIND).await;
    let api = PanelApi::new(&fx);
    let spec = fx.user_spec("arch");
    let created = fx.create_owner("arch").await;
    // PanelAlpha's UI "deletes" a user by archiving it.
    api.call(
        reqwest::Method::DELETE,
        &format!("admin/users/{}", created.id),
        None,
        None,
    )
    .await;

    let fresh = fx.backend();
    let read = ok(users(&fresh).get(&created.locator()).await, "refresh")
        .expect("an archived user is still found");
    assert!(read.suspended && read.plan.is_none(), "{read:?}");
    let key = UserKey {
        login: spec.email.clone(),
    };
    for (what, error) in [
        ("find", users(&fresh).find(&key).await.map(drop)),
        ("create", users(&fx.backend()).create(&spec).await.map(drop)),
        (
            "import by email",
            users(&fresh).import(&spec.email).await.map(drop),
        ),
        (
            "import by id",
            users(&fresh).import(&created.id).await.map(drop),
        ),
        (
            "update",
            users(&fresh)
                .update(
                    &created.locator(),
                    &UserPatch {
                        suspended: Some(false),
                        ..UserPatch::default()
                    },
                )
                .await
                .map(drop),
        ),
    ] {
        let error = error.expect_err(what);
        assert_eq!(error.kind, PanelErrorKind::SoftDeleted, "{what}: {error:?}");
        assert!(
            error.message.contains("archived")
                && error
                    .message
                    .contains(&format!("api/admin/users/{}/delete", created.id))
                && error
                    .message
                    .contains(&format!("api/admin/users/{}/unarchive", created.id)),
            "{what}: {error:?}"
        );
    }
    let dump = fx.control.state().await;
    assert!(
        dump["users"][&created.id]["archived_at"].is_string(),
        "the archived user was purged or restored by a lookup: {}",
        dump["users"][&created.id]
    );

    // A delete (what a destroy of the resource does) purges it, and frees the email.
    ok(users(&fresh).delete(&created.locator()).await, "delete");
    let dump = fx.control.state().await;
    assert!(
        dump["users"].get(&created.id).is_none(),
        "not purged: {dump}"
    );
    assert_eq!(
        ok(users(&fx.backend()).get(&created.locator()).await, "gone"),
        None
    );
    ok(users(&fx.backend()).create(&spec).await, "create again");
}

// ---- the MySQL user a deleted database leaves behind ---------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_deleted_on_the_panel_names_its_leftover_user_when_recreated() {
    let fx = Fixture::start(KIND).await;
    let api = PanelApi::new(&fx);
    let owner = fx.create_owner("left").await;
    let spec = fx.database_spec(&owner, None, "shop", Some("shopu"));
    let created = ok(fx.panel.create_database(&spec).await, "create");
    let (user, account) = user_and_account(&created.id);
    let leftover = created.user.clone().expect("a user");
    // Deleted in the panel: the database goes, its MySQL user stays.
    api.call(
        reqwest::Method::DELETE,
        &format!("server-accounts/{account}/mysql/databases/{}", created.name),
        Some(&user),
        None,
    )
    .await;

    let fresh = fx.backend();
    let error = fresh
        .create_database(&spec)
        .await
        .expect_err("leftover user");
    assert_eq!(
        error.kind,
        PanelErrorKind::InvalidInput {
            field: Some("user".into())
        },
        "{error:?}"
    );
    assert!(
        error.message.contains(&format!(
            "DELETE api/server-accounts/{account}/mysql/users/{leftover}"
        )) && error.message.contains("Nothing was created"),
        "{error:?}"
    );
    let dump = fx.control.state().await;
    assert!(
        !fx.sim_has_database(&dump, &created.name),
        "a database was created and left unrecorded"
    );

    // The fix the message gives works.
    api.call(
        reqwest::Method::DELETE,
        &format!("server-accounts/{account}/mysql/users/{leftover}"),
        Some(&user),
        None,
    )
    .await;
    let again = ok(fresh.create_database(&spec).await, "create after the fix");
    assert_eq!(again, created);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leftover_user_seen_only_by_the_create_keeps_the_new_database_as_partial() {
    let fx = Fixture::start(KIND).await;
    let api = PanelApi::new(&fx);
    let owner = fx.create_owner("late").await;
    let backend = fx.backend();
    let first = ok(
        databases(&backend)
            .create(&fx.database_spec(&owner, None, "first", Some("firstu")))
            .await,
        "first",
    );
    let (user, account) = user_and_account(&first.id);
    // A refresh read caches the account's MySQL users; a user appears behind them.
    ok(databases(&backend).get(&first.locator()).await, "refresh").expect("first");
    api.call(
        reqwest::Method::POST,
        &format!("server-accounts/{account}/mysql/users"),
        Some(&user),
        Some(json!({"name": "shopu", "password": PASSWORD})),
    )
    .await;
    let error = databases(&backend)
        .create(&fx.database_spec(&owner, None, "shop", Some("shopu")))
        .await
        .expect_err("the user name is taken");
    assert_eq!(
        error.kind,
        PanelErrorKind::InvalidInput {
            field: Some("user".into())
        },
        "{error:?}"
    );
    let partial = error.partial::<Database>().expect("the new database");
    let dump = fx.control.state().await;
    assert!(fx.sim_has_database(&dump, &partial.name), "{partial:?}");
    assert!(error.message.contains("shopu"), "{error:?}");
}

// ---- database import ids ---------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_imports_take_every_documented_and_suggested_id() {
    let fx = Fixture::start(KIND).await;
    let owner = fx.create_owner("imp").await;
    let spec = fx.database_spec(&owner, None, "shop", Some("shopu"));
    let created = ok(fx.panel.create_database(&spec).await, "create");
    let (user, account) = user_and_account(&created.id);
    let backend = fx.backend();
    for id in [
        format!("{user}/{account}/shop"),
        format!("{user}/{account}/{}", created.name),
        created.id.clone(),
    ] {
        assert_eq!(
            ok(databases(&backend).import(&id).await, &id).as_ref(),
            Some(&created),
            "import {id}"
        );
    }
    // The "already exists" path: look the new object's key up, import what it suggests.
    let key = DatabaseKey {
        owner: owner.id.clone(),
        name: "shop".into(),
        domain: created.domain.clone(),
    };
    let existing = ok(databases(&backend).find(&key).await, "find").expect("found");
    let suggested = databases(&backend).import_id(&existing);
    assert_eq!(
        ok(
            databases(&fx.backend()).import(&suggested).await,
            "suggested"
        )
        .as_ref(),
        Some(&created)
    );
}

// ---- addon domains and subdomains without `parent` -----------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn addon_domains_without_parent_need_an_owner_with_one_account() {
    let fx = Fixture::start(KIND).await;
    let one = |email: &str, domains: &[&str]| {
        json!({"email": email, "first_name": "A", "last_name": "B", "password": PASSWORD,
            "services": domains.iter().map(|d| json!({"plan": "Starter", "domain": d})).collect::<Vec<_>>()})
    };
    fx.control
        .seed(&json!({"users": [
            one("single@example.com", &["single.test"]),
            one("double@example.com", &["first.test", "second.test"]),
        ]}))
        .await;
    let backend = fx.backend();
    let owner = |email: &str| {
        let email = email.to_owned();
        let backend = Arc::clone(&backend);
        async move {
            users(&backend)
                .find(&UserKey { login: email })
                .await
                .unwrap()
                .unwrap()
        }
    };
    let single = owner("single@example.com").await;
    let spec = |owner: &User, name: &str, kind, parent: Option<&str>| {
        let mut spec = fx.domain_spec(owner, name, kind, parent);
        spec.system_password = None;
        spec
    };
    let addon = ok(
        domains(&backend)
            .create(&spec(&single, "shop.test", DomainKind::Addon, None))
            .await,
        "addon without parent",
    );
    assert_eq!(
        (addon.kind, addon.parent.as_deref()),
        (DomainKind::Addon, Some("single.test"))
    );
    let sub = ok(
        domains(&backend)
            .create(&spec(
                &single,
                "blog.shop.test",
                DomainKind::Subdomain,
                None,
            ))
            .await,
        "subdomain without parent",
    );
    assert_eq!(sub.parent.as_deref(), Some("shop.test"));
    let dump = fx.control.state().await;
    assert_eq!(
        fx.sim_domain_owner(&dump, "blog.shop.test"),
        Some(single.id.clone())
    );

    let double = owner("double@example.com").await;
    fx.control.clear_requests().await;
    let error = domains(&backend)
        .create(&spec(&double, "shop2.test", DomainKind::Addon, None))
        .await
        .expect_err("two accounts, no parent");
    assert_eq!(
        error.kind,
        PanelErrorKind::InvalidInput {
            field: Some("parent".into())
        }
    );
    assert!(
        error.message.contains("first.test") && error.message.contains("second.test"),
        "{error:?}"
    );
    let counted = fx.control.requests().await;
    assert_eq!(
        counted.route("POST /api/server-accounts/{id}/domains"),
        0,
        "{counted:?}"
    );
    let placed = ok(
        domains(&backend)
            .create(&spec(
                &double,
                "shop2.test",
                DomainKind::Addon,
                Some("second.test"),
            ))
            .await,
        "with parent",
    );
    assert_eq!(placed.parent.as_deref(), Some("second.test"));
    // Found by its owner and anywhere.
    for owner in [Some(double.id.clone()), None] {
        let key = DomainKey {
            name: DomainName::lenient("shop2.test"),
            owner,
        };
        assert_eq!(
            ok(domains(&fx.backend()).find(&key).await, "find").as_ref(),
            Some(&placed)
        );
    }
    assert_eq!(
        ok(
            domains(&fx.backend())
                .get(&Locator::new(&placed.id).with_owner(Some(&double.id)))
                .await,
            "get"
        )
        .as_ref(),
        Some(&placed)
    );
}

// ---- through real terraform ------------------------------------------------------------

mod terraform {
    use serde_json::Value;

    use crate::acceptance::{Backend, Sim};
    use crate::support::terraform::{hcl_string, Terraform};

    const EMAIL: &str = "owner@tf-alpha.example";

    /// The simulated panel's API, called the way its UI would (blocking, for the
    /// terraform tests).
    fn panel_call(sim: &Sim, method: reqwest::Method, path: &str, as_user: Option<&str>) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let url = sim.process.url(&format!("/api/{path}"));
        let token = sim.process.cred("token");
        let status = runtime.block_on(async {
            let mut request = reqwest::Client::new()
                .request(method.clone(), url)
                .bearer_auth(token)
                .header("Accept", "application/json");
            if let Some(user) = as_user {
                request = request.header("X-PanelAlpha-User", user);
            }
            request
                .send()
                .await
                .expect("the simulator answers")
                .status()
        });
        assert!(status.is_success(), "{method} {path}: {status}");
    }

    fn config(database: bool) -> String {
        let mut hcl = format!(
            "resource \"panel_user\" \"owner\" {{\n  email = {}\n  name = \"Tf Owner\"\n  \
             plan = \"Starter\"\n  password_wo = \"Owner-Passw0rd!1\"\n}}\n",
            hcl_string(EMAIL)
        );
        if database {
            hcl += "resource \"panel_database\" \"shop\" {\n  name = \"shop\"\n  owner = \
                    panel_user.owner.id\n  user = \"shopu\"\n  password_wo = \
                    \"Db-Passw0rd!22\"\n}\n";
        }
        hcl
    }

    /// Terraform's output with its diagnostic borders gone and every run of
    /// whitespace one space, so a phrase is found whatever the line wrapping.
    fn flat(output: &str) -> String {
        output
            .replace('│', " ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn attribute(tf: &Terraform, address: &str, name: &str) -> String {
        tf.state_attributes(address)[name]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn a_database_deleted_on_the_panel_is_recreated_after_the_named_fix() {
        let sim = Sim::start(Backend::PanelAlpha);
        let tf = sim.terraform();
        tf.write("main.tf", &config(true));
        tf.apply();
        let id = attribute(&tf, "panel_database.shop", "id");
        let full_user = attribute(&tf, "panel_database.shop", "full_user");
        let full_name = attribute(&tf, "panel_database.shop", "full_name");
        let mut parts = id.split('/');
        let (user, account) = (parts.next().unwrap(), parts.next().unwrap());
        sim.delete_database_behind_terraforms_back("shop");

        let failed = tf.try_apply().failure();
        let output = flat(&failed.output());
        let fix = format!("DELETE api/server-accounts/{account}/mysql/users/{full_user}");
        assert!(
            output.contains(&full_user) && output.contains(&fix),
            "the error names the leftover MySQL user and how to remove it:\n{output}"
        );
        let view = sim.view();
        assert!(
            view.database("shop").is_none()
                || tf
                    .state_addresses()
                    .contains(&"panel_database.shop".to_owned()),
            "a database exists on the panel that the state does not hold:\n{output}"
        );

        panel_call(
            &sim,
            reqwest::Method::DELETE,
            &format!("server-accounts/{account}/mysql/users/{full_user}"),
            Some(user),
        );
        tf.apply();
        assert_eq!(
            attribute(&tf, "panel_database.shop", "full_name"),
            full_name
        );
        tf.assert_empty_plan("after re-creating the database");
    }

    #[test]
    fn a_user_archived_in_the_panel_is_shown_and_explained_then_recreated_after_a_purge() {
        let sim = Sim::start(Backend::PanelAlpha);
        let tf = sim.terraform();
        tf.write("main.tf", &config(false));
        tf.apply();
        let id = attribute(&tf, "panel_user.owner", "id");
        panel_call(
            &sim,
            reqwest::Method::DELETE,
            &format!("admin/users/{id}"),
            None,
        );

        let (code, plan) = tf.plan_detailed_exitcode(&[]);
        assert_eq!(
            code,
            2,
            "the archived user shows a change:\n{}",
            plan.describe()
        );
        let failed = tf.try_apply().failure();
        let output = flat(&failed.output());
        assert!(
            output.contains("Deleted But Not Purged")
                && output.contains(&format!("api/admin/users/{id}/delete"))
                && output.contains(&format!("api/admin/users/{id}/unarchive")),
            "{output}"
        );
        let dump = sim.dump();
        assert!(
            dump["users"][&id]["archived_at"].is_string(),
            "the provider touched a user archived in the panel: {}",
            dump["users"][&id]
        );

        // The purge the message names; then Terraform creates the user anew.
        panel_call(
            &sim,
            reqwest::Method::DELETE,
            &format!("admin/users/{id}/delete"),
            None,
        );
        tf.apply();
        assert_ne!(attribute(&tf, "panel_user.owner", "id"), id);
        tf.assert_empty_plan("after re-creating the user");
    }

    #[test]
    fn the_import_command_an_already_exists_error_suggests_works() {
        let sim = Sim::start(Backend::PanelAlpha);
        sim.seed(&serde_json::json!({"users": [{
            "email": EMAIL, "first_name": "Tf", "last_name": "Owner", "password": "Owner-Passw0rd!1",
            "services": [{"plan": "Starter", "databases": [{"name": "shop", "users": ["shopu"]}]}]
        }]}));
        let tf = sim.terraform();
        // The user first (imported by email), then a database that is already there.
        tf.write(
            "main.tf",
            &format!(
                "{}import {{\n  to = panel_user.owner\n  id = {}\n}}\n",
                config(false),
                hcl_string(EMAIL)
            ),
        );
        tf.apply();
        tf.write("main.tf", &config(true));
        let failed = tf.try_apply().failure();
        let output = failed.output();
        let command = output
            .lines()
            .map(|line| line.trim_start_matches(['│', ' ']).trim())
            .find(|line| line.starts_with("terraform import panel_database.NAME"))
            .unwrap_or_else(|| panic!("no import command suggested:\n{output}"))
            .to_owned();
        let id = command
            .trim_start_matches("terraform import panel_database.NAME")
            .trim()
            .trim_matches('\'')
            .to_owned();
        tf.import("panel_database.shop", &id);
        let state: Value = tf.state_attributes("panel_database.shop");
        assert_eq!(state["name"], "shop", "{state}");
        // The documented form with the name as configured imports too.
        let (user_account, _) = id.rsplit_once('/').expect("USER/ACCOUNT/NAME");
        let again = sim.terraform();
        again.write("main.tf", &config(true));
        again.import("panel_user.owner", EMAIL);
        again.import("panel_database.shop", &format!("{user_account}/shop"));
        assert_eq!(
            again.state_attributes("panel_database.shop")["id"],
            state["id"]
        );
    }
}
