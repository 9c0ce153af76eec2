//! Plesk XML API backend: customers as users, subscriptions (webspaces) and sites as
//! domains, databases inside subscriptions. One file per object type
//! ([`users`], [`domains`], [`databases`]); this one holds the backend, its caches and
//! what they share.
//!
//! Ids: users are Plesk's customer ids; domains and databases are
//! `"{owner}/{plesk id}"`, where owner is the neutral owner (the customer id, or the
//! login of an admin/reseller owner). A bare Plesk id is accepted wherever an id is.
//!
//! Requests (issue 16):
//! - **Refresh** reads come from whole-panel lists, one request each, loaded once per
//!   process and shared by every concurrent read (single flight): `customer get`,
//!   `webspace get` + `site get` (one packet), `database get-db` + `get-db-users`
//!   (one packet), all with empty filters. A refresh of any number of resources costs
//!   at most these three requests. Per-owner packets would cost two or three requests
//!   per owner and are never fewer, so they are not used.
//! - **Read-backs** after a mutation read that one object (filters by id), never a
//!   list, so a large apply stays linear: a customer in one request, a subscription in
//!   one, a site or a database in two (the object, then its subscription).
//! - **Lookups by natural key** (`find`) read by login / name: one or two requests.
//! - **Writes** go through [`PleskXmlBackend::write`], which drops the lists a write
//!   may change on every outcome.
//!
//! Memory: lists are parsed into compact records keeping only the fields read
//! ([`wire::CustomerRecord`], [`wire::DomainRecord`], [`DatabaseEntry`]).
//!
//! Decisions:
//! - Customers have no plan in Plesk (plans belong to subscriptions), so
//!   `user_plan` is false and a plan is refused.
//! - A subscription needs an IP (`ip get`: first shared IP, else the first IP, when
//!   the spec names none; asked once per process) and a system (FTP) user. The FTP
//!   login is derived from the domain name (see [`derive_ftp_login`]); its password is
//!   `system_password`, which an update can set again (`webspace set`, hosting
//!   property `ftp_password`).
//! - Site kind on read: Plesk's `site get` has no parent field, so a site whose name
//!   ends with `.<subscription or sibling site>` is read as a subdomain of it, any
//!   other site as an addon of the subscription.
//! - Document root: see [`crate::panel::paths`]. Plesk takes `www_root` relative to
//!   the subscription's home and reports it absolute; the neutral form is relative
//!   with one leading `/` (`/httpdocs`), and an absolute path under the home is
//!   accepted too.

pub mod client;
mod database_users;
mod databases;
mod dns_records;
mod domains;
pub mod error;
mod ftp_accounts;
mod mail_domains;
mod users;
pub mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

use crate::backends::http::{Idempotency, OwnerListCache};
use crate::backends::BackendConfig;
use crate::panel::{
    Capabilities, Database, DnsRecord, Domain, FtpAccount, LoginRules, MailDomain,
    MainDomainOrigin, NamePrefix, Panel, PanelError, PanelKind, PanelResult, Secret, Service, User,
};

use client::PleskXmlClient;
use wire::{CustomerRecord, DbRecord, DomainRecord, Element};

pub use databases::DatabaseEntry;
pub use domains::{document_root_from_plesk, home_of};

/// The key of the whole-panel lists in their caches.
const PANEL: &str = "";

/// Every customer: compact records, by id and by login.
#[derive(Debug, Default)]
pub struct CustomerTable {
    customers: Vec<CustomerRecord>,
    by_id: HashMap<String, usize>,
    by_login: HashMap<String, usize>,
}

impl CustomerTable {
    fn new(customers: Vec<CustomerRecord>) -> Self {
        let by_id = customers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id.clone(), i))
            .collect();
        let by_login = customers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.login.clone(), i))
            .collect();
        Self {
            customers,
            by_id,
            by_login,
        }
    }

    fn by_id(&self, id: &str) -> Option<&CustomerRecord> {
        self.by_id.get(id).map(|&i| &self.customers[i])
    }

    fn id_of_login(&self, login: &str) -> Option<&str> {
        self.by_login
            .get(login)
            .map(|&i| self.customers[i].id.as_str())
    }
}

