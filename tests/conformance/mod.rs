//! Backend conformance suite: one set of behaviour cases written against the `Panel`
//! trait and run unchanged on every backend (hestia, plesk_xml, plesk_rest, panelalpha)
//! against `panel-sim`.
//!
//! Each generated test starts its own simulator process (fresh state, own request
//! counters), builds the backend from the ready line's credentials and runs one shared
//! async case. What differs between panels lives here, in [`Fixture`]: valid specs,
//! which request a fault must hit (route keys), and how to read an object straight out
//! of the simulator's state dump, so results are checked on the panel side and not
//! only through the backend that produced them.
//!
//! Tests are grouped per backend: `cargo test conformance::hestia::` runs one backend.

mod certificates;
mod cron_jobs;
mod database_users;
mod databases;
mod dns_records;
mod dns_zones;
mod domains;
mod economy;
mod faults;
mod ftp_accounts;
mod mail_domains;
mod mailboxes;
mod native_hestia;
mod native_panelalpha;
mod native_plesk_rest;
mod native_plesk_xml;
mod users;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use terraform_provider_panel::backends::{connect, BackendConfig, Credentials};
use terraform_provider_panel::panel::names::DomainName;
use terraform_provider_panel::panel::{
    Capabilities, DatabaseSpec, Domain, DomainKind, DomainSpec, Panel, PanelError, PanelErrorKind,
    PanelKind, Secret, User, UserSpec,
};
use terraform_provider_panel::panel::{
    Database, DatabasePatch, DomainKey, DomainPatch, ListFilter, Locator, PanelObject, PanelResult,
    Service, UserKey, UserPatch,
};

/// The calls the cases make, by object type, as the per-object services offer them:
/// written once here so the cases read like the operations they check.
#[async_trait::async_trait]
pub trait Calls {
    async fn create_user(&self, spec: &UserSpec) -> PanelResult<User>;
    async fn get_user(&self, id: &str) -> PanelResult<Option<User>>;
    async fn find_user(&self, login: &str) -> PanelResult<Option<User>>;
    async fn list_users(&self) -> PanelResult<Vec<User>>;
    async fn update_user(&self, id: &str, patch: &UserPatch) -> PanelResult<User>;
    async fn delete_user(&self, id: &str) -> PanelResult<()>;
    async fn create_domain(&self, spec: &DomainSpec) -> PanelResult<Domain>;
    async fn get_domain(&self, id: &str) -> PanelResult<Option<Domain>>;
    async fn find_domain(&self, name: &str) -> PanelResult<Option<Domain>>;
    async fn list_domains(&self, filter: &ListFilter) -> PanelResult<Vec<Domain>>;
    async fn update_domain(&self, id: &str, patch: &DomainPatch) -> PanelResult<Domain>;
    async fn delete_domain(&self, id: &str) -> PanelResult<()>;
    async fn create_database(&self, spec: &DatabaseSpec) -> PanelResult<Database>;
    async fn get_database(&self, id: &str) -> PanelResult<Option<Database>>;
    async fn list_databases(&self, filter: &ListFilter) -> PanelResult<Vec<Database>>;
    async fn update_database(&self, id: &str, patch: &DatabasePatch) -> PanelResult<Database>;
    async fn delete_database(&self, id: &str) -> PanelResult<()>;
}

fn service<O: PanelObject>(panel: &dyn Panel) -> PanelResult<&dyn Service<O>> {
    O::service(panel).ok_or_else(|| PanelError::unsupported(format!("no {} service", O::NOUN)))
}

