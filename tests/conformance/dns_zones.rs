//! DNS zone cases (`panel_dns_zone`): on HestiaCP, create / read / IP and TTL changes /
//! find / list / import / delete through the backend, checked in the simulator's state
//! (deleting the zone takes its records with it); a create whose answer is lost, found
//! again by its key; bad input refused before any request. The other panels have no
//! zones of their own: no service.

use serde_json::{json, Value};
use terraform_provider_panel::panel::{
    DnsZone, DnsZonePatch, DnsZoneSpec, ListFilter, PanelKind, PanelObject, Service, User,
};

use super::{assert_invalid, ok, service, Fixture};

const ZONE: &str = "zone-conf.example";

fn zones(fx: &Fixture) -> Option<&dyn Service<DnsZone>> {
    service::<DnsZone>(fx.panel.as_ref()).ok()
}

fn spec(owner: &User, ip: &str, ttl: Option<i64>) -> DnsZoneSpec {
    DnsZoneSpec {
        owner: owner.id.clone(),
        name: ZONE.to_owned(),
        ip: ip.to_owned(),
        ttl,
    }
}

/// The simulator's zones of every user: (zone, IP, TTL, number of records).
fn sim_zones(dump: &Value) -> Vec<(String, String, String, usize)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    dump["users"]
        .as_object()
        .into_iter()
        .flat_map(|users| users.values())
        .flat_map(|u| u["dns_domains"].as_array().cloned().unwrap_or_default())
        .map(|z| {
            (
                text(&z["domain"]),
                text(&z["ip"]),
                text(&z["ttl"]),
                z["records"].as_array().map_or(0, Vec::len),
            )
        })
        .collect()
}

pub async fn lifecycle(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let Some(zones) = zones(&fx) else {
        assert_ne!(kind, PanelKind::Hestia, "HestiaCP has zones of their own");
        return;
    };
    let owner = fx.create_owner("zone").await;
    let wanted = spec(&owner, "192.0.2.10", Some(3600));
    let key = DnsZone::spec_key(&wanted);
    assert_eq!(ok(zones.find(&key).await, "find before"), None);
    let created = ok(zones.create(&wanted).await, "create");
    assert_eq!(created.id, format!("{}/{ZONE}", owner.id));
    assert_eq!((created.ip.as_str(), created.ttl), ("192.0.2.10", 3600));
    assert!(!created.template.is_empty(), "{created:?}");
    let stored = sim_zones(&fx.control.state().await);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        (stored[0].1.as_str(), stored[0].2.as_str()),
        ("192.0.2.10", "3600")
    );
    assert!(stored[0].3 > 0, "the template made records");

    let fresh = fx.backend();
    let fresh_zones = service::<DnsZone>(fresh.as_ref()).expect("service");
    let at = created.locator();
    assert_eq!(
        ok(fresh_zones.get(&at).await, "get").as_ref(),
        Some(&created)
    );
    assert_eq!(
        ok(fresh_zones.find(&key).await, "find").as_ref(),
        Some(&created)
    );
    assert_eq!(
        ok(
            fresh_zones.list(&ListFilter::owned_by(&owner.id)).await,
            "list"
        ),
        vec![created.clone()]
    );
    assert_eq!(
        ok(
            fresh_zones.import(&fresh_zones.import_id(&created)).await,
            "import"
        )
        .as_ref(),
        Some(&created)
    );

    let changed = ok(
        zones
            .update(
                &at,
                &DnsZonePatch {
                    ip: Some("192.0.2.99".into()),
                    ttl: Some(7200),
                },
            )
            .await,
        "change IP and TTL",
    );
    assert_eq!((changed.ip.as_str(), changed.ttl), ("192.0.2.99", 7200));
    let stored = sim_zones(&fx.control.state().await);
    assert_eq!(
        (stored[0].1.as_str(), stored[0].2.as_str()),
        ("192.0.2.99", "7200")
    );

    ok(zones.delete(&at).await, "delete");
    ok(zones.delete(&at).await, "delete again is idempotent");
    assert_eq!(ok(zones.get(&at).await, "get after delete"), None);
    assert!(sim_zones(&fx.control.state().await).is_empty());
}

/// The create's answer is lost after the panel committed: sent once, and the lookup by
/// key finds it.
pub async fn lost_create_answer(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    if zones(&fx).is_none() {
        return;
    }
    let zones = zones(&fx).expect("service");
    let owner = fx.create_owner("zonelost").await;
    let wanted = spec(&owner, "192.0.2.10", None);
    let route = "v-add-dns-domain";
    fx.control.clear_requests().await;
    fx.control
        .faults(json!({"drop_after_commit": [{"route": route}]}))
        .await;
    let error = match zones.create(&wanted).await {
        Ok(zone) => panic!("create succeeded although its answer was lost: {zone:?}"),
        Err(e) => e,
    };
    assert!(error.may_have_taken_effect(), "{error:?}");
    assert_eq!(fx.control.requests().await.route(route), 1, "sent once");
    let fresh = fx.backend();
    let found = ok(
        service::<DnsZone>(fresh.as_ref())
            .expect("service")
            .find(&DnsZone::spec_key(&wanted))
            .await,
        "find after",
    );
    assert!(found.is_some(), "the committed zone is found by its key");
}

/// Bad input is refused before any request, naming the attribute.
pub async fn invalid_input(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    let Some(zones) = zones(&fx) else {
        return;
    };
    let owner = fx.create_owner("zonebad").await;
    fx.control.clear_requests().await;
    assert_invalid(
        zones.create(&spec(&owner, "not-an-ip", None)).await,
        "ip",
        "bad IP",
    );
    assert_invalid(
        zones.create(&spec(&owner, "192.0.2.10", Some(5))).await,
        "ttl",
        "TTL too small",
    );
    let mut bad = spec(&owner, "192.0.2.10", None);
    bad.name = "not a domain".into();
    assert_invalid(zones.create(&bad).await, "name", "bad name");
    assert_eq!(fx.control.requests().await.total, 0, "nothing sent");
}
