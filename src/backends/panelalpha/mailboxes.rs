//! Email accounts of a hosting account (`server-accounts/{id}/email/accounts`,
//! endpoints.json #288-292): created with `email`, `password`, `domain`, `quota` (MB)
//! and `unlimited_quota`, changed with `PUT .../{email}` (`quota` required, `password`
//! optional), deleted by address; listed as `{email, disk_usage, disk_quota}` with the
//! quota in MB or `"unlimited"` (the vendor's integration template). The API has no
//! suspension (capability `mailbox_suspend` is false). A mailbox's id is
//! `USER_ID/ACCOUNT_ID/ADDRESS`; a refresh reads the account's shared list.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::client::HttpRequest;
use super::error::FieldMap;
use super::{account_key, parse_number, ObjectId, PanelAlphaBackend, Source, Touch};
use crate::backends::http::normalize_domain;
use crate::panel::mailbox::local_part_problem;
use crate::panel::{
    ListFilter, Locator, Mailbox, MailboxKey, MailboxPatch, MailboxSpec, PanelError, PanelResult,
    Service,
};

const MAIL_FIELDS: FieldMap = &[
    ("email", "name"),
    ("password", "password"),
    ("quota", "quota"),
    ("unlimited_quota", "quota"),
    ("domain", "domain"),
];

/// One item of the email account list.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub(crate) struct MailboxItem {
    #[serde(default)]
    email: String,
    #[serde(default)]
    disk_quota: Value,
}

impl MailboxItem {
    fn mailbox(&self, user: i64, account: i64) -> Option<Mailbox> {
        let address = self.email.to_ascii_lowercase();
        let (name, domain) = address.rsplit_once('@')?;
        let quota_mb = match &self.disk_quota {
            Value::Number(n) => n.as_u64().filter(|q| *q > 0),
            Value::String(s) => s.trim().parse::<u64>().ok().filter(|q| *q > 0),
            _ => None,
        };
        Some(Mailbox {
            id: format!("{user}/{account}/{address}"),
            owner: user.to_string(),
            domain: domain.to_owned(),
            name: name.to_owned(),
            quota_mb,
            suspended: false,
        })
    }
}

fn parse_id(id: &str) -> PanelResult<(i64, i64, String)> {
    let (user, account, address) = ObjectId::parse(id, "mailbox")?;
    if !address.contains('@') || address.contains('/') {
        return Err(PanelError::invalid(
            Some("id"),
            format!("panelalpha mailbox ids look like USER_ID/ACCOUNT_ID/ADDRESS, got {id:?}"),
        ));
    }
    Ok((user, account, address.to_ascii_lowercase()))
}

fn no_suspension() -> PanelError {
    PanelError::invalid(
        Some("suspended"),
        "panelalpha cannot suspend a mailbox (its email account API takes only quota and \
         password)",
    )
    .nothing_done()
}

impl PanelAlphaBackend {
    async fn mailboxes_of(&self, user: i64, account: i64) -> PanelResult<Vec<Mailbox>> {
        let list = self
            .mailboxes
            .get_or_load(&account_key(user, account), || {
                self.account_list(format!("server-accounts/{account}/email/accounts"), user)
            })
            .await?;
        Ok(list
            .as_ref()
            .iter()
            .flatten()
            .filter_map(|item: &MailboxItem| item.mailbox(user, account))
            .collect())
    }

    async fn mailbox_in(
        &self,
        user: i64,
        account: i64,
        address: &str,
    ) -> PanelResult<Option<Mailbox>> {
        Ok(self
            .mailboxes_of(user, account)
            .await?
            .into_iter()
            .find(|m| m.address().eq_ignore_ascii_case(address)))
    }

    async fn mailbox_fresh(&self, id: &str) -> PanelResult<Option<Mailbox>> {
        let (user, account, address) = parse_id(id)?;
        self.forget(Touch::Mailboxes { user, account });
        self.mailbox_in(user, account, &address).await
    }
}

