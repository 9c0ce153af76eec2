//! XML API operators: request parsing (the schema check Plesk runs before executing
//! anything) and execution against the shared [`State`], producing `result` elements
//! shaped like the captured answers and the 1.6.9.1 output schema.
//!
//! Each operation is first *planned*: its request is read into typed values and a closure
//! that will execute it. A request that does not fit the schema (missing required
//! element, element not expected, non-numeric id) fails the whole packet with a system
//! 1014 error before any operation runs, as Plesk's XSD validation does.

use super::state::{
    ClientFields, ClientRef, ClientType, DbUserFields, DomainKind, DomainPatch, DomainRef, Fault,
    HostingType, NewDomain, Placement, PlanRef, State, ADMIN_ID,
};
use super::xml::{El, Node};

pub(super) type Exec = Box<dyn FnOnce(&mut State) -> Vec<El> + Send>;

pub struct PlannedOperator {
    name: String,
    operations: Vec<(String, Exec)>,
}

/// Operators of the 1.6.9.1 request schema (plus `user`, seen in the captured pairs)
/// that the simulator does not model. They are answered like any request outside the
/// schema (system error 1014); the text says they are not simulated.
const UNSIMULATED_OPERATORS: &[&str] = &[
    "site-alias",
    "event_log",
    "ui",
    "virtdir",
    "session",
    "locale",
    "log-rotation",
    "protected-dir",
    "reseller-plan",
    "aps",
    "service-plan-addon",
    "business-logic-upgrade",
    "php-handler",
    "extension",
    "user",
];

pub(super) fn not_expected(parent: &str, child: &str) -> String {
    format!(
        "Element '{}': This element is not expected (parent '{}').",
        super::validate::printable(child),
        super::validate::printable(parent)
    )
}

pub(super) fn missing(parent: &str, child: &str) -> String {
    format!("Element '{parent}': Missing child element '{child}'.")
}

pub(super) fn required_text(node: &Node, child: &str) -> Result<String, String> {
    node.text_of(child)
        .ok_or_else(|| missing(&node.name, child))
}

pub(super) fn parse_id(text: &str, element: &str) -> Result<u64, String> {
    text.trim().parse::<u64>().map_err(|_| {
        format!(
            "Element '{element}': '{}' is not a valid value of type id_type.",
            super::validate::printable(text)
        )
    })
}

fn parse_status(text: &str) -> Result<u32, String> {
    text.trim().parse::<u32>().map_err(|_| {
        format!(
            "Element 'status': '{}' is not a valid value.",
            super::validate::printable(text)
        )
    })
}

/// Rejects children outside `allowed` (the schema's element names for that node).
pub(super) fn only_children(node: &Node, allowed: &[&str]) -> Result<(), String> {
    match node
        .children
        .iter()
        .find(|c| !allowed.contains(&c.name.as_str()))
    {
        Some(unexpected) => Err(not_expected(&node.name, &unexpected.name)),
        None => Ok(()),
    }
}

// ----- results ---------------------------------------------------------------------------

pub(super) fn ok_result() -> El {
    El::new("result").leaf_child("status", "ok")
}

pub(super) fn fault_code(fault: &Fault) -> u32 {
    match fault {
        Fault::NotFound(_) => 1013,
        Fault::LoginTaken(_) => 1002,
        Fault::Exists(_) => 1007,
        Fault::Invalid { .. } => 1019,
        Fault::OwnerNotFound(_) => 1015,
        Fault::IpNotFound(_) => 1018,
        Fault::WrongDbServerType(_) => 14008,
        Fault::Forbidden(_) => 1006,
        Fault::Failed(_) => 1023,
    }
}

pub(super) fn error_result(code: u32, text: &str) -> El {
    El::new("result")
        .leaf_child("status", "error")
        .leaf_child("errcode", code.to_string())
        .leaf_child("errtext", text)
}

pub(super) fn fault_result(fault: &Fault) -> El {
    error_result(fault_code(fault), &fault.message())
}

// ----- filters ---------------------------------------------------------------------------

/// A `<filter>`: empty = everything, otherwise one key repeated with several values.
pub(super) struct Filter {
    pub(super) key: Option<String>,
    pub(super) values: Vec<String>,
}

fn is_numeric_key(key: &str) -> bool {
    key == "id" || (key.ends_with("-id") && !key.contains("external"))
}

pub(super) fn parse_filter(op: &Node, allowed: &[&str]) -> Result<Filter, String> {
    let node = op
        .child("filter")
        .ok_or_else(|| missing(&op.name, "filter"))?;
    parse_filter_node(node, allowed)
}

pub(super) fn parse_filter_node(node: &Node, allowed: &[&str]) -> Result<Filter, String> {
    let mut key: Option<String> = None;
    let mut values = Vec::new();
    for child in &node.children {
        if !allowed.contains(&child.name.as_str()) {
            return Err(not_expected(&node.name, &child.name));
        }
        match &key {
            Some(existing) if *existing != child.name => {
                return Err(not_expected(&node.name, &child.name));
            }
            _ => key = Some(child.name.clone()),
        }
        if is_numeric_key(&child.name) {
            parse_id(&child.text, &child.name)?;
        }
        values.push(child.value());
    }
    Ok(Filter { key, values })
}

pub(super) enum Selection {
    /// A key naming one object (id, login, name, guid...): absent = error 1013.
    One(Option<u64>),
    /// A key naming a group (owner, parent...): no members is not an error.
    Many(Vec<u64>),
}

pub(super) enum Hit {
    Found { filter_id: String, id: u64 },
    Missing { filter_id: String, by_id: bool },
    Nothing { filter_id: Option<String> },
}

/// `all` is only called for an empty filter, so keyed lookups stay cheap on big states.
pub(super) fn resolve(
    filter: &Filter,
    all: impl FnOnce() -> Vec<u64>,
    select: impl Fn(&str, &str) -> Selection,
) -> Vec<Hit> {
    let Some(key) = &filter.key else {
        let all = all();
        if all.is_empty() {
            return vec![Hit::Nothing { filter_id: None }];
        }
        return all
            .into_iter()
            .map(|id| Hit::Found {
                filter_id: id.to_string(),
                id,
            })
            .collect();
    };
    let mut hits = Vec::new();
    for value in &filter.values {
        match select(key, value) {
            Selection::One(Some(id)) => hits.push(Hit::Found {
                filter_id: value.clone(),
                id,
            }),
            Selection::One(None) => hits.push(Hit::Missing {
                filter_id: value.clone(),
                by_id: key == "id",
            }),
            Selection::Many(ids) if ids.is_empty() => hits.push(Hit::Nothing {
                filter_id: Some(value.clone()),
            }),
            Selection::Many(ids) => hits.extend(ids.into_iter().map(|id| Hit::Found {
                filter_id: value.clone(),
                id,
            })),
        }
    }
    hits
}

pub(super) fn with_filter_id(mut result: El, filter_id: &str, id: Option<u64>) -> El {
    result.push(El::leaf("filter-id", filter_id));
    if let Some(id) = id {
        result.push(El::leaf("id", id.to_string()));
    }
    result
}

/// The result for a filter value that names nothing: docs show `<id>` for an id filter;
/// other filters echo `<filter-id>`.
pub(super) fn missing_result(filter_id: &str, by_id: bool, what: &str) -> El {
    let result = error_result(1013, &format!("{what} does not exist"));
    if by_id {
        result.leaf_child("id", filter_id)
    } else {
        result.leaf_child("filter-id", filter_id)
    }
}

