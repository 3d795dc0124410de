//! The command line of `cargo xtask`, parsed with clap.

use std::path::{Path, PathBuf};

use atlas_codegen::lower::VersionPin;
use clap::{Args, Parser, Subcommand};

pub use crate::overlay_args::OverlayCli;
use crate::spec::SpecCommand;
use crate::CodegenArgs;

/// Project automation for this workspace.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
pub struct Cli {
    /// What to do; without one, the help is printed.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The commands of `cargo xtask`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Regenerate `generated/src/gen/` from `spec/atlas-admin-api.yaml`.
    Codegen(CodegenCli),
    /// Extract operations from an upstream spec, update `spec/` from one, and
    /// report what changed.
    #[command(
        after_help = "exit status: 0 done, 1 error, 2 bad usage, 3 breaking changes with --fail-on-breaking"
    )]
    Spec(SpecCli),
    /// Write a standalone client crate generated from a spec.
    Crate(CrateCli),
    /// Generate a crate from a spec (with overlays) and install its
    /// `atlas-api` binary: the whole Atlas Admin API after `spec fetch`.
    InstallCli(InstallCli),
    /// Generate and `cargo check` a crate from each spec of a folder (the
    /// published history of the Atlas spec, say).
    #[command(after_help = "exit status: 0 every spec compiled, 1 otherwise")]
    History(HistoryCli),
    /// Propose the next version from the spec diff since the last release
    /// (spec/released/atlas-admin-api.yaml), set it, write the
    /// generated/CHANGELOG.md entry and record spec/ as released.
    Release(ReleaseCli),
}

/// `cargo xtask release`.
#[derive(Debug, Clone, Args)]
pub struct ReleaseCli {
    /// Print the proposed version and changelog entry, write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The release date for the changelog (YYYY-MM-DD) [default: today, UTC].
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// CI's guard: generate the crates of the released spec and of spec/,
    /// run cargo-semver-checks between them at the version the spec diff
    /// proposes, and fail when the API change requires more; writes nothing.
    #[arg(long, conflicts_with = "no_semver_checks")]
    pub check: bool,
    /// Do not ask cargo-semver-checks (by default it is asked when installed).
    #[arg(long)]
    pub no_semver_checks: bool,
}

