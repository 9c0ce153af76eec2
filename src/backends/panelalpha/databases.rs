//! PanelAlpha MySQL databases and their MySQL users (user API, per hosting account).
//! Names are stored with the account's prefix (`<username>_`); see the module docs in
//! `mod.rs`. Reads are the account's database and MySQL-user lists (the API has no
//! single-database read), each shared by every read of the run until a write.

use std::sync::Arc;

use reqwest::Method;
use serde_json::json;

use super::client::HttpRequest;
use super::error::FieldMap;
use super::wire::{DatabaseItem, DatabaseUserItem, DatabaseUserRequest, ServerAccount};
use super::{
    account_key, account_main, ignore_not_found, mysql_prefix, parse_number, to_json, ObjectId,
    PanelAlphaBackend, Source, Touch, DATABASE_NAME_MAX, DATABASE_USER_MAX, NO_FIELDS,
};
use crate::backends::http::normalize_domain;
use crate::panel::{
    ambiguous_database_name, Database, DatabaseKey, DatabasePatch, DatabaseSpec, ListFilter,
    Locator, NamePrefix, PanelError, PanelErrorKind, PanelResult, Service,
};

const DATABASE_FIELDS: FieldMap = &[("name", "name"), ("database", "name")];
pub(super) const DATABASE_USER_FIELDS: FieldMap = &[
    ("name", "user"),
    ("user", "user"),
    ("password", "password"),
    ("privileges", "user"),
    ("database", "name"),
];

/// Whether the stored name `stored` is the name `written` in configuration or an
/// import id: the stored name itself, or `written` behind the account's `prefix`
/// (when the panel did not say its prefix, behind any `<word>_`).
pub(super) fn names_match(stored: &str, written: &str, prefix: &str) -> bool {
    if stored.eq_ignore_ascii_case(written) {
        return true;
    }
    if prefix.is_empty() {
        return NamePrefix::AccountUsername.matches("", stored, written);
    }
    stored.len() == prefix.len() + written.len()
        && stored
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
        && stored
            .get(prefix.len()..)
            .is_some_and(|rest| rest.eq_ignore_ascii_case(written))
}

/// The stored form of `written`: as is when it carries the prefix already.
pub(super) fn with_prefix(written: &str, prefix: &str) -> String {
    if prefix.is_empty() || written.starts_with(prefix) {
        written.to_owned()
    } else {
        format!("{prefix}{written}")
    }
}

/// Refuses a MySQL name (database or user) whose stored form, `prefix` + `name` unless
/// the name carries the prefix already, exceeds `max` characters.
pub(super) fn check_mysql_name(
    field: &str,
    name: &str,
    prefix: &str,
    max: usize,
) -> PanelResult<()> {
    if name.is_empty() {
        return Err(PanelError::invalid(
            Some(field),
            format!("the {field} is empty"),
        ));
    }
    let stored = if !prefix.is_empty() && name.starts_with(prefix) {
        name.len()
    } else {
        // The shortest prefix a panel can add is `x_`.
        prefix.len().max(2) + name.len()
    };
    if stored > max {
        return Err(PanelError::invalid(
            Some(field),
            format!(
                "{name:?} is stored with the account prefix{} as {stored} characters; \
                 MySQL allows {max}",
                if prefix.is_empty() {
                    String::new()
                } else {
                    format!(" {prefix:?}")
                }
            ),
        ));
    }
    Ok(())
}

/// The name the panel stored, from a create answer (`{"name": ...}`). Without one, the
/// requested name with the account prefix, which is what the panel adds.
pub(super) fn stored_name(answer: &serde_json::Value, requested: &str, prefix: &str) -> String {
    answer
        .get("name")
        .or_else(|| answer.get("database"))
        .or_else(|| answer.get("user"))
        .and_then(serde_json::Value::as_str)
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
        .unwrap_or_else(|| with_prefix(requested, prefix))
}

/// Where a MySQL user name is already taken in an account, and what that means.
struct TakenUser<'a> {
    user: i64,
    account: i64,
    main: Option<&'a str>,
    /// The MySQL user as the panel stores it.
    name: &'a str,
    /// The databases it has access to (none: left behind by a deleted database).
    databases: &'a [String],
}

