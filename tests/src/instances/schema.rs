//! The spec's schemas as JSON Schema (the response view) and the
//! validator of instances against them.

use std::collections::{BTreeSet, HashMap};

use atlas_codegen::extensions;
use atlas_codegen::rules::escape_token;
use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Map, Value};

/// The URI the converted spec is registered under.
const BASE: &str = "https://spec.invalid/openapi.json";

/// What converting the spec to JSON Schema had to leave out.
#[derive(Debug, Clone, Default)]
pub struct ConvertStats {
    /// Patterns the validator cannot compile (not ECMA 262 it understands).
    pub dropped_patterns: BTreeSet<String>,
}

/// Whether a pattern compiles in the validator (cached).
pub(super) struct Patterns {
    pub(super) compiled: HashMap<String, Option<Validator>>,
}

impl Patterns {
    pub(super) fn validator(&mut self, pattern: &str) -> Option<&Validator> {
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

    pub(super) fn compiles(&mut self, pattern: &str) -> bool {
        self.validator(pattern).is_some()
    }

    pub(super) fn matches(&mut self, pattern: &str, text: &str) -> bool {
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
            k if extensions::is_extension(k) => {}
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
pub(super) fn flag(doc: &Value, schema: &Value, name: &str) -> bool {
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
    pub(super) patterns: Patterns,
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

/// Whether `base` has a `oneOf`/`anyOf` member that is a `$ref` to the
/// schema at `pointer`.
pub(super) fn lists(base: &Value, pointer: &str) -> bool {
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
pub(super) fn child_tags(base: &Value, child: &str) -> Option<(String, Vec<String>)> {
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
pub(super) fn tag_for(union: &Value, branch: &Value) -> Option<String> {
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
