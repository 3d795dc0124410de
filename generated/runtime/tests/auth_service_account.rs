//! Service accounts (OAuth 2.0 client credentials) against a token endpoint
//! and an API on loopback: issuance, caching, renewal before expiry and on
//! an expired-token 401, one shared renewal for 50 concurrent calls,
//! revocation, a failing token endpoint, and no secret in any output.
//! The transport is driven directly: the requests are built as generated
//! code builds them (see `common`).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use atlas_admin_runtime::{
    Auth, AuthError, Error, Response, RetryPolicy, ServiceAccount, Transport,
};
use base64::Engine as _;
use serde_json::{json, Value};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[path = "support/capture.rs"]
mod capture;
mod common;
use capture::Capture;

const CLIENT_ID: &str = "mdb_sa_id_6641f4b6c0e1e3a1b2c3d4e5";
const CLIENT_SECRET: &str = "mdb_sa_sk_s3cr3tValue0123456789";
const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const EXPORTS: &str =
    "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports";

/// The token endpoint, the revocation endpoint and the API, sharing state.
#[derive(Default)]
struct Atlas {
    issued: AtomicU64,
    token_requests: AtomicUsize,
    api_requests: AtomicUsize,
    /// Tokens the API accepts.
    valid: Mutex<HashSet<String>>,
    /// Tokens posted to the revocation endpoint.
    revoked: Mutex<Vec<String>>,
    expires_in: AtomicU64,
    /// The token endpoint answers 503 from now on.
    token_endpoint_down: std::sync::atomic::AtomicBool,
}

impl Atlas {
    fn new(expires_in: u64) -> Arc<Self> {
        let atlas = Self::default();
        atlas.expires_in.store(expires_in, Ordering::SeqCst);
        Arc::new(atlas)
    }

    /// The server now considers every issued token expired.
    fn expire_all(&self) {
        self.valid.lock().expect("lock").clear();
    }

    fn tokens(&self) -> usize {
        self.token_requests.load(Ordering::SeqCst)
    }

    fn api(&self) -> usize {
        self.api_requests.load(Ordering::SeqCst)
    }
}

fn basic() -> String {
    let pair = format!("{CLIENT_ID}:{CLIENT_SECRET}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

fn header<'a>(request: &'a Request, name: &str) -> &'a str {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

struct TokenEndpoint(Arc<Atlas>);

impl Respond for TokenEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.token_requests.fetch_add(1, Ordering::SeqCst);
        if self.0.token_endpoint_down.load(Ordering::SeqCst) {
            return ResponseTemplate::new(503).set_body_string("maintenance");
        }
        if header(request, "authorization") != basic()
            || header(request, "content-type") != "application/x-www-form-urlencoded"
            || request.body != b"grant_type=client_credentials"
        {
            return ResponseTemplate::new(400).set_body_json(json!({"error": "invalid_request"}));
        }
        // The transport's own User-Agent (the runtime's name by default).
        assert!(header(request, "user-agent").starts_with(concat!(env!("CARGO_PKG_NAME"), "/")));
        let n = self.0.issued.fetch_add(1, Ordering::SeqCst) + 1;
        let token = format!("tok-{n}");
        self.0.valid.lock().expect("lock").insert(token.clone());
        ResponseTemplate::new(200)
            .set_delay(Duration::from_millis(100))
            .set_body_json(json!({
                "access_token": token,
                "token_type": "Bearer",
                "expires_in": self.0.expires_in.load(Ordering::SeqCst)
            }))
    }
}

struct RevokeEndpoint(Arc<Atlas>);

impl Respond for RevokeEndpoint {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if header(request, "authorization") != basic() {
            return ResponseTemplate::new(401);
        }
        let body = String::from_utf8_lossy(&request.body).into_owned();
        self.0.revoked.lock().expect("lock").push(body.clone());
        if let Some(token) = body.split('&').find_map(|kv| kv.strip_prefix("token=")) {
            self.0.valid.lock().expect("lock").remove(token);
        }
        ResponseTemplate::new(200)
    }
}

