//! Value model: cty types and values as Terraform sends them.
//!
//! Null, unknown and known are three distinct states: a `Value` is exactly one of
//! `Value::Null`, `Value::Unknown(_)` or one of the known variants. Nothing in this
//! module knows about protobuf or about resources.

pub mod json;
pub mod msgpack;
pub mod path;

use std::collections::BTreeMap;

pub use path::{AttributePath, PathStep};

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
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
    /// Decimal text for values that fit neither (msgpack encodes them as strings).
    Big(String),
}

/// Refinements Terraform may attach to an unknown value (msgpack extension 12).
/// Only what a provider may reasonably use is kept; the rest is dropped on decode.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Refinements {
    /// `Some(false)`: the value is known not to be null once known.
    pub nullness: Option<bool>,
    /// For strings: a known prefix.
    pub string_prefix: Option<String>,
}

/// A cty value.
#[derive(Clone, Debug, PartialEq)]
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
