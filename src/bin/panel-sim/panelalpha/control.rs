//! PanelAlpha's own control endpoints, under `/__sim/panelalpha/` (SIM.md), for what happens
//! outside the API (issue 9):
//! - `POST /__sim/panelalpha/archive-user` `{"id": N}` or `{"email": "..."}`: "Delete user"
//!   in PanelAlpha's UI, which archives exactly as `DELETE api/admin/users/{id}` does
//!   (services archived, email still taken); answers the archived user;
//! - `GET|PUT /__sim/panelalpha/faults` `{"purge_user_failures": N}`: the next N purges
//!   (`DELETE api/admin/users/{id}/delete`) fail with Laravel's 500 and leave the user
//!   archived;
//! - `GET|PUT /__sim/panelalpha/letsencrypt` `{"delay_ms": N}`: how long a Let's Encrypt
//!   order stays pending before its certificate is issued.
//!
//! The same three are also seed keys (`archive_users`, `faults`, `settings`), for seed files.

use serde::Deserialize;
use serde_json::{json, Value};

use super::state::PanelFaults;
use super::{resources, PanelAlpha};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ArchiveUser {
    id: Option<u64>,
    email: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LetsEncryptUpdate {
    delay_ms: u64,
}

/// The longest Let's Encrypt delay accepted (beyond a minute every client gives up).
const MAX_DELAY_MS: u64 = 60_000;

fn error(status: u16, message: impl Into<String>) -> Option<(u16, Value)> {
    Some((status, json!({"error": message.into()})))
}

pub fn handle(
    panel: &PanelAlpha,
    method: &http::Method,
    path: &str,
    body: &[u8],
) -> Option<(u16, Value)> {
    match (method.as_str(), path.trim_end_matches('/')) {
        ("POST", "/archive-user") => {
            let wanted: ArchiveUser = match serde_json::from_slice(body) {
                Ok(wanted) => wanted,
                Err(err) => return error(400, format!("invalid archive-user body: {err}")),
            };
            let mut state = panel.write();
            let id = match (wanted.id, wanted.email.as_deref()) {
                (Some(id), None) => state.active_user(&id.to_string()).ok().map(|u| u.id),
                (None, Some(email)) => state.user_by_email(email).map(|u| u.id),
                _ => return error(400, "give either id or email"),
            };
            let Some(id) = id else {
                return error(404, "no active user matches");
            };
            if let Err(err) = state.archive_user(id) {
                return error(404, err.message());
            }
            let user = state
                .users
                .get(&id)
                .and_then(|u| serde_json::to_value(resources::user(u)).ok());
            Some((200, json!({"archived": user})))
        }
        ("GET", "/faults") => Some((200, json!(panel.read().faults))),
        ("PUT", "/faults") => match serde_json::from_slice::<PanelFaults>(body) {
            Ok(faults) => {
                panel.write().faults = faults.clone();
                Some((200, json!(faults)))
            }
            Err(err) => error(400, format!("invalid faults: {err}")),
        },
        ("GET", "/letsencrypt") => Some((
            200,
            json!({"delay_ms": panel.read().settings.letsencrypt_delay_ms}),
        )),
        ("PUT", "/letsencrypt") => match serde_json::from_slice::<LetsEncryptUpdate>(body) {
            Ok(update) if update.delay_ms <= MAX_DELAY_MS => {
                panel.write().settings.letsencrypt_delay_ms = update.delay_ms;
                Some((200, json!({"delay_ms": update.delay_ms})))
            }
            Ok(_) => error(400, format!("delay_ms must be at most {MAX_DELAY_MS}")),
            Err(err) => error(400, format!("invalid letsencrypt settings: {err}")),
        },
        (_, "/archive-user" | "/faults" | "/letsencrypt") => {
            error(405, format!("{method} is not supported"))
        }
        _ => None,
    }
}
