//! Conversions between generated tfplugin5 messages and `framework::rpc` types.
//!
//! Requests arrive from the network, so every conversion from protobuf is total: a
//! malformed part becomes an error [`Diagnostic`] for the caller to answer with,
//! never a panic and never a transport error. Values are checked only for being
//! well-formed msgpack/JSON; decoding them against a schema is the framework's job.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::SystemTime;

use super::proto::tfplugin5 as pb;
use crate::framework::diag::{Diagnostic, Diagnostics, Severity};
use crate::framework::rpc::{
    ClientCapabilities, DeferredReason, RawState, RawValue, ServerCapabilities,
};
use crate::framework::schema::{
    Attribute, Block, DescriptionKind, NestedBlock, NestingMode, Schema,
};
use crate::tfvalue::{AttributePath, PathStep, Type};

// Values and state carry passwords; their generated Debug impls are disabled in
// build.rs and replaced by these, which print sizes only.
impl fmt::Debug for pb::DynamicValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamicValue")
            .field("msgpack_len", &self.msgpack.len())
            .field("json_len", &self.json.len())
            .finish()
    }
}

impl fmt::Debug for pb::RawState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawState")
            .field("json_len", &self.json.len())
            .field("flatmap_entries", &self.flatmap.len())
            .finish()
    }
}

/// Collects conversion problems of one request, so that all of them are reported
/// together instead of only the first.
#[derive(Default)]
pub(crate) struct RequestProblems(Diagnostics);

impl RequestProblems {
    /// A required value (`config`, `prior_state`, …). An absent `DynamicValue` is
    /// passed on as empty, which the framework reads as null, like Terraform does
    /// when it decodes responses.
    pub(crate) fn value(&mut self, field: &str, value: Option<pb::DynamicValue>) -> RawValue {
        match value {
            None => RawValue::default(),
            Some(value) => self.checked(field, value),
        }
    }

    /// An optional value (`provider_meta`): absent stays absent.
    pub(crate) fn optional_value(
        &mut self,
        field: &str,
        value: Option<pb::DynamicValue>,
    ) -> Option<RawValue> {
        value.map(|value| self.checked(field, value))
    }

    pub(crate) fn values(&mut self, field: &str, values: Vec<pb::DynamicValue>) -> Vec<RawValue> {
        values
            .into_iter()
            .enumerate()
            .map(|(index, value)| self.checked(&format!("{field}[{index}]"), value))
            .collect()
    }

    pub(crate) fn raw_state(&mut self, field: &str, state: Option<pb::RawState>) -> RawState {
        let Some(state) = state else {
            return RawState::default();
        };
        if !state.json.is_empty() && !is_well_formed_json(&state.json) {
            self.0.error(
                "Invalid Stored State",
                format!(
                    "Terraform sent {field} as JSON that cannot be parsed ({} bytes). The state \
                     file may be damaged; restore it from a backup or remove the resource from \
                     state and import it again.",
                    state.json.len()
                ),
            );
        }
        RawState {
            json: state.json,
            flatmap: state.flatmap.into_iter().collect(),
        }
    }

    fn checked(&mut self, field: &str, value: pb::DynamicValue) -> RawValue {
        if !value.msgpack.is_empty() {
            if let Err(problem) = check_msgpack(&value.msgpack) {
                self.0.error(
                    "Malformed Value From Terraform",
                    format!(
                        "The {field} value sent by Terraform is not valid msgpack ({problem}; \
                         {} bytes). This is a bug in the client that sent the request, not in \
                         your configuration.",
                        value.msgpack.len()
                    ),
                );
            }
        } else if !value.json.is_empty() && !is_well_formed_json(&value.json) {
            self.0.error(
                "Malformed Value From Terraform",
                format!(
                    "The {field} value sent by Terraform is not valid JSON ({} bytes). This is \
                     a bug in the client that sent the request, not in your configuration.",
                    value.json.len()
                ),
            );
        }
        RawValue {
            msgpack: value.msgpack,
            json: value.json,
        }
    }

