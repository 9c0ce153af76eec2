//! `panel_domain`: a website's domain (Plesk subscription, addon domain or subdomain;
//! HestiaCP web domain; a domain of a PanelAlpha hosting account), with the
//! `panel_domain` / `panel_domains` data sources.

use std::cmp::Ordering;

use crate::attr;
use crate::framework::diag::Diagnostics;
use crate::framework::model::Field;
use crate::framework::validate;
use crate::panel::names::{self, DomainName};
use crate::panel::paths;
use crate::panel::{
    Domain, DomainKey, DomainKind, DomainPatch, DomainSpec, ListFilter, Locator, MainDomainOrigin,
    PanelHandle, Secret,
};
use crate::tfvalue::{AttributePath, Value};

use super::engine::{ObjectType, TypedPlan};

const KINDS: [&str; 3] = ["main", "addon", "subdomain"];

fn domain_name_validator() -> validate::Validator {
    validate::custom("domain name", |value| {
        let name = value.as_str()?;
        DomainName::parse(name)
            .err()
            .map(|problem| format!("must be a domain name; {name:?} {problem}"))
    })
}

/// Replace only when the name means another domain, not when only its spelling
/// (case, Unicode vs punycode) changed.
fn other_domain(prior: &Value, planned: &Value) -> bool {
    match (prior.as_str(), planned.as_str()) {
        (Some(prior), Some(planned)) => !names::same_domain(prior, planned),
        _ => true,
    }
}

crate::model! {
    /// The attributes of `panel_domain`.
    pub struct DomainModel {
        id: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The panel's id for the domain: `CLIENT_ID/DOMAIN_ID` on Plesk (REST and XML \
                 API, e.g. `2/1`), the domain name on HestiaCP, `USER_ID/ACCOUNT_ID/DOMAIN` \
                 on PanelAlpha.",
            ),
        name: String
            .required()
            .requires_replace_if("the name means another domain", other_domain)
            .validator(domain_name_validator())
            .markdown(
                "The domain name, e.g. `example.com` (internationalised names are accepted). \
                 Changing it to another domain replaces the domain. HestiaCP stores \
                 `www.example.com` as `example.com`, so write it without `www.`.",
            ),
        owner: String
            .required()
            .requires_replace()
            .markdown(
                "The `id` of the `panel_user` owning the domain. Changing it replaces the \
                 domain.",
            ),
        kind: String
            .optional()
            .computed()
            .default(Value::string("main"))
            .requires_replace()
            .validator(validate::one_of(&KINDS))
            .markdown(
                "`main` (default: a Plesk subscription, a HestiaCP web domain, a PanelAlpha \
                 account's main domain), `addon` (Plesk, PanelAlpha) or `subdomain` (Plesk, \
                 PanelAlpha). Changing it replaces the domain.",
            ),
        parent: String
            .optional()
            .computed()
            .use_state_for_unknown()
            .requires_replace_if("the parent means another domain", other_domain)
            .validator(domain_name_validator())
            .markdown(
                "For `addon` and `subdomain`: the domain it belongs to. An addon domain joins \
                 the subscription / hosting account holding `parent`; a subdomain's name must \
                 end with `.PARENT`. Required for subdomains, and for addon domains on Plesk; \
                 on PanelAlpha an addon domain may leave it out and joins the owner's hosting \
                 account (its only one; name `parent` when the owner has several), and state \
                 shows the domain the panel reports as its parent (left out of the \
                 configuration, it is not managed). Changing it to another domain replaces \
                 the domain; a value not known until apply time (e.g. from a data source read \
                 during the apply, as `panel_domains` is whenever its owner changes) never \
                 replaces it by itself: it shows as an in-place change that changes nothing \
                 on the panel. On PanelAlpha, leaving `parent` out keeps such plans empty.",
            ),
        document_root: String
            .optional()
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The web root, as the panel reports it. Settable on Plesk XML and PanelAlpha \
                 (changed in place); read-only on Plesk REST and HestiaCP. On Plesk XML it may \
                 be written as the absolute path Plesk reports \
                 (`/var/www/vhosts/example.com/public`) or relative to the subscription's home \
                 (`public`); both mean the same directory (state keeps the spelling you \
                 wrote, and a different directory on the panel shows as a change), and a path \
                 outside the home is \
                 refused naming this attribute: at plan time when no home can hold it (e.g. \
                 `/etc/site`), else when the apply reaches the panel, which alone knows a \
                 moved home. When unset, the panel's value is kept and not managed.",
            ),
        php_version: String
            .optional()
            .computed()
            .use_state_for_unknown()
            .markdown(
                "PHP version, e.g. `8.2`. Settable on PanelAlpha only (changed in place). When \
                 unset, the panel's value is kept and not managed.",
            ),
        ip_address: String
            .optional()
            .computed()
            .use_state_for_unknown()
            .markdown(
                "IP address the site is served on. Plesk: main domains (subscriptions) only, \
                 changed in place; the panel picks a shared address when unset. HestiaCP: \
                 chosen at creation, changing it replaces the domain. Not available on \
                 PanelAlpha. The Plesk REST API never reports it, so state keeps the value \
                 last set.",
            ),
        system_password_wo: String
            .optional()
            .sensitive()
            .write_only()
            .markdown(
                "Plesk only, required for `main` domains: the password of the subscription's \
                 system (FTP) user, whose login the provider derives from the domain name. \
                 Write-only: sent on create, never stored in state (Terraform 1.11 or later).",
            ),
        system_password_wo_version: i64
            .optional()
            .validator(validate::whole_number())
            .markdown(
                "Records which `system_password_wo` was sent; change it to send a new one. \
                 Both Plesk APIs set the system user's password in place (REST: the domain's \
                 `hosting_settings.ftp_password`; XML: the hosting setting `ftp_password`), so \
                 on an imported subscription a first version takes the password over. Where a \
                 panel's API cannot change it after creation, a first version on an imported \
                 subscription is recorded without changing the panel's password (with a \
                 warning), and later changes are refused at plan time.",
            ),
    }
}

