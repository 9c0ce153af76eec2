//! Cron jobs of a user (HestiaCP cron jobs, numbered per user; PanelAlpha crontab lines
//! of the user's hosting account), and the schedule rules every layer shares.

use super::super::service::{Locator, PanelObject, Service};
use super::super::Panel;

/// The five schedule fields, in crontab order: name, lowest and highest value.
pub const SCHEDULE_FIELDS: [(&str, u32, u32); 5] = [
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
];

#[derive(Clone, Debug, PartialEq)]
pub struct CronJob {
    /// HestiaCP: `USER/JOB`; PanelAlpha: `USER_ID/ACCOUNT_ID/LINE`.
    pub id: String,
    /// The owning user's id.
    pub owner: String,
    /// The five fields, `min hour day month weekday`, joined with single spaces.
    pub schedule: String,
    pub command: String,
    pub suspended: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CronJobSpec {
    pub owner: String,
    pub schedule: String,
    pub command: String,
    pub suspended: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct CronJobPatch {
    pub schedule: Option<String>,
    pub command: Option<String>,
    pub suspended: Option<bool>,
}

/// A cron job's natural key: what it runs and when, within its owner. Panels number
/// jobs (HestiaCP) or address them by line (PanelAlpha), so the content is what
/// identifies a job before and after the panel numbered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CronJobKey {
    pub owner: String,
    pub schedule: String,
    pub command: String,
}

impl CronJobKey {
    /// Whether `job` is this key's: same owner, the same five schedule fields (however
    /// spaced), and exactly the same command.
    pub fn matches(&self, job: &CronJob) -> bool {
        job.owner == self.owner
            && same_schedule(&job.schedule, &self.schedule)
            && job.command == self.command
    }

    /// The content as a [`Locator::content`]: schedule and command on two lines (a
    /// command never holds a line break).
    pub fn content(&self) -> String {
        content(&self.schedule, &self.command)
    }
}

/// A job's content as [`Locator::content`] holds it.
pub fn content(schedule: &str, command: &str) -> String {
    format!("{}\n{command}", normal_schedule(schedule))
}

/// The schedule and command of a [`Locator::content`].
pub fn split_content(content: &str) -> Option<(&str, &str)> {
    content.split_once('\n')
}

/// The schedule's fields (split on any whitespace).
pub fn schedule_fields(schedule: &str) -> Vec<&str> {
    schedule.split_whitespace().collect()
}

/// The schedule with its fields joined by single spaces.
pub fn normal_schedule(schedule: &str) -> String {
    schedule_fields(schedule).join(" ")
}

/// Whether two schedules have the same five fields.
pub fn same_schedule(a: &str, b: &str) -> bool {
    schedule_fields(a) == schedule_fields(b)
}

/// What is wrong with a schedule, naming the field: five fields, each `*`, `*/N`, a
/// number, a range `A-B` or `A-B/N`, or a comma-separated list of those, with numbers
/// in the field's range (names such as `jan` and macros such as `@daily` are not
/// accepted: HestiaCP refuses them).
pub fn schedule_problem(schedule: &str) -> Option<String> {
    let fields = schedule_fields(schedule);
    if fields.len() != SCHEDULE_FIELDS.len() {
        return Some(format!(
            "must be five cron fields \"minute hour day-of-month month day-of-week\" \
             separated by spaces (e.g. \"*/5 * * * *\"), got {} in {schedule:?}",
            fields.len()
        ));
    }
    for (position, (value, (name, low, high))) in fields.iter().zip(SCHEDULE_FIELDS).enumerate() {
        if let Some(problem) = field_problem(value, low, high) {
            return Some(format!(
                "has an invalid {name} field (field {} of 5): {value:?} {problem}",
                position + 1
            ));
        }
    }
    None
}

/// What is wrong with one field whose numbers run from `low` to `high`.
fn field_problem(field: &str, low: u32, high: u32) -> Option<String> {
    let number = |text: &str| -> Result<u32, String> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "is not a number, `*`, `*/N`, a range A-B or a list (got {text:?})"
            ));
        }
        match text.parse::<u32>() {
            Ok(n) if (low..=high).contains(&n) => Ok(n),
            _ => Err(format!("has {text}, outside {low}-{high}")),
        }
    };
    for item in field.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((range, step)) => (range, Some(step)),
            None => (item, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(n) if n >= 1 && n <= high => {}
                _ => return Some(format!("has step {step:?}, not a number from 1 to {high}")),
            }
        }
        if range == "*" {
            continue;
        }
        let checked = match range.split_once('-') {
            Some((from, to)) => match (number(from), number(to)) {
                (Ok(from), Ok(to)) if from <= to => Ok(()),
                (Ok(_), Ok(_)) => Err(format!("has the range {range}, which runs backwards")),
                (Err(e), _) | (_, Err(e)) => Err(e),
            },
            None if step.is_some() => Err(format!(
                "has a step after {range:?}; a step goes after `*` or a range A-B"
            )),
            None => number(range).map(drop),
        };
        if let Err(problem) = checked {
            return Some(problem);
        }
    }
    None
}

