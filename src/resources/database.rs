//! `panel_database`: a MySQL or PostgreSQL database and its user (HestiaCP database
//! with its inline user; Plesk database in a subscription plus a database user;
//! PanelAlpha MySQL database of a hosting account plus a database user), with the
//! `panel_database` / `panel_databases` data sources.

use std::cmp::Ordering;

use crate::attr;
use crate::framework::diag::Diagnostics;
use crate::framework::model::Field;
use crate::framework::validate;
use crate::panel::names::{self, DomainName};
use crate::panel::{
    Database, DatabaseKey, DatabasePatch, DatabaseSpec, ListFilter, Locator, NamePrefix,
    PanelHandle, Secret,
};
use crate::tfvalue::{AttributePath, Value};

use super::engine::{ObjectType, TypedPlan};

/// Longest database name MySQL accepts (PostgreSQL allows 63; Hestia's prefixed-name
/// rule is checked at plan time).
const NAME_MAX: usize = 64;
/// Longest database user name MySQL accepts.
const USER_MAX: usize = 32;

fn identifier(max: usize) -> validate::Validator {
    validate::custom(
        format!("database identifier of at most {max}"),
        move |value| {
            value
                .as_str()
                .and_then(|name| names::database_identifier_problem(name, max))
        },
    )
}

fn other_domain(prior: &Value, planned: &Value) -> bool {
    match (prior.as_str(), planned.as_str()) {
        (Some(prior), Some(planned)) => !names::same_domain(prior, planned),
        _ => true,
    }
}

crate::model! {
    /// The attributes of `panel_database`.
    pub struct DatabaseModel {
        id: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The panel's id for the database: the full name on HestiaCP, \
                 `CLIENT_ID/DOMAIN/DATABASE_ID` on Plesk REST, `CLIENT_ID/DATABASE_ID` on \
                 Plesk XML, `USER_ID/ACCOUNT_ID/NAME` on PanelAlpha.",
            ),
        name: String
            .required()
            .validator(identifier(NAME_MAX))
            .markdown(
                "The database name as you write it, without any panel prefix: letters, digits \
                 and `_`. Changing it replaces the database.",
            ),
        full_name: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The name as the panel stores it, which is the one applications connect with \
                 (HestiaCP: `OWNER_NAME`).",
            ),
        owner: String
            .required()
            .requires_replace()
            .markdown(
                "The `id` of the `panel_user` owning the database. Changing it replaces the \
                 database.",
            ),
        domain: String
            .optional()
            .computed()
            .use_state_for_unknown()
            .requires_replace_if("the domain means another domain", other_domain)
            .validator(validate::custom("domain name", |value| {
                let name = value.as_str()?;
                DomainName::parse(name)
                    .err()
                    .map(|problem| format!("must be a domain name; {name:?} {problem}"))
            }))
            .markdown(
                "Plesk (required): the subscription the database belongs to. PanelAlpha: a \
                 domain of the hosting account to create it in. Not used on HestiaCP. Changing \
                 it replaces the database.",
            ),
        engine: String
            .optional()
            .computed()
            .default(Value::string("mysql"))
            .requires_replace()
            .validator(validate::one_of(&["mysql", "postgresql"]))
            .markdown(
                "`mysql` (default) or `postgresql` (HestiaCP and Plesk, where the server offers \
                 it). Changing it replaces the database.",
            ),
        user: String
            .optional()
            .computed()
            .use_state_for_unknown()
            .validator(identifier(USER_MAX))
            .markdown(
                "The database user, without any panel prefix: letters, digits and `_`. \
                 Required on HestiaCP. Changing it replaces the database. This is the simple \
                 case, one user created and deleted with its database; for a further user of \
                 the database (e.g. read-only reporting) or one user for several databases, \
                 use `panel_database_user` (Plesk, PanelAlpha).",
            ),
        full_user: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The database user's name as the panel stores it (HestiaCP: `OWNER_USER`).",
            ),
        password_wo: String
            .optional()
            .sensitive()
            .write_only()
            .markdown(
                "The database user's password, write-only: sent on create and whenever \
                 `password_wo_version` changes, never stored in state. Required with `user`.",
            ),
        password_wo_version: i64
            .optional()
            .validator(validate::whole_number())
            .markdown(
                "Any number; change it to send `password_wo` again (rotation, in place).",
            ),
    }
}