    /// `Err` with the collected diagnostics if anything was malformed.
    pub(crate) fn finish(self) -> Result<(), Diagnostics> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

fn is_well_formed_json(bytes: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok()
}

/// Checks that `bytes` hold exactly one well-formed msgpack value.
///
/// Iterative on purpose: msgpack is prefix-encoded, so counting the values still to
/// read is enough, and hostile nesting depth cannot overflow the stack.
fn check_msgpack(bytes: &[u8]) -> Result<(), &'static str> {
    let mut pos = 0usize;
    let mut pending: u64 = 1;
    while pending > 0 {
        // Every value takes at least one byte, so more pending values than bytes left
        // can only be a lie in a length prefix.
        if pending > (bytes.len() - pos) as u64 {
            return Err("truncated");
        }
        let marker = bytes[pos];
        pos += 1;
        pending -= 1;
        let (skip, children): (u64, u64) = match marker {
            0x00..=0x7f | 0xe0..=0xff | 0xc0 | 0xc2 | 0xc3 => (0, 0),
            0x80..=0x8f => (0, 2 * u64::from(marker & 0x0f)),
            0x90..=0x9f => (0, u64::from(marker & 0x0f)),
            0xa0..=0xbf => (u64::from(marker & 0x1f), 0),
            0xc1 => return Err("reserved marker 0xc1"),
            0xc4 | 0xd9 => (read_be(bytes, &mut pos, 1)?, 0),
            0xc5 | 0xda => (read_be(bytes, &mut pos, 2)?, 0),
            0xc6 | 0xdb => (read_be(bytes, &mut pos, 4)?, 0),
            // ext 8/16/32: length, then a type byte, then the payload.
            0xc7 => (read_be(bytes, &mut pos, 1)? + 1, 0),
            0xc8 => (read_be(bytes, &mut pos, 2)? + 1, 0),
            0xc9 => (read_be(bytes, &mut pos, 4)? + 1, 0),
            0xca => (4, 0),
            0xcb => (8, 0),
            0xcc | 0xd0 => (1, 0),
            0xcd | 0xd1 => (2, 0),
            0xce | 0xd2 => (4, 0),
            0xcf | 0xd3 => (8, 0),
            // fixext 1/2/4/8/16: a type byte, then the payload.
            0xd4 => (2, 0),
            0xd5 => (3, 0),
            0xd6 => (5, 0),
            0xd7 => (9, 0),
            0xd8 => (17, 0),
            0xdc => (0, read_be(bytes, &mut pos, 2)?),
            0xdd => (0, read_be(bytes, &mut pos, 4)?),
            0xde => (0, 2 * read_be(bytes, &mut pos, 2)?),
            0xdf => (0, 2 * read_be(bytes, &mut pos, 4)?),
        };
        if skip > (bytes.len() - pos) as u64 {
            return Err("truncated");
        }
        // `skip` fits in usize: it is at most the remaining length.
        pos += skip as usize;
        pending += children;
    }
    if pos == bytes.len() {
        Ok(())
    } else {
        Err("trailing bytes after the value")
    }
}

fn read_be(bytes: &[u8], pos: &mut usize, width: usize) -> Result<u64, &'static str> {
    let end = pos.checked_add(width).ok_or("truncated")?;
    let slice = bytes.get(*pos..end).ok_or("truncated")?;
    *pos = end;
    Ok(slice
        .iter()
        .fold(0u64, |acc, byte| (acc << 8) | u64::from(*byte)))
}

pub(crate) fn client_capabilities(caps: Option<pb::ClientCapabilities>) -> ClientCapabilities {
    let caps = caps.unwrap_or_default();
    ClientCapabilities {
        deferral_allowed: caps.deferral_allowed,
        write_only_attributes_allowed: caps.write_only_attributes_allowed,
    }
}

pub(crate) fn server_capabilities(caps: ServerCapabilities) -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: caps.plan_destroy,
        get_provider_schema_optional: caps.get_provider_schema_optional,
        move_resource_state: caps.move_resource_state,
    }
}

pub(crate) fn dynamic_value(value: RawValue) -> pb::DynamicValue {
    pb::DynamicValue {
        msgpack: value.msgpack,
        json: value.json,
    }
}

pub(crate) fn optional_dynamic_value(value: Option<RawValue>) -> Option<pb::DynamicValue> {
    value.map(dynamic_value)
}

pub(crate) fn deferred(reason: Option<DeferredReason>) -> Option<pb::Deferred> {
    use pb::deferred::Reason;
    reason.map(|reason| {
        let reason = match reason {
            DeferredReason::Unknown => Reason::Unknown,
            DeferredReason::ResourceConfigUnknown => Reason::ResourceConfigUnknown,
            DeferredReason::ProviderConfigUnknown => Reason::ProviderConfigUnknown,
            DeferredReason::AbsentPrereq => Reason::AbsentPrereq,
        };
        pb::Deferred {
            reason: reason as i32,
        }
    })
}

