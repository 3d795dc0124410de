//! cargo-semver-checks on the generated crate: the judge of what a release
//! must bump where the spec diff cannot see (Rust names, cargo features).
//!
//! [`check`] generates the crate of one spec and of another (`cargo xtask
//! crate`'s standalone crates, with the overlays `codegen` applies) into a
//! work folder, gives them the versions before and after the proposed
//! release, and runs `cargo semver-checks check-release` between them with
//! every feature on (the mock stubs and the command line are API too).
//! cargo-semver-checks reads the kind of release from the two versions, the
//! way cargo does (`0.3.1` to `0.4.0` is a major release), and fails when
//! the API change needs more than that.
//!
//! `cargo xtask release` runs it when it is installed and takes the larger
//! of the two bumps; `cargo xtask release --check` (CI) fails when the bump
//! the spec diff proposes is smaller than what cargo-semver-checks requires.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::version::{Bump, Version};

/// The cargo-semver-checks version CI installs (`.ci/run`) and the README
/// names.
pub const PINNED: &str = "0.51.0";

/// `cargo semver-checks --version` (`cargo-semver-checks 0.51.0`), when it
/// is installed.
pub fn installed_version() -> Option<String> {
    let out = Command::new("cargo")
        .args(["semver-checks", "--version"])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// What cargo-semver-checks said about a proposed release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The proposed version is enough for the API change.
    pub passed: bool,
    /// What the change needs when the proposal is not enough (`Major` or
    /// `Minor`); `None` when it passed.
    pub required: Option<Bump>,
    /// Its summary line (`semver requires new major version: 1 major and 0
    /// minor checks failed`).
    pub summary: String,
    /// The names of the lints that failed (`enum_variant_missing`, ...).
    pub lints: Vec<String>,
    /// Its whole output.
    pub output: String,
}

/// The summary, the required bump and the failed lints of
/// cargo-semver-checks' output.
pub fn parse_output(output: &str, passed: bool) -> Verdict {
    let summary = output
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("Summary"))
        .map(|l| l.trim().to_owned())
        .unwrap_or_default();
    let required = if passed {
        None
    } else if summary.contains("new major version") {
        Some(Bump::Major)
    } else if summary.contains("new minor version") {
        Some(Bump::Minor)
    } else {
        // A failure without a summary (a build error): the most careful answer.
        Some(Bump::Major)
    };
    let mut lints: Vec<String> = output
        .lines()
        .filter_map(|l| l.trim().strip_prefix("--- failure "))
        .filter_map(|l| l.split(':').next())
        .map(|l| l.trim().to_owned())
        .collect();
    lints.sort();
    lints.dedup();
    Verdict {
        passed,
        required,
        summary,
        lints,
        output: output.to_owned(),
    }
}

/// Sets the `[package] version` of the crate manifest at `manifest`.
fn set_package_version(manifest: &Path, version: Version) -> Result<(), String> {
    let text =
        std::fs::read_to_string(manifest).map_err(|e| format!("{}: {e}", manifest.display()))?;
    let mut table: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", manifest.display()))?;
    let package = table
        .get_mut("package")
        .and_then(toml::Value::as_table_mut)
        .ok_or_else(|| format!("{} has no [package]", manifest.display()))?;
    package.insert(
        "version".to_owned(),
        toml::Value::String(version.to_string()),
    );
    let text = toml::to_string(&table).map_err(|e| e.to_string())?;
    std::fs::write(manifest, text).map_err(|e| format!("{}: {e}", manifest.display()))
}

/// Generates the crate of `spec` at `version` into `dir` (the overlays of
/// `spec/overlays/` applied, as `codegen` applies them).
pub fn generate(root: &Path, spec: &Path, version: Version, dir: &Path) -> Result<(), String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    crate::standalone::generate_crate(
        root,
        spec,
        dir,
        atlas_codegen::lower::VersionPin::Latest,
        &crate::default_overlays(root),
    )
    .map_err(|e| format!("generating the crate of {}: {e}", spec.display()))?;
    set_package_version(&dir.join("Cargo.toml"), version)
}

/// Runs cargo-semver-checks between the crates in `old` and `new` (their
/// versions say what kind of release `new` is), building in `target`.
pub fn run(old: &Path, new: &Path, target: &Path) -> Result<Verdict, String> {
    let out = Command::new("cargo")
        .arg("semver-checks")
        .arg("check-release")
        .arg("--baseline-root")
        .arg(old)
        .arg("--manifest-path")
        .arg(new.join("Cargo.toml"))
        .arg("--all-features")
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .map_err(|e| {
            format!("cannot run `cargo semver-checks` ({e}); install it with `cargo install --locked cargo-semver-checks@{PINNED}`")
        })?;
    let output = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() && !output.contains("Summary") {
        return Err(format!(
            "cargo semver-checks failed without a verdict:\n{output}"
        ));
    }
    Ok(parse_output(&output, out.status.success()))
}

/// The work folder of [`check`]: `old/` and `new/` crates and a shared
/// build `target/` (kept between runs, so only the generated crates are
/// rebuilt).
pub fn work_dir(root: &Path) -> PathBuf {
    root.join("target/semver-checks")
}

/// Generates the crates of `old_spec` at `from` and `new_spec` at `to` in
/// `work` and runs cargo-semver-checks between them.
pub fn check(
    root: &Path,
    (old_spec, from): (&Path, Version),
    (new_spec, to): (&Path, Version),
    work: &Path,
) -> Result<Verdict, String> {
    let (old, new) = (work.join("old"), work.join("new"));
    generate(root, old_spec, from, &old)?;
    generate(root, new_spec, to, &new)?;
    run(&old, &new, &work.join("target"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ci_installs_the_pinned_version() {
        let run = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.ci/run");
        let text = std::fs::read_to_string(&run).expect(".ci/run");
        assert!(
            text.contains(&format!("SEMVER_CHECKS={PINNED}\n")),
            ".ci/run installs another cargo-semver-checks than {PINNED}"
        );
        assert!(text.contains("cargo xtask release --check"));
    }

    #[test]
    fn the_verdict_is_read_from_the_summary_and_the_failures() {
        let output = "     Parsing atlas-admin-api v0.2.0 (current)\n\
            --- failure enum_variant_missing: pub enum variant removed or renamed ---\n\
            \n\
            --- failure feature_missing: package feature removed or renamed ---\n\
            \n\
            --- failure enum_variant_missing: pub enum variant removed or renamed ---\n\
                 Summary semver requires new major version: 2 major and 0 minor checks failed\n";
        let v = parse_output(output, false);
        assert_eq!(v.required, Some(Bump::Major));
        assert_eq!(v.lints, ["enum_variant_missing", "feature_missing"]);
        assert!(v.summary.starts_with("semver requires new major version"));
        let ok = parse_output("     Summary no semver update required\n", true);
        assert_eq!((ok.passed, ok.required), (true, None));
        let minor = parse_output(
            "     Summary semver requires new minor version: 0 major and 1 minor checks failed\n",
            false,
        );
        assert_eq!(minor.required, Some(Bump::Minor));
    }
}
