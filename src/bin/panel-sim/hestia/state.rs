//! The simulated HestiaCP's data: users (with their web domains and databases),
//! packages and the server IP, plus the JSON/plain listings built from them in
//! exactly the shape the real `v-list-*` scripts print (values spliced in as
//! strings, the scripts' own indentation and brace placement).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const ROOT_USER: &str = "admin";
pub const SERVER_IP: &str = "192.0.2.2";

/// One hosting package (`data/packages/<name>.pkg`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "SCREAMING_SNAKE_CASE")]
pub struct Package {
    pub web_template: String,
    pub backend_template: String,
    pub proxy_template: String,
    pub dns_template: String,
    pub web_domains: String,
    pub web_aliases: String,
    pub dns_domains: String,
    pub dns_records: String,
    pub mail_domains: String,
    pub mail_accounts: String,
    pub databases: String,
    pub cron_jobs: String,
    pub disk_quota: String,
    pub cpu_quota: String,
    pub cpu_quota_period: String,
    pub memory_limit: String,
    pub swap_limit: String,
    pub bandwidth: String,
    pub ns: String,
    pub shell: String,
    pub backups: String,
    pub time: String,
    pub date: String,
}

impl Default for Package {
    fn default() -> Self {
        let unlimited = || "unlimited".to_string();
        Self {
            web_template: "default".into(),
            backend_template: "default".into(),
            proxy_template: "default".into(),
            dns_template: "default".into(),
            web_domains: unlimited(),
            web_aliases: unlimited(),
            dns_domains: unlimited(),
            dns_records: unlimited(),
            mail_domains: unlimited(),
            mail_accounts: unlimited(),
            databases: unlimited(),
            cron_jobs: unlimited(),
            disk_quota: unlimited(),
            cpu_quota: unlimited(),
            cpu_quota_period: unlimited(),
            memory_limit: unlimited(),
            swap_limit: unlimited(),
            bandwidth: unlimited(),
            ns: "ns1.domain.tld,ns2.domain.tld".into(),
            shell: "nologin".into(),
            backups: "1".into(),
            time: "18:00:00".into(),
            date: "2019-01-15".into(),
        }
    }
}

/// One web domain (`web.conf` line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebDomain {
    pub domain: String,
    pub alias: String,
    pub ip: String,
    #[serde(default = "default_str")]
    pub backend: String,
    #[serde(default)]
    pub custom_docroot: String,
    pub time: String,
    pub date: String,
    /// FTP accounts in `FTP_USER` order (`v-add-web-domain-ftp`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ftp: Vec<FtpAccount>,
    /// The installed certificate (`SSL=yes`), uploaded or from Let's Encrypt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssl: Option<Certificate>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub letsencrypt: bool,
}

/// One FTP account of a web domain: one position in the domain's parallel
/// `FTP_USER` / `FTP_PATH` lists (record 309).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FtpAccount {
    /// The full login, owner prefix included (`bob_deploy`).
    pub login: String,
    pub password_sha256: String,
    /// The `FTP_PATH` entry exactly as the panel stores it (see `web_extra`).
    pub path: String,
}

/// A web domain's certificate files (`USER_DATA/ssl/DOMAIN.{crt,key,ca}`), as
/// `v-list-web-domain-ssl` prints them: text without the final newline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub crt: String,
    pub key: String,
    #[serde(default)]
    pub ca: String,
}

/// One DNS zone (`dns.conf` line plus `dns/DOMAIN.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsDomain {
    pub domain: String,
    pub ip: String,
    pub template: String,
    pub ttl: String,
    pub exp: String,
    pub soa: String,
    pub serial: u64,
    pub dnssec: String,
    pub suspended: bool,
    pub time: String,
    pub date: String,
    /// Sorted by id, as `sort_dns_records` keeps the file.
    pub records: Vec<DnsRecord>,
}

/// One DNS record line; `value` is stored as listed (quotes as the panel made
/// them, single quotes plain).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DnsRecord {
    pub id: u64,
    pub record: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub priority: String,
    pub value: String,
    /// The record's own TTL; `None` lists the zone's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<String>,
    pub suspended: bool,
    pub time: String,
    pub date: String,
}

/// One mail domain (`mail.conf` line plus `mail/DOMAIN.conf`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailDomain {
    pub domain: String,
    pub antivirus: String,
    pub antispam: String,
    pub reject: String,
    pub dkim: String,
    /// Base64 of the DKIM public key (`mail/DOMAIN.pub` without its armour).
    #[serde(default)]
    pub dkim_public: String,
    pub webmail: String,
    pub suspended: bool,
    pub time: String,
    pub date: String,
    pub accounts: Vec<MailAccount>,
}

/// One mailbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MailAccount {
    pub account: String,
    /// SHA-256 of the current password (the real panel keeps a BLF-CRYPT hash).
    pub password_sha256: String,
    pub quota: String,
    /// `FWD`: forward addresses in the order added.
    #[serde(default)]
    pub fwd: Vec<String>,
    pub suspended: bool,
    pub time: String,
    pub date: String,
}

