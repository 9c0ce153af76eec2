//! Simulated PanelAlpha admin and user REST API (the Laravel app behind `https://HOST:8443/api`).
//!
//! Built from the seed's Scribe reference (`reference/panelalpha/endpoints.json`) and the
//! vendor WHMCS client's expectations (`reference/panelalpha/README.md`). Where both are silent
//! the simulator follows stock Laravel, and each such choice is written beside its code.
//!
//! # Credentials
//!
//! One admin API token, sent as `Authorization: Bearer sim-panelalpha-token`. User endpoints
//! (every path outside `api/admin/`) take the same token plus `X-PanelAlpha-User: <user id>`.
//! Credentials in the ready line: `{"token":"sim-panelalpha-token"}`.
//!
//! # What is served
//!
//! [`routes::ROUTES`] lists every route (users with archive/purge, plans, services with their
//! hosting accounts, domains, MySQL databases/users/privileges, DNS zones and records, FTP
//! accounts, cron jobs, email domains/accounts/forwarders, SSL certificates and orders, and
//! three routes only the vendor's client documents: `GET api/admin/users/login-url`, `GET
//! api/admin/services/{id}/stats`, plus the seed's `GET api/admin/instances`, always empty).
//! Everything else under `/api` answers Laravel's 404 `{"message":"The route ... could not be
//! found."}` or 405. The rules of each object type are documented in its module (`dns.rs`,
//! `ftp.rs`, `cron.rs`, `mail.rs`, `ssl.rs`, `state.rs`).
//!
//! # Main behaviours (the rest is documented beside the code)
//!
//! - Success bodies are `{"data": ...}`; admin lists (users, plans, services) are Laravel
//!   paginators (`page`, `per_page`, default 15) with `links` and `meta`; lists inside a
//!   hosting account are bare `{"data": [...]}`.
//! - Creating a user or service answers 201; updates 200 with the object; deletes 204.
//! - Errors: 401 `{"message":"Unauthenticated."}`, 404/403/405 `{"message":...}`, 422
//!   `{"message":...,"errors":{field:[...]}}`.
//! - `DELETE api/admin/users/{id}` archives (the email stays taken), `DELETE
//!   api/admin/users/{id}/delete` purges an archived user.
//! - A service provisions one hosting account at once; its main domain comes from an optional
//!   `domain` (or `hosting_account_config.domain`) field.
//! - DNS records and cron jobs are addressed by line number: deleting one renumbers those
//!   after it. Let's Encrypt orders are asynchronous (see `ssl.rs`).
//! - Deleting a MySQL database leaves its MySQL users behind (see `State::delete_database`).
//! - Passwords (users, MySQL users, FTP and email accounts) are stored as salted SHA-256
//!   digests, visible in the state dump so a test can see a rotation; private keys as digests.
//!
//! # Seed shape (`POST /__sim/seed`, `--seed FILE`)
//!
//! ```json
//! {
//!   "plans": [{"name": "Custom", "server_type": "cpanel", "application_limit": 5}],
//!   "users": [{
//!     "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee",
//!     "company_name": null, "password": "secret123",
//!     "services": [{
//!       "plan": "Starter",
//!       "domain": "main.example",
//!       "domains": ["shop.example", {"domain": "blog", "type": "sub", "parent_domain": "main.example"}],
//!       "databases": [{"name": "wp", "users": ["wpuser", {"name": "ro", "password": "pw", "privileges": "SELECT"}]}],
//!       "mysql_users": [{"name": "report", "password": "pw", "grants": {"wp": "SELECT"}}],
//!       "dns_records": [{"zone": "main.example", "name": "www2", "type": "A", "address": "192.0.2.7"}],
//!       "ftp_accounts": [{"user": "deploy", "domain": "main.example", "password": "pw", "directory": "public_html"}],
//!       "cron_jobs": [{"minute": "*/5", "hour": "*", "day_of_month": "*", "month": "*", "day_of_week": "*", "command": "php cron.php"}],
//!       "email_accounts": [{"email": "info@main.example", "password": "pw", "quota": 100}],
//!       "email_forwarders": [{"email": "sales@main.example", "destination": "boss@example.org"}],
//!       "ssl_certificates": [{"domain": "main.example"}]
//!     }]
//!   }, {"email": "gone@example.com", "archived": true}],
//!   "archive_users": ["ann@example.com"],
//!   "faults": {"purge_user_failures": 1},
//!   "settings": {"letsencrypt_delay_ms": 1000}
//! }
//! ```
//!
//! `plans` is optional and appends plans. `plan` is a plan name or id (default plans: 1
//! Starter, 2 Business, 3 Agency). A domain given as a string is an addon domain. MySQL names
//! get the account prefix (`<username>_`) unless they carry it already; a database user without
//! `password` gets `sim-db-password`, and without `privileges` gets ALL PRIVILEGES on the
//! database it is listed under. Seeding is all-or-nothing: on any error nothing is added.
//!
//! The objects inside a hosting account take the same fields as the API's create calls and
//! pass the same rules (a DNS record's `zone` defaults to the main domain; FTP and email
//! accounts default to the main domain, or the address's domain, and password
//! `sim-password-1`; an email quota defaults to 0, unlimited). `mysql_users` are database
//! users of their own, granted per database. `ssl_certificates` installs the given PEM
//! `certificate` + `key`, or a generated self-signed certificate for `domain`.
//!
//! Three keys act on the panel rather than add to it, so tests can drive what happens outside
//! the API (issue 9); the control API offers the same at run time under `/__sim/panelalpha/`
//! (`archive-user`, `faults`, `letsencrypt`: see `control.rs`):
//! - `archive_users` (emails or ids) archives users as "Delete user" in PanelAlpha's UI does
//!   (the same as `DELETE api/admin/users/{id}`); `"archived": true` seeds a user archived.
//! - `faults.purge_user_failures: N` makes the next N purges (`DELETE
//!   api/admin/users/{id}/delete`) answer Laravel's 500 `{"message":"Server Error"}` and leave
//!   the user archived; the remaining count shows in the state dump.
//! - `settings.letsencrypt_delay_ms` sets how long a Let's Encrypt order stays pending
//!   (default 1000; 0 issues at once).