/// Renders del/set-style results: each found object is handed to `act`.
pub(super) fn filter_results(
    hits: Vec<Hit>,
    what: &str,
    mut act: impl FnMut(u64) -> Result<(), Fault>,
) -> Vec<El> {
    hits.into_iter()
        .map(|hit| match hit {
            Hit::Found { filter_id, id } => match act(id) {
                Ok(()) => with_filter_id(ok_result(), &filter_id, Some(id)),
                Err(fault) => with_filter_id(fault_result(&fault), &filter_id, Some(id)),
            },
            Hit::Missing { filter_id, by_id } => missing_result(&filter_id, by_id, what),
            Hit::Nothing {
                filter_id: Some(filter_id),
            } => with_filter_id(ok_result(), &filter_id, None),
            Hit::Nothing { filter_id: None } => ok_result(),
        })
        .collect()
}

/// Renders get-style results; `at_least_one` for operations whose schema needs a result
/// even when nothing matched (customer get, get-db, get-db-users).
pub(super) fn get_results(
    hits: Vec<Hit>,
    what: &str,
    at_least_one: bool,
    data: impl Fn(u64) -> Vec<El>,
) -> Vec<El> {
    hits.into_iter()
        .filter_map(|hit| match hit {
            Hit::Found { filter_id, id } => {
                let mut result = with_filter_id(ok_result(), &filter_id, Some(id));
                result.children.extend(data(id));
                Some(result)
            }
            Hit::Missing { filter_id, by_id } => Some(missing_result(&filter_id, by_id, what)),
            Hit::Nothing { filter_id } if at_least_one => Some(match filter_id {
                Some(filter_id) => with_filter_id(ok_result(), &filter_id, None),
                None => ok_result(),
            }),
            Hit::Nothing { .. } => None,
        })
        .collect()
}

pub(super) fn datasets(op: &Node, allowed: &[&str]) -> Result<Vec<String>, String> {
    let node = op
        .child("dataset")
        .ok_or_else(|| missing(&op.name, "dataset"))?;
    only_children(node, allowed)?;
    Ok(node.children.iter().map(|c| c.name.clone()).collect())
}

// ----- packet ----------------------------------------------------------------------------

pub fn plan_packet(packet: &Node) -> Result<Vec<PlannedOperator>, String> {
    let mut planned = Vec::new();
    for (index, operator) in packet.children.iter().enumerate() {
        if operator.name == "request-settings" && index == 0 {
            continue;
        }
        let mut operations = Vec::new();
        for op in &operator.children {
            operations.push((op.name.clone(), plan_operation(&operator.name, op)?));
        }
        if operations.is_empty() {
            return Err(format!(
                "Element '{}': Missing child element(s).",
                super::validate::printable(&operator.name)
            ));
        }
        planned.push(PlannedOperator {
            name: operator.name.clone(),
            operations,
        });
    }
    if planned.is_empty() {
        return Err("Element 'packet': Missing child element(s).".into());
    }
    Ok(planned)
}

pub fn execute(plan: Vec<PlannedOperator>, state: &mut State) -> Vec<El> {
    plan.into_iter()
        .map(|operator| {
            let mut node = El::new(&operator.name);
            for (name, exec) in operator.operations {
                let mut op = El::new(&name);
                op.children = exec(state);
                node.push(op);
            }
            node
        })
        .collect()
}

fn plan_operation(operator: &str, op: &Node) -> Result<Exec, String> {
    if let Some(planned) = super::xml_services::plan(operator, op) {
        return planned;
    }
    match (operator, op.name.as_str()) {
        ("customer", "add") => customer_add(op, ClientType::Customer, "gen_info"),
        ("customer", "get") => client_get(op, ClientType::Customer),
        ("customer", "set") => client_set(op, ClientType::Customer, "gen_info"),
        ("customer", "del") => client_del(op, ClientType::Customer),
        ("reseller", "add") => customer_add(op, ClientType::Reseller, "gen-info"),
        ("reseller", "get") => client_get(op, ClientType::Reseller),
        ("reseller", "set") => client_set(op, ClientType::Reseller, "gen-info"),
        ("reseller", "del") => client_del(op, ClientType::Reseller),
        ("webspace", "add") => webspace_add(op),
        ("webspace", "get") => domain_get(op, true),
        ("webspace", "set") => domain_set(op, true),
        ("webspace", "del") => domain_del(op, true),
        ("site", "add") => site_add(op),
        ("site", "get") => domain_get(op, false),
        ("site", "set") => domain_set(op, false),
        ("site", "del") => domain_del(op, false),
        ("database", "add-db") => db_add(op),
        ("database", "get-db") => db_get(op),
        ("database", "del-db") => db_del(op),
        ("database", "add-db-user") => db_user_add(op),
        ("database", "get-db-users") => db_user_get(op),
        ("database", "set-db-user") => db_user_set(op),
        ("database", "del-db-user") => db_user_del(op),
        ("db_server", "get") => db_server_get(op),
        ("db_server", "get-supported-types") => Ok(db_server_supported_types()),
        ("db_server", "get-default") => db_server_get_default(op),
        ("ip", "get") => Ok(ip_get()),
        ("service-plan", "get") => plan_get(op),
        ("secret_key", "create") => key_create(op),
        ("secret_key", "get_info") => key_get_info(op),
        ("secret_key", "delete") => key_delete(op),
        ("server", "get_protos") => Ok(server_protos()),
        ("server", "get") => super::xml_server::server_get(op),
        (operator, operation) if UNSIMULATED_OPERATORS.contains(&operator) => Err(format!(
            "Element '{}': This element is not expected (operator '{}' is not simulated by panel-sim).",
            super::validate::printable(operation),
            super::validate::printable(operator)
        )),
        (operator, operation) if is_known_operator(operator) => Err(not_expected(operator, operation)),
        (operator, _) => Err(not_expected("packet", operator)),
    }
}

fn is_known_operator(name: &str) -> bool {
    matches!(
        name,
        "customer"
            | "reseller"
            | "webspace"
            | "site"
            | "database"
            | "db_server"
            | "ip"
            | "service-plan"
            | "secret_key"
            | "server"
    )
}

// ----- customer / reseller ---------------------------------------------------------------

/// Reads a customer `gen_info` or reseller `gen-info`; both name fields the same way.
fn client_fields(node: &Node) -> Result<ClientFields, String> {
    only_children(
        node,
        &[
            "cname",
            "pname",
            "login",
            "passwd",
            "passwd_type",
            "status",
            "phone",
            "fax",
            "email",
            "address",
            "city",
            "state",
            "pcode",
            "country",
            "locale",
            "owner-id",
            "owner-login",
            "owner-guid",
            "owner-external-id",
            "external-id",
            "description",
            "guid",
            "power-user",
        ],
    )?;
    let owner = if let Some(id) = node.text_of("owner-id") {
        Some(ClientRef::Id(parse_id(&id, "owner-id")?))
    } else if let Some(login) = node.text_of("owner-login") {
        Some(ClientRef::Login(login))
    } else if let Some(guid) = node.text_of("owner-guid") {
        Some(ClientRef::Guid(guid))
    } else {
        node.text_of("owner-external-id").map(ClientRef::ExternalId)
    };
    Ok(ClientFields {
        login: node.text_of("login"),
        name: node.text_of("pname"),
        company: node.text_of("cname"),
        email: node.text_of("email"),
        // Passwords are taken verbatim: surrounding spaces are part of them.
        password: node.child("passwd").map(|p| p.text.clone()),
        status: node
            .text_of("status")
            .map(|s| parse_status(&s))
            .transpose()?,
        locale: node.text_of("locale"),
        owner,
        external_id: node.text_of("external-id"),
        description: node.text_of("description"),
        phone: node.text_of("phone"),
        fax: node.text_of("fax"),
        address: node.text_of("address"),
        city: node.text_of("city"),
        state: node.text_of("state"),
        pcode: node.text_of("pcode"),
        country: node.text_of("country"),
    })
}

