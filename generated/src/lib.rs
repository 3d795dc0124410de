//! A typed, validated async client for the MongoDB Atlas Administration
//! API v2, generated from its OpenAPI spec.
//!
//! # A first call
//!
//! ```no_run
//! use atlas_admin_api::models::DiskBackupExportJobRequest;
//! use atlas_admin_api::Client;
//!
//! #[tokio::main]
//! async fn main() -> atlas_admin_api::Result<()> {
//!     // MONGODB_ATLAS_CLIENT_ID / _SECRET (a service account), or an API
//!     // key; MONGODB_ATLAS_BASE_URL for another endpoint (guide::authentication).
//!     let client = Client::from_env()?;
//!     let job = client
//!         .create_backup_export()
//!         .group_id("32b6e34b3d91647abb20e7b8") // checked against its pattern before sending
//!         .cluster_name("Cluster0")
//!         .body(DiskBackupExportJobRequest::new(
//!             "32b6e34b3d91647abb20e7b8".parse()?, // export bucket id: a validated type
//!             "32b6e34b3d91647abb20e7b9".parse()?, // snapshot id
//!         ))
//!         .send()
//!         .await?;
//!     // A `Response` derefs to its body; status, headers and rate limits stay reachable.
//!     println!("export {:?} is {:?} (HTTP {})", job.id, job.state, job.status());
//!     Ok(())
//! }
//! ```
//!
//! Every operation is a method on [`Client`] returning a builder: set its
//! inputs (strings, or the validated types such as [`models::GroupId`] and
//! references to them), then `.send().await`. Inputs are checked before
//! anything leaves the process; a bad one is [`Error::InvalidRequest`].
//!
//! [`Client::from_env`] reads credentials and the base URL from the same
//! environment variables as `atlas-api` and the Atlas CLI (service account
//! first, then API key); [`Auth`] chooses explicitly. One error type,
//! [`Error`] (with [`Result`]), serves operations, waiters and page
//! streams; messages read as sentences and [`Error::is_error_code`]
//! matches an API error in one call.
//!
//! # Building values
//!
//! Models are `#[non_exhaustive]`, so the fields and enum values Atlas adds
//! arrive in compatible releases: build a struct with `new(required..)`
//! (or `default()` when nothing is required) and chain a `with_<field>`
//! setter per optional field; `match` an enum with a `_` arm.
//!
//! ```
//! use atlas_admin_api::models::{BackupLabel, DiskBackupExportJobRequest, DiskBackupExportJobState};
//!
//! # fn main() -> atlas_admin_api::Result<()> {
//! let body = DiskBackupExportJobRequest::new(
//!     "32b6e34b3d91647abb20e7b8".parse()?, // export bucket id
//!     "32b6e34b3d91647abb20e7b9".parse()?, // snapshot id
//! )
//! .with_custom_data([BackupLabel::default().with_key("team").with_value("data")]);
//! assert_eq!(body.custom_data.as_ref().map(Vec::len), Some(1));
//!
//! let done = |state: &DiskBackupExportJobState| match state {
//!     DiskBackupExportJobState::Successful | DiskBackupExportJobState::Failed => true,
//!     _ => false, // Cancelled, InProgress, Queued, and values Atlas adds later
//! };
//! assert!(done(&DiskBackupExportJobState::Successful));
//! # Ok(()) }
//! ```
//!
//! # The guide
//!
//! | page | |
//! |---|---|
//! | [`guide::authentication`] | credentials, every environment variable and profile key |
//! | [`guide::production`] | timeouts, retries, rate limits, TLS, proxies, interceptors, streaming, tracing and OpenTelemetry |
//! | [`guide::versions`] | API versions, their end (`x-sunset`), decoding rules |
//! | [`guide::errors`] | the error type |
//! | [`guide::pagination`] | page streams and waiters |
//! | [`guide::testing`] | a mock Atlas for your tests (feature `test-util`) |
//! | [`guide::coming_from_go`] | from the Go SDK or `atlas api` |
//! | [`guide::cli`] | the `atlas-api` command line |
//! | [`guide::whole_api`] | every operation of the Atlas API; cargo features |
//! | [`guide::releases`] | semver of the crate, changelog, maintainers' docs |
//!
//! # Operations
//!
//! Generated from the spec by `cargo xtask codegen` (the modules
//! [`models`] and [`operations`], with [`Client`], [`Error`] and
//! [`Result`]); [`waiters`], [`guide`] and [`runtime`] (the crate
//! `atlas-admin-runtime`) are written by hand.
//!
#![doc = include_str!("gen/operations.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// `Error<E>` carries the response's headers and the decoded error body, so
// it is large; it is returned once per HTTP call, where its size costs
// nothing worth boxing for.
#![allow(clippy::result_large_err)]

// Generated code is formatted by the generator (prettyplease); rustfmt leaves it alone.
#[rustfmt::skip]
mod gen;
#[cfg(feature = "cloud-backups")]
pub mod guide;
#[cfg(feature = "cloud-backups")]
pub mod waiters;

// Everything but the waiters is generated (`src/gen/mod.rs`): the client,
// the modules, the error type and the runtime's re-exports.
pub use gen::*;
