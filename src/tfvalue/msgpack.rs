//! The msgpack encoding of `DynamicValue` (Terraform's object wire format).
//!
//! Decoding is driven by the type: the bytes alone cannot tell a list from a set or a
//! map from an object. Null is msgpack nil; unknown is any msgpack extension (Terraform
//! writes `d4 00 00`, or extension 12 whose payload is a map of refinements). A
//! `"dynamic"` value travels as a two-element array `[type JSON, value]`.
//!
//! The reader is hand-written rather than built on a generic msgpack value reader so
//! that every length is checked against the remaining input before anything is
//! allocated and nesting depth is bounded: input bytes come from the network.

use std::collections::BTreeMap;

use super::number::{self, Decimal};
use super::{
    AttributePath, DecodeError, EncodeError, Number, PathStep, Refinements, Type, Value, MAX_DEPTH,
};

/// Extension code of an unknown value carrying refinements (go-cty).
const EXT_REFINED_UNKNOWN: i8 = 12;
/// Refinement map keys (go-cty `unknownVal*` constants).
const REFINEMENT_NULLNESS: i64 = 1;
const REFINEMENT_STRING_PREFIX: i64 = 2;
/// The plain unknown exactly as Terraform writes it: fixext1, type 0, one zero byte.
const PLAIN_UNKNOWN: [u8; 3] = [0xd4, 0x00, 0x00];

/// Decodes one msgpack value of type `ty`. The whole input must be consumed.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, DecodeError> {
    let mut reader = Reader::new(bytes);
    let value = reader.value(ty, 0)?;
    if reader.pos != bytes.len() {
        return Err(reader.error(format!(
            "{} unexpected bytes after the value",
            bytes.len() - reader.pos
        )));
    }
    Ok(value)
}

/// Encodes `value` as type `ty`. Object attributes are written in the type's (sorted)
/// order; an attribute the value lacks is written as nil.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, EncodeError> {
    let mut writer = Writer {
        out: Vec::new(),
        steps: Vec::new(),
    };
    writer.value(value, ty)?;
    Ok(writer.out)
}

/// The header of one msgpack item.
#[derive(Debug)]
enum Head {
    Nil,
    Bool(bool),
    Uint(u64),
    Int(i64),
    Float(f64),
    Str(usize),
    Bin(usize),
    Array(usize),
    Map(usize),
    Ext(i8, usize),
}

impl Head {
    fn describe(&self) -> &'static str {
        match self {
            Head::Nil => "nil",
            Head::Bool(_) => "a boolean",
            Head::Uint(_) | Head::Int(_) => "an integer",
            Head::Float(_) => "a float",
            Head::Str(_) => "a string",
            Head::Bin(_) => "binary data",
            Head::Array(_) => "an array",
            Head::Map(_) => "a map",
            Head::Ext(..) => "an extension",
        }
    }
}

struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
    steps: Vec<PathStep>,
}

impl<'a> Reader<'a> {
    fn new(input: &'a [u8]) -> Self {
        Reader {
            input,
            pos: 0,
            steps: Vec::new(),
        }
    }

    fn error(&self, message: impl Into<String>) -> DecodeError {
        DecodeError {
            message: message.into(),
            path: AttributePath {
                steps: self.steps.clone(),
            },
        }
    }

    fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], DecodeError> {
        if len > self.remaining() {
            return Err(self.error(format!(
                "truncated input: {len} bytes announced, {} left",
                self.remaining()
            )));
        }
        let slice = &self.input[self.pos..self.pos + len];
        self.pos += len;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, DecodeError> {
        Ok(self.take(1)?[0])
    }

    fn uint_be(&mut self, width: usize) -> Result<u64, DecodeError> {
        Ok(self
            .take(width)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn len_be(&mut self, width: usize) -> Result<usize, DecodeError> {
        let len = self.uint_be(width)?;
        usize::try_from(len).map_err(|_| self.error("length out of range"))
    }

    fn head(&mut self) -> Result<Head, DecodeError> {
        let marker = self.byte()?;
        Ok(match marker {
            0x00..=0x7f => Head::Uint(u64::from(marker)),
            0x80..=0x8f => Head::Map(usize::from(marker & 0x0f)),
            0x90..=0x9f => Head::Array(usize::from(marker & 0x0f)),
            0xa0..=0xbf => Head::Str(usize::from(marker & 0x1f)),
            0xc0 => Head::Nil,
            0xc2 => Head::Bool(false),
            0xc3 => Head::Bool(true),
            0xc4 => Head::Bin(self.len_be(1)?),
            0xc5 => Head::Bin(self.len_be(2)?),
            0xc6 => Head::Bin(self.len_be(4)?),
            0xc7 => {
                let len = self.len_be(1)?;
                Head::Ext(self.byte()? as i8, len)
            }
            0xc8 => {
                let len = self.len_be(2)?;
                Head::Ext(self.byte()? as i8, len)
            }
            0xc9 => {
                let len = self.len_be(4)?;
                Head::Ext(self.byte()? as i8, len)
            }
            0xca => {
                let bits = u32::try_from(self.uint_be(4)?).unwrap_or(0);
                Head::Float(f64::from(f32::from_bits(bits)))
            }
            0xcb => Head::Float(f64::from_bits(self.uint_be(8)?)),
            0xcc => Head::Uint(self.uint_be(1)?),
            0xcd => Head::Uint(self.uint_be(2)?),
            0xce => Head::Uint(self.uint_be(4)?),
            0xcf => Head::Uint(self.uint_be(8)?),
            0xd0 => Head::Int(i64::from(self.byte()? as i8)),
            0xd1 => Head::Int(i64::from(self.uint_be(2)? as u16 as i16)),
            0xd2 => Head::Int(i64::from(self.uint_be(4)? as u32 as i32)),
            0xd3 => Head::Int(self.uint_be(8)? as i64),
            0xd4 => Head::Ext(self.byte()? as i8, 1),
            0xd5 => Head::Ext(self.byte()? as i8, 2),
            0xd6 => Head::Ext(self.byte()? as i8, 4),
            0xd7 => Head::Ext(self.byte()? as i8, 8),
            0xd8 => Head::Ext(self.byte()? as i8, 16),
            0xd9 => Head::Str(self.len_be(1)?),
            0xda => Head::Str(self.len_be(2)?),
            0xdb => Head::Str(self.len_be(4)?),
            0xdc => Head::Array(self.len_be(2)?),
            0xdd => Head::Array(self.len_be(4)?),
            0xde => Head::Map(self.len_be(2)?),
            0xdf => Head::Map(self.len_be(4)?),
            0xe0..=0xff => Head::Int(i64::from(marker as i8)),
            0xc1 => return Err(self.error("invalid msgpack marker 0xc1")),
        })
    }

    /// Rejects element counts that cannot possibly fit in the rest of the input (every
    /// item takes at least one byte), before anything is allocated for them.
    fn check_count(&self, count: usize, bytes_per_item: usize) -> Result<(), DecodeError> {
        if count.saturating_mul(bytes_per_item) > self.remaining() {
            return Err(self.error(format!(
                "{count} items announced but only {} bytes left",
                self.remaining()
            )));
        }
        Ok(())
    }

    fn text(&mut self, len: usize) -> Result<String, DecodeError> {
        let bytes = self.take(len)?;
        match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_string()),
            Err(_) => Err(self.error("string is not valid UTF-8")),
        }
    }

    fn mismatch(&self, expected: &str, found: &Head) -> DecodeError {
        self.error(format!("expected {expected}, found {}", found.describe()))
    }

    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(self.error(format!("value nested deeper than {MAX_DEPTH} levels")));
        }
        let head = self.head()?;
        match head {
            Head::Nil => return Ok(Value::Null),
            Head::Ext(code, len) => {
                let payload = self.take(len)?;
                return Ok(unknown_from_extension(code, payload, ty));
            }
            _ => {}
        }
        match ty {
            Type::Bool => match head {
                Head::Bool(b) => Ok(Value::Bool(b)),
                other => Err(self.mismatch("a boolean", &other)),
            },
            Type::Number => self.number(head).map(Value::Number),
            Type::String => match head {
                // go-cty's decoder accepts bin where it expects a string; so do we.
                Head::Str(len) | Head::Bin(len) => self.text(len).map(Value::String),
                other => Err(self.mismatch("a string", &other)),
            },
            Type::List(elem) => self.elements(head, elem, depth).map(Value::List),
            Type::Set(elem) => self.elements(head, elem, depth).map(Value::Set),
            Type::Tuple(elem_types) => {
                let Head::Array(count) = head else {
                    return Err(self.mismatch("an array (tuple)", &head));
                };
                if count != elem_types.len() {
                    return Err(self.error(format!(
                        "tuple has {count} elements, the type has {}",
                        elem_types.len()
                    )));
                }
                let mut items = Vec::with_capacity(count);
                for (index, elem) in elem_types.iter().enumerate() {
                    self.steps.push(PathStep::ElementKeyInt(index as i64));
                    items.push(self.value(elem, depth + 1)?);
                    self.steps.pop();
                }
                Ok(Value::Tuple(items))
            }
            Type::Map(elem) => {
                let Head::Map(count) = head else {
                    return Err(self.mismatch("a map", &head));
                };
                self.check_count(count, 2)?;
                let mut entries = BTreeMap::new();
                for _ in 0..count {
                    let key = self.key()?;
                    self.steps.push(PathStep::ElementKeyString(key.clone()));
                    let item = self.value(elem, depth + 1)?;
                    if entries.insert(key, item).is_some() {
                        return Err(self.error("duplicate map key"));
                    }
                    self.steps.pop();
                }
                Ok(Value::Map(entries))
            }
            Type::Object(attr_types) => {
                let Head::Map(count) = head else {
                    return Err(self.mismatch("a map (object)", &head));
                };
                self.check_count(count, 2)?;
                let mut attrs = BTreeMap::new();
                for _ in 0..count {
                    let name = self.key()?;
                    let Some(attr_ty) = attr_types.get(&name) else {
                        return Err(self.error(format!("unsupported attribute {name:?}")));
                    };
                    self.steps.push(PathStep::Attribute(name.clone()));
                    let item = self.value(attr_ty, depth + 1)?;
                    if attrs.insert(name, item).is_some() {
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
                let Head::Array(2) = head else {
                    return Err(self.mismatch("a [type, value] array (dynamic)", &head));
                };
                let type_json = match self.head()? {
                    Head::Str(len) | Head::Bin(len) => self.take(len)?,
                    other => return Err(self.mismatch("type JSON", &other)),
                };
                let actual_ty = Type::from_json(type_json).map_err(|e| {
                    self.error(format!("invalid type in dynamic value: {}", e.message))
                })?;
                self.value(&actual_ty, depth + 1)
            }
        }
    }

    fn elements(
        &mut self,
        head: Head,
        elem: &Type,
        depth: usize,
    ) -> Result<Vec<Value>, DecodeError> {
        let Head::Array(count) = head else {
            return Err(self.mismatch("an array", &head));
        };
        self.check_count(count, 1)?;
        let mut items = Vec::with_capacity(count);
        for index in 0..count {
            self.steps.push(PathStep::ElementKeyInt(index as i64));
            items.push(self.value(elem, depth + 1)?);
            self.steps.pop();
        }
        Ok(items)
    }

    fn key(&mut self) -> Result<String, DecodeError> {
        match self.head()? {
            Head::Str(len) | Head::Bin(len) => self.text(len),
            other => Err(self.mismatch("a string key", &other)),
        }
    }

    fn number(&mut self, head: Head) -> Result<Number, DecodeError> {
        match head {
            Head::Uint(u) => Ok(match i64::try_from(u) {
                Ok(i) => Number::Int(i),
                Err(_) => Number::Big(u.to_string()),
            }),
            Head::Int(i) => Ok(Number::Int(i)),
            Head::Float(f) if f.is_nan() => Err(self.error("NaN is not a number value")),
            Head::Float(f) => Ok(match number::f64_to_i64_exact(f) {
                Some(i) => Number::Int(i),
                None => Number::Float(f),
            }),
            // Terraform sends numbers that fit neither i64 nor f64 as decimal text.
            Head::Str(len) => {
                let text = self.text(len)?;
                // The text stays out of the message: it is not known to be harmless.
                Number::parse(&text).ok_or_else(|| self.error("string is not a number"))
            }
            other => Err(self.mismatch("a number", &other)),
        }
    }
}

