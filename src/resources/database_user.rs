//! `panel_database_user`: a database user on its own, granted access to one or more
//! databases of its owner (Plesk database users, PanelAlpha MySQL users), with the
//! `panel_database_user` / `panel_database_users` data sources. HestiaCP has no such
//! users (its databases carry their one user, `panel_database.user`).

use std::cmp::Ordering;

use crate::attr;
use crate::framework::diag::Diagnostics;
use crate::framework::model::{Field, StringSet};
use crate::framework::validate;
use crate::panel::database_user::database_user_name_problem;
use crate::panel::{
    DatabaseUser, DatabaseUserKey, DatabaseUserPatch, DatabaseUserSpec, ListFilter, Locator,
    PanelHandle, Secret,
};
use crate::tfvalue::{AttributePath, Value};

use super::engine::{ObjectType, TypedPlan};

crate::model! {
    /// The attributes of `panel_database_user`.
    pub struct DatabaseUserModel {
        id: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The panel's id for the database user: the numeric database user id on Plesk, \
                 `USER_ID/ACCOUNT_ID/FULL_NAME` on PanelAlpha.",
            ),
        owner: String
            .required()
            .requires_replace()
            .markdown(
                "The `id` of the `panel_user` the user and its databases belong to. Changing \
                 it replaces the database user.",
            ),
        name: String
            .required()
            .requires_replace()
            .validator(validate::custom("database user name", |value| {
                value.as_str().and_then(database_user_name_problem)
            }))
            .markdown(
                "The database user's login as written here: 1 to 32 letters, digits and `_`, \
                 starting with a letter. PanelAlpha prefixes it with the hosting account's \
                 username and `_` (see `full_name`). Changing it replaces the database user.",
            ),
        full_name: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The login as the panel stores it (PanelAlpha: `ACCOUNT_name`; Plesk: `name` \
                 itself).",
            ),
        databases: StringSet
            .required()
            .validator(validate::custom("at least one database", |value| match value {
                Value::Set(items) if items.is_empty() => {
                    Some("must name at least one database".to_owned())
                }
                _ => None,
            }))
            .markdown(
                "The `id`s of the `panel_database`s (of the same owner) the user may access, \
                 e.g. `[panel_database.shop.id]`. Plesk grants a database user exactly one \
                 database (more are refused at plan time) and cannot move it to another, so a \
                 change there replaces the user; PanelAlpha grants all privileges on each and \
                 changes the set in place.",
            ),
        password_wo: String
            .optional()
            .sensitive()
            .write_only()
            .markdown(
                "The database user's password, write-only: sent to the panel on create and \
                 whenever `password_wo_version` changes, never stored in state. Required to \
                 create the user.",
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
    /// The filters of `panel_database_users`.
    pub struct DatabaseUserFilters {
        owner: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown("Only database users of this user: a `panel_user` `id`."),
        database: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown("Only database users with access to this database: a `panel_database` `id`."),
    }
}

/// `panel_database_user` on the engine.
pub struct DatabaseUserType;

const PANEL_MAPPING: &str = "On Plesk a database user is a user of one database of a \
     subscription (REST API `/api/v2/dbusers`; XML API `database` operator, `add-db-user` / \
     `get-db-users` / `set-db-user` / `del-db-user`); on PanelAlpha it is a MySQL user of the \
     hosting account holding the databases (`server-accounts/{id}/mysql/users`), with all \
     privileges on each of its databases (`server-accounts/{id}/mysql/privileges/{user}/{database}`). \
     HestiaCP has no database users apart from databases.";

const WHEN_TO_USE: &str = "Use `panel_database.user` for the simple case, one database with \
     its own user, created and deleted with it (the only way on HestiaCP). Use \
     `panel_database_user` for a user apart from the database: a second user of a database \
     (e.g. a read-only reporting login), or one user for several databases (PanelAlpha), \
     whose password rotates on its own.";

fn missing_password(what: &str) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error_at(
        AttributePath::root(attr!(DatabaseUserModel, password_wo)),
        "Missing Password",
        what.to_owned(),
    );
    diagnostics
}

fn sorted(set: &Field<StringSet>) -> Vec<String> {
    set.get()
        .map(|set| set.iter().cloned().collect())
        .unwrap_or_default()
}

impl ObjectType for DatabaseUserType {
    type Model = DatabaseUserModel;
    type Object = DatabaseUser;
    type Filters = DatabaseUserFilters;

