//! OpenAPI Overlays (Overlay Specification 1.0.0): documents of ordered
//! actions that change a spec before it is lowered.
//!
//! ```yaml
//! overlay: 1.0.0
//! info: {title: CLI hints, version: 1.0.0}
//! actions:
//!   - target: $.paths['/things'].post          # RFC 9535 JSONPath
//!     update: {x-cli: {watch: true}}          # merged into every selected node
//!   - target: $.paths.*.*.parameters[?(@.name == 'debug')]
//!     remove: true                            # removed from its parent
//! ```
//!
//! Each action's `target` selects nodes of the document as it stands after
//! the actions before it. `update` is merged into each selected node:
//!
//! | selected node | `update` | result |
//! |---|---|---|
//! | object | object | merged key by key: new keys added; for a key both have, objects merge recursively, arrays are concatenated, anything else is replaced by the update's value |
//! | object | anything else | error |
//! | array | array | the update's items appended |
//! | array | anything else | the value appended as one item |
//! | string, number, boolean, null | anything | replaced |
//!
//! `remove: true` removes each selected node from the object or array that
//! holds it (an action with both removes; the document root cannot be
//! removed). A target that selects nothing is a warning (`overlay-no-match`);
//! a malformed overlay is an error naming the overlay file and the JSON
//! pointer of the offending field (line and column for syntax errors).

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use serde_json_path::JsonPath;

use crate::diag::{Diagnostic, Failure, Pointer, WarningCode};
use crate::extensions;
use crate::parse::{json_type, parse_text};

/// The warning code of a target that selects nothing.
pub const NO_MATCH: WarningCode = WarningCode::OverlayNoMatch;

/// The file extensions taken from a directory of overlays.
pub const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

/// A parsed overlay document.
#[derive(Debug, Clone)]
pub struct Overlay {
    /// The file it was read from, for diagnostics.
    pub file: PathBuf,
    /// `info.title`.
    pub title: String,
    /// `info.version` (the overlay's own version).
    pub version: String,
    /// `extends`: the URI of the document it was written for, if given
    /// (informative only; the document it is applied to is the caller's).
    pub extends: Option<String>,
    /// The actions, in order.
    pub actions: Vec<Action>,
}

/// One action of an overlay.
#[derive(Debug, Clone)]
pub struct Action {
    /// The JSONPath expression as written.
    pub target: String,
    /// The parsed expression.
    pub path: JsonPath,
    /// `description`, if given.
    pub description: Option<String>,
    /// What the action does.
    pub kind: ActionKind,
}

/// What an action does to the nodes its target selects.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionKind {
    /// Merge this value into each node (see the module docs).
    Update(Value),
    /// Remove each node from its parent.
    Remove,
}

/// The pointer of a field of action `index`.
fn action_pointer(index: usize) -> Pointer {
    Pointer::root().join("actions").join(index.to_string())
}

/// Reads and parses the overlay at `path`.
pub fn read(path: &Path) -> Result<Overlay, Failure> {
    let text = std::fs::read_to_string(path).map_err(|err| {
        Failure::single(Diagnostic::error(
            path,
            &Pointer::root(),
            format!("cannot read the overlay: {err}"),
        ))
    })?;
    parse(path, &text)
}

/// Reads every overlay in `paths`, in order.
pub fn read_all(paths: &[PathBuf]) -> Result<Vec<Overlay>, Failure> {
    let mut overlays = Vec::with_capacity(paths.len());
    let mut diagnostics = Vec::new();
    for path in paths {
        match read(path) {
            Ok(overlay) => overlays.push(overlay),
            Err(failure) => diagnostics.extend(failure.diagnostics),
        }
    }
    if diagnostics.is_empty() {
        Ok(overlays)
    } else {
        Err(Failure { diagnostics })
    }
}

/// Parses overlay text (YAML or JSON); `file` labels diagnostics.
pub fn parse(file: &Path, text: &str) -> Result<Overlay, Failure> {
    let value = parse_text(file, text)?;
    from_value(file, &value)
}

