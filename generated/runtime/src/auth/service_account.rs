//! Service accounts: OAuth 2.0 client credentials (RFC 6749 section 4.4)
//! with a cached token, renewal before expiry, and revocation (RFC 7009).
//! [`ServiceAccount`] is the configuration; [`TokenSource`] the live
//! [`Scheme`]: it sends the cached (or a new) token and renews it once when
//! the server refuses it as expired.

use std::fmt;
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, WWW_AUTHENTICATE};
use tracing::Instrument as _;
use url::form_urlencoded;
use url::Url;

use super::bearer::bearer_header;
use super::{authorization, AuthError, Scheme, Secret};
use crate::client::{Attempt, AttemptError, Exchange};

/// How long before its expiry a service-account token is replaced, by default.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// Settings of a service account (OAuth 2.0 client credentials grant):
/// `Auth::from(ServiceAccount::new(id, secret).token_base_url(...))`.
///
/// The client posts `grant_type=client_credentials` with HTTP Basic
/// `client_id:client_secret` to `{token base URL}/api/oauth/token`, caches
/// the `access_token` it gets, renews it shortly before `expires_in` runs
/// out, and renews it once when a request is refused with a 401 that says
/// the token expired. Concurrent requests share one renewal. See
/// [`crate::Transport::revoke_token`] to revoke the token.
#[derive(Clone)]
pub struct ServiceAccount {
    pub(super) client_id: String,
    pub(super) client_secret: Secret,
    pub(super) token_base_url: Option<String>,
    pub(super) refresh_margin: Duration,
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

    /// The live state of one client: the token cache, with the endpoints
    /// under the token base URL (by default the client's `base_url`).
    pub(super) fn into_token_source(self, base_url: &Url) -> Result<TokenSource, String> {
        let base = match &self.token_base_url {
            Some(url) => Url::parse(url).map_err(|err| format!("token base URL {url:?}: {err}"))?,
            None => base_url.clone(),
        };
        TokenSource::new(
            self.client_id,
            self.client_secret,
            &base,
            self.refresh_margin,
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
            .finish()
    }
}

const FORM: &str = "application/x-www-form-urlencoded";
/// Lifetime assumed when the token endpoint does not say (Atlas: one hour).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// How much of an error answer from the token endpoint is kept.
const DETAIL_CHARS: usize = 300;

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
}

/// Live service-account state of one client.
pub(crate) struct TokenSource {
    client_id: String,
    client_secret: Secret,
    token_url: Url,
    revoke_url: Url,
    margin: Duration,
    /// Held across a token request, so concurrent callers wait for the one
    /// renewal in flight instead of each starting their own.
    cache: tokio::sync::Mutex<Option<AccessToken>>,
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

#[derive(serde::Deserialize)]
struct OAuthError {
    error: String,
    error_description: Option<String>,
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
    ) -> Result<Self, String> {
        Ok(Self {
            client_id,
            client_secret,
            token_url: endpoint(base, "/api/oauth/token")?,
            revoke_url: endpoint(base, "/api/oauth/revoke")?,
            margin,
            cache: tokio::sync::Mutex::new(None),
        })
    }

