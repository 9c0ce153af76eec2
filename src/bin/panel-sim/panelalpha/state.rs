//! The simulated PanelAlpha's data and the rules that guard it: users (with archive and
//! purge), plans, services, the hosting accounts a service provisions, and the domains,
//! MySQL databases, MySQL users and grants inside a hosting account.
//!
//! Everything here is plain data plus checks; HTTP concerns (routes, input parsing) live in
//! `routes.rs`. Errors are already the panel's own (`ApiError`), so a rule is written once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::reply::ApiError;
use super::validate::{is_dns_label, is_domain_name};
use super::{cron, dns, ftp, mail, ssl};

pub const USER_MODEL: &str = "App\\Models\\User";
pub const SERVICE_MODEL: &str = "App\\Models\\Service";
pub const PLAN_MODEL: &str = "App\\Models\\Plan";
pub const ACCOUNT_MODEL: &str = "App\\Models\\HostingAccount";

/// PHP versions the simulated hosting server offers; new domains get the default.
pub const PHP_VERSIONS: &[&str] = &["7.4", "8.0", "8.1", "8.2", "8.3"];
pub const DEFAULT_PHP_VERSION: &str = "8.1";

/// The per-database privileges a cPanel-style server grants, in MySQL's display order.
pub const MYSQL_PRIVILEGES: &[&str] = &[
    "ALTER",
    "ALTER ROUTINE",
    "CREATE",
    "CREATE ROUTINE",
    "CREATE TEMPORARY TABLES",
    "CREATE VIEW",
    "DELETE",
    "DROP",
    "EVENT",
    "EXECUTE",
    "INDEX",
    "INSERT",
    "LOCK TABLES",
    "REFERENCES",
    "SELECT",
    "SHOW VIEW",
    "TRIGGER",
    "UPDATE",
];
pub const ALL_PRIVILEGES: &str = "ALL PRIVILEGES";

/// MySQL's identifier limits (database 64, user 32), prefix included.
const MAX_DATABASE_NAME: usize = 64;
const MAX_DB_USER_NAME: usize = 32;

