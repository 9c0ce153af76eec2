//! Typed models: a resource type declares its attributes once with [`model!`], and gets
//! the schema's attributes, a struct with one typed [`Field`] per attribute, and the
//! conversions between that struct and Terraform's untyped values. Resource logic then
//! reads `model.login`, never `value.get_attr("login")`; an attribute that is renamed or
//! removed is a compile error wherever it is used.
//!
//! ```ignore
//! model! {
//!     /// The attributes of `panel_user`.
//!     pub struct UserModel {
//!         id: String .computed() .use_state_for_unknown() .markdown("The panel's id."),
//!         login: String .optional() .computed() .markdown("Login name."),
//!         suspended: bool .optional() .computed() .default(Value::Bool(false)),
//!     }
//! }
//! ```
//!
//! Each entry is `name: RustType` followed by [`Attribute`] builder calls; the macro
//! creates the attribute with that name and the Terraform type of `RustType`
//! ([`FieldValue::tf_type`]): `String`, `bool`, `i64`, [`StringList`] or [`StringSet`]. [`attr!`](crate::attr) names an attribute by its field
//! (checked by the compiler) where a string is needed, e.g. an attribute path.

use std::collections::BTreeSet;
use std::fmt::Debug;

use super::schema::Attribute;
use crate::tfvalue::{Number, Type, Value};

/// One attribute's value as Terraform sends it: null, unknown ("known after apply"),
/// or known. The three are distinct everywhere: a plan may hold unknowns, state never
/// does.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Field<T> {
    #[default]
    Null,
    Unknown,
    Known(T),
}

impl<T> Field<T> {
    /// The value when known.
    pub fn get(&self) -> Option<&T> {
        match self {
            Field::Known(value) => Some(value),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Field::Unknown)
    }

    pub fn is_known(&self) -> bool {
        matches!(self, Field::Known(_))
    }

    /// Known or null: `Some(None)` for null, `None` while unknown.
    pub fn settled(&self) -> Option<Option<&T>> {
        match self {
            Field::Null => Some(None),
            Field::Unknown => None,
            Field::Known(value) => Some(Some(value)),
        }
    }

    /// Known value or null (unknown also becomes `None`).
    pub fn into_option(self) -> Option<T> {
        match self {
            Field::Known(value) => Some(value),
            _ => None,
        }
    }

    /// `Known` for `Some`, `Null` for `None`.
    pub fn from_option(value: Option<T>) -> Self {
        value.map_or(Field::Null, Field::Known)
    }
}

impl Field<String> {
    /// The known string.
    pub fn str(&self) -> Option<&str> {
        self.get().map(String::as_str)
    }

    /// An owned copy of the known string.
    pub fn owned(&self) -> Option<String> {
        self.get().cloned()
    }

    pub fn text(value: impl Into<String>) -> Self {
        Field::Known(value.into())
    }

    /// `Known` for `Some`, `Null` for `None`.
    pub fn from_str_option(value: Option<&str>) -> Self {
        value.map_or(Field::Null, |v| Field::Known(v.to_owned()))
    }
}

/// A Rust type an attribute can hold, and how it travels as a [`Value`].
pub trait FieldValue: Sized + Clone + Debug + PartialEq + Send + Sync {
    /// The Terraform type of attributes holding this.
    fn tf_type() -> Type;
    /// The known, non-null `value` as `Self`; `None` when it has another type.
    fn decode(value: &Value) -> Option<Self>;
    fn encode(&self) -> Value;
}

impl FieldValue for String {
    fn tf_type() -> Type {
        Type::String
    }
    fn decode(value: &Value) -> Option<Self> {
        value.as_str().map(str::to_owned)
    }
    fn encode(&self) -> Value {
        Value::String(self.clone())
    }
}

