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
//!     // MONGODB_ATLAS_CLIENT_ID / _SECRET (a service account), or
//!     // MONGODB_ATLAS_PUBLIC_KEY / _PRIVATE_KEY (an API key).
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
//! # Credentials
//!
//! [`Client::from_env`] reads a service account from
//! `MONGODB_ATLAS_CLIENT_ID`/`MONGODB_ATLAS_CLIENT_SECRET`, else an API key
//! from `MONGODB_ATLAS_PUBLIC_API_KEY`/`MONGODB_ATLAS_PRIVATE_API_KEY` (or
//! the SDK's `MONGODB_ATLAS_PUBLIC_KEY`/`MONGODB_ATLAS_PRIVATE_KEY`), and
//! `ATLAS_BASE_URL` for another endpoint. Or choose with [`Auth`]:
//!
//! ```no_run
//! use atlas_admin_api::{Auth, Client};
//!
//! # fn main() -> atlas_admin_api::Result<()> {
//! // A service account (OAuth 2.0 client credentials; tokens cached and renewed).
//! let client = Client::builder()
//!     .auth(Auth::service_account("mdb_sa_id_...", "mdb_sa_sk_..."))
//!     .build()?;
//! // A programmatic API key (HTTP Digest; one round trip per request once warm).
//! let client = Client::builder().auth(Auth::digest("PUBLIC", "PRIVATE")).build()?;
//! # Ok(()) }
//! ```
//!
//! # Errors
//!
//! One error type for operations, waiters and page streams: [`Error`]
//! (with [`Result`]), so `?` works everywhere. Messages read as sentences
//! (`HTTP 404 RESOURCE_NOT_FOUND: No group with ID … found.`) and keep
//! their cause; an API error code is one call away:
//!
//! ```no_run
//! # async fn run(client: atlas_admin_api::Client) -> atlas_admin_api::Result<()> {
//! match client.get_export_bucket().group_id("32b6e34b3d91647abb20e7b8").export_bucket_id("5f1a2b3c4d5e6f7a8b9c0d1e").send().await {
//!     Ok(bucket) => println!("{:?}", bucket.body),
//!     Err(err) if err.is_error_code("RESOURCE_NOT_FOUND") => println!("no such bucket"),
//!     Err(err) => return Err(err),
//! }
//! # Ok(()) }
//! ```
//!
//! [`Error::status`], [`Error::error_code`] and [`Error::api_error`] (the
//! decoded [`models::ApiError`]) answer the usual questions.
//!
//! # Pages, waiters, versions
//!
//! Paginated list operations also have `.stream()` (every item) and
//! `.pages()`: `Unpin` streams, consumed with the [`prelude`]'s
//! `TryStreamExt`:
//!
//! ```no_run
//! use atlas_admin_api::prelude::*;
//! # async fn run(client: atlas_admin_api::Client) -> atlas_admin_api::Result<()> {
//! let mut jobs = client
//!     .list_backup_exports()
//!     .group_id("32b6e34b3d91647abb20e7b8")
//!     .cluster_name("Cluster0")
//!     .stream();
//! while let Some(job) = jobs.try_next().await? {
//!     println!("{:?} {:?}", job.id, job.state);
//! }
//! # Ok(()) }
//! ```
//!
//! Operations whose work goes on after the answer (`createBackupExport`,
//! `deleteExportBucket`) also have `.send_and_wait()`, which polls until
//! it is done (see [`runtime::wait`]); [`waiters`] says what an export
//! job's final state means. Each operation is generated for one API
//! version (`application/vnd.atlas.<date>+json`);
//! `.api_version("2023-01-01")` with `.send_json()` calls another.
//!
//! # Lenient in what it accepts
//!
//! A response that a spec-valid server may send always decodes: content
//! without a schema is `Option<serde_json::Value>`, unknown enum values and
//! union variants are kept, and a required field the server left out gets
//! its empty value, reported through `tracing`.
//! [`ClientBuilder::strict_responses`] makes those errors instead.
//!
//! # Cargo features
//!
//! One feature per tag of the spec (`cloud-backups`, ...), all on by
//! default (`full`); `cli` builds the `atlas-api` command line (and
//! `keyring`, which reads Atlas CLI profile secrets from the OS keyring);
//! `test-util` (off by default, for `[dev-dependencies]`) adds the test
//! doubles of `mock`: a mock Atlas on loopback with a typed stub builder
//! per operation (see "Testing your code" below, with the feature on,
//! and the README).
//!
//! The modules [`models`] and [`operations`] (and [`Client`], [`Error`],
//! [`Result`]) are generated from the spec by `cargo xtask codegen`;
//! [`waiters`] and [`runtime`] (transport, authentication, retries,
//! errors, pagination, polling, serde helpers; the crate
//! `atlas-admin-runtime`) are written by hand.
#![cfg_attr(feature = "test-util", doc = include_str!("testing.md"))]
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
pub mod waiters;

// Everything but the waiters is generated (`src/gen/mod.rs`): the client,
// the modules, the error type and the runtime's re-exports.
pub use gen::*;
