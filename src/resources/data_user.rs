//! `data "panel_user"` (one user, by login or id) and `data "panel_users"` (all users,
//! optionally filtered by login prefix or email), on every panel through
//! [`Panel::find_user`](crate::panel::Panel::find_user),
//! [`Panel::get_user`](crate::panel::Panel::get_user) and
//! [`Panel::list_users`](crate::panel::Panel::list_users).

use crate::framework::diag::Diagnostics;
use crate::framework::resource::{Context, DataSource, StateResult};
use crate::framework::schema::{Attribute, Schema};
use crate::framework::validate;
use crate::panel::User;
use crate::tfvalue::{Type, Value};

use super::data_shared::{
    check_exactly_one_lookup, config_string, describe_lookup, not_found, optional_string,
    panel_error, provider_data, same_email,
};

pub const TYPE_NAME: &str = "panel_user";
pub const LIST_TYPE_NAME: &str = "panel_users";

/// How users map onto each panel; shared by both descriptions.
const PANEL_MAPPING: &str = "On Plesk (REST and XML APIs) a user is a *customer*; on HestiaCP a \
     *user*; on PanelAlpha a *user*.";

const ID_TEXT: &str =
    "The panel's id: the numeric customer id on Plesk, the login on HestiaCP, the \
     numeric user id on PanelAlpha.";
const LOGIN_TEXT: &str =
    "The login name (Plesk customer login, HestiaCP user name). PanelAlpha users \
     have no login; there it is the email address.";
const EMAIL_TEXT: &str = "Contact email address.";
const NAME_TEXT: &str = "Full contact name.";
const PLAN_TEXT: &str = "Service plan: the HestiaCP package, or the plan of the user's PanelAlpha \
     service. Always null on Plesk, where plans belong to subscriptions (domains), not customers.";
const SUSPENDED_TEXT: &str = "Whether the user is suspended (Plesk customer status not active, \
     HestiaCP `SUSPENDED`, PanelAlpha suspended user).";

/// The attributes of one user, as in `panel_user`, in a stable order.
fn user_fields() -> Vec<(&'static str, Type)> {
    vec![
        ("id", Type::String),
        ("login", Type::String),
        ("email", Type::String),
        ("name", Type::String),
        ("plan", Type::String),
        ("suspended", Type::Bool),
    ]
}

fn user_object_type() -> Type {
    Type::object(user_fields())
}

fn user_value(user: &User) -> Value {
    Value::Object(
        [
            ("id", Value::string(user.id.clone())),
            ("login", Value::string(user.login.clone())),
            ("email", Value::string(user.email.clone())),
            ("name", Value::string(user.name.clone())),
            ("plan", optional_string(user.plan.as_deref())),
            ("suspended", Value::Bool(user.suspended)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
    )
}

/// `data "panel_user"`.
pub struct UserDataSource;

pub fn schema() -> Schema {
    Schema::new(0)
        .markdown(format!(
            "Looks up one existing user by `login` or by `id` (exactly one of them) and \
             exposes its attributes, e.g. to own domains created by this configuration. \
             {PANEL_MAPPING} Reading fails with an error naming the lookup when the panel has no \
             such user.\n\nOn PanelAlpha, `login` is the user's email address."
        ))
        .attribute(
            Attribute::string("id")
                .optional()
                .computed()
                .markdown(format!(
            "{ID_TEXT} Set it to look the user up by id, or leave it out to have it filled in."
        )),
        )
        .attribute(
            Attribute::string("login")
                .optional()
                .computed()
                .markdown(format!(
            "{LOGIN_TEXT} Set it to look the user up by login, or leave it out to have it filled \
             in."
        )),
        )
        .attribute(Attribute::string("email").computed().markdown(EMAIL_TEXT))
        .attribute(Attribute::string("name").computed().markdown(NAME_TEXT))
        .attribute(Attribute::string("plan").computed().markdown(PLAN_TEXT))
        .attribute(
            Attribute::bool("suspended")
                .computed()
                .markdown(SUSPENDED_TEXT),
        )
}

#[async_trait::async_trait]
impl DataSource for UserDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value, diagnostics: &mut Diagnostics) {
        check_exactly_one_lookup(TYPE_NAME, config, &[&["login"], &["id"]], diagnostics);
    }

    async fn read(&self, ctx: &Context, config: &Value) -> StateResult {
        let mut diagnostics = Diagnostics::new();
        check_exactly_one_lookup(TYPE_NAME, config, &[&["login"], &["id"]], &mut diagnostics);
        if diagnostics.has_errors() {
            return (None, diagnostics);
        }
        let data = match provider_data(ctx) {
            Ok(data) => data,
            Err(diagnostics) => return (None, diagnostics),
        };
        let (attribute, key, found) =
            match (config_string(config, "login"), config_string(config, "id")) {
                (Some(login), _) => ("login", login.clone(), data.panel.find_user(&login).await),
                (None, Some(id)) => ("id", id.clone(), data.panel.get_user(&id).await),
                // Both null or unknown: the check above reported "Missing Lookup" unless the
                // value was unknown, which Terraform never sends to a read.
                (None, None) => {
                    diagnostics.error(
                        "Missing Lookup",
                        format!("data.{TYPE_NAME} needs a known `login` or `id` to read."),
                    );
                    return (None, diagnostics);
                }
            };
        let lookup = [(attribute, key.as_str())];
        match found {
            Ok(Some(user)) => {
                let mut state = config.clone();
                for (name, value) in user_value(&user).as_object().into_iter().flatten() {
                    // The lookup key keeps the configured spelling (Terraform insists on
                    // it); everything else comes from the panel.
                    if name != attribute {
                        state.set_attr(name, value.clone());
                    }
                }
                (Some(state), diagnostics)
            }
            Ok(None) => (None, not_found(TYPE_NAME, "user", attribute, &lookup)),
            Err(err) => {
                let what = format!("looking up the user with {}", describe_lookup(&lookup));
                (None, panel_error(TYPE_NAME, &what, Some(attribute), &err))
            }
        }
    }
}

