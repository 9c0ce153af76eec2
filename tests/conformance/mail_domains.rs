//! Mail domain cases: mail switched on for a domain (HestiaCP `v-add-mail-domain`, Plesk
//! XML `mail enable`), read, found, listed, imported, switched off; checked in the
//! simulator's state. Plesk switches mail on for every new domain, so there the case
//! first switches it off and finds nothing. PanelAlpha lists every domain of a hosting
//! account as an email domain and cannot switch it: found, listed and imported, a create
//! refused naming `domain`, a delete only forgetting. Plesk REST has no mail domain
//! service (nothing reads a domain's mail service back).

use serde_json::{json, Value};
use terraform_provider_panel::panel::{
    ListFilter, MailDomain, MailDomainKey, MailDomainSpec, PanelKind, PanelObject, Service, User,
};

use super::{assert_invalid, ok, service, Fixture};

const SITE: &str = "mail-site.example";

fn mail(fx: &Fixture) -> &dyn Service<MailDomain> {
    service::<MailDomain>(fx.panel.as_ref()).expect("a mail domain service")
}

fn spec(owner: &User, domain: &str) -> MailDomainSpec {
    MailDomainSpec {
        owner: owner.id.clone(),
        domain: domain.to_owned(),
    }
}

/// The simulator's domains that receive mail.
fn sim_mail_domains(fx: &Fixture, dump: &Value) -> Vec<String> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match fx.kind {
        PanelKind::Hestia => dump["users"]
            .as_object()
            .into_iter()
            .flat_map(|users| users.values())
            .flat_map(|u| u["mail_domains"].as_array().cloned().unwrap_or_default())
            .map(|m| text(&m["domain"]))
            .collect(),
        PanelKind::PleskRest | PanelKind::PleskXml => dump["domains"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|d| d["mail_service"] == json!(true))
            .map(|d| text(&d["name"]))
            .collect(),
        PanelKind::PanelAlpha => dump["accounts"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .flat_map(|a| a["domains"].as_array().cloned().unwrap_or_default())
            .map(|d| text(&d["domain"]))
            .collect(),
    }
}

pub async fn lifecycle(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    if kind == PanelKind::PleskRest {
        assert!(
            service::<MailDomain>(fx.panel.as_ref()).is_err(),
            "plesk_rest has no mail domain service (refused at plan time)"
        );
        return;
    }
    let owner = fx.create_owner("mail").await;
    fx.create_site(&owner, SITE).await;
    let mail = mail(&fx);
    let wanted = spec(&owner, SITE);
    let key = MailDomain::spec_key(&wanted);
    let switchable = fx.caps().mail_domain_switch;

    if !switchable {
        // PanelAlpha: the domain receives mail as soon as it exists.
        let found = ok(mail.find(&key).await, "find")
            .expect("every domain of a hosting account is an email domain");
        assert_eq!(found.owner, owner.id);
        assert_eq!(found.domain, SITE);
        let fresh = fx.backend();
        let fresh_mail = service::<MailDomain>(fresh.as_ref()).expect("service");
        assert_eq!(
            ok(fresh_mail.get(&found.locator()).await, "get").as_ref(),
            Some(&found)
        );
        assert_eq!(
            ok(
                fresh_mail.import(&fresh_mail.import_id(&found)).await,
                "import"
            )
            .as_ref(),
            Some(&found)
        );
        let listed = ok(
            fresh_mail.list(&ListFilter::owned_by(&owner.id)).await,
            "list",
        );
        assert!(listed.contains(&found), "{listed:?}");
        assert_invalid(
            mail.create(&spec(&owner, "other-mail.example")).await,
            "domain",
            "a create where the panel cannot switch mail on",
        );
        fx.control.clear_requests().await;
        ok(mail.delete(&found.locator()).await, "delete forgets");
        assert_eq!(fx.control.requests().await.total, 0, "nothing sent");
        assert!(sim_mail_domains(&fx, &fx.control.state().await).contains(&SITE.to_owned()));
        return;
    }

    if let Some(on) = ok(mail.find(&key).await, "find before") {
        // Plesk switches mail on for new domains: switch it off first.
        assert!(matches!(kind, PanelKind::PleskXml), "{on:?}");
        ok(mail.delete(&on.locator()).await, "switch off");
        assert_eq!(ok(mail.find(&key).await, "find after switching off"), None);
    }
    assert!(!sim_mail_domains(&fx, &fx.control.state().await).contains(&SITE.to_owned()));
    let created = ok(mail.create(&wanted).await, "create");
    assert_eq!(created.owner, owner.id);
    assert_eq!(created.domain, SITE);
    assert!(sim_mail_domains(&fx, &fx.control.state().await).contains(&SITE.to_owned()));

    let fresh = fx.backend();
    let fresh_mail = service::<MailDomain>(fresh.as_ref()).expect("service");
    let at = created.locator();
    assert_eq!(
        ok(fresh_mail.get(&at).await, "fresh get").as_ref(),
        Some(&created)
    );
    assert_eq!(
        ok(fresh_mail.find(&key).await, "find").as_ref(),
        Some(&created)
    );
    let upper = MailDomainKey {
        domain: SITE.to_uppercase(),
        ..key.clone()
    };
    assert_eq!(
        ok(fresh_mail.find(&upper).await, "find in capitals").as_ref(),
        Some(&created)
    );
    let other_owner = MailDomainKey {
        owner: format!("{}9", owner.id),
        ..key.clone()
    };
    assert_eq!(
        ok(fresh_mail.find(&other_owner).await, "find other owner"),
        None
    );
    let listed = ok(
        fresh_mail.list(&ListFilter::owned_by(&owner.id)).await,
        "list",
    );
    assert_eq!(listed, vec![created.clone()]);
    assert!(ok(fresh_mail.list(&ListFilter::default()).await, "list all").contains(&created));
    let import_id = fresh_mail.import_id(&created);
    assert_eq!(
        ok(fresh_mail.import(&import_id).await, "import").as_ref(),
        Some(&created)
    );

    ok(mail.delete(&at).await, "delete");
    ok(mail.delete(&at).await, "delete again is idempotent");
    assert_eq!(ok(mail.get(&at).await, "get after delete"), None);
    assert!(!sim_mail_domains(&fx, &fx.control.state().await).contains(&SITE.to_owned()));
}

