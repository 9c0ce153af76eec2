//! Plesk REST API v2 backend: maps the neutral model onto clients, domains
//! (subscriptions, addon domains, subdomains), databases and database users.
//!
//! Ids:
//! - user: the client's numeric id;
//! - domain: `"{clientId}/{domainId}"`. `DomainResponse` carries no owner, so the owner
//!   is part of the id and a refresh is ONE request, `GET /clients/{owner}/domains`,
//!   shared (single flight, per process) by every domain of that owner. That list also
//!   tells the subscription of an addon domain and the parent of a subdomain. A bare
//!   numeric domain id (import by Plesk id) costs one more request,
//!   `GET /domains/{id}/client`;
//! - database: `"{clientId}/{domainName}/{databaseId}"`. The spec has no
//!   `GET /databases/{id}`; a refresh lists `GET /databases?domain=` (once per domain and
//!   process) and, only for a database that has a user, `GET /dbusers` (once per process
//!   for all databases).
//!
//! What the REST API cannot do, declared in [`Capabilities`]: clients have no service
//! plan (plans belong to subscriptions), domains expose neither PHP settings nor a
//! settable document root (`www_root` is reported read-only as `document_root`), and a
//! subscription's IP addresses are write-only (sent on create/update, never returned).

pub mod client;
pub mod error;
pub mod wire;

use std::sync::Arc;

use reqwest::Method;

use self::client::{HttpRequest, PleskRestClient};
use self::error::FieldMap;
use self::wire::{
    Client, ClientRequest, ClientUpdateRequest, CreatedResponse, DatabaseRequest, DatabaseServer,
    DatabaseUser, DatabaseUserRequest, DatabaseUserUpdateRequest, DomainReference, DomainRequest,
    DomainResponse, HostingSettings, OwnerClientReference, ServerIp, ServerMeta,
};
use crate::backends::http::{normalize_domain, OwnerListCache};
use crate::backends::legacy::LegacyPanel;
use crate::backends::BackendConfig;
use crate::panel::{
    Capabilities, Database, DatabasePatch, DatabaseSpec, Domain, DomainKind, DomainPatch,
    DomainSpec, ListFilter, LoginRules, MainDomainOrigin, NamePrefix, PanelError, PanelKind,
    PanelResult, User, UserPatch, UserSpec,
};

const CLIENT_FIELDS: FieldMap = &[
    ("login", "login"),
    ("e-mail", "email"),
    ("email", "email"),
    ("password", "password"),
    ("name", "name"),
];
const DOMAIN_FIELDS: FieldMap = &[
    ("ftp_password", "system_password"),
    ("ftp_login", "name"),
    ("ip_addresses", "ip_address"),
    ("ip address", "ip_address"),
    ("ip", "ip_address"),
    ("base_domain", "parent"),
    ("parent_domain", "parent"),
    ("owner_client", "owner"),
    ("owner", "owner"),
    ("client", "owner"),
    ("password", "system_password"),
    ("name", "name"),
    ("domain", "name"),
];
const DATABASE_FIELDS: FieldMap = &[
    ("server_id", "engine"),
    ("type", "engine"),
    ("parent_domain", "domain"),
    ("domain", "domain"),
    ("database_id", "name"),
    ("login", "user"),
    ("user", "user"),
    ("password", "password"),
    ("name", "name"),
];
const NO_FIELDS: FieldMap = &[];

/// Cache key of the server-wide lists (database users, database servers, IPs).
const ALL: &str = "";

/// Plesk client status "disabled by admin" (`ClientRequest.status`).
const STATUS_SUSPENDED: i64 = 16;
/// "under backup/restore": transient, not a suspension.
const STATUS_BACKUP: i64 = 4;
/// The FTP (system user) login Plesk accepts is short; keep it at 16 characters.
const FTP_LOGIN_MAX: usize = 16;

/// The Plesk REST v2 backend.
pub struct PleskRestBackend {
    client: PleskRestClient,
    /// `GET /clients/{id}/domains` per client id; `None` = the client is gone.
    owner_domains: OwnerListCache<Option<Vec<DomainResponse>>>,
    /// `GET /databases?domain=` per domain name; `None` = the domain is gone.
    domain_databases: OwnerListCache<Option<Vec<wire::Database>>>,
    db_users: OwnerListCache<Vec<DatabaseUser>>,
    db_servers: OwnerListCache<Vec<DatabaseServer>>,
    server_ips: OwnerListCache<Vec<ServerIp>>,
}

