//! Building a client crate from another spec (the whole upstream Atlas
//! spec) in a scratch directory, with `cargo xtask crate`'s logic.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::workspace_root;

/// A crate in `dir` generated from `spec`: returns its path and the codegen
/// report. It is generated beside `dir` and only the files that changed are
/// written into `dir`, so that a crate already built (by another test of
/// the same spec) is not built again.
pub fn generate_crate(spec: &Path, dir: &Path) -> (PathBuf, String) {
    generate_crate_with_overlays(spec, &[], dir)
}

/// [`generate_crate`] with `overlays` (files or directories, as
/// `cargo xtask crate --overlay` takes them) applied to the spec.
pub fn generate_crate_with_overlays(
    spec: &Path,
    overlays: &[PathBuf],
    dir: &Path,
) -> (PathBuf, String) {
    let root = workspace_root();
    let overlays = atlas_codegen::overlay::expand(overlays).unwrap_or_else(|f| panic!("{f}"));
    let report = xtask::standalone::generate_crate_synced(
        &root,
        spec,
        dir,
        atlas_codegen::lower::VersionPin::Latest,
        &overlays,
    )
    .unwrap_or_else(|report| panic!("codegen failed:\n{report}"));
    (dir.to_owned(), report)
}

/// Runs `cargo <args>` in `dir` with a shared scratch target directory;
/// panics with the output unless it succeeds without warnings.
pub fn cargo(dir: &Path, args: &[&str]) {
    let target = workspace_root().join("target/full-spec");
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", "-D warnings")
        .env("RUSTDOCFLAGS", "-D warnings")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "cargo {} failed in {}:\n{}",
        args.join(" "),
        dir.display(),
        stderr
            .lines()
            .filter(|l| !l.trim_start().starts_with("Compiling"))
            .take(80)
            .collect::<Vec<_>>()
            .join("\n")
    );
}
