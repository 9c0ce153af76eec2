//! `panel_dns_zone`: a DNS zone as an object of its own (HestiaCP's DNS domain), with
//! the `panel_dns_zone` / `panel_dns_zones` data sources. The other panels make the
//! zone with the domain: the resource is refused there at plan time.

use std::cmp::Ordering;
use std::net::Ipv4Addr;

use crate::attr;
use crate::framework::diag::Diagnostics;
use crate::framework::model::Field;
use crate::framework::validate;
use crate::panel::names::DomainName;
use crate::panel::{
    DnsZone, DnsZoneKey, DnsZonePatch, DnsZoneSpec, ListFilter, Locator, PanelHandle,
};

use super::engine::{ObjectType, TypedPlan};

crate::model! {
    /// The attributes of `panel_dns_zone`.
    pub struct DnsZoneModel {
        id: String
            .computed()
            .use_state_for_unknown()
            .markdown("The panel's id for the zone: `USER/ZONE` on HestiaCP."),
        owner: String
            .required()
            .requires_replace()
            .markdown(
                "The `id` of the `panel_user` the zone belongs to (HestiaCP: the login). \
                 Changing it replaces the zone.",
            ),
        name: String
            .required()
            .requires_replace()
            .validator(validate::custom("zone name", |value| {
                let name = value.as_str()?;
                DomainName::parse(name)
                    .err()
                    .map(|problem| format!("must be a domain name; {name:?} {problem}"))
            }))
            .markdown("The zone's domain name, e.g. `example.com`. Changing it replaces the zone."),
        ip: String
            .required()
            .validator(validate::custom("IPv4 address", |value| {
                let ip = value.as_str()?;
                ip.parse::<Ipv4Addr>()
                    .err()
                    .map(|_| format!("must be an IPv4 address, got {ip:?}"))
            }))
            .markdown(
                "The IPv4 address the zone's template records (`@`, `mail`, SPF) point to \
                 (`v-add-dns-domain`), changed in place (`v-change-dns-domain-ip`).",
            ),
        ttl: i64
            .optional()
            .computed()
            .use_state_for_unknown()
            .validator(validate::int_between(60, 2_147_483_647))
            .markdown(
                "The zone's default TTL in seconds; the panel's (14400) when unset. Changed in \
                 place (`v-change-dns-domain-ttl`).",
            ),
        template: String
            .computed()
            .use_state_for_unknown()
            .markdown("The DNS template the panel made the zone from (read only)."),
    }
}

crate::model! {
    /// The filters of `panel_dns_zones`.
    pub struct DnsZoneFilters {
        owner: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown("Only zones of this user: a `panel_user` `id`."),
    }
}

/// `panel_dns_zone` on the engine.
pub struct DnsZoneType;

const PANEL_MAPPING: &str = "On HestiaCP a DNS zone is a DNS domain of a user \
     (`v-add-dns-domain`, `v-list-dns-domain(s)`); the other panels make the zone with the \
     domain, and have no zones of their own.";

impl ObjectType for DnsZoneType {
    type Model = DnsZoneModel;
    type Object = DnsZone;
    type Filters = DnsZoneFilters;

    const TYPE_NAME: &'static str = "panel_dns_zone";
    const LIST_TYPE_NAME: &'static str = "panel_dns_zones";
    const LIST_ATTRIBUTE: &'static str = "zones";
    /// A web domain made with DNS support brings its zone: adopting zones is asked for
    /// by name (`--types dns_zone`), like their records.
    const ADOPT_ONLY_WHEN_NAMED: bool = true;

