//! Simulated HestiaCP API (version 1.10.3 behaviour, `POST /api/`).
//!
//! Credentials (fixed, so they can go into a tfvars file):
//! - legacy password: user `admin`, password `sim-Passw0rd!`
//! - access key: `SIMACCESSKEY00000001` with secret
//!   `simsecretkey0000000000000000000000000001` (also usable as
//!   `hash=ACCESS:SECRET`); the key belongs to `admin` with no permission list, so it
//!   may run every command
//! - legacy API key (`hash`): `simlegacyapikey00000000000000001`
//!
//! The simulated server is the one of records 60-901: nginx + php-fpm, MySQL
//! (`localhost`), bind9 (DNS), exim4 + dovecot with ClamAV and SpamAssassin
//! (mail), Roundcube (webmail), vsftpd (FTP) and cron; its only IP is
//! `192.0.2.2` (shared, owned by admin). The API is enabled for everyone
//! (`API_ALLOWED_IP=allow-all`, `API_SYSTEM=1`). `v-add-domain` still creates
//! the web domain only (assumption kept from before: the provider never uses it).
//!
//! Packages on a fresh panel, as on a fresh HestiaCP install: `default`
//! (everything unlimited) and `system` (1 web domain, 1 alias, 0 databases).
//! More can be added by seeding.
//!
//! Seed shape (`POST /__sim/seed`, `--seed FILE`); every object goes through the
//! same command code as the API (`v-add-user`, `v-add-web-domain`,
//! `v-add-web-domain-ftp`, `v-add-database`, `v-add-dns-domain`,
//! `v-add-dns-record`, `v-add-mail-domain`, `v-add-mail-account`,
//! `v-add-mail-account-forward`, `v-add-cron-job`, the suspend commands), so the
//! same validators apply:
//! ```json
//! {"packages": {"gold": {"WEB_DOMAINS": "10", "DATABASES": "5"}},
//!  "admin_u_users": 3,
//!  "users": [{"user": "bob", "password": "...", "email": "bob@example.com",
//!             "package": "default", "name": "Bob B", "suspended": false,
//!             "web_domains": [{"domain": "bob.example", "aliases": "optional,list",
//!                              "ftp": [{"user": "deploy", "password": "...", "path": "public_html"}]}],
//!             "databases": [{"database": "db1", "dbuser": "u1", "password": "...",
//!                            "type": "mysql"}],
//!             "dns_domains": [{"domain": "bob.example", "ip": "192.0.2.10",
//!                              "records": [{"record": "www2", "type": "A", "value": "192.0.2.11",
//!                                           "priority": "", "id": 40, "ttl": "600"}]}],
//!             "mail_domains": [{"domain": "bob.example", "dkim": "no",
//!                               "accounts": [{"account": "info", "password": "...", "quota": "100",
//!                                             "forwards": ["boss@example.net"], "suspended": false}]}],
//!             "cron_jobs": [{"min": "0", "hour": "3", "day": "*", "month": "*", "wday": "*",
//!                            "cmd": "echo hi", "job": 7, "suspended": false}]}]}
//! ```
//! Database names may be given unprefixed (`db1` -> `bob_db1`, like the API) or
//! already prefixed (`bob_db1`, kept). Package fields not given take the
//! `default` package's values. `admin_u_users` sets the admin's `U_USERS`
//! counter (by default each seeded user adds one, as `v-add-user` does).
//!
//! Request counters (`/__sim/requests`) are keyed by the `cmd` value.

mod api;
pub mod commands;
mod control;
mod cron;
mod dns;
mod mail;
pub mod state;
pub mod validate;
mod web_extra;

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde::Deserialize;

use crate::panel::{RequestKind, SimPanel};
use state::State;

pub const ADMIN_USER: &str = "admin";
pub const ADMIN_PASSWORD: &str = "sim-Passw0rd!";
pub const ACCESS_KEY_ID: &str = "SIMACCESSKEY00000001";
pub const SECRET_ACCESS_KEY: &str = "simsecretkey0000000000000000000000000001";
pub const LEGACY_API_KEY: &str = "simlegacyapikey00000000000000001";

/// How long `v-add-letsencrypt-domain` takes unless told otherwise: a real
/// issuance (ACME account, order, HTTP-01 challenge, download) takes seconds; the
/// default keeps tests quick while still being measurably slower than a change.
pub const DEFAULT_LETSENCRYPT_DELAY_MS: u64 = 200;

/// The simulated Let's Encrypt: how long issuance takes and whether the ACME
/// server can be reached (record 520 shows the answer when it cannot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct LetsEncrypt {
    pub delay_ms: u64,
    pub reachable: bool,
}

pub struct HestiaSim {
    state: RwLock<State>,
    letsencrypt: std::sync::Mutex<LetsEncrypt>,
}

