//! A mock Atlas for tests (cargo feature `test-util`): a real HTTP server on
//! loopback (127.0.0.1, an ephemeral port) that answers what a test stubs,
//! so the client under test runs its real authentication, retries,
//! decoding, pagination and waiters against it.
//!
//! This module is the generic engine; every generated crate adds a typed
//! layer on top (`mock::MockAtlas`, one stub builder per operation, built
//! from each operation's [`Operation`] constants), so tests name operations,
//! parameters and bodies with the crate's own types:
//!
//! ```text
//! let mock = MockAtlas::start().await;
//! let export = mock
//!     .create_backup_export()
//!     .group_id("32b6e34b3d91647abb20e7b8")
//!     .body_matches(|body| body.snapshot_id.as_str() == "...")
//!     .respond_with(job)
//!     .times(1);
//! let client = mock.client();
//! // ... code under test ...
//! mock.verify();
//! ```
//!
//! What a stub does:
//!
//! - **Matching** ([`Stub`]): its operation's method and path template, and
//!   the path parameters, query parameters, headers and body predicate it was
//!   given. The first stub (in the order they were made) whose constraints
//!   all hold answers; a stub answers once it has a reply or an expectation.
//! - **Replies**: a typed body ([`Stub::respond_with`]), a typed error body
//!   ([`Stub::respond_error`], [`Stub::respond_api_error`]), a bare status, raw
//!   bytes, pages of a list ([`Stub::respond_with_pages`]), each optionally
//!   delayed or with extra headers. Replies are served in order, the last one
//!   repeated: `503, 503, 200` is three `respond_*` calls.
//! - **Versions**: JSON answers carry the versioned media type the request
//!   asked for (`application/vnd.atlas.2023-01-01+json`); a request whose
//!   `Accept` names no version the operation has is refused as Atlas does,
//!   `406` with `errorCode` `INVALID_VERSION_DATE`. A request with
//!   `envelope=true` gets its JSON answer as Atlas envelopes it: `200` with
//!   `{"status": N, "content": ...}`.
//! - **Expectations**: [`Stub::times`], [`Stub::never`], [`Stub::at_least`],
//!   checked by [`MockServer::verify`] and when the server is dropped (unless
//!   the thread is already panicking). A failure lists every expectation that
//!   did not hold, with the operation, method and path, and every request the
//!   server received.
//! - **Unmatched requests** get `404` with an `ApiError`-shaped body whose
//!   `errorCode` is `MOCK_NO_MATCHING_STUB` and whose `detail` names the
//!   nearest stubs and why they did not match; they fail verification.
//! - **Recording**: [`MockServer::received`] (every request), and per stub
//!   [`Stub::requests`] and [`Stub::bodies`] (the request bodies, typed).
//! - **Authentication** ([`MockServerBuilder`]): none by default; or require
//!   HTTP Digest with one API key, or a service account (the server then also
//!   serves `/api/oauth/token` and accepts only the tokens it issued).

mod auth;
mod pages;
mod recorded;
mod report;
mod rule;
mod server;

pub use recorded::RecordedRequest;
pub use rule::{Rule, Stub};
pub use server::{MockServer, MockServerBuilder};

use crate::response::Endpoint;

/// What the mock needs to know about one generated operation (implemented
/// by the generated code, for each request builder with the `'static`
/// lifetime): how it is routed and which API versions it answers.
pub trait Operation: Endpoint + 'static {
    /// The spec's `operationId`.
    const OPERATION_ID: &'static str;
    /// The client's method for it (`create_backup_export`).
    const NAME: &'static str;
    /// HTTP method (`GET`).
    const METHOD: &'static str;
    /// The spec's path template.
    const PATH: &'static str;
    /// The API versions the operation answers, oldest first (empty for an
    /// operation without versioned media types).
    const VERSIONS: &'static [&'static str];
    /// The spec's default `itemsPerPage` (paginated operations).
    const ITEMS_PER_PAGE: i64 = 100;
    /// The request body type (`()` for none).
    type Body;
}

/// The constants of an [`Operation`], without its types.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OperationInfo {
    pub(crate) operation_id: &'static str,
    pub(crate) name: &'static str,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    pub(crate) versions: &'static [&'static str],
    pub(crate) items_per_page: i64,
    pub(crate) success_status: u16,
}

impl OperationInfo {
    pub(crate) fn of<O: Operation>() -> Self {
        Self {
            operation_id: O::OPERATION_ID,
            name: O::NAME,
            method: O::METHOD,
            path: O::PATH,
            versions: O::VERSIONS,
            items_per_page: O::ITEMS_PER_PAGE,
            success_status: O::SUCCESS.first().map_or(200, |(status, _)| *status),
        }
    }
}

/// An `ApiError`-shaped JSON body, as Atlas sends with every 4xx and 5xx.
pub fn api_error_body(status: u16, error_code: &str, detail: &str) -> serde_json::Value {
    serde_json::json!({
        "error": status,
        "errorCode": error_code,
        "detail": detail,
        "reason": reason_phrase(status),
        "parameters": [],
    })
}

/// The reason phrase of a status (`Not Found`), empty for unknown ones.
fn reason_phrase(status: u16) -> &'static str {
    hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}
