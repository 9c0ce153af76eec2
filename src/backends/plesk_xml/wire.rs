//! Plesk XML API packets: request builders (elements in the order the 1.6.9.1 schema
//! demands: sequences are order-sensitive) and a small element tree parsed with
//! quick-xml from which the typed records are read. A tree rather than serde structs
//! because one answer may hold several operators, errors may sit in any `result`,
//! and optional elements vary between Plesk versions.

use quick_xml::escape::{escape, resolve_predefined_entity};
use quick_xml::events::Event;
use quick_xml::Reader;

use super::error::{result_error, system_error};
use crate::panel::{PanelError, PanelResult, Secret};

/// One XML element: name, its own text (entities resolved, trimmed) and children.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Element {
    pub name: String,
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of child `name`, if the child exists.
    pub fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// Like [`Element::text_of`] but `None` for an empty element (`<phone/>`).
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.text_of(name).filter(|t| !t.is_empty())
    }

    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names
            .iter()
            .try_fold(self, |element, name| element.child(name))
    }
}

/// Deepest nesting accepted; Plesk answers are a handful of levels deep and a
/// hostile body must not exhaust the stack or memory.
const MAX_DEPTH: usize = 64;

/// Parses an XML document into its root element.
pub fn parse_document(xml: &str) -> PanelResult<Element> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Element> = Vec::new();
    let bad = |what: String| PanelError::protocol(format!("plesk answered malformed XML: {what}"));
    loop {
        let event = reader
            .read_event()
            .map_err(|e| bad(format!("{e} at byte {}", reader.buffer_position())))?;
        match event {
            Event::Start(start) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(bad("nesting too deep".into()));
                }
                stack.push(Element {
                    name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                    ..Default::default()
                });
            }
            Event::Empty(start) => {
                let element = Element {
                    name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
                    ..Default::default()
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => return Ok(element),
                }
            }
            Event::End(_) => {
                let Some(mut done) = stack.pop() else {
                    return Err(bad("closing tag without opening tag".into()));
                };
                done.text = done.text.trim().to_owned();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Ok(done),
                }
            }
            Event::Text(text) => {
                if let Some(current) = stack.last_mut() {
                    let decoded = text.decode().map_err(|e| bad(e.to_string()))?;
                    current.text.push_str(&decoded);
                }
            }
            Event::CData(data) => {
                if let Some(current) = stack.last_mut() {
                    let decoded = data.decode().map_err(|e| bad(e.to_string()))?;
                    current.text.push_str(&decoded);
                }
            }
            Event::GeneralRef(reference) => {
                if let Some(current) = stack.last_mut() {
                    if let Ok(Some(ch)) = reference.resolve_char_ref() {
                        current.text.push(ch);
                    } else {
                        let name = reference.decode().map_err(|e| bad(e.to_string()))?;
                        let resolved = resolve_predefined_entity(&name)
                            .ok_or_else(|| bad(format!("unknown entity &{name};")))?;
                        current.text.push_str(resolved);
                    }
                }
            }
            Event::Eof => {
                return Err(bad(
                    "the document ended before its root element closed".into()
                ))
            }
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
}

/// Checks a response packet for a `<system>` error and returns the packet.
pub fn parse_packet(xml: &str) -> PanelResult<Element> {
    let packet = parse_document(xml)?;
    if packet.name != "packet" {
        return Err(PanelError::protocol(format!(
            "plesk answered <{}> instead of <packet>",
            packet.name
        )));
    }
    if let Some(system) = packet.child("system") {
        if system.text_of("status") != Some("ok") {
            return Err(system_error(
                system.text_of("errcode").and_then(|c| c.parse().ok()),
                system.text_of("errtext").unwrap_or(""),
            ));
        }
    }
    Ok(packet)
}

/// The `result` elements of `operator/operation` (the `n`-th such operation node
/// when a packet repeats it). Missing operation nodes are a protocol error.
pub fn results<'a>(
    packet: &'a Element,
    operator: &str,
    operation: &str,
    nth: usize,
) -> PanelResult<Vec<&'a Element>> {
    let node = packet
        .children
        .iter()
        .filter(|op| op.name == operator)
        .flat_map(|op| op.children.iter().filter(|c| c.name == operation))
        .nth(nth)
        .ok_or_else(|| {
            PanelError::protocol(format!(
                "plesk's answer has no <{operator}><{operation}> node"
            ))
        })?;
    Ok(node
        .children
        .iter()
        .filter(|c| c.name == "result")
        .collect())
}

/// `Ok(result)` for a result with status ok, else the typed error.
pub fn ok_result<'a>(result: &'a Element, operation: &str) -> PanelResult<&'a Element> {
    match result.text_of("status") {
        Some("ok") => Ok(result),
        _ => Err(result_error(
            operation,
            result.text_of("errcode").and_then(|c| c.parse().ok()),
            result.text_of("errtext").unwrap_or(""),
        )),
    }
}

