//! Plesk XML API errors to [`PanelError`]. Two layers (see the reference ERRORS.md):
//! a `<system>` error rejects the whole packet (credentials, protocol version,
//! malformed packet), a `<result>` error fails one operation. The errcode decides
//! the kind; errtext, when it names a field, decides the field.

use crate::panel::{PanelError, PanelErrorKind};

/// A `<system>` error: the packet was refused before any operation ran.
pub fn system_error(code: Option<u32>, text: &str) -> PanelError {
    let detail = describe(code, text);
    let error = match code {
        Some(1001 | 11003 | 1006 | 1010 | 1011 | 1012 | 1029 | 1030) => PanelError::new(
            PanelErrorKind::Auth,
            format!("plesk refused the credentials: {detail}"),
        ),
        Some(1003 | 1004) => PanelError::new(
            PanelErrorKind::Temporary,
            format!("plesk is not ready: {detail}"),
        ),
        _ => PanelError::protocol(format!("plesk rejected the request packet: {detail}")),
    };
    // The packet was refused before any operation ran.
    error
        .with_panel(code.map(|c| c.to_string()), non_empty(text))
        .nothing_done()
}

/// A failed `<result>` of `operation` (e.g. `"customer add"`).
pub fn result_error(operation: &str, code: Option<u32>, text: &str) -> PanelError {
    let detail = describe(code, text);
    let message = format!("plesk {operation}: {detail}");
    let field = infer_field(operation, text);
    let error = match code {
        Some(1013) => PanelError::not_found(message),
        Some(1002 | 1007) => PanelError::already_exists(message),
        Some(1015) => PanelError::invalid(Some("owner"), message),
        Some(1018) => PanelError::invalid(Some("ip_address"), message),
        Some(14008) => PanelError::invalid(Some("engine"), message),
        Some(1014 | 1019 | 1023 | 1024 | 1025 | 1033) => PanelError::invalid(field, message),
        Some(1017 | 1026 | 1031 | 1050 | 14009) => PanelError::unsupported(message),
        Some(1001 | 11003 | 1006 | 1010 | 1011 | 1012 | 1029 | 1030) => {
            PanelError::new(PanelErrorKind::Auth, message)
        }
        Some(1003 | 1004) => PanelError::new(PanelErrorKind::Temporary, message),
        _ => PanelError::protocol(message),
    };
    let error = error.with_panel(code.map(|c| c.to_string()), non_empty(text));
    if error.kind == PanelErrorKind::Temporary {
        // "Not ready" may come after part of the operation ran.
        error.maybe_done()
    } else {
        // Plesk reported the operation as failed.
        error.nothing_done()
    }
}

fn describe(code: Option<u32>, text: &str) -> String {
    let text = text.trim();
    match (code, text.is_empty()) {
        (Some(code), false) => format!("{text} (errcode {code})"),
        (Some(code), true) => format!("errcode {code}"),
        (None, false) => text.to_owned(),
        (None, true) => "an error without code or text".to_owned(),
    }
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

/// The neutral field an errtext points at, where it says.
fn infer_field(operation: &str, text: &str) -> Option<&'static str> {
    let lower = text.to_ascii_lowercase();
    let field = if lower.contains("e-mail") || lower.contains("email") {
        "email"
    } else if lower.contains("ftp") || lower.contains("system user") {
        "system_password"
    } else if lower.contains("password") || lower.contains("passwd") {
        if operation.starts_with("webspace") {
            "system_password"
        } else {
            "password"
        }
    } else if lower.contains("login") && operation.starts_with("customer") {
        "login"
    } else if lower.contains("login") && operation.contains("db-user") {
        "user"
    } else if lower.contains("ip address") || lower.contains("ip_address") {
        "ip_address"
    } else if lower.contains("owner") {
        "owner"
    } else if lower.contains("name") || lower.contains("domain") {
        "name"
    } else {
        return None;
    };
    Some(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(field: Option<&str>) -> PanelErrorKind {
        PanelErrorKind::InvalidInput {
            field: field.map(str::to_owned),
        }
    }

    #[test]
    fn system_errors_from_the_official_client_tests() {
        assert_eq!(
            system_error(Some(1001), "Authentication failed").kind,
            PanelErrorKind::Auth
        );
        assert_eq!(
            system_error(Some(11003), "Secret key validation failed").kind,
            PanelErrorKind::Auth
        );
        assert_eq!(
            system_error(Some(1005), "XML API protocol version not supported.").kind,
            PanelErrorKind::Protocol
        );
        assert_eq!(
            system_error(Some(1014), "Parser error").kind,
            PanelErrorKind::Protocol
        );
    }

    #[test]
    fn refusals_did_nothing_and_not_ready_may_have() {
        use crate::panel::Effect;
        assert_eq!(
            system_error(Some(1001), "Authentication failed").effect,
            Effect::None
        );
        assert_eq!(
            system_error(Some(1014), "Parser error").effect,
            Effect::None
        );
        assert_eq!(
            result_error("customer add", Some(1007), "exists").effect,
            Effect::None
        );
        assert_eq!(
            result_error("site add", Some(99999), "odd").effect,
            Effect::None
        );
        assert_eq!(
            result_error("site add", Some(1004), "busy").effect,
            Effect::Unknown
        );
    }

    #[test]
    fn result_errors_map_to_kinds() {
        let error = result_error("webspace get", Some(1013), "Object not found.");
        assert!(error.is_not_found());
        assert_eq!(error.panel_code.as_deref(), Some("1013"));
        assert_eq!(error.panel_message.as_deref(), Some("Object not found."));
        assert_eq!(
            result_error(
                "customer add",
                Some(1007),
                "User account jdoe already exists."
            )
            .kind,
            PanelErrorKind::AlreadyExists
        );
        assert_eq!(
            result_error("customer add", Some(1002), "").kind,
            PanelErrorKind::AlreadyExists
        );
        assert_eq!(
            result_error("webspace add", Some(1015), "Owner does not exist").kind,
            invalid(Some("owner"))
        );
        assert_eq!(
            result_error("customer add", Some(1019), "Invalid value of email").kind,
            invalid(Some("email"))
        );
        assert_eq!(
            result_error("customer set", Some(1019), "Something").kind,
            invalid(None)
        );
        assert_eq!(
            result_error("webspace add", Some(1023), "Password is too weak").kind,
            invalid(Some("system_password"))
        );
        assert_eq!(
            result_error("database add-db", Some(14009), "DB server not configured").kind,
            PanelErrorKind::Unsupported
        );
        assert_eq!(
            result_error("site add", Some(99999), "odd").kind,
            PanelErrorKind::Protocol
        );
    }
}
