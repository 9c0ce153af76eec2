//! XML API operators for what lives inside a subscription: `subdomain`, `dns`,
//! `ftp-user`, `mail` and `certificate`. Element names and order follow the 1.6.9.1
//! schema outlines (reference/plesk/xml/schemas); behaviour sources are named in the
//! state modules (`dns`, `ftp`, `mail`, `certs`) and next to each operation.
//!
//! Elements the schema allows but the simulator does not model (autoresponders,
//! antivirus, server DNS template records, site aliases...) fail the packet with system
//! error 1014 whose text says "not simulated by panel-sim", so a test never mistakes an
//! ignored setting for an applied one.

use super::certs::CertContent;
use super::dns::{RecordFields, DEFAULT_TTL};
use super::ftp::FtpFields;
use super::mail::{ListChange, MailFields};
use super::state::{
    DomainKind, DomainPatch, DomainRef, Fault, HostingType, NewDomain, Placement, State,
};
use super::validate::printable;
use super::xml::{El, Node};
use super::xml_ops::{
    error_result, fault_result, filter_results, get_results, missing, not_expected, ok_result,
    only_children, parse_filter, parse_id, required_text, resolve, Exec, Filter, Hit, Selection,
};

fn not_simulated(parent: &str, child: &str) -> String {
    format!(
        "Element '{}': This element is not simulated by panel-sim (parent '{}').",
        printable(child),
        printable(parent)
    )
}

fn parse_bool(text: &str, element: &str) -> Result<bool, String> {
    match text.trim() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        other => Err(format!(
            "Element '{element}': '{}' is not a valid value of the atomic type 'xs:boolean'.",
            printable(other)
        )),
    }
}

fn opt_bool(node: &Node, child: &str) -> Result<Option<bool>, String> {
    node.text_of(child)
        .map(|t| parse_bool(&t, child))
        .transpose()
}

/// Plans one operation of these operators; `None` = not one of them.
pub fn plan(operator: &str, op: &Node) -> Option<Result<Exec, String>> {
    Some(match (operator, op.name.as_str()) {
        ("subdomain", "add") => subdomain_add(op),
        ("subdomain", "get") => subdomain_get(op),
        ("subdomain", "del") => subdomain_del(op),
        ("subdomain", "set") => subdomain_set(op),
        ("dns", "add_rec") => dns_add(op),
        ("dns", "get_rec") => dns_get(op),
        ("dns", "del_rec") => dns_del(op),
        ("ftp-user", "add") => ftp_add(op),
        ("ftp-user", "get") => ftp_get(op),
        ("ftp-user", "set") => ftp_set(op),
        ("ftp-user", "del") => ftp_del(op),
        ("mail", "create") => mail_create(op),
        ("mail", "update") => mail_update(op),
        ("mail", "get_info") => mail_get_info(op),
        ("mail", "remove") => mail_remove(op),
        ("mail", "enable") => mail_switch(op, true),
        ("mail", "disable") => mail_switch(op, false),
        ("mail", "get_prefs") => mail_get_prefs(op),
        ("mail", "set_prefs") => mail_set_prefs(op),
        ("certificate", "install") => cert_install(op, false),
        ("certificate", "update") => cert_install(op, true),
        ("certificate", "remove") => cert_remove(op),
        ("certificate", "generate") => cert_generate(op),
        ("certificate", "get-pool") => cert_get_pool(op),
        ("subdomain" | "dns" | "ftp-user" | "mail" | "certificate", other) => {
            Err(not_simulated(operator, other))
        }
        _ => return None,
    })
}

// ----- subdomain -------------------------------------------------------------------------
// Source: schema outline `SubdomainAddInputType` (parent, name, home?, property*),
// `SubdomainGetOutputType` (data{parent, name, home?, property*}); the official client's
// `SubdomainTest`: add with parent = the subscription's name, name = the label and
// property www_root; get answers name = "<label>.<parent>" and a www_root containing the
// label; getAll (empty filter) lists every subdomain; delete by id. Subdomains are the
// same objects as `site` subdomains and REST `parent_domain` domains.

const SUBDOMAIN_FILTER: &[&str] = &["id", "name", "parent-name"];

fn subdomain_properties(op: &Node) -> Result<Option<String>, String> {
    let mut www_root = None;
    for property in op.children_named("property") {
        only_children(property, &["name", "value"])?;
        let name = required_text(property, "name")?;
        let value = property.text_of("value").unwrap_or_default();
        match name.as_str() {
            "www_root" => www_root = Some(value),
            // Other hosting properties (php, ssl...) are not modelled for subdomains.
            other => return Err(not_simulated("property", other)),
        }
    }
    Ok(www_root)
}

