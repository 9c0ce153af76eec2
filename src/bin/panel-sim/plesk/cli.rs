//! The REST API's CLI gateway (`GET /cli/commands`, `GET /cli/{id}/ref`,
//! `POST /cli/{id}/call`) for the utilities the provider needs where REST has no
//! resource: `mail` (mail accounts, forwarding, mail service on a domain) and
//! `extension` (Let's Encrypt).
//!
//! Sources: openapi.json (`CliCallRequest` {params[], env{}}, `CliCallResponse`
//! {code, stdout, stderr}; 404 "Command is not found"; the example env `PSA_PASSWORD`);
//! research/plesk.md §1.5 (a failing utility still answers HTTP 200 with `code` != 0);
//! the `mail` utility's commands and options as documented for Plesk's CLI and used by
//! public integrations over this endpoint (`--create ADDR -mailbox true -passwd P
//! -mbox_quota 1G`, `--update`, `--remove`, `--info`, `--list`, `--on/--off DOMAIN`,
//! `-forwarding true|false`, `-forwarding-addresses add|del:a,b`, `-aliases add|del:x`,
//! a password passed as `-passwd ''` plus env `PSA_PASSWORD`); Let's Encrypt as
//! `extension --exec letsencrypt cli.php -d DOMAIN [-d ALIAS] -m EMAIL`, the call public
//! integrations make over `/cli/extension/call`.
//!
//! Assumptions (no reference shows the utilities' output): success prints
//! "SUCCESS: …" on stdout with code 0; a failure prints "An error occurred during …: <reason>"
//! on stderr with code 1 (an unknown command or option: code 1 too); `--info` prints
//! `Key: value` lines (Mailname, Domain, Mailbox, Mbox quota, Forwarding, Forwarding
//! addresses, Aliases, Description); `--list` prints one address per line. Utilities
//! other than these two answer 404 "Command is not found", as for a command Plesk does
//! not expose. Scheduled tasks (cron) have no utility here: neither Plesk API offers
//! them (no XML operator in the 1.6.9.1 schema, no REST path, no documented utility).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::mail::{parse_quota, ListChange, MailFields};
use super::state::{DomainRef, Fault, State};
use super::validate::printable;

/// What `GET /cli/commands` lists: the utilities this simulator serves.
pub const COMMANDS: &[&str] = &["extension", "mail"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// How long the call takes before answering (Let's Encrypt with `wait`).
    pub wait_ms: u64,
}

impl Outcome {
    fn ok(stdout: impl Into<String>) -> Self {
        Self {
            code: 0,
            stdout: stdout.into(),
            stderr: String::new(),
            wait_ms: 0,
        }
    }

    fn fail(stderr: impl Into<String>) -> Self {
        Self {
            code: 1,
            stdout: String::new(),
            stderr: stderr.into(),
            wait_ms: 0,
        }
    }

    pub fn json(&self) -> Value {
        json!({"code": self.code, "stdout": self.stdout, "stderr": self.stderr})
    }
}

const MAIL_COMMANDS: &[(&str, &str)] = &[
    (
        "--create",
        "Creates a mail account: --create <name>@<domain>",
    ),
    (
        "--update",
        "Updates a mail account: --update <name>@<domain>",
    ),
    (
        "--remove",
        "Removes a mail account: --remove <name>@<domain>",
    ),
    ("--info", "Shows a mail account: --info <name>@<domain>"),
    ("--list", "Lists mail accounts [-domain <domain>]"),
    (
        "--on",
        "Switches mail service on for a domain: --on <domain>",
    ),
    (
        "--off",
        "Switches mail service off for a domain: --off <domain>",
    ),
];
const MAIL_OPTIONS: &[(&str, &str)] = &[
    ("-mailbox", "true|false"),
    ("-passwd", "<password> (empty: taken from env PSA_PASSWORD)"),
    ("-passwd_type", "plain"),
    ("-mbox_quota", "<number>[K|M|G|T] or -1"),
    ("-forwarding", "true|false"),
    ("-forwarding-addresses", "add|del:<address>[,<address>...]"),
    ("-aliases", "add|del:<name>[,<name>...]"),
    ("-cp-access", "true|false"),
    ("-description", "<text>"),
    ("-domain", "<domain> (with --list)"),
];
const EXTENSION_COMMANDS: &[(&str, &str)] = &[
    (
        "--exec",
        "Runs an extension script: --exec letsencrypt cli.php -d <domain> -m <email>",
    ),
    ("--list", "Lists installed extensions"),
];
const EXTENSION_OPTIONS: &[(&str, &str)] = &[
    (
        "-d",
        "<domain> (letsencrypt cli.php; repeat for more names)",
    ),
    ("-m", "<email> (letsencrypt cli.php)"),
    ("--email", "<email> (letsencrypt cli.php)"),
];

