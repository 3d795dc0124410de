//! JSON instances of a spec's response schemas, made from the raw spec (not
//! from the generator's IR) and checked with a JSON Schema validator, for
//! the differential decoding test: every instance a spec-valid server may
//! send must decode with the generated types.
//!
//! The OpenAPI 3.0 schemas are first turned into JSON Schema (draft
//! 2020-12) as OpenAPI says they read in a response: `nullable` admits
//! `null`, `writeOnly` properties are left out (and out of `required`),
//! siblings of `$ref` are ignored, boolean `exclusiveMinimum` and
//! `exclusiveMaximum` become numbers, and `discriminator`, `example`,
//! `x-` extensions and other annotations are dropped. Instances are then
//! made from the raw schemas in several kinds ([`Mode`]) and each is checked
//! against the converted schema, so a test knows which are valid.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use atlas_codegen::rules::{escape_token, is_json_media};
use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Map, Value};

/// The URI the converted spec is registered under.
const BASE: &str = "https://spec.invalid/openapi.json";

/// How an instance is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// Only what JSON Schema requires: required properties, `minItems`
    /// items, the first `oneOf`/`anyOf` branch that validates.
    Minimal,
    /// Every property (but `writeOnly` ones), one item per list, one entry
    /// per map.
    Maximal,
    /// [`Mode::Maximal`] with `null` wherever the spec says `nullable`
    /// (properties, list items, map values).
    Nulls,
}

impl Mode {
    /// The name reports use.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Minimal => "minimal",
            Mode::Maximal => "maximal",
            Mode::Nulls => "nulls",
        }
    }
}

/// What converting the spec to JSON Schema had to leave out.
#[derive(Debug, Clone, Default)]
pub struct ConvertStats {
    /// Patterns the validator cannot compile (not ECMA 262 it understands).
    pub dropped_patterns: BTreeSet<String>,
}

fn is_extension(key: &str) -> bool {
    key.starts_with("x-")
}

/// Whether a pattern compiles in the validator (cached).
struct Patterns {
    compiled: HashMap<String, Option<Validator>>,
}

impl Patterns {
    fn validator(&mut self, pattern: &str) -> Option<&Validator> {
        self.compiled
            .entry(pattern.to_owned())
            .or_insert_with(|| {
                jsonschema::options()
                    .with_draft(Draft::Draft202012)
                    .build(&json!({ "type": "string", "pattern": pattern }))
                    .ok()
            })
            .as_ref()
    }

    fn compiles(&mut self, pattern: &str) -> bool {
        self.validator(pattern).is_some()
    }

    fn matches(&mut self, pattern: &str, text: &str) -> bool {
        self.validator(pattern)
            .is_some_and(|v| v.is_valid(&Value::String(text.to_owned())))
    }
}

/// Converts one OpenAPI 3.0 schema (response view) into JSON Schema. `at`
/// is the pointer of a component schema: an `allOf` member of it that is a
/// base whose `oneOf`/`anyOf` lists it (a discriminated hierarchy) is left
/// out, as in JSON Schema the pair would require itself without end.
fn convert_schema(
    doc: &Value,
    schema: &Value,
    at: Option<&str>,
    patterns: &mut Patterns,
    stats: &mut ConvertStats,
) -> Value {
    let Some(map) = schema.as_object() else {
        return schema.clone();
    };
    if let Some(reference) = map.get("$ref") {
        // OpenAPI 3.0: a Reference Object's siblings are ignored.
        return json!({ "$ref": reference });
    }
    let write_only: BTreeSet<&str> = map
        .get("properties")
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .filter(|(_, p)| flag(doc, p, "writeOnly"))
                .map(|(k, _)| k.as_str())
                .collect()
        })
        .unwrap_or_default();
    let mut out = Map::new();
    for (key, value) in map {
        match key.as_str() {
            "properties" => {
                let props: Map<String, Value> = value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .filter(|(k, _)| !write_only.contains(k.as_str()))
                    .map(|(k, v)| (k.clone(), convert_schema(doc, v, None, patterns, stats)))
                    .collect();
                out.insert(key.clone(), Value::Object(props));
            }
            "required" => {
                let required: Vec<Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|r| r.as_str().is_none_or(|r| !write_only.contains(r)))
                    .cloned()
                    .collect();
                out.insert(key.clone(), Value::Array(required));
            }
            "items" | "additionalProperties" | "not" if value.is_object() => {
                out.insert(
                    key.clone(),
                    convert_schema(doc, value, None, patterns, stats),
                );
            }
            "allOf" | "oneOf" | "anyOf" => {
                let mut members: Vec<Value> = value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|m| {
                        key != "allOf"
                            || m.get("$ref").is_none()
                            || at.is_none_or(|at| !lists(deref(doc, m), at))
                    })
                    .map(|m| {
                        let converted = convert_schema(doc, m, None, patterns, stats);
                        match discriminated(schema, key, m) {
                            Some(tagged) => json!({ "allOf": [converted, tagged] }),
                            None => converted,
                        }
                    })
                    .collect();
                if key == "allOf" {
                    if let Some(at) = at {
                        // A mapped child of a discriminated base: its value.
                        members.extend(value.as_array().into_iter().flatten().filter_map(|m| {
                            let (property, tags) = child_tags(deref(doc, m), at)?;
                            Some(json!({
                                "required": [property],
                                "properties": { property: { "enum": tags } }
                            }))
                        }));
                    }
                }
                out.insert(key.clone(), Value::Array(members));
            }
            "exclusiveMinimum" | "exclusiveMaximum" if value.is_boolean() => {
                let bound = if key == "exclusiveMinimum" {
                    "minimum"
                } else {
                    "maximum"
                };
                if value.as_bool() == Some(true) {
                    if let Some(n) = map.get(bound) {
                        out.insert(key.clone(), n.clone());
                    }
                }
            }
            "minimum" | "maximum" => {
                let exclusive = if key == "minimum" {
                    "exclusiveMinimum"
                } else {
                    "exclusiveMaximum"
                };
                if map.get(exclusive).and_then(Value::as_bool) != Some(true) {
                    out.insert(key.clone(), value.clone());
                }
            }
            "pattern" => match value.as_str() {
                Some(p) if patterns.compiles(p) => {
                    out.insert(key.clone(), value.clone());
                }
                Some(p) => {
                    stats.dropped_patterns.insert(p.to_owned());
                }
                None => {}
            },
            "nullable" | "discriminator" | "example" | "examples" | "xml" | "externalDocs"
            | "readOnly" | "writeOnly" | "deprecated" | "title" | "description" => {}
            k if is_extension(k) => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    if map.get("nullable").and_then(Value::as_bool) == Some(true) {
        if let Some(Value::Array(values)) = out.get_mut("enum") {
            if !values.contains(&Value::Null) {
                values.push(Value::Null);
            }
        }
        match out.get("type").cloned() {
            Some(Value::String(t)) => {
                out.insert("type".into(), json!([t, "null"]));
            }
            _ => {
                return json!({ "anyOf": [Value::Object(out), { "type": "null" }] });
            }
        }
    }
    Value::Object(out)
}

