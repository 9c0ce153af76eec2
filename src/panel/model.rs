//! Backend-neutral objects. Field names are the ones the Terraform resources use, so
//! `PanelErrorKind::InvalidInput { field }` can be turned into an attribute path.

use std::fmt;

/// A secret value (password). Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the request body that must carry it. Never log this.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A hosting customer: Plesk customer, Hestia user, PanelAlpha user.
#[derive(Clone, Debug, PartialEq)]
pub struct User {
    /// The panel's own identifier (Plesk numeric id, Hestia login, PanelAlpha numeric id).
    pub id: String,
    /// Login name; PanelAlpha has none and reports the email here.
    pub login: String,
    pub email: String,
    /// Full contact name.
    pub name: String,
    /// Service plan / package name, if any.
    pub plan: Option<String>,
    pub suspended: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserSpec {
    pub login: String,
    pub email: String,
    pub name: String,
    pub password: Secret,
    pub plan: Option<String>,
    pub suspended: bool,
}

/// Only the fields set to `Some` change.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct UserPatch {
    pub email: Option<String>,
    pub name: Option<String>,
    pub plan: Option<String>,
    pub suspended: Option<bool>,
    pub password: Option<Secret>,
}

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
    pub php_version: Option<String>,
    pub ip_address: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DomainSpec {
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
}

#[derive(Clone, Debug, PartialEq)]
pub struct Database {
    /// Hestia: the full prefixed name; Plesk: numeric id; PanelAlpha: composite key.
    pub id: String,
    /// The name as the panel stores it (Hestia: with the `user_` prefix).
    pub name: String,
    pub owner: String,
    /// Plesk subscription / PanelAlpha hosting-account domain the database hangs off.
    pub domain: Option<String>,
    /// `mysql` or `postgresql`.
    pub engine: String,
    /// The database user's name as the panel stores it.
    pub user: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DatabaseSpec {
    /// The name as the user wrote it (Hestia adds the prefix itself).
    pub name: String,
    pub owner: String,
    pub domain: Option<String>,
    pub engine: String,
    pub user: Option<String>,
    pub password: Option<Secret>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DatabasePatch {
    pub password: Option<Secret>,
}
