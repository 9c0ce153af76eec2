//! The provider block: its schema, reading each argument with its environment-variable
//! fallback, and turning the result into a [`BackendConfig`].
//!
//! Precedence for every argument: a value in the provider block, else the environment
//! variable, else the default. An empty environment variable counts as unset.
//!
//! Checks are split by when they can be trusted: format checks (a valid `type`, an
//! http(s) `endpoint`, a parsable `ca_cert_pem`, positive numbers) run in
//! `PrepareProviderConfig` too; completeness checks (is there an endpoint, are the
//! credentials complete) run only in `Configure`, because `terraform validate` often
//! runs where the environment variables holding them are not set.

use std::fmt;
use std::time::Duration;

use crate::backends::{BackendConfig, Credentials};
use crate::framework::diag::Diagnostics;
use crate::framework::schema::{Attribute, Schema};
use crate::framework::validate;
use crate::panel::{PanelKind, Secret};
use crate::tfvalue::{AttributePath, Value};

pub const DEFAULT_REQUEST_TIMEOUT_SECONDS: u64 = 60;
/// Terraform's own default `-parallelism`: a lower default here would queue the
/// operations Terraform already runs at once (issue 16).
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: u64 = 10;

/// The `type` values, in the order we list them to users.
const PANEL_TYPES: [PanelKind; 4] = [
    PanelKind::PleskRest,
    PanelKind::PleskXml,
    PanelKind::PanelAlpha,
    PanelKind::Hestia,
];

/// Each argument with the environment variable that backs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Argument {
    Type,
    Endpoint,
    Login,
    Password,
    ApiKey,
    SecretKey,
    AccessKey,
    Token,
    Insecure,
    CaCertPem,
    RequestTimeout,
    MaxConcurrentRequests,
}

impl Argument {
    pub const ALL: [Argument; 12] = [
        Argument::Type,
        Argument::Endpoint,
        Argument::Login,
        Argument::Password,
        Argument::ApiKey,
        Argument::SecretKey,
        Argument::AccessKey,
        Argument::Token,
        Argument::Insecure,
        Argument::CaCertPem,
        Argument::RequestTimeout,
        Argument::MaxConcurrentRequests,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Argument::Type => "type",
            Argument::Endpoint => "endpoint",
            Argument::Login => "login",
            Argument::Password => "password",
            Argument::ApiKey => "api_key",
            Argument::SecretKey => "secret_key",
            Argument::AccessKey => "access_key",
            Argument::Token => "token",
            Argument::Insecure => "insecure",
            Argument::CaCertPem => "ca_cert_pem",
            Argument::RequestTimeout => "request_timeout",
            Argument::MaxConcurrentRequests => "max_concurrent_requests",
        }
    }

    pub fn env_var(self) -> &'static str {
        match self {
            Argument::Type => "PANEL_TYPE",
            Argument::Endpoint => "PANEL_ENDPOINT",
            Argument::Login => "PANEL_LOGIN",
            Argument::Password => "PANEL_PASSWORD",
            Argument::ApiKey => "PANEL_API_KEY",
            Argument::SecretKey => "PANEL_SECRET_KEY",
            Argument::AccessKey => "PANEL_ACCESS_KEY",
            Argument::Token => "PANEL_TOKEN",
            Argument::Insecure => "PANEL_INSECURE",
            Argument::CaCertPem => "PANEL_CA_CERT_PEM",
            Argument::RequestTimeout => "PANEL_REQUEST_TIMEOUT",
            Argument::MaxConcurrentRequests => "PANEL_MAX_CONCURRENT_REQUESTS",
        }
    }

    fn is_secret(self) -> bool {
        matches!(
            self,
            Argument::Password | Argument::ApiKey | Argument::SecretKey | Argument::Token
        )
    }

    fn path(self) -> AttributePath {
        AttributePath::root(self.name())
    }

    /// "`login` (or PANEL_LOGIN)": how diagnostics name an argument.
    fn mention(self) -> String {
        format!("`{}` (or {})", self.name(), self.env_var())
    }
}

