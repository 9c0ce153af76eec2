//! The harness around a simulated panel: accepts connections (plain or TLS),
//! answers the control API under `/__sim/`, applies the realism knobs, counts
//! requests per route key and persists state after mutating requests.
//!
//! Connections are served with hyper directly (HTTP/1.1) rather than
//! `axum::serve` because drop-after-commit needs to close a connection after the
//! handler has run without writing any response.

pub mod control;
pub mod knobs;
pub mod persist;
pub mod tls;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use http::{header, HeaderValue, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

use crate::panel::{RequestKind, SimPanel};

/// Largest request body accepted; bigger bodies get nginx's 413, like a panel
/// behind nginx with a `client_max_body_size`.
const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Request counters for `GET /__sim/requests`.
#[derive(Debug, Default)]
pub struct Counters {
    total: AtomicU64,
    routes: Mutex<HashMap<String, u64>>,
}

impl Counters {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, u64>> {
        self.routes
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    pub fn record(&self, route: &str) {
        self.total.fetch_add(1, Ordering::Relaxed);
        let mut routes = self.lock();
        match routes.get_mut(route) {
            Some(count) => *count += 1,
            None => {
                routes.insert(route.to_string(), 1);
            }
        }
    }

    pub fn snapshot(&self) -> serde_json::Value {
        let routes = self.lock();
        let mut sorted: Vec<_> = routes.iter().collect();
        sorted.sort();
        let routes: serde_json::Map<String, serde_json::Value> = sorted
            .into_iter()
            .map(|(route, count)| (route.clone(), serde_json::Value::from(*count)))
            .collect();
        serde_json::json!({
            "total": self.total.load(Ordering::Relaxed),
            "routes": routes,
        })
    }

    pub fn clear(&self) {
        let mut routes = self.lock();
        routes.clear();
        self.total.store(0, Ordering::Relaxed);
    }
}

/// Everything a connection needs to answer requests.
pub struct Harness {
    pub panel: Arc<dyn SimPanel>,
    panel_router: axum::Router,
    pub knobs: knobs::Knobs,
    pub counters: Counters,
    pub state_file: Option<persist::StateFile>,
}

impl Harness {
    pub fn new(
        panel: Arc<dyn SimPanel>,
        faults: knobs::Faults,
        state_file: Option<persist::StateFile>,
    ) -> Arc<Self> {
        let panel_router = Arc::clone(&panel).router();
        Arc::new(Self {
            panel,
            panel_router,
            knobs: knobs::Knobs::new(faults),
            counters: Counters::default(),
            state_file,
        })
    }

    /// Saves the state file (if any); failures are logged, never fatal, because
    /// the in-memory state is still correct and the next save may succeed.
    pub fn persist(&self) {
        if let Some(file) = &self.state_file {
            if let Err(err) = file.save(&self.panel.dump()) {
                tracing::error!("saving state failed: {err}");
            }
        }
    }

    /// Answers one request. `drop_connection` is cancelled to make the
    /// connection task close the socket without a response.
    async fn handle(
        self: Arc<Self>,
        request: Request<Body>,
        drop_connection: CancellationToken,
    ) -> Response<Body> {
        let (parts, body) = request.into_parts();
        let path = parts.uri.path().to_string();
        let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
            Ok(bytes) => bytes,
            Err(_) => return nginx_error(StatusCode::PAYLOAD_TOO_LARGE),
        };
        if path == "/__sim" || path.starts_with("/__sim/") {
            return control::handle(&self, &parts.method, &path, &bytes);
        }

        let route = self.panel.route_key(&parts.method, &path, &bytes);
        let kind = self
            .panel
            .request_kind(&parts.method, &path, &route, &bytes);
        self.counters.record(&route);
        let latency = self.knobs.latency(kind);
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
        let after = match self.knobs.decide(&route, kind) {
            knobs::Verdict::Fail {
                status,
                retry_after,
            } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
                let mut response = nginx_error(status);
                if status == StatusCode::TOO_MANY_REQUESTS {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
                }
                return response;
            }
            knobs::Verdict::RateLimited(seconds) => {
                let mut response = nginx_error(StatusCode::TOO_MANY_REQUESTS);
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
                return response;
            }
            knobs::Verdict::Proceed(after) => after,
        };

        let request = Request::from_parts(parts, Body::from(bytes));
        let response = match self.panel_router.clone().oneshot(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        };
        if kind == RequestKind::Write {
            self.persist();
        }
        if after == knobs::AfterCommit::default() {
            return response;
        }
        // The panel's answer is complete (so nothing is left half-done) before
        // any after-commit fault decides what the client sees.
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        if let Some(delay) = after.delay {
            tokio::time::sleep(delay).await;
        }
        match after.action {
            knobs::AfterAction::Answer => Response::from_parts(parts, Body::from(body)),
            knobs::AfterAction::Status(status) => {
                nginx_error(StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY))
            }
            knobs::AfterAction::Drop => {
                drop_connection.cancel();
                std::future::pending::<()>().await;
                nginx_error(StatusCode::BAD_GATEWAY)
            }
        }
    }
}

/// An error page shaped like the one nginx (in front of every real panel)
/// sends for errors it generates itself.
pub fn nginx_error(status: StatusCode) -> Response<Body> {
    let title = format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("Error")
    );
    let body = format!(
        "<html>\r\n<head><title>{title}</title></head>\r\n<body>\r\n<center><h1>{title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// A JSON answer for the control API.
pub fn json_response(status: StatusCode, value: &serde_json::Value) -> Response<Body> {
    let body = serde_json::to_vec(value).unwrap_or_default();
    let mut response = Response::new(Body::from(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Accepts connections until `shutdown` is cancelled.
pub async fn serve(
    harness: Arc<Harness>,
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = shutdown.cancelled() => return,
        };
        let (stream, peer) = match accepted {
            Ok(pair) => pair,
            Err(err) => {
                // EMFILE and friends: back off briefly instead of spinning.
                tracing::warn!("accept failed: {err}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let harness = Arc::clone(&harness);
        let tls = tls.clone();
        tokio::spawn(async move {
            match tls {
                None => serve_connection(harness, stream).await,
                Some(acceptor) => {
                    match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
                    {
                        Ok(Ok(tls_stream)) => serve_connection(harness, tls_stream).await,
                        Ok(Err(err)) => tracing::debug!("TLS handshake with {peer} failed: {err}"),
                        Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
                    }
                }
            }
        });
    }
}

async fn serve_connection<IO>(harness: Arc<Harness>, io: IO)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let drop_connection = CancellationToken::new();
    let token = drop_connection.clone();
    let service = hyper::service::service_fn(move |request: Request<hyper::body::Incoming>| {
        let harness = Arc::clone(&harness);
        let token = token.clone();
        async move {
            let response = harness.handle(request.map(Body::new), token).await;
            Ok::<_, Infallible>(response)
        }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(io), service);
    tokio::select! {
        result = connection => {
            if let Err(err) = result {
                tracing::debug!("connection ended with error: {err}");
            }
        }
        // Dropping the connection future closes the socket mid-exchange.
        () = drop_connection.cancelled() => {}
    }
}
