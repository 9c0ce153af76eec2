//! Plan modifiers and the framework-standard planning the server applies in
//! `PlanResourceChange` before and after a resource's own `modify_plan` hook.
//!
//! Order (the same as HashiCorp's plugin framework, so plans look familiar):
//! 1. start from Terraform's `proposed_new_state`;
//! 2. write-only attributes become null (Terraform 1.11 rejects any other value);
//! 3. attributes with a default and a null config value get the default;
//! 4. if the object is created or changes at all, computed attributes whose config is
//!    null become unknown ("known after apply"), except where
//!    `use_state_for_unknown` keeps the prior state's value;
//! 5. the resource's `modify_plan` hook runs ([`PlanContext`]);
//! 6. write-only attributes are nulled again, and `requires_replace` paths are computed
//!    for attributes whose planned value differs from the prior state.

use std::fmt;
use std::sync::Arc;

use super::diag::Diagnostics;
use super::schema::{Attribute, Block, NestingMode};
use crate::tfvalue::{AttributePath, Value};

type ReplaceCondition = dyn Fn(&Value, &Value) -> bool + Send + Sync;

/// What the server does with one attribute while planning.
#[derive(Clone)]
pub enum PlanModifier {
    /// Any change of the value on an existing object replaces the object.
    RequiresReplace,
    /// Replace only when `condition(prior, planned)` is true.
    RequiresReplaceIf {
        description: String,
        condition: Arc<ReplaceCondition>,
    },
    /// Plan the prior state's value instead of unknown (for values that never change).
    UseStateForUnknown,
    /// Plan this value when the configuration leaves the attribute null.
    Default(Value),
}

impl PlanModifier {
    pub fn requires_replace_if(
        description: impl Into<String>,
        condition: impl Fn(&Value, &Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self::RequiresReplaceIf {
            description: description.into(),
            condition: Arc::new(condition),
        }
    }

    /// Whether this modifier asks for replacement when `prior` becomes `planned`.
    fn wants_replace(&self, prior: &Value, planned: &Value) -> bool {
        match self {
            PlanModifier::RequiresReplace => prior != planned,
            // A condition about what the new value means cannot be decided while the
            // value is unknown: the replacement is not planned now (an object is never
            // destroyed on a guess), and the resource refuses the change at apply time if
            // the value turns out to mean another object (see `replace_deferred`).
            PlanModifier::RequiresReplaceIf { condition, .. } => {
                !planned.is_unknown() && prior != planned && condition(prior, planned)
            }
            _ => false,
        }
    }
}

impl fmt::Debug for PlanModifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanModifier::RequiresReplace => f.write_str("RequiresReplace"),
            PlanModifier::RequiresReplaceIf { description, .. } => {
                write!(f, "RequiresReplaceIf({description})")
            }
            PlanModifier::UseStateForUnknown => f.write_str("UseStateForUnknown"),
            PlanModifier::Default(value) => write!(f, "Default({value:?})"),
        }
    }
}

/// What a resource's `modify_plan` hook sees and may change. The server has already
/// applied defaults, unknown-marking and `use_state_for_unknown` to `planned`.
#[derive(Debug)]
pub struct PlanContext {
    /// `None` when the object is being created.
    pub prior: Option<Value>,
    /// The configuration, possibly with unknown values. Write-only attributes live here.
    pub config: Value,
    /// The plan to return; change it with [`set_planned`](Self::set_planned).
    pub planned: Value,
    /// Extra replace-forcing paths, beyond the attributes marked `requires_replace`.
    pub requires_replace: Vec<AttributePath>,
    pub diagnostics: Diagnostics,
    /// The prior state came from an import and no apply has changed the object since
    /// (the framework's mark in the resource's private state).
    pub imported: bool,
}

impl PlanContext {
    pub fn is_create(&self) -> bool {
        self.prior.is_none()
    }

    pub fn planned_attr(&self, name: &str) -> Option<&Value> {
        self.planned.get_attr(name)
    }

    pub fn config_attr(&self, name: &str) -> Option<&Value> {
        self.config.get_attr(name)
    }

    pub fn prior_attr(&self, name: &str) -> Option<&Value> {
        self.prior.as_ref().and_then(|p| p.get_attr(name))
    }

    pub fn set_planned(&mut self, name: &str, value: Value) {
        self.planned.set_attr(name, value);
    }

    /// Replace the object because of a change at `path` (ignored on create).
    pub fn require_replace(&mut self, path: AttributePath) {
        if !self.is_create() && !self.requires_replace.contains(&path) {
            self.requires_replace.push(path);
        }
    }
}

