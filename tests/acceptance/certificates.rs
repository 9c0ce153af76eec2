//! `panel_certificate` through real Terraform. On HestiaCP: an uploaded certificate
//! (the panel holds it; the private key is nowhere in state), empty plan, a new
//! certificate and key in place, drift corrected when the SSL is removed at the panel,
//! import by the documented id (CLI, and `import {}` with `-generate-config-out`),
//! a Let's Encrypt certificate whose renewal at the panel is not drift, the data
//! sources (expiry filter), destroy leaving nothing; plan-time refusals of a bad PEM,
//! a key of another certificate and Let's Encrypt with an uploaded key. On PanelAlpha:
//! upload and Let's Encrypt created, the panel holds them, empty plan, a new certificate
//! in place, another certificate installed at the panel put back, import (CLI and
//! `import {}` with `-generate-config-out`), and a destroy that warns the certificate
//! stays installed (the API cannot remove one), which the panel confirms. On the panels
//! without certificates (Plesk REST, Plesk XML) the plan is refused naming the panel.

use serde_json::Value;

use super::{Backend, Sim};
use crate::support::terraform::hcl_string;

const LOGIN: &str = "tlsowner";
const PASSWORD: &str = "Tls-0wner-Secret!";
const SITE: &str = "tls-site.example";
const LE_SITE: &str = "tls-le.example";

/// A self-signed certificate for `names` and its private key, as PEM files are written.
fn self_signed(names: &[&str]) -> (String, String) {
    let key = rcgen::KeyPair::generate().expect("a key");
    let params =
        rcgen::CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("parameters");
    let cert = params.self_signed(&key).expect("a certificate");
    let file = |pem: String| format!("{}\n", pem.trim().replace("\r\n", "\n"));
    (file(cert.pem()), file(key.serialize_pem()))
}

fn fingerprint(pem: &str) -> String {
    terraform_provider_panel::panel::certificate::inspect(pem)
        .expect("readable")
        .fingerprint
}

fn site_config(backend: Backend) -> String {
    let _ = backend;
    format!(
        "resource \"panel_user\" \"owner\" {{\n  login = {}\n  email = \"tls@tls-owner.example\"\n  \
         name  = \"Tls Owner\"\n  password_wo = {}\n}}\n\n\
         resource \"panel_domain\" \"site\" {{\n  name  = {}\n  owner = panel_user.owner.id\n}}\n\n\
         resource \"panel_domain\" \"le\" {{\n  name  = {}\n  owner = panel_user.owner.id\n}}\n\n",
        hcl_string(LOGIN),
        hcl_string(PASSWORD),
        hcl_string(SITE),
        hcl_string(LE_SITE),
    )
}

fn upload_block(owner: &str, domain: &str, version: Option<i64>) -> String {
    let key = match version {
        Some(version) => format!(
            "  private_key_wo         = file(\"${{path.module}}/site.key\")\n  \
             private_key_wo_version = {version}\n"
        ),
        None => String::new(),
    };
    format!(
        "resource \"panel_certificate\" \"site\" {{\n  owner       = {owner}\n  domain      = {domain}\n  \
         certificate = file(\"${{path.module}}/site.crt\")\n{key}}}\n\n"
    )
}

fn le_block() -> &'static str {
    "resource \"panel_certificate\" \"le\" {\n  owner        = panel_user.owner.id\n  \
     domain       = panel_domain.le.name\n  lets_encrypt = true\n}\n\n"
}

/// The PEM the simulated panel holds for `domain`.
fn held(sim: &Sim, domain: &str) -> Option<String> {
    sim.dump()["users"]
        .as_object()
        .into_iter()
        .flat_map(|users| users.values())
        .flat_map(|u| u["web_domains"].as_array().cloned().unwrap_or_default())
        .find(|w| w["domain"].as_str() == Some(domain))
        .and_then(|w| w["ssl"]["crt"].as_str().map(str::to_owned))
}