/// `GET /cli/{id}/ref`: `None` = no such command (404).
pub fn reference(command: &str) -> Option<Value> {
    let (commands, options) = match command {
        "mail" => (MAIL_COMMANDS, MAIL_OPTIONS),
        "extension" => (EXTENSION_COMMANDS, EXTENSION_OPTIONS),
        _ => return None,
    };
    let map = |rows: &[(&str, &str)]| -> Value {
        Value::Object(
            rows.iter()
                .map(|(k, v)| ((*k).to_owned(), json!(v)))
                .collect(),
        )
    };
    Some(json!({"allowed_commands": map(commands), "allowed_options": map(options)}))
}

/// Whether a call only reads (for the harness's per-kind latency).
pub fn is_read(command: &str, params: &[String]) -> bool {
    let first = params.first().map(String::as_str).unwrap_or_default();
    match command {
        "mail" => matches!(first, "--info" | "-i" | "--list" | "-l"),
        "extension" => matches!(first, "--list" | "-l"),
        _ => false,
    }
}

/// `-name value` pairs after the command and its argument; flags may repeat (`-d`).
fn options(rest: &[String]) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let mut iter = rest.iter();
    while let Some(name) = iter.next() {
        if !name.starts_with('-') {
            return Err(format!("Unexpected argument '{}'", printable(name)));
        }
        let Some(value) = iter.next() else {
            return Err(format!("Option {} needs a value", printable(name)));
        };
        out.push((name.clone(), value.clone()));
    }
    Ok(out)
}

fn bool_option(name: &str, value: &str) -> Result<bool, String> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!(
            "Option {name} takes true or false, not '{}'",
            printable(value)
        )),
    }
}

fn list_option(name: &str, value: &str) -> Result<ListChange, String> {
    let (mode, items) = value
        .split_once(':')
        .ok_or_else(|| format!("Option {name} takes add:<list> or del:<list>"))?;
    let items: Vec<String> = items
        .split(',')
        .map(str::trim)
        .filter(|i| !i.is_empty())
        .map(str::to_owned)
        .collect();
    match mode {
        "add" => Ok(ListChange::Add(items)),
        "del" => Ok(ListChange::Remove(items)),
        _ => Err(format!("Option {name} takes add:<list> or del:<list>")),
    }
}

fn mail_fields(
    opts: &[(String, String)],
    env: &BTreeMap<String, String>,
) -> Result<MailFields, String> {
    let mut fields = MailFields::default();
    for (name, value) in opts {
        match name.as_str() {
            "-mailbox" => fields.mailbox = Some(bool_option(name, value)?),
            "-passwd" => {
                // Documented way to keep the password off the command line.
                fields.password = Some(if value.is_empty() {
                    env.get("PSA_PASSWORD").cloned().unwrap_or_default()
                } else {
                    value.clone()
                });
            }
            "-passwd_type" if value == "plain" => {}
            "-mbox_quota" => {
                fields.quota = Some(parse_quota(value).ok_or_else(|| {
                    format!(
                        "Option -mbox_quota takes <number>[K|M|G|T], not '{}'",
                        printable(value)
                    )
                })?)
            }
            "-forwarding" => fields.forwarding_enabled = Some(bool_option(name, value)?),
            "-forwarding-addresses" => fields.forwarding = list_option(name, value)?,
            "-aliases" => fields.aliases = list_option(name, value)?,
            "-cp-access" | "-cp_access" => fields.cp_access = Some(bool_option(name, value)?),
            "-description" => fields.description = Some(value.clone()),
            other => return Err(format!("Unknown option {}", printable(other))),
        }
    }
    Ok(fields)
}

fn split_address(address: &str) -> Result<(&str, &str), String> {
    address
        .rsplit_once('@')
        .filter(|(local, domain)| !local.is_empty() && !domain.is_empty())
        .ok_or_else(|| {
            format!(
                "'{}' is not a mail address (<name>@<domain>)",
                printable(address)
            )
        })
}

fn domain_id(state: &State, name: &str) -> Result<u64, String> {
    state
        .find_domain(&DomainRef::Name(name.to_owned()))
        .map(|d| d.id)
        .ok_or_else(|| format!("Domain '{}' does not exist", printable(name)))
}

