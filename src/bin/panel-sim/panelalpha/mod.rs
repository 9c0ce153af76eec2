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
//! hosting accounts, domains, MySQL databases/users/privileges). Everything else under `/api`
//! answers Laravel's 404 `{"message":"The route ... could not be found."}` or 405.
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
//!       "databases": [{"name": "wp", "users": ["wpuser", {"name": "ro", "password": "pw", "privileges": "SELECT"}]}]
//!     }]
//!   }]
//! }
//! ```
//!
//! `plans` is optional and appends plans. `plan` is a plan name or id (default plans: 1
//! Starter, 2 Business, 3 Agency). A domain given as a string is an addon domain. MySQL names
//! get the account prefix (`<username>_`) unless they carry it already; a database user without
//! `password` gets `sim-db-password`, and without `privileges` gets ALL PRIVILEGES on the
//! database it is listed under. Seeding is all-or-nothing: on any error nothing is added.

mod reply;
mod resources;
pub mod routes;
mod state;
mod validate;

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use serde_json::{json, Value};

use super::panel::SimPanel;
use reply::ApiError;
use state::{DomainKind, State, UserFields};

/// The fixed admin API token (deterministic so it can live in a tfvars file).
pub const TOKEN: &str = "sim-panelalpha-token";

/// Password given to seeded MySQL users that name none.
const SEED_DB_PASSWORD: &str = "sim-db-password";

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
    Ok(())
}
