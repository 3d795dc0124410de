//! The client where users really run it: slow and stalled bodies, hung
//! servers, deadlines, streamed downloads, size limits, a caller's own
//! HTTP client, an explicit proxy, interceptors and per-call overrides,
//! each against a real server on loopback.

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atlas_admin_runtime::prelude::*;
use atlas_admin_runtime::{
    ApiRequest, AttemptInfo, AttemptOutcome, Auth, Binary, CallOptions, Endpoint, Error,
    Interceptor, RetryPolicy, StatusCode, TimeoutKind, Transport,
};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "support/capture.rs"]
mod capture;
mod raw_server;
use raw_server::{raw_server, read_request};

/// A download as a generated binary operation declares it.
struct Download;

impl Endpoint for Download {
    type Decoder = Binary;
    type ErrorBody = Value;
    const SUCCESS: &'static [(u16, bool)] = &[(200, true)];
    const ERRORS: &'static [u16] = &[404, 500];
}

const TEMPLATE: &str = "/api/atlas/v2/groups/{groupId}/logs/{logName}.gz";

fn download_request(method: reqwest::Method) -> ApiRequest {
    let mut request = ApiRequest::new(
        method,
        TEMPLATE,
        &["32b6e34b3d91647abb20e7b8", "mongodb"],
        "application/vnd.atlas.2023-02-01+gzip",
    );
    request.operation_id = "downloadGroupClusterLog";
    request
}

/// Bytes that do not repeat in any short period, so a duplicated or lost
/// chunk shows.
fn payload(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9E37_79B9;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy::new()
        .max_attempts(3)
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(20))
}

fn client(base: &str) -> Transport {
    Transport::builder()
        .base_url(base)
        .auth(Auth::bearer("t0k3n"))
        .retry(quick_retries())
        .response_timeout(Duration::from_millis(500))
        .read_timeout(Duration::from_millis(500))
        .build()
        .expect("client")
}

/// Sends a 200 with `body` in `chunk`-byte pieces, `pause` apart.
fn trickle(stream: &mut TcpStream, body: &[u8], chunk: usize, pause: Duration) {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.atlas.2023-02-01+gzip\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    for piece in body.chunks(chunk) {
        std::thread::sleep(pause);
        if stream
            .write_all(piece)
            .and_then(|()| stream.flush())
            .is_err()
        {
            return;
        }
    }
}

/// 300 KB at 100 KB/s: 3 s of body, six times the read timeout and the
/// response timeout. The old whole-exchange limit would have cut it; a
/// body that keeps moving is read to its end, byte for byte, buffered and
/// streamed alike.
#[tokio::test]
async fn a_slow_body_that_keeps_moving_completes_byte_identical() {
    let body = Arc::new(payload(300 * 1024));
    let served = body.clone();
    let (base, connections) = raw_server(move |mut stream, _| {
        read_request(&mut stream);
        trickle(&mut stream, &served, 10 * 1024, Duration::from_millis(100));
    });
    let client = client(&base);
    let started = Instant::now();
    let raw = client
        .execute::<Value>(download_request(reqwest::Method::GET))
        .await
        .expect("the whole body");
    let elapsed = started.elapsed();
    assert!(
        elapsed > Duration::from_secs(2),
        "the body took longer than any one limit"
    );
    println!(
        "300 KiB at 100 KiB/s: read whole in {elapsed:?}, {:.1} x the 500 ms response and read limits",
        elapsed.as_secs_f64() / 0.5
    );
    assert_eq!(raw.body().as_ref(), body.as_slice());

    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("mongodb.gz");
    let response = client
        .send_stream::<Download>(Ok(download_request(reqwest::Method::GET)))
        .await
        .expect("headers");
    assert_eq!(response.status(), StatusCode::OK);
    let written = response.into_body().save_to(&path).await.expect("saved");
    assert_eq!(written, body.len() as u64);
    assert_eq!(std::fs::read(&path).expect("file"), *body);
    assert_eq!(
        connections.load(Ordering::SeqCst),
        2,
        "one connection per call, nothing retried"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        1,
        "no temporary file left"
    );
}

