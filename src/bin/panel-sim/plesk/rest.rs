//! The REST API v2 front end (`/api/v2/...`): clients, domains, databases, database
//! users, database servers, server info and IPs, secret keys. Status codes and bodies
//! follow the OpenAPI document Plesk serves (reference/plesk/rest/openapi.json):
//! 201 `CreatedResponse` for POST /clients and /domains, 200 with the object for POST
//! /databases and /dbusers, 200 `CreatedResponse` for PUT/DELETE of clients and
//! domains, `{"code","message"}` (`ErrorResponse`) for every error.
//!
//! Where the spec declares no 404 for an operation (POST /domains), a reference to a
//! missing object is a 400. Authentication failures are 401 with an `ErrorResponse`
//! body even where the spec lists no 401 (only `POST /auth/keys` declares one).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post, put};
use axum::Router;
use base64::Engine as _;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::state::{
    Client, ClientFields, ClientRef, ClientType, DbUserFields, Domain, DomainKind, DomainPatch,
    DomainRef, Fault, HostingType, NewDomain, Placement, PlanRef, State, ADMIN_LOGIN,
    STATUS_ACTIVE, STATUS_DISABLED_BY_ADMIN, STATUS_DISABLED_BY_CUSTOMER,
};
use super::PleskSim;

pub(super) type Sim = AxumState<Arc<PleskSim>>;

// ----- responses ---------------------------------------------------------------------------

pub(super) fn json_response(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

pub fn error(status: StatusCode, message: &str) -> Response {
    json_response(status, json!({"code": status.as_u16(), "message": message}))
}

pub(super) fn bad_answer(message: impl AsRef<str>) -> Response {
    error(StatusCode::BAD_REQUEST, message.as_ref())
}

/// A request refused while reading it; boxed because an axum `Response` is large and
/// travels through many `Result`s before it is sent.
pub(super) type Reject = Box<Response>;

pub(super) fn bad_request(message: impl AsRef<str>) -> Reject {
    Box::new(bad_answer(message))
}

/// `declares_404`: whether the operation's spec lists a 404; otherwise "not found"
/// references are reported as 400.
pub(super) fn fault_response(fault: &Fault, declares_404: bool) -> Response {
    match fault {
        Fault::NotFound(message) if declares_404 => error(StatusCode::NOT_FOUND, message),
        other => bad_answer(other.message()),
    }
}

fn created(id: u64, guid: &str) -> Value {
    json!({"id": id, "guid": guid})
}

pub(super) fn success() -> Value {
    json!({"status": "success"})
}

// ----- authentication ----------------------------------------------------------------------

/// Basic auth or `X-API-Key`; only the administrator may use the REST API (Plesk docs).
fn authorize(state: &State, headers: &HeaderMap) -> Result<(), Reject> {
    let unauthorized = |message: &str| {
        let mut response = error(StatusCode::UNAUTHORIZED, message);
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"Plesk\""),
        );
        Box::new(response)
    };
    if let Some(key) = headers.get("x-api-key") {
        let key = key.to_str().unwrap_or_default().trim();
        return match state.authenticate_key(key) {
            Some(secret) if secret.login == ADMIN_LOGIN => Ok(()),
            _ => Err(unauthorized(
                "Authentication failed: the API key is not valid",
            )),
        };
    }
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|encoded| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded.trim())
                .ok()
        })
        .and_then(|decoded| String::from_utf8(decoded).ok());
    let Some(credentials) = basic else {
        return Err(unauthorized("Authentication required"));
    };
    let Some((login, password)) = credentials.split_once(':') else {
        return Err(unauthorized("Authentication failed"));
    };
    match state.authenticate_password(login, password) {
        Some(client) if client.login == ADMIN_LOGIN => Ok(()),
        _ => Err(unauthorized(
            "Authentication failed: wrong login or password",
        )),
    }
}

/// Runs `handler` with a read lock after authentication.
pub(super) fn read_with(
    sim: &PleskSim,
    headers: &HeaderMap,
    handler: impl FnOnce(&State) -> Response,
) -> Response {
    let state = sim.read();
    match authorize(&state, headers) {
        Ok(()) => handler(&state),
        Err(rejected) => *rejected,
    }
}

/// Runs `handler` with a write lock after authentication.
pub(super) fn write_with(
    sim: &PleskSim,
    headers: &HeaderMap,
    handler: impl FnOnce(&mut State) -> Response,
) -> Response {
    let mut state = sim.write();
    match authorize(&state, headers) {
        Ok(()) => handler(&mut state),
        Err(rejected) => *rejected,
    }
}

// ----- request bodies ----------------------------------------------------------------------

pub(super) type Body = Map<String, Value>;