/// Runs a `v-*` command at the panel, as a person with the panel's API would.
fn hestia_command(sim: &Sim, cmd: &str, args: &[&str]) {
    let p = &sim.process;
    let mut form = vec![
        ("access_key".to_owned(), p.cred("access_key")),
        ("secret_key".to_owned(), p.cred("secret_key")),
        ("returncode".to_owned(), "yes".to_owned()),
        ("cmd".to_owned(), cmd.to_owned()),
    ];
    for (i, arg) in args.iter().enumerate() {
        form.push((format!("arg{}", i + 1), (*arg).to_owned()));
    }
    let (status, body) = sim.send(sim.http.post(p.url("/api/")).form(&form), cmd);
    assert!((200..300).contains(&status), "{cmd}: {status}: {body}");
    assert_eq!(body.trim(), "0", "{cmd}: {body}");
}

fn no_private_key_in(what: &str, text: &str) {
    assert!(
        !text.contains("PRIVATE KEY"),
        "{what} holds a private key:\n{text}"
    );
}

fn run_lifecycle(backend: Backend) {
    let sim = Sim::start(backend);
    let mut tf = sim.terraform();
    // Every request and answer body is logged: no private key may show in them.
    tf.set_env("TF_LOG_PROVIDER", "trace");
    let (pem1, key1) = self_signed(&[SITE, &format!("www.{SITE}")]);
    tf.write("site.crt", &pem1);
    tf.write("site.key", &key1);
    let config = |version: i64| {
        format!(
            "{}{}{}",
            site_config(backend),
            upload_block(
                "panel_user.owner.id",
                "panel_domain.site.name",
                Some(version)
            ),
            le_block()
        )
    };

    // 1. Create: the uploaded certificate and a Let's Encrypt one.
    tf.write("main.tf", &config(1));
    let created = tf.apply();
    let log = created.output();
    assert!(
        log.contains("v-make-tmp-file")
            && log.contains("v-list-web-domain-ssl")
            && log.contains("BEGIN CERTIFICATE"),
        "the provider's trace log shows the requests and their bodies"
    );
    no_private_key_in("the provider's trace log of the create", &log);
    let on_panel = held(&sim, SITE).expect("the panel holds the certificate");
    assert_eq!(fingerprint(&on_panel), fingerprint(&pem1));
    let state = tf.state_attributes("panel_certificate.site");
    assert_eq!(state["id"], format!("{LOGIN}/{SITE}").as_str());
    assert_eq!(state["fingerprint"], fingerprint(&pem1).as_str());
    assert_eq!(state["lets_encrypt"], false);
    assert_eq!(state["private_key_wo"], Value::Null, "write-only");
    assert_eq!(state["chain"], "");
    assert!(
        state["not_after"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.len() == 20),
        "{}",
        state["not_after"]
    );
    assert_eq!(
        state["names"],
        serde_json::json!([SITE, format!("www.{SITE}")])
    );
    let le = tf.state_attributes("panel_certificate.le");
    assert_eq!(le["lets_encrypt"], true);
    let le_fingerprint = le["fingerprint"].as_str().unwrap_or_default().to_owned();
    assert_eq!(le_fingerprint.len(), 64, "{le}");
    no_private_key_in("state", &tf.state_raw());
    let key_file = sim.dump()["tmp_files"][format!("{SITE}.key")].clone();
    no_private_key_in("the panel's /tmp key file", &key_file.to_string());
    tf.assert_empty_plan(&format!("[{backend:?}] right after create"));

    // 2. A new certificate and key, in place.
    let (pem2, key2) = self_signed(&[SITE]);
    tf.write("site.crt", &pem2);
    tf.write("site.key", &key2);
    tf.write("main.tf", &config(2));
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_certificate.site will be updated in-place"),
        "[{backend:?}] a new certificate is changed in place:\n{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(&fingerprint(&pem2)),
        "the plan shows the new fingerprint:\n{}",
        plan.stdout
    );
    no_private_key_in("the plan", &plan.output());
    no_private_key_in(
        "the provider's trace log of the change",
        &tf.apply().output(),
    );
    assert_eq!(
        held(&sim, SITE).map(|p| fingerprint(&p)),
        Some(fingerprint(&pem2))
    );
    tf.assert_empty_plan(&format!("[{backend:?}] after the change"));

    // 3. A renewal by the panel (Let's Encrypt again at the panel) is not drift.
    hestia_command(&sim, "v-add-letsencrypt-domain", &[LOGIN, LE_SITE]);
    let renewed = held(&sim, LE_SITE).expect("renewed");
    assert_ne!(fingerprint(&renewed), le_fingerprint);
    tf.assert_empty_plan(&format!("[{backend:?}] after a renewal at the panel"));
    tf.run(&[
        "apply",
        "-refresh-only",
        "-auto-approve",
        "-input=false",
        "-no-color",
    ])
    .success();
    assert_eq!(
        tf.state_attributes("panel_certificate.le")["fingerprint"],
        fingerprint(&renewed).as_str(),
        "the refresh records the renewed certificate"
    );

    // 4. The data sources: by owner + domain, and the expiry filter.
    let lookups = sim.terraform();
    lookups.write(
        "main.tf",
        &format!(
            "data \"panel_certificate\" \"site\" {{\n  owner  = {owner}\n  domain = {site}\n}}\n\n\
             data \"panel_certificates\" \"soon\" {{\n  owner          = {owner}\n  \
             expires_before = timeadd(plantimestamp(), \"{hours}h\")\n}}\n\n\
             data \"panel_certificates\" \"all\" {{\n  owner = {owner}\n}}\n\n\
             output \"site\" {{\n  value = data.panel_certificate.site.fingerprint\n}}\n\
             output \"soon\" {{\n  value = data.panel_certificates.soon.certificates[*].domain\n}}\n\
             output \"all\" {{\n  value = data.panel_certificates.all.certificates[*].domain\n}}\n",
            owner = hcl_string(LOGIN),
            site = hcl_string(SITE),
            // Let's Encrypt certificates last 90 days, the uploaded one longer.
            hours = 24 * 120,
        ),
    );
    lookups.apply();
    let outputs = lookups.run(&["output", "-json"]).success();
    let outputs: Value = serde_json::from_str(&outputs.stdout)
        .unwrap_or_else(|err| panic!("output -json: {err}: {}", outputs.stdout));
    assert_eq!(outputs["site"]["value"], fingerprint(&pem2).as_str());
    assert_eq!(outputs["all"]["value"], serde_json::json!([LE_SITE, SITE]));
    assert_eq!(
        outputs["soon"]["value"],
        serde_json::json!([LE_SITE]),
        "only the Let's Encrypt certificate expires within 120 days"
    );

    // 5. Drift: the SSL is removed at the panel; the plan installs it again.
    hestia_command(&sim, "v-delete-web-domain-ssl", &[LOGIN, SITE]);
    assert_eq!(held(&sim, SITE), None);
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_certificate.site will be created"),
        "[{backend:?}] a certificate removed at the panel is planned again:\n{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(
        held(&sim, SITE).map(|p| fingerprint(&p)),
        Some(fingerprint(&pem2))
    );
    tf.assert_empty_plan(&format!("[{backend:?}] after the drift was corrected"));

    // 5b. Drift: another certificate installed at the panel; the plan puts the
    // configured one back, in place.
    let (pem3, key3) = self_signed(&[SITE]);
    hestia_command(&sim, "v-delete-web-domain-ssl", &[LOGIN, SITE]);
    hestia_command(
        &sim,
        "v-make-tmp-file",
        &[pem3.trim(), &format!("{SITE}.crt")],
    );
    hestia_command(
        &sim,
        "v-make-tmp-file",
        &[key3.trim(), &format!("{SITE}.key")],
    );
    hestia_command(&sim, "v-add-web-domain-ssl", &[LOGIN, SITE, "/tmp"]);
    assert_eq!(
        held(&sim, SITE).map(|p| fingerprint(&p)),
        Some(fingerprint(&pem3))
    );
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_certificate.site will be updated in-place"),
        "[{backend:?}] a certificate replaced at the panel is put back in place:\n{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(
        held(&sim, SITE).map(|p| fingerprint(&p)),
        Some(fingerprint(&pem2))
    );
    tf.assert_empty_plan(&format!("[{backend:?}] after the replaced certificate"));

    // 6. Import by the documented id into a fresh directory (no key: nothing is sent).
    let id = format!("{LOGIN}/{SITE}");
    let imported = sim.terraform();
    imported.write("site.crt", &pem2);
    imported.write(
        "main.tf",
        &upload_block(&hcl_string(LOGIN), &hcl_string(SITE), None),
    );
    imported.import("panel_certificate.site", &id);
    imported.assert_empty_plan(&format!("[{backend:?}] after terraform import"));
    let mut imported_state = imported.state_attributes("panel_certificate.site");
    let mut created_state = tf.state_attributes("panel_certificate.site");
    imported_state["private_key_wo_version"] = Value::Null;
    created_state["private_key_wo_version"] = Value::Null;
    assert_eq!(
        imported_state, created_state,
        "import reads what create wrote"
    );

    // 6b. `import {}` blocks with generated configuration.
    let generated = sim.terraform();
    generated.write(
        "imports.tf",
        &format!(
            "import {{\n  to = panel_certificate.site\n  id = {}\n}}\n\n\
             import {{\n  to = panel_certificate.le\n  id = {}\n}}\n",
            hcl_string(&id),
            hcl_string(&format!("{LOGIN}/{LE_SITE}")),
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
            .contains("2 to import, 0 to add, 0 to change, 0 to destroy"),
        "[{backend:?}] the plan imports both certificates:\n{}",
        plan.stdout
    );
    no_private_key_in("generated configuration", &generated.read("generated.tf"));
    generated.apply();
    generated.assert_empty_plan(&format!(
        "[{backend:?}] after importing with generated configuration:\n{}",
        generated.read("generated.tf")
    ));

    // 7. Destroy: nothing left.
    tf.run(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-target=panel_certificate.site",
        "-target=panel_certificate.le",
    ])
    .success();
    assert_eq!(held(&sim, SITE), None, "certificate removed");
    assert_eq!(held(&sim, LE_SITE), None, "certificate removed");
    tf.destroy();
    assert!(
        sim.view().is_empty(),
        "[{backend:?}] the panel still holds objects after destroy: {:#?}",
        sim.view()
    );
}

