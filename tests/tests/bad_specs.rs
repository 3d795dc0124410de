//! Bad input: every spec in `tests/bad_specs/` ends in a useful error (with
//! the file, the JSON pointer, and line and column for syntax errors) or in
//! valid generated code, never a panic. The outcome of each is an insta
//! snapshot: `cargo insta review` after changing a message.

use std::path::{Path, PathBuf};

use atlas_codegen::{generate, load, Options};

/// Generates from `path`; returns a report of the outcome, for snapshots.
fn outcome(path: &Path) -> String {
    let result = load::load(path).and_then(|spec| generate(&spec, &Options::new("bad.yaml")));
    match result {
        Err(failure) => format!("FAILS\n{failure}\n"),
        Ok(generated) => {
            for (name, text) in generated.files.iter().filter(|(n, _)| n.ends_with(".rs")) {
                syn::parse_file(text).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
            }
            let mut out = format!("GENERATES {}\n", generated.summary);
            for w in &generated.warnings {
                out.push_str(&format!("{w}\n"));
            }
            out
        }
    }
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir("bad_specs")
        .expect("tests/bad_specs")
        .map(|e| e.expect("entry").path())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_bad_spec_ends_in_a_useful_error_or_valid_code() {
    let cases = cases();
    assert!(cases.len() >= 28, "{} cases", cases.len());
    for case in cases {
        let name = case
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("case")
            .to_owned();
        let report = outcome(&case);
        insta::assert_snapshot!(name, report);
    }
}

#[test]
fn errors_carry_file_pointer_and_position() {
    let report = outcome(Path::new("bad_specs/01_malformed_yaml.yaml"));
    assert!(
        report.contains("bad_specs/01_malformed_yaml.yaml:"),
        "{report}"
    );
    let report = outcome(Path::new("bad_specs/02_json_trailing_comma.json"));
    assert!(
        report.contains("bad_specs/02_json_trailing_comma.json:5:1"),
        "{report}"
    );
    let report = outcome(Path::new(
        "bad_specs/22_template_variable_without_param.yaml",
    ));
    assert!(report.contains("at #/paths/~1a~1{id}"), "{report}");
}

/// A spec of about 10 MB whose schemas nest 500 levels deep.
fn deep_spec() -> String {
    let depth = 500;
    let mut schema = String::from("{\"type\":\"string\"}");
    for i in 0..depth {
        schema = format!("{{\"type\":\"object\",\"properties\":{{\"level{i}\":{schema}}}}}");
    }
    let mut text = String::from(
        "{\"openapi\":\"3.0.1\",\"info\":{\"title\":\"deep\",\"version\":\"1\"},\"paths\":{\"/a\":{\"get\":{\"operationId\":\"getA\",\"responses\":{\"200\":{\"description\":\"ok\",\"content\":{\"application/json\":{\"schema\":{\"$ref\":\"#/components/schemas/S0\"}}}}}}}},\"components\":{\"schemas\":{",
    );
    let mut n = 0;
    while text.len() < 10 * 1024 * 1024 {
        if n > 0 {
            text.push(',');
        }
        text.push_str(&format!("\"S{n}\":{schema}"));
        n += 1;
    }
    text.push_str("}}}");
    text
}

#[test]
fn a_ten_megabyte_spec_nested_500_deep_is_an_error_not_a_crash() {
    let text = deep_spec();
    assert!(text.len() >= 10 * 1024 * 1024);
    // Run on a thread with an ordinary stack: a stack overflow would abort.
    let outcome = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            load::parse(Path::new("deep.json"), &text)
                .and_then(|spec| generate(&spec, &Options::new("deep.json")))
        })
        .expect("thread")
        .join()
        .expect("no panic");
    match outcome {
        Err(failure) => {
            let msg = failure.to_string();
            assert!(msg.contains("deep.json"), "{msg}");
            assert!(msg.contains("nest"), "{msg}");
        }
        Ok(generated) => {
            for (_, text) in generated.files.iter().filter(|(n, _)| n.ends_with(".rs")) {
                syn::parse_file(text).expect("parses");
            }
        }
    }
}
