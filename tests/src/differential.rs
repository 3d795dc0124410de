//! The differential decoding test (`tests/differential_decoding.rs`): for
//! every operation of a spec and every documented response, JSON instances
//! made from the raw spec ([`crate::instances`]) that a JSON Schema
//! validator accepts are decoded by a crate generated from the spec, exactly
//! as its client decodes responses (`RawResponse::decode_for`), encoded
//! again and compared with the instance: nothing the instance holds may be
//! lost.
//!
//! The instances go into the generated crate as a JSON file beside a
//! generated test file (one `check` per operation), so the crate compiles
//! once per spec; that test writes what each case decoded to, and
//! [`run`] compares and reports.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use atlas_codegen::ir::{Api, Type};
use serde_json::{json, Value};

use crate::full_crate::{cargo, generate_crate};
use crate::instances::{self, Generator, Instance, ResponseCase};
use crate::{specs_dir, workspace_root};

/// The generated test's file name (in the crate's `tests/`).
const TEST_NAME: &str = "differential";

/// What a spec's run found.
#[derive(Debug, Default)]
pub struct Report {
    /// The spec file.
    pub spec: String,
    /// Operations generated.
    pub operations: usize,
    /// Documented responses (operation and status) tried.
    pub responses: usize,
    /// Responses whose chosen media type is not JSON (`+gzip`, `+csv`),
    /// which get no instances.
    pub not_json: usize,
    /// Instances made.
    pub generated: usize,
    /// Instances the validator accepts (the ones decoded).
    pub valid: usize,
    /// Valid instances that decoded (leniently, as the client does) with
    /// nothing lost.
    pub decoded: usize,
    /// Valid instances that also decode under strict decoding.
    pub strict: usize,
    /// Instances by kind: (kind, generated, valid, decoded).
    pub kinds: Vec<(String, usize, usize, usize)>,
    /// Why instances were invalid, counted (with one place each).
    pub invalid: Vec<(usize, String)>,
    /// Every invalid instance: operation, status, kind, validator's error,
    /// instance (one line each).
    pub invalid_list: Vec<String>,
    /// Valid instances that failed: operation, status, kind, error.
    pub failures: Vec<String>,
    /// Valid instances that decode leniently but not strictly (for
    /// information: the types are stricter than the spec there).
    pub strict_failures: Vec<String>,
    /// Patterns the validator cannot compile (left out of the check).
    pub dropped_patterns: usize,
    /// Unions none of whose branches gave a valid value.
    pub no_valid_branch: Vec<String>,
    /// Instances that could not be made, by kind.
    pub not_made: Vec<(String, usize)>,
    /// Patterns no matching string was found for.
    pub unmatched_patterns: Vec<String>,
    /// Seconds spent: (phase, seconds).
    pub timings: Vec<(&'static str, f64)>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "== {} ==", self.spec)?;
        writeln!(
            f,
            "{} operations, {} responses tried ({} not JSON); instances: {} generated, {} valid, {} decoded ({} also strictly)",
            self.operations, self.responses, self.not_json, self.generated, self.valid, self.decoded, self.strict
        )?;
        for (kind, generated, valid, decoded) in &self.kinds {
            writeln!(
                f,
                "  {kind:<16} {generated:>6} generated {valid:>6} valid {decoded:>6} decoded"
            )?;
        }
        let times: Vec<String> = self
            .timings
            .iter()
            .map(|(phase, s)| format!("{phase} {s:.1} s"))
            .collect();
        writeln!(f, "time: {}", times.join(", "))?;
        writeln!(
            f,
            "patterns: {} not compilable by the validator (not checked), {} without a matching sample",
            self.dropped_patterns,
            self.unmatched_patterns.len()
        )?;
        for p in &self.unmatched_patterns {
            writeln!(f, "  unmatched pattern {p}")?;
        }
        if !self.not_made.is_empty() {
            let not_made: Vec<String> = self
                .not_made
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            writeln!(
                f,
                "instances that could not be made: {}",
                not_made.join(", ")
            )?;
        }
        writeln!(
            f,
            "unions with no valid branch (optional places left out): {}",
            self.no_valid_branch.len()
        )?;
        for p in &self.no_valid_branch {
            writeln!(f, "  {p}")?;
        }
        if !self.invalid.is_empty() {
            writeln!(f, "invalid instances, by reason:")?;
            for (n, why) in self.invalid.iter().take(25) {
                writeln!(f, "  {n:>5} x {why}")?;
            }
        }
        writeln!(f, "failures ({}):", self.failures.len())?;
        for failure in &self.failures {
            writeln!(f, "  {failure}")?;
        }
        writeln!(
            f,
            "decoded leniently but not strictly ({}):",
            self.strict_failures.len()
        )?;
        for failure in self.strict_failures.iter().take(40) {
            writeln!(f, "  {failure}")?;
        }
        Ok(())
    }
}

