//! PanelAlpha cron jobs: the lines of a hosting account's crontab
//! (`server-accounts/{id}/cron-jobs[/{line}]`, user API). A job is addressed by its line
//! number, which changes when a line above it is deleted, so a job is identified by
//! its content: every read, change and delete that knows the content
//! ([`Locator::content`]) checks the line still holds it, finds the job again by
//! content when it moved, and never changes or deletes a line holding anything else.
//! Ids: `userId/accountId/line`. Jobs go into the owner's first hosting account; the
//! API has no suspension.
//!
//! Finding a line and changing it are two requests, and a delete shifts every line
//! after it: two deletes in one crontab sent at once (Terraform destroys in parallel)
//! would each address a line found before the other's delete, and the second would
//! hit the line below, which may be a job Terraform does not own. So every change to
//! one crontab holds that crontab's lock ([`CrontabLocks`]) from the lookup to the
//! panel's answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::HttpRequest;
use super::error::FieldMap;
use super::{account_key, parse_number, ObjectId, PanelAlphaBackend, Source, Touch};
use crate::backends::rest::lenient_id;
use crate::panel::cron_job::{content, schedule_fields};
use crate::panel::{
    CronJob, CronJobKey, CronJobPatch, CronJobSpec, ListFilter, Locator, PanelError, PanelObject,
    PanelResult, Service,
};

const CRON_FIELDS: FieldMap = &[
    ("minute", "schedule"),
    ("hour", "schedule"),
    ("day_of_month", "schedule"),
    ("month", "schedule"),
    ("day_of_week", "schedule"),
    ("command", "command"),
];

/// One `GET server-accounts/{id}/cron-jobs` item (the vendor template's job shape,
/// with its line).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub(crate) struct CronItem {
    #[serde(default, deserialize_with = "lenient_id")]
    line: Option<i64>,
    #[serde(default, deserialize_with = "lenient_id")]
    id: Option<i64>,
    #[serde(default)]
    minute: String,
    #[serde(default)]
    hour: String,
    #[serde(default)]
    day_of_month: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    day_of_week: String,
    #[serde(default)]
    command: String,
}

impl CronItem {
    fn schedule(&self) -> String {
        [
            &self.minute,
            &self.hour,
            &self.day_of_month,
            &self.month,
            &self.day_of_week,
        ]
        .iter()
        .map(|f| f.trim())
        .collect::<Vec<_>>()
        .join(" ")
    }

    fn content(&self) -> String {
        content(&self.schedule(), &self.command)
    }

    /// The job, at `index` of its list when the item does not say its line.
    fn job(&self, user: i64, account: i64, index: usize) -> CronJob {
        let line = self
            .line
            .or(self.id)
            .unwrap_or_else(|| i64::try_from(index + 1).unwrap_or(i64::MAX));
        CronJob {
            id: format!("{user}/{account}/{line}"),
            owner: user.to_string(),
            schedule: self.schedule(),
            command: self.command.clone(),
            suspended: false,
        }
    }
}

/// The request body of a create or an update.
fn body(schedule: &str, command: &str) -> PanelResult<serde_json::Value> {
    let fields: [&str; 5] = schedule_fields(schedule).try_into().map_err(|_| {
        PanelError::invalid(
            Some("schedule"),
            format!("a cron schedule has five fields, got {schedule:?}"),
        )
    })?;
    if command.trim().is_empty() || command.contains(['\n', '\r', '\0']) {
        return Err(PanelError::invalid(
            Some("command"),
            "a cron command is one non-empty line",
        ));
    }
    Ok(json!({
        "minute": fields[0],
        "hour": fields[1],
        "day_of_month": fields[2],
        "month": fields[3],
        "day_of_week": fields[4],
        "command": command,
    }))
}

fn no_suspension() -> PanelError {
    PanelError::unsupported("panelalpha cron jobs cannot be suspended")
}

/// `userId/accountId/line`.
fn parse_id(id: &str) -> PanelResult<(i64, i64, i64)> {
    let (user, account, line) = ObjectId::parse(id, "cron job")?;
    let line = parse_number("id", &line)?;
    if line < 1 {
        return Err(PanelError::invalid(
            Some("id"),
            format!("crontab lines count from 1, got {line}"),
        ));
    }
    Ok((user, account, line))
}

/// One lock per crontab (hosting account), held by each change from finding its line
/// to the panel's answer.
#[derive(Debug, Default)]
pub(crate) struct CrontabLocks {
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl CrontabLocks {
    pub(crate) async fn lock(&self, user: i64, account: i64) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            // Entries are only inserted, so a poisoned map holds nothing torn.
            let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            locks.entry(account_key(user, account)).or_default().clone()
        };
        lock.lock_owned().await
    }
}

