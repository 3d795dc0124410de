//! What a decoded-and-encoded-again value lost of the instance.

use atlas_codegen::rules::escape_token;
use serde_json::Value;

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
