//! `panel_dns_record` through real Terraform on HestiaCP, Plesk REST and Plesk XML: A, MX and TXT records (one
//! longer than 255 bytes with `;`, a space and an apostrophe; one at the apex written
//! as the zone's name) beside the zone's own records, an empty plan, a value changed
//! in place, import by id and by content into a fresh directory, drift when a record is
//! deleted at the panel, destroy that leaves every record Terraform does not own, and
//! the plan-time refusals. Plesk XML has no TTL and no record update: a change there
//! is a new record with a new id (the old one deleted after it), and `ttl` is refused
//! at plan time. PanelAlpha: the zone of an addon domain of the user's hosting account,
//! records addressed by line (the twenty-record case deletes a line in the middle, so
//! every later line moves up and each record is found again by content).

use serde_json::Value;

use super::{Backend, Sim};
use crate::support::terraform::{hcl_string, Terraform};

const LOGIN: &str = "dnsowner";
const ZONE: &str = "tf-dns.com";
/// The main domain PanelAlpha gives the first service of a fresh simulator; the zone is
/// an addon domain of it.
const PANELALPHA_MAIN_DOMAIN: &str = "service1.panelalpha.test";

fn long_txt() -> String {
    format!("v=DKIM1; k=rsa; it's p={}", "MIIBIjAN".repeat(40))
}

fn config(backend: Backend, www: &str, with_records: bool) -> String {
    let login = if backend == Backend::PanelAlpha {
        "plan  = \"Starter\"".to_owned()
    } else {
        format!("login = {}", hcl_string(LOGIN))
    };
    let mut text = format!(
        "resource \"panel_user\" \"owner\" {{\n  {login}\n  email = \"dns@dns-owner.example\"\n  \
         name  = \"DNS Owner\"\n  password_wo = \"Dns-owner-Secret!1\"\n}}\n"
    );
    // HestiaCP: the zone is the owner's DNS domain (added at the panel); Plesk: the
    // subscription's zone.
    let (owner, zone) = if backend.is_plesk() {
        text += &format!(
            "\nresource \"panel_domain\" \"zone\" {{\n  name  = \"{ZONE}\"\n  \
             owner = panel_user.owner.id\n  system_password_wo = \"Sys-Passw0rd!dns\"\n  \
             system_password_wo_version = 1\n}}\n"
        );
        ("", "panel_domain.zone.name".to_owned())
    } else if backend == Backend::PanelAlpha {
        text += &format!(
            "\nresource \"panel_domain\" \"zone\" {{\n  name   = \"{ZONE}\"\n  \
             owner  = panel_user.owner.id\n  kind   = \"addon\"\n  parent = \"{PANELALPHA_MAIN_DOMAIN}\"\n}}\n"
        );
        (
            "  owner = panel_user.owner.id\n",
            "panel_domain.zone.name".to_owned(),
        )
    } else {
        ("  owner = panel_user.owner.id\n", format!("\"{ZONE}\""))
    };
    if with_records {
        let record = |name: &str, rtype: &str, rname: &str, value: &str, extra: &str| {
            format!(
                "\nresource \"panel_dns_record\" \"{name}\" {{\n{owner}  \
                 zone  = {zone}\n  type  = \"{rtype}\"\n  name  = {}\n  value = {}\n{extra}}}\n",
                hcl_string(rname),
                hcl_string(value)
            )
        };
        text += &record("www", "A", "host1", www, "");
        text += &record("mx", "MX", "@", "mx2.tf-dns.com", "  priority = 20\n");
        text += &record("dkim", "TXT", "mail._domainkey", &long_txt(), "");
        text += &record("verify", "TXT", "tf-dns.com.", "token-abc123", "");
    }
    text
}

/// Runs a HestiaCP command through the panel's API, as a person at the panel would.
pub(super) fn panel_call(sim: &Sim, cmd: &str, args: &[&str]) -> String {
    let p = &sim.process;
    let mut form = vec![
        ("access_key".to_owned(), p.cred("access_key")),
        ("secret_key".to_owned(), p.cred("secret_key")),
        ("cmd".to_owned(), cmd.to_owned()),
    ];
    for (n, arg) in args.iter().enumerate() {
        form.push((format!("arg{}", n + 1), (*arg).to_owned()));
    }
    let (status, body) = sim.send(sim.http.post(p.url("/api/")).form(&form), cmd);
    assert!((200..300).contains(&status), "{cmd}: {status}: {body}");
    body
}