/// Half a body, then silence with the connection open.
fn stall_midway(mut stream: TcpStream, _: usize) {
    read_request(&mut stream);
    let body = payload(64 * 1024);
    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body[..body.len() / 2]);
    let _ = stream.flush();
    std::thread::sleep(Duration::from_secs(5));
}

#[tokio::test]
async fn a_body_that_stalls_fails_within_the_read_timeout_and_leaves_no_file() {
    let (base, connections) = raw_server(stall_midway);
    let client = client(&base);
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("mongodb.gz");
    std::fs::write(&path, b"the previous download").expect("old file");

    let started = Instant::now();
    let response = client
        .send_stream::<Download>(Ok(download_request(reqwest::Method::GET)))
        .await
        .expect("headers arrive");
    let err = response
        .into_body()
        .save_to(&path)
        .await
        .expect_err("stalled");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let Error::Communication { source, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(source.timeout_kind(), Some(TimeoutKind::Read), "{err}");
    assert!(err.to_string().contains("stalled"), "{err}");
    assert_eq!(
        std::fs::read(&path).expect("kept"),
        b"the previous download"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        1,
        "no temporary file left"
    );
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "a started body is never re-requested"
    );

    // Buffered, a GET whose body stalls is retried as a whole, then fails.
    let (base, connections) = raw_server(stall_midway);
    let err = self::client(&base)
        .execute::<Value>(download_request(reqwest::Method::GET))
        .await
        .expect_err("stalled");
    assert!(
        matches!(&err, Error::Communication { source, attempts: 3 } if source.timeout_kind() == Some(TimeoutKind::Read)),
        "{err:?}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn the_wire_log_shows_the_head_of_an_answer_whose_body_stalls() {
    let out = Arc::new(Mutex::new(String::new()));
    let wire = Arc::new(Mutex::new(String::new()));
    let _guard = tracing::subscriber::set_default(capture::Capture::new(out, wire.clone()));
    // Parallel tests may have cached "not interested" for a callsite while
    // this subscriber was being installed (tracing-core race).
    tracing::callsite::rebuild_interest_cache();
    let (base, _) = raw_server(stall_midway);
    let client = Transport::builder()
        .base_url(&base)
        .auth(Auth::bearer("t0k3n"))
        .retry(RetryPolicy::none())
        .read_timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    client
        .execute::<Value>(download_request(reqwest::Method::GET))
        .await
        .expect_err("stalled");
    let wire = wire.lock().expect("lock").clone();
    assert!(wire.contains("> GET http://127.0.0.1:"), "{wire}");
    assert!(wire.contains("< 200 in "), "the status that came: {wire}");
    assert!(wire.contains("its body failed"), "{wire}");
    assert!(wire.contains("content-length"), "its headers: {wire}");
    assert!(!wire.contains("no answer"), "{wire}");
    assert!(!wire.contains("t0k3n"), "{wire}");
}

#[tokio::test]
async fn a_hung_server_fails_within_the_response_timeout() {
    let (base, connections) = raw_server(|mut stream, _| {
        read_request(&mut stream);
        std::thread::sleep(Duration::from_secs(5));
    });
    let client = client(&base);
    let started = Instant::now();
    let err = client
        .execute::<Value>(download_request(reqwest::Method::POST))
        .await
        .expect_err("no answer");
    let elapsed_post = started.elapsed();
    assert!(elapsed_post < Duration::from_secs(2), "{elapsed_post:?}");
    let Error::Communication { source, attempts } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(source.timeout_kind(), Some(TimeoutKind::Response));
    assert!(source.is_timeout());
    assert_eq!(*attempts, 1, "a POST is not resent");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    assert!(
        err.to_string()
            .contains("no response headers within 500 ms"),
        "{err}"
    );
    println!(
        "hung server, POST: failed after {:?} ({:.2} x the 500 ms response timeout), 1 attempt",
        elapsed_post,
        elapsed_post.as_secs_f64() / 0.5
    );

    // A GET is retried: each attempt ends at the response timeout.
    let (base, connections) = raw_server(|mut stream, _| {
        read_request(&mut stream);
        std::thread::sleep(Duration::from_secs(5));
    });
    let started = Instant::now();
    let err = self::client(&base)
        .execute::<Value>(download_request(reqwest::Method::GET))
        .await
        .expect_err("no answer");
    let elapsed = started.elapsed();
    assert!(
        matches!(&err, Error::Communication { source, attempts: 3 } if source.timeout_kind() == Some(TimeoutKind::Response)),
        "{err:?}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 3);
    // Three attempts of 500 ms and two short waits: well under 3 x 2 s.
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
    println!(
        "hung server, GET: 3 attempts in {elapsed:?} ({:.2} x the response timeout per attempt)",
        elapsed.as_secs_f64() / 1.5
    );

    // An operation deadline caps them all.
    let (base, _) = raw_server(|mut stream, _| {
        read_request(&mut stream);
        std::thread::sleep(Duration::from_secs(5));
    });
    let client = Transport::builder()
        .base_url(base)
        .retry(quick_retries())
        .response_timeout(Duration::from_millis(500))
        .operation_timeout(Duration::from_millis(700))
        .build()
        .expect("client");
    let started = Instant::now();
    let err = client
        .execute::<Value>(download_request(reqwest::Method::GET))
        .await
        .expect_err("deadline");
    let elapsed = started.elapsed();
    assert!(
        matches!(&err, Error::Communication { source, attempts: 2 } if source.timeout_kind() == Some(TimeoutKind::Operation)),
        "{err:?}"
    );
    assert!(elapsed < Duration::from_millis(1500), "{elapsed:?}");
    println!(
        "hung server, GET under a 700 ms deadline: ended after {elapsed:?} ({:.2} x the deadline), 2 attempts",
        elapsed.as_secs_f64() / 0.7
    );
}

#[tokio::test]
async fn the_operation_deadline_ends_a_retry_loop() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let patient = RetryPolicy::new()
        .max_attempts(50)
        .base_delay(Duration::from_millis(100))
        .max_delay(Duration::from_millis(100));
    let client = Transport::builder()
        .base_url(server.uri())
        .retry(patient)
        .operation_timeout(Duration::from_millis(600))
        .build()
        .expect("client");
    let started = Instant::now();
    let err = client
        .execute::<Value>(download_request(reqwest::Method::GET))
        .await
        .expect_err("deadline");
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    let Error::Communication { source, attempts } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(source.timeout_kind(), Some(TimeoutKind::Operation));
    assert!((2..50).contains(attempts), "{attempts}");
    assert!(err.to_string().contains("deadline"), "{err}");

    // Per call: a shorter deadline, and none at all.
    let mut request = download_request(reqwest::Method::GET);
    request.options = CallOptions::default().operation_timeout(Duration::from_millis(150));
    let err = client
        .execute::<Value>(request)
        .await
        .expect_err("deadline");
    assert!(
        matches!(&err, Error::Communication { source, .. } if source.timeout_kind() == Some(TimeoutKind::Operation))
    );
    let mut request = download_request(reqwest::Method::GET);
    request.options = CallOptions::default().no_operation_timeout().retry(
        RetryPolicy::new()
            .max_attempts(2)
            .base_delay(Duration::from_millis(1)),
    );
    let raw = client
        .execute::<Value>(request)
        .await
        .expect("the 503 itself");
    assert_eq!(raw.status(), StatusCode::SERVICE_UNAVAILABLE);
}

/// Counts the attempts it is told of, and keeps the kind of each failure.
#[derive(Default)]
struct Pairs {
    before: Mutex<u32>,
    after: Mutex<Vec<Option<TimeoutKind>>>,
}

impl Interceptor for Pairs {
    fn before_attempt(&self, _: &AttemptInfo<'_>, _: &mut HeaderMap) {
        *self.before.lock().expect("lock") += 1;
    }

    fn after_attempt(&self, _: &AttemptInfo<'_>, outcome: &AttemptOutcome<'_>) {
        let kind = outcome.error.and_then(|e| e.timeout_kind());
        self.after.lock().expect("lock").push(kind);
    }
}

#[tokio::test]
async fn an_attempt_the_deadline_cuts_short_still_ends_for_the_interceptors() {
    // Accepts, reads the request, and answers only after the deadline.
    let (base, _) = raw_server(|mut stream, _| {
        read_request(&mut stream);
        std::thread::sleep(Duration::from_secs(3));
    });
    let pairs = Arc::new(Pairs::default());
    let client = Transport::builder()
        .base_url(&base)
        .retry(quick_retries())
        .response_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_millis(300))
        .interceptor(pairs.clone())
        .build()
        .expect("client");
    let err = client
        .execute::<Value>(download_request(reqwest::Method::GET))
        .await
        .expect_err("deadline");
    assert!(
        matches!(&err, Error::Communication { source, attempts: 1 } if source.timeout_kind() == Some(TimeoutKind::Operation)),
        "{err:?}"
    );
    assert_eq!(*pairs.before.lock().expect("lock"), 1);
    assert_eq!(
        *pairs.after.lock().expect("lock"),
        [Some(TimeoutKind::Operation)],
        "every attempt begun is ended, with the deadline as its failure"
    );
}

