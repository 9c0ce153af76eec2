//! PanelAlpha errors to typed [`PanelError`]s.
//!
//! Documented: `401 {"message":"Unauthenticated."}` (135 times in the reference).
//! Undocumented, assumed from Laravel (the API is a Laravel app): validation is
//! `422 {"message": "...", "errors": {"field": ["..."]}}`, a missing model is
//! `404 {"message": "No query results for model ..."}`, and 403/500 carry `{"message"}`.
//! Bodies are read leniently; the HTTP status alone decides the kind when the body is
//! not JSON.

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
            (parsed.is_none() && !trimmed.is_empty() && trimmed.len() <= 300)
                .then(|| redact(trimmed))
        });
    let errors = parsed
        .as_ref()
        .and_then(|v| v.get("errors"))
        .and_then(Value::as_object);
    let all_texts: String = std::iter::once(message.clone().unwrap_or_default())
        .chain(
            errors
                .into_iter()
                .flat_map(|map| map.values())
                .flat_map(texts),
        )
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let kind = match status {
        401 | 403 => PanelErrorKind::Auth,
        404 => PanelErrorKind::NotFound,
        409 => PanelErrorKind::AlreadyExists,
        429 => PanelErrorKind::RateLimited,
        400 | 422 if is_duplicate(&all_texts) => PanelErrorKind::AlreadyExists,
        400 | 422 => PanelErrorKind::InvalidInput {
            field: errors
                .and_then(|map| {
                    map.keys().find_map(|key| {
                        fields
                            .iter()
                            .find(|(wire, _)| key == wire)
                            .map(|(_, n)| (*n).to_owned())
                    })
                })
                .or_else(|| field_from_text(&all_texts, fields)),
        },
        501 => PanelErrorKind::Unsupported,
        500..=599 => PanelErrorKind::Temporary,
        _ => PanelErrorKind::Protocol,
    };
    let detail = errors
        .map(|map| {
            map.values()
                .flat_map(texts)
                .map(|t| redact(&t))
                .collect::<Vec<_>>()
                .join("; ")
        })
        .filter(|d| !d.is_empty());
    let summary = match (&message, &detail) {
        (Some(m), Some(d)) if !m.is_empty() => {
            format!("panelalpha rejected the request (http {status}): {m} ({d})")
        }
        (Some(m), _) if !m.is_empty() => {
            format!("panelalpha rejected the request (http {status}): {m}")
        }
        _ => format!("panelalpha rejected the request (http {status})"),
    };
    let error = PanelError::new(kind, summary).with_panel(Some(status.to_string()), message);
    if status < 500 {
        // PanelAlpha answered and refused: nothing changed.
        error.nothing_done()
    } else {
        // A 5xx may come after the change was made.
        error.maybe_done()
    }
}

fn texts(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER_FIELDS: FieldMap = &[
        ("email", "email"),
        ("password", "password"),
        ("first_name", "name"),
    ];

    #[test]
    fn documented_401_is_auth() {
        let e = parse_error(
            401,
            r#"{"message": "Unauthenticated."}"#,
            USER_FIELDS,
            &Redactor::new(),
        );
        assert_eq!(e.kind, PanelErrorKind::Auth);
        assert_eq!(e.panel_code.as_deref(), Some("401"));
        assert_eq!(e.panel_message.as_deref(), Some("Unauthenticated."));
    }

    #[test]
    fn laravel_422_names_the_first_field() {
        let body = r#"{"message":"The email field is required. (and 1 more error)",
            "errors":{"email":["The email field is required."],"password":["The password field must be at least 8 characters."]}}"#;
        let e = parse_error(422, body, USER_FIELDS, &Redactor::new());
        assert_eq!(
            e.kind,
            PanelErrorKind::InvalidInput {
                field: Some("email".into())
            }
        );
        assert!(e.message.contains("at least 8 characters"));
    }

    #[test]
    fn unique_rule_is_already_exists() {
        let body = r#"{"message":"The email has already been taken.","errors":{"email":["The email has already been taken."]}}"#;
        assert_eq!(
            parse_error(422, body, USER_FIELDS, &Redactor::new()).kind,
            PanelErrorKind::AlreadyExists
        );
    }

    #[test]
    fn missing_model_is_not_found() {
        let body = r#"{"message":"No query results for model [App\\Models\\User] 99"}"#;
        assert!(parse_error(404, body, USER_FIELDS, &Redactor::new()).is_not_found());
    }

    #[test]
    fn secrets_never_survive() {
        let body =
            r#"{"message":"bad","errors":{"password":["The password pa55word-x is too common."]}}"#;
        let e = parse_error(422, body, USER_FIELDS, &Redactor::of(["pa55word-x"]));
        assert!(!e.message.contains("pa55word-x"));
        assert_eq!(
            e.kind,
            PanelErrorKind::InvalidInput {
                field: Some("password".into())
            }
        );
    }

    #[test]
    fn non_json_and_server_errors() {
        assert_eq!(
            parse_error(
                502,
                "<html>Bad gateway</html>",
                USER_FIELDS,
                &Redactor::new()
            )
            .kind,
            PanelErrorKind::Temporary
        );
        assert_eq!(
            parse_error(429, "", USER_FIELDS, &Redactor::new()).kind,
            PanelErrorKind::RateLimited
        );
        assert_eq!(
            parse_error(403, "{}", USER_FIELDS, &Redactor::new()).kind,
            PanelErrorKind::Auth
        );
        assert_eq!(
            parse_error(302, "", USER_FIELDS, &Redactor::new()).kind,
            PanelErrorKind::Protocol
        );
    }
}
