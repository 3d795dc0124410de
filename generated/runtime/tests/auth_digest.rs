//! HTTP Digest with programmatic API keys against a real digest-protected
//! server on loopback. The server is written here, independently of the
//! client: it issues challenges, parses `Authorization`, recomputes the
//! RFC 7616 hash with the private key, tracks nonce counts, and can mark
//! nonces stale or forget them. The transport is driven directly: the
//! requests are built as generated code builds them (see `common`).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use atlas_admin_runtime::{ApiRequest, Auth, AuthError, Error, Response, RetryPolicy, Transport};
use md5::Md5;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

mod common;

const PUBLIC: &str = "abcdefgh";
const PRIVATE: &str = "a1b2c3d4-priv-ate0-key0-0123456789ab";
const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const REALM: &str = "MMS Public API";
const MEDIA: &str = "application/vnd.atlas.2023-01-01+json";

#[derive(Clone, Copy, PartialEq)]
enum Alg {
    Md5,
    Sha256,
}

impl Alg {
    fn hex(self, data: &str) -> String {
        let bytes: Vec<u8> = match self {
            Alg::Md5 => Md5::digest(data.as_bytes()).to_vec(),
            Alg::Sha256 => Sha256::digest(data.as_bytes()).to_vec(),
        };
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[derive(Clone, Copy)]
enum Style {
    /// Exactly what Atlas sends.
    Atlas,
    /// SHA-256, bare (unquoted) values, unusual order and case.
    Sha256Bare,
    /// No qop at all (RFC 2069 compatibility).
    NoQop,
    /// An algorithm the client does not implement.
    Unsupported,
}

#[derive(Default)]
struct NonceState {
    uses: u32,
    seen_nc: HashSet<u32>,
}

struct DigestServer {
    style: Style,
    /// After this many accepted requests a nonce is answered with `stale=true`.
    max_uses: Option<u32>,
    nonces: Mutex<HashMap<String, NonceState>>,
    counter: AtomicU64,
    /// Every (nonce, nc) accepted, in order.
    accepted: Mutex<Vec<(String, Option<u32>)>>,
}

impl DigestServer {
    fn new(style: Style) -> Arc<Self> {
        Arc::new(Self {
            style,
            max_uses: None,
            nonces: Mutex::default(),
            counter: AtomicU64::new(0),
            accepted: Mutex::default(),
        })
    }

    fn alg(&self) -> Alg {
        match self.style {
            Style::Sha256Bare => Alg::Sha256,
            _ => Alg::Md5,
        }
    }

    fn challenge(&self, stale: bool) -> Box<ResponseTemplate> {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let nonce = format!("n0nce{n}x{}", std::process::id());
        self.nonces
            .lock()
            .expect("lock")
            .insert(nonce.clone(), NonceState::default());
        let header = match self.style {
            Style::Atlas => format!(
                r#"Digest realm="{REALM}", domain="", nonce="{nonce}", algorithm=MD5, qop="auth", stale={stale}"#
            ),
            Style::Sha256Bare => format!(
                r#"Digest qop=auth, ALGORITHM=sha-256, Stale={}, nonce={nonce}, realm="{REALM}", opaque="op\"aque""#,
                if stale { "TRUE" } else { "FALSE" }
            ),
            Style::NoQop => format!(r#"Digest realm="{REALM}", nonce="{nonce}", stale={stale}"#),
            Style::Unsupported => {
                format!(r#"Digest realm="{REALM}", nonce="{nonce}", algorithm=SHA-512-256"#)
            }
        };
        Box::new(
            ResponseTemplate::new(401)
                .insert_header("WWW-Authenticate", header.as_str())
                .set_body_json(json!({
                    "detail": "You are not authorized for this resource.",
                    "error": 401,
                    "errorCode": "USER_UNAUTHORIZED",
                    "parameters": [],
                    "reason": "Unauthorized"
                })),
        )
    }

    fn check(&self, request: &Request) -> Result<(), Box<ResponseTemplate>> {
        let header = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| self.challenge(false))?;
        let params = parse_authorization(header).ok_or_else(|| self.challenge(false))?;
        let get = |k: &str| params.get(k).cloned().unwrap_or_default();
        let alg = self.alg();
        let nonce = get("nonce");
        let target = match request.url.query() {
            Some(q) => format!("{}?{q}", request.url.path()),
            None => request.url.path().to_owned(),
        };
        assert_eq!(get("uri"), target, "digest uri is the request target");
        assert_eq!(get("realm"), REALM);
        let mut nonces = self.nonces.lock().expect("lock");
        let Some(state) = nonces.get_mut(&nonce) else {
            drop(nonces);
            return Err(self.challenge(false));
        };
        if self.max_uses.is_some_and(|max| state.uses >= max) {
            drop(nonces);
            return Err(self.challenge(true));
        }
        let ha1 = alg.hex(&format!("{}:{REALM}:{PRIVATE}", get("username")));
        let ha2 = alg.hex(&format!("{}:{}", request.method, get("uri")));
        let (expected, nc) = match self.style {
            Style::NoQop => (alg.hex(&format!("{ha1}:{nonce}:{ha2}")), None),
            _ => {
                assert_eq!(get("qop"), "auth");
                let nc_hex = get("nc");
                assert_eq!(nc_hex.len(), 8, "nc is 8 hex digits");
                let nc = u32::from_str_radix(&nc_hex, 16).expect("hex nc");
                if !state.seen_nc.insert(nc) {
                    drop(nonces);
                    return Err(self.challenge(false)); // replayed nonce count
                }
                let cnonce = get("cnonce");
                assert!(cnonce.len() >= 16, "cnonce {cnonce:?}");
                (
                    alg.hex(&format!("{ha1}:{nonce}:{nc_hex}:{cnonce}:auth:{ha2}")),
                    Some(nc),
                )
            }
        };
        if matches!(self.style, Style::Sha256Bare) {
            assert_eq!(get("opaque"), "op\"aque", "opaque echoed unescaped");
            assert_eq!(get("algorithm"), "SHA-256");
        }
        if get("username") != PUBLIC || get("response") != expected {
            drop(nonces);
            return Err(self.challenge(false));
        }
        state.uses += 1;
        drop(nonces);
        self.accepted.lock().expect("lock").push((nonce, nc));
        Ok(())
    }

    /// Forgets every nonce, like a server restart.
    fn forget_nonces(&self) {
        self.nonces.lock().expect("lock").clear();
    }

    fn accepted(&self) -> Vec<(String, Option<u32>)> {
        self.accepted.lock().expect("lock").clone()
    }
}

struct Shared(Arc<DigestServer>);

impl Respond for Shared {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        match self.0.check(request) {
            Ok(()) => ResponseTemplate::new(200)
                .insert_header("RateLimit-Limit", "100")
                .insert_header("RateLimit-Remaining", "42")
                .set_body_json(job()),
            Err(refusal) => *refusal,
        }
    }
}

/// `Digest k=v, k="v"` into a map (quoted values unescaped).
fn parse_authorization(header: &str) -> Option<HashMap<String, String>> {
    let rest = header.strip_prefix("Digest ")?;
    let mut out = HashMap::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ' ' || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Some(out);
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.push(chars.next()?),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.peek().copied() {
                if c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        out.insert(key.trim().to_owned(), value.trim().to_owned());
    }
}

fn job() -> Value {
    json!({ "exportBucketId": "5f1a2b3c4d5e6f7a8b9c0d1e", "id": "6641f4b6c0e1e3a1b2c3d4e5", "state": "Queued" })
}

async fn start(server: &Arc<DigestServer>) -> MockServer {
    let mock = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(Shared(server.clone()))
        .mount(&mock)
        .await;
    mock
}

fn client(mock: &MockServer, private: &str) -> Transport {
    Transport::builder()
        .base_url(mock.uri())
        .auth(Auth::digest(PUBLIC, private))
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

async fn export(
    client: &Transport,
    envelope: Option<bool>,
) -> Result<Response<Value>, Error<Value>> {
    common::export(client, envelope).await
}

async fn round_trips(mock: &MockServer) -> usize {
    mock.received_requests().await.expect("recording").len()
}

#[tokio::test]
async fn atlas_challenge_first_request_two_round_trips_then_one_each() {
    let server = DigestServer::new(Style::Atlas);
    let mock = start(&server).await;
    let client = client(&mock, PRIVATE);

    let first = export(&client, None).await.expect("login works");
    assert_eq!(first.body["state"].as_str(), Some("Queued"));
    assert_eq!(first.rate_limit().remaining, Some(42));
    assert_eq!(round_trips(&mock).await, 2, "challenge + answer");

    for i in 0..9 {
        export(&client, (i % 2 == 0).then_some(false))
            .await
            .expect("reused nonce accepted");
    }
    // 10 requests: 2 round trips for the first, 1 for each of the 9 others.
    assert_eq!(round_trips(&mock).await, 11);
    let accepted = server.accepted();
    assert_eq!(accepted.len(), 10);
    assert!(
        accepted.iter().all(|(n, _)| *n == accepted[0].0),
        "one nonce"
    );
    let counts: Vec<_> = accepted.iter().map(|(_, nc)| nc.expect("nc")).collect();
    assert_eq!(counts, (1..=10).collect::<Vec<u32>>(), "nc increments");

    // The POST body went out whole on both legs of the challenge round trip.
    let requests = mock.received_requests().await.expect("recording");
    assert!(requests[0].headers.get("authorization").is_none());
    assert!(!requests[0].body.is_empty());
    assert_eq!(requests[0].body, requests[1].body);
    assert_eq!(
        requests[1]
            .headers
            .get("content-type")
            .map(|v| v.as_bytes()),
        Some(MEDIA.as_bytes())
    );
}

#[tokio::test]
async fn sha256_with_bare_reordered_directives_and_opaque() {
    let server = DigestServer::new(Style::Sha256Bare);
    let mock = start(&server).await;
    let client = client(&mock, PRIVATE);
    for _ in 0..3 {
        export(&client, Some(true)).await.expect("SHA-256 login");
    }
    assert_eq!(round_trips(&mock).await, 4);
    assert_eq!(server.accepted().len(), 3);
}

#[tokio::test]
async fn a_challenge_without_qop_is_answered_rfc_2069_style() {
    let server = DigestServer::new(Style::NoQop);
    let mock = start(&server).await;
    let client = client(&mock, PRIVATE);
    export(&client, None).await.expect("no-qop login");
    export(&client, None).await.expect("nonce reused");
    assert_eq!(round_trips(&mock).await, 3);
    let requests = mock.received_requests().await.expect("recording");
    let auth = requests[1].headers["authorization"]
        .to_str()
        .expect("ascii");
    assert!(!auth.contains("nc=") && !auth.contains("qop="), "{auth}");
}

#[tokio::test]
async fn a_wrong_private_key_is_a_typed_401_after_two_round_trips() {
    let server = DigestServer::new(Style::Atlas);
    let mock = start(&server).await;
    let wrong = "wrong-private-key-0000";
    let client = client(&mock, wrong);
    let err = export(&client, None).await.expect_err("bad key");
    let Error::Api { meta, body } = &err else {
        panic!("expected Error::Api, got {err:?}");
    };
    assert_eq!(meta.status, 401);
    assert_eq!(body["errorCode"], "USER_UNAUTHORIZED");
    assert_eq!(round_trips(&mock).await, 2, "no loop on bad credentials");
    for shown in [err.to_string(), format!("{err:?}"), format!("{client:?}")] {
        assert!(!shown.contains(wrong), "{shown}");
    }

    // With a nonce cached, a bad key costs two round trips again, not more.
    let err = export(&client, None).await.expect_err("bad key");
    assert_eq!(
        err.status(),
        Some(atlas_admin_runtime::StatusCode::UNAUTHORIZED)
    );
    assert_eq!(round_trips(&mock).await, 4);
}

#[tokio::test]
async fn a_stale_nonce_is_renewed_without_failing() {
    let mut server = DigestServer::new(Style::Atlas);
    Arc::get_mut(&mut server).expect("unshared").max_uses = Some(2);
    let mock = start(&server).await;
    let client = client(&mock, PRIVATE);
    for _ in 0..5 {
        export(&client, None).await.expect("stale nonces renewed");
    }
    // Round trips: 2 (challenge), 1, 2 (stale=true, renewed), 1, 2 (stale again).
    assert_eq!(round_trips(&mock).await, 8);
    let accepted = server.accepted();
    let nonces: HashSet<_> = accepted.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(nonces.len(), 3);
    // Each renewed nonce starts over at nc=1.
    let counts: Vec<_> = accepted.iter().map(|(_, nc)| nc.expect("nc")).collect();
    assert_eq!(counts, vec![1, 2, 1, 2, 1]);
}

#[tokio::test]
async fn a_rejected_reused_nonce_falls_back_to_a_fresh_challenge() {
    let server = DigestServer::new(Style::Atlas);
    let mock = start(&server).await;
    let client = client(&mock, PRIVATE);
    export(&client, None).await.expect("login");
    server.forget_nonces(); // the server restarted: the nonce is unknown, stale=false
    export(&client, None).await.expect("fresh challenge taken");
    assert_eq!(round_trips(&mock).await, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_one_nonce() {
    let server = DigestServer::new(Style::Atlas);
    let mock = start(&server).await;
    let client = client(&mock, PRIVATE);
    export(&client, None).await.expect("login");
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let client = client.clone();
        tasks.spawn(async move { export(&client, None).await.map(|r| r.status()) });
    }
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.expect("task").expect("call"), 200);
    }
    assert_eq!(round_trips(&mock).await, 2 + 20, "one round trip each");
    let mut counts: Vec<_> = server
        .accepted()
        .iter()
        .map(|(_, nc)| nc.expect("nc"))
        .collect();
    counts.sort_unstable();
    assert_eq!(
        counts,
        (1..=21).collect::<Vec<u32>>(),
        "no nonce count twice"
    );
}

#[tokio::test]
async fn digest_also_signs_a_get_with_a_query() {
    let server = DigestServer::new(Style::Atlas);
    let mock = start(&server).await;
    let client = client(&mock, PRIVATE);
    for _ in 0..2 {
        let mut request = ApiRequest::new(
            reqwest::Method::GET,
            "/api/atlas/v2/groups/{groupId}/clusters",
            &[GROUP],
            MEDIA,
        );
        request.query("pageNum", &2i64);
        request.query("itemsPerPage", "a b&c");
        let raw = client.execute::<Value>(request).await.expect("sent");
        assert_eq!(raw.status(), 200);
    }
    assert_eq!(round_trips(&mock).await, 3);
}

#[tokio::test]
async fn an_unsupported_challenge_is_a_clear_auth_error() {
    let server = DigestServer::new(Style::Unsupported);
    let mock = start(&server).await;
    let client = client(&mock, PRIVATE);
    let err = export(&client, None).await.expect_err("unsupported");
    let Error::Auth(AuthError::UnsupportedChallenge(why)) = &err else {
        panic!("expected an unsupported challenge, got {err:?}");
    };
    assert!(why.contains("SHA-512-256"), "{why}");
    assert_eq!(round_trips(&mock).await, 1);
}
