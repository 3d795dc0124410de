//! A request as the mock's matcher, credentials check and replies see it.

use bytes::Bytes;

/// A request as the matcher sees it.
pub(crate) struct Incoming {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Bytes,
}