/// A salted SHA-256 of a password. Debug never shows it.
#[derive(Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn of(password: &str) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"panel-sim/panelalpha:");
        hasher.update(password.as_bytes());
        PasswordHash(hex::encode(hasher.finalize()))
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: u64,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company_name: Option<String>,
    pub password: PasswordHash,
    pub created_at: String,
    pub updated_at: String,
    /// Set by "Delete user" (soft delete); the row stays until "Delete archived user".
    pub archived_at: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plan {
    pub id: u64,
    pub name: String,
    pub server_type: String,
    pub application_limit: i64,
    pub server_group_id: u64,
    pub server_group_name: String,
    pub server_assign_rule: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Service {
    pub id: u64,
    pub user_id: u64,
    pub plan_id: u64,
    /// `active` or `suspended` (the vendor client compares with `"suspended"`).
    pub status: String,
    pub is_trial: bool,
    pub created_at: String,
    pub updated_at: String,
    pub archived_at: Option<String>,
    pub account_ids: Vec<u64>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DomainKind {
    Main,
    Addon,
    Sub,
    Alias,
}

impl DomainKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DomainKind::Main => "main",
            DomainKind::Addon => "addon",
            DomainKind::Sub => "sub",
            DomainKind::Alias => "alias",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "addon" => Some(DomainKind::Addon),
            "sub" => Some(DomainKind::Sub),
            "alias" => Some(DomainKind::Alias),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Domain {
    pub domain: String,
    pub kind: DomainKind,
    /// The parent of a subdomain, or the target of an alias.
    pub parent: Option<String>,
    pub document_root: String,
    pub redirect_enabled: bool,
    pub redirect_url: Option<String>,
    pub php_version: String,
    /// Id (in the account's certificate store) of the installed certificate.
    #[serde(default)]
    pub ssl_certificate: Option<String>,
    /// The installed certificate came from a provider order, not an upload.
    #[serde(default)]
    pub ssl_auto: bool,
    #[serde(default)]
    pub force_https_redirect: bool,
}

impl Domain {
    fn new(
        domain: String,
        kind: DomainKind,
        parent: Option<String>,
        document_root: String,
    ) -> Self {
        Domain {
            domain,
            kind,
            parent,
            document_root,
            redirect_enabled: false,
            redirect_url: None,
            php_version: DEFAULT_PHP_VERSION.to_string(),
            ssl_certificate: None,
            ssl_auto: false,
            force_https_redirect: false,
        }
    }

    /// Main, addon and alias domains have a DNS zone of their own; a subdomain's records
    /// live in its parent's zone (see `dns.rs`).
    pub fn has_zone(&self) -> bool {
        self.kind != DomainKind::Sub
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Database {
    pub disk_usage: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DbUser {
    pub password: PasswordHash,
    /// Database name -> privileges (`["ALL PRIVILEGES"]` or a subset in canonical order).
    pub grants: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HostingAccount {
    pub id: u64,
    pub service_id: u64,
    pub user_id: u64,
    pub username: String,
    /// The main domain.
    pub domain: String,
    pub status: String,
    pub created_at: String,
    pub domains: Vec<Domain>,
    pub databases: BTreeMap<String, Database>,
    pub db_users: BTreeMap<String, DbUser>,
    /// Zone name -> zone (see `dns.rs`).
    #[serde(default)]
    pub dns_zones: BTreeMap<String, dns::Zone>,
    /// Lower-cased `user@domain` -> FTP account (see `ftp.rs`).
    #[serde(default)]
    pub ftp_accounts: BTreeMap<String, ftp::FtpAccount>,
    /// Lower-cased address -> mailbox (see `mail.rs`).
    #[serde(default)]
    pub mailboxes: BTreeMap<String, mail::Mailbox>,
    #[serde(default)]
    pub forwarders: Vec<mail::Forwarder>,
    /// The crontab, in line order (see `cron.rs`).
    #[serde(default)]
    pub cron_jobs: Vec<cron::CronJob>,
    /// Certificate id -> certificate (see `ssl.rs`).
    #[serde(default)]
    pub certificates: BTreeMap<String, ssl::StoredCertificate>,
}

impl HostingAccount {
    /// Adds the DNS zone of a new main, addon or alias domain.
    fn add_zone(&mut self, name: &str) {
        let serial = chrono::Utc::now()
            .format("%Y%m%d01")
            .to_string()
            .parse()
            .unwrap_or(1);
        self.dns_zones
            .insert(name.to_string(), dns::Zone::new(name, serial));
    }

    /// Removes what lives on a domain that is being deleted: its zone, FTP accounts,
    /// mailboxes and forwarders (cPanel removes them with the domain).
    fn forget_domain(&mut self, name: &str) {
        self.dns_zones.remove(name);
        self.ftp_accounts.retain(|_, ftp| ftp.domain != name);
        self.mailboxes.retain(|_, mailbox| mailbox.domain != name);
        self.forwarders.retain(|forwarder| forwarder.domain != name);
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct NextIds {
    user: u64,
    plan: u64,
    service: u64,
    account: u64,
    #[serde(default)]
    ssl_order: u64,
}

/// Simulator settings a test may change through the seed (`"settings"`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// How long a Let's Encrypt order stays pending before its certificate is issued.
    pub letsencrypt_delay_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            letsencrypt_delay_ms: ssl::DEFAULT_DELAY_MS,
        }
    }
}

/// Panel-side failures a test may ask for (seed `"faults"`, `PUT /__sim/panelalpha/faults`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PanelFaults {
    /// The next N `DELETE api/admin/users/{id}/delete` (purge) calls fail with Laravel's
    /// 500 and leave the user archived (issue 9: "the purge step fails").
    pub purge_user_failures: u32,
}

/// Lookups rebuilt from the data after every restore, never persisted.
#[derive(Debug, Clone, Default)]
struct Index {
    /// Lower-cased email -> user id, archived users included (their email stays taken).
    email: HashMap<String, u64>,
    /// Domain name -> hosting account id, across all accounts (one server-wide namespace).
    domain: HashMap<String, u64>,
    username: HashSet<String>,
}

/// Fields of `POST/PUT api/admin/users`. On update `None` keeps the stored value and
/// `Some(None)` clears it.
#[derive(Default)]
pub struct UserFields {
    pub email: String,
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub company_name: Option<Option<String>>,
    pub password: Option<String>,
}

/// Fields of `PUT api/server-accounts/{id}/domains/{domain}`.
pub struct DomainUpdate {
    pub document_root: String,
    pub redirect_enabled: Option<bool>,
    pub redirect_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    next_id: NextIds,
    pub users: BTreeMap<u64, User>,
    pub plans: BTreeMap<u64, Plan>,
    pub services: BTreeMap<u64, Service>,
    pub accounts: BTreeMap<u64, HostingAccount>,
    #[serde(default)]
    pub ssl_orders: BTreeMap<u64, ssl::SslOrder>,
    #[serde(default)]
    pub settings: Settings,
    #[serde(default)]
    pub faults: PanelFaults,
    #[serde(skip)]
    index: Index,
}

pub fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// Route parameters are strings; a non-numeric id simply matches no row, as in Laravel.
pub fn parse_id(raw: &str, model: &'static str) -> Result<u64, ApiError> {
    raw.parse::<u64>().map_err(|_| ApiError::ModelNotFound {
        model,
        id: raw.to_string(),
    })
}

fn not_found(model: &'static str, id: u64) -> ApiError {
    ApiError::ModelNotFound {
        model,
        id: id.to_string(),
    }
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

impl State {
    /// The initial state: no users, three plans on two server types.
    pub fn new() -> Self {
        let mut state = State {
            next_id: NextIds::default(),
            users: BTreeMap::new(),
            plans: BTreeMap::new(),
            services: BTreeMap::new(),
            accounts: BTreeMap::new(),
            ssl_orders: BTreeMap::new(),
            settings: Settings::default(),
            faults: PanelFaults::default(),
            index: Index::default(),
        };
        state.add_plan("Starter", "cpanel", 1);
        state.add_plan("Business", "cpanel", 10);
        state.add_plan("Agency", "directadmin", 50);
        state
    }

    /// Rebuilds the lookups after deserialising a dump.
    pub fn reindex(&mut self) {
        let mut index = Index::default();
        for user in self.users.values() {
            index.email.insert(user.email.to_lowercase(), user.id);
        }
        for account in self.accounts.values() {
            index.username.insert(account.username.clone());
            for domain in &account.domains {
                index.domain.insert(domain.domain.clone(), account.id);
            }
        }
        self.index = index;
        // A hand-edited dump may carry ids below the stored rows; never reuse an id.
        let max = |keys: Option<&u64>| keys.copied().unwrap_or(0);
        self.next_id.user = self.next_id.user.max(max(self.users.keys().next_back()));
        self.next_id.plan = self.next_id.plan.max(max(self.plans.keys().next_back()));
        self.next_id.service = self
            .next_id
            .service
            .max(max(self.services.keys().next_back()));
        self.next_id.account = self
            .next_id
            .account
            .max(max(self.accounts.keys().next_back()));
        self.next_id.ssl_order = self
            .next_id
            .ssl_order
            .max(max(self.ssl_orders.keys().next_back()));
    }

    pub fn next_order_id(&mut self) -> u64 {
        self.next_id.ssl_order += 1;
        self.next_id.ssl_order
    }

    pub fn add_plan(&mut self, name: &str, server_type: &str, application_limit: i64) -> u64 {
        self.next_id.plan += 1;
        let id = self.next_id.plan;
        let stamp = now();
        self.plans.insert(
            id,
            Plan {
                id,
                name: name.to_string(),
                server_type: server_type.to_string(),
                application_limit,
                server_group_id: 1,
                server_group_name: "Default".to_string(),
                server_assign_rule: "least_accounts".to_string(),
                created_at: stamp.clone(),
                updated_at: stamp,
            },
        );
        id
    }

    pub fn plan(&self, raw_id: &str) -> Result<&Plan, ApiError> {
        let id = parse_id(raw_id, PLAN_MODEL)?;
        self.plans.get(&id).ok_or_else(|| not_found(PLAN_MODEL, id))
    }

    // ----- users -------------------------------------------------------------------------

    /// A user that is not archived (archived users are hidden by the soft-delete scope).
    pub fn active_user(&self, raw_id: &str) -> Result<&User, ApiError> {
        let id = parse_id(raw_id, USER_MODEL)?;
        self.users
            .get(&id)
            .filter(|user| user.archived_at.is_none())
            .ok_or_else(|| not_found(USER_MODEL, id))
    }

    pub fn archived_user(&self, raw_id: &str) -> Result<&User, ApiError> {
        let id = parse_id(raw_id, USER_MODEL)?;
        self.users
            .get(&id)
            .filter(|user| user.archived_at.is_some())
            .ok_or_else(|| not_found(USER_MODEL, id))
    }

    /// Exact (case-insensitive, as MySQL's default collation compares) email lookup among
    /// users that are not archived.
    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        let id = self.index.email.get(&email.to_lowercase())?;
        self.users.get(id).filter(|user| user.archived_at.is_none())
    }

    /// Assumption: the `unique:users,email` rule does not exclude archived users, so an
    /// archived user's email stays taken until the user is purged (README §5.9).
    fn email_taken_by_other(&self, email: &str, me: Option<u64>) -> bool {
        self.index
            .email
            .get(&email.to_lowercase())
            .is_some_and(|owner| Some(*owner) != me)
    }

    pub fn create_user(&mut self, fields: UserFields) -> Result<u64, ApiError> {
        if self.email_taken_by_other(&fields.email, None) {
            return Err(ApiError::field(
                "email",
                "The email has already been taken.",
            ));
        }
        self.next_id.user += 1;
        let id = self.next_id.user;
        let stamp = now();
        let user = User {
            id,
            email: fields.email,
            first_name: fields.first_name.flatten(),
            last_name: fields.last_name.flatten(),
            company_name: fields.company_name.flatten(),
            password: PasswordHash::of(fields.password.as_deref().unwrap_or("")),
            created_at: stamp.clone(),
            updated_at: stamp,
            archived_at: None,
        };
        self.index.email.insert(user.email.to_lowercase(), id);
        self.users.insert(id, user);
        Ok(id)
    }

    pub fn update_user(&mut self, id: u64, fields: UserFields) -> Result<(), ApiError> {
        if self.email_taken_by_other(&fields.email, Some(id)) {
            return Err(ApiError::field(
                "email",
                "The email has already been taken.",
            ));
        }
        let user = self
            .users
            .get_mut(&id)
            .ok_or_else(|| not_found(USER_MODEL, id))?;
        let old_email = std::mem::replace(&mut user.email, fields.email);
        if let Some(value) = fields.first_name {
            user.first_name = value;
        }
        if let Some(value) = fields.last_name {
            user.last_name = value;
        }
        if let Some(value) = fields.company_name {
            user.company_name = value;
        }
        if let Some(password) = fields.password {
            user.password = PasswordHash::of(&password);
        }
        user.updated_at = now();
        let new_email = user.email.to_lowercase();
        self.index.email.remove(&old_email.to_lowercase());
        self.index.email.insert(new_email, id);
        Ok(())
    }

    /// "Delete user": archives the user.
    ///
    /// Assumption: the seed does not say whether a user with live services can be deleted.
    /// The simulator lets it happen and archives those services too (terminating their
    /// hosting accounts), so nothing stays reachable through an archived user.
    pub fn archive_user(&mut self, id: u64) -> Result<(), ApiError> {
        let stamp = now();
        let user = self
            .users
            .get_mut(&id)
            .filter(|user| user.archived_at.is_none())
            .ok_or_else(|| not_found(USER_MODEL, id))?;
        user.archived_at = Some(stamp);
        let live: Vec<u64> = self
            .services
            .values()
            .filter(|service| service.user_id == id && service.archived_at.is_none())
            .map(|service| service.id)
            .collect();
        for service_id in live {
            self.archive_service(service_id)?;
        }
        Ok(())
    }

    pub fn unarchive_user(&mut self, id: u64) -> Result<(), ApiError> {
        let user = self
            .users
            .get_mut(&id)
            .filter(|user| user.archived_at.is_some())
            .ok_or_else(|| not_found(USER_MODEL, id))?;
        user.archived_at = None;
        user.updated_at = now();
        Ok(())
    }

    /// "Delete archived user": removes the row (and its archived services) for good, which
    /// frees the email.
    pub fn purge_user(&mut self, id: u64) -> Result<(), ApiError> {
        let user = self
            .users
            .get(&id)
            .filter(|user| user.archived_at.is_some())
            .ok_or_else(|| not_found(USER_MODEL, id))?;
        self.index.email.remove(&user.email.to_lowercase());
        self.users.remove(&id);
        self.services.retain(|_, service| service.user_id != id);
        Ok(())
    }

    // ----- services and hosting accounts --------------------------------------------------

    /// A live (not archived) service, optionally scoped to its owner as the nested
    /// `users/{userId}/services/{id}` routes are.
    pub fn live_service(&self, raw_id: &str, owner: Option<u64>) -> Result<&Service, ApiError> {
        let id = parse_id(raw_id, SERVICE_MODEL)?;
        self.services
            .get(&id)
            .filter(|s| s.archived_at.is_none() && owner.is_none_or(|owner| s.user_id == owner))
            .ok_or_else(|| not_found(SERVICE_MODEL, id))
    }

    pub fn archived_service(&self, raw_id: &str) -> Result<&Service, ApiError> {
        let id = parse_id(raw_id, SERVICE_MODEL)?;
        self.services
            .get(&id)
            .filter(|s| s.archived_at.is_some())
            .ok_or_else(|| not_found(SERVICE_MODEL, id))
    }

    /// Provisions a service and its hosting account (synchronously: the account exists when
    /// the create call returns).
    ///
    /// Assumption: the seed's body has only `plan_id`; the main domain comes from a `domain`
    /// field or `hosting_account_config.domain` when the caller sends one, and is otherwise
    /// a generated `service<ID>.panelalpha.test`.
    pub fn create_service(
        &mut self,
        user_id: u64,
        plan_id: u64,
        main_domain: Option<String>,
    ) -> Result<u64, ApiError> {
        if !self.plans.contains_key(&plan_id) {
            return Err(ApiError::field(
                "plan_id",
                "The selected plan id is invalid.",
            ));
        }
        let service_id = self.next_id.service + 1;
        let domain = match main_domain {
            Some(name) => {
                let name = name.to_ascii_lowercase();
                if !is_domain_name(&name) {
                    return Err(ApiError::field(
                        "domain",
                        "The domain field format is invalid.",
                    ));
                }
                if self.index.domain.contains_key(&name) {
                    return Err(ApiError::field(
                        "domain",
                        "The domain has already been taken.",
                    ));
                }
                name
            }
            None => format!("service{service_id}.panelalpha.test"),
        };
        self.next_id.service = service_id;
        self.next_id.account += 1;
        let account_id = self.next_id.account;
        let username = self.derive_username(&domain);
        let stamp = now();
        self.index.username.insert(username.clone());
        self.index.domain.insert(domain.clone(), account_id);
        let mut account = HostingAccount {
            id: account_id,
            service_id,
            user_id,
            username,
            domain: domain.clone(),
            status: "active".to_string(),
            created_at: stamp.clone(),
            domains: Vec::new(),
            databases: BTreeMap::new(),
            db_users: BTreeMap::new(),
            dns_zones: BTreeMap::new(),
            ftp_accounts: BTreeMap::new(),
            mailboxes: BTreeMap::new(),
            forwarders: Vec::new(),
            cron_jobs: Vec::new(),
            certificates: BTreeMap::new(),
        };
        account.add_zone(&domain);
        account.domains.push(Domain::new(
            domain,
            DomainKind::Main,
            None,
            "/public_html".to_string(),
        ));
        self.accounts.insert(account_id, account);
        self.services.insert(
            service_id,
            Service {
                id: service_id,
                user_id,
                plan_id,
                status: "active".to_string(),
                is_trial: false,
                created_at: stamp.clone(),
                updated_at: stamp,
                archived_at: None,
                account_ids: vec![account_id],
            },
        );
        Ok(service_id)
    }

    /// cPanel-style user name: up to 8 lower-case alphanumerics of the main domain, starting
    /// with a letter, made unique with a numeric suffix.
    fn derive_username(&self, domain: &str) -> String {
        let stem: String = domain
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .skip_while(|c| c.is_ascii_digit())
            .take(8)
            .collect();
        let stem = if stem.is_empty() {
            "user".to_string()
        } else {
            stem
        };
        if !self.index.username.contains(&stem) {
            return stem;
        }
        let mut n: u64 = 1;
        loop {
            let suffix = n.to_string();
            let keep = 8usize.saturating_sub(suffix.len()).min(stem.len());
            let candidate = format!("{}{suffix}", &stem[..keep]);
            if !self.index.username.contains(&candidate) {
                return candidate;
            }
            n += 1;
        }
    }

    pub fn set_service_status(&mut self, id: u64, status: &str) {
        if let Some(service) = self.services.get_mut(&id) {
            service.status = status.to_string();
            service.updated_at = now();
            for account_id in service.account_ids.clone() {
                if let Some(account) = self.accounts.get_mut(&account_id) {
                    account.status = status.to_string();
                }
            }
        }
    }

    pub fn change_plan(&mut self, id: u64, plan_id: u64) -> Result<(), ApiError> {
        if !self.plans.contains_key(&plan_id) {
            return Err(ApiError::field(
                "plan_id",
                "The selected plan id is invalid.",
            ));
        }
        let service = self
            .services
            .get_mut(&id)
            .ok_or_else(|| not_found(SERVICE_MODEL, id))?;
        service.plan_id = plan_id;
        service.updated_at = now();
        Ok(())
    }

    /// "Delete service": archives it and terminates its hosting accounts, whose domains and
    /// databases go with them.
    pub fn archive_service(&mut self, id: u64) -> Result<(), ApiError> {
        let service = self
            .services
            .get_mut(&id)
            .filter(|s| s.archived_at.is_none())
            .ok_or_else(|| not_found(SERVICE_MODEL, id))?;
        service.archived_at = Some(now());
        for account_id in std::mem::take(&mut service.account_ids) {
            if let Some(account) = self.accounts.remove(&account_id) {
                self.index.username.remove(&account.username);
                for domain in &account.domains {
                    self.index.domain.remove(&domain.domain);
                }
            }
        }
        Ok(())
    }

    pub fn purge_service(&mut self, id: u64) -> Result<(), ApiError> {
        self.services
            .get(&id)
            .filter(|s| s.archived_at.is_some())
            .ok_or_else(|| not_found(SERVICE_MODEL, id))?;
        self.services.remove(&id);
        Ok(())
    }

    pub fn account(&self, raw_id: &str) -> Result<&HostingAccount, ApiError> {
        let id = parse_id(raw_id, ACCOUNT_MODEL)?;
        self.accounts
            .get(&id)
            .ok_or_else(|| not_found(ACCOUNT_MODEL, id))
    }

    /// A hosting account as seen by the user named in `X-PanelAlpha-User`.
    ///
    /// Assumption (Laravel convention): an id that matches no account is a model 404; an
    /// account of another user is refused by the policy with 403 "This action is
    /// unauthorized.", as `$this->authorize('view', $account)` does.
    pub fn user_account(
        &self,
        acting_user: u64,
        raw_id: &str,
    ) -> Result<&HostingAccount, ApiError> {
        let account = self.account(raw_id)?;
        if account.user_id == acting_user {
            Ok(account)
        } else {
            Err(ApiError::Forbidden)
        }
    }

    // ----- domains ------------------------------------------------------------------------

    /// Adds an addon domain, subdomain or alias.
    ///
    /// Assumptions (the seed only lists the fields): `parent_domain` is required for `sub`
    /// and `alias` and must be a non-alias domain of the same account; for `sub`, `domain`
    /// is the label (`blog`) or the full name ending in the parent; names are lower-cased
    /// and unique across the whole server, as on cPanel.
    pub fn add_domain(
        &mut self,
        account_id: u64,
        raw_domain: &str,
        kind: DomainKind,
        parent: Option<&str>,
    ) -> Result<String, ApiError> {
        let account = self
            .accounts
            .get(&account_id)
            .ok_or_else(|| not_found(ACCOUNT_MODEL, account_id))?;
        let requested = raw_domain.to_ascii_lowercase();
        let parent = match kind {
            DomainKind::Sub | DomainKind::Alias => {
                let Some(parent) = parent.map(str::to_ascii_lowercase) else {
                    return Err(ApiError::field(
                        "parent_domain",
                        format!(
                            "The parent domain field is required when type is {}.",
                            kind.as_str()
                        ),
                    ));
                };
                let Some(found) = account
                    .domains
                    .iter()
                    .find(|d| d.domain == parent && d.kind != DomainKind::Alias)
                else {
                    return Err(ApiError::field(
                        "parent_domain",
                        "The selected parent domain is invalid.",
                    ));
                };
                Some(found)
            }
            _ => None,
        };
        let full = match (kind, parent) {
            (DomainKind::Sub, Some(parent)) => {
                let suffix = format!(".{}", parent.domain);
                let label = requested.strip_suffix(&suffix).unwrap_or(&requested);
                if !label.split('.').all(is_dns_label) {
                    return Err(ApiError::field(
                        "domain",
                        "The domain field format is invalid.",
                    ));
                }
                format!("{label}{suffix}")
            }
            _ => requested,
        };
        if !is_domain_name(&full) {
            return Err(ApiError::field(
                "domain",
                "The domain field format is invalid.",
            ));
        }
        if self.index.domain.contains_key(&full) {
            return Err(ApiError::field(
                "domain",
                "The domain has already been taken.",
            ));
        }
        let document_root = match (kind, parent) {
            (DomainKind::Alias, Some(target)) => target.document_root.clone(),
            _ => format!("/public_html/{full}"),
        };
        let domain = Domain::new(
            full.clone(),
            kind,
            parent.map(|p| p.domain.clone()),
            document_root,
        );
        if let Some(account) = self.accounts.get_mut(&account_id) {
            if domain.has_zone() {
                account.add_zone(&full);
            }
            account.domains.push(domain);
        }
        self.index.domain.insert(full.clone(), account_id);
        Ok(full)
    }

    /// Assumption (integration template, `canDocumentRootBeChanged`): only main and addon
    /// domains have their own document root; for subdomains and aliases a different one is
    /// refused with a message-only 422.
    pub fn update_domain(
        account: &mut HostingAccount,
        name: &str,
        update: DomainUpdate,
    ) -> Result<(), ApiError> {
        let domain = find_domain_mut(account, name)?;
        if update.document_root != domain.document_root
            && matches!(domain.kind, DomainKind::Sub | DomainKind::Alias)
        {
            return Err(ApiError::Unprocessable(format!(
                "The document root of the {} domain {} cannot be changed.",
                domain.kind.as_str(),
                domain.domain
            )));
        }
        domain.document_root = update.document_root;
        if let Some(enabled) = update.redirect_enabled {
            domain.redirect_enabled = enabled;
            domain.redirect_url = if enabled { update.redirect_url } else { None };
        } else if update.redirect_url.is_some() && domain.redirect_enabled {
            domain.redirect_url = update.redirect_url;
        }
        Ok(())
    }

    /// Removes a domain with its subdomains and aliases (cPanel removes them together).
    /// The main domain cannot be removed: message-only 422 (assumption).
    pub fn delete_domain(&mut self, account_id: u64, name: &str) -> Result<(), ApiError> {
        let account = self
            .accounts
            .get_mut(&account_id)
            .ok_or_else(|| not_found(ACCOUNT_MODEL, account_id))?;
        let target = find_domain_mut(account, name)?;
        if target.kind == DomainKind::Main {
            return Err(ApiError::Unprocessable(
                "The main domain cannot be deleted.".to_string(),
            ));
        }
        let mut doomed = vec![target.domain.clone()];
        let mut cursor = 0;
        while cursor < doomed.len() {
            let parent = doomed[cursor].clone();
            for child in &account.domains {
                if child.parent.as_deref() == Some(parent.as_str())
                    && !doomed.contains(&child.domain)
                {
                    doomed.push(child.domain.clone());
                }
            }
            cursor += 1;
        }
        account.domains.retain(|d| !doomed.contains(&d.domain));
        for name in doomed {
            account.forget_domain(&name);
            self.index.domain.remove(&name);
        }
        Ok(())
    }
}

/// A domain of the account by name (case-insensitive); the hosting server's own 404.
pub fn find_domain<'a>(account: &'a HostingAccount, name: &str) -> Result<&'a Domain, ApiError> {
    let wanted = name.to_ascii_lowercase();
    account
        .domains
        .iter()
        .find(|d| d.domain == wanted)
        .ok_or_else(|| ApiError::NotFound(format!("Domain {name} not found.")))
}

pub fn find_domain_mut<'a>(
    account: &'a mut HostingAccount,
    name: &str,
) -> Result<&'a mut Domain, ApiError> {
    let wanted = name.to_ascii_lowercase();
    account
        .domains
        .iter_mut()
        .find(|d| d.domain == wanted)
        .ok_or_else(|| ApiError::NotFound(format!("Domain {name} not found.")))
}

