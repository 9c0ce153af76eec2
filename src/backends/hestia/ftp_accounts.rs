//! HestiaCP FTP accounts of web domains: `v-add-web-domain-ftp`,
//! `v-change-web-domain-ftp-password`, `v-change-web-domain-ftp-path`,
//! `v-delete-web-domain-ftp`, read from the `FTP_USER` / `FTP_PATH` lists of
//! `v-list-web-domain(s)` (record 309). The panel stores the login as `USER_LOGIN`
//! (even when the login already starts with `USER_`: record 303), and the change and
//! delete commands take that full login (records 311, 315, 319). An account's id is
//! `USER/DOMAIN/FULL_LOGIN`; a refresh reads the owner's shared domain list.

use crate::panel::ftp_account::{login_problem, normal_home, reported_home};
use crate::panel::names::DomainName;
use crate::panel::{
    FtpAccount, FtpAccountKey, FtpAccountPatch, FtpAccountSpec, ListFilter, Locator, PanelError,
    PanelResult, Service,
};

use super::domains::{normal_name, spellings};
use super::wire::{self, WebDomainRecord};
use super::{missing_owner_is_input_error, single, HestiaBackend, Touches, WebDomainEntry};

/// The login HestiaCP stores for `login` of `owner`.
fn full_login(owner: &str, login: &str) -> String {
    format!("{owner}_{login}")
}

fn account(owner: &str, entry: &WebDomainEntry, full: &str, path: &str) -> FtpAccount {
    let login = full
        .strip_prefix(&format!("{owner}_"))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(full);
    FtpAccount {
        id: format!("{owner}/{}/{full}", entry.domain.name),
        owner: owner.to_owned(),
        domain: entry.domain.name.clone(),
        login: login.to_owned(),
        full_login: full.to_owned(),
        home: reported_home(path),
    }
}

fn accounts_of(owner: &str, entry: &WebDomainEntry) -> Vec<FtpAccount> {
    entry
        .ftp
        .iter()
        .map(|(full, path)| account(owner, entry, full, path))
        .collect()
}

/// `USER/DOMAIN/FULL_LOGIN` into its parts.
fn parse_id(id: &str) -> Option<(&str, DomainName, &str)> {
    let mut parts = id.trim().splitn(3, '/');
    let owner = parts.next().filter(|p| !p.is_empty())?;
    let domain = normal_name(parts.next()?)?;
    let full = parts.next().filter(|p| !p.is_empty() && !p.contains('/'))?;
    Some((owner, domain, full))
}

fn malformed(id: &str) -> PanelError {
    PanelError::invalid(
        Some("id"),
        format!(
            "hestia FTP account ids look like USER/DOMAIN/FULL_LOGIN (e.g. \
             bob/example.com/bob_deploy), got {id:?}"
        ),
    )
}

impl HestiaBackend {
    /// `owner`'s web domain `domain` (the shared list), or an input error on `domain`.
    async fn ftp_domain(&self, owner: &str, domain: &str) -> PanelResult<WebDomainEntry> {
        let name = normal_name(domain).ok_or_else(|| {
            PanelError::invalid(Some("domain"), format!("{domain:?} is not a domain name"))
        })?;
        self.domain_of(owner, &name).await?.ok_or_else(|| {
            PanelError::invalid(
                Some("domain"),
                format!("hestia user {owner:?} has no web domain {domain:?}"),
            )
        })
    }

    /// The account `full` of `owner`'s `domain`, from the shared domain list.
    async fn ftp_account_in_list(
        &self,
        owner: &str,
        domain: &DomainName,
        full: &str,
    ) -> PanelResult<Option<FtpAccount>> {
        let Some(entry) = self.domain_of(owner, domain).await? else {
            return Ok(None);
        };
        Ok(accounts_of(owner, &entry)
            .into_iter()
            .find(|a| a.full_login == full))
    }

    /// The account, fresh: `v-list-web-domain OWNER DOMAIN json` in each spelling the
    /// panel may store the domain under.
    async fn read_ftp_account(
        &self,
        owner: &str,
        domain: &DomainName,
        full: &str,
    ) -> PanelResult<Option<FtpAccount>> {
        for stored in spellings(domain) {
            let command = wire::list_web_domain(owner, &stored);
            let Some(body) = self.read_optional(&command).await? else {
                continue;
            };
            if let Some((key, record)) = single::<WebDomainRecord>(&command, &body)? {
                let entry = super::domains::entry_from_record(owner, key, &record);
                if entry.domain.name == domain.as_str() {
                    return Ok(accounts_of(owner, &entry)
                        .into_iter()
                        .find(|a| a.full_login == full));
                }
            }
        }
        Ok(None)
    }

    /// Where the account of `at` is: owner, the domain's stored name, full login;
    /// `None` when its domain is gone.
    async fn ftp_place(&self, at: &Locator) -> PanelResult<Option<(String, String, String)>> {
        let (owner, domain, full) = parse_id(&at.id).ok_or_else(|| malformed(&at.id))?;
        Ok(self
            .domain_of(owner, &domain)
            .await?
            .map(|entry| (owner.to_owned(), entry.stored, full.to_owned())))
    }
}