crate::model! {
    /// The filters of `panel_databases`.
    pub struct DatabaseFilters {
        owner: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "Only databases of this user: a `panel_user` `id` (HestiaCP: the login; Plesk \
                 and PanelAlpha: the numeric id).",
            ),
        domain: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "Only databases of this domain (Plesk subscription, PanelAlpha hosting account \
                 main domain), compared after normalising (lowercase, punycode). HestiaCP \
                 databases have no domain, so this filter matches none there.",
            ),
    }
}

/// `panel_database` on the engine.
pub struct DatabaseType;

const PANEL_MAPPING: &str = "On Plesk (REST and XML APIs) a database belongs to a subscription \
     (`domain`); on HestiaCP to a user, and the panel prefixes its name and user with \
     `<owner login>_`; on PanelAlpha to a hosting account, whose main domain is `domain`. \
     PanelAlpha offers MySQL only.";

fn missing_password(what: &str) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error_at(
        AttributePath::root(attr!(DatabaseModel, password_wo)),
        "Missing Password",
        what.to_owned(),
    );
    diagnostics
}

/// The short name state records for a stored name: the configured spelling when the
/// panel changed only its case (PostgreSQL names are lowercased on HestiaCP), or when
/// a panel prefix of its own (PanelAlpha's account username, which is not the owner's
/// id) precedes the configured name; else the stored name less the panel's prefix.
fn short_name(prefix: NamePrefix, owner: &str, stored: &str, configured: Option<&str>) -> String {
    let reported = prefix.strip(owner, stored);
    match configured {
        Some(configured) if configured.eq_ignore_ascii_case(reported) => configured.to_owned(),
        Some(configured) if stored.ends_with(&format!("_{configured}")) => configured.to_owned(),
        _ => reported.to_owned(),
    }
}

impl DatabaseType {
    /// HestiaCP's limits apply to the prefixed names; with the owner known at plan time
    /// (on HestiaCP it is the owner's login, known even before the user exists) the
    /// exact prefixed length is checked and named in the diagnostic.
    fn check_prefixed_lengths(panel: &PanelHandle, plan: &mut TypedPlan<DatabaseModel>) {
        let Some(owner) = plan.planned.owner.owned() else {
            return;
        };
        let capabilities = panel.capabilities;
        // The backend declares the limits for the shortest (one-character) login, so the
        // limit on the whole prefixed name is that plus the login and its `_`.
        let checks = [
            (
                attr!(DatabaseModel, name),
                capabilities.database_name_max_len,
                "database name",
                plan.planned.name.owned(),
            ),
            (
                attr!(DatabaseModel, user),
                capabilities.database_user_max_len,
                "database user name",
                plan.planned.user.owned(),
            ),
        ];
        for (attribute, short_limit, what, value) in checks {
            let (Some(short_limit), Some(value)) = (short_limit, value) else {
                continue;
            };
            let limit = short_limit + 2;
            let full = format!("{owner}_{value}");
            let length = full.chars().count();
            if length > limit {
                plan.error_at(
                    attribute,
                    "Name Too Long With Its Prefix",
                    format!(
                        "The `{}` panel stores the {what} with the owner's login as prefix: \
                         {full:?} is {length} characters, and the limit is {limit}. Shorten \
                         `{attribute}` to at most {} characters for owner {owner:?}.",
                        panel.name(),
                        limit.saturating_sub(owner.chars().count() + 1)
                    ),
                );
            }
        }
    }
}

impl ObjectType for DatabaseType {
    type Model = DatabaseModel;
    type Object = Database;
    type Filters = DatabaseFilters;

