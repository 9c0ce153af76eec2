//! Simulated Plesk (Obsidian 18.0): the REST API v2 under `/api/v2/...` and the XML API at
//! `POST /enterprise/control/agent.php`, both on one port and over ONE state, so an
//! object created through one API is visible through the other.
//!
//! # Credentials (fixed, so they can go into a tfvars file)
//! - login `admin`, password `sim-Passw0rd!` (REST Basic auth; XML `HTTP_AUTH_LOGIN` +
//!   `HTTP_AUTH_PASSWD`);
//! - `api_key` `51a1e7f0-0000-4000-8000-00000000a001` (REST `X-API-Key`);
//! - `secret_key` `51a1e7f0-0000-4000-8000-00000000a002` (XML `KEY`).
//!
//! As on a real Plesk, secret keys are one pool: either key works on either API, and
//! keys made with `POST /auth/keys` or XML `secret_key create` work too. Only the
//! administrator's identity is modelled: other logins authenticate nothing (REST 401,
//! XML 1006 "Permission denied").
//!
//! # Fresh server
//! Admin client id 1; one shared IPv4 `203.0.113.10` on `eth0`; database servers 1
//! (MySQL, localhost:3306) and 2 (PostgreSQL, localhost:5432), both default and local;
//! service plans "Admin Simple", "Default Domain", "Unlimited", "Default Simple"; password
//! policy "Very weak" (Plesk's default).
//!
//! # Seed shape (`POST /__sim/seed`, `--seed FILE`)
//! ```json
//! {
//!   "password_strength": "very_weak|weak|medium|strong|very_strong",
//!   "ips": [{"ip": "172.17.0.2", "netmask": "255.255.0.0", "interface": "eth0", "type": "shared"}],
//!   "clients": [{"login": "jdoe", "name": "John Doe", "email": "j@example.com", "password": "...",
//!                "type": "customer|reseller", "company": "", "owner_login": "admin",
//!                "status": 0, "external_id": "", "description": "", "locale": "en-US"}],
//!   "domains": [{"name": "example.com", "kind": "subscription|addon|subdomain",
//!                "owner_login": "jdoe", "ip": "203.0.113.10", "ips": ["..."],
//!                "hosting_type": "virtual|standard_forwarding|frame_forwarding|none",
//!                "ftp_login": "exftp", "ftp_password": "...", "dest_url": "https://...",
//!                "plan": "Unlimited", "description": "", "status": 0,
//!                "parent": "subscription (addon) or parent domain (subdomain) name"}],
//!   "databases": [{"name": "wp", "domain": "example.com", "type": "mysql|postgresql",
//!                  "server_id": 1, "users": [{"login": "wpuser", "password": "..."}]}],
//!   "dns_template": true,
//!   "dns_records": [{"domain": "example.com", "type": "TXT", "host": "_dmarc",
//!                    "value": "v=DMARC1; p=none", "opt": "", "ttl": 300}],
//!   "ftp_users": [{"name": "deploy", "domain": "example.com", "password": "...",
//!                  "home": "/httpdocs", "quota": -1, "read": true, "write": true}],
//!   "mail": [{"address": "info@example.com", "mailbox": true, "password": "...",
//!             "quota": 1048576, "forwarding": ["a@example.org"], "aliases": ["hello"],
//!             "description": ""}],
//!   "certificates": [{"name": "mine", "domain": "example.com or absent for the server pool",
//!                     "csr": "", "pvt": "-----BEGIN PRIVATE KEY-----...", "cert": "...", "ca": "..."}],
//!   "letsencrypt": {"delay_ms": 2000, "wait": false}
//! }
//! ```
//! Domains also take `"mail_service": false`. `dns_template` (default true) decides
//! whether domains created after it get the default zone records; it is applied first.
//! Every key is optional except the names/logins; unknown keys are rejected. Objects go
//! through the same rules as API calls (the password policy in force is the one before
//! this seed; `password_strength` is applied last). `ips` replaces the server's IP list.
//! Defaults: client `name` = login, `password` = `sim-Passw0rd!`, `type` customer;
//! subscription IP = the server's first IP, hosting `virtual` when `ftp_login` is given
//! (else `none`), sites `virtual`. A seed is all-or-nothing. 1,000 clients seed in well
//! under a second (benchmark shape: `{"clients":[{"login":"c1"},...]}`).
//!
//! # XML operations simulated
//! customer and reseller add/get/set/del (datasets gen_info/gen-info, stat), webspace
//! add/get/set/del (every dataset of the schema except resource-usage), site
//! add/get/set/del (gen_info, hosting, stat, prefs, disk_usage, performance), subdomain
//! add/get/set/del, dns add_rec/get_rec/del_rec, ftp-user add/get/set/del, mail
//! create/update (add, remove, set)/get_info/remove/enable/disable/get_prefs/set_prefs
//! (mailservice), certificate install/update/remove/generate/get-pool, database
//! add-db/get-db/del-db/add-db-user/get-db-users/set-db-user/del-db-user, db_server
//! get/get-supported-types/get-default, ip get, service-plan get, secret_key
//! create/get_info/delete, server get_protos and get (every dataset of the schema).
//!
//! # REST (besides clients, domains, databases, db users, keys, server)
//! `/dns/records` (+`/{id}`), `/ftpusers` (+`/{name}`), `/cli/commands`,
//! `/cli/{id}/ref`, `/cli/{id}/call` for the `mail` and `extension` (Let's Encrypt)
//! utilities. Spec operations not simulated answer 501 "Not simulated: ..." (see
//! `rest_services`).
//!
//! # XML operations NOT simulated (answered with system error 1014, as Plesk answers a
//! request outside its schema; the text says "not simulated by panel-sim")
//! These appear in the captured pairs but manage things the provider never touches:
//! `event_log get/get-last-id/get_events`, `locale get`, `session get/terminate`,
//! `ui *-custombutton/get-navigation`, `user add/get/del`, `server create_session`,
//! `webspace get-limit-descriptor/get-permission-descriptor/get-physical-hosting-descriptor`,
//! the webspace `resource-usage` dataset, and the remaining operators of the schema
//! (site-alias, virtdir, protected-dir, ...). Schema elements of simulated operations
//! that are not modelled (mail autoresponders, DNS template records, ...) likewise.

