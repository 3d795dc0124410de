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

// The mock's layers, bottom first; each file imports only those above it in
// this list: what an operation is and the error body (`operation`); a
// request as received (`incoming`, `recorded`); a reply and how it is
// rendered (`reply`, with `pages`); the credentials checked (`auth`); a
// stub's matching half (`matcher`); the server's shared state (`state`) and
// its report (`report`); the server (`server`); the stub builders users
// call (`rule`).
mod auth;
mod incoming;
mod matcher;
mod operation;
mod pages;
mod recorded;
mod reply;
mod report;
mod rule;
mod server;
mod state;

pub use operation::{api_error_body, Operation};
pub use recorded::RecordedRequest;
pub use rule::{Rule, Stub};
pub use server::{MockServer, MockServerBuilder};
