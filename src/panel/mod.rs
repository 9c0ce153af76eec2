//! The backend-neutral panel layer: the [`Panel`] every backend implements, one
//! [`Service`] per object type, declared capabilities, typed errors and the name rules
//! every layer shares. Nothing here knows about Terraform.
//!
//! A backend implements only the object types its panel has: each accessor
//! ([`Panel::users`], [`Panel::domains`], ...) defaults to `None`, which the resources
//! turn into a plan-time refusal naming the panel.

pub mod cancel;
pub mod error;
pub mod names;
pub mod objects;
pub mod paths;
pub mod secret;
pub mod service;

#[cfg(test)]
pub mod fake;

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

pub use error::{Effect, PanelError, PanelErrorKind, PanelResult, PartialObject};
pub use objects::*;
pub use secret::Secret;
pub use service::{ListFilter, Locator, PanelObject, Service};

/// Which API a backend speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PanelKind {
    PleskRest,
    PleskXml,
    PanelAlpha,
    Hestia,
}

impl PanelKind {
    /// The provider's `type` argument value.
    pub fn as_str(self) -> &'static str {
        match self {
            PanelKind::PleskRest => "plesk_rest",
            PanelKind::PleskXml => "plesk_xml",
            PanelKind::PanelAlpha => "panelalpha",
            PanelKind::Hestia => "hestia",
        }
    }

    /// Every kind, in the order docs list them.
    pub const ALL: [PanelKind; 4] = [
        PanelKind::Hestia,
        PanelKind::PleskRest,
        PanelKind::PleskXml,
        PanelKind::PanelAlpha,
    ];
}

/// How a panel prefixes the database and database-user names it stores.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NamePrefix {
    /// Stored as written (Plesk).
    #[default]
    None,
    /// `<owner login>_` (HestiaCP; the owner's id is the login, so the prefix is known
    /// as soon as the owner is).
    OwnerLogin,
    /// `<hosting account username>_` (PanelAlpha, cPanel style). The username is not
    /// known before the account exists, so the prefix is stripped at the first `_`.
    AccountUsername,
}

/// How a panel's main domains come to be.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MainDomainOrigin {
    /// Created like any other domain (Plesk subscription, HestiaCP web domain).
    #[default]
    Created,
    /// Created by the panel with the user's hosting plan (PanelAlpha): import it.
    WithUserPlan,
}

/// What a backend can do, so resources can refuse at plan time what the panel cannot
/// honour at apply time. Resources branch on these, never on [`PanelKind`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Users have a login distinct from their email.
    pub user_login: bool,
    /// The user's id is its login, so it is known at plan time (HestiaCP).
    pub user_id_is_login: bool,
    /// The panel's own rules for new logins (stricter than the common ones).
    pub user_login_rules: LoginRules,
    pub user_plan: bool,
    /// The plans users can be given are listed by [`Panel::user_plans`], cheaply enough
    /// to check a configured plan at plan time (HestiaCP's packages).
    pub user_plans_listed: bool,
    /// The plan can be changed after creation.
    pub user_plan_update: bool,
    pub user_suspend: bool,
    /// A suspended user's objects cannot be created or changed (HestiaCP answers
    /// E_SUSPENDED), so a user cannot be created suspended together with its objects.
    pub user_suspended_locks_objects: bool,
    /// Suspension is a property of the user's plan/service, so a user without a plan
    /// cannot be suspended (PanelAlpha).
    pub user_suspend_needs_plan: bool,
    pub domain_addon: bool,
    /// An addon domain may leave out `parent`: the owner's hosting account takes it
    /// (PanelAlpha, when the owner has one account).
    pub domain_parent_from_owner: bool,
    pub domain_subdomain: bool,
    pub domain_main: MainDomainOrigin,
    pub domain_document_root: bool,
    /// Document roots live in the subscription's home (Plesk): a path no home can hold
    /// is refused at plan time (`paths::outside_every_home`).
    pub domain_document_root_in_home: bool,
    pub domain_php_version: bool,
    pub domain_ip_address: bool,
    /// The IP address can only be chosen at creation (HestiaCP).
    pub domain_ip_address_fixed: bool,
    /// Main domains have a system (FTP) user with a password (Plesk subscriptions).
    pub domain_system_user: bool,
    /// The system user's password can be changed after creation.
    pub domain_system_password_update: bool,
    pub database_postgresql: bool,
    /// Databases must name a domain (Plesk subscription / PanelAlpha account).
    pub database_requires_domain: bool,
    /// Databases belong to a user, not a domain: `domain` cannot be set (HestiaCP).
    pub database_refuses_domain: bool,
    /// The database user is created with the database, in one call (Hestia).
    pub database_user_inline: bool,
    /// How stored database and database-user names are prefixed.
    pub database_name_prefix: NamePrefix,
    pub database_name_max_len: Option<usize>,
    pub database_user_max_len: Option<usize>,
    /// Cron jobs can be suspended and resumed (HestiaCP `v-suspend-cron-job`).
    pub cron_job_suspend: bool,
    /// Characters the panel refuses or cannot read back in a cron job's command
    /// (HestiaCP: a backtick is refused, a backslash is listed unescaped).
    pub cron_command_refuses: &'static [char],
    /// A DNS record names the user whose zone it is in (HestiaCP: zones belong to users).
    pub dns_record_owner_required: bool,
    /// Characters the panel removes from or cannot read back in a TXT value (HestiaCP
    /// removes double quotes, records 116 and 147).
    pub dns_txt_refuses: &'static [char],
    /// A DNS record has a TTL of its own the API sets and reports (not Plesk XML).
    pub dns_record_ttl: bool,
    /// A DNS record keeps its id when its name, value or priority changes (Plesk XML
    /// has no record update: the change is a new record with a new id).
    pub dns_record_update_keeps_id: bool,
    /// An FTP account's home directory can be changed after creation (PanelAlpha's
    /// Mailboxes can be suspended and resumed (HestiaCP `v-suspend-mail-account`).
    pub mailbox_suspend: bool,
    /// update takes only quota and password).
    pub ftp_account_home_update: bool,
    /// How many databases one database user can be granted (Plesk: one; `None`: any).
    pub database_user_max_databases: Option<usize>,
    /// A database user's databases can be changed after creation (PanelAlpha's
    /// privileges); else a change replaces the user.
    pub database_user_databases_update: bool,
    /// Mail can be switched on and off for a domain (HestiaCP mail domains, Plesk's mail
    /// service); false where every domain receives mail (PanelAlpha).
    pub mail_domain_switch: bool,
    /// The panel can request (and renews) a Let's Encrypt certificate for a domain.
    pub certificate_lets_encrypt: bool,
    /// The panel can install an uploaded certificate with its private key.
    pub certificate_upload: bool,
}