/// One cron job (`cron.conf` line); `cmd` as given (quotes kept).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CronJob {
    pub job: u64,
    pub min: String,
    pub hour: String,
    pub day: String,
    pub month: String,
    pub wday: String,
    pub cmd: String,
    pub suspended: bool,
    pub time: String,
    pub date: String,
}

/// One database (`db.conf` line); names are the full prefixed ones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Database {
    pub database: String,
    pub dbuser: String,
    /// SHA-256 of the password: the simulator never needs it back.
    pub password_sha256: String,
    #[serde(rename = "type")]
    pub db_type: String,
    pub host: String,
    pub charset: String,
    pub time: String,
    pub date: String,
}

/// One panel user (`data/users/<user>/user.conf` plus its objects).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// Creation order, which is `/etc/passwd` order for `v-list-users`.
    pub seq: u64,
    pub name: String,
    pub package: String,
    pub contact: String,
    pub password_sha256: String,
    pub role: String,
    pub suspended: bool,
    pub rkey: String,
    #[serde(default)]
    pub language: String,
    pub time: String,
    pub date: String,
    #[serde(default)]
    pub web_domains: Vec<WebDomain>,
    #[serde(default)]
    pub databases: Vec<Database>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dns_domains: Vec<DnsDomain>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mail_domains: Vec<MailDomain>,
    /// Sorted by job id, as `sort_cron_jobs` keeps the file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cron_jobs: Vec<CronJob>,
}

fn default_str() -> String {
    "default".into()
}

/// The whole panel; this is what `/__sim/state` dumps and restores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub users: BTreeMap<String, User>,
    pub packages: BTreeMap<String, Package>,
    /// Counter behind every generated value (RKEYs, sequence numbers), so runs
    /// are reproducible.
    pub counter: u64,
    /// The admin's `U_USERS` counter: `v-add-user` adds one, `v-delete-user`
    /// takes one, and the nightly `v-update-user-counters` recounts every user
    /// (admin included). So a fresh panel shows 1 after its first user (record
    /// 61) while a panel that was recounted shows the total (record 16).
    #[serde(default)]
    pub admin_u_users: u64,
    /// Files written to `/tmp` by the API's own `v-make-tmp-file` (name ->
    /// content), read by `v-add-web-domain-ssl /tmp`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tmp_files: BTreeMap<String, String>,
    /// Web domain -> owner, for the panel-wide uniqueness check.
    #[serde(skip)]
    pub domain_owner: HashMap<String, String>,
    /// Web alias -> owner (`is_web_alias_new`).
    #[serde(skip)]
    pub alias_owner: HashMap<String, String>,
    /// DNS zone -> owner (`is_dns_domain_new`).
    #[serde(skip)]
    pub dns_owner: HashMap<String, String>,
    /// Mail domain -> owner (`is_mail_domain_new`).
    #[serde(skip)]
    pub mail_owner: HashMap<String, String>,
    /// Every FTP login (they are Unix accounts: one namespace for the server).
    #[serde(skip)]
    pub ftp_logins: std::collections::HashSet<String>,
    /// How many users are suspended (the admin's `SUSPENDED_USERS`), kept up to
    /// date by suspend/unsuspend/delete so single-user reads stay O(1).
    #[serde(skip)]
    pub suspended_users: usize,
}

pub fn password_digest(password: &str) -> String {
    hex::encode(Sha256::digest(password.as_bytes()))
}

/// Current `TIME` and `DATE` values as the scripts write them (`date +'%T %F'`).
pub fn now_time_date() -> (String, String) {
    let now = chrono::Utc::now();
    (
        now.format("%H:%M:%S").to_string(),
        now.format("%Y-%m-%d").to_string(),
    )
}

impl State {
    /// A fresh panel: the `admin` user and the `default` and `system` packages
    /// that a new HestiaCP install has.
    pub fn fresh(admin_password: &str) -> Self {
        let mut packages = BTreeMap::new();
        packages.insert("default".to_string(), Package::default());
        packages.insert(
            "system".to_string(),
            Package {
                web_domains: "1".into(),
                web_aliases: "1".into(),
                dns_domains: "1".into(),
                mail_domains: "1".into(),
                mail_accounts: "1".into(),
                databases: "0".into(),
                time: "00:00:00".into(),
                date: "2022-01-20".into(),
                ..Package::default()
            },
        );
        let mut state = Self {
            users: BTreeMap::new(),
            packages,
            counter: 0,
            admin_u_users: 0,
            tmp_files: BTreeMap::new(),
            domain_owner: HashMap::new(),
            alias_owner: HashMap::new(),
            dns_owner: HashMap::new(),
            mail_owner: HashMap::new(),
            ftp_logins: Default::default(),
            suspended_users: 0,
        };
        let (time, date) = now_time_date();
        let rkey = state.next_rkey(ROOT_USER);
        let seq = state.next_seq();
        state.users.insert(
            ROOT_USER.to_string(),
            User {
                seq,
                name: "System Administrator".into(),
                package: "default".into(),
                contact: "admin@example.com".into(),
                password_sha256: password_digest(admin_password),
                role: "admin".into(),
                suspended: false,
                rkey,
                language: "en".into(),
                time,
                date,
                web_domains: Vec::new(),
                databases: Vec::new(),
                dns_domains: Vec::new(),
                mail_domains: Vec::new(),
                cron_jobs: Vec::new(),
            },
        );
        state
    }