/// Steps 2–4 of the module docs: the plan before the resource hook runs. `prior` is
/// `None` on create; `proposed` is Terraform's proposed new state (an object).
pub fn plan_before_hook(
    block: &Block,
    prior: Option<&Value>,
    config: &Value,
    proposed: &Value,
) -> Value {
    let mut planned = proposed.clone();
    apply_defaults(block, config, &mut planned);
    null_write_only(block, &mut planned);
    let changed = match prior {
        None => true,
        Some(prior) => prior != &planned,
    };
    if changed {
        mark_computed_unknown(block, prior, config, &mut planned);
    }
    planned
}

/// The attributes of an update whose change would have forced a replacement had the
/// new value been known at plan time (conditional replacements are deferred while
/// unknown): applying such a change in place would be wrong, so resources refuse it.
pub fn replace_deferred(block: &Block, prior: &Value, planned: &Value) -> Vec<String> {
    block
        .attributes
        .iter()
        .filter(|attribute| {
            let prior_value = prior.get_attr(&attribute.name).unwrap_or(&Value::Null);
            let planned_value = planned.get_attr(&attribute.name).unwrap_or(&Value::Null);
            attribute.plan_modifiers.iter().any(|m| match m {
                PlanModifier::RequiresReplace => prior_value != planned_value,
                PlanModifier::RequiresReplaceIf { condition, .. } => {
                    prior_value != planned_value && condition(prior_value, planned_value)
                }
                _ => false,
            })
        })
        .map(|attribute| attribute.name.clone())
        .collect()
}

/// Step 6: the replace-forcing paths, for an update only.
pub fn requires_replace_paths(
    block: &Block,
    prior: Option<&Value>,
    planned: &Value,
) -> Vec<AttributePath> {
    let mut paths = Vec::new();
    if let Some(prior) = prior {
        collect_replace(block, prior, planned, &AttributePath::default(), &mut paths);
    }
    paths
}

/// Sets every write-only attribute (at any depth) to null: they must never appear in
/// planned or new state.
pub fn null_write_only(block: &Block, value: &mut Value) {
    let Value::Object(fields) = value else {
        return;
    };
    for attribute in block.attributes.iter().filter(|a| a.write_only) {
        if let Some(slot) = fields.get_mut(&attribute.name) {
            *slot = Value::Null;
        }
    }
    for nested in &block.blocks {
        if let Some(child) = fields.get_mut(&nested.type_name) {
            for_each_nested_mut(nested.nesting, child, |item| {
                null_write_only(&nested.block, item)
            });
        }
    }
}

fn for_each_nested_mut(nesting: NestingMode, value: &mut Value, mut f: impl FnMut(&mut Value)) {
    match (nesting, value) {
        (NestingMode::Single | NestingMode::Group, object @ Value::Object(_)) => f(object),
        (NestingMode::List, Value::List(items)) | (NestingMode::Set, Value::Set(items)) => {
            items.iter_mut().for_each(f)
        }
        (NestingMode::Map, Value::Map(items)) => items.values_mut().for_each(f),
        _ => {}
    }
}

fn config_value<'a>(config: &'a Value, name: &str) -> &'a Value {
    config.get_attr(name).unwrap_or(&Value::Null)
}

fn apply_defaults(block: &Block, config: &Value, planned: &mut Value) {
    if !matches!(planned, Value::Object(_)) {
        return;
    }
    for attribute in &block.attributes {
        if let Some(default) = attribute.default_value() {
            if config_value(config, &attribute.name).is_null() {
                planned.set_attr(&attribute.name, default.clone());
            }
        }
    }
    for nested in &block.blocks {
        visit_nested_pairs(
            nested.nesting,
            &nested.type_name,
            None,
            config,
            planned,
            |_, cfg, item| apply_defaults(&nested.block, cfg, item),
        );
    }
}

fn mark_computed_unknown(
    block: &Block,
    prior: Option<&Value>,
    config: &Value,
    planned: &mut Value,
) {
    if !matches!(planned, Value::Object(_)) {
        return;
    }
    for attribute in &block.attributes {
        if !attribute.computed || attribute.default_value().is_some() {
            continue;
        }
        let configured = config_value(config, &attribute.name);
        if !configured.is_null() {
            continue;
        }
        let prior_value = prior.and_then(|p| p.get_attr(&attribute.name));
        planned.set_attr(&attribute.name, unknown_or_prior(attribute, prior_value));
    }
    for nested in &block.blocks {
        visit_nested_pairs(
            nested.nesting,
            &nested.type_name,
            prior,
            config,
            planned,
            |prior, cfg, item| mark_computed_unknown(&nested.block, prior, cfg, item),
        );
    }
}