fn info_name(kind: ClientType) -> &'static str {
    if kind == ClientType::Reseller {
        "gen-info"
    } else {
        "gen_info"
    }
}

fn customer_add(op: &Node, kind: ClientType, info: &'static str) -> Result<Exec, String> {
    only_children(op, &[info])?;
    let gen_info = op.child(info).ok_or_else(|| missing("add", info))?;
    for required in ["pname", "login", "passwd"] {
        required_text(gen_info, required)?;
    }
    let fields = client_fields(gen_info)?;
    Ok(Box::new(move |state| {
        let result = match state.create_client(kind, fields) {
            Ok(id) => {
                let guid = state
                    .clients
                    .get(&id)
                    .map(|c| c.guid.clone())
                    .unwrap_or_default();
                ok_result()
                    .leaf_child("id", id.to_string())
                    .leaf_child("guid", guid)
            }
            Err(fault) => fault_result(&fault),
        };
        vec![result]
    }))
}

fn client_filter_keys(kind: ClientType) -> &'static [&'static str] {
    if kind == ClientType::Reseller {
        &["id", "login", "guid", "external-id", "all"]
    } else {
        &[
            "id",
            "login",
            "owner-id",
            "owner-login",
            "guid",
            "external-id",
        ]
    }
}

fn client_hits(state: &State, kind: ClientType, filter: &Filter) -> Vec<Hit> {
    let of_kind = |id: &u64| state.clients.get(id).is_some_and(|c| c.kind == kind);
    let all = || -> Vec<u64> {
        state
            .clients
            .values()
            .filter(|c| c.kind == kind)
            .map(|c| c.id)
            .collect()
    };
    if filter.key.as_deref() == Some("all") {
        return resolve(
            &Filter {
                key: None,
                values: Vec::new(),
            },
            all,
            |_, _| Selection::Many(Vec::new()),
        );
    }
    resolve(filter, all, |key, value| {
        let one = |reference: ClientRef| {
            Selection::One(state.find_client(&reference).map(|c| c.id).filter(of_kind))
        };
        match key {
            "id" => one(ClientRef::Id(value.parse().unwrap_or(0))),
            "login" => one(ClientRef::Login(value.to_owned())),
            "guid" => one(ClientRef::Guid(value.to_owned())),
            "external-id" => one(ClientRef::ExternalId(value.to_owned())),
            owner_key => {
                let owner = if owner_key == "owner-id" {
                    state.find_client(&ClientRef::Id(value.parse().unwrap_or(0)))
                } else {
                    state.find_client(&ClientRef::Login(value.to_owned()))
                };
                let owner_id = owner.map(|o| o.id);
                Selection::Many(
                    state
                        .clients
                        .values()
                        .filter(|c| c.kind == kind && owner_id.is_some() && c.owner_id == owner_id)
                        .map(|c| c.id)
                        .collect(),
                )
            }
        }
    })
}

fn client_data(state: &State, id: u64, kind: ClientType, sets: &[String]) -> Vec<El> {
    let Some(client) = state.clients.get(&id) else {
        return Vec::new();
    };
    let mut data = El::new("data");
    for set in sets {
        if set == info_name(kind) {
            let owner_guid = match client.owner_id {
                Some(ADMIN_ID) | None => state.server_guid.clone(),
                Some(owner) => state
                    .clients
                    .get(&owner)
                    .map(|o| o.guid.clone())
                    .unwrap_or_default(),
            };
            let c = &client.contact;
            let mut info = El::new(info_name(kind))
                .leaf_child(
                    if kind == ClientType::Reseller {
                        "cr-date"
                    } else {
                        "cr_date"
                    },
                    client.created.clone(),
                )
                .leaf_child("cname", client.company.clone())
                .leaf_child("pname", client.name.clone())
                .leaf_child("login", client.login.clone())
                .leaf_child("status", client.status.to_string())
                .leaf_child("phone", c.phone.clone())
                .leaf_child("fax", c.fax.clone())
                .leaf_child("email", client.email.clone())
                .leaf_child("address", c.address.clone())
                .leaf_child("city", c.city.clone())
                .leaf_child("state", c.state.clone())
                .leaf_child("pcode", c.pcode.clone())
                .leaf_child("country", c.country.clone())
                .leaf_child("locale", client.locale.clone())
                .leaf_child("guid", client.guid.clone());
            if kind == ClientType::Reseller {
                info = info
                    .leaf_child("external-id", client.external_id.clone())
                    .leaf_child("description", client.description.clone())
                    .leaf_child("power-user", "false")
                    .leaf_child("password", client.password_hash.clone())
                    .leaf_child("password-type", "crypt");
            } else {
                info = info
                    .leaf_child(
                        "owner-login",
                        state.client_owner_login(client).unwrap_or_default(),
                    )
                    .leaf_child("vendor-guid", owner_guid)
                    .leaf_child("external-id", client.external_id.clone())
                    .leaf_child("description", client.description.clone())
                    .leaf_child("password", client.password_hash.clone())
                    .leaf_child("password_type", "crypt");
            }
            data.push(info);
        } else if set == "stat" {
            let subscriptions: Vec<u64> = state
                .domains
                .values()
                .filter(|d| d.kind == DomainKind::Subscription && d.owner_id == id)
                .map(|d| d.id)
                .collect();
            let subdomains = state
                .domains
                .values()
                .filter(|d| {
                    d.kind == DomainKind::Subdomain && subscriptions.contains(&d.webspace_id)
                })
                .count();
            let databases = state
                .databases
                .values()
                .filter(|db| subscriptions.contains(&db.webspace_id))
                .count();
            let mut stat = El::new("stat")
                .leaf_child("active_domains", subscriptions.len().to_string())
                .leaf_child("subdomains", subdomains.to_string());
            for zero in [
                "disk_space",
                "postboxs",
                "redirects",
                "mail_groups",
                "mail_resps",
                "mail_lists",
                "web_users",
            ] {
                stat = stat.leaf_child(zero, "0");
            }
            stat = stat
                .leaf_child("data_bases", databases.to_string())
                .leaf_child("traffic", "0")
                .leaf_child("traffic_prevday", "0");
            data.push(stat);
        }
    }
    vec![data]
}

fn client_what(kind: ClientType) -> &'static str {
    if kind == ClientType::Reseller {
        "Reseller"
    } else {
        "Client"
    }
}

fn client_get(op: &Node, kind: ClientType) -> Result<Exec, String> {
    only_children(op, &["filter", "dataset"])?;
    let filter = parse_filter(op, client_filter_keys(kind))?;
    let allowed: &[&str] = if kind == ClientType::Reseller {
        &[
            "gen-info",
            "stat",
            "permissions",
            "limits",
            "ippool",
            "subscriptions",
        ]
    } else {
        &["gen_info", "stat"]
    };
    let sets = datasets(op, allowed)?;
    Ok(Box::new(move |state| {
        let hits = client_hits(state, kind, &filter);
        let state_ref: &State = state;
        get_results(hits, client_what(kind), true, |id| {
            client_data(state_ref, id, kind, &sets)
        })
    }))
}

fn client_set(op: &Node, kind: ClientType, info: &'static str) -> Result<Exec, String> {
    only_children(op, &["filter", "values"])?;
    let filter = parse_filter(op, client_filter_keys(kind))?;
    let values = op.child("values").ok_or_else(|| missing("set", "values"))?;
    let fields = match values.child(info) {
        Some(gen_info) => client_fields(gen_info)?,
        None => ClientFields::default(),
    };
    if fields.owner.is_some() {
        return Err(not_expected(info, "owner-login"));
    }
    Ok(Box::new(move |state| {
        let hits = client_hits(state, kind, &filter);
        // A login can be given to only one object; the state check reports the clash.
        filter_results(hits, client_what(kind), |id| {
            state.update_client(id, fields.clone())
        })
    }))
}

