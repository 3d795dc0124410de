//! What a command prints: the output formats ([`OutputFormat`], one
//! variant per `--output` value), the [`Outcome`] of a request, rendering
//! it ([`render`]) and writing it ([`print_outcome`], [`write_output`]).
//! A binary or text answer bound for `--outputFile` is streamed there
//! instead ([`saved_outcome`]): bounded memory, and the file only ever
//! holds a complete body.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use atlas_admin_runtime::{ByteStream, Error, ErrorDetails, Response};
use bytes::Bytes;
use serde::Serialize;

use atlas_admin_runtime::files::{put_in_place, temp_beside};
use atlas_admin_runtime::wire::WireRequest;

use crate::error::CliError;
use crate::jq::JqFilter;
use crate::prepare::{DryRun, Prepared};

/// A value of `--output`. A new format is one variant here and its arm in
/// each `match` below; the help, the choice of version, the refusal of
/// binary output on a terminal and the rendering all derive from these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutputFormat {
    /// The JSON body, indented.
    Json,
    /// The JSON body rendered as YAML.
    Yaml,
    /// The `+csv` response, printed as received.
    Csv,
    /// The `+gzip` response, written as received (binary).
    Gzip,
}

impl OutputFormat {
    /// Every format, in the order `--output` lists them.
    pub const ALL: [OutputFormat; 4] = [
        OutputFormat::Json,
        OutputFormat::Yaml,
        OutputFormat::Csv,
        OutputFormat::Gzip,
    ];

    /// The value of `--output` (`json`, `yaml`, `csv`, `gzip`).
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Json => "json",
            OutputFormat::Yaml => "yaml",
            OutputFormat::Csv => "csv",
            OutputFormat::Gzip => "gzip",
        }
    }

    /// The format of `--output NAME`, if there is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The response format (a media type's suffix, as in
    /// [`crate::VersionSpec::formats`]) an API version must offer for this
    /// output: JSON for `json` and `yaml`.
    pub fn served_as(self) -> &'static str {
        match self {
            OutputFormat::Json | OutputFormat::Yaml => "json",
            OutputFormat::Csv => "csv",
            OutputFormat::Gzip => "gzip",
        }
    }

    /// The response format asked of the server when it is not JSON (the
    /// response is then returned as received; [`crate::Call::format`]).
    pub fn requested(self) -> Option<&'static str> {
        match self.served_as() {
            "json" => None,
            other => Some(other),
        }
    }

    /// Whether the output is binary, unfit for a terminal.
    pub fn is_binary(self) -> bool {
        match self {
            OutputFormat::Json | OutputFormat::Yaml | OutputFormat::Csv => false,
            OutputFormat::Gzip => true,
        }
    }

    /// The bytes to write for `outcome`: JSON indented, YAML, or the body
    /// as received; nothing for a response without a body.
    pub fn render(self, outcome: &Outcome) -> Result<Vec<u8>, CliError> {
        match (outcome, self) {
            (Outcome::Json(value), OutputFormat::Yaml) => serde_yaml::to_string(value)
                .map(String::into_bytes)
                .map_err(|err| {
                    CliError::failure(format!("cannot print the response as YAML: {err}"))
                }),
            (Outcome::Json(value), _) => {
                let mut out = serde_json::to_vec_pretty(value).map_err(|err| {
                    CliError::failure(format!("cannot print the response: {err}"))
                })?;
                out.push(b'\n');
                Ok(out)
            }
            (Outcome::NoContent | Outcome::Saved { .. }, _) => Ok(Vec::new()),
            (Outcome::Bytes(bytes), _) => Ok(bytes.to_vec()),
            (Outcome::Text(text), _) => Ok(text.as_bytes().to_vec()),
        }
    }
}

impl std::fmt::Display for OutputFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The bytes to write for `outcome` in `format` (see
/// [`OutputFormat::render`]).
pub fn render(outcome: &Outcome, format: OutputFormat) -> Result<Vec<u8>, CliError> {
    format.render(outcome)
}

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

/// What a successful command prints.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A JSON body.
    Json(serde_json::Value),
    /// A success without a body.
    NoContent,
    /// A binary body, written as is.
    Bytes(Bytes),
    /// A text body (CSV), written as is.
    Text(String),
    /// A body streamed to `--outputFile` ([`saved_outcome`]): nothing more
    /// to write.
    Saved {
        /// The file written.
        path: PathBuf,
        /// Its length in bytes.
        bytes: u64,
    },
}

/// A typed result, printed as JSON.
pub fn outcome<T: Serialize, E: Serialize + ErrorDetails + std::fmt::Debug>(
    result: Result<Response<T>, Error<E>>,
) -> Result<Outcome, CliError> {
    let response = result.map_err(CliError::from_error)?;
    match serde_json::to_value(&response.body) {
        Ok(serde_json::Value::Null) => Ok(Outcome::NoContent),
        Ok(value) => Ok(Outcome::Json(value)),
        Err(err) => Err(CliError::failure(format!(
            "cannot print the response: {err}"
        ))),
    }
}

/// A result decoded as plain JSON (another API version).
pub fn json_outcome<E: Serialize + ErrorDetails + std::fmt::Debug>(
    result: Result<Response<serde_json::Value>, Error<E>>,
) -> Result<Outcome, CliError> {
    let response = result.map_err(CliError::from_error)?;
    Ok(match response.body {
        serde_json::Value::Null => Outcome::NoContent,
        value => Outcome::Json(value),
    })
}

/// A binary result.
pub fn bytes_outcome<E: Serialize + ErrorDetails + std::fmt::Debug>(
    result: Result<Response<Bytes>, Error<E>>,
) -> Result<Outcome, CliError> {
    Ok(Outcome::Bytes(result.map_err(CliError::from_error)?.body))
}

/// A binary or text result streamed to `path` as it arrives (the
/// operation's `send_stream`, or `send_as_stream` for another format),
/// in bounded memory: into a temporary file beside `path`, renamed to
/// `path` when the body is complete. A body that fails midway (a stall, a
/// cut connection) leaves `path` as it was and no temporary file.
pub async fn saved_outcome<E: Serialize + ErrorDetails + std::fmt::Debug>(
    result: Result<Response<ByteStream<E>>, Error<E>>,
    path: &Path,
) -> Result<Outcome, CliError> {
    let body = result.map_err(CliError::from_error)?.into_body();
    let bytes = body.save_to(path).await.map_err(|err| {
        let mut cli = CliError::from_error(err);
        cli.message = format!(
            "--outputFile {} not written: {}",
            path.display(),
            cli.message
        );
        cli
    })?;
    Ok(Outcome::Saved {
        path: path.to_owned(),
        bytes,
    })
}

/// A text result.
pub fn text_outcome<E: Serialize + ErrorDetails + std::fmt::Debug>(
    result: Result<Response<String>, Error<E>>,
) -> Result<Outcome, CliError> {
    Ok(Outcome::Text(result.map_err(CliError::from_error)?.body))
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
