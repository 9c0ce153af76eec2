//! `panel_cron_job`: a scheduled command of a user (HestiaCP cron job; PanelAlpha
//! crontab line of the user's hosting account), with the `panel_cron_job` /
//! `panel_cron_jobs` data sources. Plesk's APIs offer no scheduled tasks, so there the
//! resource is refused at plan time (the engine's "not supported by this panel").

use std::cmp::Ordering;

use crate::attr;
use crate::framework::model::Field;
use crate::framework::validate;
use crate::panel::cron_job::{normal_schedule, same_schedule, schedule_problem};
use crate::panel::{
    CronJob, CronJobKey, CronJobPatch, CronJobSpec, ListFilter, Locator, PanelHandle,
};
use crate::tfvalue::Value;

use super::engine::{ObjectType, TypedPlan};

crate::model! {
    /// The attributes of `panel_cron_job`.
    pub struct CronJobModel {
        id: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The panel's id for the job: `USER/JOB` (the job number) on HestiaCP, \
                 `USER_ID/ACCOUNT_ID/LINE` (the crontab line) on PanelAlpha. A PanelAlpha line \
                 number changes when a line above it is deleted; the job is then found again \
                 by its schedule and command, and the id follows it.",
            ),
        owner: String
            .required()
            .requires_replace()
            .markdown(
                "The `id` of the `panel_user` whose job this is (PanelAlpha: the job goes into \
                 the user's first hosting account). Changing it replaces the job.",
            ),
        schedule: String
            .required()
            .validator(validate::custom("cron schedule", |value| {
                schedule_problem(value.as_str()?)
            }))
            .markdown(
                "When the command runs: the five cron fields `minute hour day-of-month month \
                 day-of-week` separated by spaces, e.g. `\"*/5 * * * *\"` or `\"30 2 * * 1-5\"`. \
                 Each field is `*`, `*/N`, a number, a range `A-B` (optionally `A-B/N`) or a \
                 comma-separated list of those, with numbers in the field's range (minute \
                 0-59, hour 0-23, day 1-31, month 1-12, day of week 0-7 with 0 and 7 Sunday). \
                 Names (`jan`, `mon`) and macros (`@daily`) are not accepted, as HestiaCP \
                 refuses them; checked at plan time. Changed in place.",
            ),
        command: String
            .required()
            .validator(validate::custom("cron command", |value| {
                let command = value.as_str()?;
                if command.trim().is_empty() {
                    Some("must not be empty".to_owned())
                } else if command.contains(['\n', '\r', '\0']) {
                    Some("must be one line: a line break would start another crontab line".to_owned())
                } else {
                    None
                }
            }))
            .markdown(
                "The shell command, one line. Changed in place. HestiaCP refuses backticks \
                 (use `$(...)`) and backslashes, which is checked at plan time.",
            ),
        suspended: bool
            .optional()
            .computed()
            .default(Value::Bool(false))
            .markdown(
                "Whether the job is suspended (kept, but not run). Defaults to `false`; changed \
                 in place. HestiaCP only (`v-suspend-cron-job`); PanelAlpha cannot suspend a \
                 job, and `true` is refused there at plan time.",
            ),
    }
}

crate::model! {
    /// The filters of `panel_cron_jobs`.
    pub struct CronJobFilters {
        owner: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "Only jobs of this user: a `panel_user` `id` (HestiaCP: the login; PanelAlpha: \
                 the numeric id).",
            ),
    }
}

/// `panel_cron_job` on the engine.
pub struct CronJobType;

const PANEL_MAPPING: &str = "On HestiaCP a cron job belongs to a user and is numbered by the \
     panel (`v-add-cron-job`, `v-list-cron-jobs`); on PanelAlpha it is a line of the crontab of \
     the user's hosting account (`server-accounts/{id}/cron-jobs`), numbered by its position. \
     Plesk (REST and XML APIs) offers no scheduled tasks through its APIs.";

/// The longest command a generated resource name is made from.
const ADOPT_KEY_COMMAND: usize = 40;

