//! The data sources every type gets from its description: [`Lookup`] (`data
//! "panel_user"`: one object by id or natural key) and [`Listing`] (`data
//! "panel_users"`: every object, filtered). Their attributes are the resource's, less
//! the write-only ones and their version triggers.

use std::marker::PhantomData;

use super::diag::Failure;
use super::{service_of, ObjectType};
use crate::framework::diag::Diagnostics;
use crate::framework::model::Model;
use crate::framework::resource::{Context, DataSource, StateResult};
use crate::framework::schema::{Attribute, Schema};
use crate::panel::{Locator, PanelHandle, PanelObject};
use crate::tfvalue::{AttributePath, Type, Value};

/// Whether a resource attribute is shown by the data sources: not write-only, and not
/// the version trigger of a write-only attribute.
fn is_data_attribute(attribute: &Attribute) -> bool {
    !attribute.write_only && !attribute.name.ends_with("_wo_version")
}

/// The data attributes of `T`, as computed attributes with data-source descriptions.
fn data_attributes<T: ObjectType>() -> Vec<Attribute> {
    T::Model::attributes()
        .into_iter()
        .filter(is_data_attribute)
        .map(|resource| {
            let description = T::data_attribute_description(&resource.name)
                .unwrap_or_else(|| resource.description.clone());
            let mut attribute =
                Attribute::new(resource.name.clone(), resource.ty.clone()).markdown(description);
            attribute.sensitive = resource.sensitive;
            attribute
        })
        .collect()
}

/// The object type of one listed item.
fn item_type<T: ObjectType>() -> Type {
    Type::object(
        data_attributes::<T>()
            .into_iter()
            .map(|attribute| (attribute.name, attribute.ty)),
    )
}

/// `object` as the data sources show it.
fn item_value<T: ObjectType>(panel: &PanelHandle, object: &T::Object) -> (T::Model, Value) {
    let model = T::state(panel, object, None);
    let full = model.to_value().unknowns_to_null();
    let names: Vec<String> = data_attributes::<T>().into_iter().map(|a| a.name).collect();
    let value = Value::Object(
        names
            .into_iter()
            .map(|name| {
                let value = full.get_attr(&name).cloned().unwrap_or(Value::Null);
                (name, value)
            })
            .collect(),
    );
    (model, value)
}

fn data_panel(ctx: &Context) -> Result<std::sync::Arc<PanelHandle>, Diagnostics> {
    ctx.provider_data::<PanelHandle>()
}