#[async_trait::async_trait]
impl Calls for Arc<dyn Panel> {
    async fn create_user(&self, spec: &UserSpec) -> PanelResult<User> {
        service::<User>(self.as_ref())?.create(spec).await
    }
    async fn get_user(&self, id: &str) -> PanelResult<Option<User>> {
        service::<User>(self.as_ref())?.get(&Locator::new(id)).await
    }
    async fn find_user(&self, login: &str) -> PanelResult<Option<User>> {
        let key = UserKey {
            login: login.to_owned(),
        };
        service::<User>(self.as_ref())?.find(&key).await
    }
    async fn list_users(&self) -> PanelResult<Vec<User>> {
        service::<User>(self.as_ref())?
            .list(&ListFilter::default())
            .await
    }
    async fn update_user(&self, id: &str, patch: &UserPatch) -> PanelResult<User> {
        service::<User>(self.as_ref())?
            .update(&Locator::new(id), patch)
            .await
    }
    async fn delete_user(&self, id: &str) -> PanelResult<()> {
        service::<User>(self.as_ref())?
            .delete(&Locator::new(id))
            .await
    }
    async fn create_domain(&self, spec: &DomainSpec) -> PanelResult<Domain> {
        service::<Domain>(self.as_ref())?.create(spec).await
    }
    async fn get_domain(&self, id: &str) -> PanelResult<Option<Domain>> {
        service::<Domain>(self.as_ref())?
            .get(&Locator::new(id))
            .await
    }
    async fn find_domain(&self, name: &str) -> PanelResult<Option<Domain>> {
        let key = DomainKey {
            name: DomainName::lenient(name),
            owner: None,
        };
        service::<Domain>(self.as_ref())?.find(&key).await
    }
    async fn list_domains(&self, filter: &ListFilter) -> PanelResult<Vec<Domain>> {
        service::<Domain>(self.as_ref())?.list(filter).await
    }
    async fn update_domain(&self, id: &str, patch: &DomainPatch) -> PanelResult<Domain> {
        service::<Domain>(self.as_ref())?
            .update(&Locator::new(id), patch)
            .await
    }
    async fn delete_domain(&self, id: &str) -> PanelResult<()> {
        service::<Domain>(self.as_ref())?
            .delete(&Locator::new(id))
            .await
    }
    async fn create_database(&self, spec: &DatabaseSpec) -> PanelResult<Database> {
        service::<Database>(self.as_ref())?.create(spec).await
    }
    async fn get_database(&self, id: &str) -> PanelResult<Option<Database>> {
        service::<Database>(self.as_ref())?
            .get(&Locator::new(id))
            .await
    }
    async fn list_databases(&self, filter: &ListFilter) -> PanelResult<Vec<Database>> {
        service::<Database>(self.as_ref())?.list(filter).await
    }
    async fn update_database(&self, id: &str, patch: &DatabasePatch) -> PanelResult<Database> {
        service::<Database>(self.as_ref())?
            .update(&Locator::new(id), patch)
            .await
    }
    async fn delete_database(&self, id: &str) -> PanelResult<()> {
        service::<Database>(self.as_ref())?
            .delete(&Locator::new(id))
            .await
    }
}

/// Requests one backend instance may have in flight; the economy case also uses it as
/// the concurrency of a simulated refresh.
pub const MAX_CONCURRENT: usize = 8;

/// A password every simulated panel accepts (length, classes).
pub const PASSWORD: &str = "Conf-Passw0rd!7";

/// A running `panel-sim`; stopped on drop.
pub struct SimProcess {
    pub base_url: String,
    pub credentials: Value,
    child: Child,
}

impl Drop for SimProcess {
    /// SIGTERM first, so the simulator removes its certificate file; SIGKILL only if it
    /// does not stop.
    fn drop(&mut self) {
        let child = &mut self.child;
        let pid = child.id();
        if !crate::support::sim::terminate_and_wait(pid, Duration::from_secs(5), || {
            matches!(child.try_wait(), Ok(Some(_)) | Err(_))
        }) {
            let _ = child.kill();
        }
        let _ = child.wait();
    }
}

/// The simulator that serves `kind` (both Plesk APIs share the `plesk` simulator).
pub fn sim_name(kind: PanelKind) -> &'static str {
    match kind {
        PanelKind::Hestia => "hestia",
        PanelKind::PleskXml | PanelKind::PleskRest => "plesk",
        PanelKind::PanelAlpha => "panelalpha",
    }
}

/// Starts `panel-sim <panel>` on a free port and reads its ready line.
fn spawn_sim(panel: &str) -> SimProcess {
    let binary = env!("CARGO_BIN_EXE_panel-sim");
    let mut child = Command::new(binary)
        .arg(panel)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {binary}: {e}"));
    let stdout = child.stdout.take().expect("stdout is piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut lines = BufReader::new(stdout).lines();
        let _ = tx.send(lines.next().and_then(Result::ok));
        // Keep draining so the simulator never blocks on a full pipe.
        for _ in lines {}
    });
    let line = match rx.recv_timeout(Duration::from_secs(30)) {
        Ok(Some(line)) => line,
        other => {
            let _ = child.kill();
            panic!("panel-sim {panel} printed no ready line ({other:?})");
        }
    };
    let ready: Value = serde_json::from_str(&line)
        .unwrap_or_else(|e| panic!("ready line is not JSON ({e}): {line}"));
    SimProcess {
        base_url: ready["base_url"]
            .as_str()
            .unwrap_or_else(|| panic!("ready line has no base_url: {line}"))
            .to_owned(),
        credentials: ready["credentials"].clone(),
        child,
    }
}