/// Checks an overlay document already read into a JSON tree. Every problem
/// found is reported, not only the first.
pub fn from_value(file: &Path, value: &Value) -> Result<Overlay, Failure> {
    let mut errors = Vec::new();
    let mut error = |at: &Pointer, message: String| {
        errors.push(Diagnostic::error(file, at, message));
    };
    let root = Pointer::root();
    let Some(map) = value.as_object() else {
        error(
            &root,
            format!(
                "expected an Overlay document (a mapping at the top level), found {}",
                json_type(value)
            ),
        );
        return Err(Failure {
            diagnostics: errors,
        });
    };
    match map.get("overlay") {
        Some(Value::String(v)) if v == "1.0" || v.starts_with("1.0.") => {}
        Some(Value::String(v)) => error(
            &root.join("overlay"),
            format!("unsupported Overlay version {v:?}: this generator applies Overlay 1.0.x"),
        ),
        Some(other) => error(
            &root.join("overlay"),
            format!(
                "expected the Overlay version as a string such as \"1.0.0\", found {}",
                json_type(other)
            ),
        ),
        None if map.contains_key("openapi") => error(
            &root,
            "this is an OpenAPI document, not an Overlay: the top-level `overlay` field is missing"
                .to_owned(),
        ),
        None => error(
            &root,
            "not an Overlay document: the top-level `overlay` field is missing".to_owned(),
        ),
    }
    let mut title = String::new();
    let mut version = String::new();
    match map.get("info") {
        Some(Value::Object(info)) => {
            let at = root.join("info");
            for (field, slot) in [("title", &mut title), ("version", &mut version)] {
                match info.get(field) {
                    Some(Value::String(s)) => *slot = s.clone(),
                    Some(other) => error(
                        &at.join(field),
                        format!("expected a string, found {}", json_type(other)),
                    ),
                    None => error(
                        &at,
                        format!("`info` has no `{field}`; the Overlay Specification requires one"),
                    ),
                }
            }
        }
        Some(other) => error(
            &root.join("info"),
            format!(
                "expected an object with `title` and `version`, found {}",
                json_type(other)
            ),
        ),
        None => error(
            &root,
            "the overlay has no `info`; the Overlay Specification requires one".to_owned(),
        ),
    }
    let extends = match map.get("extends") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            error(
                &root.join("extends"),
                format!("expected a URI string, found {}", json_type(other)),
            );
            None
        }
        None => None,
    };
    for key in map.keys() {
        if !["overlay", "info", "extends", "actions"].contains(&key.as_str())
            && !extensions::is_extension(key)
        {
            error(
                &root.join(key),
                format!("unknown field `{key}`; an Overlay document has `overlay`, `info`, `extends`, `actions` and `x-` extensions"),
            );
        }
    }
    let mut actions = Vec::new();
    match map.get("actions") {
        Some(Value::Array(list)) if list.is_empty() => error(
            &root.join("actions"),
            "`actions` is empty; the Overlay Specification requires at least one".to_owned(),
        ),
        Some(Value::Array(list)) => {
            for (index, action) in list.iter().enumerate() {
                match parse_action(file, index, action) {
                    Ok(action) => actions.push(action),
                    Err(found) => errors.extend(found),
                }
            }
        }
        Some(other) => error(
            &root.join("actions"),
            format!("expected a list of actions, found {}", json_type(other)),
        ),
        None => error(
            &root,
            "the overlay has no `actions`; the Overlay Specification requires a list of at least one"
                .to_owned(),
        ),
    }
    if errors.is_empty() {
        Ok(Overlay {
            file: file.to_owned(),
            title,
            version,
            extends,
            actions,
        })
    } else {
        Err(Failure {
            diagnostics: errors,
        })
    }
}

