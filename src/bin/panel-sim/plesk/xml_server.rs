//! `server get` datasets and the webspace/site `get` datasets beyond gen_info/hosting.
//!
//! `server get`: every dataset of the 1.6.9.1 request schema is answered in one
//! `result`, in request order (output outline `GetResultType`: status, then a choice
//! 0..∞ of datasets). Shapes replay the captured pairs (`server-get-*.response.xml`);
//! values come from the simulated state where one exists (admin contact, interfaces,
//! object counts, admin's domains) and otherwise are the captured values, except:
//! versions say 18.0.76 like REST `GET /server`; the license `content` is a placeholder
//! (captured: "…encoded license content here…"); and `services_state` reports DNS and
//! mail as running because the simulator serves both (a captured server had them off,
//! which makes the official client's DNS and mail tests skip).
//!
//! Webspace/site datasets: element sets from the output outline (`domainStat`,
//! `domainPrefs`, disk_usage, `DomainPerformanceType`, ...); limits, permissions, PHP
//! settings and performance use the same names and values as the simulated service
//! plans (captured `service-plan get`); usage counters are 0 (no traffic or files).

use super::state::{DomainKind, State, ADMIN_ID};
use super::xml::{El, Node};
use super::xml_ops::{ok_result, only_children, Exec};

const SERVER_DATASETS: &[&str] = &[
    "key",
    "gen_info",
    "components",
    "stat",
    "admin",
    "interfaces",
    "services_state",
    "prefs",
    "shells",
    "session_setup",
    "site-isolation-config",
    "updates",
    "admin-domain-list",
    "certificates",
];

pub fn server_get(op: &Node) -> Result<Exec, String> {
    only_children(op, SERVER_DATASETS)?;
    if let Some(key) = op.child("key") {
        only_children(key, &["filter"])?;
    }
    let sets: Vec<String> = op.children.iter().map(|c| c.name.clone()).collect();
    Ok(Box::new(move |state| {
        let mut result = ok_result();
        for set in &sets {
            result.push(server_dataset(state, set));
        }
        vec![result]
    }))
}

fn pairs(container: &str, item: &str, rows: &[(&str, &str)]) -> El {
    let mut node = El::new(container);
    for (name, value) in rows {
        node.push(
            El::new(item)
                .leaf_child("name", *name)
                .leaf_child("value", *value),
        );
    }
    node
}

fn leaves(container: &str, rows: &[(&str, String)]) -> El {
    let mut node = El::new(container);
    for (name, value) in rows {
        node.push(El::leaf(name, value.clone()));
    }
    node
}

