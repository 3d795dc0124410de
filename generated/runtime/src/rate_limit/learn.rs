//! What an answer says about its rate-limit bucket, read from the raw
//! response (headers and the body as JSON), independently of the typed
//! error body of the operation.
//!
//! Atlas's refusal reads, for example:
//!
//! ```json
//! {"detail": "Rate limit exceeded for api/atlas/v2/orgs. Please retry after 55 seconds.
//!   Request capacity: 10. Refill rate: 5 per 60 seconds.",
//!  "error": 429, "errorCode": "RATE_LIMITED_TOKEN_BUCKET",
//!  "parameters": ["api/atlas/v2/orgs", 55, 10, 5, 60], "reason": "Too Many Requests"}
//! ```
//!
//! with, sometimes, `RateLimit-Limit`, `RateLimit-Remaining` and
//! `Retry-After` headers.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde_json::Value;

use super::bucket::Observation;
use crate::error::ErrorDetails;
use crate::response::RateLimit;
use crate::retry::retry_after;

/// An error answer's body as JSON, when it is a JSON object: what its
/// error code and a refusal's figures are read from.
pub(crate) fn error_json(body: &[u8]) -> Option<Value> {
    if body.first().is_none_or(|b| *b != b'{') {
        return None;
    }
    serde_json::from_slice(body).ok()
}

/// The `errorCode` of an Atlas error body, when the body is JSON with one.
pub(crate) fn error_code(body: &[u8]) -> Option<String> {
    error_json(body)?.error_code().map(str::to_owned)
}

/// Whether an Atlas error code is a rate limit (`RATE_LIMITED`,
/// `RATE_LIMITED_TOKEN_BUCKET`, `INVITATIONS_RATE_LIMITED_IP`, ...).
pub(crate) fn is_rate_limit_code(code: &str) -> bool {
    code.starts_with("RATE_LIMITED") || code.contains("_RATE_LIMITED")
}

/// What the answer says about its bucket: `None` when it says nothing
/// (no `RateLimit-*` header, not a refusal). `json` is an error answer's
/// body ([`error_json`]; `None` for a success).
pub(crate) fn observe(
    status: StatusCode,
    headers: &HeaderMap,
    json: Option<&Value>,
) -> Option<Observation> {
    let figures = RateLimit::from_headers(headers);
    let code = json.and_then(ErrorDetails::error_code);
    let limited = status == StatusCode::TOO_MANY_REQUESTS || code.is_some_and(is_rate_limit_code);
    if !limited && figures.limit.is_none() && figures.remaining.is_none() {
        return None;
    }
    let mut seen = Observation {
        capacity: figures.limit.map(|n| n as f64),
        remaining: figures.remaining.map(|n| n as f64),
        limited,
        ..Observation::default()
    };
    if limited {
        if let Some(json) = json {
            read_body(json, &mut seen);
        }
        // The header, when sent, is the more precise (an HTTP date or
        // seconds); the body's seconds otherwise.
        if let Some(wait) = retry_after(headers, SystemTime::now()) {
            seen.retry_after = Some(wait);
        }
    }
    Some(seen)
}

/// The figures of a refusal's body: `parameters` as Atlas sends them
/// (`[set, retry seconds, capacity, refill, refill seconds]`), else the
/// same figures read from `detail`.
fn read_body(json: &Value, seen: &mut Observation) {
    let params = json.parameters();
    let number = |i: usize| {
        params
            .get(i)
            .and_then(|v| v.as_f64().or_else(|| v.as_str()?.trim().parse().ok()))
    };
    let from_params = params.len() >= 5 && params[0].is_string();
    if from_params {
        seen.set = params[0].as_str().map(str::to_owned);
        seen.retry_after = number(1).and_then(seconds);
        seen.capacity = number(2).or(seen.capacity);
        seen.rate = rate(number(3), number(4));
        return;
    }
    let Some(detail) = json.detail() else {
        return;
    };
    let figures = parse_detail(detail);
    seen.set = figures.set;
    seen.retry_after = figures.retry.and_then(seconds);
    seen.capacity = figures.capacity.or(seen.capacity);
    seen.rate = rate(figures.refill, figures.per);
}

fn seconds(n: f64) -> Option<Duration> {
    (n.is_finite() && n >= 0.0).then(|| Duration::from_secs_f64(n.min(86_400.0)))
}

fn rate(refill: Option<f64>, per: Option<f64>) -> Option<f64> {
    match (refill, per) {
        (Some(refill), Some(per)) if refill > 0.0 && per > 0.0 => Some(refill / per),
        _ => None,
    }
}