fn subdomain_add(op: &Node) -> Result<Exec, String> {
    only_children(op, &["parent", "name", "home", "property"])?;
    let parent = required_text(op, "parent")?;
    let name = required_text(op, "name")?;
    // Assumption: `home` is the document root relative to the subscription, like the
    // `www_root` property (which wins when both are given).
    let www_root = subdomain_properties(op)?.or_else(|| op.text_of("home"));
    Ok(Box::new(move |state| {
        let request = NewDomain {
            name,
            placement: Placement::Subdomain {
                parent: DomainRef::Name(parent),
            },
            hosting_type: HostingType::Virtual,
            ftp_login: None,
            ftp_password: None,
            forward_url: None,
            www_root,
            status: None,
            description: None,
            admin_description: None,
            external_id: None,
        };
        vec![match state.create_domain(request) {
            Ok(id) => ok_result().leaf_child("id", id.to_string()),
            Err(fault) => fault_result(&fault),
        }]
    }))
}

fn subdomain_hits(state: &State, filter: &Filter) -> Vec<Hit> {
    let is_sub = |id: &u64| {
        state
            .domains
            .get(id)
            .is_some_and(|d| d.kind == DomainKind::Subdomain)
    };
    let all = || -> Vec<u64> {
        state
            .domains
            .values()
            .filter(|d| d.kind == DomainKind::Subdomain)
            .map(|d| d.id)
            .collect()
    };
    resolve(filter, all, |key, value| match key {
        "id" => Selection::One(value.parse().ok().filter(is_sub)),
        "name" => Selection::One(
            state
                .find_domain(&DomainRef::Name(value.to_owned()))
                .map(|d| d.id)
                .filter(is_sub),
        ),
        _ => {
            let parent = state
                .find_domain(&DomainRef::Name(value.to_owned()))
                .map(|d| d.id);
            match parent {
                None => Selection::One(None),
                Some(parent) => Selection::Many(
                    state
                        .domains
                        .values()
                        .filter(|d| d.kind == DomainKind::Subdomain && d.parent_id == Some(parent))
                        .map(|d| d.id)
                        .collect(),
                ),
            }
        }
    })
}

/// ERRORS.md §3.4 (hint): an unknown subdomain is 1013 "subdomain does not exist" with
/// the filter value echoed as `filter-id`, whatever the filter key.
fn subdomain_missing(hit: Hit) -> Hit {
    match hit {
        Hit::Missing { filter_id, .. } => Hit::Missing {
            filter_id,
            by_id: false,
        },
        other => other,
    }
}

fn subdomain_get(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let filter = parse_filter(op, SUBDOMAIN_FILTER)?;
    Ok(Box::new(move |state| {
        let hits = subdomain_hits(state, &filter)
            .into_iter()
            .map(subdomain_missing)
            .collect();
        let state: &State = state;
        get_results(hits, "Subdomain", true, |id| {
            let Some(sub) = state.domains.get(&id) else {
                return Vec::new();
            };
            let parent = sub
                .parent_id
                .and_then(|p| state.domains.get(&p))
                .map(|p| p.name.clone())
                .unwrap_or_default();
            vec![El::new("data")
                .leaf_child("parent", parent)
                .leaf_child("name", sub.name.clone())
                .with(
                    El::new("property")
                        .leaf_child("name", "www_root")
                        .leaf_child("value", sub.www_root.clone()),
                )]
        })
    }))
}

fn subdomain_del(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let filter = parse_filter(op, SUBDOMAIN_FILTER)?;
    Ok(Box::new(move |state| {
        let hits = subdomain_hits(state, &filter)
            .into_iter()
            .map(subdomain_missing)
            .collect();
        filter_results(hits, "Subdomain", |id| {
            if state.domains.contains_key(&id) {
                state.delete_domain(id).map(|_| ())
            } else {
                Ok(())
            }
        })
    }))
}

fn subdomain_set(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter", "property"])?;
    let filter = parse_filter(op, SUBDOMAIN_FILTER)?;
    if op.child("property").is_none() {
        return Err(missing("set", "property"));
    }
    let www_root = subdomain_properties(op)?;
    Ok(Box::new(move |state| {
        let hits = subdomain_hits(state, &filter)
            .into_iter()
            .map(subdomain_missing)
            .collect();
        filter_results(hits, "Subdomain", |id| {
            state.update_domain(
                id,
                DomainPatch {
                    www_root: www_root.clone(),
                    ..DomainPatch::default()
                },
            )
        })
    }))
}

// ----- dns -------------------------------------------------------------------------------
// Sources: schema outline (`dnsRecord`, `dnsSelectionFilterType`: site-id*|id*|
// site-alias-id*|dns-zone-name*; get_rec/del_rec results 0..∞ of {status, id, data?});
// the official client's `Dns` operator and `DnsTest` (create → id; getAll('site-id')
// reads result/data with site-id, type, host, value, opt; bulk add and delete of several
// records in one packet, one result each).

const DNS_FILTER: &[&str] = &["site-id", "id", "site-alias-id", "dns-zone-name"];

