//! Database cases: create with a user and password, name prefix and length rules,
//! engines, duplicates, idempotent delete, and databases that vanish behind the
//! backend's back.

use terraform_provider_panel::panel::{
    Database, DatabasePatch, DatabaseSpec, ListFilter, PanelErrorKind, PanelKind, Secret, User,
};

use super::{assert_invalid, assert_kind, ok, Calls, Fixture};
use terraform_provider_panel::panel::NamePrefix;

/// An owner, plus a site when the panel hangs databases off one.
async fn owner_and_site(
    fx: &Fixture,
    tag: &str,
) -> (User, Option<terraform_provider_panel::panel::Domain>) {
    let owner = fx.create_owner(tag).await;
    let site = if fx.database_needs_site() {
        Some(fx.create_site(&owner, &format!("conf-{tag}.test")).await)
    } else {
        None
    };
    (owner, site)
}

/// The name a panel stores for `requested`: with the owner prefix where it adds one.
#[track_caller]
fn assert_stored_name(fx: &Fixture, stored: &str, requested: &str, what: &str) {
    if fx.caps().database_name_prefix != NamePrefix::None {
        assert!(
            stored.ends_with(&format!("_{requested}")) && stored.len() > requested.len() + 1,
            "{what}: expected a prefixed form of {requested:?}, got {stored:?}"
        );
    } else {
        assert_eq!(
            stored, requested,
            "{what}: the panel stored another name than requested, yet the backend \
             declares database_name_prefix = false"
        );
    }
}

#[track_caller]
fn assert_database_is_spec(fx: &Fixture, db: &Database, spec: &DatabaseSpec) {
    assert_stored_name(fx, &db.name, &spec.name, "database name");
    assert_eq!(db.owner, spec.owner, "owner: {db:?}");
    assert_eq!(db.engine, spec.engine, "engine: {db:?}");
    if fx.caps().database_requires_domain {
        assert_eq!(db.domain, spec.domain, "domain: {db:?}");
    }
    match (&db.user, &spec.user) {
        (Some(stored), Some(requested)) => {
            assert_stored_name(fx, stored, requested, "database user")
        }
        (stored, requested) => assert_eq!(stored, requested, "user: {db:?}"),
    }
    assert!(!db.id.is_empty(), "id: {db:?}");
}

pub async fn lifecycle(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let (owner, site) = owner_and_site(&fx, "dbl").await;
    let spec = fx.database_spec(&owner, site.as_ref(), "confdb", Some("confu"));

    let created = ok(fx.panel.create_database(&spec).await, "create_database");
    assert_database_is_spec(&fx, &created, &spec);
    let read = ok(fx.panel.get_database(&created.id).await, "get_database");
    assert_eq!(read.as_ref(), Some(&created), "get_database after create");
    let fresh = ok(fx.backend().get_database(&created.id).await, "fresh get");
    assert_eq!(
        fresh.as_ref(),
        Some(&created),
        "get_database on a fresh backend"
    );
    let dump = fx.control.state().await;
    assert!(
        fx.sim_has_database(&dump, &created.name),
        "{} is not in the simulator's state",
        created.name
    );

    let patch = DatabasePatch {
        password: Some(Secret::new("Other-Passw0rd!9")),
    };
    let updated = ok(
        fx.panel.update_database(&created.id, &patch).await,
        "change database password",
    );
    assert_eq!(updated, created, "a password change alters nothing visible");

    let filter = ListFilter {
        owner: Some(owner.id.clone()),
    };
    let listed = ok(fx.backend().list_databases(&filter).await, "list_databases");
    assert_eq!(
        listed.iter().find(|d| d.id == created.id),
        Some(&created),
        "list_databases(owner): {listed:?}"
    );

    ok(
        fx.panel.delete_database(&created.id).await,
        "delete_database",
    );
    assert_eq!(
        ok(fx.panel.get_database(&created.id).await, "get after delete"),
        None
    );
    assert_eq!(
        ok(
            fx.backend().get_database(&created.id).await,
            "fresh get after delete"
        ),
        None
    );
    let dump = fx.control.state().await;
    assert!(
        !fx.sim_has_database(&dump, &created.name),
        "the simulator still has {}",
        created.name
    );
    ok(
        fx.panel.delete_database(&created.id).await,
        "second delete (idempotent)",
    );
    ok(
        fx.backend().delete_database(&created.id).await,
        "delete of a gone database on a fresh backend",
    );
}

pub async fn duplicate(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let (owner, site) = owner_and_site(&fx, "dbd").await;
    let spec = fx.database_spec(&owner, site.as_ref(), "dupdb", Some("dupu"));
    let created = ok(fx.panel.create_database(&spec).await, "create_database");
    let mut again = spec.clone();
    again.user = Some("dupu2".to_owned());
    let error = assert_kind(
        fx.panel.create_database(&again).await,
        PanelErrorKind::AlreadyExists,
        "same database name again",
    );
    assert!(error.partial.is_none(), "{error:?}");
    assert_eq!(
        ok(fx.backend().get_database(&created.id).await, "original").as_ref(),
        Some(&created),
        "the existing database was changed"
    );
}

