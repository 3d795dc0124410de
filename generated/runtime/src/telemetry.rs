//! The `tracing` span of each operation, named and filled as
//! OpenTelemetry's HTTP client semantic conventions name things, so that a
//! `tracing-opentelemetry` layer exports it as a client span without any
//! mapping.
//!
//! | Field | Value |
//! |-------|-------|
//! | `otel.name` | `GET /api/atlas/v2/groups/{groupId}/...` (method and path template) |
//! | `otel.kind` | `client` |
//! | `http.request.method` | `GET`, `POST`, ... |
//! | `url.template` | the spec's path template: no ids, no query |
//! | `server.address`, `server.port` | the base URL's host and port |
//! | `atlas.operation_id` | the spec's `operationId` (`getGroupClusterBackupExport`) |
//! | `atlas.api_version` | the version sent (`2023-01-01`) |
//! | `http.response.status_code` | the final status, when there is one |
//! | `error.type` | the final status (`429`, `500`) for an error status, else the kind of failure (`timeout`, `connect`, `auth`, `body too large`) |
//! | `http.request.resend_count` | attempts after the first (set when there were any) |
//!
//! Each attempt is a child span `atlas.request` (`method`, `path`,
//! `attempt`, `status`, `error`), with an event `retrying` (`wait_ms`)
//! before the next; token requests are spans of their own
//! (`atlas.oauth.token`, `atlas.oauth.refresh`, `atlas.oauth.revoke`).
//! No field holds a credential, a path value or a query value.
//!
//! The span is `INFO`; without a subscriber it costs nothing.

use reqwest::StatusCode;
use tracing::field::Empty;
use url::Url;

use crate::request::ApiRequest;

/// The span of one call of `request` to `base_url`.
pub(crate) fn operation_span(request: &ApiRequest, base_url: &Url) -> tracing::Span {
    let span = tracing::info_span!(
        "atlas.operation",
        otel.name = tracing::field::Empty,
        otel.kind = "client",
        http.request.method = %request.method,
        url.template = request.path_template,
        server.address = base_url.host_str().unwrap_or_default(),
        server.port = base_url.port_or_known_default(),
        atlas.operation_id = request.operation_id,
        atlas.api_version = api_version(request),
        http.response.status_code = Empty,
        error.type = Empty,
        http.request.resend_count = Empty,
    );
    if !span.is_disabled() {
        span.record(
            "otel.name",
            format!("{} {}", request.method, request.path_template),
        );
    }
    span
}

/// The version a request sends: its override, else the one in its
/// `Accept` media type (empty when it has none).
pub(crate) fn api_version(request: &ApiRequest) -> &str {
    if let Some(version) = &request.api_version {
        return version;
    }
    request
        .accept
        .strip_prefix("application/vnd.atlas.")
        .and_then(|rest| rest.split('+').next())
        .unwrap_or_default()
}

/// Records how the call ended: its status (an error status is also its
/// `error.type`) or the kind of failure, and its resends.
pub(crate) fn record_outcome(
    span: &tracing::Span,
    status: Option<StatusCode>,
    failure: Option<&str>,
    attempts: u32,
) {
    if let Some(status) = status {
        span.record("http.response.status_code", status.as_u16());
        if status.is_client_error() || status.is_server_error() {
            span.record("error.type", status.as_str());
        }
    }
    if let Some(failure) = failure {
        span.record("error.type", failure);
    }
    if attempts > 1 {
        span.record("http.request.resend_count", attempts - 1);
    }
}
