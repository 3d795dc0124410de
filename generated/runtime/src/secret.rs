//! A secret string (a private key, a client secret, a token): shared
//! cheaply, never printed. Vocabulary: imports nothing of this crate.

use std::fmt;
use std::sync::Arc;

/// A secret string: shared cheaply, never printed.
#[derive(Clone)]
pub(crate) struct Secret(Arc<str>);

impl Secret {
    pub(crate) fn new(value: impl Into<String>) -> Self {
        Self(Arc::from(value.into()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}
