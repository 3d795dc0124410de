//! Request-body templates (`atlas-api ... --body-template`): a JSON body
//! for an operation, made at codegen time from its request type, ready to
//! edit and send back with `--file`.
//!
//! An object lists its required properties first, each with a value, then
//! the optional ones the spec gives an example for; the rest are left out
//! (the type's docs name them). A value is the property's example when the
//! spec has one, else the first value of an enum, the first variant of a
//! union (a tagged one with its tag), one item for a list, and an empty or
//! zero value for the rest. A required string that must match a pattern
//! and has no example gets an empty string, which the body check then
//! names: the template never pretends to know a value it does not.

use serde_json::Value;

use crate::ir::*;

/// How deep the template follows nested objects (a type that holds itself
/// through required fields cannot be written out at all).
const MAX_DEPTH: usize = 12;

/// A template value: objects keep their properties in the order chosen
/// here (required first), which a JSON map would not.
enum Tpl {
    Leaf(Value),
    Object(Vec<(String, Tpl)>),
    Array(Vec<Tpl>),
}

impl Tpl {
    fn insert(&mut self, key: &str, value: Tpl) {
        if let Tpl::Object(fields) = self {
            fields.retain(|(k, _)| k != key);
            fields.insert(0, (key.to_owned(), value));
        }
    }

    /// Indented JSON, two spaces a level, as `serde_json` indents.
    fn write(&self, out: &mut String, indent: usize) {
        let pad = |n: usize| "  ".repeat(n);
        match self {
            Tpl::Leaf(value) => {
                let text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "null".into());
                out.push_str(&text.replace('\n', &format!("\n{}", pad(indent))));
            }
            Tpl::Object(fields) if fields.is_empty() => out.push_str("{}"),
            Tpl::Array(items) if items.is_empty() => out.push_str("[]"),
            Tpl::Object(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(&pad(indent + 1));
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push_str(": ");
                    value.write(out, indent + 1);
                }
                out.push('\n');
                out.push_str(&pad(indent));
                out.push('}');
            }
            Tpl::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i == 0 { "\n" } else { ",\n" });
                    out.push_str(&pad(indent + 1));
                    item.write(out, indent + 1);
                }
                out.push('\n');
                out.push_str(&pad(indent));
                out.push(']');
            }
        }
    }
}

/// The body template of `op` (indented JSON), if it has a JSON body.
pub fn body_template(api: &Api, op: &Operation) -> Option<String> {
    let body = op.body.as_ref()?;
    if !crate::rules::is_json_media(&body.media_type) {
        return None;
    }
    let mut out = String::new();
    value_of(api, &body.ty, None, 0).write(&mut out, 0);
    Some(out)
}

fn value_of(api: &Api, ty: &Type, example: Option<&Value>, depth: usize) -> Tpl {
    if let Some(example) = example {
        return Tpl::Leaf(example.clone());
    }
    if depth > MAX_DEPTH {
        return Tpl::Leaf(Value::Null);
    }
    let leaf = |v: Value| Tpl::Leaf(v);
    match ty {
        Type::String | Type::Newtype(_) | Type::Text => leaf(Value::String(String::new())),
        Type::Bool => leaf(Value::Bool(false)),
        Type::I64 | Type::F64 => leaf(Value::from(0)),
        Type::DateTime => leaf(Value::String("1970-01-01T00:00:00Z".to_owned())),
        Type::Date => leaf(Value::String("1970-01-01".to_owned())),
        Type::Json | Type::Untyped | Type::Binary => leaf(Value::Null),
        Type::JsonObject | Type::Map(_) => Tpl::Object(Vec::new()),
        Type::Vec(inner) => Tpl::Array(vec![value_of(api, inner, None, depth + 1)]),
        Type::Nullable(inner) => value_of(api, inner, None, depth),
        Type::Named(name) => named(api, name, depth),
    }
}

fn named(api: &Api, name: &str, depth: usize) -> Tpl {
    match api.types.get(name) {
        Some(TypeDef::Struct(def)) => {
            let mut fields = Vec::new();
            if let Some(tag) = &def.tag {
                fields.push((
                    tag.property.clone(),
                    Tpl::Leaf(Value::String(tag.value.clone())),
                ));
            }
            for field in def.fields.iter().filter(|f| f.required) {
                let value = value_of(api, &field.ty, field.example.as_ref(), depth + 1);
                fields.push((field.wire_name.clone(), value));
            }
            for field in def.fields.iter().filter(|f| !f.required) {
                if let Some(example) = &field.example {
                    fields.push((field.wire_name.clone(), Tpl::Leaf(example.clone())));
                }
            }
            Tpl::Object(fields)
        }
        Some(TypeDef::Enum(def)) => Tpl::Leaf(
            def.variants
                .first()
                .map_or(Value::Null, |v| Value::String(v.wire.clone())),
        ),
        Some(TypeDef::Union(def)) => match def.variants.first() {
            Some(variant) => {
                let mut value = value_of(api, &variant.ty, None, depth + 1);
                if let (Some(property), Some(tag)) = (&def.discriminator, variant.tags.first()) {
                    value.insert(property, Tpl::Leaf(Value::String(tag.clone())));
                }
                value
            }
            None => Tpl::Leaf(Value::Null),
        },
        Some(TypeDef::Alias(def)) => named(api, &def.target, depth),
        Some(TypeDef::Wrapper(def)) => value_of(api, &def.ty, None, depth + 1),
        None => Tpl::Leaf(Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    const SPEC: &str = r##"
openapi: 3.0.1
info: { title: t, version: '1' }
paths:
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: '#/components/schemas/Thing' }
      responses:
        '204': { description: ok }
components:
  schemas:
    Thing:
      type: object
      required: [size, name, kind, parts]
      properties:
        note: { type: string, example: a note }
        extra: { type: string }
        id: { type: string, readOnly: true, example: 'x' }
        name: { type: string, pattern: '^[a-z]+$', example: thing }
        size: { type: integer }
        kind: { type: string, enum: [BIG, SMALL] }
        parts:
          type: array
          items:
            type: object
            required: [on]
            properties:
              on: { type: boolean }
"##;

    #[test]
    fn required_fields_come_first_with_examples_and_first_values() {
        let spec = crate::load::parse(Path::new("t.yaml"), SPEC).expect("parses");
        let lowered = crate::lower::lower(&spec).expect("lowers");
        let op = &lowered.api.operations[0];
        let text = super::body_template(&lowered.api, op).expect("a JSON body");
        // Required in field order (the generated type's), then the
        // optional `note`, which has an example; no read-only `id`, no
        // `extra`.
        assert_eq!(
            text,
            r#"{
  "kind": "BIG",
  "name": "thing",
  "parts": [
    {
      "on": false
    }
  ],
  "size": 0,
  "note": "a note"
}"#
        );
    }
}