impl std::fmt::Debug for PleskRestBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PleskRestBackend")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl PleskRestBackend {
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        Ok(Self {
            client: PleskRestClient::new(config)?,
            owner_domains: OwnerListCache::new(),
            domain_databases: OwnerListCache::new(),
            db_users: OwnerListCache::new(),
            db_servers: OwnerListCache::new(),
            server_ips: OwnerListCache::new(),
        })
    }

    async fn owner_domains(&self, owner: i64) -> PanelResult<Arc<Option<Vec<DomainResponse>>>> {
        self.owner_domains
            .get_or_load(&owner.to_string(), || async move {
                let request = HttpRequest::get(format!("clients/{owner}/domains"));
                match self.client.call_json(request, NO_FIELDS, &[]).await {
                    Ok(list) => Ok(Some(list)),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await
    }

    async fn domain_databases(
        &self,
        domain: &str,
    ) -> PanelResult<Arc<Option<Vec<wire::Database>>>> {
        self.domain_databases
            .get_or_load(domain, || async move {
                let request = HttpRequest::get("databases").query("domain", domain);
                match self.client.call_json(request, NO_FIELDS, &[]).await {
                    Ok(list) => Ok(Some(list)),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await
    }

    async fn all_db_users(&self) -> PanelResult<Arc<Vec<DatabaseUser>>> {
        self.db_users
            .get_or_load(ALL, || {
                self.client
                    .call_json(HttpRequest::get("dbusers"), NO_FIELDS, &[])
            })
            .await
    }

    async fn first_shared_ip(&self) -> PanelResult<String> {
        let ips = self
            .server_ips
            .get_or_load(ALL, || {
                self.client
                    .call_json(HttpRequest::get("server/ips"), NO_FIELDS, &[])
            })
            .await?;
        pick_shared_ip(&ips).ok_or_else(|| {
            PanelError::invalid(
                Some("ip_address"),
                "the panel reports no IP address for new subscriptions; set ip_address",
            )
        })
    }

    async fn database_server_for(&self, engine: &str) -> PanelResult<Option<i64>> {
        let servers = self
            .db_servers
            .get_or_load(ALL, || {
                self.client
                    .call_json(HttpRequest::get("dbservers"), NO_FIELDS, &[])
            })
            .await?;
        if servers.is_empty() {
            // Nothing listed: let Plesk pick its default server for the type.
            return Ok(None);
        }
        pick_db_server(&servers, engine).map(Some).ok_or_else(|| {
            PanelError::invalid(
                Some("engine"),
                format!("the panel has no {engine} database server"),
            )
        })
    }

    fn forget_databases(&self) {
        self.domain_databases.invalidate_all();
        self.db_users.invalidate_all();
    }

    async fn read_domain(&self, owner: i64, domain_id: i64) -> PanelResult<Option<Domain>> {
        let list = self.owner_domains(owner).await?;
        let Some(list) = list.as_ref() else {
            return Ok(None);
        };
        list.iter()
            .find(|d| d.id == Some(domain_id))
            .map(|d| domain_model(owner, d, list))
            .transpose()
    }

    /// The owner of a domain known only by its Plesk id (import path).
    async fn owner_of_domain(&self, domain_id: i64) -> PanelResult<Option<i64>> {
        let request = HttpRequest::get(format!("domains/{domain_id}/client"));
        match self
            .client
            .call_json::<Client>(request, NO_FIELDS, &[])
            .await
        {
            Ok(client) => Ok(client.id),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn owned_domain(
        &self,
        owner: i64,
        name: &str,
        field: &str,
    ) -> PanelResult<(DomainResponse, Vec<DomainResponse>)> {
        let list = self.owner_domains(owner).await?;
        let Some(list) = list.as_ref() else {
            return Err(PanelError::invalid(
                Some("owner"),
                format!("no client with id {owner}"),
            ));
        };
        let found = list
            .iter()
            .find(|d| ascii_name(d) == name)
            .cloned()
            .ok_or_else(|| {
                PanelError::invalid(
                    Some(field),
                    format!("no domain {name} belongs to client {owner}"),
                )
            })?;
        Ok((found, list.clone()))
    }

    async fn set_client_status(&self, id: i64, suspended: bool) -> PanelResult<()> {
        let action = if suspended { "suspend" } else { "activate" };
        let request = HttpRequest::new(Method::PUT, format!("clients/{id}/{action}"));
        self.client
            .call(request, CLIENT_FIELDS, &[])
            .await
            .map(drop)
    }

    async fn read_database(&self, id: &DatabaseId) -> PanelResult<Option<Database>> {
        let list = self.domain_databases(&id.domain).await?;
        let Some(db) = list
            .as_ref()
            .as_ref()
            .and_then(|l| l.iter().find(|d| d.id == Some(id.database)))
        else {
            return Ok(None);
        };
        // No default user means no user: spare the users request.
        let user = match db.default_user_id.filter(|u| *u > 0) {
            None => None,
            Some(user_id) => {
                let users = self.all_db_users().await?;
                users
                    .iter()
                    .find(|u| u.id == Some(user_id))
                    .or_else(|| users.iter().find(|u| u.database_id == Some(id.database)))
                    .map(|u| u.login.clone())
            }
        };
        Ok(Some(Database {
            id: id.to_string(),
            name: db.name.clone(),
            owner: id.owner.to_string(),
            domain: Some(id.domain.clone()),
            engine: db.kind.clone().unwrap_or_else(|| "mysql".to_owned()),
            user,
        }))
    }
}

#[async_trait::async_trait]
impl LegacyPanel for PleskRestBackend {
    fn kind(&self) -> PanelKind {
        PanelKind::PleskRest
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            user_id_is_login: false,
            user_login_rules: LoginRules::Common,
            user_suspend_needs_plan: false,
            domain_main: MainDomainOrigin::Created,
            domain_ip_address_fixed: false,
            domain_system_user: true,
            database_refuses_domain: false,
            user_login: true,
            user_plan: false,
            user_plan_update: false,
            user_suspend: true,
            domain_addon: true,
            domain_subdomain: true,
            domain_document_root: false,
            domain_php_version: false,
            domain_ip_address: true,
            database_postgresql: true,
            database_requires_domain: true,
            database_user_inline: false,
            database_name_prefix: NamePrefix::None,
            database_name_max_len: None,
            database_user_max_len: None,
        }
    }

    async fn check_connection(&self) -> PanelResult<()> {
        self.client
            .call_json::<ServerMeta>(HttpRequest::get("server"), NO_FIELDS, &[])
            .await
            .map(drop)
    }

    async fn create_user(&self, spec: &UserSpec) -> PanelResult<User> {
        if spec.plan.is_some() {
            return Err(PanelError::unsupported(
                "plesk REST clients have no service plan (plans belong to subscriptions)",
            ));
        }
        let password = spec.password.expose();
        let body = ClientRequest {
            name: &spec.name,
            login: &spec.login,
            email: &spec.email,
            password,
            kind: "customer",
            status: if spec.suspended { STATUS_SUSPENDED } else { 0 },
        };
        let request = HttpRequest::new(Method::POST, "clients").json(to_json(&body)?);
        let created: CreatedResponse = self
            .client
            .call_json(request, CLIENT_FIELDS, &[password])
            .await?;
        let id = created
            .id
            .ok_or_else(|| PanelError::protocol("POST clients: the answer has no id"))?;
        let partial = || User {
            id: id.to_string(),
            login: spec.login.clone(),
            email: spec.email.clone(),
            name: spec.name.clone(),
            plan: None,
            suspended: spec.suspended,
        };
        let mut user = read_back(self.get_user(&id.to_string()).await, "client", partial)?;
        // `status` on create is part of the spec, but verify: suspending is one call.
        if user.suspended != spec.suspended {
            self.set_client_status(id, spec.suspended)
                .await
                .map_err(|e| e.with_partial(partial()))?;
            user = read_back(self.get_user(&id.to_string()).await, "client", partial)?;
        }
        Ok(user)
    }

    async fn get_user(&self, id: &str) -> PanelResult<Option<User>> {
        let id = parse_number("id", id)?;
        match self
            .client
            .call_json::<Client>(HttpRequest::get(format!("clients/{id}")), NO_FIELDS, &[])
            .await
        {
            Ok(client) => user_model(&client).map(Some),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn find_user(&self, login: &str) -> PanelResult<Option<User>> {
        // The spec declares no filter on GET /clients: list and pick.
        let clients: Vec<Client> = self
            .client
            .call_json(HttpRequest::get("clients"), NO_FIELDS, &[])
            .await?;
        let found = clients
            .iter()
            .find(|c| c.login == login)
            .or_else(|| clients.iter().find(|c| c.login.eq_ignore_ascii_case(login)));
        found.map(user_model).transpose()
    }

    async fn list_users(&self) -> PanelResult<Vec<User>> {
        let clients: Vec<Client> = self
            .client
            .call_json(HttpRequest::get("clients"), NO_FIELDS, &[])
            .await?;
        clients
            .iter()
            .filter(|c| c.kind.as_deref() != Some("admin"))
            .map(user_model)
            .collect()
    }

    async fn update_user(&self, id: &str, patch: &UserPatch) -> PanelResult<User> {
        if patch.plan.is_some() {
            return Err(PanelError::unsupported(
                "plesk REST clients have no service plan",
            ));
        }
        let numeric = parse_number("id", id)?;
        let password = patch.password.as_ref().map(|p| p.expose());
        let body = ClientUpdateRequest {
            name: patch.name.as_deref(),
            email: patch.email.as_deref(),
            password,
        };
        if !body.is_empty() {
            let request =
                HttpRequest::new(Method::PUT, format!("clients/{numeric}")).json(to_json(&body)?);
            let secrets: Vec<&str> = password.into_iter().collect();
            self.client.call(request, CLIENT_FIELDS, &secrets).await?;
        }
        if let Some(suspended) = patch.suspended {
            self.set_client_status(numeric, suspended).await?;
        }
        self.get_user(id).await?.ok_or_else(|| {
            PanelError::not_found(format!("client {numeric} disappeared during the update"))
        })
    }

    async fn delete_user(&self, id: &str) -> PanelResult<()> {
        let numeric = parse_number("id", id)?;
        let request = HttpRequest::new(Method::DELETE, format!("clients/{numeric}"));
        let outcome = self.client.call(request, NO_FIELDS, &[]).await;
        // Plesk deletes the client's subscriptions and databases with it.
        self.owner_domains.invalidate(&numeric.to_string());
        self.forget_databases();
        ignore_not_found(outcome)
    }

    async fn create_domain(&self, spec: &DomainSpec) -> PanelResult<Domain> {
        let owner = parse_number("owner", &spec.owner)?;
        let name = normalize_domain(&spec.name)?;
        if spec.document_root.is_some() {
            return Err(PanelError::unsupported(
                "plesk REST cannot set a document root",
            ));
        }
        if spec.php_version.is_some() {
            return Err(PanelError::unsupported(
                "plesk REST cannot set a PHP version",
            ));
        }
        let ftp_login;
        let mut secrets: Vec<&str> = Vec::new();
        let mut body = DomainRequest {
            name: Some(&name),
            hosting_type: Some("virtual"),
            ..Default::default()
        };
        match spec.kind {
            DomainKind::Main => {
                if spec.parent.is_some() {
                    return Err(PanelError::invalid(
                        Some("parent"),
                        "a main domain (subscription) has no parent",
                    ));
                }
                let password = spec.system_password.as_ref().ok_or_else(|| {
                    PanelError::invalid(
                        Some("system_password"),
                        "a plesk subscription needs a system (FTP) user password",
                    )
                })?;
                let ip = match &spec.ip_address {
                    Some(ip) => ip.clone(),
                    None => self.first_shared_ip().await?,
                };
                ftp_login = ftp_login_for(&name);
                secrets.push(password.expose());
                body.hosting_settings = Some(HostingSettings {
                    ftp_login: &ftp_login,
                    ftp_password: password.expose(),
                });
                body.owner_client = Some(OwnerClientReference { id: owner });
                body.ip_addresses = Some(vec![ip]);
            }
            DomainKind::Addon | DomainKind::Subdomain => {
                if spec.ip_address.is_some() {
                    return Err(PanelError::invalid(
                        Some("ip_address"),
                        "only a main domain (subscription) takes an IP address",
                    ));
                }
                let parent_name = spec.parent.as_deref().ok_or_else(|| {
                    PanelError::invalid(
                        Some("parent"),
                        "addon domains and subdomains need a parent",
                    )
                })?;
                let parent_name = normalize_domain(parent_name)?;
                let (parent, list) = self.owned_domain(owner, &parent_name, "parent").await?;
                if spec.kind == DomainKind::Addon {
                    let subscription = subscription_of(&parent, &list).unwrap_or(&parent);
                    body.base_domain = Some(DomainReference::of(subscription));
                } else {
                    body.parent_domain = Some(DomainReference::of(&parent));
                }
            }
        }
        let request = HttpRequest::new(Method::POST, "domains").json(to_json(&body)?);
        let outcome = self
            .client
            .call_json::<CreatedResponse>(request, DOMAIN_FIELDS, &secrets)
            .await;
        self.owner_domains.invalidate(&owner.to_string());
        let created = outcome?;
        let domain_id = created
            .id
            .ok_or_else(|| PanelError::protocol("POST domains: the answer has no id"))?;
        let partial = || Domain {
            id: format!("{owner}/{domain_id}"),
            name: name.clone(),
            owner: owner.to_string(),
            kind: spec.kind,
            parent: spec.parent.clone(),
            document_root: None,
            php_version: None,
            ip_address: None,
        };
        // IPs are write-only in the REST API (no read returns them), so the created
        // domain reports `ip_address: None`, exactly as every later read will: create
        // and read must agree, and the resource layer keeps the configured value for
        // attributes the panel cannot read.
        read_back(self.read_domain(owner, domain_id).await, "domain", partial)
    }

    async fn get_domain(&self, id: &str) -> PanelResult<Option<Domain>> {
        let id = DomainId::parse(id)?;
        let owner = match id.owner {
            Some(owner) => owner,
            None => match self.owner_of_domain(id.domain).await? {
                Some(owner) => owner,
                None => return Ok(None),
            },
        };
        self.read_domain(owner, id.domain).await
    }

    async fn find_domain(&self, name: &str) -> PanelResult<Option<Domain>> {
        let name = normalize_domain(name)?;
        let request = HttpRequest::get("domains").query("name", name.clone());
        let list: Vec<DomainResponse> = self.client.call_json(request, NO_FIELDS, &[]).await?;
        let Some(domain_id) = list
            .iter()
            .find(|d| ascii_name(d) == name)
            .and_then(|d| d.id)
        else {
            return Ok(None);
        };
        self.get_domain(&domain_id.to_string()).await
    }

    async fn list_domains(&self, filter: &ListFilter) -> PanelResult<Vec<Domain>> {
        let owners = match &filter.owner {
            Some(owner) => vec![parse_number("owner", owner)?],
            None => {
                // No owner on DomainResponse: walk the clients (one list per client).
                let clients: Vec<Client> = self
                    .client
                    .call_json(HttpRequest::get("clients"), NO_FIELDS, &[])
                    .await?;
                clients.iter().filter_map(|c| c.id).collect()
            }
        };
        let mut out = Vec::new();
        for owner in owners {
            let list = self.owner_domains(owner).await?;
            if let Some(list) = list.as_ref() {
                for d in list {
                    out.push(domain_model(owner, d, list)?);
                }
            }
        }
        Ok(out)
    }

    async fn update_domain(&self, id: &str, patch: &DomainPatch) -> PanelResult<Domain> {
        if patch.document_root.is_some() {
            return Err(PanelError::unsupported(
                "plesk REST cannot set a document root",
            ));
        }
        if patch.php_version.is_some() {
            return Err(PanelError::unsupported(
                "plesk REST cannot set a PHP version",
            ));
        }
        let current = self
            .get_domain(id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("domain {id} does not exist")))?;
        let parsed = DomainId::parse(&current.id)?;
        let owner = parse_number("owner", &current.owner)?;
        let Some(ip) = &patch.ip_address else {
            return Ok(current);
        };
        if current.kind != DomainKind::Main {
            return Err(PanelError::invalid(
                Some("ip_address"),
                "only a main domain (subscription) takes an IP address",
            ));
        }
        let body = DomainRequest {
            ip_addresses: Some(vec![ip.clone()]),
            ..Default::default()
        };
        let request = HttpRequest::new(Method::PUT, format!("domains/{}", parsed.domain))
            .json(to_json(&body)?);
        let outcome = self.client.call(request, DOMAIN_FIELDS, &[]).await;
        self.owner_domains.invalidate(&owner.to_string());
        outcome?;
        // As on create: the IP is write-only, so the answer is what a read gives.
        self.read_domain(owner, parsed.domain)
            .await?
            .ok_or_else(|| {
                PanelError::not_found(format!("domain {id} disappeared during the update"))
            })
    }

    async fn delete_domain(&self, id: &str) -> PanelResult<()> {
        let parsed = DomainId::parse(id)?;
        let request = HttpRequest::new(Method::DELETE, format!("domains/{}", parsed.domain));
        let outcome = self.client.call(request, NO_FIELDS, &[]).await;
        match parsed.owner {
            Some(owner) => self.owner_domains.invalidate(&owner.to_string()),
            None => self.owner_domains.invalidate_all(),
        }
        // Deleting a subscription deletes its sites and databases.
        self.forget_databases();
        ignore_not_found(outcome)
    }

    async fn create_database(&self, spec: &DatabaseSpec) -> PanelResult<Database> {
        let engine = spec.engine.to_ascii_lowercase();
        if engine != "mysql" && engine != "postgresql" {
            return Err(PanelError::invalid(
                Some("engine"),
                "engine must be mysql or postgresql",
            ));
        }
        let owner = parse_number("owner", &spec.owner)?;
        let domain_name = spec.domain.as_deref().ok_or_else(|| {
            PanelError::invalid(
                Some("domain"),
                "plesk databases belong to a domain; set domain",
            )
        })?;
        let domain_name = normalize_domain(domain_name)?;
        let credentials = match (&spec.user, &spec.password) {
            (Some(user), Some(password)) => Some((user.as_str(), password.expose())),
            (None, None) => None,
            (Some(_), None) => {
                return Err(PanelError::invalid(
                    Some("password"),
                    "a database user needs a password",
                ))
            }
            (None, Some(_)) => {
                return Err(PanelError::invalid(
                    Some("user"),
                    "a password needs a database user",
                ))
            }
        };
        let (domain, _) = self.owned_domain(owner, &domain_name, "domain").await?;
        let server_id = self.database_server_for(&engine).await?;
        let body = DatabaseRequest {
            name: &spec.name,
            kind: &engine,
            parent_domain: DomainReference::of(&domain),
            server_id,
        };
        let request = HttpRequest::new(Method::POST, "databases").json(to_json(&body)?);
        let outcome = self
            .client
            .call_json::<wire::Database>(request, DATABASE_FIELDS, &[])
            .await;
        self.domain_databases.invalidate(&domain_name);
        let created = outcome?;
        let database_id = created
            .id
            .ok_or_else(|| PanelError::protocol("POST databases: the answer has no id"))?;
        let id = DatabaseId {
            owner,
            domain: domain_name.clone(),
            database: database_id,
        };
        let without_user = Database {
            id: id.to_string(),
            name: if created.name.is_empty() {
                spec.name.clone()
            } else {
                created.name.clone()
            },
            owner: owner.to_string(),
            domain: Some(domain_name.clone()),
            engine: engine.clone(),
            user: None,
        };
        if let Some((login, password)) = credentials {
            let body = DatabaseUserRequest {
                login,
                password,
                parent_domain: DomainReference::of(&domain),
                database_id,
            };
            let request = HttpRequest::new(Method::POST, "dbusers").json(to_json(&body)?);
            let outcome = self
                .client
                .call(request, DATABASE_FIELDS, &[password])
                .await;
            self.db_users.invalidate_all();
            self.domain_databases.invalidate(&domain_name);
            outcome.map_err(|e| e.with_partial(without_user.clone()))?;
        }
        let partial = || {
            let mut db = without_user.clone();
            db.user = spec.user.clone();
            db
        };
        read_back(self.read_database(&id).await, "database", partial)
    }

    async fn get_database(&self, id: &str) -> PanelResult<Option<Database>> {
        self.read_database(&DatabaseId::parse(id)?).await
    }

    async fn list_databases(&self, filter: &ListFilter) -> PanelResult<Vec<Database>> {
        let domains = self.list_domains(filter).await?;
        let mut out = Vec::new();
        for domain in domains {
            let owner = parse_number("owner", &domain.owner)?;
            let list = self.domain_databases(&domain.name).await?;
            for db in list.as_ref().iter().flatten() {
                let Some(database) = db.id else { continue };
                let id = DatabaseId {
                    owner,
                    domain: domain.name.clone(),
                    database,
                };
                if let Some(db) = self.read_database(&id).await? {
                    out.push(db);
                }
            }
        }
        Ok(out)
    }

    async fn update_database(&self, id: &str, patch: &DatabasePatch) -> PanelResult<Database> {
        let parsed = DatabaseId::parse(id)?;
        let current = self
            .read_database(&parsed)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("database {id} does not exist")))?;
        let Some(password) = &patch.password else {
            return Ok(current);
        };
        let login = current.user.clone().ok_or_else(|| {
            PanelError::invalid(
                Some("password"),
                "the database has no user to set a password for",
            )
        })?;
        let users = self.all_db_users().await?;
        let user_id = users
            .iter()
            .find(|u| u.login == login && u.database_id == Some(parsed.database))
            .or_else(|| users.iter().find(|u| u.login == login))
            .and_then(|u| u.id)
            .ok_or_else(|| {
                PanelError::not_found(format!("database user {login} does not exist"))
            })?;
        let body = DatabaseUserUpdateRequest {
            login: &login,
            password: password.expose(),
        };
        let request =
            HttpRequest::new(Method::PUT, format!("dbusers/{user_id}")).json(to_json(&body)?);
        let outcome = self
            .client
            .call(request, DATABASE_FIELDS, &[password.expose()])
            .await;
        self.db_users.invalidate_all();
        outcome?;
        self.read_database(&parsed).await?.ok_or_else(|| {
            PanelError::not_found(format!("database {id} disappeared during the update"))
        })
    }

    async fn delete_database(&self, id: &str) -> PanelResult<()> {
        let parsed = DatabaseId::parse(id)?;
        let request = HttpRequest::new(Method::DELETE, format!("databases/{}", parsed.database));
        let outcome = self.client.call(request, NO_FIELDS, &[]).await;
        self.domain_databases.invalidate(&parsed.domain);
        self.db_users.invalidate_all();
        ignore_not_found(outcome)
    }
}

/// `"{owner}/{domain}"`, or a bare Plesk domain id (import).
#[derive(Debug, PartialEq)]
struct DomainId {
    owner: Option<i64>,
    domain: i64,
}

impl DomainId {
    fn parse(id: &str) -> PanelResult<Self> {
        match id.split_once('/') {
            Some((owner, domain)) => Ok(Self {
                owner: Some(parse_number("id", owner)?),
                domain: parse_number("id", domain)?,
            }),
            None => Ok(Self {
                owner: None,
                domain: parse_number("id", id)?,
            }),
        }
    }
}

/// `"{owner}/{domain name}/{database id}"`.
#[derive(Debug, PartialEq)]
struct DatabaseId {
    owner: i64,
    domain: String,
    database: i64,
}

impl DatabaseId {
    fn parse(id: &str) -> PanelResult<Self> {
        let mut parts = id.split('/');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(owner), Some(domain), Some(database), None) => Ok(Self {
                owner: parse_number("id", owner)?,
                domain: normalize_domain(domain)?,
                database: parse_number("id", database)?,
            }),
            _ => Err(PanelError::invalid(
                Some("id"),
                format!("plesk database ids look like CLIENT_ID/DOMAIN/DATABASE_ID, got {id:?}"),
            )),
        }
    }
}

impl std::fmt::Display for DatabaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.owner, self.domain, self.database)
    }
}

