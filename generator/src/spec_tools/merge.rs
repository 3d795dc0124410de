//! Adding operations to our spec from an upstream one, and removing them:
//! the spec changes one operation at a time, and everything already in it
//! stays as it is.
//!
//! [`add`] extracts the operations asked for (by name, or every operation
//! of a tag: [`tagged`]) with every component they reach
//! ([`super::extract()`]), and merges them in: new operations, new path
//! items, new components and new tags are added; a component or tag the
//! spec already has is kept as it is (our wording included), even where
//! upstream words it differently. [`remove`] takes operations out, with the
//! components and tags only they used; components nothing used before are
//! left alone.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::{closest_names, extract, operations, Document, METHODS};
use crate::diag::{Diagnostic, Failure, Pointer};

/// What [`add`] or [`remove`] made.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The new document.
    pub root: Value,
    /// The short names of the operations added or removed.
    pub operations: Vec<String>,
    /// The components added or removed, as `kind/name` (`schemas/Foo`).
    pub components: Vec<String>,
    /// Components the new operations use that the spec already had, kept
    /// as they were.
    pub kept: Vec<String>,
}

/// The short names of every operation of `upstream` tagged `tag` (in
/// document order). An unknown tag fails with the closest tags.
pub fn tagged(upstream: &Document, tag: &str) -> Result<Vec<String>, Failure> {
    let all = operations(&upstream.root);
    let tags_of = |op: &Value| -> Vec<String> {
        op.get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let names: Vec<String> = all
        .iter()
        .filter(|e| tags_of(e.op).iter().any(|t| t == tag))
        .map(|e| e.short_name())
        .collect();
    if !names.is_empty() {
        return Ok(names);
    }
    let known: BTreeSet<String> = all.iter().flat_map(|e| tags_of(e.op)).collect();
    let close = closest_names(tag, known.iter().map(String::as_str), 5);
    Err(Failure::single(Diagnostic::error(
        &upstream.file,
        &Pointer::root().join("paths"),
        format!(
            "no operation is tagged `{tag}`; closest tags: {}",
            close.join(", ")
        ),
    )))
}

fn components_of(root: &Value) -> BTreeMap<String, &Map<String, Value>> {
    root.get("components")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(kind, m)| m.as_object().map(|m| (kind.clone(), m)))
        .collect()
}

fn tag_name(tag: &Value) -> Option<&str> {
    tag.get("name").and_then(Value::as_str)
}

/// A parameter's identity, `(in, name)`, following one `$ref` into `root`'s
/// `components/parameters`.
fn param_id(param: &Value, root: &Value) -> Option<(String, String)> {
    let target = match param.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.strip_prefix("#/components/parameters/")?;
            root.get("components")?.get("parameters")?.get(name)?
        }
        None => param,
    };
    Some((
        target.get("in")?.as_str()?.to_owned(),
        target.get("name")?.as_str()?.to_owned(),
    ))
}

/// The identities of a `parameters` list.
fn param_ids(list: Option<&Value>, root: &Value) -> BTreeSet<(String, String)> {
    list.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| param_id(p, root))
        .collect()
}

/// Appends to `op`'s own parameters each of `inherited` it does not
/// already declare (an operation's parameter overrides a path-level one).
fn push_down(op: &mut Value, inherited: &[&Value], root: &Value) {
    if inherited.is_empty() {
        return;
    }
    let own = param_ids(op.get("parameters"), root);
    let Some(map) = op.as_object_mut() else {
        return;
    };
    let list = map
        .entry("parameters")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Some(list) = list.as_array_mut() {
        for p in inherited {
            if param_id(p, root).is_none_or(|id| !own.contains(&id)) {
                list.push((*p).clone());
            }
        }
    }
}

