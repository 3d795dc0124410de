//! The spec diff's bump against cargo-semver-checks on the published
//! history of the Atlas spec: for each consecutive pair of specs in the
//! folder `ATLAS_HISTORY_DIR` names (file-name order; README: "The
//! published history of the spec"), the crates of both are generated and
//! cargo-semver-checks says what the API change requires. Built with
//! xtask's feature `published-history` only (`ATLAS_HISTORY_DIR=DIR cargo
//! test -p xtask --features published-history --test semver_history`).
//!
//! They agree when the spec diff calls for a major release exactly when
//! cargo-semver-checks does, and for a patch only when cargo-semver-checks
//! requires nothing. (cargo-semver-checks does not ask for a minor release
//! for additions, which the spec diff, following semver, does; and it does
//! not check types, where the spec diff can be stricter: then the pair is
//! reported, and fails, with the lints, for a person to judge.)

use std::path::{Path, PathBuf};

use atlas_codegen::spec_tools::{diff, read_document, DiffOptions};
use xtask::release::{bump_for, Bump, Version};

fn specs(dir: &Path) -> Vec<PathBuf> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("ATLAS_HISTORY_DIR")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    specs.sort();
    specs
}

#[test]
fn consecutive_published_specs_bump_as_cargo_semver_checks_requires() {
    let Some(dir) = std::env::var_os("ATLAS_HISTORY_DIR") else {
        panic!("set ATLAS_HISTORY_DIR to a folder of published specs");
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_owned();
    let specs = specs(Path::new(&dir));
    assert!(
        specs.len() >= 2,
        "ATLAS_HISTORY_DIR needs two specs or more"
    );
    let work = root.join("target/semver-history");
    let mut disagreements = Vec::new();
    for pair in specs.windows(2) {
        let (old, new) = (&pair[0], &pair[1]);
        let report = diff(
            &read_document(old).expect("old spec"),
            &read_document(new).expect("new spec"),
            &DiffOptions::default(),
        )
        .expect("spec diff");
        let counts = report.counts();
        let bump = bump_for(&report);
        // The new crate as a patch release: cargo-semver-checks then says
        // the least the change requires.
        let verdict = xtask::semver::check(
            &root,
            (old, Version(1, 0, 0)),
            (new, Version(1, 0, 1)),
            &work,
        )
        .expect("cargo-semver-checks ran");
        let required = verdict.required.unwrap_or(Bump::Patch);
        let agree = (bump == Bump::Major) == (required == Bump::Major)
            && (bump != Bump::Patch || required == Bump::Patch);
        let name = |p: &Path| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let line = format!(
            "{} -> {}: spec diff {bump:?} ({} breaking, {} non-breaking); cargo-semver-checks requires {required:?} ({}; lints: {})",
            name(old),
            name(new),
            counts.breaking,
            counts.non_breaking,
            verdict.summary,
            verdict.lints.join(", ")
        );
        println!("{line}");
        if !agree {
            disagreements.push(line);
        }
    }
    assert!(
        disagreements.is_empty(),
        "the spec diff and cargo-semver-checks disagree:\n{}",
        disagreements.join("\n")
    );
}
