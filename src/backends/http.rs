//! HTTP plumbing shared by every backend: the reqwest client built from a
//! [`BackendConfig`] (TLS, timeouts), the per-panel request limiter, the retry policy
//! for idempotent calls, secret redaction for error text, domain-name normalisation,
//! and the per-owner single-flight list cache that keeps refreshes cheap on panels
//! that can only list.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use tokio::sync::{OnceCell, Semaphore};

use super::{BackendConfig, Credentials};
use crate::panel::{PanelError, PanelErrorKind, PanelResult};

/// Bodies larger than this are refused: no panel answer we use comes near it, and a
/// misbehaving endpoint must not exhaust the provider's memory.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Whether a call may be repeated without changing the panel's state. Only
/// idempotent calls are ever retried (a create that timed out may have happened).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idempotency {
    Idempotent,
    NonIdempotent,
}

/// When to try an idempotent call again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total tries, the first one included.
    pub max_tries: u32,
    /// Wait before the second try; doubles for each further try.
    pub initial_backoff: Duration,
    /// Upper bound for any wait, including a panel's `Retry-After`.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_tries: 3,
            initial_backoff: Duration::from_millis(250),
            max_wait: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Statuses where the panel (or a proxy in front of it) says "not now".
    pub fn is_retryable_status(status: u16) -> bool {
        matches!(status, 429 | 502 | 503 | 504)
    }

    fn backoff(&self, failed_tries: u32) -> Duration {
        let factor = 1u32 << failed_tries.saturating_sub(1).min(16);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_wait)
    }

    /// How long to wait before the next try: the panel's `Retry-After` (seconds) when
    /// given, capped, else exponential backoff.
    fn wait_before_retry(&self, failed_tries: u32, headers: Option<&HeaderMap>) -> Duration {
        let asked = headers
            .and_then(|h| h.get(RETRY_AFTER))
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        match asked {
            Some(wait) => wait.min(self.max_wait),
            // An HTTP-date Retry-After is rare on panels; plain backoff is close enough.
            None => self.backoff(failed_tries),
        }
    }
}