/// Builds the unknown value an extension stands for. Refinements are hints: a payload we
/// cannot read, or keys we do not know, leave a plain unknown rather than failing the
/// whole request (go-cty rejects some malformed payloads; being lenient loses nothing a
/// provider relies on).
fn unknown_from_extension(code: i8, payload: &[u8], ty: &Type) -> Value {
    // go-cty: refinements on a dynamic-typed unknown are invalid and ignored.
    if code != EXT_REFINED_UNKNOWN || payload.len() <= 1 || *ty == Type::Dynamic {
        return Value::unknown();
    }
    let refinements = read_refinements(payload, ty).unwrap_or_default();
    if refinements.nullness == Some(true) {
        // "Unknown but definitely null" is just null (go-cty collapses it the same way).
        return Value::Null;
    }
    Value::Unknown(refinements)
}

fn read_refinements(payload: &[u8], ty: &Type) -> Result<Refinements, DecodeError> {
    let mut reader = Reader::new(payload);
    let Head::Map(count) = reader.head()? else {
        return Err(reader.error("refinements are not a map"));
    };
    reader.check_count(count, 2)?;
    let mut refinements = Refinements::default();
    for _ in 0..count {
        let key = match reader.head()? {
            Head::Uint(u) => i64::try_from(u).unwrap_or(i64::MAX),
            Head::Int(i) => i,
            _ => return Err(reader.error("refinement key is not an integer")),
        };
        match (key, reader.head()?) {
            (REFINEMENT_NULLNESS, Head::Bool(is_null)) => refinements.nullness = Some(is_null),
            (REFINEMENT_STRING_PREFIX, Head::Str(len)) => {
                let prefix = reader.text(len)?;
                if *ty == Type::String && !prefix.is_empty() {
                    refinements.string_prefix = Some(prefix);
                }
            }
            // Number bounds, collection length bounds and future keys: skipped.
            (_, head) => reader.skip(head, 0)?,
        }
    }
    // Trailing bytes after the map are reserved by go-cty for future use: ignored.
    Ok(refinements)
}

