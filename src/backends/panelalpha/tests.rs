//! Unit tests of the PanelAlpha backend: pure helpers, and flows against a small
//! stateful fake of the API (the subset the backend calls, shaped as the reference and
//! the vendor client describe it) with knobs for what the simulator cannot yet do: a
//! purge that fails, users archived "in the UI", leftover MySQL users, owners with
//! several hosting accounts, services that do not carry their accounts.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

use super::wire::{DomainItem, DomainRequest, Service, UserRequest};
use super::*;
use crate::backends::rest::mock::{config, MockServer, Seen};
use crate::backends::Credentials;
use crate::panel::{
    DatabaseKey, DatabaseSpec, DomainKey, DomainSpec, Locator, PanelErrorKind, PanelObject, Secret,
    Service as PanelService, UserKey, UserPatch, UserSpec,
};

fn item(json: &str) -> DomainItem {
    serde_json::from_str(json).unwrap()
}

#[test]
fn names_split_on_the_first_space_and_join_back() {
    assert_eq!(split_name("Ada Lovelace"), ("Ada", "Lovelace"));
    assert_eq!(
        split_name("Jean Claude Van Damme"),
        ("Jean", "Claude Van Damme")
    );
    assert_eq!(split_name("Cher"), ("Cher", ""));
    assert_eq!(join_name(Some("Cher"), None), "Cher");
    assert_eq!(join_name(Some("Cher"), Some("")), "Cher");
    assert_eq!(
        join_name(Some("Jean"), Some("Claude Van Damme")),
        "Jean Claude Van Damme"
    );
}

#[test]
fn user_request_always_carries_email_and_hides_unset_password() {
    let body = to_json(&UserRequest {
        first_name: "Ada",
        last_name: "",
        email: "ada@example.com",
        password: None,
    })
    .unwrap();
    assert_eq!(
        body,
        json!({"first_name": "Ada", "last_name": "", "email": "ada@example.com"})
    );
}

