//! SSL/TLS certificates: the server pool and per-subscription pools (XML `certificate
//! install/update/remove/get-pool/generate`) and Let's Encrypt through the REST CLI
//! gateway (`extension --exec letsencrypt cli.php -d DOMAIN -m EMAIL`).
//!
//! Sources: XML schema outline (`certificateType`: name, webspace|site|admin,
//! content{csr, pvt, cert?, ca?}, ip_address?; `remove` filter name+; `get-pool`
//! result certificates/certificate/name; `generate` info{bits, country, state, location,
//! company, dept?, email, name} → csr + pvt); the captured `certificate-generate` pair;
//! the official client's `CertificateTest` (install csr+pvt only, update, delete by name
//! with `admin`); docs "Installing Certificates" (install only stores, it does not switch
//! SSL on for sites). Let's Encrypt through `plesk bin extension --exec letsencrypt
//! cli.php -d <domain> -m <email>`, called over `POST /api/v2/cli/extension/call`, is
//! how public integrations request it (no Plesk reference documents the extension's
//! options; see the `cli` module).
//!
//! The simulator "issues" Let's Encrypt certificates itself: a self-signed certificate
//! for the domain (and `www.`), valid 90 days, that becomes visible `delay_ms` after the
//! request (seed key `letsencrypt`). Private keys are never kept: the state holds only
//! their SHA-256 digest.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::state::{DomainKind, DomainRef, Fault, State};
use super::validate::printable;

/// How the simulated Let's Encrypt behaves (seed `{"letsencrypt": {...}}`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LetsEncrypt {
    /// Time between the request and the certificate appearing in the domain's pool.
    #[serde(default)]
    pub delay_ms: u64,
    /// `true`: the CLI call itself waits `delay_ms` before answering (as the real
    /// command blocks while it talks to the CA). `false`: it answers at once and the
    /// certificate shows up later, so clients must read back.
    #[serde(default)]
    pub wait: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Certificate {
    pub id: u64,
    pub name: String,
    /// `None` = the server pool (`admin`); otherwise the subscription's pool.
    pub webspace_id: Option<u64>,
    pub csr: String,
    pub cert_pem: Option<String>,
    pub ca_pem: Option<String>,
    /// SHA-256 (hex) of the private key as given; the key itself is not kept.
    pub private_key_sha256: String,
    /// Read from `cert_pem` when there is one.
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub not_after: Option<String>,
    pub fingerprint_sha256: Option<String>,
    /// Milliseconds since the epoch from which the certificate is visible.
    #[serde(default)]
    pub available_at_ms: u64,
    #[serde(default)]
    pub lets_encrypt: bool,
}

impl Certificate {
    pub fn visible(&self, now_ms: u64) -> bool {
        now_ms >= self.available_at_ms
    }
}

/// PEM text a request carried.
#[derive(Clone, Debug, Default)]
pub struct CertContent {
    pub csr: String,
    pub pvt: String,
    pub cert: Option<String>,
    pub ca: Option<String>,
}

pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

struct Parsed {
    issuer: String,
    subject: String,
    not_after: String,
    fingerprint: String,
}

fn parse_cert(pem: &str) -> Result<Parsed, Fault> {
    let invalid = || {
        Fault::invalid(
            "cert",
            "The certificate is not a PEM-encoded X.509 certificate.",
        )
    };
    let (_, block) =
        x509_parser::pem::parse_x509_pem(pem.trim().as_bytes()).map_err(|_| invalid())?;
    let cert = block.parse_x509().map_err(|_| invalid())?;
    let not_after = chrono::DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default();
    Ok(Parsed {
        issuer: cert.issuer().to_string(),
        subject: cert.subject().to_string(),
        not_after,
        fingerprint: hex::encode(Sha256::digest(&block.contents)),
    })
}

fn check_private_key(pvt: &str) -> Result<(), Fault> {
    let text = pvt.trim();
    if text.starts_with("-----BEGIN") && text.contains("PRIVATE KEY-----") {
        Ok(())
    } else {
        Err(Fault::invalid(
            "pvt",
            "The private key is not a PEM-encoded private key.",
        ))
    }
}