impl PanelAlphaBackend {
    async fn cron_list(&self, user: i64, account: i64) -> PanelResult<Arc<Option<Vec<CronItem>>>> {
        self.cron_jobs
            .get_or_load(&account_key(user, account), || {
                self.account_list(format!("server-accounts/{account}/cron-jobs"), user)
            })
            .await
    }

    /// Every job of one account.
    async fn cron_jobs_of(&self, user: i64, account: i64) -> PanelResult<Vec<CronJob>> {
        Ok(self
            .cron_list(user, account)
            .await?
            .as_ref()
            .iter()
            .flatten()
            .enumerate()
            .map(|(index, item)| item.job(user, account, index))
            .collect())
    }

    /// The job on `line`, if it holds `wanted` content (any content when `None`); else
    /// the first job holding `wanted`, wherever it moved.
    async fn locate_cron_job(
        &self,
        user: i64,
        account: i64,
        line: i64,
        wanted: Option<&str>,
    ) -> PanelResult<Option<CronJob>> {
        let list = self.cron_list(user, account).await?;
        let items = list.as_ref().as_deref().unwrap_or_default();
        let jobs: Vec<(CronJob, String)> = items
            .iter()
            .enumerate()
            .map(|(index, item)| (item.job(user, account, index), item.content()))
            .collect();
        let id = format!("{user}/{account}/{line}");
        let on_line = jobs.iter().find(|(job, _)| job.id == id);
        match (on_line, wanted) {
            (Some((job, _)), None) => Ok(Some(job.clone())),
            (Some((job, held)), Some(wanted)) if held == wanted => Ok(Some(job.clone())),
            (_, Some(wanted)) => Ok(jobs
                .into_iter()
                .find(|(_, held)| held == wanted)
                .map(|(job, _)| job)),
            (None, None) => Ok(None),
        }
    }

    /// [`locate_cron_job`](Self::locate_cron_job) on the panel's list of now.
    async fn locate_cron_job_fresh(&self, at: &Locator) -> PanelResult<Option<CronJob>> {
        let (user, account, line) = parse_id(&at.id)?;
        self.forget(Touch::CronJobs { user, account });
        self.locate_cron_job(user, account, line, at.content.as_deref())
            .await
    }

    /// The account a new job goes into: the owner's first hosting account.
    async fn cron_account(&self, user: i64) -> PanelResult<i64> {
        self.accounts_waiting(user)
            .await?
            .iter()
            .filter_map(|a| a.id)
            .min()
            .ok_or_else(|| {
                PanelError::invalid(
                    Some("owner"),
                    format!(
                        "panelalpha user {user} has no hosting account; give the user a plan first"
                    ),
                )
            })
    }

    /// The job a create or update answered, else the last job holding `wanted` in the
    /// account's list of now.
    async fn answered_job(
        &self,
        answer: &serde_json::Value,
        user: i64,
        account: i64,
        wanted: &str,
    ) -> PanelResult<CronJob> {
        if let Ok(item) = serde_json::from_value::<CronItem>(answer.clone()) {
            if item.line.or(item.id).is_some() && item.content() == wanted {
                return Ok(item.job(user, account, 0));
            }
        }
        self.forget(Touch::CronJobs { user, account });
        let jobs = self.cron_list(user, account).await?;
        jobs.as_ref()
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, item)| item.content() == wanted)
            .last()
            .map(|(index, item)| item.job(user, account, index))
            .ok_or_else(|| {
                PanelError::protocol(format!(
                    "the panel accepted the cron job, but hosting account {account} lists no \
                     line holding it"
                ))
                .maybe_done()
            })
    }
}