fn client_del(op: &Node, kind: ClientType) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let filter = parse_filter(op, client_filter_keys(kind))?;
    Ok(Box::new(move |state| {
        let hits = client_hits(state, kind, &filter);
        filter_results(hits, client_what(kind), |id| {
            state.delete_client(id).map(|_| ())
        })
    }))
}

// ----- webspace / site -------------------------------------------------------------------

/// What a `<hosting>` element asks for.
#[derive(Clone, Default)]
struct HostingRequest {
    hosting_type: Option<HostingType>,
    ftp_login: Option<String>,
    ftp_password: Option<String>,
    www_root: Option<String>,
    forward_url: Option<String>,
    ips: Vec<String>,
}

fn parse_hosting(node: &Node) -> Result<HostingRequest, String> {
    let Some(kind) = node.children.first() else {
        return Err(missing("hosting", "vrt_hst"));
    };
    if node.children.len() > 1 {
        return Err(not_expected("hosting", &node.children[1].name));
    }
    let hosting_type =
        HostingType::from_xml(&kind.name).ok_or_else(|| not_expected("hosting", &kind.name))?;
    let mut request = HostingRequest {
        hosting_type: Some(hosting_type),
        ..HostingRequest::default()
    };
    match hosting_type {
        HostingType::Virtual => {
            only_children(kind, &["property", "ip_address"])?;
            for property in kind.children_named("property") {
                let name = required_text(property, "name")?;
                let value = property
                    .child("value")
                    .map(|v| v.text.clone())
                    .unwrap_or_default();
                match name.as_str() {
                    "ftp_login" => request.ftp_login = Some(value.trim().to_owned()),
                    "ftp_password" => request.ftp_password = Some(value),
                    "www_root" => request.www_root = Some(value.trim().to_owned()),
                    // Other properties (php, ssl, shell...) are accepted and not modelled.
                    _ => {}
                }
            }
        }
        HostingType::StandardForwarding | HostingType::FrameForwarding => {
            only_children(kind, &["dest_url", "http_code", "ip_address"])?;
            request.forward_url = Some(required_text(kind, "dest_url")?);
        }
        HostingType::None => {}
    }
    request.ips = kind.children_named("ip_address").map(Node::value).collect();
    Ok(request)
}

fn owner_ref(node: &Node) -> Result<Option<ClientRef>, String> {
    Ok(if let Some(id) = node.text_of("owner-id") {
        Some(ClientRef::Id(parse_id(&id, "owner-id")?))
    } else if let Some(login) = node.text_of("owner-login") {
        Some(ClientRef::Login(login))
    } else if let Some(guid) = node.text_of("owner-guid") {
        Some(ClientRef::Guid(guid))
    } else {
        node.text_of("owner-external-id").map(ClientRef::ExternalId)
    })
}

const WEBSPACE_ADD_CHILDREN: &[&str] = &[
    "gen_setup",
    "hosting",
    "limits",
    "prefs",
    "performance",
    "permissions",
    "php-settings",
    "plan-id",
    "plan-name",
    "plan-guid",
    "plan-external-id",
    "mail",
];

const WEBSPACE_GEN_SETUP: &[&str] = &[
    "name",
    "owner-id",
    "owner-login",
    "owner-guid",
    "owner-external-id",
    "htype",
    "ip_address",
    "status",
    "external-id",
    "description",
    "admin-description",
    "reseller-description",
    "guid",
    "admin-as-vendor",
];

fn webspace_add(op: &Node) -> Result<Exec, String> {
    only_children(op, WEBSPACE_ADD_CHILDREN)?;
    let setup = op
        .child("gen_setup")
        .ok_or_else(|| missing("add", "gen_setup"))?;
    only_children(setup, WEBSPACE_GEN_SETUP)?;
    let name = required_text(setup, "name")?;
    let hosting = op
        .child("hosting")
        .map(parse_hosting)
        .transpose()?
        .unwrap_or_default();
    let htype = setup
        .text_of("htype")
        .map(|t| HostingType::from_xml(&t).ok_or_else(|| not_expected("htype", &t)))
        .transpose()?;
    let plan = if let Some(id) = op.text_of("plan-id") {
        Some(PlanRef::Id(parse_id(&id, "plan-id")?))
    } else if let Some(name) = op.text_of("plan-name") {
        Some(PlanRef::Name(name))
    } else if let Some(guid) = op.text_of("plan-guid") {
        Some(PlanRef::Guid(guid))
    } else {
        op.text_of("plan-external-id").map(PlanRef::ExternalId)
    };
    let mut ips: Vec<String> = setup
        .children_named("ip_address")
        .map(Node::value)
        .collect();
    if ips.is_empty() {
        ips = hosting.ips.clone();
    }
    let status = setup
        .text_of("status")
        .map(|s| parse_status(&s))
        .transpose()?;
    let request = NewDomain {
        name,
        placement: Placement::Subscription {
            owner: owner_ref(setup)?,
            ips,
            plan,
        },
        // Docs: with htype given, hosting must be given too; without both it is "none".
        hosting_type: hosting.hosting_type.or(htype).unwrap_or(HostingType::None),
        ftp_login: hosting.ftp_login,
        ftp_password: hosting.ftp_password,
        forward_url: hosting.forward_url,
        www_root: hosting.www_root,
        status,
        description: setup.text_of("description"),
        admin_description: setup.text_of("admin-description"),
        external_id: setup.text_of("external-id"),
    };
    if htype.is_some() && op.child("hosting").is_none() && htype != Some(HostingType::None) {
        return Err(missing("add", "hosting"));
    }
    Ok(Box::new(move |state| {
        vec![match state.create_domain(request) {
            Ok(id) => {
                let guid = state
                    .domains
                    .get(&id)
                    .map(|d| d.guid.clone())
                    .unwrap_or_default();
                ok_result()
                    .leaf_child("id", id.to_string())
                    .leaf_child("guid", guid)
            }
            Err(fault) => fault_result(&fault),
        }]
    }))
}

fn site_add(op: &Node) -> Result<Exec, String> {
    only_children(
        op,
        &["gen_setup", "hosting", "prefs", "performance", "mail"],
    )?;
    let setup = op
        .child("gen_setup")
        .ok_or_else(|| missing("add", "gen_setup"))?;
    only_children(
        setup,
        &[
            "name",
            "htype",
            "status",
            "webspace-name",
            "webspace-id",
            "webspace-guid",
            "parent-site-name",
            "parent-site-id",
            "parent-site-guid",
            "description",
        ],
    )?;
    let name = required_text(setup, "name")?;
    let webspace = if let Some(id) = setup.text_of("webspace-id") {
        Some(DomainRef::Id(parse_id(&id, "webspace-id")?))
    } else if let Some(name) = setup.text_of("webspace-name") {
        Some(DomainRef::Name(name))
    } else {
        setup.text_of("webspace-guid").map(DomainRef::Guid)
    };
    let parent = if let Some(id) = setup.text_of("parent-site-id") {
        Some(DomainRef::Id(parse_id(&id, "parent-site-id")?))
    } else if let Some(name) = setup.text_of("parent-site-name") {
        Some(DomainRef::Name(name))
    } else {
        setup.text_of("parent-site-guid").map(DomainRef::Guid)
    };
    let hosting = op
        .child("hosting")
        .map(parse_hosting)
        .transpose()?
        .unwrap_or_default();
    let status = setup
        .text_of("status")
        .map(|s| parse_status(&s))
        .transpose()?;
    let placement = match (parent, webspace) {
        (Some(parent), _) => Some(Placement::Subdomain { parent }),
        (None, Some(webspace)) => Some(Placement::Addon { webspace }),
        (None, None) => None,
    };
    let request = placement.map(|placement| NewDomain {
        name,
        placement,
        // A site added without hosting reads back as htype "none" (captured site get).
        hosting_type: hosting.hosting_type.unwrap_or(HostingType::None),
        ftp_login: None,
        ftp_password: None,
        forward_url: hosting.forward_url,
        www_root: hosting.www_root,
        status,
        description: setup.text_of("description"),
        admin_description: None,
        external_id: None,
    });
    Ok(Box::new(move |state| {
        let Some(request) = request else {
            return vec![error_result(
                1019,
                "The subscription (webspace-id, webspace-name or webspace-guid) is required.",
            )];
        };
        vec![match state.create_domain(request) {
            Ok(id) => {
                let guid = state
                    .domains
                    .get(&id)
                    .map(|d| d.guid.clone())
                    .unwrap_or_default();
                ok_result()
                    .leaf_child("id", id.to_string())
                    .leaf_child("guid", guid)
            }
            Err(fault) => fault_result(&fault),
        }]
    }))
}

