//! Plesk REST API v2 backend: customers (`/clients`), domains (subscriptions, addon
//! domains, subdomains: `/domains`), databases and their users (`/databases`,
//! `/dbusers`), one file per object type.
//!
//! Ids (unchanged since the first release, so existing states keep working):
//! - user: the client's numeric id;
//! - domain: `"{clientId}/{domainId}"`. `DomainResponse` carries no owner, so the owner
//!   is part of the id; a bare numeric domain id (import by Plesk id) costs one more
//!   request, `GET /domains/{id}/client`, unless the locator names the owner;
//! - database: `"{clientId}/{domainName}/{databaseId}"`.
//!
//! Requests (issue 16). A refresh reads whole-panel lists, each loaded once per run and
//! shared by every resource of its type (single flight, [`SharedList`]): `GET /clients`,
//! `GET /domains`, `GET /databases` and, only for databases that have a user,
//! `GET /dbusers`. A refresh of any number of resources therefore costs at most four
//! requests. The price: a subscription moved to another customer in the panel still
//! reads with the owner in its id (the domain lists name no owner, and checking would
//! cost a request per customer); `terraform import` reads the real owner.
//! After a change, `read_back` reads that one object: `GET /clients/{id}`,
//! `GET /domains/{id}` (plus the owner's domain list for an addon domain or subdomain,
//! whose kind and parent only the list tells), and for a database, which has no
//! single-object read in the spec, its domain's databases
//! (`GET /databases?domain=`) and its own users (`GET /dbusers?dbId=`).
//! Natural-key lookups use the API's filters (`GET /domains?name=`,
//! `GET /databases?domain=`); customers can only be listed, so a login is looked up in
//! the shared customer list, which a successful create or delete patches in place
//! instead of dropping (a large apply stays linear).
//!
//! Every write goes through [`PleskRestBackend::write`], which brings each cache the
//! write can affect up to date on every outcome.
//!
//! What the REST API cannot do, declared in [`Capabilities`]: clients have no service
//! plan (plans belong to subscriptions), domains expose neither PHP settings nor a
//! settable document root (`www_root` is reported read-only as `document_root`), and a
//! subscription's IP addresses are write-only (sent on create/update, never returned).

mod cache;
pub mod client;
mod database_users;
mod databases;
mod dns_records;
mod domains;
pub mod error;
mod ftp_accounts;
mod mailboxes;
mod records;
mod users;
pub mod wire;

use serde::de::DeserializeOwned;

use self::cache::SharedList;
use self::client::{HttpRequest, PleskRestClient};
use self::error::FieldMap;
use self::records::{Clients, DatabaseUsers, Databases, Domains};
use self::wire::{
    Client, CreatedResponse, Database as WireDatabase, DatabaseServer, DatabaseUser,
    DomainResponse, ServerIp, ServerMeta,
};
use crate::backends::http::OwnerListCache;
use crate::backends::BackendConfig;
use crate::panel::{
    cancel, Capabilities, Database, DnsRecord, Domain, FtpAccount, LoginRules, MainDomainOrigin,
    NamePrefix, Panel, PanelError, PanelKind, PanelResult, Service, User,
};

const NO_FIELDS: FieldMap = &[];

/// Cache key of the server-wide lists kept in [`OwnerListCache`]s.
const ALL: &str = "";

/// The Plesk REST v2 backend.
pub struct PleskRestBackend {
    client: PleskRestClient,
    /// `GET /clients`: every customer, for refreshes and lookups by login.
    clients: SharedList<Clients>,
    /// `GET /domains`: every domain, for refreshes.
    domains: SharedList<Domains>,
    /// `GET /clients/{id}/domains` per client id (`None`: the client is gone): lists
    /// by owner, and the parent of a new addon domain or subdomain.
    owner_domains: OwnerListCache<Option<Domains>>,
    /// `GET /databases`: every database, for refreshes.
    databases: SharedList<Databases>,
    /// `GET /dbusers`: every database user, for refreshes of databases with a user.
    database_users: SharedList<DatabaseUsers>,
    /// `GET /ftpusers`: every additional FTP account, for refreshes.
    ftp_users: SharedList<Vec<wire::FtpUser>>,
    db_servers: OwnerListCache<Vec<DatabaseServer>>,
    server_ips: OwnerListCache<Vec<ServerIp>>,
    /// `GET /dns/records?domain=ZONE` per zone.
    dns_records: OwnerListCache<Vec<DnsRecord>>,
}

