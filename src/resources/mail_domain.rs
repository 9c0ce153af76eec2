//! `panel_mail_domain`: mail service for a domain (a HestiaCP mail domain, Plesk's mail
//! service of a domain, a PanelAlpha email domain), with the `panel_mail_domain` /
//! `panel_mail_domains` data sources.

use std::cmp::Ordering;

use crate::attr;
use crate::framework::diag::Diagnostics;
use crate::framework::model::Field;
use crate::framework::validate;
use crate::panel::mail_domain::same_domain;
use crate::panel::{
    ListFilter, Locator, MailDomain, MailDomainKey, MailDomainPatch, MailDomainSpec, PanelHandle,
};

use super::engine::{ObjectType, TypedPlan};

crate::model! {
    /// The attributes of `panel_mail_domain`.
    pub struct MailDomainModel {
        id: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The panel's id for the mail domain: `USER/DOMAIN` on HestiaCP, the domain \
                 name on Plesk, `USER_ID/ACCOUNT_ID/DOMAIN` on PanelAlpha.",
            ),
        owner: String
            .required()
            .requires_replace()
            .markdown(
                "The `id` of the `panel_user` the domain belongs to. Changing it replaces the \
                 mail domain.",
            ),
        domain: String
            .required()
            .requires_replace()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "The domain that receives mail, e.g. `panel_domain.site.name`. On Plesk and \
                 PanelAlpha it must be one of the owner's domains; on HestiaCP it need not be \
                 a web domain. Changing it replaces the mail domain (and, on HestiaCP, \
                 deletes its mailboxes).",
            ),
    }
}

crate::model! {
    /// The filters of `panel_mail_domains`.
    pub struct MailDomainFilters {
        owner: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown("Only mail domains of this user: a `panel_user` `id`."),
    }
}

/// `panel_mail_domain` on the engine.
pub struct MailDomainType;

const PANEL_MAPPING: &str = "On HestiaCP a mail domain is an object of its own \
     (`v-add-mail-domain`, listed by `v-list-mail-domains`); on Plesk it is a domain whose \
     mail service is on (XML API: `mail` `enable`/`disable`/`get_prefs`; REST API: the \
     `mail` utility's `--on`/`--off` and the `domain` utility's `--info` through \
     `/api/v2/cli/{id}/call`, the REST API having no mail resource); on PanelAlpha every \
     domain of a hosting account is an email domain (`server-accounts/{id}/email/domains`).";

impl ObjectType for MailDomainType {
    type Model = MailDomainModel;
    type Object = MailDomain;
    type Filters = MailDomainFilters;

    const TYPE_NAME: &'static str = "panel_mail_domain";
    const LIST_TYPE_NAME: &'static str = "panel_mail_domains";
    const LIST_ATTRIBUTE: &'static str = "mail_domains";
    /// Plesk and PanelAlpha have mail on for (nearly) every domain: a whole-panel adopt
    /// would write one per domain and read one mail list per owner.
    const ADOPT_ONLY_WHEN_NAMED: bool = true;

