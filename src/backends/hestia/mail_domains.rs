//! HestiaCP mail domains: `v-add-mail-domain USER DOMAIN` (the panel's defaults:
//! antispam, antivirus and DKIM on, record 200), `v-delete-mail-domain USER DOMAIN`
//! (record 241/244; exit 3 when already gone, record 245), read from
//! `v-list-mail-domains USER json` (keyed by the domain, record 206) and, after a change,
//! `v-list-mail-domain USER DOMAIN json` (record 207; exit 3 when missing, record 209).
//! The panel stores the name lowercased (records 205, 247); a name another user has
//! is refused with exit 4 (record 202). A mail domain's id is `USER/DOMAIN`.

use crate::panel::names::DomainName;
use crate::panel::{
    ListFilter, Locator, MailDomain, MailDomainKey, MailDomainPatch, MailDomainSpec, PanelError,
    PanelResult, Service,
};

use super::domains::normal_name;
use super::wire;
use super::{missing_owner_is_input_error, single, HestiaBackend, Touches};

fn mail_domain(owner: &str, stored: &str) -> MailDomain {
    let name = DomainName::lenient(stored);
    MailDomain {
        id: format!("{owner}/{}", name.as_str()),
        owner: owner.to_owned(),
        domain: name.as_str().to_owned(),
    }
}

/// `USER/DOMAIN` into its parts.
fn parse_id(id: &str) -> Option<(&str, DomainName)> {
    let (owner, domain) = id.trim().split_once('/')?;
    if owner.is_empty() || domain.contains('/') {
        return None;
    }
    Some((owner, normal_name(domain)?))
}

fn malformed(id: &str) -> PanelError {
    PanelError::invalid(
        Some("id"),
        format!("hestia mail domain ids look like USER/DOMAIN (e.g. bob/example.com), got {id:?}"),
    )
}

impl HestiaBackend {
    /// `owner`'s mail domains, from one shared `v-list-mail-domains OWNER json`; an
    /// owner that does not exist has none.
    pub(super) async fn mail_domain_entries(&self, owner: &str) -> PanelResult<Vec<MailDomain>> {
        let list = self
            .mail_domains
            .get_or_load(owner, || async {
                let command = wire::list_mail_domains(owner);
                let Some(body) = self.read_optional(&command).await? else {
                    return Ok(Vec::new());
                };
                Ok(
                    wire::parse_keyed::<serde::de::IgnoredAny>(command.name, &body)?
                        .into_iter()
                        .map(|(stored, _)| mail_domain(owner, &stored))
                        .collect(),
                )
            })
            .await?;
        Ok(list.as_ref().clone())
    }

    async fn mail_domain_in_list(
        &self,
        owner: &str,
        domain: &DomainName,
    ) -> PanelResult<Option<MailDomain>> {
        Ok(self
            .mail_domain_entries(owner)
            .await?
            .into_iter()
            .find(|m| m.domain == domain.as_str()))
    }

    /// The mail domain, fresh: `v-list-mail-domain OWNER DOMAIN json`.
    async fn read_mail_domain(
        &self,
        owner: &str,
        domain: &DomainName,
    ) -> PanelResult<Option<MailDomain>> {
        let command = wire::list_mail_domain(owner, domain.as_str());
        let Some(body) = self.read_optional(&command).await? else {
            return Ok(None);
        };
        Ok(single::<serde::de::IgnoredAny>(&command, &body)?
            .map(|(stored, _)| mail_domain(owner, &stored))
            .filter(|m| m.domain == domain.as_str()))
    }
}

#[async_trait::async_trait]
impl Service<MailDomain> for HestiaBackend {
    async fn create(&self, spec: &MailDomainSpec) -> PanelResult<MailDomain> {
        let name = DomainName::parse(&spec.domain).map_err(|problem| {
            PanelError::invalid(Some("domain"), format!("{:?} {problem}", spec.domain))
        })?;
        let owner = spec.owner.as_str();
        let command = wire::add_mail_domain(owner, name.as_str());
        self.write(&command, Touches::MailDomains(owner))
            .await
            .map_err(missing_owner_is_input_error)?;
        match self.read_mail_domain(owner, &name).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "v-add-mail-domain succeeded, but v-list-mail-domain does not list {}",
                name.as_str()
            ))
            .maybe_done()),
            Err(error) => Err(error.maybe_done()),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<MailDomain>> {
        match parse_id(&at.id) {
            Some((owner, domain)) => self.mail_domain_in_list(owner, &domain).await,
            None => Ok(None),
        }
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<MailDomain>> {
        match parse_id(&at.id) {
            Some((owner, domain)) => self.read_mail_domain(owner, &domain).await,
            None => Ok(None),
        }
    }

    /// The owner's list; a domain another user has is refused by the create itself
    /// (exit 4, "already exists").
    async fn find(&self, key: &MailDomainKey) -> PanelResult<Option<MailDomain>> {
        let Some(domain) = normal_name(&key.domain) else {
            return Ok(None);
        };
        self.mail_domain_in_list(&key.owner, &domain).await
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<MailDomain>> {
        let domains = |owner: String| async move { self.mail_domain_entries(&owner).await };
        match &filter.owner {
            Some(owner) => domains(owner.clone()).await,
            None => self.for_every_owner(domains).await,
        }
    }

    /// Nothing changes in place; answers the mail domain as it is.
    async fn update(&self, at: &Locator, _patch: &MailDomainPatch) -> PanelResult<MailDomain> {
        self.read_back(at)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("hestia mail domain {} is gone", at.id)))
    }

    /// Deleting a mail domain already gone succeeds (exit 3, record 245).
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (owner, domain) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let command = wire::delete_mail_domain(owner, domain.as_str());
        match self.write(&command, Touches::MailDomains(owner)).await {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<MailDomain>> {
        let (owner, domain) = parse_id(id).ok_or_else(|| malformed(id))?;
        self.read_mail_domain(owner, &domain).await
    }

    fn import_id(&self, object: &MailDomain) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER/DOMAIN (e.g. bob/example.com)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_names_are_lowercased() {
        let (owner, domain) = parse_id("bob/Example.com").unwrap();
        assert_eq!((owner, domain.as_str()), ("bob", "example.com"));
        assert!(parse_id("bob").is_none());
        assert!(parse_id("/example.com").is_none());
        assert!(parse_id("bob/a/b").is_none());
        let mail = mail_domain("bob", "UPPER-Mail.com");
        assert_eq!(mail.id, "bob/upper-mail.com");
        assert_eq!(mail.domain, "upper-mail.com");
    }
}
