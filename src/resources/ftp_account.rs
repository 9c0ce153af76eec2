//! `panel_ftp_account`: an additional FTP account of a web domain (HestiaCP) or
//! subscription (Plesk), with the `panel_ftp_account` / `panel_ftp_accounts` data
//! sources.

use std::cmp::Ordering;

use crate::attr;
use crate::framework::diag::Diagnostics;
use crate::framework::model::Field;
use crate::framework::validate;
use crate::panel::ftp_account::{login_problem, normal_home};
use crate::panel::{
    FtpAccount, FtpAccountKey, FtpAccountPatch, FtpAccountSpec, ListFilter, Locator, PanelHandle,
    Secret,
};
use crate::tfvalue::{AttributePath, Value};

use super::engine::{ObjectType, TypedPlan};

crate::model! {
    /// The attributes of `panel_ftp_account`.
    pub struct FtpAccountModel {
        id: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The panel's id for the account: `USER/DOMAIN/FULL_LOGIN` on HestiaCP, the FTP \
                 login on Plesk, `USER_ID/ACCOUNT_ID/LOGIN@DOMAIN` on PanelAlpha.",
            ),
        owner: String
            .required()
            .requires_replace()
            .markdown(
                "The `id` of the `panel_user` the domain belongs to. Changing it replaces the \
                 account.",
            ),
        domain: String
            .required()
            .requires_replace()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "The name of the web domain (HestiaCP) or subscription / domain (Plesk) the \
                 account belongs to, e.g. `panel_domain.site.name`. Changing it replaces the \
                 account.",
            ),
        login: String
            .required()
            .requires_replace()
            .validator(validate::custom("FTP login", |value| {
                value.as_str().and_then(login_problem)
            }))
            .markdown(
                "The FTP login as written here: 1 to 32 letters, digits, `_`, `-` and `.`, \
                 starting with a letter or digit. HestiaCP always prefixes it with the owner's \
                 login and `_` (`deploy` becomes `bob_deploy`, and `bob_ci` becomes \
                 `bob_bob_ci`); state keeps what is written here and `full_login` holds what \
                 an FTP client logs in with; PanelAlpha logs in as `login@domain` and stores \
                 logins in lowercase. Changing it replaces the account.",
            ),
        full_login: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The login an FTP client uses: `OWNER_LOGIN` on HestiaCP, `login` itself on \
                 Plesk, `login@domain` on PanelAlpha.",
            ),
        home: String
            .optional()
            .computed()
            .default(Value::string(""))
            .validator(validate::custom("FTP home directory", |value| {
                normal_home(value.as_str()?).err()
            }))
            .markdown(
                "The directory the account is confined to, relative to the domain's home \
                 directory (HestiaCP: `/home/USER/web/DOMAIN`; Plesk: the subscription's home; \
                 PanelAlpha: the hosting account's home), e.g. `public_html/uploads`. Defaults \
                 to `\"\"`, the home directory itself. A path that climbs out of it (`..`), or \
                 holds `:` or control characters, is refused at plan time. Changed in place, \
                 except on PanelAlpha, which cannot change it (refused at plan time).",
            ),
        password_wo: String
            .optional()
            .sensitive()
            .write_only()
            .markdown(
                "FTP password, write-only: sent to the panel on create and whenever \
                 `password_wo_version` changes, never stored in state. Required to create the \
                 account.",
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
    /// The filters of `panel_ftp_accounts`.
    pub struct FtpAccountFilters {
        owner: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown("Only accounts of this user: a `panel_user` `id`."),
        domain: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown("Only accounts of this domain (compared case-insensitively)."),
    }
}

/// `panel_ftp_account` on the engine.
pub struct FtpAccountType;

const PANEL_MAPPING: &str = "On HestiaCP an FTP account belongs to a web domain \
     (`v-add-web-domain-ftp`, listed in the `FTP_USER` / `FTP_PATH` fields of \
     `v-list-web-domain(s)`); on Plesk (REST API) it is an FTP user of a subscription \
     (`/api/v2/ftpusers`) or XML API (`ftp-user`); on PanelAlpha it is an FTP account of the \
     hosting account holding the domain (`server-accounts/{id}/ftp-accounts`), logging in as \
     `login@domain`.";

fn missing_password(what: &str) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    diagnostics.error_at(
        AttributePath::root(attr!(FtpAccountModel, password_wo)),
        "Missing Password",
        what.to_owned(),
    );
    diagnostics
}

impl ObjectType for FtpAccountType {
    type Model = FtpAccountModel;
    type Object = FtpAccount;
    type Filters = FtpAccountFilters;

