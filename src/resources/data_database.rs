//! `data "panel_database"` (one database, by id or by owner + name) and
//! `data "panel_databases"` (all databases, optionally of one owner and/or one domain),
//! on every panel through [`Panel::get_database`](crate::panel::Panel::get_database) and
//! [`Panel::list_databases`](crate::panel::Panel::list_databases).

use crate::framework::diag::Diagnostics;
use crate::framework::resource::{Context, DataSource, StateResult};
use crate::framework::schema::{Attribute, Schema};
use crate::framework::validate;
use crate::panel::{Database, ListFilter};
use crate::tfvalue::{AttributePath, Type, Value};

use super::common::NamePrefix;
use super::data_shared::{
    check_exactly_one_lookup, config_string, describe_lookup, normalise_domain, not_found,
    optional_string, panel_error, provider_data,
};

pub const TYPE_NAME: &str = "panel_database";
pub const LIST_TYPE_NAME: &str = "panel_databases";

const LOOKUPS: &[&[&str]] = &[&["id"], &["owner", "name"]];

const PANEL_MAPPING: &str = "On Plesk (REST and XML APIs) a database belongs to a subscription \
     (`domain`); on HestiaCP to a user, and the panel prefixes its name and user with \
     `<owner login>_`; on PanelAlpha to a hosting account, whose main domain is `domain`. \
     PanelAlpha offers MySQL only.";

const ID_TEXT: &str = "The panel's id: on HestiaCP the full (prefixed) database name; on Plesk \
     REST `CLIENT_ID/DOMAIN/DATABASE_ID` (e.g. `2/example.com/1`); on Plesk XML \
     `CLIENT_ID/DATABASE_ID` (e.g. `2/1`); on PanelAlpha `userId/accountId/name`.";
const NAME_TEXT: &str = "The database name as written in `panel_database`: without the \
     `<owner login>_` prefix on HestiaCP, the stored name elsewhere.";
const FULL_NAME_TEXT: &str = "The database name as the panel stores it (HestiaCP: with the \
     `<owner login>_` prefix).";
const OWNER_TEXT: &str = "The `id` of the owning user (`panel_user`).";
const DOMAIN_TEXT: &str = "The domain the database hangs off: the Plesk subscription, or the main \
     domain of the PanelAlpha hosting account. Null on HestiaCP.";
const ENGINE_TEXT: &str = "`mysql` or `postgresql`.";
const USER_TEXT: &str = "The database user as written in `panel_database` (HestiaCP: without the \
     prefix), or null when the database has no user.";
const FULL_USER_TEXT: &str = "The database user as the panel stores it (HestiaCP: with the \
     `<owner login>_` prefix), or null.";

fn database_object_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("full_name", Type::String),
        ("owner", Type::String),
        ("domain", Type::String),
        ("engine", Type::String),
        ("user", Type::String),
        ("full_user", Type::String),
    ])
}

