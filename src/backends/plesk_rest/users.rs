//! Users: Plesk customers (`/clients`). A refresh reads the shared customer list; a
//! lookup by login too (the spec has no filter on `GET /clients`); a read-back reads
//! `GET /clients/{id}`.

use reqwest::Method;

use super::client::HttpRequest;
use super::error::FieldMap;
use super::wire::{Client, ClientRequest, ClientUpdateRequest, CreatedResponse};
use super::{
    created_or_partial, decode_answer, ignore_not_found, is_number, parse_number, to_json,
    PleskRestBackend, Touched, NO_FIELDS,
};
use crate::panel::{
    ListFilter, Locator, PanelError, PanelResult, Service, User, UserKey, UserPatch, UserSpec,
};

const CLIENT_FIELDS: FieldMap = &[
    ("login", "login"),
    ("e-mail", "email"),
    ("email", "email"),
    ("password", "password"),
    ("name", "name"),
];

/// Plesk client status "disabled by admin" (`ClientRequest.status`).
const STATUS_SUSPENDED: i64 = 16;
/// "under backup/restore": transient, not a suspension.
const STATUS_BACKUP: i64 = 4;

impl PleskRestBackend {
    /// `GET /clients/{id}`: one customer, fresh.
    async fn read_client(&self, id: i64) -> PanelResult<Option<User>> {
        let client: Option<Client> = self
            .read_optional(HttpRequest::get(format!("clients/{id}")))
            .await?;
        client.as_ref().map(user_model).transpose()
    }

    async fn set_client_status(&self, id: i64, suspended: bool) -> PanelResult<()> {
        let action = if suspended { "suspend" } else { "activate" };
        let request = HttpRequest::new(Method::PUT, format!("clients/{id}/{action}"));
        self.write(request, CLIENT_FIELDS, &[], Touched::client_changed())
            .await
            .map(drop)
    }
}