mod certs;
// Used through `PleskSim::is_read`, which waits for the harness hook (see there).
#[allow(dead_code)]
mod classify;
mod cli;
mod dns;
mod ftp;
mod mail;
mod rest;
mod rest_services;
pub mod state;
mod validate;
mod xml;
mod xml_ops;
mod xml_server;
mod xml_services;

use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method};
use axum::response::Response;
use axum::routing::any;
use serde::Deserialize;

use super::panel::SimPanel;
use state::{
    ClientFields, ClientRef, ClientType, DbUserFields, DomainRef, HostingType, NewDomain,
    Placement, PlanRef, ServerIp, State,
};
use validate::PasswordStrength;

pub const XML_PATH: &str = "/enterprise/control/agent.php";

/// The simulated Plesk: one lock around the whole state (requests are microseconds long).
pub struct PleskSim {
    state: RwLock<State>,
}

pub fn new() -> Arc<PleskSim> {
    Arc::new(PleskSim {
        state: RwLock::new(State::initial()),
    })
}

impl PleskSim {
    /// A poisoned lock only means an earlier handler panicked mid-request; the state
    /// itself is still a valid value, so keep serving rather than failing forever.
    fn read(&self) -> RwLockReadGuard<'_, State> {
        self.state
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether a request only reads (harness per-kind latency; see `classify`). Plugging
    /// it into the harness is one line in `impl SimPanel`: `fn is_read(&self, m, p, b)
    /// -> bool { PleskSim::is_read(self, m, p, b) }`. Until the harness has that hook
    /// only the tests call it.
    #[allow(dead_code)]
    pub fn is_read(&self, method: &http::Method, path: &str, body: &[u8]) -> bool {
        classify::is_read(method, path, body)
    }
}

