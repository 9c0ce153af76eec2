//! User cases: lifecycle checked on both the backend and the simulator side, duplicates,
//! invalid input, plans, and users that vanish behind the backend's back.

use terraform_provider_panel::panel::{
    PanelErrorKind, PanelKind, Secret, User, UserPatch, UserSpec,
};

use super::{assert_invalid, assert_kind, ok, Calls, Fixture};

/// The login a backend reports for `spec`: PanelAlpha has none and reports the email.
fn expected_login(fx: &Fixture, spec: &UserSpec) -> String {
    if fx.caps().user_login {
        spec.login.clone()
    } else {
        spec.email.clone()
    }
}

#[track_caller]
fn assert_user_is_spec(fx: &Fixture, user: &User, spec: &UserSpec) {
    assert_eq!(user.login, expected_login(fx, spec), "login: {user:?}");
    assert_eq!(user.email, spec.email, "email: {user:?}");
    assert_eq!(user.name, spec.name, "name: {user:?}");
    assert_eq!(user.plan, spec.plan, "plan: {user:?}");
    assert_eq!(user.suspended, spec.suspended, "suspended: {user:?}");
    assert!(!user.id.is_empty(), "id: {user:?}");
}

/// The simulator's stored record agrees with what the backend reported.
async fn assert_sim_agrees(fx: &Fixture, user: &User) -> String {
    let dump = fx.control.state().await;
    let sim = fx
        .sim_user(&dump, &user.id)
        .unwrap_or_else(|| panic!("user {} is not in the simulator's state", user.id));
    assert_eq!(sim.login, user.login, "simulator login");
    assert_eq!(sim.email, user.email, "simulator email");
    assert_eq!(sim.name, user.name, "simulator name");
    assert_eq!(sim.suspended, user.suspended, "simulator suspended");
    if fx.caps().user_plan {
        assert_eq!(sim.plan, user.plan, "simulator plan");
    }
    sim.password_hash
}

/// The key `find_user` takes for `user` (login; PanelAlpha: email).
fn natural_key(fx: &Fixture, user: &User) -> String {
    if fx.caps().user_login {
        user.login.clone()
    } else {
        user.email.clone()
    }
}