/// The provider block's schema. Descriptions state the environment variable and the
/// default, since they become the documentation.
pub fn schema() -> Schema {
    let env = |argument: Argument| {
        format!(
            " Falls back to the `{}` environment variable when not set here.",
            argument.env_var()
        )
    };
    let kinds = PANEL_TYPES.iter().map(|k| k.as_str()).collect::<Vec<_>>();
    Schema::new(0)
        .markdown(
            "Manages users, domains and databases on a hosting panel: Plesk (REST API v2 or \
             XML API), PanelAlpha or HestiaCP. Every argument can come from an environment \
             variable instead, so `provider \"panel\" {}` works from the environment alone; a \
             value set in the block wins over the environment, which wins over the default.",
        )
        .attribute(
            Attribute::string("type")
                .optional()
                .validator(validate::one_of(&kinds))
                .markdown(format!(
                    "Which panel API to use: `plesk_rest` (Plesk REST API v2), `plesk_xml` \
                     (Plesk XML API), `panelalpha` or `hestia`. Required here or in the \
                     environment.{}",
                    env(Argument::Type)
                )),
        )
        .attribute(Attribute::string("endpoint").optional().markdown(format!(
            "Base URL of the panel, e.g. `https://panel.example.com:8443`. Must be an http:// or \
             https:// URL; the API path is added by the provider. Required here or in the \
             environment.{}",
            env(Argument::Endpoint)
        )))
        .attribute(Attribute::string("login").optional().markdown(format!(
            "Administrator login, used with `password` (Plesk REST, Plesk XML, HestiaCP).{}",
            env(Argument::Login)
        )))
        .attribute(
            Attribute::string("password")
                .optional()
                .sensitive()
                .markdown(format!(
                    "Administrator password, used with `login`.{}",
                    env(Argument::Password)
                )),
        )
        .attribute(
            Attribute::string("api_key")
                .optional()
                .sensitive()
                .markdown(format!(
            "Plesk REST API key, sent as `X-API-Key`; used instead of `login` + `password`.{}",
            env(Argument::ApiKey)
        )),
        )
        .attribute(
            Attribute::string("secret_key")
                .optional()
                .sensitive()
                .markdown(format!(
                    "Plesk XML API secret key (sent as the `KEY` header, instead of `login` + \
             `password`), or the HestiaCP secret key that goes with `access_key`.{}",
                    env(Argument::SecretKey)
                )),
        )
        .attribute(Attribute::string("access_key").optional().markdown(format!(
            "HestiaCP access key id, used with `secret_key` instead of `login` + `password`.{}",
            env(Argument::AccessKey)
        )))
        .attribute(
            Attribute::string("token")
                .optional()
                .sensitive()
                .markdown(format!(
                    "PanelAlpha API token (admin API, sent as a bearer token). Required for \
             `panelalpha`.{}",
                    env(Argument::Token)
                )),
        )
        .attribute(Attribute::bool("insecure").optional().markdown(format!(
            "Skip TLS certificate verification. Defaults to `false`; the provider warns when it \
             is on. Prefer `ca_cert_pem` for panels with a self-signed certificate. The \
             environment variable accepts `true`/`false`/`1`/`0`.{}",
            env(Argument::Insecure)
        )))
        .attribute(
            Attribute::string("ca_cert_pem")
                .optional()
                .markdown(format!(
                    "PEM text of CA certificate(s) to trust in addition to the system roots, e.g. \
             `file(\"panel-ca.pem\")`.{}",
                    env(Argument::CaCertPem)
                )),
        )
        .attribute(
            Attribute::int("request_timeout")
                .optional()
                .validator(validate::int_between(1, 86_400))
                .markdown(format!(
                    "Seconds one panel call may take in total, retries and their waits \
                     included. Defaults to `{DEFAULT_REQUEST_TIMEOUT_SECONDS}`.{}",
                    env(Argument::RequestTimeout)
                )),
        )
        .attribute(
            Attribute::int("max_concurrent_requests")
                .optional()
                .validator(validate::int_between(1, 1024))
                .markdown(format!(
                    "Most API requests in flight to the panel at once; more wait in the \
                     provider. Defaults to `{DEFAULT_MAX_CONCURRENT_REQUESTS}`, Terraform's own \
                     `-parallelism`, so the provider does not slow Terraform down. Lower it for a \
                     small panel (HestiaCP runs a shell script per call: `2`-`4` on one CPU), \
                     raise it together with `-parallelism` for a large one; see \
                     [Concurrency and load](#concurrency-and-load).{}",
                    env(Argument::MaxConcurrentRequests)
                )),
        )
}

/// Where a setting came from; diagnostics name the environment variable when it is to
/// blame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Config,
    Environment,
    Default,
}

/// One argument after applying precedence.
#[derive(Clone, PartialEq)]
pub enum Setting<T> {
    /// Neither in the block nor in the environment.
    Absent,
    /// In the block but not known until apply.
    Unknown,
    Known(T, Source),
}

impl<T> Setting<T> {
    fn known(&self) -> Option<&T> {
        match self {
            Setting::Known(value, _) => Some(value),
            _ => None,
        }
    }

    fn set_in_block(&self) -> bool {
        matches!(self, Setting::Known(_, Source::Config))
    }
}