fn unknown_or_prior(attribute: &Attribute, prior: Option<&Value>) -> Value {
    let keeps_state = attribute.has_modifier(|m| matches!(m, PlanModifier::UseStateForUnknown));
    match prior {
        Some(prior) if keeps_state && !prior.is_null() => prior.clone(),
        _ => Value::Unknown(Default::default()),
    }
}

/// Calls `f(prior item, config item, planned item)` for each item of nested block
/// `name`, pairing items by position (lists) or key (maps). Set items have no stable
/// identity across prior and config, so they get neither prior nor config (only
/// defaults-free, unknown-free handling applies to them).
fn visit_nested_pairs(
    nesting: NestingMode,
    name: &str,
    prior: Option<&Value>,
    config: &Value,
    planned: &mut Value,
    mut f: impl FnMut(Option<&Value>, &Value, &mut Value),
) {
    let prior_child = prior.and_then(|p| p.get_attr(name));
    let config_child = config_value(config, name);
    let Value::Object(fields) = planned else {
        return;
    };
    let Some(planned_child) = fields.get_mut(name) else {
        return;
    };
    match (nesting, planned_child) {
        (NestingMode::Single | NestingMode::Group, object @ Value::Object(_)) => {
            let prior_object = prior_child.filter(|p| matches!(p, Value::Object(_)));
            f(prior_object, config_child, object)
        }
        (NestingMode::List, Value::List(items)) => {
            for (index, item) in items.iter_mut().enumerate() {
                let prior_item = match prior_child {
                    Some(Value::List(prior_items)) => prior_items.get(index),
                    _ => None,
                };
                let config_item = match config_child {
                    Value::List(config_items) => config_items.get(index).unwrap_or(&Value::Null),
                    _ => &Value::Null,
                };
                f(prior_item, config_item, item)
            }
        }
        (NestingMode::Map, Value::Map(items)) => {
            for (key, item) in items.iter_mut() {
                let prior_item = match prior_child {
                    Some(Value::Map(prior_items)) => prior_items.get(key),
                    _ => None,
                };
                let config_item = match config_child {
                    Value::Map(config_items) => config_items.get(key).unwrap_or(&Value::Null),
                    _ => &Value::Null,
                };
                f(prior_item, config_item, item)
            }
        }
        _ => {}
    }
}

