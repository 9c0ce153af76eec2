//! Name rules every layer shares: the one normal form of domain names, login rules,
//! database identifiers and panel name prefixes. Resources check names at plan time
//! with these; backends send and compare names in the same forms.

use super::NamePrefix;

/// A domain name in its one normal form: lowercase ASCII, internationalised labels in
/// punycode, no trailing dot. Two spellings of a name are the same domain exactly when
/// their normal forms are equal (`Bücher.DE.` = `xn--bcher-kva.de`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DomainName(String);

impl DomainName {
    /// Checks and normalises `name`, or says what is wrong with it (a phrase that
    /// follows the name: "is empty", "has the label ...").
    pub fn parse(name: &str) -> Result<DomainName, String> {
        let trimmed = name.trim();
        let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
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
        Ok(DomainName(ascii))
    }

    /// The normal form of a name a panel reported, leniently: a name that is not a
    /// valid domain name (made outside the usual rules) is lowercased, trimmed and
    /// kept, so it still compares and reports instead of failing a whole list.
    pub fn lenient(name: &str) -> DomainName {
        DomainName::parse(name).unwrap_or_else(|_| {
            let trimmed = name.trim();
            DomainName(trimmed.strip_suffix('.').unwrap_or(trimmed).to_lowercase())
        })
    }

    /// Wraps a name already in normal form (as specs carry it).
    pub fn from_normalized(name: &str) -> DomainName {
        DomainName::lenient(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name for people: internationalised labels in Unicode.
    pub fn to_unicode(&self) -> String {
        let (unicode, result) = idna::domain_to_unicode(&self.0);
        match result {
            Ok(()) => unicode,
            Err(_) => self.0.clone(),
        }
    }

    /// Whether `self` is `parent` or lies below it.
    pub fn is_within(&self, parent: &DomainName) -> bool {
        self == parent || self.0.ends_with(&format!(".{}", parent.0))
    }
}

impl std::fmt::Display for DomainName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Two spellings of a domain name mean the same domain.
pub fn same_domain(a: &str, b: &str) -> bool {
    DomainName::lenient(a) == DomainName::lenient(b)
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

/// Emails compare case-insensitively: the domain part is case-insensitive by standard
/// and no panel we support treats the local part as case-sensitive either.
pub fn same_email(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// Whether `text` looks like an email address (`local@domain.tld`).
pub fn is_email_shaped(text: &str) -> bool {
    text.split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
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

impl NamePrefix {
    /// The part of a stored name the user writes. A name lacking the expected prefix
    /// (made outside the panel's rules) is returned whole rather than guessed at.
    ///
    /// PanelAlpha: the account username is not the owner's id and the database API
    /// does not report it. Assumption: hosting account usernames contain no `_`
    /// (cPanel and the other servers PanelAlpha drives refuse it), so the prefix ends
    /// at the first `_`.
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

    /// Whether a stored name is `written` with this panel's prefix (or without one).
    pub fn matches(self, owner: &str, stored: &str, written: &str) -> bool {
        stored.eq_ignore_ascii_case(written)
            || self.strip(owner, stored).eq_ignore_ascii_case(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_normalise_to_one_form() {
        let name = |text: &str| DomainName::parse(text).map(|n| n.to_string());
        assert_eq!(name("Example.COM."), Ok("example.com".to_owned()));
        assert_eq!(name(" bücher.de "), Ok("xn--bcher-kva.de".to_owned()));
        for bad in [
            "",
            "localhost",
            "a..b",
            "-a.com",
            "a_b.com",
            "1.2.3.4",
            "a b.com",
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(same_domain("Bücher.DE", "xn--bcher-kva.de"));
        assert_eq!(
            DomainName::lenient("xn--bcher-kva.de").to_unicode(),
            "bücher.de"
        );
        assert_eq!(
            keep_spelling(Some("Example.com"), "example.com"),
            "Example.com"
        );
        assert_eq!(
            keep_spelling(Some("other.com"), "example.com"),
            "example.com"
        );
        assert_eq!(keep_spelling(None, "example.com"), "example.com");
        let parent = DomainName::lenient("example.com");
        assert!(DomainName::lenient("shop.example.com").is_within(&parent));
        assert!(!DomainName::lenient("badexample.com").is_within(&parent));
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
        assert!(is_email_shaped("a@b.c"));
        assert!(!is_email_shaped("a@localhost"));
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
        assert!(NamePrefix::AccountUsername.matches("7", "service1_shop", "shop"));
        assert!(NamePrefix::AccountUsername.matches("7", "service1_shop", "service1_shop"));
    }
}
