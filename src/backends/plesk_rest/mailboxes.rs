//! Mailboxes through the `mail` utility over the REST API's CLI gateway
//! (`POST /cli/mail/call`, `CliCallRequest` {params[], env{}} -> `CliCallResponse`
//! {code, stdout, stderr}; the REST API itself has no mail resource):
//! `--create ADDR -mailbox true -passwd '' -mbox_quota Q`, `--update ADDR [-passwd '']
//! [-mbox_quota Q]`, `--info ADDR`, `--list [-domain D]`, `--remove ADDR`.
//!
//! The password never sits on the argument list: `-passwd ''` takes it from the env
//! `PSA_PASSWORD` (the documented way), and it is registered with the request's
//! redactor either way, so no log or error can carry it. A failing utility still
//! answers HTTP 200 with `code` != 0 and its reason on stderr; that is the panel's
//! refusal (nothing done). A lost answer (transport) is the transport's
//! `Effect::Unknown`, and the engine then finds the mailbox by its address.
//!
//! A mailbox is a mail name whose `Mailbox:` is true; its quota (`Mbox quota:`) is in
//! bytes, `Unlimited` for none. The utility has no suspension (capability
//! `mailbox_suspend` is false: refused at plan time). The id is the address; the owner
//! is the domain's client (`GET /domains/{id}/client`).

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use super::client::HttpRequest;
use super::{parse_number, PleskRestBackend, Touched};
use crate::backends::http::normalize_domain;
use crate::panel::mailbox::local_part_problem;
use crate::panel::{
    ListFilter, Locator, Mailbox, MailboxKey, MailboxPatch, MailboxSpec, PanelError, PanelResult,
    Secret, Service,
};

const MB: u64 = 1024 * 1024;

/// `CliCallResponse`.
#[derive(Debug, Deserialize)]
struct CliAnswer {
    #[serde(default)]
    code: i64,
    #[serde(default)]
    stdout: String,
    #[serde(default)]
    stderr: String,
}

/// `-mbox_quota`: megabytes with the `M` unit, `-1` for unlimited.
fn quota_arg(quota_mb: Option<u64>) -> String {
    quota_mb.map_or_else(|| "-1".to_owned(), |q| format!("{q}M"))
}

/// The `Mbox quota:` of `--info` (bytes, or `Unlimited` / `-1`) in megabytes.
fn quota_mb(text: &str) -> Option<u64> {
    let bytes = text.trim().parse::<i64>().ok().filter(|b| *b > 0)?;
    let bytes = u64::try_from(bytes).ok()?;
    Some(bytes.div_ceil(MB))
}

/// `Key: value` lines of `--info`.
fn info_value<'a>(info: &'a str, key: &str) -> Option<&'a str> {
    info.lines().find_map(|line| {
        let (k, v) = line.split_once(':')?;
        k.trim().eq_ignore_ascii_case(key).then(|| v.trim())
    })
}

fn split(address: &str) -> Option<(&str, &str)> {
    let (name, domain) = address.trim().rsplit_once('@')?;
    (!name.is_empty() && !domain.is_empty()).then_some((name, domain))
}

/// The utility's refusal as a typed error carrying its own message, with the call's
/// secrets scrubbed from it (a utility could echo its input).
fn refusal(what: &str, answer: &CliAnswer, secrets: &[&str]) -> PanelError {
    let raw = if answer.stderr.trim().is_empty() {
        answer.stdout.trim()
    } else {
        answer.stderr.trim()
    };
    let redactor = crate::backends::http::Redactor::of(secrets.iter().copied());
    let text: &str = &redactor.redact(raw);
    let lower = text.to_ascii_lowercase();
    let message = format!("plesk mail utility ({what}) failed: {text}");
    let error = if lower.contains("already exists") {
        PanelError::already_exists(message)
    } else if lower.contains("does not exist") || lower.contains("not found") {
        PanelError::not_found(message)
    } else if lower.contains("password") {
        PanelError::invalid(Some("password_wo"), message)
    } else if lower.contains("quota") {
        PanelError::invalid(Some("quota_mb"), message)
    } else {
        PanelError::invalid(None, message)
    };
    error
        .with_panel(Some(answer.code.to_string()), Some(text.to_owned()))
        .nothing_done()
}

