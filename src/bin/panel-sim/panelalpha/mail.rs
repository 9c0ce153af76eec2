//! Email domains, accounts and forwarders of a hosting account
//! (`api/server-accounts/{id}/email/{domains,accounts,forwarders}...`).
//!
//! Sources: the seed (`endpoints.json` #287-296): email domains are only listed; an account
//! is created with `email`, `password`, `domain`, `quota` (integer) required and
//! `unlimited_quota` (boolean) optional, updated with `quota` required and `password`
//! optional, shown and deleted by its address (`{email}`, e.g. `user@example.com`); a
//! forwarder is created with `email`, `domain` and `destination` ("Must be a valid email
//! address"), deleted by its source address. The vendor's integration template
//! (`Account/Email.php`, `Email/Domain.php`, `Email/Domain/Account.php`, `.../Forwarder.php`):
//! an email domain is `{domain, details}`; an account is `{email, disk_usage, disk_quota}`
//! with the quota in MB or `"unlimited"`; a forwarder is `{email, forward_to}`; deleting a
//! forwarder names only its source address.
//!
//! Assumptions: every domain of the hosting account (main, addon, subdomain, alias) is an
//! email domain, and deleting a domain deletes its accounts and forwarders. `email` may be
//! the local part or the full address; the address must be valid and in `domain`. Addresses
//! are unique per account, case-insensitively; a quota of 0 (or `unlimited_quota: true`) is
//! unlimited, as on cPanel. A source address may forward to several destinations (one
//! forwarder each, so the same pair twice is refused) and may also be a mailbox; deleting a
//! source's forwarder removes all its destinations, as the integration's delete ignores the
//! destination. Passwords have no length rule (none is documented). Account items also carry
//! `domain`, the email domain they were created in (not in the integration's list shape).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::ftp::{quota, Quota};
use super::reply::ApiError;
use super::state::{find_domain, HostingAccount, PasswordHash};
use super::validate::{is_email, Input, Text, Validator};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Mailbox {
    pub email: String,
    pub domain: String,
    /// MB; `None` is unlimited.
    pub quota_mb: Option<u64>,
    pub password: PasswordHash,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Forwarder {
    pub email: String,
    pub domain: String,
    pub destination: String,
}

pub fn domains_json(account: &HostingAccount) -> Value {
    Value::Array(
        account
            .domains
            .iter()
            .map(|d| json!({"domain": d.domain, "details": {}}))
            .collect(),
    )
}

#[derive(Serialize)]
pub struct MailboxView<'a> {
    email: &'a str,
    domain: &'a str,
    disk_usage: u64,
    disk_quota: Quota,
}

pub fn mailbox_view(mailbox: &Mailbox) -> MailboxView<'_> {
    MailboxView {
        email: &mailbox.email,
        domain: &mailbox.domain,
        disk_usage: 0,
        disk_quota: quota(mailbox.quota_mb),
    }
}

fn mailbox_json(mailbox: &Mailbox) -> Value {
    serde_json::to_value(mailbox_view(mailbox)).unwrap_or(Value::Null)
}

pub fn mailboxes_view(account: &HostingAccount) -> Vec<MailboxView<'_>> {
    account.mailboxes.values().map(mailbox_view).collect()
}

#[derive(Serialize)]
pub struct ForwarderView<'a> {
    email: &'a str,
    forward_to: &'a str,
}

pub fn forwarders_view(account: &HostingAccount) -> Vec<ForwarderView<'_>> {
    account
        .forwarders
        .iter()
        .map(|f| ForwarderView {
            email: &f.email,
            forward_to: &f.destination,
        })
        .collect()
}

pub fn key(address: &str) -> String {
    address.to_ascii_lowercase()
}

/// `email` + `domain` -> the full address in that domain of the account.
fn address_in_domain(
    account: &HostingAccount,
    email: &str,
    domain: &str,
) -> Result<(String, String), ApiError> {
    let domain = find_domain(account, domain)
        .map_err(|_| ApiError::field("domain", "The selected domain is invalid."))?
        .domain
        .clone();
    let email = email.to_ascii_lowercase();
    let address = if email.contains('@') {
        email
    } else {
        format!("{email}@{domain}")
    };
    if !is_email(&address) {
        return Err(ApiError::field(
            "email",
            "The email field must be a valid email address.",
        ));
    }
    if !address.ends_with(&format!("@{domain}")) {
        return Err(ApiError::field(
            "email",
            format!("The email must be an address in {domain}."),
        ));
    }
    Ok((address, domain))
}

