//! Credentials. Every generated operation goes through [`super::Transport`],
//! which applies the configured [`Auth`]; generated code never sees secrets.
//!
//! [`Auth`] is only configuration. [`super::TransportBuilder::build`] turns it
//! into an authenticator that holds the live state (the digest nonce in use,
//! the cached service-account token); clones of a [`super::Transport`] share it.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use url::Url;

use super::digest::DigestAuth;
use super::oauth::TokenSource;

/// Environment variables read by [`Auth::from_env`], in the order they are tried.
pub const ENV_CLIENT_ID: &str = "MONGODB_ATLAS_CLIENT_ID";
/// The service account's secret (see [`Auth::from_env`]).
pub const ENV_CLIENT_SECRET: &str = "MONGODB_ATLAS_CLIENT_SECRET";
/// The programmatic API key's public part, as the Atlas CLI names it (see
/// [`Auth::from_env`]).
pub const ENV_PUBLIC_API_KEY: &str = "MONGODB_ATLAS_PUBLIC_API_KEY";
/// The programmatic API key's private part, as the Atlas CLI names it.
pub const ENV_PRIVATE_API_KEY: &str = "MONGODB_ATLAS_PRIVATE_API_KEY";
/// The programmatic API key's public part, as the Go SDK and Terraform name
/// it (see [`Auth::from_env`]).
pub const ENV_PUBLIC_KEY: &str = "MONGODB_ATLAS_PUBLIC_KEY";
/// The programmatic API key's private part, as the Go SDK and Terraform
/// name it.
pub const ENV_PRIVATE_KEY: &str = "MONGODB_ATLAS_PRIVATE_KEY";

/// How long before its expiry a service-account token is replaced, by default.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

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

/// How requests authenticate. Build one with [`Auth::digest`],
/// [`Auth::service_account`], [`Auth::bearer`], [`Auth::none`] or
/// [`Auth::from_env`], then hand it to [`super::TransportBuilder::auth`].
///
/// `Debug` shows the kind of credentials and the public identifiers (API
/// public key, service-account client id), never a private key, client
/// secret or token.
#[derive(Clone, Default)]
pub struct Auth {
    kind: AuthKind,
}

#[derive(Clone, Default)]
enum AuthKind {
    #[default]
    None,
    Bearer(Secret),
    Digest {
        public_key: String,
        private_key: Secret,
    },
    ServiceAccount(ServiceAccount),
}

impl Auth {
    /// No credentials (tests, proxies that add their own).
    pub fn none() -> Self {
        Self {
            kind: AuthKind::None,
        }
    }

    /// A static bearer token, sent as `Authorization: Bearer <token>`
    /// (`curl --header "Authorization: Bearer ${ACCESS_TOKEN}"`). It is never
    /// refreshed; use [`Auth::service_account`] to have the client fetch and
    /// renew tokens itself.
    pub fn bearer(token: impl Into<String>) -> Self {
        Self {
            kind: AuthKind::Bearer(Secret::new(token)),
        }
    }

    /// A programmatic API key, sent with HTTP Digest authentication (RFC 7616;
    /// `curl --digest --user "${PUBLIC_KEY}:${PRIVATE_KEY}"`). The public key
    /// is the user name, the private key the password.
    ///
    /// The first request costs two round trips (the server's challenge, then
    /// the answer); the client then reuses the server's nonce with an
    /// incrementing nonce count, so each following request costs one, and
    /// falls back to a fresh challenge when the server rejects the nonce.
    pub fn digest(public_key: impl Into<String>, private_key: impl Into<String>) -> Self {
        Self {
            kind: AuthKind::Digest {
                public_key: public_key.into(),
                private_key: Secret::new(private_key),
            },
        }
    }

    /// A service account (OAuth 2.0 client credentials) with the default
    /// settings of [`ServiceAccount::new`]: tokens come from
    /// `{base URL}/api/oauth/token`, are cached, and are renewed a minute
    /// before they expire.
    pub fn service_account(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        ServiceAccount::new(client_id, client_secret).into()
    }

