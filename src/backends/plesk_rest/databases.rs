//! Databases of a subscription or site, with their user (`/databases`, `/dbusers`).
//!
//! A refresh reads the shared list of every database (`GET /databases`) and, only for a
//! database with a default user, the shared list of every database user
//! (`GET /dbusers`). The spec has no `GET /databases/{id}`: a read-back reads the
//! databases of the one domain (`GET /databases?domain=`) and the users of the one
//! database (`GET /dbusers?dbId=`), both bounded by that object, not by the panel.

use reqwest::Method;

use super::client::HttpRequest;
use super::error::FieldMap;
use super::records::{DatabaseUsers, Domains};
use super::wire::{
    Database as WireDatabase, DatabaseRequest, DatabaseUser, DatabaseUserRequest,
    DatabaseUserUpdateRequest, DomainResponse,
};
use super::{
    created_or_partial, decode_answer, ignore_not_found, parse_number, to_json, PleskRestBackend,
    Touched, NO_FIELDS,
};
use crate::backends::http::normalize_domain;
use crate::panel::names::DomainName;
use crate::panel::{
    ambiguous_database_name, Database, DatabaseKey, DatabasePatch, DatabaseSpec, ListFilter,
    Locator, NamePrefix, PanelError, PanelResult, Service,
};

const DATABASE_FIELDS: FieldMap = &[
    ("server_id", "engine"),
    ("type", "engine"),
    ("parent_domain", "domain"),
    ("domain", "domain"),
    ("database_id", "name"),
    ("login", "user"),
    ("user", "user"),
    ("password", "password"),
    ("name", "name"),
];

/// `"{owner}/{domain name}/{database id}"`.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct DatabaseId {
    pub(super) owner: i64,
    pub(super) domain: String,
    pub(super) database: i64,
}

impl DatabaseId {
    pub(super) fn parse(id: &str) -> PanelResult<Self> {
        let mut parts = id.split('/');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(owner), Some(domain), Some(database), None) => Ok(Self {
                owner: parse_number("id", owner)?,
                domain: normalize_domain(domain)?,
                database: parse_number("id", database)?,
            }),
            _ => Err(PanelError::invalid(
                Some("id"),
                format!("plesk database ids look like CLIENT_ID/DOMAIN/DATABASE_ID, got {id:?}"),
            )),
        }
    }
}

impl std::fmt::Display for DatabaseId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}", self.owner, self.domain, self.database)
    }
}

/// A database read fresh, with the user it reports (for a password change).
type Fresh = (Database, Option<DatabaseUser>);

fn has_default_user(db: &WireDatabase) -> bool {
    db.default_user_id.is_some_and(|u| u > 0)
}

fn database_model(id: &DatabaseId, db: &WireDatabase, user: Option<&DatabaseUser>) -> Database {
    Database {
        id: id.to_string(),
        name: db.name.clone(),
        owner: id.owner.to_string(),
        domain: Some(id.domain.clone()),
        engine: db.kind.clone().unwrap_or_else(|| "mysql".to_owned()),
        user: user.map(|u| u.login.clone()),
    }
}

impl PleskRestBackend {
    /// The databases of one domain, fresh (`GET /databases?domain=`); `None` when the
    /// domain is gone.
    async fn databases_of_domain(&self, domain: &str) -> PanelResult<Option<Vec<WireDatabase>>> {
        let request = HttpRequest::get("databases").query("domain", domain);
        self.read_optional(request).await
    }

    /// The users of one database, fresh (`GET /dbusers?dbId=`).
    async fn users_of_database(&self, database: i64) -> PanelResult<DatabaseUsers> {
        let request = HttpRequest::get("dbusers").query("dbId", database.to_string());
        let users: Option<Vec<DatabaseUser>> = self.read_optional(request).await?;
        Ok(DatabaseUsers::new(users.unwrap_or_default()))
    }

    /// One database, fresh from the panel; `None` when it (or its domain) is gone.
    async fn read_database(&self, id: &DatabaseId) -> PanelResult<Option<Fresh>> {
        let Some(listed) = self.databases_of_domain(&id.domain).await? else {
            return Ok(None);
        };
        let Some(db) = listed.into_iter().find(|d| d.id == Some(id.database)) else {
            return Ok(None);
        };
        // No default user means no user: spare the users request.
        let user = if has_default_user(&db) {
            self.users_of_database(id.database)
                .await?
                .user_of(&db)
                .cloned()
        } else {
            None
        };
        Ok(Some((database_model(id, &db, user.as_ref()), user)))
    }

