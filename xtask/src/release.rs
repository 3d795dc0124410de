//! `cargo xtask release`: a release follows the spec diff.
//!
//! The spec of the last release is kept in [`RELEASED_SPEC`]
//! (`spec/released/atlas-admin-api.yaml`, a copy of `spec/atlas-admin-api.yaml`
//! as it was released). The command compares it with `spec/` (the `spec
//! diff` report), proposes the semver bump the report calls for
//! ([`bump_for`]), and, unless `--dry-run`, sets the workspace version (and
//! the `version` of path dependencies on it), prepends a `generated/CHANGELOG.md`
//! entry made from the report and records `spec/` as the released spec.
//!
//! | spec diff | bump |
//! |---|---|
//! | a breaking change | major (minor while the version is 0.x) |
//! | other changes the generated crate shows (operations, fields, enum values, versions added...) | minor |
//! | the spec differs only where the crate does not show it (descriptions, examples), or not at all | patch |
//!
//! The spec diff cannot see everything the Rust API of the crate is made
//! of (the names of types and cargo features, for one). So, when
//! cargo-semver-checks is installed, `release` also generates the crate of
//! the released spec and of `spec/` and asks it ([`crate::semver`]) whether
//! the proposed version is enough; when it is not, the release takes the
//! bump cargo-semver-checks requires, and the changelog entry says so.
//! `--check` (what CI runs) fails instead: the spec diff proposed less than
//! the API change requires.

use std::path::Path;

use atlas_codegen::spec_tools::{diff, read_document, DiffOptions, Report};

use crate::DEFAULT_SPEC;

/// The spec of the last release, relative to the workspace.
pub const RELEASED_SPEC: &str = "spec/released/atlas-admin-api.yaml";
/// The changelog (published with `atlas-admin-api`), relative to the
/// workspace.
pub const CHANGELOG: &str = "generated/CHANGELOG.md";
/// The manifests whose path dependencies on the workspace's crates carry
/// its version, relative to the workspace.
pub const MANIFESTS: [&str; 3] = [
    "generated/Cargo.toml",
    "generated/runtime/Cargo.toml",
    "generated/cli/Cargo.toml",
];

pub use crate::version::{Bump, Version};

/// The bump the `spec diff` report calls for (see the module docs).
pub fn bump_for(report: &Report) -> Bump {
    let counts = report.counts();
    if counts.breaking > 0 {
        Bump::Major
    } else if counts.non_breaking > 0 {
        Bump::Minor
    } else {
        Bump::Patch
    }
}

/// The workspace version in the root manifest's text.
fn workspace_version(manifest: &str) -> Result<Version, String> {
    let table: toml::Table = manifest.parse().map_err(|e| format!("Cargo.toml: {e}"))?;
    table
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.get("version"))
        .and_then(toml::Value::as_str)
        .ok_or_else(|| "Cargo.toml has no [workspace.package] version".to_owned())?
        .parse()
}

