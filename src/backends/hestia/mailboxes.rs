//! HestiaCP mail accounts: `v-add-mail-account USER DOMAIN ACCOUNT PASSWORD [QUOTA]`
//! (records 210, 211; quota in MB, `unlimited` or `0` for none, record 216),
//! `v-change-mail-account-password` / `-quota` (221-223), `v-suspend-mail-account` /
//! `v-unsuspend-mail-account` (226, 230), `v-delete-mail-account` (241; exit 3 when
//! gone, 242), read from `v-list-mail-accounts USER DOMAIN json` (219) and, after a
//! change, `v-list-mail-account USER DOMAIN ACCOUNT json` (220; exit 3 when missing,
//! 243). A suspended account refuses password and quota changes (228), so a change to a
//! suspended account is made between an unsuspend and a suspend. The panel stores the
//! name lowercased (214). A mailbox's id is `USER/DOMAIN/NAME`.

use serde::Deserialize;

use crate::panel::mailbox::local_part_problem;
use crate::panel::names::DomainName;
use crate::panel::{
    ListFilter, Locator, Mailbox, MailboxKey, MailboxPatch, MailboxSpec, PanelError, PanelResult,
    Service,
};

use super::domains::normal_name;
use super::{missing_owner_is_input_error, single, wire, yes, HestiaBackend, Touches};

/// The fields of a `v-list-mail-account(s)` entry the provider reads.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE", default)]
pub(crate) struct MailAccountRecord {
    pub quota: String,
    pub suspended: String,
    pub fwd: String,
}

/// `QUOTA` (MB, `unlimited`) as the neutral quota.
fn quota_of(text: &str) -> Option<u64> {
    text.trim().parse::<u64>().ok().filter(|q| *q > 0)
}

fn quota_arg(quota: Option<u64>) -> String {
    quota.map_or_else(|| "unlimited".to_owned(), |q| q.to_string())
}

fn mailbox(owner: &str, domain: &str, account: &str, record: &MailAccountRecord) -> Mailbox {
    let name = account.to_ascii_lowercase();
    Mailbox {
        id: format!("{owner}/{domain}/{name}"),
        owner: owner.to_owned(),
        domain: domain.to_owned(),
        name,
        quota_mb: quota_of(&record.quota),
        suspended: yes(&record.suspended),
    }
}

/// `USER/DOMAIN/NAME` into its parts.
fn parse_id(id: &str) -> Option<(&str, DomainName, &str)> {
    let mut parts = id.trim().splitn(3, '/');
    let owner = parts.next().filter(|p| !p.is_empty())?;
    let domain = normal_name(parts.next()?)?;
    let name = parts.next().filter(|p| !p.is_empty() && !p.contains('/'))?;
    Some((owner, domain, name))
}

fn malformed(id: &str) -> PanelError {
    PanelError::invalid(
        Some("id"),
        format!(
            "hestia mailbox ids look like USER/DOMAIN/NAME (e.g. bob/example.com/info), got \
             {id:?}"
        ),
    )
}

/// The cache key of one mail domain's accounts.
fn list_key(owner: &str, domain: &str) -> String {
    format!("{owner}/{domain}")
}

impl HestiaBackend {
    /// The accounts of `owner`'s mail domain `domain`, from one shared
    /// `v-list-mail-accounts OWNER DOMAIN json`; a missing domain has none.
    pub(super) async fn mail_account_records(
        &self,
        owner: &str,
        domain: &str,
    ) -> PanelResult<Vec<(String, MailAccountRecord)>> {
        let list = self
            .mail_accounts
            .get_or_load(&list_key(owner, domain), || async {
                let command = wire::list_mail_accounts(owner, domain);
                let Some(body) = self.read_optional(&command).await? else {
                    return Ok(Vec::new());
                };
                wire::parse_keyed::<MailAccountRecord>(command.name, &body)
            })
            .await?;
        Ok(list.as_ref().clone())
    }

    async fn mailboxes_of(&self, owner: &str, domain: &str) -> PanelResult<Vec<Mailbox>> {
        Ok(self
            .mail_account_records(owner, domain)
            .await?
            .iter()
            .map(|(account, record)| mailbox(owner, domain, account, record))
            .collect())
    }

    async fn mailbox_in_list(
        &self,
        owner: &str,
        domain: &DomainName,
        name: &str,
    ) -> PanelResult<Option<Mailbox>> {
        Ok(self
            .mailboxes_of(owner, domain.as_str())
            .await?
            .into_iter()
            .find(|m| m.name.eq_ignore_ascii_case(name)))
    }

    /// The mailbox, fresh: `v-list-mail-account OWNER DOMAIN NAME json`.
    async fn read_mailbox(
        &self,
        owner: &str,
        domain: &DomainName,
        name: &str,
    ) -> PanelResult<Option<Mailbox>> {
        let command = wire::list_mail_account(owner, domain.as_str(), name);
        let Some(body) = self.read_optional(&command).await? else {
            return Ok(None);
        };
        Ok(single::<MailAccountRecord>(&command, &body)?
            .map(|(account, record)| mailbox(owner, domain.as_str(), &account, &record)))
    }

    async fn mail_account_write(
        &self,
        command: &wire::Command,
        owner: &str,
        domain: &str,
    ) -> PanelResult<()> {
        let key = list_key(owner, domain);
        self.write(command, Touches::MailAccounts(owner, &key))
            .await
    }
}

