#![doc = include_str!("MAINTAINING.md")]

pub mod cli;
pub mod fetch;
pub mod history;
pub mod install;
mod overlay_args;
pub mod release;
pub mod semver;
pub mod spec;
pub mod standalone;
pub mod version;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use atlas_codegen::{output, Diagnostic};

/// The spec `cargo xtask codegen` reads by default, relative to the workspace.
pub const DEFAULT_SPEC: &str = "spec/atlas-admin-api.yaml";
/// Where generated code goes by default, relative to the workspace.
pub const DEFAULT_OUT: &str = "generated/src/gen";
/// The generated crate's manifest, whose features codegen writes.
pub const DEFAULT_MANIFEST: &str = "generated/Cargo.toml";
/// The overlays `cargo xtask codegen` applies by default (when the directory
/// exists), relative to the workspace.
pub const DEFAULT_OVERLAYS: &str = "spec/overlays";

/// The default overlays of the workspace at `root`: [`DEFAULT_OVERLAYS`] if
/// that directory exists, else none.
pub fn default_overlays(root: &Path) -> Vec<PathBuf> {
    let dir = root.join(DEFAULT_OVERLAYS);
    if dir.is_dir() {
        vec![dir]
    } else {
        Vec::new()
    }
}

/// The workspace root: the parent of the `xtask` package directory.
///
/// `cargo run` (and so `cargo xtask`) sets `CARGO_MANIFEST_DIR` at run time
/// to the package of the checkout it was invoked in; that is preferred over
/// the directory compiled into the binary, which is another checkout's when
/// cargo reuses an `xtask` binary built there (a shared `CARGO_TARGET_DIR`).
/// Without the variable (the binary run directly), the compiled-in one.
pub fn project_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest_dir
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or(manifest_dir)
}

/// Options of `cargo xtask codegen`; [`CodegenArgs::defaults`] are those of
/// `cargo xtask codegen` with no flags.
#[derive(Debug, Clone)]
pub struct CodegenArgs {
    /// The spec to read.
    pub spec: PathBuf,
    /// The directory to write (replaced as a whole).
    pub out: PathBuf,
    /// Compare instead of writing.
    pub check: bool,
    /// Fail on warnings.
    pub deny_warnings: bool,
    /// The manifest whose generated `[features]` lines to write. `None`
    /// means `generated/Cargo.toml` when writing the default output
    /// directory, and no manifest otherwise.
    pub manifest: Option<PathBuf>,
    /// Which API version each operation is generated for.
    pub version: atlas_codegen::lower::VersionPin,
    /// Overlay files and directories (each directory standing for its
    /// `*.yaml`, `*.yml` and `*.json` files in file-name order), applied in
    /// order to the spec before lowering.
    pub overlays: Vec<PathBuf>,
}

impl CodegenArgs {
    /// The defaults for a workspace at `root`.
    pub fn defaults(root: &Path) -> Self {
        Self {
            spec: root.join(DEFAULT_SPEC),
            out: root.join(DEFAULT_OUT),
            check: false,
            deny_warnings: false,
            manifest: None,
            version: atlas_codegen::lower::VersionPin::Latest,
            overlays: default_overlays(root),
        }
    }