#[async_trait::async_trait]
impl Service<User> for PleskRestBackend {
    async fn create(&self, spec: &UserSpec) -> PanelResult<User> {
        if spec.plan.is_some() {
            return Err(PanelError::unsupported(
                "plesk REST clients have no service plan (plans belong to subscriptions)",
            ));
        }
        let password = spec.password.expose();
        let status = if spec.suspended { STATUS_SUSPENDED } else { 0 };
        let body = ClientRequest {
            name: &spec.name,
            login: &spec.login,
            email: &spec.email,
            password,
            kind: "customer",
            status,
        };
        let request = HttpRequest::new(Method::POST, "clients").json(to_json(&body)?);
        let draft = Client {
            id: None,
            name: spec.name.clone(),
            login: spec.login.clone(),
            email: spec.email.clone(),
            status,
            kind: Some("customer".to_owned()),
        };
        let answer = self
            .write(
                request,
                CLIENT_FIELDS,
                &[password],
                Touched::client_added(draft),
            )
            .await?;
        let created: CreatedResponse = decode_answer("POST clients", &answer)?;
        let id = created
            .id
            .ok_or_else(|| PanelError::protocol("POST clients: the answer has no id"))?;
        let partial = || User {
            administrator: false,
            id: id.to_string(),
            login: spec.login.clone(),
            email: spec.email.clone(),
            name: spec.name.clone(),
            plan: None,
            suspended: spec.suspended,
        };
        let mut user = created_or_partial(self.read_client(id).await, "client", partial)?;
        // `status` on create is part of the spec, but verify: suspending is one call.
        if user.suspended != spec.suspended {
            self.set_client_status(id, spec.suspended)
                .await
                .map_err(|e| e.with_partial(partial()))?;
            user = created_or_partial(self.read_client(id).await, "client", partial)?;
        }
        Ok(user)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<User>> {
        let id = parse_number("id", &at.id)?;
        self.with_clients(|clients| clients.get(id).map(user_model))
            .await?
            .transpose()
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<User>> {
        self.read_client(parse_number("id", &at.id)?).await
    }

    async fn find(&self, key: &UserKey) -> PanelResult<Option<User>> {
        self.with_clients(|clients| clients.with_login(&key.login).map(user_model))
            .await?
            .transpose()
    }

    async fn list(&self, _filter: &ListFilter) -> PanelResult<Vec<User>> {
        self.with_clients(|clients| {
            clients
                .iter()
                .filter(|c| c.kind.as_deref() != Some("admin"))
                .map(user_model)
                .collect::<PanelResult<Vec<User>>>()
        })
        .await?
    }

    async fn update(&self, at: &Locator, patch: &UserPatch) -> PanelResult<User> {
        if patch.plan.is_some() {
            return Err(PanelError::unsupported(
                "plesk REST clients have no service plan",
            ));
        }
        let id = parse_number("id", &at.id)?;
        let password = patch.password.as_ref().map(|p| p.expose());
        let body = ClientUpdateRequest {
            name: patch.name.as_deref(),
            email: patch.email.as_deref(),
            password,
        };
        if !body.is_empty() {
            let request =
                HttpRequest::new(Method::PUT, format!("clients/{id}")).json(to_json(&body)?);
            let secrets: Vec<&str> = password.into_iter().collect();
            self.write(request, CLIENT_FIELDS, &secrets, Touched::client_changed())
                .await?;
        }
        if let Some(suspended) = patch.suspended {
            self.set_client_status(id, suspended).await?;
        }
        self.read_client(id).await?.ok_or_else(|| {
            PanelError::not_found(format!("client {id} disappeared during the update"))
        })
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let id = parse_number("id", &at.id)?;
        let request = HttpRequest::new(Method::DELETE, format!("clients/{id}"));
        let outcome = self
            .write(request, NO_FIELDS, &[], Touched::client_removed(id))
            .await;
        ignore_not_found(outcome)
    }

    /// A login, or the customer's numeric Plesk id when no login is spelt like it.
    async fn import(&self, id: &str) -> PanelResult<Option<User>> {
        let key = UserKey {
            login: id.to_owned(),
        };
        match self.find(&key).await? {
            Some(found) => Ok(Some(found)),
            None if is_number(id) => self.read_back(&Locator::new(id)).await,
            None => Ok(None),
        }
    }

    fn import_id(&self, object: &User) -> String {
        object.login.clone()
    }

    fn import_format(&self) -> &'static str {
        "its login (or its numeric Plesk client id)"
    }
}

fn user_model(client: &Client) -> PanelResult<User> {
    let id = client
        .id
        .ok_or_else(|| PanelError::protocol("a plesk client without an id"))?;
    Ok(User {
        administrator: false,
        id: id.to_string(),
        login: client.login.clone(),
        email: client.email.clone(),
        name: client.name.clone(),
        plan: None,
        // Any status but active or the transient backup state means the client cannot
        // use the panel (disabled by admin, expired).
        suspended: client.status != 0 && client.status != STATUS_BACKUP,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    fn service(backend: &PleskRestBackend) -> &dyn Service<User> {
        backend
    }

    use super::super::mock::backend;
    use super::*;
    use crate::backends::rest::mock::{MockServer, Seen};

    const CLIENTS: &str = r#"[{"id":1,"login":"admin","name":"Admin","email":"a@x.test","status":0,"type":"admin"},
        {"id":7,"login":"Jdoe","name":"J Doe","email":"j@x.test","status":16,"type":"customer"},
        {"id":8,"login":"ann","name":"Ann","email":"ann@x.test","status":0,"type":"customer"}]"#;

    fn answer(seen: &Seen) -> (u16, String) {
        match (seen.method.as_str(), seen.path_and_query.as_str()) {
            ("GET", "/api/v2/clients") => (200, CLIENTS.into()),
            ("GET", "/api/v2/clients/8") => (
                200,
                r#"{"id":8,"login":"ann","name":"Ann B","email":"ann@x.test","status":0,"type":"customer"}"#.into(),
            ),
            ("POST", "/api/v2/clients") => (201, r#"{"id":9,"guid":"g"}"#.into()),
            ("GET", "/api/v2/clients/9") => (
                200,
                r#"{"id":9,"login":"new","name":"New","email":"n@x.test","status":0,"type":"customer"}"#.into(),
            ),
            ("DELETE", "/api/v2/clients/8") => (200, r#"{"id":8,"guid":"g"}"#.into()),
            _ => (404, r#"{"code":404,"message":"Client is not found"}"#.into()),
        }
    }

    fn spec(login: &str) -> UserSpec {
        UserSpec {
            login: login.into(),
            email: "n@x.test".into(),
            name: "New".into(),
            password: crate::panel::Secret::new("Pw-12345"),
            plan: None,
            suspended: false,
        }
    }

    #[test]
    fn client_status_maps_to_suspended() {
        let client = |status| Client {
            id: Some(1),
            name: "A B".into(),
            login: "ab".into(),
            email: "a@b.c".into(),
            status,
            kind: Some("customer".into()),
        };
        assert!(!user_model(&client(0)).unwrap().suspended);
        assert!(user_model(&client(16)).unwrap().suspended);
        assert!(user_model(&client(256)).unwrap().suspended);
        assert!(!user_model(&client(4)).unwrap().suspended);
    }

    #[tokio::test]
    async fn one_client_list_serves_every_refresh_and_lookup() {
        let server = MockServer::start(Arc::new(answer)).await;
        let backend = backend(&server.base_url);
        let backend: &dyn Service<User> = &backend;
        let at: Vec<Locator> = ["7", "8", "99"].into_iter().map(Locator::new).collect();
        let (a, b, c) = tokio::join!(
            backend.get(&at[0]),
            backend.get(&at[1]),
            backend.get(&at[2]),
        );
        assert!(a.unwrap().unwrap().suspended);
        assert_eq!(b.unwrap().unwrap().login, "ann");
        assert_eq!(c.unwrap(), None);
        let found = backend
            .find(&UserKey {
                login: "jdoe".into(),
            })
            .await
            .unwrap();
        assert_eq!(found.map(|u| u.id), Some("7".into()), "login without case");
        let listed = backend.list(&ListFilter::default()).await.unwrap();
        assert_eq!(
            listed.len(),
            2,
            "the administrator is not a user: {listed:?}"
        );
        assert_eq!(server.requests().len(), 1, "{:?}", server.requests());
    }

    #[tokio::test]
    async fn read_back_reads_the_one_client() {
        let server = MockServer::start(Arc::new(answer)).await;
        let user = service(&backend(&server.base_url))
            .read_back(&Locator::new("8"))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.name, "Ann B");
        let paths: Vec<String> = server
            .requests()
            .into_iter()
            .map(|r| r.path_and_query)
            .collect();
        assert_eq!(paths, ["/api/v2/clients/8"]);
    }

    #[tokio::test]
    async fn creates_and_deletes_patch_the_shared_list_instead_of_reloading_it() {
        let server = MockServer::start(Arc::new(answer)).await;
        let backend = backend(&server.base_url);
        let backend: &dyn Service<User> = &backend;
        let key = |login: &str| UserKey {
            login: login.into(),
        };
        assert_eq!(backend.find(&key("new")).await.unwrap(), None);
        let created = backend.create(&spec("new")).await.unwrap();
        assert_eq!(created.id, "9");
        assert_eq!(
            backend.find(&key("new")).await.unwrap().map(|u| u.id),
            Some("9".into()),
            "the new customer joined the shared list"
        );
        backend.delete(&Locator::new("8")).await.unwrap();
        assert_eq!(backend.find(&key("ann")).await.unwrap(), None);
        let lists = server
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path_and_query == "/api/v2/clients")
            .count();
        assert_eq!(lists, 1, "{:?}", server.requests());
    }

    #[tokio::test]
    async fn a_failed_create_drops_the_shared_list() {
        let server = MockServer::start(Arc::new(answer)).await;
        let plesk = backend(&server.base_url);
        let backend: &dyn Service<User> = &plesk;
        let key = UserKey {
            login: "ann".into(),
        };
        backend.find(&key).await.unwrap();
        // The mock answers this write with 404; the outcome counts, not the reason.
        let failing = PleskRestBackend::write(
            &plesk,
            HttpRequest::new(Method::PUT, "clients/5"),
            NO_FIELDS,
            &[],
            Touched::client_added(Client {
                id: None,
                name: "x".into(),
                login: "x".into(),
                email: "x@x.test".into(),
                status: 0,
                kind: None,
            }),
        )
        .await;
        assert!(failing.is_err());
        backend.find(&key).await.unwrap();
        let lists = server
            .requests()
            .iter()
            .filter(|r| r.path_and_query == "/api/v2/clients")
            .count();
        assert_eq!(lists, 2, "the list was loaded again after the failed write");
    }

    #[tokio::test]
    async fn import_by_login_or_numeric_id() {
        let server = MockServer::start(Arc::new(answer)).await;
        let backend = backend(&server.base_url);
        let backend: &dyn Service<User> = &backend;
        assert_eq!(
            backend.import("Jdoe").await.unwrap().map(|u| u.id),
            Some("7".into())
        );
        assert_eq!(
            backend.import("8").await.unwrap().map(|u| u.login),
            Some("ann".into())
        );
        assert_eq!(backend.import("nobody").await.unwrap(), None);
        assert_eq!(backend.import("404").await.unwrap(), None);
    }
}