impl TakenUser<'_> {
    /// The error for a database whose user cannot be created: the user's exact name,
    /// why it is there, what happened to the database (`created`: recorded as partial),
    /// and the exact call that removes it.
    fn error(&self, database: &str, created: bool) -> PanelError {
        let TakenUser {
            user,
            account,
            main,
            name,
            databases,
        } = self;
        let account_named = match main {
            Some(main) => format!("hosting account {account} ({main})"),
            None => format!("hosting account {account}"),
        };
        let outcome = if created {
            format!(
                " The database {database} was created before this was found; it is recorded \
                 in the state as tainted (without its user), and the next apply replaces it."
            )
        } else {
            " Nothing was created.".to_owned()
        };
        let message = if databases.is_empty() {
            format!(
                "the MySQL user {name} already exists in {account_named} and has access to no \
                 database: it was left behind when an earlier database was deleted on the panel \
                 (deleting a database there keeps its MySQL users).{outcome} To use the name \
                 again, delete that MySQL user in PanelAlpha (\"Delete MySQL user\": `DELETE \
                 api/server-accounts/{account}/mysql/users/{name}` as user {user}) and apply \
                 again; or set `user` to another name"
            )
        } else {
            format!(
                "the MySQL user {name} already exists in {account_named} and has access to {}, \
                 so it belongs to another database.{outcome} Set `user` to another name",
                databases.join(", ")
            )
        };
        PanelError::invalid(Some("user"), message)
    }
}

impl PanelAlphaBackend {
    pub(super) async fn database_list(
        &self,
        user: i64,
        account: i64,
    ) -> PanelResult<Arc<Option<Vec<DatabaseItem>>>> {
        self.databases
            .get_or_load(&account_key(user, account), || {
                self.account_list(format!("server-accounts/{account}/mysql/databases"), user)
            })
            .await
    }

    pub(super) async fn database_user_list(
        &self,
        user: i64,
        account: i64,
    ) -> PanelResult<Arc<Option<Vec<DatabaseUserItem>>>> {
        self.database_users
            .get_or_load(&account_key(user, account), || {
                self.account_list(format!("server-accounts/{account}/mysql/users"), user)
            })
            .await
    }

    /// The database `id` names exactly (its stored name), with its user and domain.
    ///
    /// The panel does not say which MySQL user is a database's own: every user with
    /// access is listed alike, and a `panel_database_user` granted the same database is
    /// one of them. So the user is `recorded` (the one state knows, from the create or an
    /// earlier read) while it still has access, and only otherwise the first user with
    /// access (an import, or the recorded user lost its grant).
    async fn read_database(
        &self,
        id: &ObjectId,
        recorded: Option<&str>,
        source: Source,
    ) -> PanelResult<Option<Database>> {
        let list = self.database_list(id.user, id.account).await?;
        let Some(found) = list
            .as_ref()
            .iter()
            .flatten()
            .find(|d| d.database == id.name)
        else {
            return Ok(None);
        };
        let users = self.database_user_list(id.user, id.account).await?;
        let with_access: Vec<&DatabaseUserItem> = users
            .as_ref()
            .iter()
            .flatten()
            .filter(|u| u.databases.iter().any(|d| d == &found.database))
            .collect();
        let user = recorded
            .and_then(|recorded| {
                with_access
                    .iter()
                    .find(|u| u.user.eq_ignore_ascii_case(recorded))
            })
            .or_else(|| with_access.first())
            .map(|u| u.user.clone());
        let domain = self
            .account(id.user, id.account, source)
            .await?
            .as_ref()
            .and_then(account_main);
        Ok(Some(Database {
            id: ObjectId {
                name: found.database.clone(),
                ..id.clone()
            }
            .to_string(),
            name: found.database.clone(),
            owner: id.user.to_string(),
            domain,
            engine: "mysql".to_owned(),
            user,
        }))
    }

