//! `panel_user`: a hosting customer (Plesk customer, HestiaCP user, PanelAlpha user).

use crate::framework::diag::Diagnostics;
use crate::framework::plan::PlanContext;
use crate::framework::resource::{Context, Resource, StateResult};
use crate::framework::schema::{Attribute, Schema};
use crate::framework::validate;
use crate::panel::{PanelErrorKind, PanelKind, PartialObject, Secret, User, UserPatch, UserSpec};
use crate::provider::ProviderData;
use crate::tfvalue::{AttributePath, Value};

use super::common::{
    self, attr, bool_attr, is_null, is_unknown, object, optional_string, owned_attr,
    provider_if_ready, string_attr, Failure,
};

pub const TYPE_NAME: &str = "panel_user";

pub struct UserResource;

pub fn schema() -> Schema {
    Schema::new(0)
        .markdown(
            "A hosting customer on the panel:\n\n\
             * **Plesk** (REST and XML API): a *customer* account (not a reseller). Plesk \
             customers have no service plan of their own (plans belong to subscriptions), so \
             `plan` cannot be set.\n\
             * **HestiaCP**: a *user* (a Unix account) with a *package* as `plan`.\n\
             * **PanelAlpha**: a *user*, identified by email (there is no login). `plan` is \
             the user's *service*: setting it provisions the hosting account that \
             `panel_domain` and `panel_database` objects hang off, and `suspended` suspends \
             that service (so a PanelAlpha user without a plan cannot be suspended).\n\n\
             Passwords are write-only: they are sent to the panel, never read back or stored \
             in state. Bump `password_wo_version` to send a new `password_wo`. Write-only \
             attributes need Terraform 1.11 or later.\n\n\
             ## Import\n\n\
             Import by login (PanelAlpha: by email); a numeric panel id works too:\n\n\
             ```shell\n\
             terraform import panel_user.alice alice\n\
             terraform import panel_user.alice alice@example.com  # PanelAlpha\n\
             ```\n\n\
             The password is not imported; set `password_wo` and bump `password_wo_version` \
             to take control of it.",
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .markdown(
                    "The panel's id for the user: the Plesk client id, the HestiaCP login, \
                     the PanelAlpha user id. Use it as `owner` of domains and databases.",
                ),
        )
        .attribute(
            Attribute::string("login")
                .optional()
                .computed()
                .use_state_for_unknown()
                .validator(validate::custom("panel login or email", |value| {
                    value.as_str().and_then(static_login_problem)
                }))
                .markdown(
                    "Login name. Required on Plesk and HestiaCP; changing it replaces the \
                     user. Lowercase letters, digits, `_`, `-` and `.`, starting with a \
                     letter, at most 60 characters; HestiaCP allows 2 to 30 characters \
                     without `.`. PanelAlpha users have no login: leave it unset there and it \
                     reads as the email.",
                ),
        )
        .attribute(
            Attribute::string("email")
                .required()
                .validator(validate::string_matches(
                    "be an email address",
                    is_email_shaped,
                ))
                .markdown("Contact email address. Changed in place."),
        )
        .attribute(
            Attribute::string("name")
                .required()
                .validator(validate::string_length_between(1, 255))
                .markdown(
                    "Full contact name. Changed in place. PanelAlpha stores it as first and \
                     last name, split at the first space.",
                ),
        )
        .attribute(
            Attribute::string("plan")
                .optional()
                .computed()
                .use_state_for_unknown()
                .validator(validate::string_length_at_least(1))
                .markdown(
                    "Service plan: the HestiaCP package (the panel's `default` package when \
                     unset) or the PanelAlpha plan. Changed in place. Not available on Plesk, \
                     where plans belong to subscriptions. When unset, the panel's value is \
                     kept and not managed.",
                ),
        )
        .attribute(
            Attribute::bool("suspended")
                .optional()
                .computed()
                .default(Value::Bool(false))
                .markdown(
                    "Whether the account is suspended. Defaults to `false`; changed in place.",
                ),
        )
        .attribute(
            Attribute::string("password_wo")
                .optional()
                .sensitive()
                .write_only()
                .markdown(
                    "Login password, write-only: sent to the panel on create and whenever \
                     `password_wo_version` changes, never stored in state. Required to create \
                     the user. PanelAlpha requires at least 8 characters.",
                ),
        )
        .attribute(Attribute::int("password_wo_version").optional().markdown(
            "Any number; change it to send `password_wo` to the panel again (password \
                     rotation, changed in place). Changing only `password_wo` does nothing, \
                     because write-only values are not stored to compare with.",
        ))
}

