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
//!   so a user without a plan cannot be suspended. The user object carries neither, so
//!   user refreshes are served from two lists shared by every user read of the
//!   process: `GET api/admin/users` (all users, paged) and `GET api/admin/services`
//!   (every user's services): two requests for any number of users, where reading
//!   each user would cost one per user plus the services. A user missing from the list
//!   is confirmed gone with `GET api/admin/users/{id}` before it is reported gone (the
//!   list may be capped at `MAX_PAGES`). Reads right after a change through this
//!   backend use that direct GET too, and mutations of a service re-read the user's
//!   own services fresh.
//! - Deleting a user terminates their services, deletes (archives) the user and purges
//!   the archived copy, so the email can be used again.
//! - Domains and databases live in the user's hosting account, which only the service
//!   creates: the main domain cannot be created (create it through the plan and import
//!   it as `USER/ACCOUNT/DOMAIN`) nor deleted. Subdomains are sent as their label plus
//!   `parent_domain` (the reference's integration template describes `domain` as the
//!   label). Ids: domain `userId/accountId/domain`, database `userId/accountId/dbname`.
//! - Request economy: the accounts of a user, and the domain, database and database-user
//!   lists of an account, are each fetched once per process (single flight, shared by
//!   domain and database reads) and dropped on any mutation through this backend. A
//!   domain refresh needs only its account's domain list (the list marks the main
//!   domain); a database refresh needs the database and user lists of its account plus
//!   the accounts list (for its domain): 3 requests for any number of databases.
//! - PHP version: settable (`PUT …/domains/{domain}/php-version`) but not readable at
//!   that price: the domain list does not carry it and the per-domain GET would cost one
//!   request per domain on every refresh. Reads report it only when the list carries it
//!   (the documented list does not, so normally `None`), on create and read alike.
//! - MySQL names: PanelAlpha stores databases and their users with the hosting
//!   account's prefix (`<account username>_`, cPanel style; the reference's examples are
//!   `user_wordpress`), so `database_name_prefix` is declared. The bare name is sent; the
//!   name the panel answers with is the one reported and used in every later call
//!   (privileges, password, delete). Limits are MySQL's (database 64, user 32
//!   characters, prefix included), checked once the account's username is known, before
//!   anything is created.
//! - Only MySQL exists: `postgresql` is refused as unsupported before any request.

