//! Hand-written runtime the generated code builds on: client, transport,
//! authentication, errors and validation. Nothing in here is generated.

mod auth;
mod client;
mod error;
mod request;
mod response;
pub mod serde_helpers;
mod validate;

pub use auth::Auth;
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL};
pub use error::Error;
pub use request::{encode_path_segment, ApiRequest};
pub use response::{RateLimit, RawResponse, Response, ResponseMeta};
pub use validate::{required, IntoValidated, Validated, ValidationError, ValidationErrorKind};
