//! Project automation, run as `cargo xtask <command>`.
//!
//! `cargo xtask codegen [--check] [--spec PATH] [--out DIR] [--deny-warnings]`
//! regenerates `generated/src/gen/` from `spec/atlas-admin-api.yaml`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xtask::{codegen, CodegenArgs};

const USAGE: &str = "\
usage: cargo xtask codegen [--check] [--spec PATH] [--out DIR] [--deny-warnings]

  --check          write nothing; fail and name every stale file if the
                   checked-in code differs from what the spec generates
  --spec PATH      generate from another spec (default: spec/atlas-admin-api.yaml)
  --out DIR        write the generated module directory elsewhere
                   (default: generated/src/gen)
  --deny-warnings  treat warnings (fallbacks, unenforced patterns) as errors";

fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_owned()
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("codegen") => {}
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
            "--spec" | "--out" => {
                let Some(value) = args.next() else {
                    eprintln!("error: `{arg}` needs a value\n\n{USAGE}");
                    return ExitCode::from(2);
                };
                if arg == "--spec" {
                    parsed.spec = PathBuf::from(value);
                } else {
                    parsed.out = PathBuf::from(value);
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