pub fn create_mailbox(account: &mut HostingAccount, input: &Input) -> Result<Value, ApiError> {
    let mut v = Validator::new(input);
    let email = v.text(
        "email",
        Text {
            max: Some(255),
            ..Text::REQUIRED
        },
    );
    let password = v.text("password", Text::REQUIRED);
    let domain = v.text("domain", Text::REQUIRED);
    let quota = v.integer_in("quota", true, 0, i64::from(u32::MAX));
    let unlimited = v.boolean("unlimited_quota", false);
    v.finish()?;
    let (Some(email), Some(password), Some(domain)) = (email, password, domain) else {
        return Err(ApiError::field("email", "The email field is required."));
    };
    let (address, domain) = address_in_domain(account, &email, &domain)?;
    if account.mailboxes.contains_key(&key(&address)) {
        return Err(ApiError::field(
            "email",
            "The email has already been taken.",
        ));
    }
    let quota_mb = if unlimited == Some(true) {
        None
    } else {
        quota.and_then(|q| u64::try_from(q).ok()).filter(|q| *q > 0)
    };
    let mailbox = Mailbox {
        email: address.clone(),
        domain,
        quota_mb,
        password: PasswordHash::of(&password),
    };
    let answer = mailbox_json(&mailbox);
    account.mailboxes.insert(key(&address), mailbox);
    Ok(answer)
}

pub fn mailbox<'a>(account: &'a HostingAccount, address: &str) -> Result<&'a Mailbox, ApiError> {
    account
        .mailboxes
        .get(&key(address))
        .ok_or_else(|| mailbox_not_found(address))
}

fn mailbox_not_found(address: &str) -> ApiError {
    ApiError::NotFound(format!("Email account {address} not found."))
}

pub fn update_mailbox(
    account: &mut HostingAccount,
    address: &str,
    input: &Input,
) -> Result<Value, ApiError> {
    let mailbox = account
        .mailboxes
        .get_mut(&key(address))
        .ok_or_else(|| mailbox_not_found(address))?;
    let mut v = Validator::new(input);
    let quota = v.integer_in("quota", true, 0, i64::from(u32::MAX));
    let password = v.text("password", Text::OPTIONAL);
    v.finish()?;
    mailbox.quota_mb = quota.and_then(|q| u64::try_from(q).ok()).filter(|q| *q > 0);
    if let Some(password) = password {
        mailbox.password = PasswordHash::of(&password);
    }
    Ok(mailbox_json(mailbox))
}

pub fn delete_mailbox(account: &mut HostingAccount, address: &str) -> Result<(), ApiError> {
    account
        .mailboxes
        .remove(&key(address))
        .map(|_| ())
        .ok_or_else(|| mailbox_not_found(address))
}

pub fn create_forwarder(account: &mut HostingAccount, input: &Input) -> Result<Value, ApiError> {
    let mut v = Validator::new(input);
    let email = v.text(
        "email",
        Text {
            max: Some(255),
            ..Text::REQUIRED
        },
    );
    let domain = v.text("domain", Text::REQUIRED);
    let destination = v.text(
        "destination",
        Text {
            email: true,
            max: Some(255),
            ..Text::REQUIRED
        },
    );
    v.finish()?;
    let (Some(email), Some(domain), Some(destination)) = (email, domain, destination) else {
        return Err(ApiError::field("email", "The email field is required."));
    };
    let (source, domain) = address_in_domain(account, &email, &domain)?;
    let destination = destination.to_ascii_lowercase();
    if account
        .forwarders
        .iter()
        .any(|f| f.email == source && f.destination == destination)
    {
        return Err(ApiError::field(
            "destination",
            "The destination has already been taken.",
        ));
    }
    account.forwarders.push(Forwarder {
        email: source.clone(),
        domain,
        destination: destination.clone(),
    });
    Ok(json!({"email": source, "forward_to": destination}))
}

pub fn delete_forwarder(account: &mut HostingAccount, source: &str) -> Result<(), ApiError> {
    let source = key(source);
    let before = account.forwarders.len();
    account.forwarders.retain(|f| f.email != source);
    if account.forwarders.len() == before {
        return Err(ApiError::NotFound(format!(
            "Email forwarder {source} not found."
        )));
    }
    Ok(())
}
