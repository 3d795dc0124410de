//! The client every generated operation is a method of, and its transport:
//! building requests, timeouts, retries and tracing. Each attempt goes
//! through the configured authentication scheme (`auth/`, the `Scheme`
//! trait), which adds its headers and performs its own round trips with
//! [`Attempt::send`].

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use tracing::Instrument as _;
use url::Url;

use super::auth::{Auth, AuthError, Scheme};
use super::error::{ConfigError, Error};
use super::request::ApiRequest;
use super::response::{Decoder, Endpoint, RawResponse, Response};
use super::retry::RetryPolicy;
use super::serde_helpers::{with_options, DecodeOptions};
use super::wire::{self, Credentials, WireRequest};

/// Where Atlas serves the Administration API.
pub const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";

/// The environment variable [`Transport::from_env`] reads another base URL
/// from (a proxy, Atlas for Government, a test server).
pub const ENV_BASE_URL: &str = "ATLAS_BASE_URL";

/// Default longest wait for a TCP (and TLS) connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default longest wait for one HTTP exchange, response body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The transport under an Atlas Administration API client. Cheap to clone; clones share the
/// connection pool and the authentication state (digest nonce, cached
/// service-account token). Operations are generated as methods (see
/// the generated crate's `operations`).
#[derive(Debug, Clone)]
pub struct Transport {
    base_url: Url,
    http: reqwest::Client,
    auth: Arc<dyn Scheme>,
    retry: RetryPolicy,
    decode: DecodeOptions,
    dry_run: bool,
}

/// Configures a [`Transport`], and builds it as `C`: the generated crate's
/// `Client` (which wraps a `Transport`) or a bare `Transport`.
pub struct TransportBuilder<C = Transport> {
    client: PhantomData<fn() -> C>,
    base_url: String,
    auth: Auth,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    retry: RetryPolicy,
    strict_responses: bool,
    dry_run: bool,
}

impl<C> std::fmt::Debug for TransportBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("strict_responses", &self.strict_responses)
            .field("dry_run", &self.dry_run)
            .finish()
    }
}

impl<C> Default for TransportBuilder<C> {
    fn default() -> Self {
        Self {
            client: PhantomData,
            base_url: DEFAULT_BASE_URL.to_owned(),
            auth: Auth::none(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryPolicy::default(),
            strict_responses: false,
            dry_run: false,
        }
    }
}

impl<C: From<Transport>> TransportBuilder<C> {
    /// A builder with the defaults.
    pub fn new() -> Self {
        Self::default()
    }

    /// Credentials and base URL from the environment: a service account
    /// from `MONGODB_ATLAS_CLIENT_ID` and `MONGODB_ATLAS_CLIENT_SECRET`,
    /// else an API key pair (digest) from `MONGODB_ATLAS_PUBLIC_API_KEY` and
    /// `MONGODB_ATLAS_PRIVATE_API_KEY` or `MONGODB_ATLAS_PUBLIC_KEY` and
    /// `MONGODB_ATLAS_PRIVATE_KEY` (see [`Auth::from_env`]), and the base URL
    /// from `ATLAS_BASE_URL` when set.
    /// Without credentials it is an error naming the variables.
    pub fn with_env(mut self) -> Result<Self, ConfigError> {
        let auth = Auth::from_env().ok_or_else(|| {
            ConfigError::new(format!(
                "no credentials in the environment: set {} and {} (a service account), or {} and {} (an API key; also read as {} and {})",
                super::auth::ENV_CLIENT_ID,
                super::auth::ENV_CLIENT_SECRET,
                super::auth::ENV_PUBLIC_API_KEY,
                super::auth::ENV_PRIVATE_API_KEY,
                super::auth::ENV_PUBLIC_KEY,
                super::auth::ENV_PRIVATE_KEY
            ))
        })?;
        self = self.auth(auth);
        if let Some(url) = std::env::var(ENV_BASE_URL).ok().filter(|u| !u.is_empty()) {
            self = self.base_url(url);
        }
        Ok(self)
    }

