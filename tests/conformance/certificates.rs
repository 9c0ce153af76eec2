//! Certificate cases: upload / read / replace / delete / import / find / list through
//! the backend, checked in the simulator's state (the panel holds the uploaded
//! certificate; on HestiaCP the private key file written into `/tmp` is overwritten);
//! a Let's Encrypt request the simulator answers with a certificate for the domain; a
//! create whose answer is lost, found again by its key; a key that does not belong to
//! the certificate refused naming `private_key`. PanelAlpha cannot remove a certificate:
//! its delete sends nothing, says what it leaves behind (the engine's warning), and the
//! panel still holds the certificate. Panels without a certificate service (Plesk REST,
//! Plesk XML, see the resource's docs) are asserted to have none.

use serde_json::{json, Value};
use terraform_provider_panel::panel::certificate::Upload;
use terraform_provider_panel::panel::{
    Certificate, CertificateKey, CertificatePatch, CertificateSource, CertificateSpec, ListFilter,
    PanelKind, PanelObject, Secret, Service, User,
};

use super::{assert_invalid, ok, service, Fixture};

const SITE: &str = "tls-site.example";

/// A self-signed certificate for `names` and its private key (PEM).
pub fn self_signed(names: &[&str]) -> (String, String) {
    let key = rcgen::KeyPair::generate().expect("a key");
    let params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("parameters");
    let cert = params.self_signed(&key).expect("a certificate");
    (cert.pem(), key.serialize_pem())
}

fn upload(owner: &User, pem: &str, key: &str) -> CertificateSpec {
    CertificateSpec {
        owner: owner.id.clone(),
        domain: SITE.to_owned(),
        source: CertificateSource::Upload(Upload {
            certificate: pem.to_owned(),
            private_key: Secret::new(key),
            chain: String::new(),
        }),
    }
}

/// The panels that have certificates; the others must not offer a service.
fn supported(fx: &Fixture) -> Option<&dyn Service<Certificate>> {
    let found = service::<Certificate>(fx.panel.as_ref());
    match fx.kind {
        PanelKind::Hestia | PanelKind::PanelAlpha => Some(found.expect("a certificate service")),
        _ => {
            assert!(
                found.is_err(),
                "{:?} has no certificate service yet",
                fx.kind
            );
            let caps = fx.caps();
            assert!(!caps.certificate_upload && !caps.certificate_lets_encrypt);
            None
        }
    }
}

/// The simulator's certificate PEM of the site, if it has one.
fn sim_certificate(fx: &Fixture, dump: &Value) -> Option<String> {
    match fx.kind {
        PanelKind::Hestia => dump["users"]
            .as_object()
            .into_iter()
            .flat_map(|users| users.values())
            .flat_map(|u| u["web_domains"].as_array().cloned().unwrap_or_default())
            .find(|w| w["domain"].as_str() == Some(SITE))
            .and_then(|w| w["ssl"]["crt"].as_str().map(str::to_owned)),
        PanelKind::PanelAlpha => dump["accounts"]
            .as_object()
            .into_iter()
            .flat_map(|accounts| accounts.values())
            .find_map(|account| {
                let id = account["domains"]
                    .as_array()?
                    .iter()
                    .find(|d| d["domain"].as_str() == Some(SITE))?["ssl_certificate"]
                    .as_str()?;
                account["certificates"][id]["pem"]
                    .as_str()
                    .map(str::to_owned)
            }),
        _ => None,
    }
}

fn fingerprint_of(pem: &str) -> String {
    terraform_provider_panel::panel::certificate::inspect(pem)
        .expect("a readable certificate")
        .fingerprint
}

