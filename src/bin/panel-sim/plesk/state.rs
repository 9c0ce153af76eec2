//! The single Plesk state behind both APIs: clients (admin, resellers, customers),
//! domains (subscriptions, addon domains, subdomains), databases, database users,
//! secret keys, and the fixed server furniture (IPs, database servers, service plans).
//!
//! Every rule that both the REST and the XML front end must enforce (uniqueness,
//! naming, password policy, cascading deletes) lives here, so the two APIs cannot
//! disagree about what exists. Front ends translate [`Fault`] into their own error
//! shapes.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::validate::{self, PasswordStrength};

/// The administrator's client id (Plesk's admin is client 1; `GET /clients/1` is how
/// third-party clients discover the admin login).
pub const ADMIN_ID: u64 = 1;
pub const ADMIN_LOGIN: &str = "admin";
pub const ADMIN_PASSWORD: &str = "sim-Passw0rd!";
/// Fixed secret keys so users can put them in a tfvars file. Real keys look like UUIDs.
pub const ADMIN_API_KEY: &str = "51a1e7f0-0000-4000-8000-00000000a001";
pub const ADMIN_SECRET_KEY: &str = "51a1e7f0-0000-4000-8000-00000000a002";

/// Client status values Plesk uses (XML `status`, REST `status`).
pub const STATUS_ACTIVE: u32 = 0;
pub const STATUS_DISABLED_BY_ADMIN: u32 = 16;
/// Assumption: REST domain status "disabled" is Plesk's "disabled by customer" (64),
/// "suspended" is "suspended by administrator" (16).
pub const STATUS_DISABLED_BY_CUSTOMER: u32 = 64;

/// Why an operation was refused. Each front end maps these to its own codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// REST 404 (or 400 where the operation declares no 404); XML 1013.
    NotFound(String),
    /// A client login is taken. REST 400; XML 1002 ("User account already exists").
    LoginTaken(String),
    /// Any other uniqueness violation. REST 400; XML 1007 ("Inserted data already exists").
    Exists(String),
    /// A value breaks a rule. REST 400 naming the field; XML 1019 ("Invalid value").
    Invalid {
        field: &'static str,
        message: String,
    },
    /// REST 400; XML 1015 ("Object owner not found").
    OwnerNotFound(String),
    /// REST 400; XML 1018 ("IP address not found").
    IpNotFound(String),
    /// REST 400; XML 14008 ("Wrong database server type").
    WrongDbServerType(String),
    /// REST 400; XML 1006 ("Permission denied").
    Forbidden(String),
    /// The object exists but the operation cannot be done in its current state (e.g.
    /// mail service off). REST 400; XML 1023 ("Operation failed", docs' reduced list).
    Failed(String),
}

impl Fault {
    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid {
            field,
            message: message.into(),
        }
    }

    pub fn message(&self) -> String {
        match self {
            Self::NotFound(m)
            | Self::LoginTaken(m)
            | Self::Exists(m)
            | Self::OwnerNotFound(m)
            | Self::IpNotFound(m)
            | Self::WrongDbServerType(m)
            | Self::Forbidden(m)
            | Self::Failed(m) => m.clone(),
            Self::Invalid { field, message } => format!("{field}: {message}"),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientType {
    Admin,
    Reseller,
    Customer,
}

impl ClientType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Reseller => "reseller",
            Self::Customer => "customer",
        }
    }
}

/// Contact details that only the XML API exposes (REST has none of them).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub phone: String,
    pub fax: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub pcode: String,
    pub country: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Client {
    pub id: u64,
    pub guid: String,
    pub created: String,
    pub kind: ClientType,
    pub login: String,
    pub name: String,
    pub company: String,
    pub email: String,
    pub contact: Contact,
    pub locale: String,
    pub status: u32,
    /// `None` only for the admin.
    pub owner_id: Option<u64>,
    pub external_id: String,
    pub description: String,
    /// A crypt-style `$5$salt$digest` string; plaintext is never stored.
    pub password_hash: String,
}

/// How a request names an owner client: REST `owner_client`, XML `owner-*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientRef {
    Id(u64),
    Login(String),
    Guid(String),
    ExternalId(String),
}

/// Fields for creating or changing a client; `None` = not given.
#[derive(Clone, Debug, Default)]
pub struct ClientFields {
    pub login: Option<String>,
    pub name: Option<String>,
    pub company: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub status: Option<u32>,
    pub locale: Option<String>,
    pub owner: Option<ClientRef>,
    pub external_id: Option<String>,
    pub description: Option<String>,
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub address: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub pcode: Option<String>,
    pub country: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DomainKind {
    Subscription,
    Addon,
    Subdomain,
}

/// Plesk hosting types; REST and XML spell them differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostingType {
    Virtual,
    StandardForwarding,
    FrameForwarding,
    None,
}