    pub fn next_seq(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A 16-character alphanumeric `RKEY`, derived from the counter so it is
    /// deterministic yet different for every generation.
    pub fn next_rkey(&mut self, user: &str) -> String {
        let n = self.next_seq();
        let digest = Sha256::digest(format!("rkey:{user}:{n}").as_bytes());
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        digest
            .iter()
            .take(16)
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
            .collect()
    }

    /// Rebuilds the derived indexes after a restore or seed.
    pub fn reindex(&mut self) {
        self.suspended_users = self.users.values().filter(|u| u.suspended).count();
        self.domain_owner.clear();
        self.alias_owner.clear();
        self.dns_owner.clear();
        self.mail_owner.clear();
        self.ftp_logins.clear();
        for (login, user) in &self.users {
            for web in &user.web_domains {
                self.domain_owner.insert(web.domain.clone(), login.clone());
                for alias in web.alias.split(',').filter(|a| !a.is_empty()) {
                    self.alias_owner.insert(alias.to_string(), login.clone());
                }
                for ftp in &web.ftp {
                    self.ftp_logins.insert(ftp.login.clone());
                }
            }
            for dns in &user.dns_domains {
                self.dns_owner.insert(dns.domain.clone(), login.clone());
            }
            for mail in &user.mail_domains {
                self.mail_owner.insert(mail.domain.clone(), login.clone());
            }
        }
    }

    pub fn users_in_order(&self) -> Vec<(&String, &User)> {
        let mut users: Vec<_> = self.users.iter().collect();
        users.sort_by_key(|(_, user)| user.seq);
        users
    }

    /// Packages newest first, like `ls --sort=time data/packages`.
    pub fn packages_in_order(&self) -> Vec<(&String, &Package)> {
        let mut packages: Vec<_> = self.packages.iter().collect();
        packages.sort_by(|a, b| (&b.1.date, &b.1.time, b.0).cmp(&(&a.1.date, &a.1.time, a.0)));
        packages
    }

    fn package_of(&self, user: &User) -> Package {
        self.packages
            .get(&user.package)
            .cloned()
            .unwrap_or_default()
    }
}

/// The counters `v-list-user` reads from a user's own conf (kept up to date by
/// every add/delete script, so they are computed here from the objects).
struct Usage {
    web_domains: usize,
    web_aliases: usize,
    web_ssl: usize,
    databases: usize,
    dns_domains: usize,
    dns_records: usize,
    mail_domains: usize,
    mail_dkim: usize,
    mail_accounts: usize,
    cron_jobs: usize,
    suspended_web: usize,
    suspended_db: usize,
    suspended_dns: usize,
    suspended_mail: usize,
    suspended_cron: usize,
}

fn usage(user: &User) -> Usage {
    let web_aliases = user
        .web_domains
        .iter()
        .map(|w| w.alias.split(',').filter(|a| !a.is_empty()).count())
        .sum();
    // Suspending a user suspends its objects, which the counters reflect.
    let suspended = |n: usize| if user.suspended { n } else { 0 };
    Usage {
        web_domains: user.web_domains.len(),
        web_aliases,
        web_ssl: user.web_domains.iter().filter(|w| w.ssl.is_some()).count(),
        databases: user.databases.len(),
        dns_domains: user.dns_domains.len(),
        dns_records: user.dns_domains.iter().map(|d| d.records.len()).sum(),
        mail_domains: user.mail_domains.len(),
        mail_dkim: user.mail_domains.iter().filter(|m| m.dkim == "yes").count(),
        mail_accounts: user.mail_domains.iter().map(|m| m.accounts.len()).sum(),
        cron_jobs: user.cron_jobs.len(),
        suspended_web: suspended(user.web_domains.len()),
        suspended_db: suspended(user.databases.len()),
        suspended_dns: user.dns_domains.iter().filter(|d| d.suspended).count(),
        suspended_mail: user.mail_domains.iter().filter(|m| m.suspended).count(),
        suspended_cron: user.cron_jobs.iter().filter(|c| c.suspended).count(),
    }
}

fn yes_no(flag: bool) -> &'static str {
    if flag {
        "yes"
    } else {
        "no"
    }
}

