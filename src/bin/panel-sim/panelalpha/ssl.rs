//! SSL certificates of a hosting account: uploaded PEM certificates and certificates ordered
//! from a provider (Let's Encrypt), plus the per-domain "force HTTPS" setting.
//!
//! Sources: the seed (`endpoints.json`): #245 `GET api/server-accounts/{id}/ssl?domain=`
//! (installed certificate of a domain), #246 `GET .../ssl/domains`, #247 `GET
//! .../ssl/certificates[?domain=]`, #248 `PUT .../ssl/certificates/install` (`domain`
//! required; `certificate_id` (string), `certificate`, `key`, `cabundle` optional), #249 `POST
//! .../ssl/certificates/order` (`domain`, `provider_id` required), #250/#251 `GET/PUT
//! .../ssl/settings/{domain}` (`force_https_redirect` boolean required), #297 `GET
//! api/ssl-offer`, #3 `GET api/admin/ssl/providers`, #4 `GET api/admin/ssl-orders`, #6/#7
//! `PUT api/admin/ssl-orders/{id}/process|abandon`, #122 `GET
//! api/admin/hosting-accounts/{id}/ssl-domains`. The vendor's integration template
//! (`Account/SslCerts.php`): an SSL domain is `{domain, domains, common_name, issuer_name,
//! not_before, not_after, self_signed, auto_installed, name_match}`; an installed certificate
//! is `{common_name, domain, domains, issuer_name, not_before, not_after, self_signed,
//! name_match, certificate_text}` or nothing; install takes certificate, key and CA bundle in
//! PEM; automatic provisioning (typically Let's Encrypt) is the hosting server's job.
//!
//! Assumptions:
//! - One provider is offered: id 1, Let's Encrypt (free). An order is asynchronous: it
//!   answers `pending`, and after `settings.letsencrypt_delay_ms` (default 1000 ms, set by the
//!   seed) the simulator issues a self-signed certificate for the ordered domain (90 days,
//!   `issuer_name` "panel-sim Let's Encrypt") and installs it (`auto_installed: true`); the
//!   order becomes `completed` (`failed` when the domain has gone meanwhile). Processing an
//!   order (admin) issues at once; abandoning a pending order stops it. A second order for a
//!   domain with one pending is refused (message-only 422).
//! - Installing from PEM needs `certificate` and `key` (unless `certificate_id` names a
//!   stored certificate); the key must match the certificate (422 on `key`). A certificate
//!   that does not cover the domain is installed with `name_match: false`, as the
//!   integration's field implies. Installed certificates are kept in the account's
//!   certificate store (`ssl/certificates`), whose ids are strings (`certificate_id` is a
//!   string); installing replaces the domain's previous certificate.
//! - Private keys are never stored or shown: only a digest, to know the store holds the key.
//! - Dates are listed like Laravel's timestamps. An unknown domain is a 404 on reads and a 422
//!   on `domain` in bodies. No certificate installed: `{"data": []}` (a resource around
//!   null, as for the email lookup).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::reply::ApiError;
use super::state::{find_domain, find_domain_mut, now, HostingAccount, PasswordHash, State};
use super::validate::{Input, Text, Validator};

