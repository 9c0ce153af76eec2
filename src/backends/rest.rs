//! Conventions shared by the two JSON REST backends (Plesk REST v2 and PanelAlpha), on
//! top of the transport in [`super::http`]: a request description relative to the API
//! base, the authentication header, lenient JSON ids, and the error-text heuristics
//! both use to tell a collision and the offending field from a panel's message.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use super::http::{HttpResponse, HttpTransport, Idempotency};
use super::BackendConfig;
use crate::panel::{PanelError, PanelResult, Secret};

/// How every request of one backend authenticates.
#[derive(Clone)]
pub enum RestAuth {
    Basic {
        login: String,
        password: Secret,
    },
    /// A fixed header such as Plesk's `X-API-Key` (lowercase name).
    Header {
        name: &'static str,
        value: Secret,
    },
    Bearer(Secret),
}

/// One request, relative to the backend's API base.
#[derive(Clone, Debug)]
pub struct RestRequest {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
}

impl RestRequest {
    pub fn new(method: Method, path: impl Into<String>) -> Self {
        Self {
            method,
            path: path.into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn get(path: impl Into<String>) -> Self {
        Self::new(Method::GET, path)
    }

    pub fn query(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.query.push((name, value.into()));
        self
    }

    /// An extra header; `name` must be lowercase.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }

    /// `METHOD path`, for messages.
    pub fn describe(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The shared transport plus the API base URL and the credentials of one backend.
#[derive(Clone)]
pub struct RestClient {
    transport: HttpTransport,
    base: String,
    auth: RestAuth,
}

impl std::fmt::Debug for RestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RestClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl RestClient {
    /// `api_prefix` is appended to the configured endpoint (e.g. `/api/v2`).
    pub fn new(config: &BackendConfig, api_prefix: &str, auth: RestAuth) -> PanelResult<Self> {
        Ok(Self {
            transport: HttpTransport::new(config)?,
            base: format!("{}{}", config.endpoint.trim_end_matches('/'), api_prefix),
            auth,
        })
    }

    /// Replaces the retry policy (tests use short waits).
    #[cfg(test)]
    pub fn with_retry_policy(mut self, retry: super::http::RetryPolicy) -> Self {
        self.transport = self.transport.with_retry_policy(retry);
        self
    }

    /// Sends `request`. Only GETs count as idempotent, so only they are retried; the
    /// caller decides what a non-2xx status means.
    pub async fn send(&self, request: &RestRequest) -> PanelResult<HttpResponse> {
        let mut url = url::Url::parse(&format!(
            "{}/{}",
            self.base,
            request.path.trim_start_matches('/')
        ))
        .map_err(|e| PanelError::invalid(Some("endpoint"), format!("invalid panel URL: {e}")))?;
        if !request.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        // Built once, before sending: a value that is no valid header is the caller's
        // input error, not a transport failure.
        let headers = self.headers(request)?;
        let idempotency = if request.method == Method::GET {
            Idempotency::Idempotent
        } else {
            Idempotency::NonIdempotent
        };
        let mut response = self
            .transport
            .send(idempotency, |client| {
                let builder = client
                    .request(request.method.clone(), url.clone())
                    .headers(headers.clone());
                match &request.body {
                    Some(body) => builder.json(body),
                    None => builder,
                }
            })
            .await?;
        response.body = self.transport.redact(&response.body);
        Ok(response)
    }

    /// Scrubs the configured credentials from `text`.
    pub fn redact(&self, text: &str) -> String {
        self.transport.redact(text)
    }

    fn headers(&self, request: &RestRequest) -> PanelResult<HeaderMap> {
        let bad = |what: &str| {
            PanelError::invalid(None, format!("{what} is not a valid HTTP header value"))
        };
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let (name, mut value) = match &self.auth {
            RestAuth::Basic { login, password } => {
                use base64::Engine as _;
                let token = base64::engine::general_purpose::STANDARD
                    .encode(format!("{login}:{}", password.expose()));
                (
                    AUTHORIZATION,
                    HeaderValue::from_str(&format!("Basic {token}"))
                        .map_err(|_| bad("the login"))?,
                )
            }
            RestAuth::Header { name, value } => (
                HeaderName::from_static(name),
                HeaderValue::from_str(value.expose()).map_err(|_| bad("the API key"))?,
            ),
            RestAuth::Bearer(token) => (
                AUTHORIZATION,
                HeaderValue::from_str(&format!("Bearer {}", token.expose()))
                    .map_err(|_| bad("the token"))?,
            ),
        };
        // Keeps the credential out of reqwest's own Debug output.
        value.set_sensitive(true);
        headers.insert(name, value);
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| bad(name))?;
            let value = HeaderValue::from_str(value).map_err(|_| bad(name.as_str()))?;
            headers.insert(name, value);
        }
        Ok(headers)
    }
}

/// Decodes a JSON success body, naming the call on failure.
pub fn decode<T: DeserializeOwned>(what: &str, body: &str) -> PanelResult<T> {
    serde_json::from_str(body)
        .map_err(|e| PanelError::protocol(format!("{what}: unexpected answer: {e}")))
}

/// Accepts an id sent as `7` or `"7"`; anything else (null, text) becomes `None`.
pub fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let value = serde_json::Value::deserialize(d)?;
    Ok(match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// `(panel word, neutral field)` pairs, most specific first: the first panel word found
/// in an error names the neutral field.
pub type FieldMap = &'static [(&'static str, &'static str)];

/// Phrases Plesk (and the validators its spec names: `UniqueClientLogin`,
/// `UniqueFtpLogin`) and Laravel (PanelAlpha) use for a collision.
const DUPLICATE_PHRASES: &[&str] = &[
    "already exists",
    "already exist",
    "already in use",
    "already been taken",
    "already taken",
    "is not unique",
    "must be unique",
    "duplicate",
];

/// True when a (lowercased) panel message says the object collides with another.
pub fn is_duplicate(lower_message: &str) -> bool {
    DUPLICATE_PHRASES.iter().any(|p| lower_message.contains(p))
}

/// The neutral field of the first mapped panel word that occurs as a whole word in the
/// (lowercased) message.
pub fn field_from_text(lower_message: &str, fields: FieldMap) -> Option<String> {
    fields
        .iter()
        .find(|(wire, _)| contains_word(lower_message, wire))
        .map(|(_, neutral)| (*neutral).to_owned())
}

fn contains_word(haystack: &str, word: &str) -> bool {
    let is_word_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    haystack.match_indices(word).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_from_numbers_and_numeric_strings() {
        #[derive(Deserialize)]
        struct Item {
            #[serde(default, deserialize_with = "lenient_id")]
            id: Option<i64>,
        }
        let id = |json: &str| serde_json::from_str::<Item>(json).unwrap().id;
        assert_eq!(id(r#"{"id": 7}"#), Some(7));
        assert_eq!(id(r#"{"id": " 8 "}"#), Some(8));
        assert_eq!(id(r#"{"id": null}"#), None);
        assert_eq!(id(r#"{"id": "x"}"#), None);
        assert_eq!(id(r#"{}"#), None);
    }

    #[test]
    fn fields_are_found_as_whole_words_only() {
        const FIELDS: FieldMap = &[("login", "login"), ("name", "name")];
        assert_eq!(
            field_from_text("the login is taken", FIELDS).as_deref(),
            Some("login")
        );
        // "username" is not the word "name".
        assert_eq!(field_from_text("bad username", FIELDS), None);
        assert!(is_duplicate("the name has already been taken."));
        assert!(!is_duplicate("the name is invalid."));
    }
}

/// A tiny in-process HTTP server for the REST backends' tests: records every request
/// and answers through a closure.
#[cfg(test)]
pub(crate) mod mock {
    use std::sync::{Arc, Mutex};

    use axum::body::Bytes;
    use axum::http::{HeaderMap, Method, StatusCode, Uri};

    #[derive(Clone, Debug)]
    pub struct Seen {
        pub method: String,
        pub path_and_query: String,
        pub headers: HeaderMap,
        pub body: String,
    }

    pub type Responder = Arc<dyn Fn(&Seen) -> (u16, String) + Send + Sync>;

    pub struct MockServer {
        pub base_url: String,
        pub seen: Arc<Mutex<Vec<Seen>>>,
    }

    impl MockServer {
        pub async fn start(respond: Responder) -> Self {
            let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
            let log = seen.clone();
            let app = axum::Router::new().fallback(
                move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                    let log = log.clone();
                    let respond = respond.clone();
                    async move {
                        let request = Seen {
                            method: method.to_string(),
                            path_and_query: uri
                                .path_and_query()
                                .map(|p| p.to_string())
                                .unwrap_or_default(),
                            headers,
                            body: String::from_utf8_lossy(&body).into_owned(),
                        };
                        let (status, body) = respond(&request);
                        log.lock().unwrap().push(request);
                        (
                            StatusCode::from_u16(status).unwrap(),
                            [("content-type", "application/json")],
                            body,
                        )
                    }
                },
            );
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            tokio::spawn(async move {
                let _ = axum::serve(listener, app).await;
            });
            Self {
                base_url: format!("http://{addr}"),
                seen: seen.clone(),
            }
        }

        pub fn requests(&self) -> Vec<Seen> {
            self.seen.lock().unwrap().clone()
        }
    }

    pub fn config(
        kind: crate::panel::PanelKind,
        base_url: &str,
        credentials: crate::backends::Credentials,
    ) -> crate::backends::BackendConfig {
        crate::backends::BackendConfig {
            kind,
            endpoint: base_url.to_owned(),
            credentials,
            insecure: false,
            ca_cert_pem: None,
            request_timeout: std::time::Duration::from_secs(5),
            max_concurrent_requests: 4,
        }
    }
}