fn server_dataset(state: &State, set: &str) -> El {
    match set {
        "key" => pairs(
            "key",
            "property",
            &[
                ("plesk_key_id", "PLSK.00000000.0000"),
                ("product_version_from", "18.0"),
                ("product_version_to", "any"),
                ("lim_date", "2099-12-31"),
                ("license_update_date", "2099-12-01"),
                ("lim_cl", "-1"),
                ("lim_dom", "-1"),
                ("lim_domain_aliases", "-1"),
                ("lim_mn", "-1"),
                ("lim_wu", "-1"),
                ("can-manage-customers", "1"),
                ("can-manage-resellers", "1"),
                ("api-rpc", "1"),
            ],
        )
        .leaf_child("content", "cGFuZWwtc2ltIGxpY2Vuc2Ugc3RhbmQtaW4="),
        "gen_info" => {
            let mut optimized = El::new("vps-optimized-status");
            for aspect in [
                "mysql-innodb",
                "apache-modules-all",
                "apache-modules-except-php",
                "apache-modules-except-scripting",
            ] {
                optimized.push(
                    El::new("aspect")
                        .leaf_child("name", aspect)
                        .leaf_child("value", "false"),
                );
            }
            El::new("gen_info")
                .leaf_child("server_name", "plesk.sim.localdomain")
                .leaf_child("server_guid", state.server_guid.clone())
                .with(optimized)
                .leaf_child("mode", "standard")
        }
        "components" => {
            let mut node = El::new("components");
            for (name, version) in [
                ("httpd", "2.4.58"),
                ("mysql", "8.0.36"),
                ("nginx", "1.26.2"),
                ("php", "8.3.6"),
                ("postgresql", "16.2"),
                ("psa", "18.0.76"),
                ("psa-api-rpc", "18.0.76"),
                ("psa-proftpd", "1.3.8"),
                ("bind", "9.18.24"),
                ("postfix", "3.8.6"),
                ("dovecot", "2.3.21"),
            ] {
                node.push(
                    El::new("component")
                        .leaf_child("name", name)
                        .leaf_child("version", version),
                );
            }
            node
        }
        "stat" => server_stat(state),
        "admin" => {
            let admin = state.clients.get(&ADMIN_ID);
            let text = |f: fn(&super::state::Client) -> String| admin.map(f).unwrap_or_default();
            leaves(
                "admin",
                &[
                    ("admin_cname", text(|c| c.company.clone())),
                    ("admin_pname", text(|c| c.name.clone())),
                    ("admin_phone", text(|c| c.contact.phone.clone())),
                    ("admin_fax", text(|c| c.contact.fax.clone())),
                    ("admin_email", text(|c| c.email.clone())),
                    ("admin_address", text(|c| c.contact.address.clone())),
                    ("admin_city", text(|c| c.contact.city.clone())),
                    ("admin_state", text(|c| c.contact.state.clone())),
                    ("admin_pcode", text(|c| c.contact.pcode.clone())),
                    ("admin_country", text(|c| c.contact.country.clone())),
                    ("send_announce", "false".into()),
                    ("admin_locale", text(|c| c.locale.clone())),
                    ("admin_multiple_sessions", "true".into()),
                ],
            )
        }
        "interfaces" => {
            let mut node = El::new("interfaces");
            let mut seen: Vec<&str> = Vec::new();
            for ip in &state.ips {
                if !seen.contains(&ip.interface.as_str()) {
                    seen.push(&ip.interface);
                    node.push(El::leaf("interface", ip.interface.clone()));
                }
            }
            node
        }
        "services_state" => {
            let mut node = El::new("services_state");
            for (id, title, running) in [
                ("web", "Web Server (Apache)", true),
                ("smtp", "SMTP Server (Postfix)", true),
                ("imap-pop3", "Dovecot IMAP and POP3 server", true),
                ("dns", "DNS Server (bind)", true),
                ("postgresql", "PostgreSQL", true),
                ("spamassassin", "SpamAssassin", false),
                ("nginx", "Reverse Proxy Server (nginx)", true),
                ("fail2ban", "IP Address Banning (Fail2ban)", false),
            ] {
                node.push(
                    El::new("srv")
                        .leaf_child("id", id)
                        .leaf_child("title", title)
                        .leaf_child("state", if running { "running" } else { "stopped" }),
                );
            }
            node
        }
        "prefs" => leaves(
            "prefs",
            &[
                ("stat_ttl", "3".into()),
                ("include_remote_databases", "true".into()),
                ("traffic_accounting", "3".into()),
                ("restart_apache_interval", "0".into()),
                ("apache_pipelog", "false".into()),
                ("ftp_over_ssl", "enabled".into()),
                ("aps_force_updates", "false".into()),
                ("aps_suggest_updates", "false".into()),
                ("preview_protection", "false".into()),
            ],
        ),
        "shells" => {
            let mut node = El::new("shells");
            for (name, path) in [
                ("Forbidden", "/bin/false"),
                ("/bin/sh", "/bin/sh"),
                ("/bin/bash", "/bin/bash"),
                ("/bin/bash (chrooted)", "/opt/psa/bin/chrootsh"),
            ] {
                node.push(
                    El::new("shell")
                        .leaf_child("name", name)
                        .leaf_child("path", path),
                );
            }
            node
        }
        "session_setup" => El::new("session_setup").leaf_child("login_timeout", "30"),
        "site-isolation-config" => {
            let mut node = El::new("site-isolation-config");
            for (name, values) in [
                ("php_safe_mode", &["on"][..]),
                ("perl", &["off"][..]),
                ("python", &["off"][..]),
                ("ssl", &["any"][..]),
                ("php", &["any"][..]),
                ("cgi", &["any"][..]),
                ("php_handler_type", &["fpm", "fastcgi"][..]),
                ("shell", &["/opt/psa/bin/chrootsh"][..]),
            ] {
                let mut property = El::new("property").leaf_child("name", name);
                for value in values {
                    property.push(El::leaf("value", *value));
                }
                node.push(property);
            }
            node
        }
        "updates" => leaves(
            "updates",
            &[
                ("available_update", String::new()),
                ("available_update_type", String::new()),
                ("security_updates", String::new()),
                ("last_installed_update", "5".into()),
                ("install_updates_automatically", "true".into()),
                ("install_third_party_updates", "true".into()),
                (
                    "install_system_package_updates_automatically",
                    "false".into(),
                ),
            ],
        ),
        "admin-domain-list" => {
            let mut node = El::new("admin-domain-list");
            for domain in state.domains.values() {
                if state.domain_owner(domain) != ADMIN_ID {
                    continue;
                }
                let kind = match domain.kind {
                    DomainKind::Subdomain => "subdomain",
                    _ => "domain",
                };
                let mut entry = El::new("domain")
                    .leaf_child("id", domain.id.to_string())
                    .leaf_child("name", domain.name.clone())
                    .leaf_child("ascii-name", domain.ascii_name.clone())
                    .leaf_child("type", kind)
                    .leaf_child(
                        "main",
                        (domain.kind == DomainKind::Subscription).to_string(),
                    )
                    .leaf_child("guid", domain.guid.clone())
                    .leaf_child("external-id", domain.external_id.clone());
                if let Some(parent) = domain.parent_id {
                    entry.push(El::leaf("parent-id", parent.to_string()));
                }
                if domain.kind != DomainKind::Subscription {
                    entry.push(El::leaf("domain-id", domain.webspace_id.to_string()));
                }
                node.push(entry);
            }
            node
        }
        // "certificates": which certificate secures the panel and the mail server.
        // Assumption: the panel's own certificate is in the server pool as "default".
        _ => El::new("certificates").with(
            El::new("panel")
                .leaf_child("name", "default")
                .with(El::new("admin")),
        ),
    }
}

