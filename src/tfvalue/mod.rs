//! Value model: cty types and values as Terraform sends them.
//!
//! Null, unknown and known are three distinct states: a `Value` is exactly one of
//! `Value::Null`, `Value::Unknown(_)` or one of the known variants. Nothing in this
//! module knows about protobuf or about resources.
//!
//! Equality (`PartialEq` for [`Value`] and [`Number`]) is semantic, not structural:
//! two `Value::Set`s are equal when they hold the same elements in any order, and
//! numbers compare by their mathematical value (`Int(1) == Float(1.0) == Big("1e0")`).
//!
//! Values of the `"dynamic"` type carry no extra wrapper: decoding keeps only the value,
//! and encoding infers the wire type from the value (see [`Value::infer_type`]).

pub mod json;
pub mod msgpack;
mod number;
pub mod path;

use std::collections::BTreeMap;

pub use path::{AttributePath, PathStep};

/// Nesting deeper than this (in types or values) is rejected by the decoders. Terraform
/// schemas nest a handful of levels at most; the limit keeps hostile input from
/// exhausting the stack.
pub const MAX_DEPTH: usize = 64;

/// A cty type, as carried in `Schema.Attribute.type` (JSON bytes) and used to decode
/// `DynamicValue`s.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Type {
    Bool,
    Number,
    String,
    /// `"dynamic"`: the value carries its own type on the wire.
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

/// A cty number. Terraform numbers are arbitrary precision; we keep integers exact and
/// fall back to `f64` or the decimal text for anything else.
///
/// The decoders produce a canonical form: `Int` whenever the value is an integer that
/// fits `i64`, `Float` when the value is exactly an `f64`, `Big` otherwise.
#[derive(Clone, Debug)]
pub enum Number {
    Int(i64),
    Float(f64),
    /// Decimal text for values that fit neither (msgpack encodes them as strings).
    Big(String),
}

/// Refinements Terraform may attach to an unknown value (msgpack extension 12).
/// Only what a provider may reasonably use is kept; the rest is dropped on decode.
/// `Debug` does not show the string prefix (it is the start of a possibly secret value).
#[derive(Clone, Default, PartialEq)]
pub struct Refinements {
    /// `Some(false)`: the value is known not to be null once known.
    pub nullness: Option<bool>,
    /// For strings: a known prefix.
    pub string_prefix: Option<String>,
}

/// A cty value.
///
/// `Debug` never shows string contents, only their length: values carry passwords and
/// sensitivity is only known from the schema, so any string may be a secret.
#[derive(Clone)]
pub enum Value {
    Null,
    Unknown(Refinements),
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    Tuple(Vec<Value>),
}

/// A value could not be decoded (bad bytes, or bytes that do not match the type).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct DecodeError {
    pub message: String,
    /// Where in the value decoding failed (empty: at the root).
    pub path: AttributePath,
}

/// A value could not be encoded against the given type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct EncodeError {
    pub message: String,
    /// Where in the value encoding failed (empty: at the root).
    pub path: AttributePath,
}

impl DecodeError {
    pub fn new(message: impl Into<String>, path: &AttributePath) -> Self {
        Self {
            message: message.into(),
            path: path.clone(),
        }
    }
}

impl EncodeError {
    pub fn new(message: impl Into<String>, path: &AttributePath) -> Self {
        Self {
            message: message.into(),
            path: path.clone(),
        }
    }
}

impl Type {
    pub fn object(attrs: impl IntoIterator<Item = (impl Into<String>, Type)>) -> Type {
        Type::Object(
            attrs
                .into_iter()
                .map(|(name, ty)| (name.into(), ty))
                .collect(),
        )
    }

    pub fn list(t: Type) -> Type {
        Type::List(Box::new(t))
    }

    pub fn set(t: Type) -> Type {
        Type::Set(Box::new(t))
    }

    pub fn map(t: Type) -> Type {
        Type::Map(Box::new(t))
    }

