//! Database user cases (`panel_database_user`): create / read / password rotation /
//! databases / delete / import / find through the backend, checked in the simulator's
//! state; a create whose answer is lost, found again by its key; bad input refused
//! before any request. HestiaCP has no database users apart from databases: no service.

use serde_json::{json, Value};
use terraform_provider_panel::panel::{
    Database, DatabasePatch, DatabaseUser, DatabaseUserKey, DatabaseUserPatch, DatabaseUserSpec,
    ListFilter, PanelKind, PanelObject, Secret, Service, User,
};

use super::{assert_invalid, ok, service, Calls, Fixture, PASSWORD};

const SITE: &str = "dbuser-site.example";

fn users(fx: &Fixture) -> Option<&dyn Service<DatabaseUser>> {
    service::<DatabaseUser>(fx.panel.as_ref()).ok()
}

fn spec(owner: &User, name: &str, databases: &[&Database]) -> DatabaseUserSpec {
    let mut databases: Vec<String> = databases.iter().map(|d| d.id.clone()).collect();
    databases.sort();
    DatabaseUserSpec {
        owner: owner.id.clone(),
        name: name.to_owned(),
        password: Secret::new(PASSWORD),
        databases,
    }
}

/// The simulator's database users as `(login as stored, password hash or secret)`.
fn sim_users(fx: &Fixture, dump: &Value) -> Vec<(String, String)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match fx.kind {
        PanelKind::Hestia => Vec::new(),
        PanelKind::PleskRest | PanelKind::PleskXml => dump["db_users"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .map(|u| (text(&u["login"]), text(&u["password_hash"])))
            .collect(),
        PanelKind::PanelAlpha => dump["accounts"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .flat_map(|a| {
                a["db_users"]
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(name, u)| (name.clone(), u["password"].to_string()))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            })
            .collect(),
    }
}

/// An owner with a site (where databases need one) and two databases without users.
async fn setup(fx: &Fixture, tag: &str) -> (User, Database, Database) {
    let owner = fx.create_owner(tag).await;
    let site = if fx.database_needs_site() {
        Some(fx.create_site(&owner, SITE).await)
    } else {
        None
    };
    let first = ok(
        fx.panel
            .create_database(&fx.database_spec(&owner, site.as_ref(), "dua", None))
            .await,
        "first database",
    );
    let second = ok(
        fx.panel
            .create_database(&fx.database_spec(&owner, site.as_ref(), "dub", None))
            .await,
        "second database",
    );
    (owner, first, second)
}

