//! TLS certificates of a web domain: uploaded (PEM certificate, private key, chain) or
//! requested by the panel from Let's Encrypt, and the PEM/X.509 reading every layer
//! shares (what the resources check at plan time and the backends compute from what a
//! panel reports).
//!
//! Nothing here ever puts a private key into a message: errors about a key say what is
//! wrong with it, never what it holds.

use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};

use super::super::secret::Secret;
use super::super::service::{Locator, PanelObject, Service};
use super::super::Panel;

/// What a certificate says about itself, read from its DER.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The issuer's distinguished name (`CN=R11, O=Let's Encrypt, C=US`).
    pub issuer: String,
    /// The subject's distinguished name (`CN=example.com`).
    pub subject: String,
    /// The DNS names of the subject alternative name extension, in order.
    pub names: Vec<String>,
    /// RFC 3339, UTC, whole seconds: `2027-03-01T12:00:00Z`.
    pub not_before: String,
    pub not_after: String,
    /// SHA-256 of the DER, lowercase hex without separators (64 characters).
    pub fingerprint: String,
    /// The certificate's public key (subjectPublicKey bits), to compare with a key's.
    pub public_key: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Certificate {
    /// HestiaCP: `USER/DOMAIN`; PanelAlpha: `USER_ID/ACCOUNT_ID/DOMAIN`.
    pub id: String,
    /// The owning user's id.
    pub owner: String,
    /// The web domain the certificate secures.
    pub domain: String,
    /// Whether the panel requested it from Let's Encrypt (and renews it).
    pub lets_encrypt: bool,
    /// The certificate in PEM, as the panel reports it; empty when the panel's API
    /// does not give it back (then `info` comes from what was uploaded).
    pub certificate: String,
    /// The intermediate chain in PEM as the panel reports it; empty for none.
    pub chain: String,
    /// The panel's API does not give the chain back (PanelAlpha): `chain` is empty and
    /// says nothing, so state keeps the configured chain.
    pub chain_unknown: bool,
    /// What the certificate says; `None` when the panel holds no readable one yet (a
    /// Let's Encrypt request still being processed).
    pub info: Option<CertificateInfo>,
}

/// Where a new certificate comes from.
#[derive(Clone, Debug)]
pub enum CertificateSource {
    Upload(Upload),
    LetsEncrypt,
}

/// An uploaded certificate, its private key and chain.
#[derive(Clone, Debug)]
pub struct Upload {
    pub certificate: String,
    pub private_key: Secret,
    /// Empty for none.
    pub chain: String,
}

#[derive(Clone, Debug)]
pub struct CertificateSpec {
    pub owner: String,
    pub domain: String,
    pub source: CertificateSource,
}

/// An update replaces the uploaded certificate (with its key and chain).
#[derive(Clone, Debug, Default)]
pub struct CertificatePatch {
    pub upload: Option<Upload>,
}

/// A certificate's natural key: the domain it secures, within its owner.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateKey {
    pub owner: String,
    pub domain: String,
}

impl CertificateKey {
    pub fn matches(&self, certificate: &Certificate) -> bool {
        certificate.owner == self.owner && certificate.domain.eq_ignore_ascii_case(&self.domain)
    }
}

/// The PEM blocks of `text`: (label, DER). A block whose base64 does not decode is an
/// error naming its label; text outside blocks is ignored, as openssl does.
fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, String> {
    use base64::Engine as _;
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let Some(label_end) = after.find("-----") else {
            return Err("holds a `-----BEGIN` line that is not closed".to_owned());
        };
        let label = after[..label_end].to_owned();
        let body_and_more = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(end) = body_and_more.find(&end_marker) else {
            return Err(format!("holds a `{label}` block without its END line"));
        };
        let body: String = body_and_more[..end]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .map_err(|_| format!("holds a `{label}` block whose base64 does not decode"))?;
        blocks.push((label, der));
        rest = &body_and_more[end + end_marker.len()..];
    }
    Ok(blocks)
}

/// Whether `text` holds (a piece of) a private key: such text must never be kept in a
/// certificate or chain attribute, which are stored in state.
pub fn holds_private_key(text: &str) -> bool {
    text.contains("PRIVATE KEY")
}