/// `terraform plan` of `config` (with `files`) fails and its output says every one of
/// `said`, and never shows a private key.
fn expect_plan_error(sim: &Sim, files: &[(&str, &str)], config: &str, said: &[&str]) {
    let tf = sim.terraform();
    for (name, text) in files {
        tf.write(name, text);
    }
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
    no_private_key_in("the plan's output", &outcome.output());
}

fn plan_refusals(backend: Backend) {
    let sim = Sim::start(backend);
    let (pem, key) = self_signed(&[SITE]);
    let (_, other_key) = self_signed(&[SITE]);
    let lone = upload_block("\"1\"", "\"example.com\"", Some(1));
    if !matches!(backend, Backend::Hestia | Backend::PanelAlpha) {
        expect_plan_error(
            &sim,
            &[("site.crt", &pem), ("site.key", &key)],
            &lone,
            &[
                "with panel_certificate.site",
                &format!(
                    "The `{}` panel has no certificate objects",
                    backend.provider_type()
                ),
            ],
        );
        return;
    }
    expect_plan_error(
        &sim,
        &[("site.crt", "not a certificate\n"), ("site.key", &key)],
        &lone,
        &["with panel_certificate.site", "`certificate` is not PEM"],
    );
    expect_plan_error(
        &sim,
        &[("site.crt", &format!("{pem}{key}")), ("site.key", &key)],
        &lone,
        &["`certificate` holds a private key"],
    );
    expect_plan_error(
        &sim,
        &[("site.crt", &pem), ("site.key", &other_key)],
        &lone,
        &[
            "Private Key Does Not Match",
            "`private_key_wo` is not the private key of `certificate`",
        ],
    );
    expect_plan_error(
        &sim,
        &[("site.key", &key)],
        "resource \"panel_certificate\" \"le\" {\n  owner = \"1\"\n  domain = \"example.com\"\n  \
         lets_encrypt = true\n  private_key_wo = file(\"${path.module}/site.key\")\n}\n",
        &[
            "Conflicting Attributes",
            "`private_key_wo` cannot be set when `lets_encrypt` is `true`",
        ],
    );
}