pub(crate) fn timestamp(time: Option<SystemTime>) -> Option<prost_types::Timestamp> {
    time.map(prost_types::Timestamp::from)
}

pub(crate) fn diagnostics(diags: Diagnostics) -> Vec<pb::Diagnostic> {
    diags.0.into_iter().map(diagnostic).collect()
}

fn diagnostic(diag: Diagnostic) -> pb::Diagnostic {
    let severity = match diag.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: diag.summary,
        detail: diag.detail,
        attribute: diag.attribute.map(attribute_path),
    }
}

pub(crate) fn attribute_paths(paths: Vec<AttributePath>) -> Vec<pb::AttributePath> {
    paths.into_iter().map(attribute_path).collect()
}

fn attribute_path(path: AttributePath) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    pb::AttributePath {
        steps: path
            .steps
            .into_iter()
            .map(|step| pb::attribute_path::Step {
                selector: Some(match step {
                    PathStep::Attribute(name) => Selector::AttributeName(name),
                    PathStep::ElementKeyString(key) => Selector::ElementKeyString(key),
                    PathStep::ElementKeyInt(index) => Selector::ElementKeyInt(index),
                }),
            })
            .collect(),
    }
}

pub(crate) fn schema(schema: Schema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(block(schema.block, schema.version)),
    }
}

pub(crate) fn schema_map(schemas: BTreeMap<String, Schema>) -> HashMap<String, pb::Schema> {
    schemas
        .into_iter()
        .map(|(name, s)| (name, schema(s)))
        .collect()
}

// Terraform ignores `Block.version`; it mirrors the schema version as Go SDKs do.
fn block(block: Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: block.attributes.into_iter().map(attribute).collect(),
        block_types: block
            .blocks
            .into_iter()
            .map(|nested| nested_block(nested, version))
            .collect(),
        description: block.description,
        description_kind: description_kind(block.description_kind) as i32,
        deprecated: block.deprecated,
    }
}

fn attribute(attr: Attribute) -> pb::schema::Attribute {
    pb::schema::Attribute {
        name: attr.name,
        r#type: type_json(&attr.ty),
        description: attr.description,
        required: attr.required,
        optional: attr.optional,
        computed: attr.computed,
        sensitive: attr.sensitive,
        description_kind: description_kind(attr.description_kind) as i32,
        deprecated: attr.deprecated,
        write_only: attr.write_only,
    }
}

fn nested_block(nested: NestedBlock, version: i64) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode as Mode;
    let nesting = match nested.nesting {
        NestingMode::Single => Mode::Single,
        NestingMode::List => Mode::List,
        NestingMode::Set => Mode::Set,
        NestingMode::Map => Mode::Map,
        NestingMode::Group => Mode::Group,
    };
    pb::schema::NestedBlock {
        type_name: nested.type_name,
        block: Some(block(nested.block, version)),
        nesting: nesting as i32,
        min_items: nested.min_items,
        max_items: nested.max_items,
    }
}

fn description_kind(kind: DescriptionKind) -> pb::StringKind {
    match kind {
        DescriptionKind::Plain => pb::StringKind::Plain,
        DescriptionKind::Markdown => pb::StringKind::Markdown,
    }
}

