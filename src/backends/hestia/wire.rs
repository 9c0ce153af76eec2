//! HestiaCP wire types: the `v-*` commands we send (name + positional arguments, in
//! the order the scripts expect) and the JSON records `v-list-* json` prints.
//!
//! Hestia's JSON is built with `echo`: every value is a string and each list is an
//! object keyed by the object's name, in the panel's own order.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::panel::{PanelError, PanelResult, Secret};

/// Whether a command only reads (safe to retry, answered with data) or changes the panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommandKind {
    Read,
    Mutation,
}

/// One positional argument. Secret arguments (passwords) are sent but never shown.
#[derive(Clone, PartialEq)]
pub enum Arg {
    Plain(String),
    Secret(Secret),
}

impl Arg {
    pub fn value(&self) -> &str {
        match self {
            Arg::Plain(value) => value,
            Arg::Secret(secret) => secret.expose(),
        }
    }
}

impl fmt::Debug for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Plain(value) => write!(f, "{value:?}"),
            Arg::Secret(_) => f.write_str("<redacted>"),
        }
    }
}

/// A `v-*` command with its arguments. Only non-empty optional arguments are ever
/// added: Hestia passes `arg4=""` on as an empty string rather than a missing
/// argument (captured: `v-add-user` with an empty package fails with exit 3).
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    pub name: &'static str,
    pub args: Vec<Arg>,
    pub kind: CommandKind,
}

impl Command {
    fn new(name: &'static str, kind: CommandKind) -> Self {
        Self {
            name,
            args: Vec::new(),
            kind,
        }
    }

    fn read(name: &'static str) -> Self {
        Self::new(name, CommandKind::Read)
    }

    fn mutation(name: &'static str) -> Self {
        Self::new(name, CommandKind::Mutation)
    }

    fn arg(mut self, value: impl Into<String>) -> Self {
        self.args.push(Arg::Plain(value.into()));
        self
    }

    fn secret(mut self, value: &Secret) -> Self {
        self.args.push(Arg::Secret(value.clone()));
        self
    }

    /// The values of secret arguments, to scrub from any echoed error text.
    pub fn secret_values(&self) -> impl Iterator<Item = &str> {
        self.args.iter().filter_map(|arg| match arg {
            Arg::Secret(secret) => Some(secret.expose()),
            Arg::Plain(_) => None,
        })
    }

    /// Plain argument values, in order (for tests and diagnostics).
    pub fn plain_args(&self) -> Vec<&str> {
        self.args.iter().map(Arg::value).collect()
    }
}

/// Splits a full name at its first space into Hestia's NAME / LASTNAME pair, which
/// it stores joined with one space (so the round trip is exact for names without
/// double spaces, which the stricter rename validator refuses anyway).
fn split_name(full: &str) -> (String, Option<String>) {
    let trimmed = full.trim();
    match trimmed.split_once(' ') {
        Some((first, rest)) if !rest.trim().is_empty() => {
            (first.to_owned(), Some(rest.trim().to_owned()))
        }
        _ => (trimmed.to_owned(), None),
    }
}

/// The package `v-add-user` uses when none is given (`${4-default}`); sent explicitly
/// only when a name must follow it in position 5.
pub const DEFAULT_PACKAGE: &str = "default";

/// `v-add-user USER PASSWORD EMAIL [PACKAGE] [NAME] [LASTNAME]`
pub fn add_user(
    login: &str,
    password: &Secret,
    email: &str,
    plan: Option<&str>,
    name: &str,
) -> Command {
    let mut command = Command::mutation("v-add-user")
        .arg(login)
        .secret(password)
        .arg(email);
    let plan = plan.filter(|p| !p.is_empty());
    let (first, last) = split_name(name);
    if !first.is_empty() {
        command = command.arg(plan.unwrap_or(DEFAULT_PACKAGE)).arg(first);
        if let Some(last) = last {
            command = command.arg(last);
        }
    } else if let Some(plan) = plan {
        command = command.arg(plan);
    }
    command
}

/// `v-list-user-packages json`: the packages a user can be given (record 28).
pub fn list_user_packages() -> Command {
    Command::read("v-list-user-packages").arg("json")
}

pub fn list_users() -> Command {
    Command::read("v-list-users").arg("json")
}

