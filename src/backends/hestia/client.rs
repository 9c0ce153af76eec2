//! Raw HestiaCP API calls: one form POST to `/api/` per `v-*` command, authenticated
//! with an access key (preferred: every answer carries `Hestia-Exit-Code`) or the
//! admin password (legacy: exit codes only in `returncode=yes` mode, data only in
//! data mode).

use crate::backends::http::{not_the_api, scrub, Call, HttpResponse, HttpTransport, Idempotency};
use crate::backends::{BackendConfig, Credentials};
use crate::panel::{PanelError, PanelErrorKind, PanelResult, Secret};

use super::error::{auth_refusal, parse_error};
use super::wire::{Command, CommandKind};

/// How requests authenticate.
#[derive(Clone)]
enum Auth {
    AccessKey {
        access_key: String,
        secret_key: Secret,
    },
    /// Only the panel's admin (ROOT_USER) may use password authentication.
    AdminPassword { user: String, password: Secret },
}

/// The HTTP side of the Hestia backend.
#[derive(Clone)]
pub struct HestiaClient {
    transport: HttpTransport,
    api_url: String,
    auth: Auth,
}

impl std::fmt::Debug for HestiaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let auth = match &self.auth {
            Auth::AccessKey { access_key, .. } => format!("access key {access_key}"),
            Auth::AdminPassword { user, .. } => format!("password of {user}"),
        };
        f.debug_struct("HestiaClient")
            .field("api_url", &self.api_url)
            .field("auth", &auth)
            .finish_non_exhaustive()
    }
}

/// `https://host:8083` -> `https://host:8083/api/`; an endpoint that already names the
/// API path is used as is.
pub fn api_url(endpoint: &str) -> String {
    let base = endpoint.trim().trim_end_matches('/');
    if base.ends_with("/api") || base.ends_with("/api/index.php") {
        if base.ends_with("/api") {
            format!("{base}/")
        } else {
            base.to_owned()
        }
    } else {
        format!("{base}/api/")
    }
}

impl HestiaClient {
    pub fn new(config: &BackendConfig) -> PanelResult<Self> {
        let auth = match &config.credentials {
            Credentials::AccessKey {
                access_key,
                secret_key,
            } => Auth::AccessKey {
                access_key: access_key.clone(),
                secret_key: secret_key.clone(),
            },
            Credentials::LoginPassword { login, password } => Auth::AdminPassword {
                user: login.clone(),
                password: password.clone(),
            },
            other => {
                return Err(PanelError::invalid(
                    None,
                    format!(
                        "hestia accepts an access key + secret key or the admin login + password, not {}",
                        credential_kind(other)
                    ),
                ))
            }
        };
        Ok(Self {
            transport: HttpTransport::new(config)?.with_busy_signal(is_too_busy),
            api_url: api_url(&config.endpoint),
            auth,
        })
    }

    /// Runs `command` and returns its output (the JSON of a `v-list-*`, or nothing).
    /// A failed command becomes a typed error; an answer that is not Hestia's (no
    /// exit code where Hestia always sends one, an HTML page) is an error too, never a
    /// success. Retries follow [`crate::backends::http`].
    pub async fn run(&self, command: &Command) -> PanelResult<String> {
        self.run_command(command)
            .await
            .map_err(|error| self.name_the_credentials(command, error))
    }

    /// A refusal of the credentials says which were refused (issue 15 item 7).
    fn name_the_credentials(&self, command: &Command, mut error: PanelError) -> PanelError {
        let code = error
            .panel_code
            .as_deref()
            .and_then(|c| c.parse::<u32>().ok());
        if let (PanelErrorKind::Auth, Some(code @ (9 | 10 | 11 | 21))) = (&error.kind, code) {
            let credential = match self.auth {
                Auth::AccessKey { .. } => "access key",
                Auth::AdminPassword { .. } => "admin login and password",
            };
            error.message = auth_refusal(command.name, code, credential);
        }
        error
    }

