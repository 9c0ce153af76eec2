//! Cron job cases: create / read / update / suspend / delete / import / find through
//! the backend, checked in the simulator's state; jobs that move (PanelAlpha renumbers
//! a crontab when a line above is deleted) and lines Terraform does not own; a create
//! whose answer is lost, found again by content; Plesk has no cron service at all.

use serde_json::{json, Value};
use terraform_provider_panel::panel::{
    CronJob, CronJobKey, CronJobPatch, CronJobSpec, ListFilter, Locator, PanelErrorKind, PanelKind,
    PanelObject, Service, User,
};

use super::{assert_invalid, assert_kind, ok, service, Fixture};

fn cron(fx: &Fixture) -> &dyn Service<CronJob> {
    service::<CronJob>(fx.panel.as_ref()).expect("a cron job service")
}

fn spec(owner: &User, schedule: &str, command: &str) -> CronJobSpec {
    CronJobSpec {
        owner: owner.id.clone(),
        schedule: schedule.to_owned(),
        command: command.to_owned(),
        suspended: false,
    }
}

/// The simulator's jobs of `owner` (the panel id), in panel order, as
/// `(schedule, command, suspended)`.
fn sim_jobs(fx: &Fixture, dump: &Value, owner: &str) -> Vec<(String, String, bool)> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    match fx.kind {
        PanelKind::Hestia => dump["users"][owner]["cron_jobs"]
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
        PanelKind::PanelAlpha => dump["accounts"]
            .as_object()
            .into_iter()
            .flat_map(|m| m.values())
            .filter(|a| {
                a["user_id"]
                    .as_u64()
                    .is_some_and(|id| owner.parse() == Ok(id))
            })
            .flat_map(|a| a["cron_jobs"].as_array().cloned().unwrap_or_default())
            .map(|j| {
                let schedule = ["minute", "hour", "day_of_month", "month", "day_of_week"]
                    .map(|f| text(&j[f]))
                    .join(" ");
                (schedule, text(&j["command"]), false)
            })
            .collect(),
        PanelKind::PleskRest | PanelKind::PleskXml => Vec::new(),
    }
}

fn at(job: &CronJob) -> Locator {
    job.locator()
}

/// Plesk: no scheduled-task API, so no service (the resource refuses at plan time).
fn assert_no_service(fx: &Fixture) -> bool {
    if matches!(fx.kind, PanelKind::PleskRest | PanelKind::PleskXml) {
        assert!(
            fx.panel.cron_jobs().is_none(),
            "{}: Plesk offers no cron API, yet the backend has a cron service",
            fx.kind.as_str()
        );
        return true;
    }
    false
}