fn parse_number(field: &str, value: &str) -> PanelResult<i64> {
    value.trim().parse().map_err(|_| {
        PanelError::invalid(
            Some(field),
            format!("expected a numeric plesk id, got {value:?}"),
        )
    })
}

fn to_json<T: serde::Serialize>(body: &T) -> PanelResult<serde_json::Value> {
    serde_json::to_value(body)
        .map_err(|e| PanelError::protocol(format!("cannot encode the request: {e}")))
}

fn ignore_not_found(outcome: PanelResult<String>) -> PanelResult<()> {
    match outcome {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}

/// Turn the read-back after a create into the created object, attaching what exists
/// when the read fails.
fn read_back<T, P: crate::panel::PanelObject>(
    outcome: PanelResult<Option<T>>,
    what: &str,
    partial: impl Fn() -> P,
) -> PanelResult<T> {
    match outcome {
        Ok(Some(object)) => Ok(object),
        Ok(None) => Err(PanelError::protocol(format!(
            "the {what} was created but cannot be read back"
        ))
        .with_partial(partial())),
        Err(e) => Err(e.with_partial(partial())),
    }
}

fn ascii_name(domain: &DomainResponse) -> String {
    let raw = domain
        .ascii_name
        .as_deref()
        .filter(|n| !n.is_empty())
        .unwrap_or(&domain.name);
    normalize_domain(raw).unwrap_or_else(|_| raw.to_lowercase())
}

fn user_model(client: &Client) -> PanelResult<User> {
    let id = client
        .id
        .ok_or_else(|| PanelError::protocol("a plesk client without an id"))?;
    Ok(User {
        id: id.to_string(),
        login: client.login.clone(),
        email: client.email.clone(),
        name: client.name.clone(),
        plan: None,
        // Any status but active or the transient backup state means the client cannot
        // use the panel (disabled by admin, expired).
        suspended: client.status != 0 && client.status != STATUS_BACKUP,
    })
}

/// The subscription an addon domain or subdomain belongs to; `None` for a subscription.
/// The spec does not say what `base_domain_id` a subscription reports: 0, null and its
/// own id all mean "none".
fn subscription_of<'a>(
    domain: &DomainResponse,
    list: &'a [DomainResponse],
) -> Option<&'a DomainResponse> {
    let base = domain
        .base_domain_id
        .filter(|b| *b > 0 && Some(*b) != domain.id)?;
    list.iter().find(|d| d.id == Some(base))
}

