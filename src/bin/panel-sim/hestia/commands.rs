//! The `v-*` commands the simulator knows, with the real scripts' argument order,
//! check order (first failure wins), messages and exit codes (HestiaCP 1.10,
//! `bin/v-*` and `func/main.sh`). Each command yields an exit code and the text
//! the script would print on stdout.
//!
//! Modelled subsystems: users, packages, web domains (nginx + php-fpm backend)
//! with FTP accounts and TLS (`web_extra`), MySQL databases on `localhost`, DNS
//! zones (`dns`), mail (`mail`) and cron (`cron`), as on the server of records
//! 60-901. Assumption: `v-add-domain` keeps creating the web domain only (the
//! provider uses `v-add-web-domain`; the DNS/mail part of `v-add-domain` is not
//! simulated).

use super::mail::AccountChange;
use super::state::{
    database_listing, databases_listing, now_time_date, password_digest, sys_ips_json,
    web_domain_listing, web_domains_listing, Database, State, User, WebDomain, ROOT_USER,
    SERVER_IP,
};
use super::web_extra::FtpChange;
use super::{cron, dns, mail, validate, web_extra};

pub const E_ARGS: u8 = 1;
pub const E_INVALID: u8 = 2;
pub const E_NOTEXIST: u8 = 3;
pub const E_EXISTS: u8 = 4;
pub const E_SUSPENDED: u8 = 5;
pub const E_UNSUSPENDED: u8 = 6;
pub const E_LIMIT: u8 = 8;
pub const E_PASSWORD: u8 = 9;
pub const E_FORBIDEN: u8 = 10;
pub const E_CONNECT: u8 = 15;

/// A failed command: its exit code and everything it printed on stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: u8,
    pub message: String,
    pub output: String,
}

impl Failure {
    /// `check_result CODE "msg"`: prints `Error: msg`.
    pub fn new(code: u8, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            code,
            output: format!("Error: {message}\n"),
            message,
        }
    }

    /// `check_args`: prints only the usage line and exits 1.
    pub(super) fn usage(cmd: &str, usage: &str) -> Self {
        Self {
            code: E_ARGS,
            message: String::new(),
            output: format!("Usage: {cmd} {usage}\n"),
        }
    }
}

/// What a command did: exit code and stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub exit: u8,
    pub stdout: String,
}

impl Outcome {
    pub(super) fn ok(stdout: String) -> Self {
        Self { exit: 0, stdout }
    }
}

impl From<Failure> for Outcome {
    fn from(failure: Failure) -> Self {
        Self {
            exit: failure.code,
            stdout: failure.output,
        }
    }
}

/// How a command touches the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// Every command the simulator implements; anything else is "not found".
pub fn access_of(cmd: &str) -> Option<Access> {
    Some(match cmd {
        "v-list-user"
        | "v-list-users"
        | "v-list-user-packages"
        | "v-list-web-domain"
        | "v-list-web-domains"
        | "v-list-database"
        | "v-list-databases"
        | "v-check-user-password"
        | "v-list-sys-ips"
        | "v-list-sys-config"
        | "v-list-dns-domains"
        | "v-list-dns-domain"
        | "v-list-dns-records"
        | "v-list-mail-domains"
        | "v-list-mail-domain"
        | "v-list-mail-domain-dkim-dns"
        | "v-list-mail-accounts"
        | "v-list-mail-account"
        | "v-list-cron-jobs"
        | "v-list-cron-job"
        | "v-list-web-domain-ssl" => Access::Read,
        "v-add-user"
        | "v-change-user-contact"
        | "v-change-user-name"
        | "v-change-user-package"
        | "v-change-user-password"
        | "v-suspend-user"
        | "v-unsuspend-user"
        | "v-delete-user"
        | "v-add-web-domain"
        | "v-add-domain"
        | "v-change-web-domain-docroot"
        | "v-change-web-domain-backend-tpl"
        | "v-delete-web-domain"
        | "v-delete-domain"
        | "v-add-database"
        | "v-change-database-password"
        | "v-delete-database"
        | "v-add-dns-domain"
        | "v-delete-dns-domain"
        | "v-change-dns-domain-ip"
        | "v-change-dns-domain-ttl"
        | "v-add-dns-record"
        | "v-change-dns-record"
        | "v-delete-dns-record"
        | "v-add-mail-domain"
        | "v-delete-mail-domain"
        | "v-add-mail-account"
        | "v-change-mail-account-password"
        | "v-change-mail-account-quota"
        | "v-suspend-mail-account"
        | "v-unsuspend-mail-account"
        | "v-add-mail-account-forward"
        | "v-delete-mail-account-forward"
        | "v-delete-mail-account"
        | "v-add-web-domain-ftp"
        | "v-change-web-domain-ftp-password"
        | "v-change-web-domain-ftp-path"
        | "v-delete-web-domain-ftp"
        | "v-add-cron-job"
        | "v-change-cron-job"
        | "v-delete-cron-job"
        | "v-suspend-cron-job"
        | "v-unsuspend-cron-job"
        | "v-add-web-domain-ssl"
        | "v-delete-web-domain-ssl"
        | "v-add-letsencrypt-domain" => Access::Write,
        _ => return None,
    })
}

/// The positional arguments, with the shell's `${N}` / `${N-default}` semantics:
/// an argument that was sent empty stays empty.
pub(super) struct Args<'a>(pub(super) &'a [String]);

