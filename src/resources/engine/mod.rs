//! The resource engine: every Terraform type goes through it, so crash safety and the
//! plumbing are written once.
//!
//! A type is described by an [`ObjectType`]: its typed model (the attribute table,
//! declared with [`model!`](crate::model)), the panel object it maps to, and only what
//! is its own: the spec and patch built from the model, the state built from the panel
//! object, plan-time checks, and how its data sources look it up. From that the engine
//! makes the resource ([`Managed`]) and the singular and plural data sources
//! ([`Lookup`], [`Listing`]):
//!
//! - **create**: looks the natural key up first (an existing object is reported with
//!   the import command, never adopted), creates, reads that one object back, and
//!   records it. When the create's outcome is unknown (the answer was lost, timed out,
//!   or a 5xx came back) it looks the object up by its natural key for a bounded while
//!   and records it if it appeared; when it still is not there, the object is recorded
//!   as *unconfirmed* (tainted, empty `id`) so that nothing the panel may have created
//!   is lost: the next refresh settles it by natural key. A failed read-back records
//!   what the create answered. A multi-step create that failed half-way records what it
//!   left (tainted).
//! - **stop** (Ctrl-C): a request already sent is allowed to finish (bounded by the
//!   request timeout) and its object is recorded; requests not yet sent are not sent.
//! - **read**: gone means removed from state; an unconfirmed object is looked up by its
//!   natural key.
//! - **update** in place, **delete** idempotently, **import** by the panel's documented
//!   ids, and one mapping from panel errors to diagnostics ([`diag`]).

pub mod adopt;
pub mod crud;
pub mod diag;
pub mod lookup;
pub mod plan;

#[cfg(test)]
mod tests;

use std::cmp::Ordering;

pub use crud::Managed;
pub use lookup::{Listing, Lookup};
pub use plan::TypedPlan;

use crate::framework::diag::Diagnostics;
use crate::framework::model::Model;
use crate::panel::{ListFilter, Locator, PanelHandle, PanelObject};

