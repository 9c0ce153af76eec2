//! PanelAlpha TLS certificates of a hosting account's domains (user API,
//! `server-accounts/{id}/ssl…`, endpoints.json #245-#249).
//!
//! - Read: `GET …/ssl?domain=D` (#245): the installed certificate with its PEM
//!   (`certificate_text`), or nothing. Whether the panel ordered it (Let's Encrypt) is
//!   `auto_installed` of `GET …/ssl/domains` (#246). The API gives back neither the key
//!   (good) nor the CA bundle, so `chain` is reported as unreadable (`chain_unknown`):
//!   state keeps the configured chain.
//! - Upload and change: `PUT …/ssl/certificates/install {domain, certificate, key,
//!   cabundle}` (#248); installing replaces the domain's certificate, so a change is in
//!   place. The key is registered with the request's redactor.
//! - Let's Encrypt: `POST …/ssl/certificates/order {domain, provider_id}` (#249), the
//!   provider being the one of `GET api/admin/ssl/providers` (#3) whose type or name is
//!   Let's Encrypt. The order is asynchronous: the create waits (up to [`ORDER_WAIT`])
//!   for the certificate to be installed, then reports what the panel has.
//! - Delete: the API has no call that removes (uninstalls) a certificate. A delete
//!   sends nothing; the engine removes the certificate from state and shows
//!   [`LEFT_BEHIND`] as a warning.
//!
//! Ids are `USER_ID/ACCOUNT_ID/DOMAIN`, as for domains.

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::client::HttpRequest;
use super::error::FieldMap;
use super::{parse_number, ObjectId, PanelAlphaBackend, Source, Touch};
use crate::backends::http::normalize_domain;
use crate::panel::certificate::{inspect, Upload};
use crate::panel::{
    Certificate, CertificateKey, CertificatePatch, CertificateSource, CertificateSpec, ListFilter,
    Locator, PanelError, PanelResult, Service,
};

const SSL_FIELDS: FieldMap = &[
    ("domain", "domain"),
    ("certificate", "certificate"),
    ("key", "private_key"),
    ("cabundle", "chain"),
    ("provider_id", "lets_encrypt"),
];

/// How long a create waits for an ordered certificate to be installed, in total.
const ORDER_WAIT: Duration = Duration::from_secs(60);
const ORDER_POLL: Duration = Duration::from_millis(500);

/// What a destroy leaves on PanelAlpha (shown as the delete's warning).
pub(crate) const LEFT_BEHIND: &str =
    "PanelAlpha's API has no call that removes an installed certificate, so the \
     certificate stays installed on the domain until it expires or another certificate \
     replaces it (a Let's Encrypt certificate may go on being renewed by the panel). \
     Remove it in PanelAlpha's interface if it must go. A new `panel_certificate` for \
     the domain will report it as existing, to be imported.";

/// One item of `GET …/ssl/domains`.
#[derive(Clone, Debug, Default, Deserialize)]
struct SslDomain {
    #[serde(default)]
    domain: String,
    #[serde(default)]
    auto_installed: bool,
}

fn parse_id(id: &str) -> PanelResult<ObjectId> {
    ObjectId::parse_domain(id).map_err(|_| {
        PanelError::invalid(
            Some("id"),
            format!(
                "panelalpha certificate ids look like USER_ID/ACCOUNT_ID/DOMAIN (e.g. \
                 3/7/example.com), got {id:?}"
            ),
        )
    })
}

/// The installed certificate of an answer of #245; `None` for none (`[]`, no text).
fn certificate_of(
    user: i64,
    account: i64,
    domain: &str,
    body: &Value,
    auto: bool,
) -> Option<Certificate> {
    let map: &Map<String, Value> = body.as_object()?;
    let pem = map
        .get("certificate_text")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    if pem.is_empty() {
        return None;
    }
    Some(Certificate {
        id: format!("{user}/{account}/{domain}"),
        owner: user.to_string(),
        domain: domain.to_owned(),
        lets_encrypt: auto,
        info: inspect(&pem).ok(),
        certificate: pem,
        chain: String::new(),
        chain_unknown: true,
    })
}