/// A Plesk REST call, as a person's script would make it; answers the body.
fn plesk_call(sim: &Sim, method: reqwest::Method, path: &str) -> String {
    let p = &sim.process;
    let request = sim
        .http
        .request(method, p.url(&format!("/api/v2/{path}")))
        .header("X-API-Key", p.cred("api_key"))
        .header("Accept", "application/json");
    let (status, body) = sim.send(request, path);
    assert!((200..300).contains(&status), "{path}: {status}: {body}");
    body
}

/// A PanelAlpha API call (`user`: as that user, else as the admin); answers the body's
/// data.
fn panelalpha_call(sim: &Sim, method: reqwest::Method, path: &str, user: Option<&str>) -> Value {
    let p = &sim.process;
    let mut request = sim
        .http
        .request(method, p.url(&format!("/api/{path}")))
        .bearer_auth(p.cred("token"))
        .header("Accept", "application/json");
    if let Some(user) = user {
        request = request.header("X-PanelAlpha-User", user);
    }
    let (status, body) = sim.send(request, path);
    assert!((200..300).contains(&status), "{path}: {status}: {body}");
    let value: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    match value.get("data") {
        Some(data) => data.clone(),
        None => value,
    }
}

/// PanelAlpha: the owner's user id and the records path of the hosting account holding
/// the zone.
fn panelalpha_zone(sim: &Sim) -> (String, String) {
    let users = panelalpha_call(sim, reqwest::Method::GET, "admin/users", None);
    let user = users
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["email"] == "dns@dns-owner.example")
        .map(|u| u["id"].to_string())
        .unwrap_or_else(|| panic!("no DNS owner among {users}"));
    let accounts = panelalpha_call(sim, reqwest::Method::GET, "server-accounts", Some(&user));
    for account in accounts.as_array().into_iter().flatten() {
        let id = account["id"].to_string();
        let zones = panelalpha_call(
            sim,
            reqwest::Method::GET,
            &format!("server-accounts/{id}/dns-zones"),
            Some(&user),
        );
        if zones
            .as_array()
            .into_iter()
            .flatten()
            .any(|z| z["name"] == ZONE)
        {
            return (
                user,
                format!("server-accounts/{id}/dns-zones/{ZONE}/records"),
            );
        }
    }
    panic!("no hosting account of user {user} has {ZONE}: {accounts}");
}

/// Deletes a record at the panel, as a person would: HestiaCP by number, Plesk by id,
/// PanelAlpha by line.
fn delete_at_panel(sim: &Sim, id: &str) {
    match sim.backend {
        Backend::Hestia => {
            panel_call(sim, "v-delete-dns-record", &[LOGIN, ZONE, &number(id)]);
        }
        Backend::PanelAlpha => {
            let (user, records) = panelalpha_zone(sim);
            panelalpha_call(
                sim,
                reqwest::Method::DELETE,
                &format!("{records}/{}", number(id)),
                Some(&user),
            );
        }
        _ => {
            plesk_call(
                sim,
                reqwest::Method::DELETE,
                &format!("dns/records/{}", number(id)),
            );
        }
    }
}

/// How a panel lists a name: relative on HestiaCP, fully qualified elsewhere.
fn listed_name(sim: &Sim, name: &str) -> String {
    match (sim.backend != Backend::Hestia, name) {
        (true, "@") => format!("{ZONE}."),
        (true, _) => format!("{name}.{ZONE}."),
        _ => name.to_owned(),
    }
}

/// The zone's records as the panel lists them: `(id, name, type, value)`, values as
/// listed (TXT with the quotes HestiaCP adds). Both Plesk APIs are one server: its REST
/// listing is the panel's own view for both.
fn panel_records(sim: &Sim) -> Vec<(String, String, String, String)> {
    if sim.backend == Backend::PanelAlpha {
        // Lines, fully qualified names, `content` (TXT: the text); the SOA record is the
        // panel's bookkeeping (its serial moves with every change).
        let (user, records) = panelalpha_zone(sim);
        let listed = panelalpha_call(sim, reqwest::Method::GET, &records, Some(&user));
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        return listed
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["type"] != "SOA")
            .map(|r| {
                (
                    text(&r["line"]),
                    text(&r["name"]),
                    text(&r["type"]),
                    text(&r["content"]),
                )
            })
            .collect();
    }
    if sim.backend.is_plesk() {
        let body = plesk_call(
            sim,
            reqwest::Method::GET,
            &format!("dns/records?domain={ZONE}"),
        );
        let listed: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        return listed
            .as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                (
                    r["id"].to_string(),
                    text(&r["host"]),
                    text(&r["type"]),
                    text(&r["value"]),
                )
            })
            .collect();
    }
    let body = panel_call(sim, "v-list-dns-records", &[LOGIN, ZONE, "json"]);
    let listed: Value = serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    listed
        .as_object()
        .into_iter()
        .flat_map(|m| m.iter())
        .map(|(id, r)| {
            (
                id.clone(),
                text(&r["RECORD"]),
                text(&r["TYPE"]),
                text(&r["VALUE"]),
            )
        })
        .collect()
}