impl PleskRestBackend {
    /// One `mail` utility call; `Ok(stdout)` when it exits 0.
    async fn mail_cli(
        &self,
        what: &str,
        params: &[&str],
        password: Option<&Secret>,
        write: bool,
    ) -> PanelResult<String> {
        let mut env = serde_json::Map::new();
        let mut secrets: Vec<&str> = Vec::new();
        if let Some(password) = password {
            env.insert("PSA_PASSWORD".into(), json!(password.expose()));
            secrets.push(password.expose());
        }
        let request = HttpRequest::new(Method::POST, "cli/mail/call")
            .json(json!({"params": params, "env": env}));
        let body = if write {
            self.write(request, &[], &secrets, Touched::default())
                .await?
        } else {
            crate::panel::cancel::check()?;
            self.client.call(request, &[], &secrets).await?
        };
        let answer: CliAnswer = super::decode_answer("plesk mail utility", &body)?;
        if answer.code != 0 {
            return Err(refusal(what, &answer, &secrets));
        }
        Ok(answer.stdout)
    }

    /// The domain `name` (normal form) and its owner: the hint's domain list first,
    /// else the shared domain list and `GET /domains/{id}/client`.
    async fn mail_domain(
        &self,
        name: &str,
        owner_hint: Option<i64>,
    ) -> PanelResult<Option<(String, i64)>> {
        let Ok(name) = normalize_domain(name) else {
            return Ok(None);
        };
        if let Some(owner) = owner_hint {
            let list = self.owner_domains(owner).await?;
            if let Some(record) = list.as_ref().as_ref().and_then(|l| l.named(&name)) {
                return Ok(Some((record.name.clone(), owner)));
            }
        }
        let Some(record) = self
            .with_domains(|d| d.named(&name).map(|r| (r.id, r.name.clone())))
            .await?
        else {
            return Ok(None);
        };
        Ok(self
            .owner_of_domain(record.0)
            .await?
            .map(|owner| (record.1, owner)))
    }

    /// The mailbox at `address`, fresh (`--info`); `None` when there is none (or the
    /// mail name has no mailbox).
    async fn read_mailbox(
        &self,
        address: &str,
        owner_hint: Option<i64>,
    ) -> PanelResult<Option<Mailbox>> {
        let Some((name, domain)) = split(address) else {
            return Ok(None);
        };
        let name = name.to_ascii_lowercase();
        let Some((domain, owner)) = self.mail_domain(domain, owner_hint).await? else {
            return Ok(None);
        };
        let address = format!("{name}@{domain}");
        let info = match self
            .mail_cli("mailname lookup", &["--info", &address], None, false)
            .await
        {
            Ok(info) => info,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e),
        };
        if info_value(&info, "Mailbox") != Some("true") {
            return Ok(None);
        }
        Ok(Some(Mailbox {
            id: address,
            owner: owner.to_string(),
            domain,
            name,
            quota_mb: info_value(&info, "Mbox quota").and_then(quota_mb),
            suspended: false,
        }))
    }
}

fn no_suspension() -> PanelError {
    PanelError::invalid(
        Some("suspended"),
        "plesk's mail utility (REST /cli/mail/call) cannot suspend a mailbox",
    )
    .nothing_done()
}

fn owner_hint(at: &Locator) -> Option<i64> {
    at.owner.as_deref().and_then(|o| o.trim().parse().ok())
}