    /// That one database, fresh from the panel: its account's lists read again.
    async fn fresh_database(
        &self,
        id: &ObjectId,
        recorded: Option<&str>,
    ) -> PanelResult<Option<Database>> {
        self.forget(Touch::Databases {
            user: id.user,
            account: id.account,
        });
        self.read_database(id, recorded, Source::Own).await
    }

    /// The databases of `account` whose name is `written` (stored, or without the
    /// account prefix).
    async fn databases_named(
        &self,
        user: i64,
        account: &ServerAccount,
        written: &str,
        source: Source,
    ) -> PanelResult<Vec<Database>> {
        let Some(account_id) = account.id else {
            return Ok(Vec::new());
        };
        let prefix = mysql_prefix(Some(account));
        let list = self.database_list(user, account_id).await?;
        let mut out = Vec::new();
        for item in list.as_ref().iter().flatten() {
            if names_match(&item.database, written, &prefix) {
                let id = ObjectId {
                    user,
                    account: account_id,
                    name: item.database.clone(),
                };
                out.extend(self.read_database(&id, None, source).await?);
            }
        }
        Ok(out)
    }

    /// The user's accounts that hold `domain` (all of them when `None`).
    async fn accounts_with_domain(
        &self,
        user: i64,
        domain: Option<&str>,
        source: Source,
    ) -> PanelResult<Vec<ServerAccount>> {
        let accounts = self.accounts_of(user, source).await?;
        let Some(domain) = domain else {
            return Ok(accounts);
        };
        let domain = normalize_domain(domain)?;
        let mut out = Vec::new();
        for account in accounts {
            let holds = account_main(&account).as_deref() == Some(domain.as_str())
                || match account.id {
                    Some(id) => self
                        .domain_list(user, id)
                        .await?
                        .as_ref()
                        .iter()
                        .flatten()
                        .any(|item| super::item_name(item).as_deref() == Some(domain.as_str())),
                    None => false,
                };
            if holds {
                out.push(account);
            }
        }
        Ok(out)
    }

    /// The account a new database goes into: the one holding `domain`, else the
    /// user's first account.
    async fn database_account(
        &self,
        user: i64,
        domain: Option<&str>,
    ) -> PanelResult<ServerAccount> {
        let mut accounts: Vec<ServerAccount> = self
            .accounts_waiting(user)
            .await?
            .into_iter()
            .filter(|a| a.id.is_some())
            .collect();
        accounts.sort_by_key(|a| a.id);
        if accounts.is_empty() {
            return Err(PanelError::invalid(
                Some("owner"),
                format!(
                    "panelalpha user {user} has no hosting account; give the user a plan first"
                ),
            ));
        }
        let Some(domain) = domain else {
            return Ok(accounts.swap_remove(0));
        };
        let holding = self
            .accounts_with_domain(user, Some(domain), Source::Own)
            .await?;
        holding
            .into_iter()
            .filter(|a| a.id.is_some())
            .min_by_key(|a| a.id)
            .ok_or_else(|| {
                PanelError::invalid(
                    Some("domain"),
                    format!("no hosting account of panelalpha user {user} holds {domain}"),
                )
            })
    }

    /// The MySQL user `stored` of an account, when it exists: its databases.
    async fn existing_database_user(
        &self,
        user: i64,
        account: i64,
        stored: &str,
    ) -> PanelResult<Option<Vec<String>>> {
        let users = self.database_user_list(user, account).await?;
        Ok(users
            .as_ref()
            .iter()
            .flatten()
            .find(|u| u.user.eq_ignore_ascii_case(stored))
            .map(|u| u.databases.clone()))
    }

