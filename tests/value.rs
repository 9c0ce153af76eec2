//! Property tests of the value model codecs: encode/decode round trips over arbitrary
//! types and conforming values, and arbitrary input bytes never panicking the decoders.

use std::collections::BTreeMap;

use proptest::prelude::*;
use terraform_provider_panel::tfvalue::{json, msgpack, Number, Refinements, Type, Value};

fn attribute_name() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,8}"
}

fn primitive_type() -> impl Strategy<Value = Type> {
    prop_oneof![
        Just(Type::Bool),
        Just(Type::Number),
        Just(Type::String),
        Just(Type::Dynamic)
    ]
}

fn any_type() -> impl Strategy<Value = Type> {
    primitive_type().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            prop::collection::btree_map(attribute_name(), inner.clone(), 0..4)
                .prop_map(Type::Object),
            prop::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

fn any_number(finite_only: bool) -> BoxedStrategy<Number> {
    let float = if finite_only {
        // Keep away from the edges where Rust's float parser and formatter are slow.
        (-1e300f64..1e300f64).boxed()
    } else {
        prop_oneof![
            -1e300f64..1e300f64,
            Just(f64::INFINITY),
            Just(f64::NEG_INFINITY)
        ]
        .boxed()
    };
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        float.prop_map(Number::Float),
        "-?[1-9][0-9]{19,40}".prop_map(Number::Big),
        "-?(0|[1-9][0-9]{0,4})\\.[0-9]{1,25}".prop_map(Number::Big),
        "-?[1-9]\\.[0-9]{1,10}e-?[1-9][0-9]{0,2}".prop_map(Number::Big),
    ]
    .boxed()
}

/// Refinements that survive encoding for this type (the rest are not sent, by design).
fn refinements_for(ty: &Type) -> BoxedStrategy<Refinements> {
    match ty {
        Type::Dynamic => Just(Refinements::default()).boxed(),
        Type::String => (
            prop::option::of(Just(false)),
            prop::option::of("[a-z/]{1,6}"),
        )
            .prop_map(|(nullness, string_prefix)| Refinements {
                nullness,
                string_prefix,
            })
            .boxed(),
        _ => prop::option::of(Just(false))
            .prop_map(|nullness| Refinements {
                nullness,
                string_prefix: None,
            })
            .boxed(),
    }
}

/// A known value of a dynamic attribute: one whose inferred type decodes back to it.
fn dynamic_known(finite_only: bool) -> BoxedStrategy<Value> {
    prop_oneof![
        any::<bool>().prop_map(Value::Bool),
        any_number(finite_only).prop_map(Value::Number),
        any::<String>().prop_map(Value::String),
        prop::collection::vec(any::<String>().prop_map(Value::String), 0..3).prop_map(Value::List),
    ]
    .boxed()
}

fn known_value(ty: &Type, with_unknowns: bool) -> BoxedStrategy<Value> {
    let finite_only = !with_unknowns;
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => any_number(finite_only).prop_map(Value::Number).boxed(),
        Type::String => any::<String>().prop_map(Value::String).boxed(),
        Type::Dynamic => dynamic_known(finite_only),
        Type::List(elem) => prop::collection::vec(value_of(elem, with_unknowns), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(elem) => prop::collection::vec(value_of(elem, with_unknowns), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(elem) => {
            prop::collection::btree_map(any::<String>(), value_of(elem, with_unknowns), 0..4)
                .prop_map(Value::Map)
                .boxed()
        }
        Type::Object(attrs) => {
            let names: Vec<String> = attrs.keys().cloned().collect();
            let values: Vec<_> = attrs
                .values()
                .map(|attr_ty| value_of(attr_ty, with_unknowns))
                .collect();
            values
                .prop_map(move |values| {
                    Value::Object(
                        names
                            .iter()
                            .cloned()
                            .zip(values)
                            .collect::<BTreeMap<_, _>>(),
                    )
                })
                .boxed()
        }
        Type::Tuple(elems) => {
            let values: Vec<_> = elems
                .iter()
                .map(|elem| value_of(elem, with_unknowns))
                .collect();
            values.prop_map(Value::Tuple).boxed()
        }
    }
}

/// Any value conforming to `ty`: null, (maybe refined) unknown, or known.
fn value_of(ty: &Type, with_unknowns: bool) -> BoxedStrategy<Value> {
    let known = known_value(ty, with_unknowns);
    if with_unknowns {
        prop_oneof![
            1 => Just(Value::Null),
            1 => refinements_for(ty).prop_map(Value::Unknown),
            4 => known,
        ]
        .boxed()
    } else {
        prop_oneof![1 => Just(Value::Null), 4 => known].boxed()
    }
}

fn type_and_value(with_unknowns: bool) -> impl Strategy<Value = (Type, Value)> {
    any_type().prop_flat_map(move |ty| {
        let value = value_of(&ty, with_unknowns);
        (Just(ty), value)
    })
}

/// JSON cannot carry infinities either; those fail for a different reason.
fn has_infinity(value: &Value) -> bool {
    match value {
        Value::Number(Number::Float(f)) => f.is_infinite(),
        Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
            items.iter().any(has_infinity)
        }
        Value::Map(entries) | Value::Object(entries) => entries.values().any(has_infinity),
        _ => false,
    }
}

