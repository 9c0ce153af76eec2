//! The whole life of a user, a domain and a database, on each backend: create, no-op
//! plan, in-place change, password rotation, replacement, import (CLI and `import {}`
//! with generated configuration), drift, destroy. Every step is checked in the
//! simulator; write-only passwords must never reach a state file.

use super::{Backend, Sim, SimView};
use crate::support::terraform::{hcl_string, Terraform};

const LOGIN: &str = "acme";
const FULL_NAME: &str = "Acme Owner";
const EMAIL_FIRST: &str = "owner@acme-shop.example";
const EMAIL_SECOND: &str = "billing@acme-shop.example";
const DOMAIN: &str = "acme-shop.example";
/// The main domain PanelAlpha gives the first service of a fresh simulator; addon
/// domains hang off it (the main domain itself comes with the plan).
const PANELALPHA_MAIN_DOMAIN: &str = "service1.panelalpha.test";
const DATABASE_FIRST: &str = "shop";
const DATABASE_SECOND: &str = "store";
const DATABASE_USER: &str = "shopusr";

const USER_PASSWORD_1: &str = "Us3r-first-Secret!";
const USER_PASSWORD_2: &str = "Us3r-second-Secret!";
const DB_PASSWORD_1: &str = "Db-first-Secret-42";
const DB_PASSWORD_2: &str = "Db-second-Secret-42";
const SYSTEM_PASSWORD: &str = "Sys-ftp-Secret-7";

const ALL_PASSWORDS: [&str; 5] = [
    USER_PASSWORD_1,
    USER_PASSWORD_2,
    DB_PASSWORD_1,
    DB_PASSWORD_2,
    SYSTEM_PASSWORD,
];

/// What changes between the steps of the scenario.
#[derive(Clone, Copy)]
struct Step {
    email: &'static str,
    user_password: &'static str,
    database: &'static str,
    db_password: &'static str,
    /// `Some(n)`: write `*_wo_version = n`; `None`: leave the versions out (an import
    /// stores none, so a configuration meant to match an import has none either).
    version: Option<u32>,
}

fn config(backend: Backend, step: Step) -> String {
    let version = |attribute: &str| match step.version {
        Some(n) => format!("  {attribute} = {n}\n"),
        None => String::new(),
    };
    let mut user = String::from("resource \"panel_user\" \"main\" {\n");
    if backend != Backend::PanelAlpha {
        user += &format!("  login = {}\n", hcl_string(LOGIN));
    }
    user += &format!("  email = {}\n", hcl_string(step.email));
    user += &format!("  name  = {}\n", hcl_string(FULL_NAME));
    if backend == Backend::PanelAlpha {
        // Domains and databases live in the hosting account the plan provisions.
        user += "  plan  = \"Starter\"\n";
    }
    user += &format!("  password_wo = {}\n", hcl_string(step.user_password));
    user += &version("password_wo_version");
    user += "}\n";

    let mut domain = String::from("resource \"panel_domain\" \"main\" {\n");
    domain += &format!("  name  = {}\n", hcl_string(DOMAIN));
    domain += "  owner = panel_user.main.id\n";
    if backend == Backend::PanelAlpha {
        domain += "  kind   = \"addon\"\n";
        domain += &format!("  parent = {}\n", hcl_string(PANELALPHA_MAIN_DOMAIN));
    }
    if backend.is_plesk() {
        domain += &format!("  system_password_wo = {}\n", hcl_string(SYSTEM_PASSWORD));
        // Only set once: Plesk offers no way to change it later through this
        // provider (the plan says so), so the version never moves.
        if step.version.is_some() {
            domain += "  system_password_wo_version = 1\n";
        }
    }
    domain += "}\n";

    let mut database = String::from("resource \"panel_database\" \"main\" {\n");
    database += &format!("  name  = {}\n", hcl_string(step.database));
    database += "  owner = panel_user.main.id\n";
    if backend.is_plesk() {
        database += "  domain = panel_domain.main.name\n";
    }
    database += &format!("  user  = {}\n", hcl_string(DATABASE_USER));
    database += &format!("  password_wo = {}\n", hcl_string(step.db_password));
    database += &version("password_wo_version");
    database += "}\n";

    format!("{user}\n{domain}\n{database}")
}

