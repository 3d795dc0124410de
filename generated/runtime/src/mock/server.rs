//! The mock's HTTP server: hyper on a loopback listener, one task per
//! connection, every request dispatched to the stubs.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming as HyperBody;
use hyper_util::rt::TokioIo;
use reqwest::header::{HeaderMap, ACCEPT, HOST};

use super::auth::AuthCheck;
use super::incoming::Incoming;
use super::matcher::RuleCore;
use super::recorded::RecordedRequest;
use super::reply::Reply;
use super::report;
use super::state::{lock, State};
use crate::client::builder::TransportBuilder;
use crate::retry::RetryPolicy;
use crate::Transport;

/// Configures a [`MockServer`] before it starts: which credentials it
/// requires.
#[derive(Debug, Default)]
pub struct MockServerBuilder {
    auth: AuthCheck,
}

impl MockServerBuilder {
    /// Requires HTTP Digest with this API key on every request (a request
    /// without it gets Atlas's challenge: `401`, `WWW-Authenticate: Digest
    /// realm="MMS Public API", ..., qop="auth"`); the mock's clients use it.
    pub fn require_digest(
        mut self,
        public_key: impl Into<String>,
        private_key: impl Into<String>,
    ) -> Self {
        self.auth = AuthCheck::digest(public_key.into(), private_key.into());
        self
    }

    /// Requires a bearer token issued to this service account on every
    /// request; the mock serves `POST /api/oauth/token` (HTTP Basic client
    /// credentials, `grant_type=client_credentials`) and
    /// `/api/oauth/revoke`. The mock's clients use the account.
    pub fn require_service_account(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
    ) -> Self {
        self.auth = AuthCheck::service_account(client_id.into(), client_secret.into());
        self
    }

    /// Starts the server on 127.0.0.1, on a port the system picks.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound (a test cannot go on without it).
    pub async fn start(self) -> MockServer {
        let listener = match tokio::net::TcpListener::bind(("127.0.0.1", 0)).await {
            Ok(listener) => listener,
            Err(err) => panic!("mock Atlas: cannot listen on 127.0.0.1: {err}"),
        };
        let address = match listener.local_addr() {
            Ok(address) => address,
            Err(err) => panic!("mock Atlas: no local address: {err}"),
        };
        let state = Arc::new(State {
            auth: self.auth,
            ..State::default()
        });
        let uri = format!("http://{address}");
        let shared = Arc::clone(&state);
        let origin = uri.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let shared = Arc::clone(&shared);
                let origin = origin.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |request| {
                        let shared = Arc::clone(&shared);
                        let origin = origin.clone();
                        async move { Ok::<_, Infallible>(handle(&shared, &origin, request).await) }
                    });
                    // A client that goes away mid-request ends its connection; nothing to do.
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        MockServer {
            state,
            uri,
            address,
            task,
        }
    }
}

/// A running mock Atlas (see the [module docs](super)). Dropping it stops
/// the server and checks every expectation, panicking with the report when
/// one failed (unless the thread is already panicking).
pub struct MockServer {
    state: Arc<State>,
    uri: String,
    address: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("uri", &self.uri)
            .finish()
    }
}

impl MockServer {
    /// Starts a mock that requires no credentials.
    pub async fn start() -> Self {
        MockServerBuilder::default().start().await
    }

