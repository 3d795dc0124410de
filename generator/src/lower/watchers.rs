//! Watchers (`x-xgen-atlascli.watcher`, read by [`crate::atlascli`]):
//! resolved, once every operation is lowered, against the operation they
//! poll. A watcher that cannot work is a warning (`atlascli-watcher`) naming
//! each reason, and the operation gets no waiter:
//!
//! - the polled `operationId` is not in the spec, or is not a GET;
//! - a parameter it gives is not one of the polled operation's, an
//!   `input:NAME` is not one of the watched operation's, or a required
//!   parameter of the polled operation is not given;
//! - a `body:` path reads a watched operation that answers no JSON, or a
//!   `match` path a polled operation that answers none;
//! - a path is not a plain chain of keys (`$.a.b`, `$['a']`): the run time
//!   reads only those, which is all the Atlas CLI's overlays use;
//! - the two operations decode their documented errors into different types
//!   (a waiter returns one error type).
//!
//! A `version` the polled operation does not offer is a warning too, but
//! the watcher stays and polls the generated version.
//!
//! Two mistakes of the upstream overlays are mended, each with a warning
//! saying what is polled instead, and never by resending a mutation:
//!
//! - a watcher that names a mutating operation (`updateGroupCluster`, a
//!   PATCH, polling itself) polls the GET at that operation's path, when
//!   the spec has exactly one;
//! - a `body:` parameter of a watched operation that answers no body (a
//!   204 after a DELETE) takes the watched operation's input of the same
//!   name as the polled parameter, when it has one.

use super::Lowerer;
use crate::atlascli::{self, WatchParam};
use crate::diag::{Pointer, WarningCode};
use crate::ir::{Method, Operation, Type, WatchArg, WatchExpect, WatchSource, Watcher};

