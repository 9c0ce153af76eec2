//! The JSON encoding of values (state upgrades arrive as JSON) and of types.
//!
//! JSON has no unknowns: decoding never produces one and encoding an unknown fails.
//! Numbers keep their exact decimal text: the small parser here hands number tokens
//! over as text instead of going through `f64` (serde_json would round them, and its
//! `arbitrary_precision` feature would change behaviour crate-wide).

use std::collections::BTreeMap;

use super::msgpack::kind_name;
use super::number::{self, Decimal};
use super::{AttributePath, DecodeError, EncodeError, Number, PathStep, Type, Value, MAX_DEPTH};

/// Decodes Terraform state JSON of type `ty`. An object attribute that the type lacks is
/// an error; see [`decode_lenient`] for old state.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let tree = parse(bytes)?;
    Decoder {
        lenient: false,
        steps: Vec::new(),
    }
    .value(&tree, ty)
}

/// Like [`decode`], but drops object attributes the type does not have (at any depth).
/// State written under an older schema can carry attributes the provider has since
/// removed, and an upgrade must not fail on them.
pub fn decode_lenient(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let tree = parse(bytes)?;
    Decoder {
        lenient: true,
        steps: Vec::new(),
    }
    .value(&tree, ty)
}

/// Encodes `value` as JSON of type `ty` (cty's JSON form). Fails on unknowns, which
/// JSON cannot represent, and on infinite numbers.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut encoder = Encoder {
        out: String::new(),
        steps: Vec::new(),
    };
    encoder.value(value, ty)?;
    Ok(encoder.out.into_bytes())
}

/// A parsed JSON document; numbers keep their source text.
#[derive(Debug)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in document order; duplicates are left for the consumer to reject.
    Object(Vec<(String, Json)>),
}

/// Parses one JSON document (RFC 8259), surrounded by optional whitespace.
pub(crate) fn parse(bytes: &[u8]) -> Result<Json, DecodeError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| DecodeError::new("JSON is not valid UTF-8", &AttributePath::default()))?;
    let mut parser = Parser { text, pos: 0 };
    parser.skip_whitespace();
    let tree = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != text.len() {
        return Err(parser.error("unexpected text after the JSON value"));
    }
    Ok(tree)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn error(&self, message: &str) -> DecodeError {
        DecodeError::new(
            format!("invalid JSON at byte {}: {message}", self.pos),
            &AttributePath::default(),
        )
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect_literal(&mut self, literal: &str) -> Result<(), DecodeError> {
        if self.text[self.pos..].starts_with(literal) {
            self.pos += literal.len();
            Ok(())
        } else {
            Err(self.error("unknown literal"))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Json, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        match self.peek() {
            None => Err(self.error("unexpected end of input")),
            Some(b'n') => self.expect_literal("null").map(|_| Json::Null),
            Some(b't') => self.expect_literal("true").map(|_| Json::Bool(true)),
            Some(b'f') => self.expect_literal("false").map(|_| Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_whitespace();
                if self.peek() == Some(b']') {
                    self.pos += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    self.skip_whitespace();
                    items.push(self.value(depth + 1)?);
                    self.skip_whitespace();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b']') => {
                            self.pos += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return Err(self.error("expected ',' or ']'")),
                    }
                }
            }
            Some(b'{') => {
                self.pos += 1;
                let mut members = Vec::new();
                self.skip_whitespace();
                if self.peek() == Some(b'}') {
                    self.pos += 1;
                    return Ok(Json::Object(members));
                }
                loop {
                    self.skip_whitespace();
                    if self.peek() != Some(b'"') {
                        return Err(self.error("expected a string key"));
                    }
                    let key = self.string()?;
                    self.skip_whitespace();
                    if self.peek() != Some(b':') {
                        return Err(self.error("expected ':'"));
                    }
                    self.pos += 1;
                    self.skip_whitespace();
                    members.push((key, self.value(depth + 1)?));
                    self.skip_whitespace();
                    match self.peek() {
                        Some(b',') => self.pos += 1,
                        Some(b'}') => {
                            self.pos += 1;
                            return Ok(Json::Object(members));
                        }
                        _ => return Err(self.error("expected ',' or '}'")),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.pos;
                while matches!(
                    self.peek(),
                    Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                ) {
                    self.pos += 1;
                }
                let token = &self.text[start..self.pos];
                if Decimal::parse(token).is_none() {
                    self.pos = start;
                    return Err(self.error("invalid number"));
                }
                Ok(Json::Number(token.to_string()))
            }
            Some(_) => Err(self.error("unexpected character")),
        }
    }

    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let digits = self
            .text
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("truncated \\u escape"))?;
        let code = u32::from_str_radix(digits, 16).map_err(|_| self.error("bad \\u escape"))?;
        // from_str_radix accepts a leading '+', which JSON does not.
        if digits.starts_with('+') {
            return Err(self.error("bad \\u escape"));
        }
        self.pos += 4;
        Ok(code)
    }

    /// Reads a string token starting at the opening quote.
    fn string(&mut self) -> Result<String, DecodeError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let Some(stop) = rest.find(|c: char| c == '"' || c == '\\' || c < ' ') else {
                return Err(self.error("unterminated string"));
            };
            out.push_str(&rest[..stop]);
            self.pos += stop;
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escape = self.peek().ok_or_else(|| self.error("truncated escape"))?;
                    self.pos += 1;
                    match escape {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let first = self.hex4()?;
                            let code = if (0xd800..0xdc00).contains(&first) {
                                if !self.text[self.pos..].starts_with("\\u") {
                                    return Err(self.error("unpaired surrogate"));
                                }
                                self.pos += 2;
                                let second = self.hex4()?;
                                if !(0xdc00..0xe000).contains(&second) {
                                    return Err(self.error("unpaired surrogate"));
                                }
                                0x10000 + ((first - 0xd800) << 10) + (second - 0xdc00)
                            } else {
                                first
                            };
                            out.push(
                                char::from_u32(code)
                                    .ok_or_else(|| self.error("unpaired surrogate"))?,
                            );
                        }
                        _ => return Err(self.error("unknown escape")),
                    }
                }
                _ => return Err(self.error("control character in string")),
            }
        }
    }
}

