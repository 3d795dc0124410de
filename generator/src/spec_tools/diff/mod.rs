//! Comparing two specs in terms of the generated crate.
//!
//! Operations are paired by method and path, then by name (so a renamed
//! operation and a moved one are both recognised). Each pair is compared on
//! its Rust method name, API versions, parameters, request body and
//! responses; every named type (a component schema that becomes a struct or
//! enum) that the compared operations reach is compared once, in the
//! directions it is used in.
//!
//! Each operation is read at the API version the generator builds it for
//! with the same pin ([`DiffOptions::version`], `--api-version` of
//! `cargo xtask spec diff` and `cargo xtask codegen`): its body and response
//! schemas are those of the media types chosen for that version (the rules
//! are shared, in [`crate::rules`]), so the report is about the code
//! `codegen` generates with that pin.
//!
//! Classification rules (breaking for users of the generated crate or not),
//! one row per rule of the code (the private `Rule` enum of `diff/rule.rs`).
//! They follow Rust's semver rules for the code the generator emits: its
//! structs, string enums and unions are `#[non_exhaustive]` and built with
//! `new(required..)` or `Default` plus `with_<field>` setters, so what
//! Atlas adds routinely (an optional field, an enum value, a union variant,
//! an operation, a response status) is a compatible change, as
//! cargo-semver-checks judges the generated crate. A verdict is never
//! milder than cargo-semver-checks'; it is stricter where the break is in
//! behaviour or in a type, which cargo-semver-checks does not check (a
//! required parameter or body, the API version sent, a pattern checked
//! before sending, a field's or value's Rust type). What the spec diff
//! cannot see (the Rust names of types, cargo features) `cargo xtask
//! release` asks cargo-semver-checks itself.
//!
//! | change | breaking when |
//! |---|---|
//! | operation added | never |
//! | operation removed | always |
//! | operation's Rust method renamed | always |
//! | operation moved to another method or path, same name | never (the method is unchanged) |
//! | API version added | when the client now sends it (the newest stable one, or the one `--api-version` picks): Atlas issues a new resource version only for breaking changes |
//! | API version removed | when the client sent it |
//! | the client sends another API version, none added (the one it sent was removed) | always |
//! | parameter added | when required (`send()` fails without it) |
//! | parameter removed | always (its builder method is gone) |
//! | parameter made required or optional | when made required |
//! | request body added | when required |
//! | request body removed | always |
//! | request body made required or optional | when made required |
//! | response status added | never |
//! | response status removed | never |
//! | response gains a body | for a success status (the return type changes); for an error status never |
//! | response loses its body | for a success status (the return type changes); for an error status never |
//! | named type added | never |
//! | named type removed | always |
//! | field added | in a request type when required (`new()` gains an argument); otherwise never (structs are `#[non_exhaustive]`) |
//! | field removed | always |
//! | field made readOnly / writeOnly, leaving a direction the type is used in | always |
//! | field no longer readOnly / writeOnly, entering a direction the type is used in | when it enters the request direction and is required |
//! | field made required or optional | when the Rust field type changes (`T`, `Option<T>`, `Option<Option<T>>`) in a direction the type is used in |
//! | field made nullable or not | when the Rust field type changes (`T`, `Option<T>`, `Option<Option<T>>`) in a direction the type is used in |
//! | named type, list item, map value or parameter schema made nullable or not | never (the Rust type does not change) |
//! | type changed | always (reported only when the Rust type changes) |
//! | format changed | when the Rust type changes (`date-time`, `date`); other formats (`int32`, `email`, ...) never |
//! | pattern added, changed or removed | in requests (values are validated before sending and the validated type changes); in responses never (not checked) |
//! | `default` changed | never |
//! | enum value added | never (enums are `#[non_exhaustive]`; unknown values decode into the fallback variant) |
//! | enum value removed | always (senders: the server no longer accepts it; everyone: the variant is gone) |
//! | `oneOf`/`anyOf` alternative or discriminator value added | never (unions are `#[non_exhaustive]`) |
//! | `oneOf`/`anyOf` alternative or discriminator value removed | always |
//! | discriminator value mapped to another type | always |

mod fields;
mod operations;
mod read;
mod rule;
mod schema;
mod uses;

use serde_json::Value;