fn dns_add(op: &Node) -> Result<Exec, String> {
    only_children(
        op,
        &["site-id", "site-alias-id", "type", "host", "value", "opt"],
    )?;
    if op.child("site-alias-id").is_some() {
        return Err(not_simulated("add_rec", "site-alias-id"));
    }
    let Some(site) = op.text_of("site-id") else {
        // Without a site the record goes into the server's DNS template.
        return Err(format!(
            "{} (a record without site-id belongs to the server DNS template)",
            not_simulated("add_rec", "type")
        ));
    };
    let site = parse_id(&site, "site-id")?;
    let fields = RecordFields {
        rtype: Some(required_text(op, "type")?),
        host: Some(
            op.child("host")
                .map(Node::value)
                .ok_or_else(|| missing("add_rec", "host"))?,
        ),
        value: Some(
            op.child("value")
                .map(Node::value)
                .ok_or_else(|| missing("add_rec", "value"))?,
        ),
        opt: op.text_of("opt"),
        ttl: None,
    };
    Ok(Box::new(move |state| {
        vec![match state.add_dns_record(site, fields) {
            Ok(record) => ok_result().leaf_child("id", record.id.to_string()),
            Err(fault) => fault_result(&fault),
        }]
    }))
}

/// Records a get_rec/del_rec filter selects: `Ok(ids)` per filter value, or the error
/// result for a value that names nothing.
fn dns_selection(state: &State, filter: &Filter) -> Vec<Result<Vec<u64>, El>> {
    let Some(key) = &filter.key else {
        return vec![Ok(state.dns.values().flatten().map(|r| r.id).collect())];
    };
    filter
        .values
        .iter()
        .map(|value| match key.as_str() {
            "id" => {
                let id: u64 = value.parse().unwrap_or(0);
                match state.dns_record(id) {
                    Some(_) => Ok(vec![id]),
                    None => Err(error_result(1013, "DNS record does not exist")
                        .leaf_child("id", value.clone())),
                }
            }
            "site-id" | "dns-zone-name" => {
                let domain = if key == "site-id" {
                    state.domains.get(&value.parse().unwrap_or(0))
                } else {
                    state.find_domain(&DomainRef::Name(value.clone()))
                };
                match domain.and_then(|d| state.zone_of(d.id)) {
                    Some(zone) => Ok(state.zone_records(zone).iter().map(|r| r.id).collect()),
                    None => Err(error_result(1013, "Domain does not exist")),
                }
            }
            _ => Err(error_result(1013, "Domain alias does not exist")),
        })
        .collect()
}

fn dns_filter(op: &Node) -> Result<Filter, String> {
    let filter = parse_filter(op, DNS_FILTER)?;
    if filter.key.as_deref() == Some("site-alias-id") {
        return Err(not_simulated("filter", "site-alias-id"));
    }
    for option in ["template", "include-subdomains"] {
        if op.child(option).is_some() {
            return Err(not_simulated(&op.name, option));
        }
    }
    Ok(filter)
}

fn dns_get(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter", "template", "include-subdomains"])?;
    let filter = dns_filter(op)?;
    Ok(Box::new(move |state| {
        let mut results = Vec::new();
        for selected in dns_selection(state, &filter) {
            match selected {
                Err(error) => results.push(error),
                Ok(ids) => {
                    for id in ids {
                        if let Some(record) = state.dns_record(id) {
                            results.push(
                                ok_result().leaf_child("id", id.to_string()).with(
                                    El::new("data")
                                        .leaf_child("site-id", record.zone_id.to_string())
                                        .leaf_child("type", record.rtype.clone())
                                        .leaf_child("host", record.host.clone())
                                        .leaf_child("value", record.value.clone())
                                        .leaf_child("opt", record.opt.clone()),
                                ),
                            );
                        }
                    }
                }
            }
        }
        results
    }))
}

fn dns_del(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter", "template"])?;
    let filter = dns_filter(op)?;
    Ok(Box::new(move |state| {
        let mut results = Vec::new();
        for selected in dns_selection(state, &filter) {
            match selected {
                Err(error) => results.push(error),
                Ok(ids) => {
                    for id in ids {
                        results.push(match state.delete_dns_record(id) {
                            Ok(_) => ok_result().leaf_child("id", id.to_string()),
                            Err(fault) => fault_result(&fault).leaf_child("id", id.to_string()),
                        });
                    }
                }
            }
        }
        results
    }))
}

/// REST and XML report a record's TTL the same way.
pub fn record_ttl(record: &super::dns::DnsRecord) -> u32 {
    record.ttl.unwrap_or(DEFAULT_TTL)
}

// ----- ftp-user --------------------------------------------------------------------------
// Source: schema outline (`FtpUserAddInputType`, `FtpUserFilterType`: id+|name+|
// webspace-id+|webspace-name+, `FtpUserGetResultType`: name, home, quota?, permissions?,
// webspace-id).

const FTP_FILTER: &[&str] = &["id", "name", "webspace-id", "webspace-name"];

