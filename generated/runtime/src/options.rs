//! The client's time and size limits, the per-call overrides every
//! generated builder takes (`.customize(|c| c.operation_timeout(..))`), and
//! the transport's constants (where Atlas is, the environment variables of
//! the base URL and of extra root certificates). Vocabulary: it imports only
//! the retry policy.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::retry::RetryPolicy;

/// Where Atlas serves the Administration API.
pub const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";

/// The environment variable naming a PEM file of extra root certificates
/// (a company's TLS-inspecting proxy, a private CA), read by every
/// [`crate::TransportBuilder::build`] that builds its own HTTP client.
pub const ENV_CA_CERT: &str = "ATLAS_CA_CERT";

/// Default longest wait for a TCP (and TLS) connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default longest wait, per attempt, from sending the request to the
/// response headers.
pub const DEFAULT_RESPONSE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default longest stall of a response body: no byte for this long fails
/// the read, however long the whole body takes.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit of a body read into memory (JSON, and `send_as`), in
/// bytes: 64 MiB. Streamed bodies (`send_stream`) have no limit.
pub const DEFAULT_MAX_BODY_SIZE: u64 = 64 * 1024 * 1024;

/// The limits one call runs under: the client's, with the call's
/// overrides applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) response_timeout: Duration,
    pub(crate) read_timeout: Duration,
    pub(crate) operation_timeout: Option<Duration>,
    pub(crate) max_body_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            response_timeout: DEFAULT_RESPONSE_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            operation_timeout: None,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
        }
    }
}

/// Per-call overrides of the client's settings: what the closure of a
/// generated builder's `customize` returns.
///
/// ```
/// use std::time::Duration;
/// use atlas_admin_runtime::{CallOptions, RetryPolicy};
/// use reqwest::header::{HeaderName, HeaderValue};
///
/// let options = CallOptions::default()
///     .operation_timeout(Duration::from_secs(20))
///     .retry(RetryPolicy::none())
///     .header(HeaderName::from_static("x-request-id"), HeaderValue::from_static("42"));
/// assert_eq!(options.headers().len(), 1);
/// ```
#[derive(Debug, Clone, Default)]
pub struct CallOptions {
    response_timeout: Option<Duration>,
    read_timeout: Option<Duration>,
    operation_timeout: Option<Option<Duration>>,
    max_body_size: Option<u64>,
    retry: Option<RetryPolicy>,
    retry_codes: Vec<String>,
    headers: HeaderMap,
}

impl CallOptions {
    /// This call's longest wait for response headers, per attempt.
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.response_timeout = Some(timeout);
        self
    }

    /// This call's longest body stall.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.read_timeout = Some(timeout);
        self
    }

    /// This call's overall deadline: every attempt, the waits between
    /// them and (for a streamed body) the whole body.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.operation_timeout = Some(Some(timeout));
        self
    }

    /// No overall deadline for this call, whatever the client's.
    pub fn no_operation_timeout(mut self) -> Self {
        self.operation_timeout = Some(None);
        self
    }

    /// This call's limit for a body read into memory, in bytes.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.max_body_size = Some(bytes);
        self
    }

    /// This call's retry policy.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Retries this call when Atlas answers with error `code`, under any
    /// status and for any method, after the retry policy's backoff and
    /// within its attempts: for codes that mean "not yet" in your setting
    /// (`CANNOT_ASSUME_ROLE` just after an IAM change,
    /// `CLUSTER_NOT_FOUND` just after creating it). May be given several
    /// times. See [`crate::error_codes`] for the codes retried always.
    pub fn retry_on_code(mut self, code: impl Into<String>) -> Self {
        self.retry_codes.push(code.into());
        self
    }

    /// The error codes this call retries besides the client's.
    pub fn retry_codes(&self) -> &[String] {
        &self.retry_codes
    }

    /// A header sent with every attempt of this call (it replaces one of
    /// the same name the client would send, `Authorization` aside).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// The headers added so far.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The retry policy override, if any.
    pub(crate) fn retry_override(&self) -> Option<&RetryPolicy> {
        self.retry.as_ref()
    }

    /// `limits` with this call's overrides.
    pub(crate) fn apply(&self, limits: Limits) -> Limits {
        Limits {
            response_timeout: self.response_timeout.unwrap_or(limits.response_timeout),
            read_timeout: self.read_timeout.unwrap_or(limits.read_timeout),
            operation_timeout: self.operation_timeout.unwrap_or(limits.operation_timeout),
            max_body_size: self.max_body_size.unwrap_or(limits.max_body_size),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_replace_only_what_they_set() {
        let client = Limits {
            operation_timeout: Some(Duration::from_secs(9)),
            ..Limits::default()
        };
        assert_eq!(CallOptions::default().apply(client), client);
        let call = CallOptions::default()
            .read_timeout(Duration::from_secs(2))
            .no_operation_timeout();
        let applied = call.apply(client);
        assert_eq!(applied.read_timeout, Duration::from_secs(2));
        assert_eq!(applied.operation_timeout, None);
        assert_eq!(applied.response_timeout, DEFAULT_RESPONSE_TIMEOUT);
        assert_eq!(applied.max_body_size, DEFAULT_MAX_BODY_SIZE);
    }
}
