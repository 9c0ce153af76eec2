//! `panel_user`: a hosting customer (Plesk customer, HestiaCP user, PanelAlpha user),
//! with the `panel_user` / `panel_users` data sources.

use std::cmp::Ordering;

use crate::attr;
use crate::framework::diag::Diagnostics;
use crate::framework::model::Field;
use crate::framework::validate;
use crate::panel::names::{self, is_email_shaped};
use crate::panel::{
    ListFilter, Locator, LoginRules, PanelHandle, Secret, User, UserKey, UserPatch, UserSpec,
};
use crate::tfvalue::{AttributePath, Value};

use super::engine::{ObjectType, TypedPlan};

crate::model! {
    /// The attributes of `panel_user`.
    pub struct UserModel {
        id: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The panel's id for the user: the Plesk client id, the HestiaCP login, the \
                 PanelAlpha user id. Use it as `owner` of domains and databases.",
            ),
        login: String
            .optional()
            .computed()
            .use_state_for_unknown()
            .validator(validate::custom("panel login or email", |value| {
                value.as_str().and_then(static_login_problem)
            }))
            .markdown(
                "Login name. Required on Plesk and HestiaCP; changing it replaces the user. A \
                 new login follows the panel's rules, checked at plan time: on Plesk lowercase \
                 letters, digits, `_`, `-` and `.`, starting with a letter, at most 60 \
                 characters; on HestiaCP 2 to 30 letters (either case), digits, `-` and `_`, \
                 starting with a letter. An imported login keeps the panel's spelling. \
                 PanelAlpha users have no login: leave it unset there and it reads as the \
                 email.",
            ),
        email: String
            .required()
            .validator(validate::string_matches("be an email address", is_email_shaped))
            .markdown("Contact email address. Changed in place."),
        name: String
            .required()
            .validator(validate::string_length_between(1, 255))
            .markdown(
                "Full contact name. Changed in place. PanelAlpha stores it as first and last \
                 name, split at the first space.",
            ),
        plan: String
            .optional()
            .computed()
            .use_state_for_unknown()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "Service plan: the HestiaCP package (the panel's `default` package when unset) \
                 or the PanelAlpha plan. Changed in place. Not available on Plesk, where plans \
                 belong to subscriptions. When unset, the panel's value is kept and not \
                 managed. A plan the panel does not have is refused at plan time (the \
                 panel's list of packages / plans is read then) when the value is known at \
                 plan time; a value known only during the apply is checked by the panel \
                 then.",
            ),
        suspended: bool
            .optional()
            .computed()
            .default(Value::Bool(false))
            .markdown("Whether the account is suspended. Defaults to `false`; changed in place."),
        password_wo: String
            .optional()
            .sensitive()
            .write_only()
            .markdown(
                "Login password, write-only: sent to the panel on create and whenever \
                 `password_wo_version` changes, never stored in state. Required to create the \
                 user. PanelAlpha requires at least 8 characters.",
            ),
        password_wo_version: i64
            .optional()
            .validator(validate::whole_number())
            .markdown(
                "Any number; change it to send `password_wo` to the panel again (password \
                 rotation, changed in place). Changing only `password_wo` does nothing, \
                 because write-only values are not stored to compare with.",
            ),
    }
}

crate::model! {
    /// The filters of `panel_users`.
    pub struct UserFilters {
        login_prefix: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "Only users whose login starts with this text (case-sensitive; on PanelAlpha \
                 the login is the email address).",
            ),
        email: String
            .optional()
            .markdown("Only users with this email address (compared case-insensitively)."),
    }
}

/// The config-time check of `login`: only what no panel accepts. The provider is not
/// configured yet, and a login a panel already has (an import: HestiaCP's `Zupper`,
/// PanelAlpha's email) must stay valid; the panel's own rules for new logins are
/// checked at plan time.
fn static_login_problem(login: &str) -> Option<String> {
    names::login_shape_problem(login)
}

fn missing_password(what: &str) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error_at(
        AttributePath::root(attr!(UserModel, password_wo)),
        "Missing Password",
        what.to_owned(),
    );
    diagnostics
}

/// `panel_user` on the engine.
pub struct UserType;

