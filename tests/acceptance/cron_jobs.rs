//! `panel_cron_job` through real Terraform: the life of two jobs beside one made at the
//! panel by hand (create, empty plan, `adopt`, the data sources, in-place change,
//! import by CLI and by `import {}` with generated configuration, drift when a job is
//! deleted at the panel, which on PanelAlpha also renumbers the crontab, destroy), a
//! create whose answer is lost, and the plan-time refusals: a bad schedule, suspension
//! where the panel has none, and the whole resource on Plesk, whose APIs offer no
//! scheduled tasks.

use serde_json::Value;

use super::adopt::{adopt, apply_counts};
use super::{Backend, Sim};
use crate::support::terraform::{hcl_string, Terraform};

const LOGIN: &str = "cronner";
const EMAIL: &str = "cron@cron-owner.example";
const PASSWORD: &str = "Cr0n-owner-Secret!";
const FOREIGN: (&str, &str) = ("45 23 * * 0", "echo made-by-hand");

#[derive(Clone, Copy)]
struct Step {
    backup_command: &'static str,
    backup_suspended: bool,
}

fn config(backend: Backend, step: Step) -> String {
    let mut user = String::from("resource \"panel_user\" \"owner\" {\n");
    if backend != Backend::PanelAlpha {
        user += &format!("  login = {}\n", hcl_string(LOGIN));
    } else {
        user += "  plan  = \"Starter\"\n";
    }
    user += &format!(
        "  email = {}\n  name  = \"Cron Owner\"\n",
        hcl_string(EMAIL)
    );
    user += &format!("  password_wo = {}\n}}\n", hcl_string(PASSWORD));
    let suspended = if step.backup_suspended {
        "  suspended = true\n"
    } else {
        ""
    };
    format!(
        "{user}\nresource \"panel_cron_job\" \"backup\" {{\n  owner    = panel_user.owner.id\n  \
         schedule = \"30 2 * * *\"\n  command  = {}\n{suspended}}}\n\n\
         resource \"panel_cron_job\" \"report\" {{\n  owner    = panel_user.owner.id\n  \
         schedule = \"*/15 * * * 1-5\"\n  command  = \"/usr/bin/php /home/report.php --to='ops team'\"\n}}\n",
        hcl_string(step.backup_command)
    )
}

/// The simulator's jobs, in panel order: (schedule, command, suspended).
fn sim_jobs(sim: &Sim) -> Vec<(String, String, bool)> {
    let dump = sim.dump();
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match sim.backend {
        Backend::Hestia => dump["users"][LOGIN]["cron_jobs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|j| {
                let schedule = ["min", "hour", "day", "month", "wday"]
                    .map(|f| text(&j[f]))
                    .join(" ");
                (schedule, text(&j["cmd"]), j["suspended"] == true)
            })
            .collect(),
        _ => dump["accounts"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .flat_map(|a| a["cron_jobs"].as_array().cloned().unwrap_or_default())
            .map(|j| {
                let schedule = ["minute", "hour", "day_of_month", "month", "day_of_week"]
                    .map(|f| text(&j[f]))
                    .join(" ");
                (schedule, text(&j["command"]), false)
            })
            .collect(),
    }
}

fn job(schedule: &str, command: &str, suspended: bool) -> (String, String, bool) {
    (schedule.to_owned(), command.to_owned(), suspended)
}

/// Runs a cron command through the panel's own API, as a person at the panel would.
/// PanelAlpha: `account` is `USER_ID/ACCOUNT_ID`.
fn panel_call(sim: &Sim, account: &str, add: bool, job_or_line: &str) {
    let p = &sim.process;
    let request = match sim.backend {
        Backend::Hestia => {
            let mut form = vec![
                ("access_key", p.cred("access_key")),
                ("secret_key", p.cred("secret_key")),
                ("returncode", "yes".to_owned()),
                ("arg1", LOGIN.to_owned()),
            ];
            if add {
                form.push(("cmd", "v-add-cron-job".to_owned()));
                let fields: Vec<&str> = FOREIGN.0.split(' ').collect();
                for (n, field) in fields.iter().enumerate() {
                    form.push((
                        ["arg2", "arg3", "arg4", "arg5", "arg6"][n],
                        (*field).to_owned(),
                    ));
                }
                form.push(("arg7", FOREIGN.1.to_owned()));
            } else {
                form.push(("cmd", "v-delete-cron-job".to_owned()));
                form.push(("arg2", job_or_line.to_owned()));
            }
            sim.http.post(p.url("/api/")).form(&form)
        }
        _ => {
            let (user, account) = account
                .split_once('/')
                .unwrap_or_else(|| panic!("bad account {account}"));
            let path = format!("/api/server-accounts/{account}/cron-jobs");
            let request = if add {
                let fields: Vec<&str> = FOREIGN.0.split(' ').collect();
                sim.http.post(p.url(&path)).json(&serde_json::json!({
                    "minute": fields[0], "hour": fields[1], "day_of_month": fields[2],
                    "month": fields[3], "day_of_week": fields[4], "command": FOREIGN.1,
                }))
            } else {
                sim.http.delete(p.url(&format!("{path}/{job_or_line}")))
            };
            request
                .header("Authorization", format!("Bearer {}", p.cred("token")))
                .header("X-PanelAlpha-User", user)
                .header("Accept", "application/json")
        }
    };
    let (status, body) = sim.send(request, "a cron call through the panel API");
    assert!((200..300).contains(&status), "{status}: {body}");
    if sim.backend == Backend::Hestia {
        assert_eq!(body.trim(), "0", "{body}");
    }
}