fn server_stat(state: &State) -> El {
    let count = |n: usize| n.to_string();
    let mailboxes = state.mailnames.values().filter(|m| m.mailbox).count();
    let redirects = state
        .mailnames
        .values()
        .filter(|m| m.forwarding_enabled)
        .count();
    let active = state
        .domains
        .values()
        .filter(|d| d.status == super::state::STATUS_ACTIVE)
        .count();
    El::new("stat")
        .with(leaves(
            "objects",
            &[
                ("clients", count(state.clients.len().saturating_sub(1))),
                ("domains", count(state.domains.len())),
                ("active_domains", count(active)),
                ("mail_boxes", count(mailboxes)),
                ("mail_redirects", count(redirects)),
                ("mail_groups", "0".into()),
                ("mail_responders", "0".into()),
                ("web_users", "0".into()),
                ("databases", count(state.databases.len())),
                ("database_users", count(state.db_users.len())),
                ("problem_clients", "0".into()),
                ("problem_domains", "0".into()),
            ],
        ))
        .with(leaves(
            "version",
            &[
                ("plesk_name", "psa".into()),
                ("plesk_version", "18.0.76".into()),
                ("plesk_os", "Ubuntu".into()),
                ("plesk_os_version", "24.04".into()),
                ("plesk_build", "1800251101.00".into()),
                ("os_release", "6.8.0-panel-sim".into()),
            ],
        ))
        .with(leaves(
            "other",
            &[
                ("cpu", "panel-sim virtual CPU (2 core(s))".into()),
                ("uptime", "3600".into()),
                ("inside_vz", "false".into()),
            ],
        ))
        .with(leaves(
            "load_avg",
            &[("l1", "0".into()), ("l5", "0".into()), ("l15", "0".into())],
        ))
        .with(leaves(
            "mem",
            &[
                ("total", "2097827840".into()),
                ("used", "1499090944".into()),
                ("free", "598736896".into()),
                ("shared", "0".into()),
                ("buffer", "163815424".into()),
                ("cached", "898662400".into()),
            ],
        ))
        .with(leaves(
            "swap",
            &[
                ("total", "4195348480".into()),
                ("used", "0".into()),
                ("free", "4195348480".into()),
            ],
        ))
        .with(El::new("diskspace").with(leaves(
            "device",
            &[
                ("name", "/".into()),
                ("total", "63375708160".into()),
                ("used", "17805221888".into()),
                ("free", "42327556096".into()),
            ],
        )))
}

