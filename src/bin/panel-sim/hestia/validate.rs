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
    // `head -c 1` / `tail -c 1` take one BYTE; in the panel's UTF-8 locale a
    // lone byte of a multi-byte character matches no bracket expression, so only
    // an ASCII first or last character can fail here ("Ünïcode Näme" passes,
    // as the real panel answered 204: issue 15 item 11).
    let ascii_non_alnum =
        |b: Option<&u8>| b.is_some_and(|b| b.is_ascii() && !b.is_ascii_alphanumeric());
    if ascii_non_alnum(value.as_bytes().first()) || ascii_non_alnum(value.as_bytes().last()) {
        return fail();
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

/// `is_common_format_valid` (DNS record names and other short tokens).
pub fn common(value: &str, field: &str) -> Result<(), Failure> {
    const EXCLUDED: &[char] = &[
        '!', '|', '#', '$', '^', '&', '(', ')', '+', '=', '{', '}', ':', '<', '>', '?', '/', '\\',
        '"', '\'', ';', '%', '`', ' ',
    ];
    let fail = || Err(invalid(field, value));
    if value.contains(EXCLUDED) || value.chars().count() >= 400 {
        return fail();
    }
    if value.contains('@') && value.chars().count() > 1 {
        return fail();
    }
    if value.contains('*') && !value.contains("*.") && value != "*" {
        return fail();
    }
    // Last and first byte, ASCII classes (see `common_with_spaces`).
    let bad_edge = |b: Option<&u8>, extra: &[u8]| {
        b.is_some_and(|b| b.is_ascii() && !(b.is_ascii_alphanumeric() || extra.contains(b)))
    };
    if bad_edge(value.as_bytes().last(), b"_*@.") || bad_edge(value.as_bytes().first(), b"_*@") {
        return fail();
    }
    if value.contains("..") || value.contains("--") || value.contains("__") {
        return fail();
    }
    single_line(value)
}

/// `is_int_format_valid`: digits only.
pub fn int(value: &str, field: &str) -> Result<(), Failure> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(invalid(field, value))
    }
}

/// `is_id_format_valid`: a positive number without leading zeros.
pub fn id(value: &str) -> Result<(), Failure> {
    let bytes = value.as_bytes();
    if !bytes.is_empty() && bytes[0] != b'0' && bytes.iter().all(u8::is_ascii_digit) {
        Ok(())
    } else {
        Err(invalid("id", value))
    }
}

/// `is_boolean_format_valid`.
pub fn boolean(value: &str, field: &str) -> Result<(), Failure> {
    if value == "yes" || value == "no" {
        Ok(())
    } else {
        Err(invalid(field, value))
    }
}

/// `is_localpart_format_valid VALUE FIELD 64` (mail account names).
pub fn localpart(value: &str, field: &str) -> Result<(), Failure> {
    let bytes = value.as_bytes();
    let allowed = |b: &u8| b.is_ascii_alphanumeric() || b"_.-".contains(b);
    let ok = if bytes.len() == 1 {
        bytes[0].is_ascii_alphanumeric()
    } else {
        bytes.len() <= 64 && bytes.iter().all(allowed)
    };
    if ok && value.is_ascii() {
        Ok(())
    } else {
        Err(invalid(field, value))
    }
}

/// `is_cron_command_valid_format`: no backtick, no newline (record 419).
pub fn cron_command(value: &str) -> Result<(), Failure> {
    if value.contains('`') || value.contains('\n') {
        Err(Failure::new(E_INVALID, "Invalid cron command format"))
    } else {
        Ok(())
    }
}

/// `is_cron_format_valid VALUE FIELD`. Its last loop accepts a field as soon as
/// ONE of its numbers is in range, so `1-99` passes (record 418) while `60`,
/// `jan`, `@daily` and `*/60` do not (410-417).
pub fn cron_field(value: &str, field: &str) -> Result<(), Failure> {
    let limit: u64 = match field {
        "hour" => 23,
        "day" => 31,
        "month" => 12,
        "wday" => 7,
        _ => 59,
    };
    let number = |text: &str| -> Option<u64> {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            // Bash arithmetic on a huge number would wrap; treat it as too big.
            Some(text.parse::<u64>().unwrap_or(u64::MAX))
        } else {
            None
        }
    };
    let mut ok = value == "*";
    // `^[\*]+[/]+[0-9]`, then `cut -f 2 -d /` compared with -lt.
    let stars = value.trim_start_matches('*');
    if stars.len() < value.len() {
        let after = stars.trim_start_matches('/');
        if after.len() < stars.len() && after.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            if let Some(step) = value.split('/').nth(1).and_then(number) {
                if step < limit {
                    ok = true;
                }
            }
        }
    }
    // `^[0-9][-|,|0-9]{0,70}[\/][0-9]$`: a list or range with a one-digit step.
    let bytes = value.as_bytes();
    if bytes.len() >= 3
        && bytes[0].is_ascii_digit()
        && bytes[bytes.len() - 2] == b'/'
        && bytes[bytes.len() - 1].is_ascii_digit()
        && bytes.len() - 3 <= 70
        && bytes[1..bytes.len() - 2]
            .iter()
            .all(|b| b.is_ascii_digit() || b"-|,".contains(b))
    {
        ok = !value
            .split([',', '-', '/'])
            .filter(|part| !part.is_empty())
            .any(|part| number(part).is_none_or(|n| n > limit));
    }
    if value
        .split([',', '-'])
        .filter(|part| !part.is_empty())
        .any(|part| number(part).is_some_and(|n| n <= limit))
    {
        ok = true;
    }
    if ok {
        Ok(())
    } else {
        Err(invalid(field, value))
    }
}