impl UserType {
    /// A configured plan the panel does not have is refused at plan time, on panels
    /// that list their plans; when the list cannot be read the apply decides.
    async fn check_plan_exists(panel: &PanelHandle, plan: &mut TypedPlan<UserModel>) {
        let Some(configured) = plan.config.plan.owned() else {
            return;
        };
        let unchanged = plan.prior.as_ref().and_then(|p| p.plan.str()) == Some(&configured);
        if unchanged || !panel.capabilities.user_plans_listed {
            return;
        }
        let Ok(available) = panel.panel.user_plans().await else {
            return;
        };
        // Case-insensitively: never refuse a spelling the panel would accept.
        if available
            .iter()
            .any(|name| name.eq_ignore_ascii_case(&configured))
        {
            return;
        }
        let listed = if available.is_empty() {
            "none".to_owned()
        } else {
            available
                .iter()
                .map(|name| format!("{name:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        plan.error_at(
            attr!(UserModel, plan),
            "Plan Not Found",
            format!(
                "The `{}` panel has no plan (package) named {configured:?}; it has: {listed}. \
                 Create the plan in the panel first, or choose one of these.",
                panel.name()
            ),
        );
    }
}

const PANEL_MAPPING: &str = "On Plesk (REST and XML APIs) a user is a *customer*; on HestiaCP a \
     *user*; on PanelAlpha a *user*.";

impl ObjectType for UserType {
    type Model = UserModel;
    type Object = User;
    type Filters = UserFilters;

    const TYPE_NAME: &'static str = "panel_user";
    const LIST_TYPE_NAME: &'static str = "panel_users";
    const LIST_ATTRIBUTE: &'static str = "users";
    const IS_CUSTOMER: bool = true;

    fn adopt_key(state: &UserModel) -> String {
        state
            .login
            .owned()
            .or_else(|| state.email.owned())
            .unwrap_or_default()
    }

    fn adopt_leaves_out(user: &User) -> Option<&'static str> {
        // Terraform owning the panel's administrator would let a destroy reach it.
        user.administrator
            .then_some("the panel's administrator account")
    }

    fn adopt_skips(panel: &PanelHandle, attribute: &str) -> bool {
        let capabilities = panel.capabilities;
        (attribute == attr!(UserModel, login) && !capabilities.user_login)
            || (attribute == attr!(UserModel, plan) && !capabilities.user_plan)
    }

    fn description() -> String {
        "A hosting customer on the panel:\n\n\
         * **Plesk** (REST and XML API): a *customer* account (not a reseller). Plesk \
         customers have no service plan of their own (plans belong to subscriptions), so \
         `plan` cannot be set.\n\
         * **HestiaCP**: a *user* (a Unix account) with a *package* as `plan`.\n\
         * **PanelAlpha**: a *user*, identified by email (there is no login). `plan` is the \
         user's *service*: setting it provisions the hosting account that `panel_domain` and \
         `panel_database` objects hang off, and `suspended` suspends that service (so a \
         PanelAlpha user without a plan cannot be suspended).\n\n\
         Passwords are write-only: they are sent to the panel, never read back or stored in \
         state. Bump `password_wo_version` to send a new `password_wo`. Write-only attributes \
         need Terraform 1.11 or later.\n\n\
         ## Import\n\n\
         Import by login (PanelAlpha: by email); a numeric panel id works too:\n\n\
         ```shell\n\
         terraform import panel_user.alice alice\n\
         terraform import panel_user.alice alice@example.com  # PanelAlpha\n\
         ```\n\n\
         The password is not imported; set `password_wo` and bump `password_wo_version` to \
         take control of it."
            .to_owned()
    }

    fn lookup_description() -> String {
        format!(
            "Looks up one existing user by `login` or by `id` (exactly one of them) and \
             exposes its attributes, e.g. to own domains created by this configuration. \
             {PANEL_MAPPING} Reading fails with an error naming the lookup when the panel has \
             no such user.\n\nOn PanelAlpha, `login` is the user's email address."
        )
    }

    fn list_description() -> String {
        format!(
            "Lists the panel's users, optionally only those whose login starts with \
             `login_prefix` and/or whose email is `email`. {PANEL_MAPPING} The panel is asked \
             for all users in one listing (Plesk: customers; HestiaCP: `v-list-users`; \
             PanelAlpha: users plus their services, for the plan); the filters are applied by \
             the provider, since none of the panels filters users by these fields itself. The \
             administrator account is listed like any other user where the panel reports it \
             (HestiaCP `admin`). Users are sorted by login."
        )
    }

    fn data_attribute_description(name: &str) -> Option<String> {
        let text = match name {
            "id" => {
                "The panel's id: the numeric customer id on Plesk, the login on HestiaCP, the \
                 numeric user id on PanelAlpha. Set it to look the user up by id, or leave it \
                 out to have it filled in."
            }
            "login" => {
                "The login name (Plesk customer login, HestiaCP user name). PanelAlpha users \
                 have no login; there it is the email address. Set it to look the user up by \
                 login, or leave it out to have it filled in."
            }
            "email" => "Contact email address.",
            "name" => "Full contact name.",
            "plan" => {
                "Service plan: the HestiaCP package, or the plan of the user's PanelAlpha \
                 service. Always null on Plesk, where plans belong to subscriptions (domains), \
                 not customers."
            }
            "suspended" => {
                "Whether the user is suspended (Plesk customer status not active, HestiaCP \
                 `SUSPENDED`, PanelAlpha suspended user)."
            }
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn label(model: &UserModel) -> String {
        let who = model
            .login
            .str()
            .or(model.email.str())
            .or(model.id.str())
            .unwrap_or("?");
        format!("user {who:?}")
    }

    fn attribute_of(field: &str) -> Option<&'static str> {
        match field {
            "password" => Some(attr!(UserModel, password_wo)),
            "login" => Some(attr!(UserModel, login)),
            "email" => Some(attr!(UserModel, email)),
            "name" => Some(attr!(UserModel, name)),
            "plan" => Some(attr!(UserModel, plan)),
            "suspended" => Some(attr!(UserModel, suspended)),
            _ => None,
        }
    }

    fn plan(panel: Option<&PanelHandle>, plan: &mut TypedPlan<UserModel>) {
        let login = attr!(UserModel, login);
        let password = attr!(UserModel, password_wo);
        // Replacement for a login change does not depend on the panel; it is decided
        // here rather than by a schema modifier because PanelAlpha's computed login
        // follows the email, which changes in place.
        if let (Some(prior), Some(configured)) = (
            plan.prior.as_ref().and_then(|p| p.login.owned()),
            plan.config.login.owned(),
        ) {
            if prior != configured {
                plan.require_replace(login);
            }
        }
        if plan.is_create() && plan.config.password_wo.is_null() {
            plan.error_at(
                password,
                "Missing Password",
                "Creating a `panel_user` needs `password_wo`: the panel will not create an \
                 account without a password.",
            );
        }
        let version_changed = !plan.is_create() && plan.changes(|m| &m.password_wo_version);
        if version_changed && plan.config.password_wo.is_null() {
            plan.error_at(
                password,
                "Missing Password",
                "`password_wo_version` changed, which sends `password_wo` to the panel, but \
                 `password_wo` is not set.",
            );
        }
        let Some(panel) = panel else {
            return;
        };
        let capabilities = panel.capabilities;
        let name = panel.name();
        if capabilities.user_login {
            match &plan.config.login {
                Field::Null => plan.error_at(
                    login,
                    "Missing Login",
                    format!("`login` is required on the `{name}` panel."),
                ),
                Field::Known(configured) => {
                    let configured = configured.clone();
                    let new_login =
                        plan.prior.as_ref().and_then(|p| p.login.str()) != Some(&configured);
                    if new_login {
                        // The panel's own rules, for a login that is new (an imported one
                        // keeps the spelling the panel has).
                        let problem = match capabilities.user_login_rules {
                            LoginRules::Common => names::login_problem(&configured),
                            LoginRules::Hestia => names::hestia_login_problem(&configured),
                        };
                        if let Some(problem) = problem {
                            plan.error_at(
                                login,
                                "Invalid Login",
                                format!("`login` on the `{name}` panel {problem}."),
                            );
                        }
                    }
                    // The id is the login on such panels: known now, so dependents can
                    // check names that include it at plan time.
                    if capabilities.user_id_is_login && plan.is_create() {
                        plan.planned.id = Field::Known(configured);
                    }
                }
                Field::Unknown => {}
            }
        } else {
            // PanelAlpha: the login is the email. A configured login equal to the email
            // is accepted so that configuration generated by `terraform plan
            // -generate-config-out` from an import stays valid.
            let email = plan.planned.email.clone();
            match (&plan.config.login, &email) {
                (Field::Known(configured), Field::Known(email))
                    if !configured.eq_ignore_ascii_case(email) =>
                {
                    plan.error_at(
                        login,
                        "Login Not Supported",
                        format!(
                            "`{name}` users have no login; their email is their login. Remove \
                             `login` or set it to the email."
                        ),
                    );
                }
                (Field::Null, _) => {
                    let unchanged = plan.prior.as_ref().map(|p| &p.email) == Some(&email);
                    if !unchanged {
                        plan.planned.login = email;
                    }
                }
                _ => {}
            }
        }
        if plan.config.plan.is_null() {
            // An unset plan is not managed: an update never sends it, so the prior value
            // stays (`use_state_for_unknown` leaves a null prior unknown, which showed
            // `plan = (known after apply)` on every Plesk update). On create, a panel
            // without user plans will report none.
            if let Some(prior) = &plan.prior {
                plan.planned.plan = prior.plan.clone();
            } else if !capabilities.user_plan {
                plan.planned.plan = Field::Null;
            }
        }
        let plan_changed = match &plan.prior {
            None => !plan.config.plan.is_null(),
            Some(prior) => !plan.config.plan.is_null() && prior.plan != plan.config.plan,
        };
        let plan_attribute = attr!(UserModel, plan);
        if plan_changed && !capabilities.user_plan {
            plan.error_at(
                plan_attribute,
                "Plan Not Supported",
                format!(
                    "`{name}` users have no service plan (on Plesk, plans belong to \
                     subscriptions). Remove `plan`."
                ),
            );
        } else if plan_changed && !capabilities.user_plan_update {
            plan.require_replace(plan_attribute);
        }
        let suspend = plan.planned.suspended == Field::Known(true);
        if suspend && plan.is_create() && capabilities.user_suspended_locks_objects {
            plan.error_at(
                attr!(UserModel, suspended),
                "Cannot Create A Suspended User",
                format!(
                    "The `{name}` panel refuses to create or change anything of a suspended \
                     user, so a user created suspended could not get its domains, databases or \
                     other objects in the same apply (they would fail on the owner). Create the \
                     user with `suspended = false` and set it to `true` in a later apply, once \
                     its objects exist."
                ),
            );
        }
        if suspend && plan.changes(|m| &m.suspended) {
            let suspended = attr!(UserModel, suspended);
            if !capabilities.user_suspend {
                plan.error_at(
                    suspended,
                    "Suspension Not Supported",
                    format!("`{name}` users cannot be suspended through the API."),
                );
            } else if capabilities.user_suspend_needs_plan && plan.planned.plan.is_null() {
                plan.error_at(
                    suspended,
                    "Nothing To Suspend",
                    format!(
                        "A `{name}` user is suspended by suspending their service, and this \
                         user has no `plan`. Set a plan or leave `suspended` false."
                    ),
                );
            }
        }
    }

    fn plan_with_panel<'a>(
        panel: &'a PanelHandle,
        plan: &'a mut TypedPlan<UserModel>,
    ) -> futures::future::BoxFuture<'a, ()> {
        Box::pin(Self::check_plan_exists(panel, plan))
    }