impl<'a> Args<'a> {
    /// `$N`: missing -> "".
    pub(super) fn get(&self, n: usize) -> &'a str {
        self.0.get(n - 1).map(String::as_str).unwrap_or("")
    }
    /// `${N-default}`: only a missing argument takes the default.
    pub(super) fn or(&self, n: usize, default: &'a str) -> &'a str {
        self.0.get(n - 1).map(String::as_str).unwrap_or(default)
    }
    pub(super) fn check(&self, cmd: &str, needed: usize, usage: &str) -> Result<(), Failure> {
        // `check_args` counts the arguments given, empty ones included.

        if self.0.len() < needed {
            Err(Failure::usage(cmd, usage))
        } else {
            Ok(())
        }
    }
}

/// `is_format_valid 'user'` (skipped for an empty value, like the real dispatcher).
pub(super) fn check_user_format(user: &str) -> Result<(), Failure> {
    if user.is_empty() {
        return Ok(());
    }
    validate::user(user, "user", false)
}

pub(super) fn existing_user<'s>(state: &'s State, user: &str) -> Result<&'s User, Failure> {
    state
        .users
        .get(user)
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("user {user} doesn't exist")))
}

pub(super) fn existing_user_mut<'s>(
    state: &'s mut State,
    user: &str,
) -> Result<&'s mut User, Failure> {
    state
        .users
        .get_mut(user)
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("user {user} doesn't exist")))
}

pub(super) fn unsuspended(user_name: &str, user: &User) -> Result<(), Failure> {
    if user.suspended {
        Err(Failure::new(
            E_SUSPENDED,
            format!("user {user_name} is suspended"),
        ))
    } else {
        Ok(())
    }
}

/// The subsystem a domain is being added to, for `is_domain_new`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum DomainKind {
    Web,
    Dns,
    Mail,
}

/// `is_domain_new TYPE OBJECT` (`func/domain.sh`): a name taken in the same
/// subsystem is refused whoever owns it; a name another user holds in any
/// subsystem is refused too; a web alias blocks a new web domain.
pub(super) fn is_domain_new(
    state: &State,
    kind: DomainKind,
    login: &str,
    object: &str,
) -> Result<(), Failure> {
    let taken = |owner: Option<&String>, same_kind: bool| {
        owner.is_some_and(|owner| same_kind || owner != login)
    };
    if taken(state.domain_owner.get(object), kind == DomainKind::Web) {
        return Err(Failure::new(
            E_EXISTS,
            format!("Web domain {object} exists"),
        ));
    }
    if kind == DomainKind::Web && state.alias_owner.contains_key(object) {
        return Err(Failure::new(E_EXISTS, format!("Web alias {object} exists")));
    }
    if taken(state.dns_owner.get(object), kind == DomainKind::Dns) {
        return Err(Failure::new(
            E_EXISTS,
            format!("DNS domain {object} exists"),
        ));
    }
    if taken(state.mail_owner.get(object), kind == DomainKind::Mail) {
        return Err(Failure::new(
            E_EXISTS,
            format!("Mail domain {object} exists"),
        ));
    }
    Ok(())
}

pub(super) fn limit_reached(limit: &str, used: usize) -> bool {
    limit != "unlimited" && limit.parse::<usize>().map_or(true, |limit| used >= limit)
}

/// Runs a read-only command.
pub fn run_read(state: &State, cmd: &str, args: &[String]) -> Outcome {
    let args = Args(args);
    let result = match cmd {
        "v-list-user" => list_user(state, &args),
        "v-list-users" => Ok(match args.or(1, "shell") {
            "json" => state.users_json(),
            "plain" => state.users_plain(),
            "list" => state
                .users_in_order()
                .iter()
                .map(|(login, _)| format!("{login}\n"))
                .collect(),
            "shell" => users_shell(state),
            _ => String::new(),
        }),
        "v-list-user-packages" => Ok(match args.or(1, "shell") {
            "json" => state.packages_json(),
            "plain" | "shell" => state.packages_plain(),
            _ => String::new(),
        }),
        "v-list-web-domain" => list_web_domain(state, &args),
        "v-list-web-domains" => list_web_domains(state, &args),
        "v-list-database" => list_database(state, &args),
        "v-list-databases" => list_databases(state, &args),
        "v-check-user-password" => check_user_password(state, &args),
        "v-list-sys-ips" => Ok(match args.or(1, "shell") {
            "json" => sys_ips_json(state),
            "plain" | "shell" => format!("{SERVER_IP}\tadmin\tshared\t\tadmin\n"),
            _ => String::new(),
        }),
        "v-list-sys-config" => Ok(match args.or(1, "shell") {
            "json" => sys_config_json(),
            _ => String::new(),
        }),
        "v-list-dns-domains" => dns::list_domains(state, &args),
        "v-list-dns-domain" => dns::list_domain(state, &args),
        "v-list-dns-records" => dns::list_records(state, &args),
        "v-list-mail-domains" => mail::list_domains(state, &args),
        "v-list-mail-domain" => mail::list_domain(state, &args),
        "v-list-mail-domain-dkim-dns" => mail::list_dkim_dns(state, &args),
        "v-list-mail-accounts" => mail::list_accounts(state, &args),
        "v-list-mail-account" => mail::list_account(state, &args),
        "v-list-cron-jobs" => cron::list(state, &args),
        "v-list-cron-job" => cron::list_one(state, &args),
        "v-list-web-domain-ssl" => web_extra::list_ssl(state, &args),
        _ => Ok(String::new()),
    };
    result.map_or_else(Outcome::from, Outcome::ok)
}