fn fuzz_types() -> Vec<Type> {
    vec![
        Type::String,
        Type::Number,
        Type::Dynamic,
        Type::list(Type::map(Type::Number)),
        Type::Tuple(vec![Type::Bool, Type::set(Type::String)]),
        Type::object([
            ("id", Type::String),
            ("tags", Type::map(Type::String)),
            (
                "nested",
                Type::object([("n", Type::Number), ("d", Type::Dynamic)]),
            ),
        ]),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 512,
        // The single-binary test layout has no lib.rs beside this file to persist next to.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn msgpack_round_trips_any_conforming_value((ty, value) in type_and_value(true)) {
        prop_assert!(value.conforms_to(&ty));
        let bytes = msgpack::encode(&value, &ty).map_err(|e| TestCaseError::fail(e.message))?;
        let decoded = msgpack::decode(&bytes, &ty).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert_eq!(decoded, value);
    }

    #[test]
    fn json_round_trips_any_unknown_free_value((ty, value) in type_and_value(false)) {
        let bytes = json::encode(&value, &ty).map_err(|e| TestCaseError::fail(e.message))?;
        let decoded = json::decode(&bytes, &ty).map_err(|e| TestCaseError::fail(e.message))?;
        prop_assert_eq!(&decoded, &value);
        // Lenient decoding of what we wrote ourselves changes nothing.
        prop_assert_eq!(json::decode_lenient(&bytes, &ty).ok(), Some(value));
    }

    #[test]
    fn type_json_round_trips(ty in any_type()) {
        prop_assert_eq!(Type::from_json(&ty.to_json()), Ok(ty));
    }

    #[test]
    fn json_encode_fails_exactly_when_an_unknown_is_inside((ty, value) in type_and_value(true)) {
        if !has_infinity(&value) {
            prop_assert_eq!(json::encode(&value, &ty).is_ok(), value.is_wholly_known());
        }
    }

    #[test]
    fn msgpack_decode_never_panics_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        for ty in fuzz_types() {
            let _ = msgpack::decode(&bytes, &ty);
        }
    }

    #[test]
    fn msgpack_decode_never_panics_on_corrupted_encodings(
        (ty, value) in type_and_value(true),
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        let Ok(mut bytes) = msgpack::encode(&value, &ty) else {
            return Err(TestCaseError::fail("encoding a conforming value failed"));
        };
        for (at, byte) in flips {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        let _ = msgpack::decode(&bytes, &ty);
        let _ = msgpack::decode(&bytes[..cut.index(bytes.len() + 1)], &ty);
    }

    #[test]
    fn json_decode_never_panics_on_arbitrary_input(
        text in "[\\[\\]{}\",:0-9eE.+\\-a-z\\\\ ]{0,48}",
        bytes in prop::collection::vec(any::<u8>(), 0..48),
    ) {
        for ty in fuzz_types() {
            let _ = json::decode(text.as_bytes(), &ty);
            let _ = json::decode_lenient(text.as_bytes(), &ty);
            let _ = json::decode(&bytes, &ty);
        }
        let _ = Type::from_json(text.as_bytes());
        let _ = Type::from_json(&bytes);
    }

    #[test]
    fn json_decode_never_panics_on_corrupted_encodings(
        (ty, value) in type_and_value(false),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let Ok(mut bytes) = json::encode(&value, &ty) else {
            return Err(TestCaseError::fail("encoding an unknown-free value failed"));
        };
        let i = at.index(bytes.len());
        bytes[i] = byte;
        let _ = json::decode(&bytes, &ty);
        let _ = json::decode_lenient(&bytes, &ty);
    }
}

#[test]
fn terraform_object_with_unknown_and_null_round_trips_byte_for_byte() {
    // What Terraform sends for {id = (known after apply), name = "a", quota = null}:
    // fixmap(3) "id" d4 00 00, "name" "a", "quota" nil.
    let bytes = [
        0x83, 0xa2, b'i', b'd', 0xd4, 0x00, 0x00, 0xa4, b'n', b'a', b'm', b'e', 0xa1, b'a', 0xa5,
        b'q', b'u', b'o', b't', b'a', 0xc0,
    ];
    let ty = Type::object([
        ("id", Type::String),
        ("name", Type::String),
        ("quota", Type::Number),
    ]);
    let value = msgpack::decode(&bytes, &ty).expect("decodes");
    assert!(value.get_attr("id").is_some_and(Value::is_unknown));
    assert!(value.get_attr("quota").is_some_and(Value::is_null));
    assert_eq!(value.get_attr("name").and_then(Value::as_str), Some("a"));
    assert_eq!(msgpack::encode(&value, &ty).expect("encodes"), bytes);
}
