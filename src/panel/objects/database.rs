//! Databases with their user (HestiaCP database + inline user, Plesk database of a
//! subscription + database user, PanelAlpha MySQL database + MySQL user).

use super::super::service::{Locator, PanelObject, Service};
use super::super::{Panel, PanelError, Secret};

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

/// A lookup by name found several databases of one owner (a name that matches with and
/// without the panel's prefix, or in two places): the error names them all, so the user
/// can look the one meant up by `id`.
pub fn ambiguous_database_name(owner: &str, name: &str, ids: &[String]) -> PanelError {
    let ids: Vec<String> = ids.iter().map(|id| format!("{id:?}")).collect();
    PanelError::invalid(
        Some("name"),
        format!(
            "{} databases of owner {owner:?} match name {name:?} (ids {}); look the one you \
             mean up by `id` instead",
            ids.len(),
            ids.join(", ")
        ),
    )
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
        Locator::new(&self.id)
            .with_owner(Some(&self.owner))
            .with_user(self.user.as_deref())
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

#[cfg(test)]
mod ambiguity_tests {
    use super::*;

    #[test]
    fn an_ambiguous_name_names_the_attribute_the_owner_and_every_match() {
        let error =
            ambiguous_database_name("bob", "shop", &["bob/shop".into(), "bob/bob_shop".into()]);
        assert_eq!(
            error.kind,
            crate::panel::PanelErrorKind::InvalidInput {
                field: Some("name".into())
            }
        );
        assert!(
            error
                .message
                .starts_with("2 databases of owner \"bob\" match name \"shop\"")
                && error.message.contains("\"bob/shop\", \"bob/bob_shop\"")
                && error.message.contains("by `id`"),
            "{}",
            error.message
        );
    }
}
