//! A spec as a plain JSON tree ([`Document`]): reading it, writing it back
//! as YAML, its operations ([`operations`]) and the names nearest an unknown
//! one ([`closest_names`]). The bottom of the spec tools: `extract`,
//! `merge` and `diff` build on it.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::diag::{Diagnostic, Failure, Pointer};
use crate::extensions;

/// The HTTP methods a path item can hold, in the order they are listed.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// A spec read as a JSON tree, with the file it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The file, for diagnostics.
    pub file: PathBuf,
    /// The whole document.
    pub root: Value,
}

/// Reads `path` (YAML or JSON) into a [`Document`].
pub fn read_document(path: &Path) -> Result<Document, Failure> {
    parse_document(path, &crate::load::read_text(path)?)
}

/// Parses spec text into a [`Document`]; `file` only labels diagnostics.
/// Checks that it is an OpenAPI 3.0 document with a `paths` mapping.
pub fn parse_document(file: &Path, text: &str) -> Result<Document, Failure> {
    let error = |pointer: &Pointer, message: String| {
        Failure::single(Diagnostic::error(file, pointer, message))
    };
    let root = crate::load::parse_value(file, text)?;
    if !root.get("paths").is_some_and(Value::is_object) {
        return Err(error(
            &Pointer::root().join("paths"),
            "expected a `paths` mapping".to_owned(),
        ));
    }
    Ok(Document {
        file: file.to_owned(),
        root,
    })
}

/// Writes a document as YAML: the usual top-level keys first (`openapi`,
/// `info`, `servers`, `security`, `tags`, `externalDocs`, `paths`,
/// `components`), then any others; every nested mapping sorted by key. The
/// same tree always gives the same text. Strings are written plain only when
/// no YAML 1.1 or 1.2 reader can take them for anything else (so
/// `2024-05-30`, `2.0`, `yes` and `200` stay strings), as block literals when
/// they span lines, and double-quoted otherwise.
pub fn to_yaml(file: &Path, root: &Value) -> Result<String, Failure> {
    const FIRST: [&str; 8] = [
        "openapi",
        "info",
        "servers",
        "security",
        "tags",
        "externalDocs",
        "paths",
        "components",
    ];
    let Some(map) = root.as_object() else {
        return Err(Failure::single(Diagnostic::error(
            file,
            &Pointer::root(),
            "expected a mapping at the top level",
        )));
    };
    let rest = map.keys().filter(|k| !FIRST.contains(&k.as_str()));
    let mut out = String::new();
    for key in FIRST.iter().copied().chain(rest.map(String::as_str)) {
        if let Some(value) = map.get(key) {
            emit_entry(key, value, 0, &mut out);
        }
    }
    Ok(out)
}

/// Whether a string can be written as a plain scalar and read back as the
/// same string by any YAML reader.
fn plain_ok(s: &str) -> bool {
    const WORDS: [&str; 12] = [
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~", "nan", "inf",
    ];
    let Some(first) = s.chars().next() else {
        return false;
    };
    (first.is_ascii_alphabetic() || first == '/' || first == '_' || first == '$')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _./(){}$+-,=".contains(c))
        && !s.ends_with(' ')
        && !s.contains("  ")
        && !WORDS.contains(&s.to_ascii_lowercase().trim_start_matches('.'))
}

fn quoted(s: &str) -> String {
    // A JSON string is a valid YAML double-quoted scalar.
    Value::String(s.to_owned()).to_string()
}

fn scalar_key(s: &str) -> String {
    if plain_ok(s) {
        s.to_owned()
    } else {
        quoted(s)
    }
}

fn emit_scalar(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::String(s) => {
            let block = s.contains('\n')
                && !s.starts_with([' ', '\n'])
                && !s.chars().any(|c| c.is_control() && c != '\n')
                && !s.split('\n').any(|l| l.ends_with(' '));
            if plain_ok(s) {
                out.push_str(s);
            } else if block {
                let trailing = s.len() - s.trim_end_matches('\n').len();
                out.push_str(match trailing {
                    0 => "|-",
                    1 => "|",
                    _ => "|+",
                });
                let pad = " ".repeat(indent + 2);
                let body = if trailing >= 1 {
                    &s[..s.len() - 1]
                } else {
                    s.as_str()
                };
                for line in body.split('\n') {
                    out.push('\n');
                    if !line.is_empty() {
                        out.push_str(&pad);
                        out.push_str(line);
                    }
                }
            } else {
                out.push_str(&quoted(s));
            }
        }
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        other => out.push_str(&other.to_string()),
    }
}

fn is_nested(value: &Value) -> bool {
    match value {
        Value::Object(m) => !m.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => false,
    }
}

fn emit_entry(key: &str, value: &Value, indent: usize, out: &mut String) {
    out.push_str(&" ".repeat(indent));
    out.push_str(&scalar_key(key));
    out.push(':');
    if is_nested(value) {
        out.push('\n');
        emit_nested(value, indent + 2, out);
    } else {
        out.push(' ');
        emit_scalar(value, indent, out);
        out.push('\n');
    }
}

fn emit_nested(value: &Value, indent: usize, out: &mut String) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                emit_entry(k, v, indent, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                if is_nested(item) {
                    // The item's first line goes after the dash.
                    let mut inner = String::new();
                    emit_nested(item, indent + 2, &mut inner);
                    out.push_str(inner.get(indent + 2..).unwrap_or(""));
                } else {
                    emit_scalar(item, indent + 2, out);
                    out.push('\n');
                }
            }
        }
        other => {
            out.push_str(&" ".repeat(indent));
            emit_scalar(other, indent, out);
            out.push('\n');
        }
    }
}