pub(super) fn parse_body(bytes: &[u8]) -> Result<Body, Reject> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(bad_request(
            "Invalid request data: the body must be a JSON object",
        )),
        Err(_) => Err(bad_request(
            "Invalid request data: the body is not valid JSON",
        )),
    }
}

/// A present, non-null field. `null` counts as absent: real clients send
/// `"base_domain": null` for "no base domain".
pub(super) fn field<'a>(body: &'a Body, name: &str) -> Option<&'a Value> {
    body.get(name).filter(|v| !v.is_null())
}

pub(super) fn opt_string(body: &Body, name: &str) -> Result<Option<String>, Reject> {
    match field(body, name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(bad_request(format!("{name}: must be a string"))),
    }
}

pub(super) fn opt_int(body: &Body, name: &str) -> Result<Option<u64>, Reject> {
    match field(body, name) {
        None => Ok(None),
        Some(value) => value
            .as_u64()
            .map(Some)
            .ok_or_else(|| bad_request(format!("{name}: must be a non-negative integer"))),
    }
}

pub(super) fn opt_object<'a>(body: &'a Body, name: &str) -> Result<Option<&'a Body>, Reject> {
    match field(body, name) {
        None => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(bad_request(format!("{name}: must be an object"))),
    }
}

pub(super) fn opt_strings(body: &Body, name: &str) -> Result<Option<Vec<String>>, Reject> {
    match field(body, name) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad_request(format!("{name}: must be an array of strings")))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(bad_request(format!("{name}: must be an array of strings"))),
    }
}

pub(super) fn required<T>(value: Option<T>, name: &str) -> Result<T, Reject> {
    value.ok_or_else(|| bad_request(format!("{name}: this field is required")))
}

/// `DomainReference`: any one of `id`, `name`, `guid`.
pub(super) fn domain_ref(body: &Body, name: &str) -> Result<Option<DomainRef>, Reject> {
    let Some(reference) = opt_object(body, name)? else {
        return Ok(None);
    };
    if let Some(id) = opt_int(reference, "id")? {
        return Ok(Some(DomainRef::Id(id)));
    }
    if let Some(domain) = opt_string(reference, "name")? {
        return Ok(Some(DomainRef::Name(domain)));
    }
    if let Some(guid) = opt_string(reference, "guid")? {
        return Ok(Some(DomainRef::Guid(guid)));
    }
    Err(bad_request(format!(
        "{name}: one of id, name or guid is required"
    )))
}

/// `OwnerClientReference`: "the ID, login, GUID or external ID" (spec) — any one of them.
fn owner_ref(body: &Body) -> Result<Option<ClientRef>, Reject> {
    let Some(reference) = opt_object(body, "owner_client")? else {
        return Ok(None);
    };
    if let Some(id) = opt_int(reference, "id")? {
        return Ok(Some(ClientRef::Id(id)));
    }
    if let Some(login) = opt_string(reference, "login")? {
        return Ok(Some(ClientRef::Login(login)));
    }
    if let Some(guid) = opt_string(reference, "guid")? {
        return Ok(Some(ClientRef::Guid(guid)));
    }
    if let Some(external) = opt_string(reference, "external_id")? {
        return Ok(Some(ClientRef::ExternalId(external)));
    }
    Err(bad_request(
        "owner_client: one of id, login, guid or external_id is required",
    ))
}

pub(super) fn path_id(raw: &str) -> Option<u64> {
    raw.parse::<u64>().ok()
}

pub(super) fn query_param(query: &Option<String>, name: &str) -> Option<String> {
    let query = query.as_deref()?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

// ----- JSON views --------------------------------------------------------------------------

// Lists of thousands of objects are answered on every refresh (issue 16), so objects are
// serialised straight from borrowed views instead of being built as `serde_json::Value`
// maps first. Field order is the order the spec lists them in.

#[derive(Serialize)]
struct ClientView<'a> {
    id: u64,
    created: &'a str,
    name: &'a str,
    company: &'a str,
    login: &'a str,
    status: u32,
    email: &'a str,
    locale: &'a str,
    guid: &'a str,
    external_id: &'a str,
    description: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    owner_login: Option<&'a str>,
}

fn client_view<'a>(state: &'a State, client: &'a Client) -> ClientView<'a> {
    ClientView {
        id: client.id,
        created: &client.created,
        name: &client.name,
        company: &client.company,
        login: &client.login,
        status: client.status,
        email: &client.email,
        locale: &client.locale,
        guid: &client.guid,
        external_id: &client.external_id,
        description: &client.description,
        kind: client.kind.as_str(),
        owner_login: state.client_owner_login(client),
    }
}

fn client_json(state: &State, client: &Client) -> Value {
    serde_json::to_value(client_view(state, client)).unwrap_or(Value::Null)
}