/// Runs a command that may change the state.
pub fn run_write(state: &mut State, cmd: &str, args: &[String]) -> Outcome {
    let args = Args(args);
    let result = match cmd {
        "v-add-user" => add_user(state, &args),
        "v-change-user-contact" => change_user_contact(state, &args),
        "v-change-user-name" => change_user_name(state, &args),
        "v-change-user-package" => change_user_package(state, &args),
        "v-change-user-password" => change_user_password(state, &args),
        "v-suspend-user" => suspend_user(state, &args, true),
        "v-unsuspend-user" => suspend_user(state, &args, false),
        "v-delete-user" => delete_user(state, &args),
        "v-add-web-domain" => add_web_domain(state, &args),
        "v-add-domain" => add_domain(state, &args),
        "v-change-web-domain-docroot" => change_docroot(state, &args),
        "v-change-web-domain-backend-tpl" => change_backend(state, &args),
        "v-delete-web-domain" => delete_web_domain(state, &args),
        "v-delete-domain" => delete_domain(state, &args),
        "v-add-database" => add_database(state, &args),
        "v-change-database-password" => change_database_password(state, &args),
        "v-delete-database" => delete_database(state, &args),
        "v-add-dns-domain" => dns::add_domain(state, &args),
        "v-delete-dns-domain" => dns::delete_domain(state, &args),
        "v-change-dns-domain-ip" => dns::change_domain_ip(state, &args),
        "v-change-dns-domain-ttl" => dns::change_domain_ttl(state, &args),
        "v-add-dns-record" => dns::add_record(state, &args),
        "v-change-dns-record" => dns::change_record(state, &args),
        "v-delete-dns-record" => dns::delete_record(state, &args),
        "v-add-mail-domain" => mail::add_domain(state, &args),
        "v-delete-mail-domain" => mail::delete_domain(state, &args),
        "v-add-mail-account" => mail::add_account(state, &args),
        "v-change-mail-account-password" => {
            mail::change_account(state, &args, AccountChange::Password)
        }
        "v-change-mail-account-quota" => mail::change_account(state, &args, AccountChange::Quota),
        "v-suspend-mail-account" => mail::change_account(state, &args, AccountChange::Suspend),
        "v-unsuspend-mail-account" => mail::change_account(state, &args, AccountChange::Unsuspend),
        "v-add-mail-account-forward" => {
            mail::change_account(state, &args, AccountChange::AddForward)
        }
        "v-delete-mail-account-forward" => {
            mail::change_account(state, &args, AccountChange::DeleteForward)
        }
        "v-delete-mail-account" => mail::change_account(state, &args, AccountChange::Delete),
        "v-add-web-domain-ftp" => web_extra::add_ftp(state, &args),
        "v-change-web-domain-ftp-password" => {
            web_extra::change_ftp(state, &args, FtpChange::Password)
        }
        "v-change-web-domain-ftp-path" => web_extra::change_ftp(state, &args, FtpChange::Path),
        "v-delete-web-domain-ftp" => web_extra::change_ftp(state, &args, FtpChange::Delete),
        "v-add-cron-job" => cron::add(state, &args),
        "v-change-cron-job" => cron::change(state, &args),
        "v-delete-cron-job" => cron::delete(state, &args),
        "v-suspend-cron-job" => cron::suspend(state, &args, true),
        "v-unsuspend-cron-job" => cron::suspend(state, &args, false),
        "v-add-web-domain-ssl" => web_extra::add_ssl(state, &args),
        "v-delete-web-domain-ssl" => web_extra::delete_ssl(state, &args),
        // Without the network the API handler runs the checks and the delay
        // itself (see `api.rs`); here the issuance is immediate.
        "v-add-letsencrypt-domain" => web_extra::letsencrypt_checks(state, &args, true)
            .and_then(|names| web_extra::letsencrypt_issue(state, args.get(1), &names)),
        _ => Ok(()),
    };
    match result {
        Ok(()) => Outcome::ok(String::new()),
        Err(failure) => failure.into(),
    }
}

fn list_user(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-user", 1, "USER [FORMAT]")?;
    let login = args.get(1);
    check_user_format(login)?;
    let user = existing_user(state, login)?;
    Ok(match args.or(2, "shell") {
        "json" => state.user_json(login, user),
        "plain" => state.user_plain(login, user),
        "shell" => state.user_shell(login, user),
        _ => String::new(),
    })
}

fn users_shell(state: &State) -> String {
    let mut out = String::from("USER   ROLE   PKG   WEB   DNS   MAIL   DB   DISK   BW   SPND   DATE\n----   ----   ---   ---   ---   ---    --   ----   --   ----   ----\n");
    for (login, user) in state.users_in_order() {
        out.push_str(&format!(
            "{login} {} {} {} 0 0 {} 0 0 {} {}\n",
            user.role,
            user.package,
            user.web_domains.len(),
            user.databases.len(),
            if user.suspended { "yes" } else { "no" },
            user.date
        ));
    }
    out
}

fn list_web_domain(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-web-domain", 2, "USER DOMAIN [FORMAT]")?;
    let (login, domain) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(domain, "domain")?;
    }
    let user = existing_user(state, login)?;
    // An exact match: this script does not normalise the name.
    let web = user
        .web_domains
        .iter()
        .find(|w| w.domain == domain)
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("web domain {domain} doesn't exist")))?;
    Ok(web_domain_listing(login, user, web, args.or(3, "shell")))
}

fn list_web_domains(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-web-domains", 1, "USER [FORMAT]")?;
    let login = args.get(1);
    check_user_format(login)?;
    let user = existing_user(state, login)?;
    Ok(web_domains_listing(login, user, args.or(2, "shell")))
}