/// One operation of a document.
#[derive(Debug, Clone, Copy)]
pub struct OperationEntry<'a> {
    /// The path template.
    pub path: &'a str,
    /// The method key (`get`, `post`, ...).
    pub method: &'a str,
    /// The `operationId`, if any.
    pub operation_id: Option<&'a str>,
    /// The `x-xgen-operation-id-override`, if any.
    pub short_override: Option<&'a str>,
    /// The path item holding the operation.
    pub item: &'a Value,
    /// The operation object.
    pub op: &'a Value,
}

impl<'a> OperationEntry<'a> {
    /// The short name: the override, else the `operationId`, else
    /// `METHOD path`.
    pub fn short_name(&self) -> String {
        self.short_override
            .or(self.operation_id)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{} {}", self.method.to_uppercase(), self.path))
    }

    /// The JSON pointer of the operation object.
    pub fn pointer(&self) -> Pointer {
        Pointer::root()
            .join("paths")
            .join(self.path)
            .join(self.method)
    }

    /// Whether `name` is this operation's short name or its `operationId`.
    pub fn is_named(&self, name: &str) -> bool {
        self.short_override == Some(name) || self.operation_id == Some(name)
    }
}

/// Every operation of `root`, by path (in document order) and then by
/// [`METHODS`] order.
pub fn operations(root: &Value) -> Vec<OperationEntry<'_>> {
    let mut out = Vec::new();
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(method).filter(|op| op.is_object()) else {
                continue;
            };
            out.push(OperationEntry {
                path,
                method,
                operation_id: op.get("operationId").and_then(Value::as_str),
                short_override: extensions::operation_id_override(op),
                item,
                op,
            });
        }
    }
    out
}

/// Up to `limit` of `candidates` closest to `wanted`: names containing it
/// (or contained in it) first, then by edit distance; ties by name.
pub fn closest_names<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<String> {
    let lower = wanted.to_lowercase();
    let mut scored: Vec<(usize, usize, &str)> = candidates
        .into_iter()
        .map(|c| {
            let cl = c.to_lowercase();
            let contains = usize::from(!(cl.contains(&lower) || lower.contains(&cl)));
            (contains, strsim::levenshtein(&lower, &cl), c)
        })
        .collect();
    scored.sort_unstable();
    scored.dedup_by(|a, b| a.2 == b.2);
    scored
        .into_iter()
        .take(limit)
        .map(|(_, _, c)| c.to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_names_prefers_substrings_then_edit_distance() {
        let names = [
            "createBackupExport",
            "getBackupExport",
            "listBackupExports",
            "createExportBucket",
            "deleteCluster",
        ];
        assert_eq!(
            closest_names("createBackupExprt", names, 3),
            ["createBackupExport", "getBackupExport", "listBackupExports"]
        );
        assert_eq!(
            closest_names("BackupExport", names, 2),
            ["getBackupExport", "listBackupExports"]
        );
        assert_eq!(strsim::levenshtein("kitten", "sitting"), 3);
        assert_eq!(strsim::levenshtein("", "abc"), 3);
    }

    #[test]
    fn parsing_keeps_numeric_keys_as_strings_and_checks_the_version() {
        let doc = parse_document(
            Path::new("t.yaml"),
            "openapi: 3.0.1\npaths:\n  /a:\n    get:\n      responses:\n        200:\n          description: ok\n",
        )
        .expect("parses");
        assert!(doc.root.pointer("/paths/~1a/get/responses/200").is_some());
        let err = parse_document(Path::new("t.yaml"), "openapi: 3.1.0\npaths: {}\n")
            .expect_err("3.1 is refused");
        assert_eq!(err.diagnostics[0].pointer.to_string(), "#/openapi");
        let err = parse_document(Path::new("t.yaml"), "openapi: 3.0.1\n").expect_err("no paths");
        assert_eq!(err.diagnostics[0].pointer.to_string(), "#/paths");
    }

    #[test]
    fn yaml_output_is_ordered_and_round_trips() {
        let root = serde_json::json!({
            "paths": {"/b": {}, "/a": {}},
            "openapi": "3.0.1",
            "x-extra": true,
            "info": {"version": "2.0", "title": "t"},
            "components": {"responses": {"200": {"description": "on"}}},
            "x-values": ["2024-05-30", "2.0", "yes", "", " lead", "a: b", "#c", "line\nnext\n",
                "two\n\n", "trail \nx", "tab\there", "ünï", [], {}, [[1, 2], {"a": [true, null]}], 1.5,
                {"nested": {"k": "v"}, "list": [{"a": 1, "b": 2}]}]
        });
        let text = to_yaml(Path::new("t.yaml"), &root).expect("writes");
        let keys: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with(' ') && !l.is_empty())
            .map(|l| l.split(':').next().unwrap_or(""))
            .collect();
        assert_eq!(
            keys,
            [
                "openapi",
                "info",
                "paths",
                "components",
                "x-extra",
                "x-values"
            ]
        );
        assert!(text.contains("- \"2024-05-30\"\n"), "{text}");
        assert!(text.contains("- |\n      line\n      next\n"), "{text}");
        let back = parse_document(Path::new("t.yaml"), &text).expect("parses");
        assert_eq!(back.root, root);
    }
}
