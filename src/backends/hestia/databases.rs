//! HestiaCP databases: `v-add-database` (with its user, in one call),
//! `v-list-database(s)`, `v-change-database-password`, `v-delete-database`. A
//! database's id is its full name as the panel stores it, `OWNER_NAME`.

use crate::panel::{
    ambiguous_database_name, Database, DatabaseKey, DatabasePatch, DatabaseSpec, ListFilter,
    Locator, NamePrefix, PanelError, PanelResult, Secret, Service,
};

use super::wire::{self, DatabaseRecord};
use super::{
    missing_owner_is_input_error, non_empty, single, HestiaBackend, Touches, DATABASE_NAME_MAX,
    DATABASE_USER_MAX,
};

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

/// Checks a database spec before any request: required values and Hestia's length
/// limits on the prefixed names. Returns (hestia type, db user, password).
pub(crate) fn check_database_spec(
    spec: &DatabaseSpec,
) -> PanelResult<(&'static str, &str, &Secret)> {
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
pub(crate) fn prefixed(owner: &str, name: &str, db_type: &str) -> String {
    let full = format!("{owner}_{name}");
    if db_type == "pgsql" {
        full.to_lowercase()
    } else {
        full
    }
}

/// The logins that may own database `id`: every prefix of it that ends before a `_`
/// (logins may contain `_` themselves), longest first, as the likeliest owner of
/// `a_b_c` is `a_b`.
fn owner_candidates(id: &str) -> Vec<String> {
    let mut candidates: Vec<String> = id
        .match_indices('_')
        .map(|(at, _)| &id[..at])
        .filter(|login| !login.is_empty() && id.len() > login.len() + 1)
        .map(str::to_owned)
        .collect();
    candidates.reverse();
    candidates
}

impl HestiaBackend {
    /// `id` among `owner`'s databases (the shared list).
    async fn database_of(&self, owner: &str, id: &str) -> PanelResult<Option<Database>> {
        Ok(self
            .database_entries(owner)
            .await?
            .iter()
            .find(|db| db.id == id)
            .cloned())
    }

    /// `id` among `hint`'s databases, else among the users its prefix may name (a
    /// state without owner: import, data sources, old states).
    async fn locate_database(&self, id: &str, hint: Option<&str>) -> PanelResult<Option<Database>> {
        if id.is_empty() {
            return Ok(None);
        }
        if let Some(owner) = hint {
            if let Some(db) = self.database_of(owner, id).await? {
                return Ok(Some(db));
            }
        }
        let candidates: Vec<String> = owner_candidates(id)
            .into_iter()
            .filter(|login| Some(login.as_str()) != hint)
            .collect();
        self.search_owners(candidates, |owner| async move {
            self.database_of(&owner, id).await
        })
        .await
    }

    /// One database, fresh: `v-list-database OWNER DATABASE json`.
    async fn read_database(&self, owner: &str, id: &str) -> PanelResult<Option<Database>> {
        let command = wire::list_database(owner, id);
        let Some(body) = self.read_optional(&command).await? else {
            return Ok(None);
        };
        Ok(single::<DatabaseRecord>(&command, &body)?
            .map(|(key, record)| database_from_record(owner, &key, &record)))
    }

    /// The owner of the database at `at`: the one state records, else found.
    async fn database_owner(&self, at: &Locator) -> PanelResult<Option<String>> {
        match &at.owner {
            Some(owner) => Ok(Some(owner.clone())),
            None => Ok(self.locate_database(&at.id, None).await?.map(|db| db.owner)),
        }
    }
}

#[async_trait::async_trait]
impl Service<Database> for HestiaBackend {
    async fn create(&self, spec: &DatabaseSpec) -> PanelResult<Database> {
        let (db_type, user, password) = check_database_spec(spec)?;
        let command = wire::add_database(&spec.owner, &spec.name, user, password, db_type);
        self.write(&command, Touches::Databases(&spec.owner))
            .await
            .map_err(missing_owner_is_input_error)?;
        let id = prefixed(&spec.owner, &spec.name, db_type);
        let created = match self.read_database(&spec.owner, &id).await {
            Ok(Some(db)) => db,
            // Created; the engine's read-back tries again and says so if it fails too.
            _ => Database {
                id: id.clone(),
                name: id,
                owner: spec.owner.clone(),
                domain: None,
                engine: spec.engine.clone(),
                user: Some(prefixed(&spec.owner, user, db_type)),
            },
        };
        self.fresh.remember(&created, &spec.owner);
        Ok(created)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Database>> {
        self.locate_database(&at.id, at.owner.as_deref()).await
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<Database>> {
        if let Some(db) = self.fresh.take::<Database>(&at.id) {
            return Ok(Some(db));
        }
        match at.owner.as_deref() {
            Some(owner) => self.read_database(owner, &at.id).await,
            None => Service::<Database>::get(self, at).await,
        }
    }

    /// Among the owner's databases (one shared list): the name as configured (Hestia
    /// adds the `OWNER_` prefix) or as stored.
    async fn find(&self, key: &DatabaseKey) -> PanelResult<Option<Database>> {
        let prefix = NamePrefix::OwnerLogin;
        let databases = self.database_entries(&key.owner).await?;
        let mut matching: Vec<&Database> = databases
            .iter()
            .filter(|db| prefix.matches(&key.owner, &db.name, &key.name))
            .collect();
        // A name stored exactly as written wins over one that matches after the prefix.
        if let Some(exact) = matching.iter().find(|db| db.name == key.name) {
            return Ok(Some((*exact).clone()));
        }
        match matching.len() {
            0 | 1 => Ok(matching.pop().cloned()),
            _ => {
                let ids: Vec<String> = matching.iter().map(|db| db.id.clone()).collect();
                Err(ambiguous_database_name(&key.owner, &key.name, &ids))
            }
        }
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Database>> {
        let databases = |owner: String| async move {
            Ok(self.database_entries(&owner).await?.as_ref().clone())
        };
        match &filter.owner {
            Some(owner) => databases(owner.clone()).await,
            None => self.for_every_owner(databases).await,
        }
    }

    async fn update(&self, at: &Locator, patch: &DatabasePatch) -> PanelResult<Database> {
        let missing =
            || PanelError::not_found(format!("hestia database {:?} does not exist", at.id));
        let owner = self.database_owner(at).await?.ok_or_else(missing)?;
        if let Some(password) = &patch.password {
            let command = wire::change_database_password(&owner, &at.id, password);
            self.write(&command, Touches::Databases(&owner)).await?;
        }
        self.read_database(&owner, &at.id)
            .await?
            .ok_or_else(missing)
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let Some(owner) = self.database_owner(at).await? else {
            return Ok(());
        };
        match self
            .write(
                &wire::delete_database(&owner, &at.id),
                Touches::Databases(&owner),
            )
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    /// `OWNER/FULL_NAME` (what `import_id` gives), `OWNER/NAME` as configured, or the
    /// bare `FULL_NAME`.
    async fn import(&self, id: &str) -> PanelResult<Option<Database>> {
        let id = id.trim();
        match id.split_once('/') {
            Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => {
                let key = DatabaseKey {
                    owner: owner.to_owned(),
                    name: name.to_owned(),
                    domain: None,
                };
                Service::<Database>::find(self, &key).await
            }
            Some(_) => Ok(None),
            None => self.locate_database(id, None).await,
        }
    }

    fn import_id(&self, object: &Database) -> String {
        format!("{}/{}", object.owner, object.name)
    }

    fn import_format(&self) -> &'static str {
        "OWNER/FULL_NAME (e.g. bob/bob_shop; OWNER/NAME and FULL_NAME work too)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::hestia::tests::{backend, replaying_server};
    use crate::panel::PanelErrorKind;
    use std::sync::atomic::Ordering;

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
    }

    #[test]
    fn owners_are_guessed_from_the_prefix_longest_first() {
        assert_eq!(owner_candidates("bob_shop"), ["bob"]);
        assert_eq!(owner_candidates("a_b_c"), ["a_b", "a"]);
        assert!(owner_candidates("shop").is_empty());
        assert!(owner_candidates("bob_").is_empty());
        assert!(owner_candidates("_shop").is_empty());
    }

    #[tokio::test]
    async fn a_read_back_is_one_single_database_read() {
        // Record 43: `v-list-database capuser capuser_shop json`.
        let (url, hits) = replaying_server("43-list-database").await;
        let at = Locator::new("capuser_shop").with_owner(Some("capuser"));
        let db = Service::<Database>::read_back(&backend(url), &at)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(db.user.as_deref(), Some("capuser_shopu"));
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        // Record 47: exit 3, no such database.
        let (url, hits) = replaying_server("47-list-database-missing").await;
        assert_eq!(
            Service::<Database>::read_back(&backend(url), &at)
                .await
                .unwrap(),
            None
        );
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn find_takes_the_name_with_or_without_the_prefix() {
        // Record 44: `v-list-databases capuser json` holds capuser_shop.
        let (url, hits) = replaying_server("44-list-databases").await;
        let backend = backend(url);
        for name in ["shop", "capuser_shop"] {
            let key = DatabaseKey {
                owner: "capuser".into(),
                name: name.into(),
                domain: None,
            };
            let found = Service::<Database>::find(&backend, &key).await.unwrap();
            assert_eq!(found.map(|db| db.id).as_deref(), Some("capuser_shop"));
        }
        assert_eq!(hits.load(Ordering::SeqCst), 1, "one shared list");
        for id in ["capuser/capuser_shop", "capuser/shop", "capuser_shop"] {
            let imported = Service::<Database>::import(&backend, id).await.unwrap();
            assert_eq!(imported.map(|db| db.id).as_deref(), Some("capuser_shop"));
        }
        assert_eq!(
            Service::<Database>::import(&backend, "capuser/")
                .await
                .unwrap(),
            None
        );
    }
}
