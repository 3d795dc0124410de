//! The client every generated operation is a method of, and its transport:
//! building requests, timeouts, retries and tracing. Each attempt goes
//! through the configured authentication scheme (`auth/`, the `Scheme`
//! trait), which adds its headers and performs its own round trips with
//! [`Attempt::send`].

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use tokio::time::Instant;
use tracing::Instrument as _;
use url::Url;

use super::auth::{Auth, AuthError, Scheme};
use super::body::{chunks, read_to_end, ByteStream, ReadError};
use super::communication::{CommunicationError, TimeoutKind};
use super::error::{ConfigError, Error};
use super::interceptor::{AttemptInfo, AttemptOutcome, Interceptor, Interceptors};
use super::options::{Limits, DEFAULT_CONNECT_TIMEOUT};
use super::request::ApiRequest;
use super::response::{Decoder, Endpoint, RawResponse, Response};
use super::retry::RetryPolicy;
use super::serde_helpers::{with_options, DecodeOptions};

/// Where Atlas serves the Administration API.
pub const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";

/// The environment variable [`Transport::from_env`] reads another base URL
/// from (a proxy, Atlas for Government, a test server).
pub const ENV_BASE_URL: &str = "ATLAS_BASE_URL";

/// The environment variable naming a PEM file of extra root certificates
/// (a company's TLS-inspecting proxy, a private CA), read by every
/// [`TransportBuilder::build`] that builds its own HTTP client.
pub const ENV_CA_CERT: &str = "ATLAS_CA_CERT";

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
    limits: Limits,
    user_agent: HeaderValue,
    interceptors: Interceptors,
}

/// Configures a [`Transport`], and builds it as `C`: the generated crate's
/// `Client` (which wraps a `Transport`) or a bare `Transport`.
pub struct TransportBuilder<C = Transport> {
    client: PhantomData<fn() -> C>,
    base_url: String,
    auth: Auth,
    connect_timeout: Duration,
    limits: Limits,
    user_agent: String,
    retry: RetryPolicy,
    strict_responses: bool,
    http_client: Option<reqwest::Client>,
    root_certificates: Vec<Vec<u8>>,
    proxies: Vec<reqwest::Proxy>,
    no_proxy: bool,
    interceptors: Interceptors,
}

impl<C> std::fmt::Debug for TransportBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportBuilder")
            .field("base_url", &self.base_url)
            .field("auth", &self.auth)
            .field("connect_timeout", &self.connect_timeout)
            .field("limits", &self.limits)
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("strict_responses", &self.strict_responses)
            .field("http_client", &self.http_client.is_some())
            .field("root_certificates", &self.root_certificates.len())
            .field("proxies", &self.proxies)
            .field("no_proxy", &self.no_proxy)
            .field("interceptors", &self.interceptors)
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
            limits: Limits::default(),
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryPolicy::default(),
            strict_responses: false,
            http_client: None,
            root_certificates: Vec::new(),
            proxies: Vec::new(),
            no_proxy: false,
            interceptors: Interceptors::default(),
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

    /// Longest wait for a TCP (and TLS) connection (default 10 s). Not
    /// applied to a client passed with [`Self::http_client`], whose own
    /// settings rule.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Longest wait, per attempt, from sending a request to its response
    /// headers (default 30 s). Authentication round trips within an
    /// attempt each get the same allowance. A server that accepts the
    /// connection and never answers fails after this long (then retried,
    /// for idempotent methods, as the [`RetryPolicy`] says).
    pub fn response_timeout(mut self, timeout: Duration) -> Self {
        self.limits.response_timeout = timeout;
        self
    }

    /// Longest stall of a response body (default 30 s): the read fails when
    /// no byte arrives for this long. There is no limit on how long a whole
    /// body takes as long as it keeps moving; set
    /// [`Self::operation_timeout`] for one.
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.read_timeout = timeout;
        self
    }

    /// An overall deadline for every call (default none): its attempts,
    /// the waits between them and, for a streamed body, the whole body. A
    /// call past it ends in [`Error::Communication`] whose source is a
    /// [`TimeoutKind::Operation`](crate::TimeoutKind::Operation).
    /// Overridable per call (`.customize(|c| c.operation_timeout(..))`).
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.limits.operation_timeout = Some(timeout);
        self
    }

    /// Longest body read into memory, in bytes (default
    /// [`DEFAULT_MAX_BODY_SIZE`](crate::DEFAULT_MAX_BODY_SIZE), 64 MiB): JSON
    /// bodies, error bodies and `send_as`. Longer is
    /// [`Error::BodyTooLarge`]; `send_stream` reads any length.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.limits.max_body_size = bytes;
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

    /// Sends through this HTTP client instead of one the builder makes
    /// (your TLS, proxy, DNS or connection-pool settings). Authentication,
    /// retries, the response and read timeouts, interceptors and decoding
    /// stay the transport's; the connect timeout, root certificates and
    /// proxies are the client's own, so setting them here as well is a
    /// configuration error.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Trusts the certificates of this PEM bundle as roots, besides the
    /// operating system's and the bundled web roots (a company's
    /// TLS-inspecting proxy, a private CA). The file named by
    /// [`ENV_CA_CERT`] adds more. Checked when the client is built.
    pub fn add_root_certificate_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates.push(pem.into());
        self
    }

    /// Sends through this proxy (`reqwest::Proxy::https("http://proxy:3128")`),
    /// besides the ones the environment names (`HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY`, `NO_PROXY`), which apply by default.
    pub fn proxy(mut self, proxy: reqwest::Proxy) -> Self {
        self.proxies.push(proxy);
        self
    }

    /// Ignores the proxies of the environment (proxies set with
    /// [`Self::proxy`] still apply).
    pub fn no_proxy(mut self) -> Self {
        self.no_proxy = true;
        self
    }

    /// Calls `interceptor` on every attempt of every call (see
    /// [`Interceptor`]); several are called in the order they were added.
    pub fn interceptor(mut self, interceptor: impl Interceptor + 'static) -> Self {
        self.interceptors.push(Arc::new(interceptor));
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
        let http = match self.http_client {
            Some(client) => {
                if !self.root_certificates.is_empty() || !self.proxies.is_empty() || self.no_proxy {
                    return Err(ConfigError::new(
                        "root certificates and proxies are settings of the HTTP client: set them on the reqwest::Client passed to http_client",
                    ));
                }
                client
            }
            None => {
                let mut builder = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .default_headers([(USER_AGENT, user_agent.clone())].into_iter().collect());
                for cert in root_certificates(&self.root_certificates)? {
                    builder = builder.add_root_certificate(cert);
                }
                if self.no_proxy {
                    builder = builder.no_proxy();
                }
                for proxy in self.proxies {
                    builder = builder.proxy(proxy);
                }
                builder
                    .build()
                    .map_err(|err| ConfigError::new(format!("HTTP client: {err}")))?
            }
        };
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
            limits: self.limits,
            user_agent,
            interceptors: self.interceptors,
        }))
    }
}

