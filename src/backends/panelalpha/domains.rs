//! PanelAlpha domains: the domains of a user's hosting account (user API). The API has
//! no single-domain read, so every read is the account's domain list (one per account,
//! shared by every read of the run until a write to that account).

use std::sync::Arc;

use reqwest::Method;
use serde_json::json;

use super::client::HttpRequest;
use super::error::FieldMap;
use super::wire::{DomainItem, DomainRequest, ServerAccount};
use super::{
    account_key, account_main, domain_model, ignore_not_found, item_name, parse_number, to_json,
    ObjectId, PanelAlphaBackend, Source, Touch, NO_FIELDS,
};
use crate::backends::http::normalize_domain;
use crate::panel::names::DomainName;
use crate::panel::{
    Domain, DomainKey, DomainKind, DomainPatch, DomainSpec, ListFilter, Locator, PanelError,
    PanelResult, Service,
};

const DOMAIN_FIELDS: FieldMap = &[
    ("parent_domain", "parent"),
    ("document_root", "document_root"),
    ("php_version", "php_version"),
    ("domain", "name"),
    ("type", "kind"),
];

/// Whether `name` lies strictly under `parent` (`blog.example.com` under `example.com`).
fn is_under(name: &str, parent: &str) -> bool {
    name.len() > parent.len() + 1 && name.ends_with(&format!(".{parent}"))
}

fn no_account(user: i64) -> PanelError {
    PanelError::invalid(
        Some("owner"),
        format!("panelalpha user {user} has no hosting account; give the user a plan first"),
    )
}

impl PanelAlphaBackend {
    /// The domain list of one account (cached; `None` when the account is gone).
    pub(super) async fn domain_list(
        &self,
        user: i64,
        account: i64,
    ) -> PanelResult<Arc<Option<Vec<DomainItem>>>> {
        self.domains
            .get_or_load(&account_key(user, account), || {
                self.account_list(format!("server-accounts/{account}/domains"), user)
            })
            .await
    }

    /// Every modelled domain of one account (aliases are not).
    async fn account_domains(
        &self,
        user: i64,
        account: i64,
        source: Source,
    ) -> PanelResult<Vec<Domain>> {
        let list = self.domain_list(user, account).await?;
        let Some(list) = list.as_ref() else {
            return Ok(Vec::new());
        };
        let main = self.main_for(user, account, list, source).await?;
        Ok(list
            .iter()
            .filter_map(|item| domain_model(user, account, item, list, main.as_deref()))
            .collect())
    }

    /// The account's main domain, for a list that does not mark it itself (the
    /// documented one does: then this costs nothing).
    async fn main_for(
        &self,
        user: i64,
        account: i64,
        list: &[DomainItem],
        source: Source,
    ) -> PanelResult<Option<String>> {
        if list.iter().any(|d| d.kind.as_deref() == Some("main")) {
            return Ok(None);
        }
        Ok(self
            .account(user, account, source)
            .await?
            .as_ref()
            .and_then(account_main))
    }

    async fn read_domain(&self, id: &ObjectId, source: Source) -> PanelResult<Option<Domain>> {
        let list = self.domain_list(id.user, id.account).await?;
        let Some(list) = list.as_ref() else {
            return Ok(None);
        };
        let Some(item) = list
            .iter()
            .find(|item| item_name(item).as_deref() == Some(id.name.as_str()))
        else {
            return Ok(None);
        };
        let main = self.main_for(id.user, id.account, list, source).await?;
        Ok(domain_model(
            id.user,
            id.account,
            item,
            list,
            main.as_deref(),
        ))
    }

    /// That one domain, fresh from the panel: its account's list read again.
    async fn fresh_domain(&self, id: &ObjectId) -> PanelResult<Option<Domain>> {
        self.forget(Touch::Domains {
            user: id.user,
            account: id.account,
        });
        self.read_domain(id, Source::Own).await
    }