#[derive(Serialize)]
struct DomainView<'a> {
    id: u64,
    name: &'a str,
    ascii_name: &'a str,
    hosting_type: &'static str,
    base_domain_id: u64,
    www_root: &'a str,
    guid: &'a str,
    created: &'a str,
    aliases: [(); 0],
}

fn domain_view(domain: &Domain) -> DomainView<'_> {
    DomainView {
        id: domain.id,
        name: &domain.name,
        ascii_name: &domain.ascii_name,
        hosting_type: domain.hosting_type.rest_name(),
        // Assumption: a subscription reports 0; addon domains and subdomains their subscription.
        base_domain_id: if domain.kind == DomainKind::Subscription {
            0
        } else {
            domain.webspace_id
        },
        www_root: &domain.www_root,
        guid: &domain.guid,
        created: &domain.created,
        aliases: [],
    }
}

fn domain_json(domain: &Domain) -> Value {
    serde_json::to_value(domain_view(domain)).unwrap_or(Value::Null)
}

#[derive(Serialize)]
struct DatabaseView<'a> {
    id: u64,
    name: &'a str,
    #[serde(rename = "type")]
    db_type: &'a str,
    parent_domain: u64,
    server_id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_user_id: Option<u64>,
}

fn database_view(db: &super::state::Database) -> DatabaseView<'_> {
    DatabaseView {
        id: db.id,
        name: &db.name,
        db_type: &db.db_type,
        parent_domain: db.domain_id,
        server_id: db.server_id,
        default_user_id: db.default_user_id,
    }
}

fn database_json(db: &super::state::Database) -> Value {
    serde_json::to_value(database_view(db)).unwrap_or(Value::Null)
}

/// A JSON answer serialised directly from `value`.
pub(super) fn serialized<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => {
            let mut response = (status, bytes).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(_) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Cannot serialise the answer",
        ),
    }
}

fn db_user_json(user: &super::state::DbUser) -> Value {
    let mut value = json!({"id": user.id, "login": user.login});
    if let (Some(db), Some(map)) = (user.database_id, value.as_object_mut()) {
        map.insert("database_id".into(), json!(db));
    }
    value
}

fn domain_status_name(status: u32) -> &'static str {
    match status {
        STATUS_ACTIVE => "active",
        STATUS_DISABLED_BY_CUSTOMER => "disabled",
        _ => "suspended",
    }
}

// ----- router ------------------------------------------------------------------------------

async fn method_not_allowed() -> Response {
    error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
}

async fn unknown_route() -> Response {
    error(StatusCode::NOT_FOUND, "Not found")
}

pub fn routes() -> Router<Arc<PleskSim>> {
    Router::new()
        .route(
            "/api/v2/clients",
            get(clients_list)
                .post(clients_create)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v2/clients/{id}",
            get(client_get)
                .put(client_update)
                .delete(client_delete)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v2/clients/{id}/domains",
            get(client_domains).fallback(method_not_allowed),
        )
        .route(
            "/api/v2/clients/{id}/statistics",
            get(client_statistics).fallback(method_not_allowed),
        )
        .route(
            "/api/v2/clients/{id}/activate",
            put(client_activate).fallback(method_not_allowed),
        )
        .route(
            "/api/v2/clients/{id}/suspend",
            put(client_suspend).fallback(method_not_allowed),
        )
        .route(
            "/api/v2/domains",
            get(domains_list)
                .post(domains_create)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v2/domains/{id}",
            get(domain_get)
                .put(domain_update)
                .delete(domain_delete)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v2/domains/{id}/client",
            get(domain_client).fallback(method_not_allowed),
        )
        .route(
            "/api/v2/domains/{id}/status",
            get(domain_status_get)
                .put(domain_status_set)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v2/databases",
            get(databases_list)
                .post(databases_create)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v2/databases/{id}",
            axum::routing::delete(database_delete).fallback(method_not_allowed),
        )
        .route(
            "/api/v2/dbusers",
            get(db_users_list)
                .post(db_users_create)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v2/dbusers/{id}",
            put(db_user_update)
                .delete(db_user_delete)
                .fallback(method_not_allowed),
        )
        .route(
            "/api/v2/dbservers",
            get(db_servers_list).fallback(method_not_allowed),
        )
        .route(
            "/api/v2/server",
            get(server_meta).fallback(method_not_allowed),
        )
        .route(
            "/api/v2/server/ips",
            get(server_ips).fallback(method_not_allowed),
        )
        .route(
            "/api/v2/auth/keys",
            post(key_create).fallback(method_not_allowed),
        )
        .route(
            "/api/v2/auth/keys/{key}",
            axum::routing::delete(key_delete).fallback(method_not_allowed),
        )
        .route("/api/v2", any(unknown_route))
        .route("/api/v2/", any(unknown_route))
        .route("/api/v2/{*rest}", any(unknown_route))
}