/// `data "panel_users"`.
pub struct UsersDataSource;

pub fn list_schema() -> Schema {
    Schema::new(0)
        .markdown(format!(
            "Lists the panel's users, optionally only those whose login starts with \
             `login_prefix` and/or whose email is `email`. {PANEL_MAPPING} The panel is asked \
             for all users in one listing (Plesk: customers; HestiaCP: `v-list-users`; \
             PanelAlpha: users plus their services, for the plan); the filters are applied by \
             the provider, since none of the panels filters users by these fields itself. \
             The administrator account is listed like any other user where the panel reports \
             it (HestiaCP `admin`). Users are sorted by login."
        ))
        .attribute(
            Attribute::string("login_prefix")
                .optional()
                .validator(validate::string_length_at_least(1))
                .markdown(
                    "Only users whose login starts with this text (case-sensitive; on PanelAlpha \
                     the login is the email address).",
                ),
        )
        .attribute(
            Attribute::string("email")
                .optional()
                .markdown("Only users with this email address (compared case-insensitively)."),
        )
        .attribute(
            Attribute::list_of("users", user_object_type())
                .computed()
                .markdown(format!(
                    "The matching users, each an object with the attributes of the `panel_user` \
                     data source: `id` ({ID_TEXT}), `login` ({LOGIN_TEXT}), `email`, `name`, \
                     `plan` ({PLAN_TEXT}) and `suspended`."
                )),
        )
        .attribute(
            Attribute::list_of_string("ids")
                .computed()
                .markdown("The `id` of each matching user, in the same order as `users`."),
        )
}

/// Whether `user` passes the configured filters.
fn matches_filters(user: &User, login_prefix: Option<&str>, email: Option<&str>) -> bool {
    login_prefix.is_none_or(|prefix| user.login.starts_with(prefix))
        && email.is_none_or(|email| same_email(&user.email, email))
}

#[async_trait::async_trait]
impl DataSource for UsersDataSource {
    fn type_name(&self) -> &'static str {
        LIST_TYPE_NAME
    }

    fn schema(&self) -> Schema {
        list_schema()
    }

    async fn read(&self, ctx: &Context, config: &Value) -> StateResult {
        let data = match provider_data(ctx) {
            Ok(data) => data,
            Err(diagnostics) => return (None, diagnostics),
        };
        let login_prefix = config_string(config, "login_prefix");
        let email = config_string(config, "email");
        let mut users = match data.panel.list_users().await {
            Ok(users) => users,
            Err(err) => {
                return (
                    None,
                    panel_error(LIST_TYPE_NAME, "listing users", None, &err),
                )
            }
        };
        users.retain(|user| matches_filters(user, login_prefix.as_deref(), email.as_deref()));
        users.sort_by(|a, b| a.login.cmp(&b.login).then_with(|| a.id.cmp(&b.id)));
        let mut state = config.clone();
        state.set_attr(
            "ids",
            Value::List(users.iter().map(|u| Value::string(u.id.clone())).collect()),
        );
        state.set_attr("users", Value::List(users.iter().map(user_value).collect()));
        (Some(state), Diagnostics::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(login: &str, email: &str) -> User {
        User {
            id: format!("id-{login}"),
            login: login.into(),
            email: email.into(),
            name: "N".into(),
            plan: None,
            suspended: false,
        }
    }

    #[test]
    fn schemas_are_valid_and_the_user_object_matches_panel_user() {
        assert_eq!(schema().check(), Ok(()));
        assert_eq!(list_schema().check(), Ok(()));
        let singular = schema().object_type();
        assert_eq!(singular, user_object_type());
        assert!(user_value(&user("a", "a@x")).conforms_to(&user_object_type()));
    }

    #[test]
    fn filters_combine_prefix_and_case_insensitive_email() {
        let bob = user("bob", "Bob@Example.com");
        assert!(matches_filters(&bob, None, None));
        assert!(matches_filters(&bob, Some("bo"), None));
        assert!(!matches_filters(&bob, Some("Bo"), None));
        assert!(matches_filters(&bob, None, Some("bob@example.COM")));
        assert!(!matches_filters(
            &bob,
            Some("bo"),
            Some("alice@example.com")
        ));
    }
}