#[async_trait::async_trait]
impl Service<FtpAccount> for HestiaBackend {
    async fn create(&self, spec: &FtpAccountSpec) -> PanelResult<FtpAccount> {
        if let Some(problem) = login_problem(&spec.login) {
            return Err(PanelError::invalid(Some("login"), problem));
        }
        let home = normal_home(&spec.home).map_err(|p| PanelError::invalid(Some("home"), p))?;
        let owner = spec.owner.as_str();
        let entry = self.ftp_domain(owner, &spec.domain).await?;
        let command =
            wire::add_web_domain_ftp(owner, &entry.stored, &spec.login, &spec.password, &home);
        self.write(&command, Touches::Domains(owner))
            .await
            .map_err(missing_owner_is_input_error)?;
        let full = full_login(owner, &spec.login);
        let name = DomainName::lenient(&entry.domain.name);
        match self.read_ftp_account(owner, &name, &full).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "v-add-web-domain-ftp succeeded, but {}'s FTP_USER does not list {full}",
                entry.domain.name
            ))
            .maybe_done()),
            Err(error) => Err(error.maybe_done()),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<FtpAccount>> {
        match parse_id(&at.id) {
            Some((owner, domain, full)) => self.ftp_account_in_list(owner, &domain, full).await,
            None => Ok(None),
        }
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<FtpAccount>> {
        match parse_id(&at.id) {
            Some((owner, domain, full)) => self.read_ftp_account(owner, &domain, full).await,
            None => Ok(None),
        }
    }

    /// The owner's domain (shared list) listing `OWNER_LOGIN`.
    async fn find(&self, key: &FtpAccountKey) -> PanelResult<Option<FtpAccount>> {
        let Some(domain) = normal_name(&key.domain) else {
            return Ok(None);
        };
        let full = full_login(&key.owner, &key.login);
        self.ftp_account_in_list(&key.owner, &domain, &full).await
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<FtpAccount>> {
        let accounts = |owner: String| async move {
            Ok(self
                .domain_entries(&owner)
                .await?
                .iter()
                .flat_map(|entry| accounts_of(&owner, entry))
                .collect::<Vec<_>>())
        };
        match &filter.owner {
            Some(owner) => accounts(owner.clone()).await,
            None => self.for_every_owner(accounts).await,
        }
    }

    async fn update(&self, at: &Locator, patch: &FtpAccountPatch) -> PanelResult<FtpAccount> {
        let Some((owner, stored, full)) = self.ftp_place(at).await? else {
            return Err(PanelError::not_found(format!(
                "hestia FTP account {} is gone with its web domain",
                at.id
            )));
        };
        if let Some(home) = &patch.home {
            let home = normal_home(home).map_err(|p| PanelError::invalid(Some("home"), p))?;
            let command = wire::change_web_domain_ftp_path(&owner, &stored, &full, &home);
            self.write(&command, Touches::Domains(&owner)).await?;
        }
        if let Some(password) = &patch.password {
            let command = wire::change_web_domain_ftp_password(&owner, &stored, &full, password);
            self.write(&command, Touches::Domains(&owner)).await?;
        }
        self.read_back(at)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("hestia FTP account {} is gone", at.id)))
    }

    /// Deleting an account already gone (or whose domain is gone) succeeds.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let Some((owner, stored, full)) = self.ftp_place(at).await? else {
            return Ok(());
        };
        let command = wire::delete_web_domain_ftp(&owner, &stored, &full);
        match self.write(&command, Touches::Domains(&owner)).await {
            Err(e) if e.is_not_found() => Ok(()),
            other => other,
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<FtpAccount>> {
        let (owner, domain, full) = parse_id(id).ok_or_else(|| malformed(id))?;
        self.read_ftp_account(owner, &domain, full).await
    }

    fn import_id(&self, object: &FtpAccount) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER/DOMAIN/FULL_LOGIN (e.g. bob/example.com/bob_deploy)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_and_logins_lose_only_the_owner_prefix() {
        let (owner, domain, full) = parse_id("bob/Example.com/bob_deploy").unwrap();
        assert_eq!(
            (owner, domain.as_str(), full),
            ("bob", "example.com", "bob_deploy")
        );
        assert!(parse_id("bob/example.com").is_none());
        assert!(parse_id("bob//x").is_none());
        assert!(parse_id("bob/example.com/a/b").is_none());
        let entry = WebDomainEntry {
            stored: "example.com".into(),
            domain: crate::panel::Domain {
                id: "example.com".into(),
                name: "example.com".into(),
                owner: "bob".into(),
                kind: crate::panel::DomainKind::Main,
                parent: None,
                document_root: None,
                home: None,
                php_version: None,
                ip_address: None,
            },
            ftp: vec![
                ("bob_deploy".into(), String::new()),
                ("bob_bob_ci".into(), String::new()),
                ("bob_uploads".into(), "/public_html/uploads".into()),
            ],
            tls: Default::default(),
        };
        let accounts = accounts_of("bob", &entry);
        let logins: Vec<_> = accounts.iter().map(|a| a.login.as_str()).collect();
        assert_eq!(logins, ["deploy", "bob_ci", "uploads"]);
        assert_eq!(accounts[2].home, "public_html/uploads");
        assert_eq!(accounts[2].id, "bob/example.com/bob_uploads");
    }
}