pub const LETS_ENCRYPT: u64 = 1;
pub const DEFAULT_DELAY_MS: u64 = 1_000;
const ISSUER: &str = "panel-sim Let's Encrypt";
const ORDER_MODEL: &str = "App\\Models\\SslOrder";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredCertificate {
    pub id: String,
    pub pem: String,
    pub cabundle: Option<String>,
    /// Digest of the private key, never the key.
    pub key: PasswordHash,
    pub common_name: String,
    pub domains: Vec<String>,
    pub issuer_name: String,
    pub not_before: String,
    pub not_after: String,
    pub self_signed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SslOrder {
    pub id: u64,
    pub user_id: u64,
    pub hosting_account_id: u64,
    pub domain: String,
    pub provider_id: u64,
    /// `pending`, `completed`, `failed` or `abandoned`.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    /// When a pending order is issued (ms since the epoch).
    pub due_at_ms: i64,
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub fn providers_json() -> Value {
    json!([{"id": LETS_ENCRYPT, "name": "Let's Encrypt", "type": "letsencrypt", "price": 0}])
}

pub fn order_json(order: &SslOrder) -> Value {
    json!({
        "id": order.id,
        "user_id": order.user_id,
        "hosting_account_id": order.hosting_account_id,
        "domain": order.domain,
        "provider_id": order.provider_id,
        "status": order.status,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
    })
}

fn certificate_json(certificate: &StoredCertificate) -> Value {
    json!({
        "id": certificate.id,
        "common_name": certificate.common_name,
        "domains": certificate.domains,
        "issuer_name": certificate.issuer_name,
        "not_before": certificate.not_before,
        "not_after": certificate.not_after,
        "self_signed": certificate.self_signed,
    })
}

/// Whether a certificate's names cover a domain (exact, or one-label wildcard).
fn covers(certificate: &StoredCertificate, domain: &str) -> bool {
    certificate.domains.iter().any(|name| {
        name == domain
            || name
                .strip_prefix("*.")
                .is_some_and(|base| domain.split_once('.').is_some_and(|(_, rest)| rest == base))
    })
}

/// The certificate installed on `domain` with its domain-level fields.
fn installed(account: &HostingAccount, domain: &str) -> Option<(Value, bool)> {
    let found = find_domain(account, domain).ok()?;
    let certificate = account
        .certificates
        .get(found.ssl_certificate.as_deref()?)?;
    let mut body = certificate_json(certificate);
    if let Some(map) = body.as_object_mut() {
        map.insert("domain".into(), json!(found.domain));
        map.insert(
            "name_match".into(),
            json!(covers(certificate, &found.domain)),
        );
    }
    Some((body, found.ssl_auto))
}

/// `GET .../ssl?domain=`: the installed certificate with its PEM, or `[]`.
pub fn installed_json(account: &HostingAccount, domain: &str) -> Result<Value, ApiError> {
    let found = find_domain(account, domain)?;
    Ok(match installed(account, &found.domain) {
        Some((mut body, _)) => {
            let pem = found
                .ssl_certificate
                .as_deref()
                .and_then(|id| account.certificates.get(id))
                .map(|c| c.pem.clone());
            if let Some(map) = body.as_object_mut() {
                map.insert("certificate_text".into(), json!(pem));
            }
            body
        }
        None => json!([]),
    })
}

/// `GET .../ssl/domains`: the domains that have a certificate installed.
pub fn ssl_domains_json(account: &HostingAccount) -> Value {
    Value::Array(
        account
            .domains
            .iter()
            .filter_map(|d| installed(account, &d.domain))
            .map(|(mut body, auto)| {
                if let Some(map) = body.as_object_mut() {
                    map.insert("auto_installed".into(), json!(auto));
                }
                body
            })
            .collect(),
    )
}

/// `GET .../ssl/certificates[?domain=]`: the account's certificate store.
pub fn certificates_json(account: &HostingAccount, domain: Option<&str>) -> Value {
    let domain = domain.map(str::to_ascii_lowercase);
    Value::Array(
        account
            .certificates
            .values()
            .filter(|c| domain.as_deref().is_none_or(|d| covers(c, d)))
            .map(certificate_json)
            .collect(),
    )
}

pub fn settings_json(account: &HostingAccount, domain: &str) -> Result<Value, ApiError> {
    let found = find_domain(account, domain)?;
    Ok(json!({"force_https_redirect": found.force_https_redirect}))
}

pub fn update_settings(
    account: &mut HostingAccount,
    domain: &str,
    input: &Input,
) -> Result<Value, ApiError> {
    find_domain(account, domain)?;
    let mut v = Validator::new(input);
    let force = v.boolean("force_https_redirect", true);
    v.finish()?;
    let found = find_domain_mut(account, domain)?;
    found.force_https_redirect = force.unwrap_or(false);
    Ok(json!({"force_https_redirect": found.force_https_redirect}))
}

/// `PUT .../ssl/certificates/install`.
pub fn install(account: &mut HostingAccount, input: &Input) -> Result<Value, ApiError> {
    let mut v = Validator::new(input);
    let domain = v.text("domain", Text::REQUIRED);
    let certificate_id = v.text("certificate_id", Text::OPTIONAL);
    let pem = v.text("certificate", Text::OPTIONAL);
    let key = v.text("key", Text::OPTIONAL);
    let cabundle = v.text("cabundle", Text::OPTIONAL);
    if certificate_id.is_none() {
        for (field, value) in [("certificate", &pem), ("key", &key)] {
            if value.is_none() && !v.has_failed(field) {
                v.fail(
                    field,
                    format!("The {field} field is required when certificate id is not present."),
                );
            }
        }
    }
    v.finish()?;
    let domain = find_domain(account, domain.as_deref().unwrap_or(""))
        .map_err(|_| ApiError::field("domain", "The selected domain is invalid."))?
        .domain
        .clone();
    let id = match certificate_id {
        Some(id) => {
            if !account.certificates.contains_key(&id) {
                return Err(ApiError::field(
                    "certificate_id",
                    "The selected certificate id is invalid.",
                ));
            }
            id
        }
        None => store(
            account,
            pem.as_deref().unwrap_or(""),
            key.as_deref().unwrap_or(""),
            cabundle.as_deref(),
        )?,
    };
    let target = find_domain_mut(account, &domain)?;
    target.ssl_certificate = Some(id);
    target.ssl_auto = false;
    installed_json(account, &domain)
}

/// Checks a PEM certificate and its key, and keeps them in the store; answers the id.
pub fn store(
    account: &mut HostingAccount,
    pem: &str,
    key: &str,
    cabundle: Option<&str>,
) -> Result<String, ApiError> {
    let parsed = parse_certificate(pem).ok_or_else(|| {
        ApiError::field(
            "certificate",
            "The certificate field must be a PEM encoded X.509 certificate.",
        )
    })?;
    let key_pair = rcgen::KeyPair::from_pem(key)
        .map_err(|_| ApiError::field("key", "The key field must be a PEM encoded private key."))?;
    if rcgen::PublicKeyData::der_bytes(&key_pair) != parsed.public_key.as_slice() {
        return Err(ApiError::field(
            "key",
            "The key does not match the certificate.",
        ));
    }
    if let Some(bundle) = cabundle {
        if parse_certificate(bundle).is_none() {
            return Err(ApiError::field(
                "cabundle",
                "The cabundle field must be a PEM encoded X.509 certificate.",
            ));
        }
    }
    let id = format!(
        "{}_{}",
        parsed.common_name.replace(['.', '*'], "_"),
        &parsed.fingerprint[..16]
    );
    account.certificates.insert(
        id.clone(),
        StoredCertificate {
            id: id.clone(),
            pem: pem.trim().to_string(),
            cabundle: cabundle.map(|b| b.trim().to_string()),
            key: PasswordHash::of(key.trim()),
            common_name: parsed.common_name,
            domains: parsed.domains,
            issuer_name: parsed.issuer_name,
            not_before: parsed.not_before,
            not_after: parsed.not_after,
            self_signed: parsed.self_signed,
        },
    );
    Ok(id)
}

struct ParsedCertificate {
    common_name: String,
    domains: Vec<String>,
    issuer_name: String,
    not_before: String,
    not_after: String,
    self_signed: bool,
    public_key: Vec<u8>,
    fingerprint: String,
}

fn laravel_time(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string())
        .unwrap_or_default()
}

fn parse_certificate(pem: &str) -> Option<ParsedCertificate> {
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.trim().as_bytes()).ok()?;
    if block.label != "CERTIFICATE" {
        return None;
    }
    let certificate = block.parse_x509().ok()?;
    let text = |attribute: Option<&x509_parser::x509::AttributeTypeAndValue<'_>>| {
        attribute.and_then(|a| a.as_str().ok()).map(str::to_string)
    };
    let common_name = text(certificate.subject().iter_common_name().next()).unwrap_or_default();
    let mut domains: Vec<String> = Vec::new();
    if let Ok(Some(names)) = certificate.subject_alternative_name() {
        for name in &names.value.general_names {
            if let x509_parser::extensions::GeneralName::DNSName(dns) = name {
                domains.push(dns.to_ascii_lowercase());
            }
        }
    }
    if domains.is_empty() && !common_name.is_empty() {
        domains.push(common_name.to_ascii_lowercase());
    }
    let issuer = certificate.issuer();
    let issuer_name = text(issuer.iter_organization().next())
        .or_else(|| text(issuer.iter_common_name().next()))
        .unwrap_or_default();
    let validity = certificate.validity();
    Some(ParsedCertificate {
        common_name,
        domains,
        issuer_name,
        not_before: laravel_time(validity.not_before.timestamp()),
        not_after: laravel_time(validity.not_after.timestamp()),
        self_signed: certificate.subject().as_raw() == issuer.as_raw(),
        public_key: certificate.public_key().subject_public_key.data.to_vec(),
        fingerprint: hex::encode(Sha256::digest(&block.contents)),
    })
}