/// `v-list-user USER json`: one user (exit 3 when there is none, record 17).
pub fn list_user(login: &str) -> Command {
    Command::read("v-list-user").arg(login).arg("json")
}

pub fn change_user_contact(login: &str, email: &str) -> Command {
    Command::mutation("v-change-user-contact")
        .arg(login)
        .arg(email)
}

/// `v-change-user-name USER NAME [LAST_NAME]`
pub fn change_user_name(login: &str, name: &str) -> Command {
    let (first, last) = split_name(name);
    let command = Command::mutation("v-change-user-name")
        .arg(login)
        .arg(first);
    match last {
        Some(last) => command.arg(last),
        None => command,
    }
}

pub fn change_user_package(login: &str, package: &str) -> Command {
    Command::mutation("v-change-user-package")
        .arg(login)
        .arg(package)
}

pub fn change_user_password(login: &str, password: &Secret) -> Command {
    Command::mutation("v-change-user-password")
        .arg(login)
        .secret(password)
}

pub fn suspend_user(login: &str) -> Command {
    Command::mutation("v-suspend-user").arg(login)
}

pub fn unsuspend_user(login: &str) -> Command {
    Command::mutation("v-unsuspend-user").arg(login)
}

pub fn delete_user(login: &str) -> Command {
    Command::mutation("v-delete-user").arg(login)
}

/// `v-add-web-domain USER DOMAIN [IP]`
pub fn add_web_domain(owner: &str, domain: &str, ip: Option<&str>) -> Command {
    let command = Command::mutation("v-add-web-domain").arg(owner).arg(domain);
    match ip.filter(|ip| !ip.is_empty()) {
        Some(ip) => command.arg(ip),
        None => command,
    }
}

pub fn list_web_domains(owner: &str) -> Command {
    Command::read("v-list-web-domains").arg(owner).arg("json")
}

/// `v-list-web-domain USER DOMAIN json`: one web domain, matched exactly as the panel
/// stores its name (exit 3 when there is none, record 36).
pub fn list_web_domain(owner: &str, stored_name: &str) -> Command {
    Command::read("v-list-web-domain")
        .arg(owner)
        .arg(stored_name)
        .arg("json")
}

pub fn delete_web_domain(owner: &str, domain: &str) -> Command {
    Command::mutation("v-delete-web-domain")
        .arg(owner)
        .arg(domain)
}

/// `v-add-database USER DATABASE DBUSER DBPASS TYPE`, with the unprefixed names
/// (Hestia adds `USER_` itself).
pub fn add_database(
    owner: &str,
    name: &str,
    db_user: &str,
    password: &Secret,
    hestia_type: &str,
) -> Command {
    Command::mutation("v-add-database")
        .arg(owner)
        .arg(name)
        .arg(db_user)
        .secret(password)
        .arg(hestia_type)
}

pub fn list_databases(owner: &str) -> Command {
    Command::read("v-list-databases").arg(owner).arg("json")
}

/// `v-list-database USER DATABASE json` with the full prefixed name (exit 3 when there
/// is none, record 47).
pub fn list_database(owner: &str, full_name: &str) -> Command {
    Command::read("v-list-database")
        .arg(owner)
        .arg(full_name)
        .arg("json")
}

/// `v-change-database-password USER DATABASE DBPASS` with the full prefixed name.
pub fn change_database_password(owner: &str, full_name: &str, password: &Secret) -> Command {
    Command::mutation("v-change-database-password")
        .arg(owner)
        .arg(full_name)
        .secret(password)
}

pub fn delete_database(owner: &str, full_name: &str) -> Command {
    Command::mutation("v-delete-database")
        .arg(owner)
        .arg(full_name)
}

/// One entry of `v-list-users json` (the fields the provider uses; the rest is ignored).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct UserRecord {
    pub name: String,
    pub package: String,
    pub contact: String,
    pub suspended: String,
    pub role: String,
}

/// One entry of `v-list-web-domains USER json`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct WebDomainRecord {
    pub ip: String,
    /// The domain's FTP accounts' full logins, `:`-separated (record 309).
    pub ftp_user: String,
    /// Their paths, in the same order (record 309: the first as given, the others
    /// with a leading `/`).
    pub ftp_path: String,
    pub document_root: String,
    pub alias: String,
    pub backend: String,
    pub suspended: String,
    /// `yes` when the domain serves TLS (record 508).
    pub ssl: String,
    /// `yes` when its certificate came from (and is renewed by) Let's Encrypt.
    pub letsencrypt: String,
}