#[derive(Debug, Default, PartialEq)]
struct Detail {
    set: Option<String>,
    retry: Option<f64>,
    capacity: Option<f64>,
    refill: Option<f64>,
    per: Option<f64>,
}

/// `Rate limit exceeded for <set>. Please retry after <n> seconds.
/// Request capacity: <c>. Refill rate: <r> per <d> seconds.`, each part
/// read on its own (a missing one is `None`).
fn parse_detail(detail: &str) -> Detail {
    let after = |marker: &str| -> Option<&str> {
        let at = detail.find(marker)?;
        Some(detail[at + marker.len()..].trim_start())
    };
    let number = |text: Option<&str>| -> Option<f64> {
        let text = text?;
        let end = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(text.len());
        text[..end].trim_end_matches('.').parse().ok()
    };
    let set = after("Rate limit exceeded for ").and_then(|rest| {
        let end = rest.find(". ").unwrap_or(rest.len());
        let set = rest[..end].trim_end_matches('.').trim();
        (!set.is_empty()).then(|| set.to_owned())
    });
    let refill = after("Refill rate:");
    Detail {
        set,
        retry: number(after("retry after")),
        capacity: number(after("Request capacity:")),
        refill: number(refill),
        per: number(refill.and_then(|r| Some(r[r.find(" per ")? + 5..].trim_start()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DETAIL: &str = "Rate limit exceeded for api/atlas/v2/orgs. Please retry after 55 seconds. Request capacity: 10. Refill rate: 5 per 60 seconds.";

    #[test]
    fn the_detail_sentence_gives_every_figure() {
        assert_eq!(
            parse_detail(DETAIL),
            Detail {
                set: Some("api/atlas/v2/orgs".into()),
                retry: Some(55.0),
                capacity: Some(10.0),
                refill: Some(5.0),
                per: Some(60.0),
            }
        );
        assert_eq!(parse_detail("Too many requests"), Detail::default());
    }

    #[test]
    fn a_refusal_is_read_from_parameters_or_detail() {
        let body = json!({"detail": DETAIL, "error": 429, "errorCode": "RATE_LIMITED_TOKEN_BUCKET",
            "parameters": ["api/atlas/v2/orgs", 55, 10, 5, 60], "reason": "Too Many Requests"});
        let bytes = serde_json::to_vec(&body).expect("json");
        let json = error_json(&bytes);
        let seen = observe(
            StatusCode::TOO_MANY_REQUESTS,
            &HeaderMap::new(),
            json.as_ref(),
        )
        .expect("seen");
        assert!(seen.limited);
        assert_eq!(seen.set.as_deref(), Some("api/atlas/v2/orgs"));
        assert_eq!(seen.retry_after, Some(Duration::from_secs(55)));
        assert_eq!(seen.capacity, Some(10.0));
        assert_eq!(seen.rate, Some(5.0 / 60.0));

        let body =
            json!({"detail": DETAIL, "error": 429, "errorCode": "RATE_LIMITED_TOKEN_BUCKET"});
        let bytes = serde_json::to_vec(&body).expect("json");
        let json = error_json(&bytes);
        let from_detail = observe(
            StatusCode::TOO_MANY_REQUESTS,
            &HeaderMap::new(),
            json.as_ref(),
        );
        assert_eq!(from_detail, Some(seen));
    }

    #[test]
    fn rate_limit_codes_under_any_status() {
        let body = br#"{"error":400,"errorCode":"INVITATIONS_RATE_LIMITED_IP"}"#;
        let json = error_json(body);
        let seen =
            observe(StatusCode::BAD_REQUEST, &HeaderMap::new(), json.as_ref()).expect("seen");
        assert!(seen.limited);
        assert!(is_rate_limit_code("RATE_LIMITED"));
        assert!(!is_rate_limit_code("GROUP_NOT_FOUND"));
        let other = br#"{"error":400,"errorCode":"INVALID_ATTRIBUTE"}"#;
        assert_eq!(
            observe(
                StatusCode::BAD_REQUEST,
                &HeaderMap::new(),
                error_json(other).as_ref()
            ),
            None
        );
    }

    #[test]
    fn headers_alone_are_figures() {
        let mut headers = HeaderMap::new();
        headers.insert("RateLimit-Limit", "10".parse().expect("value"));
        headers.insert("RateLimit-Remaining", "4".parse().expect("value"));
        let seen = observe(StatusCode::OK, &headers, None).expect("seen");
        assert_eq!(
            (seen.capacity, seen.remaining, seen.limited),
            (Some(10.0), Some(4.0), false)
        );
    }
}
