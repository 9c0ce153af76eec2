//! PanelAlpha backend: users (admin API), their plan (a service), and the domains and
//! MySQL databases of the user's hosting account (user API, `X-PanelAlpha-User`).
//!
//! Decisions where the API or its docs leave a choice:
//! - Users have no login: `login` is the email. `name` is split on its first space into
//!   `first_name`/`last_name` and joined back with one space on read; a single-word name
//!   is sent with an empty last name and reads back unchanged.
//! - `plan` is the user's service: creating a user with a plan provisions
//!   `POST api/admin/users/{id}/services {plan_id}` (plan name resolved through
//!   `GET api/admin/plans`, once per process); a plan change uses `change-plan`.
//!   `suspended` suspends/unsuspends that service (users have no status of their own),
//!   so a user without a plan cannot be suspended. A user refresh costs two requests
//!   (the user, then their services) because the user object carries neither.
//! - Deleting a user terminates their services, deletes (archives) the user and purges
//!   the archived copy, so the email can be used again.
//! - Domains and databases live in the user's hosting account, which only the service
//!   creates: the main domain cannot be created (create it through the plan and import
//!   it as `USER/ACCOUNT/DOMAIN`) nor deleted. Subdomains are sent as their label plus
//!   `parent_domain` (the reference's integration template describes `domain` as the
//!   label). Ids: domain `userId/accountId/domain`, database `userId/accountId/dbname`.
//! - Request economy: the accounts of a user, and the domain, database and database-user
//!   lists of an account, are each fetched once per process (single flight) and dropped
//!   on any mutation through this backend. A database refresh needs the database and
//!   user lists of its account (plus the accounts list for its domain): 3 requests for
//!   any number of databases in one account.

pub mod client;
pub mod error;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use self::client::PanelAlphaClient;
use self::error::FieldMap;
use self::wire::{
    DatabaseItem, DatabaseUserItem, DatabaseUserRequest, DomainItem, DomainRequest, Plan,
    ServerAccount, Service, UserRequest,
};
use crate::backends::plesk_rest::client::{HttpRequest, ListCache};
use crate::backends::plesk_rest::normalize_domain;
use crate::backends::BackendConfig;
use crate::panel::{
    Capabilities, Database, DatabasePatch, DatabaseSpec, Domain, DomainKind, DomainPatch,
    DomainSpec, ListFilter, Panel, PanelError, PanelKind, PanelResult, PartialObject, User,
    UserPatch, UserSpec,
};

const USER_FIELDS: FieldMap = &[
    ("email", "email"),
    ("password", "password"),
    ("first_name", "name"),
    ("last_name", "name"),
    ("name", "name"),
    ("plan_id", "plan"),
];
const DOMAIN_FIELDS: FieldMap = &[
    ("parent_domain", "parent"),
    ("document_root", "document_root"),
    ("php_version", "php_version"),
    ("domain", "name"),
    ("type", "kind"),
];
const DATABASE_FIELDS: FieldMap = &[("name", "name"), ("database", "name")];
const DATABASE_USER_FIELDS: FieldMap = &[
    ("name", "user"),
    ("user", "user"),
    ("password", "password"),
    ("privileges", "user"),
    ("database", "name"),
];
const NO_FIELDS: FieldMap = &[];

/// Provisioning a service may be asynchronous: wait this long, in total, for the
/// hosting account to appear before saying the user has none.
const ACCOUNT_WAITS: [Duration; 3] = [
    Duration::from_millis(500),
    Duration::from_secs(1),
    Duration::from_secs(2),
];

type AccountKey = (i64, i64);

pub struct PanelAlphaBackend {
    client: PanelAlphaClient,
    plans: ListCache<(), Vec<Plan>>,
    accounts: ListCache<i64, Vec<ServerAccount>>,
    /// `None` = the account is gone.
    domains: ListCache<AccountKey, Option<Vec<DomainItem>>>,
    databases: ListCache<AccountKey, Option<Vec<DatabaseItem>>>,
    database_users: ListCache<AccountKey, Option<Vec<DatabaseUserItem>>>,
}

impl std::fmt::Debug for PanelAlphaBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PanelAlphaBackend")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

