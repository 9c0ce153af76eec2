//! Regression tests, through real Terraform, for the panel defects of issue 15 that the
//! native conformance suites do not already drive through Terraform (items 4, 5, 7, 9
//! and 10 are at the bottom of `tests/conformance/native_*.rs`; item 11 is in the
//! simulator suites). Each test says which item it covers; every step is checked on the
//! simulator's side as well as in Terraform's plan or state.

use serde_json::{json, Value};

use super::{Backend, Sim};
use crate::support::terraform::{hcl_string, Outcome, Terraform};

const PASSWORD: &str = "Defect-Passw0rd!9";

/// Terraform's output with its diagnostic borders gone and every run of whitespace one
/// space, so a phrase is found whatever the line wrapping.
fn flat(output: &str) -> String {
    output
        .replace('│', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `terraform plan -out` then `terraform show -json` of that plan: what Terraform would
/// do, as data.
fn saved_plan(tf: &Terraform) -> Value {
    tf.run(&["plan", "-input=false", "-no-color", "-out=defects.tfplan"])
        .success();
    let shown = tf
        .run(&["show", "-json", "-no-color", "defects.tfplan"])
        .success();
    serde_json::from_str(&shown.stdout)
        .unwrap_or_else(|err| panic!("show -json is not JSON ({err}): {}", shown.stdout))
}

/// The planned changes other than no-ops (and reads), as `(address, actions)`.
fn planned_changes(plan: &Value) -> Vec<(String, Vec<String>)> {
    plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|change| change["mode"] == "managed")
        .map(|change| {
            let actions = change["change"]["actions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_owned))
                .collect::<Vec<_>>();
            (text(&change["address"]), actions)
        })
        .filter(|(_, actions)| actions.as_slice() != ["no-op"])
        .collect()
}

fn text(value: &Value) -> String {
    value.as_str().map(str::to_owned).unwrap_or_default()
}

/// The Plesk simulator's record of domain `name` (ASCII), from its state dump.
fn plesk_domain(sim: &Sim, name: &str) -> Value {
    let dump = sim.dump();
    dump["domains"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .find(|d| d["ascii_name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("the panel has no domain {name}: {}", dump["domains"]))
}

// ---- item 1: PanelAlpha addon domains in a fleet ------------------------------------

const FLEET: [&str; 4] = ["a", "b", "c", "d"];

fn fleet_users(changed_email_of: Option<&str>) -> String {
    let mut emails = String::new();
    for key in FLEET {
        let email = if Some(key) == changed_email_of {
            format!("{key}-changed@fleet.example")
        } else {
            format!("{key}@fleet.example")
        };
        emails += &format!("    {key} = {}\n", hcl_string(&email));
    }
    format!(
        "locals {{\n  emails = {{\n{emails}  }}\n}}\n\
         resource \"panel_user\" \"u\" {{\n  for_each = local.emails\n  email = each.value\n  \
         name = \"Fleet Customer\"\n  plan = \"Starter\"\n  password_wo = \"{PASSWORD}\"\n}}\n"
    )
}

/// Addon domains that leave `parent` out: the owner's only hosting account holds them.
fn fleet_without_parent(changed_email_of: Option<&str>) -> String {
    fleet_users(changed_email_of)
        + "resource \"panel_domain\" \"shop\" {\n  for_each = panel_user.u\n  \
           name = \"shop-${each.key}.fleet.example\"\n  owner = each.value.id\n  \
           kind = \"addon\"\n}\n"
}

/// Addon domains whose `parent` comes from the `panel_domains` data source (read during
/// the apply whenever any user of the fleet changes).
fn fleet_with_parent_from_data_source(changed_email_of: Option<&str>) -> String {
    fleet_users(changed_email_of)
        + "data \"panel_domains\" \"main\" {\n  for_each = panel_user.u\n  \
           owner = each.value.id\n  kind = \"main\"\n}\n\
           resource \"panel_domain\" \"shop\" {\n  for_each = panel_user.u\n  \
           name = \"shop-${each.key}.fleet.example\"\n  owner = each.value.id\n  \
           kind = \"addon\"\n  parent = data.panel_domains.main[each.key].domains[0].name\n}\n"
}

/// Every addon domain of the fleet is on the panel, under its own user.
fn assert_fleet_domains(sim: &Sim, emails: &[String]) {
    let view = sim.view();
    for (key, email) in FLEET.iter().zip(emails) {
        let name = format!("shop-{key}.fleet.example");
        let domain = view
            .domain(&name)
            .unwrap_or_else(|| panic!("{name} is not on the panel: {view:#?}"));
        assert_eq!(
            (&domain.owner, domain.kind.as_str()),
            (email, "addon"),
            "{name}: {view:#?}"
        );
    }
}

/// The state's `id` of `panel_domain.shop[KEY]`.
fn shop_id(tf: &Terraform, key: &str) -> Value {
    let state = tf.state_json();
    state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["mode"] == "managed" && r["type"] == "panel_domain" && r["name"] == "shop")
        .flat_map(|r| r["instances"].as_array().cloned().unwrap_or_default())
        .find(|i| i["index_key"] == key)
        .map(|i| i["attributes"]["id"].clone())
        .unwrap_or_else(|| panic!("panel_domain.shop[{key:?}] is not in the state: {state}"))
}

fn fleet_emails(changed: Option<&str>) -> Vec<String> {
    FLEET
        .iter()
        .map(|key| {
            if Some(*key) == changed {
                format!("{key}-changed@fleet.example")
            } else {
                format!("{key}@fleet.example")
            }
        })
        .collect()
}

/// Item 1: with `parent` left out, changing one user's email plans a change of that user
/// only; the apply leaves every addon domain where it was.
#[test]
fn item1_panelalpha_one_user_change_touches_only_that_user() {
    let sim = Sim::start(Backend::PanelAlpha);
    let tf = sim.terraform();
    tf.write("main.tf", &fleet_without_parent(None));
    tf.apply();
    assert_fleet_domains(&sim, &fleet_emails(None));
    tf.assert_empty_plan("after creating the fleet");
    let ids_before: Vec<Value> = FLEET.iter().map(|k| shop_id(&tf, k)).collect();

    tf.write("main.tf", &fleet_without_parent(Some("b")));
    let plan = saved_plan(&tf);
    assert_eq!(
        planned_changes(&plan),
        vec![("panel_user.u[\"b\"]".to_owned(), vec!["update".to_owned()])],
        "only the changed user is planned: {}",
        plan["resource_changes"]
    );
    tf.apply();
    assert_fleet_domains(&sim, &fleet_emails(Some("b")));
    let ids_after: Vec<Value> = FLEET.iter().map(|k| shop_id(&tf, k)).collect();
    assert_eq!(ids_after, ids_before, "no addon domain was re-created");
    tf.assert_empty_plan("after changing one user");
}

/// Item 1, the documented variant: `parent` from the `panel_domains` data source, which
/// Terraform reads during the apply when a user changes. No domain is planned for
/// replacement, and the apply keeps every domain.
#[test]
fn item1_panelalpha_parent_from_data_source_never_replaces_a_domain() {
    let sim = Sim::start(Backend::PanelAlpha);
    let tf = sim.terraform();
    tf.write("main.tf", &fleet_with_parent_from_data_source(None));
    tf.apply();
    assert_fleet_domains(&sim, &fleet_emails(None));
    tf.assert_empty_plan("after creating the fleet");
    let ids_before: Vec<Value> = FLEET.iter().map(|k| shop_id(&tf, k)).collect();

    tf.write("main.tf", &fleet_with_parent_from_data_source(Some("c")));
    let plan = saved_plan(&tf);
    let changes = planned_changes(&plan);
    assert!(
        changes
            .iter()
            .any(|(address, actions)| address == "panel_user.u[\"c\"]" && actions == &["update"]),
        "the changed user is updated in place: {changes:?}"
    );
    for (address, actions) in &changes {
        assert!(
            !actions.iter().any(|a| a == "delete" || a == "create"),
            "{address} is planned as {actions:?}: nothing may be replaced, created or \
             deleted: {changes:?}"
        );
        assert!(
            address.starts_with("panel_user.u[\"c\"]") || address.starts_with("panel_domain."),
            "{address} changes although only user c did: {changes:?}"
        );
    }
    tf.apply();
    assert_fleet_domains(&sim, &fleet_emails(Some("c")));
    let ids_after: Vec<Value> = FLEET.iter().map(|k| shop_id(&tf, k)).collect();
    assert_eq!(ids_after, ids_before, "no addon domain was re-created");
    tf.assert_empty_plan("after changing one user");
}

// ---- item 2: Plesk, an imported subscription takes the system password ----------------

const OLD_FTP_PASSWORD: &str = "Old-Ftp-Passw0rd!1";

fn imported_subscription_config(owner: &str, password: &str, version: u32) -> String {
    format!(
        "import {{\n  to = panel_domain.main\n  id = \"acme.example\"\n}}\n\
         resource \"panel_domain\" \"main\" {{\n  name = \"acme.example\"\n  owner = {}\n  \
         system_password_wo = {}\n  system_password_wo_version = {version}\n}}\n",
        hcl_string(owner),
        hcl_string(password)
    )
}

fn imported_subscription_takes_the_password(backend: Backend) {
    let sim = Sim::start(backend);
    sim.seed(&json!({
        "clients": [{"login": "acme", "email": "ops@acme.example", "name": "Acme Ops"}],
        "domains": [{"name": "acme.example", "kind": "subscription", "owner_login": "acme",
                     "ftp_login": "acmeftp", "ftp_password": OLD_FTP_PASSWORD}]
    }));
    let owner = sim
        .view()
        .user("acme")
        .unwrap_or_else(|| panic!("seeding acme failed"))
        .panel_id
        .clone();
    let seeded = plesk_domain(&sim, "acme.example");
    let hash_seeded = seeded["ftp_password_hash"].clone();
    assert!(hash_seeded.is_string(), "seeded FTP password: {seeded}");

    let tf = sim.terraform();
    tf.write(
        "main.tf",
        &imported_subscription_config(&owner, "New-Ftp-Passw0rd!2", 1),
    );
    let plan = saved_plan(&tf);
    let changes = planned_changes(&plan);
    assert!(
        changes
            .iter()
            .all(|(_, actions)| !actions.iter().any(|a| a == "delete" || a == "create")),
        "[{backend:?}] the import is planned in place: {changes:?}"
    );
    tf.apply();
    let imported = plesk_domain(&sim, "acme.example");
    assert_eq!(
        imported["id"], seeded["id"],
        "[{backend:?}] the subscription is the same"
    );
    let hash_v1 = imported["ftp_password_hash"].clone();
    assert!(
        hash_v1.is_string() && hash_v1 != hash_seeded,
        "[{backend:?}] version 1 took the system password over: {seeded} -> {imported}"
    );
    assert_eq!(
        tf.state_attributes("panel_domain.main")["system_password_wo_version"],
        1
    );
    tf.assert_empty_plan("after taking the password over");

    tf.write(
        "main.tf",
        &imported_subscription_config(&owner, "Third-Ftp-Passw0rd!3", 2),
    );
    let plan = saved_plan(&tf);
    assert_eq!(
        planned_changes(&plan),
        vec![("panel_domain.main".to_owned(), vec!["update".to_owned()])],
        "[{backend:?}] version 2 is an in-place update"
    );
    tf.apply();
    let rotated = plesk_domain(&sim, "acme.example");
    assert_eq!(rotated["id"], seeded["id"]);
    assert!(
        rotated["ftp_password_hash"].is_string() && rotated["ftp_password_hash"] != hash_v1,
        "[{backend:?}] version 2 changed the system password again: {rotated}"
    );
    tf.assert_empty_plan("after version 2");
}

/// Item 2 on Plesk REST: `system_password_wo` + version 1 on an imported subscription
/// plans, takes the FTP password over in place, and version 2 changes it again.
#[test]
fn item2_plesk_rest_imported_subscription_takes_the_system_password() {
    imported_subscription_takes_the_password(Backend::PleskRest);
}

/// Item 2 on Plesk XML (same scenario).
#[test]
fn item2_plesk_xml_imported_subscription_takes_the_system_password() {
    imported_subscription_takes_the_password(Backend::PleskXml);
}

// ---- item 3: Plesk XML document_root ------------------------------------------------

fn document_root_config(root: &str) -> String {
    format!(
        "resource \"panel_user\" \"owner\" {{\n  login = \"rooter\"\n  email = \
         \"rooter@example.com\"\n  name = \"Root Owner\"\n  password_wo = \"{PASSWORD}\"\n}}\n\
         resource \"panel_domain\" \"site\" {{\n  name = \"rooted.example\"\n  owner = \
         panel_user.owner.id\n  system_password_wo = \"{PASSWORD}\"\n  document_root = {}\n}}\n",
        hcl_string(root)
    )
}

/// The panel's stored web root of rooted.example.
fn stored_root(sim: &Sim) -> String {
    text(&plesk_domain(sim, "rooted.example")["www_root"])
}

/// Changes the web root behind Terraform's back, through the panel's REST API (the same
/// simulated Plesk serves both APIs).
fn change_root_on_the_panel(sim: &Sim, relative: &str) {
    let id = text(&plesk_domain(sim, "rooted.example")["id"]);
    let id = if id.is_empty() {
        plesk_domain(sim, "rooted.example")["id"].to_string()
    } else {
        id
    };
    let request = sim
        .http
        .put(sim.process.url(&format!("/api/v2/domains/{id}")))
        .header("X-API-Key", sim.process.cred("api_key"))
        .json(&json!({"hosting_settings": {"www_root": relative}}));
    let (status, body) = sim.send(request, "changing the web root through the REST API");
    assert!(
        (200..300).contains(&status),
        "the panel refused the web root: {status} {body}"
    );
}

/// Item 3: the absolute path Plesk reports and the home-relative one both store the
/// right directory; the next plan is empty; a path outside the home is refused naming
/// `document_root`; a change made on the panel shows in the next plan.
#[test]
fn item3_plesk_xml_document_root_absolute_relative_outside_and_drift() {
    let sim = Sim::start(Backend::PleskXml);
    let tf = sim.terraform();
    tf.write(
        "main.tf",
        &document_root_config("/var/www/vhosts/rooted.example/public"),
    );
    tf.apply();
    assert_eq!(stored_root(&sim), "/var/www/vhosts/rooted.example/public");
    tf.assert_empty_plan("absolute document_root as Plesk reports it");

    tf.write("main.tf", &document_root_config("public2"));
    tf.apply();
    assert_eq!(stored_root(&sim), "/var/www/vhosts/rooted.example/public2");
    tf.assert_empty_plan("relative document_root");

    // The same directory written the other way round: at most an in-place change of
    // the spelling state holds; the panel keeps its directory.
    tf.write(
        "main.tf",
        &document_root_config("/var/www/vhosts/rooted.example/public2"),
    );
    let respelled = planned_changes(&saved_plan(&tf));
    assert!(
        respelled
            .iter()
            .all(|(_, actions)| actions.as_slice() == ["update"]),
        "another spelling of the same root is no replacement: {respelled:?}"
    );
    tf.apply();
    assert_eq!(stored_root(&sim), "/var/www/vhosts/rooted.example/public2");
    tf.assert_empty_plan("the absolute spelling of the same root");

    // Outside every home: refused at plan time, on the attribute.
    tf.write("main.tf", &document_root_config("/etc/passwd-dir"));
    let failed = tf.plan();
    assert_eq!(
        failed.code,
        1,
        "a root outside the home must fail at plan time\n{}",
        failed.describe()
    );
    let said = flat(&failed.output());
    assert!(
        said.contains("Document Root Outside The Home")
            && said.contains("with panel_domain.site")
            && said.contains("`document_root` \"/etc/passwd-dir\""),
        "the error names document_root and the path: {said}"
    );
    assert!(
        failed
            .stderr
            .lines()
            .any(|line| line.contains("document_root = \"/etc/passwd-dir\"")),
        "the error points at the document_root line: {}",
        failed.stderr
    );
    assert_eq!(
        stored_root(&sim),
        "/var/www/vhosts/rooted.example/public2",
        "the refused root never reached the panel"
    );

    // Drift: the root changed in the panel shows in the next plan, and an apply puts
    // the configured one back.
    tf.write("main.tf", &document_root_config("public2"));
    tf.apply();
    tf.assert_empty_plan("back to the relative spelling");
    change_root_on_the_panel(&sim, "elsewhere");
    assert_eq!(
        stored_root(&sim),
        "/var/www/vhosts/rooted.example/elsewhere"
    );
    let (code, outcome) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(
        code,
        2,
        "a root changed on the panel shows as a change\n{}",
        outcome.describe()
    );
    let shown = flat(&outcome.stdout);
    assert!(
        shown.contains("document_root") && shown.contains("elsewhere"),
        "the plan shows the drifted root: {shown}"
    );
    tf.apply();
    assert_eq!(stored_root(&sim), "/var/www/vhosts/rooted.example/public2");
    tf.assert_empty_plan("after correcting the drift");
}

// ---- item 6: HestiaCP checks that need values known at plan time ---------------------

/// Item 6: with `owner = panel_user.x.id` (a user created in the same apply) a database
/// whose prefixed name is too long fails at PLAN time, naming the prefixed name, and
/// nothing reaches the panel.
#[test]
fn item6_hestia_prefixed_database_name_too_long_fails_at_plan_with_new_owner() {
    let sim = Sim::start(Backend::Hestia);
    let tf = sim.terraform();
    let login = "longowner";
    let name = "d".repeat(60);
    tf.write(
        "main.tf",
        &format!(
            "resource \"panel_user\" \"x\" {{\n  login = \"{login}\"\n  email = \
             \"x@example.com\"\n  name = \"Long Owner\"\n  password_wo = \"{PASSWORD}\"\n}}\n\
             resource \"panel_database\" \"db\" {{\n  name = \"{name}\"\n  owner = \
             panel_user.x.id\n  user = \"app\"\n  password_wo = \"{PASSWORD}\"\n}}\n"
        ),
    );
    let outcome = tf.plan();
    assert_eq!(
        outcome.code,
        1,
        "the plan must fail\n{}",
        outcome.describe()
    );
    let said = flat(&outcome.output());
    assert!(
        said.contains("Name Too Long With Its Prefix")
            && said.contains(&format!("{login}_{name}"))
            && said.contains("with panel_database.db"),
        "the plan names the prefixed database name: {said}"
    );
    assert!(sim.view().is_empty(), "a failed plan changed the panel");
}

fn package_config(package: &str) -> String {
    format!(
        "resource \"panel_user\" \"x\" {{\n  login = \"packaged\"\n  email = \
         \"p@example.com\"\n  name = \"Packaged\"\n  plan = \"{package}\"\n  password_wo = \
         \"{PASSWORD}\"\n}}\n"
    )
}

/// Item 6: a `plan` (package) the panel does not have is refused at plan time, naming
/// `plan` and the packages the panel has; an existing package plans and applies.
#[test]
fn item6_hestia_unknown_package_fails_at_plan() {
    let sim = Sim::start(Backend::Hestia);
    sim.seed(&json!({"packages": {"gold": {"WEB_DOMAINS": "10", "DATABASES": "5"}}}));
    let tf = sim.terraform();
    tf.write("main.tf", &package_config("platinum"));
    let outcome = tf.plan();
    assert_eq!(
        outcome.code,
        1,
        "the plan must fail\n{}",
        outcome.describe()
    );
    let said = flat(&outcome.output());
    assert!(
        said.contains("Plan Not Found")
            && said.contains("with panel_user.x")
            && said.contains("platinum")
            && said.contains("gold")
            && said.contains("default"),
        "the plan names the missing package and those the panel has: {said}"
    );
    assert!(sim.view().is_empty(), "a failed plan changed the panel");

    tf.write("main.tf", &package_config("gold"));
    tf.apply();
    assert!(sim.view().user("packaged").is_some());
    let dump = sim.dump();
    assert_eq!(dump["users"]["packaged"]["package"], "gold", "{dump}");
    tf.assert_empty_plan("after creating the user with an existing package");
}

/// Item 6 on PanelAlpha, which lists its plans too: an unknown plan is refused at plan
/// time, naming the plans the panel has.
#[test]
fn item6_panelalpha_unknown_plan_fails_at_plan() {
    let sim = Sim::start(Backend::PanelAlpha);
    let tf = sim.terraform();
    let config = |plan: &str| {
        format!(
            "resource \"panel_user\" \"x\" {{\n  email = \"p@example.com\"\n  name = \
             \"Planned Customer\"\n  plan = \"{plan}\"\n  password_wo = \"{PASSWORD}\"\n}}\n"
        )
    };
    tf.write("main.tf", &config("Nonexistent"));
    let outcome = tf.plan();
    assert_eq!(
        outcome.code,
        1,
        "the plan must fail\n{}",
        outcome.describe()
    );
    let said = flat(&outcome.output());
    assert!(
        said.contains("Plan Not Found")
            && said.contains("with panel_user.x")
            && said.contains("Nonexistent")
            && said.contains("Starter"),
        "the plan names the missing plan and those the panel has: {said}"
    );
    assert!(sim.view().is_empty(), "a failed plan changed the panel");
    tf.write("main.tf", &config("Starter"));
    tf.apply();
    assert!(sim.view().user("p@example.com").is_some());
    tf.assert_empty_plan("after creating the user with an existing plan");
}

// ---- item 8: another customer's domain ------------------------------------------------

/// A customer as the panel knows them: id and login (PanelAlpha: email).
struct Customer {
    id: String,
    login: String,
}

/// The seed putting `taken.example` under user A, with user B beside it.
fn seed_two_customers(sim: &Sim) -> (Customer, Customer) {
    let (seed, a, b) = match sim.backend {
        Backend::Hestia => (
            json!({"users": [
                {"user": "alice", "password": PASSWORD, "email": "alice@example.com",
                 "web_domains": [{"domain": "taken.example"}]},
                {"user": "bob", "password": PASSWORD, "email": "bob@example.com"}
            ]}),
            "alice",
            "bob",
        ),
        Backend::PleskRest | Backend::PleskXml => (
            json!({
                "clients": [{"login": "alice", "email": "alice@example.com"},
                            {"login": "bob", "email": "bob@example.com"}],
                "domains": [{"name": "taken.example", "kind": "subscription",
                             "owner_login": "alice", "ftp_login": "takenftp",
                             "ftp_password": OLD_FTP_PASSWORD}]
            }),
            "alice",
            "bob",
        ),
        Backend::PanelAlpha => (
            json!({"users": [
                {"email": "alice@example.com", "first_name": "Alice", "last_name": "A",
                 "password": PASSWORD, "services": [{"plan": "Starter", "domain": "alice.example",
                 "domains": ["taken.example"]}]},
                {"email": "bob@example.com", "first_name": "Bob", "last_name": "B",
                 "password": PASSWORD, "services": [{"plan": "Starter", "domain": "bob.example"}]}
            ]}),
            "alice@example.com",
            "bob@example.com",
        ),
    };
    sim.seed(&seed);
    let view = sim.view();
    let customer = |login: &str| Customer {
        id: view
            .user(login)
            .unwrap_or_else(|| panic!("seeding {login} failed: {view:#?}"))
            .panel_id
            .clone(),
        login: login.to_owned(),
    };
    (customer(a), customer(b))
}

fn taken_domain_block(backend: Backend, owner: &str) -> String {
    let extra = match backend {
        Backend::PleskRest | Backend::PleskXml => {
            format!("  system_password_wo = \"{PASSWORD}\"\n")
        }
        Backend::PanelAlpha => "  kind = \"addon\"\n".to_owned(),
        Backend::Hestia => String::new(),
    };
    format!(
        "resource \"panel_domain\" \"taken\" {{\n  name = \"taken.example\"\n  owner = {}\n{extra}}}\n",
        hcl_string(owner)
    )
}

fn owner_of_taken(sim: &Sim) -> String {
    let view = sim.view();
    view.domain("taken.example")
        .unwrap_or_else(|| panic!("taken.example is gone: {view:#?}"))
        .owner
        .clone()
}

/// An import of A's domain configured with owner B fails at plan time naming both, and
/// the plan Terraform saves anyway (an errored plan, which cannot be applied) holds no
/// delete of the domain.
fn assert_import_refused(tf: &Terraform, backend: Backend, a: &Customer, b: &Customer, how: &str) {
    let outcome: Outcome = tf.run(&["plan", "-input=false", "-no-color", "-out=import.tfplan"]);
    assert_eq!(
        outcome.code,
        1,
        "[{backend:?}] {how}: an import under another owner must fail at plan time\n{}",
        outcome.describe()
    );
    let said = flat(&outcome.output());
    assert!(
        said.contains("Imported Object Would Change Owner")
            && said.contains(&format!("with id \"{}\"", a.id))
            && said.contains(&format!("owner \"{}\"", b.id))
            && said.contains(&format!("\"{}\"", a.login))
            && said.contains(&format!("\"{}\"", b.login)),
        "[{backend:?}] {how}: the error names both owners: {said}"
    );
    if tf.dir().join("import.tfplan").exists() {
        let shown = tf
            .run(&["show", "-json", "-no-color", "import.tfplan"])
            .success();
        let plan: Value = serde_json::from_str(&shown.stdout)
            .unwrap_or_else(|err| panic!("show -json is not JSON ({err}): {}", shown.stdout));
        let changes = planned_changes(&plan);
        assert!(
            !changes
                .iter()
                .any(|(address, actions)| address == "panel_domain.taken"
                    && actions.iter().any(|a| a == "delete")),
            "[{backend:?}] {how}: the saved plan deletes the domain: {changes:?}"
        );
        assert!(
            plan["errored"] == true || changes.is_empty(),
            "[{backend:?}] {how}: the saved plan is not marked errored: {changes:?}"
        );
    }
}

/// Item 8: a domain of user A configured under user B: the create fails naming A and
/// without inviting an import; an import (block or CLI) configured with owner B fails at
/// plan time naming both owners; A's domain is never touched.
fn another_customers_domain(backend: Backend) {
    let sim = Sim::start(backend);
    let (a, b) = seed_two_customers(&sim);
    let owner_login = owner_of_taken(&sim);
    let before = sim.view();

    let tf = sim.terraform();
    tf.write("main.tf", &taken_domain_block(backend, &b.id));
    let failed = tf.try_apply();
    assert_eq!(
        failed.code,
        1,
        "[{backend:?}] creating A's domain under B must fail\n{}",
        failed.describe()
    );
    let said = flat(&failed.output());
    assert!(
        said.contains("Panel Object Already Exists")
            && said.contains(&format!("owner id \"{}\"", a.id))
            && said.contains(&format!("\"{}\"", a.login))
            && !said.contains("terraform import"),
        "[{backend:?}] the error names the owner {} and does not suggest an import: {said}",
        a.login
    );
    assert_eq!(sim.view(), before, "[{backend:?}] the panel changed");
    assert!(tf.state_addresses().is_empty());

    // The import block, with the configured owner B.
    tf.write(
        "main.tf",
        &format!(
            "{}import {{\n  to = panel_domain.taken\n  id = \"taken.example\"\n}}\n",
            taken_domain_block(backend, &b.id)
        ),
    );
    assert_import_refused(&tf, backend, &a, &b, "import block");
    let failed = tf.try_apply();
    assert_eq!(failed.code, 1, "{}", failed.describe());

    // The CLI import, then a plan.
    let cli = sim.terraform();
    cli.write("main.tf", &taken_domain_block(backend, &b.id));
    cli.import("panel_domain.taken", "taken.example");
    assert_import_refused(&cli, backend, &a, &b, "terraform import");
    let failed = cli.try_apply();
    assert_eq!(failed.code, 1, "{}", failed.describe());

    assert_eq!(
        owner_of_taken(&sim),
        owner_login,
        "[{backend:?}] A's domain changed hands"
    );
    assert_eq!(sim.view(), before, "[{backend:?}] the panel changed");
}

#[test]
fn item8_hestia_another_customers_domain_is_never_taken_over() {
    another_customers_domain(Backend::Hestia);
}

#[test]
fn item8_plesk_rest_another_customers_domain_is_never_taken_over() {
    another_customers_domain(Backend::PleskRest);
}

#[test]
fn item8_plesk_xml_another_customers_domain_is_never_taken_over() {
    another_customers_domain(Backend::PleskXml);
}

#[test]
fn item8_panelalpha_another_customers_domain_is_never_taken_over() {
    another_customers_domain(Backend::PanelAlpha);
}
