//! Databases hang off a subscription (`database` operator); each has at most one user
//! the provider manages (the database's default user, else its first).
//!
//! Refresh reads come from one packet listing every database and every database user,
//! plus the subscriptions list (names and owners) that domain reads share; a read-back
//! reads that one database with its users (one packet) and its subscription (one).

use super::wire::{self, DbRecord, DbUserRecord, DomainRecord};
use super::{
    customer_probe, first_data, is_numeric_id, not_found_is_none, object_id, parse_object_id,
    records, PleskXmlBackend, Touches,
};
use crate::backends::http::normalize_domain;
use crate::panel::{
    ambiguous_database_name, Database, DatabaseKey, DatabasePatch, DatabaseSpec, ListFilter,
    Locator, PanelError, PanelResult, Service,
};

/// A database as the backend keeps it: only the fields a neutral database is made of.
#[derive(Clone, Debug, PartialEq)]
pub struct DatabaseEntry {
    pub id: String,
    pub name: String,
    /// Neutral engine name: `mysql` or `postgresql`.
    pub engine: String,
    pub webspace_id: String,
    /// The login of the database's default user, else of its first user.
    pub user: Option<String>,
}

impl DatabaseEntry {
    pub fn new(db: DbRecord, users: &[&DbUserRecord]) -> Self {
        let user = users
            .iter()
            .find(|u| Some(&u.id) == db.default_user_id.as_ref())
            .or_else(|| users.first())
            .map(|u| u.login.clone());
        Self {
            engine: neutral_engine(&db.db_type),
            id: db.id,
            name: db.name,
            webspace_id: db.webspace_id,
            user,
        }
    }

    fn model(&self, owner: &str, webspace: Option<&DomainRecord>) -> Database {
        Database {
            id: object_id(owner, &self.id),
            name: self.name.clone(),
            owner: owner.to_owned(),
            domain: webspace.map(|w| w.name.clone()),
            engine: self.engine.clone(),
            user: self.user.clone(),
        }
    }
}

fn neutral_engine(plesk_type: &str) -> String {
    match plesk_type {
        "postgres" | "postgresql" | "pgsql" => "postgresql".to_owned(),
        other => other.to_owned(),
    }
}

/// The user a database's entry names, as `get-db-users` reported it (for its id).
fn managed_user<'a>(db: &DbRecord, users: &'a [DbUserRecord]) -> Option<&'a DbUserRecord> {
    let own: Vec<&DbUserRecord> = users
        .iter()
        .filter(|u| u.db_id.as_deref() == Some(db.id.as_str()))
        .collect();
    own.iter()
        .find(|u| Some(&u.id) == db.default_user_id.as_ref())
        .or_else(|| own.first())
        .copied()
}

/// A subscription's databases, as one lookup by its name found them.
struct WebspaceDatabases {
    webspace: DomainRecord,
    owner: String,
    databases: Vec<DbRecord>,
}

impl PleskXmlBackend {
    /// One database with its users, fresh: `(record, users)`.
    async fn database_parts(
        &self,
        db_id: &str,
    ) -> PanelResult<Option<(DbRecord, Vec<DbUserRecord>)>> {
        let packet = self.read(&wire::database_with_users(db_id)).await?;
        let Some(db) = records(&packet, "database", "get-db", wire::db_record)?
            .into_iter()
            .find(|db| db.id == db_id)
        else {
            return Ok(None);
        };
        let users = records(&packet, "database", "get-db-users", wire::db_user_record)?;
        Ok(Some((db, users)))
    }

    /// A database by neutral id, fresh: its record and users, then its subscription.
    async fn read_database(&self, at: &Locator) -> PanelResult<Option<Database>> {
        let Some((id_owner, db_id)) = parse_object_id(&at.id) else {
            return Ok(None);
        };
        let Some((db, users)) = self.database_parts(db_id).await? else {
            return Ok(None);
        };
        let owner_hint = at.owner.as_deref().or(id_owner);
        let body =
            wire::webspace_get(Some(("id", &db.webspace_id))) + &customer_probe(self, owner_hint);
        let packet = self.read(&body).await?;
        let webspace = first_data(&packet, "webspace", "get")?.and_then(wire::domain_record);
        let owner = match &webspace {
            Some(webspace) => self.owner_of(webspace).await?,
            None => owner_hint.unwrap_or_default().to_owned(),
        };
        let user_records: Vec<&DbUserRecord> = managed_user(&db, &users).into_iter().collect();
        Ok(Some(
            DatabaseEntry::new(db, &user_records).model(&owner, webspace.as_ref()),
        ))
    }

