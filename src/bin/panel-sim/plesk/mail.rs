//! Mail accounts ("mailnames") and the per-domain mail service, shared by the XML `mail`
//! operator and the REST CLI gateway's `mail` utility.
//!
//! Sources: XML `mailnameAddType`/`mailnameUpdateType`/`mailnameGetInfoType` (schema
//! outline: name, mailbox{enabled, quota (bytes)}, forwarding{enabled, address+}, alias*,
//! password{value, type}, description); docs "Mail Box Settings" (quota in bytes) and
//! "Forwarding Settings"; the official client's `MailTest` (create with mailbox and
//! password, several forwarding addresses and aliases, get_info by site-id and name,
//! remove by name, no mail accounts = no item); docs "Managing Mail" (mail service on/off
//! per site, `enable`/`disable`).
//!
//! Assumptions: local parts are Latin letters, digits, `.`, `-`, `_`, at most 64
//! characters, stored lower case; a name and its aliases are unique within the domain;
//! forwarding needs at least one address when enabled (the create schema makes
//! `address` 1..∞); a quota of -1 means the domain's default (unlimited).

use serde::{Deserialize, Serialize};

use super::state::{DomainKind, Fault, State};
use super::validate;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Mailname {
    pub id: u64,
    pub domain_id: u64,
    /// The local part, lower case.
    pub name: String,
    pub mailbox: bool,
    /// Bytes; -1 = the domain default (unlimited).
    pub quota: i64,
    pub forwarding_enabled: bool,
    pub forwarding: Vec<String>,
    pub aliases: Vec<String>,
    /// `$5$salt$digest`, never the password; `None` = no password set.
    pub password_hash: Option<String>,
    pub description: String,
    pub cp_access: bool,
}

/// How a list changes: XML `update/set` replaces, `update/add`/`remove` edit; the CLI's
/// `add:`/`del:` prefixes mean the same.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ListChange {
    #[default]
    Keep,
    Set(Vec<String>),
    Add(Vec<String>),
    Remove(Vec<String>),
}

impl ListChange {
    fn apply(&self, list: &mut Vec<String>) {
        match self {
            Self::Keep => {}
            Self::Set(items) => *list = dedup(items),
            Self::Add(items) => {
                for item in items {
                    if !list.contains(item) {
                        list.push(item.clone());
                    }
                }
            }
            Self::Remove(items) => list.retain(|i| !items.contains(i)),
        }
    }

    fn items(&self) -> &[String] {
        match self {
            Self::Keep => &[],
            Self::Set(items) | Self::Add(items) | Self::Remove(items) => items,
        }
    }
}

fn dedup(items: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

#[derive(Clone, Debug, Default)]
pub struct MailFields {
    pub mailbox: Option<bool>,
    pub quota: Option<i64>,
    pub password: Option<String>,
    pub forwarding_enabled: Option<bool>,
    pub forwarding: ListChange,
    pub aliases: ListChange,
    pub description: Option<String>,
    pub cp_access: Option<bool>,
}

pub fn check_local_part(name: &str) -> Result<String, Fault> {
    let lower = name.trim().to_ascii_lowercase();
    let ok = !lower.is_empty()
        && lower.len() <= 64
        && !lower.starts_with('.')
        && !lower.ends_with('.')
        && lower
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(lower)
    } else {
        Err(Fault::invalid(
            "name",
            format!(
                "'{}' is not a valid mail name: use Latin letters, digits, '.', '-' and '_' (at most 64).",
                validate::printable(name)
            ),
        ))
    }
}

impl State {
    pub fn find_mailname(&self, domain_id: u64, name: &str) -> Option<&Mailname> {
        let lower = name.trim().to_ascii_lowercase();
        self.mailnames
            .values()
            .find(|m| m.domain_id == domain_id && m.name == lower)
    }

