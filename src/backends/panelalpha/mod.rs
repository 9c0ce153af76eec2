//! PanelAlpha backend: users (admin API), their plan (a service), and the domains,
//! MySQL databases and cron jobs of the user's hosting account (user API,
//! `X-PanelAlpha-User`). One file per object type: [`users`], [`domains`],
//! [`databases`], [`cron_jobs`]; this file holds the
//! backend, its caches, the one write helper and what the three share.
//!
//! Decisions where the API or its docs leave a choice:
//! - Users have no login: `login` is the email. `name` is split on its first space into
//!   `first_name`/`last_name` and joined back with one space on read; a single-word name
//!   is sent with an empty last name and reads back unchanged.
//! - `plan` is the user's service: creating a user with a plan provisions
//!   `POST api/admin/users/{id}/services {plan_id}` (plan name resolved through
//!   `GET api/admin/plans`, once per process); a plan change uses `change-plan`.
//!   `suspended` suspends/unsuspends that service (users have no status of their own),
//!   so a user without a plan cannot be suspended.
//! - Deleting a user terminates their services, deletes (archives) the user and purges
//!   the archived copy, so the email can be used again. PanelAlpha's UI only archives,
//!   and a purge can fail after the archive: an archived user is still found by a
//!   refresh (reading as suspended, without a plan), so a delete that stopped half-way
//!   is finished (purged) by the next destroy, and a configuration that still wants the
//!   user shows a change whose apply says what to do. Creating, importing or looking
//!   up a user whose email an archived user holds fails with `SoftDeleted` and the fix
//!   (purge it, or restore and import it): the provider never purges a user it did not
//!   set out to delete.
//! - Domains and databases live in the user's hosting account, which only the service
//!   creates: the main domain cannot be created (create it through the plan and import
//!   it as `USER/ACCOUNT/DOMAIN`) nor deleted. Subdomains are sent as their label plus
//!   `parent_domain` (the reference's integration template describes `domain` as the
//!   label). Ids: domain `userId/accountId/domain`, database `userId/accountId/dbname`.
//! - Request economy (refresh): every user, every live service (with the hosting
//!   accounts it provisioned: `server_accounts`, which the vendor client reads) and,
//!   when needed, every archived user are each one list for the whole run, asked with
//!   the largest page size; a domain refresh needs only its account's domain list and a
//!   database refresh its account's database and MySQL-user lists, each fetched once per
//!   account however many objects it holds (single flight).
//! - Request economy (apply): writes never re-list what every user has. A read-back
//!   reads that one object: the user (`GET api/admin/users/{id}` and that user's own
//!   services), or the one account's list a domain or database lives in (the API has
//!   no single-domain or single-database read). Every write goes through
//!   [`PanelAlphaBackend::write`], which drops the cached lists the write touches on
//!   every outcome.
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
//!   anything is created. A MySQL user left behind by a database deleted on the panel
//!   blocks a re-created database's user: it is reported by name with the fix, before
//!   the database is created when the account's user list shows it, else with the new
//!   database attached as a partial object (recorded in state, never orphaned).
//! - Only MySQL exists: `postgresql` is refused as unsupported before any request.

mod certificates;
pub mod client;
mod cron_jobs;
mod database_users;
mod databases;
mod dns_records;
mod domains;
pub mod error;
mod ftp_accounts;
mod mail_domains;
mod mailboxes;
mod users;
pub mod wire;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, StreamExt, TryStreamExt};
use serde_json::Value;

use self::client::{HttpRequest, PanelAlphaClient, LARGE_PAGE};
use self::error::FieldMap;
use self::wire::{DatabaseItem, DatabaseUserItem, DomainItem, Plan, ServerAccount, Service};
use crate::backends::http::{normalize_domain, OwnerListCache};
use crate::backends::BackendConfig;
use crate::panel::names::DomainName;
use crate::panel::{
    Capabilities, Database, Domain, DomainKind, LoginRules, MainDomainOrigin, NamePrefix, Panel,
    PanelError, PanelKind, PanelResult, User,
};

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

/// Hosting accounts whose lists a search over the whole panel reads at once (the
/// transport's own limiter bounds the requests in flight as well).
const SEARCH_PARALLELISM: usize = 8;

/// Cache key of the process-wide lists (plans, every user, every service).
const ALL: &str = "";

/// Cache key of one hosting account's lists.
fn account_key(user: i64, account: i64) -> String {
    format!("{user}/{account}")
}

/// Users of one list, by id, and whether the list is all there is.
#[derive(Debug, Default)]
struct UserIndex {
    by_id: HashMap<i64, wire::User>,
    complete: bool,
}