/// `schema` itself or the schema its `$ref` (chain) points to.
pub fn deref<'d>(doc: &'d Value, schema: &'d Value) -> &'d Value {
    deref_at(doc, schema, String::new()).0
}

/// [`deref`] with the pointer of the schema found (`at` is the pointer of
/// `schema`).
pub fn deref_at<'d>(doc: &'d Value, mut schema: &'d Value, mut at: String) -> (&'d Value, String) {
    for _ in 0..32 {
        let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let pointer = reference.strip_prefix('#').unwrap_or(reference);
        match doc.pointer(pointer) {
            Some(target) => {
                schema = target;
                at = pointer.to_owned();
            }
            None => break,
        }
    }
    (schema, at)
}

/// Whether a schema position carries `flag: true`, looking through `$ref`
/// as the generator does.
fn flag(doc: &Value, schema: &Value, name: &str) -> bool {
    schema.get(name).and_then(Value::as_bool) == Some(true)
        || deref(doc, schema).get(name).and_then(Value::as_bool) == Some(true)
}

/// The spec as JSON Schema, at the same pointers: every component schema,
/// and the schema of every response's media type (in `paths` and in
/// `components/responses`).
pub fn convert_document(doc: &Value) -> (Value, ConvertStats) {
    let mut patterns = Patterns {
        compiled: HashMap::new(),
    };
    let mut stats = ConvertStats::default();
    let mut out = json!({ "components": { "schemas": {}, "responses": {} }, "paths": {} });
    if let Some(schemas) = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    {
        for (name, schema) in schemas {
            let at = format!("/components/schemas/{}", escape_token(name));
            out["components"]["schemas"][name] =
                convert_schema(doc, schema, Some(&at), &mut patterns, &mut stats);
        }
    }
    let mut convert_response = |response: &Value, into: &mut Value| {
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            return;
        };
        for (media, mt) in content {
            if let Some(schema) = mt.get("schema") {
                into["content"][media]["schema"] =
                    convert_schema(doc, schema, None, &mut patterns, &mut stats);
            }
        }
    };
    if let Some(responses) = doc
        .pointer("/components/responses")
        .and_then(Value::as_object)
    {
        for (name, response) in responses {
            let mut into = json!({});
            convert_response(response, &mut into);
            out["components"]["responses"][name] = into;
        }
    }
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for (method, op) in item {
                let Some(responses) = op.get("responses").and_then(Value::as_object) else {
                    continue;
                };
                for (status, response) in responses {
                    let mut into = json!({});
                    convert_response(response, &mut into);
                    out["paths"][path][method]["responses"][status] = into;
                }
            }
        }
    }
    (out, stats)
}

/// Percent-encodes a JSON pointer for a URI fragment.
fn fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for b in pointer.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Validators of the converted spec's schemas, by pointer.
pub struct Checker {
    registry: Registry<'static>,
    validators: HashMap<String, Result<Validator, String>>,
    patterns: Patterns,
    /// What the conversion left out.
    pub stats: ConvertStats,
}

impl Checker {
    /// Converts `doc` and registers it.
    pub fn new(doc: &Value) -> Self {
        let (converted, stats) = convert_document(doc);
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(BASE, converted)
            .and_then(|r| r.prepare())
            .unwrap_or_else(|err| panic!("the converted spec does not register: {err}"));
        Self {
            registry,
            validators: HashMap::new(),
            patterns: Patterns {
                compiled: HashMap::new(),
            },
            stats,
        }
    }

    /// Checks `instance` against the schema at `pointer` (of the spec; the
    /// converted one has the same layout).
    pub fn check(&mut self, pointer: &str, instance: &Value) -> Result<(), String> {
        let registry = &self.registry;
        let validator = self
            .validators
            .entry(pointer.to_owned())
            .or_insert_with(|| {
                jsonschema::options()
                    .with_draft(Draft::Draft202012)
                    .should_validate_formats(true)
                    .with_registry(registry)
                    .build(&json!({ "$ref": format!("{BASE}#{}", fragment(pointer)) }))
                    .map_err(|err| format!("no validator for {pointer}: {err}"))
            });
        match validator {
            Ok(v) => v.validate(instance).map_err(|err| {
                format!(
                    "{err} (at {}, schema {})",
                    err.instance_path(),
                    err.schema_path()
                )
            }),
            Err(err) => Err(err.clone()),
        }
    }
}

