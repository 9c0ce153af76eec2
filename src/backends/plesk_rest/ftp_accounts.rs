//! Additional FTP accounts of a subscription (`/ftpusers`). The login is unique on the
//! server and is the account's id (and the path of `PUT`/`DELETE /ftpusers/{name}`).
//! `FtpUser` names no owner, only its `parent_domain` id: the owner is the locator's
//! when that owner's domain list (shared, cached) holds the domain, else the panel's
//! (`GET /domains/{id}/client`). A refresh reads one shared `GET /ftpusers`; a read
//! after a change reads the one account (`GET /ftpusers?name=`).

use reqwest::Method;

use super::client::HttpRequest;
use super::error::FieldMap;
use super::wire::{FtpUser, FtpUserRequest, FtpUserUpdateRequest};
use super::{ignore_not_found, parse_number, to_json, PleskRestBackend, Touched};
use crate::backends::http::normalize_domain;
use crate::panel::ftp_account::{login_problem, normal_home, reported_home};
use crate::panel::{
    FtpAccount, FtpAccountKey, FtpAccountPatch, FtpAccountSpec, ListFilter, Locator, PanelError,
    PanelResult, Service,
};

const FTP_FIELDS: FieldMap = &[
    ("name", "login"),
    ("password", "password"),
    ("home", "home"),
    ("parent_domain", "domain"),
];

impl Touched {
    fn ftp_users() -> Self {
        Self {
            ftp_users: true,
            ..Self::default()
        }
    }
}

/// A home as `FtpUser.home` takes it: below the subscription's home, with a leading `/`.
fn wire_home(home: &str) -> String {
    format!("/{home}")
}

impl PleskRestBackend {
    /// `read` over every additional FTP account (`GET /ftpusers`, shared by the run).
    async fn with_ftp_users<R>(&self, read: impl FnOnce(&[FtpUser]) -> R) -> PanelResult<R> {
        self.ftp_users
            .read(
                || async {
                    self.read::<Vec<FtpUser>>(HttpRequest::get("ftpusers"))
                        .await
                },
                |list| read(list),
            )
            .await
    }

    /// One account, fresh (`GET /ftpusers?name=`; 404 when there is none).
    async fn read_ftp_user(&self, login: &str) -> PanelResult<Option<FtpUser>> {
        let request = HttpRequest::get("ftpusers").query("name", login);
        let list: Option<Vec<FtpUser>> = self.read_optional(request).await?;
        Ok(list
            .unwrap_or_default()
            .into_iter()
            .find(|u| u.name == login))
    }

    /// The account `user` as the panel layer knows it: its domain's name and owner,
    /// `owner_hint` first. `None` when its domain is gone.
    async fn ftp_account_of(
        &self,
        user: &FtpUser,
        owner_hint: Option<i64>,
    ) -> PanelResult<Option<FtpAccount>> {
        let Some(domain_id) = user.parent_domain else {
            return Ok(None);
        };
        let mut owners = Vec::new();
        owners.extend(owner_hint);
        for round in 0..2 {
            if round == 1 {
                match self.owner_of_domain(domain_id).await? {
                    Some(owner) if Some(owner) != owner_hint => owners = vec![owner],
                    _ => return Ok(None),
                }
            }
            for owner in &owners {
                let domains = self.owner_domains(*owner).await?;
                if let Some(record) = domains.as_ref().as_ref().and_then(|d| d.get(domain_id)) {
                    return Ok(Some(FtpAccount {
                        id: user.name.clone(),
                        owner: owner.to_string(),
                        domain: record.name.clone(),
                        login: user.name.clone(),
                        full_login: user.name.clone(),
                        home: reported_home(&user.home),
                    }));
                }
            }
        }
        Ok(None)
    }

    fn owner_hint(at: &Locator) -> Option<i64> {
        at.owner.as_deref().and_then(|o| o.trim().parse().ok())
    }
}