fn ftp_fields(node: &Node) -> Result<FtpFields, String> {
    let permissions = node.child("permissions");
    if let Some(permissions) = permissions {
        only_children(permissions, &["read", "write"])?;
    }
    if let Some(flag) = node.text_of("create-non-existent") {
        // No file system is simulated: every directory exists.
        parse_bool(&flag, "create-non-existent")?;
    }
    Ok(FtpFields {
        name: node.text_of("name"),
        password: node.child("password").map(|p| p.text.clone()),
        home: node.text_of("home"),
        quota: node
            .text_of("quota")
            .map(|q| {
                q.parse::<i64>().map_err(|_| {
                    format!(
                        "Element 'quota': '{}' is not a valid value of the atomic type 'xs:int'.",
                        printable(&q)
                    )
                })
            })
            .transpose()?,
        read: permissions
            .map(|p| opt_bool(p, "read"))
            .transpose()?
            .flatten(),
        write: permissions
            .map(|p| opt_bool(p, "write"))
            .transpose()?
            .flatten(),
    })
}

/// The optional `webspace-id|webspace-name` after the filter (set/del/get scope).
fn ftp_scope(op: &Node) -> Result<Option<DomainRef>, String> {
    if let Some(id) = op.text_of("webspace-id") {
        return Ok(Some(DomainRef::Id(parse_id(&id, "webspace-id")?)));
    }
    Ok(op.text_of("webspace-name").map(DomainRef::Name))
}

fn ftp_add(op: &Node) -> Result<Exec, String> {
    only_children(
        op,
        &[
            "name",
            "password",
            "home",
            "create-non-existent",
            "quota",
            "permissions",
            "webspace-id",
            "webspace-name",
        ],
    )?;
    required_text(op, "name")?;
    if op.child("password").is_none() {
        return Err(missing("add", "password"));
    }
    let webspace = ftp_scope(op)?.ok_or_else(|| missing("add", "webspace-id"))?;
    let fields = ftp_fields(op)?;
    Ok(Box::new(move |state| {
        let Some(webspace_id) = state.webspace_id_of(&webspace) else {
            return vec![error_result(1013, "Webspace does not exist")];
        };
        vec![
            match state.create_ftp_user(&DomainRef::Id(webspace_id), fields) {
                Ok(user) => ok_result().leaf_child("id", user.id.to_string()),
                Err(fault) => fault_result(&fault),
            },
        ]
    }))
}

fn ftp_hits(state: &State, filter: &Filter, scope: &Option<DomainRef>) -> Vec<Hit> {
    let scope_id = scope.as_ref().map(|s| state.webspace_id_of(s).unwrap_or(0));
    let in_scope = |id: &u64| {
        scope_id.is_none_or(|ws| state.ftp_users.get(id).is_some_and(|u| u.webspace_id == ws))
    };
    let all = || -> Vec<u64> { state.ftp_users.keys().copied().filter(in_scope).collect() };
    resolve(filter, all, |key, value| match key {
        "id" => Selection::One(
            value
                .parse()
                .ok()
                .filter(|id| state.ftp_users.contains_key(id))
                .filter(in_scope),
        ),
        "name" => Selection::One(
            state
                .find_ftp_user_by_name(value)
                .map(|u| u.id)
                .filter(in_scope),
        ),
        _ => {
            let reference = if key == "webspace-id" {
                DomainRef::Id(value.parse().unwrap_or(0))
            } else {
                DomainRef::Name(value.to_owned())
            };
            match state.webspace_id_of(&reference) {
                None => Selection::One(None),
                Some(ws) => Selection::Many(
                    state
                        .ftp_users
                        .values()
                        .filter(|u| u.webspace_id == ws)
                        .map(|u| u.id)
                        .filter(in_scope)
                        .collect(),
                ),
            }
        }
    })
}

fn ftp_get(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter", "webspace-id", "webspace-name"])?;
    let filter = parse_filter(op, FTP_FILTER)?;
    let scope = ftp_scope(op)?;
    Ok(Box::new(move |state| {
        let hits = ftp_hits(state, &filter, &scope);
        let state: &State = state;
        get_results(hits, "FTP user", true, |id| {
            let Some(user) = state.ftp_users.get(&id) else {
                return Vec::new();
            };
            vec![
                El::leaf("name", user.name.clone()),
                El::leaf("home", user.home.clone()),
                El::leaf("quota", user.quota.to_string()),
                El::new("permissions")
                    .leaf_child("read", user.read.to_string())
                    .leaf_child("write", user.write.to_string()),
                El::leaf("webspace-id", user.webspace_id.to_string()),
            ]
        })
    }))
}

fn ftp_set(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter", "values", "webspace-id", "webspace-name"])?;
    let filter = parse_filter(op, FTP_FILTER)?;
    let scope = ftp_scope(op)?;
    let values = op.child("values").ok_or_else(|| missing("set", "values"))?;
    only_children(
        values,
        &[
            "name",
            "password",
            "home",
            "create-non-existent",
            "quota",
            "permissions",
        ],
    )?;
    let fields = ftp_fields(values)?;
    Ok(Box::new(move |state| {
        let hits = ftp_hits(state, &filter, &scope);
        filter_results(hits, "FTP user", |id| {
            state.update_ftp_user(id, fields.clone())
        })
    }))
}

