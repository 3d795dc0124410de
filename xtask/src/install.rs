//! `cargo xtask install-cli`: an `atlas-api` of any spec (the whole Atlas
//! Admin API, say, as `cargo xtask spec fetch` downloads it) in one
//! command: the crate is generated as `cargo xtask crate` writes it (with
//! the overlays named, which give the Atlas CLI's watchers and
//! `--projectId`), its `atlas-api` binary built with cargo (feature `cli`,
//! the crate's own `Cargo.lock`, offline-safe) and copied into
//! `ROOT/bin/`, where `cargo install` puts binaries.
//!
//! The build uses one target directory for every crate generated this way,
//! `target/full-spec` of this workspace (shared with the whole-API tests),
//! so a second install of a changed spec rebuilds only the crate.

use std::path::{Path, PathBuf};
use std::process::Command;

use atlas_codegen::lower::VersionPin;

/// What `install-cli` does.
#[derive(Debug, Clone)]
pub struct InstallOptions {
    /// The spec.
    pub spec: PathBuf,
    /// Overlay files or folders, applied in order.
    pub overlays: Vec<PathBuf>,
    /// The API version pin.
    pub api_version: VersionPin,
    /// Where the crate is written.
    pub dir: PathBuf,
    /// The install root (the binary goes to `ROOT/bin/atlas-api`).
    pub root: PathBuf,
    /// The cargo target directory.
    pub target_dir: PathBuf,
    /// Build the dev profile instead of release (as `cargo install --debug`).
    pub debug: bool,
}

/// Where `cargo install` puts binaries: `$CARGO_INSTALL_ROOT`, else
/// `$CARGO_HOME`, else `~/.cargo`.
pub fn default_root() -> PathBuf {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    var("CARGO_INSTALL_ROOT")
        .or_else(|| var("CARGO_HOME"))
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|home| PathBuf::from(home).join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"))
}

/// The name of the binary on this platform.
fn exe(name: &str) -> String {
    format!("{name}{}", std::env::consts::EXE_SUFFIX)
}

/// Generates the crate, builds `atlas-api` and installs it; returns the
/// report (codegen's, then where the binary went and what `--version` says).
pub fn install_cli(workspace: &Path, options: &InstallOptions) -> Result<String, String> {
    let mut report = crate::standalone::generate_crate_synced(
        workspace,
        &options.spec,
        &options.dir,
        options.api_version.clone(),
        &options.overlays,
    )?;
    let manifest = std::fs::read_to_string(options.dir.join("Cargo.toml")).unwrap_or_default();
    if !manifest.contains("name = \"atlas-api\"") {
        return Err(format!(
            "{report}error: the crate of {} has no atlas-api: the command line needs the Cloud Backups operations and the Atlas CLI's watchers (apply its overlays: --overlays DIR, as `cargo xtask spec fetch --overlays` writes them)\n",
            options.spec.display()
        ));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args(["build", "--bin", "atlas-api", "--features", "cli"])
        .current_dir(&options.dir)
        .env("CARGO_TARGET_DIR", &options.target_dir)
        // As `cargo install`: no incremental cache (gigabytes for the whole
        // API) for a binary built once.
        .env("CARGO_INCREMENTAL", "0");
    if !options.debug {
        build.arg("--release");
    }
    let status = build
        .status()
        .map_err(|e| format!("{report}error: cannot run cargo: {e}\n"))?;
    if !status.success() {
        return Err(format!(
            "{report}error: building atlas-api of {} failed ({status}); nothing was installed\n",
            options.dir.display()
        ));
    }
    let profile = if options.debug { "debug" } else { "release" };
    let built = options.target_dir.join(profile).join(exe("atlas-api"));
    let bin_dir = options.root.join("bin");
    let installed = bin_dir.join(exe("atlas-api"));
    copy_whole(&built, &installed)?;
    let version = Command::new(&installed)
        .arg("--version")
        .output()
        .map_err(|e| format!("{}: {e}", installed.display()))?;
    report.push_str(&format!(
        "installed {} ({})\n",
        installed.display(),
        String::from_utf8_lossy(&version.stdout).trim()
    ));
    if !std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).any(|p| p == bin_dir))
        .unwrap_or(false)
    {
        report.push_str(&format!(
            "note: {} is not on PATH; add it to run `atlas-api` by name\n",
            bin_dir.display()
        ));
    }
    Ok(report)
}

/// Copies `from` to `to` through a temporary file beside it, renamed into
/// place (a running `atlas-api` is not overwritten in place), executable.
fn copy_whole(from: &Path, to: &Path) -> Result<(), String> {
    let dir = to.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let tmp = tempfile::Builder::new()
        .prefix(".atlas-api-")
        .tempfile_in(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::copy(from, tmp.path()).map_err(|e| format!("{}: {e}", from.display()))?;
    let permissions = std::fs::metadata(from)
        .map_err(|e| format!("{}: {e}", from.display()))?
        .permissions();
    std::fs::set_permissions(tmp.path(), permissions)
        .map_err(|e| format!("{}: {e}", to.display()))?;
    tmp.persist(to)
        .map_err(|e| format!("{}: {}", to.display(), e.error))?;
    Ok(())
}
