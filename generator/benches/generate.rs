//! Generation of the whole combined upstream spec (540 operations), stage by
//! stage: parse (YAML into `openapiv3`), lower (the IR), emit (tokens),
//! format (prettyplease), and all of them end to end (parse, then lower,
//! emit and format on parallel threads, as `cargo xtask codegen` runs them,
//! without writing files); and, as the baseline, the YAML parsed into a
//! generic YAML tree alone. Reads the folder named
//! by `ATLAS_SPECS_DIR` (relative to the workspace root); without it, prints
//! why and does nothing.
//!
//! `ATLAS_SPECS_DIR=../shared/specs/atlas cargo bench -p atlas-codegen --bench generate`

mod common;
use common::combined_spec;

/// The allocator `cargo xtask` runs with, so that the figures are its own.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use atlas_codegen::{emit, format, load, lower};
use criterion::Criterion;

fn main() {
    let Some(path) = combined_spec() else {
        eprintln!(
            "generate bench: set ATLAS_SPECS_DIR to the folder of the upstream specs; skipped"
        );
        return;
    };
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("generate bench: cannot read {}; skipped", path.display());
        return;
    };
    let mut c = Criterion::default()
        .sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .warm_up_time(Duration::from_secs(2))
        .configure_from_args();
    let file = Path::new("atlas-api-v2-combined.yaml");
    let Ok(spec) = load::parse(file, &text) else {
        eprintln!("generate bench: the spec does not load; skipped");
        return;
    };
    let options = lower::Options::default();
    let Ok(lowered) = lower::lower_with(&spec, &options) else {
        eprintln!("generate bench: the spec does not lower; skipped");
        return;
    };
    let files = emit::emit(&lowered.api);

    let mut group = c.benchmark_group("generate_combined_spec");
    // The baseline the targets are stated against: the YAML parsed into a
    // generic YAML tree, nothing else.
    group.bench_function("0_yaml_only", |b| {
        b.iter(|| serde_yaml::from_str::<serde_yaml::Value>(black_box(&text)).map(|_| ()))
    });
    group.bench_function("1_parse", |b| {
        b.iter(|| load::parse(file, black_box(&text)))
    });
    group.bench_function("2_lower", |b| {
        b.iter(|| lower::lower_with(black_box(&spec), &options))
    });
    group.bench_function("3_emit", |b| b.iter(|| emit::emit(black_box(&lowered.api))));
    group.bench_function("4_format", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|f| format::format_file(f.tokens.clone(), "spec").map(|t| t.len()))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function("end_to_end", |b| {
        b.iter(|| {
            load::parse(file, black_box(&text)).and_then(|spec| {
                atlas_codegen::generate(&spec, &atlas_codegen::Options::new("spec"))
            })
        })
    });
    group.finish();
    c.final_summary();
}