/// Appends `"KEY": "value"` lines at `indent`, comma-separated.
fn push_fields(out: &mut String, indent: &str, fields: &[(&str, &str)]) {
    for (i, (key, value)) in fields.iter().enumerate() {
        let comma = if i + 1 < fields.len() { "," } else { "" };
        let _ = writeln!(out, "{indent}\"{key}\": \"{value}\"{comma}");
    }
}

/// Which `v-list-user*` flavour: the single-user listing has a few more keys and
/// reads `U_USERS`/`SUSPENDED_USERS` from the admin.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UserListing {
    Single,
    All,
}

impl State {
    fn admin_counts(&self) -> (String, String) {
        let total = self.admin_u_users.to_string();
        let suspended = self
            .users
            .values()
            .filter(|u| u.suspended)
            .count()
            .to_string();
        (total, suspended)
    }

    fn user_fields(
        &self,
        login: &str,
        user: &User,
        flavour: UserListing,
    ) -> Vec<(&'static str, String)> {
        let package = self.package_of(user);
        let used = usage(user);
        let is_admin = user.role == "admin";
        let (u_users, suspended_users) = match flavour {
            UserListing::Single => self.admin_counts(),
            UserListing::All if is_admin => self.admin_counts(),
            UserListing::All => ("0".to_string(), "0".to_string()),
        };
        let mut fields: Vec<(&'static str, String)> = vec![
            ("NAME", user.name.clone()),
            ("PACKAGE", user.package.clone()),
            ("WEB_TEMPLATE", package.web_template.clone()),
            ("BACKEND_TEMPLATE", package.backend_template.clone()),
            ("PROXY_TEMPLATE", package.proxy_template.clone()),
            ("DNS_TEMPLATE", package.dns_template.clone()),
            ("WEB_DOMAINS", package.web_domains.clone()),
            ("WEB_ALIASES", package.web_aliases.clone()),
            ("DNS_DOMAINS", package.dns_domains.clone()),
            ("DNS_RECORDS", package.dns_records.clone()),
            ("MAIL_DOMAINS", package.mail_domains.clone()),
            ("MAIL_ACCOUNTS", package.mail_accounts.clone()),
            ("DATABASES", package.databases.clone()),
            ("CRON_JOBS", package.cron_jobs.clone()),
            ("DISK_QUOTA", package.disk_quota.clone()),
        ];
        if flavour == UserListing::All {
            fields.extend([
                ("CPU_QUOTA", package.cpu_quota.clone()),
                ("CPU_QUOTA_PERIOD", package.cpu_quota_period.clone()),
                ("MEMORY_LIMIT", package.memory_limit.clone()),
                ("SWAP_LIMIT", package.swap_limit.clone()),
            ]);
        }
        fields.push(("BANDWIDTH", package.bandwidth.clone()));
        if flavour == UserListing::Single {
            fields.push(("HOME", format!("/home/{login}")));
        }
        fields.extend([
            ("NS", package.ns.clone()),
            ("SHELL", package.shell.clone()),
            ("BACKUPS", package.backups.clone()),
            ("CONTACT", user.contact.clone()),
            ("CRON_REPORTS", "yes".to_string()),
            ("RKEY", user.rkey.clone()),
        ]);
        if flavour == UserListing::Single {
            fields.extend([("TWOFA", String::new()), ("QRCODE", String::new())]);
        }
        fields.extend([
            ("ROLE", user.role.clone()),
            ("SUSPENDED", yes_no(user.suspended).to_string()),
            ("SUSPENDED_USERS", suspended_users),
            ("SUSPENDED_WEB", used.suspended_web.to_string()),
            ("SUSPENDED_DNS", used.suspended_dns.to_string()),
            ("SUSPENDED_MAIL", used.suspended_mail.to_string()),
            ("SUSPENDED_DB", used.suspended_db.to_string()),
            ("SUSPENDED_CRON", used.suspended_cron.to_string()),
            ("IP_AVAIL", "1".to_string()),
            ("IP_OWNED", if is_admin { "1" } else { "0" }.to_string()),
            ("U_USERS", u_users),
            ("U_DISK", "0".to_string()),
            ("U_DISK_DIRS", "0".to_string()),
            ("U_DISK_WEB", "0".to_string()),
            ("U_DISK_MAIL", "0".to_string()),
            ("U_DISK_DB", "0".to_string()),
            ("U_BANDWIDTH", "0".to_string()),
            ("U_WEB_DOMAINS", used.web_domains.to_string()),
            ("U_WEB_SSL", used.web_ssl.to_string()),
            ("U_WEB_ALIASES", used.web_aliases.to_string()),
            ("U_DNS_DOMAINS", used.dns_domains.to_string()),
            ("U_DNS_RECORDS", used.dns_records.to_string()),
            ("U_MAIL_DOMAINS", used.mail_domains.to_string()),
            ("U_MAIL_DKIM", used.mail_dkim.to_string()),
            ("U_MAIL_ACCOUNTS", used.mail_accounts.to_string()),
            ("U_DATABASES", used.databases.to_string()),
            ("U_CRON_JOBS", used.cron_jobs.to_string()),
            ("U_BACKUPS", "0".to_string()),
        ]);
        if flavour == UserListing::Single {
            fields.push(("BACKUPS_INCREMENTAL", "no".to_string()));
        }
        fields.push(("LANGUAGE", user.language.clone()));
        if flavour == UserListing::Single {
            fields.extend([
                ("THEME", String::new()),
                ("NOTIFICATIONS", "no".to_string()),
                ("PREF_UI_SORT", "name".to_string()),
                ("LOGIN_DISABLED", "no".to_string()),
                ("LOGIN_USE_IPLIST", "no".to_string()),
                ("LOGIN_ALLOW_IPS", String::new()),
                ("PHPCLI", String::new()),
            ]);
        }
        fields.extend([("TIME", user.time.clone()), ("DATE", user.date.clone())]);
        fields
    }