struct Api(Arc<Atlas>);

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.api_requests.fetch_add(1, Ordering::SeqCst);
        let token = header(request, "authorization")
            .strip_prefix("Bearer ")
            .unwrap_or("");
        if self.0.valid.lock().expect("lock").contains(token) {
            ResponseTemplate::new(200).set_body_json(json!({
                "exportBucketId": "5f1a2b3c4d5e6f7a8b9c0d1e",
                "id": token,
            }))
        } else {
            // Refusals are slow, so that concurrent calls all see theirs
            // before any renewed token exists.
            ResponseTemplate::new(401)
                .set_delay(Duration::from_millis(200))
                .insert_header(
                    "WWW-Authenticate",
                    r#"Bearer realm="atlas", error="invalid_token", error_description="The access token expired""#,
                )
                .set_body_json(json!({
                    "error": 401, "errorCode": "UNAUTHORIZED", "reason": "Unauthorized",
                    "detail": "Invalid or expired token."
                }))
        }
    }
}

async fn start(atlas: &Arc<Atlas>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/oauth/token"))
        .respond_with(TokenEndpoint(atlas.clone()))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/api/oauth/revoke"))
        .respond_with(RevokeEndpoint(atlas.clone()))
        .mount(&server)
        .await;
    Mock::given(path(EXPORTS))
        .respond_with(Api(atlas.clone()))
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer, auth: Auth) -> Transport {
    Transport::builder()
        .base_url(server.uri())
        .auth(auth)
        .retry(
            RetryPolicy::new()
                .max_attempts(3)
                .base_delay(Duration::from_millis(10)),
        )
        .build()
        .expect("client")
}

fn service_account() -> Auth {
    Auth::service_account(CLIENT_ID, CLIENT_SECRET)
}

async fn export(client: &Transport) -> Result<Response<Value>, Error<Value>> {
    common::export(client, None).await
}

