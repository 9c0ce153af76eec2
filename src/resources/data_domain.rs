//! `data "panel_domain"` (one domain, by name) and `data "panel_domains"` (all domains,
//! optionally of one owner and/or one kind), on every panel through
//! [`Panel::find_domain`](crate::panel::Panel::find_domain) and
//! [`Panel::list_domains`](crate::panel::Panel::list_domains).

use crate::framework::diag::Diagnostics;
use crate::framework::resource::{Context, DataSource, StateResult};
use crate::framework::schema::{Attribute, Schema};
use crate::framework::validate;
use crate::panel::{Domain, ListFilter};
use crate::tfvalue::{Type, Value};

use super::data_shared::{
    config_string, describe_lookup, normalise_domain, not_found, optional_string, panel_error,
    provider_data,
};

pub const TYPE_NAME: &str = "panel_domain";
pub const LIST_TYPE_NAME: &str = "panel_domains";

const KINDS: [&str; 3] = ["main", "addon", "subdomain"];

const PANEL_MAPPING: &str = "On Plesk (REST and XML APIs) a `main` domain is a *subscription* \
     (webspace), an `addon` a further site in it and a `subdomain` a Plesk subdomain; on HestiaCP \
     every web domain is `main`; on PanelAlpha the hosting account's main domain is `main`, its \
     other domains `addon` or `subdomain` (aliases/parked domains are not listed).";

const ID_TEXT: &str = "The panel's id: `CLIENT_ID/DOMAIN_ID` on Plesk REST and Plesk XML \
     (e.g. `2/1`), the domain name on HestiaCP, `userId/accountId/name` on PanelAlpha.";
const NAME_TEXT: &str = "The domain name, lowercase ASCII (internationalised names in punycode).";
const OWNER_TEXT: &str = "The `id` of the owning user (`panel_user`).";
const KIND_TEXT: &str = "`main`, `addon` or `subdomain`.";
const PARENT_TEXT: &str = "For `addon` domains and subdomains: the name of the main domain / \
     parent domain. Null for `main` domains.";
const DOCUMENT_ROOT_TEXT: &str =
    "The document root as the panel reports it, or null where the panel \
     does not report one.";
const PHP_VERSION_TEXT: &str = "The PHP version where the panel reports one (PanelAlpha); null \
     elsewhere (HestiaCP reports a php-fpm template, not a version).";
const IP_ADDRESS_TEXT: &str = "The IP address the domain is served on (Plesk, HestiaCP); null on \
     PanelAlpha.";

fn domain_object_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("owner", Type::String),
        ("kind", Type::String),
        ("parent", Type::String),
        ("document_root", Type::String),
        ("php_version", Type::String),
        ("ip_address", Type::String),
    ])
}

