//! FTP accounts of a hosting account (`api/server-accounts/{id}/ftp-accounts...`).
//!
//! Sources: the seed (`endpoints.json` #258-262: create takes `user`, `domain`, `password`
//! (required), `directory` and `quota` (optional integer); update takes `unlimited_quota`
//! (boolean), `quota` ("required when unlimited_quota is true", as printed), `password`, and a
//! documented `quote` string that is probably a typo for `quota`; the `{user}` of a path is
//! the full FTP user name, e.g. `ftp@example.com`); the vendor's integration template
//! (`Account/FtpAccounts.php`: the login is `user@domain`; create answers `{username,
//! domain}`; list items are `{user, directory, diskused, diskquota}`; quota is in MB, 0 is
//! unlimited; the server info is `{host, port}` with port 21).
//!
//! Assumptions: `domain` must be a domain of the account; `user` is letters, digits, `.`, `_`
//! and `-` (a `user@domain` form is accepted when its domain is `domain`); a login is unique
//! in the account (case-insensitive). `directory` is relative to the account's home (a
//! leading `/` or `/home/<username>/` is allowed), may not climb out of it, and defaults to
//! `public_html/<user>`; it is listed like a document root, `/public_html/...`. `diskquota` is
//! the MB number or `"unlimited"`. The update's `quota` rule is followed as printed (required
//! only with `unlimited_quota: true`, and then ignored); `quote` is accepted and ignored. The
//! directory cannot be changed (the seed's update has no such field). Deleting a domain
//! deletes its FTP accounts.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::reply::ApiError;
use super::state::{find_domain, HostingAccount, PasswordHash};
use super::validate::{Input, Text, Validator};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FtpAccount {
    /// `user@domain`, as created.
    pub login: String,
    pub domain: String,
    /// Relative to the home, with a leading `/` (`/public_html/deploy`).
    pub directory: String,
    /// MB; `None` is unlimited.
    pub quota_mb: Option<u64>,
    pub password: PasswordHash,
}

/// The key of an FTP login in the account's map.
pub fn key(login: &str) -> String {
    login.to_ascii_lowercase()
}

#[derive(Serialize)]
pub struct FtpView<'a> {
    user: &'a str,
    directory: &'a str,
    diskused: u64,
    diskquota: Quota,
}

/// A quota in MB, or `"unlimited"`.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Quota {
    Megabytes(u64),
    Unlimited(&'static str),
}

pub fn quota(quota_mb: Option<u64>) -> Quota {
    match quota_mb {
        Some(mb) => Quota::Megabytes(mb),
        None => Quota::Unlimited("unlimited"),
    }
}

pub fn account_view(account: &FtpAccount) -> FtpView<'_> {
    FtpView {
        user: &account.login,
        directory: &account.directory,
        diskused: 0,
        diskquota: quota(account.quota_mb),
    }
}

fn account_json(account: &FtpAccount) -> Value {
    serde_json::to_value(account_view(account)).unwrap_or(Value::Null)
}

pub fn list_view(account: &HostingAccount) -> Vec<FtpView<'_>> {
    account.ftp_accounts.values().map(account_view).collect()
}

pub fn server_info(account: &HostingAccount) -> Value {
    json!({"host": account.domain, "port": 21})
}