/// A CSR and its new private key, as `certificate generate` answers (captured pair).
pub fn generate_csr(
    bits: u32,
    names: &[(rcgen::DnType, String)],
    common_name: &str,
) -> Result<(String, String), Fault> {
    let size = match bits {
        2048 => rcgen::RsaKeySize::_2048,
        3072 => rcgen::RsaKeySize::_3072,
        4096 => rcgen::RsaKeySize::_4096,
        other => {
            return Err(Fault::invalid(
                "bits",
                format!("{other} bits is not supported; use 2048, 3072 or 4096."),
            ))
        }
    };
    let failed = |e: rcgen::Error| Fault::Failed(format!("Cannot generate the request: {e}"));
    let key = rcgen::KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, size).map_err(failed)?;
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).map_err(failed)?;
    for (kind, value) in names {
        if !value.is_empty() {
            params.distinguished_name.push(kind.clone(), value.as_str());
        }
    }
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name);
    let csr = params.serialize_request(&key).map_err(failed)?;
    Ok((csr.pem().map_err(failed)?, key.serialize_pem()))
}

/// A self-signed certificate for `names` standing in for a Let's Encrypt one.
fn self_signed(names: &[String]) -> Result<(String, String, String), Fault> {
    let failed = |e: rcgen::Error| Fault::Failed(format!("Cannot issue the certificate: {e}"));
    let key = rcgen::KeyPair::generate().map_err(failed)?;
    let mut params = rcgen::CertificateParams::new(names.to_vec()).map_err(failed)?;
    let common_name = names.first().cloned().unwrap_or_default();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, common_name.as_str());
    params.distinguished_name.push(
        rcgen::DnType::OrganizationName,
        "panel-sim Let's Encrypt (self-signed)",
    );
    let today = chrono::Utc::now().date_naive();
    let end = today + chrono::Days::new(90);
    use chrono::Datelike as _;
    params.not_before = rcgen::date_time_ymd(today.year(), today.month() as u8, today.day() as u8);
    params.not_after = rcgen::date_time_ymd(end.year(), end.month() as u8, end.day() as u8);
    let cert = params.self_signed(&key).map_err(failed)?;
    let csr = params
        .serialize_request(&key)
        .map_err(failed)?
        .pem()
        .map_err(failed)?;
    Ok((cert.pem(), key.serialize_pem(), csr))
}

impl State {
    /// The pool a request names: `None` = server (`admin`), else a subscription.
    pub fn certificate_pool(&self, domain: Option<&str>) -> Result<Option<u64>, Fault> {
        match domain {
            None => Ok(None),
            Some(name) => self
                .find_domain(&DomainRef::Name(name.to_owned()))
                .map(|d| Some(d.webspace_id))
                .ok_or_else(|| {
                    Fault::NotFound(format!("Domain {} does not exist", printable(name)))
                }),
        }
    }

    pub fn find_certificate(&self, pool: Option<u64>, name: &str) -> Option<&Certificate> {
        self.certificates
            .values()
            .find(|c| c.webspace_id == pool && c.name == name)
    }

    fn certificate_from(
        &self,
        id: u64,
        pool: Option<u64>,
        name: &str,
        content: &CertContent,
    ) -> Result<Certificate, Fault> {
        if name.trim().is_empty() || name.chars().any(char::is_control) || name.len() > 255 {
            return Err(Fault::invalid("name", "The certificate name is invalid."));
        }
        check_private_key(&content.pvt)?;
        let parsed = content.cert.as_deref().map(parse_cert).transpose()?;
        if let Some(ca) = &content.ca {
            parse_cert(ca).map_err(|_| {
                Fault::invalid(
                    "ca",
                    "The CA certificate is not a PEM-encoded X.509 certificate.",
                )
            })?;
        }
        Ok(Certificate {
            id,
            name: name.to_owned(),
            webspace_id: pool,
            csr: content.csr.clone(),
            cert_pem: content.cert.clone(),
            ca_pem: content.ca.clone(),
            private_key_sha256: hex::encode(Sha256::digest(content.pvt.trim().as_bytes())),
            issuer: parsed.as_ref().map(|p| p.issuer.clone()),
            subject: parsed.as_ref().map(|p| p.subject.clone()),
            not_after: parsed.as_ref().map(|p| p.not_after.clone()),
            fingerprint_sha256: parsed.map(|p| p.fingerprint),
            available_at_ms: 0,
            lets_encrypt: false,
        })
    }