fn domain_value(domain: &Domain) -> Value {
    Value::Object(
        [
            ("id", Value::string(domain.id.clone())),
            ("name", Value::string(domain.name.clone())),
            ("owner", Value::string(domain.owner.clone())),
            ("kind", Value::string(domain.kind.as_str())),
            ("parent", optional_string(domain.parent.as_deref())),
            (
                "document_root",
                optional_string(domain.document_root.as_deref()),
            ),
            (
                "php_version",
                optional_string(domain.php_version.as_deref()),
            ),
            ("ip_address", optional_string(domain.ip_address.as_deref())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect(),
    )
}

/// `data "panel_domain"`.
pub struct DomainDataSource;

pub fn schema() -> Schema {
    Schema::new(0)
        .markdown(format!(
            "Looks up one existing domain by `name` and exposes its attributes. {PANEL_MAPPING} \
             The name is compared in its normalised form (lowercase, internationalised names \
             in punycode), so `Example.COM` finds `example.com`. Reading fails with an error \
             naming the domain when the panel has no such domain."
        ))
        .attribute(Attribute::string("id").computed().markdown(ID_TEXT))
        .attribute(Attribute::string("name").required().markdown(
            "The domain name to look up. Kept as written; the panel's spelling is compared \
             after normalising both (lowercase, punycode).",
        ))
        .attribute(Attribute::string("owner").computed().markdown(OWNER_TEXT))
        .attribute(Attribute::string("kind").computed().markdown(KIND_TEXT))
        .attribute(Attribute::string("parent").computed().markdown(PARENT_TEXT))
        .attribute(
            Attribute::string("document_root")
                .computed()
                .markdown(DOCUMENT_ROOT_TEXT),
        )
        .attribute(
            Attribute::string("php_version")
                .computed()
                .markdown(PHP_VERSION_TEXT),
        )
        .attribute(
            Attribute::string("ip_address")
                .computed()
                .markdown(IP_ADDRESS_TEXT),
        )
}

#[async_trait::async_trait]
impl DataSource for DomainDataSource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn read(&self, ctx: &Context, config: &Value) -> StateResult {
        let data = match provider_data(ctx) {
            Ok(data) => data,
            Err(diagnostics) => return (None, diagnostics),
        };
        let Some(name) = config_string(config, "name") else {
            let mut diagnostics = Diagnostics::new();
            diagnostics.error(
                "Missing Lookup",
                format!("data.{TYPE_NAME} needs a known `name` to read."),
            );
            return (None, diagnostics);
        };
        let lookup = [("name", name.as_str())];
        match data.panel.find_domain(&normalise_domain(&name)).await {
            Ok(Some(domain)) => {
                let mut state = config.clone();
                for (attribute, value) in domain_value(&domain).as_object().into_iter().flatten() {
                    // `name` keeps the configured spelling: Terraform requires a data
                    // source to return its configured arguments unchanged.
                    if attribute != "name" {
                        state.set_attr(attribute, value.clone());
                    }
                }
                (Some(state), Diagnostics::new())
            }
            Ok(None) => (None, not_found(TYPE_NAME, "domain", "name", &lookup)),
            Err(err) => {
                let what = format!("looking up the domain with {}", describe_lookup(&lookup));
                (None, panel_error(TYPE_NAME, &what, Some("name"), &err))
            }
        }
    }
}

/// `data "panel_domains"`.
pub struct DomainsDataSource;

pub fn list_schema() -> Schema {
    Schema::new(0)
        .markdown(format!(
            "Lists the panel's domains, optionally only those of one `owner` and/or of one \
             `kind`. {PANEL_MAPPING} The `owner` filter is passed to the panel, which then \
             lists only that user's domains (Plesk: the customer's subscriptions and sites; \
             HestiaCP: `v-list-web-domains` of that user; PanelAlpha: that user's hosting \
             accounts); `kind` is applied by the provider. Domains are sorted by name."
        ))
        .attribute(
            Attribute::string("owner")
                .optional()
                .validator(validate::string_length_at_least(1))
                .markdown(
                    "Only domains of this user: a `panel_user` `id` (HestiaCP: the login; \
                     Plesk and PanelAlpha: the numeric id).",
                ),
        )
        .attribute(
            Attribute::string("kind")
                .optional()
                .validator(validate::one_of(&KINDS))
                .markdown("Only domains of this kind: `main`, `addon` or `subdomain`."),
        )
        .attribute(
            Attribute::list_of("domains", domain_object_type())
                .computed()
                .markdown(format!(
                    "The matching domains, each an object with the attributes of the \
                     `panel_domain` data source: `id` ({ID_TEXT}), `name` ({NAME_TEXT}), `owner` ({OWNER_TEXT}), \
                     `kind`, `parent`, `document_root`, `php_version` and `ip_address`."
                )),
        )
        .attribute(
            Attribute::list_of_string("ids")
                .computed()
                .markdown("The `id` of each matching domain, in the same order as `domains`."),
        )
}

#[async_trait::async_trait]
impl DataSource for DomainsDataSource {
    fn type_name(&self) -> &'static str {
        LIST_TYPE_NAME
    }

    fn schema(&self) -> Schema {
        list_schema()
    }

    async fn read(&self, ctx: &Context, config: &Value) -> StateResult {
        let data = match provider_data(ctx) {
            Ok(data) => data,
            Err(diagnostics) => return (None, diagnostics),
        };
        let filter = ListFilter {
            owner: config_string(config, "owner"),
        };
        let kind = config_string(config, "kind");
        let mut domains = match data.panel.list_domains(&filter).await {
            Ok(domains) => domains,
            Err(err) => {
                let what = match &filter.owner {
                    Some(owner) => format!("listing the domains of owner {owner:?}"),
                    None => "listing domains".to_owned(),
                };
                return (
                    None,
                    panel_error(LIST_TYPE_NAME, &what, Some("owner"), &err),
                );
            }
        };
        // The owner filter is the panel's job, but a backend that cannot filter may
        // answer with everything; filtering again keeps the result what was asked for.
        domains.retain(|domain| {
            filter
                .owner
                .as_deref()
                .is_none_or(|owner| domain.owner == owner)
                && kind
                    .as_deref()
                    .is_none_or(|kind| domain.kind.as_str() == kind)
        });
        domains.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
        let mut state = config.clone();
        state.set_attr(
            "ids",
            Value::List(
                domains
                    .iter()
                    .map(|d| Value::string(d.id.clone()))
                    .collect(),
            ),
        );
        state.set_attr(
            "domains",
            Value::List(domains.iter().map(domain_value).collect()),
        );
        (Some(state), Diagnostics::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::DomainKind;

    #[test]
    fn schemas_are_valid_and_the_domain_object_matches_panel_domain() {
        assert_eq!(schema().check(), Ok(()));
        assert_eq!(list_schema().check(), Ok(()));
        assert_eq!(schema().object_type(), domain_object_type());
        let domain = Domain {
            id: "1".into(),
            name: "example.com".into(),
            owner: "7".into(),
            kind: DomainKind::Addon,
            parent: Some("main.example".into()),
            document_root: None,
            php_version: None,
            ip_address: Some("192.0.2.1".into()),
        };
        let value = domain_value(&domain);
        assert!(value.conforms_to(&domain_object_type()));
        assert_eq!(value.get_attr("kind"), Some(&Value::string("addon")));
        assert_eq!(value.get_attr("document_root"), Some(&Value::Null));
    }
}
