//! Users: hosting customers (Plesk customer, HestiaCP user, PanelAlpha user).

use super::super::service::{Locator, PanelObject, Service};
use super::super::{Panel, Secret};

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
    /// The panel's own administrator account (a HestiaCP user with the `admin` role):
    /// read like any user, but `adopt` leaves it out unless asked for by `--owner`.
    pub administrator: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserSpec {
    /// The login (PanelAlpha: the email, which is its natural key there).
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

/// A user's natural key: the login (PanelAlpha: the email).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserKey {
    pub login: String,
}

impl PanelObject for User {
    type Spec = UserSpec;
    type Patch = UserPatch;
    type Key = UserKey;
    const NOUN: &'static str = "user";

    fn id(&self) -> &str {
        &self.id
    }

    fn locator(&self) -> Locator {
        Locator::new(&self.id)
    }

    fn owner(&self) -> Option<&str> {
        None
    }

    fn spec_key(spec: &UserSpec) -> UserKey {
        UserKey {
            login: spec.login.clone(),
        }
    }

    fn service(panel: &dyn Panel) -> Option<&dyn Service<Self>> {
        panel.users()
    }
}