#[tokio::test]
async fn a_streamed_download_is_retried_only_before_its_body_starts() {
    let body = Arc::new(payload(50 * 1024));
    let served = body.clone();
    let (base, connections) = raw_server(move |mut stream, n| {
        read_request(&mut stream);
        if n == 0 {
            let _ = stream
                .write_all(b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 4\r\n\r\nbusy");
        } else {
            trickle(&mut stream, &served, 8 * 1024, Duration::ZERO);
        }
    });
    let client = client(&base);
    let response = client
        .send_stream::<Download>(Ok(download_request(reqwest::Method::GET)))
        .await
        .expect("the retry answers");
    let mut received = Vec::new();
    response
        .into_body()
        .write_to(&mut received)
        .await
        .expect("body");
    assert_eq!(received, *body, "the body once, nothing of the 503 in it");
    assert_eq!(connections.load(Ordering::SeqCst), 2);

    // Cut mid-body: the stream ends with the error, nothing is re-requested.
    let (base, connections) = raw_server(|mut stream, _| {
        read_request(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nonly this");
    });
    let mut body = self::client(&base)
        .send_stream::<Download>(Ok(download_request(reqwest::Method::GET)))
        .await
        .expect("headers")
        .into_body();
    let mut chunks = Vec::new();
    let err = loop {
        match body.next().await {
            Some(Ok(chunk)) => chunks.extend_from_slice(&chunk),
            Some(Err(err)) => break err,
            None => panic!("a truncated body must not end cleanly"),
        }
    };
    assert!(matches!(err, Error::Communication { .. }), "{err:?}");
    assert_eq!(chunks, b"only this");
    assert_eq!(body.received(), 9);
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn error_statuses_of_a_streamed_call_decode_as_the_operation_says() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            serde_json::json!({"errorCode": "RESOURCE_NOT_FOUND", "detail": "no log"}),
        ))
        .mount(&server)
        .await;
    let err = client(&server.uri())
        .send_stream::<Download>(Ok(download_request(reqwest::Method::GET)))
        .await
        .expect_err("404");
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert!(matches!(&err, Error::Api { body, .. } if body["errorCode"] == "RESOURCE_NOT_FOUND"));
}

