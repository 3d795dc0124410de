//! Hand-written pieces of the `atlas-api` command line (cargo feature
//! `cli`) that the generated commands in `crate::gen::cli` share: common
//! flags, reading the request body, turning results into output and errors
//! into messages and exit codes.

use std::io::{IsTerminal, Read};

use bytes::Bytes;
use clap::{Arg, ArgMatches, Command};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::error::Error;
use super::response::Response;

/// Exit status of a request that was never sent: bad flags, a value that
/// breaks its pattern, a body that does not fit its type.
pub const EXIT_USAGE: i32 = 2;
/// Exit status of a request that failed after it was sent (an API error, a
/// communication failure, a response that did not decode).
pub const EXIT_FAILURE: i32 = 1;

/// The root command with its global flags; generated code adds the tags.
pub fn root_command(about: &str) -> Command {
    Command::new("atlas-api")
        .about(about.to_owned())
        .long_about(format!(
            "{about}\n\nUsage: atlas-api <tag> <operation> [flags]; `atlas-api <tag> <operation> --help` describes one operation.\n\nCredentials come from MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET (a service account), else MONGODB_ATLAS_PUBLIC_KEY and MONGODB_ATLAS_PRIVATE_KEY (an API key, HTTP digest). Results are printed to standard output as JSON; errors go to standard error with a non-zero exit status (2: nothing was sent, 1: the request failed)."
        ))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("base-url")
                .long("base-url")
                .global(true)
                .value_name("URL")
                .help("Another endpoint than https://cloud.mongodb.com"),
        )
}

/// `--file PATH`: where the request body is read from (`-` for stdin).
pub fn file_arg() -> Arg {
    Arg::new("file")
        .long("file")
        .value_name("PATH")
        .help("Read the JSON request body from PATH (`-` for standard input)")
        .long_help("Read the JSON request body from PATH (`-` for standard input). Without --file the body is read from standard input when it is not a terminal.")
}

/// `--version VERSION`: one of the API versions the operation offers.
pub fn version_arg(versions: &[&'static str], default: &'static str) -> Arg {
    Arg::new("version")
        .long("version")
        .value_name("VERSION")
        .value_parser(clap::builder::PossibleValuesParser::new(versions.iter().copied()))
        .help(format!(
            "The API version to call (default {default}); another one prints the response as received"
        ))
}

/// The API version chosen with `--version`, when it is not `generated`.
pub fn other_version(matches: &ArgMatches, generated: &str) -> Option<String> {
    matches
        .try_get_one::<String>("version")
        .ok()
        .flatten()
        .filter(|v| v.as_str() != generated)
        .cloned()
}

/// The request body: `--file PATH` (`-` for stdin), else standard input when
/// it is not a terminal; `None` when neither gives any text.
pub fn read_body(matches: &ArgMatches) -> Result<Option<serde_json::Value>, CliError> {
    let path = matches.try_get_one::<String>("file").ok().flatten();
    let text = match path.map(String::as_str) {
        Some("-") => read_stdin()?,
        Some(path) => std::fs::read_to_string(path)
            .map_err(|err| CliError::usage(format!("cannot read --file {path}: {err}")))?,
        None if !std::io::stdin().is_terminal() => read_stdin()?,
        None => String::new(),
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|err| CliError::usage(format!("the request body is not JSON: {err}")))
}

fn read_stdin() -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|err| CliError::usage(format!("cannot read standard input: {err}")))?;
    Ok(text)
}

/// The body as the operation's request type: fields that break their
/// pattern or type are reported here, before anything is sent.
pub fn typed_body<T: DeserializeOwned>(body: &serde_json::Value) -> Result<T, CliError> {
    serde_json::from_value(body.clone())
        .map_err(|err| CliError::usage(format!("invalid request body: {err}")))
}

/// A flag value of a type other than a string, number or boolean (an enum,
/// a date): read as a JSON string, else as JSON.
pub fn parse_arg<T: DeserializeOwned>(flag: &str, value: &str) -> Result<T, CliError> {
    serde_json::from_value(serde_json::Value::String(value.to_owned()))
        .or_else(|_| serde_json::from_str(value))
        .map_err(|err| CliError::usage(format!("invalid --{flag} {value:?}: {err}")))
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
}

impl Outcome {
    /// The bytes written to standard output.
    pub fn to_stdout(&self) -> Vec<u8> {
        match self {
            Outcome::Json(value) => {
                let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
                out.push(b'\n');
                out
            }
            Outcome::NoContent => Vec::new(),
            Outcome::Bytes(bytes) => bytes.to_vec(),
            Outcome::Text(text) => text.as_bytes().to_vec(),
        }
    }
}

/// A typed result, printed as JSON.
pub fn outcome<T: Serialize, E: Serialize + std::fmt::Debug>(
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
pub fn json_outcome<E: Serialize + std::fmt::Debug>(
    result: Result<Response<serde_json::Value>, Error<E>>,
) -> Result<Outcome, CliError> {
    let response = result.map_err(CliError::from_error)?;
    Ok(match response.body {
        serde_json::Value::Null => Outcome::NoContent,
        value => Outcome::Json(value),
    })
}

/// A binary result.
pub fn bytes_outcome<E: Serialize + std::fmt::Debug>(
    result: Result<Response<Bytes>, Error<E>>,
) -> Result<Outcome, CliError> {
    Ok(Outcome::Bytes(result.map_err(CliError::from_error)?.body))
}

/// A text result.
pub fn text_outcome<E: Serialize + std::fmt::Debug>(
    result: Result<Response<String>, Error<E>>,
) -> Result<Outcome, CliError> {
    Ok(Outcome::Text(result.map_err(CliError::from_error)?.body))
}

/// Why a command failed: the message for standard error, the exit status,
/// and for an API error its status and decoded body (the `ApiError` fields).
#[derive(Debug, Clone, PartialEq)]
pub struct CliError {
    /// Exit status ([`EXIT_USAGE`] or [`EXIT_FAILURE`]).
    pub exit_code: i32,
    /// What went wrong, in one line.
    pub message: String,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// The decoded error body of a documented error status.
    pub api_error: Option<serde_json::Value>,
}

impl CliError {
    /// A command that could not be sent as given.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            exit_code: EXIT_USAGE,
            message: message.into(),
            status: None,
            api_error: None,
        }
    }

    /// A command that failed after it was sent.
    pub fn failure(message: impl Into<String>) -> Self {
        Self {
            exit_code: EXIT_FAILURE,
            message: message.into(),
            status: None,
            api_error: None,
        }
    }

    /// From a client error: validation errors are usage errors (nothing was
    /// sent); API errors keep their status and body.
    pub fn from_error<E: Serialize + std::fmt::Debug>(err: Error<E>) -> Self {
        match err {
            Error::InvalidRequest(err) => Self::usage(format!("request not sent: {err}")),
            Error::Config(msg) => Self::usage(format!("configuration: {msg}")),
            Error::Api { meta, body } => Self {
                exit_code: EXIT_FAILURE,
                message: format!("the server answered HTTP {}", meta.status),
                status: Some(meta.status),
                api_error: serde_json::to_value(&body).ok(),
            },
            other => {
                let status = other.status();
                Self {
                    status,
                    ..Self::failure(other.to_string())
                }
            }
        }
    }

    /// The text for standard error: the message, then the API error's
    /// fields as JSON when there is one.
    pub fn to_stderr(&self) -> String {
        let mut out = format!("Error: {}\n", self.message);
        if let Some(body) = &self.api_error {
            out.push_str(&serde_json::to_string_pretty(body).unwrap_or_default());
            out.push('\n');
        }
        out
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}