    pub fn install_certificate(
        &mut self,
        pool: Option<u64>,
        name: &str,
        content: &CertContent,
    ) -> Result<u64, Fault> {
        if self.find_certificate(pool, name).is_some() {
            return Err(Fault::Exists(format!(
                "Certificate {} already exists in this repository.",
                printable(name)
            )));
        }
        let mut cert = self.certificate_from(0, pool, name, content)?;
        self.counters.certificate += 1;
        cert.id = self.counters.certificate;
        self.certificates.insert(cert.id, cert.clone());
        Ok(cert.id)
    }

    pub fn update_certificate(
        &mut self,
        pool: Option<u64>,
        name: &str,
        content: &CertContent,
    ) -> Result<(), Fault> {
        let id = self
            .find_certificate(pool, name)
            .map(|c| c.id)
            .ok_or_else(|| {
                Fault::NotFound(format!("Certificate {} does not exist", printable(name)))
            })?;
        let cert = self.certificate_from(id, pool, name, content)?;
        self.certificates.insert(id, cert);
        Ok(())
    }

    pub fn remove_certificate(&mut self, pool: Option<u64>, name: &str) -> Result<(), Fault> {
        let id = self
            .find_certificate(pool, name)
            .map(|c| c.id)
            .ok_or_else(|| {
                Fault::NotFound(format!("Certificate {} does not exist", printable(name)))
            })?;
        self.certificates.remove(&id);
        for domain in self.domains.values_mut() {
            if domain.webspace_id == pool.unwrap_or(0)
                && domain.certificate_name.as_deref() == Some(name)
            {
                domain.certificate_name = None;
            }
        }
        Ok(())
    }

    /// Issues the stand-in Let's Encrypt certificate for `domain` (+ extra names) into
    /// the subscription's pool as "Lets Encrypt <domain>" (Plesk's naming, seen in its UI;
    /// assumption) and makes the domain's hosting use it. A renewal replaces it in place.
    pub fn issue_lets_encrypt(&mut self, domain: &str, extra: &[String]) -> Result<String, Fault> {
        let found = self
            .find_domain(&DomainRef::Name(domain.to_owned()))
            .ok_or_else(|| {
                Fault::NotFound(format!("Domain {} does not exist", printable(domain)))
            })?;
        if found.kind == DomainKind::Subscription && found.ips.is_empty() {
            return Err(Fault::Failed("The domain has no IP address.".into()));
        }
        let (domain_id, pool, ascii) = (found.id, found.webspace_id, found.ascii_name.clone());
        let mut names = vec![ascii.clone()];
        for name in extra {
            let (_, extra_ascii) =
                super::validate::domain_name(name).map_err(|m| Fault::invalid("domain", m))?;
            if !names.contains(&extra_ascii) {
                names.push(extra_ascii);
            }
        }
        let (cert, pvt, csr) = self_signed(&names)?;
        let name = format!("Lets Encrypt {ascii}");
        let content = CertContent {
            csr,
            pvt,
            cert: Some(cert),
            ca: None,
        };
        let existing = self.find_certificate(Some(pool), &name).map(|c| c.id);
        let id = match existing {
            Some(id) => id,
            None => {
                self.counters.certificate += 1;
                self.counters.certificate
            }
        };
        let mut issued = self.certificate_from(id, Some(pool), &name, &content)?;
        issued.lets_encrypt = true;
        issued.available_at_ms = now_ms() + self.letsencrypt.delay_ms;
        self.certificates.insert(id, issued);
        if let Some(domain) = self.domains.get_mut(&domain_id) {
            domain.certificate_name = Some(name.clone());
        }
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_requests_and_stand_in_certificates_parse() {
        let (csr, pvt) = generate_csr(
            2048,
            &[(rcgen::DnType::CountryName, "CH".into())],
            "plesk.com",
        )
        .unwrap();
        assert!(csr.starts_with("-----BEGIN CERTIFICATE REQUEST-----"));
        assert!(pvt.starts_with("-----BEGIN PRIVATE KEY-----"));
        assert!(generate_csr(1000, &[], "x").is_err());
        let (cert, _, _) = self_signed(&["example.com".into()]).unwrap();
        let parsed = parse_cert(&cert).unwrap();
        assert!(parsed.subject.contains("example.com"));
        assert_eq!(parsed.fingerprint.len(), 64);
        assert!(parse_cert("garbage").is_err());
    }
}
