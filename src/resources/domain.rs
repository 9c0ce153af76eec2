//! `panel_domain`: a website's domain (Plesk subscription, addon domain or subdomain;
//! HestiaCP web domain; a domain of a PanelAlpha hosting account).

use crate::framework::diag::{Diagnostics, Severity};
use crate::framework::plan::PlanContext;
use crate::framework::resource::{Context, Resource, StateResult};
use crate::framework::schema::{Attribute, Schema};
use crate::framework::validate;
use crate::panel::{
    Domain, DomainKind, DomainPatch, DomainSpec, PanelErrorKind, PanelKind, PartialObject, Secret,
};
use crate::provider::ProviderData;
use crate::tfvalue::{AttributePath, Value};

use super::common::{
    self, attr, is_null, object, optional_string, owned_attr, provider_if_ready, string_attr,
    Failure,
};

pub const TYPE_NAME: &str = "panel_domain";

pub struct DomainResource;

const KINDS: [&str; 3] = ["main", "addon", "subdomain"];

fn domain_name_validator() -> validate::Validator {
    validate::custom("domain name", |value| {
        let name = value.as_str()?;
        common::normalize_domain(name)
            .err()
            .map(|problem| format!("must be a domain name; {name:?} {problem}"))
    })
}

/// Replace only when the name means another domain, not when only its spelling
/// (case, Unicode vs punycode) changed.
fn other_domain(prior: &Value, planned: &Value) -> bool {
    match (prior.as_str(), planned.as_str()) {
        (Some(prior), Some(planned)) => !common::same_domain(prior, planned),
        _ => true,
    }
}