    async fn run_command(&self, command: &Command) -> PanelResult<String> {
        let legacy = matches!(self.auth, Auth::AdminPassword { .. });
        // Legacy data mode hides exit codes, so mutations ask for the code instead;
        // reads need the data. Access-key answers carry both in every mode.
        let code_mode = legacy && command.kind == CommandKind::Mutation;
        let form = self.form(command, code_mode);
        let redactor = self.transport.redactor(command.secret_values());
        let call = Call {
            operation: command.name,
            idempotency: match command.kind {
                CommandKind::Read => Idempotency::Idempotent,
                CommandKind::Mutation => Idempotency::NonIdempotent,
            },
            redactor: &redactor,
        };
        let response = self
            .transport
            .send(&call, |client| client.post(&self.api_url).form(&form))
            .await?;
        interpret(command, legacy, code_mode, &call, &response)
            .map_err(|error| response.explain(scrub(&redactor, error)))
    }

    fn form(&self, command: &Command, code_mode: bool) -> Vec<(String, String)> {
        let mut form: Vec<(String, String)> = Vec::with_capacity(command.args.len() + 5);
        match &self.auth {
            Auth::AccessKey {
                access_key,
                secret_key,
            } => {
                form.push(("access_key".into(), access_key.clone()));
                form.push(("secret_key".into(), secret_key.expose().to_owned()));
            }
            Auth::AdminPassword { user, password } => {
                form.push(("user".into(), user.clone()));
                form.push(("password".into(), password.expose().to_owned()));
            }
        }
        form.push(("cmd".into(), command.name.to_owned()));
        for (index, arg) in command.args.iter().enumerate() {
            form.push((format!("arg{}", index + 1), arg.value().to_owned()));
        }
        form.push((
            "returncode".into(),
            if code_mode { "yes" } else { "no" }.to_owned(),
        ));
        form
    }
}

/// Exit code 14 (E_LA): the script found the load average above the panel's limit and
/// stopped before doing anything. The transport waits and tries again, as after a 429.
/// Seen in the `Hestia-Exit-Code` header (access keys) or as the bare code of a
/// `returncode=yes` answer (admin password).
pub fn is_too_busy(response: &HttpResponse) -> bool {
    const E_LA: &str = "14";
    match response.header("Hestia-Exit-Code") {
        Some(code) => code.trim() == E_LA,
        None => !response.is_success() && response.body.trim() == E_LA,
    }
}

/// Reads Hestia's answer to `command`.
///
/// What counts as Hestia's answer (captured from HestiaCP 1.10.3, where every answer,
/// success or not, is served as `text/html`): with an access key every answer carries
/// the `Hestia-Exit-Code` header; with the admin password, code mode answers a bare
/// exit code and data mode answers the command's output (JSON for `v-list-* json`),
/// `Error: ...`/`Usage: ...` text, or `OK`. Anything else (a login page in front of
/// the panel, another web server's 404) is not Hestia's answer, whatever its status.
fn interpret(
    command: &Command,
    legacy: bool,
    code_mode: bool,
    call: &Call<'_>,
    response: &HttpResponse,
) -> PanelResult<String> {
    let body = &response.body;
    let not_hestia = |expected: &str| not_the_api("hestia", call, response, expected);
    let header_code = match response.header("Hestia-Exit-Code") {
        Some(value) => match value.trim().parse::<u32>() {
            Ok(code) => Some(code),
            Err(_) => return Err(not_hestia("a numeric Hestia-Exit-Code header")),
        },
        None => None,
    };
    if let Some(code) = header_code {
        return match code {
            0 if response.is_success() => Ok(body.clone()),
            // Exit 0 with an error status is no answer Hestia gives.
            0 => Err(not_hestia("a failure exit code with a failure status")),
            code => Err(parse_error(command.name, Some(code), body)),
        };
    }
    if !legacy {
        return Err(not_hestia(
            "the Hestia-Exit-Code header, which Hestia sends with every access-key answer",
        ));
    }
    let text = body.trim();
    if code_mode {
        return match text.parse::<u32>() {
            Ok(0) if response.is_success() => Ok(String::new()),
            Ok(code) if code != 0 => Err(parse_error(command.name, Some(code), text)),
            _ => Err(not_hestia("a bare exit code (returncode=yes)")),
        };
    }
    let lower = text.get(..6).unwrap_or(text).to_ascii_lowercase();
    let is_message = lower.starts_with("error") || lower.starts_with("usage:");
    let is_data = text.starts_with('{') || text.starts_with('[') || text == "OK";
    // Data only with a success status; a message with any.
    if !(is_message || (is_data && response.is_success())) {
        return Err(not_hestia("JSON output, `OK` or an `Error:` message"));
    }
    legacy_data(command, body.clone())
}