/// A complete answer: status, headers and the body decoded as UTF-8 (lossily: panels
/// sometimes emit Latin-1 in error text, which must not turn into a protocol error).
#[derive(Clone, Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// The reqwest client plus the limiter and retry policy for one panel.
#[derive(Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    limiter: Arc<Semaphore>,
    retry: RetryPolicy,
    /// Credential values scrubbed from any text that leaves this module.
    secrets: Arc<Vec<String>>,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("max_concurrent", &self.limiter.available_permits())
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// Builds the client: TLS verification on unless `insecure`, extra roots from
    /// `ca_cert_pem`, the request timeout, and a limiter of `max_concurrent_requests`.
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        let mut builder = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(30)))
            .user_agent(concat!(
                "terraform-provider-panel/",
                env!("CARGO_PKG_VERSION")
            ));
        if config.insecure {
            builder = builder.tls_danger_accept_invalid_certs(true);
        }
        if let Some(pem) = config.ca_cert_pem.as_deref() {
            let certs = reqwest::Certificate::from_pem_bundle(pem.as_bytes()).map_err(|e| {
                PanelError::invalid(
                    Some("ca_cert_pem"),
                    format!("ca_cert_pem is not a valid PEM certificate bundle: {e}"),
                )
            })?;
            if certs.is_empty() {
                return Err(PanelError::invalid(
                    Some("ca_cert_pem"),
                    "ca_cert_pem holds no certificate",
                ));
            }
            builder = builder.tls_certs_merge(certs);
        }
        let client = builder.build().map_err(|e| {
            PanelError::transport(format!("cannot build the HTTP client: {}", error_chain(&e)))
        })?;
        Ok(Self {
            client,
            limiter: Arc::new(Semaphore::new(config.max_concurrent_requests.max(1))),
            retry: RetryPolicy::default(),
            secrets: Arc::new(credential_secrets(&config.credentials)),
        })
    }

    /// Replaces the retry policy (tests use short waits).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends one request built by `build` (called again for each retry) and reads the
    /// whole body, holding a limiter permit for the duration. Idempotent calls are
    /// retried on 429/502/503/504 and on connect errors or timeouts; the last answer is
    /// returned as is, so the backend's own error mapping sees the final status.
    pub async fn send<F>(&self, idempotency: Idempotency, build: F) -> PanelResult<HttpResponse>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let mut failed_tries = 0u32;
        loop {
            let outcome = self.send_once(&build).await;
            failed_tries += 1;
            let may_retry =
                idempotency == Idempotency::Idempotent && failed_tries < self.retry.max_tries;
            match outcome {
                Ok(response) => {
                    if may_retry && RetryPolicy::is_retryable_status(response.status) {
                        let wait = self
                            .retry
                            .wait_before_retry(failed_tries, Some(&response.headers));
                        tracing::debug!(status = response.status, ?wait, "retrying panel read");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Ok(response);
                }
                Err(SendFailure::Retryable(error)) if may_retry => {
                    let wait = self.retry.wait_before_retry(failed_tries, None);
                    tracing::debug!(error = %error, ?wait, "retrying panel read");
                    tokio::time::sleep(wait).await;
                }
                Err(SendFailure::Retryable(error) | SendFailure::Final(error)) => {
                    return Err(error)
                }
            }
        }
    }

    async fn send_once<F>(&self, build: &F) -> Result<HttpResponse, SendFailure>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        // The semaphore is never closed, so acquire only fails if it were; treat that
        // as a transport failure rather than panicking.
        let _permit = self.limiter.acquire().await.map_err(|_| {
            SendFailure::Final(PanelError::transport("the request limiter was closed"))
        })?;
        let mut response = build(&self.client)
            .send()
            .await
            .map_err(|e| self.classify(&e))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.classify(&e))? {
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(SendFailure::Final(PanelError::protocol(format!(
                    "the panel's answer is larger than {MAX_BODY_BYTES} bytes"
                ))));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }

    fn classify(&self, error: &reqwest::Error) -> SendFailure {
        let text = self.redact(&error_chain(error));
        if error.is_timeout() {
            SendFailure::Retryable(PanelError::new(
                PanelErrorKind::Temporary,
                format!("the panel did not answer in time: {text}"),
            ))
        } else if error.is_connect() {
            // The request never reached the panel: nothing can have changed there.
            SendFailure::Retryable(
                PanelError::transport(format!("cannot connect to the panel: {text}"))
                    .nothing_done(),
            )
        } else {
            SendFailure::Final(PanelError::transport(format!(
                "request to the panel failed: {text}"
            )))
        }
    }

    /// Scrubs the configured credentials from `text`.
    pub fn redact(&self, text: &str) -> String {
        redact_secrets(text, self.secrets.iter().map(String::as_str))
    }
}

enum SendFailure {
    Retryable(PanelError),
    Final(PanelError),
}

/// A reqwest error and its sources on one line, without the URL (URLs may carry
/// query-string credentials on some panels; ours do not, but nothing is lost).
fn error_chain(error: &reqwest::Error) -> String {
    let mut text = String::new();
    let mut current: Option<&dyn std::error::Error> = Some(error);
    while let Some(err) = current {
        let part = err.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        current = err.source();
    }
    text
}

fn credential_secrets(credentials: &Credentials) -> Vec<String> {
    let values = match credentials {
        Credentials::LoginPassword { password, .. } => vec![password.expose()],
        Credentials::ApiKey(secret)
        | Credentials::SecretKey(secret)
        | Credentials::Token(secret) => {
            vec![secret.expose()]
        }
        Credentials::AccessKey { secret_key, .. } => vec![secret_key.expose()],
    };
    values
        .into_iter()
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Replaces every occurrence of each non-empty secret with `<redacted>`.
pub fn redact_secrets<'a>(text: &str, secrets: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        // One- and two-character "secrets" would shred ordinary text; passwords that
        // short are refused by every panel anyway.
        if secret.len() >= 3 && out.contains(secret) {
            out = out.replace(secret, "<redacted>");
        }
    }
    out
}

/// The kind a bare HTTP status implies, for answers a backend could not parse further.
pub fn kind_for_status(status: u16) -> PanelErrorKind {
    match status {
        401 | 403 => PanelErrorKind::Auth,
        404 | 410 => PanelErrorKind::NotFound,
        409 => PanelErrorKind::AlreadyExists,
        400 | 422 => PanelErrorKind::InvalidInput { field: None },
        429 => PanelErrorKind::RateLimited,
        500..=599 | 408 => PanelErrorKind::Temporary,
        _ => PanelErrorKind::Protocol,
    }
}

