//! HestiaCP's argument validators (`func/main.sh`, `is_*_format_valid`),
//! reimplemented with the same accept/refuse decisions, messages and exit codes.
//! Character classes are ASCII: the real `[[:alnum:]]` runs in a C/UTF-8 locale,
//! and the user validator separately refuses non-ASCII anyway.

use super::commands::{Failure, E_INVALID};

fn invalid(field: &str, value: &str) -> Failure {
    Failure::new(E_INVALID, format!("invalid {field} format :: {value}"))
}

/// `is_no_new_line_format`: a value spanning lines is refused with its own message.
pub fn single_line(value: &str) -> Result<(), Failure> {
    if value.contains('\n') {
        return Err(Failure::new(E_INVALID, format!("invalid value :: {value}")));
    }
    Ok(())
}

/// `is_user_format_valid`; `new_user` adds the stricter `v-add-user` rule
/// (starts with a letter, no dot, at least two characters).
pub fn user(value: &str, field: &str, new_user: bool) -> Result<(), Failure> {
    let bytes = value.as_bytes();
    let ok = if bytes.len() == 1 {
        bytes[0].is_ascii_alphanumeric()
    } else {
        // `[-|\.|_[:alnum:]]` in a POSIX bracket also admits `|` and `\`.
        let middle_ok = |b: &u8| b.is_ascii_alphanumeric() || b"-|._\\".contains(b);
        bytes.len() >= 2
            && bytes.len() <= 30
            && bytes[0].is_ascii_alphanumeric()
            && bytes[bytes.len() - 1].is_ascii_alphanumeric()
            && bytes[1..bytes.len() - 1].iter().all(middle_ok)
    };
    if !ok || !value.is_ascii() {
        return Err(invalid(field, value));
    }
    if new_user {
        let middle_ok = |b: &u8| b.is_ascii_alphanumeric() || b"-|_".contains(b);
        let strict = bytes.len() >= 2
            && bytes.len() <= 30
            && bytes[0].is_ascii_alphabetic()
            && bytes[bytes.len() - 1].is_ascii_alphanumeric()
            && bytes[1..bytes.len() - 1].iter().all(middle_ok);
        if !strict {
            return Err(invalid(field, value));
        }
    }
    Ok(())
}

/// `is_email_format_valid`: `^[A-Za-z0-9._%+-]+@[[:alnum:].-]+\.[A-Za-z]{2,63}$`
/// or the same with an `xn--` top-level label.
pub fn email(value: &str) -> Result<(), Failure> {
    let fail = || Failure::new(E_INVALID, format!("invalid email format :: {value}"));
    let (local, domain) = value.split_once('@').ok_or_else(fail)?;
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._%+-".contains(&b));
    let (host, tld) = domain.rsplit_once('.').ok_or_else(fail)?;
    let host_ok = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let plain_tld = (2..=63).contains(&tld.len()) && tld.bytes().all(|b| b.is_ascii_alphabetic());
    let idn_tld = tld.strip_prefix("xn--").is_some_and(|rest| {
        (2..=63).contains(&rest.len()) && rest.bytes().all(|b| b.is_ascii_alphanumeric())
    });
    if local_ok && host_ok && (plain_tld || idn_tld) {
        Ok(())
    } else {
        Err(fail())
    }
}

/// `is_object_format_valid` (package, charset, template, host names):
/// `^[[:alnum:]][-|\.|_[:alnum:]]{0,64}[[:alnum:]]$`.
pub fn object(value: &str, field: &str) -> Result<(), Failure> {
    let bytes = value.as_bytes();
    let middle_ok = |b: &u8| b.is_ascii_alphanumeric() || b"-|._\\".contains(b);
    let ok = bytes.len() >= 2
        && bytes.len() <= 66
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
        && bytes[1..bytes.len() - 1].iter().all(middle_ok);
    if ok {
        Ok(())
    } else {
        Err(invalid(field, value))
    }
}

/// `is_name_format_valid` (the lenient check `v-add-user` applies to NAME).
pub fn name(value: &str) -> Result<(), Failure> {
    if value.contains(['\'', '"', '<', '>']) {
        return Err(Failure::new(
            E_INVALID,
            format!("Invalid name contains qoutes (\" or ') :: {value}"),
        ));
    }
    single_line(value)
}