fn mail_info(state: &State, id: u64) -> String {
    let Some(m) = state.mailnames.get(&id) else {
        return String::new();
    };
    let domain = state
        .domains
        .get(&m.domain_id)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let quota = if m.quota < 0 {
        "Unlimited".to_owned()
    } else {
        m.quota.to_string()
    };
    let rows = [
        ("Mailname", m.name.clone()),
        ("Domain", domain),
        ("Mailbox", m.mailbox.to_string()),
        ("Mbox quota", quota),
        ("Forwarding", m.forwarding_enabled.to_string()),
        ("Forwarding addresses", m.forwarding.join(", ")),
        ("Aliases", m.aliases.join(", ")),
        ("Control panel access", m.cp_access.to_string()),
        ("Description", m.description.clone()),
    ];
    rows.iter()
        .map(|(k, v)| format!("{:<22}{v}\n", format!("{k}:")))
        .collect()
}

fn fault_text(fault: &Fault) -> String {
    fault.message()
}

fn mail(
    state: &mut State,
    params: &[String],
    env: &BTreeMap<String, String>,
) -> Result<String, (String, String)> {
    let action = params.first().map(String::as_str).unwrap_or_default();
    let doing = |what: &str| what.to_owned();
    match action {
        "--list" | "-l" => {
            let opts = options(&params[1..]).map_err(|e| (doing("listing"), e))?;
            let mut only = None;
            for (name, value) in &opts {
                match name.as_str() {
                    "-domain" => {
                        only = Some(domain_id(state, value).map_err(|e| (doing("listing"), e))?)
                    }
                    other => {
                        return Err((
                            doing("listing"),
                            format!("Unknown option {}", printable(other)),
                        ))
                    }
                }
            }
            let mut out = String::new();
            for m in state.mailnames.values() {
                if only.is_some_and(|d| d != m.domain_id) {
                    continue;
                }
                let domain = state
                    .domains
                    .get(&m.domain_id)
                    .map(|d| d.ascii_name.as_str())
                    .unwrap_or_default();
                out.push_str(&format!("{}@{domain}\n", m.name));
            }
            Ok(out)
        }
        "--on" | "--off" => {
            let what = "mail service switching";
            let domain = params
                .get(1)
                .ok_or_else(|| (doing(what), "A domain name is required".to_owned()))?;
            if params.len() > 2 {
                return Err((
                    doing(what),
                    format!("Unexpected argument '{}'", printable(&params[2])),
                ));
            }
            let id = domain_id(state, domain).map_err(|e| (doing(what), e))?;
            let on = action == "--on";
            state
                .set_mail_service(id, on)
                .map_err(|f| (doing(what), fault_text(&f)))?;
            Ok(format!(
                "SUCCESS: Mail service on domain '{}' is switched {}.\n",
                printable(domain),
                if on { "on" } else { "off" }
            ))
        }
        "--create" | "-c" | "--update" | "-u" | "--remove" | "-r" | "--info" | "-i" => {
            let what = match action {
                "--create" | "-c" => "mailname creation",
                "--update" | "-u" => "mailname update",
                "--remove" | "-r" => "mailname removal",
                _ => "mailname lookup",
            };
            let address = params
                .get(1)
                .ok_or_else(|| (doing(what), "A mail address is required".to_owned()))?;
            let (local, domain) = split_address(address).map_err(|e| (doing(what), e))?;
            let domain = domain_id(state, domain).map_err(|e| (doing(what), e))?;
            let opts = options(&params[2..]).map_err(|e| (doing(what), e))?;
            let existing = state.find_mailname(domain, local).map(|m| m.id);
            match (action, existing) {
                ("--create" | "-c", _) => {
                    let mut fields = mail_fields(&opts, env).map_err(|e| (doing(what), e))?;
                    // On create, "add:" and "del:" both mean the initial list.
                    for list in [&mut fields.forwarding, &mut fields.aliases] {
                        if let ListChange::Add(items) = list {
                            *list = ListChange::Set(std::mem::take(items));
                        }
                    }
                    state
                        .create_mailname(domain, local, fields)
                        .map_err(|f| (doing(what), fault_text(&f)))?;
                    Ok(format!(
                        "SUCCESS: Creation of mailname '{}' complete.\n",
                        printable(address)
                    ))
                }
                (_, None) => Err((
                    doing(what),
                    format!("Mailname '{}' does not exist", printable(address)),
                )),
                ("--update" | "-u", Some(id)) => {
                    let fields = mail_fields(&opts, env).map_err(|e| (doing(what), e))?;
                    state
                        .update_mailname(id, fields)
                        .map_err(|f| (doing(what), fault_text(&f)))?;
                    Ok(format!(
                        "SUCCESS: Update of mailname '{}' complete.\n",
                        printable(address)
                    ))
                }
                ("--remove" | "-r", Some(id)) => {
                    if let Some((name, _)) = opts.first() {
                        return Err((doing(what), format!("Unknown option {}", printable(name))));
                    }
                    state
                        .delete_mailname(id)
                        .map_err(|f| (doing(what), fault_text(&f)))?;
                    Ok(format!(
                        "SUCCESS: Removal of mailname '{}' complete.\n",
                        printable(address)
                    ))
                }
                (_, Some(id)) => Ok(mail_info(state, id)),
            }
        }
        other => Err((
            "command parsing".to_owned(),
            format!("Unknown command '{}'", printable(other)),
        )),
    }
}

