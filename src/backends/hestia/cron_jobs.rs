//! HestiaCP cron jobs: `v-add-cron-job`, `v-change-cron-job`, `v-delete-cron-job`,
//! `v-suspend-cron-job` / `v-unsuspend-cron-job`, `v-list-cron-job(s)`. The panel
//! numbers a user's jobs (highest + 1, records 400-403) and its add answers nothing, so
//! the new job is the highest-numbered one of the owner's list with the spec's content.
//! A job's id is `USER/JOB`.

use crate::panel::cron_job::schedule_fields;
use crate::panel::{
    CronJob, CronJobKey, CronJobPatch, CronJobSpec, ListFilter, Locator, PanelError, PanelObject,
    PanelResult, Service,
};

use super::wire::{self, CronJobRecord};
use super::{missing_owner_is_input_error, single, yes, HestiaBackend, Touches};

pub(crate) fn cron_job_from_record(owner: &str, key: &str, record: &CronJobRecord) -> CronJob {
    let job = if record.job.trim().is_empty() {
        key
    } else {
        record.job.trim()
    };
    let fields = [
        &record.min,
        &record.hour,
        &record.day,
        &record.month,
        &record.wday,
    ];
    CronJob {
        id: format!("{owner}/{job}"),
        owner: owner.to_owned(),
        schedule: fields
            .iter()
            .map(|f| f.trim())
            .collect::<Vec<_>>()
            .join(" "),
        command: record.cmd.clone(),
        suspended: yes(&record.suspended),
    }
}

/// `USER/JOB` into its parts (the job a number).
fn parse_id(id: &str) -> Option<(&str, &str)> {
    let (owner, job) = id.trim().split_once('/')?;
    let numeric = !job.is_empty() && job.bytes().all(|b| b.is_ascii_digit());
    (!owner.is_empty() && numeric).then_some((owner, job))
}

fn job_number(job: &CronJob) -> u64 {
    parse_id(&job.id)
        .and_then(|(_, number)| number.parse().ok())
        .unwrap_or(0)
}

/// The five fields of a schedule, and a command HestiaCP takes and reads back
/// (checked before any request).
fn check_job<'a>(schedule: &'a str, command: &str) -> PanelResult<[&'a str; 5]> {
    let fields: [&str; 5] = schedule_fields(schedule).try_into().map_err(|_| {
        PanelError::invalid(
            Some("schedule"),
            format!("a cron schedule has five fields, got {schedule:?}"),
        )
    })?;
    if command.trim().is_empty() || command.contains(['`', '\\', '\n', '\r']) {
        return Err(PanelError::invalid(
            Some("command"),
            "hestia cron commands must be one non-empty line without backticks or backslashes",
        ));
    }
    Ok(fields)
}

fn malformed(id: &str) -> PanelError {
    PanelError::invalid(
        Some("id"),
        format!("hestia cron job ids look like USER/JOB (e.g. bob/3), got {id:?}"),
    )
}

impl HestiaBackend {
    /// `owner`'s cron jobs, from one shared `v-list-cron-jobs OWNER json`; an owner
    /// that does not exist has none.
    async fn cron_job_entries(&self, owner: &str) -> PanelResult<std::sync::Arc<Vec<CronJob>>> {
        self.cron_jobs
            .get_or_load(owner, || async {
                let command = wire::list_cron_jobs(owner);
                let Some(body) = self.read_optional(&command).await? else {
                    return Ok(Vec::new());
                };
                Ok(wire::parse_keyed::<CronJobRecord>(command.name, &body)?
                    .into_iter()
                    .map(|(key, record)| cron_job_from_record(owner, &key, &record))
                    .collect())
            })
            .await
    }

    /// One job, fresh: `v-list-cron-job OWNER JOB json`.
    async fn read_cron_job(&self, owner: &str, job: &str) -> PanelResult<Option<CronJob>> {
        let command = wire::list_cron_job(owner, job);
        let Some(body) = self.read_optional(&command).await? else {
            return Ok(None);
        };
        Ok(single::<CronJobRecord>(&command, &body)?
            .map(|(key, record)| cron_job_from_record(owner, &key, &record)))
    }

