//! Raw Plesk XML API calls: one POST of a `<packet>` to
//! `/enterprise/control/agent.php`, authenticated with `HTTP_AUTH_LOGIN` /
//! `HTTP_AUTH_PASSWD` or a `KEY` secret-key header.

use crate::backends::http::{kind_for_status, HttpTransport, Idempotency};
use crate::backends::{BackendConfig, Credentials};
use crate::panel::{PanelError, PanelResult, Secret};

use super::wire::{packet, parse_packet, Element};

#[derive(Clone)]
enum Auth {
    Login { login: String, password: Secret },
    SecretKey(Secret),
}

#[derive(Clone)]
pub struct PleskXmlClient {
    transport: HttpTransport,
    url: String,
    auth: Auth,
}

impl std::fmt::Debug for PleskXmlClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let auth = match &self.auth {
            Auth::Login { login, .. } => format!("login {login}"),
            Auth::SecretKey(_) => "secret key".to_owned(),
        };
        f.debug_struct("PleskXmlClient")
            .field("url", &self.url)
            .field("auth", &auth)
            .finish_non_exhaustive()
    }
}

const AGENT_PATH: &str = "/enterprise/control/agent.php";

/// `https://host:8443` -> `https://host:8443/enterprise/control/agent.php`.
pub fn agent_url(endpoint: &str) -> String {
    let base = endpoint.trim().trim_end_matches('/');
    if base.ends_with(AGENT_PATH) {
        base.to_owned()
    } else {
        format!("{base}{AGENT_PATH}")
    }
}

impl PleskXmlClient {
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        let auth = match &config.credentials {
            Credentials::LoginPassword { login, password } => Auth::Login {
                login: login.clone(),
                password: password.clone(),
            },
            Credentials::SecretKey(key) | Credentials::ApiKey(key) => Auth::SecretKey(key.clone()),
            _ => {
                return Err(PanelError::invalid(
                    None,
                    "plesk_xml accepts a login + password or a secret key",
                ))
            }
        };
        Ok(Self {
            transport: HttpTransport::new(config)?,
            url: agent_url(&config.endpoint),
            auth,
        })
    }

    /// Sends operator bodies as one packet and returns the parsed answer packet.
    /// `<system>` errors become typed errors here; per-result errors are the
    /// caller's to read. `secrets` are scrubbed from any echoed text.
    pub async fn call(
        &self,
        body: &str,
        idempotency: Idempotency,
        secrets: &[&Secret],
    ) -> PanelResult<Element> {
        let xml = packet(body);
        let response = self
            .transport
            .send(idempotency, |client| {
                let request = client
                    .post(&self.url)
                    .header("Content-Type", "text/xml; charset=UTF-8")
                    .header("HTTP_PRETTY_PRINT", "TRUE");
                let request = match &self.auth {
                    Auth::Login { login, password } => request
                        .header("HTTP_AUTH_LOGIN", login.as_str())
                        .header("HTTP_AUTH_PASSWD", password.expose()),
                    Auth::SecretKey(key) => request.header("KEY", key.expose()),
                };
                request.body(xml.clone())
            })
            .await?;
        let body = crate::backends::http::redact_secrets(
            &self.transport.redact(&response.body),
            secrets.iter().map(|s| s.expose()),
        );
        // Plesk answers errors inside the XML (the official client ignores the
        // status); only a non-XML answer falls back to the HTTP status.
        match parse_packet(&body) {
            Ok(packet) => Ok(packet),
            Err(error)
                if error.kind == crate::panel::PanelErrorKind::Protocol
                    && !response.is_success() =>
            {
                Err(PanelError::new(
                    kind_for_status(response.status),
                    format!(
                        "plesk answered HTTP {} without an XML packet",
                        response.status
                    ),
                )
                .with_panel(Some(response.status.to_string()), None))
            }
            Err(error) => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agent_url_is_derived_from_the_endpoint() {
        assert_eq!(
            agent_url("https://plesk:8443/"),
            "https://plesk:8443/enterprise/control/agent.php"
        );
        assert_eq!(
            agent_url("http://127.0.0.1:1/enterprise/control/agent.php"),
            "http://127.0.0.1:1/enterprise/control/agent.php"
        );
    }
}