/// The generated test file: one check per operation (by index into
/// `api.operations`), reading `differential_cases.json` and writing
/// `differential_results.json` beside it.
pub fn test_source(api: &Api, crate_name: &str) -> String {
    let mut checks = String::new();
    for op in &api.operations {
        // Binary bodies (`bytes::Bytes`) have no JSON form.
        let check = if op.success_type == Some(Type::Binary) {
            "check_opaque"
        } else {
            "check"
        };
        let _ = writeln!(
            checks,
            "    {check}::<{crate_name}::operations::{}<'static>>,",
            op.builder_name
        );
    }
    format!(
        r#"//! Written by the atlas-tests differential decoding harness: do not edit.

use std::panic::{{catch_unwind, AssertUnwindSafe}};

use {crate_name}::runtime::serde_helpers::with_options;
use {crate_name}::runtime::{{DecodeOptions, Decoder, Endpoint, RawResponse}};
use {crate_name}::Error;
use serde_json::{{json, Value}};

type Check = fn(u16, &[u8], DecodeOptions) -> Value;

fn raw(status: u16, body: &[u8]) -> RawResponse {{
    RawResponse::new(
        reqwest::StatusCode::from_u16(status).expect("a status code"),
        reqwest::header::HeaderMap::new(),
        bytes::Bytes::copy_from_slice(body),
        false,
    )
}}

fn encode<T: serde::Serialize>(kind: &str, value: &T) -> Value {{
    match serde_json::to_value(value) {{
        Ok(value) => json!({{ kind: value }}),
        Err(err) => json!({{ "err": format!("does not encode: {{err}}") }}),
    }}
}}

fn error<E: serde::Serialize + std::fmt::Debug + {crate_name}::runtime::ErrorDetails>(err: Error<E>) -> Value {{
    match err {{
        Error::Api {{ body, .. }} => encode("api_error", &body),
        other => json!({{ "err": other.to_string() }}),
    }}
}}

/// Decodes as the client does for operation `O` and encodes the result.
fn check<O: Endpoint>(status: u16, body: &[u8], options: DecodeOptions) -> Value
where
    <O::Decoder as Decoder>::Output: serde::Serialize,
    O::ErrorBody: serde::Serialize + std::fmt::Debug,
{{
    match with_options(options, || raw(status, body).decode_for::<O>()) {{
        Ok(response) => encode("success", &response.body),
        Err(err) => error(err),
    }}
}}

/// [`check`] for operations whose success body is binary.
fn check_opaque<O: Endpoint>(status: u16, body: &[u8], options: DecodeOptions) -> Value
where
    O::ErrorBody: serde::Serialize + std::fmt::Debug,
{{
    match with_options(options, || raw(status, body).decode_for::<O>()) {{
        Ok(_) => json!({{ "success": null }}),
        Err(err) => error(err),
    }}
}}

const OPERATIONS: &[Check] = &[
{checks}];

fn run(check: Check, status: u16, body: &[u8], options: DecodeOptions) -> Value {{
    catch_unwind(AssertUnwindSafe(|| check(status, body, options)))
        .unwrap_or_else(|_| json!({{ "err": "panicked" }}))
}}

#[test]
fn differential_decoding() {{
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
    let text = std::fs::read_to_string(format!("{{dir}}/differential_cases.json")).expect("cases");
    let cases: Vec<(usize, u16, String)> = serde_json::from_str(&text).expect("cases parse");
    let results: Vec<Value> = cases
        .iter()
        .map(|(op, status, body)| {{
            let check = OPERATIONS[*op];
            json!([
                run(check, *status, body.as_bytes(), DecodeOptions::LENIENT),
                run(check, *status, body.as_bytes(), DecodeOptions::STRICT),
            ])
        }})
        .collect();
    let out = serde_json::to_string(&results).expect("encode");
    std::fs::write(format!("{{dir}}/differential_results.json"), out).expect("write results");
}}
"#
    )
}