#[test]
fn hestia() {
    run_lifecycle(Backend::Hestia);
    plan_refusals(Backend::Hestia);
}

#[test]
fn plesk_rest() {
    plan_refusals(Backend::PleskRest);
}

#[test]
fn plesk_xml() {
    plan_refusals(Backend::PleskXml);
}

/// The main domain PanelAlpha gives the first service of a fresh simulator; the sites
/// are addon domains of it.
const PANELALPHA_MAIN_DOMAIN: &str = "service1.panelalpha.test";

fn panelalpha_site_config() -> String {
    let addon = |name: &str, domain: &str| {
        format!(
            "resource \"panel_domain\" \"{name}\" {{\n  name   = {}\n  owner  = panel_user.owner.id\n  \
             kind   = \"addon\"\n  parent = {}\n}}\n\n",
            hcl_string(domain),
            hcl_string(PANELALPHA_MAIN_DOMAIN)
        )
    };
    format!(
        "resource \"panel_user\" \"owner\" {{\n  plan  = \"Starter\"\n  email = \"tls@tls-owner.example\"\n  \
         name  = \"Tls Owner\"\n  password_wo = {}\n}}\n\n{}{}",
        hcl_string(PASSWORD),
        addon("site", SITE),
        addon("le", LE_SITE),
    )
}

