//! Conventions shared by the two JSON REST backends (Plesk REST v2 and PanelAlpha), on
//! top of the transport in [`super::http`]: a request description relative to the API
//! base, the authentication header, the check that an answer is the panel's JSON (and
//! not a proxy's page), lenient JSON ids, and the error-text heuristics both use to
//! tell a collision and the offending field from a panel's message.

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use super::http::{not_the_api, scrub, Call, HttpResponse, HttpTransport, Idempotency, Redactor};
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

    /// Only GETs may be repeated without thought: every other method may change the
    /// panel.
    pub fn idempotency(&self) -> Idempotency {
        if self.method == Method::GET {
            Idempotency::Idempotent
        } else {
            Idempotency::NonIdempotent
        }
    }

    /// The string values of password-like fields in the body (`password`,
    /// `ftp_password`, `new_password`, ...), to redact from this request's errors and
    /// logs even when the caller did not name them.
    pub fn body_secrets(&self) -> Vec<&str> {
        fn collect<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
            match value {
                Value::Object(map) => {
                    for (key, value) in map {
                        let key = key.to_ascii_lowercase();
                        let secret_key = ["password", "passwd", "secret", "token"]
                            .iter()
                            .any(|word| key.contains(word));
                        match value {
                            Value::String(text) if secret_key => out.push(text),
                            other => collect(other, out),
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(|item| collect(item, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        if let Some(body) = &self.body {
            collect(body, &mut out);
        }
        out
    }
}

/// One finished request: the final answer plus what its errors need (its name, its
/// redactor).
#[derive(Debug)]
pub struct RestAnswer {
    pub response: HttpResponse,
    pub what: String,
    pub redactor: Redactor,
}

impl RestAnswer {
    pub fn status(&self) -> u16 {
        self.response.status
    }

    pub fn is_success(&self) -> bool {
        self.response.is_success()
    }

    pub fn body(&self) -> &str {
        &self.response.body
    }

    pub fn call(&self) -> Call<'_> {
        Call {
            operation: &self.what,
            idempotency: self.response.idempotency,
            redactor: &self.redactor,
        }
    }

    /// `error` as it leaves the backend: scrubbed of this request's secrets, with what
    /// was tried and whether the panel changed anything.
    pub fn fail(&self, error: PanelError) -> PanelError {
        self.response.explain(scrub(&self.redactor, error))
    }

    /// The error for an answer that is not `panel`'s API answer.
    pub fn not_the_api(&self, panel: &str, expected: &str) -> PanelError {
        self.fail(not_the_api(panel, &self.call(), &self.response, expected))
    }

    /// A success answer's JSON: an object or a list, with a JSON (or no) content
    /// type. `empty_ok` accepts an empty body (as `Null`) on any 2xx; a 204 is always
    /// empty. Anything else (an HTML login page, truncated JSON, a bare string) is
    /// not the panel's answer and an error, so that e.g. a delete counts as done only
    /// when the panel said so.
    pub fn json(&self, panel: &str, empty_ok: bool) -> PanelResult<Value> {
        let response = &self.response;
        if response.body.trim().is_empty() && (response.status == 204 || empty_ok) {
            return Ok(Value::Null);
        }
        let typed_json = response.media_type().is_none() || response.says_json();
        match serde_json::from_str::<Value>(&response.body) {
            Ok(value @ (Value::Object(_) | Value::Array(_))) if typed_json => Ok(value),
            _ => Err(self.not_the_api(panel, "a JSON object or list")),
        }
    }

    /// A failure answer's JSON error object, when the body is one: an object with a
    /// `message` string, the shape both REST panels document. `None` means whatever
    /// answered was not the panel's API (or not its error format), so its status must
    /// not be taken at its word.
    pub fn error_object(&self) -> Option<serde_json::Map<String, Value>> {
        match serde_json::from_str::<Value>(&self.response.body) {
            Ok(Value::Object(map)) if map.get("message").is_some_and(Value::is_string) => Some(map),
            _ => None,
        }
    }

    /// Decodes a success answer's JSON into `T`, naming the call on failure.
    pub fn decode<T: DeserializeOwned>(&self, panel: &str, value: Value) -> PanelResult<T> {
        serde_json::from_value(value).map_err(|e| {
            self.fail(PanelError::protocol(format!(
                "{}: {panel} answered JSON of another shape than expected: {e}",
                self.what
            )))
        })
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

    /// Sends `request`. `secrets` (new passwords) are redacted from everything about
    /// this request, as are password-like fields of its body. The caller decides what
    /// the final answer means, through [`RestAnswer`]'s checks.
    pub async fn send(&self, request: &RestRequest, secrets: &[&str]) -> PanelResult<RestAnswer> {
        let redactor = self
            .transport
            .redactor(secrets.iter().copied().chain(request.body_secrets()));
        let what = request.describe();
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
        let call = Call {
            operation: &what,
            idempotency: request.idempotency(),
            redactor: &redactor,
        };
        let response = self
            .transport
            .send(&call, |client| {
                let builder = client
                    .request(request.method.clone(), url.clone())
                    .headers(headers.clone());
                match &request.body {
                    Some(body) => builder.json(body),
                    None => builder,
                }
            })
            .await?;
        Ok(RestAnswer {
            response,
            what,
            redactor,
        })
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
    fn password_like_body_fields_are_secrets() {
        let request = RestRequest::new(Method::POST, "clients").json(serde_json::json!({
            "login": "bob",
            "password": "pw-one",
            "hosting_settings": {"ftp_login": "f", "ftp_password": "pw-two"},
            "users": [{"Passwd": "pw-three"}],
            "token_count": 3
        }));
        assert_eq!(request.body_secrets(), ["pw-one", "pw-two", "pw-three"]);
        assert!(RestRequest::get("x").body_secrets().is_empty());
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
            terraform_version: None,
        }
    }
}
