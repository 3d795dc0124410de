//! What every response carries besides its body: its status and headers
//! ([`ResponseMeta`]), Atlas's rate-limit figures ([`RateLimit`]), and the
//! start of a body an error keeps. Vocabulary: [`crate::Error`] and the
//! responses (`response.rs`) both hold it; it imports nothing of this crate.

use reqwest::header::{HeaderMap, HeaderName};
use reqwest::StatusCode;

// The headers read from every answer, named once (a name given as text is
// parsed again on each lookup).
static RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
static RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
/// `Deprecation` (see [`ResponseMeta::deprecation`]).
pub(crate) static DEPRECATION: HeaderName = HeaderName::from_static("deprecation");
/// `Sunset` (see [`ResponseMeta::sunset`]).
pub(crate) static SUNSET: HeaderName = HeaderName::from_static("sunset");

/// How much of an undecodable body an error keeps.
const BODY_PREFIX_BYTES: usize = 1024;

/// The start of a body that an error keeps: at most 1 KiB, lossy UTF-8.
pub(crate) fn body_prefix(body: &[u8]) -> String {
    let cut = body.len().min(BODY_PREFIX_BYTES);
    String::from_utf8_lossy(&body[..cut]).into_owned()
}

/// Atlas's rate-limit figures, sent on every response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// `RateLimit-Limit`: requests allowed in the current window.
    pub limit: Option<u64>,
    /// `RateLimit-Remaining`: requests left in the current window.
    pub remaining: Option<u64>,
}

impl RateLimit {
    /// Reads the figures from response headers; absent or malformed ones are `None`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let read = |name: &HeaderName| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
        };
        Self {
            limit: read(&RATELIMIT_LIMIT),
            remaining: read(&RATELIMIT_REMAINING),
        }
    }
}

/// Status and headers of a response.
#[derive(Clone)]
pub struct ResponseMeta {
    /// The HTTP status (with `envelope=true`, the status inside the envelope).
    pub status: StatusCode,
    /// All response headers.
    pub headers: HeaderMap,
    /// Rate-limit figures from the headers.
    pub rate_limit: RateLimit,
}

impl ResponseMeta {
    /// The `Deprecation` header, when Atlas sent one (the version called
    /// is deprecated; see [`crate::lifecycle`]).
    pub fn deprecation(&self) -> Option<&str> {
        self.headers.get(&DEPRECATION)?.to_str().ok()
    }

    /// The `Sunset` header, when Atlas sent one: when the version called
    /// stops being served (an HTTP date).
    pub fn sunset(&self) -> Option<&str> {
        self.headers.get(&SUNSET)?.to_str().ok()
    }
}

impl std::fmt::Debug for ResponseMeta {
    /// The status, the rate limit and the header names (not their values,
    /// which would bury the rest of an error's `Debug`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("ResponseMeta")
            .field("status", &self.status)
            .field("rate_limit", &self.rate_limit)
            .field("headers", &names)
            .finish()
    }
}