fn has(
    sim: &Sim,
    records: &[(String, String, String, String)],
    name: &str,
    rtype: &str,
    value: &str,
) -> bool {
    let name = listed_name(sim, name);
    records
        .iter()
        .any(|r| r.1 == name && r.2 == rtype && r.3 == value)
}

fn number(id: &str) -> String {
    id.rsplit('/').next().unwrap_or_default().to_owned()
}

const ADDRESSES: [&str; 4] = [
    "panel_dns_record.www",
    "panel_dns_record.mx",
    "panel_dns_record.dkim",
    "panel_dns_record.verify",
];

fn run_lifecycle(backend: Backend) {
    let sim = Sim::start(backend);
    let tf = sim.terraform();
    let hestia = backend == Backend::Hestia;

    // 0. The owner, then its zone, made at the panel (HestiaCP adds its default records).
    tf.write("main.tf", &config(backend, "192.0.2.20", false));
    tf.apply();
    if hestia {
        panel_call(&sim, "v-add-dns-domain", &[LOGIN, ZONE, "192.0.2.10"]);
    }
    let foreign = panel_records(&sim);
    assert!(!foreign.is_empty(), "the zone has its default records");

    // 1. Create beside the zone's own records.
    tf.write("main.tf", &config(backend, "192.0.2.20", true));
    tf.apply();
    let records = panel_records(&sim);
    let listed_long = if hestia {
        format!("\"{}\"", long_txt())
    } else {
        long_txt()
    };
    assert!(
        has(&sim, &records, "host1", "A", "192.0.2.20"),
        "{records:?}"
    );
    let listed_mx = if backend == Backend::PanelAlpha {
        "20 mx2.tf-dns.com."
    } else {
        "mx2.tf-dns.com."
    };
    assert!(has(&sim, &records, "@", "MX", listed_mx), "{records:?}");
    assert!(
        has(&sim, &records, "mail._domainkey", "TXT", &listed_long),
        "the long TXT value is one value: {records:?}"
    );
    assert!(
        has(&sim, &records, "@", "TXT", "token-abc123"),
        "{records:?}"
    );
    assert_eq!(records.len(), foreign.len() + 4);
    let state = |address: &str| tf.state_attributes(address);
    assert_eq!(state("panel_dns_record.dkim")["value"], long_txt().as_str());
    assert_eq!(state("panel_dns_record.mx")["priority"], 20);
    assert_eq!(state("panel_dns_record.verify")["name"], "tf-dns.com.");
    let default_ttl = match backend {
        Backend::Hestia | Backend::PanelAlpha => Value::from(14400),
        Backend::PleskXml => Value::Null,
        _ => Value::from(86400),
    };
    assert_eq!(
        state("panel_dns_record.www")["ttl"],
        default_ttl,
        "the panel's default TTL (none on Plesk XML)"
    );
    tf.assert_empty_plan("right after create");
    let mut ids: Vec<String> = ADDRESSES
        .iter()
        .map(|a| state(a)["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let prefix = match backend {
        Backend::Hestia => format!("{LOGIN}/{ZONE}/"),
        // USER_ID/ACCOUNT_ID/ZONE/LINE
        Backend::PanelAlpha => {
            let (user, records) = panelalpha_zone(&sim);
            let account = records.split('/').nth(1).unwrap_or_default().to_owned();
            format!("{user}/{account}/{ZONE}/")
        }
        _ => format!("{ZONE}/"),
    };
    assert!(ids[0].starts_with(&prefix), "{ids:?}");

    // 1b. `adopt` writes DNS records only when asked for by name; then the owner and
    // every record of the zone (the panel's own too) import with an empty plan.
    let fresh_dir = || {
        let mut tf = Terraform::new();
        for (name, value) in sim.provider_env() {
            tf.set_env(name, &value);
        }
        tf
    };
    let adopted = fresh_dir();
    let out = adopted.dir().to_string_lossy().into_owned();
    let log = super::adopt::adopt(&sim, &["--out", &out]);
    let written = |dir: &std::path::Path| -> String {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tf"))
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect()
    };
    assert!(
        !written(adopted.dir()).contains("panel_dns_record"),
        "[{backend:?}] not without --types:\n{log}"
    );
    let typed = fresh_dir();
    let out = typed.dir().to_string_lossy().into_owned();
    let types = if hestia {
        "user,dns_record"
    } else {
        "user,domain,dns_record"
    };
    let log = super::adopt::adopt(&sim, &["--out", &out, "--types", types]);
    let text = written(typed.dir());
    let adopted_records = text.matches("resource \"panel_dns_record\"").count();
    if backend == Backend::PanelAlpha {
        // The main domain's zone comes with the user's plan: its records too.
        assert!(
            adopted_records > records.len(),
            "[{backend:?}] every record of both zones:\n{text}\n{log}"
        );
    } else {
        assert_eq!(
            adopted_records,
            records.len(),
            "[{backend:?}] every record of the zone:\n{text}\n{log}"
        );
    }
    typed.apply();
    typed.assert_empty_plan(&format!("[{backend:?}] after adopting the zone:\n{text}"));
    assert_eq!(panel_records(&sim), records, "adopting changed nothing");

    // 1c. The data sources: every record of the zone, TXT only, and one record by
    // content (other spellings) and by id.
    let lookups = sim.terraform();
    let owner_line = if hestia {
        format!("  owner = {}\n", hcl_string(LOGIN))
    } else {
        String::new()
    };
    lookups.write(
        "main.tf",
        &format!(
            "data \"panel_dns_records\" \"all\" {{\n{owner_line}  zone  = \"{ZONE}\"\n}}\n\n\
             data \"panel_dns_records\" \"txt\" {{\n{owner_line}  zone  = \"{ZONE}\"\n  type  = \"TXT\"\n}}\n\n\
                          data \"panel_dns_record\" \"mx\" {{\n  zone  = \"TF-DNS.com.\"\n  \
             type  = \"MX\"\n  name  = \"tf-dns.com\"\n  value = \"MX2.tf-dns.com.\"\n}}\n\n\
             data \"panel_dns_record\" \"by_id\" {{\n  id = {}\n}}\n\n\
             output \"count\" {{\n  value = length(data.panel_dns_records.all.records)\n}}\n\
             output \"txt\" {{\n  value = data.panel_dns_records.txt.records[*].value\n}}\n\
             output \"mx\" {{\n  value = data.panel_dns_record.mx.id\n}}\n\
             output \"by_id\" {{\n  value = data.panel_dns_record.by_id.value\n}}\n",
            hcl_string(&ids[2]),
        ),
    );
    lookups.apply();
    let outputs = lookups.run(&["output", "-json"]).success();
    let outputs: Value = serde_json::from_str(&outputs.stdout)
        .unwrap_or_else(|err| panic!("output -json: {err}: {}", outputs.stdout));
    assert_eq!(
        outputs["count"]["value"],
        records.len(),
        "[{backend:?}] {outputs}"
    );
    let txt: Vec<&str> = outputs["txt"]["value"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        txt.contains(&long_txt().as_str()) && txt.contains(&"token-abc123"),
        "{txt:?}"
    );
    assert_eq!(
        outputs["mx"]["value"],
        ids[1].as_str(),
        "[{backend:?}] {outputs}"
    );
    assert_eq!(outputs["by_id"]["value"], long_txt().as_str());

    // 2. A value changed in place keeps the id (Plesk XML: a new record, a new id,
    // the old record gone).
    tf.write("main.tf", &config(backend, "192.0.2.30", true));
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_dns_record.www will be updated in-place"),
        "{}",
        plan.stdout
    );
    tf.apply();
    let new_id = state("panel_dns_record.www")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if backend == Backend::PleskXml {
        assert_ne!(new_id, ids[0], "a new record");
        assert!(new_id.starts_with(&prefix), "{new_id}");
        ids[0] = new_id;
    } else {
        assert_eq!(new_id, ids[0]);
    }
    let records = panel_records(&sim);
    assert!(
        has(&sim, &records, "host1", "A", "192.0.2.30"),
        "{records:?}"
    );
    assert!(
        !has(&sim, &records, "host1", "A", "192.0.2.20"),
        "{records:?}"
    );
    tf.assert_empty_plan("after the change");

    // 3. Import into a fresh directory: by id, and the MX by content.
    let imported = sim.terraform();
    if backend == Backend::PanelAlpha {
        // The records alone, with the owner and zone written out.
        let owner_id = state("panel_dns_record.www")["owner"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let full = config(backend, "192.0.2.30", true);
        let records_only = full[full.find("\nresource \"panel_dns_record\"").unwrap_or(0)..]
            .replace("panel_user.owner.id", &hcl_string(&owner_id))
            .replace("panel_domain.zone.name", &hcl_string(ZONE));
        imported.write("main.tf", &records_only);
    } else {
        imported.write("main.tf", &config(backend, "192.0.2.30", true));
        imported.import("panel_user.owner", LOGIN);
        if backend.is_plesk() {
            imported.import("panel_domain.zone", ZONE);
        }
    }
    for (address, id) in ADDRESSES.iter().zip(&ids) {
        let id = if *address == "panel_dns_record.mx" {
            match backend {
                // USER_ID/ZONE/TYPE/NAME/VALUE
                Backend::PanelAlpha => format!(
                    "{}/{ZONE}/MX/@/mx2.tf-dns.com",
                    prefix.split('/').next().unwrap_or_default()
                ),
                _ => format!("{prefix}MX/@/mx2.tf-dns.com"),
            }
        } else {
            id.clone()
        };
        imported.import(address, &id);
    }
    // The apex written as the zone's name: an import reads the panel's `@`, so the first
    // plan sets the configured spelling in place, which sends nothing to the panel.
    let (code, plan) = imported.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout.contains("= \"@\" -> \"tf-dns.com.\"")
            && !plan.stdout.contains("priority")
            && plan.stdout.matches("resource \"panel_dns_record\"").count() == 1
            && plan.stdout.contains("0 to add, ")
            && plan.stdout.contains(" to change, 0 to destroy"),
        "only the apex's spelling:\n{}",
        plan.stdout
    );
    let before = panel_records(&sim);
    imported.apply();
    assert_eq!(
        panel_records(&sim),
        before,
        "a respelled name changes nothing"
    );
    imported.assert_empty_plan("after terraform import");
    for address in ADDRESSES {
        assert_eq!(
            imported.state_attributes(address),
            tf.state_attributes(address),
            "{address}: import reads what create wrote"
        );
    }

    // 3b. `import {}` with generated configuration: the MX record by its id; the written
    // configuration applies and the next plan is empty.
    let generated = sim.terraform();
    generated.write(
        "imports.tf",
        &format!(
            "import {{\n  to = panel_dns_record.mx\n  id = {}\n}}\n",
            hcl_string(&ids[1])
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
        "[{backend:?}] the plan imports the record:\n{}",
        plan.stdout
    );
    generated.apply();
    generated.assert_empty_plan(&format!(
        "[{backend:?}] after importing with generated configuration:\n{}",
        generated.read("generated.tf")
    ));

    // 4. Drift: the MX record is deleted at the panel; only it is planned again
    // (PanelAlpha: every later line moves up one).
    delete_at_panel(&sim, &ids[1]);
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout.contains("panel_dns_record.mx will be created")
            && plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "a record deleted at the panel is planned again, nothing else:\n{}",
        plan.stdout
    );
    tf.apply();
    tf.assert_empty_plan("after re-creating the record");

    // 5. Destroy the records: the zone's own records stay, exactly.
    let mut targets = vec!["destroy", "-auto-approve", "-input=false", "-no-color"];
    let flags: Vec<String> = ADDRESSES.iter().map(|a| format!("-target={a}")).collect();
    targets.extend(flags.iter().map(String::as_str));
    tf.run(&targets).success();
    assert_eq!(
        panel_records(&sim),
        foreign,
        "destroy left every record Terraform does not own"
    );
    tf.destroy();

    // 6. Plan-time refusals naming the attribute.
    let refused = |extra: &str, rtype: &str, value: &str, said: &[&str]| {
        let tf = sim.terraform();
        tf.write(
            "main.tf",
            &format!(
                "resource \"panel_dns_record\" \"r\" {{\n  owner = \"nobody\"\n  zone  = \"{ZONE}\"\n  \
                 type  = \"{rtype}\"\n  name  = \"x\"\n  value = {}\n{extra}}}\n",
                hcl_string(value)
            ),
        );
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
                "says {text:?}:\n{}",
                outcome.describe()
            );
        }
    };
    refused(
        "  priority = 10\n",
        "A",
        "192.0.2.1",
        &["Priority Not Allowed", "MX and SRV records only"],
    );
    if backend == Backend::PleskXml {
        refused(
            "  ttl = 600\n",
            "A",
            "192.0.2.1",
            &[
                "Setting Not Supported",
                "The `plesk_xml` panel has no TTL for a single DNS record",
            ],
        );
    }
    if hestia {
        refused(
            "",
            "TXT",
            "say \"hi\"",
            &[
                "TXT Value Not Supported",
                "The `hestia` panel removes",
                "`\"`",
            ],
        );
    }
    refused("", "A", "2001:db8::1", &["Invalid Record Value", "IPv4"]);
    if backend == Backend::PanelAlpha {
        // Zones belong to a user's hosting account: `owner` is required.
        let tf = sim.terraform();
        tf.write(
            "main.tf",
            &format!(
                "resource \"panel_dns_record\" \"r\" {{\n  zone  = \"{ZONE}\"\n  type  = \"A\"\n  \
                 name  = \"x\"\n  value = \"192.0.2.1\"\n}}\n"
            ),
        );
        let outcome = tf.plan();
        assert_eq!(outcome.code, 1, "{}", outcome.describe());
        let stderr = outcome
            .stderr
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            stderr.contains("Missing Owner") && stderr.contains("On the `panelalpha` panel"),
            "{}",
            outcome.describe()
        );
    }
}