/// The PEM PanelAlpha's simulator has installed on `domain`.
fn panelalpha_held(sim: &Sim, domain: &str) -> Option<String> {
    sim.dump()["accounts"]
        .as_object()
        .into_iter()
        .flat_map(|accounts| accounts.values())
        .find_map(|account| {
            let id = account["domains"]
                .as_array()?
                .iter()
                .find(|d| d["domain"].as_str() == Some(domain))?["ssl_certificate"]
                .as_str()?;
            account["certificates"][id]["pem"]
                .as_str()
                .map(str::to_owned)
        })
}

/// Installs `pem` on the domain of certificate `id` through PanelAlpha's API, as a
/// person would.
fn panelalpha_install(sim: &Sim, id: &str, pem: &str, key: &str) {
    let mut parts = id.splitn(3, '/');
    let (user, account, domain) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let p = &sim.process;
    let request = sim
        .http
        .put(p.url(&format!(
            "/api/server-accounts/{account}/ssl/certificates/install"
        )))
        .header("Authorization", format!("Bearer {}", p.cred("token")))
        .header("X-PanelAlpha-User", user)
        .header("Accept", "application/json")
        .json(&serde_json::json!({"domain": domain, "certificate": pem, "key": key}));
    let (status, body) = sim.send(request, "installing a certificate through the panel API");
    assert!((200..300).contains(&status), "{status}: {body}");
}