pub async fn lifecycle(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let caps = fx.caps();
    let spec = fx.user_spec("alice");

    let created = ok(fx.panel.create_user(&spec).await, "create_user");
    assert_user_is_spec(&fx, &created, &spec);
    let read = ok(fx.panel.get_user(&created.id).await, "get_user");
    assert_eq!(read.as_ref(), Some(&created), "get_user after create");
    let fresh = ok(fx.backend().get_user(&created.id).await, "fresh get_user");
    assert_eq!(
        fresh.as_ref(),
        Some(&created),
        "get_user on a fresh backend"
    );
    let first_hash = assert_sim_agrees(&fx, &created).await;

    let patch = UserPatch {
        email: Some("conf.alice.new@example.com".to_owned()),
        name: Some("Alice Renamed".to_owned()),
        ..UserPatch::default()
    };
    let updated = ok(
        fx.panel.update_user(&created.id, &patch).await,
        "update email+name",
    );
    assert_eq!(updated.id, created.id);
    assert_eq!(updated.email, "conf.alice.new@example.com");
    assert_eq!(updated.name, "Alice Renamed");
    assert_eq!(updated.plan, created.plan, "plan untouched by the update");
    assert!(!updated.suspended);
    if caps.user_login {
        assert_eq!(updated.login, created.login, "login untouched");
    }
    assert_sim_agrees(&fx, &updated).await;

    let suspend = UserPatch {
        suspended: Some(true),
        ..UserPatch::default()
    };
    if caps.user_suspend {
        let suspended = ok(fx.panel.update_user(&created.id, &suspend).await, "suspend");
        assert!(
            suspended.suspended,
            "suspended after suspend: {suspended:?}"
        );
        assert_eq!(suspended.email, updated.email, "suspend keeps the email");
        assert_eq!(suspended.name, updated.name, "suspend keeps the name");
        assert_sim_agrees(&fx, &suspended).await;
        let unsuspend = UserPatch {
            suspended: Some(false),
            ..UserPatch::default()
        };
        let active = ok(
            fx.panel.update_user(&created.id, &unsuspend).await,
            "unsuspend",
        );
        assert!(!active.suspended, "active after unsuspend: {active:?}");
        assert_eq!(active, updated, "unsuspend restores the user as it was");
        assert_sim_agrees(&fx, &active).await;
    } else {
        assert_kind(
            fx.panel.update_user(&created.id, &suspend).await,
            PanelErrorKind::Unsupported,
            "suspend without the capability",
        );
    }

    let password = UserPatch {
        password: Some(Secret::new("Other-Passw0rd!9")),
        ..UserPatch::default()
    };
    let after_password = ok(
        fx.panel.update_user(&created.id, &password).await,
        "change password",
    );
    assert_eq!(
        after_password, updated,
        "a password change alters nothing visible"
    );
    let new_hash = assert_sim_agrees(&fx, &after_password).await;
    assert_ne!(
        new_hash, first_hash,
        "the simulator's password hash did not change"
    );

    let read = ok(
        fx.panel.get_user(&created.id).await,
        "get_user after updates",
    );
    assert_eq!(read.as_ref(), Some(&updated));
    let found = ok(
        fx.backend().find_user(&natural_key(&fx, &updated)).await,
        "find_user",
    );
    assert_eq!(found.as_ref(), Some(&updated), "find_user by natural key");
    let missing_key = if caps.user_login {
        "nosuchuser"
    } else {
        "nobody@example.com"
    };
    assert_eq!(
        ok(fx.panel.find_user(missing_key).await, "find_user missing"),
        None
    );

    let other = ok(
        fx.panel.create_user(&fx.user_spec("bob")).await,
        "create second user",
    );
    let listed = ok(fx.panel.list_users().await, "list_users");
    for user in [&updated, &other] {
        let entry = listed.iter().find(|u| u.id == user.id);
        assert_eq!(entry, Some(user), "list_users entry for {}", user.id);
    }

    ok(fx.panel.delete_user(&created.id).await, "delete_user");
    assert_eq!(
        ok(fx.panel.get_user(&created.id).await, "get after delete"),
        None
    );
    assert_eq!(
        ok(
            fx.backend().get_user(&created.id).await,
            "fresh get after delete"
        ),
        None
    );
    let dump = fx.control.state().await;
    assert!(
        fx.sim_user(&dump, &created.id).is_none(),
        "the simulator still has the deleted user"
    );
    assert!(
        fx.sim_user(&dump, &other.id).is_some(),
        "deleting one user removed another"
    );
    ok(
        fx.panel.delete_user(&created.id).await,
        "second delete (idempotent)",
    );
    assert_eq!(
        ok(
            fx.backend().find_user(&natural_key(&fx, &updated)).await,
            "find after delete"
        ),
        None
    );
}

pub async fn duplicate(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let spec = fx.user_spec("dup");
    let original = ok(fx.panel.create_user(&spec).await, "create_user");

    // Same natural key, different details: must collide, never adopt or overwrite.
    let mut again = spec.clone();
    again.name = "Someone Else".to_owned();
    if fx.caps().user_login {
        again.email = "someone.else@example.com".to_owned();
    }
    let error = assert_kind(
        fx.panel.create_user(&again).await,
        PanelErrorKind::AlreadyExists,
        "create_user with a taken natural key",
    );
    assert!(
        error.partial.is_none(),
        "a collision created something: {error:?}"
    );
    let after = ok(fx.backend().get_user(&original.id).await, "get original");
    assert_eq!(
        after.as_ref(),
        Some(&original),
        "the existing user was changed"
    );
    let dump = fx.control.state().await;
    let same_key = fx
        .backend()
        .list_users()
        .await
        .map(|users| {
            users
                .iter()
                .filter(|u| natural_key(&fx, u) == natural_key(&fx, &original))
                .count()
        })
        .unwrap_or_else(|e| panic!("list_users: {e:?}"));
    assert_eq!(same_key, 1, "exactly one user with that key; state: {dump}");
}