/// Live services of one list, by user id, and whether the list is all there is.
#[derive(Debug, Default)]
struct ServiceIndex {
    by_user: HashMap<i64, Vec<Service>>,
    complete: bool,
}

/// Where a read takes a user's hosting accounts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    /// Refresh reads: the one list of every service, shared by the whole run.
    Shared,
    /// Writes, read-backs and lookups before a create: that user's own services, so a
    /// write never costs a list of everybody's.
    Own,
}

/// What a write may change: the cached lists holding it are dropped on every outcome.
#[derive(Clone, Copy, Debug)]
enum Touch {
    /// A user's own record (the list of active users; a create or an update archives
    /// nobody, so the archived list stays).
    UserRecord,
    /// Everything of one user (deleted or archived): records, services, accounts.
    UserGone(i64),
    /// One user's services, and so their hosting accounts.
    Services(i64),
    /// One hosting account's domain list.
    Domains { user: i64, account: i64 },
    /// One hosting account's database and MySQL-user lists.
    Databases { user: i64, account: i64 },
    /// One hosting account's crontab.
    CronJobs { user: i64, account: i64 },
    /// One hosting account's FTP accounts.
    FtpAccounts { user: i64, account: i64 },
    /// One hosting account's email accounts.
    Mailboxes { user: i64, account: i64 },
}