/// The provider block as read, before validation. `Debug` never shows secrets.
#[derive(Clone)]
pub struct ProviderConfig {
    pub kind: Setting<String>,
    pub endpoint: Setting<String>,
    pub login: Setting<String>,
    pub password: Setting<Secret>,
    pub api_key: Setting<Secret>,
    pub secret_key: Setting<Secret>,
    pub access_key: Setting<String>,
    pub token: Setting<Secret>,
    pub insecure: Setting<bool>,
    pub ca_cert_pem: Setting<String>,
    pub request_timeout: Setting<u64>,
    pub max_concurrent_requests: Setting<u64>,
}

impl<T: fmt::Debug> fmt::Debug for Setting<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Setting::Absent => f.write_str("Absent"),
            Setting::Unknown => f.write_str("Unknown"),
            Setting::Known(value, source) => write!(f, "{value:?} ({source:?})"),
        }
    }
}

impl fmt::Debug for ProviderConfig {
    // `Secret` redacts itself; the explicit list keeps a future field from slipping in
    // unreviewed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderConfig")
            .field("type", &self.kind)
            .field("endpoint", &self.endpoint)
            .field("login", &self.login)
            .field("password", &self.password)
            .field("api_key", &self.api_key)
            .field("secret_key", &self.secret_key)
            .field("access_key", &self.access_key)
            .field("token", &self.token)
            .field("insecure", &self.insecure)
            .field("ca_cert_pem", &self.ca_cert_pem.known().map(|_| "<pem>"))
            .field("request_timeout", &self.request_timeout)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .finish()
    }
}

/// Looks an environment variable up; injectable so tests never touch the process
/// environment (which every test thread shares).
pub type EnvLookup = dyn Fn(&str) -> Option<String> + Send + Sync;

/// The real process environment.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// Which checks to run; see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Validate,
    Configure,
}

impl ProviderConfig {
    /// Reads every argument from `config` (the decoded provider block; null counts as
    /// empty) with the environment as fallback. Environment values that do not parse
    /// are reported with the variable's name.
    pub fn read(config: &Value, env: &EnvLookup) -> (Self, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let mut reader = Reader {
            config,
            env,
            diagnostics: &mut diagnostics,
        };
        let read = Self {
            kind: reader.string(Argument::Type),
            endpoint: reader.string(Argument::Endpoint),
            login: reader.string(Argument::Login),
            password: reader.secret(Argument::Password),
            api_key: reader.secret(Argument::ApiKey),
            secret_key: reader.secret(Argument::SecretKey),
            access_key: reader.string(Argument::AccessKey),
            token: reader.secret(Argument::Token),
            insecure: reader.bool(Argument::Insecure),
            ca_cert_pem: reader.string(Argument::CaCertPem),
            request_timeout: reader.number(Argument::RequestTimeout),
            max_concurrent_requests: reader.number(Argument::MaxConcurrentRequests),
        };
        (read, diagnostics)
    }

    /// Every secret value that is known, so the logging layer can scrub it.
    pub fn secret_values(&self) -> Vec<&str> {
        [&self.password, &self.api_key, &self.secret_key, &self.token]
            .into_iter()
            .filter_map(|s| s.known().map(Secret::expose))
            .filter(|s| !s.is_empty())
            .collect()
    }

