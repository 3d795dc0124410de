//! The client every generated operation is a method of, and its transport:
//! building requests, timeouts, retries and tracing. Each attempt goes
//! through the configured authentication scheme (the `Scheme` trait of
//! `scheme.rs`, implemented in `auth/`), which adds its headers and performs
//! its own round trips with `Attempt::send`: the transport hands it a
//! send-once handle (`Sender`, below) and knows nothing of any scheme.

use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::BoxFuture;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, ACCEPT, CONTENT_TYPE, USER_AGENT};
use tokio::time::Instant;
use tracing::Instrument as _;
use url::Url;

use crate::auth_error::AuthError;
use crate::body::{chunks, read_to_end, ByteStream, ReadError};
use crate::communication::{CommunicationError, TimeoutKind};
use crate::error::Error;
use crate::error_codes::{after_answer, Decision};
use crate::interceptor::{AttemptInfo, AttemptOutcome, Interceptors};
use crate::options::Limits;
use crate::rate_limit::{EndpointSet, RateLimitPolicy, RateLimiter};
use crate::request::ApiRequest;
use crate::response::{Decoder, Endpoint, RawResponse, Response};
use crate::retry::RetryPolicy;
use crate::scheme::{Attempt, AttemptError, Exchange, Scheme, SendOnce};
use crate::serde_helpers::{with_options, DecodeOptions};
use crate::wire::{self, Credentials, WireRequest};

pub(crate) mod builder;

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
    limiter: RateLimiter,
    sunset_warning: std::time::Duration,
    decode: DecodeOptions,
    limits: Limits,
    user_agent: HeaderValue,
    interceptors: Interceptors,
    dry_run: bool,
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

/// The transport's half of an [`Attempt`]: one prepared attempt, sent with
/// the scheme's headers ([`Transport::send_once`]).
struct Sender<'a> {
    transport: &'a Transport,
    prepared: &'a Prepared<'a>,
}

impl SendOnce for Sender<'_> {
    fn send_once(&self, headers: HeaderMap) -> BoxFuture<'_, Result<Exchange, AttemptError>> {
        Box::pin(self.transport.send_once(self.prepared, headers))
    }
}

impl Transport {
    /// The base URL requests go to.
    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    /// The retry policy in force.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// How this client paces itself by Atlas's rate limits.
    pub fn rate_limit_policy(&self) -> &RateLimitPolicy {
        self.limiter.policy()
    }

    /// The endpoint sets this client knows (from
    /// [`TransportBuilder::rate_limits`](crate::TransportBuilder::rate_limits) and
    /// [`Self::discover_rate_limits`]), shared by all its clones.
    pub fn endpoint_sets(&self) -> Vec<EndpointSet> {
        self.limiter.endpoint_sets()
    }