/// Webspace/site datasets other than gen_info and hosting. `resource-usage` is refused
/// when the request is planned (no source names its resources).
pub fn domain_dataset(
    state: &State,
    domain: &super::state::Domain,
    set: &str,
    webspace: bool,
) -> Option<El> {
    let zero = |names: &[&'static str]| -> Vec<(&'static str, String)> {
        names.iter().map(|n| (*n, "0".to_owned())).collect()
    };
    Some(match set {
        "limits" => {
            let mut limits = El::new("limits").leaf_child("overuse", "not_suspend");
            for name in [
                "max_site",
                "max_subdom",
                "max_dom_aliases",
                "disk_space",
                "max_traffic",
                "max_wu",
                "max_subftp_users",
                "max_db",
                "max_box",
                "mbox_quota",
                "expiration",
            ] {
                limits.push(
                    El::new("limit")
                        .leaf_child("name", name)
                        .leaf_child("value", "-1"),
                );
            }
            limits
        }
        "stat" => {
            let in_scope = |id: u64| {
                if webspace {
                    state
                        .domains
                        .get(&id)
                        .is_some_and(|d| d.webspace_id == domain.id)
                } else {
                    id == domain.id
                }
            };
            let subdomains = state
                .domains
                .values()
                .filter(|d| d.kind == DomainKind::Subdomain)
                .filter(|d| {
                    if webspace {
                        d.webspace_id == domain.id
                    } else {
                        d.parent_id == Some(domain.id)
                    }
                })
                .count();
            let boxes = state
                .mailnames
                .values()
                .filter(|m| in_scope(m.domain_id) && m.mailbox)
                .count();
            let redirects = state
                .mailnames
                .values()
                .filter(|m| in_scope(m.domain_id) && m.forwarding_enabled)
                .count();
            let databases = state
                .databases
                .values()
                .filter(|db| in_scope(db.domain_id))
                .count();
            let mut rows = vec![
                ("traffic", "0".to_owned()),
                ("subdom", subdomains.to_string()),
                ("wu", "0".to_owned()),
                ("box", boxes.to_string()),
                ("redir", redirects.to_string()),
                ("mg", "0".to_owned()),
                ("resp", "0".to_owned()),
                ("maillists", "0".to_owned()),
                ("db", databases.to_string()),
                ("mssql_db", "0".to_owned()),
                ("traffic_prevday", "0".to_owned()),
            ];
            if webspace {
                let sites = state
                    .domains
                    .values()
                    .filter(|d| d.webspace_id == domain.id && d.kind != DomainKind::Subscription)
                    .count();
                rows.push(("domains", (sites + 1).to_string()));
                rows.push(("sites", (sites + 1).to_string()));
            }
            leaves("stat", &rows)
        }
        "prefs" => leaves("prefs", &[("www", "true".into()), ("stat_ttl", "3".into())]),
        "disk_usage" => leaves(
            "disk_usage",
            &zero(&[
                "httpdocs",
                "httpsdocs",
                "subdomains",
                "web_users",
                "anonftp",
                "logs",
                "dbases",
                "mailboxes",
                "maillists",
                "domaindumps",
                "configs",
                "chroot",
            ]),
        ),
        "performance" => leaves(
            "performance",
            &[("bandwidth", "-1".into()), ("max_connections", "-1".into())],
        ),
        "subscriptions" => {
            let mut node = El::new("subscriptions");
            if let Some(plan) = domain
                .plan_id
                .and_then(|id| state.plans.iter().find(|p| p.id == id))
            {
                node.push(
                    El::new("subscription")
                        .leaf_child("locked", "false")
                        .leaf_child("synchronized", "true")
                        .with(El::new("plan").leaf_child("plan-guid", plan.guid.clone())),
                );
            }
            node
        }
        "permissions" => pairs(
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
        ),
        "plan-items" => El::new("plan-items"),
        "php-settings" => pairs(
            "php-settings",
            "setting",
            &[
                ("memory_limit", "128M"),
                ("max_execution_time", "30"),
                ("upload_max_filesize", "2M"),
            ],
        ),
        "mail" => El::new("mail").leaf_child("mailservice", domain.mail_service.to_string()),
        "aps-filter" => El::leaf("aps-filter", "false"),
        "packages" => El::new("packages"),
        _ => return None,
    })
}