#[tokio::test]
async fn an_enveloped_answer_of_a_streamed_call_is_judged_by_its_envelope() {
    // `envelope=true`: Atlas answers 200 and puts the real status inside.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "status": 404,
            "content": {"errorCode": "RESOURCE_NOT_FOUND", "detail": "no log"}
        })))
        .mount(&server)
        .await;
    let mut request = download_request(reqwest::Method::GET);
    request.unwrap_envelope = true;
    let err = client(&server.uri())
        .send_stream::<Download>(Ok(request))
        .await
        .expect_err("the envelope's 404");
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert!(matches!(&err, Error::Api { body, .. } if body["errorCode"] == "RESOURCE_NOT_FOUND"));

    // A success in its envelope is handed over as a stream all the same.
    server.reset().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"status": 200, "content": "log lines"})),
        )
        .mount(&server)
        .await;
    let mut request = download_request(reqwest::Method::GET);
    request.unwrap_envelope = true;
    let response = client(&server.uri())
        .send_stream::<Download>(Ok(request))
        .await
        .expect("the envelope's 200");
    assert_eq!(response.status(), StatusCode::OK);
    let mut out = Vec::new();
    response.body.write_to(&mut out).await.expect("read");
    assert_eq!(out, br#""log lines""#);
}

#[tokio::test]
async fn bodies_read_into_memory_have_a_limit() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(payload(4096)))
        .mount(&server)
        .await;
    let client = Transport::builder()
        .base_url(server.uri())
        .max_body_size(1024)
        .build()
        .expect("client");
    let err = client
        .execute::<Value>(download_request(reqwest::Method::GET))
        .await
        .expect_err("too large");
    assert!(
        matches!(&err, Error::BodyTooLarge { limit: 1024, meta } if meta.status == StatusCode::OK),
        "{err:?}"
    );
    assert!(err.to_string().contains("1024 bytes"), "{err}");
    // Without a Content-Length the limit holds as the bytes arrive.
    let (base, _) = raw_server(|mut stream, _| {
        read_request(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
        let _ = stream.write_all(&payload(4096));
    });
    let err = Transport::builder()
        .base_url(base)
        .max_body_size(1024)
        .build()
        .expect("client")
        .execute::<Value>(download_request(reqwest::Method::GET))
        .await
        .expect_err("too large");
    assert!(matches!(err, Error::BodyTooLarge { .. }), "{err:?}");
    // Per call, and streamed bodies have none.
    let mut request = download_request(reqwest::Method::GET);
    request.options = CallOptions::default().max_body_size(8192);
    assert_eq!(
        client
            .execute::<Value>(request)
            .await
            .expect("fits")
            .body()
            .len(),
        4096
    );
    let streamed = client
        .send_stream::<Download>(Ok(download_request(reqwest::Method::GET)))
        .await
        .expect("headers")
        .into_body();
    let chunks: Vec<_> = streamed.try_collect().await.expect("body");
    assert_eq!(chunks.concat(), payload(4096));
}

