//! Database users on their own (`panel_database_user`) through the `database`
//! operator: `add-db-user` (with `db-id`: one database; the other form, `webspace-id`
//! with `db-server-id`, grants every database of the subscription and is not offered),
//! `get-db-users`, `set-db-user` (password) and `del-db-user`, all by the user's
//! numeric id. `set-db-user` cannot change the database (the capabilities say so: a
//! change replaces the user). The owner and the `panel_database` id (`OWNER/DB_ID`)
//! come from the database list the databases' refresh shares.

use std::collections::HashMap;

use crate::panel::database_user::database_user_name_problem;
use crate::panel::{
    Database, DatabaseUser, DatabaseUserKey, DatabaseUserPatch, DatabaseUserSpec, ListFilter,
    Locator, PanelError, PanelResult, Service,
};

use super::wire::{self, DbUserRecord};
use super::{is_numeric_id, not_found_is_none, parse_object_id, records, PleskXmlBackend, Touches};

/// Plesk database id -> the neutral database.
type DatabaseIndex = HashMap<String, Database>;

impl PleskXmlBackend {
    async fn database_index(&self, owner: Option<&str>) -> PanelResult<DatabaseIndex> {
        let filter = ListFilter {
            owner: owner.map(str::to_owned),
        };
        let list = Service::<Database>::list(self, &filter).await?;
        Ok(list
            .into_iter()
            .filter_map(|db| {
                let (_, plesk_id) = parse_object_id(&db.id)?;
                Some((plesk_id.to_owned(), db))
            })
            .collect())
    }

    fn database_user_of(user: &DbUserRecord, index: &DatabaseIndex) -> Option<DatabaseUser> {
        let db = index.get(user.db_id.as_deref()?)?;
        Some(DatabaseUser {
            id: user.id.clone(),
            owner: db.owner.clone(),
            name: user.login.clone(),
            databases: vec![db.id.clone()],
        })
    }

    /// Every database user (or the one with `id`), fresh.
    async fn db_users(&self, id: Option<&str>) -> PanelResult<Vec<DbUserRecord>> {
        let packet = not_found_is_none(self.read(&wire::db_users_get(id)).await)?;
        match packet {
            Some(packet) => not_found_is_none(records(
                &packet,
                "database",
                "get-db-users",
                wire::db_user_record,
            ))
            .map(Option::unwrap_or_default),
            None => Ok(Vec::new()),
        }
    }

