//! Raw Plesk XML API calls: one POST of a `<packet>` to
//! `/enterprise/control/agent.php`, authenticated with `HTTP_AUTH_LOGIN` /
//! `HTTP_AUTH_PASSWD` or a `KEY` secret-key header, over the shared transport
//! ([`crate::backends::http`]: limiter, retries, redaction, logging). Only an XML
//! `<packet>` counts as Plesk's answer.

use crate::backends::http::{not_the_api, scrub, Call, HttpResponse, HttpTransport, Idempotency};
use crate::backends::{BackendConfig, Credentials};
use crate::panel::{PanelError, PanelResult, Secret};

use super::error::system_error;
use super::wire::{packet, parse_document, Element};

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
    /// caller's to read (their `errtext` is already scrubbed of `secrets` and of any
    /// password the packet carries).
    pub async fn call(
        &self,
        body: &str,
        idempotency: Idempotency,
        secrets: &[&Secret],
    ) -> PanelResult<Element> {
        let xml = packet(body);
        let sent = RequestPacket::read(&xml);
        let redactor = self.transport.redactor(
            secrets
                .iter()
                .map(|s| s.expose())
                .chain(sent.secrets.iter().map(String::as_str)),
        );
        let call = Call {
            operation: &sent.operations,
            idempotency,
            redactor: &redactor,
        };
        let response = self
            .transport
            .send(&call, |client| {
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
        match interpret(&call, &response) {
            Ok(mut packet) => {
                scrub_errtexts(&mut packet, &|text| redactor.redact(text).into_owned());
                Ok(packet)
            }
            Err(error) => Err(response.explain(scrub(&redactor, error))),
        }
    }
}

/// What the log and the redactor need to know about a request packet: its
/// operations (`customer/add`) and the passwords it carries.
struct RequestPacket {
    operations: String,
    secrets: Vec<String>,
}

impl RequestPacket {
    fn read(xml: &str) -> Self {
        let Ok(root) = parse_document(xml) else {
            return Self {
                operations: "packet".to_owned(),
                secrets: Vec::new(),
            };
        };
        let mut operations: Vec<String> = Vec::new();
        for operator in &root.children {
            for operation in &operator.children {
                let name = format!("{}/{}", operator.name, operation.name);
                if !operations.contains(&name) {
                    operations.push(name);
                }
            }
        }
        let mut secrets = Vec::new();
        collect_passwords(&root, &mut secrets);
        Self {
            operations: operations.join(","),
            secrets,
        }
    }
}

/// Texts of `<passwd>`/`<password>` elements and of `<property>` values whose name
/// says password (`ftp_password`).
fn collect_passwords(element: &Element, out: &mut Vec<String>) {
    let says_password = |name: &str| {
        let name = name.to_ascii_lowercase();
        name.contains("passw") || name.contains("passwd")
    };
    if says_password(&element.name) && !element.text.is_empty() {
        out.push(element.text.clone());
    }
    if element.name == "property" && element.text_of("name").is_some_and(says_password) {
        if let Some(value) = element.non_empty("value") {
            out.push(value.to_owned());
        }
    }
    for child in &element.children {
        collect_passwords(child, out);
    }
}

/// Scrubs the `errtext` of every result (the texts errors are built from).
fn scrub_errtexts(element: &mut Element, redact: &dyn Fn(&str) -> String) {
    if element.name == "errtext" {
        element.text = redact(&element.text);
    }
    for child in &mut element.children {
        scrub_errtexts(child, redact);
    }
}

/// Plesk's answer is an XML `<packet>` (whatever the HTTP status: the official client
/// ignores it); a `<system>` error refuses the whole packet. Anything else (an HTML
/// login page, a proxy's error page, truncated XML) is not Plesk's answer.
fn interpret(call: &Call<'_>, response: &HttpResponse) -> PanelResult<Element> {
    let packet = match parse_document(&response.body) {
        Ok(root) if root.name == "packet" => root,
        _ => {
            return Err(not_the_api(
                "plesk",
                call,
                response,
                "an XML <packet> from the XML API",
            ))
        }
    };
    if let Some(system) = packet.child("system") {
        if system.text_of("status") != Some("ok") {
            return Err(system_error(
                system.text_of("errcode").and_then(|c| c.parse().ok()),
                &call
                    .redactor
                    .redact(system.text_of("errtext").unwrap_or("")),
            ));
        }
    }
    Ok(packet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_packets_name_their_operations_and_passwords() {
        let xml = packet(
            "<customer><add><gen_info><login>j</login><passwd>pw&amp;1</passwd></gen_info></add></customer>\
             <webspace><add><hosting><vrt_hst><property><name>ftp_password</name><value>ftp-pw</value></property>\
             <property><name>ftp_login</name><value>jf</value></property></vrt_hst></hosting></add></webspace>",
        );
        let sent = RequestPacket::read(&xml);
        assert_eq!(sent.operations, "customer/add,webspace/add");
        assert_eq!(sent.secrets, ["pw&1", "ftp-pw"]);
    }

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
