//! Mail service of a domain through the `mail` operator: `enable` / `disable` with a
//! `site-id` (docs "Enabling/Disabling Mail Service on Domain"), read with `get_prefs`
//! (`filter` of `site-id`s, or empty for every domain; each result carries `site-id` and
//! `prefs/mailservice`, docs "Mail Service Preferences"). A domain "is a mail domain"
//! while its mail service is on. Subscriptions and their sites both have mail service
//! (Plesk domains share one id space, so `site-id` names either); the owner is the
//! subscription's. The id is the domain's ASCII name.

use crate::backends::http::normalize_domain;
use crate::panel::names::DomainName;
use crate::panel::{
    ListFilter, Locator, MailDomain, MailDomainKey, MailDomainPatch, MailDomainSpec, PanelError,
    PanelResult, Service,
};

use super::wire::{self, DomainRecord, Element};
use super::{not_found_is_none, Place, PleskXmlBackend, SiteTable, Touches};

/// Mail service is in none of the backend's caches.
const NOTHING: Touches = Touches {
    customers: false,
    domains: false,
    databases: false,
};

/// `<mail><get_prefs><filter><site-id>…` (`None`: an empty filter, every domain).
fn get_prefs(site_id: Option<&str>) -> String {
    let mut w = wire::XmlWriter::default();
    w.open("mail").open("get_prefs");
    match site_id {
        Some(id) => {
            w.open("filter").text("site-id", id).close("filter");
        }
        None => {
            w.empty("filter");
        }
    }
    w.close("get_prefs").close("mail");
    w.finish()
}

/// `<mail><enable|disable><site-id>ID</site-id></…></mail>`.
fn switch(site_id: &str, on: bool) -> String {
    let op = if on { "enable" } else { "disable" };
    let mut w = wire::XmlWriter::default();
    w.open("mail")
        .open(op)
        .text("site-id", site_id)
        .close(op)
        .close("mail");
    w.finish()
}

/// `(site-id, mail service on)` of each answered domain; a domain that is gone is left
/// out.
fn prefs(packet: &Element) -> PanelResult<Vec<(String, bool)>> {
    let mut out = Vec::new();
    for result in wire::results(packet, "mail", "get_prefs", 0)? {
        if let Some(result) = not_found_is_none(wire::ok_result(result, "mail get_prefs"))? {
            let Some(id) = result.non_empty("site-id") else {
                continue;
            };
            let on = result
                .path(&["prefs", "mailservice"])
                .is_some_and(|m| m.text.trim() == "true");
            out.push((id.to_owned(), on));
        }
    }
    Ok(out)
}

impl PleskXmlBackend {
    /// The domain `name` (a subscription or a site) and its subscription.
    pub(super) fn mail_place<'a>(
        table: &'a SiteTable,
        name: &str,
    ) -> Option<(&'a DomainRecord, &'a DomainRecord)> {
        match table.by_name.get(name)? {
            Place::Webspace(i) => Some((&table.webspaces[*i], &table.webspaces[*i])),
            Place::Site(i) => {
                let site = &table.sites[*i];
                Some((site, table.webspace(site.webspace_id.as_deref()?)?))
            }
        }
    }

    /// The mail domain of `site_id` when its service is on.
    async fn mail_domain_of(
        &self,
        table: &SiteTable,
        site_id: &str,
    ) -> PanelResult<Option<MailDomain>> {
        let (domain, webspace) = match table.by_id.get(site_id) {
            Some(Place::Webspace(i)) => (&table.webspaces[*i], &table.webspaces[*i]),
            Some(Place::Site(i)) => {
                let site = &table.sites[*i];
                match site.webspace_id.as_deref().and_then(|w| table.webspace(w)) {
                    Some(webspace) => (site, webspace),
                    None => return Ok(None),
                }
            }
            None => return Ok(None),
        };
        Ok(Some(MailDomain {
            id: domain.name.clone(),
            owner: self.listed_owner(webspace).await?,
            domain: domain.name.clone(),
        }))
    }

    /// The domain `name` as a mail domain, fresh: one `get_prefs` of its site id.
    async fn read_mail_domain(&self, name: &str) -> PanelResult<Option<MailDomain>> {
        let Ok(name) = normalize_domain(name) else {
            return Ok(None);
        };
        let table = self.site_table().await?;
        let Some((domain, _)) = Self::mail_place(&table, &name) else {
            return Ok(None);
        };
        let packet = self.read(&get_prefs(Some(&domain.id))).await?;
        let on = prefs(&packet)?
            .into_iter()
            .any(|(id, on)| id == domain.id && on);
        if !on {
            return Ok(None);
        }
        self.mail_domain_of(&table, &domain.id).await
    }
}