pub fn schema() -> Schema {
    Schema::new(0)
        .markdown(
            "A domain with web hosting:\n\n\
             * **Plesk** (REST and XML API): `kind = \"main\"` is a *subscription* (webspace) \
             owned by the customer, with its system (FTP) user, whose password is \
             `system_password_wo`; `addon` is a further *site* in the subscription named by \
             `parent`; `subdomain` is a subdomain of `parent`.\n\
             * **HestiaCP**: a *web domain* of the user (no DNS zone or mail domain is \
             created). Every HestiaCP web domain is `main`, subdomains included; the IP \
             address is chosen at creation only, and document root and PHP version cannot be \
             set.\n\
             * **PanelAlpha**: a domain of the user's *hosting account* (the account the \
             user's `plan` provisioned). The account's main domain comes with the plan and \
             cannot be created here: import it. `addon` and `subdomain` domains are created \
             in the account holding `parent`.\n\n\
             Names are compared in lowercase ASCII (punycode) form; state keeps the spelling \
             you configured when it means the same domain.\n\n\
             ## Import\n\n\
             Import by domain name; PanelAlpha also accepts `USER_ID/ACCOUNT_ID/DOMAIN` (the \
             way to adopt an account's main domain):\n\n\
             ```shell\n\
             terraform import panel_domain.site example.com\n\
             terraform import panel_domain.main 12/34/example.com  # PanelAlpha\n\
             ```",
        )
        .attribute(
            Attribute::string("id")
                .computed()
                .use_state_for_unknown()
                .markdown(
                    "The panel's id for the domain: `CLIENT_ID/DOMAIN_ID` on Plesk REST and \
                     Plesk XML (e.g. `2/1`: customer 2's subscription or site 1), the \
                     domain name on HestiaCP, `USER_ID/ACCOUNT_ID/DOMAIN` on PanelAlpha.",
                ),
        )
        .attribute(
            Attribute::string("name")
                .required()
                .requires_replace_if("the name means another domain", other_domain)
                .validator(domain_name_validator())
                .markdown(
                    "The domain name, e.g. `example.com` (internationalised names are \
                     accepted). Changing it to another domain replaces the domain. HestiaCP \
                     stores `www.example.com` as `example.com`, so write it without `www.`.",
                ),
        )
        .attribute(
            Attribute::string("owner")
                .required()
                .requires_replace()
                .markdown(
                "The `id` of the `panel_user` owning the domain. Changing it replaces the domain.",
            ),
        )
        .attribute(
            Attribute::string("kind")
                .optional()
                .computed()
                .default(Value::string("main"))
                .requires_replace()
                .validator(validate::one_of(&KINDS))
                .markdown(
                    "`main` (default: a Plesk subscription, a HestiaCP web domain, a \
                     PanelAlpha account's main domain), `addon` (Plesk, PanelAlpha) or \
                     `subdomain` (Plesk, PanelAlpha). Changing it replaces the domain.",
                ),
        )
        .attribute(
            Attribute::string("parent")
                .optional()
                .requires_replace_if("the parent means another domain", other_domain)
                .validator(domain_name_validator())
                .markdown(
                    "For `addon` and `subdomain` (required there): the domain it belongs to. \
                     An addon domain joins the subscription / hosting account holding \
                     `parent`; a subdomain's name must end with `.PARENT`. Changing it \
                     replaces the domain.",
                ),
        )
        .attribute(
            Attribute::string("document_root")
                .optional()
                .computed()
                .use_state_for_unknown()
                .markdown(
                    "The web root, as the panel reports it. Settable on Plesk XML and \
                     PanelAlpha (changed in place); read-only on Plesk REST and HestiaCP. \
                     When unset, the panel's value is kept and not managed.",
                ),
        )
        .attribute(
            Attribute::string("php_version")
                .optional()
                .computed()
                .use_state_for_unknown()
                .markdown(
                    "PHP version, e.g. `8.2`. Settable on PanelAlpha only (changed in place). \
                     When unset, the panel's value is kept and not managed.",
                ),
        )
        .attribute(
            Attribute::string("ip_address")
                .optional()
                .computed()
                .use_state_for_unknown()
                .markdown(
                    "IP address the site is served on. Plesk: main domains (subscriptions) \
                     only, changed in place; the panel picks a shared address when unset. \
                     HestiaCP: chosen at creation, changing it replaces the domain. Not \
                     available on PanelAlpha. The Plesk REST API never reports it, so state \
                     keeps the value last set.",
                ),
        )
        .attribute(
            Attribute::string("system_password_wo")
                .optional()
                .sensitive()
                .write_only()
                .markdown(
                    "Plesk only, required for `main` domains: the password of the \
                     subscription's system (FTP) user, whose login the provider derives from \
                     the domain name. Write-only: sent on create, never stored in state \
                     (Terraform 1.11 or later).",
                ),
        )
        .attribute(
            Attribute::int("system_password_wo_version")
                .optional()
                .markdown(
                    "Records which `system_password_wo` was sent. The system user's password \
                     cannot be changed through this provider after creation yet, so changing \
                     this on an existing domain is refused at plan time.",
                ),
        )
}

fn attribute_of(field: &str) -> Option<&'static str> {
    match field {
        "name" => Some("name"),
        "owner" => Some("owner"),
        "kind" => Some("kind"),
        "parent" => Some("parent"),
        "document_root" => Some("document_root"),
        "php_version" => Some("php_version"),
        "ip_address" => Some("ip_address"),
        "system_password" => Some("system_password_wo"),
        _ => None,
    }
}

