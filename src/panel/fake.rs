//! Test doubles of the panel layer, as mountpoint-s3 tests its client: [`FakePanel`],
//! an in-memory panel that keeps the [`Service`] conventions (ids, natural keys,
//! "already exists", idempotent delete), and [`Faulty`], a wrapper around any panel
//! that injects the faults the resource engine must survive (a lost answer after the
//! panel committed, a commit after the client gave up, a 429, a failing read-back, a
//! stop while a request is on the wire). Every resource type and fault kind is tested
//! against these in milliseconds, without a process.

use std::any::Any;
use std::collections::{BTreeMap, VecDeque};
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio_util::sync::CancellationToken;

use super::names::DomainName;
use super::*;

/// In-memory objects, each keyed by its panel id.
#[derive(Debug, Default)]
pub struct Store {
    next_id: u64,
    pub users: BTreeMap<String, User>,
    pub domains: BTreeMap<String, Domain>,
    pub databases: BTreeMap<String, Database>,
    pub cron_jobs: BTreeMap<String, CronJob>,
    pub dns_records: BTreeMap<String, DnsRecord>,
    pub ftp_accounts: BTreeMap<String, FtpAccount>,
    pub certificates: BTreeMap<String, Certificate>,
    pub dns_zones: BTreeMap<String, DnsZone>,
    pub database_users: BTreeMap<String, DatabaseUser>,
    pub mail_domains: BTreeMap<String, MailDomain>,
    pub mailboxes: BTreeMap<String, Mailbox>,
    /// Every mutation that reached the store, in order: `create user alice`.
    pub log: Vec<String>,
}

impl Store {
    fn next_id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }
}

/// An in-memory panel with numeric ids (so ids differ from natural keys, as on Plesk).
#[derive(Debug)]
pub struct FakePanel {
    kind: PanelKind,
    capabilities: Capabilities,
    store: Mutex<Store>,
}

impl Default for FakePanel {
    fn default() -> Self {
        Self::new(PanelKind::Hestia)
    }
}

fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FakePanel {
    /// A fake reporting `kind`, able to do everything (each test narrows what it needs).
    pub fn new(kind: PanelKind) -> Self {
        Self {
            kind,
            capabilities: Capabilities {
                user_login: true,
                user_plan: true,
                user_plan_update: true,
                user_suspend: true,
                domain_addon: true,
                domain_subdomain: true,
                domain_document_root: true,
                domain_php_version: true,
                domain_ip_address: true,
                certificate_lets_encrypt: true,
                certificate_upload: true,
                database_postgresql: true,
                ftp_account_home_update: true,
                dns_record_ttl: true,
                dns_record_update_keeps_id: true,
                mail_domain_switch: true,
                mailbox_suspend: true,
                ..Capabilities::default()
            },
            store: Mutex::new(Store::default()),
        }
    }

    pub fn with_capabilities(mut self, capabilities: Capabilities) -> Self {
        self.capabilities = capabilities;
        self
    }

    /// The objects as they are now.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    fn user_key_taken(store: &Store, login: &str) -> Option<User> {
        store.users.values().find(|u| u.login == login).cloned()
    }
}

#[async_trait::async_trait]
impl Panel for FakePanel {
    fn kind(&self) -> PanelKind {
        self.kind
    }

    fn capabilities(&self) -> Capabilities {
        self.capabilities
    }

    async fn check_connection(&self) -> PanelResult<()> {
        Ok(())
    }

    fn users(&self) -> Option<&dyn Service<User>> {
        Some(self)
    }

    fn domains(&self) -> Option<&dyn Service<Domain>> {
        Some(self)
    }

    fn databases(&self) -> Option<&dyn Service<Database>> {
        Some(self)
    }

    fn cron_jobs(&self) -> Option<&dyn Service<CronJob>> {
        Some(self)
    }

    fn ftp_accounts(&self) -> Option<&dyn Service<FtpAccount>> {
        Some(self)
    }

    fn dns_records(&self) -> Option<&dyn Service<DnsRecord>> {
        Some(self)
    }

    fn database_users(&self) -> Option<&dyn Service<DatabaseUser>> {
        Some(self)
    }

    fn mail_domains(&self) -> Option<&dyn Service<MailDomain>> {
        Some(self)
    }

    fn certificates(&self) -> Option<&dyn Service<Certificate>> {
        Some(self)
    }

    fn dns_zones(&self) -> Option<&dyn Service<DnsZone>> {
        Some(self)
    }

    fn mailboxes(&self) -> Option<&dyn Service<Mailbox>> {
        Some(self)
    }
}

fn missing_owner(owner: &str) -> PanelError {
    PanelError::invalid(Some("owner"), format!("user {owner:?} does not exist"))
}

