//! Cutting operations out of a spec: the operations asked for and the
//! transitive closure of every component they reference, nothing else.
//!
//! What is followed: every `$ref` (at any depth, in operations, path items and
//! the components reached), every `discriminator.mapping` target, and every
//! security scheme named by the global or an operation's `security`. What is
//! kept at the top level: `openapi`, `info`, `servers`, `security`,
//! `externalDocs`, `x-` extensions, and the `tags` the operations use.
//! `example` values are data, not references, and are not followed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

use super::{closest_names, operations, Document, OperationEntry, METHODS};
use crate::diag::{escape_token, Diagnostic, Failure, Pointer};
use crate::extensions;

/// An operation that was extracted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExtractedOperation {
    /// The short name (`x-xgen-operation-id-override`, else `operationId`).
    pub short_name: String,
    /// The `operationId`.
    pub operation_id: Option<String>,
    /// The method key (`post`).
    pub method: String,
    /// The path template.
    pub path: String,
}

/// The result of [`extract`].
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// The self-contained document.
    pub root: Value,
    /// The operations it holds, in document order.
    pub operations: Vec<ExtractedOperation>,
    /// How many components of each kind (`schemas`, `responses`, ...) it holds.
    pub components: BTreeMap<String, usize>,
}

impl fmt::Display for Extracted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} operation(s)", self.operations.len())?;
        for (kind, count) in &self.components {
            write!(f, ", {count} {kind}")?;
        }
        Ok(())
    }
}

/// One step of a path inside the document, for building pointers lazily.
#[derive(Clone, Copy)]
enum Token<'a> {
    Key(&'a str),
    Index(usize),
}

fn pointer_of(base: &Pointer, stack: &[Token<'_>]) -> Pointer {
    stack.iter().fold(base.clone(), |p, t| match t {
        Token::Key(k) => p.join(k),
        Token::Index(i) => p.join(i.to_string()),
    })
}

/// A reference found while scanning, and where it was found.
struct Found {
    reference: String,
    at: Pointer,
}

/// Keys whose value maps names (property names, media types, header names,
/// ...) to objects: the names there are never keywords.
const NAME_MAPS: [&str; 6] = [
    "properties",
    "headers",
    "content",
    "encoding",
    "links",
    "callbacks",
];

/// Collects the `$ref`s and discriminator mapping targets inside `value`.
/// `names` says that `value` maps names to objects (see [`NAME_MAPS`]).
fn scan<'a>(
    value: &'a Value,
    names: bool,
    base: &Pointer,
    stack: &mut Vec<Token<'a>>,
    out: &mut Vec<Found>,
) {
    match value {
        Value::Object(map) if names => {
            for (key, child) in map {
                stack.push(Token::Key(key));
                scan(child, false, base, stack, out);
                stack.pop();
            }
        }
        Value::Object(map) => {
            for (key, child) in map {
                stack.push(Token::Key(key));
                match (key.as_str(), child) {
                    ("$ref", Value::String(r)) => out.push(Found {
                        reference: r.clone(),
                        at: pointer_of(base, stack),
                    }),
                    ("example", _) => {}
                    ("examples", Value::Object(examples)) => {
                        // Example objects: only their `$ref` is a reference.
                        for (name, example) in examples {
                            if let Some(r) = example.get("$ref").and_then(Value::as_str) {
                                stack.push(Token::Key(name));
                                stack.push(Token::Key("$ref"));
                                out.push(Found {
                                    reference: r.to_owned(),
                                    at: pointer_of(base, stack),
                                });
                                stack.pop();
                                stack.pop();
                            }
                        }
                    }
                    ("discriminator", Value::Object(d)) => {
                        if let Some(mapping) = d.get("mapping").and_then(Value::as_object) {
                            stack.push(Token::Key("mapping"));
                            for (k, target) in mapping {
                                let Some(target) = target.as_str() else {
                                    continue;
                                };
                                stack.push(Token::Key(k));
                                let reference = if target.contains('#') || target.contains('/') {
                                    target.to_owned()
                                } else {
                                    // A bare schema name, as OpenAPI allows.
                                    format!("#/components/schemas/{}", escape_token(target))
                                };
                                out.push(Found {
                                    reference,
                                    at: pointer_of(base, stack),
                                });
                                stack.pop();
                            }
                            stack.pop();
                        }
                    }
                    _ => scan(child, NAME_MAPS.contains(&key.as_str()), base, stack, out),
                }
                stack.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                stack.push(Token::Index(i));
                scan(item, false, base, stack, out);
                stack.pop();
            }
        }
        _ => {}
    }
}

