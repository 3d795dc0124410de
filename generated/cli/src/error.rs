//! Why a command failed ([`CliError`]) and its exit status.

use atlas_admin_runtime::wire::WireRequest;
use atlas_admin_runtime::{Error, ErrorDetails};
use serde::Serialize;

/// Exit status of a request that was never sent: bad flags, a value that
/// breaks its pattern, a body that does not fit its type, missing
/// credentials.
pub const EXIT_USAGE: i32 = 2;
/// Exit status of a request that failed after it was sent (an API error, a
/// communication failure, a response that did not decode).
pub const EXIT_FAILURE: i32 = 1;

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
    /// The request a dry run built and did not send (`--dry-run`,
    /// `--curl`): not a failure, the binary prints it.
    pub not_sent: Option<Box<WireRequest>>,
}

impl CliError {
    /// A command that could not be sent as given.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            exit_code: EXIT_USAGE,
            message: message.into(),
            status: None,
            api_error: None,
            not_sent: None,
        }
    }

    /// A command that failed after it was sent.
    pub fn failure(message: impl Into<String>) -> Self {
        Self {
            exit_code: EXIT_FAILURE,
            message: message.into(),
            status: None,
            api_error: None,
            not_sent: None,
        }
    }

    /// From a client error: validation errors are usage errors (nothing was
    /// sent); API errors keep their status and body.
    pub fn from_error<E: Serialize + ErrorDetails + std::fmt::Debug>(err: Error<E>) -> Self {
        match err {
            Error::InvalidRequest(err) => Self::usage(format!("request not sent: {err}")),
            Error::Config(msg) => Self::usage(format!("configuration: {msg}")),
            Error::NotSent(request) => Self {
                not_sent: Some(request),
                ..Self::usage("dry run: the request was not sent")
            },
            err @ Error::Api { .. } => Self {
                exit_code: EXIT_FAILURE,
                message: err.to_string(),
                status: err.status().map(|s| s.as_u16()),
                api_error: err
                    .api_error()
                    .and_then(|body| serde_json::to_value(body).ok()),
                not_sent: None,
            },
            other => {
                let status = other.status().map(|s| s.as_u16());
                let mut message = other.to_string();
                if matches!(&other, Error::Communication { source, .. } if source.is_certificate())
                {
                    message.push_str("; here: --caCert FILE");
                }
                Self {
                    status,
                    ..Self::failure(message)
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
