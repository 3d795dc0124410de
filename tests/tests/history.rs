//! The published history of the Atlas spec: every spec in the folder named
//! by `ATLAS_HISTORY_DIR` (say, one per quarter taken from
//! `mongodb/mongodb-atlas-cli` or `mongodb/atlas-sdk-go`, outside the
//! repository) generates a standalone crate that `cargo check
//! --all-features` accepts with warnings denied. This is `cargo xtask
//! history` as a test; the crates and their shared target are in
//! `target/history/`, cargo's output per spec in `target/history/*.log`.
//!
//! `#[ignore]`d: it needs the folder, and checking a whole-API crate per
//! spec takes minutes each. Run it with
//! `ATLAS_HISTORY_DIR=/tmp/history-specs cargo test -p atlas-tests --test history -- --ignored`.

use std::path::PathBuf;

use atlas_tests::workspace_root;

/// Why the test is ignored, and what it fails with without its folder.
const NEEDS_HISTORY: &str = "needs ATLAS_HISTORY_DIR (a folder of published Atlas specs)";

#[test]
#[ignore = "needs ATLAS_HISTORY_DIR (a folder of published Atlas specs)"]
fn every_published_spec_generates_and_compiles() {
    let Some(dir) = std::env::var_os("ATLAS_HISTORY_DIR") else {
        panic!("{NEEDS_HISTORY}: the variable is not set");
    };
    let root = workspace_root();
    let dir = PathBuf::from(dir);
    let dir = if dir.is_relative() {
        root.join(dir)
    } else {
        dir
    };
    assert!(
        dir.is_dir(),
        "{NEEDS_HISTORY}: {} is not a folder",
        dir.display()
    );
    match xtask::history::run(&root, &dir, &root.join("target/history")) {
        Ok(report) => eprint!("{report}"),
        Err(report) => panic!("not every published spec compiled:\n{report}"),
    }
}
