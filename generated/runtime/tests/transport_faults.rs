//! The transport against servers that misbehave, all on loopback: rate
//! limits, 5xx, resets, silence, truncated and non-JSON bodies, HTML error
//! pages. Every case ends in the right typed error after the right number of
//! attempts: idempotent requests are retried, a POST only when the failure
//! proves the server never got it (a refused connection) or refused it
//! unprocessed (429). The transport is driven directly: the requests are
//! built as generated code builds them (see `common`).

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use atlas_admin_runtime::{
    ApiRequest, Auth, Error, RawResponse, Response, RetryPolicy, Transport,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_RESPONSE_TIMEOUT,
};
use serde_json::{json, Value};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

mod common;
mod raw_server;

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const MEDIA: &str = "application/vnd.atlas.2023-01-01+json";
const TOKEN: &str = "s3cr3t-static-token";

fn policy() -> RetryPolicy {
    RetryPolicy::new()
        .max_attempts(3)
        .base_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(40))
        .max_retry_after(Duration::from_secs(5))
}

fn client_for(base: &str) -> Transport {
    Transport::builder()
        .base_url(base)
        .auth(Auth::bearer(TOKEN))
        .retry(policy())
        .response_timeout(Duration::from_millis(400))
        .connect_timeout(Duration::from_millis(400))
        .build()
        .expect("client")
}

async fn post(client: &Transport) -> Result<Response<Value>, Error<Value>> {
    common::export(client, None).await
}

async fn get(client: &Transport) -> Result<RawResponse, Error<Value>> {
    let request = ApiRequest::new(
        reqwest::Method::GET,
        "/api/atlas/v2/groups/{groupId}",
        &[GROUP],
        MEDIA,
    );
    client.execute(request).await
}

fn job() -> Value {
    json!({ "exportBucketId": "5f1a2b3c4d5e6f7a8b9c0d1e", "state": "Queued" })
}

fn rate_limited() -> ResponseTemplate {
    ResponseTemplate::new(429)
        .insert_header("RateLimit-Limit", "100")
        .insert_header("RateLimit-Remaining", "0")
        .set_body_json(json!({
            "error": 429, "errorCode": "RATE_LIMITED", "reason": "Too Many Requests",
            "detail": "Resource /api/atlas/v2/groups is limited to 100 requests every 1 minutes."
        }))
}

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("RateLimit-Limit", "100")
        .insert_header("RateLimit-Remaining", "99")
        .set_body_json(job())
}

/// Answers with the given responses in order, then repeats the last one.
struct Sequence(Mutex<VecDeque<ResponseTemplate>>);

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut queue = self.0.lock().expect("lock");
        if queue.len() > 1 {
            queue.pop_front().expect("non-empty")
        } else {
            queue.front().cloned().expect("non-empty")
        }
    }
}

async fn serve(responses: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(Sequence(Mutex::new(responses.into())))
        .mount(&server)
        .await;
    server
}

async fn requests(server: &MockServer) -> usize {
    server.received_requests().await.expect("recording").len()
}

#[tokio::test]
async fn a_429_without_retry_after_is_retried_even_for_a_post() {
    let server = serve(vec![rate_limited(), rate_limited(), ok()]).await;
    let response = post(&client_for(&server.uri())).await.expect("third try");
    assert_eq!(requests(&server).await, 3);
    assert_eq!(response.rate_limit().remaining, Some(99));
}

