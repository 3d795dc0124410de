//! Project automation, run as `cargo xtask <command>` (`cargo xtask --help`):
//! `spec add|remove|update|extract|diff` (maintain `spec/` from an upstream
//! spec), `codegen` (regenerate `generated/src/gen/`; `--check` in CI),
//! `crate` (a standalone client crate from any spec), `history` (generate
//! and check a crate from each spec of a folder) and `release` (version a
//! release by the spec diff). The manual is the rustdoc of the `xtask`
//! library (`cargo doc -p xtask --open`).

use std::process::ExitCode;

use clap::Parser as _;
use xtask::cli::{help, Cli, Command, CrateCli, HistoryCli, ReleaseCli, SpecCli};
use xtask::{codegen, project_root};

/// mimalloc: generation allocates millions of small token and syntax-tree
/// nodes, where it is markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Prints a report to stdout (`Ok`) or stderr (`Err`) and maps it to a status.
fn finish(result: Result<String, String>) -> ExitCode {
    match result {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(report) => {
            eprint!("{report}");
            ExitCode::FAILURE
        }
    }
}

fn run_crate(args: CrateCli) -> ExitCode {
    let root = project_root();
    let dir = args
        .dir
        .unwrap_or_else(|| xtask::standalone::default_dir(&root, &args.spec));
    let result = xtask::standalone::generate_crate_synced(
        &root,
        &args.spec,
        &dir,
        args.api_version,
        &args.overlay,
    );
    finish(result.map(|mut report| {
        report.push_str(&format!(
            "crate written to {}; build it with `cargo build --manifest-path {}/Cargo.toml`\n",
            dir.display(),
            dir.display()
        ));
        report
    }))
}

fn main() -> ExitCode {
    // Usage errors exit with status 2 and `--help` with 0 (clap's statuses).
    let cli = Cli::parse();
    let root = project_root();
    match cli.command {
        None => {
            print!("{}", help(&[]));
            ExitCode::SUCCESS
        }
        Some(Command::Codegen(args)) => finish(codegen(&args.into_args(&root), &root)),
        Some(Command::Spec(SpecCli { command: None })) => {
            print!("{}", help(&["spec"]));
            ExitCode::SUCCESS
        }
        Some(Command::Spec(SpecCli {
            command: Some(command),
        })) => {
            let outcome = xtask::spec::run(&command, &root);
            print!("{}", outcome.stdout);
            eprint!("{}", outcome.stderr);
            ExitCode::from(outcome.status)
        }
        Some(Command::Crate(args)) => run_crate(args),
        Some(Command::InstallCli(args)) => {
            finish(xtask::install::install_cli(&root, &args.options(&root)))
        }
        Some(Command::History(HistoryCli { specs, out })) => {
            let out = out.unwrap_or_else(|| root.join("target/history"));
            finish(xtask::history::run(&root, &specs, &out))
        }
        Some(Command::Release(ReleaseCli {
            dry_run,
            date,
            check,
            no_semver_checks,
        })) => {
            use xtask::release::Checks;
            let date = date.unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string());
            let checks = match (check, no_semver_checks) {
                (true, _) => Checks::Require,
                (false, true) => Checks::Skip,
                (false, false) => Checks::IfInstalled,
            };
            finish(
                xtask::release::run_with(&root, &date, dry_run, checks).map(|plan| {
                    if check {
                        return format!(
                            "ok: the spec diff proposes {} ({:?} bump from {}) and cargo-semver-checks agrees it is enough\n{}\n",
                            plan.to, plan.bump, plan.from, plan.semver_checks
                        );
                    }
                    let done = if dry_run { "would release" } else { "released" };
                    format!(
                        "{done} {} ({:?} bump from {}; the spec diff: {:?}; cargo-semver-checks: {})\ngenerated/CHANGELOG.md entry:\n\n{}",
                        plan.to, plan.bump, plan.from, plan.spec_bump, plan.semver_checks, plan.entry
                    )
                }),
            )
        }
    }
}
