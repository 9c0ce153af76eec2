//! Mailbox cases: create / read / find / list / import / password rotation (the
//! simulator's stored digest changes; on HestiaCP the new password logs in and the old
//! one no longer does) / quota / suspension / delete through the backend; a create whose
//! answer is lost, found again by its key; bad input refused naming the attribute.
//! Panels that cannot suspend a mailbox refuse it naming `suspended`; Plesk REST goes
//! through the `mail` utility (`/cli/mail/call`).

use serde_json::{json, Value};
use terraform_provider_panel::panel::{
    ListFilter, MailDomain, MailDomainSpec, Mailbox, MailboxKey, MailboxPatch, MailboxSpec,
    PanelKind, PanelObject, Secret, Service, User,
};

use super::{assert_invalid, ok, service, Fixture, PASSWORD};

const SITE: &str = "mailbox-site.example";
const NEW_PASSWORD: &str = "An0ther-Mail-Passw0rd!";

fn mailboxes(fx: &Fixture) -> &dyn Service<Mailbox> {
    service::<Mailbox>(fx.panel.as_ref()).expect("a mailbox service")
}

fn spec(owner: &User, name: &str, quota_mb: Option<u64>) -> MailboxSpec {
    MailboxSpec {
        owner: owner.id.clone(),
        domain: SITE.to_owned(),
        name: name.to_owned(),
        password: Secret::new(PASSWORD),
        quota_mb,
        suspended: false,
    }
}

/// An owner whose `SITE` receives mail.
async fn mail_owner(fx: &Fixture, tag: &str) -> User {
    let owner = fx.create_owner(tag).await;
    fx.create_site(&owner, SITE).await;
    if fx.kind == PanelKind::Hestia {
        let mail = service::<MailDomain>(fx.panel.as_ref()).expect("mail domains");
        ok(
            mail.create(&MailDomainSpec {
                owner: owner.id.clone(),
                domain: SITE.to_owned(),
            })
            .await,
            "mail domain",
        );
    }
    owner
}