/// Twenty records in one zone; one in the middle is deleted at the panel: only that one
/// is planned again, and a refresh of the twenty costs one zone listing, not one
/// request per record.
fn twenty_records(backend: Backend) {
    let sim = Sim::start(backend);
    let tf = sim.terraform();
    tf.write("main.tf", &config(backend, "192.0.2.20", false));
    tf.apply();
    if backend == Backend::Hestia {
        panel_call(&sim, "v-add-dns-domain", &[LOGIN, ZONE, "192.0.2.10"]);
    }
    let (owner, zone) = if backend.is_plesk() {
        ("", "panel_domain.zone.name".to_owned())
    } else if backend == Backend::PanelAlpha {
        (
            "  owner = panel_user.owner.id\n",
            "panel_domain.zone.name".to_owned(),
        )
    } else {
        ("  owner = panel_user.owner.id\n", format!("\"{ZONE}\""))
    };
    let records = format!(
        "\nresource \"panel_dns_record\" \"many\" {{\n  count = 20\n{owner}  zone  = {zone}\n  \
         type  = \"TXT\"\n  name  = \"many\"\n  value = \"record ${{count.index}}\"\n}}\n"
    );
    tf.write(
        "main.tf",
        &format!("{}{records}", config(backend, "192.0.2.20", false)),
    );
    tf.apply();
    let before = panel_records(&sim);
    let middle = before
        .iter()
        .find(|r| r.3.trim_matches('"') == "record 10")
        .map(|r| r.0.clone())
        .unwrap_or_else(|| panic!("[{backend:?}] no record 10: {before:?}"));
    // PanelAlpha: the ten records after it move up one line each.
    delete_at_panel(&sim, &middle);
    sim.reset_requests();
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    let (_, routes) = sim.requests();
    let listings: u64 = routes
        .iter()
        .filter(|(route, _)| {
            route.contains("v-list-dns-records")
                || route.contains("GET /api/v2/dns/records")
                || route.contains("dns.get_rec")
                || route.contains("GET /api/server-accounts/{id}/dns-zones/{name}/records")
        })
        .map(|(_, n)| n)
        .sum();
    assert_eq!(
        listings, 1,
        "[{backend:?}] one zone listing refreshes twenty records: {routes:?}"
    );
    assert!(
        plan.stdout
            .contains("panel_dns_record.many[10] will be created")
            && plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "[{backend:?}] only the deleted record is planned again:\n{}",
        plan.stdout
    );
    tf.apply();
    tf.assert_empty_plan("after re-creating the middle record");
    assert_eq!(
        panel_records(&sim).len(),
        before.len(),
        "[{backend:?}] twenty again"
    );
    tf.destroy();
}

#[test]
fn hestia() {
    run_lifecycle(Backend::Hestia);
    twenty_records(Backend::Hestia);
}

#[test]
fn plesk_rest() {
    run_lifecycle(Backend::PleskRest);
    twenty_records(Backend::PleskRest);
}

#[test]
fn plesk_xml() {
    run_lifecycle(Backend::PleskXml);
    twenty_records(Backend::PleskXml);
}

#[test]
fn panelalpha() {
    run_lifecycle(Backend::PanelAlpha);
    twenty_records(Backend::PanelAlpha);
}
