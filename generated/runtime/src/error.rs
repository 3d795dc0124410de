//! The one error type every generated operation, waiter and page stream
//! returns, its messages, and what can be asked of it in one call
//! ([`Error::status`], [`Error::error_code`], [`Error::is_error_code`],
//! [`Error::api_error`]).

use std::fmt;
use std::time::Duration;

use super::auth_error::AuthError;
use super::communication::CommunicationError;
use super::meta::ResponseMeta;
use super::validate::ValidationError;

/// The code of an API version Atlas no longer serves: the code of
/// [`Error::VersionGone`] (the table of codes is [`crate::error_codes`]).
pub const VERSION_GONE: &str = "VERSION_GONE";

/// What can go wrong with a call. `E` is the type error bodies are read
/// into: for generated operations the runtime's [`ApiError`](crate::ApiError),
/// which reads any body Atlas sends.
///
/// Messages read as sentences (`HTTP 404 RESOURCE_NOT_FOUND: No group with
/// ID 32b6e34b3d91647abb20e7b8 found.`), and [`std::error::Error::source`]
/// keeps the cause (the I/O error behind a refused connection, say).
#[derive(Debug)]
#[non_exhaustive]
pub enum Error<E> {
    /// The request broke the spec and was never sent.
    InvalidRequest(ValidationError),
    /// The transport was built with [`crate::TransportBuilder::dry_run`]:
    /// the request that would have been sent, credentials left out.
    /// Nothing was sent.
    NotSent(Box<crate::wire::WireRequest>),
    /// The client could not be configured (bad base URL, TLS setup).
    Config(String),
    /// Connecting, sending or receiving failed (including timeouts), after
    /// every retry the [`super::RetryPolicy`] allows, or the call's deadline
    /// ([`TimeoutKind::Operation`](super::TimeoutKind::Operation)) passed.
    Communication {
        /// What failed last (its `source()` chain holds the root cause).
        source: CommunicationError,
        /// Attempts made, the first included.
        attempts: u32,
    },
    /// Credentials could not be obtained or used before the API answered
    /// (token endpoint failure, unsupported digest challenge). Never
    /// contains a secret. A server that refuses the credentials answers with
    /// a status instead: [`Error::Api`] (401, decoded `ApiError`).
    Auth(AuthError),
    /// The server answered with a documented error status (with
    /// [`ApiError`](crate::ApiError) as `E`, whatever its body holds).
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
    /// A body to be read into memory is longer than the client's limit
    /// ([`TransportBuilder::max_body_size`](super::TransportBuilder::max_body_size));
    /// streamed bodies (`send_stream`) have none.
    BodyTooLarge {
        /// Status, headers and rate-limit figures of the response.
        meta: ResponseMeta,
        /// The limit, in bytes.
        limit: u64,
    },
    /// Atlas no longer serves the API version sent (`410 Gone`, or error
    /// code `VERSION_GONE`): see [`crate::lifecycle`].
    VersionGone {
        /// The operation (`getGroupClusterBackupExport`).
        operation: &'static str,
        /// The version sent (`2023-01-01`).
        version: String,
        /// What to do: the newer version to pin, or to regenerate.
        advice: String,
        /// Status, headers and rate-limit figures of the response.
        meta: ResponseMeta,
    },
    /// Writing a streamed body out failed (a full disk, a closed pipe).
    Io(std::io::Error),
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
    /// HTTP status of the response, when there was one
    /// (`err.status() == Some(StatusCode::NOT_FOUND)`).
    pub fn status(&self) -> Option<reqwest::StatusCode> {
        self.meta().map(|m| m.status)
    }