// ----- MySQL --------------------------------------------------------------------------------

impl HostingAccount {
    /// The cPanel-style prefix of this account's MySQL names.
    pub fn mysql_prefix(&self) -> String {
        format!("{}_", self.username)
    }

    /// The stored (prefixed) form of a database or MySQL user name.
    ///
    /// Assumption: paths take full names (`user_wordpress` in the seed's URLs); on create and
    /// rename a name without the account prefix gets it prepended, and one that already has
    /// it is kept, so both a full name and a bare suffix work. Callers re-read the list to
    /// learn the stored name.
    pub fn mysql_name(&self, field: &str, requested: &str, max: usize) -> Result<String, ApiError> {
        let prefix = self.mysql_prefix();
        let bare = requested.strip_prefix(&prefix).unwrap_or(requested);
        if bare.is_empty() || !bare.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(ApiError::field(
                field,
                format!("The {field} field format is invalid."),
            ));
        }
        let room = max.saturating_sub(prefix.len());
        if bare.len() > room {
            return Err(ApiError::field(
                field,
                format!("The {field} field must not be greater than {room} characters."),
            ));
        }
        Ok(format!("{prefix}{bare}"))
    }

    pub fn database_name(&self, requested: &str) -> Result<String, ApiError> {
        self.mysql_name("name", requested, MAX_DATABASE_NAME)
    }

    pub fn db_user_name(&self, requested: &str) -> Result<String, ApiError> {
        self.mysql_name("name", requested, MAX_DB_USER_NAME)
    }

    pub fn require_database(&self, name: &str) -> Result<(), ApiError> {
        if self.databases.contains_key(name) {
            Ok(())
        } else {
            Err(ApiError::NotFound(format!("Database {name} not found.")))
        }
    }

    pub fn db_user_mut(&mut self, name: &str) -> Result<&mut DbUser, ApiError> {
        self.db_users
            .get_mut(name)
            .ok_or_else(|| ApiError::NotFound(format!("MySQL user {name} not found.")))
    }

    pub fn db_user(&self, name: &str) -> Result<&DbUser, ApiError> {
        self.db_users
            .get(name)
            .ok_or_else(|| ApiError::NotFound(format!("MySQL user {name} not found.")))
    }

    pub fn create_database(&mut self, requested: &str) -> Result<String, ApiError> {
        let name = self.database_name(requested)?;
        if self.databases.contains_key(&name) {
            return Err(ApiError::field("name", "The name has already been taken."));
        }
        self.databases.insert(name.clone(), Database::default());
        Ok(name)
    }

    /// Renames a database; grants follow it (MySQL itself has no rename, panels copy the
    /// data and re-grant).
    pub fn rename_database(&mut self, old: &str, requested: &str) -> Result<String, ApiError> {
        self.require_database(old)?;
        let new = self.database_name(requested)?;
        if new == old {
            return Ok(new);
        }
        if self.databases.contains_key(&new) {
            return Err(ApiError::field("name", "The name has already been taken."));
        }
        if let Some(db) = self.databases.remove(old) {
            self.databases.insert(new.clone(), db);
        }
        for user in self.db_users.values_mut() {
            if let Some(grant) = user.grants.remove(old) {
                user.grants.insert(new.clone(), grant);
            }
        }
        Ok(new)
    }

    /// Drops a database. Its MySQL users stay behind (only their grants on it go), as
    /// observed on PanelAlpha (issue 9): a user created together with the database is left
    /// with no databases, so re-creating the database and then its user with the same name
    /// fails on the user ("The name has already been taken.") while the new database exists.
    /// Deleting the user is a separate call (`DELETE .../mysql/users/{name}`).
    pub fn delete_database(&mut self, name: &str) -> Result<(), ApiError> {
        self.require_database(name)?;
        self.databases.remove(name);
        for user in self.db_users.values_mut() {
            user.grants.remove(name);
        }
        Ok(())
    }

    /// Creates a MySQL user; with `database`, the user gets ALL PRIVILEGES on it
    /// (assumption: the seed does not say which grant the shortcut implies).
    pub fn create_db_user(
        &mut self,
        requested: &str,
        password: &str,
        database: Option<&str>,
    ) -> Result<String, ApiError> {
        let name = self.db_user_name(requested)?;
        if self.db_users.contains_key(&name) {
            return Err(ApiError::field("name", "The name has already been taken."));
        }
        let mut grants = BTreeMap::new();
        if let Some(database) = database {
            // Like `name`, the database may be given with or without the account prefix.
            let prefixed = format!("{}{database}", self.mysql_prefix());
            let found = [database, prefixed.as_str()]
                .into_iter()
                .find(|candidate| self.databases.contains_key(*candidate))
                .ok_or_else(|| ApiError::field("database", "The selected database is invalid."))?;
            grants.insert(found.to_string(), vec![ALL_PRIVILEGES.to_string()]);
        }
        self.db_users.insert(
            name.clone(),
            DbUser {
                password: PasswordHash::of(password),
                grants,
            },
        );
        Ok(name)
    }

    pub fn rename_db_user(&mut self, old: &str, requested: &str) -> Result<String, ApiError> {
        self.db_user(old)?;
        let new = self.db_user_name(requested)?;
        if new == old {
            return Ok(new);
        }
        if self.db_users.contains_key(&new) {
            return Err(ApiError::field("name", "The name has already been taken."));
        }
        if let Some(user) = self.db_users.remove(old) {
            self.db_users.insert(new.clone(), user);
        }
        Ok(new)
    }

    /// `{"user": ..., "databases": [...]}` items in name order.
    pub fn db_user_databases(&self, name: &str) -> Vec<String> {
        self.db_users
            .get(name)
            .map(|user| user.grants.keys().cloned().collect())
            .unwrap_or_default()
    }
}