/// Normalises a domain name the way every backend sends and compares it: trimmed,
/// without a trailing dot, IDN labels as punycode, lowercase ASCII.
pub fn normalize_domain(name: &str) -> PanelResult<String> {
    let trimmed = name.trim().trim_end_matches('.');
    if trimmed.is_empty() {
        return Err(PanelError::invalid(
            Some("name"),
            "the domain name is empty",
        ));
    }
    let ascii = idna::domain_to_ascii(trimmed).map_err(|_| {
        PanelError::invalid(
            Some("name"),
            format!("{trimmed:?} is not a valid domain name"),
        )
    })?;
    Ok(ascii.to_ascii_lowercase())
}

type Slot<T> = Arc<OnceCell<Result<Arc<T>, PanelError>>>;

/// One cached list per owner, loaded at most once per provider process no matter how
/// many resources read it, until a mutation for that owner invalidates it.
///
/// Concurrent readers of the same owner share one in-flight request (single-flight);
/// a failed load is shared by the readers that waited for it but not cached beyond
/// them, so the next reader tries again.
pub struct OwnerListCache<T> {
    slots: Mutex<HashMap<String, Slot<T>>>,
}

impl<T> Default for OwnerListCache<T> {
    fn default() -> Self {
        Self {
            slots: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> std::fmt::Debug for OwnerListCache<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let owners = self.slots.lock().map(|s| s.len()).unwrap_or(0);
        f.debug_struct("OwnerListCache")
            .field("owners", &owners)
            .finish()
    }
}

impl<T> OwnerListCache<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// The cached list for `owner`, or the result of `load` (run once for all
    /// concurrent callers).
    pub async fn get_or_load<F, Fut>(&self, owner: &str, load: F) -> PanelResult<Arc<T>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = PanelResult<T>>,
    {
        let slot = self.slot(owner);
        let result = slot
            .get_or_init(|| async move { load().await.map(Arc::new) })
            .await;
        result.clone()
    }

    /// Forgets `owner`'s list; the next read loads it again. Readers already waiting
    /// on an older load keep that answer, which was current when they asked.
    pub fn invalidate(&self, owner: &str) {
        if let Ok(mut slots) = self.slots.lock() {
            slots.remove(owner);
        }
    }

    pub fn invalidate_all(&self) {
        if let Ok(mut slots) = self.slots.lock() {
            slots.clear();
        }
    }

    fn slot(&self, owner: &str) -> Slot<T> {
        let mut slots = match self.slots.lock() {
            Ok(slots) => slots,
            // A panic while holding this lock cannot leave the map inconsistent
            // (insert/remove only), so keep using it.
            Err(poisoned) => poisoned.into_inner(),
        };
        let stale = matches!(slots.get(owner).and_then(|s| s.get()), Some(Err(_)));
        if stale {
            slots.remove(owner);
        }
        slots
            .entry(owner.to_owned())
            .or_insert_with(|| Arc::new(OnceCell::new()))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::{PanelKind, Secret};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    fn config(endpoint: String) -> BackendConfig {
        BackendConfig {
            kind: PanelKind::Hestia,
            endpoint,
            credentials: Credentials::LoginPassword {
                login: "admin".into(),
                password: Secret::new("hunter22"),
            },
            insecure: false,
            ca_cert_pem: None,
            request_timeout: Duration::from_secs(5),
            max_concurrent_requests: 2,
        }
    }

    /// A server that answers the n-th request with `statuses[n]` (the last one
    /// repeats) and counts requests.
    async fn scripted_server(statuses: Vec<u16>) -> (String, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let status = statuses[n.min(statuses.len() - 1)];
                let mut buf = vec![0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let body = format!("answer {n}");
                let reply = format!(
                    "HTTP/1.1 {status} X\r\nRetry-After: 0\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(reply.as_bytes()).await;
            }
        });
        (format!("http://{addr}"), hits)
    }

    fn fast(transport: HttpTransport) -> HttpTransport {
        transport.with_retry_policy(RetryPolicy {
            max_tries: 3,
            initial_backoff: Duration::from_millis(1),
            max_wait: Duration::from_millis(5),
        })
    }