/// The one entry of `v-list-web-domain-ssl USER DOMAIN json` (records 507, 511): the
/// PEM files with newlines as `\n`, every field empty without SSL. `KEY` (the private
/// key) is deliberately not a field: it is skipped unread and never kept.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct SslRecord {
    pub crt: String,
    pub ca: String,
}

/// The directory `v-make-tmp-file` writes to, which `v-add-web-domain-ssl` reads the
/// PEM files from (README, TLS: records 501, 504, 505).
pub const SSL_DIR: &str = "/tmp";

/// `v-make-tmp-file CONTENT FILENAME` (handled by the API itself): CONTENT and a newline
/// into `/tmp/FILENAME` (records 501, 504). The content is secret for a private key.
pub fn make_tmp_file(content: &str, file: &str) -> Command {
    Command::mutation("v-make-tmp-file").arg(content).arg(file)
}

/// [`make_tmp_file`] for a private key: the content never shows.
pub fn make_tmp_key_file(key: &Secret, file: &str) -> Command {
    Command::mutation("v-make-tmp-file").secret(key).arg(file)
}

/// `v-add-web-domain-ssl USER DOMAIN SSL_DIR`: installs `DOMAIN.crt`, `DOMAIN.key`
/// (and `DOMAIN.ca`) from SSL_DIR (record 505).
pub fn add_web_domain_ssl(owner: &str, domain: &str) -> Command {
    Command::mutation("v-add-web-domain-ssl")
        .arg(owner)
        .arg(domain)
        .arg(SSL_DIR)
}

/// `v-delete-web-domain-ssl USER DOMAIN` (records 509, 510).
pub fn delete_web_domain_ssl(owner: &str, domain: &str) -> Command {
    Command::mutation("v-delete-web-domain-ssl")
        .arg(owner)
        .arg(domain)
}

/// `v-list-web-domain-ssl USER DOMAIN json` (records 507, 511, 512).
pub fn list_web_domain_ssl(owner: &str, domain: &str) -> Command {
    Command::read("v-list-web-domain-ssl")
        .arg(owner)
        .arg(domain)
        .arg("json")
}

/// `v-add-letsencrypt-domain USER DOMAIN` (records 520-522): the panel requests the
/// certificate for the domain alone and renews it.
pub fn add_letsencrypt_domain(owner: &str, domain: &str) -> Command {
    Command::mutation("v-add-letsencrypt-domain")
        .arg(owner)
        .arg(domain)
}

/// `v-add-web-domain-ftp USER DOMAIN FTP_USER FTP_PASSWORD [FTP_PATH]`: the panel
/// stores the login as `USER_FTP_USER` (records 301, 303).
pub fn add_web_domain_ftp(
    owner: &str,
    domain: &str,
    login: &str,
    password: &Secret,
    path: &str,
) -> Command {
    let command = Command::mutation("v-add-web-domain-ftp")
        .arg(owner)
        .arg(domain)
        .arg(login)
        .secret(password);
    if path.is_empty() {
        command
    } else {
        command.arg(path)
    }
}

/// `v-change-web-domain-ftp-password USER DOMAIN FULL_LOGIN PASSWORD` (record 310).
pub fn change_web_domain_ftp_password(
    owner: &str,
    domain: &str,
    full_login: &str,
    password: &Secret,
) -> Command {
    Command::mutation("v-change-web-domain-ftp-password")
        .arg(owner)
        .arg(domain)
        .arg(full_login)
        .secret(password)
}

/// `v-change-web-domain-ftp-path USER DOMAIN FULL_LOGIN PATH` (record 312); the
/// domain's home itself is `.` (the script resolves the path under it).
pub fn change_web_domain_ftp_path(
    owner: &str,
    domain: &str,
    full_login: &str,
    path: &str,
) -> Command {
    Command::mutation("v-change-web-domain-ftp-path")
        .arg(owner)
        .arg(domain)
        .arg(full_login)
        .arg(if path.is_empty() { "." } else { path })
}

