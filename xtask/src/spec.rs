//! `cargo xtask spec`: extract operations from an upstream spec, update
//! `spec/` from a new upstream file, add operations to it or remove them,
//! and report what changed.
//!
//! The logic lives in [`atlas_codegen::spec_tools`]; this module defines the
//! command line (clap), reads and writes files and renders the output.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use atlas_codegen::rules::VersionPin;
use atlas_codegen::spec_tools::{
    self, diff, extract, parse_document, read_document, to_yaml, DiffOptions, Document, Report,
};
use atlas_codegen::{Diagnostic, Failure, Pointer};

use crate::overlay_args::OverlayCli;
use crate::{codegen, CodegenArgs, DEFAULT_SPEC};

/// Exit status when `--fail-on-breaking` finds a breaking change.
pub const EXIT_BREAKING: u8 = 3;
/// Exit status of an error.
pub const EXIT_ERROR: u8 = 1;
/// Exit status of a usage error (clap's status for one).
pub const EXIT_USAGE: u8 = 2;

/// A parsed `cargo xtask spec` command.
#[derive(Debug, Clone, PartialEq, Eq, clap::Subcommand)]
pub enum SpecCommand {
    /// Download MongoDB's published spec (github.com/mongodb/openapi: the
    /// combined `openapi/v2.yaml`, or one API version's) and, with
    /// --overlays, the Atlas CLI's overlays into DIR; print where it came
    /// from, its commit, info.x-xgen-sha and SHA-256.
    Fetch(FetchArgs),
    /// Write a self-contained OpenAPI 3.0 document with the named operations
    /// and every component they reference; to FILE, or to stdout.
    Extract {
        /// The upstream spec.
        #[arg(long, value_name = "UPSTREAM.yaml")]
        from: PathBuf,
        /// An operation to extract (x-xgen-operation-id-override or
        /// operationId); repeatable.
        #[arg(long = "op", value_name = "NAME", required = true)]
        ops: Vec<String>,
        /// Where to write; stdout when absent.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Re-extract the operations already in spec/atlas-admin-api.yaml from
    /// UPSTREAM, write spec/, regenerate generated/ and print the change
    /// report.
    Update {
        /// The new upstream spec.
        #[arg(long, value_name = "UPSTREAM.yaml")]
        from: PathBuf,
        /// Exit with status 3 and write nothing when a change is breaking for
        /// users of the generated crate.
        #[arg(long)]
        fail_on_breaking: bool,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Add operations of UPSTREAM (named, or every one of a tag) to
    /// spec/atlas-admin-api.yaml with every component they need, keeping
    /// what is there as it is; regenerate generated/ and print the change
    /// report.
    Add {
        /// The upstream spec.
        #[arg(long, value_name = "UPSTREAM.yaml")]
        from: PathBuf,
        /// An operation to add (x-xgen-operation-id-override or
        /// operationId); repeatable.
        #[arg(long = "op", value_name = "NAME", required_unless_present = "tags")]
        ops: Vec<String>,
        /// Add every operation of this tag; repeatable.
        #[arg(long = "tag", value_name = "TAG")]
        tags: Vec<String>,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Remove operations from spec/atlas-admin-api.yaml, with the
    /// components and tags only they used; regenerate generated/ and print
    /// the change report.
    Remove {
        /// An operation to remove; repeatable.
        #[arg(long = "op", value_name = "NAME", required = true)]
        ops: Vec<String>,
        #[command(flatten)]
        change: ChangeArgs,
    },
    /// Print the change report between two specs (optionally only for some
    /// operations).
    Diff {
        /// The old spec.
        #[arg(value_name = "OLD")]
        old: PathBuf,
        /// The new spec.
        #[arg(value_name = "NEW")]
        new: PathBuf,
        /// Only this operation (repeatable; all when absent).
        #[arg(long = "op", value_name = "NAME")]
        ops: Vec<String>,
        /// Read each operation at the API version `codegen --api-version V`
        /// generates it for: `latest` (the default), `preview` or a date
        /// YYYY-MM-DD.
        #[arg(long = "api-version", value_name = "V", default_value = "latest")]
        version: VersionPin,
        /// The change report as JSON (for CI).
        #[arg(long)]
        json: bool,
        /// Exit with status 3 when a change is breaking for users of the
        /// generated crate.
        #[arg(long)]
        fail_on_breaking: bool,
    },
}

/// What a command printed and its exit status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// Text for stdout.
    pub stdout: String,
    /// Text for stderr.
    pub stderr: String,
    /// Exit status.
    pub status: u8,
}

impl Outcome {
    fn error(stderr: String) -> Self {
        Self {
            stdout: String::new(),
            stderr,
            status: EXIT_ERROR,
        }
    }
}

/// Parses the arguments after `cargo xtask spec` (as the command line
/// does); `Err` is clap's message for a usage error, or the help text.
pub fn parse_args(args: &[String]) -> Result<SpecCommand, String> {
    use clap::Parser as _;
    /// `cargo xtask spec` alone.
    #[derive(clap::Parser)]
    #[command(name = "cargo xtask spec")]
    struct Spec {
        #[command(subcommand)]
        command: SpecCommand,
    }
    Spec::try_parse_from(std::iter::once("spec").chain(args.iter().map(String::as_str)))
        .map(|spec| spec.command)
        .map_err(|err| err.render().to_string())
}

/// Runs a command in the workspace at `root`.
pub fn run(command: &SpecCommand, root: &Path) -> Outcome {
    match command {
        SpecCommand::Fetch(args) => run_fetch(args),
        SpecCommand::Extract { from, ops, out } => run_extract(from, ops, out.as_deref()),
        SpecCommand::Diff {
            old,
            new,
            ops,
            version,
            json,
            fail_on_breaking,
        } => run_diff(old, new, ops, version, *json, *fail_on_breaking),
        SpecCommand::Update {
            from,
            fail_on_breaking,
            change,
        } => run_update(root, from, &change.flags(root, *fail_on_breaking)),
        SpecCommand::Add {
            from,
            ops,
            tags,
            change,
        } => run_add(root, from, ops, tags, &change.flags(root, false)),
        SpecCommand::Remove { ops, change } => run_remove(root, ops, &change.flags(root, false)),
    }
}

/// `cargo xtask spec fetch`.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct FetchArgs {
    /// The folder to write into (created if missing): the spec under its
    /// upstream file name (`v2.yaml`, `openapi-YYYY-MM-DD.yaml`), the
    /// overlays in `overlays/`.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// A branch, tag or commit of mongodb/openapi.
    #[arg(long = "ref", value_name = "REF", default_value = "main")]
    pub git_ref: String,
    /// The spec of one API version (openapi/v2/openapi-YYYY-MM-DD.yaml)
    /// instead of the combined one (openapi/v2.yaml).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub version: Option<String>,
    /// Also fetch the Atlas CLI's overlays (tools/internal/specs/overlays/
    /// of github.com/mongodb/mongodb-atlas-cli) into DIR/overlays, at this
    /// ref of its repository.
    #[arg(long, value_name = "REF", num_args = 0..=1, default_missing_value = "master")]
    pub overlays: Option<String>,
    /// Fail, writing nothing, unless the spec has this SHA-256 (hex).
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    /// Where repository files are served (a mirror, a test server).
    #[arg(long, value_name = "URL", default_value = crate::fetch::DEFAULT_RAW_URL)]
    pub raw_url: String,
    /// Where GitHub's REST API is served (a mirror, a test server).
    #[arg(long, value_name = "URL", default_value = crate::fetch::DEFAULT_API_URL)]
    pub api_url: String,
}

impl FetchArgs {
    /// The fetch these flags ask for.
    pub fn options(&self) -> crate::fetch::FetchOptions {
        crate::fetch::FetchOptions {
            out: self.out.clone(),
            git_ref: self.git_ref.clone(),
            version: self.version.clone(),
            overlays: self.overlays.clone(),
            sha256: self.sha256.clone(),
            raw_url: self.raw_url.trim_end_matches('/').to_owned(),
            api_url: self.api_url.trim_end_matches('/').to_owned(),
        }
    }
}

fn run_fetch(args: &FetchArgs) -> Outcome {
    match crate::fetch::fetch(&args.options()) {
        Ok(fetched) => {
            let mut stderr: String = fetched.notes.iter().map(|n| format!("{n}\n")).collect();
            let next = match &fetched.overlays {
                Some((dir, _)) => format!(
                    "next: cargo xtask install-cli --spec {} --overlays {}\n",
                    fetched.spec.display(),
                    dir.display()
                ),
                None => format!(
                    "next: cargo xtask crate --spec {}\n",
                    fetched.spec.display()
                ),
            };
            stderr.push_str(&next);
            Outcome {
                stdout: fetched.report(),
                stderr,
                status: 0,
            }
        }
        Err(why) => Outcome::error(format!("error: {why}\n")),
    }
}

fn failed(failure: &Failure) -> Outcome {
    Outcome::error(format!("{failure}\n"))
}

fn write_file(path: &Path, text: &str) -> Result<(), Failure> {
    let fail = |err: std::io::Error| {
        Failure::single(Diagnostic::error(
            path,
            &Pointer::root(),
            format!("cannot write: {err}"),
        ))
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let tmp = path.with_extension("yaml.tmp");
    std::fs::write(&tmp, text).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}

fn run_extract(from: &Path, ops: &[String], out: Option<&Path>) -> Outcome {
    let result = (|| {
        let doc = read_document(from)?;
        let extracted = extract(&doc, ops)?;
        let text = to_yaml(from, &extracted.root)?;
        Ok::<_, Failure>((extracted, text))
    })();
    let (extracted, text) = match result {
        Ok(x) => x,
        Err(f) => return failed(&f),
    };
    let summary = format!("extracted {extracted} from {}", from.display());
    match out {
        Some(path) => match write_file(path, &text) {
            Ok(()) => Outcome {
                stdout: format!("{summary} into {}\n", path.display()),
                ..Outcome::default()
            },
            Err(f) => failed(&f),
        },
        None => Outcome {
            stdout: text,
            stderr: format!("{summary}\n"),
            status: 0,
        },
    }
}

fn render(report: &Report, json: bool) -> String {
    if json {
        let mut s = report.to_json();
        s.push('\n');
        s
    } else {
        report.to_text()
    }
}

fn breaking_status(report: &Report, fail_on_breaking: bool) -> u8 {
    if fail_on_breaking && report.has_breaking() {
        EXIT_BREAKING
    } else {
        0
    }
}

fn run_diff(
    old: &Path,
    new: &Path,
    ops: &[String],
    version: &VersionPin,
    json: bool,
    fail: bool,
) -> Outcome {
    // Both sides are compared as the generator reads them: with our
    // corrections (atlas_codegen::corrections), listed in the output.
    let mut corrections = None;
    let result = (|| {
        let mut old = read_document(old)?;
        let mut new = read_document(new)?;
        atlas_codegen::corrections::apply(&mut old.root, &old.file)?;
        let applied = atlas_codegen::corrections::apply(&mut new.root, &new.file)?;
        corrections = atlas_codegen::corrections::summary(&applied);
        let options = DiffOptions {
            only: ops.to_vec(),
            version: version.clone(),
        };
        diff(&old, &new, &options)
    })();
    let line = corrections.map(|c| c + "\n").unwrap_or_default();
    match result {
        Ok(report) if json => Outcome {
            stdout: render(&report, json),
            stderr: line,
            status: breaking_status(&report, fail),
        },
        Ok(report) => Outcome {
            stdout: line + &render(&report, json),
            stderr: String::new(),
            status: breaking_status(&report, fail),
        },
        Err(f) => failed(&f),
    }
}

/// The names to extract from `upstream` for every operation of `current`:
/// the same name, else the operation at the same method and path.
fn names_to_keep(current: &Document, upstream: &Document) -> Result<Vec<String>, Failure> {
    let theirs = spec_tools::operations(&upstream.root);
    let mut names = Vec::new();
    let mut errors = Vec::new();
    for ours in spec_tools::operations(&current.root) {
        let by_name = theirs.iter().find(|t| {
            [ours.short_override, ours.operation_id]
                .into_iter()
                .flatten()
                .any(|n| t.is_named(n))
        });
        let by_place = || {
            theirs
                .iter()
                .find(|t| t.method == ours.method && t.path == ours.path)
        };
        match by_name.or_else(by_place) {
            Some(t) => names.push(
                t.short_override
                    .or(t.operation_id)
                    .map(str::to_owned)
                    .unwrap_or_else(|| t.short_name()),
            ),
            None => {
                let candidates = theirs
                    .iter()
                    .flat_map(|e| e.short_override.into_iter().chain(e.operation_id));
                let close = spec_tools::closest_names(&ours.short_name(), candidates, 5);
                errors.push(Diagnostic::error(
                    &current.file,
                    &ours.pointer(),
                    format!(
                        "operation `{}` ({} {}) is not in {} under that name or at that path; closest names there: {}",
                        ours.short_name(),
                        ours.method.to_uppercase(),
                        ours.path,
                        upstream.file.display(),
                        close.join(", ")
                    ),
                ));
            }
        }
    }
    if errors.is_empty() {
        Ok(names)
    } else {
        Err(Failure {
            diagnostics: errors,
        })
    }
}

/// The flags `spec update`, `spec add` and `spec remove` share.
#[derive(Debug, Clone, PartialEq, Eq, clap::Args)]
pub struct ChangeArgs {
    /// Print the report, write nothing.
    #[arg(long)]
    dry_run: bool,
    /// The change report as JSON (for CI).
    #[arg(long)]
    json: bool,
    /// The overlays applied when checking that the new spec generates and
    /// when regenerating (never to what is written to spec/).
    #[command(flatten)]
    overlays: OverlayCli,
}

impl ChangeArgs {
    /// The flags with the overlays resolved in the workspace at `root`.
    fn flags(&self, root: &Path, fail: bool) -> UpdateFlags {
        UpdateFlags {
            dry_run: self.dry_run,
            json: self.json,
            fail,
            overlays: self.overlays.resolve(root),
        }
    }
}

/// The flags of `spec update`, `add` and `remove`, overlays resolved.
struct UpdateFlags {
    dry_run: bool,
    json: bool,
    fail: bool,
    overlays: Vec<PathBuf>,
}

/// A new document for `spec/`, checked: it generates (with the overlays),
/// and how it differs from the current one.
struct Proposal {
    text: String,
    report: Report,
    unchanged: bool,
    /// What was done, for stderr (`extracted 2 operation(s) ...`).
    summary: String,
}

/// Checks `next` (the new `spec/` document) against `current`: the change
/// report (labelled `new_label`), and that it generates with `overlays`.
fn propose(
    spec_path: &Path,
    current: &Document,
    next: &serde_json::Value,
    new_label: String,
    overlays: &[PathBuf],
    summary: String,
) -> Result<Proposal, Failure> {
    let overlays = atlas_codegen::overlay::read_all(&atlas_codegen::overlay::expand(overlays)?)?;
    let text = to_yaml(spec_path, next)?;
    let next = parse_document(spec_path, &text)?;
    let mut report = diff(current, &next, &DiffOptions::default())?;
    report.old = DEFAULT_SPEC.to_owned();
    report.new = new_label;
    // Nothing is written unless the new spec generates.
    let loaded = atlas_codegen::load::parse_with_overlays(spec_path, &text, &overlays)?;
    atlas_codegen::generate(&loaded, &atlas_codegen::Options::new(DEFAULT_SPEC))?;
    let unchanged = std::fs::read_to_string(spec_path).is_ok_and(|t| t == text);
    Ok(Proposal {
        text,
        report,
        unchanged,
        summary,
    })
}

fn run_update(root: &Path, from: &Path, flags: &UpdateFlags) -> Outcome {
    let spec_path = root.join(DEFAULT_SPEC);
    let proposal = (|| {
        let current = read_document(&spec_path)?;
        let upstream = read_document(from)?;
        let names = names_to_keep(&current, &upstream)?;
        let extracted = extract(&upstream, &names)?;
        let summary = format!(
            "extracted {extracted} from {} for {DEFAULT_SPEC}",
            from.display()
        );
        propose(
            &spec_path,
            &current,
            &extracted.root,
            from.display().to_string(),
            &flags.overlays,
            summary,
        )
    })();
    apply("update", root, proposal, flags)
}

/// Which operations `spec add` takes: those named and those of the tags.
fn names_to_add(
    upstream: &Document,
    ops: &[String],
    tags: &[String],
) -> Result<Vec<String>, Failure> {
    let mut names = ops.to_vec();
    let mut errors = Vec::new();
    for tag in tags {
        match spec_tools::tagged(upstream, tag) {
            Ok(found) => names.extend(found.into_iter().filter(|n| !ops.contains(n))),
            Err(f) => errors.extend(f.diagnostics),
        }
    }
    if errors.is_empty() {
        Ok(names)
    } else {
        Err(Failure {
            diagnostics: errors,
        })
    }
}

fn describe_merge(verb: &str, merged: &spec_tools::Merged) -> String {
    let mut text = format!(
        "{verb} {} operation(s) ({}) and {} component(s)",
        merged.operations.len(),
        merged.operations.join(", "),
        merged.components.len()
    );
    if !merged.kept.is_empty() {
        let _ = write!(
            text,
            "; kept as they are {} component(s) the spec already had ({})",
            merged.kept.len(),
            merged.kept.join(", ")
        );
    }
    text
}

fn run_add(
    root: &Path,
    from: &Path,
    ops: &[String],
    tags: &[String],
    flags: &UpdateFlags,
) -> Outcome {
    let spec_path = root.join(DEFAULT_SPEC);
    let proposal = (|| {
        let current = read_document(&spec_path)?;
        let upstream = read_document(from)?;
        let names = names_to_add(&upstream, ops, tags)?;
        let merged = spec_tools::add(&current, &upstream, &names)?;
        let summary = format!(
            "{} from {} into {DEFAULT_SPEC}",
            describe_merge("added", &merged),
            from.display()
        );
        propose(
            &spec_path,
            &current,
            &merged.root,
            format!("{DEFAULT_SPEC} + {}", merged.operations.join(", ")),
            &flags.overlays,
            summary,
        )
    })();
    apply("add", root, proposal, flags)
}

fn run_remove(root: &Path, ops: &[String], flags: &UpdateFlags) -> Outcome {
    let spec_path = root.join(DEFAULT_SPEC);
    let proposal = (|| {
        let current = read_document(&spec_path)?;
        let merged = spec_tools::remove(&current, ops)?;
        let summary = format!("{} from {DEFAULT_SPEC}", describe_merge("removed", &merged));
        propose(
            &spec_path,
            &current,
            &merged.root,
            format!("{DEFAULT_SPEC} - {}", merged.operations.join(", ")),
            &flags.overlays,
            summary,
        )
    })();
    apply("remove", root, proposal, flags)
}

/// Prints the change report of `proposal`, then (unless a flag or a
/// failure says not to) writes `spec/` and regenerates `generated/`.
fn apply(
    command: &str,
    root: &Path,
    proposal: Result<Proposal, Failure>,
    flags: &UpdateFlags,
) -> Outcome {
    let UpdateFlags {
        dry_run,
        json,
        fail,
        ..
    } = *flags;
    let spec_path = root.join(DEFAULT_SPEC);
    let Proposal {
        text,
        report,
        unchanged,
        summary,
    } = match proposal {
        Ok(x) => x,
        Err(f) => {
            return Outcome::error(format!(
                "{f}\nerror: spec {command} failed; nothing was written\n"
            ))
        }
    };
    let mut outcome = Outcome {
        stdout: render(&report, json),
        stderr: String::new(),
        status: breaking_status(&report, fail),
    };
    let notes = &mut outcome.stderr;
    let _ = writeln!(notes, "{summary}");
    if outcome.status != 0 {
        let _ = writeln!(
            notes,
            "error: --fail-on-breaking: {} breaking change(s); nothing was written",
            report.counts().breaking
        );
        return outcome;
    }
    if dry_run {
        let _ = writeln!(notes, "--dry-run: nothing was written");
        return outcome;
    }
    if unchanged {
        let _ = writeln!(notes, "{DEFAULT_SPEC} is already up to date");
    } else if let Err(f) = write_file(&spec_path, &text) {
        outcome.status = EXIT_ERROR;
        let _ = writeln!(notes, "{f}");
        return outcome;
    } else {
        let _ = writeln!(notes, "wrote {DEFAULT_SPEC}");
    }
    let mut args = CodegenArgs::defaults(root);
    args.overlays = flags.overlays.clone();
    match codegen(&args, root) {
        Ok(summary) => notes.push_str(&summary),
        Err(summary) => {
            notes.push_str(&summary);
            outcome.status = EXIT_ERROR;
        }
    }
    outcome
}

#[cfg(test)]
mod tests;
