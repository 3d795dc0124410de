//! Comparing two specs in terms of the generated crate.
//!
//! Operations are paired by method and path, then by name (so a renamed
//! operation and a moved one are both recognised). Each pair is compared on
//! its Rust method name, API versions, parameters, request body and
//! responses; every named type (a component schema that becomes a struct or
//! enum) that the compared operations reach is compared once, in the
//! directions it is used in.
//!
//! Classification rules (breaking for users of the generated crate or not):
//!
//! | change | breaking when |
//! |---|---|
//! | operation added | never |
//! | operation removed, or its Rust method renamed | always |
//! | operation moved to another method or path, same name | never (the method is unchanged) |
//! | API version added / removed | only when it changes the version the client sends (the newest): Atlas issues a new resource version only for breaking changes |
//! | parameter added | when required (`send()` fails without it) |
//! | parameter removed | always (its builder method is gone) |
//! | parameter required -> optional | never; optional -> required: always |
//! | request body added | when required; removed: always |
//! | response status added / removed | never; a success response gaining or losing its body: always (the return type changes) |
//! | field added | in a request type when required (`new()` gains an argument); in a response type never |
//! | field removed | always |
//! | field made readOnly / writeOnly | when it leaves a direction the type is used in; when it enters the request direction and is required |
//! | required-ness or nullability changed | when the Rust field type changes (`T`, `Option<T>`, `Option<Option<T>>`) in a direction the type is used in |
//! | type changed | when the Rust type changes |
//! | format changed | when the Rust type changes (`date-time`, `date`); other formats (`int32`, `email`, ...) never |
//! | pattern added, changed or removed | in requests always (values are validated before sending and the validated type changes); in responses never (not checked) |
//! | enum value added | never (unknown values decode into the fallback variant) |
//! | enum value removed | always (senders: the server no longer accepts it; everyone: the variant is gone) |
//! | `oneOf`/`anyOf` alternative or discriminator mapping added | never; removed: always |
//! | `default` changed | never |
//! | named type added | never; removed: always |

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::report::{Change, ChangeKind, Classification, Report, Side, Subject};
use super::{closest_names, operations, Document, OperationEntry};
use crate::diag::{Diagnostic, Failure, Pointer};
use crate::ir::View;
use crate::names::{field_name, type_name};

/// Longest chain of references (or `allOf` nesting) followed.
const MAX_DEPTH: usize = 32;

/// Options of [`diff`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// Compare only these operations (short names or `operationId`s, in
    /// either spec); empty means all.
    pub only: Vec<String>,
}

/// The directions a type is used in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Dirs {
    request: bool,
    response: bool,
}

impl Dirs {
    const REQUEST: Dirs = Dirs {
        request: true,
        response: false,
    };
    const RESPONSE: Dirs = Dirs {
        request: false,
        response: true,
    };

    fn union(self, other: Dirs) -> Dirs {
        Dirs {
            request: self.request || other.request,
            response: self.response || other.response,
        }
    }

    fn views(self) -> Vec<View> {
        let mut out = Vec::new();
        if self.request {
            out.push(View::Request);
        }
        if self.response {
            out.push(View::Response);
        }
        out
    }

    fn only(view: View) -> Dirs {
        match view {
            View::Request => Dirs::REQUEST,
            View::Response => Dirs::RESPONSE,
        }
    }

    fn names(self) -> Vec<String> {
        self.views()
            .into_iter()
            .map(|v| match v {
                View::Request => "request".to_owned(),
                View::Response => "response".to_owned(),
            })
            .collect()
    }
}

// ----- reading schemas -------------------------------------------------------

fn lookup<'v>(root: &'v Value, reference: &str) -> Option<&'v Value> {
    reference.strip_prefix('#').and_then(|p| root.pointer(p))
}

fn schema_name(reference: &str) -> Option<String> {
    reference
        .strip_prefix("#/components/schemas/")
        .map(|n| n.replace("~1", "/").replace("~0", "~"))
}

fn ref_of(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}

/// Follows `$ref`s of a non-schema object (parameter, body, response).
fn deref<'v>(root: &'v Value, mut value: &'v Value, mut at: Pointer) -> (&'v Value, Pointer) {
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

fn str_of<'v>(schema: &'v Value, key: &str) -> Option<&'v str> {
    schema.get(key).and_then(Value::as_str)
}