/// `v-delete-web-domain-ftp USER DOMAIN FULL_LOGIN` (records 317, 318).
pub fn delete_web_domain_ftp(owner: &str, domain: &str, full_login: &str) -> Command {
    Command::mutation("v-delete-web-domain-ftp")
        .arg(owner)
        .arg(domain)
        .arg(full_login)
}

/// One entry of `v-list-databases USER json`.
/// `v-add-cron-job USER MIN HOUR DAY MONTH WDAY COMMAND`: the panel numbers the job
/// (highest + 1, records 400-403) and answers nothing.
pub fn add_cron_job(owner: &str, fields: &[&str; 5], command: &str) -> Command {
    fields
        .iter()
        .fold(Command::mutation("v-add-cron-job").arg(owner), |c, f| {
            c.arg(*f)
        })
        .arg(command)
}

/// `v-change-cron-job USER JOB MIN HOUR DAY MONTH WDAY COMMAND` (every field is
/// rewritten; refused on a suspended job, record 435).
pub fn change_cron_job(owner: &str, job: &str, fields: &[&str; 5], command: &str) -> Command {
    fields
        .iter()
        .fold(
            Command::mutation("v-change-cron-job").arg(owner).arg(job),
            |c, f| c.arg(*f),
        )
        .arg(command)
}

/// `v-add-mail-domain USER DOMAIN` (record 200: antispam, antivirus and DKIM take the
/// panel's defaults).
pub fn add_mail_domain(owner: &str, domain: &str) -> Command {
    Command::mutation("v-add-mail-domain")
        .arg(owner)
        .arg(domain)
}

/// `v-list-mail-domains USER json` (record 206).
pub fn list_mail_domains(owner: &str) -> Command {
    Command::read("v-list-mail-domains").arg(owner).arg("json")
}

/// `v-list-mail-domain USER DOMAIN json` (record 207).
pub fn list_mail_domain(owner: &str, domain: &str) -> Command {
    Command::read("v-list-mail-domain")
        .arg(owner)
        .arg(domain)
        .arg("json")
}

/// `v-delete-mail-domain USER DOMAIN` (record 244).
pub fn delete_mail_domain(owner: &str, domain: &str) -> Command {
    Command::mutation("v-delete-mail-domain")
        .arg(owner)
        .arg(domain)
}

/// `v-add-mail-account USER DOMAIN ACCOUNT PASSWORD QUOTA` (records 210, 211).
pub fn add_mail_account(
    owner: &str,
    domain: &str,
    account: &str,
    password: &Secret,
    quota: &str,
) -> Command {
    Command::mutation("v-add-mail-account")
        .arg(owner)
        .arg(domain)
        .arg(account)
        .secret(password)
        .arg(quota)
}

/// `v-change-mail-account-password USER DOMAIN ACCOUNT PASSWORD` (record 221).
pub fn change_mail_account_password(
    owner: &str,
    domain: &str,
    account: &str,
    password: &Secret,
) -> Command {
    Command::mutation("v-change-mail-account-password")
        .arg(owner)
        .arg(domain)
        .arg(account)
        .secret(password)
}

/// `v-change-mail-account-quota USER DOMAIN ACCOUNT QUOTA` (records 222, 223).
pub fn change_mail_account_quota(owner: &str, domain: &str, account: &str, quota: &str) -> Command {
    Command::mutation("v-change-mail-account-quota")
        .arg(owner)
        .arg(domain)
        .arg(account)
        .arg(quota)
}

/// `v-suspend-mail-account USER DOMAIN ACCOUNT` (record 226).
pub fn suspend_mail_account(owner: &str, domain: &str, account: &str) -> Command {
    Command::mutation("v-suspend-mail-account")
        .arg(owner)
        .arg(domain)
        .arg(account)
}

/// `v-unsuspend-mail-account USER DOMAIN ACCOUNT` (record 230).
pub fn unsuspend_mail_account(owner: &str, domain: &str, account: &str) -> Command {
    Command::mutation("v-unsuspend-mail-account")
        .arg(owner)
        .arg(domain)
        .arg(account)
}

/// `v-delete-mail-account USER DOMAIN ACCOUNT` (record 241).
pub fn delete_mail_account(owner: &str, domain: &str, account: &str) -> Command {
    Command::mutation("v-delete-mail-account")
        .arg(owner)
        .arg(domain)
        .arg(account)
}

