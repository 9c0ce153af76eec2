//! Additional FTP accounts of a subscription through the `ftp-user` operator
//! (`add`/`get`/`set`/`del`, filtered by name). An account belongs to a webspace
//! (`webspace-id`), so `domain` names a subscription; its owner is the subscription's.
//! The login is unique on the server and is the account's id. A read is one
//! `ftp-user get` by name (plus the shared subscription list).

use crate::panel::ftp_account::{login_problem, normal_home, reported_home};
use crate::panel::{
    FtpAccount, FtpAccountKey, FtpAccountPatch, FtpAccountSpec, ListFilter, Locator, PanelError,
    PanelResult, Service,
};

use super::wire::{self, FtpUserRecord};
use super::{not_found_is_none, records, Place, PleskXmlBackend, Touches};

/// FTP users are in none of the backend's caches.
const NOTHING: Touches = Touches {
    customers: false,
    domains: false,
    databases: false,
};

/// A home as `ftp-user` takes it: below the subscription's home, with a leading `/`.
fn wire_home(home: &str) -> String {
    format!("/{home}")
}

impl PleskXmlBackend {
    /// One FTP user by login; `None` when there is none.
    async fn ftp_user(&self, login: &str) -> PanelResult<Option<FtpUserRecord>> {
        let packet = self.read(&wire::ftp_user_get(login)).await?;
        Ok(first_data_record(&packet)?.filter(|u| u.name == login))
    }

    /// The account `user` is: its subscription's name and owner. `None` when the
    /// subscription is gone.
    async fn ftp_account_of(&self, user: &FtpUserRecord) -> PanelResult<Option<FtpAccount>> {
        let table = self.site_table().await?;
        let Some(webspace) = table.webspace(&user.webspace_id) else {
            return Ok(None);
        };
        let owner = self.listed_owner(webspace).await?;
        Ok(Some(FtpAccount {
            id: user.name.clone(),
            owner,
            domain: webspace.name.clone(),
            login: user.name.clone(),
            full_login: user.name.clone(),
            home: reported_home(&user.home),
        }))
    }

    async fn ftp_account(&self, login: &str) -> PanelResult<Option<FtpAccount>> {
        match self.ftp_user(login).await? {
            Some(user) => self.ftp_account_of(&user).await,
            None => Ok(None),
        }
    }
}

/// The record of a `ftp-user get` answer, if one carries data; "no such user" is `None`.
fn first_data_record(packet: &wire::Element) -> PanelResult<Option<FtpUserRecord>> {
    let op = "ftp-user get";
    for result in wire::results(packet, "ftp-user", "get", 0)? {
        if let Some(result) = not_found_is_none(wire::ok_result(result, op))? {
            if let Some(record) = wire::ftp_user_record(result) {
                return Ok(Some(record));
            }
        }
    }
    Ok(None)
}

#[async_trait::async_trait]
impl Service<FtpAccount> for PleskXmlBackend {
    async fn create(&self, spec: &FtpAccountSpec) -> PanelResult<FtpAccount> {
        if let Some(problem) = login_problem(&spec.login) {
            return Err(PanelError::invalid(Some("login"), problem));
        }
        let home = normal_home(&spec.home).map_err(|p| PanelError::invalid(Some("home"), p))?;
        let domain = crate::backends::http::normalize_domain(&spec.domain)
            .map_err(|e| PanelError::invalid(Some("domain"), e.message))?;
        let table = self.site_table().await?;
        let webspace = match table.by_name.get(&domain) {
            Some(Place::Webspace(i)) => table.webspaces[*i].clone(),
            Some(Place::Site(_)) => {
                return Err(PanelError::invalid(
                    Some("domain"),
                    format!(
                        "{domain} is a site inside a subscription; the Plesk XML API attaches \
                         FTP accounts to subscriptions, so name the subscription"
                    ),
                ))
            }
            None => {
                return Err(PanelError::invalid(
                    Some("domain"),
                    format!("no subscription {domain} on this Plesk"),
                ))
            }
        };
        if self.listed_owner(&webspace).await? != spec.owner {
            return Err(PanelError::invalid(
                Some("domain"),
                format!(
                    "subscription {domain} does not belong to user {}",
                    spec.owner
                ),
            ));
        }
        let body = wire::ftp_user_add(&webspace.id, &spec.login, &spec.password, &wire_home(&home));
        let packet = self.write(&body, &[&spec.password], NOTHING).await?;
        wire::single_result(&packet, "ftp-user", "add")?;
        match self.ftp_account(&spec.login).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "ftp-user add succeeded, but ftp-user get finds no {}",
                spec.login
            ))
            .maybe_done()),
            Err(e) => Err(e.maybe_done()),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<FtpAccount>> {
        let login = at.id.trim();
        if login_problem(login).is_some() {
            return Ok(None);
        }
        self.ftp_account(login).await
    }

    /// The login, if it is an account of `key.domain` of `key.owner`.
    async fn find(&self, key: &FtpAccountKey) -> PanelResult<Option<FtpAccount>> {
        if login_problem(&key.login).is_some() {
            return Ok(None);
        }
        Ok(self
            .ftp_account(&key.login)
            .await?
            .filter(|account| key.matches(account)))
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<FtpAccount>> {
        let packet = self.read(&wire::ftp_user_get_all()).await?;
        let users = records(&packet, "ftp-user", "get", wire::ftp_user_record)?;
        let mut out = Vec::new();
        for user in &users {
            if let Some(account) = self.ftp_account_of(user).await? {
                if filter.owner.as_ref().is_none_or(|o| &account.owner == o) {
                    out.push(account);
                }
            }
        }
        Ok(out)
    }

    async fn update(&self, at: &Locator, patch: &FtpAccountPatch) -> PanelResult<FtpAccount> {
        let login = at.id.trim();
        let home = patch
            .home
            .as_deref()
            .map(|h| normal_home(h).map_err(|p| PanelError::invalid(Some("home"), p)))
            .transpose()?;
        if patch.password.is_some() || home.is_some() {
            let body = wire::ftp_user_set(
                login,
                patch.password.as_ref(),
                home.as_deref().map(wire_home).as_deref(),
            );
            let secrets: Vec<_> = patch.password.iter().collect();
            let packet = self.write(&body, &secrets, NOTHING).await?;
            wire::single_result(&packet, "ftp-user", "set")?;
        }
        self.ftp_account(login)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("plesk FTP user {login} is gone")))
    }

    /// Deleting an account already gone succeeds.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let login = at.id.trim();
        let packet = self.write(&wire::ftp_user_del(login), &[], NOTHING).await?;
        match wire::single_result(&packet, "ftp-user", "del") {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(drop),
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<FtpAccount>> {
        let login = id.trim();
        if login_problem(login).is_some() {
            return Err(PanelError::invalid(
                Some("id"),
                format!("plesk FTP account ids are the FTP login (e.g. deploy), got {id:?}"),
            ));
        }
        self.ftp_account(login).await
    }

    fn import_id(&self, object: &FtpAccount) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "the FTP login (e.g. deploy)"
    }
}