/// The single result of a single-object operation, checked.
pub fn single_result<'a>(
    packet: &'a Element,
    operator: &str,
    operation: &str,
) -> PanelResult<&'a Element> {
    let all = results(packet, operator, operation, 0)?;
    let first = all.first().ok_or_else(|| {
        PanelError::protocol(format!(
            "plesk's {operator} {operation} answer has no result"
        ))
    })?;
    ok_result(first, &format!("{operator} {operation}"))
}

/// The `id` of a result, as the neutral string id.
pub fn result_id(result: &Element, operation: &str) -> PanelResult<String> {
    result
        .non_empty("id")
        .map(str::to_owned)
        .ok_or_else(|| PanelError::protocol(format!("plesk's {operation} answer has no id")))
}

// ---------------------------------------------------------------- requests

/// Builds request XML with escaped text; elements are written in call order.
#[derive(Default)]
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    pub fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    pub fn empty(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str("/>");
        self
    }

    pub fn text(&mut self, name: &str, value: &str) -> &mut Self {
        self.open(name);
        self.out.push_str(&escape(value));
        self.close(name)
    }

    pub fn property(&mut self, name: &str, value: &str) -> &mut Self {
        self.open("property")
            .text("name", name)
            .text("value", value)
            .close("property")
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Wraps operator bodies into a packet (no `version`: the server's newest is used).
pub fn packet(body: &str) -> String {
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><packet>{body}</packet>")
}

fn build(f: impl FnOnce(&mut XmlWriter)) -> String {
    let mut writer = XmlWriter::default();
    f(&mut writer);
    writer.finish()
}

/// `<customer><add>`; gen_info order: pname login passwd status? email?
pub fn customer_add(
    login: &str,
    name: &str,
    password: &Secret,
    email: &str,
    suspended: bool,
) -> String {
    build(|w| {
        w.open("customer").open("add").open("gen_info");
        w.text("pname", name)
            .text("login", login)
            .text("passwd", password.expose());
        if suspended {
            w.text("status", STATUS_DISABLED);
        }
        if !email.is_empty() {
            w.text("email", email);
        }
        w.close("gen_info").close("add").close("customer");
    })
}

/// A filter element with one criterion, or an empty filter (= all).
fn filter(w: &mut XmlWriter, criterion: Option<(&str, &str)>) {
    match criterion {
        Some((name, value)) => {
            w.open("filter").text(name, value).close("filter");
        }
        None => {
            w.empty("filter");
        }
    }
}

/// `<filter>` naming several objects by one key (`<parent-id>1</parent-id><parent-id>2…`).
fn filter_many(w: &mut XmlWriter, key: &str, values: &[String]) {
    w.open("filter");
    for value in values {
        w.text(key, value);
    }
    w.close("filter");
}

pub fn customer_get(criterion: Option<(&str, &str)>) -> String {
    build(|w| {
        w.open("customer").open("get");
        filter(w, criterion);
        w.open("dataset")
            .empty("gen_info")
            .close("dataset")
            .close("get")
            .close("customer");
    })
}

/// Changes to a customer; `None` leaves a field alone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CustomerChanges<'a> {
    pub name: Option<&'a str>,
    pub password: Option<&'a Secret>,
    pub suspended: Option<bool>,
    pub email: Option<&'a str>,
}

impl CustomerChanges<'_> {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.password.is_none()
            && self.suspended.is_none()
            && self.email.is_none()
    }
}

/// Customer status values Plesk accepts on set: 0 enabled, 16 disabled by admin.
pub const STATUS_ENABLED: &str = "0";
pub const STATUS_DISABLED: &str = "16";

/// `<customer><set>`; gen_info order: pname passwd status email.
pub fn customer_set(id: &str, changes: &CustomerChanges<'_>) -> String {
    build(|w| {
        w.open("customer").open("set");
        filter(w, Some(("id", id)));
        w.open("values").open("gen_info");
        if let Some(name) = changes.name {
            w.text("pname", name);
        }
        if let Some(password) = changes.password {
            w.text("passwd", password.expose());
        }
        if let Some(suspended) = changes.suspended {
            w.text(
                "status",
                if suspended {
                    STATUS_DISABLED
                } else {
                    STATUS_ENABLED
                },
            );
        }
        if let Some(email) = changes.email {
            w.text("email", email);
        }
        w.close("gen_info")
            .close("values")
            .close("set")
            .close("customer");
    })
}

pub fn customer_del(id: &str) -> String {
    build(|w| {
        w.open("customer").open("del");
        filter(w, Some(("id", id)));
        w.close("del").close("customer");
    })
}

pub fn ip_get() -> String {
    build(|w| {
        w.open("ip").empty("get").close("ip");
    })
}