struct Decoder {
    lenient: bool,
    steps: Vec<PathStep>,
}

impl Decoder {
    fn error(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            message: message.into(),
            path: AttributePath {
                steps: self.steps.clone(),
            },
        }
    }

    fn mismatch(&self, expected: &str, found: &Json) -> DecodeError {
        let found = match found {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Number(_) => "a number",
            Json::String(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        };
        self.error(format!("expected {expected}, found {found}"))
    }

    fn value(&mut self, json: &Json, ty: &Type) -> Result<Value, DecodeError> {
        if let Json::Null = json {
            return Ok(Value::Null);
        }
        match ty {
            // cty's JSON decoder also converts strings to bools and numbers, and numbers
            // and bools to strings; state written by Terraform never needs it, but
            // hand-edited state may.
            Type::Bool => match json {
                Json::Bool(b) => Ok(Value::Bool(*b)),
                Json::String(s) if s == "true" => Ok(Value::Bool(true)),
                Json::String(s) if s == "false" => Ok(Value::Bool(false)),
                other => Err(self.mismatch("a boolean", other)),
            },
            Type::Number => match json {
                Json::Number(text) | Json::String(text) => Number::parse(text)
                    .map(Value::Number)
                    .ok_or_else(|| self.error("string is not a number")),
                other => Err(self.mismatch("a number", other)),
            },
            Type::String => match json {
                Json::String(s) | Json::Number(s) => Ok(Value::String(s.clone())),
                Json::Bool(b) => Ok(Value::String(b.to_string())),
                other => Err(self.mismatch("a string", other)),
            },
            Type::List(elem) => self.elements(json, elem).map(Value::List),
            Type::Set(elem) => self.elements(json, elem).map(Value::Set),
            Type::Tuple(elem_types) => {
                let Json::Array(items) = json else {
                    return Err(self.mismatch("an array (tuple)", json));
                };
                if items.len() != elem_types.len() {
                    return Err(self.error(format!(
                        "tuple has {} elements, the type has {}",
                        items.len(),
                        elem_types.len()
                    )));
                }
                let mut values = Vec::with_capacity(items.len());
                for (index, (item, elem)) in items.iter().zip(elem_types).enumerate() {
                    self.steps.push(PathStep::ElementKeyInt(index as i64));
                    values.push(self.value(item, elem)?);
                    self.steps.pop();
                }
                Ok(Value::Tuple(values))
            }
            Type::Map(elem) => {
                let Json::Object(members) = json else {
                    return Err(self.mismatch("an object (map)", json));
                };
                let mut entries = BTreeMap::new();
                for (key, item) in members {
                    self.steps.push(PathStep::ElementKeyString(key.clone()));
                    let value = self.value(item, elem)?;
                    if entries.insert(key.clone(), value).is_some() {
                        return Err(self.error("duplicate map key"));
                    }
                    self.steps.pop();
                }
                Ok(Value::Map(entries))
            }
            Type::Object(attr_types) => {
                let Json::Object(members) = json else {
                    return Err(self.mismatch("an object", json));
                };
                let mut attrs = BTreeMap::new();
                for (name, item) in members {
                    let Some(attr_ty) = attr_types.get(name) else {
                        if self.lenient {
                            continue;
                        }
                        return Err(self.error(format!("unsupported attribute {name:?}")));
                    };
                    self.steps.push(PathStep::Attribute(name.clone()));
                    let value = self.value(item, attr_ty)?;
                    if attrs.insert(name.clone(), value).is_some() {
                        return Err(self.error("duplicate attribute"));
                    }
                    self.steps.pop();
                }
                for name in attr_types.keys() {
                    if !attrs.contains_key(name) {
                        attrs.insert(name.clone(), Value::Null);
                    }
                }
                Ok(Value::Object(attrs))
            }
            Type::Dynamic => {
                let Json::Object(members) = json else {
                    return Err(self.mismatch("an object with \"type\" and \"value\"", json));
                };
                let member = |wanted: &str| {
                    members
                        .iter()
                        .find(|(key, _)| key == wanted)
                        .map(|(_, item)| item)
                };
                let (Some(type_json), Some(value_json)) = (member("type"), member("value")) else {
                    return Err(self.error("dynamic value needs \"type\" and \"value\""));
                };
                if members.len() != 2 {
                    return Err(self.error("dynamic value has members besides type and value"));
                }
                let actual_ty = type_from_tree(type_json, 0).map_err(|e| {
                    self.error(format!("invalid type in dynamic value: {}", e.message))
                })?;
                self.value(value_json, &actual_ty)
            }
        }
    }

    fn elements(&mut self, json: &Json, elem: &Type) -> Result<Vec<Value>, DecodeError> {
        let Json::Array(items) = json else {
            return Err(self.mismatch("an array", json));
        };
        let mut values = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            self.steps.push(PathStep::ElementKeyInt(index as i64));
            values.push(self.value(item, elem)?);
            self.steps.pop();
        }
        Ok(values)
    }
}

