//! Database users on their own (Plesk database users, PanelAlpha MySQL users), granted
//! access to one or more databases of their owner. HestiaCP has none: its databases
//! carry their one user inline (`panel_database.user`).

use super::super::secret::Secret;
use super::super::service::{Locator, PanelObject, Service};
use super::super::Panel;

#[derive(Clone, Debug, PartialEq)]
pub struct DatabaseUser {
    /// Plesk: the database user's numeric id; PanelAlpha: `USER_ID/ACCOUNT_ID/NAME`.
    pub id: String,
    /// The owning user's id.
    pub owner: String,
    /// The login as the panel stores it (PanelAlpha: with the account's prefix).
    pub name: String,
    /// The `panel_database` ids of the databases the user has access to, sorted.
    pub databases: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct DatabaseUserSpec {
    pub owner: String,
    /// The login as written (PanelAlpha adds its prefix).
    pub name: String,
    pub password: Secret,
    /// `panel_database` ids, sorted, at least one.
    pub databases: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct DatabaseUserPatch {
    pub password: Option<Secret>,
    /// The whole new set of database ids, sorted.
    pub databases: Option<Vec<String>>,
}

/// A database user's natural key: its login as written, within its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseUserKey {
    pub owner: String,
    pub name: String,
}

/// The database user name rules the panels share (MySQL's): 1-32 characters, letters,
/// digits and `_`, starting with a letter.
pub fn database_user_name_problem(name: &str) -> Option<String> {
    if name.is_empty() || name.chars().count() > 32 {
        return Some(format!(
            "must be 1 to 32 characters, got {}",
            name.chars().count()
        ));
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Some("may only hold letters, digits and `_`".to_owned());
    }
    if !name.as_bytes()[0].is_ascii_alphabetic() {
        return Some("must start with a letter".to_owned());
    }
    None
}

impl PanelObject for DatabaseUser {
    type Spec = DatabaseUserSpec;
    type Patch = DatabaseUserPatch;
    type Key = DatabaseUserKey;
    const NOUN: &'static str = "database user";

    fn id(&self) -> &str {
        &self.id
    }

    fn locator(&self) -> Locator {
        Locator::new(&self.id).with_owner(Some(&self.owner))
    }

    fn owner(&self) -> Option<&str> {
        Some(&self.owner)
    }

    fn spec_key(spec: &DatabaseUserSpec) -> DatabaseUserKey {
        DatabaseUserKey {
            owner: spec.owner.clone(),
            name: spec.name.clone(),
        }
    }

    fn service(panel: &dyn Panel) -> Option<&dyn Service<Self>> {
        panel.database_users()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert_eq!(database_user_name_problem("report"), None);
        assert_eq!(database_user_name_problem("ro_user2"), None);
        assert!(database_user_name_problem("").is_some());
        assert!(database_user_name_problem("2x").is_some());
        assert!(database_user_name_problem("a-b").is_some());
        assert!(database_user_name_problem(&"a".repeat(33)).is_some());
    }
}
