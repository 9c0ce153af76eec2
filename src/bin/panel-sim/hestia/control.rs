//! Hestia's own control endpoints, under `/__sim/hestia/` (SIM.md):
//! - `GET|PUT /__sim/hestia/letsencrypt` `{"delay_ms": N, "reachable": bool}`:
//!   how long `v-add-letsencrypt-domain` takes, and whether it fails as a panel
//!   without a way out does (record 520);
//! - `POST /__sim/hestia/mail-login` `{"user","domain","account","password"}`:
//!   whether that password authenticates the mailbox now (what
//!   `doveadm auth test` told in side-effects-60-901.txt: only the current
//!   password, never a suspended account).

use serde::Deserialize;
use serde_json::json;

use super::{HestiaSim, LetsEncrypt};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LetsEncryptUpdate {
    delay_ms: Option<u64>,
    reachable: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MailLogin {
    user: String,
    domain: String,
    account: String,
    password: String,
}

fn error(status: u16, message: impl Into<String>) -> Option<(u16, serde_json::Value)> {
    Some((status, json!({"error": message.into()})))
}

pub fn handle(
    sim: &HestiaSim,
    method: &http::Method,
    path: &str,
    body: &[u8],
) -> Option<(u16, serde_json::Value)> {
    match (method.as_str(), path.trim_end_matches('/')) {
        ("GET", "/letsencrypt") => Some((200, json!(sim.letsencrypt()))),
        ("PUT", "/letsencrypt") => {
            let update: LetsEncryptUpdate = match serde_json::from_slice(body) {
                Ok(update) => update,
                Err(err) => return error(400, format!("invalid letsencrypt settings: {err}")),
            };
            if update.delay_ms.is_some_and(|ms| ms > 60_000) {
                return error(400, "delay_ms must be at most 60000");
            }
            let mut settings = sim
                .letsencrypt
                .lock()
                .unwrap_or_else(|poison| poison.into_inner());
            *settings = LetsEncrypt {
                delay_ms: update.delay_ms.unwrap_or(settings.delay_ms),
                reachable: update.reachable.unwrap_or(settings.reachable),
            };
            Some((200, json!(*settings)))
        }
        ("POST", "/mail-login") => {
            let login: MailLogin = match serde_json::from_slice(body) {
                Ok(login) => login,
                Err(err) => return error(400, format!("invalid mail login: {err}")),
            };
            let state = sim.read_state();
            match state.mail_login(&login.user, &login.domain, &login.account, &login.password) {
                Ok(authenticates) => Some((200, json!({"authenticates": authenticates}))),
                Err(message) => error(404, message),
            }
        }
        (_, "/letsencrypt" | "/mail-login") => error(405, format!("{method} is not supported")),
        _ => None,
    }
}