impl PanelAlphaBackend {
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        Ok(Self {
            client: PanelAlphaClient::new(config)?,
            plans: ListCache::default(),
            accounts: ListCache::default(),
            domains: ListCache::default(),
            databases: ListCache::default(),
            database_users: ListCache::default(),
        })
    }

    // ---- users -------------------------------------------------------------------

    async fn raw_user(&self, id: i64) -> PanelResult<Option<wire::User>> {
        let request = HttpRequest::get(format!("admin/users/{id}"));
        match self.client.call(request, None, NO_FIELDS, &[]).await {
            Ok(serde_json::Value::Null) => Ok(None),
            Ok(value) => serde_json::from_value(value).map(Some).map_err(|e| {
                PanelError::protocol(format!("GET admin/users/{id}: unexpected answer: {e}"))
            }),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn services(&self, user: i64) -> PanelResult<Vec<Service>> {
        match self
            .client
            .list::<Service>(&format!("admin/users/{user}/services"), None)
            .await
        {
            Ok(list) => Ok(list.into_iter().filter(Service::is_live).collect()),
            Err(e) if e.is_not_found() => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }

    async fn plans(&self) -> PanelResult<Arc<Vec<Plan>>> {
        self.plans
            .get_or_fetch(&(), || self.client.list("admin/plans", None))
            .await
    }

    async fn plan_id(&self, name: &str) -> PanelResult<i64> {
        let plans = self.plans().await?;
        plans
            .iter()
            .find(|p| p.name == name)
            .or_else(|| plans.iter().find(|p| p.name.eq_ignore_ascii_case(name)))
            .and_then(|p| p.id)
            .ok_or_else(|| {
                PanelError::invalid(
                    Some("plan"),
                    format!("panelalpha has no plan named {name:?}"),
                )
            })
    }

    async fn plan_name(&self, service: &Service) -> PanelResult<Option<String>> {
        if let Some(name) = service.plan.as_ref().and_then(|p| p.name.clone()) {
            return Ok(Some(name));
        }
        let Some(plan_id) = service
            .plan_id
            .or_else(|| service.plan.as_ref().and_then(|p| p.id))
        else {
            return Ok(None);
        };
        let plans = self.plans().await?;
        Ok(plans
            .iter()
            .find(|p| p.id == Some(plan_id))
            .map(|p| p.name.clone()))
    }

    async fn user_model(&self, user: &wire::User, services: &[Service]) -> PanelResult<User> {
        let id = user
            .id
            .ok_or_else(|| PanelError::protocol("a panelalpha user without an id"))?;
        let service = primary_service(services);
        let plan = match service {
            Some(service) => self.plan_name(service).await?,
            None => None,
        };
        Ok(User {
            id: id.to_string(),
            login: user.email.clone(),
            email: user.email.clone(),
            name: join_name(user.first_name.as_deref(), user.last_name.as_deref()),
            plan,
            suspended: service.is_some_and(Service::is_suspended),
        })
    }

    async fn add_service(&self, user: i64, plan_id: i64) -> PanelResult<()> {
        let request = HttpRequest::new(Method::POST, format!("admin/users/{user}/services"))
            .json(json!({ "plan_id": plan_id }));
        let outcome = self.client.call(request, None, USER_FIELDS, &[]).await;
        self.accounts.invalidate(&user);
        outcome.map(drop)
    }

    async fn set_service_suspended(
        &self,
        user: i64,
        service: i64,
        suspended: bool,
    ) -> PanelResult<()> {
        let action = if suspended { "suspend" } else { "unsuspend" };
        let request = HttpRequest::new(
            Method::PUT,
            format!("admin/users/{user}/services/{service}/{action}"),
        );
        self.client
            .call(request, None, USER_FIELDS, &[])
            .await
            .map(drop)
    }

    /// Apply `suspended` to the user's service; without a service only `false` holds.
    async fn apply_suspended(&self, user: i64, suspended: bool) -> PanelResult<()> {
        let services = self.services(user).await?;
        match primary_service(&services) {
            Some(service) if service.is_suspended() != suspended => {
                let service_id = service
                    .id
                    .ok_or_else(|| PanelError::protocol("a panelalpha service without an id"))?;
                self.set_service_suspended(user, service_id, suspended)
                    .await
            }
            Some(_) => Ok(()),
            None if suspended => Err(no_plan_to_suspend()),
            None => Ok(()),
        }
    }

    // ---- hosting accounts ----------------------------------------------------------

    async fn accounts(&self, user: i64) -> PanelResult<Arc<Vec<ServerAccount>>> {
        self.accounts
            .get_or_fetch(&user, || async move {
                match self.client.list("server-accounts", Some(user)).await {
                    Ok(list) => Ok(list),
                    Err(e) if e.is_not_found() => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            })
            .await
    }

    /// The user's accounts, waiting briefly for one to be provisioned.
    async fn accounts_waiting(&self, user: i64) -> PanelResult<Arc<Vec<ServerAccount>>> {
        let mut accounts = self.accounts(user).await?;
        for wait in ACCOUNT_WAITS {
            if !accounts.is_empty() {
                break;
            }
            tokio::time::sleep(wait).await;
            self.accounts.invalidate(&user);
            accounts = self.accounts(user).await?;
        }
        Ok(accounts)
    }

    async fn account_domain(&self, user: i64, account: i64) -> PanelResult<Option<String>> {
        let accounts = self.accounts(user).await?;
        Ok(accounts
            .iter()
            .find(|a| a.id == Some(account))
            .and_then(|a| a.domain.as_deref())
            .and_then(|d| normalize_domain(d).ok()))
    }

    /// Pick the account a new object goes into: the one holding `domain` when given
    /// (as its main domain or one of its domains), else the user's first account.
    async fn account_for(&self, user: i64, domain: Option<&str>, field: &str) -> PanelResult<i64> {
        let accounts = self.accounts_waiting(user).await?;
        let mut ids: Vec<i64> = accounts.iter().filter_map(|a| a.id).collect();
        ids.sort_unstable();
        let Some(first) = ids.first().copied() else {
            return Err(PanelError::invalid(
                Some("owner"),
                format!(
                    "panelalpha user {user} has no hosting account; give the user a plan first"
                ),
            ));
        };
        let Some(domain) = domain else {
            return Ok(first);
        };
        if let Some(account) = accounts
            .iter()
            .find(|a| {
                a.domain
                    .as_deref()
                    .and_then(|d| normalize_domain(d).ok())
                    .as_deref()
                    == Some(domain)
            })
            .and_then(|a| a.id)
        {
            return Ok(account);
        }
        for account in ids {
            let list = self.domain_list(user, account).await?;
            if list
                .as_ref()
                .iter()
                .flatten()
                .any(|item| item_name(item).as_deref() == Some(domain))
            {
                return Ok(account);
            }
        }
        Err(PanelError::invalid(
            Some(field),
            format!("no hosting account of panelalpha user {user} holds {domain}"),
        ))
    }

    fn forget_account(&self, key: AccountKey) {
        self.domains.invalidate(&key);
        self.databases.invalidate(&key);
        self.database_users.invalidate(&key);
    }

    fn forget_user(&self, user: i64) {
        self.accounts.invalidate(&user);
        // Account keys start with the user id, but the cache has no prefix removal and
        // user deletion is rare: drop everything.
        self.domains.clear();
        self.databases.clear();
        self.database_users.clear();
    }

    // ---- domains ---------------------------------------------------------------------

    async fn domain_list(
        &self,
        user: i64,
        account: i64,
    ) -> PanelResult<Arc<Option<Vec<DomainItem>>>> {
        self.domains
            .get_or_fetch(&(user, account), || async move {
                match self
                    .client
                    .list(&format!("server-accounts/{account}/domains"), Some(user))
                    .await
                {
                    Ok(list) => Ok(Some(list)),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await
    }

    async fn read_domain(&self, id: &ObjectId) -> PanelResult<Option<Domain>> {
        let list = self.domain_list(id.user, id.account).await?;
        let Some(list) = list.as_ref() else {
            return Ok(None);
        };
        let main = self.account_domain(id.user, id.account).await?;
        Ok(list
            .iter()
            .find(|item| item_name(item).as_deref() == Some(id.name.as_str()))
            .and_then(|item| domain_model(id.user, id.account, item, list, main.as_deref())))
    }

    async fn put_domain_settings(
        &self,
        id: &ObjectId,
        document_root: Option<&str>,
        php_version: Option<&str>,
    ) -> PanelResult<()> {
        let path = format!("server-accounts/{}/domains/{}", id.account, id.name);
        if let Some(root) = document_root {
            let request =
                HttpRequest::new(Method::PUT, path.clone()).json(json!({ "document_root": root }));
            let outcome = self
                .client
                .call(request, Some(id.user), DOMAIN_FIELDS, &[])
                .await;
            self.domains.invalidate(&(id.user, id.account));
            outcome?;
        }
        if let Some(php) = php_version {
            let request = HttpRequest::new(Method::PUT, format!("{path}/php-version"))
                .json(json!({ "php_version": php }));
            let outcome = self
                .client
                .call(request, Some(id.user), DOMAIN_FIELDS, &[])
                .await;
            self.domains.invalidate(&(id.user, id.account));
            outcome?;
        }
        Ok(())
    }

    async fn all_user_ids(&self, filter: &ListFilter) -> PanelResult<Vec<i64>> {
        match &filter.owner {
            Some(owner) => Ok(vec![parse_number("owner", owner)?]),
            None => {
                let users: Vec<wire::User> = self.client.list("admin/users", None).await?;
                Ok(users.iter().filter_map(|u| u.id).collect())
            }
        }
    }

    // ---- databases -------------------------------------------------------------------

    async fn database_list(
        &self,
        user: i64,
        account: i64,
    ) -> PanelResult<Arc<Option<Vec<DatabaseItem>>>> {
        self.databases
            .get_or_fetch(&(user, account), || async move {
                let path = format!("server-accounts/{account}/mysql/databases");
                match self.client.list(&path, Some(user)).await {
                    Ok(list) => Ok(Some(list)),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await
    }

    async fn database_user_list(
        &self,
        user: i64,
        account: i64,
    ) -> PanelResult<Arc<Option<Vec<DatabaseUserItem>>>> {
        self.database_users
            .get_or_fetch(&(user, account), || async move {
                let path = format!("server-accounts/{account}/mysql/users");
                match self.client.list(&path, Some(user)).await {
                    Ok(list) => Ok(Some(list)),
                    Err(e) if e.is_not_found() => Ok(None),
                    Err(e) => Err(e),
                }
            })
            .await
    }

    async fn read_database(&self, id: &ObjectId) -> PanelResult<Option<Database>> {
        let list = self.database_list(id.user, id.account).await?;
        let Some(found) = list
            .as_ref()
            .iter()
            .flatten()
            .find(|d| d.database == id.name)
        else {
            return Ok(None);
        };
        let users = self.database_user_list(id.user, id.account).await?;
        let user = users
            .as_ref()
            .iter()
            .flatten()
            .find(|u| u.databases.iter().any(|d| d == &found.database))
            .map(|u| u.user.clone());
        Ok(Some(Database {
            id: id.to_string(),
            name: found.database.clone(),
            owner: id.user.to_string(),
            domain: self.account_domain(id.user, id.account).await?,
            engine: "mysql".to_owned(),
            user,
        }))
    }
}

#[async_trait::async_trait]
impl Panel for PanelAlphaBackend {
    fn kind(&self) -> PanelKind {
        PanelKind::PanelAlpha
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            user_login: false,
            user_plan: true,
            user_plan_update: true,
            user_suspend: true,
            domain_addon: true,
            domain_subdomain: true,
            domain_document_root: true,
            domain_php_version: true,
            domain_ip_address: false,
            database_postgresql: false,
            database_requires_domain: false,
            database_user_inline: false,
            database_name_prefix: false,
            database_name_max_len: None,
            database_user_max_len: None,
        }
    }

    async fn check_connection(&self) -> PanelResult<()> {
        // Plans are needed anyway and the list is small; it doubles as the auth probe.
        self.plans.clear();
        self.plans().await.map(drop)
    }

    async fn create_user(&self, spec: &UserSpec) -> PanelResult<User> {
        if spec.suspended && spec.plan.is_none() {
            return Err(no_plan_to_suspend());
        }
        // Resolve the plan before creating anything, so a typo creates nothing.
        let plan_id = match &spec.plan {
            Some(plan) => Some(self.plan_id(plan).await?),
            None => None,
        };
        let (first_name, last_name) = split_name(&spec.name);
        let password = spec.password.expose();
        let body = UserRequest {
            first_name,
            last_name,
            email: &spec.email,
            password: Some(password),
        };
        let request = HttpRequest::new(Method::POST, "admin/users").json(to_json(&body)?);
        let created: wire::User = self
            .client
            .call_as(request, None, USER_FIELDS, &[password])
            .await?;
        let id = created
            .id
            .ok_or_else(|| PanelError::protocol("POST admin/users: the answer has no id"))?;
        let partial = |plan: Option<String>| {
            PartialObject::User(User {
                id: id.to_string(),
                login: spec.email.clone(),
                email: spec.email.clone(),
                name: spec.name.clone(),
                plan,
                suspended: false,
            })
        };
        if let Some(plan_id) = plan_id {
            self.add_service(id, plan_id)
                .await
                .map_err(|e| e.with_partial(partial(None)))?;
        }
        if spec.suspended {
            self.apply_suspended(id, true)
                .await
                .map_err(|e| e.with_partial(partial(spec.plan.clone())))?;
        }
        match self.get_user(&id.to_string()).await {
            Ok(Some(user)) => Ok(user),
            Ok(None) => Err(
                PanelError::protocol("the user was created but cannot be read back")
                    .with_partial(partial(spec.plan.clone())),
            ),
            Err(e) => Err(e.with_partial(partial(spec.plan.clone()))),
        }
    }

    async fn get_user(&self, id: &str) -> PanelResult<Option<User>> {
        let id = parse_number("id", id)?;
        let Some(user) = self.raw_user(id).await? else {
            return Ok(None);
        };
        let services = self.services(id).await?;
        self.user_model(&user, &services).await.map(Some)
    }

    async fn find_user(&self, login: &str) -> PanelResult<Option<User>> {
        let request = HttpRequest::get("admin/users/email").query("email", login);
        // An unknown email may come back as 404 or as 200 with empty `data`.
        let found = match self.client.call(request, None, NO_FIELDS, &[]).await {
            Ok(serde_json::Value::Object(map)) if !map.is_empty() => serde_json::Value::Object(map),
            Ok(serde_json::Value::Array(items)) => match items.into_iter().next() {
                Some(item) => item,
                None => return Ok(None),
            },
            Ok(_) => return Ok(None),
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        let user: wire::User = serde_json::from_value(found).map_err(|e| {
            PanelError::protocol(format!("GET admin/users/email: unexpected answer: {e}"))
        })?;
        match user.id {
            Some(id) => self.get_user(&id.to_string()).await,
            None => Ok(None),
        }
    }

    async fn list_users(&self) -> PanelResult<Vec<User>> {
        let users: Vec<wire::User> = self.client.list("admin/users", None).await?;
        // One services list for everybody instead of one request per user.
        let services: Vec<Service> = self.client.list("admin/services", None).await?;
        let mut out = Vec::with_capacity(users.len());
        for user in &users {
            let theirs: Vec<Service> = services
                .iter()
                .filter(|s| s.user_id.is_some() && s.user_id == user.id && s.is_live())
                .cloned()
                .collect();
            out.push(self.user_model(user, &theirs).await?);
        }
        Ok(out)
    }

    async fn update_user(&self, id: &str, patch: &UserPatch) -> PanelResult<User> {
        let numeric = parse_number("id", id)?;
        let current = self.raw_user(numeric).await?.ok_or_else(|| {
            PanelError::not_found(format!("panelalpha user {numeric} does not exist"))
        })?;
        let password = patch.password.as_ref().map(|p| p.expose());
        if patch.email.is_some() || patch.name.is_some() || password.is_some() {
            let current_name =
                join_name(current.first_name.as_deref(), current.last_name.as_deref());
            let (first_name, last_name) =
                split_name(patch.name.as_deref().unwrap_or(&current_name));
            // `email` is required on PUT even when it does not change.
            let body = UserRequest {
                first_name,
                last_name,
                email: patch.email.as_deref().unwrap_or(&current.email),
                password,
            };
            let request = HttpRequest::new(Method::PUT, format!("admin/users/{numeric}"))
                .json(to_json(&body)?);
            let secrets: Vec<&str> = password.into_iter().collect();
            self.client
                .call(request, None, USER_FIELDS, &secrets)
                .await?;
        }
        if let Some(plan) = &patch.plan {
            let plan_id = self.plan_id(plan).await?;
            let services = self.services(numeric).await?;
            match primary_service(&services) {
                Some(service) => {
                    let current_plan = self.plan_name(service).await?;
                    if current_plan.as_deref() != Some(plan.as_str()) {
                        let service_id = service.id.ok_or_else(|| {
                            PanelError::protocol("a panelalpha service without an id")
                        })?;
                        let request = HttpRequest::new(
                            Method::PUT,
                            format!("admin/users/{numeric}/services/{service_id}/change-plan"),
                        )
                        .json(json!({ "plan_id": plan_id }));
                        let outcome = self.client.call(request, None, USER_FIELDS, &[]).await;
                        self.accounts.invalidate(&numeric);
                        outcome?;
                    }
                }
                None => self.add_service(numeric, plan_id).await?,
            }
        }
        if let Some(suspended) = patch.suspended {
            self.apply_suspended(numeric, suspended).await?;
        }
        self.get_user(id).await?.ok_or_else(|| {
            PanelError::not_found(format!(
                "panelalpha user {numeric} disappeared during the update"
            ))
        })
    }

    async fn delete_user(&self, id: &str) -> PanelResult<()> {
        let numeric = parse_number("id", id)?;
        // The vendor's own termination deletes services before the user.
        for service in self.services(numeric).await? {
            let Some(service_id) = service.id else {
                continue;
            };
            let request = HttpRequest::new(Method::DELETE, format!("admin/services/{service_id}"))
                .json(json!({ "force_termination": true }));
            ignore_not_found(self.client.call(request, None, NO_FIELDS, &[]).await)?;
        }
        let archive = HttpRequest::new(Method::DELETE, format!("admin/users/{numeric}"));
        let archived = ignore_not_found(self.client.call(archive, None, NO_FIELDS, &[]).await);
        self.forget_user(numeric);
        archived?;
        // DELETE archives; purge the archived copy so the email is free again.
        let purge = HttpRequest::new(Method::DELETE, format!("admin/users/{numeric}/delete"));
        ignore_not_found(self.client.call(purge, None, NO_FIELDS, &[]).await)
    }

    async fn create_domain(&self, spec: &DomainSpec) -> PanelResult<Domain> {
        let user = parse_number("owner", &spec.owner)?;
        let name = normalize_domain(&spec.name)?;
        if spec.ip_address.is_some() {
            return Err(PanelError::unsupported(
                "panelalpha domains have no IP address setting",
            ));
        }
        let parent = spec.parent.as_deref().map(normalize_domain).transpose()?;
        let (kind, domain_field, account) = match spec.kind {
            DomainKind::Main => {
                return Err(PanelError::unsupported(
                    "a panelalpha hosting account's main domain is created with the user's plan; \
                     import it as USER_ID/ACCOUNT_ID/DOMAIN instead",
                ))
            }
            DomainKind::Addon => (
                "addon",
                name.clone(),
                self.account_for(user, parent.as_deref(), "parent").await?,
            ),
            DomainKind::Subdomain => {
                let parent = parent.as_deref().ok_or_else(|| {
                    PanelError::invalid(Some("parent"), "a subdomain needs a parent")
                })?;
                let label = name
                    .strip_suffix(&format!(".{parent}"))
                    .filter(|l| !l.is_empty())
                    .ok_or_else(|| {
                        PanelError::invalid(Some("name"), format!("{name} is not under {parent}"))
                    })?;
                (
                    "sub",
                    label.to_owned(),
                    self.account_for(user, Some(parent), "parent").await?,
                )
            }
        };
        let body = DomainRequest {
            domain: &domain_field,
            kind,
            parent_domain: if spec.kind == DomainKind::Subdomain {
                parent.as_deref()
            } else {
                None
            },
        };
        let request = HttpRequest::new(Method::POST, format!("server-accounts/{account}/domains"))
            .json(to_json(&body)?);
        let outcome = self
            .client
            .call(request, Some(user), DOMAIN_FIELDS, &[])
            .await;
        self.domains.invalidate(&(user, account));
        outcome?;
        let id = ObjectId {
            user,
            account,
            name: name.clone(),
        };
        let partial = || {
            PartialObject::Domain(Domain {
                id: id.to_string(),
                name: name.clone(),
                owner: user.to_string(),
                kind: spec.kind,
                parent: parent.clone(),
                document_root: None,
                php_version: None,
                ip_address: None,
            })
        };
        self.put_domain_settings(
            &id,
            spec.document_root.as_deref(),
            spec.php_version.as_deref(),
        )
        .await
        .map_err(|e| e.with_partial(partial()))?;
        match self.read_domain(&id).await {
            Ok(Some(domain)) => Ok(domain),
            Ok(None) => Err(
                PanelError::protocol("the domain was created but cannot be read back")
                    .with_partial(partial()),
            ),
            Err(e) => Err(e.with_partial(partial())),
        }
    }

    async fn get_domain(&self, id: &str) -> PanelResult<Option<Domain>> {
        self.read_domain(&ObjectId::parse_domain(id)?).await
    }

    async fn find_domain(&self, name: &str) -> PanelResult<Option<Domain>> {
        let name = normalize_domain(name)?;
        Ok(self
            .list_domains(&ListFilter::default())
            .await?
            .into_iter()
            .find(|d| d.name == name))
    }

    async fn list_domains(&self, filter: &ListFilter) -> PanelResult<Vec<Domain>> {
        let mut out = Vec::new();
        for user in self.all_user_ids(filter).await? {
            let accounts = self.accounts(user).await?;
            for account in accounts.iter() {
                let Some(account_id) = account.id else {
                    continue;
                };
                let main = account
                    .domain
                    .as_deref()
                    .and_then(|d| normalize_domain(d).ok());
                let list = self.domain_list(user, account_id).await?;
                if let Some(list) = list.as_ref() {
                    out.extend(list.iter().filter_map(|item| {
                        domain_model(user, account_id, item, list, main.as_deref())
                    }));
                }
            }
        }
        Ok(out)
    }

    async fn update_domain(&self, id: &str, patch: &DomainPatch) -> PanelResult<Domain> {
        if patch.ip_address.is_some() {
            return Err(PanelError::unsupported(
                "panelalpha domains have no IP address setting",
            ));
        }
        let parsed = ObjectId::parse_domain(id)?;
        if self.read_domain(&parsed).await?.is_none() {
            return Err(PanelError::not_found(format!("domain {id} does not exist")));
        }
        self.put_domain_settings(
            &parsed,
            patch.document_root.as_deref(),
            patch.php_version.as_deref(),
        )
        .await?;
        self.read_domain(&parsed).await?.ok_or_else(|| {
            PanelError::not_found(format!("domain {id} disappeared during the update"))
        })
    }

    async fn delete_domain(&self, id: &str) -> PanelResult<()> {
        let parsed = ObjectId::parse_domain(id)?;
        let Some(current) = self.read_domain(&parsed).await? else {
            return Ok(());
        };
        if current.kind == DomainKind::Main {
            return Err(PanelError::unsupported(
                "a panelalpha hosting account's main domain goes away only with the user's plan; \
                 remove it from the state instead",
            ));
        }
        let request = HttpRequest::new(
            Method::DELETE,
            format!("server-accounts/{}/domains/{}", parsed.account, parsed.name),
        );
        let outcome = self
            .client
            .call(request, Some(parsed.user), NO_FIELDS, &[])
            .await;
        self.domains.invalidate(&(parsed.user, parsed.account));
        ignore_not_found(outcome)
    }

    async fn create_database(&self, spec: &DatabaseSpec) -> PanelResult<Database> {
        if !spec.engine.eq_ignore_ascii_case("mysql") {
            return Err(PanelError::invalid(
                Some("engine"),
                "panelalpha offers MySQL databases only",
            ));
        }
        let user = parse_number("owner", &spec.owner)?;
        let credentials = match (&spec.user, &spec.password) {
            (Some(login), Some(password)) => Some((login.as_str(), password.expose())),
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
        let domain = spec.domain.as_deref().map(normalize_domain).transpose()?;
        let account = self.account_for(user, domain.as_deref(), "domain").await?;
        let key = (user, account);
        let request = HttpRequest::new(
            Method::POST,
            format!("server-accounts/{account}/mysql/databases"),
        )
        .json(json!({ "name": spec.name }));
        let outcome = self
            .client
            .call(request, Some(user), DATABASE_FIELDS, &[])
            .await;
        self.databases.invalidate(&key);
        let created = outcome?;
        // Assumption: the full name is sent and kept; should the panel report another
        // stored name (a prefix added), that name is the one used from here on.
        let stored = created
            .get("name")
            .or_else(|| created.get("database"))
            .and_then(serde_json::Value::as_str)
            .filter(|n| !n.is_empty())
            .unwrap_or(&spec.name)
            .to_owned();
        let id = ObjectId {
            user,
            account,
            name: stored.clone(),
        };
        let without_user = Database {
            id: id.to_string(),
            name: stored.clone(),
            owner: user.to_string(),
            domain: domain.clone(),
            engine: "mysql".to_owned(),
            user: None,
        };
        if let Some((login, password)) = credentials {
            let body = DatabaseUserRequest {
                name: login,
                password,
                database: &stored,
            };
            let request = HttpRequest::new(
                Method::POST,
                format!("server-accounts/{account}/mysql/users"),
            )
            .json(to_json(&body)?);
            let outcome = self
                .client
                .call(request, Some(user), DATABASE_USER_FIELDS, &[password])
                .await;
            self.database_users.invalidate(&key);
            outcome.map_err(|e| e.with_partial(PartialObject::Database(without_user.clone())))?;
            // What `database` on user creation grants is undocumented: grant explicitly.
            let request = HttpRequest::new(
                Method::PUT,
                format!("server-accounts/{account}/mysql/privileges/{login}/{stored}"),
            )
            .json(json!({ "privileges": "ALL PRIVILEGES" }));
            let outcome = self
                .client
                .call(request, Some(user), DATABASE_USER_FIELDS, &[])
                .await;
            self.database_users.invalidate(&key);
            outcome.map_err(|e| {
                let mut partial = without_user.clone();
                partial.user = Some(login.to_owned());
                e.with_partial(PartialObject::Database(partial))
            })?;
        }
        let partial = || {
            let mut db = without_user.clone();
            db.user = spec.user.clone();
            PartialObject::Database(db)
        };
        match self.read_database(&id).await {
            Ok(Some(db)) => Ok(db),
            Ok(None) => Err(PanelError::protocol(
                "the database was created but cannot be read back",
            )
            .with_partial(partial())),
            Err(e) => Err(e.with_partial(partial())),
        }
    }

    async fn get_database(&self, id: &str) -> PanelResult<Option<Database>> {
        self.read_database(&ObjectId::parse_database(id)?).await
    }

    async fn list_databases(&self, filter: &ListFilter) -> PanelResult<Vec<Database>> {
        let mut out = Vec::new();
        for user in self.all_user_ids(filter).await? {
            let accounts = self.accounts(user).await?;
            for account in accounts.iter().filter_map(|a| a.id) {
                let list = self.database_list(user, account).await?;
                for item in list.as_ref().iter().flatten() {
                    let id = ObjectId {
                        user,
                        account,
                        name: item.database.clone(),
                    };
                    if let Some(db) = self.read_database(&id).await? {
                        out.push(db);
                    }
                }
            }
        }
        Ok(out)
    }

    async fn update_database(&self, id: &str, patch: &DatabasePatch) -> PanelResult<Database> {
        let parsed = ObjectId::parse_database(id)?;
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
        let request = HttpRequest::new(
            Method::PUT,
            format!("server-accounts/{}/mysql/users/{login}", parsed.account),
        )
        .json(json!({ "password": password.expose() }));
        let outcome = self
            .client
            .call(
                request,
                Some(parsed.user),
                DATABASE_USER_FIELDS,
                &[password.expose()],
            )
            .await;
        self.database_users
            .invalidate(&(parsed.user, parsed.account));
        outcome?;
        self.read_database(&parsed).await?.ok_or_else(|| {
            PanelError::not_found(format!("database {id} disappeared during the update"))
        })
    }

    async fn delete_database(&self, id: &str) -> PanelResult<()> {
        let parsed = ObjectId::parse_database(id)?;
        let key = (parsed.user, parsed.account);
        // The user created with the database goes with it, unless it serves others too.
        let users = self.database_user_list(parsed.user, parsed.account).await?;
        let own_user = users
            .as_ref()
            .iter()
            .flatten()
            .find(|u| u.databases.len() == 1 && u.databases[0] == parsed.name)
            .map(|u| u.user.clone());
        let request = HttpRequest::new(
            Method::DELETE,
            format!(
                "server-accounts/{}/mysql/databases/{}",
                parsed.account, parsed.name
            ),
        );
        let outcome = self
            .client
            .call(request, Some(parsed.user), NO_FIELDS, &[])
            .await;
        self.forget_account(key);
        ignore_not_found(outcome)?;
        if let Some(login) = own_user {
            let request = HttpRequest::new(
                Method::DELETE,
                format!("server-accounts/{}/mysql/users/{login}", parsed.account),
            );
            let outcome = self
                .client
                .call(request, Some(parsed.user), NO_FIELDS, &[])
                .await;
            self.database_users.invalidate(&key);
            ignore_not_found(outcome)?;
        }
        Ok(())
    }
}

/// `userId/accountId/name`: a domain name or a database name.
#[derive(Debug, PartialEq)]
struct ObjectId {
    user: i64,
    account: i64,
    name: String,
}

impl ObjectId {
    fn parse(id: &str, what: &str) -> PanelResult<(i64, i64, String)> {
        let mut parts = id.splitn(3, '/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(user), Some(account), Some(name)) if !name.is_empty() => Ok((
                parse_number("id", user)?,
                parse_number("id", account)?,
                name.to_owned(),
            )),
            _ => Err(PanelError::invalid(
                Some("id"),
                format!("panelalpha {what} ids look like USER_ID/ACCOUNT_ID/NAME, got {id:?}"),
            )),
        }
    }

    fn parse_domain(id: &str) -> PanelResult<Self> {
        let (user, account, name) = Self::parse(id, "domain")?;
        Ok(Self {
            user,
            account,
            name: normalize_domain(&name)?,
        })
    }

    fn parse_database(id: &str) -> PanelResult<Self> {
        let (user, account, name) = Self::parse(id, "database")?;
        Ok(Self {
            user,
            account,
            name,
        })
    }
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.user, self.account, self.name)
    }
}

fn parse_number(field: &str, value: &str) -> PanelResult<i64> {
    value.trim().parse().map_err(|_| {
        PanelError::invalid(
            Some(field),
            format!("expected a numeric panelalpha id, got {value:?}"),
        )
    })
}

fn to_json<T: serde::Serialize>(body: &T) -> PanelResult<serde_json::Value> {
    serde_json::to_value(body)
        .map_err(|e| PanelError::protocol(format!("cannot encode the request: {e}")))
}

fn ignore_not_found(outcome: PanelResult<serde_json::Value>) -> PanelResult<()> {
    match outcome {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}

fn no_plan_to_suspend() -> PanelError {
    PanelError::invalid(
        Some("suspended"),
        "panelalpha suspends a user's service: a user without a plan cannot be suspended",
    )
}

/// "First Last Name" → ("First", "Last Name"); one word → (word, "").
fn split_name(name: &str) -> (&str, &str) {
    let name = name.trim();
    match name.split_once(' ') {
        Some((first, last)) => (first, last.trim()),
        None => (name, ""),
    }
}

fn join_name(first: Option<&str>, last: Option<&str>) -> String {
    [first, last]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The service that stands for the user's plan: the oldest live one.
fn primary_service(services: &[Service]) -> Option<&Service> {
    services
        .iter()
        .filter(|s| s.is_live())
        .min_by_key(|s| s.id.unwrap_or(i64::MAX))
}

/// The full, normalised name of a list item (a `sub` item may carry only its label).
fn item_name(item: &DomainItem) -> Option<String> {
    let raw = item.domain.trim();
    let full = match (&item.parent_domain, item.kind.as_deref()) {
        (Some(parent), Some("sub" | "subdomain")) if !raw.contains('.') => {
            format!("{raw}.{parent}")
        }
        _ => raw.to_owned(),
    };
    normalize_domain(&full).ok()
}

/// Neutral domain for one list item; aliases (not modelled) give `None`.
fn domain_model(
    user: i64,
    account: i64,
    item: &DomainItem,
    list: &[DomainItem],
    main: Option<&str>,
) -> Option<Domain> {
    let name = item_name(item)?;
    let main = list
        .iter()
        .find(|d| d.kind.as_deref() == Some("main"))
        .and_then(item_name)
        .or_else(|| main.map(str::to_owned));
    let kind = match item.kind.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("main") => DomainKind::Main,
        Some("addon") => DomainKind::Addon,
        Some("sub" | "subdomain") => DomainKind::Subdomain,
        Some("alias" | "parked") => return None,
        // No type: the account's main domain is main, anything else an addon.
        _ if main.as_deref() == Some(name.as_str()) => DomainKind::Main,
        _ => DomainKind::Addon,
    };
    let parent = match kind {
        DomainKind::Main => None,
        DomainKind::Addon => main.clone(),
        DomainKind::Subdomain => item
            .parent_domain
            .as_deref()
            .and_then(|p| normalize_domain(p).ok())
            .or_else(|| {
                list.iter()
                    .filter_map(item_name)
                    .filter(|candidate| name.ends_with(&format!(".{candidate}")))
                    .max_by_key(String::len)
            })
            .or_else(|| main.clone()),
    };
    Some(Domain {
        id: format!("{user}/{account}/{name}"),
        name,
        owner: user.to_string(),
        kind,
        parent,
        document_root: item.document_root.clone(),
        php_version: item.php_version.clone(),
        ip_address: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::PanelErrorKind;

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
}
