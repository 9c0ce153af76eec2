//! Cron jobs: `v-add-cron-job`, `v-change-cron-job`, `v-delete-cron-job`,
//! `v-suspend/unsuspend-cron-job`, `v-list-cron-job(s)` (the 1.10.3 scripts of
//! those names, `get_next_cronjob`, `sort_cron_jobs`, `is_cron_format_valid`),
//! checked against records 400-445 and 607-643.
//!
//! Job ids are numbers: highest + 1 unless given (400-403); a deleted job's id
//! is not refilled unless it was the highest (440-442).

use std::fmt::Write as _;

use super::commands::{
    check_user_format, existing_user, existing_user_mut, limit_reached, unsuspended, Args, Failure,
    E_EXISTS, E_INVALID, E_LIMIT, E_NOTEXIST, E_SUSPENDED, E_UNSUSPENDED,
};
use super::state::{now_time_date, CronJob, State, User};
use super::validate;

fn schedule_checks(args: &Args, first: usize) -> Result<(), Failure> {
    for (offset, field) in ["min", "hour", "day", "month", "wday"].iter().enumerate() {
        let value = args.get(first + offset);
        if !value.is_empty() {
            validate::cron_field(value, field)?;
        }
    }
    Ok(())
}

/// `is_object_valid 'cron' 'JOB'`: "cron job N doesn't exist" (431, 443).
fn job_index(user: &User, job: &str) -> Result<usize, Failure> {
    user.cron_jobs
        .iter()
        .position(|j| j.job.to_string() == job)
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("cron job {job} doesn't exist")))
}

/// `is_object_unsuspended 'cron' 'JOB'`: "cron N is suspended" (434, 435, 630).
fn job_unsuspended(job: &CronJob) -> Result<(), Failure> {
    if job.suspended {
        Err(Failure::new(
            E_SUSPENDED,
            format!("cron {} is suspended", job.job),
        ))
    } else {
        Ok(())
    }
}

fn insert_sorted(user: &mut User, job: CronJob) {
    let at = user.cron_jobs.partition_point(|j| j.job < job.job);
    user.cron_jobs.insert(at, job);
}

/// `v-add-cron-job USER MIN HOUR DAY MONTH WDAY CRON_COMMAND [JOB] [RESTART]`.
pub fn add(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check(
        "v-add-cron-job",
        7,
        "USER MIN HOUR DAY MONTH WDAY CRON_COMMAND [JOB] [RESTART]",
    )?;
    let login = args.get(1);
    check_user_format(login)?;
    schedule_checks(args, 2)?;
    validate::cron_command(args.get(7))?;
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    let package = state
        .packages
        .get(&user.package)
        .cloned()
        .unwrap_or_default();
    if limit_reached(&package.cron_jobs, user.cron_jobs.len()) {
        return Err(Failure::new(
            E_LIMIT,
            "CRON_JOBS limit is reached :: upgrade user package",
        ));
    }
    let given = args.get(8);
    let job = if given.is_empty() {
        user.cron_jobs.iter().map(|j| j.job).max().unwrap_or(0) + 1
    } else {
        validate::int(given, "job")?;
        given
            .parse::<u64>()
            .map_err(|_| Failure::new(E_INVALID, format!("invalid job format :: {given}")))?
    };
    validate::restart(args.get(9))?;
    if user.cron_jobs.iter().any(|j| j.job == job) {
        return Err(Failure::new(E_EXISTS, format!("JOB={job} already exists")));
    }
    let (time, date) = now_time_date();
    let job = CronJob {
        job,
        min: args.get(2).to_string(),
        hour: args.get(3).to_string(),
        day: args.get(4).to_string(),
        month: args.get(5).to_string(),
        wday: args.get(6).to_string(),
        cmd: args.get(7).to_string(),
        suspended: false,
        time,
        date,
    };
    insert_sorted(existing_user_mut(state, login)?, job);
    Ok(())
}

/// `v-change-cron-job USER JOB MIN HOUR DAY MONTH WDAY CRON_COMMAND`: every
/// field is replaced, the job is unsuspended by the rewrite.
pub fn change(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check(
        "v-change-cron-job",
        7,
        "USER JOB MIN HOUR DAY MONTH WDAY CRON_COMMAND",
    )?;
    let (login, job) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !job.is_empty() {
        validate::int(job, "job")?;
    }
    schedule_checks(args, 3)?;
    validate::cron_command(args.get(8))?;
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    let index = job_index(user, job)?;
    job_unsuspended(&user.cron_jobs[index])?;
    let (time, date) = now_time_date();
    let user = existing_user_mut(state, login)?;
    let id = user.cron_jobs[index].job;
    user.cron_jobs.remove(index);
    insert_sorted(
        user,
        CronJob {
            job: id,
            min: args.get(3).to_string(),
            hour: args.get(4).to_string(),
            day: args.get(5).to_string(),
            month: args.get(6).to_string(),
            wday: args.get(7).to_string(),
            cmd: args.get(8).to_string(),
            suspended: false,
            time,
            date,
        },
    );
    Ok(())
}

