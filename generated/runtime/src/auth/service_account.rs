//! Service accounts: OAuth 2.0 client credentials (RFC 6749 section 4.4)
//! with a cached token, renewal before expiry, and revocation (RFC 7009).
//! [`ServiceAccount`] is the configuration; [`TokenSource`] the live
//! [`Scheme`]: it sends the cached (or a new) token and renews it once when
//! the server refuses it as expired.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use tracing::Instrument as _;
use url::form_urlencoded;
use url::Url;

use super::bearer::{bearer_header, says_token_expired};
use super::token_endpoint::{self, rejected, TokenRequests};
use crate::auth_error::AuthError;
use crate::scheme::{authorization, Attempt, AttemptError, Exchange, Scheme};
use crate::secret::Secret;
use crate::token_cache::shared::SharedCache;
use crate::token_cache::{TokenCache, TokenKey};

/// How long before its expiry a service-account token is replaced, by default.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Settings of a service account (OAuth 2.0 client credentials grant):
/// `Auth::from(ServiceAccount::new(id, secret).token_base_url(...))`.
///
/// The client posts `grant_type=client_credentials` with HTTP Basic
/// `client_id:client_secret` to `{token base URL}/api/oauth/token`, caches
/// the `access_token` it gets, renews it shortly before `expires_in` runs
/// out, and renews it once when a request is refused with a 401 that says
/// the token expired. Concurrent requests share one renewal. A `429` from
/// the token endpoint (Atlas issues a client at most 10 tokens a minute) is
/// waited out as its `Retry-After` asks, up to the retry policy's
/// [`crate::RetryPolicy::max_retry_after`]. See
/// [`crate::Transport::revoke_token`] to revoke the token, and
/// [`ServiceAccount::token_cache`] to share it with other clients and
/// processes.
#[derive(Clone)]
pub struct ServiceAccount {
    pub(super) client_id: String,
    pub(super) client_secret: Secret,
    pub(super) token_base_url: Option<String>,
    pub(super) refresh_margin: Duration,
    pub(super) token_cache: Option<Arc<dyn TokenCache>>,
}

impl ServiceAccount {
    /// A service account with its client id and secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            client_secret: Secret::new(client_secret),
            token_base_url: None,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            token_cache: None,
        }
    }

    /// Keeps the token in `cache` (say a [`crate::FileTokenCache`]) under
    /// the token endpoint's URL and the client id, so that other clients
    /// and processes with the same service account use it until it is due
    /// for renewal instead of each requesting their own (the client secret
    /// is never stored). Clients starting together wait for the one that
    /// requests the token, where the cache has a lock. A cached token the
    /// API refuses is removed and replaced once.
    ///
    /// ```
    /// use atlas_admin_runtime::{Auth, FileTokenCache, ServiceAccount, Transport};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # let dir = std::env::temp_dir();
    /// let cache = FileTokenCache::in_user_cache_dir()
    ///     .unwrap_or_else(|| FileTokenCache::new(dir.join("atlas-tokens")));
    /// let account = ServiceAccount::new("mdb_sa_id_...", "mdb_sa_sk_...").token_cache(cache);
    /// let client = Transport::builder().auth(Auth::from(account)).build()?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn token_cache(mut self, cache: impl TokenCache) -> Self {
        self.token_cache = Some(Arc::new(cache));
        self
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

    /// The live state of one client: the token cache, with the endpoints
    /// under the token base URL (by default the client's `base_url`).
    pub(super) fn into_token_source(
        self,
        base_url: &Url,
        tokens: TokenRequests,
    ) -> Result<TokenSource, String> {
        let base = match &self.token_base_url {
            Some(url) => Url::parse(url).map_err(|err| format!("token base URL {url:?}: {err}"))?,
            None => base_url.clone(),
        };
        TokenSource::new(
            self.client_id,
            self.client_secret,
            &base,
            self.refresh_margin,
            self.token_cache,
            tokens,
        )
    }
}

impl fmt::Debug for ServiceAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("token_base_url", &self.token_base_url)
            .field("refresh_margin", &self.refresh_margin)
            .field("token_cache", &self.token_cache)
            .finish()
    }
}

const FORM: &str = "application/x-www-form-urlencoded";
/// Lifetime assumed when the token endpoint does not say (Atlas: one hour).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);

/// A token as cached: the ready `Authorization` value and when to renew it.
#[derive(Clone)]
pub(crate) struct AccessToken {
    token: Secret,
    header: HeaderValue,
    renew_at: Instant,
    expires_at: Instant,
}

impl AccessToken {
    fn same_as(&self, other: &AccessToken) -> bool {
        self.token.expose() == other.token.expose()
    }