impl Reader<'_> {
    fn skip(&mut self, head: Head, depth: usize) -> Result<(), DecodeError> {
        if depth > MAX_DEPTH {
            return Err(self.error("refinement nested too deeply"));
        }
        match head {
            Head::Str(len) | Head::Bin(len) | Head::Ext(_, len) => {
                self.take(len)?;
            }
            Head::Array(count) => {
                self.check_count(count, 1)?;
                for _ in 0..count {
                    let item = self.head()?;
                    self.skip(item, depth + 1)?;
                }
            }
            Head::Map(count) => {
                self.check_count(count, 2)?;
                for _ in 0..count.saturating_mul(2) {
                    let item = self.head()?;
                    self.skip(item, depth + 1)?;
                }
            }
            Head::Nil | Head::Bool(_) | Head::Uint(_) | Head::Int(_) | Head::Float(_) => {}
        }
        Ok(())
    }
}

struct Writer {
    out: Vec<u8>,
    steps: Vec<PathStep>,
}

impl Writer {
    fn error(&self, message: impl Into<String>) -> EncodeError {
        EncodeError {
            message: message.into(),
            path: AttributePath {
                steps: self.steps.clone(),
            },
        }
    }

    fn mismatch(&self, value: &Value, ty: &Type) -> EncodeError {
        self.error(format!(
            "value of kind {} does not fit type {}",
            kind_name(value),
            String::from_utf8_lossy(&ty.to_json())
        ))
    }

    fn value(&mut self, value: &Value, ty: &Type) -> Result<(), EncodeError> {
        match (value, ty) {
            (Value::Null, _) => self.out.push(0xc0),
            (Value::Unknown(refinements), _) => self.unknown(refinements, ty)?,
            (_, Type::Dynamic) => {
                let actual_ty = value.infer_type();
                self.out.push(0x92);
                self.bin(&actual_ty.to_json())?;
                self.value(value, &actual_ty)?;
            }
            (Value::Bool(b), Type::Bool) => self.out.push(if *b { 0xc3 } else { 0xc2 }),
            (Value::Number(n), Type::Number) => self.number(n)?,
            (Value::String(s), Type::String) => self.str(s)?,
            (Value::List(items), Type::List(elem)) | (Value::Set(items), Type::Set(elem)) => {
                self.array_len(items.len())?;
                for (index, item) in items.iter().enumerate() {
                    self.steps.push(PathStep::ElementKeyInt(index as i64));
                    self.value(item, elem)?;
                    self.steps.pop();
                }
            }
            (Value::Tuple(items), Type::Tuple(elem_types)) => {
                if items.len() != elem_types.len() {
                    return Err(self.error(format!(
                        "tuple has {} elements, the type has {}",
                        items.len(),
                        elem_types.len()
                    )));
                }
                self.array_len(items.len())?;
                for (index, (item, elem)) in items.iter().zip(elem_types).enumerate() {
                    self.steps.push(PathStep::ElementKeyInt(index as i64));
                    self.value(item, elem)?;
                    self.steps.pop();
                }
            }
            (Value::Map(entries), Type::Map(elem)) => {
                self.map_len(entries.len())?;
                for (key, item) in entries {
                    self.str(key)?;
                    self.steps.push(PathStep::ElementKeyString(key.clone()));
                    self.value(item, elem)?;
                    self.steps.pop();
                }
            }
            (Value::Object(attrs), Type::Object(attr_types)) => {
                if let Some(extra) = attrs.keys().find(|name| !attr_types.contains_key(*name)) {
                    return Err(self.error(format!("attribute {extra:?} is not in the type")));
                }
                self.map_len(attr_types.len())?;
                for (name, attr_ty) in attr_types {
                    self.str(name)?;
                    self.steps.push(PathStep::Attribute(name.clone()));
                    self.value(attrs.get(name).unwrap_or(&Value::Null), attr_ty)?;
                    self.steps.pop();
                }
            }
            _ => return Err(self.mismatch(value, ty)),
        }
        Ok(())
    }

