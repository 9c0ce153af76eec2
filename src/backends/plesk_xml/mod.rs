//! Plesk XML API backend: customers as users, subscriptions (webspaces) and sites as
//! domains, databases inside subscriptions.
//!
//! Ids: users are Plesk's customer ids; domains and databases are
//! `"{owner}/{plesk id}"`, where owner is the neutral owner (the customer id, or the
//! login of an admin/reseller owner). The owner in the id is what makes a refresh
//! cheap: everything one owner has is read with two requests, shared (single flight,
//! per process) by every domain and database read of that owner:
//! 1. `webspace get` filtered by the owner: all their subscriptions;
//! 2. one packet with `site get` filtered by those subscriptions (`parent-id`) and
//!    `database get-db` filtered by them (`webspace-id`);
//!
//! plus, for database reads only, 3. `database get-db-users` filtered by every database
//! id of the owner (the login of each database's user). A bare numeric id (import by
//! Plesk id) first asks who owns the object (one or two small requests), and so does an
//! id whose object is no longer where its owner part says (a subscription moved to
//! another customer), before answering from that owner's lists.
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
//! - Document root: Plesk takes the `www_root` hosting property relative to the
//!   subscription's home directory and reports it absolute
//!   (`/var/www/vhosts/<subscription>/httpdocs`). The neutral `document_root` is the
//!   relative form with one leading `/` (`/httpdocs`), on every read and sent without
//!   it; see [`document_root_from_plesk`].

pub mod client;
pub mod error;
pub mod wire;

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::backends::http::{normalize_domain, Idempotency, OwnerListCache};
use crate::backends::legacy::LegacyPanel;
use crate::backends::BackendConfig;
use crate::panel::{
    Capabilities, Database, DatabasePatch, DatabaseSpec, Domain, DomainKind, DomainPatch,
    DomainSpec, ListFilter, LoginRules, MainDomainOrigin, NamePrefix, PanelError, PanelKind,
    PanelResult, Secret, User, UserPatch, UserSpec,
};

use client::PleskXmlClient;
use wire::{CustomerChanges, DbRecord, DbUserRecord, DomainRecord, Element};

/// A subscription and its sites.
#[derive(Clone, Debug)]
struct Family {
    webspace: DomainRecord,
    sites: Vec<DomainRecord>,
}

/// Everything one owner has, as read by the two per-owner requests.
#[derive(Clone, Debug, Default)]
struct Estate {
    webspaces: Vec<DomainRecord>,
    sites: Vec<DomainRecord>,
    databases: Vec<DbRecord>,
}

impl Estate {
    fn family(&self, webspace_id: &str) -> Option<Family> {
        let webspace = self.webspaces.iter().find(|w| w.id == webspace_id)?;
        Some(Family {
            webspace: webspace.clone(),
            sites: self
                .sites
                .iter()
                .filter(|s| s.webspace_id.as_deref() == Some(webspace_id))
                .cloned()
                .collect(),
        })
    }

    /// The neutral domain with Plesk id `plesk_id`, if this owner has it.
    fn domain(&self, owner: &str, plesk_id: &str) -> Option<Domain> {
        if let Some(webspace) = self.webspaces.iter().find(|w| w.id == plesk_id) {
            return Some(main_model(owner, webspace));
        }
        let site = self.sites.iter().find(|s| s.id == plesk_id)?;
        let family = self.family(site.webspace_id.as_deref()?)?;
        Some(site_model(owner, site, &family))
    }

    fn domains(&self, owner: &str) -> Vec<Domain> {
        let mut out: Vec<Domain> = self
            .webspaces
            .iter()
            .map(|w| main_model(owner, w))
            .collect();
        out.extend(self.sites.iter().filter_map(|site| {
            let family = self.family(site.webspace_id.as_deref()?)?;
            Some(site_model(owner, site, &family))
        }));
        out
    }

    fn database(&self, owner: &str, db: &DbRecord, users: &[DbUserRecord]) -> Database {
        let own: Vec<&DbUserRecord> = users
            .iter()
            .filter(|u| u.db_id.as_deref() == Some(db.id.as_str()))
            .collect();
        let user = own
            .iter()
            .find(|u| Some(&u.id) == db.default_user_id.as_ref())
            .or_else(|| own.first())
            .map(|u| u.login.clone());
        Database {
            id: object_id(owner, &db.id),
            name: db.name.clone(),
            owner: owner.to_owned(),
            domain: self
                .webspaces
                .iter()
                .find(|w| w.id == db.webspace_id)
                .map(|w| w.name.clone()),
            engine: neutral_engine(&db.db_type),
            user,
        }
    }
}