    /// The compact JSON form Terraform expects in `Schema.Attribute.type`,
    /// e.g. `"string"` or `["list","string"]`.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = String::new();
        json::write_type(self, &mut out);
        out.into_bytes()
    }

    /// Parses a type from its JSON form (the inverse of [`Type::to_json`]). Also accepts
    /// the three-element object form with optional attribute names.
    pub fn from_json(bytes: &[u8]) -> Result<Type, DecodeError> {
        json::parse_type(bytes)
    }

    /// Whether this is a list, set or map (the types cty calls collections).
    pub fn is_collection(&self) -> bool {
        matches!(self, Type::List(_) | Type::Set(_) | Type::Map(_))
    }
}

impl Value {
    pub fn unknown() -> Value {
        Value::Unknown(Refinements::default())
    }

    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    pub fn bool(b: bool) -> Value {
        Value::Bool(b)
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown(_))
    }

    /// Known means neither null nor unknown (a known value may still contain unknowns
    /// inside; see [`Value::is_wholly_known`]).
    pub fn is_known(&self) -> bool {
        !self.is_null() && !self.is_unknown()
    }

    /// No unknown anywhere inside (nulls are allowed).
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown(_) => false,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(Value::is_wholly_known)
            }
            Value::Map(entries) | Value::Object(entries) => {
                entries.values().all(Value::is_wholly_known)
            }
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number as `i64` when it is an integer in range (also for `Float`/`Big`
    /// numbers whose value is integral).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Object(attrs) => Some(attrs),
            _ => None,
        }
    }

    /// Elements of a list, set or tuple.
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// An attribute of an object value; `None` if not an object or absent.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        self.as_object().and_then(|attrs| attrs.get(name))
    }

    /// Sets an attribute of an object value; does nothing for any other value.
    pub fn set_attr(&mut self, name: &str, v: Value) {
        if let Value::Object(attrs) = self {
            attrs.insert(name.to_string(), v);
        }
    }

    /// The null value of a type. cty nulls are typed, ours are not: the type is only
    /// taken for readability at the call site.
    pub fn null_of(_ty: &Type) -> Value {
        Value::Null
    }

    /// Whether the value fits the type. Null and unknown fit every type, and every value
    /// fits `dynamic`. An object may omit attributes (they count as null, as in the
    /// encoders) but must not carry attributes the type lacks.
    pub fn conforms_to(&self, ty: &Type) -> bool {
        match (self, ty) {
            (Value::Null | Value::Unknown(_), _) | (_, Type::Dynamic) => true,
            (Value::Bool(_), Type::Bool)
            | (Value::Number(_), Type::Number)
            | (Value::String(_), Type::String) => true,
            (Value::List(items), Type::List(elem)) | (Value::Set(items), Type::Set(elem)) => {
                items.iter().all(|item| item.conforms_to(elem))
            }
            (Value::Map(entries), Type::Map(elem)) => {
                entries.values().all(|item| item.conforms_to(elem))
            }
            (Value::Object(attrs), Type::Object(attr_types)) => {
                attrs.iter().all(|(name, value)| {
                    attr_types
                        .get(name)
                        .is_some_and(|attr_ty| value.conforms_to(attr_ty))
                })
            }
            (Value::Tuple(items), Type::Tuple(elem_types)) => {
                items.len() == elem_types.len()
                    && items
                        .iter()
                        .zip(elem_types)
                        .all(|(item, elem)| item.conforms_to(elem))
            }
            _ => false,
        }
    }

    /// Replace every unknown (recursively) with null; used when a computed attribute must
    /// become known.
    pub fn unknowns_to_null(&self) -> Value {
        match self {
            Value::Unknown(_) => Value::Null,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => self.clone(),
            Value::List(items) => Value::List(items.iter().map(Value::unknowns_to_null).collect()),
            Value::Set(items) => Value::Set(items.iter().map(Value::unknowns_to_null).collect()),
            Value::Tuple(items) => {
                Value::Tuple(items.iter().map(Value::unknowns_to_null).collect())
            }
            Value::Map(entries) => Value::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), v.unknowns_to_null()))
                    .collect(),
            ),
            Value::Object(attrs) => Value::Object(
                attrs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.unknowns_to_null()))
                    .collect(),
            ),
        }
    }

    /// Walk to a path; `None` if absent. Attribute steps enter objects, string keys enter
    /// maps, integer keys enter lists and tuples (sets have no addressable elements).
    pub fn at_path(&self, path: &AttributePath) -> Option<&Value> {
        path.steps
            .iter()
            .try_fold(self, |current, step| match (current, step) {
                (Value::Object(attrs), PathStep::Attribute(name)) => attrs.get(name),
                (Value::Map(entries), PathStep::ElementKeyString(key)) => entries.get(key),
                (Value::List(items) | Value::Tuple(items), PathStep::ElementKeyInt(index)) => {
                    usize::try_from(*index).ok().and_then(|i| items.get(i))
                }
                _ => None,
            })
    }

    /// The most specific type that describes a value, used to encode values of the
    /// `dynamic` type. Null and unknown parts become `dynamic`; a list, set or map takes
    /// the type of its first non-null, known element (cty collections are homogeneous).
    pub fn infer_type(&self) -> Type {
        fn element_type<'v>(mut items: impl Iterator<Item = &'v Value>) -> Type {
            items
                .find(|v| v.is_known())
                .map(Value::infer_type)
                .unwrap_or(Type::Dynamic)
        }
        match self {
            Value::Null | Value::Unknown(_) => Type::Dynamic,
            Value::Bool(_) => Type::Bool,
            Value::Number(_) => Type::Number,
            Value::String(_) => Type::String,
            Value::List(items) => Type::list(element_type(items.iter())),
            Value::Set(items) => Type::set(element_type(items.iter())),
            Value::Map(entries) => Type::map(element_type(entries.values())),
            Value::Object(attrs) => Type::Object(
                attrs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.infer_type()))
                    .collect(),
            ),
            Value::Tuple(items) => Type::Tuple(items.iter().map(Value::infer_type).collect()),
        }
    }
}

