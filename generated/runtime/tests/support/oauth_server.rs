//! A loopback Atlas for the token suites: the service-account token
//! endpoint (client credentials, HTTP Basic) with Atlas's rate limit (a 429
//! with `Retry-After` and Atlas's `RATE_LIMITED` body once `limit` tokens
//! were issued within `window`), the device-flow token endpoint of
//! `atlas auth login` answering the refresh-token grant (rotating refresh
//! tokens; an unknown one gets `INVALID_REFRESH_TOKEN`), and an API under
//! `/api/atlas/v2/` that accepts only live tokens it issued (anything else
//! gets a 401 `Bearer error="invalid_token"`). It counts every request.
//!
//! Included with `#[path]` by the runtime's and the CLI's suites; each uses
//! part of it.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use serde_json::{json, Value};
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The service account the server knows.
pub const CLIENT_ID: &str = "mdb_sa_id_6641f4b6c0e1e3a1b2c3d4e5";
/// Its secret.
pub const CLIENT_SECRET: &str = "mdb_sa_sk_s3cr3tValue0123456789";
/// The public OAuth client of the Atlas CLI (`atlas auth login`).
pub const ATLAS_CLI_CLIENT_ID: &str = "0oabtxactgS3gHIR0297";
/// Where `atlas auth login` renews its tokens.
pub const DEVICE_TOKEN_PATH: &str = "/api/private/unauth/account/device/token";
/// What the API answers with (a bucket list).
pub const BUCKETS: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/backup/exportBuckets";

/// What the server saw and issued.
pub struct State {
    limit: usize,
    window: Duration,
    expires_in: AtomicU64,
    /// When each service-account token within the window was issued.
    issued_at: Mutex<VecDeque<Instant>>,
    serial: AtomicU64,
    /// Live access tokens and when they expire.
    live: Mutex<HashMap<String, SystemTime>>,
    /// Refresh tokens that still work.
    refresh_tokens: Mutex<HashSet<String>>,
    /// Service-account token requests, answered or refused.
    pub token_requests: AtomicUsize,
    /// Of those, the ones refused with a 429.
    pub rate_limited: AtomicUsize,
    /// Refresh-token grants, answered or refused.
    pub refresh_requests: AtomicUsize,
    /// API requests, with the token each carried.
    pub api_tokens: Mutex<Vec<String>>,
}

impl State {
    pub fn tokens(&self) -> usize {
        self.token_requests.load(Ordering::SeqCst)
    }

    pub fn limited(&self) -> usize {
        self.rate_limited.load(Ordering::SeqCst)
    }

    pub fn refreshes(&self) -> usize {
        self.refresh_requests.load(Ordering::SeqCst)
    }

    pub fn api_calls(&self) -> usize {
        self.api_tokens.lock().expect("lock").len()
    }

    /// The distinct tokens the API was called with, in order of first use.
    pub fn tokens_used(&self) -> Vec<String> {
        let mut seen = Vec::new();
        for t in self.api_tokens.lock().expect("lock").iter() {
            if !seen.contains(t) {
                seen.push(t.clone());
            }
        }
        seen
    }

    /// Lifetime of the tokens issued from now on.
    pub fn set_expires_in(&self, seconds: u64) {
        self.expires_in.store(seconds, Ordering::SeqCst);
    }

    /// The server forgets `token` (revoked, or its session ended).
    pub fn revoke(&self, token: &str) {
        self.live.lock().expect("lock").remove(token);
    }

    /// A user's login as `atlas auth login` leaves it: an access token
    /// (live, or expired `expired_secs_ago` seconds ago) and a working
    /// refresh token.
    pub fn user_login(&self, expired_secs_ago: Option<u64>) -> (String, String) {
        let expires = match expired_secs_ago {
            Some(ago) => SystemTime::now() - Duration::from_secs(ago),
            None => SystemTime::now() + Duration::from_secs(3600),
        };
        let access = self.mint_jwt(expires);
        let refresh = format!("refresh-{}", self.serial.fetch_add(1, Ordering::SeqCst));
        self.refresh_tokens
            .lock()
            .expect("lock")
            .insert(refresh.clone());
        (access, refresh)
    }

    /// Whether `refresh` still works.
    pub fn refresh_token_works(&self, refresh: &str) -> bool {
        self.refresh_tokens.lock().expect("lock").contains(refresh)
    }

    /// An access token shaped like Atlas's (a JWT whose `exp` says when it
    /// expires), registered as live until then.
    fn mint_jwt(&self, expires: SystemTime) -> String {
        let b64 = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let exp = expires
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let n = self.serial.fetch_add(1, Ordering::SeqCst);
        let token = format!(
            "{}.{}.sig{n}",
            b64(json!({"alg": "RS256", "typ": "JWT"})),
            b64(json!({"sub": "ada@example.com", "exp": exp, "cid": ATLAS_CLI_CLIENT_ID}))
        );
        self.live
            .lock()
            .expect("lock")
            .insert(token.clone(), expires);
        token
    }

    fn is_live(&self, token: &str) -> bool {
        self.live
            .lock()
            .expect("lock")
            .get(token)
            .is_some_and(|exp| SystemTime::now() < *exp)
    }
}

/// The server and its state.
pub struct OAuthServer {
    pub server: MockServer,
    pub state: Arc<State>,
}

impl OAuthServer {
    /// Atlas's limit: 10 service-account tokens a minute; tokens live an
    /// hour.
    pub async fn start() -> Self {
        Self::with_limit(10, Duration::from_secs(60)).await
    }