/// A self-signed certificate for `domain`, valid from today for `days`: (certificate PEM,
/// private key PEM).
pub fn self_signed(domain: &str, issuer: &str, days: i64) -> Result<(String, String), String> {
    use chrono::Datelike;
    let date = |offset: i64| {
        let day = chrono::Utc::now().date_naive() + chrono::Duration::days(offset);
        let month = u8::try_from(day.month()).unwrap_or(1);
        let dom = u8::try_from(day.day()).unwrap_or(1);
        rcgen::date_time_ymd(day.year(), month, dom)
    };
    let mut params = rcgen::CertificateParams::new(vec![domain.to_string()])
        .map_err(|e| format!("cannot build a certificate for {domain}: {e}"))?;
    let mut name = rcgen::DistinguishedName::new();
    name.push(rcgen::DnType::CommonName, domain);
    name.push(rcgen::DnType::OrganizationName, issuer);
    params.distinguished_name = name;
    params.not_before = date(0);
    params.not_after = date(days);
    let key = rcgen::KeyPair::generate().map_err(|e| format!("cannot generate a key: {e}"))?;
    let certificate = params
        .self_signed(&key)
        .map_err(|e| format!("cannot sign a certificate for {domain}: {e}"))?;
    Ok((certificate.pem(), key.serialize_pem()))
}