/// Where a domain id points in a [`SiteTable`].
#[derive(Clone, Copy, Debug)]
enum Place {
    Webspace(usize),
    Site(usize),
}

/// Every subscription and site: compact records, by id, by name and by subscription.
#[derive(Debug, Default)]
pub struct SiteTable {
    webspaces: Vec<DomainRecord>,
    sites: Vec<DomainRecord>,
    by_id: HashMap<String, Place>,
    by_name: HashMap<String, Place>,
    sites_of: HashMap<String, Vec<usize>>,
}

impl SiteTable {
    fn new(webspaces: Vec<DomainRecord>, sites: Vec<DomainRecord>) -> Self {
        let mut table = Self {
            webspaces,
            sites,
            ..Self::default()
        };
        for (i, w) in table.webspaces.iter().enumerate() {
            table.by_id.insert(w.id.clone(), Place::Webspace(i));
            table.by_name.insert(w.name.clone(), Place::Webspace(i));
        }
        for (i, s) in table.sites.iter().enumerate() {
            table.by_id.insert(s.id.clone(), Place::Site(i));
            table.by_name.insert(s.name.clone(), Place::Site(i));
            if let Some(webspace) = &s.webspace_id {
                table.sites_of.entry(webspace.clone()).or_default().push(i);
            }
        }
        table
    }

    fn webspace(&self, id: &str) -> Option<&DomainRecord> {
        match self.by_id.get(id) {
            Some(Place::Webspace(i)) => Some(&self.webspaces[*i]),
            _ => None,
        }
    }

    /// The subscription `plesk_id` is or belongs to, with all its sites.
    fn family_of(&self, plesk_id: &str) -> Option<domains::Family<'_>> {
        let webspace = match self.by_id.get(plesk_id)? {
            Place::Webspace(i) => &self.webspaces[*i],
            Place::Site(i) => self.webspace(self.sites[*i].webspace_id.as_deref()?)?,
        };
        let sites = self
            .sites_of
            .get(&webspace.id)
            .map(|list| list.iter().map(|&i| &self.sites[i]).collect())
            .unwrap_or_default();
        Some(domains::Family { webspace, sites })
    }
}

/// Every database of the panel: compact entries, by id.
#[derive(Debug, Default)]
pub struct DatabaseTable {
    entries: Vec<DatabaseEntry>,
    by_id: HashMap<String, usize>,
}

impl DatabaseTable {
    fn new(entries: Vec<DatabaseEntry>) -> Self {
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        Self { entries, by_id }
    }

    fn get(&self, id: &str) -> Option<&DatabaseEntry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }
}

/// Which whole-panel lists a write may change.
#[derive(Clone, Copy, Debug, Default)]
struct Touches {
    customers: bool,
    domains: bool,
    databases: bool,
}

impl Touches {
    const CUSTOMERS: Touches = Touches {
        customers: true,
        domains: false,
        databases: false,
    };
    const DOMAINS: Touches = Touches {
        customers: false,
        domains: true,
        databases: false,
    };
    /// A subscription's deletion takes its sites and databases with it.
    const DOMAINS_AND_DATABASES: Touches = Touches {
        customers: false,
        domains: true,
        databases: true,
    };
    const DATABASES: Touches = Touches {
        customers: false,
        domains: false,
        databases: true,
    };
    /// A customer's deletion takes its subscriptions and their databases.
    const EVERYTHING: Touches = Touches {
        customers: true,
        domains: true,
        databases: true,
    };
}