    /// Another endpoint than [`DEFAULT_BASE_URL`] (a proxy, a test server).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The credentials to send (default [`Auth::none`]).
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Longest wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Longest wait for one HTTP exchange, response body included (default
    /// 60 s). Each retry, authentication round trip and token request gets
    /// the same allowance.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Replaces the default `User-Agent` (crate name and version).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How failed attempts are retried (default [`RetryPolicy::default`];
    /// [`RetryPolicy::none`] sends every request once).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Whether a response that breaks the spec is an error (default
    /// `false`). By default the client is lenient in what it accepts: a
    /// required field the server left out (or sent as `null`) decodes as
    /// its empty value, a union value its variant cannot decode is kept as
    /// JSON in the fallback variant, and each such tolerance is reported
    /// through `tracing` (target `atlas_admin_api::decode`). Strict mode
    /// makes them [`Error::InvalidResponse`], for tests that check a server
    /// against the spec.
    pub fn strict_responses(mut self, strict: bool) -> Self {
        self.strict_responses = strict;
        self
    }

    /// Whether requests are described instead of sent (default `false`):
    /// each operation checks its inputs and builds its request as usual,
    /// then returns [`Error::NotSent`] with the request as it would have
    /// been sent (credentials left out, see [`crate::wire::WireRequest`]).
    /// Nothing reaches the server, and no token is requested.
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Builds the client. The error converts into the operations' error
    /// type, so `Client::builder().build()?` works in any function that
    /// returns it (or `Box<dyn Error>`).
    pub fn build(self) -> Result<C, ConfigError> {
        let base_url = Url::parse(&self.base_url)
            .map_err(|err| ConfigError::new(format!("base URL {:?}: {err}", self.base_url)))?;
        if base_url.cannot_be_a_base() {
            return Err(ConfigError::new(format!(
                "base URL {:?} cannot have a path",
                self.base_url
            )));
        }
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|err| ConfigError::new(format!("user agent: {err}")))?;
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .default_headers([(USER_AGENT, user_agent)].into_iter().collect())
            .build()
            .map_err(|err| ConfigError::new(format!("HTTP client: {err}")))?;
        let auth = self
            .auth
            .into_scheme(&base_url, &self.retry)
            .map_err(|why| ConfigError::new(format!("credentials: {why}")))?;
        Ok(C::from(Transport {
            base_url,
            http,
            auth,
            retry: self.retry,
            decode: if self.strict_responses {
                DecodeOptions::STRICT
            } else {
                DecodeOptions::LENIENT
            },
            dry_run: self.dry_run,
        }))
    }
}

/// A request ready to be sent any number of times (the body is shared bytes,
/// so authentication round trips and retries replay it).
struct Prepared<'a> {
    request: &'a ApiRequest,
    url: Url,
}

/// One response, read to the end.
pub(crate) struct Exchange {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// Why one attempt produced no response to hand back.
pub(crate) enum AttemptError {
    Transport(reqwest::Error),
    Auth(AuthError),
}

impl From<reqwest::Error> for AttemptError {
    fn from(err: reqwest::Error) -> Self {
        AttemptError::Transport(err)
    }
}

/// One attempt of a request, as an authentication scheme sees it: what is
/// sent (for digest's answer), a way to send it once with the scheme's
/// headers, and the transport's HTTP client for the scheme's own requests.
pub(crate) struct Attempt<'a> {
    transport: &'a Transport,
    prepared: &'a Prepared<'a>,
}

