//! A static bearer token ([`super::Auth::bearer`]): `Authorization: Bearer
//! <token>` on every request, never renewed. The header value is also the one
//! service-account tokens are sent with.

use std::fmt;

use futures_util::future::BoxFuture;
use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};

use crate::scheme::{authorization, Attempt, AttemptError, Exchange, Scheme};

/// `Authorization: Bearer <token>`, marked sensitive so that HTTP libraries
/// never log it.
pub(crate) fn bearer_header(token: &str) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| "the bearer token is not a valid header value".to_owned())?;
    value.set_sensitive(true);
    Ok(value)
}

/// Whether a 401 says the bearer token expired or was revoked: an RFC 6750
/// `Bearer error="invalid_token"` challenge, or a body that says "expired"
/// (Atlas answers with a JSON `ApiError`).
pub(crate) fn says_token_expired(headers: &HeaderMap, body: &[u8]) -> bool {
    let challenge_says = headers
        .get_all(WWW_AUTHENTICATE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| http_auth::parse_challenges(v).ok())
        .flatten()
        .any(|c| {
            c.scheme.eq_ignore_ascii_case("bearer")
                && c.params.iter().any(|(k, v)| {
                    k.eq_ignore_ascii_case("error") && v.to_unescaped() == "invalid_token"
                })
        });
    challenge_says
        || String::from_utf8_lossy(body)
            .to_ascii_lowercase()
            .contains("expired")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_signals() {
        let mut headers = HeaderMap::new();
        assert!(!says_token_expired(
            &headers,
            b"{\"errorCode\":\"NOT_ORG_GROUP_CREATOR\"}"
        ));
        assert!(says_token_expired(
            &headers,
            b"{\"detail\":\"Token Expired\"}"
        ));
        headers.insert(
            WWW_AUTHENTICATE,
            r#"Bearer realm="atlas", error="invalid_token", error_description="gone""#
                .parse()
                .expect("header"),
        );
        assert!(says_token_expired(&headers, b""));
    }
}
