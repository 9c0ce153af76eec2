//! HestiaCP backend: users, web domains and databases through the `v-*` command API.
//!
//! Ids: a user is its login, a domain its (normalised) name, a database its full
//! prefixed name `owner_name`.
//!
//! Request economy: Hestia can only list, so reads are served from three caches, each
//! loaded with one request and shared by every resource refreshed in this process:
//! `v-list-users json` (all users at once: a refresh of N users costs one request),
//! and per owner `v-list-web-domains OWNER json` / `v-list-databases OWNER json`.
//! Mutations invalidate what they touch.
//!
//! Domains: `v-add-web-domain` rather than `v-add-domain`, because the latter also
//! creates a DNS zone and a mail domain that the provider does not model (they would
//! exist outside state), and its counterpart `v-delete-domain` would remove DNS and
//! mail objects a person created by hand. The web domain is exactly what
//! `panel_domain` describes and reads back with `v-list-web-domains`. Hestia has no
//! addon/subdomain distinction: a subdomain is just another web domain of kind
//! `main`. The research documents no command to change a document root or PHP
//! version, so both are refused (capabilities false); the document root is still
//! reported as read.

pub mod client;
pub mod error;
pub mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::backends::http::{normalize_domain, OwnerListCache};
use crate::backends::legacy::LegacyPanel;
use crate::backends::BackendConfig;
use crate::panel::{
    Capabilities, Database, DatabasePatch, DatabaseSpec, Domain, DomainKind, DomainPatch,
    DomainSpec, ListFilter, LoginRules, MainDomainOrigin, NamePrefix, PanelError, PanelErrorKind,
    PanelKind, PanelResult, User, UserPatch, UserSpec,
};

use client::HestiaClient;
use wire::{DatabaseRecord, UserRecord, WebDomainRecord};

/// Longest prefixed database name MySQL accepts (Hestia checks `64 -le length`).
const DATABASE_NAME_MAX: usize = 63;
/// Longest prefixed database user name (MySQL's user name limit).
const DATABASE_USER_MAX: usize = 32;

/// The key of the single all-users list in the user cache.
const ALL_USERS: &str = "";

type Keyed<T> = Vec<(String, T)>;

#[derive(Debug)]
pub struct HestiaBackend {
    client: HestiaClient,
    users: OwnerListCache<Keyed<UserRecord>>,
    domains: OwnerListCache<Keyed<WebDomainRecord>>,
    databases: OwnerListCache<Keyed<DatabaseRecord>>,
    /// Domain name -> owner, learnt from every domain list loaded, so a domain read
    /// goes straight to its owner's list instead of scanning users.
    domain_owners: Mutex<HashMap<String, String>>,
}