impl Attempt<'_> {
    /// The request's method (`GET`, ...).
    pub(crate) fn method(&self) -> &str {
        self.prepared.request.method.as_str()
    }

    /// The request-target as sent (path and query), for digest's `uri`.
    pub(crate) fn target(&self) -> &str {
        &self.prepared.url[url::Position::BeforePath..url::Position::AfterQuery]
    }

    /// The request body as sent (empty without one).
    pub(crate) fn body(&self) -> &[u8] {
        self.prepared
            .request
            .body
            .as_ref()
            .map_or(&[][..], |(_, b)| b)
    }

    /// The transport's HTTP client (connection pool, timeouts,
    /// `User-Agent`), for requests of the scheme's own (a token endpoint).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.transport.http
    }

    /// Sends the request once with `headers` added (the scheme's
    /// credentials); the response read to its end.
    pub(crate) async fn send(&self, headers: HeaderMap) -> Result<Exchange, reqwest::Error> {
        self.transport.send_once(self.prepared, headers).await
    }
}

impl Transport {
    /// Starts configuring a transport (generated crates start from their
    /// `Client::builder()`, which builds their `Client` around one).
    pub fn builder() -> TransportBuilder {
        TransportBuilder::default()
    }

    /// A transport configured from the environment (see
    /// [`TransportBuilder::with_env`]).
    pub fn from_env() -> Result<Transport, ConfigError> {
        Transport::builder().with_env()?.build()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    fn url_for(&self, request: &ApiRequest) -> Url {
        let mut url = self.base_url.clone();
        let base_path = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base_path}{}", request.path));
        if !request.query.is_empty() {
            url.query_pairs_mut().extend_pairs(request.query.iter());
        }
        url
    }