#[test]
fn domain_items_map_to_kinds_and_parents() {
    let list = vec![
        item(r#"{"domain":"example.com","type":"main","document_root":"/public_html"}"#),
        item(r#"{"domain":"shop.net","type":"addon","document_root":"/shop.net"}"#),
        item(r#"{"domain":"blog.shop.net","type":"sub"}"#),
        item(r#"{"domain":"news","type":"sub","parent_domain":"example.com"}"#),
        item(r#"{"domain":"alias.org","type":"alias"}"#),
    ];
    let model = |i: usize| domain_model(12, 8, &list[i], &list, None);
    let main = model(0).unwrap();
    assert_eq!(
        (main.kind, main.id.as_str(), main.document_root.as_deref()),
        (DomainKind::Main, "12/8/example.com", Some("/public_html"))
    );
    let addon = model(1).unwrap();
    assert_eq!(
        (addon.kind, addon.parent.as_deref()),
        (DomainKind::Addon, Some("example.com"))
    );
    let sub = model(2).unwrap();
    assert_eq!(
        (sub.kind, sub.parent.as_deref()),
        (DomainKind::Subdomain, Some("shop.net"))
    );
    let label_only = model(3).unwrap();
    assert_eq!(label_only.name, "news.example.com");
    assert_eq!(label_only.parent.as_deref(), Some("example.com"));
    assert!(model(4).is_none(), "aliases are not modelled");
}

#[test]
fn subdomains_are_sent_as_label_plus_parent() {
    let body = to_json(&DomainRequest {
        domain: "blog",
        kind: "sub",
        parent_domain: Some("example.com"),
    })
    .unwrap();
    assert_eq!(
        body,
        json!({"domain": "blog", "type": "sub", "parent_domain": "example.com"})
    );
}

#[test]
fn ids_parse_and_reject() {
    let id = ObjectId::parse_domain("12/8/Blog.Example.com").unwrap();
    assert_eq!(id.to_string(), "12/8/blog.example.com");
    let db = ObjectId::parse_database("12/8/user_wp").unwrap();
    assert_eq!((db.user, db.account, db.name.as_str()), (12, 8, "user_wp"));
    let err = ObjectId::parse_database("12/user_wp").unwrap_err();
    assert_eq!(
        err.kind,
        PanelErrorKind::InvalidInput {
            field: Some("id".into())
        }
    );
}

#[test]
fn primary_service_is_the_oldest_live_one() {
    let services: Vec<Service> = serde_json::from_str(
        r#"[{"id":9,"status":"active"},{"id":4,"status":"archived"},{"id":6,"status":"suspended"}]"#,
    )
    .unwrap();
    let primary = primary_service(&services).unwrap();
    assert_eq!(primary.id, Some(6));
    assert!(primary.is_suspended());
}

// ---- a stateful fake of the API -------------------------------------------------------

#[derive(Clone, Debug)]
struct FakeUser {
    email: String,
    first: String,
    last: String,
    archived: bool,
}

#[derive(Clone, Debug)]
struct FakeService {
    id: i64,
    user: i64,
    plan: i64,
    status: &'static str,
    archived: bool,
    accounts: Vec<i64>,
}

#[derive(Clone, Debug, Default)]
struct FakeAccount {
    user: i64,
    username: String,
    domain: String,
    /// (name, type, parent, document root)
    domains: Vec<(String, String, Option<String>, String)>,
    databases: Vec<String>,
    /// MySQL user -> databases it may use.
    db_users: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Default)]
struct Fake {
    next_id: i64,
    users: BTreeMap<i64, FakeUser>,
    services: Vec<FakeService>,
    accounts: BTreeMap<i64, FakeAccount>,
    /// Knob: the purge (`DELETE …/users/{id}/delete`) answers 500.
    purge_fails: bool,
    /// Knob: service answers leave `server_accounts` out.
    hide_accounts: bool,
}

impl Fake {
    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id + 100
    }

    fn add_user(&mut self, email: &str, archived: bool) -> i64 {
        let id = self.id();
        self.users.insert(
            id,
            FakeUser {
                email: email.into(),
                first: "Ada".into(),
                last: "Lovelace".into(),
                archived,
            },
        );
        id
    }

    /// A service with one hosting account whose main domain is `domain`.
    fn add_service(&mut self, user: i64, domain: &str) -> (i64, i64) {
        let service = self.id();
        let account = self.id();
        self.accounts.insert(
            account,
            FakeAccount {
                user,
                username: format!("u{account}"),
                domain: domain.into(),
                domains: vec![(domain.into(), "main".into(), None, "/public_html".into())],
                ..FakeAccount::default()
            },
        );
        self.services.push(FakeService {
            id: service,
            user,
            plan: 3,
            status: "active",
            archived: false,
            accounts: vec![account],
        });
        (service, account)
    }

    fn user_json(&self, id: i64) -> Value {
        let u = &self.users[&id];
        json!({"id": id, "email": u.email, "first_name": u.first, "last_name": u.last})
    }

    fn service_json(&self, s: &FakeService) -> Value {
        let mut v = json!({"id": s.id, "user_id": s.user, "plan_id": s.plan,
            "plan": {"id": 3, "name": "Basic"}, "status": s.status});
        if !self.hide_accounts {
            v["server_accounts"] = s.accounts.iter().map(|a| self.account_json(*a)).collect();
        }
        v
    }

    fn account_json(&self, id: i64) -> Value {
        let a = &self.accounts[&id];
        json!({"id": id, "user_id": a.user, "username": a.username, "domain": a.domain})
    }

    fn page(items: Vec<Value>) -> (u16, String) {
        let n = items.len();
        (
            200,
            json!({"data": items, "links": {}, "meta": {"current_page": 1, "last_page": 1, "total": n}})
                .to_string(),
        )
    }

    fn ok(value: Value) -> (u16, String) {
        (200, json!({ "data": value }).to_string())
    }

    fn missing() -> (u16, String) {
        (404, r#"{"message":"No query results for model."}"#.into())
    }

    fn taken(field: &str) -> (u16, String) {
        let text = format!("The {field} has already been taken.");
        (
            422,
            json!({"message": text, "errors": {field: [text]}}).to_string(),
        )
    }

    fn active(&self, id: &str) -> Option<i64> {
        let id: i64 = id.parse().ok()?;
        self.users.get(&id).filter(|u| !u.archived).map(|_| id)
    }

    fn archive(&mut self, user: i64) {
        if let Some(u) = self.users.get_mut(&user) {
            u.archived = true;
        }
        for s in self.services.iter_mut().filter(|s| s.user == user) {
            s.archived = true;
        }
        self.accounts.retain(|_, a| a.user != user);
    }

    fn answer(&mut self, seen: &Seen) -> (u16, String) {
        let (path, query) = seen
            .path_and_query
            .split_once('?')
            .unwrap_or((&seen.path_and_query, ""));
        let body: Value = serde_json::from_str(&seen.body).unwrap_or(Value::Null);
        let as_user: Option<i64> = seen
            .headers
            .get("x-panelalpha-user")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok());
        let parts: Vec<&str> = path.trim_start_matches("/api/").split('/').collect();
        match (seen.method.as_str(), parts.as_slice()) {
            ("GET", ["admin", "plans"]) => Self::page(vec![json!({"id": 3, "name": "Basic"})]),
            ("GET", ["admin", "users"]) => Self::page(
                self.users
                    .iter()
                    .filter(|(_, u)| !u.archived)
                    .map(|(id, _)| self.user_json(*id))
                    .collect(),
            ),
            ("GET", ["admin", "users", "archived"]) => Self::page(
                self.users
                    .iter()
                    .filter(|(_, u)| u.archived)
                    .map(|(id, _)| self.user_json(*id))
                    .collect(),
            ),
            ("GET", ["admin", "users", "email"]) => {
                let email = url::form_urlencoded::parse(query.as_bytes())
                    .find(|(k, _)| k == "email")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                match self
                    .users
                    .iter()
                    .find(|(_, u)| !u.archived && u.email.eq_ignore_ascii_case(&email))
                {
                    Some((id, _)) => Self::ok(self.user_json(*id)),
                    None => Self::ok(json!([])),
                }
            }
            ("GET", ["admin", "users", id, "archived"]) => {
                match id
                    .parse::<i64>()
                    .ok()
                    .filter(|id| self.users.get(id).is_some_and(|u| u.archived))
                {
                    Some(id) => Self::ok(self.user_json(id)),
                    None => Self::missing(),
                }
            }
            ("GET", ["admin", "users", id]) => match self.active(id) {
                Some(id) => Self::ok(self.user_json(id)),
                None => Self::missing(),
            },
            ("POST", ["admin", "users"]) => {
                let email = body["email"].as_str().unwrap_or_default().to_owned();
                if self
                    .users
                    .values()
                    .any(|u| u.email.eq_ignore_ascii_case(&email))
                {
                    return Self::taken("email");
                }
                let id = self.add_user(&email, false);
                (201, json!({ "data": self.user_json(id) }).to_string())
            }
            ("PUT", ["admin", "users", id]) => match self.active(id) {
                Some(id) => {
                    let u = self.users.get_mut(&id).unwrap();
                    u.email = body["email"].as_str().unwrap_or_default().into();
                    u.first = body["first_name"].as_str().unwrap_or_default().into();
                    u.last = body["last_name"].as_str().unwrap_or_default().into();
                    Self::ok(self.user_json(id))
                }
                None => Self::missing(),
            },
            ("DELETE", ["admin", "users", id, "delete"]) => {
                let Some(id) = id
                    .parse::<i64>()
                    .ok()
                    .filter(|id| self.users.get(id).is_some_and(|u| u.archived))
                else {
                    return Self::missing();
                };
                if self.purge_fails {
                    return (500, r#"{"message":"Server Error"}"#.into());
                }
                self.users.remove(&id);
                self.services.retain(|s| s.user != id);
                (204, String::new())
            }
            ("DELETE", ["admin", "users", id]) => match self.active(id) {
                Some(id) => {
                    self.archive(id);
                    (204, String::new())
                }
                None => Self::missing(),
            },
            ("GET", ["admin", "users", id, "services"]) => match self.active(id) {
                Some(id) => Self::page(
                    self.services
                        .iter()
                        .filter(|s| s.user == id && !s.archived)
                        .map(|s| self.service_json(s))
                        .collect(),
                ),
                None => Self::missing(),
            },
            ("POST", ["admin", "users", id, "services"]) => match self.active(id) {
                Some(id) => {
                    let (service, _) = self.add_service(id, &format!("site{}.test", self.next_id));
                    let s = self.services.iter().find(|s| s.id == service).unwrap();
                    (201, json!({ "data": self.service_json(s) }).to_string())
                }
                None => Self::missing(),
            },
            ("PUT", ["admin", "users", _, "services", sid, action]) => {
                let sid: i64 = sid.parse().unwrap_or_default();
                match self
                    .services
                    .iter_mut()
                    .find(|s| s.id == sid && !s.archived)
                {
                    Some(s) => {
                        s.status = if *action == "suspend" {
                            "suspended"
                        } else {
                            "active"
                        };
                        let s = s.clone();
                        Self::ok(self.service_json(&s))
                    }
                    None => Self::missing(),
                }
            }
            ("GET", ["admin", "services"]) => Self::page(
                self.services
                    .iter()
                    .filter(|s| !s.archived)
                    .map(|s| self.service_json(s))
                    .collect(),
            ),
            ("DELETE", ["admin", "services", sid]) => {
                let sid: i64 = sid.parse().unwrap_or_default();
                match self
                    .services
                    .iter_mut()
                    .find(|s| s.id == sid && !s.archived)
                {
                    Some(s) => {
                        s.archived = true;
                        (204, String::new())
                    }
                    None => Self::missing(),
                }
            }
            ("GET", ["server-accounts"]) => {
                let Some(user) = as_user else {
                    return (403, r#"{"message":"This action is unauthorized."}"#.into());
                };
                Self::ok(
                    self.accounts
                        .iter()
                        .filter(|(_, a)| a.user == user)
                        .map(|(id, _)| self.account_json(*id))
                        .collect(),
                )
            }
            (method, ["server-accounts", account, rest @ ..]) => {
                let account: i64 = account.parse().unwrap_or_default();
                let Some(a) = self
                    .accounts
                    .get_mut(&account)
                    .filter(|a| Some(a.user) == as_user)
                else {
                    return Self::missing();
                };
                let prefix = format!("{}_", a.username);
                let stored = |name: &str| {
                    if name.starts_with(&prefix) {
                        name.to_owned()
                    } else {
                        format!("{prefix}{name}")
                    }
                };
                match (method, rest) {
                    ("GET", ["domains"]) => Self::ok(
                        a.domains
                            .iter()
                            .map(|(d, t, p, r)| {
                                json!({"domain": d, "type": t, "parent_domain": p, "document_root": r})
                            })
                            .collect(),
                    ),
                    ("POST", ["domains"]) => {
                        let kind = body["type"].as_str().unwrap_or_default().to_owned();
                        let label = body["domain"].as_str().unwrap_or_default();
                        let parent = body["parent_domain"].as_str().map(str::to_owned);
                        let name = match (&kind[..], &parent) {
                            ("sub", Some(p)) => format!("{label}.{p}"),
                            _ => label.to_owned(),
                        };
                        if a.domains.iter().any(|(d, ..)| *d == name) {
                            return Self::taken("domain");
                        }
                        let root = format!("/{name}");
                        a.domains.push((name.clone(), kind.clone(), parent.clone(), root.clone()));
                        Self::ok(json!({"domain": name, "type": kind, "document_root": root}))
                    }
                    ("GET", ["mysql", "databases"]) => Self::ok(
                        a.databases
                            .iter()
                            .map(|d| json!({"database": d, "disk_usage": 0}))
                            .collect(),
                    ),
                    ("POST", ["mysql", "databases"]) => {
                        let name = stored(body["name"].as_str().unwrap_or_default());
                        if a.databases.contains(&name) {
                            return Self::taken("name");
                        }
                        a.databases.push(name.clone());
                        Self::ok(json!({ "name": name }))
                    }
                    ("DELETE", ["mysql", "databases", name]) => {
                        let before = a.databases.len();
                        a.databases.retain(|d| d != name);
                        for dbs in a.db_users.values_mut() {
                            dbs.retain(|d| d != name);
                        }
                        if before == a.databases.len() {
                            Self::missing()
                        } else {
                            (204, String::new())
                        }
                    }
                    ("GET", ["mysql", "users"]) => Self::ok(
                        a.db_users
                            .iter()
                            .map(|(u, dbs)| json!({"user": u, "databases": dbs}))
                            .collect(),
                    ),
                    ("POST", ["mysql", "users"]) => {
                        let name = stored(body["name"].as_str().unwrap_or_default());
                        if a.db_users.contains_key(&name) {
                            return Self::taken("name");
                        }
                        a.db_users.insert(name.clone(), Vec::new());
                        Self::ok(json!({ "name": name }))
                    }
                    ("DELETE", ["mysql", "users", name]) => match a.db_users.remove(*name) {
                        Some(_) => (204, String::new()),
                        None => Self::missing(),
                    },
                    ("PUT", ["mysql", "privileges", user, database]) => {
                        match a.db_users.get_mut(*user) {
                            Some(dbs) => {
                                dbs.push((*database).to_owned());
                                Self::ok(json!(["ALL PRIVILEGES"]))
                            }
                            None => Self::missing(),
                        }
                    }
                    _ => Self::missing(),
                }
            }
            _ => Self::missing(),
        }
    }
}

struct Harness {
    server: MockServer,
    fake: Arc<Mutex<Fake>>,
}

impl Harness {
    async fn start() -> Self {
        let fake = Arc::new(Mutex::new(Fake::default()));
        let state = fake.clone();
        let server = MockServer::start(Arc::new(move |seen: &Seen| {
            state.lock().unwrap().answer(seen)
        }))
        .await;
        Self { server, fake }
    }

    /// A fresh backend (empty caches), as a new provider process has.
    fn backend(&self) -> PanelAlphaBackend {
        let credentials = Credentials::Token(Secret::new("tok"));
        PanelAlphaBackend::new(&config(
            PanelKind::PanelAlpha,
            &self.server.base_url,
            credentials,
        ))
        .unwrap()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Fake) -> T) -> T {
        f(&mut self.fake.lock().unwrap())
    }

    /// Requests so far, as `METHOD /path` without the query.
    fn requests(&self) -> Vec<String> {
        self.server
            .requests()
            .iter()
            .map(|r| {
                let path = r.path_and_query.split('?').next().unwrap_or_default();
                format!("{} {path}", r.method)
            })
            .collect()
    }

    fn clear(&self) {
        self.server.seen.lock().unwrap().clear();
    }
}

fn user_spec(email: &str, plan: Option<&str>) -> UserSpec {
    UserSpec {
        login: email.into(),
        email: email.into(),
        name: "Ada Lovelace".into(),
        password: Secret::new("long-enough-pw"),
        plan: plan.map(str::to_owned),
        suspended: false,
    }
}

fn users(backend: &PanelAlphaBackend) -> &dyn PanelService<User> {
    backend
}

fn domains(backend: &PanelAlphaBackend) -> &dyn PanelService<Domain> {
    backend
}

fn databases(backend: &PanelAlphaBackend) -> &dyn PanelService<Database> {
    backend
}

// ---- users -----------------------------------------------------------------------------

#[tokio::test]
async fn a_plan_user_is_created_without_listing_anybody_else() {
    let h = Harness::start().await;
    for n in 0..5 {
        h.with(|f| {
            let id = f.add_user(&format!("other{n}@example.com"), false);
            f.add_service(id, &format!("other{n}.test"));
        });
    }
    let backend = h.backend();
    let mut spec = user_spec("ada@example.com", Some("basic"));
    spec.suspended = true;
    let created = users(&backend).create(&spec).await.unwrap();
    assert_eq!(
        created.plan.as_deref(),
        Some("Basic"),
        "the panel's spelling"
    );
    assert!(created.suspended);
    let read = users(&backend)
        .read_back(&created.locator())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read, created);
    let requests = h.requests();
    assert!(
        !requests
            .iter()
            .any(|r| r == "GET /api/admin/services" || r == "GET /api/admin/users"),
        "a create and its read-back listed every user or service: {requests:?}"
    );
    // Plans (once), create, service, suspend; read-back: the user and their services.
    assert_eq!(requests.len(), 6, "{requests:?}");
}

#[tokio::test]
async fn user_refreshes_share_one_list_of_users_and_one_of_services() {
    let h = Harness::start().await;
    let ids: Vec<i64> = h.with(|f| {
        (0..30)
            .map(|n| {
                let id = f.add_user(&format!("u{n}@example.com"), false);
                f.add_service(id, &format!("u{n}.test"));
                id
            })
            .collect()
    });
    let backend = h.backend();
    let locators: Vec<Locator> = ids.iter().map(|id| Locator::new(id.to_string())).collect();
    let reads = locators.iter().map(|at| users(&backend).get(at));
    for user in futures::future::join_all(reads).await {
        let user = user.unwrap().unwrap();
        assert_eq!(user.plan.as_deref(), Some("Basic"));
    }
    let mut requests = h.requests();
    requests.sort();
    assert_eq!(
        requests,
        ["GET /api/admin/services", "GET /api/admin/users"],
        "30 users refreshed"
    );
    // Every list asks for the largest page.
    assert!(h
        .server
        .requests()
        .iter()
        .all(|r| r.path_and_query.contains("per_page=1000")));
}

#[tokio::test]
async fn a_user_left_archived_by_a_failed_purge_is_read_and_purged_by_the_next_delete() {
    let h = Harness::start().await;
    let backend = h.backend();
    let created = users(&backend)
        .create(&user_spec("ada@example.com", Some("Basic")))
        .await
        .unwrap();
    h.with(|f| f.purge_fails = true);
    let error = users(&backend)
        .delete(&created.locator())
        .await
        .unwrap_err();
    assert!(
        error.message.contains("archived, but purging it failed")
            && error
                .message
                .contains("next `terraform apply` or `terraform destroy`"),
        "{error:?}"
    );
    // A fresh refresh still finds it: archived, so suspended and without a plan.
    let fresh = h.backend();
    let archived = users(&fresh)
        .get(&created.locator())
        .await
        .unwrap()
        .expect("an archived user is still found");
    assert_eq!(archived.id, created.id);
    assert!(
        archived.suspended && archived.plan.is_none(),
        "{archived:?}"
    );
    // Changing it is refused with the way out.
    let error = users(&fresh)
        .update(
            &created.locator(),
            &UserPatch {
                suspended: Some(false),
                ..UserPatch::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind, PanelErrorKind::SoftDeleted, "{error:?}");
    assert!(error.message.contains("unarchive"), "{error:?}");
    // The next delete purges it.
    h.with(|f| f.purge_fails = false);
    users(&fresh).delete(&created.locator()).await.unwrap();
    assert!(
        h.with(|f| f.users.is_empty()),
        "the archived user was not purged"
    );
    assert_eq!(
        users(&h.backend()).get(&created.locator()).await.unwrap(),
        None
    );
    // And the email is free again.
    users(&h.backend())
        .create(&user_spec("ada@example.com", None))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_email_held_by_an_archived_user_is_reported_never_purged() {
    let h = Harness::start().await;
    let archived = h.with(|f| f.add_user("ada@example.com", true));
    let backend = h.backend();
    let key = UserKey {
        login: "ada@example.com".into(),
    };
    // The lookup before a create says so, with both ways out.
    let error = users(&backend).find(&key).await.unwrap_err();
    assert_eq!(error.kind, PanelErrorKind::SoftDeleted);
    for needle in [
        "is archived".to_owned(),
        format!("DELETE api/admin/users/{archived}/delete"),
        format!("PUT api/admin/users/{archived}/unarchive"),
        "terraform import panel_user.NAME 'ada@example.com'".to_owned(),
    ] {
        assert!(error.message.contains(&needle), "{needle}: {error:?}");
    }
    // A create that skipped the lookup gets the same answer, not "already exists".
    let error = users(&h.backend())
        .create(&user_spec("ada@example.com", None))
        .await
        .unwrap_err();
    assert_eq!(error.kind, PanelErrorKind::SoftDeleted, "{error:?}");
    assert_eq!(error.panel_code.as_deref(), Some("422"));
    // Import by email and by id: archived, not "does not exist".
    for id in ["ada@example.com".to_owned(), archived.to_string()] {
        let error = users(&h.backend()).import(&id).await.unwrap_err();
        assert_eq!(error.kind, PanelErrorKind::SoftDeleted, "{id}: {error:?}");
    }
    assert!(
        !h.requests().iter().any(|r| r.starts_with("DELETE")),
        "an archived user someone else archived was touched: {:?}",
        h.requests()
    );
    assert!(h.with(|f| f.users[&archived].archived));
}

#[tokio::test]
async fn users_import_by_email_or_id_and_suggest_their_email() {
    let h = Harness::start().await;
    let id = h.with(|f| {
        let id = f.add_user("ada@example.com", false);
        f.add_service(id, "ada.test");
        id
    });
    let backend = h.backend();
    let by_email = users(&backend)
        .import("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    let by_id = users(&backend)
        .import(&id.to_string())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_email, by_id);
    let suggested = users(&backend).import_id(&by_id);
    assert_eq!(
        users(&h.backend()).import(&suggested).await.unwrap(),
        Some(by_id)
    );
    assert_eq!(
        users(&backend).import("nobody@example.com").await.unwrap(),
        None
    );
}

// ---- domains -----------------------------------------------------------------------------

fn addon(owner: i64, name: &str, parent: Option<&str>) -> DomainSpec {
    DomainSpec {
        name: name.into(),
        owner: owner.to_string(),
        kind: DomainKind::Addon,
        parent: parent.map(str::to_owned),
        document_root: None,
        php_version: None,
        ip_address: None,
        system_password: None,
    }
}

#[tokio::test]
async fn an_addon_without_parent_goes_into_the_owners_only_account() {
    let h = Harness::start().await;
    let (owner, account) = h.with(|f| {
        let id = f.add_user("ada@example.com", false);
        let (_, account) = f.add_service(id, "main.test");
        (id, account)
    });
    let backend = h.backend();
    let created = domains(&backend)
        .create(&addon(owner, "shop.test", None))
        .await
        .unwrap();
    assert_eq!(created.id, format!("{owner}/{account}/shop.test"));
    assert_eq!(
        (created.kind, created.parent.as_deref()),
        (DomainKind::Addon, Some("main.test"))
    );
    let read = domains(&h.backend())
        .get(&created.locator())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.parent, created.parent);
    assert_eq!(read.kind, created.kind);
}

#[tokio::test]
async fn an_addon_without_parent_is_refused_when_the_owner_has_several_accounts() {
    let h = Harness::start().await;
    let (owner, second) = h.with(|f| {
        let id = f.add_user("ada@example.com", false);
        f.add_service(id, "one.test");
        let (_, second) = f.add_service(id, "two.test");
        (id, second)
    });
    let backend = h.backend();
    let error = domains(&backend)
        .create(&addon(owner, "shop.test", None))
        .await
        .unwrap_err();
    assert_eq!(
        error.kind,
        PanelErrorKind::InvalidInput {
            field: Some("parent".into())
        }
    );
    assert!(
        error.message.contains("2 hosting accounts")
            && error.message.contains("one.test")
            && error.message.contains("two.test"),
        "{error:?}"
    );
    assert!(!h.requests().iter().any(|r| r.starts_with("POST")));
    // `parent` says which.
    let created = domains(&backend)
        .create(&addon(owner, "shop.test", Some("two.test")))
        .await
        .unwrap();
    assert_eq!(created.id, format!("{owner}/{second}/shop.test"));
}

#[tokio::test]
async fn a_subdomain_without_parent_goes_under_the_longest_domain_it_lies_in() {
    let h = Harness::start().await;
    let (owner, second) = h.with(|f| {
        let id = f.add_user("ada@example.com", false);
        f.add_service(id, "one.test");
        let (_, second) = f.add_service(id, "two.test");
        f.accounts.get_mut(&second).unwrap().domains.push((
            "shop.two.test".into(),
            "sub".into(),
            Some("two.test".into()),
            "/shop".into(),
        ));
        (id, second)
    });
    let backend = h.backend();
    let mut spec = addon(owner, "blog.shop.two.test", None);
    spec.kind = DomainKind::Subdomain;
    let created = domains(&backend).create(&spec).await.unwrap();
    assert_eq!(created.id, format!("{owner}/{second}/blog.shop.two.test"));
    assert_eq!(created.parent.as_deref(), Some("shop.two.test"));
    let post = h
        .server
        .requests()
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&post.body).unwrap(),
        json!({"domain": "blog", "type": "sub", "parent_domain": "shop.two.test"})
    );
    spec.name = "elsewhere.example".into();
    let error = domains(&backend).create(&spec).await.unwrap_err();
    assert_eq!(
        error.kind,
        PanelErrorKind::InvalidInput {
            field: Some("parent".into())
        }
    );
}

#[tokio::test]
async fn domain_reads_share_one_list_per_account_and_read_backs_read_only_it() {
    let h = Harness::start().await;
    let (owner, account) = h.with(|f| {
        let id = f.add_user("ada@example.com", false);
        let (_, account) = f.add_service(id, "main.test");
        for n in 0..5 {
            f.accounts.get_mut(&account).unwrap().domains.push((
                format!("a{n}.test"),
                "addon".into(),
                None,
                format!("/a{n}"),
            ));
        }
        (id, account)
    });
    let backend = h.backend();
    let locators: Vec<Locator> = (0..5)
        .map(|n| Locator::new(format!("{owner}/{account}/a{n}.test")))
        .collect();
    let reads = locators.iter().map(|at| domains(&backend).get(at));
    for read in futures::future::join_all(reads).await {
        assert_eq!(read.unwrap().unwrap().kind, DomainKind::Addon);
    }
    assert_eq!(
        h.requests(),
        [format!("GET /api/server-accounts/{account}/domains")]
    );
    h.clear();
    let created = domains(&backend)
        .create(&addon(owner, "new.test", None))
        .await
        .unwrap();
    domains(&backend)
        .read_back(&created.locator())
        .await
        .unwrap()
        .unwrap();
    let lists: Vec<String> = h
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("GET"))
        .collect();
    assert!(
        lists.iter().all(|r| r.starts_with("GET /api/admin/users/")
            || r == &format!("GET /api/server-accounts/{account}/domains")),
        "{lists:?}"
    );
}

#[tokio::test]
async fn a_main_domain_is_found_anywhere_and_imported_by_name() {
    let h = Harness::start().await;
    let (owner, account) = h.with(|f| {
        let id = f.add_user("ada@example.com", false);
        let (_, account) = f.add_service(id, "main.test");
        (id, account)
    });
    let backend = h.backend();
    let found = domains(&backend)
        .find(&DomainKey {
            name: DomainName::lenient("Main.TEST"),
            owner: None,
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, format!("{owner}/{account}/main.test"));
    assert_eq!(found.kind, DomainKind::Main);
    let imported = domains(&h.backend())
        .import(&domains(&backend).import_id(&found))
        .await
        .unwrap();
    assert_eq!(imported, Some(found));
}

// ---- databases ---------------------------------------------------------------------------

fn database_spec(owner: i64, name: &str, user: Option<&str>) -> DatabaseSpec {
    DatabaseSpec {
        name: name.into(),
        owner: owner.to_string(),
        domain: None,
        engine: "mysql".into(),
        user: user.map(str::to_owned),
        password: user.map(|_| Secret::new("long-enough-pw")),
    }
}

fn owner_with_account(h: &Harness) -> (i64, i64) {
    h.with(|f| {
        let id = f.add_user("ada@example.com", false);
        let (_, account) = f.add_service(id, "main.test");
        (id, account)
    })
}

#[tokio::test]
async fn database_create_uses_the_names_the_panel_stored() {
    let h = Harness::start().await;
    let (owner, account) = owner_with_account(&h);
    let prefix = format!("u{account}_");
    let db = databases(&h.backend())
        .create(&database_spec(owner, "shop", Some("shopu")))
        .await
        .unwrap();
    assert_eq!(db.id, format!("{owner}/{account}/{prefix}shop"));
    assert_eq!(db.name, format!("{prefix}shop"));
    assert_eq!(db.user, Some(format!("{prefix}shopu")));
    assert_eq!(db.domain.as_deref(), Some("main.test"));
    let requests = h.server.requests();
    let sent = |method: &str, path: &str| {
        requests
            .iter()
            .find(|r| r.method == method && r.path_and_query == path)
            .map(|r| serde_json::from_str::<Value>(&r.body).unwrap())
    };
    // The bare names go out; the stored ones are used from then on.
    assert_eq!(
        sent(
            "POST",
            &format!("/api/server-accounts/{account}/mysql/databases")
        ),
        Some(json!({"name": "shop"}))
    );
    assert_eq!(
        sent(
            "POST",
            &format!("/api/server-accounts/{account}/mysql/users")
        ),
        Some(
            json!({"name": "shopu", "password": "long-enough-pw", "database": format!("{prefix}shop")})
        )
    );
    assert!(sent(
        "PUT",
        &format!("/api/server-accounts/{account}/mysql/privileges/{prefix}shopu/{prefix}shop")
    )
    .is_some());
    assert_eq!(
        databases(&h.backend()).get(&db.locator()).await.unwrap(),
        Some(db)
    );
}

#[tokio::test]
async fn database_limits_and_engines_are_checked_before_creating() {
    let h = Harness::start().await;
    let (owner, _) = owner_with_account(&h);
    let backend = h.backend();
    let mut pg = database_spec(owner, "shop", None);
    pg.engine = "postgresql".into();
    let err = databases(&backend).create(&pg).await.unwrap_err();
    assert_eq!(err.kind, PanelErrorKind::Unsupported);
    assert!(h.requests().is_empty(), "postgresql cost a request");
    // 60 characters fit MySQL's 64 only without the prefix `u10X_`.
    let err = databases(&backend)
        .create(&database_spec(owner, &"n".repeat(60), None))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        PanelErrorKind::InvalidInput {
            field: Some("name".into())
        }
    );
    let err = databases(&backend)
        .create(&database_spec(owner, "shop", Some(&"u".repeat(28))))
        .await
        .unwrap_err();
    assert_eq!(
        err.kind,
        PanelErrorKind::InvalidInput {
            field: Some("user".into())
        }
    );
    assert!(
        h.requests().iter().all(|r| r.starts_with("GET")),
        "a refused name created something"
    );
}

#[tokio::test]
async fn a_leftover_mysql_user_is_reported_before_the_database_is_created() {
    let h = Harness::start().await;
    let (owner, account) = owner_with_account(&h);
    let leftover = format!("u{account}_shopu");
    h.with(|f| {
        f.accounts
            .get_mut(&account)
            .unwrap()
            .db_users
            .insert(leftover.clone(), Vec::new());
    });
    let backend = h.backend();
    let error = databases(&backend)
        .create(&database_spec(owner, "shop", Some("shopu")))
        .await
        .unwrap_err();
    assert_eq!(
        error.kind,
        PanelErrorKind::InvalidInput {
            field: Some("user".into())
        }
    );
    assert!(error.partial.is_none());
    assert!(
        error.message.contains(&format!(
            "DELETE api/server-accounts/{account}/mysql/users/{leftover}"
        )) && error.message.contains("Nothing was created"),
        "{error:?}"
    );
    assert!(h.with(|f| f.accounts[&account].databases.is_empty()));
    assert!(!h.requests().iter().any(|r| r.starts_with("POST")));
    // Once the leftover is gone, the same backend (which listed it) creates.
    h.with(|f| f.accounts.get_mut(&account).unwrap().db_users.clear());
    let created = databases(&backend)
        .create(&database_spec(owner, "shop", Some("shopu")))
        .await
        .unwrap();
    assert_eq!(created.user, Some(leftover));
}

#[tokio::test]
async fn a_leftover_mysql_user_found_late_keeps_the_new_database_as_partial() {
    let h = Harness::start().await;
    let (owner, account) = owner_with_account(&h);
    let backend = h.backend();
    // The account's MySQL users are read (and cached) before the leftover appears.
    databases(&backend)
        .create(&database_spec(owner, "first", Some("firstu")))
        .await
        .unwrap();
    let _ = databases(&backend)
        .find(&DatabaseKey {
            owner: owner.to_string(),
            name: "first".into(),
            domain: None,
        })
        .await
        .unwrap()
        .unwrap();
    let leftover = format!("u{account}_shopu");
    h.with(|f| {
        f.accounts
            .get_mut(&account)
            .unwrap()
            .db_users
            .insert(leftover.clone(), Vec::new());
    });
    let error = databases(&backend)
        .create(&database_spec(owner, "shop", Some("shopu")))
        .await
        .unwrap_err();
    assert_eq!(
        error.kind,
        PanelErrorKind::InvalidInput {
            field: Some("user".into())
        },
        "not AlreadyExists, which would drop the partial database: {error:?}"
    );
    let partial = error
        .partial::<Database>()
        .expect("the new database is kept");
    assert_eq!(partial.name, format!("u{account}_shop"));
    assert_eq!(partial.user, None);
    assert!(error.message.contains(&leftover) && error.message.contains("tainted"));
    assert_eq!(error.panel_code.as_deref(), Some("422"));
}

#[tokio::test]
async fn database_imports_take_the_configured_and_the_stored_name_and_the_suggested_id() {
    let h = Harness::start().await;
    let (owner, account) = owner_with_account(&h);
    let created = databases(&h.backend())
        .create(&database_spec(owner, "shop", Some("shopu")))
        .await
        .unwrap();
    for id in [
        format!("{owner}/{account}/shop"),
        format!("{owner}/{account}/u{account}_shop"),
    ] {
        let imported = databases(&h.backend()).import(&id).await.unwrap();
        assert_eq!(imported.as_ref(), Some(&created), "import {id}");
    }
    let backend = h.backend();
    let suggested = databases(&backend).import_id(&created);
    assert_eq!(
        databases(&h.backend()).import(&suggested).await.unwrap(),
        Some(created)
    );
    assert_eq!(
        databases(&backend)
            .import(&format!("{owner}/{account}/nope"))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn a_database_is_found_by_a_domain_of_its_account_not_only_the_main_one() {
    let h = Harness::start().await;
    let (owner, account) = owner_with_account(&h);
    h.with(|f| {
        f.accounts.get_mut(&account).unwrap().domains.push((
            "shop.test".into(),
            "addon".into(),
            None,
            "/shop".into(),
        ))
    });
    let mut spec = database_spec(owner, "shop", None);
    spec.domain = Some("shop.test".into());
    let created = databases(&h.backend()).create(&spec).await.unwrap();
    let found = databases(&h.backend())
        .find(&DatabaseKey {
            owner: owner.to_string(),
            name: "shop".into(),
            domain: Some("shop.test".into()),
        })
        .await
        .unwrap();
    assert_eq!(found, Some(created));
}

#[tokio::test]
async fn accounts_come_from_server_accounts_when_services_do_not_carry_them() {
    let h = Harness::start().await;
    let (owner, account) = owner_with_account(&h);
    h.with(|f| f.hide_accounts = true);
    let db = databases(&h.backend())
        .create(&database_spec(owner, "shop", None))
        .await
        .unwrap();
    assert_eq!(db.id, format!("{owner}/{account}/u{account}_shop"));
    assert_eq!(db.domain.as_deref(), Some("main.test"));
    assert!(h
        .requests()
        .contains(&"GET /api/server-accounts".to_owned()));
}
