//! Domain cases: sites with owners, name normalisation (case, IDN), addon domains and
//! subdomains, document root / PHP version, duplicates, and domains that vanish behind
//! the backend's back.

use terraform_provider_panel::panel::{
    Domain, DomainKind, DomainPatch, DomainSpec, ListFilter, PanelErrorKind, PanelKind,
};

use super::{assert_kind, ok, Calls, Fixture};

#[track_caller]
fn assert_domain_is_spec(domain: &Domain, spec: &DomainSpec, name: &str) {
    assert_eq!(domain.name, name, "name: {domain:?}");
    assert_eq!(domain.owner, spec.owner, "owner: {domain:?}");
    assert_eq!(domain.kind, spec.kind, "kind: {domain:?}");
    assert!(!domain.id.is_empty(), "id: {domain:?}");
}

async fn assert_sim_owner(fx: &Fixture, name: &str, owner: Option<&str>) {
    let dump = fx.control.state().await;
    assert_eq!(
        fx.sim_domain_owner(&dump, name).as_deref(),
        owner,
        "owner of {name} in the simulator's state"
    );
}

pub async fn lifecycle(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = fx.create_owner("dom").await;
    if kind == PanelKind::PanelAlpha {
        // A hosting account's main domain comes with the plan; the backend documents
        // that it refuses to create one (no capability flag covers this).
        let main = fx.domain_spec(&owner, "conf-main.test", DomainKind::Main, None);
        assert_kind(
            fx.panel.create_domain(&main).await,
            PanelErrorKind::Unsupported,
            "panelalpha main domain",
        );
    }

    let spec = fx.domain_spec(&owner, "Conf-Site.TEST", fx.site_kind(), None);
    let created = ok(fx.panel.create_domain(&spec).await, "create_domain");
    assert_domain_is_spec(&created, &spec, "conf-site.test");
    let read = ok(fx.panel.get_domain(&created.id).await, "get_domain");
    assert_eq!(read.as_ref(), Some(&created), "get_domain after create");
    let fresh = ok(
        fx.backend().get_domain(&created.id).await,
        "fresh get_domain",
    );
    assert_eq!(
        fresh.as_ref(),
        Some(&created),
        "get_domain on a fresh backend"
    );
    assert_sim_owner(&fx, "conf-site.test", Some(&owner.id)).await;

    let found = ok(
        fx.backend().find_domain("CONF-SITE.test").await,
        "find_domain",
    );
    assert_eq!(
        found.as_ref(),
        Some(&created),
        "find_domain by name, any case"
    );
    assert_eq!(
        ok(
            fx.panel.find_domain("nothing-here.test").await,
            "find missing"
        ),
        None
    );
    let filter = ListFilter {
        owner: Some(owner.id.clone()),
    };
    let listed = ok(
        fx.backend().list_domains(&filter).await,
        "list_domains(owner)",
    );
    assert_eq!(
        listed.iter().find(|d| d.id == created.id),
        Some(&created),
        "list_domains(owner): {listed:?}"
    );
    let all = ok(
        fx.backend().list_domains(&ListFilter::default()).await,
        "list_domains",
    );
    assert!(
        all.iter().any(|d| d.id == created.id),
        "list_domains(all): {all:?}"
    );

    ok(fx.panel.delete_domain(&created.id).await, "delete_domain");
    assert_eq!(
        ok(fx.panel.get_domain(&created.id).await, "get after delete"),
        None
    );
    assert_eq!(
        ok(
            fx.backend().get_domain(&created.id).await,
            "fresh get after delete"
        ),
        None
    );
    assert_sim_owner(&fx, "conf-site.test", None).await;
    ok(
        fx.panel.delete_domain(&created.id).await,
        "second delete (idempotent)",
    );
    assert_eq!(
        ok(
            fx.backend().find_domain("conf-site.test").await,
            "find after delete"
        ),
        None
    );
    let user = ok(
        fx.panel.get_user(&owner.id).await,
        "owner after domain delete",
    );
    assert!(user.is_some(), "deleting a domain removed its owner");
}