#[derive(Debug)]
pub struct PleskXmlBackend {
    client: PleskXmlClient,
    /// All customers (key [`PANEL`]).
    customers: OwnerListCache<CustomerTable>,
    /// All subscriptions and sites (key [`PANEL`]).
    domains: OwnerListCache<SiteTable>,
    /// All databases with their user (key [`PANEL`]).
    databases: OwnerListCache<DatabaseTable>,
    /// Customer login -> id, from every customer record seen: subscriptions report
    /// their owner's login, state and specs its id.
    logins: Mutex<HashMap<String, String>>,
    /// Single lookups of logins not seen yet (`None`: not a customer, e.g. `admin`).
    login_lookups: OwnerListCache<Option<String>>,
    /// The IP new subscriptions get when the spec names none (key [`PANEL`]).
    default_ip: OwnerListCache<String>,
    /// `dns get_rec` by site-id, per zone name.
    dns_records: OwnerListCache<Vec<DnsRecord>>,
}

/// Longest FTP login produced; Plesk has long accepted 16-character system users.
const FTP_LOGIN_MAX: usize = 16;

/// A deterministic system-user login for a subscription: the domain's letters and
/// digits (others become `_`), at most 11 of them, then `_` and 4 hex digits of a
/// SHA-256 of the full name, so `example.com` and `example-com` still differ and a
/// re-run of the same configuration yields the same login.
pub fn derive_ftp_login(ascii_name: &str) -> String {
    let mut base: String = ascii_name
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
        base.insert(0, 'u');
    }
    base.truncate(FTP_LOGIN_MAX - 5);
    let base = base.trim_end_matches('_');
    let digest = Sha256::digest(ascii_name.as_bytes());
    format!("{base}_{}", hex::encode(&digest[..2]))
}

fn is_numeric_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
}

fn object_id(owner: &str, plesk_id: &str) -> String {
    format!("{owner}/{plesk_id}")
}

/// `(owner, plesk id)` of a neutral domain/database id; the owner is `None` for a bare
/// Plesk id. `None` for anything else (no such object can exist).
fn parse_object_id(id: &str) -> Option<(Option<&str>, &str)> {
    match id.rsplit_once('/') {
        Some((owner, plesk_id)) if !owner.is_empty() && is_numeric_id(plesk_id) => {
            Some((Some(owner), plesk_id))
        }
        Some(_) => None,
        None => is_numeric_id(id).then_some((None, id)),
    }
}

fn not_found_is_none<T>(result: PanelResult<T>) -> PanelResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