fn ftp_del(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter", "webspace-id", "webspace-name"])?;
    let filter = parse_filter(op, FTP_FILTER)?;
    let scope = ftp_scope(op)?;
    Ok(Box::new(move |state| {
        let hits = ftp_hits(state, &filter, &scope);
        filter_results(hits, "FTP user", |id| state.delete_ftp_user(id).map(|_| ()))
    }))
}

// ----- mail ------------------------------------------------------------------------------
// Sources: schema outline (`mailnameFilterAddType` site-id + mailname+; `update`
// add|remove|set; `GetInfoAdvancedFilter` site-id + name*, datasets mailbox,
// mailbox-usage, forwarding, aliases, autoresponder; results per mailname); the official
// client's `Mail` operator and `MailTest`; docs "Enabling/Disabling Mail Service on
// Domain" (`enable`/`disable` with site-id) and "Mail Service Preferences" (mailservice).

const MAILNAME_UNMODELLED: &[&str] = &[
    "autoresponder",
    "antivir",
    "outgoing-messages-mbox-limit",
    "user-guid",
];

/// What one `<mailname>` asks for. `list_mode` says how its forwarding addresses and
/// aliases change the account's lists (create and set replace, add adds, remove removes).
fn mailname_fields(
    node: &Node,
    list_mode: fn(Vec<String>) -> ListChange,
) -> Result<(String, MailFields), String> {
    only_children(
        node,
        &[
            "id",
            "name",
            "cp-access",
            "mailbox",
            "forwarding",
            "alias",
            "autoresponder",
            "password",
            "user-guid",
            "antivir",
            "outgoing-messages-mbox-limit",
            "description",
        ],
    )?;
    if let Some(unmodelled) = node
        .children
        .iter()
        .find(|c| MAILNAME_UNMODELLED.contains(&c.name.as_str()))
    {
        return Err(not_simulated("mailname", &unmodelled.name));
    }
    let name = required_text(node, "name")?;
    let mut fields = MailFields {
        cp_access: opt_bool(node, "cp-access")?,
        description: node.text_of("description"),
        ..MailFields::default()
    };
    if let Some(mailbox) = node.child("mailbox") {
        only_children(mailbox, &["enabled", "quota"])?;
        fields.mailbox = opt_bool(mailbox, "enabled")?;
        fields.quota = mailbox
            .text_of("quota")
            .map(|q| {
                q.parse::<i64>().map_err(|_| {
                    format!(
                        "Element 'quota': '{}' is not a valid value of the atomic type 'xs:long'.",
                        printable(&q)
                    )
                })
            })
            .transpose()?;
    }
    if let Some(forwarding) = node.child("forwarding") {
        only_children(forwarding, &["enabled", "address"])?;
        fields.forwarding_enabled = opt_bool(forwarding, "enabled")?;
        let addresses: Vec<String> = forwarding
            .children_named("address")
            .map(Node::value)
            .collect();
        fields.forwarding = list_mode(addresses);
    }
    let aliases: Vec<String> = node.children_named("alias").map(Node::value).collect();
    if !aliases.is_empty() {
        fields.aliases = list_mode(aliases);
    }
    if let Some(password) = node.child("password") {
        only_children(password, &["value", "type"])?;
        if let Some(kind) = password.text_of("type") {
            if kind != "plain" {
                return Err(not_simulated("password", &format!("type {kind}")));
            }
        }
        fields.password = password.child("value").map(|v| v.text.clone());
    }
    Ok((name, fields))
}

/// `filter{site-id, mailname+}` → the site and each mailname's request.
fn mailname_filter(
    op: &Node,
    list_mode: fn(Vec<String>) -> ListChange,
) -> Result<(u64, Vec<(String, MailFields)>), String> {
    let filter = op
        .child("filter")
        .ok_or_else(|| missing(&op.name, "filter"))?;
    only_children(filter, &["site-id", "mailname"])?;
    let site = parse_id(&required_text(filter, "site-id")?, "site-id")?;
    let names = filter
        .children_named("mailname")
        .map(|m| mailname_fields(m, list_mode))
        .collect::<Result<Vec<_>, _>>()?;
    if names.is_empty() {
        return Err(missing("filter", "mailname"));
    }
    Ok((site, names))
}

fn named(result: El, name: &str) -> El {
    result.with(El::new("mailname").leaf_child("name", name))
}

fn mail_create(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let (site, names) = mailname_filter(op, ListChange::Set)?;
    Ok(Box::new(move |state| {
        names
            .into_iter()
            .map(
                |(name, fields)| match state.create_mailname(site, &name, fields) {
                    Ok(created) => ok_result().with(
                        El::new("mailname")
                            .leaf_child("id", created.id.to_string())
                            .leaf_child("name", created.name),
                    ),
                    Err(fault) => named(fault_result(&fault), &name),
                },
            )
            .collect()
    }))
}