    /// Sends a request built by generated code and reads the whole response.
    /// With [`ApiRequest::unwrap_envelope`], an enveloped body is unwrapped
    /// (see [`RawResponse::new`]).
    ///
    /// Applies the credentials (including digest and token round trips), and
    /// retries as the [`RetryPolicy`] allows. Every attempt runs in a
    /// `tracing` span `atlas.request` with the method, the path template (no
    /// parameter values), the attempt number and the status; no secret is
    /// ever recorded. The response's `RateLimit-*` figures are in its
    /// [`RawResponse::meta`].
    #[doc(hidden)]
    pub async fn execute<E>(&self, request: ApiRequest) -> Result<RawResponse, Error<E>> {
        let prepared = Prepared {
            url: self.url_for(&request),
            request: &request,
        };
        if self.dry_run {
            return match self.describe(&prepared) {
                Ok(described) => Err(Error::NotSent(Box::new(described))),
                Err(err) => Err(Error::Communication {
                    source: err,
                    attempts: 0,
                }),
            };
        }
        let mut attempt: u32 = 1;
        loop {
            let span = tracing::info_span!(
                "atlas.request",
                method = %request.method,
                path = request.path_template,
                attempt,
                status = tracing::field::Empty,
                error = tracing::field::Empty,
            );
            let outcome = self.attempt(&prepared).instrument(span.clone()).await;
            let wait = match &outcome {
                Ok(exchange) => {
                    span.record("status", exchange.status);
                    self.retry.after_status(
                        &request.method,
                        exchange.status,
                        &exchange.headers,
                        attempt,
                    )
                }
                Err(AttemptError::Transport(err)) => {
                    span.record("error", error_kind(err));
                    self.retry.after_error(&request.method, err, attempt)
                }
                Err(AttemptError::Auth(_)) => None,
            };
            if let Some(wait) = wait {
                tracing::info!(
                    parent: &span,
                    wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                    "retrying"
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
                continue;
            }
            return match outcome {
                Ok(ex) => Ok(RawResponse::new(
                    ex.status,
                    ex.headers,
                    ex.body,
                    request.unwrap_envelope,
                )),
                Err(AttemptError::Transport(err)) => Err(Error::Communication {
                    source: err,
                    attempts: attempt,
                }),
                Err(AttemptError::Auth(err)) => Err(Error::Auth(err)),
            };
        }
    }

    /// Sends a request built by the generated operation `O` and decodes
    /// the response as `O` says (see [`Endpoint`] and
    /// [`RawResponse::decode`]), leniently unless the client was built with
    /// [`TransportBuilder::strict_responses`]. `request` is the result of the
    /// builder's input checks: an error is returned as it is, and nothing
    /// is sent.
    #[doc(hidden)]
    pub async fn send<O: Endpoint>(
        &self,
        request: Result<ApiRequest, Error<O::ErrorBody>>,
    ) -> Result<Response<<O::Decoder as Decoder>::Output>, Error<O::ErrorBody>> {
        let raw = self.execute(request?).await?;
        with_options(self.decode, || raw.decode_for::<O>())
    }

    /// How this client decodes responses.
    pub fn decode_options(&self) -> DecodeOptions {
        self.decode
    }

    /// Revokes the service account's current access token
    /// (`POST {token base}/api/oauth/revoke`) and forgets it; the next
    /// request fetches a new one. Returns `false` when there was nothing to
    /// revoke (no token fetched yet, or credentials other than a service
    /// account).
    pub async fn revoke_token(&self) -> Result<bool, AuthError> {
        self.auth.revoke(&self.http).await
    }

    /// One attempt: the request with its credentials, including the extra
    /// round trips authentication may need (the scheme's business).
    async fn attempt(&self, p: &Prepared<'_>) -> Result<Exchange, AttemptError> {
        let attempt = Attempt {
            transport: self,
            prepared: p,
        };
        if !p.request.authenticate {
            // The spec says `security: []`: no credentials for this one.
            return Ok(attempt.send(HeaderMap::new()).await?);
        }
        self.auth.authenticate(&attempt).await
    }

    /// The request as sent, with `extra_headers` (credentials) added.
    fn request_builder(
        &self,
        p: &Prepared<'_>,
        extra_headers: HeaderMap,
    ) -> reqwest::RequestBuilder {
        let request = p.request;
        let mut builder = self
            .http
            .request(request.method.clone(), p.url.clone())
            .header(ACCEPT, request.accept_header());
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.as_str());
        }
        if let (Some((_, body)), Some(content_type)) =
            (&request.body, request.content_type_header())
        {
            builder = builder
                .header(CONTENT_TYPE, content_type)
                .body(body.clone());
        }
        for (name, value) in &extra_headers {
            builder = builder.header(name, value);
        }
        builder
    }

    /// One round trip, the response read to its end (and logged, see
    /// [`crate::wire`]).
    async fn send_once(
        &self,
        p: &Prepared<'_>,
        extra_headers: HeaderMap,
    ) -> Result<Exchange, reqwest::Error> {
        let built = self.request_builder(p, extra_headers).build()?;
        wire::request(wire::Exchange::Api, &built);
        let started = Instant::now();
        let read = async {
            let response = self.http.execute(built).await?;
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let body = response.bytes().await?;
            Ok(Exchange {
                status,
                headers,
                body,
            })
        };
        let exchange = read.await;
        match &exchange {
            Ok(ex) => wire::response(
                wire::Exchange::Api,
                ex.status,
                started.elapsed(),
                &ex.headers,
                &ex.body,
            ),
            Err(err) => wire::failed(started.elapsed(), err),
        }
        exchange
    }

    /// The request as it would be sent, credentials left out (a dry run).
    fn describe(&self, p: &Prepared<'_>) -> Result<WireRequest, reqwest::Error> {
        let credentials = if p.request.authenticate {
            self.auth.credentials()
        } else {
            Credentials::None
        };
        let built = self.request_builder(p, HeaderMap::new()).build()?;
        Ok(WireRequest::new(&built, credentials))
    }
}

/// A short, secret-free name for a transport failure, for spans.
fn error_kind(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "timeout"
    } else if err.is_connect() {
        "connect"
    } else if err.is_body() || err.is_decode() {
        "body"
    } else if err.is_request() {
        "request"
    } else {
        "other"
    }
}