/// Whether `text` looks like an email address (`local@domain.tld`).
fn is_email_shaped(text: &str) -> bool {
    text.split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
}

/// The config-time check of `login`. The provider may not be configured yet, so an
/// email-shaped login passes here: it is what PanelAlpha reports as login and what
/// `terraform plan -generate-config-out` writes after an import there. Whether the
/// configured panel accepts it is decided at plan time in `modify_plan`.
fn static_login_problem(login: &str) -> Option<String> {
    if is_email_shaped(login) {
        return None;
    }
    common::login_problem(login)
}

/// The panel model's field names as attribute names.
fn attribute_of(field: &str) -> Option<&'static str> {
    match field {
        "login" => Some("login"),
        "email" => Some("email"),
        "name" => Some("name"),
        "plan" => Some("plan"),
        "suspended" => Some("suspended"),
        "password" => Some("password_wo"),
        _ => None,
    }
}

fn failure(action: &'static str, who: &str) -> Failure<'static> {
    Failure {
        type_name: TYPE_NAME,
        action,
        object: format!("user {who:?}"),
        field_to_attribute: attribute_of,
    }
}

/// The user as state. `prior` (prior state or plan) supplies what the panel does not
/// report: the password version, and the configured spelling of the email when the
/// panel changed only its case.
pub fn user_state(user: &User, prior: Option<&Value>) -> Value {
    let keep_case = |name: &str, panel: &str| -> Value {
        match prior.and_then(|p| string_attr(p, name)) {
            Some(configured) if configured.eq_ignore_ascii_case(panel) => Value::string(configured),
            _ => Value::string(panel),
        }
    };
    object(vec![
        ("id", Value::string(user.id.clone())),
        ("login", keep_case("login", &user.login)),
        ("email", keep_case("email", &user.email)),
        ("name", Value::string(user.name.clone())),
        ("plan", optional_string(user.plan.as_deref())),
        ("suspended", Value::Bool(user.suspended)),
        ("password_wo", Value::Null),
        (
            "password_wo_version",
            prior.map_or(Value::Null, |p| attr(p, "password_wo_version")),
        ),
    ])
}

fn password_from(config: &Value) -> Option<Secret> {
    string_attr(config, "password_wo").map(Secret::new)
}

#[async_trait::async_trait]
impl Resource for UserResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn modify_plan(&self, ctx: &Context, plan: &mut PlanContext) {
        let login = AttributePath::root("login");
        // Replacement for a login change does not depend on the panel; it is decided
        // here rather than by a schema modifier because PanelAlpha's computed login
        // follows the email, which changes in place.
        if let (Some(prior), Some(configured)) = (
            plan.prior_attr("login").and_then(Value::as_str),
            plan.config_attr("login").and_then(Value::as_str),
        ) {
            if prior != configured {
                plan.require_replace(login.clone());
            }
        }
        if plan.is_create() && is_null(&plan.config, "password_wo") {
            plan.diagnostics.error_at(
                AttributePath::root("password_wo"),
                "Missing Password",
                "Creating a `panel_user` needs `password_wo`: the panel will not create an \
                 account without a password.",
            );
        }
        let version_changed = !plan.is_create()
            && plan.prior_attr("password_wo_version") != plan.planned_attr("password_wo_version");
        if version_changed && is_null(&plan.config, "password_wo") {
            plan.diagnostics.error_at(
                AttributePath::root("password_wo"),
                "Missing Password",
                "`password_wo_version` changed, which sends `password_wo` to the panel, but \
                 `password_wo` is not set.",
            );
        }
        let Some(provider) = provider_if_ready(ctx) else {
            return;
        };
        let capabilities = provider.capabilities;
        let panel = provider.kind.as_str();
        let configured_login = plan.config_attr("login").cloned().unwrap_or(Value::Null);
        if capabilities.user_login {
            if configured_login.is_null() {
                plan.diagnostics.error_at(
                    login.clone(),
                    "Missing Login",
                    format!("`login` is required on the `{panel}` panel."),
                );
            } else if let Some(name) = configured_login.as_str() {
                let new_login = plan.prior_attr("login").and_then(Value::as_str) != Some(name);
                let general_problem = common::login_problem(name);
                if let (true, Some(problem)) = (new_login, general_problem) {
                    // Only email-shaped logins get past the static validator with a
                    // problem; panels with logins of their own refuse them.
                    plan.diagnostics.error_at(
                        login.clone(),
                        "Invalid Login",
                        format!("`login` on the `{panel}` panel {problem}."),
                    );
                } else if new_login && provider.kind == PanelKind::Hestia {
                    if let Some(problem) = common::hestia_login_problem(name) {
                        plan.diagnostics.error_at(
                            login.clone(),
                            "Invalid Login",
                            format!("`login` {problem}."),
                        );
                    }
                }
            }
        } else {
            // PanelAlpha: the login is the email. A configured login equal to the email
            // is accepted so that configuration generated by `terraform plan
            // -generate-config-out` from an import stays valid.
            let email = plan.planned_attr("email").cloned().unwrap_or(Value::Null);
            match (configured_login.as_str(), email.as_str()) {
                (Some(configured), Some(email)) if !configured.eq_ignore_ascii_case(email) => {
                    plan.diagnostics.error_at(
                        login.clone(),
                        "Login Not Supported",
                        format!(
                            "`{panel}` users have no login; their email is their login. Remove \
                             `login` or set it to the email."
                        ),
                    );
                }
                (None, _) if configured_login.is_null() => {
                    let unchanged = plan.prior_attr("email") == Some(&email);
                    if !unchanged {
                        plan.set_planned("login", email);
                    }
                }
                _ => {}
            }
        }
        let configured_plan = plan.config_attr("plan").cloned().unwrap_or(Value::Null);
        if configured_plan.is_null() {
            // An unset plan is not managed: an update never sends it, so the prior value
            // stays (`use_state_for_unknown` leaves a null prior unknown, which showed
            // `plan = (known after apply)` on every Plesk update). On create, a panel
            // without user plans will report none.
            if let Some(prior) = plan.prior_attr("plan").cloned() {
                plan.set_planned("plan", prior);
            } else if plan.is_create() && !capabilities.user_plan {
                plan.set_planned("plan", Value::Null);
            }
        }
        let plan_changed = match plan.prior_attr("plan") {
            None => !configured_plan.is_null(),
            Some(prior) => !configured_plan.is_null() && prior != &configured_plan,
        };
        if plan_changed && !capabilities.user_plan {
            plan.diagnostics.error_at(
                AttributePath::root("plan"),
                "Plan Not Supported",
                format!(
                    "`{panel}` users have no service plan (on Plesk, plans belong to \
                     subscriptions). Remove `plan`."
                ),
            );
        } else if plan_changed && !capabilities.user_plan_update {
            plan.require_replace(AttributePath::root("plan"));
        }
        let suspend = bool_attr(&plan.planned, "suspended") == Some(true);
        let suspend_changed = plan.prior_attr("suspended") != plan.planned_attr("suspended");
        if suspend && suspend_changed {
            if !capabilities.user_suspend {
                plan.diagnostics.error_at(
                    AttributePath::root("suspended"),
                    "Suspension Not Supported",
                    format!("`{panel}` users cannot be suspended through the API."),
                );
            } else if provider.kind == PanelKind::PanelAlpha
                && is_null(&plan.planned, "plan")
                && !is_unknown(&plan.planned, "plan")
            {
                plan.diagnostics.error_at(
                    AttributePath::root("suspended"),
                    "Nothing To Suspend",
                    "A PanelAlpha user is suspended by suspending their service, and this user \
                     has no `plan`. Set a plan or leave `suspended` false.",
                );
            }
        }
    }

    async fn create(&self, ctx: &Context, planned: &Value, config: &Value) -> StateResult {
        let provider = match ProviderData::from_context(ctx) {
            Ok(provider) => provider,
            Err(diagnostics) => return (None, diagnostics),
        };
        let email = owned_attr(planned, "email").unwrap_or_default();
        let login = match owned_attr(planned, "login") {
            Some(login) => login,
            None if !provider.capabilities.user_login => email.clone(),
            None => {
                let mut diagnostics = Diagnostics::new();
                diagnostics.error_at(
                    AttributePath::root("login"),
                    "Missing Login",
                    format!(
                        "`login` is required on the `{}` panel.",
                        provider.kind.as_str()
                    ),
                );
                return (None, diagnostics);
            }
        };
        let Some(password) = password_from(config) else {
            let mut diagnostics = Diagnostics::new();
            diagnostics.error_at(
                AttributePath::root("password_wo"),
                "Missing Password",
                "Creating a `panel_user` needs `password_wo`.",
            );
            return (None, diagnostics);
        };
        let spec = UserSpec {
            login: login.clone(),
            email,
            name: owned_attr(planned, "name").unwrap_or_default(),
            password,
            plan: owned_attr(planned, "plan"),
            suspended: bool_attr(planned, "suspended").unwrap_or(false),
        };
        match provider.panel.create_user(&spec).await {
            Ok(user) => (Some(user_state(&user, Some(planned))), Diagnostics::new()),
            Err(error) if error.kind == PanelErrorKind::AlreadyExists => (
                None,
                common::already_exists(TYPE_NAME, &format!("user {login:?}"), &login, &error),
            ),
            Err(error) => {
                let diagnostics = failure("create", &login).diagnostics(&error);
                let partial = match error.partial.as_deref() {
                    Some(PartialObject::User(user)) => Some(user_state(user, Some(planned))),
                    _ => None,
                };
                (partial, diagnostics)
            }
        }
    }

    async fn read(&self, ctx: &Context, state: &Value) -> StateResult {
        let provider = match ProviderData::from_context(ctx) {
            Ok(provider) => provider,
            Err(diagnostics) => return (None, diagnostics),
        };
        let id = string_attr(state, "id").unwrap_or_default();
        match provider.panel.get_user(id).await {
            Ok(Some(user)) => (Some(user_state(&user, Some(state))), Diagnostics::new()),
            Ok(None) => (None, Diagnostics::new()),
            Err(error) if error.is_not_found() => (None, Diagnostics::new()),
            Err(error) => (None, failure("read", id).diagnostics(&error)),
        }
    }

    async fn update(
        &self,
        ctx: &Context,
        prior: &Value,
        planned: &Value,
        config: &Value,
    ) -> StateResult {
        let provider = match ProviderData::from_context(ctx) {
            Ok(provider) => provider,
            Err(diagnostics) => return (None, diagnostics),
        };
        let changed = |name: &str| prior.get_attr(name) != planned.get_attr(name);
        let mut patch = UserPatch::default();
        if changed("email") {
            patch.email = owned_attr(planned, "email");
        }
        if changed("name") {
            patch.name = owned_attr(planned, "name");
        }
        if changed("plan") {
            patch.plan = owned_attr(planned, "plan");
        }
        if changed("suspended") {
            patch.suspended = bool_attr(planned, "suspended");
        }
        if changed("password_wo_version") {
            match password_from(config) {
                Some(password) => patch.password = Some(password),
                None => {
                    let mut diagnostics = Diagnostics::new();
                    diagnostics.error_at(
                        AttributePath::root("password_wo"),
                        "Missing Password",
                        "`password_wo_version` changed but `password_wo` is not set.",
                    );
                    return (None, diagnostics);
                }
            }
        }
        let id = string_attr(prior, "id").unwrap_or_default();
        // Called even when the patch is empty: the state must come from the panel.
        match provider.panel.update_user(id, &patch).await {
            Ok(user) => (Some(user_state(&user, Some(planned))), Diagnostics::new()),
            Err(error) => (None, failure("update", id).diagnostics(&error)),
        }
    }

    async fn delete(&self, ctx: &Context, prior: &Value) -> Diagnostics {
        let provider = match ProviderData::from_context(ctx) {
            Ok(provider) => provider,
            Err(diagnostics) => return diagnostics,
        };
        let id = string_attr(prior, "id").unwrap_or_default();
        match provider.panel.delete_user(id).await {
            Ok(()) => Diagnostics::new(),
            Err(error) if error.is_not_found() => Diagnostics::new(),
            Err(error) => failure("delete", id).diagnostics(&error),
        }
    }

    async fn import(&self, ctx: &Context, id: &str) -> (Vec<Value>, Diagnostics) {
        let provider = match ProviderData::from_context(ctx) {
            Ok(provider) => provider,
            Err(diagnostics) => return (Vec::new(), diagnostics),
        };
        let key = id.trim();
        let mut found = provider.panel.find_user(key).await;
        if matches!(found, Ok(None)) && !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit()) {
            found = provider.panel.get_user(key).await;
        }
        match found {
            Ok(Some(user)) => (vec![user_state(&user, None)], Diagnostics::new()),
            Ok(None) => {
                let mut diagnostics = Diagnostics::new();
                let what = if provider.capabilities.user_login {
                    "login"
                } else {
                    "email"
                };
                diagnostics.error(
                    "Cannot Import Non-Existent Remote Object",
                    format!(
                        "No user with {what} {key:?} exists on the `{}` panel. Import a \
                         `panel_user` by its {what}.",
                        provider.kind.as_str()
                    ),
                );
                (Vec::new(), diagnostics)
            }
            Err(error) => (Vec::new(), failure("import", key).diagnostics(&error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_is_valid_and_secrets_are_write_only() {
        let schema = schema();
        assert_eq!(schema.check(), Ok(()));
        let password = schema.block.attribute_named("password_wo");
        assert!(password.is_some_and(|a| a.write_only && a.sensitive));
    }

    #[test]
    fn static_login_check_admits_emails_and_panel_logins_only() {
        assert_eq!(static_login_problem("alice.b-2_c"), None);
        // Generated by `-generate-config-out` after a PanelAlpha import.
        assert_eq!(static_login_problem("Alice.B@Example.com"), None);
        assert!(static_login_problem("Alice").is_some());
        assert!(static_login_problem("al ice").is_some());
        assert!(static_login_problem("alice@localhost").is_some());
    }

    #[test]
    fn state_keeps_the_configured_email_case_and_password_version() {
        let user = User {
            id: "7".into(),
            login: "alice".into(),
            email: "alice@example.com".into(),
            name: "Alice A".into(),
            plan: None,
            suspended: false,
        };
        let prior = object(vec![
            ("email", Value::string("Alice@Example.com")),
            ("password_wo_version", Value::int(3)),
        ]);
        let state = user_state(&user, Some(&prior));
        assert_eq!(string_attr(&state, "email"), Some("Alice@Example.com"));
        assert_eq!(state.get_attr("password_wo_version"), Some(&Value::int(3)));
        assert_eq!(state.get_attr("plan"), Some(&Value::Null));
        let imported = user_state(&user, None);
        assert_eq!(string_attr(&imported, "email"), Some("alice@example.com"));
        assert_eq!(imported.get_attr("password_wo_version"), Some(&Value::Null));
    }
}