    /// `v-list-user USER json`.
    pub fn user_json(&self, login: &str, user: &User) -> String {
        let fields = self.user_fields(login, user, UserListing::Single);
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut out = format!("{{\n    \"{login}\": {{\n");
        push_fields(&mut out, "        ", &borrowed);
        out.push_str("        }\n}\n");
        out
    }

    /// `v-list-users json`: entries joined by `,\n`, the last `}` glued to the outer one.
    pub fn users_json(&self) -> String {
        let mut out = String::from("{\n");
        for (i, (login, user)) in self.users_in_order().into_iter().enumerate() {
            if i > 0 {
                out.push_str(",\n");
            }
            let fields = self.user_fields(login, user, UserListing::All);
            let borrowed: Vec<(&str, &str)> =
                fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let _ = writeln!(out, "    \"{login}\": {{");
            push_fields(&mut out, "        ", &borrowed);
            out.push_str("        }");
        }
        out.push_str("}\n");
        out
    }

    /// `v-list-user USER plain`: one tab-separated line.
    pub fn user_plain(&self, login: &str, user: &User) -> String {
        let f = self.user_fields(login, user, UserListing::Single);
        let get = |key: &str| {
            f.iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        };
        let mut values = vec![login];
        for key in [
            "NAME",
            "PACKAGE",
            "WEB_TEMPLATE",
            "BACKEND_TEMPLATE",
            "PROXY_TEMPLATE",
            "DNS_TEMPLATE",
            "WEB_DOMAINS",
            "WEB_ALIASES",
            "DNS_DOMAINS",
            "DNS_RECORDS",
            "MAIL_DOMAINS",
            "MAIL_ACCOUNTS",
            "DATABASES",
            "CRON_JOBS",
            "DISK_QUOTA",
            "BANDWIDTH",
            "NS",
            "HOME",
            "SHELL",
            "BACKUPS",
            "CONTACT",
            "CRON_REPORTS",
            "RKEY",
            "SUSPENDED",
            "SUSPENDED_USERS",
            "SUSPENDED_WEB",
            "SUSPENDED_DNS",
            "SUSPENDED_MAIL",
            "SUSPENDED_DB",
            "SUSPENDED_CRON",
            "IP_AVAIL",
            "IP_OWNED",
            "U_USERS",
            "U_DISK",
            "U_DISK_DIRS",
            "U_DISK_WEB",
            "U_DISK_MAIL",
            "U_DISK_DB",
            "U_BANDWIDTH",
            "U_WEB_DOMAINS",
            "U_WEB_SSL",
            "U_WEB_ALIASES",
            "U_DNS_DOMAINS",
            "U_DNS_RECORDS",
            "U_MAIL_DOMAINS",
            "U_MAIL_DKIM",
            "U_MAIL_ACCOUNTS",
            "U_DATABASES",
            "U_CRON_JOBS",
            "U_BACKUPS",
            "LANGUAGE",
            "THEME",
            "TIME",
            "DATE",
        ] {
            values.push(get(key));
        }
        format!("{}\n", values.join("\t"))
    }

