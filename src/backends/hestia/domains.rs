//! HestiaCP web domains: `v-add-web-domain`, `v-list-web-domain(s)`,
//! `v-delete-web-domain`. A domain's id is its name in the one normal form
//! ([`DomainName`]: lowercase, punycode); the panel keeps the spelling a domain was
//! added with (`bücher.example.com` stays in Unicode), so names are compared in normal
//! form and sent as the panel stores them.

use crate::panel::names::DomainName;
use crate::panel::{
    Domain, DomainKey, DomainKind, DomainPatch, DomainSpec, ListFilter, Locator, PanelError,
    PanelResult, Service,
};

use super::wire::{self, WebDomainRecord};
use super::{
    missing_owner_is_input_error, non_empty, single, HestiaBackend, Touches, WebDomainEntry,
};

pub(crate) fn entry_from_record(
    owner: &str,
    stored: String,
    record: &WebDomainRecord,
) -> WebDomainEntry {
    let name = DomainName::lenient(&stored).to_string();
    WebDomainEntry {
        domain: Domain {
            id: name.clone(),
            name,
            owner: owner.to_owned(),
            kind: DomainKind::Main,
            parent: None,
            document_root: non_empty(&record.document_root),
            // BACKEND is a php-fpm template name, not a version; nothing documents how
            // templates map to versions, so no version is claimed.
            home: None,
            php_version: None,
            ip_address: non_empty(&record.ip),
        },
        stored,
        ftp: ftp_pairs(&record.ftp_user, &record.ftp_path),
        tls: super::certificates::TlsFlags {
            ssl: super::yes(&record.ssl),
            lets_encrypt: super::yes(&record.letsencrypt),
        },
    }
}

/// The parallel `FTP_USER` / `FTP_PATH` lists as (full login, path) pairs; a missing
/// path is empty (record 309).
fn ftp_pairs(users: &str, paths: &str) -> Vec<(String, String)> {
    if users.trim().is_empty() {
        return Vec::new();
    }
    let mut paths = paths.split(':');
    users
        .split(':')
        .map(|user| {
            (
                user.trim().to_owned(),
                paths.next().unwrap_or_default().to_owned(),
            )
        })
        .filter(|(user, _)| !user.is_empty())
        .collect()
}

/// The normal form of a domain id or name as state, a configuration or an import id
/// gives it; `None` for text that cannot name a domain.
pub(super) fn normal_name(text: &str) -> Option<DomainName> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(DomainName::lenient(text))
}

/// Hestia stores `www.example.com` as `example.com`; accepting it would leave a
/// permanent diff, so it is refused with the reason.
fn domain_name_for_hestia(name: &str) -> PanelResult<DomainName> {
    let normal = DomainName::parse(name)
        .map_err(|problem| PanelError::invalid(Some("name"), format!("{name:?} {problem}")))?;
    if let Some(bare) = normal.as_str().strip_prefix("www.") {
        return Err(PanelError::invalid(
            Some("name"),
            format!("hestia stores {normal:?} as {bare:?}; write the name without \"www.\""),
        ));
    }
    Ok(normal)
}

/// The spellings the panel may store `name` under: as the provider adds names
/// (punycode), then in Unicode (as a person adding it in the panel's UI would).
pub(super) fn spellings(name: &DomainName) -> Vec<String> {
    let ascii = name.as_str().to_owned();
    let unicode = name.to_unicode();
    if unicode == ascii {
        vec![ascii]
    } else {
        vec![ascii, unicode]
    }
}

impl HestiaBackend {
    /// `name` among `owner`'s domains (the shared list).
    pub(super) async fn domain_of(
        &self,
        owner: &str,
        name: &DomainName,
    ) -> PanelResult<Option<WebDomainEntry>> {
        Ok(self
            .domain_entries(owner)
            .await?
            .iter()
            .find(|entry| entry.domain.name == name.as_str())
            .cloned())
    }

    /// `name` wherever it is: first among `hint`'s domains, then among every other
    /// user's (their lists loaded in parallel, bounded): the domain moved, or nothing
    /// told where it is.
    async fn locate_domain(
        &self,
        name: &DomainName,
        hint: Option<&str>,
    ) -> PanelResult<Option<WebDomainEntry>> {
        if let Some(owner) = hint {
            if let Some(entry) = self.domain_of(owner, name).await? {
                return Ok(Some(entry));
            }
        }
        let others = self.other_logins(hint).await?;
        self.search_owners(
            others,
            |owner| async move { self.domain_of(&owner, name).await },
        )
        .await
    }