    /// The account of `accounts` that holds `domain`: as its main domain, or in its
    /// domain list.
    pub(super) async fn account_holding(
        &self,
        user: i64,
        accounts: &[ServerAccount],
        domain: &str,
        field: &str,
    ) -> PanelResult<i64> {
        if let Some(id) = accounts
            .iter()
            .find(|a| account_main(a).as_deref() == Some(domain))
            .and_then(|a| a.id)
        {
            return Ok(id);
        }
        for account in accounts.iter().filter_map(|a| a.id) {
            let list = self.domain_list(user, account).await?;
            if list
                .as_ref()
                .iter()
                .flatten()
                .any(|item| item_name(item).as_deref() == Some(domain))
            {
                return Ok(account);
            }
        }
        Err(PanelError::invalid(
            Some(field),
            format!("no hosting account of panelalpha user {user} holds {domain}"),
        ))
    }

    /// Where a new addon domain or subdomain goes: the account and, for a subdomain,
    /// its parent. Without `parent`, an addon domain goes into the owner's only hosting
    /// account (several: `parent` must say which), and a subdomain under the longest
    /// domain of the owner's accounts that its name lies under.
    async fn placement(
        &self,
        user: i64,
        name: &str,
        kind: DomainKind,
        parent: Option<&str>,
    ) -> PanelResult<(i64, Option<String>)> {
        let accounts: Vec<ServerAccount> = self
            .accounts_waiting(user)
            .await?
            .into_iter()
            .filter(|a| a.id.is_some())
            .collect();
        if accounts.is_empty() {
            return Err(no_account(user));
        }
        match (kind, parent) {
            (_, Some(parent)) => {
                if kind == DomainKind::Subdomain && !is_under(name, parent) {
                    return Err(PanelError::invalid(
                        Some("name"),
                        format!("{name} is not under {parent}"),
                    ));
                }
                let account = self
                    .account_holding(user, &accounts, parent, "parent")
                    .await?;
                Ok((account, Some(parent.to_owned())))
            }
            (DomainKind::Subdomain, None) => {
                let mut best: Option<(i64, String)> = None;
                for account in &accounts {
                    let Some(id) = account.id else { continue };
                    let list = self.domain_list(user, id).await?;
                    let candidates = account_main(account)
                        .into_iter()
                        .chain(list.as_ref().iter().flatten().filter_map(item_name));
                    for candidate in candidates.filter(|c| is_under(name, c)) {
                        if best.as_ref().is_none_or(|(_, b)| candidate.len() > b.len()) {
                            best = Some((id, candidate));
                        }
                    }
                }
                best.map(|(account, parent)| (account, Some(parent)))
                    .ok_or_else(|| {
                        PanelError::invalid(
                            Some("parent"),
                            format!(
                                "{name} lies under no domain of panelalpha user {user}'s \
                                 hosting accounts; set `parent` to the domain it belongs to"
                            ),
                        )
                    })
            }
            (_, None) => match accounts.as_slice() {
                [only] => Ok((only.id.unwrap_or_default(), None)),
                several => {
                    let mains: Vec<String> = several
                        .iter()
                        .map(|a| {
                            account_main(a)
                                .unwrap_or_else(|| format!("account {}", a.id.unwrap_or_default()))
                        })
                        .collect();
                    Err(PanelError::invalid(
                        Some("parent"),
                        format!(
                            "panelalpha user {user} has {} hosting accounts ({}), so the owner \
                             alone does not say which one gets {name}; set `parent` to the main \
                             domain of that account",
                            several.len(),
                            mains.join(", ")
                        ),
                    ))
                }
            },
        }
    }

    async fn put_domain_settings(
        &self,
        id: &ObjectId,
        document_root: Option<&str>,
        php_version: Option<&str>,
    ) -> PanelResult<Option<DomainItem>> {
        let path = format!("server-accounts/{}/domains/{}", id.account, id.name);
        let touches = [Touch::Domains {
            user: id.user,
            account: id.account,
        }];
        let mut answered = None;
        if let Some(root) = document_root {
            let request =
                HttpRequest::new(Method::PUT, path.clone()).json(json!({ "document_root": root }));
            let answer = self
                .write(request, Some(id.user), DOMAIN_FIELDS, &[], &touches)
                .await?;
            answered = serde_json::from_value::<DomainItem>(answer)
                .ok()
                .filter(|item| !item.domain.is_empty());
        }
        if let Some(php) = php_version {
            let request = HttpRequest::new(Method::PUT, format!("{path}/php-version"))
                .json(json!({ "php_version": php }));
            self.write(request, Some(id.user), DOMAIN_FIELDS, &[], &touches)
                .await?;
        }
        Ok(answered)
    }

