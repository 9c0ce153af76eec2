//! `panel_dns_record`: one record of a DNS zone (HestiaCP: a record of a user's DNS
//! domain; Plesk REST and XML: a record of a subscription's or site's zone), with the
//! `panel_dns_record` / `panel_dns_records` data sources; PanelAlpha: a record of a zone of
//! the owner's hosting account, addressed by line. Plesk XML has no TTL (`ttl` refused at
//! plan time) and no record update: a change is a new record, so the plan shows the id as
//! unknown.

use std::cmp::Ordering;

use crate::attr;
use crate::framework::diag::Diagnostics;
use crate::framework::model::Field;
use crate::framework::validate;
use crate::panel::dns_record::{
    content, has_priority, normal_name, normal_zone, same_name, same_value, same_zone,
    value_problem, RECORD_TYPES,
};
use crate::panel::{
    DnsRecord, DnsRecordKey, DnsRecordPatch, DnsRecordSpec, ListFilter, Locator, PanelHandle,
};
use crate::tfvalue::AttributePath;

use super::engine::{ObjectType, TypedPlan};

crate::model! {
    /// The attributes of `panel_dns_record`.
    pub struct DnsRecordModel {
        id: String
            .computed()
            .use_state_for_unknown()
            .markdown(
                "The panel's id for the record: `USER/ZONE/ID` on HestiaCP (the record number \
                 `v-list-dns-records` shows), `ZONE/ID` on Plesk REST and XML, `USER_ID/ACCOUNT_ID/ZONE/LINE` on PanelAlpha. The provider also remembers the record's content \
                 and checks it before every change: a number the panel handed to another \
                 record is never changed or deleted. On Plesk XML a change of `name`, \
                 `value` or `priority` is a new record with a new id.",
            ),
        zone: String
            .required()
            .requires_replace()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "The zone's domain name, e.g. `example.com` (case and a trailing dot do not \
                 matter). The zone must exist on the panel (HestiaCP: a DNS domain of `owner`, \
                 added by `v-add-dns-domain`, or by `v-add-domain` with the web domain); a missing zone fails \
                 naming this attribute. Changing it replaces the record.",
            ),
        owner: String
            .optional()
            .requires_replace()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "The `id` of the `panel_user` whose zone it is. Required on HestiaCP and \
                 PanelAlpha, where zones belong to users (refused at plan time when missing); not needed on \
                 Plesk, where the zone name is enough (kept as configured). Changing it \
                 replaces the record.",
            ),
        r#type: String
            .required()
            .requires_replace()
            .validator(validate::one_of(&RECORD_TYPES))
            .markdown(
                "The record type, upper case: `A`, `AAAA`, `CNAME`, `MX`, `TXT`, `SRV`, `CAA` \
                 or `NS`. Changing it replaces the record.",
            ),
        name: String
            .required()
            .markdown(
                "The name relative to the zone: `www`, `_dmarc`, `_sip._tcp`; `@` for the \
                 zone's apex. `@`, the empty string and the zone's own name (with or without \
                 a trailing dot) all mean the apex, and a fully qualified name inside the zone \
                 (`www.example.com.`) means `www`; names compare case-insensitively. The \
                 configured spelling is kept in state. Changed in place. After an import, which \
                 reads the panel's spelling (`@`), a name configured in another spelling of the \
                 same name shows one in-place update of `name` that sends nothing to the panel.",
            ),
        value: String
            .required()
            .markdown(
                "The record's data: an IPv4 address (A), an IPv6 address (AAAA), a host name \
                 (CNAME, MX, NS; a trailing dot does not matter), `WEIGHT PORT TARGET` (SRV, \
                 the priority apart in `priority`), `FLAGS TAG \"VALUE\"` (CAA), or the text \
                 (TXT: written without surrounding quotes; values longer than 255 bytes are \
                 kept as one value). Checked per type at plan time. Changed in place. \
                 HestiaCP removes double quotes from TXT values, so a TXT value holding `\"` \
                 (or `\\`) is refused there at plan time.",
            ),
        ttl: i64
            .optional()
            .computed()
            .use_state_for_unknown()
            .validator(validate::int_between(60, 2_147_483_647))
            .markdown(
                "Time to live in seconds. When not set, the panel's default (HestiaCP: the \
                 zone's TTL, 14400 unless changed). Changed in place. The Plesk XML API has \
                 no TTL for a record: setting it there is refused at plan time, and it stays \
                 null.",
            ),
        priority: i64
            .optional()
            .computed()
            .use_state_for_unknown()
            .validator(validate::int_between(0, 65535))
            .markdown(
                "The priority of an MX or SRV record (the panel's default, 10 on HestiaCP, when \
                 not set). Setting it on any other type is an error at plan time. Changed in \
                 place.",
            ),
    }
}