#[async_trait::async_trait]
impl Service<Mailbox> for HestiaBackend {
    async fn create(&self, spec: &MailboxSpec) -> PanelResult<Mailbox> {
        if let Some(problem) = local_part_problem(&spec.name) {
            return Err(PanelError::invalid(Some("name"), problem));
        }
        let domain = DomainName::parse(&spec.domain).map_err(|problem| {
            PanelError::invalid(Some("domain"), format!("{:?} {problem}", spec.domain))
        })?;
        let owner = spec.owner.as_str();
        let command = wire::add_mail_account(
            owner,
            domain.as_str(),
            &spec.name,
            &spec.password,
            &quota_arg(spec.quota_mb),
        );
        self.mail_account_write(&command, owner, domain.as_str())
            .await
            .map_err(|e| {
                // "mail domain X doesn't exist" (exit 3) is the spec's domain at fault.
                let about_domain = e
                    .panel_message
                    .as_deref()
                    .is_some_and(|m| m.to_ascii_lowercase().contains("mail domain"));
                if e.is_not_found() && about_domain {
                    let mut e = e;
                    e.kind = crate::panel::PanelErrorKind::InvalidInput {
                        field: Some("domain".to_owned()),
                    };
                    e
                } else {
                    missing_owner_is_input_error(e)
                }
            })?;
        if spec.suspended {
            let suspend = wire::suspend_mail_account(owner, domain.as_str(), &spec.name);
            if let Err(e) = self
                .mail_account_write(&suspend, owner, domain.as_str())
                .await
            {
                let made = self
                    .read_mailbox(owner, &domain, &spec.name)
                    .await
                    .ok()
                    .flatten();
                return Err(match made {
                    Some(made) => e.with_partial(made),
                    None => e.maybe_done(),
                });
            }
        }
        match self.read_mailbox(owner, &domain, &spec.name).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "v-add-mail-account succeeded, but v-list-mail-account finds no {}@{}",
                spec.name,
                domain.as_str()
            ))
            .maybe_done()),
            Err(error) => Err(error.maybe_done()),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Mailbox>> {
        match parse_id(&at.id) {
            Some((owner, domain, name)) => self.mailbox_in_list(owner, &domain, name).await,
            None => Ok(None),
        }
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<Mailbox>> {
        match parse_id(&at.id) {
            Some((owner, domain, name)) => self.read_mailbox(owner, &domain, name).await,
            None => Ok(None),
        }
    }

    async fn find(&self, key: &MailboxKey) -> PanelResult<Option<Mailbox>> {
        let Some(domain) = normal_name(&key.domain) else {
            return Ok(None);
        };
        self.mailbox_in_list(&key.owner, &domain, &key.name).await
    }

    /// Every mail domain's accounts of the owner(s).
    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Mailbox>> {
        let mailboxes = |owner: String| async move {
            let mut out = Vec::new();
            for mail in self.mail_domain_entries(&owner).await? {
                out.extend(self.mailboxes_of(&owner, &mail.domain).await?);
            }
            Ok(out)
        };
        match &filter.owner {
            Some(owner) => mailboxes(owner.clone()).await,
            None => self.for_every_owner(mailboxes).await,
        }
    }

    /// Unsuspends first when asked to (or when a suspended account's password or quota
    /// changes, suspending it again afterwards), then the quota, the password, and a
    /// suspension last.
    async fn update(&self, at: &Locator, patch: &MailboxPatch) -> PanelResult<Mailbox> {
        let (owner, domain, name) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let domain_name = domain.as_str();
        let changes_content = patch.password.is_some() || patch.quota_mb.is_some();
        let suspended_now = if changes_content && patch.suspended.is_none() {
            self.read_mailbox(owner, &domain, name)
                .await?
                .is_some_and(|m| m.suspended)
        } else {
            false
        };
        if patch.suspended == Some(false) || suspended_now {
            let command = wire::unsuspend_mail_account(owner, domain_name, name);
            self.mail_account_write(&command, owner, domain_name)
                .await?;
        }
        if let Some(quota) = patch.quota_mb {
            let command =
                wire::change_mail_account_quota(owner, domain_name, name, &quota_arg(quota));
            self.mail_account_write(&command, owner, domain_name)
                .await?;
        }
        if let Some(password) = &patch.password {
            let command = wire::change_mail_account_password(owner, domain_name, name, password);
            self.mail_account_write(&command, owner, domain_name)
                .await?;
        }
        if patch.suspended == Some(true) || suspended_now {
            let command = wire::suspend_mail_account(owner, domain_name, name);
            self.mail_account_write(&command, owner, domain_name)
                .await?;
        }
        self.read_mailbox(owner, &domain, name)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("hestia mailbox {} is gone", at.id)))
    }

    /// Deleting a mailbox already gone (or whose mail domain is gone) succeeds.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (owner, domain, name) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        let command = wire::delete_mail_account(owner, domain.as_str(), name);
        match self
            .mail_account_write(&command, owner, domain.as_str())
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Mailbox>> {
        let (owner, domain, name) = parse_id(id).ok_or_else(|| malformed(id))?;
        self.read_mailbox(owner, &domain, name).await
    }

    fn import_id(&self, object: &Mailbox) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER/DOMAIN/NAME (e.g. bob/example.com/info)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_records() {
        let (owner, domain, name) = parse_id("bob/Example.com/info").unwrap();
        assert_eq!(
            (owner, domain.as_str(), name),
            ("bob", "example.com", "info")
        );
        assert!(parse_id("bob/example.com").is_none());
        assert!(parse_id("bob/example.com/a/b").is_none());
        let record = MailAccountRecord {
            quota: "unlimited".into(),
            suspended: "yes".into(),
            fwd: String::new(),
        };
        let m = mailbox("bob", "example.com", "Upper.Case", &record);
        assert_eq!(m.name, "upper.case");
        assert_eq!(m.quota_mb, None);
        assert!(m.suspended);
        assert_eq!(quota_of("100"), Some(100));
        assert_eq!(quota_arg(None), "unlimited");
    }
}