/// Data-mode answers carry no exit code: `Error:`/`Usage:` text is a failure, `OK`
/// means the command printed nothing (which for a `v-list-* json` is itself wrong).
fn legacy_data(command: &Command, body: String) -> PanelResult<String> {
    let text = body.trim_start();
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("error") || lower.starts_with("usage:") {
        return Err(parse_error(command.name, None, text));
    }
    if text.trim() == "OK" {
        return match command.kind {
            CommandKind::Mutation => Ok(String::new()),
            CommandKind::Read => Err(PanelError::protocol(format!(
                "{}: the panel printed nothing (is the command available on this Hestia version?)",
                command.name
            ))),
        };
    }
    Ok(body)
}

fn credential_kind(credentials: &Credentials) -> &'static str {
    match credentials {
        Credentials::LoginPassword { .. } => "a login and password",
        Credentials::ApiKey(_) => "an API key",
        Credentials::SecretKey(_) => "a secret key",
        Credentials::AccessKey { .. } => "an access key",
        Credentials::Token(_) => "a token",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::hestia::wire;
    use crate::panel::{PanelErrorKind, PanelKind};
    use std::time::Duration;

    fn config(credentials: Credentials) -> BackendConfig {
        BackendConfig {
            kind: PanelKind::Hestia,
            endpoint: "https://panel.example:8083".into(),
            credentials,
            insecure: false,
            ca_cert_pem: None,
            request_timeout: Duration::from_secs(5),
            max_concurrent_requests: 4,
            terraform_version: None,
        }
    }

    #[test]
    fn api_url_is_derived_from_the_endpoint() {
        assert_eq!(api_url("https://h:8083"), "https://h:8083/api/");
        assert_eq!(api_url("https://h:8083/"), "https://h:8083/api/");
        assert_eq!(api_url("https://h:8083/api"), "https://h:8083/api/");
        assert_eq!(
            api_url("http://127.0.0.1:9/api/"),
            "http://127.0.0.1:9/api/"
        );
    }

    #[test]
    fn access_key_forms_use_data_mode_and_numbered_args() {
        let client = HestiaClient::new(&config(Credentials::AccessKey {
            access_key: "AK".into(),
            secret_key: Secret::new("SK"),
        }))
        .unwrap();
        let command = wire::add_web_domain("bob", "bob.example", None);
        let form = client.form(&command, false);
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("access_key", "AK"),
                ("secret_key", "SK"),
                ("cmd", "v-add-web-domain"),
                ("arg1", "bob"),
                ("arg2", "bob.example"),
                ("returncode", "no"),
            ]
        );
    }

    #[test]
    fn legacy_mutations_use_code_mode() {
        let client = HestiaClient::new(&config(Credentials::LoginPassword {
            login: "admin".into(),
            password: Secret::new("pw"),
        }))
        .unwrap();
        let form = client.form(&wire::delete_user("bob"), true);
        assert_eq!(form[0], ("user".to_owned(), "admin".to_owned()));
        assert_eq!(form.last().unwrap().1, "yes");
    }

    #[test]
    fn other_credentials_are_refused() {
        let error = HestiaClient::new(&config(Credentials::Token(Secret::new("t")))).unwrap_err();
        assert!(matches!(error.kind, PanelErrorKind::InvalidInput { .. }));
    }

    #[test]
    fn legacy_data_mode_answers() {
        let read = wire::list_users();
        assert_eq!(
            legacy_data(&read, "{\"a\":{}}\n".into()).unwrap(),
            "{\"a\":{}}\n"
        );
        // Captured 07: an unknown command answers OK in data mode.
        assert_eq!(
            legacy_data(&read, "OK".into()).unwrap_err().kind,
            PanelErrorKind::Protocol
        );
        assert!(legacy_data(
            &wire::list_web_domains("x"),
            "Error: user x doesn't exist\n".into()
        )
        .unwrap_err()
        .is_not_found());
    }
}
