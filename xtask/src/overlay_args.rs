//! The overlay flags `codegen` and `spec update` share ([`OverlayCli`]),
//! below both the command line (`cli.rs`) and the spec commands
//! (`spec.rs`).

use std::path::{Path, PathBuf};

use clap::Args;

/// The overlay flags of `codegen` and `spec update`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Args)]
pub struct OverlayCli {
    /// Apply this OpenAPI Overlay to the spec before generating (repeatable,
    /// applied in order; a directory means its *.yaml, *.yml and *.json
    /// files in file-name order) [default: spec/overlays/ if it exists].
    #[arg(long = "overlay", value_name = "FILE|DIR")]
    pub overlay: Vec<PathBuf>,
    /// Apply no overlays unless --overlay names some.
    #[arg(long)]
    pub no_default_overlays: bool,
}

impl OverlayCli {
    /// The overlays to apply in the workspace at `root`: those named, else
    /// the default ones unless refused.
    pub fn resolve(&self, root: &Path) -> Vec<PathBuf> {
        if !self.overlay.is_empty() {
            self.overlay.clone()
        } else if self.no_default_overlays {
            Vec::new()
        } else {
            crate::default_overlays(root)
        }
    }
}