fn run_lifecycle(backend: Backend) {
    let sim = Sim::start(backend);
    let tf = sim.terraform();
    let step1 = Step {
        backup_command: "/usr/local/bin/backup.sh --full",
        backup_suspended: false,
    };
    let report = job(
        "*/15 * * * 1-5",
        "/usr/bin/php /home/report.php --to='ops team'",
        false,
    );

    // 1. Create.
    tf.write("main.tf", &config(backend, step1));
    tf.apply();
    let mut jobs = sim_jobs(&sim);
    jobs.sort();
    let mut expected = vec![
        job("30 2 * * *", step1.backup_command, false),
        report.clone(),
    ];
    expected.sort();
    assert_eq!(jobs, expected, "[{backend:?}] the panel holds both jobs");
    tf.assert_empty_plan(&format!("[{backend:?}] right after create"));
    let backup_id = tf.state_attributes("panel_cron_job.backup")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let report_id = tf.state_attributes("panel_cron_job.report")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let account = match backend {
        Backend::PanelAlpha => backup_id.rsplit_once('/').map(|(a, _)| a.to_owned()),
        _ => None,
    }
    .unwrap_or_default();

    // 1b. `adopt` writes the jobs with a reference to their owner, and the written
    // configuration imports everything, changing nothing.
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
        written.matches("resource \"panel_cron_job\"").count(),
        2,
        "[{backend:?}] adopt writes both jobs:\n{written}\n{log}"
    );
    assert!(
        written.contains("owner    = panel_user."),
        "[{backend:?}] the jobs refer to their owner:\n{written}"
    );
    let applied = adopted.apply();
    // PanelAlpha's plan brought the hosting account's main domain, adopted as well.
    let objects = if backend == Backend::PanelAlpha { 4 } else { 3 };
    assert_eq!(
        apply_counts(&applied.stdout),
        (objects, 0, 0, 0),
        "[{backend:?}] adoption imports the user (its main domain) and both jobs:\n{}",
        applied.stdout
    );
    adopted.assert_empty_plan(&format!("[{backend:?}] after adopting:\n{written}"));

    // 2. A job made at the panel by hand, after Terraform's two.
    panel_call(&sim, &account, true, "");
    assert_eq!(sim_jobs(&sim).len(), 3);
    tf.assert_empty_plan(&format!("[{backend:?}] a job made by hand is not ours"));

    // 2b. The data sources: every job of the owner (the hand-made one too), and one
    // job by owner + schedule + command and by id.
    let lookups = sim.terraform();
    let owner_id = tf.state_attributes("panel_user.owner")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    lookups.write(
        "main.tf",
        &format!(
            "data \"panel_cron_jobs\" \"all\" {{\n  owner = {owner}\n}}\n\n\
             data \"panel_cron_job\" \"by_content\" {{\n  owner    = {owner}\n  \
             schedule = \"30  2 * * *\"\n  command  = {command}\n}}\n\n\
             data \"panel_cron_job\" \"by_id\" {{\n  id = {id}\n}}\n\n\
             output \"commands\" {{\n  value = data.panel_cron_jobs.all.cron_jobs[*].command\n}}\n\
             output \"by_content\" {{\n  value = data.panel_cron_job.by_content.id\n}}\n\
             output \"by_id\" {{\n  value = data.panel_cron_job.by_id.command\n}}\n",
            owner = hcl_string(&owner_id),
            command = hcl_string(step1.backup_command),
            id = hcl_string(&report_id),
        ),
    );
    lookups.apply();
    let outputs = lookups.run(&["output", "-json"]).success();
    let outputs: Value = serde_json::from_str(&outputs.stdout)
        .unwrap_or_else(|err| panic!("output -json: {err}: {}", outputs.stdout));
    let mut commands: Vec<String> = outputs["commands"]["value"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| v.as_str().unwrap_or_default().to_owned())
        .collect();
    commands.sort();
    let mut expected_commands = vec![
        step1.backup_command.to_owned(),
        report.1.clone(),
        FOREIGN.1.to_owned(),
    ];
    expected_commands.sort();
    assert_eq!(commands, expected_commands, "[{backend:?}] panel_cron_jobs");
    assert_eq!(outputs["by_content"]["value"], backup_id.as_str());
    assert_eq!(outputs["by_id"]["value"], report.1.as_str());

    // 3. In place: the command (and on HestiaCP the suspension).
    let step2 = Step {
        backup_command: "/usr/local/bin/backup.sh --incremental",
        backup_suspended: backend == Backend::Hestia,
    };
    tf.write("main.tf", &config(backend, step2));
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("panel_cron_job.backup will be updated in-place"),
        "[{backend:?}] a command change is in place:\n{}",
        plan.stdout
    );
    tf.apply();
    assert_eq!(
        tf.state_attributes("panel_cron_job.backup")["id"],
        backup_id.as_str(),
        "[{backend:?}] an in-place change keeps the id"
    );
    let jobs = sim_jobs(&sim);
    assert!(
        jobs.contains(&job(
            "30 2 * * *",
            step2.backup_command,
            step2.backup_suspended
        )),
        "[{backend:?}] {jobs:?}"
    );
    assert!(jobs.contains(&job(FOREIGN.0, FOREIGN.1, false)), "{jobs:?}");
    assert_eq!(jobs.len(), 3, "{jobs:?}");
    tf.assert_empty_plan(&format!("[{backend:?}] after the change"));

    // 4. Import into a fresh working directory, by the documented ids.
    let imported = sim.terraform();
    imported.write("main.tf", &config(backend, step2));
    let user_id = match backend {
        Backend::PanelAlpha => EMAIL.to_owned(),
        _ => LOGIN.to_owned(),
    };
    imported.import("panel_user.owner", &user_id);
    imported.import("panel_cron_job.backup", &backup_id);
    imported.import("panel_cron_job.report", &report_id);
    imported.assert_empty_plan(&format!("[{backend:?}] after terraform import"));
    for address in ["panel_cron_job.backup", "panel_cron_job.report"] {
        assert_eq!(
            imported.state_attributes(address),
            tf.state_attributes(address),
            "[{backend:?}] {address}: import reads what create wrote"
        );
    }

    // 4b. Import with `import {}` blocks and generated configuration.
    let generated = sim.terraform();
    let blocks: String = [("backup", &backup_id), ("report", &report_id)]
        .iter()
        .map(|(name, id)| {
            format!(
                "import {{\n  to = panel_cron_job.{name}\n  id = {}\n}}\n\n",
                hcl_string(id)
            )
        })
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
        plan.stdout
            .contains("2 to import, 0 to add, 0 to change, 0 to destroy"),
        "[{backend:?}] the plan imports both jobs:\n{}",
        plan.stdout
    );
    generated.apply();
    generated.assert_empty_plan(&format!(
        "[{backend:?}] after importing with generated configuration:\n{}",
        generated.read("generated.tf")
    ));
    for address in ["panel_cron_job.backup", "panel_cron_job.report"] {
        assert_eq!(
            generated.state_attributes(address),
            tf.state_attributes(address),
            "[{backend:?}] {address}: import {{}} reads what create wrote"
        );
    }

    // 5. Drift: the job on the first line / with the first number goes at the panel.
    let (first, other, other_id) = if backend == Backend::Hestia {
        let number = |id: &str| {
            id.rsplit('/')
                .next()
                .unwrap_or("")
                .parse::<u32>()
                .unwrap_or(0)
        };
        if number(&backup_id) < number(&report_id) {
            ("backup", "report", report_id.clone())
        } else {
            ("report", "backup", backup_id.clone())
        }
    } else if backup_id.ends_with("/1") {
        ("backup", "report", report_id.clone())
    } else {
        ("report", "backup", backup_id.clone())
    };
    let first_job = if backend == Backend::Hestia {
        let id = if first == "backup" {
            &backup_id
        } else {
            &report_id
        };
        id.rsplit('/').next().unwrap_or_default().to_owned()
    } else {
        "1".to_owned()
    };
    panel_call(&sim, &account, false, &first_job);
    let (code, plan) = tf.plan_detailed_exitcode(&[]);
    assert_eq!(code, 2, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains(&format!("panel_cron_job.{first} will be created")),
        "[{backend:?}] a job deleted at the panel is planned again:\n{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("1 to add, 0 to change, 0 to destroy"),
        "[{backend:?}] the other job is not touched although its line moved:\n{}",
        plan.stdout
    );
    tf.apply();
    if backend == Backend::PanelAlpha {
        let moved = tf.state_attributes(&format!("panel_cron_job.{other}"))["id"].clone();
        assert_ne!(
            moved,
            other_id.as_str(),
            "[{backend:?}] the remaining job's line moved up, and its id followed"
        );
    }
    let jobs = sim_jobs(&sim);
    assert_eq!(jobs.len(), 3, "[{backend:?}] {jobs:?}");
    assert!(jobs.contains(&job(FOREIGN.0, FOREIGN.1, false)), "{jobs:?}");
    assert!(jobs.contains(&report), "{jobs:?}");
    tf.assert_empty_plan(&format!("[{backend:?}] after re-creating the job"));

    // 6. Destroy: Terraform's jobs go; the job made by hand stays until its owner goes.
    tf.run(&[
        "destroy",
        "-auto-approve",
        "-input=false",
        "-no-color",
        "-target=panel_cron_job.backup",
        "-target=panel_cron_job.report",
    ])
    .success();
    assert_eq!(
        sim_jobs(&sim),
        vec![job(FOREIGN.0, FOREIGN.1, false)],
        "[{backend:?}] only the job made by hand is left"
    );
    tf.destroy();
    assert!(
        sim.view().is_empty(),
        "[{backend:?}] the panel still holds objects after destroy: {:#?}",
        sim.view()
    );
}