    fn mail_domain(&self, domain_id: u64) -> Result<&super::state::Domain, Fault> {
        let domain = self
            .domains
            .get(&domain_id)
            .ok_or_else(|| Fault::NotFound(format!("Domain with id {domain_id} does not exist")))?;
        if domain.kind == DomainKind::Subdomain {
            return Err(Fault::Failed(format!(
                "{} is a subdomain; mail is managed on its parent domain.",
                domain.name
            )));
        }
        Ok(domain)
    }

    fn check_mail_fields(
        &self,
        domain_id: u64,
        own_id: Option<u64>,
        fields: &MailFields,
    ) -> Result<(Vec<String>, Vec<String>), Fault> {
        if let Some(password) = &fields.password {
            validate::password(password, self.password_strength)
                .map_err(|m| Fault::invalid("password", m))?;
        }
        if fields.quota.is_some_and(|q| q < -1) {
            return Err(Fault::invalid(
                "quota",
                "The mailbox quota is -1 (default) or a number of bytes.",
            ));
        }
        let forwarding: Vec<String> = fields
            .forwarding
            .items()
            .iter()
            .map(|a| a.trim().to_ascii_lowercase())
            .collect();
        for address in &forwarding {
            if address.is_empty() || validate::email(address).is_err() {
                return Err(Fault::invalid(
                    "forwarding",
                    format!(
                        "'{}' is not an e-mail address.",
                        validate::printable(address)
                    ),
                ));
            }
        }
        let mut aliases = Vec::new();
        for alias in fields.aliases.items() {
            let alias = check_local_part(alias)?;
            let clash = self.mailnames.values().any(|m| {
                m.domain_id == domain_id
                    && Some(m.id) != own_id
                    && (m.name == alias || m.aliases.contains(&alias))
            });
            if clash && !matches!(fields.aliases, ListChange::Remove(_)) {
                return Err(Fault::Exists(format!(
                    "The mail name or alias {alias} already exists."
                )));
            }
            aliases.push(alias);
        }
        Ok((forwarding, aliases))
    }

    pub fn create_mailname(
        &mut self,
        domain_id: u64,
        name: &str,
        fields: MailFields,
    ) -> Result<Mailname, Fault> {
        let domain = self.mail_domain(domain_id)?;
        if !domain.mail_service {
            return Err(Fault::Failed(format!(
                "Mail service is switched off on {}.",
                domain.name
            )));
        }
        let name = check_local_part(name)?;
        let taken = self
            .mailnames
            .values()
            .any(|m| m.domain_id == domain_id && (m.name == name || m.aliases.contains(&name)));
        if taken {
            return Err(Fault::Exists(format!("Mail name {name} already exists.")));
        }
        let (forwarding, aliases) = self.check_mail_fields(domain_id, None, &fields)?;
        let forwarding_enabled = fields.forwarding_enabled.unwrap_or(false);
        if forwarding_enabled && forwarding.is_empty() {
            return Err(Fault::invalid(
                "forwarding",
                "Forwarding needs at least one address.",
            ));
        }
        let password_hash = fields
            .password
            .as_deref()
            .map(|p| self.new_password_hash(p));
        self.counters.mailname += 1;
        let mailname = Mailname {
            id: self.counters.mailname,
            domain_id,
            name,
            mailbox: fields.mailbox.unwrap_or(false),
            quota: fields.quota.unwrap_or(-1),
            forwarding_enabled,
            forwarding: dedup(&forwarding),
            aliases: dedup(&aliases),
            password_hash,
            description: fields.description.unwrap_or_default(),
            cp_access: fields.cp_access.unwrap_or(false),
        };
        self.mailnames.insert(mailname.id, mailname.clone());
        Ok(mailname)
    }