/// `cargo xtask history`.
#[derive(Debug, Clone, Args)]
pub struct HistoryCli {
    /// The folder of specs (`*.yaml`, `*.yml`, `*.json`), taken in file-name
    /// order.
    #[arg(long, value_name = "DIR")]
    pub specs: PathBuf,
    /// Where the crates, their shared target and the logs go [default:
    /// target/history].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `cargo xtask codegen`.
#[derive(Debug, Clone, Args)]
pub struct CodegenCli {
    /// Write nothing; fail and name every stale file if the checked-in code
    /// differs from what the spec generates.
    #[arg(long)]
    pub check: bool,
    /// Generate from another spec [default: spec/atlas-admin-api.yaml].
    #[arg(long, value_name = "PATH")]
    pub spec: Option<PathBuf>,
    /// Write the generated module directory elsewhere [default:
    /// generated/src/gen].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The Cargo.toml whose generated features to write [default:
    /// generated/Cargo.toml when --out is the default, else none].
    #[arg(long, value_name = "PATH")]
    pub manifest: Option<PathBuf>,
    /// Generate each operation for this API version: `latest` (the newest
    /// stable version it offers), `preview`, or the newest version no later
    /// than a date (YYYY-MM-DD).
    #[arg(long, value_name = "V", default_value = "latest")]
    pub api_version: VersionPin,
    /// Treat warnings (fallbacks, unenforced patterns, overlay targets that
    /// select nothing) as errors.
    #[arg(long)]
    pub deny_warnings: bool,
    #[command(flatten)]
    pub overlays: OverlayCli,
}

impl CodegenCli {
    /// The options for a workspace at `root`.
    pub fn into_args(self, root: &Path) -> CodegenArgs {
        let defaults = CodegenArgs::defaults(root);
        CodegenArgs {
            overlays: self.overlays.resolve(root),
            spec: self.spec.unwrap_or(defaults.spec),
            out: self.out.unwrap_or(defaults.out),
            check: self.check,
            deny_warnings: self.deny_warnings,
            manifest: self.manifest,
            version: self.api_version,
        }
    }
}

/// `cargo xtask spec`.
#[derive(Debug, Clone, Args)]
pub struct SpecCli {
    /// The `spec` command; without one, the help is printed.
    #[command(subcommand)]
    pub command: Option<SpecCommand>,
}

/// `cargo xtask crate`.
#[derive(Debug, Clone, Args)]
pub struct CrateCli {
    /// The spec to generate from.
    #[arg(long, value_name = "PATH")]
    pub spec: PathBuf,
    /// Where to write the crate [default: target/atlas-crates/NAME, NAME being
    /// the spec's name].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Generate each operation for this API version (as for `codegen`).
    #[arg(long, value_name = "V", default_value = "latest")]
    pub api_version: VersionPin,
    /// Apply this OpenAPI Overlay to the spec before generating (repeatable,
    /// applied in order; a directory means its *.yaml, *.yml and *.json
    /// files in file-name order). None by default.
    #[arg(long = "overlay", value_name = "FILE|DIR")]
    pub overlay: Vec<PathBuf>,
}

/// `cargo xtask install-cli`.
#[derive(Debug, Clone, Args)]
pub struct InstallCli {
    /// The spec to generate from (`spec fetch` writes DIR/v2.yaml).
    #[arg(long, value_name = "PATH")]
    pub spec: PathBuf,
    /// Apply this OpenAPI Overlay (repeatable, in order; a directory means
    /// its *.yaml, *.yml and *.json files in file-name order): the Atlas
    /// CLI's (`spec fetch --overlays` writes DIR/overlays) give its watchers
    /// (`--watch`) and `--projectId`.
    #[arg(long = "overlay", visible_alias = "overlays", value_name = "FILE|DIR")]
    pub overlay: Vec<PathBuf>,
    /// Generate each operation for this API version (as for `codegen`).
    #[arg(long, value_name = "V", default_value = "latest")]
    pub api_version: VersionPin,
    /// Install into ROOT/bin [default: $CARGO_INSTALL_ROOT, $CARGO_HOME or
    /// ~/.cargo, as `cargo install`].
    #[arg(long, value_name = "ROOT")]
    pub root: Option<PathBuf>,
    /// Where to write the crate [default: target/atlas-crates/NAME, NAME
    /// the spec's file name without its extension].
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The cargo target directory [default: target/full-spec, shared with
    /// the whole-API tests].
    #[arg(long, value_name = "DIR")]
    pub target_dir: Option<PathBuf>,
    /// Build the dev profile, not release (faster to build, slower to run).
    #[arg(long)]
    pub debug: bool,
}

impl InstallCli {
    /// The options for the workspace at `root`.
    pub fn options(self, root: &Path) -> crate::install::InstallOptions {
        crate::install::InstallOptions {
            dir: self
                .dir
                .unwrap_or_else(|| crate::standalone::default_dir(root, &self.spec)),
            spec: self.spec,
            overlays: self.overlay,
            api_version: self.api_version,
            root: self.root.unwrap_or_else(crate::install::default_root),
            target_dir: self
                .target_dir
                .unwrap_or_else(|| root.join("target/full-spec")),
            debug: self.debug,
        }
    }
}

/// The help text of `cargo xtask` or of one of its commands (`path` names
/// the subcommands, e.g. `["spec"]`).
pub fn help(path: &[&str]) -> String {
    let mut command = <Cli as clap::CommandFactory>::command();
    for name in path {
        match command.find_subcommand(name) {
            Some(sub) => command = sub.clone().bin_name(format!("cargo xtask {name}")),
            None => break,
        }
    }
    command.render_help().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        <Cli as clap::CommandFactory>::command().debug_assert();
    }