    /// `v-list-users plain`: one tab-separated line per user (with a trailing tab).
    pub fn users_plain(&self) -> String {
        let mut out = String::new();
        for (login, user) in self.users_in_order() {
            let f = self.user_fields(login, user, UserListing::All);
            let get = |key: &str| {
                f.iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or("")
            };
            let mut values = vec![login.as_str()];
            for key in [
                "NAME",
                "PACKAGE",
                "WEB_TEMPLATE",
                "BACKEND_TEMPLATE",
                "PROXY_TEMPLATE",
                "DNS_TEMPLATE",
                "WEB_DOMAINS",
                "WEB_ALIASES",
                "DNS_DOMAINS",
                "DNS_RECORDS",
                "MAIL_DOMAINS",
                "MAIL_ACCOUNTS",
                "DATABASES",
                "CRON_JOBS",
                "DISK_QUOTA",
                "CPU_QUOTA",
                "CPU_QUOTA_PERIOD",
                "MEMORY_LIMIT",
                "SWAP_LIMIT",
                "BANDWIDTH",
                "NS",
                "SHELL",
                "BACKUPS",
                "CONTACT",
                "CRON_REPORTS",
                "RKEY",
                "ROLE",
                "SUSPENDED",
                "SUSPENDED_USERS",
                "SUSPENDED_WEB",
                "SUSPENDED_DNS",
                "SUSPENDED_MAIL",
                "SUSPENDED_DB",
                "SUSPENDED_CRON",
                "IP_AVAIL",
                "IP_OWNED",
                "U_USERS",
                "U_DISK",
                "U_DISK_DIRS",
                "U_DISK_WEB",
                "U_DISK_MAIL",
                "U_DISK_DB",
                "U_BANDWIDTH",
                "U_WEB_DOMAINS",
                "U_WEB_SSL",
                "U_WEB_ALIASES",
                "U_DNS_DOMAINS",
                "U_DNS_RECORDS",
                "U_MAIL_DOMAINS",
                "U_MAIL_DKIM",
                "U_MAIL_ACCOUNTS",
                "U_DATABASES",
                "U_CRON_JOBS",
                "U_BACKUPS",
                "LANGUAGE",
                "TIME",
                "DATE",
            ] {
                values.push(get(key));
            }
            let _ = writeln!(out, "{}\t", values.join("\t"));
        }
        out
    }

    /// `v-list-user USER` (the default `shell` format).
    pub fn user_shell(&self, login: &str, user: &User) -> String {
        let package = self.package_of(user);
        let used = usage(user);
        let lines = [
            format!("USERNAME:      {login}"),
            format!("FULL NAME:     {}", user.name),
            format!("EMAIL:         {}", user.contact),
            format!("LANGUAGE:      {}", user.language),
            "THEME:         ".to_string(),
            format!("SUSPENDED:     {}", yes_no(user.suspended)),
            format!("PACKAGE:       {}", user.package),
            format!("SHELL:         {}", package.shell),
            format!(
                "WEB DOMAINS:   {}/{}",
                used.web_domains, package.web_domains
            ),
            format!(
                "WEB ALIASES:   {}/{}",
                used.web_aliases, package.web_aliases
            ),
            format!(
                "DNS DOMAINS:   {}/{}",
                used.dns_domains, package.dns_domains
            ),
            format!(
                "DNS RECORDS:   {}/{}",
                used.dns_records, package.dns_records
            ),
            format!(
                "MAIL DOMAINS:  {}/{}",
                used.mail_domains, package.mail_domains
            ),
            format!(
                "MAIL ACCOUNTS: {}/{}",
                used.mail_accounts, package.mail_accounts
            ),
            format!("BACKUPS:       0/{}", package.backups),
            format!("DATABASES:     {}/{}", used.databases, package.databases),
            format!("CRON_JOBS:     {}/{}", used.cron_jobs, package.cron_jobs),
            format!("DISK:          0/{}", package.disk_quota),
            format!("BANDWIDTH:     0/{}", package.bandwidth),
            format!(
                "IP ADDRESSES   1/{}",
                if user.role == "admin" { 1 } else { 0 }
            ),
            format!("TIME:          {}", user.time),
            format!("DATE:          {}", user.date),
        ];
        let mut out = lines.join("\n");
        out.push('\n');
        out
    }

    /// `v-list-user-packages json`.
    pub fn packages_json(&self) -> String {
        let packages = self.packages_in_order();
        let mut out = String::from("{\n");
        for (i, (name, p)) in packages.iter().enumerate() {
            // The real script writes these four keys without a space after the colon.
            let _ = write!(
                out,
                "    \"{name}\": {{\n        \"WEB_TEMPLATE\": \"{}\",\n        \"PROXY_TEMPLATE\": \"{}\",\n        \"DNS_TEMPLATE\": \"{}\",\n        \"WEB_DOMAINS\": \"{}\",\n        \"WEB_ALIASES\": \"{}\",\n        \"DNS_DOMAINS\": \"{}\",\n        \"DNS_RECORDS\": \"{}\",\n        \"MAIL_DOMAINS\": \"{}\",\n        \"MAIL_ACCOUNTS\": \"{}\",\n        \"DATABASES\": \"{}\",\n        \"CRON_JOBS\": \"{}\",\n        \"DISK_QUOTA\": \"{}\",\n        \"CPU_QUOTA\":\"{}\",\n        \"CPU_QUOTA_PERIOD\":\"{}\",\n        \"MEMORY_LIMIT\":\"{}\",\n        \"SWAP_LIMIT\":\"{}\",\n        \"BANDWIDTH\": \"{}\",\n        \"NS\": \"{}\",\n        \"SHELL\": \"{}\",\n        \"BACKUPS\": \"{}\",\n        \"TIME\": \"{}\",\n        \"DATE\": \"{}\"\n    }}",
                p.web_template, p.proxy_template, p.dns_template, p.web_domains, p.web_aliases,
                p.dns_domains, p.dns_records, p.mail_domains, p.mail_accounts, p.databases,
                p.cron_jobs, p.disk_quota, p.cpu_quota, p.cpu_quota_period, p.memory_limit,
                p.swap_limit, p.bandwidth, p.ns, p.shell, p.backups, p.time, p.date
            );
            out.push_str(if i + 1 < packages.len() { ",\n" } else { "\n" });
        }
        out.push_str("}\n");
        out
    }

