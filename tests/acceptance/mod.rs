//! Acceptance tests: the real Terraform CLI drives the built provider against
//! `panel-sim`, once per backend, and every step is checked on the simulator's side
//! (`GET /__sim/state`), not only in Terraform's state.
//!
//! Shared here: which backends exist and how to point the provider at a simulator
//! ([`Backend`], [`Sim`]), and a backend-neutral reading of each simulator's state dump
//! ([`SimView`]), so a scenario can say "the panel holds database `store`" the same way
//! on all four APIs.

mod adopt;
mod certificates;
mod cron_jobs;
mod database_users;
mod defects;
mod dns_records;
mod dns_zones;
mod economy;
mod examples;
mod faults;
mod ftp_accounts;
mod lifecycle;
mod mail_domains;
mod mailboxes;
mod plan_errors;

use std::time::Duration;

use serde_json::Value;

use crate::support::sim::{self, SimProcess};
use crate::support::terraform::{Terraform, REQUIRED_PROVIDERS};

/// The provider's four panel APIs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Hestia,
    PleskRest,
    PleskXml,
    PanelAlpha,
}

impl Backend {
    /// The provider's `type` value.
    pub fn provider_type(self) -> &'static str {
        match self {
            Backend::Hestia => "hestia",
            Backend::PleskRest => "plesk_rest",
            Backend::PleskXml => "plesk_xml",
            Backend::PanelAlpha => "panelalpha",
        }
    }

    /// Which simulator serves it (both Plesk APIs share one).
    pub fn sim_panel(self) -> &'static str {
        match self {
            Backend::Hestia => "hestia",
            Backend::PleskRest | Backend::PleskXml => "plesk",
            Backend::PanelAlpha => "panelalpha",
        }
    }

    pub fn is_plesk(self) -> bool {
        matches!(self, Backend::PleskRest | Backend::PleskXml)
    }
}

/// A running simulator plus a client for its control API and panel API.
pub struct Sim {
    pub backend: Backend,
    pub process: SimProcess,
    runtime: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Sim {
    pub fn start(backend: Backend) -> Self {
        let process = sim::spawn(backend.sim_panel(), &[]);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|err| panic!("cannot build a tokio runtime: {err}"));
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap_or_else(|err| panic!("cannot build an HTTP client: {err}"));
        Self {
            backend,
            process,
            runtime,
            http,
        }
    }

    /// The provider settings (environment variables) that reach this simulator.
    pub fn provider_env(&self) -> Vec<(&'static str, String)> {
        let p = &self.process;
        let mut env = vec![
            ("PANEL_TYPE", self.backend.provider_type().to_owned()),
            ("PANEL_ENDPOINT", p.base_url.clone()),
        ];
        match self.backend {
            Backend::Hestia => {
                env.push(("PANEL_ACCESS_KEY", p.cred("access_key")));
                env.push(("PANEL_SECRET_KEY", p.cred("secret_key")));
            }
            Backend::PleskRest => env.push(("PANEL_API_KEY", p.cred("api_key"))),
            Backend::PleskXml => env.push(("PANEL_SECRET_KEY", p.cred("secret_key"))),
            Backend::PanelAlpha => env.push(("PANEL_TOKEN", p.cred("token"))),
        }
        env
    }

    /// A fresh Terraform working directory whose provider talks to this simulator,
    /// with the `terraform` and `provider` blocks already written (`providers.tf`).
    pub fn terraform(&self) -> Terraform {
        let mut tf = Terraform::new();
        for (name, value) in self.provider_env() {
            tf.set_env(name, &value);
        }
        tf.write(
            "providers.tf",
            &format!("{REQUIRED_PROVIDERS}\nprovider \"panel\" {{}}\n"),
        );
        tf
    }

    fn send(&self, request: reqwest::RequestBuilder, what: &str) -> (u16, String) {
        self.runtime.block_on(async {
            let response = request
                .send()
                .await
                .unwrap_or_else(|err| panic!("{what}: request failed: {err}"));
            let status = response.status().as_u16();
            let body = response
                .text()
                .await
                .unwrap_or_else(|err| panic!("{what}: unreadable body: {err}"));
            (status, body)
        })
    }