/// `` `name` = "value" `` pairs of a lookup, for diagnostics.
fn describe_lookup(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("`{name}` = {value:?}"))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// `attributes` are alternative lookups: exactly one group must be given. A group
/// counts as chosen when any of its attributes is set (unknown counts: during
/// validation a value computed elsewhere is still a lookup the user asked for).
pub fn check_exactly_one_lookup(
    type_name: &str,
    config: &Value,
    groups: &[&[&str]],
    diagnostics: &mut Diagnostics,
) {
    let is_set = |name: &str| config.get_attr(name).is_some_and(|v| !v.is_null());
    let describe = |group: &[&str]| {
        group
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(" + ")
    };
    let choices = groups
        .iter()
        .map(|group| describe(group))
        .collect::<Vec<_>>()
        .join(" or ");
    let chosen: Vec<&&[&str]> = groups
        .iter()
        .filter(|group| group.iter().any(|name| is_set(name)))
        .collect();
    match chosen.as_slice() {
        [] => diagnostics.error(
            "Missing Lookup",
            format!("data.{type_name} needs exactly one lookup: set {choices}."),
        ),
        [group] => {
            for name in group.iter().filter(|name| !is_set(name)) {
                let others = group
                    .iter()
                    .filter(|other| *other != name)
                    .map(|other| format!("`{other}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                diagnostics.error_at(
                    AttributePath::root(*name),
                    "Incomplete Lookup",
                    format!(
                        "data.{type_name}: `{name}` must be set together with {others}; the \
                         lookup needs {}.",
                        describe(group)
                    ),
                );
            }
        }
        [_, later @ ..] => {
            for group in later {
                if let Some(name) = group.iter().find(|name| is_set(name)) {
                    diagnostics.error_at(
                        AttributePath::root(*name),
                        "Conflicting Lookups",
                        format!(
                            "data.{type_name} looks an object up by exactly one of {choices}; \
                             more than one is set. Remove all but one."
                        ),
                    );
                }
            }
        }
    }
}

fn title_case(noun: &str) -> String {
    noun.split(' ')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The singular data source of type `T`.
pub struct Lookup<T>(PhantomData<fn() -> T>);

impl<T> Default for Lookup<T> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T: ObjectType> Lookup<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn schema() -> Schema {
        let groups = T::lookups();
        let lookup_attributes: Vec<&str> = groups.iter().flat_map(|g| g.iter().copied()).collect();
        let only_one_group = groups.len() == 1;
        data_attributes::<T>()
            .into_iter()
            .map(|attribute| {
                if !lookup_attributes.contains(&attribute.name.as_str()) {
                    attribute.computed()
                } else if only_one_group {
                    attribute.required()
                } else {
                    attribute.optional().computed()
                }
            })
            .fold(Schema::new(0), Schema::attribute)
            .markdown(T::lookup_description())
    }
}

#[async_trait::async_trait]
impl<T: ObjectType> DataSource for Lookup<T> {
    fn type_name(&self) -> &'static str {
        T::TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    async fn validate(&self, _ctx: &Context, config: &Value, diagnostics: &mut Diagnostics) {
        check_exactly_one_lookup(T::TYPE_NAME, config, T::lookups(), diagnostics);
    }

    async fn read(&self, ctx: &Context, config: &Value) -> StateResult {
        let mut diagnostics = Diagnostics::new();
        check_exactly_one_lookup(T::TYPE_NAME, config, T::lookups(), &mut diagnostics);
        if diagnostics.has_errors() {
            return (None, diagnostics);
        }
        let panel = match data_panel(ctx) {
            Ok(panel) => panel,
            Err(diagnostics) => return (None, diagnostics),
        };
        let service = match service_of::<T>(&panel) {
            Ok(service) => service,
            Err(diagnostics) => return (None, diagnostics),
        };
        let Some(group) = T::lookups().iter().find(|group| {
            group
                .iter()
                .all(|name| config.get_attr(name).is_some_and(Value::is_known))
        }) else {
            diagnostics.error(
                "Missing Lookup",
                format!("data.{} needs known lookup values to read.", T::TYPE_NAME),
            );
            return (None, diagnostics);
        };
        let pairs: Vec<(&str, String)> = group
            .iter()
            .map(|name| {
                let value = config
                    .get_attr(name)
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                (*name, value.to_owned())
            })
            .collect();
        let noun = <T::Object as PanelObject>::NOUN;
        let found = if *group == ["id"] {
            service.get(&Locator::new(pairs[0].1.clone())).await
        } else {
            match T::lookup_key(&panel, &T::Model::from_value(config)) {
                Some(key) => service.find(&key).await,
                None => Ok(None),
            }
        };
        let lookup = describe_lookup(&pairs);
        let attribute = group.last().copied().unwrap_or("id");
        match found {
            Ok(Some(object)) => {
                let (_, value) = item_value::<T>(&panel, &object);
                let mut state = config.clone();
                for (name, item) in value.as_object().into_iter().flatten() {
                    // The lookup attributes keep the configured spelling (Terraform
                    // insists on it); everything else comes from the panel.
                    if !group.contains(&name.as_str()) {
                        state.set_attr(name, item.clone());
                    }
                }
                (Some(state), diagnostics)
            }
            Ok(None) => {
                diagnostics.error_at(
                    AttributePath::root(attribute),
                    format!("{} Not Found", title_case(noun)),
                    format!(
                        "data.{}: {} has no {noun} with {lookup}. Check the spelling, and that \
                         the object exists on the panel this provider is configured for.",
                        T::TYPE_NAME,
                        super::diag::panel_named(&panel),
                    ),
                );
                (None, diagnostics)
            }
            Err(error) => {
                let type_name = format!("data.{}", T::TYPE_NAME);
                let label = format!("{noun} with {lookup}");
                let failure = Failure {
                    type_name: &type_name,
                    action: "look up",
                    object: &label,
                    panel: &panel,
                    attribute_of: &|field| {
                        T::attribute_of(field).filter(|name| group.contains(name))
                    },
                };
                (None, failure.diagnostics(&error))
            }
        }
    }
}

/// The plural data source of type `T`.
pub struct Listing<T>(PhantomData<fn() -> T>);

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Self(PhantomData)
    }
}

