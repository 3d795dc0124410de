//! A user's login made by `atlas auth login` (the Atlas CLI's OAuth device
//! flow): its access token is sent until it expires, then renewed with its
//! refresh token exactly as the Atlas CLI renews it, and the new pair is
//! saved in its [`LoginStore`] (the profile it came from).
//!
//! The Atlas CLI posts `grant_type=refresh_token`, its public `client_id`,
//! the `refresh_token` and the scopes `openid profile offline_access` as a
//! form, without client authentication, to
//! `{auth URL}/api/private/unauth/account/device/token`; the answer holds a
//! new access token and a new refresh token (the old one stops working). A
//! refresh token that expired or was revoked is refused with the Atlas
//! error code `INVALID_REFRESH_TOKEN`: only `atlas auth login` helps then.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use tokio::time::Instant;
use url::form_urlencoded;
use url::Url;

use futures_util::future::BoxFuture;

use super::bearer::{bearer_header, says_token_expired};
use super::token_endpoint::{self, TokenRequests};
use crate::auth_error::AuthError;
use crate::scheme::{authorization, Attempt, AttemptError, Exchange, Scheme};
use crate::secret::Secret;

/// The Atlas CLI's public OAuth client on Atlas (`atlas auth login`).
pub const ATLAS_CLI_CLIENT_ID: &str = "0oabtxactgS3gHIR0297";
/// The Atlas CLI's public OAuth client on Atlas for Government.
pub const ATLAS_CLI_GOV_CLIENT_ID: &str = "0oabtyfelbTBdoucy297";
/// Where the Atlas CLI's device flow issues and renews tokens, under its
/// auth URL.
const DEVICE_TOKEN_PATH: &str = "/api/private/unauth/account/device/token";
/// The scopes the Atlas CLI asks for.
const SCOPES: &str = "openid profile offline_access";
/// A token this close to its expiry is renewed first (as the Atlas CLI's
/// `Token.Valid` judges it).
const EXPIRY_DELTA: Duration = Duration::from_secs(10);

/// Where a login's tokens are kept (the Atlas CLI's profile: its config
/// file or the OS keyring), so that a renewal outlives the process and
/// processes that renew at the same time agree.
///
/// Refresh tokens work once: when two processes renew with the same one,
/// the second is refused. The client then loads the tokens again and, when
/// another process stored a newer pair, uses that instead of failing.
pub trait LoginStore: fmt::Debug + Send + Sync + 'static {
    /// The tokens as stored now: `(access_token, refresh_token)`, `None`
    /// when there are none.
    fn load(&self) -> Result<Option<(String, String)>, String>;

    /// Keeps the tokens of a renewal (the refresh token just used no
    /// longer works).
    fn save(&self, renewed: &RenewedLogin) -> Result<(), String>;
}

/// A login of `atlas auth login`: `Auth::from(UserAccount::new(access,
/// refresh))`.
///
/// The access token is sent as a bearer token. When it has expired (its
/// JWT `exp` says so) or the API refuses it as expired, the client renews
/// it once with the refresh token, saves the new pair in the
/// [`UserAccount::store`], and sends the request again. A refused refresh
/// token is [`AuthError::LoginExpired`], which says to run `atlas auth
/// login`.
#[derive(Clone)]
pub struct UserAccount {
    access_token: Secret,
    refresh_token: Option<Secret>,
    client_id: String,
    auth_base_url: Option<String>,
    store: Option<Arc<dyn LoginStore>>,
}

impl UserAccount {
    /// A login with its tokens (an empty refresh token is none: the access
    /// token is then used until it is refused).
    pub fn new(access_token: impl Into<String>, refresh_token: impl Into<String>) -> Self {
        let refresh: String = refresh_token.into();
        Self {
            access_token: Secret::new(access_token),
            refresh_token: (!refresh.is_empty()).then(|| Secret::new(refresh)),
            client_id: ATLAS_CLI_CLIENT_ID.to_owned(),
            auth_base_url: None,
            store: None,
        }
    }

    /// The OAuth client the tokens were issued to (default
    /// [`ATLAS_CLI_CLIENT_ID`]; [`ATLAS_CLI_GOV_CLIENT_ID`] on Atlas for
    /// Government).
    pub fn client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    /// Where the device flow's endpoints live (the Atlas CLI's auth URL);
    /// by default the client's base URL.
    pub fn auth_base_url(mut self, url: impl Into<String>) -> Self {
        self.auth_base_url = Some(url.into());
        self
    }