pub async fn lifecycle(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let Some(users) = users(&fx) else {
        assert_eq!(
            kind,
            PanelKind::Hestia,
            "only HestiaCP lacks database users"
        );
        assert!(fx.caps().database_user_inline);
        return;
    };
    let (owner, first, second) = setup(&fx, "dbu").await;
    let wanted = spec(&owner, "report", &[&first]);
    let key = DatabaseUser::spec_key(&wanted);
    assert_eq!(ok(users.find(&key).await, "find before"), None);
    let created = ok(users.create(&wanted).await, "create");
    assert_eq!(created.owner, owner.id);
    assert!(
        created.name == "report" || created.name.ends_with("_report"),
        "{created:?}"
    );
    assert_eq!(created.databases, vec![first.id.clone()]);
    let stored = sim_users(&fx, &fx.control.state().await);
    let mine: Vec<_> = stored.iter().filter(|u| u.0 == created.name).collect();
    assert_eq!(mine.len(), 1, "{stored:?}");
    let first_secret = mine[0].1.clone();

    let fresh = fx.backend();
    let fresh_users = service::<DatabaseUser>(fresh.as_ref()).expect("service");
    let at = created.locator();
    assert_eq!(
        ok(fresh_users.get(&at).await, "fresh get").as_ref(),
        Some(&created)
    );
    assert_eq!(
        ok(fresh_users.find(&key).await, "find").as_ref(),
        Some(&created)
    );
    let other_owner = DatabaseUserKey {
        owner: format!("{}9", owner.id),
        ..key.clone()
    };
    assert_eq!(
        ok(fresh_users.find(&other_owner).await, "find other owner"),
        None
    );
    let listed = ok(
        fresh_users.list(&ListFilter::owned_by(&owner.id)).await,
        "list",
    );
    assert_eq!(listed, vec![created.clone()]);
    let import_id = fresh_users.import_id(&created);
    assert_eq!(
        ok(fresh_users.import(&import_id).await, "import").as_ref(),
        Some(&created)
    );

    // Password rotation: what the panel stores changes, nothing else does.
    let rotated = ok(
        users
            .update(
                &at,
                &DatabaseUserPatch {
                    password: Some(Secret::new("An0ther-Passw0rd!")),
                    ..DatabaseUserPatch::default()
                },
            )
            .await,
        "rotate password",
    );
    assert_eq!(rotated, created);
    let stored = sim_users(&fx, &fx.control.state().await);
    let mine: Vec<_> = stored.iter().filter(|u| u.0 == created.name).collect();
    assert_ne!(mine[0].1, first_secret, "the stored password changed");

    let both = {
        let mut ids = vec![first.id.clone(), second.id.clone()];
        ids.sort();
        ids
    };
    if fx.caps().database_user_databases_update {
        let widened = ok(
            users
                .update(
                    &at,
                    &DatabaseUserPatch {
                        databases: Some(both.clone()),
                        ..DatabaseUserPatch::default()
                    },
                )
                .await,
            "grant a second database",
        );
        assert_eq!(widened.databases, both);
        let fresh = fx.backend();
        let read = ok(
            service::<DatabaseUser>(fresh.as_ref())
                .expect("service")
                .get(&at)
                .await,
            "get after grant",
        );
        assert_eq!(read.map(|u| u.databases), Some(both));
        let narrowed = ok(
            users
                .update(
                    &at,
                    &DatabaseUserPatch {
                        databases: Some(vec![second.id.clone()]),
                        ..DatabaseUserPatch::default()
                    },
                )
                .await,
            "revoke the first database",
        );
        assert_eq!(narrowed.databases, vec![second.id.clone()]);
    } else {
        assert_eq!(fx.caps().database_user_max_databases, Some(1));
        assert_invalid(
            users
                .update(
                    &at,
                    &DatabaseUserPatch {
                        databases: Some(vec![second.id.clone()]),
                        ..DatabaseUserPatch::default()
                    },
                )
                .await,
            "databases",
            "moving a user to another database where the panel cannot",
        );
    }

    ok(users.delete(&at).await, "delete");
    ok(users.delete(&at).await, "delete again is idempotent");
    assert_eq!(ok(users.get(&at).await, "get after delete"), None);
    let stored = sim_users(&fx, &fx.control.state().await);
    assert!(
        stored.iter().all(|u| u.0 != created.name),
        "the user is gone: {stored:?}"
    );
    let still = ok(fx.panel.get_database(&first.id).await, "database after");
    assert!(still.is_some(), "deleting the user keeps its databases");
}

/// The create's answer is lost after the panel committed: sent once, not created
/// twice, and the lookup by key (what the engine does) finds it.
pub async fn lost_create_answer(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    if users(&fx).is_none() {
        assert_eq!(kind, PanelKind::Hestia);
        return;
    }
    let (owner, first, _) = setup(&fx, "dbulost").await;
    let users = users(&fx).expect("service");
    let wanted = spec(&owner, "lost", &[&first]);
    let key = DatabaseUser::spec_key(&wanted);
    let route = match kind {
        PanelKind::PleskXml => "xml database.add-db-user",
        PanelKind::PanelAlpha => "POST /api/server-accounts/{id}/mysql/users",
        _ => "POST /api/v2/dbusers",
    };
    fx.control.clear_requests().await;
    fx.control
        .faults(json!({"drop_after_commit": [{"route": route}]}))
        .await;
    let error = match users.create(&wanted).await {
        Ok(user) => panic!("create succeeded although its answer was lost: {user:?}"),
        Err(e) => e,
    };
    assert!(error.may_have_taken_effect(), "{error:?}");
    assert_eq!(fx.control.requests().await.route(route), 1, "sent once");
    let fresh = fx.backend();
    let found = ok(
        service::<DatabaseUser>(fresh.as_ref())
            .expect("service")
            .find(&key)
            .await,
        "find after",
    )
    .expect("the committed user is found by its key");
    assert!(found.name.ends_with("lost"), "{found:?}");
    assert_eq!(found.databases, vec![first.id.clone()]);
}

