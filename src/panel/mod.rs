//! The backend-neutral panel layer: one trait every backend implements, declared
//! capabilities, and typed errors. Nothing here knows about Terraform.

pub mod error;
pub mod model;

use std::fmt::Debug;

pub use error::{Effect, PanelError, PanelErrorKind, PanelResult, PartialObject};
pub use model::*;

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
}

/// What a backend can do, so resources can refuse at plan time what the panel cannot
/// honour at apply time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Users have a login distinct from their email.
    pub user_login: bool,
    pub user_plan: bool,
    /// The plan can be changed after creation.
    pub user_plan_update: bool,
    pub user_suspend: bool,
    pub domain_addon: bool,
    pub domain_subdomain: bool,
    pub domain_document_root: bool,
    pub domain_php_version: bool,
    pub domain_ip_address: bool,
    pub database_postgresql: bool,
    /// Databases must name a domain (Plesk subscription / PanelAlpha account).
    pub database_requires_domain: bool,
    /// The database user is created with the database, in one call (Hestia).
    pub database_user_inline: bool,
    /// Names get the owner's login prefix (`user_name`) on the panel (Hestia).
    pub database_name_prefix: bool,
    pub database_name_max_len: Option<usize>,
    pub database_user_max_len: Option<usize>,
}

/// Filters for list calls; `None` means "all".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ListFilter {
    pub owner: Option<String>,
}

/// One hosting panel. Methods take the panel's own ids (see each model's `id`).
/// Delete is idempotent: deleting something already gone is `Ok(())`.
/// Reads return `Ok(None)` when the object does not exist.
/// Backends never retry a non-idempotent call.
#[async_trait::async_trait]
pub trait Panel: Send + Sync + Debug {
    fn kind(&self) -> PanelKind;
    fn capabilities(&self) -> Capabilities;

    /// A cheap authenticated call, used to check credentials at configure time.
    async fn check_connection(&self) -> PanelResult<()>;

    async fn create_user(&self, spec: &UserSpec) -> PanelResult<User>;
    async fn get_user(&self, id: &str) -> PanelResult<Option<User>>;
    /// Look up by natural key (login; PanelAlpha: email), for import and data sources.
    async fn find_user(&self, login: &str) -> PanelResult<Option<User>>;
    async fn list_users(&self) -> PanelResult<Vec<User>>;
    async fn update_user(&self, id: &str, patch: &UserPatch) -> PanelResult<User>;
    async fn delete_user(&self, id: &str) -> PanelResult<()>;

    async fn create_domain(&self, spec: &DomainSpec) -> PanelResult<Domain>;
    async fn get_domain(&self, id: &str) -> PanelResult<Option<Domain>>;
    /// Look up by domain name (normalised: lowercase ASCII).
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