impl PanelAlphaBackend {
    /// The certificate installed on `domain` of the account, fresh.
    async fn installed_certificate(
        &self,
        user: i64,
        account: i64,
        domain: &str,
    ) -> PanelResult<Option<Certificate>> {
        let request = HttpRequest::get(format!("server-accounts/{account}/ssl"))
            .query("domain", domain.to_owned());
        let body = match self.client.call(request, Some(user), SSL_FIELDS, &[]).await {
            Ok(body) => body,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        if !body.is_object() {
            return Ok(None);
        }
        let auto = self
            .ssl_domains(user, account)
            .await?
            .iter()
            .any(|d| d.auto_installed && d.domain.eq_ignore_ascii_case(domain));
        Ok(certificate_of(user, account, domain, &body, auto))
    }

    async fn ssl_domains(&self, user: i64, account: i64) -> PanelResult<Vec<SslDomain>> {
        Ok(self
            .account_list(format!("server-accounts/{account}/ssl/domains"), user)
            .await?
            .unwrap_or_default())
    }

    async fn certificate_at(&self, id: &str) -> PanelResult<Option<Certificate>> {
        let at = parse_id(id)?;
        self.installed_certificate(at.user, at.account, &at.name)
            .await
    }

    /// The Let's Encrypt provider's id.
    async fn lets_encrypt_provider(&self) -> PanelResult<i64> {
        let providers = self
            .client
            .call(
                HttpRequest::get("admin/ssl/providers"),
                None,
                SSL_FIELDS,
                &[],
            )
            .await
            .map_err(PanelError::nothing_done)?;
        providers
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| {
                let text = |k: &str| {
                    p.get(k)
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_ascii_lowercase()
                        .replace(['\'', ' '], "")
                };
                text("type").contains("letsencrypt") || text("name").contains("letsencrypt")
            })
            .and_then(|p| p.get("id").and_then(Value::as_i64))
            .ok_or_else(|| {
                PanelError::invalid(
                    Some("lets_encrypt"),
                    "this PanelAlpha offers no Let's Encrypt SSL provider (GET \
                     api/admin/ssl/providers)",
                )
                .nothing_done()
            })
    }

    async fn install(
        &self,
        user: i64,
        account: i64,
        domain: &str,
        upload: &Upload,
    ) -> PanelResult<()> {
        crate::redact::register(upload.private_key.expose());
        let mut body = json!({
            "domain": domain,
            "certificate": upload.certificate.trim(),
            "key": upload.private_key.expose(),
        });
        if !upload.chain.trim().is_empty() {
            body["cabundle"] = json!(upload.chain.trim());
        }
        let request = HttpRequest::new(
            Method::PUT,
            format!("server-accounts/{account}/ssl/certificates/install"),
        )
        .json(body);
        self.write(
            request,
            Some(user),
            SSL_FIELDS,
            &[upload.private_key.expose()],
            &[Touch::Domains { user, account }],
        )
        .await
        .map(drop)
    }
}

