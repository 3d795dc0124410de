//! Round-trip tests of a generated crate, written as a Rust test file into
//! it: every example of the spec decodes into its generated type, and
//! values generated from the IR survive decode -> encode -> decode.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use atlas_codegen::emit::type_path;
use atlas_codegen::ir::{Api, Type, TypeDef, View};
use serde_json::{json, Map, Value};

/// A small deterministic generator (xorshift): reproducible test data
/// without a dependency. The seed must not be zero.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    /// One of `items` (which must not be empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A JSON value of type `ty`, or `None` where none can be made (a validated
/// string, whose pattern a random string would not match).
pub fn random_value(api: &Api, ty: &Type, rng: &mut Rng, depth: usize) -> Option<Value> {
    if depth > 6 {
        return None;
    }
    Some(match ty {
        Type::String | Type::Text => json!(["", "x", "Cluster0", "é ü", "a\"b\\c"][rng.below(5)]),
        Type::Bool => json!(rng.chance(50)),
        Type::I64 => json!([0i64, -1, 42, i64::from(i32::MAX) + 1, i64::MIN][rng.below(5)]),
        Type::F64 => json!([0.5, -3.25, 1e10, 42.0][rng.below(4)]),
        Type::DateTime => json!(format!(
            "2025-0{}-1{}T09:42:0{}Z",
            1 + rng.below(9),
            rng.below(10),
            rng.below(10)
        )),
        Type::Date => json!(format!("2024-1{}-2{}", rng.below(3), rng.below(9))),
        Type::Json => json!({ "any": [1, "two", null] }),
        Type::JsonObject => json!({ "k": 1 }),
        Type::Binary | Type::Newtype(_) => return None,
        Type::Vec(inner) => {
            let n = rng.below(3);
            Value::Array(
                (0..n)
                    .filter_map(|_| random_value(api, inner, rng, depth + 1))
                    .collect(),
            )
        }
        Type::Map(inner) => {
            let mut map = Map::new();
            for i in 0..rng.below(3) {
                if let Some(v) = random_value(api, inner, rng, depth + 1) {
                    map.insert(format!("key{i}"), v);
                }
            }
            Value::Object(map)
        }
        Type::Named(name) => return random_named(api, name, rng, depth),
        Type::Nullable(inner) => {
            if rng.chance(20) {
                Value::Null
            } else {
                return random_value(api, inner, rng, depth);
            }
        }
        Type::Untyped => json!({ "anything": true }),
    })
}

fn random_named(api: &Api, name: &str, rng: &mut Rng, depth: usize) -> Option<Value> {
    match api.types.get(name)? {
        TypeDef::Enum(e) => {
            if e.variants.is_empty() || rng.chance(10) {
                Some(json!("A_VALUE_THE_SPEC_DOES_NOT_LIST"))
            } else {
                Some(json!(e.variants[rng.below(e.variants.len())].wire))
            }
        }
        TypeDef::Alias(a) => random_named(api, &a.target, rng, depth),
        TypeDef::Wrapper(w) => random_value(api, &w.ty, rng, depth + 1),
        TypeDef::Struct(s) => {
            let mut object = Map::new();
            for f in &s.fields {
                let nullable_allowed =
                    f.nullable || (!f.required && s.view == Some(View::Response));
                if !f.required && rng.chance(40) {
                    continue;
                }
                if nullable_allowed && f.nullable && rng.chance(15) {
                    object.insert(f.wire_name.clone(), Value::Null);
                    continue;
                }
                match random_value(api, &f.ty, rng, depth + 1) {
                    Some(v) => {
                        object.insert(f.wire_name.clone(), v);
                    }
                    None if f.required => return None,
                    None => {}
                }
            }
            Some(Value::Object(object))
        }
        TypeDef::Union(u) => {
            let Some(prop) = &u.discriminator else {
                let first = u.variants.first()?;
                return random_value(api, &first.ty, rng, depth + 1);
            };
            if u.variants.is_empty() || rng.chance(10) {
                return Some(json!({ prop: "A_KIND_THE_SPEC_DOES_NOT_LIST", "extra": 1 }));
            }
            let variant = &u.variants[rng.below(u.variants.len())];
            let tag = variant
                .tags
                .get(rng.below(variant.tags.len().max(1)))?
                .clone();
            let mut value = random_value(api, &variant.ty, rng, depth + 1)?;
            if let Value::Object(map) = &mut value {
                map.insert(prop.clone(), json!(tag));
            }
            Some(value)
        }
    }
}

