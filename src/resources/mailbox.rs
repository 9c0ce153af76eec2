//! `panel_mailbox`: a mailbox (mail account) of a mail domain, with the `panel_mailbox` /
//! `panel_mailboxes` data sources.

use std::cmp::Ordering;

use crate::attr;
use crate::framework::diag::Diagnostics;
use crate::framework::model::Field;
use crate::framework::validate;
use crate::panel::mailbox::local_part_problem;
use crate::panel::names::same_domain;
use crate::panel::{
    ListFilter, Locator, Mailbox, MailboxKey, MailboxPatch, MailboxSpec, PanelHandle, Secret,
};
use crate::tfvalue::{AttributePath, Value};

use super::engine::{ObjectType, TypedPlan};

crate::model! {
    /// The attributes of `panel_mailbox`.
    pub struct MailboxModel {
        id: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The panel's id for the mailbox: `USER/DOMAIN/NAME` on HestiaCP, the address \
                 on Plesk, `USER_ID/ACCOUNT_ID/ADDRESS` on PanelAlpha.",
            ),
        owner: String
            .required()
            .requires_replace()
            .markdown(
                "The `id` of the `panel_user` the mail domain belongs to. Changing it replaces \
                 the mailbox.",
            ),
        domain: String
            .required()
            .requires_replace()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "The mail domain, e.g. `panel_mail_domain.site.domain`. Changing it replaces \
                 the mailbox.",
            ),
        name: String
            .required()
            .requires_replace()
            .validator(validate::custom("mailbox name", |value| {
                value.as_str().and_then(local_part_problem)
            }))
            .markdown(
                "The local part of the address (`info` for `info@example.com`): 1 to 64 \
                 lowercase letters, digits, `.`, `-` and `_`, starting and ending with a letter \
                 or digit. Changing it replaces the mailbox.",
            ),
        address: String
            .computed()
            .use_state_for_unknown()
            .markdown("The full address, `name@domain`."),
        quota: i64
            .optional()
            .computed()
            .default(Value::int(0))
            .validator(validate::int_between(0, 1_048_576))
            .markdown(
                "The mailbox's disk quota in megabytes; `0` (the default) is unlimited. Changed \
                 in place.",
            ),
        suspended: bool
            .optional()
            .computed()
            .default(Value::Bool(false))
            .markdown(
                "Whether the mailbox is suspended (kept, but no mail is delivered or read). \
                 Defaults to `false`; changed in place. HestiaCP only \
                 (`v-suspend-mail-account`); the other panels cannot suspend a mailbox, and \
                 `true` is refused there at plan time.",
            ),
        password_wo: String
            .optional()
            .sensitive()
            .write_only()
            .markdown(
                "The mailbox password, write-only: sent to the panel on create and whenever \
                 `password_wo_version` changes, never stored in state. Required to create the \
                 mailbox.",
            ),
        password_wo_version: i64
            .optional()
            .validator(validate::whole_number())
            .markdown(
                "Any number; change it to send `password_wo` to the panel again (password \
                 rotation, changed in place). Changing only `password_wo` does nothing, \
                 because write-only values are not stored to compare with.",
            ),
    }
}

crate::model! {
    /// The filters of `panel_mailboxes`.
    pub struct MailboxFilters {
        owner: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown("Only mailboxes of this user: a `panel_user` `id`."),
        domain: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown("Only mailboxes of this mail domain (compared case-insensitively)."),
    }
}

/// `panel_mailbox` on the engine.
pub struct MailboxType;

const PANEL_MAPPING: &str = "On HestiaCP a mailbox is a mail account of a mail domain \
     (`v-add-mail-account`, listed by `v-list-mail-accounts`); on Plesk it is a mail name with \
     a mailbox (XML API: the `mail` operator; REST API: the `mail` utility through the \
     documented `/api/v2/cli/{id}/call` gateway, the REST API having no mail resource); on \
     PanelAlpha it is an email account of the hosting account holding the domain \
     (`server-accounts/{id}/email/accounts`).";

fn missing_password(what: &str) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error_at(
        AttributePath::root(attr!(MailboxModel, password_wo)),
        "Missing Password",
        what.to_owned(),
    );
    diagnostics
}