    /// `v-list-user-packages plain`.
    pub fn packages_plain(&self) -> String {
        let mut out = String::new();
        for (name, p) in self.packages_in_order() {
            let _ = writeln!(
                out,
                "{name}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                p.web_template, p.proxy_template, p.dns_template, p.web_domains, p.web_aliases,
                p.dns_domains, p.dns_records, p.mail_domains, p.mail_accounts, p.databases,
                p.cron_jobs, p.disk_quota, p.cpu_quota, p.cpu_quota_period, p.memory_limit,
                p.swap_limit, p.bandwidth, p.ns, p.shell, p.backups, p.time, p.date
            );
        }
        out
    }
}

fn web_fields(
    login: &str,
    user: &User,
    web: &WebDomain,
    full: bool,
) -> Vec<(&'static str, String)> {
    let docroot = if web.custom_docroot.is_empty() {
        format!("/home/{login}/web/{}/public_html/", web.domain)
    } else {
        web.custom_docroot.clone()
    };
    let mut fields = vec![
        ("IP", web.ip.clone()),
        ("IP6", String::new()),
        ("DOCUMENT_ROOT", docroot),
        ("U_DISK", "0".to_string()),
        ("U_BANDWIDTH", "0".to_string()),
        ("TPL", "default".to_string()),
        ("ALIAS", web.alias.clone()),
        ("STATS", String::new()),
        ("STATS_USER", String::new()),
        ("SSL", yes_no(web.ssl.is_some()).to_string()),
    ];
    if full {
        fields.extend([("SSL_FORCE", "no".to_string()), ("SSL_HSTS", String::new())]);
    }
    fields.extend([
        ("SSL_HOME", "same".to_string()),
        ("LETSENCRYPT", yes_no(web.letsencrypt).to_string()),
        // Two parallel colon-separated lists (records 309, 316, 320).
        (
            "FTP_USER",
            web.ftp
                .iter()
                .map(|f| f.login.as_str())
                .collect::<Vec<_>>()
                .join(":"),
        ),
        (
            "FTP_PATH",
            web.ftp
                .iter()
                .map(|f| f.path.as_str())
                .collect::<Vec<_>>()
                .join(":"),
        ),
        ("AUTH_USER", String::new()),
        ("BACKEND", web.backend.clone()),
        ("PROXY", "default".to_string()),
        ("PROXY_EXT", String::new()),
    ]);
    if full {
        fields.extend([
            ("FASTCGI_CACHE", String::new()),
            ("FASTCGI_DURATION", String::new()),
            ("REDIRECT", String::new()),
            ("REDIRECT_CODE", String::new()),
            ("CUSTOM_DOCROOT", web.custom_docroot.clone()),
        ]);
    }
    fields.extend([
        ("SUSPENDED", yes_no(user.suspended).to_string()),
        ("TIME", web.time.clone()),
        ("DATE", web.date.clone()),
    ]);
    fields
}

fn db_fields(user: &User, db: &Database) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE", db.database.clone()),
        ("DBUSER", db.dbuser.clone()),
        ("HOST", db.host.clone()),
        ("TYPE", db.db_type.clone()),
        ("CHARSET", db.charset.clone()),
        ("U_DISK", "0".to_string()),
        ("SUSPENDED", yes_no(user.suspended).to_string()),
        ("TIME", db.time.clone()),
        ("DATE", db.date.clone()),
    ]
}