pub async fn lifecycle(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let Some(certificates) = supported(&fx) else {
        return;
    };
    let owner = fx.create_owner("tls").await;
    fx.create_site(&owner, SITE).await;
    let (pem, key) = self_signed(&[SITE, &format!("www.{SITE}")]);
    let wanted = upload(&owner, &pem, &key);
    let natural = Certificate::spec_key(&wanted);
    assert_eq!(ok(certificates.find(&natural).await, "find before"), None);
    let created = ok(certificates.create(&wanted).await, "create");
    assert_eq!(created.owner, owner.id);
    assert_eq!(created.domain, SITE);
    assert!(!created.lets_encrypt);
    let info = created.info.clone().expect("the certificate is read back");
    assert_eq!(info.fingerprint, fingerprint_of(&pem));
    assert_eq!(info.names, [SITE.to_owned(), format!("www.{SITE}")]);
    let dump = fx.control.state().await;
    let held = sim_certificate(&fx, &dump).expect("the panel holds the certificate");
    assert_eq!(fingerprint_of(&held), info.fingerprint);
    if kind == PanelKind::Hestia {
        let key_file = dump["tmp_files"][format!("{SITE}.key")]
            .as_str()
            .unwrap_or_default();
        assert!(
            !key_file.contains("PRIVATE KEY"),
            "the key file in /tmp is overwritten after the install: {key_file:?}"
        );
    }

    let fresh = fx.backend();
    let fresh_certs = service::<Certificate>(fresh.as_ref()).expect("service");
    let at = created.locator();
    assert_eq!(
        ok(fresh_certs.get(&at).await, "fresh get").as_ref(),
        Some(&created)
    );
    assert_eq!(
        ok(fresh_certs.find(&natural).await, "find").as_ref(),
        Some(&created)
    );
    let other_owner = CertificateKey {
        owner: format!("{}9", owner.id),
        ..natural.clone()
    };
    assert_eq!(
        ok(fresh_certs.find(&other_owner).await, "find other owner"),
        None
    );
    let listed = ok(
        fresh_certs.list(&ListFilter::owned_by(&owner.id)).await,
        "list",
    );
    assert_eq!(listed, vec![created.clone()]);
    assert!(ok(fresh_certs.list(&ListFilter::default()).await, "list all").contains(&created));
    let import_id = fresh_certs.import_id(&created);
    assert_eq!(
        ok(fresh_certs.import(&import_id).await, "import").as_ref(),
        Some(&created)
    );

    // A new certificate replaces the one the panel holds.
    let (next_pem, next_key) = self_signed(&[SITE]);
    let replaced = ok(
        certificates
            .update(
                &at,
                &CertificatePatch {
                    upload: Some(Upload {
                        certificate: next_pem.clone(),
                        private_key: Secret::new(next_key),
                        chain: String::new(),
                    }),
                },
            )
            .await,
        "replace",
    );
    assert_eq!(replaced.id, created.id);
    assert_eq!(
        replaced.info.as_ref().map(|i| i.fingerprint.clone()),
        Some(fingerprint_of(&next_pem))
    );
    let held = sim_certificate(&fx, &fx.control.state().await).expect("still one");
    assert_eq!(fingerprint_of(&held), fingerprint_of(&next_pem));

    ok(certificates.delete(&at).await, "delete");
    ok(certificates.delete(&at).await, "delete again is idempotent");
    if kind == PanelKind::PanelAlpha {
        left_installed(&fx, certificates, &replaced).await;
        return;
    }
    assert_eq!(certificates.delete_leaves(), None);
    assert_eq!(ok(certificates.get(&at).await, "get after delete"), None);
    assert_eq!(sim_certificate(&fx, &fx.control.state().await), None);
}

/// PanelAlpha after a delete: the service says the certificate stays installed (the
/// engine shows it as the delete's warning) and the panel still holds it.
async fn left_installed(fx: &Fixture, certificates: &dyn Service<Certificate>, held: &Certificate) {
    let note = certificates
        .delete_leaves()
        .expect("panelalpha says what a delete leaves");
    assert!(note.contains("stays installed"), "{note}");
    assert!(note.contains("expires or another certificate"), "{note}");
    assert_eq!(
        ok(certificates.get(&held.locator()).await, "get after delete").as_ref(),
        Some(held)
    );
    let pem = sim_certificate(fx, &fx.control.state().await).expect("still installed");
    assert_eq!(
        Some(fingerprint_of(&pem)),
        held.info.as_ref().map(|i| i.fingerprint.clone())
    );
}