    const TYPE_NAME: &'static str = "panel_database_user";
    const LIST_TYPE_NAME: &'static str = "panel_database_users";
    const LIST_ATTRIBUTE: &'static str = "database_users";
    /// Plesk lists a database's own user (`panel_database.user`) among its database users
    /// too: adopting them unasked would manage one user twice.
    const ADOPT_ONLY_WHEN_NAMED: bool = true;

    fn references() -> &'static [(&'static str, &'static str, &'static str)] {
        &[("owner", "panel_user", "id")]
    }

    fn adopt_key(state: &DatabaseUserModel) -> String {
        state.name.owned().unwrap_or_default()
    }

    fn unsupported_hint(panel: &PanelHandle) -> Option<String> {
        panel.capabilities.database_user_inline.then(|| {
            "HestiaCP keeps exactly one user per database, created together with it \
             (`v-add-database`): set `user`, `password_wo` and `password_wo_version` on the \
             `panel_database` instead."
                .to_owned()
        })
    }

    fn description() -> String {
        format!(
            "A database user on its own, granted access to one or more databases of its \
             owner, with a write-only password.\n\n\
             {WHEN_TO_USE}\n\n\
             | Panel | What it is | Databases | When a database of it is deleted | Import id |\n\
             |---|---|---|---|---|\n\
             | HestiaCP | not offered: each database has exactly one user, created with it; \
             refused at plan time, use `panel_database.user` | | | |\n\
             | Plesk (REST API) | a database user (`/api/v2/dbusers`: `POST` with `database_id`, \
             `PUT` for the password, `DELETE`) | exactly one; a change replaces the user | Plesk deletes \
             the user with its database (a Plesk database user belongs to one database): the \
             next plan creates it again | the login, e.g. `report` (or the numeric id) |\n\
             | Plesk (XML API) | a database user (`database` operator: `add-db-user` with \
             `db-id`, `get-db-users`, `set-db-user`, `del-db-user`) | exactly one; a change \
             replaces the user | as on the REST API: Plesk deletes the user with its \
             database | the login, e.g. `report` (or the numeric id) |\n\
             | PanelAlpha | a MySQL user of the hosting account holding the databases \
             (`server-accounts/{{id}}/mysql/users`), with `ALL PRIVILEGES` on each database \
             (`…/mysql/privileges/{{user}}/{{database}}`) | one or more of the same hosting \
             account; changed in place | the user stays (PanelAlpha keeps MySQL users when \
             a database is dropped) and loses that database: the next plan shows it | `USER_ID/ACCOUNT_ID/FULL_NAME`, e.g. \
             `3/7/acct_report` |\n\n\
             A database user is identified by its owner and name: an existing user with that \
             name is reported (with the import command) instead of being taken over, and a \
             user whose create answer was lost is found again by them. Drift is detected on \
             the databases the panel lists for the user; the password is write-only (bump \
             `password_wo_version` to send a new `password_wo`) and is not imported. Deleting \
             the resource deletes the database user only, never its databases. A \
             `panel_database` that has its own `user` keeps reporting that user while it has \
             access, whichever other users were granted the database, and deleting the \
             `panel_database` deletes only its own user on the provider's initiative, never a \
             `panel_database_user`. `adopt` writes \
             database users only when asked for by name (`--types database_user`), because \
             Plesk lists a database's own user (`panel_database.user`) among them too.\n\n\
             ## Import\n\n\
             * HestiaCP: not offered;\n\
             * Plesk (REST and XML API): the database user's login, e.g. `report` (its numeric \
             id is accepted too);\n\
             * PanelAlpha: `USER_ID/ACCOUNT_ID/FULL_NAME`, e.g. `3/7/acct_report`.\n\n\
             ```shell\n\
             terraform import panel_database_user.report report\n\
             ```"
        )
    }

    fn lookup_description() -> String {
        format!(
            "Looks up one existing database user, either by `id` or by `owner` + `name` \
             (exactly one of the two), and exposes its attributes. {PANEL_MAPPING} Reading \
             fails with an error naming the lookup when no user matches."
        )
    }

    fn list_description() -> String {
        format!(
            "Lists the panel's database users, optionally only those of one `owner` and/or \
             with access to one `database`. {PANEL_MAPPING} Users are sorted by owner and \
             name."
        )
    }

    fn data_attribute_description(name: &str) -> Option<String> {
        let text = match name {
            "id" => {
                "The panel's id: the numeric database user id on Plesk, \
                 `USER_ID/ACCOUNT_ID/FULL_NAME` on PanelAlpha. Set it to look the user up by \
                 id, or leave it out."
            }
            "owner" => {
                "The `id` of the owning user (`panel_user`). Set it together with `name` to \
                 look the database user up by them."
            }
            "name" => "The login without what the panel adds (PanelAlpha: the account prefix).",
            "databases" => "The `id`s of the `panel_database`s the user may access.",
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn label(model: &DatabaseUserModel) -> String {
        match (model.name.str(), model.id.str()) {
            (Some(name), _) => format!("database user {name:?}"),
            (None, Some(id)) => format!("database user {id:?}"),
            (None, None) => "database user".to_owned(),
        }
    }

    fn attribute_of(field: &str) -> Option<&'static str> {
        match field {
            "password" => Some(attr!(DatabaseUserModel, password_wo)),
            "name" | "login" | "user" => Some(attr!(DatabaseUserModel, name)),
            "databases" | "database" | "database_id" | "db-id" => {
                Some(attr!(DatabaseUserModel, databases))
            }
            "owner" => Some(attr!(DatabaseUserModel, owner)),
            _ => None,
        }
    }

    fn plan(panel: Option<&PanelHandle>, plan: &mut TypedPlan<DatabaseUserModel>) {
        let password = attr!(DatabaseUserModel, password_wo);
        if plan.is_create() && plan.config.password_wo.is_null() {
            plan.error_at(
                password,
                "Missing Password",
                "Creating a `panel_database_user` needs `password_wo`: the panel will not \
                 create a database user without a password.",
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
        let databases = attr!(DatabaseUserModel, databases);
        if let (Some(max), Some(set)) = (
            panel.capabilities.database_user_max_databases,
            plan.planned.databases.get(),
        ) {
            if set.len() > max {
                plan.error_at(
                    databases,
                    "Too Many Databases",
                    format!(
                        "The `{}` panel grants a database user access to at most {max} \
                         database(s), and `databases` names {}. Create one \
                         `panel_database_user` per database there.",
                        panel.name(),
                        set.len()
                    ),
                );
            }
        }
        if !plan.is_create()
            && !panel.capabilities.database_user_databases_update
            && plan.changes(|m| &m.databases)
        {
            plan.require_replace(databases);
        }
    }

    fn spec(
        _panel: &PanelHandle,
        planned: &DatabaseUserModel,
        config: &DatabaseUserModel,
    ) -> Result<DatabaseUserSpec, Diagnostics> {
        let Some(password) = config.password_wo.str().map(Secret::new) else {
            return Err(missing_password(
                "Creating a `panel_database_user` needs `password_wo`.",
            ));
        };
        Ok(DatabaseUserSpec {
            owner: planned.owner.owned().unwrap_or_default(),
            name: planned.name.owned().unwrap_or_default(),
            password,
            databases: sorted(&planned.databases),
        })
    }

    fn patch(
        _panel: &PanelHandle,
        prior: &DatabaseUserModel,
        planned: &DatabaseUserModel,
        config: &DatabaseUserModel,
    ) -> Result<DatabaseUserPatch, Diagnostics> {
        let mut patch = DatabaseUserPatch::default();
        if prior.databases != planned.databases {
            patch.databases = Some(sorted(&planned.databases));
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

    /// `prior` supplies the password version and the configured name when the panel
    /// stores the same name (PanelAlpha: with its prefix).
    fn state(
        panel: &PanelHandle,
        user: &DatabaseUser,
        prior: Option<&DatabaseUserModel>,
    ) -> DatabaseUserModel {
        let prefix = panel.capabilities.database_name_prefix;
        let reported = prefix.strip(&user.owner, &user.name);
        let name = match prior.and_then(|p| p.name.str()) {
            Some(configured) if configured.eq_ignore_ascii_case(reported) => configured,
            Some(configured) if user.name.ends_with(&format!("_{configured}")) => configured,
            _ => reported,
        };
        DatabaseUserModel {
            id: Field::text(user.id.clone()),
            owner: Field::text(user.owner.clone()),
            name: Field::text(name),
            full_name: Field::text(user.name.clone()),
            databases: Field::Known(user.databases.iter().cloned().collect()),
            password_wo: Field::Null,
            password_wo_version: prior.map_or(Field::Null, |p| p.password_wo_version.clone()),
        }
    }

    fn locator(state: &DatabaseUserModel) -> Locator {
        Locator::new(state.id.owned().unwrap_or_default()).with_owner(state.owner.str())
    }

    fn key_of_state(panel: &PanelHandle, state: &DatabaseUserModel) -> Option<DatabaseUserKey> {
        Self::lookup_key(panel, state)
    }

    fn lookups() -> &'static [&'static [&'static str]] {
        &[&["id"], &["owner", "name"]]
    }

    fn lookup_key(_panel: &PanelHandle, config: &DatabaseUserModel) -> Option<DatabaseUserKey> {
        Some(DatabaseUserKey {
            owner: config.owner.owned()?,
            name: config.name.owned()?,
        })
    }

    fn list_filter(filters: &DatabaseUserFilters) -> ListFilter {
        ListFilter {
            owner: filters.owner.owned(),
        }
    }

    fn list_keeps(filters: &DatabaseUserFilters, item: &DatabaseUserModel) -> bool {
        let owner = filters
            .owner
            .str()
            .is_none_or(|owner| item.owner.str() == Some(owner));
        let database = filters.database.str().is_none_or(|database| {
            item.databases
                .get()
                .is_some_and(|set| set.contains(database))
        });
        owner && database
    }

    fn list_order(a: &DatabaseUserModel, b: &DatabaseUserModel) -> Ordering {
        let key = |m: &DatabaseUserModel| {
            (
                m.owner.owned().unwrap_or_default(),
                m.full_name.owned().unwrap_or_default(),
            )
        };
        key(a).cmp(&key(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::Model;
    use crate::panel::fake::FakePanel;
    use crate::panel::{Capabilities, NamePrefix, PanelKind};
    use std::sync::Arc;

    fn user() -> DatabaseUser {
        DatabaseUser {
            id: "7".into(),
            owner: "3".into(),
            name: "acct_report".into(),
            databases: vec!["3/7/acct_shop".into()],
        }
    }

    #[test]
    fn the_validators_refuse_bad_names_and_empty_sets() {
        let schema = super::super::engine::Managed::<DatabaseUserType>::schema();
        let mut config = DatabaseUserModel {
            owner: Field::text("3"),
            name: Field::text("bad-name"),
            databases: Field::Known(StringSet::new()),
            ..DatabaseUserModel::default()
        }
        .to_value();
        let text = format!("{:?}", validate::validate_block(&schema.block, &config));
        assert!(text.contains("may only hold"), "{text}");
        assert!(text.contains("at least one database"), "{text}");
        config.set_attr("name", Value::string("report"));
        config.set_attr("databases", Value::Set(vec![Value::string("1")]));
        assert!(validate::validate_block(&schema.block, &config).is_empty());
    }

    #[test]
    fn state_keeps_the_written_name_and_the_password_version() {
        let capabilities = Capabilities {
            database_name_prefix: NamePrefix::AccountUsername,
            ..Capabilities::default()
        };
        let panel = PanelHandle::new(Arc::new(
            FakePanel::new(PanelKind::PanelAlpha).with_capabilities(capabilities),
        ));
        let prior = DatabaseUserModel {
            name: Field::text("report"),
            password_wo_version: Field::Known(4),
            ..DatabaseUserModel::default()
        };
        let state = DatabaseUserType::state(&panel, &user(), Some(&prior));
        assert_eq!(state.name.str(), Some("report"));
        assert_eq!(state.full_name.str(), Some("acct_report"));
        assert_eq!(state.password_wo_version, Field::Known(4));
        let imported = DatabaseUserType::state(&panel, &user(), None);
        assert_eq!(imported.name.str(), Some("report"));
        assert!(imported.password_wo_version.is_null());
    }

    #[test]
    fn patches_carry_only_real_changes() {
        let panel = PanelHandle::new(Arc::new(FakePanel::new(PanelKind::PleskRest)));
        let prior = DatabaseUserType::state(&panel, &user(), None);
        let planned = prior.clone();
        let patch = DatabaseUserType::patch(&panel, &prior, &planned, &planned).unwrap();
        assert!(patch.databases.is_none() && patch.password.is_none());
        let mut planned = prior.clone();
        planned.databases = Field::Known(["b".to_owned(), "a".to_owned()].into());
        planned.password_wo_version = Field::Known(2);
        let mut config = planned.clone();
        config.password_wo = Field::text("N3w-Passw0rd");
        let patch = DatabaseUserType::patch(&panel, &prior, &planned, &config).unwrap();
        assert_eq!(patch.databases, Some(vec!["a".to_owned(), "b".to_owned()]));
        assert_eq!(
            patch.password.map(|p| p.expose().to_owned()).as_deref(),
            Some("N3w-Passw0rd")
        );
        assert!(DatabaseUserType::patch(&panel, &prior, &planned, &planned).is_err());
    }
}
