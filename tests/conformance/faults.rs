//! Failure cases: partial multi-call creates, wrong credentials, retried reads (503,
//! 429 with Retry-After), the retry limit, and a create whose answer is lost after the
//! panel committed it (never retried).

use std::time::{Duration, Instant};

use serde_json::json;
use terraform_provider_panel::panel::{Database, PanelErrorKind, PanelKind, User};

use super::{assert_kind, ok, Calls, Fixture, PartialStep};

pub async fn partial_create(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    match fx.partial_step() {
        PartialStep::UserSuspend(route) => {
            let mut spec = fx.user_spec("half");
            spec.suspended = true;
            fx.control.clear_requests().await;
            fx.control
                .faults(json!({"fail_next": [{"status": 500, "count": 1, "route": route}]}))
                .await;
            let error = match fx.panel.create_user(&spec).await {
                Ok(user) => panic!("create_user succeeded although {route} failed: {user:?}"),
                Err(e) => e,
            };
            let counted = fx.control.requests().await;
            assert_eq!(counted.route(route), 1, "{route} retried: {counted:?}");
            let Some(user) = error.partial::<User>() else {
                panic!("no partial user after {route} failed: {error:?}");
            };
            assert_eq!(user.login, spec.login);
            let dump = fx.control.state().await;
            let sim = fx
                .sim_user(&dump, &user.id)
                .unwrap_or_else(|| panic!("partial user {} not in the simulator", user.id));
            assert!(!sim.suspended, "the failed suspension happened anyway");
            assert_eq!(
                ok(fx.backend().get_user(&user.id).await, "read partial user").map(|u| u.login),
                Some(spec.login.clone())
            );
        }
        PartialStep::DatabaseUser(route) => {
            let owner = fx.create_owner("half").await;
            let site = fx.create_site(&owner, "conf-half.test").await;
            let spec = fx.database_spec(&owner, Some(&site), "halfdb", Some("halfu"));
            fx.control.clear_requests().await;
            fx.control
                .faults(json!({"fail_next": [{"status": 500, "count": 1, "route": route}]}))
                .await;
            let error = match fx.panel.create_database(&spec).await {
                Ok(db) => panic!("create_database succeeded although {route} failed: {db:?}"),
                Err(e) => e,
            };
            let counted = fx.control.requests().await;
            assert_eq!(counted.route(route), 1, "{route} not hit once: {counted:?}");
            let Some(db) = error.partial::<Database>() else {
                panic!("no partial database after {route} failed: {error:?}");
            };
            assert_eq!(db.owner, owner.id);
            let dump = fx.control.state().await;
            assert!(
                fx.sim_has_database(&dump, &db.name),
                "partial database {} not in the simulator",
                db.name
            );
            let read = ok(
                fx.backend().get_database(&db.id).await,
                "read partial database",
            )
            .unwrap_or_else(|| panic!("partial database id {} does not read back", db.id));
            assert_eq!(read.name, db.name);
            assert_eq!(read.user, None, "the failed user creation happened anyway");
        }
    }
}

pub async fn auth_failure(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let user = fx.create_owner("auth").await;
    let wrong = fx.backend_with(fx.wrong_credentials());
    let error = assert_kind(
        wrong.check_connection().await,
        PanelErrorKind::Auth,
        "check_connection with wrong credentials",
    );
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("wrongsecret")
            && !shown.contains("wrong-token")
            && !shown.contains("wrong-Passw0rd"),
        "the error shows the secret: {shown}"
    );
    assert_kind(
        wrong.get_user(&user.id).await,
        PanelErrorKind::Auth,
        "get_user with wrong credentials",
    );
    assert_kind(
        wrong.list_users().await,
        PanelErrorKind::Auth,
        "list_users with wrong credentials",
    );
    ok(fx.backend().check_connection().await, "check_connection");
}

