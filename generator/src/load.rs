//! Stage 1: read a spec file (YAML or JSON) into `openapiv3` types.

use std::path::{Path, PathBuf};

use openapiv3::OpenAPI;
use serde::Deserialize as _;

use crate::diag::{Diagnostic, Failure, Pointer, WarningCode};
use crate::parse::json_type;
pub use crate::parse::parse_text;

/// A parsed spec and the file it came from.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The file, for diagnostics.
    pub file: PathBuf,
    /// The document.
    pub api: OpenAPI,
    /// What the raw document says that `openapiv3` would drop silently
    /// (an empty `enum`, for example).
    pub warnings: Vec<Diagnostic>,
    /// Our corrections ([`crate::corrections`]) that changed this spec.
    pub corrections: Vec<crate::corrections::Applied>,
}

/// Reads and parses `path`.
pub fn load(path: &Path) -> Result<Spec, Failure> {
    parse(path, &read_text(path)?)
}

/// Reads `path`, applies our corrections ([`crate::corrections`]) and then
/// the overlays at `overlays` (files, read in order) to the document, and
/// parses the result. Overlay warnings (targets that select nothing) are in
/// [`Spec::warnings`], the corrections applied in [`Spec::corrections`].
pub fn load_with_overlays(path: &Path, overlays: &[PathBuf]) -> Result<Spec, Failure> {
    load_with(path, overlays, Corrections::Apply)
}

/// Whether a spec is read with our corrections ([`crate::corrections`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Corrections {
    /// Applied before any overlay (the default everywhere).
    #[default]
    Apply,
    /// The spec as published (`--no-corrections`).
    Skip,
}

/// [`load_with_overlays`], choosing whether our corrections apply.
pub fn load_with(
    path: &Path,
    overlays: &[PathBuf],
    corrections: Corrections,
) -> Result<Spec, Failure> {
    let text = read_text(path)?;
    let overlays = crate::overlay::read_all(overlays)?;
    parse_with(path, &text, &overlays, corrections)
}

/// Reads a spec file's text.
pub fn read_text(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|err| {
        Failure::single(Diagnostic::error(
            path,
            &Pointer::root(),
            format!("cannot read the spec: {err}"),
        ))
    })
}

/// Parses spec text (YAML or JSON) into a JSON tree and checks that it is an
/// OpenAPI 3.0 document; `file` only labels diagnostics.
pub fn parse_value(file: &Path, text: &str) -> Result<serde_json::Value, Failure> {
    let value = parse_text(file, text)?;
    check_version(file, &value)?;
    Ok(value)
}

/// Parses spec text, with our corrections; `file` only labels diagnostics.
pub fn parse(file: &Path, text: &str) -> Result<Spec, Failure> {
    parse_with(file, text, &[], Corrections::Apply)
}

/// Parses spec text, applies our corrections and then `overlays` in order
/// to the document, and reads the result. Overlay warnings come first in
/// [`Spec::warnings`].
pub fn parse_with_overlays(
    file: &Path,
    text: &str,
    overlays: &[crate::overlay::Overlay],
) -> Result<Spec, Failure> {
    parse_with(file, text, overlays, Corrections::Apply)
}

/// [`parse_with_overlays`], choosing whether our corrections apply.
pub fn parse_with(
    file: &Path,
    text: &str,
    overlays: &[crate::overlay::Overlay],
    corrections: Corrections,
) -> Result<Spec, Failure> {
    let mut value = parse_value(file, text)?;
    let applied = match corrections {
        Corrections::Apply => crate::corrections::apply(&mut value, file)?,
        Corrections::Skip => Vec::new(),
    };
    let warnings = crate::overlay::apply_all(&mut value, overlays, file)?;
    // An overlay may have touched `openapi` itself.
    check_version(file, &value)?;
    let mut spec = from_value(file, value, warnings)?;
    spec.corrections = applied;
    Ok(spec)
}

/// Reads an OpenAPI document already parsed into a JSON tree (see
/// [`parse_value`]); `warnings` are kept ahead of the ones found here.
pub fn from_value(
    file: &Path,
    value: serde_json::Value,
    warnings: Vec<Diagnostic>,
) -> Result<Spec, Failure> {
    let mut lint = Lint {
        file,
        warnings,
        errors: Vec::new(),
    };
    lint.walk(&value, &Pointer::root());
    lint.check_paths(&value);
    if !lint.errors.is_empty() {
        let mut diagnostics = lint.errors;
        diagnostics.extend(lint.warnings);
        return Err(Failure { diagnostics });
    }
    // Fast path: plain deserialisation from the tree; only when it fails is
    // the document read again with path tracking, for the error's pointer.
    if let Ok(api) = OpenAPI::deserialize(&value) {
        return Ok(Spec {
            file: file.to_owned(),
            api,
            warnings: lint.warnings,
            corrections: Vec::new(),
        });
    }
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
        warnings: lint.warnings,
        corrections: Vec::new(),
    })
}