async fn xml_endpoint(
    AxumState(sim): AxumState<Arc<PleskSim>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method != Method::POST {
        let packet = xml::render_packet(
            vec![xml::system_error(
                1014,
                "Parser error: Request is invalid. Use HTTP POST.",
            )],
            false,
        );
        let mut response = axum::response::IntoResponse::into_response(packet);
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("text/xml; charset=UTF-8"),
        );
        return response;
    }
    xml::handle(&sim, &headers, &body)
}

impl SimPanel for PleskSim {
    fn name(&self) -> &'static str {
        "plesk"
    }

    fn router(self: Arc<Self>) -> axum::Router {
        rest::routes()
            .merge(rest_services::routes())
            .route(XML_PATH, any(xml_endpoint))
            .with_state(self)
    }

    fn credentials(&self) -> serde_json::Value {
        serde_json::json!({
            "login": state::ADMIN_LOGIN,
            "password": state::ADMIN_PASSWORD,
            "api_key": state::ADMIN_API_KEY,
            "secret_key": state::ADMIN_SECRET_KEY,
        })
    }

    fn dump(&self) -> serde_json::Value {
        serde_json::to_value(&*self.read()).unwrap_or(serde_json::Value::Null)
    }

    fn restore(&self, dumped: serde_json::Value) -> Result<(), String> {
        let restored: State =
            serde_json::from_value(dumped).map_err(|e| format!("not a Plesk state dump: {e}"))?;
        *self.write() = restored;
        Ok(())
    }

    fn reset(&self) {
        *self.write() = State::initial();
    }

    fn seed(&self, objects: serde_json::Value) -> Result<(), String> {
        let seed: Seed =
            serde_json::from_value(objects).map_err(|e| format!("invalid Plesk seed: {e}"))?;
        let mut guard = self.write();
        let mut draft = guard.clone();
        apply_seed(&mut draft, seed)?;
        *guard = draft;
        Ok(())
    }

    fn route_key(&self, method: &http::Method, path: &str, body: &[u8]) -> String {
        let path = path.split('?').next().unwrap_or_default();
        if path == XML_PATH {
            return match xml::first_operation(body) {
                Some(operation) => format!("xml {operation}"),
                None => "xml".to_owned(),
            };
        }
        format!("{method} {}", template_path(path))
    }
}

/// `/api/v2/clients/7/domains` → `/api/v2/clients/{id}/domains`; `/api/v2/auth/keys/K` →
/// `/api/v2/auth/keys/{key}`.
fn template_path(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let mut out: Vec<&str> = Vec::with_capacity(segments.len());
    for (index, segment) in segments.iter().enumerate() {
        let after_keys =
            index >= 2 && segments[index - 2] == "auth" && segments[index - 1] == "keys";
        if after_keys && !segment.is_empty() {
            out.push("{key}");
        } else if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push("{id}");
        } else {
            out.push(segment);
        }
    }
    out.join("/")
}

