//! The one error type every generated operation returns.

use std::fmt;
use std::time::Duration;

use super::auth::AuthError;
use super::response::ResponseMeta;
use super::validate::ValidationError;

/// What can go wrong with a call. `E` is the operation's documented error
/// body (for Atlas, [`crate::models::ApiError`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The request broke the spec and was never sent.
    InvalidRequest(ValidationError),
    /// The client could not be configured (bad base URL, TLS setup).
    Config(String),
    /// Connecting, sending or receiving failed (including timeouts), after
    /// every retry the [`super::RetryPolicy`] allows.
    Communication(reqwest::Error),
    /// Credentials could not be obtained or used before the API answered
    /// (token endpoint failure, unsupported digest challenge). Never
    /// contains a secret. A server that refuses the credentials answers with
    /// a status instead: [`Error::Api`] (401, decoded `ApiError`).
    Auth(AuthError),
    /// The server answered with a documented error status; the body decoded.
    Api {
        /// Status, headers and rate-limit figures of the response.
        meta: ResponseMeta,
        /// The decoded error body.
        body: E,
    },
    /// The server answered with a status the spec does not document.
    UnexpectedStatus {
        /// Status, headers and rate-limit figures of the response.
        meta: ResponseMeta,
        /// The start of the body (at most 1 KiB, lossy UTF-8).
        body_prefix: String,
    },
    /// The body of a documented status did not decode into its type.
    InvalidResponse {
        /// Status, headers and rate-limit figures of the response.
        meta: ResponseMeta,
        /// The start of the body (at most 1 KiB, lossy UTF-8).
        body_prefix: String,
        /// Why decoding failed.
        source: serde_json::Error,
    },
    /// A waiter gave up: the awaited state was not reached within its
    /// timeout (polls included).
    WaitTimeout {
        /// How long the wait lasted.
        elapsed: Duration,
        /// Polls made.
        polls: u32,
        /// The last polled body (as JSON), if any poll answered.
        last: Option<Box<serde_json::Value>>,
    },
    /// A waiter reached a state that means the awaited work did not
    /// succeed (an export job `Failed` or `Cancelled`).
    WaitFailed {
        /// The state reached (`Failed`).
        state: String,
        /// The machine-readable reason the server gave, if any
        /// (`stateReason.errorCode`).
        code: Option<String>,
        /// The reason in words, if any (`stateReason.message`).
        reason: Option<String>,
        /// The last polled body (as JSON).
        last: Box<serde_json::Value>,
    },
    /// A documented text body (such as CSV) that is not valid UTF-8.
    InvalidText {
        /// Status, headers and rate-limit figures of the response.
        meta: ResponseMeta,
        /// The start of the body (at most 1 KiB, lossy UTF-8).
        body_prefix: String,
        /// Where the bytes stopped being UTF-8.
        source: std::str::Utf8Error,
    },
}

impl<E> Error<E> {
    /// HTTP status of the response, when there was one.
    pub fn status(&self) -> Option<u16> {
        self.meta().map(|m| m.status)
    }

    /// Status, headers and rate-limit figures, when there was a response.
    pub fn meta(&self) -> Option<&ResponseMeta> {
        match self {
            Error::Api { meta, .. }
            | Error::UnexpectedStatus { meta, .. }
            | Error::InvalidResponse { meta, .. }
            | Error::InvalidText { meta, .. } => Some(meta),
            Error::InvalidRequest(_)
            | Error::Config(_)
            | Error::Communication(_)
            | Error::Auth(_)
            | Error::WaitTimeout { .. }
            | Error::WaitFailed { .. } => None,
        }
    }

    /// The decoded error body of a documented error status.
    pub fn api_error(&self) -> Option<&E> {
        match self {
            Error::Api { body, .. } => Some(body),
            _ => None,
        }
    }
}

impl<E> From<ValidationError> for Error<E> {
    fn from(err: ValidationError) -> Self {
        Error::InvalidRequest(err)
    }
}

impl<E: fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest(err) => write!(f, "request not sent: {err}"),
            Error::Config(msg) => write!(f, "client configuration: {msg}"),
            Error::Communication(err) => write!(f, "communication with the server failed: {err}"),
            Error::Auth(err) => write!(f, "authentication failed: {err}"),
            Error::Api { meta, body } => {
                write!(f, "the server answered HTTP {}: {body:?}", meta.status)
            }
            Error::UnexpectedStatus { meta, body_prefix } => write!(
                f,
                "the server answered with undocumented HTTP {}: {body_prefix}",
                meta.status
            ),
            Error::InvalidResponse {
                meta,
                body_prefix,
                source,
            } => write!(
                f,
                "the HTTP {} response body did not decode ({source}): {body_prefix}",
                meta.status
            ),
            Error::InvalidText {
                meta,
                body_prefix,
                source,
            } => write!(
                f,
                "the HTTP {} response body is not UTF-8 text ({source}): {body_prefix}",
                meta.status
            ),
            Error::WaitTimeout { elapsed, polls, .. } => write!(
                f,
                "gave up waiting after {} s ({polls} polls)",
                elapsed.as_secs()
            ),
            Error::WaitFailed {
                state,
                code,
                reason,
                ..
            } => {
                write!(f, "the wait ended in state {state}")?;
                match (code, reason) {
                    (Some(code), Some(reason)) => write!(f, ": {code}: {reason}"),
                    (Some(text), None) | (None, Some(text)) => write!(f, ": {text}"),
                    (None, None) => Ok(()),
                }
            }
        }
    }
}

impl<E: fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::InvalidRequest(err) => Some(err),
            Error::Communication(err) => Some(err),
            Error::Auth(err) => Some(err),
            Error::InvalidResponse { source, .. } => Some(source),
            Error::InvalidText { source, .. } => Some(source),
            _ => None,
        }
    }
}
