//! HestiaCP TLS certificates: the SSL of a web domain.
//!
//! - Read: `SSL` / `LETSENCRYPT` of the owner's shared domain list (record 508), then
//!   `v-list-web-domain-ssl USER DOMAIN json` for the PEM (record 507: `CRT`, `CA`;
//!   `KEY`, the private key, is skipped unread and redacted from every log line). Every
//!   field is empty without SSL (511); a missing domain is exit 3 (512).
//! - Upload: the API cannot send files, but `v-make-tmp-file CONTENT FILENAME` writes
//!   `/tmp/DOMAIN.crt`, `/tmp/DOMAIN.key` (and `/tmp/DOMAIN.ca`), and
//!   `v-add-web-domain-ssl USER DOMAIN /tmp` installs them (records 501-505). The files
//!   stay in `/tmp`, readable by local users (README, TLS), so the key file is
//!   overwritten right after the install, whatever its outcome.
//! - Let's Encrypt: `v-add-letsencrypt-domain USER DOMAIN`, which answers once the
//!   certificate is installed (or with exit 15 when the CA cannot be reached: 520).
//! - A change: the files are written first, then `v-delete-web-domain-ssl` and
//!   `v-add-web-domain-ssl` (no update command is documented or captured).
//! - Delete: `v-delete-web-domain-ssl`; "SSL=no doesn't exist" (510) means done.
//!
//! Ids are `USER/DOMAIN` (the domain in its normal form).

use crate::panel::certificate::{inspect, Upload};
use crate::panel::names::DomainName;
use crate::panel::{
    Certificate, CertificateKey, CertificatePatch, CertificateSource, CertificateSpec, ListFilter,
    Locator, PanelError, PanelErrorKind, PanelResult, Service,
};

use super::domains::{normal_name, spellings};
use super::wire::{self, SslRecord, WebDomainRecord};
use super::{single, HestiaBackend, Touches, WebDomainEntry};

/// A web domain's TLS flags from the domain list (record 508).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TlsFlags {
    pub ssl: bool,
    pub lets_encrypt: bool,
}

/// What the key file is overwritten with after an install.
const CLEARED: &str = "cleared by terraform-provider-panel";

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
        format!("hestia certificate ids look like USER/DOMAIN (e.g. bob/example.com), got {id:?}"),
    )
}

fn certificate_of(owner: &str, entry: &WebDomainEntry, ssl: &SslRecord) -> Certificate {
    let pem = ssl.crt.trim().to_owned();
    Certificate {
        id: format!("{owner}/{}", entry.domain.name),
        owner: owner.to_owned(),
        domain: entry.domain.name.clone(),
        lets_encrypt: entry.tls.lets_encrypt,
        info: inspect(&pem).ok(),
        certificate: pem,
        chain: ssl.ca.trim().to_owned(),
        chain_unknown: false,
    }
}

/// The attribute a refusal of `v-add-web-domain-ssl` is about: the script checks the
/// certificate, the chain and the key (records 503; `is_web_domain_cert_valid`).
fn upload_refusal(mut error: PanelError) -> PanelError {
    let text = error
        .panel_message
        .clone()
        .unwrap_or_else(|| error.message.clone())
        .to_ascii_lowercase();
    let field = if text.contains("authority") || text.contains("chain") {
        Some("chain")
    } else if text.contains("key") {
        Some("private_key")
    } else if text.contains("certificate") {
        Some("certificate")
    } else {
        None
    };
    let refused = matches!(
        error.kind,
        PanelErrorKind::InvalidInput { .. } | PanelErrorKind::NotFound
    );
    if let (Some(field), true) = (field, refused) {
        error.kind = PanelErrorKind::InvalidInput {
            field: Some(field.to_owned()),
        };
    }
    error
}

/// A failed `v-add-letsencrypt-domain`: E_CONNECT (15) is the CA that could not be
/// reached or refused the order (record 520), which happens before anything is
/// installed, so nothing changed (the engine need not look for a certificate).
fn lets_encrypt_refusal(error: PanelError) -> PanelError {
    if error.panel_code.as_deref() == Some("15") {
        error.nothing_done()
    } else {
        error
    }
}

impl HestiaBackend {
    /// `owner`'s web domain `domain` (the shared list), or an input error on `domain`.
    async fn tls_domain(&self, owner: &str, domain: &str) -> PanelResult<WebDomainEntry> {
        let name = normal_name(domain).ok_or_else(|| {
            PanelError::invalid(Some("domain"), format!("{domain:?} is not a domain name"))
        })?;
        self.domain_of(owner, &name).await?.ok_or_else(|| {
            PanelError::invalid(
                Some("domain"),
                format!("hestia user {owner:?} has no web domain {domain:?}"),
            )
        })
    }