    fn unknown(&mut self, refinements: &Refinements, ty: &Type) -> Result<(), EncodeError> {
        let mut payload = Writer {
            out: Vec::new(),
            steps: Vec::new(),
        };
        let mut count = 0;
        if *ty != Type::Dynamic {
            if let Some(is_null) = refinements.nullness {
                payload.int(REFINEMENT_NULLNESS);
                payload.out.push(if is_null { 0xc3 } else { 0xc2 });
                count += 1;
            }
            // go-cty only accepts a prefix refinement on strings.
            if let (Some(prefix), Type::String) = (&refinements.string_prefix, ty) {
                if !prefix.is_empty() {
                    payload.int(REFINEMENT_STRING_PREFIX);
                    payload.str(prefix)?;
                    count += 1;
                }
            }
        }
        if count == 0 {
            self.out.extend_from_slice(&PLAIN_UNKNOWN);
            return Ok(());
        }
        let mut body = Vec::with_capacity(payload.out.len() + 1);
        body.push(0x80 | count); // fixmap: at most two entries
        body.extend_from_slice(&payload.out);
        match body.len() {
            len @ 0..=0xff => {
                self.out.push(0xc7);
                self.out.push(len as u8);
            }
            len @ 0x100..=0xffff => {
                self.out.push(0xc8);
                self.out.extend_from_slice(&(len as u16).to_be_bytes());
            }
            len => {
                let len = u32::try_from(len)
                    .map_err(|_| self.error("string prefix refinement too long"))?;
                self.out.push(0xc9);
                self.out.extend_from_slice(&len.to_be_bytes());
            }
        }
        self.out.push(EXT_REFINED_UNKNOWN as u8);
        self.out.extend_from_slice(&body);
        Ok(())
    }

    fn number(&mut self, number: &Number) -> Result<(), EncodeError> {
        match number {
            Number::Int(i) => self.int(*i),
            Number::Float(f) if f.is_nan() => {
                return Err(self.error("NaN cannot be sent to Terraform"))
            }
            Number::Float(f) => match number::f64_to_i64_exact(*f) {
                Some(i) => self.int(i),
                None => {
                    self.out.push(0xcb);
                    self.out.extend_from_slice(&f.to_bits().to_be_bytes());
                }
            },
            Number::Big(text) => {
                if Decimal::parse(text).is_none() {
                    return Err(self.error("Big number holds text that is not a number"));
                }
                self.str(text)?;
            }
        }
        Ok(())
    }

    /// The smallest msgpack integer encoding for `i`.
    fn int(&mut self, i: i64) {
        match i {
            0..=0x7f => self.out.push(i as u8),
            0x80..=0xff => self.out.extend_from_slice(&[0xcc, i as u8]),
            0x100..=0xffff => {
                self.out.push(0xcd);
                self.out.extend_from_slice(&(i as u16).to_be_bytes());
            }
            0x1_0000..=0xffff_ffff => {
                self.out.push(0xce);
                self.out.extend_from_slice(&(i as u32).to_be_bytes());
            }
            -32..=-1 => self.out.push(i as i8 as u8),
            -0x80..=-33 => self.out.extend_from_slice(&[0xd0, i as i8 as u8]),
            -0x8000..=-0x81 => {
                self.out.push(0xd1);
                self.out.extend_from_slice(&(i as i16).to_be_bytes());
            }
            -0x8000_0000..=-0x8001 => {
                self.out.push(0xd2);
                self.out.extend_from_slice(&(i as i32).to_be_bytes());
            }
            i if i > 0 => {
                self.out.push(0xcf);
                self.out.extend_from_slice(&(i as u64).to_be_bytes());
            }
            i => {
                self.out.push(0xd3);
                self.out.extend_from_slice(&i.to_be_bytes());
            }
        }
    }

    fn sized(&mut self, len: usize, markers: [u8; 3]) -> Result<(), EncodeError> {
        match len {
            0..=0xff if markers[0] != 0 => self.out.extend_from_slice(&[markers[0], len as u8]),
            0..=0xffff => {
                self.out.push(markers[1]);
                self.out.extend_from_slice(&(len as u16).to_be_bytes());
            }
            _ => {
                let len = u32::try_from(len)
                    .map_err(|_| self.error("item too large for msgpack (over 4 GiB)"))?;
                self.out.push(markers[2]);
                self.out.extend_from_slice(&len.to_be_bytes());
            }
        }
        Ok(())
    }

    fn str(&mut self, s: &str) -> Result<(), EncodeError> {
        if s.len() < 32 {
            self.out.push(0xa0 | s.len() as u8);
        } else {
            self.sized(s.len(), [0xd9, 0xda, 0xdb])?;
        }
        self.out.extend_from_slice(s.as_bytes());
        Ok(())
    }

    fn bin(&mut self, bytes: &[u8]) -> Result<(), EncodeError> {
        self.sized(bytes.len(), [0xc4, 0xc5, 0xc6])?;
        self.out.extend_from_slice(bytes);
        Ok(())
    }

    fn array_len(&mut self, len: usize) -> Result<(), EncodeError> {
        if len < 16 {
            self.out.push(0x90 | len as u8);
            Ok(())
        } else {
            self.sized(len, [0, 0xdc, 0xdd])
        }
    }

