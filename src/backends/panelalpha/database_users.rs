//! MySQL users on their own (`panel_database_user`): a MySQL user of the hosting
//! account holding its databases (`server-accounts/{id}/mysql/users`), with
//! `ALL PRIVILEGES` on each of them (`…/mysql/privileges/{user}/{database}`, `PUT` to
//! grant, `DELETE` to revoke). Every database of one user must be in one account (the
//! first one's); the id is `USER_ID/ACCOUNT_ID/STORED_NAME`. Reads are the account's
//! MySQL-user list (`{"user": .., "databases": [..]}`), shared with the databases'.
//!
//! Assumption (the reference documents no answers): what `database` on user creation
//! grants is undocumented, so every database is granted explicitly, as for
//! `panel_database.user`.

use reqwest::Method;
use serde_json::json;

use super::client::HttpRequest;
use super::databases::{
    check_mysql_name, names_match, stored_name, with_prefix, DATABASE_USER_FIELDS,
};
use super::wire::DatabaseUserRequest;
use super::{
    ignore_not_found, mysql_prefix, parse_number, to_json, ObjectId, PanelAlphaBackend, Source,
    Touch, DATABASE_USER_MAX, NO_FIELDS,
};
use crate::panel::database_user::database_user_name_problem;
use crate::panel::{
    DatabaseUser, DatabaseUserKey, DatabaseUserPatch, DatabaseUserSpec, ListFilter, Locator,
    PanelError, PanelResult, Service,
};

/// The account and stored database names the `databases` ids name, all in one account
/// of `owner`.
fn granted(owner: i64, databases: &[String]) -> PanelResult<(i64, Vec<String>)> {
    let mut account = None;
    let mut names = Vec::new();
    for id in databases {
        let parsed = ObjectId::parse_database(id)
            .map_err(|e| PanelError::invalid(Some("databases"), e.message))?;
        if parsed.user != owner {
            return Err(PanelError::invalid(
                Some("databases"),
                format!("database {id} does not belong to owner {owner}"),
            ));
        }
        match account {
            None => account = Some(parsed.account),
            Some(first) if first != parsed.account => {
                return Err(PanelError::invalid(
                    Some("databases"),
                    format!(
                        "database {id} is in hosting account {}, the others in {first}: a \
                         panelalpha MySQL user belongs to one hosting account",
                        parsed.account
                    ),
                ))
            }
            Some(_) => {}
        }
        names.push(parsed.name);
    }
    let account = account.ok_or_else(|| {
        PanelError::invalid(Some("databases"), "a database user needs a database")
    })?;
    Ok((account, names))
}

fn database_ids(user: i64, account: i64, names: &[String]) -> Vec<String> {
    let mut ids: Vec<String> = names
        .iter()
        .map(|name| {
            ObjectId {
                user,
                account,
                name: name.clone(),
            }
            .to_string()
        })
        .collect();
    ids.sort();
    ids
}

impl PanelAlphaBackend {
    /// The MySQL user `name` (stored) of one account, from its (cached) list.
    async fn read_database_user(
        &self,
        user: i64,
        account: i64,
        name: &str,
    ) -> PanelResult<Option<DatabaseUser>> {
        let list = self.database_user_list(user, account).await?;
        Ok(list
            .as_ref()
            .iter()
            .flatten()
            .find(|u| u.user == name)
            .map(|u| DatabaseUser {
                id: ObjectId {
                    user,
                    account,
                    name: u.user.clone(),
                }
                .to_string(),
                owner: user.to_string(),
                name: u.user.clone(),
                databases: database_ids(user, account, &u.databases),
            }))
    }

    async fn fresh_database_user(
        &self,
        user: i64,
        account: i64,
        name: &str,
    ) -> PanelResult<Option<DatabaseUser>> {
        self.forget(Touch::Databases { user, account });
        self.read_database_user(user, account, name).await
    }

    async fn grant(&self, user: i64, account: i64, login: &str, database: &str) -> PanelResult<()> {
        let request = HttpRequest::new(
            Method::PUT,
            format!("server-accounts/{account}/mysql/privileges/{login}/{database}"),
        )
        .json(json!({ "privileges": "ALL PRIVILEGES" }));
        self.write(
            request,
            Some(user),
            DATABASE_USER_FIELDS,
            &[],
            &[Touch::Databases { user, account }],
        )
        .await
        .map(|_| ())
    }

