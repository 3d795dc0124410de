//! Reading schemas of the JSON tree the way the generator reads them: which
//! become named types, the Rust type of a position, the properties of an
//! object, the media type of a `content` map the client uses.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::diag::Pointer;
use crate::ir::View;
use crate::names::type_name;
use crate::rules::{self, BodyKind};

/// Longest chain of references (or `allOf` nesting) followed.
pub(super) const MAX_DEPTH: usize = 32;

/// The directions a type is used in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Dirs {
    pub(super) request: bool,
    pub(super) response: bool,
}

impl Dirs {
    pub(super) const REQUEST: Dirs = Dirs {
        request: true,
        response: false,
    };
    pub(super) const RESPONSE: Dirs = Dirs {
        request: false,
        response: true,
    };

    pub(super) fn union(self, other: Dirs) -> Dirs {
        Dirs {
            request: self.request || other.request,
            response: self.response || other.response,
        }
    }

    pub(super) fn views(self) -> Vec<View> {
        let mut out = Vec::new();
        if self.request {
            out.push(View::Request);
        }
        if self.response {
            out.push(View::Response);
        }
        out
    }

    pub(super) fn only(view: View) -> Dirs {
        match view {
            View::Request => Dirs::REQUEST,
            View::Response => Dirs::RESPONSE,
        }
    }

    pub(super) fn names(self) -> Vec<String> {
        self.views()
            .into_iter()
            .map(|v| match v {
                View::Request => "request".to_owned(),
                View::Response => "response".to_owned(),
            })
            .collect()
    }
}

pub(super) fn lookup<'v>(root: &'v Value, reference: &str) -> Option<&'v Value> {
    reference.strip_prefix('#').and_then(|p| root.pointer(p))
}

/// The component name a schema `$ref` points to.
pub(super) fn schema_name(reference: &str) -> Option<String> {
    reference
        .strip_prefix("#/components/schemas/")
        .map(rules::unescape_token)
}

pub(super) fn ref_of(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}

/// Follows `$ref`s of a non-schema object (parameter, body, response).
pub(super) fn deref<'v>(
    root: &'v Value,
    mut value: &'v Value,
    mut at: Pointer,
) -> (&'v Value, Pointer) {
    for _ in 0..MAX_DEPTH {
        let Some(r) = ref_of(value) else { break };
        match (lookup(root, r), Pointer::from_ref(r)) {
            (Some(target), Some(p)) => {
                value = target;
                at = p;
            }
            _ => break,
        }
    }
    (value, at)
}

pub(super) fn str_of<'v>(schema: &'v Value, key: &str) -> Option<&'v str> {
    schema.get(key).and_then(Value::as_str)
}

pub(super) fn flag(schema: &Value, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn is_string_enum(schema: &Value) -> bool {
    str_of(schema, "type") == Some("string")
        && schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| !e.is_empty())
}

pub(super) fn is_struct_like(schema: &Value) -> bool {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty())
        || schema.get("allOf").is_some()
}

fn is_union(schema: &Value) -> bool {
    ["oneOf", "anyOf"].iter().any(|k| {
        schema
            .get(*k)
            .and_then(Value::as_array)
            .is_some_and(|l| !l.is_empty())
    })
}

/// Whether a component schema becomes a named Rust type (as the generator
/// decides it: objects with properties, `allOf`, `oneOf`/`anyOf` unions,
/// string enums).
pub(super) fn is_named(schema: &Value) -> bool {
    is_struct_like(schema) || is_string_enum(schema) || is_union(schema)
}

/// A schema position after following references to non-type schemas.
pub(super) enum Resolved<'v> {
    /// A named type: its component name.
    Named(String),
    /// An inline schema (or an alias's target) and its pointer.
    Inline(&'v Value, Pointer),
}

pub(super) fn resolve<'v>(root: &'v Value, mut schema: &'v Value, mut at: Pointer) -> Resolved<'v> {
    for _ in 0..MAX_DEPTH {
        let Some(r) = ref_of(schema) else {
            return Resolved::Inline(schema, at);
        };
        let (Some(name), Some(target)) = (schema_name(r), lookup(root, r)) else {
            return Resolved::Inline(schema, at);
        };
        if is_named(target) {
            return Resolved::Named(name);
        }
        schema = target;
        at = Pointer::root()
            .join("components")
            .join("schemas")
            .join(&name);
    }
    Resolved::Inline(schema, at)
}

/// readOnly, writeOnly and nullable of a property, as the generator reads
/// them: readOnly and writeOnly only at the property (its own, or an inline
/// `allOf` member's; never a referenced schema's, see
/// `Lowerer::own_direction`), nullable looking through one `$ref`.
pub(super) fn field_flags(root: &Value, schema: &Value) -> (bool, bool, bool) {
    fn own(schema: &Value, key: &str) -> bool {
        ref_of(schema).is_none()
            && (flag(schema, key)
                || schema
                    .get("allOf")
                    .and_then(Value::as_array)
                    .is_some_and(|members| members.iter().any(|m| own(m, key))))
    }
    let s = ref_of(schema)
        .and_then(|r| lookup(root, r))
        .unwrap_or(schema);
    (
        own(schema, "readOnly"),
        own(schema, "writeOnly"),
        flag(s, "nullable"),
    )
}