    const TYPE_NAME: &'static str = "panel_database";
    const LIST_TYPE_NAME: &'static str = "panel_databases";
    const LIST_ATTRIBUTE: &'static str = "databases";

    fn references() -> &'static [(&'static str, &'static str, &'static str)] {
        &[
            ("owner", "panel_user", "id"),
            ("domain", "panel_domain", "name"),
        ]
    }

    fn adopt_key(state: &DatabaseModel) -> String {
        state.full_name.owned().unwrap_or_default()
    }

    fn adopt_skips(panel: &PanelHandle, attribute: &str) -> bool {
        attribute == attr!(DatabaseModel, domain) && panel.capabilities.database_refuses_domain
    }

    fn description() -> String {
        "A database, with the database user that accesses it:\n\n\
         * **HestiaCP**: a database of the owning user. HestiaCP prefixes both names with the \
         owner's login: `name = \"shop\"` and `user = \"app\"` for owner `bob` become \
         `bob_shop` and `bob_app` (see `full_name` / `full_user`). The prefixed database name \
         may be at most 63 characters and the prefixed user name at most 32, which is checked \
         at plan time when `owner` is known then; `owner = panel_user.NAME.id` is, even for a \
         user created in the same apply, because a HestiaCP user's `id` is its configured \
         `login`. An `owner` known only during the apply (e.g. from a data source read \
         then) leaves the check to the apply, before anything is created. The user is created with the database, so `user` and `password_wo` \
         are required.\n\
         * **Plesk** (REST and XML API): a database of the subscription named by `domain` \
         (required), and a separate database user (`user`, optional) granted access to it.\n\
         * **PanelAlpha**: a MySQL database of the owner's hosting account (the one holding \
         `domain`, or the first account when `domain` is unset), and a separate MySQL user \
         (`user`, optional) granted all privileges on it. PostgreSQL is not offered.\n\n\
         The password is write-only: sent on create and whenever `password_wo_version` \
         changes, never read back or stored (Terraform 1.11 or later).\n\n\
         ## Import\n\n\
         * HestiaCP: `OWNER/FULL_NAME`, e.g. `bob/bob_shop` (or the full name alone);\n\
         * Plesk: `DOMAIN/NAME`, e.g. `example.com/shop` (or the panel id);\n\
         * PanelAlpha: `USER_ID/ACCOUNT_ID/NAME`.\n\n\
         ```shell\n\
         terraform import panel_database.shop bob/bob_shop\n\
         ```"
        .to_owned()
    }

    fn lookup_description() -> String {
        format!(
            "Looks up one existing database, either by `id` or by `owner` + `name` (exactly \
             one of the two), and exposes its attributes. {PANEL_MAPPING} With `owner` + \
             `name`, the owner's databases are listed once and `name` may be given with or \
             without the HestiaCP prefix. Reading fails with an error naming the lookup when \
             no database matches, or when several do (a name used in two PanelAlpha hosting \
             accounts of one user; look it up by `id` then)."
        )
    }

    fn list_description() -> String {
        format!(
            "Lists the panel's databases, optionally only those of one `owner` and/or one \
             `domain`. {PANEL_MAPPING} The `owner` filter is passed to the panel, which then \
             lists only that user's databases (Plesk: the databases of the customer's \
             subscriptions; HestiaCP: `v-list-databases` of that user; PanelAlpha: the user's \
             hosting accounts); `domain` is applied by the provider. Databases are sorted by \
             full name."
        )
    }

    fn data_attribute_description(name: &str) -> Option<String> {
        let text = match name {
            "id" => {
                "The panel's id: the full (prefixed) database name on HestiaCP, \
                 `CLIENT_ID/DOMAIN/DATABASE_ID` on Plesk REST, `CLIENT_ID/DATABASE_ID` on Plesk \
                 XML, `USER_ID/ACCOUNT_ID/NAME` on PanelAlpha. Set it to look the database up \
                 by id (the same id `terraform import` accepts for `panel_database` where the \
                 backend takes it), or leave it out."
            }
            "name" => {
                "The database name as written in `panel_database`: without the `<owner \
                 login>_` prefix on HestiaCP, the stored name elsewhere. Set it together with \
                 `owner` to look the database up by name."
            }
            "owner" => {
                "The `id` of the owning user (`panel_user`). Set it together with `name` to \
                 look the database up by name."
            }
            "full_name" => {
                "The database name as the panel stores it (HestiaCP: with the `<owner login>_` \
                 prefix)."
            }
            "domain" => {
                "The domain the database hangs off: the Plesk subscription, or the main domain \
                 of the PanelAlpha hosting account. Null on HestiaCP."
            }
            "engine" => "`mysql` or `postgresql`.",
            "user" => {
                "The database user as written in `panel_database` (HestiaCP: without the \
                 prefix), or null when the database has no user."
            }
            "full_user" => {
                "The database user as the panel stores it (HestiaCP: with the `<owner login>_` \
                 prefix), or null."
            }
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn label(model: &DatabaseModel) -> String {
        format!(
            "database {:?}",
            model.name.str().or(model.id.str()).unwrap_or("?")
        )
    }

    fn attribute_of(field: &str) -> Option<&'static str> {
        match field {
            "password" => Some(attr!(DatabaseModel, password_wo)),
            "name" => Some(attr!(DatabaseModel, name)),
            "owner" => Some(attr!(DatabaseModel, owner)),
            "domain" => Some(attr!(DatabaseModel, domain)),
            "engine" => Some(attr!(DatabaseModel, engine)),
            "user" => Some(attr!(DatabaseModel, user)),
            _ => None,
        }
    }

    fn plan(panel: Option<&PanelHandle>, plan: &mut TypedPlan<DatabaseModel>) {
        // Unset `domain` / `user` never change after creation, even when the prior value
        // is null (which `use_state_for_unknown` would turn into unknown, and an unknown
        // value into a replacement).
        if let Some(prior) = plan.prior.clone() {
            if plan.config.domain.is_null() {
                plan.planned.domain = prior.domain.clone();
            }
            if plan.config.user.is_null() {
                plan.planned.user = prior.user.clone();
            }
        }
        let password = attr!(DatabaseModel, password_wo);
        let password_null = plan.config.password_wo.is_null();
        let user_configured = !plan.config.user.is_null();
        if plan.is_create() && user_configured && password_null {
            plan.error_at(
                password,
                "Missing Password",
                "A database `user` is created with a password: set `password_wo`.",
            );
        }
        let version_changed = !plan.is_create() && plan.changes(|m| &m.password_wo_version);
        if version_changed && password_null {
            plan.error_at(
                password,
                "Missing Password",
                "`password_wo_version` changed, which sends `password_wo` to the panel, but \
                 `password_wo` is not set.",
            );
        }
        let prefix = panel.map_or(NamePrefix::None, |p| p.capabilities.database_name_prefix);
        type Pick = fn(&DatabaseModel) -> &Field<String>;
        let names: [(&str, Pick, Pick); 2] = [
            (attr!(DatabaseModel, name), |m| &m.name, |m| &m.full_name),
            (attr!(DatabaseModel, user), |m| &m.user, |m| &m.full_user),
        ];
        for (attribute, short, full) in names {
            let Some(prior) = plan.prior.as_ref() else {
                continue;
            };
            let planned = short(&plan.planned).clone();
            if short(prior) == &planned {
                continue;
            }
            // A panel that prefixes names with an account username its API does not
            // report (PanelAlpha) makes an import guess where the prefix ends: a
            // configured name that designates the same stored object is no replacement.
            let same_object = prefix == NamePrefix::AccountUsername
                && match (planned.str(), full(prior).str()) {
                    (Some(planned), Some(stored)) => {
                        stored == planned || stored.ends_with(&format!("_{planned}"))
                    }
                    _ => false,
                };
            if !same_object {
                plan.require_replace(attribute);
            }
        }
        let Some(panel) = panel else {
            return;
        };
        let capabilities = panel.capabilities;
        let name = panel.name();
        let engine = plan.planned.engine.str();
        if engine == Some("postgresql")
            && plan.changes(|m| &m.engine)
            && !capabilities.database_postgresql
        {
            plan.error_at(
                attr!(DatabaseModel, engine),
                "Engine Not Supported",
                format!("The `{name}` panel offers MySQL databases only; remove `engine`."),
            );
        }
        let domain = attr!(DatabaseModel, domain);
        let domain_configured = !plan.config.domain.is_null();
        if plan.is_create() && capabilities.database_requires_domain && !domain_configured {
            plan.error_at(
                domain,
                "Missing Domain",
                format!(
                    "On the `{name}` panel a database belongs to a subscription: set `domain` to \
                     the owner's main domain."
                ),
            );
        }
        if capabilities.database_refuses_domain && plan.config.domain.is_known() {
            plan.error_at(
                domain,
                "Setting Not Supported",
                format!("`{name}` databases belong to a user, not a domain; remove `domain`."),
            );
        }
        if capabilities.database_user_inline && plan.is_create() && !user_configured {
            plan.error_at(
                attr!(DatabaseModel, user),
                "Missing Database User",
                format!(
                    "The `{name}` panel creates the database user with the database: set `user` \
                     and `password_wo`."
                ),
            );
        }
        if version_changed && !user_configured && plan.planned.user.is_null() {
            plan.error_at(
                attr!(DatabaseModel, password_wo_version),
                "No Database User",
                "This database has no user whose password could be changed; set `user`.",
            );
        }
        // PanelAlpha's prefix (the account username) is unknown at plan time; its backend
        // checks the stored lengths before any request.
        if capabilities.database_name_prefix == NamePrefix::OwnerLogin && plan.is_create() {
            Self::check_prefixed_lengths(panel, plan);
        }
    }

    fn spec(
        _panel: &PanelHandle,
        planned: &DatabaseModel,
        config: &DatabaseModel,
    ) -> Result<DatabaseSpec, Diagnostics> {
        Ok(DatabaseSpec {
            name: planned.name.owned().unwrap_or_default(),
            owner: planned.owner.owned().unwrap_or_default(),
            domain: planned
                .domain
                .str()
                .map(|d| DomainName::lenient(d).to_string()),
            engine: planned.engine.owned().unwrap_or_else(|| "mysql".to_owned()),
            user: planned.user.owned(),
            password: config.password_wo.str().map(Secret::new),
        })
    }

    fn patch(
        _panel: &PanelHandle,
        prior: &DatabaseModel,
        planned: &DatabaseModel,
        config: &DatabaseModel,
    ) -> Result<DatabasePatch, Diagnostics> {
        let mut patch = DatabasePatch::default();
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

    fn state(
        panel: &PanelHandle,
        database: &Database,
        prior: Option<&DatabaseModel>,
    ) -> DatabaseModel {
        let prefix = panel.capabilities.database_name_prefix;
        let owner = database.owner.as_str();
        // A database cannot move between subscriptions / hosting accounts, and its id
        // pins the container, so a configured domain is kept: panels report the
        // subscription or the account's main domain, which names the same container as
        // any of its domains.
        let domain = match (
            prior.and_then(|p| p.domain.owned()),
            database.domain.as_deref(),
        ) {
            (Some(configured), Some(_)) => Some(configured),
            (_, reported) => reported.map(str::to_owned),
        };
        DatabaseModel {
            id: Field::text(database.id.clone()),
            name: Field::text(short_name(
                prefix,
                owner,
                &database.name,
                prior.and_then(|p| p.name.str()),
            )),
            full_name: Field::text(database.name.clone()),
            owner: Field::text(owner),
            domain: Field::from_option(domain),
            engine: Field::text(database.engine.clone()),
            user: Field::from_option(
                database
                    .user
                    .as_deref()
                    .map(|user| short_name(prefix, owner, user, prior.and_then(|p| p.user.str()))),
            ),
            full_user: Field::from_str_option(database.user.as_deref()),
            password_wo: Field::Null,
            password_wo_version: prior.map_or(Field::Null, |p| p.password_wo_version.clone()),
        }
    }

    fn locator(state: &DatabaseModel) -> Locator {
        Locator::new(state.id.owned().unwrap_or_default())
            .with_owner(state.owner.str())
            .with_user(state.full_user.str())
    }

    fn key_of_state(_panel: &PanelHandle, state: &DatabaseModel) -> Option<DatabaseKey> {
        Some(DatabaseKey {
            owner: state.owner.owned()?,
            name: state.name.owned()?,
            domain: state
                .domain
                .str()
                .map(|d| DomainName::lenient(d).to_string()),
        })
    }

    fn lookups() -> &'static [&'static [&'static str]] {
        &[&["id"], &["owner", "name"]]
    }

    fn lookup_key(_panel: &PanelHandle, config: &DatabaseModel) -> Option<DatabaseKey> {
        Some(DatabaseKey {
            owner: config.owner.owned()?,
            name: config.name.owned()?,
            domain: None,
        })
    }

    fn list_filter(filters: &DatabaseFilters) -> ListFilter {
        ListFilter {
            owner: filters.owner.owned(),
        }
    }

    fn list_keeps(filters: &DatabaseFilters, item: &DatabaseModel) -> bool {
        // Filtering the owner again guards against a backend that answers with more
        // than asked; the domain filter exists on no panel's database listing.
        filters
            .owner
            .str()
            .is_none_or(|owner| item.owner.str() == Some(owner))
            && filters.domain.str().is_none_or(|wanted| {
                item.domain
                    .str()
                    .is_some_and(|domain| names::same_domain(domain, wanted))
            })
    }

    fn list_order(a: &DatabaseModel, b: &DatabaseModel) -> Ordering {
        a.full_name.str().cmp(&b.full_name.str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::fake::FakePanel;
    use crate::panel::{Capabilities, PanelKind};
    use std::sync::Arc;

    fn database(name: &str, user: Option<&str>) -> Database {
        Database {
            id: name.into(),
            name: name.into(),
            owner: "bob".into(),
            domain: None,
            engine: "postgresql".into(),
            user: user.map(str::to_owned),
        }
    }

    fn panel(prefix: NamePrefix) -> PanelHandle {
        PanelHandle::new(Arc::new(
            FakePanel::new(PanelKind::Hestia).with_capabilities(Capabilities {
                database_name_prefix: prefix,
                ..Capabilities::default()
            }),
        ))
    }

    #[test]
    fn prefixes_are_stripped_and_configured_case_kept() {
        let hestia = panel(NamePrefix::OwnerLogin);
        let state = DatabaseType::state(&hestia, &database("bob_shop", Some("bob_app")), None);
        assert_eq!(state.name.str(), Some("shop"));
        assert_eq!(state.full_name.str(), Some("bob_shop"));
        assert_eq!(state.user.str(), Some("app"));
        assert_eq!(state.full_user.str(), Some("bob_app"));
        let prior = DatabaseModel {
            name: Field::text("Shop"),
            ..DatabaseModel::default()
        };
        let state = DatabaseType::state(&hestia, &database("bob_shop", None), Some(&prior));
        assert_eq!(state.name.str(), Some("Shop"));
        assert!(state.user.is_null());
        let plesk =
            DatabaseType::state(&panel(NamePrefix::None), &database("bob_shop", None), None);
        assert_eq!(plesk.name.str(), Some("bob_shop"));
        let mut alpha = database("service1_shop", Some("service1_app"));
        alpha.owner = "1".into();
        let imported = DatabaseType::state(&panel(NamePrefix::AccountUsername), &alpha, None);
        assert_eq!(imported.name.str(), Some("shop"));
        assert_eq!(imported.user.str(), Some("app"));
        assert_eq!(imported.full_name.str(), Some("service1_shop"));
    }
}
