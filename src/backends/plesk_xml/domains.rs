//! Domains are Plesk subscriptions (`webspace` operator, kind `main`) and sites
//! (`site` operator, kinds `addon` and `subdomain`). Plesk gives both one id space.
//!
//! Refresh reads come from one packet listing every subscription and site; a
//! read-back reads that one object (`webspace get` + `site get` filtered by its id,
//! one packet), plus, for a site, its subscription and the names of its siblings (one
//! packet: what its kind and parent are inferred from).

use super::wire::{self, DomainRecord, HostingChanges};
use super::{
    customer_probe, first_data, not_found_is_none, object_id, parse_object_id, records,
    PleskXmlBackend, Touches,
};
use crate::backends::http::normalize_domain;
use crate::panel::names::DomainName;
use crate::panel::paths::{self, HomeRelative};
use crate::panel::{
    Domain, DomainKey, DomainKind, DomainPatch, DomainSpec, ListFilter, Locator, PanelError,
    PanelResult, Secret, Service,
};

/// A subscription and its sites.
#[derive(Clone, Debug)]
pub struct Family<'a> {
    pub webspace: &'a DomainRecord,
    pub sites: Vec<&'a DomainRecord>,
}

/// The home directory of a subscription: as its reported `www_root` shows it, else
/// where Plesk puts it by default.
pub fn home_of(webspace: &DomainRecord) -> String {
    webspace
        .www_root
        .as_deref()
        .and_then(|root| paths::home_in(root, &webspace.name))
        .unwrap_or_else(|| paths::plesk_home(&webspace.name))
}

/// The neutral document root for Plesk's absolute `www_root` in `home`.
pub fn document_root_from_plesk(www_root: &str, home: &str) -> String {
    paths::reported_document_root(www_root, home)
}

/// A configured document root in `home`, or the refusal naming `document_root`.
fn written_root(written: &str, home: &str) -> PanelResult<HomeRelative> {
    HomeRelative::parse(written, home).map_err(|problem| {
        PanelError::invalid(
            Some("document_root"),
            format!("document_root {written:?} {problem}"),
        )
    })
}

/// Whether a written document root is meant as absolute (so only the real home can
/// tell whether it is inside it).
fn looks_absolute(written: &str) -> bool {
    let written = written.trim();
    written.starts_with('/')
        && written
            .split('/')
            .find(|s| !s.is_empty())
            .is_some_and(|first| paths::SYSTEM_DIRECTORIES.contains(&first))
}

/// Kind and parent of a site within its family (see the module docs of the backend).
pub(super) fn site_kind(site: &DomainRecord, family: &Family<'_>) -> (DomainKind, String) {
    let main = &family.webspace.name;
    if site.name.ends_with(&format!(".{main}")) {
        return (DomainKind::Subdomain, main.clone());
    }
    let parent_site = family
        .sites
        .iter()
        .filter(|other| other.id != site.id && site.name.ends_with(&format!(".{}", other.name)))
        .max_by_key(|other| other.name.len());
    match parent_site {
        Some(parent) => (DomainKind::Subdomain, parent.name.clone()),
        None => (DomainKind::Addon, main.clone()),
    }
}

fn main_model(owner: &str, webspace: &DomainRecord) -> Domain {
    let home = home_of(webspace);
    Domain {
        id: object_id(owner, &webspace.id),
        name: webspace.name.clone(),
        owner: owner.to_owned(),
        kind: DomainKind::Main,
        parent: None,
        document_root: webspace
            .www_root
            .as_deref()
            .map(|root| document_root_from_plesk(root, &home)),
        home: Some(home),
        php_version: None,
        ip_address: webspace.ip_address.clone(),
    }
}

fn site_model(owner: &str, site: &DomainRecord, family: &Family<'_>) -> Domain {
    let (kind, parent) = site_kind(site, family);
    // Sites live in their subscription's home.
    let home = home_of(family.webspace);
    Domain {
        id: object_id(owner, &site.id),
        name: site.name.clone(),
        owner: owner.to_owned(),
        kind,
        parent: Some(parent),
        document_root: site
            .www_root
            .as_deref()
            .map(|root| document_root_from_plesk(root, &home)),
        home: Some(home),
        php_version: None,
        ip_address: site
            .ip_address
            .clone()
            .or_else(|| family.webspace.ip_address.clone()),
    }
}