    /// Configures a mock before starting it (credentials it requires).
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// The base URL (`http://127.0.0.1:PORT`): give it to a client
    /// (`ClientBuilder::base_url`), or to the command line (`--base-url`,
    /// `MONGODB_ATLAS_BASE_URL`); [`Self::env`] has it all.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The environment of a process that is to talk to this mock: the base
    /// URL as the command line and `Transport::from_env` read it
    /// ([`crate::ENV_BASE_URL`], `MONGODB_ATLAS_BASE_URL`), and the
    /// credentials the mock requires (`MONGODB_ATLAS_CLIENT_ID` and
    /// `_CLIENT_SECRET` for a service account, `MONGODB_ATLAS_PUBLIC_API_KEY`
    /// and `_PRIVATE_API_KEY` for digest, a placeholder API key when it
    /// requires none). For `Command::envs`: `atlas-api` (or the user's own
    /// binary) then runs against the mock as it runs against Atlas.
    /// `MONGODB_ATLAS_OPS_MANAGER_URL`, when the process inherits it, wins
    /// over the base URL: clear it (or the whole environment) first.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![(crate::ENV_BASE_URL, self.uri.clone())];
        env.extend(self.state.auth.env());
        env
    }

    /// The address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// A client builder aimed at this mock: its base URL, the credentials
    /// the mock requires, and retries that keep their rules but wait
    /// milliseconds (backoff from 1 ms, at most 20 ms; `Retry-After` is
    /// still honoured up to 2 s).
    pub fn client_builder<C: From<Transport>>(&self) -> TransportBuilder<C> {
        TransportBuilder::new()
            .base_url(self.uri.clone())
            .auth(self.state.auth.client_auth())
            .response_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(10))
            .retry(
                RetryPolicy::new()
                    .base_delay(Duration::from_millis(1))
                    .max_delay(Duration::from_millis(20))
                    .max_retry_after(Duration::from_secs(2)),
            )
    }

    /// A client of this mock, as [`Self::client_builder`] configures it.
    ///
    /// # Panics
    ///
    /// When the HTTP client cannot be built (no TLS backend, say).
    pub fn client<C: From<Transport>>(&self) -> C {
        match self.client_builder().build() {
            Ok(client) => client,
            Err(err) => panic!("mock Atlas: cannot build a client: {err}"),
        }
    }

    pub(crate) fn register(&self, rule: Arc<RuleCore>) {
        lock(&self.state.rules).push(rule);
    }

    /// Every request received so far, in order.
    pub fn received(&self) -> Vec<RecordedRequest> {
        lock(&self.state.received).clone()
    }

    /// The requests no stub matched.
    pub fn unmatched(&self) -> Vec<RecordedRequest> {
        lock(&self.state.unmatched)
            .iter()
            .map(|(r, _)| r.clone())
            .collect()
    }

    /// With [`MockServerBuilder::require_service_account`]: forgets every
    /// token issued, so that the next request is answered as Atlas answers
    /// an expired token (`401`, `Bearer error="invalid_token"`).
    pub fn expire_tokens(&self) {
        self.state.auth.expire_tokens();
    }

    /// Removes every stub and forgets every request received (a test that
    /// asserted a failing [`Self::check`] resets, so that the drop does
    /// not report it again). Stubs made earlier no longer answer.
    pub fn reset(&self) {
        lock(&self.state.rules).clear();
        lock(&self.state.received).clear();
        lock(&self.state.unmatched).clear();
    }

    /// `Ok` when every expectation holds and every request matched a stub;
    /// else the report: what was expected, what was received (method,
    /// path, operation) and the requests no stub matched.
    pub fn check(&self) -> Result<(), String> {
        report::check(&self.state)
    }

    /// [`Self::check`], panicking with its report.
    ///
    /// # Panics
    ///
    /// When an expectation failed or a request matched no stub.
    pub fn verify(&self) {
        if let Err(report) = self.check() {
            panic!("{report}");
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.task.abort();
        if !std::thread::panicking() {
            if let Err(report) = self.check() {
                panic!("{report}");
            }
        }
    }
}

/// Reads a request, answers it, records it.
async fn handle(
    state: &State,
    origin: &str,
    request: hyper::Request<HyperBody>,
) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let query = parts
        .uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let incoming = Incoming {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query,
        headers: parts.headers,
        body,
    };
    let origin = incoming
        .headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .map_or_else(|| origin.to_owned(), |host| format!("http://{host}"));
    let (reply, rule, version, nearest) = dispatch(state, &incoming);
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    let per_page = rule.as_ref().map_or(100, |r| r.info.items_per_page);
    let response = reply.render(version.as_deref(), per_page, &incoming, &origin);
    let recorded = RecordedRequest {
        method: incoming.method,
        path: incoming.path,
        query: incoming.query,
        headers: incoming.headers,
        body: incoming.body,
        operation: rule.as_ref().map(|r| r.info.operation_id),
        status: reply.status,
    };
    lock(&state.received).push(recorded.clone());
    match (rule, nearest) {
        (Some(rule), _) => rule.record(recorded),
        (None, Some(nearest)) => lock(&state.unmatched).push((recorded, nearest)),
        (None, None) => {}
    }
    response
}

