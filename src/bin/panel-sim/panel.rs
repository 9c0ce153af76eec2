//! What every simulated panel provides to the harness (CLI, control API, realism
//! knobs, persistence). Panels own their state behind their own locks.

use std::sync::Arc;

/// Whether a request only reads the panel or may change it. The harness uses it
/// for per-kind latency (`--latency-ms read=200,write=900`), for `fail_next` /
/// after-commit knobs that target one kind, and to persist state only after writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestKind {
    Read,
    Write,
}

/// One simulated panel API.
pub trait SimPanel: Send + Sync + 'static {
    /// `hestia`, `plesk` or `panelalpha`.
    fn name(&self) -> &'static str;

    /// The panel's own API routes. The harness adds `/__sim/*` and the realism knobs.
    fn router(self: Arc<Self>) -> axum::Router;

    /// Working admin credentials for every auth scheme the panel has, printed in the
    /// ready line (e.g. `{"access_key":..,"secret_key":..,"user":"admin","password":..}`).
    fn credentials(&self) -> serde_json::Value;

    /// The whole state, for `GET /__sim/state` and `--state FILE`.
    fn dump(&self) -> serde_json::Value;

    /// Replace the whole state with a previous `dump()`.
    fn restore(&self, state: serde_json::Value) -> Result<(), String>;

    /// Back to the initial state (admin account, default plans/packages, IPs).
    fn reset(&self);

    /// Add pre-existing objects (for import tests) without going through the API.
    /// The shape is documented in each panel's module.
    fn seed(&self, objects: serde_json::Value) -> Result<(), String>;

    /// The name under which a request is counted in `GET /__sim/requests`.
    /// Default: `"METHOD /path"`. Hestia counts by `cmd`, Plesk XML by `operator.op`.
    fn route_key(&self, method: &http::Method, path: &str, _body: &[u8]) -> String {
        format!("{method} {path}")
    }

    /// Read or write, for the per-kind knobs. The default is the safe guess from
    /// the HTTP method (GET/HEAD/OPTIONS read, everything else writes); a panel
    /// whose reads are POSTs (Hestia's `v-list-*`, Plesk XML `<get>`) overrides it.
    /// `route` is what `route_key` returned for the same request.
    fn request_kind(
        &self,
        method: &http::Method,
        _path: &str,
        _route: &str,
        _body: &[u8],
    ) -> RequestKind {
        if matches!(
            *method,
            http::Method::GET | http::Method::HEAD | http::Method::OPTIONS
        ) {
            RequestKind::Read
        } else {
            RequestKind::Write
        }
    }

    /// Panel-specific control endpoints under `/__sim/<panel name>/...` (e.g.
    /// Hestia's Let's Encrypt delay). `path` is what follows that prefix
    /// (`/letsencrypt`). `None` = not such an endpoint (404).
    fn control(
        &self,
        _method: &http::Method,
        _path: &str,
        _body: &[u8],
    ) -> Option<(u16, serde_json::Value)> {
        None
    }
}