/// The domain with Plesk id `plesk_id` in `family`, if it is there.
fn model_in(owner: &str, plesk_id: &str, family: &Family<'_>) -> Option<Domain> {
    if family.webspace.id == plesk_id {
        return Some(main_model(owner, family.webspace));
    }
    let site = family.sites.iter().find(|s| s.id == plesk_id)?;
    Some(site_model(owner, site, family))
}

/// A domain read fresh, with what an update needs to know about it.
#[derive(Clone, Debug)]
struct Located {
    domain: Domain,
    /// The subscription's home directory.
    home: String,
    /// The operator that manages it: `webspace` or `site`.
    operator: &'static str,
    plesk_id: String,
    /// Its subscription's Plesk id (its own for a subscription).
    webspace_id: String,
}

impl PleskXmlBackend {
    /// The domain a `domain_get` packet found (a subscription or a site), read as a
    /// whole: a site also needs its subscription and siblings (one more request).
    /// `owner` is the owner state expects, whose login a probe may learn on the way.
    async fn locate_in(
        &self,
        packet: &wire::Element,
        owner: Option<&str>,
    ) -> PanelResult<Option<Located>> {
        if let Some(webspace) = first_data(packet, "webspace", "get")?.and_then(wire::domain_record)
        {
            let owner = self.owner_of(&webspace).await?;
            return Ok(Some(Located {
                domain: main_model(&owner, &webspace),
                home: home_of(&webspace),
                operator: "webspace",
                plesk_id: webspace.id.clone(),
                webspace_id: webspace.id,
            }));
        }
        let Some(site) = first_data(packet, "site", "get")?.and_then(wire::domain_record) else {
            return Ok(None);
        };
        let Some(webspace_id) = site.webspace_id.clone() else {
            return Ok(None);
        };
        let body = wire::family(&webspace_id) + &customer_probe(self, owner);
        let packet = self.read(&body).await?;
        self.located_in_family(&packet, &site.id).await
    }

    /// The site `site_id` as a `family` packet reports it (its subscription and every
    /// sibling, which its kind is inferred from).
    async fn located_in_family(
        &self,
        packet: &wire::Element,
        site_id: &str,
    ) -> PanelResult<Option<Located>> {
        let Some(webspace) = first_data(packet, "webspace", "get")?.and_then(wire::domain_record)
        else {
            return Ok(None);
        };
        let sites = records(packet, "site", "get", wire::domain_record)?;
        let family = Family {
            webspace: &webspace,
            // Should Plesk list the subscription among its sites, it is not its own site.
            sites: sites.iter().filter(|s| s.id != webspace.id).collect(),
        };
        let Some(site) = family.sites.iter().find(|s| s.id == site_id) else {
            return Ok(None);
        };
        let owner = self.owner_of(&webspace).await?;
        Ok(Some(Located {
            domain: site_model(&owner, site, &family),
            home: home_of(&webspace),
            operator: "site",
            plesk_id: site.id.clone(),
            webspace_id: webspace.id.clone(),
        }))
    }

    /// One domain by Plesk id, fresh from the panel.
    async fn read_domain(
        &self,
        plesk_id: &str,
        owner: Option<&str>,
    ) -> PanelResult<Option<Located>> {
        let body = wire::domain_get(("id", plesk_id)) + &customer_probe(self, owner);
        let packet = self.read(&body).await?;
        self.locate_in(&packet, owner).await
    }

    /// One domain by name (ASCII form), fresh from the panel.
    async fn domain_named(&self, name: &str, owner: Option<&str>) -> PanelResult<Option<Located>> {
        let body = wire::domain_get(("name", name)) + &customer_probe(self, owner);
        let packet = self.read(&body).await?;
        self.locate_in(&packet, owner).await
    }

    /// A domain by neutral id, fresh; `owner` from the locator when state knows it.
    async fn read_domain_at(&self, at: &Locator) -> PanelResult<Option<Located>> {
        let Some((id_owner, plesk_id)) = parse_object_id(&at.id) else {
            return Ok(None);
        };
        self.read_domain(plesk_id, at.owner.as_deref().or(id_owner))
            .await
    }