/// The panel commits a job's create and the answer is lost: the apply records the job
/// (found again by owner, schedule and command) instead of losing it, and a second
/// apply neither fails nor creates it twice.
fn lost_create_answer(backend: Backend) {
    let sim = Sim::start(backend);
    let tf = sim.terraform();
    let step = Step {
        backup_command: "/usr/local/bin/backup.sh --lost-answer",
        backup_suspended: false,
    };
    let route = match backend {
        Backend::Hestia => "v-add-cron-job",
        _ => "POST /api/server-accounts/{id}/cron-jobs",
    };
    sim.set_faults(&serde_json::json!({"drop_after_commit": [{"route": route, "count": 2}]}));
    tf.write("main.tf", &config(backend, step));
    let outcome = tf.apply();
    assert!(
        outcome
            .output()
            .contains("Create Answer Lost, Object Recorded"),
        "[{backend:?}] the apply says what happened:\n{}",
        outcome.describe()
    );
    assert_eq!(sim_jobs(&sim).len(), 2, "[{backend:?}] each job once");
    for address in ["panel_cron_job.backup", "panel_cron_job.report"] {
        let id = tf.state_attributes(address)["id"].clone();
        assert!(
            id.as_str().is_some_and(|id| !id.is_empty()),
            "[{backend:?}] {address} is recorded with its id: {id}"
        );
    }
    tf.assert_empty_plan(&format!("[{backend:?}] after the lost answers"));
    tf.destroy();
    assert!(sim_jobs(&sim).is_empty());
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

fn job_block(schedule: &str, extra: &str) -> String {
    format!(
        "resource \"panel_cron_job\" \"job\" {{\n  owner    = \"1\"\n  schedule = {}\n  \
         command  = \"echo hi\"\n{extra}}}\n",
        hcl_string(schedule)
    )
}

#[test]
fn hestia() {
    run_lifecycle(Backend::Hestia);
    lost_create_answer(Backend::Hestia);
    let sim = Sim::start(Backend::Hestia);
    expect_plan_error(
        &sim,
        &job_block("0 24 * * *", ""),
        &[
            "with panel_cron_job.job",
            "`schedule` has an invalid hour field (field 2 of 5): \"24\" has 24, outside 0-23",
        ],
    );
    expect_plan_error(
        &sim,
        &job_block("0 2 * * *", "").replace("echo hi", "echo `date`"),
        &["Invalid Cron Command", "`hestia` panel refuses", "`$(...)`"],
    );
}

#[test]
fn panelalpha() {
    run_lifecycle(Backend::PanelAlpha);
    lost_create_answer(Backend::PanelAlpha);
    let sim = Sim::start(Backend::PanelAlpha);
    expect_plan_error(
        &sim,
        &job_block("0 2 * * *", "  suspended = true\n"),
        &[
            "Setting Not Supported",
            "with panel_cron_job.job",
            "The `panelalpha` panel cannot suspend a cron job",
        ],
    );
}

fn plesk(backend: Backend) {
    let sim = Sim::start(backend);
    expect_plan_error(
        &sim,
        &job_block("0 2 * * *", ""),
        &[
            "Not Supported By This Panel",
            &format!(
                "The `{}` panel has no cron job objects, so `panel_cron_job` cannot be used with it",
                backend.provider_type()
            ),
        ],
    );
    assert!(sim.view().is_empty(), "a refused plan changed nothing");
}

#[test]
fn plesk_rest() {
    plesk(Backend::PleskRest);
}

#[test]
fn plesk_xml() {
    plesk(Backend::PleskXml);
}