    fn spec(
        panel: &PanelHandle,
        planned: &UserModel,
        config: &UserModel,
    ) -> Result<UserSpec, Diagnostics> {
        let email = planned.email.owned().unwrap_or_default();
        let login = match planned.login.owned() {
            Some(login) => login,
            None if !panel.capabilities.user_login => email.clone(),
            None => {
                let mut diagnostics = Diagnostics::new();
                diagnostics.error_at(
                    AttributePath::root(attr!(UserModel, login)),
                    "Missing Login",
                    format!("`login` is required on the `{}` panel.", panel.name()),
                );
                return Err(diagnostics);
            }
        };
        let Some(password) = config.password_wo.str().map(Secret::new) else {
            return Err(missing_password(
                "Creating a `panel_user` needs `password_wo`.",
            ));
        };
        Ok(UserSpec {
            login,
            email,
            name: planned.name.owned().unwrap_or_default(),
            password,
            plan: planned.plan.owned(),
            suspended: planned.suspended.get().copied().unwrap_or(false),
        })
    }

    fn patch(
        _panel: &PanelHandle,
        prior: &UserModel,
        planned: &UserModel,
        config: &UserModel,
    ) -> Result<UserPatch, Diagnostics> {
        let mut patch = UserPatch::default();
        if prior.email != planned.email {
            patch.email = planned.email.owned();
        }
        if prior.name != planned.name {
            patch.name = planned.name.owned();
        }
        if prior.plan != planned.plan {
            patch.plan = planned.plan.owned();
        }
        if prior.suspended != planned.suspended {
            patch.suspended = planned.suspended.get().copied();
        }
        if prior.password_wo_version != planned.password_wo_version {
            match config.password_wo.str() {
                Some(password) => patch.password = Some(Secret::new(password)),
                None => {
                    return Err(missing_password(
                        "`password_wo_version` changed but `password_wo` is not set.",
                    ))
                }
            }
        }
        Ok(patch)
    }

