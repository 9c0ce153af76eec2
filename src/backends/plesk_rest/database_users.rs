//! Database users on their own (`/dbusers`, `panel_database_user`). A Plesk database
//! user has access to exactly one database (`database_id` of `DatabaseUserRequest`;
//! the other form, `server_id`, grants every database of the subscription and is not
//! offered) and `PUT /dbusers/{id}` changes only login and password, so the database
//! cannot change (declared in the capabilities: a change replaces the user).
//!
//! The id is the numeric database user id; the natural key is the login, which Plesk
//! keeps unique per database server. `DatabaseUser` names no owner, only its database:
//! the owner and the database's `panel_database` id (`OWNER/DOMAIN/DATABASE_ID`) come
//! from the owner's databases (the locator's owner first, else every database). A
//! refresh reads the shared `GET /dbusers`; a read after a change reads the users of the
//! one database (`GET /dbusers?dbId=`).

use std::collections::HashMap;

use reqwest::Method;

use super::client::HttpRequest;
use super::databases::DatabaseId;
use super::error::FieldMap;
use super::wire::{
    DatabaseUser as WireUser, DatabaseUserRequest, DatabaseUserUpdateRequest, DomainReference,
};
use super::{ignore_not_found, parse_number, to_json, PleskRestBackend, Touched};
use crate::panel::database_user::database_user_name_problem;
use crate::panel::{
    Database, DatabaseUser, DatabaseUserKey, DatabaseUserPatch, DatabaseUserSpec, ListFilter,
    Locator, PanelError, PanelResult, Service,
};

const USER_FIELDS: FieldMap = &[
    ("login", "name"),
    ("password", "password"),
    ("database_id", "databases"),
    ("parent_domain", "databases"),
];

/// Database id (Plesk's number) -> the neutral database (its id and owner).
type DatabaseIndex = HashMap<i64, Database>;

impl PleskRestBackend {
    /// The databases of `owner` (every database when `None`), by Plesk database id.
    async fn database_index(&self, owner: Option<&str>) -> PanelResult<DatabaseIndex> {
        let filter = ListFilter {
            owner: owner.map(str::to_owned),
        };
        let list = Service::<Database>::list(self, &filter).await?;
        Ok(list
            .into_iter()
            .filter_map(|db| Some((DatabaseId::parse(&db.id).ok()?.database, db)))
            .collect())
    }

    /// `user` as the panel layer knows it, when its database is one of `index`.
    fn database_user_of(user: &WireUser, index: &DatabaseIndex) -> Option<DatabaseUser> {
        let db = index.get(&user.database_id?)?;
        Some(DatabaseUser {
            id: user.id?.to_string(),
            owner: db.owner.clone(),
            name: user.login.clone(),
            databases: vec![db.id.clone()],
        })
    }

    /// `user` with its owner: the hint's databases first, then every database.
    async fn resolve_database_user(
        &self,
        user: &WireUser,
        owner_hint: Option<&str>,
    ) -> PanelResult<Option<DatabaseUser>> {
        if let Some(owner) = owner_hint {
            let index = self.database_index(Some(owner)).await?;
            if let Some(found) = Self::database_user_of(user, &index) {
                return Ok(Some(found));
            }
        }
        let index = self.database_index(None).await?;
        Ok(Self::database_user_of(user, &index))
    }

    /// Every database user, fresh (`GET /dbusers`).
    async fn fresh_database_users(&self) -> PanelResult<Vec<WireUser>> {
        self.read(HttpRequest::get("dbusers")).await
    }

    /// The users of one database, fresh (`GET /dbusers?dbId=`); none when it is gone.
    async fn users_of_one_database(&self, database: i64) -> PanelResult<Vec<WireUser>> {
        let request = HttpRequest::get("dbusers").query("dbId", database.to_string());
        let users: Option<Vec<WireUser>> = self.read_optional(request).await?;
        Ok(users.unwrap_or_default())
    }

    async fn database_user_read_back(&self, at: &Locator) -> PanelResult<Option<DatabaseUser>> {
        Service::<DatabaseUser>::read_back(self, at).await
    }

    /// The one database a spec or patch names, parsed, and checked to be `owner`'s.
    fn granted_database(owner: &str, databases: &[String]) -> PanelResult<DatabaseId> {
        let [database] = databases else {
            return Err(PanelError::invalid(
                Some("databases"),
                format!(
                    "a plesk database user has access to exactly one database, got {}",
                    databases.len()
                ),
            ));
        };
        let parsed = DatabaseId::parse(database)
            .map_err(|e| PanelError::invalid(Some("databases"), e.message))?;
        if parsed.owner.to_string() != owner.trim() {
            return Err(PanelError::invalid(
                Some("databases"),
                format!("database {database} does not belong to owner {owner}"),
            ));
        }
        Ok(parsed)
    }
}