/// `v-delete-cron-job USER JOB [RESTART]` (allowed under a suspended owner: 631).
pub fn delete(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-delete-cron-job", 2, "USER JOB [RESTART]")?;
    let (login, job) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !job.is_empty() {
        validate::int(job, "job")?;
    }
    validate::restart(args.get(3))?;
    let user = existing_user_mut(state, login)?;
    let index = job_index(user, job)?;
    user.cron_jobs.remove(index);
    Ok(())
}

/// `v-suspend-cron-job` / `v-unsuspend-cron-job USER JOB [RESTART]`: neither
/// checks the owner's suspension (630 answers with the job's own state).
pub fn suspend(state: &mut State, args: &Args, suspend: bool) -> Result<(), Failure> {
    let cmd = if suspend {
        "v-suspend-cron-job"
    } else {
        "v-unsuspend-cron-job"
    };
    args.check(cmd, 2, "USER JOB [RESTART]")?;
    let (login, job) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !job.is_empty() {
        validate::int(job, "job")?;
    }
    validate::restart(args.get(3))?;
    let user = existing_user_mut(state, login)?;
    let index = job_index(user, job)?;
    let entry = &mut user.cron_jobs[index];
    if suspend {
        job_unsuspended(entry)?;
    } else if !entry.suspended {
        return Err(Failure::new(
            E_UNSUSPENDED,
            format!("cron {} is not suspended", entry.job),
        ));
    }
    entry.suspended = suspend;
    Ok(())
}

fn fields(job: &CronJob) -> [(&'static str, String); 10] {
    [
        ("MIN", job.min.clone()),
        ("HOUR", job.hour.clone()),
        ("DAY", job.day.clone()),
        ("MONTH", job.month.clone()),
        ("WDAY", job.wday.clone()),
        // Only `"` is escaped (401); a backslash goes out as it is.
        ("CMD", job.cmd.replace('"', "\\\"")),
        ("JOB", job.job.to_string()),
        (
            "SUSPENDED",
            if job.suspended { "yes" } else { "no" }.to_string(),
        ),
        ("TIME", job.time.clone()),
        ("DATE", job.date.clone()),
    ]
}

fn json(entries: &[(String, &CronJob)]) -> String {
    let mut out = String::from("{\n");
    for (i, (key, job)) in entries.iter().enumerate() {
        let _ = writeln!(out, "    \"{key}\": {{");
        let fields = fields(job);
        for (n, (name, value)) in fields.iter().enumerate() {
            let comma = if n + 1 < fields.len() { "," } else { "" };
            let _ = writeln!(out, "        \"{name}\": \"{value}\"{comma}");
        }
        out.push_str(if i + 1 < entries.len() {
            "    },\n"
        } else {
            "    }\n"
        });
    }
    out.push_str("}\n");
    out
}

fn plain(job: &CronJob, with_id: bool) -> String {
    let f = fields(job);
    let id = if with_id {
        format!("{}\t", job.job)
    } else {
        String::new()
    };
    format!(
        "{id}{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
        f[0].1, f[1].1, f[2].1, f[3].1, f[4].1, f[5].1, f[7].1, f[8].1, f[9].1
    )
}

/// `v-list-cron-jobs USER [FORMAT]`.
pub fn list(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-cron-jobs", 1, "USER [FORMAT]")?;
    let login = args.get(1);
    check_user_format(login)?;
    let user = existing_user(state, login)?;
    Ok(match args.or(2, "shell") {
        "json" => json(
            &user
                .cron_jobs
                .iter()
                .map(|j| (j.job.to_string(), j))
                .collect::<Vec<_>>(),
        ),
        "plain" => user.cron_jobs.iter().map(|j| plain(j, true)).collect(),
        "shell" => {
            let mut out = String::from(
                "JOB MIN HOUR DAY MONTH WDAY COMMAND\n--- --- ---- --- ----- ---- -------\n",
            );
            for j in &user.cron_jobs {
                let _ = writeln!(
                    out,
                    "{} {} {} {} {} {} {}",
                    j.job, j.min, j.hour, j.day, j.month, j.wday, j.cmd
                );
            }
            out
        }
        _ => String::new(),
    })
}

/// `v-list-cron-job USER JOB [FORMAT]` (keyed by the id as asked: 405).
pub fn list_one(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-cron-job", 2, "USER JOB [FORMAT]")?;
    let (login, job) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !job.bytes().all(|b| b.is_ascii_digit()) || job.is_empty() {
        return Err(Failure::new(
            E_INVALID,
            format!("invalid job_id format :: {job}"),
        ));
    }
    let user = existing_user(state, login)?;
    let entry = &user.cron_jobs[job_index(user, job)?];
    Ok(match args.or(3, "shell") {
        "json" => json(&[(job.to_string(), entry)]),
        "plain" => plain(entry, false),
        "shell" => format!(
            "MINUTE:         {}\nHOUR:           {}\nDAY:            {}\nMONTH:          {}\nDAY OF WEEK:    {}\nCOMMAND:        {}\nSUSPENDED:      {}\nTIME:           {}\nDATE:           {}\n",
            entry.min,
            entry.hour,
            entry.day,
            entry.month,
            entry.wday,
            entry.cmd,
            if entry.suspended { "yes" } else { "no" },
            entry.time,
            entry.date
        ),
        _ => String::new(),
    })
}
