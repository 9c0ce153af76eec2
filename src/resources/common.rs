//! Helpers every resource shares: reading attributes out of Terraform values,
//! building state objects, turning [`PanelError`]s into diagnostics a person can act
//! on, the "already exists: import it" diagnostic, and name rules (domain names,
//! logins, database names) checked at plan time.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::framework::diag::Diagnostics;
use crate::framework::resource::Context;
use crate::panel::{Capabilities, PanelError, PanelErrorKind, PanelKind};
use crate::provider::ProviderData;
use crate::tfvalue::{AttributePath, Value};

/// The configured panel when `Configure` produced one; `None` during validation or
/// when the provider block depended on unknown values (plan-time checks are skipped
/// then, and apply reports the real reason).
pub fn provider_if_ready(ctx: &Context) -> Option<Arc<ProviderData>> {
    ctx.try_provider_data::<ProviderData>()
}

/// A known, non-null string attribute.
pub fn string_attr<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    value.get_attr(name).and_then(Value::as_str)
}

/// An owned copy of a known, non-null string attribute.
pub fn owned_attr(value: &Value, name: &str) -> Option<String> {
    string_attr(value, name).map(str::to_owned)
}

pub fn bool_attr(value: &Value, name: &str) -> Option<bool> {
    value.get_attr(name).and_then(Value::as_bool)
}

/// The attribute's value, null when absent.
pub fn attr(value: &Value, name: &str) -> Value {
    value.get_attr(name).cloned().unwrap_or(Value::Null)
}

pub fn is_unknown(value: &Value, name: &str) -> bool {
    value.get_attr(name).is_some_and(Value::is_unknown)
}

pub fn is_null(value: &Value, name: &str) -> bool {
    value.get_attr(name).is_none_or(Value::is_null)
}

pub fn optional_string(value: Option<&str>) -> Value {
    value.map_or(Value::Null, Value::string)
}

/// A state object from `(attribute, value)` pairs.
pub fn object(pairs: Vec<(&str, Value)>) -> Value {
    Value::Object(
        pairs
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// Which diagnostic a failed call becomes: what the resource was doing, to what.
pub struct Failure<'a> {
    /// `panel_user`, ...
    pub type_name: &'a str,
    /// "create", "read", "update", "delete", "import".
    pub action: &'a str,
    /// How the object is named to the reader, e.g. `user "alice"`.
    pub object: String,
    /// Maps the panel model's field names to attribute names (e.g. `password` to
    /// `password_wo`); fields that map to nothing get no attribute path.
    pub field_to_attribute: fn(&str) -> Option<&'static str>,
}

impl Failure<'_> {
    /// The error diagnostic for `error`: a Title Case summary by kind, a detail naming
    /// the resource type, the object and the attribute, saying what to do, and ending
    /// with the panel's own code and message.
    pub fn diagnostics(&self, error: &PanelError) -> Diagnostics {
        let mut diagnostics = Diagnostics::new();
        let attribute = match &error.kind {
            PanelErrorKind::InvalidInput { field: Some(field) } => (self.field_to_attribute)(field),
            _ => None,
        };
        let (summary, advice) = match &error.kind {
            PanelErrorKind::NotFound if self.action == "create" => (
                "Panel Object Not Found",
                "Something the new object refers to does not exist on the panel; check the \
                 referenced owner, domain or parent.",
            ),
            PanelErrorKind::NotFound => (
                "Panel Object Not Found",
                "Run `terraform plan` again: the object may have been removed outside Terraform.",
            ),
            PanelErrorKind::AlreadyExists => (
                "Panel Object Already Exists",
                "Import the existing object instead of creating it.",
            ),
            PanelErrorKind::InvalidInput { .. } => (
                "Panel Rejected A Value",
                "Correct the value in the configuration and apply again.",
            ),
            PanelErrorKind::Unsupported => (
                "Not Supported By This Panel",
                "Remove the setting or manage it in the panel itself.",
            ),
            PanelErrorKind::Auth => (
                "Panel Authentication Failed",
                "Check the provider credentials, that the API is enabled for them, and that \
                 this machine's IP address is allowed to use it.",
            ),
            PanelErrorKind::RateLimited => (
                "Panel Rate Limit Reached",
                "Wait a moment and apply again, or lower `max_concurrent_requests`.",
            ),
            PanelErrorKind::Temporary => (
                "Panel Temporarily Unavailable",
                "Apply again later; if it persists, check the panel's health.",
            ),
            PanelErrorKind::Protocol => (
                "Unexpected Panel Answer",
                "The panel answered something the provider does not understand; check that \
                 the panel version is supported, and report it if it is.",
            ),
            PanelErrorKind::Transport => (
                "Panel Unreachable",
                "Check the provider `endpoint`, the network, and the panel's TLS certificate.",
            ),
        };
        let on_attribute = attribute
            .map(|name| format!(" (attribute `{name}`)"))
            .unwrap_or_default();
        let mut detail = format!(
            "Could not {} `{}` {}{on_attribute}: {}. {advice}",
            self.action,
            self.type_name,
            self.object,
            error.message.trim_end_matches('.')
        );
        detail.push_str(&panel_said(error));
        match attribute {
            Some(name) => diagnostics.error_at(AttributePath::root(name), summary, detail),
            None => diagnostics.error(summary, detail),
        }
        diagnostics
    }
}

