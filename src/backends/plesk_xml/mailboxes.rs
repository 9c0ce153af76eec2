//! Mailboxes through the `mail` operator: `create` / `update` (`set`) / `get_info` /
//! `remove`, filtered by `site-id` and the mail name (schema outline
//! `mailnameFilterAddType`, `GetInfoAdvancedFilter`; the official client's `MailTest`).
//! A mailbox is a mail name with `mailbox/enabled` true; its quota is in bytes, `-1` for
//! the domain's default (unlimited). The operator has no suspension (capability
//! `mailbox_suspend` is false). The owner is the subscription's; the id is the address.

use crate::backends::http::normalize_domain;
use crate::panel::mailbox::local_part_problem;
use crate::panel::{
    ListFilter, Locator, Mailbox, MailboxKey, MailboxPatch, MailboxSpec, PanelError, PanelResult,
    Secret, Service,
};

use super::wire::{self, Element, XmlWriter};
use super::{PleskXmlBackend, Touches};

/// Mail names are in none of the backend's caches.
const NOTHING: Touches = Touches {
    customers: false,
    domains: false,
    databases: false,
};

const MB: i64 = 1024 * 1024;

fn quota_bytes(quota_mb: Option<u64>) -> String {
    quota_mb
        .and_then(|q| i64::try_from(q).ok())
        .map_or_else(|| "-1".to_owned(), |q| (q.saturating_mul(MB)).to_string())
}

fn quota_mb(bytes: &str) -> Option<u64> {
    let bytes = bytes.trim().parse::<i64>().ok().filter(|b| *b > 0)?;
    u64::try_from((bytes + MB - 1) / MB).ok()
}

/// `<mailname>` with the settings a create or `set` sends.
fn mailname(w: &mut XmlWriter, name: &str, quota: Option<Option<u64>>, password: Option<&Secret>) {
    w.open("mailname").text("name", name);
    if let Some(quota) = quota {
        w.open("mailbox")
            .text("enabled", "true")
            .text("quota", &quota_bytes(quota))
            .close("mailbox");
    }
    if let Some(password) = password {
        w.open("password")
            .text("value", password.expose())
            .text("type", "plain")
            .close("password");
    }
    w.close("mailname");
}

fn create_body(site: &str, spec: &MailboxSpec) -> String {
    let mut w = XmlWriter::default();
    w.open("mail")
        .open("create")
        .open("filter")
        .text("site-id", site);
    mailname(
        &mut w,
        &spec.name,
        Some(spec.quota_mb),
        Some(&spec.password),
    );
    w.close("filter").close("create").close("mail");
    w.finish()
}

fn set_body(site: &str, name: &str, patch: &MailboxPatch) -> String {
    let mut w = XmlWriter::default();
    w.open("mail")
        .open("update")
        .open("set")
        .open("filter")
        .text("site-id", site);
    mailname(&mut w, name, patch.quota_mb, patch.password.as_ref());
    w.close("filter").close("set").close("update").close("mail");
    w.finish()
}

fn get_info_body(site: &str, name: Option<&str>) -> String {
    let mut w = XmlWriter::default();
    w.open("mail")
        .open("get_info")
        .open("filter")
        .text("site-id", site);
    if let Some(name) = name {
        w.text("name", name);
    }
    w.close("filter")
        .empty("mailbox")
        .close("get_info")
        .close("mail");
    w.finish()
}

fn remove_body(site: &str, name: &str) -> String {
    let mut w = XmlWriter::default();
    w.open("mail")
        .open("remove")
        .open("filter")
        .text("site-id", site)
        .text("name", name)
        .close("filter")
        .close("remove")
        .close("mail");
    w.finish()
}