fn rust_str(text: &str) -> String {
    // A raw string literal with enough `#`s.
    let mut hashes = String::from("#");
    while text.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    format!("r{hashes}\"{text}\"{hashes}")
}

/// Writes the test file: returns its source and the number of example and
/// generated cases.
pub fn test_source(
    api: &Api,
    crate_name: &str,
    sample_types: usize,
    values_per_type: usize,
) -> (String, usize, usize) {
    let models = format!("{crate_name}::models");
    let mut examples = String::new();
    let mut n_examples = 0;
    for ex in &api.examples {
        let ty = type_path(&ex.ty, &models);
        // YAML writers print large integers in float notation (`3e+06`):
        // the generated types take an integral float for an integer.
        let json = serde_json::to_string(&ex.value).unwrap_or_default();
        let _ = writeln!(
            examples,
            "        ({:?}, check::<{ty}>, {}),",
            ex.pointer,
            rust_str(&json)
        );
        n_examples += 1;
    }
    // A deterministic sample of types, spread over the alphabet.
    let names: Vec<&String> = api.types.keys().collect();
    let step = (names.len() / sample_types.max(1)).max(1);
    let mut rng = Rng(0x0dd_ba11_cafe_f00d);
    let mut generated = String::new();
    let mut n_generated = 0;
    let mut done = BTreeSet::new();
    for name in names.iter().step_by(step) {
        let ty = Type::Named((*name).clone());
        for _ in 0..values_per_type {
            let Some(value) = random_value(api, &ty, &mut rng, 0) else {
                continue;
            };
            let json = serde_json::to_string(&value).unwrap_or_default();
            if !done.insert((name.to_string(), json.clone())) {
                continue;
            }
            let path = type_path(&ty, &models);
            let _ = writeln!(
                generated,
                "        ({name:?}, check::<{path}>, {}),",
                rust_str(&json)
            );
            n_generated += 1;
        }
    }
    let source = format!(
        r#"//! Written by the atlas-tests round-trip harness: do not edit.
#![allow(clippy::all)]

type Check = fn(&str) -> Result<(), String>;

/// Decodes (strictly: the examples and values must match the spec's
/// types), encodes and decodes again; the two decoded values must be equal.
fn check<T: {crate_name}::runtime::Decode + serde::Serialize + PartialEq + std::fmt::Debug>(json: &str) -> Result<(), String> {{
    use {crate_name}::runtime::{{serde_helpers::{{decode_slice, with_options}}, DecodeOptions}};
    let decode = |text: &str| with_options(DecodeOptions::STRICT, || decode_slice::<T>(text.as_bytes()));
    let first: T = decode(json).map_err(|e| format!("does not decode: {{e}}"))?;
    let encoded = serde_json::to_string(&first).map_err(|e| format!("does not encode: {{e}}"))?;
    let second: T = decode(&encoded).map_err(|e| format!("does not decode again: {{e}}: {{encoded}}"))?;
    if first != second {{
        return Err(format!("changed in the round trip: {{first:?}} vs {{second:?}}"));
    }}
    Ok(())
}}

fn run(cases: &[(&str, Check, &str)]) {{
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(at, check, json)| check(json).err().map(|e| format!("{{at}}: {{e}}\n    {{json}}")))
        .collect();
    assert!(failures.is_empty(), "{{}} of {{}} failed:\n{{}}", failures.len(), cases.len(), failures.join("\n"));
}}

#[test]
fn spec_examples_decode_and_round_trip() {{
    let cases: &[(&str, Check, &str)] = &[
{examples}    ];
    run(cases);
}}

#[test]
fn generated_values_round_trip() {{
    let cases: &[(&str, Check, &str)] = &[
{generated}    ];
    run(cases);
}}
"#
    );
    (source, n_examples, n_generated)
}
