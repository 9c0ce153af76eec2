//! Plesk XML API backend: customers as users, subscriptions (webspaces) and sites as
//! domains, databases inside subscriptions.
//!
//! Ids are Plesk's numeric ids. Webspaces and sites share Plesk's domain id space, so
//! a domain read asks `webspace get` and `site get` for the same id in ONE packet and
//! takes whichever answers. A site's parent and owner come from its subscription,
//! which is loaded once per process with all its sites (one packet) and cached.
//!
//! Decisions:
//! - Customers have no plan in Plesk (plans belong to subscriptions), so
//!   `user_plan` is false and a plan is refused.
//! - A subscription needs an IP (`ip get`: first shared IP, else the first IP, when
//!   the spec names none) and a system (FTP) user. The FTP login is derived from the
//!   domain name (see [`derive_ftp_login`]); its password is `system_password`.
//! - Site kind on read: Plesk's `site get` has no parent field, so a site whose name
//!   ends with `.<subscription or sibling site>` is read as a subdomain of it, any
//!   other site as an addon of the subscription.

pub mod client;
pub mod error;
pub mod wire;

use sha2::{Digest, Sha256};

use crate::backends::http::{normalize_domain, Idempotency, OwnerListCache};
use crate::backends::BackendConfig;
use crate::panel::{
    Capabilities, Database, DatabasePatch, DatabaseSpec, Domain, DomainKind, DomainPatch,
    DomainSpec, ListFilter, Panel, PanelError, PanelKind, PanelResult, PartialObject, Secret, User,
    UserPatch, UserSpec,
};

use client::PleskXmlClient;
use wire::{CustomerChanges, DbRecord, DomainRecord, Element};

/// A subscription and its sites, as one cached unit.
#[derive(Clone, Debug)]
struct Family {
    webspace: DomainRecord,
    sites: Vec<DomainRecord>,
}

#[derive(Debug)]
pub struct PleskXmlBackend {
    client: PleskXmlClient,
    families: OwnerListCache<Option<Family>>,
    /// Customer login -> id, for subscriptions that report only `owner-login`.
    customer_ids: OwnerListCache<Option<String>>,
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

fn not_found_is_none<T>(result: PanelResult<T>) -> PanelResult<Option<T>> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e),
    }
}

fn user_from_record(record: &wire::CustomerRecord) -> User {
    User {
        id: record.id.clone(),
        login: record.login.clone(),
        email: record.email.clone(),
        name: record.pname.clone(),
        plan: None,
        suspended: record.status.trim() != "0",
    }
}

fn neutral_engine(plesk_type: &str) -> String {
    match plesk_type {
        "postgres" | "postgresql" | "pgsql" => "postgresql".to_owned(),
        other => other.to_owned(),
    }
}

/// Kind and parent of a site within its family (see the module docs).
fn site_kind(site: &DomainRecord, family: &Family) -> (DomainKind, String) {
    let main = &family.webspace.name;
    if site.name.ends_with(&format!(".{main}")) {
        return (DomainKind::Subdomain, main.clone());
    }
    let parent_site = family
        .sites
        .iter()
        .filter(|other| other.id != site.id && site.name.ends_with(&format!(".{}", other.name)))
        .max_by_key(|other| other.name.len());
    match parent_site {
        Some(parent) => (DomainKind::Subdomain, parent.name.clone()),
        None => (DomainKind::Addon, main.clone()),
    }
}

