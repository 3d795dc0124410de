//! How long `cargo xtask spec extract` takes on the 4 MB combined upstream
//! spec: parsing, extracting (one and eight operations), writing YAML, and
//! all of it together. Reads the folder named by `ATLAS_SPECS_DIR` (relative
//! to the workspace root); without it, prints why and does nothing.
//!
//! `ATLAS_SPECS_DIR=../shared/specs/atlas cargo bench -p atlas-codegen --bench spec_extract`
//!
//! A measurement (from the README of 2026-12): extracting one operation
//! took about 0.13 ms once parsed, and about 110 ms including parsing and
//! writing YAML.

mod common;
use common::combined_spec;
use std::hint::black_box;
use std::time::Duration;

use atlas_codegen::spec_tools::{extract, parse_document, to_yaml};
use criterion::Criterion;

const EIGHT: [&str; 8] = [
    "createBackupExport",
    "getBackupExport",
    "listBackupExports",
    "createExportBucket",
    "getExportBucket",
    "listExportBuckets",
    "deleteExportBucket",
    "updateBackupExportBucket",
];

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn main() {
    let Some(path) = combined_spec() else {
        println!("spec_extract: skipped, needs ATLAS_SPECS_DIR (upstream Atlas specs)");
        return;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(err) => {
            println!(
                "spec_extract: skipped, cannot read {}: {err}",
                path.display()
            );
            return;
        }
    };
    let doc = match parse_document(&path, &text) {
        Ok(doc) => doc,
        Err(failure) => {
            println!("spec_extract: skipped, {failure}");
            return;
        }
    };
    let one = names(&["createBackupExport"]);
    let eight = names(&EIGHT);
    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    c.bench_function("parse the 4 MB combined spec", |b| {
        b.iter(|| parse_document(&path, black_box(&text)).map(|d| d.root.is_object()))
    });
    c.bench_function("extract createBackupExport (parsed spec)", |b| {
        b.iter(|| extract(black_box(&doc), &one).map(|e| e.operations.len()))
    });
    c.bench_function("extract 8 backup-export operations (parsed spec)", |b| {
        b.iter(|| extract(black_box(&doc), &eight).map(|e| e.operations.len()))
    });
    c.bench_function("read, extract createBackupExport, write YAML", |b| {
        b.iter(|| {
            let doc = parse_document(&path, black_box(&text)).ok()?;
            let extracted = extract(&doc, &one).ok()?;
            to_yaml(&path, &extracted.root).ok().map(|t| t.len())
        })
    });
    c.final_summary();
}
