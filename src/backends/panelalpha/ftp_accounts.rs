//! FTP accounts of a hosting account (`server-accounts/{id}/ftp-accounts`). The panel's
//! login is `user@domain` (the list's `user`), which also names the account in
//! `PUT`/`DELETE .../ftp-accounts/{user}`; the configured `login` is the part before
//! `@`. The directory is relative to the hosting account's home and cannot be changed
//! after creation (the update takes only quota and password). An account's id is
//! `USER_ID/ACCOUNT_ID/LOGIN@DOMAIN`; a refresh reads the account's shared list.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::HttpRequest;
use super::error::FieldMap;
use super::{account_key, parse_number, ObjectId, PanelAlphaBackend, Source, Touch};
use crate::backends::http::normalize_domain;
use crate::panel::ftp_account::{login_problem, normal_home, reported_home};
use crate::panel::{
    FtpAccount, FtpAccountKey, FtpAccountPatch, FtpAccountSpec, ListFilter, Locator, PanelError,
    PanelResult, Service,
};

const FTP_FIELDS: FieldMap = &[
    ("user", "login"),
    ("password", "password"),
    ("directory", "home"),
    ("domain", "domain"),
];

/// One item of the FTP account list.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub(crate) struct FtpItem {
    #[serde(default)]
    user: String,
    #[serde(default)]
    directory: String,
}

impl FtpItem {
    fn account(&self, user: i64, account: i64) -> Option<FtpAccount> {
        let (login, domain) = self.user.split_once('@')?;
        Some(FtpAccount {
            id: format!("{user}/{account}/{}", self.user),
            owner: user.to_string(),
            domain: domain.to_owned(),
            login: login.to_owned(),
            full_login: self.user.clone(),
            home: reported_home(&self.directory),
        })
    }
}

fn parse_id(id: &str) -> PanelResult<(i64, i64, String)> {
    let (user, account, full) = ObjectId::parse(id, "FTP account")?;
    if !full.contains('@') || full.contains('/') {
        return Err(PanelError::invalid(
            Some("id"),
            format!(
                "panelalpha FTP account ids look like USER_ID/ACCOUNT_ID/LOGIN@DOMAIN, got {id:?}"
            ),
        ));
    }
    Ok((user, account, full))
}

impl PanelAlphaBackend {
    async fn ftp_list(
        &self,
        user: i64,
        account: i64,
    ) -> PanelResult<std::sync::Arc<Option<Vec<FtpItem>>>> {
        self.ftp_accounts
            .get_or_load(&account_key(user, account), || {
                self.account_list(format!("server-accounts/{account}/ftp-accounts"), user)
            })
            .await
    }

    async fn ftp_accounts_of(&self, user: i64, account: i64) -> PanelResult<Vec<FtpAccount>> {
        Ok(self
            .ftp_list(user, account)
            .await?
            .as_ref()
            .iter()
            .flatten()
            .filter_map(|item| item.account(user, account))
            .collect())
    }

    async fn ftp_account_in(
        &self,
        user: i64,
        account: i64,
        full: &str,
    ) -> PanelResult<Option<FtpAccount>> {
        Ok(self
            .ftp_accounts_of(user, account)
            .await?
            .into_iter()
            .find(|a| a.full_login.eq_ignore_ascii_case(full)))
    }

    async fn ftp_account_fresh(&self, id: &str) -> PanelResult<Option<FtpAccount>> {
        let (user, account, full) = parse_id(id)?;
        self.forget(Touch::FtpAccounts { user, account });
        self.ftp_account_in(user, account, &full).await
    }
}

#[async_trait::async_trait]
impl Service<FtpAccount> for PanelAlphaBackend {
    async fn create(&self, spec: &FtpAccountSpec) -> PanelResult<FtpAccount> {
        if let Some(problem) = login_problem(&spec.login) {
            return Err(PanelError::invalid(Some("login"), problem));
        }
        if spec.login.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(PanelError::invalid(
                Some("login"),
                "panelalpha stores FTP logins in lowercase; write the login in lowercase",
            ));
        }
        let home = normal_home(&spec.home).map_err(|p| PanelError::invalid(Some("home"), p))?;
        let user = parse_number("owner", &spec.owner)?;
        let domain = normalize_domain(&spec.domain)
            .map_err(|e| PanelError::invalid(Some("domain"), e.message))?;
        let accounts = self.accounts_of(user, Source::Own).await?;
        let account = self
            .account_holding(user, &accounts, &domain, "domain")
            .await?;
        let request = HttpRequest::new(
            Method::POST,
            format!("server-accounts/{account}/ftp-accounts"),
        )
        .json(json!({
            "user": spec.login,
            "domain": domain,
            "password": spec.password.expose(),
            "directory": format!("/{home}"),
        }));
        let touches = [Touch::FtpAccounts { user, account }];
        self.write(
            request,
            Some(user),
            FTP_FIELDS,
            &[spec.password.expose()],
            &touches,
        )
        .await?;
        let full = format!("{}@{domain}", spec.login);
        match self.ftp_account_in(user, account, &full).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "the panel accepted FTP account {full}, but hosting account {account} does not \
                 list it"
            ))
            .maybe_done()),
            Err(e) => Err(e.maybe_done()),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<FtpAccount>> {
        let (user, account, full) = parse_id(&at.id)?;
        self.ftp_account_in(user, account, &full).await
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<FtpAccount>> {
        self.ftp_account_fresh(&at.id).await
    }

    async fn find(&self, key: &FtpAccountKey) -> PanelResult<Option<FtpAccount>> {
        let Ok(user) = key.owner.trim().parse::<i64>() else {
            return Ok(None);
        };
        for account in self.accounts_of(user, Source::Own).await? {
            let Some(account) = account.id else {
                continue;
            };
            let found = self
                .ftp_accounts_of(user, account)
                .await?
                .into_iter()
                .find(|a| key.matches(a));
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<FtpAccount>> {
        let mut out = Vec::new();
        for (user, account) in self.listed_accounts(filter.owner.as_deref()).await? {
            out.extend(self.ftp_accounts_of(user, account).await?);
        }
        Ok(out)
    }

    async fn update(&self, at: &Locator, patch: &FtpAccountPatch) -> PanelResult<FtpAccount> {
        if patch.home.is_some() {
            return Err(PanelError::invalid(
                Some("home"),
                "panelalpha cannot change an FTP account's directory after creation",
            ));
        }
        let (user, account, full) = parse_id(&at.id)?;
        if let Some(password) = &patch.password {
            let request = HttpRequest::new(
                Method::PUT,
                format!("server-accounts/{account}/ftp-accounts/{full}"),
            )
            .json(json!({"password": password.expose()}));
            let touches = [Touch::FtpAccounts { user, account }];
            self.write(
                request,
                Some(user),
                FTP_FIELDS,
                &[password.expose()],
                &touches,
            )
            .await?;
        }
        self.ftp_account_fresh(&at.id).await?.ok_or_else(|| {
            PanelError::not_found(format!("panelalpha FTP account {} is gone", at.id))
        })
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (user, account, full) = parse_id(&at.id)?;
        let request = HttpRequest::new(
            Method::DELETE,
            format!("server-accounts/{account}/ftp-accounts/{full}"),
        );
        let touches = [Touch::FtpAccounts { user, account }];
        match self
            .write(request, Some(user), FTP_FIELDS, &[], &touches)
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(drop),
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<FtpAccount>> {
        self.ftp_account_fresh(id).await
    }

    fn import_id(&self, object: &FtpAccount) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER_ID/ACCOUNT_ID/LOGIN@DOMAIN (e.g. 3/7/deploy@example.com)"
    }
}