/// Everything `webspace add` needs.
#[derive(Clone, Debug, PartialEq)]
pub struct WebspaceAdd<'a> {
    pub name: &'a str,
    pub owner_id: &'a str,
    pub ip_address: &'a str,
    pub ftp_login: &'a str,
    pub ftp_password: &'a Secret,
    pub www_root: Option<&'a str>,
}

/// `<webspace><add>`: gen_setup{name owner-id htype ip_address} then
/// hosting/vrt_hst{property*, ip_address}.
pub fn webspace_add(add: &WebspaceAdd<'_>) -> String {
    build(|w| {
        w.open("webspace").open("add").open("gen_setup");
        w.text("name", add.name)
            .text("owner-id", add.owner_id)
            .text("htype", "vrt_hst")
            .text("ip_address", add.ip_address)
            .close("gen_setup");
        w.open("hosting").open("vrt_hst");
        w.property("ftp_login", add.ftp_login)
            .property("ftp_password", add.ftp_password.expose());
        if let Some(root) = add.www_root {
            w.property("www_root", root);
        }
        w.text("ip_address", add.ip_address)
            .close("vrt_hst")
            .close("hosting")
            .close("add")
            .close("webspace");
    })
}

fn get_with_datasets(
    w: &mut XmlWriter,
    operator: &str,
    criterion: Option<(&str, &str)>,
    hosting: bool,
) {
    w.open(operator).open("get");
    filter(w, criterion);
    w.open("dataset").empty("gen_info");
    if hosting {
        w.empty("hosting");
    }
    w.close("dataset").close("get").close(operator);
}

/// `webspace get` with general info and hosting (owner, IP, `www_root`).
pub fn webspace_get(criterion: Option<(&str, &str)>) -> String {
    build(|w| get_with_datasets(w, "webspace", criterion, true))
}

/// `site get` with general info and hosting (subscription id, `www_root`).
pub fn site_get(criterion: Option<(&str, &str)>) -> String {
    build(|w| get_with_datasets(w, "site", criterion, true))
}

/// One packet asking both `webspace get` and `site get` with the same criterion
/// (`id` or `name`), with hosting: Plesk domains share one id space, and this reads
/// "which is it, and what is it" in one request.
pub fn domain_get(criterion: (&str, &str)) -> String {
    format!(
        "{}{}",
        webspace_get(Some(criterion)),
        site_get(Some(criterion))
    )
}

/// Every subscription and every site of the panel, in one packet (empty filters).
pub fn panel_domains() -> String {
    format!("{}{}", webspace_get(None), site_get(None))
}

/// A subscription and all its sites, with hosting (owner, home, IP, roots; the site
/// names are what a site's kind and parent are inferred from), in one packet.
pub fn family(webspace_id: &str) -> String {
    webspace_get(Some(("id", webspace_id))) + &site_get(Some(("parent-id", webspace_id)))
}

/// Every database of the panel and every database user, in one packet.
pub fn panel_databases() -> String {
    build(|w| {
        w.open("database").open("get-db");
        filter(w, None);
        w.close("get-db").close("database");
        w.open("database").open("get-db-users");
        filter(w, None);
        w.close("get-db-users").close("database");
    })
}

/// One database and its users, in one packet.
pub fn database_with_users(db_id: &str) -> String {
    build(|w| {
        w.open("database").open("get-db");
        filter(w, Some(("id", db_id)));
        w.close("get-db").close("database");
        w.open("database").open("get-db-users");
        filter(w, Some(("db-id", db_id)));
        w.close("get-db-users").close("database");
    })
}

/// The databases of one subscription, by its name.
pub fn databases_of_webspace(webspace_name: &str) -> String {
    build(|w| {
        w.open("database").open("get-db");
        filter(w, Some(("webspace-name", webspace_name)));
        w.close("get-db").close("database");
    })
}

/// The users of some databases, in one packet.
pub fn db_users_of(db_ids: &[String]) -> String {
    build(|w| {
        w.open("database").open("get-db-users");
        filter_many(w, "db-id", db_ids);
        w.close("get-db-users").close("database");
    })
}

/// `<site><add>`: gen_setup{name htype? (webspace-name | parent-site-name)}, hosting?.
pub fn site_add(
    name: &str,
    webspace_name: Option<&str>,
    parent_site: Option<&str>,
    www_root: Option<&str>,
) -> String {
    build(|w| {
        w.open("site").open("add").open("gen_setup");
        w.text("name", name);
        if www_root.is_some() {
            w.text("htype", "vrt_hst");
        }
        if let Some(webspace) = webspace_name {
            w.text("webspace-name", webspace);
        }
        if let Some(parent) = parent_site {
            w.text("parent-site-name", parent);
        }
        w.close("gen_setup");
        if let Some(root) = www_root {
            w.open("hosting")
                .open("vrt_hst")
                .property("www_root", root)
                .close("vrt_hst")
                .close("hosting");
        }
        w.close("add").close("site");
    })
}