    fn map_len(&mut self, len: usize) -> Result<(), EncodeError> {
        if len < 16 {
            self.out.push(0x80 | len as u8);
            Ok(())
        } else {
            self.sized(len, [0, 0xde, 0xdf])
        }
    }
}

/// A short name for the kind of a value, for error messages (never the value itself:
/// it may be a secret).
pub(crate) fn kind_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Unknown(_) => "unknown",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::List(_) => "list",
        Value::Set(_) => "set",
        Value::Map(_) => "map",
        Value::Object(_) => "object",
        Value::Tuple(_) => "tuple",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object_type() -> Type {
        Type::object([
            ("id", Type::String),
            ("port", Type::Number),
            (
                "nested",
                Type::object([("a", Type::Bool), ("b", Type::String)]),
            ),
        ])
    }

    fn refinements(nullness: Option<bool>, prefix: Option<&str>) -> Refinements {
        Refinements {
            nullness,
            string_prefix: prefix.map(str::to_string),
        }
    }

    #[test]
    fn terraform_plain_unknown_decodes_as_unknown_for_any_type() {
        for ty in [Type::String, Type::Number, object_type(), Type::Dynamic] {
            assert_eq!(decode(&[0xd4, 0x00, 0x00], &ty), Ok(Value::unknown()));
        }
        // Any extension code and length is an unknown.
        assert_eq!(
            decode(&[0xd5, 0x07, 1, 2], &Type::Bool),
            Ok(Value::unknown())
        );
        assert_eq!(
            decode(&[0xc7, 0x00, 0x00], &Type::Bool),
            Ok(Value::unknown())
        );
    }

    #[test]
    fn nil_is_null_not_unknown() {
        let value = decode(&[0xc0], &object_type());
        assert_eq!(value, Ok(Value::Null));
        assert!(value.is_ok_and(|v| v.is_null() && !v.is_unknown() && !v.is_known()));
    }

    #[test]
    fn refined_unknown_extension_12_keeps_nullness_and_prefix() {
        // ext8, len 7, type 12, payload {1: false, 2: "ab"}
        let bytes = [0xc7, 0x07, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa2, b'a', b'b'];
        assert_eq!(
            decode(&bytes, &Type::String),
            Ok(Value::Unknown(refinements(Some(false), Some("ab"))))
        );
        // A prefix only makes sense for strings.
        let only_nullness = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
        assert_eq!(
            decode(&only_nullness, &Type::Number),
            Ok(Value::Unknown(refinements(Some(false), None)))
        );
    }

    #[test]
    fn refinements_we_do_not_use_are_skipped_not_fatal() {
        // {3: [1, true], 5: 2, 99: {"x": [nil]}, 1: false}
        let payload = [
            0x84, 0x03, 0x92, 0x01, 0xc3, 0x05, 0x02, 0x63, 0x81, 0xa1, b'x', 0x91, 0xc0, 0x01,
            0xc2,
        ];
        let mut bytes = vec![0xc7, payload.len() as u8, 0x0c];
        bytes.extend_from_slice(&payload);
        assert_eq!(
            decode(&bytes, &Type::list(Type::String)),
            Ok(Value::Unknown(refinements(Some(false), None)))
        );
    }

    #[test]
    fn malformed_refinement_payload_degrades_to_plain_unknown() {
        for payload in [&[0x92, 0x01, 0x02][..], &[0x85, 0x01], &[0xc1, 0x00]] {
            let mut bytes = vec![0xc7, payload.len() as u8, 0x0c];
            bytes.extend_from_slice(payload);
            assert_eq!(decode(&bytes, &Type::String), Ok(Value::unknown()));
        }
    }

    #[test]
    fn refinement_saying_definitely_null_is_null() {
        assert_eq!(
            decode(&[0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc3], &Type::String),
            Ok(Value::Null)
        );
    }

    #[test]
    fn object_missing_attributes_are_null_and_nested_objects_decode() {
        // {"id": "x", "nested": {"a": true}}  ("port" and "nested.b" absent)
        let bytes = [
            0x82, 0xa2, b'i', b'd', 0xa1, b'x', 0xa6, b'n', b'e', b's', b't', b'e', b'd', 0x81,
            0xa1, b'a', 0xc3,
        ];
        let value = decode(&bytes, &object_type()).unwrap();
        assert_eq!(value.get_attr("id"), Some(&Value::string("x")));
        assert_eq!(value.get_attr("port"), Some(&Value::Null));
        let nested = value.get_attr("nested").unwrap();
        assert_eq!(nested.get_attr("a"), Some(&Value::Bool(true)));
        assert_eq!(nested.get_attr("b"), Some(&Value::Null));
    }

    #[test]
    fn attribute_not_in_type_is_an_error_with_its_path() {
        // {"nested": {"zzz": 1}}
        let bytes = [
            0x81, 0xa6, b'n', b'e', b's', b't', b'e', b'd', 0x81, 0xa3, b'z', b'z', b'z', 0x01,
        ];
        let err = decode(&bytes, &object_type()).unwrap_err();
        assert!(err.message.contains("zzz"), "{err}");
        assert_eq!(err.path, AttributePath::root("nested"));
    }

    #[test]
    fn type_mismatch_reports_the_path() {
        // {"nested": {"a": "yes"}}
        let bytes = [
            0x81, 0xa6, b'n', b'e', b's', b't', b'e', b'd', 0x81, 0xa1, b'a', 0xa3, b'y', b'e',
            b's',
        ];
        let err = decode(&bytes, &object_type()).unwrap_err();
        assert_eq!(err.path, AttributePath::root("nested").attr("a"));
    }

    #[test]
    fn numbers_of_every_width_and_as_strings() {
        let cases: &[(&[u8], Number)] = &[
            (&[0x05], Number::Int(5)),
            (&[0xff], Number::Int(-1)),
            (&[0xcc, 0xff], Number::Int(255)),
            (&[0xd1, 0xff, 0x00], Number::Int(-256)),
            (&[0xce, 0xff, 0xff, 0xff, 0xff], Number::Int(4_294_967_295)),
            (
                &[0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                Number::Big("18446744073709551615".into()),
            ),
            (&[0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], Number::Float(1.5)),
            (&[0xca, 0x3f, 0xc0, 0, 0], Number::Float(1.5)),
            (&[0xa2, b'1', b'2'], Number::Int(12)),
            (&[0xa3, b'0', b'.', b'1'], Number::Big("0.1".into())),
        ];
        for (bytes, expected) in cases {
            assert_eq!(
                decode(bytes, &Type::Number),
                Ok(Value::Number(expected.clone())),
                "{bytes:02x?}"
            );
        }
        let big = "123456789012345678901234567890";
        let mut bytes = vec![0xa0 | big.len() as u8];
        bytes.extend_from_slice(big.as_bytes());
        let decoded = decode(&bytes, &Type::Number).unwrap();
        assert!(matches!(&decoded, Value::Number(Number::Big(text)) if text == big));
        assert_eq!(encode(&decoded, &Type::Number).unwrap(), bytes);
    }

    #[test]
    fn integral_float_normalises_to_int() {
        let decoded = decode(&[0xcb, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0], &Type::Number).unwrap();
        assert!(matches!(decoded, Value::Number(Number::Int(1))));
        assert_eq!(decoded.as_i64(), Some(1));
    }

    #[test]
    fn non_number_string_for_number_is_an_error() {
        assert!(decode(&[0xa2, b'n', b'o'], &Type::Number).is_err());
    }

    #[test]
    fn encodes_integers_in_the_smallest_form() {
        let cases: &[(i64, &[u8])] = &[
            (0, &[0x00]),
            (127, &[0x7f]),
            (128, &[0xcc, 0x80]),
            (256, &[0xcd, 0x01, 0x00]),
            (65_536, &[0xce, 0x00, 0x01, 0x00, 0x00]),
            (1 << 32, &[0xcf, 0, 0, 0, 1, 0, 0, 0, 0]),
            (-1, &[0xff]),
            (-32, &[0xe0]),
            (-33, &[0xd0, 0xdf]),
            (-129, &[0xd1, 0xff, 0x7f]),
            (-32_769, &[0xd2, 0xff, 0xff, 0x7f, 0xff]),
            (i64::MIN, &[0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0]),
        ];
        for (i, expected) in cases {
            let bytes = encode(&Value::int(*i), &Type::Number).unwrap();
            assert_eq!(&bytes, expected, "{i}");
            assert_eq!(decode(&bytes, &Type::Number), Ok(Value::int(*i)));
        }
        assert_eq!(
            encode(&Value::Number(Number::Float(1.5)), &Type::Number).unwrap(),
            [0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0]
        );
    }

    #[test]
    fn encodes_unknowns_as_terraform_does() {
        assert_eq!(
            encode(&Value::unknown(), &Type::String).unwrap(),
            [0xd4, 0x00, 0x00]
        );
        let refined = Value::Unknown(refinements(Some(false), Some("ab")));
        let bytes = encode(&refined, &Type::String).unwrap();
        assert_eq!(
            bytes,
            [0xc7, 0x07, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa2, b'a', b'b']
        );
        assert_eq!(decode(&bytes, &Type::String), Ok(refined.clone()));
        // Refinements that do not apply to the type are not sent (go-cty would reject a
        // prefix on a number, and ignores every refinement on dynamic).
        let prefix_only = Value::Unknown(refinements(None, Some("ab")));
        assert_eq!(
            encode(&prefix_only, &Type::Number).unwrap(),
            [0xd4, 0x00, 0x00]
        );
        assert_eq!(
            encode(&refined, &Type::Dynamic).unwrap(),
            [0xd4, 0x00, 0x00]
        );
    }

    #[test]
    fn encodes_objects_in_sorted_attribute_order_with_nil_for_missing() {
        let ty = Type::object([("b", Type::Bool), ("a", Type::String)]);
        let mut value = Value::Object(BTreeMap::new());
        value.set_attr("b", Value::Bool(true));
        assert_eq!(
            encode(&value, &ty).unwrap(),
            [0x82, 0xa1, b'a', 0xc0, 0xa1, b'b', 0xc3]
        );
        value.set_attr("extra", Value::Null);
        let err = encode(&value, &ty).unwrap_err();
        assert!(err.message.contains("extra"), "{err}");
    }

    #[test]
    fn encode_rejects_values_of_the_wrong_kind_with_path() {
        let ty = Type::object([("tags", Type::map(Type::String))]);
        let mut value = Value::Object(BTreeMap::new());
        value.set_attr(
            "tags",
            Value::Map(BTreeMap::from([("k".to_string(), Value::int(1))])),
        );
        let err = encode(&value, &ty).unwrap_err();
        assert_eq!(err.path, AttributePath::root("tags").key("k"));
        assert!(encode(&Value::List(vec![]), &Type::set(Type::String)).is_err());
        assert!(encode(&Value::Number(Number::Big("x".into())), &Type::Number).is_err());
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        // [bin "\"string\"", "hi"]
        let mut bytes = vec![0x92, 0xc4, 0x08];
        bytes.extend_from_slice(b"\"string\"");
        bytes.extend_from_slice(&[0xa2, b'h', b'i']);
        assert_eq!(decode(&bytes, &Type::Dynamic), Ok(Value::string("hi")));
        assert_eq!(encode(&Value::string("hi"), &Type::Dynamic).unwrap(), bytes);

        let list = Value::List(vec![Value::int(1), Value::Null]);
        let encoded = encode(&list, &Type::Dynamic).unwrap();
        assert_eq!(decode(&encoded, &Type::Dynamic), Ok(list));
    }

    #[test]
    fn sets_tuples_and_maps_decode() {
        // set of strings ["b", "a"], compared without order
        let bytes = [0x92, 0xa1, b'b', 0xa1, b'a'];
        assert_eq!(
            decode(&bytes, &Type::set(Type::String)),
            Ok(Value::Set(vec![Value::string("a"), Value::string("b")]))
        );
        let tuple_ty = Type::Tuple(vec![Type::String, Type::Number]);
        assert!(decode(&bytes, &tuple_ty).is_err());
        assert_eq!(
            decode(&[0x92, 0xa1, b'a', 0x07], &tuple_ty),
            Ok(Value::Tuple(vec![Value::string("a"), Value::int(7)]))
        );
        // duplicate map keys are ambiguous
        let dup = [0x82, 0xa1, b'k', 0x01, 0xa1, b'k', 0x02];
        assert!(decode(&dup, &Type::map(Type::Number)).is_err());
    }

    #[test]
    fn malformed_input_is_an_error() {
        let cases: &[(&[u8], Type)] = &[
            (&[], Type::String),
            (&[0xa5, b'a'], Type::String),
            (&[0xa1, 0xff], Type::String),
            (&[0xc1], Type::Bool),
            (&[0xc3, 0xc3], Type::Bool),
            (&[0xdd, 0xff, 0xff, 0xff, 0xff], Type::list(Type::String)),
            (&[0xdf, 0xff, 0xff, 0xff, 0xff], Type::map(Type::String)),
            (&[0xdb, 0xff, 0xff, 0xff, 0xff], Type::String),
            (&[0xc9, 0xff, 0xff, 0xff, 0xff, 0x0c], Type::String),
            (&[0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1], Type::Number),
            (&[0x92, 0xa3, b'b', b'a', b'd', 0xc0], Type::Dynamic),
        ];
        for (bytes, ty) in cases {
            assert!(decode(bytes, ty).is_err(), "{bytes:02x?} as {ty:?}");
        }
    }

    #[test]
    fn nesting_beyond_the_limit_is_an_error_not_a_stack_overflow() {
        let mut ty = Type::String;
        for _ in 0..200 {
            ty = Type::list(ty);
        }
        let mut bytes = vec![0x91; 200];
        bytes.extend_from_slice(&[0xa1, b'x']);
        let err = decode(&bytes, &ty).unwrap_err();
        assert!(err.message.contains("deeper"), "{err}");

        let mut shallow_ty = Type::String;
        let mut shallow_bytes = vec![0x91; 10];
        for _ in 0..10 {
            shallow_ty = Type::list(shallow_ty);
        }
        shallow_bytes.extend_from_slice(&[0xa1, b'x']);
        assert!(decode(&shallow_bytes, &shallow_ty).is_ok());
    }
}