/// Build the neutral domain from one entry of its owner's list. `DomainResponse` does
/// not distinguish addon domains from subdomains: a domain inside a subscription whose
/// name lies under another domain of that subscription reads as a subdomain of the
/// closest such domain, anything else as an addon of the subscription. (An addon domain
/// named under a sibling, e.g. `shop.example.com` added as an addon of `example.com`,
/// therefore reads back as a subdomain.)
fn domain_model(
    owner: i64,
    domain: &DomainResponse,
    list: &[DomainResponse],
) -> PanelResult<Domain> {
    let id = domain
        .id
        .ok_or_else(|| PanelError::protocol("a plesk domain without an id"))?;
    let name = ascii_name(domain);
    let base = domain.base_domain_id.filter(|b| *b > 0 && *b != id);
    let (kind, parent) = match base {
        None => (DomainKind::Main, None),
        Some(base) => {
            let closest_parent = list
                .iter()
                .filter(|d| {
                    d.id != Some(id) && (d.id == Some(base) || d.base_domain_id == Some(base))
                })
                .map(ascii_name)
                .filter(|candidate| name.ends_with(&format!(".{candidate}")))
                .max_by_key(String::len);
            match closest_parent {
                Some(parent) => (DomainKind::Subdomain, Some(parent)),
                None => (
                    DomainKind::Addon,
                    list.iter().find(|d| d.id == Some(base)).map(ascii_name),
                ),
            }
        }
    };
    Ok(Domain {
        id: format!("{owner}/{id}"),
        name,
        owner: owner.to_string(),
        kind,
        parent,
        document_root: domain.www_root.clone().filter(|w| !w.is_empty()),
        php_version: None,
        ip_address: None,
    })
}