/// Stands in for a string's contents in `Debug` output.
struct Redacted(usize);

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{} chars redacted>", self.0)
    }
}

impl std::fmt::Debug for Refinements {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refinements")
            .field("nullness", &self.nullness)
            .field(
                "string_prefix",
                &self
                    .string_prefix
                    .as_ref()
                    .map(|prefix| Redacted(prefix.chars().count())),
            )
            .finish()
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => f.write_str("Null"),
            Value::Unknown(refinements) => f.debug_tuple("Unknown").field(refinements).finish(),
            Value::Bool(b) => f.debug_tuple("Bool").field(b).finish(),
            Value::Number(n) => f.debug_tuple("Number").field(n).finish(),
            Value::String(s) => f
                .debug_tuple("String")
                .field(&Redacted(s.chars().count()))
                .finish(),
            Value::List(items) => f.debug_tuple("List").field(items).finish(),
            Value::Set(items) => f.debug_tuple("Set").field(items).finish(),
            Value::Tuple(items) => f.debug_tuple("Tuple").field(items).finish(),
            Value::Map(entries) => f.debug_tuple("Map").field(entries).finish(),
            Value::Object(attrs) => f.debug_tuple("Object").field(attrs).finish(),
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Unknown(a), Value::Unknown(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => a == b,
            (Value::Set(a), Value::Set(b)) => same_elements_any_order(a, b),
            (Value::Map(a), Value::Map(b)) | (Value::Object(a), Value::Object(b)) => a == b,
            _ => false,
        }
    }
}