    /// Status, headers and rate-limit figures, when there was a response.
    pub fn meta(&self) -> Option<&ResponseMeta> {
        match self {
            Error::Api { meta, .. }
            | Error::UnexpectedStatus { meta, .. }
            | Error::InvalidResponse { meta, .. }
            | Error::InvalidText { meta, .. }
            | Error::BodyTooLarge { meta, .. }
            | Error::VersionGone { meta, .. } => Some(meta),
            Error::InvalidRequest(_)
            | Error::NotSent(_)
            | Error::Io(_)
            | Error::Config(_)
            | Error::Communication { .. }
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

impl<E: ErrorDetails> Error<E> {
    /// The machine-readable error code: the API's (`RESOURCE_NOT_FOUND`,
    /// from the decoded error body), or the reason a waiter stopped on a
    /// failed state.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Api { body, .. } => body.error_code(),
            Error::WaitFailed { code, .. } => code.as_deref(),
            Error::VersionGone { .. } => Some(VERSION_GONE),
            _ => None,
        }
    }

    /// Whether the error carries this code: Go's
    /// `admin.IsErrorCode(err, "RESOURCE_NOT_FOUND")` in one call.
    pub fn is_error_code(&self, code: &str) -> bool {
        self.error_code() == Some(code)
    }

    /// The values that fill in the API error's message (`parameters`), as
    /// the server sent them (`["my-cluster", "68b48f4e7af6b0372e8d18f1"]`,
    /// `["api/atlas/v2/orgs", 55, 10, 5, 60]`); empty for other errors.
    pub fn parameters(&self) -> &[serde_json::Value] {
        match self {
            Error::Api { body, .. } => body.parameters(),
            _ => &[],
        }
    }
}

/// What the client reads from an error body for messages,
/// [`Error::error_code`] and [`Error::parameters`], and how it reads the
/// body. Generated operations use the runtime's [`ApiError`](crate::ApiError),
/// which never fails to read; a type of your own (an [`Endpoint`](crate::Endpoint)
/// written by hand) may implement it too.
pub trait ErrorDetails {
    /// The machine-readable code (`RESOURCE_NOT_FOUND`).
    fn error_code(&self) -> Option<&str> {
        None
    }
    /// The explanation in words.
    fn detail(&self) -> Option<&str> {
        None
    }
    /// The values that fill in the message (`parameters`), as sent.
    fn parameters(&self) -> &[serde_json::Value] {
        &[]
    }
    /// Reads an error body (never empty: an empty body is given as `null`,
    /// or `{}` when `null` does not decode). By default decoded with the
    /// client's lenient rules, which may fail (the call then ends in
    /// [`Error::InvalidResponse`]); [`ApiError`](crate::ApiError) never fails.
    fn from_error_body(body: &[u8]) -> Result<Self, serde_json::Error>
    where
        Self: crate::Decode,
    {
        crate::serde_helpers::decode_slice(body)
    }
}

/// A JSON error body: read as the object it should be (anything else has
/// no code, detail or parameters).
impl ErrorDetails for serde_json::Value {
    fn error_code(&self) -> Option<&str> {
        self.as_object()?.error_code()
    }
    fn detail(&self) -> Option<&str> {
        self.as_object()?.detail()
    }
    fn parameters(&self) -> &[serde_json::Value] {
        self.as_object().map_or(&[], |object| object.parameters())
    }
}

impl ErrorDetails for serde_json::Map<String, serde_json::Value> {
    fn error_code(&self) -> Option<&str> {
        self.get("errorCode")?.as_str()
    }
    fn detail(&self) -> Option<&str> {
        self.get("detail")?.as_str()
    }
    fn parameters(&self) -> &[serde_json::Value] {
        self.get("parameters")
            .and_then(serde_json::Value::as_array)
            .map_or(&[], Vec::as_slice)
    }
}

impl ErrorDetails for String {}

/// The client could not be built (a bad base URL, a user agent that is not
/// a header value, TLS setup, credentials that cannot be used). Converts
/// into [`Error::Config`], so `?` works in functions that return the
/// operations' error type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    /// An error with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "client configuration: {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

impl<E> From<ConfigError> for Error<E> {
    fn from(err: ConfigError) -> Self {
        Error::Config(err.message)
    }
}

/// The innermost cause of an error, in words.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current = err.source()?;
    while let Some(next) = current.source() {
        current = next;
    }
    Some(current.to_string())
}