impl HestiaBackend {
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        Ok(Self {
            client: HestiaClient::new(config)?,
            users: OwnerListCache::new(),
            domains: OwnerListCache::new(),
            databases: OwnerListCache::new(),
            domain_owners: Mutex::new(HashMap::new()),
        })
    }

    async fn user_records(&self) -> PanelResult<Arc<Keyed<UserRecord>>> {
        self.users
            .get_or_load(ALL_USERS, || async {
                let body = self.client.run(&wire::list_users()).await?;
                wire::parse_keyed(wire::list_users().name, &body)
            })
            .await
    }

    async fn domain_records(&self, owner: &str) -> PanelResult<Arc<Keyed<WebDomainRecord>>> {
        let records = self
            .domains
            .get_or_load(owner, || async {
                let command = wire::list_web_domains(owner);
                match self.client.run(&command).await {
                    Ok(body) => wire::parse_keyed(command.name, &body),
                    // The owner is gone, and with it every domain it had.
                    Err(e) if e.is_not_found() => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            })
            .await?;
        if let Ok(mut hints) = self.domain_owners.lock() {
            for (name, _) in records.iter() {
                hints.insert(name.clone(), owner.to_owned());
            }
        }
        Ok(records)
    }

    async fn database_records(&self, owner: &str) -> PanelResult<Arc<Keyed<DatabaseRecord>>> {
        self.databases
            .get_or_load(owner, || async {
                let command = wire::list_databases(owner);
                match self.client.run(&command).await {
                    Ok(body) => wire::parse_keyed(command.name, &body),
                    Err(e) if e.is_not_found() => Ok(Vec::new()),
                    Err(e) => Err(e),
                }
            })
            .await
    }

    async fn user_logins(&self) -> PanelResult<Vec<String>> {
        Ok(self
            .user_records()
            .await?
            .iter()
            .map(|(login, _)| login.clone())
            .collect())
    }

    /// Runs a mutation and forgets the caches it may have changed, whatever the
    /// outcome (a failed command may still have changed something).
    async fn mutate(&self, command: &wire::Command, touches: Touches<'_>) -> PanelResult<()> {
        let result = self.client.run(command).await.map(|_| ());
        match touches {
            Touches::Users => self.users.invalidate(ALL_USERS),
            Touches::Domains(owner) => self.domains.invalidate(owner),
            Touches::Databases(owner) => self.databases.invalidate(owner),
            Touches::Owner(owner) => {
                self.users.invalidate(ALL_USERS);
                self.domains.invalidate(owner);
                self.databases.invalidate(owner);
                if let Ok(mut hints) = self.domain_owners.lock() {
                    hints.retain(|_, o| o != owner);
                }
            }
        }
        result
    }

    async fn read_user(&self, login: &str) -> PanelResult<Option<User>> {
        Ok(self
            .user_records()
            .await?
            .iter()
            .find(|(key, _)| key == login)
            .map(|(key, record)| user_from_record(key, record)))
    }

    /// The owner of `name`: from the hint map when a list already showed it, else by
    /// scanning users' domain lists in panel order (each list is cached, so a refresh
    /// of many domains costs at most one request per owner plus the user list).
    async fn find_domain_owner(&self, name: &str) -> PanelResult<Option<String>> {
        let hinted = self
            .domain_owners
            .lock()
            .ok()
            .and_then(|hints| hints.get(name).cloned());
        if let Some(owner) = hinted {
            if self
                .domain_records(&owner)
                .await?
                .iter()
                .any(|(key, _)| key == name)
            {
                return Ok(Some(owner));
            }
        }
        for login in self.user_logins().await? {
            if self
                .domain_records(&login)
                .await?
                .iter()
                .any(|(key, _)| key == name)
            {
                return Ok(Some(login));
            }
        }
        Ok(None)
    }

    async fn read_domain_of(&self, owner: &str, name: &str) -> PanelResult<Option<Domain>> {
        Ok(self
            .domain_records(owner)
            .await?
            .iter()
            .find(|(key, _)| key == name)
            .map(|(key, record)| domain_from_record(owner, key, record)))
    }

    /// The owner of a database id `owner_name`: a user whose login plus `_` prefixes
    /// the id and whose list holds it (logins may themselves contain `_`).
    async fn find_database(&self, id: &str) -> PanelResult<Option<Database>> {
        let mut candidates: Vec<String> = self
            .user_logins()
            .await?
            .into_iter()
            .filter(|login| id.len() > login.len() + 1 && id.starts_with(&format!("{login}_")))
            .collect();
        // The longest matching login is the likeliest owner of `a_b_c`.
        candidates.sort_by_key(|login| std::cmp::Reverse(login.len()));
        for owner in candidates {
            if let Some(db) = self.read_database_of(&owner, id).await? {
                return Ok(Some(db));
            }
        }
        Ok(None)
    }

    async fn read_database_of(&self, owner: &str, id: &str) -> PanelResult<Option<Database>> {
        Ok(self
            .database_records(owner)
            .await?
            .iter()
            .find(|(key, _)| key == id)
            .map(|(key, record)| database_from_record(owner, key, record)))
    }

    async fn owners(&self, filter: &ListFilter) -> PanelResult<Vec<String>> {
        match &filter.owner {
            Some(owner) => Ok(vec![owner.clone()]),
            None => self.user_logins().await,
        }
    }
}