/// Issues the Let's Encrypt certificate of an order into its account.
fn issue(account: &mut HostingAccount, domain: &str) -> Result<(), String> {
    find_domain(account, domain).map_err(|e| e.message())?;
    let (pem, key) = self_signed(domain, ISSUER, 90)?;
    let id = store(account, &pem, &key, None).map_err(|e| e.message())?;
    let target = find_domain_mut(account, domain).map_err(|e| e.message())?;
    target.ssl_certificate = Some(id);
    target.ssl_auto = true;
    Ok(())
}

/// `POST .../ssl/certificates/order`.
pub fn create_order(
    state: &mut State,
    user_id: u64,
    account_id: u64,
    input: &Input,
) -> Result<Value, ApiError> {
    let mut v = Validator::new(input);
    let domain = v.text("domain", Text::REQUIRED);
    let provider = v.integer("provider_id", true);
    v.finish()?;
    if provider != Some(LETS_ENCRYPT as i64) {
        return Err(ApiError::field(
            "provider_id",
            "The selected provider id is invalid.",
        ));
    }
    let account = state
        .accounts
        .get(&account_id)
        .ok_or_else(|| ApiError::NotFound("Hosting account not found.".to_string()))?;
    let domain = find_domain(account, domain.as_deref().unwrap_or(""))
        .map_err(|_| ApiError::field("domain", "The selected domain is invalid."))?
        .domain
        .clone();
    if state
        .ssl_orders
        .values()
        .any(|o| o.status == "pending" && o.hosting_account_id == account_id && o.domain == domain)
    {
        return Err(ApiError::Unprocessable(format!(
            "An SSL order for {domain} is already in progress."
        )));
    }
    let id = state.next_order_id();
    let stamp = now();
    let delay = i64::try_from(state.settings.letsencrypt_delay_ms).unwrap_or(i64::MAX);
    state.ssl_orders.insert(
        id,
        SslOrder {
            id,
            user_id,
            hosting_account_id: account_id,
            domain,
            provider_id: LETS_ENCRYPT,
            status: "pending".to_string(),
            created_at: stamp.clone(),
            updated_at: stamp,
            due_at_ms: now_ms().saturating_add(delay),
        },
    );
    if delay == 0 {
        settle_order(state, id);
    }
    Ok(state
        .ssl_orders
        .get(&id)
        .map(order_json)
        .unwrap_or(Value::Null))
}