crate::model! {
    /// The filters of `panel_domains`.
    pub struct DomainFilters {
        owner: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "Only domains of this user: a `panel_user` `id` (HestiaCP: the login; Plesk \
                 and PanelAlpha: the numeric id).",
            ),
        kind: String
            .optional()
            .validator(validate::one_of(&KINDS))
            .markdown("Only domains of this kind: `main`, `addon` or `subdomain`."),
    }
}

/// `panel_domain` on the engine.
pub struct DomainType;

const PANEL_MAPPING: &str = "On Plesk (REST and XML APIs) a `main` domain is a *subscription* \
     (webspace), an `addon` a further site in it and a `subdomain` a Plesk subdomain; on HestiaCP \
     every web domain is `main`; on PanelAlpha the hosting account's main domain is `main`, its \
     other domains `addon` or `subdomain` (aliases/parked domains are not listed).";

fn kind_of(model: &DomainModel) -> DomainKind {
    DomainKind::parse(model.kind.str())
}

/// A configured domain name in normal form (the validator has checked it).
fn normal(name: &str) -> String {
    DomainName::lenient(name).to_string()
}

impl DomainType {
    /// `system_password_wo_version`: sent with `system_password_wo` on create; changed
    /// later, the password is set in place where the panel can; where it cannot, a first
    /// version on an object that had none (an import) is recorded without a change (the
    /// panel keeps its password), and any other change is refused.
    fn plan_system_password(panel: &PanelHandle, plan: &mut TypedPlan<DomainModel>) {
        let version = attr!(DomainModel, system_password_wo_version);
        let capabilities = panel.capabilities;
        if plan.is_create() || !plan.changes(|m| &m.system_password_wo_version) {
            return;
        }
        let first_version = plan
            .prior_field(|m| &m.system_password_wo_version)
            .is_null();
        let name = panel.name();
        if !capabilities.domain_system_user {
            if plan.config.system_password_wo_version.is_known() {
                plan.error_at(
                    version,
                    "Setting Not Supported",
                    format!(
                        "`system_password_wo_version` is for Plesk subscriptions; the `{name}` \
                         panel has no such user. Remove it."
                    ),
                );
            }
        } else if capabilities.domain_system_password_update {
            if plan.config.system_password_wo.is_null() {
                plan.error_at(
                    attr!(DomainModel, system_password_wo),
                    "Missing System Password",
                    "`system_password_wo_version` changed, which sends `system_password_wo` to \
                     the panel, but `system_password_wo` is not set.",
                );
            }
        } else if first_version {
            plan.diagnostics.warning_at(
                crate::tfvalue::AttributePath::root(version),
                "System Password Version Recorded Only",
                format!(
                    "The `{name}` panel's API cannot change a subscription's system (FTP) user \
                     password, so this first `system_password_wo_version` is recorded without \
                     changing the password the panel has. Change the password in the panel if \
                     it must match `system_password_wo`."
                ),
            );
        } else {
            plan.error_at(
                version,
                "System Password Cannot Be Changed",
                format!(
                    "The `{name}` panel's API cannot change a subscription's system (FTP) user \
                     password after creation. Change it in the panel, and set \
                     `system_password_wo_version` back to its previous value."
                ),
            );
        }
    }
}