/// Counters from `GET /__sim/requests`.
#[derive(Clone, Debug, Default)]
pub struct Requests {
    pub total: u64,
    pub routes: BTreeMap<String, u64>,
}

impl Requests {
    pub fn route(&self, key: &str) -> u64 {
        self.routes.get(key).copied().unwrap_or(0)
    }
}

/// Client of the simulator's control API (`/__sim/*`).
#[derive(Clone)]
pub struct Control {
    http: reqwest::Client,
    base: String,
}

impl Control {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<&Value>) -> Value {
        let mut request = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{method} {path} -> {status}: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    pub async fn state(&self) -> Value {
        self.call(reqwest::Method::GET, "/__sim/state", None).await
    }

    pub async fn put_state(&self, state: &Value) {
        self.call(reqwest::Method::PUT, "/__sim/state", Some(state))
            .await;
    }

    pub async fn seed(&self, objects: &Value) {
        self.call(reqwest::Method::POST, "/__sim/seed", Some(objects))
            .await;
    }

    pub async fn requests(&self) -> Requests {
        let v = self
            .call(reqwest::Method::GET, "/__sim/requests", None)
            .await;
        let routes = v["routes"]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        Requests {
            total: v["total"].as_u64().unwrap_or(0),
            routes,
        }
    }

    /// HestiaCP: whether `password` logs in to the mailbox now (`/__sim/hestia/mail-login`).
    pub async fn mail_login(
        &self,
        user: &str,
        domain: &str,
        account: &str,
        password: &str,
    ) -> bool {
        let body = serde_json::json!({
            "user": user, "domain": domain, "account": account, "password": password,
        });
        self.call(
            reqwest::Method::POST,
            "/__sim/hestia/mail-login",
            Some(&body),
        )
        .await["authenticates"]
            == Value::Bool(true)
    }

    pub async fn clear_requests(&self) {
        self.call(reqwest::Method::DELETE, "/__sim/requests", None)
            .await;
    }

    pub async fn faults(&self, faults: Value) {
        self.call(reqwest::Method::PUT, "/__sim/faults", Some(&faults))
            .await;
    }
}

/// What a panel-side record of a user says, read from the state dump.
#[derive(Clone, Debug, PartialEq)]
pub struct SimUser {
    pub login: String,
    pub email: String,
    pub name: String,
    pub plan: Option<String>,
    pub suspended: bool,
    /// The stored password hash, to see that a password change reached the panel.
    pub password_hash: String,
}

