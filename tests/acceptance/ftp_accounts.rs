//! `panel_ftp_account` through real Terraform on all four panels: create (the
//! panel holds the account with its home), empty plan, password rotation (the panel's
//! stored hash changes, nothing is replaced), a home change in place, import (also with
//! `import {}` and `-generate-config-out`) into a
//! fresh directory by the documented id, drift when the account is deleted at the
//! panel, destroy; a create whose answer is lost; the plan-time refusals of a home
//! outside the site and of a home change on PanelAlpha, which cannot make it.

use serde_json::Value;

use super::adopt::adopt;
use super::{Backend, Sim};
use crate::support::terraform::{hcl_string, Terraform};

const LOGIN: &str = "ftpowner";
const EMAIL: &str = "ftp@ftp-owner.example";
const PASSWORD: &str = "Ftp-0wner-Secret!";
const SITE: &str = "ftp-site.example";
/// The main domain PanelAlpha gives the first service of a fresh simulator; the site
/// is an addon domain of it.
const PANELALPHA_MAIN_DOMAIN: &str = "service1.panelalpha.test";

#[derive(Clone, Copy)]
struct Step {
    password: &'static str,
    version: i64,
    home: &'static str,
}

fn ftp_block(owner: &str, domain: &str, step: Step, with_version: bool) -> String {
    let version = if with_version {
        format!("  password_wo_version = {}\n", step.version)
    } else {
        String::new()
    };
    format!(
        "resource \"panel_ftp_account\" \"deploy\" {{\n  owner  = {owner}\n  domain = {domain}\n  \
         login  = \"deploy\"\n  home   = {}\n  password_wo = {}\n{version}}}\n",
        hcl_string(step.home),
        hcl_string(step.password),
    )
}

fn config(backend: Backend, step: Step) -> String {
    let system = if backend.is_plesk() {
        format!(
            "  system_password_wo         = {}\n  system_password_wo_version = 1\n",
            hcl_string(PASSWORD)
        )
    } else {
        String::new()
    };
    let (login, addon) = if backend == Backend::PanelAlpha {
        (
            "  plan  = \"Starter\"\n".to_owned(),
            format!(
                "  kind   = \"addon\"\n  parent = {}\n",
                hcl_string(PANELALPHA_MAIN_DOMAIN)
            ),
        )
    } else {
        (format!("  login = {}\n", hcl_string(LOGIN)), String::new())
    };
    format!(
        "resource \"panel_user\" \"owner\" {{\n{login}  email = {}\n  name  = \"Ftp Owner\"\n  \
         password_wo = {}\n}}\n\n\
         resource \"panel_domain\" \"site\" {{\n  name  = {}\n  owner = panel_user.owner.id\n{system}{addon}}}\n\n{}",
        hcl_string(EMAIL),
        hcl_string(PASSWORD),
        hcl_string(SITE),
        ftp_block("panel_user.owner.id", "panel_domain.site.name", step, true),
    )
}