pub async fn normalisation(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = fx.create_owner("idn").await;
    let unicode = "Bücher-Conf.TEST";
    let ascii = idna::domain_to_ascii(unicode).expect("valid IDN");
    assert!(ascii.starts_with("xn--"), "{ascii}");

    let spec = fx.domain_spec(&owner, unicode, fx.site_kind(), None);
    let created = ok(fx.panel.create_domain(&spec).await, "create IDN domain");
    assert_domain_is_spec(&created, &spec, &ascii);
    assert_sim_owner(&fx, &ascii, Some(&owner.id)).await;
    let fresh = fx.backend();
    assert_eq!(
        ok(fresh.get_domain(&created.id).await, "get IDN domain").as_ref(),
        Some(&created)
    );
    assert_eq!(
        ok(
            fresh.find_domain("bücher-conf.test").await,
            "find by unicode"
        )
        .as_ref(),
        Some(&created),
        "find_domain with the unicode form"
    );
    assert_eq!(
        ok(
            fresh.find_domain(&ascii.to_uppercase()).await,
            "find by uppercase punycode"
        )
        .as_ref(),
        Some(&created),
    );
}

pub async fn duplicate(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = fx.create_owner("dupd").await;
    let other = fx.create_owner("dupo").await;
    let created = fx.create_site(&owner, "conf-dup.test").await;

    let again = fx.domain_spec(&owner, "CONF-DUP.test", fx.site_kind(), None);
    let error = assert_kind(
        fx.panel.create_domain(&again).await,
        PanelErrorKind::AlreadyExists,
        "same domain again",
    );
    assert!(error.partial.is_none(), "{error:?}");
    let stolen = fx.domain_spec(&other, "conf-dup.test", fx.site_kind(), None);
    let error = assert_kind(
        fx.panel.create_domain(&stolen).await,
        PanelErrorKind::AlreadyExists,
        "same domain for another owner",
    );
    assert!(error.partial.is_none(), "{error:?}");
    assert_sim_owner(&fx, "conf-dup.test", Some(&owner.id)).await;
    assert_eq!(
        ok(fx.backend().get_domain(&created.id).await, "get original").as_ref(),
        Some(&created)
    );
}

pub async fn addon_and_subdomain(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let caps = fx.caps();
    let owner = fx.create_owner("kinds").await;
    let site = fx.create_site(&owner, "conf-parent.test").await;

    let addon = fx.domain_spec(
        &owner,
        "Conf-Addon.test",
        DomainKind::Addon,
        Some(&site.name),
    );
    if caps.domain_addon {
        let created = ok(fx.panel.create_domain(&addon).await, "create addon domain");
        assert_domain_is_spec(&created, &addon, "conf-addon.test");
        assert_sim_owner(&fx, "conf-addon.test", Some(&owner.id)).await;
        assert_eq!(
            ok(fx.backend().get_domain(&created.id).await, "get addon").as_ref(),
            Some(&created)
        );
        ok(fx.panel.delete_domain(&created.id).await, "delete addon");
        assert_eq!(
            ok(fx.backend().get_domain(&created.id).await, "addon gone"),
            None
        );
        assert_sim_owner(&fx, "conf-addon.test", None).await;
    } else {
        assert_kind(
            fx.panel.create_domain(&addon).await,
            PanelErrorKind::Unsupported,
            "addon domain without the capability",
        );
    }

    let sub_name = format!("blog.{}", site.name);
    let sub = fx.domain_spec(&owner, &sub_name, DomainKind::Subdomain, Some(&site.name));
    if caps.domain_subdomain {
        let created = ok(fx.panel.create_domain(&sub).await, "create subdomain");
        assert_domain_is_spec(&created, &sub, &sub_name);
        assert_eq!(
            created.parent.as_deref(),
            Some(site.name.as_str()),
            "parent"
        );
        assert_sim_owner(&fx, &sub_name, Some(&owner.id)).await;
        assert_eq!(
            ok(fx.backend().get_domain(&created.id).await, "get subdomain").as_ref(),
            Some(&created)
        );
        let listed = ok(
            fx.backend()
                .list_domains(&ListFilter {
                    owner: Some(owner.id.clone()),
                })
                .await,
            "list_domains",
        );
        assert!(listed.iter().any(|d| d.id == created.id), "{listed:?}");
        assert!(listed.iter().any(|d| d.id == site.id), "{listed:?}");
        ok(
            fx.panel.delete_domain(&created.id).await,
            "delete subdomain",
        );
        assert_eq!(
            ok(fx.backend().get_domain(&created.id).await, "subdomain gone"),
            None
        );
        ok(
            fx.panel.delete_domain(&created.id).await,
            "delete subdomain again",
        );
    } else {
        assert_kind(
            fx.panel.create_domain(&sub).await,
            PanelErrorKind::Unsupported,
            "subdomain without the capability",
        );
    }
    assert_eq!(
        ok(fx.backend().get_domain(&site.id).await, "parent survives").as_ref(),
        Some(&site)
    );
}