fn database_value(prefix: NamePrefix, database: &Database) -> Value {
    let owner = database.owner.as_str();
    let user = database
        .user
        .as_deref()
        .map(|stored| prefix.strip(owner, stored));
    Value::Object(
        [
            ("id", Value::string(database.id.clone())),
            ("name", Value::string(prefix.strip(owner, &database.name))),
            ("full_name", Value::string(database.name.clone())),
            ("owner", Value::string(owner)),
            ("domain", optional_string(database.domain.as_deref())),
            ("engine", Value::string(database.engine.clone())),
            ("user", optional_string(user)),
            ("full_user", optional_string(database.user.as_deref())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
    )
}

/// `data "panel_database"`.
pub struct DatabaseDataSource;

pub fn schema() -> Schema {
    Schema::new(0)
        .markdown(format!(
            "Looks up one existing database, either by `id` or by `owner` + `name` (exactly \
             one of the two), and exposes its attributes. {PANEL_MAPPING} With `owner` + \
             `name`, the owner's databases are listed once and `name` may be given with or \
             without the HestiaCP prefix. Reading fails with an error naming the lookup when \
             no database matches, or when several do (a name used in two PanelAlpha hosting \
             accounts of one user; look it up by `id` then)."
        ))
        .attribute(
            Attribute::string("id")
                .optional()
                .computed()
                .markdown(format!(
            "{ID_TEXT} Set it to look the database up by id (the same id `terraform import` \
             accepts for `panel_database` where the backend takes it), or leave it out."
        )),
        )
        .attribute(
            Attribute::string("name")
                .optional()
                .computed()
                .markdown(format!(
                    "{NAME_TEXT} Set it together with `owner` to look the database up by name."
                )),
        )
        .attribute(
            Attribute::string("full_name")
                .computed()
                .markdown(FULL_NAME_TEXT),
        )
        .attribute(
            Attribute::string("owner")
                .optional()
                .computed()
                .markdown(format!(
                    "{OWNER_TEXT} Set it together with `name` to look the database up by name."
                )),
        )
        .attribute(Attribute::string("domain").computed().markdown(DOMAIN_TEXT))
        .attribute(Attribute::string("engine").computed().markdown(ENGINE_TEXT))
        .attribute(Attribute::string("user").computed().markdown(USER_TEXT))
        .attribute(
            Attribute::string("full_user")
                .computed()
                .markdown(FULL_USER_TEXT),
        )
}

/// Fills `config` with the panel's answer, keeping the configured lookup values as
/// written (Terraform requires configured arguments back unchanged).
fn database_state(config: &Value, prefix: NamePrefix, database: &Database) -> Value {
    let mut state = config.clone();
    for (attribute, value) in database_value(prefix, database)
        .as_object()
        .into_iter()
        .flatten()
    {
        let configured = config.get_attr(attribute).is_some_and(|v| !v.is_null());
        if !configured {
            state.set_attr(attribute, value.clone());
        }
    }
    state
}

#[async_trait::async_trait]
impl DataSource for DatabaseDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value, diagnostics: &mut Diagnostics) {
        check_exactly_one_lookup(TYPE_NAME, config, LOOKUPS, diagnostics);
    }

    async fn read(&self, ctx: &Context, config: &Value) -> StateResult {
        let mut diagnostics = Diagnostics::new();
        check_exactly_one_lookup(TYPE_NAME, config, LOOKUPS, &mut diagnostics);
        if diagnostics.has_errors() {
            return (None, diagnostics);
        }
        let data = match provider_data(ctx) {
            Ok(data) => data,
            Err(diagnostics) => return (None, diagnostics),
        };
        let prefix = NamePrefix::of(data.kind, &data.capabilities);
        let id = config_string(config, "id");
        let owner = config_string(config, "owner");
        let name = config_string(config, "name");
        match (id, owner, name) {
            (Some(id), _, _) => {
                let lookup = [("id", id.as_str())];
                match data.panel.get_database(&id).await {
                    Ok(Some(database)) => {
                        (Some(database_state(config, prefix, &database)), diagnostics)
                    }
                    Ok(None) => (None, not_found(TYPE_NAME, "database", "id", &lookup)),
                    Err(err) => {
                        let what =
                            format!("looking up the database with {}", describe_lookup(&lookup));
                        (None, panel_error(TYPE_NAME, &what, Some("id"), &err))
                    }
                }
            }
            (None, Some(owner), Some(name)) => {
                let lookup = [("owner", owner.as_str()), ("name", name.as_str())];
                let filter = ListFilter {
                    owner: Some(owner.clone()),
                };
                let databases = match data.panel.list_databases(&filter).await {
                    Ok(databases) => databases,
                    Err(err) => {
                        let what =
                            format!("looking up the database with {}", describe_lookup(&lookup));
                        return (None, panel_error(TYPE_NAME, &what, Some("owner"), &err));
                    }
                };
                let mut matching: Vec<Database> = databases
                    .into_iter()
                    .filter(|db| {
                        db.owner == owner
                            && (db.name == name || prefix.strip(&owner, &db.name) == name)
                    })
                    .collect();
                matching.sort_by(|a, b| a.id.cmp(&b.id));
                matching.dedup_by(|a, b| a.id == b.id);
                match matching.as_slice() {
                    [database] => (Some(database_state(config, prefix, database)), diagnostics),
                    [] => (None, not_found(TYPE_NAME, "database", "name", &lookup)),
                    several => {
                        let ids = several
                            .iter()
                            .map(|db| format!("{:?}", db.id))
                            .collect::<Vec<_>>()
                            .join(", ");
                        diagnostics.error_at(
                            AttributePath::root("name"),
                            "Ambiguous Database Lookup",
                            format!(
                                "data.{TYPE_NAME}: {} databases match {}: ids {ids}. Look the \
                                 one you mean up by `id` instead.",
                                several.len(),
                                describe_lookup(&lookup)
                            ),
                        );
                        (None, diagnostics)
                    }
                }
            }
            _ => {
                diagnostics.error(
                    "Missing Lookup",
                    format!("data.{TYPE_NAME} needs a known `id`, or `owner` and `name`, to read."),
                );
                (None, diagnostics)
            }
        }
    }
}

/// `data "panel_databases"`.
pub struct DatabasesDataSource;