// ----- Strings for patterns -------------------------------------------------

/// How pattern samples are drawn: the fewest repetitions or at least one,
/// and the first or the last branch of each alternation.
#[derive(Clone, Copy)]
struct Draw {
    at_least_one: bool,
    last_branch: bool,
}

fn class_char(ranges: &[(char, char)]) -> Option<char> {
    let prefer = ['a', 'b', '0', '1', 'A', 'B', '_', '-', '.'];
    prefer
        .iter()
        .copied()
        .find(|c| ranges.iter().any(|(lo, hi)| lo <= c && c <= hi))
        .or_else(|| {
            // A printable character if the class has one.
            ranges.iter().find_map(|(lo, hi)| {
                (u32::from(*lo)..=u32::from(*hi).min(u32::from(*lo) + 200))
                    .filter_map(char::from_u32)
                    .find(|c| !c.is_control() && !c.is_whitespace())
            })
        })
        .or_else(|| ranges.first().map(|(lo, _)| *lo))
}

fn sample_hir(hir: &regex_syntax::hir::Hir, draw: Draw, out: &mut String) -> bool {
    use regex_syntax::hir::{Class, HirKind};
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => true,
        HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
            Ok(text) => {
                out.push_str(text);
                true
            }
            Err(_) => false,
        },
        HirKind::Class(Class::Unicode(class)) => {
            let ranges: Vec<(char, char)> = class
                .ranges()
                .iter()
                .map(|r| (r.start(), r.end()))
                .collect();
            match class_char(&ranges) {
                Some(c) => {
                    out.push(c);
                    true
                }
                None => false,
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            let ranges: Vec<(char, char)> = class
                .ranges()
                .iter()
                .filter(|r| r.start().is_ascii())
                .map(|r| (char::from(r.start()), char::from(r.end().min(0x7f))))
                .collect();
            match class_char(&ranges) {
                Some(c) => {
                    out.push(c);
                    true
                }
                None => false,
            }
        }
        HirKind::Repetition(rep) => {
            let mut n = rep.min;
            if draw.at_least_one {
                n = n.max(1);
            }
            if let Some(max) = rep.max {
                n = n.min(max);
            }
            (0..n).all(|_| sample_hir(&rep.sub, draw, out))
        }
        HirKind::Capture(cap) => sample_hir(&cap.sub, draw, out),
        HirKind::Concat(parts) => parts.iter().all(|p| sample_hir(p, draw, out)),
        HirKind::Alternation(branches) => {
            let branch = if draw.last_branch {
                branches.last()
            } else {
                branches.first()
            };
            branch.is_some_and(|b| sample_hir(b, draw, out))
        }
    }
}

/// Strings that may match `pattern` (ECMA 262), shortest first; each must
/// still be checked against the pattern.
pub fn pattern_samples(pattern: &str) -> Vec<String> {
    let Ok(hir) = regex_syntax::ParserBuilder::new()
        .unicode(true)
        .utf8(true)
        .build()
        .parse(pattern)
    else {
        return Vec::new();
    };
    let mut samples = Vec::new();
    for at_least_one in [false, true] {
        for last_branch in [false, true] {
            let mut out = String::new();
            if sample_hir(
                &hir,
                Draw {
                    at_least_one,
                    last_branch,
                },
                &mut out,
            ) && !samples.contains(&out)
            {
                samples.push(out);
            }
        }
    }
    samples
}

/// Common shapes tried for patterns the sampler cannot read (look-arounds):
/// addresses, ids and versions.
const COMMON_SAMPLES: &[&str] = &[
    "192.168.0.1",
    "192.168.0.0/24",
    "10.0.0.1/32",
    "32b6e34b3d91647abb20e7b8",
    "8.0.1",
    "Cluster0",
];

// ----- Instances ------------------------------------------------------------

/// Counts of what could not be made as wanted.
#[derive(Debug, Clone, Default)]
pub struct GenStats {
    /// Patterns no sample was found for (the string may not match).
    pub unmatched_patterns: BTreeSet<String>,
    /// Unions (by pointer) none of whose branches gave a valid value;
    /// an optional property or list item is then left out, and an instance
    /// that needs one is not made.
    pub no_valid_branch: BTreeSet<String>,
    /// Instances that could not be made, by kind.
    pub not_made: BTreeMap<String, usize>,
}

/// Makes instances of the raw spec's schemas.
pub struct Generator<'d> {
    doc: &'d Value,
    /// The validator (also used to pick union branches).
    pub checker: Checker,
    pattern_strings: HashMap<String, Option<String>>,
    /// What could not be made as wanted.
    pub stats: GenStats,
}

struct Walk {
    mode: Mode,
    /// `$ref` targets being expanded.
    stack: Vec<String>,
}