/// The extra roots: the builder's PEM bundles, then the file [`ENV_CA_CERT`]
/// names. A bundle without a certificate is an error, not silently nothing.
fn root_certificates(pems: &[Vec<u8>]) -> Result<Vec<reqwest::Certificate>, ConfigError> {
    let mut bundles: Vec<(String, Vec<u8>)> = pems
        .iter()
        .enumerate()
        .map(|(i, pem)| (format!("root certificate #{}", i + 1), pem.clone()))
        .collect();
    if let Some(path) = std::env::var_os(ENV_CA_CERT).filter(|p| !p.is_empty()) {
        let what = format!("{ENV_CA_CERT}={}", path.to_string_lossy());
        let pem = std::fs::read(&path).map_err(|err| ConfigError::new(format!("{what}: {err}")))?;
        bundles.push((what, pem));
    }
    let mut certs = Vec::new();
    for (what, pem) in bundles {
        let found = reqwest::Certificate::from_pem_bundle(&pem)
            .map_err(|err| ConfigError::new(format!("{what}: {err}")))?;
        if found.is_empty() {
            return Err(ConfigError::new(format!(
                "{what}: no PEM certificate in it"
            )));
        }
        certs.extend(found);
    }
    Ok(certs)
}

/// One attempt of a request, ready to be sent any number of times (the body
/// is shared bytes, so authentication round trips replay it).
struct Prepared<'a> {
    request: &'a ApiRequest,
    url: &'a Url,
    /// The call's and the interceptors' headers for this attempt.
    headers: HeaderMap,
    limits: Limits,
    /// When the call's operation deadline ends, when it has one.
    deadline: Option<Instant>,
    /// Whether a 2xx body is left unread, to be streamed.
    stream: bool,
}

/// One response: its body read to the end, or (a 2xx of a streamed call)
/// still to be read.
pub(crate) struct Exchange {
    pub(crate) status: reqwest::StatusCode,
    pub(crate) headers: HeaderMap,
    /// The body; empty while [`Self::unread`] holds it.
    pub(crate) body: Bytes,
    unread: Option<reqwest::Response>,
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

    /// The transport's HTTP client (connection pool, `User-Agent`), for
    /// requests of the scheme's own (a token endpoint).
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.transport.http
    }

    /// When the call's operation deadline ends (none without one): a
    /// scheme's waits (the token endpoint's rate limit) give up rather
    /// than sleep past it.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.prepared.deadline
    }

    /// Sends the request once with `headers` added (the scheme's
    /// credentials). The body is read to its end, unless it is the 2xx body
    /// of a streamed call.
    pub(crate) async fn send(&self, headers: HeaderMap) -> Result<Exchange, AttemptError> {
        self.transport.send_once(self.prepared, headers).await
    }
}