    /// Credentials from the environment: a service account from
    /// `MONGODB_ATLAS_CLIENT_ID` and `MONGODB_ATLAS_CLIENT_SECRET` if both are
    /// set and not empty, otherwise a digest API key from
    /// `MONGODB_ATLAS_PUBLIC_API_KEY` and `MONGODB_ATLAS_PRIVATE_API_KEY`
    /// (the Atlas CLI's names), else from `MONGODB_ATLAS_PUBLIC_KEY` and
    /// `MONGODB_ATLAS_PRIVATE_KEY` (the Go SDK's and Terraform's), otherwise
    /// `None` (half pairs are passed over; the table is
    /// [`crate::credentials::ENV_PAIRS`]). `atlas-api` reads the same variables.
    pub fn from_env() -> Option<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Option<Self> {
        // One table of variables for this and `atlas-api` (credentials.rs).
        crate::credentials::from_env(&lookup).map(|(credentials, _)| credentials.to_auth())
    }

    /// Turns the configuration into the live authenticator of one client.
    pub(crate) fn into_authenticator(self, base_url: &Url) -> Result<Authenticator, String> {
        Ok(match self.kind {
            AuthKind::None => Authenticator::None,
            AuthKind::Bearer(token) => Authenticator::Bearer(bearer_header(token.expose())?),
            AuthKind::Digest {
                public_key,
                private_key,
            } => Authenticator::Digest(DigestAuth::new(public_key, private_key)),
            AuthKind::ServiceAccount(account) => {
                let base = match &account.token_base_url {
                    Some(url) => {
                        Url::parse(url).map_err(|err| format!("token base URL {url:?}: {err}"))?
                    }
                    None => base_url.clone(),
                };
                Authenticator::ServiceAccount(TokenSource::new(
                    account.client_id,
                    account.client_secret,
                    &base,
                    account.refresh_margin,
                )?)
            }
        })
    }
}

impl From<ServiceAccount> for Auth {
    fn from(account: ServiceAccount) -> Self {
        Self {
            kind: AuthKind::ServiceAccount(account),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret itself.
        match &self.kind {
            AuthKind::None => f.write_str("Auth::None"),
            AuthKind::Bearer(_) => f.write_str("Auth::Bearer(<redacted>)"),
            AuthKind::Digest { public_key, .. } => f
                .debug_struct("Auth::Digest")
                .field("public_key", public_key)
                .field("private_key", &"<redacted>")
                .finish(),
            AuthKind::ServiceAccount(account) => write!(f, "Auth::{account:?}"),
        }
    }
}

/// Settings of a service account (OAuth 2.0 client credentials grant):
/// `Auth::from(ServiceAccount::new(id, secret).token_base_url(...))`.
///
/// The client posts `grant_type=client_credentials` with HTTP Basic
/// `client_id:client_secret` to `{token base URL}/api/oauth/token`, caches
/// the `access_token` it gets, renews it shortly before `expires_in` runs
/// out, and renews it once when a request is refused with a 401 that says
/// the token expired. Concurrent requests share one renewal. See
/// [`super::Transport::revoke_token`] to revoke the token.
#[derive(Clone)]
pub struct ServiceAccount {
    client_id: String,
    client_secret: Secret,
    token_base_url: Option<String>,
    refresh_margin: Duration,
}

impl ServiceAccount {
    /// A service account with its client id and secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
            token_base_url: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
        }
    }

    /// Where the token endpoints live (`{url}/api/oauth/token` and
    /// `{url}/api/oauth/revoke`); by default the client's base URL.
    pub fn token_base_url(mut self, url: impl Into<String>) -> Self {
        self.token_base_url = Some(url.into());
        self
    }

    /// How long before expiry a token is renewed (default
    /// [`DEFAULT_REFRESH_MARGIN`], 60 s). For tokens that live less than twice
    /// the margin, half their lifetime is used instead.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("token_base_url", &self.token_base_url)
            .field("refresh_margin", &self.refresh_margin)
            .finish()
    }
}

/// `Authorization: Bearer <token>`, marked sensitive so that HTTP libraries
/// never log it.
pub(crate) fn bearer_header(token: &str) -> Result<HeaderValue, String> {
    let mut value = HeaderValue::from_str(&format!("Bearer {token}"))
        .map_err(|_| "the bearer token is not a valid header value".to_owned())?;
    value.set_sensitive(true);
    Ok(value)
}