/// A panel's extra rules for new logins.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LoginRules {
    /// Only the common rules ([`names::login_problem`]).
    #[default]
    Common,
    /// HestiaCP's `v-add-user` rules ([`names::hestia_login_problem`]).
    Hestia,
}

/// One hosting panel: its identity, its capabilities and its object services.
#[async_trait::async_trait]
pub trait Panel: Send + Sync + Debug {
    fn kind(&self) -> PanelKind;
    fn capabilities(&self) -> Capabilities;

    /// A cheap authenticated call, used to check credentials.
    async fn check_connection(&self) -> PanelResult<()>;

    fn users(&self) -> Option<&dyn Service<User>> {
        None
    }

    fn domains(&self) -> Option<&dyn Service<Domain>> {
        None
    }

    fn databases(&self) -> Option<&dyn Service<Database>> {
        None
    }

    fn cron_jobs(&self) -> Option<&dyn Service<CronJob>> {
        None
    }

    fn ftp_accounts(&self) -> Option<&dyn Service<FtpAccount>> {
        None
    }

    fn dns_records(&self) -> Option<&dyn Service<DnsRecord>> {
        None
    }

    fn database_users(&self) -> Option<&dyn Service<DatabaseUser>> {
        None
    }

    fn mail_domains(&self) -> Option<&dyn Service<MailDomain>> {
        None
    }

    fn certificates(&self) -> Option<&dyn Service<Certificate>> {
        None
    }

    fn dns_zones(&self) -> Option<&dyn Service<DnsZone>> {
        None
    }

    fn mailboxes(&self) -> Option<&dyn Service<Mailbox>> {
        None
    }

    /// The names of the plans (packages) a user can be given, on panels whose
    /// capabilities say `user_plans_listed`; read at plan time so that a plan the
    /// panel lacks is refused before anything is created.
    async fn user_plans(&self) -> PanelResult<Vec<String>> {
        Err(PanelError::unsupported(
            "this panel's API does not list its user plans",
        ))
    }
}

/// What the provider's `Configure` hands to resources: the connected panel, what it
/// is, where, and what it can do.
#[derive(Clone)]
pub struct PanelHandle {
    pub panel: Arc<dyn Panel>,
    pub kind: PanelKind,
    pub capabilities: Capabilities,
    /// The configured endpoint, for diagnostics.
    pub endpoint: String,
    /// How long to keep looking for an object whose create answer was lost: a panel may
    /// still be committing it after the provider stopped waiting.
    pub settle: Duration,
}

/// The default [`PanelHandle::settle`]: longer than the slowest mutation measured on a
/// real HestiaCP (1.3 s) several times over, short enough not to stall an apply.
pub const DEFAULT_SETTLE: Duration = Duration::from_secs(8);

impl PanelHandle {
    pub fn new(panel: Arc<dyn Panel>) -> Self {
        Self {
            kind: panel.kind(),
            capabilities: panel.capabilities(),
            panel,
            endpoint: String::new(),
            settle: DEFAULT_SETTLE,
        }
    }

    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.endpoint = endpoint.into();
        self
    }

    pub fn with_settle(mut self, settle: Duration) -> Self {
        self.settle = settle;
        self
    }

    /// The panel's `type` name, for diagnostics: `hestia`.
    pub fn name(&self) -> &'static str {
        self.kind.as_str()
    }

    /// The service for `O`, if this panel has such objects.
    pub fn service<O: PanelObject>(&self) -> Option<&dyn Service<O>> {
        O::service(self.panel.as_ref())
    }
}

impl Debug for PanelHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PanelHandle")
            .field("kind", &self.kind)
            .field("capabilities", &self.capabilities)
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}