mod control;
mod cron;
mod dns;
mod ftp;
mod mail;
mod reply;
mod resources;
pub mod routes;
mod ssl;
mod state;
mod validate;

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{json, Value};

use super::panel::SimPanel;
use reply::ApiError;
use state::{DomainKind, HostingAccount, State, UserFields};

/// The fixed admin API token (deterministic so it can live in a tfvars file).
pub const TOKEN: &str = "sim-panelalpha-token";

/// Password given to seeded MySQL users that name none.
const SEED_DB_PASSWORD: &str = "sim-db-password";

/// Password given to seeded FTP and email accounts that name none.
const SEED_PASSWORD: &str = "sim-password-1";

/// The simulated panel: one state behind one lock.
pub struct PanelAlpha {
    state: RwLock<State>,
}

pub fn new() -> Arc<PanelAlpha> {
    Arc::new(PanelAlpha {
        state: RwLock::new(State::new()),
    })
}

impl PanelAlpha {
    pub fn token(&self) -> &str {
        TOKEN
    }

    /// A handler never panics while holding the lock, so a poisoned lock still holds
    /// consistent data; keep serving it.
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Issues the certificates of Let's Encrypt orders whose delay has passed. Called before
    /// every request (and dump), so an order completes on the first request after its delay,
    /// which to a client polling the panel is the same as completing in the background.
    pub fn settle_ssl_orders(&self) {
        let now = ssl::now_ms();
        if ssl::any_due(&self.read(), now) {
            ssl::settle_due(&mut self.write(), now);
        }
    }
}

impl SimPanel for PanelAlpha {
    fn name(&self) -> &'static str {
        "panelalpha"
    }

    fn router(self: Arc<Self>) -> axum::Router {
        routes::router(self)
    }

    fn credentials(&self) -> Value {
        json!({ "token": TOKEN })
    }

    fn dump(&self) -> Value {
        self.settle_ssl_orders();
        serde_json::to_value(&*self.read()).unwrap_or(Value::Null)
    }

    fn restore(&self, state: Value) -> Result<(), String> {
        let mut restored: State =
            serde_json::from_value(state).map_err(|e| format!("invalid panelalpha state: {e}"))?;
        restored.reindex();
        *self.write() = restored;
        Ok(())
    }

    fn reset(&self) {
        *self.write() = State::new();
    }

    fn seed(&self, objects: Value) -> Result<(), String> {
        let mut guard = self.write();
        let mut draft = guard.clone();
        apply_seed(&mut draft, &objects)?;
        *guard = draft;
        Ok(())
    }

    fn route_key(&self, method: &http::Method, path: &str, _body: &[u8]) -> String {
        routes::route_key(method, path)
    }

    // `request_kind` keeps the harness default (GET/HEAD read, the rest write): every served
    // GET only reads and every other method changes something. (A GET may settle a due Let's
    // Encrypt order; that is the panel finishing background work, not the client writing.)

    fn control(&self, method: &http::Method, path: &str, body: &[u8]) -> Option<(u16, Value)> {
        control::handle(self, method, path, body)
    }
}

fn seed_error(context: &str, error: ApiError) -> String {
    format!("{context}: {}", error.message())
}

fn text<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object.get(key).and_then(Value::as_str)
}

fn list<'a>(object: &'a Value, key: &str) -> &'a [Value] {
    object
        .get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Applies the seed documented in the module docs through the same rules as the API.
