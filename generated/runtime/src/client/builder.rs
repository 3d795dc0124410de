//! [`TransportBuilder`]: every setting of a [`Transport`] (base URL,
//! credentials, timeouts, retries, TLS roots, proxies, interceptors) and
//! the HTTP client it builds.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderValue, USER_AGENT};
use url::Url;

use crate::auth::Auth;
use crate::error::ConfigError;
use crate::interceptor::{Interceptor, Interceptors};
use crate::options::{Limits, DEFAULT_CONNECT_TIMEOUT};
use crate::rate_limit::{EndpointSet, RateLimitPolicy, RateLimiter};
use crate::retry::RetryPolicy;
use crate::serde_helpers::DecodeOptions;

use super::Transport;
use crate::options::{DEFAULT_BASE_URL, ENV_CA_CERT};

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
    user_agent_suffix: Option<String>,
    retry: RetryPolicy,
    rate_limit: RateLimitPolicy,
    rate_limits: Vec<EndpointSet>,
    sunset_warning: Duration,
    strict_responses: bool,
    dry_run: bool,
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
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .field("rate_limits", &self.rate_limits.len())
            .field("sunset_warning", &self.sunset_warning)
            .field("strict_responses", &self.strict_responses)
            .field("dry_run", &self.dry_run)
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
            user_agent_suffix: None,
            retry: RetryPolicy::default(),
            rate_limit: RateLimitPolicy::default(),
            rate_limits: Vec::new(),
            sunset_warning: crate::lifecycle::DEFAULT_SUNSET_WARNING,
            strict_responses: false,
            dry_run: false,
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
    /// as `atlas-api` and the Atlas CLI read it: `MONGODB_ATLAS_OPS_MANAGER_URL`,
    /// else `MONGODB_ATLAS_BASE_URL`, else `ATLAS_BASE_URL` (a deprecated
    /// alias), else `MONGODB_ATLAS_SERVICE=cloudgov` (Atlas for Government)
    /// (see [`crate::credentials::endpoint_from_env`]).
    /// Without credentials, or with a service other than `cloud` and
    /// `cloudgov`, it is an error naming the variables.
    pub fn with_env(mut self) -> Result<Self, ConfigError> {
        let auth = Auth::from_env().ok_or_else(|| {
            ConfigError::new(format!(
                "no credentials in the environment: set {} and {} (a service account), or {} and {} (an API key; also read as {} and {})",
                crate::credentials::ENV_CLIENT_ID,
                crate::credentials::ENV_CLIENT_SECRET,
                crate::credentials::ENV_PUBLIC_API_KEY,
                crate::credentials::ENV_PRIVATE_API_KEY,
                crate::credentials::ENV_PUBLIC_KEY,
                crate::credentials::ENV_PRIVATE_KEY
            ))
        })?;
        self = self.auth(auth);
        let lookup = |name: &str| std::env::var(name).ok();
        if let Some(url) =
            crate::credentials::endpoint_from_env(&lookup).map_err(ConfigError::new)?
        {
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
    /// headers (default 30 s). Digest's challenge round trip within an
    /// attempt gets the same allowance; a token endpoint request (service
    /// accounts, logins) has its own 30 s limit for the whole exchange,
    /// within the operation deadline when there is one. A server that
    /// accepts the connection and never answers fails after this long (then
    /// retried, for idempotent methods, as the [`RetryPolicy`] says).
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
    /// call past it ends in [`Error::Communication`](crate::Error::Communication) whose source is a
    /// [`TimeoutKind::Operation`](crate::TimeoutKind::Operation).
    /// Overridable per call (`.customize(|c| c.operation_timeout(..))`).
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.limits.operation_timeout = Some(timeout);
        self
    }

    /// Longest body read into memory, in bytes (default
    /// [`DEFAULT_MAX_BODY_SIZE`](crate::DEFAULT_MAX_BODY_SIZE), 64 MiB): JSON
    /// bodies, error bodies and `send_as`. Longer is
    /// [`Error::BodyTooLarge`](crate::Error::BodyTooLarge); `send_stream` reads any length.
    pub fn max_body_size(mut self, bytes: u64) -> Self {
        self.limits.max_body_size = bytes;
        self
    }

    /// Replaces the default `User-Agent` (crate name and version).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Appends a product of yours to the `User-Agent` (`my-tool/1.2`), as
    /// MongoDB asks integrations to identify themselves: sent as
    /// `<user agent> <suffix>` on API and token-endpoint requests alike.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        let suffix = suffix.into();
        self.user_agent_suffix = (!suffix.trim().is_empty()).then(|| suffix.trim().to_owned());
        self
    }

    /// How the client paces itself by Atlas's rate limits (default on,
    /// see [`RateLimitPolicy`]; [`RateLimitPolicy::off`] turns it off).
    pub fn rate_limit(mut self, policy: RateLimitPolicy) -> Self {
        self.rate_limit = policy;
        self
    }

    /// Atlas's endpoint sets, as `listRateLimits` lists them
    /// ([`EndpointSet::from_json`] reads its answer): requests are paced by
    /// them from the first one, before any refusal. See also
    /// [`Transport::discover_rate_limits`].
    pub fn rate_limits(mut self, sets: impl IntoIterator<Item = EndpointSet>) -> Self {
        self.rate_limits.extend(sets);
        self
    }

    /// How long before an API version's `x-sunset` date calling it logs a
    /// warning (default [`DEFAULT_SUNSET_WARNING`](crate::lifecycle::DEFAULT_SUNSET_WARNING),
    /// 90 days; once per operation and version per process; see
    /// [`crate::lifecycle`]). Zero warns only once the date is past.
    pub fn sunset_warning(mut self, before: Duration) -> Self {
        self.sunset_warning = before;
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
    /// makes them [`Error::InvalidResponse`](crate::Error::InvalidResponse), for tests that check a server
    /// against the spec.
    pub fn strict_responses(mut self, strict: bool) -> Self {
        self.strict_responses = strict;
        self
    }

    /// Whether requests are described instead of sent (default `false`):
    /// each operation checks its inputs and builds its request as usual,
    /// then returns [`Error::NotSent`](crate::Error::NotSent) with the
    /// request as it would have been sent (credentials left out, see
    /// [`crate::wire::WireRequest`]). Nothing reaches the server, no token
    /// is requested, and interceptors are not called (their headers are
    /// not in the description).
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
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
        let user_agent = match &self.user_agent_suffix {
            Some(suffix) => format!("{} {suffix}", self.user_agent),
            None => self.user_agent.clone(),
        };
        let user_agent = HeaderValue::from_str(&user_agent)
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
            .into_scheme(&base_url, &self.retry, &user_agent)
            .map_err(|why| ConfigError::new(format!("credentials: {why}")))?;
        Ok(C::from(Transport {
            base_url,
            http,
            auth,
            retry: self.retry,
            limiter: RateLimiter::new(self.rate_limit, self.rate_limits),
            sunset_warning: self.sunset_warning,
            decode: if self.strict_responses {
                DecodeOptions::STRICT
            } else {
                DecodeOptions::LENIENT
            },
            limits: self.limits,
            user_agent,
            interceptors: self.interceptors,
            dry_run: self.dry_run,
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