impl PanelObject for CronJob {
    type Spec = CronJobSpec;
    type Patch = CronJobPatch;
    type Key = CronJobKey;
    const NOUN: &'static str = "cron job";

    fn id(&self) -> &str {
        &self.id
    }

    fn locator(&self) -> Locator {
        Locator::new(&self.id)
            .with_owner(Some(&self.owner))
            .with_content(content(&self.schedule, &self.command))
    }

    fn owner(&self) -> Option<&str> {
        Some(&self.owner)
    }

    fn spec_key(spec: &CronJobSpec) -> CronJobKey {
        CronJobKey {
            owner: spec.owner.clone(),
            schedule: normal_schedule(&spec.schedule),
            command: spec.command.clone(),
        }
    }

    fn service(panel: &dyn Panel) -> Option<&dyn Service<Self>> {
        panel.cron_jobs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_are_checked_field_by_field() {
        for good in [
            "* * * * *",
            "*/5 * * * *",
            "0 3 * * 1-5",
            "30 2 1 1,7 0",
            "0-30/10 0,12 1-31/2 */3 7",
            "  15   4 * *  *  ",
        ] {
            assert_eq!(schedule_problem(good), None, "{good}");
        }
        let cases = [
            ("* * * *", "five cron fields"),
            ("* * * * * *", "got 6"),
            (
                "60 * * * *",
                "invalid minute field (field 1 of 5): \"60\" has 60, outside 0-59",
            ),
            ("* 24 * * *", "invalid hour field (field 2 of 5)"),
            (
                "* * 0 * *",
                "invalid day of month field (field 3 of 5): \"0\" has 0, outside 1-31",
            ),
            ("* * * 13 *", "invalid month field (field 4 of 5)"),
            ("* * * * 8", "invalid day of week field (field 5 of 5)"),
            ("* * * jan *", "is not a number"),
            ("@daily * * * *", "invalid minute field"),
            ("*/0 * * * *", "step \"0\""),
            ("*/60 * * * *", "step \"60\""),
            ("5-1 * * * *", "runs backwards"),
            ("1,,2 * * * *", "is not a number"),
            ("5/2 * * * *", "a step goes after"),
            ("-1 * * * *", "is not a number"),
        ];
        for (bad, expected) in cases {
            let problem = schedule_problem(bad).unwrap_or_default();
            assert!(problem.contains(expected), "{bad}: {problem}");
        }
    }

    #[test]
    fn keys_match_on_owner_fields_and_exact_command() {
        let job = CronJob {
            id: "bob/1".into(),
            owner: "bob".into(),
            schedule: "*/5 * * * *".into(),
            command: "echo hi".into(),
            suspended: false,
        };
        let key = CronJobKey {
            owner: "bob".into(),
            schedule: "*/5  *  * * *".into(),
            command: "echo hi".into(),
        };
        assert!(key.matches(&job));
        for other in [
            CronJobKey {
                owner: "ann".into(),
                ..key.clone()
            },
            CronJobKey {
                command: "echo hi ".into(),
                ..key.clone()
            },
            CronJobKey {
                schedule: "*/5 * * * 1".into(),
                ..key.clone()
            },
        ] {
            assert!(!other.matches(&job), "{other:?}");
        }
        assert_eq!(
            split_content(&key.content()),
            Some(("*/5 * * * *", "echo hi"))
        );
    }
}
