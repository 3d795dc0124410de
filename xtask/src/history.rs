//! `cargo xtask history --specs DIR`: the published history of the Atlas
//! spec, generated and compiled. Each `*.yaml`/`*.json` in `DIR` (say, one
//! spec per quarter taken from a repository that commits it at each
//! update) becomes a standalone crate (as `cargo xtask crate` writes it)
//! under `--out`, checked with `cargo check --all-features` and warnings
//! denied. Every crate shares one `CARGO_TARGET_DIR`, so the dependencies
//! compile once. The report has one line per spec: whether it generated,
//! whether it compiled, the first compiler errors otherwise; each spec's
//! full cargo output is kept in `--out/<spec>.log`.
//!
//! A run (2026-12-03, `mongodb/mongodb-atlas-cli` at `8ddea41`,
//! `mongodb/atlas-sdk-go` then current): 28 specs, 28 generated, 28
//! compiled, from 313 operations (2023-05-09) to 540 (2026-08-21): fourteen
//! of `atlas-sdk-go`'s `openapi/atlas-api.yaml` (`0448a7d4` of 2023-05-09,
//! whose required `links` once broke `gen/pagination.rs`, to `759a4522` of
//! 2025-06-18) and fourteen of the CLI's, from every path it used
//! (`7992bc4` of 2023-09-28 to `6fd452a` of 2026-08-21). With the
//! dependencies built once, each check took 12 to 46 s on a 2-core machine.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use atlas_codegen::lower::VersionPin;

/// What happened to one spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Codegen refused it (the first line of its report).
    NotGenerated(String),
    /// Generated, but `cargo check` failed (its first error lines).
    NotCompiled(Vec<String>),
    /// Generated and compiled without warnings.
    Compiled,
}

/// One spec's line of the report.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The spec's file name.
    pub spec: String,
    /// The operations codegen reported (`293 operations`), when it generated.
    pub summary: Option<String>,
    /// What happened.
    pub outcome: Outcome,
    /// Seconds spent generating and checking.
    pub seconds: f64,
}

/// The specs in `dir`, sorted by file name (which, named by date, is their
/// order in time).
pub fn specs_in(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut specs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        })
        .collect();
    specs.sort();
    if specs.is_empty() {
        return Err(format!(
            "{} holds no *.yaml, *.yml or *.json spec",
            dir.display()
        ));
    }
    Ok(specs)
}

/// The `N operations` phrase of a codegen report.
fn operations_phrase(report: &str) -> Option<String> {
    let at = report.find(" operations")?;
    let start = report[..at].rfind(|c: char| !c.is_ascii_digit())? + 1;
    Some(report[start..at + " operations".len()].to_owned())
}

/// Generates and checks one spec: the crate in `out/<stem>`, the shared
/// target in `out/target`, cargo's output in `out/<stem>.log`.
pub fn check_spec(root: &Path, spec: &Path, out: &Path) -> Entry {
    let started = Instant::now();
    let name = spec
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = spec
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = out.join(&stem);
    let finish = |summary, outcome| Entry {
        spec: name.clone(),
        summary,
        outcome,
        seconds: started.elapsed().as_secs_f64(),
    };
    let report = match crate::standalone::generate_crate(root, spec, &dir, VersionPin::Latest, &[])
    {
        Ok(report) => report,
        Err(report) => {
            let first = report
                .lines()
                .find(|l| l.starts_with("error"))
                .or_else(|| report.lines().next())
                .unwrap_or("codegen failed")
                .to_owned();
            return finish(None, Outcome::NotGenerated(first));
        }
    };
    let summary = operations_phrase(&report);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["check", "--quiet", "--all-features"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", out.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .output();
    let output = match output {
        Ok(output) => output,
        Err(e) => return finish(summary, Outcome::NotCompiled(vec![format!("cargo: {e}")])),
    };
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let _ = std::fs::write(out.join(format!("{stem}.log")), &stderr);
    if output.status.success() {
        return finish(summary, Outcome::Compiled);
    }
    let errors: Vec<String> = stderr
        .lines()
        .filter(|l| l.starts_with("error"))
        .take(5)
        .map(str::to_owned)
        .collect();
    finish(summary, Outcome::NotCompiled(errors))
}

/// The report of a whole run: a line per spec, then the totals.
pub fn report(entries: &[Entry]) -> String {
    let mut text = String::new();
    for e in entries {
        let summary = e.summary.as_deref().unwrap_or("-");
        let (verdict, details) = match &e.outcome {
            Outcome::Compiled => ("compiled", Vec::new()),
            Outcome::NotCompiled(errors) => ("generated, does not compile", errors.clone()),
            Outcome::NotGenerated(why) => ("not generated", vec![why.clone()]),
        };
        text.push_str(&format!(
            "{}: {verdict} ({summary}, {:.0} s)\n",
            e.spec, e.seconds
        ));
        for d in details {
            text.push_str(&format!("    {d}\n"));
        }
    }
    let generated = entries
        .iter()
        .filter(|e| !matches!(e.outcome, Outcome::NotGenerated(_)))
        .count();
    let compiled = entries
        .iter()
        .filter(|e| e.outcome == Outcome::Compiled)
        .count();
    text.push_str(&format!(
        "{} specs tried, {generated} generated, {compiled} compiled\n",
        entries.len()
    ));
    text
}

/// Runs `cargo xtask history`: `Ok` with the report when every spec
/// compiled, `Err` with it otherwise.
pub fn run(root: &Path, specs: &Path, out: &Path) -> Result<String, String> {
    let specs = specs_in(specs)?;
    std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut entries = Vec::new();
    for spec in &specs {
        let entry = check_spec(root, spec, out);
        eprint!(
            "{}",
            report(std::slice::from_ref(&entry))
                .lines()
                .next()
                .unwrap_or_default()
        );
        eprintln!();
        entries.push(entry);
    }
    let text = report(&entries);
    if entries.iter().all(|e| e.outcome == Outcome::Compiled) {
        Ok(text)
    } else {
        Err(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_counts_each_outcome() {
        let entry = |spec: &str, outcome| Entry {
            spec: spec.into(),
            summary: Some("3 operations".into()),
            outcome,
            seconds: 1.0,
        };
        let text = report(&[
            entry(
                "2023-02-06.yaml",
                Outcome::NotCompiled(vec!["error[E0277]: x".into()]),
            ),
            entry("2024-01-01.yaml", Outcome::Compiled),
            entry(
                "2025-01-01.yaml",
                Outcome::NotGenerated("error: bad".into()),
            ),
        ]);
        assert!(text.contains("2023-02-06.yaml: generated, does not compile (3 operations, 1 s)\n    error[E0277]: x\n"), "{text}");
        assert!(
            text.ends_with("3 specs tried, 2 generated, 1 compiled\n"),
            "{text}"
        );
    }

    #[test]
    fn the_operation_count_is_read_from_the_codegen_report() {
        assert_eq!(
            operations_phrase("wrote x from y: 293 operations, 824 types").as_deref(),
            Some("293 operations")
        );
        assert_eq!(operations_phrase("nothing"), None);
    }

    #[test]
    fn an_empty_folder_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = specs_in(dir.path()).expect_err("no specs");
        assert!(err.contains("holds no"), "{err}");
    }
}