// ----- clients -----------------------------------------------------------------------------

fn client_fields(body: &Body) -> Result<ClientFields, Reject> {
    let status = match opt_int(body, "status")? {
        Some(status) => {
            Some(u32::try_from(status).map_err(|_| bad_request("status: out of range"))?)
        }
        None => None,
    };
    Ok(ClientFields {
        login: opt_string(body, "login")?,
        name: opt_string(body, "name")?,
        company: opt_string(body, "company")?,
        email: opt_string(body, "email")?,
        password: opt_string(body, "password")?,
        status,
        locale: opt_string(body, "locale")?,
        owner: opt_string(body, "owner_login")?.map(ClientRef::Login),
        external_id: opt_string(body, "external_id")?,
        description: opt_string(body, "description")?,
        ..ClientFields::default()
    })
}

async fn clients_list(AxumState(sim): Sim, headers: HeaderMap) -> Response {
    read_with(&sim, &headers, |state| {
        let list: Vec<ClientView> = state
            .clients
            .values()
            .map(|c| client_view(state, c))
            .collect();
        serialized(StatusCode::OK, &list)
    })
}

async fn clients_create(AxumState(sim): Sim, headers: HeaderMap, body: Bytes) -> Response {
    write_with(&sim, &headers, |state| {
        let build = || -> Result<(ClientType, ClientFields), Reject> {
            let body = parse_body(&body)?;
            let fields = client_fields(&body)?;
            required(fields.name.as_ref(), "name")?;
            required(fields.login.as_ref(), "login")?;
            required(fields.password.as_ref(), "password")?;
            required(fields.email.as_ref(), "email")?;
            let kind = match required(opt_string(&body, "type")?, "type")?.as_str() {
                "customer" => ClientType::Customer,
                "reseller" => ClientType::Reseller,
                "admin" => ClientType::Admin,
                _ => {
                    return Err(bad_request(
                        "type: must be one of reseller, customer, admin",
                    ))
                }
            };
            Ok((kind, fields))
        };
        let (kind, fields) = match build() {
            Ok(parts) => parts,
            Err(rejected) => return *rejected,
        };
        match state.create_client(kind, fields) {
            Ok(id) => {
                let guid = state
                    .clients
                    .get(&id)
                    .map(|c| c.guid.clone())
                    .unwrap_or_default();
                json_response(StatusCode::CREATED, created(id, &guid))
            }
            Err(fault) => fault_response(&fault, false),
        }
    })
}

fn client_not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Client is not found")
}

async fn client_get(AxumState(sim): Sim, headers: HeaderMap, Path(id): Path<String>) -> Response {
    read_with(&sim, &headers, |state| {
        match path_id(&id).and_then(|id| state.clients.get(&id)) {
            Some(client) => json_response(StatusCode::OK, client_json(state, client)),
            None => client_not_found(),
        }
    })
}