/// Requests a fresh backend needs to read `user` with no faults.
async fn baseline_read(fx: &Fixture, user: &User) -> u64 {
    fx.control.clear_requests().await;
    let read = ok(fx.backend().get_user(&user.id).await, "baseline get_user");
    assert_eq!(read.as_ref(), Some(user));
    fx.control.requests().await.total
}

pub async fn read_retried_on_503(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let user = fx.create_owner("r503").await;
    let baseline = baseline_read(&fx, &user).await;

    fx.control.clear_requests().await;
    fx.control
        .faults(json!({"fail_next": [{"status": 503, "count": 1}]}))
        .await;
    let read = ok(
        fx.backend().get_user(&user.id).await,
        "get_user after one 503",
    );
    assert_eq!(read.as_ref(), Some(&user));
    let counted = fx.control.requests().await;
    println!(
        "{}: get_user baseline {baseline} request(s), with one 503: {}",
        kind.as_str(),
        counted.total
    );
    assert_eq!(
        counted.total,
        baseline + 1,
        "one 503 should cost exactly one retry: {counted:?}"
    );
}

pub async fn read_honours_429(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let user = fx.create_owner("r429").await;
    let baseline = baseline_read(&fx, &user).await;

    fx.control.clear_requests().await;
    // The simulator answers an injected 429 with `Retry-After: 1`.
    fx.control
        .faults(json!({"fail_next": [{"status": 429, "count": 1}]}))
        .await;
    let started = Instant::now();
    let read = ok(
        fx.backend().get_user(&user.id).await,
        "get_user after a 429",
    );
    let waited = started.elapsed();
    assert_eq!(read.as_ref(), Some(&user));
    let counted = fx.control.requests().await;
    println!(
        "{}: get_user with one 429: {} request(s) (baseline {baseline}), {waited:?}",
        kind.as_str(),
        counted.total
    );
    assert_eq!(counted.total, baseline + 1, "{counted:?}");
    assert!(
        waited >= Duration::from_millis(950),
        "Retry-After: 1 not honoured, retried after {waited:?}"
    );
}

pub async fn read_gives_up(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let user = fx.create_owner("rmax").await;
    fx.control.clear_requests().await;
    fx.control
        .faults(json!({"fail_next": [{"status": 503, "count": 10}]}))
        .await;
    assert_kind(
        fx.backend().get_user(&user.id).await,
        PanelErrorKind::Temporary,
        "get_user while the panel keeps answering 503",
    );
    let counted = fx.control.requests().await;
    assert_eq!(counted.total, 3, "max 3 tries: {counted:?}");
}

pub async fn create_not_retried(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let route = fx.create_user_route();
    // No plan: the create must be the backend's first request (PanelAlpha would look
    // the plan up first).
    let mut spec = fx.user_spec("drop");
    spec.plan = None;
    fx.control.clear_requests().await;
    fx.control
        .faults(json!({"drop_after_commit_next": 1}))
        .await;
    let error = match fx.panel.create_user(&spec).await {
        Ok(user) => panic!("create_user succeeded although its answer was lost: {user:?}"),
        Err(e) => e,
    };
    assert!(
        matches!(
            error.kind,
            PanelErrorKind::Transport | PanelErrorKind::Temporary
        ),
        "a lost answer should be a transport error: {error:?}"
    );
    let counted = fx.control.requests().await;
    assert_eq!(
        counted.route(route),
        1,
        "the create was sent more than once: {counted:?}"
    );
    // The panel did commit it: a retry by the user must collide, not adopt.
    let key = if fx.caps().user_login {
        spec.login.clone()
    } else {
        spec.email.clone()
    };
    let committed = ok(fx.backend().find_user(&key).await, "find committed user");
    assert!(
        committed.is_some(),
        "the simulator did not commit the create"
    );
    assert_kind(
        fx.panel.create_user(&spec).await,
        PanelErrorKind::AlreadyExists,
        "create again after the lost answer",
    );
}