/// The simulator's FTP accounts: (full login, home as stored, password hash).
fn sim_accounts(sim: &Sim) -> Vec<(String, String, String)> {
    let dump = sim.dump();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match sim.backend {
        Backend::Hestia => dump["users"]
            .as_object()
            .into_iter()
            .flat_map(|users| users.values())
            .flat_map(|u| u["web_domains"].as_array().cloned().unwrap_or_default())
            .flat_map(|w| w["ftp"].as_array().cloned().unwrap_or_default())
            .map(|f| {
                (
                    text(&f["login"]),
                    text(&f["path"]),
                    text(&f["password_sha256"]),
                )
            })
            .collect(),
        Backend::PanelAlpha => dump["accounts"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .flat_map(|a| {
                a["ftp_accounts"]
                    .as_object()
                    .map(|m| m.values().cloned().collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .map(|f| {
                (
                    text(&f["login"]),
                    text(&f["directory"]),
                    f["password"].to_string(),
                )
            })
            .collect(),
        _ => dump["ftp_users"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .map(|f| {
                (
                    text(&f["name"]),
                    text(&f["home"]),
                    text(&f["password_hash"]),
                )
            })
            .collect(),
    }
}

fn full_login(backend: Backend) -> String {
    match backend {
        Backend::Hestia => format!("{LOGIN}_deploy"),
        Backend::PanelAlpha => format!("deploy@{SITE}"),
        _ => "deploy".to_owned(),
    }
}

/// Deletes the account through the panel's own API, as a person at the panel would.
/// `id` is the account's id in state.
fn delete_at_panel(sim: &Sim, id: &str) {
    let p = &sim.process;
    let request = match sim.backend {
        Backend::Hestia => sim.http.post(p.url("/api/")).form(&[
            ("access_key", p.cred("access_key")),
            ("secret_key", p.cred("secret_key")),
            ("returncode", "yes".to_owned()),
            ("cmd", "v-delete-web-domain-ftp".to_owned()),
            ("arg1", LOGIN.to_owned()),
            ("arg2", SITE.to_owned()),
            ("arg3", full_login(sim.backend)),
        ]),
        Backend::PanelAlpha => {
            let mut parts = id.splitn(3, '/');
            let (user, account, full) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            sim.http
                .delete(p.url(&format!(
                    "/api/server-accounts/{account}/ftp-accounts/{full}"
                )))
                .header("Authorization", format!("Bearer {}", p.cred("token")))
                .header("X-PanelAlpha-User", user)
                .header("Accept", "application/json")
        }
        _ => sim
            .http
            .delete(p.url("/api/v2/ftpusers/deploy"))
            .header("X-API-Key", p.cred("api_key")),
    };
    let (status, body) = sim.send(request, "deleting an FTP account through the panel API");
    assert!((200..300).contains(&status), "{status}: {body}");
    if sim.backend == Backend::Hestia {
        assert_eq!(body.trim(), "0", "{body}");
    }
}

fn run_lifecycle(backend: Backend) {
    let sim = Sim::start(backend);
    let tf = sim.terraform();
    let step1 = Step {
        password: "Ftp-Passw0rd-One!",
        version: 1,
        home: "public_html/uploads",
    };

    // 1. Create.
    tf.write("main.tf", &config(backend, step1));
    tf.apply();
    let accounts = sim_accounts(&sim);
    assert_eq!(accounts.len(), 1, "[{backend:?}] {accounts:?}");
    assert_eq!(accounts[0].0, full_login(backend));
    assert_eq!(accounts[0].1.trim_matches('/'), "public_html/uploads");
    let first_hash = accounts[0].2.clone();
    let state = tf.state_attributes("panel_ftp_account.deploy");
    assert_eq!(
        state["login"], "deploy",
        "[{backend:?}] state keeps the login"
    );
    assert_eq!(state["full_login"], full_login(backend).as_str());
    assert_eq!(state["password_wo"], Value::Null, "write-only");
    let id = state["id"].as_str().unwrap_or_default().to_owned();
    match backend {
        Backend::Hestia => assert_eq!(id, format!("{LOGIN}/{SITE}/{LOGIN}_deploy")),
        Backend::PanelAlpha => assert!(
            id.ends_with(&format!("/deploy@{SITE}")) && id.split('/').count() == 3,
            "[{backend:?}] USER_ID/ACCOUNT_ID/LOGIN@DOMAIN: {id}"
        ),
        _ => assert_eq!(id, "deploy", "[{backend:?}] the documented id"),
    }
    tf.assert_empty_plan(&format!("[{backend:?}] right after create"));

    // 1b. `adopt` writes the account with references to its owner and domain, and the
    // written configuration imports everything, changing nothing.
    let mut adopted = Terraform::new();
    for (name, value) in sim.provider_env() {
        adopted.set_env(name, &value);
    }
    let out = adopted.dir().to_string_lossy().into_owned();
    let log = adopt(&sim, &["--out", &out]);
    let written: String = std::fs::read_dir(adopted.dir())
        .unwrap_or_else(|err| panic!("{out}: {err}"))
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tf"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
        .collect();
    assert_eq!(
        written.matches("resource \"panel_ftp_account\"").count(),
        1,
        "[{backend:?}] adopt writes the account:\n{written}\n{log}"
    );
    let compact = written.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        compact.contains("owner = panel_user.") && compact.contains("domain = panel_domain."),
        "[{backend:?}] the account refers to its owner and domain:\n{written}"
    );
    adopted.apply();
    adopted.assert_empty_plan(&format!("[{backend:?}] after adopting:\n{written}"));

    // 1c. The data sources: the owner's accounts, and one by owner + domain + login.
    let owner_id = tf.state_attributes("panel_user.owner")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let lookups = sim.terraform();
    lookups.write(
        "main.tf",
        &format!(
            "data \"panel_ftp_accounts\" \"all\" {{\n  owner  = {owner}\n  domain = {site}\n}}\n\n\
             data \"panel_ftp_account\" \"by_login\" {{\n  owner  = {owner}\n  domain = {site}\n  \
             login  = \"deploy\"\n}}\n\n\
             output \"logins\" {{\n  value = data.panel_ftp_accounts.all.ftp_accounts[*].full_login\n}}\n\
             output \"by_login\" {{\n  value = data.panel_ftp_account.by_login.id\n}}\n",
            owner = hcl_string(&owner_id),
            site = hcl_string(SITE),
        ),
    );
    lookups.apply();
    let outputs = lookups.run(&["output", "-json"]).success();
    let outputs: Value = serde_json::from_str(&outputs.stdout)
        .unwrap_or_else(|err| panic!("output -json: {err}: {}", outputs.stdout));
    assert_eq!(
        outputs["logins"]["value"],
        serde_json::json!([full_login(backend)]),
        "[{backend:?}] panel_ftp_accounts"
    );
    assert_eq!(outputs["by_login"]["value"], id.as_str());

    // 2. Password rotation: in place, the panel's stored hash changes.
    let step2 = Step {
        password: "Ftp-Passw0rd-Two!",
        version: 2,
        ..step1
    };
    tf.write("main.tf", &config(backend, step2));
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_ftp_account.deploy will be updated in-place"),
        "[{backend:?}] rotation is in place:\n{}",
        plan.stdout
    );
    tf.apply();
    let accounts = sim_accounts(&sim);
    assert_ne!(
        accounts[0].2, first_hash,
        "[{backend:?}] the panel's stored password hash changed"
    );
    assert_eq!(
        tf.state_attributes("panel_ftp_account.deploy")["id"],
        id.as_str()
    );
    tf.assert_empty_plan(&format!("[{backend:?}] after rotation"));

    // 3. The home, in place.
    let step3 = Step {
        home: "private",
        ..step2
    };
    tf.write("main.tf", &config(backend, step3));
    let step3 = if backend == Backend::PanelAlpha {
        let outcome = tf.plan();
        assert_eq!(outcome.code, 1, "{}", outcome.describe());
        let said = outcome
            .stderr
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            said.contains("Setting Not Supported")
                && said.contains("The `panelalpha` panel cannot change an FTP account's home"),
            "[{backend:?}] {}",
            outcome.describe()
        );
        tf.write("main.tf", &config(backend, step2));
        step2
    } else {
        tf.apply();
        assert_eq!(sim_accounts(&sim)[0].1.trim_matches('/'), "private");
        step3
    };
    tf.assert_empty_plan(&format!("[{backend:?}] after the home change"));

    // 4. Import into a fresh working directory by the documented id.
    let imported = sim.terraform();
    imported.write(
        "main.tf",
        &ftp_block(&hcl_string(&owner_id), &hcl_string(SITE), step3, false),
    );
    imported.import("panel_ftp_account.deploy", &id);
    imported.assert_empty_plan(&format!("[{backend:?}] after terraform import"));
    let mut imported_state = imported.state_attributes("panel_ftp_account.deploy");
    let mut created_state = tf.state_attributes("panel_ftp_account.deploy");
    imported_state["password_wo_version"] = Value::Null;
    created_state["password_wo_version"] = Value::Null;
    assert_eq!(
        imported_state, created_state,
        "[{backend:?}] import reads what create wrote"
    );

    // 4b. `import {}` with generated configuration: the written configuration applies
    // and the next plan is empty.
    let generated = sim.terraform();
    generated.write(
        "imports.tf",
        &format!(
            "import {{\n  to = panel_ftp_account.deploy\n  id = {}\n}}\n",
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
        "[{backend:?}] the plan imports the account:\n{}",
        plan.stdout
    );
    generated.apply();
    generated.assert_empty_plan(&format!(
        "[{backend:?}] after importing with generated configuration:\n{}",
        generated.read("generated.tf")
    ));

    // 5. Drift: deleted at the panel, planned again, re-created.
    delete_at_panel(&sim, &id);
    assert!(sim_accounts(&sim).is_empty());
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_ftp_account.deploy will be created")
            && plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "[{backend:?}] an account deleted at the panel is planned again:\n{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(sim_accounts(&sim).len(), 1);
    tf.assert_empty_plan(&format!("[{backend:?}] after re-creating the account"));

    // 6. Destroy.
    tf.run(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-target=panel_ftp_account.deploy",
    ])
    .success();
    assert!(sim_accounts(&sim).is_empty(), "[{backend:?}] account gone");
    tf.destroy();
    assert!(
        sim.view().is_empty(),
        "[{backend:?}] the panel still holds objects after destroy: {:#?}",
        sim.view()
    );
}

/// The panel commits the create and the answer is lost: the apply records the account
/// (found again by owner, domain and login), once.
fn lost_create_answer(backend: Backend) {
    let sim = Sim::start(backend);
    let tf = sim.terraform();
    let route = match backend {
        Backend::Hestia => "v-add-web-domain-ftp",
        Backend::PleskXml => "xml ftp-user.add",
        Backend::PanelAlpha => "POST /api/server-accounts/{id}/ftp-accounts",
        _ => "POST /api/v2/ftpusers",
    };
    sim.set_faults(&serde_json::json!({"drop_after_commit": [{"route": route}]}));
    let step = Step {
        password: "Ftp-Passw0rd-Lost!",
        version: 1,
        home: "",
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
    assert_eq!(sim_accounts(&sim).len(), 1, "[{backend:?}] created once");
    let id = tf.state_attributes("panel_ftp_account.deploy")["id"].clone();
    assert!(id.as_str().is_some_and(|id| !id.is_empty()), "{id}");
    tf.assert_empty_plan(&format!("[{backend:?}] after the lost answer"));
    tf.destroy();
    assert!(sim_accounts(&sim).is_empty());
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

fn lone_block(home: &'static str) -> String {
    ftp_block(
        "\"1\"",
        "\"example.com\"",
        Step {
            password: "Ftp-Passw0rd-X!",
            version: 1,
            home,
        },
        true,
    )
}

#[test]
fn hestia() {
    run_lifecycle(Backend::Hestia);
    lost_create_answer(Backend::Hestia);
    let sim = Sim::start(Backend::Hestia);
    expect_plan_error(
        &sim,
        &lone_block("../../etc"),
        &[
            "with panel_ftp_account.deploy",
            "`home` must stay inside the domain's home directory",
        ],
    );
}

#[test]
fn plesk_rest() {
    run_lifecycle(Backend::PleskRest);
    lost_create_answer(Backend::PleskRest);
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
