//! The generator behind `cargo xtask codegen` (and `cargo xtask crate`): it
//! turns the MongoDB Atlas Administration API's OpenAPI spec into the typed
//! client in `generated/`; [`spec_tools`] is `cargo xtask spec`.
//!
//! Stages, each with a typed boundary:
//! [`load`] (YAML/JSON into `openapiv3`, after any [`overlay`]s) -> [`lower`] (into the [`ir`]: resolved
//! names, types, validators and operations) -> [`emit`] (`quote!` per concept)
//! -> [`format`](mod@format) (prettyplease, `@generated` header) -> [`output`] (all files
//! or none).
//!
//! [`extensions`] names every `x-` key the generator reads, with its typed
//! reader; [`atlascli`] reads the Atlas CLI's `x-xgen-atlascli` extension
//! (watchers, flag aliases, help texts), [`pattern`] decides how each
//! `pattern` is enforced, [`diag`] holds diagnostics and warning kinds.
//! [`rules`] holds what the generator and
//! [`spec_tools::diff`](mod@spec_tools::diff) must decide alike (API version
//! and media type choice, body kinds, field shapes, scalar types).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod atlascli;
pub mod diag;
pub mod emit;
pub mod extensions;
pub mod format;
pub mod ir;
pub mod load;
pub mod lower;
pub mod manifest;
pub mod names;
pub mod output;
pub mod overlay;
pub mod pattern;
pub mod rules;
pub mod spec_tools;

use std::path::{Path, PathBuf};

pub use diag::{Diagnostic, Failure, Pointer, Severity, WarningCode};
pub use output::FileSet;

/// What one generation run produced.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Formatted files, by name (written to `generated/src/gen/`).
    pub files: FileSet,
    /// Warnings: fallbacks taken, patterns not enforced.
    pub warnings: Vec<Diagnostic>,
    /// Counts for the summary line.
    pub summary: Summary,
    /// The `[features]` lines of the generated crate's manifest (see
    /// [`manifest::splice`]).
    pub features: String,
}

/// Counts of what was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Operations.
    pub operations: usize,
    /// Structs and enums.
    pub types: usize,
    /// Validated string types.
    pub validated_strings: usize,
    /// Places kept as `serde_json::Value` because the spec could not be
    /// modelled exactly there.
    pub json_fallbacks: usize,
    /// Patterns that are not valid regexes and so not enforced.
    pub unenforced_patterns: usize,
    /// Lines of generated code.
    pub lines: usize,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} operations, {} types, {} validated string types, {} JSON fallbacks, {} unenforced patterns, {} lines",
            self.operations,
            self.types,
            self.validated_strings,
            self.json_fallbacks,
            self.unenforced_patterns,
            self.lines
        )
    }
}

/// Emits and formats every file, on as many threads as there are cores (at
/// most 4): each thread takes the next file, biggest first. Token streams
/// never cross threads; the IR is shared read-only.
fn emit_and_format(api: &ir::Api, source: &str) -> Result<FileSet, (String, syn::Error)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let jobs = emit::files(api);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(String, Result<String, syn::Error>)>> =
        Mutex::new(Vec::with_capacity(jobs.len()));
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 4);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((name, kind)) = jobs.get(i) else {
                    break;
                };
                let text = format::format_file(emit::emit_file(api, kind), source);
                if let Ok(mut done) = results.lock() {
                    done.push((name.clone(), text));
                }
            });
        }
    });
    let results = results
        .into_inner()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut files = FileSet::new();
    for (name, text) in results {
        files.insert(name.clone(), text.map_err(|err| (name, err))?);
    }
    Ok(files)
}

/// Runs every stage on the spec at `spec_path`. `source` is how the header of
/// each generated file names the spec (a path relative to the workspace).
pub fn generate(spec_path: &Path, source: &str) -> Result<Generated, Failure> {
    generate_with(spec_path, source, &lower::Options::default())
}

/// [`generate`] with options.
pub fn generate_with(
    spec_path: &Path,
    source: &str,
    options: &lower::Options,
) -> Result<Generated, Failure> {
    generate_with_overlays(spec_path, &[], source, options)
}

/// [`generate_with`], applying the overlays at `overlays` (files, in order;
/// expand directories first with [`overlay::expand`]) to the spec before
/// lowering. Their warnings are among [`Generated::warnings`].
pub fn generate_with_overlays(
    spec_path: &Path,
    overlays: &[PathBuf],
    source: &str,
    options: &lower::Options,
) -> Result<Generated, Failure> {
    let spec = load::load_with_overlays(spec_path, overlays)?;
    generate_from_with(&spec, source, options)
}

/// Runs the stages after loading.
pub fn generate_from(spec: &load::Spec, source: &str) -> Result<Generated, Failure> {
    generate_from_with(spec, source, &lower::Options::default())
}

/// Runs the stages after loading, with options.
pub fn generate_from_with(
    spec: &load::Spec,
    source: &str,
    options: &lower::Options,
) -> Result<Generated, Failure> {
    let lowered = lower::lower_with(spec, options)?;
    let features = emit::features_block(&lowered.api);
    let files = emit_and_format(&lowered.api, source).map_err(|(name, err)| {
        Failure::single(Diagnostic::error(
            &spec.file,
            &Pointer::root(),
            format!("internal error: generated {name} does not parse: {err}"),
        ))
    })?;
    let summary = Summary {
        operations: lowered.api.operations.len(),
        types: lowered.api.types.len(),
        validated_strings: lowered.api.newtypes.len(),
        json_fallbacks: lowered
            .warnings
            .iter()
            .filter(|w| w.code == Some(WarningCode::JsonFallback))
            .count(),
        unenforced_patterns: lowered
            .warnings
            .iter()
            .filter(|w| w.code == Some(WarningCode::UnenforcedPattern))
            .count(),
        lines: files.values().map(|t| t.lines().count()).sum(),
    };
    Ok(Generated {
        files,
        warnings: lowered.warnings,
        summary,
        features,
    })
}