struct Encoder {
    out: String,
    steps: Vec<PathStep>,
}

impl Encoder {
    fn error(&self, message: impl Into<String>) -> EncodeError {
        EncodeError {
            message: message.into(),
            path: AttributePath {
                steps: self.steps.clone(),
            },
        }
    }

    fn value(&mut self, value: &Value, ty: &Type) -> Result<(), EncodeError> {
        match (value, ty) {
            (Value::Null, _) => self.out.push_str("null"),
            (Value::Unknown(_), _) => {
                return Err(self.error("unknown values cannot be represented in JSON"))
            }
            (_, Type::Dynamic) => {
                let actual_ty = value.infer_type();
                self.out.push_str("{\"value\":");
                self.value(value, &actual_ty)?;
                self.out.push_str(",\"type\":");
                write_type(&actual_ty, &mut self.out);
                self.out.push('}');
            }
            (Value::Bool(b), Type::Bool) => self.out.push_str(if *b { "true" } else { "false" }),
            (Value::Number(n), Type::Number) => self.number(n)?,
            (Value::String(s), Type::String) => write_string(s, &mut self.out),
            (Value::List(items), Type::List(elem)) | (Value::Set(items), Type::Set(elem)) => {
                self.out.push('[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        self.out.push(',');
                    }
                    self.steps.push(PathStep::ElementKeyInt(index as i64));
                    self.value(item, elem)?;
                    self.steps.pop();
                }
                self.out.push(']');
            }
            (Value::Tuple(items), Type::Tuple(elem_types)) => {
                if items.len() != elem_types.len() {
                    return Err(self.error(format!(
                        "tuple has {} elements, the type has {}",
                        items.len(),
                        elem_types.len()
                    )));
                }
                self.out.push('[');
                for (index, (item, elem)) in items.iter().zip(elem_types).enumerate() {
                    if index > 0 {
                        self.out.push(',');
                    }
                    self.steps.push(PathStep::ElementKeyInt(index as i64));
                    self.value(item, elem)?;
                    self.steps.pop();
                }
                self.out.push(']');
            }
            (Value::Map(entries), Type::Map(elem)) => {
                self.out.push('{');
                for (index, (key, item)) in entries.iter().enumerate() {
                    if index > 0 {
                        self.out.push(',');
                    }
                    write_string(key, &mut self.out);
                    self.out.push(':');
                    self.steps.push(PathStep::ElementKeyString(key.clone()));
                    self.value(item, elem)?;
                    self.steps.pop();
                }
                self.out.push('}');
            }
            (Value::Object(attrs), Type::Object(attr_types)) => {
                if let Some(extra) = attrs.keys().find(|name| !attr_types.contains_key(*name)) {
                    return Err(self.error(format!("attribute {extra:?} is not in the type")));
                }
                self.out.push('{');
                for (index, (name, attr_ty)) in attr_types.iter().enumerate() {
                    if index > 0 {
                        self.out.push(',');
                    }
                    write_string(name, &mut self.out);
                    self.out.push(':');
                    self.steps.push(PathStep::Attribute(name.clone()));
                    self.value(attrs.get(name).unwrap_or(&Value::Null), attr_ty)?;
                    self.steps.pop();
                }
                self.out.push('}');
            }
            _ => {
                return Err(self.error(format!(
                    "value of kind {} does not fit type {}",
                    kind_name(value),
                    String::from_utf8_lossy(&ty.to_json())
                )))
            }
        }
        Ok(())
    }

    fn number(&mut self, number: &Number) -> Result<(), EncodeError> {
        match number {
            Number::Int(i) => self.out.push_str(&i.to_string()),
            Number::Float(f) if !f.is_finite() => {
                return Err(self.error("infinite or NaN numbers cannot be represented in JSON"))
            }
            Number::Float(f) => self.out.push_str(&number::f64_to_text(*f)),
            Number::Big(text) => {
                if Decimal::parse(text).is_none() {
                    return Err(self.error("Big number holds text that is not a number"));
                }
                self.out.push_str(text);
            }
        }
        Ok(())
    }
}