/// Deterministic FTP login for a subscription: the domain's letters and digits (other
/// characters as `_`), starting with a letter, at most 16 characters; a longer name is
/// cut and given a 4-hex-digit hash of the full name so that two long names sharing a
/// prefix do not collide.
fn ftp_login_for(domain: &str) -> String {
    let mut login: String = domain
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !login.starts_with(|c: char| c.is_ascii_lowercase()) {
        login.insert(0, 'u');
    }
    if login.len() <= FTP_LOGIN_MAX {
        return login;
    }
    // FNV-1a, folded to 16 bits: stable across builds and platforms.
    let hash = domain.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    let folded = (hash ^ (hash >> 16) ^ (hash >> 32) ^ (hash >> 48)) & 0xffff;
    format!("{}_{folded:04x}", &login[..FTP_LOGIN_MAX - 5])
}

fn pick_shared_ip(ips: &[ServerIp]) -> Option<String> {
    let shared = |ip: &&ServerIp| ip.kind.as_deref() != Some("exclusive");
    ips.iter()
        .filter(shared)
        .find_map(|ip| ip.ipv4.clone().filter(|v| !v.is_empty()))
        .or_else(|| {
            ips.iter()
                .filter(shared)
                .find_map(|ip| ip.ipv6.clone().filter(|v| !v.is_empty()))
        })
}