impl<E> From<AuthError> for Error<E> {
    fn from(err: AuthError) -> Self {
        Error::Auth(err)
    }
}

impl<E> From<ValidationError> for Error<E> {
    fn from(err: ValidationError) -> Self {
        Error::InvalidRequest(err)
    }
}

impl<E: ErrorDetails + fmt::Debug> fmt::Display for Error<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidRequest(err) => write!(f, "request not sent: {err}"),
            Error::NotSent(request) => write!(
                f,
                "dry run: {} {} not sent",
                request.method, request.url
            ),
            Error::Config(msg) => write!(f, "client configuration: {msg}"),
            Error::Communication { source, attempts } => {
                let what = if source.is_timeout() {
                    "timed out"
                } else if source.is_connect() {
                    "could not connect"
                } else {
                    "failed"
                };
                match source.url() {
                    Some(url) => write!(f, "request to {url} {what}")?,
                    None => write!(f, "request {what}")?,
                }
                let detail = match source.timeout_kind() {
                    Some(_) => Some(source.to_string()),
                    None => root_cause(source),
                };
                if let Some(detail) = detail {
                    write!(f, ": {detail}")?;
                }
                if source.is_certificate() {
                    write!(
                        f,
                        " (a certificate problem: to trust a private CA or a TLS-inspecting proxy, name its PEM file in {} or pass it to add_root_certificate_pem)",
                        crate::options::ENV_CA_CERT
                    )?;
                }
                match attempts {
                    1 => write!(f, " (1 attempt)"),
                    n => write!(f, " ({n} attempts)"),
                }
            }
            Error::Auth(err) => write!(f, "authentication failed: {err}"),
            Error::Api { meta, body } => {
                write!(f, "HTTP {}", meta.status.as_u16())?;
                if let Some(code) = body.error_code() {
                    write!(f, " {code}")?;
                }
                match body.detail() {
                    Some(detail) => write!(f, ": {detail}"),
                    None if body.error_code().is_none() => write!(f, ": {body:?}"),
                    None => Ok(()),
                }
            }
            Error::UnexpectedStatus { meta, body_prefix } => {
                write!(f, "HTTP {} (a status the spec does not document)", meta.status.as_u16())?;
                if !body_prefix.is_empty() {
                    write!(f, ": {body_prefix}")?;
                }
                Ok(())
            }
            Error::InvalidResponse {
                meta,
                body_prefix,
                source,
            } => write!(
                f,
                "the HTTP {} response body did not decode: {source}; the body begins: {body_prefix}",
                meta.status.as_u16()
            ),
            Error::InvalidText {
                meta,
                body_prefix,
                source,
            } => write!(
                f,
                "the HTTP {} response body is not UTF-8 text ({source}): {body_prefix}",
                meta.status.as_u16()
            ),
            Error::BodyTooLarge { meta, limit } => write!(
                f,
                "the HTTP {} response body is longer than the client's limit of {limit} bytes (max_body_size; send_stream reads any length)",
                meta.status.as_u16()
            ),
            Error::VersionGone {
                operation,
                version,
                advice,
                meta,
            } => write!(
                f,
                "HTTP {} VERSION_GONE: Atlas no longer serves API version {version} of {operation}; {advice}",
                meta.status.as_u16()
            ),
            Error::Io(err) => write!(f, "writing the response body failed: {err}"),
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

impl<E: ErrorDetails + fmt::Debug> std::error::Error for Error<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::InvalidRequest(err) => Some(err),
            Error::Communication { source, .. } => Some(source),
            Error::Auth(err) => Some(err),
            Error::InvalidResponse { source, .. } => Some(source),
            Error::InvalidText { source, .. } => Some(source),
            Error::Io(err) => Some(err),
            _ => None,
        }
    }
}