    /// `prior` (prior state or plan) supplies what the panel does not report: the
    /// password version, and the configured spelling of the email when the panel
    /// changed only its case.
    fn state(_panel: &PanelHandle, user: &User, prior: Option<&UserModel>) -> UserModel {
        let keep_case = |configured: Option<&Field<String>>, panel: &str| -> Field<String> {
            match configured.and_then(Field::str) {
                Some(configured) if configured.eq_ignore_ascii_case(panel) => {
                    Field::text(configured)
                }
                _ => Field::text(panel),
            }
        };
        UserModel {
            id: Field::text(user.id.clone()),
            login: keep_case(prior.map(|p| &p.login), &user.login),
            email: keep_case(prior.map(|p| &p.email), &user.email),
            name: Field::text(user.name.clone()),
            plan: Field::from_str_option(user.plan.as_deref()),
            suspended: Field::Known(user.suspended),
            password_wo: Field::Null,
            password_wo_version: prior.map_or(Field::Null, |p| p.password_wo_version.clone()),
        }
    }

    fn locator(state: &UserModel) -> Locator {
        Locator::new(state.id.owned().unwrap_or_default())
    }

    fn key_of_state(panel: &PanelHandle, state: &UserModel) -> Option<UserKey> {
        let login = if panel.capabilities.user_login {
            state.login.owned()
        } else {
            state.email.owned()
        }?;
        Some(UserKey { login })
    }

