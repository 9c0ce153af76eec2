//! `panel_certificate`: the TLS certificate of a web domain, uploaded (PEM certificate,
//! write-only private key, chain) or requested by the panel from Let's Encrypt, with the
//! `panel_certificate` / `panel_certificates` data sources (issuer, validity and
//! fingerprint, so that a configuration can alert on expiry).

use std::cmp::Ordering;

use crate::attr;
use crate::framework::diag::Diagnostics;
use crate::framework::model::{Field, StringList};
use crate::framework::validate;
use crate::panel::certificate::{
    fingerprint, inspect, inspect_chain, key_matches, private_key_problem,
};
use crate::panel::{
    Certificate, CertificateInfo, CertificateKey, CertificatePatch, CertificateSource,
    CertificateSpec, ListFilter, Locator, PanelHandle, Secret,
};
use crate::tfvalue::{AttributePath, Value};

use super::engine::{ObjectType, TypedPlan};

crate::model! {
    /// The attributes of `panel_certificate`.
    pub struct CertificateModel {
        id: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The panel's id for the certificate: `USER/DOMAIN` on HestiaCP.",
            ),
        owner: String
            .required()
            .requires_replace()
            .markdown(
                "The `id` of the `panel_user` the domain belongs to. Changing it replaces the \
                 certificate.",
            ),
        domain: String
            .required()
            .requires_replace()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "The web domain the certificate secures, e.g. `panel_domain.site.name`. One \
                 certificate per domain. Changing it replaces the certificate.",
            ),
        lets_encrypt: bool
            .optional()
            .computed()
            .default(Value::Bool(false))
            .requires_replace()
            .markdown(
                "`true`: the panel requests the certificate from Let's Encrypt and renews it \
                 itself (a renewed certificate, with its new `not_after` and `fingerprint`, is \
                 not drift). `certificate`, `chain` and `private_key_wo` must then be left \
                 out. Defaults to `false` (an uploaded certificate). Refused at plan time on \
                 panels that cannot request one. Changing it replaces the certificate.",
            ),
        certificate: String
            .optional()
            .computed()
            .validator(validate::custom("certificate", |value| {
                inspect(value.as_str()?).err()
            }))
            .markdown(
                "The certificate in PEM (`-----BEGIN CERTIFICATE-----`), only the domain's own \
                 certificate: intermediates go in `chain`. Required unless `lets_encrypt` is \
                 `true`; then it is computed (the certificate the panel holds). Text that is \
                 not one readable X.509 certificate, or that holds a private key, is refused \
                 at plan time. Changed in place (sent again with `private_key_wo`).",
            ),
        chain: String
            .optional()
            .computed()
            .validator(validate::custom("chain", |value| {
                let text = value.as_str()?;
                if text.trim().is_empty() {
                    return None;
                }
                inspect_chain(text).err()
            }))
            .markdown(
                "The intermediate certificates in PEM, one or more blocks; `\"\"` (the \
                 default for uploads) for none. Computed for Let's Encrypt certificates. \
                 Changed in place (sent again with `private_key_wo`).",
            ),
        private_key_wo: String
            .optional()
            .sensitive()
            .write_only()
            .markdown(
                "The private key in PEM, write-only: sent to the panel with the certificate on \
                 create, whenever `certificate` or `chain` change and whenever \
                 `private_key_wo_version` changes; never stored in state, logs or \
                 diagnostics. Required for uploads; a key that is not PEM, is protected by a \
                 passphrase, or does not belong to `certificate` is refused at plan time.",
            ),
        private_key_wo_version: i64
            .optional()
            .validator(validate::whole_number())
            .markdown(
                "Any number; change it to send `private_key_wo` (with the certificate) to the \
                 panel again. Changing only `private_key_wo` does nothing, because write-only \
                 values are not stored to compare with.",
            ),
        issuer: String
            .computed()
            .use_state_for_unknown()
            .markdown("The issuer's distinguished name, e.g. `CN=R11,O=Let's Encrypt,C=US`."),
        subject: String
            .computed()
            .use_state_for_unknown()
            .markdown("The subject's distinguished name, e.g. `CN=example.com`."),
        names: StringList
            .computed()
            .use_state_for_unknown()
            .markdown("The DNS names the certificate covers (its subject alternative names)."),
        not_before: String
            .computed()
            .use_state_for_unknown()
            .markdown("Start of validity, RFC 3339 in UTC (`2026-12-01T00:00:00Z`)."),
        not_after: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "End of validity, RFC 3339 in UTC (`2027-03-01T00:00:00Z`): compare it with \
                 `timeadd(plantimestamp(), \"720h\")` in a `check` block to alert on expiry.",
            ),
        fingerprint: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "SHA-256 of the certificate's DER, 64 lowercase hex digits (`openssl x509 \
                 -noout -fingerprint -sha256` without the colons).",
            ),
    }
}

