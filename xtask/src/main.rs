//! Project automation, run as `cargo xtask <command>`.
//!
//! `cargo xtask codegen [--check] [--spec PATH] [--out DIR] [--deny-warnings]`
//! regenerates `generated/src/gen/` from `spec/atlas-admin-api.yaml`.
//!
//! `cargo xtask spec extract|update|diff ...` extracts operations from an
//! upstream spec, updates `spec/` from one, and reports what changed (see
//! [`xtask::spec`]).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xtask::{codegen, CodegenArgs};

/// mimalloc: generation allocates millions of small token and syntax-tree
/// nodes, where it is markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
usage: cargo xtask codegen [--check] [--spec PATH] [--out DIR] [--manifest PATH]
                           [--api-version latest|preview|YYYY-MM-DD] [--deny-warnings]
       cargo xtask spec extract|update|diff ...   (`cargo xtask spec --help`)
       cargo xtask crate --spec PATH [--dir DIR] [--api-version V]
                   write a standalone client crate generated from PATH
                   (default DIR: target/atlas-crates/<spec name>)

  --check          write nothing; fail and name every stale file if the
                   checked-in code differs from what the spec generates
  --spec PATH      generate from another spec (default: spec/atlas-admin-api.yaml)
  --out DIR        write the generated module directory elsewhere
                   (default: generated/src/gen)
  --manifest PATH  the Cargo.toml whose generated features to write (default:
                   generated/Cargo.toml when --out is the default, else none)
  --api-version V  generate each operation for API version V: `latest` (the
                   newest stable version it offers; the default), `preview`,
                   or the newest version no later than a date
  --deny-warnings  treat warnings (fallbacks, unenforced patterns) as errors";

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_owned()
}

fn run_spec(args: Vec<String>) -> ExitCode {
    let command = match xtask::spec::parse_args(&args) {
        Ok(command) => command,
        Err(message) => {
            eprintln!("error: {message}\n\n{}", xtask::spec::USAGE);
            return ExitCode::from(xtask::spec::EXIT_USAGE);
        }
    };
    let outcome = xtask::spec::run(&command, &workspace_root());
    print!("{}", outcome.stdout);
    eprint!("{}", outcome.stderr);
    ExitCode::from(outcome.status)
}

fn run_crate(args: Vec<String>) -> ExitCode {
    let root = workspace_root();
    let (mut spec, mut dir, mut version) = (None, None, atlas_codegen::lower::VersionPin::Latest);
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let value = it.next();
        match (arg.as_str(), value) {
            ("--spec", Some(v)) => spec = Some(PathBuf::from(v)),
            ("--dir", Some(v)) => dir = Some(PathBuf::from(v)),
            ("--api-version", Some(v)) => match v.parse() {
                Ok(v) => version = v,
                Err(err) => {
                    eprintln!("error: {err}");
                    return ExitCode::from(2);
                }
            },
            (other, _) => {
                eprintln!("error: unexpected `{other}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(spec) = spec else {
        eprintln!("error: `cargo xtask crate` needs --spec PATH\n\n{USAGE}");
        return ExitCode::from(2);
    };
    let dir = dir.unwrap_or_else(|| xtask::standalone::default_dir(&root, &spec));
    match xtask::standalone::generate_crate(&root, &spec, &dir, version) {
        Ok(report) => {
            print!("{report}");
            println!(
                "crate written to {}; build it with `cargo build --manifest-path {}/Cargo.toml`",
                dir.display(),
                dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(report) => {
            eprint!("{report}");
            ExitCode::FAILURE
        }
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("codegen") => {}
        Some("spec") => return run_spec(args.collect()),
        Some("crate") => return run_crate(args.collect()),
        Some("--help" | "-h" | "help") | None => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("error: unknown command `{other}`\n\n{USAGE}");
            return ExitCode::from(2);
        }
    }
    let root = workspace_root();
    let mut parsed = CodegenArgs::defaults(&root);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => parsed.check = true,
            "--deny-warnings" => parsed.deny_warnings = true,
            "--spec" | "--out" | "--manifest" | "--api-version" => {
                let Some(value) = args.next() else {
                    eprintln!("error: `{arg}` needs a value\n\n{USAGE}");
                    return ExitCode::from(2);
                };
                match arg.as_str() {
                    "--spec" => parsed.spec = PathBuf::from(value),
                    "--out" => parsed.out = PathBuf::from(value),
                    "--manifest" => parsed.manifest = Some(PathBuf::from(value)),
                    _ => match value.parse() {
                        Ok(version) => parsed.version = version,
                        Err(err) => {
                            eprintln!("error: {err}\n\n{USAGE}");
                            return ExitCode::from(2);
                        }
                    },
                }
            }
            "--help" | "-h" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => {
                eprintln!("error: unknown argument `{other}`\n\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    match codegen(&parsed, &root) {
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