/// `{ "key": {fields}, ... }` with 4/8-space indentation and `    }` closers;
/// an empty list prints `{` and `}` on separate lines.
fn object_list(entries: &[(String, Vec<(&'static str, String)>)]) -> String {
    let mut out = String::from("{\n");
    for (i, (key, fields)) in entries.iter().enumerate() {
        let borrowed: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let _ = writeln!(out, "    \"{key}\": {{");
        push_fields(&mut out, "        ", &borrowed);
        out.push_str("    }");
        out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
    }
    out.push_str("}\n");
    out
}

fn plain_lines(entries: &[(String, Vec<(&'static str, String)>)], keys: &[&str]) -> String {
    let mut out = String::new();
    for (key, fields) in entries {
        let mut values = vec![key.as_str()];
        for wanted in keys {
            values.push(
                fields
                    .iter()
                    .find(|(k, _)| k == wanted)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or(""),
            );
        }
        let _ = writeln!(out, "{}", values.join("\t"));
    }
    out
}

const WEB_PLAIN_KEYS: &[&str] = &[
    "IP",
    "IP6",
    "DOCUMENT_ROOT",
    "U_DISK",
    "U_BANDWIDTH",
    "TPL",
    "ALIAS",
    "STATS",
    "STATS_USER",
    "SSL",
    "SSL_HOME",
    "LETSENCRYPT",
    "FTP_USER",
    "FTP_PATH",
    "AUTH_USER",
    "BACKEND",
    "PROXY",
    "PROXY_EXT",
    "SUSPENDED",
    "TIME",
    "DATE",
];
const DB_PLAIN_KEYS: &[&str] = &[
    "DBUSER",
    "HOST",
    "TYPE",
    "CHARSET",
    "U_DISK",
    "SUSPENDED",
    "TIME",
    "DATE",
];

pub fn web_domain_listing(login: &str, user: &User, web: &WebDomain, format: &str) -> String {
    let entries = vec![(web.domain.clone(), web_fields(login, user, web, true))];
    match format {
        "json" => object_list(&entries),
        "plain" => plain_lines(&entries, WEB_PLAIN_KEYS),
        "shell" => format!(
            "DOMAIN:           {}\nALIAS:            {}\nIP:               {}\nDOCUMENT_ROOT:    {}\nTEMPLATE:         default\nBACKEND:          {}\nPROXY:            default\nPROXY EXT:        \nDISK:             0\nBW:               0\nSUSPENDED:        {}\nTIME:             {}\nDATE:             {}\n",
            web.domain,
            web.alias.replace(',', " "),
            web.ip,
            entries[0].1[2].1,
            web.backend,
            yes_no(user.suspended),
            web.time,
            web.date
        ),
        _ => String::new(),
    }
}

pub fn web_domains_listing(login: &str, user: &User, format: &str) -> String {
    let entries: Vec<_> = user
        .web_domains
        .iter()
        .map(|web| (web.domain.clone(), web_fields(login, user, web, false)))
        .collect();
    match format {
        "json" => object_list(&entries),
        "plain" => plain_lines(&entries, WEB_PLAIN_KEYS),
        "shell" => {
            let mut out = String::from("DOMAIN   IP   TPL   SSL   DISK   BW   SPND   DATE\n------   --   ---   ---   ----   --   ----   ----\n");
            for web in &user.web_domains {
                let _ = writeln!(
                    out,
                    "{} {} default no 0 0 {} {}",
                    web.domain,
                    web.ip,
                    yes_no(user.suspended),
                    web.date
                );
            }
            out
        }
        _ => String::new(),
    }
}

pub fn database_listing(user: &User, requested: &str, db: &Database, format: &str) -> String {
    // The real script keys the object by the name as passed in.
    let entries = vec![(requested.to_string(), db_fields(user, db))];
    match format {
        "json" => object_list(&entries),
        "plain" => {
            let entries = vec![(db.database.clone(), db_fields(user, db))];
            plain_lines(&entries, DB_PLAIN_KEYS)
        }
        "shell" => format!(
            "DATABASE:       {}\nDB USER:        {}\nHOST:           {}\nTYPE:           {}\nCHARSET:        {}\nDISK:           0\nSUSPENDED:      {}\nTIME:           {}\nDATE:           {}\n",
            db.database,
            db.dbuser,
            db.host,
            db.db_type,
            db.charset,
            yes_no(user.suspended),
            db.time,
            db.date
        ),
        _ => String::new(),
    }
}

pub fn databases_listing(user: &User, format: &str) -> String {
    let entries: Vec<_> = user
        .databases
        .iter()
        .map(|db| (db.database.clone(), db_fields(user, db)))
        .collect();
    match format {
        "json" => object_list(&entries),
        "plain" => plain_lines(&entries, DB_PLAIN_KEYS),
        "shell" => {
            let mut out = String::from("DATABASE   USER   HOST   TYPE   DISK   SPND   DATE\n--------   ----   ----   ----   ----   ----   ----\n");
            for db in &user.databases {
                let _ = writeln!(
                    out,
                    "{} {} {} {} 0 {} {}",
                    db.database,
                    db.dbuser,
                    db.host,
                    db.db_type,
                    yes_no(user.suspended),
                    db.date
                );
            }
            out
        }
        _ => String::new(),
    }
}

/// `v-list-sys-ips json` (one shared IP owned by the admin).
pub fn sys_ips_json(state: &State) -> String {
    let web_domains: usize = state.users.values().map(|u| u.web_domains.len()).sum();
    format!(
        "{{\n    \"{SERVER_IP}\": {{\n        \"OWNER\": \"admin\",\n        \"STATUS\": \"shared\",\n        \"NAME\": \"\",\n        \"U_SYS_USERS\": \"admin\",\n        \"U_WEB_DOMAINS\": \"{web_domains}\",\n        \"INTERFACE\": \"eth0\",\n        \"NETMASK\": \"255.255.255.0\",\n        \"NAT\": \"\",\n        \"TIME\": \"18:00:00\",\n        \"DATE\": \"2019-01-15\"\n        }}\n}}\n"
    )
}