#[async_trait::async_trait]
impl Service<Mailbox> for PleskRestBackend {
    async fn create(&self, spec: &MailboxSpec) -> PanelResult<Mailbox> {
        if let Some(problem) = local_part_problem(&spec.name) {
            return Err(PanelError::invalid(Some("name"), problem));
        }
        if spec.suspended {
            return Err(no_suspension());
        }
        let owner = parse_number("owner", &spec.owner)?;
        let domain = normalize_domain(&spec.domain)
            .map_err(|e| PanelError::invalid(Some("domain"), e.message))?;
        let (record, _) = self.owned_domain(owner, &domain, "domain").await?;
        let address = format!("{}@{}", spec.name, record.name);
        let quota = quota_arg(spec.quota_mb);
        self.mail_cli(
            "mailname creation",
            &[
                "--create",
                &address,
                "-mailbox",
                "true",
                "-passwd",
                "",
                "-passwd_type",
                "plain",
                "-mbox_quota",
                &quota,
            ],
            Some(&spec.password),
            true,
        )
        .await?;
        match self.read_mailbox(&address, Some(owner)).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "mail --create succeeded, but mail --info finds no mailbox {address}"
            ))
            .maybe_done()),
            Err(e) => Err(e.maybe_done()),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Mailbox>> {
        self.read_mailbox(&at.id, owner_hint(at)).await
    }

    async fn find(&self, key: &MailboxKey) -> PanelResult<Option<Mailbox>> {
        if local_part_problem(&key.name).is_some() {
            return Ok(None);
        }
        let hint = key.owner.trim().parse().ok();
        Ok(self
            .read_mailbox(&format!("{}@{}", key.name, key.domain), hint)
            .await?
            .filter(|m| key.matches(m)))
    }

    /// `--list` (per owner domain when filtered by owner), then `--info` of each.
    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Mailbox>> {
        let addresses: Vec<String> = match &filter.owner {
            Some(owner) => {
                let Ok(owner) = owner.trim().parse::<i64>() else {
                    return Ok(Vec::new());
                };
                let list = self.owner_domains(owner).await?;
                let names: Vec<String> = list
                    .as_ref()
                    .as_ref()
                    .map(|l| l.iter().map(|r| r.name.clone()).collect())
                    .unwrap_or_default();
                let mut out = Vec::new();
                for name in names {
                    match self
                        .mail_cli("listing", &["--list", "-domain", &name], None, false)
                        .await
                    {
                        Ok(text) => out.extend(text.lines().map(|l| l.trim().to_owned())),
                        Err(e) if e.is_not_found() => {}
                        Err(e) => return Err(e),
                    }
                }
                out
            }
            None => self
                .mail_cli("listing", &["--list"], None, false)
                .await?
                .lines()
                .map(|l| l.trim().to_owned())
                .collect(),
        };
        let hint = filter.owner.as_deref().and_then(|o| o.trim().parse().ok());
        let mut out = Vec::new();
        for address in addresses.iter().filter(|a| split(a).is_some()) {
            if let Some(mailbox) = self.read_mailbox(address, hint).await? {
                if filter.owner.as_ref().is_none_or(|o| &mailbox.owner == o) {
                    out.push(mailbox);
                }
            }
        }
        Ok(out)
    }

    async fn update(&self, at: &Locator, patch: &MailboxPatch) -> PanelResult<Mailbox> {
        if patch.suspended == Some(true) {
            return Err(no_suspension());
        }
        let address = at.id.trim();
        if split(address).is_none() {
            return Err(PanelError::invalid(
                Some("id"),
                format!("{address:?} is not a mail address"),
            ));
        }
        if patch.password.is_some() || patch.quota_mb.is_some() {
            let quota = patch.quota_mb.map(quota_arg);
            let mut params = vec!["--update", address];
            if patch.password.is_some() {
                params.extend(["-passwd", "", "-passwd_type", "plain"]);
            }
            if let Some(quota) = &quota {
                params.extend(["-mbox_quota", quota.as_str()]);
            }
            self.mail_cli("mailname update", &params, patch.password.as_ref(), true)
                .await?;
        }
        self.read_mailbox(address, owner_hint(at))
            .await?
            .ok_or_else(|| PanelError::not_found(format!("plesk mailbox {address} is gone")))
    }

    /// Removing a mailbox already gone succeeds.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let address = at.id.trim();
        if split(address).is_none() {
            return Ok(());
        }
        match self
            .mail_cli("mailname removal", &["--remove", address], None, true)
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Mailbox>> {
        if split(id).is_none() {
            return Err(PanelError::invalid(
                Some("id"),
                format!("plesk mailbox ids are the address (e.g. info@example.com), got {id:?}"),
            ));
        }
        self.read_mailbox(id, None).await
    }

    fn import_id(&self, object: &Mailbox) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "ADDRESS (e.g. info@example.com)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::panel::PanelErrorKind;

    #[test]
    fn quotas_and_info_lines_parse() {
        assert_eq!(quota_arg(None), "-1");
        assert_eq!(quota_arg(Some(100)), "100M");
        assert_eq!(quota_mb("104857600"), Some(100));
        assert_eq!(quota_mb("Unlimited"), None);
        assert_eq!(quota_mb("-1"), None);
        let info = "Mailname:             info\nMailbox:              true\nMbox quota:           Unlimited\n";
        assert_eq!(info_value(info, "Mailbox"), Some("true"));
        assert_eq!(info_value(info, "Mbox quota"), Some("Unlimited"));
        assert_eq!(split("info@example.com"), Some(("info", "example.com")));
        assert_eq!(split("info"), None);
    }

    #[test]
    fn refusals_keep_the_utility_message_and_did_nothing() {
        let answer = CliAnswer {
            code: 1,
            stdout: String::new(),
            stderr: "An error occurred during mailname creation: Mail name info already exists.\n"
                .into(),
        };
        let e = refusal("mailname creation", &answer, &[]);
        let echoed = CliAnswer {
            code: 1,
            stdout: String::new(),
            stderr: "An error occurred: bad password S3cret-Pw".into(),
        };
        let leak = refusal("mailname update", &echoed, &["S3cret-Pw"]);
        assert!(!format!("{leak:?}").contains("S3cret-Pw"), "{leak:?}");
        assert_eq!(e.kind, PanelErrorKind::AlreadyExists);
        assert!(!e.may_have_taken_effect());
        assert!(e.message.contains("Mail name info already exists"));
    }
}
