//! YAML or JSON text into a JSON tree ([`parse_text`]): syntax errors with
//! their line and column, repeated keys refused, YAML read straight into
//! JSON values. Below everything that reads a document (`load`, `overlay`,
//! `atlascli`); it imports only the diagnostics.

use std::path::Path;

use crate::diag::{Diagnostic, Failure, Pointer};

/// The JSON type of a value, for messages.
pub(crate) fn json_type(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(n) if n.is_f64() => "number",
        serde_json::Value::Number(_) => "integer",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

fn looks_like_json(file: &Path, text: &str) -> bool {
    file.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{')
}

/// Parses YAML or JSON text into a JSON tree, with no check of what it
/// holds: syntax errors carry line and column, repeated keys are errors.
/// `file` only labels diagnostics.
pub fn parse_text(file: &Path, text: &str) -> Result<serde_json::Value, Failure> {
    let syntax_error = |what: &str, msg: String, line_col: Option<(usize, usize)>| {
        let msg = if msg.contains("recursion limit exceeded") {
            format!("the document nests deeper than the parser allows (128 levels): {msg}")
        } else {
            msg
        };
        let mut d = Diagnostic::error(
            file,
            &Pointer::root(),
            format!("{what} syntax error: {msg}"),
        );
        d.line_col = line_col;
        Failure::single(d)
    };
    if looks_like_json(file, text) {
        serde_json::from_str(text)
            .map_err(|err| syntax_error("JSON", err.to_string(), Some((err.line(), err.column()))))
    } else {
        serde::de::DeserializeSeed::deserialize(
            strict_json::Seed,
            serde_yaml::Deserializer::from_str(text),
        )
        .map_err(|err| {
            let line_col = err.location().map(|l| (l.line(), l.column()));
            syntax_error("YAML", err.to_string(), line_col)
        })
    }
}

/// YAML read straight into JSON values, without an intermediate YAML tree:
/// scalar keys (`200:`) become strings, a tagged value (`!tag v`) is its
/// value, and a key that repeats is an error.
mod strict_json {
    use std::fmt;

    use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Number, Value};

    /// Reads one value.
    pub struct Seed;

    impl<'de> DeserializeSeed<'de> for Seed {
        type Value = Value;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(ValueVisitor)
        }
    }

    struct ValueVisitor;

    impl<'de> Visitor<'de> for ValueVisitor {
        type Value = Value;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any YAML value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(Number::from_f64(v).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_owned()))
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_none<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_some<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            Seed.deserialize(d)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
            while let Some(item) = seq.next_element_seed(Seed)? {
                items.push(item);
            }
            Ok(Value::Array(items))
        }
        fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
            // A YAML tag: keep the tagged value.
            let (_tag, value) = data.variant::<de::IgnoredAny>()?;
            de::VariantAccess::newtype_variant_seed(value, Seed)
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = Map::new();
            while let Some(key) = map.next_key_seed(KeySeed)? {
                if out.contains_key(&key) {
                    return Err(de::Error::custom(format!(
                        "duplicate entry with key {key:?}"
                    )));
                }
                let value = map.next_value_seed(Seed)?;
                out.insert(key, value);
            }
            Ok(Value::Object(out))
        }
    }

    /// A mapping key: a string, or a number or boolean as its text.
    struct KeySeed;

    impl<'de> DeserializeSeed<'de> for KeySeed {
        type Value = String;
        fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
            d.deserialize_any(KeyVisitor)
        }
    }

    struct KeyVisitor;

    impl Visitor<'_> for KeyVisitor {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string, number or boolean mapping key")
        }
        fn visit_bool<E>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E>(self, v: f64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_str<E>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
    }
}