    /// Checks the settings for `stage`; at [`Stage::Configure`] also builds the
    /// backend configuration (only when there are no errors).
    pub fn resolve(&self, stage: Stage) -> (Option<BackendConfig>, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let configure = stage == Stage::Configure;

        let kind = match &self.kind {
            Setting::Known(text, source) => {
                let kind = PANEL_TYPES.iter().copied().find(|k| k.as_str() == text);
                if kind.is_none() && *source == Source::Environment {
                    // A bad value in the block is caught by the schema validator.
                    diagnostics.error_at(
                        Argument::Type.path(),
                        "Invalid Panel Type",
                        format!(
                            "{} is set to {text:?}; valid values are {}.",
                            Argument::Type.env_var(),
                            panel_type_listing()
                        ),
                    );
                }
                kind
            }
            Setting::Absent if configure => {
                diagnostics.error_at(
                    Argument::Type.path(),
                    "Missing Panel Type",
                    format!(
                        "The provider needs to know which panel API to use: set {} to one of \
                         {}.",
                        Argument::Type.mention(),
                        panel_type_listing()
                    ),
                );
                None
            }
            _ => None,
        };

        let endpoint = match &self.endpoint {
            Setting::Known(text, source) => check_endpoint(text, *source, &mut diagnostics),
            Setting::Absent if configure => {
                diagnostics.error_at(
                    Argument::Endpoint.path(),
                    "Missing Panel Endpoint",
                    format!(
                        "Set {} to the panel's base URL, e.g. https://panel.example.com:8443.",
                        Argument::Endpoint.mention()
                    ),
                );
                None
            }
            _ => None,
        };

        if let Setting::Known(pem, source) = &self.ca_cert_pem {
            check_ca_cert(pem, *source, &mut diagnostics);
        }
        let insecure = matches!(self.insecure, Setting::Known(true, _));
        if insecure {
            diagnostics.warning_at(
                Argument::Insecure.path(),
                "TLS Verification Disabled",
                "`insecure` is on, so the provider does not check the panel's certificate and \
                 anyone on the network path could read the credentials. Prefer `ca_cert_pem` \
                 with the panel's certificate.",
            );
        }
        let request_timeout = self.positive(
            &self.request_timeout,
            Argument::RequestTimeout,
            DEFAULT_REQUEST_TIMEOUT_SECONDS,
            &mut diagnostics,
        );
        let max_concurrent_requests = self.positive(
            &self.max_concurrent_requests,
            Argument::MaxConcurrentRequests,
            DEFAULT_MAX_CONCURRENT_REQUESTS,
            &mut diagnostics,
        );

        let credentials = match kind {
            Some(kind) if configure => self.credentials(kind, &mut diagnostics),
            _ => None,
        };
        if let Some(kind) = kind {
            self.warn_unused(kind, &mut diagnostics);
        }

        if diagnostics.has_errors() || !configure {
            return (None, diagnostics);
        }
        let (Some(kind), Some(endpoint), Some(credentials)) = (kind, endpoint, credentials) else {
            return (None, diagnostics);
        };
        let backend = BackendConfig {
            kind,
            endpoint,
            credentials,
            insecure,
            ca_cert_pem: self.ca_cert_pem.known().cloned(),
            request_timeout: Duration::from_secs(request_timeout),
            max_concurrent_requests: usize::try_from(max_concurrent_requests).unwrap_or(usize::MAX),
            // Not part of the provider block: the provider adds it from the request.
            terraform_version: None,
        };
        (Some(backend), diagnostics)
    }

    fn positive(
        &self,
        setting: &Setting<u64>,
        argument: Argument,
        default: u64,
        diagnostics: &mut Diagnostics,
    ) -> u64 {
        match setting {
            Setting::Known(0, source) => {
                let origin = match source {
                    Source::Environment => argument.env_var().to_owned(),
                    _ => format!("`{}`", argument.name()),
                };
                diagnostics.error_at(
                    argument.path(),
                    "Invalid Attribute Value",
                    format!("{origin} must be at least 1, got 0."),
                );
                default
            }
            Setting::Known(value, _) => *value,
            _ => default,
        }
    }

    /// Picks the credentials for `kind`. Key-style credentials win over login +
    /// password when both are complete (they are the narrower grant).
    fn credentials(&self, kind: PanelKind, diagnostics: &mut Diagnostics) -> Option<Credentials> {
        let login_pair = self.pair(
            &self.login,
            &self.password,
            Argument::Login,
            Argument::Password,
        );
        let outcome = match kind {
            PanelKind::PleskRest => match (&self.api_key, login_pair) {
                (Setting::Known(key, _), _) => Ok(Credentials::ApiKey(key.clone())),
                (_, Pair::Complete(login, password)) => {
                    Ok(Credentials::LoginPassword { login, password })
                }
                (_, Pair::Half(missing)) => Err(missing),
                (_, Pair::Empty) => Err(Argument::ApiKey),
            },
            PanelKind::PleskXml => match (&self.secret_key, login_pair) {
                (Setting::Known(key, _), _) => Ok(Credentials::SecretKey(key.clone())),
                (_, Pair::Complete(login, password)) => {
                    Ok(Credentials::LoginPassword { login, password })
                }
                (_, Pair::Half(missing)) => Err(missing),
                (_, Pair::Empty) => Err(Argument::SecretKey),
            },
            PanelKind::PanelAlpha => match &self.token {
                Setting::Known(token, _) => Ok(Credentials::Token(token.clone())),
                _ => Err(Argument::Token),
            },
            PanelKind::Hestia => {
                let key_pair = self.pair(
                    &self.access_key,
                    &self.secret_key,
                    Argument::AccessKey,
                    Argument::SecretKey,
                );
                match (key_pair, login_pair) {
                    (Pair::Complete(access_key, secret_key), _) => Ok(Credentials::AccessKey {
                        access_key,
                        secret_key,
                    }),
                    (_, Pair::Complete(login, password)) => {
                        Ok(Credentials::LoginPassword { login, password })
                    }
                    (Pair::Half(missing), _) | (_, Pair::Half(missing)) => Err(missing),
                    (Pair::Empty, Pair::Empty) => Err(Argument::AccessKey),
                }
            }
        };
        match outcome {
            Ok(credentials) => Some(credentials),
            Err(blamed) => {
                diagnostics.error_at(
                    blamed.path(),
                    "Missing Panel Credentials",
                    format!("{} Set {}.", credential_rule(kind), blamed.mention()),
                );
                None
            }
        }
    }