fn parse_action(file: &Path, index: usize, value: &Value) -> Result<Action, Vec<Diagnostic>> {
    let at = action_pointer(index);
    let mut errors = Vec::new();
    let Some(map) = value.as_object() else {
        return Err(vec![Diagnostic::error(
            file,
            &at,
            format!(
                "expected an action object with `target` and `update` or `remove`, found {}",
                json_type(value)
            ),
        )]);
    };
    let mut error = |at: Pointer, message: String| {
        errors.push(Diagnostic::error(file, &at, message));
    };
    for key in map.keys() {
        if !["target", "description", "update", "remove"].contains(&key.as_str())
            && !extensions::is_extension(key)
        {
            error(
                at.join(key),
                format!("unknown field `{key}`; an action has `target`, `description`, `update`, `remove` and `x-` extensions"),
            );
        }
    }
    let path = match map.get("target") {
        Some(Value::String(target)) => match parse_jsonpath(target) {
            Ok(path) => Some((target.clone(), path)),
            Err(message) => {
                error(at.join("target"), message);
                None
            }
        },
        Some(other) => {
            error(
                at.join("target"),
                format!(
                    "expected a JSONPath expression string, found {}",
                    json_type(other)
                ),
            );
            None
        }
        None => {
            error(
                at.clone(),
                "the action has no `target`; the Overlay Specification requires one".to_owned(),
            );
            None
        }
    };
    let description = match map.get("description") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            error(
                at.join("description"),
                format!("expected a string, found {}", json_type(other)),
            );
            None
        }
        None => None,
    };
    let remove = match map.get("remove") {
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            error(
                at.join("remove"),
                format!("expected `true` or `false`, found {}", json_type(other)),
            );
            false
        }
        None => false,
    };
    let kind = if remove {
        Some(ActionKind::Remove)
    } else if let Some(update) = map.get("update") {
        Some(ActionKind::Update(update.clone()))
    } else {
        error(
            at.clone(),
            "the action has neither `update` nor `remove: true`, so it does nothing".to_owned(),
        );
        None
    };
    match (path, kind) {
        (Some((target, path)), Some(kind)) if errors.is_empty() => Ok(Action {
            target,
            path,
            description,
            kind,
        }),
        _ => Err(errors),
    }
}

/// Parses a JSONPath (RFC 9535) expression; `Err` is the message for a
/// diagnostic.
pub(crate) fn parse_jsonpath(text: &str) -> Result<JsonPath, String> {
    JsonPath::parse(text).map_err(|err| {
        format!(
            "`{text}` is not a valid JSONPath (RFC 9535) expression: {} at position {}",
            err.message(),
            err.position()
        )
    })
}

/// Expands overlay paths: a directory stands for its `*.yaml`, `*.yml` and
/// `*.json` files (not its subdirectories), in file-name order; a file stands
/// for itself.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut out = Vec::new();
    for path in paths {
        if !path.is_dir() {
            out.push(path.clone());
            continue;
        }
        let fail = |err: std::io::Error| {
            Failure::single(Diagnostic::error(
                path,
                &Pointer::root(),
                format!("cannot read the overlay directory: {err}"),
            ))
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(path).map_err(fail)? {
            let entry = entry.map_err(fail)?;
            let file = entry.path();
            let wanted = file.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                EXTENSIONS
                    .iter()
                    .any(|wanted| e.eq_ignore_ascii_case(wanted))
            });
            if wanted && file.is_file() {
                files.push((entry.file_name(), file));
            }
        }
        files.sort();
        out.extend(files.into_iter().map(|(_, file)| file));
    }
    Ok(out)
}

/// One step of a node's location.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Key(String),
    Index(usize),
}

/// The locations of the nodes `path` selects in `doc`, in the order of the
/// query, each once.
fn locate(path: &JsonPath, doc: &Value) -> Vec<Vec<Step>> {
    let mut found: Vec<Vec<Step>> = Vec::new();
    for location in path.query_located(doc).locations() {
        let steps: Vec<Step> = location
            .iter()
            .map(|element| match element.as_index() {
                Some(i) => Step::Index(i),
                None => Step::Key(element.as_name().unwrap_or_default().to_owned()),
            })
            .collect();
        if !found.contains(&steps) {
            found.push(steps);
        }
    }
    found
}

fn pointer_of(steps: &[Step]) -> Pointer {
    steps.iter().fold(Pointer::root(), |p, step| match step {
        Step::Key(k) => p.join(k),
        Step::Index(i) => p.join(i.to_string()),
    })
}

fn node_mut<'v>(root: &'v mut Value, steps: &[Step]) -> Option<&'v mut Value> {
    steps.iter().try_fold(root, |node, step| match step {
        Step::Key(k) => node.get_mut(k.as_str()),
        Step::Index(i) => node.get_mut(*i),
    })
}

/// Merges `update` into `target` (objects key by key, recursively; arrays
/// concatenated; anything else replaced).
pub fn merge(target: &mut Value, update: &Value) {
    match (target, update) {
        (Value::Object(target), Value::Object(update)) => merge_objects(target, update),
        (Value::Array(target), Value::Array(update)) => target.extend(update.iter().cloned()),
        (target, update) => *target = update.clone(),
    }
}