    /// A valid token: the cached one, or a new one when it is missing or due
    /// for renewal. One request at a time renews; the others wait and reuse.
    async fn token(&self, http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        let mut cache = self.cache.lock().await;
        let now = Instant::now();
        if let Some(token) = cache.as_ref().filter(|t| now < t.renew_at) {
            return Ok(token.clone());
        }
        match self.fetch(http).await {
            Ok(token) => {
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

    /// Forgets `used` after the server refused it, unless a concurrent
    /// request already replaced it.
    async fn invalidate(&self, used: &AccessToken) {
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|t| t.same_as(used)) {
            *cache = None;
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

    async fn fetch(&self, http: &reqwest::Client) -> Result<AccessToken, AuthError> {
        let span = tracing::info_span!(
            "atlas.oauth.token",
            status = tracing::field::Empty,
            expires_in = tracing::field::Empty
        );
        let sent = Instant::now();
        let (status, body) = self
            .post(
                http,
                &self.token_url,
                "grant_type=client_credentials".to_owned(),
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
        let header = bearer_header(&parsed.access_token).map_err(|_| {
            AuthError::InvalidTokenResponse("the access_token is not a valid header value".into())
        })?;
        let lifetime = parsed
            .expires_in
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_LIFETIME);
        span.record("expires_in", lifetime.as_secs());
        let margin = self.margin.min(lifetime / 2);
        Ok(AccessToken {
            token: Secret::new(parsed.access_token),
            header,
            renew_at: sent + lifetime - margin,
            expires_at: sent + lifetime,
        })
    }

    /// Posts a form with the client's Basic credentials; returns status and body.
    async fn post(
        &self,
        http: &reqwest::Client,
        url: &Url,
        form: String,
    ) -> Result<(u16, bytes::Bytes), AuthError> {
        // RFC 6749 2.3.1: id and secret are form-encoded before Basic encoding.
        let encode = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let response = http
            .post(url.clone())
            .basic_auth(
                encode(&self.client_id),
                Some(encode(self.client_secret.expose())),
            )
            .header(CONTENT_TYPE, FORM)
            .header(ACCEPT, "application/json")
            .body(form)
            .send()
            .await
            .map_err(|err| AuthError::TokenRequest(err.without_url()))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|err| AuthError::TokenRequest(err.without_url()))?;
        Ok((status, body))
    }
}

impl Scheme for TokenSource {
    /// Sends with the cached (or a new) token; when the server says it
    /// expired, renews once and sends again.
    fn authenticate<'a>(
        &'a self,
        attempt: &'a Attempt<'a>,
    ) -> BoxFuture<'a, Result<Exchange, AttemptError>> {
        Box::pin(async move {
            let token = self
                .token(attempt.http())
                .await
                .map_err(AttemptError::Auth)?;
            let exchange = attempt.send(authorization(token.header.clone())).await?;
            if exchange.status != 401 || !says_token_expired(&exchange.headers, &exchange.body) {
                return Ok(exchange);
            }
            tracing::debug!("the access token was refused as expired; renewing it");
            self.invalidate(&token).await;
            let token = self
                .token(attempt.http())
                .await
                .map_err(AttemptError::Auth)?;
            Ok(attempt.send(authorization(token.header)).await?)
        })
    }

    fn revoke<'a>(&'a self, http: &'a reqwest::Client) -> BoxFuture<'a, Result<bool, AuthError>> {
        Box::pin(self.revoke_token(http))
    }
}

fn rejected(status: u16, body: &[u8]) -> AuthError {
    let detail = match serde_json::from_slice::<OAuthError>(body) {
        Ok(e) => match e.error_description {
            Some(d) => format!("{}: {d}", e.error),
            None => e.error,
        },
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    AuthError::TokenRejected {
        status,
        detail: detail.chars().take(DETAIL_CHARS).collect(),
    }
}

/// Whether a 401 says the bearer token expired or was revoked: an RFC 6750
/// `Bearer error="invalid_token"` challenge, or a body that says "expired"
/// (Atlas answers with a JSON `ApiError`).
fn says_token_expired(headers: &HeaderMap, body: &[u8]) -> bool {
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

    #[test]
    fn token_endpoint_errors_are_summarised() {
        let err = rejected(
            401,
            br#"{"error":"invalid_client","error_description":"bad"}"#,
        );
        assert_eq!(
            err.to_string(),
            "the token endpoint answered HTTP 401: invalid_client: bad"
        );
        let err = rejected(502, "x".repeat(1000).as_bytes());
        assert!(
            matches!(err, AuthError::TokenRejected { detail, .. } if detail.len() == DETAIL_CHARS)
        );
    }
}