/// Everything that is particular to one Terraform type; the engine does the rest.
pub trait ObjectType: Send + Sync + 'static {
    /// The resource's attributes (every model has a computed `id`).
    type Model: Model;
    /// The panel object the resource manages.
    type Object: PanelObject;
    /// The plural data source's filter attributes.
    type Filters: Model;

    /// `panel_user`: the resource and the singular data source.
    const TYPE_NAME: &'static str;
    /// `panel_users`: the plural data source.
    const LIST_TYPE_NAME: &'static str;
    /// The plural data source's list attribute, e.g. `users`.
    const LIST_ATTRIBUTE: &'static str;
    /// The resource's schema version.
    const SCHEMA_VERSION: i64 = 0;
    /// Objects of this type are the customers others belong to (`panel_user`).
    const IS_CUSTOMER: bool = false;
    /// `adopt` writes objects of this type only when `--types` names it.
    const ADOPT_ONLY_WHEN_NAMED: bool = false;

    /// The resource's description (markdown): what it is on each panel, import formats.
    fn description() -> String;
    /// The singular data source's description (markdown).
    fn lookup_description() -> String;
    /// The plural data source's description (markdown).
    fn list_description() -> String;
    /// A data-source description of an attribute, where the resource's would mislead.
    fn data_attribute_description(_name: &str) -> Option<String> {
        None
    }

    /// How diagnostics name the object: `user "alice"`.
    fn label(model: &Self::Model) -> String;

    /// The attribute a panel model field maps to (`password` -> `password_wo`). The
    /// default maps a field to the attribute of the same name, if there is one.
    fn attribute_of(field: &str) -> Option<&'static str> {
        Self::Model::attribute_names()
            .iter()
            .find(|name| **name == field)
            .copied()
    }

    /// Cross-attribute checks on configuration (may hold unknowns; no panel yet).
    fn validate(_config: &Self::Model, _diagnostics: &mut Diagnostics) {}

    /// Plan-time checks and adjustments. `panel` is `None` until the provider is
    /// configured with known values; checks that need it are skipped then.
    fn plan(_panel: Option<&PanelHandle>, _plan: &mut TypedPlan<Self::Model>) {}

    /// Plan-time checks that ask the panel (whether a configured plan exists), run
    /// after [`plan`](Self::plan) found nothing wrong. A check whose value is not known
    /// yet, or whose answer cannot be read, is left to the apply.
    fn plan_with_panel<'a>(
        _panel: &'a PanelHandle,
        _plan: &'a mut TypedPlan<Self::Model>,
    ) -> futures::future::BoxFuture<'a, ()> {
        Box::pin(async {})
    }

    /// What a create sends. `config` holds the write-only values.
    fn spec(
        panel: &PanelHandle,
        planned: &Self::Model,
        config: &Self::Model,
    ) -> Result<<Self::Object as PanelObject>::Spec, Diagnostics>;

    /// What an update sends, from the prior state to the plan.
    fn patch(
        panel: &PanelHandle,
        prior: &Self::Model,
        planned: &Self::Model,
        config: &Self::Model,
    ) -> Result<<Self::Object as PanelObject>::Patch, Diagnostics>;

    /// The state for `object`. `prior` (prior state or plan) supplies what the panel
    /// does not report: configured spellings, password versions.
    fn state(
        panel: &PanelHandle,
        object: &Self::Object,
        prior: Option<&Self::Model>,
    ) -> Self::Model;

    /// Where the object of `state` is (its id, and the owner when it has one).
    fn locator(state: &Self::Model) -> Locator;

    /// The natural key of the object `state` describes, from its configured attributes:
    /// how an unconfirmed create is looked up.
    fn key_of_state(
        panel: &PanelHandle,
        state: &Self::Model,
    ) -> Option<<Self::Object as PanelObject>::Key>;

    /// The singular data source's alternative lookups: each a group of attributes set
    /// together, exactly one group per configuration. A group `["id"]` looks up by panel
    /// id; every other group by [`lookup_key`](Self::lookup_key).
    fn lookups() -> &'static [&'static [&'static str]];

    /// The natural key a singular lookup configuration names.
    fn lookup_key(
        panel: &PanelHandle,
        config: &Self::Model,
    ) -> Option<<Self::Object as PanelObject>::Key>;

    /// The plural data source's filter as the panel applies it.
    fn list_filter(filters: &Self::Filters) -> ListFilter;

    /// Whether `item` passes the filters the provider applies itself.
    fn list_keeps(filters: &Self::Filters, item: &Self::Model) -> bool;

    /// The plural data source's order.
    fn list_order(a: &Self::Model, b: &Self::Model) -> Ordering;

    /// For `adopt`: the attributes whose values name other objects, as `(attribute,
    /// type, attribute of that type)`, so generated configuration refers to them
    /// (`owner = panel_user.alice.id`) instead of repeating literal ids.
    fn references() -> &'static [(&'static str, &'static str, &'static str)] {
        &[]
    }

    /// For `adopt`: the natural key in words (`alice`, `example.com`, `alice/shop`),
    /// from which resource names are made and `--match` filters.
    fn adopt_key(state: &Self::Model) -> String {
        Self::locator(state).id
    }

    /// For `adopt`: why this object (and what belongs to it) is left out unless asked
    /// for by name, e.g. the panel's own administrator account.
    fn adopt_leaves_out(_object: &Self::Object) -> Option<&'static str> {
        None
    }

    /// For `adopt`: configurable attributes this panel does not let the configuration
    /// set (read-only there), left out of the generated configuration.
    fn adopt_skips(_panel: &PanelHandle, _attribute: &str) -> bool {
        false
    }

    /// What to use instead, added to the diagnostic of a panel that has no objects of
    /// this type (`panel_database_user` on HestiaCP: `panel_database.user`).
    fn unsupported_hint(_panel: &PanelHandle) -> Option<String> {
        None
    }
}

/// The service for `T`'s objects on this panel, or the diagnostic that it has none.
pub(crate) fn service_of<T: ObjectType>(
    panel: &PanelHandle,
) -> Result<&dyn crate::panel::Service<T::Object>, Diagnostics> {
    panel.service::<T::Object>().ok_or_else(|| {
        let mut diagnostics = Diagnostics::new();
        let hint = T::unsupported_hint(panel)
            .map(|hint| format!(" {hint}"))
            .unwrap_or_default();
        diagnostics.error(
            "Not Supported By This Panel",
            format!(
                "The `{}` panel has no {} objects, so `{}` cannot be used with it.{hint}",
                panel.name(),
                <T::Object as PanelObject>::NOUN,
                T::TYPE_NAME
            ),
        );
        diagnostics
    })
}