pub struct PanelAlphaBackend {
    client: PanelAlphaClient,
    plans: OwnerListCache<Vec<Plan>>,
    /// `GET api/admin/users`: every active user, for refreshes.
    users: OwnerListCache<UserIndex>,
    /// `GET api/admin/users/archived`: every archived user.
    archived: OwnerListCache<UserIndex>,
    /// `GET api/admin/services`: every live service, for refreshes.
    services: OwnerListCache<ServiceIndex>,
    /// `GET api/admin/users/{id}/services`: one user's live services, per user id.
    user_services: OwnerListCache<Vec<Service>>,
    /// `GET api/server-accounts` as the user, per user id: only when services do not
    /// carry their accounts.
    accounts: OwnerListCache<Vec<ServerAccount>>,
    /// Per [`account_key`]; `None` = the account is gone.
    domains: OwnerListCache<Option<Vec<DomainItem>>>,
    databases: OwnerListCache<Option<Vec<DatabaseItem>>>,
    database_users: OwnerListCache<Option<Vec<DatabaseUserItem>>>,
    cron_jobs: OwnerListCache<Option<Vec<cron_jobs::CronItem>>>,
    ftp_accounts: OwnerListCache<Option<Vec<ftp_accounts::FtpItem>>>,
    mail_domains: OwnerListCache<Option<Vec<mail_domains::MailDomainItem>>>,
    mailboxes: OwnerListCache<Option<Vec<mailboxes::MailboxItem>>>,
    crontab_locks: cron_jobs::CrontabLocks,
    /// `GET server-accounts/{id}/dns-zones`, per hosting account.
    dns_zones: OwnerListCache<Option<Vec<dns_records::ZoneItem>>>,
    /// `GET server-accounts/{id}/dns-zones/{name}/records`, per account and zone.
    dns_records: OwnerListCache<Option<Vec<dns_records::RecordItem>>>,
    /// One lock per hosting account for changes to its zones' lines.
    dns_locks: cron_jobs::CrontabLocks,
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
            archived: OwnerListCache::new(),
            services: OwnerListCache::new(),
            user_services: OwnerListCache::new(),
            accounts: OwnerListCache::new(),
            domains: OwnerListCache::new(),
            databases: OwnerListCache::new(),
            database_users: OwnerListCache::new(),
            cron_jobs: OwnerListCache::new(),
            ftp_accounts: OwnerListCache::new(),
            mail_domains: OwnerListCache::new(),
            mailboxes: OwnerListCache::new(),
            crontab_locks: cron_jobs::CrontabLocks::default(),
            dns_zones: OwnerListCache::new(),
            dns_records: OwnerListCache::new(),
            dns_locks: cron_jobs::CrontabLocks::default(),
        })
    }

    // ---- the one write path and plain reads --------------------------------------

    /// Sends a write and drops the cached lists it `touches`, whatever the outcome (a
    /// failed write may still have changed the panel). Every mutation goes through
    /// here, so no write path can forget an invalidation.
    async fn write(
        &self,
        request: HttpRequest,
        as_user: Option<i64>,
        fields: FieldMap,
        secrets: &[&str],
        touches: &[Touch],
    ) -> PanelResult<Value> {
        let outcome = self.client.call(request, as_user, fields, secrets).await;
        for touch in touches {
            self.forget(*touch);
        }
        outcome
    }

    fn forget(&self, touch: Touch) {
        match touch {
            Touch::UserRecord => self.users.invalidate_all(),
            Touch::UserGone(user) => {
                self.users.invalidate_all();
                self.archived.invalidate_all();
                self.forget(Touch::Services(user));
                // Account keys start with the user id, but the cache has no prefix
                // removal and user deletion is rare: drop every account's lists.
                self.domains.invalidate_all();
                self.databases.invalidate_all();
                self.database_users.invalidate_all();
                self.cron_jobs.invalidate_all();
                self.ftp_accounts.invalidate_all();
                self.dns_zones.invalidate_all();
                self.dns_records.invalidate_all();
                self.mail_domains.invalidate_all();
                self.mailboxes.invalidate_all();
            }
            Touch::Services(user) => {
                self.services.invalidate_all();
                self.user_services.invalidate(&user.to_string());
                self.accounts.invalidate(&user.to_string());
            }
            Touch::Domains { user, account } => {
                // A domain's deletion takes its FTP accounts and its DNS zone with it
                // (and a domain's creation brings a zone).
                self.domains.invalidate(&account_key(user, account));
                self.ftp_accounts.invalidate(&account_key(user, account));
                self.dns_zones.invalidate(&account_key(user, account));
                self.dns_records.invalidate_all();
                self.mail_domains.invalidate(&account_key(user, account));
                self.mailboxes.invalidate(&account_key(user, account));
            }
            Touch::Databases { user, account } => {
                let key = account_key(user, account);
                self.databases.invalidate(&key);
                self.database_users.invalidate(&key);
            }
            Touch::CronJobs { user, account } => {
                self.cron_jobs.invalidate(&account_key(user, account))
            }
            Touch::FtpAccounts { user, account } => {
                self.ftp_accounts.invalidate(&account_key(user, account))
            }
            Touch::Mailboxes { user, account } => {
                self.mailboxes.invalidate(&account_key(user, account))
            }
        }
    }

    /// GET one object; `None` on 404 (and on an empty answer).
    async fn read_object(&self, path: &str, as_user: Option<i64>) -> PanelResult<Option<Value>> {
        let request = HttpRequest::get(path);
        match self.client.call(request, as_user, NO_FIELDS, &[]).await {
            Ok(Value::Null) => Ok(None),
            Ok(Value::Array(items)) if items.is_empty() => Ok(None),
            Ok(value) => Ok(Some(value)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A list of one hosting account, `None` when the account is gone (404).
    async fn account_list<T: serde::de::DeserializeOwned>(
        &self,
        path: String,
        user: i64,
    ) -> PanelResult<Option<Vec<T>>> {
        match self.client.list_all(&path, Some(user), LARGE_PAGE).await {
            Ok(listing) => Ok(Some(listing.items)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    // ---- services and hosting accounts ---------------------------------------------

    /// Every live service, by user: one list for the whole run.
    async fn service_index(&self) -> PanelResult<Arc<ServiceIndex>> {
        self.services
            .get_or_load(ALL, || async {
                let listing = self
                    .client
                    .list_all::<Service>("admin/services", None, LARGE_PAGE)
                    .await?;
                let mut by_user: HashMap<i64, Vec<Service>> = HashMap::new();
                for service in listing.items.into_iter().filter(Service::is_live) {
                    if let Some(user) = service.user_id {
                        by_user.entry(user).or_default().push(service);
                    }
                }
                Ok(ServiceIndex {
                    by_user,
                    complete: listing.complete,
                })
            })
            .await
    }

    /// One user's live services, asked of that user only (cached until a write to them).
    async fn own_services(&self, user: i64) -> PanelResult<Arc<Vec<Service>>> {
        self.user_services
            .get_or_load(&user.to_string(), || async move {
                let path = format!("admin/users/{user}/services");
                match self
                    .client
                    .list_all::<Service>(&path, None, LARGE_PAGE)
                    .await
                {
                    Ok(listing) => Ok(listing.items.into_iter().filter(Service::is_live).collect()),
                    Err(e) if e.is_not_found() => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            })
            .await
    }

    /// A user's live services from `source`.
    async fn services_of(&self, user: i64, source: Source) -> PanelResult<Vec<Service>> {
        if source == Source::Shared {
            let index = self.service_index().await?;
            match index.by_user.get(&user) {
                Some(services) => return Ok(services.clone()),
                None if index.complete => return Ok(Vec::new()),
                None => {}
            }
        }
        Ok(self.own_services(user).await?.as_ref().clone())
    }

    /// A user's hosting accounts: those their live services carry, or (when the
    /// services' answer has no `server_accounts`) `GET api/server-accounts` as the user.
    async fn accounts_of(&self, user: i64, source: Source) -> PanelResult<Vec<ServerAccount>> {
        let services = self.services_of(user, source).await?;
        let carried: Option<Vec<ServerAccount>> = services
            .iter()
            .map(|s| s.server_accounts.clone())
            .collect::<Option<Vec<_>>>()
            .map(|lists| lists.into_iter().flatten().collect());
        if let Some(accounts) = carried {
            return Ok(accounts);
        }
        let listed = self
            .accounts
            .get_or_load(&user.to_string(), || async move {
                match self
                    .client
                    .list_all("server-accounts", Some(user), LARGE_PAGE)
                    .await
                {
                    Ok(listing) => Ok(listing.items),
                    Err(e) if e.is_not_found() => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            })
            .await?;
        Ok(listed.as_ref().clone())
    }

    /// The user's accounts for a write, waiting briefly for one to be provisioned.
    async fn accounts_waiting(&self, user: i64) -> PanelResult<Vec<ServerAccount>> {
        let mut accounts = self.accounts_of(user, Source::Own).await?;
        for wait in ACCOUNT_WAITS {
            if accounts.iter().any(|a| a.id.is_some()) {
                break;
            }
            tokio::time::sleep(wait).await;
            self.forget(Touch::Services(user));
            accounts = self.accounts_of(user, Source::Own).await?;
        }
        Ok(accounts)
    }

    /// One account of a user, as `source` knows it.
    async fn account(
        &self,
        user: i64,
        account: i64,
        source: Source,
    ) -> PanelResult<Option<ServerAccount>> {
        Ok(self
            .accounts_of(user, source)
            .await?
            .into_iter()
            .find(|a| a.id == Some(account)))
    }

    /// The domain lists of `accounts` (pairs of user and account), read in parallel.
    async fn domain_lists(
        &self,
        accounts: Vec<(i64, i64)>,
    ) -> PanelResult<Vec<(i64, i64, Arc<Option<Vec<DomainItem>>>)>> {
        stream::iter(accounts)
            .map(|(user, account)| async move {
                let list = self.domain_list(user, account).await?;
                Ok::<_, PanelError>((user, account, list))
            })
            .buffer_unordered(SEARCH_PARALLELISM)
            .try_collect()
            .await
    }

    /// Every (user, account) the run's service list knows, in id order.
    async fn all_accounts(&self) -> PanelResult<Vec<(i64, ServerAccount)>> {
        let index = self.service_index().await?;
        let mut users: Vec<i64> = index.by_user.keys().copied().collect();
        users.sort_unstable();
        let mut out = Vec::new();
        for user in users {
            for account in self.accounts_of(user, Source::Shared).await? {
                out.push((user, account));
            }
        }
        out.sort_by_key(|(user, account)| (*user, account.id));
        Ok(out)
    }

    /// The users a list call covers: the one named, or every user.
    /// `(user, hosting account)` of every account of the listed owners, in order: what
    /// the per-account lists (cron jobs, FTP accounts) walk.
    async fn listed_accounts(&self, owner: Option<&str>) -> PanelResult<Vec<(i64, i64)>> {
        let mut out = Vec::new();
        for user in self.listed_owners(owner).await? {
            let mut accounts: Vec<i64> = self
                .accounts_of(user, Source::Shared)
                .await?
                .iter()
                .filter_map(|a| a.id)
                .collect();
            accounts.sort_unstable();
            out.extend(accounts.into_iter().map(|account| (user, account)));
        }
        Ok(out)
    }

    async fn listed_owners(&self, owner: Option<&str>) -> PanelResult<Vec<i64>> {
        match owner {
            Some(owner) => Ok(vec![parse_number("owner", owner)?]),
            None => {
                let users = self.user_index().await?;
                let mut ids: Vec<i64> = users.by_id.keys().copied().collect();
                ids.sort_unstable();
                Ok(ids)
            }
        }
    }
}

#[async_trait::async_trait]
impl Panel for PanelAlphaBackend {
    fn kind(&self) -> PanelKind {
        PanelKind::PanelAlpha
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            user_id_is_login: false,
            user_login_rules: LoginRules::Common,
            user_suspended_locks_objects: false,
            domain_parent_from_owner: true,
            domain_system_password_update: false,
            user_suspend_needs_plan: true,
            domain_main: MainDomainOrigin::WithUserPlan,
            domain_ip_address_fixed: false,
            domain_system_user: false,
            database_refuses_domain: false,
            user_login: false,
            user_plan: true,
            user_plan_update: true,
            // `GET api/admin/plans`, already read by the connection check.
            user_plans_listed: true,
            user_suspend: true,
            domain_addon: true,
            domain_subdomain: true,
            domain_document_root: true,
            domain_document_root_in_home: false,
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
            // The cron-jobs endpoints have no suspension.
            cron_job_suspend: false,
            cron_command_refuses: &[],
            // DNS records of the zones of the owner's hosting accounts, addressed by line.
            dns_record_owner_required: true,
            dns_txt_refuses: &[],
            dns_record_ttl: true,
            dns_record_update_keeps_id: true,
            // The FTP account update takes quota and password only (endpoints.json #261).
            ftp_account_home_update: false,
            // The email account API takes only quota and password.
            mailbox_suspend: false,
            database_user_max_databases: None,
            database_user_databases_update: true,
            // Every domain of a hosting account is an email domain; the API only lists them.
            mail_domain_switch: false,
            // Install and order (endpoints.json #248, #249); no removal: a delete
            // leaves the certificate installed and says so (certificates.rs).
            certificate_lets_encrypt: true,
            certificate_upload: true,
        }
    }

    async fn check_connection(&self) -> PanelResult<()> {
        // Plans are needed anyway and the list is small; it doubles as the auth probe.
        self.plans.invalidate_all();
        self.plans().await.map(drop)
    }

    fn users(&self) -> Option<&dyn crate::panel::Service<User>> {
        Some(self)
    }

    fn domains(&self) -> Option<&dyn crate::panel::Service<Domain>> {
        Some(self)
    }

    async fn user_plans(&self) -> PanelResult<Vec<String>> {
        Ok(self.plans().await?.iter().map(|p| p.name.clone()).collect())
    }

    fn databases(&self) -> Option<&dyn crate::panel::Service<Database>> {
        Some(self)
    }

    fn cron_jobs(&self) -> Option<&dyn crate::panel::Service<crate::panel::CronJob>> {
        Some(self)
    }

    fn ftp_accounts(&self) -> Option<&dyn crate::panel::Service<crate::panel::FtpAccount>> {
        Some(self)
    }

    fn database_users(&self) -> Option<&dyn crate::panel::Service<crate::panel::DatabaseUser>> {
        Some(self)
    }

    fn mail_domains(&self) -> Option<&dyn crate::panel::Service<crate::panel::MailDomain>> {
        Some(self)
    }

    fn dns_records(&self) -> Option<&dyn crate::panel::Service<crate::panel::DnsRecord>> {
        Some(self)
    }

    fn mailboxes(&self) -> Option<&dyn crate::panel::Service<crate::panel::Mailbox>> {
        Some(self)
    }

    fn certificates(&self) -> Option<&dyn crate::panel::Service<crate::panel::Certificate>> {
        Some(self)
    }
}

/// `userId/accountId/name`: a domain name or a database name.
#[derive(Clone, Debug, PartialEq)]
struct ObjectId {
    user: i64,
    account: i64,
    name: String,
}

impl ObjectId {
    fn parse(id: &str, what: &str) -> PanelResult<(i64, i64, String)> {
        let mut parts = id.trim().splitn(3, '/');
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

fn to_json<T: serde::Serialize>(body: &T) -> PanelResult<Value> {
    serde_json::to_value(body)
        .map_err(|e| PanelError::protocol(format!("cannot encode the request: {e}")))
}

fn ignore_not_found(outcome: PanelResult<Value>) -> PanelResult<()> {
    match outcome {
        Ok(_) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(e),
    }
}

/// A domain name the panel reported, in the one normal form.
fn reported_domain(name: &str) -> Option<String> {
    let name = name.trim();
    (!name.is_empty()).then(|| DomainName::lenient(name).to_string())
}

/// The account's main domain, normalised.
fn account_main(account: &ServerAccount) -> Option<String> {
    account.domain.as_deref().and_then(reported_domain)
}

/// The account's MySQL prefix (`<username>_`), empty when the panel did not say.
fn mysql_prefix(account: Option<&ServerAccount>) -> String {
    account
        .and_then(|a| a.username.as_deref())
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|u| format!("{u}_"))
        .unwrap_or_default()
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
        home: None,
        php_version: item.php_version.clone(),
        ip_address: None,
    })
}