impl FieldValue for bool {
    fn tf_type() -> Type {
        Type::Bool
    }
    fn decode(value: &Value) -> Option<Self> {
        value.as_bool()
    }
    fn encode(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FieldValue for i64 {
    fn tf_type() -> Type {
        Type::Number
    }
    fn decode(value: &Value) -> Option<Self> {
        value.as_i64()
    }
    fn encode(&self) -> Value {
        Value::Number(Number::Int(*self))
    }
}

/// A list of strings (order matters), as a model field type.
pub type StringList = Vec<String>;

/// A set of strings (order does not matter), as a model field type.
pub type StringSet = BTreeSet<String>;

/// A list of strings (order matters).
impl FieldValue for Vec<String> {
    fn tf_type() -> Type {
        Type::List(Box::new(Type::String))
    }
    fn decode(value: &Value) -> Option<Self> {
        value
            .as_elements()?
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect()
    }
    fn encode(&self) -> Value {
        Value::List(self.iter().cloned().map(Value::String).collect())
    }
}

/// A set of strings (order does not matter).
impl FieldValue for BTreeSet<String> {
    fn tf_type() -> Type {
        Type::Set(Box::new(Type::String))
    }
    fn decode(value: &Value) -> Option<Self> {
        value
            .as_elements()?
            .iter()
            .map(|item| item.as_str().map(str::to_owned))
            .collect()
    }
    fn encode(&self) -> Value {
        Value::Set(self.iter().cloned().map(Value::String).collect())
    }
}

impl<T: FieldValue> Field<T> {
    /// Reads an attribute value; a value of the wrong type (which Terraform never sends
    /// for a valid schema) reads as null rather than panicking.
    pub fn decode(value: Option<&Value>) -> Self {
        match value {
            None | Some(Value::Null) => Field::Null,
            Some(Value::Unknown(_)) => Field::Unknown,
            Some(value) => T::decode(value).map_or(Field::Null, Field::Known),
        }
    }

    pub fn encode(&self) -> Value {
        match self {
            Field::Null => Value::Null,
            Field::Unknown => Value::unknown(),
            Field::Known(value) => value.encode(),
        }
    }
}

/// A typed model generated by [`model!`].
pub trait Model: Clone + Debug + Default + PartialEq + Send + Sync + 'static {
    /// The schema attributes, in declaration order.
    fn attributes() -> Vec<Attribute>;

    /// Every attribute name, in declaration order.
    fn attribute_names() -> &'static [&'static str];

    /// Reads a whole object value (missing attributes read as null).
    fn from_value(value: &Value) -> Self;

    /// The whole object value, every attribute present.
    fn to_value(&self) -> Value;

    /// Writes into `target` each attribute whose value differs from `original`, so
    /// that what was not touched keeps its exact wire form (unknown refinements).
    fn write_changes(&self, original: &Self, target: &mut Value);
}

/// The attribute name of a model field: the field's name, without the `r#` of a raw
/// identifier (`r#type` is the attribute `type`).
pub const fn attribute_name(field: &'static str) -> &'static str {
    match field.as_bytes() {
        [b'r', b'#', rest @ ..] => match std::str::from_utf8(rest) {
            Ok(name) => name,
            Err(_) => field,
        },
        _ => field,
    }
}

/// Declares a typed model; see the [module docs](self).
#[macro_export]
macro_rules! model {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$field_meta:meta])*
                $field:ident : $ty:ident $( . $method:ident ( $($arg:expr),* $(,)? ) )*
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq)]
        $vis struct $name {
            $(
                $(#[$field_meta])*
                pub $field: $crate::framework::model::Field<$ty>,
            )*
        }

        impl $crate::framework::model::Model for $name {
            fn attributes() -> Vec<$crate::framework::schema::Attribute> {
                vec![
                    $(
                        $crate::framework::schema::Attribute::new(
                            $crate::framework::model::attribute_name(stringify!($field)),
                            <$ty as $crate::framework::model::FieldValue>::tf_type(),
                        )
                        $( .$method($($arg),*) )*
                    ),*
                ]
            }

            fn attribute_names() -> &'static [&'static str] {
                const NAMES: &[&str] =
                    &[$($crate::framework::model::attribute_name(stringify!($field))),*];
                NAMES
            }

            fn from_value(value: &$crate::tfvalue::Value) -> Self {
                Self {
                    $(
                        $field: $crate::framework::model::Field::decode(
                            value.get_attr($crate::framework::model::attribute_name(stringify!($field))),
                        ),
                    )*
                }
            }

            fn to_value(&self) -> $crate::tfvalue::Value {
                $crate::tfvalue::Value::Object(
                    [$(($crate::framework::model::attribute_name(stringify!($field)).to_owned(), self.$field.encode())),*]
                        .into_iter()
                        .collect(),
                )
            }

            fn write_changes(&self, original: &Self, target: &mut $crate::tfvalue::Value) {
                $(
                    if self.$field != original.$field {
                        target.set_attr($crate::framework::model::attribute_name(stringify!($field)), self.$field.encode());
                    }
                )*
            }
        }
    };
}

