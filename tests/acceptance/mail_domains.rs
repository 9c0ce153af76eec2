//! `panel_mail_domain` through real Terraform: on HestiaCP and Plesk XML, create (the
//! panel's mail domain / the domain's mail service is on), empty plan, import into fresh
//! directories (CLI and `import {}` with generated configuration), drift when mail is
//! switched off at the panel, destroy (mail off, the domain kept until it goes too). On
//! Plesk a domain's mail is on from its creation: the create is refused as "already
//! exists" naming the import id. On PanelAlpha a create is refused at plan time naming
//! the panel and `domain`, and the email domain is imported instead; on Plesk REST the
//! type is refused at plan time naming the panel.

use serde_json::Value;

use super::{Backend, Sim};
use crate::support::terraform::{hcl_string, Terraform};

const LOGIN: &str = "mailowner";
const EMAIL: &str = "mail@mail-owner.example";
const PASSWORD: &str = "Mail-0wner-Secret!";
const SITE: &str = "mail-site.example";
/// The main domain PanelAlpha gives the first service of a fresh simulator.
const PANELALPHA_MAIN_DOMAIN: &str = "service1.panelalpha.test";

const MAIL_BLOCK: &str =
    "resource \"panel_mail_domain\" \"site\" {\n  owner  = panel_user.owner.id\n  \
                          domain = panel_domain.site.name\n}\n";

fn base(backend: Backend) -> String {
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
        "resource \"panel_user\" \"owner\" {{\n{login}  email = {}\n  name  = \"Mail Owner\"\n  \
         password_wo = {}\n}}\n\n\
         resource \"panel_domain\" \"site\" {{\n  name  = {}\n  owner = panel_user.owner.id\n{system}{addon}}}\n\n",
        hcl_string(EMAIL),
        hcl_string(PASSWORD),
        hcl_string(SITE),
    )
}

/// Whether the simulator's `SITE` receives mail.
fn sim_mail_on(sim: &Sim) -> bool {
    let dump = sim.dump();
    match sim.backend {
        Backend::Hestia => dump["users"]
            .as_object()
            .into_iter()
            .flat_map(|users| users.values())
            .flat_map(|u| u["mail_domains"].as_array().cloned().unwrap_or_default())
            .any(|m| m["domain"] == SITE),
        Backend::PanelAlpha => dump["accounts"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .flat_map(|a| a["domains"].as_array().cloned().unwrap_or_default())
            .any(|d| d["domain"] == SITE),
        _ => dump["domains"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .any(|d| d["name"] == SITE && d["mail_service"] == Value::Bool(true)),
    }
}

/// Switches `SITE`'s mail off through the panel's own API, as a person at the panel
/// would.
fn switch_off_at_panel(sim: &Sim) {
    let p = &sim.process;
    let request = match sim.backend {
        Backend::Hestia => sim.http.post(p.url("/api/")).form(&[
            ("access_key", p.cred("access_key")),
            ("secret_key", p.cred("secret_key")),
            ("returncode", "yes".to_owned()),
            ("cmd", "v-delete-mail-domain".to_owned()),
            ("arg1", LOGIN.to_owned()),
            ("arg2", SITE.to_owned()),
        ]),
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
                    "<packet><mail><disable><site-id>{site_id}</site-id></disable></mail></packet>"
                ))
        }
    };
    let (status, body) = sim.send(request, "switching mail off through the panel API");
    assert!((200..300).contains(&status), "{status}: {body}");
    if sim.backend == Backend::Hestia {
        assert_eq!(body.trim(), "0", "{body}");
    } else {
        assert!(body.contains("<status>ok</status>"), "{body}");
    }
    assert!(!sim_mail_on(sim), "mail is off at the panel");
}

