//! HestiaCP failures to [`PanelError`]: the script's exit code (E_* constants from
//! `func/main.sh`) decides the kind, the `Error: …` text decides the field where it
//! names one. The exit code and text are kept as `panel_code` / `panel_message`.

use crate::panel::{PanelError, PanelErrorKind};

/// Hestia's name for an exit code, for messages.
pub fn exit_code_name(code: u32) -> &'static str {
    match code {
        0 => "OK",
        1 => "E_ARGS",
        2 => "E_INVALID",
        3 => "E_NOTEXIST",
        4 => "E_EXISTS",
        5 => "E_SUSPENDED",
        6 => "E_UNSUSPENDED",
        7 => "E_INUSE",
        8 => "E_LIMIT",
        9 => "E_PASSWORD",
        10 => "E_FORBIDDEN",
        11 => "E_DISABLED",
        12 => "E_PARSING",
        13 => "E_DISK",
        14 => "E_LA",
        15 => "E_CONNECT",
        16 => "E_FTP",
        17 => "E_DB",
        18 => "E_RRD",
        19 => "E_UPDATE",
        20 => "E_RESTART",
        21 => "E_API_DISABLED",
        405 => "invalid request body",
        _ => "unknown",
    }
}

/// The exit code a message implies, for legacy data-mode answers that carry text but
/// no code. The phrases are the ones `check_result` / `is_object_*` print.
pub fn infer_exit_code(message: &str) -> Option<u32> {
    let lower = message.to_ascii_lowercase();
    let code = if lower.starts_with("usage:") {
        1
    } else if lower.contains("authentication failed") || lower.contains("password missmatch") {
        9
    } else if lower.contains("not allowed") || lower.contains("permission") {
        10
    } else if lower.contains("disabled") {
        11
    } else if lower.contains("doesn't exist") || lower.contains("not found") {
        3
    } else if lower.contains("is suspended") {
        5
    } else if lower.contains("exists") {
        4
    } else if lower.contains("limit is reached") {
        8
    } else if lower.contains("invalid")
        || lower.contains("reserved")
        || lower.contains("can be up to")
    {
        2
    } else {
        return None;
    };
    Some(code)
}

/// Which neutral object a command works on; decides what "user" in a message means.
fn command_object(command: &str) -> &'static str {
    if command.contains("database") {
        "database"
    } else if command.contains("dns-record") {
        "dns record"
    } else if command.contains("cron") {
        "cron job"
    } else if command.contains("domain") {
        "domain"
    } else {
        "user"
    }
}