fn list_database(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-database", 2, "USER DATABASE [FORMAT]")?;
    let (login, database) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !database.is_empty() {
        validate::database(database)?;
    }
    let user = existing_user(state, login)?;
    let db = user
        .databases
        .iter()
        .find(|d| d.database == database)
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("db db {database} doesn't exist")))?;
    Ok(database_listing(user, database, db, args.or(3, "shell")))
}

fn list_databases(state: &State, args: &Args) -> Result<String, Failure> {
    args.check("v-list-databases", 1, "USER [FORMAT]")?;
    let login = args.get(1);
    check_user_format(login)?;
    let user = existing_user(state, login)?;
    Ok(databases_listing(user, args.or(2, "shell")))
}

fn check_user_password(state: &State, args: &Args) -> Result<String, Failure> {
    args.check(
        "v-check-user-password",
        2,
        "USER PASSWORD [IP] [RETURN_HASH]",
    )?;
    let (login, password, ip) = (args.get(1), args.get(2), args.get(3));
    check_user_format(login)?;
    if !ip.is_empty() {
        validate::ip46(ip)?;
    }
    let mismatch = || Failure::new(E_PASSWORD, "password missmatch");
    let user = state.users.get(login).ok_or_else(mismatch)?;
    if password.is_empty() || password_digest(password) != user.password_sha256 {
        return Err(mismatch());
    }
    if args.get(4) == "yes" {
        // The real script prints the crypt hash; the simulator's stored digest
        // stands in for it.
        return Ok(format!("{}\n", user.password_sha256));
    }
    Ok(String::new())
}

fn sys_config_json() -> String {
    let pairs = [
        ("WEB_SYSTEM", "nginx"),
        ("WEB_RGROUPS", "www-data"),
        ("WEB_PORT", "80"),
        ("WEB_SSL", "openssl"),
        ("WEB_SSL_PORT", "443"),
        ("WEB_BACKEND", "php-fpm"),
        ("PROXY_SYSTEM", ""),
        ("DNS_SYSTEM", "bind9"),
        ("MAIL_SYSTEM", "exim4"),
        ("IMAP_SYSTEM", "dovecot"),
        ("FTP_SYSTEM", "vsftpd"),
        ("CRON_SYSTEM", "cron"),
        ("WEBMAIL_SYSTEM", "roundcube"),
        ("ANTIVIRUS_SYSTEM", "clamav-daemon"),
        ("ANTISPAM_SYSTEM", "spamd"),
        ("DB_SYSTEM", "mysql"),
        ("ROOT_USER", ROOT_USER),
        ("API", "yes"),
        ("API_SYSTEM", "1"),
        ("API_ALLOWED_IP", "allow-all"),
        ("DEMO_MODE", "no"),
        ("VERSION", "1.10.3"),
    ];
    let mut out = String::from("{\n    \"config\": {\n");
    for (i, (key, value)) in pairs.iter().enumerate() {
        let comma = if i + 1 < pairs.len() { "," } else { "" };
        out.push_str(&format!("        \"{key}\": \"{value}\"{comma}\n"));
    }
    out.push_str("    }\n}\n");
    out
}

const RESERVED_USER_NAMES: [&str; 10] = [
    "aria",
    "aria_log",
    "mysql",
    "mysql_upgrade",
    "ib",
    "ib_buffer",
    "ddl",
    "ddl_recovery",
    "performance",
    "sudo",
];

fn add_user(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-add-user", 3, "USER PASSWORD EMAIL [PACKAGE] [NAME]")?;
    let (login, password, email) = (args.get(1), args.get(2), args.get(3));
    let package = args.or(4, "default");
    let mut name = args.get(5).to_string();
    if !args.get(6).is_empty() {
        name = format!("{name} {}", args.get(6));
    }
    if login.is_empty() {
        // `useradd ''` fails; the script reports it as a creation failure.
        return Err(Failure::new(E_INVALID, "user creation failed"));
    }
    validate::user(login, "user", true)?;
    if !email.is_empty() {
        validate::email(email)?;
    }
    if !package.is_empty() {
        validate::object(package, "package")?;
    }
    if !name.is_empty() {
        validate::name(&name)?;
    }
    if RESERVED_USER_NAMES.contains(&login.to_lowercase().as_str()) {
        return Err(Failure::new(
            E_INVALID,
            format!(
                "The user name '{login}' is reserved and cannot be used. List of reserved names: {}",
                RESERVED_USER_NAMES.join(" ")
            ),
        ));
    }
    if state.users.contains_key(login) {
        return Err(Failure::new(E_EXISTS, format!("user {login} exists")));
    }
    if !state.packages.contains_key(package) {
        return Err(Failure::new(
            E_NOTEXIST,
            format!("package {package} doesn't exist"),
        ));
    }
    let (time, date) = now_time_date();
    let rkey = state.next_rkey(login);
    let seq = state.next_seq();
    // `increase_user_value "$ROOT_USER" '$U_USERS'`.
    state.admin_u_users += 1;
    state.users.insert(
        login.to_string(),
        User {
            seq,
            name,
            package: package.to_string(),
            contact: email.to_string(),
            password_sha256: password_digest(password),
            role: "user".into(),
            suspended: false,
            rkey,
            language: String::new(),
            time,
            date,
            web_domains: Vec::new(),
            databases: Vec::new(),
            dns_domains: Vec::new(),
            mail_domains: Vec::new(),
            cron_jobs: Vec::new(),
        },
    );
    Ok(())
}

fn change_user_contact(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-change-user-contact", 2, "USER EMAIL")?;
    let (login, email) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !email.is_empty() {
        validate::email(email)?;
    }
    let user = existing_user_mut(state, login)?;
    unsuspended(login, user)?;
    user.contact = email.to_string();
    Ok(())
}

