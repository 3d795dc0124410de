//! Access tokens kept between processes: the [`TokenCache`] contract, the
//! entry it keeps ([`CachedToken`], under a [`TokenKey`]) and its one
//! stored form. [`FileTokenCache`] keeps them in files.
//!
//! Atlas issues a service account at most 10 tokens a minute (per client
//! and IP address), so scripts that start one process per call run out of
//! tokens unless the processes share the one they minted. A cache holds
//! the token and its expiry under the token endpoint's URL and the client
//! id, never the client secret.

mod file;
pub(crate) mod shared;
mod store;

pub use file::FileTokenCache;
pub use store::{CachedToken, TokenCache, TokenCacheError, TokenCacheLock, TokenKey};
