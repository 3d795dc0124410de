//! A typed reader for `x-xgen-atlascli`, the extension through which the
//! Atlas CLI's overlays describe command-line behaviour on operations and
//! parameters:
//!
//! ```yaml
//! x-xgen-atlascli:                 # on an operation
//!   watcher:                       # how to wait until the operation is done
//!     get:
//!       operation-id: getGroupClusterBackupExport   # the operation to poll
//!       version: "2023-01-01"                       # its API version (optional)
//!       params:                                     # its parameters, from
//!         groupId: input:groupId                    #   this call's input
//!         exportId: body:$.id                       #   this call's response (JSONPath)
//!     expect:                      # done when: one of
//!       http-code: 404             #   the poll answers this status
//!       match: {path: $.state, values: [Successful, Failed]}  # or the value at path is one of these
//!   override: {description: Short help., operationId: otherName}
//!   command-aliases: [ls]
//!   skip: true                     # no command for this operation
//! x-xgen-atlascli:                 # on a parameter
//!   aliases: [projectId]           # other flag names
//!   flag-short: p
//!   override: {name: project, description: Short help.}
//! ```
//!
//! The reader checks the shape and reports problems with the JSON pointer
//! of the offending field (unknown keys are warnings, wrong shapes errors).
//! Lowering reads it on every operation and parameter: `watcher` becomes
//! [`crate::ir::Watcher`] (resolved against the polled operation in
//! `lower/watchers.rs`), `aliases` and `override.description` become
//! [`crate::ir::ParamCli::aliases`] and the `help` of
//! [`crate::ir::ParamCli`] and [`crate::ir::OperationCli`]; the other keys
//! are read but not used.

use std::path::Path;

use serde_json::Value;

use crate::diag::{Diagnostic, Failure, Pointer, WarningCode};
use crate::extensions::{self, Extensions};
use crate::parse::json_type;

/// The warning code of a key the reader does not know.
pub const UNKNOWN_KEY: WarningCode = WarningCode::AtlasCliUnknownKey;

/// What `x-xgen-atlascli` says about one operation or parameter. Every
/// field is empty when the extension does not set it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AtlasCli {
    /// `watcher` (operations): how to wait for the operation's effect.
    pub watcher: Option<Watcher>,
    /// `aliases` (parameters): other names for the parameter's flag.
    pub aliases: Vec<String>,
    /// `command-aliases` (operations): other names for the command.
    pub command_aliases: Vec<String>,
    /// `override.description`: the help text to show instead of the spec's
    /// `description`.
    pub description_override: Option<String>,
    /// `override.name` (parameters): the flag name to use instead of the
    /// parameter's name.
    pub name_override: Option<String>,
    /// `override.operationId` (operations): the command name to use instead
    /// of the operation id.
    pub operation_id_override: Option<String>,
    /// `flag-short` (parameters): a one-letter flag.
    pub flag_short: Option<String>,
    /// `skip` (operations): no command for this operation.
    pub skip: bool,
}

/// `watcher`: poll another operation until a condition holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watcher {
    /// `get.operation-id`: the `operationId` of the operation to poll.
    pub operation_id: String,
    /// `get.version`: the API version to poll it with (a date such as
    /// `2023-01-01`, or `preview`); its default when `None`.
    pub version: Option<String>,
    /// `get.params`: where each parameter of the polled operation comes
    /// from, in key order.
    pub params: Vec<(String, WatchParam)>,
    /// `expect`: when to stop.
    pub expect: Expect,
}

/// Where a parameter of the polled operation comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchParam {
    /// `input:NAME`: the value the watched call was given for its parameter
    /// `NAME`.
    Input(String),
    /// `body:JSONPATH`: the value at this JSONPath (RFC 9535) in the watched
    /// call's response body.
    Body(String),
}

/// `expect`: when the watch is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// `http-code`: the poll answers this status (404 after a delete).
    HttpCode(u16),
    /// `match`: the value at `path` (JSONPath) in the poll's response body
    /// is one of `values`.
    Match {
        /// The JSONPath of the value.
        path: String,
        /// The values that end the watch (each once, in order).
        values: Vec<String>,
    },
}

/// What [`read`] found: the typed value and warnings (unknown keys).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Read {
    /// The typed extension.
    pub value: AtlasCli,
    /// Unknown keys, with their pointers.
    pub warnings: Vec<Diagnostic>,
}

/// Reads the `x-xgen-atlascli` entry of an operation's or parameter's
/// extensions, if there is one; `at` is the pointer of the operation or
/// parameter in `file`.
pub fn from_extensions(
    owner: &(impl Extensions + ?Sized),
    file: &Path,
    at: &Pointer,
) -> Result<Option<Read>, Failure> {
    extensions::atlascli(owner)
        .map(|value| read(value, file, &at.join(extensions::ATLASCLI)))
        .transpose()
}