pub async fn name_rules(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let caps = fx.caps();
    let (owner, site) = owner_and_site(&fx, "dbn").await;

    let bad = fx.database_spec(&owner, site.as_ref(), "bad name!", Some("confu"));
    assert_invalid(
        fx.panel.create_database(&bad).await,
        "name",
        "database name with a space and '!'",
    );

    if let Some(max) = caps.database_name_max_len {
        // Known limit: refused before any request reaches the panel.
        let too_long = "n".repeat(max + 10);
        let spec = fx.database_spec(&owner, site.as_ref(), &too_long, Some("confu"));
        fx.control.clear_requests().await;
        assert_invalid(
            fx.panel.create_database(&spec).await,
            "name",
            "database name over the declared limit",
        );
        let counted = fx.control.requests().await;
        assert_eq!(
            counted.total, 0,
            "a name over the declared limit still cost requests: {counted:?}"
        );
    }
    if let Some(max) = caps.database_user_max_len {
        let too_long = "u".repeat(max + 10);
        let spec = fx.database_spec(&owner, site.as_ref(), "okname", Some(&too_long));
        fx.control.clear_requests().await;
        assert_invalid(
            fx.panel.create_database(&spec).await,
            "user",
            "database user over the declared limit",
        );
        let counted = fx.control.requests().await;
        assert_eq!(counted.total, 0, "{counted:?}");
    }
    if caps.database_name_prefix != NamePrefix::None {
        // The limit counts the owner's prefix, so a name just under the declared maximum
        // (which assumes the shortest prefix) still fails for a longer one, before
        // anything is created. Learning the prefix may take a read (PanelAlpha: the
        // account's username); Hestia's prefix is the owner's login, so it needs none.
        let max = caps.database_name_max_len.unwrap_or(62);
        let name = "p".repeat(max);
        let spec = fx.database_spec(&owner, site.as_ref(), &name, Some("confu"));
        fx.control.clear_requests().await;
        assert_invalid(
            fx.panel.create_database(&spec).await,
            "name",
            "name that only the prefix pushes over the limit",
        );
        let counted = fx.control.requests().await;
        assert_eq!(
            counted.route(fx.create_database_route()),
            0,
            "the create was sent: {counted:?}"
        );
        if kind == PanelKind::Hestia {
            assert_eq!(counted.total, 0, "{counted:?}");
        }
    }
}

pub async fn engine_capability(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let caps = fx.caps();
    let (owner, site) = owner_and_site(&fx, "dbe").await;

    let mut pg = fx.database_spec(&owner, site.as_ref(), "confpg", Some("confpgu"));
    pg.engine = "postgresql".to_owned();
    if caps.database_postgresql {
        // The capability says the panel software can host PostgreSQL; a given server may
        // not have it installed (Hestia's DB_SYSTEM lacks `pgsql`). Then the panel's own
        // refusal must come back as a bad `engine`, with the panel's words kept.
        match fx.panel.create_database(&pg).await {
            Ok(created) => {
                assert_database_is_spec(&fx, &created, &pg);
                assert_eq!(
                    ok(fx.backend().get_database(&created.id).await, "get").as_ref(),
                    Some(&created)
                );
            }
            Err(e) => {
                assert_eq!(
                    e.kind,
                    PanelErrorKind::InvalidInput {
                        field: Some("engine".to_owned())
                    },
                    "postgresql refused by a server without it: {e:?}"
                );
                // Hestia's words for a type missing from DB_SYSTEM.
                let expected = match kind {
                    PanelKind::Hestia => "type is invalid",
                    _ => "",
                };
                assert!(
                    e.panel_message
                        .as_deref()
                        .is_some_and(|m| !m.is_empty() && m.contains(expected)),
                    "the panel's own refusal is kept: {e:?}"
                );
                assert!(e.partial.is_none(), "{e:?}");
            }
        }
    } else {
        assert_kind(
            fx.panel.create_database(&pg).await,
            PanelErrorKind::Unsupported,
            "postgresql without the capability",
        );
    }

    let mut odd = fx.database_spec(&owner, site.as_ref(), "confodd", None);
    odd.engine = "oracle".to_owned();
    assert_invalid(
        fx.panel.create_database(&odd).await,
        "engine",
        "an engine no panel has",
    );
}

pub async fn deleted_behind_back(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let (owner, site) = owner_and_site(&fx, "dbg").await;
    let before = fx.control.state().await;
    let spec = fx.database_spec(&owner, site.as_ref(), "ghostdb", Some("ghostu"));
    let created = ok(fx.panel.create_database(&spec).await, "create_database");
    fx.control.put_state(&before).await;

    let fresh = fx.backend();
    assert_eq!(
        ok(fresh.get_database(&created.id).await, "get gone database"),
        None
    );
    assert_kind(
        fresh
            .update_database(
                &created.id,
                &DatabasePatch {
                    password: Some(Secret::new("Other-Passw0rd!9")),
                },
            )
            .await,
        PanelErrorKind::NotFound,
        "password change of a gone database",
    );
    ok(
        fresh.delete_database(&created.id).await,
        "delete of a gone database",
    );
}
