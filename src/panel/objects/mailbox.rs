//! Mailboxes (mail accounts) of a mail domain: HestiaCP mail accounts, Plesk mail names
//! with a mailbox, PanelAlpha email accounts; and the local-part rules every layer
//! shares.

use super::super::names::same_domain;
use super::super::secret::Secret;
use super::super::service::{Locator, PanelObject, Service};
use super::super::Panel;

#[derive(Clone, Debug, PartialEq)]
pub struct Mailbox {
    /// HestiaCP: `USER/DOMAIN/NAME`; Plesk: the address; PanelAlpha:
    /// `USER_ID/ACCOUNT_ID/ADDRESS`.
    pub id: String,
    /// The owning user's id.
    pub owner: String,
    /// The mail domain, as the panel lists it.
    pub domain: String,
    /// The local part (lowercase).
    pub name: String,
    /// Megabytes; `None` is unlimited.
    pub quota_mb: Option<u64>,
    pub suspended: bool,
}

impl Mailbox {
    pub fn address(&self) -> String {
        format!("{}@{}", self.name, self.domain)
    }
}

#[derive(Clone, Debug)]
pub struct MailboxSpec {
    pub owner: String,
    pub domain: String,
    pub name: String,
    pub password: Secret,
    pub quota_mb: Option<u64>,
    pub suspended: bool,
}

#[derive(Clone, Debug, Default)]
pub struct MailboxPatch {
    pub password: Option<Secret>,
    /// `Some(None)`: unlimited.
    pub quota_mb: Option<Option<u64>>,
    pub suspended: Option<bool>,
}

/// A mailbox's natural key: its local part in its owner's mail domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailboxKey {
    pub owner: String,
    pub domain: String,
    pub name: String,
}

impl MailboxKey {
    pub fn matches(&self, mailbox: &Mailbox) -> bool {
        mailbox.owner == self.owner
            && same_domain(&mailbox.domain, &self.domain)
            && mailbox.name.eq_ignore_ascii_case(&self.name)
    }
}

/// The local-part rules the panels share: 1-64 characters, lowercase letters, digits,
/// `.`, `-` and `_`, starting and ending with a letter or digit (every panel stores
/// local parts in lowercase, so an uppercase one would never read back as written).
pub fn local_part_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.len() > 64 {
        return Some(format!("must be 1 to 64 characters, got {}", name.len()));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'_'))
    {
        return Some(
            "may only hold lowercase letters, digits, `.`, `-` and `_` (panels store local \
             parts in lowercase)"
                .to_owned(),
        );
    }
    let bytes = name.as_bytes();
    let edge = |b: u8| b.is_ascii_alphanumeric();
    if !edge(bytes[0]) || !edge(bytes[bytes.len() - 1]) {
        return Some("must start and end with a letter or a digit".to_owned());
    }
    if name.contains("..") {
        return Some("must not hold `..`".to_owned());
    }
    None
}

impl PanelObject for Mailbox {
    type Spec = MailboxSpec;
    type Patch = MailboxPatch;
    type Key = MailboxKey;
    const NOUN: &'static str = "mailbox";

    fn id(&self) -> &str {
        &self.id
    }

    fn locator(&self) -> Locator {
        Locator::new(&self.id).with_owner(Some(&self.owner))
    }

    fn owner(&self) -> Option<&str> {
        Some(&self.owner)
    }

    fn spec_key(spec: &MailboxSpec) -> MailboxKey {
        MailboxKey {
            owner: spec.owner.clone(),
            domain: spec.domain.clone(),
            name: spec.name.clone(),
        }
    }

    fn service(panel: &dyn Panel) -> Option<&dyn Service<Self>> {
        panel.mailboxes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_parts_are_checked() {
        assert_eq!(local_part_problem("info"), None);
        assert_eq!(local_part_problem("first.last-2_x"), None);
        for bad in ["", "Info", "a b", ".x", "x.", "a..b", "ü", &"a".repeat(65)] {
            assert!(local_part_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn keys_match_owner_domain_and_name() {
        let mailbox = Mailbox {
            id: "bob/example.com/info".into(),
            owner: "bob".into(),
            domain: "example.com".into(),
            name: "info".into(),
            quota_mb: None,
            suspended: false,
        };
        assert_eq!(mailbox.address(), "info@example.com");
        let key = MailboxKey {
            owner: "bob".into(),
            domain: "Example.com".into(),
            name: "info".into(),
        };
        assert!(key.matches(&mailbox));
        assert!(!MailboxKey {
            owner: "ann".into(),
            ..key.clone()
        }
        .matches(&mailbox));
        assert!(!MailboxKey {
            name: "sales".into(),
            ..key
        }
        .matches(&mailbox));
    }
}