    /// The domain named `name` anywhere on the panel: main domains from the run's list
    /// of services first, then every account's domain list, read in parallel.
    async fn find_anywhere(&self, name: &str) -> PanelResult<Option<Domain>> {
        let accounts = self.all_accounts().await?;
        for (user, account) in &accounts {
            if account_main(account).as_deref() == Some(name) {
                if let Some(id) = account.id {
                    let found = self
                        .read_domain(
                            &ObjectId {
                                user: *user,
                                account: id,
                                name: name.to_owned(),
                            },
                            Source::Shared,
                        )
                        .await?;
                    if found.is_some() {
                        return Ok(found);
                    }
                }
            }
        }
        let pairs: Vec<(i64, i64)> = accounts
            .iter()
            .filter_map(|(user, account)| account.id.map(|id| (*user, id)))
            .collect();
        let mut lists = self.domain_lists(pairs).await?;
        lists.sort_by_key(|(user, account, _)| (*user, *account));
        for (user, account, list) in lists {
            let holds = list
                .as_ref()
                .iter()
                .flatten()
                .any(|item| item_name(item).as_deref() == Some(name));
            if holds {
                let id = ObjectId {
                    user,
                    account,
                    name: name.to_owned(),
                };
                return self.read_domain(&id, Source::Shared).await;
            }
        }
        Ok(None)
    }
}