/// The DNS record types `is_dns_type_format_valid` knows.
pub const DNS_TYPES: &[&str] = &[
    "A", "AAAA", "NS", "CNAME", "MX", "TXT", "SRV", "DNSKEY", "KEY", "IPSECKEY", "PTR", "SPF",
    "TLSA", "CAA", "DS",
];

/// `is_dns_type_format_valid` (record 131).
pub fn dns_type(value: &str) -> Result<(), Failure> {
    if DNS_TYPES.contains(&value) {
        Ok(())
    } else {
        Err(Failure::new(
            E_INVALID,
            format!("invalid dns record type format :: {value}"),
        ))
    }
}

/// PHP `filter_var($v, FILTER_VALIDATE_INT, min..=max)`: optional sign, no
/// leading zeros, surrounding white space ignored.
fn php_int(value: &str, min: i64, max: i64) -> Option<i64> {
    let text = value.trim_matches([' ', '\t', '\n', '\r', '\u{b}']);
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    let number: i64 = text.parse().ok()?;
    (min..=max).contains(&number).then_some(number)
}

/// PHP `filter_var(rtrim($v, "."), FILTER_VALIDATE_DOMAIN[, FILTER_FLAG_HOSTNAME])`
/// used as a truth value: the string `"0"` is a valid host name but falsy in
/// PHP, which is why an SRV weight of 0 is never taken for a target (121).
fn php_domain(value: &str, hostname: bool) -> bool {
    let name = value.trim_end_matches('.');
    if name.is_empty() || name == "0" || name.len() > 253 {
        return false;
    }
    name.split('.').all(|label| {
        let bytes = label.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= 63
            && (!hostname
                || (bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
                    && bytes[0] != b'-'
                    && bytes[bytes.len() - 1] != b'-'))
    })
}

/// What `func/internal/dns_record_validator.php` decides for VALUE of TYPE with
/// PRIORITY: `Ok((value, priority))`, SRV's cleaned value and priority included,
/// or the panel's one message for every refusal, `dns record validation failed
/// :: VALUE` (`jq -e` fails on `"valid": false`; records 119, 132, 138, 139).
pub fn dns_record_value(
    value: &str,
    rtype: &str,
    priority: &str,
) -> Result<(String, String), Failure> {
    let refuse = || {
        Failure::new(
            E_INVALID,
            format!("dns record validation failed :: {value}"),
        )
    };
    single_line(value)?;
    let fields: Vec<&str> = value.split_whitespace().collect();
    let valid = match rtype {
        "A" => value.parse::<std::net::Ipv4Addr>().is_ok(),
        "AAAA" => value.parse::<std::net::Ipv6Addr>().is_ok(),
        "NS" | "PTR" => php_domain(value, true),
        "CNAME" => php_domain(value, false),
        "MX" => php_domain(value, true) && php_int(priority, 0, 65535).is_some(),
        "SRV" => {
            // PRIORITY WEIGHT PORT TARGET, TARGET PORT WEIGHT or WEIGHT PORT TARGET,
            // told apart by asking whether the first field is a host name.
            let parsed = match fields.as_slice() {
                [prio, weight, port, target] => Some((*prio, *weight, *port, *target)),
                [first, port, last] if *first == "." || php_domain(first, true) => {
                    Some((priority, *last, *port, *first))
                }
                [weight, port, target] if *target == "." || php_domain(target, true) => {
                    Some((priority, *weight, *port, *target))
                }
                _ => None,
            };
            let (prio, weight, port, target) = parsed.ok_or_else(refuse)?;
            match (
                php_int(prio, 0, 65535),
                php_int(weight, 0, 65535),
                php_int(port, 0, 65535),
            ) {
                (Some(prio), Some(weight), Some(port))
                    if target == "." || php_domain(target, true) =>
                {
                    return Ok((format!("{weight} {port} {target}"), prio.to_string()));
                }
                _ => false,
            }
        }
        "TXT" | "SPF" => {
            !value.is_empty()
                && value.len() <= 65535
                && value.bytes().all(|b| (0x20..=0x7e).contains(&b))
        }
        "CAA" => {
            let mut parts = value.trim().splitn(3, char::is_whitespace);
            match (parts.next(), parts.next(), parts.next()) {
                (Some(flag), Some(tag), Some(rest)) => {
                    php_int(flag, 0, 255).is_some()
                        && (1..=63).contains(&tag.len())
                        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                        && !rest.trim_start().is_empty()
                }
                _ => false,
            }
        }
        // Assumption: the key and digest checks of DNSKEY, KEY, IPSECKEY, TLSA
        // and DS are not simulated (no reference record uses them); a value with
        // too few fields is refused as the validator does.
        "DNSKEY" | "KEY" => fields.len() >= 3,
        "IPSECKEY" | "TLSA" | "DS" => fields.len() >= 4,
        _ => false,
    };
    if valid {
        Ok((value.to_string(), priority.to_string()))
    } else {
        Err(refuse())
    }
}