    /// Databases among `candidates` (all `owner`'s, whose domains are `domains`) with
    /// the name a person wrote, as neutral objects; several are an error naming them.
    async fn matching_database(
        &self,
        owner: i64,
        domains: &Domains,
        candidates: Vec<WireDatabase>,
        name: &str,
        fresh_users: bool,
    ) -> PanelResult<Option<Database>> {
        let mut matching: Vec<(DatabaseId, WireDatabase)> = candidates
            .into_iter()
            .filter(|db| NamePrefix::None.matches("", &db.name, name))
            .filter_map(|db| {
                let domain = domains.get(db.parent_domain?)?.name.clone();
                let database = db.id?;
                let id = DatabaseId {
                    owner,
                    domain,
                    database,
                };
                Some((id, db))
            })
            .collect();
        if matching.len() > 1 {
            let ids: Vec<String> = matching.iter().map(|(id, _)| id.to_string()).collect();
            return Err(ambiguous_database_name(&owner.to_string(), name, &ids));
        }
        let Some((id, db)) = matching.pop() else {
            return Ok(None);
        };
        let user = match (has_default_user(&db), fresh_users) {
            (false, _) => None,
            (true, true) => self
                .users_of_database(id.database)
                .await?
                .user_of(&db)
                .cloned(),
            (true, false) => {
                self.with_database_users(|users| users.user_of(&db).cloned())
                    .await?
            }
        };
        Ok(Some(database_model(&id, &db, user.as_ref())))
    }
}