/// Multiset comparison without hashing or ordering (values have neither); sets in
/// Terraform values are small, so quadratic matching is fine.
fn same_elements_any_order(a: &[Value], b: &[Value]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut matched = vec![false; b.len()];
    a.iter().all(|item| {
        let found = b
            .iter()
            .enumerate()
            .position(|(i, candidate)| !matched[i] && candidate == item);
        match found {
            Some(i) => {
                matched[i] = true;
                true
            }
            None => false,
        }
    })
}

impl Number {
    /// Parses decimal number text (JSON number syntax) into the canonical form: `Int`
    /// if integral and in `i64` range, `Float` if exactly representable as `f64`, `Big`
    /// otherwise. `None` if the text is not a number.
    pub fn parse(text: &str) -> Option<Number> {
        number::parse(text)
    }

    /// The value as `i64` when it is an integer in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(f) => number::f64_to_i64_exact(*f),
            Number::Big(text) => match number::parse(text) {
                Some(Number::Int(i)) => Some(i),
                _ => None,
            },
        }
    }

    /// The value as `f64` (rounded for `Big`; `None` if `Big` holds invalid text).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Number::Int(i) => Some(*i as f64),
            Number::Float(f) => Some(*f),
            Number::Big(text) => text.parse().ok(),
        }
    }

    /// The decimal text of the number (exact).
    pub fn to_decimal_string(&self) -> String {
        match self {
            Number::Int(i) => i.to_string(),
            Number::Float(f) => number::f64_to_text(*f),
            Number::Big(text) => text.clone(),
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (Number::Float(a), Number::Float(b)) => a == b,
            (Number::Int(i), Number::Float(f)) | (Number::Float(f), Number::Int(i)) => {
                number::f64_to_i64_exact(*f) == Some(*i)
            }
            _ => match (number::Decimal::of(self), number::Decimal::of(other)) {
                (Some(a), Some(b)) => a == b,
                // Unparseable `Big` text only equals identical text.
                _ => matches!((self, other), (Number::Big(a), Number::Big(b)) if a == b),
            },
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::int(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> Value {
        Value::Object(BTreeMap::from([
            ("name".to_string(), Value::string("alice")),
            ("password".to_string(), Value::unknown()),
            (
                "tags".to_string(),
                Value::Map(BTreeMap::from([("env".to_string(), Value::string("prod"))])),
            ),
            (
                "aliases".to_string(),
                Value::List(vec![Value::string("a"), Value::unknown()]),
            ),
            ("quota".to_string(), Value::Null),
        ]))
    }

    fn user_type() -> Type {
        Type::object([
            ("name", Type::String),
            ("password", Type::String),
            ("tags", Type::map(Type::String)),
            ("aliases", Type::list(Type::String)),
            ("quota", Type::Number),
        ])
    }

    #[test]
    fn null_unknown_and_known_are_distinct() {
        let states = [
            (Value::Null, (true, false, false)),
            (Value::unknown(), (false, true, false)),
            (Value::string(""), (false, false, true)),
        ];
        for (value, (null, unknown, known)) in states {
            assert_eq!(
                (value.is_null(), value.is_unknown(), value.is_known()),
                (null, unknown, known)
            );
        }
        assert_ne!(Value::Null, Value::unknown());
        assert_ne!(Value::Null, Value::string(""));
    }

    #[test]
    fn wholly_known_looks_inside() {
        assert!(!user().is_wholly_known());
        assert!(user().is_known());
        let cleaned = user().unknowns_to_null();
        assert!(cleaned.is_wholly_known());
        assert_eq!(cleaned.get_attr("password"), Some(&Value::Null));
        assert_eq!(
            cleaned.at_path(&AttributePath::root("aliases").index(1)),
            Some(&Value::Null)
        );
        assert_eq!(cleaned.get_attr("name"), Some(&Value::string("alice")));
    }

    #[test]
    fn sets_compare_without_order_but_with_multiplicity() {
        let a = Value::Set(vec![Value::string("x"), Value::string("y")]);
        let b = Value::Set(vec![Value::string("y"), Value::string("x")]);
        assert_eq!(a, b);
        let c = Value::Set(vec![Value::string("x"), Value::string("x")]);
        assert_ne!(a, c);
        // Lists keep order.
        assert_ne!(
            Value::List(vec![Value::int(1), Value::int(2)]),
            Value::List(vec![Value::int(2), Value::int(1)])
        );
        assert_ne!(Value::Set(vec![]), Value::List(vec![]));
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(Value::int(1), Value::Number(Number::Float(1.0)));
        assert_eq!(Value::Number(Number::Big("10".into())), Value::int(10));
        assert_eq!(Value::Number(Number::Float(2.0)).as_i64(), Some(2));
        assert_eq!(Value::Number(Number::Float(2.5)).as_i64(), None);
    }

    #[test]
    fn attribute_access_and_paths() {
        let mut value = user();
        assert_eq!(
            value.get_attr("name").and_then(Value::as_str),
            Some("alice")
        );
        assert_eq!(value.get_attr("missing"), None);
        value.set_attr("quota", Value::int(5));
        assert_eq!(value.get_attr("quota").and_then(Value::as_i64), Some(5));
        assert_eq!(
            value.at_path(&AttributePath::root("tags").key("env")),
            Some(&Value::string("prod"))
        );
        assert_eq!(
            value.at_path(&AttributePath::root("tags").key("nope")),
            None
        );
        assert_eq!(
            value.at_path(&AttributePath::root("aliases").index(-1)),
            None
        );
        assert_eq!(value.at_path(&AttributePath::root("name").attr("x")), None);
        assert_eq!(value.at_path(&AttributePath::default()), Some(&value));

        let mut not_object = Value::string("s");
        not_object.set_attr("a", Value::Null);
        assert_eq!(not_object, Value::string("s"));
        assert_eq!(not_object.get_attr("a"), None);
    }

    #[test]
    fn conformance() {
        assert!(user().conforms_to(&user_type()));
        assert!(Value::Null.conforms_to(&user_type()));
        assert!(Value::unknown().conforms_to(&Type::Bool));
        assert!(Value::string("x").conforms_to(&Type::Dynamic));
        assert!(!Value::string("x").conforms_to(&Type::Number));
        assert!(!Value::List(vec![]).conforms_to(&Type::set(Type::String)));
        let mut extra = user();
        extra.set_attr("bogus", Value::Null);
        assert!(!extra.conforms_to(&user_type()));
        let partial = Value::Object(BTreeMap::from([("name".to_string(), Value::string("a"))]));
        assert!(partial.conforms_to(&user_type()));
        assert!(!Value::Tuple(vec![Value::int(1)]).conforms_to(&Type::Tuple(vec![])));
    }

    #[test]
    fn debug_output_never_shows_string_contents() {
        let value = Value::Object(BTreeMap::from([
            ("password".to_string(), Value::string("hunter2")),
            (
                "pending".to_string(),
                Value::Unknown(Refinements {
                    nullness: Some(false),
                    string_prefix: Some("hunt".to_string()),
                }),
            ),
        ]));
        let debug = format!("{value:?} {value:#?}");
        assert!(!debug.contains("hunt"), "{debug}");
        assert!(debug.contains("password") && debug.contains("7 chars redacted"));
    }

    #[test]
    fn type_constructors() {
        assert_eq!(
            Type::object([("b", Type::Bool)]),
            Type::Object(BTreeMap::from([("b".to_string(), Type::Bool)]))
        );
        assert_eq!(Type::list(Type::Bool), Type::List(Box::new(Type::Bool)));
        assert!(Type::map(Type::Bool).is_collection());
        assert!(!Type::Tuple(vec![]).is_collection());
        assert_eq!(
            Value::List(vec![Value::Null, Value::int(1)]).infer_type(),
            Type::list(Type::Number)
        );
    }
}
