//! `panel_mailbox` through real Terraform on HestiaCP, Plesk XML, Plesk REST (the `mail`
//! utility through `/cli/mail/call`) and PanelAlpha: create
//! (the panel holds the mailbox with its quota), empty plan, password rotation in place
//! (the panel's stored digest changes; on HestiaCP the new password logs in), a quota
//! change in place, suspension on HestiaCP (refused at plan time elsewhere, naming the
//! panel and `suspended`), import (CLI and `import {}` with generated configuration),
//! drift when the mailbox is deleted at the panel, destroy.

use serde_json::Value;

use super::{Backend, Sim};
use crate::support::terraform::hcl_string;

const LOGIN: &str = "mboxowner";
const EMAIL: &str = "mbox@mbox-owner.example";
const PASSWORD: &str = "Mbox-0wner-Secret!";
const SITE: &str = "mbox-site.example";
const PANELALPHA_MAIN_DOMAIN: &str = "service1.panelalpha.test";

#[derive(Clone, Copy)]
struct Step {
    password: &'static str,
    version: i64,
    quota: i64,
    suspended: bool,
}

fn mailbox_block(owner: &str, domain: &str, step: Step, with_version: bool) -> String {
    let version = if with_version {
        format!(
            "  password_wo = {}\n  password_wo_version = {}\n",
            hcl_string(step.password),
            step.version
        )
    } else {
        String::new()
    };
    format!(
        "resource \"panel_mailbox\" \"info\" {{\n  owner  = {owner}\n  domain = {domain}\n  \
         name   = \"info\"\n  quota  = {}\n  suspended = {}\n{version}}}\n",
        step.quota, step.suspended,
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
    // HestiaCP needs the mail domain; Plesk and PanelAlpha have mail on with the domain.
    let (mail, domain_ref) = if backend == Backend::Hestia {
        (
            "resource \"panel_mail_domain\" \"site\" {\n  owner  = panel_user.owner.id\n  \
             domain = panel_domain.site.name\n}\n\n"
                .to_owned(),
            "panel_mail_domain.site.domain",
        )
    } else {
        (String::new(), "panel_domain.site.name")
    };
    format!(
        "resource \"panel_user\" \"owner\" {{\n{login}  email = {}\n  name  = \"Mbox Owner\"\n  \
         password_wo = {}\n}}\n\n\
         resource \"panel_domain\" \"site\" {{\n  name  = {}\n  owner = panel_user.owner.id\n{system}{addon}}}\n\n{mail}{}",
        hcl_string(EMAIL),
        hcl_string(PASSWORD),
        hcl_string(SITE),
        mailbox_block("panel_user.owner.id", domain_ref, step, true),
    )
}

/// The simulator's mailboxes: (address, password digest).
fn sim_mailboxes(sim: &Sim) -> Vec<(String, String)> {
    let dump = sim.dump();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match sim.backend {
        Backend::Hestia => dump["users"]
            .as_object()
            .into_iter()
            .flat_map(|users| users.values())
            .flat_map(|u| u["mail_domains"].as_array().cloned().unwrap_or_default())
            .flat_map(|d| {
                let domain = text(&d["domain"]);
                d["accounts"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |a| {
                        (
                            format!("{}@{domain}", text(&a["account"])),
                            text(&a["password_sha256"]),
                        )
                    })
            })
            .collect(),
        Backend::PanelAlpha => dump["accounts"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .flat_map(|a| {
                a["mailboxes"]
                    .as_object()
                    .map(|m| m.values().cloned().collect::<Vec<_>>())
                    .unwrap_or_default()
            })
            .map(|m| (text(&m["email"]), m["password"].to_string()))
            .collect(),
        _ => dump["mailnames"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .map(|m| {
                (
                    format!("{}@{SITE}", text(&m["name"])),
                    m["password_hash"].to_string(),
                )
            })
            .collect(),
    }
}

/// Deletes the mailbox through the panel's own API, as a person at the panel would.
fn delete_at_panel(sim: &Sim, id: &str) {
    let p = &sim.process;
    let request = match sim.backend {
        Backend::Hestia => sim.http.post(p.url("/api/")).form(&[
            ("access_key", p.cred("access_key")),
            ("secret_key", p.cred("secret_key")),
            ("returncode", "yes".to_owned()),
            ("cmd", "v-delete-mail-account".to_owned()),
            ("arg1", LOGIN.to_owned()),
            ("arg2", SITE.to_owned()),
            ("arg3", "info".to_owned()),
        ]),
        Backend::PanelAlpha => {
            let mut parts = id.splitn(3, '/');
            let (user, account, address) = (
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            );
            sim.http
                .delete(p.url(&format!(
                    "/api/server-accounts/{account}/email/accounts/{address}"
                )))
                .header("Authorization", format!("Bearer {}", p.cred("token")))
                .header("X-PanelAlpha-User", user)
                .header("Accept", "application/json")
        }
        Backend::PleskRest => sim
            .http
            .post(p.url("/api/v2/cli/mail/call"))
            .header("X-API-Key", p.cred("api_key"))
            .header("Accept", "application/json")
            .json(&serde_json::json!({"params": ["--remove", format!("info@{SITE}")]})),
        _ => {
            let dump = sim.dump();
            let site_id = dump["domains"]
                .as_object()
                .into_iter()
                .flat_map(|m| m.values())
                .find(|d| d["name"] == SITE)
                .map(|d| d["id"].to_string())
                .unwrap_or_else(|| panic!("no {SITE} in the simulator"));
            sim.http
                .post(p.url("/enterprise/control/agent.php"))
                .header("KEY", p.cred("secret_key"))
                .header("Content-Type", "text/xml")
                .body(format!(
                    "<packet><mail><remove><filter><site-id>{site_id}</site-id><name>info</name>\
                     </filter></remove></mail></packet>"
                ))
        }
    };
    let (status, body) = sim.send(request, "deleting a mailbox through the panel API");
    assert!((200..300).contains(&status), "{status}: {body}");
    if sim.backend == Backend::Hestia {
        assert_eq!(body.trim(), "0", "{body}");
    }
    assert!(sim_mailboxes(sim).is_empty(), "deleted at the panel");
}

/// HestiaCP: whether `password` logs in to info@SITE now.
fn logs_in(sim: &Sim, password: &str) -> bool {
    let request = sim
        .http
        .post(sim.process.url("/__sim/hestia/mail-login"))
        .json(&serde_json::json!({
            "user": LOGIN, "domain": SITE, "account": "info", "password": password,
        }));
    let (status, body) = sim.send(request, "mail login");
    assert_eq!(status, 200, "{body}");
    body.contains("\"authenticates\":true")
}

fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn run_lifecycle(backend: Backend) {
    let sim = Sim::start(backend);
    let tf = sim.terraform();
    let step1 = Step {
        password: "Mbox-Passw0rd-One!",
        version: 1,
        quota: 100,
        suspended: false,
    };

    // 1. Create.
    tf.write("main.tf", &config(backend, step1));
    tf.apply();
    let stored = sim_mailboxes(&sim);
    assert_eq!(stored.len(), 1, "[{backend:?}] {stored:?}");
    assert_eq!(stored[0].0, format!("info@{SITE}"));
    let first_digest = stored[0].1.clone();
    let state = tf.state_attributes("panel_mailbox.info");
    assert_eq!(state["address"], format!("info@{SITE}").as_str());
    assert_eq!(state["quota"], 100);
    assert_eq!(state["password_wo"], Value::Null, "write-only");
    let id = state["id"].as_str().unwrap_or_default().to_owned();
    match backend {
        Backend::Hestia => assert_eq!(id, format!("{LOGIN}/{SITE}/info")),
        Backend::PanelAlpha => assert!(
            id.ends_with(&format!("/info@{SITE}")) && id.split('/').count() == 3,
            "{id}"
        ),
        _ => assert_eq!(id, format!("info@{SITE}")),
    }
    if backend == Backend::Hestia {
        assert!(logs_in(&sim, step1.password));
    }
    tf.assert_empty_plan(&format!("[{backend:?}] right after create"));
    let state_text =
        std::fs::read_to_string(tf.dir().join("terraform.tfstate")).unwrap_or_default();
    assert!(
        !state_text.contains(step1.password),
        "[{backend:?}] the password is not in state"
    );

    // 2. Rotation in place: the panel's stored digest changes.
    let step2 = Step {
        password: "Mbox-Passw0rd-Two!",
        version: 2,
        ..step1
    };
    tf.write("main.tf", &config(backend, step2));
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_mailbox.info will be updated in-place"),
        "[{backend:?}] rotation is in place:\n{}",
        plan.stdout
    );
    tf.apply();
    assert_ne!(
        sim_mailboxes(&sim)[0].1,
        first_digest,
        "[{backend:?}] the panel's stored password digest changed"
    );
    if backend == Backend::Hestia {
        assert!(logs_in(&sim, step2.password), "the new password logs in");
        assert!(!logs_in(&sim, step1.password), "the old one does not");
    }
    tf.assert_empty_plan(&format!("[{backend:?}] after rotation"));

    // 3. Quota (and, on HestiaCP, suspension) in place.
    let step3 = Step {
        quota: 0,
        suspended: backend == Backend::Hestia,
        ..step2
    };
    tf.write("main.tf", &config(backend, step3));
    tf.apply();
    let state = tf.state_attributes("panel_mailbox.info");
    assert_eq!(state["quota"], 0);
    assert_eq!(state["suspended"], step3.suspended);
    assert_eq!(state["id"], id.as_str());
    tf.assert_empty_plan(&format!("[{backend:?}] after the quota change"));
    if backend != Backend::Hestia {
        tf.write(
            "main.tf",
            &config(
                backend,
                Step {
                    suspended: true,
                    ..step3
                },
            ),
        );
        let outcome = tf.plan();
        assert_eq!(outcome.code, 1, "{}", outcome.describe());
        let said = squeezed(&outcome.stderr);
        assert!(
            said.contains("Setting Not Supported")
                && said.contains(&format!(
                    "The `{}` panel cannot suspend a mailbox",
                    backend.provider_type()
                )),
            "[{backend:?}] {}",
            outcome.describe()
        );
        tf.write("main.tf", &config(backend, step3));
    }

    // 4. Import: CLI, then `import {}` with generated configuration.
    let owner_id = tf.state_attributes("panel_user.owner")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let imported = sim.terraform();
    imported.write(
        "main.tf",
        &mailbox_block(&hcl_string(&owner_id), &hcl_string(SITE), step3, false),
    );
    imported.import("panel_mailbox.info", &id);
    imported.assert_empty_plan(&format!("[{backend:?}] after terraform import"));
    let mut imported_state = imported.state_attributes("panel_mailbox.info");
    let mut created_state = tf.state_attributes("panel_mailbox.info");
    imported_state["password_wo_version"] = Value::Null;
    created_state["password_wo_version"] = Value::Null;
    assert_eq!(
        imported_state, created_state,
        "[{backend:?}] import reads what create wrote"
    );
    let generated = sim.terraform();
    generated.write(
        "imports.tf",
        &format!(
            "import {{\n  to = panel_mailbox.info\n  id = {}\n}}\n",
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
        "[{backend:?}] {}",
        plan.stdout
    );
    generated.apply();
    generated.assert_empty_plan(&format!(
        "[{backend:?}] after importing with generated configuration:\n{}",
        generated.read("generated.tf")
    ));

    // 5. Drift: deleted at the panel, planned again, re-created.
    delete_at_panel(&sim, &id);
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout.contains("panel_mailbox.info will be created")
            && plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "[{backend:?}] a mailbox deleted at the panel is planned again:\n{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(sim_mailboxes(&sim).len(), 1);
    tf.assert_empty_plan(&format!("[{backend:?}] after re-creating the mailbox"));

    // 6. Destroy.
    tf.run(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-target=panel_mailbox.info",
    ])
    .success();
    assert!(sim_mailboxes(&sim).is_empty(), "[{backend:?}] mailbox gone");
    tf.destroy();
    assert!(
        sim.view().is_empty(),
        "[{backend:?}] the panel still holds objects after destroy: {:#?}",
        sim.view()
    );
}

#[test]
fn hestia() {
    run_lifecycle(Backend::Hestia);
}

#[test]
fn plesk_xml() {
    run_lifecycle(Backend::PleskXml);
}

#[test]
fn panelalpha() {
    run_lifecycle(Backend::PanelAlpha);
}

#[test]
fn plesk_rest() {
    run_lifecycle(Backend::PleskRest);
}
