//! REST API v2 routes for DNS records (`/dns/records`), additional FTP accounts
//! (`/ftpusers`), the CLI gateway (`/cli/...`), and the answer for operations of the
//! spec that the simulator does not serve.
//!
//! Status codes and bodies follow openapi.json: `DnsRecord` (200) for POST and GET of a
//! record, `StatusResponse` for PUT/DELETE; `FtpUser` (200) for POST /ftpusers,
//! `StatusResponse` for PUT/DELETE; `CliCallResponse` (200, even when the utility
//! fails) for POST /cli/{id}/call.
//!
//! Deviations, on purpose:
//! - `GET /dns/records` declares only 200. A missing `domain` parameter answers 400 and
//!   a domain that does not exist 404 (the POST's "Domain or Domain Alias is not found"),
//!   because an empty list would read as "the zone has no records".
//! - Spec operations not simulated (`/server/session`, `/server/init`,
//!   `/server/license`, `/extensions*`) answer **501 Not Implemented** with an
//!   `ErrorResponse` whose message starts "Not simulated:", after authentication. A
//!   client can tell that from 404 (a missing object, or a path Plesk does not have).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use axum::routing::{any, get, post};
use axum::Router;
use serde_json::{json, Value};

use super::dns::{DnsRecord, RecordFields};
use super::ftp::{FtpFields, FtpUser};
use super::rest::{
    bad_request, domain_ref, error, fault_response, field, json_response, opt_int, opt_object,
    opt_string, parse_body, query_param, read_with, required, success, write_with, Body, Reject,
    Sim,
};
use super::state::{DomainRef, State};
use super::xml_services::record_ttl;
use super::PleskSim;