/// Bad input is refused before any request, naming the attribute.
pub async fn invalid_input(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    if users(&fx).is_none() {
        assert_eq!(kind, PanelKind::Hestia);
        return;
    }
    let (owner, first, second) = setup(&fx, "dbubad").await;
    let users = users(&fx).expect("service");
    fx.control.clear_requests().await;
    assert_invalid(
        users.create(&spec(&owner, "bad-name", &[&first])).await,
        "name",
        "a name with a dash",
    );
    if fx.caps().database_user_max_databases == Some(1) {
        assert_invalid(
            users
                .create(&spec(&owner, "twodbs", &[&first, &second]))
                .await,
            "databases",
            "two databases where the panel grants one",
        );
    }
    assert_eq!(fx.control.requests().await.total, 0, "nothing sent");
    let other = fx.create_owner("dbuother").await;
    let mut elsewhere = spec(&other, "elsewhere", &[&first]);
    elsewhere.owner = other.id.clone();
    assert_invalid(
        users.create(&elsewhere).await,
        "databases",
        "a database of another owner",
    );
    let stored = sim_users(&fx, &fx.control.state().await);
    assert!(stored.is_empty(), "{stored:?}");
}

/// A database with its own user (`panel_database.user`) and a further
/// `panel_database_user` granted the same database, whose name sorts first: reads of
/// the database keep reporting its own user (a different one would plan replacing the
/// database), and deleting the database deletes no other user on the backend's
/// initiative. PanelAlpha keeps a database's MySQL users when it is dropped, so there
/// the further user must survive; Plesk deletes every user of a database with it (a
/// Plesk database user belongs to exactly one database), documented for
/// `panel_database_user`.
pub async fn beside_a_database_with_its_own_user(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let Some(users) = users(&fx) else {
        assert_eq!(kind, PanelKind::Hestia);
        return;
    };
    let owner = fx.create_owner("dbuown").await;
    let site = if fx.database_needs_site() {
        Some(fx.create_site(&owner, SITE).await)
    } else {
        None
    };
    let database = ok(
        fx.panel
            .create_database(&fx.database_spec(&owner, site.as_ref(), "dus", Some("zown")))
            .await,
        "database with its own user",
    );
    let own = database.user.clone().expect("the database's own user");
    let extra = ok(
        users.create(&spec(&owner, "aextra", &[&database])).await,
        "a further user of the database",
    );
    assert!(extra.name < own, "{} sorts before {own}", extra.name);
    let at = database.locator();
    assert_eq!(at.user.as_deref(), Some(own.as_str()), "{at:?}");

    let fresh = fx.backend();
    let databases = service::<Database>(fresh.as_ref()).expect("service");
    let read = ok(databases.get(&at).await, "get").expect("the database");
    assert_eq!(
        read.user.as_deref(),
        Some(own.as_str()),
        "the database reads with its own user, not {}: {read:?}",
        extra.name
    );
    let again = ok(databases.read_back(&at).await, "read back").expect("the database");
    assert_eq!(again.user.as_deref(), Some(own.as_str()), "{again:?}");
    let rotated = ok(
        databases
            .update(
                &at,
                &DatabasePatch {
                    password: Some(Secret::new("An0ther-Passw0rd!")),
                },
            )
            .await,
        "rotate the database user's password",
    );
    assert_eq!(rotated.user.as_deref(), Some(own.as_str()), "{rotated:?}");
    let extra_before = sim_users(&fx, &fx.control.state().await)
        .into_iter()
        .find(|u| u.0 == extra.name)
        .expect("the further user")
        .1;

    ok(databases.delete(&at).await, "delete the database");
    let stored = sim_users(&fx, &fx.control.state().await);
    assert!(
        stored.iter().all(|u| u.0 != own),
        "the database's own user goes with it: {stored:?}"
    );
    let extra_after = stored.iter().find(|u| u.0 == extra.name);
    match kind {
        PanelKind::PanelAlpha => {
            assert_eq!(
                extra_after.map(|u| &u.1),
                Some(&extra_before),
                "deleting the database deleted (or changed) another MySQL user: {stored:?}"
            );
            let left = ok(
                service::<DatabaseUser>(fresh.as_ref())
                    .expect("service")
                    .get(&extra.locator())
                    .await,
                "the further user after the database",
            )
            .expect("the further user is still there");
            assert!(left.databases.is_empty(), "{left:?}");
        }
        _ => assert!(
            extra_after.is_none(),
            "Plesk deletes a database's users with it (documented): {stored:?}"
        ),
    }
}