/// The properties of an object schema with its `allOf` members merged.
#[derive(Default)]
struct Merged<'d> {
    props: Vec<(String, &'d Value, String)>,
    required: BTreeSet<String>,
    additional: Option<(&'d Value, String)>,
    /// The discriminator property and value of a schema that is a mapped
    /// child of a base it includes through `allOf`.
    tag: Option<(String, String)>,
}

impl<'d> Generator<'d> {
    /// A generator for `doc` (the raw spec).
    pub fn new(doc: &'d Value) -> Self {
        Self {
            doc,
            checker: Checker::new(doc),
            pattern_strings: HashMap::new(),
            stats: GenStats::default(),
        }
    }

    /// An instance of the schema at `pointer`, or `None` when none can be
    /// made (a required property that holds itself).
    pub fn instance(&mut self, pointer: &str, mode: Mode) -> Option<Value> {
        let doc = self.doc;
        let schema = doc.pointer(pointer)?;
        let mut walk = Walk {
            mode,
            stack: Vec::new(),
        };
        self.value(schema, pointer.to_owned(), &mut walk, false)
    }

    fn nullable(&self, schema: &Value) -> bool {
        flag(self.doc, schema, "nullable")
    }

    fn value(
        &mut self,
        schema: &'d Value,
        at: String,
        walk: &mut Walk,
        salt: bool,
    ) -> Option<Value> {
        if walk.stack.len() > 40 {
            return None;
        }
        if schema.get("$ref").is_some() {
            let (target, target_at) = deref_at(self.doc, schema, at);
            let seen = walk.stack.iter().filter(|s| **s == target_at).count();
            let outer_mode = walk.mode;
            match seen {
                0 => {}
                // Into a schema already being expanded: only what it requires.
                1 => walk.mode = Mode::Minimal,
                _ => return None,
            }
            walk.stack.push(target_at.clone());
            let value = self.value(target, target_at, walk, salt);
            walk.stack.pop();
            walk.mode = outer_mode;
            return value;
        }
        let map = schema.as_object()?;
        if let Some(values) = map.get("enum").and_then(Value::as_array) {
            // Values of the declared type (an `enum` of strings on an
            // array has none: nothing valid can be made).
            let declared = map.get("type").and_then(Value::as_str);
            let fitting: Vec<&Value> = values
                .iter()
                .filter(|v| !v.is_null() && declared.is_none_or(|t| of_type(v, t)))
                .collect();
            let pick = if salt && fitting.len() > 1 { 1 } else { 0 };
            return fitting.get(pick).map(|v| (*v).clone());
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = map.get(key).and_then(Value::as_array) {
                return self.union(schema, key, branches, at, walk, salt);
            }
        }
        let ty = map.get("type").and_then(Value::as_str).or_else(|| {
            if map.contains_key("properties")
                || map.contains_key("allOf")
                || map.contains_key("additionalProperties")
            {
                Some("object")
            } else if map.contains_key("items") {
                Some("array")
            } else {
                None
            }
        });
        match ty {
            Some("object") => self.object(schema, at, walk, true),
            Some("array") => self.array(map, at, walk),
            Some("string") => Some(Value::String(self.string(map, salt))),
            Some("integer") => Some(number(map, walk.mode, true, salt)),
            Some("number") => Some(number(map, walk.mode, false, salt)),
            Some("boolean") => Some(Value::Bool(walk.mode != Mode::Minimal)),
            _ => Some(match walk.mode {
                Mode::Minimal => json!({}),
                _ => json!({ "anything": ["goes", 1, true] }),
            }),
        }
    }

    fn union(
        &mut self,
        schema: &'d Value,
        key: &str,
        branches: &'d [Value],
        at: String,
        walk: &mut Walk,
        salt: bool,
    ) -> Option<Value> {
        // The schema's own properties (beside the union) apply too.
        let own = schema.get("properties").is_some() || schema.get("allOf").is_some();
        let tag_property = schema
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str);
        let outer = walk.mode;
        for (i, branch) in branches.iter().enumerate() {
            let branch_at = format!("{at}/{key}/{i}");
            let tag = tag_property.and_then(|_| tag_for(schema, branch));
            // The branch as the mode asks, then with every property (which
            // may tell it from its siblings); with the discriminator's value
            // for it when there is one, as a server sends it.
            let mut tries: Vec<Value> = Vec::new();
            for mode in [outer, Mode::Maximal] {
                walk.mode = mode;
                let candidate = self.value(branch, branch_at.clone(), walk, salt);
                let base = if own {
                    self.object(schema, at.clone(), walk, false)
                } else {
                    None
                };
                walk.mode = outer;
                let Some(mut candidate) = candidate else {
                    continue;
                };
                if let (Some(Value::Object(base)), Value::Object(c)) = (base, &mut candidate) {
                    for (k, v) in base {
                        c.entry(k).or_insert(v);
                    }
                }
                if let (Some(property), Some(tag), Value::Object(c)) =
                    (tag_property, &tag, &mut candidate)
                {
                    c.insert(property.to_owned(), Value::String(tag.clone()));
                }
                tries.push(candidate);
                if outer == Mode::Maximal {
                    break;
                }
            }
            for candidate in tries {
                if self.checker.check(&at, &candidate).is_ok() {
                    return Some(candidate);
                }
            }
        }
        self.stats.no_valid_branch.insert(at);
        None
    }

    fn merge(
        &self,
        schema: &'d Value,
        at: String,
        merged: &mut Merged<'d>,
        seen: &mut Vec<String>,
        unions: bool,
    ) {
        let (schema, at) = deref_at(self.doc, schema, at);
        if seen.contains(&at) {
            return;
        }
        seen.push(at.clone());
        if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
            for (i, member) in members.iter().enumerate() {
                // A base whose union lists this schema (a discriminated
                // hierarchy): its properties, not its other children's.
                let base = deref(self.doc, member);
                let base_lists_this = lists(base, &at);
                if let Some((property, tags)) = child_tags(base, &at) {
                    if let Some(tag) = tags.into_iter().next() {
                        merged.tag.get_or_insert((property, tag));
                    }
                }
                self.merge(
                    member,
                    format!("{at}/allOf/{i}"),
                    merged,
                    seen,
                    !base_lists_this,
                );
            }
        }
        for key in ["oneOf", "anyOf"].into_iter().filter(|_| unions) {
            // A union inside an `allOf`: its first branch.
            if let Some(first) = schema
                .get(key)
                .and_then(Value::as_array)
                .and_then(|b| b.first())
            {
                self.merge(first, format!("{at}/{key}/0"), merged, seen, true);
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let here = format!("{at}/properties/{}", escape_token(name));
                match merged.props.iter_mut().find(|(n, _, _)| n == name) {
                    Some(existing) => {
                        existing.1 = prop;
                        existing.2 = here;
                    }
                    None => merged.props.push((name.clone(), prop, here)),
                }
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            merged
                .required
                .extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if let Some(additional) = schema.get("additionalProperties") {
            if additional.is_object() && merged.additional.is_none() {
                merged.additional = Some((additional, format!("{at}/additionalProperties")));
            }
        }
    }

    /// An object from the (merged) properties of `schema`; `unions` says
    /// whether a union at its top is merged too (its first branch).
    fn object(
        &mut self,
        schema: &'d Value,
        at: String,
        walk: &mut Walk,
        unions: bool,
    ) -> Option<Value> {
        let mut merged = Merged::default();
        self.merge(schema, at, &mut merged, &mut Vec::new(), unions);
        let mut out = Map::new();
        let doc = self.doc;
        for (name, prop, here) in &merged.props {
            if flag(doc, prop, "writeOnly") {
                continue;
            }
            let required = merged.required.contains(name);
            if walk.mode == Mode::Minimal && !required {
                continue;
            }
            if walk.mode == Mode::Nulls && self.nullable(prop) {
                out.insert(name.clone(), Value::Null);
                continue;
            }
            match self.value(prop, here.clone(), walk, false) {
                Some(v) => {
                    out.insert(name.clone(), v);
                }
                None if required => return None,
                None => {}
            }
        }
        for name in &merged.required {
            if !out.contains_key(name)
                && !merged
                    .props
                    .iter()
                    .any(|(n, p, _)| n == name && flag(doc, p, "writeOnly"))
            {
                // Required but defined nowhere: any value will do.
                out.insert(name.clone(), json!("value"));
            }
        }
        if let Some((property, tag)) = &merged.tag {
            out.insert(property.clone(), Value::String(tag.clone()));
        }
        if walk.mode != Mode::Minimal {
            if let Some((additional, here)) = merged.additional {
                let key = (1..)
                    .map(|i| format!("additionalProp{i}"))
                    .find(|k| !out.contains_key(k))
                    .unwrap_or_default();
                if walk.mode == Mode::Nulls && self.nullable(additional) {
                    out.insert(key, Value::Null);
                } else if let Some(v) = self.value(additional, here, walk, false) {
                    out.insert(key, v);
                }
            }
        }
        Some(Value::Object(out))
    }

    fn array(&mut self, map: &'d Map<String, Value>, at: String, walk: &mut Walk) -> Option<Value> {
        let min = map.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = map
            .get("maxItems")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let n = match walk.mode {
            Mode::Minimal => min,
            _ => min.max(1).min(max),
        };
        let Some(items) = map.get("items") else {
            return Some(Value::Array((0..n).map(|i| json!(i)).collect()));
        };
        let mut out = Vec::new();
        for i in 0..n {
            if walk.mode == Mode::Nulls && self.nullable(items) {
                out.push(Value::Null);
                continue;
            }
            match self.value(items, format!("{at}/items"), walk, i % 2 == 1) {
                Some(item) => out.push(item),
                None if min == 0 => return Some(Value::Array(Vec::new())),
                None => return None,
            }
        }
        Some(Value::Array(out))
    }

    fn string(&mut self, map: &Map<String, Value>, salt: bool) -> String {
        let example = map.get("example").and_then(Value::as_str);
        let min = map.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = map
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        if let Some(pattern) = map.get("pattern").and_then(Value::as_str) {
            if let Some(found) = self.pattern_string(pattern, example, min, max) {
                return found;
            }
            self.stats.unmatched_patterns.insert(pattern.to_owned());
        }
        let text = match map.get("format").and_then(Value::as_str) {
            Some("date-time") => "2024-05-06T07:08:09Z".to_owned(),
            Some("date") => "2024-05-06".to_owned(),
            Some("email") => "someone@example.com".to_owned(),
            Some("uuid") => "123e4567-e89b-12d3-a456-426614174000".to_owned(),
            Some("uri") => "https://example.com/a".to_owned(),
            Some("byte") => "AAEC".to_owned(),
            _ => match example {
                Some(example) => example.to_owned(),
                None if salt => "other string".to_owned(),
                None => "string".to_owned(),
            },
        };
        fit_length(text, min, max)
    }

    fn pattern_string(
        &mut self,
        pattern: &str,
        example: Option<&str>,
        min: usize,
        max: Option<usize>,
    ) -> Option<String> {
        let key = format!(
            "{pattern}\u{0}{}\u{0}{min}\u{0}{max:?}",
            example.unwrap_or("")
        );
        if let Some(found) = self.pattern_strings.get(&key) {
            return found.clone();
        }
        let fits = |s: &str| s.chars().count() >= min && max.is_none_or(|m| s.chars().count() <= m);
        // The spec's own example first (realistic), then samples.
        let mut candidates: Vec<String> = example.map(str::to_owned).into_iter().collect();
        candidates.extend(pattern_samples(pattern));
        candidates.extend(COMMON_SAMPLES.iter().map(|s| (*s).to_owned()));
        let found = candidates
            .into_iter()
            .find(|c| fits(c) && self.checker.patterns.matches(pattern, c));
        self.pattern_strings.insert(key, found.clone());
        found
    }
}

/// Whether `base` has a `oneOf`/`anyOf` member that is a `$ref` to the
/// schema at `pointer`.
fn lists(base: &Value, pointer: &str) -> bool {
    let target = format!("#{pointer}");
    ["oneOf", "anyOf"].iter().any(|key| {
        base.get(*key)
            .and_then(Value::as_array)
            .is_some_and(|members| {
                members
                    .iter()
                    .any(|m| m.get("$ref").and_then(Value::as_str) == Some(target.as_str()))
            })
    })
}

/// What a discriminator says of one branch of a union, as JSON Schema: its
/// property is present and holds one of the branch's values. OpenAPI 3.0
/// requires the property in the payload and lets its value choose the
/// branch; without this, a union whose branches differ only by it (Atlas's
/// polymorphic types, whose children share their base's properties) has
/// no valid instance, every value matching several branches of `oneOf`.
fn discriminated(union: &Value, key: &str, branch: &Value) -> Option<Value> {
    if key == "allOf" {
        return None;
    }
    let property = union
        .pointer("/discriminator/propertyName")
        .and_then(Value::as_str)?;
    let reference = branch.get("$ref").and_then(Value::as_str)?;
    let mut tags: Vec<String> = union
        .pointer("/discriminator/mapping")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter(|(_, v)| v.as_str() == Some(reference))
        .map(|(k, _)| k.clone())
        .collect();
    if tags.is_empty() {
        tags.extend(reference.rsplit('/').next().map(str::to_owned));
    }
    Some(json!({ "required": [property], "properties": { property: { "enum": tags } } }))
}

/// The discriminator property of `base` and the values its mapping gives
/// the schema at `child` (none: not a mapped child).
fn child_tags(base: &Value, child: &str) -> Option<(String, Vec<String>)> {
    let property = base
        .pointer("/discriminator/propertyName")
        .and_then(Value::as_str)?;
    let target = format!("#{child}");
    let tags: Vec<String> = base
        .pointer("/discriminator/mapping")
        .and_then(Value::as_object)?
        .iter()
        .filter(|(_, v)| v.as_str() == Some(target.as_str()))
        .map(|(k, _)| k.clone())
        .collect();
    (!tags.is_empty()).then(|| (property.to_owned(), tags))
}

/// The discriminator value of a union's branch: the mapping's key for its
/// `$ref`, else the referenced schema's name (OpenAPI's implicit mapping).
fn tag_for(union: &Value, branch: &Value) -> Option<String> {
    let reference = branch.get("$ref").and_then(Value::as_str)?;
    let mapped = union
        .pointer("/discriminator/mapping")
        .and_then(Value::as_object)
        .and_then(|mapping| {
            mapping
                .iter()
                .find(|(_, v)| v.as_str() == Some(reference))
                .map(|(k, _)| k.clone())
        });
    mapped.or_else(|| reference.rsplit('/').next().map(str::to_owned))
}

/// Whether `value` is of JSON Schema type `ty`.
fn of_type(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

/// `text` padded or cut to the length bounds.
fn fit_length(mut text: String, min: usize, max: Option<usize>) -> String {
    while text.chars().count() < min {
        text.push('a');
    }
    if let Some(max) = max {
        text = text.chars().take(max).collect();
    }
    text
}

fn number(map: &Map<String, Value>, mode: Mode, integer: bool, salt: bool) -> Value {
    let get = |k: &str| map.get(k).and_then(Value::as_f64);
    let exclusive = |k: &str| map.get(k).and_then(Value::as_bool) == Some(true);
    let step = if integer { 1.0 } else { 0.5 };
    let lo = get("minimum").map(|m| {
        if exclusive("exclusiveMinimum") {
            m + step
        } else {
            m
        }
    });
    let hi = get("maximum").map(|m| {
        if exclusive("exclusiveMaximum") {
            m - step
        } else {
            m
        }
    });
    let example = get("example");
    let mut v = match mode {
        Mode::Minimal => lo.unwrap_or(0.0),
        _ => match example {
            Some(e)
                if (!integer || e.fract() == 0.0)
                    && lo.is_none_or(|l| e >= l)
                    && hi.is_none_or(|h| e <= h) =>
            {
                e
            }
            _ => lo.map_or(if integer { 7.0 } else { 2.5 }, |l| l + step),
        },
    };
    if salt {
        v += step;
    }
    if let Some(h) = hi {
        v = v.min(h);
    }
    if let Some(l) = lo {
        v = v.max(l);
    }
    if let Some(multiple) = get("multipleOf") {
        if multiple > 0.0 {
            v = (v / multiple).ceil() * multiple;
        }
    }
    if integer && v.fract() == 0.0 && v.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        return json!(v as i64);
    }
    json!(v)
}

// ----- Response cases -------------------------------------------------------

/// One documented response of one operation, at the media type the
/// generated operation reads.
#[derive(Debug, Clone)]
pub struct ResponseCase {
    /// The operation's `operationId`.
    pub operation_id: String,
    /// The generated request builder (`atlas_admin_api::operations::X`).
    pub builder: String,
    /// The HTTP status.
    pub status: u16,
    /// The media type chosen (`None`: the response has no content).
    pub media: Option<String>,
    /// The pointer of the schema at that media type (`None`: no schema).
    pub schema: Option<String>,
    /// The pointer of that media type object.
    pub media_pointer: Option<String>,
}

/// A JSON instance for a response case.
#[derive(Debug, Clone)]
pub struct Instance {
    /// How it was made (`minimal`, `maximal`, `nulls`, `empty`, `example`,
    /// `examples/NAME`, `schema example`).
    pub kind: String,
    /// The body (`None`: empty).
    pub body: Option<Value>,
    /// Whether it validates (`Err` says why not).
    pub valid: Result<(), String>,
}

/// The documented responses of every generated operation, each at the media
/// type the generator picks for the operation's API version.
pub fn response_cases(doc: &Value, api: &atlas_codegen::ir::Api) -> Vec<ResponseCase> {
    let mut out = Vec::new();
    for op in &api.operations {
        let method = op.method.as_str().to_ascii_lowercase();
        let op_at = format!("/paths/{}/{method}", escape_token(&op.path));
        let Some(responses) = doc
            .pointer(&format!("{op_at}/responses"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (status, response) in responses {
            let Ok(code) = status.parse::<u16>() else {
                continue;
            };
            let (response, response_at) = deref_at(
                doc,
                response,
                format!("{op_at}/responses/{}", escape_token(status)),
            );
            let content = response.get("content").and_then(Value::as_object);
            let media = content.and_then(|c| {
                atlas_codegen::rules::pick_media(
                    c.keys().map(String::as_str),
                    op.api_version.as_deref(),
                )
            });
            let media_pointer = media.map(|m| format!("{response_at}/content/{}", escape_token(m)));
            let schema = media_pointer.as_ref().and_then(|mp| {
                doc.pointer(&format!("{mp}/schema"))
                    .map(|_| format!("{mp}/schema"))
            });
            out.push(ResponseCase {
                operation_id: op.operation_id.clone(),
                builder: op.builder_name.clone(),
                status: code,
                media: media.map(str::to_owned),
                schema,
                media_pointer,
            });
        }
    }
    out
}

impl Generator<'_> {
    /// The instances of one response case: the spec's examples, then the
    /// minimal, maximal and all-`null` instances (duplicates dropped), or
    /// an empty body for content without a schema. Non-JSON media types
    /// give none.
    pub fn instances(&mut self, case: &ResponseCase) -> Vec<Instance> {
        let doc = self.doc;
        if case.media.as_deref().is_some_and(|m| !is_json_media(m)) {
            return Vec::new();
        }
        let Some(schema_at) = &case.schema else {
            return vec![Instance {
                kind: "empty".into(),
                body: None,
                valid: Ok(()),
            }];
        };
        let mut found: Vec<(String, Value)> = Vec::new();
        if let Some(mt) = case.media_pointer.as_deref().and_then(|p| doc.pointer(p)) {
            if let Some(example) = mt.get("example") {
                found.push(("example".into(), example.clone()));
            }
            if let Some(examples) = mt.get("examples").and_then(Value::as_object) {
                for (name, example) in examples {
                    let example = deref(doc, example);
                    if let Some(value) = example.get("value") {
                        found.push((format!("examples/{name}"), value.clone()));
                    }
                }
            }
        }
        if let Some(schema) = doc.pointer(schema_at) {
            if let Some(example) = deref(doc, schema).get("example") {
                found.push(("schema example".into(), example.clone()));
            }
        }
        for mode in [Mode::Minimal, Mode::Maximal, Mode::Nulls] {
            match self.instance(schema_at, mode) {
                Some(value) => found.push((mode.name().into(), value)),
                None => *self.stats.not_made.entry(mode.name().into()).or_default() += 1,
            }
        }
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (kind, body) in found {
            if !seen.insert(body.to_string()) {
                continue;
            }
            let valid = self.checker.check(schema_at, &body);
            out.push(Instance {
                kind,
                body: Some(body),
                valid,
            });
        }
        out
    }
}

// ----- Comparing ------------------------------------------------------------

/// Where `decoded` (a value decoded and encoded again) lost what
/// `instance` had: keys with a non-`null` value that are gone, list lengths
/// that changed, and scalars that differ. `null` counts as absent; numbers
/// compare by value; strings that are the same date-time (or date) in
/// another spelling are equal.
pub fn losses(instance: &Value, decoded: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk_losses(instance, decoded, String::new(), &mut out);
    out
}

fn walk_losses(instance: &Value, decoded: &Value, at: String, out: &mut Vec<String>) {
    match (instance, decoded) {
        (Value::Null, _) => {}
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let here = format!("{at}/{}", escape_token(k));
                match b.get(k) {
                    Some(w) => walk_losses(v, w, here, out),
                    None if v.is_null() => {}
                    None => out.push(format!("{here}: lost ({v})")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!("{at}: {} items became {}", a.len(), b.len()));
            } else {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    walk_losses(x, y, format!("{at}/{i}"), out);
                }
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            let same = match (x.as_i64(), y.as_i64()) {
                (Some(p), Some(q)) => p == q,
                _ => x.as_f64() == y.as_f64(),
            };
            if !same {
                out.push(format!("{at}: {x} became {y}"));
            }
        }
        (Value::String(x), Value::String(y)) => {
            if x != y && !same_time(x, y) {
                out.push(format!("{at}: {x:?} became {y:?}"));
            }
        }
        (x, y) if x == y => {}
        (x, y) => out.push(format!("{at}: {x} became {y}")),
    }
}

fn same_time(a: &str, b: &str) -> bool {
    use chrono::{DateTime, NaiveDate};
    if let (Ok(x), Ok(y)) = (
        DateTime::parse_from_rfc3339(a),
        DateTime::parse_from_rfc3339(b),
    ) {
        return x == y;
    }
    matches!(
        (NaiveDate::parse_from_str(a, "%Y-%m-%d"), NaiveDate::parse_from_str(b, "%Y-%m-%d")),
        (Ok(x), Ok(y)) if x == y
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        json!({
            "components": { "schemas": {
                "Job": {
                    "type": "object",
                    "required": ["id", "secret"],
                    "properties": {
                        "id": { "type": "string", "pattern": "^([a-f0-9]{24})$" },
                        "secret": { "type": "string", "writeOnly": true },
                        "createdAt": { "type": "string", "format": "date-time" },
                        "note": { "type": "string", "nullable": true },
                        "count": { "type": "integer", "minimum": 3 },
                        "tags": { "type": "array", "items": { "type": "string", "nullable": true } },
                        "labels": {
                            "type": "object",
                            "additionalProperties": { "type": "integer", "nullable": true }
                        },
                        "parent": { "$ref": "#/components/schemas/Job" },
                        "bucket": { "$ref": "#/components/schemas/Bucket" }
                    }
                },
                "Bucket": {
                    "type": "object",
                    "discriminator": {
                        "propertyName": "cloud",
                        "mapping": { "AWS": "#/components/schemas/Aws", "GCP": "#/components/schemas/Gcp" }
                    },
                    "oneOf": [
                        { "$ref": "#/components/schemas/Aws" },
                        { "$ref": "#/components/schemas/Gcp" }
                    ],
                    "properties": { "cloud": { "type": "string", "enum": ["AWS", "GCP"] } }
                },
                "Aws": {
                    "allOf": [
                        { "$ref": "#/components/schemas/Bucket" },
                        { "type": "object", "properties": { "role": { "type": "string" } } }
                    ]
                },
                "Gcp": {
                    "allOf": [
                        { "$ref": "#/components/schemas/Bucket" },
                        { "type": "object", "properties": { "account": { "type": "string" } } }
                    ]
                }
            } }
        })
    }

    #[test]
    fn conversion_reads_openapi_as_a_response() {
        let (converted, _) = convert_document(&doc());
        let job = &converted["components"]["schemas"]["Job"];
        assert_eq!(job["required"], json!(["id"]), "writeOnly is not required");
        assert!(job["properties"].get("secret").is_none());
        assert_eq!(job["properties"]["note"]["type"], json!(["string", "null"]));
        assert_eq!(
            job["properties"]["tags"]["items"]["type"],
            json!(["string", "null"])
        );
        // A child leaves out its base (which lists it) and keeps its value.
        let aws = &converted["components"]["schemas"]["Aws"];
        assert_eq!(aws["allOf"].as_array().map(Vec::len), Some(2), "{aws}");
        assert_eq!(
            aws["allOf"][1]["properties"]["cloud"]["enum"],
            json!(["AWS"])
        );
    }

    #[test]
    fn every_kind_of_instance_is_valid() {
        let doc = doc();
        let mut generator = Generator::new(&doc);
        let at = "/components/schemas/Job";
        let minimal = generator.instance(at, Mode::Minimal).expect("minimal");
        assert_eq!(minimal, json!({ "id": "aaaaaaaaaaaaaaaaaaaaaaaa" }));
        let maximal = generator.instance(at, Mode::Maximal).expect("maximal");
        assert_eq!(maximal["createdAt"], json!("2024-05-06T07:08:09Z"));
        assert!(maximal.get("secret").is_none(), "{maximal}");
        assert_eq!(maximal["bucket"]["cloud"], json!("AWS"), "{maximal}");
        assert!(maximal["parent"].is_object(), "{maximal}");
        let nulls = generator.instance(at, Mode::Nulls).expect("nulls");
        assert_eq!(nulls["note"], Value::Null);
        assert_eq!(nulls["tags"], json!([null]));
        assert_eq!(nulls["labels"]["additionalProp1"], Value::Null);
        for instance in [&minimal, &maximal, &nulls] {
            assert_eq!(generator.checker.check(at, instance), Ok(()), "{instance}");
        }
        let invalid = json!({ "id": "not hex", "count": 1 });
        assert!(generator.checker.check(at, &invalid).is_err());
        // Without its value, a bucket is no branch of the union.
        let untagged = json!({ "role": "r" });
        assert!(generator
            .checker
            .check("/components/schemas/Bucket", &untagged)
            .is_err());
    }

    #[test]
    fn pattern_samples_match() {
        for pattern in [
            "^([a-f0-9]{24})$",
            "^[a-zA-Z0-9][a-zA-Z0-9-]*$",
            "^mdb_sa_id_[a-fA-F\\d]{24}$",
            "([\\d]+\\.[\\d]+\\.[\\d]+)",
        ] {
            let samples = pattern_samples(pattern);
            let re = regex_syntax::ParserBuilder::new().build().parse(pattern);
            assert!(re.is_ok());
            let mut patterns = Patterns {
                compiled: HashMap::new(),
            };
            assert!(
                samples.iter().any(|s| patterns.matches(pattern, s)),
                "{pattern}: {samples:?}"
            );
        }
    }

    #[test]
    fn losses_treat_null_as_absent_and_compare_values() {
        let instance = json!({
            "a": null, "n": 3, "t": "2024-05-06T07:08:09.000+00:00",
            "list": [1, {"k": "v"}], "gone": "x"
        });
        let decoded = json!({ "n": 3.0, "t": "2024-05-06T07:08:09Z", "list": [1, {"k": "v"}] });
        assert_eq!(losses(&instance, &decoded), vec!["/gone: lost (\"x\")"]);
        assert_eq!(
            losses(&json!({"n": 1}), &json!({"n": 2})),
            vec!["/n: 1 became 2"]
        );
    }
}