/// `current` with the operations `names` of `upstream` (and what they
/// need) added. An operation `current` already has (by name, or at the same
/// method and path) is an error, as is a name `upstream` lacks (with the
/// closest names it has).
pub fn add(current: &Document, upstream: &Document, names: &[String]) -> Result<Merged, Failure> {
    let extracted = extract(upstream, names)?;
    let ours = operations(&current.root);
    let mut errors = Vec::new();
    for new in &extracted.operations {
        let clash = ours.iter().find(|o| {
            o.is_named(&new.short_name)
                || new.operation_id.as_deref().is_some_and(|id| o.is_named(id))
                || (o.method == new.method && o.path == new.path)
        });
        if let Some(o) = clash {
            errors.push(Diagnostic::error(
                &current.file,
                &o.pointer(),
                format!(
                    "`{}` ({} {}) is already in this spec as `{}`; `spec update` refreshes it, `spec remove` takes it out",
                    new.short_name,
                    new.method.to_uppercase(),
                    new.path,
                    o.short_name()
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Failure {
            diagnostics: errors,
        });
    }
    let mut root = current.root.clone();
    let mut merged = Merged {
        root: Value::Null,
        operations: extracted
            .operations
            .iter()
            .map(|o| o.short_name.clone())
            .collect(),
        components: Vec::new(),
        kept: Vec::new(),
    };
    // Paths: new items whole; into an item we have, only the methods: its
    // path-level keys stay ours, and an upstream path-level parameter we
    // lack goes onto each new operation (so the operations we had are
    // unchanged).
    if let (Some(paths), Some(theirs)) = (
        root.get_mut("paths").and_then(Value::as_object_mut),
        extracted.root.get("paths").and_then(Value::as_object),
    ) {
        for (path, item) in theirs {
            match paths.get_mut(path).and_then(Value::as_object_mut) {
                Some(ours) => {
                    let have = param_ids(ours.get("parameters"), &current.root);
                    let lacking: Vec<&Value> = item
                        .get("parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter(|p| {
                            param_id(p, &extracted.root).is_none_or(|id| !have.contains(&id))
                        })
                        .collect();
                    for method in METHODS {
                        let Some(op) = item.get(method) else {
                            continue;
                        };
                        let mut op = op.clone();
                        push_down(&mut op, &lacking, &extracted.root);
                        ours.insert(method.to_owned(), op);
                    }
                }
                None => {
                    paths.insert(path.clone(), item.clone());
                }
            }
        }
    }
    // Components: what we lack is added, what we have is kept.
    let theirs = components_of(&extracted.root);
    if let Some(map) = root.as_object_mut() {
        let components = map
            .entry("components")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Some(components) = components.as_object_mut() {
            for (kind, entries) in theirs {
                let ours = components
                    .entry(kind.clone())
                    .or_insert_with(|| Value::Object(Map::new()));
                let Some(ours) = ours.as_object_mut() else {
                    continue;
                };
                for (name, value) in entries {
                    if ours.contains_key(name) {
                        merged.kept.push(format!("{kind}/{name}"));
                    } else {
                        ours.insert(name.clone(), value.clone());
                        merged.components.push(format!("{kind}/{name}"));
                    }
                }
            }
        }
        // Tags: the ones we lack, after ours.
        if let Some(new_tags) = extracted.root.get("tags").and_then(Value::as_array) {
            let tags = map
                .entry("tags")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Some(tags) = tags.as_array_mut() {
                for tag in new_tags {
                    let known = tags.iter().any(|t| tag_name(t) == tag_name(tag));
                    if !known {
                        tags.push(tag.clone());
                    }
                }
            }
        }
    }
    merged.root = root;
    Ok(merged)
}

/// `current` without the operations `names`, and without the components
/// and tags that only they used. A name the spec lacks fails with the
/// closest names it has; removing every operation is refused.
pub fn remove(current: &Document, names: &[String]) -> Result<Merged, Failure> {
    let gone = extract(current, names)?;
    let all = operations(&current.root);
    let is_gone = |path: &str, method: &str| {
        gone.operations
            .iter()
            .any(|o| o.path == path && o.method == method)
    };
    let rest: Vec<String> = all
        .iter()
        .filter(|e| !is_gone(e.path, e.method))
        .map(|e| e.short_name())
        .collect();
    if rest.is_empty() {
        return Err(Failure::single(Diagnostic::error(
            &current.file,
            &Pointer::root().join("paths"),
            "removing these operations would leave the spec with none",
        )));
    }
    let every: Vec<String> = all.iter().map(|e| e.short_name()).collect();
    let before = extract(current, &every)?;
    let after = extract(current, &rest)?;
    let used = |doc: &Value| -> BTreeSet<String> {
        components_of(doc)
            .into_iter()
            .flat_map(|(kind, m)| m.keys().map(move |n| format!("{kind}/{n}")))
            .collect()
    };
    let dropped: Vec<String> = used(&before.root)
        .difference(&used(&after.root))
        .cloned()
        .collect();
    let tags = |doc: &Value| -> BTreeSet<String> {
        doc.get("tags")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(tag_name)
            .map(str::to_owned)
            .collect()
    };
    let dropped_tags: BTreeSet<String> = tags(&before.root)
        .difference(&tags(&after.root))
        .cloned()
        .collect();

    let mut root = current.root.clone();
    if let Some(paths) = root.get_mut("paths").and_then(Value::as_object_mut) {
        for o in &gone.operations {
            let empty = match paths.get_mut(&o.path).and_then(Value::as_object_mut) {
                Some(item) => {
                    item.remove(&o.method);
                    !item.keys().any(|k| METHODS.contains(&k.as_str()))
                }
                None => false,
            };
            if empty {
                paths.remove(&o.path);
            }
        }
    }
    if let Some(components) = root.get_mut("components").and_then(Value::as_object_mut) {
        for entry in &dropped {
            if let Some((kind, name)) = entry.split_once('/') {
                let emptied = components
                    .get_mut(kind)
                    .and_then(Value::as_object_mut)
                    .is_some_and(|m| m.remove(name).is_some() && m.is_empty());
                if emptied {
                    components.remove(kind);
                }
            }
        }
    }
    if let Some(list) = root.get_mut("tags").and_then(Value::as_array_mut) {
        list.retain(|t| tag_name(t).is_none_or(|n| !dropped_tags.contains(n)));
    }
    Ok(Merged {
        root,
        operations: gone
            .operations
            .iter()
            .map(|o| o.short_name.clone())
            .collect(),
        components: dropped,
        kept: Vec::new(),
    })
}