async fn client_update(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    write_with(&sim, &headers, |state| {
        let Some(id) = path_id(&id).filter(|id| state.clients.contains_key(id)) else {
            return client_not_found();
        };
        let fields = match parse_body(&body).and_then(|body| client_fields(&body)) {
            Ok(fields) => fields,
            Err(rejected) => return *rejected,
        };
        match state.update_client(id, fields) {
            Ok(()) => {
                let guid = state
                    .clients
                    .get(&id)
                    .map(|c| c.guid.clone())
                    .unwrap_or_default();
                json_response(StatusCode::OK, created(id, &guid))
            }
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn client_delete(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    write_with(&sim, &headers, |state| {
        let Some(id) = path_id(&id) else {
            return client_not_found();
        };
        match state.delete_client(id) {
            Ok(client) => json_response(StatusCode::OK, created(client.id, &client.guid)),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn client_domains(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    read_with(&sim, &headers, |state| {
        let Some(id) = path_id(&id).filter(|id| state.clients.contains_key(id)) else {
            return client_not_found();
        };
        let list: Vec<Value> = state
            .domains
            .values()
            .filter(|d| state.domain_owner(d) == id)
            .map(domain_json)
            .collect();
        json_response(StatusCode::OK, Value::Array(list))
    })
}

async fn client_statistics(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    read_with(&sim, &headers, |state| {
        let Some(id) = path_id(&id).filter(|id| state.clients.contains_key(id)) else {
            return client_not_found();
        };
        let webspaces: Vec<u64> = state
            .domains
            .values()
            .filter(|d| d.kind == DomainKind::Subscription && d.owner_id == id)
            .map(|d| d.id)
            .collect();
        let count = |kind: DomainKind| {
            state
                .domains
                .values()
                .filter(|d| d.kind == kind && webspaces.contains(&d.webspace_id))
                .count()
        };
        let databases = state
            .databases
            .values()
            .filter(|db| webspaces.contains(&db.webspace_id))
            .count();
        json_response(
            StatusCode::OK,
            json!({
                "active_domains": count(DomainKind::Subscription) + count(DomainKind::Addon),
                "subdomains": count(DomainKind::Subdomain),
                "disk_space": 0,
                "email_postboxes": 0,
                "email_redirects": 0,
                "email_response_messages": 0,
                "mailing_lists": 0,
                "databases": databases,
                "traffic": 0,
                "traffic_prevday": 0,
            }),
        )
    })
}

fn set_client_status(sim: &PleskSim, headers: &HeaderMap, id: &str, status: u32) -> Response {
    write_with(sim, headers, |state| {
        let Some(id) = path_id(id).filter(|id| state.clients.contains_key(id)) else {
            return client_not_found();
        };
        let fields = ClientFields {
            status: Some(status),
            ..ClientFields::default()
        };
        match state.update_client(id, fields) {
            Ok(()) => json_response(StatusCode::OK, success()),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn client_activate(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    set_client_status(&sim, &headers, &id, STATUS_ACTIVE)
}

async fn client_suspend(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    set_client_status(&sim, &headers, &id, STATUS_DISABLED_BY_ADMIN)
}

// ----- domains -----------------------------------------------------------------------------

fn domain_not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Domain is not found")
}

/// The parts of a `DomainRequest` shared by create and update.
struct DomainBody {
    name: Option<String>,
    description: Option<String>,
    hosting_type: Option<HostingType>,
    ftp_login: Option<String>,
    ftp_password: Option<String>,
    forward_url: Option<String>,
    www_root: Option<String>,
    base_domain: Option<DomainRef>,
    parent_domain: Option<DomainRef>,
    owner: Option<ClientRef>,
    ips: Option<Vec<String>>,
    plan: Option<String>,
}

fn domain_body(bytes: &[u8]) -> Result<DomainBody, Reject> {
    let body = parse_body(bytes)?;
    let hosting_type = match opt_string(&body, "hosting_type")? {
        Some(name) => Some(HostingType::from_rest(&name).ok_or_else(|| {
            bad_request(
                "hosting_type: must be one of virtual, standard_forwarding, frame_forwarding, none",
            )
        })?),
        None => None,
    };
    let settings = opt_object(&body, "hosting_settings")?;
    let setting = |name: &str| -> Result<Option<String>, Reject> {
        match settings {
            Some(map) => opt_string(map, name)
                .map_err(|_| bad_request(format!("hosting_settings.{name}: must be a string"))),
            None => Ok(None),
        }
    };
    let mut ips = opt_strings(&body, "ip_addresses")?;
    if ips.is_none() {
        // The deprecated ipv4/ipv6 arrays still work.
        let mut legacy = opt_strings(&body, "ipv4")?.unwrap_or_default();
        legacy.extend(opt_strings(&body, "ipv6")?.unwrap_or_default());
        if !legacy.is_empty() {
            ips = Some(legacy);
        }
    }
    let plan = match opt_object(&body, "plan")? {
        Some(plan) => Some(required(opt_string(plan, "name")?, "plan.name")?),
        None => None,
    };
    Ok(DomainBody {
        name: opt_string(&body, "name")?,
        description: opt_string(&body, "description")?,
        hosting_type,
        ftp_login: setting("ftp_login")?,
        ftp_password: setting("ftp_password")?,
        forward_url: setting("dest_url")?,
        www_root: setting("www_root")?,
        base_domain: domain_ref(&body, "base_domain")?,
        parent_domain: domain_ref(&body, "parent_domain")?,
        owner: owner_ref(&body)?,
        ips,
        plan,
    })
}

async fn domains_list(
    AxumState(sim): Sim,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read_with(&sim, &headers, |state| {
        let list: Vec<DomainView> = match query_param(&query, "name") {
            // An array even when filtered; a name nobody has gives [].
            Some(name) => state
                .find_domain(&DomainRef::Name(name))
                .map(domain_view)
                .into_iter()
                .collect(),
            None => state.domains.values().map(domain_view).collect(),
        };
        serialized(StatusCode::OK, &list)
    })
}

async fn domains_create(AxumState(sim): Sim, headers: HeaderMap, body: Bytes) -> Response {
    write_with(&sim, &headers, |state| {
        let request = match domain_body(&body) {
            Ok(request) => request,
            Err(rejected) => return *rejected,
        };
        let Some(name) = request.name else {
            return bad_answer("name: this field is required");
        };
        let placement = match (request.base_domain, request.parent_domain) {
            (Some(_), Some(_)) => {
                return bad_answer("base_domain: cannot be combined with parent_domain")
            }
            (Some(webspace), None) => Placement::Addon { webspace },
            (None, Some(parent)) => Placement::Subdomain { parent },
            (None, None) => Placement::Subscription {
                owner: request.owner,
                ips: request.ips.unwrap_or_default(),
                plan: request.plan.map(PlanRef::Name),
            },
        };
        let is_subscription = matches!(placement, Placement::Subscription { .. });
        // Assumption: without hosting_type, sites get virtual hosting (they share the
        // subscription's system user) and a subscription gets it when FTP credentials come.
        let hosting_type =
            request
                .hosting_type
                .unwrap_or(if !is_subscription || request.ftp_login.is_some() {
                    HostingType::Virtual
                } else {
                    HostingType::None
                });
        let new = NewDomain {
            name,
            placement,
            hosting_type,
            ftp_login: request.ftp_login,
            ftp_password: request.ftp_password,
            forward_url: request.forward_url,
            www_root: request.www_root,
            status: None,
            description: request.description,
            admin_description: None,
            external_id: None,
        };
        match state.create_domain(new) {
            Ok(id) => {
                let guid = state
                    .domains
                    .get(&id)
                    .map(|d| d.guid.clone())
                    .unwrap_or_default();
                json_response(StatusCode::CREATED, created(id, &guid))
            }
            Err(fault) => fault_response(&fault, false),
        }
    })
}

async fn domain_get(AxumState(sim): Sim, headers: HeaderMap, Path(id): Path<String>) -> Response {
    read_with(&sim, &headers, |state| {
        match path_id(&id).and_then(|id| state.domains.get(&id)) {
            Some(domain) => json_response(StatusCode::OK, domain_json(domain)),
            None => domain_not_found(),
        }
    })
}

async fn domain_update(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    write_with(&sim, &headers, |state| {
        let Some(current) = path_id(&id).and_then(|id| state.domains.get(&id)).cloned() else {
            return domain_not_found();
        };
        let request = match domain_body(&body) {
            Ok(request) => request,
            Err(rejected) => return *rejected,
        };
        // Placement and plan are fixed at creation (plans: "cannot be applied to a
        // subscription after it is created"); restating the current value is fine.
        let same_domain = |reference: &DomainRef, expected: Option<u64>| {
            state.find_domain(reference).map(|d| d.id) == expected
        };
        if let Some(base) = &request.base_domain {
            let expected = (current.kind == DomainKind::Addon).then_some(current.webspace_id);
            if !same_domain(base, expected) {
                return bad_answer("base_domain: cannot be changed");
            }
        }
        if let Some(parent) = &request.parent_domain {
            if !same_domain(parent, current.parent_id) {
                return bad_answer("parent_domain: cannot be changed");
            }
        }
        if let Some(plan) = &request.plan {
            let current_plan = current
                .plan_id
                .and_then(|id| state.plans.iter().find(|p| p.id == id));
            if current_plan.map(|p| &p.name) != Some(plan) {
                return bad_answer("plan: a service plan cannot be changed through this request");
            }
        }
        let patch = DomainPatch {
            name: request.name.filter(|name| {
                super::validate::domain_name(name).map(|(_, ascii)| ascii)
                    != Ok(current.ascii_name.clone())
            }),
            owner: request.owner,
            ips: request.ips,
            hosting_type: request.hosting_type,
            ftp_login: request
                .ftp_login
                .filter(|login| current.ftp_login.as_ref() != Some(login)),
            ftp_password: request.ftp_password,
            forward_url: request.forward_url,
            www_root: request.www_root,
            status: None,
            description: request.description,
            admin_description: None,
            external_id: None,
        };
        match state.update_domain(current.id, patch) {
            Ok(()) => json_response(StatusCode::OK, created(current.id, &current.guid)),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn domain_delete(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    write_with(&sim, &headers, |state| {
        let Some(id) = path_id(&id) else {
            return domain_not_found();
        };
        match state.delete_domain(id) {
            Ok(domain) => json_response(StatusCode::OK, created(domain.id, &domain.guid)),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn domain_client(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    read_with(&sim, &headers, |state| {
        let Some(domain) = path_id(&id).and_then(|id| state.domains.get(&id)) else {
            return domain_not_found();
        };
        match state.clients.get(&state.domain_owner(domain)) {
            Some(client) => json_response(StatusCode::OK, client_json(state, client)),
            None => client_not_found(),
        }
    })
}

async fn domain_status_get(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    read_with(&sim, &headers, |state| {
        match path_id(&id).and_then(|id| state.domains.get(&id)) {
            Some(domain) => json_response(
                StatusCode::OK,
                json!({"status": domain_status_name(domain.status)}),
            ),
            None => domain_not_found(),
        }
    })
}

async fn domain_status_set(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    write_with(&sim, &headers, |state| {
        let Some(id) = path_id(&id).filter(|id| state.domains.contains_key(id)) else {
            return domain_not_found();
        };
        let status = match parse_body(&body)
            .and_then(|body| required(opt_string(&body, "status")?, "status"))
        {
            Ok(status) => status,
            Err(rejected) => return *rejected,
        };
        let code = match status.as_str() {
            "active" => STATUS_ACTIVE,
            "suspended" => STATUS_DISABLED_BY_ADMIN,
            "disabled" => STATUS_DISABLED_BY_CUSTOMER,
            _ => return bad_answer("status: must be one of active, suspended, disabled"),
        };
        match state.update_domain(
            id,
            DomainPatch {
                status: Some(code),
                ..DomainPatch::default()
            },
        ) {
            Ok(()) => json_response(StatusCode::OK, json!({"status": status})),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

// ----- databases ---------------------------------------------------------------------------

async fn databases_list(
    AxumState(sim): Sim,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read_with(&sim, &headers, |state| {
        let list: Vec<DatabaseView> = match query_param(&query, "domain") {
            Some(name) => {
                let Some(domain) = state.find_domain(&DomainRef::Name(name)) else {
                    return domain_not_found();
                };
                // A subscription lists all its databases; a site only those made for it.
                let id = domain.id;
                let whole_subscription = domain.kind == DomainKind::Subscription;
                state
                    .databases
                    .values()
                    .filter(|db| {
                        if whole_subscription {
                            db.webspace_id == id
                        } else {
                            db.domain_id == id
                        }
                    })
                    .map(database_view)
                    .collect()
            }
            None => state.databases.values().map(database_view).collect(),
        };
        serialized(StatusCode::OK, &list)
    })
}

async fn databases_create(AxumState(sim): Sim, headers: HeaderMap, body: Bytes) -> Response {
    write_with(&sim, &headers, |state| {
        let build = || -> Result<(String, String, DomainRef, Option<u64>), Reject> {
            let body = parse_body(&body)?;
            let name = required(opt_string(&body, "name")?, "name")?;
            let db_type = required(opt_string(&body, "type")?, "type")?;
            if !matches!(db_type.as_str(), "mysql" | "postgresql" | "mssql") {
                return Err(bad_request("type: must be one of mssql, mysql, postgresql"));
            }
            let domain = required(domain_ref(&body, "parent_domain")?, "parent_domain")?;
            Ok((name, db_type, domain, opt_int(&body, "server_id")?))
        };
        let (name, db_type, domain, server) = match build() {
            Ok(parts) => parts,
            Err(rejected) => return *rejected,
        };
        match state.create_database(&domain, &name, &db_type, server) {
            Ok(db) => json_response(StatusCode::OK, database_json(&db)),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn database_delete(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    write_with(&sim, &headers, |state| {
        let Some(id) = path_id(&id) else {
            return error(StatusCode::NOT_FOUND, "Database is not found");
        };
        match state.delete_database(id) {
            Ok(_) => json_response(StatusCode::OK, success()),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn db_users_list(
    AxumState(sim): Sim,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read_with(&sim, &headers, |state| {
        let list: Vec<Value> = match query_param(&query, "dbId") {
            Some(raw) => {
                let Ok(db_id) = raw.parse::<u64>() else {
                    return bad_answer("dbId: must be an integer");
                };
                if !state.databases.contains_key(&db_id) {
                    return error(StatusCode::NOT_FOUND, "Database is not found");
                }
                state
                    .db_users
                    .values()
                    .filter(|u| u.database_id == Some(db_id))
                    .map(db_user_json)
                    .collect()
            }
            None => state.db_users.values().map(db_user_json).collect(),
        };
        json_response(StatusCode::OK, Value::Array(list))
    })
}

async fn db_users_create(AxumState(sim): Sim, headers: HeaderMap, body: Bytes) -> Response {
    write_with(&sim, &headers, |state| {
        type Parts = (Option<u64>, Option<(DomainRef, u64)>, DbUserFields);
        let build = || -> Result<Parts, Reject> {
            let body = parse_body(&body)?;
            let fields = DbUserFields {
                login: Some(required(opt_string(&body, "login")?, "login")?),
                password: Some(required(opt_string(&body, "password")?, "password")?),
                ..DbUserFields::default()
            };
            let database = opt_int(&body, "database_id")?;
            let universal = match (
                domain_ref(&body, "parent_domain")?,
                opt_int(&body, "server_id")?,
            ) {
                (Some(domain), Some(server)) => Some((domain, server)),
                _ => None,
            };
            if database.is_none() && universal.is_none() {
                return Err(bad_request(
                    "database_id: required unless parent_domain and server_id are given",
                ));
            }
            Ok((database, universal, fields))
        };
        let (database, universal, fields) = match build() {
            Ok(parts) => parts,
            Err(rejected) => return *rejected,
        };
        match state.create_db_user(database, universal, fields) {
            Ok(user) => json_response(StatusCode::OK, db_user_json(&user)),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn db_user_update(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    write_with(&sim, &headers, |state| {
        let Some(id) = path_id(&id).filter(|id| state.db_users.contains_key(id)) else {
            return error(StatusCode::NOT_FOUND, "Database user is not found");
        };
        let fields = match parse_body(&body).and_then(|body| {
            Ok(DbUserFields {
                login: opt_string(&body, "login")?,
                password: opt_string(&body, "password")?,
                ..DbUserFields::default()
            })
        }) {
            Ok(fields) => fields,
            Err(rejected) => return *rejected,
        };
        match state.update_db_user(id, fields) {
            Ok(()) => json_response(StatusCode::OK, success()),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn db_user_delete(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    write_with(&sim, &headers, |state| {
        let Some(id) = path_id(&id) else {
            return error(StatusCode::NOT_FOUND, "Database user is not found");
        };
        match state.delete_db_user(id) {
            Ok(_) => json_response(StatusCode::OK, success()),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn db_servers_list(
    AxumState(sim): Sim,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    read_with(&sim, &headers, |state| {
        let wanted = match query_param(&query, "id") {
            Some(raw) => match raw.parse::<u64>() {
                Ok(id) if state.db_server(id).is_some() => Some(id),
                Ok(_) => return error(StatusCode::NOT_FOUND, "Server is not found"),
                Err(_) => return bad_answer("id: must be an integer"),
            },
            None => None,
        };
        let list: Vec<Value> = state
            .db_servers
            .iter()
            .filter(|server| wanted.is_none_or(|id| server.id == id))
            .map(|server| {
                json!({
                    "id": server.id,
                    "host": server.host,
                    "port": server.port,
                    "type": server.db_type,
                    "status": "online",
                    "db_count": state.databases.values().filter(|db| db.server_id == server.id).count(),
                    "is_default": server.is_default,
                    "is_local": server.is_local,
                })
            })
            .collect();
        json_response(StatusCode::OK, Value::Array(list))
    })
}

// ----- server and keys -----------------------------------------------------------------------

async fn server_meta(AxumState(sim): Sim, headers: HeaderMap) -> Response {
    read_with(&sim, &headers, |state| {
        json_response(
            StatusCode::OK,
            json!({
                "platform": "Unix",
                "hostname": "plesk.sim.localdomain",
                "guid": state.server_guid,
                "panel_version": "18.0.76",
                "panel_revision": "panel-sim",
                "panel_build_date": "2025-11-01",
                "panel_update_version": "1",
                "extension_version": "18.0.76",
                "extension_release": "1",
            }),
        )
    })
}

async fn server_ips(AxumState(sim): Sim, headers: HeaderMap) -> Response {
    read_with(&sim, &headers, |state| {
        let list: Vec<Value> = state
            .ips
            .iter()
            .map(|ip| {
                let family = if ip.ip.contains(':') { "ipv6" } else { "ipv4" };
                json!({family: ip.ip, "netmask": ip.netmask, "interface": ip.interface, "type": ip.ip_type})
            })
            .collect();
        json_response(StatusCode::OK, Value::Array(list))
    })
}

async fn key_create(AxumState(sim): Sim, headers: HeaderMap, body: Bytes) -> Response {
    write_with(&sim, &headers, |state| {
        type Parts = (Option<String>, Vec<String>, Option<String>);
        let build = || -> Result<Parts, Reject> {
            let body = parse_body(&body)?;
            let mut ips = opt_strings(&body, "ips")?.unwrap_or_default();
            if let Some(ip) = opt_string(&body, "ip")? {
                ips.insert(0, ip);
            }
            Ok((
                opt_string(&body, "login")?,
                ips,
                opt_string(&body, "description")?,
            ))
        };
        let (login, ips, description) = match build() {
            Ok(parts) => parts,
            Err(rejected) => return *rejected,
        };
        match state.create_key(login.as_deref(), ips, description) {
            Ok(key) => json_response(StatusCode::CREATED, json!({"key": key})),
            // Spec: 401 "Incorrect login" for a login that cannot own a key.
            Err(Fault::NotFound(_)) => error(StatusCode::UNAUTHORIZED, "Incorrect login"),
            Err(fault) => fault_response(&fault, false),
        }
    })
}

async fn key_delete(AxumState(sim): Sim, headers: HeaderMap, Path(key): Path<String>) -> Response {
    write_with(&sim, &headers, |state| match state.delete_key(&key) {
        Ok(_) => json_response(StatusCode::OK, success()),
        Err(_) => error(StatusCode::NOT_FOUND, "Key does not exist"),
    })
}