fn apply_seed(state: &mut State, seed: &Value) -> Result<(), String> {
    if !seed.is_object() {
        return Err("panelalpha seed must be a JSON object".to_string());
    }
    for plan in list(seed, "plans") {
        let name = text(plan, "name").ok_or("seed plan needs a name")?;
        let server_type = text(plan, "server_type").unwrap_or("cpanel");
        let limit = plan
            .get("application_limit")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        state.add_plan(name, server_type, limit);
    }
    for user in list(seed, "users") {
        let email = text(user, "email").ok_or("seed user needs an email")?;
        if !validate::is_email(email) {
            return Err(format!("seed user {email}: not a valid email address"));
        }
        let optional = |key: &str| Some(text(user, key).map(str::to_string));
        let user_id = state
            .create_user(UserFields {
                email: email.to_string(),
                first_name: optional("first_name"),
                last_name: optional("last_name"),
                company_name: optional("company_name"),
                password: Some(
                    text(user, "password")
                        .unwrap_or("sim-user-password")
                        .to_string(),
                ),
            })
            .map_err(|e| seed_error(email, e))?;
        for service in list(user, "services") {
            seed_service(state, user_id, email, service)?;
        }
        if user.get("archived").and_then(Value::as_bool) == Some(true) {
            state
                .archive_user(user_id)
                .map_err(|e| seed_error(email, e))?;
        }
    }
    // "Delete user" in PanelAlpha's UI archives, exactly as the API's DELETE does (issue 9).
    for wanted in list(seed, "archive_users") {
        let id = match wanted {
            Value::Number(n) => state.active_user(&n.to_string()).ok().map(|u| u.id),
            Value::String(email) => state.user_by_email(email).map(|u| u.id),
            _ => None,
        }
        .ok_or_else(|| format!("archive_users: no active user {wanted}"))?;
        state
            .archive_user(id)
            .map_err(|e| seed_error("archive_users", e))?;
    }
    if let Some(faults) = seed.get("faults") {
        state.faults =
            serde_json::from_value(faults.clone()).map_err(|e| format!("seed faults: {e}"))?;
    }
    if let Some(settings) = seed.get("settings") {
        let mut merged = serde_json::to_value(&state.settings).unwrap_or_default();
        if let (Some(target), Some(given)) = (merged.as_object_mut(), settings.as_object()) {
            for (key, value) in given {
                target.insert(key.clone(), value.clone());
            }
        }
        state.settings =
            serde_json::from_value(merged).map_err(|e| format!("seed settings: {e}"))?;
    }
    Ok(())
}

/// A seed item as API input, with defaults for the fields a test would rather not spell out.
fn item_input(item: &Value, defaults: &[(&str, Value)]) -> validate::Input {
    let mut object = item.as_object().cloned().unwrap_or_default();
    for (key, value) in defaults {
        if !object.contains_key(*key) {
            object.insert((*key).to_string(), value.clone());
        }
    }
    validate::Input::from_json(&Value::Object(object))
}

