//! HTTP plumbing shared by every backend: the reqwest client built from a
//! [`BackendConfig`] (TLS, timeouts, no redirects, User-Agent), the per-panel request
//! limiter, the retry policy and its time budget, the effect of each failure
//! ([`Effect`]), redaction of every text that leaves ([`Redactor`]), one DEBUG log line
//! per panel request, domain-name normalisation, and the per-owner single-flight list
//! cache that keeps refreshes cheap on panels that can only list.
//!
//! Rules (DESIGN.md, "Rules on retries"):
//! - Redirects are never followed: a 3xx is an error naming its `Location`, so no
//!   credential or password ever goes to an address other than the configured one.
//! - One call (all its tries and waits) gets one `request_timeout`; a silent panel fails
//!   after one timeout, not three.
//! - Any call is tried again when the panel certainly did nothing: a 429, or a
//!   connection that could not be opened. Idempotent calls are also tried again after
//!   502/503/504 and after a connection that was reset or closed before the answer was
//!   complete. 500 is not retried: none of the four panels documents a transient 500
//!   (HestiaCP's 500 is PHP failing, Plesk's and PanelAlpha's an unhandled exception).
//! - At most [`RetryPolicy::max_tries`] tries, with jittered exponential backoff or the
//!   panel's `Retry-After` (capped), and only while the budget has room for the wait.
//! - A backend may name other answers that mean "too busy, nothing done" (HestiaCP's
//!   exit code 14, E_LA, behind an HTTP 400): they are tried again like a 429
//!   ([`HttpTransport::with_busy_signal`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, CONTENT_TYPE, LOCATION, RETRY_AFTER};
use tokio::sync::OnceCell;

use super::limit::{Load, RequestLimit};
use super::{BackendConfig, Credentials};
use crate::panel::{Effect, PanelError, PanelErrorKind, PanelKind, PanelResult};
pub use crate::redact::Redactor;

/// Bodies larger than this are refused: no panel answer we use comes near it, and a
/// misbehaving endpoint must not exhaust the provider's memory.
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// What log lines show in place of a secret (as the log layer does).
const LOG_MARKER: &str = "***";

/// How much of a body a TRACE log line shows.
const LOGGED_BODY_CHARS: usize = 16 * 1024;

/// How much of an answer an error quotes.
const QUOTED_CHARS: usize = 200;

/// Longest message or panel message an error keeps (a hostile panel must not be able
/// to fill a diagnostic with megabytes).
const MAX_ERROR_CHARS: usize = 4 * 1024;

/// Whether a call may be repeated without changing the panel's state beyond what one
/// call would. Only idempotent calls are tried again after an answer was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idempotency {
    Idempotent,
    NonIdempotent,
}

/// How often and how long to try again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total tries, the first one included.
    pub max_tries: u32,
    /// Wait before the second try; doubles for each further try, then jittered down
    /// by up to half so that parallel callers do not retry in step.
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
    /// Whether an answer with `status` is worth another try of a call.
    pub fn is_retryable_status(status: u16, idempotency: Idempotency) -> bool {
        match status {
            // The panel (or its rate limiter) refused before doing anything.
            429 => true,
            // A proxy or the panel itself is restarting or overloaded; the request may
            // have reached the panel, so only calls that may repeat are tried again.
            502..=504 => idempotency == Idempotency::Idempotent,
            _ => false,
        }
    }

    /// Exponential backoff before try `failed_tries + 1`, jittered into its upper half.
    fn backoff(&self, failed_tries: u32) -> Duration {
        let factor = 1u32 << failed_tries.saturating_sub(1).min(16);
        let full = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_wait);
        full.mul_f64(0.5 + rand::random::<f64>() / 2.0)
    }

    /// How long to wait before the next try: the panel's `Retry-After` (seconds or an
    /// HTTP date) when given, capped, else jittered backoff.
    fn wait_before_retry(&self, failed_tries: u32, headers: Option<&HeaderMap>) -> Duration {
        match headers.and_then(retry_after) {
            Some(wait) => wait.min(self.max_wait),
            None => self.backoff(failed_tries),
        }
    }
}

/// The wait a `Retry-After` header asks for.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = when.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

/// One call to the panel, as the transport needs to know it: what to name it in logs
/// and errors, whether it may be repeated, and which secrets its text may contain.
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    /// The panel's own name of the call: a Hestia command (`v-add-user`), Plesk XML
    /// operations (`customer/add`), or `METHOD path` for REST.
    pub operation: &'a str,
    pub idempotency: Idempotency,
    /// The configured credentials plus this request's own secrets (new passwords).
    pub redactor: &'a Redactor,
}

/// A complete answer: status, headers and the body decoded as UTF-8 (lossily: panels
/// sometimes emit Latin-1 in error text, which must not turn into a protocol error),
/// plus what it took to get it.
#[derive(Clone, Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
    /// What the earlier tries of this call met, oldest first (`HTTP 503`, ...).
    pub earlier_tries: Vec<String>,
    /// From the first try to the end of this answer.
    pub elapsed: Duration,
    pub idempotency: Idempotency,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The media type, lowercase, without parameters (`application/json`).
    pub fn media_type(&self) -> Option<String> {
        let value = self.headers.get(CONTENT_TYPE)?.to_str().ok()?;
        let media = value.split(';').next().unwrap_or_default().trim();
        (!media.is_empty()).then(|| media.to_ascii_lowercase())
    }

    /// Whether the answer says it is JSON (`application/json`, `application/*+json`).
    pub fn says_json(&self) -> bool {
        self.media_type()
            .is_some_and(|m| m == "application/json" || m.ends_with("+json"))
    }

    /// `error`, built from this answer, with what was tried and whether the panel
    /// changed anything.
    pub fn explain(&self, error: PanelError) -> PanelError {
        let mut tries: Vec<String> = self.earlier_tries.clone();
        tries.push(format!("HTTP {}", self.status));
        annotate(error, &tries, self.elapsed, self.idempotency)
    }
}

