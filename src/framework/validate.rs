//! Attribute validators: small checks attached to an attribute in its schema, run on
//! configuration values in `ValidateResourceTypeConfig`, `ValidateDataSourceConfig` and
//! `PrepareProviderConfig`. Each failure becomes an error diagnostic pointing at the
//! attribute. Null and unknown values are never checked: null means "not set" (Terraform
//! itself enforces `required`), and an unknown value is checked again once it is known.

use std::fmt;
use std::sync::Arc;

use super::diag::Diagnostics;
use super::schema::{Block, NestingMode};
use crate::tfvalue::{AttributePath, Number, Value};

type Check = dyn Fn(&Value) -> Option<String> + Send + Sync;

/// One check on a known, non-null value: `None` when it passes, otherwise a sentence
/// fragment saying what is wrong ("must be at most 16 characters long, got 20").
#[derive(Clone)]
pub struct Validator {
    description: String,
    check: Arc<Check>,
}

impl Validator {
    /// A general check. `description` says what it requires (shown in Debug output).
    pub fn new(
        description: impl Into<String>,
        check: impl Fn(&Value) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        Self {
            description: description.into(),
            check: Arc::new(check),
        }
    }

    pub fn description(&self) -> &str {
        &self.description
    }

    /// Runs the check; null and unknown values always pass.
    pub fn check(&self, value: &Value) -> Option<String> {
        if value.is_null() || value.is_unknown() {
            return None;
        }
        (self.check)(value)
    }
}

impl fmt::Debug for Validator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Validator({})", self.description)
    }
}

/// A general check on the whole value.
pub fn custom(
    description: impl Into<String>,
    check: impl Fn(&Value) -> Option<String> + Send + Sync + 'static,
) -> Validator {
    Validator::new(description, check)
}

/// Strings only: between `min` and `max` characters (Unicode scalar values), inclusive.
pub fn string_length_between(min: usize, max: usize) -> Validator {
    Validator::new(format!("length between {min} and {max}"), move |value| {
        let length = value.as_str()?.chars().count();
        if length < min || length > max {
            Some(format!(
                "must be between {min} and {max} characters long, got {length}"
            ))
        } else {
            None
        }
    })
}

pub fn string_length_at_least(min: usize) -> Validator {
    Validator::new(format!("length at least {min}"), move |value| {
        let length = value.as_str()?.chars().count();
        (length < min).then(|| format!("must be at least {min} characters long, got {length}"))
    })
}

pub fn string_length_at_most(max: usize) -> Validator {
    Validator::new(format!("length at most {max}"), move |value| {
        let length = value.as_str()?.chars().count();
        (length > max).then(|| format!("must be at most {max} characters long, got {length}"))
    })
}

/// Strings only: `accepts` decides; `expectation` completes "must ..." in the message,
/// e.g. `string_matches("contain only lowercase letters and digits", |s| ...)`.
pub fn string_matches(
    expectation: impl Into<String>,
    accepts: impl Fn(&str) -> bool + Send + Sync + 'static,
) -> Validator {
    let expectation = expectation.into();
    Validator::new(expectation.clone(), move |value| {
        let text = value.as_str()?;
        (!accepts(text)).then(|| format!("must {expectation}, got {text:?}"))
    })
}

/// Strings only: one of `allowed`, compared exactly.
pub fn one_of(allowed: &[&str]) -> Validator {
    let allowed: Vec<String> = allowed.iter().map(|s| (*s).to_owned()).collect();
    let listing = allowed
        .iter()
        .map(|s| format!("{s:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    Validator::new(format!("one of {listing}"), move |value| {
        let text = value.as_str()?;
        (!allowed.iter().any(|a| a == text))
            .then(|| format!("must be one of {listing}, got {text:?}"))
    })
}

/// Numbers only: a whole number that fits in 64 bits.
pub fn whole_number() -> Validator {
    Validator::new("whole number", |value| match value {
        Value::Number(Number::Int(_)) => None,
        Value::Number(Number::Float(f)) if f.fract() == 0.0 && f.abs() < 9.2e18 => None,
        Value::Number(other) => Some(format!(
            "must be a whole number, got {}",
            number_text(other)
        )),
        _ => None,
    })
}

/// Numbers only: a whole number between `min` and `max`, inclusive.
pub fn int_between(min: i64, max: i64) -> Validator {
    Validator::new(format!("between {min} and {max}"), move |value| {
        let Value::Number(number) = value else {
            return None;
        };
        match value.as_i64() {
            Some(n) if (min..=max).contains(&n) => None,
            _ => Some(format!(
                "must be a whole number between {min} and {max}, got {}",
                number_text(number)
            )),
        }
    })
}

fn number_text(number: &Number) -> String {
    match number {
        Number::Int(i) => i.to_string(),
        Number::Float(f) => f.to_string(),
        Number::Big(text) => text.clone(),
    }
}

/// Runs every attribute validator of `block` (and of its nested blocks) on `config`,
/// returning one error diagnostic per failure, each with the attribute's path.
pub fn validate_block(block: &Block, config: &Value) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    walk_block(block, config, &AttributePath::default(), &mut diagnostics);
    diagnostics
}