#[tokio::test]
async fn a_429_waits_at_least_retry_after_in_seconds() {
    let server = serve(vec![rate_limited().insert_header("Retry-After", "1"), ok()]).await;
    let started = Instant::now();
    post(&client_for(&server.uri())).await.expect("second try");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_429_waits_at_least_until_a_retry_after_date() {
    let at = SystemTime::now() + Duration::from_secs(2);
    let date = httpdate::fmt_http_date(at);
    let server = serve(vec![
        rate_limited().insert_header("Retry-After", date.as_str()),
        ok(),
    ])
    .await;
    let started = Instant::now();
    get(&client_for(&server.uri())).await.expect("second try");
    // The date has whole seconds: at least 1 s of the 2 remain.
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(requests(&server).await, 2);
}

#[tokio::test]
async fn a_rate_limit_that_never_lifts_ends_in_the_typed_429() {
    let server = serve(vec![rate_limited()]).await;
    let err = post(&client_for(&server.uri())).await.expect_err("429");
    let Error::Api { meta, body } = &err else {
        panic!("expected Error::Api, got {err:?}");
    };
    assert_eq!(meta.status, 429);
    assert_eq!(body["errorCode"], "RATE_LIMITED");
    assert_eq!(meta.rate_limit.limit, Some(100));
    assert_eq!(meta.rate_limit.remaining, Some(0));
    assert_eq!(requests(&server).await, 3, "max_attempts");
}

#[tokio::test]
async fn a_retry_after_beyond_the_cap_is_returned_at_once() {
    let server = serve(vec![rate_limited().insert_header("Retry-After", "3600")]).await;
    let started = Instant::now();
    let err = post(&client_for(&server.uri())).await.expect_err("429");
    assert_eq!(
        err.status(),
        Some(atlas_admin_runtime::StatusCode::TOO_MANY_REQUESTS)
    );
    assert_eq!(requests(&server).await, 1);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_503_on_get_is_retried() {
    let server = serve(vec![
        ResponseTemplate::new(503),
        ResponseTemplate::new(503),
        ok(),
    ])
    .await;
    let raw = get(&client_for(&server.uri())).await.expect("third try");
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.meta().rate_limit.remaining, Some(99));
    assert_eq!(requests(&server).await, 3);
}

#[tokio::test]
async fn a_503_on_get_gives_up_after_max_attempts() {
    let server = serve(vec![ResponseTemplate::new(503).set_body_string("busy")]).await;
    let raw = get(&client_for(&server.uri())).await.expect("a response");
    assert_eq!(raw.status(), 503);
    assert_eq!(requests(&server).await, 3);
    let err = raw.unexpected::<Value>();
    assert!(
        matches!(&err, Error::UnexpectedStatus { meta, body_prefix } if meta.status == 503 && body_prefix == "busy"),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_503_on_post_is_not_retried() {
    let server = serve(vec![ResponseTemplate::new(503), ok()]).await;
    let err = post(&client_for(&server.uri()))
        .await
        .expect_err("503 is final for a POST");
    assert!(
        matches!(&err, Error::UnexpectedStatus { meta, .. } if meta.status == 503),
        "{err:?}"
    );
    assert_eq!(requests(&server).await, 1, "createBackupExport sent once");
}

#[tokio::test]
async fn an_html_error_page() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>";
    // On a POST: not retried, kept as an undocumented status with its page.
    let server = serve(vec![ResponseTemplate::new(502)
        .insert_header("content-type", "text/html")
        .set_body_string(html)])
    .await;
    let err = post(&client_for(&server.uri())).await.expect_err("502");
    let Error::UnexpectedStatus { meta, body_prefix } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(meta.status, 502);
    assert_eq!(body_prefix, html);
    assert_eq!(requests(&server).await, 1);
    // On a GET: retried, then handed back.
    let server = serve(vec![ResponseTemplate::new(502).set_body_string(html)]).await;
    assert_eq!(
        get(&client_for(&server.uri())).await.expect("raw").status(),
        502
    );
    assert_eq!(requests(&server).await, 3);
    // A documented status (500) with an HTML page: the body does not decode.
    let server = serve(vec![ResponseTemplate::new(500).set_body_string(html)]).await;
    let err = post(&client_for(&server.uri())).await.expect_err("500");
    assert!(
        matches!(&err, Error::InvalidResponse { meta, body_prefix, .. } if meta.status == 500 && body_prefix.starts_with("<html>")),
        "{err:?}"
    );
}

#[tokio::test]
async fn non_json_and_truncated_json_bodies_are_invalid_responses() {
    for body in [
        "OK",
        r#"{"exportBucketId": "5f1a2b3c4d5e6f7a8b9c0d1e", "sta"#,
    ] {
        let server = serve(vec![ResponseTemplate::new(200).set_body_string(body)]).await;
        let err = post(&client_for(&server.uri()))
            .await
            .expect_err("bad body");
        let Error::InvalidResponse {
            meta, body_prefix, ..
        } = &err
        else {
            panic!("{err:?}");
        };
        assert_eq!((meta.status.as_u16(), body_prefix.as_str()), (200, body));
        assert_eq!(requests(&server).await, 1);
    }
}

/// A raw server whose connections all behave the same.
fn raw_server(behave: fn(TcpStream)) -> (String, Arc<AtomicUsize>) {
    raw_server::raw_server(move |stream, _| behave(stream))
}

fn read_request(stream: &mut TcpStream) {
    raw_server::read_request(stream);
}

/// Reads part of the request, then closes with data unread: Linux sends RST.
fn reset(mut stream: TcpStream) {
    let mut buf = [0u8; 16];
    let _ = stream.read(&mut buf);
}

fn never_answer(mut stream: TcpStream) {
    read_request(&mut stream);
    std::thread::sleep(Duration::from_secs(5));
}

fn truncated(mut stream: TcpStream) {
    read_request(&mut stream);
    let _ = stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"state\":",
    );
    let _ = stream.flush();
}

#[tokio::test]
async fn a_connection_reset_is_retried_for_get_only() {
    let (base, connections) = raw_server(reset);
    let client = client_for(&base);
    let err = get(&client).await.expect_err("reset");
    let Error::Communication { source, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(!source.is_connect(), "the connection was made: {source:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 3);
    let shown = format!("{err} {err:?} {client:?}");
    assert!(!shown.contains(TOKEN), "{shown}");

    let (base, connections) = raw_server(reset);
    let err = post(&client_for(&base)).await.expect_err("reset");
    assert!(matches!(err, Error::Communication { .. }), "{err:?}");
    assert_eq!(
        connections.load(Ordering::SeqCst),
        1,
        "the server may have got the POST: not resent"
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let (base, connections) = raw_server(never_answer);
    let started = Instant::now();
    let err = post(&client_for(&base)).await.expect_err("timeout");
    let Error::Communication { source, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(source.is_timeout(), "{source:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 1, "POST not resent");
    assert!(started.elapsed() < Duration::from_secs(2));

    let (base, connections) = raw_server(never_answer);
    let err = get(&client_for(&base)).await.expect_err("timeout");
    assert!(
        matches!(&err, Error::Communication { source: e, .. } if e.is_timeout()),
        "{err:?}"
    );
    assert_eq!(connections.load(Ordering::SeqCst), 3, "GET retried");
}

#[tokio::test]
async fn a_truncated_body_is_a_communication_error() {
    let (base, connections) = raw_server(truncated);
    let err = post(&client_for(&base)).await.expect_err("truncated");
    assert!(matches!(err, Error::Communication { .. }), "{err:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 1);

    let (base, connections) = raw_server(truncated);
    let err = get(&client_for(&base)).await.expect_err("truncated");
    assert!(matches!(err, Error::Communication { .. }), "{err:?}");
    assert_eq!(connections.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_a_post() {
    // Nothing listens on the port at first: the POST cannot have arrived.
    let probe = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = probe.local_addr().expect("addr");
    drop(probe);
    let client = Transport::builder()
        .base_url(format!("http://{addr}"))
        .retry(
            RetryPolicy::new()
                .max_attempts(8)
                .base_delay(Duration::from_millis(40))
                .max_delay(Duration::from_millis(200)),
        )
        .build()
        .expect("client");
    let server = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(60)).await;
        let listener = TcpListener::bind(addr).expect("port still free");
        let server = MockServer::builder().listener(listener).start().await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ok())
            .mount(&server)
            .await;
        server
    });
    let started = Instant::now();
    let response = post(&client).await.expect("sent once the server is up");
    assert_eq!(response.status(), 200);
    assert!(
        started.elapsed() >= Duration::from_millis(60),
        "retried after refusals"
    );
    let server = server.await.expect("server task");
    assert_eq!(requests(&server).await, 1, "received exactly once");

    // With every attempt refused, the error says so.
    let probe = TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", probe.local_addr().expect("addr"));
    drop(probe);
    let err = post(&client_for(&dead)).await.expect_err("refused");
    assert!(
        matches!(&err, Error::Communication { source: e, .. } if e.is_connect()),
        "{err:?}"
    );
}

#[test]
fn defaults_are_bounded() {
    let client = Transport::builder().build().expect("client");
    assert_eq!(client.retry_policy().attempts(), 4);
    assert_eq!(RetryPolicy::none().attempts(), 1);
    assert_eq!(RetryPolicy::new().max_attempts(0).attempts(), 1);
    assert_eq!(DEFAULT_CONNECT_TIMEOUT, Duration::from_secs(10));
    assert_eq!(DEFAULT_RESPONSE_TIMEOUT, Duration::from_secs(30));
    assert_eq!(DEFAULT_READ_TIMEOUT, Duration::from_secs(30));
}