/// Appends to `error` what was tried (when more than once) and what is known about
/// the panel's state afterwards.
fn annotate(
    mut error: PanelError,
    tries: &[String],
    elapsed: Duration,
    idempotency: Idempotency,
) -> PanelError {
    if tries.len() > 1 {
        error.message.push_str(&format!(
            " ({} tries in {:.1} s: {})",
            tries.len(),
            elapsed.as_secs_f64(),
            tries.join(", ")
        ));
    }
    let worth_saying = tries.len() > 1
        || matches!(
            error.kind,
            PanelErrorKind::RateLimited
                | PanelErrorKind::Temporary
                | PanelErrorKind::Transport
                | PanelErrorKind::Protocol
        );
    if worth_saying {
        match (error.effect, idempotency) {
            (Effect::None, _) => error.message.push_str("; nothing was changed on the panel"),
            (Effect::Unknown, Idempotency::NonIdempotent) => error
                .message
                .push_str("; the panel may have carried the change out before the answer was lost"),
            (Effect::Unknown, Idempotency::Idempotent) => {}
        }
    }
    error
}

/// `error` with every secret `redactor` knows removed from its texts, which are also
/// cut to a readable length.
pub fn scrub(redactor: &Redactor, mut error: PanelError) -> PanelError {
    error.message = redactor.excerpt(&error.message, MAX_ERROR_CHARS);
    error.panel_message = error
        .panel_message
        .map(|text| redactor.excerpt(&text, MAX_ERROR_CHARS));
    error
}

/// What an answer that is not the panel's API answer looks like, for messages.
pub fn looks_like(response: &HttpResponse) -> &'static str {
    let body = response.body.trim_start();
    let lower: String = body
        .chars()
        .take(64)
        .collect::<String>()
        .to_ascii_lowercase();
    if body.is_empty() {
        "an empty body"
    } else if lower.starts_with("<!doctype html")
        || lower.starts_with("<html")
        || lower.starts_with("<head")
        || lower.starts_with("<body")
        || (response.media_type().as_deref() == Some("text/html") && lower.starts_with('<'))
    {
        "an HTML page (is the endpoint behind a login page or proxy, or is it another web server or port?)"
    } else if lower.starts_with('<') {
        "an XML document of another kind"
    } else if body.starts_with('{') || body.starts_with('[') {
        if serde_json::from_str::<serde_json::Value>(body).is_ok() {
            "JSON of another shape"
        } else {
            "incomplete or malformed JSON (was the answer cut off?)"
        }
    } else {
        "plain text"
    }
}

/// The error for an answer that is not the panel's API answer: its status, what it
/// looked like, and its first bytes (redacted). `expected` says what the panel's answer
/// would have been. The kind follows the status only where that needs no trust in the
/// sender (credentials refused, rate limit, server failure); everything else is a
/// protocol error, so a proxy's 404 page never counts as "the object is gone".
pub fn not_the_api(
    panel: &str,
    call: &Call<'_>,
    response: &HttpResponse,
    expected: &str,
) -> PanelError {
    let kind = match response.status {
        401 | 403 => PanelErrorKind::Auth,
        429 => PanelErrorKind::RateLimited,
        408 | 500 | 502..=599 => PanelErrorKind::Temporary,
        _ => PanelErrorKind::Protocol,
    };
    let refused_in_front = matches!(kind, PanelErrorKind::Auth | PanelErrorKind::RateLimited);
    let quoted = call
        .redactor
        .excerpt(response.body.trim(), QUOTED_CHARS)
        .replace(['\r', '\n'], " ");
    let quote = if quoted.is_empty() {
        String::new()
    } else {
        format!(": {quoted:?}")
    };
    let error = PanelError::new(
        kind,
        format!(
            "{}: the answer is not {panel}'s API answer ({expected}): HTTP {} with {}{quote}",
            call.operation,
            response.status,
            looks_like(response),
        ),
    );
    if refused_in_front {
        // Refused by whatever stands in front of the panel: nothing got through.
        error.nothing_done()
    } else {
        error.maybe_done()
    }
}

/// The reqwest client plus the limiter, retry policy and redactor for one panel.
#[derive(Clone)]
pub struct HttpTransport {
    client: reqwest::Client,
    limiter: Arc<RequestLimit>,
    retry: RetryPolicy,
    /// Time for one call, all its tries and waits included (`request_timeout`).
    budget: Duration,
    /// The configured credentials, in every spelling.
    redactor: Redactor,
    /// `scheme://host:port` of the endpoint, for messages.
    origin: String,
    kind: PanelKind,
    /// Answers the panel gives when it refused a call because it is loaded, having
    /// done nothing: tried again like a 429, whatever the call.
    busy: Option<fn(&HttpResponse) -> bool>,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("origin", &self.origin)
            .field("max_concurrent", &self.limiter.current())
            .field("retry", &self.retry)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

/// `Terraform/<version> terraform-provider-panel/<version>`, Terraform's part only when
/// known (and only with characters a header allows).
pub fn user_agent(terraform_version: Option<&str>) -> String {
    let ours = concat!("terraform-provider-panel/", env!("CARGO_PKG_VERSION"));
    let version: String = terraform_version
        .unwrap_or_default()
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '+' | '_'))
        .collect();
    if version.is_empty() {
        ours.to_owned()
    } else {
        format!("Terraform/{version} {ours}")
    }
}