    /// The certificate of a listed domain: `v-list-web-domain-ssl` when `SSL` is on.
    async fn certificate_of_entry(
        &self,
        owner: &str,
        entry: &WebDomainEntry,
    ) -> PanelResult<Option<Certificate>> {
        if !entry.tls.ssl {
            return Ok(None);
        }
        let command = wire::list_web_domain_ssl(owner, &entry.stored);
        let Some(body) = self.read_optional(&command).await? else {
            return Ok(None);
        };
        match single::<SslRecord>(&command, &body)? {
            Some((_, ssl)) if !ssl.crt.trim().is_empty() => {
                Ok(Some(certificate_of(owner, entry, &ssl)))
            }
            _ => Ok(None),
        }
    }

    /// The certificate from the shared domain list.
    async fn listed_certificate(
        &self,
        owner: &str,
        domain: &DomainName,
    ) -> PanelResult<Option<Certificate>> {
        match self.domain_of(owner, domain).await? {
            Some(entry) => self.certificate_of_entry(owner, &entry).await,
            None => Ok(None),
        }
    }

    /// The certificate, fresh: `v-list-web-domain OWNER DOMAIN json` in each spelling
    /// the panel may store the domain under, then its SSL.
    async fn read_certificate(
        &self,
        owner: &str,
        domain: &DomainName,
    ) -> PanelResult<Option<Certificate>> {
        for stored in spellings(domain) {
            let command = wire::list_web_domain(owner, &stored);
            let Some(body) = self.read_optional(&command).await? else {
                continue;
            };
            if let Some((key, record)) = single::<WebDomainRecord>(&command, &body)? {
                let entry = super::domains::entry_from_record(owner, key, &record);
                if entry.domain.name == domain.as_str() {
                    return self.certificate_of_entry(owner, &entry).await;
                }
            }
        }
        Ok(None)
    }

    /// Writes the PEM files `v-add-web-domain-ssl` reads. Nothing is installed yet, so
    /// a failure here changed nothing that matters.
    async fn write_ssl_files(&self, owner: &str, stored: &str, upload: &Upload) -> PanelResult<()> {
        crate::redact::register(upload.private_key.expose());
        let files = [
            wire::make_tmp_file(upload.certificate.trim(), &format!("{stored}.crt")),
            wire::make_tmp_key_file(&upload.private_key, &format!("{stored}.key")),
        ];
        for command in files.iter() {
            self.write(command, Touches::Domains(owner))
                .await
                .map_err(PanelError::nothing_done)?;
        }
        if !upload.chain.trim().is_empty() {
            let command = wire::make_tmp_file(upload.chain.trim(), &format!("{stored}.ca"));
            self.write(&command, Touches::Domains(owner))
                .await
                .map_err(PanelError::nothing_done)?;
        }
        Ok(())
    }

    /// Installs the written files, then overwrites the key file whatever happened.
    async fn install_ssl(&self, owner: &str, stored: &str) -> PanelResult<()> {
        let installed = self
            .write(
                &wire::add_web_domain_ssl(owner, stored),
                Touches::Domains(owner),
            )
            .await
            .map_err(upload_refusal);
        let clear = wire::make_tmp_file(CLEARED, &format!("{stored}.key"));
        if let Err(error) = self.write(&clear, Touches::Domains(owner)).await {
            tracing::warn!(
                domain = stored,
                error = %error,
                "could not overwrite the private key file in the panel's /tmp"
            );
        }
        installed
    }

    async fn created_certificate(
        &self,
        owner: &str,
        name: &DomainName,
    ) -> PanelResult<Certificate> {
        match self.read_certificate(owner, name).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "the certificate was installed, but v-list-web-domain-ssl shows none for {}",
                name.as_str()
            ))
            .maybe_done()),
            Err(error) => Err(error.maybe_done()),
        }
    }
}

