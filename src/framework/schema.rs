//! Schemas as Terraform sees them (the data the `plugin` layer turns into
//! `tfplugin5.Schema`). Builders, plan modifiers and validators hang off these types.

use super::plan::PlanModifier;
use super::validate::Validator;
use crate::tfvalue::{Type, Value};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DescriptionKind {
    #[default]
    Plain,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NestingMode {
    Single,
    List,
    Set,
    Map,
    Group,
}

#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<NestedBlock>,
    pub description: String,
    pub description_kind: DescriptionKind,
    pub deprecated: bool,
}

#[derive(Clone, Debug)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    pub description: String,
    pub description_kind: DescriptionKind,
    pub required: bool,
    pub optional: bool,
    pub computed: bool,
    pub sensitive: bool,
    pub write_only: bool,
    pub deprecated: bool,
    /// Applied by the server during `PlanResourceChange` (see [`super::plan`]).
    pub plan_modifiers: Vec<PlanModifier>,
    /// Run on configuration values during validation (see [`super::validate`]).
    pub validators: Vec<Validator>,
}

#[derive(Clone, Debug)]
pub struct NestedBlock {
    pub type_name: String,
    pub block: Block,
    pub nesting: NestingMode,
    pub min_items: i64,
    pub max_items: i64,
}

// ---------------------------------------------------------------------------------------
// Builders, type derivation and the schema self-check.
// ---------------------------------------------------------------------------------------

/// Names Terraform reserves for meta-arguments in `resource` and `data` blocks; an
/// attribute or block with one of these names could never be set.
const RESERVED_NAMES: &[&str] = &[
    "count",
    "for_each",
    "depends_on",
    "lifecycle",
    "provider",
    "provisioner",
    "connection",
];