/// `is_common_format_spaces_valid` (the strict check of `v-change-user-name`).
pub fn common_with_spaces(value: &str, field: &str) -> Result<(), Failure> {
    let fail = || Err(invalid(field, value));
    if value.contains(['\t', '\n', '\r', '\u{b}', '\u{c}']) {
        return fail();
    }
    if value.starts_with(' ') || value.ends_with(' ') || value.contains("  ") {
        return fail();
    }
    if value.contains([
        '!', '|', '#', '$', '^', '&', '(', ')', '+', '=', '{', '}', ':', '<', '>', '?', '/', '\\',
        '"', '\'', ';', '%', '`',
    ]) {
        return fail();
    }
    if value.chars().count() >= 400 {
        return fail();
    }
    if value.contains('@') && value.chars().count() > 1 {
        return fail();
    }
    if value.contains('*') && !value.contains("*.") && value != "*" {
        return fail();
    }
    match (value.chars().next(), value.chars().last()) {
        (Some(first), Some(last))
            if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() => {}
        (None, None) => {}
        _ => return fail(),
    }
    if value.contains("..") || value.contains("--") || value.contains("__") {
        return fail();
    }
    Ok(())
}

/// `is_domain_format_valid`.
pub fn domain(value: &str, field: &str) -> Result<(), Failure> {
    const EXCLUDED: &[char] = &[
        '[', ']', '!', '@', '#', '$', '^', '&', '*', '(', ')', '+', '=', '{', '}', ',', '<', '>',
        '?', '_', '/', '\\', '"', '|', '\'', '`', ';', '%',
    ];
    let bad = value.contains(EXCLUDED)
        || value.chars().any(char::is_whitespace)
        || (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
        || value.contains("..")
        || value.starts_with('-')
        || value.ends_with('-')
        || value.starts_with('.')
        || value.ends_with('.')
        || value.contains(".-")
        || value.contains("-.")
        || value == "www";
    if bad {
        return Err(invalid(field, value));
    }
    single_line(value)
}

/// `is_alias_format_valid` for a comma list of aliases.
pub fn aliases(value: &str) -> Result<(), Failure> {
    const EXCLUDED: &[char] = &[
        '[', ']', '!', '@', '#', '$', '^', '&', '(', ')', '+', '=', '{', '}', ',', '<', '>', '?',
        '_', '/', '\\', '"', '|', '\'', '`', ';', '%',
    ];
    for alias in value.split([',', ' ']).filter(|a| !a.is_empty()) {
        let bad = alias.contains(EXCLUDED)
            || alias.chars().any(char::is_whitespace)
            || alias.contains("..")
            || alias.starts_with('-')
            || alias.ends_with('-')
            || alias.starts_with('.')
            || alias.ends_with('.')
            || alias.contains(".-")
            || alias.contains("-.")
            || (alias.contains('*') && !alias.starts_with("*."));
        if bad {
            return Err(Failure::new(
                E_INVALID,
                format!("invalid alias format :: {alias}"),
            ));
        }
    }
    Ok(())
}

const DB_EXCLUDED: &[char] = &[
    '!', '|', '@', '#', '$', '^', '&', '*', '(', ')', '+', '=', '{', '}', ':', ',', '<', '>', '?',
    '/', '\\', '"', '\'', ';', '%', '`', ' ',
];

/// `is_database_format_valid`, applied to the prefixed `USER_DB` name.
pub fn database(value: &str) -> Result<(), Failure> {
    if value.contains(DB_EXCLUDED) || value.chars().count() >= 64 {
        return Err(invalid("database", value));
    }
    single_line(value)
}

/// `is_dbuser_format_valid`, applied to the prefixed `USER_DBUSER` name.
pub fn dbuser(value: &str) -> Result<(), Failure> {
    if value.chars().count() >= 33 {
        return Err(Failure::new(
            E_INVALID,
            "mysql username can be up to 32 characters long",
        ));
    }
    if value.contains(DB_EXCLUDED) {
        return Err(invalid("dbuser", value));
    }
    single_line(value)
}

/// `is_restart_format_valid`.
pub fn restart(value: &str) -> Result<(), Failure> {
    match value {
        "" | "yes" | "no" | "ssl" | "reload" | "updatessl" | "scheduled" => Ok(()),
        _ => Err(invalid("restart", value)),
    }
}

/// `is_ip_format_valid` (PHP `FILTER_VALIDATE_IP` with the IPv4 flag); note the
/// real message has no "format" in it.
pub fn ipv4(value: &str, field: &str) -> Result<(), Failure> {
    if value.parse::<std::net::Ipv4Addr>().is_ok() {
        Ok(())
    } else {
        Err(Failure::new(
            E_INVALID,
            format!("invalid {field} :: {value}"),
        ))
    }
}

/// `is_ip46_format_valid` (used by `v-check-user-password`).
pub fn ip46(value: &str) -> Result<(), Failure> {
    if value.parse::<std::net::IpAddr>().is_ok() {
        Ok(())
    } else {
        Err(Failure::new(E_INVALID, format!("invalid ip46 :: {value}")))
    }
}

/// What `v-add-web-domain` would treat as an IP address typed as a domain.
pub fn looks_like_ipv4(value: &str) -> bool {
    value.parse::<std::net::Ipv4Addr>().is_ok()
}

/// `format_domain`: lowercase, strip a leading `www.`, trailing and leading dots,
/// and collapse whitespace the way the unquoted `echo $domain` does.
pub fn normalise_domain(raw: &str) -> String {
    let mut domain = raw.to_lowercase();
    if let Some(rest) = domain.strip_prefix("www.") {
        domain = rest.to_string();
    }
    let domain = domain.trim_end_matches('.').trim_start_matches('.');
    domain.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_follow_the_hestia_tests() {
        for bad in ["jäap", "1234", "1aap", "hello.com", "a", "-ab", "ab-"] {
            assert!(user(bad, "user", true).is_err(), "{bad} should be refused");
        }
        for good in ["jaap01", "buffer", "ab"] {
            assert!(user(good, "user", true).is_ok(), "{good} should pass");
        }
        // Existing users may contain a dot and be one character long.
        assert!(user("hello.com", "user", false).is_ok());
        assert!(user("a", "user", false).is_ok());
        assert!(user(&"a".repeat(31), "user", false).is_err());
        assert_eq!(
            user("1bad", "user", true).unwrap_err().message,
            "invalid user format :: 1bad"
        );
    }

    #[test]
    fn emails() {
        assert!(email("cap@example.com").is_ok());
        assert!(email("a.b+c@sub.example.co").is_ok());
        assert!(email("x@example.xn--p1ai").is_ok());
        for bad in [
            "not-an-email",
            "a@b",
            "@example.com",
            "a@example.c",
            "a b@example.com",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn domains_and_normalisation() {
        assert_eq!(
            normalise_domain("www.UPPER-Example.org."),
            "upper-example.org"
        );
        assert_eq!(normalise_domain("not  a domain"), "not a domain");
        assert!(domain("upper-example.org", "domain").is_ok());
        for bad in [
            "not a domain",
            "a_b.com",
            "123",
            "a..b",
            "-a.com",
            "a.com-",
            "www",
            "a.-b",
        ] {
            assert!(domain(bad, "domain").is_err(), "{bad}");
        }
    }

    #[test]
    fn database_names_are_limited_to_63_and_dbusers_to_32() {
        assert!(database(&"d".repeat(63)).is_ok());
        assert!(database(&"d".repeat(64)).is_err());
        assert!(dbuser(&"u".repeat(32)).is_ok());
        assert_eq!(
            dbuser(&"u".repeat(33)).unwrap_err().message,
            "mysql username can be up to 32 characters long"
        );
        assert!(database("a b").is_err());
    }

    #[test]
    fn change_name_is_stricter_than_add_name() {
        assert!(name("José").is_ok());
        assert!(name("O'Neil").is_err());
        assert!(common_with_spaces("Capital Person", "name").is_ok());
        for bad in [" a", "a ", "a  b", "a--b", "x!", "ab@c", "-a"] {
            assert!(common_with_spaces(bad, "name").is_err(), "{bad}");
        }
    }
}