/// Checks on the raw tree, for what the typed model cannot tell apart.
struct Lint<'f> {
    file: &'f Path,
    warnings: Vec<Diagnostic>,
    errors: Vec<Diagnostic>,
}

impl Lint<'_> {
    fn walk(&mut self, value: &serde_json::Value, at: &Pointer) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Array(values)) = map.get("enum") {
                    self.check_enum(values, &at.join("enum"), map.get("type"));
                }
                for (key, child) in map {
                    // Example values are data, not schemas: an `enum` key in
                    // one means nothing.
                    if key == "example" || key == "examples" {
                        continue;
                    }
                    self.walk(child, &at.join(key));
                }
            }
            serde_json::Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    self.walk(child, &at.join(i.to_string()));
                }
            }
            _ => {}
        }
    }

    /// Required fields of path items that `openapiv3` reports without a
    /// precise location (its types flatten maps, which loses the path).
    fn check_paths(&mut self, doc: &serde_json::Value) {
        let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) else {
            return;
        };
        const METHODS: &[&str] = &[
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ];
        for (path, item) in paths {
            let item_ptr = Pointer::root().join("paths").join(path);
            for method in METHODS {
                let Some(op) = item.get(*method).and_then(|o| o.as_object()) else {
                    continue;
                };
                let op_ptr = item_ptr.join(method);
                match op.get("responses").and_then(|r| r.as_object()) {
                    None => self.errors.push(Diagnostic::error(
                        self.file,
                        &op_ptr,
                        "operation has no `responses`; OpenAPI requires at least one",
                    )),
                    Some(responses) => {
                        for (status, response) in responses {
                            let at = op_ptr.join("responses").join(status);
                            match response.as_object() {
                                Some(r) if r.contains_key("$ref") || r.contains_key("description") => {}
                                Some(_) => self.errors.push(Diagnostic::error(
                                    self.file,
                                    &at,
                                    "response has no `description`; OpenAPI requires one (it may be empty)",
                                )),
                                None => self.errors.push(Diagnostic::error(
                                    self.file,
                                    &at,
                                    "expected a response object or a `$ref`",
                                )),
                            }
                        }
                    }
                }
                let params = op
                    .get("parameters")
                    .and_then(|p| p.as_array())
                    .into_iter()
                    .flatten();
                for (i, param) in params.enumerate() {
                    let at = op_ptr.join("parameters").join(i.to_string());
                    let Some(param) = param.as_object() else {
                        continue;
                    };
                    if param.contains_key("$ref") {
                        continue;
                    }
                    for field in ["name", "in"] {
                        if !param.contains_key(field) {
                            self.errors.push(Diagnostic::error(
                                self.file,
                                &at,
                                format!("parameter has no `{field}`; OpenAPI requires one"),
                            ));
                        }
                    }
                }
            }
        }
    }

    fn check_enum(
        &mut self,
        values: &[serde_json::Value],
        at: &Pointer,
        ty: Option<&serde_json::Value>,
    ) {
        if values.is_empty() {
            self.warnings.push(Diagnostic::warning(
                self.file,
                at,
                "empty `enum`: no value could ever be valid; the schema is treated as if it had no `enum`",
            ).with_code(WarningCode::IgnoredKeyword));
            return;
        }
        let mut kinds: Vec<&str> = values
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| match json_type(v) {
                "integer" => "number",
                other => other,
            })
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        if kinds.len() > 1 {
            self.errors.push(Diagnostic::error(
                self.file,
                at,
                format!(
                    "`enum` mixes value types ({}); expected values of one type{}",
                    kinds.join(", "),
                    ty.and_then(|t| t.as_str())
                        .map(|t| format!(" (`type: {t}`)"))
                        .unwrap_or_default()
                ),
            ));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn yaml(text: &str) -> Result<serde_json::Value, Failure> {
        parse_text(Path::new("x.yaml"), text)
    }

    #[test]
    fn yaml_reads_as_json_values() {
        let text = "a: 1\n200: {x: [1, 2.5, -3, true, null, ~, 'q']}\ntrue: yes\n1.5: f\nn: 18446744073709551615\nt: !custom {k: v}\n";
        let value = yaml(text).expect("parses");
        assert_eq!(
            value,
            json!({
                "a": 1,
                "200": {"x": [1, 2.5, -3, true, null, null, "q"]},
                "true": "yes",
                "1.5": "f",
                "n": 18446744073709551615u64,
                "t": {"k": "v"},
            })
        );
    }

    #[test]
    fn repeated_keys_are_an_error() {
        let err = yaml("a: 1\nb: {c: 1, c: 2}\n").expect_err("duplicate key");
        assert!(err.to_string().contains("duplicate entry"), "{err}");
    }

    #[test]
    fn syntax_errors_have_a_location() {
        let err = yaml("a: [1, 2\nb: 3\n").expect_err("unclosed");
        assert!(err.diagnostics[0].line_col.is_some(), "{err}");
    }
}