impl Schema {
    /// An empty schema at state version `version` (bump it when the stored state shape
    /// changes, and teach the resource's `upgrade_state` the old shape).
    pub fn new(version: i64) -> Self {
        Self {
            version,
            block: Block::default(),
        }
    }

    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.block.attributes.push(attribute);
        self
    }

    pub fn block(mut self, block: NestedBlock) -> Self {
        self.block.blocks.push(block);
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.block = self.block.description(text);
        self
    }

    pub fn markdown(mut self, text: impl Into<String>) -> Self {
        self.block = self.block.markdown(text);
        self
    }

    pub fn deprecated(mut self) -> Self {
        self.block.deprecated = true;
        self
    }

    /// The object type values of this schema are encoded with.
    pub fn object_type(&self) -> Type {
        self.block.object_type()
    }

    /// Every rule Terraform applies to provider schemas, plus the framework's own rules
    /// for plan modifiers; returns one sentence per violation. Run in unit tests of every
    /// schema, because Terraform rejects an invalid schema only at run time.
    pub fn check(&self) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        self.block.check_into("", &mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

impl Block {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn attribute(mut self, attribute: Attribute) -> Self {
        self.attributes.push(attribute);
        self
    }

    pub fn block(mut self, block: NestedBlock) -> Self {
        self.blocks.push(block);
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self.description_kind = DescriptionKind::Plain;
        self
    }

    pub fn markdown(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self.description_kind = DescriptionKind::Markdown;
        self
    }

    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }

    pub fn attribute_named(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn block_named(&self, name: &str) -> Option<&NestedBlock> {
        self.blocks.iter().find(|b| b.type_name == name)
    }

    /// The implied object type: one entry per attribute and one per nested block type
    /// (single and group blocks are objects, the others collections of objects).
    pub fn object_type(&self) -> Type {
        let attributes = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.ty.clone()));
        let blocks = self.blocks.iter().map(|b| {
            let object = b.block.object_type();
            let ty = match b.nesting {
                NestingMode::Single | NestingMode::Group => object,
                NestingMode::List => Type::List(Box::new(object)),
                NestingMode::Set => Type::Set(Box::new(object)),
                NestingMode::Map => Type::Map(Box::new(object)),
            };
            (b.type_name.clone(), ty)
        });
        Type::Object(attributes.chain(blocks).collect())
    }

    fn check_into(&self, prefix: &str, problems: &mut Vec<String>) {
        let mut seen = std::collections::BTreeSet::new();
        let names = self
            .attributes
            .iter()
            .map(|a| &a.name)
            .chain(self.blocks.iter().map(|b| &b.type_name));
        for name in names {
            let full = format!("{prefix}{name}");
            if !valid_name(name) {
                problems.push(format!("`{full}`: names must match ^[a-z0-9_]+$"));
            }
            if RESERVED_NAMES.contains(&name.as_str()) {
                problems.push(format!("`{full}`: the name is reserved by Terraform"));
            }
            if !seen.insert(name.as_str()) {
                problems.push(format!("`{full}`: declared more than once"));
            }
        }
        for attribute in &self.attributes {
            attribute.check_into(&format!("{prefix}{}", attribute.name), problems);
        }
        for nested in &self.blocks {
            let full = format!("{prefix}{}", nested.type_name);
            let single = matches!(nested.nesting, NestingMode::Single | NestingMode::Group);
            if nested.min_items < 0 || nested.max_items < 0 {
                problems.push(format!(
                    "`{full}`: min_items and max_items cannot be negative"
                ));
            }
            if single && (nested.min_items > 1 || nested.max_items > 1) {
                problems.push(format!(
                    "`{full}`: a single or group block holds at most one item"
                ));
            }
            if nested.max_items > 0 && nested.min_items > nested.max_items {
                problems.push(format!("`{full}`: min_items is greater than max_items"));
            }
            nested.block.check_into(&format!("{full}."), problems);
        }
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Attribute {
    /// An attribute of any type. Exactly one of [`required`](Self::required),
    /// [`optional`](Self::optional), [`computed`](Self::computed) or
    /// optional + computed must follow ([`Schema::check`] enforces it).
    pub fn new(name: impl Into<String>, ty: Type) -> Self {
        Self {
            name: name.into(),
            ty,
            description: String::new(),
            description_kind: DescriptionKind::Plain,
            required: false,
            optional: false,
            computed: false,
            sensitive: false,
            write_only: false,
            deprecated: false,
            plan_modifiers: Vec::new(),
            validators: Vec::new(),
        }
    }

    pub fn string(name: impl Into<String>) -> Self {
        Self::new(name, Type::String)
    }

    pub fn bool(name: impl Into<String>) -> Self {
        Self::new(name, Type::Bool)
    }

    /// A number attribute that accepts any Terraform number.
    pub fn number(name: impl Into<String>) -> Self {
        Self::new(name, Type::Number)
    }

    /// A number attribute that must hold a whole number fitting in 64 bits (Terraform
    /// has no integer type; the check is a validator).
    pub fn int(name: impl Into<String>) -> Self {
        Self::new(name, Type::Number).validator(super::validate::whole_number())
    }

    pub fn list_of(name: impl Into<String>, element: Type) -> Self {
        Self::new(name, Type::List(Box::new(element)))
    }

    pub fn set_of(name: impl Into<String>, element: Type) -> Self {
        Self::new(name, Type::Set(Box::new(element)))
    }

    pub fn map_of(name: impl Into<String>, element: Type) -> Self {
        Self::new(name, Type::Map(Box::new(element)))
    }

    pub fn list_of_string(name: impl Into<String>) -> Self {
        Self::list_of(name, Type::String)
    }

    pub fn set_of_string(name: impl Into<String>) -> Self {
        Self::set_of(name, Type::String)
    }

    pub fn map_of_string(name: impl Into<String>) -> Self {
        Self::map_of(name, Type::String)
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn optional(mut self) -> Self {
        self.optional = true;
        self
    }

    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Only ever present in configuration: never planned, never stored in state.
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self.description_kind = DescriptionKind::Plain;
        self
    }

    pub fn markdown(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self.description_kind = DescriptionKind::Markdown;
        self
    }

    pub fn deprecated(mut self) -> Self {
        self.deprecated = true;
        self
    }

    /// A change of this attribute on an existing object replaces the object.
    pub fn requires_replace(mut self) -> Self {
        self.plan_modifiers.push(PlanModifier::RequiresReplace);
        self
    }

    /// Like [`requires_replace`](Self::requires_replace), only when
    /// `condition(prior, planned)` says so (e.g. "only when shrinking").
    pub fn requires_replace_if(
        mut self,
        description: impl Into<String>,
        condition: impl Fn(&Value, &Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.plan_modifiers
            .push(PlanModifier::requires_replace_if(description, condition));
        self
    }

    /// Keep the prior state's value instead of "known after apply" when the attribute
    /// is computed and cannot change on update (ids, creation dates).
    pub fn use_state_for_unknown(mut self) -> Self {
        self.plan_modifiers.push(PlanModifier::UseStateForUnknown);
        self
    }

    /// The value planned when the configuration leaves the attribute unset. Requires
    /// optional + computed, as in Terraform's own framework.
    pub fn default(mut self, value: Value) -> Self {
        self.plan_modifiers.push(PlanModifier::Default(value));
        self
    }

    pub fn validator(mut self, validator: Validator) -> Self {
        self.validators.push(validator);
        self
    }

    /// The static default, if any.
    pub fn default_value(&self) -> Option<&Value> {
        self.plan_modifiers.iter().find_map(|m| match m {
            PlanModifier::Default(value) => Some(value),
            _ => None,
        })
    }

    pub fn has_modifier(&self, wanted: fn(&PlanModifier) -> bool) -> bool {
        self.plan_modifiers.iter().any(wanted)
    }

    fn check_into(&self, full: &str, problems: &mut Vec<String>) {
        let mode = (self.required, self.optional, self.computed);
        match mode {
            (true, false, false) | (false, true, _) | (false, false, true) => {}
            (false, false, false) => problems.push(format!(
                "`{full}`: must be one of required, optional, computed or optional + computed"
            )),
            _ => problems.push(format!(
                "`{full}`: required cannot be combined with optional or computed"
            )),
        }
        if self.write_only {
            if self.computed {
                problems.push(format!(
                    "`{full}`: a write-only attribute cannot be computed"
                ));
            }
            if !self.plan_modifiers.is_empty() {
                problems.push(format!(
                    "`{full}`: a write-only attribute is never planned, so it cannot have \
                     defaults or plan modifiers"
                ));
            }
        }
        if let Some(default) = self.default_value() {
            if !(self.optional && self.computed) {
                problems.push(format!(
                    "`{full}`: a default needs optional + computed, or Terraform rejects the plan"
                ));
            }
            if !default.is_null() && !default.conforms_to(&self.ty) {
                problems.push(format!("`{full}`: the default does not match the type"));
            }
        }
        let use_state = self.has_modifier(|m| matches!(m, PlanModifier::UseStateForUnknown));
        if use_state && !self.computed {
            problems.push(format!(
                "`{full}`: use_state_for_unknown only applies to computed attributes"
            ));
        }
        if self.description.trim().is_empty() {
            problems.push(format!(
                "`{full}`: needs a description (it becomes the docs)"
            ));
        }
    }
}

impl NestedBlock {
    fn with(type_name: impl Into<String>, nesting: NestingMode, block: Block) -> Self {
        Self {
            type_name: type_name.into(),
            block,
            nesting,
            min_items: 0,
            max_items: 0,
        }
    }

    /// At most one block; its value is an object or null.
    pub fn single(type_name: impl Into<String>, block: Block) -> Self {
        Self::with(type_name, NestingMode::Single, block)
    }

    pub fn list(type_name: impl Into<String>, block: Block) -> Self {
        Self::with(type_name, NestingMode::List, block)
    }

    pub fn set(type_name: impl Into<String>, block: Block) -> Self {
        Self::with(type_name, NestingMode::Set, block)
    }

    /// Blocks with one label each (`name "label" { ... }`), keyed by that label.
    pub fn map(type_name: impl Into<String>, block: Block) -> Self {
        Self::with(type_name, NestingMode::Map, block)
    }

    pub fn min_items(mut self, count: i64) -> Self {
        self.min_items = count;
        self
    }

    pub fn max_items(mut self, count: i64) -> Self {
        self.max_items = count;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described(attribute: Attribute) -> Attribute {
        attribute.description("something")
    }

    #[test]
    fn object_type_includes_attributes_and_every_block_nesting() {
        let inner = Block::new().attribute(described(Attribute::string("x").optional()));
        let schema = Schema::new(0)
            .attribute(described(Attribute::string("name").required()))
            .attribute(described(Attribute::list_of_string("tags").optional()))
            .block(NestedBlock::single("one", inner.clone()))
            .block(NestedBlock::list("many", inner.clone()))
            .block(NestedBlock::set("bag", inner.clone()))
            .block(NestedBlock::map("named", inner));
        let object = Type::Object([("x".to_owned(), Type::String)].into_iter().collect());
        let expected = Type::Object(
            [
                ("name".to_owned(), Type::String),
                ("tags".to_owned(), Type::List(Box::new(Type::String))),
                ("one".to_owned(), object.clone()),
                ("many".to_owned(), Type::List(Box::new(object.clone()))),
                ("bag".to_owned(), Type::Set(Box::new(object.clone()))),
                ("named".to_owned(), Type::Map(Box::new(object))),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(schema.object_type(), expected);
        assert_eq!(schema.check(), Ok(()));
    }

    #[test]
    fn check_accepts_every_mode_terraform_allows() {
        let schema = Schema::new(1)
            .attribute(described(Attribute::string("a").required()))
            .attribute(described(Attribute::string("b").optional()))
            .attribute(described(
                Attribute::string("c").computed().use_state_for_unknown(),
            ))
            .attribute(described(
                Attribute::bool("d")
                    .optional()
                    .computed()
                    .default(Value::Bool(false)),
            ))
            .attribute(described(
                Attribute::string("e").optional().sensitive().write_only(),
            ))
            .attribute(described(Attribute::int("f").required().requires_replace()));
        assert_eq!(schema.check(), Ok(()));
    }

    #[test]
    fn check_reports_each_broken_rule() {
        let cases: Vec<(Attribute, &str)> = vec![
            (Attribute::string("a"), "must be one of"),
            (
                Attribute::string("a").required().optional(),
                "required cannot",
            ),
            (
                Attribute::string("a").required().computed(),
                "required cannot",
            ),
            (
                Attribute::string("a").optional().computed().write_only(),
                "cannot be computed",
            ),
            (
                Attribute::string("a")
                    .optional()
                    .write_only()
                    .requires_replace(),
                "write-only",
            ),
            (
                Attribute::string("a")
                    .optional()
                    .default(Value::String("x".into())),
                "optional + computed",
            ),
            (
                Attribute::string("a")
                    .optional()
                    .computed()
                    .default(Value::Bool(true)),
                "does not match the type",
            ),
            (
                Attribute::string("a").optional().use_state_for_unknown(),
                "only applies to computed",
            ),
            (Attribute::string("Bad-Name").optional(), "^[a-z0-9_]+$"),
            (Attribute::string("count").optional(), "reserved"),
        ];
        for (attribute, expected) in cases {
            let schema = Schema::new(0).attribute(described(attribute.clone()));
            let problems = schema.check().expect_err(&attribute.name);
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "{attribute:?}: expected {expected:?} in {problems:?}"
            );
        }
    }

    #[test]
    fn check_reports_missing_description_duplicates_and_bad_item_counts() {
        let schema = Schema::new(0)
            .attribute(Attribute::string("a").optional())
            .attribute(described(Attribute::string("b").optional()))
            .block(NestedBlock::single("b", Block::new()).max_items(2))
            .block(
                NestedBlock::list("c", Block::new())
                    .min_items(3)
                    .max_items(1),
            );
        let problems = schema.check().expect_err("broken schema");
        for expected in [
            "`a`: needs a description",
            "`b`: declared more than once",
            "at most one item",
            "min_items is greater",
        ] {
            assert!(
                problems.iter().any(|p| p.contains(expected)),
                "{expected:?} missing from {problems:?}"
            );
        }
    }
}