#[async_trait::async_trait]
impl Service<User> for FakePanel {
    async fn create(&self, spec: &UserSpec) -> PanelResult<User> {
        let mut store = self.store();
        if Self::user_key_taken(&store, &spec.login).is_some() {
            return Err(PanelError::already_exists(format!(
                "user {:?} exists",
                spec.login
            )));
        }
        let user = User {
            administrator: false,
            id: store.next_id(),
            login: spec.login.clone(),
            email: spec.email.clone(),
            name: spec.name.clone(),
            plan: spec.plan.clone(),
            suspended: spec.suspended,
        };
        store.log.push(format!("create user {}", spec.login));
        store.users.insert(user.id.clone(), user.clone());
        Ok(user)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<User>> {
        Ok(self.store().users.get(&at.id).cloned())
    }

    async fn find(&self, key: &UserKey) -> PanelResult<Option<User>> {
        Ok(Self::user_key_taken(&self.store(), &key.login))
    }

    async fn list(&self, _filter: &ListFilter) -> PanelResult<Vec<User>> {
        Ok(self.store().users.values().cloned().collect())
    }

    async fn update(&self, at: &Locator, patch: &UserPatch) -> PanelResult<User> {
        let mut store = self.store();
        store.log.push(format!("update user {}", at.id));
        let user = store
            .users
            .get_mut(&at.id)
            .ok_or_else(|| PanelError::not_found(format!("no user {}", at.id)))?;
        if let Some(email) = &patch.email {
            user.email = email.clone();
        }
        if let Some(name) = &patch.name {
            user.name = name.clone();
        }
        if let Some(plan) = &patch.plan {
            user.plan = Some(plan.clone());
        }
        if let Some(suspended) = patch.suspended {
            user.suspended = suspended;
        }
        Ok(user.clone())
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let mut store = self.store();
        store.log.push(format!("delete user {}", at.id));
        store.users.remove(&at.id);
        let owned = |owner: &String| owner != &at.id;
        store.domains.retain(|_, d| owned(&d.owner));
        store.databases.retain(|_, d| owned(&d.owner));
        Ok(())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<User>> {
        let store = self.store();
        Ok(Self::user_key_taken(&store, id).or_else(|| store.users.get(id).cloned()))
    }

    fn import_id(&self, object: &User) -> String {
        object.login.clone()
    }

    fn import_format(&self) -> &'static str {
        "LOGIN"
    }
}

#[async_trait::async_trait]
impl Service<Domain> for FakePanel {
    async fn create(&self, spec: &DomainSpec) -> PanelResult<Domain> {
        let mut store = self.store();
        if !store.users.contains_key(&spec.owner) {
            return Err(missing_owner(&spec.owner));
        }
        if store.domains.values().any(|d| d.name == spec.name) {
            return Err(PanelError::already_exists(format!(
                "domain {:?} exists",
                spec.name
            )));
        }
        let domain = Domain {
            id: store.next_id(),
            name: spec.name.clone(),
            owner: spec.owner.clone(),
            kind: spec.kind,
            parent: spec.parent.clone(),
            document_root: spec.document_root.clone(),
            home: None,
            php_version: spec.php_version.clone(),
            ip_address: spec.ip_address.clone(),
        };
        store.log.push(format!("create domain {}", spec.name));
        store.domains.insert(domain.id.clone(), domain.clone());
        Ok(domain)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Domain>> {
        Ok(self.store().domains.get(&at.id).cloned())
    }

    async fn find(&self, key: &DomainKey) -> PanelResult<Option<Domain>> {
        Ok(self
            .store()
            .domains
            .values()
            .find(|d| {
                DomainName::lenient(&d.name) == key.name
                    && key.owner.as_ref().is_none_or(|owner| &d.owner == owner)
            })
            .cloned())
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Domain>> {
        Ok(self
            .store()
            .domains
            .values()
            .filter(|d| filter.owner.as_ref().is_none_or(|o| &d.owner == o))
            .cloned()
            .collect())
    }

    async fn update(&self, at: &Locator, patch: &DomainPatch) -> PanelResult<Domain> {
        let mut store = self.store();
        store.log.push(format!("update domain {}", at.id));
        let domain = store
            .domains
            .get_mut(&at.id)
            .ok_or_else(|| PanelError::not_found(format!("no domain {}", at.id)))?;
        if let Some(root) = &patch.document_root {
            domain.document_root = Some(root.clone());
        }
        if let Some(php) = &patch.php_version {
            domain.php_version = Some(php.clone());
        }
        if let Some(ip) = &patch.ip_address {
            domain.ip_address = Some(ip.clone());
        }
        Ok(domain.clone())
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let mut store = self.store();
        store.log.push(format!("delete domain {}", at.id));
        store.domains.remove(&at.id);
        Ok(())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Domain>> {
        let name = DomainName::lenient(id);
        Ok(self
            .store()
            .domains
            .values()
            .find(|d| DomainName::lenient(&d.name) == name)
            .cloned())
    }

    fn import_id(&self, object: &Domain) -> String {
        object.name.clone()
    }

    fn import_format(&self) -> &'static str {
        "DOMAIN"
    }
}

#[async_trait::async_trait]
impl Service<Database> for FakePanel {
    async fn create(&self, spec: &DatabaseSpec) -> PanelResult<Database> {
        let mut store = self.store();
        if !store.users.contains_key(&spec.owner) {
            return Err(missing_owner(&spec.owner));
        }
        if store
            .databases
            .values()
            .any(|d| d.owner == spec.owner && d.name == spec.name)
        {
            return Err(PanelError::already_exists(format!(
                "database {:?} exists",
                spec.name
            )));
        }
        let database = Database {
            id: store.next_id(),
            name: spec.name.clone(),
            owner: spec.owner.clone(),
            domain: spec.domain.clone(),
            engine: spec.engine.clone(),
            user: spec.user.clone(),
        };
        store.log.push(format!("create database {}", spec.name));
        store
            .databases
            .insert(database.id.clone(), database.clone());
        Ok(database)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Database>> {
        Ok(self.store().databases.get(&at.id).cloned())
    }

    async fn find(&self, key: &DatabaseKey) -> PanelResult<Option<Database>> {
        Ok(self
            .store()
            .databases
            .values()
            .find(|d| d.owner == key.owner && d.name == key.name)
            .cloned())
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Database>> {
        Ok(self
            .store()
            .databases
            .values()
            .filter(|d| filter.owner.as_ref().is_none_or(|o| &d.owner == o))
            .cloned()
            .collect())
    }

    async fn update(&self, at: &Locator, _patch: &DatabasePatch) -> PanelResult<Database> {
        let mut store = self.store();
        store.log.push(format!("update database {}", at.id));
        store
            .databases
            .get(&at.id)
            .cloned()
            .ok_or_else(|| PanelError::not_found(format!("no database {}", at.id)))
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let mut store = self.store();
        store.log.push(format!("delete database {}", at.id));
        store.databases.remove(&at.id);
        Ok(())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Database>> {
        let store = self.store();
        let found = match id.split_once('/') {
            Some((owner, name)) => store
                .databases
                .values()
                .find(|d| d.owner == owner && d.name == name)
                .cloned(),
            None => store.databases.get(id).cloned(),
        };
        Ok(found)
    }

    fn import_id(&self, object: &Database) -> String {
        format!("{}/{}", object.owner, object.name)
    }

    fn import_format(&self) -> &'static str {
        "OWNER/NAME"
    }
}

#[async_trait::async_trait]
impl Service<CronJob> for FakePanel {
    /// Identical jobs are allowed, as in a crontab.
    async fn create(&self, spec: &CronJobSpec) -> PanelResult<CronJob> {
        let mut store = self.store();
        if !store.users.contains_key(&spec.owner) {
            return Err(missing_owner(&spec.owner));
        }
        let job = CronJob {
            id: store.next_id(),
            owner: spec.owner.clone(),
            schedule: spec.schedule.clone(),
            command: spec.command.clone(),
            suspended: spec.suspended,
        };
        store.log.push(format!("create cron job {}", spec.command));
        store.cron_jobs.insert(job.id.clone(), job.clone());
        Ok(job)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<CronJob>> {
        Ok(self.store().cron_jobs.get(&at.id).cloned())
    }

    async fn find(&self, key: &CronJobKey) -> PanelResult<Option<CronJob>> {
        Ok(self
            .store()
            .cron_jobs
            .values()
            .find(|job| key.matches(job))
            .cloned())
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<CronJob>> {
        Ok(self
            .store()
            .cron_jobs
            .values()
            .filter(|j| filter.owner.as_ref().is_none_or(|o| &j.owner == o))
            .cloned()
            .collect())
    }

    async fn update(&self, at: &Locator, patch: &CronJobPatch) -> PanelResult<CronJob> {
        let mut store = self.store();
        store.log.push(format!("update cron job {}", at.id));
        let job = store
            .cron_jobs
            .get_mut(&at.id)
            .ok_or_else(|| PanelError::not_found(format!("no cron job {}", at.id)))?;
        if let Some(schedule) = &patch.schedule {
            job.schedule = schedule.clone();
        }
        if let Some(command) = &patch.command {
            job.command = command.clone();
        }
        if let Some(suspended) = patch.suspended {
            job.suspended = suspended;
        }
        Ok(job.clone())
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let mut store = self.store();
        store.log.push(format!("delete cron job {}", at.id));
        store.cron_jobs.remove(&at.id);
        Ok(())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<CronJob>> {
        Ok(self.store().cron_jobs.get(id).cloned())
    }

    fn import_id(&self, object: &CronJob) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "ID"
    }
}

#[async_trait::async_trait]
impl Service<FtpAccount> for FakePanel {
    /// Logins are unique on the whole panel, as on an FTP server.
    async fn create(&self, spec: &FtpAccountSpec) -> PanelResult<FtpAccount> {
        let mut store = self.store();
        if !store.users.contains_key(&spec.owner) {
            return Err(missing_owner(&spec.owner));
        }
        if store.ftp_accounts.values().any(|a| a.login == spec.login) {
            return Err(PanelError::already_exists(format!(
                "FTP account {} already exists",
                spec.login
            )));
        }
        let account = FtpAccount {
            id: store.next_id(),
            owner: spec.owner.clone(),
            domain: spec.domain.clone(),
            login: spec.login.clone(),
            full_login: spec.login.clone(),
            home: spec.home.clone(),
        };
        store.log.push(format!("create FTP account {}", spec.login));
        store
            .ftp_accounts
            .insert(account.id.clone(), account.clone());
        Ok(account)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<FtpAccount>> {
        Ok(self.store().ftp_accounts.get(&at.id).cloned())
    }

    async fn find(&self, key: &FtpAccountKey) -> PanelResult<Option<FtpAccount>> {
        Ok(self
            .store()
            .ftp_accounts
            .values()
            .find(|account| key.matches(account))
            .cloned())
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<FtpAccount>> {
        Ok(self
            .store()
            .ftp_accounts
            .values()
            .filter(|a| filter.owner.as_ref().is_none_or(|o| &a.owner == o))
            .cloned()
            .collect())
    }

    async fn update(&self, at: &Locator, patch: &FtpAccountPatch) -> PanelResult<FtpAccount> {
        let mut store = self.store();
        store.log.push(format!("update FTP account {}", at.id));
        let account = store
            .ftp_accounts
            .get_mut(&at.id)
            .ok_or_else(|| PanelError::not_found(format!("no FTP account {}", at.id)))?;
        if let Some(home) = &patch.home {
            account.home = home.clone();
        }
        Ok(account.clone())
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let mut store = self.store();
        store.log.push(format!("delete FTP account {}", at.id));
        store.ftp_accounts.remove(&at.id);
        Ok(())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<FtpAccount>> {
        Ok(self.store().ftp_accounts.get(id).cloned())
    }

    fn import_id(&self, object: &FtpAccount) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "ID"
    }
}

#[async_trait::async_trait]
impl Service<MailDomain> for FakePanel {
    /// A domain receives mail for one owner only.
    async fn create(&self, spec: &MailDomainSpec) -> PanelResult<MailDomain> {
        let mut store = self.store();
        if !store.users.contains_key(&spec.owner) {
            return Err(missing_owner(&spec.owner));
        }
        if store
            .mail_domains
            .values()
            .any(|m| mail_domain::same_domain(&m.domain, &spec.domain))
        {
            return Err(PanelError::already_exists(format!(
                "mail domain {} already exists",
                spec.domain
            )));
        }
        let mail = MailDomain {
            id: store.next_id(),
            owner: spec.owner.clone(),
            domain: spec.domain.clone(),
        };
        store
            .log
            .push(format!("create mail domain {}", spec.domain));
        store.mail_domains.insert(mail.id.clone(), mail.clone());
        Ok(mail)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<MailDomain>> {
        Ok(self.store().mail_domains.get(&at.id).cloned())
    }

    async fn find(&self, key: &MailDomainKey) -> PanelResult<Option<MailDomain>> {
        Ok(self
            .store()
            .mail_domains
            .values()
            .find(|m| key.matches(m))
            .cloned())
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<MailDomain>> {
        Ok(self
            .store()
            .mail_domains
            .values()
            .filter(|m| filter.owner.as_ref().is_none_or(|o| &m.owner == o))
            .cloned()
            .collect())
    }

    async fn update(&self, at: &Locator, _patch: &MailDomainPatch) -> PanelResult<MailDomain> {
        let mut store = self.store();
        store.log.push(format!("update mail domain {}", at.id));
        store
            .mail_domains
            .get(&at.id)
            .cloned()
            .ok_or_else(|| PanelError::not_found(format!("no mail domain {}", at.id)))
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let mut store = self.store();
        store.log.push(format!("delete mail domain {}", at.id));
        store.mail_domains.remove(&at.id);
        Ok(())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<MailDomain>> {
        Ok(self.store().mail_domains.get(id).cloned())
    }

    fn import_id(&self, object: &MailDomain) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "ID"
    }
}

#[async_trait::async_trait]
impl Service<Mailbox> for FakePanel {
    async fn create(&self, spec: &MailboxSpec) -> PanelResult<Mailbox> {
        let mut store = self.store();
        if !store.users.contains_key(&spec.owner) {
            return Err(missing_owner(&spec.owner));
        }
        let key = Mailbox::spec_key(spec);
        if store.mailboxes.values().any(|m| key.matches(m)) {
            return Err(PanelError::already_exists(format!(
                "mailbox {}@{} already exists",
                spec.name, spec.domain
            )));
        }
        let mailbox = Mailbox {
            id: store.next_id(),
            owner: spec.owner.clone(),
            domain: spec.domain.clone(),
            name: spec.name.clone(),
            quota_mb: spec.quota_mb,
            suspended: spec.suspended,
        };
        store
            .log
            .push(format!("create mailbox {}@{}", spec.name, spec.domain));
        store.mailboxes.insert(mailbox.id.clone(), mailbox.clone());
        Ok(mailbox)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Mailbox>> {
        Ok(self.store().mailboxes.get(&at.id).cloned())
    }

    async fn find(&self, key: &MailboxKey) -> PanelResult<Option<Mailbox>> {
        Ok(self
            .store()
            .mailboxes
            .values()
            .find(|m| key.matches(m))
            .cloned())
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Mailbox>> {
        Ok(self
            .store()
            .mailboxes
            .values()
            .filter(|m| filter.owner.as_ref().is_none_or(|o| &m.owner == o))
            .cloned()
            .collect())
    }

    async fn update(&self, at: &Locator, patch: &MailboxPatch) -> PanelResult<Mailbox> {
        let mut store = self.store();
        store.log.push(format!("update mailbox {}", at.id));
        let mailbox = store
            .mailboxes
            .get_mut(&at.id)
            .ok_or_else(|| PanelError::not_found(format!("no mailbox {}", at.id)))?;
        if let Some(quota) = patch.quota_mb {
            mailbox.quota_mb = quota;
        }
        if let Some(suspended) = patch.suspended {
            mailbox.suspended = suspended;
        }
        Ok(mailbox.clone())
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let mut store = self.store();
        store.log.push(format!("delete mailbox {}", at.id));
        store.mailboxes.remove(&at.id);
        Ok(())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Mailbox>> {
        Ok(self.store().mailboxes.get(id).cloned())
    }

    fn import_id(&self, object: &Mailbox) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "ID"
    }
}

#[async_trait::async_trait]
impl Service<DnsRecord> for FakePanel {
    /// Identical records are allowed, as on HestiaCP (record 127).
    async fn create(&self, spec: &DnsRecordSpec) -> PanelResult<DnsRecord> {
        let mut store = self.store();
        if !store.users.contains_key(&spec.owner) {
            return Err(missing_owner(&spec.owner));
        }
        let record = DnsRecord {
            id: store.next_id(),
            owner: spec.owner.clone(),
            zone: spec.zone.clone(),
            rtype: spec.rtype.clone(),
            name: spec.name.clone(),
            value: spec.value.clone(),
            ttl: Some(spec.ttl.unwrap_or(14400)),
            priority: spec.priority,
        };
        store.log.push(format!("create dns record {}", spec.name));
        store.dns_records.insert(record.id.clone(), record.clone());
        Ok(record)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<DnsRecord>> {
        Ok(self.store().dns_records.get(&at.id).cloned())
    }

    async fn find(&self, key: &DnsRecordKey) -> PanelResult<Option<DnsRecord>> {
        Ok(self
            .store()
            .dns_records
            .values()
            .find(|record| key.matches(record))
            .cloned())
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<DnsRecord>> {
        Ok(self
            .store()
            .dns_records
            .values()
            .filter(|r| filter.owner.as_ref().is_none_or(|o| &r.owner == o))
            .cloned()
            .collect())
    }

    async fn update(&self, at: &Locator, patch: &DnsRecordPatch) -> PanelResult<DnsRecord> {
        let mut store = self.store();
        store.log.push(format!("update dns record {}", at.id));
        let record = store
            .dns_records
            .get_mut(&at.id)
            .ok_or_else(|| PanelError::not_found(format!("no dns record {}", at.id)))?;
        if let Some(name) = &patch.name {
            record.name = name.clone();
        }
        if let Some(value) = &patch.value {
            record.value = value.clone();
        }
        if let Some(ttl) = patch.ttl {
            record.ttl = Some(ttl);
        }
        if let Some(priority) = patch.priority {
            record.priority = Some(priority);
        }
        Ok(record.clone())
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let mut store = self.store();
        store.log.push(format!("delete dns record {}", at.id));
        store.dns_records.remove(&at.id);
        Ok(())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<DnsRecord>> {
        Ok(self.store().dns_records.get(id).cloned())
    }

    fn import_id(&self, object: &DnsRecord) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "ID"
    }
}

impl FakePanel {
    /// The databases a database user may be granted: existing ones of its owner.
    fn check_grants(store: &Store, owner: &str, databases: &[String]) -> PanelResult<()> {
        for id in databases {
            match store.databases.get(id) {
                Some(db) if db.owner == owner => {}
                Some(_) => {
                    return Err(PanelError::invalid(
                        Some("databases"),
                        format!("database {id} belongs to another user"),
                    ))
                }
                None => {
                    return Err(PanelError::invalid(
                        Some("databases"),
                        format!("database {id} does not exist"),
                    ))
                }
            }
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Service<DatabaseUser> for FakePanel {
    /// Names are unique per owner.
    async fn create(&self, spec: &DatabaseUserSpec) -> PanelResult<DatabaseUser> {
        let mut store = self.store();
        if !store.users.contains_key(&spec.owner) {
            return Err(missing_owner(&spec.owner));
        }
        Self::check_grants(&store, &spec.owner, &spec.databases)?;
        if store
            .database_users
            .values()
            .any(|u| u.owner == spec.owner && u.name == spec.name)
        {
            return Err(PanelError::already_exists(format!(
                "database user {} already exists",
                spec.name
            )));
        }
        let mut databases = spec.databases.clone();
        databases.sort();
        let user = DatabaseUser {
            id: store.next_id(),
            owner: spec.owner.clone(),
            name: spec.name.clone(),
            databases,
        };
        store
            .log
            .push(format!("create database user {}", spec.name));
        store.database_users.insert(user.id.clone(), user.clone());
        Ok(user)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<DatabaseUser>> {
        Ok(self.store().database_users.get(&at.id).cloned())
    }

    async fn find(&self, key: &DatabaseUserKey) -> PanelResult<Option<DatabaseUser>> {
        Ok(self
            .store()
            .database_users
            .values()
            .find(|u| u.owner == key.owner && u.name == key.name)
            .cloned())
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<DatabaseUser>> {
        Ok(self
            .store()
            .database_users
            .values()
            .filter(|u| filter.owner.as_ref().is_none_or(|o| &u.owner == o))
            .cloned()
            .collect())
    }

    async fn update(&self, at: &Locator, patch: &DatabaseUserPatch) -> PanelResult<DatabaseUser> {
        let mut store = self.store();
        store.log.push(format!("update database user {}", at.id));
        let owner = store
            .database_users
            .get(&at.id)
            .map(|u| u.owner.clone())
            .ok_or_else(|| PanelError::not_found(format!("no database user {}", at.id)))?;
        if let Some(databases) = &patch.databases {
            Self::check_grants(&store, &owner, databases)?;
        }
        let user = store
            .database_users
            .get_mut(&at.id)
            .ok_or_else(|| PanelError::not_found(format!("no database user {}", at.id)))?;
        if let Some(databases) = &patch.databases {
            let mut databases = databases.clone();
            databases.sort();
            user.databases = databases;
        }
        Ok(user.clone())
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let mut store = self.store();
        store.log.push(format!("delete database user {}", at.id));
        store.database_users.remove(&at.id);
        Ok(())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<DatabaseUser>> {
        Ok(self.store().database_users.get(id).cloned())
    }

    fn import_id(&self, object: &DatabaseUser) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "ID"
    }
}

/// The certificate the fake holds for an upload, or a stand-in Let's Encrypt one.
fn fake_certificate(
    id: String,
    owner: &str,
    domain: &str,
    source: &CertificateSource,
) -> PanelResult<Certificate> {
    let (pem, chain, lets_encrypt) = match source {
        CertificateSource::Upload(upload) => {
            (upload.certificate.clone(), upload.chain.clone(), false)
        }
        CertificateSource::LetsEncrypt => {
            let (pem, _key) = super::certificate::tests::self_signed(&[domain]);
            (pem, String::new(), true)
        }
    };
    let info = super::certificate::inspect(&pem).map_err(|problem| {
        PanelError::invalid(Some("certificate"), format!("the certificate {problem}"))
    })?;
    Ok(Certificate {
        id,
        owner: owner.to_owned(),
        domain: domain.to_owned(),
        lets_encrypt,
        certificate: pem,
        chain,
        chain_unknown: false,
        info: Some(info),
    })
}

#[async_trait::async_trait]
impl Service<Certificate> for FakePanel {
    /// One certificate per domain; ids are `OWNER/DOMAIN`.
    async fn create(&self, spec: &CertificateSpec) -> PanelResult<Certificate> {
        let mut store = self.store();
        if !store.users.contains_key(&spec.owner) {
            return Err(missing_owner(&spec.owner));
        }
        let id = format!("{}/{}", spec.owner, spec.domain);
        if store.certificates.contains_key(&id) {
            return Err(PanelError::already_exists(format!(
                "SSL for {} already exists",
                spec.domain
            )));
        }
        let certificate = fake_certificate(id.clone(), &spec.owner, &spec.domain, &spec.source)?;
        store
            .log
            .push(format!("create certificate {}", spec.domain));
        store.certificates.insert(id, certificate.clone());
        Ok(certificate)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Certificate>> {
        Ok(self.store().certificates.get(&at.id).cloned())
    }

    async fn find(&self, key: &CertificateKey) -> PanelResult<Option<Certificate>> {
        Ok(self
            .store()
            .certificates
            .values()
            .find(|c| key.matches(c))
            .cloned())
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Certificate>> {
        Ok(self
            .store()
            .certificates
            .values()
            .filter(|c| filter.owner.as_ref().is_none_or(|o| &c.owner == o))
            .cloned()
            .collect())
    }

    async fn update(&self, at: &Locator, patch: &CertificatePatch) -> PanelResult<Certificate> {
        let mut store = self.store();
        store.log.push(format!("update certificate {}", at.id));
        let current = store
            .certificates
            .get(&at.id)
            .cloned()
            .ok_or_else(|| PanelError::not_found(format!("no certificate {}", at.id)))?;
        let Some(upload) = &patch.upload else {
            return Ok(current);
        };
        let replaced = fake_certificate(
            at.id.clone(),
            &current.owner,
            &current.domain,
            &CertificateSource::Upload(upload.clone()),
        )?;
        store.certificates.insert(at.id.clone(), replaced.clone());
        Ok(replaced)
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let mut store = self.store();
        store.log.push(format!("delete certificate {}", at.id));
        store.certificates.remove(&at.id);
        Ok(())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Certificate>> {
        Ok(self.store().certificates.get(id).cloned())
    }

    fn import_id(&self, object: &Certificate) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "OWNER/DOMAIN"
    }
}

#[async_trait::async_trait]
impl Service<DnsZone> for FakePanel {
    /// Zone names are unique on the whole panel.
    async fn create(&self, spec: &DnsZoneSpec) -> PanelResult<DnsZone> {
        let mut store = self.store();
        if !store.users.contains_key(&spec.owner) {
            return Err(missing_owner(&spec.owner));
        }
        if store.dns_zones.values().any(|z| z.name == spec.name) {
            return Err(PanelError::already_exists(format!(
                "DNS zone {} already exists",
                spec.name
            )));
        }
        let zone = DnsZone {
            id: store.next_id(),
            owner: spec.owner.clone(),
            name: spec.name.clone(),
            ip: spec.ip.clone(),
            ttl: spec.ttl.unwrap_or(14400),
            template: "default".to_owned(),
        };
        store.log.push(format!("create DNS zone {}", spec.name));
        store.dns_zones.insert(zone.id.clone(), zone.clone());
        Ok(zone)
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<DnsZone>> {
        Ok(self.store().dns_zones.get(&at.id).cloned())
    }

    async fn find(&self, key: &DnsZoneKey) -> PanelResult<Option<DnsZone>> {
        Ok(self
            .store()
            .dns_zones
            .values()
            .find(|zone| key.matches(zone))
            .cloned())
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<DnsZone>> {
        Ok(self
            .store()
            .dns_zones
            .values()
            .filter(|z| filter.owner.as_ref().is_none_or(|o| &z.owner == o))
            .cloned()
            .collect())
    }

    async fn update(&self, at: &Locator, patch: &DnsZonePatch) -> PanelResult<DnsZone> {
        let mut store = self.store();
        store.log.push(format!("update DNS zone {}", at.id));
        let zone = store
            .dns_zones
            .get_mut(&at.id)
            .ok_or_else(|| PanelError::not_found(format!("no DNS zone {}", at.id)))?;
        if let Some(ip) = &patch.ip {
            zone.ip = ip.clone();
        }
        if let Some(ttl) = patch.ttl {
            zone.ttl = ttl;
        }
        Ok(zone.clone())
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let mut store = self.store();
        store.log.push(format!("delete DNS zone {}", at.id));
        store.dns_zones.remove(&at.id);
        Ok(())
    }

    async fn import(&self, id: &str) -> PanelResult<Option<DnsZone>> {
        Ok(self.store().dns_zones.get(id).cloned())
    }

    fn import_id(&self, object: &DnsZone) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "ID"
    }
}

/// A fault [`Faulty`] injects into the next matching call.
#[derive(Clone, Debug)]
pub enum Fault {
    /// The create is carried out, then its answer is lost (connection dropped after
    /// the panel committed).
    LostAnswer,
    /// The client gives up waiting (timeout); the panel commits the create only after
    /// `lookups` further natural-key lookups have been answered "not there".
    CommitsLate { lookups: usize },
    /// The create's outcome is unknown and the panel never carried it out.
    NeverCommitted,
    /// The panel refuses with 429 and does nothing.
    RateLimited,
    /// The create succeeds; the read-back right after it fails (500).
    ReadBackFails,
    /// The create is carried out while Terraform's stop arrives (the token is
    /// cancelled as the request is on the wire).
    StopDuringCreate(CancellationToken),
    /// The create is carried out but the answer reports a failure of a later step,
    /// with the object left behind (a multi-step create failing half-way).
    FailsHalfWay,
}

#[derive(Debug, Default)]
struct FaultState {
    create: VecDeque<Fault>,
    /// Creates accepted but not yet committed: (lookups still to answer, the spec).
    late: Vec<(usize, LateSpec)>,
    read_back_failures: usize,
    /// What every service says a delete leaves behind, instead of the inner panel's.
    delete_leaves: Option<&'static str>,
}

/// A create spec held back by [`Fault::CommitsLate`].
struct LateSpec(Box<dyn Any + Send + Sync>);

impl std::fmt::Debug for LateSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LateSpec(..)")
    }
}

/// Wraps any panel and injects [`Fault`]s into its services' calls, for every object
/// type at once (the wrapper is generic over [`PanelObject`]).
#[derive(Debug)]
pub struct Faulty {
    inner: Arc<dyn Panel>,
    users: FaultyService<User>,
    domains: FaultyService<Domain>,
    databases: FaultyService<Database>,
    cron_jobs: FaultyService<CronJob>,
    dns_records: FaultyService<DnsRecord>,
    ftp_accounts: FaultyService<FtpAccount>,
    certificates: FaultyService<Certificate>,
    dns_zones: FaultyService<DnsZone>,
    database_users: FaultyService<DatabaseUser>,
    mail_domains: FaultyService<MailDomain>,
    mailboxes: FaultyService<Mailbox>,
}

#[derive(Debug)]
struct FaultyService<O> {
    inner: Arc<dyn Panel>,
    state: Arc<Mutex<FaultState>>,
    _object: PhantomData<fn() -> O>,
}

impl Faulty {
    pub fn new(inner: Arc<dyn Panel>) -> Self {
        let state = Arc::new(Mutex::new(FaultState::default()));
        Self {
            users: FaultyService::new(&inner, &state),
            domains: FaultyService::new(&inner, &state),
            databases: FaultyService::new(&inner, &state),
            dns_records: FaultyService::new(&inner, &state),
            certificates: FaultyService::new(&inner, &state),
            dns_zones: FaultyService::new(&inner, &state),
            cron_jobs: FaultyService::new(&inner, &state),
            ftp_accounts: FaultyService::new(&inner, &state),
            database_users: FaultyService::new(&inner, &state),
            mail_domains: FaultyService::new(&inner, &state),
            mailboxes: FaultyService::new(&inner, &state),
            inner,
        }
    }

    /// Makes every service report that a delete leaves `note` behind on the panel.
    pub fn delete_leaves(&self, note: &'static str) {
        self.users.lock().delete_leaves = Some(note);
    }

    /// Queues `fault` for the next create (of any type).
    pub fn next_create(&self, fault: Fault) {
        let mut state = self.users.lock();
        if matches!(fault, Fault::ReadBackFails) {
            state.read_back_failures += 1;
        }
        state.create.push_back(fault);
    }
}

impl<O: PanelObject> FaultyService<O> {
    fn new(inner: &Arc<dyn Panel>, state: &Arc<Mutex<FaultState>>) -> Self {
        Self {
            inner: Arc::clone(inner),
            state: Arc::clone(state),
            _object: PhantomData,
        }
    }

    fn lock(&self) -> MutexGuard<'_, FaultState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn inner(&self) -> PanelResult<&dyn Service<O>> {
        O::service(self.inner.as_ref())
            .ok_or_else(|| PanelError::unsupported(format!("no {} service", O::NOUN)))
    }

    /// Commits the late creates whose lookups ran out.
    async fn settle_late(&self) -> PanelResult<()> {
        let due: Vec<LateSpec> = {
            let mut state = self.lock();
            for (lookups, _) in state.late.iter_mut() {
                *lookups = lookups.saturating_sub(1);
            }
            let (due, waiting) = std::mem::take(&mut state.late)
                .into_iter()
                .partition(|(lookups, spec)| *lookups == 0 && spec.0.is::<O::Spec>());
            state.late = waiting;
            due.into_iter().map(|(_, spec)| spec).collect()
        };
        for spec in due {
            if let Some(spec) = spec.0.downcast_ref::<O::Spec>() {
                self.inner()?.create(spec).await?;
            }
        }
        Ok(())
    }
}

fn lost(message: &str) -> PanelError {
    PanelError::transport(format!("{message} (injected)")).maybe_done()
}

#[async_trait::async_trait]
impl<O: PanelObject> Service<O> for FaultyService<O> {
    async fn create(&self, spec: &O::Spec) -> PanelResult<O> {
        let fault = self.lock().create.pop_front();
        let inner = self.inner()?;
        match fault {
            None | Some(Fault::ReadBackFails) => inner.create(spec).await,
            Some(Fault::LostAnswer) => {
                inner.create(spec).await?;
                Err(lost("connection closed before the answer"))
            }
            Some(Fault::CommitsLate { lookups }) => {
                self.lock()
                    .late
                    .push((lookups, LateSpec(Box::new(spec.clone()))));
                Err(
                    PanelError::new(PanelErrorKind::Temporary, "no answer in time (injected)")
                        .maybe_done(),
                )
            }
            Some(Fault::NeverCommitted) => Err(lost("connection reset")),
            Some(Fault::RateLimited) => Err(PanelError::new(
                PanelErrorKind::RateLimited,
                "too many requests (injected)",
            )),
            Some(Fault::StopDuringCreate(token)) => {
                token.cancel();
                inner.create(spec).await
            }
            Some(Fault::FailsHalfWay) => {
                let object = inner.create(spec).await?;
                Err(
                    PanelError::invalid(None, "the second step failed (injected)")
                        .with_partial(object),
                )
            }
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<O>> {
        self.inner()?.get(at).await
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<O>> {
        {
            let mut state = self.lock();
            if state.read_back_failures > 0 {
                state.read_back_failures -= 1;
                return Err(PanelError::new(
                    PanelErrorKind::Temporary,
                    "500 on the read-back (injected)",
                ));
            }
        }
        self.inner()?.read_back(at).await
    }

    async fn find(&self, key: &O::Key) -> PanelResult<Option<O>> {
        let found = self.inner()?.find(key).await;
        self.settle_late().await?;
        found
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<O>> {
        self.inner()?.list(filter).await
    }

    async fn update(&self, at: &Locator, patch: &O::Patch) -> PanelResult<O> {
        self.inner()?.update(at, patch).await
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        self.inner()?.delete(at).await
    }

    async fn import(&self, id: &str) -> PanelResult<Option<O>> {
        self.inner()?.import(id).await
    }

    fn delete_leaves(&self) -> Option<&'static str> {
        let overridden = self.lock().delete_leaves;
        overridden.or_else(|| self.inner().ok().and_then(|s| s.delete_leaves()))
    }

    fn import_id(&self, object: &O) -> String {
        self.inner()
            .map(|s| s.import_id(object))
            .unwrap_or_default()
    }

    fn import_format(&self) -> &'static str {
        self.inner().map(|s| s.import_format()).unwrap_or("")
    }
}

#[async_trait::async_trait]
impl Panel for Faulty {
    fn kind(&self) -> PanelKind {
        self.inner.kind()
    }

    fn capabilities(&self) -> Capabilities {
        self.inner.capabilities()
    }

    async fn check_connection(&self) -> PanelResult<()> {
        self.inner.check_connection().await
    }

    fn users(&self) -> Option<&dyn Service<User>> {
        self.inner
            .users()
            .map(|_| &self.users as &dyn Service<User>)
    }

    fn domains(&self) -> Option<&dyn Service<Domain>> {
        self.inner
            .domains()
            .map(|_| &self.domains as &dyn Service<Domain>)
    }

    fn databases(&self) -> Option<&dyn Service<Database>> {
        self.inner
            .databases()
            .map(|_| &self.databases as &dyn Service<Database>)
    }

    fn cron_jobs(&self) -> Option<&dyn Service<CronJob>> {
        self.inner
            .cron_jobs()
            .map(|_| &self.cron_jobs as &dyn Service<CronJob>)
    }

    fn ftp_accounts(&self) -> Option<&dyn Service<FtpAccount>> {
        self.inner
            .ftp_accounts()
            .map(|_| &self.ftp_accounts as &dyn Service<FtpAccount>)
    }

    fn dns_records(&self) -> Option<&dyn Service<DnsRecord>> {
        self.inner
            .dns_records()
            .map(|_| &self.dns_records as &dyn Service<DnsRecord>)
    }

    fn database_users(&self) -> Option<&dyn Service<DatabaseUser>> {
        self.inner
            .database_users()
            .map(|_| &self.database_users as &dyn Service<DatabaseUser>)
    }

    fn mail_domains(&self) -> Option<&dyn Service<MailDomain>> {
        self.inner
            .mail_domains()
            .map(|_| &self.mail_domains as &dyn Service<MailDomain>)
    }

    fn certificates(&self) -> Option<&dyn Service<Certificate>> {
        self.inner
            .certificates()
            .map(|_| &self.certificates as &dyn Service<Certificate>)
    }

    fn dns_zones(&self) -> Option<&dyn Service<DnsZone>> {
        self.inner
            .dns_zones()
            .map(|_| &self.dns_zones as &dyn Service<DnsZone>)
    }

    fn mailboxes(&self) -> Option<&dyn Service<Mailbox>> {
        self.inner
            .mailboxes()
            .map(|_| &self.mailboxes as &dyn Service<Mailbox>)
    }
}