#[tokio::test]
async fn a_callers_own_http_client_is_used() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(header("x-company-gateway", "on"))
        .and(header("authorization", "Bearer t0k3n"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let own = reqwest::Client::builder()
        .default_headers(HeaderMap::from_iter([(
            HeaderName::from_static("x-company-gateway"),
            HeaderValue::from_static("on"),
        )]))
        .build()
        .expect("reqwest client");
    let client = Transport::builder()
        .base_url(server.uri())
        .auth(Auth::bearer("t0k3n"))
        .http_client(own.clone())
        .build()
        .expect("client");
    let raw = client
        .execute::<Value>(download_request(reqwest::Method::GET))
        .await
        .expect("answered");
    assert_eq!(
        raw.status(),
        StatusCode::OK,
        "the gateway header and our credentials both went"
    );

    // TLS and proxy settings belong on that client, not beside it.
    let err = Transport::builder()
        .http_client(own)
        .no_proxy()
        .build()
        .expect_err("conflicting settings");
    assert!(err.message().contains("http_client"), "{err}");
}

/// An explicit proxy carries every request: it is asked for the API's
/// absolute URL (a host that does not resolve, so only the proxy can
/// answer), with the credentials, and its answer is the call's.
#[tokio::test]
async fn requests_go_through_the_configured_proxy() {
    let heads = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = heads.clone();
    let (proxy, connections) = raw_server(move |mut stream, _| {
        let head = read_request(&mut stream);
        log.lock().expect("lock").push(head);
        let body = b"proxied";
        let _ = write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.atlas.2023-02-01+gzip\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        let _ = stream.write_all(body);
    });
    let client = Transport::builder()
        .base_url("http://atlas.proxied.invalid")
        .auth(Auth::bearer("t0k3n"))
        .retry(RetryPolicy::none())
        .proxy(reqwest::Proxy::http(&proxy).expect("proxy URL"))
        .build()
        .expect("client");
    let raw = client
        .execute::<Value>(download_request(reqwest::Method::GET))
        .await
        .expect("answered through the proxy");
    assert_eq!(raw.status(), StatusCode::OK);
    assert_eq!(raw.body().as_ref(), b"proxied");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    let heads = heads.lock().expect("lock");
    let mut lines = heads[0].lines();
    assert_eq!(
        lines.next(),
        Some(
            "GET http://atlas.proxied.invalid/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/logs/mongodb.gz HTTP/1.1"
        ),
        "{heads:?}"
    );
    assert!(
        lines.any(|l| l.eq_ignore_ascii_case("authorization: Bearer t0k3n")),
        "{heads:?}"
    );
}

/// What the recorder keeps of an attempt: operation id, path template,
/// attempt number, status, whether it was timed.
type Seen = (String, String, u32, Option<u16>, bool);

/// Records every attempt it sees and tags each with a header.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<Seen>>,
}