/// The user's natural key on this panel.
fn user_key(backend: Backend, email: &str) -> String {
    match backend {
        Backend::PanelAlpha => email.to_owned(),
        _ => LOGIN.to_owned(),
    }
}

/// No state file may ever hold a write-only value.
fn assert_no_password_in_state(tf: &Terraform, when: &str) {
    let raw = tf.state_raw();
    for password in ALL_PASSWORDS {
        assert!(
            !raw.contains(password),
            "{when}: the state file contains a write-only password:\n{raw}"
        );
    }
}

/// The objects the scenario manages, as the simulator holds them.
fn assert_sim_holds(backend: Backend, view: &SimView, email: &str, database: &str) {
    let key = user_key(backend, email);
    let user = view
        .user(&key)
        .unwrap_or_else(|| panic!("[{backend:?}] the panel has no user {key}: {view:#?}"));
    assert_eq!(user.email, email, "[{backend:?}] user email");
    assert_eq!(user.name, FULL_NAME, "[{backend:?}] user name");

    let domain = view
        .domain(DOMAIN)
        .unwrap_or_else(|| panic!("[{backend:?}] the panel has no domain {DOMAIN}: {view:#?}"));
    assert_eq!(domain.owner, key, "[{backend:?}] domain owner");
    let expected_kind = match backend {
        Backend::Hestia => "main",
        Backend::PleskRest | Backend::PleskXml => "subscription",
        Backend::PanelAlpha => "addon",
    };
    assert_eq!(domain.kind, expected_kind, "[{backend:?}] domain kind");

    let db = view
        .database(database)
        .unwrap_or_else(|| panic!("[{backend:?}] the panel has no database {database}: {view:#?}"));
    assert_eq!(db.owner, key, "[{backend:?}] database owner");
    if backend == Backend::Hestia {
        assert_eq!(db.name, format!("{LOGIN}_{database}"), "hestia prefixes");
    }
    let user_suffix = format!("_{DATABASE_USER}");
    assert!(
        db.users
            .iter()
            .any(|(name, _)| name == DATABASE_USER || name.ends_with(&user_suffix)),
        "[{backend:?}] database {database} lacks its user {DATABASE_USER}: {db:#?}"
    );
}

fn db_password_hash(view: &SimView, database: &str) -> String {
    let suffix = format!("_{DATABASE_USER}");
    let db = view
        .database(database)
        .unwrap_or_else(|| panic!("no database {database}: {view:#?}"));
    db.users
        .iter()
        .find(|(name, _)| name == DATABASE_USER || name.ends_with(&suffix))
        .map(|(_, hash)| hash.clone())
        .unwrap_or_else(|| panic!("database {database} has no user {DATABASE_USER}: {db:#?}"))
}

/// Attributes of `address` in `tf`'s state, without the write-only ones and their
/// versions (an import cannot know them).
fn comparable_attributes(backend: Backend, tf: &Terraform, address: &str) -> serde_json::Value {
    let mut attributes = tf.state_attributes(address);
    if let Some(map) = attributes.as_object_mut() {
        map.retain(|key, _| !key.ends_with("_wo") && !key.ends_with("_wo_version"));
        // Plesk's REST API v2 reports no IP address for a domain (DomainResponse has
        // none), so only a create, which sent it, can know it.
        if backend == Backend::PleskRest && address == "panel_domain.main" {
            map.remove("ip_address");
        }
    }
    attributes
}

const ADDRESSES: [&str; 3] = [
    "panel_user.main",
    "panel_domain.main",
    "panel_database.main",
];

