//! Which failed attempts are tried again, and how long to wait first.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};

use super::communication::CommunicationError;

/// How a [`super::Transport`] retries, bounded by a number of attempts.
///
/// - `429 Too Many Requests` is always retried (the server refused the request
///   without acting on it), after at least its `Retry-After` (seconds or an
///   HTTP date); without one, after an exponential backoff with jitter. A
///   `Retry-After` longer than [`RetryPolicy::max_retry_after`] is not waited
///   for: the 429 is returned at once. With the client's rate limiter on
///   (the default, see [`crate::rate_limit`]), a refusal — a 429 or a
///   `RATE_LIMITED*` code under any status — is sent again when its bucket's
///   hold ends, within [`RateLimitPolicy::max_wait`](crate::RateLimitPolicy::max_wait)
///   instead; see [`crate::error_codes`] for the codes that decide beyond
///   the status.
/// - `500`, `502`, `503`, `504`, timeouts, resets and truncated bodies are
///   retried only for idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS,
///   TRACE): a POST such as `createBackupExport` is never sent twice unless
///   the failure proves the server did not get it.
/// - A connection that could not be established is retried for every method,
///   since nothing reached the server.
///
/// Defaults: 4 attempts, backoff from 500 ms doubling up to 30 s, `Retry-After`
/// honoured up to 120 s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    base_delay: Duration,
    max_delay: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// The default policy (see the type's documentation).
    pub fn new() -> Self {
        Self::default()
    }

    /// Never retry: every request is sent at most once (authentication
    /// round trips aside).
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// Attempts per request, the first included (default 4; at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Backoff before the first retry; it doubles for each later one (default 500 ms).
    pub fn base_delay(mut self, delay: Duration) -> Self {
        self.base_delay = delay;
        self
    }

    /// Longest backoff between two attempts (default 30 s).
    pub fn max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Longest `Retry-After` the client waits for (default 120 s); a 429
    /// asking for longer is returned to the caller.
    pub fn max_retry_after(mut self, delay: Duration) -> Self {
        self.max_retry_after = delay;
        self
    }

    /// Attempts per request, the first included.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The longest `Retry-After` waited for ([`RetryPolicy::max_retry_after`]),
    /// which is also the most a token request waits for the token
    /// endpoint's rate limit in all.
    pub fn retry_after_allowance(&self) -> Duration {
        self.max_retry_after
    }

    /// Backoff before retry number `retry` (1 for the first retry): the
    /// exponential delay capped at `max_delay`, of which the upper half is
    /// random ("equal jitter"), so that clients do not retry in lockstep.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        let full = self
            .base_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        let half = full / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// The wait before retrying after a response with `status`, or `None`
    /// when the response is final. `attempt` counts from 1.
    pub(crate) fn after_status(
        &self,
        method: &Method,
        status: StatusCode,
        headers: &HeaderMap,
        attempt: u32,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let retriable = match status.as_u16() {
            429 => true,
            500 | 502 | 503 | 504 => is_idempotent(method),
            _ => false,
        };
        if !retriable {
            return None;
        }
        self.after_refusal(headers, attempt)
    }

    /// The wait before retrying a request Atlas refused for its rate limit
    /// (a 429, or a `RATE_LIMITED*` code under another status): its
    /// `Retry-After` (at least the backoff), the backoff without one, and
    /// `None` past [`Self::max_retry_after`] or the last attempt.
    pub(crate) fn after_refusal(&self, headers: &HeaderMap, attempt: u32) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let backoff = self.backoff(attempt);
        match retry_after(headers, SystemTime::now()) {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait.max(backoff)),
            None => Some(backoff),
        }
    }

    /// The wait before retrying after a transport error, or `None`.
    pub(crate) fn after_error(
        &self,
        method: &Method,
        err: &CommunicationError,
        attempt: u32,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts || err.is_final() {
            return None;
        }
        // A failed connect proves the server never saw the request.
        (err.is_connect() || is_idempotent(method)).then(|| self.backoff(attempt))
    }
}

/// Methods that can be repeated without changing the outcome (RFC 9110 9.2.2).
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// `Retry-After` as a wait from `now`: delay-seconds or an HTTP date (a date
/// in the past is no wait). `None` when absent or malformed.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(status: u16) -> StatusCode {
        StatusCode::from_u16(status).expect("a status")
    }

    fn with_retry_after(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, value.parse().expect("header"));
        headers
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = httpdate::parse_http_date("Sun, 04 May 2025 09:42:00 GMT").expect("date");
        assert_eq!(
            retry_after(&with_retry_after(" 7 "), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after(&with_retry_after("Sun, 04 May 2025 09:42:30 GMT"), now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after(&with_retry_after("Sun, 04 May 2025 09:41:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&with_retry_after("soon"), now), None);
        assert_eq!(retry_after(&with_retry_after("-1"), now), None);
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy::new()
            .base_delay(Duration::from_millis(100))
            .max_delay(Duration::from_millis(350));
        for _ in 0..50 {
            let first = policy.backoff(1);
            assert!((50..=100).contains(&first.as_millis()), "{first:?}");
            let second = policy.backoff(2);
            assert!((100..=200).contains(&second.as_millis()), "{second:?}");
            let capped = policy.backoff(30);
            assert!((175..=350).contains(&capped.as_millis()), "{capped:?}");
        }
    }

    #[test]
    fn which_statuses_are_retried() {
        let policy = RetryPolicy::new().max_attempts(3);
        let none = HeaderMap::new();
        assert!(policy
            .after_status(&Method::POST, code(429), &none, 1)
            .is_some());
        assert!(policy
            .after_status(&Method::POST, code(503), &none, 1)
            .is_none());
        assert!(policy
            .after_status(&Method::GET, code(503), &none, 1)
            .is_some());
        assert!(policy
            .after_status(&Method::DELETE, code(500), &none, 2)
            .is_some());
        assert!(policy
            .after_status(&Method::GET, code(503), &none, 3)
            .is_none());
        assert!(policy
            .after_status(&Method::GET, code(501), &none, 1)
            .is_none());
        assert!(policy
            .after_status(&Method::GET, code(404), &none, 1)
            .is_none());
        let wait = policy
            .after_status(&Method::POST, code(429), &with_retry_after("3"), 1)
            .expect("retried");
        assert!(wait >= Duration::from_secs(3));
        assert!(policy
            .after_status(&Method::POST, code(429), &with_retry_after("3600"), 1)
            .is_none());
        assert!(RetryPolicy::none()
            .after_status(&Method::GET, code(429), &none, 1)
            .is_none());
    }
}