pub fn list_schema() -> Schema {
    Schema::new(0)
        .markdown(format!(
            "Lists the panel's databases, optionally only those of one `owner` and/or one \
             `domain`. {PANEL_MAPPING} The `owner` filter is passed to the panel, which then \
             lists only that user's databases (Plesk: the databases of the customer's \
             subscriptions; HestiaCP: `v-list-databases` of that user; PanelAlpha: the user's \
             hosting accounts); `domain` is applied by the provider. Databases are sorted by \
             full name."
        ))
        .attribute(
            Attribute::string("owner")
                .optional()
                .validator(validate::string_length_at_least(1))
                .markdown(
                    "Only databases of this user: a `panel_user` `id` (HestiaCP: the login; \
                     Plesk and PanelAlpha: the numeric id).",
                ),
        )
        .attribute(
            Attribute::string("domain")
                .optional()
                .validator(validate::string_length_at_least(1))
                .markdown(
                    "Only databases of this domain (Plesk subscription, PanelAlpha hosting \
                     account main domain), compared after normalising (lowercase, punycode). \
                     HestiaCP databases have no domain, so this filter matches none there.",
                ),
        )
        .attribute(
            Attribute::list_of("databases", database_object_type())
                .computed()
                .markdown(format!(
                    "The matching databases, each an object with the attributes of the \
                     `panel_database` data source: `id` ({ID_TEXT}), `name` ({NAME_TEXT}), \
                     `full_name`, `owner`, `domain`, `engine`, `user` and `full_user`."
                )),
        )
        .attribute(
            Attribute::list_of_string("ids")
                .computed()
                .markdown("The `id` of each matching database, in the same order as `databases`."),
        )
}

#[async_trait::async_trait]
impl DataSource for DatabasesDataSource {
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
        let filter = ListFilter {
            owner: config_string(config, "owner"),
        };
        let domain = config_string(config, "domain").map(|d| normalise_domain(&d));
        let mut databases = match data.panel.list_databases(&filter).await {
            Ok(databases) => databases,
            Err(err) => {
                let what = match &filter.owner {
                    Some(owner) => format!("listing the databases of owner {owner:?}"),
                    None => "listing databases".to_owned(),
                };
                return (
                    None,
                    panel_error(LIST_TYPE_NAME, &what, Some("owner"), &err),
                );
            }
        };
        // Filtering the owner again guards against a backend that answers with more
        // than asked; the domain filter exists on no panel's database listing.
        databases.retain(|db| {
            filter
                .owner
                .as_deref()
                .is_none_or(|owner| db.owner == owner)
                && domain.as_deref().is_none_or(|wanted| {
                    db.domain
                        .as_deref()
                        .is_some_and(|d| normalise_domain(d) == wanted)
                })
        });
        databases.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        databases.dedup_by(|a, b| a.id == b.id);
        let prefix = NamePrefix::of(data.kind, &data.capabilities);
        let mut state = config.clone();
        state.set_attr(
            "ids",
            Value::List(
                databases
                    .iter()
                    .map(|d| Value::string(d.id.clone()))
                    .collect(),
            ),
        );
        state.set_attr(
            "databases",
            Value::List(
                databases
                    .iter()
                    .map(|d| database_value(prefix, d))
                    .collect(),
            ),
        );
        (Some(state), Diagnostics::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas_are_valid_and_the_database_object_matches_panel_database() {
        assert_eq!(schema().check(), Ok(()));
        assert_eq!(list_schema().check(), Ok(()));
        assert_eq!(schema().object_type(), database_object_type());
    }

    #[test]
    fn database_value_splits_names_and_users() {
        let database = Database {
            id: "bob_wp".into(),
            name: "bob_wp".into(),
            owner: "bob".into(),
            domain: None,
            engine: "mysql".into(),
            user: Some("bob_wpuser".into()),
        };
        let value = database_value(NamePrefix::OwnerLogin, &database);
        assert!(value.conforms_to(&database_object_type()));
        assert_eq!(value.get_attr("name"), Some(&Value::string("wp")));
        assert_eq!(value.get_attr("full_name"), Some(&Value::string("bob_wp")));
        assert_eq!(value.get_attr("user"), Some(&Value::string("wpuser")));
        assert_eq!(
            value.get_attr("full_user"),
            Some(&Value::string("bob_wpuser"))
        );

        let config = Value::Object(
            [
                ("owner".to_owned(), Value::string("bob")),
                ("name".to_owned(), Value::string("bob_wp")),
            ]
            .into(),
        );
        let state = database_state(&config, NamePrefix::OwnerLogin, &database);
        assert_eq!(
            state.get_attr("name"),
            Some(&Value::string("bob_wp")),
            "kept as written"
        );
        assert_eq!(state.get_attr("id"), Some(&Value::string("bob_wp")));
    }
}
