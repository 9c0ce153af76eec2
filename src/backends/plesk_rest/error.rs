//! Plesk REST errors to typed [`PanelError`]s.
//!
//! The spec has one error body, `ErrorResponse {"code": int, "message": string}`, on
//! every 4xx (e.g. 404 "Client is not found", 400 "Account with this name already
//! exists"). It names no field, so the field of a 400 is recognised from the message
//! text through a per-call [`FieldMap`]. Bodies are parsed leniently: a non-JSON or
//! differently shaped body still yields a kind from the HTTP status, and an `errors`
//! map or `field` key, should a Plesk version send one, is used when present.

use serde_json::Value;

use super::client::redact;
use crate::panel::{PanelError, PanelErrorKind};

/// `(panel word, neutral field)` pairs, most specific first: the first panel word found
/// in an error names the neutral field.
pub type FieldMap = &'static [(&'static str, &'static str)];

/// Phrases Plesk (and the validators named in the spec: `UniqueClientLogin`,
/// `UniqueFtpLogin`) use for a collision.
const DUPLICATE_PHRASES: &[&str] = &[
    "already exists",
    "already exist",
    "already in use",
    "already been taken",
    "already taken",
    "is not unique",
    "must be unique",
    "duplicate",
];

/// Build the error for a non-2xx answer.
pub fn parse_error(status: u16, body: &str, fields: FieldMap, secrets: &[&str]) -> PanelError {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let message = parsed
        .as_ref()
        .and_then(|v| v.get("message"))
        .and_then(Value::as_str)
        .map(|m| redact(m, secrets))
        .or_else(|| {
            let trimmed = body.trim();
            (!trimmed.is_empty() && trimmed.len() <= 300 && parsed.is_none())
                .then(|| redact(trimmed, secrets))
        });
    let code = parsed
        .as_ref()
        .and_then(|v| v.get("code"))
        .and_then(|c| {
            c.as_i64()
                .map(|n| n.to_string())
                .or_else(|| c.as_str().map(str::to_owned))
        })
        .unwrap_or_else(|| status.to_string());
    let text = message.clone().unwrap_or_default();
    let lower = text.to_lowercase();
    let kind = match status {
        401 | 403 => PanelErrorKind::Auth,
        404 => PanelErrorKind::NotFound,
        409 => PanelErrorKind::AlreadyExists,
        429 => PanelErrorKind::RateLimited,
        400 | 422 if is_duplicate(&lower) => PanelErrorKind::AlreadyExists,
        400 | 422 => PanelErrorKind::InvalidInput {
            field: field_from_body(parsed.as_ref(), fields)
                .or_else(|| field_from_text(&lower, fields)),
        },
        501 => PanelErrorKind::Unsupported,
        500..=599 => PanelErrorKind::Temporary,
        _ => PanelErrorKind::Protocol,
    };
    let summary = match &message {
        Some(m) if !m.is_empty() => format!("plesk rejected the request (http {status}): {m}"),
        _ => format!("plesk rejected the request (http {status})"),
    };
    PanelError::new(kind, summary).with_panel(Some(code), message)
}

/// True when a panel message says the object collides with an existing one.
pub fn is_duplicate(lower_message: &str) -> bool {
    DUPLICATE_PHRASES.iter().any(|p| lower_message.contains(p))
}

fn field_from_body(body: Option<&Value>, fields: FieldMap) -> Option<String> {
    let body = body?;
    let named = body
        .get("field")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| body.get("errors")?.as_object()?.keys().next().cloned())?;
    let named = named.to_lowercase();
    fields
        .iter()
        .find(|(wire, _)| named == *wire || named.ends_with(&format!(".{wire}")))
        .map(|(_, neutral)| (*neutral).to_owned())
}

/// Find the first mapped panel word that occurs as a whole word in the message.
pub(crate) fn field_from_text(lower_message: &str, fields: FieldMap) -> Option<String> {
    fields
        .iter()
        .find(|(wire, _)| contains_word(lower_message, wire))
        .map(|(_, neutral)| (*neutral).to_owned())
}

fn contains_word(haystack: &str, word: &str) -> bool {
    let is_word_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    haystack.match_indices(word).any(|(at, _)| {
        let before = haystack[..at].chars().next_back();
        let after = haystack[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT_FIELDS: FieldMap = &[
        ("login", "login"),
        ("email", "email"),
        ("password", "password"),
        ("name", "name"),
    ];

    #[test]
    fn spec_example_duplicate_is_already_exists() {
        // The spec's own ErrorResponse example.
        let e = parse_error(
            400,
            r#"{"code": 400, "message": "Account with this name already exists"}"#,
            CLIENT_FIELDS,
            &[],
        );
        assert_eq!(e.kind, PanelErrorKind::AlreadyExists);
        assert_eq!(e.panel_code.as_deref(), Some("400"));
        assert_eq!(
            e.panel_message.as_deref(),
            Some("Account with this name already exists")
        );
    }

    #[test]
    fn not_found_bodies_map_to_not_found() {
        let e = parse_error(
            404,
            r#"{"code":404,"message":"Client is not found"}"#,
            CLIENT_FIELDS,
            &[],
        );
        assert!(e.is_not_found());
        let e = parse_error(404, "", CLIENT_FIELDS, &[]);
        assert!(e.is_not_found());
    }

    #[test]
    fn validation_names_the_neutral_field_from_the_message() {
        let e = parse_error(
            400,
            r#"{"code":400,"message":"The email address is invalid."}"#,
            CLIENT_FIELDS,
            &[],
        );
        assert_eq!(
            e.kind,
            PanelErrorKind::InvalidInput {
                field: Some("email".into())
            }
        );
        // "login" must not match inside another word.
        let e = parse_error(
            400,
            r#"{"code":400,"message":"Bad loginname format"}"#,
            CLIENT_FIELDS,
            &[],
        );
        assert_eq!(e.kind, PanelErrorKind::InvalidInput { field: None });
    }

    #[test]
    fn errors_map_in_body_wins_over_text() {
        let body = r#"{"code":400,"message":"Invalid data","errors":{"password":["too weak"]}}"#;
        let e = parse_error(400, body, CLIENT_FIELDS, &[]);
        assert_eq!(
            e.kind,
            PanelErrorKind::InvalidInput {
                field: Some("password".into())
            }
        );
    }

    #[test]
    fn secrets_are_scrubbed_from_panel_text() {
        let body = r#"{"code":400,"message":"Password 'hunter22' is too simple"}"#;
        let e = parse_error(400, body, CLIENT_FIELDS, &["hunter22"]);
        assert!(!e.message.contains("hunter22"));
        assert!(!e.panel_message.unwrap_or_default().contains("hunter22"));
    }

    #[test]
    fn status_classes() {
        assert_eq!(
            parse_error(401, "", CLIENT_FIELDS, &[]).kind,
            PanelErrorKind::Auth
        );
        assert_eq!(
            parse_error(403, "{}", CLIENT_FIELDS, &[]).kind,
            PanelErrorKind::Auth
        );
        assert_eq!(
            parse_error(409, "{}", CLIENT_FIELDS, &[]).kind,
            PanelErrorKind::AlreadyExists
        );
        assert_eq!(
            parse_error(429, "", CLIENT_FIELDS, &[]).kind,
            PanelErrorKind::RateLimited
        );
        assert_eq!(
            parse_error(503, "<html>", CLIENT_FIELDS, &[]).kind,
            PanelErrorKind::Temporary
        );
        assert_eq!(
            parse_error(418, "", CLIENT_FIELDS, &[]).kind,
            PanelErrorKind::Protocol
        );
    }
}