enum Touches<'a> {
    Users,
    Domains(&'a str),
    Databases(&'a str),
    /// Deleting a user removes its domains and databases too.
    Owner(&'a str),
}

fn yes(value: &str) -> bool {
    value.eq_ignore_ascii_case("yes")
}

fn non_empty(value: &str) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

pub(crate) fn user_from_record(login: &str, record: &UserRecord) -> User {
    User {
        id: login.to_owned(),
        login: login.to_owned(),
        email: record.contact.trim().to_owned(),
        name: record.name.trim().to_owned(),
        plan: non_empty(&record.package),
        suspended: yes(&record.suspended),
    }
}

pub(crate) fn domain_from_record(owner: &str, name: &str, record: &WebDomainRecord) -> Domain {
    Domain {
        id: name.to_owned(),
        name: name.to_owned(),
        owner: owner.to_owned(),
        kind: DomainKind::Main,
        parent: None,
        document_root: non_empty(&record.document_root),
        // BACKEND is a php-fpm template name, not a version; nothing documents how
        // templates map to versions, so no version is claimed.
        php_version: None,
        ip_address: non_empty(&record.ip),
    }
}

pub(crate) fn database_from_record(owner: &str, key: &str, record: &DatabaseRecord) -> Database {
    let name = non_empty(&record.database).unwrap_or_else(|| key.to_owned());
    Database {
        id: name.clone(),
        name,
        owner: owner.to_owned(),
        domain: None,
        engine: wire::neutral_engine(&record.db_type),
        user: non_empty(&record.dbuser),
    }
}

/// Hestia stores `www.example.com` as `example.com`; accepting it would leave a
/// permanent diff, so it is refused with the reason.
fn domain_name_for_hestia(name: &str) -> PanelResult<String> {
    let normalised = normalize_domain(name)?;
    if let Some(bare) = normalised.strip_prefix("www.") {
        return Err(PanelError::invalid(
            Some("name"),
            format!("hestia stores {normalised:?} as {bare:?}; write the name without \"www.\""),
        ));
    }
    Ok(normalised)
}

/// Checks a database spec before any request: required values and Hestia's length
/// limits on the prefixed names. Returns (hestia type, db user, password).
pub(crate) fn check_database_spec(
    spec: &DatabaseSpec,
) -> PanelResult<(&'static str, &str, &crate::panel::Secret)> {
    if spec.domain.is_some() {
        return Err(PanelError::invalid(
            Some("domain"),
            "hestia databases belong to a user, not a domain; leave domain unset",
        ));
    }
    let db_type = wire::hestia_db_type(&spec.engine).ok_or_else(|| {
        PanelError::invalid(
            Some("engine"),
            format!(
                "hestia supports the engines mysql and postgresql, not {:?}",
                spec.engine
            ),
        )
    })?;
    if spec.name.is_empty() {
        return Err(PanelError::invalid(
            Some("name"),
            "the database name is empty",
        ));
    }
    let user = spec
        .user
        .as_deref()
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            PanelError::invalid(
                Some("user"),
                "hestia creates the database user with the database: set user",
            )
        })?;
    let password = spec
        .password
        .as_ref()
        .filter(|p| !p.expose().is_empty())
        .ok_or_else(|| {
            PanelError::invalid(
                Some("password"),
                "hestia creates the database user with the database: set password",
            )
        })?;
    let prefixed_name = spec.owner.len() + 1 + spec.name.len();
    if prefixed_name > DATABASE_NAME_MAX {
        return Err(PanelError::invalid(
            Some("name"),
            format!(
                "hestia stores the name as \"{}_{}\" ({prefixed_name} characters); the limit is {DATABASE_NAME_MAX}",
                spec.owner, spec.name
            ),
        ));
    }
    let prefixed_user = spec.owner.len() + 1 + user.len();
    if prefixed_user > DATABASE_USER_MAX {
        return Err(PanelError::invalid(
            Some("user"),
            format!(
                "hestia stores the user as \"{}_{user}\" ({prefixed_user} characters); the limit is {DATABASE_USER_MAX}",
                spec.owner
            ),
        ));
    }
    Ok((db_type, user, password))
}