    /// The subscription named `domain` (ASCII form), its owner and its databases: one
    /// packet.
    async fn webspace_databases(
        &self,
        domain: &str,
        owner: Option<&str>,
    ) -> PanelResult<Option<WebspaceDatabases>> {
        let body = wire::webspace_get(Some(("name", domain)))
            + &wire::databases_of_webspace(domain)
            + &customer_probe(self, owner);
        let packet = self.read(&body).await?;
        let Some(webspace) = first_data(&packet, "webspace", "get")?.and_then(wire::domain_record)
        else {
            return Ok(None);
        };
        let databases = records(&packet, "database", "get-db", wire::db_record)?;
        let owner = self.owner_of(&webspace).await?;
        Ok(Some(WebspaceDatabases {
            webspace,
            owner,
            databases,
        }))
    }

    /// The database named `name` in the subscription `domain`, with its user; `owner`
    /// when it must be that owner's. Several matches are an error naming them.
    async fn database_in(
        &self,
        domain: &str,
        name: &str,
        owner: Option<&str>,
    ) -> PanelResult<Option<Database>> {
        let Some(found) = self.webspace_databases(domain, owner).await? else {
            return Ok(None);
        };
        if owner.is_some_and(|wanted| wanted != found.owner) {
            return Ok(None);
        }
        let mut matching: Vec<DbRecord> = found
            .databases
            .into_iter()
            .filter(|db| same_name(&db.name, name))
            .collect();
        let db = match matching.len() {
            0 => return Ok(None),
            1 => matching.remove(0),
            _ => {
                return Err(ambiguous(
                    &found.owner,
                    name,
                    matching.iter().map(|d| &d.id),
                ))
            }
        };
        let packet = self
            .read(&wire::db_users_of(std::slice::from_ref(&db.id)))
            .await?;
        let users = records(&packet, "database", "get-db-users", wire::db_user_record)?;
        let user_records: Vec<&DbUserRecord> = managed_user(&db, &users).into_iter().collect();
        Ok(Some(
            DatabaseEntry::new(db, &user_records).model(&found.owner, Some(&found.webspace)),
        ))
    }

    /// Every database, from the whole-panel lists; only `owner`'s when set.
    async fn listed_databases(&self, owner: Option<&str>) -> PanelResult<Vec<Database>> {
        let (databases, sites) = futures::try_join!(self.database_table(), self.site_table())?;
        let mut out = Vec::new();
        for entry in &databases.entries {
            let webspace = sites.webspace(&entry.webspace_id);
            let entry_owner = match webspace {
                Some(webspace) => self.listed_owner(webspace).await?,
                None => String::new(),
            };
            if owner.is_some_and(|wanted| wanted != entry_owner) {
                continue;
            }
            out.push(entry.model(&entry_owner, webspace));
        }
        Ok(out)
    }
}

/// Database names compare case-insensitively (MySQL on case-insensitive file systems
/// and Plesk's own uniqueness check treat them so).
fn same_name(stored: &str, written: &str) -> bool {
    stored.eq_ignore_ascii_case(written)
}

fn ambiguous<'a>(owner: &str, name: &str, ids: impl Iterator<Item = &'a String>) -> PanelError {
    let ids: Vec<String> = ids.map(|id| object_id(owner, id)).collect();
    ambiguous_database_name(owner, name, &ids)
}