fn mail_update(op: &Node) -> Result<Exec, String> {
    only_children(op, &["add", "remove", "set"])?;
    let Some(mode) = op.children.first() else {
        return Err(missing("update", "set"));
    };
    if op.children.len() > 1 {
        return Err(not_expected("update", &op.children[1].name));
    }
    let list_mode: fn(Vec<String>) -> ListChange = match mode.name.as_str() {
        "add" => ListChange::Add,
        "remove" => ListChange::Remove,
        _ => ListChange::Set,
    };
    only_children(mode, &["filter"])?;
    let (site, names) = mailname_filter(mode, list_mode)?;
    if mode.name != "set" {
        // add/remove carry list items (and cp-access/forwarding enabled) only.
        let settings_only = names.iter().any(|(_, f)| {
            f.mailbox.is_some()
                || f.quota.is_some()
                || f.password.is_some()
                || f.description.is_some()
        });
        if settings_only {
            return Err(not_expected(&mode.name, "mailbox"));
        }
    }
    let mode_name = mode.name.clone();
    Ok(Box::new(move |state| {
        let mut node = El::new(&mode_name);
        for (name, fields) in names {
            let result = match state.find_mailname(site, &name).map(|m| m.id) {
                None if !state.domains.contains_key(&site) => {
                    error_result(1013, "Domain does not exist")
                }
                None => error_result(1013, "Mail name does not exist"),
                Some(id) => match state.update_mailname(id, fields) {
                    Ok(_) => ok_result(),
                    Err(fault) => fault_result(&fault),
                },
            };
            node.push(named(result, &name));
        }
        vec![node]
    }))
}

fn mail_get_info(op: &Node) -> Result<Exec, String> {
    const SETS: &[&str] = &[
        "mailbox",
        "mailbox-usage",
        "forwarding",
        "aliases",
        "autoresponder",
    ];
    let mut allowed = vec!["filter"];
    allowed.extend_from_slice(SETS);
    only_children(op, &allowed)?;
    if op.child("autoresponder").is_some() {
        return Err(not_simulated("get_info", "autoresponder"));
    }
    let filter = op
        .child("filter")
        .ok_or_else(|| missing("get_info", "filter"))?;
    only_children(filter, &["site-id", "name"])?;
    let site = parse_id(&required_text(filter, "site-id")?, "site-id")?;
    let names: Vec<String> = filter.children_named("name").map(Node::value).collect();
    let want = |set: &str| op.child(set).is_some();
    let (mailbox, usage, forwarding, aliases) = (
        want("mailbox"),
        want("mailbox-usage"),
        want("forwarding"),
        want("aliases"),
    );
    Ok(Box::new(move |state| {
        if !state.domains.contains_key(&site) {
            return vec![error_result(1013, "Domain does not exist")];
        }
        let ids: Vec<Result<u64, String>> = if names.is_empty() {
            state
                .mailnames
                .values()
                .filter(|m| m.domain_id == site)
                .map(|m| Ok(m.id))
                .collect()
        } else {
            names
                .iter()
                .map(|n| {
                    state
                        .find_mailname(site, n)
                        .map(|m| m.id)
                        .ok_or_else(|| n.clone())
                })
                .collect()
        };
        if ids.is_empty() {
            // `result [1..∞]`: nothing to report is one plain ok result (the official
            // client's testGetAllWithoutMailnames expects no item).
            return vec![ok_result()];
        }
        ids.into_iter()
            .map(|id| match id.ok().and_then(|id| state.mailnames.get(&id)) {
                None => error_result(1013, "Mail name does not exist"),
                Some(m) => {
                    let mut info = El::new("mailname")
                        .leaf_child("id", m.id.to_string())
                        .leaf_child("name", m.name.clone());
                    if mailbox || usage {
                        let mut node = El::new("mailbox")
                            .leaf_child("enabled", m.mailbox.to_string())
                            .leaf_child("quota", m.quota.to_string());
                        if usage {
                            node.push(El::leaf("usage", "0"));
                        }
                        info.push(node);
                    }
                    if forwarding {
                        let mut node = El::new("forwarding")
                            .leaf_child("enabled", m.forwarding_enabled.to_string());
                        for address in &m.forwarding {
                            node.push(El::leaf("address", address.clone()));
                        }
                        info.push(node);
                    }
                    if aliases {
                        for alias in &m.aliases {
                            info.push(El::leaf("alias", alias.clone()));
                        }
                    }
                    info.push(El::leaf("description", m.description.clone()));
                    ok_result().with(info)
                }
            })
            .collect()
    }))
}

fn mail_remove(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let filter = op
        .child("filter")
        .ok_or_else(|| missing("remove", "filter"))?;
    only_children(filter, &["site-id", "name"])?;
    let site = parse_id(&required_text(filter, "site-id")?, "site-id")?;
    let names: Vec<String> = filter.children_named("name").map(Node::value).collect();
    Ok(Box::new(move |state| {
        if !state.domains.contains_key(&site) {
            return vec![error_result(1013, "Domain does not exist")];
        }
        // Assumption: no name = every account of the site (the schema allows 0 names).
        let names: Vec<String> = if names.is_empty() {
            state
                .mailnames
                .values()
                .filter(|m| m.domain_id == site)
                .map(|m| m.name.clone())
                .collect()
        } else {
            names
        };
        if names.is_empty() {
            return vec![ok_result()];
        }
        names
            .into_iter()
            .map(|name| {
                let result = match state.find_mailname(site, &name).map(|m| m.id) {
                    None => error_result(1013, "Mail name does not exist"),
                    Some(id) => match state.delete_mailname(id) {
                        Ok(_) => ok_result(),
                        Err(fault) => fault_result(&fault),
                    },
                };
                named(result, &name)
            })
            .collect()
    }))
}