fn change_user_name(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-change-user-name", 2, "USER NAME [LAST_NAME]")?;
    let (login, first, last) = (args.get(1), args.get(2), args.get(3));
    check_user_format(login)?;
    if !first.is_empty() {
        validate::name(first)?;
    }
    let user = existing_user_mut(state, login)?;
    unsuspended(login, user)?;
    validate::common_with_spaces(first, "name")?;
    if !last.is_empty() {
        validate::common_with_spaces(last, "last name")?;
    }
    user.name = if last.is_empty() {
        first.to_string()
    } else {
        format!("{first} {last}")
    };
    Ok(())
}

fn change_user_package(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-change-user-package", 2, "USER PACKAGE [FORCE]")?;
    let (login, package, force) = (args.get(1), args.get(2), args.get(3));
    check_user_format(login)?;
    if !package.is_empty() {
        validate::object(package, "package")?;
    }
    existing_user(state, login)?;
    let new_package = state
        .packages
        .get(package)
        .cloned()
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("package {package} doesn't exist")))?;
    let user = existing_user_mut(state, login)?;
    if force != "yes" {
        let exceeds = |limit: &str, used: usize| {
            limit != "unlimited" && limit.parse::<usize>().is_ok_and(|limit| limit < used)
        };
        if exceeds(&new_package.web_domains, user.web_domains.len()) {
            return Err(Failure::new(
                E_LIMIT,
                "Package doesn't cover WEB_DOMAIN usage",
            ));
        }
        if exceeds(&new_package.databases, user.databases.len()) {
            return Err(Failure::new(
                E_LIMIT,
                "Package doesn't cover DATABASE usage",
            ));
        }
    }
    user.package = package.to_string();
    Ok(())
}

fn change_user_password(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-change-user-password", 1, "USER [PASSWORD]")?;
    let (login, password) = (args.get(1), args.get(2));
    check_user_format(login)?;
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    if password.is_empty() {
        // Over the API the script's stdin is empty, so `read` leaves the password
        // empty and chpasswd refuses it.
        return Err(Failure::new(
            E_INVALID,
            "Password not accepted due to PAM restrictions",
        ));
    }
    let rkey = state.next_rkey(login);
    let user = existing_user_mut(state, login)?;
    user.password_sha256 = password_digest(password);
    user.rkey = rkey;
    Ok(())
}

fn suspend_user(state: &mut State, args: &Args, suspend: bool) -> Result<(), Failure> {
    let cmd = if suspend {
        "v-suspend-user"
    } else {
        "v-unsuspend-user"
    };
    args.check(cmd, 1, "USER [RESTART]")?;
    let login = args.get(1);
    check_user_format(login)?;
    validate::restart(args.get(2))?;
    let user = existing_user_mut(state, login)?;
    if suspend {
        unsuspended(login, user)?;
    }
    // Both scripts exit 0 without touching the root user.
    if login == ROOT_USER {
        return Ok(());
    }
    let was_suspended = std::mem::replace(&mut user.suspended, suspend);
    // `v-suspend-user` runs the suspend scripts of every subsystem, which mark
    // every zone, record, mail domain, mailbox and cron job suspended (612-617);
    // `v-unsuspend-user` clears them all again (641-643), jobs and mailboxes
    // that were suspended on their own included.
    for zone in &mut user.dns_domains {
        zone.suspended = suspend;
        for record in &mut zone.records {
            record.suspended = suspend;
        }
    }
    for cron in &mut user.cron_jobs {
        cron.suspended = suspend;
    }
    let mail_names: Vec<String> = user.mail_domains.iter().map(|m| m.domain.clone()).collect();
    for mail in &mut user.mail_domains {
        mail.suspended = suspend;
        // `v-suspend-mail-domain` drops the webmail (WEBMAIL '' in 614), the
        // unsuspend adds it back.
        mail.webmail = if suspend {
            String::new()
        } else {
            "roundcube".into()
        };
        for account in &mut mail.accounts {
            account.suspended = suspend;
        }
    }
    if suspend {
        for name in mail_names {
            mail::drop_webmail_records(user, &name);
        }
    }
    match (was_suspended, suspend) {
        (false, true) => state.suspended_users += 1,
        (true, false) => state.suspended_users = state.suspended_users.saturating_sub(1),
        _ => {}
    }
    Ok(())
}

fn delete_user(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-delete-user", 1, "USER [RESTART]")?;
    let login = args.get(1);
    check_user_format(login)?;
    validate::restart(args.get(2))?;
    existing_user(state, login)?;
    if login == ROOT_USER {
        return Ok(());
    }
    if let Some(user) = state.users.remove(login) {
        state.admin_u_users = state.admin_u_users.saturating_sub(1);
        if user.suspended {
            state.suspended_users = state.suspended_users.saturating_sub(1);
        }
        for web in user.web_domains {
            forget_web_domain(state, &web);
        }
        for zone in user.dns_domains {
            state.dns_owner.remove(&zone.domain);
        }
        for mail in user.mail_domains {
            state.mail_owner.remove(&mail.domain);
        }
    }
    Ok(())
}

/// Second-level labels under which a three-label name is itself registrable
/// (a small stand-in for the public suffix list the real panel downloads).
const TWO_PART_SUFFIXES: &[&str] = &[
    "co.uk", "org.uk", "me.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au", "co.nz", "org.nz",
    "co.jp", "ne.jp", "com.br", "net.br", "co.za", "com.mx", "com.tr", "co.in", "com.cn", "com.ar",
    "co.kr", "com.sg", "com.hk",
];