impl std::fmt::Debug for PleskRestBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PleskRestBackend")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

/// What a write can make stale, so [`PleskRestBackend::write`] brings those caches up
/// to date whatever the outcome.
#[derive(Debug, Default)]
struct Touched {
    clients: ClientsChange,
    domains: DomainsChange,
    /// Databases and their users.
    databases: bool,
    /// Additional FTP accounts (also gone with a deleted domain or customer, which
    /// set `databases`).
    ftp_users: bool,
}

/// How a write changes the customer list.
#[derive(Debug, Default)]
enum ClientsChange {
    #[default]
    Unchanged,
    /// Something about a customer changed: drop the list.
    Changed,
    /// A customer is created; on success the answer's id completes this record, which
    /// joins the list in place (every user create looks logins up in it first).
    Added(Client),
    /// A customer is deleted; on success (or "not found") it leaves the list in place.
    Removed(i64),
}

/// Whose domain lists a write changes.
#[derive(Debug, Default)]
enum DomainsChange {
    #[default]
    Unchanged,
    Of(i64),
    /// The owner is not known: every owner's.
    Anyone,
}

impl Touched {
    fn client_added(draft: Client) -> Self {
        Self {
            clients: ClientsChange::Added(draft),
            ..Self::default()
        }
    }

    fn client_changed() -> Self {
        Self {
            clients: ClientsChange::Changed,
            ..Self::default()
        }
    }

    /// Plesk deletes a customer's subscriptions and databases with it.
    fn client_removed(id: i64) -> Self {
        Self {
            clients: ClientsChange::Removed(id),
            domains: DomainsChange::Of(id),
            databases: true,
            ftp_users: true,
        }
    }

    fn domains_of(owner: i64) -> Self {
        Self {
            domains: DomainsChange::Of(owner),
            ..Self::default()
        }
    }

    /// A domain deleted: its sites and databases go with it.
    fn domain_removed(owner: Option<i64>) -> Self {
        Self {
            domains: owner.map_or(DomainsChange::Anyone, DomainsChange::Of),
            databases: true,
            ..Self::default()
        }
    }

    fn databases() -> Self {
        Self {
            databases: true,
            ..Self::default()
        }
    }
}