#[async_trait::async_trait]
impl Service<DatabaseUser> for PleskRestBackend {
    async fn create(&self, spec: &DatabaseUserSpec) -> PanelResult<DatabaseUser> {
        if let Some(problem) = database_user_name_problem(&spec.name) {
            return Err(PanelError::invalid(Some("name"), problem));
        }
        parse_number("owner", &spec.owner)?;
        let database = Self::granted_database(&spec.owner, &spec.databases)?;
        let body = DatabaseUserRequest {
            login: &spec.name,
            password: spec.password.expose(),
            parent_domain: DomainReference {
                id: None,
                name: Some(database.domain.clone()),
                guid: None,
            },
            database_id: database.database,
        };
        let request = HttpRequest::new(Method::POST, "dbusers").json(to_json(&body)?);
        self.write(
            request,
            USER_FIELDS,
            &[spec.password.expose()],
            Touched::databases(),
        )
        .await?;
        let created = self
            .users_of_one_database(database.database)
            .await
            .map(|users| users.into_iter().find(|u| u.login == spec.name));
        match created {
            Ok(Some(user)) => Ok(DatabaseUser {
                id: user.id.map(|id| id.to_string()).unwrap_or_default(),
                owner: spec.owner.trim().to_owned(),
                name: user.login,
                databases: spec.databases.clone(),
            }),
            Ok(None) => Err(PanelError::protocol(format!(
                "POST dbusers succeeded, but GET dbusers?dbId={} lists no user {}",
                database.database, spec.name
            ))
            .maybe_done()),
            Err(e) => Err(e.maybe_done()),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<DatabaseUser>> {
        let Ok(id) = at.id.trim().parse::<i64>() else {
            return Ok(None);
        };
        let Some(user) = self
            .with_database_users(|users| users.all().find(|u| u.id == Some(id)).cloned())
            .await?
        else {
            return Ok(None);
        };
        self.resolve_database_user(&user, at.owner.as_deref()).await
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<DatabaseUser>> {
        let Ok(id) = at.id.trim().parse::<i64>() else {
            return Ok(None);
        };
        let Some(user) = self
            .fresh_database_users()
            .await?
            .into_iter()
            .find(|u| u.id == Some(id))
        else {
            return Ok(None);
        };
        self.resolve_database_user(&user, at.owner.as_deref()).await
    }

    /// The login among the owner's databases' users, fresh.
    async fn find(&self, key: &DatabaseUserKey) -> PanelResult<Option<DatabaseUser>> {
        let index = self.database_index(Some(&key.owner)).await?;
        let users = self.fresh_database_users().await?;
        Ok(users
            .iter()
            .filter(|u| u.login == key.name)
            .find_map(|u| Self::database_user_of(u, &index)))
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<DatabaseUser>> {
        let index = self.database_index(filter.owner.as_deref()).await?;
        self.with_database_users(|users| {
            users
                .all()
                .filter_map(|u| Self::database_user_of(u, &index))
                .collect()
        })
        .await
    }

    async fn update(&self, at: &Locator, patch: &DatabaseUserPatch) -> PanelResult<DatabaseUser> {
        let current = self
            .database_user_read_back(at)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("database user {} is gone", at.id)))?;
        if let Some(databases) = &patch.databases {
            if databases != &current.databases {
                return Err(PanelError::invalid(
                    Some("databases"),
                    "plesk cannot move a database user to another database (PUT dbusers takes \
                     only login and password); replace the user",
                ));
            }
        }
        if let Some(password) = &patch.password {
            let body = DatabaseUserUpdateRequest {
                login: &current.name,
                password: password.expose(),
            };
            let request = HttpRequest::new(Method::PUT, format!("dbusers/{}", current.id))
                .json(to_json(&body)?);
            self.write(
                request,
                USER_FIELDS,
                &[password.expose()],
                Touched::databases(),
            )
            .await?;
        }
        self.database_user_read_back(at)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("database user {} is gone", at.id)))
    }

    /// Deleting a user already gone succeeds; its database stays.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let id = parse_number("id", &at.id)?;
        let request = HttpRequest::new(Method::DELETE, format!("dbusers/{id}"));
        ignore_not_found(
            self.write(request, USER_FIELDS, &[], Touched::databases())
                .await,
        )
    }

    /// The login (or the numeric id).
    async fn import(&self, id: &str) -> PanelResult<Option<DatabaseUser>> {
        let wanted = id.trim();
        let numeric = wanted.parse::<i64>().ok();
        if numeric.is_none() && database_user_name_problem(wanted).is_some() {
            return Err(PanelError::invalid(
                Some("id"),
                format!("plesk database user ids are the login (e.g. report), got {id:?}"),
            ));
        }
        let users = self.fresh_database_users().await?;
        let Some(user) = users
            .iter()
            .find(|u| u.login == wanted)
            .or_else(|| users.iter().find(|u| u.id.is_some() && u.id == numeric))
        else {
            return Ok(None);
        };
        self.resolve_database_user(user, None).await
    }

    fn import_id(&self, object: &DatabaseUser) -> String {
        object.name.clone()
    }

    fn import_format(&self) -> &'static str {
        "the database user's login (e.g. report)"
    }
}
