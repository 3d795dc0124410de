//! Hand-written runtime the generated code builds on: client, transport,
//! authentication, errors and validation. Nothing in here is generated.

mod auth;
#[cfg(feature = "cli")]
pub mod cli;
mod client;
mod digest;
mod error;
mod oauth;
pub mod pagination;
mod request;
mod response;
mod retry;
pub mod serde_helpers;
mod validate;
pub mod wait;

pub use auth::{
    Auth, AuthError, ServiceAccount, DEFAULT_REFRESH_MARGIN, ENV_CLIENT_ID, ENV_CLIENT_SECRET,
    ENV_PRIVATE_API_KEY, ENV_PUBLIC_API_KEY,
};
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
};
pub use error::Error;
pub use pagination::{next_link, Page};
pub use request::{encode_path_segment, ApiRequest, ToWire};
pub use response::{
    AnyJson, AnyVersion, AsBytes, Binary, Decoder, Endpoint, Json, JsonIfAny, MaybeJson, NoContent,
    RateLimit, RawResponse, Response, ResponseMeta, Text,
};
pub use retry::RetryPolicy;
pub use serde_helpers::{Decode, DecodeOptions};
pub use validate::{
    required, Checked, IntoValidated, Validated, ValidationError, ValidationErrorKind,
};
pub use wait::{Polling, Progress, Wait};
