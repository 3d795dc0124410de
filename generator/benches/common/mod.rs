//! What the benchmarks share: where the upstream specs are.

use std::path::{Path, PathBuf};

/// `atlas-api-v2-combined.yaml` in the folder named by `ATLAS_SPECS_DIR`
/// (relative to the workspace root), or `None` when the variable is unset.
pub fn combined_spec() -> Option<PathBuf> {
    let dir = PathBuf::from(std::env::var_os("ATLAS_SPECS_DIR")?);
    let dir = if dir.is_relative() {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap_or(Path::new(".."))
            .join(dir)
    } else {
        dir
    };
    Some(dir.join("atlas-api-v2-combined.yaml"))
}