/// What the retry loop ends with: the last attempt's outcome and the
/// number of attempts made.
struct Attempts {
    outcome: Result<Exchange, AttemptError>,
    count: u32,
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
    /// retries as the [`RetryPolicy`] allows, within the call's limits (the
    /// client's, with [`ApiRequest::options`] applied). Every attempt runs
    /// in a `tracing` span `atlas.request` with the method, the path
    /// template (no parameter values), the attempt number and the status;
    /// no secret is ever recorded. The response's `RateLimit-*` figures are
    /// in its [`RawResponse::meta`].
    #[doc(hidden)]
    pub async fn execute<E>(&self, request: ApiRequest) -> Result<RawResponse, Error<E>> {
        let (exchange, _) = self.run(&request, false).await?;
        Ok(RawResponse::new(
            exchange.status,
            exchange.headers,
            exchange.body,
            request.unwrap_envelope,
        ))
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

    /// Sends a request built by the generated operation `O` and hands back
    /// a 2xx body as it arrives ([`ByteStream`]); any other status is read
    /// and decoded as `O` decodes it (documented errors into
    /// [`Error::Api`]). Retries happen only before the body starts: a
    /// failure mid-body ends the stream with an error, and nothing is sent
    /// again, so no byte is delivered twice.
    #[doc(hidden)]
    pub async fn send_stream<O: Endpoint>(
        &self,
        request: Result<ApiRequest, Error<O::ErrorBody>>,
    ) -> Result<Response<ByteStream<O::ErrorBody>>, Error<O::ErrorBody>> {
        let request = request?;
        let (exchange, stats) = self.run(&request, true).await?;
        let Some(unread) = exchange.unread else {
            let raw = RawResponse::new(
                exchange.status,
                exchange.headers,
                exchange.body,
                request.unwrap_envelope,
            );
            return Err(
                match with_options(self.decode, || raw.clone().decode_for::<O>()) {
                    Err(err) => err,
                    Ok(_) => raw.unexpected(),
                },
            );
        };
        let limits = request.options.apply(self.limits);
        // The deadline counts from the call's start: what is left of it.
        let deadline = limits
            .operation_timeout
            .map(|limit| (stats.started + limit, limit));
        let body = ByteStream::new(chunks(unread, limits.read_timeout, deadline), stats.count);
        let raw = RawResponse::new(exchange.status, exchange.headers, Bytes::new(), false);
        Ok(Response {
            meta: raw.meta().clone(),
            body,
        })
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

    /// Every attempt of a call, within its overall deadline; the final
    /// outcome as the call's result.
    async fn run<E>(
        &self,
        request: &ApiRequest,
        stream: bool,
    ) -> Result<(Exchange, CallStats), Error<E>> {
        let url = self.url_for(request);
        let limits = request.options.apply(self.limits);
        let started = Instant::now();
        let mut count = 1;
        let deadline = limits.operation_timeout.map(|limit| started + limit);
        let attempts = self.attempts(request, &url, limits, deadline, stream, &mut count);
        let attempts = match limits.operation_timeout {
            None => attempts.await,
            Some(limit) => match tokio::time::timeout(limit, attempts).await {
                Ok(attempts) => attempts,
                Err(_) => Attempts {
                    outcome: Err(AttemptError::Transport(CommunicationError::timeout(
                        TimeoutKind::Operation,
                        limit,
                        Some(url.clone()),
                    ))),
                    count,
                },
            },
        };
        let stats = CallStats {
            count: attempts.count,
            started,
        };
        match attempts.outcome {
            Ok(exchange) => Ok((exchange, stats)),
            Err(AttemptError::Transport(source)) => Err(Error::Communication {
                source,
                attempts: attempts.count,
            }),
            Err(AttemptError::Auth(err)) => Err(Error::Auth(err)),
            Err(AttemptError::TooLarge {
                status,
                headers,
                limit,
            }) => {
                let raw = RawResponse::new(status, headers, Bytes::new(), false);
                Err(Error::BodyTooLarge {
                    meta: raw.meta().clone(),
                    limit,
                })
            }
        }
    }

    /// Attempts until one is final or the [`RetryPolicy`] says stop;
    /// `count` is kept up to date for a deadline that cuts the loop short.
    async fn attempts(
        &self,
        request: &ApiRequest,
        url: &Url,
        limits: Limits,
        deadline: Option<Instant>,
        stream: bool,
        count: &mut u32,
    ) -> Attempts {
        let retry = request.options.retry_override().unwrap_or(&self.retry);
        loop {
            let attempt = *count;
            let info = AttemptInfo {
                operation_id: request.operation_id,
                method: &request.method,
                path_template: request.path_template,
                attempt,
            };
            let mut headers = request.options.headers().clone();
            self.interceptors.before(&info, &mut headers);
            let prepared = Prepared {
                request,
                url,
                headers,
                limits,
                deadline,
                stream,
            };
            let span = tracing::info_span!(
                "atlas.request",
                method = %request.method,
                path = request.path_template,
                attempt,
                status = tracing::field::Empty,
                error = tracing::field::Empty,
            );
            let sent = Instant::now();
            let outcome = self.attempt(&prepared).instrument(span.clone()).await;
            let (status, headers, error) = match &outcome {
                Ok(ex) => (Some(ex.status), Some(&ex.headers), None),
                Err(AttemptError::TooLarge {
                    status, headers, ..
                }) => (Some(*status), Some(headers), None),
                Err(AttemptError::Transport(err)) => (None, None, Some(err)),
                Err(AttemptError::Auth(_)) => (None, None, None),
            };
            self.interceptors.after(
                &info,
                &AttemptOutcome {
                    status,
                    headers,
                    error,
                    elapsed: sent.elapsed(),
                },
            );
            let wait = match &outcome {
                Ok(exchange) => {
                    span.record("status", exchange.status.as_u16());
                    retry.after_status(&request.method, exchange.status, &exchange.headers, attempt)
                }
                Err(AttemptError::Transport(err)) => {
                    span.record("error", err.kind_name());
                    retry.after_error(&request.method, err, attempt)
                }
                Err(AttemptError::Auth(_) | AttemptError::TooLarge { .. }) => None,
            };
            let Some(wait) = wait else {
                return Attempts {
                    outcome,
                    count: attempt,
                };
            };
            tracing::info!(
                parent: &span,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "retrying"
            );
            // A streamed body not taken is dropped here, closing its connection.
            drop(outcome);
            tokio::time::sleep(wait).await;
            *count += 1;
        }
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
            return attempt.send(HeaderMap::new()).await;
        }
        self.auth.authenticate(&attempt).await
    }

    /// One round trip within the response timeout; the body read to its
    /// end within the read timeout and the size limit, unless it is the
    /// 2xx body of a streamed call. Headers, later ones replacing earlier
    /// ones of the same name: the request's own, the call's and the
    /// interceptors', the scheme's.
    async fn send_once(
        &self,
        p: &Prepared<'_>,
        scheme_headers: HeaderMap,
    ) -> Result<Exchange, AttemptError> {
        let request = p.request;
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(ACCEPT, header_value(request.accept_header())?);
        for (name, value) in &request.headers {
            let name = HeaderName::try_from(*name).map_err(|err| {
                AttemptError::Transport(CommunicationError::invalid_request(err.to_string()))
            })?;
            headers.insert(name, header_value(value.clone())?);
        }
        let mut builder = self.http.request(request.method.clone(), p.url.clone());
        if let (Some((_, body)), Some(content_type)) =
            (&request.body, request.content_type_header())
        {
            headers.insert(CONTENT_TYPE, header_value(content_type)?);
            builder = builder.body(body.clone());
        }
        for (name, value) in p.headers.iter().chain(scheme_headers.iter()) {
            headers.insert(name, value.clone());
        }
        let sent = builder.headers(headers).send();
        let response = match tokio::time::timeout(p.limits.response_timeout, sent).await {
            Ok(response) => response?,
            Err(_) => {
                return Err(AttemptError::Transport(CommunicationError::timeout(
                    TimeoutKind::Response,
                    p.limits.response_timeout,
                    Some(p.url.clone()),
                )))
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        if p.stream && status.is_success() {
            return Ok(Exchange {
                status,
                headers,
                body: Bytes::new(),
                unread: Some(response),
            });
        }
        let limit = p.limits.max_body_size;
        match read_to_end(response, p.limits.read_timeout, limit).await {
            Ok(body) => Ok(Exchange {
                status,
                headers,
                body,
                unread: None,
            }),
            Err(ReadError::Communication(err)) => Err(AttemptError::Transport(err)),
            Err(ReadError::TooLarge) => Err(AttemptError::TooLarge {
                status,
                headers,
                limit,
            }),
        }
    }
}

/// When a call started and how many attempts it took.
struct CallStats {
    count: u32,
    started: Instant,
}

/// A header value built by generated code (a media type, a parameter);
/// one that cannot be sent fails the attempt as a request error.
fn header_value(value: String) -> Result<HeaderValue, AttemptError> {
    HeaderValue::try_from(value).map_err(|err| {
        AttemptError::Transport(CommunicationError::invalid_request(err.to_string()))
    })
}