/// Hosting changes of one subscription or site; `None` leaves a setting alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct HostingChanges<'a> {
    /// Relative to the subscription's home.
    pub www_root: Option<&'a str>,
    /// Subscriptions only.
    pub ip_address: Option<&'a str>,
    /// The system (FTP) user's password; subscriptions only (the physical hosting
    /// descriptor lists `ftp_password` at the `domain` level, writable by the admin).
    pub ftp_password: Option<&'a Secret>,
}

impl HostingChanges<'_> {
    pub fn is_empty(&self) -> bool {
        self.www_root.is_none() && self.ip_address.is_none() && self.ftp_password.is_none()
    }
}

/// `<webspace|site><set>` of hosting: vrt_hst{property*, ip_address?}, the schema's
/// order.
pub fn hosting_set(operator: &str, id: &str, changes: &HostingChanges<'_>) -> String {
    build(|w| {
        w.open(operator).open("set");
        filter(w, Some(("id", id)));
        w.open("values").open("hosting").open("vrt_hst");
        if let Some(root) = changes.www_root {
            w.property("www_root", root);
        }
        if let Some(password) = changes.ftp_password {
            w.property("ftp_password", password.expose());
        }
        if let Some(ip) = changes.ip_address {
            w.text("ip_address", ip);
        }
        w.close("vrt_hst")
            .close("hosting")
            .close("values")
            .close("set")
            .close(operator);
    })
}

pub fn del(operator: &str, id: &str) -> String {
    build(|w| {
        w.open(operator).open("del");
        filter(w, Some(("id", id)));
        w.close("del").close(operator);
    })
}

pub fn add_db(webspace_id: &str, name: &str, db_type: &str) -> String {
    build(|w| {
        w.open("database")
            .open("add-db")
            .text("webspace-id", webspace_id)
            .text("name", name)
            .text("type", db_type)
            .close("add-db")
            .close("database");
    })
}

pub fn add_db_user(db_id: &str, login: &str, password: &Secret) -> String {
    build(|w| {
        w.open("database")
            .open("add-db-user")
            .text("db-id", db_id)
            .text("login", login)
            .text("password", password.expose())
            .close("add-db-user")
            .close("database");
    })
}

pub fn set_db_user_password(user_id: &str, password: &Secret) -> String {
    build(|w| {
        w.open("database")
            .open("set-db-user")
            .text("id", user_id)
            .text("password", password.expose())
            .close("set-db-user")
            .close("database");
    })
}

/// Every database user (`get-db-users` with an empty filter), or one by its id.
pub fn db_users_get(user_id: Option<&str>) -> String {
    build(|w| {
        w.open("database").open("get-db-users");
        filter(w, user_id.map(|id| ("id", id)));
        w.close("get-db-users").close("database");
    })
}

/// `del-db-user` of one user by id (its database stays).
pub fn del_db_user(user_id: &str) -> String {
    build(|w| {
        w.open("database").open("del-db-user");
        filter(w, Some(("id", user_id)));
        w.close("del-db-user").close("database");
    })
}

pub fn del_db(db_id: &str) -> String {
    build(|w| {
        w.open("database").open("del-db");
        filter(w, Some(("id", db_id)));
        w.close("del-db").close("database");
    })
}

// ---------------------------------------------------------------- records

/// A customer as the backend keeps it: only the fields a user is made of.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerRecord {
    pub id: String,
    pub login: String,
    pub pname: String,
    pub email: String,
    /// Any status but 0 (active): disabled by the admin (16), by a reseller, expired...
    pub suspended: bool,
}

/// A customer from a `get` result; `None` when the result carries no data (no match).
pub fn customer_record(result: &Element) -> Option<CustomerRecord> {
    let info = result.path(&["data", "gen_info"])?;
    Some(CustomerRecord {
        id: result.non_empty("id")?.to_owned(),
        login: info.text_of("login").unwrap_or("").to_owned(),
        pname: info.text_of("pname").unwrap_or("").to_owned(),
        email: info.text_of("email").unwrap_or("").to_owned(),
        suspended: info
            .text_of("status")
            .is_some_and(|s| !s.is_empty() && s != "0"),
    })
}

/// A subscription or site as the backend keeps it: only the fields a domain is made of.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DomainRecord {
    pub id: String,
    /// ASCII (punycode) form when Plesk reports it, else the display name.
    pub name: String,
    pub owner_id: Option<String>,
    pub owner_login: Option<String>,
    /// Sites only: the subscription they belong to.
    pub webspace_id: Option<String>,
    pub ip_address: Option<String>,
    /// Absolute, as Plesk reports it.
    pub www_root: Option<String>,
}

fn hosting_property<'a>(data: &'a Element, name: &str) -> Option<&'a str> {
    data.path(&["hosting", "vrt_hst"])?
        .children_named("property")
        .find(|p| p.text_of("name") == Some(name))
        .and_then(|p| p.non_empty("value"))
}