crate::model! {
    /// The filters of `panel_certificates`.
    pub struct CertificateFilters {
        owner: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown("Only certificates of this user: a `panel_user` `id`."),
        domain: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown("Only the certificate of this domain (compared case-insensitively)."),
        expires_before: String
            .optional()
            .validator(validate::custom("time", |value| {
                let text = value.as_str()?;
                chrono::DateTime::parse_from_rfc3339(text)
                    .err()
                    .map(|_| format!("must be an RFC 3339 time (`2027-01-31T00:00:00Z`), got {text:?}"))
            }))
            .markdown(
                "Only certificates whose `not_after` is before this RFC 3339 time, e.g. \
                 `timeadd(plantimestamp(), \"720h\")` for those expiring within 30 days.",
            ),
    }
}

/// `panel_certificate` on the engine.
pub struct CertificateType;

const PANEL_MAPPING: &str = "On HestiaCP a certificate is the SSL of a web domain \
     (`v-list-web-domain-ssl`; uploaded with `v-add-web-domain-ssl`, requested with \
     `v-add-letsencrypt-domain`).";

fn error_at(attribute: &str, summary: &str, detail: String) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error_at(AttributePath::root(attribute), summary, detail);
    diagnostics
}

/// The planned computed attributes of an uploaded certificate, from its PEM.
fn set_info(model: &mut CertificateModel, info: Option<&CertificateInfo>) {
    match info {
        Some(info) => {
            model.issuer = Field::text(info.issuer.clone());
            model.subject = Field::text(info.subject.clone());
            model.names = Field::Known(info.names.clone());
            model.not_before = Field::text(info.not_before.clone());
            model.not_after = Field::text(info.not_after.clone());
            model.fingerprint = Field::text(info.fingerprint.clone());
        }
        None => {
            model.issuer = Field::text("");
            model.subject = Field::text("");
            model.names = Field::Known(Vec::new());
            model.not_before = Field::text("");
            model.not_after = Field::text("");
            model.fingerprint = Field::text("");
        }
    }
}

/// Chains compared by their certificates, not their spelling.
fn chain_fingerprints(text: &str) -> Option<Vec<String>> {
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    inspect_chain(text)
        .ok()
        .map(|infos| infos.into_iter().map(|i| i.fingerprint).collect())
}

fn same_chain(a: &str, b: &str) -> bool {
    a == b || matches!((chain_fingerprints(a), chain_fingerprints(b)), (Some(x), Some(y)) if x == y)
}

/// A PEM text as state keeps what a panel reports: trimmed, LF line ends, one final
/// newline (how PEM files are written), so a configuration reading a PEM file matches
/// an imported certificate; empty stays empty.
fn canonical_pem(text: &str) -> String {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return String::new();
    }
    format!("{}\n", trimmed.replace("\r\n", "\n"))
}

fn same_certificate(a: &str, b: &str) -> bool {
    a == b || matches!((fingerprint(a), fingerprint(b)), (Some(x), Some(y)) if x == y)
}

impl CertificateType {
    fn upload_of(
        planned: &CertificateModel,
        config: &CertificateModel,
    ) -> Result<crate::panel::certificate::Upload, Diagnostics> {
        let Some(key) = config.private_key_wo.str() else {
            return Err(error_at(
                attr!(CertificateModel, private_key_wo),
                "Missing Private Key",
                "Uploading a `panel_certificate` needs `private_key_wo`.".to_owned(),
            ));
        };
        let Some(certificate) = planned.certificate.owned() else {
            return Err(error_at(
                attr!(CertificateModel, certificate),
                "Missing Certificate",
                "Uploading a `panel_certificate` needs `certificate`.".to_owned(),
            ));
        };
        Ok(crate::panel::certificate::Upload {
            certificate,
            private_key: Secret::new(key),
            chain: planned.chain.owned().unwrap_or_default(),
        })
    }
}