/// The neutral field a Hestia message complains about, if it says.
pub fn infer_field(command: &str, message: &str) -> Option<&'static str> {
    let lower = message.to_ascii_lowercase();
    if lower.starts_with("usage:") {
        // A usage line names every argument; it says which are missing, not which is bad.
        return None;
    }
    let object = command_object(command);
    if object == "dns record" {
        // `dns domain X doesn't exist` (record 130), `invalid record format` (133),
        // `CNAME on root is not allowed` (135), `dns record validation failed` (119,
        // 132, 139), `invalid ttl format` (137), `invalid priority format` (138),
        // `user X doesn't exist` / `is suspended` (620).
        return if lower.contains("dns domain") {
            Some("zone")
        } else if lower.contains("record format") || lower.contains("on root") {
            Some("name")
        } else if lower.contains("ttl") {
            Some("ttl")
        } else if lower.contains("priority") {
            Some("priority")
        } else if lower.contains("validation failed") || lower.contains("value") {
            Some("value")
        } else if lower.contains("type") {
            Some("type")
        } else if lower.starts_with("user ") || lower.contains(" user ") {
            Some("owner")
        } else {
            None
        };
    }
    if command.contains("-ftp") {
        // `absolute path /home is invalid` (records 305, 313), `ftp user X already exists`
        // (302), `invalid ftp_user format` (306), `web domain X doesn't exist` (307).
        return if lower.contains("absolute path") || lower.contains("path") {
            Some("home")
        } else if lower.contains("ftp_user") || lower.contains("ftp user") {
            Some("login")
        } else if lower.contains("domain") {
            Some("domain")
        } else if lower.starts_with("user ") || lower.contains(" user ") {
            Some("owner")
        } else {
            None
        };
    }
    if object == "cron job" {
        // `invalid min format :: 60` (records 410-417), `Invalid cron command format`
        // (419), `user X doesn't exist` / `invalid user format` (422).
        let schedule = ["min", "hour", "day", "month", "wday"]
            .iter()
            .any(|field| lower.contains(&format!("invalid {field} format")));
        return if schedule {
            Some("schedule")
        } else if lower.contains("cron command") {
            Some("command")
        } else if lower.starts_with("user ") || lower.contains(" user ") {
            Some("owner")
        } else {
            None
        };
    }
    let field = if lower.contains("email") {
        "email"
    } else if lower.contains("package") {
        "plan"
    } else if lower.contains("invalid user format") || lower.contains("is reserved") {
        if object == "user" {
            "login"
        } else {
            "owner"
        }
    } else if lower.starts_with("user ") || lower.contains(" user ") {
        // "user X doesn't exist" / "user X is suspended" on a domain or database
        // command is about the owner.
        if object == "user" {
            if lower.contains("suspended") {
                "suspended"
            } else {
                "login"
            }
        } else {
            "owner"
        }
    } else if [
        "invalid name",
        "qoutes",
        "quotes",
        "ip address detected",
        "invalid domain format",
        "invalid database format",
    ]
    .iter()
    .any(|phrase| lower.contains(phrase))
    {
        // The object's own name: the user's contact name, the domain, the database.
        "name"
    } else if lower.contains("invalid ip format") || lower.starts_with("ip ") {
        "ip_address"
    } else if lower.contains("dbuser") || lower.contains("username") {
        "user"
    } else if lower.contains("password") {
        "password"
    } else if lower.contains("type is invalid") {
        "engine"
    } else if command == "v-change-user-name" {
        "name"
    } else {
        return None;
    };
    Some(field)
}

/// Whether `detail` is `v-add-database`'s "no server of this type" answer,
/// `<type> host <host> doesn't exist` (e.g. `mysql host EMPTY_DB_HOST doesn't exist`).
/// Matched on its exact shape: a loose "contains host" would also catch
/// `user confghost doesn't exist` or any domain with "host" in it.
fn is_missing_database_host(detail: &str) -> bool {
    let words: Vec<&str> = detail.split_whitespace().collect();
    matches!(
        words.as_slice(),
        [engine, "host", _, "doesn't", "exist"]
            if engine.chars().all(|c| c.is_ascii_alphanumeric())
    )
}

/// What a refusal of the credentials says, in the shape every backend uses ("the
/// panel refused the access key (Hestia exit code 9, E_PASSWORD)"); the diagnostic
/// adds which panel, where, and the panel's own words. `credential` names what was
/// sent: "access key", "admin login and password", or "credentials" when unknown.
pub fn auth_refusal(command: &str, code: u32, credential: &str) -> String {
    let code_text = format!("Hestia exit code {code}, {}", exit_code_name(code));
    match code {
        9 => format!("the panel refused the {credential} ({code_text})"),
        10 => format!(
            "the panel refused `{command}` to the {credential} ({code_text}): they may not \
             run it, or this Hestia version has no such command"
        ),
        _ => format!("the panel's API refused the {credential} ({code_text}): the API is disabled or does not admit them"),
    }
}

/// Exit 5 on a domain or database command: the owner is suspended. The owner's name
/// comes from Hestia's `user NAME is suspended`.
fn suspended_owner(command: &str, detail: &str) -> String {
    let owner = match detail.split_whitespace().collect::<Vec<_>>().as_slice() {
        ["user", name, "is", "suspended"] => format!("the owner {name:?}"),
        _ => "the owner".to_owned(),
    };
    format!(
        "{command}: {owner} is suspended on the panel (Hestia exit code 5, E_SUSPENDED), and \
         HestiaCP refuses to add or change a suspended user's web domains, databases and \
         cron jobs; \
         unsuspend the owner first (`suspended = false` on its `panel_user`), or make this \
         change before suspending it"
    )
}

