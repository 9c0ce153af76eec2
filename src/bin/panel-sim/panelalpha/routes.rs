//! The PanelAlpha routes the simulator serves, and the request pipeline in Laravel's order:
//! route match (404/405) -> bearer auth (401) -> acting user for user routes (403/404) ->
//! route-model binding (404) -> validation (422) -> the action.
//!
//! [`ROUTES`] is the single table the dispatcher routes from, so every served route is listed
//! there with its method and the path template exactly as the seed prints it; the conformance
//! test checks each row against `reference/panelalpha/endpoints.json`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State as AxumState};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use serde_json::{json, Value};

use super::reply::{paginated, ApiError, PageRequest, Reply};
use super::resources;
use super::state::{
    find_domain, parse_privileges, DomainKind, DomainUpdate, State, UserFields, ACCOUNT_MODEL,
    PHP_VERSIONS,
};
use super::validate::{Input, Text, Validator};
use super::PanelAlpha;
use super::{cron, dns, ftp, mail, ssl};

/// Bodies larger than this are refused before parsing (the panel's own limit is unknown;
/// nothing it accepts comes close).
const MAX_BODY_BYTES: usize = 1 << 20;

/// What a route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    ListUsers,
    CreateUser,
    ListArchivedUsers,
    FindUserByEmail,
    ShowArchivedUser,
    ShowUser,
    UnarchiveUser,
    UpdateUser,
    PurgeArchivedUser,
    DeleteUser,
    ListUserServices,
    CreateUserService,
    SuspendUserService,
    UnsuspendUserService,
    ChangeUserServicePlan,
    DeleteUserService,
    ListPlans,
    ShowPlan,
    ListServices,
    ListArchivedServices,
    ShowService,
    ShowArchivedService,
    DeleteService,
    PurgeArchivedService,
    ShowHostingAccount,
    ListHostingAccountDomains,
    ListServerAccounts,
    ShowServerAccount,
    ListPhpVersions,
    ListDomains,
    AddDomain,
    UpdateDomain,
    DeleteDomain,
    ShowPhpVersion,
    SetPhpVersion,
    ListDatabases,
    CreateDatabase,
    DeleteDatabase,
    RenameDatabase,
    ListDbUsers,
    CreateDbUser,
    DeleteDbUser,
    UpdateDbUser,
    ShowPrivileges,
    UpdatePrivileges,
    RevokePrivileges,
    ListInstances,
    LoginUrl,
    ServiceStats,
    ListSslProviders,
    ListSslOrders,
    ProcessSslOrder,
    AbandonSslOrder,
    AdminSslDomains,
    SslOffer,
    ShowSsl,
    ListSslDomains,
    ListSslCertificates,
    InstallSslCertificate,
    OrderSslCertificate,
    ShowSslSettings,
    UpdateSslSettings,
    ListFtpAccounts,
    CreateFtpAccount,
    DeleteFtpAccount,
    UpdateFtpAccount,
    FtpServerInfo,
    ListCronJobs,
    CreateCronJob,
    DeleteCronJob,
    UpdateCronJob,
    ListDnsZones,
    ListDnsRecordTypes,
    ListDnsRecords,
    CreateDnsRecord,
    DeleteDnsRecord,
    UpdateDnsRecord,
    ToggleDnsProxy,
    ListEmailDomains,
    ListEmailAccounts,
    CreateEmailAccount,
    DeleteEmailAccount,
    UpdateEmailAccount,
    ShowEmailAccount,
    ListEmailForwarders,
    CreateEmailForwarder,
    DeleteEmailForwarder,
}

/// Where a served route is documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The seed's Scribe reference (`endpoints.json`).
    Seed,
    /// Called by the vendor's WHMCS client but absent from the seed (README §4.1).
    VendorClient,
}

/// One served endpoint: method and path template as in the seed (no leading slash).
#[derive(Debug)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub op: Op,
    /// Read by the conformance tests, which check seed routes against `endpoints.json`.
    #[allow(dead_code)]
    pub source: Source,
}

const fn route(method: &'static str, path: &'static str, op: Op) -> Route {
    Route {
        method,
        path,
        op,
        source: Source::Seed,
    }
}

const fn vendor(method: &'static str, path: &'static str, op: Op) -> Route {
    Route {
        method,
        path,
        op,
        source: Source::VendorClient,
    }
}