impl HostingType {
    pub fn rest_name(self) -> &'static str {
        match self {
            Self::Virtual => "virtual",
            Self::StandardForwarding => "standard_forwarding",
            Self::FrameForwarding => "frame_forwarding",
            Self::None => "none",
        }
    }

    pub fn xml_name(self) -> &'static str {
        match self {
            Self::Virtual => "vrt_hst",
            Self::StandardForwarding => "std_fwd",
            Self::FrameForwarding => "frm_fwd",
            Self::None => "none",
        }
    }

    pub fn from_rest(name: &str) -> Option<Self> {
        [
            Self::Virtual,
            Self::StandardForwarding,
            Self::FrameForwarding,
            Self::None,
        ]
        .into_iter()
        .find(|kind| kind.rest_name() == name)
    }

    pub fn from_xml(name: &str) -> Option<Self> {
        [
            Self::Virtual,
            Self::StandardForwarding,
            Self::FrameForwarding,
            Self::None,
        ]
        .into_iter()
        .find(|kind| kind.xml_name() == name)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Domain {
    pub id: u64,
    pub guid: String,
    pub created: String,
    /// Display form (Unicode, lower case).
    pub name: String,
    pub ascii_name: String,
    pub kind: DomainKind,
    /// The subscription this domain lives in (its own id for a subscription).
    pub webspace_id: u64,
    /// The domain a subdomain hangs under.
    pub parent_id: Option<u64>,
    /// Meaningful on subscriptions; addon domains and subdomains inherit it.
    pub owner_id: u64,
    pub hosting_type: HostingType,
    pub ftp_login: Option<String>,
    pub ftp_password_hash: Option<String>,
    pub www_root: String,
    pub forward_url: Option<String>,
    /// Meaningful on subscriptions; sites inherit them.
    pub ips: Vec<String>,
    pub status: u32,
    pub description: String,
    pub admin_description: String,
    pub external_id: String,
    pub plan_id: Option<u64>,
    /// Mail service on the domain (XML `mail enable/disable`, `set_prefs mailservice`,
    /// CLI `mail --on/--off`). Plesk turns it on for new domains (service plans ship
    /// with `mailservice true`, captured `service-plan get`); subdomains have none.
    #[serde(default = "yes")]
    pub mail_service: bool,
    /// The certificate the domain's hosting uses (hosting property `certificate_name`,
    /// captured physical-hosting descriptor); set by Let's Encrypt.
    #[serde(default)]
    pub certificate_name: Option<String>,
}

fn yes() -> bool {
    true
}

/// How a request names a domain: REST `DomainReference`, XML `webspace-*`/`parent-site-*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DomainRef {
    Id(u64),
    Name(String),
    Guid(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanRef {
    Id(u64),
    Name(String),
    Guid(String),
    ExternalId(String),
}

#[derive(Clone, Debug)]
pub enum Placement {
    Subscription {
        owner: Option<ClientRef>,
        ips: Vec<String>,
        plan: Option<PlanRef>,
    },
    Addon {
        webspace: DomainRef,
    },
    Subdomain {
        parent: DomainRef,
    },
}

#[derive(Clone, Debug)]
pub struct NewDomain {
    pub name: String,
    pub placement: Placement,
    pub hosting_type: HostingType,
    pub ftp_login: Option<String>,
    pub ftp_password: Option<String>,
    pub forward_url: Option<String>,
    /// Relative to the subscription's vhost directory (XML `www_root` property).
    pub www_root: Option<String>,
    pub status: Option<u32>,
    pub description: Option<String>,
    pub admin_description: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct DomainPatch {
    pub name: Option<String>,
    pub owner: Option<ClientRef>,
    pub ips: Option<Vec<String>>,
    pub hosting_type: Option<HostingType>,
    pub ftp_login: Option<String>,
    pub ftp_password: Option<String>,
    pub forward_url: Option<String>,
    /// Relative to the subscription's vhost directory, as in `add` (XML `www_root`).
    pub www_root: Option<String>,
    pub status: Option<u32>,
    pub description: Option<String>,
    pub admin_description: Option<String>,
    pub external_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Database {
    pub id: u64,
    pub name: String,
    pub db_type: String,
    /// The domain the database was created for (REST `parent_domain`).
    pub domain_id: u64,
    /// Its subscription (XML `webspace-id`).
    pub webspace_id: u64,
    pub server_id: u64,
    pub default_user_id: Option<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DbUser {
    pub id: u64,
    pub login: String,
    /// `None` = a "universal" user with access to every database of the subscription on
    /// that server.
    pub database_id: Option<u64>,
    pub webspace_id: u64,
    pub server_id: u64,
    pub password_hash: String,
    pub acl_hosts: Vec<String>,
    pub remote_ips: Vec<String>,
    pub role: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct DbUserFields {
    pub login: Option<String>,
    pub password: Option<String>,
    pub acl_hosts: Option<Vec<String>>,
    pub remote_ips: Option<Vec<String>>,
    pub role: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DbServer {
    pub id: u64,
    pub host: String,
    pub port: u16,
    pub db_type: String,
    pub admin_login: String,
    pub is_default: bool,
    pub is_local: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServerIp {
    pub ip: String,
    pub netmask: String,
    pub interface: String,
    /// `shared` or `exclusive`.
    pub ip_type: String,
    pub is_default: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Plan {
    pub id: u64,
    pub guid: String,
    pub name: String,
    pub external_id: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SecretKey {
    pub key: String,
    pub login: String,
    pub ip_addresses: Vec<String>,
    pub description: String,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Counters {
    pub client: u64,
    pub domain: u64,
    pub database: u64,
    pub db_user: u64,
    pub guid: u64,
    pub key: u64,
    #[serde(default)]
    pub dns_record: u64,
    #[serde(default)]
    pub ftp_user: u64,
    #[serde(default)]
    pub mailname: u64,
    #[serde(default)]
    pub certificate: u64,
}

/// Everything the simulated Plesk knows; serialised whole for dump/restore.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct State {
    pub password_strength: PasswordStrength,
    pub clients: BTreeMap<u64, Client>,
    pub domains: BTreeMap<u64, Domain>,
    pub databases: BTreeMap<u64, Database>,
    pub db_users: BTreeMap<u64, DbUser>,
    pub keys: BTreeMap<String, SecretKey>,
    pub db_servers: Vec<DbServer>,
    pub ips: Vec<ServerIp>,
    pub plans: Vec<Plan>,
    pub counters: Counters,
    pub server_guid: String,
    /// DNS records by zone (the id of the subscription or addon domain owning the zone).
    /// `#[serde(default)]` on every later addition keeps older dumps restorable.
    #[serde(default)]
    pub dns: BTreeMap<u64, Vec<super::dns::DnsRecord>>,
    /// Whether new domains get the default zone records (see `dns::template_records`).
    #[serde(default = "yes")]
    pub dns_template: bool,
    #[serde(default)]
    pub ftp_users: BTreeMap<u64, super::ftp::FtpUser>,
    #[serde(default)]
    pub mailnames: BTreeMap<u64, super::mail::Mailname>,
    #[serde(default)]
    pub certificates: BTreeMap<u64, super::certs::Certificate>,
    #[serde(default)]
    pub letsencrypt: super::certs::LetsEncrypt,
}

/// A GUID-shaped string derived from a sequence number: deterministic across runs, yet
/// distinct and random-looking like Plesk's.
pub fn guid_for(sequence: u64) -> String {
    let digest = Sha256::digest(format!("panel-sim-plesk-guid-{sequence}").as_bytes());
    let hex = hex::encode(&digest[..16]);
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

fn today() -> String {
    chrono::Utc::now()
        .date_naive()
        .format("%Y-%m-%d")
        .to_string()
}

fn crypt_digest(salt: &str, password: &str) -> String {
    let digest = Sha256::digest(format!("{salt}${password}").as_bytes());
    base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)
}

/// A `$5$salt$digest` string shaped like the hashes the XML API returns.
fn hash_password(salt_seed: u64, password: &str) -> String {
    let salt: String = hex::encode(Sha256::digest(format!("salt-{salt_seed}").as_bytes()))
        .chars()
        .take(16)
        .collect();
    format!("$5${salt}${}", crypt_digest(&salt, password))
}

pub fn password_matches(hash: &str, password: &str) -> bool {
    let mut parts = hash.splitn(4, '$');
    let (Some(""), Some("5"), Some(salt), Some(digest)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let expected = crypt_digest(salt, password);
    // Constant-time comparison is not needed in a simulator, but costs nothing.
    expected.len() == digest.len()
        && expected
            .bytes()
            .zip(digest.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

fn set_if<T>(target: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *target = value;
    }
}

impl State {
    /// A fresh server: the admin, two secret keys, one IPv4 address, a MySQL and a
    /// PostgreSQL server, and the service plans a new Plesk ships with.
    pub fn initial() -> Self {
        let mut state = State {
            password_strength: PasswordStrength::VeryWeak,
            clients: BTreeMap::new(),
            domains: BTreeMap::new(),
            databases: BTreeMap::new(),
            db_users: BTreeMap::new(),
            keys: BTreeMap::new(),
            db_servers: vec![
                DbServer {
                    id: 1,
                    host: "localhost".into(),
                    port: 3306,
                    db_type: "mysql".into(),
                    admin_login: "admin".into(),
                    is_default: true,
                    is_local: true,
                },
                DbServer {
                    id: 2,
                    host: "localhost".into(),
                    port: 5432,
                    db_type: "postgresql".into(),
                    admin_login: "admin".into(),
                    is_default: true,
                    is_local: true,
                },
            ],
            ips: vec![ServerIp {
                ip: "203.0.113.10".into(),
                netmask: "255.255.255.0".into(),
                interface: "eth0".into(),
                ip_type: "shared".into(),
                is_default: true,
            }],
            plans: Vec::new(),
            counters: Counters::default(),
            server_guid: guid_for(0),
            dns: BTreeMap::new(),
            dns_template: true,
            ftp_users: BTreeMap::new(),
            mailnames: BTreeMap::new(),
            certificates: BTreeMap::new(),
            letsencrypt: super::certs::LetsEncrypt::default(),
        };
        for name in [
            "Admin Simple",
            "Default Domain",
            "Unlimited",
            "Default Simple",
        ] {
            let id = state.plans.len() as u64 + 1;
            let guid = state.next_guid();
            state.plans.push(Plan {
                id,
                guid,
                name: name.into(),
                external_id: String::new(),
            });
        }
        let guid = state.next_guid();
        state.counters.client = ADMIN_ID;
        let password_hash = hash_password(state.counters.guid, ADMIN_PASSWORD);
        state.clients.insert(
            ADMIN_ID,
            Client {
                id: ADMIN_ID,
                guid,
                created: today(),
                kind: ClientType::Admin,
                login: ADMIN_LOGIN.into(),
                name: "Administrator".into(),
                company: String::new(),
                email: "admin@example.com".into(),
                contact: Contact::default(),
                locale: "en-US".into(),
                status: STATUS_ACTIVE,
                owner_id: None,
                external_id: String::new(),
                description: String::new(),
                password_hash,
            },
        );
        for (key, description) in [
            (ADMIN_API_KEY, "panel-sim REST key"),
            (ADMIN_SECRET_KEY, "panel-sim XML key"),
        ] {
            state.keys.insert(
                key.into(),
                SecretKey {
                    key: key.into(),
                    login: ADMIN_LOGIN.into(),
                    ip_addresses: Vec::new(),
                    description: description.into(),
                },
            );
        }
        state
    }

    pub fn next_guid(&mut self) -> String {
        self.counters.guid += 1;
        guid_for(self.counters.guid)
    }

    pub fn new_password_hash(&mut self, password: &str) -> String {
        self.counters.guid += 1;
        hash_password(self.counters.guid, password)
    }

    // ----- authentication -------------------------------------------------------------

    /// The login a `login:password` pair authenticates, if any.
    pub fn authenticate_password(&self, login: &str, password: &str) -> Option<&Client> {
        self.clients
            .values()
            .find(|client| client.login == login)
            .filter(|client| password_matches(&client.password_hash, password))
    }

    pub fn authenticate_key(&self, key: &str) -> Option<&SecretKey> {
        self.keys.get(key)
    }

    pub fn create_key(
        &mut self,
        login: Option<&str>,
        ip_addresses: Vec<String>,
        description: Option<String>,
    ) -> Result<String, Fault> {
        let login = login.unwrap_or(ADMIN_LOGIN);
        let owner = self
            .clients
            .values()
            .find(|client| client.login == login && client.status == STATUS_ACTIVE)
            .ok_or_else(|| {
                Fault::NotFound(format!("Incorrect login: {}", validate::printable(login)))
            })?;
        let login = owner.login.clone();
        for ip in &ip_addresses {
            if ip.parse::<std::net::IpAddr>().is_err() {
                return Err(Fault::invalid(
                    "ip",
                    format!("'{}' is not an IP address.", validate::printable(ip)),
                ));
            }
        }
        self.counters.key += 1;
        let key = guid_for(1_000_000 + self.counters.key);
        self.keys.insert(
            key.clone(),
            SecretKey {
                key: key.clone(),
                login,
                ip_addresses,
                description: description.unwrap_or_default(),
            },
        );
        Ok(key)
    }

    pub fn delete_key(&mut self, key: &str) -> Result<SecretKey, Fault> {
        self.keys
            .remove(key)
            .ok_or_else(|| Fault::NotFound("Key does not exist".into()))
    }

    // ----- clients --------------------------------------------------------------------

    pub fn find_client(&self, reference: &ClientRef) -> Option<&Client> {
        match reference {
            ClientRef::Id(id) => self.clients.get(id),
            ClientRef::Login(login) => self
                .clients
                .values()
                .find(|c| c.login.eq_ignore_ascii_case(login)),
            ClientRef::Guid(guid) => self
                .clients
                .values()
                .find(|c| c.guid.eq_ignore_ascii_case(guid)),
            ClientRef::ExternalId(ext) => self
                .clients
                .values()
                .find(|c| !c.external_id.is_empty() && c.external_id == *ext),
        }
    }

    fn client_not_found(reference: &ClientRef) -> String {
        match reference {
            ClientRef::Id(id) => format!("Client with id {id} does not exist"),
            ClientRef::Login(v) => format!(
                "Client with login {} does not exist",
                validate::printable(v)
            ),
            ClientRef::Guid(v) => {
                format!("Client with guid {} does not exist", validate::printable(v))
            }
            ClientRef::ExternalId(v) => {
                format!(
                    "Client with external id {} does not exist",
                    validate::printable(v)
                )
            }
        }
    }

    fn check_client_fields(&self, fields: &ClientFields, own_id: Option<u64>) -> Result<(), Fault> {
        if let Some(login) = &fields.login {
            validate::client_login(login).map_err(|m| Fault::invalid("login", m))?;
            if self
                .clients
                .values()
                .any(|c| c.login.eq_ignore_ascii_case(login) && Some(c.id) != own_id)
            {
                return Err(Fault::LoginTaken(format!(
                    "User account {} already exists.",
                    validate::printable(login)
                )));
            }
        }
        if let Some(name) = &fields.name {
            validate::person_name(name).map_err(|m| Fault::invalid("name", m))?;
        }
        if let Some(company) = &fields.company {
            validate::company(company).map_err(|m| Fault::invalid("company", m))?;
        }
        if let Some(email) = &fields.email {
            validate::email(email).map_err(|m| Fault::invalid("email", m))?;
        }
        if let Some(password) = &fields.password {
            validate::password(password, self.password_strength)
                .map_err(|m| Fault::invalid("password", m))?;
        }
        if let Some(status) = fields.status {
            // Docs: only 0 (enable) and 16 (disable) may be set through the API.
            if status != STATUS_ACTIVE && status != STATUS_DISABLED_BY_ADMIN {
                return Err(Fault::invalid(
                    "status",
                    format!("Status {status} cannot be set; use 0 or 16."),
                ));
            }
        }
        if let Some(locale) = &fields.locale {
            let plausible = (2..=16).contains(&locale.len())
                && locale
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !plausible {
                return Err(Fault::invalid("locale", "The locale is invalid."));
            }
        }
        for (field, value) in [
            ("external_id", &fields.external_id),
            ("description", &fields.description),
            ("phone", &fields.phone),
            ("fax", &fields.fax),
            ("address", &fields.address),
            ("city", &fields.city),
            ("state", &fields.state),
            ("pcode", &fields.pcode),
            ("country", &fields.country),
        ] {
            if value.as_ref().is_some_and(|v| v.chars().count() > 255) {
                return Err(Fault::invalid(
                    field,
                    "The value must not exceed 255 characters.",
                ));
            }
        }
        Ok(())
    }

    fn resolve_client_owner(&self, owner: Option<&ClientRef>) -> Result<u64, Fault> {
        let Some(reference) = owner else {
            return Ok(ADMIN_ID);
        };
        let client = self
            .find_client(reference)
            .ok_or_else(|| Fault::OwnerNotFound(Self::client_not_found(reference)))?;
        if client.kind == ClientType::Customer {
            return Err(Fault::OwnerNotFound(format!(
                "Client {} cannot own other clients",
                client.login
            )));
        }
        Ok(client.id)
    }

    pub fn create_client(&mut self, kind: ClientType, fields: ClientFields) -> Result<u64, Fault> {
        if kind == ClientType::Admin {
            return Err(Fault::invalid(
                "type",
                "An administrator account cannot be created.",
            ));
        }
        let Some(login) = fields.login.clone() else {
            return Err(Fault::invalid("login", "The login is required."));
        };
        let Some(name) = fields.name.clone() else {
            return Err(Fault::invalid("name", "The contact name is required."));
        };
        let Some(password) = fields.password.clone() else {
            return Err(Fault::invalid("password", "The password is required."));
        };
        self.check_client_fields(&fields, None)?;
        let owner_id = self.resolve_client_owner(fields.owner.as_ref())?;
        if kind == ClientType::Reseller && owner_id != ADMIN_ID {
            return Err(Fault::OwnerNotFound(
                "Only the administrator can own resellers".into(),
            ));
        }
        let guid = self.next_guid();
        let password_hash = self.new_password_hash(&password);
        self.counters.client += 1;
        let id = self.counters.client;
        self.clients.insert(
            id,
            Client {
                id,
                guid,
                created: today(),
                kind,
                login,
                name,
                company: fields.company.unwrap_or_default(),
                email: fields.email.unwrap_or_default(),
                contact: Contact {
                    phone: fields.phone.unwrap_or_default(),
                    fax: fields.fax.unwrap_or_default(),
                    address: fields.address.unwrap_or_default(),
                    city: fields.city.unwrap_or_default(),
                    state: fields.state.unwrap_or_default(),
                    pcode: fields.pcode.unwrap_or_default(),
                    country: fields.country.unwrap_or_default(),
                },
                locale: fields.locale.unwrap_or_else(|| "en-US".into()),
                status: fields.status.unwrap_or(STATUS_ACTIVE),
                owner_id: Some(owner_id),
                external_id: fields.external_id.unwrap_or_default(),
                description: fields.description.unwrap_or_default(),
                password_hash,
            },
        );
        Ok(id)
    }

    pub fn update_client(&mut self, id: u64, fields: ClientFields) -> Result<(), Fault> {
        let kind = self
            .clients
            .get(&id)
            .map(|c| c.kind)
            .ok_or_else(|| Fault::NotFound("Client is not found".into()))?;
        self.check_client_fields(&fields, Some(id))?;
        let owner_id = match &fields.owner {
            Some(_) if kind == ClientType::Admin => {
                return Err(Fault::Forbidden("The administrator has no owner.".into()))
            }
            Some(reference) => Some(self.resolve_client_owner(Some(reference))?),
            None => None,
        };
        if kind == ClientType::Admin && fields.status.is_some_and(|s| s != STATUS_ACTIVE) {
            return Err(Fault::Forbidden(
                "The administrator account cannot be disabled.".into(),
            ));
        }
        let password_hash = fields
            .password
            .as_ref()
            .map(|password| self.new_password_hash(password));
        let Some(client) = self.clients.get_mut(&id) else {
            return Err(Fault::NotFound("Client is not found".into()));
        };
        set_if(&mut client.login, fields.login);
        set_if(&mut client.name, fields.name);
        set_if(&mut client.company, fields.company);
        set_if(&mut client.email, fields.email);
        set_if(&mut client.password_hash, password_hash);
        set_if(&mut client.status, fields.status);
        set_if(&mut client.locale, fields.locale);
        set_if(&mut client.external_id, fields.external_id);
        set_if(&mut client.description, fields.description);
        set_if(&mut client.contact.phone, fields.phone);
        set_if(&mut client.contact.fax, fields.fax);
        set_if(&mut client.contact.address, fields.address);
        set_if(&mut client.contact.city, fields.city);
        set_if(&mut client.contact.state, fields.state);
        set_if(&mut client.contact.pcode, fields.pcode);
        set_if(&mut client.contact.country, fields.country);
        if owner_id.is_some() {
            client.owner_id = owner_id;
        }
        Ok(())
    }

    /// Deletes a client with everything it owns: its subscriptions (and their sites and
    /// databases) and, for a reseller, its customers ("all associated data", REST spec).
    pub fn delete_client(&mut self, id: u64) -> Result<Client, Fault> {
        match self.clients.get(&id) {
            None => return Err(Fault::NotFound("Client is not found".into())),
            Some(client) if client.kind == ClientType::Admin => {
                return Err(Fault::Forbidden(
                    "The administrator account cannot be deleted.".into(),
                ))
            }
            Some(_) => {}
        }
        let owned_clients: Vec<u64> = self
            .clients
            .values()
            .filter(|c| c.owner_id == Some(id))
            .map(|c| c.id)
            .collect();
        for child in owned_clients {
            self.delete_client(child)?;
        }
        let subscriptions: Vec<u64> = self
            .domains
            .values()
            .filter(|d| d.kind == DomainKind::Subscription && d.owner_id == id)
            .map(|d| d.id)
            .collect();
        for subscription in subscriptions {
            self.delete_domain(subscription)?;
        }
        let login = self
            .clients
            .get(&id)
            .map(|c| c.login.clone())
            .unwrap_or_default();
        self.keys.retain(|_, key| key.login != login);
        self.clients
            .remove(&id)
            .ok_or_else(|| Fault::NotFound("Client is not found".into()))
    }

    pub fn client_owner_login(&self, client: &Client) -> Option<&str> {
        client
            .owner_id
            .and_then(|owner| self.clients.get(&owner))
            .map(|owner| owner.login.as_str())
    }

    // ----- domains --------------------------------------------------------------------

    pub fn find_domain(&self, reference: &DomainRef) -> Option<&Domain> {
        match reference {
            DomainRef::Id(id) => self.domains.get(id),
            DomainRef::Name(name) => {
                let ascii = validate::domain_name(name).map(|(_, ascii)| ascii).ok()?;
                self.domains.values().find(|d| d.ascii_name == ascii)
            }
            DomainRef::Guid(guid) => self
                .domains
                .values()
                .find(|d| d.guid.eq_ignore_ascii_case(guid)),
        }
    }

    /// The owner of any domain (sites inherit their subscription's owner).
    pub fn domain_owner(&self, domain: &Domain) -> u64 {
        self.domains
            .get(&domain.webspace_id)
            .map_or(domain.owner_id, |ws| ws.owner_id)
    }

    pub fn domain_ips(&self, domain: &Domain) -> Vec<String> {
        self.domains
            .get(&domain.webspace_id)
            .map_or_else(|| domain.ips.clone(), |ws| ws.ips.clone())
    }

    fn check_ips(&self, ips: &[String]) -> Result<(), Fault> {
        for ip in ips {
            if !self.ips.iter().any(|known| known.ip == *ip) {
                return Err(Fault::IpNotFound(format!(
                    "IP address {} is not found on the server",
                    validate::printable(ip)
                )));
            }
        }
        Ok(())
    }

    fn check_ftp_login(&self, login: &str, own_id: Option<u64>) -> Result<(), Fault> {
        validate::ftp_login(login).map_err(|m| Fault::invalid("ftp_login", m))?;
        // Additional FTP accounts are system users too: one namespace for both.
        let taken = self
            .domains
            .values()
            .any(|d| d.ftp_login.as_deref() == Some(login) && Some(d.id) != own_id)
            || self.ftp_users.values().any(|u| u.name == login);
        if taken {
            return Err(Fault::Exists(format!(
                "System user {login} already exists."
            )));
        }
        Ok(())
    }

    fn check_domain_name_free(&self, ascii: &str, own_id: Option<u64>) -> Result<(), Fault> {
        if self
            .domains
            .values()
            .any(|d| d.ascii_name == ascii && Some(d.id) != own_id)
        {
            return Err(Fault::Exists(format!("Domain {ascii} already exists.")));
        }
        Ok(())
    }

    fn find_plan(&self, reference: &PlanRef) -> Option<&Plan> {
        self.plans.iter().find(|plan| match reference {
            PlanRef::Id(id) => plan.id == *id,
            PlanRef::Name(name) => plan.name == *name,
            PlanRef::Guid(guid) => plan.guid.eq_ignore_ascii_case(guid),
            PlanRef::ExternalId(ext) => !plan.external_id.is_empty() && plan.external_id == *ext,
        })
    }

    pub fn create_domain(&mut self, request: NewDomain) -> Result<u64, Fault> {
        let mut full_name = request.name.trim().to_owned();
        let (kind, webspace_id, parent_id, owner_id, ips, plan_id) = match &request.placement {
            Placement::Subscription { owner, ips, plan } => {
                let owner_id = match owner {
                    None => ADMIN_ID,
                    Some(reference) => self
                        .find_client(reference)
                        .map(|c| c.id)
                        .ok_or_else(|| Fault::OwnerNotFound(Self::client_not_found(reference)))?,
                };
                if ips.is_empty() {
                    return Err(Fault::invalid(
                        "ip_addresses",
                        "An IP address is required for a subscription.",
                    ));
                }
                self.check_ips(ips)?;
                let plan_id = match plan {
                    None => None,
                    Some(reference) => {
                        Some(self.find_plan(reference).map(|p| p.id).ok_or_else(|| {
                            Fault::NotFound("Service plan does not exist.".into())
                        })?)
                    }
                };
                (
                    DomainKind::Subscription,
                    0,
                    None,
                    owner_id,
                    ips.clone(),
                    plan_id,
                )
            }
            Placement::Addon { webspace } => {
                let base = self
                    .find_domain(webspace)
                    .ok_or_else(|| Fault::NotFound("Domain is not found".into()))?;
                if base.kind != DomainKind::Subscription {
                    return Err(Fault::invalid(
                        "base_domain",
                        "The base domain must be a subscription.",
                    ));
                }
                (
                    DomainKind::Addon,
                    base.id,
                    None,
                    base.owner_id,
                    Vec::new(),
                    None,
                )
            }
            Placement::Subdomain { parent } => {
                let parent = self
                    .find_domain(parent)
                    .ok_or_else(|| Fault::NotFound("Domain is not found".into()))?;
                // Accept either the full name or only the label(s) left of the parent.
                let suffix = format!(".{}", parent.ascii_name);
                let is_full = validate::domain_name(&full_name)
                    .is_ok_and(|(_, ascii)| ascii.ends_with(&suffix));
                if !is_full {
                    full_name = format!("{full_name}.{}", parent.ascii_name);
                }
                (
                    DomainKind::Subdomain,
                    parent.webspace_id,
                    Some(parent.id),
                    parent.owner_id,
                    Vec::new(),
                    None,
                )
            }
        };
        let (unicode, ascii) =
            validate::domain_name(&full_name).map_err(|m| Fault::invalid("name", m))?;
        self.check_domain_name_free(&ascii, None)?;
        if let Some(status) = request.status {
            if ![
                STATUS_ACTIVE,
                STATUS_DISABLED_BY_ADMIN,
                STATUS_DISABLED_BY_CUSTOMER,
            ]
            .contains(&status)
            {
                return Err(Fault::invalid(
                    "status",
                    format!("Status {status} cannot be set."),
                ));
            }
        }
        let mut ftp_login = None;
        let mut ftp_password_hash = None;
        match request.hosting_type {
            HostingType::Virtual if kind == DomainKind::Subscription => {
                let login = request.ftp_login.clone().ok_or_else(|| {
                    Fault::invalid(
                        "ftp_login",
                        "The FTP login is required for virtual hosting.",
                    )
                })?;
                let password = request.ftp_password.clone().ok_or_else(|| {
                    Fault::invalid(
                        "ftp_password",
                        "The FTP password is required for virtual hosting.",
                    )
                })?;
                self.check_ftp_login(&login, None)?;
                validate::password(&password, self.password_strength)
                    .map_err(|m| Fault::invalid("ftp_password", m))?;
                ftp_login = Some(login);
                ftp_password_hash = Some(self.new_password_hash(&password));
            }
            HostingType::StandardForwarding | HostingType::FrameForwarding => {
                let url = request.forward_url.as_deref().unwrap_or_default();
                if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() > 2048
                {
                    return Err(Fault::invalid(
                        "dest_url",
                        "A forwarding URL (http:// or https://) is required.",
                    ));
                }
            }
            _ => {}
        }
        let webspace_ascii = if kind == DomainKind::Subscription {
            ascii.clone()
        } else {
            self.domains
                .get(&webspace_id)
                .map(|ws| ws.ascii_name.clone())
                .unwrap_or_default()
        };
        let www_root = match (&request.www_root, kind) {
            (Some(relative), _) => {
                let relative = relative.trim_matches('/');
                if relative.is_empty()
                    || relative
                        .split('/')
                        .any(|part| part == ".." || part.is_empty())
                {
                    return Err(Fault::invalid("www_root", "The document root is invalid."));
                }
                format!("/var/www/vhosts/{webspace_ascii}/{relative}")
            }
            (None, DomainKind::Subscription) => format!("/var/www/vhosts/{ascii}/httpdocs"),
            (None, _) => format!("/var/www/vhosts/{webspace_ascii}/{ascii}"),
        };
        let guid = self.next_guid();
        self.counters.domain += 1;
        let id = self.counters.domain;
        self.domains.insert(
            id,
            Domain {
                id,
                guid,
                created: today(),
                name: unicode,
                ascii_name: ascii,
                kind,
                webspace_id: if kind == DomainKind::Subscription {
                    id
                } else {
                    webspace_id
                },
                parent_id,
                owner_id,
                hosting_type: request.hosting_type,
                ftp_login,
                ftp_password_hash,
                www_root,
                forward_url: request.forward_url.filter(|_| {
                    matches!(
                        request.hosting_type,
                        HostingType::StandardForwarding | HostingType::FrameForwarding
                    )
                }),
                ips,
                status: request.status.unwrap_or(STATUS_ACTIVE),
                description: request.description.unwrap_or_default(),
                admin_description: request.admin_description.unwrap_or_default(),
                external_id: request.external_id.unwrap_or_default(),
                plan_id,
                mail_service: kind != DomainKind::Subdomain,
                certificate_name: None,
            },
        );
        self.add_template_records(id);
        Ok(id)
    }

    pub fn update_domain(&mut self, id: u64, patch: DomainPatch) -> Result<(), Fault> {
        let Some(current) = self.domains.get(&id).cloned() else {
            return Err(Fault::NotFound("Domain is not found".into()));
        };
        let renamed = match &patch.name {
            Some(name) => {
                let (unicode, ascii) =
                    validate::domain_name(name).map_err(|m| Fault::invalid("name", m))?;
                self.check_domain_name_free(&ascii, Some(id))?;
                if current.kind == DomainKind::Subdomain {
                    let parent_ascii = current
                        .parent_id
                        .and_then(|p| self.domains.get(&p))
                        .map(|p| p.ascii_name.clone())
                        .unwrap_or_default();
                    if !ascii.ends_with(&format!(".{parent_ascii}")) {
                        return Err(Fault::invalid(
                            "name",
                            "A subdomain must stay under its parent domain.",
                        ));
                    }
                }
                Some((unicode, ascii))
            }
            None => None,
        };
        let owner_id = match &patch.owner {
            Some(reference) => {
                if current.kind != DomainKind::Subscription {
                    return Err(Fault::invalid(
                        "owner_client",
                        "Only a subscription has its own owner.",
                    ));
                }
                Some(
                    self.find_client(reference)
                        .map(|c| c.id)
                        .ok_or_else(|| Fault::OwnerNotFound(Self::client_not_found(reference)))?,
                )
            }
            None => None,
        };
        if let Some(ips) = &patch.ips {
            if current.kind != DomainKind::Subscription {
                return Err(Fault::invalid(
                    "ip_addresses",
                    "Only a subscription has its own IP addresses.",
                ));
            }
            if ips.is_empty() {
                return Err(Fault::invalid(
                    "ip_addresses",
                    "An IP address is required for a subscription.",
                ));
            }
            self.check_ips(ips)?;
        }
        if let Some(status) = patch.status {
            if ![
                STATUS_ACTIVE,
                STATUS_DISABLED_BY_ADMIN,
                STATUS_DISABLED_BY_CUSTOMER,
            ]
            .contains(&status)
            {
                return Err(Fault::invalid(
                    "status",
                    format!("Status {status} cannot be set."),
                ));
            }
        }
        let hosting_type = patch.hosting_type.unwrap_or(current.hosting_type);
        let is_virtual_subscription =
            hosting_type == HostingType::Virtual && current.kind == DomainKind::Subscription;
        if (patch.ftp_login.is_some() || patch.ftp_password.is_some()) && !is_virtual_subscription {
            return Err(Fault::invalid(
                "ftp_login",
                "FTP settings exist only for a subscription with virtual hosting.",
            ));
        }
        if let Some(login) = &patch.ftp_login {
            self.check_ftp_login(login, Some(id))?;
        }
        if is_virtual_subscription && current.ftp_login.is_none() && patch.ftp_login.is_none() {
            return Err(Fault::invalid(
                "ftp_login",
                "The FTP login is required for virtual hosting.",
            ));
        }
        if is_virtual_subscription
            && current.ftp_password_hash.is_none()
            && patch.ftp_password.is_none()
        {
            return Err(Fault::invalid(
                "ftp_password",
                "The FTP password is required for virtual hosting.",
            ));
        }
        if let Some(password) = &patch.ftp_password {
            validate::password(password, self.password_strength)
                .map_err(|m| Fault::invalid("ftp_password", m))?;
        }
        if matches!(
            hosting_type,
            HostingType::StandardForwarding | HostingType::FrameForwarding
        ) {
            let url = patch
                .forward_url
                .as_deref()
                .or(current.forward_url.as_deref())
                .unwrap_or_default();
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(Fault::invalid(
                    "dest_url",
                    "A forwarding URL (http:// or https://) is required.",
                ));
            }
        }
        let ftp_password_hash = patch
            .ftp_password
            .as_ref()
            .map(|password| self.new_password_hash(password));
        // Same rule as on create: the document root is given relative to the
        // subscription's home and stored (and reported) absolute.
        let www_root = match &patch.www_root {
            Some(relative) => {
                let relative = relative.trim_matches('/');
                if relative.is_empty()
                    || relative
                        .split('/')
                        .any(|part| part == ".." || part.is_empty())
                {
                    return Err(Fault::invalid("www_root", "The document root is invalid."));
                }
                let webspace_ascii = self
                    .domains
                    .get(&current.webspace_id)
                    .map(|ws| ws.ascii_name.clone())
                    .unwrap_or_else(|| current.ascii_name.clone());
                Some(format!("/var/www/vhosts/{webspace_ascii}/{relative}"))
            }
            None => None,
        };
        let Some(domain) = self.domains.get_mut(&id) else {
            return Err(Fault::NotFound("Domain is not found".into()));
        };
        if let Some((unicode, ascii)) = renamed {
            if domain.kind == DomainKind::Subscription
                && domain.www_root.starts_with("/var/www/vhosts/")
            {
                domain.www_root = format!("/var/www/vhosts/{ascii}/httpdocs");
            }
            domain.name = unicode;
            domain.ascii_name = ascii;
        }
        set_if(&mut domain.owner_id, owner_id);
        set_if(&mut domain.www_root, www_root);
        set_if(&mut domain.ips, patch.ips);
        domain.hosting_type = hosting_type;
        if hosting_type == HostingType::Virtual {
            if patch.ftp_login.is_some() {
                domain.ftp_login = patch.ftp_login;
            }
            if ftp_password_hash.is_some() {
                domain.ftp_password_hash = ftp_password_hash;
            }
        } else {
            domain.ftp_login = None;
            domain.ftp_password_hash = None;
        }
        if matches!(
            hosting_type,
            HostingType::StandardForwarding | HostingType::FrameForwarding
        ) {
            if patch.forward_url.is_some() {
                domain.forward_url = patch.forward_url;
            }
        } else {
            domain.forward_url = None;
        }
        set_if(&mut domain.status, patch.status);
        set_if(&mut domain.description, patch.description);
        set_if(&mut domain.admin_description, patch.admin_description);
        set_if(&mut domain.external_id, patch.external_id);
        Ok(())
    }

    /// Deletes a domain with what hangs under it: a subscription takes its sites,
    /// databases and database users along; a site takes its subdomains and its databases.
    pub fn delete_domain(&mut self, id: u64) -> Result<Domain, Fault> {
        let Some(kind) = self.domains.get(&id).map(|d| d.kind) else {
            return Err(Fault::NotFound("Domain is not found".into()));
        };
        let doomed: Vec<u64> = if kind == DomainKind::Subscription {
            self.domains
                .values()
                .filter(|d| d.webspace_id == id)
                .map(|d| d.id)
                .collect()
        } else {
            let mut doomed = vec![id];
            let mut cursor = 0;
            while cursor < doomed.len() {
                let parent = doomed[cursor];
                doomed.extend(
                    self.domains
                        .values()
                        .filter(|d| d.parent_id == Some(parent))
                        .map(|d| d.id),
                );
                cursor += 1;
            }
            doomed
        };
        let databases: Vec<u64> = self
            .databases
            .values()
            .filter(|db| doomed.contains(&db.domain_id))
            .map(|db| db.id)
            .collect();
        for database in databases {
            self.delete_database(database)?;
        }
        if kind == DomainKind::Subscription {
            self.db_users.retain(|_, user| user.webspace_id != id);
            self.ftp_users.retain(|_, user| user.webspace_id != id);
            self.certificates
                .retain(|_, cert| cert.webspace_id != Some(id));
        }
        self.forget_domain_services(&doomed);
        let mut removed = None;
        for doomed_id in doomed {
            let gone = self.domains.remove(&doomed_id);
            if doomed_id == id {
                removed = gone;
            }
        }
        removed.ok_or_else(|| Fault::NotFound("Domain is not found".into()))
    }

    // ----- databases ------------------------------------------------------------------

    pub fn db_server(&self, id: u64) -> Option<&DbServer> {
        self.db_servers.iter().find(|server| server.id == id)
    }

    pub fn create_database(
        &mut self,
        domain: &DomainRef,
        name: &str,
        db_type: &str,
        server_id: Option<u64>,
    ) -> Result<Database, Fault> {
        let domain = self
            .find_domain(domain)
            .ok_or_else(|| Fault::NotFound("Domain is not found".into()))?;
        let (domain_id, webspace_id) = (domain.id, domain.webspace_id);
        if !matches!(db_type, "mysql" | "postgresql" | "mssql") {
            return Err(Fault::invalid(
                "type",
                "Use lower case for the database types: mysql, postgresql, mssql.",
            ));
        }
        let server = match server_id {
            Some(server_id) => {
                let server = self
                    .db_server(server_id)
                    .ok_or_else(|| Fault::NotFound("Database server is not found".into()))?;
                if server.db_type != db_type {
                    return Err(Fault::WrongDbServerType(format!(
                        "Database server {server_id} is not a {db_type} server."
                    )));
                }
                server
            }
            None => self
                .db_servers
                .iter()
                .find(|server| server.db_type == db_type && server.is_default)
                .ok_or_else(|| {
                    Fault::WrongDbServerType(format!(
                        "No database server of type {db_type} is configured."
                    ))
                })?,
        };
        let server_id = server.id;
        validate::database_name(name, db_type).map_err(|m| Fault::invalid("name", m))?;
        if self
            .databases
            .values()
            .any(|db| db.server_id == server_id && db.name == name)
        {
            return Err(Fault::Exists(format!("Database {name} already exists.")));
        }
        self.counters.database += 1;
        let database = Database {
            id: self.counters.database,
            name: name.to_owned(),
            db_type: db_type.to_owned(),
            domain_id,
            webspace_id,
            server_id,
            default_user_id: None,
        };
        self.databases.insert(database.id, database.clone());
        Ok(database)
    }

    pub fn delete_database(&mut self, id: u64) -> Result<Database, Fault> {
        let database = self
            .databases
            .remove(&id)
            .ok_or_else(|| Fault::NotFound("Database is not found".into()))?;
        self.db_users.retain(|_, user| user.database_id != Some(id));
        Ok(database)
    }

    fn check_db_user_fields(
        &self,
        fields: &DbUserFields,
        server_id: u64,
        own_id: Option<u64>,
    ) -> Result<(), Fault> {
        if let Some(login) = &fields.login {
            validate::database_login(login).map_err(|m| Fault::invalid("login", m))?;
            if self
                .db_users
                .values()
                .any(|u| u.server_id == server_id && u.login == *login && Some(u.id) != own_id)
            {
                return Err(Fault::Exists(format!(
                    "Database user {login} already exists."
                )));
            }
        }
        if let Some(password) = &fields.password {
            validate::password(password, self.password_strength)
                .map_err(|m| Fault::invalid("password", m))?;
        }
        Ok(())
    }

    /// `database_id` for a user of one database, or (`webspace`, `server_id`) for a
    /// "universal" user of all the subscription's databases on that server.
    pub fn create_db_user(
        &mut self,
        database_id: Option<u64>,
        universal: Option<(DomainRef, u64)>,
        fields: DbUserFields,
    ) -> Result<DbUser, Fault> {
        let (webspace_id, server_id) = match (database_id, &universal) {
            (Some(db_id), _) => {
                let db = self
                    .databases
                    .get(&db_id)
                    .ok_or_else(|| Fault::NotFound("Database is not found".into()))?;
                (db.webspace_id, db.server_id)
            }
            (None, Some((domain, server_id))) => {
                let domain = self
                    .find_domain(domain)
                    .ok_or_else(|| Fault::NotFound("Domain is not found".into()))?;
                let server = self
                    .db_server(*server_id)
                    .ok_or_else(|| Fault::NotFound("Database server is not found".into()))?;
                (domain.webspace_id, server.id)
            }
            (None, None) => {
                return Err(Fault::invalid(
                    "database_id",
                    "Either a database or a subscription and a server is required.",
                ))
            }
        };
        if fields.login.is_none() {
            return Err(Fault::invalid("login", "The login is required."));
        }
        let Some(password) = fields.password.clone() else {
            return Err(Fault::invalid("password", "The password is required."));
        };
        self.check_db_user_fields(&fields, server_id, None)?;
        let password_hash = self.new_password_hash(&password);
        self.counters.db_user += 1;
        let user = DbUser {
            id: self.counters.db_user,
            login: fields.login.unwrap_or_default(),
            database_id,
            webspace_id,
            server_id,
            password_hash,
            acl_hosts: fields.acl_hosts.unwrap_or_default(),
            remote_ips: fields.remote_ips.unwrap_or_default(),
            role: fields.role,
        };
        // Docs: the first user created for a database becomes its default user.
        if let Some(db) = database_id.and_then(|db_id| self.databases.get_mut(&db_id)) {
            if db.default_user_id.is_none() {
                db.default_user_id = Some(user.id);
            }
        }
        self.db_users.insert(user.id, user.clone());
        Ok(user)
    }

    pub fn update_db_user(&mut self, id: u64, fields: DbUserFields) -> Result<(), Fault> {
        let server_id = self
            .db_users
            .get(&id)
            .map(|u| u.server_id)
            .ok_or_else(|| Fault::NotFound("Database user is not found".into()))?;
        self.check_db_user_fields(&fields, server_id, Some(id))?;
        let password_hash = fields
            .password
            .as_ref()
            .map(|password| self.new_password_hash(password));
        let Some(user) = self.db_users.get_mut(&id) else {
            return Err(Fault::NotFound("Database user is not found".into()));
        };
        set_if(&mut user.login, fields.login);
        set_if(&mut user.password_hash, password_hash);
        set_if(&mut user.acl_hosts, fields.acl_hosts);
        set_if(&mut user.remote_ips, fields.remote_ips);
        if fields.role.is_some() {
            user.role = fields.role;
        }
        Ok(())
    }

    pub fn delete_db_user(&mut self, id: u64) -> Result<DbUser, Fault> {
        let user = self
            .db_users
            .remove(&id)
            .ok_or_else(|| Fault::NotFound("Database user is not found".into()))?;
        if let Some(db_id) = user.database_id {
            let next_default = self
                .db_users
                .values()
                .find(|u| u.database_id == Some(db_id))
                .map(|u| u.id);
            if let Some(db) = self.databases.get_mut(&db_id) {
                if db.default_user_id == Some(id) {
                    db.default_user_id = next_default;
                }
            }
        }
        Ok(user)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(login: &str) -> ClientFields {
        ClientFields {
            login: Some(login.into()),
            name: Some("John Smith".into()),
            password: Some("simple-password".into()),
            ..ClientFields::default()
        }
    }

    fn subscription(state: &mut State, name: &str, ftp: &str, owner: Option<ClientRef>) -> u64 {
        state
            .create_domain(NewDomain {
                name: name.into(),
                placement: Placement::Subscription {
                    owner,
                    ips: vec!["203.0.113.10".into()],
                    plan: None,
                },
                hosting_type: HostingType::Virtual,
                ftp_login: Some(ftp.into()),
                ftp_password: Some("ftp-password".into()),
                forward_url: None,
                www_root: None,
                status: None,
                description: None,
                admin_description: None,
                external_id: None,
            })
            .unwrap()
    }

    #[test]
    fn guids_are_deterministic_and_distinct() {
        assert_eq!(guid_for(7), guid_for(7));
        assert_ne!(guid_for(7), guid_for(8));
        assert_eq!(guid_for(7).len(), 36);
    }

    #[test]
    fn passwords_are_hashed_and_verifiable() {
        let state = State::initial();
        assert!(state
            .authenticate_password(ADMIN_LOGIN, ADMIN_PASSWORD)
            .is_some());
        assert!(state.authenticate_password(ADMIN_LOGIN, "wrong").is_none());
        assert!(!state.clients[&ADMIN_ID]
            .password_hash
            .contains(ADMIN_PASSWORD));
    }

    #[test]
    fn client_logins_are_unique_case_insensitively() {
        let mut state = State::initial();
        state
            .create_client(ClientType::Customer, customer("john"))
            .unwrap();
        let err = state
            .create_client(ClientType::Customer, customer("JOHN"))
            .unwrap_err();
        assert!(matches!(err, Fault::LoginTaken(_)));
    }

    #[test]
    fn password_policy_is_switchable() {
        let mut state = State::initial();
        state.password_strength = PasswordStrength::Strong;
        let err = state
            .create_client(ClientType::Customer, customer("john"))
            .unwrap_err();
        assert!(matches!(
            err,
            Fault::Invalid {
                field: "password",
                ..
            }
        ));
    }

    #[test]
    fn ftp_logins_are_unique_across_subscriptions() {
        let mut state = State::initial();
        subscription(&mut state, "a.example", "ftpa", None);
        let err = state
            .create_domain(NewDomain {
                name: "b.example".into(),
                placement: Placement::Subscription {
                    owner: None,
                    ips: vec!["203.0.113.10".into()],
                    plan: None,
                },
                hosting_type: HostingType::Virtual,
                ftp_login: Some("ftpa".into()),
                ftp_password: Some("ftp-password".into()),
                forward_url: None,
                www_root: None,
                status: None,
                description: None,
                admin_description: None,
                external_id: None,
            })
            .unwrap_err();
        assert!(matches!(err, Fault::Exists(_)));
    }

    #[test]
    fn deleting_a_client_cascades_to_domains_databases_and_users() {
        let mut state = State::initial();
        let client = state
            .create_client(ClientType::Customer, customer("john"))
            .unwrap();
        let ws = subscription(&mut state, "a.example", "ftpa", Some(ClientRef::Id(client)));
        let db = state
            .create_database(&DomainRef::Id(ws), "wp", "mysql", None)
            .unwrap();
        let fields = DbUserFields {
            login: Some("wpuser".into()),
            password: Some("secret1".into()),
            ..DbUserFields::default()
        };
        let user = state.create_db_user(Some(db.id), None, fields).unwrap();
        assert_eq!(state.databases[&db.id].default_user_id, Some(user.id));
        state.delete_client(client).unwrap();
        assert!(
            state.domains.is_empty() && state.databases.is_empty() && state.db_users.is_empty()
        );
    }

    #[test]
    fn subdomain_accepts_label_or_full_name() {
        let mut state = State::initial();
        let ws = subscription(&mut state, "a.example", "ftpa", None);
        let mut request = NewDomain {
            name: "blog".into(),
            placement: Placement::Subdomain {
                parent: DomainRef::Id(ws),
            },
            hosting_type: HostingType::Virtual,
            ftp_login: None,
            ftp_password: None,
            forward_url: None,
            www_root: None,
            status: None,
            description: None,
            admin_description: None,
            external_id: None,
        };
        let sub = state.create_domain(request.clone()).unwrap();
        assert_eq!(state.domains[&sub].name, "blog.a.example");
        request.name = "shop.a.example".into();
        let shop = state.create_domain(request).unwrap();
        assert_eq!(state.domains[&shop].name, "shop.a.example");
        assert_eq!(state.domains[&shop].webspace_id, ws);
    }

    #[test]
    fn admin_cannot_be_deleted() {
        let mut state = State::initial();
        assert!(matches!(
            state.delete_client(ADMIN_ID),
            Err(Fault::Forbidden(_))
        ));
    }
}