/// `(name, quota in MB)` of each mail name a `get_info` answer reports; "no such mail
/// name / domain" results are left out.
fn infos(packet: &Element) -> PanelResult<Vec<(String, Option<u64>)>> {
    let mut out = Vec::new();
    for result in wire::results(packet, "mail", "get_info", 0)? {
        match wire::ok_result(result, "mail get_info") {
            Ok(result) => {
                if let Some(m) = result.child("mailname") {
                    let name = m.text_of("name").unwrap_or_default().to_ascii_lowercase();
                    if !name.is_empty() {
                        let quota = m
                            .path(&["mailbox", "quota"])
                            .and_then(|q| quota_mb(&q.text));
                        out.push((name, quota));
                    }
                }
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The first result of `update/set` (its results sit below `set`).
fn set_result(packet: &Element) -> PanelResult<()> {
    let result = packet
        .path(&["mail", "update", "set", "result"])
        .ok_or_else(|| PanelError::protocol("plesk's mail update answer has no result"))?;
    wire::ok_result(result, "mail update").map(drop)
}

fn split(address: &str) -> Option<(&str, &str)> {
    let (name, domain) = address.trim().rsplit_once('@')?;
    (!name.is_empty() && !domain.is_empty()).then_some((name, domain))
}

impl PleskXmlBackend {
    /// The site id and owner of the mail domain `domain`.
    async fn mail_site(&self, domain: &str) -> PanelResult<Option<(String, String, String)>> {
        let Ok(name) = normalize_domain(domain) else {
            return Ok(None);
        };
        let table = self.site_table().await?;
        let Some((site, webspace)) = Self::mail_place(&table, &name) else {
            return Ok(None);
        };
        let owner = self.listed_owner(webspace).await?;
        Ok(Some((site.id.clone(), site.name.clone(), owner)))
    }

    async fn read_mailbox(&self, address: &str) -> PanelResult<Option<Mailbox>> {
        let Some((name, domain)) = split(address) else {
            return Ok(None);
        };
        let Some((site, domain, owner)) = self.mail_site(domain).await? else {
            return Ok(None);
        };
        let packet = self.read(&get_info_body(&site, Some(name))).await?;
        Ok(infos(&packet)?
            .into_iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(name, quota)| Mailbox {
                id: format!("{name}@{domain}"),
                owner: owner.clone(),
                domain: domain.clone(),
                name,
                quota_mb: quota,
                suspended: false,
            }))
    }
}

fn no_suspension() -> PanelError {
    PanelError::invalid(
        Some("suspended"),
        "the Plesk XML API's mail operator cannot suspend a mailbox",
    )
    .nothing_done()
}

#[async_trait::async_trait]
impl Service<Mailbox> for PleskXmlBackend {
    async fn create(&self, spec: &MailboxSpec) -> PanelResult<Mailbox> {
        if let Some(problem) = local_part_problem(&spec.name) {
            return Err(PanelError::invalid(Some("name"), problem));
        }
        if spec.suspended {
            return Err(no_suspension());
        }
        let Some((site, domain, owner)) = self.mail_site(&spec.domain).await? else {
            return Err(PanelError::invalid(
                Some("domain"),
                format!("no domain {} on this Plesk", spec.domain),
            ));
        };
        if owner != spec.owner {
            return Err(PanelError::invalid(
                Some("domain"),
                format!("domain {domain} does not belong to user {}", spec.owner),
            ));
        }
        let packet = self
            .write(&create_body(&site, spec), &[&spec.password], NOTHING)
            .await?;
        wire::single_result(&packet, "mail", "create")?;
        let address = format!("{}@{domain}", spec.name);
        match self.read_mailbox(&address).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "mail create succeeded, but get_info finds no {address}"
            ))
            .maybe_done()),
            Err(e) => Err(e.maybe_done()),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Mailbox>> {
        self.read_mailbox(&at.id).await
    }

    async fn find(&self, key: &MailboxKey) -> PanelResult<Option<Mailbox>> {
        if local_part_problem(&key.name).is_some() {
            return Ok(None);
        }
        Ok(self
            .read_mailbox(&format!("{}@{}", key.name, key.domain))
            .await?
            .filter(|m| key.matches(m)))
    }

    /// One `get_info` per domain whose owner matches.
    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Mailbox>> {
        let table = self.site_table().await?;
        let mut domains: Vec<String> = table.by_name.keys().cloned().collect();
        domains.sort();
        let mut out = Vec::new();
        for domain in domains {
            let Some((site, domain, owner)) = self.mail_site(&domain).await? else {
                continue;
            };
            if filter.owner.as_ref().is_some_and(|o| o != &owner) {
                continue;
            }
            let packet = self.read(&get_info_body(&site, None)).await?;
            for (name, quota) in infos(&packet)? {
                out.push(Mailbox {
                    id: format!("{name}@{domain}"),
                    owner: owner.clone(),
                    domain: domain.clone(),
                    name,
                    quota_mb: quota,
                    suspended: false,
                });
            }
        }
        Ok(out)
    }

    async fn update(&self, at: &Locator, patch: &MailboxPatch) -> PanelResult<Mailbox> {
        if patch.suspended == Some(true) {
            return Err(no_suspension());
        }
        let (name, domain) = split(&at.id).ok_or_else(|| {
            PanelError::invalid(Some("id"), format!("{:?} is not a mail address", at.id))
        })?;
        if patch.password.is_some() || patch.quota_mb.is_some() {
            let Some((site, _, _)) = self.mail_site(domain).await? else {
                return Err(PanelError::not_found(format!("no domain {domain}")));
            };
            let secrets: Vec<&Secret> = patch.password.iter().collect();
            let packet = self
                .write(&set_body(&site, name, patch), &secrets, NOTHING)
                .await?;
            set_result(&packet)?;
        }
        self.read_mailbox(&at.id)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("mailbox {} is gone", at.id)))
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let Some((name, domain)) = split(&at.id) else {
            return Ok(());
        };
        let Some((site, _, _)) = self.mail_site(domain).await? else {
            return Ok(());
        };
        let packet = self.write(&remove_body(&site, name), &[], NOTHING).await?;
        match wire::single_result(&packet, "mail", "remove") {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(drop),
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Mailbox>> {
        self.read_mailbox(id).await
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

    #[test]
    fn quotas_are_bytes_and_bodies_name_the_site() {
        assert_eq!(quota_bytes(None), "-1");
        assert_eq!(quota_bytes(Some(100)), "104857600");
        assert_eq!(quota_mb("104857600"), Some(100));
        assert_eq!(quota_mb("-1"), None);
        assert_eq!(
            remove_body("7", "info"),
            "<mail><remove><filter><site-id>7</site-id><name>info</name></filter></remove></mail>"
        );
        assert!(get_info_body("7", None).contains("<mailbox/>"));
    }
}