    async fn import_database(&self, id: &str) -> PanelResult<Option<Database>> {
        let parsed = ObjectId::parse_database(id)?;
        let Some(list) = self
            .database_list(parsed.user, parsed.account)
            .await?
            .as_ref()
            .clone()
        else {
            return Ok(None);
        };
        if list.iter().any(|d| d.database == parsed.name) {
            return self.read_database(&parsed, None, Source::Own).await;
        }
        // The name as written in configuration, without the account prefix.
        let account = self
            .account(parsed.user, parsed.account, Source::Own)
            .await?;
        let prefix = mysql_prefix(account.as_ref());
        let matching: Vec<&DatabaseItem> = list
            .iter()
            .filter(|d| names_match(&d.database, &parsed.name, &prefix))
            .collect();
        match matching.as_slice() {
            [] => Ok(None),
            [one] => {
                let id = ObjectId {
                    name: one.database.clone(),
                    ..parsed
                };
                self.read_database(&id, None, Source::Own).await
            }
            several => Err(PanelError::invalid(
                Some("id"),
                format!(
                    "{} databases of hosting account {} match {:?} ({}); import one by its \
                     full name",
                    several.len(),
                    parsed.account,
                    parsed.name,
                    several
                        .iter()
                        .map(|d| d.database.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    }
}

#[async_trait::async_trait]
impl Service<Database> for PanelAlphaBackend {
    async fn create(&self, spec: &DatabaseSpec) -> PanelResult<Database> {
        let engine = spec.engine.to_ascii_lowercase();
        if engine == "postgresql" {
            return Err(PanelError::unsupported(
                "panelalpha offers MySQL databases only; postgresql is not available",
            ));
        }
        if engine != "mysql" {
            return Err(PanelError::invalid(
                Some("engine"),
                format!(
                    "panelalpha offers MySQL databases only, not {:?}",
                    spec.engine
                ),
            ));
        }
        let user = parse_number("owner", &spec.owner)?;
        let credentials = match (&spec.user, &spec.password) {
            (Some(login), Some(password)) => Some((login.as_str(), password.expose())),
            (None, None) => None,
            (Some(_), None) => {
                return Err(PanelError::invalid(
                    Some("password"),
                    "a database user needs a password",
                ))
            }
            (None, Some(_)) => {
                return Err(PanelError::invalid(
                    Some("user"),
                    "a password needs a database user",
                ))
            }
        };
        // Limits that hold whatever the prefix: refused before any request.
        check_mysql_name("name", &spec.name, "", DATABASE_NAME_MAX)?;
        if let Some((login, _)) = credentials {
            check_mysql_name("user", login, "", DATABASE_USER_MAX)?;
        }
        let account = self.database_account(user, spec.domain.as_deref()).await?;
        let account_id = account.id.unwrap_or_default();
        let main = account_main(&account);
        // With the account known, the exact limits (prefix included), still before
        // anything is created.
        let prefix = mysql_prefix(Some(&account));
        check_mysql_name("name", &spec.name, &prefix, DATABASE_NAME_MAX)?;
        if let Some((login, _)) = credentials {
            check_mysql_name("user", login, &prefix, DATABASE_USER_MAX)?;
            // A MySQL user of that name (e.g. left behind by a database deleted on the
            // panel) would fail the user after the database exists: say so first.
            let wanted = with_prefix(login, &prefix);
            let mut taken = self
                .existing_database_user(user, account_id, &wanted)
                .await?;
            if taken.is_some() {
                // Refuse on the panel's word of now, not on a list read earlier.
                self.forget(Touch::Databases {
                    user,
                    account: account_id,
                });
                taken = self
                    .existing_database_user(user, account_id, &wanted)
                    .await?;
            }
            if let Some(databases) = taken {
                let taken = TakenUser {
                    user,
                    account: account_id,
                    main: main.as_deref(),
                    name: &wanted,
                    databases: &databases,
                };
                return Err(taken.error(&with_prefix(&spec.name, &prefix), false));
            }
        }
        let touches = [Touch::Databases {
            user,
            account: account_id,
        }];
        let request = HttpRequest::new(
            Method::POST,
            format!("server-accounts/{account_id}/mysql/databases"),
        )
        .json(json!({ "name": spec.name }));
        let created = self
            .write(request, Some(user), DATABASE_FIELDS, &[], &touches)
            .await?;
        // The panel answers with the name it stored (prefixed); that name is the one
        // every later call uses.
        let stored = stored_name(&created, &spec.name, &prefix);
        let without_user = Database {
            id: ObjectId {
                user,
                account: account_id,
                name: stored.clone(),
            }
            .to_string(),
            name: stored.clone(),
            owner: user.to_string(),
            domain: main.clone(),
            engine: "mysql".to_owned(),
            user: None,
        };
        let Some((login, password)) = credentials else {
            return Ok(without_user);
        };
        let body = DatabaseUserRequest {
            name: login,
            password,
            database: &stored,
        };
        let request = HttpRequest::new(
            Method::POST,
            format!("server-accounts/{account_id}/mysql/users"),
        )
        .json(to_json(&body)?);
        let created_user = match self
            .write(
                request,
                Some(user),
                DATABASE_USER_FIELDS,
                &[password],
                &touches,
            )
            .await
        {
            Ok(answer) => answer,
            Err(error) if error.kind == PanelErrorKind::AlreadyExists => {
                // Taken after all (the list above was older than the panel): name the
                // user and keep the new database.
                let wanted = with_prefix(login, &prefix);
                let databases = self
                    .existing_database_user(user, account_id, &wanted)
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default();
                let taken = TakenUser {
                    user,
                    account: account_id,
                    main: main.as_deref(),
                    name: &wanted,
                    databases: &databases,
                };
                return Err(taken
                    .error(&stored, true)
                    .with_panel(error.panel_code, error.panel_message)
                    .with_partial(without_user));
            }
            Err(error) => return Err(error.with_partial(without_user)),
        };
        let user_name = stored_name(&created_user, login, &prefix);
        // What `database` on user creation grants is undocumented: grant explicitly.
        let request = HttpRequest::new(
            Method::PUT,
            format!("server-accounts/{account_id}/mysql/privileges/{user_name}/{stored}"),
        )
        .json(json!({ "privileges": "ALL PRIVILEGES" }));
        let mut with_user = without_user;
        with_user.user = Some(user_name);
        self.write(request, Some(user), DATABASE_USER_FIELDS, &[], &touches)
            .await
            .map_err(|e| e.with_partial(with_user.clone()))?;
        Ok(with_user)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Database>> {
        self.read_database(
            &ObjectId::parse_database(&at.id)?,
            at.user.as_deref(),
            Source::Shared,
        )
        .await
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<Database>> {
        self.fresh_database(&ObjectId::parse_database(&at.id)?, at.user.as_deref())
            .await
    }

    async fn find(&self, key: &DatabaseKey) -> PanelResult<Option<Database>> {
        let user = parse_number("owner", &key.owner)?;
        let mut matching = Vec::new();
        for account in self
            .accounts_with_domain(user, key.domain.as_deref(), Source::Own)
            .await?
        {
            matching.extend(
                self.databases_named(user, &account, &key.name, Source::Own)
                    .await?,
            );
        }
        matching.sort_by(|a, b| a.id.cmp(&b.id));
        matching.dedup_by(|a, b| a.id == b.id);
        match matching.len() {
            0 | 1 => Ok(matching.pop()),
            _ => {
                let ids: Vec<String> = matching.iter().map(|db| db.id.clone()).collect();
                Err(ambiguous_database_name(&key.owner, &key.name, &ids))
            }
        }
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Database>> {
        let mut out = Vec::new();
        for user in self.listed_owners(filter.owner.as_deref()).await? {
            for account in self.accounts_of(user, Source::Shared).await? {
                let Some(account_id) = account.id else {
                    continue;
                };
                let list = self.database_list(user, account_id).await?;
                for item in list.as_ref().iter().flatten() {
                    let id = ObjectId {
                        user,
                        account: account_id,
                        name: item.database.clone(),
                    };
                    out.extend(self.read_database(&id, None, Source::Shared).await?);
                }
            }
        }
        Ok(out)
    }

    async fn update(&self, at: &Locator, patch: &DatabasePatch) -> PanelResult<Database> {
        let id = ObjectId::parse_database(&at.id)?;
        let current = self
            .fresh_database(&id, at.user.as_deref())
            .await?
            .ok_or_else(|| PanelError::not_found(format!("database {} does not exist", at.id)))?;
        let Some(password) = &patch.password else {
            return Ok(current);
        };
        let login = current.user.clone().ok_or_else(|| {
            PanelError::invalid(
                Some("password"),
                "the database has no user to set a password for",
            )
        })?;
        let request = HttpRequest::new(
            Method::PUT,
            format!("server-accounts/{}/mysql/users/{login}", id.account),
        )
        .json(json!({ "password": password.expose() }));
        let touches = [Touch::Databases {
            user: id.user,
            account: id.account,
        }];
        self.write(
            request,
            Some(id.user),
            DATABASE_USER_FIELDS,
            &[password.expose()],
            &touches,
        )
        .await?;
        self.fresh_database(&id, Some(&login))
            .await?
            .ok_or_else(|| {
                PanelError::not_found(format!("database {} disappeared during the update", at.id))
            })
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let id = ObjectId::parse_database(&at.id)?;
        let touches = [Touch::Databases {
            user: id.user,
            account: id.account,
        }];
        // The panel keeps a database's MySQL users when the database goes (issue 9).
        // The database's own user, the one state records as its `user`, goes with it
        // unless it serves another database too. No other user is ever deleted here: a
        // user whose only database this is may be a `panel_database_user` of its own.
        let users = self.database_user_list(id.user, id.account).await?;
        let own_user = at.user.as_deref().and_then(|recorded| {
            users
                .as_ref()
                .iter()
                .flatten()
                .find(|u| {
                    u.user.eq_ignore_ascii_case(recorded)
                        && u.databases.iter().all(|d| d == &id.name)
                })
                .map(|u| u.user.clone())
        });
        let request = HttpRequest::new(
            Method::DELETE,
            format!("server-accounts/{}/mysql/databases/{}", id.account, id.name),
        );
        ignore_not_found(
            self.write(request, Some(id.user), NO_FIELDS, &[], &touches)
                .await,
        )?;
        if let Some(login) = own_user {
            let request = HttpRequest::new(
                Method::DELETE,
                format!("server-accounts/{}/mysql/users/{login}", id.account),
            );
            ignore_not_found(
                self.write(request, Some(id.user), NO_FIELDS, &[], &touches)
                    .await,
            )?;
        }
        Ok(())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Database>> {
        self.import_database(id).await
    }

    fn import_id(&self, object: &Database) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER_ID/ACCOUNT_ID/NAME, NAME as configured or as the panel stores it (e.g. 12/34/shop \
         or 12/34/user1_shop)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_with_and_without_the_account_prefix() {
        assert!(names_match("ada1_shop", "shop", "ada1_"));
        assert!(names_match("ada1_shop", "ada1_shop", "ada1_"));
        assert!(names_match("ada1_shop", "SHOP", "ada1_"));
        assert!(!names_match("ada1_shop", "hop", "ada1_"));
        assert!(!names_match("ada1_my_shop", "shop", "ada1_"));
        assert!(names_match("ada1_my_shop", "my_shop", "ada1_"));
        // Without a known prefix, the first `_` ends it.
        assert!(names_match("ada1_shop", "shop", ""));
        assert_eq!(with_prefix("shop", "ada1_"), "ada1_shop");
        assert_eq!(with_prefix("ada1_shop", "ada1_"), "ada1_shop");
    }

    #[test]
    fn a_leftover_user_is_named_with_the_call_that_removes_it() {
        let taken = TakenUser {
            user: 12,
            account: 8,
            main: Some("example.com"),
            name: "ada1_shopu",
            databases: &[],
        };
        let error = taken.error("ada1_shop", true);
        assert_eq!(
            error.kind,
            PanelErrorKind::InvalidInput {
                field: Some("user".into())
            }
        );
        assert!(error.message.contains("ada1_shopu"), "{}", error.message);
        assert!(
            error
                .message
                .contains("DELETE api/server-accounts/8/mysql/users/ada1_shopu"),
            "{}",
            error.message
        );
        assert!(error.message.contains("tainted"), "{}", error.message);
        let before = taken.error("ada1_shop", false);
        assert!(before.message.contains("Nothing was created"));
        let databases = ["ada1_other".to_owned()];
        let in_use = TakenUser {
            databases: &databases,
            ..taken
        };
        assert!(in_use
            .error("ada1_shop", false)
            .message
            .contains("ada1_other"));
    }
}