#[rustfmt::skip]
pub const ROUTES: &[Route] = &[
    route("GET", "api/admin/users", Op::ListUsers),
    route("POST", "api/admin/users", Op::CreateUser),
    route("GET", "api/admin/users/archived", Op::ListArchivedUsers),
    route("GET", "api/admin/users/email", Op::FindUserByEmail),
    route("GET", "api/admin/users/{id}/archived", Op::ShowArchivedUser),
    route("GET", "api/admin/users/{id}", Op::ShowUser),
    route("PUT", "api/admin/users/{id}/unarchive", Op::UnarchiveUser),
    route("PUT", "api/admin/users/{id}", Op::UpdateUser),
    route("DELETE", "api/admin/users/{id}/delete", Op::PurgeArchivedUser),
    route("DELETE", "api/admin/users/{id}", Op::DeleteUser),
    route("GET", "api/admin/users/{userId}/services", Op::ListUserServices),
    route("POST", "api/admin/users/{userId}/services", Op::CreateUserService),
    route("PUT", "api/admin/users/{userId}/services/{id}/suspend", Op::SuspendUserService),
    route("PUT", "api/admin/users/{userId}/services/{id}/unsuspend", Op::UnsuspendUserService),
    route("PUT", "api/admin/users/{userId}/services/{id}/change-plan", Op::ChangeUserServicePlan),
    route("DELETE", "api/admin/users/{userId}/services/{id}", Op::DeleteUserService),
    route("GET", "api/admin/plans", Op::ListPlans),
    route("GET", "api/admin/plans/{id}", Op::ShowPlan),
    route("GET", "api/admin/services", Op::ListServices),
    route("GET", "api/admin/services/archived", Op::ListArchivedServices),
    route("GET", "api/admin/services/{id}", Op::ShowService),
    route("GET", "api/admin/services/{id}/archived", Op::ShowArchivedService),
    route("DELETE", "api/admin/services/{id}", Op::DeleteService),
    route("DELETE", "api/admin/services/{id}/delete", Op::PurgeArchivedService),
    route("GET", "api/admin/hosting-accounts/{id}", Op::ShowHostingAccount),
    route("GET", "api/admin/hosting-accounts/{id}/domains", Op::ListHostingAccountDomains),
    route("GET", "api/server-accounts", Op::ListServerAccounts),
    route("GET", "api/server-accounts/{id}", Op::ShowServerAccount),
    route("GET", "api/server-accounts/{id}/php-versions", Op::ListPhpVersions),
    route("GET", "api/server-accounts/{id}/domains", Op::ListDomains),
    route("POST", "api/server-accounts/{id}/domains", Op::AddDomain),
    route("PUT", "api/server-accounts/{id}/domains/{domain}", Op::UpdateDomain),
    route("DELETE", "api/server-accounts/{id}/domains/{domain}", Op::DeleteDomain),
    route("GET", "api/server-accounts/{id}/domains/{domain}/php-version", Op::ShowPhpVersion),
    route("PUT", "api/server-accounts/{id}/domains/{domain}/php-version", Op::SetPhpVersion),
    route("GET", "api/server-accounts/{id}/mysql/databases", Op::ListDatabases),
    route("POST", "api/server-accounts/{id}/mysql/databases", Op::CreateDatabase),
    route("DELETE", "api/server-accounts/{id}/mysql/databases/{name}", Op::DeleteDatabase),
    route("PUT", "api/server-accounts/{id}/mysql/databases/{name}/name", Op::RenameDatabase),
    route("GET", "api/server-accounts/{id}/mysql/users", Op::ListDbUsers),
    route("POST", "api/server-accounts/{id}/mysql/users", Op::CreateDbUser),
    route("DELETE", "api/server-accounts/{id}/mysql/users/{name}", Op::DeleteDbUser),
    route("PUT", "api/server-accounts/{id}/mysql/users/{name}", Op::UpdateDbUser),
    route("GET", "api/server-accounts/{id}/mysql/privileges/{user}/{database}", Op::ShowPrivileges),
    route("PUT", "api/server-accounts/{id}/mysql/privileges/{user}/{database}", Op::UpdatePrivileges),
    route("DELETE", "api/server-accounts/{id}/mysql/privileges/{user}/{database}", Op::RevokePrivileges),
    route("GET", "api/admin/instances", Op::ListInstances),
    vendor("GET", "api/admin/users/login-url", Op::LoginUrl),
    vendor("GET", "api/admin/services/{id}/stats", Op::ServiceStats),
    route("GET", "api/admin/ssl/providers", Op::ListSslProviders),
    route("GET", "api/admin/ssl-orders", Op::ListSslOrders),
    route("PUT", "api/admin/ssl-orders/{id}/process", Op::ProcessSslOrder),
    route("PUT", "api/admin/ssl-orders/{id}/abandon", Op::AbandonSslOrder),
    route("GET", "api/admin/hosting-accounts/{id}/ssl-domains", Op::AdminSslDomains),
    route("GET", "api/ssl-offer", Op::SslOffer),
    route("GET", "api/server-accounts/{id}/ssl", Op::ShowSsl),
    route("GET", "api/server-accounts/{id}/ssl/domains", Op::ListSslDomains),
    route("GET", "api/server-accounts/{id}/ssl/certificates", Op::ListSslCertificates),
    route("PUT", "api/server-accounts/{id}/ssl/certificates/install", Op::InstallSslCertificate),
    route("POST", "api/server-accounts/{id}/ssl/certificates/order", Op::OrderSslCertificate),
    route("GET", "api/server-accounts/{id}/ssl/settings/{domain}", Op::ShowSslSettings),
    route("PUT", "api/server-accounts/{id}/ssl/settings/{domain}", Op::UpdateSslSettings),
    route("GET", "api/server-accounts/{id}/ftp-accounts", Op::ListFtpAccounts),
    route("POST", "api/server-accounts/{id}/ftp-accounts", Op::CreateFtpAccount),
    route("DELETE", "api/server-accounts/{id}/ftp-accounts/{user}", Op::DeleteFtpAccount),
    route("PUT", "api/server-accounts/{id}/ftp-accounts/{user}", Op::UpdateFtpAccount),
    route("GET", "api/server-accounts/{id}/ftp-accounts/server-info", Op::FtpServerInfo),
    route("GET", "api/server-accounts/{id}/cron-jobs", Op::ListCronJobs),
    route("POST", "api/server-accounts/{id}/cron-jobs", Op::CreateCronJob),
    route("DELETE", "api/server-accounts/{id}/cron-jobs/{line}", Op::DeleteCronJob),
    route("PUT", "api/server-accounts/{id}/cron-jobs/{line}", Op::UpdateCronJob),
    route("GET", "api/server-accounts/{id}/dns-zones", Op::ListDnsZones),
    route("GET", "api/server-accounts/{id}/dns-zones/record-types", Op::ListDnsRecordTypes),
    route("GET", "api/server-accounts/{id}/dns-zones/{name}/records", Op::ListDnsRecords),
    route("POST", "api/server-accounts/{id}/dns-zones/{name}/records", Op::CreateDnsRecord),
    route("DELETE", "api/server-accounts/{id}/dns-zones/{name}/records/{line}", Op::DeleteDnsRecord),
    route("PUT", "api/server-accounts/{id}/dns-zones/{name}/records/{line}", Op::UpdateDnsRecord),
    route("PATCH", "api/server-accounts/{id}/dns-zones/{name}/records/{line}/toggle-proxy", Op::ToggleDnsProxy),
    route("GET", "api/server-accounts/{id}/email/domains", Op::ListEmailDomains),
    route("GET", "api/server-accounts/{id}/email/accounts", Op::ListEmailAccounts),
    route("POST", "api/server-accounts/{id}/email/accounts", Op::CreateEmailAccount),
    route("DELETE", "api/server-accounts/{id}/email/accounts/{email}", Op::DeleteEmailAccount),
    route("PUT", "api/server-accounts/{id}/email/accounts/{email}", Op::UpdateEmailAccount),
    route("GET", "api/server-accounts/{id}/email/accounts/{email}", Op::ShowEmailAccount),
    route("GET", "api/server-accounts/{id}/email/forwarders", Op::ListEmailForwarders),
    route("POST", "api/server-accounts/{id}/email/forwarders", Op::CreateEmailForwarder),
    route("DELETE", "api/server-accounts/{id}/email/forwarders/{email}", Op::DeleteEmailForwarder),
];

