//! What the client does with an Atlas error, by its `errorCode` (read from
//! the raw body, whatever the operation's error type), beyond what the
//! status alone says.
//!
//! | Code | Status | Behaviour |
//! |------|--------|-----------|
//! | `RATE_LIMITED_TOKEN_BUCKET`, `RATE_LIMITED`, any `RATE_LIMITED*` or `*_RATE_LIMITED*` (`INVITATIONS_RATE_LIMITED_IP`) | any (429, 400, ...) | a rate limit: its bucket learns the figures; the request (any method: Atlas refused it without acting) is sent again after the announced time, as the rate-limit policy says (see [`crate::rate_limit`]), or, with it off, as the [`RetryPolicy`] says for a 429 |
//! | `TIMEOUT_WHILE_PAGING` | 500 | the page is requested once more with `includeCount=false` (counting the items is what timed out); a walk goes on without `totalCount` |
//! | codes added with [`CallOptions::retry_on_code`](crate::CallOptions::retry_on_code) (`CANNOT_ASSUME_ROLE` after an IAM change, ...) | any | sent again after the retry policy's backoff, whatever the method, within its attempts |
//! | `VERSION_GONE` | 410 | final: the version sent no longer exists (see the version lifecycle in the guide) |
//! | anything else | 500, 502, 503, 504 | retried for idempotent methods, as the [`RetryPolicy`] says |
//! | anything else | other | final |

/// The code Atlas answers with when counting a page's items timed out.
pub const TIMEOUT_WHILE_PAGING: &str = "TIMEOUT_WHILE_PAGING";

/// The code of an API version Atlas no longer serves (an error's
/// vocabulary: [`Error::VersionGone`](crate::Error::VersionGone) names it).
pub use crate::error::VERSION_GONE;

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use crate::error::ErrorDetails;
use crate::rate_limit::{learn, Permit, RateLimiter};
use crate::request::ApiRequest;
use crate::retry::RetryPolicy;

/// What follows an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The answer is the call's.
    Final,
    /// Send again after this long (zero: when the bucket allows).
    Retry(Duration),
    /// Send again at once with `includeCount=false`.
    WithoutCount,
}

/// An answer to attempt `attempt` of `request`: what its bucket learns
/// from it, and what follows it (see the module's table).
#[allow(clippy::too_many_arguments)]
pub(crate) fn after_answer(
    limiter: &RateLimiter,
    bucket: Option<Permit>,
    retry: &RetryPolicy,
    request: &ApiRequest,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
    attempt: u32,
    page_retried: bool,
) -> Decision {
    // An error answer's body, parsed once: its code, and a refusal's
    // figures for the bucket.
    let json = if status.is_success() {
        None
    } else {
        learn::error_json(body)
    };
    let code = json.as_ref().and_then(ErrorDetails::error_code);
    // A success never waits: its backoff (a random draw) is not needed.
    let backoff = if status.is_success() {
        Duration::ZERO
    } else {
        retry.backoff(attempt)
    };
    limiter.observe(bucket, request, status, headers, json.as_ref(), backoff);
    let last = attempt >= retry.attempts();
    let decided = match classify(status.as_u16(), code, request.options.retry_codes()) {
        Class::RateLimited if last => None,
        Class::RateLimited if limiter.policy().is_enabled() => {
            // The next acquire waits for the hold every sibling shares.
            limiter.may_retry(request).then_some(Duration::ZERO)
        }
        Class::RateLimited => retry.after_refusal(headers, attempt),
        Class::PageTimeout if !page_retried => return Decision::WithoutCount,
        Class::Caller if !last => Some(backoff),
        _ => retry.after_status(&request.method, status, headers, attempt),
    };
    decided.map_or(Decision::Final, Decision::Retry)
}

/// What an answer's status and error code make of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// A rate limit (any status).
    RateLimited,
    /// `TIMEOUT_WHILE_PAGING`: ask again without the count.
    PageTimeout,
    /// A code the caller asked to retry.
    Caller,
    /// Decided by the status alone.
    Status,
}

/// The class of an answer with `status` and error `code`.
pub(crate) fn classify(status: u16, code: Option<&str>, caller: &[String]) -> Class {
    if status == 429 {
        return Class::RateLimited;
    }
    let Some(code) = code else {
        return Class::Status;
    };
    if crate::rate_limit::learn::is_rate_limit_code(code) {
        Class::RateLimited
    } else if code == TIMEOUT_WHILE_PAGING {
        Class::PageTimeout
    } else if caller.iter().any(|c| c == code) {
        Class::Caller
    } else {
        Class::Status
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_decide_before_statuses() {
        let none: &[String] = &[];
        assert_eq!(classify(429, None, none), Class::RateLimited);
        assert_eq!(
            classify(400, Some("INVITATIONS_RATE_LIMITED_IP"), none),
            Class::RateLimited
        );
        assert_eq!(
            classify(500, Some("RATE_LIMITED"), none),
            Class::RateLimited
        );
        assert_eq!(
            classify(500, Some(TIMEOUT_WHILE_PAGING), none),
            Class::PageTimeout
        );
        let caller = ["CANNOT_ASSUME_ROLE".to_owned()];
        assert_eq!(
            classify(400, Some("CANNOT_ASSUME_ROLE"), &caller),
            Class::Caller
        );
        assert_eq!(
            classify(400, Some("CANNOT_ASSUME_ROLE"), none),
            Class::Status
        );
        assert_eq!(classify(503, None, none), Class::Status);
    }
}
