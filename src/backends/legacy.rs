//! TRANSITIONAL: the one-trait backend interface the backends were written against,
//! and [`Adapted`], which serves it as per-object [`Service`]s. Each backend is being
//! ported to implement the services natively (one file per object type); this file
//! goes away when the last one is.

use std::fmt::Debug;

use crate::panel::names::{same_domain, DomainName};
use crate::panel::{
    Capabilities, Database, DatabaseKey, DatabasePatch, DatabaseSpec, Domain, DomainKey,
    DomainPatch, DomainSpec, ListFilter, Locator, NamePrefix, Panel, PanelErrorKind, PanelKind,
    PanelResult, Service, User, UserKey, UserPatch, UserSpec,
};

/// The interface the backends were written against: one method per object and call.
#[async_trait::async_trait]
pub trait LegacyPanel: Send + Sync + Debug {
    fn kind(&self) -> PanelKind;
    fn capabilities(&self) -> Capabilities;
    async fn check_connection(&self) -> PanelResult<()>;

    async fn create_user(&self, spec: &UserSpec) -> PanelResult<User>;
    async fn get_user(&self, id: &str) -> PanelResult<Option<User>>;
    async fn find_user(&self, login: &str) -> PanelResult<Option<User>>;
    async fn list_users(&self) -> PanelResult<Vec<User>>;
    async fn update_user(&self, id: &str, patch: &UserPatch) -> PanelResult<User>;
    async fn delete_user(&self, id: &str) -> PanelResult<()>;

    async fn create_domain(&self, spec: &DomainSpec) -> PanelResult<Domain>;
    async fn get_domain(&self, id: &str) -> PanelResult<Option<Domain>>;
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

/// A [`LegacyPanel`] served as a [`Panel`] with per-object services.
#[derive(Debug)]
pub struct Adapted<B>(pub B);

#[async_trait::async_trait]
impl<B: LegacyPanel> Panel for Adapted<B> {
    fn kind(&self) -> PanelKind {
        self.0.kind()
    }

    fn capabilities(&self) -> Capabilities {
        self.0.capabilities()
    }

    async fn check_connection(&self) -> PanelResult<()> {
        self.0.check_connection().await
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
}

#[async_trait::async_trait]
impl<B: LegacyPanel> Service<User> for Adapted<B> {
    async fn create(&self, spec: &UserSpec) -> PanelResult<User> {
        self.0.create_user(spec).await
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<User>> {
        self.0.get_user(&at.id).await
    }

    async fn find(&self, key: &UserKey) -> PanelResult<Option<User>> {
        self.0.find_user(&key.login).await
    }

    async fn list(&self, _filter: &ListFilter) -> PanelResult<Vec<User>> {
        self.0.list_users().await
    }

    async fn update(&self, at: &Locator, patch: &UserPatch) -> PanelResult<User> {
        self.0.update_user(&at.id, patch).await
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        self.0.delete_user(&at.id).await
    }

    async fn import(&self, id: &str) -> PanelResult<Option<User>> {
        let found = self.0.find_user(id).await?;
        if found.is_none() && !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
            return self.0.get_user(id).await;
        }
        Ok(found)
    }

    fn import_id(&self, object: &User) -> String {
        object.login.clone()
    }

