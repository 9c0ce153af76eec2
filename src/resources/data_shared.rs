//! Helpers the data sources share: reading lookup keys from configuration, the
//! "exactly one lookup" rule, domain-name normalisation, and turning a [`PanelError`]
//! into diagnostics that name the data source and the lookup.
//!
//! The error mapping is private to the data sources until `resources/common.rs` (owned
//! by the resources work) offers the same for everyone; its wording follows the same
//! contract (Title Case summary; detail names the type and object, says what to do, and
//! ends with the panel's own code and message).

use std::sync::Arc;

use crate::framework::diag::Diagnostics;
use crate::framework::resource::Context;
use crate::panel::{PanelError, PanelErrorKind};
use crate::provider::ProviderData;
use crate::tfvalue::{AttributePath, Value};

/// A string attribute of `config`: `None` when null, unknown or absent.
pub(crate) fn config_string(config: &Value, name: &str) -> Option<String> {
    config
        .get_attr(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// Whether the attribute is given at all. Unknown counts as given: during validation
/// a value computed elsewhere is still a lookup the user asked for.
pub(crate) fn is_set(config: &Value, name: &str) -> bool {
    config.get_attr(name).is_some_and(|v| !v.is_null())
}

/// Nullable string -> Terraform value.
pub(crate) fn optional_string(value: Option<&str>) -> Value {
    value.map_or(Value::Null, Value::string)
}

/// The configured panel, or the diagnostics explaining why there is none.
pub(crate) fn provider_data(ctx: &Context) -> Result<Arc<ProviderData>, Diagnostics> {
    ProviderData::from_context(ctx)
}

/// Lowercase ASCII form of a domain name, with internationalised names in punycode,
/// which is how every backend reports names. Falls back to plain lowercasing when the
/// name is not a valid IDN so the lookup still runs and reports "not found" rather
/// than a second kind of error.
pub(crate) fn normalise_domain(name: &str) -> String {
    let trimmed = name.trim().trim_end_matches('.');
    idna::domain_to_ascii(trimmed).unwrap_or_else(|_| trimmed.to_ascii_lowercase())
}

/// Emails compare case-insensitively: the domain part is case-insensitive by standard
/// and no panel we support treats the local part as case-sensitive either.
pub(crate) fn same_email(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The lookup a data source was asked for, for diagnostics: `login = "bob"`.
pub(crate) fn describe_lookup(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("`{name}` = {value:?}"))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// The error a singular lookup reports when the panel has no such object.
pub(crate) fn not_found(
    type_name: &str,
    noun: &str,
    attribute: &str,
    lookup: &[(&str, &str)],
) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error_at(
        AttributePath::root(attribute),
        format!("{} Not Found", title_case(noun)),
        format!(
            "data.{type_name}: the panel has no {noun} with {}. Check the spelling, and that \
             the object exists on the panel this provider is configured for.",
            describe_lookup(lookup)
        ),
    );
    diagnostics
}

/// `attributes` are alternative lookups: exactly one of them must be given. `groups`
/// lists, for each alternative, the attributes it needs together (e.g. `owner` with
/// `name`); a group counts as chosen when any of its attributes is set.
pub(crate) fn check_exactly_one_lookup(
    type_name: &str,
    config: &Value,
    groups: &[&[&str]],
    diagnostics: &mut Diagnostics,
) {
    let describe = |group: &[&str]| {
        group
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let choices = groups
        .iter()
        .map(|group| describe(group))
        .collect::<Vec<_>>()
        .join(" or ");
    let chosen: Vec<&&[&str]> = groups
        .iter()
        .filter(|group| group.iter().any(|name| is_set(config, name)))
        .collect();
    match chosen.as_slice() {
        [] => diagnostics.error(
            "Missing Lookup",
            format!("data.{type_name} needs exactly one lookup: set {choices}."),
        ),
        [group] => {
            for name in group.iter().filter(|name| !is_set(config, name)) {
                let others = group
                    .iter()
                    .filter(|other| *other != name)
                    .map(|other| format!("`{other}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                diagnostics.error_at(
                    AttributePath::root(*name),
                    "Incomplete Lookup",
                    format!(
                        "data.{type_name}: `{name}` must be set together with {others}; the \
                         lookup needs {}.",
                        describe(group)
                    ),
                );
            }
        }
        [_, later @ ..] => {
            for group in later {
                if let Some(name) = group.iter().find(|name| is_set(config, name)) {
                    diagnostics.error_at(
                        AttributePath::root(*name),
                        "Conflicting Lookups",
                        format!(
                            "data.{type_name} looks an object up by exactly one of {choices}; \
                             more than one is set. Remove all but one."
                        ),
                    );
                }
            }
        }
    }
}

/// Diagnostics for a panel call that failed while a data source was reading.
///
/// `what` describes the call for a person ("looking up user `login` = \"bob\"");
/// `attribute` is where to point when the panel rejected the lookup value itself.
pub(crate) fn panel_error(
    type_name: &str,
    what: &str,
    attribute: Option<&str>,
    err: &PanelError,
) -> Diagnostics {
    let (summary, advice) = match &err.kind {
        PanelErrorKind::NotFound => (
            "Panel Object Not Found",
            "The object it depends on does not exist on the panel.",
        ),
        PanelErrorKind::AlreadyExists => (
            "Panel Conflict",
            "The panel reported a conflict for a read; retry, and report it if it persists.",
        ),
        PanelErrorKind::InvalidInput { .. } => (
            "Invalid Lookup Value",
            "The panel cannot use this value for a lookup; check its format for this panel \
             type.",
        ),
        PanelErrorKind::Unsupported => (
            "Not Supported By This Panel",
            "The configured panel type cannot answer this lookup.",
        ),
        PanelErrorKind::Auth => (
            "Panel Authentication Failed",
            "Check the provider's credentials, that the API is enabled on the panel, and that \
             this machine's IP address is allowed to use it.",
        ),
        PanelErrorKind::RateLimited => (
            "Panel Rate Limit Reached",
            "The panel asked to slow down; retry later or lower `max_concurrent_requests`.",
        ),
        PanelErrorKind::Temporary => (
            "Panel Temporarily Unavailable",
            "The panel failed in a way that usually passes; retry in a moment.",
        ),
        PanelErrorKind::Protocol => (
            "Unexpected Panel Answer",
            "The panel answered something the provider does not understand; check that \
             `type` matches the panel and its version is supported.",
        ),
        PanelErrorKind::Transport => (
            "Panel Unreachable",
            "Check `endpoint`, the network path to the panel and its TLS certificate.",
        ),
    };
    let mut detail = format!("data.{type_name}: {what} failed: {err}. {advice}");
    match (&err.panel_code, &err.panel_message) {
        (Some(code), Some(message)) => detail.push_str(&format!(" Panel said ({code}): {message}")),
        (Some(code), None) => detail.push_str(&format!(" Panel code: {code}.")),
        (None, Some(message)) => detail.push_str(&format!(" Panel said: {message}")),
        (None, None) => {}
    }
    let mut diagnostics = Diagnostics::new();
    let point_at_value = matches!(err.kind, PanelErrorKind::InvalidInput { .. });
    match attribute.filter(|_| point_at_value) {
        Some(name) => diagnostics.error_at(AttributePath::root(name), summary, detail),
        None => diagnostics.error(summary, detail),
    }
    diagnostics
}

fn title_case(noun: &str) -> String {
    noun.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::diag::Severity;

    fn config(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    fn messages(diagnostics: &Diagnostics) -> Vec<String> {
        diagnostics
            .iter()
            .map(|d| format!("{} | {}", d.summary, d.detail))
            .collect()
    }

    #[test]
    fn exactly_one_lookup_accepts_one_group_and_rejects_none_both_or_half() {
        let groups: &[&[&str]] = &[&["id"], &["owner", "name"]];
        let check = |pairs: &[(&str, Value)]| {
            let mut diagnostics = Diagnostics::new();
            check_exactly_one_lookup("panel_database", &config(pairs), groups, &mut diagnostics);
            diagnostics
        };
        assert!(check(&[("id", Value::string("7")), ("name", Value::Null)]).is_empty());
        assert!(check(&[("owner", Value::string("a")), ("name", Value::unknown())]).is_empty());

        let none = check(&[("id", Value::Null)]);
        assert_eq!(none.0.len(), 1);
        assert!(messages(&none)[0].contains("`id` or `owner` + `name`"));

        let both = check(&[("id", Value::string("7")), ("name", Value::string("x"))]);
        assert!(both.has_errors());
        assert!(both.0[0].summary.contains("Conflicting"));

        let half = check(&[("owner", Value::string("a"))]);
        assert_eq!(half.0.len(), 1);
        assert_eq!(half.0[0].attribute, Some(AttributePath::root("name")));
    }

    #[test]
    fn domain_names_normalise_to_lowercase_punycode() {
        assert_eq!(normalise_domain("Example.COM."), "example.com");
        assert_eq!(normalise_domain("bücher.example"), "xn--bcher-kva.example");
    }

    #[test]
    fn panel_errors_name_the_lookup_and_end_with_the_panels_words() {
        let err = PanelError::invalid(Some("id"), "expected a numeric panelalpha id").with_panel(
            Some("422".into()),
            Some("The id must be an integer.".into()),
        );
        let diagnostics = panel_error(
            "panel_user",
            "looking up user `id` = \"x\"",
            Some("id"),
            &err,
        );
        let diagnostic = &diagnostics.0[0];
        assert_eq!(diagnostic.severity, Severity::Error);
        assert_eq!(diagnostic.summary, "Invalid Lookup Value");
        assert_eq!(diagnostic.attribute, Some(AttributePath::root("id")));
        assert!(diagnostic
            .detail
            .starts_with("data.panel_user: looking up user"));
        assert!(diagnostic
            .detail
            .ends_with("(422): The id must be an integer."));

        let auth = panel_error(
            "panel_users",
            "listing users",
            None,
            &PanelError::new(PanelErrorKind::Auth, "credentials rejected"),
        );
        assert_eq!(auth.0[0].summary, "Panel Authentication Failed");
        assert_eq!(auth.0[0].attribute, None);
    }

    #[test]
    fn not_found_names_attribute_and_value() {
        let diagnostics = not_found("panel_user", "user", "login", &[("login", "ghost")]);
        let diagnostic = &diagnostics.0[0];
        assert_eq!(diagnostic.summary, "User Not Found");
        assert_eq!(diagnostic.attribute, Some(AttributePath::root("login")));
        assert!(diagnostic.detail.contains("`login` = \"ghost\""));
    }
}