/// Appends `s` as a JSON string literal.
pub(crate) fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends the compact JSON form of a type (go-cty's `Type.MarshalJSON`).
pub(crate) fn write_type(ty: &Type, out: &mut String) {
    match ty {
        Type::Bool => out.push_str("\"bool\""),
        Type::Number => out.push_str("\"number\""),
        Type::String => out.push_str("\"string\""),
        Type::Dynamic => out.push_str("\"dynamic\""),
        Type::List(elem) | Type::Set(elem) | Type::Map(elem) => {
            out.push_str(match ty {
                Type::List(_) => "[\"list\",",
                Type::Set(_) => "[\"set\",",
                _ => "[\"map\",",
            });
            write_type(elem, out);
            out.push(']');
        }
        Type::Object(attrs) => {
            out.push_str("[\"object\",{");
            for (index, (name, attr_ty)) in attrs.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_string(name, out);
                out.push(':');
                write_type(attr_ty, out);
            }
            out.push_str("}]");
        }
        Type::Tuple(elems) => {
            out.push_str("[\"tuple\",[");
            for (index, elem) in elems.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_type(elem, out);
            }
            out.push_str("]]");
        }
    }
}

/// Parses a type from JSON bytes (see [`Type::from_json`]).
pub(crate) fn parse_type(bytes: &[u8]) -> Result<Type, DecodeError> {
    type_from_tree(&parse(bytes)?, 0)
}