#[async_trait::async_trait]
impl Service<Mailbox> for PanelAlphaBackend {
    async fn create(&self, spec: &MailboxSpec) -> PanelResult<Mailbox> {
        if let Some(problem) = local_part_problem(&spec.name) {
            return Err(PanelError::invalid(Some("name"), problem));
        }
        if spec.suspended {
            return Err(no_suspension());
        }
        let user = parse_number("owner", &spec.owner)?;
        let domain = normalize_domain(&spec.domain)
            .map_err(|e| PanelError::invalid(Some("domain"), e.message))?;
        let accounts = self.accounts_of(user, Source::Own).await?;
        let account = self
            .account_holding(user, &accounts, &domain, "domain")
            .await?;
        let address = format!("{}@{domain}", spec.name);
        let request = HttpRequest::new(
            Method::POST,
            format!("server-accounts/{account}/email/accounts"),
        )
        .json(json!({
            "email": address,
            "password": spec.password.expose(),
            "domain": domain,
            "quota": spec.quota_mb.unwrap_or(0),
            "unlimited_quota": spec.quota_mb.is_none(),
        }));
        let touches = [Touch::Mailboxes { user, account }];
        self.write(
            request,
            Some(user),
            MAIL_FIELDS,
            &[spec.password.expose()],
            &touches,
        )
        .await?;
        match self.mailbox_in(user, account, &address).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "the panel accepted mailbox {address}, but hosting account {account} does not \
                 list it"
            ))
            .maybe_done()),
            Err(e) => Err(e.maybe_done()),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Mailbox>> {
        let (user, account, address) = parse_id(&at.id)?;
        self.mailbox_in(user, account, &address).await
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<Mailbox>> {
        self.mailbox_fresh(&at.id).await
    }

    async fn find(&self, key: &MailboxKey) -> PanelResult<Option<Mailbox>> {
        let Ok(user) = key.owner.trim().parse::<i64>() else {
            return Ok(None);
        };
        for account in self.accounts_of(user, Source::Own).await? {
            let Some(account) = account.id else {
                continue;
            };
            let found = self
                .mailboxes_of(user, account)
                .await?
                .into_iter()
                .find(|m| key.matches(m));
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Mailbox>> {
        let mut out = Vec::new();
        for (user, account) in self.listed_accounts(filter.owner.as_deref()).await? {
            out.extend(self.mailboxes_of(user, account).await?);
        }
        Ok(out)
    }

    /// One `PUT` with the quota (required by the API: the current one when it does not
    /// change) and the new password, if any.
    async fn update(&self, at: &Locator, patch: &MailboxPatch) -> PanelResult<Mailbox> {
        if patch.suspended == Some(true) {
            return Err(no_suspension());
        }
        let (user, account, address) = parse_id(&at.id)?;
        if patch.password.is_some() || patch.quota_mb.is_some() {
            let quota = match patch.quota_mb {
                Some(quota) => quota,
                None => {
                    self.mailbox_fresh(&at.id)
                        .await?
                        .ok_or_else(|| {
                            PanelError::not_found(format!("panelalpha mailbox {} is gone", at.id))
                        })?
                        .quota_mb
                }
            };
            let mut body = json!({"quota": quota.unwrap_or(0)});
            if let Some(password) = &patch.password {
                body["password"] = json!(password.expose());
            }
            let request = HttpRequest::new(
                Method::PUT,
                format!("server-accounts/{account}/email/accounts/{address}"),
            )
            .json(body);
            let secrets: Vec<&str> = patch.password.iter().map(|p| p.expose()).collect();
            let touches = [Touch::Mailboxes { user, account }];
            self.write(request, Some(user), MAIL_FIELDS, &secrets, &touches)
                .await?;
        }
        self.mailbox_fresh(&at.id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("panelalpha mailbox {} is gone", at.id)))
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (user, account, address) = parse_id(&at.id)?;
        let request = HttpRequest::new(
            Method::DELETE,
            format!("server-accounts/{account}/email/accounts/{address}"),
        );
        let touches = [Touch::Mailboxes { user, account }];
        match self
            .write(request, Some(user), MAIL_FIELDS, &[], &touches)
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(drop),
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Mailbox>> {
        self.mailbox_fresh(id).await
    }

    fn import_id(&self, object: &Mailbox) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER_ID/ACCOUNT_ID/ADDRESS (e.g. 3/7/info@example.com)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_read_quotas_in_either_shape() {
        let item = MailboxItem {
            email: "Info@Example.com".into(),
            disk_quota: json!("unlimited"),
        };
        let m = item.mailbox(3, 7).unwrap();
        assert_eq!(m.id, "3/7/info@example.com");
        assert_eq!(
            (m.name.as_str(), m.domain.as_str()),
            ("info", "example.com")
        );
        assert_eq!(m.quota_mb, None);
        let item = MailboxItem {
            email: "a@b.c".into(),
            disk_quota: json!(100),
        };
        assert_eq!(item.mailbox(3, 7).unwrap().quota_mb, Some(100));
        assert!(parse_id("3/7/nope").is_err());
    }
}