fn run_lifecycle(backend: Backend) {
    let started = std::time::Instant::now();
    let sim = Sim::start(backend);
    let tf = sim.terraform();
    let step1 = Step {
        email: EMAIL_FIRST,
        user_password: USER_PASSWORD_1,
        database: DATABASE_FIRST,
        db_password: DB_PASSWORD_1,
        version: Some(1),
    };

    // 1. Create.
    tf.write("main.tf", &config(backend, step1));
    tf.apply();
    assert_no_password_in_state(&tf, "after create");
    let view = sim.view();
    assert_sim_holds(backend, &view, EMAIL_FIRST, DATABASE_FIRST);
    assert_eq!(view.users.len(), 1, "[{backend:?}] one user: {view:#?}");
    assert_eq!(
        view.databases.len(),
        1,
        "[{backend:?}] one database: {view:#?}"
    );
    tf.assert_empty_plan(&format!("[{backend:?}] right after create"));

    // 2. In-place change: the email.
    let step2 = Step {
        email: EMAIL_SECOND,
        ..step1
    };
    tf.write("main.tf", &config(backend, step2));
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_user.main will be updated in-place"),
        "[{backend:?}] an email change is in place:\n{}",
        plan.stdout
    );
    let user_id_before = tf.state_attributes("panel_user.main")["id"].clone();
    tf.apply();
    assert_no_password_in_state(&tf, "after the email change");
    let view = sim.view();
    assert_sim_holds(backend, &view, EMAIL_SECOND, DATABASE_FIRST);
    assert!(
        view.users.iter().all(|u| u.email != EMAIL_FIRST),
        "[{backend:?}] the old email is gone: {view:#?}"
    );
    assert_eq!(
        tf.state_attributes("panel_user.main")["id"],
        user_id_before,
        "[{backend:?}] an in-place change keeps the id"
    );
    tf.assert_empty_plan(&format!("[{backend:?}] after the email change"));

    // 3. Rotate both passwords by bumping their versions.
    let user_hash_before = view
        .user(&user_key(backend, EMAIL_SECOND))
        .map(|u| u.password.clone())
        .unwrap_or_default();
    let db_hash_before = db_password_hash(&view, DATABASE_FIRST);
    let step3 = Step {
        user_password: USER_PASSWORD_2,
        db_password: DB_PASSWORD_2,
        version: Some(2),
        ..step2
    };
    tf.write("main.tf", &config(backend, step3));
    tf.apply();
    assert_no_password_in_state(&tf, "after the password rotation");
    let view = sim.view();
    let user_hash_after = view
        .user(&user_key(backend, EMAIL_SECOND))
        .map(|u| u.password.clone())
        .unwrap_or_default();
    assert_ne!(
        user_hash_before, user_hash_after,
        "[{backend:?}] bumping password_wo_version changes the user's password on the panel"
    );
    assert_ne!(
        db_hash_before,
        db_password_hash(&view, DATABASE_FIRST),
        "[{backend:?}] bumping password_wo_version changes the database user's password"
    );
    assert_sim_holds(backend, &view, EMAIL_SECOND, DATABASE_FIRST);
    tf.assert_empty_plan(&format!("[{backend:?}] after the password rotation"));

    // 4. Replacement: a new database name.
    let step4 = Step {
        database: DATABASE_SECOND,
        ..step3
    };
    tf.write("main.tf", &config(backend, step4));
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout.contains("panel_database.main must be replaced") && plan.stdout.contains("-/+"),
        "[{backend:?}] renaming a database replaces it:\n{}",
        plan.stdout
    );
    assert!(
        !plan.stdout.contains("panel_user.main must be replaced")
            && !plan.stdout.contains("panel_domain.main must be replaced"),
        "[{backend:?}] only the database is replaced:\n{}",
        plan.stdout
    );
    tf.apply();
    assert_no_password_in_state(&tf, "after the replacement");
    let view = sim.view();
    assert_sim_holds(backend, &view, EMAIL_SECOND, DATABASE_SECOND);
    assert!(
        view.database(DATABASE_FIRST).is_none(),
        "[{backend:?}] the old database is gone: {view:#?}"
    );
    tf.assert_empty_plan(&format!("[{backend:?}] after the replacement"));

    // 5a. Import with the CLI into a fresh working directory.
    let database_id = tf.state_attributes("panel_database.main")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let import_ids = [
        user_key(backend, EMAIL_SECOND),
        DOMAIN.to_owned(),
        database_import_id(backend, &database_id),
    ];
    let unversioned = Step {
        version: None,
        ..step4
    };
    let imported = sim.terraform();
    imported.write("main.tf", &config(backend, unversioned));
    for (address, id) in ADDRESSES.iter().zip(&import_ids) {
        imported.import(address, id);
        assert_no_password_in_state(&imported, "after terraform import");
    }
    imported.assert_empty_plan(&format!("[{backend:?}] after terraform import"));
    for address in ADDRESSES {
        assert_eq!(
            comparable_attributes(backend, &imported, address),
            comparable_attributes(backend, &tf, address),
            "[{backend:?}] {address}: import reads what create wrote"
        );
    }

    // 5b. Import with `import {}` blocks and generated configuration.
    let generated = sim.terraform();
    let blocks: String = ADDRESSES
        .iter()
        .zip(&import_ids)
        .map(|(to, id)| format!("import {{\n  to = {to}\n  id = {}\n}}\n\n", hcl_string(id)))
        .collect();
    generated.write("imports.tf", &blocks);
    let plan = generated
        .run(&[
            "plan",
            "-input=false",
            "-no-color",
            "-generate-config-out=generated.tf",
        ])
        .success();
    assert!(
        plan.stdout.contains("3 to import"),
        "[{backend:?}] the plan imports three objects:\n{}",
        plan.stdout
    );
    let generated_config = generated.read("generated.tf");
    for password in ALL_PASSWORDS {
        assert!(!generated_config.contains(password));
    }
    generated.apply();
    assert_no_password_in_state(&generated, "after import {} blocks");
    generated.assert_empty_plan(&format!(
        "[{backend:?}] after importing with generated configuration:\n{generated_config}"
    ));
    for address in ADDRESSES {
        assert_eq!(
            comparable_attributes(backend, &generated, address),
            comparable_attributes(backend, &tf, address),
            "[{backend:?}] {address}: import {{}} reads what create wrote"
        );
    }
    assert_eq!(
        sim.view(),
        view,
        "[{backend:?}] importing changed nothing on the panel"
    );

    // 6. Drift: the database disappears behind Terraform's back.
    sim.delete_database_behind_terraforms_back(DATABASE_SECOND);
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout.contains("panel_database.main will be created"),
        "[{backend:?}] a database deleted outside Terraform is planned for re-creation:\n{}",
        plan.stdout
    );

    // 7. Destroy.
    tf.destroy();
    assert_no_password_in_state(&tf, "after destroy");
    let view = sim.view();
    assert!(
        view.is_empty(),
        "[{backend:?}] the panel still holds objects after destroy: {view:#?}"
    );
    eprintln!(
        "[{backend:?}] lifecycle finished in {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

/// How the scenario's database is imported: by natural key where the panel has one.
fn database_import_id(backend: Backend, state_id: &str) -> String {
    match backend {
        Backend::Hestia => format!("{LOGIN}/{LOGIN}_{DATABASE_SECOND}"),
        Backend::PleskRest | Backend::PleskXml => format!("{DOMAIN}/{DATABASE_SECOND}"),
        // `userId/accountId/dbname` is already the backend's id.
        Backend::PanelAlpha => state_id.to_owned(),
    }
}

#[test]
fn hestia() {
    run_lifecycle(Backend::Hestia);
}

#[test]
fn plesk_rest() {
    run_lifecycle(Backend::PleskRest);
}

#[test]
fn plesk_xml() {
    run_lifecycle(Backend::PleskXml);
}

#[test]
fn panelalpha() {
    run_lifecycle(Backend::PanelAlpha);
}
