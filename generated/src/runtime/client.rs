//! The client every generated operation is a method of.

use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use url::Url;

use super::auth::Auth;
use super::error::Error;
use super::request::ApiRequest;
use super::response::RawResponse;

/// Where Atlas serves the Administration API.
pub const DEFAULT_BASE_URL: &str = "https://cloud.mongodb.com";

const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// An Atlas Administration API client. Cheap to clone; clones share the
/// connection pool. Operations are generated as methods (see
/// [`crate::operations`]).
#[derive(Debug, Clone)]
pub struct Client {
    base_url: Url,
    http: reqwest::Client,
    auth: Auth,
}

/// Configures a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    auth: Auth,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            auth: Auth::none(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl ClientBuilder {
    /// Another endpoint than [`DEFAULT_BASE_URL`] (a proxy, a test server).
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// The credentials to send.
    pub fn auth(mut self, auth: Auth) -> Self {
        self.auth = auth;
        self
    }

    /// Longest wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Longest wait for a whole request, body included (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Replaces the default `User-Agent` (crate name and version).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Builds the client.
    pub fn build<E>(self) -> Result<Client, Error<E>> {
        let base_url = Url::parse(&self.base_url)
            .map_err(|err| Error::Config(format!("base URL {:?}: {err}", self.base_url)))?;
        if base_url.cannot_be_a_base() {
            return Err(Error::Config(format!(
                "base URL {:?} cannot have a path",
                self.base_url
            )));
        }
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|err| Error::Config(format!("user agent: {err}")))?;
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .default_headers([(USER_AGENT, user_agent)].into_iter().collect())
            .build()
            .map_err(|err| Error::Config(format!("HTTP client: {err}")))?;
        Ok(Client {
            base_url,
            http,
            auth: self.auth,
        })
    }
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.base_url
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
    /// With `envelope`, an enveloped body is unwrapped (see [`RawResponse::new`]).
    pub async fn execute<E>(
        &self,
        request: ApiRequest,
        envelope: bool,
    ) -> Result<RawResponse, Error<E>> {
        let url = self.url_for(&request);
        let mut builder = self
            .http
            .request(request.method.clone(), url)
            .header(ACCEPT, request.accept);
        for (name, value) in &request.headers {
            builder = builder.header(*name, value.as_str());
        }
        if let Some((content_type, body)) = &request.body {
            builder = builder
                .header(CONTENT_TYPE, *content_type)
                .body(body.clone());
        }
        let response = self
            .auth
            .apply(builder)
            .send()
            .await
            .map_err(Error::Communication)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(Error::Communication)?;
        Ok(RawResponse::new(status, headers, body, envelope))
    }
}