fn default_alias(domain: &str) -> String {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() > 2 {
        let suffix = labels[labels.len() - 2..].join(".");
        if labels.len() == 3 && TWO_PART_SUFFIXES.contains(&suffix.as_str()) {
            return format!("www.{domain}");
        }
        return String::new();
    }
    format!("www.{domain}")
}

fn normalise_aliases(raw: &str) -> String {
    if raw.is_empty() || raw == "none" {
        return raw.to_string();
    }
    let mut aliases: Vec<String> = raw
        .to_lowercase()
        .split(',')
        .map(|a| a.trim().trim_matches('.').to_string())
        .filter(|a| !a.is_empty())
        .collect();
    aliases.sort();
    aliases.dedup();
    aliases.join(",")
}

fn add_web_domain(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check(
        "v-add-web-domain",
        2,
        "USER DOMAIN [IP] [RESTART] [ALIASES] [PROXY_EXTENSIONS]",
    )?;
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    let ip = args.get(3);
    let aliases = normalise_aliases(args.get(5));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    if !aliases.is_empty() {
        validate::aliases(&aliases)?;
    }
    if !ip.is_empty() {
        validate::ipv4(ip, "ip")?;
    }
    validate::restart(args.get(4))?;
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    let package = state
        .packages
        .get(&user.package)
        .cloned()
        .unwrap_or_default();
    if limit_reached(&package.web_domains, user.web_domains.len()) {
        return Err(Failure::new(
            E_LIMIT,
            "WEB_DOMAINS limit is reached :: upgrade user package",
        ));
    }
    if aliases != "none" {
        let alias_count = aliases.split(',').count();
        let limit = &package.web_aliases;
        if limit != "unlimited" && limit.parse::<usize>().map_or(true, |l| alias_count > l) {
            return Err(Failure::new(
                E_LIMIT,
                "WEB_ALIASES limit is reached :: upgrade user package",
            ));
        }
    }
    // Both spellings of the name are checked (`domain_utf`, then
    // `domain_idn`), so the punycode twin of a Unicode domain is refused with
    // exit 4, as on the real panel (issue 15 item 11), and so are the aliases.
    let (utf, idn) = validate::domain_forms(&domain);
    let given_aliases: Vec<&str> = if aliases == "none" {
        Vec::new()
    } else {
        aliases.split(',').filter(|a| !a.is_empty()).collect()
    };
    for object in std::iter::once(utf.as_str())
        .chain(given_aliases.iter().copied())
        .chain(std::iter::once(idn.as_str()))
        .chain(given_aliases.iter().copied())
    {
        is_domain_new(state, DomainKind::Web, login, object)?;
    }
    if validate::looks_like_ipv4(&domain) {
        return Err(Failure {
            code: E_ARGS,
            message: String::new(),
            output: "Error: Invalid domain format. IP address detected as input.\n".into(),
        });
    }
    if !ip.is_empty() && ip != SERVER_IP {
        return Err(Failure::new(E_NOTEXIST, format!("IP {ip} doesn't exist")));
    }
    let alias = match aliases.as_str() {
        "none" => String::new(),
        "" => default_alias(&domain),
        given => given.to_string(),
    };
    let (time, date) = now_time_date();
    let backend = package.backend_template.clone();
    state.domain_owner.insert(domain.clone(), login.to_string());
    for name in alias.split(',').filter(|a| !a.is_empty()) {
        state
            .alias_owner
            .insert(name.to_string(), login.to_string());
    }
    let user = existing_user_mut(state, login)?;
    user.web_domains.push(WebDomain {
        domain,
        alias,
        ip: SERVER_IP.to_string(),
        backend,
        custom_docroot: String::new(),
        time,
        date,
        ftp: Vec::new(),
        ssl: None,
        letsencrypt: false,
    });
    Ok(())
}

fn add_domain(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-add-domain", 2, "USER DOMAIN [IP] [RESTART]")?;
    let (login, domain, ip) = (args.get(1), args.get(2), args.get(3));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(domain, "domain")?;
    }
    validate::restart(args.get(4))?;
    if !ip.is_empty() {
        validate::ipv4(ip, "ip")?;
    }
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    let package = state
        .packages
        .get(&user.package)
        .cloned()
        .unwrap_or_default();
    // With only the web subsystem installed, a full web quota skips the web
    // domain silently, and "all three full" can never be true.
    if limit_reached(&package.web_domains, user.web_domains.len()) {
        return Ok(());
    }
    let ip_arg = if ip.is_empty() { SERVER_IP } else { ip };
    let child_args = vec![
        login.to_string(),
        domain.to_string(),
        ip_arg.to_string(),
        "no".to_string(),
    ];
    if let Err(child) = add_web_domain(state, &Args(&child_args)) {
        return Err(Failure {
            code: child.code,
            message: child.message,
            output: format!("{}Error: can't add web domain\n", child.output),
        });
    }
    Ok(())
}

fn web_domain_index(user: &User, domain: &str) -> Result<usize, Failure> {
    user.web_domains
        .iter()
        .position(|w| w.domain == domain)
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("web domain {domain} doesn't exist")))
}

const BACKEND_TEMPLATES: &[&str] = &[
    "default", "no-php", "PHP-7_4", "PHP-8_0", "PHP-8_1", "PHP-8_2", "PHP-8_3",
];

