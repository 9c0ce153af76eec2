//! Plesk REST errors to typed [`PanelError`]s.
//!
//! The spec has one error body, `ErrorResponse {"code": int, "message": string}`, on
//! every 4xx (e.g. 404 "Client is not found", 400 "Account with this name already
//! exists"). It names no field, so the field of a 400 is recognised from the message
//! text through a per-call [`FieldMap`]. Bodies are parsed leniently: a non-JSON or
//! differently shaped body still yields a kind from the HTTP status, and an `errors`
//! map or `field` key, should a Plesk version send one, is used when present.

use serde_json::Value;

use crate::backends::http::Redactor;
pub use crate::backends::rest::FieldMap;
use crate::backends::rest::{field_from_text, is_duplicate};
use crate::panel::{PanelError, PanelErrorKind};

/// Build the error for a non-2xx answer; `redactor` scrubs the request's secrets from
/// the panel's text.
pub fn parse_error(status: u16, body: &str, fields: FieldMap, redactor: &Redactor) -> PanelError {
    let redact = |text: &str| redactor.redact(text).into_owned();
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let message = parsed
        .as_ref()
        .and_then(|v| v.get("message"))
        .and_then(Value::as_str)
        .map(redact)
        .or_else(|| {
            let trimmed = body.trim();
            (!trimmed.is_empty() && trimmed.len() <= 300 && parsed.is_none())
                .then(|| redact(trimmed))
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
    let error = PanelError::new(kind, summary).with_panel(Some(code), message);
    if status < 500 {
        // Plesk answered and refused: nothing changed.
        error.nothing_done()
    } else {
        // A 5xx may come after the change was made.
        error.maybe_done()
    }
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
            &Redactor::new(),
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
            &Redactor::new(),
        );
        assert!(e.is_not_found());
        let e = parse_error(404, "", CLIENT_FIELDS, &Redactor::new());
        assert!(e.is_not_found());
    }

    #[test]
    fn validation_names_the_neutral_field_from_the_message() {
        let e = parse_error(
            400,
            r#"{"code":400,"message":"The email address is invalid."}"#,
            CLIENT_FIELDS,
            &Redactor::new(),
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
            &Redactor::new(),
        );
        assert_eq!(e.kind, PanelErrorKind::InvalidInput { field: None });
    }

    #[test]
    fn errors_map_in_body_wins_over_text() {
        let body = r#"{"code":400,"message":"Invalid data","errors":{"password":["too weak"]}}"#;
        let e = parse_error(400, body, CLIENT_FIELDS, &Redactor::new());
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
        let e = parse_error(400, body, CLIENT_FIELDS, &Redactor::of(["hunter22"]));
        assert!(!e.message.contains("hunter22"));
        assert!(!e.panel_message.unwrap_or_default().contains("hunter22"));
    }

    #[test]
    fn refusals_did_nothing_and_server_errors_may_have() {
        use crate::panel::Effect;
        let none = &Redactor::new();
        assert_eq!(
            parse_error(400, "{}", CLIENT_FIELDS, none).effect,
            Effect::None
        );
        assert_eq!(
            parse_error(418, "{}", CLIENT_FIELDS, none).effect,
            Effect::None
        );
        assert_eq!(
            parse_error(500, "{}", CLIENT_FIELDS, none).effect,
            Effect::Unknown
        );
    }

    #[test]
    fn status_classes() {
        assert_eq!(
            parse_error(401, "", CLIENT_FIELDS, &Redactor::new()).kind,
            PanelErrorKind::Auth
        );
        assert_eq!(
            parse_error(403, "{}", CLIENT_FIELDS, &Redactor::new()).kind,
            PanelErrorKind::Auth
        );
        assert_eq!(
            parse_error(409, "{}", CLIENT_FIELDS, &Redactor::new()).kind,
            PanelErrorKind::AlreadyExists
        );
        assert_eq!(
            parse_error(429, "", CLIENT_FIELDS, &Redactor::new()).kind,
            PanelErrorKind::RateLimited
        );
        assert_eq!(
            parse_error(503, "<html>", CLIENT_FIELDS, &Redactor::new()).kind,
            PanelErrorKind::Temporary
        );
        assert_eq!(
            parse_error(418, "", CLIENT_FIELDS, &Redactor::new()).kind,
            PanelErrorKind::Protocol
        );
    }
}
