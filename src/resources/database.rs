//! `panel_database`: a MySQL or PostgreSQL database and its user (HestiaCP database
//! with its inline user; Plesk database in a subscription plus a database user;
//! PanelAlpha MySQL database of a hosting account plus a database user).

use crate::framework::diag::Diagnostics;
use crate::framework::plan::PlanContext;
use crate::framework::resource::{Context, Resource, StateResult};
use crate::framework::schema::{Attribute, Schema};
use crate::framework::validate;
use crate::panel::{
    Database, DatabasePatch, DatabaseSpec, ListFilter, Panel, PanelErrorKind, PanelKind,
    PanelResult, PartialObject, Secret,
};
use crate::provider::ProviderData;
use crate::tfvalue::{AttributePath, Value};

use super::common::{
    self, attr, is_null, object, optional_string, owned_attr, provider_if_ready, string_attr,
    Failure, NamePrefix,
};

pub const TYPE_NAME: &str = "panel_database";

pub struct DatabaseResource;

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
                .and_then(|name| common::database_identifier_problem(name, max))
        },
    )
}

fn other_domain(prior: &Value, planned: &Value) -> bool {
    match (prior.as_str(), planned.as_str()) {
        (Some(prior), Some(planned)) => !common::same_domain(prior, planned),
        _ => true,
    }
}

pub fn schema() -> Schema {
    Schema::new(0)
        .markdown(
            "A database, with the database user that accesses it:\n\n\
             * **HestiaCP**: a database of the owning user. HestiaCP prefixes both names \
             with the owner's login: `name = \"shop\"` and `user = \"app\"` for owner `bob` \
             become `bob_shop` and `bob_app` (see `full_name` / `full_user`). The prefixed \
             database name may be at most 63 characters and the prefixed user name at most \
             32, which is checked at plan time. The user is created with the database, so \
             `user` and `password_wo` are required.\n\
             * **Plesk** (REST and XML API): a database of the subscription named by \
             `domain` (required), and a separate database user (`user`, optional) granted \
             access to it.\n\
             * **PanelAlpha**: a MySQL database of the owner's hosting account (the one \
             holding `domain`, or the first account when `domain` is unset), and a separate \
             MySQL user (`user`, optional) granted all privileges on it. PostgreSQL is not \
             offered.\n\n\
             The password is write-only: sent on create and whenever `password_wo_version` \
             changes, never read back or stored (Terraform 1.11 or later).\n\n\
             ## Import\n\n\
             * HestiaCP: `OWNER/FULL_NAME`, e.g. `bob/bob_shop` (or the full name alone);\n\
             * Plesk: `DOMAIN/NAME`, e.g. `example.com/shop` (or the panel id);\n\
             * PanelAlpha: `USER_ID/ACCOUNT_ID/NAME`.\n\n\
             ```shell\n\
             terraform import panel_database.shop bob/bob_shop\n\
             ```",
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .markdown(
                    "The panel's id for the database: the full name on HestiaCP, \
                     `CLIENT_ID/DOMAIN/DATABASE_ID` on Plesk REST (e.g. `2/example.com/1`), \
                     `CLIENT_ID/DATABASE_ID` on Plesk XML (e.g. `2/1`), \
                     `USER_ID/ACCOUNT_ID/NAME` on PanelAlpha.",
                ),
        )
        .attribute(
            Attribute::string("name")
                .required()
                .validator(identifier(NAME_MAX))
                .markdown(
                    "The database name as you write it, without any panel prefix: letters, \
                     digits and `_`. Changing it replaces the database.",
                ),
        )
        .attribute(
            Attribute::string("full_name")
                .computed()
                .use_state_for_unknown()
                .markdown(
                    "The name as the panel stores it, which is the one applications connect \
                     with (HestiaCP: `OWNER_NAME`).",
                ),
        )
        .attribute(
            Attribute::string("owner")
                .required()
                .requires_replace()
                .markdown("The `id` of the `panel_user` owning the database. Changing it replaces the database."),
        )
        .attribute(
            Attribute::string("domain")
                .optional()
                .computed()
                .use_state_for_unknown()
                .requires_replace_if("the domain means another domain", other_domain)
                .validator(validate::custom("domain name", |value| {
                    let name = value.as_str()?;
                    common::normalize_domain(name)
                        .err()
                        .map(|problem| format!("must be a domain name; {name:?} {problem}"))
                }))
                .markdown(
                    "Plesk (required): the subscription the database belongs to. PanelAlpha: a \
                     domain of the hosting account to create it in. Not used on HestiaCP. \
                     Changing it replaces the database.",
                ),
        )
        .attribute(
            Attribute::string("engine")
                .optional()
                .computed()
                .default(Value::string("mysql"))
                .requires_replace()
                .validator(validate::one_of(&["mysql", "postgresql"]))
                .markdown(
                    "`mysql` (default) or `postgresql` (HestiaCP and Plesk, where the server \
                     offers it). Changing it replaces the database.",
                ),
        )
        .attribute(
            Attribute::string("user")
                .optional()
                .computed()
                .use_state_for_unknown()
                .validator(identifier(USER_MAX))
                .markdown(
                    "The database user, without any panel prefix: letters, digits and `_`. \
                     Required on HestiaCP. Changing it replaces the database.",
                ),
        )
        .attribute(
            Attribute::string("full_user")
                .computed()
                .use_state_for_unknown()
                .markdown("The database user's name as the panel stores it (HestiaCP: `OWNER_USER`)."),
        )
        .attribute(
            Attribute::string("password_wo")
                .optional()
                .sensitive()
                .write_only()
                .markdown(
                    "The database user's password, write-only: sent on create and whenever \
                     `password_wo_version` changes, never stored in state. Required with \
                     `user`.",
                ),
        )
        .attribute(
            Attribute::int("password_wo_version")
                .optional()
                .markdown(
                    "Any number; change it to send `password_wo` again (rotation, in place).",
                ),
        )
}

