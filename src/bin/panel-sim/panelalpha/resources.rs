//! JSON shapes of the objects the simulator returns (Laravel "API resources").
//!
//! The seed documents no success body except one; fields here are those the vendor's WHMCS
//! client reads (user, service, plan) and those of the vendor's integration template (domain,
//! database and MySQL-user list items). Secrets are never part of a resource.

use serde_json::{json, Value};

use super::state::{find_domain, Domain, DomainKind, HostingAccount, Plan, Service, State, User};

pub fn user(user: &User) -> Value {
    let mut body = json!({
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "company_name": user.company_name,
        "email": user.email,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    });
    if let (Some(archived_at), Some(map)) = (&user.archived_at, body.as_object_mut()) {
        map.insert("deleted_at".to_string(), json!(archived_at));
    }
    body
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

pub fn account(account: &HostingAccount, server_type: Option<&str>) -> Value {
    json!({
        "id": account.id,
        "service_id": account.service_id,
        "user_id": account.user_id,
        "username": account.username,
        "domain": account.domain,
        "status": account.status,
        "server_id": 1,
        "server_type": server_type,
        "created_at": account.created_at,
    })
}

pub fn service(state: &State, service: &Service) -> Value {
    let owner = state.users.get(&service.user_id);
    let plan = state.plans.get(&service.plan_id);
    let server_type = plan.map(|p| p.server_type.as_str());
    let accounts: Vec<Value> = service
        .account_ids
        .iter()
        .filter_map(|id| state.accounts.get(id))
        .map(|a| account(a, server_type))
        .collect();
    let user_name = owner.map(|u| {
        [u.first_name.as_deref(), u.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    });
    let mut body = json!({
        "id": service.id,
        "user_id": service.user_id,
        "user_email": owner.map(|u| u.email.as_str()),
        "user_name": user_name,
        "plan_id": service.plan_id,
        "plan": plan.map(|p| json!({"id": p.id, "name": p.name, "server_type": p.server_type})),
        "status": service.status,
        "is_trial": service.is_trial,
        "created_at": service.created_at,
        "updated_at": service.updated_at,
        "server_accounts": accounts,
    });
    if let (Some(archived_at), Some(map)) = (&service.archived_at, body.as_object_mut()) {
        map.insert("deleted_at".to_string(), json!(archived_at));
    }
    body
}

/// `{domain, type, document_root, redirect_enabled, redirect_url, aliases}` (integration
/// template). Aliases are listed as their own items and also under their target's `aliases`.
pub fn domain(account: &HostingAccount, domain: &Domain) -> Value {
    let aliases: Vec<&str> = account
        .domains
        .iter()
        .filter(|d| {
            d.kind == DomainKind::Alias && d.parent.as_deref() == Some(domain.domain.as_str())
        })
        .map(|d| d.domain.as_str())
        .collect();
    json!({
        "domain": domain.domain,
        "type": domain.kind.as_str(),
        "document_root": domain.document_root,
        "redirect_enabled": domain.redirect_enabled,
        "redirect_url": domain.redirect_url,
        "aliases": aliases,
    })
}

pub fn domain_by_name(account: &HostingAccount, name: &str) -> Value {
    find_domain(account, name)
        .map(|d| domain(account, d))
        .unwrap_or(Value::Null)
}

pub fn domains(account: &HostingAccount) -> Value {
    Value::Array(account.domains.iter().map(|d| domain(account, d)).collect())
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