/// One valid instance sent to the generated test.
struct Sent<'c> {
    case: &'c ResponseCase,
    kind: String,
    body: Option<Value>,
}

fn seconds(since: Instant) -> f64 {
    since.elapsed().as_secs_f64()
}

/// The whole run for one spec file of `ATLAS_SPECS_DIR`: generates its
/// crate (in `target/full-spec-crates/`, as `full_spec.rs` does), makes and
/// validates the instances, decodes them in the crate and compares.
pub fn run(file: &str) -> Report {
    let spec_path = specs_dir().join(file);
    let dir = workspace_root()
        .join("target/full-spec-crates")
        .join(file.trim_end_matches(".yaml"));
    let mut report = Report {
        spec: file.to_owned(),
        ..Report::default()
    };

    // `DIFFERENTIAL_INSTANCES_ONLY=1`: make and check instances, decode none
    // (a quick look at the instance generator).
    let instances_only = std::env::var_os("DIFFERENTIAL_INSTANCES_ONLY").is_some();
    let start = Instant::now();
    if !instances_only {
        generate_crate(&spec_path, &dir);
    }
    let spec = atlas_codegen::load::load(&spec_path).expect("loads");
    let api = atlas_codegen::lower::lower(&spec).expect("lowers").api;
    report.operations = api.operations.len();
    report.timings.push(("generate crate", seconds(start)));

    let start = Instant::now();
    let text = std::fs::read_to_string(&spec_path).expect("spec reads");
    let doc = atlas_codegen::load::parse_value(&spec_path, &text).expect("spec parses");
    let cases = instances::response_cases(&doc, &api);
    let mut generator = Generator::new(&doc);
    let mut made: Vec<(&ResponseCase, Instance)> = Vec::new();
    for case in &cases {
        report.responses += 1;
        if case
            .media
            .as_deref()
            .is_some_and(|m| !atlas_codegen::rules::is_json_media(m))
        {
            report.not_json += 1;
        }
        for instance in generator.instances(case) {
            made.push((case, instance));
        }
    }
    report.dropped_patterns = generator.checker.stats.dropped_patterns.len();
    report.unmatched_patterns = generator.stats.unmatched_patterns.iter().cloned().collect();
    report.no_valid_branch = generator.stats.no_valid_branch.iter().cloned().collect();
    report.not_made = generator.stats.not_made.clone().into_iter().collect();
    report.generated = made.len();
    report.invalid_list = made
        .iter()
        .filter_map(|(case, i)| {
            let err = i.valid.as_ref().err()?;
            let body = i.body.as_ref().map(Value::to_string).unwrap_or_default();
            Some(format!(
                "{} {} [{}]: {err}\n    {body}",
                case.operation_id, case.status, i.kind
            ))
        })
        .collect();
    let kind_of = |kind: &str| kind.split('/').next().unwrap_or(kind).to_owned();
    let mut kinds: std::collections::BTreeMap<String, (usize, usize, usize)> = Default::default();
    for (_, i) in &made {
        let entry = kinds.entry(kind_of(&i.kind)).or_default();
        entry.0 += 1;
        if i.valid.is_ok() {
            entry.1 += 1;
        }
    }
    let reasons: Vec<String> = made
        .iter()
        .filter_map(|(case, i)| {
            i.valid.as_ref().err().map(|e| {
                // Group by the message without the instance's value.
                let short = e.split(" (at ").next().unwrap_or(e);
                let short: String = short.chars().take(120).collect();
                format!(
                    "{short} [e.g. {} {} {}]",
                    case.operation_id, case.status, i.kind
                )
            })
        })
        .collect();
    // Count by the reason alone, keep the first example's place.
    let mut grouped: Vec<(usize, String)> = Vec::new();
    for reason in &reasons {
        let key = reason.split(" [e.g.").next().unwrap_or(reason);
        match grouped
            .iter_mut()
            .find(|(_, r)| r.split(" [e.g.").next() == Some(key))
        {
            Some(entry) => entry.0 += 1,
            None => grouped.push((1, reason.clone())),
        }
    }
    grouped.sort_by_key(|g| std::cmp::Reverse(g.0));
    report.invalid = grouped;
    let sent: Vec<Sent> = made
        .into_iter()
        .filter(|(_, i)| i.valid.is_ok())
        .map(|(case, i)| Sent {
            case,
            kind: i.kind,
            body: i.body,
        })
        .collect();
    report.valid = sent.len();
    report.timings.push(("instances", seconds(start)));
    if instances_only {
        report.kinds = kinds
            .into_iter()
            .map(|(k, (generated, valid, decoded))| (k, generated, valid, decoded))
            .collect();
        return report;
    }

    let start = Instant::now();
    let index: std::collections::HashMap<&str, usize> = api
        .operations
        .iter()
        .enumerate()
        .map(|(i, op)| (op.builder_name.as_str(), i))
        .collect();
    let wire: Vec<Value> = sent
        .iter()
        .map(|s| {
            let body = s
                .body
                .as_ref()
                .map(|b| serde_json::to_string(b).unwrap_or_default())
                .unwrap_or_default();
            json!([index[s.case.builder.as_str()], s.case.status, body])
        })
        .collect();
    let tests = dir.join("tests");
    std::fs::create_dir_all(&tests).expect("mkdir");
    write(
        &tests.join("differential_cases.json"),
        &Value::Array(wire).to_string(),
    );
    write(
        &tests.join(format!("{TEST_NAME}.rs")),
        &test_source(&api, "atlas_admin_api"),
    );
    let _ = std::fs::remove_file(tests.join("differential_results.json"));
    cargo(&dir, &["test", "--quiet", "--test", TEST_NAME]);
    report.timings.push(("compile and decode", seconds(start)));

    let results: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(tests.join("differential_results.json")).expect("results"),
    )
    .expect("results parse");
    assert_eq!(results.len(), sent.len(), "one result per case");
    for (s, result) in sent.iter().zip(&results) {
        let place = format!("{} {} [{}]", s.case.operation_id, s.case.status, s.kind);
        let expected = if s.case.status < 300 {
            "success"
        } else {
            "api_error"
        };
        match check_result(&result[0], expected, s.body.as_ref()) {
            Ok(()) => {
                report.decoded += 1;
                kinds.entry(kind_of(&s.kind)).or_default().2 += 1;
            }
            Err(why) => report.failures.push(format!(
                "{place}: {why}\n      instance: {}",
                clip(&s.body.as_ref().map(Value::to_string).unwrap_or_default())
            )),
        }
        match check_result(&result[1], expected, None) {
            Ok(()) => report.strict += 1,
            Err(why) => report.strict_failures.push(format!("{place}: {why}")),
        }
    }
    report.kinds = kinds
        .into_iter()
        .map(|(k, (generated, valid, decoded))| (k, generated, valid, decoded))
        .collect();
    report
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

fn clip(text: &str) -> String {
    if text.chars().count() > 300 {
        let cut: String = text.chars().take(300).collect();
        format!("{cut}...")
    } else {
        text.to_owned()
    }
}

/// Checks one decoding result: the expected outcome (`success` or
/// `api_error`) and, given the instance, that nothing of it was lost.
fn check_result(result: &Value, expected: &str, instance: Option<&Value>) -> Result<(), String> {
    if let Some(err) = result.get("err") {
        return Err(format!("error: {}", err.as_str().unwrap_or_default()));
    }
    let Some(decoded) = result.get(expected) else {
        return Err(format!("decoded as {result}, expected {expected}"));
    };
    if let Some(instance) = instance {
        let lost = instances::losses(instance, decoded);
        if !lost.is_empty() {
            return Err(format!(
                "lost in decoding: {}\n      decoded: {}",
                lost.join("; "),
                clip(&decoded.to_string())
            ));
        }
    }
    Ok(())
}
