//! `panel_database_user` through real Terraform: create (the panel holds the user with
//! access to its database), empty plan, password rotation in place (what the panel
//! stores changes), a change of its databases (PanelAlpha: in place, a second database
//! granted; Plesk: the user is replaced, since Plesk cannot move it), import by the
//! documented id (CLI, and `import {}` with `-generate-config-out`), drift when the user
//! is deleted at the panel, destroy (its databases stay until they are destroyed too);
//! a create whose answer is lost; the plan-time refusals: HestiaCP (pointing to
//! `panel_database.user`) and two databases on Plesk.

use serde_json::Value;

use super::{Backend, Sim};
use crate::support::terraform::hcl_string;

const LOGIN: &str = "dbuowner";
const EMAIL: &str = "dbu@dbu-owner.example";
const PASSWORD: &str = "Dbu-0wner-Secret!";
const SITE: &str = "dbu-site.example";

#[derive(Clone, Copy)]
struct Step {
    password: &'static str,
    version: i64,
    /// The `panel_database` resources (`a`, `b`) the user may access.
    databases: &'static [&'static str],
}

fn user_block(owner: &str, databases: &str, step: Step, with_version: bool) -> String {
    let version = if with_version {
        format!("  password_wo_version = {}\n", step.version)
    } else {
        String::new()
    };
    format!(
        "resource \"panel_database_user\" \"report\" {{\n  owner     = {owner}\n  name      = \
         \"report\"\n  databases = {databases}\n  password_wo = {}\n{version}}}\n",
        hcl_string(step.password),
    )
}

fn config(backend: Backend, step: Step) -> String {
    let (login, site, domain) = if backend == Backend::PanelAlpha {
        ("  plan  = \"Starter\"\n".to_owned(), String::new(), "")
    } else {
        (
            format!("  login = {}\n", hcl_string(LOGIN)),
            format!(
                "resource \"panel_domain\" \"site\" {{\n  name  = {}\n  owner = panel_user.owner.id\n  \
                 system_password_wo         = {}\n  system_password_wo_version = 1\n}}\n\n",
                hcl_string(SITE),
                hcl_string(PASSWORD)
            ),
            "  domain = panel_domain.site.name\n",
        )
    };
    let databases: String = ["a", "b"]
        .iter()
        .map(|name| {
            format!(
                "resource \"panel_database\" \"{name}\" {{\n  name  = \"dbu{name}\"\n  owner = \
                 panel_user.owner.id\n{domain}}}\n\n"
            )
        })
        .collect();
    let list: Vec<String> = step
        .databases
        .iter()
        .map(|d| format!("panel_database.{d}.id"))
        .collect();
    format!(
        "resource \"panel_user\" \"owner\" {{\n{login}  email = {}\n  name  = \"Dbu Owner\"\n  \
         password_wo = {}\n}}\n\n{site}{databases}{}",
        hcl_string(EMAIL),
        hcl_string(PASSWORD),
        user_block(
            "panel_user.owner.id",
            &format!("[{}]", list.join(", ")),
            step,
            true
        ),
    )
}

