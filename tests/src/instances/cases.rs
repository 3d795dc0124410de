//! The documented responses of every generated operation, and instances
//! of each.

use std::collections::BTreeSet;

use atlas_codegen::rules::{escape_token, is_json_media};
use serde_json::Value;

use super::{deref, deref_at, Generator, Mode};

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
