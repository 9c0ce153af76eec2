//! Cron jobs of a hosting account (`api/server-accounts/{id}/cron-jobs[/{line}]`).
//!
//! Sources: the seed (`endpoints.json` #276-279: the routes, six required string fields
//! `minute`, `hour`, `day_of_month`, `month`, `day_of_week`, `command`, and jobs addressed by
//! `{line}`); the vendor's integration template (`Account/CronJobs.php`: a job is `{id,
//! minute, hour, day_of_month, month, day_of_week, command}` with a string `id`, and the field
//! ranges minute 0-59, hour 0-23, day of month 1-31, month 1-12, day of week 0-7 with `*`,
//! `*/N`, ranges and lists).
//!
//! Assumptions: the jobs are the lines of the account's crontab, so a job's id is its line
//! number (listed as both `id` and `line`); a new job is appended; deleting a job renumbers
//! every job after it, as deleting a line from a file does; updates keep the line. Month and
//! weekday names (`jan`, `mon`) are accepted as cron accepts them. A command may not contain a
//! line break (it would become a second crontab line). Identical jobs are allowed: a crontab
//! does not refuse duplicate lines. Create and update answer the job with its line.

use super::reply::ApiError;
use super::validate::{Input, Text, Validator};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CronJob {
    pub minute: String,
    pub hour: String,
    pub day_of_month: String,
    pub month: String,
    pub day_of_week: String,
    pub command: String,
}

/// The five schedule fields with their ranges and the names cron accepts.
const FIELDS: [(&str, u32, u32, &[&str]); 5] = [
    ("minute", 0, 59, &[]),
    ("hour", 0, 23, &[]),
    ("day_of_month", 1, 31, &[]),
    (
        "month",
        1,
        12,
        &[
            "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
        ],
    ),
    (
        "day_of_week",
        0,
        7,
        &["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
    ),
];

#[derive(Serialize)]
pub struct JobView<'a> {
    id: String,
    line: String,
    #[serde(flatten)]
    job: &'a CronJob,
}

pub fn job_view(index: usize, job: &CronJob) -> JobView<'_> {
    let line = (index + 1).to_string();
    JobView {
        id: line.clone(),
        line,
        job,
    }
}

pub fn list_view(jobs: &[CronJob]) -> Vec<JobView<'_>> {
    jobs.iter()
        .enumerate()
        .map(|(index, job)| job_view(index, job))
        .collect()
}

pub fn job_from_input(input: &Input) -> Result<CronJob, ApiError> {
    let mut v = Validator::new(input);
    let mut values = Vec::with_capacity(FIELDS.len());
    for (field, min, max, names) in FIELDS {
        let value = v.text(
            field,
            Text {
                max: Some(255),
                ..Text::REQUIRED
            },
        );
        let value = value.and_then(|text| {
            if valid_field(&text, min, max, names) {
                Some(text)
            } else {
                v.fail(
                    field,
                    format!("The {} field format is invalid.", field.replace('_', " ")),
                );
                None
            }
        });
        values.push(value);
    }
    let command = v.text("command", Text::REQUIRED).and_then(|command| {
        if command.contains(['\n', '\r', '\0']) {
            v.fail(
                "command",
                "The command field format is invalid.".to_string(),
            );
            None
        } else {
            Some(command)
        }
    });
    v.finish()?;
    let mut values = values.into_iter().map(Option::unwrap_or_default);
    let mut next = || values.next().unwrap_or_default();
    Ok(CronJob {
        minute: next(),
        hour: next(),
        day_of_month: next(),
        month: next(),
        day_of_week: next(),
        command: command.unwrap_or_default(),
    })
}

/// The index of the job on `line`; the crontab's own 404 otherwise.
pub fn index_of_line(jobs: &[CronJob], raw_line: &str) -> Result<usize, ApiError> {
    raw_line
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|line| line.checked_sub(1))
        .filter(|index| *index < jobs.len())
        .ok_or_else(|| ApiError::NotFound(format!("Cron job on line {raw_line} not found.")))
}

/// One cron field: `*`, `*/N`, `A`, `A-B`, `A-B/N`, or a comma-separated list of them, with
/// numbers in `min..=max` or names.
fn valid_field(text: &str, min: u32, max: u32, names: &[&str]) -> bool {
    let value = |token: &str| -> Option<u32> {
        if let Ok(number) = token.parse::<u32>() {
            return (min..=max).contains(&number).then_some(number);
        }
        let lower = token.to_ascii_lowercase();
        names
            .iter()
            .position(|name| *name == lower)
            .and_then(|index| u32::try_from(index).ok())
            .map(|index| index + min)
    };
    !text.is_empty()
        && text.split(',').all(|item| {
            let (range, step) = match item.split_once('/') {
                Some((range, step)) => (range, Some(step)),
                None => (item, None),
            };
            let step_ok =
                step.is_none_or(|s| s.parse::<u32>().is_ok_and(|s| s >= 1 && s <= max.max(1)));
            let range_ok = if range == "*" {
                true
            } else if let Some((low, high)) = range.split_once('-') {
                matches!((value(low), value(high)), (Some(l), Some(h)) if l <= h)
            } else {
                value(range).is_some()
            };
            step_ok && range_ok
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_fields_follow_the_documented_ranges() {
        for good in ["*", "*/5", "0", "59", "1-5", "1-30/2", "0,15,30,45"] {
            assert!(valid_field(good, 0, 59, &[]), "{good}");
        }
        for bad in ["", "60", "*/0", "5-1", "a", "1,,2", "-1", "1-"] {
            assert!(!valid_field(bad, 0, 59, &[]), "{bad}");
        }
        let months = FIELDS[3].3;
        assert!(valid_field("jan-mar", 1, 12, months));
        assert!(valid_field("DEC", 1, 12, months));
        assert!(!valid_field("0", 1, 12, months));
    }
}