    fn import_format(&self) -> &'static str {
        if self.0.capabilities().user_login {
            "its login"
        } else {
            "its email"
        }
    }
}

#[async_trait::async_trait]
impl<B: LegacyPanel> Service<Domain> for Adapted<B> {
    async fn create(&self, spec: &DomainSpec) -> PanelResult<Domain> {
        self.0.create_domain(spec).await
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Domain>> {
        self.0.get_domain(&at.id).await
    }

    async fn find(&self, key: &DomainKey) -> PanelResult<Option<Domain>> {
        let found = self.0.find_domain(key.name.as_str()).await?;
        Ok(found.filter(|domain| key.owner.as_ref().is_none_or(|o| &domain.owner == o)))
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Domain>> {
        self.0.list_domains(filter).await
    }

    async fn update(&self, at: &Locator, patch: &DomainPatch) -> PanelResult<Domain> {
        self.0.update_domain(&at.id, patch).await
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        self.0.delete_domain(&at.id).await
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Domain>> {
        let by_name = !id.contains('/') && !id.bytes().all(|b| b.is_ascii_digit());
        if by_name {
            match DomainName::parse(id) {
                Ok(name) => self.0.find_domain(name.as_str()).await,
                Err(_) => Ok(None),
            }
        } else {
            self.0.get_domain(id).await
        }
    }

    fn import_id(&self, object: &Domain) -> String {
        object.name.clone()
    }

    fn import_format(&self) -> &'static str {
        if self.0.kind() == PanelKind::PanelAlpha {
            "its domain name, or USER_ID/ACCOUNT_ID/DOMAIN"
        } else {
            "its domain name"
        }
    }
}

impl<B: LegacyPanel> Adapted<B> {
    /// Resolves a database import id: the backend's own id, else `OWNER_LOGIN/NAME`
    /// (Hestia) or `DOMAIN/NAME` (Plesk) through one list of the owner's databases.
    async fn find_database_for_import(&self, key: &str) -> PanelResult<Option<Database>> {
        match self.0.get_database(key).await {
            Ok(Some(found)) => return Ok(Some(found)),
            Ok(None) => {}
            Err(error) if matches!(error.kind, PanelErrorKind::InvalidInput { .. }) => {}
            Err(error) => return Err(error),
        }
        let Some((container, name)) = key.split_once('/') else {
            return Ok(None);
        };
        if name.contains('/') || container.is_empty() || name.is_empty() {
            return Ok(None);
        }
        let owner = match self.0.find_user(container).await {
            Ok(Some(user)) => Some((user.id, None)),
            Ok(None) | Err(_) => match self.0.find_domain(container).await {
                Ok(Some(domain)) => Some((domain.owner, Some(domain.name))),
                Ok(None) => None,
                Err(error) if matches!(error.kind, PanelErrorKind::InvalidInput { .. }) => None,
                Err(error) => return Err(error),
            },
        };
        let Some((owner, domain)) = owner else {
            return Ok(None);
        };
        let databases = self.0.list_databases(&ListFilter::owned_by(owner)).await?;
        let prefixed = format!("{container}_{name}");
        Ok(databases.into_iter().find(|db| {
            let in_container = match &domain {
                Some(domain) => db.domain.as_deref().is_some_and(|d| same_domain(d, domain)),
                None => true,
            };
            in_container && (db.name == name || db.name == prefixed)
        }))
    }
}

#[async_trait::async_trait]
impl<B: LegacyPanel> Service<Database> for Adapted<B> {
    async fn create(&self, spec: &DatabaseSpec) -> PanelResult<Database> {
        self.0.create_database(spec).await
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Database>> {
        self.0.get_database(&at.id).await
    }

    async fn find(&self, key: &DatabaseKey) -> PanelResult<Option<Database>> {
        let prefix = self.0.capabilities().database_name_prefix;
        let databases = self
            .0
            .list_databases(&ListFilter::owned_by(key.owner.clone()))
            .await?;
        let mut matching: Vec<Database> = databases
            .into_iter()
            .filter(|db| {
                db.owner == key.owner
                    && prefix.matches(&key.owner, &db.name, &key.name)
                    && key.domain.as_ref().is_none_or(|wanted| {
                        prefix != NamePrefix::AccountUsername
                            || db.domain.as_deref().is_none_or(|d| same_domain(d, wanted))
                    })
            })
            .collect();
        matching.sort_by(|a, b| a.id.cmp(&b.id));
        matching.dedup_by(|a, b| a.id == b.id);
        match matching.len() {
            0 | 1 => Ok(matching.pop()),
            count => Err(crate::panel::PanelError::invalid(
                Some("name"),
                format!(
                    "{count} databases of owner {:?} match name {:?} (ids {}); look the one \
                     you mean up by `id` instead",
                    key.owner,
                    key.name,
                    matching
                        .iter()
                        .map(|db| format!("{:?}", db.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Database>> {
        self.0.list_databases(filter).await
    }

    async fn update(&self, at: &Locator, patch: &DatabasePatch) -> PanelResult<Database> {
        self.0.update_database(&at.id, patch).await
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        self.0.delete_database(&at.id).await
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Database>> {
        self.find_database_for_import(id).await
    }

    fn import_id(&self, object: &Database) -> String {
        match self.0.kind() {
            PanelKind::Hestia => format!("{}/{}", object.owner, object.name),
            PanelKind::PleskRest | PanelKind::PleskXml => format!(
                "{}/{}",
                object.domain.as_deref().unwrap_or("DOMAIN"),
                object.name
            ),
            PanelKind::PanelAlpha => object.id.clone(),
        }
    }

    fn import_format(&self) -> &'static str {
        match self.0.kind() {
            PanelKind::Hestia => "OWNER/FULL_NAME (e.g. bob/bob_shop)",
            PanelKind::PleskRest | PanelKind::PleskXml => "DOMAIN/NAME",
            PanelKind::PanelAlpha => "USER_ID/ACCOUNT_ID/NAME",
        }
    }
}