/// The live form of [`Auth`] inside a client (one per client, behind an
/// `Arc`, so the size of its variants does not matter).
#[allow(clippy::large_enum_variant)]
pub(crate) enum Authenticator {
    None,
    Bearer(HeaderValue),
    Digest(DigestAuth),
    ServiceAccount(TokenSource),
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Authenticator::None => f.write_str("None"),
            Authenticator::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            Authenticator::Digest(digest) => digest.fmt(f),
            Authenticator::ServiceAccount(source) => source.fmt(f),
        }
    }
}

/// Why authentication failed before the API could answer. Never contains a
/// private key, client secret or token.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint could not be reached or did not answer in time.
    TokenRequest(reqwest::Error),
    /// The token endpoint refused to issue (or revoke) a token.
    TokenRejected {
        /// HTTP status of the token endpoint's answer.
        status: u16,
        /// The OAuth `error` and `error_description`, or the start of the body.
        detail: String,
    },
    /// The token endpoint answered 2xx with something that is not a usable
    /// bearer token.
    InvalidTokenResponse(String),
    /// The server's digest challenge is malformed or asks for something this
    /// client does not implement (an algorithm other than MD5 and SHA-256, or
    /// a qop other than `auth` and `auth-int`).
    UnsupportedChallenge(String),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::TokenRequest(err) => {
                write!(f, "requesting a service-account token failed: {err}")
            }
            AuthError::TokenRejected { status, detail } => {
                write!(f, "the token endpoint answered HTTP {status}: {detail}")
            }
            AuthError::InvalidTokenResponse(why) => {
                write!(f, "the token endpoint's answer is unusable: {why}")
            }
            AuthError::UnsupportedChallenge(why) => {
                write!(f, "cannot answer the server's digest challenge: {why}")
            }
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuthError::TokenRequest(err) => Some(err),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_secrets() {
        let shown = format!("{:?}", Auth::bearer("s3cr3t-token"));
        assert!(!shown.contains("s3cr3t"), "{shown}");
        let shown = format!("{:?}", Auth::digest("PUBKEY", "s3cr3t-private"));
        assert!(
            !shown.contains("s3cr3t") && shown.contains("PUBKEY"),
            "{shown}"
        );
        let shown = format!("{:?}", Auth::service_account("mdb_sa_id_1", "s3cr3t-sk"));
        assert!(
            !shown.contains("s3cr3t") && shown.contains("mdb_sa_id_1"),
            "{shown}"
        );
        let base = Url::parse("http://127.0.0.1:1").expect("url");
        for auth in [
            Auth::bearer("s3cr3t"),
            Auth::digest("p", "s3cr3t"),
            Auth::service_account("i", "s3cr3t"),
        ] {
            let live = auth.into_authenticator(&base).expect("builds");
            let shown = format!("{live:?}");
            assert!(!shown.contains("s3cr3t"), "{shown}");
        }
    }

    #[test]
    fn environment_prefers_the_service_account() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                vars.iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let all = Auth::from_lookup(env(&[
            (ENV_CLIENT_ID, "id"),
            (ENV_CLIENT_SECRET, "sk"),
            (ENV_PUBLIC_API_KEY, "pub"),
            (ENV_PRIVATE_API_KEY, "priv"),
        ]));
        assert!(matches!(
            all.map(|a| a.kind),
            Some(AuthKind::ServiceAccount(sa)) if sa.client_id == "id"
        ));
        let keys = Auth::from_lookup(env(&[
            (ENV_CLIENT_ID, ""),
            (ENV_CLIENT_SECRET, "sk"),
            (ENV_PUBLIC_API_KEY, "pub"),
            (ENV_PRIVATE_API_KEY, "priv"),
        ]));
        assert!(matches!(
            keys.map(|a| a.kind),
            Some(AuthKind::Digest { public_key, .. }) if public_key == "pub"
        ));
        assert!(Auth::from_lookup(env(&[(ENV_PUBLIC_API_KEY, "pub")])).is_none());
    }

    #[test]
    fn a_bearer_token_that_cannot_be_a_header_is_refused_without_echoing_it() {
        let base = Url::parse("http://127.0.0.1:1").expect("url");
        let err = Auth::bearer("s3cr3t\nx")
            .into_authenticator(&base)
            .expect_err("newline");
        assert!(!err.contains("s3cr3t"), "{err}");
    }
}