fn mail_switch(op: &Node, on: bool) -> Result<Exec, String> {
    only_children(op, &["site-id"])?;
    let site = parse_id(&required_text(op, "site-id")?, "site-id")?;
    Ok(Box::new(move |state| {
        vec![match state.set_mail_service(site, on) {
            Ok(()) => ok_result(),
            Err(fault) => fault_result(&fault),
        }]
    }))
}

fn prefs_sites(op: &Node) -> Result<Option<Vec<u64>>, String> {
    let filter = op
        .child("filter")
        .ok_or_else(|| missing(&op.name, "filter"))?;
    only_children(filter, &["site-id"])?;
    let ids = filter
        .children_named("site-id")
        .map(|n| parse_id(&n.text, "site-id"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((!ids.is_empty()).then_some(ids))
}

fn mail_sites(state: &State, sites: &Option<Vec<u64>>) -> Vec<u64> {
    match sites {
        Some(ids) => ids.clone(),
        None => state
            .domains
            .values()
            .filter(|d| d.kind != DomainKind::Subdomain)
            .map(|d| d.id)
            .collect(),
    }
}

fn mail_get_prefs(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter"])?;
    let sites = prefs_sites(op)?;
    Ok(Box::new(move |state| {
        mail_sites(state, &sites)
            .into_iter()
            .map(|id| {
                match state
                    .domains
                    .get(&id)
                    .filter(|d| d.kind != DomainKind::Subdomain)
                {
                    Some(domain) => ok_result().leaf_child("site-id", id.to_string()).with(
                        El::new("prefs").leaf_child("mailservice", domain.mail_service.to_string()),
                    ),
                    None => error_result(1013, "Domain does not exist"),
                }
            })
            .collect()
    }))
}

fn mail_set_prefs(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter", "prefs"])?;
    let sites = prefs_sites(op)?;
    let prefs = op
        .child("prefs")
        .ok_or_else(|| missing("set_prefs", "prefs"))?;
    if let Some(other) = prefs.children.iter().find(|c| c.name != "mailservice") {
        return Err(not_simulated("prefs", &other.name));
    }
    let service = opt_bool(prefs, "mailservice")?;
    Ok(Box::new(move |state| {
        mail_sites(state, &sites)
            .into_iter()
            .map(|id| {
                let outcome = match service {
                    Some(on) => state.set_mail_service(id, on),
                    None if state.domains.contains_key(&id) => Ok(()),
                    None => Err(Fault::NotFound("Domain does not exist".into())),
                };
                match outcome {
                    Ok(()) => ok_result().leaf_child("site-id", id.to_string()),
                    Err(fault) => fault_result(&fault),
                }
            })
            .collect()
    }))
}

// ----- certificate -----------------------------------------------------------------------

/// `webspace|site|admin`: the pool's domain name, `None` for the server pool.
fn cert_repository(op: &Node) -> Result<Option<String>, String> {
    let named: Vec<&Node> = op
        .children
        .iter()
        .filter(|c| matches!(c.name.as_str(), "webspace" | "site" | "admin"))
        .collect();
    match named.as_slice() {
        [one] if one.name == "admin" => Ok(None),
        [one] => Ok(Some(one.value())),
        [] => Err(missing(&op.name, "webspace")),
        [_, second, ..] => Err(not_expected(&op.name, &second.name)),
    }
}

fn cert_install(op: &Node, update: bool) -> Result<Exec, String> {
    only_children(
        op,
        &["name", "webspace", "site", "admin", "content", "ip_address"],
    )?;
    let name = required_text(op, "name")?;
    let repository = cert_repository(op)?;
    let content = op
        .child("content")
        .ok_or_else(|| missing(&op.name, "content"))?;
    only_children(content, &["csr", "pvt", "cert", "ca"])?;
    let content = CertContent {
        csr: content
            .child("csr")
            .map(|c| c.text.clone())
            .ok_or_else(|| missing("content", "csr"))?,
        pvt: content
            .child("pvt")
            .map(|c| c.text.clone())
            .ok_or_else(|| missing("content", "pvt"))?,
        cert: content
            .child("cert")
            .map(|c| c.text.clone())
            .filter(|c| !c.trim().is_empty()),
        ca: content
            .child("ca")
            .map(|c| c.text.clone())
            .filter(|c| !c.trim().is_empty()),
    };
    let ip = op.text_of("ip_address");
    Ok(Box::new(move |state| {
        let outcome = (|| {
            if let Some(ip) = &ip {
                // Assigning the certificate to an IP is not modelled; the IP must exist.
                if !state.ips.iter().any(|known| known.ip == *ip) {
                    return Err(Fault::IpNotFound(format!(
                        "IP address {} is not found on the server",
                        printable(ip)
                    )));
                }
            }
            let pool = state.certificate_pool(repository.as_deref())?;
            if update {
                state.update_certificate(pool, &name, &content)
            } else {
                state.install_certificate(pool, &name, &content).map(|_| ())
            }
        })();
        vec![match outcome {
            Ok(()) => ok_result(),
            Err(fault) => fault_result(&fault),
        }]
    }))
}

fn cert_remove(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter", "webspace", "site", "admin"])?;
    let filter = op
        .child("filter")
        .ok_or_else(|| missing("remove", "filter"))?;
    only_children(filter, &["name"])?;
    let names: Vec<String> = filter.children_named("name").map(Node::value).collect();
    if names.is_empty() {
        return Err(missing("filter", "name"));
    }
    let repository = cert_repository(op)?;
    Ok(Box::new(move |state| {
        let pool = match state.certificate_pool(repository.as_deref()) {
            Ok(pool) => pool,
            Err(fault) => return vec![fault_result(&fault)],
        };
        names
            .into_iter()
            .map(|name| match state.remove_certificate(pool, &name) {
                Ok(()) => ok_result().leaf_child("name", name),
                Err(fault) => fault_result(&fault).leaf_child("name", name),
            })
            .collect()
    }))
}

fn cert_generate(op: &Node) -> Result<Exec, String> {
    only_children(op, &["info", "PVT"])?;
    let info = op
        .child("info")
        .ok_or_else(|| missing("generate", "info"))?;
    only_children(
        info,
        &[
            "bits", "country", "state", "location", "company", "dept", "email", "name",
        ],
    )?;
    let bits_text = required_text(info, "bits")?;
    let bits: u32 = bits_text.parse().map_err(|_| {
        format!(
            "Element 'bits': '{}' is not a valid value of the atomic type 'xs:int'.",
            printable(&bits_text)
        )
    })?;
    for required in ["country", "location", "company", "email", "name"] {
        required_text(info, required)?;
    }
    if op.child("PVT").is_some() {
        return Err(not_simulated("generate", "PVT"));
    }
    use rcgen::DnType;
    let text = |name: &str| info.text_of(name).unwrap_or_default();
    let names = vec![
        (DnType::CountryName, text("country")),
        (DnType::StateOrProvinceName, text("state")),
        (DnType::LocalityName, text("location")),
        (DnType::OrganizationName, text("company")),
        (DnType::OrganizationalUnitName, text("dept")),
    ];
    let common_name = text("name");
    Ok(Box::new(move |_state| {
        vec![
            match super::certs::generate_csr(bits, &names, &common_name) {
                Ok((csr, pvt)) => ok_result().leaf_child("csr", csr).leaf_child("pvt", pvt),
                Err(fault) => fault_result(&fault),
            },
        ]
    }))
}

fn cert_get_pool(op: &Node) -> Result<Exec, String> {
    only_children(op, &["filter", "admin"])?;
    let admin = op.child("admin").is_some();
    let filter = if admin {
        if op.child("filter").is_some() {
            return Err(not_expected("get-pool", "filter"));
        }
        None
    } else {
        Some(parse_filter(
            op,
            &["domain-id", "domain-name", "domain-guid"],
        )?)
    };
    Ok(Box::new(move |state| {
        let now = super::certs::now_ms();
        let pool_node = |pool: Option<u64>| {
            let mut certificates = El::new("certificates");
            for cert in state.certificates.values() {
                if cert.webspace_id == pool && cert.visible(now) {
                    certificates.push(El::new("certificate").leaf_child("name", cert.name.clone()));
                }
            }
            certificates
        };
        let Some(filter) = filter else {
            return vec![ok_result().with(pool_node(None))];
        };
        let values: Vec<(Option<String>, Option<u64>)> = match &filter.key {
            None => state
                .domains
                .values()
                .filter(|d| d.kind == DomainKind::Subscription)
                .map(|d| (None, Some(d.id)))
                .collect(),
            Some(key) => filter
                .values
                .iter()
                .map(|v| {
                    let reference = match key.as_str() {
                        "domain-id" => DomainRef::Id(v.parse().unwrap_or(0)),
                        "domain-name" => DomainRef::Name(v.clone()),
                        _ => DomainRef::Guid(v.clone()),
                    };
                    (Some(v.clone()), state.find_domain(&reference).map(|d| d.id))
                })
                .collect(),
        };
        values
            .into_iter()
            .map(
                |(filter_id, domain)| match domain.and_then(|id| state.domains.get(&id)) {
                    None => error_result(1013, "Domain does not exist")
                        .leaf_child("filter-id", filter_id.unwrap_or_default()),
                    Some(domain) => {
                        let mut result = ok_result();
                        if let Some(filter_id) = filter_id {
                            result.push(El::leaf("filter-id", filter_id));
                        }
                        result
                            .leaf_child("id", domain.id.to_string())
                            .with(pool_node(Some(domain.webspace_id)))
                    }
                },
            )
            .collect()
    }))
}