fn merge_objects(target: &mut Map<String, Value>, update: &Map<String, Value>) {
    for (key, value) in update {
        match target.get_mut(key) {
            Some(existing) => merge(existing, value),
            None => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Applies `overlay` to `doc` (the spec read from `doc_file`), action by
/// action. `Ok` carries the warnings (targets that selected nothing); on an
/// error `doc` holds the actions before the failing one and should be
/// dropped.
pub fn apply(
    doc: &mut Value,
    overlay: &Overlay,
    doc_file: &Path,
) -> Result<Vec<Diagnostic>, Failure> {
    run(doc, overlay, doc_file, true).map(|(_, warnings)| warnings)
}

/// Applies `overlay` to `doc` like [`apply`], without warnings for targets
/// that select nothing: `Ok` carries how many nodes each action selected,
/// in order (the corrections of [`crate::corrections`], which a spec
/// without the schema they mend does not need).
pub fn apply_quietly(
    doc: &mut Value,
    overlay: &Overlay,
    doc_file: &Path,
) -> Result<Vec<usize>, Failure> {
    run(doc, overlay, doc_file, false).map(|(counts, _)| counts)
}

fn run(
    doc: &mut Value,
    overlay: &Overlay,
    doc_file: &Path,
    warn_no_match: bool,
) -> Result<(Vec<usize>, Vec<Diagnostic>), Failure> {
    let mut warnings = Vec::new();
    let mut counts = Vec::with_capacity(overlay.actions.len());
    for (index, action) in overlay.actions.iter().enumerate() {
        let at = action_pointer(index);
        let located = locate(&action.path, doc);
        counts.push(located.len());
        if located.is_empty() && !warn_no_match {
            continue;
        }
        if located.is_empty() {
            warnings.push(
                Diagnostic::warning(
                    &overlay.file,
                    &at.join("target"),
                    format!(
                        "target `{}` selects nothing in {}; the action changed nothing",
                        action.target,
                        doc_file.display()
                    ),
                )
                .with_code(NO_MATCH),
            );
            continue;
        }
        let fail = |at: Pointer, message: String| {
            let mut diagnostics = vec![Diagnostic::error(&overlay.file, &at, message)];
            diagnostics.extend(warnings.iter().cloned());
            Err(Failure { diagnostics })
        };
        match &action.kind {
            ActionKind::Update(update) => {
                for steps in &located {
                    let Some(node) = node_mut(doc, steps) else {
                        continue;
                    };
                    match (&mut *node, update) {
                        (Value::Object(target), Value::Object(update)) => {
                            merge_objects(target, update)
                        }
                        (Value::Object(_), other) => {
                            return fail(
                                at.join("update"),
                                format!(
                                    "target `{}` selects an object ({} in {}), so `update` must be an object to merge into it; found {}",
                                    action.target,
                                    pointer_of(steps),
                                    doc_file.display(),
                                    json_type(other)
                                ),
                            )
                        }
                        (Value::Array(items), Value::Array(more)) => {
                            items.extend(more.iter().cloned())
                        }
                        (Value::Array(items), item) => items.push(item.clone()),
                        (scalar, value) => *scalar = value.clone(),
                    }
                }
            }
            ActionKind::Remove => {
                // Last locations first: removing an array item then leaves
                // the indices of the others still to remove intact, and a
                // node inside another selected node goes before its parent.
                let mut ordered = located;
                ordered.sort();
                for steps in ordered.iter().rev() {
                    let Some((last, parent)) = steps.split_last() else {
                        return fail(
                            at.join("target"),
                            format!(
                                "target `{}` selects the document root, which cannot be removed",
                                action.target
                            ),
                        );
                    };
                    match (node_mut(doc, parent), last) {
                        (Some(Value::Object(map)), Step::Key(key)) => {
                            map.remove(key);
                        }
                        (Some(Value::Array(items)), Step::Index(i)) if *i < items.len() => {
                            items.remove(*i);
                        }
                        // Already removed with an enclosing node.
                        _ => {}
                    }
                }
            }
        }
    }
    Ok((counts, warnings))
}

/// Applies every overlay in order; `Ok` carries all their warnings.
pub fn apply_all(
    doc: &mut Value,
    overlays: &[Overlay],
    doc_file: &Path,
) -> Result<Vec<Diagnostic>, Failure> {
    let mut warnings = Vec::new();
    for overlay in overlays {
        match apply(doc, overlay, doc_file) {
            Ok(found) => warnings.extend(found),
            Err(mut failure) => {
                failure.diagnostics.extend(warnings);
                return Err(failure);
            }
        }
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests;