/// The create's answer is lost after the panel committed: sent once, and the lookup by
/// key (what the engine does) finds it.
pub async fn lost_create_answer(kind: PanelKind) {
    let route = match kind {
        PanelKind::Hestia => "v-add-mail-domain",
        PanelKind::PleskXml => "xml mail.enable",
        _ => return,
    };
    let fx = Fixture::start(kind).await;
    let owner = fx.create_owner("maillost").await;
    fx.create_site(&owner, SITE).await;
    let mail = mail(&fx);
    let wanted = spec(&owner, SITE);
    let key = MailDomain::spec_key(&wanted);
    if let Some(on) = ok(mail.find(&key).await, "find before") {
        ok(mail.delete(&on.locator()).await, "switch off");
    }
    fx.control.clear_requests().await;
    fx.control
        .faults(json!({"drop_after_commit": [{"route": route}]}))
        .await;
    let error = match mail.create(&wanted).await {
        Ok(created) => panic!("create succeeded although its answer was lost: {created:?}"),
        Err(e) => e,
    };
    assert!(error.may_have_taken_effect(), "{error:?}");
    assert_eq!(fx.control.requests().await.route(route), 1, "sent once");
    let fresh = fx.backend();
    let found = ok(
        service::<MailDomain>(fresh.as_ref())
            .expect("service")
            .find(&key)
            .await,
        "find after",
    )
    .expect("the committed mail domain is found by its key");
    assert_eq!(found.domain, SITE);
}

/// A bad name is refused naming `domain`; a domain of another user too (Plesk), or
/// "already exists" (HestiaCP, where mail domains are the server's once).
pub async fn invalid_input(kind: PanelKind) {
    if !matches!(kind, PanelKind::Hestia | PanelKind::PleskXml) {
        return;
    }
    let fx = Fixture::start(kind).await;
    let owner = fx.create_owner("mailbad").await;
    fx.create_site(&owner, SITE).await;
    let mail = mail(&fx);
    fx.control.clear_requests().await;
    assert_invalid(
        mail.create(&spec(&owner, "not a domain")).await,
        "domain",
        "a name with spaces",
    );
    if kind == PanelKind::PleskXml {
        assert_eq!(fx.control.requests().await.total, 0, "nothing sent");
        assert_invalid(
            mail.create(&spec(&owner, "not-here.example")).await,
            "domain",
            "a domain Plesk does not have",
        );
    }
}