/// The simulator's database users: (login as stored, what it stores of the password).
fn sim_users(sim: &Sim) -> Vec<(String, String)> {
    let dump = sim.dump();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match sim.backend {
        Backend::Hestia => Vec::new(),
        Backend::PanelAlpha => dump["accounts"]
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
        _ => dump["db_users"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .map(|u| (text(&u["login"]), text(&u["password_hash"])))
            .collect(),
    }
}

fn reports(sim: &Sim) -> Vec<(String, String)> {
    sim_users(sim)
        .into_iter()
        .filter(|u| u.0 == "report" || u.0.ends_with("_report"))
        .collect()
}

/// Deletes the user through the panel's own API, as a person at the panel would.
fn delete_at_panel(sim: &Sim, id: &str) {
    let p = &sim.process;
    let request = match sim.backend {
        Backend::PanelAlpha => {
            let mut parts = id.splitn(3, '/');
            let (user, account, name) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            sim.http
                .delete(p.url(&format!(
                    "/api/server-accounts/{account}/mysql/users/{name}"
                )))
                .header("Authorization", format!("Bearer {}", p.cred("token")))
                .header("X-PanelAlpha-User", user)
                .header("Accept", "application/json")
        }
        _ => sim
            .http
            .delete(p.url(&format!("/api/v2/dbusers/{id}")))
            .header("X-API-Key", p.cred("api_key")),
    };
    let (status, body) = sim.send(request, "deleting a database user through the panel API");
    assert!((200..300).contains(&status), "{status}: {body}");
}

fn run_lifecycle(backend: Backend) {
    let sim = Sim::start(backend);
    let tf = sim.terraform();
    let step1 = Step {
        password: "Dbu-Passw0rd-One!",
        version: 1,
        databases: &["a"],
    };

    // 1. Create.
    tf.write("main.tf", &config(backend, step1));
    tf.apply();
    let users = reports(&sim);
    assert_eq!(users.len(), 1, "[{backend:?}] {:?}", sim_users(&sim));
    let first_secret = users[0].1.clone();
    let state = tf.state_attributes("panel_database_user.report");
    let db_a = tf.state_attributes("panel_database.a")["id"].clone();
    let db_b = tf.state_attributes("panel_database.b")["id"].clone();
    assert_eq!(
        state["name"], "report",
        "[{backend:?}] state keeps the name"
    );
    assert_eq!(state["databases"], serde_json::json!([db_a.clone()]));
    assert_eq!(state["password_wo"], Value::Null, "write-only");
    let id = state["id"].as_str().unwrap_or_default().to_owned();
    let import_id = if backend == Backend::PanelAlpha {
        assert!(
            id.ends_with("_report") && id.split('/').count() == 3,
            "[{backend:?}] USER_ID/ACCOUNT_ID/FULL_NAME: {id}"
        );
        id.clone()
    } else {
        assert!(id.parse::<u64>().is_ok(), "[{backend:?}] numeric id: {id}");
        "report".to_owned()
    };
    tf.assert_empty_plan(&format!("[{backend:?}] right after create"));

    // 1b. The data sources: the owner's users, and one by owner + name.
    let owner_id = tf.state_attributes("panel_user.owner")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let lookups = sim.terraform();
    lookups.write(
        "main.tf",
        &format!(
            "data \"panel_database_users\" \"all\" {{\n  owner = {owner}\n}}\n\n\
             data \"panel_database_user\" \"by_name\" {{\n  owner = {owner}\n  name  = \"report\"\n}}\n\n\
             output \"names\" {{\n  value = data.panel_database_users.all.database_users[*].name\n}}\n\
             output \"by_name\" {{\n  value = data.panel_database_user.by_name.id\n}}\n",
            owner = hcl_string(&owner_id),
        ),
    );
    lookups.apply();
    let outputs = lookups.run(&["output", "-json"]).success();
    let outputs: Value = serde_json::from_str(&outputs.stdout)
        .unwrap_or_else(|err| panic!("output -json: {err}: {}", outputs.stdout));
    assert_eq!(
        outputs["names"]["value"],
        serde_json::json!(["report"]),
        "[{backend:?}] panel_database_users"
    );
    assert_eq!(outputs["by_name"]["value"], id.as_str());

    // 2. Password rotation: in place, what the panel stores changes.
    let step2 = Step {
        password: "Dbu-Passw0rd-Two!",
        version: 2,
        ..step1
    };
    tf.write("main.tf", &config(backend, step2));
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_database_user.report will be updated in-place"),
        "[{backend:?}] rotation is in place:\n{}",
        plan.stdout
    );
    tf.apply();
    assert_ne!(
        reports(&sim)[0].1,
        first_secret,
        "[{backend:?}] the stored password changed"
    );
    tf.assert_empty_plan(&format!("[{backend:?}] after rotation"));

    // 3. The databases: PanelAlpha grants a second one in place; Plesk replaces the
    // user with one of the other database.
    let step3 = if backend == Backend::PanelAlpha {
        Step {
            databases: &["a", "b"],
            ..step2
        }
    } else {
        Step {
            databases: &["b"],
            ..step2
        }
    };
    tf.write("main.tf", &config(backend, step3));
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    let expected = if backend == Backend::PanelAlpha {
        "panel_database_user.report will be updated in-place"
    } else {
        "panel_database_user.report must be replaced"
    };
    assert!(
        plan.stdout.contains(expected),
        "[{backend:?}] {expected}:\n{}",
        plan.stdout
    );
    tf.apply();
    let state = tf.state_attributes("panel_database_user.report");
    let wanted = if backend == Backend::PanelAlpha {
        let mut both = vec![db_a.clone(), db_b.clone()];
        both.sort_by_key(|v| v.as_str().unwrap_or_default().to_owned());
        Value::Array(both)
    } else {
        serde_json::json!([db_b.clone()])
    };
    assert_eq!(state["databases"], wanted, "[{backend:?}]");
    assert_eq!(reports(&sim).len(), 1, "[{backend:?}] one user");
    tf.assert_empty_plan(&format!("[{backend:?}] after the databases change"));
    let id = state["id"].as_str().unwrap_or_default().to_owned();
    let databases_hcl = format!(
        "[{}]",
        wanted
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| hcl_string(v.as_str().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(", ")
    );

    // 4. Import into a fresh working directory by the documented id.
    let imported = sim.terraform();
    imported.write(
        "main.tf",
        &user_block(&hcl_string(&owner_id), &databases_hcl, step3, false),
    );
    imported.import("panel_database_user.report", &import_id);
    imported.assert_empty_plan(&format!("[{backend:?}] after terraform import"));
    let mut imported_state = imported.state_attributes("panel_database_user.report");
    let mut created_state = tf.state_attributes("panel_database_user.report");
    imported_state["password_wo_version"] = Value::Null;
    created_state["password_wo_version"] = Value::Null;
    assert_eq!(
        imported_state, created_state,
        "[{backend:?}] import reads what create wrote"
    );

    // 4b. `import {}` with generated configuration.
    let generated = sim.terraform();
    generated.write(
        "imports.tf",
        &format!(
            "import {{\n  to = panel_database_user.report\n  id = {}\n}}\n",
            hcl_string(&import_id)
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
        "[{backend:?}] the plan imports the user:\n{}",
        plan.stdout
    );
    generated.apply();
    generated.assert_empty_plan(&format!(
        "[{backend:?}] after importing with generated configuration:\n{}",
        generated.read("generated.tf")
    ));

    // 5. Drift: deleted at the panel, planned again, re-created.
    delete_at_panel(&sim, &id);
    assert!(reports(&sim).is_empty());
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_database_user.report will be created")
            && plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "[{backend:?}] a user deleted at the panel is planned again:\n{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(reports(&sim).len(), 1);
    tf.assert_empty_plan(&format!("[{backend:?}] after re-creating the user"));

    // 6. Destroy: the user first, its databases stay; then everything.
    tf.run(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-target=panel_database_user.report",
    ])
    .success();
    assert!(reports(&sim).is_empty(), "[{backend:?}] user gone");
    assert_eq!(
        sim.view().databases.len(),
        2,
        "[{backend:?}] the databases stay"
    );
    tf.destroy();
    assert!(
        sim.view().is_empty(),
        "[{backend:?}] the panel still holds objects after destroy: {:#?}",
        sim.view()
    );
    assert!(
        sim_users(&sim).is_empty(),
        "[{backend:?}] no database user left"
    );
}

/// The panel commits the create and the answer is lost: the apply records the user
/// (found again by owner and name), once.
fn lost_create_answer(backend: Backend) {
    let sim = Sim::start(backend);
    let tf = sim.terraform();
    let route = match backend {
        Backend::PleskXml => "xml database.add-db-user",
        Backend::PanelAlpha => "POST /api/server-accounts/{id}/mysql/users",
        _ => "POST /api/v2/dbusers",
    };
    sim.set_faults(&serde_json::json!({"drop_after_commit": [{"route": route}]}));
    let step = Step {
        password: "Dbu-Passw0rd-Lost!",
        version: 1,
        databases: &["a"],
    };
    tf.write("main.tf", &config(backend, step));
    let outcome = tf.apply();
    assert!(
        outcome
            .output()
            .contains("Create Answer Lost, Object Recorded"),
        "[{backend:?}] the apply says what happened:\n{}",
        outcome.describe()
    );
    assert_eq!(reports(&sim).len(), 1, "[{backend:?}] created once");
    let id = tf.state_attributes("panel_database_user.report")["id"].clone();
    assert!(id.as_str().is_some_and(|id| !id.is_empty()), "{id}");
    tf.assert_empty_plan(&format!("[{backend:?}] after the lost answer"));
    tf.destroy();
    assert!(sim_users(&sim).is_empty());
}

/// `terraform plan` of `config` fails and its output says every one of `said`.
fn expect_plan_error(sim: &Sim, config: &str, said: &[&str]) {
    let tf = sim.terraform();
    tf.write("main.tf", config);
    let outcome = tf.plan();
    assert_eq!(outcome.code, 1, "{}", outcome.describe());
    let stderr = outcome
        .stderr
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for text in said {
        assert!(
            stderr.contains(text),
            "[{:?}] the error says {text:?}:\n{}",
            sim.backend,
            outcome.describe()
        );
    }
}

fn lone_block(databases: &str) -> String {
    user_block(
        "\"1\"",
        databases,
        Step {
            password: "Dbu-Passw0rd-X!",
            version: 1,
            databases: &[],
        },
        true,
    )
}

#[test]
fn hestia_refuses_at_plan_time() {
    let sim = Sim::start(Backend::Hestia);
    expect_plan_error(
        &sim,
        &lone_block("[\"bob_shop\"]"),
        &[
            "with panel_database_user.report",
            "The `hestia` panel has no database user objects",
            "HestiaCP keeps exactly one user per database",
            "`panel_database`",
        ],
    );
    assert!(sim.view().is_empty(), "nothing created");
}

#[test]
fn plesk_rest() {
    run_lifecycle(Backend::PleskRest);
    lost_create_answer(Backend::PleskRest);
    let sim = Sim::start(Backend::PleskRest);
    expect_plan_error(
        &sim,
        &lone_block("[\"1/a.example/1\", \"1/a.example/2\"]"),
        &[
            "with panel_database_user.report",
            "The `plesk_rest` panel grants a database user access to at most 1",
        ],
    );
}

#[test]
fn plesk_xml() {
    run_lifecycle(Backend::PleskXml);
    lost_create_answer(Backend::PleskXml);
}

#[test]
fn panelalpha() {
    run_lifecycle(Backend::PanelAlpha);
    lost_create_answer(Backend::PanelAlpha);
}