    /// `limit` tokens per `window`.
    pub async fn with_limit(limit: usize, window: Duration) -> Self {
        let state = Arc::new(State {
            limit,
            window,
            expires_in: AtomicU64::new(3600),
            issued_at: Mutex::default(),
            serial: AtomicU64::new(1),
            live: Mutex::default(),
            refresh_tokens: Mutex::default(),
            token_requests: AtomicUsize::new(0),
            rate_limited: AtomicUsize::new(0),
            refresh_requests: AtomicUsize::new(0),
            api_tokens: Mutex::default(),
        });
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/api/oauth/token"))
            .respond_with(ClientCredentials(state.clone()))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path(DEVICE_TOKEN_PATH))
            .respond_with(RefreshGrant(state.clone()))
            .mount(&server)
            .await;
        Mock::given(path_regex("^/api/atlas/v2/"))
            .respond_with(Api(state.clone()))
            .mount(&server)
            .await;
        Self { server, state }
    }

    pub fn uri(&self) -> String {
        self.server.uri()
    }
}

fn header<'a>(request: &'a Request, name: &str) -> &'a str {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

fn form(request: &Request) -> HashMap<String, String> {
    url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect()
}

fn api_error(status: u16, code: &str, reason: &str, detail: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "detail": detail, "error": status, "errorCode": code, "reason": reason,
    }))
}

struct ClientCredentials(Arc<State>);

impl Respond for ClientCredentials {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = &self.0;
        state.token_requests.fetch_add(1, Ordering::SeqCst);
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        );
        if header(request, "authorization") != basic
            || form(request).get("grant_type").map(String::as_str) != Some("client_credentials")
        {
            return ResponseTemplate::new(401).set_body_json(json!({
                "error": "invalid_client", "error_description": "Invalid client credentials"
            }));
        }
        let now = Instant::now();
        let mut issued = state.issued_at.lock().expect("lock");
        while issued
            .front()
            .is_some_and(|t| now.duration_since(*t) >= state.window)
        {
            issued.pop_front();
        }
        if issued.len() >= state.limit {
            state.rate_limited.fetch_add(1, Ordering::SeqCst);
            let oldest = issued.front().copied().unwrap_or(now);
            let wait = (oldest + state.window).saturating_duration_since(now);
            let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let minutes = state.window.as_secs() / 60;
            return api_error(
                429,
                "RATE_LIMITED",
                "Too Many Requests",
                &format!(
                    "Resource /api/oauth/token is limited to {} requests every {minutes} minutes.",
                    state.limit
                ),
            )
            .insert_header("Retry-After", seconds.max(1).to_string());
        }
        issued.push_back(now);
        drop(issued);
        let expires_in = state.expires_in.load(Ordering::SeqCst);
        let token = format!("sa-tok-{}", state.serial.fetch_add(1, Ordering::SeqCst));
        state.live.lock().expect("lock").insert(
            token.clone(),
            SystemTime::now() + Duration::from_secs(expires_in),
        );
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": token, "token_type": "Bearer", "expires_in": expires_in
        }))
    }
}

struct RefreshGrant(Arc<State>);

impl Respond for RefreshGrant {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = &self.0;
        state.refresh_requests.fetch_add(1, Ordering::SeqCst);
        let form = form(request);
        let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
        if field("grant_type") != "refresh_token"
            || field("client_id") != ATLAS_CLI_CLIENT_ID
            || field("scope") != "openid profile offline_access"
            || !header(request, "authorization").is_empty()
        {
            return api_error(
                400,
                "INVALID_REQUEST",
                "Bad Request",
                "The request is missing a parameter.",
            );
        }
        let presented = field("refresh_token");
        // Refresh tokens rotate: each works once.
        if !state.refresh_tokens.lock().expect("lock").remove(presented) {
            return api_error(
                400,
                "INVALID_REFRESH_TOKEN",
                "Bad Request",
                "The refresh token is invalid or expired.",
            );
        }
        let expires_in = state.expires_in.load(Ordering::SeqCst);
        let access = state.mint_jwt(SystemTime::now() + Duration::from_secs(expires_in));
        let refresh = format!("refresh-{}", state.serial.fetch_add(1, Ordering::SeqCst));
        state
            .refresh_tokens
            .lock()
            .expect("lock")
            .insert(refresh.clone());
        ResponseTemplate::new(200).set_body_json(json!({
            "access_token": access, "refresh_token": refresh,
            "scope": "openid profile offline_access", "id_token": "id-token",
            "token_type": "Bearer", "expires_in": expires_in
        }))
    }
}

struct Api(Arc<State>);

impl Respond for Api {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let state = &self.0;
        let token = header(request, "authorization")
            .strip_prefix("Bearer ")
            .unwrap_or("")
            .to_owned();
        state.api_tokens.lock().expect("lock").push(token.clone());
        if !state.is_live(&token) {
            return api_error(401, "UNAUTHORIZED", "Unauthorized", "Invalid or expired token.")
                .insert_header(
                    "WWW-Authenticate",
                    r#"Bearer realm="atlas", error="invalid_token", error_description="The access token is invalid or expired""#,
                );
        }
        ResponseTemplate::new(200).set_body_json(json!({
            "results": [{
                "_id": "5f1a2b3c4d5e6f7a8b9c0d1e", "bucketName": "b",
                "cloudProvider": "AWS", "iamRoleId": "32b6e34b3d91647abb20e7b8"
            }],
            "totalCount": 1
        }))
    }
}