/// A multi-call create and the route of its second call, for the partial-create case.
#[derive(Clone, Copy, Debug)]
pub enum PartialStep {
    /// `create_user` with `suspended: true`; the suspension is the second call.
    UserSuspend(&'static str),
    /// `create_database` with a user; the user creation is the second call.
    DatabaseUser(&'static str),
}

/// One simulator plus a backend connected to it.
pub struct Fixture {
    pub kind: PanelKind,
    pub sim: SimProcess,
    pub panel: Arc<dyn Panel>,
    pub control: Control,
}

impl Fixture {
    pub async fn start(kind: PanelKind) -> Self {
        let name = sim_name(kind);
        let sim = tokio::task::spawn_blocking(move || spawn_sim(name))
            .await
            .expect("spawning the simulator");
        let control = Control {
            http: reqwest::Client::new(),
            base: sim.base_url.clone(),
        };
        let panel = connect(backend_config(
            kind,
            &sim.base_url,
            credentials_for(kind, &sim.credentials),
        ))
        .unwrap_or_else(|e| panic!("connect({}) failed: {e:?}", kind.as_str()));
        Self {
            kind,
            sim,
            panel,
            control,
        }
    }

    /// The working admin credentials from the ready line, in the form this backend takes.
    pub fn credentials(&self) -> Credentials {
        credentials_for(self.kind, &self.sim.credentials)
    }

    /// The same scheme with a wrong secret.
    pub fn wrong_credentials(&self) -> Credentials {
        match self.credentials() {
            Credentials::AccessKey { access_key, .. } => Credentials::AccessKey {
                access_key,
                secret_key: Secret::new("wrongsecret00000000000000000000000000000"),
            },
            Credentials::ApiKey(_) => {
                Credentials::ApiKey(Secret::new("00000000-0000-4000-8000-000000000bad"))
            }
            Credentials::LoginPassword { login, .. } => Credentials::LoginPassword {
                login,
                password: Secret::new("wrong-Passw0rd!"),
            },
            Credentials::Token(_) => Credentials::Token(Secret::new("wrong-token")),
            other => other,
        }
    }

    /// A FRESH backend instance (empty caches), as a new provider process would have.
    pub fn backend(&self) -> Arc<dyn Panel> {
        self.backend_with(self.credentials())
    }

    pub fn backend_with(&self, credentials: Credentials) -> Arc<dyn Panel> {
        connect(backend_config(self.kind, &self.sim.base_url, credentials))
            .unwrap_or_else(|e| panic!("connect({}) failed: {e:?}", self.kind.as_str()))
    }

    pub fn caps(&self) -> Capabilities {
        self.panel.capabilities()
    }

    // ---- panel-specific specs -------------------------------------------------------

    /// A service plan that exists on a fresh simulator, where users have plans.
    pub fn plan(&self) -> Option<String> {
        match self.kind {
            PanelKind::Hestia => Some("default".to_owned()),
            PanelKind::PanelAlpha => Some("Starter".to_owned()),
            PanelKind::PleskRest | PanelKind::PleskXml => None,
        }
    }

    /// A valid user spec; `tag` keeps logins and emails distinct within one test.
    pub fn user_spec(&self, tag: &str) -> UserSpec {
        UserSpec {
            login: format!("conf{tag}"),
            email: format!("conf.{tag}@example.com"),
            name: format!("Conf User {tag}"),
            password: Secret::new(PASSWORD),
            plan: self.plan(),
            suspended: false,
        }
    }

    /// A user that can own domains and databases (on PanelAlpha that needs a plan, which
    /// provisions the hosting account).
    pub async fn create_owner(&self, tag: &str) -> User {
        let spec = self.user_spec(tag);
        self.panel
            .create_user(&spec)
            .await
            .unwrap_or_else(|e| panic!("creating owner {tag}: {e:?}"))
    }

    pub fn domain_spec(
        &self,
        owner: &User,
        name: &str,
        kind: DomainKind,
        parent: Option<&str>,
    ) -> DomainSpec {
        DomainSpec {
            name: name.to_owned(),
            owner: owner.id.clone(),
            kind,
            parent: parent.map(str::to_owned),
            document_root: None,
            php_version: None,
            ip_address: None,
            system_password: Some(Secret::new(PASSWORD)),
        }
    }

    /// The kind of domain this panel lets the provider create as a stand-alone site:
    /// PanelAlpha creates a hosting account's main domain only with the plan, so there
    /// the first domain a user can add is an addon domain.
    pub fn site_kind(&self) -> DomainKind {
        match self.kind {
            PanelKind::PanelAlpha => DomainKind::Addon,
            _ => DomainKind::Main,
        }
    }

    /// A site (domain) of `owner` that can hold databases and subdomains.
    pub async fn create_site(&self, owner: &User, name: &str) -> Domain {
        let spec = self.domain_spec(owner, name, self.site_kind(), None);
        self.panel
            .create_domain(&spec)
            .await
            .unwrap_or_else(|e| panic!("creating site {name}: {e:?}"))
    }

    pub fn database_spec(
        &self,
        owner: &User,
        site: Option<&Domain>,
        name: &str,
        user: Option<&str>,
    ) -> DatabaseSpec {
        let caps = self.caps();
        DatabaseSpec {
            name: name.to_owned(),
            owner: owner.id.clone(),
            domain: if caps.database_requires_domain {
                site.map(|d| d.name.clone())
            } else {
                None
            },
            engine: "mysql".to_owned(),
            user: user.map(str::to_owned),
            password: user.map(|_| Secret::new(PASSWORD)),
        }
    }

    /// Whether this panel needs a site before a database can be created.
    pub fn database_needs_site(&self) -> bool {
        self.caps().database_requires_domain
    }

    // ---- route keys (as the simulators count them) ----------------------------------

    /// The request that creates a user.
    pub fn create_user_route(&self) -> &'static str {
        match self.kind {
            PanelKind::Hestia => "v-add-user",
            PanelKind::PleskRest => "POST /api/v2/clients",
            PanelKind::PleskXml => "xml customer.add",
            PanelKind::PanelAlpha => "POST /api/admin/users",
        }
    }

    /// The request that creates a database (not the lookups before it).
    pub fn create_database_route(&self) -> &'static str {
        match self.kind {
            PanelKind::Hestia => "v-add-database",
            PanelKind::PleskRest => "POST /api/v2/databases",
            PanelKind::PleskXml => "xml database.add-db",
            PanelKind::PanelAlpha => "POST /api/server-accounts/{id}/mysql/databases",
        }
    }

