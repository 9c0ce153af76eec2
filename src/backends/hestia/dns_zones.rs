//! HestiaCP DNS domains as `panel_dns_zone`: `v-add-dns-domain USER DOMAIN IP`, the
//! zone's TTL (`v-change-dns-domain-ttl`) and IP (`v-change-dns-domain-ip`),
//! `v-delete-dns-domain`, read from `v-list-dns-domains USER json` (record 107) and
//! `v-list-dns-domain USER DOMAIN json` (record 108). The id is `USER/ZONE`. Deleting the
//! zone deletes every record in it (that is the command); the provider never deletes
//! records one by one for a zone.

use crate::panel::names::DomainName;
use crate::panel::{
    DnsZone, DnsZoneKey, DnsZonePatch, DnsZoneSpec, ListFilter, Locator, PanelError, PanelResult,
    Service,
};

use super::wire::{self, DnsDomainRecord};
use super::{missing_owner_is_input_error, HestiaBackend, Touches};

/// The TTL HestiaCP gives a new zone (`ZONE_TTL`, record 108).
const DEFAULT_TTL: i64 = 14400;

fn zone_of(owner: &str, name: &str, record: &DnsDomainRecord) -> DnsZone {
    let name = name.to_ascii_lowercase();
    DnsZone {
        id: format!("{owner}/{name}"),
        owner: owner.to_owned(),
        name,
        ip: record.ip.clone(),
        ttl: record.ttl.trim().parse().unwrap_or(DEFAULT_TTL),
        template: record.tpl.clone(),
    }
}

fn normal_zone(name: &str) -> PanelResult<String> {
    DomainName::parse(name.trim().trim_end_matches('.'))
        .map(|n| n.to_string())
        .map_err(|problem| {
            PanelError::invalid(
                Some("name"),
                format!("must be a domain name; {name:?} {problem}"),
            )
        })
}

/// `USER/ZONE` into its parts.
fn parse_id(id: &str) -> PanelResult<(String, String)> {
    match id.trim().split_once('/') {
        Some((owner, zone)) if !owner.is_empty() && !zone.is_empty() && !zone.contains('/') => {
            Ok((owner.to_owned(), normal_zone(zone)?))
        }
        _ => Err(PanelError::invalid(
            Some("id"),
            format!("hestia DNS zone ids look like USER/ZONE (e.g. bob/example.com), got {id:?}"),
        )),
    }
}

fn check_ttl(ttl: i64) -> PanelResult<()> {
    if (60..=2_147_483_647).contains(&ttl) {
        Ok(())
    } else {
        Err(PanelError::invalid(
            Some("ttl"),
            format!("must be between 60 and 2147483647 seconds, got {ttl}"),
        ))
    }
}

impl HestiaBackend {
    /// One zone of `owner`, fresh; `None` when it (or the owner) does not exist.
    async fn dns_zone(&self, owner: &str, zone: &str) -> PanelResult<Option<DnsZone>> {
        let command = wire::list_dns_domain(owner, zone);
        let Some(body) = self.read_optional(&command).await? else {
            return Ok(None);
        };
        Ok(wire::parse_keyed::<DnsDomainRecord>(command.name, &body)?
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(zone))
            .map(|(name, record)| zone_of(owner, &name, &record)))
    }

    /// Every zone of `owner`; none when the owner does not exist.
    async fn dns_zones_of(&self, owner: &str) -> PanelResult<Vec<DnsZone>> {
        let command = wire::list_dns_domains(owner);
        let Some(body) = self.read_optional(&command).await? else {
            return Ok(Vec::new());
        };
        Ok(wire::parse_keyed::<DnsDomainRecord>(command.name, &body)?
            .into_iter()
            .map(|(name, record)| zone_of(owner, &name, &record))
            .collect())
    }
}