/// A route with its decoded path parameters, in template order.
#[derive(Debug)]
pub struct Matched {
    pub route: &'static Route,
    pub params: Vec<(&'static str, String)>,
}

#[derive(Debug)]
pub enum RouteMatch {
    Found(Matched),
    /// The path exists for these methods only.
    WrongMethod(Vec<&'static str>),
    None,
}

/// Matches `path` (no leading slash) against [`ROUTES`]. Literal segments win over
/// placeholders (`users/email` before `users/{id}`), as the real app must register them.
pub fn match_route(method: &str, path: &str) -> RouteMatch {
    let path = path.trim_matches('/');
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(usize, &'static Route)> = None;
    let mut other_methods: Vec<&'static str> = Vec::new();
    for candidate in ROUTES {
        let Some(literals) = template_match(candidate.path, &segments) else {
            continue;
        };
        if candidate.method == method {
            if best.is_none_or(|(score, _)| literals > score) {
                best = Some((literals, candidate));
            }
        } else if !other_methods.contains(&candidate.method) {
            other_methods.push(candidate.method);
        }
    }
    if let Some((_, route)) = best {
        let params = route
            .path
            .split('/')
            .zip(&segments)
            .filter_map(|(template, actual)| {
                let name = template.strip_prefix('{')?.strip_suffix('}')?;
                Some((name, percent_decode(actual)))
            })
            .collect();
        return RouteMatch::Found(Matched { route, params });
    }
    if other_methods.is_empty() {
        return RouteMatch::None;
    }
    // Laravel lists HEAD beside every GET route.
    let mut allowed = Vec::new();
    for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] {
        let served = if method == "HEAD" { "GET" } else { method };
        if other_methods.contains(&served) {
            allowed.push(method);
        }
    }
    RouteMatch::WrongMethod(allowed)
}

/// The number of literal segments when the template matches, else `None`.
fn template_match(template: &str, segments: &[&str]) -> Option<usize> {
    let mut literals = 0;
    let mut count = 0;
    for (expected, actual) in template.split('/').zip(segments) {
        count += 1;
        if expected.starts_with('{') {
            if actual.is_empty() {
                return None;
            }
        } else if expected == *actual {
            literals += 1;
        } else {
            return None;
        }
    }
    (count == segments.len() && count == template.split('/').count()).then_some(literals)
}

fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `METHOD /template` for a served route; otherwise the path with numeric segments templated,
/// so unknown paths do not explode the request counters.
pub fn route_key(method: &Method, path: &str) -> String {
    let lookup = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    if let RouteMatch::Found(found) = match_route(lookup, path.trim_start_matches('/')) {
        return format!("{} /{}", found.route.method, found.route.path);
    }
    let templated: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .map(|s| {
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                s
            }
        })
        .collect();
    format!("{method} /{}", templated.join("/"))
}

pub fn router(panel: Arc<PanelAlpha>) -> Router {
    Router::new()
        .route("/api", any(dispatch))
        .route("/api/", any(dispatch))
        .route("/api/{*rest}", any(dispatch))
        .with_state(panel)
}

async fn dispatch(AxumState(panel): AxumState<Arc<PanelAlpha>>, request: Request) -> Response {
    match handle(&panel, request).await {
        Ok(reply) => reply.into_response(),
        Err(error) => error.into_response(),
    }
}

/// One request after routing: parameters, input and headers.
struct Call<'a> {
    params: Vec<(&'static str, String)>,
    input: Input,
    headers: &'a HeaderMap,
    /// Absolute URL of the path, for paginator links.
    page_url: String,
    /// The request path without its leading slash.
    path: String,
}

impl Call<'_> {
    fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or("")
    }

    fn page(&self) -> PageRequest {
        PageRequest::from_input(self.input.get("page"), self.input.get("per_page"))
    }
}

async fn handle(panel: &PanelAlpha, request: Request) -> Result<Reply, ApiError> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().trim_matches('/').to_string();
    let method = if parts.method == Method::HEAD {
        "GET"
    } else {
        parts.method.as_str()
    };
    let matched = match match_route(method, &path) {
        RouteMatch::Found(matched) => matched,
        RouteMatch::WrongMethod(allowed) => {
            return Err(ApiError::MethodNotAllowed {
                method: parts.method.to_string(),
                path,
                allowed,
            })
        }
        RouteMatch::None => return Err(ApiError::RouteNotFound(path)),
    };
    authenticate(&parts.headers, panel.token())?;
    let bytes = axum::body::to_bytes(Body::new(body), MAX_BODY_BYTES)
        .await
        .map_err(|_| ApiError::PayloadTooLarge)?;
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    let input = Input::parse(parts.uri.query(), content_type, &bytes);
    let call = Call {
        params: matched.params,
        input,
        headers: &parts.headers,
        page_url: page_url(&parts.headers, &path),
        path: path.clone(),
    };
    let op = matched.route.op;
    panel.settle_ssl_orders();
    if matched.route.method == "GET" {
        let state = panel.read();
        read(op, &call, &state)
    } else {
        let mut state = panel.write();
        write(op, &call, &mut state)
    }
}