fn settle_order(state: &mut State, id: u64) {
    let Some(order) = state.ssl_orders.get(&id).cloned() else {
        return;
    };
    let issued = state
        .accounts
        .get_mut(&order.hosting_account_id)
        .ok_or_else(|| "the hosting account is gone".to_string())
        .and_then(|account| issue(account, &order.domain));
    if let Err(reason) = &issued {
        tracing::debug!("SSL order {id} failed: {reason}");
    }
    if let Some(order) = state.ssl_orders.get_mut(&id) {
        order.status = if issued.is_ok() {
            "completed"
        } else {
            "failed"
        }
        .to_string();
        order.updated_at = now();
    }
}

/// Whether any pending order is due (cheap: called before every request).
pub fn any_due(state: &State, at_ms: i64) -> bool {
    state
        .ssl_orders
        .values()
        .rev()
        .any(|o| o.status == "pending" && o.due_at_ms <= at_ms)
}

/// Issues every pending order that is due.
pub fn settle_due(state: &mut State, at_ms: i64) {
    let due: Vec<u64> = state
        .ssl_orders
        .values()
        .filter(|o| o.status == "pending" && o.due_at_ms <= at_ms)
        .map(|o| o.id)
        .collect();
    for id in due {
        settle_order(state, id);
    }
}

fn pending_order<'a>(state: &'a State, raw_id: &str) -> Result<&'a SslOrder, ApiError> {
    let missing = || ApiError::ModelNotFound {
        model: ORDER_MODEL,
        id: raw_id.to_string(),
    };
    let id: u64 = raw_id.parse().map_err(|_| missing())?;
    let order = state.ssl_orders.get(&id).ok_or_else(missing)?;
    if order.status != "pending" {
        return Err(ApiError::Unprocessable(format!(
            "The SSL order {id} is {}.",
            order.status
        )));
    }
    Ok(order)
}

/// `PUT api/admin/ssl-orders/{id}/process`: issues a pending order now.
pub fn process_order(state: &mut State, raw_id: &str) -> Result<Value, ApiError> {
    let id = pending_order(state, raw_id)?.id;
    settle_order(state, id);
    Ok(state
        .ssl_orders
        .get(&id)
        .map(order_json)
        .unwrap_or(Value::Null))
}

/// `PUT api/admin/ssl-orders/{id}/abandon`: stops a pending order.
pub fn abandon_order(state: &mut State, raw_id: &str) -> Result<Value, ApiError> {
    let id = pending_order(state, raw_id)?.id;
    let order = state
        .ssl_orders
        .get_mut(&id)
        .ok_or_else(|| ApiError::NotFound(String::new()))?;
    order.status = "abandoned".to_string();
    order.updated_at = now();
    Ok(order_json(order))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_signed_certificates_parse_back_with_their_names_and_dates() {
        let (pem, key) = self_signed("shop.example", ISSUER, 90).unwrap();
        let parsed = parse_certificate(&pem).unwrap();
        assert_eq!(parsed.common_name, "shop.example");
        assert_eq!(parsed.domains, vec!["shop.example".to_string()]);
        assert_eq!(parsed.issuer_name, ISSUER);
        assert!(parsed.self_signed);
        assert!(parsed.not_before < parsed.not_after);
        let pair = rcgen::KeyPair::from_pem(&key).unwrap();
        assert_eq!(
            rcgen::PublicKeyData::der_bytes(&pair),
            parsed.public_key.as_slice()
        );
        assert!(parse_certificate(&key).is_none());
        assert!(parse_certificate("not a pem").is_none());
    }
}