    fn references() -> &'static [(&'static str, &'static str, &'static str)] {
        &[("owner", "panel_user", "id")]
    }

    fn adopt_key(state: &DnsZoneModel) -> String {
        state.name.owned().unwrap_or_default()
    }

    fn unsupported_hint(_panel: &PanelHandle) -> Option<String> {
        Some(
            "There the zone comes with the domain (`panel_domain`), and `panel_dns_record` \
             alone manages its records."
                .to_owned(),
        )
    }

    fn description() -> String {
        "A DNS zone as an object of its own: HestiaCP's DNS domain, with the records its DNS \
         template makes.\n\n\
         | Panel | What it is | Import id |\n\
         |---|---|---|\n\
         | HestiaCP | a DNS domain of the user (`v-add-dns-domain USER DOMAIN IP`, \
         `v-change-dns-domain-ip`, `v-change-dns-domain-ttl`, `v-delete-dns-domain`) | \
         `USER/ZONE`, e.g. `bob/example.com` |\n\
         | Plesk (REST and XML API), PanelAlpha | not offered: the zone comes with the domain \
         and `panel_dns_record` manages its records; refused at plan time | |\n\n\
         Creating a zone makes the records of the panel's DNS template (NS, `@`, `www`, \
         `mail`, SPF, ...); Terraform does not manage those, and never changes or deletes \
         them one by one. **Deleting the zone deletes every record in it**, those of \
         `panel_dns_record` resources and those Terraform does not manage alike: that is what \
         HestiaCP's `v-delete-dns-domain` does. A zone is identified by its owner and name: \
         an existing zone is reported (with the import command), never taken over.\n\n\
         ## Import\n\n\
         * HestiaCP: `USER/ZONE`, e.g. `bob/example.com`.\n\n\
         ```shell\n\
         terraform import panel_dns_zone.main bob/example.com\n\
         ```"
        .to_owned()
    }

    fn lookup_description() -> String {
        format!(
            "Looks up one existing DNS zone, either by `id` or by `owner` + `name` (exactly one \
             of the two). {PANEL_MAPPING}"
        )
    }

    fn list_description() -> String {
        format!(
            "Lists the panel's DNS zones, optionally only those of one `owner`. {PANEL_MAPPING} \
             Zones are sorted by owner and name."
        )
    }

    fn label(model: &DnsZoneModel) -> String {
        match (model.name.str(), model.id.str()) {
            (Some(name), _) => format!("DNS zone {name:?}"),
            (None, Some(id)) => format!("DNS zone {id:?}"),
            (None, None) => "DNS zone".to_owned(),
        }
    }

    fn attribute_of(field: &str) -> Option<&'static str> {
        match field {
            "domain" | "name" | "zone" => Some(attr!(DnsZoneModel, name)),
            "ip" => Some(attr!(DnsZoneModel, ip)),
            "ttl" => Some(attr!(DnsZoneModel, ttl)),
            "owner" | "user" => Some(attr!(DnsZoneModel, owner)),
            _ => None,
        }
    }

    fn plan(_panel: Option<&PanelHandle>, _plan: &mut TypedPlan<DnsZoneModel>) {}

    fn spec(
        _panel: &PanelHandle,
        planned: &DnsZoneModel,
        _config: &DnsZoneModel,
    ) -> Result<DnsZoneSpec, Diagnostics> {
        Ok(DnsZoneSpec {
            owner: planned.owner.owned().unwrap_or_default(),
            name: planned.name.owned().unwrap_or_default(),
            ip: planned.ip.owned().unwrap_or_default(),
            ttl: planned.ttl.get().copied(),
        })
    }

    fn patch(
        _panel: &PanelHandle,
        prior: &DnsZoneModel,
        planned: &DnsZoneModel,
        _config: &DnsZoneModel,
    ) -> Result<DnsZonePatch, Diagnostics> {
        let mut patch = DnsZonePatch::default();
        if prior.ip != planned.ip {
            patch.ip = planned.ip.owned();
        }
        if prior.ttl != planned.ttl {
            patch.ttl = planned.ttl.get().copied();
        }
        Ok(patch)
    }

    fn state(_panel: &PanelHandle, zone: &DnsZone, prior: Option<&DnsZoneModel>) -> DnsZoneModel {
        let name = match prior.and_then(|p| p.name.str()) {
            Some(configured)
                if configured
                    .trim_end_matches('.')
                    .eq_ignore_ascii_case(&zone.name) =>
            {
                configured.to_owned()
            }
            _ => zone.name.clone(),
        };
        DnsZoneModel {
            id: Field::text(zone.id.clone()),
            owner: Field::text(zone.owner.clone()),
            name: Field::text(name),
            ip: Field::text(zone.ip.clone()),
            ttl: Field::Known(zone.ttl),
            template: Field::text(zone.template.clone()),
        }
    }

    fn locator(state: &DnsZoneModel) -> Locator {
        Locator::new(state.id.owned().unwrap_or_default()).with_owner(state.owner.str())
    }

    fn key_of_state(panel: &PanelHandle, state: &DnsZoneModel) -> Option<DnsZoneKey> {
        Self::lookup_key(panel, state)
    }

    fn lookups() -> &'static [&'static [&'static str]] {
        &[&["id"], &["owner", "name"]]
    }

    fn lookup_key(_panel: &PanelHandle, config: &DnsZoneModel) -> Option<DnsZoneKey> {
        Some(DnsZoneKey {
            owner: config.owner.owned()?,
            name: config.name.owned()?,
        })
    }

    fn list_filter(filters: &DnsZoneFilters) -> ListFilter {
        ListFilter {
            owner: filters.owner.owned(),
        }
    }

    fn list_keeps(filters: &DnsZoneFilters, item: &DnsZoneModel) -> bool {
        filters
            .owner
            .str()
            .is_none_or(|owner| item.owner.str() == Some(owner))
    }

    fn list_order(a: &DnsZoneModel, b: &DnsZoneModel) -> Ordering {
        let key = |m: &DnsZoneModel| (m.owner.owned(), m.name.owned());
        key(a).cmp(&key(b))
    }
}