const WEBSPACE_FILTER: &[&str] = &[
    "id",
    "owner-id",
    "name",
    "owner-login",
    "guid",
    "owner-guid",
    "external-id",
    "owner-external-id",
];
const SITE_FILTER: &[&str] = &[
    "id",
    "parent-id",
    "parent-site-id",
    "name",
    "parent-name",
    "parent-site-name",
    "guid",
    "parent-guid",
    "parent-site-guid",
];

fn domain_hits(state: &State, webspace: bool, filter: &Filter) -> Vec<Hit> {
    let in_scope = |kind: DomainKind| (kind == DomainKind::Subscription) == webspace;
    let all = || -> Vec<u64> {
        state
            .domains
            .values()
            .filter(|d| in_scope(d.kind))
            .map(|d| d.id)
            .collect()
    };
    resolve(filter, all, |key, value| {
        let one = |reference: DomainRef| {
            Selection::One(
                state
                    .find_domain(&reference)
                    .filter(|d| in_scope(d.kind))
                    .map(|d| d.id),
            )
        };
        let numeric = value.parse::<u64>().unwrap_or(0);
        match key {
            "id" => one(DomainRef::Id(numeric)),
            "name" => one(DomainRef::Name(value.to_owned())),
            "guid" => one(DomainRef::Guid(value.to_owned())),
            "external-id" => Selection::One(
                state
                    .domains
                    .values()
                    .find(|d| {
                        in_scope(d.kind) && !d.external_id.is_empty() && d.external_id == value
                    })
                    .map(|d| d.id),
            ),
            owner_key if owner_key.starts_with("owner-") => {
                let reference = match owner_key {
                    "owner-id" => ClientRef::Id(numeric),
                    "owner-login" => ClientRef::Login(value.to_owned()),
                    "owner-guid" => ClientRef::Guid(value.to_owned()),
                    _ => ClientRef::ExternalId(value.to_owned()),
                };
                let owner = state.find_client(&reference).map(|c| c.id);
                Selection::Many(
                    state
                        .domains
                        .values()
                        .filter(|d| in_scope(d.kind) && owner == Some(d.owner_id))
                        .map(|d| d.id)
                        .collect(),
                )
            }
            parent_key => {
                // parent-* = the subscription; parent-site-* = the domain a subdomain hangs under.
                let reference = if parent_key.ends_with("-id") {
                    DomainRef::Id(numeric)
                } else if parent_key.ends_with("-name") {
                    DomainRef::Name(value.to_owned())
                } else {
                    DomainRef::Guid(value.to_owned())
                };
                let parent = state.find_domain(&reference).map(|d| d.id);
                let by_site = parent_key.starts_with("parent-site-");
                Selection::Many(
                    state
                        .domains
                        .values()
                        .filter(|d| in_scope(d.kind) && parent.is_some())
                        .filter(|d| {
                            if by_site {
                                d.parent_id == parent
                            } else {
                                Some(d.webspace_id) == parent
                            }
                        })
                        .map(|d| d.id)
                        .collect(),
                )
            }
        }
    })
}

fn domain_data(state: &State, id: u64, webspace: bool, sets: &[String]) -> Vec<El> {
    let Some(domain) = state.domains.get(&id) else {
        return Vec::new();
    };
    let ips = state.domain_ips(domain);
    let mut data = El::new("data");
    for set in sets {
        match set.as_str() {
            "gen_info" => {
                let mut info = El::new("gen_info")
                    .leaf_child("cr_date", domain.created.clone())
                    .leaf_child("name", domain.name.clone())
                    .leaf_child("ascii-name", domain.ascii_name.clone())
                    .leaf_child("status", domain.status.to_string())
                    .leaf_child("real_size", "0");
                if webspace {
                    let owner = state.clients.get(&domain.owner_id);
                    info = info.leaf_child(
                        "owner-login",
                        owner.map(|o| o.login.clone()).unwrap_or_default(),
                    );
                }
                for ip in ips.iter().take(2) {
                    info = info.leaf_child("dns_ip_address", ip.clone());
                }
                info = info
                    .leaf_child("htype", domain.hosting_type.xml_name())
                    .leaf_child("guid", domain.guid.clone());
                if webspace {
                    let vendor = match domain.owner_id {
                        ADMIN_ID => state.server_guid.clone(),
                        owner => state
                            .clients
                            .get(&owner)
                            .map(|o| o.guid.clone())
                            .unwrap_or_default(),
                    };
                    info = info
                        .leaf_child("vendor-guid", vendor)
                        .leaf_child("external-id", domain.external_id.clone())
                        .leaf_child("sb-site-uuid", "")
                        .leaf_child("description", domain.description.clone())
                        .leaf_child("admin-description", domain.admin_description.clone());
                } else {
                    let ws = state.domains.get(&domain.webspace_id);
                    info = info
                        .leaf_child(
                            "webspace-guid",
                            ws.map(|w| w.guid.clone()).unwrap_or_default(),
                        )
                        .leaf_child("sb-site-uuid", "")
                        .leaf_child("webspace-id", domain.webspace_id.to_string())
                        .leaf_child("description", domain.description.clone());
                }
                data.push(info);
            }
            "hosting" | "hosting-basic" => {
                let mut kind = El::new(domain.hosting_type.xml_name());
                match domain.hosting_type {
                    HostingType::Virtual => {
                        let mut property = |name: &str, value: String| {
                            kind.push(
                                El::new("property")
                                    .leaf_child("name", name)
                                    .leaf_child("value", value),
                            );
                        };
                        if let Some(login) = &domain.ftp_login {
                            property("ftp_login", login.clone());
                        }
                        property("www_root", domain.www_root.clone());
                        property("ssl", "true".into());
                        property("php", "true".into());
                        if let Some(certificate) = &domain.certificate_name {
                            property("certificate_name", certificate.clone());
                        }
                        // ftp_password is write-only: real Plesk's answer is unconfirmed, and a
                        // simulator that returned it would hide a provider relying on it.
                    }
                    HostingType::StandardForwarding | HostingType::FrameForwarding => {
                        kind.push(El::leaf(
                            "dest_url",
                            domain.forward_url.clone().unwrap_or_default(),
                        ));
                    }
                    HostingType::None => {}
                }
                if domain.hosting_type != HostingType::None {
                    for ip in ips.iter().take(2) {
                        kind.push(El::leaf("ip_address", ip.clone()));
                    }
                }
                data.push(El::new(set).with(kind));
            }
            other => data.children.extend(super::xml_server::domain_dataset(
                state, domain, other, webspace,
            )),
        }
    }
    vec![data]
}