/// A webspace or site from a `get` result with datasets gen_info (+ hosting).
pub fn domain_record(result: &Element) -> Option<DomainRecord> {
    let data = result.child("data")?;
    let info = data.child("gen_info")?;
    let name = info
        .non_empty("ascii-name")
        .or_else(|| info.non_empty("name"))?
        .to_owned();
    let ip = data
        .path(&["hosting", "vrt_hst"])
        .and_then(|h| h.non_empty("ip_address"))
        .or_else(|| info.non_empty("dns_ip_address"));
    Some(DomainRecord {
        id: result.non_empty("id")?.to_owned(),
        name,
        owner_id: info.non_empty("owner-id").map(str::to_owned),
        owner_login: info.non_empty("owner-login").map(str::to_owned),
        webspace_id: info.non_empty("webspace-id").map(str::to_owned),
        ip_address: ip.map(str::to_owned),
        www_root: hosting_property(data, "www_root").map(str::to_owned),
    })
}

#[derive(Clone, Debug, PartialEq)]
pub struct DbRecord {
    pub id: String,
    pub name: String,
    pub db_type: String,
    pub webspace_id: String,
    pub default_user_id: Option<String>,
}

/// A database from a `get-db` result (fields sit directly in `result`); `None` for
/// the id-less result Plesk sends when nothing matched.
pub fn db_record(result: &Element) -> Option<DbRecord> {
    Some(DbRecord {
        id: result.non_empty("id")?.to_owned(),
        name: result.non_empty("name")?.to_owned(),
        db_type: result.text_of("type").unwrap_or("mysql").to_owned(),
        webspace_id: result.text_of("webspace-id").unwrap_or("").to_owned(),
        default_user_id: result.non_empty("default-user-id").map(str::to_owned),
    })
}

#[derive(Clone, Debug, PartialEq)]
pub struct DbUserRecord {
    pub id: String,
    pub login: String,
    /// The database the user belongs to (absent for a subscription-wide user).
    pub db_id: Option<String>,
}

pub fn db_user_record(result: &Element) -> Option<DbUserRecord> {
    Some(DbUserRecord {
        id: result.non_empty("id")?.to_owned(),
        login: result.non_empty("login")?.to_owned(),
        db_id: result.non_empty("db-id").map(str::to_owned),
    })
}

#[derive(Clone, Debug, PartialEq)]
pub struct IpRecord {
    pub address: String,
    pub ip_type: String,
}