/// Let's Encrypt: the simulator issues a certificate for the domain; the backend reads
/// it back marked as the panel's own.
pub async fn lets_encrypt(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let Some(certificates) = supported(&fx) else {
        return;
    };
    let owner = fx.create_owner("tlsle").await;
    fx.create_site(&owner, SITE).await;
    let wanted = CertificateSpec {
        owner: owner.id.clone(),
        domain: SITE.to_owned(),
        source: CertificateSource::LetsEncrypt,
    };
    let created = ok(certificates.create(&wanted).await, "request");
    assert!(created.lets_encrypt);
    let info = created.info.clone().expect("an issued certificate");
    assert!(info.names.iter().any(|n| n == SITE), "{info:?}");
    assert!(!created.certificate.is_empty());
    let again = ok(
        certificates.find(&Certificate::spec_key(&wanted)).await,
        "find",
    );
    assert_eq!(again.as_ref(), Some(&created));
    ok(certificates.delete(&created.locator()).await, "delete");
    if kind == PanelKind::PanelAlpha {
        left_installed(&fx, certificates, &created).await;
        return;
    }
    assert_eq!(sim_certificate(&fx, &fx.control.state().await), None);
}

/// The create's answer is lost after the panel committed: sent once, not created
/// twice, and the lookup by key (what the engine does) finds it.
pub async fn lost_create_answer(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let Some(certificates) = supported(&fx) else {
        return;
    };
    let owner = fx.create_owner("tlslost").await;
    fx.create_site(&owner, SITE).await;
    let (pem, key) = self_signed(&[SITE]);
    let wanted = upload(&owner, &pem, &key);
    let route = match kind {
        PanelKind::PanelAlpha => "PUT /api/server-accounts/{id}/ssl/certificates/install",
        _ => "v-add-web-domain-ssl",
    };
    fx.control.clear_requests().await;
    fx.control
        .faults(json!({"drop_after_commit": [{"route": route}]}))
        .await;
    let error = match certificates.create(&wanted).await {
        Ok(created) => panic!("create succeeded although its answer was lost: {created:?}"),
        Err(e) => e,
    };
    assert!(error.may_have_taken_effect(), "{error:?}");
    assert_eq!(fx.control.requests().await.route(route), 1, "sent once");
    let fresh = fx.backend();
    let found = ok(
        service::<Certificate>(fresh.as_ref())
            .expect("service")
            .find(&Certificate::spec_key(&wanted))
            .await,
        "find after",
    )
    .expect("the installed certificate is found by its key");
    assert_eq!(
        found.info.map(|i| i.fingerprint),
        Some(fingerprint_of(&pem))
    );
    assert!(!format!("{error:?}").contains("PRIVATE KEY"), "{error:?}");
}

/// A key that does not belong to the certificate is refused naming `private_key`, and
/// the error never shows the key; a domain the owner lacks is refused naming `domain`.
pub async fn invalid_input(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let Some(certificates) = supported(&fx) else {
        return;
    };
    let owner = fx.create_owner("tlsbad").await;
    fx.create_site(&owner, SITE).await;
    let (pem, _) = self_signed(&[SITE]);
    let (_, other_key) = self_signed(&[SITE]);
    let result = certificates.create(&upload(&owner, &pem, &other_key)).await;
    if let Err(error) = &result {
        let shown = format!("{error:?} {error}");
        assert!(!shown.contains("PRIVATE KEY"), "{shown}");
    }
    assert_invalid(result, "private_key", "a key of another certificate");
    let mut elsewhere = upload(&owner, &pem, &other_key);
    elsewhere.domain = "not-a-site-of-theirs.example".to_owned();
    assert_invalid(
        certificates.create(&elsewhere).await,
        "domain",
        "a domain the owner lacks",
    );
    assert_eq!(sim_certificate(&fx, &fx.control.state().await), None);
}