crate::model! {
    /// The filters of `panel_dns_records`.
    pub struct DnsRecordFilters {
        zone: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown("Only records of this zone (domain name)."),
        owner: String
            .optional()
            .validator(validate::string_length_at_least(1))
            .markdown(
                "Only records in zones of this user (`panel_user` `id`; HestiaCP: the login).",
            ),
        r#type: String
            .optional()
            .validator(validate::one_of(&RECORD_TYPES))
            .markdown("Only records of this type."),
    }
}

/// `panel_dns_record` on the engine.
pub struct DnsRecordType;

const PANEL_MAPPING: &str = "\n\n\
| Panel | Records | Id |\n\
|---|---|---|\n\
| HestiaCP | records of the owner's DNS domain (`v-add-dns-record`, `v-change-dns-record`, \
`v-delete-dns-record`, `v-list-dns-records USER ZONE json`) | `USER/ZONE/ID` |\n\
| Plesk (REST API) | records of the zone of a subscription or site (`/api/v2/dns/records?domain=ZONE`); \
MX/SRV priority in `opt`; `owner` is not needed | `ZONE/ID` |\n\
| Plesk (XML API) | records of the zone of a subscription or site (`dns` `add_rec`, `get_rec` by \
`site-id`, `del_rec`); MX/SRV priority in `opt`; no TTL; no record update: a change adds the new \
record, then deletes the old one | `ZONE/ID` |\n\
| PanelAlpha | records of a zone of the owner's hosting account \
(`server-accounts/{id}/dns-zones/{name}/records`), addressed by line and found again by content \
when the line moved | `USER_ID/ACCOUNT_ID/ZONE/LINE` |\n\n";

fn number(field: &Field<i64>) -> Option<u32> {
    field.get().and_then(|n| u32::try_from(*n).ok())
}

fn int(value: Option<u32>) -> Field<i64> {
    match value {
        Some(n) => Field::Known(i64::from(n)),
        None => Field::Null,
    }
}

impl ObjectType for DnsRecordType {
    type Model = DnsRecordModel;
    type Object = DnsRecord;
    type Filters = DnsRecordFilters;

    const TYPE_NAME: &'static str = "panel_dns_record";
    const LIST_TYPE_NAME: &'static str = "panel_dns_records";
    const LIST_ATTRIBUTE: &'static str = "records";
    /// A zone holds the records the panel's template made (NS, the apex A, `www`,
    /// mail): adopting them is asked for by name (`--types dns_record`).
    const ADOPT_ONLY_WHEN_NAMED: bool = true;

