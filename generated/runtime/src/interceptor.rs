//! Hooks called on every attempt of every call: add headers, observe the
//! outcome (status, timing, failure).

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};

use super::communication::CommunicationError;

/// One attempt of a call, as an [`Interceptor`] is told about it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct AttemptInfo<'a> {
    /// The spec's `operationId` (`createBackupExport`); empty for requests
    /// not built by a generated operation.
    pub operation_id: &'a str,
    /// The HTTP method.
    pub method: &'a Method,
    /// The spec's path template (no parameter values in it).
    pub path_template: &'a str,
    /// The attempt number, 1 for the first.
    pub attempt: u32,
}

/// How an attempt ended, as an [`Interceptor`] is told about it.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct AttemptOutcome<'a> {
    /// The status, when the server answered.
    pub status: Option<StatusCode>,
    /// The response headers, when the server answered.
    pub headers: Option<&'a HeaderMap>,
    /// The failure, when no answer came (or its body could not be read).
    pub error: Option<&'a CommunicationError>,
    /// From sending the request to the outcome (the body read, unless it
    /// is streamed), authentication round trips within the attempt included.
    pub elapsed: Duration,
}

/// Called on every attempt of every call of a client
/// ([`TransportBuilder::interceptor`](crate::TransportBuilder::interceptor)):
/// retries are attempts too, each with its number. Both methods do nothing
/// by default.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use atlas_admin_runtime::{AttemptInfo, AttemptOutcome, Interceptor};
/// use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
///
/// #[derive(Default)]
/// struct Audit {
///     attempts: AtomicU32,
/// }
///
/// impl Interceptor for Audit {
///     fn before_attempt(&self, attempt: &AttemptInfo<'_>, headers: &mut HeaderMap) {
///         self.attempts.fetch_add(1, Ordering::Relaxed);
///         headers.insert(HeaderName::from_static("x-audit-op"), HeaderValue::from_str(attempt.operation_id).unwrap_or(HeaderValue::from_static("-")));
///     }
///     fn after_attempt(&self, attempt: &AttemptInfo<'_>, outcome: &AttemptOutcome<'_>) {
///         eprintln!("{} #{}: {:?} in {:?}", attempt.operation_id, attempt.attempt, outcome.status, outcome.elapsed);
///     }
/// }
/// ```
pub trait Interceptor: Send + Sync {
    /// Before an attempt is sent: `headers` go with it (and with each
    /// authentication round trip within it). They replace headers of the
    /// same name the client would send, `Authorization` aside.
    fn before_attempt(&self, attempt: &AttemptInfo<'_>, headers: &mut HeaderMap) {
        let _ = (attempt, headers);
    }

    /// When the attempt has its outcome, before the client decides whether
    /// to retry.
    fn after_attempt(&self, attempt: &AttemptInfo<'_>, outcome: &AttemptOutcome<'_>) {
        let _ = (attempt, outcome);
    }
}

/// A shared interceptor (one the caller keeps a handle on, to read what it
/// recorded).
impl<T: Interceptor + ?Sized> Interceptor for Arc<T> {
    fn before_attempt(&self, attempt: &AttemptInfo<'_>, headers: &mut HeaderMap) {
        (**self).before_attempt(attempt, headers);
    }

    fn after_attempt(&self, attempt: &AttemptInfo<'_>, outcome: &AttemptOutcome<'_>) {
        (**self).after_attempt(attempt, outcome);
    }
}

/// The interceptors of a client, in the order they were added.
#[derive(Clone, Default)]
pub(crate) struct Interceptors(Vec<Arc<dyn Interceptor>>);

impl Interceptors {
    pub(crate) fn push(&mut self, interceptor: Arc<dyn Interceptor>) {
        self.0.push(interceptor);
    }

    pub(crate) fn before(&self, attempt: &AttemptInfo<'_>, headers: &mut HeaderMap) {
        for interceptor in &self.0 {
            interceptor.before_attempt(attempt, headers);
        }
    }

    pub(crate) fn after(&self, attempt: &AttemptInfo<'_>, outcome: &AttemptOutcome<'_>) {
        for interceptor in &self.0 {
            interceptor.after_attempt(attempt, outcome);
        }
    }
}

impl std::fmt::Debug for Interceptors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} interceptor(s)", self.0.len())
    }
}
