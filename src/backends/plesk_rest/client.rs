//! Raw HTTP for the Plesk REST API v2 (`{endpoint}/api/v2/...`): authentication
//! (`X-API-Key` or Basic), the request limiter and the retry policy for reads.
//!
//! Until the shared `backends::http` module is merged, the small transport pieces both
//! of this helper's backends need (client builder, limiter, retry of idempotent reads,
//! secret redaction, the per-owner single-flight list cache) live here as `pub(crate)`
//! items; PanelAlpha's client reuses them.

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, RETRY_AFTER};
use reqwest::Method;
use serde::de::DeserializeOwned;
use tokio::sync::{OnceCell, Semaphore};

use super::error::{parse_error, FieldMap};
use crate::backends::{BackendConfig, Credentials};
use crate::panel::{PanelError, PanelResult};

/// Tries for an idempotent read (the first one included).
const MAX_READ_TRIES: u32 = 3;
/// A panel's `Retry-After` is honoured up to this long; beyond it we give up sooner
/// rather than stall a Terraform run.
const RETRY_AFTER_CAP: Duration = Duration::from_secs(5);
const BASE_BACKOFF: Duration = Duration::from_millis(200);

/// How requests authenticate. Values are marked sensitive so they never show in
/// reqwest's own Debug output.
#[derive(Clone)]
pub(crate) enum AuthHeader {
    Basic { login: String, password: String },
    Header { name: &'static str, value: String },
    Bearer(String),
}

/// One request, relative to the backend's API base.
pub(crate) struct HttpRequest {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub headers: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
}

impl HttpRequest {
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

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(body);
        self
    }
}

/// What came back: status and raw body (the caller decides what is an error).
pub(crate) struct HttpResponse {
    pub status: u16,
    pub body: String,
}

impl HttpResponse {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// reqwest client + limiter + base URL, shared by every request of one backend.
pub(crate) struct HttpCore {
    client: reqwest::Client,
    limiter: Arc<Semaphore>,
    base: String,
    auth: AuthHeader,
}

impl std::fmt::Debug for HttpCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpCore")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl HttpCore {
    /// `api_prefix` is appended to the configured endpoint (e.g. `/api/v2`).
    pub fn new(config: &BackendConfig, api_prefix: &str, auth: AuthHeader) -> PanelResult<Self> {
        let mut builder = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(30)))
            .redirect(reqwest::redirect::Policy::none())
            .tls_danger_accept_invalid_certs(config.insecure);
        if let Some(pem) = &config.ca_cert_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| {
                PanelError::invalid(
                    Some("ca_cert_pem"),
                    format!("cannot read the CA certificate: {e}"),
                )
            })?;
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| PanelError::transport(format!("cannot build the HTTP client: {e}")))?;
        let base = format!("{}{}", config.endpoint.trim_end_matches('/'), api_prefix);
        Ok(Self {
            client,
            limiter: Arc::new(Semaphore::new(config.max_concurrent_requests.max(1))),
            base,
            auth,
        })
    }

    /// Send `request`. Only GETs are retried (429 honouring `Retry-After`, 502/503/504,
    /// connection failures); anything that may change state goes out exactly once.
    pub async fn send(&self, request: &HttpRequest) -> PanelResult<HttpResponse> {
        let idempotent = request.method == Method::GET;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.send_once(request).await;
            let may_retry = idempotent && attempt < MAX_READ_TRIES;
            match outcome {
                Ok((response, retry_after)) => {
                    let retryable = matches!(response.status, 429 | 502 | 503 | 504);
                    if !(may_retry && retryable) {
                        return Ok(response);
                    }
                    let wait = retry_after
                        .map(|d| d.min(RETRY_AFTER_CAP))
                        .unwrap_or_else(|| backoff(attempt));
                    tokio::time::sleep(wait).await;
                }
                Err((error, connect_failed)) => {
                    if !(may_retry && connect_failed) {
                        return Err(error);
                    }
                    tokio::time::sleep(backoff(attempt)).await;
                }
            }
        }
    }

    async fn send_once(
        &self,
        request: &HttpRequest,
    ) -> Result<(HttpResponse, Option<Duration>), (PanelError, bool)> {
        let _permit = self.limiter.acquire().await.map_err(|_| {
            (
                PanelError::transport("the request limiter was closed"),
                false,
            )
        })?;
        let mut url = url::Url::parse(&format!(
            "{}/{}",
            self.base,
            request.path.trim_start_matches('/')
        ))
        .map_err(|e| {
            (
                PanelError::invalid(Some("endpoint"), format!("invalid panel URL: {e}")),
                false,
            )
        })?;
        if !request.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut builder = self
            .client
            .request(request.method.clone(), url)
            .headers(self.headers(request)?);
        if let Some(body) = &request.body {
            builder = builder.json(body);
        }
        let response = builder.send().await.map_err(|e| {
            let kind = if e.is_timeout() {
                "timed out"
            } else {
                "failed"
            };
            let connect_failed = e.is_connect();
            (
                PanelError::transport(format!(
                    "{} {} {kind}: {}",
                    request.method,
                    request.path,
                    e.without_url()
                )),
                connect_failed,
            )
        })?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response.text().await.map_err(|e| {
            (
                PanelError::transport(format!(
                    "{} {}: reading the answer failed: {}",
                    request.method,
                    request.path,
                    e.without_url()
                )),
                false,
            )
        })?;
        Ok((HttpResponse { status, body }, retry_after))
    }

    fn headers(&self, request: &HttpRequest) -> Result<HeaderMap, (PanelError, bool)> {
        let bad = |what: &str| {
            (
                PanelError::invalid(None, format!("{what} is not a valid HTTP header value")),
                false,
            )
        };
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        let (name, mut value) = match &self.auth {
            AuthHeader::Basic { login, password } => {
                use base64::Engine as _;
                let token =
                    base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"));
                (
                    AUTHORIZATION,
                    HeaderValue::from_str(&format!("Basic {token}"))
                        .map_err(|_| bad("the login"))?,
                )
            }
            AuthHeader::Header { name, value } => (
                HeaderName::from_static(name),
                HeaderValue::from_str(value).map_err(|_| bad("the API key"))?,
            ),
            AuthHeader::Bearer(token) => (
                AUTHORIZATION,
                HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| bad("the token"))?,
            ),
        };
        value.set_sensitive(true);
        headers.insert(name, value);
        for (name, value) in &request.headers {
            let value = HeaderValue::from_str(value).map_err(|_| bad(name))?;
            headers.insert(HeaderName::from_static(name), value);
        }
        Ok(headers)
    }
}