fn failure(action: &'static str, name: &str) -> Failure<'static> {
    Failure {
        type_name: TYPE_NAME,
        action,
        object: format!("domain {name:?}"),
        field_to_attribute: attribute_of,
    }
}

fn kind_from(text: Option<&str>) -> DomainKind {
    match text {
        Some("addon") => DomainKind::Addon,
        Some("subdomain") => DomainKind::Subdomain,
        _ => DomainKind::Main,
    }
}

/// The domain as state. `prior` (prior state or plan) supplies the configured spelling
/// of names, what the panel cannot report (`ip_address` on Plesk REST) and the
/// password version.
pub fn domain_state(domain: &Domain, prior: Option<&Value>) -> Value {
    let prior_text = |name: &str| prior.and_then(|p| string_attr(p, name));
    let reported_or_prior = |reported: &Option<String>, name: &str| -> Value {
        optional_string(reported.as_deref().or_else(|| prior_text(name)))
    };
    // The parent cannot change in place and the id pins the object, so a configured
    // parent is kept: panels report the subscription / account main domain as an
    // addon's parent, which names the same container as any of its sites.
    let parent = match (prior_text("parent"), domain.parent.as_deref()) {
        (Some(configured), Some(_)) => Some(configured.to_owned()),
        (_, reported) => reported.map(str::to_owned),
    };
    object(vec![
        ("id", Value::string(domain.id.clone())),
        (
            "name",
            Value::string(common::keep_spelling(prior_text("name"), &domain.name)),
        ),
        ("owner", Value::string(domain.owner.clone())),
        ("kind", Value::string(domain.kind.as_str())),
        ("parent", optional_string(parent.as_deref())),
        (
            "document_root",
            reported_or_prior(&domain.document_root, "document_root"),
        ),
        (
            "php_version",
            reported_or_prior(&domain.php_version, "php_version"),
        ),
        (
            "ip_address",
            reported_or_prior(&domain.ip_address, "ip_address"),
        ),
        ("system_password_wo", Value::Null),
        (
            "system_password_wo_version",
            prior.map_or(Value::Null, |p| attr(p, "system_password_wo_version")),
        ),
    ])
}

fn is_plesk(kind: PanelKind) -> bool {
    matches!(kind, PanelKind::PleskRest | PanelKind::PleskXml)
}

/// A configured value that would change the panel: set, and new or different from
/// the prior state.
fn configured_change<'a>(plan: &'a PlanContext, name: &str) -> Option<&'a str> {
    let configured = plan.config_attr(name)?.as_str()?;
    (plan.prior_attr(name).and_then(Value::as_str) != Some(configured)).then_some(configured)
}