#[async_trait::async_trait]
impl Service<DnsZone> for HestiaBackend {
    async fn create(&self, spec: &DnsZoneSpec) -> PanelResult<DnsZone> {
        let zone = normal_zone(&spec.name)?;
        if spec.ip.parse::<std::net::Ipv4Addr>().is_err() {
            return Err(PanelError::invalid(
                Some("ip"),
                format!("must be an IPv4 address, got {:?}", spec.ip),
            ));
        }
        if let Some(ttl) = spec.ttl {
            check_ttl(ttl)?;
        }
        let owner = spec.owner.as_str();
        let key = format!("{owner}/{zone}");
        self.write(
            &wire::add_dns_domain(owner, &zone, &spec.ip),
            Touches::DnsRecords(owner, &key),
        )
        .await
        .map_err(missing_owner_is_input_error)?;
        let partial = DnsZone {
            id: format!("{owner}/{zone}"),
            owner: owner.to_owned(),
            name: zone.clone(),
            ip: spec.ip.clone(),
            ttl: DEFAULT_TTL,
            template: String::new(),
        };
        if let Some(ttl) = spec.ttl.filter(|ttl| *ttl != DEFAULT_TTL) {
            self.write(
                &wire::change_dns_domain_ttl(owner, &zone, ttl),
                Touches::DnsRecords(owner, &key),
            )
            .await
            .map_err(|e| e.with_partial(partial.clone()))?;
        }
        match self.dns_zone(owner, &zone).await {
            Ok(Some(created)) => Ok(created),
            Ok(None) => Err(PanelError::protocol(format!(
                "v-add-dns-domain succeeded, but v-list-dns-domain finds no zone {zone}"
            ))
            .with_partial(partial)),
            Err(e) => Err(e.with_partial(partial)),
        }
    }

    async fn get(&self, at: &Locator) -> PanelResult<Option<DnsZone>> {
        let (owner, zone) = parse_id(&at.id)?;
        self.dns_zone(&owner, &zone).await
    }

    async fn find(&self, key: &DnsZoneKey) -> PanelResult<Option<DnsZone>> {
        let Ok(zone) = normal_zone(&key.name) else {
            return Ok(None);
        };
        self.dns_zone(&key.owner, &zone).await
    }

    async fn list(&self, filter: &ListFilter) -> PanelResult<Vec<DnsZone>> {
        let owners: Vec<String> = match &filter.owner {
            Some(owner) => vec![owner.clone()],
            None => self
                .all_users()
                .await?
                .iter()
                .map(|u| u.id.clone())
                .collect(),
        };
        let mut zones = Vec::new();
        for owner in owners {
            zones.extend(self.dns_zones_of(&owner).await?);
        }
        Ok(zones)
    }

    async fn update(&self, at: &Locator, patch: &DnsZonePatch) -> PanelResult<DnsZone> {
        let (owner, zone) = parse_id(&at.id)?;
        let key = format!("{owner}/{zone}");
        if let Some(ip) = &patch.ip {
            if ip.parse::<std::net::Ipv4Addr>().is_err() {
                return Err(PanelError::invalid(
                    Some("ip"),
                    format!("must be an IPv4 address, got {ip:?}"),
                ));
            }
            self.write(
                &wire::change_dns_domain_ip(&owner, &zone, ip),
                Touches::DnsRecords(&owner, &key),
            )
            .await?;
        }
        if let Some(ttl) = patch.ttl {
            check_ttl(ttl)?;
            self.write(
                &wire::change_dns_domain_ttl(&owner, &zone, ttl),
                Touches::DnsRecords(&owner, &key),
            )
            .await?;
        }
        self.dns_zone(&owner, &zone)
            .await?
            .ok_or_else(|| PanelError::not_found(format!("DNS zone {} is gone", at.id)))
    }

    /// Deleting the zone deletes every record in it (`v-delete-dns-domain`); a zone
    /// already gone is fine.
    async fn delete(&self, at: &Locator) -> PanelResult<()> {
        let (owner, zone) = parse_id(&at.id)?;
        let key = format!("{owner}/{zone}");
        match self
            .write(
                &wire::delete_dns_domain(&owner, &zone),
                Touches::DnsRecords(&owner, &key),
            )
            .await
        {
            Ok(()) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn import(&self, id: &str) -> PanelResult<Option<DnsZone>> {
        let (owner, zone) = parse_id(id)?;
        self.dns_zone(&owner, &zone).await
    }

    fn import_id(&self, object: &DnsZone) -> String {
        object.id.clone()
    }

    fn import_format(&self) -> &'static str {
        "USER/ZONE (e.g. bob/example.com)"
    }
}