/// Reads an `x-xgen-atlascli` value; `at` is its own pointer in `file`.
/// Every error found is reported, not only the first.
pub fn read(value: &Value, file: &Path, at: &Pointer) -> Result<Read, Failure> {
    let mut reader = Reader {
        file,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let value = reader.atlascli(value, at);
    if reader.errors.is_empty() {
        Ok(Read {
            value,
            warnings: reader.warnings,
        })
    } else {
        let mut diagnostics = reader.errors;
        diagnostics.extend(reader.warnings);
        Err(Failure { diagnostics })
    }
}

struct Reader<'f> {
    file: &'f Path,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

impl Reader<'_> {
    fn error(&mut self, at: &Pointer, message: impl Into<String>) {
        self.errors.push(Diagnostic::error(self.file, at, message));
    }

    /// `value` as an object, warning about keys not in `known`.
    fn object<'v>(
        &mut self,
        value: &'v Value,
        at: &Pointer,
        what: &str,
        known: &[&str],
    ) -> Option<&'v serde_json::Map<String, Value>> {
        let Some(map) = value.as_object() else {
            self.error(
                at,
                format!("expected {what} (an object), found {}", json_type(value)),
            );
            return None;
        };
        for key in map.keys() {
            if !known.contains(&key.as_str()) {
                self.warnings.push(
                    Diagnostic::warning(
                        self.file,
                        &at.join(key),
                        format!(
                            "unknown key `{key}` in {what}, ignored; known keys: {}",
                            known.join(", ")
                        ),
                    )
                    .with_code(UNKNOWN_KEY),
                );
            }
        }
        Some(map)
    }

    fn string(&mut self, value: &Value, at: &Pointer) -> Option<String> {
        match value {
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            Value::String(_) => {
                self.error(at, "expected a non-empty string, found an empty one");
                None
            }
            other => {
                self.error(at, format!("expected a string, found {}", json_type(other)));
                None
            }
        }
    }

    fn strings(&mut self, value: &Value, at: &Pointer) -> Vec<String> {
        let Some(items) = value.as_array() else {
            self.error(
                at,
                format!("expected a list of strings, found {}", json_type(value)),
            );
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if let Some(s) = self.string(item, &at.join(i.to_string())) {
                if !out.contains(&s) {
                    out.push(s);
                }
            }
        }
        out
    }

    fn jsonpath(&mut self, text: &str, at: &Pointer) -> bool {
        match crate::overlay::parse_jsonpath(text) {
            Ok(_) => true,
            Err(message) => {
                self.error(at, message);
                false
            }
        }
    }

    fn atlascli(&mut self, value: &Value, at: &Pointer) -> AtlasCli {
        let mut out = AtlasCli::default();
        let known = [
            "watcher",
            "aliases",
            "command-aliases",
            "override",
            "flag-short",
            "skip",
        ];
        let Some(map) = self.object(value, at, "`x-xgen-atlascli`", &known) else {
            return out;
        };
        if let Some(v) = map.get("watcher") {
            out.watcher = self.watcher(v, &at.join("watcher"));
        }
        if let Some(v) = map.get("aliases") {
            out.aliases = self.strings(v, &at.join("aliases"));
        }
        if let Some(v) = map.get("command-aliases") {
            out.command_aliases = self.strings(v, &at.join("command-aliases"));
        }
        if let Some(v) = map.get("flag-short") {
            let here = at.join("flag-short");
            out.flag_short = self.string(v, &here);
            if out
                .flag_short
                .as_ref()
                .is_some_and(|s| s.chars().count() != 1)
            {
                self.error(&here, "expected a single character");
            }
        }
        match map.get("skip") {
            Some(Value::Bool(b)) => out.skip = *b,
            Some(other) => self.error(
                &at.join("skip"),
                format!("expected `true` or `false`, found {}", json_type(other)),
            ),
            None => {}
        }
        if let Some(v) = map.get("override") {
            let here = at.join("override");
            let known = ["description", "name", "operationId"];
            if let Some(o) = self.object(v, &here, "`override`", &known) {
                let field = |reader: &mut Self, key: &str| {
                    o.get(key).and_then(|v| reader.string(v, &here.join(key)))
                };
                out.description_override = field(self, "description");
                out.name_override = field(self, "name");
                out.operation_id_override = field(self, "operationId");
            }
        }
        out
    }

    fn watcher(&mut self, value: &Value, at: &Pointer) -> Option<Watcher> {
        let map = self.object(value, at, "`watcher`", &["get", "expect"])?;
        let get = match map.get("get") {
            Some(get) => self.watch_get(get, &at.join("get")),
            None => {
                self.error(at, "`watcher` has no `get` (the operation to poll)");
                None
            }
        };
        let expect = match map.get("expect") {
            Some(expect) => self.expect(expect, &at.join("expect")),
            None => {
                self.error(at, "`watcher` has no `expect` (when to stop)");
                None
            }
        };
        let (operation_id, version, params) = get?;
        Some(Watcher {
            operation_id,
            version,
            params,
            expect: expect?,
        })
    }

    #[allow(clippy::type_complexity)]
    fn watch_get(
        &mut self,
        value: &Value,
        at: &Pointer,
    ) -> Option<(String, Option<String>, Vec<(String, WatchParam)>)> {
        let known = ["operation-id", "version", "params"];
        let map = self.object(value, at, "`watcher.get`", &known)?;
        let operation_id = match map.get("operation-id") {
            Some(v) => self.string(v, &at.join("operation-id")),
            None => {
                self.error(
                    at,
                    "`watcher.get` has no `operation-id` (the operationId to poll)",
                );
                None
            }
        };
        let version = match map.get("version") {
            None => None,
            Some(v) => {
                let here = at.join("version");
                let version = self.string(v, &here);
                if let Some(bad) = version
                    .as_deref()
                    .filter(|v| *v != "preview" && !crate::rules::is_date(v))
                {
                    let message = format!(
                        "API version {bad:?}: expected a date such as \"2023-01-01\" or \"preview\""
                    );
                    self.error(&here, message);
                }
                version
            }
        };
        let mut params = Vec::new();
        if let Some(v) = map.get("params") {
            let here = at.join("params");
            match v.as_object() {
                Some(entries) => {
                    for (name, source) in entries {
                        if let Some(p) = self.watch_param(source, &here.join(name)) {
                            params.push((name.clone(), p));
                        }
                    }
                }
                None => self.error(
                    &here,
                    format!(
                        "expected an object of parameter names to `input:NAME` or `body:JSONPATH`, found {}",
                        json_type(v)
                    ),
                ),
            }
        }
        Some((operation_id?, version, params))
    }

    fn watch_param(&mut self, value: &Value, at: &Pointer) -> Option<WatchParam> {
        let text = self.string(value, at)?;
        if let Some(name) = text.strip_prefix("input:") {
            if name.is_empty() {
                self.error(at, "`input:` names no parameter");
                return None;
            }
            return Some(WatchParam::Input(name.to_owned()));
        }
        if let Some(path) = text.strip_prefix("body:") {
            return self
                .jsonpath(path, at)
                .then(|| WatchParam::Body(path.to_owned()));
        }
        self.error(
            at,
            format!("{text:?}: expected `input:NAME` (a parameter of the watched call) or `body:JSONPATH` (a value in its response)"),
        );
        None
    }

    fn expect(&mut self, value: &Value, at: &Pointer) -> Option<Expect> {
        let map = self.object(value, at, "`watcher.expect`", &["http-code", "match"])?;
        match (map.get("http-code"), map.get("match")) {
            (Some(_), Some(_)) => {
                self.error(
                    at,
                    "`watcher.expect` has both `http-code` and `match`; give one",
                );
                None
            }
            (None, None) => {
                self.error(at, "`watcher.expect` has neither `http-code` nor `match`");
                None
            }
            (Some(code), None) => {
                let here = at.join("http-code");
                match code.as_u64().filter(|c| (100..=599).contains(c)) {
                    Some(c) => u16::try_from(c).ok().map(Expect::HttpCode),
                    None => {
                        self.error(
                            &here,
                            format!("expected an HTTP status code (100 to 599), found {code}"),
                        );
                        None
                    }
                }
            }
            (None, Some(m)) => {
                let here = at.join("match");
                let known = ["path", "values"];
                let m = self.object(m, &here, "`watcher.expect.match`", &known)?;
                let path = match m.get("path") {
                    Some(p) => self
                        .string(p, &here.join("path"))
                        .filter(|p| self.jsonpath(p, &here.join("path"))),
                    None => {
                        self.error(&here, "`match` has no `path` (the JSONPath of the value)");
                        None
                    }
                };
                let values = match m.get("values") {
                    Some(v) => {
                        let values = self.strings(v, &here.join("values"));
                        if values.is_empty() && v.as_array().is_some_and(Vec::is_empty) {
                            self.error(&here.join("values"), "`values` is empty");
                        }
                        values
                    }
                    None => {
                        self.error(
                            &here,
                            "`match` has no `values` (the values that end the watch)",
                        );
                        Vec::new()
                    }
                };
                Some(Expect::Match {
                    path: path?,
                    values,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests;