fn flag(schema: &Value, key: &str) -> bool {
    schema.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn is_string_enum(schema: &Value) -> bool {
    str_of(schema, "type") == Some("string")
        && schema
            .get("enum")
            .and_then(Value::as_array)
            .is_some_and(|e| !e.is_empty())
}

fn is_struct_like(schema: &Value) -> bool {
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
fn is_named(schema: &Value) -> bool {
    is_struct_like(schema) || is_string_enum(schema) || is_union(schema)
}

/// A schema position after following references to non-type schemas.
enum Resolved<'v> {
    /// A named type: its component name.
    Named(String),
    /// An inline schema (or an alias's target) and its pointer.
    Inline(&'v Value, Pointer),
}

fn resolve<'v>(root: &'v Value, mut schema: &'v Value, mut at: Pointer) -> Resolved<'v> {
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

/// readOnly, writeOnly and nullable of a property, looking through one `$ref`
/// (as the generator does).
fn field_flags(root: &Value, schema: &Value) -> (bool, bool, bool) {
    let s = ref_of(schema)
        .and_then(|r| lookup(root, r))
        .unwrap_or(schema);
    (
        flag(s, "readOnly"),
        flag(s, "writeOnly"),
        flag(s, "nullable"),
    )
}

/// The Rust type of a schema position, for messages.
fn rust_type(root: &Value, schema: &Value, view: View, depth: usize) -> String {
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
    match str_of(schema, "type") {
        Some("string") => match str_of(schema, "format") {
            Some("date-time") => "chrono::DateTime<Utc>".to_owned(),
            Some("date") => "chrono::NaiveDate".to_owned(),
            _ if view == View::Request && schema.get("pattern").is_some() => {
                "validated String".to_owned()
            }
            _ => "String".to_owned(),
        },
        // Every integer is an `i64`, `format: int32` included (the generator's rule).
        Some("integer") => "i64".to_owned(),
        Some("number") => "f64".to_owned(),
        Some("boolean") => "bool".to_owned(),
        Some("array") => match schema.get("items") {
            Some(items) => format!("Vec<{}>", rust_type(root, items, view, depth + 1)),
            None => "Vec<serde_json::Value>".to_owned(),
        },
        _ => match schema.get("additionalProperties") {
            Some(inner @ Value::Object(_)) => {
                format!("Map<String, {}>", rust_type(root, inner, view, depth + 1))
            }
            _ if str_of(schema, "type") == Some("object") => {
                "serde_json::Map<String, Value>".to_owned()
            }
            _ => "serde_json::Value".to_owned(),
        },
    }
}

/// How a field is stored (the generator's rule): request fields are `T`,
/// `Option<T>` or `Option<Option<T>>`; response fields `T` only when
/// required and not nullable.
fn shaped(inner: &str, required: bool, nullable: bool, view: View) -> String {
    match (view, required, nullable) {
        (_, true, false) => inner.to_owned(),
        (View::Response, _, _) | (View::Request, true, true) | (View::Request, false, false) => {
            format!("Option<{inner}>")
        }
        (View::Request, false, true) => format!("Option<Option<{inner}>>"),
    }
}

/// A property of a (possibly `allOf`-merged) object.
struct Prop<'v> {
    schema: &'v Value,
    at: Pointer,
}

/// Properties and required names of an object, `allOf` members merged.
fn collect_props<'v>(
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

fn is_json_media(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*"
}

fn api_version(media: &str) -> Option<&str> {
    media
        .strip_prefix("application/vnd.atlas.")
        .and_then(|rest| rest.strip_suffix("+json"))
        .filter(|date| date.len() == 10 && date.as_bytes().get(4) == Some(&b'-'))
}

/// The media type the generated client uses from a `content` map: the
/// newest dated Atlas version, else the first JSON one.
fn pick_media(content: Option<&Value>) -> Option<(&str, &Value)> {
    let map = content.and_then(Value::as_object)?;
    map.iter()
        .filter(|(k, _)| api_version(k).is_some())
        .max_by(|a, b| a.0.cmp(b.0))
        .or_else(|| map.iter().find(|(k, _)| is_json_media(k)))
        .map(|(k, v)| (k.as_str(), v))
}

// ----- operations ---------------------------------------------------------

/// One side of an operation pair, with its parts resolved.
struct Op<'v> {
    entry: OperationEntry<'v>,
    params: BTreeMap<(String, String), (&'v Value, Pointer)>,
    body: Option<(&'v Value, Pointer)>,
    responses: BTreeMap<String, (&'v Value, Pointer)>,
}

impl<'v> Op<'v> {
    fn new(root: &'v Value, entry: OperationEntry<'v>) -> Self {
        let op_at = entry.pointer();
        let item_at = Pointer::root().join("paths").join(entry.path);
        let mut params = BTreeMap::new();
        for (list, at) in [(entry.item, item_at), (entry.op, op_at.clone())] {
            let Some(list) = list.get("parameters").and_then(Value::as_array) else {
                continue;
            };
            for (i, p) in list.iter().enumerate() {
                let (p, p_at) = deref(root, p, at.join("parameters").join(i.to_string()));
                let key = (
                    str_of(p, "in").unwrap_or("?").to_owned(),
                    str_of(p, "name").unwrap_or("?").to_owned(),
                );
                params.insert(key, (p, p_at));
            }
        }
        let body = entry
            .op
            .get("requestBody")
            .map(|b| deref(root, b, op_at.join("requestBody")));
        let mut responses = BTreeMap::new();
        if let Some(map) = entry.op.get("responses").and_then(Value::as_object) {
            for (status, r) in map {
                responses.insert(
                    status.clone(),
                    deref(root, r, op_at.join("responses").join(status)),
                );
            }
        }
        Op {
            entry,
            params,
            body,
            responses,
        }
    }

    fn subject(&self) -> Subject {
        let name = self.entry.short_name();
        Subject::Operation {
            method_name: field_name(&name),
            name,
            method: self.entry.method.to_uppercase(),
            path: self.entry.path.to_owned(),
        }
    }

    /// Every documented dated API version.
    fn versions(&self) -> BTreeSet<String> {
        let contents = self
            .body
            .iter()
            .chain(self.responses.values())
            .filter_map(|(v, _)| v.get("content").and_then(Value::as_object));
        contents
            .flat_map(|c| c.keys())
            .filter_map(|k| api_version(k).map(str::to_owned))
            .collect()
    }

    /// The media types the client sends: `Content-Type` and `Accept`.
    fn sent(&self) -> (Option<&str>, Option<&str>) {
        let content_type = self
            .body
            .as_ref()
            .and_then(|(b, _)| pick_media(b.get("content")))
            .map(|(k, _)| k);
        let accept = self
            .responses
            .iter()
            .filter(|(s, _)| s.starts_with('2') || s.starts_with('1'))
            .find_map(|(_, (r, _))| pick_media(r.get("content")))
            .map(|(k, _)| k);
        (content_type, accept)
    }

    /// The schema positions the operation reads and writes, with directions.
    fn roots(&self) -> Vec<(&'v Value, Dirs)> {
        let mut out = Vec::new();
        for (p, _) in self.params.values() {
            if let Some(s) = p.get("schema") {
                out.push((s, Dirs::REQUEST));
            }
        }
        if let Some((b, _)) = &self.body {
            if let Some((_, media)) = pick_media(b.get("content")) {
                if let Some(s) = media.get("schema") {
                    out.push((s, Dirs::REQUEST));
                }
            }
        }
        for (r, _) in self.responses.values() {
            if let Some((_, media)) = pick_media(r.get("content")) {
                if let Some(s) = media.get("schema") {
                    out.push((s, Dirs::RESPONSE));
                }
            }
        }
        out
    }
}

// ----- which named types are used, and how -------------------------------

struct Uses<'v> {
    root: &'v Value,
    types: BTreeMap<String, Dirs>,
    work: Vec<(&'v Value, Dirs)>,
    aliases: BTreeSet<(String, Dirs)>,
}

impl<'v> Uses<'v> {
    fn collect(root: &'v Value, roots: Vec<(&'v Value, Dirs)>) -> BTreeMap<String, Dirs> {
        let mut uses = Uses {
            root,
            types: BTreeMap::new(),
            work: roots,
            aliases: BTreeSet::new(),
        };
        while let Some((schema, dirs)) = uses.work.pop() {
            uses.walk(schema, dirs, 0);
        }
        uses.types
    }

    fn reference(&mut self, reference: &str, dirs: Dirs, depth: usize) {
        let (Some(name), Some(target)) = (schema_name(reference), lookup(self.root, reference))
        else {
            return;
        };
        if is_named(target) {
            let entry = self.types.entry(name).or_default();
            let merged = entry.union(dirs);
            if merged != *entry {
                *entry = merged;
                self.work.push((target, merged));
            }
        } else if self.aliases.insert((name, dirs)) {
            self.walk(target, dirs, depth + 1);
        }
    }

    fn walk(&mut self, value: &'v Value, dirs: Dirs, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    match (key.as_str(), child) {
                        ("$ref", Value::String(r)) => self.reference(r, dirs, depth),
                        ("example" | "examples", _) => {}
                        ("allOf", Value::Array(members)) => {
                            // Members are merged into the type, not used as types.
                            for m in members {
                                match ref_of(m)
                                    .and_then(|r| lookup(self.root, r).map(|t| (schema_name(r), t)))
                                {
                                    Some((Some(name), target)) => {
                                        if self.aliases.insert((format!("allOf {name}"), dirs)) {
                                            self.walk(target, dirs, depth + 1);
                                        }
                                    }
                                    _ => self.walk(m, dirs, depth + 1),
                                }
                            }
                        }
                        ("discriminator", _) => {
                            let targets: Vec<&str> = child
                                .get("mapping")
                                .and_then(Value::as_object)
                                .into_iter()
                                .flat_map(|m| m.values().filter_map(Value::as_str))
                                .collect();
                            for t in targets {
                                if t.starts_with('#') {
                                    self.reference(t, dirs, depth);
                                } else {
                                    self.reference(
                                        &format!("#/components/schemas/{t}"),
                                        dirs,
                                        depth,
                                    );
                                }
                            }
                        }
                        _ => self.walk(child, dirs, depth + 1),
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(item, dirs, depth + 1);
                }
            }
            _ => {}
        }
    }
}

// ----- comparing ---------------------------------------------------------

/// Where a comparison is: its subject, a description of the position, the
/// directions that matter, and the pointers on both sides.
#[derive(Clone)]
struct At<'s> {
    subject: &'s Subject,
    base: String,
    path: String,
    dirs: Dirs,
    old: Pointer,
    new: Pointer,
    /// Nullability is compared by the caller (it shapes a field or parameter).
    shaped: bool,
}

impl At<'_> {
    fn location(&self) -> String {
        match (self.base.is_empty(), self.path.is_empty()) {
            (_, true) => self.base.clone(),
            (true, false) => format!("field `{}`", self.path),
            (false, false) => format!("{}, field `{}`", self.base, self.path),
        }
    }

    fn field(&self, rust: &str, old: Pointer, new: Pointer, dirs: Dirs) -> Self {
        let path = if self.path.is_empty() {
            rust.to_owned()
        } else {
            format!("{}.{rust}", self.path)
        };
        At {
            path,
            dirs,
            old,
            new,
            shaped: true,
            ..self.clone()
        }
    }

    fn nested(&self, suffix: &str, key: &str) -> Self {
        At {
            path: format!("{}{suffix}", self.path),
            old: self.old.join(key),
            new: self.new.join(key),
            shaped: false,
            ..self.clone()
        }
    }
}

struct Differ<'v> {
    old: &'v Value,
    new: &'v Value,
    changes: Vec<Change>,
}

fn classify(breaking: bool) -> Classification {
    if breaking {
        Classification::Breaking
    } else {
        Classification::NonBreaking
    }
}

fn enum_values(schema: &Value) -> Option<Vec<String>> {
    schema.get("enum").and_then(Value::as_array).map(|list| {
        list.iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect()
    })
}