/// `v-list-mail-accounts USER DOMAIN json` (record 219).
pub fn list_mail_accounts(owner: &str, domain: &str) -> Command {
    Command::read("v-list-mail-accounts")
        .arg(owner)
        .arg(domain)
        .arg("json")
}

/// `v-list-mail-account USER DOMAIN ACCOUNT json` (record 220).
pub fn list_mail_account(owner: &str, domain: &str, account: &str) -> Command {
    Command::read("v-list-mail-account")
        .arg(owner)
        .arg(domain)
        .arg(account)
        .arg("json")
}

pub fn list_cron_jobs(owner: &str) -> Command {
    Command::read("v-list-cron-jobs").arg(owner).arg("json")
}

/// `v-list-cron-job USER JOB json` (keyed by the job number, record 405).
pub fn list_cron_job(owner: &str, job: &str) -> Command {
    Command::read("v-list-cron-job")
        .arg(owner)
        .arg(job)
        .arg("json")
}

pub fn suspend_cron_job(owner: &str, job: &str) -> Command {
    Command::mutation("v-suspend-cron-job").arg(owner).arg(job)
}

pub fn unsuspend_cron_job(owner: &str, job: &str) -> Command {
    Command::mutation("v-unsuspend-cron-job")
        .arg(owner)
        .arg(job)
}

/// `v-delete-cron-job USER JOB` (exit 3 when there is none, record 443).
pub fn delete_cron_job(owner: &str, job: &str) -> Command {
    Command::mutation("v-delete-cron-job").arg(owner).arg(job)
}

/// `v-add-dns-record USER DOMAIN RECORD TYPE VALUE [PRIORITY] [ID] [RESTART] [TTL]`:
/// the panel numbers the record (highest + 1, records 111-128, 152-156) and answers
/// nothing. An empty TTL keeps the zone's default.
pub fn add_dns_record(
    owner: &str,
    zone: &str,
    name: &str,
    rtype: &str,
    value: &str,
    priority: Option<u32>,
    ttl: Option<u32>,
) -> Command {
    let command = Command::mutation("v-add-dns-record")
        .arg(owner)
        .arg(zone)
        .arg(name)
        .arg(rtype)
        .arg(value)
        .arg(priority.map(|p| p.to_string()).unwrap_or_default());
    match ttl {
        Some(ttl) => command.arg("").arg("").arg(ttl.to_string()),
        None => command,
    }
}

/// `v-change-dns-record USER DOMAIN ID RECORD TYPE VALUE [PRIORITY] [RESTART] [TTL]`
/// (records 140-147; "No pending changes" with exit 0 when nothing changes).
#[allow(clippy::too_many_arguments)]
pub fn change_dns_record(
    owner: &str,
    zone: &str,
    id: &str,
    name: &str,
    rtype: &str,
    value: &str,
    priority: Option<u32>,
    ttl: Option<u32>,
) -> Command {
    let command = Command::mutation("v-change-dns-record")
        .arg(owner)
        .arg(zone)
        .arg(id)
        .arg(name)
        .arg(rtype)
        .arg(value)
        .arg(priority.map(|p| p.to_string()).unwrap_or_default());
    match ttl {
        Some(ttl) => command.arg("").arg(ttl.to_string()),
        None => command,
    }
}

/// `v-delete-dns-record USER DOMAIN ID` (exit 3 when the id or the zone is missing,
/// records 157, 158).
pub fn delete_dns_record(owner: &str, zone: &str, id: &str) -> Command {
    Command::mutation("v-delete-dns-record")
        .arg(owner)
        .arg(zone)
        .arg(id)
}

/// `v-list-dns-records USER DOMAIN json` (keyed by the record id, record 128; exit 3
/// when the zone does not exist, record 159).
pub fn list_dns_records(owner: &str, zone: &str) -> Command {
    Command::read("v-list-dns-records")
        .arg(owner)
        .arg(zone)
        .arg("json")
}

/// `v-list-dns-domains USER json` (keyed by the zone name, record 107).
pub fn list_dns_domains(owner: &str) -> Command {
    Command::read("v-list-dns-domains").arg(owner).arg("json")
}