/// The Rust type of a schema position, for messages.
pub(super) fn rust_type(root: &Value, schema: &Value, view: View, depth: usize) -> String {
    if depth > MAX_DEPTH {
        return "serde_json::Value".to_owned();
    }
    let (schema, _) = match resolve(root, schema, Pointer::root()) {
        Resolved::Named(name) => return type_name(&name),
        Resolved::Inline(s, p) => (s, p),
    };
    if ref_of(schema).is_some() {
        return "serde_json::Value (unresolved reference)".to_owned();
    }
    if is_string_enum(schema) {
        return "enum (inline)".to_owned();
    }
    if is_struct_like(schema) {
        return "struct (inline)".to_owned();
    }
    if is_union(schema) {
        return "union (inline)".to_owned();
    }
    let ty = str_of(schema, "type");
    let pattern = schema.get("pattern").is_some();
    if let Some(scalar) = ty.and_then(|t| rules::scalar(t, str_of(schema, "format"), pattern, view))
    {
        return scalar.rust().to_owned();
    }
    match ty {
        Some("array") => match schema.get("items") {
            Some(items) => format!("Vec<{}>", rust_type(root, items, view, depth + 1)),
            None => "Vec<serde_json::Value>".to_owned(),
        },
        _ => match schema.get("additionalProperties") {
            Some(inner @ Value::Object(_)) => {
                format!("Map<String, {}>", rust_type(root, inner, view, depth + 1))
            }
            _ if ty == Some("object") => "serde_json::Map<String, Value>".to_owned(),
            _ => "serde_json::Value".to_owned(),
        },
    }
}

/// How a field of Rust type `inner` is stored (see [`rules::shape`]).
pub(super) fn shaped(inner: &str, required: bool, nullable: bool, view: View) -> String {
    rules::shape(required, nullable, view).spell(inner)
}

/// A property of a (possibly `allOf`-merged) object.
pub(super) struct Prop<'v> {
    pub(super) schema: &'v Value,
    pub(super) at: Pointer,
}

/// Properties and required names of an object, `allOf` members merged.
pub(super) fn collect_props<'v>(
    root: &'v Value,
    schema: &'v Value,
    at: &Pointer,
    props: &mut BTreeMap<String, Prop<'v>>,
    required: &mut BTreeSet<String>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
        for (i, member) in members.iter().enumerate() {
            let member_at = at.join("allOf").join(i.to_string());
            let (target, target_at) = match ref_of(member) {
                Some(r) => match (lookup(root, r), Pointer::from_ref(r)) {
                    (Some(t), Some(p)) => (t, p),
                    _ => continue,
                },
                None => (member, member_at),
            };
            collect_props(root, target, &target_at, props, required, depth + 1);
        }
    }
    if let Some(map) = schema.get("properties").and_then(Value::as_object) {
        for (name, s) in map {
            props.insert(
                name.clone(),
                Prop {
                    schema: s,
                    at: at.join("properties").join(name),
                },
            );
        }
    }
    for r in schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        required.insert(r.to_owned());
    }
}

/// The values of an `enum`, as text.
pub(super) fn enum_values(schema: &Value) -> Option<Vec<String>> {
    schema.get("enum").and_then(Value::as_array).map(|list| {
        list.iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    })
}

/// The media types of a `content` map, in order.
pub(super) fn media_types(content: Option<&Value>) -> impl Iterator<Item = &str> + Clone {
    content
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|m| m.keys().map(String::as_str))
}

/// The media type the generated client uses from a `content` map for API
/// version `version` (see [`rules::pick_media`]), and its media type object.
pub(super) fn pick_media<'v>(
    content: Option<&'v Value>,
    version: Option<&str>,
) -> Option<(&'v str, &'v Value)> {
    let media = rules::pick_media(media_types(content), version)?;
    let (key, value) = content?.as_object()?.get_key_value(media)?;
    Some((key.as_str(), value))
}

/// The JSON schema the client reads or writes from a `content` map for
/// `version`: the picked media type's schema when it is a JSON one (other
/// bodies are bytes or text, not decoded), with that media type.
pub(super) fn json_schema<'v>(
    content: Option<&'v Value>,
    version: Option<&str>,
) -> Option<(&'v str, &'v Value)> {
    let (media, object) = pick_media(content, version)?;
    if rules::body_kind(media) != BodyKind::Json {
        return None;
    }
    object.get("schema").map(|s| (media, s))
}