fn first_data<'a>(
    packet: &'a Element,
    operator: &str,
    operation: &str,
    nth: usize,
) -> PanelResult<Option<&'a Element>> {
    let op = format!("{operator} {operation}");
    for result in wire::results(packet, operator, operation, nth)? {
        match wire::ok_result(result, &op) {
            Ok(result) if result.child("data").is_some() => return Ok(Some(result)),
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(None)
}

impl PleskXmlBackend {
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        Ok(Self {
            client: PleskXmlClient::new(config)?,
            families: OwnerListCache::new(),
            customer_ids: OwnerListCache::new(),
        })
    }

    async fn read(&self, body: &str) -> PanelResult<Element> {
        self.client.call(body, Idempotency::Idempotent, &[]).await
    }

    async fn write(&self, body: &str, secrets: &[&Secret]) -> PanelResult<Element> {
        self.client
            .call(body, Idempotency::NonIdempotent, secrets)
            .await
    }

    async fn customer(&self, criterion: (&str, &str)) -> PanelResult<Option<User>> {
        let packet = self.read(&wire::customer_get(Some(criterion))).await?;
        Ok(first_data(&packet, "customer", "get", 0)?
            .and_then(wire::customer_record)
            .map(|r| user_from_record(&r)))
    }

    /// The neutral owner (customer id) of a subscription.
    async fn owner_of(&self, webspace: &DomainRecord) -> PanelResult<String> {
        if let Some(id) = &webspace.owner_id {
            return Ok(id.clone());
        }
        let Some(login) = webspace.owner_login.clone() else {
            return Ok(String::new());
        };
        let id = self
            .customer_ids
            .get_or_load(&login, || async {
                Ok(self.customer(("login", &login)).await?.map(|u| u.id))
            })
            .await?;
        // The admin or a reseller owns it: no customer id, so report the login.
        Ok(id.as_ref().clone().unwrap_or(login))
    }

    async fn family(&self, webspace_id: &str) -> PanelResult<Option<Family>> {
        let family = self
            .families
            .get_or_load(webspace_id, || async {
                let packet = self.read(&wire::webspace_with_sites(webspace_id)).await?;
                let Some(webspace) =
                    first_data(&packet, "webspace", "get", 0)?.and_then(wire::domain_record)
                else {
                    return Ok(None);
                };
                let mut sites = Vec::new();
                for result in wire::results(&packet, "site", "get", 0)? {
                    if let Some(result) = not_found_is_none(wire::ok_result(result, "site get"))? {
                        sites.extend(wire::domain_record(result));
                    }
                }
                Ok(Some(Family { webspace, sites }))
            })
            .await?;
        Ok(family.as_ref().clone())
    }

    async fn main_domain(&self, record: &DomainRecord) -> PanelResult<Domain> {
        Ok(Domain {
            id: record.id.clone(),
            name: record.name.clone(),
            owner: self.owner_of(record).await?,
            kind: DomainKind::Main,
            parent: None,
            document_root: record.www_root.clone(),
            php_version: None,
            ip_address: record.ip_address.clone(),
        })
    }

    async fn site_domain(&self, record: &DomainRecord) -> PanelResult<Option<Domain>> {
        let Some(webspace_id) = record.webspace_id.as_deref() else {
            return Ok(None);
        };
        let Some(family) = self.family(webspace_id).await? else {
            return Ok(None);
        };
        let (kind, parent) = site_kind(record, &family);
        Ok(Some(Domain {
            id: record.id.clone(),
            name: record.name.clone(),
            owner: self.owner_of(&family.webspace).await?,
            kind,
            parent: Some(parent),
            document_root: record.www_root.clone(),
            php_version: None,
            ip_address: record
                .ip_address
                .clone()
                .or_else(|| family.webspace.ip_address.clone()),
        }))
    }

    /// One packet: webspace get + site get with the same criterion.
    async fn domain_by(&self, criterion: (&str, &str)) -> PanelResult<Option<Domain>> {
        let body = format!(
            "{}{}",
            wire::webspace_get(Some(criterion)),
            wire::site_get(Some(criterion))
        );
        let packet = self.read(&body).await?;
        if let Some(record) =
            first_data(&packet, "webspace", "get", 0)?.and_then(wire::domain_record)
        {
            return Ok(Some(self.main_domain(&record).await?));
        }
        if let Some(record) = first_data(&packet, "site", "get", 0)?.and_then(wire::domain_record) {
            return self.site_domain(&record).await;
        }
        Ok(None)
    }

    async fn webspaces(&self, owner: Option<&str>) -> PanelResult<Vec<DomainRecord>> {
        let packet = self
            .read(&wire::webspace_get(owner.map(|o| ("owner-id", o))))
            .await?;
        let mut records = Vec::new();
        for result in wire::results(&packet, "webspace", "get", 0)? {
            if let Some(result) = not_found_is_none(wire::ok_result(result, "webspace get"))? {
                records.extend(wire::domain_record(result));
            }
        }
        Ok(records)
    }

    async fn database_from(&self, db: &DbRecord, user: Option<String>) -> PanelResult<Database> {
        let family = self.family(&db.webspace_id).await?;
        let (domain, owner) = match &family {
            Some(family) => (
                Some(family.webspace.name.clone()),
                self.owner_of(&family.webspace).await?,
            ),
            None => (None, String::new()),
        };
        Ok(Database {
            id: db.id.clone(),
            name: db.name.clone(),
            owner,
            domain,
            engine: neutral_engine(&db.db_type),
            user,
        })
    }

    /// The database and its default user (or first user), in one request.
    async fn database_with_user(
        &self,
        id: &str,
    ) -> PanelResult<Option<(DbRecord, Option<wire::DbUserRecord>)>> {
        if !is_numeric_id(id) {
            return Ok(None);
        }
        let packet = self.read(&wire::db_get_with_users(id)).await?;
        let mut db = None;
        for result in wire::results(&packet, "database", "get-db", 0)? {
            if let Some(result) = not_found_is_none(wire::ok_result(result, "database get-db"))? {
                db = db.or(wire::db_record(result));
            }
        }
        let Some(db) = db else { return Ok(None) };
        let mut users = Vec::new();
        for result in wire::results(&packet, "database", "get-db-users", 0)? {
            if let Some(result) =
                not_found_is_none(wire::ok_result(result, "database get-db-users"))?
            {
                users.extend(wire::db_user_record(result));
            }
        }
        let user = users
            .iter()
            .find(|u| Some(&u.id) == db.default_user_id.as_ref())
            .or_else(|| users.first())
            .cloned();
        Ok(Some((db, user)))
    }
}