    pub fn update_mailname(&mut self, id: u64, fields: MailFields) -> Result<Mailname, Fault> {
        let domain_id = self
            .mailnames
            .get(&id)
            .map(|m| m.domain_id)
            .ok_or_else(|| Fault::NotFound("Mail name does not exist".into()))?;
        let (forwarding, aliases) = self.check_mail_fields(domain_id, Some(id), &fields)?;
        let password_hash = fields
            .password
            .as_deref()
            .map(|p| self.new_password_hash(p));
        let Some(mailname) = self.mailnames.get_mut(&id) else {
            return Err(Fault::NotFound("Mail name does not exist".into()));
        };
        let mut next = mailname.clone();
        let normalized = |change: &ListChange, items: Vec<String>| match change {
            ListChange::Keep => ListChange::Keep,
            ListChange::Set(_) => ListChange::Set(items),
            ListChange::Add(_) => ListChange::Add(items),
            ListChange::Remove(_) => ListChange::Remove(items),
        };
        normalized(&fields.forwarding, forwarding).apply(&mut next.forwarding);
        normalized(&fields.aliases, aliases).apply(&mut next.aliases);
        if let Some(enabled) = fields.forwarding_enabled {
            next.forwarding_enabled = enabled;
        }
        if next.forwarding_enabled && next.forwarding.is_empty() {
            return Err(Fault::invalid(
                "forwarding",
                "Forwarding needs at least one address.",
            ));
        }
        if let Some(mailbox) = fields.mailbox {
            next.mailbox = mailbox;
        }
        if let Some(quota) = fields.quota {
            next.quota = quota;
        }
        if let Some(hash) = password_hash {
            next.password_hash = Some(hash);
        }
        if let Some(description) = fields.description {
            next.description = description;
        }
        if let Some(cp_access) = fields.cp_access {
            next.cp_access = cp_access;
        }
        *mailname = next.clone();
        Ok(next)
    }

    pub fn delete_mailname(&mut self, id: u64) -> Result<Mailname, Fault> {
        self.mailnames
            .remove(&id)
            .ok_or_else(|| Fault::NotFound("Mail name does not exist".into()))
    }

    /// Mail service on/off for a domain (XML `mail enable/disable`, `set_prefs`; CLI
    /// `mail --on/--off`). Existing accounts are kept, as Plesk keeps them.
    pub fn set_mail_service(&mut self, domain_id: u64, on: bool) -> Result<(), Fault> {
        self.mail_domain(domain_id)?;
        if let Some(domain) = self.domains.get_mut(&domain_id) {
            domain.mail_service = on;
        }
        Ok(())
    }
}

/// `1024`, `500K`, `20M`, `1G`, `-1`, `unlimited` → bytes (CLI `-mbox_quota`).
pub fn parse_quota(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("unlimited") || text == "-1" {
        return Some(-1);
    }
    let (number, unit) = match text.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
        Some((index, _)) => text.split_at(index),
        None => (text, ""),
    };
    let number: i64 = number.trim().parse().ok()?;
    let factor: i64 = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" => 1 << 10,
        "M" | "MB" => 1 << 20,
        "G" | "GB" => 1 << 30,
        "T" | "TB" => 1 << 40,
        _ => return None,
    };
    number.checked_mul(factor).filter(|n| *n >= 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_take_units() {
        assert_eq!(parse_quota("1024"), Some(1024));
        assert_eq!(parse_quota("1M"), Some(1 << 20));
        assert_eq!(parse_quota("2G"), Some(2 << 30));
        assert_eq!(parse_quota("-1"), Some(-1));
        assert_eq!(parse_quota("lots"), None);
    }

    #[test]
    fn list_changes_apply() {
        let mut list = vec!["a".to_owned()];
        ListChange::Add(vec!["b".into(), "a".into()]).apply(&mut list);
        assert_eq!(list, ["a", "b"]);
        ListChange::Remove(vec!["a".into()]).apply(&mut list);
        assert_eq!(list, ["b"]);
        ListChange::Set(vec!["c".into()]).apply(&mut list);
        assert_eq!(list, ["c"]);
    }

    #[test]
    fn local_parts_are_checked() {
        assert_eq!(check_local_part("Info").unwrap(), "info");
        assert!(check_local_part("a b").is_err());
        assert!(check_local_part("").is_err());
    }
}
