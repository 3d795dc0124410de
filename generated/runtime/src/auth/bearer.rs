//! A static bearer token ([`super::Auth::bearer`]): `Authorization: Bearer
//! <token>` on every request, never renewed. The header value is also the one
//! service-account tokens are sent with.

use std::fmt;

use futures_util::future::BoxFuture;
use reqwest::header::HeaderValue;

use super::{authorization, Scheme};
use crate::client::{Attempt, AttemptError, Exchange};

/// `Authorization: Bearer <token>`, marked sensitive so that HTTP libraries
/// never log it.
pub(crate) fn bearer_header(token: &str) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| "the bearer token is not a valid header value".to_owned())?;
    value.set_sensitive(true);
    Ok(value)
}

/// Live state of [`super::Auth::bearer`]: the ready header value.
pub(crate) struct Bearer {
    header: HeaderValue,
}

impl Bearer {
    /// Refuses a token that cannot be sent in a header (without echoing it).
    pub(crate) fn new(token: &str) -> Result<Self, String> {
        Ok(Self {
            header: bearer_header(token)?,
        })
    }
}

impl fmt::Debug for Bearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bearer(<redacted>)")
    }
}

impl Scheme for Bearer {
    fn credentials(&self) -> crate::wire::Credentials {
        crate::wire::Credentials::Bearer
    }

    fn authenticate<'a>(
        &'a self,
        attempt: &'a Attempt<'a>,
    ) -> BoxFuture<'a, Result<Exchange, AttemptError>> {
        Box::pin(attempt.send(authorization(self.header.clone())))
    }
}