    fn lookups() -> &'static [&'static [&'static str]] {
        &[&["login"], &["id"]]
    }

    fn lookup_key(_panel: &PanelHandle, config: &UserModel) -> Option<UserKey> {
        config.login.owned().map(|login| UserKey { login })
    }

    fn list_filter(_filters: &UserFilters) -> ListFilter {
        ListFilter::default()
    }

    fn list_keeps(filters: &UserFilters, item: &UserModel) -> bool {
        let login = item.login.str().unwrap_or_default();
        let email = item.email.str().unwrap_or_default();
        filters
            .login_prefix
            .str()
            .is_none_or(|prefix| login.starts_with(prefix))
            && filters
                .email
                .str()
                .is_none_or(|wanted| names::same_email(email, wanted))
    }

    fn list_order(a: &UserModel, b: &UserModel) -> Ordering {
        a.login.str().cmp(&b.login.str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::Model;
    use crate::panel::fake::FakePanel;
    use std::sync::Arc;

    #[test]
    fn static_login_check_admits_every_login_some_panel_has() {
        assert_eq!(static_login_problem("alice.b-2_c"), None);
        // Generated by `-generate-config-out` after a PanelAlpha import.
        assert_eq!(static_login_problem("Alice.B@Example.com"), None);
        // A HestiaCP login (issue 15 item 10).
        assert_eq!(static_login_problem("Zupper"), None);
        assert!(static_login_problem("al ice").is_some());
        assert!(static_login_problem("").is_some());
    }

    #[test]
    fn state_keeps_the_configured_email_case_and_password_version() {
        let panel = PanelHandle::new(Arc::new(FakePanel::default()));
        let user = User {
            administrator: false,
            id: "7".into(),
            login: "alice".into(),
            email: "alice@example.com".into(),
            name: "Alice A".into(),
            plan: None,
            suspended: false,
        };
        let prior = UserModel {
            email: Field::text("Alice@Example.com"),
            password_wo_version: Field::Known(3),
            ..UserModel::default()
        };
        let state = UserType::state(&panel, &user, Some(&prior));
        assert_eq!(state.email.str(), Some("Alice@Example.com"));
        assert_eq!(state.password_wo_version, Field::Known(3));
        assert!(state.plan.is_null());
        let imported = UserType::state(&panel, &user, None);
        assert_eq!(imported.email.str(), Some("alice@example.com"));
        assert!(imported.password_wo_version.is_null());
        assert!(imported.to_value().is_wholly_known());
    }
}