    fn references() -> &'static [(&'static str, &'static str, &'static str)] {
        &[("owner", "panel_user", "id")]
    }

    fn adopt_key(state: &DnsRecordModel) -> String {
        let name = state.name.str().unwrap_or_default();
        let zone = state.zone.str().unwrap_or_default();
        let value: String = state
            .value
            .str()
            .unwrap_or_default()
            .chars()
            .take(30)
            .collect();
        format!(
            "{zone} {} {} {value}",
            state.r#type.str().unwrap_or_default(),
            normal_name(name, zone)
        )
    }

    fn description() -> String {
        format!(
            "A DNS record of a zone: A, AAAA, CNAME, MX, TXT, SRV, CAA or NS.{PANEL_MAPPING}\
             A record is identified by its content (zone, type, name, value and priority), \
             not only by the panel's number: HestiaCP hands the highest number out again \
             after its record is deleted, and PanelAlpha's lines move up when a record above \
             them is deleted, so before every read, change and delete the provider \
             checks that the numbered record still holds what it remembers, finds it again by \
             content when it does not, and never changes or deletes a record holding anything \
             else. Records Terraform does not manage in the same zone are left alone. An \
             existing identical record is reported (with the import command) instead of being \
             created twice, and a record whose create answer was lost is found again by \
             content.\n\n\
             TXT values are written without surrounding quotes and read back exactly \
             (HestiaCP wraps values holding a space or `;` in quotes, which the provider \
             removes on read; values longer than 255 bytes are one value). HestiaCP removes \
             double quotes inside TXT values, so those are refused at plan time there; \
             Plesk keeps them.\n\n\
             The Plesk XML API cannot change a record: a change of `name`, `value` or \
             `priority` adds the new record first and deletes the old one once the new one \
             exists, so the name never goes without a record (a replacement would delete \
             first). The record gets a new id. When the old record cannot be deleted, the \
             new one is deleted again and the apply fails with nothing changed.\n\n\
             ## Import\n\n\
             * HestiaCP: `USER/ZONE/ID`, e.g. `bob/example.com/22` (the id column of \
             `v-list-dns-records USER ZONE`), or by content `USER/ZONE/TYPE/NAME/VALUE`, e.g. \
             `bob/example.com/MX/@/mail.example.com` (the value may contain `/`; the \
             lowest-numbered matching record).\n\
             * Plesk REST and XML: `ZONE/ID`, e.g. `example.com/42` (the record id of \
             `GET /api/v2/dns/records?domain=ZONE`, or of `dns` `get_rec` by site-id), or by \
             content `ZONE/TYPE/NAME/VALUE`.\n\
             * PanelAlpha: `USER_ID/ACCOUNT_ID/ZONE/LINE`, e.g. `3/7/example.com/12` (the \
             record's line in `GET server-accounts/{{id}}/dns-zones/{{name}}/records`), or by \
             content `USER_ID/ZONE/TYPE/NAME/VALUE`.\n\n\
             ```shell\n\
             terraform import panel_dns_record.www bob/example.com/22\n\
             ```"
        )
    }

    fn lookup_description() -> String {
        format!(
            "Looks up one existing DNS record, either by `id` or by `zone` + `type` + `name` + \
             `value` (exactly one of the two; names and host values in any spelling of the \
             same name; the lowest-numbered when several match), and exposes its attributes. \
             On HestiaCP a lookup by content finds the zone among every user's (one listing \
             per user); on PanelAlpha, without `owner`, among every user's hosting accounts \
             (one zone list per account).{PANEL_MAPPING}Reading fails with an error naming the lookup when no \
             record matches."
        )
    }

    fn list_description() -> String {
        format!(
            "Lists DNS records, optionally only those of one `zone`, one `owner` or one \
             `type`.{PANEL_MAPPING}HestiaCP: the owner's zones (`v-list-dns-domains`), one \
             `v-list-dns-records` per zone; without `owner`, every user's. PanelAlpha: the \
             zones of the owner's hosting accounts, one records list per zone (the SOA record \
             is left out). Records are sorted by zone, type, name and id."
        )
    }

    fn data_attribute_description(name: &str) -> Option<String> {
        let text = match name {
            "id" => {
                "The panel's id: `USER/ZONE/ID` on HestiaCP, `ZONE/ID` on Plesk, \
                 `USER_ID/ACCOUNT_ID/ZONE/LINE` on PanelAlpha. Set it \
                 to look the record up by id, or leave it out."
            }
            "owner" => "The `id` of the user whose zone it is (`panel_user`).",
            "zone" => "The zone's domain name.",
            "type" => "The record type (`A`, `MX`, `TXT`...).",
            "name" => "The name relative to the zone, `@` for the apex.",
            "value" => "The record's data (TXT without the quotes the panel adds).",
            "ttl" => "Time to live in seconds.",
            "priority" => "The priority (MX and SRV records).",
            _ => return None,
        };
        Some(text.to_owned())
    }

    fn label(model: &DnsRecordModel) -> String {
        match (model.r#type.str(), model.name.str(), model.zone.str()) {
            (Some(rtype), Some(name), Some(zone)) => {
                format!("DNS record {rtype} {:?} in {zone}", normal_name(name, zone))
            }
            _ => match model.id.str() {
                Some(id) => format!("DNS record {id:?}"),
                None => "DNS record".to_owned(),
            },
        }
    }

    fn validate(config: &DnsRecordModel, diagnostics: &mut Diagnostics) {
        let Some(rtype) = config.r#type.str() else {
            return;
        };
        if config.priority.is_known() && !has_priority(rtype) {
            diagnostics.error_at(
                AttributePath::root(attr!(DnsRecordModel, priority)),
                "Priority Not Allowed",
                format!(
                    "`priority` applies to MX and SRV records only; remove it from this {rtype} \
                     record."
                ),
            );
        }
        if let Some(value) = config.value.str() {
            if let Some(problem) = value_problem(rtype, value) {
                diagnostics.error_at(
                    AttributePath::root(attr!(DnsRecordModel, value)),
                    "Invalid Record Value",
                    format!("`value` {problem}."),
                );
            }
        }
    }

    fn plan(panel: Option<&PanelHandle>, plan: &mut TypedPlan<DnsRecordModel>) {
        // Only MX and SRV records have a priority: elsewhere it is known to stay null.
        if let Some(rtype) = plan.planned.r#type.str() {
            if !has_priority(rtype) && plan.planned.priority.is_unknown() {
                plan.planned.priority = Field::Null;
            }
        }
        let Some(panel) = panel else {
            return;
        };
        let capabilities = panel.capabilities;
        let name = panel.name();
        if capabilities.dns_record_owner_required && plan.config.owner.is_null() {
            plan.error_at(
                attr!(DnsRecordModel, owner),
                "Missing Owner",
                format!(
                    "On the `{name}` panel a DNS zone belongs to a user: set `owner` to the \
                     `panel_user` whose zone `{}` is.",
                    plan.config.zone.str().unwrap_or("this")
                ),
            );
        }
        if !capabilities.dns_record_ttl {
            if plan.config.ttl.is_known() {
                plan.error_at(
                    attr!(DnsRecordModel, ttl),
                    "Setting Not Supported",
                    format!(
                        "The `{name}` panel has no TTL for a single DNS record (the zone's \
                         TTL applies): remove `ttl`."
                    ),
                );
            }
            if plan.planned.ttl.is_unknown() {
                plan.planned.ttl = Field::Null;
            }
        }
        if !capabilities.dns_record_update_keeps_id {
            if let Some(prior) = plan.prior.clone() {
                let zone = plan.planned.zone.str().unwrap_or_default().to_owned();
                let rtype = plan.planned.r#type.str().unwrap_or_default().to_owned();
                let name_changes = match (prior.name.str(), plan.planned.name.str()) {
                    (Some(before), Some(now)) => !same_name(before, now, &zone),
                    _ => !plan.planned.name.is_known(),
                };
                let value_changes = match (prior.value.str(), plan.planned.value.str()) {
                    (Some(before), Some(now)) => !same_value(&rtype, before, now),
                    _ => !plan.planned.value.is_known(),
                };
                let priority_changes = plan.planned.priority.is_unknown()
                    || (plan.planned.priority.is_known()
                        && prior.priority != plan.planned.priority);
                if name_changes || value_changes || priority_changes {
                    // The panel makes a new record for the change (see its backend).
                    plan.planned.id = Field::Unknown;
                }
            }
        }
        if plan.planned.r#type.str() == Some("TXT") {
            if let Some(value) = plan.planned.value.str() {
                let refused: Vec<String> = capabilities
                    .dns_txt_refuses
                    .iter()
                    .filter(|c| value.contains(**c))
                    .map(|c| format!("`{c}`"))
                    .collect();
                if !refused.is_empty() {
                    plan.error_at(
                        attr!(DnsRecordModel, value),
                        "TXT Value Not Supported",
                        format!(
                            "The `{name}` panel removes or cannot read back {} in a TXT value, \
                             so the record would not read back as configured. Write the value \
                             without it.",
                            refused.join(" and ")
                        ),
                    );
                }
            }
        }
    }

    fn spec(
        _panel: &PanelHandle,
        planned: &DnsRecordModel,
        _config: &DnsRecordModel,
    ) -> Result<DnsRecordSpec, Diagnostics> {
        let zone = planned.zone.str().unwrap_or_default();
        Ok(DnsRecordSpec {
            owner: planned.owner.owned().unwrap_or_default(),
            zone: normal_zone(zone),
            rtype: planned.r#type.owned().unwrap_or_default(),
            name: normal_name(planned.name.str().unwrap_or_default(), zone),
            value: planned.value.owned().unwrap_or_default(),
            ttl: number(&planned.ttl),
            priority: number(&planned.priority),
        })
    }

    fn patch(
        _panel: &PanelHandle,
        prior: &DnsRecordModel,
        planned: &DnsRecordModel,
        _config: &DnsRecordModel,
    ) -> Result<DnsRecordPatch, Diagnostics> {
        let zone = planned.zone.str().unwrap_or_default();
        let rtype = planned.r#type.str().unwrap_or_default();
        let mut patch = DnsRecordPatch::default();
        if let (Some(before), Some(now)) = (prior.name.str(), planned.name.str()) {
            if !same_name(before, now, zone) {
                patch.name = Some(normal_name(now, zone));
            }
        }
        if let (Some(before), Some(now)) = (prior.value.str(), planned.value.str()) {
            if !same_value(rtype, before, now) {
                patch.value = Some(now.to_owned());
            }
        }
        if planned.ttl.is_known() && prior.ttl != planned.ttl {
            patch.ttl = number(&planned.ttl);
        }
        if planned.priority.is_known() && prior.priority != planned.priority {
            patch.priority = number(&planned.priority);
        }
        Ok(patch)
    }

    /// The configured spellings of zone, name and value are kept when the panel reports
    /// the same thing.
    fn state(
        _panel: &PanelHandle,
        record: &DnsRecord,
        prior: Option<&DnsRecordModel>,
    ) -> DnsRecordModel {
        let zone = match prior.and_then(|p| p.zone.str()) {
            Some(configured) if same_zone(configured, &record.zone) => configured.to_owned(),
            _ => record.zone.clone(),
        };
        let name = match prior.and_then(|p| p.name.str()) {
            Some(configured) if same_name(configured, &record.name, &record.zone) => {
                configured.to_owned()
            }
            _ => record.name.clone(),
        };
        let value = match prior.and_then(|p| p.value.str()) {
            Some(configured) if same_value(&record.rtype, configured, &record.value) => {
                configured.to_owned()
            }
            _ => record.value.clone(),
        };
        let owner = if record.owner.is_empty() {
            prior.map(|p| p.owner.clone()).unwrap_or(Field::Null)
        } else {
            Field::text(record.owner.clone())
        };
        DnsRecordModel {
            id: Field::text(record.id.clone()),
            zone: Field::text(zone),
            owner,
            r#type: Field::text(record.rtype.clone()),
            name: Field::text(name),
            value: Field::text(value),
            ttl: int(record.ttl),
            priority: int(record.priority),
        }
    }

    fn locator(state: &DnsRecordModel) -> Locator {
        let locator =
            Locator::new(state.id.owned().unwrap_or_default()).with_owner(state.owner.str());
        match (
            state.r#type.str(),
            state.name.str(),
            state.zone.str(),
            state.value.str(),
        ) {
            (Some(rtype), Some(name), Some(zone), Some(value)) => {
                locator.with_content(content(rtype, name, zone, value, number(&state.priority)))
            }
            _ => locator,
        }
    }

    fn key_of_state(panel: &PanelHandle, state: &DnsRecordModel) -> Option<DnsRecordKey> {
        Self::lookup_key(panel, state)
    }

    fn lookups() -> &'static [&'static [&'static str]] {
        &[&["id"], &["zone", "type", "name", "value"]]
    }

    fn lookup_key(_panel: &PanelHandle, config: &DnsRecordModel) -> Option<DnsRecordKey> {
        let zone = config.zone.str()?;
        let rtype = config.r#type.str()?.to_ascii_uppercase();
        Some(DnsRecordKey {
            owner: config.owner.owned().unwrap_or_default(),
            zone: normal_zone(zone),
            name: normal_name(config.name.str()?, zone),
            value: config.value.owned()?,
            priority: number(&config.priority).filter(|_| has_priority(&rtype)),
            rtype,
        })
    }

    fn list_filter(filters: &DnsRecordFilters) -> ListFilter {
        ListFilter {
            owner: filters.owner.owned(),
        }
    }

    fn list_keeps(filters: &DnsRecordFilters, item: &DnsRecordModel) -> bool {
        let zone = item.zone.str().unwrap_or_default();
        filters
            .zone
            .str()
            .is_none_or(|wanted| same_zone(wanted, zone))
            && filters
                .owner
                .str()
                .is_none_or(|owner| item.owner.str() == Some(owner))
            && filters
                .r#type
                .str()
                .is_none_or(|rtype| item.r#type.str() == Some(rtype))
    }

    fn list_order(a: &DnsRecordModel, b: &DnsRecordModel) -> Ordering {
        let key = |m: &DnsRecordModel| {
            let id = m.id.str().unwrap_or_default();
            let number: u64 = id
                .rsplit('/')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(u64::MAX);
            (
                m.zone.owned().unwrap_or_default(),
                m.r#type.owned().unwrap_or_default(),
                m.name.owned().unwrap_or_default(),
                number,
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
    use crate::panel::{PanelKind, PanelObject};
    use std::sync::Arc;

    fn record() -> DnsRecord {
        DnsRecord {
            id: "bob/example.com/25".into(),
            owner: "bob".into(),
            zone: "example.com".into(),
            rtype: "MX".into(),
            name: "@".into(),
            value: "mx2.example.com".into(),
            ttl: Some(14400),
            priority: Some(20),
        }
    }

    #[test]
    fn the_type_attribute_is_called_type() {
        assert!(DnsRecordModel::attribute_names().contains(&"type"));
        assert_eq!(attr!(DnsRecordModel, r#type), "type");
        let value = DnsRecordModel {
            r#type: Field::text("MX"),
            ..DnsRecordModel::default()
        }
        .to_value();
        assert_eq!(DnsRecordModel::from_value(&value).r#type.str(), Some("MX"));
    }

    #[test]
    fn priority_elsewhere_than_mx_and_srv_is_refused_naming_it() {
        let mut diagnostics = Diagnostics::new();
        let config = DnsRecordModel {
            r#type: Field::text("A"),
            value: Field::text("192.0.2.1"),
            priority: Field::Known(10),
            ..DnsRecordModel::default()
        };
        DnsRecordType::validate(&config, &mut diagnostics);
        let text = format!("{diagnostics:?}");
        assert!(
            text.contains("priority") && text.contains("MX and SRV"),
            "{text}"
        );
        let mut diagnostics = Diagnostics::new();
        DnsRecordType::validate(
            &DnsRecordModel {
                r#type: Field::text("MX"),
                value: Field::text("mx.example.com"),
                ..config
            },
            &mut diagnostics,
        );
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
    }

    #[test]
    fn state_keeps_configured_spellings_and_the_locator_the_content() {
        let panel = PanelHandle::new(Arc::new(FakePanel::new(PanelKind::Hestia)));
        let prior = DnsRecordModel {
            zone: Field::text("Example.com."),
            name: Field::text("example.com."),
            value: Field::text("MX2.example.com."),
            ..DnsRecordModel::default()
        };
        let state = DnsRecordType::state(&panel, &record(), Some(&prior));
        assert_eq!(state.name.str(), Some("example.com."));
        assert_eq!(state.zone.str(), Some("Example.com."));
        assert_eq!(state.value.str(), Some("MX2.example.com."));
        assert_eq!(state.priority, Field::Known(20));
        let imported = DnsRecordType::state(&panel, &record(), None);
        assert_eq!(imported.name.str(), Some("@"));
        assert!(imported.to_value().is_wholly_known());
        let at = DnsRecordType::locator(&state);
        assert_eq!(at.content, record().locator().content);
        let patch = DnsRecordType::patch(&panel, &state, &imported, &imported).unwrap();
        assert_eq!(patch, DnsRecordPatch::default());
        let mut changed = imported.clone();
        changed.value = Field::text("mx3.example.com");
        changed.name = Field::text("mail");
        let patch = DnsRecordType::patch(&panel, &state, &changed, &changed).unwrap();
        assert_eq!(patch.value.as_deref(), Some("mx3.example.com"));
        assert_eq!(patch.name.as_deref(), Some("mail"));
    }
}