// ----- seed --------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Seed {
    #[serde(default)]
    password_strength: Option<String>,
    #[serde(default)]
    ips: Option<Vec<SeedIp>>,
    #[serde(default)]
    clients: Vec<SeedClient>,
    #[serde(default)]
    domains: Vec<SeedDomain>,
    #[serde(default)]
    databases: Vec<SeedDatabase>,
    #[serde(default)]
    dns_template: Option<bool>,
    #[serde(default)]
    dns_records: Vec<SeedDnsRecord>,
    #[serde(default)]
    ftp_users: Vec<SeedFtpUser>,
    #[serde(default)]
    mail: Vec<SeedMailname>,
    #[serde(default)]
    certificates: Vec<SeedCertificate>,
    #[serde(default)]
    letsencrypt: Option<certs::LetsEncrypt>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedDnsRecord {
    domain: String,
    #[serde(rename = "type")]
    rtype: String,
    #[serde(default)]
    host: String,
    value: String,
    #[serde(default)]
    opt: Option<String>,
    #[serde(default)]
    ttl: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFtpUser {
    name: String,
    domain: String,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    home: Option<String>,
    #[serde(default)]
    quota: Option<i64>,
    #[serde(default)]
    read: Option<bool>,
    #[serde(default)]
    write: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedMailname {
    address: String,
    #[serde(default)]
    mailbox: Option<bool>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    quota: Option<i64>,
    #[serde(default)]
    forwarding: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedCertificate {
    name: String,
    /// `None` = the server pool.
    #[serde(default)]
    domain: Option<String>,
    #[serde(default)]
    csr: String,
    pvt: String,
    #[serde(default)]
    cert: Option<String>,
    #[serde(default)]
    ca: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedIp {
    ip: String,
    #[serde(default)]
    netmask: Option<String>,
    #[serde(default)]
    interface: Option<String>,
    #[serde(default, rename = "type")]
    ip_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedClient {
    login: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    company: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    owner_login: Option<String>,
    #[serde(default)]
    status: Option<u32>,
    #[serde(default)]
    external_id: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    locale: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedDomain {
    name: String,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    owner_login: Option<String>,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    ip: Option<String>,
    #[serde(default)]
    ips: Option<Vec<String>>,
    #[serde(default)]
    hosting_type: Option<String>,
    #[serde(default)]
    ftp_login: Option<String>,
    #[serde(default)]
    ftp_password: Option<String>,
    #[serde(default)]
    dest_url: Option<String>,
    #[serde(default)]
    plan: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    status: Option<u32>,
    #[serde(default)]
    mail_service: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedDatabase {
    name: String,
    domain: String,
    #[serde(default, rename = "type")]
    db_type: Option<String>,
    #[serde(default)]
    server_id: Option<u64>,
    #[serde(default)]
    users: Vec<SeedDbUser>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedDbUser {
    login: String,
    password: String,
}

fn apply_seed(state: &mut State, seed: Seed) -> Result<(), String> {
    let strength = match &seed.password_strength {
        Some(name) => Some(
            PasswordStrength::parse(name)
                .ok_or_else(|| format!("unknown password_strength {name:?}"))?,
        ),
        None => None,
    };
    if let Some(template) = seed.dns_template {
        state.dns_template = template;
    }
    if let Some(letsencrypt) = seed.letsencrypt {
        state.letsencrypt = letsencrypt;
    }
    if let Some(ips) = seed.ips {
        if ips.is_empty() {
            return Err("ips: at least one IP address is needed".into());
        }
        state.ips = ips
            .into_iter()
            .enumerate()
            .map(|(index, ip)| ServerIp {
                netmask: ip.netmask.unwrap_or_else(|| {
                    if ip.ip.contains(':') {
                        "64".into()
                    } else {
                        "255.255.255.0".into()
                    }
                }),
                interface: ip.interface.unwrap_or_else(|| "eth0".into()),
                ip_type: ip.ip_type.unwrap_or_else(|| "shared".into()),
                is_default: index == 0,
                ip: ip.ip,
            })
            .collect();
    }
    for client in seed.clients {
        let kind = match client.kind.as_deref().unwrap_or("customer") {
            "customer" => ClientType::Customer,
            "reseller" => ClientType::Reseller,
            other => return Err(format!("client {}: unknown type {other:?}", client.login)),
        };
        let login = client.login.clone();
        let fields = ClientFields {
            name: Some(client.name.unwrap_or_else(|| client.login.clone())),
            login: Some(client.login),
            email: client.email,
            password: Some(
                client
                    .password
                    .unwrap_or_else(|| state::ADMIN_PASSWORD.into()),
            ),
            company: client.company,
            owner: client.owner_login.map(ClientRef::Login),
            status: client.status,
            external_id: client.external_id,
            description: client.description,
            locale: client.locale,
            ..ClientFields::default()
        };
        state
            .create_client(kind, fields)
            .map_err(|fault| format!("client {login}: {}", fault.message()))?;
    }
    for domain in seed.domains {
        let name = domain.name.clone();
        let kind = domain.kind.as_deref().unwrap_or("subscription");
        let parent = || {
            domain
                .parent
                .clone()
                .map(DomainRef::Name)
                .ok_or_else(|| format!("domain {name}: \"parent\" is required for kind {kind}"))
        };
        let placement = match kind {
            "subscription" => {
                let mut ips = domain.ips.clone().unwrap_or_default();
                ips.extend(domain.ip.clone());
                if ips.is_empty() {
                    ips.extend(state.ips.first().map(|ip| ip.ip.clone()));
                }
                Placement::Subscription {
                    owner: domain.owner_login.clone().map(ClientRef::Login),
                    ips,
                    plan: domain.plan.clone().map(PlanRef::Name),
                }
            }
            "addon" => Placement::Addon {
                webspace: parent()?,
            },
            "subdomain" => Placement::Subdomain { parent: parent()? },
            other => return Err(format!("domain {name}: unknown kind {other:?}")),
        };
        let is_subscription = kind == "subscription";
        let hosting_type = match domain.hosting_type.as_deref() {
            Some(text) => HostingType::from_rest(text)
                .ok_or_else(|| format!("domain {name}: unknown hosting_type {text:?}"))?,
            None if !is_subscription || domain.ftp_login.is_some() => HostingType::Virtual,
            None => HostingType::None,
        };
        let request = NewDomain {
            name: domain.name,
            placement,
            hosting_type,
            ftp_login: domain.ftp_login,
            ftp_password: domain.ftp_password,
            forward_url: domain.dest_url,
            www_root: None,
            status: domain.status,
            description: domain.description,
            admin_description: None,
            external_id: None,
        };
        let id = state
            .create_domain(request)
            .map_err(|fault| format!("domain {name}: {}", fault.message()))?;
        if let Some(on) = domain.mail_service {
            state
                .set_mail_service(id, on)
                .map_err(|fault| format!("domain {name}: {}", fault.message()))?;
        }
    }
    for database in seed.databases {
        let name = database.name.clone();
        let domain = DomainRef::Name(database.domain.clone());
        let db_type = database.db_type.unwrap_or_else(|| "mysql".into());
        let created = state
            .create_database(&domain, &database.name, &db_type, database.server_id)
            .map_err(|fault| format!("database {name}: {}", fault.message()))?;
        for user in database.users {
            let login = user.login.clone();
            let fields = DbUserFields {
                login: Some(user.login),
                password: Some(user.password),
                ..DbUserFields::default()
            };
            state
                .create_db_user(Some(created.id), None, fields)
                .map_err(|fault| format!("database user {login}: {}", fault.message()))?;
        }
    }
    seed_services(
        state,
        seed.dns_records,
        seed.ftp_users,
        seed.mail,
        seed.certificates,
    )?;
    if let Some(strength) = strength {
        state.password_strength = strength;
    }
    Ok(())
}

fn seed_domain(state: &State, name: &str, what: &str) -> Result<u64, String> {
    state
        .find_domain(&DomainRef::Name(name.to_owned()))
        .map(|d| d.id)
        .ok_or_else(|| format!("{what}: domain {name} does not exist"))
}

fn seed_services(
    state: &mut State,
    records: Vec<SeedDnsRecord>,
    ftp_users: Vec<SeedFtpUser>,
    mail: Vec<SeedMailname>,
    certificates: Vec<SeedCertificate>,
) -> Result<(), String> {
    for record in records {
        let what = format!("dns record {} {}", record.rtype, record.host);
        let domain = seed_domain(state, &record.domain, &what)?;
        state
            .add_dns_record(
                domain,
                dns::RecordFields {
                    rtype: Some(record.rtype),
                    host: Some(record.host),
                    value: Some(record.value),
                    opt: record.opt,
                    ttl: record.ttl,
                },
            )
            .map_err(|fault| format!("{what}: {}", fault.message()))?;
    }
    for user in ftp_users {
        let what = format!("ftp user {}", user.name);
        let fields = ftp::FtpFields {
            name: Some(user.name),
            password: Some(
                user.password
                    .unwrap_or_else(|| state::ADMIN_PASSWORD.into()),
            ),
            home: user.home,
            quota: user.quota,
            read: user.read,
            write: user.write,
        };
        state
            .create_ftp_user(&DomainRef::Name(user.domain), fields)
            .map_err(|fault| format!("{what}: {}", fault.message()))?;
    }
    for account in mail {
        let what = format!("mail {}", account.address);
        let (local, domain) = account
            .address
            .rsplit_once('@')
            .ok_or_else(|| format!("{what}: an address is <name>@<domain>"))?;
        let domain = seed_domain(state, domain, &what)?;
        let fields = mail::MailFields {
            mailbox: account.mailbox,
            quota: account.quota,
            password: account.password,
            forwarding_enabled: Some(!account.forwarding.is_empty()),
            forwarding: mail::ListChange::Set(account.forwarding),
            aliases: mail::ListChange::Set(account.aliases),
            description: account.description,
            cp_access: None,
        };
        state
            .create_mailname(domain, local, fields)
            .map_err(|fault| format!("{what}: {}", fault.message()))?;
    }
    for cert in certificates {
        let what = format!("certificate {}", cert.name);
        let pool = state
            .certificate_pool(cert.domain.as_deref())
            .map_err(|fault| format!("{what}: {}", fault.message()))?;
        let content = certs::CertContent {
            csr: cert.csr,
            pvt: cert.pvt,
            cert: cert.cert,
            ca: cert.ca,
        };
        state
            .install_certificate(pool, &cert.name, &content)
            .map_err(|fault| format!("{what}: {}", fault.message()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys_template_ids_and_name_xml_operations() {
        let sim = new();
        let key = |method: Method, path: &str, body: &[u8]| sim.route_key(&method, path, body);
        assert_eq!(
            key(Method::GET, "/api/v2/clients/17", b""),
            "GET /api/v2/clients/{id}"
        );
        assert_eq!(
            key(Method::PUT, "/api/v2/clients/3/suspend", b""),
            "PUT /api/v2/clients/{id}/suspend"
        );
        assert_eq!(
            key(Method::DELETE, "/api/v2/auth/keys/abc-def", b""),
            "DELETE /api/v2/auth/keys/{key}"
        );
        assert_eq!(
            key(Method::GET, "/api/v2/domains?name=x.com", b""),
            "GET /api/v2/domains"
        );
        let body =
            b"<packet><webspace><add><gen_setup/></add></webspace><site><get/></site></packet>";
        assert_eq!(key(Method::POST, XML_PATH, body), "xml webspace.add");
    }

    #[test]
    fn seed_is_all_or_nothing() {
        let sim = new();
        let bad = serde_json::json!({"clients": [{"login": "ok1"}, {"login": "bad login!"}]});
        assert!(sim.seed(bad).is_err());
        assert_eq!(sim.read().clients.len(), 1);
        let good = serde_json::json!({
            "clients": [{"login": "jdoe"}],
            "domains": [
                {"name": "example.com", "owner_login": "jdoe", "ftp_login": "exftp", "ftp_password": "secret1"},
                {"name": "blog", "kind": "subdomain", "parent": "example.com"}
            ],
            "databases": [{"name": "wp", "domain": "example.com", "users": [{"login": "wpu", "password": "secret1"}]}],
            "password_strength": "strong"
        });
        sim.seed(good).unwrap();
        let state = sim.read();
        assert_eq!(state.clients.len(), 2);
        assert_eq!(state.domains.len(), 2);
        assert_eq!(state.db_users.len(), 1);
        assert_eq!(state.password_strength, PasswordStrength::Strong);
    }

    #[test]
    fn unknown_seed_keys_are_rejected() {
        assert!(new().seed(serde_json::json!({"customers": []})).is_err());
    }

    #[test]
    fn dump_restore_round_trips_and_reset_clears() {
        let sim = new();
        sim.seed(serde_json::json!({"clients": [{"login": "jdoe"}]}))
            .unwrap();
        let dumped = sim.dump();
        sim.reset();
        assert_eq!(sim.read().clients.len(), 1);
        sim.restore(dumped).unwrap();
        assert_eq!(sim.read().clients.len(), 2);
        assert!(sim.restore(serde_json::json!({"nope": 1})).is_err());
    }
}