/// `v-add-dns-domain USER DOMAIN IP` (records 101, 603; exit 4 when the zone exists,
/// record 102; exit 3 for a missing user, record 106).
pub fn add_dns_domain(owner: &str, zone: &str, ip: &str) -> Command {
    Command::mutation("v-add-dns-domain")
        .arg(owner)
        .arg(zone)
        .arg(ip)
}

/// `v-list-dns-domain USER DOMAIN json` (keyed by the zone name, record 108; exit 3
/// when there is no such zone).
pub fn list_dns_domain(owner: &str, zone: &str) -> Command {
    Command::read("v-list-dns-domain")
        .arg(owner)
        .arg(zone)
        .arg("json")
}

/// `v-change-dns-domain-ip USER DOMAIN IP` (HestiaCP's script of that name; no recorded
/// answer).
pub fn change_dns_domain_ip(owner: &str, zone: &str, ip: &str) -> Command {
    Command::mutation("v-change-dns-domain-ip")
        .arg(owner)
        .arg(zone)
        .arg(ip)
}

/// `v-change-dns-domain-ttl USER DOMAIN TTL` (HestiaCP's script of that name; no
/// recorded answer).
pub fn change_dns_domain_ttl(owner: &str, zone: &str, ttl: i64) -> Command {
    Command::mutation("v-change-dns-domain-ttl")
        .arg(owner)
        .arg(zone)
        .arg(ttl.to_string())
}

/// `v-delete-dns-domain USER DOMAIN` (record 171; exit 3 when it is gone, record 172).
pub fn delete_dns_domain(owner: &str, zone: &str) -> Command {
    Command::mutation("v-delete-dns-domain")
        .arg(owner)
        .arg(zone)
}

/// One entry of `v-list-dns-domain(s) USER json` (records 107, 108).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct DnsDomainRecord {
    pub ip: String,
    pub tpl: String,
    pub ttl: String,
    pub suspended: String,
}

/// One entry of `v-list-dns-records USER DOMAIN json` (records 110, 128).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct DnsRecordEntry {
    pub record: String,
    #[serde(rename = "TYPE")]
    pub rtype: String,
    pub priority: String,
    pub value: String,
    pub id: String,
    pub ttl: String,
}

/// One entry of `v-list-cron-job(s) USER json` (records 404, 405, 436).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct CronJobRecord {
    pub min: String,
    pub hour: String,
    pub day: String,
    pub month: String,
    pub wday: String,
    pub cmd: String,
    pub job: String,
    pub suspended: String,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub struct DatabaseRecord {
    pub database: String,
    pub dbuser: String,
    pub host: String,
    #[serde(rename = "TYPE")]
    pub db_type: String,
    pub charset: String,
    pub suspended: String,
}

/// Parses a keyed `v-list-* json` answer into `(key, record)` pairs in the panel's
/// order. An empty answer is an empty list (access-key mode answers 204 for no output).
///
/// The answer is read in one pass straight into the records, which keep only the
/// fields the provider reads: a `v-list-users` entry has about 70 fields (1.8 KB), and
/// holding the whole answer as a JSON tree made memory grow with the panel (issue 16).
pub fn parse_keyed<T: DeserializeOwned>(
    command: &str,
    body: &str,
) -> PanelResult<Vec<(String, T)>> {
    if body.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str::<Keyed<T>>(body)
        .map(|keyed| keyed.0)
        .map_err(|e| {
            PanelError::protocol(format!(
                "{command}: the panel's answer is not the expected JSON object of entries: {e}"
            ))
        })
}

/// A JSON object read as `(key, value)` pairs in the order the panel printed them.
struct Keyed<T>(Vec<(String, T)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Keyed<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Entries<T>(std::marker::PhantomData<T>);

        impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Entries<T> {
            type Value = Keyed<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object keyed by object name")
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Keyed<T>, A::Error> {
                // A size hint from the answer is not trusted beyond a modest bound.
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
                while let Some(entry) = map.next_entry::<String, T>()? {
                    entries.push(entry);
                }
                Ok(Keyed(entries))
            }
        }

        deserializer.deserialize_map(Entries(std::marker::PhantomData))
    }
}

