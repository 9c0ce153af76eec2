//! Additional FTP accounts of a web domain / subscription (HestiaCP web-domain FTP
//! users, Plesk FTP users), and the home-directory rules every layer shares.

use super::super::secret::Secret;
use super::super::service::{Locator, PanelObject, Service};
use super::super::Panel;

#[derive(Clone, Debug, PartialEq)]
pub struct FtpAccount {
    /// HestiaCP: `USER/DOMAIN/FULL_LOGIN`; Plesk: the FTP login.
    pub id: String,
    /// The owning user's id.
    pub owner: String,
    /// The web domain / subscription name the account belongs to.
    pub domain: String,
    /// The login as written in configuration (HestiaCP: without the `USER_` prefix the
    /// panel adds).
    pub login: String,
    /// The login as the FTP server knows it (HestiaCP: `USER_LOGIN`).
    pub full_login: String,
    /// The directory the account is confined to, relative to the domain's home, with
    /// no leading or trailing `/`; empty for the home itself.
    pub home: String,
}

#[derive(Clone, Debug)]
pub struct FtpAccountSpec {
    pub owner: String,
    pub domain: String,
    pub login: String,
    pub password: Secret,
    pub home: String,
}

#[derive(Clone, Debug, Default)]
pub struct FtpAccountPatch {
    pub password: Option<Secret>,
    pub home: Option<String>,
}

/// An FTP account's natural key: its login within its owner's domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FtpAccountKey {
    pub owner: String,
    pub domain: String,
    pub login: String,
}

impl FtpAccountKey {
    pub fn matches(&self, account: &FtpAccount) -> bool {
        account.owner == self.owner
            && account.domain.eq_ignore_ascii_case(&self.domain)
            && account.login == self.login
    }
}

/// A home directory as written, in its normal form (no leading or trailing `/`, no
/// `.` or empty parts), or what is wrong with it: it must stay inside the domain's
/// home (no `..`), and hold no `:` (HestiaCP keeps paths in a `:`-separated list) nor
/// control characters.
pub fn normal_home(written: &str) -> Result<String, String> {
    if written.chars().any(char::is_control) {
        return Err("must not contain control characters".to_owned());
    }
    if written.contains(':') {
        return Err("must not contain `:`".to_owned());
    }
    let mut parts = Vec::new();
    for part in written.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                return Err(format!(
                    "must stay inside the domain's home directory: {written:?} holds `..`"
                ))
            }
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
}

/// A home as a panel reports it (`/public_html/uploads`, `public_html/uploads/`, `/`),
/// in normal form; a reported path the rules refuse is kept trimmed as it is.
pub fn reported_home(reported: &str) -> String {
    normal_home(reported).unwrap_or_else(|_| reported.trim_matches('/').to_owned())
}

/// The FTP login rules the panels share: 1-32 characters, letters, digits, `_`, `-`
/// and `.`, starting with a letter or digit.
pub fn login_problem(login: &str) -> Option<String> {
    if login.is_empty() || login.len() > 32 {
        return Some(format!("must be 1 to 32 characters, got {}", login.len()));
    }
    if !login
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return Some("may only hold letters, digits, `_`, `-` and `.`".to_owned());
    }
    if !login.as_bytes()[0].is_ascii_alphanumeric() {
        return Some("must start with a letter or a digit".to_owned());
    }
    None
}

impl PanelObject for FtpAccount {
    type Spec = FtpAccountSpec;
    type Patch = FtpAccountPatch;
    type Key = FtpAccountKey;
    const NOUN: &'static str = "FTP account";

    fn id(&self) -> &str {
        &self.id
    }

    fn locator(&self) -> Locator {
        Locator::new(&self.id).with_owner(Some(&self.owner))
    }

    fn owner(&self) -> Option<&str> {
        Some(&self.owner)
    }

    fn spec_key(spec: &FtpAccountSpec) -> FtpAccountKey {
        FtpAccountKey {
            owner: spec.owner.clone(),
            domain: spec.domain.clone(),
            login: spec.login.clone(),
        }
    }

    fn service(panel: &dyn Panel) -> Option<&dyn Service<Self>> {
        panel.ftp_accounts()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homes_stay_inside_the_domain() {
        assert_eq!(
            normal_home("/public_html/uploads/"),
            Ok("public_html/uploads".into())
        );
        assert_eq!(normal_home("a/./b//c"), Ok("a/b/c".into()));
        assert_eq!(normal_home("/"), Ok(String::new()));
        assert_eq!(normal_home(""), Ok(String::new()));
        for bad in ["../x", "a/../../etc", "a:b", "a\nb"] {
            assert!(normal_home(bad).is_err(), "{bad}");
        }
        assert_eq!(reported_home("/public_html/uploads"), "public_html/uploads");
        assert_eq!(reported_home("/"), "");
    }

    #[test]
    fn logins_are_checked() {
        assert_eq!(login_problem("deploy"), None);
        assert_eq!(login_problem("ci.bot-1"), None);
        assert!(login_problem("").is_some());
        assert!(login_problem("_x").is_some());
        assert!(login_problem("a b").is_some());
        assert!(login_problem(&"a".repeat(33)).is_some());
    }

    #[test]
    fn keys_match_owner_domain_case_insensitively_and_exact_login() {
        let account = FtpAccount {
            id: "bob/example.com/bob_deploy".into(),
            owner: "bob".into(),
            domain: "example.com".into(),
            login: "deploy".into(),
            full_login: "bob_deploy".into(),
            home: String::new(),
        };
        let key = FtpAccountKey {
            owner: "bob".into(),
            domain: "Example.com".into(),
            login: "deploy".into(),
        };
        assert!(key.matches(&account));
        assert!(!FtpAccountKey {
            login: "Deploy".into(),
            ..key.clone()
        }
        .matches(&account));
        assert!(!FtpAccountKey {
            owner: "ann".into(),
            ..key
        }
        .matches(&account));
    }
}