    /// A multi-call create of this backend, and the route of its second call.
    pub fn partial_step(&self) -> PartialStep {
        match self.kind {
            PanelKind::Hestia => PartialStep::UserSuspend("v-suspend-user"),
            PanelKind::PleskRest => PartialStep::DatabaseUser("POST /api/v2/dbusers"),
            PanelKind::PleskXml => PartialStep::DatabaseUser("xml database.add-db-user"),
            PanelKind::PanelAlpha => {
                PartialStep::DatabaseUser("POST /api/server-accounts/{id}/mysql/users")
            }
        }
    }

    // ---- attributes a panel can set but not read back ---------------------------------

    /// Whether a domain read reports the PHP version. PanelAlpha sets it per domain but
    /// lists domains without it, and one request per domain would break the refresh
    /// economy, so its backend reports `None` (the resource layer keeps the configured
    /// value).
    pub fn php_version_readable(&self) -> bool {
        self.kind != PanelKind::PanelAlpha
    }

    /// The PHP version the simulator stores for domain `name`, where the simulator
    /// keeps one per domain.
    pub fn sim_php_version(&self, dump: &Value, name: &str) -> Option<String> {
        match self.kind {
            PanelKind::PanelAlpha => objects(&dump["accounts"]).into_iter().find_map(|(_, a)| {
                a["domains"]
                    .as_array()?
                    .iter()
                    .find(|d| d["domain"] == name)
                    .map(|d| text(&d["php_version"]))
            }),
            _ => None,
        }
    }

    // ---- the simulator's own view ---------------------------------------------------