    /// A token valid for `lifetime` from `now`, renewed `margin` before it
    /// expires (half its lifetime before, for short-lived tokens); `None`
    /// when it cannot be a header value.
    fn new(token: String, now: Instant, lifetime: Duration, margin: Duration) -> Option<Self> {
        let header = bearer_header(&token).ok()?;
        Some(Self {
            token: Secret::new(token),
            header,
            renew_at: now + lifetime - margin.min(lifetime / 2),
            expires_at: now + lifetime,
        })
    }

    /// What is left of its life.
    fn remaining(&self) -> Duration {
        self.expires_at.saturating_duration_since(Instant::now())
    }
}

/// Live service-account state of one client.
pub(crate) struct TokenSource {
    client_id: String,
    client_secret: Secret,
    token_url: Url,
    revoke_url: Url,
    margin: Duration,
    /// The rate-limit allowance and `User-Agent` of its token requests.
    tokens: TokenRequests,
    /// Held across a token request, so concurrent callers wait for the one
    /// renewal in flight instead of each starting their own.
    cache: tokio::sync::Mutex<Option<AccessToken>>,
    /// The token shared with other clients and processes, if configured.
    shared: Option<SharedCache>,
}

impl fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccount")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("token_url", &self.token_url.as_str())
            .finish_non_exhaustive()
    }
}

#[derive(serde::Deserialize)]
struct TokenResponse {
    access_token: String,
    token_type: Option<String>,
    expires_in: Option<u64>,
}

fn endpoint(base: &Url, path: &str) -> Result<Url, String> {
    if base.cannot_be_a_base() {
        return Err(format!(
            "token base URL {:?} cannot have a path",
            base.as_str()
        ));
    }
    let mut url = base.clone();
    let base_path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&format!("{base_path}{path}"));
    url.set_query(None);
    Ok(url)
}

impl TokenSource {
    pub(crate) fn new(
        client_id: String,
        client_secret: Secret,
        base: &Url,
        margin: Duration,
        token_cache: Option<Arc<dyn TokenCache>>,
        tokens: TokenRequests,
    ) -> Result<Self, String> {
        let token_url = endpoint(base, "/api/oauth/token")?;
        let shared = token_cache
            .map(|cache| SharedCache::new(cache, TokenKey::new(token_url.as_str(), &client_id)));
        Ok(Self {
            client_id,
            client_secret,
            revoke_url: endpoint(base, "/api/oauth/revoke")?,
            token_url,
            margin,
            tokens,
            cache: tokio::sync::Mutex::new(None),
            shared,
        })
    }

    /// A valid token: the cached one, or a new one when it is missing or due
    /// for renewal. One request at a time renews; the others wait and reuse.
    /// With a shared cache, renewal first takes its lock and looks there
    /// for a token another client or process left.
    async fn token(
        &self,
        http: &reqwest::Client,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<AccessToken, AuthError> {
        let mut cache = self.cache.lock().await;
        let now = Instant::now();
        if let Some(token) = cache.as_ref().filter(|t| now < t.renew_at) {
            return Ok(token.clone());
        }
        let _lock = match &self.shared {
            Some(shared) => Some(shared.lock().await),
            None => None,
        };
        if let Some(token) = self.shared.as_ref().and_then(|s| self.shared_token(s)) {
            *cache = Some(token.clone());
            return Ok(token);
        }
        match self.fetch(http, deadline).await {
            Ok(token) => {
                if let Some(shared) = &self.shared {
                    shared.store(token.token.expose(), token.remaining());
                }
                *cache = Some(token.clone());
                Ok(token)
            }
            Err(err) => match cache.as_ref().filter(|t| Instant::now() < t.expires_at) {
                // Renewal failed early: the old token is still good for a while.
                Some(old) => {
                    tracing::warn!(error = %err, "token renewal failed; using the current token until it expires");
                    Ok(old.clone())
                }
                None => {
                    *cache = None;
                    Err(err)
                }
            },
        }
    }

    /// A token of the shared cache that outlives the renewal margin.
    fn shared_token(&self, shared: &SharedCache) -> Option<AccessToken> {
        let (cached, left) = shared.load(self.margin)?;
        AccessToken::new(
            cached.access_token().to_owned(),
            Instant::now(),
            left,
            self.margin,
        )
    }

    /// Forgets `used` after the server refused it, unless a concurrent
    /// request already replaced it; the shared cache drops it too.
    async fn invalidate(&self, used: &AccessToken) {
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|t| t.same_as(used)) {
            *cache = None;
        }
        if let Some(shared) = &self.shared {
            shared.discard(used.token.expose());
        }
    }