    /// One domain, fresh: `v-list-web-domain OWNER DOMAIN json` in each spelling the
    /// panel may store it under (it matches the stored spelling exactly).
    async fn read_domain(&self, owner: &str, name: &DomainName) -> PanelResult<Option<Domain>> {
        for stored in spellings(name) {
            let command = wire::list_web_domain(owner, &stored);
            let Some(body) = self.read_optional(&command).await? else {
                continue;
            };
            if let Some((key, record)) = single::<WebDomainRecord>(&command, &body)? {
                let entry = entry_from_record(owner, key, &record);
                if entry.domain.name == name.as_str() {
                    return Ok(Some(entry.domain));
                }
            }
        }
        Ok(None)
    }

    async fn delete_domain_entry(&self, owner: &str, stored: &str) -> PanelResult<()> {
        match self
            .write(
                &wire::delete_web_domain(owner, stored),
                Touches::Domains(owner),
            )
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }
}

#[async_trait::async_trait]
impl Service<Domain> for HestiaBackend {
    async fn create(&self, spec: &DomainSpec) -> PanelResult<Domain> {
        if spec.kind != DomainKind::Main {
            return Err(PanelError::unsupported(format!(
                "hestia has no {} domains: every web domain, subdomains included, is kind \"main\"",
                spec.kind.as_str()
            )));
        }
        if spec.parent.is_some() {
            return Err(PanelError::invalid(
                Some("parent"),
                "hestia web domains have no parent",
            ));
        }
        if spec.document_root.is_some() {
            return Err(PanelError::unsupported(
                "the hestia backend cannot set a document root",
            ));
        }
        if spec.php_version.is_some() {
            return Err(PanelError::unsupported(
                "the hestia backend cannot set a PHP version",
            ));
        }
        let name = domain_name_for_hestia(&spec.name)?;
        // Sent in normal form: the panel then stores it so, and its id is its name.
        let command = wire::add_web_domain(&spec.owner, name.as_str(), spec.ip_address.as_deref());
        self.write(&command, Touches::Domains(&spec.owner))
            .await
            .map_err(missing_owner_is_input_error)?;
        let created = match self.read_domain(&spec.owner, &name).await {
            Ok(Some(domain)) => domain,
            // Created; the engine's read-back tries again and says so if it fails too.
            _ => Domain {
                id: name.to_string(),
                name: name.to_string(),
                owner: spec.owner.clone(),
                kind: DomainKind::Main,
                parent: None,
                document_root: None,
                home: None,
                php_version: None,
                ip_address: spec.ip_address.clone(),
            },
        };
        self.fresh.remember(&created, &spec.owner);
        Ok(created)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Domain>> {
        let Some(name) = normal_name(&at.id) else {
            return Ok(None);
        };
        Ok(self
            .locate_domain(&name, at.owner.as_deref())
            .await?
            .map(|entry| entry.domain))
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<Domain>> {
        if let Some(domain) = self.fresh.take::<Domain>(&at.id) {
            return Ok(Some(domain));
        }
        let (Some(name), Some(owner)) = (normal_name(&at.id), at.owner.as_deref()) else {
            return Service::<Domain>::get(self, at).await;
        };
        match self.read_domain(owner, &name).await? {
            Some(domain) => Ok(Some(domain)),
            // Not where it was: it moved, or is gone.
            None => Service::<Domain>::get(self, &Locator::new(&at.id)).await,
        }
    }

    async fn find(&self, key: &DomainKey) -> PanelResult<Option<Domain>> {
        let found = match &key.owner {
            Some(owner) => self.domain_of(owner, &key.name).await?,
            None => self.locate_domain(&key.name, None).await?,
        };
        Ok(found.map(|entry| entry.domain))
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Domain>> {
        let domains = |owner: String| async move {
            Ok(self
                .domain_entries(&owner)
                .await?
                .iter()
                .map(|entry| entry.domain.clone())
                .collect::<Vec<_>>())
        };
        match &filter.owner {
            Some(owner) => domains(owner.clone()).await,
            None => self.for_every_owner(domains).await,
        }
    }

    async fn update(&self, at: &Locator, patch: &DomainPatch) -> PanelResult<Domain> {
        let current = Service::<Domain>::get(self, at).await?.ok_or_else(|| {
            PanelError::not_found(format!("hestia web domain {:?} does not exist", at.id))
        })?;
        if patch.document_root.is_some() {
            return Err(PanelError::unsupported(
                "the hestia backend cannot change a document root",
            ));
        }
        if patch.php_version.is_some() {
            return Err(PanelError::unsupported(
                "the hestia backend cannot change a PHP version",
            ));
        }
        if let Some(ip) = &patch.ip_address {
            if current.ip_address.as_deref() != Some(ip.as_str()) {
                return Err(PanelError::unsupported(
                    "the hestia backend sets a web domain's IP only when creating it",
                ));
            }
        }
        Ok(current)
    }

    /// Straight to the owner state records, in the spelling the provider adds names
    /// with; only when that finds nothing (stored in Unicode, moved, or no owner
    /// known) is the domain looked up to delete it where and as it is stored.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let Some(name) = normal_name(&at.id) else {
            return Ok(());
        };
        if let Some(owner) = at.owner.as_deref() {
            let command = wire::delete_web_domain(owner, name.as_str());
            match self.write(&command, Touches::Domains(owner)).await {
                Ok(()) => return Ok(()),
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        match self.locate_domain(&name, at.owner.as_deref()).await? {
            Some(entry) => {
                self.delete_domain_entry(&entry.domain.owner, &entry.stored)
                    .await
            }
            None => Ok(()),
        }
    }

    /// `DOMAIN` (either spelling of an internationalised name), or `OWNER/DOMAIN`,
    /// which looks only among that user's domains.
    async fn import(&self, id: &str) -> PanelResult<Option<Domain>> {
        let id = id.trim();
        let (owner, name) = match id.split_once('/') {
            Some((owner, name)) => (Some(owner.trim()), name),
            None => (None, id),
        };
        let Ok(name) = DomainName::parse(name) else {
            return Ok(None);
        };
        let found = match owner {
            Some(owner) => self.domain_of(owner, &name).await?,
            None => self.locate_domain(&name, None).await?,
        };
        Ok(found.map(|entry| entry.domain))
    }

    fn import_id(&self, object: &Domain) -> String {
        object.name.clone()
    }

    fn import_format(&self) -> &'static str {
        "its domain name (an internationalised name in Unicode or punycode), or \
         OWNER/DOMAIN"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::hestia::tests::{backend, replaying_server};
    use crate::panel::PanelErrorKind;
    use std::sync::atomic::Ordering;

    #[test]
    fn names_are_normalised_and_www_is_refused() {
        assert_eq!(
            domain_name_for_hestia("UPPER-Example.org")
                .unwrap()
                .as_str(),
            "upper-example.org"
        );
        let error = domain_name_for_hestia("www.example.org").unwrap_err();
        assert_eq!(
            error.kind,
            PanelErrorKind::InvalidInput {
                field: Some("name".into())
            }
        );
    }

    #[test]
    fn entries_compare_in_normal_form_and_keep_the_stored_spelling() {
        let record = WebDomainRecord {
            ip: "192.0.2.2".into(),
            document_root: "/home/capuser/web/bücher.example.com/public_html/".into(),
            ..Default::default()
        };
        let entry = entry_from_record("capuser", "bücher.example.com".into(), &record);
        assert_eq!(entry.stored, "bücher.example.com");
        assert_eq!(entry.domain.id, "xn--bcher-kva.example.com");
        assert_eq!(entry.domain.name, "xn--bcher-kva.example.com");
        assert_eq!(entry.domain.kind, DomainKind::Main);
        assert_eq!(entry.domain.ip_address.as_deref(), Some("192.0.2.2"));
        let name = DomainName::lenient("xn--bcher-kva.example.com");
        assert_eq!(
            spellings(&name),
            ["xn--bcher-kva.example.com", "bücher.example.com"]
        );
        assert_eq!(
            spellings(&DomainName::lenient("cap-example.com")),
            ["cap-example.com"]
        );
    }

    #[tokio::test]
    async fn a_read_back_is_one_single_domain_read() {
        // Record 34: `v-list-web-domain capuser cap-example.com json`.
        let (url, hits) = replaying_server("34-list-web-domain").await;
        let backend = backend(url);
        let at = Locator::new("cap-example.com").with_owner(Some("capuser"));
        let domain = Service::<Domain>::read_back(&backend, &at)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(domain.owner, "capuser");
        assert_eq!(
            domain.document_root.as_deref(),
            Some("/home/capuser/web/cap-example.com/public_html/")
        );
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_refresh_with_the_owner_reads_that_owners_list_once() {
        // Record 35: `v-list-web-domains capuser json` with two domains.
        let (url, hits) = replaying_server("35-list-web-domains").await;
        let backend = backend(url);
        for name in ["cap-example.com", "UPPER-example.org", "cap-example.com"] {
            let at = Locator::new(name).with_owner(Some("capuser"));
            assert!(
                Service::<Domain>::get(&backend, &at)
                    .await
                    .unwrap()
                    .is_some(),
                "{name}"
            );
        }
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }
}
