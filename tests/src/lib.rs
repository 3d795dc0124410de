//! Shared helpers for the integration tests: where the upstream specs are,
//! and a "code shape" view of an OpenAPI operation for comparing specs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use atlas_codegen::extensions::OPERATION_ID_OVERRIDE;
use serde_json::{json, Map, Value};

/// The message every test that needs the upstream specs fails with when they
/// are missing (and the reason it is `#[ignore]`d by default).
pub const NEEDS_SPECS: &str = "needs ATLAS_SPECS_DIR (upstream Atlas specs)";

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The folder named by `ATLAS_SPECS_DIR` (relative paths are taken from the
/// workspace root). Panics with [`NEEDS_SPECS`] when unset or missing.
pub fn specs_dir() -> PathBuf {
    let Some(dir) = std::env::var_os("ATLAS_SPECS_DIR") else {
        panic!("{NEEDS_SPECS}: the variable is not set");
    };
    let dir = PathBuf::from(dir);
    let dir = if dir.is_relative() {
        workspace_root().join(dir)
    } else {
        dir
    };
    assert!(
        dir.is_dir(),
        "{NEEDS_SPECS}: {} is not a folder",
        dir.display()
    );
    dir
}

/// Reads a YAML or JSON file into a JSON value.
pub fn read_doc(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
    serde_yaml::from_str(&text)
        .unwrap_or_else(|err| panic!("cannot parse {}: {err}", path.display()))
}

fn resolve<'v>(doc: &'v Value, reference: &str) -> &'v Value {
    let pointer = reference.strip_prefix('#').unwrap_or(reference);
    doc.pointer(pointer)
        .unwrap_or_else(|| panic!("unresolved $ref {reference}"))
}

fn deref<'v>(doc: &'v Value, mut value: &'v Value) -> &'v Value {
    while let Some(r) = value.get("$ref").and_then(Value::as_str) {
        value = resolve(doc, r);
    }
    value
}

/// The keywords of a schema that shape generated code; descriptions,
/// examples and other prose are left out. Referenced schemas are recorded
/// by name in `named` and compared once.
fn schema_shape(doc: &Value, schema: &Value, named: &mut BTreeMap<String, Value>) -> Value {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r).to_owned();
        if !named.contains_key(&name) {
            named.insert(name.clone(), Value::Null);
            let shape = schema_shape(doc, resolve(doc, r), named);
            named.insert(name.clone(), shape);
        }
        return json!({ "$ref": name });
    }
    let mut out = Map::new();
    for key in [
        "type",
        "format",
        "pattern",
        "enum",
        "nullable",
        "readOnly",
        "writeOnly",
        "default",
    ] {
        if let Some(v) = schema.get(key) {
            out.insert(key.to_owned(), v.clone());
        }
    }
    if let Some(req) = schema.get("required").and_then(Value::as_array) {
        let mut names: Vec<&str> = req.iter().filter_map(Value::as_str).collect();
        names.sort_unstable();
        out.insert("required".to_owned(), json!(names));
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let shaped: Map<String, Value> = props
            .iter()
            .map(|(k, v)| (k.clone(), schema_shape(doc, v, named)))
            .collect();
        out.insert("properties".to_owned(), Value::Object(shaped));
    }
    for key in ["items", "additionalProperties"] {
        if let Some(v) = schema.get(key) {
            let shaped = if v.is_object() {
                schema_shape(doc, v, named)
            } else {
                v.clone()
            };
            out.insert(key.to_owned(), shaped);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(list) = schema.get(key).and_then(Value::as_array) {
            let shaped: Vec<Value> = list.iter().map(|v| schema_shape(doc, v, named)).collect();
            out.insert(key.to_owned(), Value::Array(shaped));
        }
    }
    if let Some(d) = schema.get("discriminator") {
        out.insert("discriminator".to_owned(), d.clone());
    }
    Value::Object(out)
}

fn content_shape(
    doc: &Value,
    content: Option<&Value>,
    named: &mut BTreeMap<String, Value>,
) -> Value {
    let mut out = Map::new();
    if let Some(content) = content.and_then(Value::as_object) {
        for (media, mt) in content {
            let schema = mt
                .get("schema")
                .map(|s| schema_shape(doc, s, named))
                .unwrap_or(Value::Null);
            out.insert(media.clone(), schema);
        }
    }
    Value::Object(out)
}

