//! Panel backends: one folder per API, each with `mod.rs` (impl `Panel`), `client.rs`
//! (raw HTTP), `wire.rs` (request/response types) and `error.rs` (panel errors to
//! `PanelError`). Nothing here may use `crate::tfvalue`, `crate::framework` or
//! `crate::plugin`.

pub mod panelalpha;
pub mod plesk_rest;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

pub mod hestia;
pub mod http;
mod limit;
pub mod plesk_xml;
pub mod rest;

use crate::panel::{Panel, PanelKind, PanelResult, Secret};

/// How to authenticate, per panel. Which variants a backend accepts is its own
/// business; the provider layer validates the combination before connecting.
#[derive(Clone, PartialEq)]
pub enum Credentials {
    /// Plesk (REST Basic auth, XML `HTTP_AUTH_*`), Hestia admin user + password.
    LoginPassword { login: String, password: Secret },
    /// Plesk REST `X-API-Key`.
    ApiKey(Secret),
    /// Plesk XML `KEY` header (secret key).
    SecretKey(Secret),
    /// Hestia access key + secret key.
    AccessKey {
        access_key: String,
        secret_key: Secret,
    },
    /// PanelAlpha bearer token.
    Token(Secret),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::LoginPassword { login, .. } => f
                .debug_struct("LoginPassword")
                .field("login", login)
                .field("password", &"<redacted>")
                .finish(),
            Credentials::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            Credentials::SecretKey(_) => f.write_str("SecretKey(<redacted>)"),
            Credentials::AccessKey { access_key, .. } => f
                .debug_struct("AccessKey")
                .field("access_key", access_key)
                .field("secret_key", &"<redacted>")
                .finish(),
            Credentials::Token(_) => f.write_str("Token(<redacted>)"),
        }
    }
}

/// Everything a backend needs to reach its panel.
#[derive(Clone, Debug)]
pub struct BackendConfig {
    pub kind: PanelKind,
    /// Base URL, e.g. `https://panel.example.com:8443`. Backends append their API path.
    pub endpoint: String,
    pub credentials: Credentials,
    /// Skip TLS verification. Off by default; the provider warns when it is on.
    pub insecure: bool,
    /// Extra CA certificate(s), PEM, trusted in addition to the system roots.
    pub ca_cert_pem: Option<String>,
    pub request_timeout: Duration,
    /// Maximum requests in flight to this panel at once.
    pub max_concurrent_requests: usize,
    /// Terraform's version from the `Configure` request, for the User-Agent
    /// (`Terraform/<version> terraform-provider-panel/<version>`).
    pub terraform_version: Option<String>,
}

/// Build the backend for `config.kind`. Does no network I/O; call
/// [`Panel::check_connection`] to verify credentials.
pub fn connect(config: BackendConfig) -> PanelResult<Arc<dyn Panel>> {
    match config.kind {
        PanelKind::Hestia => Ok(Arc::new(hestia::HestiaBackend::new(&config)?)),
        PanelKind::PleskXml => Ok(Arc::new(plesk_xml::PleskXmlBackend::new(&config)?)),
        PanelKind::PleskRest => Ok(Arc::new(plesk_rest::PleskRestBackend::new(&config)?)),
        PanelKind::PanelAlpha => Ok(Arc::new(panelalpha::PanelAlphaBackend::new(&config)?)),
    }
}

/// `tests/fixtures/reference/<sub>` for unit tests: the recorded panel answers kept in
/// the repository (see `tests/fixtures/README.md`), so a clone alone runs every test.
#[cfg(test)]
pub(crate) fn reference_dir(sub: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/reference")
        .join(sub)
}