impl Lowerer<'_> {
    pub(super) fn resolve_watchers(&mut self) {
        let pending = std::mem::take(&mut self.work.watchers);
        for (watching, raw, at) in pending {
            let Some(index) = self
                .out
                .operations
                .iter()
                .position(|op| op.operation_id == watching)
            else {
                continue;
            };
            match self.resolve_watcher(index, &raw, &at) {
                Ok(watcher) => self.out.operations[index].watcher = Some(watcher),
                Err(reasons) => {
                    for reason in reasons {
                        self.warn(
                            WarningCode::AtlasCliWatcher,
                            &at,
                            format!("watcher of `{watching}` not generated: {reason}"),
                        );
                    }
                }
            }
        }
    }

    /// The watcher of operation `index`, or why there can be none.
    fn resolve_watcher(
        &mut self,
        index: usize,
        raw: &atlascli::Watcher,
        at: &Pointer,
    ) -> Result<Watcher, Vec<String>> {
        let ops = &self.out.operations;
        let watched = &ops[index];
        let Some(named) = ops.iter().find(|op| op.operation_id == raw.operation_id) else {
            return Err(vec![format!(
                "it polls `{}`, which is not an operationId of this spec",
                raw.operation_id
            )]);
        };
        let mut mended = Vec::new();
        let polled = match read_instead(ops, named) {
            Some(get) => {
                mended.push(format!(
                    "it names `{}`, a {} (polling would resend it); it polls `{}`, the GET at the same path, instead",
                    named.operation_id,
                    named.method.as_str(),
                    get.operation_id
                ));
                get
            }
            None => named,
        };
        let mut reasons = Vec::new();
        let polled_name = polled.operation_id.clone();
        if polled.method != Method::Get {
            reasons.push(format!(
                "it polls `{polled_name}`, a {} (only a GET can be polled)",
                polled.method.as_str()
            ));
        }
        if !polled.decodes_json() {
            reasons.push(format!(
                "`{polled_name}` answers {}, not JSON",
                match polled.success_type {
                    Some(Type::Binary) => "binary data",
                    _ => "text",
                }
            ));
        }
        if polled.error_type != watched.error_type {
            reasons.push(format!(
                "`{polled_name}` and `{}` decode their errors into different types",
                watched.operation_id
            ));
        }
        let mut params = Vec::new();
        for (name, source) in &raw.params {
            let Some(param) = polled.params.iter().position(|p| &p.wire_name == name) else {
                reasons.push(format!("`{polled_name}` has no parameter `{name}`"));
                continue;
            };
            let source = match source {
                WatchParam::Input(input) => {
                    match watched.params.iter().position(|p| &p.wire_name == input) {
                        Some(i) => WatchSource::Input(i),
                        None => {
                            reasons.push(format!(
                                "`input:{input}` (for `{name}`): `{}` has no parameter `{input}`",
                                watched.operation_id
                            ));
                            continue;
                        }
                    }
                }
                WatchParam::Body(path) if watched.success_type.is_none() => {
                    match watched.params.iter().position(|p| &p.wire_name == name) {
                        Some(i) => {
                            mended.push(format!(
                                "`body:{path}` (for `{name}`): `{}` answers no body; its input `{name}` is used instead",
                                watched.operation_id
                            ));
                            WatchSource::Input(i)
                        }
                        None => {
                            reasons.push(format!(
                                "`body:{path}` (for `{name}`): `{}` answers no body, and has no input `{name}`",
                                watched.operation_id
                            ));
                            continue;
                        }
                    }
                }
                WatchParam::Body(path) => {
                    if !watched.decodes_json() {
                        reasons.push(format!(
                            "`body:{path}` (for `{name}`): `{}` answers no JSON body",
                            watched.operation_id
                        ));
                        continue;
                    }
                    match simple_path(path) {
                        Some(steps) => WatchSource::Body(steps),
                        None => {
                            reasons.push(format!("`body:{path}` (for `{name}`): {PLAIN_PATHS}"));
                            continue;
                        }
                    }
                }
            };
            params.push(WatchArg { param, source });
        }
        for p in polled.params.iter().filter(|p| p.required) {
            if !raw.params.iter().any(|(name, _)| name == &p.wire_name) {
                reasons.push(format!(
                    "`{polled_name}` needs `{}`, which the watcher does not give",
                    p.wire_name
                ));
            }
        }
        let expect = match &raw.expect {
            atlascli::Expect::HttpCode(code) => WatchExpect::Status(*code),
            atlascli::Expect::Match { path, values } => {
                if polled.success_type.is_none() {
                    reasons.push(format!(
                        "`match` reads `{path}` of `{polled_name}`, which answers no body"
                    ));
                }
                match simple_path(path) {
                    Some(steps) => WatchExpect::Values {
                        path: steps,
                        values: values.clone(),
                    },
                    None => {
                        reasons.push(format!("`match` path `{path}`: {PLAIN_PATHS}"));
                        WatchExpect::Values {
                            path: Vec::new(),
                            values: Vec::new(),
                        }
                    }
                }
            }
        };
        if !reasons.is_empty() {
            return Err(reasons);
        }
        let watching = watched.operation_id.clone();
        params.sort_by_key(|a| a.param);
        let generated = polled.api_version.clone();
        let offered = polled.api_versions.clone();
        let version = match &raw.version {
            None => None,
            Some(v) if Some(v) == generated.as_ref() => None,
            Some(v) if offered.contains(v) => Some(v.clone()),
            Some(v) => {
                let instead = generated.as_deref().unwrap_or("its default");
                self.warn(
                    WarningCode::AtlasCliWatcher,
                    &at.join("get").join("version"),
                    format!(
                        "`{polled_name}` does not offer API version {v} (offered: {}); the watcher of `{}` polls {instead} instead",
                        if offered.is_empty() { "none".to_owned() } else { offered.join(", ") },
                        watching
                    ),
                );
                None
            }
        };
        for text in mended {
            self.warn(
                WarningCode::AtlasCliWatcher,
                at,
                format!("watcher of `{watching}` mended: {text}"),
            );
        }
        Ok(Watcher {
            operation_id: polled_name,
            version,
            params,
            expect,
        })
    }
}

/// The operation to poll instead of `named` when `named` is not a GET:
/// the one GET at the same path, if there is exactly one.
fn read_instead<'a>(ops: &'a [Operation], named: &Operation) -> Option<&'a Operation> {
    if named.method == Method::Get {
        return None;
    }
    let mut gets = ops
        .iter()
        .filter(|op| op.method == Method::Get && op.path == named.path);
    match (gets.next(), gets.next()) {
        (Some(get), None) => Some(get),
        _ => None,
    }
}

const PLAIN_PATHS: &str =
    "only plain paths of object keys (`$.a.b`, `$['a']`) are read when polling";

/// The keys of a plain JSONPath (`$`, `$.a.b`, `$['a']["b"]`), or `None`
/// for anything else (wildcards, filters, indexes, descendants).
pub(crate) fn simple_path(text: &str) -> Option<Vec<String>> {
    let mut rest = text.trim().strip_prefix('$')?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix('.') {
            let end = after.find(['.', '[']).unwrap_or(after.len());
            let key = &after[..end];
            let plain = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
            if !plain || key.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            steps.push(key.to_owned());
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix('[') {
            let quote = after.chars().next().filter(|c| *c == '\'' || *c == '"')?;
            let inner = &after[1..];
            let close = inner.find(quote)?;
            let key = &inner[..close];
            if key.contains('\\') {
                return None;
            }
            rest = inner[close + 1..].strip_prefix(']')?;
            steps.push(key.to_owned());
        } else {
            return None;
        }
    }
    Some(steps)
}