#[async_trait::async_trait]
impl Service<Database> for PleskXmlBackend {
    async fn create(&self, spec: &DatabaseSpec) -> PanelResult<Database> {
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
        let wanted_owner = Some(spec.owner.as_str()).filter(|o| !o.is_empty());
        let body =
            wire::webspace_get(Some(("name", &domain))) + &customer_probe(self, wanted_owner);
        let packet = self.read(&body).await?;
        let webspace = first_data(&packet, "webspace", "get")?
            .and_then(wire::domain_record)
            .ok_or_else(|| {
                PanelError::invalid(
                    Some("domain"),
                    format!("no plesk subscription is named {domain:?}"),
                )
            })?;
        let owner = self.owner_of(&webspace).await?;
        if wanted_owner.is_some_and(|wanted| wanted != owner) {
            return Err(PanelError::invalid(
                Some("owner"),
                format!(
                    "the subscription {domain:?} belongs to {owner:?}, not {:?}",
                    spec.owner
                ),
            ));
        }
        // Plesk runs a packet's operations in order: a `get` after an `add` reads the
        // new object back in the same request.
        let body = wire::add_db(&webspace.id, &spec.name, db_type)
            + &wire::databases_of_webspace(&webspace.name);
        let packet = self.write(&body, &[], Touches::DATABASES).await?;
        let db_id = wire::result_id(
            wire::single_result(&packet, "database", "add-db")?,
            "database add-db",
        )?;
        let read = |packet: &wire::Element, with_users: bool| -> PanelResult<Option<Database>> {
            let users = if with_users {
                records(packet, "database", "get-db-users", wire::db_user_record)?
            } else {
                Vec::new()
            };
            Ok(records(packet, "database", "get-db", wire::db_record)?
                .into_iter()
                .find(|db| db.id == db_id)
                .map(|db| {
                    let user: Vec<&DbUserRecord> = managed_user(&db, &users).into_iter().collect();
                    DatabaseEntry::new(db, &user).model(&owner, Some(&webspace))
                }))
        };
        let created = read(&packet, false)?.unwrap_or_else(|| Database {
            id: object_id(&owner, &db_id),
            name: spec.name.clone(),
            owner: owner.clone(),
            domain: Some(webspace.name.clone()),
            engine: spec.engine.clone(),
            user: None,
        });
        let Some((user, password)) = credentials else {
            return Ok(created);
        };
        let body = wire::add_db_user(&db_id, user, password) + &wire::database_with_users(&db_id);
        let added = match self.write(&body, &[password], Touches::DATABASES).await {
            Ok(packet) => wire::single_result(&packet, "database", "add-db-user")
                .map(|_| ())
                .and_then(|()| read(&packet, true)),
            Err(e) => Err(e),
        };
        match added {
            Ok(Some(read)) => Ok(read),
            Ok(None) => Ok(Database {
                user: Some(user.to_owned()),
                ..created
            }),
            // The database exists without its user: record it so it is not lost.
            Err(error) => Err(error.with_partial(created)),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Database>> {
        let Some((id_owner, db_id)) = parse_object_id(&at.id) else {
            return Ok(None);
        };
        let (databases, sites) = futures::try_join!(self.database_table(), self.site_table())?;
        let Some(entry) = databases.get(db_id) else {
            return Ok(None);
        };
        let webspace = sites.webspace(&entry.webspace_id);
        let owner = match webspace {
            Some(webspace) => self.listed_owner(webspace).await?,
            // Its subscription was not listed (gone since): keep what state knows.
            None => at
                .owner
                .as_deref()
                .or(id_owner)
                .unwrap_or_default()
                .to_owned(),
        };
        Ok(Some(entry.model(&owner, webspace)))
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<Database>> {
        self.read_database(at).await
    }

    async fn find(&self, key: &DatabaseKey) -> PanelResult<Option<Database>> {
        if let Some(domain) = key.domain.as_deref() {
            let Ok(domain) = normalize_domain(domain) else {
                return Ok(None);
            };
            return self.database_in(&domain, &key.name, Some(&key.owner)).await;
        }
        let mut matching: Vec<Database> = self
            .listed_databases(Some(&key.owner))
            .await?
            .into_iter()
            .filter(|db| same_name(&db.name, &key.name))
            .collect();
        match matching.len() {
            0 | 1 => Ok(matching.pop()),
            _ => {
                let ids: Vec<String> = matching
                    .iter()
                    .filter_map(|db| parse_object_id(&db.id).map(|(_, id)| id.to_owned()))
                    .collect();
                Err(ambiguous(&key.owner, &key.name, ids.iter()))
            }
        }
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Database>> {
        self.listed_databases(filter.owner.as_deref()).await
    }

    async fn update(&self, at: &Locator, patch: &DatabasePatch) -> PanelResult<Database> {
        let missing = || PanelError::not_found(format!("plesk database {} does not exist", at.id));
        let Some(password) = &patch.password else {
            return self.read_database(at).await?.ok_or_else(missing);
        };
        let (_, db_id) = parse_object_id(&at.id).ok_or_else(missing)?;
        let (db, users) = self.database_parts(db_id).await?.ok_or_else(missing)?;
        let user = managed_user(&db, &users).ok_or_else(|| {
            PanelError::invalid(
                Some("password"),
                "the database has no user whose password could change",
            )
        })?;
        let packet = self
            .write(
                &wire::set_db_user_password(&user.id, password),
                &[password],
                Touches::DATABASES,
            )
            .await?;
        wire::single_result(&packet, "database", "set-db-user")?;
        self.read_database(at)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("plesk database {} disappeared", at.id)))
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let Some((_, db_id)) = parse_object_id(&at.id) else {
            return Ok(());
        };
        let packet = self
            .write(&wire::del_db(db_id), &[], Touches::DATABASES)
            .await?;
        not_found_is_none(wire::single_result(&packet, "database", "del-db")).map(|_| ())
    }

    /// `CLIENT_ID/DATABASE_ID` (or a bare database id), `DOMAIN/NAME`, or
    /// `OWNER_LOGIN/NAME`.
    async fn import(&self, id: &str) -> PanelResult<Option<Database>> {
        if parse_object_id(id).is_some() {
            if let Some(found) = self.read_database(&Locator::new(id)).await? {
                return Ok(Some(found));
            }
        }
        let Some((container, name)) = id.split_once('/') else {
            return Ok(None);
        };
        if container.is_empty() || name.is_empty() || name.contains('/') {
            return Ok(None);
        }
        // A customer's login first (logins may contain dots), then a subscription.
        if !is_numeric_id(container) {
            if let Some(customer) = self.customer(("login", container)).await? {
                let prefixed = format!("{container}_{name}");
                return Ok(self
                    .listed_databases(Some(&customer.id))
                    .await?
                    .into_iter()
                    .find(|db| same_name(&db.name, name) || same_name(&db.name, &prefixed)));
            }
        }
        match normalize_domain(container) {
            Ok(domain) => self.database_in(&domain, name, None).await,
            Err(_) => Ok(None),
        }
    }

    fn import_id(&self, object: &Database) -> String {
        format!(
            "{}/{}",
            object.domain.as_deref().unwrap_or("DOMAIN"),
            object.name
        )
    }

    fn import_format(&self) -> &'static str {
        "DOMAIN/NAME (or OWNER_LOGIN/NAME, or its id CLIENT_ID/DATABASE_ID)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db(id: &str, default_user: Option<&str>) -> DbRecord {
        DbRecord {
            id: id.into(),
            name: "shop".into(),
            db_type: "postgres".into(),
            webspace_id: "56".into(),
            default_user_id: default_user.map(str::to_owned),
        }
    }

    fn user(id: &str, login: &str, db: &str) -> DbUserRecord {
        DbUserRecord {
            id: id.into(),
            login: login.into(),
            db_id: Some(db.into()),
        }
    }

    #[test]
    fn entries_keep_the_default_user_else_the_first() {
        let users = [user("8", "first", "7"), user("9", "default", "7")];
        let refs: Vec<&DbUserRecord> = users.iter().collect();
        let entry = DatabaseEntry::new(db("7", Some("9")), &refs);
        assert_eq!(entry.user.as_deref(), Some("default"));
        assert_eq!(entry.engine, "postgresql");
        let entry = DatabaseEntry::new(db("7", None), &refs);
        assert_eq!(entry.user.as_deref(), Some("first"));
        assert_eq!(
            managed_user(&db("7", Some("9")), &users).map(|u| u.id.as_str()),
            Some("9")
        );
        assert!(managed_user(&db("6", None), &users).is_none());
        let webspace = DomainRecord {
            id: "56".into(),
            name: "example.com".into(),
            ..Default::default()
        };
        let model = entry.model("3", Some(&webspace));
        assert_eq!(model.id, "3/7");
        assert_eq!(model.domain.as_deref(), Some("example.com"));
    }

    #[test]
    fn ambiguous_names_list_every_id() {
        let ids = ["4".to_owned(), "5".to_owned()];
        let error = ambiguous("3", "shop", ids.iter());
        assert!(
            error.message.contains("\"3/4\", \"3/5\""),
            "{}",
            error.message
        );
    }
}