    /// Creates a subscription and answers what the panel was told.
    async fn create_subscription(&self, spec: &DomainSpec, name: &str) -> PanelResult<Domain> {
        if spec.parent.is_some() {
            return Err(PanelError::invalid(
                Some("parent"),
                "a subscription has no parent",
            ));
        }
        let password = spec
            .system_password
            .as_ref()
            .filter(|p| !p.expose().is_empty())
            .ok_or_else(|| {
                PanelError::invalid(
                    Some("system_password"),
                    "a plesk subscription needs a system (FTP) user password",
                )
            })?;
        // The subscription does not exist yet: its home will be the default one.
        let home = paths::plesk_home(name);
        let www_root = spec
            .document_root
            .as_deref()
            .map(|root| written_root(root, &home))
            .transpose()?;
        let ip = match spec.ip_address.clone() {
            Some(ip) => ip,
            None => self.default_ip().await?.as_ref().clone(),
        };
        let ftp_login = super::derive_ftp_login(name);
        let add = wire::WebspaceAdd {
            name,
            owner_id: &spec.owner,
            ip_address: &ip,
            ftp_login: &ftp_login,
            ftp_password: password,
            www_root: www_root.as_ref().map(HomeRelative::as_str),
        };
        // Plesk runs a packet's operations in order: the `get` after the `add` reads
        // the new subscription back in the same request.
        let body = wire::webspace_add(&add)
            + &wire::webspace_get(Some(("name", name)))
            + &customer_probe(self, Some(&spec.owner));
        let packet = self.write(&body, &[password], Touches::DOMAINS).await?;
        let id = wire::result_id(
            wire::single_result(&packet, "webspace", "add")?,
            "webspace add",
        )?;
        match first_data(&packet, "webspace", "get")?
            .and_then(wire::domain_record)
            .filter(|webspace| webspace.id == id)
        {
            Some(webspace) => {
                let owner = self.owner_of(&webspace).await?;
                Ok(main_model(&owner, &webspace))
            }
            // Not readable yet: what the panel was told.
            None => Ok(Domain {
                id: object_id(&spec.owner, &id),
                name: name.to_owned(),
                owner: spec.owner.clone(),
                kind: DomainKind::Main,
                parent: None,
                document_root: www_root.map(|root| root.normal(&home)),
                home: Some(home),
                php_version: None,
                ip_address: Some(ip),
            }),
        }
    }

    /// Creates an addon domain or a subdomain in the subscription holding its parent.
    async fn create_site(&self, spec: &DomainSpec, name: &str) -> PanelResult<Domain> {
        if spec.ip_address.is_some() {
            return Err(PanelError::invalid(
                Some("ip_address"),
                "plesk sites use their subscription's IP address",
            ));
        }
        let parent = spec.parent.as_deref().ok_or_else(|| {
            PanelError::invalid(
                Some("parent"),
                "an addon domain or subdomain needs its parent domain",
            )
        })?;
        let parent = normalize_domain(parent).map_err(|_| {
            PanelError::invalid(
                Some("parent"),
                format!("{parent:?} is not a valid domain name"),
            )
        })?;
        // Relative roots need no home: refuse a bad one before any request.
        if let Some(root) = spec.document_root.as_deref() {
            if !looks_absolute(root) {
                written_root(root, &paths::plesk_home(&parent))?;
            }
        }
        // The parent tells whose subscription the site joins, and where its home is.
        let owner = Some(spec.owner.as_str()).filter(|o| !o.is_empty());
        let found = self.domain_named(&parent, owner).await?;
        let (home, parent_owner) = match &found {
            Some(located) => (located.home.clone(), Some(located.domain.owner.clone())),
            // Let the panel say the parent does not exist.
            None => (paths::plesk_home(&parent), None),
        };
        if let (Some(parent_owner), Some(owner)) = (&parent_owner, owner) {
            if parent_owner != owner {
                return Err(PanelError::invalid(
                    Some("parent"),
                    format!(
                        "the parent domain {parent:?} belongs to owner {parent_owner:?}, not \
                         {owner:?}; a site joins its parent's subscription, so it would belong \
                         to that owner"
                    ),
                ));
            }
        }
        let www_root = spec
            .document_root
            .as_deref()
            .map(|root| written_root(root, &home))
            .transpose()?;
        let www_root_text = www_root.as_ref().map(HomeRelative::as_str);
        let body = if spec.kind == DomainKind::Addon {
            wire::site_add(name, Some(&parent), None, www_root_text)
        } else {
            wire::site_add(name, None, Some(&parent), www_root_text)
        };
        // Plesk runs a packet's operations in order: the subscription's family read
        // after the `add` holds the new site, as a read-back would report it.
        let body = match &found {
            Some(located) => body + &wire::family(&located.webspace_id),
            None => body,
        };
        let packet = self.write(&body, &[], Touches::DOMAINS).await?;
        let id = wire::result_id(wire::single_result(&packet, "site", "add")?, "site add")?;
        if found.is_some() {
            if let Some(located) = self.located_in_family(&packet, &id).await? {
                return Ok(located.domain);
            }
        }
        Ok(Domain {
            id: object_id(&spec.owner, &id),
            name: name.to_owned(),
            owner: spec.owner.clone(),
            kind: spec.kind,
            parent: Some(parent),
            document_root: www_root.map(|root| root.normal(&home)),
            home: Some(home),
            php_version: None,
            ip_address: found.and_then(|located| located.domain.ip_address),
        })
    }
}