pub mod client;
pub mod error;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use self::client::{HttpRequest, PanelAlphaClient};
use self::error::FieldMap;
use self::wire::{
    DatabaseItem, DatabaseUserItem, DatabaseUserRequest, DomainItem, DomainRequest, Plan,
    ServerAccount, Service, UserRequest,
};
use crate::backends::http::{normalize_domain, OwnerListCache};
use crate::backends::legacy::LegacyPanel;
use crate::backends::BackendConfig;
use crate::panel::{
    Capabilities, Database, DatabasePatch, DatabaseSpec, Domain, DomainKind, DomainPatch,
    DomainSpec, ListFilter, LoginRules, MainDomainOrigin, NamePrefix, PanelError, PanelKind,
    PanelResult, User, UserPatch, UserSpec,
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

/// MySQL's identifier limits, the account prefix included.
const DATABASE_NAME_MAX: usize = 64;
const DATABASE_USER_MAX: usize = 32;

/// Cache key of the process-wide lists (plans, every user's services).
const ALL: &str = "";

/// Cache key of one hosting account's lists.
fn account_key(user: i64, account: i64) -> String {
    format!("{user}/{account}")
}

pub struct PanelAlphaBackend {
    client: PanelAlphaClient,
    plans: OwnerListCache<Vec<Plan>>,
    /// `GET api/admin/users`: every user, for user reads.
    users: OwnerListCache<Vec<wire::User>>,
    /// `GET api/admin/services`: every user's services, for user reads.
    services: OwnerListCache<Vec<Service>>,
    /// Per user id.
    accounts: OwnerListCache<Vec<ServerAccount>>,
    /// Per [`account_key`]; `None` = the account is gone.
    domains: OwnerListCache<Option<Vec<DomainItem>>>,
    databases: OwnerListCache<Option<Vec<DatabaseItem>>>,
    database_users: OwnerListCache<Option<Vec<DatabaseUserItem>>>,
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
            plans: OwnerListCache::new(),
            users: OwnerListCache::new(),
            services: OwnerListCache::new(),
            accounts: OwnerListCache::new(),
            domains: OwnerListCache::new(),
            databases: OwnerListCache::new(),
            database_users: OwnerListCache::new(),
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

    /// The user as the process-wide list has them, confirmed with a direct read when
    /// the list lacks them.
    async fn listed_user(&self, id: i64) -> PanelResult<Option<wire::User>> {
        let users = self
            .users
            .get_or_load(ALL, || self.client.list("admin/users", None))
            .await?;
        match users.iter().find(|u| u.id == Some(id)) {
            Some(user) => Ok(Some(user.clone())),
            None => self.raw_user(id).await,
        }
    }

    /// The user read directly, with their services (after a change).
    async fn fresh_user(&self, id: i64) -> PanelResult<Option<User>> {
        let Some(user) = self.raw_user(id).await? else {
            return Ok(None);
        };
        let services = self.cached_services(id).await?;
        self.user_model(&user, &services).await.map(Some)
    }

    /// The user's live services from the process-wide list (reads).
    async fn cached_services(&self, user: i64) -> PanelResult<Vec<Service>> {
        let all = self
            .services
            .get_or_load(ALL, || self.client.list("admin/services", None))
            .await?;
        Ok(all
            .iter()
            .filter(|s| s.user_id == Some(user) && s.is_live())
            .cloned()
            .collect())
    }

    /// The user's live services, asked fresh (before changing one).
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
            .get_or_load(ALL, || self.client.list("admin/plans", None))
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
        self.accounts.invalidate(&user.to_string());
        self.services.invalidate_all();
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
        let outcome = self.client.call(request, None, USER_FIELDS, &[]).await;
        self.services.invalidate_all();
        outcome.map(drop)
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
            .get_or_load(&user.to_string(), || async move {
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
            self.accounts.invalidate(&user.to_string());
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
        self.account_record_for(user, domain, field)
            .await
            .map(|(id, _)| id)
    }

    /// [`Self::account_for`] with the account's record (its username gives the MySQL
    /// name prefix).
    async fn account_record_for(
        &self,
        user: i64,
        domain: Option<&str>,
        field: &str,
    ) -> PanelResult<(i64, Option<ServerAccount>)> {
        let accounts = self.accounts_waiting(user).await?;
        let record = |id: i64| accounts.iter().find(|a| a.id == Some(id)).cloned();
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
            return Ok((first, record(first)));
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
            return Ok((account, record(account)));
        }
        for account in ids {
            let list = self.domain_list(user, account).await?;
            if list
                .as_ref()
                .iter()
                .flatten()
                .any(|item| item_name(item).as_deref() == Some(domain))
            {
                return Ok((account, record(account)));
            }
        }
        Err(PanelError::invalid(
            Some(field),
            format!("no hosting account of panelalpha user {user} holds {domain}"),
        ))
    }

    fn forget_account(&self, key: &str) {
        self.domains.invalidate(key);
        self.databases.invalidate(key);
        self.database_users.invalidate(key);
    }

    fn forget_user(&self, user: i64) {
        self.users.invalidate_all();
        self.accounts.invalidate(&user.to_string());
        self.services.invalidate_all();
        // Account keys start with the user id, but the cache has no prefix removal and
        // user deletion is rare: drop everything.
        self.domains.invalidate_all();
        self.databases.invalidate_all();
        self.database_users.invalidate_all();
    }

    // ---- domains ---------------------------------------------------------------------

    async fn domain_list(
        &self,
        user: i64,
        account: i64,
    ) -> PanelResult<Arc<Option<Vec<DomainItem>>>> {
        self.domains
            .get_or_load(&account_key(user, account), || async move {
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
        // The list marks the main domain itself; only a list that does not needs the
        // accounts list (one more request per owner).
        let main = if list.iter().any(|d| d.kind.as_deref() == Some("main")) {
            None
        } else {
            self.account_domain(id.user, id.account).await?
        };
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
            self.domains.invalidate(&account_key(id.user, id.account));
            outcome?;
        }
        if let Some(php) = php_version {
            let request = HttpRequest::new(Method::PUT, format!("{path}/php-version"))
                .json(json!({ "php_version": php }));
            let outcome = self
                .client
                .call(request, Some(id.user), DOMAIN_FIELDS, &[])
                .await;
            self.domains.invalidate(&account_key(id.user, id.account));
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
            .get_or_load(&account_key(user, account), || async move {
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
            .get_or_load(&account_key(user, account), || async move {
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
impl LegacyPanel for PanelAlphaBackend {
    fn kind(&self) -> PanelKind {
        PanelKind::PanelAlpha
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            user_id_is_login: false,
            user_login_rules: LoginRules::Common,
            user_suspend_needs_plan: true,
            domain_main: MainDomainOrigin::WithUserPlan,
            domain_ip_address_fixed: false,
            domain_system_user: false,
            database_refuses_domain: false,
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
            database_name_prefix: NamePrefix::AccountUsername,
            // Upper bounds for the unprefixed parts with the shortest possible prefix
            // (`x_`); the exact limit depends on the account and is checked on create.
            database_name_max_len: Some(DATABASE_NAME_MAX - 2),
            database_user_max_len: Some(DATABASE_USER_MAX - 2),
        }
    }

    async fn check_connection(&self) -> PanelResult<()> {
        // Plans are needed anyway and the list is small; it doubles as the auth probe.
        self.plans.invalidate_all();
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
        let partial = |plan: Option<String>| User {
            id: id.to_string(),
            login: spec.email.clone(),
            email: spec.email.clone(),
            name: spec.name.clone(),
            plan,
            suspended: false,
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
        self.users.invalidate_all();
        match self.fresh_user(id).await {
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
        let Some(user) = self.listed_user(id).await? else {
            return Ok(None);
        };
        let services = self.cached_services(id).await?;
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
        let mut out = Vec::with_capacity(users.len());
        for user in &users {
            let theirs = match user.id {
                Some(id) => self.cached_services(id).await?,
                None => Vec::new(),
            };
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
                        self.accounts.invalidate(&numeric.to_string());
                        self.services.invalidate_all();
                        outcome?;
                    }
                }
                None => self.add_service(numeric, plan_id).await?,
            }
        }
        if let Some(suspended) = patch.suspended {
            self.apply_suspended(numeric, suspended).await?;
        }
        self.users.invalidate_all();
        self.fresh_user(numeric).await?.ok_or_else(|| {
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
        self.domains.invalidate(&account_key(user, account));
        outcome?;
        let id = ObjectId {
            user,
            account,
            name: name.clone(),
        };
        let partial = || Domain {
            id: id.to_string(),
            name: name.clone(),
            owner: user.to_string(),
            kind: spec.kind,
            parent: parent.clone(),
            document_root: None,
            php_version: None,
            ip_address: None,
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
        self.domains
            .invalidate(&account_key(parsed.user, parsed.account));
        ignore_not_found(outcome)
    }

    async fn create_database(&self, spec: &DatabaseSpec) -> PanelResult<Database> {
        let engine = spec.engine.to_ascii_lowercase();
        if engine == "postgresql" {
            return Err(PanelError::unsupported(
                "panelalpha offers MySQL databases only; postgresql is not available",
            ));
        }
        if engine != "mysql" {
            return Err(PanelError::invalid(
                Some("engine"),
                format!(
                    "panelalpha offers MySQL databases only, not {:?}",
                    spec.engine
                ),
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
        // Limits that hold whatever the prefix: refused before any request.
        check_mysql_name("name", &spec.name, "", DATABASE_NAME_MAX)?;
        if let Some((login, _)) = credentials {
            check_mysql_name("user", login, "", DATABASE_USER_MAX)?;
        }
        let domain = spec.domain.as_deref().map(normalize_domain).transpose()?;
        let (account, record) = self
            .account_record_for(user, domain.as_deref(), "domain")
            .await?;
        // With the account known, the exact limits (prefix included), still before
        // anything is created.
        let prefix = record
            .as_ref()
            .and_then(|a| a.username.as_deref())
            .filter(|u| !u.is_empty())
            .map(|u| format!("{u}_"))
            .unwrap_or_default();
        check_mysql_name("name", &spec.name, &prefix, DATABASE_NAME_MAX)?;
        if let Some((login, _)) = credentials {
            check_mysql_name("user", login, &prefix, DATABASE_USER_MAX)?;
        }
        let key = account_key(user, account);
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
        // The panel answers with the name it stored (prefixed); that name is the one
        // every later call uses.
        let stored = stored_name(&created, &spec.name, &prefix);
        let id = ObjectId {
            user,
            account,
            name: stored.clone(),
        };
        let without_user = Database {
            id: id.to_string(),
            name: stored.clone(),
            owner: user.to_string(),
            domain: record
                .as_ref()
                .and_then(|a| a.domain.as_deref())
                .and_then(|d| normalize_domain(d).ok()),
            engine: "mysql".to_owned(),
            user: None,
        };
        let mut stored_user = None;
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
            let created_user = outcome.map_err(|e| e.with_partial(without_user.clone()))?;
            let user_name = stored_name(&created_user, login, &prefix);
            // What `database` on user creation grants is undocumented: grant explicitly.
            let request = HttpRequest::new(
                Method::PUT,
                format!("server-accounts/{account}/mysql/privileges/{user_name}/{stored}"),
            )
            .json(json!({ "privileges": "ALL PRIVILEGES" }));
            let outcome = self
                .client
                .call(request, Some(user), DATABASE_USER_FIELDS, &[])
                .await;
            self.database_users.invalidate(&key);
            outcome.map_err(|e| {
                let mut partial = without_user.clone();
                partial.user = Some(user_name.clone());
                e.with_partial(partial)
            })?;
            stored_user = Some(user_name);
        }
        let partial = || {
            let mut db = without_user.clone();
            db.user = stored_user.clone();
            db
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
            .invalidate(&account_key(parsed.user, parsed.account));
        outcome?;
        self.read_database(&parsed).await?.ok_or_else(|| {
            PanelError::not_found(format!("database {id} disappeared during the update"))
        })
    }

    async fn delete_database(&self, id: &str) -> PanelResult<()> {
        let parsed = ObjectId::parse_database(id)?;
        let key = account_key(parsed.user, parsed.account);
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
        self.forget_account(&key);
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

/// Refuses a MySQL name (database or user) whose stored form, `prefix` + `name` unless
/// the name carries the prefix already, exceeds `max` characters.
fn check_mysql_name(field: &str, name: &str, prefix: &str, max: usize) -> PanelResult<()> {
    if name.is_empty() {
        return Err(PanelError::invalid(
            Some(field),
            format!("the {field} is empty"),
        ));
    }
    let stored = if !prefix.is_empty() && name.starts_with(prefix) {
        name.len()
    } else {
        // The shortest prefix a panel can add is `x_`.
        prefix.len().max(2) + name.len()
    };
    if stored > max {
        return Err(PanelError::invalid(
            Some(field),
            format!(
                "{name:?} is stored with the account prefix{} as {stored} characters; \
                 MySQL allows {max}",
                if prefix.is_empty() {
                    String::new()
                } else {
                    format!(" {prefix:?}")
                }
            ),
        ));
    }
    Ok(())
}

/// The name the panel stored, from a create answer (`{"name": ...}`). Without one, the
/// requested name with the account prefix, which is what the panel adds.
fn stored_name(answer: &serde_json::Value, requested: &str, prefix: &str) -> String {
    answer
        .get("name")
        .or_else(|| answer.get("database"))
        .or_else(|| answer.get("user"))
        .and_then(serde_json::Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| {
            if requested.starts_with(prefix) {
                requested.to_owned()
            } else {
                format!("{prefix}{requested}")
            }
        })
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

    mod flows {
        use std::sync::Arc;

        use super::super::*;
        use crate::backends::rest::mock::{config, MockServer, Seen};
        use crate::backends::Credentials;
        use crate::panel::Secret;

        fn answer(seen: &Seen) -> (u16, String) {
            let user_header = seen
                .headers
                .get("x-panelalpha-user")
                .and_then(|v| v.to_str().ok());
            let path = seen.path_and_query.split('?').next().unwrap_or_default();
            match (seen.method.as_str(), path, user_header) {
                // Plans as a Laravel page, users bare, services enveloped: all must work.
                ("GET", "/api/admin/plans", None) => (
                    200,
                    r#"{"data":[{"id":3,"name":"Basic"}],"links":{},"meta":{"current_page":1,"last_page":1}}"#.into(),
                ),
                ("POST", "/api/admin/users", None) => (201, r#"{"id":12,"email":"ada@example.com"}"#.into()),
                ("POST", "/api/admin/users/12/services", None) => (201, r#"{"data":{"id":5,"plan_id":3}}"#.into()),
                ("GET", "/api/admin/users/12", None) => (
                    200,
                    r#"{"data":{"id":12,"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"}}"#.into(),
                ),
                ("GET", "/api/admin/users", None) => (
                    200,
                    r#"{"data":[{"id":12,"first_name":"Ada","last_name":"Lovelace","email":"ada@example.com"},
                               {"id":13,"first_name":"Grace","last_name":"Hopper","email":"grace@example.com"}],
                        "meta":{"current_page":1,"last_page":1}}"#.into(),
                ),
                ("GET", "/api/admin/users/13", None) => (
                    200,
                    r#"{"id":13,"first_name":"Grace","last_name":"Hopper","email":"grace@example.com"}"#.into(),
                ),
                ("GET", "/api/admin/users/12/services", None) => (
                    200,
                    r#"{"data":[{"id":5,"user_id":12,"plan_id":3,"status":"active"}]}"#.into(),
                ),
                ("GET", "/api/admin/services", None) => (
                    200,
                    r#"{"data":[{"id":5,"user_id":12,"plan_id":3,"plan":{"id":3,"name":"Basic"},"status":"active"},
                               {"id":6,"user_id":13,"plan_id":3,"plan":{"id":3,"name":"Basic"},"status":"suspended"}]}"#.into(),
                ),
                ("GET", "/api/server-accounts", Some("12")) => (
                    200,
                    r#"{"data":[{"id":8,"domain":"example.com","username":"ada1"}]}"#.into(),
                ),
                // The panel prefixes MySQL names with the account's username.
                ("POST", "/api/server-accounts/8/mysql/databases", Some("12")) => {
                    (201, r#"{"name":"ada1_shop"}"#.into())
                }
                ("POST", "/api/server-accounts/8/mysql/users", Some("12")) => {
                    (201, r#"{"name":"ada1_shopu"}"#.into())
                }
                ("PUT", "/api/server-accounts/8/mysql/privileges/ada1_shopu/ada1_shop", Some("12")) => {
                    (200, r#"["ALL PRIVILEGES"]"#.into())
                }
                ("GET", "/api/server-accounts/8/mysql/databases", Some("12")) => {
                    (200, r#"[{"database":"ada1_shop","disk_usage":0}]"#.into())
                }
                ("GET", "/api/server-accounts/8/mysql/users", Some("12")) => {
                    (200, r#"[{"user":"ada1_shopu","databases":["ada1_shop"]}]"#.into())
                }
                ("GET", "/api/server-accounts/8/domains", Some("12")) => (
                    200,
                    r#"{"data":[{"domain":"example.com","type":"main","document_root":"/public_html"},
                               {"domain":"blog.example.com","type":"sub","document_root":"/blog"}]}"#.into(),
                ),
                ("POST", "/api/server-accounts/8/domains", Some("12")) => (201, "".into()),
                (_, _, None) if !path.starts_with("/api/admin/") => (401, r#"{"message":"Unauthenticated."}"#.into()),
                _ => (404, r#"{"message":"Not found."}"#.into()),
            }
        }

        fn backend(base_url: &str) -> PanelAlphaBackend {
            let credentials = Credentials::Token(Secret::new("tok"));
            PanelAlphaBackend::new(&config(PanelKind::PanelAlpha, base_url, credentials)).unwrap()
        }

        #[tokio::test]
        async fn user_with_plan_is_created_then_read_back() {
            let server = MockServer::start(Arc::new(answer)).await;
            let spec = UserSpec {
                login: "ada@example.com".into(),
                email: "ada@example.com".into(),
                name: "Ada Lovelace".into(),
                password: Secret::new("long-enough-pw"),
                plan: Some("Basic".into()),
                suspended: false,
            };
            let user = backend(&server.base_url).create_user(&spec).await.unwrap();
            assert_eq!(user.id, "12");
            assert_eq!(user.login, "ada@example.com");
            assert_eq!(user.name, "Ada Lovelace");
            assert_eq!(user.plan.as_deref(), Some("Basic"));
            assert!(!user.suspended);
            let requests = server.requests();
            assert!(requests
                .iter()
                .all(|r| r.headers.get("authorization").unwrap() == "Bearer tok"));
            let create = requests
                .iter()
                .find(|r| r.method == "POST" && r.path_and_query == "/api/admin/users")
                .unwrap();
            let body: serde_json::Value = serde_json::from_str(&create.body).unwrap();
            assert_eq!(body["first_name"], "Ada");
            assert_eq!(body["last_name"], "Lovelace");
            let service = requests
                .iter()
                .find(|r| r.path_and_query == "/api/admin/users/12/services" && r.method == "POST")
                .unwrap();
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&service.body).unwrap(),
                json!({"plan_id": 3})
            );
        }

        #[tokio::test]
        async fn user_reads_share_one_users_list_and_one_services_list() {
            let server = MockServer::start(Arc::new(answer)).await;
            let backend = backend(&server.base_url);
            let (ada, grace) = tokio::join!(backend.get_user("12"), backend.get_user("13"));
            let (ada, grace) = (ada.unwrap().unwrap(), grace.unwrap().unwrap());
            assert_eq!((ada.plan.as_deref(), ada.suspended), (Some("Basic"), false));
            assert_eq!(
                (grace.plan.as_deref(), grace.suspended),
                (Some("Basic"), true)
            );
            let paths: Vec<String> = server
                .requests()
                .iter()
                .map(|r| {
                    r.path_and_query
                        .split('?')
                        .next()
                        .unwrap_or_default()
                        .to_owned()
                })
                .collect();
            assert_eq!(paths.len(), 2, "{paths:?}");
            assert!(paths.contains(&"/api/admin/users".to_owned()), "{paths:?}");
            assert!(
                paths.contains(&"/api/admin/services".to_owned()),
                "{paths:?}"
            );
            // A user the list lacks is confirmed with a direct read before "gone".
            assert!(backend.get_user("99").await.unwrap().is_none());
            assert!(server
                .requests()
                .iter()
                .any(|r| r.path_and_query == "/api/admin/users/99"));
        }

        fn database_spec(name: &str, user: Option<&str>) -> DatabaseSpec {
            DatabaseSpec {
                name: name.into(),
                owner: "12".into(),
                domain: None,
                engine: "mysql".into(),
                user: user.map(str::to_owned),
                password: user.map(|_| Secret::new("long-enough-pw")),
            }
        }

        #[tokio::test]
        async fn database_create_uses_the_names_the_panel_stored() {
            let server = MockServer::start(Arc::new(answer)).await;
            let db = backend(&server.base_url)
                .create_database(&database_spec("shop", Some("shopu")))
                .await
                .unwrap();
            assert_eq!(db.id, "12/8/ada1_shop");
            assert_eq!(db.name, "ada1_shop");
            assert_eq!(db.user.as_deref(), Some("ada1_shopu"));
            assert_eq!(db.domain.as_deref(), Some("example.com"));
            let requests = server.requests();
            let sent = |method: &str, path: &str| {
                requests
                    .iter()
                    .find(|r| r.method == method && r.path_and_query == path)
                    .map(|r| serde_json::from_str::<serde_json::Value>(&r.body).unwrap())
            };
            // The bare names go out; the stored ones are used from then on.
            assert_eq!(
                sent("POST", "/api/server-accounts/8/mysql/databases"),
                Some(json!({"name": "shop"}))
            );
            assert_eq!(
                sent("POST", "/api/server-accounts/8/mysql/users"),
                Some(
                    json!({"name": "shopu", "password": "long-enough-pw", "database": "ada1_shop"})
                )
            );
            assert!(sent(
                "PUT",
                "/api/server-accounts/8/mysql/privileges/ada1_shopu/ada1_shop"
            )
            .is_some());
        }

        #[tokio::test]
        async fn database_limits_and_engines_are_checked_before_creating() {
            let server = MockServer::start(Arc::new(answer)).await;
            let backend = backend(&server.base_url);
            let mut pg = database_spec("shop", None);
            pg.engine = "postgresql".into();
            let err = backend.create_database(&pg).await.unwrap_err();
            assert_eq!(err.kind, crate::panel::PanelErrorKind::Unsupported);
            assert!(server.requests().is_empty(), "postgresql cost a request");
            // 60 characters fit MySQL's 64 only without the 5-character prefix `ada1_`.
            let err = backend
                .create_database(&database_spec(&"n".repeat(60), None))
                .await
                .unwrap_err();
            assert_eq!(
                err.kind,
                crate::panel::PanelErrorKind::InvalidInput {
                    field: Some("name".into())
                }
            );
            let err = backend
                .create_database(&database_spec("shop", Some(&"u".repeat(28))))
                .await
                .unwrap_err();
            assert_eq!(
                err.kind,
                crate::panel::PanelErrorKind::InvalidInput {
                    field: Some("user".into())
                }
            );
            assert!(
                server.requests().iter().all(|r| r.method == "GET"),
                "a refused name created something"
            );
        }

        #[tokio::test]
        async fn unknown_plan_creates_nothing() {
            let server = MockServer::start(Arc::new(answer)).await;
            let spec = UserSpec {
                login: "x@example.com".into(),
                email: "x@example.com".into(),
                name: "X".into(),
                password: Secret::new("long-enough-pw"),
                plan: Some("Gold".into()),
                suspended: false,
            };
            let err = backend(&server.base_url)
                .create_user(&spec)
                .await
                .unwrap_err();
            assert_eq!(
                err.kind,
                crate::panel::PanelErrorKind::InvalidInput {
                    field: Some("plan".into())
                }
            );
            assert!(server.requests().iter().all(|r| r.method == "GET"));
        }

        #[tokio::test]
        async fn domain_reads_share_one_list_per_account() {
            let server = MockServer::start(Arc::new(answer)).await;
            let backend = backend(&server.base_url);
            let (main, sub) = tokio::join!(
                backend.get_domain("12/8/example.com"),
                backend.get_domain("12/8/blog.example.com")
            );
            let main = main.unwrap().unwrap();
            let sub = sub.unwrap().unwrap();
            assert_eq!(main.kind, DomainKind::Main);
            assert_eq!(
                (sub.kind, sub.parent.as_deref()),
                (DomainKind::Subdomain, Some("example.com"))
            );
            assert!(backend
                .get_domain("12/8/gone.example.com")
                .await
                .unwrap()
                .is_none());
            let lists = server
                .requests()
                .iter()
                .filter(|r| {
                    r.path_and_query
                        .starts_with("/api/server-accounts/8/domains")
                })
                .count();
            assert_eq!(lists, 1);
        }

        #[tokio::test]
        async fn subdomain_create_posts_label_and_parent_as_the_user() {
            let server = MockServer::start(Arc::new(answer)).await;
            let spec = DomainSpec {
                name: "blog.example.com".into(),
                owner: "12".into(),
                kind: DomainKind::Subdomain,
                parent: Some("example.com".into()),
                document_root: None,
                php_version: None,
                ip_address: None,
                system_password: None,
            };
            let domain = backend(&server.base_url)
                .create_domain(&spec)
                .await
                .unwrap();
            assert_eq!(domain.id, "12/8/blog.example.com");
            let post = server
                .requests()
                .into_iter()
                .find(|r| r.method == "POST")
                .unwrap();
            assert_eq!(post.headers.get("x-panelalpha-user").unwrap(), "12");
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&post.body).unwrap(),
                json!({"domain": "blog", "type": "sub", "parent_domain": "example.com"})
            );
        }

        #[tokio::test]
        async fn main_domains_cannot_be_created() {
            let server = MockServer::start(Arc::new(answer)).await;
            let spec = DomainSpec {
                name: "example.org".into(),
                owner: "12".into(),
                kind: DomainKind::Main,
                parent: None,
                document_root: None,
                php_version: None,
                ip_address: None,
                system_password: None,
            };
            let err = backend(&server.base_url)
                .create_domain(&spec)
                .await
                .unwrap_err();
            assert_eq!(err.kind, crate::panel::PanelErrorKind::Unsupported);
        }
    }
}