    /// Where renewed tokens are saved, and read again when a renewal is
    /// refused (another process may have renewed first). Without a store a
    /// renewal lasts as long as the client.
    pub fn store(mut self, store: impl LoginStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// The live state of one client.
    pub(crate) fn into_source(
        self,
        base_url: &Url,
        tokens: TokenRequests,
    ) -> Result<LoginSource, String> {
        let base = match &self.auth_base_url {
            Some(url) => Url::parse(url).map_err(|err| format!("auth base URL {url:?}: {err}"))?,
            None => base_url.clone(),
        };
        if base.cannot_be_a_base() {
            return Err(format!(
                "auth base URL {:?} cannot have a path",
                base.as_str()
            ));
        }
        let mut token_url = base;
        let path = format!(
            "{}{DEVICE_TOKEN_PATH}",
            token_url.path().trim_end_matches('/')
        );
        token_url.set_path(&path);
        token_url.set_query(None);
        let header = bearer_header(self.access_token.expose())?;
        Ok(LoginSource {
            client_id: self.client_id,
            token_url,
            store: self.store,
            tokens,
            state: tokio::sync::Mutex::new(LoginState {
                expires_at: jwt_expiry(self.access_token.expose()),
                header,
                refresh: self.refresh_token,
            }),
        })
    }
}

impl fmt::Debug for UserAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserAccount")
            .field("client_id", &self.client_id)
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("auth_base_url", &self.auth_base_url)
            .finish_non_exhaustive()
    }
}

/// The tokens a renewal issued. `Debug` shows neither.
#[derive(Clone)]
pub struct RenewedLogin {
    access_token: Secret,
    refresh_token: Secret,
    expires_at: Option<SystemTime>,
}

impl RenewedLogin {
    /// The tokens of a renewal (for tests of a [`LoginStore`]).
    pub fn new(
        access_token: impl Into<String>,
        refresh_token: impl Into<String>,
        expires_at: Option<SystemTime>,
    ) -> Self {
        Self {
            access_token: Secret::new(access_token),
            refresh_token: Secret::new(refresh_token),
            expires_at,
        }
    }

    /// The new access token.
    pub fn access_token(&self) -> &str {
        self.access_token.expose()
    }

    /// The new refresh token (the one used for the renewal no longer works).
    pub fn refresh_token(&self) -> &str {
        self.refresh_token.expose()
    }

    /// When the new access token expires, when known.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }
}

impl fmt::Debug for RenewedLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RenewedLogin")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

struct LoginState {
    header: HeaderValue,
    expires_at: Option<SystemTime>,
    refresh: Option<Secret>,
}

impl LoginState {
    fn due(&self) -> bool {
        self.expires_at
            .is_some_and(|at| SystemTime::now() + EXPIRY_DELTA >= at)
    }
}

/// The live login of one client: one renewal at a time, which concurrent
/// requests wait for and share.
pub(crate) struct LoginSource {
    client_id: String,
    token_url: Url,
    store: Option<Arc<dyn LoginStore>>,
    /// The rate-limit allowance and `User-Agent` of its renewals.
    tokens: TokenRequests,
    state: tokio::sync::Mutex<LoginState>,
}

impl fmt::Debug for LoginSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserAccount")
            .field("client_id", &self.client_id)
            .field("token_url", &self.token_url.as_str())
            .finish_non_exhaustive()
    }
}

impl LoginSource {
    /// The `Authorization` value to send, renewed first when the access
    /// token has expired and a refresh token can renew it.
    pub(crate) async fn header(
        &self,
        http: &reqwest::Client,
        deadline: Option<Instant>,
    ) -> Result<HeaderValue, AuthError> {
        let mut state = self.state.lock().await;
        if state.due() && state.refresh.is_some() {
            tracing::debug!("the login's access token expired; renewing it");
            self.renew(&mut state, http, deadline).await?;
        }
        Ok(state.header.clone())
    }