use self::operations::{pair, Op};
use self::read::Dirs;
use self::rule::Rule;
use self::schema::{At, Differ};
use self::uses::Uses;
use super::report::Report;
use super::{closest_names, operations, Document, OperationEntry};
use crate::diag::{Diagnostic, Failure, Pointer};
use crate::names::{field_name, type_name};
use crate::rules::VersionPin;

/// Options of [`diff`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// Compare only these operations (short names or `operationId`s, in
    /// either spec); empty means all.
    pub only: Vec<String>,
    /// The API version each operation is read at, chosen as `codegen`
    /// chooses it for this pin.
    pub version: VersionPin,
}

/// Compares `old` and `new` (all operations, or those named in
/// `options.only`) and classifies every change for users of the generated
/// crate. Fails when a name in `options.only` is in neither document.
pub fn diff(old: &Document, new: &Document, options: &DiffOptions) -> Result<Report, Failure> {
    let (old_ops, new_ops) = (operations(&old.root), operations(&new.root));
    let mut errors = Vec::new();
    for name in &options.only {
        let known = old_ops.iter().chain(&new_ops).any(|e| e.is_named(name));
        if !known {
            let candidates = old_ops
                .iter()
                .chain(&new_ops)
                .flat_map(|e| e.short_override.into_iter().chain(e.operation_id));
            let close = closest_names(name, candidates, 5);
            errors.push(Diagnostic::error(
                &new.file,
                &Pointer::root().join("paths"),
                format!(
                    "no operation named `{name}` in {} or {}; closest names: {}",
                    old.file.display(),
                    new.file.display(),
                    close.join(", ")
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Failure {
            diagnostics: errors,
        });
    }
    fn to_ops<'v>(root: &'v Value, list: Vec<OperationEntry<'v>>, pin: &VersionPin) -> Vec<Op<'v>> {
        list.into_iter().map(|e| Op::new(root, e, pin)).collect()
    }
    let pairs = pair(
        to_ops(&old.root, old_ops, &options.version),
        to_ops(&new.root, new_ops, &options.version),
    );
    let wanted = |p: &(Option<Op<'_>>, Option<Op<'_>>)| {
        options.only.is_empty()
            || [&p.0, &p.1]
                .into_iter()
                .flatten()
                .any(|o| options.only.iter().any(|n| o.entry.is_named(n)))
    };
    let mut pairs: Vec<_> = pairs.into_iter().filter(wanted).collect();
    pairs.sort_by_key(|(o, n)| {
        n.as_ref()
            .or(o.as_ref())
            .map(|op| (op.entry.short_name(), op.entry.path, op.entry.method))
    });

    let mut differ = Differ {
        old: &old.root,
        new: &new.root,
        changes: Vec::new(),
    };
    let mut old_roots = Vec::new();
    let mut new_roots = Vec::new();
    for (o, n) in &pairs {
        if let Some(o) = o {
            old_roots.extend(o.roots());
        }
        if let Some(n) = n {
            new_roots.extend(n.roots());
        }
        match (o, n) {
            (Some(o), Some(n)) => differ.compare_operation(o, n),
            (None, Some(n)) => {
                let subject = n.subject();
                let at = At::top(&subject, Dirs::REQUEST, Pointer::root(), n.entry.pointer());
                let detail = format!("added: client.{}()", field_name(&n.entry.short_name()));
                differ.push(&at, Rule::OperationAdded, detail);
            }
            (Some(o), None) => {
                let subject = o.subject();
                let at = At::top(&subject, Dirs::REQUEST, o.entry.pointer(), Pointer::root());
                let detail = format!("removed: client.{}()", field_name(&o.entry.short_name()));
                differ.push(&at, Rule::OperationRemoved, detail);
            }
            (None, None) => {}
        }
    }
    let mut types = Uses::collect(&old.root, old_roots);
    for (name, dirs) in Uses::collect(&new.root, new_roots) {
        let entry = types.entry(name).or_default();
        *entry = entry.union(dirs);
    }
    let mut by_rust: Vec<(String, String, Dirs)> = types
        .into_iter()
        .map(|(name, dirs)| (type_name(&name), name, dirs))
        .collect();
    by_rust.sort();
    for (_, name, dirs) in by_rust {
        differ.compare_type(&name, dirs);
    }
    Ok(Report {
        old: old.file.display().to_string(),
        new: new.file.display().to_string(),
        changes: differ.changes,
    })
}

#[cfg(test)]
mod tests;
