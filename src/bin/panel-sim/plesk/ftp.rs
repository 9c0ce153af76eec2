//! Additional FTP accounts of a subscription, shared by REST `/ftpusers` and XML
//! `ftp-user add/get/set/del`.
//!
//! Sources: REST `FtpUser`/`FtpUserRequest`/`FtpUserUpdateRequest` (openapi.json: name,
//! password, home "subdirectory … that user is restricted to", quota in bytes with -1
//! for unlimited, permissions read/write as the strings "true"/"false", parent_domain);
//! XML `FtpUserAddInputType`/`FtpUserGetResultType` (schema outline: name, password,
//! home, create-non-existent, quota, permissions, webspace-id|webspace-name).
//! The REST spec's `x-validators: UniqueFtpLogin` on the subscription's own FTP login
//! makes system-user names one namespace; additional accounts share it.
//!
//! Assumptions: `home` is relative to the subscription's home directory, stored with
//! a leading `/`, and may not climb out of it (`..`); "/" when not given. The simulator
//! has no file system, so every directory "exists" (`create-non-existent` is accepted
//! and changes nothing). Default permissions: read and write.

use serde::{Deserialize, Serialize};

use super::state::{DomainKind, DomainRef, Fault, State};
use super::validate;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FtpUser {
    pub id: u64,
    pub name: String,
    /// The domain the account was created for (REST `parent_domain`).
    pub domain_id: u64,
    /// Its subscription (XML `webspace-id`).
    pub webspace_id: u64,
    pub home: String,
    pub quota: i64,
    pub read: bool,
    pub write: bool,
    /// `$5$salt$digest`; a new password gives a new digest (rotation is visible).
    pub password_hash: String,
}

#[derive(Clone, Debug, Default)]
pub struct FtpFields {
    pub name: Option<String>,
    pub password: Option<String>,
    pub home: Option<String>,
    pub quota: Option<i64>,
    pub read: Option<bool>,
    pub write: Option<bool>,
}

/// `/httpdocs`, `httpdocs/`, `/` → `/httpdocs`, `/httpdocs`, `/`.
pub fn normalize_home(home: &str) -> Result<String, Fault> {
    let trimmed = home.trim();
    let parts: Vec<&str> = trimmed
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") || trimmed.chars().any(char::is_control) {
        return Err(Fault::invalid(
            "home",
            "The home directory must stay inside the subscription's home directory.",
        ));
    }
    Ok(format!("/{}", parts.join("/")))
}

impl State {
    pub fn find_ftp_user_by_name(&self, name: &str) -> Option<&FtpUser> {
        self.ftp_users.values().find(|u| u.name == name)
    }

    fn check_ftp_name(&self, name: &str, own_id: Option<u64>) -> Result<(), Fault> {
        validate::ftp_login(name).map_err(|m| Fault::invalid("name", m))?;
        let taken = self
            .domains
            .values()
            .any(|d| d.ftp_login.as_deref() == Some(name))
            || self
                .ftp_users
                .values()
                .any(|u| u.name == name && Some(u.id) != own_id);
        if taken {
            return Err(Fault::Exists(format!("System user {name} already exists.")));
        }
        Ok(())
    }

    fn check_ftp_fields(&self, fields: &FtpFields, own_id: Option<u64>) -> Result<(), Fault> {
        if let Some(name) = &fields.name {
            self.check_ftp_name(name, own_id)?;
        }
        if let Some(password) = &fields.password {
            validate::password(password, self.password_strength)
                .map_err(|m| Fault::invalid("password", m))?;
        }
        if let Some(quota) = fields.quota {
            if quota < -1 {
                return Err(Fault::invalid(
                    "quota",
                    "The quota is -1 (unlimited) or a number of bytes.",
                ));
            }
        }
        Ok(())
    }

    /// An account in the subscription of `domain` (any domain of it may be named).
    pub fn create_ftp_user(
        &mut self,
        domain: &DomainRef,
        fields: FtpFields,
    ) -> Result<FtpUser, Fault> {
        let domain = self
            .find_domain(domain)
            .ok_or_else(|| Fault::NotFound("Domain is not found".into()))?;
        let (domain_id, webspace_id) = (domain.id, domain.webspace_id);
        let Some(name) = fields.name.clone() else {
            return Err(Fault::invalid("name", "The user name is required."));
        };
        let Some(password) = fields.password.clone() else {
            return Err(Fault::invalid("password", "The password is required."));
        };
        self.check_ftp_fields(&fields, None)?;
        let home = normalize_home(fields.home.as_deref().unwrap_or("/"))?;
        let password_hash = self.new_password_hash(&password);
        self.counters.ftp_user += 1;
        let user = FtpUser {
            id: self.counters.ftp_user,
            name,
            domain_id,
            webspace_id,
            home,
            quota: fields.quota.unwrap_or(-1),
            read: fields.read.unwrap_or(true),
            write: fields.write.unwrap_or(true),
            password_hash,
        };
        self.ftp_users.insert(user.id, user.clone());
        Ok(user)
    }

    pub fn update_ftp_user(&mut self, id: u64, fields: FtpFields) -> Result<(), Fault> {
        if !self.ftp_users.contains_key(&id) {
            return Err(Fault::NotFound("User is not found".into()));
        }
        self.check_ftp_fields(&fields, Some(id))?;
        let home = fields.home.as_deref().map(normalize_home).transpose()?;
        let password_hash = fields
            .password
            .as_deref()
            .map(|p| self.new_password_hash(p));
        let Some(user) = self.ftp_users.get_mut(&id) else {
            return Err(Fault::NotFound("User is not found".into()));
        };
        if let Some(name) = fields.name {
            user.name = name;
        }
        if let Some(home) = home {
            user.home = home;
        }
        if let Some(hash) = password_hash {
            user.password_hash = hash;
        }
        if let Some(quota) = fields.quota {
            user.quota = quota;
        }
        if let Some(read) = fields.read {
            user.read = read;
        }
        if let Some(write) = fields.write {
            user.write = write;
        }
        Ok(())
    }

    pub fn delete_ftp_user(&mut self, id: u64) -> Result<FtpUser, Fault> {
        self.ftp_users
            .remove(&id)
            .ok_or_else(|| Fault::NotFound("User is not found".into()))
    }

    /// The subscription a domain reference points into (for XML `webspace-*` filters,
    /// which name subscriptions only).
    pub fn webspace_id_of(&self, reference: &DomainRef) -> Option<u64> {
        self.find_domain(reference)
            .filter(|d| d.kind == DomainKind::Subscription)
            .map(|d| d.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homes_stay_inside_the_subscription() {
        assert_eq!(normalize_home("httpdocs/").unwrap(), "/httpdocs");
        assert_eq!(normalize_home("/").unwrap(), "/");
        assert_eq!(normalize_home("/a/./b").unwrap(), "/a/b");
        assert!(normalize_home("/../etc").is_err());
        assert!(normalize_home("a/../../b").is_err());
    }
}