fn panelalpha_lifecycle() {
    let backend = Backend::PanelAlpha;
    let sim = Sim::start(backend);
    let mut tf = sim.terraform();
    tf.set_env("TF_LOG_PROVIDER", "trace");
    let (pem1, key1) = self_signed(&[SITE]);
    tf.write("site.crt", &pem1);
    tf.write("site.key", &key1);
    let config = |version: i64| {
        format!(
            "{}{}{}",
            panelalpha_site_config(),
            upload_block(
                "panel_user.owner.id",
                "panel_domain.site.name",
                Some(version)
            ),
            le_block()
        )
    };

    // 1. Create: an uploaded certificate and a Let's Encrypt one.
    tf.write("main.tf", &config(1));
    let created = tf.apply();
    no_private_key_in("the provider's trace log of the create", &created.output());
    let on_panel = panelalpha_held(&sim, SITE).expect("the panel holds the certificate");
    assert_eq!(fingerprint(&on_panel), fingerprint(&pem1));
    let state = tf.state_attributes("panel_certificate.site");
    let id = state["id"].as_str().unwrap_or_default().to_owned();
    assert!(
        id.ends_with(&format!("/{SITE}")) && id.split('/').count() == 3,
        "{id}"
    );
    assert_eq!(state["fingerprint"], fingerprint(&pem1).as_str());
    assert_eq!(state["lets_encrypt"], false);
    assert_eq!(state["private_key_wo"], Value::Null, "write-only");
    let le = tf.state_attributes("panel_certificate.le");
    assert_eq!(le["lets_encrypt"], true, "{le}");
    assert_eq!(
        panelalpha_held(&sim, LE_SITE).map(|p| fingerprint(&p)),
        le["fingerprint"].as_str().map(str::to_owned)
    );
    no_private_key_in("state", &tf.state_raw());
    tf.assert_empty_plan("[PanelAlpha] right after create");

    // 2. A new certificate and key: installed again, in place.
    let (pem2, key2) = self_signed(&[SITE]);
    tf.write("site.crt", &pem2);
    tf.write("site.key", &key2);
    tf.write("main.tf", &config(2));
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_certificate.site will be updated in-place"),
        "[PanelAlpha] a new certificate is changed in place:\n{}",
        plan.stdout
    );
    no_private_key_in(
        "the provider's trace log of the change",
        &tf.apply().output(),
    );
    assert_eq!(
        panelalpha_held(&sim, SITE).map(|p| fingerprint(&p)),
        Some(fingerprint(&pem2))
    );
    tf.assert_empty_plan("[PanelAlpha] after the change");

    // 3. Drift: another certificate installed at the panel is put back, in place.
    let (pem3, key3) = self_signed(&[SITE]);
    panelalpha_install(&sim, &id, &pem3, &key3);
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_certificate.site will be updated in-place"),
        "[PanelAlpha] a certificate replaced at the panel is put back in place:\n{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(
        panelalpha_held(&sim, SITE).map(|p| fingerprint(&p)),
        Some(fingerprint(&pem2))
    );
    tf.assert_empty_plan("[PanelAlpha] after the drift was corrected");

    // 4. Import by the documented id (CLI), then `import {}` with generated config.
    let imported = sim.terraform();
    imported.write("site.crt", &pem2);
    imported.write(
        "main.tf",
        &upload_block(
            &hcl_string(id.split('/').next().unwrap_or_default()),
            &hcl_string(SITE),
            None,
        ),
    );
    imported.import("panel_certificate.site", &id);
    imported.assert_empty_plan("[PanelAlpha] after terraform import");
    let le_id = le["id"].as_str().unwrap_or_default().to_owned();
    let generated = sim.terraform();
    generated.write(
        "imports.tf",
        &format!(
            "import {{\n  to = panel_certificate.site\n  id = {}\n}}\n\n\
             import {{\n  to = panel_certificate.le\n  id = {}\n}}\n",
            hcl_string(&id),
            hcl_string(&le_id),
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
            .contains("2 to import, 0 to add, 0 to change, 0 to destroy"),
        "[PanelAlpha] the plan imports both certificates:\n{}",
        plan.stdout
    );
    no_private_key_in("generated configuration", &generated.read("generated.tf"));
    generated.apply();
    generated.assert_empty_plan(&format!(
        "[PanelAlpha] after importing with generated configuration:\n{}",
        generated.read("generated.tf")
    ));

    // 5. Destroy: removed from state with a warning; the panel still holds them.
    let destroyed = tf
        .run(&[
            "destroy",
            "-auto-approve",
            "-input=false",
            "-no-color",
            "-target=panel_certificate.site",
            "-target=panel_certificate.le",
        ])
        .success();
    let said = destroyed
        .output()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for text in [
        "Warning: Removed From State Only",
        "`panel_certificate`",
        "panelalpha",
        "stays installed on the domain until it expires or another certificate replaces it",
    ] {
        assert!(said.contains(text), "the destroy says {text:?}:\n{said}");
    }
    assert_eq!(
        panelalpha_held(&sim, SITE).map(|p| fingerprint(&p)),
        Some(fingerprint(&pem2)),
        "the certificate stays installed"
    );
    assert!(panelalpha_held(&sim, LE_SITE).is_some());
    let listed = tf.run(&["state", "list"]).success();
    assert!(
        !listed.stdout.contains("panel_certificate"),
        "removed from state:\n{}",
        listed.stdout
    );
    tf.destroy();
}

#[test]
fn panelalpha() {
    panelalpha_lifecycle();
    plan_refusals(Backend::PanelAlpha);
}