fn squeezed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn import_both_ways(sim: &Sim, tf: &Terraform, base: &str, id: &str) {
    let backend = sim.backend;
    let owner_id = tf.state_attributes("panel_user.owner")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let block = format!(
        "resource \"panel_mail_domain\" \"site\" {{\n  owner  = {}\n  domain = {}\n}}\n",
        hcl_string(&owner_id),
        hcl_string(SITE)
    );
    let imported = sim.terraform();
    imported.write("main.tf", &block);
    imported.import("panel_mail_domain.site", id);
    imported.assert_empty_plan(&format!("[{backend:?}] after terraform import"));
    assert_eq!(
        imported.state_attributes("panel_mail_domain.site"),
        tf.state_attributes("panel_mail_domain.site"),
        "[{backend:?}] import reads what create wrote"
    );
    let generated = sim.terraform();
    generated.write(
        "imports.tf",
        &format!(
            "import {{\n  to = panel_mail_domain.site\n  id = {}\n}}\n",
            hcl_string(id)
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
        "[{backend:?}] the plan imports the mail domain:\n{}",
        plan.stdout
    );
    generated.apply();
    generated.assert_empty_plan(&format!(
        "[{backend:?}] after importing with generated configuration:\n{}",
        generated.read("generated.tf")
    ));
    assert_eq!(
        generated.state_attributes("panel_mail_domain.site"),
        tf.state_attributes("panel_mail_domain.site"),
        "[{backend:?}] import {{}} reads what create wrote"
    );
    let _ = base;
}

fn run_lifecycle(backend: Backend) {
    let sim = Sim::start(backend);
    let tf = sim.terraform();
    let base = base(backend);
    tf.write("main.tf", &base);
    tf.apply();
    if backend == Backend::PleskXml {
        // Plesk switches mail on with the domain: a create is refused, naming the import.
        assert!(sim_mail_on(&sim));
        tf.write("main.tf", &format!("{base}{MAIL_BLOCK}"));
        let outcome = tf.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
        assert_ne!(outcome.code, 0, "{}", outcome.describe());
        let said = squeezed(&outcome.stderr);
        assert!(
            said.contains("Panel Object Already Exists")
                && said.contains(&format!("terraform import panel_mail_domain.NAME '{SITE}'")),
            "[{backend:?}] {}",
            outcome.describe()
        );
        switch_off_at_panel(&sim);
    }

    // 1. Create.
    tf.write("main.tf", &format!("{base}{MAIL_BLOCK}"));
    tf.apply();
    assert!(sim_mail_on(&sim), "[{backend:?}] mail is on at the panel");
    let state = tf.state_attributes("panel_mail_domain.site");
    let id = state["id"].as_str().unwrap_or_default().to_owned();
    match backend {
        Backend::Hestia => assert_eq!(id, format!("{LOGIN}/{SITE}")),
        _ => assert_eq!(id, SITE, "[{backend:?}] the documented id"),
    }
    assert_eq!(state["domain"], SITE);
    tf.assert_empty_plan(&format!("[{backend:?}] right after create"));

    // 1b. The data sources: the owner's mail domains, and one by owner + domain.
    let owner_id = tf.state_attributes("panel_user.owner")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let lookups = sim.terraform();
    lookups.write(
        "main.tf",
        &format!(
            "data \"panel_mail_domains\" \"all\" {{\n  owner = {owner}\n}}\n\n\
             data \"panel_mail_domain\" \"one\" {{\n  owner  = {owner}\n  domain = {site}\n}}\n\n\
             output \"domains\" {{\n  value = data.panel_mail_domains.all.mail_domains[*].domain\n}}\n\
             output \"one\" {{\n  value = data.panel_mail_domain.one.id\n}}\n",
            owner = hcl_string(&owner_id),
            site = hcl_string(SITE),
        ),
    );
    lookups.apply();
    let outputs = lookups.run(&["output", "-json"]).success();
    let outputs: Value = serde_json::from_str(&outputs.stdout)
        .unwrap_or_else(|err| panic!("output -json: {err}: {}", outputs.stdout));
    assert_eq!(
        outputs["domains"]["value"],
        serde_json::json!([SITE]),
        "[{backend:?}] panel_mail_domains"
    );
    assert_eq!(outputs["one"]["value"], id.as_str());

    // 2. Import into fresh working directories: CLI, then `import {}` + generated config.
    import_both_ways(&sim, &tf, &base, &id);

    // 3. Drift: mail switched off at the panel, planned again, switched on again.
    switch_off_at_panel(&sim);
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_mail_domain.site will be created")
            && plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "[{backend:?}] mail switched off at the panel is planned again:\n{}",
        plan.stdout
    );
    tf.apply();
    assert!(sim_mail_on(&sim));
    tf.assert_empty_plan(&format!("[{backend:?}] after switching mail on again"));

    // 4. Destroy: mail off, the domain kept; then everything.
    tf.run(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-target=panel_mail_domain.site",
    ])
    .success();
    assert!(!sim_mail_on(&sim), "[{backend:?}] mail is off");
    assert!(
        sim.view().domain(SITE).is_some(),
        "[{backend:?}] domain kept"
    );
    tf.destroy();
    assert!(
        sim.view().is_empty(),
        "[{backend:?}] the panel still holds objects after destroy: {:#?}",
        sim.view()
    );
}