fn collect_replace(
    block: &Block,
    prior: &Value,
    planned: &Value,
    path: &AttributePath,
    out: &mut Vec<AttributePath>,
) {
    for attribute in &block.attributes {
        let prior_value = prior.get_attr(&attribute.name).unwrap_or(&Value::Null);
        let planned_value = planned.get_attr(&attribute.name).unwrap_or(&Value::Null);
        let replace = attribute
            .plan_modifiers
            .iter()
            .any(|m| m.wants_replace(prior_value, planned_value));
        if replace {
            out.push(path.clone().attr(attribute.name.clone()));
        }
    }
    for nested in &block.blocks {
        let name = &nested.type_name;
        let nested_path = path.clone().attr(name.clone());
        match (nested.nesting, prior.get_attr(name), planned.get_attr(name)) {
            (NestingMode::Single | NestingMode::Group, Some(p), Some(n))
                if matches!(p, Value::Object(_)) && matches!(n, Value::Object(_)) =>
            {
                collect_replace(&nested.block, p, n, &nested_path, out)
            }
            (NestingMode::List, Some(Value::List(p)), Some(Value::List(n))) => {
                for (index, (p, n)) in p.iter().zip(n).enumerate() {
                    let index = i64::try_from(index).unwrap_or(i64::MAX);
                    collect_replace(&nested.block, p, n, &nested_path.clone().index(index), out)
                }
            }
            (NestingMode::Map, Some(Value::Map(p)), Some(Value::Map(n))) => {
                for (key, p) in p {
                    if let Some(n) = n.get(key) {
                        collect_replace(
                            &nested.block,
                            p,
                            n,
                            &nested_path.clone().key(key.clone()),
                            out,
                        )
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::{Attribute, NestedBlock, Schema};
    use std::collections::BTreeMap;

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn s(text: &str) -> Value {
        Value::String(text.to_owned())
    }

    fn unknown() -> Value {
        Value::Unknown(Default::default())
    }

    fn schema() -> Schema {
        Schema::new(0)
            .attribute(Attribute::string("id").computed().use_state_for_unknown())
            .attribute(Attribute::string("name").required().requires_replace())
            .attribute(
                Attribute::string("size")
                    .optional()
                    .computed()
                    .default(s("small")),
            )
            .attribute(Attribute::string("status").computed())
            .attribute(Attribute::string("note").optional())
            .attribute(Attribute::string("secret").optional().write_only())
    }

    #[test]
    fn create_fills_defaults_marks_computed_unknown_and_nulls_write_only() {
        let schema = schema();
        let config = object(&[
            ("id", Value::Null),
            ("name", s("a")),
            ("size", Value::Null),
            ("status", Value::Null),
            ("note", Value::Null),
            ("secret", s("hunter2")),
        ]);
        let planned = plan_before_hook(&schema.block, None, &config, &config);
        assert_eq!(
            planned,
            object(&[
                ("id", unknown()),
                ("name", s("a")),
                ("size", s("small")),
                ("status", unknown()),
                ("note", Value::Null),
                ("secret", Value::Null),
            ])
        );
        assert!(requires_replace_paths(&schema.block, None, &planned).is_empty());
    }

    #[test]
    fn unchanged_object_keeps_every_prior_value() {
        let schema = schema();
        let prior = object(&[
            ("id", s("7")),
            ("name", s("a")),
            ("size", s("small")),
            ("status", s("up")),
            ("note", Value::Null),
            ("secret", Value::Null),
        ]);
        let config = object(&[
            ("id", Value::Null),
            ("name", s("a")),
            ("size", Value::Null),
            ("status", Value::Null),
            ("note", Value::Null),
            ("secret", s("changed-but-write-only")),
        ]);
        let planned = plan_before_hook(&schema.block, Some(&prior), &config, &prior);
        assert_eq!(planned, prior);
    }

    #[test]
    fn update_keeps_state_where_asked_and_forces_replace_on_marked_change() {
        let schema = schema();
        let prior = object(&[
            ("id", s("7")),
            ("name", s("a")),
            ("size", s("small")),
            ("status", s("up")),
            ("note", Value::Null),
            ("secret", Value::Null),
        ]);
        let config = object(&[
            ("id", Value::Null),
            ("name", s("b")),
            ("size", Value::Null),
            ("status", Value::Null),
            ("note", s("hello")),
            ("secret", Value::Null),
        ]);
        let mut proposed = prior.clone();
        proposed.set_attr("name", s("b"));
        proposed.set_attr("note", s("hello"));
        let planned = plan_before_hook(&schema.block, Some(&prior), &config, &proposed);
        assert_eq!(planned.get_attr("id"), Some(&s("7")));
        assert_eq!(planned.get_attr("status"), Some(&unknown()));
        assert_eq!(
            requires_replace_paths(&schema.block, Some(&prior), &planned),
            vec![AttributePath::root("name")]
        );
    }

    #[test]
    fn conditional_replace_and_nested_blocks() {
        let block = Block::new().block(NestedBlock::list(
            "disk",
            Block::new()
                .attribute(Attribute::string("uuid").computed())
                .attribute(Attribute::string("size").required().requires_replace_if(
                    "only when shrinking",
                    |prior, planned| match (prior.as_str(), planned.as_str()) {
                        (Some(p), Some(n)) => n < p,
                        _ => true,
                    },
                )),
        ));
        let disk = |uuid: Value, size: &str| object(&[("uuid", uuid), ("size", s(size))]);
        let prior = object(&[(
            "disk",
            Value::List(vec![disk(s("u1"), "5"), disk(s("u2"), "5")]),
        )]);
        let config = object(&[(
            "disk",
            Value::List(vec![disk(Value::Null, "6"), disk(Value::Null, "4")]),
        )]);
        let proposed = object(&[(
            "disk",
            Value::List(vec![disk(s("u1"), "6"), disk(s("u2"), "4")]),
        )]);
        let planned = plan_before_hook(&block, Some(&prior), &config, &proposed);
        assert_eq!(
            planned,
            object(&[(
                "disk",
                Value::List(vec![disk(unknown(), "6"), disk(unknown(), "4")])
            )])
        );
        assert_eq!(
            requires_replace_paths(&block, Some(&prior), &planned),
            vec![AttributePath::root("disk").index(1).attr("size")]
        );
    }

    #[test]
    fn plan_context_ignores_replace_requests_on_create() {
        let mut create = PlanContext {
            prior: None,
            config: Value::Null,
            planned: object(&[("a", s("x"))]),
            requires_replace: vec![],
            diagnostics: Diagnostics::new(),
            imported: false,
        };
        create.require_replace(AttributePath::root("a"));
        assert!(create.requires_replace.is_empty());
        create.prior = Some(object(&[("a", s("y"))]));
        create.require_replace(AttributePath::root("a"));
        create.require_replace(AttributePath::root("a"));
        assert_eq!(create.requires_replace, vec![AttributePath::root("a")]);
    }
}