fn change_backend(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check(
        "v-change-web-domain-backend-tpl",
        3,
        "USER DOMAIN TEMPLATE [RESTART]",
    )?;
    let (login, domain, template) = (args.get(1), args.get(2), args.get(3));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(domain, "domain")?;
    }
    if !template.is_empty() {
        validate::object(template, "template")?;
    }
    validate::restart(args.get(4))?;
    let user = existing_user_mut(state, login)?;
    unsuspended(login, user)?;
    let index = web_domain_index(user, domain)?;
    if !BACKEND_TEMPLATES.contains(&template) {
        return Err(Failure::new(
            E_NOTEXIST,
            format!("{template} backend template doesn't exist"),
        ));
    }
    user.web_domains[index].backend = template.to_string();
    Ok(())
}

fn change_docroot(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check(
        "v-change-web-domain-docroot",
        2,
        "USER DOMAIN [TARGET_DOMAIN] [DIRECTORY] [PHP-DOCROOT] [RESTART]",
    )?;
    let (login, domain, target, directory) = (args.get(1), args.get(2), args.get(3), args.get(4));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(domain, "domain")?;
    }
    let user = existing_user_mut(state, login)?;
    if target != "default" {
        if !target.is_empty() {
            validate::domain(target, "target_domain")?;
        }
        web_domain_index(user, target)?;
    }
    unsuspended(login, user)?;
    let index = web_domain_index(user, domain)?;
    let docroot = if target == "default" {
        String::new()
    } else if directory.is_empty() {
        format!("/home/{login}/web/{target}/public_html/")
    } else {
        // The real script resolves the directory on disk (readlink -e), which
        // drops the trailing slash; the simulator has no disk and trusts the path.
        if directory.split('/').any(|part| part == "..") {
            return Err(Failure::new(10, "Target dir outside of target domain dir"));
        }
        format!(
            "/home/{login}/web/{target}/public_html/{}",
            directory.trim_matches('/')
        )
    };
    user.web_domains[index].custom_docroot = docroot;
    Ok(())
}

fn delete_web_domain(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-delete-web-domain", 2, "USER DOMAIN [RESTART]")?;
    let login = args.get(1);
    let domain = validate::normalise_domain(args.get(2));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(&domain, "domain")?;
    }
    validate::restart(args.get(3))?;
    let user = existing_user_mut(state, login)?;
    let index = web_domain_index(user, &domain)?;
    let removed = user.web_domains.remove(index);
    forget_web_domain(state, &removed);
    Ok(())
}

/// Drops a deleted web domain from the panel-wide indexes (its name, aliases
/// and FTP logins, which `v-delete-web-domain` deletes with it).
fn forget_web_domain(state: &mut State, web: &WebDomain) {
    state.domain_owner.remove(&web.domain);
    for alias in web.alias.split(',').filter(|a| !a.is_empty()) {
        state.alias_owner.remove(alias);
    }
    for ftp in &web.ftp {
        state.ftp_logins.remove(&ftp.login);
    }
}

fn delete_domain(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-delete-domain", 2, "USER DOMAIN [RESTART]")?;
    let (login, domain) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !domain.is_empty() {
        validate::domain(domain, "domain")?;
    }
    validate::restart(args.get(3))?;
    let user = existing_user_mut(state, login)?;
    let Some(index) = user.web_domains.iter().position(|w| w.domain == domain) else {
        return Err(Failure::new(
            E_NOTEXIST,
            format!("domain {domain} doesn't exist"),
        ));
    };
    let removed = user.web_domains.remove(index);
    forget_web_domain(state, &removed);
    Ok(())
}

fn add_database(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check(
        "v-add-database",
        4,
        "USER DATABASE DBUSER DBPASS [TYPE] [HOST] [CHARSET]",
    )?;
    let login = args.get(1);
    let mut database = format!("{login}_{}", args.get(2));
    let mut dbuser = format!("{login}_{}", args.get(3));
    let password = args.get(4);
    let db_type = args.or(5, "mysql");
    let host = args.get(6);
    let charset = args.or(7, "UTF8MB4").to_uppercase();
    if db_type == "pgsql" {
        database = database.to_lowercase();
        dbuser = dbuser.to_lowercase();
    }
    check_user_format(login)?;
    validate::database(&database)?;
    validate::dbuser(&dbuser)?;
    if !charset.is_empty() {
        validate::object(&charset, "charset")?;
    }
    // DB_SYSTEM is "mysql": `grep -w TYPE` on it.
    if db_type.is_empty() || !"mysql".split(',').any(|t| t == db_type) {
        return Err(Failure::new(
            E_INVALID,
            format!("{db_type} type is invalid"),
        ));
    }
    let user = existing_user(state, login)?;
    unsuspended(login, user)?;
    if user.databases.iter().any(|d| d.database == database) {
        return Err(Failure::new(
            E_EXISTS,
            format!("DB={database} already exists"),
        ));
    }
    if user.databases.iter().any(|d| d.dbuser == dbuser) {
        return Err(Failure::new(
            E_EXISTS,
            format!("DBUSER={dbuser} already exists"),
        ));
    }
    if !host.is_empty() && host != "default" && host != "localhost" {
        return Err(Failure::new(
            E_NOTEXIST,
            format!("{db_type} host {host} doesn't exist"),
        ));
    }
    let package = state
        .packages
        .get(&user.package)
        .cloned()
        .unwrap_or_default();
    if limit_reached(&package.databases, user.databases.len()) {
        return Err(Failure::new(
            E_LIMIT,
            "DATABASES limit is reached :: upgrade user package",
        ));
    }
    let (time, date) = now_time_date();
    let user = existing_user_mut(state, login)?;
    user.databases.push(Database {
        database,
        dbuser,
        password_sha256: password_digest(password),
        db_type: db_type.to_string(),
        host: "localhost".into(),
        charset,
        time,
        date,
    });
    Ok(())
}