/// Laravel builds paginator links from the request URL. The router cannot see whether the
/// harness serves TLS, so the scheme is `http` unless a proxy says `X-Forwarded-Proto: https`;
/// clients should follow `meta.last_page` / `page` rather than trust the scheme of the links.
fn page_url(headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .filter(|proto| *proto == "https")
        .unwrap_or("http");
    format!("{scheme}://{host}/{path}")
}

/// `Authorization: Bearer <token>`; anything else is Laravel's 401.
fn authenticate(headers: &HeaderMap, token: &str) -> Result<(), ApiError> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, rest) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        });
    match presented {
        Some(given) if constant_time_eq(given.as_bytes(), token.as_bytes()) => Ok(()),
        _ => Err(ApiError::Unauthenticated),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The user a user-scope request acts for (`X-PanelAlpha-User`).
///
/// Assumption (undocumented): without the header the admin token carries no user, and the
/// user policies deny: 403 "This action is unauthorized.". A header naming no user (or an
/// archived one) fails the user lookup: 404 "No query results for model [App\Models\User] N".
fn acting_user(state: &State, headers: &HeaderMap) -> Result<u64, ApiError> {
    let raw = headers
        .get("x-panelalpha-user")
        .map(|value| String::from_utf8_lossy(value.as_bytes()).trim().to_string())
        .unwrap_or_default();
    if raw.is_empty() {
        return Err(ApiError::Forbidden);
    }
    Ok(state.active_user(&raw)?.id)
}

// ----- reads ----------------------------------------------------------------------------------

fn read(op: Op, call: &Call<'_>, state: &State) -> Result<Reply, ApiError> {
    match op {
        Op::ListUsers => {
            let mut v = Validator::new(&call.input);
            let filter = v.text("filter", Text::OPTIONAL).map(|f| f.to_lowercase());
            v.finish()?;
            let matches = |u: &&super::state::User| {
                u.archived_at.is_none()
                    && filter.as_deref().is_none_or(|f| {
                        [
                            Some(&u.email),
                            u.first_name.as_ref(),
                            u.last_name.as_ref(),
                            u.company_name.as_ref(),
                        ]
                        .into_iter()
                        .flatten()
                        .any(|text| text.to_lowercase().contains(f))
                    })
            };
            let users: Vec<&super::state::User> = state.users.values().filter(matches).collect();
            Ok(page_of(call, &users, |u| resources::user(u)))
        }
        Op::ListArchivedUsers => {
            let users: Vec<&super::state::User> = state
                .users
                .values()
                .filter(|u| u.archived_at.is_some())
                .collect();
            Ok(page_of(call, &users, |u| resources::user(u)))
        }
        Op::FindUserByEmail => {
            let mut v = Validator::new(&call.input);
            let email = v.text("email", Text::REQUIRED);
            v.finish()?;
            // Assumption (README §5.6): an unknown email is not an error. The controller wraps
            // `first()` in a JSON resource, and a resource around null renders `{"data":[]}`.
            Ok(
                match email.as_deref().and_then(|e| state.user_by_email(e)) {
                    Some(user) => Reply::view(&resources::user(user)),
                    None => Reply::ok(json!([])),
                },
            )
        }
        Op::ShowUser => Ok(Reply::view(&resources::user(
            state.active_user(call.param("id"))?,
        ))),
        Op::ShowArchivedUser => Ok(Reply::view(&resources::user(
            state.archived_user(call.param("id"))?,
        ))),
        Op::ListUserServices => {
            let owner = state.active_user(call.param("userId"))?.id;
            let services: Vec<resources::ServiceView<'_>> = state
                .services
                .values()
                .filter(|s| s.user_id == owner && s.archived_at.is_none())
                .map(|s| resources::service(state, s))
                .collect();
            Ok(Reply::view(&services))
        }
        Op::ListPlans => {
            let plans: Vec<&super::state::Plan> = state.plans.values().collect();
            Ok(page_of(call, &plans, |p| resources::plan(p)))
        }
        Op::ShowPlan => Ok(Reply::ok(resources::plan(state.plan(call.param("id"))?))),
        Op::ListServices | Op::ListArchivedServices => {
            let mut v = Validator::new(&call.input);
            let search = v
                .text("search_term", Text::OPTIONAL)
                .map(|s| s.to_lowercase());
            let user_id = v.integer("user_id", false);
            let (plan_id, archived) = if op == Op::ListServices {
                (
                    v.integer("plan_id", false),
                    v.boolean("archived", false).unwrap_or(false),
                )
            } else {
                (None, true)
            };
            v.finish()?;
            let services: Vec<&super::state::Service> = state
                .services
                .values()
                .filter(|s| s.archived_at.is_some() == archived)
                .filter(|s| user_id.is_none_or(|id| i64::try_from(s.user_id) == Ok(id)))
                .filter(|s| plan_id.is_none_or(|id| i64::try_from(s.plan_id) == Ok(id)))
                .filter(|s| {
                    search
                        .as_deref()
                        .is_none_or(|term| service_matches(state, s, term))
                })
                .collect();
            Ok(page_of(call, &services, |s| resources::service(state, s)))
        }
        Op::ShowService => Ok(Reply::view(&resources::service(
            state,
            state.live_service(call.param("id"), None)?,
        ))),
        Op::ShowArchivedService => Ok(Reply::view(&resources::service(
            state,
            state.archived_service(call.param("id"))?,
        ))),
        Op::ShowHostingAccount => {
            let account = state.account(call.param("id"))?;
            Ok(Reply::view(&resources::account(
                account,
                server_type(state, account.service_id),
            )))
        }
        Op::ListHostingAccountDomains => Ok(Reply::view(&resources::domains(
            state.account(call.param("id"))?,
        ))),
        Op::ListInstances => {
            // Instances (WordPress sites) are not simulated: the list is always empty, but
            // its documented filters are still checked (seed #99).
            let mut v = Validator::new(&call.input);
            v.text("filter", Text::OPTIONAL);
            for field in [
                "user_id",
                "hosting_account_id",
                "plan_id",
                "service_id",
                "server_id",
            ] {
                v.integer(field, false);
            }
            v.text("status", Text::OPTIONAL);
            v.finish()?;
            Ok(page_of(call, &[] as &[Value], Clone::clone))
        }
        Op::LoginUrl => {
            // Vendor client `getLoginUrl`: reads `data.url` and mails it to new users as the
            // place to log in. Assumption: the panel's own address.
            let base = call.page_url.trim_end_matches(&format!("/{}", call.path));
            Ok(Reply::ok(json!({"url": base})))
        }
        Op::ServiceStats => {
            // Vendor client `getServiceStats`: reads `active_instances[].id` (deleted before
            // terminating a service) and `remote_backups_size`, `disk_usage`, `visitors`,
            // `bandwidth`. No instances, backups or traffic are simulated; disk usage is the
            // sum of the service's databases.
            let service = state.live_service(call.param("id"), None)?;
            let disk: u64 = service
                .account_ids
                .iter()
                .filter_map(|id| state.accounts.get(id))
                .flat_map(|a| a.databases.values())
                .map(|db| db.disk_usage)
                .sum();
            Ok(Reply::ok(json!({
                "active_instances": [],
                "remote_backups_size": 0,
                "disk_usage": disk,
                "visitors": 0,
                "bandwidth": 0,
            })))
        }
        Op::ListSslProviders => Ok(Reply::ok(ssl::providers_json())),
        Op::ListSslOrders => {
            let orders: Vec<&ssl::SslOrder> = state.ssl_orders.values().collect();
            Ok(page_of(call, &orders, |o| ssl::order_json(o)))
        }
        Op::AdminSslDomains => Ok(Reply::ok(ssl::ssl_domains_json(
            state.account(call.param("id"))?,
        ))),
        Op::SslOffer => {
            acting_user(state, call.headers)?;
            Ok(Reply::ok(ssl::providers_json()))
        }
        Op::ListServerAccounts => {
            let me = acting_user(state, call.headers)?;
            let accounts: Vec<resources::AccountView<'_>> = state
                .accounts
                .values()
                .filter(|a| a.user_id == me)
                .map(|a| resources::account(a, server_type(state, a.service_id)))
                .collect();
            Ok(Reply::view(&accounts))
        }
        _ => {
            let me = acting_user(state, call.headers)?;
            let account = state.user_account(me, call.param("id"))?;
            read_account(op, call, account)
        }
    }
}

/// Reads inside one hosting account the acting user owns.
fn read_account(
    op: Op,
    call: &Call<'_>,
    account: &super::state::HostingAccount,
) -> Result<Reply, ApiError> {
    match op {
        Op::ShowServerAccount => Ok(Reply::view(&resources::account(account, None))),
        Op::ListPhpVersions => Ok(Reply::ok(json!(PHP_VERSIONS))),
        Op::ListDomains => Ok(Reply::view(&resources::domains(account))),
        Op::ShowPhpVersion => {
            let domain = find_domain(account, call.param("domain"))?;
            Ok(Reply::ok(json!({"php_version": domain.php_version})))
        }
        Op::ListDatabases => Ok(Reply::ok(resources::databases(account))),
        Op::ListDbUsers => Ok(Reply::ok(resources::db_users(account))),
        Op::ShowSsl => {
            let mut v = Validator::new(&call.input);
            let domain = v.text("domain", Text::REQUIRED);
            v.finish()?;
            Ok(Reply::ok(ssl::installed_json(
                account,
                domain.as_deref().unwrap_or(""),
            )?))
        }
        Op::ListSslDomains => Ok(Reply::ok(ssl::ssl_domains_json(account))),
        Op::ListSslCertificates => {
            let mut v = Validator::new(&call.input);
            let domain = v.text("domain", Text::OPTIONAL);
            v.finish()?;
            Ok(Reply::ok(ssl::certificates_json(
                account,
                domain.as_deref(),
            )))
        }
        Op::ShowSslSettings => Ok(Reply::ok(ssl::settings_json(
            account,
            call.param("domain"),
        )?)),
        Op::ListFtpAccounts => Ok(Reply::view(&ftp::list_view(account))),
        Op::FtpServerInfo => Ok(Reply::ok(ftp::server_info(account))),
        Op::ListCronJobs => Ok(Reply::view(&cron::list_view(&account.cron_jobs))),
        Op::ListDnsZones => Ok(Reply::ok(Value::Array(
            account
                .dns_zones
                .keys()
                .map(|name| dns::zone_json(name))
                .collect(),
        ))),
        Op::ListDnsRecordTypes => Ok(Reply::ok(json!(dns::RECORD_TYPES))),
        Op::ListDnsRecords => {
            let name = call.param("name");
            let zone = account
                .dns_zones
                .get(&dns::zone_key(name))
                .ok_or_else(|| dns::zone_not_found(name))?;
            Ok(Reply::view(&zone.records_view()))
        }
        Op::ListEmailDomains => Ok(Reply::ok(mail::domains_json(account))),
        Op::ListEmailAccounts => Ok(Reply::view(&mail::mailboxes_view(account))),
        Op::ShowEmailAccount => Ok(Reply::view(&mail::mailbox_view(mail::mailbox(
            account,
            call.param("email"),
        )?))),
        Op::ListEmailForwarders => Ok(Reply::view(&mail::forwarders_view(account))),
        Op::ShowPrivileges => {
            let user = account.db_user(call.param("user"))?;
            let database = call.param("database");
            account.require_database(database)?;
            Ok(Reply::ok(json!(user
                .grants
                .get(database)
                .cloned()
                .unwrap_or_default())))
        }
        // Only GET routes reach `read`; every GET op is handled above.
        _ => Err(ApiError::RouteNotFound(String::new())),
    }
}

fn server_type(state: &State, service_id: u64) -> Option<&str> {
    let plan_id = state.services.get(&service_id)?.plan_id;
    state.plans.get(&plan_id).map(|p| p.server_type.as_str())
}

fn service_matches(state: &State, service: &super::state::Service, term: &str) -> bool {
    let email = state
        .users
        .get(&service.user_id)
        .map(|u| u.email.to_lowercase());
    let plan = state
        .plans
        .get(&service.plan_id)
        .map(|p| p.name.to_lowercase());
    let domains = service
        .account_ids
        .iter()
        .filter_map(|id| state.accounts.get(id))
        .map(|a| a.domain.clone());
    email
        .into_iter()
        .chain(plan)
        .chain(domains)
        .any(|text| text.contains(term))
        || service.id.to_string() == term
}

/// One page of `items`, each rendered by `render` (a view or a `Value`).
fn page_of<T, V: serde::Serialize>(
    call: &Call<'_>,
    items: &[T],
    render: impl Fn(&T) -> V,
) -> Reply {
    let page = call.page();
    let rendered: Vec<V> = items[page.range(items.len())].iter().map(render).collect();
    paginated(&rendered, items.len(), page, &call.page_url)
}

// ----- writes ---------------------------------------------------------------------------------

fn user_fields(input: &Input, creating: bool) -> Result<UserFields, ApiError> {
    let name_rules = Text {
        max: Some(255),
        ..Text::OPTIONAL
    };
    let mut v = Validator::new(input);
    let first_name = v.text("first_name", name_rules);
    let last_name = v.text("last_name", name_rules);
    let company_name = v.text("company_name", name_rules);
    let email = v.text(
        "email",
        Text {
            required: true,
            email: true,
            max: Some(255),
            min: None,
        },
    );
    let password = v.text(
        "password",
        Text {
            required: creating,
            min: Some(8),
            ..Text::OPTIONAL
        },
    );
    v.finish()?;
    // Present-but-null clears an optional field; absent keeps it (update only).
    let keep_or_set =
        |field: &str, value: Option<String>| (creating || input.has(field)).then_some(value);
    Ok(UserFields {
        email: email.unwrap_or_default(),
        first_name: keep_or_set("first_name", first_name),
        last_name: keep_or_set("last_name", last_name),
        company_name: keep_or_set("company_name", company_name),
        password,
    })
}

fn plan_id(input: &Input) -> Result<u64, ApiError> {
    let mut v = Validator::new(input);
    let plan_id = v.integer("plan_id", true);
    v.finish()?;
    plan_id
        .and_then(|id| u64::try_from(id).ok())
        .ok_or_else(|| ApiError::field("plan_id", "The selected plan id is invalid."))
}

fn write(op: Op, call: &Call<'_>, state: &mut State) -> Result<Reply, ApiError> {
    match op {
        Op::CreateUser => {
            let fields = user_fields(&call.input, true)?;
            let id = state.create_user(fields)?;
            Ok(Reply::created(user_json(state, id)))
        }
        Op::UpdateUser => {
            let id = state.active_user(call.param("id"))?.id;
            let fields = user_fields(&call.input, false)?;
            state.update_user(id, fields)?;
            Ok(Reply::ok(user_json(state, id)))
        }
        Op::UnarchiveUser => {
            let id = state.archived_user(call.param("id"))?.id;
            state.unarchive_user(id)?;
            Ok(Reply::ok(user_json(state, id)))
        }
        Op::DeleteUser => {
            let id = state.active_user(call.param("id"))?.id;
            state.archive_user(id)?;
            Ok(Reply::NoContent)
        }
        Op::PurgeArchivedUser => {
            let id = state.archived_user(call.param("id"))?.id;
            // The seed's `faults.purge_user_failures` (issue 9): the purge fails and the user
            // stays archived.
            if state.faults.purge_user_failures > 0 {
                state.faults.purge_user_failures -= 1;
                return Err(ApiError::ServerError);
            }
            state.purge_user(id)?;
            Ok(Reply::NoContent)
        }
        Op::ProcessSslOrder => Ok(Reply::ok(ssl::process_order(state, call.param("id"))?)),
        Op::AbandonSslOrder => Ok(Reply::ok(ssl::abandon_order(state, call.param("id"))?)),
        Op::CreateUserService => {
            let owner = state.active_user(call.param("userId"))?.id;
            // The vendor client also sends `status`, `instance_limit`, `server_location` and
            // `hosting_account_config`; they are checked for type and otherwise ignored.
            let mut v = Validator::new(&call.input);
            let plan = v.integer("plan_id", true);
            v.integer("instance_limit", false);
            v.integer("server_location", false);
            let config = v.object("hosting_account_config");
            let domain = v.text(
                "domain",
                Text {
                    max: Some(253),
                    ..Text::OPTIONAL
                },
            );
            v.finish()?;
            let domain = domain.or_else(|| {
                config
                    .and_then(|c| c.get("domain"))
                    .and_then(Value::as_str)
                    .map(|d| d.trim().to_string())
                    .filter(|d| !d.is_empty())
            });
            let plan = plan
                .and_then(|id| u64::try_from(id).ok())
                .ok_or_else(|| ApiError::field("plan_id", "The selected plan id is invalid."))?;
            let id = state.create_service(owner, plan, domain)?;
            Ok(Reply::created(service_json(state, id)))
        }
        Op::SuspendUserService | Op::UnsuspendUserService => {
            let owner = state.active_user(call.param("userId"))?.id;
            let id = state.live_service(call.param("id"), Some(owner))?.id;
            let status = if op == Op::SuspendUserService {
                "suspended"
            } else {
                "active"
            };
            state.set_service_status(id, status);
            Ok(Reply::ok(service_json(state, id)))
        }
        Op::ChangeUserServicePlan => {
            let owner = state.active_user(call.param("userId"))?.id;
            let id = state.live_service(call.param("id"), Some(owner))?.id;
            let plan = plan_id(&call.input)?;
            state.change_plan(id, plan)?;
            Ok(Reply::ok(service_json(state, id)))
        }
        Op::DeleteUserService => {
            let owner = state.active_user(call.param("userId"))?.id;
            let id = state.live_service(call.param("id"), Some(owner))?.id;
            state.archive_service(id)?;
            Ok(Reply::NoContent)
        }
        Op::DeleteService => {
            // The vendor client sends `{"force_termination": true}`; termination is always
            // immediate here, so the flag changes nothing.
            let id = state.live_service(call.param("id"), None)?.id;
            state.archive_service(id)?;
            Ok(Reply::NoContent)
        }
        Op::PurgeArchivedService => {
            let id = state.archived_service(call.param("id"))?.id;
            state.purge_service(id)?;
            Ok(Reply::NoContent)
        }
        _ => {
            let me = acting_user(state, call.headers)?;
            let account_id = state.user_account(me, call.param("id"))?.id;
            write_account(op, call, state, account_id)
        }
    }
}

fn user_json(state: &State, id: u64) -> Value {
    state
        .users
        .get(&id)
        .and_then(|u| serde_json::to_value(resources::user(u)).ok())
        .unwrap_or(Value::Null)
}

fn service_json(state: &State, id: u64) -> Value {
    state
        .services
        .get(&id)
        .and_then(|s| serde_json::to_value(resources::service(state, s)).ok())
        .unwrap_or(Value::Null)
}

/// Writes inside one hosting account the acting user owns.
///
/// Assumption: objects on the hosting server are not Eloquent models, so creates answer 200
/// (not 201) with `{"data": ...}`; deletes answer 204.
fn write_account(
    op: Op,
    call: &Call<'_>,
    state: &mut State,
    account_id: u64,
) -> Result<Reply, ApiError> {
    let missing = || ApiError::ModelNotFound {
        model: ACCOUNT_MODEL,
        id: account_id.to_string(),
    };
    match op {
        Op::AddDomain => {
            let mut v = Validator::new(&call.input);
            let domain = v.text(
                "domain",
                Text {
                    max: Some(253),
                    ..Text::REQUIRED
                },
            );
            let parent = v.text("parent_domain", Text::OPTIONAL);
            let kind = v.one_of("type", true, &["addon", "sub", "alias"]);
            v.finish()?;
            let (Some(domain), Some(kind)) = (domain, kind.as_deref().and_then(DomainKind::parse))
            else {
                return Err(ApiError::field("type", "The selected type is invalid."));
            };
            let full = state.add_domain(account_id, &domain, kind, parent.as_deref())?;
            let account = state.accounts.get(&account_id).ok_or_else(missing)?;
            Ok(Reply::ok(resources::domain_by_name(account, &full)))
        }
        Op::DeleteDomain => {
            state.delete_domain(account_id, call.param("domain"))?;
            Ok(Reply::NoContent)
        }
        Op::OrderSslCertificate => {
            let owner = state.accounts.get(&account_id).ok_or_else(missing)?.user_id;
            Ok(Reply::ok(ssl::create_order(
                state,
                owner,
                account_id,
                &call.input,
            )?))
        }
        _ => {
            let account = state.accounts.get_mut(&account_id).ok_or_else(missing)?;
            write_in_account(op, call, account)
        }
    }
}

fn write_in_account(
    op: Op,
    call: &Call<'_>,
    account: &mut super::state::HostingAccount,
) -> Result<Reply, ApiError> {
    match op {
        Op::UpdateDomain => {
            let name = call.param("domain");
            find_domain(account, name)?;
            let mut v = Validator::new(&call.input);
            let document_root = v.text(
                "document_root",
                Text {
                    max: Some(255),
                    ..Text::REQUIRED
                },
            );
            let redirect_enabled = v.boolean("redirect_enabled", false);
            let redirect_url = v.text(
                "redirect_url",
                Text {
                    max: Some(2048),
                    ..Text::OPTIONAL
                },
            );
            if let Some(root) = &document_root {
                // Assumption: the document root is relative to the account's home and may
                // not climb out of it.
                if root.split('/').any(|part| part == "..") || root.contains('\0') {
                    v.fail(
                        "document_root",
                        "The document root field format is invalid.".to_string(),
                    );
                }
            }
            if redirect_enabled == Some(true)
                && redirect_url.is_none()
                && !v.has_failed("redirect_url")
            {
                v.fail(
                    "redirect_url",
                    "The redirect url field is required when redirect enabled is true.".to_string(),
                );
            }
            if let Some(url) = &redirect_url {
                if !is_http_url(url) {
                    v.fail(
                        "redirect_url",
                        "The redirect url field must be a valid URL.".to_string(),
                    );
                }
            }
            v.finish()?;
            let document_root = document_root.unwrap_or_default();
            let document_root = if document_root.starts_with('/') {
                document_root
            } else {
                format!("/{document_root}")
            };
            State::update_domain(
                account,
                name,
                DomainUpdate {
                    document_root,
                    redirect_enabled,
                    redirect_url,
                },
            )?;
            Ok(Reply::ok(resources::domain_by_name(account, name)))
        }
        Op::SetPhpVersion => {
            let name = call.param("domain");
            find_domain(account, name)?;
            let mut v = Validator::new(&call.input);
            let version = v.one_of("php_version", false, PHP_VERSIONS);
            v.finish()?;
            let domain = super::state::find_domain_mut(account, name)?;
            if let Some(version) = version {
                domain.php_version = version;
            }
            Ok(Reply::ok(json!({"php_version": domain.php_version})))
        }
        Op::CreateDatabase => {
            let mut v = Validator::new(&call.input);
            let name = v.text("name", Text::REQUIRED);
            v.finish()?;
            let name = account.create_database(&name.unwrap_or_default())?;
            Ok(Reply::ok(json!({"name": name})))
        }
        Op::RenameDatabase => {
            let old = call.param("name");
            account.require_database(old)?;
            let mut v = Validator::new(&call.input);
            let name = v.text("name", Text::REQUIRED);
            v.finish()?;
            let name = account.rename_database(old, &name.unwrap_or_default())?;
            Ok(Reply::ok(json!({"name": name})))
        }
        Op::DeleteDatabase => {
            account.delete_database(call.param("name"))?;
            Ok(Reply::NoContent)
        }
        Op::CreateDbUser => {
            let mut v = Validator::new(&call.input);
            let name = v.text("name", Text::REQUIRED);
            let password = v.text("password", Text::REQUIRED);
            let database = v.text("database", Text::OPTIONAL);
            v.finish()?;
            let name = account.create_db_user(
                &name.unwrap_or_default(),
                &password.unwrap_or_default(),
                database.as_deref(),
            )?;
            Ok(Reply::ok(json!({"name": name})))
        }
        Op::UpdateDbUser => {
            let mut current = call.param("name").to_string();
            account.db_user(&current)?;
            let mut v = Validator::new(&call.input);
            let new_name = v.text("name", Text::OPTIONAL);
            let password = v.text("password", Text::OPTIONAL);
            v.finish()?;
            if let Some(new_name) = new_name {
                current = account.rename_db_user(&current, &new_name)?;
            }
            if let Some(password) = password {
                account.db_user_mut(&current)?.password = super::state::PasswordHash::of(&password);
            }
            Ok(Reply::ok(resources::db_user(account, &current)))
        }
        Op::DeleteDbUser => {
            let name = call.param("name");
            account.db_user(name)?;
            account.db_users.remove(name);
            Ok(Reply::NoContent)
        }
        Op::UpdatePrivileges => {
            let database = call.param("database").to_string();
            account.db_user(call.param("user"))?;
            account.require_database(&database)?;
            let mut v = Validator::new(&call.input);
            let text = v.text("privileges", Text::REQUIRED);
            v.finish()?;
            let privileges = parse_privileges(&text.unwrap_or_default()).ok_or_else(|| {
                ApiError::field("privileges", "The selected privileges is invalid.")
            })?;
            let user = account.db_user_mut(call.param("user"))?;
            user.grants.insert(database, privileges.clone());
            Ok(Reply::ok(json!(privileges)))
        }
        Op::InstallSslCertificate => Ok(Reply::ok(ssl::install(account, &call.input)?)),
        Op::UpdateSslSettings => Ok(Reply::ok(ssl::update_settings(
            account,
            call.param("domain"),
            &call.input,
        )?)),
        Op::CreateFtpAccount => Ok(Reply::ok(ftp::create(account, &call.input)?)),
        Op::UpdateFtpAccount => Ok(Reply::ok(ftp::update(
            account,
            call.param("user"),
            &call.input,
        )?)),
        Op::DeleteFtpAccount => {
            ftp::delete(account, call.param("user"))?;
            Ok(Reply::NoContent)
        }
        Op::CreateCronJob => {
            let job = cron::job_from_input(&call.input)?;
            account.cron_jobs.push(job);
            let index = account.cron_jobs.len() - 1;
            Ok(Reply::view(&cron::job_view(
                index,
                &account.cron_jobs[index],
            )))
        }
        Op::UpdateCronJob => {
            let index = cron::index_of_line(&account.cron_jobs, call.param("line"))?;
            account.cron_jobs[index] = cron::job_from_input(&call.input)?;
            Ok(Reply::view(&cron::job_view(
                index,
                &account.cron_jobs[index],
            )))
        }
        Op::DeleteCronJob => {
            let index = cron::index_of_line(&account.cron_jobs, call.param("line"))?;
            account.cron_jobs.remove(index);
            Ok(Reply::NoContent)
        }
        Op::CreateDnsRecord | Op::UpdateDnsRecord | Op::DeleteDnsRecord | Op::ToggleDnsProxy => {
            let name = call.param("name");
            let key = dns::zone_key(name);
            let zone = account
                .dns_zones
                .get_mut(&key)
                .ok_or_else(|| dns::zone_not_found(name))?;
            match op {
                Op::CreateDnsRecord => Ok(Reply::ok(zone.create(&key, &call.input)?)),
                Op::UpdateDnsRecord => Ok(Reply::ok(zone.update(
                    &key,
                    call.param("line"),
                    &call.input,
                )?)),
                Op::ToggleDnsProxy => Ok(Reply::ok(zone.toggle_proxy(call.param("line"))?)),
                _ => {
                    zone.delete(call.param("line"))?;
                    Ok(Reply::NoContent)
                }
            }
        }
        Op::CreateEmailAccount => Ok(Reply::ok(mail::create_mailbox(account, &call.input)?)),
        Op::UpdateEmailAccount => Ok(Reply::ok(mail::update_mailbox(
            account,
            call.param("email"),
            &call.input,
        )?)),
        Op::DeleteEmailAccount => {
            mail::delete_mailbox(account, call.param("email"))?;
            Ok(Reply::NoContent)
        }
        Op::CreateEmailForwarder => Ok(Reply::ok(mail::create_forwarder(account, &call.input)?)),
        Op::DeleteEmailForwarder => {
            mail::delete_forwarder(account, call.param("email"))?;
            Ok(Reply::NoContent)
        }
        Op::RevokePrivileges => {
            let database = call.param("database");
            account.require_database(database)?;
            account
                .db_user_mut(call.param("user"))?
                .grants
                .remove(database);
            Ok(Reply::NoContent)
        }
        // Every non-GET op is handled in `write`, `write_account` or here.
        _ => Err(ApiError::RouteNotFound(String::new())),
    }
}

/// Laravel's `url` rule, reduced to what a redirect needs: an http(s) URL with a host.
fn is_http_url(text: &str) -> bool {
    url::Url::parse(text)
        .map(|u| {
            matches!(u.scheme(), "http" | "https") && u.host_str().is_some_and(|h| !h.is_empty())
        })
        .unwrap_or(false)
}
