//! Typed, validated async client for the MongoDB Atlas Administration API v2.
//!
//! The modules [`models`] and [`operations`] are generated from the OpenAPI
//! spec in `spec/` by `cargo xtask codegen`; never edit them by hand. The
//! hand-written [`runtime`] module holds what the generated code builds on:
//! the [`Client`], authentication, transport and errors.
//!
//! ```no_run
//! # async fn run() -> Result<(), atlas_admin_api::Error<atlas_admin_api::models::ApiError>> {
//! use atlas_admin_api::{models::DiskBackupExportJobRequest, Auth, Client};
//!
//! let client = Client::builder()
//!     .auth(Auth::bearer(std::env::var("ATLAS_ACCESS_TOKEN").unwrap_or_default()))
//!     .build()?;
//! let job = client
//!     .create_backup_export()
//!     .group_id("32b6e34b3d91647abb20e7b8")
//!     .cluster_name("Cluster0")
//!     .body(DiskBackupExportJobRequest::new(
//!         "32b6e34b3d91647abb20e7b8".parse()?,
//!         "32b6e34b3d91647abb20e7b9".parse()?,
//!     ))
//!     .send()
//!     .await?;
//! println!("export {:?} is {:?}", job.body.id, job.body.state);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// `Error<E>` carries the response's headers and the decoded error body, so
// it is large; it is returned once per HTTP call, where its size costs
// nothing worth boxing for.
#![allow(clippy::result_large_err)]

// Generated code is formatted by the generator (prettyplease); rustfmt leaves it alone.
#[rustfmt::skip]
mod gen;
pub mod runtime;
#[cfg(feature = "cloud-backups")]
pub mod waiters;

#[cfg(feature = "cli")]
pub use gen::cli;
pub use gen::{models, operations};
pub use runtime::{
    Auth, AuthError, Client, ClientBuilder, Error, IntoValidated, RateLimit, Response,
    ResponseMeta, RetryPolicy, ServiceAccount, Validated, ValidationError, ValidationErrorKind,
    Wait, DEFAULT_BASE_URL,
};