#[async_trait::async_trait]
impl Service<Certificate> for PanelAlphaBackend {
    async fn create(&self, spec: &CertificateSpec) -> PanelResult<Certificate> {
        let user = parse_number("owner", &spec.owner)?;
        let domain = normalize_domain(&spec.domain)
            .map_err(|e| PanelError::invalid(Some("domain"), e.message))?;
        let accounts = self.accounts_of(user, Source::Own).await?;
        let account = self
            .account_holding(user, &accounts, &domain, "domain")
            .await?;
        match &spec.source {
            CertificateSource::Upload(upload) => {
                self.install(user, account, &domain, upload).await?;
            }
            CertificateSource::LetsEncrypt => {
                let provider = self.lets_encrypt_provider().await?;
                let request = HttpRequest::new(
                    Method::POST,
                    format!("server-accounts/{account}/ssl/certificates/order"),
                )
                .json(json!({"domain": domain, "provider_id": provider}));
                self.write(
                    request,
                    Some(user),
                    SSL_FIELDS,
                    &[],
                    &[Touch::Domains { user, account }],
                )
                .await?;
                let mut waited = Duration::ZERO;
                while waited < ORDER_WAIT {
                    match self.installed_certificate(user, account, &domain).await {
                        Ok(Some(c)) if c.lets_encrypt => return Ok(c),
                        Ok(_) => {}
                        Err(e) => return Err(e.maybe_done()),
                    }
                    tokio::time::sleep(ORDER_POLL).await;
                    waited += ORDER_POLL;
                }
                return Err(PanelError::protocol(format!(
                    "PanelAlpha accepted the Let's Encrypt order for {domain}, but no \
                     certificate was installed within {} seconds; run `terraform apply` \
                     again once the order is completed",
                    ORDER_WAIT.as_secs()
                ))
                .maybe_done());
            }
        }
        match self.installed_certificate(user, account, &domain).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "PanelAlpha accepted the certificate for {domain}, but shows none installed"
            ))
            .maybe_done()),
            Err(e) => Err(e.maybe_done()),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Certificate>> {
        self.certificate_at(&at.id).await
    }

    async fn find(&self, key: &CertificateKey) -> PanelResult<Option<Certificate>> {
        let Ok(user) = key.owner.trim().parse::<i64>() else {
            return Ok(None);
        };
        let Ok(domain) = normalize_domain(&key.domain) else {
            return Ok(None);
        };
        let accounts = self.accounts_of(user, Source::Own).await?;
        let account = match self
            .account_holding(user, &accounts, &domain, "domain")
            .await
        {
            Ok(account) => account,
            Err(e)
                if matches!(
                    &e.kind,
                    crate::panel::PanelErrorKind::InvalidInput { field: Some(f) } if f == "domain"
                ) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(e),
        };
        self.installed_certificate(user, account, &domain).await
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Certificate>> {
        let mut out = Vec::new();
        for (user, account) in self.listed_accounts(filter.owner.as_deref()).await? {
            for listed in self.ssl_domains(user, account).await? {
                let Ok(domain) = normalize_domain(&listed.domain) else {
                    continue;
                };
                if let Some(found) = self.installed_certificate(user, account, &domain).await? {
                    out.push(found);
                }
            }
        }
        Ok(out)
    }

    async fn update(&self, at: &Locator, patch: &CertificatePatch) -> PanelResult<Certificate> {
        let id = parse_id(&at.id)?;
        if let Some(upload) = &patch.upload {
            self.install(id.user, id.account, &id.name, upload).await?;
        }
        self.certificate_at(&at.id).await?.ok_or_else(|| {
            PanelError::not_found(format!("panelalpha certificate {} is gone", at.id))
        })
    }

    /// Nothing to send: the API cannot remove a certificate (see [`LEFT_BEHIND`]).
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        parse_id(&at.id).map(drop)
    }

    fn delete_leaves(&self) -> Option<&'static str> {
        Some(LEFT_BEHIND)
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Certificate>> {
        self.certificate_at(id).await
    }

    fn import_id(&self, object: &Certificate) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER_ID/ACCOUNT_ID/DOMAIN (e.g. 3/7/example.com)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse() {
        let id = parse_id("3/7/Example.com").unwrap();
        assert_eq!(
            (id.user, id.account, id.name.as_str()),
            (3, 7, "example.com")
        );
        assert!(parse_id("3/example.com").is_err());
        assert!(parse_id("x/7/example.com").is_err());
    }

    #[test]
    fn no_certificate_reads_as_none() {
        assert!(certificate_of(3, 7, "a.example", &json!([]), false).is_none());
        assert!(
            certificate_of(3, 7, "a.example", &json!({"certificate_text": null}), false).is_none()
        );
        let read =
            certificate_of(3, 7, "a.example", &json!({"certificate_text": "x"}), true).unwrap();
        assert!(read.lets_encrypt && read.chain_unknown && read.info.is_none());
    }
}