/// Splits a local reference `#/components/<kind>/<name>[/...]` into kind and
/// name (unescaped).
fn component_of(reference: &str) -> Result<(String, String), String> {
    let Some(fragment) = reference.strip_prefix('#') else {
        return Err(format!(
            "`$ref: {reference}` points outside this file; only local references (`#/components/...`) are supported"
        ));
    };
    let Some(pointer) = Pointer::from_ref(&format!("#{fragment}")) else {
        return Err(format!("`$ref: {reference}` is not a JSON pointer"));
    };
    let tokens: Vec<String> = pointer.tokens().collect();
    match tokens.as_slice() {
        [components, kind, name, ..] if components == "components" => {
            Ok((kind.clone(), name.clone()))
        }
        _ => Err(format!(
            "`$ref: {reference}` does not point into #/components; only component references are supported"
        )),
    }
}

/// Finds the operations named in `names` (short name or `operationId`).
fn select<'a>(
    doc: &Document,
    all: &[OperationEntry<'a>],
    names: &[String],
) -> Result<Vec<OperationEntry<'a>>, Failure> {
    let mut errors = Vec::new();
    let mut picked: Vec<usize> = Vec::new();
    for name in names {
        let by_override: Vec<usize> = (0..all.len())
            .filter(|&i| all[i].short_override == Some(name.as_str()))
            .collect();
        let hits = if by_override.is_empty() {
            (0..all.len())
                .filter(|&i| all[i].operation_id == Some(name.as_str()))
                .collect()
        } else {
            by_override
        };
        match hits.as_slice() {
            [one] => picked.push(*one),
            [] => {
                let candidates = all
                    .iter()
                    .flat_map(|e| e.short_override.into_iter().chain(e.operation_id));
                let close = closest_names(name, candidates, 5);
                let hint = if close.is_empty() {
                    "the spec has no named operations".to_owned()
                } else {
                    format!("closest names: {}", close.join(", "))
                };
                errors.push(Diagnostic::error(
                    &doc.file,
                    &Pointer::root().join("paths"),
                    format!("no operation named `{name}` (neither an x-xgen-operation-id-override nor an operationId); {hint}"),
                ));
            }
            many => {
                let places: Vec<String> =
                    many.iter().map(|&i| all[i].pointer().to_string()).collect();
                errors.push(Diagnostic::error(
                    &doc.file,
                    &all[many[0]].pointer(),
                    format!(
                        "the name `{name}` is ambiguous: it names {} operations ({})",
                        many.len(),
                        places.join(", ")
                    ),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(Failure {
            diagnostics: errors,
        });
    }
    picked.sort_unstable();
    picked.dedup();
    Ok(picked.into_iter().map(|i| all[i]).collect())
}

/// Security scheme names a `security` array requires, with their pointers.
fn security_names(security: Option<&Value>, at: &Pointer, out: &mut Vec<(String, Pointer)>) {
    let Some(list) = security.and_then(Value::as_array) else {
        return;
    };
    for (i, requirement) in list.iter().enumerate() {
        if let Some(map) = requirement.as_object() {
            for name in map.keys() {
                out.push((name.clone(), at.join(i.to_string()).join(name)));
            }
        }
    }
}

/// Extracts the operations named in `names` (by `x-xgen-operation-id-override`
/// or `operationId`) and every component they reach from `doc`, into a
/// self-contained OpenAPI document. Unknown names fail with the closest
/// names the spec has; a `$ref` that does not resolve fails with its pointer.
pub fn extract(doc: &Document, names: &[String]) -> Result<Extracted, Failure> {
    let root = &doc.root;
    let all = operations(root);
    let selected = select(doc, &all, names)?;

    let mut found: Vec<Found> = Vec::new();
    let mut paths = Map::new();
    let mut tags_used: BTreeSet<&str> = BTreeSet::new();
    let mut schemes: Vec<(String, Pointer)> = Vec::new();
    let mut stack = Vec::new();
    for entry in &selected {
        let item_ptr = Pointer::root().join("paths").join(entry.path);
        let item_out = paths.entry(entry.path.to_owned()).or_insert_with(|| {
            // Path-level keys (`parameters`, `servers`, ...) go along once.
            let mut shared = Map::new();
            if let Some(item) = entry.item.as_object() {
                for (k, v) in item {
                    if !METHODS.contains(&k.as_str()) {
                        shared.insert(k.clone(), v.clone());
                        stack.clear();
                        stack.push(Token::Key(k));
                        scan(v, false, &item_ptr, &mut stack, &mut found);
                    }
                }
            }
            Value::Object(shared)
        });
        if let Some(item_out) = item_out.as_object_mut() {
            item_out.insert(entry.method.to_owned(), entry.op.clone());
        }
        stack.clear();
        let op_ptr = entry.pointer();
        scan(entry.op, false, &op_ptr, &mut stack, &mut found);
        for tag in entry
            .op
            .get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            tags_used.insert(tag);
        }
        security_names(
            entry.op.get("security"),
            &op_ptr.join("security"),
            &mut schemes,
        );
    }
    security_names(
        root.get("security"),
        &Pointer::root().join("security"),
        &mut schemes,
    );

    let source = root.get("components");
    let mut components: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut errors = Vec::new();
    let add = |kind: &str,
               name: &str,
               reference: &str,
               at: &Pointer,
               components: &mut BTreeMap<String, Map<String, Value>>,
               found: &mut Vec<Found>|
     -> Option<Diagnostic> {
        if components.get(kind).is_some_and(|m| m.contains_key(name)) {
            return None;
        }
        let Some(target) = source.and_then(|c| c.get(kind)).and_then(|m| m.get(name)) else {
            return Some(Diagnostic::error(
                &doc.file,
                at,
                format!("`{reference}` does not resolve: there is no #/components/{kind}/{} in this file", escape_token(name)),
            ));
        };
        components
            .entry(kind.to_owned())
            .or_default()
            .insert(name.to_owned(), target.clone());
        let base = Pointer::root().join("components").join(kind).join(name);
        if kind == "examples" {
            // An example's `value` is data; only its own `$ref` is a reference.
            if let Some(r) = target.get("$ref").and_then(Value::as_str) {
                found.push(Found {
                    reference: r.to_owned(),
                    at: base.join("$ref"),
                });
            }
        } else {
            let mut stack = Vec::new();
            scan(target, false, &base, &mut stack, found);
        }
        None
    };
    for (name, at) in &schemes {
        let reference = format!("security scheme `{name}`");
        errors.extend(add(
            "securitySchemes",
            name,
            &reference,
            at,
            &mut components,
            &mut found,
        ));
    }
    while let Some(Found { reference, at }) = found.pop() {
        match component_of(&reference) {
            Ok((kind, name)) => errors.extend(add(
                &kind,
                &name,
                &format!("$ref: {reference}"),
                &at,
                &mut components,
                &mut found,
            )),
            Err(message) => errors.push(Diagnostic::error(&doc.file, &at, message)),
        }
    }
    if !errors.is_empty() {
        errors.sort();
        errors.dedup();
        return Err(Failure {
            diagnostics: errors,
        });
    }

    let mut out = Map::new();
    if let Some(top) = root.as_object() {
        for (k, v) in top {
            let keep = matches!(
                k.as_str(),
                "openapi" | "info" | "servers" | "security" | "externalDocs"
            ) || extensions::is_extension(k);
            if keep {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    if let Some(tags) = root.get("tags").and_then(Value::as_array) {
        let kept: Vec<Value> = tags
            .iter()
            .filter(|t| {
                t.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| tags_used.contains(n))
            })
            .cloned()
            .collect();
        if !kept.is_empty() {
            out.insert("tags".to_owned(), Value::Array(kept));
        }
    }
    out.insert("paths".to_owned(), Value::Object(paths));
    let counts = components
        .iter()
        .map(|(k, m)| (k.clone(), m.len()))
        .collect();
    if !components.is_empty() {
        let map: Map<String, Value> = components
            .into_iter()
            .map(|(k, m)| (k, Value::Object(m)))
            .collect();
        out.insert("components".to_owned(), Value::Object(map));
    }
    Ok(Extracted {
        root: Value::Object(out),
        operations: selected
            .iter()
            .map(|e| ExtractedOperation {
                short_name: e.short_name(),
                operation_id: e.operation_id.map(str::to_owned),
                method: e.method.to_owned(),
                path: e.path.to_owned(),
            })
            .collect(),
        components: counts,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::spec_tools::parse_document;

    const SPEC: &str = r##"
openapi: 3.0.1
info: {title: t, version: "2.0"}
servers: [{url: "https://example.com"}]
security: [{Digest: []}]
x-topics: [kept]
tags:
  - {name: Used, description: used}
  - {name: Unused}
paths:
  /pets/{id}:
    parameters:
      - $ref: '#/components/parameters/id'
    get:
      operationId: getPetLong
      x-xgen-operation-id-override: getPet
      tags: [Used]
      responses:
        "200":
          description: ok
          headers:
            Rate: {$ref: '#/components/headers/Rate'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
              examples:
                one: {$ref: '#/components/examples/OnePet'}
        "400": {$ref: '#/components/responses/bad'}
    delete:
      operationId: deletePet
      security: [{OAuth: []}]
      responses:
        "204": {description: gone}
  /owners:
    post:
      operationId: createOwner
      tags: [Unused]
      requestBody: {$ref: '#/components/requestBodies/Owner'}
      responses:
        "200": {description: ok}
components:
  securitySchemes:
    Digest: {type: http, scheme: digest}
    OAuth: {type: oauth2, flows: {}}
  parameters:
    id: {name: id, in: path, required: true, schema: {$ref: '#/components/schemas/Id'}}
  headers:
    Rate: {schema: {type: integer}}
  examples:
    OnePet: {value: {$ref: '#/components/schemas/NotFollowed'}}
  requestBodies:
    Owner: {content: {application/json: {schema: {$ref: '#/components/schemas/Owner'}}}}
  responses:
    bad:
      description: bad
      content: {application/json: {schema: {$ref: '#/components/schemas/Error'}}}
  schemas:
    Id: {type: string, pattern: '^[0-9]+$'}
    Pet:
      type: object
      x-keep: true
      example: {$ref: not-a-reference}
      properties:
        example: {$ref: '#/components/schemas/Tag'}
        kind:
          oneOf: [{$ref: '#/components/schemas/Cat'}, {$ref: '#/components/schemas/Dog'}]
          discriminator:
            propertyName: type
            mapping: {cat: '#/components/schemas/Cat', dog: Dog, bird: '#/components/schemas/Bird'}
    Tag: {type: string}
    Cat: {type: object, properties: {self: {$ref: '#/components/schemas/Pet'}}}
    Dog: {type: object}
    Bird: {type: object}
    Error: {type: object}
    Owner: {type: object}
    NotFollowed: {type: object}
"##;

    fn doc() -> Document {
        parse_document(Path::new("spec.yaml"), SPEC).expect("parses")
    }

    fn keys(v: &Value, pointer: &str) -> Vec<String> {
        v.pointer(pointer)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }

    #[test]
    fn extraction_takes_the_closure_and_nothing_else() {
        let out = extract(&doc(), &["getPet".to_owned()]).expect("extracts");
        let r = &out.root;
        assert_eq!(keys(r, "/paths"), ["/pets/{id}"]);
        assert_eq!(keys(r, "/paths/~1pets~1{id}"), ["get", "parameters"]);
        assert_eq!(
            keys(r, "/components/schemas"),
            ["Bird", "Cat", "Dog", "Error", "Id", "Pet", "Tag"]
        );
        assert_eq!(keys(r, "/components/parameters"), ["id"]);
        assert_eq!(keys(r, "/components/headers"), ["Rate"]);
        assert_eq!(keys(r, "/components/responses"), ["bad"]);
        assert_eq!(keys(r, "/components/examples"), ["OnePet"]);
        assert_eq!(keys(r, "/components/securitySchemes"), ["Digest"]);
        assert!(r.pointer("/components/requestBodies").is_none());
        assert_eq!(
            r["tags"],
            serde_json::json!([{"name": "Used", "description": "used"}])
        );
        assert_eq!(r["x-topics"], serde_json::json!(["kept"]));
        assert_eq!(r["servers"][0]["url"], "https://example.com");
        assert_eq!(
            r.pointer("/components/schemas/Pet/x-keep"),
            Some(&Value::Bool(true))
        );
        assert_eq!(out.operations[0].short_name, "getPet");
        assert_eq!(
            out.to_string(),
            "1 operation(s), 1 examples, 1 headers, 1 parameters, 1 responses, 7 schemas, 1 securitySchemes"
        );
    }

    #[test]
    fn operation_security_and_request_bodies_are_followed() {
        let out =
            extract(&doc(), &["deletePet".to_owned(), "createOwner".to_owned()]).expect("extracts");
        let r = &out.root;
        assert_eq!(keys(r, "/paths"), ["/owners", "/pets/{id}"]);
        assert_eq!(keys(r, "/paths/~1pets~1{id}"), ["delete", "parameters"]);
        assert_eq!(keys(r, "/components/securitySchemes"), ["Digest", "OAuth"]);
        assert_eq!(keys(r, "/components/requestBodies"), ["Owner"]);
        assert_eq!(keys(r, "/components/schemas"), ["Id", "Owner"]);
        assert_eq!(r["tags"], serde_json::json!([{"name": "Unused"}]));
    }

    #[test]
    fn operations_are_found_by_operation_id_too() {
        let out =
            extract(&doc(), &["getPetLong".to_owned(), "getPet".to_owned()]).expect("extracts");
        assert_eq!(out.operations.len(), 1);
    }

    #[test]
    fn unknown_names_list_the_closest() {
        let err =
            extract(&doc(), &["getPets".to_owned(), "deletPet".to_owned()]).expect_err("unknown");
        assert_eq!(err.diagnostics.len(), 2);
        let first = &err.diagnostics[0];
        assert_eq!(first.pointer.to_string(), "#/paths");
        assert!(
            first.message.contains("no operation named `getPets`")
                && first.message.contains("closest names: getPet, getPetLong"),
            "{}",
            first.message
        );
        assert!(err.diagnostics[1]
            .message
            .contains("closest names: deletePet"));
        assert!(err.to_string().contains("spec.yaml"));
    }

    #[test]
    fn unresolved_references_name_their_pointer() {
        let broken = SPEC.replace(
            "Rate: {schema: {type: integer}}",
            "Other: {schema: {type: integer}}",
        );
        let doc = parse_document(Path::new("spec.yaml"), &broken).expect("parses");
        let err = extract(&doc, &["getPet".to_owned()]).expect_err("broken");
        assert_eq!(
            err.diagnostics[0].pointer.to_string(),
            "#/paths/~1pets~1{id}/get/responses/200/headers/Rate/$ref"
        );
        assert!(err.diagnostics[0]
            .message
            .contains("#/components/headers/Rate"));
        let external = SPEC.replace("'#/components/schemas/Error'", "'other.yaml#/Error'");
        let doc = parse_document(Path::new("spec.yaml"), &external).expect("parses");
        let err = extract(&doc, &["getPet".to_owned()]).expect_err("external");
        assert_eq!(
            err.diagnostics[0].pointer.to_string(),
            "#/components/responses/bad/content/application~1json/schema/$ref"
        );
        assert!(err.diagnostics[0].message.contains("outside this file"));
    }
}
