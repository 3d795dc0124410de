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
    let mut scratch = dir.as_os_str().to_owned();
    scratch.push(".new");
    let scratch = PathBuf::from(scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    let report = xtask::standalone::generate_crate(
        &root,
        spec,
        &scratch,
        atlas_codegen::lower::VersionPin::Latest,
        &overlays,
    )
    .unwrap_or_else(|report| panic!("codegen failed:\n{report}"));
    for name in ["Cargo.toml", "Cargo.lock"] {
        sync_file(&scratch.join(name), &dir.join(name));
    }
    sync_dir(&scratch.join("src"), &dir.join("src"));
    let _ = std::fs::remove_dir_all(&scratch);
    (dir.to_owned(), report)
}

/// Writes `to` with the bytes of `from` unless it has them already.
fn sync_file(from: &Path, to: &Path) {
    let Ok(new) = std::fs::read(from) else {
        return;
    };
    if std::fs::read(to).ok().as_deref() == Some(&new[..]) {
        return;
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(to, new).unwrap_or_else(|e| panic!("cannot write {}: {e}", to.display()));
}

/// Makes the folder `to` hold what `from` holds, writing only what changed.
fn sync_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    let names = |dir: &Path| -> Vec<std::ffi::OsString> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name())
                    .collect()
            })
            .unwrap_or_default()
    };
    let wanted = names(from);
    for stale in names(to).into_iter().filter(|n| !wanted.contains(n)) {
        let path = to.join(stale);
        let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
    }
    for name in wanted {
        let (source, target) = (from.join(&name), to.join(&name));
        if source.is_dir() {
            if target.is_file() {
                let _ = std::fs::remove_file(&target);
            }
            sync_dir(&source, &target);
        } else {
            if target.is_dir() {
                let _ = std::fs::remove_dir_all(&target);
            }
            sync_file(&source, &target);
        }
    }
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