#[async_trait::async_trait]
impl Panel for PleskXmlBackend {
    fn kind(&self) -> PanelKind {
        PanelKind::PleskXml
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            user_login: true,
            user_plan: false,
            user_plan_update: false,
            user_suspend: true,
            domain_addon: true,
            domain_subdomain: true,
            domain_document_root: true,
            domain_php_version: false,
            domain_ip_address: true,
            database_postgresql: true,
            database_requires_domain: true,
            database_user_inline: false,
            database_name_prefix: false,
            database_name_max_len: None,
            database_user_max_len: None,
        }
    }

    async fn check_connection(&self) -> PanelResult<()> {
        // `ip get` is cheap, needs admin rights like everything else here, and its
        // answer is what a subscription create needs anyway.
        let packet = self.read(&wire::ip_get()).await?;
        wire::single_result(&packet, "ip", "get").map(|_| ())
    }

    async fn create_user(&self, spec: &UserSpec) -> PanelResult<User> {
        if spec.plan.is_some() {
            return Err(PanelError::unsupported(
                "plesk customers have no plan; plans belong to subscriptions",
            ));
        }
        let body = wire::customer_add(
            &spec.login,
            &spec.name,
            &spec.password,
            &spec.email,
            spec.suspended,
        );
        let packet = self.write(&body, &[&spec.password]).await?;
        let result = wire::single_result(&packet, "customer", "add")?;
        let id = wire::result_id(result, "customer add")?;
        self.customer_ids.invalidate(&spec.login);
        self.customer(("id", &id)).await?.ok_or_else(|| {
            PanelError::protocol(format!("customer {id} was created but cannot be read"))
        })
    }

    async fn get_user(&self, id: &str) -> PanelResult<Option<User>> {
        if !is_numeric_id(id) {
            return Ok(None);
        }
        self.customer(("id", id)).await
    }

    async fn find_user(&self, login: &str) -> PanelResult<Option<User>> {
        self.customer(("login", login)).await
    }

    async fn list_users(&self) -> PanelResult<Vec<User>> {
        let packet = self.read(&wire::customer_get(None)).await?;
        let mut users = Vec::new();
        for result in wire::results(&packet, "customer", "get", 0)? {
            if let Some(result) = not_found_is_none(wire::ok_result(result, "customer get"))? {
                users.extend(wire::customer_record(result).map(|r| user_from_record(&r)));
            }
        }
        Ok(users)
    }

    async fn update_user(&self, id: &str, patch: &UserPatch) -> PanelResult<User> {
        if patch.plan.is_some() {
            return Err(PanelError::unsupported(
                "plesk customers have no plan; plans belong to subscriptions",
            ));
        }
        let changes = CustomerChanges {
            name: patch.name.as_deref(),
            password: patch.password.as_ref(),
            suspended: patch.suspended,
            email: patch.email.as_deref(),
        };
        if !changes.is_empty() {
            let secrets: Vec<&Secret> = patch.password.iter().collect();
            let packet = self
                .write(&wire::customer_set(id, &changes), &secrets)
                .await?;
            wire::single_result(&packet, "customer", "set")?;
        }
        self.customer(("id", id))
            .await?
            .ok_or_else(|| PanelError::not_found(format!("plesk customer {id} does not exist")))
    }

    async fn delete_user(&self, id: &str) -> PanelResult<()> {
        let packet = self.write(&wire::customer_del(id), &[]).await?;
        // Deleting a customer deletes its subscriptions; forget them all.
        self.families.invalidate_all();
        self.customer_ids.invalidate_all();
        not_found_is_none(wire::single_result(&packet, "customer", "del")).map(|_| ())
    }

    async fn create_domain(&self, spec: &DomainSpec) -> PanelResult<Domain> {
        if spec.php_version.is_some() {
            return Err(PanelError::unsupported(
                "the plesk_xml backend cannot set a PHP version",
            ));
        }
        let name = normalize_domain(&spec.name)?;
        let id = match spec.kind {
            DomainKind::Main => {
                if spec.parent.is_some() {
                    return Err(PanelError::invalid(
                        Some("parent"),
                        "a subscription has no parent",
                    ));
                }
                let password = spec
                    .system_password
                    .as_ref()
                    .filter(|p| !p.expose().is_empty())
                    .ok_or_else(|| {
                        PanelError::invalid(
                            Some("system_password"),
                            "a plesk subscription needs a system (FTP) user password",
                        )
                    })?;
                let ip = match spec.ip_address.clone() {
                    Some(ip) => ip,
                    None => {
                        let packet = self.read(&wire::ip_get()).await?;
                        let ips = wire::ip_records(wire::single_result(&packet, "ip", "get")?);
                        wire::default_ip(&ips).map(str::to_owned).ok_or_else(|| {
                            PanelError::invalid(
                                Some("ip_address"),
                                "the plesk server lists no IP address; set ip_address",
                            )
                        })?
                    }
                };
                let ftp_login = derive_ftp_login(&name);
                let add = wire::WebspaceAdd {
                    name: &name,
                    owner_id: &spec.owner,
                    ip_address: &ip,
                    ftp_login: &ftp_login,
                    ftp_password: password,
                    www_root: spec.document_root.as_deref(),
                };
                let packet = self.write(&wire::webspace_add(&add), &[password]).await?;
                wire::result_id(
                    wire::single_result(&packet, "webspace", "add")?,
                    "webspace add",
                )?
            }
            DomainKind::Addon | DomainKind::Subdomain => {
                if spec.ip_address.is_some() {
                    return Err(PanelError::invalid(
                        Some("ip_address"),
                        "plesk sites use their subscription's IP address",
                    ));
                }
                let parent = spec.parent.as_deref().ok_or_else(|| {
                    PanelError::invalid(
                        Some("parent"),
                        "an addon domain or subdomain needs its parent domain",
                    )
                })?;
                let parent = normalize_domain(parent).map_err(|_| {
                    PanelError::invalid(
                        Some("parent"),
                        format!("{parent:?} is not a valid domain name"),
                    )
                })?;
                let body = if spec.kind == DomainKind::Addon {
                    wire::site_add(&name, Some(&parent), None, spec.document_root.as_deref())
                } else {
                    wire::site_add(&name, None, Some(&parent), spec.document_root.as_deref())
                };
                let packet = self.write(&body, &[]).await?;
                let id = wire::result_id(wire::single_result(&packet, "site", "add")?, "site add")?;
                // The parent's family now has one more site.
                self.families.invalidate_all();
                id
            }
        };
        self.get_domain(&id).await?.ok_or_else(|| {
            PanelError::protocol(format!("domain {id} was created but cannot be read"))
        })
    }

    async fn get_domain(&self, id: &str) -> PanelResult<Option<Domain>> {
        if !is_numeric_id(id) {
            return Ok(None);
        }
        self.domain_by(("id", id)).await
    }

    async fn find_domain(&self, name: &str) -> PanelResult<Option<Domain>> {
        let Ok(name) = normalize_domain(name) else {
            return Ok(None);
        };
        self.domain_by(("name", &name)).await
    }

    async fn list_domains(&self, filter: &ListFilter) -> PanelResult<Vec<Domain>> {
        let mut domains = Vec::new();
        for webspace in self.webspaces(filter.owner.as_deref()).await? {
            domains.push(self.main_domain(&webspace).await?);
            if let Some(family) = self.family(&webspace.id).await? {
                for site in &family.sites {
                    domains.extend(self.site_domain(site).await?);
                }
            }
        }
        Ok(domains)
    }

    async fn update_domain(&self, id: &str, patch: &DomainPatch) -> PanelResult<Domain> {
        let current = self
            .get_domain(id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("plesk domain {id} does not exist")))?;
        if patch.php_version.is_some() {
            return Err(PanelError::unsupported(
                "the plesk_xml backend cannot change a PHP version",
            ));
        }
        let www_root = patch
            .document_root
            .as_deref()
            .filter(|r| current.document_root.as_deref() != Some(*r));
        let ip = patch
            .ip_address
            .as_deref()
            .filter(|ip| current.ip_address.as_deref() != Some(*ip));
        let operator = if current.kind == DomainKind::Main {
            "webspace"
        } else {
            "site"
        };
        if ip.is_some() && current.kind != DomainKind::Main {
            return Err(PanelError::invalid(
                Some("ip_address"),
                "plesk sites use their subscription's IP address",
            ));
        }
        if www_root.is_none() && ip.is_none() {
            return Ok(current);
        }
        let packet = self
            .write(&wire::hosting_set(operator, id, www_root, ip), &[])
            .await?;
        wire::single_result(&packet, operator, "set")?;
        self.families.invalidate_all();
        self.get_domain(id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("plesk domain {id} disappeared")))
    }

    async fn delete_domain(&self, id: &str) -> PanelResult<()> {
        let Some(current) = self.get_domain(id).await? else {
            return Ok(());
        };
        let operator = if current.kind == DomainKind::Main {
            "webspace"
        } else {
            "site"
        };
        let packet = self.write(&wire::del(operator, id), &[]).await?;
        self.families.invalidate_all();
        not_found_is_none(wire::single_result(&packet, operator, "del")).map(|_| ())
    }

    async fn create_database(&self, spec: &DatabaseSpec) -> PanelResult<Database> {
        let domain = spec.domain.as_deref().ok_or_else(|| {
            PanelError::invalid(
                Some("domain"),
                "plesk databases belong to a subscription: set domain",
            )
        })?;
        let db_type = match spec.engine.as_str() {
            "mysql" => "mysql",
            "postgresql" => "postgresql",
            other => {
                return Err(PanelError::invalid(
                    Some("engine"),
                    format!("plesk supports mysql and postgresql, not {other:?}"),
                ))
            }
        };
        let credentials = match (spec.user.as_deref(), spec.password.as_ref()) {
            (Some(user), Some(password)) => Some((user, password)),
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
                    "a database password needs a user",
                ))
            }
        };
        let domain = normalize_domain(domain).map_err(|_| {
            PanelError::invalid(
                Some("domain"),
                format!("{domain:?} is not a valid domain name"),
            )
        })?;
        let webspace = self.webspaces_named(&domain).await?.ok_or_else(|| {
            PanelError::invalid(
                Some("domain"),
                format!("no plesk subscription is named {domain:?}"),
            )
        })?;
        let owner = self.owner_of(&webspace).await?;
        if !spec.owner.is_empty() && owner != spec.owner {
            return Err(PanelError::invalid(
                Some("owner"),
                format!(
                    "the subscription {domain:?} belongs to {owner:?}, not {:?}",
                    spec.owner
                ),
            ));
        }
        let packet = self
            .write(&wire::add_db(&webspace.id, &spec.name, db_type), &[])
            .await?;
        let db_id = wire::result_id(
            wire::single_result(&packet, "database", "add-db")?,
            "database add-db",
        )?;
        if let Some((user, password)) = credentials {
            let added = match self
                .write(&wire::add_db_user(&db_id, user, password), &[password])
                .await
            {
                Ok(packet) => wire::single_result(&packet, "database", "add-db-user").map(|_| ()),
                Err(e) => Err(e),
            };
            if let Err(error) = added {
                let partial = self
                    .get_database(&db_id)
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or(Database {
                        id: db_id.clone(),
                        name: spec.name.clone(),
                        owner,
                        domain: Some(domain.clone()),
                        engine: spec.engine.clone(),
                        user: None,
                    });
                return Err(error.with_partial(PartialObject::Database(partial)));
            }
        }
        self.get_database(&db_id).await?.ok_or_else(|| {
            PanelError::protocol(format!("database {db_id} was created but cannot be read"))
        })
    }

    async fn get_database(&self, id: &str) -> PanelResult<Option<Database>> {
        match self.database_with_user(id).await? {
            Some((db, user)) => Ok(Some(self.database_from(&db, user.map(|u| u.login)).await?)),
            None => Ok(None),
        }
    }

    async fn list_databases(&self, filter: &ListFilter) -> PanelResult<Vec<Database>> {
        let webspace_ids: Vec<String> = self
            .webspaces(filter.owner.as_deref())
            .await?
            .into_iter()
            .map(|w| w.id)
            .collect();
        if webspace_ids.is_empty() {
            return Ok(Vec::new());
        }
        let packet = self.read(&wire::db_get_by_webspaces(&webspace_ids)).await?;
        let mut records = Vec::new();
        for nth in 0..webspace_ids.len() {
            for result in wire::results(&packet, "database", "get-db", nth)? {
                if let Some(result) = not_found_is_none(wire::ok_result(result, "database get-db"))?
                {
                    records.extend(wire::db_record(result));
                }
            }
        }
        let mut databases = Vec::with_capacity(records.len());
        for record in &records {
            // The user login needs the db's users: one request per database, only
            // for lists (data sources), never for a resource refresh.
            let user = match self.database_with_user(&record.id).await? {
                Some((_, user)) => user.map(|u| u.login),
                None => None,
            };
            databases.push(self.database_from(record, user).await?);
        }
        Ok(databases)
    }

    async fn update_database(&self, id: &str, patch: &DatabasePatch) -> PanelResult<Database> {
        let (db, user) = self
            .database_with_user(id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("plesk database {id} does not exist")))?;
        if let Some(password) = &patch.password {
            let user = user.ok_or_else(|| {
                PanelError::invalid(
                    Some("password"),
                    "the database has no user whose password could change",
                )
            })?;
            let packet = self
                .write(&wire::set_db_user_password(&user.id, password), &[password])
                .await?;
            wire::single_result(&packet, "database", "set-db-user")?;
            return self
                .get_database(id)
                .await?
                .ok_or_else(|| PanelError::not_found(format!("plesk database {id} disappeared")));
        }
        self.database_from(&db, user.map(|u| u.login)).await
    }

    async fn delete_database(&self, id: &str) -> PanelResult<()> {
        if !is_numeric_id(id) {
            return Ok(());
        }
        let packet = self.write(&wire::del_db(id), &[]).await?;
        not_found_is_none(wire::single_result(&packet, "database", "del-db")).map(|_| ())
    }
}