    const TYPE_NAME: &'static str = "panel_ftp_account";
    const LIST_TYPE_NAME: &'static str = "panel_ftp_accounts";
    const LIST_ATTRIBUTE: &'static str = "ftp_accounts";

    fn references() -> &'static [(&'static str, &'static str, &'static str)] {
        &[
            ("owner", "panel_user", "id"),
            ("domain", "panel_domain", "name"),
        ]
    }

    fn adopt_key(state: &FtpAccountModel) -> String {
        format!(
            "{} {}",
            state.domain.str().unwrap_or_default(),
            state.login.str().unwrap_or_default()
        )
    }

    fn description() -> String {
        "An additional FTP account of a site, with its own login, password and home \
         directory.\n\n\
         | Panel | What it is | Login | Import id |\n\
         |---|---|---|---|\n\
         | HestiaCP | an FTP user of the web domain (`v-add-web-domain-ftp`, \
         `v-change-web-domain-ftp-password`, `v-change-web-domain-ftp-path`, \
         `v-delete-web-domain-ftp`) | `OWNER_` + `login` | `USER/DOMAIN/FULL_LOGIN`, e.g. \
         `bob/example.com/bob_deploy` |\n\
         | Plesk (REST API) | an FTP user of the subscription (`/api/v2/ftpusers`) | `login` \
         (unique on the server) | the FTP login, e.g. `deploy` |\n\
         | Plesk (XML API) | an FTP user of the subscription (`ftp-user` `add`/`get`/`set`/`del`); \
         `domain` must name the subscription itself | `login` (unique on the server) | the FTP \
         login, e.g. `deploy` |\n\
         | PanelAlpha | an FTP account of the hosting account holding `domain` \
         (`server-accounts/{id}/ftp-accounts`); `home` is relative to the hosting account's home \
         and cannot be changed after creation (refused at plan time) | `login@domain` | \
         `USER_ID/ACCOUNT_ID/LOGIN@DOMAIN`, e.g. `3/7/deploy@example.com` |\n\n\
         An account is identified by its owner, domain and login: an existing account with \
         that login is reported (with the import command) instead of being taken over, and an \
         account whose create answer was lost is found again by them. The password is \
         write-only: bump `password_wo_version` to send a new `password_wo`. The password is \
         not imported.\n\n\
         ## Import\n\n\
         * HestiaCP: `USER/DOMAIN/FULL_LOGIN` (the full login as in `FTP_USER`), e.g. \
         `bob/example.com/bob_deploy`;\n\
         * Plesk (REST and XML API): the FTP login, e.g. `deploy`;\n\
         * PanelAlpha: `USER_ID/ACCOUNT_ID/LOGIN@DOMAIN`, e.g. `3/7/deploy@example.com`.\n\n\
         ```shell\n\
         terraform import panel_ftp_account.deploy bob/example.com/bob_deploy\n\
         ```"
        .to_owned()
    }

    fn lookup_description() -> String {
        format!(
            "Looks up one existing FTP account, either by `id` or by `owner` + `domain` + \
             `login` (exactly one of the two), and exposes its attributes. {PANEL_MAPPING} \
             Reading fails with an error naming the lookup when no account matches."
        )
    }

    fn list_description() -> String {
        format!(
            "Lists the panel's FTP accounts, optionally only those of one `owner` and/or \
             `domain`. {PANEL_MAPPING} Accounts are sorted by owner, domain and login."
        )
    }

    fn data_attribute_description(name: &str) -> Option<String> {
        let text = match name {
            "id" => {
                "The panel's id: `USER/DOMAIN/FULL_LOGIN` on HestiaCP, the FTP login on Plesk, \
                 `USER_ID/ACCOUNT_ID/LOGIN@DOMAIN` on PanelAlpha. Set it to look the account up \
                 by id, or leave it out."
            }
            "owner" => {
                "The `id` of the owning user (`panel_user`). Set it together with `domain` and \
                 `login` to look the account up by them."
            }
            "domain" => "The web domain / subscription the account belongs to.",
            "login" => {
                "The login without what the panel adds (HestiaCP: the `OWNER_` prefix; \
                 PanelAlpha: `@domain`)."
            }
            "home" => "The home directory relative to the domain's home; `\"\"` for the home.",
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn label(model: &FtpAccountModel) -> String {
        match (model.login.str(), model.id.str()) {
            (Some(login), _) => format!("FTP account {login:?}"),
            (None, Some(id)) => format!("FTP account {id:?}"),
            (None, None) => "FTP account".to_owned(),
        }
    }

    fn attribute_of(field: &str) -> Option<&'static str> {
        match field {
            "password" => Some(attr!(FtpAccountModel, password_wo)),
            "name" | "login" | "ftp_user" => Some(attr!(FtpAccountModel, login)),
            "home" | "path" => Some(attr!(FtpAccountModel, home)),
            "owner" => Some(attr!(FtpAccountModel, owner)),
            "domain" => Some(attr!(FtpAccountModel, domain)),
            _ => None,
        }
    }

    fn plan(panel: Option<&PanelHandle>, plan: &mut TypedPlan<FtpAccountModel>) {
        let password = attr!(FtpAccountModel, password_wo);
        if plan.is_create() && plan.config.password_wo.is_null() {
            plan.error_at(
                password,
                "Missing Password",
                "Creating a `panel_ftp_account` needs `password_wo`: the panel will not create \
                 an FTP account without a password.",
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
        let home_changes = !plan.is_create() && plan.changes(|m| &m.home);
        if home_changes && !panel.capabilities.ftp_account_home_update {
            let prior = plan
                .prior
                .as_ref()
                .and_then(|p| p.home.str().map(|h| normal_home(h).unwrap_or_default()));
            let planned = plan
                .planned
                .home
                .str()
                .map(|h| normal_home(h).unwrap_or_default());
            if prior != planned {
                plan.error_at(
                    attr!(FtpAccountModel, home),
                    "Setting Not Supported",
                    format!(
                        "The `{}` panel cannot change an FTP account's home directory after \
                         creation; set `home` back, or replace the account (e.g. \
                         `terraform apply -replace`).",
                        panel.name()
                    ),
                );
            }
        }
    }

    fn spec(
        _panel: &PanelHandle,
        planned: &FtpAccountModel,
        config: &FtpAccountModel,
    ) -> Result<FtpAccountSpec, Diagnostics> {
        let Some(password) = config.password_wo.str().map(Secret::new) else {
            return Err(missing_password(
                "Creating a `panel_ftp_account` needs `password_wo`.",
            ));
        };
        Ok(FtpAccountSpec {
            owner: planned.owner.owned().unwrap_or_default(),
            domain: planned.domain.owned().unwrap_or_default(),
            login: planned.login.owned().unwrap_or_default(),
            password,
            home: normal_home(planned.home.str().unwrap_or_default()).unwrap_or_default(),
        })
    }

    fn patch(
        _panel: &PanelHandle,
        prior: &FtpAccountModel,
        planned: &FtpAccountModel,
        config: &FtpAccountModel,
    ) -> Result<FtpAccountPatch, Diagnostics> {
        let mut patch = FtpAccountPatch::default();
        let normal = |m: &FtpAccountModel| m.home.str().map(|h| normal_home(h).unwrap_or_default());
        if normal(prior) != normal(planned) {
            patch.home = normal(planned);
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

    /// `prior` supplies the password version and the configured spellings of the
    /// domain (case) and the home (slashes) when the panel reports the same.
    fn state(
        _panel: &PanelHandle,
        account: &FtpAccount,
        prior: Option<&FtpAccountModel>,
    ) -> FtpAccountModel {
        let domain = match prior.and_then(|p| p.domain.str()) {
            Some(configured) if configured.eq_ignore_ascii_case(&account.domain) => {
                configured.to_owned()
            }
            _ => account.domain.clone(),
        };
        let home = match prior.and_then(|p| p.home.str()) {
            Some(configured) if normal_home(configured).as_deref() == Ok(&account.home) => {
                configured.to_owned()
            }
            _ => account.home.clone(),
        };
        FtpAccountModel {
            id: Field::text(account.id.clone()),
            owner: Field::text(account.owner.clone()),
            domain: Field::text(domain),
            login: Field::text(account.login.clone()),
            full_login: Field::text(account.full_login.clone()),
            home: Field::text(home),
            password_wo: Field::Null,
            password_wo_version: prior.map_or(Field::Null, |p| p.password_wo_version.clone()),
        }
    }

    fn locator(state: &FtpAccountModel) -> Locator {
        Locator::new(state.id.owned().unwrap_or_default()).with_owner(state.owner.str())
    }

    fn key_of_state(panel: &PanelHandle, state: &FtpAccountModel) -> Option<FtpAccountKey> {
        Self::lookup_key(panel, state)
    }

    fn lookups() -> &'static [&'static [&'static str]] {
        &[&["id"], &["owner", "domain", "login"]]
    }

    fn lookup_key(_panel: &PanelHandle, config: &FtpAccountModel) -> Option<FtpAccountKey> {
        Some(FtpAccountKey {
            owner: config.owner.owned()?,
            domain: config.domain.owned()?,
            login: config.login.owned()?,
        })
    }

    fn list_filter(filters: &FtpAccountFilters) -> ListFilter {
        ListFilter {
            owner: filters.owner.owned(),
        }
    }

    fn list_keeps(filters: &FtpAccountFilters, item: &FtpAccountModel) -> bool {
        let owner = filters
            .owner
            .str()
            .is_none_or(|owner| item.owner.str() == Some(owner));
        let domain = filters.domain.str().is_none_or(|domain| {
            item.domain
                .str()
                .is_some_and(|d| d.eq_ignore_ascii_case(domain))
        });
        owner && domain
    }

    fn list_order(a: &FtpAccountModel, b: &FtpAccountModel) -> Ordering {
        let key = |m: &FtpAccountModel| {
            (
                m.owner.owned().unwrap_or_default(),
                m.domain.owned().unwrap_or_default(),
                m.login.owned().unwrap_or_default(),
            )
        };
        key(a).cmp(&key(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::model::Model;
    use crate::panel::fake::FakePanel;
    use crate::panel::PanelKind;
    use std::sync::Arc;

    fn account() -> FtpAccount {
        FtpAccount {
            id: "bob/example.com/bob_deploy".into(),
            owner: "bob".into(),
            domain: "example.com".into(),
            login: "deploy".into(),
            full_login: "bob_deploy".into(),
            home: "public_html/uploads".into(),
        }
    }

    #[test]
    fn the_home_validator_refuses_escapes() {
        let schema = super::super::engine::Managed::<FtpAccountType>::schema();
        let mut config = FtpAccountModel {
            owner: Field::text("bob"),
            domain: Field::text("example.com"),
            login: Field::text("deploy"),
            home: Field::text("../../etc"),
            ..FtpAccountModel::default()
        }
        .to_value();
        let text = format!("{:?}", validate::validate_block(&schema.block, &config));
        assert!(
            text.contains("must stay inside the domain's home"),
            "{text}"
        );
        config.set_attr("home", Value::string("public_html/uploads"));
        config.set_attr("login", Value::string("bad login"));
        let text = format!("{:?}", validate::validate_block(&schema.block, &config));
        assert!(text.contains("`login` may only hold"), "{text}");
        config.set_attr("login", Value::string("deploy"));
        assert!(validate::validate_block(&schema.block, &config).is_empty());
    }

    #[test]
    fn state_keeps_spellings_and_the_password_version() {
        let panel = PanelHandle::new(Arc::new(FakePanel::new(PanelKind::Hestia)));
        let prior = FtpAccountModel {
            domain: Field::text("Example.com"),
            home: Field::text("/public_html/uploads/"),
            password_wo_version: Field::Known(2),
            ..FtpAccountModel::default()
        };
        let state = FtpAccountType::state(&panel, &account(), Some(&prior));
        assert_eq!(state.domain.str(), Some("Example.com"));
        assert_eq!(state.home.str(), Some("/public_html/uploads/"));
        assert_eq!(state.password_wo_version, Field::Known(2));
        assert_eq!(state.full_login.str(), Some("bob_deploy"));
        let imported = FtpAccountType::state(&panel, &account(), None);
        assert_eq!(imported.home.str(), Some("public_html/uploads"));
        assert!(imported.password_wo_version.is_null());
    }

    #[test]
    fn patches_carry_only_real_changes() {
        let panel = PanelHandle::new(Arc::new(FakePanel::new(PanelKind::Hestia)));
        let prior = FtpAccountType::state(&panel, &account(), None);
        let mut planned = prior.clone();
        planned.home = Field::text("/public_html/uploads/");
        let patch = FtpAccountType::patch(&panel, &prior, &planned, &planned).unwrap();
        assert!(patch.home.is_none() && patch.password.is_none());
        planned.home = Field::text("private");
        planned.password_wo_version = Field::Known(2);
        let mut config = planned.clone();
        config.password_wo = Field::text("N3w-Passw0rd");
        let patch = FtpAccountType::patch(&panel, &prior, &planned, &config).unwrap();
        assert_eq!(patch.home.as_deref(), Some("private"));
        assert_eq!(
            patch.password.map(|p| p.expose().to_owned()).as_deref(),
            Some("N3w-Passw0rd")
        );
        assert!(FtpAccountType::patch(&panel, &prior, &planned, &planned).is_err());
    }
}