impl<T: ObjectType> Listing<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn schema() -> Schema {
        let noun = <T::Object as PanelObject>::NOUN;
        T::Filters::attributes()
            .into_iter()
            .fold(Schema::new(0), Schema::attribute)
            .attribute(
                Attribute::list_of(T::LIST_ATTRIBUTE, item_type::<T>())
                    .computed()
                    .markdown(format!(
                        "The matching {noun}s, each an object with the attributes of the \
                         `{}` data source: {}.",
                        T::TYPE_NAME,
                        data_attributes::<T>()
                            .iter()
                            .map(|a| format!("`{}`", a.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
            )
            .attribute(
                Attribute::list_of_string("ids")
                    .computed()
                    .markdown(format!(
                        "The `id` of each matching {noun}, in the same order as `{}`.",
                        T::LIST_ATTRIBUTE
                    )),
            )
            .markdown(T::list_description())
    }
}

#[async_trait::async_trait]
impl<T: ObjectType> DataSource for Listing<T> {
    fn type_name(&self) -> &'static str {
        T::LIST_TYPE_NAME
    }

    fn schema(&self) -> Schema {
        Self::schema()
    }

    async fn read(&self, ctx: &Context, config: &Value) -> StateResult {
        let panel = match data_panel(ctx) {
            Ok(panel) => panel,
            Err(diagnostics) => return (None, diagnostics),
        };
        let service = match service_of::<T>(&panel) {
            Ok(service) => service,
            Err(diagnostics) => return (None, diagnostics),
        };
        let filters = T::Filters::from_value(config);
        let filter = T::list_filter(&filters);
        let noun = <T::Object as PanelObject>::NOUN;
        let objects = match service.list(&filter).await {
            Ok(objects) => objects,
            Err(error) => {
                let type_name = format!("data.{}", T::LIST_TYPE_NAME);
                let label = match &filter.owner {
                    Some(owner) => format!("{noun}s of owner {owner:?}"),
                    None => format!("{noun}s"),
                };
                let failure = Failure {
                    type_name: &type_name,
                    action: "list",
                    object: &label,
                    panel: &panel,
                    attribute_of: &|field| (field == "owner").then_some("owner"),
                };
                return (None, failure.diagnostics(&error));
            }
        };
        let mut items: Vec<(T::Model, Value, String)> = objects
            .iter()
            .map(|object| {
                let (model, value) = item_value::<T>(&panel, object);
                (model, value, object.id().to_owned())
            })
            .filter(|(model, _, _)| T::list_keeps(&filters, model))
            .collect();
        items.sort_by(|a, b| T::list_order(&a.0, &b.0).then_with(|| a.2.cmp(&b.2)));
        items.dedup_by(|a, b| a.2 == b.2);
        let mut state = config.clone();
        state.set_attr(
            "ids",
            Value::List(
                items
                    .iter()
                    .map(|(_, _, id)| Value::string(id.clone()))
                    .collect(),
            ),
        );
        state.set_attr(
            T::LIST_ATTRIBUTE,
            Value::List(items.into_iter().map(|(_, value, _)| value).collect()),
        );
        (Some(state), Diagnostics::new())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_one_lookup_accepts_one_group_and_rejects_none_both_or_half() {
        let config = |pairs: &[(&str, Value)]| {
            Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect(),
            )
        };
        let groups: &[&[&str]] = &[&["id"], &["owner", "name"]];
        let check = |pairs: &[(&str, Value)]| {
            let mut diagnostics = Diagnostics::new();
            check_exactly_one_lookup("panel_database", &config(pairs), groups, &mut diagnostics);
            diagnostics
        };
        assert!(check(&[("id", Value::string("7")), ("name", Value::Null)]).is_empty());
        assert!(check(&[("owner", Value::string("a")), ("name", Value::unknown())]).is_empty());
        let none = check(&[("id", Value::Null)]);
        assert_eq!(none.0.len(), 1);
        assert!(none.0[0].detail.contains("`id` or `owner` + `name`"));
        let both = check(&[("id", Value::string("7")), ("name", Value::string("x"))]);
        assert!(both.0[0].summary.contains("Conflicting"));
        let half = check(&[("owner", Value::string("a"))]);
        assert_eq!(half.0.len(), 1);
        assert_eq!(half.0[0].attribute, Some(AttributePath::root("name")));
    }
}