    /// After the API refused `refused` as expired: the renewed header, or
    /// the one another request renewed meanwhile; `None` when there is no
    /// refresh token to renew with.
    pub(crate) async fn renew_refused(
        &self,
        http: &reqwest::Client,
        deadline: Option<Instant>,
        refused: &HeaderValue,
    ) -> Result<Option<HeaderValue>, AuthError> {
        let mut state = self.state.lock().await;
        if state.header != *refused {
            return Ok(Some(state.header.clone()));
        }
        if state.refresh.is_none() {
            return Ok(None);
        }
        tracing::debug!("the login's access token was refused; renewing it");
        self.renew(&mut state, http, deadline).await?;
        Ok(Some(state.header.clone()))
    }

    /// Renews the login; when its refresh token is refused and the store
    /// holds another pair (a process renewed first), adopts that pair, and
    /// renews with it if its access token is due too.
    async fn renew(
        &self,
        state: &mut LoginState,
        http: &reqwest::Client,
        deadline: Option<Instant>,
    ) -> Result<(), AuthError> {
        let Some(refresh) = state.refresh.clone() else {
            return Ok(());
        };
        let err = match self.exchange(&refresh, http, deadline).await {
            Ok(renewed) => return self.adopt(state, renewed),
            Err(err @ AuthError::LoginExpired { .. }) => err,
            Err(err) => return Err(err),
        };
        let stored = match self.store.as_ref().map(|s| s.load()) {
            Some(Ok(Some((access, newer)))) if newer != refresh.expose() && !newer.is_empty() => {
                (access, Secret::new(newer))
            }
            Some(Err(why)) => {
                tracing::warn!(why, "cannot read the login's tokens again");
                return Err(err);
            }
            _ => return Err(err),
        };
        tracing::debug!("another process renewed the login; using its tokens");
        let header = bearer_header(&stored.0).map_err(|_| err)?;
        *state = LoginState {
            header,
            expires_at: jwt_expiry(&stored.0),
            refresh: Some(stored.1.clone()),
        };
        if state.due() {
            let renewed = self.exchange(&stored.1, http, deadline).await?;
            return self.adopt(state, renewed);
        }
        Ok(())
    }

    /// Makes `renewed` the login in use, and saves it in the store.
    fn adopt(&self, state: &mut LoginState, renewed: RenewedLogin) -> Result<(), AuthError> {
        let header = bearer_header(renewed.access_token()).map_err(|_| {
            AuthError::InvalidTokenResponse("the access_token is not a valid header value".into())
        })?;
        *state = LoginState {
            header,
            expires_at: renewed.expires_at,
            refresh: Some(renewed.refresh_token.clone()),
        };
        tracing::info!("renewed the login's access token");
        if let Some(store) = &self.store {
            if let Err(why) = store.save(&renewed) {
                tracing::warn!(
                    why,
                    "the renewed tokens could not be saved; the next run will need `atlas auth login`"
                );
            }
        }
        Ok(())
    }

    /// One refresh-token grant.
    async fn exchange(
        &self,
        refresh: &Secret,
        http: &reqwest::Client,
        deadline: Option<Instant>,
    ) -> Result<RenewedLogin, AuthError> {
        let form = form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.client_id)
            .append_pair("refresh_token", refresh.expose())
            .append_pair("scope", SCOPES)
            .append_pair("grant_type", "refresh_token")
            .finish();
        let span = tracing::info_span!("atlas.oauth.refresh", status = tracing::field::Empty);
        let exchange = tracing::Instrument::instrument(
            token_endpoint::send(
                || {
                    http.post(self.token_url.clone())
                        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .header(ACCEPT, "application/json")
                        .body(form.clone())
                },
                &self.tokens,
                deadline,
            ),
            span.clone(),
        )
        .await?;
        span.record("status", exchange.status);
        if !(200..300).contains(&exchange.status) {
            let summary = token_endpoint::summarise(&exchange.body);
            let dead = matches!(
                summary.code.as_deref(),
                Some("INVALID_REFRESH_TOKEN" | "invalid_grant")
            );
            return Err(if dead {
                AuthError::LoginExpired {
                    detail: summary.detail,
                }
            } else {
                token_endpoint::rejected(exchange.status, &exchange.body)
            });
        }
        #[derive(serde::Deserialize)]
        struct Answer {
            access_token: String,
            refresh_token: Option<String>,
            expires_in: Option<u64>,
        }
        let answer: Answer = serde_json::from_slice(&exchange.body).map_err(|err| {
            AuthError::InvalidTokenResponse(format!(
                "not a JSON token response (line {}, column {})",
                err.line(),
                err.column()
            ))
        })?;
        if answer.access_token.is_empty() {
            return Err(AuthError::InvalidTokenResponse(
                "the access_token is empty".into(),
            ));
        }
        let expires_at = jwt_expiry(&answer.access_token).or_else(|| {
            answer
                .expires_in
                .map(|s| SystemTime::now() + Duration::from_secs(s))
        });
        Ok(RenewedLogin {
            access_token: Secret::new(answer.access_token),
            // Without a new refresh token the old one goes on working.
            refresh_token: answer
                .refresh_token
                .filter(|r| !r.is_empty())
                .map_or_else(|| refresh.clone(), Secret::new),
            expires_at,
        })
    }
}