    #[tokio::test]
    async fn idempotent_reads_are_retried_on_503_until_success() {
        let (url, hits) = scripted_server(vec![503, 200]).await;
        let transport = fast(HttpTransport::new(&config(url.clone())).unwrap());
        let response = transport
            .send(Idempotency::Idempotent, |c| c.get(&url))
            .await
            .unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.body, "answer 1");
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn retries_stop_after_three_tries_and_return_the_last_answer() {
        let (url, hits) = scripted_server(vec![429]).await;
        let transport = fast(HttpTransport::new(&config(url.clone())).unwrap());
        let response = transport
            .send(Idempotency::Idempotent, |c| c.get(&url))
            .await
            .unwrap();
        assert_eq!(response.status, 429);
        assert_eq!(hits.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn non_idempotent_calls_are_never_retried() {
        let (url, hits) = scripted_server(vec![503, 200]).await;
        let transport = fast(HttpTransport::new(&config(url.clone())).unwrap());
        let response = transport
            .send(Idempotency::NonIdempotent, |c| c.post(&url))
            .await
            .unwrap();
        assert_eq!(response.status, 503);
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn connection_refused_is_a_transport_error() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let transport = fast(HttpTransport::new(&config(url.clone())).unwrap());
        let error = transport
            .send(Idempotency::Idempotent, |c| c.get(&url))
            .await
            .unwrap_err();
        assert_eq!(error.kind, PanelErrorKind::Transport);
    }

    #[test]
    fn retry_after_is_honoured_but_capped() {
        let policy = RetryPolicy::default();
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(
            policy.wait_before_retry(1, Some(&headers)),
            Duration::from_secs(2)
        );
        headers.insert(RETRY_AFTER, "3600".parse().unwrap());
        assert_eq!(policy.wait_before_retry(1, Some(&headers)), policy.max_wait);
        assert_eq!(
            policy.wait_before_retry(2, None),
            policy.initial_backoff * 2
        );
    }

    #[test]
    fn invalid_ca_pem_is_reported_on_its_field() {
        let mut cfg = config("http://127.0.0.1:1".into());
        cfg.ca_cert_pem = Some("not a certificate".into());
        let error = HttpTransport::new(&cfg).unwrap_err();
        assert_eq!(
            error.kind,
            PanelErrorKind::InvalidInput {
                field: Some("ca_cert_pem".into())
            }
        );
    }

    #[test]
    fn secrets_are_redacted_from_text() {
        let transport = HttpTransport::new(&config("http://127.0.0.1:1".into())).unwrap();
        assert_eq!(
            transport.redact("login failed for admin:hunter22"),
            "login failed for admin:<redacted>"
        );
        assert_eq!(redact_secrets("pw=abc", ["abc", ""]), "pw=<redacted>");
    }

    #[test]
    fn domains_are_normalised_to_lowercase_punycode() {
        assert_eq!(normalize_domain("Example.COM.").unwrap(), "example.com");
        assert_eq!(
            normalize_domain("bücher.example").unwrap(),
            "xn--bcher-kva.example"
        );
        assert!(normalize_domain("  ").is_err());
    }

    #[tokio::test]
    async fn concurrent_readers_share_one_load_and_invalidate_forces_another() {
        let cache: Arc<OwnerListCache<Vec<u32>>> = Arc::new(OwnerListCache::new());
        let loads = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let cache = cache.clone();
            let loads = loads.clone();
            tasks.push(tokio::spawn(async move {
                cache
                    .get_or_load("demo", || async {
                        loads.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok(vec![1, 2])
                    })
                    .await
            }));
        }
        for task in tasks {
            assert_eq!(*task.await.unwrap().unwrap(), vec![1, 2]);
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);

        cache.invalidate("demo");
        let again = cache
            .get_or_load("demo", || async {
                loads.fetch_add(1, Ordering::SeqCst);
                Ok(vec![3])
            })
            .await
            .unwrap();
        assert_eq!(*again, vec![3]);
        assert_eq!(loads.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_failed_load_is_not_cached_for_later_readers() {
        let cache: OwnerListCache<u32> = OwnerListCache::new();
        let first = cache
            .get_or_load("demo", || async { Err(PanelError::transport("down")) })
            .await;
        assert!(first.is_err());
        let second = cache.get_or_load("demo", || async { Ok(7) }).await.unwrap();
        assert_eq!(*second, 7);
    }
}