pub async fn lifecycle(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    if assert_no_service(&fx) {
        return;
    }
    let owner = fx.create_owner("cron").await;
    let cron = cron(&fx);
    let wanted = spec(
        &owner,
        "*/5 * * * *",
        "php /home/x/run.php --opt='a b' \"c d\"",
    );
    assert_eq!(
        ok(cron.find(&CronJob::spec_key(&wanted)).await, "find before"),
        None
    );
    let created = ok(cron.create(&wanted).await, "create");
    assert_eq!(created.owner, owner.id);
    assert_eq!(created.schedule, wanted.schedule);
    assert_eq!(created.command, wanted.command);
    assert!(!created.suspended);
    assert_eq!(
        ok(cron.read_back(&at(&created)).await, "read_back").as_ref(),
        Some(&created)
    );
    let fresh = fx.backend();
    let fresh_cron = service::<CronJob>(fresh.as_ref()).expect("service");
    assert_eq!(
        ok(fresh_cron.get(&at(&created)).await, "fresh get").as_ref(),
        Some(&created)
    );
    let key = CronJobKey {
        owner: owner.id.clone(),
        schedule: "*/5  *  * * *".into(),
        command: wanted.command.clone(),
    };
    assert_eq!(
        ok(fresh_cron.find(&key).await, "find by content").as_ref(),
        Some(&created)
    );
    let other_command = CronJobKey {
        command: "php /home/x/run.php".into(),
        ..key.clone()
    };
    assert_eq!(
        ok(fresh_cron.find(&other_command).await, "find other"),
        None
    );
    let dump = fx.control.state().await;
    assert_eq!(
        sim_jobs(&fx, &dump, &owner.id),
        vec![(wanted.schedule.clone(), wanted.command.clone(), false)]
    );
    let listed = ok(
        fresh_cron
            .list(&ListFilter::owned_by(owner.id.clone()))
            .await,
        "list",
    );
    assert_eq!(listed, vec![created.clone()]);
    assert!(ok(fresh_cron.list(&ListFilter::default()).await, "list all").contains(&created));

    // In place: the command, then the schedule; the id stays.
    let patch = CronJobPatch {
        command: Some("echo changed".into()),
        ..CronJobPatch::default()
    };
    let changed = ok(cron.update(&at(&created), &patch).await, "update command");
    assert_eq!(changed.id, created.id);
    assert_eq!(changed.command, "echo changed");
    let patch = CronJobPatch {
        schedule: Some("30 2 1 1,7 0".into()),
        ..CronJobPatch::default()
    };
    let changed = ok(cron.update(&at(&changed), &patch).await, "update schedule");
    assert_eq!(changed.id, created.id);
    assert_eq!(changed.schedule, "30 2 1 1,7 0");
    let dump = fx.control.state().await;
    assert_eq!(
        sim_jobs(&fx, &dump, &owner.id),
        vec![("30 2 1 1,7 0".to_owned(), "echo changed".to_owned(), false)]
    );

    // Suspension where the panel has it; a suspended job's command still changes.
    let suspend = CronJobPatch {
        suspended: Some(true),
        ..CronJobPatch::default()
    };
    let changed = if fx.caps().cron_job_suspend {
        let suspended = ok(cron.update(&at(&changed), &suspend).await, "suspend");
        assert!(suspended.suspended);
        let patch = CronJobPatch {
            command: Some("echo while-suspended".into()),
            ..CronJobPatch::default()
        };
        let rewritten = ok(
            cron.update(&at(&suspended), &patch).await,
            "change a suspended job",
        );
        assert!(
            rewritten.suspended,
            "the job stays suspended: {rewritten:?}"
        );
        assert_eq!(rewritten.command, "echo while-suspended");
        let dump = fx.control.state().await;
        assert_eq!(
            sim_jobs(&fx, &dump, &owner.id),
            vec![(
                "30 2 1 1,7 0".to_owned(),
                "echo while-suspended".to_owned(),
                true
            )]
        );
        let resume = CronJobPatch {
            suspended: Some(false),
            ..CronJobPatch::default()
        };
        let resumed = ok(cron.update(&at(&rewritten), &resume).await, "resume");
        assert!(!resumed.suspended);
        resumed
    } else {
        assert_kind(
            cron.update(&at(&changed), &suspend).await,
            PanelErrorKind::Unsupported,
            "suspend where the panel cannot",
        );
        let mut suspended_spec = spec(&owner, "0 0 * * *", "echo never");
        suspended_spec.suspended = true;
        assert_kind(
            cron.create(&suspended_spec).await,
            PanelErrorKind::Unsupported,
            "create suspended where the panel cannot",
        );
        changed
    };

    // Import by the documented id.
    let imported = ok(fresh_cron.import(&changed.id).await, "import");
    assert_eq!(imported.as_ref(), Some(&changed));
    assert_eq!(cron.import_id(&changed), changed.id);

    ok(cron.delete(&at(&changed)).await, "delete");
    ok(
        cron.delete(&at(&changed)).await,
        "delete again is idempotent",
    );
    assert_eq!(ok(cron.get(&at(&changed)).await, "get after delete"), None);
    let dump = fx.control.state().await;
    assert!(sim_jobs(&fx, &dump, &owner.id).is_empty());
}

/// A job stays itself when other jobs around it go: on PanelAlpha the line numbers
/// move and the job is found again by content, and a stale line that now holds
/// another job is never changed or deleted.
pub async fn renumbering(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    if assert_no_service(&fx) {
        return;
    }
    let owner = fx.create_owner("renum").await;
    let cron = cron(&fx);
    let first = ok(
        cron.create(&spec(&owner, "0 1 * * *", "echo first")).await,
        "first",
    );
    let second = ok(
        cron.create(&spec(&owner, "0 2 * * *", "echo second")).await,
        "second",
    );
    let third = ok(
        cron.create(&spec(&owner, "0 3 * * *", "echo third")).await,
        "third",
    );
    // Out of band: the first job goes (a person at the panel).
    ok(cron.delete(&at(&first)).await, "delete first");
    let fresh = fx.backend();
    let fresh_cron = service::<CronJob>(fresh.as_ref()).expect("service");
    let moved = ok(
        fresh_cron.get(&at(&second)).await,
        "get second after the delete",
    )
    .expect("the second job is still there");
    assert_eq!(moved.command, "echo second");
    if kind == PanelKind::PanelAlpha {
        assert_ne!(moved.id, second.id, "its line moved up: {moved:?}");
    } else {
        assert_eq!(moved.id, second.id, "hestia job numbers stay");
    }
    // A change through the stale locator rewrites the job where it is now.
    let patch = CronJobPatch {
        command: Some("echo second-changed".into()),
        ..CronJobPatch::default()
    };
    let changed = ok(
        fresh_cron.update(&at(&second), &patch).await,
        "update stale",
    );
    assert_eq!(changed.id, moved.id);
    let dump = fx.control.state().await;
    assert_eq!(
        sim_jobs(&fx, &dump, &owner.id),
        vec![
            (
                "0 2 * * *".to_owned(),
                "echo second-changed".to_owned(),
                false
            ),
            ("0 3 * * *".to_owned(), "echo third".to_owned(), false),
        ]
    );
    if kind == PanelKind::PanelAlpha {
        // The second job's old line now holds the third job, and no line holds the
        // second job's old content: a delete by that stale locator touches nothing.
        ok(
            fresh_cron.delete(&at(&second)).await,
            "delete by stale content",
        );
        let dump = fx.control.state().await;
        assert_eq!(
            sim_jobs(&fx, &dump, &owner.id).len(),
            2,
            "a line holding another job was deleted"
        );
    }
    let third_now =
        ok(fresh_cron.get(&at(&third)).await, "get third").expect("the third job is still there");
    ok(fresh_cron.delete(&at(&third_now)).await, "delete third");
    ok(fresh_cron.delete(&at(&changed)).await, "delete second");
    let dump = fx.control.state().await;
    assert!(sim_jobs(&fx, &dump, &owner.id).is_empty());
}