impl PleskXmlBackend {
    async fn webspaces_named(&self, name: &str) -> PanelResult<Option<DomainRecord>> {
        let packet = self.read(&wire::webspace_get(Some(("name", name)))).await?;
        Ok(first_data(&packet, "webspace", "get", 0)?.and_then(wire::domain_record))
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

    fn record(id: &str, name: &str) -> DomainRecord {
        DomainRecord {
            id: id.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn site_kinds_are_inferred_from_names() {
        let family = Family {
            webspace: record("1", "example.com"),
            sites: vec![
                record("2", "shop.example.com"),
                record("3", "addon.org"),
                record("4", "blog.addon.org"),
            ],
        };
        assert_eq!(
            site_kind(&family.sites[0], &family),
            (DomainKind::Subdomain, "example.com".to_owned())
        );
        assert_eq!(
            site_kind(&family.sites[1], &family),
            (DomainKind::Addon, "example.com".to_owned())
        );
        assert_eq!(
            site_kind(&family.sites[2], &family),
            (DomainKind::Subdomain, "addon.org".to_owned())
        );
    }

    #[test]
    fn customers_map_to_users() {
        let user = user_from_record(&wire::CustomerRecord {
            id: "176".into(),
            login: "john".into(),
            pname: "John Smith".into(),
            email: "j@example.com".into(),
            status: "16".into(),
        });
        assert!(user.suspended);
        assert_eq!(user.plan, None);
        assert_eq!(user.name, "John Smith");
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
        };
        assert!(matches!(
            PleskXmlBackend::new(&config).unwrap_err().kind,
            PanelErrorKind::InvalidInput { .. }
        ));
        config.credentials = Credentials::SecretKey(Secret::new("k"));
        assert!(PleskXmlBackend::new(&config).is_ok());
    }
}