/// " The panel said: [code] message" when the panel gave either.
fn panel_said(error: &PanelError) -> String {
    match (&error.panel_code, &error.panel_message) {
        (Some(code), Some(message)) => format!(" The panel said: [{code}] {message}"),
        (Some(code), None) => format!(" The panel's error code: {code}."),
        (None, Some(message)) => format!(" The panel said: {message}"),
        (None, None) => String::new(),
    }
}

/// The diagnostic for a create that collided with an existing object: it gives the
/// exact import command and `import {}` block, because adopting the object silently
/// would let Terraform later destroy something it never created.
pub fn already_exists(
    type_name: &str,
    object: &str,
    import_id: &str,
    error: &PanelError,
) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let quoted = import_id.replace('\\', "\\\\").replace('"', "\\\"");
    diagnostics.error(
        "Panel Object Already Exists",
        format!(
            "`{type_name}` {object} already exists on the panel, so it was not created. To \
             manage the existing object with Terraform, import it, replacing NAME with this \
             resource's name in your configuration:\n\n  terraform import {type_name}.NAME \
             '{import_id}'\n\nor add this block and run `terraform apply`:\n\n  import {{\n    \
             to = {type_name}.NAME\n    id = \"{quoted}\"\n  }}\n\nOtherwise choose another \
             name.{}",
            panel_said(error)
        ),
    );
    diagnostics
}