/// Parses a comma-separated privilege list (`"SELECT, INSERT"`, `"ALL PRIVILEGES"`, `"ALL"`)
/// into the stored form: `["ALL PRIVILEGES"]` when everything is granted, otherwise the
/// privileges in canonical order. `None` when a name is not a MySQL database privilege.
pub fn parse_privileges(text: &str) -> Option<Vec<String>> {
    let mut granted = Vec::new();
    for item in text.split(',') {
        let words: Vec<String> = item
            .split_whitespace()
            .map(str::to_ascii_uppercase)
            .collect();
        let name = words.join(" ");
        if name.is_empty() {
            continue;
        }
        if name == "ALL" || name == ALL_PRIVILEGES {
            return Some(vec![ALL_PRIVILEGES.to_string()]);
        }
        let known = MYSQL_PRIVILEGES.iter().find(|p| **p == name)?;
        if !granted.contains(known) {
            granted.push(*known);
        }
    }
    if granted.is_empty() {
        return None;
    }
    if granted.len() == MYSQL_PRIVILEGES.len() {
        return Some(vec![ALL_PRIVILEGES.to_string()]);
    }
    Some(
        MYSQL_PRIVILEGES
            .iter()
            .filter(|p| granted.contains(p))
            .map(|p| p.to_string())
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(state: &mut State, email: &str) -> u64 {
        state
            .create_user(UserFields {
                email: email.to_string(),
                password: Some("password1".into()),
                ..UserFields::default()
            })
            .unwrap()
    }

    #[test]
    fn archived_email_stays_taken_until_purge() {
        let mut state = State::new();
        let id = user(&mut state, "Ann@Example.com");
        state.archive_user(id).unwrap();
        assert!(state.user_by_email("ann@example.com").is_none());
        let again = state.create_user(UserFields {
            email: "ann@example.com".into(),
            password: Some("password1".into()),
            ..UserFields::default()
        });
        assert_eq!(
            again,
            Err(ApiError::field(
                "email",
                "The email has already been taken."
            ))
        );
        state.purge_user(id).unwrap();
        assert_eq!(user(&mut state, "ann@example.com"), id + 1);
    }

    #[test]
    fn service_provisions_an_account_with_unique_username_and_main_domain() {
        let mut state = State::new();
        let owner = user(&mut state, "a@x.io");
        let first = state
            .create_service(owner, 1, Some("Shop.Example.com".into()))
            .unwrap();
        let second = state
            .create_service(owner, 1, Some("shopexample.net".into()))
            .unwrap();
        let names: Vec<(String, String)> = [first, second]
            .iter()
            .map(|id| {
                let account = &state.accounts[&state.services[id].account_ids[0]];
                (account.username.clone(), account.domain.clone())
            })
            .collect();
        assert_eq!(
            names,
            vec![
                ("shopexam".to_string(), "shop.example.com".to_string()),
                ("shopexa1".to_string(), "shopexample.net".to_string())
            ]
        );
        let clash = state.create_service(owner, 1, Some("shop.example.com".into()));
        assert_eq!(
            clash,
            Err(ApiError::field(
                "domain",
                "The domain has already been taken."
            ))
        );
        assert_eq!(
            state.create_service(owner, 99, None),
            Err(ApiError::field(
                "plan_id",
                "The selected plan id is invalid."
            ))
        );
    }

    #[test]
    fn deleting_a_domain_takes_its_subdomains_and_aliases_along() {
        let mut state = State::new();
        let owner = user(&mut state, "a@x.io");
        let service = state
            .create_service(owner, 1, Some("main.example".into()))
            .unwrap();
        let account = state.services[&service].account_ids[0];
        state
            .add_domain(account, "shop.example", DomainKind::Addon, None)
            .unwrap();
        let sub = state
            .add_domain(account, "blog", DomainKind::Sub, Some("shop.example"))
            .unwrap();
        assert_eq!(sub, "blog.shop.example");
        state
            .add_domain(
                account,
                "shop.example.org",
                DomainKind::Alias,
                Some("shop.example"),
            )
            .unwrap();
        state.delete_domain(account, "SHOP.example").unwrap();
        let left: Vec<&str> = state.accounts[&account]
            .domains
            .iter()
            .map(|d| d.domain.as_str())
            .collect();
        assert_eq!(left, vec!["main.example"]);
        assert_eq!(
            state.delete_domain(account, "main.example"),
            Err(ApiError::Unprocessable(
                "The main domain cannot be deleted.".into()
            ))
        );
        // The freed name can be added again.
        state
            .add_domain(account, "shop.example", DomainKind::Addon, None)
            .unwrap();
    }

    #[test]
    fn mysql_names_get_the_prefix_once_and_grants_follow_renames() {
        let mut state = State::new();
        let owner = user(&mut state, "a@x.io");
        let service = state
            .create_service(owner, 1, Some("main.example".into()))
            .unwrap();
        let account = state
            .accounts
            .get_mut(&state.services[&service].account_ids[0])
            .unwrap();
        assert_eq!(account.create_database("wp").unwrap(), "mainexam_wp");
        assert_eq!(
            account.create_database("mainexam_shop").unwrap(),
            "mainexam_shop"
        );
        account
            .create_db_user("wpuser", "pw", Some("mainexam_wp"))
            .unwrap();
        account.rename_database("mainexam_wp", "blog").unwrap();
        assert_eq!(
            account.db_user_databases("mainexam_wpuser"),
            vec!["mainexam_blog".to_string()]
        );
        assert!(account.database_name("bad-name").is_err());
        assert!(account.db_user_name(&"u".repeat(24)).is_err());
    }

    #[test]
    fn privileges_normalise_to_canonical_order_or_all() {
        assert_eq!(
            parse_privileges("insert, select"),
            Some(vec!["INSERT".into(), "SELECT".into()])
        );
        assert_eq!(parse_privileges("all"), Some(vec![ALL_PRIVILEGES.into()]));
        assert_eq!(
            parse_privileges(&MYSQL_PRIVILEGES.join(",")),
            Some(vec![ALL_PRIVILEGES.into()])
        );
        assert_eq!(parse_privileges("select, superpowers"), None);
        assert_eq!(parse_privileges(" , "), None);
    }
}