impl Scheme for LoginSource {
    fn credentials(&self) -> crate::wire::Credentials {
        crate::wire::Credentials::Bearer
    }

    /// Sends with the access token (renewed first when it expired); when
    /// the server says it expired, renews once and sends again.
    fn authenticate<'a>(
        &'a self,
        attempt: &'a Attempt<'a>,
    ) -> BoxFuture<'a, Result<Exchange, AttemptError>> {
        Box::pin(async move {
            let http = attempt.http();
            let deadline = attempt.deadline();
            let header = self
                .header(http, deadline)
                .await
                .map_err(AttemptError::Auth)?;
            let exchange = attempt.send(authorization(header.clone())).await?;
            if exchange.status != 401 || !says_token_expired(&exchange.headers, &exchange.body) {
                return Ok(exchange);
            }
            match self
                .renew_refused(http, deadline, &header)
                .await
                .map_err(AttemptError::Auth)?
            {
                Some(renewed) => Ok(attempt.send(authorization(renewed)).await?),
                None => Ok(exchange),
            }
        })
    }
}

/// The `exp` claim of a JWT, read without checking the signature (the
/// client only decides when to renew; the server decides what is valid).
/// `None` for a token that is not a JWT or has no `exp`.
pub(crate) fn jwt_expiry(token: &str) -> Option<SystemTime> {
    #[derive(serde::Deserialize)]
    struct Claims {
        exp: Option<u64>,
    }
    let payload = token.split('.').nth(1)?;
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let bytes = engine.decode(payload).ok()?;
    let claims: Claims = serde_json::from_slice(&bytes).ok()?;
    claims.exp.map(|s| UNIX_EPOCH + Duration::from_secs(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.sig", b64(r#"{"alg":"RS256"}"#), b64(claims))
    }

    #[test]
    fn the_expiry_comes_from_the_jwt() {
        assert_eq!(
            jwt_expiry(&jwt(r#"{"sub":"ada","exp":1764766800}"#)),
            Some(UNIX_EPOCH + Duration::from_secs(1_764_766_800))
        );
        assert_eq!(jwt_expiry(&jwt(r#"{"sub":"ada"}"#)), None);
        assert_eq!(jwt_expiry("opaque-token"), None);
        assert_eq!(jwt_expiry("a.!!!.c"), None);
        // Padded base64 is read too.
        let padded = format!(
            "h.{}.s",
            base64::engine::general_purpose::URL_SAFE.encode(r#"{"exp":1}"#)
        );
        assert_eq!(
            jwt_expiry(&padded),
            Some(UNIX_EPOCH + Duration::from_secs(1))
        );
    }

    #[test]
    fn the_token_url_keeps_the_auth_base_path_and_debug_hides_tokens() {
        let base = Url::parse("http://127.0.0.1:9/").expect("url");
        let login = UserAccount::new("s3cr3t-access", "s3cr3t-refresh");
        assert!(!format!("{login:?}").contains("s3cr3t"));
        let source = login
            .clone()
            .auth_base_url("http://127.0.0.1:8/prefix/")
            .into_source(&base, TokenRequests::for_tests())
            .expect("source");
        assert_eq!(
            source.token_url.as_str(),
            "http://127.0.0.1:8/prefix/api/private/unauth/account/device/token"
        );
        assert!(!format!("{source:?}").contains("s3cr3t"));
        let source = login
            .into_source(&base, TokenRequests::for_tests())
            .expect("source");
        assert_eq!(
            source.token_url.as_str(),
            "http://127.0.0.1:9/api/private/unauth/account/device/token"
        );
        assert!(UserAccount::new("bad\ntoken", "r")
            .into_source(&base, TokenRequests::for_tests())
            .is_err());
    }
}