fn attribute_of(field: &str) -> Option<&'static str> {
    match field {
        "name" => Some("name"),
        "owner" => Some("owner"),
        "domain" => Some("domain"),
        "engine" => Some("engine"),
        "user" => Some("user"),
        "password" => Some("password_wo"),
        _ => None,
    }
}

fn failure(action: &'static str, name: &str) -> Failure<'static> {
    Failure {
        type_name: TYPE_NAME,
        action,
        object: format!("database {name:?}"),
        field_to_attribute: attribute_of,
    }
}

/// The database as state. `prior` (prior state or plan) supplies the names as
/// configured when the panel changed only their case (PostgreSQL names are lowercased
/// on HestiaCP), the configured domain, and the password version. `prefix` says how the
/// panel prefixes the names it stores.
pub fn database_state(database: &Database, prior: Option<&Value>, prefix: NamePrefix) -> Value {
    let prior_text = |name: &str| prior.and_then(|p| string_attr(p, name));
    let short = |attribute: &str, full: &str| -> String {
        let reported = prefix.strip(&database.owner, full);
        match prior_text(attribute) {
            Some(configured) if configured.eq_ignore_ascii_case(reported) => configured.to_owned(),
            // A panel that adds a prefix of its own (PanelAlpha's account prefix, which
            // is not the owner's id) still stores the configured name after it.
            Some(configured) if full.ends_with(&format!("_{configured}")) => configured.to_owned(),
            _ => reported.to_owned(),
        }
    };
    // A database cannot move between subscriptions / hosting accounts, and its id pins
    // the container, so a configured domain is kept: panels report the subscription or
    // the account's main domain, which names the same container as any of its domains.
    let domain = match (prior_text("domain"), database.domain.as_deref()) {
        (Some(configured), Some(_)) => Some(configured.to_owned()),
        (_, reported) => reported.map(str::to_owned),
    };
    object(vec![
        ("id", Value::string(database.id.clone())),
        ("name", Value::string(short("name", &database.name))),
        ("full_name", Value::string(database.name.clone())),
        ("owner", Value::string(database.owner.clone())),
        ("domain", optional_string(domain.as_deref())),
        ("engine", Value::string(database.engine.clone())),
        (
            "user",
            optional_string(
                database
                    .user
                    .as_deref()
                    .map(|u| short("user", u))
                    .as_deref(),
            ),
        ),
        ("full_user", optional_string(database.user.as_deref())),
        ("password_wo", Value::Null),
        (
            "password_wo_version",
            prior.map_or(Value::Null, |p| attr(p, "password_wo_version")),
        ),
    ])
}

/// How the import id of an existing database is written on this panel.
fn import_id(kind: PanelKind, owner: &str, name: &str, domain: Option<&str>) -> String {
    match kind {
        PanelKind::Hestia => format!("{owner}/{owner}_{name}"),
        PanelKind::PleskRest | PanelKind::PleskXml => {
            format!("{}/{name}", domain.unwrap_or("DOMAIN"))
        }
        PanelKind::PanelAlpha => format!("{owner}/ACCOUNT_ID/{name}"),
    }
}

/// A lookup whose key the panel could not even parse found nothing.
fn missing_if_unparsable(found: PanelResult<Option<Database>>) -> PanelResult<Option<Database>> {
    match found {
        Err(error) if matches!(error.kind, PanelErrorKind::InvalidInput { .. }) => Ok(None),
        other => other,
    }
}

/// Resolves an import id: the backend's own id, else `OWNER_LOGIN/NAME` (Hestia) or
/// `DOMAIN/NAME` (Plesk) through one list of the owner's databases.
async fn find_for_import(panel: &dyn Panel, key: &str) -> PanelResult<Option<Database>> {
    if let Some(found) = missing_if_unparsable(panel.get_database(key).await)? {
        return Ok(Some(found));
    }
    let Some((container, name)) = key.split_once('/') else {
        return Ok(None);
    };
    if name.contains('/') || container.is_empty() || name.is_empty() {
        return Ok(None);
    }
    let owner = match panel.find_user(container).await {
        Ok(Some(user)) => Some((user.id, None)),
        Ok(None) | Err(_) => match panel.find_domain(container).await {
            Ok(Some(domain)) => Some((domain.owner, Some(domain.name))),
            Ok(None) => None,
            Err(error) if matches!(error.kind, PanelErrorKind::InvalidInput { .. }) => None,
            Err(error) => return Err(error),
        },
    };
    let Some((owner, domain)) = owner else {
        return Ok(None);
    };
    let databases = panel
        .list_databases(&ListFilter {
            owner: Some(owner.clone()),
        })
        .await?;
    let prefixed = format!("{container}_{name}");
    Ok(databases.into_iter().find(|db| {
        let in_container = match &domain {
            Some(domain) => db
                .domain
                .as_deref()
                .is_some_and(|d| common::same_domain(d, domain)),
            None => true,
        };
        in_container && (db.name == name || db.name == prefixed)
    }))
}

#[async_trait::async_trait]
impl Resource for DatabaseResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn modify_plan(&self, ctx: &Context, plan: &mut PlanContext) {
        // Unset `domain` / `user` never change after creation, even when the prior value
        // is null (which `use_state_for_unknown` would turn into unknown, and an unknown
        // value into a replacement).
        if let Some(prior) = plan.prior.clone() {
            for name in ["domain", "user"] {
                if is_null(&plan.config, name) {
                    plan.set_planned(name, attr(&prior, name));
                }
            }
        }
        let password_path = AttributePath::root("password_wo");
        let password_null = is_null(&plan.config, "password_wo");
        let user_configured = !is_null(&plan.config, "user");
        if plan.is_create() && user_configured && password_null {
            plan.diagnostics.error_at(
                password_path.clone(),
                "Missing Password",
                "A database `user` is created with a password: set `password_wo`.",
            );
        }
        let version_changed = !plan.is_create()
            && plan.prior_attr("password_wo_version") != plan.planned_attr("password_wo_version");
        if version_changed && password_null {
            plan.diagnostics.error_at(
                password_path.clone(),
                "Missing Password",
                "`password_wo_version` changed, which sends `password_wo` to the panel, but \
                 `password_wo` is not set.",
            );
        }
        let provider = provider_if_ready(ctx);
        for (attribute, full) in [("name", "full_name"), ("user", "full_user")] {
            let prior = plan.prior_attr(attribute).cloned().unwrap_or(Value::Null);
            let planned = plan.planned_attr(attribute).cloned().unwrap_or(Value::Null);
            if plan.is_create() || prior == planned {
                continue;
            }
            // PanelAlpha prefixes names with the hosting account's username, which its
            // API does not report, so an import can only guess where the prefix ends.
            // A configured name that designates the same stored object is no
            // replacement.
            let same_object = provider
                .as_ref()
                .is_some_and(|p| p.kind == PanelKind::PanelAlpha)
                && match (planned.as_str(), plan.prior_attr(full)) {
                    (Some(planned), Some(Value::String(full))) => {
                        full == planned || full.ends_with(&format!("_{planned}"))
                    }
                    _ => false,
                };
            if !same_object {
                plan.require_replace(AttributePath::root(attribute));
            }
        }
        let Some(provider) = provider else {
            return;
        };
        let capabilities = provider.capabilities;
        let panel = provider.kind.as_str();
        let engine = plan.planned_attr("engine").and_then(Value::as_str);
        let engine_changed = plan.prior_attr("engine").and_then(Value::as_str) != engine;
        if engine == Some("postgresql") && engine_changed && !capabilities.database_postgresql {
            plan.diagnostics.error_at(
                AttributePath::root("engine"),
                "Engine Not Supported",
                format!("The `{panel}` panel offers MySQL databases only; remove `engine`."),
            );
        }
        let domain_configured = !is_null(&plan.config, "domain");
        let domain_known = plan.config_attr("domain").is_some_and(Value::is_known);
        if plan.is_create() && capabilities.database_requires_domain && !domain_configured {
            plan.diagnostics.error_at(
                AttributePath::root("domain"),
                "Missing Domain",
                format!(
                    "On the `{panel}` panel a database belongs to a subscription: set `domain` \
                     to the owner's main domain."
                ),
            );
        }
        if provider.kind == PanelKind::Hestia && domain_configured && domain_known {
            plan.diagnostics.error_at(
                AttributePath::root("domain"),
                "Setting Not Supported",
                format!("`{panel}` databases belong to a user, not a domain; remove `domain`."),
            );
        }
        if capabilities.database_user_inline && plan.is_create() && !user_configured {
            plan.diagnostics.error_at(
                AttributePath::root("user"),
                "Missing Database User",
                format!("The `{panel}` panel creates the database user with the database: set `user` and `password_wo`."),
            );
        }
        if version_changed && !user_configured && is_null(&plan.planned, "user") {
            plan.diagnostics.error_at(
                AttributePath::root("password_wo_version"),
                "No Database User",
                "This database has no user whose password could be changed; set `user`.",
            );
        }
        // PanelAlpha's prefix (the account username) is unknown at plan time; its
        // backend checks the stored lengths before any request.
        if NamePrefix::of(provider.kind, &capabilities) == NamePrefix::OwnerLogin
            && plan.is_create()
        {
            self.check_prefixed_lengths(plan, &capabilities);
        }
    }

    async fn create(&self, ctx: &Context, planned: &Value, config: &Value) -> StateResult {
        let provider = match ProviderData::from_context(ctx) {
            Ok(provider) => provider,
            Err(diagnostics) => return (None, diagnostics),
        };
        let name = owned_attr(planned, "name").unwrap_or_default();
        let owner = owned_attr(planned, "owner").unwrap_or_default();
        let domain = string_attr(planned, "domain")
            .map(|d| common::normalize_domain(d).unwrap_or_else(|_| d.to_owned()));
        let spec = DatabaseSpec {
            name: name.clone(),
            owner: owner.clone(),
            domain: domain.clone(),
            engine: owned_attr(planned, "engine").unwrap_or_else(|| "mysql".to_owned()),
            user: owned_attr(planned, "user"),
            password: string_attr(config, "password_wo").map(Secret::new),
        };
        let prefix = NamePrefix::of(provider.kind, &provider.capabilities);
        match provider.panel.create_database(&spec).await {
            Ok(database) => (
                Some(database_state(&database, Some(planned), prefix)),
                Diagnostics::new(),
            ),
            Err(error) if error.kind == PanelErrorKind::AlreadyExists => {
                let id = import_id(provider.kind, &owner, &name, domain.as_deref());
                let object = format!("database {name:?}");
                (
                    None,
                    common::already_exists(TYPE_NAME, &object, &id, &error),
                )
            }
            Err(error) => {
                let diagnostics = failure("create", &name).diagnostics(&error);
                let partial = match error.partial.as_deref() {
                    Some(PartialObject::Database(database)) => {
                        Some(database_state(database, Some(planned), prefix))
                    }
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
        let prefix = NamePrefix::of(provider.kind, &provider.capabilities);
        match provider.panel.get_database(id).await {
            Ok(Some(database)) => (
                Some(database_state(&database, Some(state), prefix)),
                Diagnostics::new(),
            ),
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
        let mut patch = DatabasePatch::default();
        if prior.get_attr("password_wo_version") != planned.get_attr("password_wo_version") {
            match string_attr(config, "password_wo") {
                Some(password) => patch.password = Some(Secret::new(password)),
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
        let prefix = NamePrefix::of(provider.kind, &provider.capabilities);
        // Called even with an empty patch: the new state must come from the panel.
        match provider.panel.update_database(id, &patch).await {
            Ok(database) => (
                Some(database_state(&database, Some(planned), prefix)),
                Diagnostics::new(),
            ),
            Err(error) => (None, failure("update", id).diagnostics(&error)),
        }
    }

    async fn delete(&self, ctx: &Context, prior: &Value) -> Diagnostics {
        let provider = match ProviderData::from_context(ctx) {
            Ok(provider) => provider,
            Err(diagnostics) => return diagnostics,
        };
        let id = string_attr(prior, "id").unwrap_or_default();
        match provider.panel.delete_database(id).await {
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
        let prefix = NamePrefix::of(provider.kind, &provider.capabilities);
        match find_for_import(provider.panel.as_ref(), key).await {
            Ok(Some(database)) => (
                vec![database_state(&database, None, prefix)],
                Diagnostics::new(),
            ),
            Ok(None) => {
                let format = match provider.kind {
                    PanelKind::Hestia => "OWNER/FULL_NAME (e.g. bob/bob_shop)",
                    PanelKind::PleskRest | PanelKind::PleskXml => "DOMAIN/NAME",
                    PanelKind::PanelAlpha => "USER_ID/ACCOUNT_ID/NAME",
                };
                let mut diagnostics = Diagnostics::new();
                diagnostics.error(
                    "Cannot Import Non-Existent Remote Object",
                    format!(
                        "No database {key:?} exists on the `{}` panel. Import a `{TYPE_NAME}` \
                         there as {format}.",
                        provider.kind.as_str()
                    ),
                );
                (Vec::new(), diagnostics)
            }
            Err(error) => (Vec::new(), failure("import", key).diagnostics(&error)),
        }
    }
}

impl DatabaseResource {
    /// HestiaCP's limits apply to the prefixed names; with the owner known at plan time
    /// the exact prefixed length is checked and named in the diagnostic.
    fn check_prefixed_lengths(
        &self,
        plan: &mut PlanContext,
        capabilities: &crate::panel::Capabilities,
    ) {
        let Some(owner) = plan.planned_attr("owner").and_then(Value::as_str) else {
            return;
        };
        let owner = owner.to_owned();
        // The backend declares the limits for the shortest (one-character) login, so
        // the limit on the whole prefixed name is that plus the login and its `_`.
        let checks = [
            ("name", capabilities.database_name_max_len, "database name"),
            (
                "user",
                capabilities.database_user_max_len,
                "database user name",
            ),
        ];
        for (attribute, short_limit, what) in checks {
            let (Some(short_limit), Some(value)) = (
                short_limit,
                plan.planned_attr(attribute).and_then(Value::as_str),
            ) else {
                continue;
            };
            let limit = short_limit + 2;
            let full = format!("{owner}_{value}");
            let length = full.chars().count();
            if length > limit {
                plan.diagnostics.error_at(
                    AttributePath::root(attribute),
                    "Name Too Long With Its Prefix",
                    format!(
                        "HestiaCP stores the {what} with the owner's login as prefix: {full:?} \
                         is {length} characters, and the limit is {limit}. Shorten `{attribute}` \
                         to at most {} characters for owner {owner:?}.",
                        limit.saturating_sub(owner.chars().count() + 1)
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn schema_is_valid() {
        assert_eq!(schema().check(), Ok(()));
    }

    #[test]
    fn prefixes_are_stripped_and_configured_case_kept() {
        let state = database_state(
            &database("bob_shop", Some("bob_app")),
            None,
            NamePrefix::OwnerLogin,
        );
        assert_eq!(string_attr(&state, "name"), Some("shop"));
        assert_eq!(string_attr(&state, "full_name"), Some("bob_shop"));
        assert_eq!(string_attr(&state, "user"), Some("app"));
        assert_eq!(string_attr(&state, "full_user"), Some("bob_app"));
        let prior = object(vec![("name", Value::string("Shop"))]);
        let state = database_state(
            &database("bob_shop", None),
            Some(&prior),
            NamePrefix::OwnerLogin,
        );
        assert_eq!(string_attr(&state, "name"), Some("Shop"));
        assert_eq!(state.get_attr("user"), Some(&Value::Null));
        let plesk = database_state(&database("bob_shop", None), None, NamePrefix::None);
        assert_eq!(string_attr(&plesk, "name"), Some("bob_shop"));
        let mut alpha = database("service1_shop", Some("service1_app"));
        alpha.owner = "1".into();
        let imported = database_state(&alpha, None, NamePrefix::AccountUsername);
        assert_eq!(string_attr(&imported, "name"), Some("shop"));
        assert_eq!(string_attr(&imported, "user"), Some("app"));
        assert_eq!(string_attr(&imported, "full_name"), Some("service1_shop"));
    }

    #[test]
    fn import_ids_per_panel() {
        assert_eq!(
            import_id(PanelKind::Hestia, "bob", "shop", None),
            "bob/bob_shop"
        );
        assert_eq!(
            import_id(PanelKind::PleskXml, "7", "shop", Some("example.com")),
            "example.com/shop"
        );
    }
}