fn database_index(user: &User, database: &str) -> Result<usize, Failure> {
    user.databases
        .iter()
        .position(|d| d.database == database)
        .ok_or_else(|| Failure::new(E_NOTEXIST, format!("db db {database} doesn't exist")))
}

fn change_database_password(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-change-database-password", 3, "USER DATABASE DBPASS")?;
    let (login, database, password) = (args.get(1), args.get(2), args.get(3));
    check_user_format(login)?;
    if !database.is_empty() {
        validate::database(database)?;
    }
    let user = existing_user_mut(state, login)?;
    unsuspended(login, user)?;
    let index = database_index(user, database)?;
    user.databases[index].password_sha256 = password_digest(password);
    Ok(())
}

fn delete_database(state: &mut State, args: &Args) -> Result<(), Failure> {
    args.check("v-delete-database", 2, "USER DATABASE")?;
    let (login, database) = (args.get(1), args.get(2));
    check_user_format(login)?;
    if !database.is_empty() {
        validate::database(database)?;
    }
    let user = existing_user_mut(state, login)?;
    let index = database_index(user, database)?;
    user.databases.remove(index);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(values: &[&str]) -> Vec<String> {
        values.iter().map(|v| v.to_string()).collect()
    }

    #[test]
    fn empty_package_argument_is_passed_through() {
        let mut state = State::fresh("pw");
        let out = run_write(
            &mut state,
            "v-add-user",
            &args(&["bob", "pw", "b@example.com", ""]),
        );
        assert_eq!(out.exit, E_NOTEXIST);
        assert_eq!(out.stdout, "Error: package  doesn't exist\n");
    }

    #[test]
    fn missing_arguments_print_usage_and_exit_1() {
        let mut state = State::fresh("pw");
        let out = run_write(&mut state, "v-add-user", &args(&["bob"]));
        assert_eq!(out.exit, E_ARGS);
        assert_eq!(
            out.stdout,
            "Usage: v-add-user USER PASSWORD EMAIL [PACKAGE] [NAME]\n"
        );
    }

    #[test]
    fn database_names_are_prefixed_and_length_checked() {
        let mut state = State::fresh("pw");
        run_write(
            &mut state,
            "v-add-user",
            &args(&["bob", "pw", "b@example.com"]),
        );
        let ok = run_write(
            &mut state,
            "v-add-database",
            &args(&["bob", "wp", "wpu", "x"]),
        );
        assert_eq!(ok.exit, 0);
        assert_eq!(state.users["bob"].databases[0].database, "bob_wp");
        assert_eq!(state.users["bob"].databases[0].dbuser, "bob_wpu");
        let long_user = "u".repeat(29);
        let too_long = run_write(
            &mut state,
            "v-add-database",
            &args(&["bob", "db2", &long_user, "x"]),
        );
        assert_eq!(too_long.exit, E_INVALID);
    }

    #[test]
    fn domains_are_global_and_normalised() {
        let mut state = State::fresh("pw");
        run_write(
            &mut state,
            "v-add-user",
            &args(&["bob", "pw", "b@example.com"]),
        );
        run_write(
            &mut state,
            "v-add-user",
            &args(&["ann", "pw", "a@example.com"]),
        );
        let first = run_write(
            &mut state,
            "v-add-web-domain",
            &args(&["bob", "WWW.Ex.org"]),
        );
        assert_eq!(first.exit, 0);
        assert_eq!(state.users["bob"].web_domains[0].domain, "ex.org");
        assert_eq!(state.users["bob"].web_domains[0].alias, "www.ex.org");
        let again = run_write(&mut state, "v-add-web-domain", &args(&["ann", "ex.org"]));
        assert_eq!(again.stdout, "Error: Web domain ex.org exists\n");
        let sub = run_write(
            &mut state,
            "v-add-web-domain",
            &args(&["ann", "a.b.ex.org"]),
        );
        assert_eq!(sub.exit, 0);
        assert_eq!(state.users["ann"].web_domains[0].alias, "");
    }

    #[test]
    fn suspended_users_refuse_changes_with_5() {
        let mut state = State::fresh("pw");
        run_write(
            &mut state,
            "v-add-user",
            &args(&["bob", "pw", "b@example.com"]),
        );
        assert_eq!(
            run_write(&mut state, "v-suspend-user", &args(&["bob"])).exit,
            0
        );
        let again = run_write(&mut state, "v-suspend-user", &args(&["bob"]));
        assert_eq!(again.exit, E_SUSPENDED);
        assert_eq!(again.stdout, "Error: user bob is suspended\n");
        assert_eq!(
            run_write(&mut state, "v-unsuspend-user", &args(&["bob"])).exit,
            0
        );
        assert_eq!(
            run_write(&mut state, "v-unsuspend-user", &args(&["bob"])).exit,
            0
        );
    }

    #[test]
    fn package_limits_apply() {
        let mut state = State::fresh("pw");
        run_write(
            &mut state,
            "v-add-user",
            &args(&["bob", "pw", "b@example.com", "system"]),
        );
        let db = run_write(
            &mut state,
            "v-add-database",
            &args(&["bob", "wp", "wpu", "x"]),
        );
        assert_eq!(db.exit, E_LIMIT);
        assert_eq!(
            run_write(&mut state, "v-add-web-domain", &args(&["bob", "a.org"])).exit,
            0
        );
        assert_eq!(
            run_write(&mut state, "v-add-web-domain", &args(&["bob", "b.org"])).exit,
            E_LIMIT
        );
    }
}