#[derive(Debug)]
pub struct PleskXmlBackend {
    client: PleskXmlClient,
    /// Per neutral owner: subscriptions, sites and databases.
    estates: OwnerListCache<Estate>,
    /// Per neutral owner: the users of all their databases.
    db_users: OwnerListCache<Vec<DbUserRecord>>,
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

/// The neutral document root for Plesk's absolute `www_root`: the part after the
/// subscription's home (`…/<subscription>/`), with one leading `/`. A value already
/// relative is only given its `/`; an absolute path outside the usual layout is kept
/// as Plesk reports it rather than guessed at.
pub fn document_root_from_plesk(www_root: &str, subscription: &str) -> String {
    let home = format!("/{subscription}/");
    if let Some(at) = www_root.find(&home) {
        return format!("/{}", www_root[at + home.len()..].trim_matches('/'));
    }
    if www_root.ends_with(&format!("/{subscription}")) {
        return "/".to_owned();
    }
    if !www_root.starts_with('/') {
        return format!("/{}", www_root.trim_matches('/'));
    }
    www_root.to_owned()
}

/// The `www_root` value Plesk takes: relative to the subscription's home.
pub fn document_root_to_plesk(document_root: &str) -> String {
    document_root.trim().trim_matches('/').to_owned()
}

/// The neutral form of a configured document root, for comparisons.
fn neutral_document_root(document_root: &str) -> String {
    format!("/{}", document_root_to_plesk(document_root))
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

fn main_model(owner: &str, webspace: &DomainRecord) -> Domain {
    Domain {
        id: object_id(owner, &webspace.id),
        name: webspace.name.clone(),
        owner: owner.to_owned(),
        kind: DomainKind::Main,
        parent: None,
        document_root: webspace
            .www_root
            .as_deref()
            .map(|root| document_root_from_plesk(root, &webspace.name)),
        php_version: None,
        ip_address: webspace.ip_address.clone(),
    }
}

fn site_model(owner: &str, site: &DomainRecord, family: &Family) -> Domain {
    let (kind, parent) = site_kind(site, family);
    Domain {
        id: object_id(owner, &site.id),
        name: site.name.clone(),
        owner: owner.to_owned(),
        kind,
        parent: Some(parent),
        // Sites live in their subscription's home too.
        document_root: site
            .www_root
            .as_deref()
            .map(|root| document_root_from_plesk(root, &family.webspace.name)),
        php_version: None,
        ip_address: site
            .ip_address
            .clone()
            .or_else(|| family.webspace.ip_address.clone()),
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

impl PleskXmlBackend {
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        Ok(Self {
            client: PleskXmlClient::new(config)?,
            estates: OwnerListCache::new(),
            db_users: OwnerListCache::new(),
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

    /// Drops what this process knows about `owner`'s objects.
    fn forget_owner(&self, owner: &str) {
        self.estates.invalidate(owner);
        self.db_users.invalidate(owner);
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

    /// The owner's subscriptions, sites and databases: two requests, once per process.
    async fn estate(&self, owner: &str) -> PanelResult<Arc<Estate>> {
        self.estates
            .get_or_load(owner, || async {
                let packet = self.read(&wire::webspaces_of_owner(owner)).await?;
                let webspaces = records(&packet, "webspace", "get", wire::domain_record)?;
                if webspaces.is_empty() {
                    return Ok(Estate::default());
                }
                let ids: Vec<String> = webspaces.iter().map(|w| w.id.clone()).collect();
                let packet = self.read(&wire::sites_and_databases(&ids)).await?;
                Ok(Estate {
                    sites: records(&packet, "site", "get", wire::domain_record)?,
                    databases: records(&packet, "database", "get-db", wire::db_record)?,
                    webspaces,
                })
            })
            .await
    }

    /// The users of all the owner's databases: one request, once per process.
    async fn db_users(&self, owner: &str) -> PanelResult<Arc<Vec<DbUserRecord>>> {
        self.db_users
            .get_or_load(owner, || async {
                let estate = self.estate(owner).await?;
                if estate.databases.is_empty() {
                    return Ok(Vec::new());
                }
                let ids: Vec<String> = estate.databases.iter().map(|d| d.id.clone()).collect();
                let packet = self.read(&wire::db_users_of(&ids)).await?;
                records(&packet, "database", "get-db-users", wire::db_user_record)
            })
            .await
    }

    /// Who owns the subscription with Plesk id `webspace_id`.
    async fn owner_of_webspace(&self, webspace_id: &str) -> PanelResult<Option<String>> {
        let packet = self
            .read(&wire::webspace_get(Some(("id", webspace_id))))
            .await?;
        match first_data(&packet, "webspace", "get", 0)?.and_then(wire::domain_record) {
            Some(webspace) => Ok(Some(self.owner_of(&webspace).await?)),
            None => Ok(None),
        }
    }

    /// Who owns the domain found by `criterion` (`id` or `name`), and its Plesk id.
    async fn locate_domain(
        &self,
        criterion: (&str, &str),
    ) -> PanelResult<Option<(String, String)>> {
        let packet = self.read(&wire::domain_get(criterion)).await?;
        if let Some(webspace) =
            first_data(&packet, "webspace", "get", 0)?.and_then(wire::domain_record)
        {
            let owner = self.owner_of(&webspace).await?;
            return Ok(Some((owner, webspace.id)));
        }
        let Some(site) = first_data(&packet, "site", "get", 0)?.and_then(wire::domain_record)
        else {
            return Ok(None);
        };
        let Some(webspace_id) = site.webspace_id.as_deref() else {
            return Ok(None);
        };
        Ok(self
            .owner_of_webspace(webspace_id)
            .await?
            .map(|owner| (owner, site.id)))
    }

    /// Who owns the database with Plesk id `db_id`.
    async fn locate_database(&self, db_id: &str) -> PanelResult<Option<String>> {
        let packet = self.read(&wire::db_get(db_id)).await?;
        let Some(db) = records(&packet, "database", "get-db", wire::db_record)?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        self.owner_of_webspace(&db.webspace_id).await
    }

    async fn domain_of(&self, owner: &str, plesk_id: &str) -> PanelResult<Option<Domain>> {
        Ok(self.estate(owner).await?.domain(owner, plesk_id))
    }

    /// A domain by neutral id: from its owner's lists, or, when the id names no owner
    /// or the object is not (or no longer) there, from whoever owns it now.
    async fn read_domain(&self, id: &str) -> PanelResult<Option<Domain>> {
        let Some((owner, plesk_id)) = parse_object_id(id) else {
            return Ok(None);
        };
        if let Some(owner) = owner {
            if let Some(domain) = self.domain_of(owner, plesk_id).await? {
                return Ok(Some(domain));
            }
        }
        match self.locate_domain(("id", plesk_id)).await? {
            Some((actual, _)) if Some(actual.as_str()) != owner => {
                self.domain_of(&actual, plesk_id).await
            }
            _ => Ok(None),
        }
    }

    /// A database with its owner's lists and its user record.
    async fn database_parts(
        &self,
        owner: &str,
        db_id: &str,
    ) -> PanelResult<Option<(Database, Option<DbUserRecord>)>> {
        let estate = self.estate(owner).await?;
        let Some(db) = estate.databases.iter().find(|d| d.id == db_id) else {
            return Ok(None);
        };
        let users = self.db_users(owner).await?;
        let model = estate.database(owner, db, &users);
        let user = users
            .iter()
            .find(|u| u.db_id.as_deref() == Some(db_id) && Some(&u.login) == model.user.as_ref())
            .cloned();
        Ok(Some((model, user)))
    }

    /// [`Self::database_parts`] by neutral id, finding the owner as for domains.
    async fn read_database_parts(
        &self,
        id: &str,
    ) -> PanelResult<Option<(Database, Option<DbUserRecord>)>> {
        let Some((owner, db_id)) = parse_object_id(id) else {
            return Ok(None);
        };
        if let Some(owner) = owner {
            if let Some(found) = self.database_parts(owner, db_id).await? {
                return Ok(Some(found));
            }
        }
        match self.locate_database(db_id).await? {
            Some(actual) if Some(actual.as_str()) != owner => {
                self.database_parts(&actual, db_id).await
            }
            _ => Ok(None),
        }
    }

    /// The owners whose objects a list covers: the filter's, or everyone owning a
    /// subscription.
    async fn owners(&self, filter: &ListFilter) -> PanelResult<Vec<String>> {
        if let Some(owner) = &filter.owner {
            return Ok(vec![owner.clone()]);
        }
        let packet = self.read(&wire::webspace_get(None)).await?;
        let mut owners = Vec::new();
        for webspace in records(&packet, "webspace", "get", wire::domain_record)? {
            let owner = self.owner_of(&webspace).await?;
            if !owners.contains(&owner) {
                owners.push(owner);
            }
        }
        Ok(owners)
    }

    async fn webspace_named(&self, name: &str) -> PanelResult<Option<DomainRecord>> {
        let packet = self.read(&wire::webspace_get(Some(("name", name)))).await?;
        Ok(first_data(&packet, "webspace", "get", 0)?.and_then(wire::domain_record))
    }
}

#[async_trait::async_trait]
impl LegacyPanel for PleskXmlBackend {
    fn kind(&self) -> PanelKind {
        PanelKind::PleskXml
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
            domain_document_root: true,
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
        Ok(records(&packet, "customer", "get", wire::customer_record)?
            .iter()
            .map(user_from_record)
            .collect())
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
        // Deleting a customer deletes its subscriptions and their databases.
        self.forget_owner(id);
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
        let www_root = spec.document_root.as_deref().map(document_root_to_plesk);
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
                    www_root: www_root.as_deref(),
                };
                let outcome = self.write(&wire::webspace_add(&add), &[password]).await;
                self.forget_owner(&spec.owner);
                wire::result_id(
                    wire::single_result(&outcome?, "webspace", "add")?,
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
                    wire::site_add(&name, Some(&parent), None, www_root.as_deref())
                } else {
                    wire::site_add(&name, None, Some(&parent), www_root.as_deref())
                };
                let outcome = self.write(&body, &[]).await;
                // The parent's subscription now has one more site.
                self.forget_owner(&spec.owner);
                wire::result_id(wire::single_result(&outcome?, "site", "add")?, "site add")?
            }
        };
        self.read_domain(&object_id(&spec.owner, &id))
            .await?
            .ok_or_else(|| {
                PanelError::protocol(format!("domain {id} was created but cannot be read"))
            })
    }

    async fn get_domain(&self, id: &str) -> PanelResult<Option<Domain>> {
        self.read_domain(id).await
    }

    async fn find_domain(&self, name: &str) -> PanelResult<Option<Domain>> {
        let Ok(name) = normalize_domain(name) else {
            return Ok(None);
        };
        match self.locate_domain(("name", &name)).await? {
            Some((owner, plesk_id)) => self.domain_of(&owner, &plesk_id).await,
            None => Ok(None),
        }
    }

    async fn list_domains(&self, filter: &ListFilter) -> PanelResult<Vec<Domain>> {
        let mut domains = Vec::new();
        for owner in self.owners(filter).await? {
            domains.extend(self.estate(&owner).await?.domains(&owner));
        }
        Ok(domains)
    }

    async fn update_domain(&self, id: &str, patch: &DomainPatch) -> PanelResult<Domain> {
        let current = self
            .read_domain(id)
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
            .filter(|r| current.document_root.as_deref() != Some(&neutral_document_root(r)))
            .map(document_root_to_plesk);
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
        let Some((_, plesk_id)) = parse_object_id(&current.id) else {
            return Err(PanelError::protocol(format!(
                "plesk domain id {:?} has an unexpected shape",
                current.id
            )));
        };
        let outcome = self
            .write(
                &wire::hosting_set(operator, plesk_id, www_root.as_deref(), ip),
                &[],
            )
            .await;
        self.forget_owner(&current.owner);
        wire::single_result(&outcome?, operator, "set")?;
        self.read_domain(&current.id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("plesk domain {id} disappeared")))
    }

    async fn delete_domain(&self, id: &str) -> PanelResult<()> {
        let Some(current) = self.read_domain(id).await? else {
            return Ok(());
        };
        let Some((_, plesk_id)) = parse_object_id(&current.id) else {
            return Ok(());
        };
        let operator = if current.kind == DomainKind::Main {
            "webspace"
        } else {
            "site"
        };
        let outcome = self.write(&wire::del(operator, plesk_id), &[]).await;
        // A subscription takes its sites and databases with it.
        self.forget_owner(&current.owner);
        not_found_is_none(wire::single_result(&outcome?, operator, "del")).map(|_| ())
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
        let webspace = self.webspace_named(&domain).await?.ok_or_else(|| {
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
        let outcome = self
            .write(&wire::add_db(&webspace.id, &spec.name, db_type), &[])
            .await;
        self.forget_owner(&owner);
        let db_id = wire::result_id(
            wire::single_result(&outcome?, "database", "add-db")?,
            "database add-db",
        )?;
        let id = object_id(&owner, &db_id);
        if let Some((user, password)) = credentials {
            let added = match self
                .write(&wire::add_db_user(&db_id, user, password), &[password])
                .await
            {
                Ok(packet) => wire::single_result(&packet, "database", "add-db-user").map(|_| ()),
                Err(e) => Err(e),
            };
            self.forget_owner(&owner);
            if let Err(error) = added {
                let partial = self
                    .get_database(&id)
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or(Database {
                        id: id.clone(),
                        name: spec.name.clone(),
                        owner,
                        domain: Some(domain.clone()),
                        engine: spec.engine.clone(),
                        user: None,
                    });
                return Err(error.with_partial(partial));
            }
        }
        self.get_database(&id).await?.ok_or_else(|| {
            PanelError::protocol(format!("database {db_id} was created but cannot be read"))
        })
    }

    async fn get_database(&self, id: &str) -> PanelResult<Option<Database>> {
        Ok(self.read_database_parts(id).await?.map(|(db, _)| db))
    }

    async fn list_databases(&self, filter: &ListFilter) -> PanelResult<Vec<Database>> {
        let mut databases = Vec::new();
        for owner in self.owners(filter).await? {
            let estate = self.estate(&owner).await?;
            if estate.databases.is_empty() {
                continue;
            }
            let users = self.db_users(&owner).await?;
            databases.extend(
                estate
                    .databases
                    .iter()
                    .map(|db| estate.database(&owner, db, &users)),
            );
        }
        Ok(databases)
    }

    async fn update_database(&self, id: &str, patch: &DatabasePatch) -> PanelResult<Database> {
        let (current, user) = self
            .read_database_parts(id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("plesk database {id} does not exist")))?;
        let Some(password) = &patch.password else {
            return Ok(current);
        };
        let user = user.ok_or_else(|| {
            PanelError::invalid(
                Some("password"),
                "the database has no user whose password could change",
            )
        })?;
        let outcome = self
            .write(&wire::set_db_user_password(&user.id, password), &[password])
            .await;
        self.db_users.invalidate(&current.owner);
        wire::single_result(&outcome?, "database", "set-db-user")?;
        self.get_database(&current.id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("plesk database {id} disappeared")))
    }

    async fn delete_database(&self, id: &str) -> PanelResult<()> {
        let Some((owner, db_id)) = parse_object_id(id) else {
            return Ok(());
        };
        let outcome = self.write(&wire::del_db(db_id), &[]).await;
        match owner {
            Some(owner) => self.forget_owner(owner),
            None => {
                self.estates.invalidate_all();
                self.db_users.invalidate_all();
            }
        }
        not_found_is_none(wire::single_result(&outcome?, "database", "del-db")).map(|_| ())
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
    fn document_roots_are_relative_to_the_subscription_home() {
        let read = |root| document_root_from_plesk(root, "example.com");
        assert_eq!(read("/var/www/vhosts/example.com/httpdocs"), "/httpdocs");
        assert_eq!(
            read("/var/www/vhosts/example.com/site/public/"),
            "/site/public"
        );
        assert_eq!(read("/var/www/vhosts/example.com"), "/");
        // A site's root lies in its subscription's home, even when named after the site.
        assert_eq!(
            read("/var/www/vhosts/example.com/shop.example.org"),
            "/shop.example.org"
        );
        assert_eq!(read("public"), "/public");
        assert_eq!(read("/srv/elsewhere/www"), "/srv/elsewhere/www");
        assert_eq!(document_root_to_plesk("/conf/public/"), "conf/public");
        assert_eq!(document_root_to_plesk("conf/public"), "conf/public");
        assert_eq!(neutral_document_root("conf/public"), "/conf/public");
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