    async fn resolve_db_user(
        &self,
        user: &DbUserRecord,
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

    async fn db_user_by_id(
        &self,
        id: &str,
        owner_hint: Option<&str>,
    ) -> PanelResult<Option<DatabaseUser>> {
        let id = id.trim();
        if !is_numeric_id(id) {
            return Ok(None);
        }
        let Some(user) = self
            .db_users(Some(id))
            .await?
            .into_iter()
            .find(|u| u.id == id)
        else {
            return Ok(None);
        };
        self.resolve_db_user(&user, owner_hint).await
    }

    /// The one Plesk database id a spec names, checked to be `owner`'s.
    fn granted_db(owner: &str, databases: &[String]) -> PanelResult<String> {
        let [database] = databases else {
            return Err(PanelError::invalid(
                Some("databases"),
                format!(
                    "a plesk database user has access to exactly one database, got {}",
                    databases.len()
                ),
            ));
        };
        match parse_object_id(database) {
            Some((Some(db_owner), plesk_id)) if db_owner == owner.trim() => Ok(plesk_id.to_owned()),
            Some((Some(_), _)) => Err(PanelError::invalid(
                Some("databases"),
                format!("database {database} does not belong to owner {owner}"),
            )),
            _ => Err(PanelError::invalid(
                Some("databases"),
                format!("plesk database ids look like OWNER/DATABASE_ID, got {database:?}"),
            )),
        }
    }
}

#[async_trait::async_trait]
impl Service<DatabaseUser> for PleskXmlBackend {
    async fn create(&self, spec: &DatabaseUserSpec) -> PanelResult<DatabaseUser> {
        if let Some(problem) = database_user_name_problem(&spec.name) {
            return Err(PanelError::invalid(Some("name"), problem));
        }
        let db_id = Self::granted_db(&spec.owner, &spec.databases)?;
        let body = wire::add_db_user(&db_id, &spec.name, &spec.password);
        let packet = self
            .write(&body, &[&spec.password], Touches::DATABASES)
            .await?;
        let id = wire::single_result(&packet, "database", "add-db-user")
            .and_then(|result| wire::result_id(result, "add-db-user"))
            .map_err(PanelError::maybe_done)?;
        let fallback = DatabaseUser {
            id: id.clone(),
            owner: spec.owner.trim().to_owned(),
            name: spec.name.clone(),
            databases: spec.databases.clone(),
        };
        match self.db_user_by_id(&id, Some(&spec.owner)).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "add-db-user answered id {id}, but get-db-users does not list it"
            ))
            .with_partial(fallback)),
            Err(e) => Err(e.with_partial(fallback)),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<DatabaseUser>> {
        self.db_user_by_id(&at.id, at.owner.as_deref()).await
    }

    async fn find(&self, key: &DatabaseUserKey) -> PanelResult<Option<DatabaseUser>> {
        let index = self.database_index(Some(&key.owner)).await?;
        let users = self.db_users(None).await?;
        Ok(users
            .iter()
            .filter(|u| u.login == key.name)
            .find_map(|u| Self::database_user_of(u, &index)))
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<DatabaseUser>> {
        let index = self.database_index(filter.owner.as_deref()).await?;
        let users = self.db_users(None).await?;
        Ok(users
            .iter()
            .filter_map(|u| Self::database_user_of(u, &index))
            .collect())
    }

    async fn update(&self, at: &Locator, patch: &DatabaseUserPatch) -> PanelResult<DatabaseUser> {
        let current = self
            .db_user_by_id(&at.id, at.owner.as_deref())
            .await?
            .ok_or_else(|| PanelError::not_found(format!("database user {} is gone", at.id)))?;
        if let Some(databases) = &patch.databases {
            if databases != &current.databases {
                return Err(PanelError::invalid(
                    Some("databases"),
                    "plesk cannot move a database user to another database (set-db-user \
                     takes no db-id); replace the user",
                ));
            }
        }
        if let Some(password) = &patch.password {
            let body = wire::set_db_user_password(&current.id, password);
            let packet = self.write(&body, &[password], Touches::DATABASES).await?;
            wire::single_result(&packet, "database", "set-db-user")?;
        }
        self.db_user_by_id(&at.id, at.owner.as_deref())
            .await?
            .ok_or_else(|| PanelError::not_found(format!("database user {} is gone", at.id)))
    }

    /// Deleting a user already gone succeeds; its database stays.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let id = at.id.trim();
        if !is_numeric_id(id) {
            return Ok(());
        }
        let outcome = match self
            .write(&wire::del_db_user(id), &[], Touches::DATABASES)
            .await
        {
            Ok(packet) => wire::single_result(&packet, "database", "del-db-user").map(|_| ()),
            Err(e) => Err(e),
        };
        not_found_is_none(outcome).map(|_| ())
    }

    /// The login (or the numeric id).
    async fn import(&self, id: &str) -> PanelResult<Option<DatabaseUser>> {
        let wanted = id.trim();
        if !is_numeric_id(wanted) && database_user_name_problem(wanted).is_some() {
            return Err(PanelError::invalid(
                Some("id"),
                format!("plesk database user ids are the login (e.g. report), got {id:?}"),
            ));
        }
        let users = self.db_users(None).await?;
        let Some(user) = users
            .iter()
            .find(|u| u.login == wanted)
            .or_else(|| users.iter().find(|u| u.id == wanted))
        else {
            return Ok(None);
        };
        self.resolve_db_user(user, None).await
    }

    fn import_id(&self, object: &DatabaseUser) -> String {
        object.name.clone()
    }

    fn import_format(&self) -> &'static str {
        "the database user's login (e.g. report)"
    }
}
