//! `panel_dns_zone` through real Terraform on HestiaCP: create (the panel holds the
//! DNS domain with its template records), empty plan, IP and TTL changes in place,
//! import (CLI and `import {}` with `-generate-config-out`), drift when the zone is
//! deleted at the panel, destroy; a `panel_dns_record` in the zone; and the plan-time
//! refusal on the other panels, whose zones come with their domains.

use serde_json::Value;

use super::dns_records::panel_call;
use super::{Backend, Sim};
use crate::support::terraform::hcl_string;

const LOGIN: &str = "zoneowner";
const ZONE: &str = "zone-acc.example";

fn zone_block(owner: &str, ip: &str, ttl: i64) -> String {
    format!(
        "resource \"panel_dns_zone\" \"main\" {{\n  owner = {owner}\n  name  = {}\n  ip    = {}\n  \
         ttl   = {ttl}\n}}\n",
        hcl_string(ZONE),
        hcl_string(ip)
    )
}

fn config(ip: &str, ttl: i64, with_record: bool) -> String {
    let record = if with_record {
        "resource \"panel_dns_record\" \"txt\" {\n  owner = panel_user.owner.id\n  zone  = \
         panel_dns_zone.main.name\n  type  = \"TXT\"\n  name  = \"verify\"\n  value = \
         \"zone-acceptance\"\n}\n"
            .to_owned()
    } else {
        String::new()
    };
    format!(
        "resource \"panel_user\" \"owner\" {{\n  login = {}\n  email = \"zone@zone-owner.example\"\n  \
         name  = \"Zone Owner\"\n  password_wo = \"Z0ne-Owner-Secret!\"\n}}\n\n{}\n{record}",
        hcl_string(LOGIN),
        zone_block("panel_user.owner.id", ip, ttl)
    )
}

/// The simulator's zones: (zone, IP, TTL, records).
fn sim_zones(sim: &Sim) -> Vec<(String, String, String, usize)> {
    let dump = sim.dump();
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

#[test]
fn hestia() {
    let sim = Sim::start(Backend::Hestia);
    let tf = sim.terraform();

    // 1. Create, with a record in it.
    tf.write("main.tf", &config("192.0.2.10", 3600, true));
    tf.apply();
    let zones = sim_zones(&sim);
    assert_eq!(zones.len(), 1, "{zones:?}");
    assert_eq!(
        (
            zones[0].0.as_str(),
            zones[0].1.as_str(),
            zones[0].2.as_str()
        ),
        (ZONE, "192.0.2.10", "3600")
    );
    let id = format!("{LOGIN}/{ZONE}");
    let state = tf.state_attributes("panel_dns_zone.main");
    assert_eq!(state["id"], id.as_str());
    assert_eq!(state["template"], "default");
    tf.assert_empty_plan("right after create");

    // 2. IP and TTL in place.
    tf.write("main.tf", &config("192.0.2.99", 7200, true));
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_dns_zone.main will be updated in-place"),
        "{}",
        plan.stdout
    );
    tf.apply();
    let zones = sim_zones(&sim);
    assert_eq!(
        (zones[0].1.as_str(), zones[0].2.as_str()),
        ("192.0.2.99", "7200")
    );
    tf.assert_empty_plan("after the IP and TTL change");

    // 3. Import (CLI), and `import {}` with generated configuration.
    let imported = sim.terraform();
    imported.write(
        "main.tf",
        &zone_block(&hcl_string(LOGIN), "192.0.2.99", 7200),
    );
    imported.import("panel_dns_zone.main", &id);
    imported.assert_empty_plan("after terraform import");
    assert_eq!(
        imported.state_attributes("panel_dns_zone.main"),
        tf.state_attributes("panel_dns_zone.main")
    );
    let generated = sim.terraform();
    generated.write(
        "imports.tf",
        &format!(
            "import {{\n  to = panel_dns_zone.main\n  id = {}\n}}\n",
            hcl_string(&id)
        ),
    );
    let plan = generated
        .run(&[
            "plan",
            "-input=false",
            "-no-color",
            "-generate-config-out=generated.tf",
        ])
        .success();
    assert!(
        plan.stdout
            .contains("1 to import, 0 to add, 0 to change, 0 to destroy"),
        "{}",
        plan.stdout
    );
    generated.apply();
    generated.assert_empty_plan(&generated.read("generated.tf"));

    // 4. Drift: deleted at the panel (its records with it), planned again.
    panel_call(&sim, "v-delete-dns-domain", &[LOGIN, ZONE]);
    assert!(sim_zones(&sim).is_empty());
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout.contains("panel_dns_zone.main will be created")
            && plan.stdout.contains("panel_dns_record.txt will be created"),
        "the zone and its record are planned again:\n{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(sim_zones(&sim).len(), 1);
    tf.assert_empty_plan("after re-creating the zone");

    // 5. Destroy.
    tf.destroy();
    assert!(sim_zones(&sim).is_empty(), "zone gone");
    assert!(sim.view().is_empty(), "{:#?}", sim.view());
}

#[test]
fn other_panels_refuse_at_plan_time() {
    for backend in [Backend::PleskRest, Backend::PleskXml, Backend::PanelAlpha] {
        let sim = Sim::start(backend);
        let tf = sim.terraform();
        tf.write("main.tf", &zone_block("\"1\"", "192.0.2.10", 3600));
        let outcome = tf.plan();
        assert_eq!(outcome.code, 1, "{}", outcome.describe());
        let said = outcome
            .stderr
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for text in [
            format!(
                "The `{}` panel has no DNS zone objects",
                backend.provider_type()
            ),
            "the zone comes with the domain".to_owned(),
            "`panel_dns_record`".to_owned(),
        ] {
            assert!(said.contains(&text), "[{backend:?}] says {text:?}:\n{said}");
        }
    }
}
