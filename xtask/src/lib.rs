//! The logic behind `cargo xtask`, as a library so tests can call it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use atlas_codegen::{output, Diagnostic};

/// The spec `cargo xtask codegen` reads by default, relative to the workspace.
pub const DEFAULT_SPEC: &str = "spec/atlas-admin-api.yaml";
/// Where generated code goes by default, relative to the workspace.
pub const DEFAULT_OUT: &str = "generated/src/gen";

/// Options of `cargo xtask codegen`.
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
}

impl CodegenArgs {
    /// The defaults for a workspace at `root`.
    pub fn defaults(root: &Path) -> Self {
        Self {
            spec: root.join(DEFAULT_SPEC),
            out: root.join(DEFAULT_OUT),
            check: false,
            deny_warnings: false,
        }
    }
}

fn relative(path: &Path, root: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

fn list_warnings(warnings: &[Diagnostic], out: &mut String) {
    if warnings.is_empty() {
        return;
    }
    let _ = writeln!(out, "{} warning(s):", warnings.len());
    for w in warnings {
        let _ = writeln!(out, "{w}");
    }
}

/// Runs codegen; `Ok` carries the report for stdout, `Err` the one for stderr.
pub fn codegen(args: &CodegenArgs, root: &Path) -> Result<String, String> {
    let started = Instant::now();
    let source = relative(&args.spec, root);
    let mut report = String::new();
    let generated = match atlas_codegen::generate(&args.spec, &source) {
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
    let stale = output::stale_files(&args.out, &generated.files)
        .map_err(|err| format!("error: cannot read {out_label}: {err}\n"))?;
    if args.check {
        if stale.is_empty() {
            let _ = writeln!(report, "{out_label} is up to date ({})", generated.summary);
            return Ok(report);
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
        return Ok(report);
    }
    if let Err(err) = output::write_all(&args.out, &generated.files) {
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
    Ok(report)
}