impl Interceptor for Recorder {
    fn before_attempt(&self, attempt: &AttemptInfo<'_>, headers: &mut HeaderMap) {
        let value = HeaderValue::from_str(&attempt.attempt.to_string()).expect("digits");
        headers.insert(HeaderName::from_static("x-attempt"), value);
    }

    fn after_attempt(&self, attempt: &AttemptInfo<'_>, outcome: &AttemptOutcome<'_>) {
        self.seen.lock().expect("lock").push((
            attempt.operation_id.to_owned(),
            attempt.path_template.to_owned(),
            attempt.attempt,
            outcome.status.map(|s| s.as_u16()),
            outcome.elapsed > Duration::ZERO,
        ));
    }
}

#[tokio::test]
async fn an_interceptor_sees_every_attempt_and_per_call_headers_go_out() {
    let server = MockServer::start().await;
    // Only the third attempt, tagged by the interceptor, with the call's
    // own header, is answered 200; the first two get 503.
    Mock::given(method("GET"))
        .and(header("x-attempt", "3"))
        .and(header("x-request-id", "r-42"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let recorder = Arc::new(Recorder::default());
    let client = Transport::builder()
        .base_url(server.uri())
        .retry(quick_retries())
        .interceptor(recorder.clone())
        .build()
        .expect("client");
    let mut request = download_request(reqwest::Method::GET);
    request.options = CallOptions::default().header(
        HeaderName::from_static("x-request-id"),
        HeaderValue::from_static("r-42"),
    );
    let raw = client.execute::<Value>(request).await.expect("third time");
    assert_eq!(raw.status(), StatusCode::OK);
    let seen = recorder.seen.lock().expect("lock").clone();
    let op = "downloadGroupClusterLog".to_owned();
    assert_eq!(
        seen,
        vec![
            (op.clone(), TEMPLATE.to_owned(), 1, Some(503), true),
            (op.clone(), TEMPLATE.to_owned(), 2, Some(503), true),
            (op, TEMPLATE.to_owned(), 3, Some(200), true),
        ]
    );
}