/// Turns a failed command into a typed error. `exit_code` is `None` when the panel
/// gave only text (legacy data mode); `message` is the answer body, already scrubbed
/// of secrets by the caller.
pub fn parse_error(command: &str, exit_code: Option<u32>, message: &str) -> PanelError {
    let text = message.trim();
    // Code-mode bodies are the bare exit code; that is no message.
    let text = if text.chars().all(|c| c.is_ascii_digit()) {
        ""
    } else {
        text
    };
    let detail = text
        .strip_prefix("Error:")
        .or_else(|| text.strip_prefix("ERROR:"))
        .map(str::trim)
        .unwrap_or(text);
    let code = exit_code.or_else(|| infer_exit_code(detail));
    let code_text = match code {
        Some(code) => format!("exit code {code}, {}", exit_code_name(code)),
        None => "no exit code".to_owned(),
    };
    let say = |what: &str| {
        if detail.is_empty() {
            format!("{command}: {what} ({code_text})")
        } else {
            format!("{command}: {detail} ({code_text})")
        }
    };
    let field = infer_field(command, detail);
    let lower = detail.to_ascii_lowercase();
    let error = match code {
        Some(1) | Some(2) => PanelError::invalid(field, say("the panel rejected an argument")),
        Some(3) => {
            // A missing package, IP or database host is a bad value in the request, not
            // a missing object.
            if matches!(field, Some("plan") | Some("ip_address")) {
                PanelError::invalid(field, say("the value does not exist on the panel"))
            } else if is_missing_database_host(detail) {
                PanelError::unsupported(say("no database server of that type is configured"))
            } else {
                let mut error = PanelError::not_found(say("the object does not exist"));
                if let Some(field) = field {
                    // Keep the hint for callers that turn a missing owner into a field error.
                    error.message = format!("{} [{field}]", error.message);
                }
                error
            }
        }
        Some(4) => PanelError::already_exists(say("the object already exists")),
        // A suspended owner refuses every add or change to its objects (records
        // 620-637: 401 / 5). Not the credentials, and not a wrong `owner` either.
        Some(5) if command_object(command) != "user" => {
            PanelError::invalid(None, suspended_owner(command, detail))
        }
        Some(5) | Some(6) => PanelError::invalid(
            field.or(Some("suspended")),
            format!(
                "{}: the user is suspended on the panel, so Hestia refuses this change",
                say("suspended")
            ),
        ),
        Some(7) => PanelError::invalid(field, say("the object is in use")),
        Some(8) => PanelError::invalid(field, say("the user's package limit is reached")),
        Some(code @ (9 | 10 | 21)) => PanelError::new(
            PanelErrorKind::Auth,
            auth_refusal(command, code, "credentials"),
        ),
        Some(11) => {
            if lower.contains("api") || detail.is_empty() {
                PanelError::new(
                    PanelErrorKind::Auth,
                    auth_refusal(command, 11, "credentials"),
                )
            } else {
                PanelError::unsupported(say("the subsystem is disabled on this panel"))
            }
        }
        Some(12) | Some(405) => PanelError::protocol(say("the panel could not parse the request")),
        Some(13..=20) => PanelError::new(
            PanelErrorKind::Temporary,
            say("the panel failed while carrying out the command"),
        ),
        _ => PanelError::protocol(say("the panel answered with an unknown failure")),
    };
    let error = error.with_panel(
        code.map(|c| c.to_string()),
        (!text.is_empty()).then(|| text.to_owned()),
    );
    match code {
        // The script refused before changing anything (argument checks, missing or
        // existing objects, limits, credentials, a request it could not parse).
        // E_LA (14): the load average was above the panel's limit, checked first.
        Some(1..=12 | 14 | 21 | 405) => error.nothing_done(),
        // E_DISK .. E_RESTART fail part-way (a restart after the change was written),
        // and an unknown code tells nothing: the change may be there.
        _ => error.maybe_done(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::hestia::wire::tests::captured;

    /// Runs a captured access-key failure through `parse_error` the way the client does.
    fn from_capture(name: &str) -> PanelError {
        let record = captured(name);
        let command = record["request"]["cmd"].as_str().unwrap_or("");
        let code: u32 = record["hestia_exit_code"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        parse_error(command, Some(code), record["body"].as_str().unwrap())
    }

    fn invalid(field: &str) -> PanelErrorKind {
        PanelErrorKind::InvalidInput {
            field: Some(field.to_owned()),
        }
    }

    #[test]
    fn captured_failures_map_to_kinds_and_fields() {
        assert_eq!(
            from_capture("11-add-user-duplicate").kind,
            PanelErrorKind::AlreadyExists
        );
        assert_eq!(from_capture("13-add-user-bad-name").kind, invalid("login"));
        assert_eq!(from_capture("14-add-user-bad-email").kind, invalid("email"));
        assert_eq!(
            from_capture("15-add-user-empty-package").kind,
            invalid("plan")
        );
        assert_eq!(
            from_capture("17-list-user-missing").kind,
            PanelErrorKind::NotFound
        );
        assert_eq!(
            from_capture("23-change-package-missing").kind,
            invalid("plan")
        );
        assert_eq!(
            from_capture("31-add-web-domain-duplicate").kind,
            PanelErrorKind::AlreadyExists
        );
        assert_eq!(from_capture("33-add-web-domain-bad").kind, invalid("name"));
        assert_eq!(
            from_capture("36-list-web-domain-missing").kind,
            PanelErrorKind::NotFound
        );
        assert_eq!(
            from_capture("41-add-database-duplicate").kind,
            PanelErrorKind::AlreadyExists
        );
        assert_eq!(
            from_capture("42-add-database-too-long").kind,
            invalid("name")
        );
        assert_eq!(
            from_capture("47-list-database-missing").kind,
            PanelErrorKind::NotFound
        );
        assert_eq!(
            from_capture("53-delete-user-again").kind,
            PanelErrorKind::NotFound
        );
    }

    #[test]
    fn suspension_is_a_clear_input_error_not_auth() {
        let error = from_capture("25-suspend-again");
        assert_eq!(error.kind, invalid("suspended"));
        assert!(error.message.contains("suspended"));
        let error = from_capture("26-change-contact-suspended");
        assert_ne!(error.kind, PanelErrorKind::Auth);
        let on_domain = parse_error("v-add-web-domain", Some(5), "Error: user bob is suspended");
        // Not the `owner` attribute's fault: the owner is suspended, and the message says so.
        assert_eq!(on_domain.kind, PanelErrorKind::InvalidInput { field: None });
        assert!(
            on_domain
                .message
                .contains("the owner \"bob\" is suspended on the panel"),
            "{on_domain:?}"
        );
        assert_eq!(on_domain.panel_code.as_deref(), Some("5"));
        let on_database = parse_error("v-add-database", Some(5), "Error: user bob is suspended");
        assert!(on_database.message.contains("unsuspend the owner first"));
    }

    #[test]
    fn auth_and_protocol_failures() {
        let bad_secret = from_capture("02-bad-secret");
        assert_eq!(bad_secret.kind, PanelErrorKind::Auth);
        assert_eq!(
            bad_secret.message,
            "the panel refused the credentials (Hestia exit code 9, E_PASSWORD)"
        );
        assert_eq!(bad_secret.panel_code.as_deref(), Some("9"));
        assert_eq!(
            bad_secret.panel_message.as_deref(),
            Some("Error: Invalid secret key for key <ACCESS_KEY>")
        );
        assert_eq!(
            from_capture("03-bad-password-legacy").kind,
            PanelErrorKind::Auth
        );
        assert_eq!(
            from_capture("06-unknown-command-key").kind,
            PanelErrorKind::Auth
        );
        assert_eq!(from_capture("04-no-auth").kind, PanelErrorKind::Protocol);
        assert_eq!(
            from_capture("05-garbage-body").kind,
            PanelErrorKind::Protocol
        );
        assert_eq!(
            parse_error("v-list-users", Some(11), "Error: API has been disabled").kind,
            PanelErrorKind::Auth
        );
        assert_eq!(
            parse_error(
                "v-add-database",
                Some(11),
                "Error: DB_SYSTEM is not enabled"
            )
            .kind,
            PanelErrorKind::Unsupported
        );
    }

    #[test]
    fn panel_code_and_message_are_preserved() {
        let error = from_capture("11-add-user-duplicate");
        assert_eq!(error.panel_code.as_deref(), Some("4"));
        assert_eq!(
            error.panel_message.as_deref(),
            Some("Error: user capuser exists")
        );
        assert!(error.message.starts_with("v-add-user: user capuser exists"));
    }

    #[test]
    fn only_the_exact_missing_host_answer_means_no_database_server() {
        let no_server = parse_error(
            "v-add-database",
            Some(3),
            "Error: pgsql host EMPTY_DB_HOST doesn't exist",
        );
        assert_eq!(no_server.kind, PanelErrorKind::Unsupported);
        // A login or domain containing "host" is an ordinary missing object.
        for text in [
            "Error: user confghost doesn't exist",
            "Error: user localhost doesn't exist",
            "Error: web domain myhost.test doesn't exist",
        ] {
            let error = parse_error("v-add-database", Some(3), text);
            assert!(error.is_not_found(), "{text}: {error:?}");
        }
        let invalid_type = parse_error("v-add-database", Some(2), "Error: pgsql type is invalid");
        assert_eq!(invalid_type.kind, invalid("engine"));
    }

    #[test]
    fn legacy_code_mode_answers_carry_only_the_code() {
        let record = captured("12-add-user-duplicate-legacy-rc");
        let code: u32 = record["body"].as_str().unwrap().parse().unwrap();
        let error = parse_error("v-add-user", Some(code), record["body"].as_str().unwrap());
        assert_eq!(error.kind, PanelErrorKind::AlreadyExists);
        assert_eq!(error.panel_message, None);
        let record = captured("18-list-user-missing-legacy-rc");
        let code: u32 = record["body"].as_str().unwrap().parse().unwrap();
        assert!(parse_error("v-list-user", Some(code), "3").is_not_found());
    }

    #[test]
    fn legacy_data_mode_text_is_classified_without_a_code() {
        assert!(parse_error(
            "v-list-web-domains",
            None,
            "Error: user bob doesn't exist\n"
        )
        .is_not_found());
        assert_eq!(
            parse_error("v-add-user", None, "Usage: v-add-user USER PASSWORD EMAIL").kind,
            PanelErrorKind::InvalidInput { field: None }
        );
        assert_eq!(
            parse_error("v-add-database", None, "Error: DBUSER=bob_u already exists").kind,
            PanelErrorKind::AlreadyExists
        );
        assert_eq!(
            parse_error(
                "v-add-database",
                None,
                "Error: mysql username can be up to 32 characters long"
            )
            .kind,
            invalid("user")
        );
        assert_eq!(
            parse_error("v-list-users", None, "something odd").kind,
            PanelErrorKind::Protocol
        );
    }

    #[test]
    fn refusals_did_nothing_and_part_way_failures_may_have() {
        use crate::panel::Effect;
        assert_eq!(from_capture("11-add-user-duplicate").effect, Effect::None);
        assert_eq!(from_capture("05-garbage-body").effect, Effect::None);
        assert_eq!(
            parse_error("v-add-web-domain", Some(20), "Error: restart failed").effect,
            Effect::Unknown
        );
        assert_eq!(
            parse_error("v-list-users", None, "odd").effect,
            Effect::Unknown
        );
    }

    #[test]
    fn environment_failures_are_temporary() {
        assert_eq!(
            parse_error(
                "v-add-database",
                Some(15),
                "Error: Connection to localhost failed"
            )
            .kind,
            PanelErrorKind::Temporary
        );
    }
}
