//! `cargo xtask` acts on the checkout it is run in: the workspace comes from
//! the run-time `CARGO_MANIFEST_DIR` that `cargo run` sets, not from the
//! directory compiled into the binary (which is another checkout's when a
//! shared `CARGO_TARGET_DIR` makes cargo reuse a binary built there).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// This checkout (where the binary was built).
fn built_in() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent")
        .to_owned()
}

/// A second "checkout" holding only what `codegen` reads: the spec and the
/// generated crate's manifest, with an empty `generated/src/gen/`.
fn other_checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = built_in();
    for rel in ["spec", "generated/src/gen", "xtask"] {
        std::fs::create_dir_all(dir.path().join(rel)).expect("mkdir");
    }
    for rel in ["spec/atlas-admin-api.yaml", "generated/Cargo.toml"] {
        std::fs::copy(root.join(rel), dir.path().join(rel)).expect("copy");
    }
    dir
}

/// Runs the built xtask binary as `cargo xtask` would in `checkout`.
fn xtask_in(checkout: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(checkout)
        .env("CARGO_MANIFEST_DIR", checkout.join("xtask"))
        .output()
        .expect("runs xtask")
}

fn text(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn codegen_acts_on_the_checkout_named_at_run_time() {
    let other = other_checkout();

    // `--check` reports on the other checkout, whose generated code is missing.
    let check = xtask_in(other.path(), &["codegen", "--check"]);
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    assert!(
        String::from_utf8_lossy(&check.stdout).contains("generated/src/gen/mod.rs")
            || String::from_utf8_lossy(&check.stderr).contains("generated/src/gen/mod.rs"),
        "{}",
        text(&check)
    );

    // Generation writes into the other checkout.
    let write = xtask_in(other.path(), &["codegen"]);
    assert!(write.status.success(), "{}", text(&write));
    let written = other.path().join("generated/src/gen/mod.rs");
    assert!(written.is_file(), "{}", text(&write));
    let manifest = std::fs::read_to_string(other.path().join("generated/Cargo.toml"))
        .expect("manifest still there");
    assert!(manifest.contains(atlas_codegen::manifest::BEGIN));

    // And the other checkout is now up to date by its own measure.
    let again = xtask_in(other.path(), &["codegen", "--check"]);
    assert!(again.status.success(), "{}", text(&again));
}
