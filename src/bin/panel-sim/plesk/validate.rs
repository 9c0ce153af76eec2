//! Plesk's naming rules and its server-wide password strength policy, shared by the
//! REST and XML front ends so both reject the same values with the same reasons.
//!
//! The OpenAPI document states lengths only in descriptions (client `name`/`login`
//! 1–60, `company` 0–60, `email` 0–255) and declares no `pattern`; the character
//! sets below are Plesk's documented UI rules and are marked as assumptions.

use serde::{Deserialize, Serialize};

/// The five levels of Plesk's "minimum password strength" setting (Tools & Settings >
/// Security Policy). The real default is `VeryWeak`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordStrength {
    #[default]
    VeryWeak,
    Weak,
    Medium,
    Strong,
    VeryStrong,
}

impl PasswordStrength {
    /// Accepts `very_weak`, `very weak`, `Very-Weak`, ... (the UI spells them with spaces).
    pub fn parse(text: &str) -> Option<Self> {
        let normalized: String = text
            .trim()
            .chars()
            .map(|c| {
                if c == ' ' || c == '-' {
                    '_'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        match normalized.as_str() {
            "very_weak" => Some(Self::VeryWeak),
            "weak" => Some(Self::Weak),
            "medium" => Some(Self::Medium),
            "strong" => Some(Self::Strong),
            "very_strong" => Some(Self::VeryStrong),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::VeryWeak => "Very weak",
            Self::Weak => "Weak",
            Self::Medium => "Medium",
            Self::Strong => "Strong",
            Self::VeryStrong => "Very strong",
        }
    }

    /// Assumption (Plesk does not publish its scoring): each level needs a minimum length
    /// and a number of character classes (lower, upper, digit, other). "Very strong" needs
    /// 16 characters, as a hosting provider's knowledge base quotes.
    fn requirement(self) -> (usize, usize) {
        match self {
            Self::VeryWeak => (5, 1),
            Self::Weak => (6, 2),
            Self::Medium => (8, 3),
            Self::Strong => (8, 4),
            Self::VeryStrong => (16, 4),
        }
    }
}

/// Longest password accepted. The spec's "5 to 14 characters" is outdated (the official
/// client's tests use 18); 255 is the assumed column limit.
const PASSWORD_MAX_CHARS: usize = 255;

/// Checks a password against the current policy; the message never contains the password.
pub fn password(candidate: &str, policy: PasswordStrength) -> Result<(), String> {
    let length = candidate.chars().count();
    if length > PASSWORD_MAX_CHARS {
        return Err(format!(
            "The password is too long. It must not exceed {PASSWORD_MAX_CHARS} characters."
        ));
    }
    if candidate.chars().any(char::is_control) {
        return Err("The password contains characters that are not allowed.".to_owned());
    }
    let (min_length, min_classes) = policy.requirement();
    let classes = [
        candidate.chars().any(|c| c.is_lowercase()),
        candidate.chars().any(|c| c.is_uppercase()),
        candidate.chars().any(|c| c.is_ascii_digit()),
        candidate.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|present| **present)
    .count();
    if length < 5 {
        return Err("The password is too short. It must be at least 5 characters long.".to_owned());
    }
    if length < min_length || classes < min_classes {
        return Err(format!(
            "Your password is not complex enough. According to the server policy, the minimal password strength is {}.",
            policy.label()
        ));
    }
    Ok(())
}

fn length_between(value: &str, min: usize, max: usize) -> bool {
    let length = value.chars().count();
    (min..=max).contains(&length)
}

/// Customer/reseller login: 1–60 characters (spec); assumption: starts with a letter or
/// digit, then letters, digits, `-`, `_`, `.`, `@`.
pub fn client_login(login: &str) -> Result<(), String> {
    if !length_between(login, 1, 60) {
        return Err("The login must be 1 to 60 characters long.".to_owned());
    }
    let mut chars = login.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphanumeric());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '@'));
    if !(first_ok && rest_ok) {
        return Err("The login can contain only Latin letters, digits, '-', '_', '.' and '@', and must start with a letter or digit.".to_owned());
    }
    Ok(())
}

/// Contact name (`name`/`pname`): 1–60 characters (spec).
pub fn person_name(name: &str) -> Result<(), String> {
    if !length_between(name.trim(), 1, 60) || name.chars().any(char::is_control) {
        return Err("The contact name must be 1 to 60 characters long.".to_owned());
    }
    Ok(())
}

/// Company name: 0–60 characters (spec).
pub fn company(name: &str) -> Result<(), String> {
    if !length_between(name, 0, 60) || name.chars().any(char::is_control) {
        return Err("The company name must not exceed 60 characters.".to_owned());
    }
    Ok(())
}

/// E-mail: 0–255 characters (spec); a non-empty one must look like `local@domain`.
pub fn email(address: &str) -> Result<(), String> {
    if !length_between(address, 0, 255) {
        return Err("The e-mail address must not exceed 255 characters.".to_owned());
    }
    if address.is_empty() {
        return Ok(());
    }
    let valid = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !address.chars().any(|c| c.is_whitespace() || c.is_control())
                && !domain.contains('@')
        }
        None => false,
    };
    if valid {
        Ok(())
    } else {
        Err("The e-mail address is invalid.".to_owned())
    }
}

