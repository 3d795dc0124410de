//! What a successful command prints ([`Outcome`]), and the functions the
//! generated code turns a typed result into one with ([`outcome`],
//! [`json_outcome`], [`bytes_outcome`], [`text_outcome`], and
//! [`saved_outcome`], which streams a body to `--outputFile`).

use std::path::{Path, PathBuf};

use atlas_admin_runtime::{ByteStream, Error, ErrorDetails, Response};
use bytes::Bytes;
use serde::Serialize;

use crate::error::CliError;

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
