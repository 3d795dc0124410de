//! The contract between the transport (`client/`) and the authentication
//! schemes (`auth/`), below both: the [`Scheme`] trait a scheme implements,
//! the [`Attempt`] it is handed (what is sent, and a send-once handle the
//! transport implements, [`SendOnce`]), and what one send gives back
//! ([`Exchange`], or why there is none, [`AttemptError`]). A scheme imports
//! this and the vocabulary below it, never the transport; the transport
//! imports this, never a scheme (it holds an `Arc<dyn Scheme>` that
//! `auth/` built). Like smithy-rs's `AuthScheme`/`Sign` in its runtime API
//! crate, or reqwest-middleware's `Next`.

use std::fmt;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION};
use tokio::time::Instant;

use crate::auth_error::AuthError;
use crate::communication::CommunicationError;

/// One response: its body read to the end, or (a 2xx of a streamed call)
/// still to be read.
pub(crate) struct Exchange {
    pub(crate) status: reqwest::StatusCode,
    pub(crate) headers: HeaderMap,
    /// The body; empty while [`Self::unread`] holds it.
    pub(crate) body: Bytes,
    pub(crate) unread: Option<reqwest::Response>,
}

/// Why one attempt produced no response to hand back.
pub(crate) enum AttemptError {
    Transport(CommunicationError),
    Auth(AuthError),
    /// The body is longer than the limit for bodies read into memory.
    TooLarge {
        status: reqwest::StatusCode,
        headers: HeaderMap,
        limit: u64,
    },
}

impl From<reqwest::Error> for AttemptError {
    fn from(err: reqwest::Error) -> Self {
        AttemptError::Transport(CommunicationError::http(err))
    }
}

/// One attempt of a request, as an authentication scheme sees it: what is
/// sent (for digest's answer), a way to send it once with the scheme's
/// headers, and the transport's HTTP client for the scheme's own requests.
pub(crate) struct Attempt<'a> {
    method: &'a str,
    target: &'a str,
    body: &'a [u8],
    http: &'a reqwest::Client,
    deadline: Option<Instant>,
    sender: &'a dyn SendOnce,
}

/// What sends one attempt once (the transport, `client/`), as a handle an
/// [`Attempt`] holds: the transport implements it, schemes call it through
/// [`Attempt::send`], and neither imports the other.
pub(crate) trait SendOnce: Send + Sync {
    /// Sends the attempt once with `headers` added; see [`Attempt::send`].
    fn send_once(&self, headers: HeaderMap) -> BoxFuture<'_, Result<Exchange, AttemptError>>;
}

impl<'a> Attempt<'a> {
    /// An attempt of `method` to `target` (path and query) with `body`,
    /// sent by `sender`.
    pub(crate) fn new(
        method: &'a str,
        target: &'a str,
        body: &'a [u8],
        http: &'a reqwest::Client,
        deadline: Option<Instant>,
        sender: &'a dyn SendOnce,
    ) -> Self {
        Self {
            method,
            target,
            body,
            http,
            deadline,
            sender,
        }
    }

    /// The request's method (`GET`, ...).
    pub(crate) fn method(&self) -> &str {
        self.method
    }

    /// The request-target as sent (path and query), for digest's `uri`.
    pub(crate) fn target(&self) -> &str {
        self.target
    }

    /// The request body as sent (empty without one).
    pub(crate) fn body(&self) -> &[u8] {
        self.body
    }

    /// The transport's HTTP client (connection pool, `User-Agent`), for
    /// requests of the scheme's own (a token endpoint).
    pub(crate) fn http(&self) -> &reqwest::Client {
        self.http
    }

    /// When the call's operation deadline ends (none without one): a
    /// scheme's waits (the token endpoint's rate limit) give up rather
    /// than sleep past it.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Sends the request once with `headers` added (the scheme's
    /// credentials). The body is read to its end, unless it is the 2xx body
    /// of a streamed call.
    pub(crate) async fn send(&self, headers: HeaderMap) -> Result<Exchange, AttemptError> {
        self.sender.send_once(headers).await
    }
}

/// The live form of [`crate::Auth`] inside a client (one per client, behind an
/// `Arc` the client's clones share): one implementation per scheme.
///
/// The transport hands the scheme each attempt of a request already built
/// (method, URL, headers, body; see [`Attempt`]). The scheme adds its
/// headers, sends it with [`Attempt::send`] (as many times as its round
/// trips need: a digest challenge, a token refused as expired), and returns
/// the response the caller sees. Requests of its own (a token endpoint) go
/// through [`Attempt::http`], the transport's HTTP client, so they share its
/// connection pool, timeouts and `User-Agent`. Retries, timeouts and the
/// `atlas.request` span stay with the transport.
pub(crate) trait Scheme: fmt::Debug + Send + Sync {
    /// One attempt of a request with this scheme's credentials, including
    /// the extra round trips the scheme needs.
    fn authenticate<'a>(
        &'a self,
        attempt: &'a Attempt<'a>,
    ) -> BoxFuture<'a, Result<Exchange, AttemptError>>;

    /// Which credentials the scheme adds, for a dry run's description
    /// (never their values).
    fn credentials(&self) -> crate::wire::Credentials;

    /// Revokes the credentials the scheme obtained and forgets them; `false`
    /// when there is nothing to revoke (the default: static credentials).
    fn revoke<'a>(&'a self, _http: &'a reqwest::Client) -> BoxFuture<'a, Result<bool, AuthError>> {
        Box::pin(async { Ok(false) })
    }
}

/// The headers of an attempt that carries `Authorization: value`.
pub(crate) fn authorization(value: HeaderValue) -> HeaderMap {
    HeaderMap::from_iter([(AUTHORIZATION, value)])
}
