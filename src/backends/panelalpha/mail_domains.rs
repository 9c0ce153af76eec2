//! Email domains of a hosting account (`GET server-accounts/{id}/email/domains`,
//! endpoints.json #287; an item is `{domain, details}` as in the vendor's integration
//! template). The API only lists them: every domain of a hosting account receives
//! mail, so mail can be neither switched on nor off (capability `mail_domain_switch`
//! is false and the resource refuses a create at plan time). A destroy only forgets
//! the domain: its mail stays on while the domain exists. An email domain's id is
//! `USER_ID/ACCOUNT_ID/DOMAIN`; a refresh reads the account's shared list.

use serde::Deserialize;

use super::{account_key, ObjectId, PanelAlphaBackend, Source};
use crate::backends::http::normalize_domain;
use crate::panel::{
    ListFilter, Locator, MailDomain, MailDomainKey, MailDomainPatch, MailDomainSpec, PanelError,
    PanelResult, Service,
};

/// One item of the email domain list.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub(crate) struct MailDomainItem {
    #[serde(default)]
    domain: String,
}

impl MailDomainItem {
    fn mail_domain(&self, user: i64, account: i64) -> Option<MailDomain> {
        let name = normalize_domain(&self.domain).ok()?;
        Some(MailDomain {
            id: format!("{user}/{account}/{name}"),
            owner: user.to_string(),
            domain: name,
        })
    }
}

fn cannot_switch(domain: &str) -> PanelError {
    PanelError::invalid(
        Some("domain"),
        format!(
            "panelalpha cannot switch mail on for {domain}: every domain of a hosting \
             account receives mail and the API only lists email domains; import it instead"
        ),
    )
    .nothing_done()
}

impl PanelAlphaBackend {
    async fn mail_domains_of(&self, user: i64, account: i64) -> PanelResult<Vec<MailDomain>> {
        let list = self
            .mail_domains
            .get_or_load(&account_key(user, account), || {
                self.account_list(format!("server-accounts/{account}/email/domains"), user)
            })
            .await?;
        Ok(list
            .as_ref()
            .iter()
            .flatten()
            .filter_map(|item: &MailDomainItem| item.mail_domain(user, account))
            .collect())
    }

    async fn mail_domain_in(
        &self,
        user: i64,
        account: i64,
        name: &str,
    ) -> PanelResult<Option<MailDomain>> {
        Ok(self
            .mail_domains_of(user, account)
            .await?
            .into_iter()
            .find(|m| m.domain == name))
    }

    async fn mail_domain_fresh(&self, id: &str) -> PanelResult<Option<MailDomain>> {
        let place = ObjectId::parse_domain(id)?;
        self.mail_domains
            .invalidate(&account_key(place.user, place.account));
        self.mail_domain_in(place.user, place.account, &place.name)
            .await
    }
}

#[async_trait::async_trait]
impl Service<MailDomain> for PanelAlphaBackend {
    /// Reached only when the plan-time refusal was bypassed: the engine found no email
    /// domain of that name (an existing one is reported for import before this).
    async fn create(&self, spec: &MailDomainSpec) -> PanelResult<MailDomain> {
        Err(cannot_switch(&spec.domain))
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<MailDomain>> {
        let place = ObjectId::parse_domain(&at.id)?;
        self.mail_domain_in(place.user, place.account, &place.name)
            .await
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<MailDomain>> {
        self.mail_domain_fresh(&at.id).await
    }

    async fn find(&self, key: &MailDomainKey) -> PanelResult<Option<MailDomain>> {
        let Ok(user) = key.owner.trim().parse::<i64>() else {
            return Ok(None);
        };
        for account in self.accounts_of(user, Source::Own).await? {
            let Some(account) = account.id else {
                continue;
            };
            let found = self
                .mail_domains_of(user, account)
                .await?
                .into_iter()
                .find(|m| key.matches(m));
            if found.is_some() {
                return Ok(found);
            }
        }
        Ok(None)
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<MailDomain>> {
        let mut out = Vec::new();
        for (user, account) in self.listed_accounts(filter.owner.as_deref()).await? {
            out.extend(self.mail_domains_of(user, account).await?);
        }
        Ok(out)
    }

    async fn update(&self, at: &Locator, _patch: &MailDomainPatch) -> PanelResult<MailDomain> {
        self.mail_domain_fresh(&at.id).await?.ok_or_else(|| {
            PanelError::not_found(format!("panelalpha email domain {} is gone", at.id))
        })
    }

    /// Forgets the email domain: the API cannot switch mail off, and mail stays on
    /// while the domain exists (documented on the resource).
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        ObjectId::parse_domain(&at.id).map(drop)
    }

    async fn import(&self, id: &str) -> PanelResult<Option<MailDomain>> {
        self.mail_domain_fresh(id).await
    }

    fn import_id(&self, object: &MailDomain) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER_ID/ACCOUNT_ID/DOMAIN (e.g. 3/7/example.com)"
    }
}