#[async_trait::async_trait]
impl Service<Certificate> for HestiaBackend {
    async fn create(&self, spec: &CertificateSpec) -> PanelResult<Certificate> {
        let owner = spec.owner.as_str();
        let entry = self.tls_domain(owner, &spec.domain).await?;
        let name = DomainName::lenient(&entry.domain.name);
        match &spec.source {
            CertificateSource::Upload(upload) => {
                self.write_ssl_files(owner, &entry.stored, upload).await?;
                self.install_ssl(owner, &entry.stored).await?;
            }
            CertificateSource::LetsEncrypt => {
                let command = wire::add_letsencrypt_domain(owner, &entry.stored);
                self.write(&command, Touches::Domains(owner))
                    .await
                    .map_err(lets_encrypt_refusal)?;
            }
        }
        self.created_certificate(owner, &name).await
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Certificate>> {
        match parse_id(&at.id) {
            Some((owner, domain)) => self.listed_certificate(owner, &domain).await,
            None => Ok(None),
        }
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<Certificate>> {
        match parse_id(&at.id) {
            Some((owner, domain)) => self.read_certificate(owner, &domain).await,
            None => Ok(None),
        }
    }

    async fn find(&self, key: &CertificateKey) -> PanelResult<Option<Certificate>> {
        let Some(domain) = normal_name(&key.domain) else {
            return Ok(None);
        };
        self.listed_certificate(&key.owner, &domain).await
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Certificate>> {
        let certificates = |owner: String| async move {
            let entries = self.domain_entries(&owner).await?;
            let mut found = Vec::new();
            for entry in entries.iter().filter(|e| e.tls.ssl) {
                if let Some(certificate) = self.certificate_of_entry(&owner, entry).await? {
                    found.push(certificate);
                }
            }
            Ok(found)
        };
        match &filter.owner {
            Some(owner) => certificates(owner.clone()).await,
            None => self.for_every_owner(certificates).await,
        }
    }

    async fn update(&self, at: &Locator, patch: &CertificatePatch) -> PanelResult<Certificate> {
        let (owner, domain) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        if let Some(upload) = &patch.upload {
            let entry = self.domain_of(owner, &domain).await?.ok_or_else(|| {
                PanelError::not_found(format!(
                    "hestia certificate {} is gone with its web domain",
                    at.id
                ))
            })?;
            self.write_ssl_files(owner, &entry.stored, upload).await?;
            let delete = wire::delete_web_domain_ssl(owner, &entry.stored);
            match self.write(&delete, Touches::Domains(owner)).await {
                Err(e) if !e.is_not_found() => return Err(e),
                _ => {}
            }
            self.install_ssl(owner, &entry.stored).await?;
        }
        self.read_certificate(owner, &domain)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("hestia certificate {} is gone", at.id)))
    }

    /// Deleting a certificate already gone (or whose domain is gone) succeeds.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (owner, domain) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let Some(entry) = self.domain_of(owner, &domain).await? else {
            return Ok(());
        };
        let command = wire::delete_web_domain_ssl(owner, &entry.stored);
        match self.write(&command, Touches::Domains(owner)).await {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Certificate>> {
        let (owner, domain) = parse_id(id).ok_or_else(|| malformed(id))?;
        self.read_certificate(owner, &domain).await
    }

    fn import_id(&self, object: &Certificate) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER/DOMAIN (e.g. bob/example.com)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::hestia::wire::tests::captured;

    #[test]
    fn ids_parse() {
        let (owner, domain) = parse_id("bob/Example.com").unwrap();
        assert_eq!((owner, domain.as_str()), ("bob", "example.com"));
        assert!(parse_id("bob").is_none());
        assert!(parse_id("/example.com").is_none());
        assert!(parse_id("bob/a/b").is_none());
    }

    #[test]
    fn the_captured_listing_reads_without_the_key() {
        let record = captured("507-list-web-domain-ssl");
        let body = record["body"].as_str().unwrap();
        let command = wire::list_web_domain_ssl("capmore", "cap-web.com");
        let (_, ssl) = single::<SslRecord>(&command, body).unwrap().unwrap();
        let info = inspect(&ssl.crt).unwrap();
        assert_eq!(info.names, ["cap-web.com", "www.cap-web.com"]);
        assert_eq!(info.not_after, "2027-12-03T15:06:06Z");
        assert_eq!(info.issuer, "CN=cap-web.com");
        let empty = captured("511-list-web-domain-ssl-after-delete");
        let (_, none) = single::<SslRecord>(&command, empty["body"].as_str().unwrap())
            .unwrap()
            .unwrap();
        assert!(none.crt.is_empty());
    }

    #[test]
    fn an_unreachable_lets_encrypt_changed_nothing() {
        let record = captured("520-add-letsencrypt-domain");
        let error = crate::backends::hestia::error::parse_error(
            "v-add-letsencrypt-domain",
            Some(15),
            record["body"].as_str().unwrap(),
        );
        assert!(
            error.may_have_taken_effect(),
            "E_CONNECT is unknown in general"
        );
        let error = lets_encrypt_refusal(error);
        assert!(!error.may_have_taken_effect());
        assert_eq!(
            error.panel_message.as_deref(),
            Some("Error: Let's Encrypt acc registration failed")
        );
    }

    #[test]
    fn upload_refusals_name_the_attribute() {
        let refused = |message: &str, kind: PanelErrorKind| {
            upload_refusal(
                PanelError::new(kind, "v-add-web-domain-ssl failed")
                    .with_panel(Some("2".into()), Some(message.into())),
            )
            .kind
        };
        let on = |field: &str| PanelErrorKind::InvalidInput {
            field: Some(field.into()),
        };
        assert_eq!(
            refused(
                "Error: ssl certificate key pair is not valid",
                PanelErrorKind::InvalidInput { field: None }
            ),
            on("private_key")
        );
        assert_eq!(
            refused(
                "Error: Certificate Authority not found",
                PanelErrorKind::NotFound
            ),
            on("chain")
        );
    }
}