impl ObjectType for CertificateType {
    type Model = CertificateModel;
    type Object = Certificate;
    type Filters = CertificateFilters;

    const TYPE_NAME: &'static str = "panel_certificate";
    const LIST_TYPE_NAME: &'static str = "panel_certificates";
    const LIST_ATTRIBUTE: &'static str = "certificates";

    fn references() -> &'static [(&'static str, &'static str, &'static str)] {
        &[
            ("owner", "panel_user", "id"),
            ("domain", "panel_domain", "name"),
        ]
    }

    fn adopt_key(state: &CertificateModel) -> String {
        state.domain.owned().unwrap_or_default()
    }

    /// Adopt cannot write an uploaded certificate's private key, and a certificate the
    /// panel renews needs nothing from the configuration: only named runs write them.
    const ADOPT_ONLY_WHEN_NAMED: bool = true;

    fn description() -> String {
        "The TLS certificate of a web domain: uploaded (PEM certificate, write-only private \
         key, optional chain) or requested by the panel from Let's Encrypt. Its issuer, \
         names, validity and SHA-256 fingerprint are computed, so a `check` block or the \
         `panel_certificates` data source can alert on expiry.\n\n\
         | Panel | What it is | Let's Encrypt | Import id |\n\
         |---|---|---|---|\n\
         | HestiaCP | the SSL of a web domain: the PEM files are written with the API's \
         `v-make-tmp-file` into `/tmp` as `DOMAIN.crt`, `DOMAIN.key`, `DOMAIN.ca` and \
         installed with `v-add-web-domain-ssl USER DOMAIN /tmp` (afterwards the key file is \
         overwritten with placeholder text); read with `v-list-web-domain-ssl`; removed with \
         `v-delete-web-domain-ssl`; a change deletes and installs again | \
         `v-add-letsencrypt-domain USER DOMAIN` (the panel renews it) | `USER/DOMAIN`, e.g. \
         `bob/example.com` |\n\
         | Plesk (REST API) | not supported: the REST API has no certificate resource and \
         nothing in it reads a certificate back (refused at plan time) | - | - |\n\
         | Plesk (XML API) | not supported yet (refused at plan time): the `certificate` \
         operator's `get-pool` answers only names, so issuer, validity and drift cannot be \
         read back | - | - |\n\
         | PanelAlpha | the certificate installed on a domain of the owner's hosting \
         account: `PUT server-accounts/{id}/ssl/certificates/install` (certificate, key, CA \
         bundle; a change installs again, in place); read with `GET \
         server-accounts/{id}/ssl?domain=` (the API does not give the chain back, so state \
         keeps the configured `chain`). **Destroy cannot remove it**: the API has no call \
         that removes an installed certificate, so a destroy removes it from state only, \
         with a warning naming the resource and the panel; the certificate stays installed \
         at the panel until it expires or is replaced (remove it in PanelAlpha's interface \
         if it must go) | `POST server-accounts/{id}/ssl/certificates/order` with the Let's \
         Encrypt provider of `GET admin/ssl/providers`; the order is asynchronous and the \
         apply waits up to 60 s for it | `USER_ID/ACCOUNT_ID/DOMAIN`, e.g. \
         `3/7/example.com` |\n\n\
         A certificate is identified by its owner and domain: a domain that already has one \
         is reported (with the import command) instead of being taken over, and a \
         certificate whose create answer was lost is found again by them.\n\n\
         **Uploads.** `certificate`, `chain` and the key are checked at plan time: one \
         readable X.509 certificate, PEM chain blocks, an unencrypted PEM private key that \
         belongs to the certificate (where the key's kind can be read; otherwise the panel \
         checks it). The private key is write-only: it is never in state, plan output, logs \
         or diagnostics (the provider also removes any PEM private key from every log line \
         and error). When the panel holds another certificate than the configured one \
         (replaced outside Terraform), the next plan installs the configured one again.\n\n\
         **Let's Encrypt.** The panel requests the certificate during the apply (HestiaCP \
         answers when it has it) and renews it itself: renewals change `certificate`, \
         `not_after`, `fingerprint` in state without a plan.\n\n\
         ## Import\n\n\
         * HestiaCP: `USER/DOMAIN`, e.g. `bob/example.com`.\n\
         * PanelAlpha: `USER_ID/ACCOUNT_ID/DOMAIN`, e.g. `3/7/example.com`.\n\n\
         The private key is not imported: after importing an uploaded certificate, set \
         `private_key_wo` and `private_key_wo_version` in the configuration (the first \
         apply that changes the certificate sends it).\n\n\
         ```shell\n\
         terraform import panel_certificate.site bob/example.com\n\
         ```"
        .to_owned()
    }

    fn lookup_description() -> String {
        format!(
            "Looks up the certificate of one domain, either by `id` or by `owner` + `domain` \
             (exactly one of the two), and exposes its issuer, names, validity and \
             fingerprint. {PANEL_MAPPING} Reading fails with an error naming the lookup when \
             the domain has no certificate."
        )
    }

    fn list_description() -> String {
        format!(
            "Lists the panel's certificates, optionally only those of one `owner`, one \
             `domain`, or those expiring before a time (`expires_before`). {PANEL_MAPPING} \
             Certificates are sorted by owner and domain."
        )
    }

    fn data_attribute_description(name: &str) -> Option<String> {
        let text = match name {
            "id" => {
                "The panel's id: `USER/DOMAIN` on HestiaCP. Set it to look the certificate up \
                 by id, or leave it out."
            }
            "owner" => {
                "The `id` of the owning user (`panel_user`). Set it together with `domain` to \
                 look the certificate up by them."
            }
            "domain" => "The web domain the certificate secures.",
            "lets_encrypt" => "Whether the panel requested the certificate from Let's Encrypt.",
            "certificate" => "The certificate in PEM.",
            "chain" => "The intermediate certificates in PEM; `\"\"` for none.",
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn label(model: &CertificateModel) -> String {
        match (model.domain.str(), model.id.str()) {
            (Some(domain), _) => format!("certificate of {domain:?}"),
            (None, Some(id)) => format!("certificate {id:?}"),
            (None, None) => "certificate".to_owned(),
        }
    }

    fn attribute_of(field: &str) -> Option<&'static str> {
        match field {
            "private_key" | "key" | "pvt" => Some(attr!(CertificateModel, private_key_wo)),
            "certificate" | "cert" | "crt" => Some(attr!(CertificateModel, certificate)),
            "chain" | "ca" | "cabundle" => Some(attr!(CertificateModel, chain)),
            "owner" => Some(attr!(CertificateModel, owner)),
            "domain" => Some(attr!(CertificateModel, domain)),
            "lets_encrypt" => Some(attr!(CertificateModel, lets_encrypt)),
            _ => None,
        }
    }

    fn plan(panel: Option<&PanelHandle>, plan: &mut TypedPlan<CertificateModel>) {
        let lets_encrypt = plan.planned.lets_encrypt.get().copied();
        let key_attr = attr!(CertificateModel, private_key_wo);
        let cert_attr = attr!(CertificateModel, certificate);
        let chain_attr = attr!(CertificateModel, chain);
        if lets_encrypt == Some(true) {
            // Configuration generated by an import repeats the certificate and chain
            // the panel held: accepted while they are what state holds.
            let foreign = |config: &Field<String>, prior: Option<&Field<String>>| match config {
                Field::Null => false,
                Field::Known(text) => prior
                    .and_then(Field::str)
                    .is_none_or(|held| !same_certificate(held, text) && held != text),
                Field::Unknown => true,
            };
            let prior = plan.prior.as_ref();
            for (attribute, set) in [
                (
                    cert_attr,
                    foreign(&plan.config.certificate, prior.map(|p| &p.certificate)),
                ),
                (
                    chain_attr,
                    foreign(&plan.config.chain, prior.map(|p| &p.chain)),
                ),
                (key_attr, !plan.config.private_key_wo.is_null()),
            ] {
                if set {
                    plan.error_at(
                        attribute,
                        "Conflicting Attributes",
                        format!(
                            "`{attribute}` cannot be set when `lets_encrypt` is `true`: the \
                             panel obtains the certificate and its key itself, and renews \
                             them. Remove `{attribute}` (configuration generated by an \
                             import may repeat what the panel held until it renews it), or \
                             set `lets_encrypt = false` to upload a certificate."
                        ),
                    );
                }
            }
            if let Some(panel) = panel {
                if !panel.capabilities.certificate_lets_encrypt {
                    plan.error_at(
                        attr!(CertificateModel, lets_encrypt),
                        "Setting Not Supported",
                        format!(
                            "The `{}` panel cannot request Let's Encrypt certificates through \
                             its API; upload a certificate instead (`certificate`, \
                             `private_key_wo`).",
                            panel.name()
                        ),
                    );
                }
            }
            return;
        }
        if lets_encrypt.is_none() {
            return;
        }
        // An upload.
        if plan.config.certificate.is_null() {
            plan.error_at(
                cert_attr,
                "Missing Certificate",
                "An uploaded `panel_certificate` needs `certificate` (PEM); or set \
                 `lets_encrypt = true` to have the panel request one.",
            );
            return;
        }
        if let Some(panel) = panel {
            if !panel.capabilities.certificate_upload {
                plan.error_at(
                    cert_attr,
                    "Setting Not Supported",
                    format!(
                        "The `{}` panel cannot install an uploaded certificate through its API.",
                        panel.name()
                    ),
                );
                return;
            }
        }
        if plan.config.chain.is_null() {
            plan.planned.chain = Field::text("");
        }
        let info = match plan.config.certificate.str() {
            Some(pem) => match inspect(pem) {
                Ok(info) => Some(info),
                // The validator reported it.
                Err(_) => return,
            },
            None => None,
        };
        // Only a different certificate or chain (not another spelling of the same) is
        // sent again, and needs the key.
        let sends_key = match &plan.prior {
            None => true,
            Some(prior) => {
                let differs = |a: &Field<String>,
                               b: &Field<String>,
                               same: fn(&str, &str) -> bool| {
                    match (a.str(), b.str()) {
                        (Some(a), Some(b)) => !same(a, b),
                        _ => a != b,
                    }
                };
                differs(
                    &prior.certificate,
                    &plan.planned.certificate,
                    same_certificate,
                ) || differs(&prior.chain, &plan.planned.chain, same_chain)
                    || prior.private_key_wo_version != plan.planned.private_key_wo_version
            }
        };
        if sends_key && plan.config.private_key_wo.is_null() {
            plan.error_at(
                key_attr,
                "Missing Private Key",
                if plan.is_create() {
                    "Uploading a `panel_certificate` needs `private_key_wo`: the panels install \
                     a certificate only with its private key."
                } else {
                    "This change sends the certificate to the panel again, which needs \
                     `private_key_wo`, but it is not set."
                },
            );
        }
        if let Some(key) = plan.config.private_key_wo.str() {
            if let Some(problem) = private_key_problem(key) {
                plan.error_at(
                    key_attr,
                    "Invalid Private Key",
                    format!("`private_key_wo` {problem}."),
                );
            } else if let Some(info) = &info {
                if key_matches(info, key) == Some(false) {
                    plan.error_at(
                        key_attr,
                        "Private Key Does Not Match",
                        "`private_key_wo` is not the private key of `certificate` (their public \
                         keys differ); the panel would refuse the pair.",
                    );
                }
            }
        }
        if let Some(info) = info {
            let unchanged = plan
                .prior
                .as_ref()
                .and_then(|p| p.fingerprint.str())
                .is_some_and(|f| f == info.fingerprint);
            if !unchanged || !plan.planned.fingerprint.is_known() {
                set_info(&mut plan.planned, Some(&info));
            }
        }
    }

    fn spec(
        _panel: &PanelHandle,
        planned: &CertificateModel,
        config: &CertificateModel,
    ) -> Result<CertificateSpec, Diagnostics> {
        let source = if planned.lets_encrypt.get() == Some(&true) {
            CertificateSource::LetsEncrypt
        } else {
            CertificateSource::Upload(Self::upload_of(planned, config)?)
        };
        Ok(CertificateSpec {
            owner: planned.owner.owned().unwrap_or_default(),
            domain: planned.domain.owned().unwrap_or_default(),
            source,
        })
    }

    fn patch(
        _panel: &PanelHandle,
        prior: &CertificateModel,
        planned: &CertificateModel,
        config: &CertificateModel,
    ) -> Result<CertificatePatch, Diagnostics> {
        let mut patch = CertificatePatch::default();
        if planned.lets_encrypt.get() == Some(&true) {
            return Ok(patch);
        }
        let certificate_changed = match (prior.certificate.str(), planned.certificate.str()) {
            (Some(a), Some(b)) => !same_certificate(a, b),
            (a, b) => a != b,
        };
        let chain_changed = !same_chain(
            prior.chain.str().unwrap_or_default(),
            planned.chain.str().unwrap_or_default(),
        );
        let version_changed = prior.private_key_wo_version != planned.private_key_wo_version;
        if certificate_changed || chain_changed || version_changed {
            patch.upload = Some(Self::upload_of(planned, config)?);
        }
        Ok(patch)
    }

    /// `prior` supplies the key version and the configured spellings of the domain and
    /// the PEM texts when the panel holds the same certificates.
    fn state(
        _panel: &PanelHandle,
        object: &Certificate,
        prior: Option<&CertificateModel>,
    ) -> CertificateModel {
        let domain = match prior.and_then(|p| p.domain.str()) {
            Some(configured) if configured.eq_ignore_ascii_case(&object.domain) => {
                configured.to_owned()
            }
            _ => object.domain.clone(),
        };
        let certificate = match prior.and_then(|p| p.certificate.str()) {
            Some(configured) if object.certificate.is_empty() => configured.to_owned(),
            Some(configured) if same_certificate(configured, &object.certificate) => {
                configured.to_owned()
            }
            _ => canonical_pem(&object.certificate),
        };
        let chain = match prior.and_then(|p| p.chain.str()) {
            Some(configured) if object.chain_unknown => configured.to_owned(),
            Some(configured) if same_chain(configured, &object.chain) => configured.to_owned(),
            _ => canonical_pem(&object.chain),
        };
        let mut model = CertificateModel {
            id: Field::text(object.id.clone()),
            owner: Field::text(object.owner.clone()),
            domain: Field::text(domain),
            lets_encrypt: Field::Known(object.lets_encrypt),
            certificate: Field::text(certificate),
            chain: Field::text(chain),
            private_key_wo: Field::Null,
            private_key_wo_version: prior.map_or(Field::Null, |p| p.private_key_wo_version.clone()),
            ..CertificateModel::default()
        };
        set_info(&mut model, object.info.as_ref());
        model
    }

    fn locator(state: &CertificateModel) -> Locator {
        Locator::new(state.id.owned().unwrap_or_default()).with_owner(state.owner.str())
    }

    fn key_of_state(panel: &PanelHandle, state: &CertificateModel) -> Option<CertificateKey> {
        Self::lookup_key(panel, state)
    }

    fn lookups() -> &'static [&'static [&'static str]] {
        &[&["id"], &["owner", "domain"]]
    }

    fn lookup_key(_panel: &PanelHandle, config: &CertificateModel) -> Option<CertificateKey> {
        Some(CertificateKey {
            owner: config.owner.owned()?,
            domain: config.domain.owned()?,
        })
    }

    fn list_filter(filters: &CertificateFilters) -> ListFilter {
        ListFilter {
            owner: filters.owner.owned(),
        }
    }

    fn list_keeps(filters: &CertificateFilters, item: &CertificateModel) -> bool {
        let owner = filters
            .owner
            .str()
            .is_none_or(|owner| item.owner.str() == Some(owner));
        let domain = filters.domain.str().is_none_or(|domain| {
            item.domain
                .str()
                .is_some_and(|d| d.eq_ignore_ascii_case(domain))
        });
        let expiring = filters.expires_before.str().is_none_or(|before| {
            let parse = |t: &str| chrono::DateTime::parse_from_rfc3339(t).ok();
            match (parse(before), item.not_after.str().and_then(parse)) {
                (Some(before), Some(not_after)) => not_after < before,
                _ => false,
            }
        });
        owner && domain && expiring
    }

    fn list_order(a: &CertificateModel, b: &CertificateModel) -> Ordering {
        let key = |m: &CertificateModel| {
            (
                m.owner.owned().unwrap_or_default(),
                m.domain.owned().unwrap_or_default(),
            )
        };
        key(a).cmp(&key(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::Model;
    use crate::panel::certificate::tests::self_signed;
    use crate::panel::fake::FakePanel;
    use crate::panel::PanelKind;
    use std::sync::Arc;

    fn object(pem: &str) -> Certificate {
        Certificate {
            id: "bob/example.com".into(),
            owner: "bob".into(),
            domain: "example.com".into(),
            lets_encrypt: false,
            certificate: pem.trim().to_owned(),
            chain: String::new(),
            chain_unknown: false,
            info: inspect(pem).ok(),
        }
    }

    #[test]
    fn the_validators_refuse_bad_pem_without_quoting_it() {
        let schema = super::super::engine::Managed::<CertificateType>::schema();
        let (pem, key) = self_signed(&["example.com"]);
        let mut config = CertificateModel {
            owner: Field::text("bob"),
            domain: Field::text("example.com"),
            certificate: Field::text("not a certificate"),
            ..CertificateModel::default()
        }
        .to_value();
        let text = format!("{:?}", validate::validate_block(&schema.block, &config));
        assert!(text.contains("is not PEM"), "{text}");
        config.set_attr("certificate", Value::string(format!("{pem}{key}")));
        let text = format!("{:?}", validate::validate_block(&schema.block, &config));
        assert!(text.contains("holds a private key"), "{text}");
        assert!(!text.contains("BEGIN PRIVATE KEY"), "{text}");
        config.set_attr("certificate", Value::string(pem));
        assert!(validate::validate_block(&schema.block, &config).is_empty());
    }

    #[test]
    fn state_keeps_spellings_and_computes_the_info() {
        let panel = PanelHandle::new(Arc::new(FakePanel::new(PanelKind::Hestia)));
        let (pem, _) = self_signed(&["example.com"]);
        let prior = CertificateModel {
            domain: Field::text("Example.com"),
            certificate: Field::text(format!("\n{pem}\n")),
            chain: Field::text(""),
            private_key_wo_version: Field::Known(3),
            ..CertificateModel::default()
        };
        let state = CertificateType::state(&panel, &object(&pem), Some(&prior));
        assert_eq!(state.domain.str(), Some("Example.com"));
        assert_eq!(state.certificate, prior.certificate);
        assert_eq!(state.private_key_wo_version, Field::Known(3));
        assert_eq!(state.fingerprint.str().map(str::len), Some(64));
        assert!(state.private_key_wo.is_null());
        let (other, _) = self_signed(&["example.com"]);
        let replaced = CertificateType::state(&panel, &object(&other), Some(&prior));
        assert_eq!(
            replaced.certificate.str(),
            Some(format!("{}\n", other.trim()).as_str())
        );
    }

    #[test]
    fn patches_send_the_key_only_with_real_changes() {
        let panel = PanelHandle::new(Arc::new(FakePanel::new(PanelKind::Hestia)));
        let (pem, key) = self_signed(&["example.com"]);
        let prior = CertificateType::state(&panel, &object(&pem), None);
        let mut planned = prior.clone();
        planned.certificate = Field::text(format!("{pem}\n\n"));
        let patch = CertificateType::patch(&panel, &prior, &planned, &planned).unwrap();
        assert!(patch.upload.is_none());
        let (other, other_key) = self_signed(&["example.com"]);
        planned.certificate = Field::text(other.clone());
        assert!(CertificateType::patch(&panel, &prior, &planned, &planned).is_err());
        let mut config = planned.clone();
        config.private_key_wo = Field::text(other_key.clone());
        let patch = CertificateType::patch(&panel, &prior, &planned, &config).unwrap();
        let upload = patch.upload.unwrap();
        assert_eq!(upload.certificate, other);
        assert_eq!(upload.private_key.expose(), other_key);
        assert!(!format!("{upload:?}").contains("PRIVATE"));
        let _ = key;
    }
}