#[async_trait::async_trait]
impl Service<Domain> for PanelAlphaBackend {
    async fn create(&self, spec: &DomainSpec) -> PanelResult<Domain> {
        let user = parse_number("owner", &spec.owner)?;
        let name = normalize_domain(&spec.name)?;
        if spec.ip_address.is_some() {
            return Err(PanelError::unsupported(
                "panelalpha domains have no IP address setting",
            ));
        }
        if spec.kind == DomainKind::Main {
            return Err(PanelError::unsupported(
                "a panelalpha hosting account's main domain is created with the user's plan; \
                 import it as USER_ID/ACCOUNT_ID/DOMAIN instead",
            ));
        }
        let parent = spec.parent.as_deref().map(normalize_domain).transpose()?;
        let (account, parent) = self
            .placement(user, &name, spec.kind, parent.as_deref())
            .await?;
        let (kind, domain_field, parent_field) = match (spec.kind, parent.as_deref()) {
            (DomainKind::Subdomain, Some(parent)) => (
                "sub",
                name.strip_suffix(&format!(".{parent}"))
                    .unwrap_or(&name)
                    .to_owned(),
                Some(parent),
            ),
            _ => ("addon", name.clone(), None),
        };
        let body = DomainRequest {
            domain: &domain_field,
            kind,
            parent_domain: parent_field,
        };
        let request = HttpRequest::new(Method::POST, format!("server-accounts/{account}/domains"))
            .json(to_json(&body)?);
        let touches = [Touch::Domains { user, account }];
        let answer = self
            .write(request, Some(user), DOMAIN_FIELDS, &[], &touches)
            .await?;
        let id = ObjectId {
            user,
            account,
            name: name.clone(),
        };
        let main = self
            .account(user, account, Source::Own)
            .await
            .ok()
            .flatten()
            .as_ref()
            .and_then(account_main);
        // What the panel answered, else what was asked: the engine reads it back.
        let mut item = serde_json::from_value::<DomainItem>(answer)
            .ok()
            .filter(|item| item_name(item).as_deref() == Some(name.as_str()))
            .unwrap_or(DomainItem {
                domain: name.clone(),
                kind: Some(kind.to_owned()),
                parent_domain: parent_field.map(str::to_owned),
                document_root: None,
                php_version: None,
            });
        if item.parent_domain.is_none() {
            item.parent_domain = parent_field.map(str::to_owned);
        }
        let model = |item: &DomainItem| {
            domain_model(
                user,
                account,
                item,
                std::slice::from_ref(item),
                main.as_deref(),
            )
            .ok_or_else(|| PanelError::protocol(format!("the panel made {name} an alias")))
        };
        let partial = model(&item)?;
        let settled = self
            .put_domain_settings(
                &id,
                spec.document_root.as_deref(),
                spec.php_version.as_deref(),
            )
            .await
            .map_err(|e| e.with_partial(partial.clone()))?;
        match settled {
            Some(mut answered) => {
                answered.parent_domain = answered.parent_domain.or(item.parent_domain);
                model(&answered)
            }
            None => {
                let mut domain = partial;
                if spec.document_root.is_some() {
                    domain.document_root = spec.document_root.clone();
                }
                Ok(domain)
            }
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Domain>> {
        self.read_domain(&ObjectId::parse_domain(&at.id)?, Source::Shared)
            .await
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<Domain>> {
        self.fresh_domain(&ObjectId::parse_domain(&at.id)?).await
    }

    async fn find(&self, key: &DomainKey) -> PanelResult<Option<Domain>> {
        let name = key.name.as_str();
        let Some(owner) = &key.owner else {
            return self.find_anywhere(name).await;
        };
        let user = parse_number("owner", owner)?;
        for account in self.accounts_of(user, Source::Own).await? {
            let Some(id) = account.id else { continue };
            let object = ObjectId {
                user,
                account: id,
                name: name.to_owned(),
            };
            if let Some(found) = self.read_domain(&object, Source::Own).await? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Domain>> {
        let mut pairs = Vec::new();
        for user in self.listed_owners(filter.owner.as_deref()).await? {
            for account in self.accounts_of(user, Source::Shared).await? {
                if let Some(id) = account.id {
                    pairs.push((user, id));
                }
            }
        }
        // Loads every list at once (bounded); the models below come from the cache.
        self.domain_lists(pairs.clone()).await?;
        let mut out = Vec::new();
        for (user, account) in pairs {
            out.extend(self.account_domains(user, account, Source::Shared).await?);
        }
        Ok(out)
    }

    async fn update(&self, at: &Locator, patch: &DomainPatch) -> PanelResult<Domain> {
        if patch.ip_address.is_some() {
            return Err(PanelError::unsupported(
                "panelalpha domains have no IP address setting",
            ));
        }
        let id = ObjectId::parse_domain(&at.id)?;
        if self.fresh_domain(&id).await?.is_none() {
            return Err(PanelError::not_found(format!(
                "domain {} does not exist",
                at.id
            )));
        }
        self.put_domain_settings(
            &id,
            patch.document_root.as_deref(),
            patch.php_version.as_deref(),
        )
        .await?;
        self.fresh_domain(&id).await?.ok_or_else(|| {
            PanelError::not_found(format!("domain {} disappeared during the update", at.id))
        })
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let id = ObjectId::parse_domain(&at.id)?;
        let Some(current) = self.fresh_domain(&id).await? else {
            return Ok(());
        };
        if current.kind == DomainKind::Main {
            return Err(PanelError::unsupported(
                "a panelalpha hosting account's main domain goes away only with the user's plan; \
                 remove it from the state instead",
            ));
        }
        let request = HttpRequest::new(
            Method::DELETE,
            format!("server-accounts/{}/domains/{}", id.account, id.name),
        );
        let touches = [Touch::Domains {
            user: id.user,
            account: id.account,
        }];
        ignore_not_found(
            self.write(request, Some(id.user), NO_FIELDS, &[], &touches)
                .await,
        )
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Domain>> {
        let id = id.trim();
        if id.contains('/') {
            return self
                .read_domain(&ObjectId::parse_domain(id)?, Source::Own)
                .await;
        }
        match DomainName::parse(id) {
            Ok(name) => self.find_anywhere(name.as_str()).await,
            Err(_) => Ok(None),
        }
    }

    fn import_id(&self, object: &Domain) -> String {
        object.name.clone()
    }

    fn import_format(&self) -> &'static str {
        "its domain name, or USER_ID/ACCOUNT_ID/DOMAIN"
    }
}