/// `text` with `version = "OLD"` replaced by `version = "NEW"` on the
/// lines `keep` picks (the workspace version, path dependencies), comments
/// and layout untouched.
fn set_versions(text: &str, old: Version, new: Version, keep: impl Fn(&str) -> bool) -> String {
    let from = format!("version = \"{old}\"");
    let to = format!("version = \"{new}\"");
    let mut out: String = text
        .lines()
        .map(|line| {
            if keep(line) {
                line.replace(&from, &to)
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    if text.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The changelog with `entry` on top. Notes written by hand under an
/// `## Unreleased` heading (changes the spec diff cannot see: renamed
/// environment variables, runtime behaviour) become part of the entry.
pub fn prepend_entry(old_log: &str, entry: &str) -> String {
    let rest = old_log
        .strip_prefix("# Changelog\n")
        .unwrap_or(old_log)
        .trim_start_matches('\n');
    let (notes, rest) = match rest.strip_prefix(UNRELEASED) {
        Some(after) => {
            let end = after.find("\n## ").map_or(after.len(), |at| at + 1);
            (after[..end].trim(), after[end..].trim_start_matches('\n'))
        }
        None => ("", rest),
    };
    let mut log = format!("# Changelog\n\n{}", entry);
    if !notes.is_empty() {
        log = format!("{}\n\n{notes}\n", log.trim_end());
    }
    if !rest.is_empty() {
        log = format!("{log}\n{rest}");
    }
    log
}

/// The heading of hand-written notes for the next release.
pub const UNRELEASED: &str = "## Unreleased\n";

/// The changelog entry of a release.
pub fn changelog_entry(
    version: Version,
    date: &str,
    bump: Bump,
    report: &Report,
    docs_changed: bool,
) -> String {
    let why = match bump {
        Bump::Major => "breaking changes in the spec".to_owned(),
        Bump::Minor => "additions and other compatible changes in the spec".to_owned(),
        Bump::Patch if docs_changed => {
            "the spec changed only where the generated crate does not show it".to_owned()
        }
        Bump::Patch => "no spec changes".to_owned(),
    };
    let counts = report.counts();
    let mut text = format!(
        "## {version} ({date})\n\n{bump:?} release: {why} ({} breaking, {} non-breaking).\n",
        counts.breaking, counts.non_breaking
    );
    if !report.changes.is_empty() {
        text.push_str("\n```text\n");
        text.push_str(&report.to_text());
        text.push_str("```\n");
    }
    text
}

/// What `release` did or would do.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The version before.
    pub from: Version,
    /// The version after.
    pub to: Version,
    /// The bump.
    pub bump: Bump,
    /// The bump the spec diff alone calls for.
    pub spec_bump: Bump,
    /// What cargo-semver-checks said of the spec diff's version, in words
    /// (or why it did not run).
    pub semver_checks: String,
    /// The changelog entry.
    pub entry: String,
}

/// Whether `release` asks cargo-semver-checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checks {
    /// When it is installed.
    IfInstalled,
    /// Always: fail when it is not installed, and when the spec diff's
    /// version is less than it requires (`--check`; nothing is written).
    Require,
    /// Never (`--no-semver-checks`).
    Skip,
}

/// Runs `cargo xtask release` in the workspace at `root`, dated `date`
/// (`YYYY-MM-DD`); with `dry_run`, only the plan. Nothing is written when
/// something fails.
pub fn run(root: &Path, date: &str, dry_run: bool) -> Result<Plan, String> {
    run_with(root, date, dry_run, Checks::IfInstalled)
}

/// What cargo-semver-checks requires beyond `bump` (none when it does not
/// run), and its verdict in words.
fn semver_checks(
    root: &Path,
    checks: Checks,
    from: Version,
    bump: Bump,
) -> Result<(Option<Bump>, String), String> {
    let installed = match checks {
        Checks::Skip => return Ok((None, "not run (--no-semver-checks)".to_owned())),
        _ => crate::semver::installed_version(),
    };
    let Some(installed) = installed else {
        let install = format!(
            "cargo install --locked cargo-semver-checks@{}",
            crate::semver::PINNED
        );
        if checks == Checks::Require {
            return Err(format!("cargo-semver-checks is not installed: {install}"));
        }
        return Ok((
            None,
            format!("not installed, so the bump follows the spec diff alone ({install})"),
        ));
    };
    let to = from.bumped(bump);
    let work = crate::semver::work_dir(root);
    let verdict = crate::semver::check(
        root,
        (&root.join(RELEASED_SPEC), from),
        (&root.join(DEFAULT_SPEC), to),
        &work,
    )?;
    let words = match verdict.required {
        None => format!("{installed}: {to} is enough for the API change ({from} to {to})"),
        Some(required) => format!(
            "{installed}: {from} to {to} (the spec diff's {bump:?} bump) is not enough, {required:?} is required ({}; failed lints: {})",
            verdict.summary,
            verdict.lints.join(", ")
        ),
    };
    if checks == Checks::Require && !verdict.passed {
        return Err(format!(
            "the spec diff proposes {to} ({bump:?} bump from {from}), less than the API change requires.\n{words}\n\
             Either the spec diff misclassifies a change (generator/src/spec_tools/diff/rule.rs) or the change is one it cannot see (type or feature names); `cargo xtask release` takes cargo-semver-checks' bump.\n\n{}",
            verdict.output
        ));
    }
    Ok((verdict.required, words))
}

/// [`run`], asking cargo-semver-checks as `checks` says.
pub fn run_with(root: &Path, date: &str, dry_run: bool, checks: Checks) -> Result<Plan, String> {
    let dry_run = dry_run || checks == Checks::Require;
    let released_path = root.join(RELEASED_SPEC);
    let spec_path = root.join(DEFAULT_SPEC);
    if !released_path.exists() {
        return Err(format!(
            "{RELEASED_SPEC} does not exist: it records the spec of the last release; for the first release, copy {DEFAULT_SPEC} there (the version in Cargo.toml is then the released one)"
        ));
    }
    let released = read_document(&released_path).map_err(|f| f.to_string())?;
    let current = read_document(&spec_path).map_err(|f| f.to_string())?;
    let mut report =
        diff(&released, &current, &DiffOptions::default()).map_err(|f| f.to_string())?;
    report.old = RELEASED_SPEC.to_owned();
    report.new = DEFAULT_SPEC.to_owned();
    let docs_changed = released.root != current.root;
    let spec_bump = bump_for(&report);
    let root_manifest = root.join("Cargo.toml");
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()));
    let manifest = read(&root_manifest)?;
    let from = workspace_version(&manifest)?;
    let (required, semver_checks) = semver_checks(root, checks, from, spec_bump)?;
    let bump = required.map_or(spec_bump, |r| spec_bump.max(r));
    let to = from.bumped(bump);
    let mut entry = changelog_entry(to, date, bump, &report, docs_changed);
    if required.is_some() {
        entry.push_str(&format!(
            "\nThe spec diff called for a {spec_bump:?} release; cargo-semver-checks found the crate's API needs {bump:?}: {semver_checks}.\n"
        ));
    }
    let plan = Plan {
        from,
        to,
        bump,
        spec_bump,
        semver_checks,
        entry,
    };
    if dry_run {
        return Ok(plan);
    }
    // Everything is computed before anything is written.
    let mut writes = vec![(
        root_manifest,
        set_versions(&manifest, from, to, |l| {
            l.trim_start().starts_with("version =")
        }),
    )];
    for rel in MANIFESTS {
        let path = root.join(rel);
        if path.exists() {
            let text = read(&path)?;
            writes.push((
                path,
                set_versions(&text, from, to, |l| l.contains("path =")),
            ));
        }
    }
    let changelog_path = root.join(CHANGELOG);
    let old_log = std::fs::read_to_string(&changelog_path).unwrap_or_default();
    writes.push((changelog_path, prepend_entry(&old_log, &plan.entry)));
    writes.push((released_path, read(&spec_path)?));
    for (path, text) in writes {
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_bump_by_the_policy() {
        let v = |s: &str| s.parse::<Version>().expect("version");
        assert_eq!(v("0.1.0").bumped(Bump::Major), v("0.2.0"));
        assert_eq!(v("1.4.2").bumped(Bump::Major), v("2.0.0"));
        assert_eq!(v("1.4.2").bumped(Bump::Minor), v("1.5.0"));
        assert_eq!(v("0.1.3").bumped(Bump::Patch), v("0.1.4"));
        assert!("1.0".parse::<Version>().is_err());
        assert!("1.0.0-beta".parse::<Version>().is_err());
    }

    #[test]
    fn only_the_lines_asked_for_change() {
        let text = "[package]\nversion = \"0.1.0\"\n[dependencies]\nrt = { path = \"rt\", version = \"0.1.0\" }\nother = { version = \"0.1.0\" }\n";
        let out = set_versions(text, Version(0, 1, 0), Version(0, 2, 0), |l| {
            l.contains("path =")
        });
        assert_eq!(out, "[package]\nversion = \"0.1.0\"\n[dependencies]\nrt = { path = \"rt\", version = \"0.2.0\" }\nother = { version = \"0.1.0\" }\n");
    }

    /// A spec of ours: `getWidget` answering a `Widget`, with `extra`
    /// properties, and `more` operations.
    fn spec(description: &str, extra: &str, more: &str) -> String {
        format!(
            r#"openapi: 3.0.1
info: {{ title: Widgets, version: '2.0' }}
paths:
  /widgets/{{id}}:
    get:
      operationId: getWidget
      description: {description}
      parameters: [{{ name: id, in: path, required: true, schema: {{ type: string }} }}]
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: {{ $ref: '#/components/schemas/Widget' }}
{more}components:
  schemas:
    Widget:
      type: object
      properties:
        id: {{ type: string }}
{extra}"#
        )
    }

    const DELETE: &str = "    delete:\n      operationId: deleteWidget\n      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]\n      responses:\n        '204': { description: gone }\n";

    /// A workspace at `version` whose last release had `released` and
    /// whose `spec/` has `current`.
    fn workspace(version: &str, released: &str, current: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        };
        write(
            "Cargo.toml",
            &format!("[workspace]\nmembers = []\n\n[workspace.package]\n# ours\nversion = \"{version}\"\n\n[workspace.dependencies]\nserde = {{ version = \"{version}\" }}\n"),
        );
        write(
            "generated/Cargo.toml",
            &format!("[package]\nname = \"api\"\nversion.workspace = true\n\n[dependencies]\nrt = {{ path = \"runtime\", version = \"{version}\" }}\nother = \"{version}\"\n"),
        );
        write(RELEASED_SPEC, released);
        write(DEFAULT_SPEC, current);
        dir
    }

    fn read(root: &Path, rel: &str) -> String {
        std::fs::read_to_string(root.join(rel)).expect("read")
    }

    #[test]
    fn unreleased_notes_join_the_new_entry() {
        let old =
            "# Changelog\n\n## Unreleased\n\n- `X` is now read.\n\n## 0.1.0\n\nThe baseline.\n";
        let log = prepend_entry(old, "## 0.2.0 (2026-12-06)\n\nMinor release.\n");
        assert_eq!(
            log,
            "# Changelog\n\n## 0.2.0 (2026-12-06)\n\nMinor release.\n\n- `X` is now read.\n\n## 0.1.0\n\nThe baseline.\n"
        );
        let plain = prepend_entry(
            "# Changelog\n\n## 0.1.0\n\nThe baseline.\n",
            "## 0.2.0\n\nMinor.\n",
        );
        assert_eq!(
            plain,
            "# Changelog\n\n## 0.2.0\n\nMinor.\n\n## 0.1.0\n\nThe baseline.\n"
        );
    }

    #[test]
    fn an_addition_is_a_minor_release_with_its_report_in_the_changelog() {
        let released = spec("Returns one widget.", "", "");
        let current = spec(
            "Returns one widget.",
            "        colour: { type: string }\n",
            "",
        );
        let ws = workspace("0.3.0", &released, &current);
        let root = ws.path();
        let dry = run_with(root, "2026-12-03", true, Checks::Skip).expect("plan");
        assert_eq!((dry.bump, dry.to), (Bump::Minor, Version(0, 4, 0)));
        assert!(!root.join(CHANGELOG).exists(), "a dry run writes nothing");

        let plan = run_with(root, "2026-12-03", false, Checks::Skip).expect("release");
        assert_eq!(plan.to, Version(0, 4, 0));
        let manifest = read(root, "Cargo.toml");
        assert!(
            manifest.contains("# ours\nversion = \"0.4.0\""),
            "{manifest}"
        );
        // Only the workspace version: a dependency at the same number stays.
        assert!(
            manifest.contains("serde = { version = \"0.3.0\" }"),
            "{manifest}"
        );
        let api = read(root, "generated/Cargo.toml");
        assert!(
            api.contains("rt = { path = \"runtime\", version = \"0.4.0\" }"),
            "{api}"
        );
        assert!(api.contains("other = \"0.3.0\""), "{api}");
        let log = read(root, CHANGELOG);
        assert!(log.starts_with("# Changelog\n\n## 0.4.0 (2026-12-03)\n\nMinor release: additions and other compatible changes in the spec (0 breaking, 1 non-breaking)."), "{log}");
        assert!(log.contains("colour"), "{log}");
        assert_eq!(
            read(root, RELEASED_SPEC),
            current,
            "spec/ is now the released one"
        );

        // Nothing changed since: a patch, entered above the last one.
        let again = run_with(root, "2026-12-04", false, Checks::Skip).expect("release");
        assert_eq!((again.bump, again.to), (Bump::Patch, Version(0, 4, 1)));
        let log = read(root, CHANGELOG);
        let newest = log
            .find("## 0.4.1 (2026-12-04)\n\nPatch release: no spec changes")
            .expect("entry");
        assert!(newest < log.find("## 0.4.0").expect("older entry"), "{log}");
    }

    #[test]
    fn a_breaking_change_is_a_major_release_and_docs_alone_a_patch() {
        let before = spec("Returns one widget.", "", DELETE);
        let after = spec("Returns one widget.", "", "");
        let ws = workspace("1.2.3", &before, &after);
        let plan = run_with(ws.path(), "2026-12-03", false, Checks::Skip).expect("release");
        assert_eq!((plan.bump, plan.to), (Bump::Major, Version(2, 0, 0)));
        assert!(
            plan.entry
                .contains("Major release: breaking changes in the spec (1 breaking"),
            "{}",
            plan.entry
        );
        assert!(plan.entry.contains("BREAKING"), "{}", plan.entry);
        // While 0.x, a breaking change bumps the minor number.
        let ws = workspace("0.9.1", &before, &after);
        assert_eq!(
            run_with(ws.path(), "2026-12-03", true, Checks::Skip)
                .expect("plan")
                .to,
            Version(0, 10, 0)
        );

        let docs = spec("Returns the widget with this id.", "", "");
        let ws = workspace("1.2.3", &after, &docs);
        let plan = run_with(ws.path(), "2026-12-03", true, Checks::Skip).expect("plan");
        assert_eq!((plan.bump, plan.to), (Bump::Patch, Version(1, 2, 4)));
        assert!(
            plan.entry
                .contains("only where the generated crate does not show it"),
            "{}",
            plan.entry
        );
    }

    #[test]
    fn this_workspace_records_its_last_release() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the workspace");
        let plan =
            run_with(root, "2026-12-03", true, Checks::Skip).expect("a plan for this workspace");
        let manifest = std::fs::read_to_string(root.join("Cargo.toml")).expect("Cargo.toml");
        assert_eq!(plan.from, workspace_version(&manifest).expect("version"));
        assert!(root.join(CHANGELOG).exists());
    }

    #[test]
    fn without_a_released_spec_nothing_is_written() {
        let ws = workspace("0.1.0", "", &spec("x", "", ""));
        std::fs::remove_file(ws.path().join(RELEASED_SPEC)).expect("rm");
        let err =
            run_with(ws.path(), "2026-12-03", false, Checks::Skip).expect_err("no released spec");
        assert!(
            err.contains("records the spec of the last release"),
            "{err}"
        );
        assert!(read(ws.path(), "Cargo.toml").contains("version = \"0.1.0\""));
        assert!(!ws.path().join(CHANGELOG).exists());
    }
}
