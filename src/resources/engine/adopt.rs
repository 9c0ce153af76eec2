//! What `terraform-provider-panel adopt` needs from each type, derived from the type's
//! description: every object the panel holds, as the configuration that describes it
//! (the configurable attributes with the panel's values), its import id, and which of
//! its attributes name other objects (so the generated configuration can use references
//! instead of literal ids). A new type is adopted without touching the command: it only
//! declares [`ObjectType::references`] and [`ObjectType::adopt_key`].

use std::marker::PhantomData;

use super::{service_of, ObjectType};
use crate::framework::model::Model;
use crate::framework::schema::Attribute;
use crate::panel::{ListFilter, PanelHandle, PanelObject, PanelResult};
use crate::tfvalue::Value;

/// One object of the panel, as configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct AdoptedObject {
    /// `panel_user`.
    pub type_name: &'static str,
    /// The panel's id (what state will hold).
    pub id: String,
    /// What `terraform import` takes for it.
    pub import_id: String,
    /// The natural key in words, for resource names and filters: `alice`,
    /// `example.com`, `alice/shop`.
    pub key: String,
    /// The id of the user the object belongs to (a user: its own id).
    pub customer: Option<String>,
    /// The configurable attributes to write, with the panel's values, in schema order.
    pub attributes: Vec<(String, Value)>,
    /// Write-only attributes, written as commented hints.
    pub write_only: Vec<String>,
    /// `(attribute, type, attribute of that type)`: which attribute values name
    /// another object, e.g. `("owner", "panel_user", "id")`.
    pub references: &'static [(&'static str, &'static str, &'static str)],
    /// Why the object is left out unless asked for by `--owner` (the panel's
    /// administrator): it and everything of its customer.
    pub left_out: Option<&'static str>,
}

/// A type's side of the adopt command.
#[async_trait::async_trait]
pub trait Adopt: Send + Sync {
    fn type_name(&self) -> &'static str;

    /// Adopted only when `--types` names the type (DNS records: a whole-panel adopt
    /// would write every record the panel's zone template made).
    fn only_when_named(&self) -> bool {
        false
    }

    /// Every object of the type the panel holds (of one owner when `owner` is set),
    /// as configuration; `Ok(None)` when the panel has no such objects.
    async fn adopt(
        &self,
        panel: &PanelHandle,
        owner: Option<&str>,
    ) -> PanelResult<Option<Vec<AdoptedObject>>>;
}

/// The adopter of type `T`.
pub struct Adopter<T>(PhantomData<fn() -> T>);

impl<T> Default for Adopter<T> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

/// Whether a resource attribute belongs in configuration: set by the user (required
/// or optional), not write-only and not a write-only value's version trigger.
fn is_configurable(attribute: &Attribute) -> bool {
    (attribute.required || attribute.optional)
        && !attribute.write_only
        && !attribute.name.ends_with("_wo_version")
}

impl<T: ObjectType> Adopter<T> {
    /// `object` as configuration: every configurable attribute with a value that is
    /// neither null nor the schema's default.
    pub fn describe(panel: &PanelHandle, object: &T::Object, import_id: String) -> AdoptedObject {
        let model = T::state(panel, object, None);
        let value = model.to_value();
        let mut attributes = Vec::new();
        let mut write_only = Vec::new();
        for attribute in T::Model::attributes() {
            if attribute.write_only {
                write_only.push(attribute.name.clone());
                continue;
            }
            if !is_configurable(&attribute) || T::adopt_skips(panel, &attribute.name) {
                continue;
            }
            let current = value
                .get_attr(&attribute.name)
                .cloned()
                .unwrap_or(Value::Null);
            if current.is_null() || current.is_unknown() {
                continue;
            }
            if attribute.default_value() == Some(&current) {
                continue;
            }
            attributes.push((attribute.name.clone(), current));
        }
        let customer = match T::locator(&model).owner {
            Some(owner) => Some(owner),
            None if T::IS_CUSTOMER => Some(object.id().to_owned()),
            None => None,
        };
        AdoptedObject {
            type_name: T::TYPE_NAME,
            id: object.id().to_owned(),
            import_id,
            key: T::adopt_key(&model),
            customer,
            attributes,
            write_only,
            references: T::references(),
            left_out: T::adopt_leaves_out(object),
        }
    }
}

#[async_trait::async_trait]
impl<T: ObjectType> Adopt for Adopter<T> {
    fn type_name(&self) -> &'static str {
        T::TYPE_NAME
    }

    fn only_when_named(&self) -> bool {
        T::ADOPT_ONLY_WHEN_NAMED
    }

    async fn adopt(
        &self,
        panel: &PanelHandle,
        owner: Option<&str>,
    ) -> PanelResult<Option<Vec<AdoptedObject>>> {
        let service = match service_of::<T>(panel) {
            Ok(service) => service,
            Err(_) => return Ok(None),
        };
        let filter = ListFilter {
            owner: owner.map(str::to_owned),
        };
        let objects = service.list(&filter).await?;
        let mut adopted: Vec<AdoptedObject> = objects
            .iter()
            .filter(|object| {
                // A type without owners (users) is filtered by its own id.
                owner.is_none_or(|owner| match object.owner() {
                    Some(of) => of == owner,
                    None => object.id() == owner,
                })
            })
            .map(|object| Self::describe(panel, object, service.import_id(object)))
            .collect();
        adopted.sort_by(|a, b| a.key.cmp(&b.key).then_with(|| a.id.cmp(&b.id)));
        adopted.dedup_by(|a, b| a.id == b.id);
        Ok(Some(adopted))
    }
}
