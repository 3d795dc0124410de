//! API versions and their end: Atlas retires a resource version twelve
//! months after deprecating it, and then answers `410 Gone`
//! (`VERSION_GONE`). The spec marks each version with its `x-sunset` date;
//! generated operations carry the dates of theirs
//! ([`ApiRequest::versions`](crate::ApiRequest::versions)), and Atlas may
//! announce it in responses too (`Deprecation` and `Sunset` headers,
//! [`ResponseMeta::sunset`](crate::ResponseMeta::sunset)).
//!
//! - Calling a version whose sunset is past, or closer than
//!   [`TransportBuilder::sunset_warning`](crate::TransportBuilder::sunset_warning)
//!   (default 90 days), logs one `tracing` warning (target [`TARGET`]) per
//!   operation and version per process: the operation, the version, the
//!   date, and what to do.
//! - A response with a `Deprecation` or `Sunset` header logs one warning
//!   the same way.
//! - A `410`, or an error whose code is `VERSION_GONE`, is
//!   [`Error::VersionGone`](crate::Error::VersionGone), naming the
//!   operation, the version sent and the newer versions the crate knows.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use chrono::NaiveDate;
use reqwest::header::HeaderMap;

use crate::meta::{DEPRECATION, SUNSET};
use crate::request::ApiRequest;

/// The `tracing` target of lifecycle warnings (`atlas-api` prints them on
/// standard error whatever its log settings).
pub const TARGET: &str = "atlas_admin_api::lifecycle";

/// Default warning period before a version's sunset: 90 days.
pub const DEFAULT_SUNSET_WARNING: Duration = Duration::from_secs(90 * 86_400);

/// (operation, version, what) already warned about.
type Warned = Mutex<HashSet<(String, String, &'static str)>>;

/// What was warned about in this process.
fn warned() -> &'static Warned {
    static WARNED: OnceLock<Warned> = OnceLock::new();
    WARNED.get_or_init(Mutex::default)
}

/// Whether this is the first time for (operation, version, what).
fn first_time(operation: &str, version: &str, what: &'static str) -> bool {
    warned()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert((operation.to_owned(), version.to_owned(), what))
}

/// Today's date (UTC).
fn today() -> NaiveDate {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    chrono::DateTime::from_timestamp(i64::try_from(secs).unwrap_or(0), 0)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// The sunset date the generated operation knows for the version it sends.
pub(crate) fn sunset_of(request: &ApiRequest, version: &str) -> Option<NaiveDate> {
    request
        .versions
        .iter()
        .find(|(v, _)| *v == version)
        .and_then(|(_, sunset)| *sunset)
        .and_then(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d").ok())
}

/// The versions newer than `version` the generated operation offers
/// without a sunset already past, newest first.
pub(crate) fn newer_versions(request: &ApiRequest, version: &str) -> Vec<&'static str> {
    let today = today();
    let mut newer: Vec<&'static str> = request
        .versions
        .iter()
        .filter(|(v, sunset)| {
            let retired = sunset
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .is_some_and(|d| d <= today);
            *v > version && !retired
        })
        .map(|(v, _)| *v)
        .collect();
    newer.sort_unstable_by(|a, b| b.cmp(a));
    newer
}

/// Before sending: warns once when the version sent is past or near its
/// sunset.
pub(crate) fn check_sunset(request: &ApiRequest, warning: Duration) {
    let version = crate::telemetry::api_version(request);
    let Some(sunset) = sunset_of(request, version) else {
        return;
    };
    let today = today();
    let days_left = sunset.signed_duration_since(today).num_days();
    let warn_days = i64::try_from(warning.as_secs() / 86_400).unwrap_or(i64::MAX);
    if days_left > warn_days || !first_time(request.operation_id, version, "x-sunset") {
        return;
    }
    let advice = advice(request, version);
    if days_left < 0 {
        tracing::warn!(
            target: TARGET,
            operation = request.operation_id,
            version,
            sunset = %sunset,
            "{} uses API version {version}, whose sunset was {sunset}: Atlas may answer 410 Gone; {advice}",
            request.operation_id
        );
    } else {
        tracing::warn!(
            target: TARGET,
            operation = request.operation_id,
            version,
            sunset = %sunset,
            "{} uses API version {version}, which Atlas retires on {sunset} (in {days_left} days); {advice}",
            request.operation_id
        );
    }
}

/// After an answer: warns once when it carries `Deprecation` or `Sunset`.
pub(crate) fn check_headers(request: &ApiRequest, headers: &HeaderMap) {
    let read = |name| headers.get(name).and_then(|v| v.to_str().ok());
    let (deprecation, sunset) = (read(&DEPRECATION), read(&SUNSET));
    if deprecation.is_none() && sunset.is_none() {
        return;
    }
    let version = crate::telemetry::api_version(request);
    if !first_time(request.operation_id, version, "headers") {
        return;
    }
    let when = match sunset {
        Some(date) => format!(" and will be removed on {date}"),
        None => String::new(),
    };
    tracing::warn!(
        target: TARGET,
        operation = request.operation_id,
        version,
        deprecation,
        sunset,
        "Atlas says API version {version} of {} is deprecated{when}; {}",
        request.operation_id,
        advice(request, version)
    );
}

/// What to do about `version` of `request`'s operation.
pub(crate) fn advice(request: &ApiRequest, version: &str) -> String {
    match newer_versions(request, version).first() {
        Some(newer) => format!(
            "pin a newer version with `.api_version(\"{newer}\")` or regenerate the client from a current spec"
        ),
        None => "regenerate the client from a current spec, whose operations send a current version (or pin one with `.api_version(..)`)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newer_versions_leave_out_the_retired_ones() {
        let mut request = ApiRequest::new(
            reqwest::Method::GET,
            "/x",
            &[],
            "application/vnd.atlas.2023-01-01+json",
        );
        request.versions = &[
            ("2023-01-01", Some("2024-01-01")),
            ("2023-06-01", Some("2024-06-01")),
            ("2025-03-12", None),
        ];
        assert_eq!(newer_versions(&request, "2023-01-01"), ["2025-03-12"]);
        assert_eq!(
            sunset_of(&request, "2023-01-01"),
            NaiveDate::from_ymd_opt(2024, 1, 1)
        );
        assert!(advice(&request, "2023-01-01").contains(".api_version(\"2025-03-12\")"));
    }
}