fn pick_db_server(servers: &[DatabaseServer], engine: &str) -> Option<i64> {
    let of_type = || servers.iter().filter(|s| s.kind.as_deref() == Some(engine));
    of_type()
        .find(|s| s.is_default)
        .or_else(|| of_type().next())
        .and_then(|s| s.id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::PanelErrorKind;

    fn domain(id: i64, name: &str, base: i64) -> DomainResponse {
        DomainResponse {
            id: Some(id),
            name: name.into(),
            ascii_name: Some(name.into()),
            base_domain_id: Some(base),
            www_root: Some(format!("/var/www/vhosts/{name}/httpdocs")),
            guid: None,
        }
    }

    #[test]
    fn kinds_and_parents_from_the_owner_list() {
        let list = vec![
            domain(1, "example.com", 0),
            domain(2, "blog.example.com", 1),
            domain(3, "other.org", 1),
            domain(4, "shop.other.org", 1),
            domain(5, "second.net", 5),
        ];
        let model = |i: usize| domain_model(9, &list[i], &list).unwrap();
        assert_eq!((model(0).kind, model(0).parent), (DomainKind::Main, None));
        assert_eq!(model(0).id, "9/1");
        assert_eq!(model(0).owner, "9");
        assert_eq!(model(1).kind, DomainKind::Subdomain);
        assert_eq!(model(1).parent.as_deref(), Some("example.com"));
        assert_eq!(
            (model(2).kind, model(2).parent.as_deref()),
            (DomainKind::Addon, Some("example.com"))
        );
        assert_eq!(
            (model(3).kind, model(3).parent.as_deref()),
            (DomainKind::Subdomain, Some("other.org"))
        );
        assert_eq!(
            model(4).kind,
            DomainKind::Main,
            "a subscription reporting its own id as base"
        );
        assert_eq!(
            model(0).document_root.as_deref(),
            Some("/var/www/vhosts/example.com/httpdocs")
        );
    }

    #[test]
    fn ftp_login_is_deterministic_and_short() {
        assert_eq!(ftp_login_for("example.com"), "example_com");
        assert_eq!(ftp_login_for("1und1.de"), "u1und1_de");
        let long = ftp_login_for("a-very-long-domain-name.example.com");
        assert_eq!(long.len(), FTP_LOGIN_MAX);
        assert_eq!(long, ftp_login_for("a-very-long-domain-name.example.com"));
        assert_ne!(long, ftp_login_for("a-very-long-domain-name.example.org"));
        assert!(long
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
    }

    #[test]
    fn ids_round_trip_and_reject_garbage() {
        assert_eq!(
            DomainId::parse("3/17").unwrap(),
            DomainId {
                owner: Some(3),
                domain: 17
            }
        );
        assert_eq!(
            DomainId::parse("17").unwrap(),
            DomainId {
                owner: None,
                domain: 17
            }
        );
        assert!(DomainId::parse("x/17").is_err());
        let db = DatabaseId::parse("3/Example.COM/44").unwrap();
        assert_eq!(db.to_string(), "3/example.com/44");
        let err = DatabaseId::parse("44").unwrap_err();
        assert_eq!(
            err.kind,
            PanelErrorKind::InvalidInput {
                field: Some("id".into())
            }
        );
    }

    #[test]
    fn client_status_maps_to_suspended() {
        let client = |status| Client {
            id: Some(1),
            name: "A B".into(),
            login: "ab".into(),
            email: "a@b.c".into(),
            status,
            kind: Some("customer".into()),
        };
        assert!(!user_model(&client(0)).unwrap().suspended);
        assert!(user_model(&client(16)).unwrap().suspended);
        assert!(user_model(&client(256)).unwrap().suspended);
        assert!(!user_model(&client(4)).unwrap().suspended);
    }

    #[test]
    fn picks_shared_ipv4_and_default_db_server() {
        let ips: Vec<ServerIp> = serde_json::from_str(
            r#"[{"ipv4":"10.0.0.9","netmask":"255.0.0.0","interface":"eth1","type":"exclusive"},
                {"ipv4":"93.184.216.34","ipv6":"2606:2800:220:1:248:1893:25c8:1946","netmask":"255.255.255.0","interface":"eth0","type":"shared"}]"#,
        )
        .unwrap();
        assert_eq!(pick_shared_ip(&ips).as_deref(), Some("93.184.216.34"));
        let servers: Vec<DatabaseServer> = serde_json::from_str(
            r#"[{"id":1,"host":"localhost","port":3306,"type":"mysql","status":"online","db_count":0,"is_default":false,"is_local":true},
                {"id":2,"host":"db2","port":3306,"type":"mysql","is_default":true},
                {"id":3,"host":"localhost","port":5432,"type":"postgresql","is_default":true}]"#,
        )
        .unwrap();
        assert_eq!(pick_db_server(&servers, "mysql"), Some(2));
        assert_eq!(pick_db_server(&servers, "postgresql"), Some(3));
        assert_eq!(pick_db_server(&servers, "mssql"), None);
    }

    #[test]
    fn subscription_request_body_matches_the_spec() {
        let body = DomainRequest {
            name: Some("example.com"),
            hosting_type: Some("virtual"),
            hosting_settings: Some(HostingSettings {
                ftp_login: "example_com",
                ftp_password: "pw",
            }),
            owner_client: Some(OwnerClientReference { id: 7 }),
            ip_addresses: Some(vec!["203.0.113.10".into()]),
            ..Default::default()
        };
        assert_eq!(
            to_json(&body).unwrap(),
            serde_json::json!({
                "name": "example.com", "hosting_type": "virtual",
                "hosting_settings": {"ftp_login": "example_com", "ftp_password": "pw"},
                "owner_client": {"id": 7}, "ip_addresses": ["203.0.113.10"]
            })
        );
    }

    mod flows {
        use std::sync::Arc;

        use super::super::*;
        use crate::backends::rest::mock::{config, MockServer, Seen};
        use crate::backends::Credentials;
        use crate::panel::{PanelErrorKind, Secret};

        const SUBSCRIPTION: &str = r#"[{"id":11,"name":"example.com","ascii_name":"example.com","hosting_type":"virtual",
            "base_domain_id":0,"www_root":"/var/www/vhosts/example.com/httpdocs","guid":"g-11","created":"2024-01-01"}]"#;

        fn answer(seen: &Seen) -> (u16, String) {
            match (seen.method.as_str(), seen.path_and_query.as_str()) {
                ("GET", "/api/v2/server/ips") => (
                    200,
                    r#"[{"ipv4":"203.0.113.10","netmask":"255.255.255.0","interface":"eth0","type":"shared"}]"#.into(),
                ),
                ("POST", "/api/v2/domains") => (201, r#"{"id":11,"guid":"g-11"}"#.into()),
                ("GET", "/api/v2/clients/7/domains") => (200, SUBSCRIPTION.into()),
                ("GET", "/api/v2/dbservers") => (200, r#"[{"id":1,"type":"mysql","is_default":true}]"#.into()),
                ("POST", "/api/v2/databases") => (
                    200,
                    r#"{"id":44,"name":"shop","type":"mysql","parent_domain":11,"server_id":1,"default_user_id":0}"#.into(),
                ),
                ("POST", "/api/v2/dbusers") => (400, r#"{"code":400,"message":"Password 'sekrit-pw' is too weak"}"#.into()),
                _ => (404, r#"{"code":404,"message":"not found"}"#.into()),
            }
        }

        fn backend(base_url: &str) -> PleskRestBackend {
            let credentials = Credentials::ApiKey(Secret::new("k"));
            PleskRestBackend::new(&config(PanelKind::PleskRest, base_url, credentials)).unwrap()
        }

        fn main_spec() -> DomainSpec {
            DomainSpec {
                name: "Example.COM".into(),
                owner: "7".into(),
                kind: DomainKind::Main,
                parent: None,
                document_root: None,
                php_version: None,
                ip_address: None,
                system_password: Some(Secret::new("ftp-Passw0rd")),
            }
        }

        #[tokio::test]
        async fn subscription_create_sends_the_spec_body_and_reads_back() {
            let server = MockServer::start(Arc::new(answer)).await;
            let domain = backend(&server.base_url)
                .create_domain(&main_spec())
                .await
                .unwrap();
            assert_eq!(domain.id, "7/11");
            assert_eq!(domain.kind, DomainKind::Main);
            // The IP is sent (below) but no REST read returns it: create reports what a
            // read reports.
            assert_eq!(domain.ip_address, None);
            let post = server
                .requests()
                .into_iter()
                .find(|r| r.method == "POST")
                .unwrap();
            let body: serde_json::Value = serde_json::from_str(&post.body).unwrap();
            assert_eq!(
                body,
                serde_json::json!({"name": "example.com", "hosting_type": "virtual",
                    "hosting_settings": {"ftp_login": "example_com", "ftp_password": "ftp-Passw0rd"},
                    "owner_client": {"id": 7}, "ip_addresses": ["203.0.113.10"]})
            );
        }

        #[tokio::test]
        async fn missing_system_password_fails_before_any_request() {
            let server = MockServer::start(Arc::new(answer)).await;
            let mut spec = main_spec();
            spec.system_password = None;
            let err = backend(&server.base_url)
                .create_domain(&spec)
                .await
                .unwrap_err();
            assert_eq!(
                err.kind,
                PanelErrorKind::InvalidInput {
                    field: Some("system_password".into())
                }
            );
            assert!(server.requests().is_empty());
        }

        #[tokio::test]
        async fn refreshing_domains_of_one_owner_costs_one_request() {
            let server = MockServer::start(Arc::new(answer)).await;
            let backend = backend(&server.base_url);
            let (a, b) = tokio::join!(backend.get_domain("7/11"), backend.get_domain("7/11"));
            assert_eq!(a.unwrap().unwrap().name, "example.com");
            assert!(b.unwrap().is_some());
            assert!(backend.get_domain("7/99").await.unwrap().is_none());
            assert_eq!(server.requests().len(), 1);
            // An owner that is gone (404) means the domain is gone.
            assert!(backend.get_domain("8/11").await.unwrap().is_none());
        }

        #[tokio::test]
        async fn failed_user_creation_reports_the_database_that_exists() {
            let server = MockServer::start(Arc::new(answer)).await;
            let spec = DatabaseSpec {
                name: "shop".into(),
                owner: "7".into(),
                domain: Some("example.com".into()),
                engine: "mysql".into(),
                user: Some("shopuser".into()),
                password: Some(Secret::new("sekrit-pw")),
            };
            let err = backend(&server.base_url)
                .create_database(&spec)
                .await
                .unwrap_err();
            assert_eq!(
                err.kind,
                PanelErrorKind::InvalidInput {
                    field: Some("password".into())
                }
            );
            assert!(
                !format!("{err:?}").contains("sekrit-pw"),
                "secret leaked: {err:?}"
            );
            match err.partial::<Database>() {
                Some(db) => {
                    assert_eq!(db.id, "7/example.com/44");
                    assert_eq!(db.user, None);
                }
                other => panic!("expected a partial database, got {other:?}"),
            }
            let post = server
                .requests()
                .into_iter()
                .find(|r| r.path_and_query == "/api/v2/databases")
                .unwrap();
            let body: serde_json::Value = serde_json::from_str(&post.body).unwrap();
            assert_eq!(
                body["parent_domain"],
                serde_json::json!({"id": 11, "name": "example.com", "guid": "g-11"})
            );
            assert_eq!(body["server_id"], 1);
        }
    }
}