/// The simulator's mailboxes as `(address, password digest)`.
fn sim_mailboxes(fx: &Fixture, dump: &Value) -> Vec<(String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match fx.kind {
        PanelKind::Hestia => dump["users"]
            .as_object()
            .into_iter()
            .flat_map(|users| users.values())
            .flat_map(|u| u["mail_domains"].as_array().cloned().unwrap_or_default())
            .flat_map(|d| {
                let domain = text(&d["domain"]);
                d["accounts"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |a| {
                        (
                            format!("{}@{domain}", text(&a["account"])),
                            text(&a["password_sha256"]),
                        )
                    })
            })
            .collect(),
        PanelKind::PleskRest | PanelKind::PleskXml => {
            let names: std::collections::HashMap<String, String> = dump["domains"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values())
                .map(|d| (d["id"].to_string(), text(&d["name"])))
                .collect();
            dump["mailnames"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values())
                .filter(|m| m["mailbox"] == json!(true))
                .map(|m| {
                    let domain = names
                        .get(&m["domain_id"].to_string())
                        .cloned()
                        .unwrap_or_default();
                    (
                        format!("{}@{domain}", text(&m["name"])),
                        m["password_hash"].to_string(),
                    )
                })
                .collect()
        }
        PanelKind::PanelAlpha => dump["accounts"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .flat_map(|a| {
                a["mailboxes"]
                    .as_object()
                    .map(|m| m.values().cloned().collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .map(|m| (text(&m["email"]), m["password"].to_string()))
            .collect(),
    }
}

pub async fn lifecycle(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = mail_owner(&fx, "mbox").await;
    let boxes = mailboxes(&fx);
    let wanted = spec(&owner, "info", Some(100));
    let key = Mailbox::spec_key(&wanted);
    assert_eq!(ok(boxes.find(&key).await, "find before"), None);
    let created = ok(boxes.create(&wanted).await, "create");
    let address = format!("info@{SITE}");
    assert_eq!(created.owner, owner.id);
    assert_eq!(created.domain, SITE);
    assert_eq!(created.name, "info");
    assert_eq!(created.address(), address);
    assert_eq!(created.quota_mb, Some(100));
    assert!(!created.suspended);
    let stored = sim_mailboxes(&fx, &fx.control.state().await);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].0, address);
    let first_digest = stored[0].1.clone();
    if kind == PanelKind::Hestia {
        assert!(
            fx.control
                .mail_login(&owner.id, SITE, "info", PASSWORD)
                .await
        );
    }

    let fresh = fx.backend();
    let fresh_boxes = service::<Mailbox>(fresh.as_ref()).expect("service");
    let at = created.locator();
    assert_eq!(
        ok(fresh_boxes.get(&at).await, "fresh get").as_ref(),
        Some(&created)
    );
    assert_eq!(
        ok(fresh_boxes.find(&key).await, "find").as_ref(),
        Some(&created)
    );
    let other_owner = MailboxKey {
        owner: format!("{}9", owner.id),
        ..key.clone()
    };
    assert_eq!(
        ok(fresh_boxes.find(&other_owner).await, "find other owner"),
        None
    );
    let listed = ok(
        fresh_boxes.list(&ListFilter::owned_by(&owner.id)).await,
        "list",
    );
    assert_eq!(listed, vec![created.clone()]);
    assert!(ok(fresh_boxes.list(&ListFilter::default()).await, "list all").contains(&created));
    let import_id = fresh_boxes.import_id(&created);
    assert_eq!(
        ok(fresh_boxes.import(&import_id).await, "import").as_ref(),
        Some(&created)
    );

    // Password rotation: proven at the panel, nothing else changes.
    let rotated = ok(
        boxes
            .update(
                &at,
                &MailboxPatch {
                    password: Some(Secret::new(NEW_PASSWORD)),
                    ..MailboxPatch::default()
                },
            )
            .await,
        "rotate password",
    );
    assert_eq!(rotated, created);
    let stored = sim_mailboxes(&fx, &fx.control.state().await);
    assert_ne!(
        stored[0].1, first_digest,
        "the stored password digest changed"
    );
    if kind == PanelKind::Hestia {
        assert!(
            fx.control
                .mail_login(&owner.id, SITE, "info", NEW_PASSWORD)
                .await,
            "the new password logs in"
        );
        assert!(
            !fx.control
                .mail_login(&owner.id, SITE, "info", PASSWORD)
                .await,
            "the old password no longer does"
        );
    }

    // Quota: unlimited, then a limit again.
    let unlimited = ok(
        boxes
            .update(
                &at,
                &MailboxPatch {
                    quota_mb: Some(None),
                    ..MailboxPatch::default()
                },
            )
            .await,
        "quota unlimited",
    );
    assert_eq!(unlimited.quota_mb, None);
    let limited = ok(
        boxes
            .update(
                &at,
                &MailboxPatch {
                    quota_mb: Some(Some(250)),
                    ..MailboxPatch::default()
                },
            )
            .await,
        "quota 250",
    );
    assert_eq!(limited.quota_mb, Some(250));

    if fx.caps().mailbox_suspend {
        let suspended = ok(
            boxes
                .update(
                    &at,
                    &MailboxPatch {
                        suspended: Some(true),
                        ..MailboxPatch::default()
                    },
                )
                .await,
            "suspend",
        );
        assert!(suspended.suspended);
        // A suspended mailbox's password still rotates (unsuspend, change, suspend).
        let still = ok(
            boxes
                .update(
                    &at,
                    &MailboxPatch {
                        password: Some(Secret::new(PASSWORD)),
                        ..MailboxPatch::default()
                    },
                )
                .await,
            "rotate while suspended",
        );
        assert!(still.suspended, "still suspended");
        let resumed = ok(
            boxes
                .update(
                    &at,
                    &MailboxPatch {
                        suspended: Some(false),
                        ..MailboxPatch::default()
                    },
                )
                .await,
            "unsuspend",
        );
        assert!(!resumed.suspended);
        assert!(
            fx.control
                .mail_login(&owner.id, SITE, "info", PASSWORD)
                .await
        );
    }

    ok(boxes.delete(&at).await, "delete");
    ok(boxes.delete(&at).await, "delete again is idempotent");
    assert_eq!(ok(boxes.get(&at).await, "get after delete"), None);
    assert!(sim_mailboxes(&fx, &fx.control.state().await).is_empty());
}

/// The create's answer is lost after the panel committed: sent once, not created
/// twice, and the lookup by key (what the engine does) finds it.
pub async fn lost_create_answer(kind: PanelKind) {
    let route = match kind {
        PanelKind::Hestia => "v-add-mail-account",
        PanelKind::PleskXml => "xml mail.create",
        PanelKind::PanelAlpha => "POST /api/server-accounts/{id}/email/accounts",
        // `mail --create` through the CLI gateway (the first call to it in a create).
        PanelKind::PleskRest => "POST /api/v2/cli/mail/call",
    };
    let fx = Fixture::start(kind).await;
    let owner = mail_owner(&fx, "mboxlost").await;
    let boxes = mailboxes(&fx);
    let wanted = spec(&owner, "lost", None);
    let key = Mailbox::spec_key(&wanted);
    fx.control.clear_requests().await;
    fx.control
        .faults(json!({"drop_after_commit": [{"route": route}]}))
        .await;
    let error = match boxes.create(&wanted).await {
        Ok(mailbox) => panic!("create succeeded although its answer was lost: {mailbox:?}"),
        Err(e) => e,
    };
    assert!(error.may_have_taken_effect(), "{error:?}");
    assert_eq!(fx.control.requests().await.route(route), 1, "sent once");
    let fresh = fx.backend();
    let found = ok(
        service::<Mailbox>(fresh.as_ref())
            .expect("service")
            .find(&key)
            .await,
        "find after",
    )
    .expect("the committed mailbox is found by its key");
    assert_eq!(found.name, "lost");
    assert_eq!(sim_mailboxes(&fx, &fx.control.state().await).len(), 1);
}

/// A bad local part is refused before any request naming `name`; a domain that does
/// not receive mail (or is not the owner's) is refused naming `domain`; a suspension
/// where the panel has none, naming `suspended`.
pub async fn invalid_input(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = mail_owner(&fx, "mboxbad").await;
    let boxes = mailboxes(&fx);
    fx.control.clear_requests().await;
    assert_invalid(
        boxes.create(&spec(&owner, "bad name", None)).await,
        "name",
        "a local part with a space",
    );
    assert_invalid(
        boxes.create(&spec(&owner, "Upper", None)).await,
        "name",
        "a local part in capitals",
    );
    assert_eq!(fx.control.requests().await.total, 0, "nothing sent");
    let mut elsewhere = spec(&owner, "nowhere", None);
    elsewhere.domain = "not-mail.example".into();
    assert_invalid(
        boxes.create(&elsewhere).await,
        "domain",
        "a domain without mail",
    );
    if !fx.caps().mailbox_suspend {
        let mut suspended = spec(&owner, "held", None);
        suspended.suspended = true;
        assert_invalid(
            boxes.create(&suspended).await,
            "suspended",
            "a suspension the panel cannot make",
        );
    }
    assert!(sim_mailboxes(&fx, &fx.control.state().await).is_empty());
}