/// The reply to `request`, the stub that matched, the API version the
/// request asked for, and (when no stub matched) the nearest stubs.
fn dispatch(
    state: &State,
    request: &Incoming,
) -> (Reply, Option<Arc<RuleCore>>, Option<String>, Option<String>) {
    if let Some(reply) = state.auth.oauth(request) {
        return (reply, None, None, None);
    }
    if let Err(reply) = state.auth.verify(request) {
        return (reply, None, None, None);
    }
    let rules: Vec<Arc<RuleCore>> = lock(&state.rules).clone();
    let mut misses = Vec::new();
    for rule in rules.iter().filter(|r| r.is_active()) {
        match rule.check(request) {
            Ok(()) => {
                let version = match accepted_version(&request.headers, rule.info.versions) {
                    Ok(version) => version,
                    Err(accept) => {
                        let detail = format!(
                            "Invalid accept header or version date. mock Atlas: {} answers {}, the request accepts {accept:?}.",
                            rule.info.operation_id,
                            rule.info
                                .versions
                                .iter()
                                .map(|v| format!("application/vnd.atlas.{v}+json"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                        let reply = Reply::mock_error(406, "INVALID_VERSION_DATE", &detail);
                        return (reply, Some(Arc::clone(rule)), None, None);
                    }
                };
                let reply = rule.next_reply().unwrap_or_else(|| {
                    Reply::mock_error(
                        500,
                        "MOCK_UNEXPECTED_CALL",
                        &format!(
                            "mock Atlas: the stub {} has no reply (expected {})",
                            rule.describe(),
                            rule.lock().expect.map(|e| e.describe()).unwrap_or_default()
                        ),
                    )
                });
                return (reply, Some(Arc::clone(rule)), version, None);
            }
            Err(miss) => misses.push((miss, rule)),
        }
    }
    let nearest = report::nearest(&mut misses);
    let detail = format!(
        "mock Atlas: no stub matches {} {}. {nearest}",
        request.method, request.path
    );
    let reply = Reply::mock_error(404, "MOCK_NO_MATCHING_STUB", &detail);
    (reply, None, None, Some(nearest))
}

/// The Atlas version the request's `Accept` asks for, when the operation
/// answers it (`None` for an operation without versions); else the
/// `Accept` as sent.
fn accepted_version(headers: &HeaderMap, versions: &[&str]) -> Result<Option<String>, String> {
    if versions.is_empty() {
        return Ok(None);
    }
    let accept = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept
        .split(',')
        .filter_map(|media| {
            media
                .trim()
                .split(';')
                .next()?
                .strip_prefix("application/vnd.atlas.")?
                .split_once('+')
                .map(|(version, _)| version)
        })
        .find(|version| versions.contains(version))
        .map(|version| Some(version.to_owned()))
        .ok_or_else(|| accept.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incoming(query: &[(&str, &str)], accept: &str) -> Incoming {
        let mut headers = HeaderMap::new();
        if let Ok(value) = accept.parse() {
            headers.insert(ACCEPT, value);
        }
        Incoming {
            method: "GET".into(),
            path: "/x".into(),
            query: query
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            headers,
            body: Bytes::new(),
        }
    }

    async fn body_of(response: hyper::Response<Full<Bytes>>) -> String {
        let bytes = response
            .into_body()
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    #[tokio::test]
    async fn envelope_true_wraps_the_answer_as_atlas_does() {
        let reply = Reply::mock_error(404, "X", "gone");
        let plain = reply.render(None, 100, &incoming(&[], ""), "http://h");
        assert_eq!(plain.status(), 404);
        let wrapped = reply.render(
            None,
            100,
            &incoming(&[("envelope", "true")], ""),
            "http://h",
        );
        assert_eq!(wrapped.status(), 200);
        let body: serde_json::Value =
            serde_json::from_str(&body_of(wrapped).await).unwrap_or_default();
        assert_eq!(body["status"], 404);
        assert_eq!(body["content"]["errorCode"], "X");
    }

    #[test]
    fn accept_names_one_of_the_operations_versions() {
        let versions = &["2023-01-01", "2024-05-30"];
        let headers = |accept: &str| incoming(&[], accept).headers;
        assert_eq!(
            accepted_version(&headers("application/vnd.atlas.2024-05-30+json"), versions),
            Ok(Some("2024-05-30".to_owned()))
        );
        assert_eq!(
            accepted_version(
                &headers("text/html, application/vnd.atlas.2023-01-01+gzip;q=0.9"),
                versions
            ),
            Ok(Some("2023-01-01".to_owned()))
        );
        assert_eq!(
            accepted_version(&headers("application/json"), versions),
            Err("application/json".to_owned())
        );
        assert_eq!(
            accepted_version(&headers("application/vnd.atlas.2099-01-01+json"), versions),
            Err("application/vnd.atlas.2099-01-01+json".to_owned())
        );
        assert_eq!(accepted_version(&headers(""), &[]), Ok(None));
    }
}