fn extension(state: &mut State, params: &[String]) -> Result<(String, u64), (String, String)> {
    let action = params.first().map(String::as_str).unwrap_or_default();
    match action {
        "--list" | "-l" => Ok(("letsencrypt - Let's Encrypt - enabled\n".to_owned(), 0)),
        "--exec" => {
            let what = "certificate issuance";
            let (Some(id), Some(script)) = (params.get(1), params.get(2)) else {
                return Err((
                    what.to_owned(),
                    "Usage: --exec <extension> <script> [arguments]".into(),
                ));
            };
            if id != "letsencrypt" {
                return Err((
                    what.to_owned(),
                    format!("Extension '{}' is not installed", printable(id)),
                ));
            }
            if script != "cli.php" {
                return Err((
                    what.to_owned(),
                    format!("Script '{}' is not found", printable(script)),
                ));
            }
            let mut domains = Vec::new();
            let mut email = None;
            let mut rest = params[3..].iter();
            while let Some(flag) = rest.next() {
                let value = rest.next().ok_or_else(|| {
                    (
                        what.to_owned(),
                        format!("Option {} needs a value", printable(flag)),
                    )
                })?;
                match flag.as_str() {
                    "-d" | "--domain" => domains.push(value.clone()),
                    "-m" | "--email" => email = Some(value.clone()),
                    other => {
                        return Err((
                            what.to_owned(),
                            format!("Unknown option {}", printable(other)),
                        ))
                    }
                }
            }
            let Some(main) = domains.first().cloned() else {
                return Err((
                    what.to_owned(),
                    "At least one -d <domain> is required".into(),
                ));
            };
            if let Some(email) = &email {
                super::validate::email(email).map_err(|m| (what.to_owned(), m))?;
            }
            state
                .issue_lets_encrypt(&main, &domains[1..])
                .map_err(|f| (what.to_owned(), fault_text(&f)))?;
            Ok((
                String::new(),
                if state.letsencrypt.wait {
                    state.letsencrypt.delay_ms
                } else {
                    0
                },
            ))
        }
        other => Err((
            "command parsing".to_owned(),
            format!("Unknown command '{}'", printable(other)),
        )),
    }
}

/// Runs one utility call; `None` = no such command (404).
pub fn call(
    state: &mut State,
    command: &str,
    params: &[String],
    env: &BTreeMap<String, String>,
) -> Option<Outcome> {
    let result = match command {
        "mail" => mail(state, params, env).map(|out| (out, 0)),
        "extension" => extension(state, params),
        _ => return None,
    };
    Some(match result {
        Ok((stdout, wait_ms)) => Outcome {
            wait_ms,
            ..Outcome::ok(stdout)
        },
        Err((doing, reason)) => {
            Outcome::fail(format!("An error occurred during {doing}: {reason}\n"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn options_pair_up_and_lists_parse() {
        assert_eq!(
            options(&strings(&["-mailbox", "true", "-passwd", ""])).unwrap(),
            vec![
                ("-mailbox".to_owned(), "true".to_owned()),
                ("-passwd".to_owned(), String::new())
            ]
        );
        assert!(options(&strings(&["-mailbox"])).is_err());
        assert_eq!(
            list_option("-aliases", "add:a,b").unwrap(),
            ListChange::Add(strings(&["a", "b"]))
        );
        assert!(list_option("-aliases", "a,b").is_err());
    }

    #[test]
    fn reads_are_info_and_list_only() {
        assert!(is_read("mail", &strings(&["--info", "a@b.c"])));
        assert!(!is_read("mail", &strings(&["--create", "a@b.c"])));
        assert!(!is_read("extension", &strings(&["--exec", "letsencrypt"])));
    }

    #[test]
    fn unknown_commands_are_not_found() {
        let mut state = State::initial();
        assert!(call(&mut state, "cron", &[], &BTreeMap::new()).is_none());
        let outcome = call(
            &mut state,
            "mail",
            &strings(&["--explode"]),
            &BTreeMap::new(),
        )
        .unwrap();
        assert_eq!(outcome.code, 1);
    }
}