fn backoff(attempt: u32) -> Duration {
    BASE_BACKOFF * 2u32.saturating_pow(attempt.saturating_sub(1))
}

/// Replace every secret occurring in `text` (panels sometimes echo request values).
pub(crate) fn redact(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret, "<redacted>");
    }
    out
}

/// Per-key cache of list answers with single flight: concurrent readers of one key
/// share one request; a mutation through the backend drops the key. A fetch that
/// finishes after its key was dropped lands in an orphaned cell, so it can never
/// serve stale data to later readers.
pub(crate) struct ListCache<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceCell<Arc<V>>>>>,
}

impl<K: Eq + Hash + Clone, V> Default for ListCache<K, V> {
    fn default() -> Self {
        Self {
            cells: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash + Clone, V> ListCache<K, V> {
    pub async fn get_or_fetch<F, Fut>(&self, key: &K, fetch: F) -> PanelResult<Arc<V>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = PanelResult<V>>,
    {
        let cell = {
            let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
            cells.entry(key.clone()).or_default().clone()
        };
        cell.get_or_try_init(|| async { fetch().await.map(Arc::new) })
            .await
            .cloned()
    }

    pub fn invalidate(&self, key: &K) {
        self.cells
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    pub fn clear(&self) {
        self.cells.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// Decode a JSON success body, naming the call on failure.
pub(crate) fn decode<T: DeserializeOwned>(what: &str, body: &str) -> PanelResult<T> {
    serde_json::from_str(body)
        .map_err(|e| PanelError::protocol(format!("{what}: unexpected answer: {e}")))
}

/// The Plesk REST client proper: auth from the credentials, errors through
/// [`parse_error`].
#[derive(Debug)]
pub struct PleskRestClient {
    http: HttpCore,
}

impl PleskRestClient {
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        let auth = match &config.credentials {
            Credentials::ApiKey(key) => AuthHeader::Header {
                name: "x-api-key",
                value: key.expose().to_owned(),
            },
            Credentials::LoginPassword { login, password } => AuthHeader::Basic {
                login: login.clone(),
                password: password.expose().to_owned(),
            },
            _ => {
                return Err(PanelError::invalid(
                    Some("credentials"),
                    "plesk_rest needs an api_key or a login and password",
                ))
            }
        };
        Ok(Self {
            http: HttpCore::new(config, "/api/v2", auth)?,
        })
    }

    /// Send and return the success body; a non-2xx answer becomes a typed error
    /// (`fields` maps the panel's field names to the neutral ones, `secrets` are
    /// scrubbed from any text kept).
    pub(crate) async fn call(
        &self,
        request: HttpRequest,
        fields: FieldMap,
        secrets: &[&str],
    ) -> PanelResult<String> {
        let response = self.http.send(&request).await?;
        if response.is_success() {
            Ok(response.body)
        } else {
            Err(parse_error(
                response.status,
                &response.body,
                fields,
                secrets,
            ))
        }
    }

    pub(crate) async fn call_json<T: DeserializeOwned>(
        &self,
        request: HttpRequest,
        fields: FieldMap,
        secrets: &[&str],
    ) -> PanelResult<T> {
        let what = format!("{} {}", request.method, request.path);
        let body = self.call(request, fields, secrets).await?;
        decode(&what, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_removes_every_secret_occurrence() {
        let text = redact(
            "password 's3cret' rejected: s3cret is weak",
            &["s3cret", ""],
        );
        assert_eq!(text, "password '<redacted>' rejected: <redacted> is weak");
    }

    #[test]
    fn backoff_grows() {
        assert!(backoff(2) > backoff(1));
    }

    #[tokio::test]
    async fn list_cache_single_flight_and_invalidation() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let cache: ListCache<u32, Vec<u32>> = ListCache::default();
        let calls = AtomicUsize::new(0);
        let fetch = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            Ok(vec![1, 2])
        };
        let (a, b) = tokio::join!(cache.get_or_fetch(&7, fetch), cache.get_or_fetch(&7, fetch));
        assert_eq!(a.ok().map(|v| v.len()), Some(2));
        assert_eq!(b.ok().map(|v| v.len()), Some(2));
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "concurrent readers share one fetch"
        );
        cache.invalidate(&7);
        let _ = cache.get_or_fetch(&7, fetch).await;
        assert_eq!(
            calls.load(Ordering::SeqCst),
            2,
            "invalidation forces a new fetch"
        );
    }

    #[tokio::test]
    async fn list_cache_does_not_keep_failures() {
        let cache: ListCache<u32, u32> = ListCache::default();
        let failed = cache
            .get_or_fetch(&1, || async { Err(PanelError::transport("down")) })
            .await;
        assert!(failed.is_err());
        let ok = cache.get_or_fetch(&1, || async { Ok(5) }).await;
        assert_eq!(ok.ok().as_deref(), Some(&5));
    }
}