    /// The user with panel id `id` as the simulator stores it.
    pub fn sim_user(&self, dump: &Value, id: &str) -> Option<SimUser> {
        match self.kind {
            PanelKind::Hestia => {
                let u = dump["users"].get(id)?;
                Some(SimUser {
                    login: id.to_owned(),
                    email: text(&u["contact"]),
                    name: text(&u["name"]),
                    plan: Some(text(&u["package"])).filter(|p| !p.is_empty()),
                    suspended: u["suspended"].as_bool().unwrap_or(false),
                    password_hash: text(&u["password_sha256"]),
                })
            }
            PanelKind::PleskRest | PanelKind::PleskXml => {
                let c = dump["clients"].get(id)?;
                Some(SimUser {
                    login: text(&c["login"]),
                    email: text(&c["email"]),
                    name: text(&c["name"]),
                    plan: None,
                    suspended: c["status"].as_u64().unwrap_or(0) != 0,
                    password_hash: text(&c["password_hash"]),
                })
            }
            PanelKind::PanelAlpha => {
                let u = dump["users"].get(id)?;
                let numeric: u64 = id.parse().ok()?;
                let services: Vec<&Value> = dump["services"]
                    .as_object()
                    .map(|m| {
                        m.values()
                            .filter(|s| {
                                s["user_id"].as_u64() == Some(numeric) && s["archived_at"].is_null()
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let plan = services.first().and_then(|s| {
                    let plan_id = s["plan_id"].as_u64()?.to_string();
                    dump["plans"].get(&plan_id).map(|p| text(&p["name"]))
                });
                let name = [text(&u["first_name"]), text(&u["last_name"])]
                    .into_iter()
                    .filter(|p| !p.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                Some(SimUser {
                    login: text(&u["email"]),
                    email: text(&u["email"]),
                    name,
                    plan,
                    suspended: services.iter().any(|s| s["status"] == "suspended"),
                    password_hash: u["password"].to_string(),
                })
            }
        }
    }

    /// The panel id (as the backend reports `owner`) of whoever owns domain `name`.
    pub fn sim_domain_owner(&self, dump: &Value, name: &str) -> Option<String> {
        match self.kind {
            PanelKind::Hestia => objects(&dump["users"]).into_iter().find_map(|(login, u)| {
                u["web_domains"]
                    .as_array()?
                    .iter()
                    .any(|d| d["domain"] == name)
                    .then(|| login.clone())
            }),
            PanelKind::PleskRest | PanelKind::PleskXml => objects(&dump["domains"])
                .into_iter()
                .find(|(_, d)| d["ascii_name"] == name || d["name"] == name)
                .map(|(_, d)| d["owner_id"].to_string()),
            PanelKind::PanelAlpha => objects(&dump["accounts"]).into_iter().find_map(|(_, a)| {
                let main = a["domain"] == name;
                let listed = a["domains"].as_array().is_some_and(|list| {
                    list.iter().any(|d| {
                        d["domain"] == name
                            || d["parent"].as_str().is_some_and(|p| {
                                d["domain"]
                                    .as_str()
                                    .is_some_and(|l| format!("{l}.{p}") == name)
                            })
                    })
                });
                (main || listed).then(|| a["user_id"].to_string())
            }),
        }
    }

    /// Whether the simulator holds a database called `name` (as the panel stores it).
    pub fn sim_has_database(&self, dump: &Value, name: &str) -> bool {
        match self.kind {
            PanelKind::Hestia => objects(&dump["users"]).into_iter().any(|(_, u)| {
                u["databases"]
                    .as_array()
                    .is_some_and(|l| l.iter().any(|d| d["database"] == name))
            }),
            PanelKind::PleskRest | PanelKind::PleskXml => objects(&dump["databases"])
                .into_iter()
                .any(|(_, d)| d["name"] == name),
            PanelKind::PanelAlpha => objects(&dump["accounts"])
                .into_iter()
                .any(|(_, a)| a["databases"].get(name).is_some()),
        }
    }

    // ---- economy seed -----------------------------------------------------------------

    /// Seed with `owners` users, each with `per_owner` domains and `per_owner` databases
    /// (every database with its own user).
    pub fn economy_seed(&self, owners: usize, per_owner: usize) -> Value {
        let login = |o: usize| format!("eco{o:02}");
        match self.kind {
            PanelKind::Hestia => json!({
                "users": (1..=owners).map(|o| json!({
                    "user": login(o),
                    "password": PASSWORD,
                    "email": format!("{}@example.com", login(o)),
                    "name": format!("Eco Owner {o}"),
                    "package": "default",
                    "web_domains": (1..=per_owner)
                        .map(|d| json!({"domain": format!("{}-site{d}.test", login(o))}))
                        .collect::<Vec<_>>(),
                    "databases": (1..=per_owner)
                        .map(|d| json!({"database": format!("db{d}"), "dbuser": format!("u{d}"),
                                        "password": PASSWORD, "type": "mysql"}))
                        .collect::<Vec<_>>(),
                })).collect::<Vec<_>>()
            }),
            PanelKind::PleskRest | PanelKind::PleskXml => {
                let mut clients = Vec::new();
                let mut domains = Vec::new();
                let mut databases = Vec::new();
                for o in 1..=owners {
                    clients.push(json!({"login": login(o), "name": format!("Eco Owner {o}"),
                        "email": format!("{}@example.com", login(o)), "password": PASSWORD}));
                    for d in 1..=per_owner {
                        domains.push(json!({"name": format!("{}-site{d}.test", login(o)),
                            "owner_login": login(o), "ftp_login": format!("{}f{d}", login(o)),
                            "ftp_password": PASSWORD}));
                    }
                    // Several databases share a site, as on real subscriptions.
                    for d in 1..=per_owner {
                        let site = (d - 1) % 3 + 1;
                        databases.push(json!({"name": format!("{}db{d}", login(o)),
                            "domain": format!("{}-site{site}.test", login(o)), "type": "mysql",
                            "users": [{"login": format!("{}u{d}", login(o)), "password": PASSWORD}]}));
                    }
                }
                json!({"clients": clients, "domains": domains, "databases": databases})
            }
            PanelKind::PanelAlpha => json!({
                "users": (1..=owners).map(|o| json!({
                    "email": format!("{}@example.com", login(o)),
                    "first_name": "Eco", "last_name": format!("Owner{o}"),
                    "password": PASSWORD,
                    "services": [{
                        "plan": "Starter",
                        "domain": format!("{}-site1.test", login(o)),
                        "domains": (2..=per_owner)
                            .map(|d| json!(format!("{}-site{d}.test", login(o))))
                            .collect::<Vec<_>>(),
                        "databases": (1..=per_owner)
                            .map(|d| json!({"name": format!("db{d}"), "users": [format!("u{d}")]}))
                            .collect::<Vec<_>>(),
                    }],
                })).collect::<Vec<_>>()
            }),
        }
    }
}

/// The ready line's working admin credentials, in the form backend `kind` takes.
fn credentials_for(kind: PanelKind, ready: &Value) -> Credentials {
    let text = |key: &str| {
        ready[key]
            .as_str()
            .unwrap_or_else(|| panic!("ready line credentials lack {key}: {ready}"))
            .to_owned()
    };
    match kind {
        PanelKind::Hestia => Credentials::AccessKey {
            access_key: text("access_key"),
            secret_key: Secret::new(text("secret_key")),
        },
        PanelKind::PleskRest => Credentials::ApiKey(Secret::new(text("api_key"))),
        PanelKind::PleskXml => Credentials::LoginPassword {
            login: text("login"),
            password: Secret::new(text("password")),
        },
        PanelKind::PanelAlpha => Credentials::Token(Secret::new(text("token"))),
    }
}

fn backend_config(kind: PanelKind, base_url: &str, credentials: Credentials) -> BackendConfig {
    BackendConfig {
        kind,
        endpoint: base_url.to_owned(),
        credentials,
        insecure: false,
        ca_cert_pem: None,
        request_timeout: Duration::from_secs(20),
        max_concurrent_requests: MAX_CONCURRENT,
        terraform_version: None,
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn objects(v: &Value) -> Vec<(&String, &Value)> {
    v.as_object()
        .map(|m| m.iter().collect())
        .unwrap_or_default()
}

// ---- assertion helpers ------------------------------------------------------------------

/// Asserts `result` failed with `kind`, showing the whole error otherwise.
#[track_caller]
pub fn assert_kind<T: std::fmt::Debug>(
    result: Result<T, PanelError>,
    kind: PanelErrorKind,
    what: &str,
) -> PanelError {
    match result {
        Ok(value) => panic!("{what}: expected {kind:?}, got Ok({value:?})"),
        Err(e) => {
            assert_eq!(e.kind, kind, "{what}: wrong error kind: {e:?}");
            e
        }
    }
}

/// Asserts `result` is `InvalidInput` naming `field`.
#[track_caller]
pub fn assert_invalid<T: std::fmt::Debug>(result: Result<T, PanelError>, field: &str, what: &str) {
    match result {
        Ok(value) => panic!("{what}: expected InvalidInput({field}), got Ok({value:?})"),
        Err(e) => assert_eq!(
            e.kind,
            PanelErrorKind::InvalidInput {
                field: Some(field.to_owned())
            },
            "{what}: {e:?}"
        ),
    }
}

/// Unwraps a panel result with the whole error in the message.
#[track_caller]
pub fn ok<T>(result: Result<T, PanelError>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {e:?}"))
}

// ---- generated tests ----------------------------------------------------------------------

/// One module per backend, each with every case; the case bodies are shared.
macro_rules! conformance_cases {
    ($backend:ident, $kind:expr) => {
        mod $backend {
            use terraform_provider_panel::panel::PanelKind;

            const KIND: PanelKind = $kind;

            macro_rules! case {
                ($name:ident, $body:path) => {
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        $body(KIND).await
                    }
                };
            }

            case!(user_lifecycle, super::users::lifecycle);
            case!(user_duplicate_is_already_exists, super::users::duplicate);
            case!(user_invalid_input, super::users::invalid_input);
            case!(user_plan_capability, super::users::plan_capability);
            case!(user_deleted_behind_back, super::users::deleted_behind_back);
            case!(domain_lifecycle, super::domains::lifecycle);
            case!(domain_normalisation, super::domains::normalisation);
            case!(
                domain_duplicate_is_already_exists,
                super::domains::duplicate
            );
            case!(
                domain_addon_and_subdomain,
                super::domains::addon_and_subdomain
            );
            case!(domain_settings_update, super::domains::settings_update);
            case!(
                domain_deleted_behind_back,
                super::domains::deleted_behind_back
            );
            case!(database_lifecycle, super::databases::lifecycle);
            case!(
                database_duplicate_is_already_exists,
                super::databases::duplicate
            );
            case!(database_name_rules, super::databases::name_rules);
            case!(
                database_engine_capability,
                super::databases::engine_capability
            );
            case!(
                database_deleted_behind_back,
                super::databases::deleted_behind_back
            );
            case!(
                partial_create_reports_partial,
                super::faults::partial_create
            );
            case!(auth_failure, super::faults::auth_failure);
            case!(read_retried_on_503, super::faults::read_retried_on_503);
            case!(
                read_honours_429_retry_after,
                super::faults::read_honours_429
            );
            case!(
                read_gives_up_after_three_tries,
                super::faults::read_gives_up
            );
            case!(
                create_not_retried_after_drop,
                super::faults::create_not_retried
            );
            case!(refresh_economy, super::economy::refresh_economy);
            case!(cron_job_lifecycle, super::cron_jobs::lifecycle);
            case!(cron_job_renumbering, super::cron_jobs::renumbering);
            case!(
                cron_job_lost_create_answer,
                super::cron_jobs::lost_create_answer
            );
            case!(cron_job_invalid_input, super::cron_jobs::invalid_input);
            case!(
                cron_job_parallel_deletes,
                super::cron_jobs::parallel_deletes
            );
            case!(ftp_account_lifecycle, super::ftp_accounts::lifecycle);
            case!(
                ftp_account_lost_create_answer,
                super::ftp_accounts::lost_create_answer
            );
            case!(
                ftp_account_invalid_input,
                super::ftp_accounts::invalid_input
            );
            case!(
                database_user_beside_a_database_with_its_own_user,
                super::database_users::beside_a_database_with_its_own_user
            );
            case!(dns_record_lifecycle, super::dns_records::lifecycle);
            case!(dns_record_renumbering, super::dns_records::renumbering);
            case!(
                dns_record_lost_create_answer,
                super::dns_records::lost_create_answer
            );
            case!(dns_record_invalid_input, super::dns_records::invalid_input);
            case!(certificate_lifecycle, super::certificates::lifecycle);
            case!(certificate_lets_encrypt, super::certificates::lets_encrypt);
            case!(
                certificate_lost_create_answer,
                super::certificates::lost_create_answer
            );
            case!(
                certificate_invalid_input,
                super::certificates::invalid_input
            );
            case!(
                dns_record_parallel_changes,
                super::dns_records::parallel_changes
            );
            case!(dns_record_xml_change, super::dns_records::xml_change);
            case!(database_user_lifecycle, super::database_users::lifecycle);
            case!(
                database_user_lost_create_answer,
                super::database_users::lost_create_answer
            );
            case!(
                database_user_invalid_input,
                super::database_users::invalid_input
            );
            case!(mailbox_lifecycle, super::mailboxes::lifecycle);
            case!(
                mailbox_lost_create_answer,
                super::mailboxes::lost_create_answer
            );
            case!(mailbox_invalid_input, super::mailboxes::invalid_input);
            case!(mail_domain_lifecycle, super::mail_domains::lifecycle);
            case!(
                mail_domain_lost_create_answer,
                super::mail_domains::lost_create_answer
            );
            case!(
                mail_domain_invalid_input,
                super::mail_domains::invalid_input
            );
            case!(dns_zone_lifecycle, super::dns_zones::lifecycle);
            case!(
                dns_zone_lost_create_answer,
                super::dns_zones::lost_create_answer
            );
            case!(dns_zone_invalid_input, super::dns_zones::invalid_input);
        }
    };
}

conformance_cases!(hestia, PanelKind::Hestia);
conformance_cases!(plesk_xml, PanelKind::PleskXml);
conformance_cases!(plesk_rest, PanelKind::PleskRest);
conformance_cases!(panelalpha, PanelKind::PanelAlpha);