#[async_trait::async_trait]
impl Service<FtpAccount> for PleskRestBackend {
    async fn create(&self, spec: &FtpAccountSpec) -> PanelResult<FtpAccount> {
        if let Some(problem) = login_problem(&spec.login) {
            return Err(PanelError::invalid(Some("login"), problem));
        }
        let home = normal_home(&spec.home).map_err(|p| PanelError::invalid(Some("home"), p))?;
        let owner = parse_number("owner", &spec.owner)?;
        let domain = normalize_domain(&spec.domain)
            .map_err(|e| PanelError::invalid(Some("domain"), e.message))?;
        let (record, _) = self.owned_domain(owner, &domain, "domain").await?;
        let body = FtpUserRequest {
            name: &spec.login,
            password: spec.password.expose(),
            home: wire_home(&home),
            parent_domain: record.reference(),
        };
        let request = HttpRequest::new(Method::POST, "ftpusers").json(to_json(&body)?);
        self.write(
            request,
            FTP_FIELDS,
            &[spec.password.expose()],
            Touched::ftp_users(),
        )
        .await?;
        let read = match self.read_ftp_user(&spec.login).await {
            Ok(Some(user)) => self.ftp_account_of(&user, Some(owner)).await,
            Ok(None) => Ok(None),
            Err(e) => Err(e),
        };
        match read {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "POST ftpusers succeeded, but GET ftpusers?name={} finds no account of {domain}",
                spec.login
            ))
            .maybe_done()),
            Err(e) => Err(e.maybe_done()),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<FtpAccount>> {
        let login = at.id.trim();
        let Some(user) = self
            .with_ftp_users(|list| list.iter().find(|u| u.name == login).cloned())
            .await?
        else {
            return Ok(None);
        };
        self.ftp_account_of(&user, Self::owner_hint(at)).await
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<FtpAccount>> {
        match self.read_ftp_user(at.id.trim()).await? {
            Some(user) => self.ftp_account_of(&user, Self::owner_hint(at)).await,
            None => Ok(None),
        }
    }

    /// The login, if it is an account of `key.domain` of `key.owner` (logins are
    /// unique on the server; one of another domain or owner is not this key's).
    async fn find(&self, key: &FtpAccountKey) -> PanelResult<Option<FtpAccount>> {
        let Ok(owner) = key.owner.trim().parse::<i64>() else {
            return Ok(None);
        };
        let Some(user) = self.read_ftp_user(&key.login).await? else {
            return Ok(None);
        };
        let found = self.ftp_account_of(&user, Some(owner)).await?;
        Ok(found.filter(|account| key.matches(account)))
    }

    /// One owner's accounts (those of that owner's domains); without an owner, every
    /// account whose domain still exists.
    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<FtpAccount>> {
        let users = self.with_ftp_users(<[FtpUser]>::to_vec).await?;
        let hint = match &filter.owner {
            Some(owner) => match owner.trim().parse::<i64>() {
                Ok(owner) => Some(owner),
                Err(_) => return Ok(Vec::new()),
            },
            None => None,
        };
        let mut accounts = Vec::new();
        for user in &users {
            if let Some(account) = self.ftp_account_of(user, hint).await? {
                if filter.owner.as_ref().is_none_or(|o| &account.owner == o) {
                    accounts.push(account);
                }
            }
        }
        Ok(accounts)
    }

    async fn update(&self, at: &Locator, patch: &FtpAccountPatch) -> PanelResult<FtpAccount> {
        let login = at.id.trim();
        let home = patch
            .home
            .as_deref()
            .map(|h| normal_home(h).map_err(|p| PanelError::invalid(Some("home"), p)))
            .transpose()?;
        let body = FtpUserUpdateRequest {
            password: patch.password.as_ref().map(|p| p.expose()),
            home: home.as_deref().map(wire_home),
        };
        if body.password.is_some() || body.home.is_some() {
            let secrets: Vec<&str> = body.password.into_iter().collect();
            let request =
                HttpRequest::new(Method::PUT, format!("ftpusers/{login}")).json(to_json(&body)?);
            self.write(request, FTP_FIELDS, &secrets, Touched::ftp_users())
                .await?;
        }
        self.read_back(at)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("plesk FTP user {login} is gone")))
    }

    /// Deleting an account already gone succeeds.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let login = at.id.trim();
        let request = HttpRequest::new(Method::DELETE, format!("ftpusers/{login}"));
        ignore_not_found(
            self.write(request, FTP_FIELDS, &[], Touched::ftp_users())
                .await,
        )
    }

    async fn import(&self, id: &str) -> PanelResult<Option<FtpAccount>> {
        let login = id.trim();
        if login_problem(login).is_some() {
            return Err(PanelError::invalid(
                Some("id"),
                format!("plesk FTP account ids are the FTP login (e.g. deploy), got {id:?}"),
            ));
        }
        match self.read_ftp_user(login).await? {
            Some(user) => self.ftp_account_of(&user, None).await,
            None => Ok(None),
        }
    }

    fn import_id(&self, object: &FtpAccount) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "the FTP login (e.g. deploy)"
    }
}