#[async_trait::async_trait]
impl Service<MailDomain> for PleskXmlBackend {
    async fn create(&self, spec: &MailDomainSpec) -> PanelResult<MailDomain> {
        DomainName::parse(&spec.domain).map_err(|problem| {
            PanelError::invalid(Some("domain"), format!("{:?} {problem}", spec.domain))
        })?;
        let name = normalize_domain(&spec.domain)
            .map_err(|e| PanelError::invalid(Some("domain"), e.message))?;
        let table = self.site_table().await?;
        let Some((domain, webspace)) = Self::mail_place(&table, &name) else {
            return Err(PanelError::invalid(
                Some("domain"),
                format!("no domain {name} on this Plesk"),
            ));
        };
        if self.listed_owner(webspace).await? != spec.owner {
            return Err(PanelError::invalid(
                Some("domain"),
                format!("domain {name} does not belong to user {}", spec.owner),
            ));
        }
        let packet = self.write(&switch(&domain.id, true), &[], NOTHING).await?;
        wire::single_result(&packet, "mail", "enable")?;
        match self.read_mail_domain(&name).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "mail enable succeeded, but get_prefs reports mail service off for {name}"
            ))
            .maybe_done()),
            Err(e) => Err(e.maybe_done()),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<MailDomain>> {
        self.read_mail_domain(&at.id).await
    }

    async fn find(&self, key: &MailDomainKey) -> PanelResult<Option<MailDomain>> {
        Ok(self
            .read_mail_domain(&key.domain)
            .await?
            .filter(|mail| key.matches(mail)))
    }

    /// One `get_prefs` of every domain.
    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<MailDomain>> {
        let table = self.site_table().await?;
        let packet = self.read(&get_prefs(None)).await?;
        let mut out = Vec::new();
        for (id, on) in prefs(&packet)? {
            if !on {
                continue;
            }
            if let Some(mail) = self.mail_domain_of(&table, &id).await? {
                if filter.owner.as_ref().is_none_or(|o| &mail.owner == o) {
                    out.push(mail);
                }
            }
        }
        Ok(out)
    }

    async fn update(&self, at: &Locator, _patch: &MailDomainPatch) -> PanelResult<MailDomain> {
        self.read_mail_domain(&at.id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("mail service of {} is off", at.id)))
    }

    /// Switches the mail service off; a domain already gone (or already off) is done.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let Ok(name) = normalize_domain(&at.id) else {
            return Ok(());
        };
        let table = self.site_table().await?;
        let Some((domain, _)) = Self::mail_place(&table, &name) else {
            return Ok(());
        };
        let packet = self.write(&switch(&domain.id, false), &[], NOTHING).await?;
        match wire::single_result(&packet, "mail", "disable") {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(|_| ()),
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<MailDomain>> {
        self.read_mail_domain(id).await
    }

    fn import_id(&self, object: &MailDomain) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "DOMAIN (e.g. example.com)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_name_the_site() {
        assert_eq!(
            switch("7", true),
            "<mail><enable><site-id>7</site-id></enable></mail>"
        );
        assert_eq!(
            get_prefs(None),
            "<mail><get_prefs><filter/></get_prefs></mail>"
        );
        let packet = wire::parse_packet(
            "<packet><mail><get_prefs><result><status>ok</status><site-id>7</site-id>\
             <prefs><mailservice>true</mailservice></prefs></result><result><status>ok\
             </status><site-id>8</site-id><prefs><mailservice>false</mailservice></prefs>\
             </result></get_prefs></mail></packet>",
        )
        .unwrap();
        assert_eq!(
            prefs(&packet).unwrap(),
            vec![("7".to_owned(), true), ("8".to_owned(), false)]
        );
    }
}