/// The lowercase ASCII (punycode) form of a domain name, or why it is not one.
/// A trailing dot (fully qualified form) is accepted and dropped.
pub fn normalize_domain(name: &str) -> Result<String, String> {
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.is_empty() {
        return Err("is empty".to_owned());
    }
    let ascii = idna::domain_to_ascii(trimmed)
        .map_err(|_| "is not a valid internationalised domain name".to_owned())?;
    if ascii.len() > 253 {
        return Err(format!(
            "is {} characters long in ASCII form; the limit is 253",
            ascii.len()
        ));
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.len() < 2 {
        return Err("needs at least two labels, like `example.com`".to_owned());
    }
    for label in &labels {
        if label.is_empty() || label.len() > 63 {
            return Err(format!(
                "has a label of {} characters; labels hold 1 to 63",
                label.len()
            ));
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(format!(
                "has the label `{label}`; labels hold only letters, digits and `-`"
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(format!(
                "has the label `{label}`, which starts or ends with `-`"
            ));
        }
    }
    if labels
        .iter()
        .all(|label| label.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err("looks like an IP address, not a domain name".to_owned());
    }
    Ok(ascii)
}

/// Two spellings of a domain name mean the same domain.
pub fn same_domain(a: &str, b: &str) -> bool {
    match (normalize_domain(a), normalize_domain(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// What state records for a domain name the panel reports: the prior spelling when it
/// means the same domain (so `Example.COM` or `bücher.de` in the configuration do not
/// show a diff against the panel's `example.com` / `xn--bcher-kva.de`), else the
/// panel's.
pub fn keep_spelling(prior: Option<&str>, panel: &str) -> String {
    match prior {
        Some(prior) if same_domain(prior, panel) => prior.to_owned(),
        _ => panel.to_owned(),
    }
}

/// Login rules shared by Plesk and HestiaCP (the stricter per-panel rules are checked
/// at plan time, once the panel is known): lowercase letters, digits, `_`, `-` and
/// `.`, starting with a letter, at most 60 characters (Plesk's limit).
pub fn login_problem(login: &str) -> Option<String> {
    let mut chars = login.chars();
    match chars.next() {
        None => return Some("must not be empty".to_owned()),
        Some(first) if !first.is_ascii_lowercase() => {
            return Some(format!("must start with a lowercase letter, got {login:?}"))
        }
        Some(_) => {}
    }
    if let Some(bad) = login
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.')))
    {
        return Some(format!(
            "may contain only lowercase letters, digits, `_`, `-` and `.`, got {bad:?} in {login:?}"
        ));
    }
    let length = login.chars().count();
    (length > 60).then(|| format!("must be at most 60 characters long, got {length}"))
}

/// Names HestiaCP refuses for new users (case-insensitive), from its `v-add-user`.
const HESTIA_RESERVED_LOGINS: &[&str] = &[
    "aria",
    "aria_log",
    "mysql",
    "mysql_upgrade",
    "ib",
    "ib_buffer",
    "ddl",
    "ddl_recovery",
    "performance",
    "sudo",
];

/// HestiaCP's stricter rule for new users: 2 to 30 characters, no `.`, ending with a
/// letter or digit, not a reserved name.
pub fn hestia_login_problem(login: &str) -> Option<String> {
    let length = login.chars().count();
    if !(2..=30).contains(&length) {
        return Some(format!(
            "must be 2 to 30 characters long on HestiaCP, got {length}"
        ));
    }
    if login.contains('.') {
        return Some("must not contain `.` on HestiaCP".to_owned());
    }
    if !login
        .chars()
        .last()
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return Some("must end with a letter or digit on HestiaCP".to_owned());
    }
    if HESTIA_RESERVED_LOGINS
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(login))
    {
        return Some(format!("{login:?} is a name HestiaCP reserves"));
    }
    None
}

/// Database and database-user names: letters, digits and `_` only, the subset every
/// panel and both engines accept without quoting.
pub fn database_identifier_problem(name: &str, max: usize) -> Option<String> {
    if name.is_empty() {
        return Some("must not be empty".to_owned());
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || *c == '_'))
    {
        return Some(format!(
            "may contain only letters, digits and `_`, got {bad:?} in {name:?}"
        ));
    }
    let length = name.chars().count();
    (length > max).then(|| format!("must be at most {max} characters long, got {length}"))
}

/// How a panel prefixes the database and database-user names it stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamePrefix {
    /// Stored as written (Plesk).
    None,
    /// `<owner login>_` (HestiaCP; the owner's id is the login).
    OwnerLogin,
    /// `<hosting account username>_` (PanelAlpha, cPanel style). The username is not
    /// the owner's id and the database API does not report it. Assumption: hosting
    /// account usernames contain no `_` (cPanel and the other servers PanelAlpha drives
    /// refuse it), so the prefix ends at the first `_`.
    AccountUsername,
}

impl NamePrefix {
    pub fn of(kind: PanelKind, capabilities: &Capabilities) -> Self {
        match (capabilities.database_name_prefix, kind) {
            (false, _) => NamePrefix::None,
            (true, PanelKind::PanelAlpha) => NamePrefix::AccountUsername,
            (true, _) => NamePrefix::OwnerLogin,
        }
    }

    /// The part of a stored name the user writes. A name lacking the expected prefix
    /// (made outside the panel's rules) is returned whole rather than guessed at.
    pub fn strip<'a>(self, owner: &str, stored: &'a str) -> &'a str {
        let rest = match self {
            NamePrefix::None => None,
            NamePrefix::OwnerLogin => stored
                .get(..owner.len())
                .filter(|head| head.eq_ignore_ascii_case(owner))
                .and_then(|_| stored.get(owner.len()..))
                .and_then(|rest| rest.strip_prefix('_')),
            NamePrefix::AccountUsername => stored
                .split_once('_')
                .filter(|(head, _)| !head.is_empty())
                .map(|(_, rest)| rest),
        };
        rest.filter(|rest| !rest.is_empty()).unwrap_or(stored)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_normalise_to_lowercase_punycode() {
        assert_eq!(
            normalize_domain("Example.COM").as_deref(),
            Ok("example.com")
        );
        assert_eq!(
            normalize_domain("bücher.de").as_deref(),
            Ok("xn--bcher-kva.de")
        );
        assert_eq!(
            normalize_domain("example.com.").as_deref(),
            Ok("example.com")
        );
        for bad in [
            "",
            "localhost",
            "a..b",
            "-a.com",
            "a_b.com",
            "1.2.3.4",
            "a b.com",
        ] {
            assert!(normalize_domain(bad).is_err(), "{bad:?} accepted");
        }
        assert!(same_domain("Bücher.DE", "xn--bcher-kva.de"));
        assert_eq!(
            keep_spelling(Some("Example.com"), "example.com"),
            "Example.com"
        );
        assert_eq!(
            keep_spelling(Some("other.com"), "example.com"),
            "example.com"
        );
        assert_eq!(keep_spelling(None, "example.com"), "example.com");
    }

    #[test]
    fn login_rules() {
        assert_eq!(login_problem("alice.b-2_c"), None);
        assert!(login_problem("Alice").is_some());
        assert!(login_problem("1alice").is_some());
        assert!(login_problem("al ice").is_some());
        assert!(login_problem(&"a".repeat(61)).is_some());
        assert_eq!(hestia_login_problem("alice"), None);
        assert!(hestia_login_problem("a").is_some());
        assert!(hestia_login_problem("al.ice").is_some());
        assert!(hestia_login_problem("alice-").is_some());
        assert!(hestia_login_problem("sudo").is_some());
        assert!(hestia_login_problem(&"a".repeat(31)).is_some());
    }

    #[test]
    fn name_prefixes_are_stripped_only_where_the_panel_adds_them() {
        assert_eq!(NamePrefix::OwnerLogin.strip("bob", "bob_wp"), "wp");
        assert_eq!(NamePrefix::OwnerLogin.strip("bob", "bobby_wp"), "bobby_wp");
        assert_eq!(NamePrefix::OwnerLogin.strip("bob", "bob_"), "bob_");
        assert_eq!(NamePrefix::None.strip("bob", "bob_wp"), "bob_wp");
        assert_eq!(
            NamePrefix::AccountUsername.strip("7", "service1_my_shop"),
            "my_shop"
        );
        assert_eq!(NamePrefix::AccountUsername.strip("7", "shop"), "shop");
        assert_eq!(NamePrefix::AccountUsername.strip("7", "_shop"), "_shop");
    }

    #[test]
    fn errors_name_the_attribute_and_end_with_the_panel_message() {
        let failure = Failure {
            type_name: "panel_user",
            action: "create",
            object: "user \"alice\"".to_owned(),
            field_to_attribute: |field| (field == "password").then_some("password_wo"),
        };
        let error = PanelError::invalid(Some("password"), "too short")
            .with_panel(Some("2".into()), Some("Error: bad password".into()));
        let diagnostics = failure.diagnostics(&error);
        let diagnostic = &diagnostics.0[0];
        assert_eq!(diagnostic.summary, "Panel Rejected A Value");
        assert_eq!(
            diagnostic.attribute,
            Some(AttributePath::root("password_wo"))
        );
        assert!(diagnostic.detail.contains("`panel_user` user \"alice\""));
        assert!(diagnostic
            .detail
            .ends_with("The panel said: [2] Error: bad password"));
        let exists = already_exists(
            "panel_user",
            "user \"alice\"",
            "alice",
            &PanelError::already_exists("exists"),
        );
        assert!(exists.0[0]
            .detail
            .contains("terraform import panel_user.NAME 'alice'"));
        assert!(exists.0[0].detail.contains("id = \"alice\""));
    }
}