    fn pair(
        &self,
        first: &Setting<String>,
        second: &Setting<Secret>,
        first_argument: Argument,
        second_argument: Argument,
    ) -> Pair {
        match (first, second) {
            (Setting::Known(a, _), Setting::Known(b, _)) => Pair::Complete(a.clone(), b.clone()),
            (Setting::Known(..), _) => Pair::Half(second_argument),
            (_, Setting::Known(..)) => Pair::Half(first_argument),
            _ => Pair::Empty,
        }
    }

    /// Warns about credentials set in the block that `kind` never uses (environment
    /// variables are not reported: one environment may serve several panels).
    fn warn_unused(&self, kind: PanelKind, diagnostics: &mut Diagnostics) {
        let used: &[Argument] = match kind {
            PanelKind::PleskRest => &[Argument::ApiKey, Argument::Login, Argument::Password],
            PanelKind::PleskXml => &[Argument::SecretKey, Argument::Login, Argument::Password],
            PanelKind::PanelAlpha => &[Argument::Token],
            PanelKind::Hestia => &[
                Argument::AccessKey,
                Argument::SecretKey,
                Argument::Login,
                Argument::Password,
            ],
        };
        let set_in_block = [
            (Argument::Login, self.login.set_in_block()),
            (Argument::Password, self.password.set_in_block()),
            (Argument::ApiKey, self.api_key.set_in_block()),
            (Argument::SecretKey, self.secret_key.set_in_block()),
            (Argument::AccessKey, self.access_key.set_in_block()),
            (Argument::Token, self.token.set_in_block()),
        ];
        for (argument, set) in set_in_block {
            if set && !used.contains(&argument) {
                diagnostics.warning_at(
                    argument.path(),
                    "Unused Provider Argument",
                    format!(
                        "`{}` is not used by the `{}` panel type and is ignored. {}",
                        argument.name(),
                        kind.as_str(),
                        credential_rule(kind)
                    ),
                );
            }
        }
    }
}

enum Pair {
    Empty,
    /// One half is set; names the missing one.
    Half(Argument),
    Complete(String, Secret),
}