pub async fn invalid_input(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let mut bad_email = fx.user_spec("mail");
    bad_email.email = "not-an-email".to_owned();
    assert_invalid(
        fx.panel.create_user(&bad_email).await,
        "email",
        "create_user with a bad email",
    );

    let mut bad_login = fx.user_spec("login");
    bad_login.login = "Bad Login!".to_owned();
    if fx.caps().user_login {
        assert_invalid(
            fx.panel.create_user(&bad_login).await,
            "login",
            "create_user with a bad login",
        );
    } else {
        // No login on this panel: the value plays no part and the email is reported.
        let user = ok(
            fx.panel.create_user(&bad_login).await,
            "create without login",
        );
        assert_eq!(user.login, bad_login.email);
    }

    let user = ok(
        fx.panel.create_user(&fx.user_spec("valid")).await,
        "create valid user",
    );
    let patch = UserPatch {
        email: Some("still not an email".to_owned()),
        ..UserPatch::default()
    };
    assert_invalid(
        fx.panel.update_user(&user.id, &patch).await,
        "email",
        "update_user with a bad email",
    );
    let unchanged = ok(
        fx.backend().get_user(&user.id).await,
        "get after failed update",
    );
    assert_eq!(unchanged.as_ref(), Some(&user));
}

pub async fn plan_capability(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let caps = fx.caps();
    let mut spec = fx.user_spec("plan");
    if !caps.user_plan {
        spec.plan = Some("Unlimited".to_owned());
        assert_kind(
            fx.panel.create_user(&spec).await,
            PanelErrorKind::Unsupported,
            "create_user with a plan on a panel without user plans",
        );
        spec.plan = None;
        let user = ok(fx.panel.create_user(&spec).await, "create without plan");
        let patch = UserPatch {
            plan: Some("Unlimited".to_owned()),
            ..UserPatch::default()
        };
        assert_kind(
            fx.panel.update_user(&user.id, &patch).await,
            PanelErrorKind::Unsupported,
            "update_user plan on a panel without user plans",
        );
        return;
    }
    spec.plan = Some("no-such-plan".to_owned());
    assert_invalid(
        fx.panel.create_user(&spec).await,
        "plan",
        "create_user with an unknown plan",
    );
    let dump = fx.control.state().await;
    let leftover = ok(
        fx.backend().find_user(&expected_login(&fx, &spec)).await,
        "find_user after a refused create",
    );
    assert_eq!(
        leftover, None,
        "an unknown plan still created the user; state: {dump}"
    );

    spec.plan = fx.plan();
    let user = ok(fx.panel.create_user(&spec).await, "create with plan");
    assert_eq!(user.plan, fx.plan());
    let other_plan = match kind {
        PanelKind::Hestia => "system",
        _ => "Business",
    };
    let patch = UserPatch {
        plan: Some(other_plan.to_owned()),
        ..UserPatch::default()
    };
    if caps.user_plan_update {
        let changed = ok(fx.panel.update_user(&user.id, &patch).await, "change plan");
        assert_eq!(changed.plan.as_deref(), Some(other_plan));
        assert_sim_agrees(&fx, &changed).await;
    } else {
        assert_kind(
            fx.panel.update_user(&user.id, &patch).await,
            PanelErrorKind::Unsupported,
            "plan change without the capability",
        );
    }
}

pub async fn deleted_behind_back(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let before = fx.control.state().await;
    let user = ok(
        fx.panel.create_user(&fx.user_spec("ghost")).await,
        "create_user",
    );
    // Put the panel back as it was before the create: the user is gone, and no request
    // of this backend says so.
    fx.control.put_state(&before).await;
    let fresh = fx.backend();
    assert_eq!(ok(fresh.get_user(&user.id).await, "get gone user"), None);
    assert_eq!(
        ok(
            fresh.find_user(&natural_key(&fx, &user)).await,
            "find gone user"
        ),
        None
    );
    assert_kind(
        fresh
            .update_user(
                &user.id,
                &UserPatch {
                    name: Some("Nobody".to_owned()),
                    ..UserPatch::default()
                },
            )
            .await,
        PanelErrorKind::NotFound,
        "update of a gone user",
    );
    ok(fresh.delete_user(&user.id).await, "delete of a gone user");
}