fn type_from_tree(json: &Json, depth: usize) -> Result<Type, DecodeError> {
    let root = AttributePath::default();
    let invalid = |what: &str| DecodeError::new(format!("invalid type JSON: {what}"), &root);
    if depth > MAX_DEPTH {
        return Err(invalid("nested too deeply"));
    }
    match json {
        Json::String(name) => match name.as_str() {
            "bool" => Ok(Type::Bool),
            "number" => Ok(Type::Number),
            "string" => Ok(Type::String),
            "dynamic" => Ok(Type::Dynamic),
            _ => Err(invalid("unknown primitive type")),
        },
        Json::Array(parts) => {
            let (Some(Json::String(kind)), Some(arg)) = (parts.first(), parts.get(1)) else {
                return Err(invalid("expected [kind, argument]"));
            };
            match (kind.as_str(), parts.len()) {
                ("list", 2) => Ok(Type::list(type_from_tree(arg, depth + 1)?)),
                ("set", 2) => Ok(Type::set(type_from_tree(arg, depth + 1)?)),
                ("map", 2) => Ok(Type::map(type_from_tree(arg, depth + 1)?)),
                ("tuple", 2) => {
                    let Json::Array(elems) = arg else {
                        return Err(invalid("tuple needs an array of types"));
                    };
                    elems
                        .iter()
                        .map(|elem| type_from_tree(elem, depth + 1))
                        .collect::<Result<_, _>>()
                        .map(Type::Tuple)
                }
                // The third element lists optional attributes, which only matter for
                // type constraints; a value type does not record them.
                ("object", 2 | 3) => {
                    let Json::Object(members) = arg else {
                        return Err(invalid("object needs a map of attribute types"));
                    };
                    if let Some(optional) = parts.get(2) {
                        let Json::Array(names) = optional else {
                            return Err(invalid("optional attributes must be an array"));
                        };
                        if !names.iter().all(|name| matches!(name, Json::String(_))) {
                            return Err(invalid("optional attribute names must be strings"));
                        }
                    }
                    let mut attrs = BTreeMap::new();
                    for (name, attr_json) in members {
                        let attr_ty = type_from_tree(attr_json, depth + 1)?;
                        if attrs.insert(name.clone(), attr_ty).is_some() {
                            return Err(invalid("duplicate attribute"));
                        }
                    }
                    Ok(Type::Object(attrs))
                }
                _ => Err(invalid("unknown type kind")),
            }
        }
        _ => Err(invalid("expected a string or an array")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state_type() -> Type {
        Type::object([
            ("id", Type::String),
            ("quota", Type::Number),
            ("enabled", Type::Bool),
            ("tags", Type::map(Type::String)),
            ("aliases", Type::set(Type::String)),
        ])
    }

    #[test]
    fn decodes_state_with_missing_attributes_as_null() {
        let value = decode(
            br#"{"id":"u1","quota":123456789012345678901234567890,"tags":{"a":"b"}}"#,
            &state_type(),
        )
        .unwrap();
        assert_eq!(value.get_attr("id"), Some(&Value::string("u1")));
        assert!(matches!(
            value.get_attr("quota"),
            Some(Value::Number(Number::Big(text))) if text == "123456789012345678901234567890"
        ));
        assert_eq!(value.get_attr("enabled"), Some(&Value::Null));
        assert_eq!(value.get_attr("aliases"), Some(&Value::Null));
        assert_eq!(
            value.at_path(&AttributePath::root("tags").key("a")),
            Some(&Value::string("b"))
        );
    }

    #[test]
    fn numbers_keep_their_exact_value() {
        let cases = [
            ("0.1", Number::Big("0.1".into())),
            ("1.5", Number::Float(1.5)),
            ("2.0", Number::Int(2)),
            ("-7", Number::Int(-7)),
            ("\"12\"", Number::Int(12)),
        ];
        for (text, expected) in cases {
            assert_eq!(
                decode(text.as_bytes(), &Type::Number),
                Ok(Value::Number(expected)),
                "{text}"
            );
        }
        let big = Value::Number(Number::Big("0.1".into()));
        assert_eq!(encode(&big, &Type::Number).unwrap(), b"0.1");
    }

    #[test]
    fn removed_attributes_fail_strict_decode_and_are_dropped_by_lenient_decode() {
        let old_state = br#"{"id":"u1","legacy":{"x":1}}"#;
        let err = decode(old_state, &state_type()).unwrap_err();
        assert!(err.message.contains("legacy"), "{err}");
        let value = decode_lenient(old_state, &state_type()).unwrap();
        assert_eq!(value.get_attr("legacy"), None);
        assert_eq!(value.get_attr("id"), Some(&Value::string("u1")));
    }

    #[test]
    fn unknowns_cannot_be_encoded() {
        let mut value = decode(br#"{"id":"u1"}"#, &state_type()).unwrap();
        value.set_attr("quota", Value::unknown());
        let err = encode(&value, &state_type()).unwrap_err();
        assert_eq!(err.path, AttributePath::root("quota"));
    }

    #[test]
    fn encodes_objects_in_type_order_and_round_trips() {
        let text = r#"{"aliases":["x"],"enabled":true,"id":"a\"b\n","quota":5,"tags":{}}"#;
        let value = decode(text.as_bytes(), &state_type()).unwrap();
        assert_eq!(
            String::from_utf8(encode(&value, &state_type()).unwrap()).unwrap(),
            text
        );
    }

    #[test]
    fn string_escapes_and_surrogate_pairs() {
        assert_eq!(
            decode(br#""\u00e9\ud83d\ude00\/\t""#, &Type::String),
            Ok(Value::string("é😀/\t"))
        );
        for bad in [
            &br#""\ud83d""#[..],
            br#""\ude00""#,
            br#""\x""#,
            b"\"a\x01\"",
            br#""\u+041""#,
        ] {
            assert!(decode(bad, &Type::String).is_err(), "{bad:?}");
        }
        let control = Value::string("\u{1}");
        let encoded = encode(&control, &Type::String).unwrap();
        assert_eq!(encoded, br#""\u0001""#);
        assert_eq!(decode(&encoded, &Type::String), Ok(control));
    }

    #[test]
    fn dynamic_is_a_type_and_value_pair() {
        let value = decode(
            br#"{"value":["a"],"type":["list","string"]}"#,
            &Type::Dynamic,
        );
        assert_eq!(value, Ok(Value::List(vec![Value::string("a")])));
        let encoded = encode(&Value::string("s"), &Type::Dynamic).unwrap();
        assert_eq!(encoded, br#"{"value":"s","type":"string"}"#);
        assert!(decode(br#"{"value":1}"#, &Type::Dynamic).is_err());
    }

    #[test]
    fn malformed_json_is_an_error() {
        for bad in [
            &b""[..],
            b"{",
            b"[1,]",
            b"{\"a\":1,}",
            b"01",
            b"1.",
            b"nul",
            b"\"abc",
            b"[1] x",
            b"\xff",
            b"{\"a\" 1}",
        ] {
            assert!(decode(bad, &Type::Dynamic).is_err(), "{bad:?}");
            assert!(decode(bad, &Type::list(Type::Number)).is_err(), "{bad:?}");
        }
        assert!(decode(br#"{"a":1,"a":2}"#, &Type::map(Type::Number)).is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = "[".repeat(100_000);
        let err = decode(deep.as_bytes(), &Type::list(Type::String)).unwrap_err();
        assert!(err.message.contains("nested"), "{err}");
        assert!(Type::from_json(deep.as_bytes()).is_err());
    }

    #[test]
    fn type_json_matches_terraform_forms() {
        let cases = [
            (Type::String, r#""string""#),
            (Type::Dynamic, r#""dynamic""#),
            (Type::list(Type::String), r#"["list","string"]"#),
            (
                Type::map(Type::set(Type::Bool)),
                r#"["map",["set","bool"]]"#,
            ),
            (
                Type::object([("b", Type::Number), ("a", Type::String)]),
                r#"["object",{"a":"string","b":"number"}]"#,
            ),
            (
                Type::Tuple(vec![Type::String, Type::Number]),
                r#"["tuple",["string","number"]]"#,
            ),
            (Type::Tuple(vec![]), r#"["tuple",[]]"#),
        ];
        for (ty, json) in cases {
            assert_eq!(String::from_utf8(ty.to_json()).unwrap(), json);
            assert_eq!(Type::from_json(json.as_bytes()), Ok(ty));
        }
    }

    #[test]
    fn type_json_accepts_optional_attribute_form_and_rejects_nonsense() {
        assert_eq!(
            Type::from_json(br#" ["object", {"a": "string"}, ["a"]] "#),
            Ok(Type::object([("a", Type::String)]))
        );
        for bad in [
            &br#""text""#[..],
            br#"["list"]"#,
            br#"["list","string","x"]"#,
            br#"["object",["a"]]"#,
            br#"["object",{"a":"string","a":"bool"}]"#,
            br#"["tuple","string"]"#,
            br#"["frob","string"]"#,
            br#"42"#,
        ] {
            assert!(
                Type::from_json(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