#[async_trait::async_trait]
impl Service<Domain> for PleskXmlBackend {
    async fn create(&self, spec: &DomainSpec) -> PanelResult<Domain> {
        if spec.php_version.is_some() {
            return Err(PanelError::unsupported(
                "the plesk_xml backend cannot set a PHP version",
            ));
        }
        let name = normalize_domain(&spec.name)?;
        match spec.kind {
            DomainKind::Main => self.create_subscription(spec, &name).await,
            DomainKind::Addon | DomainKind::Subdomain => self.create_site(spec, &name).await,
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<Domain>> {
        let Some((_, plesk_id)) = parse_object_id(&at.id) else {
            return Ok(None);
        };
        let table = self.site_table().await?;
        let Some(family) = table.family_of(plesk_id) else {
            return Ok(None);
        };
        let owner = self.listed_owner(family.webspace).await?;
        Ok(model_in(&owner, plesk_id, &family))
    }

    async fn read_back(&self, at: &Locator) -> PanelResult<Option<Domain>> {
        Ok(self.read_domain_at(at).await?.map(|located| located.domain))
    }

    async fn find(&self, key: &DomainKey) -> PanelResult<Option<Domain>> {
        let found = self
            .domain_named(key.name.as_str(), key.owner.as_deref())
            .await?;
        Ok(found
            .map(|located| located.domain)
            .filter(|domain| key.owner.as_ref().is_none_or(|o| &domain.owner == o)))
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<Domain>> {
        let table = self.site_table().await?;
        let mut out = Vec::new();
        for webspace in &table.webspaces {
            let owner = self.listed_owner(webspace).await?;
            if filter.owner.as_ref().is_some_and(|wanted| wanted != &owner) {
                continue;
            }
            let Some(family) = table.family_of(&webspace.id) else {
                continue;
            };
            out.push(main_model(&owner, webspace));
            out.extend(
                family
                    .sites
                    .iter()
                    .map(|site| site_model(&owner, site, &family)),
            );
        }
        Ok(out)
    }

    async fn update(&self, at: &Locator, patch: &DomainPatch) -> PanelResult<Domain> {
        if patch.php_version.is_some() {
            return Err(PanelError::unsupported(
                "the plesk_xml backend cannot change a PHP version",
            ));
        }
        let current = self.read_domain_at(at).await?.ok_or_else(|| {
            PanelError::not_found(format!("plesk domain {} does not exist", at.id))
        })?;
        let subscription = current.operator == "webspace";
        if !subscription && patch.ip_address.is_some() {
            return Err(PanelError::invalid(
                Some("ip_address"),
                "plesk sites use their subscription's IP address",
            ));
        }
        if !subscription && patch.system_password.is_some() {
            return Err(PanelError::invalid(
                Some("system_password"),
                "only a subscription (`main` domain) has a system (FTP) user; addon domains \
                 and subdomains use their subscription's",
            ));
        }
        let www_root = patch
            .document_root
            .as_deref()
            .map(|root| written_root(root, &current.home))
            .transpose()?
            .filter(|root| {
                current.domain.document_root.as_deref() != Some(&root.normal(&current.home))
            });
        let ip = patch
            .ip_address
            .as_deref()
            .filter(|ip| current.domain.ip_address.as_deref() != Some(*ip));
        let password: Option<&Secret> = patch
            .system_password
            .as_ref()
            .filter(|p| !p.expose().is_empty());
        let changes = HostingChanges {
            www_root: www_root.as_ref().map(HomeRelative::as_str),
            ip_address: ip,
            ftp_password: password,
        };
        if changes.is_empty() {
            return Ok(current.domain);
        }
        let secrets: Vec<&Secret> = password.into_iter().collect();
        let packet = self
            .write(
                &wire::hosting_set(current.operator, &current.plesk_id, &changes),
                &secrets,
                Touches::DOMAINS,
            )
            .await?;
        wire::single_result(&packet, current.operator, "set")?;
        self.read_domain(&current.plesk_id, Some(&current.domain.owner))
            .await?
            .map(|located| located.domain)
            .ok_or_else(|| PanelError::not_found(format!("plesk domain {} disappeared", at.id)))
    }

    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let Some((_, plesk_id)) = parse_object_id(&at.id) else {
            return Ok(());
        };
        // Subscriptions and sites share one id space: one packet deletes whichever it
        // is (the other operation answers "not found"), without reading it first. A
        // subscription takes its sites and databases with it.
        let body = wire::del("webspace", plesk_id) + &wire::del("site", plesk_id);
        let packet = self
            .write(&body, &[], Touches::DOMAINS_AND_DATABASES)
            .await?;
        let mut refusal = None;
        for operator in ["webspace", "site"] {
            match not_found_is_none(wire::single_result(&packet, operator, "del")) {
                Ok(Some(_)) => return Ok(()),
                Ok(None) => {}
                Err(error) => {
                    refusal.get_or_insert(error);
                }
            }
        }
        refusal.map_or(Ok(()), Err)
    }

    async fn import(&self, id: &str) -> PanelResult<Option<Domain>> {
        if parse_object_id(id).is_some() {
            return self.read_back(&Locator::new(id)).await;
        }
        match DomainName::parse(id) {
            Ok(name) => self.find(&DomainKey { name, owner: None }).await,
            Err(_) => Ok(None),
        }
    }

    fn import_id(&self, object: &Domain) -> String {
        object.name.clone()
    }

    fn import_format(&self) -> &'static str {
        "its domain name (or its id, CLIENT_ID/DOMAIN_ID)"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, name: &str) -> DomainRecord {
        DomainRecord {
            id: id.into(),
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn site_kinds_are_inferred_from_names() {
        let webspace = record("1", "example.com");
        let sites = [
            record("2", "shop.example.com"),
            record("3", "addon.org"),
            record("4", "blog.addon.org"),
        ];
        let family = Family {
            webspace: &webspace,
            sites: sites.iter().collect(),
        };
        assert_eq!(
            site_kind(&sites[0], &family),
            (DomainKind::Subdomain, "example.com".to_owned())
        );
        assert_eq!(
            site_kind(&sites[1], &family),
            (DomainKind::Addon, "example.com".to_owned())
        );
        assert_eq!(
            site_kind(&sites[2], &family),
            (DomainKind::Subdomain, "addon.org".to_owned())
        );
    }

    #[test]
    fn homes_and_document_roots_follow_the_subscription() {
        let mut webspace = record("1", "example.com");
        assert_eq!(home_of(&webspace), "/var/www/vhosts/example.com");
        webspace.www_root = Some("/data/vh/example.com/httpdocs".into());
        assert_eq!(home_of(&webspace), "/data/vh/example.com");
        let main = main_model("7", &webspace);
        assert_eq!(main.document_root.as_deref(), Some("/httpdocs"));
        assert_eq!(main.id, "7/1");

        let mut site = record("2", "shop.example.org");
        site.webspace_id = Some("1".into());
        site.www_root = Some("/data/vh/example.com/shop.example.org".into());
        let family = Family {
            webspace: &webspace,
            sites: vec![&site],
        };
        let model = site_model("7", &site, &family);
        assert_eq!(model.document_root.as_deref(), Some("/shop.example.org"));
        assert_eq!(model.kind, DomainKind::Addon);
        assert_eq!(model.parent.as_deref(), Some("example.com"));
    }

    #[test]
    fn written_roots_are_refused_naming_document_root() {
        let home = "/var/www/vhosts/example.com";
        assert_eq!(
            written_root("/var/www/vhosts/example.com/public", home)
                .unwrap()
                .as_str(),
            "public"
        );
        let error = written_root("/var/www/vhosts/other.com/public", home).unwrap_err();
        assert_eq!(
            error.kind,
            crate::panel::PanelErrorKind::InvalidInput {
                field: Some("document_root".into())
            }
        );
        assert!(error.message.contains("outside"), "{}", error.message);
        assert!(looks_absolute("/var/www/x"));
        assert!(!looks_absolute("/public"));
        assert!(!looks_absolute("public"));
    }
}