/// Everything about one operation that shapes generated code: its identity,
/// security, parameters, body and responses (media types, headers, schemas),
/// with every referenced schema included once under `schemas`.
pub fn operation_shape(doc: &Value, path: &str, method: &str) -> Value {
    let item = doc
        .get("paths")
        .and_then(|p| p.get(path))
        .unwrap_or_else(|| panic!("no path {path}"));
    let op = item
        .get(method)
        .unwrap_or_else(|| panic!("no {method} {path}"));
    let mut named = BTreeMap::new();
    let mut params = Map::new();
    let all_params = item
        .get("parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .chain(
            op.get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        );
    for p in all_params {
        let p = deref(doc, p);
        let key = format!(
            "{} ({})",
            p.get("name").and_then(Value::as_str).unwrap_or("?"),
            p.get("in").and_then(Value::as_str).unwrap_or("?")
        );
        let schema = p
            .get("schema")
            .map(|s| schema_shape(doc, s, &mut named))
            .unwrap_or(Value::Null);
        params.insert(
            key,
            json!({ "required": p.get("required").cloned().unwrap_or(json!(false)), "schema": schema }),
        );
    }
    let body = op.get("requestBody").map(|b| {
        let b = deref(doc, b);
        json!({
            "required": b.get("required").cloned().unwrap_or(json!(false)),
            "content": content_shape(doc, b.get("content"), &mut named),
        })
    });
    let mut responses = Map::new();
    if let Some(rs) = op.get("responses").and_then(Value::as_object) {
        for (status, r) in rs {
            let r = deref(doc, r);
            let headers: Map<String, Value> = r
                .get("headers")
                .and_then(Value::as_object)
                .map(|h| {
                    h.iter()
                        .map(|(k, v)| {
                            let v = deref(doc, v);
                            let s = v
                                .get("schema")
                                .map(|s| schema_shape(doc, s, &mut named))
                                .unwrap_or(Value::Null);
                            (k.clone(), s)
                        })
                        .collect()
                })
                .unwrap_or_default();
            responses.insert(
                status.clone(),
                json!({ "content": content_shape(doc, r.get("content"), &mut named), "headers": headers }),
            );
        }
    }
    let security_schemes = doc
        .pointer("/components/securitySchemes")
        .cloned()
        .map(|mut s| {
            strip_prose(&mut s);
            s
        })
        .unwrap_or(Value::Null);
    json!({
        "path": path,
        "method": method,
        "operationId": op.get("operationId"),
        (OPERATION_ID_OVERRIDE): op.get(OPERATION_ID_OVERRIDE),
        "tags": op.get("tags"),
        "security": op.get("security").or_else(|| doc.get("security")),
        "securitySchemes": security_schemes,
        "servers": doc.get("servers").map(|s| s.as_array().map(|a| a.iter().map(|x| x.get("url").cloned()).collect::<Vec<_>>())),
        "parameters": params,
        "requestBody": body,
        "responses": responses,
        "schemas": named,
    })
}

fn strip_prose(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.remove("description");
            for v in map.values_mut() {
                strip_prose(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_prose),
        _ => {}
    }
}

/// Lists the JSON pointers at which two values differ (empty when equal).
pub fn differences(left: &Value, right: &Value) -> Vec<String> {
    fn walk(l: &Value, r: &Value, at: String, out: &mut Vec<String>) {
        match (l, r) {
            (Value::Object(a), Value::Object(b)) => {
                let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for k in keys {
                    let here = format!("{at}/{k}");
                    match (a.get(k), b.get(k)) {
                        (Some(x), Some(y)) => walk(x, y, here, out),
                        (x, y) => out.push(format!("{here}: {} vs {}", show(x), show(y))),
                    }
                }
            }
            _ if l == r => {}
            _ => out.push(format!("{at}: {l} vs {r}")),
        }
    }
    fn show(v: Option<&Value>) -> String {
        v.map_or_else(|| "(absent)".to_owned(), Value::to_string)
    }
    let mut out = Vec::new();
    walk(left, right, String::new(), &mut out);
    out
}

pub mod differential;
pub mod fake_github;
pub mod full_crate;
pub mod instances;
pub mod layers;
pub mod roundtrip;

/// A client of the generated crate for a test server: bearer token
/// `test-token`, no retries (tests that count requests need every one).
pub fn test_client(base_url: &str) -> atlas_admin_api::Client {
    atlas_admin_api::Client::builder()
        .base_url(base_url)
        .auth(atlas_admin_api::Auth::bearer("test-token"))
        .retry(atlas_admin_api::RetryPolicy::none())
        .build()
        .expect("client builds")
}

/// A wiremock responder that answers each request with the next template;
/// the last one repeats (a job that goes Queued, InProgress, Successful).
pub struct Sequence {
    templates: Vec<wiremock::ResponseTemplate>,
    next: std::sync::atomic::AtomicUsize,
}

impl Sequence {
    /// Answers with `templates` in order (at least one).
    pub fn new(templates: Vec<wiremock::ResponseTemplate>) -> Self {
        Self {
            templates,
            next: std::sync::atomic::AtomicUsize::new(0),
        }
    }
}

impl wiremock::Respond for Sequence {
    fn respond(&self, _: &wiremock::Request) -> wiremock::ResponseTemplate {
        let i = self.next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.templates[i.min(self.templates.len() - 1)].clone()
    }
}

/// Every Rust snippet of the README, compiled (and run where it does not
/// reach the network) as a doctest of this crate, so the README stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
