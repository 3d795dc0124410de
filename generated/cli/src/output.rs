//! Writing what a command prints: the outcome of a prepared operation
//! ([`print_outcome`], in its format, through its `--jq`), the request a
//! dry run did not send ([`print_not_sent`]), `--ndjson` items
//! ([`ItemWriter`]), completion scripts ([`print_completion`]), all through
//! [`write_output`], the one way the CLI writes to standard output or
//! `--outputFile`. The formats are `format.rs`, the outcomes `outcome.rs`;
//! a binary or text answer bound for `--outputFile` is streamed there
//! instead ([`crate::saved_outcome`]).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{ArgMatches, Command};

use atlas_admin_runtime::files::{put_in_place, temp_beside};
use atlas_admin_runtime::wire::WireRequest;

use crate::command::completion_script;
use crate::error::CliError;
use crate::format::{render, DryRun};
use crate::jq::JqFilter;
use crate::outcome::Outcome;
use crate::prepare::Prepared;

/// Writes `bytes` to `file`, else to standard output. The file is
/// replaced whole: the bytes go to a temporary file beside it, renamed
/// over it once written, so it never holds half an output.
pub fn write_output(bytes: &[u8], file: Option<&Path>) -> Result<(), CliError> {
    match file {
        Some(file) => replace_file(file, bytes).map_err(|err| output_file_error(file, &err)),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .map_err(|err| CliError::failure(format!("cannot write the output: {err}")))
        }
    }
}

/// How the temporary file of an `--outputFile` begins.
const OUTPUT_PREFIX: &str = ".atlas-output-";

/// Writes `bytes` to a temporary file in `file`'s directory, then renames
/// it to `file`.
fn replace_file(file: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temp = temp_beside(file, OUTPUT_PREFIX)?;
    temp.write_all(bytes)?;
    put_in_place(temp, file)
}

/// Prints the outcome of a prepared operation: through its `--jq` filter
/// when there is one (a response without a body is `null` to it), else
/// rendered in its format; to `--outputFile` (replaced whole) or standard
/// output. Nothing for an [`Outcome::Saved`], which is in its file already.
pub fn print_outcome(prepared: &Prepared<'_>, outcome: &Outcome) -> Result<(), CliError> {
    let bytes = match (&prepared.jq, outcome) {
        (Some(jq), Outcome::Json(value)) => jq.run(value)?,
        (Some(jq), Outcome::NoContent) => jq.run(&serde_json::Value::Null)?,
        (Some(_), Outcome::Bytes(_) | Outcome::Text(_) | Outcome::Saved { .. }) => {
            return Err(CliError::failure(
                "--jq filters JSON, and this answer is not JSON (it was not filtered)",
            ))
        }
        (None, Outcome::Saved { .. }) => return Ok(()),
        _ => render(outcome, prepared.format)?,
    };
    write_output(&bytes, prepared.output_file.as_deref())
}

/// Prints the request a dry run did not send: as text (`--dry-run`) or
/// as a `curl` command (`--curl`), to standard output.
pub fn print_not_sent(request: &WireRequest, how: DryRun) -> Result<(), CliError> {
    let mut text = match how {
        DryRun::Text => request.text(),
        DryRun::Curl => request.curl(),
    };
    if !text.ends_with('\n') {
        text.push('\n');
    }
    write_output(text.as_bytes(), None)
}

/// Writes the items of a walk one per line as they come (`--ndjson`):
/// compact JSON, or what the `--jq` filter makes of each, one result per
/// line. To standard output, flushed after each item; or to a temporary
/// file beside `--outputFile`, which [`ItemWriter::finish`] renames into
/// place once the walk is complete (a walk that fails leaves the old file
/// as it was, and no temporary one).
pub struct ItemWriter {
    out: ItemsTo,
    jq: Option<Arc<JqFilter>>,
}

/// Where an [`ItemWriter`] writes.
enum ItemsTo {
    Stdout,
    File {
        temp: std::io::BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
    },
}

impl std::fmt::Debug for ItemWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ItemWriter").field("jq", &self.jq).finish()
    }
}

impl ItemWriter {
    /// A writer to the prepared operation's `--outputFile` (through a
    /// temporary file beside it), else standard output.
    pub fn new(prepared: &Prepared<'_>) -> Result<Self, CliError> {
        let out = match &prepared.output_file {
            Some(path) => ItemsTo::File {
                temp: std::io::BufWriter::new(
                    temp_beside(path, OUTPUT_PREFIX)
                        .map_err(|err| output_file_error(path, &err))?,
                ),
                path: path.clone(),
            },
            None => ItemsTo::Stdout,
        };
        Ok(Self {
            out,
            jq: prepared.jq.clone(),
        })
    }

    /// Writes one item.
    pub fn write(&mut self, item: &serde_json::Value) -> Result<(), CliError> {
        let bytes = match &self.jq {
            Some(jq) => jq.run_compact(item)?,
            None => {
                let mut line = serde_json::to_vec(item)
                    .map_err(|err| CliError::failure(format!("cannot print an item: {err}")))?;
                line.push(b'\n');
                line
            }
        };
        match &mut self.out {
            ItemsTo::Stdout => write_output(&bytes, None),
            ItemsTo::File { temp, .. } => temp
                .write_all(&bytes)
                .map_err(|err| CliError::failure(format!("cannot write the output: {err}"))),
        }
    }

    /// Ends a complete walk: the `--outputFile` takes its place.
    pub fn finish(self) -> Result<(), CliError> {
        match self.out {
            ItemsTo::Stdout => Ok(()),
            ItemsTo::File { temp, path } => temp
                .into_inner()
                .map_err(|err| err.into_error())
                .and_then(|temp| put_in_place(temp, &path))
                .map_err(|err| output_file_error(&path, &err)),
        }
    }
}

/// The error of an `--outputFile` that cannot be written.
fn output_file_error(file: &Path, err: &std::io::Error) -> CliError {
    CliError::failure(format!(
        "cannot write --outputFile {}: {err}",
        file.display()
    ))
}

/// Runs `completion SHELL` (its matches): writes the completion script of
/// `command` to standard output.
pub fn print_completion(matches: &ArgMatches, command: &mut Command) -> Result<(), CliError> {
    match matches.get_one::<clap_complete::Shell>("shell") {
        Some(shell) => write_output(&completion_script(*shell, command), None),
        None => Ok(()),
    }
}