pub fn create(account: &mut HostingAccount, input: &Input) -> Result<Value, ApiError> {
    let mut v = Validator::new(input);
    let user = v.text(
        "user",
        Text {
            max: Some(64),
            ..Text::REQUIRED
        },
    );
    let domain = v.text("domain", Text::REQUIRED);
    let password = v.text("password", Text::REQUIRED);
    let directory = v.text(
        "directory",
        Text {
            max: Some(255),
            ..Text::OPTIONAL
        },
    );
    let quota = v.integer_in("quota", false, 0, i64::from(u32::MAX));
    v.finish()?;
    let (Some(user), Some(domain), Some(password)) = (user, domain, password) else {
        return Err(ApiError::field("user", "The user field is required."));
    };
    let domain = find_domain(account, &domain)
        .map_err(|_| ApiError::field("domain", "The selected domain is invalid."))?
        .domain
        .clone();
    let user = user.to_ascii_lowercase();
    let user = match user.split_once('@') {
        Some((local, at)) if at == domain => local.to_string(),
        Some(_) => return Err(ApiError::field("user", "The user field format is invalid.")),
        None => user,
    };
    if user.is_empty()
        || !user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(ApiError::field("user", "The user field format is invalid."));
    }
    let directory = match directory {
        Some(directory) => home_relative(&account.username, &directory).ok_or_else(|| {
            ApiError::field("directory", "The directory field format is invalid.")
        })?,
        None => format!("/public_html/{user}"),
    };
    let login = format!("{user}@{domain}");
    if account.ftp_accounts.contains_key(&key(&login)) {
        return Err(ApiError::field("user", "The user has already been taken."));
    }
    account.ftp_accounts.insert(
        key(&login),
        FtpAccount {
            login: login.clone(),
            domain: domain.clone(),
            directory,
            quota_mb: quota.and_then(|q| u64::try_from(q).ok()).filter(|q| *q > 0),
            password: PasswordHash::of(&password),
        },
    );
    Ok(json!({"username": login, "domain": domain}))
}

pub fn update(account: &mut HostingAccount, login: &str, input: &Input) -> Result<Value, ApiError> {
    let ftp = account
        .ftp_accounts
        .get_mut(&key(login))
        .ok_or_else(|| not_found(login))?;
    let mut v = Validator::new(input);
    let unlimited = v.boolean("unlimited_quota", false);
    let quota = v.integer_in("quota", false, 0, i64::from(u32::MAX));
    let password = v.text("password", Text::OPTIONAL);
    v.text("quote", Text::OPTIONAL);
    if unlimited == Some(true) && !v.input_has("quota") && !v.has_failed("quota") {
        v.require_when("quota", "unlimited_quota", "true");
    }
    v.finish()?;
    match (unlimited, quota) {
        (Some(true), _) => ftp.quota_mb = None,
        (_, Some(quota)) => ftp.quota_mb = u64::try_from(quota).ok().filter(|q| *q > 0),
        _ => {}
    }
    if let Some(password) = password {
        ftp.password = PasswordHash::of(&password);
    }
    Ok(account_json(ftp))
}

pub fn delete(account: &mut HostingAccount, login: &str) -> Result<(), ApiError> {
    account
        .ftp_accounts
        .remove(&key(login))
        .map(|_| ())
        .ok_or_else(|| not_found(login))
}

fn not_found(login: &str) -> ApiError {
    ApiError::NotFound(format!("FTP account {login} not found."))
}

/// A directory inside the home, as `/relative/path`; `None` when it leaves the home. A path
/// that starts with `/` is taken as relative to the home unless it names a home directory.
pub fn home_relative(username: &str, raw: &str) -> Option<String> {
    let home = format!("/home/{username}");
    let trimmed = if raw == home {
        ""
    } else if let Some(inside) = raw.strip_prefix(&format!("{home}/")) {
        inside
    } else if raw.starts_with("/home/") {
        // Another account's home: never taken as a path inside this one.
        return None;
    } else {
        raw
    };
    if trimmed.contains(['\0', '\\', '\n']) {
        return None;
    }
    let mut parts = Vec::new();
    for part in trimmed.split('/') {
        match part {
            "" | "." => {}
            ".." => return None,
            other => parts.push(other),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_stay_inside_the_home() {
        assert_eq!(
            home_relative("ann", "public_html/x").as_deref(),
            Some("/public_html/x")
        );
        assert_eq!(
            home_relative("ann", "/home/ann/logs/").as_deref(),
            Some("/logs")
        );
        assert_eq!(home_relative("ann", "/").as_deref(), Some("/"));
        assert_eq!(home_relative("ann", "/home/annie/x"), None);
        assert_eq!(home_relative("ann", "a/../../etc"), None);
        assert_eq!(home_relative("ann", "a\\b"), None);
    }
}
