//! Every response a spec-valid server sends decodes: for each operation of
//! the three upstream specs and each documented response (2xx and errors),
//! instances made from the raw spec and accepted by a JSON Schema validator
//! (the spec's examples, a minimal one, a maximal one, one with `null`
//! wherever the spec allows it, an empty body where content has no schema)
//! decode through the generated client's own decoding, and nothing they
//! hold is lost when the decoded value is encoded again. See
//! `atlas_tests::differential`.

use atlas_tests::differential::{run, Report};

fn check(report: &Report) {
    println!("{report}");
    let path = atlas_tests::workspace_root()
        .join("target/full-spec-crates")
        .join(format!(
            "{}.differential.txt",
            report.spec.trim_end_matches(".yaml")
        ));
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    let _ = std::fs::write(&path, report.to_string());
    let _ = std::fs::write(
        path.with_extension("invalid.txt"),
        report.invalid_list.join("\n"),
    );
    assert!(report.valid > 0, "no valid instances:\n{report}");
    if std::env::var_os("DIFFERENTIAL_INSTANCES_ONLY").is_some() {
        return;
    }
    assert!(
        report.failures.is_empty(),
        "{} of {} valid instances did not decode losslessly:\n{report}",
        report.failures.len(),
        report.valid
    );
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn combined_spec_responses_decode() {
    let report = run("atlas-api-v2-combined.yaml");
    assert_eq!(report.operations, 540, "{report}");
    check(&report);
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn per_version_spec_responses_decode() {
    check(&run("openapi-2024-08-05.yaml"));
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn sdk_transformed_spec_responses_decode() {
    check(&run("atlas-sdk-go-atlas-api-transformed.yaml"));
}