    /// The manifest to update, if any (see [`CodegenArgs::manifest`]).
    pub fn manifest_path(&self, root: &Path) -> Option<PathBuf> {
        match &self.manifest {
            Some(path) => Some(path.clone()),
            None if self.out == root.join(DEFAULT_OUT) => Some(root.join(DEFAULT_MANIFEST)),
            None => None,
        }
    }
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Lists warnings once each, grouped by kind, and the same message at
/// several places as one entry with every place under it.
pub fn list_warnings(warnings: &[Diagnostic], out: &mut String) {
    use std::collections::BTreeMap;
    if warnings.is_empty() {
        return;
    }
    let mut groups: BTreeMap<&str, BTreeMap<&str, Vec<&Diagnostic>>> = BTreeMap::new();
    for w in warnings {
        groups
            .entry(w.code.map_or("", atlas_codegen::WarningCode::as_str))
            .or_default()
            .entry(w.message.as_str())
            .or_default()
            .push(w);
    }
    let _ = writeln!(out, "{} warning(s):", warnings.len());
    for (code, messages) in groups {
        let count: usize = messages.values().map(Vec::len).sum();
        let kind = if code.is_empty() { "other" } else { code };
        let _ = writeln!(out, "warning[{kind}] ({count}):");
        for (message, places) in messages {
            let _ = writeln!(out, "  {message}");
            for place in places {
                let _ = writeln!(out, "    --> {} at {}", place.file.display(), place.pointer);
            }
        }
    }
}

/// Runs codegen; `Ok` carries the report for stdout, `Err` the one for stderr.
pub fn codegen(args: &CodegenArgs, root: &Path) -> Result<String, String> {
    codegen_with_identity(args, root).map(|(report, _)| report)
}

/// [`codegen`], also returning which spec the code was generated from.
pub fn codegen_with_identity(
    args: &CodegenArgs,
    root: &Path,
) -> Result<(String, atlas_codegen::ir::SpecIdentity), String> {
    let started = Instant::now();
    let source = relative(&args.spec, root);
    let mut report = String::new();
    let options = atlas_codegen::Options {
        source: source.clone(),
        lower: atlas_codegen::lower::Options {
            version: args.version.clone(),
        },
    };
    let overlays = match atlas_codegen::overlay::expand(&args.overlays) {
        Ok(files) => files,
        Err(failure) => {
            let _ = writeln!(report, "{failure}");
            let _ = writeln!(report, "error: generation failed; nothing was written");
            return Err(report);
        }
    };
    if !overlays.is_empty() {
        let names: Vec<String> = overlays.iter().map(|o| relative(o, root)).collect();
        let _ = writeln!(report, "overlays: {}", names.join(", "));
    }
    let generated =
        match atlas_codegen::load::load_with_overlays(&args.spec, &overlays).and_then(|spec| {
            // Our corrections (generator/corrections.yaml) that changed it.
            if let Some(line) = atlas_codegen::corrections::summary(&spec.corrections) {
                let _ = writeln!(report, "{line}");
            }
            atlas_codegen::generate(&spec, &options)
        }) {
            Ok(g) => g,
            Err(failure) => {
                let _ = writeln!(report, "{failure}");
                let _ = writeln!(report, "error: generation failed; nothing was written");
                return Err(report);
            }
        };
    list_warnings(&generated.warnings, &mut report);
    if args.deny_warnings && !generated.warnings.is_empty() {
        let _ = writeln!(
            report,
            "error: --deny-warnings: {} warning(s); nothing was written",
            generated.warnings.len()
        );
        return Err(report);
    }
    let out_label = relative(&args.out, root);
    let mut stale = output::stale_files(&args.out, &generated.files)
        .map_err(|err| format!("error: cannot read {out_label}: {err}\n"))?;
    let mut extra = Vec::new();
    if let Some(manifest) = args.manifest_path(root) {
        let label = relative(&manifest, root);
        let current = std::fs::read_to_string(&manifest)
            .map_err(|err| format!("error: cannot read {label}: {err}\n"))?;
        let updated = atlas_codegen::manifest::splice(&current, &generated.features)
            .map_err(|err| format!("error: {label}: {err}\n"))?;
        if let Some(s) = output::stale_file(&manifest, &updated)
            .map_err(|err| format!("error: cannot read {label}: {err}\n"))?
        {
            stale.push(s);
            extra.push((manifest, updated));
        }
    }
    if args.check {
        if stale.is_empty() {
            let _ = writeln!(report, "{out_label} is up to date ({})", generated.summary);
            return Ok((report, generated.identity));
        }
        for s in &stale {
            let _ = writeln!(
                report,
                "stale: {}",
                s.to_string().replace(&format!("{}/", root.display()), "")
            );
        }
        let _ = writeln!(report, "error: generated code is out of date with {source}; run `cargo xtask codegen` and commit the result");
        return Err(report);
    }
    if stale.is_empty() {
        let _ = writeln!(
            report,
            "{out_label} is already up to date ({})",
            generated.summary
        );
        return Ok((report, generated.identity));
    }
    if let Err(err) = output::write_all(&args.out, &generated.files, &extra) {
        let _ = writeln!(
            report,
            "error: writing {out_label} failed, nothing was changed: {err}"
        );
        return Err(report);
    }
    let _ = writeln!(
        report,
        "wrote {out_label} from {source}: {} in {:.0?}",
        generated.summary,
        started.elapsed()
    );
    Ok((report, generated.identity))
}
