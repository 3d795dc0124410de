//! What every OAuth token endpoint exchange shares (the service account's
//! client credentials, the login's refresh grant): a form posted until
//! Atlas's rate limit lets it through, and error answers summarised.
//!
//! Atlas issues a client at most 10 tokens a minute; past that the token
//! endpoint answers `429` with `Retry-After` and an `ApiError` whose
//! `errorCode` is `RATE_LIMITED` (`Resource /api/oauth/token is limited to
//! 10 requests every 1 minutes`). The request is sent again after the wait
//! when the waits fit within the allowance, and within the call's operation
//! deadline when it has one; otherwise the error names the limit at once
//! (rather than sleeping into the deadline).

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderValue, USER_AGENT};
use tokio::time::Instant;

use crate::auth_error::AuthError;
use crate::retry::retry_after;
use crate::wire;

/// How much of an error answer from a token endpoint is kept.
pub(crate) const DETAIL_CHARS: usize = 300;
/// Longest token (or revocation) request, body included. The transport's
/// own limits (response headers, read stalls) cover API requests; a token
/// request gets one limit for the whole exchange.
pub(crate) const TOKEN_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// The wait after a 429 without `Retry-After`.
const DEFAULT_RATE_LIMIT_WAIT: Duration = Duration::from_secs(1);

/// What every request of a client to a token endpoint carries from the
/// client: how long it may wait for the endpoint's rate limit, and the
/// client's `User-Agent` (set on each request, so that it goes even on an
/// HTTP client of the caller's, whose default headers are not ours).
#[derive(Debug, Clone)]
pub(crate) struct TokenRequests {
    /// The longest the waits for the endpoint's rate limit add up to.
    pub(crate) allowance: Duration,
    /// The client's `User-Agent`.
    pub(crate) user_agent: HeaderValue,
}

impl TokenRequests {
    /// For tests: no wait allowed, this crate's `User-Agent`.
    #[cfg(test)]
    pub(crate) fn for_tests() -> Self {
        Self {
            allowance: Duration::ZERO,
            user_agent: HeaderValue::from_static("atlas-admin-runtime/test"),
        }
    }
}

/// A token endpoint's answer, read to the end.
pub(crate) struct TokenExchange {
    pub(crate) status: u16,
    pub(crate) body: bytes::Bytes,
}

/// A token endpoint's answer with its headers.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: bytes::Bytes,
}

/// Sends one request to a token endpoint with the client's `User-Agent`
/// within [`TOKEN_REQUEST_TIMEOUT`] and reads the answer to its end, both
/// in the wire log as token exchanges (bodies never shown). Every token
/// endpoint request (token, refresh, revocation) goes through here.
pub(crate) async fn exchange(
    request: reqwest::RequestBuilder,
    with: &TokenRequests,
) -> Result<Answer, AuthError> {
    let (http, request) = request
        .header(USER_AGENT, with.user_agent.clone())
        .timeout(TOKEN_REQUEST_TIMEOUT)
        .build_split();
    let request = request.map_err(|err| AuthError::TokenRequest(err.without_url()))?;
    wire::request(wire::Exchange::Token, &request);
    let started = Instant::now();
    let response = http.execute(request).await.map_err(|err| {
        let err = err.without_url();
        wire::failed(started.elapsed(), &err);
        AuthError::TokenRequest(err)
    })?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|err| {
        let err = err.without_url();
        wire::failed(started.elapsed(), &err);
        AuthError::TokenRequest(err)
    })?;
    wire::response(
        wire::Exchange::Token,
        status,
        started.elapsed(),
        &headers,
        &body,
    );
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Sends the request `build` makes, again after each 429 while the waits
/// add up to at most `with`'s allowance and end before `deadline` (the
/// call's operation deadline, when it has one). Transport failures are
/// [`AuthError::TokenRequest`]; a 429 that cannot be waited out is
/// [`AuthError::RateLimited`].
pub(crate) async fn send(
    build: impl Fn() -> reqwest::RequestBuilder,
    with: &TokenRequests,
    deadline: Option<Instant>,
) -> Result<TokenExchange, AuthError> {
    let allowance = with.allowance;
    let started = Instant::now();
    // What the deadline leaves, when it is the tighter of the two.
    let (allowance, by_deadline) = match deadline {
        Some(deadline) if deadline.saturating_duration_since(started) < allowance => {
            (deadline.saturating_duration_since(started), true)
        }
        _ => (allowance, false),
    };
    loop {
        let Answer {
            status,
            headers,
            body,
        } = exchange(build(), with).await?;
        if status != 429 {
            return Ok(TokenExchange { status, body });
        }
        let asked = retry_after(&headers, SystemTime::now());
        let wait = asked.unwrap_or(DEFAULT_RATE_LIMIT_WAIT);
        if started.elapsed() + wait > allowance {
            return Err(AuthError::RateLimited {
                detail: summarise(&body).detail,
                retry_after: asked,
                allowance,
                by_deadline,
            });
        }
        tracing::info!(
            wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
            "the token endpoint is rate limited; waiting as its Retry-After asks"
        );
        tokio::time::sleep(wait).await;
    }
}