impl PleskRestBackend {
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        Ok(Self {
            client: PleskRestClient::new(config)?,
            clients: SharedList::default(),
            domains: SharedList::default(),
            owner_domains: OwnerListCache::new(),
            databases: SharedList::default(),
            database_users: SharedList::default(),
            ftp_users: SharedList::default(),
            db_servers: OwnerListCache::new(),
            server_ips: OwnerListCache::new(),
            dns_records: OwnerListCache::new(),
        })
    }

    // ---- requests --------------------------------------------------------------------

    /// A read; not sent after a stop.
    async fn read<T: DeserializeOwned>(&self, request: HttpRequest) -> PanelResult<T> {
        cancel::check()?;
        self.client.call_json(request, NO_FIELDS, &[]).await
    }

    /// A read of something that may not exist: 404 is `None`.
    async fn read_optional<T: DeserializeOwned>(
        &self,
        request: HttpRequest,
    ) -> PanelResult<Option<T>> {
        match self.read(request).await {
            Ok(found) => Ok(Some(found)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every write goes through here: not sent after a stop; once sent, whatever the
    /// outcome (a refusal, a lost answer, success), every cache `touched` names is
    /// brought up to date, so no write path can leave a stale list behind.
    async fn write(
        &self,
        request: HttpRequest,
        fields: FieldMap,
        secrets: &[&str],
        touched: Touched,
    ) -> PanelResult<String> {
        cancel::check()?;
        let outcome = self.client.call(request, fields, secrets).await;
        self.forget(touched, &outcome);
        outcome
    }

    fn forget(&self, touched: Touched, outcome: &PanelResult<String>) {
        match touched.clients {
            ClientsChange::Unchanged => {}
            ClientsChange::Changed => self.clients.invalidate(),
            ClientsChange::Added(mut draft) => {
                let id = outcome
                    .as_ref()
                    .ok()
                    .and_then(|body| serde_json::from_str::<CreatedResponse>(body).ok())
                    .and_then(|created| created.id);
                match id {
                    Some(id) => {
                        draft.id = Some(id);
                        self.clients.update(|clients| clients.upsert(draft));
                    }
                    None => self.clients.invalidate(),
                }
            }
            ClientsChange::Removed(id) => match outcome {
                Ok(_) => self.clients.update(|clients| clients.remove(id)),
                Err(e) if e.is_not_found() => self.clients.update(|clients| clients.remove(id)),
                Err(_) => self.clients.invalidate(),
            },
        }
        match touched.domains {
            DomainsChange::Unchanged => {}
            DomainsChange::Of(owner) => {
                self.domains.invalidate();
                self.owner_domains.invalidate(&owner.to_string());
            }
            DomainsChange::Anyone => {
                self.domains.invalidate();
                self.owner_domains.invalidate_all();
            }
        }
        if touched.databases {
            self.databases.invalidate();
            self.database_users.invalidate();
        }
        if touched.ftp_users || touched.databases {
            self.ftp_users.invalidate();
        }
    }

    // ---- shared lists ------------------------------------------------------------------

    /// `read` over every customer (`GET /clients`, shared by the run).
    async fn with_clients<R>(&self, read: impl FnOnce(&Clients) -> R) -> PanelResult<R> {
        self.clients
            .read(
                || async {
                    let list: Vec<Client> = self.read(HttpRequest::get("clients")).await?;
                    Ok(Clients::new(list))
                },
                read,
            )
            .await
    }

    /// `read` over every domain (`GET /domains`, shared by the run).
    async fn with_domains<R>(&self, read: impl FnOnce(&Domains) -> R) -> PanelResult<R> {
        self.domains
            .read(
                || async {
                    let list: Vec<DomainResponse> = self.read(HttpRequest::get("domains")).await?;
                    Ok(Domains::new(list))
                },
                read,
            )
            .await
    }

    /// `read` over every database (`GET /databases`, shared by the run).
    async fn with_databases<R>(&self, read: impl FnOnce(&Databases) -> R) -> PanelResult<R> {
        self.databases
            .read(
                || async {
                    let list: Vec<WireDatabase> = self.read(HttpRequest::get("databases")).await?;
                    Ok(Databases::new(list))
                },
                read,
            )
            .await
    }

    /// `read` over every database user (`GET /dbusers`, shared by the run).
    async fn with_database_users<R>(
        &self,
        read: impl FnOnce(&DatabaseUsers) -> R,
    ) -> PanelResult<R> {
        self.database_users
            .read(
                || async {
                    let list: Vec<DatabaseUser> = self.read(HttpRequest::get("dbusers")).await?;
                    Ok(DatabaseUsers::new(list))
                },
                read,
            )
            .await
    }

    /// One customer's domains (`GET /clients/{id}/domains`), shared until a write
    /// changes them; `None` when the customer is gone.
    async fn owner_domains(&self, owner: i64) -> PanelResult<std::sync::Arc<Option<Domains>>> {
        self.owner_domains
            .get_or_load(&owner.to_string(), || self.load_owner_domains(owner))
            .await
    }

    /// The domain lists of one owner (`filter.owner`) or of every customer, a few
    /// customers at a time, with the owner each belongs to, in owner order.
    async fn owners_domain_lists(
        &self,
        filter: &crate::panel::ListFilter,
    ) -> PanelResult<Vec<(i64, std::sync::Arc<Option<Domains>>)>> {
        use futures::{stream, StreamExt, TryStreamExt};
        let mut owners: Vec<i64> = match &filter.owner {
            Some(owner) => vec![parse_number("owner", owner)?],
            None => {
                self.with_clients(|clients| clients.iter().filter_map(|c| c.id).collect())
                    .await?
            }
        };
        owners.sort_unstable();
        stream::iter(owners)
            .map(|owner| async move { self.owner_domains(owner).await.map(|l| (owner, l)) })
            .buffered(LIST_CONCURRENCY)
            .try_collect()
            .await
    }

    /// One customer's domains, fresh from the panel.
    async fn load_owner_domains(&self, owner: i64) -> PanelResult<Option<Domains>> {
        let request = HttpRequest::get(format!("clients/{owner}/domains"));
        let list: Option<Vec<DomainResponse>> = self.read_optional(request).await?;
        Ok(list.map(Domains::new))
    }

    async fn first_shared_ip(&self) -> PanelResult<String> {
        let ips = self
            .server_ips
            .get_or_load(ALL, || self.read(HttpRequest::get("server/ips")))
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
            .get_or_load(ALL, || self.read(HttpRequest::get("dbservers")))
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
}

#[async_trait::async_trait]
impl Panel for PleskRestBackend {
    fn kind(&self) -> PanelKind {
        PanelKind::PleskRest
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            user_id_is_login: false,
            user_login_rules: LoginRules::Common,
            user_suspended_locks_objects: false,
            domain_parent_from_owner: false,
            domain_system_password_update: true,
            user_suspend_needs_plan: false,
            domain_main: MainDomainOrigin::Created,
            domain_ip_address_fixed: false,
            domain_system_user: true,
            database_refuses_domain: false,
            user_login: true,
            user_plan: false,
            user_plan_update: false,
            user_plans_listed: false,
            user_suspend: true,
            domain_addon: true,
            domain_subdomain: true,
            domain_document_root: false,
            domain_document_root_in_home: false,
            domain_php_version: false,
            domain_ip_address: true,
            database_postgresql: true,
            database_requires_domain: true,
            database_user_inline: false,
            database_name_prefix: NamePrefix::None,
            database_name_max_len: None,
            database_user_max_len: None,
            // No scheduled-task API: `cron_jobs()` is `None`.
            cron_job_suspend: false,
            cron_command_refuses: &[],
            // DNS records of a subscription's or site's zone (`/dns/records`); no owner.
            dns_record_owner_required: false,
            dns_txt_refuses: &[],
            dns_record_ttl: true,
            dns_record_update_keeps_id: true,
            // FTP users' `home` is in the update request.
            ftp_account_home_update: true,
            // Mailboxes go through the `mail` utility (`/cli/mail/call`), which has no
            // suspension (`-mailbox false` removes the mailbox).
            mailbox_suspend: false,
            database_user_max_databases: Some(1),
            database_user_databases_update: false,
            // `mail --on` / `--off DOMAIN` through `/cli/mail/call` could switch it, but
            // neither the REST API nor a documented utility reads it back: no service.
            mail_domain_switch: false,
            // The REST API has no certificate resource (see the panel_certificate docs).
            certificate_lets_encrypt: false,
            certificate_upload: false,
        }
    }

    async fn check_connection(&self) -> PanelResult<()> {
        self.read::<ServerMeta>(HttpRequest::get("server"))
            .await
            .map(drop)
    }

    fn users(&self) -> Option<&dyn Service<User>> {
        Some(self)
    }

    fn domains(&self) -> Option<&dyn Service<Domain>> {
        Some(self)
    }

    fn databases(&self) -> Option<&dyn Service<Database>> {
        Some(self)
    }

    fn dns_records(&self) -> Option<&dyn Service<DnsRecord>> {
        Some(self)
    }

    fn ftp_accounts(&self) -> Option<&dyn Service<FtpAccount>> {
        Some(self)
    }

    fn database_users(&self) -> Option<&dyn Service<crate::panel::DatabaseUser>> {
        Some(self)
    }

    /// Through the `mail` utility (`POST /cli/mail/call`): REST has no mail resource.
    fn mailboxes(&self) -> Option<&dyn Service<crate::panel::Mailbox>> {
        Some(self)
    }
}

/// The answer to a write, decoded.
fn decode_answer<T: DeserializeOwned>(what: &str, body: &str) -> PanelResult<T> {
    serde_json::from_str(body)
        .map_err(|e| PanelError::protocol(format!("{what}: unexpected answer: {e}")))
}

/// Customers whose domain lists are read at once when listing every domain or database.
const LIST_CONCURRENCY: usize = 8;

fn parse_number(field: &str, value: &str) -> PanelResult<i64> {
    value.trim().parse().map_err(|_| {
        PanelError::invalid(
            Some(field),
            format!("expected a numeric plesk id, got {value:?}"),
        )
    })
}

fn is_number(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
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

/// Turn the read after a create into the created object, attaching what exists when
/// the read fails.
fn created_or_partial<T, P: crate::panel::PanelObject>(
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
}

/// Shared by the per-object unit tests: a backend against a scripted mock panel.
#[cfg(test)]
pub(crate) mod mock {
    use super::PleskRestBackend;
    use crate::backends::rest::mock::config;
    use crate::backends::Credentials;
    use crate::panel::{PanelKind, Secret};

    pub fn backend(base_url: &str) -> PleskRestBackend {
        let credentials = Credentials::ApiKey(Secret::new("k"));
        PleskRestBackend::new(&config(PanelKind::PleskRest, base_url, credentials)).unwrap()
    }
}
