#![doc = include_str!("ARCHITECTURE.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod atlascli;
pub mod corrections;
pub mod diag;
pub mod emit;
pub mod extensions;
pub mod format;
pub mod ir;
pub mod links;
pub mod load;
pub mod lower;
pub mod manifest;
pub mod names;
pub mod output;
pub mod overlay;
pub mod parse;
pub mod pattern;
pub mod rules;
pub mod spec_tools;

pub use diag::{Diagnostic, Failure, Pointer, Severity, WarningCode};

/// This generator's version (recorded in the crates it writes).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
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
    /// Which spec it was generated from (for a crate's metadata and docs).
    pub identity: ir::SpecIdentity,
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
    files.insert(
        emit::docs::OPERATIONS_TABLE.to_owned(),
        format::format_markdown(&emit::docs::operations_table(api), source),
    );
    Ok(files)
}

/// How to run the stages after loading.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// How the header of each generated file names the spec (a path
    /// relative to the workspace).
    pub source: String,
    /// How to lower the spec (which API version each operation is for).
    pub lower: lower::Options,
}

impl Options {
    /// Default lowering; generated files name the spec `source`.
    pub fn new(source: impl Into<String>) -> Self {
        Self {
            source: source.into(),
            lower: lower::Options::default(),
        }
    }
}

/// Runs every stage after loading on `spec` (read it, with any overlays,
/// through [`load::load_with_overlays`] or [`load::parse`]; the overlays'
/// warnings are then among [`Generated::warnings`]).
pub fn generate(spec: &load::Spec, options: &Options) -> Result<Generated, Failure> {
    let lowered = lower::lower_with(spec, &options.lower)?;
    let features = emit::features_block(&lowered.api);
    let files = emit_and_format(&lowered.api, &options.source).map_err(|(name, err)| {
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
        lines: files
            .iter()
            .filter(|(name, _)| name.ends_with(".rs"))
            .map(|(_, text)| text.lines().count())
            .sum(),
    };
    Ok(Generated {
        files,
        warnings: lowered.warnings,
        summary,
        features,
        identity: lowered.api.identity,
    })
}
