//! Credentials. Every generated operation goes through [`crate::Transport`],
//! which applies the configured [`Auth`]; generated code never sees secrets.
//!
//! [`Auth`] is only configuration. [`crate::TransportBuilder::build`] turns it
//! into the live [`Scheme`] of one client, which holds the state (the digest
//! nonce in use, the cached service-account token); clones of a
//! [`crate::Transport`] share it. One file per scheme, each implementing
//! [`Scheme`] (its header(s), its 401 handling):
//!
//! - `bearer.rs`: a static bearer token (`Authorization: Bearer`);
//! - `digest.rs`: programmatic API keys, HTTP Digest (RFC 7616): challenge
//!   parsing, the answer, the shared nonce and its renewal;
//! - `service_account.rs`: OAuth 2.0 client credentials: [`ServiceAccount`]
//!   settings, the token (in memory and in a shared [`crate::TokenCache`]),
//!   renewal, revocation;
//! - `user_account.rs`: an `atlas auth login` session ([`UserAccount`]):
//!   its access token, renewed with its refresh token, saved in a
//!   [`LoginStore`];
//! - `token_endpoint.rs`: what both token exchanges share: the rate limit
//!   waited out, error answers summarised;
//! - this file: [`Auth`] (the configuration), [`Credentials::to_auth`] and
//!   `Auth::from_env` (the environment's credentials), the scheme without
//!   credentials, and `Auth::into_scheme`, which builds the live scheme.
//!
//! The schemes sit on the contract they share with the transport
//! (`scheme.rs`: the [`Scheme`] trait, the send-once [`Attempt`] handle,
//! `Exchange`, `AttemptError`) and on the vocabulary below it (`Secret`,
//! [`crate::AuthError`], the credentials' environment names); none of them
//! imports the transport (`client/`). To add a scheme (or another header),
//! write a type implementing [`Scheme`] in its own file here and build it in
//! `Auth::into_scheme`; the transport needs no change.

mod bearer;
mod digest;
mod service_account;
mod token_endpoint;
mod user_account;

use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use reqwest::header::{HeaderMap, HeaderValue};
use url::Url;

use self::bearer::Bearer;
use self::digest::DigestAuth;
pub use self::service_account::{ServiceAccount, DEFAULT_REFRESH_MARGIN};
use self::token_endpoint::TokenRequests;
pub use self::user_account::{
    LoginStore, RenewedLogin, UserAccount, ATLAS_CLI_CLIENT_ID, ATLAS_CLI_GOV_CLIENT_ID,
};
use crate::credentials::Credentials;
use crate::retry::RetryPolicy;
use crate::scheme::{Attempt, AttemptError, Exchange, Scheme};
use crate::secret::Secret;

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
    UserAccount(UserAccount),
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

    /// Turns the configuration into the live scheme of one client.
    /// The live scheme of one client; token requests wait out a rate limit
    /// up to the policy's [`RetryPolicy::max_retry_after`].
    pub(crate) fn into_scheme(
        self,
        base_url: &Url,
        retry: &RetryPolicy,
        user_agent: &HeaderValue,
    ) -> Result<Arc<dyn Scheme>, String> {
        let tokens = TokenRequests {
            allowance: retry.retry_after_allowance(),
            user_agent: user_agent.clone(),
        };
        Ok(match self.kind {
            AuthKind::None => Arc::new(NoCredentials),
            AuthKind::Bearer(token) => Arc::new(Bearer::new(token.expose())?),
            AuthKind::Digest {
                public_key,
                private_key,
            } => Arc::new(DigestAuth::new(public_key, private_key)),
            AuthKind::ServiceAccount(account) => {
                Arc::new(account.into_token_source(base_url, tokens)?)
            }
            AuthKind::UserAccount(login) => Arc::new(login.into_source(base_url, tokens)?),
        })
    }
}

// `Credentials` is vocabulary (credentials.rs) and knows nothing of the
// schemes; the way from credentials to a client's `Auth` is written here.
impl Credentials {
    /// The client's [`Auth`].
    pub fn to_auth(&self) -> Auth {
        match self {
            Credentials::None => Auth::none(),
            Credentials::ApiKey {
                public_key,
                private_key,
            } => Auth::digest(public_key, private_key),
            Credentials::ServiceAccount {
                client_id,
                client_secret,
            } => Auth::service_account(client_id, client_secret),
            Credentials::UserAccount {
                access_token,
                refresh_token,
            } => UserAccount::new(access_token, refresh_token.clone().unwrap_or_default()).into(),
        }
    }
}

impl From<ServiceAccount> for Auth {
    fn from(account: ServiceAccount) -> Self {
        Self {
            kind: AuthKind::ServiceAccount(account),
        }
    }
}

impl From<UserAccount> for Auth {
    fn from(login: UserAccount) -> Self {
        Self {
            kind: AuthKind::UserAccount(login),
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
            AuthKind::UserAccount(login) => write!(f, "Auth::{login:?}"),
        }
    }
}

/// No credentials ([`Auth::none`]): every attempt is sent as it is.
struct NoCredentials;

impl fmt::Debug for NoCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("None")
    }
}

impl Scheme for NoCredentials {
    fn credentials(&self) -> crate::wire::Credentials {
        crate::wire::Credentials::None
    }

    fn authenticate<'a>(
        &'a self,
        attempt: &'a Attempt<'a>,
    ) -> BoxFuture<'a, Result<Exchange, AttemptError>> {
        Box::pin(attempt.send(HeaderMap::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::{
        ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_PRIVATE_API_KEY, ENV_PUBLIC_API_KEY,
    };

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
            let live = auth
                .into_scheme(
                    &base,
                    &RetryPolicy::default(),
                    &HeaderValue::from_static("t/1"),
                )
                .expect("builds");
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
            .into_scheme(
                &base,
                &RetryPolicy::default(),
                &HeaderValue::from_static("t/1"),
            )
            .expect_err("newline");
        assert!(!err.contains("s3cr3t"), "{err}");
    }
}