    fn references() -> &'static [(&'static str, &'static str, &'static str)] {
        &[
            ("owner", "panel_user", "id"),
            ("domain", "panel_domain", "name"),
        ]
    }

    fn adopt_key(state: &MailDomainModel) -> String {
        state.domain.str().unwrap_or_default().to_owned()
    }

    fn description() -> String {
        "Mail for a domain: the domain receives mail, so mailboxes and forwarders can be \
         added to it. One resource turns mail on for a domain on every panel, whatever the \
         panel calls it.\n\n\
         | Panel | What it is | Create | Destroy | Import id |\n\
         |---|---|---|---|---|\n\
         | HestiaCP | a mail domain of the user (`v-add-mail-domain USER DOMAIN`, with the \
         panel's defaults: antispam, antivirus and DKIM on) | adds it | `v-delete-mail-domain`, \
         which deletes its mailboxes and forwarders | `USER/DOMAIN`, e.g. \
         `bob/example.com` |\n\
         | Plesk (XML API) | the mail service of a domain (`mail` `enable` / `disable`, read \
         with `get_prefs`) | switches mail on | switches mail off (mailboxes are kept by \
         Plesk) | the domain name, e.g. `example.com` |\n\
         | Plesk (REST API) | the mail service of a domain, through the documented \
         `/api/v2/cli/{id}/call` gateway (the REST API has no mail resource): `mail --on` / \
         `--off DOMAIN`, read with `domain --info DOMAIN` | switches mail on | switches mail \
         off | the domain name, e.g. `example.com` |\n\
         | PanelAlpha | an email domain of the hosting account \
         (`server-accounts/{id}/email/domains`): every domain of a hosting account receives \
         mail, and the API cannot switch it | refused at plan time: import it | forgets it \
         (mail stays on while the domain exists) | `USER_ID/ACCOUNT_ID/DOMAIN`, e.g. \
         `3/7/example.com` |\n\n\
         A domain whose mail is already on is reported (with the import command) instead of \
         being taken over. Plesk switches mail on for every new domain, so on Plesk a \
         domain's mail is normally imported (`import {}` block or `terraform import`) rather \
         than created; create it only for a domain whose mail was switched off.\n\n\
         ## Import\n\n\
         * HestiaCP: `USER/DOMAIN`, e.g. `bob/example.com`;\n\
         * Plesk (REST and XML API): the domain name, e.g. `example.com`;\n\
         * PanelAlpha: `USER_ID/ACCOUNT_ID/DOMAIN`, e.g. `3/7/example.com`.\n\n\
         ```shell\n\
         terraform import panel_mail_domain.site bob/example.com\n\
         ```"
        .to_owned()
    }

    fn lookup_description() -> String {
        format!(
            "Looks up one domain that receives mail, either by `id` or by `owner` + `domain` \
             (exactly one of the two). {PANEL_MAPPING} Reading fails with an error naming the \
             lookup when no mail domain matches."
        )
    }

    fn list_description() -> String {
        format!(
            "Lists the domains that receive mail, optionally only those of one `owner`. \
             {PANEL_MAPPING} Mail domains are sorted by owner and domain."
        )
    }

    fn data_attribute_description(name: &str) -> Option<String> {
        let text = match name {
            "id" => {
                "The panel's id: `USER/DOMAIN` on HestiaCP, the domain name on Plesk, \
                 `USER_ID/ACCOUNT_ID/DOMAIN` on PanelAlpha. Set it to look the mail domain up \
                 by id, or leave it out."
            }
            "owner" => {
                "The `id` of the owning user (`panel_user`). Set it together with `domain` to \
                 look the mail domain up by them."
            }
            "domain" => "The domain name that receives mail.",
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn label(model: &MailDomainModel) -> String {
        match (model.domain.str(), model.id.str()) {
            (Some(domain), _) => format!("mail domain {domain:?}"),
            (None, Some(id)) => format!("mail domain {id:?}"),
            (None, None) => "mail domain".to_owned(),
        }
    }

    fn attribute_of(field: &str) -> Option<&'static str> {
        match field {
            "domain" | "name" | "site-id" | "site" => Some(attr!(MailDomainModel, domain)),
            "owner" => Some(attr!(MailDomainModel, owner)),
            _ => None,
        }
    }

    fn plan(panel: Option<&PanelHandle>, plan: &mut TypedPlan<MailDomainModel>) {
        let Some(panel) = panel else {
            return;
        };
        if plan.is_create() && !panel.capabilities.mail_domain_switch {
            plan.error_at(
                attr!(MailDomainModel, domain),
                "Setting Not Supported",
                format!(
                    "The `{}` panel cannot switch mail on for a domain: every domain of a \
                     hosting account receives mail there. Import the domain's mail instead \
                     (an `import {{}}` block or `terraform import panel_mail_domain.NAME \
                     USER_ID/ACCOUNT_ID/DOMAIN`).",
                    panel.name()
                ),
            );
        }
    }

    fn spec(
        _panel: &PanelHandle,
        planned: &MailDomainModel,
        _config: &MailDomainModel,
    ) -> Result<MailDomainSpec, Diagnostics> {
        Ok(MailDomainSpec {
            owner: planned.owner.owned().unwrap_or_default(),
            domain: planned.domain.owned().unwrap_or_default(),
        })
    }

    fn patch(
        _panel: &PanelHandle,
        _prior: &MailDomainModel,
        _planned: &MailDomainModel,
        _config: &MailDomainModel,
    ) -> Result<MailDomainPatch, Diagnostics> {
        Ok(MailDomainPatch::default())
    }

    /// `prior` supplies the configured spelling of the domain when the panel reports
    /// the same name.
    fn state(
        _panel: &PanelHandle,
        mail: &MailDomain,
        prior: Option<&MailDomainModel>,
    ) -> MailDomainModel {
        let domain = match prior.and_then(|p| p.domain.str()) {
            Some(configured) if same_domain(configured, &mail.domain) => configured.to_owned(),
            _ => mail.domain.clone(),
        };
        MailDomainModel {
            id: Field::text(mail.id.clone()),
            owner: Field::text(mail.owner.clone()),
            domain: Field::text(domain),
        }
    }

    fn locator(state: &MailDomainModel) -> Locator {
        Locator::new(state.id.owned().unwrap_or_default()).with_owner(state.owner.str())
    }

    fn key_of_state(panel: &PanelHandle, state: &MailDomainModel) -> Option<MailDomainKey> {
        Self::lookup_key(panel, state)
    }

    fn lookups() -> &'static [&'static [&'static str]] {
        &[&["id"], &["owner", "domain"]]
    }

    fn lookup_key(_panel: &PanelHandle, config: &MailDomainModel) -> Option<MailDomainKey> {
        Some(MailDomainKey {
            owner: config.owner.owned()?,
            domain: config.domain.owned()?,
        })
    }

    fn list_filter(filters: &MailDomainFilters) -> ListFilter {
        ListFilter {
            owner: filters.owner.owned(),
        }
    }

    fn list_keeps(filters: &MailDomainFilters, item: &MailDomainModel) -> bool {
        filters
            .owner
            .str()
            .is_none_or(|owner| item.owner.str() == Some(owner))
    }

    fn list_order(a: &MailDomainModel, b: &MailDomainModel) -> Ordering {
        let key = |m: &MailDomainModel| {
            (
                m.owner.owned().unwrap_or_default(),
                m.domain.owned().unwrap_or_default(),
            )
        };
        key(a).cmp(&key(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::fake::FakePanel;
    use crate::panel::PanelKind;
    use std::sync::Arc;

    #[test]
    fn state_keeps_the_configured_spelling_of_the_domain() {
        let panel = PanelHandle::new(Arc::new(FakePanel::new(PanelKind::Hestia)));
        let mail = MailDomain {
            id: "bob/example.com".into(),
            owner: "bob".into(),
            domain: "example.com".into(),
        };
        let prior = MailDomainModel {
            domain: Field::text("Example.com"),
            ..MailDomainModel::default()
        };
        let state = MailDomainType::state(&panel, &mail, Some(&prior));
        assert_eq!(state.domain.str(), Some("Example.com"));
        let other = MailDomainModel {
            domain: Field::text("example.org"),
            ..MailDomainModel::default()
        };
        let state = MailDomainType::state(&panel, &mail, Some(&other));
        assert_eq!(state.domain.str(), Some("example.com"));
        assert_eq!(state.id.str(), Some("bob/example.com"));
    }
}