impl HttpTransport {
    /// Builds the client: TLS verification on unless `insecure`, extra roots from
    /// `ca_cert_pem`, no redirects, the User-Agent, and a limiter of
    /// `max_concurrent_requests`.
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.request_timeout.min(Duration::from_secs(30)))
            .user_agent(user_agent(config.terraform_version.as_deref()));
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
        let redactor = credential_redactor(&config.credentials);
        let origin = url::Url::parse(config.endpoint.trim())
            .map(|url| url.origin().ascii_serialization())
            .unwrap_or_else(|_| "the configured endpoint".to_owned());
        Ok(Self {
            client,
            limiter: Arc::new(RequestLimit::new(config.max_concurrent_requests)),
            retry: RetryPolicy::default(),
            budget: config.request_timeout,
            redactor,
            origin,
            kind: config.kind,
            busy: None,
        })
    }

    /// Names the answers that mean "too busy, nothing done" besides a 429: they are
    /// waited for and tried again the same way (backoff, at most `max_tries`, within
    /// the budget).
    pub fn with_busy_signal(mut self, busy: fn(&HttpResponse) -> bool) -> Self {
        self.busy = Some(busy);
        self
    }

    /// Replaces the retry policy (tests use short waits).
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The configured credentials' redactor plus `secrets` (this request's passwords).
    pub fn redactor<'a>(&self, secrets: impl IntoIterator<Item = &'a str>) -> Redactor {
        self.redactor.with(secrets)
    }

    /// Sends one request built by `build` (called again for each try) and reads the
    /// whole body, holding a limiter permit while the request is in flight. Retries as
    /// the module docs say; a 3xx is an error; any other final answer is returned as
    /// is, for the backend to check that it is its panel's answer and map its status.
    pub async fn send<F>(&self, call: &Call<'_>, build: F) -> PanelResult<HttpResponse>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let mut earlier_tries: Vec<String> = Vec::new();
        let mut started: Option<Instant> = None;
        loop {
            // The semaphore is never closed, so acquire only fails if it were; treat
            // that as a transport failure rather than panicking.
            let permit = self.limiter.acquire().await.ok_or_else(|| {
                PanelError::transport("the request limiter was closed").nothing_done()
            })?;
            // The budget starts once the request can leave: time spent queued behind
            // this provider's own requests is no sign of a silent panel.
            let first_start = *started.get_or_insert_with(Instant::now);
            let deadline = first_start + self.budget;
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(self.out_of_time(call, &earlier_tries, first_start.elapsed()));
            }
            let try_number = earlier_tries.len() + 1;
            let attempt = self.send_once(call, &build, remaining).await;
            if let Ok(response) = &attempt.outcome {
                self.report_load(&permit, response);
            }
            drop(permit);
            let may_try_again = try_number < self.retry.max_tries as usize;
            // Another try needs a moment of the budget after the wait, or it could only
            // time out.
            let last_useful_start = deadline
                .checked_sub(Duration::from_millis(10))
                .unwrap_or(deadline);
            let time_left_after = |wait: Duration| Instant::now() + wait < last_useful_start;
            match attempt.outcome {
                Ok(mut response) => {
                    let busy = self.busy.is_some_and(|busy| busy(&response));
                    let retry_wait = (may_try_again
                        && (busy
                            || RetryPolicy::is_retryable_status(
                                response.status,
                                call.idempotency,
                            )))
                    .then(|| {
                        self.retry
                            .wait_before_retry(try_number as u32, Some(&response.headers))
                    })
                    .filter(|wait| time_left_after(*wait));
                    attempt.log.answered(
                        self.kind,
                        call,
                        try_number,
                        response.status,
                        response.body.len(),
                        retry_wait,
                    );
                    log_body(call, "panel response body", response.body.as_bytes());
                    if (300..400).contains(&response.status) && response.status != 304 {
                        return Err(self.redirect_error(call, &attempt.log, &response));
                    }
                    if let Some(wait) = retry_wait {
                        earlier_tries.push(if busy {
                            format!("HTTP {} (panel too busy)", response.status)
                        } else {
                            format!("HTTP {}", response.status)
                        });
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    response.earlier_tries = earlier_tries;
                    response.elapsed = first_start.elapsed();
                    response.idempotency = call.idempotency;
                    return Ok(response);
                }
                Err(failure) => {
                    let retryable = match failure.retry {
                        Retry::Safe => true,
                        Retry::IfIdempotent => call.idempotency == Idempotency::Idempotent,
                        Retry::Never => false,
                    };
                    let retry_wait = (may_try_again && retryable)
                        .then(|| self.retry.wait_before_retry(try_number as u32, None))
                        .filter(|wait| time_left_after(*wait));
                    attempt
                        .log
                        .failed(self.kind, call, try_number, &failure.short, retry_wait);
                    earlier_tries.push(failure.short.clone());
                    if let Some(wait) = retry_wait {
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    let error = annotate(
                        failure.error,
                        &earlier_tries,
                        first_start.elapsed(),
                        call.idempotency,
                    );
                    return Err(scrub(call.redactor, error));
                }
            }
        }
    }

    /// Lowers the limit on a load signal (429 or the backend's busy answer), raises it
    /// back as answers come, and says so in the log when it changes.
    fn report_load(&self, permit: &super::limit::LimitPermit<'_>, response: &HttpResponse) {
        let overloaded = response.status == 429 || self.busy.is_some_and(|busy| busy(response));
        let load = if overloaded {
            Load::Overloaded
        } else {
            Load::Answered
        };
        if let Some(limit) = permit.report(load) {
            if overloaded {
                tracing::warn!(
                    panel = self.kind.as_str(),
                    "the panel at {} signals load (HTTP {}): at most {limit} of {} requests at once until it answers again",
                    self.origin,
                    response.status,
                    self.limiter.ceiling()
                );
            } else {
                tracing::debug!(
                    panel = self.kind.as_str(),
                    "the panel at {} answers again: at most {limit} of {} requests at once",
                    self.origin,
                    self.limiter.ceiling()
                );
            }
        }
    }

    async fn send_once<F>(&self, call: &Call<'_>, build: &F, timeout: Duration) -> Attempt
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let request = match build(&self.client).timeout(timeout).build() {
            Ok(request) => request,
            Err(e) => {
                return Attempt {
                    log: TryLog::default(),
                    outcome: Err(Failure {
                        error: PanelError::invalid(
                            None,
                            format!(
                                "{}: the request cannot be built: {}",
                                call.operation,
                                call.redactor.redact(&error_chain(&e))
                            ),
                        ),
                        short: "request not built".to_owned(),
                        retry: Retry::Never,
                    }),
                }
            }
        };
        let sent_body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .unwrap_or_default();
        let sent_bytes = sent_body.len();
        log_body(call, "panel request body", sent_body);
        let mut path = request.url().path().to_owned();
        if let Some(query) = request.url().query() {
            path.push('?');
            path.push_str(query);
        }
        let log = TryLog {
            method: request.method().to_string(),
            path: call.redactor.redact_with(&path, LOG_MARKER).into_owned(),
            sent_bytes,
            started: Some(Instant::now()),
        };
        let outcome = self.exchange(call, request, timeout).await;
        Attempt { log, outcome }
    }

    async fn exchange(
        &self,
        call: &Call<'_>,
        request: reqwest::Request,
        timeout: Duration,
    ) -> Result<HttpResponse, Failure> {
        let mut response = self
            .client
            .execute(request)
            .await
            .map_err(|e| self.classify(call, &e, timeout, Stage::Sending))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.classify(call, &e, timeout, Stage::ReadingAnswer))?
        {
            if bytes.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(Failure {
                    error: PanelError::protocol(format!(
                        "{}: the panel's answer is larger than {MAX_BODY_BYTES} bytes",
                        call.operation
                    ))
                    .maybe_done(),
                    short: "answer too large".to_owned(),
                    retry: Retry::Never,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            earlier_tries: Vec::new(),
            elapsed: Duration::ZERO,
            idempotency: call.idempotency,
        })
    }

    /// What a reqwest failure means for the panel's state and for another try.
    fn classify(
        &self,
        call: &Call<'_>,
        error: &reqwest::Error,
        timeout: Duration,
        stage: Stage,
    ) -> Failure {
        let text = call.redactor.redact(&error_chain(error)).into_owned();
        let lower = text.to_ascii_lowercase();
        let operation = call.operation;
        let origin = &self.origin;
        if error.is_connect() {
            // The request never left: nothing can have changed on the panel.
            let (why, retry) = if lower.contains("certificate") || lower.contains("tls") {
                (
                    "the TLS handshake failed (check the endpoint's scheme and port, and `ca_cert_pem` for a self-signed certificate)",
                    Retry::Never,
                )
            } else if lower.contains("dns") || lower.contains("lookup") {
                ("the host name does not resolve", Retry::Never)
            } else if error.is_timeout() {
                ("the connection was not accepted in time", Retry::Safe)
            } else {
                ("the connection was refused or failed", Retry::Safe)
            };
            let short = if retry == Retry::Safe && error.is_timeout() {
                "connect timed out"
            } else if lower.contains("refused") {
                "connection refused"
            } else {
                "cannot connect"
            };
            return Failure {
                error: PanelError::transport(format!(
                    "{operation}: cannot connect to the panel at {origin}: {why}: {text}"
                ))
                .nothing_done(),
                short: short.to_owned(),
                retry,
            };
        }
        if error.is_timeout() {
            return Failure {
                error: PanelError::new(
                    PanelErrorKind::Temporary,
                    format!(
                        "{operation}: the panel at {origin} did not answer within the {:.0} s left of `request_timeout`",
                        timeout.as_secs_f64().ceil()
                    ),
                )
                .maybe_done(),
                short: "no answer in time".to_owned(),
                retry: Retry::IfIdempotent,
            };
        }
        let what = match stage {
            Stage::Sending => "the connection closed before the panel answered",
            Stage::ReadingAnswer => "the connection closed while the answer was read",
        };
        Failure {
            error: PanelError::transport(format!("{operation}: {what} ({origin}): {text}"))
                .maybe_done(),
            short: if lower.contains("reset") {
                "connection reset".to_owned()
            } else {
                "connection closed".to_owned()
            },
            retry: Retry::IfIdempotent,
        }
    }

    fn out_of_time(&self, call: &Call<'_>, tries: &[String], elapsed: Duration) -> PanelError {
        let error = PanelError::new(
            PanelErrorKind::Temporary,
            format!(
                "{}: no answer from the panel at {} within `request_timeout` ({} s)",
                call.operation,
                self.origin,
                self.budget.as_secs()
            ),
        );
        let error = if tries.iter().all(|t| t.starts_with("HTTP 429")) {
            error.nothing_done()
        } else {
            error.maybe_done()
        };
        scrub(
            call.redactor,
            annotate(error, tries, elapsed, call.idempotency),
        )
    }

    /// A 3xx: never followed (it would take the credentials along), so an error that
    /// says where it pointed and what to check.
    fn redirect_error(&self, call: &Call<'_>, log: &TryLog, response: &HttpResponse) -> PanelError {
        let location = response.header(LOCATION.as_str()).unwrap_or("").trim();
        let requested = url::Url::parse(&self.origin).ok();
        let target = requested
            .as_ref()
            .and_then(|base| base.join(&log.path).ok())
            .and_then(|here| here.join(location).ok());
        let hint = match (&requested, &target) {
            (_, _) if location.is_empty() => {
                "the answer names no Location; check `endpoint`".to_owned()
            }
            (Some(base), Some(target))
                if base.host_str() == target.host_str()
                    && base.port_or_known_default() != target.port_or_known_default()
                    && base.scheme() != target.scheme() =>
            {
                format!(
                    "the panel wants {}: check the scheme and port of `endpoint`",
                    target.scheme()
                )
            }
            (Some(base), Some(target)) if base.scheme() != target.scheme() => format!(
                "the panel wants {}: use {}:// in `endpoint`",
                target.scheme(),
                target.scheme()
            ),
            (Some(base), Some(target)) if base.origin() == target.origin() => {
                "the API path moved: set `endpoint` to the panel's base URL without a path"
                    .to_owned()
            }
            _ => "it points to another address: check the spelling, scheme (http/https) and port of `endpoint`; if the panel really lives there, set `endpoint` to it".to_owned(),
        };
        let shown = target
            .map(|t| t.to_string())
            .unwrap_or_else(|| location.to_owned());
        let shown = call.redactor.excerpt(&shown, QUOTED_CHARS);
        let error = PanelError::protocol(format!(
            "{}: the panel at {} answered HTTP {} redirecting to {shown:?}; the provider does not follow redirects, so credentials never go to an address other than `endpoint`: {hint}",
            call.operation, self.origin, response.status
        ))
        .with_panel(Some(response.status.to_string()), None)
        // We did not follow: whatever the redirect pointed at never saw the request.
        .nothing_done();
        scrub(
            call.redactor,
            annotate(error, &[], Duration::ZERO, call.idempotency),
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Stage {
    Sending,
    ReadingAnswer,
}

/// Whether a failed try may be repeated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Retry {
    /// Nothing reached the panel: safe for any call.
    Safe,
    /// The request may have reached the panel.
    IfIdempotent,
    Never,
}

struct Failure {
    error: PanelError,
    /// A few words for the list of tries in the final error.
    short: String,
    retry: Retry,
}

struct Attempt {
    log: TryLog,
    outcome: Result<HttpResponse, Failure>,
}

/// What the DEBUG line of one try says.
#[derive(Default)]
struct TryLog {
    method: String,
    path: String,
    sent_bytes: usize,
    started: Option<Instant>,
}

impl TryLog {
    fn duration_ms(&self) -> u64 {
        self.started
            .map(|s| u64::try_from(s.elapsed().as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }

    fn answered(
        &self,
        panel: PanelKind,
        call: &Call<'_>,
        try_number: usize,
        status: u16,
        received_bytes: usize,
        retry_in: Option<Duration>,
    ) {
        let retry_in_ms = retry_in.map_or(0, |w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX));
        tracing::debug!(
            panel = panel.as_str(),
            method = %self.method,
            path = %self.path,
            operation = call.operation,
            status,
            duration_ms = self.duration_ms(),
            sent_bytes = self.sent_bytes,
            received_bytes,
            try_number,
            retry_in_ms,
            "panel request"
        );
    }

    fn failed(
        &self,
        panel: PanelKind,
        call: &Call<'_>,
        try_number: usize,
        failure: &str,
        retry_in: Option<Duration>,
    ) {
        let retry_in_ms = retry_in.map_or(0, |w| u64::try_from(w.as_millis()).unwrap_or(u64::MAX));
        tracing::debug!(
            panel = panel.as_str(),
            method = %self.method,
            path = %self.path,
            operation = call.operation,
            error = failure,
            duration_ms = self.duration_ms(),
            sent_bytes = self.sent_bytes,
            try_number,
            retry_in_ms,
            "panel request"
        );
    }
}

/// A body at TRACE, redacted and cut to [`LOGGED_BODY_CHARS`]; decoded only when
/// TRACE is on.
fn log_body(call: &Call<'_>, what: &str, body: &[u8]) {
    if tracing::enabled!(tracing::Level::TRACE) && !body.is_empty() {
        let body = String::from_utf8_lossy(body);
        let shown = call
            .redactor
            .excerpt_with(&body, LOGGED_BODY_CHARS, LOG_MARKER);
        tracing::trace!(operation = call.operation, body = %shown, "{what}");
    }
}

/// A reqwest error and its sources on one line, without the URL (the endpoint is named
/// by the caller, and a URL may carry credentials in its user part).
fn error_chain(error: &reqwest::Error) -> String {
    let url = error.url().map(|url| format!(" for url ({url})"));
    let mut text = String::new();
    let mut current: Option<&dyn std::error::Error> = Some(error);
    while let Some(err) = current {
        let mut part = err.to_string();
        if let Some(url) = &url {
            part = part.replace(url.as_str(), "");
        }
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

/// The configured credentials in every spelling, also registered with the log
/// redactor so that no log line anywhere shows them.
fn credential_redactor(credentials: &Credentials) -> Redactor {
    let mut redactor = Redactor::new();
    match credentials {
        Credentials::LoginPassword { login, password } => {
            redactor.add_basic_auth(login, password.expose());
            crate::redact::register_basic_auth(login, password.expose());
        }
        Credentials::ApiKey(secret)
        | Credentials::SecretKey(secret)
        | Credentials::Token(secret)
        | Credentials::AccessKey {
            secret_key: secret, ..
        } => {
            redactor.add(secret.expose());
            crate::redact::register(secret.expose());
        }
    }
    redactor
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
            terraform_version: Some("1.11.4".into()),
        }
    }

    /// How a scripted server treats one connection.
    #[derive(Clone, Debug)]
    enum Reply {
        Status(u16, &'static str),
        /// Reads the request, never answers.
        Silent,
        /// Reads the request, closes the connection.
        Close,
    }

    /// A server that treats the n-th connection as `replies[n]` (the last one repeats),
    /// counting connections and keeping the last request's head.
    async fn scripted_server(
        replies: Vec<Reply>,
    ) -> (String, Arc<AtomicUsize>, Arc<Mutex<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits = Arc::new(AtomicUsize::new(0));
        let last_request = Arc::new(Mutex::new(String::new()));
        let (counter, seen) = (hits.clone(), last_request.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let n = counter.fetch_add(1, Ordering::SeqCst);
                let reply = replies[n.min(replies.len() - 1)].clone();
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let read = socket.read(&mut buf).await.unwrap_or(0);
                    *seen.lock().unwrap() = String::from_utf8_lossy(&buf[..read]).into_owned();
                    match reply {
                        Reply::Status(status, extra) => {
                            let body = format!("answer {n}");
                            let answer = format!(
                                "HTTP/1.1 {status} X\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                                body.len()
                            );
                            let _ = socket.write_all(answer.as_bytes()).await;
                        }
                        Reply::Silent => {
                            tokio::time::sleep(Duration::from_secs(60)).await;
                        }
                        Reply::Close => drop(socket),
                    }
                });
            }
        });
        (format!("http://{addr}"), hits, last_request)
    }

    fn fast(transport: HttpTransport) -> HttpTransport {
        transport.with_retry_policy(RetryPolicy {
            max_tries: 3,
            initial_backoff: Duration::from_millis(1),
            max_wait: Duration::from_millis(5),
        })
    }

    fn call<'a>(redactor: &'a Redactor, idempotency: Idempotency) -> Call<'a> {
        Call {
            operation: "v-test",
            idempotency,
            redactor,
        }
    }

    const READ: Idempotency = Idempotency::Idempotent;
    const WRITE: Idempotency = Idempotency::NonIdempotent;

    async fn send(url: &str, idempotency: Idempotency) -> PanelResult<HttpResponse> {
        let transport = fast(HttpTransport::new(&config(url.to_owned())).unwrap());
        let redactor = transport.redactor([]);
        transport
            .send(&call(&redactor, idempotency), |c| c.post(url))
            .await
    }

    #[tokio::test]
    async fn reads_are_retried_on_503_until_success() {
        let (url, hits, _) =
            scripted_server(vec![Reply::Status(503, ""), Reply::Status(200, "")]).await;
        let response = send(&url, READ).await.unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.body, "answer 1");
        assert_eq!(response.earlier_tries, ["HTTP 503"]);
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn retries_stop_after_three_tries_and_the_error_says_so() {
        let (url, hits, _) = scripted_server(vec![Reply::Status(429, "Retry-After: 0\r\n")]).await;
        let response = send(&url, READ).await.unwrap();
        assert_eq!(response.status, 429);
        assert_eq!(hits.load(Ordering::SeqCst), 3);
        let error = response.explain(PanelError::new(PanelErrorKind::RateLimited, "slow down"));
        assert!(
            error.message.contains("3 tries")
                && error.message.contains("HTTP 429, HTTP 429, HTTP 429")
                && error.message.ends_with("nothing was changed on the panel"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn mutations_are_not_retried_after_a_5xx_or_500() {
        for status in [503, 500, 502] {
            let (url, hits, _) =
                scripted_server(vec![Reply::Status(status, ""), Reply::Status(200, "")]).await;
            let response = send(&url, WRITE).await.unwrap();
            assert_eq!(response.status, status);
            assert_eq!(hits.load(Ordering::SeqCst), 1, "{status}");
        }
        // 500 is not retried for reads either: no panel's 500 is known to be transient.
        let (url, hits, _) =
            scripted_server(vec![Reply::Status(500, ""), Reply::Status(200, "")]).await;
        assert_eq!(send(&url, READ).await.unwrap().status, 500);
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_429_is_retried_for_mutations_too() {
        let (url, hits, _) = scripted_server(vec![
            Reply::Status(429, "Retry-After: 0\r\n"),
            Reply::Status(201, ""),
        ])
        .await;
        let response = send(&url, WRITE).await.unwrap();
        assert_eq!(response.status, 201);
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    }

    /// A server that answers after 40 ms, 429 while `refusing` is set and 200 otherwise,
    /// and records the most requests it ever had in flight at once since the last reset.
    async fn load_server() -> (String, Arc<std::sync::atomic::AtomicBool>, Arc<AtomicUsize>) {
        use std::sync::atomic::AtomicBool;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let refusing = Arc::new(AtomicBool::new(true));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (refuse, peak_seen) = (refusing.clone(), peak.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut socket, _)) = listener.accept().await else {
                    return;
                };
                let (refuse, in_flight, peak) =
                    (refuse.clone(), in_flight.clone(), peak_seen.clone());
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let _ = socket.read(&mut buf).await;
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(40)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    let status = if refuse.load(Ordering::SeqCst) {
                        429
                    } else {
                        200
                    };
                    let answer = format!(
                        "HTTP/1.1 {status} X\r\nRetry-After: 0\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        (format!("http://{addr}"), refusing, peak)
    }

    #[tokio::test]
    async fn a_loaded_panel_gets_fewer_requests_at_once_until_it_answers_again() {
        let (url, refusing, peak) = load_server().await;
        let mut settings = config(url.clone());
        settings.max_concurrent_requests = 8;
        let transport = fast(HttpTransport::new(&settings).unwrap());
        let redactor = transport.redactor([]);
        let burst = |n: usize| {
            let transport = transport.clone();
            let url = url.clone();
            let redactor = redactor.clone();
            async move {
                let calls = (0..n).map(|_| {
                    let (transport, url, redactor) =
                        (transport.clone(), url.clone(), redactor.clone());
                    async move {
                        transport
                            .send(&call(&redactor, READ), |c| c.get(&url))
                            .await
                            .map(|r| r.status)
                    }
                });
                futures::future::join_all(calls).await
            }
        };
        // Every request is refused: the first round halves the limit, the retries (sent
        // after the lowering) halve it again, and so on down to one.
        let refused = burst(8).await;
        assert!(refused.iter().all(|r| matches!(r, Ok(429) | Err(_))));
        assert_eq!(
            peak.load(Ordering::SeqCst),
            8,
            "the first round goes out at the ceiling"
        );
        let lowered = transport.limiter.current();
        assert!(lowered <= 2, "limit after a refused burst: {lowered}");
        // The panel recovers: what follows goes out at the lowered limit at first, and
        // the limit climbs back to the ceiling as answers come.
        refusing.store(false, Ordering::SeqCst);
        peak.store(0, Ordering::SeqCst);
        let first = burst(8).await;
        assert!(first.iter().all(|r| matches!(r, Ok(200))));
        let early_peak = peak.load(Ordering::SeqCst);
        assert!(
            early_peak < 8,
            "right after the load signals at most {early_peak} went out at once"
        );
        for _ in 0..6 {
            burst(16).await;
        }
        assert_eq!(transport.limiter.current(), 8);
        peak.store(0, Ordering::SeqCst);
        burst(8).await;
        assert_eq!(peak.load(Ordering::SeqCst), 8, "back at the ceiling");
    }

    #[tokio::test]
    async fn a_busy_signal_is_retried_like_a_429_and_only_when_named() {
        let replies = || {
            vec![
                Reply::Status(400, "Hestia-Exit-Code: 14\r\n"),
                Reply::Status(400, "Hestia-Exit-Code: 4\r\n"),
            ]
        };
        // Named by the backend: a mutation refused as too busy is tried again; the next
        // answer (another failure) is final.
        let (url, hits, _) = scripted_server(replies()).await;
        let transport = fast(HttpTransport::new(&config(url.clone())).unwrap())
            .with_busy_signal(crate::backends::hestia::client::is_too_busy);
        let redactor = transport.redactor([]);
        let response = transport
            .send(&call(&redactor, WRITE), |c| c.post(&url))
            .await
            .unwrap();
        assert_eq!(response.header("Hestia-Exit-Code"), Some("4"));
        assert_eq!(response.earlier_tries, ["HTTP 400 (panel too busy)"]);
        assert_eq!(hits.load(Ordering::SeqCst), 2);
        // Without the signal a 400 is final.
        let (url, hits, _) = scripted_server(replies()).await;
        assert_eq!(send(&url, WRITE).await.unwrap().status, 400);
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn refused_connections_did_nothing_and_are_tried_again() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        for idempotency in [READ, WRITE] {
            let error = send(&url, idempotency).await.unwrap_err();
            assert_eq!(error.kind, PanelErrorKind::Transport);
            assert_eq!(error.effect, Effect::None, "{error}");
            assert!(error
                .message
                .contains("cannot connect to the panel at http://127.0.0.1:"));
            assert!(error.message.contains("3 tries"), "{error}");
            assert!(error.message.contains("nothing was changed"), "{error}");
        }
    }

    #[tokio::test]
    async fn a_silent_panel_fails_after_one_request_timeout() {
        for idempotency in [READ, WRITE] {
            let (url, hits, _) = scripted_server(vec![Reply::Silent]).await;
            let mut cfg = config(url.clone());
            cfg.request_timeout = Duration::from_millis(800);
            let transport = HttpTransport::new(&cfg).unwrap();
            let redactor = transport.redactor([]);
            let started = Instant::now();
            let error = transport
                .send(&call(&redactor, idempotency), |c| c.get(&url))
                .await
                .unwrap_err();
            let took = started.elapsed();
            assert!(took < Duration::from_millis(1200), "{took:?}");
            assert_eq!(error.kind, PanelErrorKind::Temporary, "{error}");
            assert_eq!(error.effect, Effect::Unknown, "{error}");
            assert_eq!(hits.load(Ordering::SeqCst), 1);
            assert!(error.message.contains("did not answer"), "{error}");
        }
    }

    #[tokio::test]
    async fn a_connection_closed_after_sending_may_have_taken_effect() {
        let (url, hits, _) = scripted_server(vec![Reply::Close]).await;
        let error = send(&url, WRITE).await.unwrap_err();
        assert_eq!(error.kind, PanelErrorKind::Transport, "{error}");
        assert_eq!(error.effect, Effect::Unknown, "{error}");
        assert!(
            error.message.contains("may have carried the change out"),
            "{error}"
        );
        assert_eq!(
            hits.load(Ordering::SeqCst),
            1,
            "a mutation is not sent twice"
        );

        let (url, hits, _) = scripted_server(vec![Reply::Close, Reply::Status(200, "")]).await;
        assert_eq!(send(&url, READ).await.unwrap().status, 200);
        assert_eq!(hits.load(Ordering::SeqCst), 2, "a read is tried again");
    }

    #[tokio::test]
    async fn redirects_are_errors_and_never_followed() {
        let (elsewhere, elsewhere_hits, _) = scripted_server(vec![Reply::Status(200, "")]).await;
        for status in [301, 302, 303, 307, 308] {
            let location: &'static str =
                Box::leak(format!("Location: {elsewhere}/steal\r\n").into_boxed_str());
            let (url, _, _) = scripted_server(vec![Reply::Status(status, location)]).await;
            for idempotency in [READ, WRITE] {
                let error = send(&url, idempotency).await.unwrap_err();
                assert_eq!(error.kind, PanelErrorKind::Protocol);
                assert_eq!(error.effect, Effect::None);
                assert_eq!(error.panel_code, Some(status.to_string()));
                assert!(
                    error.message.contains(&format!("HTTP {status}"))
                        && error.message.contains(&format!("{elsewhere}/steal"))
                        && error.message.contains("`endpoint`"),
                    "{error}"
                );
            }
        }
        assert_eq!(elsewhere_hits.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_redirect_to_https_says_so() {
        let (url, _, _) = scripted_server(vec![Reply::Status(
            301,
            "Location: https://127.0.0.1:8083/api/\r\n",
        )])
        .await;
        let error = send(&url, READ).await.unwrap_err();
        assert!(error.message.contains("the panel wants https"), "{error}");
    }

    #[tokio::test]
    async fn the_user_agent_names_terraform_and_the_provider() {
        let (url, _, seen) = scripted_server(vec![Reply::Status(200, "")]).await;
        send(&url, READ).await.unwrap();
        let head = seen.lock().unwrap().to_ascii_lowercase();
        let expected = format!(
            "user-agent: terraform/1.11.4 terraform-provider-panel/{}\r\n",
            env!("CARGO_PKG_VERSION")
        );
        assert!(head.contains(&expected), "{head}");
        assert_eq!(
            user_agent(None),
            concat!("terraform-provider-panel/", env!("CARGO_PKG_VERSION"))
        );
        assert!(user_agent(Some("1.11\r\nX: y")).starts_with("Terraform/1.11Xy "));
    }

    #[tokio::test]
    async fn a_long_retry_after_beyond_the_budget_is_not_waited_for() {
        let (url, hits, _) = scripted_server(vec![Reply::Status(429, "Retry-After: 3\r\n")]).await;
        let mut cfg = config(url.clone());
        cfg.request_timeout = Duration::from_secs(1);
        let transport = HttpTransport::new(&cfg).unwrap();
        let redactor = transport.redactor([]);
        let started = Instant::now();
        let response = transport
            .send(&call(&redactor, READ), |c| c.get(&url))
            .await
            .unwrap();
        assert_eq!(response.status, 429);
        assert!(started.elapsed() < Duration::from_millis(500));
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn retry_after_is_honoured_but_capped_and_backoff_is_jittered() {
        let policy = RetryPolicy::default();
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(
            policy.wait_before_retry(1, Some(&headers)),
            Duration::from_secs(2)
        );
        headers.insert(RETRY_AFTER, "3600".parse().unwrap());
        assert_eq!(policy.wait_before_retry(1, Some(&headers)), policy.max_wait);
        let date = (chrono::Utc::now() + chrono::Duration::seconds(4)).to_rfc2822();
        headers.insert(RETRY_AFTER, date.parse().unwrap());
        let wait = policy.wait_before_retry(1, Some(&headers));
        assert!(
            wait > Duration::from_secs(2) && wait <= Duration::from_secs(4),
            "{wait:?}"
        );
        for _ in 0..50 {
            let wait = policy.wait_before_retry(2, None);
            assert!(wait >= policy.initial_backoff && wait <= policy.initial_backoff * 2);
        }
    }

    #[tokio::test]
    async fn secrets_are_scrubbed_from_transport_errors() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let transport = fast(HttpTransport::new(&config(url.clone())).unwrap());
        let redactor = transport.redactor(["new-Passw0rd"]);
        let error = transport
            .send(
                &Call {
                    operation: "v-add-user new-Passw0rd hunter22",
                    idempotency: WRITE,
                    redactor: &redactor,
                },
                |c| c.get(&url),
            )
            .await
            .unwrap_err();
        assert!(!error.message.contains("Passw0rd"), "{error}");
        assert!(!error.message.contains("hunter22"), "{error}");
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

    fn answer(status: u16, content_type: &str, body: &str) -> HttpResponse {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, content_type.parse().unwrap());
        HttpResponse {
            status,
            headers,
            body: body.to_owned(),
            earlier_tries: Vec::new(),
            elapsed: Duration::ZERO,
            idempotency: WRITE,
        }
    }

    #[test]
    fn answers_that_are_not_the_api_say_what_they_looked_like() {
        let redactor = Redactor::of(["hunter22"]);
        let call = call(&redactor, WRITE);
        let html = answer(
            200,
            "text/html",
            "<!DOCTYPE html><title>Login</title> hunter22",
        );
        let error = not_the_api("hestia", &call, &html, "a Hestia-Exit-Code header");
        assert_eq!(error.kind, PanelErrorKind::Protocol);
        assert_eq!(error.effect, Effect::Unknown);
        assert!(error.message.contains("an HTML page"), "{error}");
        assert!(
            error.message.contains("<!DOCTYPE html><title>Login"),
            "{error}"
        );
        assert!(!error.message.contains("hunter22"), "{error}");
        // A proxy's 404 is never "the object is gone".
        let missing = answer(404, "text/html", "<html>Not Found</html>");
        assert_eq!(
            not_the_api("plesk", &call, &missing, "JSON").kind,
            PanelErrorKind::Protocol
        );
        assert_eq!(
            looks_like(&answer(200, "application/json", "{\"a\":")),
            "incomplete or malformed JSON (was the answer cut off?)"
        );
        assert_eq!(
            looks_like(&answer(200, "application/json", "")),
            "an empty body"
        );
        assert_eq!(looks_like(&answer(200, "text/plain", "OK")), "plain text");
        assert_eq!(
            not_the_api("plesk", &call, &answer(401, "text/html", "<html/>"), "JSON").effect,
            Effect::None
        );
    }

    #[test]
    fn one_debug_line_per_try_without_secrets() {
        // Tracing caches each callsite's interest process-wide: a test running at the
        // same time without a subscriber can leave these callsites disabled. So the
        // check runs alone, in a child process of this test binary.
        const CHILD: &str = "PANEL_HTTP_LOG_TEST_CHILD";
        const NAME: &str = "backends::http::tests::one_debug_line_per_try_without_secrets";
        if std::env::var_os(CHILD).is_some() {
            return debug_lines_checked();
        }
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(exe)
            .args(["--exact", NAME, "--nocapture", "--test-threads=1"])
            .env(CHILD, "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn debug_lines_checked() {
        use std::io::Write;
        #[derive(Clone, Default)]
        struct Lines(Arc<Mutex<Vec<u8>>>);
        impl Write for Lines {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            // Other tests may have met these callsites first, with no subscriber.
            tracing::callsite::rebuild_interest_cache();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let (url, _, _) =
                    scripted_server(vec![Reply::Status(503, ""), Reply::Status(200, "")]).await;
                let transport = fast(HttpTransport::new(&config(url.clone())).unwrap());
                let redactor = transport.redactor(["new-Passw0rd!"]);
                transport
                    .send(&call(&redactor, READ), |c| {
                        c.post(&url)
                            .form(&[("password", "new-Passw0rd!"), ("pw", "hunter22")])
                    })
                    .await
                    .unwrap();
            });
        });
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let requests: Vec<&str> = text
            .lines()
            .filter(|l| l.contains("DEBUG") && l.contains("panel request"))
            .collect();
        assert_eq!(requests.len(), 2, "{text}");
        assert!(requests[0].contains("status=503") && requests[0].contains("retry_in_ms="));
        assert!(requests[1].contains("status=200") && requests[1].contains("operation=\"v-test\""));
        assert!(text.contains("panel request body"), "{text}");
        assert!(
            !text.contains("Passw0rd") && !text.contains("hunter22"),
            "{text}"
        );
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