#[cfg(test)]
pub fn new() -> Arc<HestiaSim> {
    with_letsencrypt_delay(DEFAULT_LETSENCRYPT_DELAY_MS)
}

pub fn with_letsencrypt_delay(delay_ms: u64) -> Arc<HestiaSim> {
    Arc::new(HestiaSim {
        state: RwLock::new(State::fresh(ADMIN_PASSWORD)),
        letsencrypt: std::sync::Mutex::new(LetsEncrypt {
            delay_ms,
            reachable: true,
        }),
    })
}

impl HestiaSim {
    // A panic inside a command cannot leave the state half-updated in a way that
    // matters more than refusing all further requests would, so poisoning is ignored.
    pub fn read_state(&self) -> RwLockReadGuard<'_, State> {
        self.state.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn write_state(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn letsencrypt(&self) -> LetsEncrypt {
        *self
            .letsencrypt
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
    }

    fn admin_password_matches(&self, password: &str) -> bool {
        let digest = state::password_digest(password);
        self.read_state()
            .users
            .get(ADMIN_USER)
            .is_some_and(|admin| admin.password_sha256 == digest)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Seed {
    #[serde(default)]
    packages: std::collections::BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    users: Vec<SeedUser>,
    /// The admin's `U_USERS` after seeding (see `State::admin_u_users`); by
    /// default every seeded user counts once, as `v-add-user` counts them.
    #[serde(default)]
    admin_u_users: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedUser {
    user: String,
    password: String,
    email: String,
    #[serde(default)]
    package: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    suspended: bool,
    #[serde(default)]
    web_domains: Vec<SeedDomain>,
    #[serde(default)]
    databases: Vec<SeedDatabase>,
    #[serde(default)]
    dns_domains: Vec<SeedDnsDomain>,
    #[serde(default)]
    mail_domains: Vec<SeedMailDomain>,
    #[serde(default)]
    cron_jobs: Vec<SeedCronJob>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedDnsDomain {
    domain: String,
    ip: String,
    #[serde(default)]
    records: Vec<SeedDnsRecord>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedDnsRecord {
    record: String,
    #[serde(rename = "type")]
    rtype: String,
    value: String,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    ttl: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedMailDomain {
    domain: String,
    #[serde(default)]
    antispam: Option<String>,
    #[serde(default)]
    antivirus: Option<String>,
    #[serde(default)]
    dkim: Option<String>,
    #[serde(default)]
    accounts: Vec<SeedMailAccount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedMailAccount {
    account: String,
    password: String,
    #[serde(default)]
    quota: Option<String>,
    #[serde(default)]
    forwards: Vec<String>,
    #[serde(default)]
    suspended: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedCronJob {
    min: String,
    hour: String,
    day: String,
    month: String,
    wday: String,
    cmd: String,
    #[serde(default)]
    job: Option<u64>,
    #[serde(default)]
    suspended: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFtp {
    /// Without the owner prefix, as `v-add-web-domain-ftp` takes it.
    user: String,
    password: String,
    #[serde(default)]
    path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedDomain {
    domain: String,
    #[serde(default)]
    aliases: Option<String>,
    #[serde(default)]
    ftp: Vec<SeedFtp>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedDatabase {
    database: String,
    dbuser: String,
    password: String,
    #[serde(default, rename = "type")]
    db_type: Option<String>,
}

/// Runs one command for the seed, turning a failure into its printed message.
fn seed_command(state: &mut State, cmd: &str, args: Vec<String>) -> Result<(), String> {
    let outcome = commands::run_write(state, cmd, &args);
    if outcome.exit == 0 {
        Ok(())
    } else {
        Err(format!("{cmd} failed: {}", outcome.stdout.trim()))
    }
}

fn apply_seed(state: &mut State, seed: Seed) -> Result<(), String> {
    for (name, fields) in seed.packages {
        if validate::object(&name, "package").is_err() {
            return Err(format!("invalid package name {name:?}"));
        }
        let mut merged =
            serde_json::to_value(state::Package::default()).map_err(|err| err.to_string())?;
        let (time, date) = state::now_time_date();
        if let (Some(target), serde_json::Value::Object(given)) = (merged.as_object_mut(), fields) {
            target.insert("TIME".into(), time.into());
            target.insert("DATE".into(), date.into());
            for (key, value) in given {
                if !target.contains_key(&key) {
                    return Err(format!("package {name}: unknown field {key}"));
                }
                target.insert(key, value);
            }
        } else {
            return Err(format!("package {name} must be an object of fields"));
        }
        let package: state::Package =
            serde_json::from_value(merged).map_err(|err| format!("package {name}: {err}"))?;
        state.packages.insert(name, package);
    }
    for user in seed.users {
        let mut args = vec![user.user.clone(), user.password, user.email];
        args.push(user.package.unwrap_or_else(|| "default".into()));
        if let Some(name) = user.name {
            args.push(name);
        }
        seed_command(state, "v-add-user", args)?;
        for web in user.web_domains {
            let mut args = vec![user.user.clone(), web.domain.clone()];
            if let Some(aliases) = web.aliases {
                args.extend([String::new(), String::new(), aliases]);
            }
            seed_command(state, "v-add-web-domain", args)?;
            let domain = validate::normalise_domain(&web.domain);
            for ftp in web.ftp {
                let mut args = vec![user.user.clone(), domain.clone(), ftp.user, ftp.password];
                args.extend(ftp.path);
                seed_command(state, "v-add-web-domain-ftp", args)?;
            }
        }
        let prefix = format!("{}_", user.user);
        for db in user.databases {
            let strip = |name: &str| name.strip_prefix(&prefix).unwrap_or(name).to_string();
            let args = vec![
                user.user.clone(),
                strip(&db.database),
                strip(&db.dbuser),
                db.password,
                db.db_type.unwrap_or_else(|| "mysql".into()),
            ];
            seed_command(state, "v-add-database", args)?;
        }
        for zone in user.dns_domains {
            let domain = validate::normalise_domain(&zone.domain);
            seed_command(
                state,
                "v-add-dns-domain",
                vec![user.user.clone(), zone.domain, zone.ip],
            )?;
            for record in zone.records {
                let mut args = vec![
                    user.user.clone(),
                    domain.clone(),
                    record.record,
                    record.rtype,
                    record.value,
                    record.priority.unwrap_or_default(),
                    record.id.map(|id| id.to_string()).unwrap_or_default(),
                ];
                if let Some(ttl) = record.ttl {
                    args.extend([String::new(), ttl]);
                }
                seed_command(state, "v-add-dns-record", args)?;
            }
        }
        for mail in user.mail_domains {
            let domain = validate::normalise_domain(&mail.domain);
            let flag = |value: Option<String>| value.unwrap_or_else(|| "yes".into());
            seed_command(
                state,
                "v-add-mail-domain",
                vec![
                    user.user.clone(),
                    mail.domain,
                    flag(mail.antispam),
                    flag(mail.antivirus),
                    flag(mail.dkim),
                ],
            )?;
            for account in mail.accounts {
                let mut args = vec![
                    user.user.clone(),
                    domain.clone(),
                    account.account.clone(),
                    account.password,
                ];
                args.extend(account.quota);
                seed_command(state, "v-add-mail-account", args)?;
                let base = vec![user.user.clone(), domain.clone(), account.account];
                for forward in account.forwards {
                    let mut args = base.clone();
                    args.push(forward);
                    seed_command(state, "v-add-mail-account-forward", args)?;
                }
                if account.suspended {
                    seed_command(state, "v-suspend-mail-account", base)?;
                }
            }
        }
        for job in user.cron_jobs {
            let mut args = vec![
                user.user.clone(),
                job.min,
                job.hour,
                job.day,
                job.month,
                job.wday,
                job.cmd,
            ];
            args.extend(job.job.map(|id| id.to_string()));
            let id = job.job;
            seed_command(state, "v-add-cron-job", args)?;
            if job.suspended {
                let id = id.or_else(|| {
                    state
                        .users
                        .get(&user.user)
                        .and_then(|u| u.cron_jobs.iter().map(|j| j.job).max())
                });
                let id = id.map(|id| id.to_string()).unwrap_or_default();
                seed_command(state, "v-suspend-cron-job", vec![user.user.clone(), id])?;
            }
        }
        if user.suspended {
            seed_command(state, "v-suspend-user", vec![user.user.clone()])?;
        }
    }
    if let Some(count) = seed.admin_u_users {
        state.admin_u_users = count;
    }
    Ok(())
}

/// The `cmd` field of a form, multipart or JSON body, without decoding the rest.
fn cmd_of(body: &[u8]) -> Option<String> {
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_slice::<serde_json::Value>(body) {
        return map
            .get("cmd")
            .and_then(|v| v.as_str())
            .map(|s| s.trim().to_string());
    }
    if let Some(found) = url::form_urlencoded::parse(body)
        .find(|(key, _)| key == "cmd")
        .map(|(_, value)| value.trim().to_string())
    {
        return Some(found);
    }
    let text = String::from_utf8_lossy(body);
    let after = text.split("name=\"cmd\"").nth(1)?;
    let value = after.split_once("\r\n\r\n")?.1;
    Some(value.split("\r\n").next().unwrap_or("").trim().to_string())
}

impl SimPanel for HestiaSim {
    fn name(&self) -> &'static str {
        "hestia"
    }

    fn router(self: Arc<Self>) -> axum::Router {
        api::router(self)
    }

    fn credentials(&self) -> serde_json::Value {
        serde_json::json!({
            "user": ADMIN_USER,
            "password": ADMIN_PASSWORD,
            "access_key": ACCESS_KEY_ID,
            "secret_key": SECRET_ACCESS_KEY,
            "hash": LEGACY_API_KEY,
        })
    }

    fn dump(&self) -> serde_json::Value {
        serde_json::to_value(&*self.read_state()).unwrap_or(serde_json::Value::Null)
    }

    fn restore(&self, dumped: serde_json::Value) -> Result<(), String> {
        let mut restored: State =
            serde_json::from_value(dumped).map_err(|err| format!("not a hestia state: {err}"))?;
        if !restored.users.contains_key(ADMIN_USER) {
            return Err("a hestia state needs the admin user".into());
        }
        restored.reindex();
        *self.write_state() = restored;
        Ok(())
    }

    fn reset(&self) {
        *self.write_state() = State::fresh(ADMIN_PASSWORD);
    }

    fn seed(&self, objects: serde_json::Value) -> Result<(), String> {
        let seed: Seed =
            serde_json::from_value(objects).map_err(|err| format!("invalid hestia seed: {err}"))?;
        let mut state = self.write_state();
        // All or nothing: a seed that fails half-way leaves the panel untouched.
        let mut draft = state.clone();
        apply_seed(&mut draft, seed)?;
        *state = draft;
        Ok(())
    }

    fn route_key(&self, method: &http::Method, path: &str, body: &[u8]) -> String {
        if path == "/api/" || path == "/api/index.php" {
            cmd_of(body).unwrap_or_default()
        } else {
            format!("{method} {path}")
        }
    }

    /// Every call is a POST; what it does is in `cmd`: the listing and checking
    /// commands read, everything else (unknown commands included) counts as a write.
    fn request_kind(
        &self,
        _method: &http::Method,
        _path: &str,
        route: &str,
        _body: &[u8],
    ) -> RequestKind {
        if route.starts_with("v-list-")
            || commands::access_of(route) == Some(commands::Access::Read)
        {
            RequestKind::Read
        } else {
            RequestKind::Write
        }
    }

    fn control(
        &self,
        method: &http::Method,
        path: &str,
        body: &[u8],
    ) -> Option<(u16, serde_json::Value)> {
        control::handle(self, method, path, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_have_the_documented_shapes() {
        assert_eq!(ACCESS_KEY_ID.len(), 20);
        assert!(ACCESS_KEY_ID.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(SECRET_ACCESS_KEY.len(), 40);
        assert_eq!(LEGACY_API_KEY.len(), 32);
    }

    #[test]
    fn seed_creates_objects_and_is_all_or_nothing() {
        let sim = new();
        sim.seed(serde_json::json!({"users": [{"user": "bob", "password": "pw",
            "email": "bob@example.com", "name": "Bob B",
            "web_domains": [{"domain": "bob.example"}],
            "databases": [{"database": "db1", "dbuser": "u1", "password": "x", "type": "mysql"}]}]}))
            .unwrap();
        {
            let state = sim.read_state();
            let bob = &state.users["bob"];
            assert_eq!(bob.databases[0].database, "bob_db1");
            assert_eq!(bob.web_domains[0].alias, "www.bob.example");
        }
        let bad = sim.seed(serde_json::json!({"users": [
            {"user": "ann", "password": "pw", "email": "ann@example.com"},
            {"user": "bob", "password": "pw", "email": "bob@example.com"}]}));
        assert!(bad.unwrap_err().contains("user bob exists"));
        assert!(!sim.read_state().users.contains_key("ann"));
    }

    #[test]
    fn dump_restore_round_trips_with_domain_index() {
        let sim = new();
        sim.seed(
            serde_json::json!({"users": [{"user": "bob", "password": "pw",
            "email": "bob@example.com", "web_domains": [{"domain": "bob.example"}]}]}),
        )
        .unwrap();
        let dumped = sim.dump();
        let other = new();
        other.restore(dumped.clone()).unwrap();
        assert_eq!(other.dump(), dumped);
        assert_eq!(other.read_state().domain_owner["bob.example"], "bob");
    }

    #[test]
    fn route_key_is_the_cmd_in_any_encoding() {
        let sim = new();
        let post = http::Method::POST;
        assert_eq!(
            sim.route_key(&post, "/api/", b"cmd=v-list-user&arg1=x"),
            "v-list-user"
        );
        assert_eq!(
            sim.route_key(&post, "/api/", br#"{"cmd":" v-add-user "}"#),
            "v-add-user"
        );
        assert_eq!(sim.route_key(&post, "/other", b""), "POST /other");
    }
}