    async fn revoke(
        &self,
        user: i64,
        account: i64,
        login: &str,
        database: &str,
    ) -> PanelResult<()> {
        let request = HttpRequest::new(
            Method::DELETE,
            format!("server-accounts/{account}/mysql/privileges/{login}/{database}"),
        );
        ignore_not_found(
            self.write(
                request,
                Some(user),
                NO_FIELDS,
                &[],
                &[Touch::Databases { user, account }],
            )
            .await,
        )
    }
}

#[async_trait::async_trait]
impl Service<DatabaseUser> for PanelAlphaBackend {
    async fn create(&self, spec: &DatabaseUserSpec) -> PanelResult<DatabaseUser> {
        if let Some(problem) = database_user_name_problem(&spec.name) {
            return Err(PanelError::invalid(Some("name"), problem));
        }
        let user = parse_number("owner", &spec.owner)?;
        let (account_id, names) = granted(user, &spec.databases)?;
        check_mysql_name("name", &spec.name, "", DATABASE_USER_MAX)?;
        let account = self
            .account(user, account_id, Source::Own)
            .await?
            .ok_or_else(|| {
                PanelError::invalid(
                    Some("databases"),
                    format!("panelalpha user {user} has no hosting account {account_id}"),
                )
            })?;
        let prefix = mysql_prefix(Some(&account));
        check_mysql_name("name", &spec.name, &prefix, DATABASE_USER_MAX)?;
        let wanted = with_prefix(&spec.name, &prefix);
        if self
            .fresh_database_user(user, account_id, &wanted)
            .await?
            .is_some()
        {
            return Err(PanelError::already_exists(format!(
                "the MySQL user {wanted} already exists in hosting account {account_id}"
            )));
        }
        let first = names.first().cloned().unwrap_or_default();
        let body = DatabaseUserRequest {
            name: &spec.name,
            password: spec.password.expose(),
            database: &first,
        };
        let request = HttpRequest::new(
            Method::POST,
            format!("server-accounts/{account_id}/mysql/users"),
        )
        .json(to_json(&body)?);
        let touches = [Touch::Databases {
            user,
            account: account_id,
        }];
        let answer = self
            .write(
                request,
                Some(user),
                DATABASE_USER_FIELDS,
                &[spec.password.expose()],
                &touches,
            )
            .await?;
        let login = stored_name(&answer, &spec.name, &prefix);
        let mut partial = DatabaseUser {
            id: ObjectId {
                user,
                account: account_id,
                name: login.clone(),
            }
            .to_string(),
            owner: user.to_string(),
            name: login.clone(),
            databases: Vec::new(),
        };
        let mut done = Vec::new();
        for name in &names {
            self.grant(user, account_id, &login, name)
                .await
                .map_err(|e| e.with_partial(partial.clone()))?;
            done.push(name.clone());
            partial.databases = database_ids(user, account_id, &done);
        }
        match self.fresh_database_user(user, account_id, &login).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "POST mysql/users succeeded, but the account's MySQL users list no {login}"
            ))
            .with_partial(partial)),
            Err(e) => Err(e.with_partial(partial)),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<DatabaseUser>> {
        let (user, account, name) = ObjectId::parse(&at.id, "database user")?;
        self.read_database_user(user, account, &name).await
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<DatabaseUser>> {
        let (user, account, name) = ObjectId::parse(&at.id, "database user")?;
        self.fresh_database_user(user, account, &name).await
    }

    /// The name as written (behind the account's prefix) in any of the owner's
    /// accounts, fresh.
    async fn find(&self, key: &DatabaseUserKey) -> PanelResult<Option<DatabaseUser>> {
        let Ok(user) = key.owner.trim().parse::<i64>() else {
            return Ok(None);
        };
        for account in self.accounts_of(user, Source::Own).await? {
            let Some(account_id) = account.id else {
                continue;
            };
            let prefix = mysql_prefix(Some(&account));
            self.forget(Touch::Databases {
                user,
                account: account_id,
            });
            let list = self.database_user_list(user, account_id).await?;
            let stored = list
                .as_ref()
                .iter()
                .flatten()
                .find(|u| names_match(&u.user, &key.name, &prefix))
                .map(|u| u.user.clone());
            if let Some(stored) = stored {
                return self.read_database_user(user, account_id, &stored).await;
            }
        }
        Ok(None)
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<DatabaseUser>> {
        let mut out = Vec::new();
        for user in self.listed_owners(filter.owner.as_deref()).await? {
            for account in self.accounts_of(user, Source::Shared).await? {
                let Some(account_id) = account.id else {
                    continue;
                };
                let list = self.database_user_list(user, account_id).await?;
                for item in list.as_ref().iter().flatten() {
                    out.extend(
                        self.read_database_user(user, account_id, &item.user)
                            .await?,
                    );
                }
            }
        }
        Ok(out)
    }

    async fn update(&self, at: &Locator, patch: &DatabaseUserPatch) -> PanelResult<DatabaseUser> {
        let (user, account, name) = ObjectId::parse(&at.id, "database user")?;
        let current = self
            .fresh_database_user(user, account, &name)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("database user {} is gone", at.id)))?;
        let mut wanted_names = None;
        if let Some(databases) = &patch.databases {
            let (wanted_account, names) = granted(user, databases)?;
            if wanted_account != account {
                return Err(PanelError::invalid(
                    Some("databases"),
                    format!(
                        "the databases are in hosting account {wanted_account}, the user in \
                         {account}: a panelalpha MySQL user cannot move between accounts"
                    ),
                ));
            }
            wanted_names = Some(names);
        }
        if let Some(password) = &patch.password {
            let request = HttpRequest::new(
                Method::PUT,
                format!("server-accounts/{account}/mysql/users/{name}"),
            )
            .json(json!({ "password": password.expose() }));
            self.write(
                request,
                Some(user),
                DATABASE_USER_FIELDS,
                &[password.expose()],
                &[Touch::Databases { user, account }],
            )
            .await?;
        }
        if let Some(names) = wanted_names {
            let held: Vec<String> = current
                .databases
                .iter()
                .filter_map(|id| ObjectId::parse_database(id).ok().map(|p| p.name))
                .collect();
            for database in names.iter().filter(|n| !held.contains(n)) {
                self.grant(user, account, &name, database).await?;
            }
            for database in held.iter().filter(|n| !names.contains(n)) {
                self.revoke(user, account, &name, database).await?;
            }
        }
        self.fresh_database_user(user, account, &name)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("database user {} is gone", at.id)))
    }

    /// Deleting a user already gone succeeds; its databases stay.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (user, account, name) = ObjectId::parse(&at.id, "database user")?;
        let request = HttpRequest::new(
            Method::DELETE,
            format!("server-accounts/{account}/mysql/users/{name}"),
        );
        ignore_not_found(
            self.write(
                request,
                Some(user),
                NO_FIELDS,
                &[],
                &[Touch::Databases { user, account }],
            )
            .await,
        )
    }

    /// `USER_ID/ACCOUNT_ID/NAME`, the name as stored or as written.
    async fn import(&self, id: &str) -> PanelResult<Option<DatabaseUser>> {
        let (user, account_id, name) = ObjectId::parse(id, "database user")?;
        let account = self.account(user, account_id, Source::Own).await?;
        let prefix = mysql_prefix(account.as_ref());
        let list = self.database_user_list(user, account_id).await?;
        let stored = list
            .as_ref()
            .iter()
            .flatten()
            .find(|u| u.user == name)
            .or_else(|| {
                list.as_ref()
                    .iter()
                    .flatten()
                    .find(|u| names_match(&u.user, &name, &prefix))
            })
            .map(|u| u.user.clone());
        match stored {
            Some(stored) => self.read_database_user(user, account_id, &stored).await,
            None => Ok(None),
        }
    }

    fn import_id(&self, object: &DatabaseUser) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER_ID/ACCOUNT_ID/NAME, NAME as configured or as the panel stores it (e.g. \
         12/34/report or 12/34/acct_report)"
    }
}