    /// Revokes the cached token and forgets it; `false` when none was cached.
    async fn revoke_token(&self, http: &reqwest::Client) -> Result<bool, AuthError> {
        let mut cache = self.cache.lock().await;
        let Some(token) = cache.as_ref() else {
            return Ok(false);
        };
        let body = form_urlencoded::Serializer::new(String::new())
            .append_pair("token", token.token.expose())
            .append_pair("token_type_hint", "access_token")
            .finish();
        let response = self
            .post(http, &self.revoke_url, body)
            .instrument(tracing::info_span!("atlas.oauth.revoke"))
            .await?;
        if !(200..300).contains(&response.0) {
            return Err(rejected(response.0, &response.1));
        }
        *cache = None;
        Ok(true)
    }

    async fn fetch(
        &self,
        http: &reqwest::Client,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<AccessToken, AuthError> {
        let span = tracing::info_span!(
            "atlas.oauth.token",
            status = tracing::field::Empty,
            expires_in = tracing::field::Empty
        );
        let sent = Instant::now();
        let token_endpoint::TokenExchange { status, body } = token_endpoint::send(
            || {
                self.form_request(
                    http,
                    &self.token_url,
                    "grant_type=client_credentials".to_owned(),
                )
            },
            &self.tokens,
            deadline,
        )
        .instrument(span.clone())
        .await?;
        span.record("status", status);
        if !(200..300).contains(&status) {
            return Err(rejected(status, &body));
        }
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|err| {
            // serde's message could quote the token; give the position only.
            AuthError::InvalidTokenResponse(format!(
                "not a JSON token response (line {}, column {})",
                err.line(),
                err.column()
            ))
        })?;
        if let Some(kind) = parsed.token_type.as_deref() {
            if !kind.eq_ignore_ascii_case("bearer") {
                return Err(AuthError::InvalidTokenResponse(format!(
                    "token_type {:?} is not Bearer",
                    kind.chars().take(32).collect::<String>()
                )));
            }
        }
        if parsed.access_token.is_empty() {
            return Err(AuthError::InvalidTokenResponse(
                "the access_token is empty".into(),
            ));
        }
        let lifetime = parsed
            .expires_in
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_LIFETIME);
        span.record("expires_in", lifetime.as_secs());
        AccessToken::new(parsed.access_token, sent, lifetime, self.margin).ok_or_else(|| {
            AuthError::InvalidTokenResponse("the access_token is not a valid header value".into())
        })
    }

    /// A form post with the client's Basic credentials.
    fn form_request(
        &self,
        http: &reqwest::Client,
        url: &Url,
        form: String,
    ) -> reqwest::RequestBuilder {
        // RFC 6749 2.3.1: id and secret are form-encoded before Basic encoding.
        let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        http.post(url.clone())
            .basic_auth(
                encode(&self.client_id),
                Some(encode(self.client_secret.expose())),
            )
            .header(CONTENT_TYPE, FORM)
            .header(ACCEPT, "application/json")
            .body(form)
    }

    /// Posts a form with the client's Basic credentials; returns status and body.
    async fn post(
        &self,
        http: &reqwest::Client,
        url: &Url,
        form: String,
    ) -> Result<(u16, bytes::Bytes), AuthError> {
        let answer =
            token_endpoint::exchange(self.form_request(http, url, form), &self.tokens).await?;
        Ok((answer.status, answer.body))
    }
}

impl Scheme for TokenSource {
    fn credentials(&self) -> crate::wire::Credentials {
        crate::wire::Credentials::Bearer
    }

    /// Sends with the cached (or a new) token; when the server says it
    /// expired, renews once and sends again.
    fn authenticate<'a>(
        &'a self,
        attempt: &'a Attempt<'a>,
    ) -> BoxFuture<'a, Result<Exchange, AttemptError>> {
        Box::pin(async move {
            let token = self
                .token(attempt.http(), attempt.deadline())
                .await
                .map_err(AttemptError::Auth)?;
            let exchange = attempt.send(authorization(token.header.clone())).await?;
            if exchange.status != 401 || !says_token_expired(&exchange.headers, &exchange.body) {
                return Ok(exchange);
            }
            tracing::debug!("the access token was refused as expired; renewing it");
            self.invalidate(&token).await;
            let token = self
                .token(attempt.http(), attempt.deadline())
                .await
                .map_err(AttemptError::Auth)?;
            attempt.send(authorization(token.header)).await
        })
    }

    fn revoke<'a>(&'a self, http: &'a reqwest::Client) -> BoxFuture<'a, Result<bool, AuthError>> {
        Box::pin(self.revoke_token(http))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_keep_the_base_path() {
        let base = Url::parse("http://127.0.0.1:9/prefix/?x=1").expect("url");
        assert_eq!(
            endpoint(&base, "/api/oauth/token").expect("url").as_str(),
            "http://127.0.0.1:9/prefix/api/oauth/token"
        );
    }
}