impl<'v> Differ<'v> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        at: &At<'_>,
        kind: ChangeKind,
        detail: String,
        breaking: bool,
        reason: &str,
        side: Side,
    ) {
        let pointer = match side {
            Side::Old => &at.old,
            Side::New => &at.new,
        };
        self.changes.push(Change {
            subject: at.subject.clone(),
            kind,
            location: at.location(),
            detail,
            classification: classify(breaking),
            reason: reason.to_owned(),
            side,
            pointer: pointer.to_string(),
        });
    }

    fn rust_both(&self, o: &Value, n: &Value, view: View) -> (String, String) {
        (
            rust_type(self.old, o, view, 0),
            rust_type(self.new, n, view, 0),
        )
    }

    fn compare_schema(&mut self, at: &At<'_>, o: &'v Value, n: &'v Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let ro = resolve(self.old, o, at.old.clone());
        let rn = resolve(self.new, n, at.new.clone());
        match (ro, rn) {
            (Resolved::Named(a), Resolved::Named(b)) => {
                if a != b {
                    let detail = format!("type `{}` -> `{}`", type_name(&a), type_name(&b));
                    self.push(
                        at,
                        ChangeKind::TypeChanged,
                        detail,
                        true,
                        "the Rust type changes",
                        Side::New,
                    );
                }
            }
            (Resolved::Inline(os, op), Resolved::Inline(ns, np)) => {
                let at = At {
                    old: op,
                    new: np,
                    ..at.clone()
                };
                self.compare_inline(&at, os, ns, depth);
            }
            _ => {
                let view = at.dirs.views().first().copied().unwrap_or(View::Request);
                let (a, b) = self.rust_both(o, n, view);
                let detail = format!("type `{a}` -> `{b}`");
                self.push(
                    at,
                    ChangeKind::TypeChanged,
                    detail,
                    true,
                    "the Rust type changes",
                    Side::New,
                );
            }
        }
    }

    fn compare_inline(&mut self, at: &At<'_>, o: &'v Value, n: &'v Value, depth: usize) {
        let views = at.dirs.views();
        let changed_views: Vec<(View, String, String)> = views
            .iter()
            .map(|&v| {
                let (a, b) = self.rust_both(o, n, v);
                (v, a, b)
            })
            .filter(|(_, a, b)| a != b)
            .collect();
        let (oe, ne) = (enum_values(o), enum_values(n));
        if str_of(o, "type") != str_of(n, "type") || oe.is_some() != ne.is_some() {
            if let Some((_, a, b)) = changed_views.first() {
                let detail = format!("type `{a}` -> `{b}`");
                self.push(
                    at,
                    ChangeKind::TypeChanged,
                    detail,
                    true,
                    "the Rust type changes",
                    Side::New,
                );
                return;
            }
        }
        if str_of(o, "format") != str_of(n, "format") {
            let show =
                |f: Option<&str>| f.map_or_else(|| "(none)".to_owned(), |f| format!("`{f}`"));
            let (detail, breaking) = match changed_views.first() {
                Some((_, a, b)) => (
                    format!(
                        "format {} -> {} (`{a}` -> `{b}`)",
                        show(str_of(o, "format")),
                        show(str_of(n, "format"))
                    ),
                    true,
                ),
                None => (
                    format!(
                        "format {} -> {} (Rust type unchanged)",
                        show(str_of(o, "format")),
                        show(str_of(n, "format"))
                    ),
                    false,
                ),
            };
            let reason = if breaking {
                "the Rust type changes"
            } else {
                "the format does not change the Rust type"
            };
            self.push(
                at,
                ChangeKind::FormatChanged,
                detail,
                breaking,
                reason,
                Side::New,
            );
        }
        let (op, np) = (str_of(o, "pattern"), str_of(n, "pattern"));
        if op != np {
            let detail = match (op, np) {
                (None, Some(p)) => format!("pattern `{p}` added"),
                (Some(p), None) => format!("pattern `{p}` removed"),
                (Some(a), Some(b)) => format!("pattern `{a}` -> `{b}`"),
                (None, None) => String::new(),
            };
            let (breaking, reason) = if at.dirs.request {
                (true, "request values are validated against the pattern before sending: values accepted before may be refused, and the validated type changes")
            } else {
                (false, "responses are never checked against patterns")
            };
            self.push(
                at,
                ChangeKind::PatternChanged,
                detail,
                breaking,
                reason,
                Side::New,
            );
        }
        if !at.shaped && flag(o, "nullable") != flag(n, "nullable") {
            let detail = if flag(n, "nullable") {
                "now nullable"
            } else {
                "no longer nullable"
            };
            self.push(
                at,
                ChangeKind::NullableChanged,
                detail.to_owned(),
                false,
                "nullability here does not change the Rust type",
                Side::New,
            );
        }
        if o.get("default") != n.get("default") {
            let show = |v: Option<&Value>| v.map_or_else(|| "(none)".to_owned(), Value::to_string);
            let detail = format!(
                "default {} -> {}",
                show(o.get("default")),
                show(n.get("default"))
            );
            self.push(
                at,
                ChangeKind::DefaultChanged,
                detail,
                false,
                "defaults only appear in the docs",
                Side::New,
            );
        }
        if let (Some(oe), Some(ne)) = (&oe, &ne) {
            self.compare_enum(at, oe, ne);
        }
        if is_struct_like(o) && is_struct_like(n) {
            self.compare_fields(at, o, n, depth);
        }
        if let (Some(oi), Some(ni)) = (o.get("items"), n.get("items")) {
            self.compare_schema(&at.nested("[]", "items"), oi, ni, depth + 1);
        }
        if let (Some(oa @ Value::Object(_)), Some(na @ Value::Object(_))) =
            (o.get("additionalProperties"), n.get("additionalProperties"))
        {
            self.compare_schema(&at.nested("{}", "additionalProperties"), oa, na, depth + 1);
        }
        for key in ["oneOf", "anyOf"] {
            self.compare_alternatives(at, key, o.get(key), n.get(key), depth);
        }
        self.compare_mapping(at, o, n);
    }

    fn compare_enum(&mut self, at: &At<'_>, oe: &[String], ne: &[String]) {
        for v in ne.iter().filter(|v| !oe.contains(v)) {
            let detail = format!("enum value `{v}` added (variant `{}`)", type_name(v));
            self.push(
                at,
                ChangeKind::EnumValueAdded,
                detail,
                false,
                "unknown values already decode into the fallback variant",
                Side::New,
            );
        }
        for v in oe.iter().filter(|v| !ne.contains(v)) {
            let detail = format!("enum value `{v}` removed (variant `{}`)", type_name(v));
            let reason = if at.dirs.request {
                "senders: the server no longer accepts it, and the variant is gone from the Rust enum"
            } else {
                "the variant is gone from the Rust enum: code that names it no longer compiles"
            };
            self.push(
                at,
                ChangeKind::EnumValueRemoved,
                detail,
                true,
                reason,
                Side::Old,
            );
        }
    }

    fn compare_alternatives(
        &mut self,
        at: &At<'_>,
        key: &str,
        o: Option<&'v Value>,
        n: Option<&'v Value>,
        depth: usize,
    ) {
        let list = |v: Option<&'v Value>| -> Vec<&'v Value> {
            v.and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default()
        };
        let (ol, nl) = (list(o), list(n));
        let refs = |l: &[&Value]| -> BTreeSet<String> {
            l.iter()
                .filter_map(|v| ref_of(v).map(str::to_owned))
                .collect()
        };
        let (orefs, nrefs) = (refs(&ol), refs(&nl));
        for r in nrefs.difference(&orefs) {
            let name = schema_name(r).map_or_else(|| r.clone(), |n| type_name(&n));
            self.push(
                at,
                ChangeKind::VariantAdded,
                format!("`{key}` alternative `{name}` added"),
                false,
                "an added alternative accepts more values",
                Side::New,
            );
        }
        for r in orefs.difference(&nrefs) {
            let name = schema_name(r).map_or_else(|| r.clone(), |n| type_name(&n));
            self.push(
                at,
                ChangeKind::VariantRemoved,
                format!("`{key}` alternative `{name}` removed"),
                true,
                "values of the removed alternative are no longer valid",
                Side::Old,
            );
        }
        let inline = |l: &[&'v Value]| -> Vec<(usize, &'v Value)> {
            l.iter()
                .copied()
                .enumerate()
                .filter(|(_, v)| ref_of(v).is_none())
                .collect()
        };
        let (oi, ni) = (inline(&ol), inline(&nl));
        for ((i, a), (j, b)) in oi.iter().zip(ni.iter()) {
            let next = At {
                path: format!("{}<{key} {j}>", at.path),
                old: at.old.join(key).join(i.to_string()),
                new: at.new.join(key).join(j.to_string()),
                shaped: false,
                ..at.clone()
            };
            self.compare_schema(&next, a, b, depth + 1);
        }
        if oi.len() < ni.len() {
            self.push(
                at,
                ChangeKind::VariantAdded,
                format!(
                    "{} inline `{key}` alternative(s) added",
                    ni.len() - oi.len()
                ),
                false,
                "an added alternative accepts more values",
                Side::New,
            );
        } else if oi.len() > ni.len() {
            self.push(
                at,
                ChangeKind::VariantRemoved,
                format!(
                    "{} inline `{key}` alternative(s) removed",
                    oi.len() - ni.len()
                ),
                true,
                "values of the removed alternative are no longer valid",
                Side::Old,
            );
        }
    }

    fn compare_mapping(&mut self, at: &At<'_>, o: &Value, n: &Value) {
        let mapping = |v: &Value| -> BTreeMap<String, String> {
            v.pointer("/discriminator/mapping")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (om, nm) = (mapping(o), mapping(n));
        let target = |t: &str| schema_name(t).map_or_else(|| t.to_owned(), |n| type_name(&n));
        for (k, t) in &nm {
            match om.get(k) {
                None => self.push(
                    at,
                    ChangeKind::VariantAdded,
                    format!("discriminator value `{k}` added (`{}`)", target(t)),
                    false,
                    "an added alternative accepts more values",
                    Side::New,
                ),
                Some(old) if old != t => self.push(
                    at,
                    ChangeKind::TypeChanged,
                    format!(
                        "discriminator value `{k}`: `{}` -> `{}`",
                        target(old),
                        target(t)
                    ),
                    true,
                    "the Rust type of that alternative changes",
                    Side::New,
                ),
                Some(_) => {}
            }
        }
        for (k, t) in &om {
            if !nm.contains_key(k) {
                self.push(
                    at,
                    ChangeKind::VariantRemoved,
                    format!("discriminator value `{k}` removed (`{}`)", target(t)),
                    true,
                    "values of the removed alternative are no longer valid",
                    Side::Old,
                );
            }
        }
    }

    fn compare_fields(&mut self, at: &At<'_>, o: &'v Value, n: &'v Value, depth: usize) {
        let (mut op, mut oreq) = (BTreeMap::new(), BTreeSet::new());
        let (mut np, mut nreq) = (BTreeMap::new(), BTreeSet::new());
        collect_props(self.old, o, &at.old, &mut op, &mut oreq, 0);
        collect_props(self.new, n, &at.new, &mut np, &mut nreq, 0);
        let names: BTreeSet<&String> = op.keys().chain(np.keys()).collect();
        let visible = |flags: (bool, bool, bool), view: View| match view {
            View::Request => !flags.0,
            View::Response => !flags.1,
        };
        let views = at.dirs.views();
        for wire in names {
            let rust = field_name(wire);
            let label = if &rust == wire {
                String::new()
            } else {
                format!("(`{wire}` on the wire) ")
            };
            match (op.get(wire), np.get(wire)) {
                (None, Some(p)) => {
                    let flags = field_flags(self.new, p.schema);
                    let seen: Vec<View> = views
                        .iter()
                        .copied()
                        .filter(|&v| visible(flags, v))
                        .collect();
                    let Some(&first) = seen.first() else { continue };
                    let required = nreq.contains(wire);
                    let breaking = required && seen.contains(&View::Request);
                    let view = if breaking { View::Request } else { first };
                    let ty = shaped(
                        &rust_type(self.new, p.schema, view, 0),
                        required,
                        flags.2,
                        view,
                    );
                    let field_at = at.field(&rust, at.old.clone(), p.at.clone(), at.dirs);
                    let detail = format!(
                        "{label}`{ty}` added{}",
                        if required { ", required" } else { "" }
                    );
                    let reason = if breaking {
                        "a new required request field: the constructor `new()` gains an argument"
                    } else if seen.contains(&View::Request) {
                        "a new optional field: `new()` is unchanged"
                    } else {
                        "a new response field: existing code does not read it"
                    };
                    self.push(
                        &field_at,
                        ChangeKind::FieldAdded,
                        detail,
                        breaking,
                        reason,
                        Side::New,
                    );
                }
                (Some(p), None) => {
                    let flags = field_flags(self.old, p.schema);
                    if !views.iter().any(|&v| visible(flags, v)) {
                        continue;
                    }
                    let field_at = at.field(&rust, p.at.clone(), at.new.clone(), at.dirs);
                    self.push(
                        &field_at,
                        ChangeKind::FieldRemoved,
                        format!("{label}removed"),
                        true,
                        "code that sets or reads the field no longer compiles",
                        Side::Old,
                    );
                }
                (Some(a), Some(b)) => {
                    let (of, nf) = (
                        field_flags(self.old, a.schema),
                        field_flags(self.new, b.schema),
                    );
                    let (oreq, nreq) = (oreq.contains(wire), nreq.contains(wire));
                    let field_at = at.field(&rust, a.at.clone(), b.at.clone(), at.dirs);
                    let mut both = Dirs::default();
                    for &v in &views {
                        match (visible(of, v), visible(nf, v)) {
                            (true, true) => both = both.union(Dirs::only(v)),
                            (true, false) => {
                                let what = if v == View::Request {
                                    "readOnly: gone from the request type"
                                } else {
                                    "writeOnly: gone from the response type"
                                };
                                self.push(
                                    &field_at,
                                    ChangeKind::FieldVisibilityChanged,
                                    format!("{label}now {what}"),
                                    true,
                                    "code that sets or reads the field no longer compiles",
                                    Side::New,
                                );
                            }
                            (false, true) => {
                                let breaking = v == View::Request && nreq;
                                let what = if v == View::Request {
                                    "no longer readOnly: now in the request type"
                                } else {
                                    "no longer writeOnly: now in the response type"
                                };
                                let reason = if breaking {
                                    "a new required request field: the constructor `new()` gains an argument"
                                } else {
                                    "a field that existing code does not use"
                                };
                                self.push(
                                    &field_at,
                                    ChangeKind::FieldVisibilityChanged,
                                    format!("{label}{what}"),
                                    breaking,
                                    reason,
                                    Side::New,
                                );
                            }
                            (false, false) => {}
                        }
                    }
                    let both_views = both.views();
                    let (old_root, new_root) = (self.old, self.new);
                    let shapes = |req_o: bool,
                                  null_o: bool,
                                  req_n: bool,
                                  null_n: bool|
                     -> Option<(String, String)> {
                        both_views.iter().find_map(|&v| {
                            let inner_o = rust_type(old_root, a.schema, v, 0);
                            let inner_n = rust_type(new_root, b.schema, v, 0);
                            let so = shaped(&inner_o, req_o, null_o, v);
                            let sn = shaped(&inner_o, req_n, null_n, v);
                            (so != sn).then(|| (so, shaped(&inner_n, req_n, null_n, v)))
                        })
                    };
                    if oreq != nreq && !both_views.is_empty() {
                        let change = shapes(oreq, of.2, nreq, of.2);
                        let what = if nreq { "now required" } else { "now optional" };
                        let (detail, breaking, reason) = match change {
                            Some((x, y)) => (
                                format!("{label}{what}: `{x}` -> `{y}`"),
                                true,
                                "the Rust field type changes",
                            ),
                            None => (
                                format!("{label}{what} (Rust type unchanged)"),
                                false,
                                "the Rust field type does not change",
                            ),
                        };
                        self.push(
                            &field_at,
                            ChangeKind::RequiredChanged,
                            detail,
                            breaking,
                            reason,
                            Side::New,
                        );
                    }
                    if of.2 != nf.2 && !both_views.is_empty() {
                        let change = shapes(nreq, of.2, nreq, nf.2);
                        let what = if nf.2 {
                            "now nullable"
                        } else {
                            "no longer nullable"
                        };
                        let (detail, breaking, reason) = match change {
                            Some((x, y)) => (
                                format!("{label}{what}: `{x}` -> `{y}`"),
                                true,
                                "the Rust field type changes",
                            ),
                            None => (
                                format!("{label}{what} (Rust type unchanged)"),
                                false,
                                "the Rust field type does not change",
                            ),
                        };
                        self.push(
                            &field_at,
                            ChangeKind::NullableChanged,
                            detail,
                            breaking,
                            reason,
                            Side::New,
                        );
                    }
                    if !both_views.is_empty() {
                        let inner = At {
                            dirs: both,
                            ..field_at
                        };
                        self.compare_schema(&inner, a.schema, b.schema, depth + 1);
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn compare_operation(&mut self, o: &Op<'v>, n: &Op<'v>) {
        let subject = n.subject();
        let at = At {
            subject: &subject,
            base: String::new(),
            path: String::new(),
            dirs: Dirs::REQUEST,
            old: o.entry.pointer(),
            new: n.entry.pointer(),
            shaped: false,
        };
        let (on, nn) = (o.entry.short_name(), n.entry.short_name());
        if field_name(&on) != field_name(&nn) {
            let detail = format!(
                "client method `{}()` renamed to `{}()` (was `{on}`)",
                field_name(&on),
                field_name(&nn)
            );
            self.push(
                &at,
                ChangeKind::OperationRenamed,
                detail,
                true,
                "calls to the old method no longer compile",
                Side::New,
            );
        }
        if o.entry.method != n.entry.method || o.entry.path != n.entry.path {
            let detail = format!(
                "now {} {} (was {} {})",
                n.entry.method.to_uppercase(),
                n.entry.path,
                o.entry.method.to_uppercase(),
                o.entry.path
            );
            self.push(
                &at,
                ChangeKind::OperationMoved,
                detail,
                false,
                "the client method and its inputs stay the same",
                Side::New,
            );
        }
        self.compare_versions(&at, o, n);
        self.compare_params(&at, o, n);
        self.compare_body(&at, o, n);
        self.compare_responses(&at, o, n);
    }

    fn compare_versions(&mut self, at: &At<'_>, o: &Op<'v>, n: &Op<'v>) {
        let (ov, nv) = (o.versions(), n.versions());
        let (osent, nsent) = (o.sent(), n.sent());
        let sent_versions = |s: (Option<&str>, Option<&str>)| -> BTreeSet<String> {
            [s.0, s.1]
                .into_iter()
                .flatten()
                .filter_map(api_version)
                .map(str::to_owned)
                .collect()
        };
        let (os, ns) = (sent_versions(osent), sent_versions(nsent));
        for v in nv.difference(&ov) {
            let breaking = ns.contains(v);
            let reason = if breaking {
                "the client now sends this version: Atlas issues a new resource version only for breaking changes"
            } else {
                "the client keeps sending the version it sent before"
            };
            self.push(
                at,
                ChangeKind::ApiVersionAdded,
                format!("API version {v} added"),
                breaking,
                reason,
                Side::New,
            );
        }
        for v in ov.difference(&nv) {
            let breaking = os.contains(v);
            let reason = if breaking {
                "the client sent this version and now sends another one"
            } else {
                "the client did not send this version"
            };
            self.push(
                at,
                ChangeKind::ApiVersionRemoved,
                format!("API version {v} removed"),
                breaking,
                reason,
                Side::Old,
            );
        }
        for (what, a, b) in [
            ("Content-Type", osent.0, nsent.0),
            ("Accept", osent.1, nsent.1),
        ] {
            if let (Some(a), Some(b)) = (a, b) {
                if a != b && !(nv.difference(&ov).any(|v| b.contains(v.as_str()))) {
                    // A switch to an older documented version (the newest was removed).
                    self.push(
                        at,
                        ChangeKind::ApiVersionSelected,
                        format!("the client sends {what}: {b} (was {a})"),
                        true,
                        "the client switches to another resource version",
                        Side::New,
                    );
                }
            }
        }
    }

    fn compare_params(&mut self, at: &At<'_>, o: &Op<'v>, n: &Op<'v>) {
        let keys: BTreeSet<&(String, String)> = o.params.keys().chain(n.params.keys()).collect();
        for key in keys {
            let (loc, wire) = key;
            let rust = field_name(wire);
            let base = format!("parameter `{rust}` ({loc} `{wire}`)");
            match (o.params.get(key), n.params.get(key)) {
                (None, Some((p, p_at))) => {
                    let required = flag(p, "required");
                    let pat = At {
                        base,
                        old: at.old.clone(),
                        new: p_at.clone(),
                        ..at.clone()
                    };
                    let ty = p.get("schema").map_or_else(
                        || "String".to_owned(),
                        |s| rust_type(self.new, s, View::Request, 0),
                    );
                    let (detail, reason) = if required {
                        (
                            format!("added, required (`{ty}`)"),
                            "`send()` fails until the new builder method is called",
                        )
                    } else {
                        (
                            format!("added, optional (`{ty}`)"),
                            "an optional builder method existing code need not call",
                        )
                    };
                    self.push(
                        &pat,
                        ChangeKind::ParameterAdded,
                        detail,
                        required,
                        reason,
                        Side::New,
                    );
                }
                (Some((_, p_at)), None) => {
                    let pat = At {
                        base,
                        old: p_at.clone(),
                        new: at.new.clone(),
                        ..at.clone()
                    };
                    self.push(
                        &pat,
                        ChangeKind::ParameterRemoved,
                        "removed".to_owned(),
                        true,
                        "its builder method is gone",
                        Side::Old,
                    );
                }
                (Some((a, a_at)), Some((b, b_at))) => {
                    let pat = At {
                        base,
                        old: a_at.clone(),
                        new: b_at.clone(),
                        shaped: true,
                        ..at.clone()
                    };
                    let (ar, br) = (flag(a, "required"), flag(b, "required"));
                    if ar != br {
                        let (detail, reason) = if br {
                            (
                                "now required",
                                "`send()` fails unless the builder method is called",
                            )
                        } else {
                            ("now optional", "calling the builder method stays valid")
                        };
                        self.push(
                            &pat,
                            ChangeKind::RequiredChanged,
                            detail.to_owned(),
                            br,
                            reason,
                            Side::New,
                        );
                    }
                    if let (Some(sa), Some(sb)) = (a.get("schema"), b.get("schema")) {
                        let inner = At {
                            old: pat.old.join("schema"),
                            new: pat.new.join("schema"),
                            shaped: false,
                            ..pat.clone()
                        };
                        self.compare_schema(&inner, sa, sb, 0);
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn compare_body(&mut self, at: &At<'_>, o: &Op<'v>, n: &Op<'v>) {
        let base = "request body".to_owned();
        match (o.body.clone(), n.body.clone()) {
            (None, Some((b, b_at))) => {
                let required = flag(b, "required");
                let bat = At {
                    base,
                    old: at.old.clone(),
                    new: b_at,
                    ..at.clone()
                };
                let reason = if required {
                    "`send()` fails until the body is set"
                } else {
                    "an optional body existing code need not set"
                };
                self.push(
                    &bat,
                    ChangeKind::RequestBodyAdded,
                    format!("added{}", if required { ", required" } else { "" }),
                    required,
                    reason,
                    Side::New,
                );
            }
            (Some((_, b_at)), None) => {
                let bat = At {
                    base,
                    old: b_at,
                    new: at.new.clone(),
                    ..at.clone()
                };
                self.push(
                    &bat,
                    ChangeKind::RequestBodyRemoved,
                    "removed".to_owned(),
                    true,
                    "the builder's `body()` method is gone",
                    Side::Old,
                );
            }
            (Some((a, a_at)), Some((b, b_at))) => {
                let bat = At {
                    base,
                    old: a_at,
                    new: b_at,
                    dirs: Dirs::REQUEST,
                    ..at.clone()
                };
                let (ar, br) = (flag(a, "required"), flag(b, "required"));
                if ar != br {
                    let (detail, reason) = if br {
                        ("now required", "`send()` fails unless the body is set")
                    } else {
                        ("now optional", "setting the body stays valid")
                    };
                    self.push(
                        &bat,
                        ChangeKind::RequiredChanged,
                        detail.to_owned(),
                        br,
                        reason,
                        Side::New,
                    );
                }
                self.compare_content(&bat, a, b);
            }
            (None, None) => {}
        }
    }

    fn compare_content(&mut self, at: &At<'_>, a: &'v Value, b: &'v Value) {
        if let (Some((am, ams)), Some((bm, bms))) =
            (pick_media(a.get("content")), pick_media(b.get("content")))
        {
            if let (Some(sa), Some(sb)) = (ams.get("schema"), bms.get("schema")) {
                let inner = At {
                    old: at.old.join("content").join(am).join("schema"),
                    new: at.new.join("content").join(bm).join("schema"),
                    ..at.clone()
                };
                self.compare_schema(&inner, sa, sb, 0);
            }
        }
    }

    fn compare_responses(&mut self, at: &At<'_>, o: &Op<'v>, n: &Op<'v>) {
        let statuses: BTreeSet<&String> = o.responses.keys().chain(n.responses.keys()).collect();
        for status in statuses {
            let base = format!("response {status}");
            let success = status.starts_with('2') || status.starts_with('1');
            let body = |r: &Value| {
                pick_media(r.get("content"))
                    .and_then(|(_, m)| m.get("schema"))
                    .is_some()
            };
            match (o.responses.get(status), n.responses.get(status)) {
                (None, Some((_, r_at))) => {
                    let rat = At {
                        base,
                        old: at.old.clone(),
                        new: r_at.clone(),
                        ..at.clone()
                    };
                    self.push(
                        &rat,
                        ChangeKind::ResponseAdded,
                        "documented".to_owned(),
                        false,
                        "another documented outcome; the return type is unchanged",
                        Side::New,
                    );
                }
                (Some((_, r_at)), None) => {
                    let rat = At {
                        base,
                        old: r_at.clone(),
                        new: at.new.clone(),
                        ..at.clone()
                    };
                    self.push(
                        &rat,
                        ChangeKind::ResponseRemoved,
                        "no longer documented".to_owned(),
                        false,
                        "one documented outcome fewer; the return type is unchanged",
                        Side::Old,
                    );
                }
                (Some((a, a_at)), Some((b, b_at))) => {
                    let rat = At {
                        base,
                        old: a_at.clone(),
                        new: b_at.clone(),
                        dirs: Dirs::RESPONSE,
                        ..at.clone()
                    };
                    match (body(a), body(b)) {
                        (false, true) => {
                            let reason = if success {
                                "the return type changes"
                            } else {
                                "error bodies decode into the error type"
                            };
                            self.push(
                                &rat,
                                ChangeKind::ResponseBodyAdded,
                                "now has a body".to_owned(),
                                success,
                                reason,
                                Side::New,
                            );
                        }
                        (true, false) => {
                            let reason = if success {
                                "the return type changes"
                            } else {
                                "error bodies decode into the error type"
                            };
                            self.push(
                                &rat,
                                ChangeKind::ResponseBodyRemoved,
                                "no longer has a body".to_owned(),
                                success,
                                reason,
                                Side::Old,
                            );
                        }
                        _ => self.compare_content(&rat, a, b),
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn compare_type(&mut self, name: &str, dirs: Dirs) {
        let subject = Subject::Type {
            name: type_name(name),
            schema: name.to_owned(),
            directions: dirs.names(),
        };
        let pointer = Pointer::root()
            .join("components")
            .join("schemas")
            .join(name);
        let at = At {
            subject: &subject,
            base: String::new(),
            path: String::new(),
            dirs,
            old: pointer.clone(),
            new: pointer.clone(),
            shaped: false,
        };
        let get = |root: &'v Value| root.pointer(&pointer.to_string()[1..]);
        match (get(self.old), get(self.new)) {
            (Some(a), Some(b)) => self.compare_inline(&at, a, b, 0),
            (None, Some(_)) => self.push(
                &at,
                ChangeKind::TypeAdded,
                "added".to_owned(),
                false,
                "a new type existing code does not use",
                Side::New,
            ),
            (Some(_), None) => self.push(
                &at,
                ChangeKind::TypeRemoved,
                "removed".to_owned(),
                true,
                "code that names the type no longer compiles",
                Side::Old,
            ),
            (None, None) => {}
        }
    }
}

/// Pairs the operations of two documents: by method and path, then by name.
fn pair<'v>(old: Vec<Op<'v>>, new: Vec<Op<'v>>) -> Vec<(Option<Op<'v>>, Option<Op<'v>>)> {
    let mut old: Vec<Option<Op<'v>>> = old.into_iter().map(Some).collect();
    let mut out = Vec::new();
    let mut unmatched_new = Vec::new();
    for n in new {
        let hit = old.iter().position(|o| {
            o.as_ref()
                .is_some_and(|o| o.entry.method == n.entry.method && o.entry.path == n.entry.path)
        });
        match hit {
            Some(i) => out.push((old[i].take(), Some(n))),
            None => unmatched_new.push(n),
        }
    }
    for n in unmatched_new {
        let name = n.entry.short_name();
        let hit = old
            .iter()
            .position(|o| o.as_ref().is_some_and(|o| o.entry.short_name() == name));
        match hit {
            Some(i) => out.push((old[i].take(), Some(n))),
            None => out.push((None, Some(n))),
        }
    }
    out.extend(old.into_iter().flatten().map(|o| (Some(o), None)));
    out
}

/// Compares `old` and `new` (all operations, or those named in
/// `options.only`) and classifies every change for users of the generated
/// crate. Fails when a name in `options.only` is in neither document.
pub fn diff(old: &Document, new: &Document, options: &DiffOptions) -> Result<Report, Failure> {
    let (old_ops, new_ops) = (operations(&old.root), operations(&new.root));
    let mut errors = Vec::new();
    for name in &options.only {
        let known = old_ops.iter().chain(&new_ops).any(|e| e.is_named(name));
        if !known {
            let candidates = old_ops
                .iter()
                .chain(&new_ops)
                .flat_map(|e| e.short_override.into_iter().chain(e.operation_id));
            let close = closest_names(name, candidates, 5);
            errors.push(Diagnostic::error(
                &new.file,
                &Pointer::root().join("paths"),
                format!(
                    "no operation named `{name}` in {} or {}; closest names: {}",
                    old.file.display(),
                    new.file.display(),
                    close.join(", ")
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Failure {
            diagnostics: errors,
        });
    }
    fn to_ops<'v>(root: &'v Value, list: Vec<OperationEntry<'v>>) -> Vec<Op<'v>> {
        list.into_iter().map(|e| Op::new(root, e)).collect()
    }
    let pairs = pair(to_ops(&old.root, old_ops), to_ops(&new.root, new_ops));
    let wanted = |p: &(Option<Op<'_>>, Option<Op<'_>>)| {
        options.only.is_empty()
            || [&p.0, &p.1]
                .into_iter()
                .flatten()
                .any(|o| options.only.iter().any(|n| o.entry.is_named(n)))
    };
    let mut pairs: Vec<_> = pairs.into_iter().filter(wanted).collect();
    pairs.sort_by_key(|(o, n)| {
        n.as_ref()
            .or(o.as_ref())
            .map(|op| (op.entry.short_name(), op.entry.path, op.entry.method))
    });

    let mut differ = Differ {
        old: &old.root,
        new: &new.root,
        changes: Vec::new(),
    };
    let mut old_roots = Vec::new();
    let mut new_roots = Vec::new();
    for (o, n) in &pairs {
        if let Some(o) = o {
            old_roots.extend(o.roots());
        }
        if let Some(n) = n {
            new_roots.extend(n.roots());
        }
        match (o, n) {
            (Some(o), Some(n)) => differ.compare_operation(o, n),
            (None, Some(n)) => {
                let subject = n.subject();
                differ.changes.push(Change {
                    subject,
                    kind: ChangeKind::OperationAdded,
                    location: String::new(),
                    detail: format!("added: client.{}()", field_name(&n.entry.short_name())),
                    classification: Classification::NonBreaking,
                    reason: "a new client method".to_owned(),
                    side: Side::New,
                    pointer: n.entry.pointer().to_string(),
                });
            }
            (Some(o), None) => {
                let subject = o.subject();
                differ.changes.push(Change {
                    subject,
                    kind: ChangeKind::OperationRemoved,
                    location: String::new(),
                    detail: format!("removed: client.{}()", field_name(&o.entry.short_name())),
                    classification: Classification::Breaking,
                    reason: "calls to the method no longer compile".to_owned(),
                    side: Side::Old,
                    pointer: o.entry.pointer().to_string(),
                });
            }
            (None, None) => {}
        }
    }
    let mut types = Uses::collect(&old.root, old_roots);
    for (name, dirs) in Uses::collect(&new.root, new_roots) {
        let entry = types.entry(name).or_default();
        *entry = entry.union(dirs);
    }
    let mut by_rust: Vec<(String, String, Dirs)> = types
        .into_iter()
        .map(|(name, dirs)| (type_name(&name), name, dirs))
        .collect();
    by_rust.sort();
    for (_, name, dirs) in by_rust {
        differ.compare_type(&name, dirs);
    }
    Ok(Report {
        old: old.file.display().to_string(),
        new: new.file.display().to_string(),
        changes: differ.changes,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::spec_tools::parse_document;

    const BASE: &str = r##"
openapi: 3.0.1
info: {title: t, version: "1"}
paths:
  /things/{id}:
    post:
      operationId: createThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: verbose, in: query, schema: {type: boolean}}
      requestBody:
        required: true
        content:
          application/vnd.atlas.2023-01-01+json:
            schema: {$ref: '#/components/schemas/ThingRequest'}
      responses:
        "200":
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: {$ref: '#/components/schemas/Thing'}
        "404": {description: missing}
components:
  schemas:
    ThingRequest:
      type: object
      required: [name]
      properties:
        name: {type: string}
        size: {type: integer, format: int32}
        kind: {$ref: '#/components/schemas/Kind'}
        id: {type: string, pattern: '^[a-f0-9]{24}$'}
        shape:
          oneOf: [{$ref: '#/components/schemas/Round'}, {$ref: '#/components/schemas/Square'}]
          discriminator:
            propertyName: type
            mapping: {round: '#/components/schemas/Round', square: '#/components/schemas/Square'}
    Thing:
      type: object
      required: [name]
      properties:
        name: {type: string}
        state: {$ref: '#/components/schemas/State'}
        created: {type: string, format: date-time}
        size: {type: integer, format: int32}
        id: {type: string, pattern: '^[a-f0-9]{24}$'}
        note: {type: string}
    Kind: {type: string, enum: [A, B]}
    State: {type: string, enum: [QUEUED, DONE]}
    Round: {type: object, properties: {radius: {type: number}}}
    Square: {type: object, properties: {side: {type: number}}}
"##;

    fn report(old: &str, new: &str) -> Report {
        let old = parse_document(Path::new("old.yaml"), old).expect("old parses");
        let new = parse_document(Path::new("new.yaml"), new).expect("new parses");
        diff(&old, &new, &DiffOptions::default()).expect("diffs")
    }

    /// The changes as `(kind, breaking, location)`.
    fn changes(new: &str) -> Vec<(ChangeKind, bool, String)> {
        report(BASE, new)
            .changes
            .into_iter()
            .map(|c| {
                (
                    c.kind,
                    c.classification == Classification::Breaking,
                    c.location,
                )
            })
            .collect()
    }

    fn edit(from: &str, to: &str) -> String {
        assert!(BASE.contains(from), "BASE lacks {from}");
        BASE.replacen(from, to, 1)
    }

    fn one(new: &str) -> (ChangeKind, bool, String) {
        let all = changes(new);
        assert_eq!(all.len(), 1, "{all:#?}");
        all.into_iter()
            .next()
            .unwrap_or((ChangeKind::TypeAdded, false, String::new()))
    }

    const REQ_PROPS: &str =
        "        name: {type: string}\n        size: {type: integer, format: int32}\n        kind:";
    const RESP_NOTE: &str = "        note: {type: string}\n";

    #[test]
    fn identical_specs_have_no_changes() {
        assert!(changes(BASE).is_empty());
        assert!(report(BASE, BASE).to_text().contains("no changes"));
    }

    #[test]
    fn new_required_request_field_is_breaking_optional_is_not() {
        let required = edit("required: [name]\n      properties:\n        name: {type: string}\n        size", "required: [name, extra]\n      properties:\n        extra: {type: string}\n        name: {type: string}\n        size");
        assert_eq!(
            one(&required),
            (ChangeKind::FieldAdded, true, "field `extra`".into())
        );
        let optional = edit(
            REQ_PROPS,
            &format!("        extra: {{type: string}}\n{REQ_PROPS}"),
        );
        assert_eq!(
            one(&optional),
            (ChangeKind::FieldAdded, false, "field `extra`".into())
        );
    }

    #[test]
    fn new_response_field_is_not_breaking_removed_field_is() {
        let added = edit(
            RESP_NOTE,
            "        note: {type: string}\n        more: {type: string}\n",
        );
        assert_eq!(
            one(&added),
            (ChangeKind::FieldAdded, false, "field `more`".into())
        );
        let removed = edit(RESP_NOTE, "");
        assert_eq!(
            one(&removed),
            (ChangeKind::FieldRemoved, true, "field `note`".into())
        );
    }

    #[test]
    fn enum_values_added_are_not_breaking_removed_are() {
        let added = edit("enum: [QUEUED, DONE]", "enum: [QUEUED, DONE, FAILED]");
        assert_eq!(
            one(&added),
            (ChangeKind::EnumValueAdded, false, String::new())
        );
        let removed_request = edit("enum: [A, B]", "enum: [A]");
        assert_eq!(
            one(&removed_request),
            (ChangeKind::EnumValueRemoved, true, String::new())
        );
        let r = report(BASE, &removed_request);
        assert!(
            r.changes[0].reason.contains("no longer accepts"),
            "{:?}",
            r.changes[0]
        );
        let removed_response = edit("enum: [QUEUED, DONE]", "enum: [DONE]");
        assert_eq!(
            one(&removed_response),
            (ChangeKind::EnumValueRemoved, true, String::new())
        );
    }

    #[test]
    fn operations_added_removed_renamed_and_moved() {
        let extra = BASE.replacen(
            "paths:\n",
            "paths:\n  /other:\n    get:\n      operationId: listOthers\n      responses: {\"200\": {description: ok}}\n",
            1,
        );
        assert_eq!(
            one(&extra),
            (ChangeKind::OperationAdded, false, String::new())
        );
        assert_eq!(
            report(&extra, BASE).changes[0].kind,
            ChangeKind::OperationRemoved
        );
        assert_eq!(
            report(&extra, BASE).changes[0].classification,
            Classification::Breaking
        );
        let renamed = edit("operationId: createThing", "operationId: makeThing");
        assert_eq!(
            one(&renamed),
            (ChangeKind::OperationRenamed, true, String::new())
        );
        let moved = edit("/things/{id}:", "/stuff/{id}:");
        assert_eq!(
            one(&moved),
            (ChangeKind::OperationMoved, false, String::new())
        );
        // A short-name override that keeps the Rust method name is no rename.
        let overridden = edit(
            "operationId: createThing",
            "operationId: createGroupThing\n      x-xgen-operation-id-override: createThing",
        );
        assert!(changes(&overridden).is_empty());
    }

    #[test]
    fn parameters_added_removed_and_required_changes() {
        let required = edit(
            "        - {name: verbose",
            "        - {name: token, in: header, required: true, schema: {type: string}}\n        - {name: verbose",
        );
        assert_eq!(
            one(&required),
            (
                ChangeKind::ParameterAdded,
                true,
                "parameter `token` (header `token`)".into()
            )
        );
        let optional = edit(
            "        - {name: verbose",
            "        - {name: page, in: query, schema: {type: integer}}\n        - {name: verbose",
        );
        assert_eq!(
            one(&optional),
            (
                ChangeKind::ParameterAdded,
                false,
                "parameter `page` (query `page`)".into()
            )
        );
        let removed = edit(
            "        - {name: verbose, in: query, schema: {type: boolean}}\n",
            "",
        );
        assert_eq!(
            one(&removed),
            (
                ChangeKind::ParameterRemoved,
                true,
                "parameter `verbose` (query `verbose`)".into()
            )
        );
        let now_required = edit(
            "{name: verbose, in: query,",
            "{name: verbose, in: query, required: true,",
        );
        assert_eq!(
            one(&now_required),
            (
                ChangeKind::RequiredChanged,
                true,
                "parameter `verbose` (query `verbose`)".into()
            )
        );
        let now_optional = report(&now_required, BASE);
        assert_eq!(
            now_optional.changes[0].classification,
            Classification::NonBreaking
        );
        let retyped = edit(
            "{name: verbose, in: query, schema: {type: boolean}}",
            "{name: verbose, in: query, schema: {type: integer}}",
        );
        assert_eq!(
            one(&retyped),
            (
                ChangeKind::TypeChanged,
                true,
                "parameter `verbose` (query `verbose`)".into()
            )
        );
    }

    #[test]
    fn type_and_format_changes_break_only_when_the_rust_type_changes() {
        let retyped = edit(
            "        note: {type: string}",
            "        note: {type: integer}",
        );
        assert_eq!(
            one(&retyped),
            (ChangeKind::TypeChanged, true, "field `note`".into())
        );
        // int32 -> int64: every integer is an `i64`.
        let request = edit(
            "        size: {type: integer, format: int32}\n        kind",
            "        size: {type: integer, format: int64}\n        kind",
        );
        assert_eq!(
            one(&request),
            (ChangeKind::FormatChanged, false, "field `size`".into())
        );
        let response = edit(
            "        size: {type: integer, format: int32}\n        id",
            "        size: {type: integer, format: int64}\n        id",
        );
        assert_eq!(
            one(&response),
            (ChangeKind::FormatChanged, false, "field `size`".into())
        );
        let date = edit("format: date-time", "format: date");
        assert_eq!(
            one(&date),
            (ChangeKind::FormatChanged, true, "field `created`".into())
        );
        let email = edit(
            "        note: {type: string}",
            "        note: {type: string, format: email}",
        );
        assert_eq!(
            one(&email),
            (ChangeKind::FormatChanged, false, "field `note`".into())
        );
        let to_named = edit(
            "        note: {type: string}",
            "        note: {$ref: '#/components/schemas/State'}",
        );
        assert_eq!(
            one(&to_named),
            (ChangeKind::TypeChanged, true, "field `note`".into())
        );
    }

    #[test]
    fn patterns_break_requests_only() {
        let request = edit(
            "        id: {type: string, pattern: '^[a-f0-9]{24}$'}\n        shape",
            "        id: {type: string, pattern: '^[a-f0-9]{32}$'}\n        shape",
        );
        assert_eq!(
            one(&request),
            (ChangeKind::PatternChanged, true, "field `id`".into())
        );
        let response = edit(
            "        id: {type: string, pattern: '^[a-f0-9]{24}$'}\n        note",
            "        id: {type: string}\n        note",
        );
        assert_eq!(
            one(&response),
            (ChangeKind::PatternChanged, false, "field `id`".into())
        );
    }

    #[test]
    fn required_and_nullable_break_when_the_field_type_changes() {
        // Response: optional -> required turns `Option<String>` into `String`.
        let required = edit("required: [name]\n      properties:\n        name: {type: string}\n        state", "required: [name, note]\n      properties:\n        name: {type: string}\n        state");
        assert_eq!(
            one(&required),
            (ChangeKind::RequiredChanged, true, "field `note`".into())
        );
        // Response: an optional field made nullable stays `Option<String>`.
        let nullable = edit(
            "        note: {type: string}",
            "        note: {type: string, nullable: true}",
        );
        assert_eq!(
            one(&nullable),
            (ChangeKind::NullableChanged, false, "field `note`".into())
        );
        // Response: a required field made nullable becomes `Option<String>`.
        let required_nullable = edit(
            "        name: {type: string}\n        state",
            "        name: {type: string, nullable: true}\n        state",
        );
        assert_eq!(
            one(&required_nullable),
            (ChangeKind::NullableChanged, true, "field `name`".into())
        );
        // Request: an optional field made nullable becomes `Option<Option<i32>>`.
        let request = edit(
            "        size: {type: integer, format: int32}\n        kind",
            "        size: {type: integer, format: int32, nullable: true}\n        kind",
        );
        assert_eq!(
            one(&request),
            (ChangeKind::NullableChanged, true, "field `size`".into())
        );
    }

    #[test]
    fn read_only_fields_leave_the_request_type() {
        let read_only = edit(
            "        size: {type: integer, format: int32}\n        kind",
            "        size: {type: integer, format: int32, readOnly: true}\n        kind",
        );
        assert_eq!(
            one(&read_only),
            (
                ChangeKind::FieldVisibilityChanged,
                true,
                "field `size`".into()
            )
        );
        // A new read-only field in a request-only type does not show up at all.
        let hidden = edit(
            REQ_PROPS,
            &format!("        extra: {{type: string, readOnly: true}}\n{REQ_PROPS}"),
        );
        assert!(changes(&hidden).is_empty());
    }

    #[test]
    fn api_versions_break_when_the_client_switches() {
        let newer = edit(
            "          application/vnd.atlas.2023-01-01+json:\n              schema: {$ref: '#/components/schemas/Thing'}",
            "          application/vnd.atlas.2023-01-01+json:\n              schema: {$ref: '#/components/schemas/Thing'}\n            application/vnd.atlas.2025-01-01+json:\n              schema: {$ref: '#/components/schemas/Thing'}",
        );
        assert_eq!(
            one(&newer),
            (ChangeKind::ApiVersionAdded, true, String::new())
        );
        let older = newer.replace("2025-01-01", "2022-01-01");
        assert_eq!(
            one(&older),
            (ChangeKind::ApiVersionAdded, false, String::new())
        );
        let back = report(&newer, BASE);
        let kinds: Vec<(ChangeKind, Classification)> = back
            .changes
            .iter()
            .map(|c| (c.kind, c.classification))
            .collect();
        assert_eq!(
            kinds,
            [
                (ChangeKind::ApiVersionRemoved, Classification::Breaking),
                (ChangeKind::ApiVersionSelected, Classification::Breaking)
            ]
        );
    }

    #[test]
    fn bodies_responses_and_variants() {
        let optional_body = edit(
            "      requestBody:\n        required: true",
            "      requestBody:\n        required: false",
        );
        assert_eq!(
            one(&optional_body),
            (ChangeKind::RequiredChanged, false, "request body".into())
        );
        assert_eq!(
            report(&optional_body, BASE).changes[0].classification,
            Classification::Breaking
        );
        let status = edit(
            "        \"404\": {description: missing}",
            "        \"404\": {description: missing}\n        \"409\": {description: conflict}",
        );
        assert_eq!(
            one(&status),
            (ChangeKind::ResponseAdded, false, "response 409".into())
        );
        let mapping = edit(", square: '#/components/schemas/Square'}", "}");
        assert_eq!(
            one(&mapping),
            (ChangeKind::VariantRemoved, true, "field `shape`".into())
        );
        let alternative = edit(", {$ref: '#/components/schemas/Square'}]", "]");
        let all = changes(&alternative);
        assert!(
            all.contains(&(ChangeKind::VariantRemoved, true, "field `shape`".into())),
            "{all:?}"
        );
        let types = edit("    Square: {type: object, properties: {side: {type: number}}}", "    Square: {type: object, properties: {side: {type: number}, corner: {type: number}}}");
        // Square is used by a request type: a new optional field is fine.
        assert_eq!(
            one(&types),
            (ChangeKind::FieldAdded, false, "field `corner`".into())
        );
    }

    #[test]
    fn reports_render_as_text_and_json() {
        let r = report(BASE, &edit("enum: [A, B]", "enum: [A]"));
        let text = r.to_text();
        assert!(text.contains("1 breaking, 0 non-breaking"), "{text}");
        assert!(text.contains("type Kind (request)"), "{text}");
        assert!(
            text.contains("BREAKING enum value `B` removed (variant `B`)"),
            "{text}"
        );
        let json: Value = serde_json::from_str(&r.to_json()).expect("json");
        assert_eq!(json["counts"]["breaking"], 1);
        assert_eq!(json["changes"][0]["kind"], "enum-value-removed");
        assert_eq!(json["changes"][0]["classification"], "breaking");
        assert_eq!(json["changes"][0]["subject"]["kind"], "type");
        assert_eq!(json["changes"][0]["pointer"], "#/components/schemas/Kind");
        assert!(r.has_breaking());
    }

    #[test]
    fn unknown_operation_filters_fail_with_suggestions() {
        let doc = parse_document(Path::new("a.yaml"), BASE).expect("parses");
        let err = diff(
            &doc,
            &doc,
            &DiffOptions {
                only: vec!["createThng".to_owned()],
            },
        )
        .expect_err("unknown");
        assert!(
            err.to_string().contains("closest names: createThing"),
            "{err}"
        );
    }
}