fn domain_get(op: &Node, webspace: bool) -> Result<Exec, String> {
    only_children(op, &["filter", "dataset"])?;
    let filter = parse_filter(
        op,
        if webspace {
            WEBSPACE_FILTER
        } else {
            SITE_FILTER
        },
    )?;
    let allowed: &[&str] = if webspace {
        &[
            "gen_info",
            "hosting",
            "hosting-basic",
            "limits",
            "stat",
            "prefs",
            "disk_usage",
            "performance",
            "subscriptions",
            "permissions",
            "plan-items",
            "php-settings",
            "resource-usage",
            "mail",
            "aps-filter",
            "packages",
        ]
    } else {
        &[
            "gen_info",
            "hosting",
            "stat",
            "prefs",
            "disk_usage",
            "performance",
        ]
    };
    let sets = datasets(op, allowed)?;
    if sets.iter().any(|set| set == "resource-usage") {
        // No source names the resources this dataset lists: refuse it explicitly
        // rather than answer something made up.
        return Err("Element 'resource-usage': This element is not simulated by panel-sim (parent 'dataset').".into());
    }
    Ok(Box::new(move |state| {
        let hits = domain_hits(state, webspace, &filter);
        let state_ref: &State = state;
        // Webspace and site get have `result [0..∞]`: nothing matched = no result.
        get_results(
            hits,
            if webspace { "Webspace" } else { "Site" },
            false,
            |id| domain_data(state_ref, id, webspace, &sets),
        )
    }))
}

fn domain_set(op: &Node, webspace: bool) -> Result<Exec, String> {
    only_children(op, &["filter", "values"])?;
    let filter = parse_filter(
        op,
        if webspace {
            WEBSPACE_FILTER
        } else {
            SITE_FILTER
        },
    )?;
    let values = op.child("values").ok_or_else(|| missing("set", "values"))?;
    let mut patch = DomainPatch::default();
    if let Some(setup) = values.child("gen_setup") {
        if webspace {
            only_children(setup, WEBSPACE_GEN_SETUP)?;
            patch.owner = owner_ref(setup)?;
            let ips: Vec<String> = setup
                .children_named("ip_address")
                .map(Node::value)
                .collect();
            if !ips.is_empty() {
                patch.ips = Some(ips);
            }
            patch.admin_description = setup.text_of("admin-description");
            patch.external_id = setup.text_of("external-id");
        } else {
            only_children(setup, &["name", "htype", "status", "description"])?;
        }
        patch.name = setup.text_of("name");
        patch.status = setup
            .text_of("status")
            .map(|s| parse_status(&s))
            .transpose()?;
        patch.description = setup.text_of("description");
    }
    if let Some(hosting) = values.child("hosting") {
        let hosting = parse_hosting(hosting)?;
        patch.hosting_type = hosting.hosting_type;
        patch.ftp_login = hosting.ftp_login;
        patch.ftp_password = hosting.ftp_password;
        patch.forward_url = hosting.forward_url;
        patch.www_root = hosting.www_root;
        if webspace && !hosting.ips.is_empty() && patch.ips.is_none() {
            patch.ips = Some(hosting.ips);
        }
    }
    Ok(Box::new(move |state| {
        let hits = domain_hits(state, webspace, &filter);
        filter_results(hits, if webspace { "Webspace" } else { "Site" }, |id| {
            state.update_domain(id, patch.clone())
        })
    }))
}

fn domain_del(op: &Node, webspace: bool) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let filter = parse_filter(
        op,
        if webspace {
            WEBSPACE_FILTER
        } else {
            SITE_FILTER
        },
    )?;
    Ok(Box::new(move |state| {
        let hits = domain_hits(state, webspace, &filter);
        filter_results(hits, if webspace { "Webspace" } else { "Site" }, |id| {
            // A site deleted together with an earlier one in the same filter is gone already.
            if state.domains.contains_key(&id) {
                state.delete_domain(id).map(|_| ())
            } else {
                Ok(())
            }
        })
    }))
}

// ----- database ----------------------------------------------------------------------------

fn db_add(op: &Node) -> Result<Exec, String> {
    only_children(op, &["webspace-id", "name", "type", "db-server-id"])?;
    let webspace = parse_id(&required_text(op, "webspace-id")?, "webspace-id")?;
    let name = required_text(op, "name")?;
    let db_type = required_text(op, "type")?;
    let server = op
        .text_of("db-server-id")
        .map(|s| parse_id(&s, "db-server-id"))
        .transpose()?;
    Ok(Box::new(move |state| {
        let is_webspace = state
            .domains
            .get(&webspace)
            .is_some_and(|d| d.kind == DomainKind::Subscription);
        if !is_webspace {
            return vec![error_result(1013, "Webspace does not exist")];
        }
        vec![
            match state.create_database(&DomainRef::Id(webspace), &name, &db_type, server) {
                Ok(db) => ok_result().leaf_child("id", db.id.to_string()),
                Err(fault) => fault_result(&fault),
            },
        ]
    }))
}

fn db_hits(state: &State, filter: &Filter) -> Vec<Hit> {
    let all = || -> Vec<u64> { state.databases.keys().copied().collect() };
    resolve(filter, all, |key, value| match key {
        "id" => Selection::One(
            value
                .parse()
                .ok()
                .filter(|id| state.databases.contains_key(id)),
        ),
        _ => {
            let reference = if key == "webspace-id" {
                DomainRef::Id(value.parse().unwrap_or(0))
            } else {
                DomainRef::Name(value.to_owned())
            };
            let webspace = state
                .find_domain(&reference)
                .filter(|d| d.kind == DomainKind::Subscription)
                .map(|d| d.id);
            match webspace {
                // An unknown subscription is an error, not an empty list.
                None => Selection::One(None),
                Some(ws) => Selection::Many(
                    state
                        .databases
                        .values()
                        .filter(|db| db.webspace_id == ws)
                        .map(|db| db.id)
                        .collect(),
                ),
            }
        }
    })
}

fn db_get(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let filter = parse_filter(op, &["id", "webspace-id", "webspace-name"])?;
    Ok(Box::new(move |state| {
        let hits = db_hits(state, &filter);
        get_results(hits, "Database", true, |id| {
            let Some(db) = state.databases.get(&id) else {
                return Vec::new();
            };
            let mut fields = vec![
                El::leaf("name", db.name.clone()),
                El::leaf("type", db.db_type.clone()),
                El::leaf("webspace-id", db.webspace_id.to_string()),
                El::leaf("db-server-id", db.server_id.to_string()),
            ];
            if let Some(user) = db.default_user_id {
                fields.push(El::leaf("default-user-id", user.to_string()));
            }
            fields
        })
    }))
}

fn db_del(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let filter = parse_filter(op, &["id", "webspace-id", "webspace-name"])?;
    Ok(Box::new(move |state| {
        let hits = db_hits(state, &filter);
        filter_results(hits, "Database", |id| state.delete_database(id).map(|_| ()))
    }))
}

fn db_user_fields(op: &Node) -> Result<DbUserFields, String> {
    let hosts = |name: &str, item: &str| -> Option<Vec<String>> {
        op.child(name)
            .map(|n| n.children_named(item).map(Node::value).collect())
    };
    if let Some(kind) = op.text_of("password-type") {
        if kind != "plain" {
            // Hashed passwords cannot be checked against the policy; only plain is modelled.
            return Err(format!(
                "Element 'password-type': '{}' is not supported by panel-sim.",
                super::validate::printable(&kind)
            ));
        }
    }
    Ok(DbUserFields {
        login: op.text_of("login"),
        password: op.child("password").map(|p| p.text.clone()),
        acl_hosts: hosts("acl", "host"),
        remote_ips: hosts("allow-access-from", "ip-address"),
        role: op.text_of("role"),
    })
}

const DB_USER_CHILDREN: &[&str] = &[
    "db-id",
    "webspace-id",
    "db-server-id",
    "id",
    "login",
    "password",
    "password-type",
    "acl",
    "allow-access-from",
    "role",
];