pub fn ip_records(result: &Element) -> Vec<IpRecord> {
    result
        .child("addresses")
        .map(|a| {
            a.children_named("ip_info")
                .filter_map(|info| {
                    Some(IpRecord {
                        address: info.non_empty("ip_address")?.to_owned(),
                        ip_type: info.text_of("type").unwrap_or("").to_owned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The IP for a new subscription when the spec names none: the first shared IP,
/// else the first IP at all (single-IP servers often mark theirs exclusive).
pub fn default_ip(ips: &[IpRecord]) -> Option<&str> {
    ips.iter()
        .find(|ip| ip.ip_type == "shared")
        .or_else(|| ips.first())
        .map(|ip| ip.address.as_str())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::panel::PanelErrorKind;

    pub(crate) fn captured(name: &str) -> String {
        let path = crate::backends::reference_dir("plesk/xml/captured").join(format!("{name}.xml"));
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("captured file {} is missing: {e}", path.display()))
    }

    /// Requests compared as trees, ignoring the captured files' re-indentation.
    fn same_tree(ours: &str, captured_name: &str) {
        let ours = parse_document(ours).unwrap();
        let theirs = parse_document(&captured(captured_name)).unwrap();
        assert_eq!(ours, theirs, "request differs from {captured_name}");
    }

    #[test]
    fn request_packets_match_captured_shapes() {
        same_tree(
            &packet(&customer_get(Some(("id", "176")))),
            "customer-get.request",
        );
        same_tree(&packet(&customer_get(None)), "customer-get-2.request");
        same_tree(&packet(&customer_del("174")), "customer-del.request");
        same_tree(&packet(&ip_get()), "ip-get.request");
        same_tree(&packet(&del("webspace", "56")), "webspace-del.request");
        same_tree(&packet(&del("site", "59")), "site-del.request");
    }

    #[test]
    fn customer_add_keeps_schema_order_and_escapes() {
        let xml = customer_add(
            "jdoe",
            "J & D <Doe>",
            &Secret::new("pw"),
            "j@example.com",
            true,
        );
        assert_eq!(
            xml,
            "<customer><add><gen_info><pname>J &amp; D &lt;Doe&gt;</pname><login>jdoe</login>\
             <passwd>pw</passwd><status>16</status><email>j@example.com</email></gen_info></add></customer>"
        );
        let tree = parse_document(&packet(&xml)).unwrap();
        assert_eq!(
            tree.path(&["customer", "add", "gen_info"])
                .unwrap()
                .text_of("pname"),
            Some("J & D <Doe>")
        );
    }

    #[test]
    fn webspace_add_has_the_captured_structure_plus_owner_and_htype() {
        let password = Secret::new("test-password");
        let xml = webspace_add(&WebspaceAdd {
            name: "example.dom",
            owner_id: "7",
            ip_address: "172.17.0.2",
            ftp_login: "test-login",
            ftp_password: &password,
            www_root: None,
        });
        let ours = parse_document(&packet(&xml)).unwrap();
        let mut theirs = parse_document(&captured("webspace-add.request")).unwrap();
        // The captured request lets the caller own the subscription and omits htype.
        let gen_setup = &mut theirs.children[0].children[0].children[0];
        gen_setup.children.insert(
            1,
            Element {
                name: "owner-id".into(),
                text: "7".into(),
                children: vec![],
            },
        );
        gen_setup.children.insert(
            2,
            Element {
                name: "htype".into(),
                text: "vrt_hst".into(),
                children: vec![],
            },
        );
        assert_eq!(ours, theirs);
    }

    #[test]
    fn site_add_matches_the_captured_shape_with_a_name_reference() {
        let xml = site_add("addon.dom", Some("example.dom"), None, None);
        assert_eq!(
            xml,
            "<site><add><gen_setup><name>addon.dom</name><webspace-name>example.dom</webspace-name>\
             </gen_setup></add></site>"
        );
        let sub = site_add("blog.example.dom", None, Some("example.dom"), Some("blog"));
        assert!(
            sub.contains("<htype>vrt_hst</htype><parent-site-name>example.dom</parent-site-name>")
        );
        assert!(sub.contains("<property><name>www_root</name><value>blog</value></property>"));
    }

    #[test]
    fn database_packets_follow_the_schema_order() {
        assert_eq!(
            add_db("56", "test1", "mysql"),
            "<database><add-db><webspace-id>56</webspace-id><name>test1</name><type>mysql</type></add-db></database>"
        );
        assert_eq!(
            add_db_user("7", "u1", &Secret::new("p")),
            "<database><add-db-user><db-id>7</db-id><login>u1</login><password>p</password></add-db-user></database>"
        );
        assert_eq!(
            set_db_user_password("9", &Secret::new("p")),
            "<database><set-db-user><id>9</id><password>p</password></set-db-user></database>"
        );
    }

    #[test]
    fn captured_customer_answers_parse() {
        let packet = parse_packet(&captured("customer-get.response")).unwrap();
        let result = single_result(&packet, "customer", "get").unwrap();
        assert_eq!(
            customer_record(result),
            Some(CustomerRecord {
                id: "176".into(),
                login: "john-unit-test".into(),
                pname: "John Smith".into(),
                email: "john@smith.com".into(),
                suspended: false,
            })
        );
        let packet = parse_packet(&captured("customer-get-2.response")).unwrap();
        let all: Vec<CustomerRecord> = results(&packet, "customer", "get", 0)
            .unwrap()
            .into_iter()
            .filter_map(customer_record)
            .collect();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].login, "customer-b");
        assert_eq!(all[1].email, "");

        let packet = parse_packet(&captured("customer-add.response")).unwrap();
        let result = single_result(&packet, "customer", "add").unwrap();
        assert_eq!(result_id(result, "customer add").unwrap(), "174");
        let packet = parse_packet(&captured("customer-del.response")).unwrap();
        assert!(single_result(&packet, "customer", "del").is_ok());
    }

    #[test]
    fn captured_domain_answers_parse() {
        let packet = parse_packet(&captured("webspace-get.response")).unwrap();
        let record = domain_record(single_result(&packet, "webspace", "get").unwrap()).unwrap();
        assert_eq!(record.id, "68");
        assert_eq!(record.name, "example-test.dom");
        assert_eq!(record.owner_login.as_deref(), Some("admin"));
        assert_eq!(record.ip_address.as_deref(), Some("172.17.0.2"));
        assert_eq!(record.webspace_id, None);

        let packet = parse_packet(&captured("site-get.response")).unwrap();
        let record = domain_record(single_result(&packet, "site", "get").unwrap()).unwrap();
        assert_eq!(record.webspace_id.as_deref(), Some("60"));
        assert_eq!(record.name, "addon.dom");

        let packet = parse_packet(&captured("site-get-2.response")).unwrap();
        let sites: Vec<DomainRecord> = results(&packet, "site", "get", 0)
            .unwrap()
            .into_iter()
            .filter_map(domain_record)
            .collect();
        assert_eq!(sites.len(), 2);

        for name in ["webspace-add.response", "site-add.response"] {
            let packet = parse_packet(&captured(name)).unwrap();
            let operator = name.split('-').next().unwrap();
            let result = single_result(&packet, operator, "add").unwrap();
            assert!(result_id(result, "add").is_ok());
        }
        for name in ["webspace-del.response", "site-del.response"] {
            let packet = parse_packet(&captured(name)).unwrap();
            let operator = name.split('-').next().unwrap();
            assert!(single_result(&packet, operator, "del").is_ok());
        }
    }

    #[test]
    fn hosting_properties_are_read() {
        let xml = "<packet><webspace><get><result><status>ok</status><id>5</id><data>\
            <gen_info><name>b\u{fc}cher.example</name><ascii-name>xn--bcher-kva.example</ascii-name><owner-id>3</owner-id></gen_info>\
            <hosting><vrt_hst><property><name>ftp_login</name><value>bu_1234</value></property>\
            <property><name>www_root</name><value>/var/www/vhosts/x/httpdocs</value></property>\
            <ip_address>10.0.0.5</ip_address></vrt_hst></hosting></data></result></get></webspace></packet>";
        let packet = parse_packet(xml).unwrap();
        let record = domain_record(single_result(&packet, "webspace", "get").unwrap()).unwrap();
        assert_eq!(record.name, "xn--bcher-kva.example");
        assert_eq!(record.owner_id.as_deref(), Some("3"));
        assert_eq!(
            record.www_root.as_deref(),
            Some("/var/www/vhosts/x/httpdocs")
        );
        assert_eq!(record.ip_address.as_deref(), Some("10.0.0.5"));
    }

    #[test]
    fn captured_ip_answer_parses_and_picks_an_ip() {
        let packet = parse_packet(&captured("ip-get.response")).unwrap();
        let ips = ip_records(single_result(&packet, "ip", "get").unwrap());
        assert_eq!(
            ips,
            vec![IpRecord {
                address: "172.17.0.2".into(),
                ip_type: "exclusive".into()
            }]
        );
        assert_eq!(default_ip(&ips), Some("172.17.0.2"));
        let mixed = vec![
            IpRecord {
                address: "10.0.0.1".into(),
                ip_type: "exclusive".into(),
            },
            IpRecord {
                address: "10.0.0.2".into(),
                ip_type: "shared".into(),
            },
        ];
        assert_eq!(default_ip(&mixed), Some("10.0.0.2"));
        assert_eq!(default_ip(&[]), None);
    }

    #[test]
    fn database_answers_parse_including_the_empty_match() {
        let xml = "<packet version=\"1.6.9.1\"><database><get-db><result><status>ok</status>\
            <filter-id>7</filter-id><id>7</id><name>shop</name><type>mysql</type><webspace-id>56</webspace-id>\
            <db-server-id>1</db-server-id><default-user-id>9</default-user-id></result></get-db>\
            <get-db-users><result><status>ok</status><filter-id>7</filter-id><id>9</id><login>shopu</login><db-id>7</db-id></result></get-db-users>\
            </database></packet>";
        let packet = parse_packet(xml).unwrap();
        let db = db_record(single_result(&packet, "database", "get-db").unwrap()).unwrap();
        assert_eq!(db.default_user_id.as_deref(), Some("9"));
        let user =
            db_user_record(single_result(&packet, "database", "get-db-users").unwrap()).unwrap();
        assert_eq!(user.login, "shopu");
        let empty = "<packet><database><get-db><result><status>ok</status></result></get-db></database></packet>";
        let packet = parse_packet(empty).unwrap();
        assert_eq!(
            db_record(single_result(&packet, "database", "get-db").unwrap()),
            None
        );
    }

    #[test]
    fn error_packets_become_typed_errors() {
        let system =
            "<packet version=\"1.6.9.1\"><system><status>error</status><errcode>1001</errcode>\
            <errtext>Authentication failed</errtext></system></packet>";
        assert_eq!(parse_packet(system).unwrap_err().kind, PanelErrorKind::Auth);
        let not_found = "<packet version=\"1.6.9.1\"><webspace><get><result><status>error</status>\
            <errcode>1013</errcode><errtext>Object not found.</errtext><id>1234</id></result></get></webspace></packet>";
        let packet = parse_packet(not_found).unwrap();
        assert!(single_result(&packet, "webspace", "get")
            .unwrap_err()
            .is_not_found());
        assert_eq!(
            parse_packet("<html>oops").unwrap_err().kind,
            PanelErrorKind::Protocol
        );
        assert_eq!(parse_packet("").unwrap_err().kind, PanelErrorKind::Protocol);
        assert_eq!(
            parse_packet("<packet><a>&bogus;</a></packet>")
                .unwrap_err()
                .kind,
            PanelErrorKind::Protocol
        );
    }

    #[test]
    fn every_captured_response_parses() {
        let dir = crate::backends::reference_dir("plesk/xml/captured");
        let mut count = 0;
        for entry in std::fs::read_dir(dir).expect("captured directory is missing") {
            let path = entry.unwrap().path();
            if path.to_string_lossy().ends_with(".response.xml") {
                let text = std::fs::read_to_string(&path).unwrap();
                parse_packet(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                count += 1;
            }
        }
        assert!(
            count >= 58,
            "expected the 58 captured responses, found {count}"
        );
    }
}

// ---------------------------------------------------------------- FTP users

/// `<ftp-user><add>` (`FtpUserAddInputType`: name, password, home, ..., webspace-id).
pub fn ftp_user_add(webspace_id: &str, name: &str, password: &Secret, home: &str) -> String {
    build(|w| {
        w.open("ftp-user")
            .open("add")
            .text("name", name)
            .text("password", password.expose())
            .text("home", home)
            .text("webspace-id", webspace_id)
            .close("add")
            .close("ftp-user");
    })
}

/// `<ftp-user><get>` by name.
pub fn ftp_user_get(name: &str) -> String {
    build(|w| {
        w.open("ftp-user").open("get");
        filter(w, Some(("name", name)));
        w.close("get").close("ftp-user");
    })
}

/// `<ftp-user><get>` of every account.
pub fn ftp_user_get_all() -> String {
    build(|w| {
        w.open("ftp-user").open("get");
        filter(w, None);
        w.close("get").close("ftp-user");
    })
}

/// `<ftp-user><set>` by name: the password and/or the home.
pub fn ftp_user_set(name: &str, password: Option<&Secret>, home: Option<&str>) -> String {
    build(|w| {
        w.open("ftp-user").open("set");
        filter(w, Some(("name", name)));
        w.open("values");
        if let Some(password) = password {
            w.text("password", password.expose());
        }
        if let Some(home) = home {
            w.text("home", home);
        }
        w.close("values").close("set").close("ftp-user");
    })
}

/// `<ftp-user><del>` by name.
pub fn ftp_user_del(name: &str) -> String {
    build(|w| {
        w.open("ftp-user").open("del");
        filter(w, Some(("name", name)));
        w.close("del").close("ftp-user");
    })
}

/// An FTP user from a `ftp-user get` result (`FtpUserGetResultType`).
#[derive(Clone, Debug, PartialEq)]
pub struct FtpUserRecord {
    pub name: String,
    pub home: String,
    pub webspace_id: String,
}

pub fn ftp_user_record(result: &Element) -> Option<FtpUserRecord> {
    Some(FtpUserRecord {
        name: result.non_empty("name")?.to_owned(),
        home: result.text_of("home").unwrap_or_default().to_owned(),
        webspace_id: result.non_empty("webspace-id")?.to_owned(),
    })
}

// ---------------------------------------------------------------- DNS records

/// `<dns><add_rec>` (`dnsRecord`: site-id, type, host, value, opt?). The schema has no
/// TTL for a record.
pub fn dns_add_rec(site_id: &str, rtype: &str, host: &str, value: &str, opt: &str) -> String {
    build(|w| {
        w.open("dns")
            .open("add_rec")
            .text("site-id", site_id)
            .text("type", rtype)
            .text("host", host)
            .text("value", value);
        if !opt.is_empty() {
            w.text("opt", opt);
        }
        w.close("add_rec").close("dns");
    })
}

/// `<dns><get_rec>` of the zones of several sites at once (`dnsSelectionFilterType`:
/// `site-id` 0..∞), one result per record.
pub fn dns_get_rec_of_sites(site_ids: &[String]) -> String {
    build(|w| {
        w.open("dns").open("get_rec");
        filter_many(w, "site-id", site_ids);
        w.close("get_rec").close("dns");
    })
}

/// `<dns><get_rec>` of one record by id.
pub fn dns_get_rec(id: &str) -> String {
    build(|w| {
        w.open("dns").open("get_rec");
        filter(w, Some(("id", id)));
        w.close("get_rec").close("dns");
    })
}

/// `<dns><del_rec>` of one record by id.
pub fn dns_del_rec(id: &str) -> String {
    build(|w| {
        w.open("dns").open("del_rec");
        filter(w, Some(("id", id)));
        w.close("del_rec").close("dns");
    })
}

/// A record from a `dns get_rec` result (`id`, `data`: site-id, type, host, value, opt).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DnsRecordData {
    pub id: String,
    pub site_id: String,
    pub rtype: String,
    pub host: String,
    pub value: String,
    pub opt: String,
}

pub fn dns_record_data(result: &Element) -> Option<DnsRecordData> {
    let data = result.child("data")?;
    Some(DnsRecordData {
        id: result.non_empty("id")?.to_owned(),
        site_id: data.text_of("site-id").unwrap_or_default().to_owned(),
        rtype: data.non_empty("type")?.to_owned(),
        host: data.text_of("host").unwrap_or_default().to_owned(),
        value: data.text_of("value").unwrap_or_default().to_owned(),
        opt: data.text_of("opt").unwrap_or_default().to_owned(),
    })
}
