//! Databases with their user (HestiaCP database + inline user, Plesk database of a
//! subscription + database user, PanelAlpha MySQL database + MySQL user).

use super::super::service::{Locator, PanelObject, Service};
use super::super::{Panel, Secret};

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

/// A database's natural key: its name as configured (without any panel prefix) within
/// its owner (and, where databases hang off a domain, that domain).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseKey {
    pub owner: String,
    pub name: String,
    pub domain: Option<String>,
}

impl PanelObject for Database {
    type Spec = DatabaseSpec;
    type Patch = DatabasePatch;
    type Key = DatabaseKey;
    const NOUN: &'static str = "database";

    fn id(&self) -> &str {
        &self.id
    }

    fn locator(&self) -> Locator {
        Locator::new(&self.id).with_owner(Some(&self.owner))
    }

    fn owner(&self) -> Option<&str> {
        Some(&self.owner)
    }

    fn spec_key(spec: &DatabaseSpec) -> DatabaseKey {
        DatabaseKey {
            owner: spec.owner.clone(),
            name: spec.name.clone(),
            domain: spec.domain.clone(),
        }
    }

    fn service(panel: &dyn Panel) -> Option<&dyn Service<Self>> {
        panel.databases()
    }
}