/// The full name Hestia gives a database (`pgsql` names are lowercased).
fn prefixed(owner: &str, name: &str, db_type: &str) -> String {
    let full = format!("{owner}_{name}");
    if db_type == "pgsql" {
        full.to_lowercase()
    } else {
        full
    }
}

/// On a domain or database command, "user X doesn't exist" means the owner named in
/// the spec is wrong, not that the object is missing.
fn missing_owner_is_input_error(error: PanelError) -> PanelError {
    if error.kind == PanelErrorKind::NotFound {
        let mut error = error;
        error.kind = PanelErrorKind::InvalidInput {
            field: Some("owner".to_owned()),
        };
        return error;
    }
    error
}

fn vanished(what: &str, id: &str) -> PanelError {
    PanelError::protocol(format!(
        "{what} {id:?} was created but the panel does not list it"
    ))
}

#[async_trait::async_trait]
impl LegacyPanel for HestiaBackend {
    fn kind(&self) -> PanelKind {
        PanelKind::Hestia
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            user_id_is_login: true,
            user_login_rules: LoginRules::Hestia,
            user_suspend_needs_plan: false,
            domain_main: MainDomainOrigin::Created,
            domain_ip_address_fixed: true,
            domain_system_user: false,
            database_refuses_domain: true,
            user_login: true,
            user_plan: true,
            user_plan_update: true,
            user_suspend: true,
            domain_addon: false,
            domain_subdomain: false,
            domain_document_root: false,
            domain_php_version: false,
            // Settable at creation (`v-add-web-domain USER DOMAIN IP`); changing it
            // later is not documented and is refused.
            domain_ip_address: true,
            // Hestia hosts PostgreSQL when the server has it installed (`pgsql` in
            // DB_SYSTEM); which a given server has is not known without a request, so
            // the capability states what the panel software can do. A server without
            // it refuses with `Error: pgsql type is invalid` (exit 2), reported as
            // InvalidInput on `engine` with the panel's message kept.
            database_postgresql: true,
            database_requires_domain: false,
            database_user_inline: true,
            database_name_prefix: NamePrefix::OwnerLogin,
            // Upper bounds for the unprefixed parts with the shortest (one-character)
            // login; the exact limit depends on the owner and is checked on create.
            database_name_max_len: Some(DATABASE_NAME_MAX - 2),
            database_user_max_len: Some(DATABASE_USER_MAX - 2),
        }
    }

    async fn check_connection(&self) -> PanelResult<()> {
        // Also warms the user cache that the first refresh would load anyway.
        self.user_records().await.map(|_| ())
    }

    async fn create_user(&self, spec: &UserSpec) -> PanelResult<User> {
        let command = wire::add_user(
            &spec.login,
            &spec.password,
            &spec.email,
            spec.plan.as_deref(),
            &spec.name,
        );
        self.mutate(&command, Touches::Owner(&spec.login)).await?;
        if spec.suspended {
            if let Err(error) = self
                .mutate(&wire::suspend_user(&spec.login), Touches::Users)
                .await
            {
                let partial = self.read_user(&spec.login).await.ok().flatten();
                return Err(match partial {
                    Some(user) => error.with_partial(user),
                    None => error,
                });
            }
        }
        self.read_user(&spec.login)
            .await?
            .ok_or_else(|| vanished("user", &spec.login))
    }

    async fn get_user(&self, id: &str) -> PanelResult<Option<User>> {
        self.read_user(id).await
    }

    async fn find_user(&self, login: &str) -> PanelResult<Option<User>> {
        self.read_user(login).await
    }

    async fn list_users(&self) -> PanelResult<Vec<User>> {
        Ok(self
            .user_records()
            .await?
            .iter()
            .map(|(login, record)| user_from_record(login, record))
            .collect())
    }

    async fn update_user(&self, id: &str, patch: &UserPatch) -> PanelResult<User> {
        let current = self
            .read_user(id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("hestia user {id:?} does not exist")))?;
        let changes = plan_user_update(&current, patch);
        for command in &changes {
            self.mutate(command, Touches::Users).await?;
        }
        self.read_user(id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("hestia user {id:?} disappeared")))
    }

    async fn delete_user(&self, id: &str) -> PanelResult<()> {
        match self
            .mutate(&wire::delete_user(id), Touches::Owner(id))
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    async fn create_domain(&self, spec: &DomainSpec) -> PanelResult<Domain> {
        if spec.kind != DomainKind::Main {
            return Err(PanelError::unsupported(format!(
                "hestia has no {} domains: every web domain, subdomains included, is kind \"main\"",
                spec.kind.as_str()
            )));
        }
        if spec.parent.is_some() {
            return Err(PanelError::invalid(
                Some("parent"),
                "hestia web domains have no parent",
            ));
        }
        if spec.document_root.is_some() {
            return Err(PanelError::unsupported(
                "the hestia backend cannot set a document root",
            ));
        }
        if spec.php_version.is_some() {
            return Err(PanelError::unsupported(
                "the hestia backend cannot set a PHP version",
            ));
        }
        let name = domain_name_for_hestia(&spec.name)?;
        let command = wire::add_web_domain(&spec.owner, &name, spec.ip_address.as_deref());
        self.mutate(&command, Touches::Domains(&spec.owner))
            .await
            .map_err(missing_owner_is_input_error)?;
        if let Ok(mut hints) = self.domain_owners.lock() {
            hints.insert(name.clone(), spec.owner.clone());
        }
        self.read_domain_of(&spec.owner, &name)
            .await?
            .ok_or_else(|| vanished("web domain", &name))
    }

    async fn get_domain(&self, id: &str) -> PanelResult<Option<Domain>> {
        let Ok(name) = normalize_domain(id) else {
            return Ok(None);
        };
        match self.find_domain_owner(&name).await? {
            Some(owner) => self.read_domain_of(&owner, &name).await,
            None => Ok(None),
        }
    }

    async fn find_domain(&self, name: &str) -> PanelResult<Option<Domain>> {
        self.get_domain(name).await
    }

    async fn list_domains(&self, filter: &ListFilter) -> PanelResult<Vec<Domain>> {
        let mut domains = Vec::new();
        for owner in self.owners(filter).await? {
            domains.extend(
                self.domain_records(&owner)
                    .await?
                    .iter()
                    .map(|(name, record)| domain_from_record(&owner, name, record)),
            );
        }
        Ok(domains)
    }

    async fn update_domain(&self, id: &str, patch: &DomainPatch) -> PanelResult<Domain> {
        let current = self.get_domain(id).await?.ok_or_else(|| {
            PanelError::not_found(format!("hestia web domain {id:?} does not exist"))
        })?;
        if patch.document_root.is_some() {
            return Err(PanelError::unsupported(
                "the hestia backend cannot change a document root",
            ));
        }
        if patch.php_version.is_some() {
            return Err(PanelError::unsupported(
                "the hestia backend cannot change a PHP version",
            ));
        }
        if let Some(ip) = &patch.ip_address {
            if current.ip_address.as_deref() != Some(ip.as_str()) {
                return Err(PanelError::unsupported(
                    "the hestia backend sets a web domain's IP only when creating it",
                ));
            }
        }
        Ok(current)
    }

    async fn delete_domain(&self, id: &str) -> PanelResult<()> {
        let Ok(name) = normalize_domain(id) else {
            return Ok(());
        };
        let Some(owner) = self.find_domain_owner(&name).await? else {
            return Ok(());
        };
        let result = self
            .mutate(
                &wire::delete_web_domain(&owner, &name),
                Touches::Domains(&owner),
            )
            .await;
        if let Ok(mut hints) = self.domain_owners.lock() {
            hints.remove(&name);
        }
        match result {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    async fn create_database(&self, spec: &DatabaseSpec) -> PanelResult<Database> {
        let (db_type, user, password) = check_database_spec(spec)?;
        let command = wire::add_database(&spec.owner, &spec.name, user, password, db_type);
        self.mutate(&command, Touches::Databases(&spec.owner))
            .await
            .map_err(missing_owner_is_input_error)?;
        let id = prefixed(&spec.owner, &spec.name, db_type);
        self.read_database_of(&spec.owner, &id)
            .await?
            .ok_or_else(|| vanished("database", &id))
    }

    async fn get_database(&self, id: &str) -> PanelResult<Option<Database>> {
        self.find_database(id).await
    }

    async fn list_databases(&self, filter: &ListFilter) -> PanelResult<Vec<Database>> {
        let mut databases = Vec::new();
        for owner in self.owners(filter).await? {
            databases.extend(
                self.database_records(&owner)
                    .await?
                    .iter()
                    .map(|(key, record)| database_from_record(&owner, key, record)),
            );
        }
        Ok(databases)
    }

    async fn update_database(&self, id: &str, patch: &DatabasePatch) -> PanelResult<Database> {
        let current = self.find_database(id).await?.ok_or_else(|| {
            PanelError::not_found(format!("hestia database {id:?} does not exist"))
        })?;
        if let Some(password) = &patch.password {
            let command = wire::change_database_password(&current.owner, &current.id, password);
            self.mutate(&command, Touches::Databases(&current.owner))
                .await?;
            return self
                .read_database_of(&current.owner, &current.id)
                .await?
                .ok_or_else(|| {
                    PanelError::not_found(format!("hestia database {id:?} disappeared"))
                });
        }
        Ok(current)
    }

    async fn delete_database(&self, id: &str) -> PanelResult<()> {
        let Some(current) = self.find_database(id).await? else {
            return Ok(());
        };
        match self
            .mutate(
                &wire::delete_database(&current.owner, &current.id),
                Touches::Databases(&current.owner),
            )
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }
}

/// The commands that take `current` to `current + patch`, in an order Hestia accepts:
/// most `v-change-user-*` scripts refuse a suspended user (exit 5), so a suspended
/// user is unsuspended first and suspended again last if it should stay so.
pub(crate) fn plan_user_update(current: &User, patch: &UserPatch) -> Vec<wire::Command> {
    let login = current.login.as_str();
    let mut changes = Vec::new();
    if let Some(email) = patch.email.as_deref().filter(|e| *e != current.email) {
        changes.push(wire::change_user_contact(login, email));
    }
    if let Some(name) = patch.name.as_deref().filter(|n| *n != current.name) {
        changes.push(wire::change_user_name(login, name));
    }
    if let Some(plan) = patch
        .plan
        .as_deref()
        .filter(|p| !p.is_empty() && Some(*p) != current.plan.as_deref())
    {
        changes.push(wire::change_user_package(login, plan));
    }
    if let Some(password) = &patch.password {
        changes.push(wire::change_user_password(login, password));
    }
    let want_suspended = patch.suspended.unwrap_or(current.suspended);
    let mut commands = Vec::new();
    if current.suspended && (!changes.is_empty() || !want_suspended) {
        commands.push(wire::unsuspend_user(login));
    }
    commands.extend(changes);
    let suspended_after_changes = current.suspended && commands.is_empty();
    if want_suspended && !suspended_after_changes {
        commands.push(wire::suspend_user(login));
    }
    commands
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::Secret;

    fn user(suspended: bool) -> User {
        User {
            id: "bob".into(),
            login: "bob".into(),
            email: "bob@example.com".into(),
            name: "Bob Builder".into(),
            plan: Some("default".into()),
            suspended,
        }
    }

    fn names(commands: &[wire::Command]) -> Vec<&'static str> {
        commands.iter().map(|c| c.name).collect()
    }

    #[test]
    fn a_suspended_user_is_unsuspended_around_changes() {
        let patch = UserPatch {
            email: Some("new@example.com".into()),
            ..Default::default()
        };
        assert_eq!(
            names(&plan_user_update(&user(true), &patch)),
            [
                "v-unsuspend-user",
                "v-change-user-contact",
                "v-suspend-user"
            ]
        );
        let patch = UserPatch {
            email: Some("new@example.com".into()),
            suspended: Some(false),
            ..Default::default()
        };
        assert_eq!(
            names(&plan_user_update(&user(true), &patch)),
            ["v-unsuspend-user", "v-change-user-contact"]
        );
    }

    #[test]
    fn suspension_alone_and_no_op_patches() {
        let suspend = UserPatch {
            suspended: Some(true),
            ..Default::default()
        };
        assert_eq!(
            names(&plan_user_update(&user(false), &suspend)),
            ["v-suspend-user"]
        );
        // Already suspended: suspending again would fail with exit 5.
        assert!(plan_user_update(&user(true), &suspend).is_empty());
        assert!(plan_user_update(&user(false), &UserPatch::default()).is_empty());
        let same = UserPatch {
            email: Some("bob@example.com".into()),
            plan: Some("default".into()),
            ..Default::default()
        };
        assert!(plan_user_update(&user(false), &same).is_empty());
    }

    #[test]
    fn every_field_has_its_command() {
        let patch = UserPatch {
            email: Some("n@example.com".into()),
            name: Some("New Name".into()),
            plan: Some("gold".into()),
            suspended: None,
            password: Some(Secret::new("pw-123456")),
        };
        assert_eq!(
            names(&plan_user_update(&user(false), &patch)),
            [
                "v-change-user-contact",
                "v-change-user-name",
                "v-change-user-package",
                "v-change-user-password"
            ]
        );
    }

    fn db_spec(owner: &str, name: &str, user: Option<&str>) -> DatabaseSpec {
        DatabaseSpec {
            name: name.into(),
            owner: owner.into(),
            domain: None,
            engine: "mysql".into(),
            user: user.map(str::to_owned),
            password: Some(Secret::new("pw")),
        }
    }

    fn field_of(error: PanelError) -> Option<String> {
        match error.kind {
            PanelErrorKind::InvalidInput { field } => field,
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn database_specs_are_checked_before_any_request() {
        assert!(check_database_spec(&db_spec("capuser", "shop", Some("shopu"))).is_ok());
        // 42-add-database-too-long: the panel refused a 78-character prefixed name.
        let long = "x".repeat(70);
        assert_eq!(
            field_of(check_database_spec(&db_spec("capuser", &long, Some("u2"))).unwrap_err()),
            Some("name".into())
        );
        assert!(check_database_spec(&db_spec("capuser", &"x".repeat(55), Some("u"))).is_ok());
        assert_eq!(
            field_of(
                check_database_spec(&db_spec("capuser", &"x".repeat(56), Some("u"))).unwrap_err()
            ),
            Some("name".into())
        );
        assert_eq!(
            field_of(
                check_database_spec(&db_spec("capuser", "shop", Some(&"u".repeat(25))))
                    .unwrap_err()
            ),
            Some("user".into())
        );
        assert!(check_database_spec(&db_spec("capuser", "shop", Some(&"u".repeat(24)))).is_ok());
        assert_eq!(
            field_of(check_database_spec(&db_spec("capuser", "shop", None)).unwrap_err()),
            Some("user".into())
        );
        let mut no_password = db_spec("capuser", "shop", Some("u"));
        no_password.password = None;
        assert_eq!(
            field_of(check_database_spec(&no_password).unwrap_err()),
            Some("password".into())
        );
        let mut with_domain = db_spec("capuser", "shop", Some("u"));
        with_domain.domain = Some("x.example".into());
        assert_eq!(
            field_of(check_database_spec(&with_domain).unwrap_err()),
            Some("domain".into())
        );
        let mut mssql = db_spec("capuser", "shop", Some("u"));
        mssql.engine = "mssql".into();
        assert_eq!(
            field_of(check_database_spec(&mssql).unwrap_err()),
            Some("engine".into())
        );
    }

    #[test]
    fn records_map_to_the_neutral_model() {
        let record = DatabaseRecord {
            database: "capuser_shop".into(),
            dbuser: "capuser_shopu".into(),
            db_type: "pgsql".into(),
            ..Default::default()
        };
        let db = database_from_record("capuser", "capuser_shop", &record);
        assert_eq!(db.id, "capuser_shop");
        assert_eq!(db.engine, "postgresql");
        assert_eq!(db.user.as_deref(), Some("capuser_shopu"));
        assert_eq!(prefixed("Cap", "Shop", "pgsql"), "cap_shop");
        assert_eq!(prefixed("Cap", "Shop", "mysql"), "Cap_Shop");

        let record = UserRecord {
            name: "Cap User".into(),
            package: "default".into(),
            contact: "cap@example.com".into(),
            suspended: "yes".into(),
            role: "user".into(),
        };
        let user = user_from_record("capuser", &record);
        assert!(user.suspended);
        assert_eq!(user.plan.as_deref(), Some("default"));

        let record = WebDomainRecord {
            ip: "192.0.2.2".into(),
            document_root: "/home/capuser/web/cap-example.com/public_html/".into(),
            ..Default::default()
        };
        let domain = domain_from_record("capuser", "cap-example.com", &record);
        assert_eq!(domain.kind, DomainKind::Main);
        assert_eq!(domain.ip_address.as_deref(), Some("192.0.2.2"));
    }

    /// A fake Hestia answering every request with one captured record, counting
    /// requests.
    async fn replaying_server(record: &str) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let record = crate::backends::hestia::wire::tests::captured(record);
        let body = record["body"].as_str().unwrap().to_owned();
        let code = record["hestia_exit_code"].as_str().unwrap().to_owned();
        let status = record["status"].as_u64().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                counter.fetch_add(1, Ordering::SeqCst);
                let mut buf = vec![0u8; 8192];
                let _ = socket.read(&mut buf).await;
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nHestia-Exit-Code: {code}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            }
        });
        (url, hits)
    }

    fn backend(url: String) -> HestiaBackend {
        HestiaBackend::new(&BackendConfig {
            kind: PanelKind::Hestia,
            endpoint: url,
            credentials: crate::backends::Credentials::AccessKey {
                access_key: "AK".into(),
                secret_key: Secret::new("SK"),
            },
            insecure: false,
            ca_cert_pem: None,
            request_timeout: std::time::Duration::from_secs(5),
            max_concurrent_requests: 4,
        })
        .unwrap()
    }

    #[tokio::test]
    async fn refreshing_many_users_costs_one_request() {
        let (url, hits) = replaying_server("19-list-users").await;
        let backend = Arc::new(backend(url));
        let mut tasks = Vec::new();
        for login in ["admin", "capuser", "nobody", "capuser"] {
            let backend = backend.clone();
            tasks.push(tokio::spawn(async move { backend.get_user(login).await }));
        }
        let mut found = Vec::new();
        for task in tasks {
            found.push(task.await.unwrap().unwrap().map(|u| u.email));
        }
        assert_eq!(found[0].as_deref(), Some("admin@example.com"));
        assert!(found[1].is_some());
        assert_eq!(found[2], None);
        assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn deleting_a_missing_user_is_done_and_a_duplicate_is_reported() {
        let (url, _) = replaying_server("53-delete-user-again").await;
        backend(url).delete_user("capuser").await.unwrap();
        let (url, _) = replaying_server("11-add-user-duplicate").await;
        let spec = UserSpec {
            login: "capuser".into(),
            email: "cap@example.com".into(),
            name: String::new(),
            password: Secret::new("pw-123456"),
            plan: None,
            suspended: false,
        };
        let error = backend(url).create_user(&spec).await.unwrap_err();
        assert_eq!(error.kind, PanelErrorKind::AlreadyExists);
        assert!(!error.message.contains("pw-123456"));
    }

    #[test]
    fn domain_names_are_normalised_and_www_is_refused() {
        assert_eq!(
            domain_name_for_hestia("UPPER-Example.org").unwrap(),
            "upper-example.org"
        );
        assert_eq!(
            field_of(domain_name_for_hestia("www.example.org").unwrap_err()),
            Some("name".into())
        );
    }
}