/// The create's answer is lost after the panel committed: the job is not created
/// twice, and a lookup by content (what the engine does) finds it.
pub async fn lost_create_answer(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    if assert_no_service(&fx) {
        return;
    }
    let owner = fx.create_owner("lost").await;
    let cron = cron(&fx);
    let wanted = spec(&owner, "15 4 * * *", "echo lost-answer");
    let key = CronJob::spec_key(&wanted);
    // The engine looks first; that also leaves only the create itself to be sent.
    assert_eq!(ok(cron.find(&key).await, "find before"), None);
    let route = match kind {
        PanelKind::Hestia => "v-add-cron-job",
        _ => "POST /api/server-accounts/{id}/cron-jobs",
    };
    fx.control.clear_requests().await;
    fx.control
        .faults(json!({"drop_after_commit": [{"route": route}]}))
        .await;
    let error = match cron.create(&wanted).await {
        Ok(job) => panic!("create succeeded although its answer was lost: {job:?}"),
        Err(e) => e,
    };
    assert!(error.may_have_taken_effect(), "{error:?}");
    assert_eq!(fx.control.requests().await.route(route), 1, "sent once");
    let found = ok(fx.backend().get_cron_job_by_key(&key).await, "find after")
        .expect("the committed job is found by content");
    assert_eq!(found.command, wanted.command);
    let dump = fx.control.state().await;
    assert_eq!(
        sim_jobs(&fx, &dump, &owner.id).len(),
        1,
        "one job, no duplicate"
    );
}

/// Bad input is refused before any request, naming the attribute.
pub async fn invalid_input(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    if assert_no_service(&fx) {
        return;
    }
    let owner = fx.create_owner("badcron").await;
    let cron = cron(&fx);
    fx.control.clear_requests().await;
    assert_invalid(
        cron.create(&spec(&owner, "* * * *", "echo x")).await,
        "schedule",
        "four fields",
    );
    assert_invalid(
        cron.create(&spec(&owner, "* * * * *", "echo a\necho b"))
            .await,
        "command",
        "two lines",
    );
    if kind == PanelKind::Hestia {
        assert_invalid(
            cron.create(&spec(&owner, "* * * * *", "echo `id`")).await,
            "command",
            "backtick",
        );
        // The panel's own refusal of a field, mapped to the attribute (record 410).
        assert_invalid(
            cron.create(&spec(&owner, "60 * * * *", "echo x")).await,
            "schedule",
            "minute 60",
        );
    }
}

/// Lookups by content through a fresh backend, as the engine's recovery does.
#[async_trait::async_trait]
trait FindByKey {
    async fn get_cron_job_by_key(
        &self,
        key: &CronJobKey,
    ) -> terraform_provider_panel::panel::PanelResult<Option<CronJob>>;
}

#[async_trait::async_trait]
impl FindByKey for std::sync::Arc<dyn terraform_provider_panel::panel::Panel> {
    async fn get_cron_job_by_key(
        &self,
        key: &CronJobKey,
    ) -> terraform_provider_panel::panel::PanelResult<Option<CronJob>> {
        service::<CronJob>(self.as_ref())?.find(key).await
    }
}

/// Terraform destroys in parallel: deletes of several jobs of one crontab at once
/// must each remove their own job, never the job that moved onto their line.
pub async fn parallel_deletes(kind: PanelKind) {
    let fx = Fixture::start(kind).await;
    if assert_no_service(&fx) {
        return;
    }
    let owner = fx.create_owner("par").await;
    let cron = cron(&fx);
    let mut ours = Vec::new();
    for n in 1..=4 {
        let job = spec(&owner, &format!("{n} 0 * * *"), &format!("echo ours-{n}"));
        ours.push(ok(cron.create(&job).await, "create ours"));
    }
    let foreign = spec(&owner, "59 23 * * *", "echo not-terraforms");
    ok(cron.create(&foreign).await, "create the foreign job");
    let locators: Vec<Locator> = ours.iter().map(at).collect();
    let deletes = locators.iter().map(|locator| cron.delete(locator));
    for result in futures::future::join_all(deletes).await {
        ok(result, "parallel delete");
    }
    let dump = fx.control.state().await;
    assert_eq!(
        sim_jobs(&fx, &dump, &owner.id),
        vec![(
            "59 23 * * *".to_owned(),
            "echo not-terraforms".to_owned(),
            false
        )],
        "{}: the parallel deletes removed exactly Terraform's jobs",
        kind.as_str()
    );
}