#[async_trait::async_trait]
impl Service<Database> for PleskRestBackend {
    async fn create(&self, spec: &DatabaseSpec) -> PanelResult<Database> {
        let engine = spec.engine.to_ascii_lowercase();
        if engine != "mysql" && engine != "postgresql" {
            return Err(PanelError::invalid(
                Some("engine"),
                "engine must be mysql or postgresql",
            ));
        }
        let owner = parse_number("owner", &spec.owner)?;
        let domain_name = spec.domain.as_deref().ok_or_else(|| {
            PanelError::invalid(
                Some("domain"),
                "plesk databases belong to a domain; set domain",
            )
        })?;
        let domain_name = normalize_domain(domain_name)?;
        let credentials = match (&spec.user, &spec.password) {
            (Some(user), Some(password)) => Some((user.as_str(), password.expose())),
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
                    "a password needs a database user",
                ))
            }
        };
        let (domain, _) = self.owned_domain(owner, &domain_name, "domain").await?;
        let server_id = self.database_server_for(&engine).await?;
        let body = DatabaseRequest {
            name: &spec.name,
            kind: &engine,
            parent_domain: domain.reference(),
            server_id,
        };
        let request = HttpRequest::new(Method::POST, "databases").json(to_json(&body)?);
        let answer = self
            .write(request, DATABASE_FIELDS, &[], Touched::databases())
            .await?;
        let created: WireDatabase = decode_answer("POST databases", &answer)?;
        let database_id = created
            .id
            .ok_or_else(|| PanelError::protocol("POST databases: the answer has no id"))?;
        let id = DatabaseId {
            owner,
            domain: domain_name.clone(),
            database: database_id,
        };
        let without_user = Database {
            id: id.to_string(),
            name: if created.name.is_empty() {
                spec.name.clone()
            } else {
                created.name.clone()
            },
            owner: owner.to_string(),
            domain: Some(domain_name.clone()),
            engine: engine.clone(),
            user: None,
        };
        if let Some((login, password)) = credentials {
            let body = DatabaseUserRequest {
                login,
                password,
                parent_domain: domain.reference(),
                database_id,
            };
            let request = HttpRequest::new(Method::POST, "dbusers").json(to_json(&body)?);
            self.write(request, DATABASE_FIELDS, &[password], Touched::databases())
                .await
                .map_err(|e| e.with_partial(without_user.clone()))?;
        }
        let partial = || {
            let mut db = without_user.clone();
            db.user = spec.user.clone();
            db
        };
        let fresh = self.read_database(&id).await.map(|f| f.map(|(db, _)| db));
        created_or_partial(fresh, "database", partial)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Database>> {
        let id = DatabaseId::parse(&at.id)?;
        let Some(db) = self
            .with_databases(|all| all.get(id.database).cloned())
            .await?
        else {
            return Ok(None);
        };
        let user = if has_default_user(&db) {
            self.with_database_users(|users| users.user_of(&db).cloned())
                .await?
        } else {
            None
        };
        Ok(Some(database_model(&id, &db, user.as_ref())))
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<Database>> {
        let id = DatabaseId::parse(&at.id)?;
        Ok(self.read_database(&id).await?.map(|(db, _)| db))
    }

    /// Among the owner's domains only. With a domain (as every resource has on Plesk):
    /// that domain's databases, fresh; without (a data source by owner and name): the
    /// shared list of every database.
    async fn find(&self, key: &DatabaseKey) -> PanelResult<Option<Database>> {
        let owner = parse_number("owner", &key.owner)?;
        let domains = self.owner_domains(owner).await?;
        let Some(domains) = domains.as_ref() else {
            return Ok(None);
        };
        match &key.domain {
            Some(domain) => {
                let domain = DomainName::lenient(domain).to_string();
                if domains.named(&domain).is_none() {
                    return Ok(None);
                }
                let listed = self.databases_of_domain(&domain).await?.unwrap_or_default();
                self.matching_database(owner, domains, listed, &key.name, true)
                    .await
            }
            None => {
                let owned = self
                    .with_databases(|all| {
                        all.iter()
                            .filter(|db| db.parent_domain.is_some_and(|p| domains.get(p).is_some()))
                            .cloned()
                            .collect()
                    })
                    .await?;
                self.matching_database(owner, domains, owned, &key.name, false)
                    .await
            }
        }
    }

    /// One owner's databases; without an owner, every customer's (databases are placed
    /// through their domains, and the domain lists name no owner).
    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Database>> {
        let lists = self.owners_domain_lists(filter).await?;
        // Domain id -> (owner, name).
        let placed: std::collections::HashMap<i64, (i64, String)> = lists
            .iter()
            .filter_map(|(owner, list)| Some((*owner, list.as_ref().as_ref()?)))
            .flat_map(|(owner, list)| list.iter().map(move |d| (d.id, (owner, d.name.clone()))))
            .collect();
        let owned: Vec<(DatabaseId, WireDatabase)> = self
            .with_databases(|all| {
                all.iter()
                    .filter_map(|db| {
                        let (owner, domain) = placed.get(&db.parent_domain?)?.clone();
                        let id = DatabaseId {
                            owner,
                            domain,
                            database: db.id?,
                        };
                        Some((id, db.clone()))
                    })
                    .collect()
            })
            .await?;
        let users = if owned.iter().any(|(_, db)| has_default_user(db)) {
            self.with_database_users(|users| {
                owned
                    .iter()
                    .map(|(_, db)| users.user_of(db).cloned())
                    .collect()
            })
            .await?
        } else {
            vec![None; owned.len()]
        };
        Ok(owned
            .iter()
            .zip(users)
            .map(|((id, db), user)| database_model(id, db, user.as_ref()))
            .collect())
    }

    async fn update(&self, at: &Locator, patch: &DatabasePatch) -> PanelResult<Database> {
        let id = DatabaseId::parse(&at.id)?;
        let (current, user) = self
            .read_database(&id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("database {id} does not exist")))?;
        let Some(password) = &patch.password else {
            return Ok(current);
        };
        let user = user.ok_or_else(|| {
            PanelError::invalid(
                Some("password"),
                "the database has no user to set a password for",
            )
        })?;
        let user_id = user.id.ok_or_else(|| {
            PanelError::protocol(format!("database user {} has no id", user.login))
        })?;
        let body = DatabaseUserUpdateRequest {
            login: &user.login,
            password: password.expose(),
        };
        let request =
            HttpRequest::new(Method::PUT, format!("dbusers/{user_id}")).json(to_json(&body)?);
        self.write(
            request,
            DATABASE_FIELDS,
            &[password.expose()],
            Touched::databases(),
        )
        .await?;
        let fresh = self.read_database(&id).await?;
        fresh.map(|(db, _)| db).ok_or_else(|| {
            PanelError::not_found(format!("database {id} disappeared during the update"))
        })
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let id = DatabaseId::parse(&at.id)?;
        let request = HttpRequest::new(Method::DELETE, format!("databases/{}", id.database));
        let outcome = self
            .write(request, NO_FIELDS, &[], Touched::databases())
            .await;
        ignore_not_found(outcome)
    }

    /// `DOMAIN/NAME`, `CLIENT_LOGIN/NAME`, or the provider's own id
    /// `CLIENT_ID/DOMAIN/DATABASE_ID`.
    async fn import(&self, id: &str) -> PanelResult<Option<Database>> {
        if let Ok(parsed) = DatabaseId::parse(id) {
            return Ok(self.read_database(&parsed).await?.map(|(db, _)| db));
        }
        let Some((container, name)) = id.split_once('/') else {
            return Ok(None);
        };
        if name.contains('/') || container.is_empty() || name.is_empty() {
            return Ok(None);
        }
        // A customer's login first, then a domain name (the order the docs give).
        let by_login = self
            .with_clients(|clients| clients.with_login(container).and_then(|c| c.id))
            .await?;
        if let Some(owner) = by_login {
            let key = DatabaseKey {
                owner: owner.to_string(),
                name: name.to_owned(),
                domain: None,
            };
            if let Some(found) = self.find(&key).await? {
                return Ok(Some(found));
            }
        }
        let Ok(domain) = DomainName::parse(container) else {
            return Ok(None);
        };
        let request = HttpRequest::get("domains").query("name", domain.as_str());
        let listed: Vec<DomainResponse> = self.read(request).await?;
        let Some(domain_id) = listed
            .iter()
            .find(|d| {
                let raw = d.ascii_name.as_deref().filter(|n| !n.is_empty());
                DomainName::lenient(raw.unwrap_or(&d.name)) == domain
            })
            .and_then(|d| d.id)
        else {
            return Ok(None);
        };
        let Some(owner) = self.owner_of_domain(domain_id).await? else {
            return Ok(None);
        };
        let key = DatabaseKey {
            owner: owner.to_string(),
            name: name.to_owned(),
            domain: Some(domain.to_string()),
        };
        self.find(&key).await
    }

    fn import_id(&self, object: &Database) -> String {
        format!(
            "{}/{}",
            object.domain.as_deref().unwrap_or("DOMAIN"),
            object.name
        )
    }

    fn import_format(&self) -> &'static str {
        "DOMAIN/NAME (e.g. example.com/shop), CLIENT_LOGIN/NAME, or the provider's id \
         CLIENT_ID/DOMAIN/DATABASE_ID"
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    fn service(backend: &PleskRestBackend) -> &dyn Service<Database> {
        backend
    }

    use super::super::mock::backend;
    use super::*;
    use crate::backends::rest::mock::{MockServer, Seen};
    use crate::panel::{PanelErrorKind, Secret};

    const SUBSCRIPTION: &str = r#"[{"id":11,"name":"example.com","ascii_name":"example.com","hosting_type":"virtual",
        "base_domain_id":0,"www_root":"/var/www/vhosts/example.com/httpdocs","guid":"g-11","created":"2024-01-01"}]"#;
    const DATABASES: &str = r#"[{"id":44,"name":"shop","type":"mysql","parent_domain":11,"server_id":1,"default_user_id":5},
        {"id":45,"name":"blog","type":"postgresql","parent_domain":11,"server_id":2,"default_user_id":0}]"#;
    const USERS: &str = r#"[{"id":5,"login":"shopuser","database_id":44}]"#;

    fn answer(seen: &Seen) -> (u16, String) {
        match (seen.method.as_str(), seen.path_and_query.as_str()) {
            ("GET", "/api/v2/clients/7/domains") => (200, SUBSCRIPTION.into()),
            ("GET", "/api/v2/clients") => (
                200,
                r#"[{"id":7,"login":"jdoe","name":"J","email":"j@x.test","status":0,"type":"customer"}]"#
                    .into(),
            ),
            ("GET", "/api/v2/domains?name=example.com") => (200, SUBSCRIPTION.into()),
            ("GET", "/api/v2/domains/11/client") => (
                200,
                r#"{"id":7,"login":"jdoe","name":"J","email":"j@x.test","status":0,"type":"customer"}"#
                    .into(),
            ),
            ("GET", "/api/v2/dbservers") => (200, r#"[{"id":1,"type":"mysql","is_default":true}]"#.into()),
            ("GET", "/api/v2/databases" | "/api/v2/databases?domain=example.com") => {
                (200, DATABASES.into())
            }
            ("GET", "/api/v2/dbusers" | "/api/v2/dbusers?dbId=44") => (200, USERS.into()),
            ("POST", "/api/v2/databases") => (
                200,
                r#"{"id":44,"name":"shop","type":"mysql","parent_domain":11,"server_id":1,"default_user_id":0}"#.into(),
            ),
            ("POST", "/api/v2/dbusers") => (400, r#"{"code":400,"message":"Password 'sekrit-pw' is too weak"}"#.into()),
            _ => (404, r#"{"code":404,"message":"not found"}"#.into()),
        }
    }

    fn paths(server: &MockServer) -> Vec<String> {
        server
            .requests()
            .into_iter()
            .map(|r| format!("{} {}", r.method, r.path_and_query))
            .collect()
    }

    #[test]
    fn ids_round_trip_and_reject_garbage() {
        let db = DatabaseId::parse("3/Example.COM/44").unwrap();
        assert_eq!(db.to_string(), "3/example.com/44");
        let err = DatabaseId::parse("44").unwrap_err();
        assert_eq!(
            err.kind,
            PanelErrorKind::InvalidInput {
                field: Some("id".into())
            }
        );
    }

    #[tokio::test]
    async fn refreshes_share_the_database_and_user_lists() {
        let server = MockServer::start(Arc::new(answer)).await;
        let backend = backend(&server.base_url);
        let backend: &dyn Service<Database> = &backend;
        let at: Vec<Locator> = ["7/example.com/44", "7/example.com/45", "7/example.com/46"]
            .into_iter()
            .map(Locator::new)
            .collect();
        let (shop, blog, gone) = tokio::join!(
            backend.get(&at[0]),
            backend.get(&at[1]),
            backend.get(&at[2]),
        );
        let shop = shop.unwrap().unwrap();
        assert_eq!(
            (shop.name.as_str(), shop.user.as_deref()),
            ("shop", Some("shopuser"))
        );
        assert_eq!(blog.unwrap().unwrap().engine, "postgresql");
        assert_eq!(gone.unwrap(), None);
        let mut seen = paths(&server);
        seen.sort();
        assert_eq!(seen, ["GET /api/v2/databases", "GET /api/v2/dbusers"]);
    }

    #[tokio::test]
    async fn read_back_reads_the_domains_databases_and_the_databases_users() {
        let server = MockServer::start(Arc::new(answer)).await;
        let read = service(&backend(&server.base_url))
            .read_back(&Locator::new("7/example.com/44"))
            .await
            .unwrap();
        assert_eq!(read.and_then(|d| d.user), Some("shopuser".into()));
        assert_eq!(
            paths(&server),
            [
                "GET /api/v2/databases?domain=example.com",
                "GET /api/v2/dbusers?dbId=44"
            ]
        );
    }

    #[tokio::test]
    async fn find_and_import_forms() {
        let server = MockServer::start(Arc::new(answer)).await;
        let backend = backend(&server.base_url);
        let backend: &dyn Service<Database> = &backend;
        let key = |domain: Option<&str>| DatabaseKey {
            owner: "7".into(),
            name: "SHOP".into(),
            domain: domain.map(str::to_owned),
        };
        for found in [
            backend.find(&key(Some("example.com"))).await.unwrap(),
            backend.find(&key(None)).await.unwrap(),
        ] {
            assert_eq!(found.map(|d| d.id), Some("7/example.com/44".into()));
        }
        assert_eq!(backend.find(&key(Some("other.test"))).await.unwrap(), None);
        for id in ["example.com/shop", "jdoe/shop", "7/example.com/44"] {
            let imported = backend.import(id).await.unwrap();
            assert_eq!(
                imported.map(|d| (d.id, d.user)),
                Some(("7/example.com/44".into(), Some("shopuser".into()))),
                "{id}"
            );
        }
        assert_eq!(backend.import("example.com/nothing").await.unwrap(), None);
        assert_eq!(backend.import("shop").await.unwrap(), None);
    }

    #[tokio::test]
    async fn failed_user_creation_reports_the_database_that_exists() {
        let server = MockServer::start(Arc::new(answer)).await;
        let spec = DatabaseSpec {
            name: "shop".into(),
            owner: "7".into(),
            domain: Some("example.com".into()),
            engine: "mysql".into(),
            user: Some("shopuser".into()),
            password: Some(Secret::new("sekrit-pw")),
        };
        let err = service(&backend(&server.base_url))
            .create(&spec)
            .await
            .unwrap_err();
        assert_eq!(
            err.kind,
            PanelErrorKind::InvalidInput {
                field: Some("password".into())
            }
        );
        assert!(
            !format!("{err:?}").contains("sekrit-pw"),
            "secret leaked: {err:?}"
        );
        match err.partial::<Database>() {
            Some(db) => {
                assert_eq!(db.id, "7/example.com/44");
                assert_eq!(db.user, None);
            }
            other => panic!("expected a partial database, got {other:?}"),
        }
        let post = server
            .requests()
            .into_iter()
            .find(|r| r.path_and_query == "/api/v2/databases")
            .unwrap();
        let body: serde_json::Value = serde_json::from_str(&post.body).unwrap();
        assert_eq!(
            body["parent_domain"],
            serde_json::json!({"id": 11, "name": "example.com", "guid": "g-11"})
        );
        assert_eq!(body["server_id"], 1);
    }
}
