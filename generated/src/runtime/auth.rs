//! Credentials. Every generated operation goes through [`super::Client`],
//! which applies the configured [`Auth`]; generated code never sees secrets.

use std::fmt;

/// How requests authenticate.
#[derive(Clone, Default)]
pub struct Auth {
    kind: AuthKind,
}

#[derive(Clone, Default)]
enum AuthKind {
    #[default]
    None,
    Bearer(String),
}

impl Auth {
    /// No credentials (tests, proxies that add their own).
    pub fn none() -> Self {
        Self {
            kind: AuthKind::None,
        }
    }

    /// A static bearer token, sent as `Authorization: Bearer <token>`.
    pub fn bearer(token: impl Into<String>) -> Self {
        Self {
            kind: AuthKind::Bearer(token.into()),
        }
    }

    /// Adds the credentials to an outgoing request.
    pub(crate) fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.kind {
            AuthKind::None => request,
            AuthKind::Bearer(token) => request.bearer_auth(token),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret itself.
        match &self.kind {
            AuthKind::None => f.write_str("Auth::None"),
            AuthKind::Bearer(_) => f.write_str("Auth::Bearer(<redacted>)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Auth;

    #[test]
    fn debug_output_hides_the_token() {
        let shown = format!("{:?}", Auth::bearer("s3cr3t-token"));
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}