fn panel_type_listing() -> String {
    PANEL_TYPES
        .iter()
        .map(|k| format!("`{}`", k.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn credential_rule(kind: PanelKind) -> String {
    let m = Argument::mention;
    match kind {
        PanelKind::PleskRest => format!(
            "plesk_rest needs api_key, or login + password: set {}, or {} and {}.",
            m(Argument::ApiKey),
            m(Argument::Login),
            m(Argument::Password)
        ),
        PanelKind::PleskXml => format!(
            "plesk_xml needs secret_key, or login + password: set {}, or {} and {}.",
            m(Argument::SecretKey),
            m(Argument::Login),
            m(Argument::Password)
        ),
        PanelKind::PanelAlpha => format!("panelalpha needs token: set {}.", m(Argument::Token)),
        PanelKind::Hestia => format!(
            "hestia needs access_key + secret_key, or login + password: set {} and {}, or {} \
             and {}.",
            m(Argument::AccessKey),
            m(Argument::SecretKey),
            m(Argument::Login),
            m(Argument::Password)
        ),
    }
}

/// Names where a bad value came from without repeating it when it may hold secrets.
fn origin(argument: Argument, source: Source) -> String {
    match source {
        Source::Environment => format!("{} (from the environment)", argument.env_var()),
        _ => format!("`{}`", argument.name()),
    }
}

fn check_endpoint(text: &str, source: Source, diagnostics: &mut Diagnostics) -> Option<String> {
    let origin = origin(Argument::Endpoint, source);
    let problem = match url::Url::parse(text) {
        Err(err) => Some(format!("it is not a URL ({err})")),
        Ok(url) if !matches!(url.scheme(), "http" | "https") => {
            Some(format!("the scheme is {:?}", url.scheme()))
        }
        Ok(url) if url.host_str().is_none_or(str::is_empty) => Some("it has no host".to_owned()),
        Ok(url) if !url.username().is_empty() || url.password().is_some() => {
            // Never echo the value: it carries credentials.
            diagnostics.error_at(
                Argument::Endpoint.path(),
                "Invalid Panel Endpoint",
                format!(
                    "{origin} contains credentials; put them in `login` and `password` (or the \
                     key arguments) instead."
                ),
            );
            return None;
        }
        Ok(_) => None,
    };
    match problem {
        Some(problem) => {
            diagnostics.error_at(
                Argument::Endpoint.path(),
                "Invalid Panel Endpoint",
                format!(
                    "{origin} must be an http:// or https:// URL such as \
                     https://panel.example.com:8443, but {problem}: {text:?}."
                ),
            );
            None
        }
        None => Some(text.trim_end_matches('/').to_owned()),
    }
}

fn check_ca_cert(pem: &str, source: Source, diagnostics: &mut Diagnostics) {
    let origin = origin(Argument::CaCertPem, source);
    let mut certificates = 0usize;
    let mut problem = None;
    for block in x509_parser::pem::Pem::iter_from_buffer(pem.as_bytes()) {
        match block {
            Ok(block) if block.label == "CERTIFICATE" => match block.parse_x509() {
                Ok(_) => certificates += 1,
                Err(err) => {
                    problem = Some(format!(
                        "certificate {} does not parse ({err})",
                        certificates + 1
                    ));
                    break;
                }
            },
            Ok(block) => {
                problem = Some(format!(
                    "it holds a {:?} block, not a CERTIFICATE",
                    block.label
                ));
                break;
            }
            Err(err) => {
                problem = Some(format!("the PEM text does not parse ({err})"));
                break;
            }
        }
    }
    if problem.is_none() && certificates == 0 {
        problem = Some("it holds no -----BEGIN CERTIFICATE----- block".to_owned());
    }
    if let Some(problem) = problem {
        diagnostics.error_at(
            Argument::CaCertPem.path(),
            "Invalid CA Certificate",
            format!("{origin} must be PEM-encoded CA certificate(s), but {problem}."),
        );
    }
}

struct Reader<'a> {
    config: &'a Value,
    env: &'a EnvLookup,
    diagnostics: &'a mut Diagnostics,
}

impl Reader<'_> {
    /// The block's value for `argument`: `Err(())` when unknown, `Ok(None)` when null.
    fn configured(&self, argument: Argument) -> Result<Option<&Value>, ()> {
        match self.config.get_attr(argument.name()) {
            Some(value) if value.is_unknown() => Err(()),
            Some(value) if !value.is_null() => Ok(Some(value)),
            _ => Ok(None),
        }
    }

    fn env(&self, argument: Argument) -> Option<String> {
        (self.env)(argument.env_var()).filter(|v| !v.trim().is_empty())
    }

    fn string(&mut self, argument: Argument) -> Setting<String> {
        match self.configured(argument) {
            Err(()) => Setting::Unknown,
            Ok(Some(value)) => match value.as_str() {
                Some(text) => Setting::Known(text.to_owned(), Source::Config),
                None => Setting::Absent,
            },
            Ok(None) => match self.env(argument) {
                Some(text) => Setting::Known(text, Source::Environment),
                None => Setting::Absent,
            },
        }
    }

    fn secret(&mut self, argument: Argument) -> Setting<Secret> {
        debug_assert!(argument.is_secret());
        match self.string(argument) {
            Setting::Known(text, source) => Setting::Known(Secret::new(text), source),
            Setting::Unknown => Setting::Unknown,
            Setting::Absent => Setting::Absent,
        }
    }

    fn bool(&mut self, argument: Argument) -> Setting<bool> {
        match self.configured(argument) {
            Err(()) => Setting::Unknown,
            Ok(Some(value)) => match value.as_bool() {
                Some(flag) => Setting::Known(flag, Source::Config),
                None => Setting::Absent,
            },
            Ok(None) => match self.env(argument) {
                None => Setting::Absent,
                Some(text) => match text.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" => Setting::Known(true, Source::Environment),
                    "false" | "0" => Setting::Known(false, Source::Environment),
                    _ => {
                        self.diagnostics.error_at(
                            argument.path(),
                            "Invalid Environment Variable",
                            format!(
                                "{} must be true, false, 1 or 0, got {text:?}.",
                                argument.env_var()
                            ),
                        );
                        Setting::Absent
                    }
                },
            },
        }
    }

    fn number(&mut self, argument: Argument) -> Setting<u64> {
        match self.configured(argument) {
            Err(()) => Setting::Unknown,
            // Range problems in the block are reported by the schema's validators.
            Ok(Some(value)) => match value.as_i64().and_then(|n| u64::try_from(n).ok()) {
                Some(number) => Setting::Known(number, Source::Config),
                None => Setting::Absent,
            },
            Ok(None) => match self.env(argument) {
                None => Setting::Absent,
                Some(text) => match text.trim().parse::<u64>() {
                    Ok(number) => Setting::Known(number, Source::Environment),
                    Err(_) => {
                        self.diagnostics.error_at(
                            argument.path(),
                            "Invalid Environment Variable",
                            format!(
                                "{} must be a whole number of at least 1, got {text:?}.",
                                argument.env_var()
                            ),
                        );
                        Setting::Absent
                    }
                },
            },
        }
    }
}