fn quota_of(model: &MailboxModel) -> Option<u64> {
    model
        .quota
        .get()
        .and_then(|q| u64::try_from(*q).ok())
        .filter(|q| *q > 0)
}

impl ObjectType for MailboxType {
    type Model = MailboxModel;
    type Object = Mailbox;
    type Filters = MailboxFilters;

    const TYPE_NAME: &'static str = "panel_mailbox";
    const LIST_TYPE_NAME: &'static str = "panel_mailboxes";
    const LIST_ATTRIBUTE: &'static str = "mailboxes";
    /// Listed per mail domain (HestiaCP) or hosting account: adopted only when named, as
    /// mail domains are.
    const ADOPT_ONLY_WHEN_NAMED: bool = true;

    fn references() -> &'static [(&'static str, &'static str, &'static str)] {
        &[
            ("owner", "panel_user", "id"),
            ("domain", "panel_mail_domain", "domain"),
        ]
    }

    fn adopt_key(state: &MailboxModel) -> String {
        state.address.str().unwrap_or_default().to_owned()
    }

    fn description() -> String {
        "A mailbox (mail account) of a mail domain, with a write-only password, a quota and, \
         where the panel can, suspension.\n\n\
         | Panel | What it is | Suspension | Import id |\n\
         |---|---|---|---|\n\
         | HestiaCP | a mail account of the user's mail domain (`v-add-mail-account`, \
         `v-change-mail-account-password`, `v-change-mail-account-quota`, \
         `v-delete-mail-account`, read from `v-list-mail-accounts`) | \
         `v-suspend-mail-account` / `v-unsuspend-mail-account` | `USER/DOMAIN/NAME`, e.g. \
         `bob/example.com/info` |\n\
         | Plesk (XML API) | a mail name with a mailbox (`mail` `create` / `update` / \
         `get_info` / `remove`; quota in bytes) | refused at plan time | the address, e.g. \
         `info@example.com` |\n\
         | Plesk (REST API) | a mail name with a mailbox, through the CLI utility: the REST \
         API has no mail resource, so the provider runs the `mail` utility through \
         `POST /api/v2/cli/mail/call` (`--create` / `--update` / `--info` / `--remove`; the \
         password goes in the call's environment, never on the argument list) | refused at \
         plan time | the address, e.g. `info@example.com` |\n\
         | PanelAlpha | an email account of the hosting account holding the domain \
         (`server-accounts/{id}/email/accounts`) | refused at plan time | \
         `USER_ID/ACCOUNT_ID/ADDRESS`, e.g. `3/7/info@example.com` |\n\n\
         The mail domain must receive mail first (`panel_mail_domain`). A mailbox is \
         identified by its owner, domain and name: an existing mailbox with that address is \
         reported (with the import command) instead of being taken over, and a mailbox whose \
         create answer was lost is found again by them. The password is write-only: bump \
         `password_wo_version` to send a new `password_wo`. The password is not imported.\n\n\
         ## Import\n\n\
         * HestiaCP: `USER/DOMAIN/NAME`, e.g. `bob/example.com/info`;\n\
         * Plesk (XML and REST API): the address, e.g. `info@example.com`;\n\
         * PanelAlpha: `USER_ID/ACCOUNT_ID/ADDRESS`, e.g. `3/7/info@example.com`.\n\n\
         ```shell\n\
         terraform import panel_mailbox.info bob/example.com/info\n\
         ```"
        .to_owned()
    }

    fn lookup_description() -> String {
        format!(
            "Looks up one mailbox, either by `id` or by `owner` + `domain` + `name` (exactly \
             one of the two), and exposes its attributes. {PANEL_MAPPING} Reading fails with \
             an error naming the lookup when no mailbox matches."
        )
    }

    fn list_description() -> String {
        format!(
            "Lists the panel's mailboxes, optionally only those of one `owner` and/or \
             `domain`. {PANEL_MAPPING} Mailboxes are sorted by owner, domain and name."
        )
    }

    fn data_attribute_description(name: &str) -> Option<String> {
        let text = match name {
            "id" => {
                "The panel's id: `USER/DOMAIN/NAME` on HestiaCP, the address on Plesk, \
                 `USER_ID/ACCOUNT_ID/ADDRESS` on PanelAlpha. Set it to look the mailbox up by \
                 id, or leave it out."
            }
            "owner" => {
                "The `id` of the owning user (`panel_user`). Set it together with `domain` and \
                 `name` to look the mailbox up by them."
            }
            "domain" => "The mail domain the mailbox belongs to.",
            "name" => "The local part of the address.",
            "quota" => "The disk quota in megabytes; `0` is unlimited.",
            "suspended" => "Whether the mailbox is suspended (HestiaCP; always false elsewhere).",
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn label(model: &MailboxModel) -> String {
        match (model.name.str(), model.domain.str(), model.id.str()) {
            (Some(name), Some(domain), _) => format!("mailbox {:?}", format!("{name}@{domain}")),
            (_, _, Some(id)) => format!("mailbox {id:?}"),
            _ => "mailbox".to_owned(),
        }
    }

    fn attribute_of(field: &str) -> Option<&'static str> {
        match field {
            "password" | "passwd" => Some(attr!(MailboxModel, password_wo)),
            "name" | "account" | "email" | "mailname" => Some(attr!(MailboxModel, name)),
            "quota" | "mbox_quota" => Some(attr!(MailboxModel, quota)),
            "suspended" => Some(attr!(MailboxModel, suspended)),
            "owner" => Some(attr!(MailboxModel, owner)),
            "domain" | "site-id" => Some(attr!(MailboxModel, domain)),
            _ => None,
        }
    }

    fn plan(panel: Option<&PanelHandle>, plan: &mut TypedPlan<MailboxModel>) {
        let password = attr!(MailboxModel, password_wo);
        if plan.is_create() && plan.config.password_wo.is_null() {
            plan.error_at(
                password,
                "Missing Password",
                "Creating a `panel_mailbox` needs `password_wo`: the panel will not create a \
                 mailbox without a password.",
            );
        }
        let version_changed = !plan.is_create() && plan.changes(|m| &m.password_wo_version);
        if version_changed && plan.config.password_wo.is_null() {
            plan.error_at(
                password,
                "Missing Password",
                "`password_wo_version` changed, which sends `password_wo` to the panel, but \
                 `password_wo` is not set.",
            );
        }
        let Some(panel) = panel else {
            return;
        };
        let suspend = plan.planned.suspended == Field::Known(true);
        if suspend && plan.changes(|m| &m.suspended) && !panel.capabilities.mailbox_suspend {
            plan.error_at(
                attr!(MailboxModel, suspended),
                "Setting Not Supported",
                format!(
                    "The `{}` panel cannot suspend a mailbox; remove `suspended` or set it to \
                     `false`.",
                    panel.name()
                ),
            );
        }
    }

    fn spec(
        _panel: &PanelHandle,
        planned: &MailboxModel,
        config: &MailboxModel,
    ) -> Result<MailboxSpec, Diagnostics> {
        let Some(password) = config.password_wo.str().map(Secret::new) else {
            return Err(missing_password(
                "Creating a `panel_mailbox` needs `password_wo`.",
            ));
        };
        Ok(MailboxSpec {
            owner: planned.owner.owned().unwrap_or_default(),
            domain: planned.domain.owned().unwrap_or_default(),
            name: planned.name.owned().unwrap_or_default(),
            password,
            quota_mb: quota_of(planned),
            suspended: planned.suspended.get().copied().unwrap_or(false),
        })
    }

    fn patch(
        _panel: &PanelHandle,
        prior: &MailboxModel,
        planned: &MailboxModel,
        config: &MailboxModel,
    ) -> Result<MailboxPatch, Diagnostics> {
        let mut patch = MailboxPatch::default();
        if quota_of(prior) != quota_of(planned) {
            patch.quota_mb = Some(quota_of(planned));
        }
        if prior.suspended != planned.suspended {
            patch.suspended = planned.suspended.get().copied();
        }
        if prior.password_wo_version != planned.password_wo_version {
            match config.password_wo.str() {
                Some(password) => patch.password = Some(Secret::new(password)),
                None => {
                    return Err(missing_password(
                        "`password_wo_version` changed but `password_wo` is not set.",
                    ))
                }
            }
        }
        Ok(patch)
    }

    /// `prior` supplies the password version and the configured spelling of the domain.
    fn state(
        _panel: &PanelHandle,
        mailbox: &Mailbox,
        prior: Option<&MailboxModel>,
    ) -> MailboxModel {
        let domain = match prior.and_then(|p| p.domain.str()) {
            Some(configured) if same_domain(configured, &mailbox.domain) => configured.to_owned(),
            _ => mailbox.domain.clone(),
        };
        let quota = mailbox
            .quota_mb
            .and_then(|q| i64::try_from(q).ok())
            .unwrap_or(0);
        MailboxModel {
            id: Field::text(mailbox.id.clone()),
            owner: Field::text(mailbox.owner.clone()),
            domain: Field::text(domain),
            name: Field::text(mailbox.name.clone()),
            address: Field::text(mailbox.address()),
            quota: Field::Known(quota),
            suspended: Field::Known(mailbox.suspended),
            password_wo: Field::Null,
            password_wo_version: prior.map_or(Field::Null, |p| p.password_wo_version.clone()),
        }
    }

    fn locator(state: &MailboxModel) -> Locator {
        Locator::new(state.id.owned().unwrap_or_default()).with_owner(state.owner.str())
    }

    fn key_of_state(panel: &PanelHandle, state: &MailboxModel) -> Option<MailboxKey> {
        Self::lookup_key(panel, state)
    }

    fn lookups() -> &'static [&'static [&'static str]] {
        &[&["id"], &["owner", "domain", "name"]]
    }

    fn lookup_key(_panel: &PanelHandle, config: &MailboxModel) -> Option<MailboxKey> {
        Some(MailboxKey {
            owner: config.owner.owned()?,
            domain: config.domain.owned()?,
            name: config.name.owned()?,
        })
    }

    fn list_filter(filters: &MailboxFilters) -> ListFilter {
        ListFilter {
            owner: filters.owner.owned(),
        }
    }

    fn list_keeps(filters: &MailboxFilters, item: &MailboxModel) -> bool {
        let owner = filters
            .owner
            .str()
            .is_none_or(|owner| item.owner.str() == Some(owner));
        let domain = filters
            .domain
            .str()
            .is_none_or(|domain| item.domain.str().is_some_and(|d| same_domain(d, domain)));
        owner && domain
    }

    fn list_order(a: &MailboxModel, b: &MailboxModel) -> Ordering {
        let key = |m: &MailboxModel| {
            (
                m.owner.owned().unwrap_or_default(),
                m.domain.owned().unwrap_or_default(),
                m.name.owned().unwrap_or_default(),
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

    fn mailbox() -> Mailbox {
        Mailbox {
            id: "bob/example.com/info".into(),
            owner: "bob".into(),
            domain: "example.com".into(),
            name: "info".into(),
            quota_mb: Some(100),
            suspended: false,
        }
    }

    #[test]
    fn state_and_patches() {
        let panel = PanelHandle::new(Arc::new(FakePanel::new(PanelKind::Hestia)));
        let prior = MailboxModel {
            domain: Field::text("Example.com"),
            password_wo_version: Field::Known(2),
            ..MailboxModel::default()
        };
        let state = MailboxType::state(&panel, &mailbox(), Some(&prior));
        assert_eq!(state.domain.str(), Some("Example.com"));
        assert_eq!(state.address.str(), Some("info@example.com"));
        assert_eq!(state.quota, Field::Known(100));
        assert_eq!(state.password_wo_version, Field::Known(2));
        let mut planned = state.clone();
        let patch = MailboxType::patch(&panel, &state, &planned, &planned).unwrap();
        assert!(patch.quota_mb.is_none() && patch.password.is_none() && patch.suspended.is_none());
        planned.quota = Field::Known(0);
        planned.suspended = Field::Known(true);
        planned.password_wo_version = Field::Known(3);
        let mut config = planned.clone();
        config.password_wo = Field::text("N3w-Passw0rd");
        let patch = MailboxType::patch(&panel, &state, &planned, &config).unwrap();
        assert_eq!(patch.quota_mb, Some(None));
        assert_eq!(patch.suspended, Some(true));
        assert!(patch.password.is_some());
        assert!(MailboxType::patch(&panel, &state, &planned, &planned).is_err());
    }
}