/// The token each call used (the fake API echoes it as the job id).
async fn token_used(client: &Transport) -> String {
    export(client).await.expect("call succeeds").body["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

#[tokio::test]
async fn one_token_request_serves_many_calls() {
    let atlas = Atlas::new(3600);
    let server = start(&atlas).await;
    let client = client(&server, service_account());
    for _ in 0..5 {
        assert_eq!(token_used(&client).await, "tok-1");
    }
    assert_eq!(atlas.tokens(), 1, "token cached");
    assert_eq!(atlas.api(), 5);
    // Clones share the cache.
    assert_eq!(token_used(&client.clone()).await, "tok-1");
    assert_eq!(atlas.tokens(), 1);
}

#[tokio::test]
async fn a_token_is_renewed_shortly_before_it_expires() {
    // A one-second token is renewed after half its life.
    let atlas = Atlas::new(1);
    let server = start(&atlas).await;
    let client = client(&server, service_account());
    assert_eq!(token_used(&client).await, "tok-1");
    assert_eq!(token_used(&client).await, "tok-1");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(token_used(&client).await, "tok-2");
    assert_eq!(atlas.tokens(), 2);
    // A margin longer than half the token's life is cut to half of it.
    let atlas = Atlas::new(3600);
    let server = start(&atlas).await;
    let auth =
        ServiceAccount::new(CLIENT_ID, CLIENT_SECRET).refresh_margin(Duration::from_secs(3599));
    let client = self::client(&server, auth.into());
    // Half the lifetime caps the margin: 1800 s remain, so no renewal yet.
    assert_eq!(token_used(&client).await, "tok-1");
    assert_eq!(token_used(&client).await, "tok-1");
    assert_eq!(atlas.tokens(), 1);
}

#[tokio::test]
async fn a_failed_early_renewal_keeps_the_current_token_until_it_expires() {
    let atlas = Atlas::new(1);
    let server = start(&atlas).await;
    let client = client(&server, service_account());
    assert_eq!(token_used(&client).await, "tok-1");
    atlas
        .token_endpoint_down
        .store(true, std::sync::atomic::Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Due for renewal, the renewal fails, the token still has 400 ms to live.
    assert_eq!(token_used(&client).await, "tok-1");
    assert_eq!(atlas.tokens(), 2);
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Now it has expired: the failure is reported.
    let err = export(&client).await.expect_err("token endpoint down");
    assert!(
        matches!(
            err,
            Error::Auth(AuthError::TokenRejected { status: 503, .. })
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_expired_token_401_renews_once_and_retries() {
    let atlas = Atlas::new(3600);
    let server = start(&atlas).await;
    let client = client(&server, service_account());
    assert_eq!(token_used(&client).await, "tok-1");
    atlas.expire_all();
    assert_eq!(token_used(&client).await, "tok-2");
    assert_eq!(atlas.tokens(), 2);
    assert_eq!(atlas.api(), 3, "one refused call, one resent");
}

#[tokio::test]
async fn a_401_that_does_not_mention_expiry_is_returned_as_is() {
    let atlas = Atlas::new(3600);
    let server = MockServer::start().await;
    Mock::given(path("/api/oauth/token"))
        .respond_with(TokenEndpoint(atlas.clone()))
        .mount(&server)
        .await;
    Mock::given(path(EXPORTS))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": 401, "errorCode": "NOT_ORG_GROUP_CREATOR", "reason": "Unauthorized"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server, service_account());
    let err = export(&client).await.expect_err("401");
    assert_eq!(
        err.api_error().and_then(|e| e["errorCode"].as_str()),
        Some("NOT_ORG_GROUP_CREATOR")
    );
    assert_eq!(atlas.tokens(), 1, "no renewal for a permission problem");
}

#[tokio::test]
async fn a_renewed_token_that_is_refused_too_ends_in_a_401_not_a_loop() {
    let atlas = Atlas::new(3600);
    let server = MockServer::start().await;
    Mock::given(path("/api/oauth/token"))
        .respond_with(TokenEndpoint(atlas.clone()))
        .mount(&server)
        .await;
    Mock::given(path(EXPORTS))
        .respond_with(
            ResponseTemplate::new(401)
                .insert_header("WWW-Authenticate", r#"Bearer error="invalid_token""#)
                .set_body_json(json!({"error": 401, "errorCode": "UNAUTHORIZED"})),
        )
        .expect(2)
        .mount(&server)
        .await;
    let client = client(&server, service_account());
    let err = export(&client).await.expect_err("401");
    assert_eq!(
        err.status(),
        Some(atlas_admin_runtime::StatusCode::UNAUTHORIZED)
    );
    assert_eq!(atlas.tokens(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_calls_share_one_token_request_and_one_renewal() {
    let atlas = Atlas::new(3600);
    let server = start(&atlas).await;
    let client = client(&server, service_account());

    let wave = |client: Transport| async move {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..50 {
            let client = client.clone();
            tasks.spawn(async move { token_used(&client).await });
        }
        let mut used = HashSet::new();
        while let Some(token) = tasks.join_next().await {
            used.insert(token.expect("task"));
        }
        used
    };

    // Cold start: 50 calls wait for the one token request in flight (it takes 100 ms).
    let used = wave(client.clone()).await;
    assert_eq!(used, HashSet::from(["tok-1".to_owned()]));
    assert_eq!(atlas.tokens(), 1, "50 calls, one token request");
    assert_eq!(atlas.api(), 50);

    // The server expires the token: 50 calls are refused and share one renewal.
    atlas.expire_all();
    let used = wave(client.clone()).await;
    assert_eq!(used, HashSet::from(["tok-2".to_owned()]));
    assert_eq!(atlas.tokens(), 2, "one renewal for 50 refused calls");
    assert_eq!(atlas.api(), 150, "50 refused, 50 resent");
}

#[tokio::test]
async fn revocation_posts_the_token_and_forgets_it() {
    let atlas = Atlas::new(3600);
    let server = start(&atlas).await;
    let client = client(&server, service_account());
    assert!(
        !client.revoke_token().await.expect("nothing to revoke"),
        "no token yet"
    );
    assert_eq!(token_used(&client).await, "tok-1");
    assert!(client.revoke_token().await.expect("revoked"));
    assert_eq!(
        atlas.revoked.lock().expect("lock").clone(),
        vec!["token=tok-1&token_type_hint=access_token".to_owned()]
    );
    assert_eq!(
        token_used(&client).await,
        "tok-2",
        "a new token after revocation"
    );
    assert_eq!(atlas.tokens(), 2);

    // Other credentials have nothing to revoke.
    let other = self::client(&server, Auth::bearer("static"));
    assert!(!other.revoke_token().await.expect("no-op"));
}

#[tokio::test]
async fn a_failing_token_endpoint_is_a_clear_error_without_a_loop() {
    let server = MockServer::start().await;
    Mock::given(path("/api/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "error": "invalid_client",
            "error_description": "Invalid client credentials"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path(EXPORTS))
        .respond_with(ResponseTemplate::new(200))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server, service_account());
    let err = export(&client).await.expect_err("no token");
    let Error::Auth(AuthError::TokenRejected { status, detail }) = &err else {
        panic!("expected TokenRejected, got {err:?}");
    };
    assert_eq!(*status, 401);
    assert_eq!(detail, "invalid_client: Invalid client credentials");
    let shown = format!("{err} {err:?} {client:?}");
    assert!(!shown.contains(CLIENT_SECRET), "{shown}");
    assert!(shown.contains("invalid_client"), "{shown}");
    server.verify().await;

    // A 200 that is not a token.
    let server = MockServer::start().await;
    Mock::given(path("/api/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>login</html>"))
        .expect(1)
        .mount(&server)
        .await;
    let client = self::client(&server, service_account());
    let err = export(&client).await.expect_err("no token");
    assert!(
        matches!(err, Error::Auth(AuthError::InvalidTokenResponse(_))),
        "{err:?}"
    );
    let server = MockServer::start().await;
    Mock::given(path("/api/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "abc", "token_type": "mac", "expires_in": 3600
        })))
        .mount(&server)
        .await;
    let err = export(&self::client(&server, service_account()))
        .await
        .expect_err("not bearer");
    assert!(err.to_string().contains("not Bearer"), "{err}");

    // An unreachable token endpoint (configured apart from the API).
    let dead = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead_url = format!("http://{}", dead.local_addr().expect("addr"));
    drop(dead);
    let api = MockServer::start().await;
    let auth = ServiceAccount::new(CLIENT_ID, CLIENT_SECRET).token_base_url(dead_url);
    let err = export(&self::client(&api, auth.into()))
        .await
        .expect_err("unreachable");
    let Error::Auth(AuthError::TokenRequest(source)) = &err else {
        panic!("expected TokenRequest, got {err:?}");
    };
    assert!(source.is_connect(), "{source:?}");
    assert!(api.received_requests().await.expect("recording").is_empty());
}

#[tokio::test]
async fn the_token_endpoint_can_live_elsewhere() {
    let atlas = Atlas::new(3600);
    let tokens = start(&atlas).await;
    let api = start(&atlas).await;
    let auth = ServiceAccount::new(CLIENT_ID, CLIENT_SECRET).token_base_url(tokens.uri());
    let client = client(&api, auth.into());
    assert_eq!(token_used(&client).await, "tok-1");
    let token_hosts = tokens.received_requests().await.expect("recording").len();
    let api_hosts = api.received_requests().await.expect("recording").len();
    assert_eq!((token_hosts, api_hosts), (1, 1));
}

#[tokio::test]
async fn spans_name_the_request_and_never_a_secret() {
    let out = Arc::new(Mutex::new(String::new()));
    let wire = Arc::new(Mutex::new(String::new()));
    let _guard = tracing::subscriber::set_default(Capture::new(out.clone(), wire.clone()));
    let atlas = Atlas::new(3600);
    let server = start(&atlas).await;
    let client = client(&server, service_account());
    // Tests running in parallel may register a callsite while this
    // subscriber is being installed and cache "not interested"; rebuilding
    // the interest cache before each step undoes that (tracing-core race).
    tracing::callsite::rebuild_interest_cache();
    token_used(&client).await;
    atlas.expire_all();
    tracing::callsite::rebuild_interest_cache();
    token_used(&client).await;
    tracing::callsite::rebuild_interest_cache();
    client.revoke_token().await.expect("revoked");

    let log = out.lock().expect("lock").clone();
    assert!(log.contains("span atlas.oauth.token"), "{log}");
    assert!(log.contains("span atlas.oauth.revoke"), "{log}");
    assert!(
        log.contains(
            "span atlas.request method=POST path=\"/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports\" attempt=1"
        ),
        "{log}"
    );
    assert!(log.contains("status=200"), "{log}");
    assert!(
        log.contains("status=401") || log.contains("renewing"),
        "{log}"
    );
    for secret in [CLIENT_SECRET, "tok-1", "tok-2", GROUP] {
        assert!(!log.contains(secret), "{secret} leaked into: {log}");
    }
    // The wire log (every level on here) names each exchange with its URL,
    // the token requests too, and never a credential: the Basic
    // credentials, the token answers and the bearer headers are redacted.
    // (The test server answers with the token it saw as the export's `id`:
    // that is the API's answer, not a credential, and stays.)
    let wire = wire
        .lock()
        .expect("lock")
        .replace(r#""id":"tok-1""#, "")
        .replace(r#""id":"tok-2""#, "");
    assert!(wire.contains("> POST http://"), "{wire}");
    assert!(wire.contains("/api/oauth/token"), "{wire}");
    assert!(wire.contains(&format!("/groups/{GROUP}/")), "{wire}");
    assert!(wire.contains("authorization: Basic [REDACTED]"), "{wire}");
    assert!(wire.contains("authorization: Bearer [REDACTED]"), "{wire}");
    for secret in [CLIENT_SECRET, "tok-1", "tok-2"] {
        assert!(
            !wire.contains(secret),
            "{secret} leaked into the wire log: {wire}"
        );
    }
}