impl fmt::Display for Argument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn block(pairs: &[(&str, Value)]) -> Value {
        let mut fields: BTreeMap<String, Value> = Argument::ALL
            .iter()
            .map(|a| (a.name().to_owned(), Value::Null))
            .collect();
        for (name, value) in pairs {
            fields.insert((*name).to_owned(), value.clone());
        }
        Value::Object(fields)
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + Send + Sync {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn resolve(
        config: Value,
        environment: &[(&str, &str)],
        stage: Stage,
    ) -> (Option<BackendConfig>, Diagnostics) {
        let lookup = env(environment);
        let (settings, mut diagnostics) = ProviderConfig::read(&config, &lookup);
        let (backend, more) = settings.resolve(stage);
        diagnostics.extend(more);
        (backend, diagnostics)
    }

    fn error_paths(diagnostics: &Diagnostics) -> Vec<AttributePath> {
        diagnostics
            .iter()
            .filter(|d| d.severity == crate::framework::diag::Severity::Error)
            .filter_map(|d| d.attribute.clone())
            .collect()
    }

    #[test]
    fn schema_passes_the_framework_check_and_documents_env_vars() {
        let schema = schema();
        assert_eq!(schema.check(), Ok(()));
        for argument in Argument::ALL {
            let attribute = schema
                .block
                .attribute_named(argument.name())
                .expect("declared");
            assert!(
                attribute.description.contains(argument.env_var()),
                "{argument}"
            );
            assert!(
                attribute.optional,
                "{argument} must be optional for env fallback"
            );
        }
        for secret in ["password", "api_key", "secret_key", "token"] {
            assert!(schema
                .block
                .attribute_named(secret)
                .is_some_and(|a| a.sensitive));
        }
    }

    #[test]
    fn environment_alone_configures_with_defaults() {
        let (backend, diagnostics) = resolve(
            block(&[]),
            &[
                ("PANEL_TYPE", "hestia"),
                ("PANEL_ENDPOINT", "https://panel.example.com:8083/"),
                ("PANEL_ACCESS_KEY", "AK"),
                ("PANEL_SECRET_KEY", "SK"),
            ],
            Stage::Configure,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let backend = backend.expect("configured");
        assert_eq!(backend.kind, PanelKind::Hestia);
        assert_eq!(backend.endpoint, "https://panel.example.com:8083");
        assert_eq!(
            backend.credentials,
            Credentials::AccessKey {
                access_key: "AK".into(),
                secret_key: Secret::new("SK")
            }
        );
        assert!(!backend.insecure);
        assert_eq!(backend.request_timeout, Duration::from_secs(60));
        assert_eq!(backend.max_concurrent_requests, 10);
    }

    #[test]
    fn block_values_win_over_environment() {
        let (backend, diagnostics) = resolve(
            block(&[
                ("type", Value::String("plesk_rest".into())),
                ("api_key", Value::String("from-block".into())),
                (
                    "request_timeout",
                    Value::Number(crate::tfvalue::Number::Int(5)),
                ),
            ]),
            &[
                ("PANEL_TYPE", "hestia"),
                ("PANEL_ENDPOINT", "https://plesk.example.com:8443"),
                ("PANEL_API_KEY", "from-env"),
                ("PANEL_REQUEST_TIMEOUT", "99"),
                ("PANEL_MAX_CONCURRENT_REQUESTS", "2"),
            ],
            Stage::Configure,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let backend = backend.expect("configured");
        assert_eq!(backend.kind, PanelKind::PleskRest);
        assert_eq!(
            backend.credentials,
            Credentials::ApiKey(Secret::new("from-block"))
        );
        assert_eq!(backend.request_timeout, Duration::from_secs(5));
        assert_eq!(backend.max_concurrent_requests, 2);
    }

    #[test]
    fn missing_credentials_name_the_attribute_and_its_env_var() {
        let (backend, diagnostics) = resolve(
            block(&[
                ("type", Value::String("hestia".into())),
                (
                    "endpoint",
                    Value::String("https://h.example.com:8083".into()),
                ),
                ("login", Value::String("admin".into())),
            ]),
            &[],
            Stage::Configure,
        );
        assert!(backend.is_none());
        assert_eq!(
            error_paths(&diagnostics),
            vec![AttributePath::root("password")]
        );
        let detail = &diagnostics.0[0].detail;
        assert!(
            detail.contains("hestia needs access_key + secret_key, or login + password"),
            "{detail}"
        );
        assert!(
            detail.contains("PANEL_PASSWORD") && detail.contains("PANEL_ACCESS_KEY"),
            "{detail}"
        );

        let (_, diagnostics) = resolve(
            block(&[("type", Value::String("panelalpha".into()))]),
            &[("PANEL_ENDPOINT", "https://pa.example.com")],
            Stage::Configure,
        );
        assert_eq!(
            error_paths(&diagnostics),
            vec![AttributePath::root("token")]
        );
        assert!(diagnostics.0[0].detail.contains("PANEL_TOKEN"));
    }

    #[test]
    fn missing_type_and_endpoint_are_reported_only_at_configure() {
        let (_, diagnostics) = resolve(block(&[]), &[], Stage::Configure);
        assert_eq!(
            error_paths(&diagnostics),
            vec![AttributePath::root("type"), AttributePath::root("endpoint")]
        );
        assert!(diagnostics.0[0].detail.contains("PANEL_TYPE"));
        assert!(diagnostics.0[0]
            .detail
            .contains("`plesk_rest`, `plesk_xml`, `panelalpha`, `hestia`"));
        let (_, diagnostics) = resolve(block(&[]), &[], Stage::Validate);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }

    #[test]
    fn bad_formats_are_reported_with_their_source() {
        let (_, diagnostics) = resolve(
            block(&[
                ("endpoint", Value::String("ftp://panel.example.com".into())),
                ("ca_cert_pem", Value::String("not a certificate".into())),
            ]),
            &[
                ("PANEL_TYPE", "cpanel"),
                ("PANEL_INSECURE", "maybe"),
                ("PANEL_REQUEST_TIMEOUT", "0"),
            ],
            Stage::Validate,
        );
        let paths = error_paths(&diagnostics);
        for expected in [
            "insecure",
            "type",
            "endpoint",
            "ca_cert_pem",
            "request_timeout",
        ] {
            assert!(
                paths.contains(&AttributePath::root(expected)),
                "{expected}: {diagnostics:?}"
            );
        }
        let text: Vec<&str> = diagnostics.iter().map(|d| d.detail.as_str()).collect();
        assert!(
            text.iter()
                .any(|t| t.contains("PANEL_TYPE is set to \"cpanel\"")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|t| t.contains("PANEL_INSECURE")),
            "{text:?}"
        );
    }

    #[test]
    fn endpoint_with_credentials_is_rejected_without_echoing_them() {
        let (_, diagnostics) = resolve(
            block(&[(
                "endpoint",
                Value::String("https://admin:hunter2@panel.example.com".into()),
            )]),
            &[],
            Stage::Validate,
        );
        assert_eq!(
            error_paths(&diagnostics),
            vec![AttributePath::root("endpoint")]
        );
        assert!(!format!("{diagnostics:?}").contains("hunter2"));
    }

    #[test]
    fn insecure_warns_and_unknown_values_are_not_errors() {
        let (_, diagnostics) = resolve(
            block(&[
                ("insecure", Value::Bool(true)),
                ("endpoint", Value::Unknown(Default::default())),
                ("token", Value::String("t".into())),
            ]),
            &[("PANEL_TYPE", "hestia")],
            Stage::Validate,
        );
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        let warned: Vec<_> = diagnostics
            .iter()
            .filter_map(|d| d.attribute.clone())
            .collect();
        assert_eq!(
            warned,
            vec![
                AttributePath::root("insecure"),
                AttributePath::root("token")
            ]
        );
    }

    #[test]
    fn a_real_ca_certificate_is_accepted() {
        let certificate =
            rcgen::generate_simple_self_signed(vec!["panel.test".to_owned()]).expect("certificate");
        let mut diagnostics = Diagnostics::new();
        check_ca_cert(&certificate.cert.pem(), Source::Config, &mut diagnostics);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let broken = certificate.cert.pem().replace('M', "A");
        check_ca_cert(&broken, Source::Config, &mut diagnostics);
        assert!(diagnostics.has_errors());
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let secrets = ["pw-SECRET-1", "key-SECRET-2", "sk-SECRET-3", "tok-SECRET-4"];
        let config = block(&[
            ("type", Value::String("plesk_xml".into())),
            ("endpoint", Value::String("https://p.example.com".into())),
            ("login", Value::String("admin".into())),
            ("password", Value::String(secrets[0].into())),
            ("api_key", Value::String(secrets[1].into())),
            ("secret_key", Value::String(secrets[2].into())),
            ("token", Value::String(secrets[3].into())),
        ]);
        let lookup = env(&[]);
        let (settings, _) = ProviderConfig::read(&config, &lookup);
        let (backend, _) = settings.resolve(Stage::Configure);
        let backend = backend.expect("configured");
        let printed = format!("{settings:?} {backend:?} {settings:#?}");
        for secret in secrets {
            assert!(!printed.contains(secret), "{secret} leaked: {printed}");
        }
        assert!(
            printed.contains("admin"),
            "non-secrets stay visible: {printed}"
        );
        assert_eq!(settings.secret_values().len(), 4);
    }
}