    #[test]
    fn codegen_flags_parse() {
        let cli = Cli::try_parse_from([
            "xtask",
            "codegen",
            "--check",
            "--spec",
            "a.yaml",
            "--out",
            "o",
            "--manifest",
            "m.toml",
            "--api-version",
            "2024-08-05",
            "--deny-warnings",
        ])
        .expect("parses");
        let Some(Command::Codegen(args)) = cli.command else {
            panic!("not codegen: {cli:?}");
        };
        let args = args.into_args(Path::new("/ws"));
        assert!(args.check && args.deny_warnings);
        assert_eq!(args.spec, Path::new("a.yaml"));
        assert_eq!(args.out, Path::new("o"));
        assert_eq!(args.manifest.as_deref(), Some(Path::new("m.toml")));
        assert_eq!(args.version, VersionPin::Date("2024-08-05".into()));

        let defaults = Cli::try_parse_from(["xtask", "codegen"]).expect("parses");
        let Some(Command::Codegen(args)) = defaults.command else {
            panic!("not codegen");
        };
        let args = args.into_args(Path::new("/ws"));
        assert_eq!(args.spec, Path::new("/ws/spec/atlas-admin-api.yaml"));
        assert_eq!(args.version, VersionPin::Latest);
        assert!(!args.check);
    }

    #[test]
    fn overlay_flags() {
        let parse = |extra: &[&str]| {
            let mut args = vec!["xtask", "codegen"];
            args.extend(extra);
            match Cli::try_parse_from(args).expect("parses").command {
                Some(Command::Codegen(args)) => args.into_args(Path::new("/nowhere")).overlays,
                other => panic!("not codegen: {other:?}"),
            }
        };
        let named: Vec<PathBuf> = vec!["a.yaml".into(), "dir".into()];
        assert_eq!(parse(&["--overlay", "a.yaml", "--overlay", "dir"]), named);
        assert!(parse(&["--no-default-overlays"]).is_empty());
        // No spec/overlays/ there: no default overlays.
        assert!(parse(&[]).is_empty());
        let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let cli = OverlayCli::default();
        assert_eq!(cli.resolve(&here), [here.join(crate::DEFAULT_OVERLAYS)]);
        let refused = OverlayCli {
            no_default_overlays: true,
            ..OverlayCli::default()
        };
        assert!(refused.resolve(&here).is_empty());
        let krate =
            Cli::try_parse_from(["x", "crate", "--spec", "s", "--overlay", "o"]).expect("parses");
        assert!(
            matches!(krate.command, Some(Command::Crate(CrateCli { ref overlay, .. })) if overlay == &[PathBuf::from("o")])
        );
    }

    #[test]
    fn usage_errors_are_status_2() {
        for bad in [
            &["xtask", "frobnicate"][..],
            &["xtask", "codegen", "--spec"],
            &["xtask", "codegen", "--api-version", "yesterday"],
            &["xtask", "crate"],
            &["xtask", "spec", "extract", "--from", "u.yaml"],
        ] {
            let err = Cli::try_parse_from(bad).expect_err("usage error");
            assert_eq!(err.exit_code(), 2, "{bad:?}: {err}");
        }
    }

    #[test]
    fn every_command_has_help() {
        for path in [
            &[][..],
            &["codegen"],
            &["spec"],
            &["crate"],
            &["install-cli"],
            &["history"],
            &["release"],
        ] {
            assert!(help(path).contains("Usage: cargo xtask"), "{path:?}");
        }
        for sub in ["fetch", "extract", "update", "add", "remove", "diff"] {
            let err = Cli::try_parse_from(["xtask", "spec", sub, "--help"]).expect_err("help");
            assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp);
            assert_eq!(err.exit_code(), 0);
        }
        assert!(help(&["codegen"]).contains("--deny-warnings"));
    }
}