fn walk_block(block: &Block, value: &Value, path: &AttributePath, out: &mut Diagnostics) {
    if !value.is_known() || value.is_null() {
        return;
    }
    for attribute in &block.attributes {
        let Some(attribute_value) = value.get_attr(&attribute.name) else {
            continue;
        };
        let attribute_path = path.clone().attr(attribute.name.clone());
        for validator in &attribute.validators {
            if let Some(problem) = validator.check(attribute_value) {
                out.error_at(
                    attribute_path.clone(),
                    "Invalid Attribute Value",
                    format!("`{}` {problem}.", attribute.name),
                );
            }
        }
    }
    for nested in &block.blocks {
        let Some(nested_value) = value.get_attr(&nested.type_name) else {
            continue;
        };
        let nested_path = path.clone().attr(nested.type_name.clone());
        match (nested.nesting, nested_value) {
            (NestingMode::Single | NestingMode::Group, object) => {
                walk_block(&nested.block, object, &nested_path, out)
            }
            (NestingMode::List, Value::List(items)) => {
                for (index, item) in items.iter().enumerate() {
                    let index = i64::try_from(index).unwrap_or(i64::MAX);
                    walk_block(&nested.block, item, &nested_path.clone().index(index), out);
                }
            }
            // Set elements have no stable address in our path type; point at the block.
            (NestingMode::Set, Value::Set(items)) => {
                for item in items {
                    walk_block(&nested.block, item, &nested_path, out);
                }
            }
            (NestingMode::Map, Value::Map(items)) => {
                for (key, item) in items {
                    walk_block(
                        &nested.block,
                        item,
                        &nested_path.clone().key(key.clone()),
                        out,
                    );
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::{Attribute, NestedBlock};
    use crate::tfvalue::PathStep;

    fn text(s: &str) -> Value {
        Value::String(s.to_owned())
    }

    #[test]
    fn length_checks_count_characters_not_bytes() {
        let v = string_length_between(2, 3);
        assert_eq!(v.check(&text("äöü")), None);
        assert!(v.check(&text("äöüß")).is_some_and(|m| m.contains("got 4")));
        assert!(v.check(&text("a")).is_some());
        assert!(string_length_at_least(1).check(&text("")).is_some());
        assert!(string_length_at_most(1).check(&text("ab")).is_some());
    }

    #[test]
    fn null_and_unknown_values_are_never_checked() {
        let always_fails = custom("never", |_| Some("fails".to_owned()));
        assert_eq!(always_fails.check(&Value::Null), None);
        assert_eq!(
            always_fails.check(&Value::Unknown(Default::default())),
            None
        );
        assert!(always_fails.check(&text("x")).is_some());
    }

    #[test]
    fn one_of_and_predicates_name_the_offending_value() {
        let kind = one_of(&["a", "b"]);
        assert_eq!(kind.check(&text("a")), None);
        let message = kind.check(&text("c")).unwrap_or_default();
        assert!(
            message.contains("\"a\", \"b\"") && message.contains("\"c\""),
            "{message}"
        );
        let lower = string_matches("be lowercase", |s| !s.chars().any(char::is_uppercase));
        assert_eq!(lower.check(&text("abc")), None);
        assert!(lower
            .check(&text("aBc"))
            .is_some_and(|m| m.starts_with("must be lowercase")));
    }

    #[test]
    fn numbers_must_be_whole_and_in_range() {
        assert_eq!(whole_number().check(&Value::Number(Number::Int(3))), None);
        assert_eq!(
            whole_number().check(&Value::Number(Number::Float(3.0))),
            None
        );
        assert!(whole_number()
            .check(&Value::Number(Number::Float(3.5)))
            .is_some());
        assert!(int_between(1, 5)
            .check(&Value::Number(Number::Int(9)))
            .is_some());
        assert_eq!(
            int_between(1, 5).check(&Value::Number(Number::Int(5))),
            None
        );
    }

    #[test]
    fn block_validation_reports_paths_into_nested_blocks() {
        let block = Block::new()
            .attribute(
                Attribute::string("name")
                    .required()
                    .validator(string_length_at_most(3)),
            )
            .block(NestedBlock::list(
                "rule",
                Block::new().attribute(
                    Attribute::string("kind")
                        .optional()
                        .validator(one_of(&["x"])),
                ),
            ));
        let rule =
            |kind: &str| Value::Object([("kind".to_owned(), text(kind))].into_iter().collect());
        let config = Value::Object(
            [
                ("name".to_owned(), text("toolong")),
                ("rule".to_owned(), Value::List(vec![rule("x"), rule("y")])),
            ]
            .into_iter()
            .collect(),
        );
        let diagnostics = validate_block(&block, &config);
        let paths: Vec<_> = diagnostics.iter().map(|d| d.attribute.clone()).collect();
        assert_eq!(
            paths,
            vec![
                Some(AttributePath::root("name")),
                Some(AttributePath {
                    steps: vec![
                        PathStep::Attribute("rule".into()),
                        PathStep::ElementKeyInt(1),
                        PathStep::Attribute("kind".into()),
                    ]
                }),
            ]
        );
        assert!(diagnostics.has_errors());
    }
}