/// The cty type JSON Terraform expects in `Schema.Attribute.type`.
///
/// Stand-in until `Type::to_json` (being written in `tfvalue`) lands on main; then
/// this becomes a call to it. Same output: compact go-cty `Type.MarshalJSON` form.
fn type_json(ty: &Type) -> Vec<u8> {
    fn json(ty: &Type) -> serde_json::Value {
        use serde_json::Value as J;
        match ty {
            Type::Bool => J::from("bool"),
            Type::Number => J::from("number"),
            Type::String => J::from("string"),
            Type::Dynamic => J::from("dynamic"),
            Type::List(elem) => J::Array(vec![J::from("list"), json(elem)]),
            Type::Set(elem) => J::Array(vec![J::from("set"), json(elem)]),
            Type::Map(elem) => J::Array(vec![J::from("map"), json(elem)]),
            Type::Object(attrs) => J::Array(vec![
                J::from("object"),
                J::Object(attrs.iter().map(|(k, v)| (k.clone(), json(v))).collect()),
            ]),
            Type::Tuple(elems) => J::Array(vec![
                J::from("tuple"),
                J::Array(elems.iter().map(json).collect()),
            ]),
        }
    }
    json(ty).to_string().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn well_formed_msgpack_is_accepted() {
        let cases: &[&[u8]] = &[
            &[0xc0],                                     // nil
            &[0xd4, 0x00, 0x00],                         // unknown (fixext1, type 0)
            &[0x81, 0xa1, b'a', 0x93, 0x01, 0xc3, 0xa0], // {"a": [1, true, ""]}
            &[0xc7, 0x02, 0x0c, 0x81, 0x01],             // ext8 refined unknown, 2-byte payload
            &[0xcb, 0, 0, 0, 0, 0, 0, 0, 0],             // float64
            &[0xdc, 0x00, 0x01, 0xc2],                   // array16 [false]
        ];
        for case in cases {
            assert_eq!(check_msgpack(case), Ok(()), "{case:02x?}");
        }
    }

    #[test]
    fn malformed_msgpack_is_rejected_without_panicking() {
        let cases: &[&[u8]] = &[
            &[],                             // nothing at all
            &[0xc1],                         // reserved
            &[0x92, 0x01],                   // array of 2 with 1 element
            &[0xa5, b'a'],                   // string shorter than its length
            &[0xdd, 0xff, 0xff, 0xff, 0xff], // array claiming 4 billion elements
            &[0xdf, 0xff, 0xff, 0xff, 0xff], // map claiming 4 billion entries
            &[0xc0, 0xc0],                   // trailing value
            &[0xc9, 0xff, 0xff, 0xff],       // truncated ext32 length
        ];
        for case in cases {
            assert!(check_msgpack(case).is_err(), "{case:02x?}");
        }
    }

    #[test]
    fn problems_are_collected_as_error_diagnostics() {
        let mut problems = RequestProblems::default();
        let good = problems.value(
            "config",
            Some(pb::DynamicValue {
                msgpack: vec![0xc0],
                json: vec![],
            }),
        );
        assert_eq!(good.msgpack, vec![0xc0]);
        problems.value(
            "prior_state",
            Some(pb::DynamicValue {
                msgpack: vec![0x92],
                json: vec![],
            }),
        );
        problems.raw_state(
            "raw_state",
            Some(pb::RawState {
                json: b"{not json".to_vec(),
                flatmap: HashMap::new(),
            }),
        );
        let diags = problems.finish().err().unwrap_or_default();
        assert_eq!(diags.0.len(), 2);
        assert!(diags.has_errors());
        assert!(diags.0[0].detail.contains("prior_state"));
    }

    #[test]
    fn type_json_matches_cty() {
        let object = Type::Object(BTreeMap::from([
            ("b".to_string(), Type::Number),
            ("a".to_string(), Type::List(Box::new(Type::String))),
        ]));
        assert_eq!(
            String::from_utf8_lossy(&type_json(&object)),
            r#"["object",{"a":["list","string"],"b":"number"}]"#
        );
        assert_eq!(
            String::from_utf8_lossy(&type_json(&Type::Tuple(vec![Type::Bool, Type::Dynamic]))),
            r#"["tuple",["bool","dynamic"]]"#
        );
        assert_eq!(
            String::from_utf8_lossy(&type_json(&Type::Map(Box::new(Type::Set(Box::new(
                Type::String
            )))))),
            r#"["map",["set","string"]]"#
        );
    }

    #[test]
    fn debug_output_hides_value_bytes() {
        let value = pb::DynamicValue {
            msgpack: b"\xa6secret".to_vec(),
            json: vec![],
        };
        let printed = format!("{value:?}");
        assert!(!printed.contains("secret") && !printed.contains("115"));
        assert!(printed.contains("msgpack_len: 7"));
    }

    #[test]
    fn diagnostics_keep_severity_and_path() {
        let mut diags = Diagnostics::new();
        diags.error_at(
            AttributePath::root("tags").key("env").index(2),
            "Bad Tag",
            "detail",
        );
        diags.warning("Careful", "");
        let converted = diagnostics(diags);
        assert_eq!(
            converted[0].severity,
            pb::diagnostic::Severity::Error as i32
        );
        assert_eq!(
            converted[1].severity,
            pb::diagnostic::Severity::Warning as i32
        );
        let steps = &converted[0].attribute.as_ref().map(|a| a.steps.clone());
        use pb::attribute_path::step::Selector;
        assert_eq!(
            steps
                .as_ref()
                .map(|s| s.iter().map(|s| s.selector.clone()).collect::<Vec<_>>()),
            Some(vec![
                Some(Selector::AttributeName("tags".into())),
                Some(Selector::ElementKeyString("env".into())),
                Some(Selector::ElementKeyInt(2)),
            ])
        );
        assert!(converted[1].attribute.is_none());
    }
}