pub async fn settings_update(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let caps = fx.caps();
    let owner = fx.create_owner("set").await;
    let site = fx.create_site(&owner, "conf-settings.test").await;

    let root = DomainPatch {
        document_root: Some("/conf-settings/public".to_owned()),
        ..DomainPatch::default()
    };
    if caps.domain_document_root {
        let updated = ok(
            fx.panel.update_domain(&site.id, &root).await,
            "set document root",
        );
        assert_eq!(
            updated.document_root.as_deref(),
            Some("/conf-settings/public")
        );
        let fresh = ok(fx.backend().get_domain(&site.id).await, "read back").expect("exists");
        assert_eq!(fresh, updated);
    } else {
        assert_kind(
            fx.panel.update_domain(&site.id, &root).await,
            PanelErrorKind::Unsupported,
            "document root without the capability",
        );
    }

    let php = DomainPatch {
        php_version: Some("8.2".to_owned()),
        ..DomainPatch::default()
    };
    if caps.domain_php_version {
        let updated = ok(
            fx.panel.update_domain(&site.id, &php).await,
            "set php version",
        );
        if fx.php_version_readable() {
            assert_eq!(updated.php_version.as_deref(), Some("8.2"));
        } else {
            // Not readable: the update reports what a read reports, and the change
            // must still have reached the panel.
            assert_eq!(updated.php_version, None, "{updated:?}");
            let dump = fx.control.state().await;
            assert_eq!(
                fx.sim_php_version(&dump, &site.name).as_deref(),
                Some("8.2"),
                "the php version in the simulator's state"
            );
        }
        let fresh = ok(fx.backend().get_domain(&site.id).await, "read back").expect("exists");
        assert_eq!(fresh, updated);
    } else {
        assert_kind(
            fx.panel.update_domain(&site.id, &php).await,
            PanelErrorKind::Unsupported,
            "php version without the capability",
        );
    }

    let mut with_settings = fx.domain_spec(&owner, "conf-settings2.test", fx.site_kind(), None);
    with_settings.document_root = Some("/conf-settings2/www".to_owned());
    with_settings.php_version = Some("8.1".to_owned());
    let outcome = fx.panel.create_domain(&with_settings).await;
    if caps.domain_document_root && caps.domain_php_version {
        let created = ok(outcome, "create with document root and php version");
        assert_eq!(
            created.document_root.as_deref(),
            Some("/conf-settings2/www")
        );
        if fx.php_version_readable() {
            assert_eq!(created.php_version.as_deref(), Some("8.1"));
        } else {
            assert_eq!(created.php_version, None, "{created:?}");
            let dump = fx.control.state().await;
            assert_eq!(
                fx.sim_php_version(&dump, "conf-settings2.test").as_deref(),
                Some("8.1")
            );
        }
        let fresh = ok(fx.backend().get_domain(&created.id).await, "read back").expect("exists");
        assert_eq!(fresh, created, "create reports what a read reports");
    } else {
        assert_kind(
            outcome,
            PanelErrorKind::Unsupported,
            "create with settings the panel cannot set",
        );
        let dump = fx.control.state().await;
        assert_eq!(
            fx.sim_domain_owner(&dump, "conf-settings2.test"),
            None,
            "a refused create left a domain behind"
        );
    }
}

pub async fn deleted_behind_back(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let owner = fx.create_owner("gone").await;
    let before = fx.control.state().await;
    let site = fx.create_site(&owner, "conf-gone.test").await;
    fx.control.put_state(&before).await;

    let fresh = fx.backend();
    assert_eq!(
        ok(fresh.get_domain(&site.id).await, "get gone domain"),
        None
    );
    assert_eq!(
        ok(
            fresh.find_domain("conf-gone.test").await,
            "find gone domain"
        ),
        None
    );
    assert_kind(
        fresh
            .update_domain(
                &site.id,
                &DomainPatch {
                    php_version: fx.caps().domain_php_version.then(|| "8.2".to_owned()),
                    ..DomainPatch::default()
                },
            )
            .await,
        PanelErrorKind::NotFound,
        "update of a gone domain",
    );
    ok(
        fresh.delete_domain(&site.id).await,
        "delete of a gone domain",
    );
    assert!(
        ok(fresh.get_user(&owner.id).await, "owner still there").is_some(),
        "the owner should have survived the restore"
    );
}