/// A domain name as Plesk stores it: the display (Unicode, lower case) form and the
/// ASCII (punycode) form. Assumption: Plesk lower-cases names and accepts Unicode or
/// punycode input for the same domain.
pub fn domain_name(input: &str) -> Result<(String, String), String> {
    let trimmed = input.trim().trim_end_matches('.');
    let invalid = || format!("The domain name '{}' is invalid.", printable(input));
    if trimmed.is_empty() || trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid());
    }
    let ascii = idna::domain_to_ascii(trimmed).map_err(|_| invalid())?;
    if ascii.len() > 253 {
        return Err(invalid());
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    if labels.len() < 2 {
        return Err(invalid());
    }
    for label in &labels {
        let well_formed = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !well_formed {
            return Err(invalid());
        }
    }
    let top = labels.last().copied().unwrap_or_default();
    if !(top.starts_with("xn--") || top.chars().all(|c| c.is_ascii_alphabetic())) {
        return Err(invalid());
    }
    let (unicode, result) = idna::domain_to_unicode(&ascii);
    if result.is_err() {
        return Err(invalid());
    }
    Ok((unicode, ascii))
}

/// System-user names Plesk reserves on Linux (assumption: the usual daemon accounts).
const RESERVED_SYSTEM_USERS: &[&str] = &[
    "root", "bin", "daemon", "adm", "lp", "sync", "shutdown", "halt", "mail", "ftp", "nobody",
    "apache", "nginx", "www-data", "mysql", "postgres", "psaadm", "psaftp", "psaserv", "popuser",
    "named", "admin",
];

/// FTP (system user) login of a subscription: a Linux user name, at most 32 characters.
pub fn ftp_login(login: &str) -> Result<(), String> {
    let mut chars = login.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '.'));
    if !(first_ok && rest_ok) || login.len() > 32 {
        return Err("The FTP login can contain only lowercase Latin letters, digits, '_', '-' and '.', must start with a letter or '_' and be at most 32 characters long.".to_owned());
    }
    if RESERVED_SYSTEM_USERS.contains(&login) {
        return Err(format!(
            "The FTP login '{login}' is reserved by the system."
        ));
    }
    Ok(())
}

/// Database name: MySQL allows 64 characters, PostgreSQL 63 (assumption: Plesk's UI rule of
/// Latin letters, digits, `_` and `-`, starting with a letter, digit or `_`).
pub fn database_name(name: &str, db_type: &str) -> Result<(), String> {
    let max = if db_type == "postgresql" { 63 } else { 64 };
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !(first_ok && rest_ok) || name.len() > max {
        return Err(format!("The database name can contain only Latin letters, digits, '_' and '-', and must be 1 to {max} characters long."));
    }
    Ok(())
}

/// Database user login: MySQL 8 allows 32 characters (assumption: same character set as
/// database names plus `.`).
pub fn database_login(login: &str) -> Result<(), String> {
    let mut chars = login.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !(first_ok && rest_ok) || login.len() > 32 {
        return Err("The database user name can contain only Latin letters, digits, '_', '-' and '.', and must be 1 to 32 characters long.".to_owned());
    }
    Ok(())
}

/// A value echoed into an error message: control characters removed and length capped, so
/// a hostile input cannot forge log lines or blow up the answer.
pub fn printable(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_accepts_five_characters_and_rejects_four() {
        assert!(password("abcde", PasswordStrength::VeryWeak).is_ok());
        assert!(password("abcd", PasswordStrength::VeryWeak).is_err());
    }

    #[test]
    fn strong_policy_needs_all_character_classes() {
        assert!(password("simple-password", PasswordStrength::Strong).is_err());
        assert!(password("test-&PWD*1@42!13#", PasswordStrength::Strong).is_ok());
        let message = password("weakling", PasswordStrength::Strong).unwrap_err();
        assert!(message.contains("Strong") && !message.contains("weakling"));
    }

    #[test]
    fn policy_names_parse_in_ui_and_config_spellings() {
        assert_eq!(
            PasswordStrength::parse("Very strong"),
            Some(PasswordStrength::VeryStrong)
        );
        assert_eq!(
            PasswordStrength::parse("very_weak"),
            Some(PasswordStrength::VeryWeak)
        );
        assert_eq!(PasswordStrength::parse("huge"), None);
    }

    #[test]
    fn domain_names_are_lowercased_and_idn_gets_ascii_form() {
        assert_eq!(
            domain_name("Example.COM").unwrap(),
            ("example.com".to_owned(), "example.com".to_owned())
        );
        let (unicode, ascii) = domain_name("bücher.de").unwrap();
        assert_eq!(unicode, "bücher.de");
        assert_eq!(ascii, "xn--bcher-kva.de");
        assert!(domain_name("localhost").is_err());
        assert!(domain_name("-bad.com").is_err());
        assert!(domain_name("a b.com").is_err());
    }

    #[test]
    fn logins_follow_the_character_rules() {
        assert!(client_login("john-unit-test").is_ok());
        assert!(client_login("").is_err());
        assert!(client_login("-x").is_err());
        assert!(ftp_login("test-login").is_ok());
        assert!(ftp_login("Root").is_err());
        assert!(ftp_login("root").is_err());
        assert!(database_name("wp_1", "mysql").is_ok());
        assert!(database_name("bad name", "mysql").is_err());
        assert!(database_login(&"u".repeat(33)).is_err());
    }

    #[test]
    fn email_may_be_empty_but_not_malformed() {
        assert!(email("").is_ok());
        assert!(email("john@smith.com").is_ok());
        assert!(email("john").is_err());
        assert!(email("a@b@c.com").is_err());
    }
}