#[async_trait::async_trait]
impl Resource for DomainResource {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> Schema {
        schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value, diagnostics: &mut Diagnostics) {
        let kind = config.get_attr("kind").cloned().unwrap_or(Value::Null);
        if kind.is_unknown() {
            return;
        }
        let kind = kind_from(kind.as_str());
        let parent = config.get_attr("parent").cloned().unwrap_or(Value::Null);
        let parent_path = AttributePath::root("parent");
        match kind {
            DomainKind::Main if !parent.is_null() && parent.is_known() => diagnostics.error_at(
                parent_path,
                "Parent Not Allowed",
                "A `main` domain has no `parent`; set `kind` to `addon` or `subdomain`, or \
                 remove `parent`.",
            ),
            DomainKind::Addon | DomainKind::Subdomain if parent.is_null() => diagnostics.error_at(
                parent_path,
                "Missing Parent",
                format!(
                    "A `{}` domain needs `parent`: the domain it belongs to.",
                    kind.as_str()
                ),
            ),
            DomainKind::Subdomain => {
                let names = (
                    string_attr(config, "name").map(common::normalize_domain),
                    parent.as_str().map(common::normalize_domain),
                );
                if let (Some(Ok(name)), Some(Ok(parent))) = names {
                    if !name.ends_with(&format!(".{parent}")) {
                        diagnostics.error_at(
                            AttributePath::root("name"),
                            "Subdomain Outside Its Parent",
                            format!("A subdomain of {parent:?} must end with \".{parent}\"; got {name:?}."),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    async fn modify_plan(&self, ctx: &Context, plan: &mut PlanContext) {
        let version_changed = !plan.is_create()
            && plan.prior_attr("system_password_wo_version")
                != plan.planned_attr("system_password_wo_version");
        if version_changed {
            plan.diagnostics.error_at(
                AttributePath::root("system_password_wo_version"),
                "System Password Cannot Be Changed",
                "The provider cannot change a subscription's system (FTP) user password \
                 after creation yet. Change it in the panel, and set \
                 `system_password_wo_version` back to its previous value.",
            );
        }
        let Some(provider) = provider_if_ready(ctx) else {
            return;
        };
        let capabilities = provider.capabilities;
        let panel = provider.kind.as_str();
        let kind_value = plan.planned_attr("kind").cloned().unwrap_or(Value::Null);
        let kind = kind_from(kind_value.as_str());
        let kind_known = kind_value.is_known();
        let kind_path = AttributePath::root("kind");
        if kind_known && plan.is_create() {
            let supported = match kind {
                DomainKind::Main => provider.kind != PanelKind::PanelAlpha,
                DomainKind::Addon => capabilities.domain_addon,
                DomainKind::Subdomain => capabilities.domain_subdomain,
            };
            if !supported {
                let detail = match (provider.kind, kind) {
                    (PanelKind::PanelAlpha, DomainKind::Main) => {
                        "A PanelAlpha hosting account's main domain is created with the user's \
                         `plan`. Import it (`terraform import panel_domain.NAME \
                         USER_ID/ACCOUNT_ID/DOMAIN`) instead of creating it."
                            .to_owned()
                    }
                    (PanelKind::Hestia, _) => format!(
                        "HestiaCP has no {} domains: every web domain, subdomains included, \
                         is `main`. Remove `kind` and `parent`.",
                        kind.as_str()
                    ),
                    _ => format!(
                        "The `{panel}` panel cannot create {} domains.",
                        kind.as_str()
                    ),
                };
                plan.diagnostics
                    .error_at(kind_path, "Domain Kind Not Supported", detail);
            }
        }
        let settings = [
            (
                "document_root",
                capabilities.domain_document_root,
                "a document root",
            ),
            (
                "php_version",
                capabilities.domain_php_version,
                "a PHP version",
            ),
            (
                "ip_address",
                capabilities.domain_ip_address,
                "an IP address",
            ),
        ];
        for (name, supported, what) in settings {
            if configured_change(plan, name).is_some() && !supported {
                plan.diagnostics.error_at(
                    AttributePath::root(name),
                    "Setting Not Supported",
                    format!("The `{panel}` panel cannot set {what} for a domain. Remove `{name}`."),
                );
            }
        }
        if configured_change(plan, "ip_address").is_some() && capabilities.domain_ip_address {
            if kind_known && kind != DomainKind::Main {
                plan.diagnostics.error_at(
                    AttributePath::root("ip_address"),
                    "Setting Not Supported",
                    "Only a `main` domain takes an IP address; addon domains and subdomains use \
                     their subscription's.",
                );
            } else if provider.kind == PanelKind::Hestia {
                // HestiaCP sets the IP with `v-add-web-domain` only.
                plan.require_replace(AttributePath::root("ip_address"));
            }
        }
        let password_path = AttributePath::root("system_password_wo");
        let password_null = is_null(&plan.config, "system_password_wo");
        if is_plesk(provider.kind) {
            if plan.is_create() && kind_known && kind == DomainKind::Main && password_null {
                plan.diagnostics.error_at(
                    password_path,
                    "Missing System Password",
                    "A Plesk subscription (`main` domain) needs `system_password_wo`, the \
                     password of its system (FTP) user.",
                );
            }
        } else if !password_null {
            plan.diagnostics.error_at(
                password_path,
                "Setting Not Supported",
                format!(
                    "`system_password_wo` is for Plesk subscriptions; the `{panel}` panel has \
                     no such user. Remove it."
                ),
            );
        }
    }

    async fn create(&self, ctx: &Context, planned: &Value, config: &Value) -> StateResult {
        let provider = match ProviderData::from_context(ctx) {
            Ok(provider) => provider,
            Err(diagnostics) => return (None, diagnostics),
        };
        let configured_name = owned_attr(planned, "name").unwrap_or_default();
        let name = match common::normalize_domain(&configured_name) {
            Ok(name) => name,
            Err(problem) => {
                let mut diagnostics = Diagnostics::new();
                diagnostics.error_at(
                    AttributePath::root("name"),
                    "Invalid Domain Name",
                    format!("{configured_name:?} {problem}."),
                );
                return (None, diagnostics);
            }
        };
        let spec = DomainSpec {
            name: name.clone(),
            owner: owned_attr(planned, "owner").unwrap_or_default(),
            kind: kind_from(string_attr(planned, "kind")),
            parent: string_attr(planned, "parent")
                .map(|p| common::normalize_domain(p).unwrap_or_else(|_| p.to_owned())),
            document_root: owned_attr(planned, "document_root"),
            php_version: owned_attr(planned, "php_version"),
            ip_address: owned_attr(planned, "ip_address"),
            system_password: string_attr(config, "system_password_wo").map(Secret::new),
        };
        match provider.panel.create_domain(&spec).await {
            Ok(domain) => (
                Some(domain_state(&domain, Some(planned))),
                Diagnostics::new(),
            ),
            Err(error) if error.kind == PanelErrorKind::AlreadyExists => (
                None,
                common::already_exists(TYPE_NAME, &format!("domain {name:?}"), &name, &error),
            ),
            Err(error) => {
                let diagnostics = failure("create", &name).diagnostics(&error);
                let partial = match error.partial.as_deref() {
                    Some(PartialObject::Domain(domain)) => {
                        Some(domain_state(domain, Some(planned)))
                    }
                    _ => None,
                };
                (partial, diagnostics)
            }
        }
    }

    async fn read(&self, ctx: &Context, state: &Value) -> StateResult {
        let provider = match ProviderData::from_context(ctx) {
            Ok(provider) => provider,
            Err(diagnostics) => return (None, diagnostics),
        };
        let id = string_attr(state, "id").unwrap_or_default();
        match provider.panel.get_domain(id).await {
            Ok(Some(domain)) => (Some(domain_state(&domain, Some(state))), Diagnostics::new()),
            Ok(None) => (None, Diagnostics::new()),
            Err(error) if error.is_not_found() => (None, Diagnostics::new()),
            Err(error) => (None, failure("read", id).diagnostics(&error)),
        }
    }

    async fn update(
        &self,
        ctx: &Context,
        prior: &Value,
        planned: &Value,
        _config: &Value,
    ) -> StateResult {
        let provider = match ProviderData::from_context(ctx) {
            Ok(provider) => provider,
            Err(diagnostics) => return (None, diagnostics),
        };
        let changed = |name: &str| {
            let value = owned_attr(planned, name);
            (value.is_some() && prior.get_attr(name) != planned.get_attr(name))
                .then_some(value)
                .flatten()
        };
        let patch = DomainPatch {
            document_root: changed("document_root"),
            php_version: changed("php_version"),
            ip_address: changed("ip_address"),
        };
        let id = string_attr(prior, "id").unwrap_or_default();
        // Called even with an empty patch: the new state must come from the panel.
        match provider.panel.update_domain(id, &patch).await {
            // A value the panel cannot report (Plesk REST IPs) is the one just sent.
            Ok(domain) => (
                Some(domain_state(&domain, Some(planned))),
                Diagnostics::new(),
            ),
            Err(error) => (None, failure("update", id).diagnostics(&error)),
        }
    }

    async fn delete(&self, ctx: &Context, prior: &Value) -> Diagnostics {
        let provider = match ProviderData::from_context(ctx) {
            Ok(provider) => provider,
            Err(diagnostics) => return diagnostics,
        };
        let id = string_attr(prior, "id").unwrap_or_default();
        match provider.panel.delete_domain(id).await {
            Ok(()) => Diagnostics::new(),
            Err(error) if error.is_not_found() => Diagnostics::new(),
            // A PanelAlpha account's main domain lives as long as the user's service; it
            // can only be forgotten, which is what destroying it here means.
            Err(error)
                if error.kind == PanelErrorKind::Unsupported
                    && provider.kind == PanelKind::PanelAlpha
                    && string_attr(prior, "kind") == Some("main") =>
            {
                let mut diagnostics = Diagnostics::new();
                diagnostics.push(
                    Severity::Warning,
                    "Main Domain Left On The Panel",
                    format!(
                        "`{TYPE_NAME}` {:?} is the main domain of a PanelAlpha hosting account, \
                         which goes away only with the user's plan. It was removed from \
                         Terraform state and still exists on the panel.",
                        string_attr(prior, "name").unwrap_or(id)
                    ),
                    None,
                );
                diagnostics
            }
            Err(error) => failure("delete", id).diagnostics(&error),
        }
    }

    async fn import(&self, ctx: &Context, id: &str) -> (Vec<Value>, Diagnostics) {
        let provider = match ProviderData::from_context(ctx) {
            Ok(provider) => provider,
            Err(diagnostics) => return (Vec::new(), diagnostics),
        };
        let key = id.trim();
        let by_name = !key.contains('/') && !key.bytes().all(|b| b.is_ascii_digit());
        let found = if by_name {
            match common::normalize_domain(key) {
                Ok(name) => provider.panel.find_domain(&name).await,
                Err(problem) => {
                    let mut diagnostics = Diagnostics::new();
                    diagnostics.error(
                        "Invalid Import Id",
                        format!("Import a `{TYPE_NAME}` by its domain name; {key:?} {problem}."),
                    );
                    return (Vec::new(), diagnostics);
                }
            }
        } else {
            provider.panel.get_domain(key).await
        };
        match found {
            Ok(Some(domain)) => (vec![domain_state(&domain, None)], Diagnostics::new()),
            Ok(None) => {
                let mut diagnostics = Diagnostics::new();
                diagnostics.error(
                    "Cannot Import Non-Existent Remote Object",
                    format!(
                        "No domain {key:?} exists on the `{}` panel. Import a `{TYPE_NAME}` by \
                         its domain name.",
                        provider.kind.as_str()
                    ),
                );
                (Vec::new(), diagnostics)
            }
            Err(error) => (Vec::new(), failure("import", key).diagnostics(&error)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain() -> Domain {
        Domain {
            id: "3/9".into(),
            name: "xn--bcher-kva.de".into(),
            owner: "3".into(),
            kind: DomainKind::Addon,
            parent: Some("main.example".into()),
            document_root: Some("/var/www/b".into()),
            php_version: None,
            ip_address: None,
        }
    }

    #[test]
    fn schema_is_valid() {
        assert_eq!(schema().check(), Ok(()));
    }

    #[test]
    fn state_keeps_configured_spelling_parent_and_unreported_values() {
        let prior = object(vec![
            ("name", Value::string("Bücher.de")),
            ("parent", Value::string("site.main.example")),
            ("ip_address", Value::string("192.0.2.7")),
            ("system_password_wo_version", Value::int(1)),
        ]);
        let state = domain_state(&domain(), Some(&prior));
        assert_eq!(string_attr(&state, "name"), Some("Bücher.de"));
        assert_eq!(string_attr(&state, "parent"), Some("site.main.example"));
        assert_eq!(string_attr(&state, "ip_address"), Some("192.0.2.7"));
        assert_eq!(string_attr(&state, "kind"), Some("addon"));
        let imported = domain_state(&domain(), None);
        assert_eq!(string_attr(&imported, "name"), Some("xn--bcher-kva.de"));
        assert_eq!(string_attr(&imported, "parent"), Some("main.example"));
        assert_eq!(imported.get_attr("ip_address"), Some(&Value::Null));
    }

    #[test]
    fn only_another_domain_forces_replacement() {
        assert!(!other_domain(
            &Value::string("example.com"),
            &Value::string("EXAMPLE.com")
        ));
        assert!(other_domain(
            &Value::string("example.com"),
            &Value::string("example.org")
        ));
    }
}
