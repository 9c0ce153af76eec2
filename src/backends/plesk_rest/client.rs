//! Raw HTTP for the Plesk REST API v2 (`{endpoint}/api/v2/...`): authentication
//! (`X-API-Key` or Basic) over the shared transport ([`crate::backends::http`]: the
//! request limiter, retries, redaction, logging), the check that an answer is Plesk's
//! JSON, and non-2xx answers turned into typed errors through [`parse_error`].

use serde::de::DeserializeOwned;

use super::error::parse_error;
pub(crate) use crate::backends::rest::RestRequest as HttpRequest;
use crate::backends::rest::{FieldMap, RestAnswer, RestAuth, RestClient};
use crate::backends::{BackendConfig, Credentials};
use crate::panel::{PanelError, PanelResult};

/// The panel's name in messages.
const PANEL: &str = "plesk";

/// The Plesk REST client proper: auth from the credentials, errors through
/// [`parse_error`].
#[derive(Debug)]
pub struct PleskRestClient {
    http: RestClient,
}

impl PleskRestClient {
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        let auth = match &config.credentials {
            Credentials::ApiKey(key) => RestAuth::Header {
                name: "x-api-key",
                value: key.clone(),
            },
            Credentials::LoginPassword { login, password } => RestAuth::Basic {
                login: login.clone(),
                password: password.clone(),
            },
            _ => {
                return Err(PanelError::invalid(
                    Some("credentials"),
                    "plesk_rest needs an api_key or a login and password",
                ))
            }
        };
        Ok(Self {
            http: RestClient::new(config, "/api/v2", auth)?,
        })
    }

    /// Send and return the success body, checked to be Plesk's JSON; a non-2xx answer
    /// becomes a typed error (`fields` maps the panel's field names to the neutral
    /// ones, `secrets` are scrubbed from any text kept).
    pub(crate) async fn call(
        &self,
        request: HttpRequest,
        fields: FieldMap,
        secrets: &[&str],
    ) -> PanelResult<String> {
        let answer = self.http.send(&request, secrets).await?;
        if !answer.is_success() {
            return Err(failure(&answer, fields));
        }
        // The spec answers every success with JSON (objects, lists, `CreatedResponse`
        // for PUT and DELETE): a delete counts as done only when Plesk said so.
        answer.json(PANEL, false)?;
        Ok(answer.response.body)
    }

    pub(crate) async fn call_json<T: DeserializeOwned>(
        &self,
        request: HttpRequest,
        fields: FieldMap,
        secrets: &[&str],
    ) -> PanelResult<T> {
        let answer = self.http.send(&request, secrets).await?;
        if !answer.is_success() {
            return Err(failure(&answer, fields));
        }
        let value = answer.json(PANEL, false)?;
        answer.decode(PANEL, value)
    }
}

/// The error for a non-2xx answer: Plesk's own `{"code", "message"}` is mapped by
/// status and text; anything else (a proxy's page) is not trusted to mean "not found"
/// or "already exists".
fn failure(answer: &RestAnswer, fields: FieldMap) -> PanelError {
    match answer.error_object() {
        Some(_) => answer.fail(parse_error(
            answer.status(),
            answer.body(),
            fields,
            &answer.redactor,
        )),
        None => answer.not_the_api(PANEL, "a JSON error with a message"),
    }
}

#[cfg(test)]
mod http_tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    use super::*;
    use crate::backends::rest::mock::{config, MockServer};
    use crate::panel::{PanelErrorKind, PanelKind, Secret};

    fn plesk(base_url: &str) -> PleskRestClient {
        let credentials = Credentials::ApiKey(Secret::new("k3y"));
        PleskRestClient::new(&config(PanelKind::PleskRest, base_url, credentials)).unwrap()
    }

    #[tokio::test]
    async fn reads_are_retried_on_503_and_writes_are_not() {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let server = MockServer::start(Arc::new(move |_| {
            if counter.fetch_add(1, Ordering::SeqCst) < 2 {
                (503, r#"{"code":503,"message":"busy"}"#.into())
            } else {
                (200, r#"{"panel_version":"18.0.76"}"#.into())
            }
        }))
        .await;
        let client = plesk(&server.base_url);
        let meta: ServerMeta = client
            .call_json(HttpRequest::get("server"), &[], &[])
            .await
            .unwrap();
        assert_eq!(meta.panel_version.as_deref(), Some("18.0.76"));
        assert_eq!(server.requests().len(), 3, "two 503s, then the answer");
        let seen = &server.requests()[0];
        assert_eq!(seen.path_and_query, "/api/v2/server");
        assert_eq!(seen.headers.get("x-api-key").unwrap(), "k3y");

        hits.store(0, Ordering::SeqCst);
        let post = HttpRequest::new(reqwest::Method::POST, "clients").json(serde_json::json!({}));
        let err = client.call(post, &[], &[]).await.unwrap_err();
        assert_eq!(err.kind, PanelErrorKind::Temporary);
        assert_eq!(server.requests().len(), 4, "a POST goes out exactly once");
    }

    #[tokio::test]
    async fn basic_auth_when_login_and_password_are_given() {
        let server = MockServer::start(Arc::new(|_| (200, "[]".into()))).await;
        let credentials = Credentials::LoginPassword {
            login: "admin".into(),
            password: Secret::new("pw"),
        };
        let client =
            PleskRestClient::new(&config(PanelKind::PleskRest, &server.base_url, credentials))
                .unwrap();
        let _: Vec<Client> = client
            .call_json(HttpRequest::get("clients"), &[], &[])
            .await
            .unwrap();
        // base64("admin:pw")
        assert_eq!(
            server.requests()[0].headers.get("authorization").unwrap(),
            "Basic YWRtaW46cHc="
        );
    }

    #[tokio::test]
    async fn connection_refused_is_transport() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let err = plesk(&url)
            .call(HttpRequest::get("server"), &[], &[])
            .await
            .unwrap_err();
        assert_eq!(err.kind, PanelErrorKind::Transport);
    }

    use super::super::wire::{Client, ServerMeta};
}
