//! Mail service of a domain: an object of its own on HestiaCP (`v-add-mail-domain`),
//! the domain's mail service switched on on Plesk, a domain of a hosting account on
//! PanelAlpha (every one of which receives mail). One way, on every panel, to say "this
//! domain receives mail".

use super::super::service::{Locator, PanelObject, Service};
use super::super::Panel;

#[derive(Clone, Debug, PartialEq)]
pub struct MailDomain {
    /// HestiaCP: `USER/DOMAIN`; Plesk: the domain name; PanelAlpha:
    /// `USER_ID/ACCOUNT_ID/DOMAIN`.
    pub id: String,
    /// The owning user's id.
    pub owner: String,
    /// The domain name, as the panel lists it.
    pub domain: String,
}

#[derive(Clone, Debug)]
pub struct MailDomainSpec {
    pub owner: String,
    pub domain: String,
}

/// Nothing of a mail domain changes in place.
#[derive(Clone, Debug, Default)]
pub struct MailDomainPatch {}

/// A mail domain's natural key: its domain name within its owner's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MailDomainKey {
    pub owner: String,
    pub domain: String,
}

impl MailDomainKey {
    pub fn matches(&self, mail: &MailDomain) -> bool {
        mail.owner == self.owner && same_domain(&mail.domain, &self.domain)
    }
}

pub use super::super::names::same_domain;

impl PanelObject for MailDomain {
    type Spec = MailDomainSpec;
    type Patch = MailDomainPatch;
    type Key = MailDomainKey;
    const NOUN: &'static str = "mail domain";

    fn id(&self) -> &str {
        &self.id
    }

    fn locator(&self) -> Locator {
        Locator::new(&self.id).with_owner(Some(&self.owner))
    }

    fn owner(&self) -> Option<&str> {
        Some(&self.owner)
    }

    fn spec_key(spec: &MailDomainSpec) -> MailDomainKey {
        MailDomainKey {
            owner: spec.owner.clone(),
            domain: spec.domain.clone(),
        }
    }

    fn service(panel: &dyn Panel) -> Option<&dyn Service<Self>> {
        panel.mail_domains()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_the_owner_exactly_and_the_domain_in_any_case() {
        let mail = MailDomain {
            id: "bob/example.com".into(),
            owner: "bob".into(),
            domain: "example.com".into(),
        };
        let key = MailDomainKey {
            owner: "bob".into(),
            domain: "Example.COM".into(),
        };
        assert!(key.matches(&mail));
        assert!(!MailDomainKey {
            owner: "ann".into(),
            ..key.clone()
        }
        .matches(&mail));
        assert!(!MailDomainKey {
            domain: "example.org".into(),
            ..key
        }
        .matches(&mail));
    }
}