/// The objects inside a seeded hosting account that go through the API's own rules.
fn seed_account_objects(account: &mut HostingAccount, service: &Value) -> Result<(), String> {
    let main = account.domain.clone();
    for record in list(service, "dns_records") {
        let zone = dns::zone_key(text(record, "zone").unwrap_or(&main));
        let target = account
            .dns_zones
            .get_mut(&zone)
            .ok_or_else(|| format!("seed DNS record: no zone {zone}"))?;
        target
            .create(&zone, &item_input(record, &[]))
            .map_err(|e| seed_error(&format!("seed DNS record in {zone}"), e))?;
    }
    for job in list(service, "cron_jobs") {
        let job = cron::job_from_input(&item_input(job, &[]))
            .map_err(|e| seed_error("seed cron job", e))?;
        account.cron_jobs.push(job);
    }
    for ftp_account in list(service, "ftp_accounts") {
        let input = item_input(
            ftp_account,
            &[("domain", json!(main)), ("password", json!(SEED_PASSWORD))],
        );
        ftp::create(account, &input).map_err(|e| seed_error("seed FTP account", e))?;
    }
    for mailbox in list(service, "email_accounts") {
        let domain = text(mailbox, "email")
            .and_then(|e| e.split_once('@'))
            .map(|(_, d)| d.to_string())
            .unwrap_or_else(|| main.clone());
        let input = item_input(
            mailbox,
            &[
                ("domain", json!(domain)),
                ("password", json!(SEED_PASSWORD)),
                ("quota", json!(0)),
            ],
        );
        mail::create_mailbox(account, &input).map_err(|e| seed_error("seed email account", e))?;
    }
    for forwarder in list(service, "email_forwarders") {
        let domain = text(forwarder, "email")
            .and_then(|e| e.split_once('@'))
            .map(|(_, d)| d.to_string())
            .unwrap_or_else(|| main.clone());
        let input = item_input(forwarder, &[("domain", json!(domain))]);
        mail::create_forwarder(account, &input)
            .map_err(|e| seed_error("seed email forwarder", e))?;
    }
    for db_user in list(service, "mysql_users") {
        let name = text(db_user, "name").ok_or("seed MySQL user needs a name")?;
        let password = text(db_user, "password").unwrap_or(SEED_DB_PASSWORD);
        let full = account
            .create_db_user(name, password, None)
            .map_err(|e| seed_error(name, e))?;
        if let Some(grants) = db_user.get("grants").and_then(Value::as_object) {
            for (database, privileges) in grants {
                let database = account
                    .database_name(database)
                    .map_err(|e| seed_error(database, e))?;
                account
                    .require_database(&database)
                    .map_err(|e| seed_error(name, e))?;
                let granted = privileges
                    .as_str()
                    .and_then(state::parse_privileges)
                    .ok_or_else(|| format!("seed MySQL user {name}: invalid privileges"))?;
                account
                    .db_user_mut(&full)
                    .map_err(|e| seed_error(name, e))?
                    .grants
                    .insert(database, granted);
            }
        }
    }
    for certificate in list(service, "ssl_certificates") {
        let domain = text(certificate, "domain").unwrap_or(&main).to_string();
        let (pem, key) = match (text(certificate, "certificate"), text(certificate, "key")) {
            (Some(pem), Some(key)) => (pem.to_string(), key.to_string()),
            _ => ssl::self_signed(&domain, "panel-sim seed", 365)?,
        };
        let input = item_input(
            certificate,
            &[
                ("domain", json!(domain)),
                ("certificate", json!(pem)),
                ("key", json!(key)),
            ],
        );
        ssl::install(account, &input).map_err(|e| seed_error("seed SSL certificate", e))?;
    }
    Ok(())
}

fn seed_service(
    state: &mut State,
    user_id: u64,
    email: &str,
    service: &Value,
) -> Result<(), String> {
    let plan_id = match service.get("plan") {
        None | Some(Value::Null) => 1,
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or("seed plan id must be a positive integer")?,
        Some(Value::String(name)) => state
            .plans
            .values()
            .find(|p| p.name == *name)
            .map(|p| p.id)
            .ok_or_else(|| format!("seed user {email}: no plan named {name}"))?,
        Some(_) => return Err("seed plan must be a name or an id".to_string()),
    };
    let main = text(service, "domain").map(str::to_string);
    let service_id = state
        .create_service(user_id, plan_id, main)
        .map_err(|e| seed_error(email, e))?;
    let account_id = state
        .services
        .get(&service_id)
        .and_then(|s| s.account_ids.first().copied())
        .ok_or("seeded service has no hosting account")?;
    for domain in list(service, "domains") {
        let (name, kind, parent) = match domain {
            Value::String(name) => (name.as_str(), DomainKind::Addon, None),
            other => {
                let name = text(other, "domain").ok_or("seed domain needs a domain")?;
                let kind = text(other, "type").unwrap_or("addon");
                let kind = DomainKind::parse(kind)
                    .ok_or_else(|| format!("seed domain {name}: unknown type {kind}"))?;
                (name, kind, text(other, "parent_domain"))
            }
        };
        state
            .add_domain(account_id, name, kind, parent)
            .map_err(|e| seed_error(name, e))?;
    }
    let account = state
        .accounts
        .get_mut(&account_id)
        .ok_or("seeded hosting account vanished")?;
    for database in list(service, "databases") {
        let name = match database {
            Value::String(name) => name.as_str(),
            other => text(other, "name").ok_or("seed database needs a name")?,
        };
        let db_name = account
            .create_database(name)
            .map_err(|e| seed_error(name, e))?;
        for db_user in list(database, "users") {
            let (user_name, password, privileges) = match db_user {
                Value::String(user_name) => (user_name.as_str(), SEED_DB_PASSWORD, None),
                other => (
                    text(other, "name").ok_or("seed database user needs a name")?,
                    text(other, "password").unwrap_or(SEED_DB_PASSWORD),
                    text(other, "privileges"),
                ),
            };
            let full = match account.db_user_name(user_name) {
                Ok(full) if account.db_users.contains_key(&full) => full,
                _ => account
                    .create_db_user(user_name, password, None)
                    .map_err(|e| seed_error(user_name, e))?,
            };
            let granted = state::parse_privileges(privileges.unwrap_or(state::ALL_PRIVILEGES))
                .ok_or_else(|| format!("seed database user {user_name}: invalid privileges"))?;
            account
                .db_user_mut(&full)
                .map_err(|e| seed_error(user_name, e))?
                .grants
                .insert(db_name.clone(), granted);
        }
    }
    seed_account_objects(account, service)
}