fn rfc3339(time: x509_parser::time::ASN1Time) -> String {
    chrono::DateTime::from_timestamp(time.timestamp(), 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Reads one DER certificate.
fn info_of(der: &[u8]) -> Result<CertificateInfo, String> {
    let (_, cert) = X509Certificate::from_der(der)
        .map_err(|e| format!("is not a readable X.509 certificate ({e})"))?;
    let names = cert
        .subject_alternative_name()
        .ok()
        .flatten()
        .map(|san| {
            san.value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    GeneralName::DNSName(dns) => Some((*dns).to_owned()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(CertificateInfo {
        issuer: cert.issuer().to_string(),
        subject: cert.subject().to_string(),
        names,
        not_before: rfc3339(cert.validity().not_before),
        not_after: rfc3339(cert.validity().not_after),
        fingerprint: hex::encode(Sha256::digest(der)),
        public_key: cert.public_key().subject_public_key.data.to_vec(),
    })
}

/// The one certificate a `certificate` attribute holds, or what is wrong with it.
pub fn inspect(pem: &str) -> Result<CertificateInfo, String> {
    if holds_private_key(pem) {
        return Err("holds a private key; put the key in `private_key_wo`".to_owned());
    }
    let blocks = pem_blocks(pem)?;
    match blocks.as_slice() {
        [] => Err("is not PEM: no `-----BEGIN CERTIFICATE-----` block".to_owned()),
        [(label, der)] if label == "CERTIFICATE" => info_of(der),
        [(label, _)] => Err(format!(
            "holds a `{label}` block, not a `CERTIFICATE` block"
        )),
        _ => Err(format!(
            "holds {} PEM blocks; put only the domain's certificate here and the \
             intermediates in `chain`",
            blocks.len()
        )),
    }
}

/// The certificates of a `chain` attribute (one or more), or what is wrong with it.
pub fn inspect_chain(pem: &str) -> Result<Vec<CertificateInfo>, String> {
    if holds_private_key(pem) {
        return Err("holds a private key".to_owned());
    }
    let blocks = pem_blocks(pem)?;
    if blocks.is_empty() {
        return Err("is not PEM: no `-----BEGIN CERTIFICATE-----` block".to_owned());
    }
    blocks
        .iter()
        .map(|(label, der)| {
            if label == "CERTIFICATE" {
                info_of(der)
            } else {
                Err(format!(
                    "holds a `{label}` block, not a `CERTIFICATE` block"
                ))
            }
        })
        .collect()
}

/// What is wrong with a private key as written, if anything: one unencrypted PEM
/// private key. Never quotes the key.
pub fn private_key_problem(pem: &str) -> Option<String> {
    let blocks = match pem_blocks(pem) {
        Ok(blocks) => blocks,
        Err(_) => return Some("is not a PEM private key".to_owned()),
    };
    match blocks.as_slice() {
        [(label, _)] if label == "ENCRYPTED PRIVATE KEY" || pem.contains("ENCRYPTED") => Some(
            "is protected by a passphrase, which the panels cannot use; remove the passphrase"
                .to_owned(),
        ),
        [(label, _)] if label.ends_with("PRIVATE KEY") => None,
        [] | [_] => Some("is not a PEM private key (`-----BEGIN PRIVATE KEY-----`)".to_owned()),
        _ => Some("holds more than one PEM block; give only the private key".to_owned()),
    }
}

/// Whether `private_key` belongs to the certificate: `Some(false)` when it certainly
/// does not, `None` when the key's kind cannot be read here (the panel checks it).
pub fn key_matches(info: &CertificateInfo, private_key: &str) -> Option<bool> {
    let pair = rcgen::KeyPair::from_pem(private_key).ok()?;
    Some(pair.public_key_raw() == info.public_key.as_slice())
}

/// The DER fingerprint of the one certificate in `pem`, for comparing two spellings.
pub fn fingerprint(pem: &str) -> Option<String> {
    inspect(pem).ok().map(|info| info.fingerprint)
}

impl PanelObject for Certificate {
    type Spec = CertificateSpec;
    type Patch = CertificatePatch;
    type Key = CertificateKey;
    const NOUN: &'static str = "certificate";

    fn id(&self) -> &str {
        &self.id
    }

    fn locator(&self) -> Locator {
        Locator::new(&self.id).with_owner(Some(&self.owner))
    }

    fn owner(&self) -> Option<&str> {
        Some(&self.owner)
    }

    fn spec_key(spec: &CertificateSpec) -> CertificateKey {
        CertificateKey {
            owner: spec.owner.clone(),
            domain: spec.domain.clone(),
        }
    }

    fn service(panel: &dyn Panel) -> Option<&dyn Service<Self>> {
        panel.certificates()
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A self-signed certificate for `names` and its private key (PEM).
    pub fn self_signed(names: &[&str]) -> (String, String) {
        let key = rcgen::KeyPair::generate().unwrap();
        let params =
            rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
                .unwrap();
        let cert = params.self_signed(&key).unwrap();
        (cert.pem(), key.serialize_pem())
    }

    #[test]
    fn certificates_are_read_and_fingerprinted() {
        let (pem, key) = self_signed(&["example.com", "www.example.com"]);
        let info = inspect(&pem).unwrap();
        assert_eq!(info.names, ["example.com", "www.example.com"]);
        assert_eq!(info.fingerprint.len(), 64);
        assert!(info.not_after.ends_with('Z'), "{}", info.not_after);
        assert_eq!(key_matches(&info, &key), Some(true));
        let (_, other) = self_signed(&["example.com"]);
        assert_eq!(key_matches(&info, &other), Some(false));
        assert_eq!(private_key_problem(&key), None);
        assert_eq!(fingerprint(&format!("\n{pem}\n\n")), Some(info.fingerprint));
        assert_eq!(inspect_chain(&format!("{pem}{pem}")).unwrap().len(), 2);
    }

    #[test]
    fn bad_input_is_refused_without_quoting_keys() {
        let (pem, key) = self_signed(&["example.com"]);
        for bad in [
            "",
            "garbage",
            "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
            "-----BEGIN CERTIFICATE-----\nAAAA",
            "-----BEGIN CERT",
        ] {
            assert!(inspect(bad).is_err(), "{bad:?}");
        }
        let with_key = format!("{pem}{key}");
        let problem = inspect(&with_key).unwrap_err();
        assert!(!problem.contains("BEGIN PRIVATE"), "{problem}");
        assert!(inspect(&format!("{pem}{pem}")).is_err());
        assert!(private_key_problem("nope").is_some());
        assert!(private_key_problem(&pem).is_some());
        assert!(private_key_problem(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----"
        )
        .is_some());
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut seed = 7u64;
        for len in 0..300 {
            let text: String = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                    let pick = (seed >> 33) as usize % 70;
                    "-----BEGIN CERTIFICATE END ABCDEFGHabcdefgh0123456789+/=\n\r é€\u{0}"
                        .chars()
                        .nth(pick % 60)
                        .unwrap_or('A')
                })
                .collect();
            let _ = inspect(&text);
            let _ = inspect_chain(&text);
            let _ = private_key_problem(&text);
        }
    }
}