/// PanelAlpha: a create is refused at plan time naming the panel and `domain`; the email
/// domain is imported, and a destroy only forgets it.
fn panelalpha_imports() {
    let backend = Backend::PanelAlpha;
    let sim = Sim::start(backend);
    let tf = sim.terraform();
    let base = base(backend);
    tf.write("main.tf", &base);
    tf.apply();
    assert!(
        sim_mail_on(&sim),
        "every PanelAlpha domain is an email domain"
    );
    tf.write("main.tf", &format!("{base}{MAIL_BLOCK}"));
    let outcome = tf.plan();
    assert_eq!(outcome.code, 1, "{}", outcome.describe());
    let said = squeezed(&outcome.stderr);
    assert!(
        said.contains("Setting Not Supported")
            && said.contains("The `panelalpha` panel cannot switch mail on for a domain")
            && said.contains("with panel_mail_domain.site")
            && said.contains("domain ="),
        "{}",
        outcome.describe()
    );
    let owner_id = tf.state_attributes("panel_user.owner")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let account = sim.dump()["accounts"]
        .as_object()
        .into_iter()
        .flat_map(|m| m.values())
        .find(|a| {
            a["domains"]
                .as_array()
                .is_some_and(|ds| ds.iter().any(|d| d["domain"] == SITE))
        })
        .map(|a| a["id"].to_string())
        .expect("the hosting account holding the site");
    let id = format!("{owner_id}/{account}/{SITE}");
    tf.write(
        "main.tf",
        &format!(
            "{base}{MAIL_BLOCK}\nimport {{\n  to = panel_mail_domain.site\n  id = {}\n}}\n",
            hcl_string(&id)
        ),
    );
    tf.apply();
    assert_eq!(
        tf.state_attributes("panel_mail_domain.site")["id"],
        id.as_str()
    );
    tf.assert_empty_plan("[PanelAlpha] after importing the email domain");
    tf.run(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-target=panel_mail_domain.site",
    ])
    .success();
    assert!(sim_mail_on(&sim), "a destroy only forgets the email domain");
    tf.write("main.tf", &base);
    tf.destroy();
    assert!(sim.view().is_empty(), "{:#?}", sim.view());
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
    panelalpha_imports();
}

#[test]
fn plesk_rest() {
    let sim = Sim::start(Backend::PleskRest);
    let tf = sim.terraform();
    tf.write(
        "main.tf",
        "resource \"panel_mail_domain\" \"site\" {\n  owner  = \"1\"\n  domain = \"example.com\"\n}\n",
    );
    let outcome = tf.plan();
    assert_eq!(outcome.code, 1, "{}", outcome.describe());
    let said = squeezed(&outcome.stderr);
    assert!(
        said.contains("Not Supported By This Panel")
            && said.contains("The `plesk_rest` panel has no mail domain objects"),
        "{}",
        outcome.describe()
    );
}