fn db_user_add(op: &Node) -> Result<Exec, String> {
    only_children(op, DB_USER_CHILDREN)?;
    if op.child("id").is_some() {
        return Err(not_expected("add-db-user", "id"));
    }
    let database = op
        .text_of("db-id")
        .map(|s| parse_id(&s, "db-id"))
        .transpose()?;
    let universal = match (op.text_of("webspace-id"), op.text_of("db-server-id")) {
        (Some(ws), Some(server)) => Some((
            DomainRef::Id(parse_id(&ws, "webspace-id")?),
            parse_id(&server, "db-server-id")?,
        )),
        (None, None) => None,
        _ => return Err(missing("add-db-user", "db-server-id")),
    };
    if database.is_none() && universal.is_none() {
        return Err(missing("add-db-user", "db-id"));
    }
    required_text(op, "login")?;
    required_text(op, "password")?;
    let fields = db_user_fields(op)?;
    Ok(Box::new(move |state| {
        vec![match state.create_db_user(database, universal, fields) {
            Ok(user) => ok_result().leaf_child("id", user.id.to_string()),
            Err(fault) => fault_result(&fault),
        }]
    }))
}

fn db_user_hits(state: &State, filter: &Filter) -> Vec<Hit> {
    let all = || -> Vec<u64> { state.db_users.keys().copied().collect() };
    resolve(filter, all, |key, value| {
        let numeric = value.parse::<u64>().ok();
        if key == "id" {
            Selection::One(numeric.filter(|id| state.db_users.contains_key(id)))
        } else if numeric.is_some_and(|db| state.databases.contains_key(&db)) {
            Selection::Many(
                state
                    .db_users
                    .values()
                    .filter(|u| u.database_id == numeric)
                    .map(|u| u.id)
                    .collect(),
            )
        } else {
            Selection::One(None)
        }
    })
}

fn db_user_get(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let filter = parse_filter(op, &["id", "db-id"])?;
    Ok(Box::new(move |state| {
        let hits = db_user_hits(state, &filter);
        get_results(hits, "Database user", true, |id| {
            let Some(user) = state.db_users.get(&id) else {
                return Vec::new();
            };
            let mut fields = vec![El::leaf("login", user.login.clone())];
            if let Some(db) = user.database_id {
                fields.push(El::leaf("db-id", db.to_string()));
            }
            if !user.acl_hosts.is_empty() {
                let mut acl = El::new("acl");
                for host in &user.acl_hosts {
                    acl.push(El::leaf("host", host.clone()));
                }
                fields.push(acl);
            }
            if !user.remote_ips.is_empty() {
                let mut allow = El::new("allow-access-from");
                for ip in &user.remote_ips {
                    allow.push(El::leaf("ip-address", ip.clone()));
                }
                fields.push(allow);
            }
            fields
        })
    }))
}

fn db_user_set(op: &Node) -> Result<Exec, String> {
    only_children(
        op,
        &[
            "id",
            "login",
            "password",
            "password-type",
            "acl",
            "allow-access-from",
            "role",
        ],
    )?;
    let id = parse_id(&required_text(op, "id")?, "id")?;
    let fields = db_user_fields(op)?;
    Ok(Box::new(move |state| {
        vec![match state.update_db_user(id, fields) {
            Ok(()) => ok_result().leaf_child("id", id.to_string()),
            Err(fault) => fault_result(&fault).leaf_child("id", id.to_string()),
        }]
    }))
}

fn db_user_del(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let filter = parse_filter(op, &["id", "db-id"])?;
    Ok(Box::new(move |state| {
        let hits = db_user_hits(state, &filter);
        filter_results(hits, "Database user", |id| {
            state.delete_db_user(id).map(|_| ())
        })
    }))
}

// ----- db_server, ip, service plans, keys, server ----------------------------------------

fn db_server_get(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let filter = parse_filter(op, &["id"])?;
    Ok(Box::new(move |state| {
        let ids: Vec<u64> = match &filter.key {
            None => state.db_servers.iter().map(|s| s.id).collect(),
            Some(_) => filter
                .values
                .iter()
                .map(|v| v.parse().unwrap_or(0))
                .collect(),
        };
        // The captured answer carries `id` without `filter-id`.
        ids.into_iter()
            .map(|id| match state.db_server(id) {
                Some(server) => {
                    let count = state
                        .databases
                        .values()
                        .filter(|db| db.server_id == id)
                        .count();
                    let mut data = El::new("data")
                        .leaf_child("host", server.host.clone())
                        .leaf_child("port", server.port.to_string())
                        .leaf_child("type", server.db_type.clone())
                        .leaf_child("admin", server.admin_login.clone())
                        .leaf_child("status", "NO_ERROR")
                        .leaf_child("db_num", count.to_string());
                    if server.is_default {
                        data.push(El::new("default"));
                    }
                    if server.is_local {
                        data.push(El::new("local"));
                    }
                    ok_result().leaf_child("id", id.to_string()).with(data)
                }
                None => error_result(1013, "Database server does not exist")
                    .leaf_child("id", id.to_string()),
            })
            .collect()
    }))
}

fn db_server_supported_types() -> Exec {
    Box::new(|state| {
        let mut result = ok_result();
        let mut seen: Vec<&str> = Vec::new();
        for server in &state.db_servers {
            if !seen.contains(&server.db_type.as_str()) {
                seen.push(&server.db_type);
                result.push(El::leaf("type", server.db_type.clone()));
            }
        }
        vec![result]
    })
}

fn db_server_get_default(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let filter = parse_filter(op, &["type"])?;
    Ok(Box::new(move |state| {
        let types: Vec<String> = match &filter.key {
            None => {
                let mut types: Vec<String> = Vec::new();
                for server in &state.db_servers {
                    if !types.contains(&server.db_type) {
                        types.push(server.db_type.clone());
                    }
                }
                types
            }
            Some(_) => filter.values.clone(),
        };
        types
            .into_iter()
            .map(|db_type| {
                match state
                    .db_servers
                    .iter()
                    .find(|s| s.db_type == db_type && s.is_default)
                {
                    Some(server) => ok_result()
                        .leaf_child("type", db_type.clone())
                        .leaf_child("id", server.id.to_string()),
                    None => error_result(14009, "Database server is not configured")
                        .leaf_child("type", db_type),
                }
            })
            .collect()
    }))
}

fn ip_get() -> Exec {
    Box::new(|state| {
        let mut addresses = El::new("addresses");
        for ip in &state.ips {
            let mut info = El::new("ip_info")
                .leaf_child("ip_address", ip.ip.clone())
                .leaf_child("netmask", ip.netmask.clone())
                .leaf_child("type", ip.ip_type.clone())
                .leaf_child("interface", ip.interface.clone());
            if ip.is_default {
                info.push(El::new("default"));
            }
            addresses.push(info);
        }
        vec![ok_result().with(addresses)]
    })
}