impl ObjectType for CronJobType {
    type Model = CronJobModel;
    type Object = CronJob;
    type Filters = CronJobFilters;

    const TYPE_NAME: &'static str = "panel_cron_job";
    const LIST_TYPE_NAME: &'static str = "panel_cron_jobs";
    const LIST_ATTRIBUTE: &'static str = "cron_jobs";

    fn references() -> &'static [(&'static str, &'static str, &'static str)] {
        &[("owner", "panel_user", "id")]
    }

    fn adopt_key(state: &CronJobModel) -> String {
        let command: String = state
            .command
            .str()
            .unwrap_or_default()
            .chars()
            .take(ADOPT_KEY_COMMAND)
            .collect();
        format!("{} {command}", state.owner.str().unwrap_or_default())
    }

    fn description() -> String {
        "A cron job: a command a user's crontab runs on a schedule.\n\n\
         * **HestiaCP**: a cron job of the owning user (`v-add-cron-job`, `v-change-cron-job`, \
         `v-delete-cron-job`, `v-suspend-cron-job` / `v-unsuspend-cron-job`). The panel numbers \
         the user's jobs; the id is `USER/JOB`. A suspended owner's jobs cannot be added or \
         changed.\n\
         * **PanelAlpha**: a line of the crontab of the owner's first hosting account \
         (`server-accounts/{id}/cron-jobs`). Lines are numbered by position, so deleting a line \
         above renumbers the job: the provider remembers the job's schedule and command, finds \
         it again by them when its line moved, and never changes or deletes a line holding \
         anything else. Jobs cannot be suspended there.\n\
         * **Plesk** (REST and XML API): neither API offers scheduled tasks, so the resource is \
         refused at plan time.\n\n\
         The schedule is checked at plan time field by field. A job is identified by its owner, \
         schedule and command: an existing identical job is reported (with the import command) \
         instead of being created twice, and a job whose create answer was lost is found again \
         by them.\n\n\
         ## Import\n\n\
         * HestiaCP: `USER/JOB`, e.g. `bob/3` (the `JOB` column of `v-list-cron-jobs`);\n\
         * PanelAlpha: `USER_ID/ACCOUNT_ID/LINE`.\n\n\
         ```shell\n\
         terraform import panel_cron_job.backup bob/3\n\
         ```"
        .to_owned()
    }

    fn lookup_description() -> String {
        format!(
            "Looks up one existing cron job, either by `id` or by `owner` + `schedule` + \
             `command` (exactly one of the two), and exposes its attributes. {PANEL_MAPPING} \
             Reading fails with an error naming the lookup when no job matches."
        )
    }

    fn list_description() -> String {
        format!(
            "Lists the panel's cron jobs, optionally only those of one `owner`. \
             {PANEL_MAPPING} With `owner`, only that user's jobs are listed (HestiaCP: \
             `v-list-cron-jobs` of that user; PanelAlpha: the user's hosting accounts). Jobs \
             are sorted by owner and id."
        )
    }

    fn data_attribute_description(name: &str) -> Option<String> {
        let text = match name {
            "id" => {
                "The panel's id: `USER/JOB` on HestiaCP, `USER_ID/ACCOUNT_ID/LINE` on \
                 PanelAlpha. Set it to look the job up by id, or leave it out."
            }
            "owner" => {
                "The `id` of the owning user (`panel_user`). Set it together with `schedule` \
                 and `command` to look the job up by content."
            }
            "schedule" => "The five cron fields, `minute hour day-of-month month day-of-week`.",
            "command" => "The command the job runs.",
            "suspended" => "Whether the job is suspended (HestiaCP; always false on PanelAlpha).",
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn label(model: &CronJobModel) -> String {
        match (model.command.str(), model.id.str()) {
            (Some(command), _) => format!("cron job {command:?}"),
            (None, Some(id)) => format!("cron job {id:?}"),
            (None, None) => "cron job".to_owned(),
        }
    }

    /// A schedule respaced in configuration plans an update whose patch is empty (the
    /// planned value of a required attribute must be the configured one), and the state
    /// then keeps the new spelling: nothing is sent to the panel.
    fn plan(panel: Option<&PanelHandle>, plan: &mut TypedPlan<CronJobModel>) {
        let Some(panel) = panel else {
            return;
        };
        let capabilities = panel.capabilities;
        let name = panel.name();
        let suspend = plan.planned.suspended == Field::Known(true);
        if suspend && plan.changes(|m| &m.suspended) && !capabilities.cron_job_suspend {
            plan.error_at(
                attr!(CronJobModel, suspended),
                "Setting Not Supported",
                format!(
                    "The `{name}` panel cannot suspend a cron job; remove `suspended` or set it \
                     to false (delete the job to stop it)."
                ),
            );
        }
        if let Some(command) = plan.planned.command.str() {
            let refused: Vec<char> = capabilities
                .cron_command_refuses
                .iter()
                .copied()
                .filter(|c| command.contains(*c))
                .collect();
            if !refused.is_empty() {
                let listed = refused
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(" and ");
                plan.error_at(
                    attr!(CronJobModel, command),
                    "Invalid Cron Command",
                    format!(
                        "The `{name}` panel refuses or cannot read back {listed} in a cron \
                         job's command. Rewrite the command without it (for a backtick, use \
                         `$(...)`; or put the command in a script and run the script)."
                    ),
                );
            }
        }
    }

    fn spec(
        _panel: &PanelHandle,
        planned: &CronJobModel,
        _config: &CronJobModel,
    ) -> Result<CronJobSpec, crate::framework::diag::Diagnostics> {
        Ok(CronJobSpec {
            owner: planned.owner.owned().unwrap_or_default(),
            schedule: normal_schedule(planned.schedule.str().unwrap_or_default()),
            command: planned.command.owned().unwrap_or_default(),
            suspended: planned.suspended.get().copied().unwrap_or(false),
        })
    }

    fn patch(
        _panel: &PanelHandle,
        prior: &CronJobModel,
        planned: &CronJobModel,
        _config: &CronJobModel,
    ) -> Result<CronJobPatch, crate::framework::diag::Diagnostics> {
        let mut patch = CronJobPatch::default();
        if let (Some(before), Some(now)) = (prior.schedule.str(), planned.schedule.str()) {
            if !same_schedule(before, now) {
                patch.schedule = Some(normal_schedule(now));
            }
        }
        if prior.command != planned.command {
            patch.command = planned.command.owned();
        }
        if prior.suspended != planned.suspended {
            patch.suspended = planned.suspended.get().copied();
        }
        Ok(patch)
    }

    /// The configured spelling of the schedule is kept when the panel reports the same
    /// five fields.
    fn state(_panel: &PanelHandle, job: &CronJob, prior: Option<&CronJobModel>) -> CronJobModel {
        let schedule = match prior.and_then(|p| p.schedule.str()) {
            Some(configured) if same_schedule(configured, &job.schedule) => configured.to_owned(),
            _ => job.schedule.clone(),
        };
        CronJobModel {
            id: Field::text(job.id.clone()),
            owner: Field::text(job.owner.clone()),
            schedule: Field::text(schedule),
            command: Field::text(job.command.clone()),
            suspended: Field::Known(job.suspended),
        }
    }

    fn locator(state: &CronJobModel) -> Locator {
        let locator =
            Locator::new(state.id.owned().unwrap_or_default()).with_owner(state.owner.str());
        match (state.schedule.str(), state.command.str()) {
            (Some(schedule), Some(command)) => {
                locator.with_content(crate::panel::cron_job::content(schedule, command))
            }
            _ => locator,
        }
    }

    fn key_of_state(panel: &PanelHandle, state: &CronJobModel) -> Option<CronJobKey> {
        Self::lookup_key(panel, state)
    }

    fn lookups() -> &'static [&'static [&'static str]] {
        &[&["id"], &["owner", "schedule", "command"]]
    }

    fn lookup_key(_panel: &PanelHandle, config: &CronJobModel) -> Option<CronJobKey> {
        Some(CronJobKey {
            owner: config.owner.owned()?,
            schedule: normal_schedule(config.schedule.str()?),
            command: config.command.owned()?,
        })
    }

    fn list_filter(filters: &CronJobFilters) -> ListFilter {
        ListFilter {
            owner: filters.owner.owned(),
        }
    }

    fn list_keeps(filters: &CronJobFilters, item: &CronJobModel) -> bool {
        filters
            .owner
            .str()
            .is_none_or(|owner| item.owner.str() == Some(owner))
    }

    fn list_order(a: &CronJobModel, b: &CronJobModel) -> Ordering {
        let number = |m: &CronJobModel| -> (String, Vec<u64>) {
            let id = m.id.str().unwrap_or_default();
            let numbers = id
                .split('/')
                .map(|part| part.parse().unwrap_or(u64::MAX))
                .collect();
            (m.owner.owned().unwrap_or_default(), numbers)
        };
        number(a).cmp(&number(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::Model;
    use crate::panel::fake::FakePanel;
    use crate::panel::PanelKind;
    use std::sync::Arc;

    fn job() -> CronJob {
        CronJob {
            id: "bob/3".into(),
            owner: "bob".into(),
            schedule: "*/5 * * * *".into(),
            command: "echo hi".into(),
            suspended: false,
        }
    }

    #[test]
    fn the_schedule_validator_names_the_field() {
        let schema = super::super::engine::Managed::<CronJobType>::schema();
        let mut config = CronJobModel {
            owner: Field::text("bob"),
            schedule: Field::text("0 24 * * *"),
            command: Field::text("echo hi"),
            ..CronJobModel::default()
        }
        .to_value();
        let diagnostics = validate::validate_block(&schema.block, &config);
        let text = format!("{diagnostics:?}");
        assert!(
            text.contains("`schedule` has an invalid hour field (field 2 of 5)"),
            "{text}"
        );
        config.set_attr("schedule", Value::string("0 23 * * *"));
        config.set_attr("command", Value::string("a\nb"));
        let text = format!("{:?}", validate::validate_block(&schema.block, &config));
        assert!(text.contains("`command` must be one line"), "{text}");
        config.set_attr("command", Value::string("echo ok"));
        assert!(validate::validate_block(&schema.block, &config).is_empty());
    }

    #[test]
    fn state_keeps_the_configured_spacing_and_the_locator_the_content() {
        let panel = PanelHandle::new(Arc::new(FakePanel::new(PanelKind::Hestia)));
        let prior = CronJobModel {
            schedule: Field::text("*/5  * * * *"),
            ..CronJobModel::default()
        };
        let state = CronJobType::state(&panel, &job(), Some(&prior));
        assert_eq!(state.schedule.str(), Some("*/5  * * * *"));
        let imported = CronJobType::state(&panel, &job(), None);
        assert_eq!(imported.schedule.str(), Some("*/5 * * * *"));
        assert!(imported.to_value().is_wholly_known());
        let at = CronJobType::locator(&state);
        assert_eq!(at.owner.as_deref(), Some("bob"));
        assert_eq!(at.content.as_deref(), Some("*/5 * * * *\necho hi"));
        assert_eq!(CronJobType::adopt_key(&state), "bob echo hi");
    }

    #[test]
    fn patches_carry_only_real_changes() {
        let panel = PanelHandle::new(Arc::new(FakePanel::new(PanelKind::Hestia)));
        let prior = CronJobType::state(&panel, &job(), None);
        let mut planned = prior.clone();
        planned.schedule = Field::text("*/5 * *  * *");
        let patch = CronJobType::patch(&panel, &prior, &planned, &planned).unwrap();
        assert_eq!(patch, CronJobPatch::default());
        planned.command = Field::text("echo changed");
        planned.suspended = Field::Known(true);
        let patch = CronJobType::patch(&panel, &prior, &planned, &planned).unwrap();
        assert_eq!(patch.command.as_deref(), Some("echo changed"));
        assert_eq!(patch.suspended, Some(true));
        assert_eq!(patch.schedule, None);
    }
}