pub fn routes() -> Router<Arc<PleskSim>> {
    let not_allowed = || async { error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed") };
    Router::new()
        .route(
            "/api/v2/dns/records",
            get(dns_list).post(dns_create).fallback(not_allowed),
        )
        .route(
            "/api/v2/dns/records/{id}",
            get(dns_get)
                .put(dns_update)
                .delete(dns_delete)
                .fallback(not_allowed),
        )
        .route(
            "/api/v2/ftpusers",
            get(ftp_list).post(ftp_create).fallback(not_allowed),
        )
        .route(
            "/api/v2/ftpusers/{name}",
            axum::routing::put(ftp_update)
                .delete(ftp_delete)
                .fallback(not_allowed),
        )
        .route(
            "/api/v2/cli/commands",
            get(cli_commands).fallback(not_allowed),
        )
        .route("/api/v2/cli/{id}/ref", get(cli_ref).fallback(not_allowed))
        .route(
            "/api/v2/cli/{id}/call",
            post(cli_call).fallback(not_allowed),
        )
        .route("/api/v2/server/session", any(not_simulated))
        .route("/api/v2/server/init", any(not_simulated))
        .route("/api/v2/server/license", any(not_simulated))
        .route("/api/v2/extensions", any(not_simulated))
        .route("/api/v2/extensions/{id}", any(not_simulated))
        .route("/api/v2/extensions/{id}/enable", any(not_simulated))
        .route("/api/v2/extensions/{id}/disable", any(not_simulated))
}

/// The spec's operations on the paths routed to [`not_simulated`].
const UNSERVED: &[(&str, &str)] = &[
    ("POST", "/api/v2/server/session"),
    ("POST", "/api/v2/server/init"),
    ("POST", "/api/v2/server/license"),
    ("GET", "/api/v2/extensions"),
    ("POST", "/api/v2/extensions"),
    ("GET", "/api/v2/extensions/{id}"),
    ("DELETE", "/api/v2/extensions/{id}"),
    ("PUT", "/api/v2/extensions/{id}/enable"),
    ("PUT", "/api/v2/extensions/{id}/disable"),
];

async fn not_simulated(
    AxumState(sim): Sim,
    method: Method,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
) -> Response {
    read_with(&sim, &headers, |_| {
        let path = uri.path();
        let Some(template) = UNSERVED
            .iter()
            .filter(|(m, _)| *m == method.as_str())
            .map(|(_, template)| *template)
            .find(|template| matches_template(template, path))
        else {
            return error(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed");
        };
        error(
            StatusCode::NOT_IMPLEMENTED,
            &format!("Not simulated: panel-sim does not serve {method} {template} (an operation of Plesk's REST API)"),
        )
    })
}

/// `/api/v2/extensions/{id}` matches `/api/v2/extensions/letsencrypt`.
fn matches_template(template: &str, path: &str) -> bool {
    let (template, path): (Vec<&str>, Vec<&str>) =
        (template.split('/').collect(), path.split('/').collect());
    template.len() == path.len()
        && template
            .iter()
            .zip(&path)
            .all(|(t, p)| t == p || (t.starts_with('{') && !p.is_empty()))
}

// ----- DNS records -----------------------------------------------------------------------

fn record_json(record: &DnsRecord) -> Value {
    json!({
        "id": record.id,
        "type": record.rtype,
        "host": record.host,
        "value": record.value,
        "opt": record.opt,
        "ttl": record_ttl(record),
    })
}

fn record_fields(body: &Body) -> Result<RecordFields, Reject> {
    let ttl = match opt_int(body, "ttl")? {
        Some(ttl) => Some(u32::try_from(ttl).map_err(|_| bad_request("ttl: out of range"))?),
        None => None,
    };
    Ok(RecordFields {
        rtype: opt_string(body, "type")?,
        host: opt_string(body, "host")?,
        value: opt_string(body, "value")?,
        opt: opt_string(body, "opt")?,
        ttl,
    })
}

fn zone_domain(state: &State, query: &Option<String>) -> Result<u64, Box<Response>> {
    let Some(name) = query_param(query, "domain") else {
        return Err(bad_request("domain: this query parameter is required"));
    };
    state
        .find_domain(&DomainRef::Name(name))
        .map(|d| d.id)
        .ok_or_else(|| {
            Box::new(error(
                StatusCode::NOT_FOUND,
                "Domain or Domain Alias is not found",
            ))
        })
}

fn record_not_found() -> Response {
    error(StatusCode::NOT_FOUND, "DNS record is not found")
}

async fn dns_list(AxumState(sim): Sim, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    read_with(&sim, &headers, |state| {
        let domain = match zone_domain(state, &query) {
            Ok(domain) => domain,
            Err(rejected) => return *rejected,
        };
        let records = state
            .zone_of(domain)
            .map(|zone| state.zone_records(zone))
            .unwrap_or_default();
        json_response(
            StatusCode::OK,
            Value::Array(records.iter().map(record_json).collect()),
        )
    })
}

async fn dns_create(
    AxumState(sim): Sim,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    write_with(&sim, &headers, |state| {
        let domain = match zone_domain(state, &query) {
            Ok(domain) => domain,
            Err(rejected) => return *rejected,
        };
        let fields = match parse_body(&body).and_then(|b| {
            let fields = record_fields(&b)?;
            required(fields.rtype.as_ref(), "type")?;
            required(fields.value.as_ref(), "value")?;
            Ok(fields)
        }) {
            Ok(fields) => fields,
            Err(rejected) => return *rejected,
        };
        match state.add_dns_record(domain, fields) {
            Ok(record) => json_response(StatusCode::OK, record_json(&record)),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

fn record_id(raw: &str) -> Result<u64, Box<Response>> {
    raw.parse::<u64>()
        .map_err(|_| bad_request("id: must be an integer"))
}

async fn dns_get(AxumState(sim): Sim, headers: HeaderMap, Path(id): Path<String>) -> Response {
    read_with(&sim, &headers, |state| {
        let id = match record_id(&id) {
            Ok(id) => id,
            Err(rejected) => return *rejected,
        };
        match state.dns_record(id) {
            Some(record) => json_response(StatusCode::OK, record_json(record)),
            None => record_not_found(),
        }
    })
}

async fn dns_update(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    write_with(&sim, &headers, |state| {
        let id = match record_id(&id) {
            Ok(id) => id,
            Err(rejected) => return *rejected,
        };
        if state.dns_record(id).is_none() {
            return record_not_found();
        }
        let fields = match parse_body(&body).and_then(|b| record_fields(&b)) {
            Ok(fields) => fields,
            Err(rejected) => return *rejected,
        };
        match state.update_dns_record(id, fields) {
            Ok(_) => json_response(StatusCode::OK, success()),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn dns_delete(AxumState(sim): Sim, headers: HeaderMap, Path(id): Path<String>) -> Response {
    write_with(&sim, &headers, |state| {
        let Ok(id) = id.parse::<u64>() else {
            return record_not_found();
        };
        match state.delete_dns_record(id) {
            Ok(_) => json_response(StatusCode::OK, success()),
            Err(_) => record_not_found(),
        }
    })
}

// ----- FTP users -------------------------------------------------------------------------

fn ftp_json(user: &FtpUser) -> Value {
    json!({
        "id": user.id,
        "name": user.name,
        "home": user.home,
        "quota": user.quota,
        "permissions": {"read": user.read.to_string(), "write": user.write.to_string()},
        "parent_domain": user.domain_id,
    })
}

/// The spec types permissions as the strings "true"/"false"; JSON booleans are taken too.
fn permission(map: &Body, name: &str) -> Result<Option<bool>, Reject> {
    match field(map, name) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s == "true" => Ok(Some(true)),
        Some(Value::String(s)) if s == "false" => Ok(Some(false)),
        Some(_) => Err(bad_request(format!(
            "permissions.{name}: must be \"true\" or \"false\""
        ))),
    }
}

fn ftp_fields(body: &Body) -> Result<FtpFields, Reject> {
    let quota = match field(body, "quota") {
        None => None,
        Some(value) => Some(
            value
                .as_i64()
                .ok_or_else(|| bad_request("quota: must be an integer (-1 = unlimited)"))?,
        ),
    };
    let permissions = opt_object(body, "permissions")?;
    Ok(FtpFields {
        name: opt_string(body, "name")?,
        password: opt_string(body, "password")?,
        home: opt_string(body, "home")?,
        quota,
        read: permissions
            .map(|p| permission(p, "read"))
            .transpose()?
            .flatten(),
        write: permissions
            .map(|p| permission(p, "write"))
            .transpose()?
            .flatten(),
    })
}

fn ftp_not_found() -> Response {
    error(StatusCode::NOT_FOUND, "User is not found")
}

async fn ftp_list(AxumState(sim): Sim, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    read_with(&sim, &headers, |state| {
        let webspace = match query_param(&query, "domain") {
            Some(name) => match state.find_domain(&DomainRef::Name(name)) {
                Some(domain) => Some(domain.webspace_id),
                None => return error(StatusCode::NOT_FOUND, "Domain/user is not found"),
            },
            None => None,
        };
        let name = query_param(&query, "name");
        let list: Vec<Value> = state
            .ftp_users
            .values()
            .filter(|u| webspace.is_none_or(|ws| u.webspace_id == ws))
            .filter(|u| name.as_ref().is_none_or(|n| u.name == *n))
            .map(ftp_json)
            .collect();
        if name.is_some() && list.is_empty() {
            return error(StatusCode::NOT_FOUND, "Domain/user is not found");
        }
        json_response(StatusCode::OK, Value::Array(list))
    })
}

async fn ftp_create(AxumState(sim): Sim, headers: HeaderMap, body: Bytes) -> Response {
    write_with(&sim, &headers, |state| {
        let parsed = parse_body(&body).and_then(|b| {
            let fields = ftp_fields(&b)?;
            required(fields.name.as_ref(), "name")?;
            required(fields.password.as_ref(), "password")?;
            let domain = required(domain_ref(&b, "parent_domain")?, "parent_domain")?;
            Ok((domain, fields))
        });
        let (domain, fields) = match parsed {
            Ok(parts) => parts,
            Err(rejected) => return *rejected,
        };
        match state.create_ftp_user(&domain, fields) {
            Ok(user) => json_response(StatusCode::OK, ftp_json(&user)),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn ftp_update(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    write_with(&sim, &headers, |state| {
        let Some(id) = state.find_ftp_user_by_name(&name).map(|u| u.id) else {
            return ftp_not_found();
        };
        let fields = match parse_body(&body).and_then(|b| ftp_fields(&b)) {
            Ok(fields) => fields,
            Err(rejected) => return *rejected,
        };
        match state.update_ftp_user(id, fields) {
            Ok(()) => json_response(StatusCode::OK, success()),
            Err(fault) => fault_response(&fault, true),
        }
    })
}

async fn ftp_delete(AxumState(sim): Sim, headers: HeaderMap, Path(name): Path<String>) -> Response {
    write_with(&sim, &headers, |state| {
        match state.find_ftp_user_by_name(&name).map(|u| u.id) {
            Some(id) => match state.delete_ftp_user(id) {
                Ok(_) => json_response(StatusCode::OK, success()),
                Err(fault) => fault_response(&fault, true),
            },
            None => ftp_not_found(),
        }
    })
}

// ----- CLI gateway -------------------------------------------------------------------------

fn command_not_found() -> Response {
    error(StatusCode::NOT_FOUND, "Command is not found")
}

async fn cli_commands(AxumState(sim): Sim, headers: HeaderMap) -> Response {
    read_with(&sim, &headers, |_| {
        json_response(StatusCode::OK, json!(super::cli::COMMANDS))
    })
}

async fn cli_ref(AxumState(sim): Sim, headers: HeaderMap, Path(id): Path<String>) -> Response {
    read_with(&sim, &headers, |_| match super::cli::reference(&id) {
        Some(reference) => json_response(StatusCode::OK, reference),
        None => command_not_found(),
    })
}

/// `{"params": [...], "env": {...}}` (both optional in the spec).
pub fn cli_request(bytes: &[u8]) -> Result<(Vec<String>, BTreeMap<String, String>), Reject> {
    let body = parse_body(bytes)?;
    let params = match field(&body, "params") {
        None => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad_request("params: must be an array of strings"))?,
        Some(_) => return Err(bad_request("params: must be an array of strings")),
    };
    let env = match opt_object(&body, "env")? {
        None => BTreeMap::new(),
        Some(map) => map
            .iter()
            .map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_owned())))
            .collect::<Option<BTreeMap<_, _>>>()
            .ok_or_else(|| bad_request("env: values must be strings"))?,
    };
    Ok((params, env))
}

async fn cli_call(
    AxumState(sim): Sim,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let mut wait_ms = 0;
    let response = write_with(&sim, &headers, |state| {
        if !super::cli::COMMANDS.contains(&id.as_str()) {
            return command_not_found();
        }
        let (params, env) = match cli_request(&body) {
            Ok(parts) => parts,
            Err(rejected) => return *rejected,
        };
        match super::cli::call(state, &id, &params, &env) {
            Some(outcome) => {
                wait_ms = outcome.wait_ms;
                json_response(StatusCode::OK, outcome.json())
            }
            None => command_not_found(),
        }
    });
    if wait_ms > 0 {
        // The state lock is released: other requests proceed while this one "waits for
        // the certificate authority".
        tokio::time::sleep(std::time::Duration::from_millis(wait_ms)).await;
    }
    response
}