/// The settings block every plan answer carries (captured `service-plan get`): the names
/// are Plesk's own; values are a plausible "Unlimited"-style plan.
fn plan_body(result: El) -> El {
    let pairs = |container: &str, item: &str, entries: &[(&str, &str)]| {
        let mut node = El::new(container);
        for (name, value) in entries {
            node.push(
                El::new(item)
                    .leaf_child("name", *name)
                    .leaf_child("value", *value),
            );
        }
        node
    };
    let mut limits = El::new("limits").leaf_child("overuse", "not_suspend");
    for (name, value) in [
        ("max_site", "-1"),
        ("max_subdom", "-1"),
        ("max_dom_aliases", "-1"),
        ("disk_space", "-1"),
        ("max_traffic", "-1"),
        ("max_wu", "-1"),
        ("max_subftp_users", "-1"),
        ("max_db", "-1"),
        ("max_box", "-1"),
        ("mbox_quota", "-1"),
        ("expiration", "-1"),
    ] {
        limits.push(
            El::new("limit")
                .leaf_child("name", name)
                .leaf_child("value", value),
        );
    }
    result
        .with(limits)
        .with(
            El::new("log-rotation").with(
                El::new("on")
                    .with(El::new("log-condition").leaf_child("log-bysize", "10485760"))
                    .leaf_child("log-max-num-files", "10")
                    .leaf_child("log-compress", "true"),
            ),
        )
        .with(
            El::new("preferences")
                .leaf_child("stat", "3")
                .leaf_child("maillists", "false")
                .leaf_child("mailservice", "true")
                .leaf_child("dns_zone_type", "master"),
        )
        .with(El::new("hosting").with(pairs(
            "vrt_hst",
            "property",
            &[
                ("ssl", "true"),
                ("php", "true"),
                ("php_handler_id", "fpm"),
                ("cgi", "false"),
                ("shell", "/bin/false"),
            ],
        )))
        .with(
            El::new("performance")
                .leaf_child("bandwidth", "-1")
                .leaf_child("max_connections", "-1"),
        )
        .with(pairs(
            "permissions",
            "permission",
            &[
                ("manage_phosting", "false"),
                ("manage_dns", "true"),
                ("manage_subdomains", "true"),
                ("manage_domain_aliases", "true"),
                ("manage_sh_access", "false"),
                ("manage_php_settings", "false"),
                ("create_domains", "true"),
                ("manage_mail_settings", "true"),
            ],
        ))
        .leaf_child("plan-items", "")
        .leaf_child("aps-filter", "false")
        .leaf_child("packages", "")
        .with(pairs(
            "php-settings",
            "setting",
            &[
                ("memory_limit", "128M"),
                ("max_execution_time", "30"),
                ("upload_max_filesize", "2M"),
            ],
        ))
        .with(
            El::new("web-server-settings")
                .leaf_child("restrict-follow-sym-links", "false")
                .leaf_child("nginx-proxy-mode", "true"),
        )
}

fn plan_get(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let filter = parse_filter(
        op,
        &[
            "id",
            "name",
            "guid",
            "external-id",
            "owner-id",
            "owner-login",
            "owner-guid",
            "owner-external-id",
            "owner-all",
        ],
    )?;
    Ok(Box::new(move |state| {
        let all: Vec<u64> = state.plans.iter().map(|p| p.id).collect();
        let hits = if filter
            .key
            .as_deref()
            .is_some_and(|k| k.starts_with("owner-"))
        {
            // Every simulated plan belongs to the administrator.
            let admin_owns = |value: &str| {
                matches!(filter.key.as_deref(), Some("owner-all"))
                    || state
                        .find_client(&match filter.key.as_deref() {
                            Some("owner-id") => ClientRef::Id(value.parse().unwrap_or(0)),
                            Some("owner-guid") => ClientRef::Guid(value.to_owned()),
                            Some("owner-external-id") => ClientRef::ExternalId(value.to_owned()),
                            _ => ClientRef::Login(value.to_owned()),
                        })
                        .is_some_and(|c| c.id == ADMIN_ID)
            };
            resolve(
                &filter,
                || all.clone(),
                |_, value| {
                    Selection::Many(if admin_owns(value) {
                        all.clone()
                    } else {
                        Vec::new()
                    })
                },
            )
        } else {
            resolve(
                &filter,
                || all,
                |key, value| {
                    Selection::One(
                        state
                            .plans
                            .iter()
                            .find(|p| match key {
                                "id" => p.id.to_string() == value,
                                "name" => p.name == value,
                                "guid" => p.guid.eq_ignore_ascii_case(value),
                                _ => !p.external_id.is_empty() && p.external_id == value,
                            })
                            .map(|p| p.id),
                    )
                },
            )
        };
        hits.into_iter()
            .map(|hit| match hit {
                Hit::Found { id, .. } => {
                    let Some(plan) = state.plans.iter().find(|p| p.id == id) else {
                        return error_result(1013, "Service plan does not exist");
                    };
                    // The captured answer has no `filter-id`, only the plan's own fields.
                    plan_body(
                        ok_result()
                            .leaf_child("id", plan.id.to_string())
                            .leaf_child("name", plan.name.clone())
                            .leaf_child("guid", plan.guid.clone())
                            .leaf_child("external-id", plan.external_id.clone())
                            .leaf_child("owner-login", "admin"),
                    )
                }
                Hit::Missing { filter_id, by_id } => {
                    missing_result(&filter_id, by_id, "Service plan")
                }
                Hit::Nothing {
                    filter_id: Some(filter_id),
                } => with_filter_id(ok_result(), &filter_id, None),
                Hit::Nothing { filter_id: None } => ok_result(),
            })
            .collect()
    }))
}

fn key_create(op: &Node) -> Result<Exec, String> {
    only_children(op, &["login", "ip_address", "description"])?;
    let login = op.text_of("login");
    let ips: Vec<String> = op.children_named("ip_address").map(Node::value).collect();
    let description = op.text_of("description");
    Ok(Box::new(move |state| {
        vec![match state.create_key(login.as_deref(), ips, description) {
            Ok(key) => ok_result().leaf_child("key", key),
            Err(fault) => fault_result(&fault),
        }]
    }))
}

fn key_filter_values(op: &Node) -> Result<Option<Vec<String>>, String> {
    let filter = parse_filter(op, &["key"])?;
    Ok(filter.key.map(|_| filter.values))
}

fn key_get_info(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let keys = key_filter_values(op)?;
    Ok(Box::new(move |state| {
        let keys = keys.unwrap_or_else(|| state.keys.keys().cloned().collect());
        keys.into_iter()
            .map(|key| match state.keys.get(&key) {
                Some(secret) => {
                    let mut info = El::new("key_info").leaf_child("key", secret.key.clone());
                    let first_ip = secret.ip_addresses.first().cloned().unwrap_or_default();
                    info = info
                        .leaf_child("ip_address", first_ip)
                        .leaf_child("description", secret.description.clone())
                        .leaf_child("login", secret.login.clone());
                    ok_result().with(info)
                }
                None => error_result(1013, "Secret key does not exist").leaf_child("key", key),
            })
            .collect()
    }))
}

fn key_delete(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let keys = key_filter_values(op)?.ok_or_else(|| missing("filter", "key"))?;
    Ok(Box::new(move |state| {
        keys.into_iter()
            .map(|key| match state.delete_key(&key) {
                Ok(_) => ok_result().leaf_child("key", key),
                Err(fault) => fault_result(&fault).leaf_child("key", key),
            })
            .collect()
    }))
}

/// Protocol versions a 1.6.9.1 server lists (the captured 1.6.8.0 list plus the two newer).
const PROTOCOLS: &[&str] = &[
    "1.0.0.0", "1.1.0.0", "1.2.0.0", "1.3.0.0", "1.3.1.0", "1.3.2.0", "1.3.3.0", "1.3.4.0",
    "1.3.5.0", "1.4.0.0", "1.4.1.0", "1.4.2.0", "1.4.1.1", "1.4.1.2", "1.5.0.0", "1.5.1.0",
    "1.5.2.0", "1.5.2.1", "1.6.0.0", "1.6.0.1", "1.6.0.2", "1.6.2.0", "1.6.3.0", "1.6.3.1",
    "1.6.3.2", "1.6.3.3", "1.6.3.4", "1.6.3.5", "1.6.4.0", "1.6.5.0", "1.6.6.0", "1.6.7.0",
    "1.6.8.0", "1.6.9.0", "1.6.9.1",
];

fn server_protos() -> Exec {
    Box::new(|_| {
        let mut protos = El::new("protos");
        for proto in PROTOCOLS {
            protos.push(El::leaf("proto", *proto));
        }
        vec![ok_result().with(protos)]
    })
}