#[async_trait::async_trait]
impl Service<CronJob> for PanelAlphaBackend {
    async fn create(&self, spec: &CronJobSpec) -> PanelResult<CronJob> {
        if spec.suspended {
            return Err(no_suspension());
        }
        let request_body = body(&spec.schedule, &spec.command)?;
        let user = parse_number("owner", &spec.owner)?;
        let account = self.cron_account(user).await?;
        let _crontab = self.crontab_locks.lock(user, account).await;
        let request =
            HttpRequest::new(Method::POST, format!("server-accounts/{account}/cron-jobs"))
                .json(request_body);
        let touches = [Touch::CronJobs { user, account }];
        let answer = self
            .write(request, Some(user), CRON_FIELDS, &[], &touches)
            .await?;
        let wanted = CronJob::spec_key(spec).content();
        self.answered_job(&answer, user, account, &wanted).await
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<CronJob>> {
        let (user, account, line) = parse_id(&at.id)?;
        self.locate_cron_job(user, account, line, at.content.as_deref())
            .await
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<CronJob>> {
        self.locate_cron_job_fresh(at).await
    }

    /// In the owner's hosting accounts: the first line with the same five fields and
    /// exactly the same command.
    async fn find(&self, key: &CronJobKey) -> PanelResult<Option<CronJob>> {
        let user = parse_number("owner", &key.owner)?;
        for account in self.accounts_of(user, Source::Own).await? {
            let Some(account) = account.id else {
                continue;
            };
            let jobs = self.cron_jobs_of(user, account).await?;
            if let Some(job) = jobs.into_iter().find(|job| key.matches(job)) {
                return Ok(Some(job));
            }
        }
        Ok(None)
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<CronJob>> {
        let mut out = Vec::new();
        for (user, account) in self.listed_accounts(filter.owner.as_deref()).await? {
            out.extend(self.cron_jobs_of(user, account).await?);
        }
        Ok(out)
    }

    /// Rewrites the line that holds the job now (found again by content), never a line
    /// holding anything else.
    async fn update(&self, at: &Locator, patch: &CronJobPatch) -> PanelResult<CronJob> {
        if patch.suspended == Some(true) {
            return Err(no_suspension());
        }
        let (user, account, _) = parse_id(&at.id)?;
        let _crontab = self.crontab_locks.lock(user, account).await;
        let current = self.locate_cron_job_fresh(at).await?.ok_or_else(|| {
            PanelError::not_found(format!(
                "panelalpha cron job {} is no longer in its crontab",
                at.id
            ))
        })?;
        let schedule = patch.schedule.as_deref().unwrap_or(&current.schedule);
        let command = patch.command.as_deref().unwrap_or(&current.command);
        if schedule == current.schedule && command == current.command {
            return Ok(current);
        }
        let (_, _, line) = parse_id(&current.id)?;
        let request = HttpRequest::new(
            Method::PUT,
            format!("server-accounts/{account}/cron-jobs/{line}"),
        )
        .json(body(schedule, command)?);
        let touches = [Touch::CronJobs { user, account }];
        let answer = self
            .write(request, Some(user), CRON_FIELDS, &[], &touches)
            .await?;
        self.answered_job(&answer, user, account, &content(schedule, command))
            .await
    }

    /// Deletes the line that holds the job now; a job no line holds any more is gone.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (user, account, _) = parse_id(&at.id)?;
        let _crontab = self.crontab_locks.lock(user, account).await;
        let Some(current) = self.locate_cron_job_fresh(at).await? else {
            return Ok(());
        };
        let (_, _, line) = parse_id(&current.id)?;
        let request = HttpRequest::new(
            Method::DELETE,
            format!("server-accounts/{account}/cron-jobs/{line}"),
        );
        let touches = [Touch::CronJobs { user, account }];
        match self
            .write(request, Some(user), CRON_FIELDS, &[], &touches)
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(drop),
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<CronJob>> {
        self.locate_cron_job_fresh(&Locator::new(id)).await
    }

    fn import_id(&self, object: &CronJob) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER_ID/ACCOUNT_ID/LINE (e.g. 3/7/2: the job's line in the hosting account's crontab)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(line: i64, schedule: [&str; 5], command: &str) -> CronItem {
        CronItem {
            line: Some(line),
            id: Some(line),
            minute: schedule[0].into(),
            hour: schedule[1].into(),
            day_of_month: schedule[2].into(),
            month: schedule[3].into(),
            day_of_week: schedule[4].into(),
            command: command.into(),
        }
    }

    #[test]
    fn items_read_into_jobs_with_their_line() {
        let job = item(2, ["*/5", "*", "*", "*", "1-5"], "echo hi").job(3, 7, 0);
        assert_eq!(job.id, "3/7/2");
        assert_eq!(job.owner, "3");
        assert_eq!(job.schedule, "*/5 * * * 1-5");
        let unnumbered = CronItem {
            line: None,
            id: None,
            ..item(1, ["0", "0", "*", "*", "*"], "x")
        };
        assert_eq!(
            unnumbered.job(3, 7, 4).id,
            "3/7/5",
            "position counts from 1"
        );
        let from_json: CronItem = serde_json::from_value(json!({
            "id": "4", "line": "4", "minute": "0", "hour": "3", "day_of_month": "*",
            "month": "*", "day_of_week": "*", "command": "backup"
        }))
        .unwrap();
        assert_eq!(from_json.job(1, 2, 0).id, "1/2/4");
    }

    #[test]
    fn ids_and_bodies_are_checked_before_any_request() {
        assert_eq!(parse_id("3/7/2").unwrap(), (3, 7, 2));
        for bad in ["3/7", "3/7/x", "3/7/0", "a/7/1"] {
            assert!(parse_id(bad).is_err(), "{bad}");
        }
        assert_eq!(body("0 3 * * 1-5", "run").unwrap()["day_of_week"], "1-5");
        assert!(body("0 3 * *", "run").is_err());
        assert!(body("0 3 * * *", "a\nb").is_err());
    }
}