/// The attribute name of `Model.field`, checked by the compiler: `attr!(UserModel,
/// login)` is `"login"`, and fails to build if `UserModel` has no `login`.
#[macro_export]
macro_rules! attr {
    ($model:ty, $field:ident) => {{
        let _exists = |model: &$model| {
            let _ = &model.$field;
        };
        $crate::framework::model::attribute_name(stringify!($field))
    }};
}

/// The attribute path of `Model.field` (see [`attr!`](crate::attr)).
#[macro_export]
macro_rules! attr_path {
    ($model:ty, $field:ident) => {
        $crate::tfvalue::AttributePath::root($crate::attr!($model, $field))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::schema::Schema;

    crate::model! {
        /// A model with one attribute of each kind.
        pub struct Sample {
            id: String .computed() .markdown("id"),
            flag: bool .optional() .computed() .default(Value::Bool(false)) .markdown("flag"),
            version: i64 .optional() .markdown("version"),
            tags: StringSet .optional() .markdown("tags"),
            secret: String .optional() .sensitive() .write_only() .markdown("secret"),
        }
    }

    #[test]
    fn the_model_gives_a_valid_schema_and_round_trips_values() {
        let schema = Sample::attributes()
            .into_iter()
            .fold(Schema::new(0), Schema::attribute);
        assert_eq!(schema.check(), Ok(()));
        assert_eq!(
            Sample::attribute_names(),
            &["id", "flag", "version", "tags", "secret"]
        );
        let value = Value::Object(
            [
                ("id".to_owned(), Value::unknown()),
                ("flag".to_owned(), Value::Bool(true)),
                ("version".to_owned(), Value::int(3)),
                (
                    "tags".to_owned(),
                    Value::Set(vec![Value::string("b"), Value::string("a")]),
                ),
                ("secret".to_owned(), Value::Null),
            ]
            .into_iter()
            .collect(),
        );
        let model = Sample::from_value(&value);
        assert!(model.id.is_unknown());
        assert_eq!(model.flag, Field::Known(true));
        assert_eq!(model.version.get(), Some(&3));
        assert_eq!(
            model
                .tags
                .get()
                .map(|t| t.iter().cloned().collect::<Vec<_>>()),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert!(model.secret.is_null());
        assert!(model.to_value().conforms_to(&schema.object_type()));
        assert_eq!(Sample::from_value(&model.to_value()), model);
    }

    #[test]
    fn only_changed_fields_are_written_back() {
        let mut target = Value::Object(
            [
                ("id".to_owned(), Value::unknown()),
                ("flag".to_owned(), Value::Bool(false)),
            ]
            .into_iter()
            .collect(),
        );
        let original = Sample::from_value(&target);
        let mut changed = original.clone();
        changed.flag = Field::Known(true);
        changed.write_changes(&original, &mut target);
        assert_eq!(target.get_attr("flag"), Some(&Value::Bool(true)));
        assert!(target.get_attr("id").is_some_and(Value::is_unknown));
        assert_eq!(target.get_attr("version"), None, "untouched stays absent");
    }

    #[test]
    fn wrong_types_read_as_null_and_attr_names_are_checked() {
        let value = Value::Object(
            [("flag".to_owned(), Value::string("yes"))]
                .into_iter()
                .collect(),
        );
        assert!(Sample::from_value(&value).flag.is_null());
        assert_eq!(crate::attr!(Sample, version), "version");
    }
}
