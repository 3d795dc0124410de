//! Stage 1: read a spec file (YAML or JSON) into `openapiv3` types.

use std::path::{Path, PathBuf};

use openapiv3::OpenAPI;

use crate::diag::{Diagnostic, Failure, Pointer};

/// A parsed spec and the file it came from.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The file, for diagnostics.
    pub file: PathBuf,
    /// The document.
    pub api: OpenAPI,
}

/// Reads and parses `path`.
pub fn load(path: &Path) -> Result<Spec, Failure> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        Failure::single(Diagnostic::error(
            path,
            &Pointer::root(),
            format!("cannot read the spec: {err}"),
        ))
    })?;
    parse(path, &text)
}

/// Parses spec text; `file` only labels diagnostics.
pub fn parse(file: &Path, text: &str) -> Result<Spec, Failure> {
    let value = parse_tree(file, text)?;
    check_version(file, &value)?;
    let api: OpenAPI = serde_path_to_error::deserialize(value).map_err(|err| {
        let pointer = path_to_pointer(err.path());
        Failure::single(Diagnostic::error(
            file,
            &pointer,
            format!("not a valid OpenAPI 3.0 document: {}", err.inner()),
        ))
    })?;
    Ok(Spec {
        file: file.to_owned(),
        api,
    })
}

fn looks_like_json(file: &Path, text: &str) -> bool {
    file.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
        || text.trim_start().starts_with('{')
}

fn parse_tree(file: &Path, text: &str) -> Result<serde_json::Value, Failure> {
    let syntax_error = |what: &str, msg: String, line_col: Option<(usize, usize)>| {
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
        let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|err| {
            let line_col = err.location().map(|l| (l.line(), l.column()));
            syntax_error("YAML", err.to_string(), line_col)
        })?;
        yaml_to_json(yaml).map_err(|msg| syntax_error("YAML", msg, None))
    }
}

/// Converts YAML to JSON values; scalar keys (`200:`) become strings.
fn yaml_to_json(value: serde_yaml::Value) -> Result<serde_json::Value, String> {
    use serde_yaml::Value as Y;
    Ok(match value {
        Y::Null => serde_json::Value::Null,
        Y::Bool(b) => serde_json::Value::Bool(b),
        Y::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into()
            } else if let Some(u) = n.as_u64() {
                u.into()
            } else {
                n.as_f64()
                    .and_then(serde_json::Number::from_f64)
                    .map_or(serde_json::Value::Null, serde_json::Value::Number)
            }
        }
        Y::String(s) => serde_json::Value::String(s),
        Y::Sequence(items) => serde_json::Value::Array(
            items
                .into_iter()
                .map(yaml_to_json)
                .collect::<Result<_, _>>()?,
        ),
        Y::Mapping(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s,
                    Y::Number(n) => n.to_string(),
                    Y::Bool(b) => b.to_string(),
                    other => return Err(format!("unsupported mapping key {other:?}")),
                };
                out.insert(key, yaml_to_json(v)?);
            }
            serde_json::Value::Object(out)
        }
        Y::Tagged(tagged) => yaml_to_json(tagged.value)?,
    })
}

fn check_version(file: &Path, value: &serde_json::Value) -> Result<(), Failure> {
    let fail = |pointer: Pointer, msg: String| {
        Err(Failure::single(Diagnostic::error(file, &pointer, msg)))
    };
    let Some(map) = value.as_object() else {
        return fail(
            Pointer::root(),
            "expected an OpenAPI document (a mapping at the top level)".to_owned(),
        );
    };
    match map.get("openapi") {
        Some(serde_json::Value::String(v)) if v.starts_with("3.0.") || v == "3.0" => Ok(()),
        Some(serde_json::Value::String(v)) => fail(
            Pointer::root().join("openapi"),
            format!("unsupported OpenAPI version {v:?}: this generator reads OpenAPI 3.0.x"),
        ),
        Some(other) => fail(
            Pointer::root().join("openapi"),
            format!("expected the OpenAPI version as a string such as \"3.0.1\", found {other}"),
        ),
        None if map.contains_key("swagger") => fail(
            Pointer::root().join("swagger"),
            "this is a Swagger 2.0 document: unsupported version, convert it to OpenAPI 3.0 first"
                .to_owned(),
        ),
        None => fail(
            Pointer::root(),
            "not an OpenAPI document: the top-level `openapi` field is missing".to_owned(),
        ),
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> Pointer {
    use serde_path_to_error::Segment;
    let mut pointer = Pointer::root();
    for segment in path.iter() {
        pointer = match segment {
            Segment::Seq { index } => pointer.join(index.to_string()),
            Segment::Map { key } => pointer.join(key),
            Segment::Enum { variant } => pointer.join(variant),
            Segment::Unknown => pointer,
        };
    }
    pointer
}
