//! `--jq EXPR`: a jq filter over the JSON answer, run by
//! [jaq](https://github.com/01mf02/jaq) (its core, standard library and
//! JSON values). The filter is compiled before anything is sent, so a bad
//! expression costs no request; an error while it runs fails the command.
//! As in `gh api --jq`, a string result prints as raw text, anything else
//! as indented JSON, one result per line.

use jaq_core::data::JustLut;
use jaq_core::load::{lex, parse, Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars};
use jaq_json::Val;
use serde::Deserialize;

use crate::error::CliError;

/// A compiled `--jq` filter.
pub struct JqFilter {
    expr: String,
    filter: jaq_core::Filter<JustLut<Val>>,
}

impl std::fmt::Debug for JqFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JqFilter")
            .field("expr", &self.expr)
            .finish()
    }
}

impl JqFilter {
    /// Parses and compiles `expr`; a usage error (nothing sent) that says
    /// where it is wrong when it is not a valid filter.
    pub fn new(expr: &str) -> Result<Self, CliError> {
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs());
        let funs = jaq_core::funs()
            .chain(jaq_std::funs())
            .chain(jaq_json::funs());
        let loader = Loader::new(defs);
        let arena = Arena::default();
        let program = File {
            code: expr,
            path: (),
        };
        let bad = |what: String| CliError::usage(format!("--jq {expr:?}: {what}"));
        let modules = loader
            .load(&arena, program)
            .map_err(|errors| bad(load_errors(expr, errors)))?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| {
                let names: Vec<String> = errors
                    .into_iter()
                    .flat_map(|(_, undefined)| undefined)
                    .map(|(name, kind)| format!("undefined {} {name}", kind.as_str()))
                    .collect();
                bad(names.join("; "))
            })?;
        Ok(Self {
            expr: expr.to_owned(),
            filter,
        })
    }

    /// Runs the filter on `input`: the bytes to print, one line per result
    /// (strings raw, other values as indented JSON). An error the filter
    /// raises fails the command (exit status 1).
    pub fn run(&self, input: &serde_json::Value) -> Result<Vec<u8>, CliError> {
        self.run_as(input, Some("  "))
    }

    /// As [`Self::run`], each result on one line (compact JSON), for
    /// `--ndjson`.
    pub fn run_compact(&self, input: &serde_json::Value) -> Result<Vec<u8>, CliError> {
        self.run_as(input, None)
    }

    fn run_as(&self, input: &serde_json::Value, indent: Option<&str>) -> Result<Vec<u8>, CliError> {
        let input = Val::deserialize(input)
            .map_err(|err| CliError::failure(format!("--jq: cannot read the answer: {err}")))?;
        let ctx = Ctx::<JustLut<Val>>::new(&self.filter.lut, Vars::new([]));
        let pp = jaq_json::write::Pp {
            indent: indent.map(str::to_owned),
            sep_space: indent.is_some(),
            ..Default::default()
        };
        let mut out = Vec::new();
        for result in self.filter.id.run((ctx, input)) {
            let value = result.map_err(|exn| match exn.get_err() {
                Ok(err) => CliError::failure(format!("--jq {:?}: {err}", self.expr)),
                Err(exn) => match exn.get_halt() {
                    Ok(code) => CliError {
                        exit_code: if code == 0 { 1 } else { code },
                        ..CliError::failure(format!("--jq {:?}: halted ({code})", self.expr))
                    },
                    Err(_) => CliError::failure(format!("--jq {:?}: failed", self.expr)),
                },
            })?;
            match &value {
                Val::TStr(text) => out.extend_from_slice(text),
                other => jaq_json::write::write(&mut out, &pp, 0, other).map_err(|err| {
                    CliError::failure(format!("--jq: cannot print a result: {err}"))
                })?,
            }
            out.push(b'\n');
        }
        Ok(out)
    }
}

/// Where `expr` breaks, for each lex or parse error: the offset and what
/// was expected there.
fn load_errors(expr: &str, errors: jaq_core::load::Errors<&str, ()>) -> String {
    let at = |rest: &str| {
        // The error's text is the part of `expr` from where it was found.
        expr.len().saturating_sub(rest.len())
    };
    let mut messages = Vec::new();
    for (_, error) in errors {
        match error {
            jaq_core::load::Error::Io(files) => {
                messages.extend(
                    files
                        .into_iter()
                        .map(|(path, err)| format!("{path}: {err}")),
                );
            }
            jaq_core::load::Error::Lex(errors) => {
                for (expect, rest) in errors {
                    let expected = match expect {
                        lex::Expect::Delim(open) if !["(", "[", "{", "\""].contains(&open) => {
                            format!("the closing pair of {open}")
                        }
                        other => other.as_str().to_owned(),
                    };
                    messages.push(format!("expected {expected} at offset {}", at(rest)));
                }
            }
            jaq_core::load::Error::Parse(errors) => {
                for (expect, rest) in errors {
                    let found = if rest.is_empty() {
                        "the end".to_owned()
                    } else {
                        format!("{:?}", rest.chars().take(20).collect::<String>())
                    };
                    messages.push(format!(
                        "expected {} at offset {}, found {found}",
                        parse_expected(&expect),
                        at(rest)
                    ));
                }
            }
        }
    }
    if messages.is_empty() {
        "not a valid jq filter".to_owned()
    } else {
        messages.join("; ")
    }
}

fn parse_expected(expect: &parse::Expect<&str>) -> String {
    expect.as_str().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_run_and_errors_are_named() {
        let filter = JqFilter::new(".results | map(.id) | add").expect("compiles");
        let out = filter
            .run(&serde_json::json!({"results": [{"id": 1}, {"id": 2}]}))
            .expect("runs");
        assert_eq!(out, b"3\n");
        let names = JqFilter::new(".results[].name").expect("compiles");
        let out = names
            .run(&serde_json::json!({"results": [{"name": "a"}, {"name": "b"}]}))
            .expect("runs");
        assert_eq!(String::from_utf8_lossy(&out), "a\nb\n");
        let object = JqFilter::new("{n: .a}").expect("compiles");
        assert_eq!(
            String::from_utf8_lossy(&object.run(&serde_json::json!({"a": [1]})).expect("runs")),
            "{\n  \"n\": [\n    1\n  ]\n}\n"
        );

        let bad = JqFilter::new(".results[").expect_err("does not parse");
        assert_eq!(bad.exit_code, crate::EXIT_USAGE);
        assert!(
            bad.message.contains("--jq \".results[\""),
            "{}",
            bad.message
        );
        let undefined = JqFilter::new("nosuchfilter(1)").expect_err("undefined");
        assert!(
            undefined.message.contains("undefined filter nosuchfilter"),
            "{}",
            undefined.message
        );
        let runtime = JqFilter::new(".a + 1").expect("compiles");
        let err = runtime
            .run(&serde_json::json!({"a": "text"}))
            .expect_err("a string plus a number fails");
        assert_eq!(err.exit_code, crate::EXIT_FAILURE);
    }
}