    fn control(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Value {
        let mut request = self.http.request(method.clone(), self.process.url(path));
        if let Some(body) = body {
            request = request.json(body);
        }
        let what = format!("{method} {path}");
        let (status, text) = self.send(request, &what);
        assert!(
            (200..300).contains(&status),
            "{what} answered {status}: {text}"
        );
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// `GET /__sim/state`.
    pub fn dump(&self) -> Value {
        self.control(reqwest::Method::GET, "/__sim/state", None)
    }

    /// `POST /__sim/seed`.
    pub fn seed(&self, body: &Value) {
        self.control(reqwest::Method::POST, "/__sim/seed", Some(body));
    }

    /// `PUT /__sim/faults`: changes the knobs named in `faults`.
    pub fn set_faults(&self, faults: &Value) {
        self.control(reqwest::Method::PUT, "/__sim/faults", Some(faults));
    }

    /// `GET /__sim/requests`: (total, per route).
    pub fn requests(&self) -> (u64, Vec<(String, u64)>) {
        let counts = self.control(reqwest::Method::GET, "/__sim/requests", None);
        let total = counts["total"].as_u64().unwrap_or_else(|| {
            panic!("/__sim/requests has no total: {counts}");
        });
        let mut routes: Vec<(String, u64)> = counts["routes"]
            .as_object()
            .map(|routes| {
                routes
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        routes.sort();
        (total, routes)
    }

    /// `DELETE /__sim/requests`.
    pub fn reset_requests(&self) {
        self.control(reqwest::Method::DELETE, "/__sim/requests", None);
    }

    /// The simulator's objects, read the same way for every panel.
    pub fn view(&self) -> SimView {
        SimView::parse(self.backend, &self.dump())
    }

    /// Deletes a database through the panel's own API, the way a person at the panel
    /// would, behind Terraform's back. `name` is the unprefixed name.
    pub fn delete_database_behind_terraforms_back(&self, name: &str) {
        let dump = self.dump();
        let view = SimView::parse(self.backend, &dump);
        let database = view
            .database(name)
            .unwrap_or_else(|| panic!("no database {name} to delete: {view:#?}"))
            .clone();
        let p = &self.process;
        let request = match self.backend {
            Backend::Hestia => self.http.post(p.url("/api/")).form(&[
                ("access_key", p.cred("access_key")),
                ("secret_key", p.cred("secret_key")),
                ("returncode", "yes".to_owned()),
                ("cmd", "v-delete-database".to_owned()),
                ("arg1", database.owner.clone()),
                ("arg2", database.name.clone()),
            ]),
            Backend::PleskRest | Backend::PleskXml => self
                .http
                .delete(p.url(&format!("/api/v2/databases/{}", database.panel_id)))
                .header("X-API-Key", p.cred("api_key")),
            Backend::PanelAlpha => {
                let (user, account) = database
                    .panel_id
                    .split_once('/')
                    .unwrap_or_else(|| panic!("bad panelalpha id {}", database.panel_id));
                self.http
                    .delete(p.url(&format!(
                        "/api/server-accounts/{account}/mysql/databases/{}",
                        database.name
                    )))
                    .header("Authorization", format!("Bearer {}", p.cred("token")))
                    .header("X-PanelAlpha-User", user)
                    .header("Accept", "application/json")
            }
        };
        let (status, body) = self.send(request, "deleting a database through the panel API");
        assert!(
            (200..300).contains(&status),
            "the panel refused to delete database {name}: {status} {body}"
        );
        if self.backend == Backend::Hestia {
            assert_eq!(body.trim(), "0", "v-delete-database failed: {body}");
        }
        assert!(
            self.view().database(name).is_none(),
            "database {name} still there after deleting it"
        );
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SimUser {
    /// Login (PanelAlpha: the email).
    pub login: String,
    pub email: String,
    pub name: String,
    /// The stored password hash, to tell whether it changed.
    pub password: String,
    pub panel_id: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SimDomain {
    pub name: String,
    /// The owner's login (PanelAlpha: email).
    pub owner: String,
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SimDatabase {
    /// As the panel stores it (Hestia and PanelAlpha: prefixed).
    pub name: String,
    /// The owner's login (PanelAlpha: email).
    pub owner: String,
    /// (user name as stored, password hash)
    pub users: Vec<(String, String)>,
    /// Hestia: the name; Plesk: numeric id; PanelAlpha: `userId/accountId`.
    pub panel_id: String,
}

/// The customer objects a simulator holds (the administrator and the panel's own
/// fixtures left out).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SimView {
    pub users: Vec<SimUser>,
    pub domains: Vec<SimDomain>,
    pub databases: Vec<SimDatabase>,
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl SimView {
    pub fn parse(backend: Backend, dump: &Value) -> Self {
        match backend {
            Backend::Hestia => Self::parse_hestia(dump),
            Backend::PleskRest | Backend::PleskXml => Self::parse_plesk(dump),
            Backend::PanelAlpha => Self::parse_panelalpha(dump),
        }
    }

    fn parse_hestia(dump: &Value) -> Self {
        let mut view = SimView::default();
        let users = dump["users"]
            .as_object()
            .unwrap_or_else(|| panic!("hestia dump has no users: {dump}"));
        for (login, user) in users {
            if login == "admin" {
                continue;
            }
            view.users.push(SimUser {
                login: login.clone(),
                email: text(&user["contact"]),
                name: text(&user["name"]),
                password: text(&user["password_sha256"]),
                panel_id: login.clone(),
            });
            for domain in user["web_domains"].as_array().into_iter().flatten() {
                view.domains.push(SimDomain {
                    name: text(&domain["domain"]),
                    owner: login.clone(),
                    kind: "main".to_owned(),
                });
            }
            for database in user["databases"].as_array().into_iter().flatten() {
                view.databases.push(SimDatabase {
                    name: text(&database["database"]),
                    owner: login.clone(),
                    users: vec![(
                        text(&database["dbuser"]),
                        text(&database["password_sha256"]),
                    )],
                    panel_id: text(&database["database"]),
                });
            }
        }
        view
    }

    fn parse_plesk(dump: &Value) -> Self {
        let mut view = SimView::default();
        let clients = dump["clients"]
            .as_object()
            .unwrap_or_else(|| panic!("plesk dump has no clients: {dump}"));
        let login_of = |id: &Value| -> String {
            clients
                .get(&text(id))
                .map(|c| text(&c["login"]))
                .unwrap_or_else(|| format!("<unknown client {id}>"))
        };
        for client in clients.values() {
            if client["kind"] == "admin" {
                continue;
            }
            view.users.push(SimUser {
                login: text(&client["login"]),
                email: text(&client["email"]),
                name: text(&client["name"]),
                password: text(&client["password_hash"]),
                panel_id: text(&client["id"]),
            });
        }
        let domains = dump["domains"].as_object().cloned().unwrap_or_default();
        for domain in domains.values() {
            view.domains.push(SimDomain {
                name: text(&domain["ascii_name"]),
                owner: login_of(&domain["owner_id"]),
                kind: text(&domain["kind"]),
            });
        }
        let db_users = dump["db_users"].as_object().cloned().unwrap_or_default();
        for database in dump["databases"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            let owner = domains
                .get(&text(&database["domain_id"]))
                .map(|d| login_of(&d["owner_id"]))
                .unwrap_or_default();
            let users = db_users
                .values()
                .filter(|u| u["database_id"] == database["id"])
                .map(|u| (text(&u["login"]), text(&u["password_hash"])))
                .collect();
            view.databases.push(SimDatabase {
                name: text(&database["name"]),
                owner,
                users,
                panel_id: text(&database["id"]),
            });
        }
        view
    }

    fn parse_panelalpha(dump: &Value) -> Self {
        let mut view = SimView::default();
        let users = dump["users"]
            .as_object()
            .unwrap_or_else(|| panic!("panelalpha dump has no users: {dump}"));
        for user in users.values() {
            let name = format!("{} {}", text(&user["first_name"]), text(&user["last_name"]));
            view.users.push(SimUser {
                login: text(&user["email"]),
                email: text(&user["email"]),
                name: name.trim().to_owned(),
                password: text(&user["password"]),
                panel_id: text(&user["id"]),
            });
        }
        for account in dump["accounts"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
        {
            let user_id = text(&account["user_id"]);
            let owner = users
                .get(&user_id)
                .map(|u| text(&u["email"]))
                .unwrap_or_default();
            for domain in account["domains"].as_array().into_iter().flatten() {
                view.domains.push(SimDomain {
                    name: text(&domain["domain"]),
                    owner: owner.clone(),
                    kind: text(&domain["kind"]),
                });
            }
            let db_users = account["db_users"].as_object().cloned().unwrap_or_default();
            for name in account["databases"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.keys())
            {
                let users = db_users
                    .iter()
                    .filter(|(_, u)| u["grants"].get(name).is_some())
                    .map(|(n, u)| (n.clone(), text(&u["password"])))
                    .collect();
                view.databases.push(SimDatabase {
                    name: name.clone(),
                    owner: owner.clone(),
                    users,
                    panel_id: format!("{user_id}/{}", text(&account["id"])),
                });
            }
        }
        view
    }

    pub fn user(&self, login: &str) -> Option<&SimUser> {
        self.users.iter().find(|u| u.login == login)
    }

    pub fn domain(&self, name: &str) -> Option<&SimDomain> {
        self.domains.iter().find(|d| d.name == name)
    }

    /// A database by the name the configuration gives it: exact, or with the panel's
    /// `prefix_` in front (Hestia, PanelAlpha).
    pub fn database(&self, name: &str) -> Option<&SimDatabase> {
        let suffix = format!("_{name}");
        self.databases
            .iter()
            .find(|d| d.name == name)
            .or_else(|| self.databases.iter().find(|d| d.name.ends_with(&suffix)))
    }

    pub fn is_empty(&self) -> bool {
        self.users.is_empty() && self.domains.is_empty() && self.databases.is_empty()
    }
}