/// `format_domain_idn` and `idn2 -d`: the punycode (`domain_idn`) and Unicode
/// (`domain_utf`) spellings of a domain. Scripts store the name as given (after
/// `format_domain`), so a Unicode domain stays Unicode (issue 15 item 9), and
/// check both spellings for collisions (issue 15 item 11).
pub fn domain_forms(domain: &str) -> (String, String) {
    let idn = if domain.is_ascii() {
        domain.to_string()
    } else {
        idna::domain_to_ascii(domain).unwrap_or_else(|_| domain.to_string())
    };
    let (utf, result) = idna::domain_to_unicode(&idn);
    let utf = if result.is_ok() { utf } else { idn.clone() };
    (utf, idn)
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
    fn cron_fields_follow_the_recorded_decisions() {
        for (value, field) in [
            ("*/5", "min"),
            ("0", "min"),
            ("1-5", "wday"),
            ("1,7", "month"),
            ("1-99", "min"),
            ("*", "hour"),
            ("0-10/2", "min"),
        ] {
            assert!(cron_field(value, field).is_ok(), "{value} {field}");
        }
        for (value, field) in [
            ("60", "min"),
            ("24", "hour"),
            ("32", "day"),
            ("13", "month"),
            ("8", "wday"),
            ("jan", "month"),
            ("@daily", "min"),
            ("*/60", "min"),
        ] {
            assert_eq!(
                cron_field(value, field).unwrap_err().message,
                format!("invalid {field} format :: {value}")
            );
        }
    }

    #[test]
    fn dns_values_follow_the_php_validator() {
        assert!(dns_record_value("999.1.1.1", "A", "").is_err());
        assert!(dns_record_value("not-an-ipv6", "AAAA", "").is_err());
        assert!(dns_record_value("mx3.cap-dns.com.", "MX", "abc").is_err());
        assert_eq!(
            dns_record_value("5 5060 sip.cap-dns.com.", "SRV", "10")
                .unwrap_err()
                .message,
            "dns record validation failed :: 5 5060 sip.cap-dns.com."
        );
        assert_eq!(
            dns_record_value("0 5061 sip.cap-dns.com.", "SRV", "10").unwrap(),
            ("0 5061 sip.cap-dns.com.".to_string(), "10".to_string())
        );
        assert_eq!(
            dns_record_value("10 5 5060 sip.cap-dns.com.", "SRV", "30").unwrap(),
            ("5 5060 sip.cap-dns.com.".to_string(), "10".to_string())
        );
        assert!(dns_record_value("0 issue \"letsencrypt.org\"", "CAA", "").is_ok());
        assert!(dns_record_value("caf\u{e9}", "TXT", "").is_err());
        assert!(common("bad name", "record").is_err());
        assert!(common("_dmarc", "record").is_ok());
        assert!(common("@", "record").is_ok());
        assert!(common("*.wild", "record").is_ok());
    }

    #[test]
    fn change_name_is_stricter_than_add_name() {
        assert!(name("José").is_ok());
        assert!(name("O'Neil").is_err());
        assert!(common_with_spaces("Capital Person", "name").is_ok());
        assert!(common_with_spaces("Ünïcode Näme", "name").is_ok());
        assert!(common_with_spaces("Zoë", "name").is_ok());
        for bad in [" a", "a ", "a  b", "a--b", "x!", "ab@c", "-a"] {
            assert!(common_with_spaces(bad, "name").is_err(), "{bad}");
        }
    }
}
