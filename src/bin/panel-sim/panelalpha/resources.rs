//! JSON shapes of the objects the simulator returns (Laravel "API resources").
//!
//! The seed documents no success body except one; fields here are those the vendor's WHMCS
//! client reads (user, service, plan) and those of the vendor's integration template (domain,
//! database and MySQL-user list items). Secrets are never part of a resource.
//!
//! Each shape is a borrowed view that serialises straight into the answer (no intermediate
//! `Value` tree), so a list of thousands of objects costs little more than copying its bytes.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::{json, Value};

use super::state::{find_domain, Domain, DomainKind, HostingAccount, Plan, Service, State, User};

#[derive(Serialize)]
pub struct UserView<'a> {
    id: u64,
    first_name: &'a Option<String>,
    last_name: &'a Option<String>,
    company_name: &'a Option<String>,
    email: &'a str,
    created_at: &'a str,
    updated_at: &'a str,
    /// Laravel's soft-delete column, shown on archived users only.
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_at: Option<&'a str>,
}

pub fn user(user: &User) -> UserView<'_> {
    UserView {
        id: user.id,
        first_name: &user.first_name,
        last_name: &user.last_name,
        company_name: &user.company_name,
        email: &user.email,
        created_at: &user.created_at,
        updated_at: &user.updated_at,
        deleted_at: user.archived_at.as_deref(),
    }
}

pub fn plan(plan: &Plan) -> Value {
    json!({
        "id": plan.id,
        "name": plan.name,
        "application_limit": plan.application_limit,
        "instance_limit": plan.application_limit,
        "server_type": plan.server_type,
        "server_group_id": plan.server_group_id,
        "server_group_name": plan.server_group_name,
        "server_assign_rule": plan.server_assign_rule,
        "account_config": {},
        "config": {"onboarding": {"method": "domain", "ask_for_domain": true}},
        "dns_server_internal": true,
        "dns_server_type": null,
        "email_server_internal": true,
        "email_server_type": null,
        "created_at": plan.created_at,
        "updated_at": plan.updated_at,
    })
}

#[derive(Serialize)]
pub struct AccountView<'a> {
    id: u64,
    service_id: u64,
    user_id: u64,
    username: &'a str,
    domain: &'a str,
    status: &'a str,
    server_id: u64,
    server_type: Option<&'a str>,
    created_at: &'a str,
}

pub fn account<'a>(account: &'a HostingAccount, server_type: Option<&'a str>) -> AccountView<'a> {
    AccountView {
        id: account.id,
        service_id: account.service_id,
        user_id: account.user_id,
        username: &account.username,
        domain: &account.domain,
        status: &account.status,
        server_id: 1,
        server_type,
        created_at: &account.created_at,
    }
}

#[derive(Serialize)]
struct PlanRef<'a> {
    id: u64,
    name: &'a str,
    server_type: &'a str,
}

#[derive(Serialize)]
pub struct ServiceView<'a> {
    id: u64,
    user_id: u64,
    user_email: Option<&'a str>,
    user_name: Option<String>,
    plan_id: u64,
    plan: Option<PlanRef<'a>>,
    status: &'a str,
    is_trial: bool,
    created_at: &'a str,
    updated_at: &'a str,
    server_accounts: Vec<AccountView<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_at: Option<&'a str>,
}

pub fn service<'a>(state: &'a State, service: &'a Service) -> ServiceView<'a> {
    let owner = state.users.get(&service.user_id);
    let plan = state.plans.get(&service.plan_id);
    let server_type = plan.map(|p| p.server_type.as_str());
    let user_name = owner.map(|u| match (&u.first_name, &u.last_name) {
        (Some(first), Some(last)) => format!("{first} {last}"),
        (Some(one), None) | (None, Some(one)) => one.clone(),
        (None, None) => String::new(),
    });
    ServiceView {
        id: service.id,
        user_id: service.user_id,
        user_email: owner.map(|u| u.email.as_str()),
        user_name,
        plan_id: service.plan_id,
        plan: plan.map(|p| PlanRef {
            id: p.id,
            name: &p.name,
            server_type: &p.server_type,
        }),
        status: &service.status,
        is_trial: service.is_trial,
        created_at: &service.created_at,
        updated_at: &service.updated_at,
        server_accounts: service
            .account_ids
            .iter()
            .filter_map(|id| state.accounts.get(id))
            .map(|a| account(a, server_type))
            .collect(),
        deleted_at: service.archived_at.as_deref(),
    }
}

/// `{domain, type, document_root, redirect_enabled, redirect_url, aliases}` (integration
/// template). Aliases are listed as their own items and also under their target's `aliases`.
#[derive(Serialize)]
pub struct DomainView<'a> {
    domain: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    document_root: &'a str,
    redirect_enabled: bool,
    redirect_url: &'a Option<String>,
    aliases: Vec<&'a str>,
}

fn domain_view<'a>(domain: &'a Domain, aliases: Vec<&'a str>) -> DomainView<'a> {
    DomainView {
        domain: &domain.domain,
        kind: domain.kind.as_str(),
        document_root: &domain.document_root,
        redirect_enabled: domain.redirect_enabled,
        redirect_url: &domain.redirect_url,
        aliases,
    }
}

fn aliases_of<'a>(account: &'a HostingAccount, target: &str) -> Vec<&'a str> {
    account
        .domains
        .iter()
        .filter(|d| d.kind == DomainKind::Alias && d.parent.as_deref() == Some(target))
        .map(|d| d.domain.as_str())
        .collect()
}

pub fn domain_by_name(account: &HostingAccount, name: &str) -> Value {
    find_domain(account, name)
        .ok()
        .and_then(|d| serde_json::to_value(domain_view(d, aliases_of(account, &d.domain))).ok())
        .unwrap_or(Value::Null)
}

/// Every domain of the account; aliases are grouped in one pass (not one scan per domain).
pub fn domains(account: &HostingAccount) -> Vec<DomainView<'_>> {
    let mut aliases: HashMap<&str, Vec<&str>> = HashMap::new();
    for domain in &account.domains {
        if let (DomainKind::Alias, Some(target)) = (domain.kind, domain.parent.as_deref()) {
            aliases.entry(target).or_default().push(&domain.domain);
        }
    }
    account
        .domains
        .iter()
        .map(|d| domain_view(d, aliases.remove(d.domain.as_str()).unwrap_or_default()))
        .collect()
}

pub fn databases(account: &HostingAccount) -> Value {
    Value::Array(
        account
            .databases
            .iter()
            .map(|(name, db)| json!({"database": name, "disk_usage": db.disk_usage}))
            .collect(),
    )
}

pub fn db_user(account: &HostingAccount, name: &str) -> Value {
    json!({"user": name, "databases": account.db_user_databases(name)})
}

pub fn db_users(account: &HostingAccount) -> Value {
    Value::Array(
        account
            .db_users
            .keys()
            .map(|name| db_user(account, name))
            .collect(),
    )
}