impl ObjectType for DomainType {
    type Model = DomainModel;
    type Object = Domain;
    type Filters = DomainFilters;

    const TYPE_NAME: &'static str = "panel_domain";
    const LIST_TYPE_NAME: &'static str = "panel_domains";
    const LIST_ATTRIBUTE: &'static str = "domains";

    fn references() -> &'static [(&'static str, &'static str, &'static str)] {
        &[
            ("owner", "panel_user", "id"),
            ("parent", "panel_domain", "name"),
        ]
    }

    fn adopt_key(state: &DomainModel) -> String {
        state.name.owned().unwrap_or_default()
    }

    fn adopt_skips(panel: &PanelHandle, attribute: &str) -> bool {
        let capabilities = panel.capabilities;
        (attribute == attr!(DomainModel, document_root) && !capabilities.domain_document_root)
            || (attribute == attr!(DomainModel, php_version) && !capabilities.domain_php_version)
            || (attribute == attr!(DomainModel, ip_address) && !capabilities.domain_ip_address)
    }

    fn description() -> String {
        "A domain with web hosting:\n\n\
         * **Plesk** (REST and XML API): `kind = \"main\"` is a *subscription* (webspace) \
         owned by the customer, with its system (FTP) user, whose password is \
         `system_password_wo`; `addon` is a further *site* in the subscription named by \
         `parent`; `subdomain` is a subdomain of `parent`.\n\
         * **HestiaCP**: a *web domain* of the user (no DNS zone or mail domain is created). \
         Every HestiaCP web domain is `main`, subdomains included; the IP address is chosen \
         at creation only, and document root and PHP version cannot be set.\n\
         * **PanelAlpha**: a domain of the user's *hosting account* (the account the user's \
         `plan` provisioned). The account's main domain comes with the plan and cannot be \
         created here: import it. `addon` and `subdomain` domains are created in the account \
         holding `parent`.\n\n\
         Names are compared in lowercase ASCII (punycode) form; state keeps the spelling you \
         configured when it means the same domain.\n\n\
         ## Import\n\n\
         Import by domain name; PanelAlpha also accepts `USER_ID/ACCOUNT_ID/DOMAIN` (the \
         way to adopt an account's main domain):\n\n\
         ```shell\n\
         terraform import panel_domain.site example.com\n\
         terraform import panel_domain.main 12/34/example.com  # PanelAlpha\n\
         ```"
        .to_owned()
    }

    fn lookup_description() -> String {
        format!(
            "Looks up one existing domain by `name` and exposes its attributes. \
             {PANEL_MAPPING} The name is compared in its normalised form (lowercase, \
             internationalised names in punycode), so `Example.COM` finds `example.com`. \
             Reading fails with an error naming the domain when the panel has no such domain."
        )
    }

    fn list_description() -> String {
        format!(
            "Lists the panel's domains, optionally only those of one `owner` and/or of one \
             `kind`. {PANEL_MAPPING} The `owner` filter is passed to the panel, which then \
             lists only that user's domains (Plesk: the customer's subscriptions and sites; \
             HestiaCP: `v-list-web-domains` of that user; PanelAlpha: that user's hosting \
             accounts); `kind` is applied by the provider. Domains are sorted by name."
        )
    }

    fn data_attribute_description(name: &str) -> Option<String> {
        let text = match name {
            "id" => {
                "The panel's id: `CLIENT_ID/DOMAIN_ID` on Plesk (REST and XML API, e.g. \
                 `2/1`), the domain name on HestiaCP, `USER_ID/ACCOUNT_ID/DOMAIN` on \
                 PanelAlpha."
            }
            "name" => {
                "The domain name to look up. Kept as written; the panel's spelling is compared \
                 after normalising both (lowercase, punycode)."
            }
            "owner" => "The `id` of the owning user (`panel_user`).",
            "kind" => "`main`, `addon` or `subdomain`.",
            "parent" => {
                "For `addon` domains and subdomains: the name of the main domain / parent \
                 domain. Null for `main` domains."
            }
            "document_root" => {
                "The document root as the panel reports it, or null where the panel does not \
                 report one."
            }
            "php_version" => {
                "The PHP version where the panel reports one (PanelAlpha); null elsewhere \
                 (HestiaCP reports a php-fpm template, not a version)."
            }
            "ip_address" => {
                "The IP address the domain is served on (Plesk, HestiaCP); null on PanelAlpha."
            }
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn label(model: &DomainModel) -> String {
        format!(
            "domain {:?}",
            model.name.str().or(model.id.str()).unwrap_or("?")
        )
    }

    fn attribute_of(field: &str) -> Option<&'static str> {
        match field {
            "system_password" => Some(attr!(DomainModel, system_password_wo)),
            "name" => Some(attr!(DomainModel, name)),
            "owner" => Some(attr!(DomainModel, owner)),
            "kind" => Some(attr!(DomainModel, kind)),
            "parent" => Some(attr!(DomainModel, parent)),
            "document_root" => Some(attr!(DomainModel, document_root)),
            "php_version" => Some(attr!(DomainModel, php_version)),
            "ip_address" => Some(attr!(DomainModel, ip_address)),
            _ => None,
        }
    }

    fn validate(config: &DomainModel, diagnostics: &mut Diagnostics) {
        if config.kind.is_unknown() {
            return;
        }
        let kind = kind_of(config);
        let parent_path = AttributePath::root(attr!(DomainModel, parent));
        match kind {
            DomainKind::Main if config.parent.is_known() => diagnostics.error_at(
                parent_path,
                "Parent Not Allowed",
                "A `main` domain has no `parent`; set `kind` to `addon` or `subdomain`, or \
                 remove `parent`.",
            ),
            DomainKind::Subdomain if config.parent.is_null() => diagnostics.error_at(
                parent_path,
                "Missing Parent",
                "A `subdomain` needs `parent`: the domain it is a subdomain of.",
            ),
            DomainKind::Subdomain => {
                let names = (
                    config.name.str().map(DomainName::parse),
                    config.parent.str().map(DomainName::parse),
                );
                if let (Some(Ok(name)), Some(Ok(parent))) = names {
                    if name == parent || !name.is_within(&parent) {
                        diagnostics.error_at(
                            AttributePath::root(attr!(DomainModel, name)),
                            "Subdomain Outside Its Parent",
                            format!(
                                "A subdomain of \"{parent}\" must end with \".{parent}\"; got \
                                 \"{name}\"."
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    fn plan(panel: Option<&PanelHandle>, plan: &mut TypedPlan<DomainModel>) {
        let Some(panel) = panel else {
            return;
        };
        let capabilities = panel.capabilities;
        let name = panel.name();
        let kind = kind_of(&plan.planned);
        let kind_known = plan.planned.kind.is_known();
        Self::plan_system_password(panel, plan);
        // A main domain has no parent: say so now rather than "known after apply".
        if kind_known && kind == DomainKind::Main && plan.config.parent.is_null() {
            plan.planned.parent = Field::Null;
        }
        if kind_known
            && kind == DomainKind::Addon
            && plan.is_create()
            && plan.config.parent.is_null()
            && !capabilities.domain_parent_from_owner
        {
            plan.error_at(
                attr!(DomainModel, parent),
                "Missing Parent",
                format!(
                    "On the `{name}` panel an `addon` domain needs `parent`: the domain of the \
                     subscription it joins."
                ),
            );
        }
        if kind_known && plan.is_create() {
            let supported = match kind {
                DomainKind::Main => capabilities.domain_main == MainDomainOrigin::Created,
                DomainKind::Addon => capabilities.domain_addon,
                DomainKind::Subdomain => capabilities.domain_subdomain,
            };
            if !supported {
                let detail = if kind == DomainKind::Main {
                    format!(
                        "On the `{name}` panel a hosting account's main domain is created \
                         with the user's `plan`. Import it (`terraform import \
                         panel_domain.NAME USER_ID/ACCOUNT_ID/DOMAIN`) instead of creating it."
                    )
                } else if !capabilities.domain_addon && !capabilities.domain_subdomain {
                    format!(
                        "The `{name}` panel has no {} domains: every web domain, subdomains \
                         included, is `main`. Remove `kind` and `parent`.",
                        kind.as_str()
                    )
                } else {
                    format!(
                        "The `{name}` panel cannot create {} domains.",
                        kind.as_str()
                    )
                };
                plan.error_at(
                    attr!(DomainModel, kind),
                    "Domain Kind Not Supported",
                    detail,
                );
            }
        }
        let settings = [
            (
                attr!(DomainModel, document_root),
                capabilities.domain_document_root,
                "a document root",
                plan.configures_change(|m| &m.document_root),
            ),
            (
                attr!(DomainModel, php_version),
                capabilities.domain_php_version,
                "a PHP version",
                plan.configures_change(|m| &m.php_version),
            ),
            (
                attr!(DomainModel, ip_address),
                capabilities.domain_ip_address,
                "an IP address",
                plan.configures_change(|m| &m.ip_address),
            ),
        ];
        for (attribute, supported, what, configured) in settings {
            if configured && !supported {
                plan.error_at(
                    attribute,
                    "Setting Not Supported",
                    format!(
                        "The `{name}` panel cannot set {what} for a domain. Remove \
                         `{attribute}`."
                    ),
                );
            }
        }
        if capabilities.domain_document_root_in_home && plan.configures_change(|m| &m.document_root)
        {
            // The subscription whose home holds the site: the domain itself when it is
            // one, an addon's parent; a subdomain's subscription is known only to the
            // panel, which checks it during the apply.
            let subscription = match kind {
                _ if !kind_known => None,
                DomainKind::Main => plan.planned.name.str().map(normal),
                DomainKind::Addon => plan.planned.parent.str().map(normal),
                DomainKind::Subdomain => None,
            };
            let written = plan.config.document_root.owned().unwrap_or_default();
            if let Some(problem) = subscription
                .as_deref()
                .and_then(|subscription| paths::outside_every_home(&written, subscription))
            {
                plan.error_at(
                    attr!(DomainModel, document_root),
                    "Document Root Outside The Home",
                    format!(
                        "On the `{name}` panel a site's files live in its subscription's \
                         home directory; `document_root` {written:?} {problem}."
                    ),
                );
            }
        }
        let ip = attr!(DomainModel, ip_address);
        if plan.configures_change(|m| &m.ip_address) && capabilities.domain_ip_address {
            if kind_known && kind != DomainKind::Main {
                plan.error_at(
                    ip,
                    "Setting Not Supported",
                    "Only a `main` domain takes an IP address; addon domains and subdomains use \
                     their subscription's.",
                );
            } else if capabilities.domain_ip_address_fixed {
                plan.require_replace(ip);
            }
        }
        let password = attr!(DomainModel, system_password_wo);
        let password_null = plan.config.system_password_wo.is_null();
        if capabilities.domain_system_user {
            if plan.is_create() && kind_known && kind == DomainKind::Main && password_null {
                plan.error_at(
                    password,
                    "Missing System Password",
                    format!(
                        "A `{name}` subscription (`main` domain) needs `system_password_wo`, \
                         the password of its system (FTP) user."
                    ),
                );
            }
        } else if !password_null {
            plan.error_at(
                password,
                "Setting Not Supported",
                format!(
                    "`system_password_wo` is for Plesk subscriptions; the `{name}` panel has no \
                     such user. Remove it."
                ),
            );
        }
    }

    fn spec(
        _panel: &PanelHandle,
        planned: &DomainModel,
        config: &DomainModel,
    ) -> Result<DomainSpec, Diagnostics> {
        let configured = planned.name.owned().unwrap_or_default();
        let name = match DomainName::parse(&configured) {
            Ok(name) => name.to_string(),
            Err(problem) => {
                let mut diagnostics = Diagnostics::new();
                diagnostics.error_at(
                    AttributePath::root(attr!(DomainModel, name)),
                    "Invalid Domain Name",
                    format!("{configured:?} {problem}."),
                );
                return Err(diagnostics);
            }
        };
        Ok(DomainSpec {
            name,
            owner: planned.owner.owned().unwrap_or_default(),
            kind: kind_of(planned),
            parent: planned.parent.str().map(normal),
            document_root: planned.document_root.owned(),
            php_version: planned.php_version.owned(),
            ip_address: planned.ip_address.owned(),
            system_password: config.system_password_wo.str().map(Secret::new),
        })
    }

    fn patch(
        panel: &PanelHandle,
        prior: &DomainModel,
        planned: &DomainModel,
        config: &DomainModel,
    ) -> Result<DomainPatch, Diagnostics> {
        let changed = |prior: &Field<String>, planned: &Field<String>| {
            planned.owned().filter(|_| prior != planned)
        };
        let system_password = if panel.capabilities.domain_system_password_update
            && prior.system_password_wo_version != planned.system_password_wo_version
        {
            config.system_password_wo.str().map(Secret::new)
        } else {
            None
        };
        Ok(DomainPatch {
            document_root: changed(&prior.document_root, &planned.document_root),
            php_version: changed(&prior.php_version, &planned.php_version),
            ip_address: changed(&prior.ip_address, &planned.ip_address),
            system_password,
        })
    }

    /// `prior` (prior state or plan) supplies the configured spelling of names, what
    /// the panel cannot report (`ip_address` on Plesk REST) and the password version.
    fn state(_panel: &PanelHandle, domain: &Domain, prior: Option<&DomainModel>) -> DomainModel {
        let prior_text =
            |field: fn(&DomainModel) -> &Field<String>| prior.and_then(|p| field(p).owned());
        let reported_or_prior =
            |reported: &Option<String>, field: fn(&DomainModel) -> &Field<String>| {
                Field::from_option(reported.clone().or_else(|| prior_text(field)))
            };
        // The parent cannot change in place and the id pins the object, so a configured
        // parent is kept: panels report the subscription / account main domain as an
        // addon's parent, which names the same container as any of its sites.
        // A configuration without `parent` (a PanelAlpha addon domain may leave it out)
        // keeps it out of the state too: the attribute is not computed, so Terraform
        // takes any value here for a change the plan did not show.
        let parent = match (prior_text(|m| &m.parent), domain.parent.as_deref()) {
            (Some(configured), Some(_)) => Some(configured),
            (None, _) if prior.is_some_and(|p| p.parent.is_null()) => None,
            (_, reported) => reported.map(str::to_owned),
        };
        // A configured spelling of the directory the panel reports (absolute under the
        // home, or relative) is kept; another directory shows as drift.
        let document_root = match (
            prior_text(|m| &m.document_root),
            domain.document_root.as_deref(),
            domain.home.as_deref(),
        ) {
            (Some(configured), Some(reported), Some(home))
                if paths::same_document_root(&configured, reported, home) =>
            {
                Field::text(configured)
            }
            _ => reported_or_prior(&domain.document_root, |m| &m.document_root),
        };
        DomainModel {
            id: Field::text(domain.id.clone()),
            name: Field::text(names::keep_spelling(
                prior_text(|m| &m.name).as_deref(),
                &domain.name,
            )),
            owner: Field::text(domain.owner.clone()),
            kind: Field::text(domain.kind.as_str()),
            parent: Field::from_option(parent),
            document_root,
            php_version: reported_or_prior(&domain.php_version, |m| &m.php_version),
            ip_address: reported_or_prior(&domain.ip_address, |m| &m.ip_address),
            system_password_wo: Field::Null,
            system_password_wo_version: prior
                .map_or(Field::Null, |p| p.system_password_wo_version.clone()),
        }
    }

    fn locator(state: &DomainModel) -> Locator {
        Locator::new(state.id.owned().unwrap_or_default()).with_owner(state.owner.str())
    }

    fn key_of_state(_panel: &PanelHandle, state: &DomainModel) -> Option<DomainKey> {
        Some(DomainKey {
            name: DomainName::lenient(state.name.str()?),
            owner: state.owner.owned(),
        })
    }

    fn lookups() -> &'static [&'static [&'static str]] {
        &[&["name"]]
    }

    fn lookup_key(_panel: &PanelHandle, config: &DomainModel) -> Option<DomainKey> {
        Some(DomainKey {
            name: DomainName::lenient(config.name.str()?),
            owner: None,
        })
    }

    fn list_filter(filters: &DomainFilters) -> ListFilter {
        ListFilter {
            owner: filters.owner.owned(),
        }
    }

    fn list_keeps(filters: &DomainFilters, item: &DomainModel) -> bool {
        filters
            .owner
            .str()
            .is_none_or(|owner| item.owner.str() == Some(owner))
            && filters
                .kind
                .str()
                .is_none_or(|kind| item.kind.str() == Some(kind))
    }

    fn list_order(a: &DomainModel, b: &DomainModel) -> Ordering {
        a.name.str().cmp(&b.name.str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::fake::FakePanel;
    use std::sync::Arc;

    fn domain() -> Domain {
        Domain {
            id: "3/9".into(),
            name: "xn--bcher-kva.de".into(),
            owner: "3".into(),
            kind: DomainKind::Addon,
            parent: Some("main.example".into()),
            document_root: Some("/var/www/b".into()),
            home: None,
            php_version: None,
            ip_address: None,
        }
    }

    #[test]
    fn state_keeps_configured_spelling_parent_and_unreported_values() {
        let panel = PanelHandle::new(Arc::new(FakePanel::default()));
        let prior = DomainModel {
            name: Field::text("Bücher.de"),
            parent: Field::text("site.main.example"),
            ip_address: Field::text("192.0.2.7"),
            system_password_wo_version: Field::Known(1),
            ..DomainModel::default()
        };
        let state = DomainType::state(&panel, &domain(), Some(&prior));
        assert_eq!(state.name.str(), Some("Bücher.de"));
        assert_eq!(state.parent.str(), Some("site.main.example"));
        assert_eq!(state.ip_address.str(), Some("192.0.2.7"));
        assert_eq!(state.kind.str(), Some("addon"));
        // Configured without `parent` (a PanelAlpha addon): the state keeps it out,
        // although the panel names the account's main domain.
        let unparented = DomainModel {
            parent: Field::Null,
            ..prior.clone()
        };
        let state = DomainType::state(&panel, &domain(), Some(&unparented));
        assert!(state.parent.is_null(), "{:?}", state.parent);
        let imported = DomainType::state(&panel, &domain(), None);
        assert_eq!(imported.name.str(), Some("xn--bcher-kva.de"));
        assert_eq!(imported.parent.str(), Some("main.example"));
        assert!(imported.ip_address.is_null());
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