/// The first result of `operator operation` that carries data; results saying "no
/// such object" are skipped, other errors fail the read.
fn first_data<'a>(
    packet: &'a Element,
    operator: &str,
    operation: &str,
) -> PanelResult<Option<&'a Element>> {
    let op = format!("{operator} {operation}");
    for result in wire::results(packet, operator, operation, 0)? {
        match wire::ok_result(result, &op) {
            Ok(result) if result.child("data").is_some() => return Ok(Some(result)),
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

/// Every record of one operation's results; results saying "no such object" are
/// skipped, other errors fail the read.
fn records<T>(
    packet: &Element,
    operator: &str,
    operation: &str,
    read: impl Fn(&Element) -> Option<T>,
) -> PanelResult<Vec<T>> {
    let op = format!("{operator} {operation}");
    let mut out = Vec::new();
    for result in wire::results(packet, operator, operation, 0)? {
        if let Some(result) = not_found_is_none(wire::ok_result(result, &op))? {
            out.extend(read(result));
        }
    }
    Ok(out)
}

/// A `customer get` by id to add to a packet when `owner` is a customer id whose
/// login is not known yet: the answer tells which login it has, so the owner of a
/// subscription read in the same packet is known without another request.
fn customer_probe(backend: &PleskXmlBackend, owner: Option<&str>) -> String {
    match owner {
        Some(owner) if is_numeric_id(owner) && !backend.knows_customer(owner) => {
            wire::customer_get(Some(("id", owner)))
        }
        _ => String::new(),
    }
}

impl PleskXmlBackend {
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        Ok(Self {
            client: PleskXmlClient::new(config)?,
            customers: OwnerListCache::new(),
            domains: OwnerListCache::new(),
            databases: OwnerListCache::new(),
            logins: Mutex::new(HashMap::new()),
            login_lookups: OwnerListCache::new(),
            default_ip: OwnerListCache::new(),
            dns_records: OwnerListCache::new(),
        })
    }

    /// A read: idempotent, so the transport may retry it.
    async fn read(&self, body: &str) -> PanelResult<Element> {
        let packet = self.client.call(body, Idempotency::Idempotent, &[]).await?;
        self.learn_customers(&packet);
        Ok(packet)
    }

    /// THE write path: every packet that changes the panel goes through here, and the
    /// lists it may change are dropped whatever the outcome (a failed or lost answer
    /// may still have changed the panel).
    async fn write(
        &self,
        body: &str,
        secrets: &[&Secret],
        touches: Touches,
    ) -> PanelResult<Element> {
        let outcome = self
            .client
            .call(body, Idempotency::NonIdempotent, secrets)
            .await;
        if touches.customers {
            self.customers.invalidate(PANEL);
        }
        if touches.domains {
            self.domains.invalidate(PANEL);
        }
        if touches.databases {
            self.databases.invalidate(PANEL);
        }
        let packet = outcome?;
        self.learn_customers(&packet);
        Ok(packet)
    }

    fn logins(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        match self.logins.lock() {
            Ok(logins) => logins,
            // Inserts and removes only: a panic elsewhere cannot leave it inconsistent.
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    fn learn_login(&self, login: &str, id: &str) {
        if !login.is_empty() && !id.is_empty() {
            self.logins().insert(login.to_owned(), id.to_owned());
        }
    }

    /// Records the login of every customer a packet reports.
    fn learn_customers(&self, packet: &Element) {
        for operator in packet.children_named("customer") {
            for get in operator.children_named("get") {
                for result in get.children_named("result") {
                    if let Some(record) = wire::customer_record(result) {
                        self.learn_login(&record.login, &record.id);
                    }
                }
            }
        }
    }

    fn knows_customer(&self, id: &str) -> bool {
        self.logins().values().any(|known| known == id)
    }

    /// Forgets customer `id`'s login (it was deleted; a new customer may take it).
    fn forget_customer(&self, id: &str) {
        self.logins().retain(|_, known| known != id);
        self.login_lookups.invalidate_all();
    }

    /// The neutral owner (customer id) of a subscription, from single reads: the id it
    /// reports, else its owner's login as learnt, else one `customer get` by login.
    async fn owner_of(&self, webspace: &DomainRecord) -> PanelResult<String> {
        if let Some(id) = &webspace.owner_id {
            return Ok(id.clone());
        }
        let Some(login) = webspace.owner_login.clone() else {
            return Ok(String::new());
        };
        if let Some(id) = self.logins().get(&login) {
            return Ok(id.clone());
        }
        let id = self
            .login_lookups
            .get_or_load(&login, || async {
                let packet = self
                    .read(&wire::customer_get(Some(("login", &login))))
                    .await?;
                Ok(first_data(&packet, "customer", "get")?
                    .and_then(wire::customer_record)
                    .map(|record| record.id))
            })
            .await?;
        // The admin or a reseller owns it: no customer id, so report the login.
        Ok(id.as_ref().clone().unwrap_or(login))
    }

    /// The neutral owner of a subscription, from the whole customer list.
    async fn listed_owner(&self, webspace: &DomainRecord) -> PanelResult<String> {
        if let Some(id) = &webspace.owner_id {
            return Ok(id.clone());
        }
        let Some(login) = webspace.owner_login.as_deref() else {
            return Ok(String::new());
        };
        let customers = self.customer_table().await?;
        Ok(customers.id_of_login(login).unwrap_or(login).to_owned())
    }

    /// Every customer: one `customer get` with an empty filter, once per process.
    async fn customer_table(&self) -> PanelResult<Arc<CustomerTable>> {
        self.customers
            .get_or_load(PANEL, || async {
                let packet = self.read(&wire::customer_get(None)).await?;
                let customers = records(&packet, "customer", "get", wire::customer_record)?;
                Ok(CustomerTable::new(customers))
            })
            .await
    }

    /// Every subscription and site: one packet with two empty-filter gets, once per
    /// process.
    async fn site_table(&self) -> PanelResult<Arc<SiteTable>> {
        self.domains
            .get_or_load(PANEL, || async {
                let packet = self.read(&wire::panel_domains()).await?;
                Ok(SiteTable::new(
                    records(&packet, "webspace", "get", wire::domain_record)?,
                    records(&packet, "site", "get", wire::domain_record)?,
                ))
            })
            .await
    }

    /// Every database with its user: one packet with two empty-filter gets, once per
    /// process.
    async fn database_table(&self) -> PanelResult<Arc<DatabaseTable>> {
        self.databases
            .get_or_load(PANEL, || async {
                let packet = self.read(&wire::panel_databases()).await?;
                let databases: Vec<DbRecord> =
                    records(&packet, "database", "get-db", wire::db_record)?;
                let users = records(&packet, "database", "get-db-users", wire::db_user_record)?;
                let mut users_of: HashMap<&str, Vec<&wire::DbUserRecord>> = HashMap::new();
                for user in &users {
                    if let Some(db) = user.db_id.as_deref() {
                        users_of.entry(db).or_default().push(user);
                    }
                }
                let entries = databases
                    .into_iter()
                    .map(|db| {
                        let own = users_of.get(db.id.as_str()).map(Vec::as_slice);
                        DatabaseEntry::new(db, own.unwrap_or_default())
                    })
                    .collect();
                Ok(DatabaseTable::new(entries))
            })
            .await
    }

    /// The IP a new subscription gets when the spec names none: asked once per process.
    async fn default_ip(&self) -> PanelResult<Arc<String>> {
        self.default_ip
            .get_or_load(PANEL, || async {
                let packet = self.read(&wire::ip_get()).await?;
                let ips = wire::ip_records(wire::single_result(&packet, "ip", "get")?);
                wire::default_ip(&ips).map(str::to_owned).ok_or_else(|| {
                    PanelError::invalid(
                        Some("ip_address"),
                        "the plesk server lists no IP address; set ip_address",
                    )
                })
            })
            .await
    }
}

#[async_trait::async_trait]
impl Panel for PleskXmlBackend {
    fn kind(&self) -> PanelKind {
        PanelKind::PleskXml
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
            domain_document_root: true,
            domain_document_root_in_home: true,
            domain_php_version: false,
            domain_ip_address: true,
            database_postgresql: true,
            database_requires_domain: true,
            database_user_inline: false,
            database_name_prefix: NamePrefix::None,
            database_name_max_len: None,
            database_user_max_len: None,
            // No scheduled-task operator: `cron_jobs()` is `None`.
            cron_job_suspend: false,
            cron_command_refuses: &[],
            // DNS records of a subscription's or addon domain's zone (`dns` operator); no
            // owner, no TTL, no record update (a change adds the new record, then deletes
            // the old one: a new id).
            dns_record_owner_required: false,
            dns_txt_refuses: &[],
            dns_record_ttl: false,
            dns_record_update_keeps_id: false,
            // FTP users' `home` is in the update request.
            ftp_account_home_update: true,
            database_user_max_databases: Some(1),
            database_user_databases_update: false,
            // `mail` `enable` / `disable`.
            mail_domain_switch: true,
            // No certificate service yet (see the panel_certificate docs).
            certificate_lets_encrypt: false,
            certificate_upload: false,
        }
    }

    async fn check_connection(&self) -> PanelResult<()> {
        // `ip get` is cheap, needs admin rights like everything else here, and its
        // answer is what a subscription create needs anyway.
        let packet = self.read(&wire::ip_get()).await?;
        wire::single_result(&packet, "ip", "get").map(|_| ())
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

    fn ftp_accounts(&self) -> Option<&dyn Service<FtpAccount>> {
        Some(self)
    }

    fn dns_records(&self) -> Option<&dyn Service<DnsRecord>> {
        Some(self)
    }

    fn database_users(&self) -> Option<&dyn Service<crate::panel::DatabaseUser>> {
        Some(self)
    }

    fn mail_domains(&self) -> Option<&dyn Service<MailDomain>> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::PanelErrorKind;

    #[test]
    fn ftp_logins_are_deterministic_short_and_distinct() {
        let a = derive_ftp_login("example.com");
        assert_eq!(a, derive_ftp_login("example.com"));
        assert!(a.starts_with("example_com_"));
        assert!(a.len() <= FTP_LOGIN_MAX);
        assert_ne!(a, derive_ftp_login("example-com"));
        let long = derive_ftp_login("a-very-long-domain-name.example.org");
        assert!(long.len() <= FTP_LOGIN_MAX, "{long}");
        let digits = derive_ftp_login("123.example");
        assert!(digits.starts_with('u'), "{digits}");
        assert!(derive_ftp_login("xn--bcher-kva.example")
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'));
    }

    #[test]
    fn ids_carry_the_owner_and_bare_plesk_ids_still_parse() {
        assert_eq!(object_id("7", "42"), "7/42");
        assert_eq!(parse_object_id("7/42"), Some((Some("7"), "42")));
        assert_eq!(parse_object_id("admin/42"), Some((Some("admin"), "42")));
        assert_eq!(parse_object_id("42"), Some((None, "42")));
        assert_eq!(parse_object_id("7/x"), None);
        assert_eq!(parse_object_id("/42"), None);
        assert_eq!(parse_object_id("example.com"), None);
    }

    #[test]
    fn tables_index_what_reads_look_up() {
        let customers = CustomerTable::new(vec![CustomerRecord {
            id: "7".into(),
            login: "jdoe".into(),
            pname: "J".into(),
            email: "j@example.com".into(),
            suspended: false,
        }]);
        assert_eq!(customers.id_of_login("jdoe"), Some("7"));
        assert_eq!(customers.by_id("7").map(|c| c.login.as_str()), Some("jdoe"));
        assert!(customers.by_id("8").is_none());

        let record = |id: &str, name: &str, webspace: Option<&str>| DomainRecord {
            id: id.into(),
            name: name.into(),
            webspace_id: webspace.map(str::to_owned),
            ..Default::default()
        };
        let sites = SiteTable::new(
            vec![record("1", "example.com", None)],
            vec![
                record("2", "shop.example.com", Some("1")),
                record("3", "addon.org", Some("1")),
            ],
        );
        let family = sites.family_of("3").expect("a site's family");
        assert_eq!(family.webspace.name, "example.com");
        assert_eq!(family.sites.len(), 2);
        assert!(sites.family_of("9").is_none());
        assert!(
            sites.webspace("2").is_none(),
            "a site is not a subscription"
        );
    }

    #[test]
    fn other_credentials_are_refused_and_keys_accepted() {
        use crate::backends::Credentials;
        let mut config = BackendConfig {
            kind: PanelKind::PleskXml,
            endpoint: "https://plesk.example:8443".into(),
            credentials: Credentials::Token(Secret::new("t")),
            insecure: false,
            ca_cert_pem: None,
            request_timeout: std::time::Duration::from_secs(5),
            max_concurrent_requests: 2,
            terraform_version: None,
        };
        assert!(matches!(
            PleskXmlBackend::new(&config).unwrap_err().kind,
            PanelErrorKind::InvalidInput { .. }
        ));
        config.credentials = Credentials::SecretKey(Secret::new("k"));
        assert!(PleskXmlBackend::new(&config).is_ok());
    }
}