    /// Asks Atlas for its rate limits once (`listRateLimits`,
    /// `GET /api/atlas/v2/rateLimits`, up to 500 endpoint sets) and paces
    /// every later request of this client and its clones by them: which
    /// endpoints share a bucket, and each bucket's capacity and refill,
    /// before any request is refused. `scope` narrows the answer as
    /// `listRateLimits` does (`[("groupId", "...")]` for the limits that
    /// apply to one project); the number of sets learned.
    pub async fn discover_rate_limits(
        &self,
        scope: &[(&'static str, &str)],
    ) -> Result<usize, Error<serde_json::Value>> {
        let mut request = ApiRequest::new(
            reqwest::Method::GET,
            "/api/atlas/v2/rateLimits",
            &[],
            "application/vnd.atlas.2025-03-12+json",
        );
        request.operation_id = "listRateLimits";
        request.query.push(("itemsPerPage", "500".to_owned()));
        for (name, value) in scope {
            request.query.push((name, (*value).to_owned()));
        }
        let raw = self.execute::<serde_json::Value>(request).await?;
        if !raw.status().is_success() {
            return Err(raw.unexpected());
        }
        let page = raw.json::<serde_json::Value>()?;
        let found = EndpointSet::from_json(&page.body);
        let count = found.len();
        self.limiter.seed(found);
        Ok(count)
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
    /// client's, with [`ApiRequest::options`] applied), paced by the
    /// client's rate limiter ([`crate::rate_limit`]). The call is one
    /// `tracing` span `atlas.operation` with OpenTelemetry's field names
    /// ([`crate::telemetry`]); every attempt runs in a child span
    /// `atlas.request` with the method, the path template (no parameter
    /// values), the attempt number and the status; no secret is ever
    /// recorded. The response's `RateLimit-*` figures are
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
    /// [`TransportBuilder::strict_responses`](crate::TransportBuilder::strict_responses). `request` is the result of the
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
    /// again, so no byte is delivered twice. With
    /// [`ApiRequest::unwrap_envelope`] the answer is read whole first (under
    /// the body size limit), since its status is inside the envelope.
    #[doc(hidden)]
    pub async fn send_stream<O: Endpoint>(
        &self,
        request: Result<ApiRequest, Error<O::ErrorBody>>,
    ) -> Result<Response<ByteStream<O::ErrorBody>>, Error<O::ErrorBody>> {
        let request = request?;
        // An enveloped answer (`envelope=true`) is read whole: its status is
        // inside the body, so the body decides whether it is a success.
        let stream = !request.unwrap_envelope;
        let (exchange, stats) = self.run(&request, stream).await?;
        let Some(unread) = exchange.unread else {
            let raw = RawResponse::new(
                exchange.status,
                exchange.headers,
                exchange.body,
                request.unwrap_envelope,
            );
            if !stream && raw.status().is_success() {
                let body = raw.body().clone();
                let chunk = futures_util::stream::once(async move { Ok(body) });
                return Ok(Response {
                    meta: raw.meta().clone(),
                    body: ByteStream::new(Box::pin(chunk), stats.count),
                });
            }
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
        if self.dry_run {
            return Err(self.describe(request, &url, limits));
        }
        crate::lifecycle::check_sunset(request, self.sunset_warning);
        let started = Instant::now();
        let span = crate::telemetry::operation_span(request, &self.base_url);
        let mut progress = Progress {
            count: 1,
            in_flight: None,
        };
        let deadline = limits.operation_timeout.map(|limit| started + limit);
        let attempts = self
            .attempts(request, &url, limits, deadline, stream, &mut progress)
            .instrument(span.clone());
        let outcome = match limits.operation_timeout {
            None => attempts.await,
            Some(limit) => match tokio::time::timeout(limit, attempts).await {
                Ok(outcome) => outcome,
                Err(_) => {
                    let err = CommunicationError::timeout(
                        TimeoutKind::Operation,
                        limit,
                        Some(url.clone()),
                    );
                    // The attempt the deadline cut short still ends, in
                    // the wire log and for the interceptors.
                    if let Some(sent) = progress.in_flight {
                        wire::failed(sent.elapsed(), &err);
                        self.interceptors.after(
                            &attempt_info(request, progress.count),
                            &AttemptOutcome {
                                status: None,
                                headers: None,
                                error: Some(&err),
                                elapsed: sent.elapsed(),
                            },
                        );
                    }
                    Err(AttemptError::Transport(err))
                }
            },
        };
        let stats = CallStats {
            count: progress.count,
            started,
        };
        let (status, failure) = match &outcome {
            Ok(exchange) => (Some(exchange.status), None),
            Err(AttemptError::Transport(err)) => (None, Some(err.kind_name())),
            Err(AttemptError::Auth(_)) => (None, Some("auth")),
            Err(AttemptError::TooLarge { status, .. }) => (Some(*status), Some("body too large")),
        };
        crate::telemetry::record_outcome(&span, status, failure, progress.count);
        match outcome {
            Ok(exchange) => {
                crate::lifecycle::check_headers(request, &exchange.headers);
                if let Some(gone) = version_gone(request, &exchange) {
                    return Err(gone);
                }
                Ok((exchange, stats))
            }
            Err(AttemptError::Transport(source)) => Err(Error::Communication {
                source,
                attempts: progress.count,
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

    /// Attempts until one is final or the [`RetryPolicy`] says stop; the
    /// last attempt's outcome. `progress` counts the attempts (for the
    /// call's result, and for a deadline that cuts the loop short).
    async fn attempts(
        &self,
        request: &ApiRequest,
        url: &Url,
        limits: Limits,
        deadline: Option<Instant>,
        stream: bool,
        progress: &mut Progress,
    ) -> Result<Exchange, AttemptError> {
        let retry = request.options.retry_override().unwrap_or(&self.retry);
        // After `TIMEOUT_WHILE_PAGING`: the URL with `includeCount=false`.
        let mut without_count: Option<Url> = None;
        loop {
            let url = without_count.as_ref().unwrap_or(url);
            // The call's bucket gives it a token (a wait when known empty).
            let mut bucket = self.limiter.acquire(request).await;
            let attempt = progress.count;
            let info = attempt_info(request, attempt);
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
            progress.in_flight = Some(sent);
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
            progress.in_flight = None;
            let wait = match &outcome {
                Ok(exchange) => {
                    span.record("status", exchange.status.as_u16());
                    let decision = after_answer(
                        &self.limiter,
                        bucket.take(),
                        retry,
                        request,
                        exchange.status,
                        &exchange.headers,
                        &exchange.body,
                        attempt,
                        without_count.is_some(),
                    );
                    match decision {
                        Decision::Final => None,
                        Decision::Retry(wait) => Some(wait),
                        Decision::WithoutCount => {
                            without_count = Some(without_include_count(url));
                            Some(std::time::Duration::ZERO)
                        }
                    }
                }
                Err(AttemptError::Transport(err)) => {
                    span.record("error", err.kind_name());
                    retry.after_error(&request.method, err, attempt)
                }
                Err(AttemptError::Auth(_) | AttemptError::TooLarge { .. }) => None,
            };
            // No answer to learn from (a failed attempt): the bucket's
            // first burst, if this was of it, is one shorter all the same.
            drop(bucket);
            let Some(wait) = wait else {
                return outcome;
            };
            tracing::info!(
                parent: &span,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "retrying"
            );
            // A streamed body not taken is dropped here, closing its connection.
            drop(outcome);
            tokio::time::sleep(wait).await;
            progress.count += 1;
        }
    }

    /// One attempt: the request with its credentials, including the extra
    /// round trips authentication may need (the scheme's business).
    async fn attempt(&self, p: &Prepared<'_>) -> Result<Exchange, AttemptError> {
        let sender = Sender {
            transport: self,
            prepared: p,
        };
        let attempt = Attempt::new(
            p.request.method.as_str(),
            &p.url[url::Position::BeforePath..url::Position::AfterQuery],
            p.request.body.as_ref().map_or(&[][..], |(_, b)| b),
            &self.http,
            p.deadline,
            &sender,
        );
        if !p.request.authenticate {
            // The spec says `security: []`: no credentials for this one.
            return attempt.send(HeaderMap::new()).await;
        }
        self.auth.authenticate(&attempt).await
    }

    /// One round trip with the scheme's headers ([`Self::request_for`],
    /// [`Self::round_trip`]), in the wire log (see [`crate::wire`]): the
    /// request here, the answer there.
    async fn send_once(
        &self,
        p: &Prepared<'_>,
        scheme_headers: HeaderMap,
    ) -> Result<Exchange, AttemptError> {
        let built = self
            .request_for(p, scheme_headers)
            .map_err(AttemptError::Transport)?
            .build()?;
        wire::request(wire::Exchange::Api, &built);
        self.round_trip(p, built).await
    }

    /// The request as sent: the request's own headers, then the call's and
    /// the interceptors', then `scheme_headers` (credentials), later ones
    /// replacing earlier ones of the same name.
    fn request_for(
        &self,
        p: &Prepared<'_>,
        scheme_headers: HeaderMap,
    ) -> Result<reqwest::RequestBuilder, CommunicationError> {
        let request = p.request;
        let mut headers = HeaderMap::new();
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(ACCEPT, header_value(request.accept_header())?);
        for (name, value) in &request.headers {
            let name = HeaderName::try_from(*name)
                .map_err(|err| CommunicationError::invalid_request(err.to_string()))?;
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
        Ok(builder.headers(headers))
    }

    /// One round trip of a built request within the response timeout; the
    /// body read to its end within the read timeout and the size limit,
    /// unless it is the 2xx body of a streamed call. Its answer (or why
    /// there was none) goes to the wire log.
    async fn round_trip(
        &self,
        p: &Prepared<'_>,
        built: reqwest::Request,
    ) -> Result<Exchange, AttemptError> {
        let started = Instant::now();
        let sent = self.http.execute(built);
        let response = match tokio::time::timeout(p.limits.response_timeout, sent).await {
            Ok(Ok(response)) => response,
            Ok(Err(err)) => {
                let err = CommunicationError::from(err);
                wire::failed(started.elapsed(), &err);
                return Err(AttemptError::Transport(err));
            }
            Err(_) => {
                let err = CommunicationError::timeout(
                    TimeoutKind::Response,
                    p.limits.response_timeout,
                    Some(p.url.clone()),
                );
                wire::failed(started.elapsed(), &err);
                return Err(AttemptError::Transport(err));
            }
        };
        let status = response.status();
        let headers = response.headers().clone();
        if p.stream && status.is_success() {
            wire::response_head(
                status.as_u16(),
                started.elapsed(),
                &headers,
                &"body streamed",
            );
            return Ok(Exchange {
                status,
                headers,
                body: Bytes::new(),
                unread: Some(response),
            });
        }
        let limit = p.limits.max_body_size;
        match read_to_end(response, p.limits.read_timeout, limit).await {
            Ok(body) => {
                wire::response(
                    wire::Exchange::Api,
                    status.as_u16(),
                    started.elapsed(),
                    &headers,
                    &body,
                );
                Ok(Exchange {
                    status,
                    headers,
                    body,
                    unread: None,
                })
            }
            Err(ReadError::Communication(err)) => {
                let note = format!("its body failed: {err}");
                wire::response_head(status.as_u16(), started.elapsed(), &headers, &note);
                Err(AttemptError::Transport(err))
            }
            Err(ReadError::TooLarge) => {
                let note = format!("its body is over the {limit}-byte limit, not read");
                wire::response_head(status.as_u16(), started.elapsed(), &headers, &note);
                Err(AttemptError::TooLarge {
                    status,
                    headers,
                    limit,
                })
            }
        }
    }
}

impl Transport {
    /// The request as it would be sent, credentials left out (a dry run):
    /// [`Error::NotSent`], or the error that stopped it being built. The
    /// call's own headers are in it; interceptors are not called (a dry
    /// run makes no attempt), so headers they would add are not.
    fn describe<E>(&self, request: &ApiRequest, url: &Url, limits: Limits) -> Error<E> {
        let prepared = Prepared {
            request,
            url,
            headers: request.options.headers().clone(),
            limits,
            deadline: None,
            stream: false,
        };
        let credentials = if request.authenticate {
            self.auth.credentials()
        } else {
            Credentials::None
        };
        let built = self
            .request_for(&prepared, HeaderMap::new())
            .and_then(|builder| builder.build().map_err(CommunicationError::from));
        match built {
            Ok(built) => Error::NotSent(Box::new(WireRequest::new(&built, credentials))),
            Err(source) => Error::Communication {
                source,
                attempts: 0,
            },
        }
    }
}

/// Where a call's attempts are, for a deadline that cuts them short: the
/// current attempt's number, and when it was sent while it is in flight.
struct Progress {
    count: u32,
    in_flight: Option<Instant>,
}

/// What an interceptor is told about attempt `attempt` of `request`.
fn attempt_info(request: &ApiRequest, attempt: u32) -> AttemptInfo<'_> {
    AttemptInfo {
        operation_id: request.operation_id,
        method: &request.method,
        path_template: request.path_template,
        attempt,
    }
}

/// When a call started and how many attempts it took.
struct CallStats {
    count: u32,
    started: Instant,
}

/// [`Error::VersionGone`] for a `410` or a `VERSION_GONE` answer.
fn version_gone<E>(request: &ApiRequest, exchange: &Exchange) -> Option<Error<E>> {
    let gone = exchange.status == reqwest::StatusCode::GONE
        || (!exchange.status.is_success()
            && crate::rate_limit::learn::error_code(&exchange.body).as_deref()
                == Some(crate::error_codes::VERSION_GONE));
    if !gone {
        return None;
    }
    let version = crate::telemetry::api_version(request);
    let raw = RawResponse::new(
        exchange.status,
        exchange.headers.clone(),
        exchange.body.clone(),
        false,
    );
    Some(Error::VersionGone {
        operation: request.operation_id,
        version: version.to_owned(),
        advice: crate::lifecycle::advice(request, version),
        meta: raw.meta().clone(),
    })
}

/// `url` with `includeCount=false` in place of any `includeCount`.
fn without_include_count(url: &Url) -> Url {
    let mut url = url.clone();
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(name, _)| name != "includeCount")
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    url.query_pairs_mut()
        .clear()
        .extend_pairs(kept)
        .append_pair("includeCount", "false");
    url
}

/// A header value built by generated code (a media type, a parameter);
/// one that cannot be sent fails the attempt as a request error.
fn header_value(value: String) -> Result<HeaderValue, CommunicationError> {
    HeaderValue::try_from(value).map_err(|err| CommunicationError::invalid_request(err.to_string()))
}