/// Hestia's `TYPE` for the neutral engine name.
pub fn hestia_db_type(engine: &str) -> Option<&'static str> {
    match engine {
        "mysql" => Some("mysql"),
        "postgresql" => Some("pgsql"),
        _ => None,
    }
}

/// The neutral engine name for Hestia's `TYPE`.
pub fn neutral_engine(hestia_type: &str) -> String {
    match hestia_type {
        "pgsql" => "postgresql".to_owned(),
        other => other.to_owned(),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::path::PathBuf;

    /// A captured record from tests/fixtures/reference/hestia/captured (tests fail loudly when
    /// it is missing).
    pub(crate) fn captured(name: &str) -> serde_json::Value {
        let path: PathBuf =
            crate::backends::reference_dir("hestia/captured").join(format!("{name}.json"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("captured record {} is missing: {e}", path.display()));
        serde_json::from_str(&text).unwrap()
    }

    fn captured_args(name: &str) -> Vec<String> {
        captured(name)["request"]["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    }

    fn body(name: &str) -> String {
        captured(name)["body"].as_str().unwrap().to_owned()
    }

    fn with_masked_secrets(command: &Command, mask: &str) -> Vec<String> {
        command
            .args
            .iter()
            .map(|arg| match arg {
                Arg::Plain(v) => v.clone(),
                Arg::Secret(_) => mask.to_owned(),
            })
            .collect()
    }

    #[test]
    fn add_user_matches_the_captured_argument_order() {
        let command = add_user(
            "capuser",
            &Secret::new("pw"),
            "cap@example.com",
            Some("default"),
            "Cap User",
        );
        assert_eq!(command.name, "v-add-user");
        assert_eq!(
            with_masked_secrets(&command, "<USER_PASSWORD>"),
            captured_args("10-add-user")
        );
    }

    #[test]
    fn add_user_never_sends_empty_optional_arguments() {
        let minimal = add_user("capuser", &Secret::new("pw"), "cap@example.com", None, "");
        assert_eq!(
            with_masked_secrets(&minimal, "<USER_PASSWORD>"),
            captured_args("11-add-user-duplicate")
        );
        let empty_plan = add_user("u1", &Secret::new("pw"), "a@b.example", Some(""), "");
        assert_eq!(empty_plan.args.len(), 3);
        // A name without a plan needs the package slot filled with Hestia's own default.
        let name_only = add_user("u1", &Secret::new("pw"), "a@b.example", None, "Ann");
        assert_eq!(name_only.plain_args()[3..], ["default", "Ann"]);
    }

    #[test]
    fn change_commands_match_captured_argument_order() {
        assert_eq!(
            change_user_contact("capuser", "new@example.com").plain_args(),
            captured_args("20-change-contact")
        );
        assert_eq!(
            change_user_name("capuser", "Capital Person").plain_args(),
            captured_args("21-change-name")
        );
        assert_eq!(
            with_masked_secrets(
                &change_user_password("capuser", &Secret::new("x")),
                "<NEW_PASSWORD>"
            ),
            captured_args("22-change-password")
        );
        assert_eq!(
            change_user_package("capuser", "nosuchpkg").plain_args(),
            captured_args("23-change-package-missing")
        );
        assert_eq!(
            suspend_user("capuser").plain_args(),
            captured_args("24-suspend")
        );
        assert_eq!(
            unsuspend_user("capuser").plain_args(),
            captured_args("27-unsuspend")
        );
        assert_eq!(
            delete_user("capuser").plain_args(),
            captured_args("52-delete-user")
        );
    }

    #[test]
    fn domain_and_database_commands_match_captured_argument_order() {
        assert_eq!(
            add_web_domain("capuser", "cap-example.com", None).plain_args(),
            captured_args("30-add-web-domain")
        );
        assert_eq!(
            add_web_domain("capuser", "cap-example.com", Some(""))
                .args
                .len(),
            2
        );
        assert_eq!(
            list_web_domains("capuser").plain_args(),
            captured_args("35-list-web-domains")
        );
        assert_eq!(
            delete_web_domain("capuser", "cap-example.com").plain_args(),
            captured_args("50-delete-web-domain")
        );
        assert_eq!(
            with_masked_secrets(
                &add_database("capuser", "shop", "shopu", &Secret::new("x"), "mysql"),
                "<DB_PASSWORD>"
            ),
            captured_args("40-add-database")
        );
        assert_eq!(
            list_databases("capuser").plain_args(),
            captured_args("44-list-databases")
        );
        assert_eq!(
            with_masked_secrets(
                &change_database_password("capuser", "capuser_shop", &Secret::new("x")),
                "<NEW_PASSWORD>"
            ),
            captured_args("45-change-database-password")
        );
        assert_eq!(
            delete_database("capuser", "capuser_shop").plain_args(),
            captured_args("46-delete-database")
        );
        assert_eq!(list_users().plain_args(), captured_args("19-list-users"));
        assert_eq!(
            list_user_packages().plain_args(),
            captured_args("28-list-packages")
        );
    }

    #[test]
    fn secrets_do_not_show_in_debug_output() {
        let command = add_user("u1", &Secret::new("s3cret-pw"), "a@b.example", None, "");
        assert!(!format!("{command:?}").contains("s3cret-pw"));
        assert_eq!(command.secret_values().collect::<Vec<_>>(), ["s3cret-pw"]);
    }

    #[test]
    fn captured_user_lists_parse() {
        let users: Vec<(String, UserRecord)> =
            parse_keyed("v-list-users", &body("19-list-users")).unwrap();
        let names: Vec<&str> = users.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names[0], "admin");
        assert!(names.contains(&"capuser"));
        let admin = &users[0].1;
        assert_eq!(admin.role, "admin");
        assert_eq!(admin.contact, "admin@example.com");

        let single: Vec<(String, UserRecord)> =
            parse_keyed("v-list-user", &body("16-list-user")).unwrap();
        assert_eq!(
            single,
            vec![(
                "capuser".to_owned(),
                UserRecord {
                    name: "Cap User".into(),
                    package: "default".into(),
                    contact: "cap@example.com".into(),
                    suspended: "no".into(),
                    role: "user".into(),
                }
            )]
        );
        let after: Vec<(String, UserRecord)> =
            parse_keyed("v-list-users", &body("54-list-users-after")).unwrap();
        assert!(after.iter().all(|(k, _)| k != "capuser"));
    }

    #[test]
    fn captured_web_domain_lists_parse() {
        let domains: Vec<(String, WebDomainRecord)> =
            parse_keyed("v-list-web-domains", &body("35-list-web-domains")).unwrap();
        assert_eq!(domains.len(), 2);
        assert_eq!(domains[0].0, "cap-example.com");
        assert_eq!(domains[1].0, "upper-example.org");
        assert_eq!(domains[0].1.ip, "192.0.2.2");
        assert_eq!(
            domains[0].1.document_root,
            "/home/capuser/web/cap-example.com/public_html/"
        );
        let one: Vec<(String, WebDomainRecord)> =
            parse_keyed("v-list-web-domain", &body("34-list-web-domain")).unwrap();
        assert_eq!(one[0].1.alias, "www.cap-example.com");
    }

    #[test]
    fn captured_database_lists_parse() {
        let dbs: Vec<(String, DatabaseRecord)> =
            parse_keyed("v-list-databases", &body("44-list-databases")).unwrap();
        assert_eq!(
            dbs,
            vec![(
                "capuser_shop".to_owned(),
                DatabaseRecord {
                    database: "capuser_shop".into(),
                    dbuser: "capuser_shopu".into(),
                    host: "localhost".into(),
                    db_type: "mysql".into(),
                    charset: "UTF8MB4".into(),
                    suspended: "no".into(),
                }
            )]
        );
        let one: Vec<(String, DatabaseRecord)> =
            parse_keyed("v-list-database", &body("43-list-database")).unwrap();
        assert_eq!(one, dbs);
    }

    #[test]
    fn empty_lists_and_garbage_are_told_apart() {
        let empty: Vec<(String, DatabaseRecord)> =
            parse_keyed("v-list-databases", "{\n}\n").unwrap();
        assert!(empty.is_empty());
        let none: Vec<(String, DatabaseRecord)> = parse_keyed("v-list-databases", "").unwrap();
        assert!(none.is_empty());
        let error = parse_keyed::<DatabaseRecord>("v-list-databases", "OK").unwrap_err();
        assert_eq!(error.kind, crate::panel::PanelErrorKind::Protocol);
    }
}
