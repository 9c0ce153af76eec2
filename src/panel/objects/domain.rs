//! Domains: web sites (Plesk subscription / site / subdomain, HestiaCP web domain,
//! PanelAlpha domain of a hosting account).

use super::super::names::DomainName;
use super::super::service::{Locator, PanelObject, Service};
use super::super::{Panel, Secret};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DomainKind {
    /// Plesk subscription (webspace); Hestia web domain; PanelAlpha main domain of a
    /// hosting account.
    Main,
    /// A further site inside a subscription / hosting account.
    Addon,
    Subdomain,
}

impl DomainKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DomainKind::Main => "main",
            DomainKind::Addon => "addon",
            DomainKind::Subdomain => "subdomain",
        }
    }

    /// The kind named `text` (`main` for anything else, as the schema's default).
    pub fn parse(text: Option<&str>) -> DomainKind {
        match text {
            Some("addon") => DomainKind::Addon,
            Some("subdomain") => DomainKind::Subdomain,
            _ => DomainKind::Main,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    pub id: String,
    /// Lowercase ASCII (punycode) form.
    pub name: String,
    /// Owner's `User::id`.
    pub owner: String,
    pub kind: DomainKind,
    /// For addon domains and subdomains: the name of the main domain / parent.
    pub parent: Option<String>,
    pub document_root: Option<String>,
    /// The directory a relative `document_root` is read in, where the panel has one
    /// (Plesk: the subscription's home), so a configured absolute spelling of the same
    /// directory can be told from another directory (`paths::same_document_root`).
    pub home: Option<String>,
    pub php_version: Option<String>,
    pub ip_address: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DomainSpec {
    /// Lowercase ASCII (punycode) form.
    pub name: String,
    pub owner: String,
    pub kind: DomainKind,
    pub parent: Option<String>,
    pub document_root: Option<String>,
    pub php_version: Option<String>,
    pub ip_address: Option<String>,
    /// Plesk subscriptions need a system (FTP) user; other panels ignore it.
    pub system_password: Option<Secret>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DomainPatch {
    pub document_root: Option<String>,
    pub php_version: Option<String>,
    pub ip_address: Option<String>,
    /// A new password for the subscription's system (FTP) user, where the panel can set
    /// it (`Capabilities::domain_system_password_update`).
    pub system_password: Option<Secret>,
}

/// A domain's natural key: its name (unique on a panel). With `owner` set, a lookup
/// looks only among that owner's domains (cheap: one list or one read); without it,
/// anywhere on the panel (which may cost a search over every user).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DomainKey {
    pub name: DomainName,
    pub owner: Option<String>,
}

impl PanelObject for Domain {
    type Spec = DomainSpec;
    type Patch = DomainPatch;
    type Key = DomainKey;
    const NOUN: &'static str = "domain";

    fn id(&self) -> &str {
        &self.id
    }

    fn locator(&self) -> Locator {
        Locator::new(&self.id).with_owner(Some(&self.owner))
    }

    fn owner(&self) -> Option<&str> {
        Some(&self.owner)
    }

    fn spec_key(spec: &DomainSpec) -> DomainKey {
        DomainKey {
            name: DomainName::from_normalized(&spec.name),
            owner: Some(spec.owner.clone()),
        }
    }

    fn anywhere(key: &DomainKey) -> DomainKey {
        DomainKey {
            name: key.name.clone(),
            owner: None,
        }
    }

    fn service(panel: &dyn Panel) -> Option<&dyn Service<Self>> {
        panel.domains()
    }
}