/// An error answer: its code (OAuth `error`, or Atlas's `errorCode`) and a
/// readable detail, at most [`DETAIL_CHARS`] long.
pub(crate) struct Summary {
    pub(crate) code: Option<String>,
    pub(crate) detail: String,
}

/// Reads an OAuth error (`error`, `error_description`; RFC 6749 5.2) or an
/// Atlas `ApiError` (`errorCode`, `detail`); anything else is quoted.
pub(crate) fn summarise(body: &[u8]) -> Summary {
    #[derive(serde::Deserialize)]
    struct Wire {
        error: Option<serde_json::Value>,
        error_description: Option<String>,
        #[serde(rename = "errorCode")]
        error_code: Option<String>,
        detail: Option<String>,
    }
    let (code, detail) = match serde_json::from_slice::<Wire>(body) {
        Ok(Wire {
            error_code: Some(code),
            detail,
            ..
        }) => {
            let detail = match detail {
                Some(d) => format!("{code}: {d}"),
                None => code.clone(),
            };
            (Some(code), detail)
        }
        Ok(Wire {
            error: Some(serde_json::Value::String(error)),
            error_description,
            ..
        }) => {
            let detail = match error_description {
                Some(d) => format!("{error}: {d}"),
                None => error.clone(),
            };
            (Some(error), detail)
        }
        _ => (None, String::from_utf8_lossy(body).into_owned()),
    };
    Summary {
        code,
        detail: detail.chars().take(DETAIL_CHARS).collect(),
    }
}

/// A refusal to issue (or revoke) a token, summarised.
pub(crate) fn rejected(status: u16, body: &[u8]) -> AuthError {
    AuthError::TokenRejected {
        status,
        detail: summarise(body).detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oauth_and_atlas_errors_are_summarised() {
        let oauth = summarise(br#"{"error":"invalid_client","error_description":"bad"}"#);
        assert_eq!(oauth.code.as_deref(), Some("invalid_client"));
        assert_eq!(oauth.detail, "invalid_client: bad");
        let atlas = summarise(
            br#"{"detail":"Resource /api/oauth/token is limited to 10 requests every 1 minutes.","error":429,"errorCode":"RATE_LIMITED","reason":"Too Many Requests"}"#,
        );
        assert_eq!(atlas.code.as_deref(), Some("RATE_LIMITED"));
        assert_eq!(
            atlas.detail,
            "RATE_LIMITED: Resource /api/oauth/token is limited to 10 requests every 1 minutes."
        );
        let text = summarise(b"maintenance");
        assert!(text.code.is_none());
        assert_eq!(text.detail, "maintenance");
        assert_eq!(
            summarise("x".repeat(1000).as_bytes()).detail.len(),
            DETAIL_CHARS
        );
        assert_eq!(
            rejected(
                401,
                br#"{"error":"invalid_client","error_description":"bad"}"#
            )
            .to_string(),
            "the token endpoint answered HTTP 401: invalid_client: bad"
        );
    }
}
