//! FTP account cases: create / read / password and home changes / delete / import /
//! find through the backend, checked in the simulator's state (the stored password
//! hash changes on rotation); a create whose answer is lost, found again by its key;
//! bad input refused before any request. PanelAlpha cannot change an account's
//! directory after creation: the backend refuses it naming `home`.

use serde_json::{json, Value};
use terraform_provider_panel::panel::{
    FtpAccount, FtpAccountKey, FtpAccountPatch, FtpAccountSpec, ListFilter, PanelKind, PanelObject,
    Secret, Service, User,
};

use super::{assert_invalid, ok, service, Fixture, PASSWORD};

const SITE: &str = "ftp-site.example";

fn ftp(fx: &Fixture) -> &dyn Service<FtpAccount> {
    service::<FtpAccount>(fx.panel.as_ref()).expect("an FTP account service")
}

fn spec(owner: &User, login: &str, home: &str) -> FtpAccountSpec {
    FtpAccountSpec {
        owner: owner.id.clone(),
        domain: SITE.to_owned(),
        login: login.to_owned(),
        password: Secret::new(PASSWORD),
        home: home.to_owned(),
    }
}

/// The simulator's FTP accounts as `(full login, home as stored, password hash)`.
fn sim_accounts(fx: &Fixture, dump: &Value) -> Vec<(String, String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match fx.kind {
        PanelKind::Hestia => dump["users"]
            .as_object()
            .into_iter()
            .flat_map(|users| users.values())
            .flat_map(|u| u["web_domains"].as_array().cloned().unwrap_or_default())
            .flat_map(|w| w["ftp"].as_array().cloned().unwrap_or_default())
            .map(|f| {
                (
                    text(&f["login"]),
                    text(&f["path"]),
                    text(&f["password_sha256"]),
                )
            })
            .collect(),
        PanelKind::PleskRest | PanelKind::PleskXml => dump["ftp_users"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .map(|f| {
                (
                    text(&f["name"]),
                    text(&f["home"]),
                    text(&f["password_hash"]),
                )
            })
            .collect(),
        PanelKind::PanelAlpha => dump["accounts"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .flat_map(|a| {
                a["ftp_accounts"]
                    .as_object()
                    .map(|m| m.values().cloned().collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .map(|f| {
                (
                    text(&f["login"]),
                    text(&f["directory"]),
                    f["password"].to_string(),
                )
            })
            .collect(),
    }
}

fn expected_full(fx: &Fixture, owner: &User, login: &str) -> String {
    match fx.kind {
        PanelKind::Hestia => format!("{}_{login}", owner.id),
        PanelKind::PanelAlpha => format!("{login}@{SITE}"),
        _ => login.to_owned(),
    }
}

pub async fn lifecycle(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = fx.create_owner("ftp").await;
    fx.create_site(&owner, SITE).await;
    let ftp = ftp(&fx);
    let wanted = spec(&owner, "deploy", "public_html/uploads");
    let key = FtpAccount::spec_key(&wanted);
    assert_eq!(ok(ftp.find(&key).await, "find before"), None);
    let created = ok(ftp.create(&wanted).await, "create");
    let full = expected_full(&fx, &owner, "deploy");
    assert_eq!(created.owner, owner.id);
    assert_eq!(created.domain, SITE);
    assert_eq!(created.login, "deploy", "state keeps the login as written");
    assert_eq!(created.full_login, full);
    assert_eq!(created.home, "public_html/uploads");
    let dump = fx.control.state().await;
    let stored = sim_accounts(&fx, &dump);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].0, full);
    assert_eq!(stored[0].1.trim_matches('/'), "public_html/uploads");
    let first_hash = stored[0].2.clone();

    let fresh = fx.backend();
    let fresh_ftp = service::<FtpAccount>(fresh.as_ref()).expect("service");
    let at = created.locator();
    assert_eq!(
        ok(fresh_ftp.get(&at).await, "fresh get").as_ref(),
        Some(&created)
    );
    assert_eq!(
        ok(fresh_ftp.find(&key).await, "find").as_ref(),
        Some(&created)
    );
    let other_owner = FtpAccountKey {
        owner: format!("{}9", owner.id),
        ..key.clone()
    };
    assert_eq!(
        ok(fresh_ftp.find(&other_owner).await, "find other owner"),
        None
    );
    let listed = ok(
        fresh_ftp.list(&ListFilter::owned_by(&owner.id)).await,
        "list",
    );
    assert_eq!(listed, vec![created.clone()]);
    assert!(ok(fresh_ftp.list(&ListFilter::default()).await, "list all").contains(&created));
    let import_id = fresh_ftp.import_id(&created);
    assert_eq!(
        ok(fresh_ftp.import(&import_id).await, "import").as_ref(),
        Some(&created)
    );

    // Password rotation: the panel's stored hash changes, nothing else does.
    let rotated = ok(
        ftp.update(
            &at,
            &FtpAccountPatch {
                password: Some(Secret::new("An0ther-Passw0rd!")),
                ..FtpAccountPatch::default()
            },
        )
        .await,
        "rotate password",
    );
    assert_eq!(rotated, created);
    let dump = fx.control.state().await;
    let stored = sim_accounts(&fx, &dump);
    assert_ne!(stored[0].2, first_hash, "the stored password hash changed");

    if !fx.caps().ftp_account_home_update {
        assert_invalid(
            ftp.update(
                &at,
                &FtpAccountPatch {
                    home: Some("private/data".into()),
                    ..FtpAccountPatch::default()
                },
            )
            .await,
            "home",
            "a home change where the panel cannot make it",
        );
        ok(ftp.delete(&at).await, "delete");
        ok(ftp.delete(&at).await, "delete again is idempotent");
        assert_eq!(ok(ftp.get(&at).await, "get after delete"), None);
        assert!(sim_accounts(&fx, &fx.control.state().await).is_empty());
        return;
    }
    let moved = ok(
        ftp.update(
            &at,
            &FtpAccountPatch {
                home: Some("private/data".into()),
                ..FtpAccountPatch::default()
            },
        )
        .await,
        "change home",
    );
    assert_eq!(moved.home, "private/data");
    let home_again = ok(
        ftp.update(
            &at,
            &FtpAccountPatch {
                home: Some(String::new()),
                ..FtpAccountPatch::default()
            },
        )
        .await,
        "home back to the domain's",
    );
    assert_eq!(home_again.home, "");

    ok(ftp.delete(&at).await, "delete");
    ok(ftp.delete(&at).await, "delete again is idempotent");
    assert_eq!(ok(ftp.get(&at).await, "get after delete"), None);
    assert!(sim_accounts(&fx, &fx.control.state().await).is_empty());
}

/// The create's answer is lost after the panel committed: sent once, not created
/// twice, and the lookup by key (what the engine does) finds it.
pub async fn lost_create_answer(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = fx.create_owner("ftplost").await;
    fx.create_site(&owner, SITE).await;
    let ftp = ftp(&fx);
    let wanted = spec(&owner, "lost", "");
    let key = FtpAccount::spec_key(&wanted);
    assert_eq!(ok(ftp.find(&key).await, "find before"), None);
    let route = match kind {
        PanelKind::Hestia => "v-add-web-domain-ftp",
        PanelKind::PleskXml => "xml ftp-user.add",
        PanelKind::PanelAlpha => "POST /api/server-accounts/{id}/ftp-accounts",
        _ => "POST /api/v2/ftpusers",
    };
    fx.control.clear_requests().await;
    fx.control
        .faults(json!({"drop_after_commit": [{"route": route}]}))
        .await;
    let error = match ftp.create(&wanted).await {
        Ok(account) => panic!("create succeeded although its answer was lost: {account:?}"),
        Err(e) => e,
    };
    assert!(error.may_have_taken_effect(), "{error:?}");
    assert_eq!(fx.control.requests().await.route(route), 1, "sent once");
    let fresh = fx.backend();
    let found = ok(
        service::<FtpAccount>(fresh.as_ref())
            .expect("service")
            .find(&key)
            .await,
        "find after",
    )
    .expect("the committed account is found by its key");
    assert_eq!(found.login, "lost");
    assert_eq!(sim_accounts(&fx, &fx.control.state().await).len(), 1);
}

/// Bad input is refused before any request, naming the attribute; a domain the owner
/// lacks is refused naming `domain`.
pub async fn invalid_input(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = fx.create_owner("ftpbad").await;
    fx.create_site(&owner, SITE).await;
    let ftp = ftp(&fx);
    fx.control.clear_requests().await;
    assert_invalid(
        ftp.create(&spec(&owner, "escape", "../../etc")).await,
        "home",
        "home outside the domain",
    );
    assert_invalid(
        ftp.create(&spec(&owner, "bad login", "")).await,
        "login",
        "login with a space",
    );
    assert_eq!(fx.control.requests().await.total, 0, "nothing sent");
    let mut elsewhere = spec(&owner, "nowhere", "");
    elsewhere.domain = "not-owned.example".into();
    assert_invalid(ftp.create(&elsewhere).await, "domain", "domain not owned");
    assert!(sim_accounts(&fx, &fx.control.state().await).is_empty());
}