    async fn switch_cron_job(&self, owner: &str, job: &str, suspend: bool) -> PanelResult<()> {
        let command = if suspend {
            wire::suspend_cron_job(owner, job)
        } else {
            wire::unsuspend_cron_job(owner, job)
        };
        self.write(&command, Touches::CronJobs(owner)).await
    }
}

#[async_trait::async_trait]
impl Service<CronJob> for HestiaBackend {
    async fn create(&self, spec: &CronJobSpec) -> PanelResult<CronJob> {
        let fields = check_job(&spec.schedule, &spec.command)?;
        let owner = spec.owner.as_str();
        let command = wire::add_cron_job(owner, &fields, &spec.command);
        self.write(&command, Touches::CronJobs(owner))
            .await
            .map_err(missing_owner_is_input_error)?;
        let key = CronJob::spec_key(spec);
        let found = self
            .cron_job_entries(owner)
            .await?
            .iter()
            .filter(|job| key.matches(job))
            .max_by_key(|job| job_number(job))
            .cloned();
        let Some(mut created) = found else {
            // Added, but not listed: the engine looks it up by content again.
            return Err(PanelError::protocol(format!(
                "v-add-cron-job succeeded, but {owner}'s cron jobs list no job running {:?} at \
                 {:?}",
                spec.command, spec.schedule
            ))
            .maybe_done());
        };
        if spec.suspended {
            let number = job_number(&created).to_string();
            if let Err(error) = self.switch_cron_job(owner, &number, true).await {
                return Err(error.with_partial(created));
            }
            created.suspended = true;
        }
        self.fresh.remember(&created, owner);
        Ok(created)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<CronJob>> {
        let Some((owner, job)) = parse_id(&at.id) else {
            return Ok(None);
        };
        let wanted = format!("{owner}/{job}");
        Ok(self
            .cron_job_entries(owner)
            .await?
            .iter()
            .find(|j| j.id == wanted)
            .cloned())
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<CronJob>> {
        if let Some(job) = self.fresh.take::<CronJob>(&at.id) {
            return Ok(Some(job));
        }
        match parse_id(&at.id) {
            Some((owner, job)) => self.read_cron_job(owner, job).await,
            None => Ok(None),
        }
    }

    /// Among the owner's jobs (one shared list): the same five fields and exactly the
    /// same command; the lowest-numbered when several are identical.
    async fn find(&self, key: &CronJobKey) -> PanelResult<Option<CronJob>> {
        Ok(self
            .cron_job_entries(&key.owner)
            .await?
            .iter()
            .filter(|job| key.matches(job))
            .min_by_key(|job| job_number(job))
            .cloned())
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<CronJob>> {
        let jobs = |owner: String| async move {
            Ok(self.cron_job_entries(&owner).await?.as_ref().clone())
        };
        match &filter.owner {
            Some(owner) => jobs(owner.clone()).await,
            None => self.for_every_owner(jobs).await,
        }
    }

    /// `v-change-cron-job` rewrites every field and refuses a suspended job, so a
    /// suspended job is resumed for the change and suspended again after it.
    async fn update(&self, at: &Locator, patch: &CronJobPatch) -> PanelResult<CronJob> {
        let (owner, job) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let missing = || PanelError::not_found(format!("hestia cron job {} does not exist", at.id));
        let current = self.read_cron_job(owner, job).await?.ok_or_else(missing)?;
        let schedule = patch.schedule.as_deref().unwrap_or(&current.schedule);
        let command = patch.command.as_deref().unwrap_or(&current.command);
        let suspended = patch.suspended.unwrap_or(current.suspended);
        let rewrite = schedule != current.schedule || command != current.command;
        if rewrite {
            let fields = check_job(schedule, command)?;
            if current.suspended {
                self.switch_cron_job(owner, job, false).await?;
            }
            let change = wire::change_cron_job(owner, job, &fields, command);
            self.write(&change, Touches::CronJobs(owner)).await?;
            if suspended {
                self.switch_cron_job(owner, job, true).await?;
            }
        } else if suspended != current.suspended {
            self.switch_cron_job(owner, job, suspended).await?;
        }
        self.read_cron_job(owner, job).await?.ok_or_else(missing)
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (owner, job) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        match self
            .write(&wire::delete_cron_job(owner, job), Touches::CronJobs(owner))
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<CronJob>> {
        let (owner, job) = parse_id(id).ok_or_else(|| malformed(id))?;
        self.read_cron_job(owner, job).await
    }

    fn import_id(&self, object: &CronJob) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER/JOB (e.g. bob/3: the JOB number `v-list-cron-jobs USER` shows)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backends::hestia::error::parse_error;
    use crate::backends::hestia::tests::{backend, replaying_server};
    use crate::panel::PanelErrorKind;
    use std::sync::atomic::Ordering;

    #[test]
    fn ids_are_user_and_job_number() {
        assert_eq!(parse_id("bob/3"), Some(("bob", "3")));
        assert_eq!(parse_id(" bob/50 "), Some(("bob", "50")));
        for bad in ["bob", "bob/", "/3", "bob/x", "bob/3/4"] {
            assert_eq!(parse_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn refusals_name_the_attribute() {
        for (record, field) in [
            ("Error: invalid min format :: 60", "schedule"),
            ("Error: invalid wday format :: 8", "schedule"),
            ("Error: Invalid cron command format", "command"),
        ] {
            let error = parse_error("v-add-cron-job", Some(2), record);
            assert_eq!(
                error.kind,
                PanelErrorKind::InvalidInput {
                    field: Some(field.into())
                },
                "{record}"
            );
        }
        let missing = parse_error(
            "v-add-cron-job",
            Some(3),
            "Error: user nosuchuser doesn't exist",
        );
        assert!(missing.is_not_found());
        assert!(missing.message.contains("[owner]"), "{}", missing.message);
        let gone = parse_error(
            "v-delete-cron-job",
            Some(3),
            "Error: cron job 999 doesn't exist",
        );
        assert!(gone.is_not_found());
        assert!(check_job("* * * *", "x").is_err());
        assert!(check_job("* * * * *", "echo `id`").is_err());
        assert!(check_job("* * * * *", "echo a\\b").is_err());
        assert_eq!(
            check_job("*/5  * * * *", "echo 'a b' \"c\"").ok(),
            Some(["*/5", "*", "*", "*", "*"])
        );
    }

    #[tokio::test]
    async fn the_recorded_list_reads_into_jobs() {
        // Record 404: `v-list-cron-jobs capmore json`, quotes escaped by the panel.
        let (url, hits) = replaying_server("404-list-cron-jobs").await;
        let backend = backend(url);
        let jobs = Service::<CronJob>::list(&backend, &ListFilter::owned_by("capmore"))
            .await
            .unwrap();
        let quoted = jobs.iter().find(|j| j.id == "capmore/2").unwrap();
        assert_eq!(quoted.schedule, "0 3 * * 1-5");
        assert_eq!(
            quoted.command,
            "php /home/capmore/run.php --opt='a b' \"c d\""
        );
        let key = CronJobKey {
            owner: "capmore".into(),
            schedule: "30 2 1 1,7 0".into(),
            command: "echo fixed-id".into(),
        };
        let found = Service::<CronJob>::find(&backend, &key).await.unwrap();
        assert_eq!(found.map(|j| j.id).as_deref(), Some("capmore/50"));
        let at = Locator::new("capmore/1");
        let first = Service::<CronJob>::get(&backend, &at).await.unwrap();
        assert_eq!(first.map(|j| j.schedule).as_deref(), Some("*/5 * * * *"));
        assert_eq!(hits.load(Ordering::SeqCst), 1, "one shared list");
    }

    #[tokio::test]
    async fn an_import_is_one_single_job_read() {
        // Record 405: `v-list-cron-job capmore 50 json`.
        let (url, hits) = replaying_server("405-list-cron-job").await;
        let job = Service::<CronJob>::import(&backend(url), "capmore/50")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(job.id, "capmore/50");
        assert_eq!(job.schedule, "30 2 1 1,7 0");
        assert!(!job.suspended);
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }
}
