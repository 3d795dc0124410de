//! Retry classes by Atlas error code and the `User-Agent`, against loopback servers (wiremock). Error bodies are
//! Atlas's real ones; outcomes are counted (requests the server saw), not
//! read from how the body decodes.

use atlas_admin_runtime::{Auth, CallOptions, Transport};
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "support/export_job.rs"]
mod export_job;
use export_job::{client, request, PATH};

fn refusal(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "detail": "No.", "error": status, "errorCode": code,
        "parameters": ["x", 1], "reason": "Bad Request",
    }))
}

/// Answers with `first` `times` times, then 200.
async fn server_answering(first: ResponseTemplate, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(PATH))
        .respond_with(first)
        .up_to_n_times(times)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path(PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "e"})))
        .mount(&server)
        .await;
    server
}

async fn seen(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

#[tokio::test]
async fn a_rate_limit_code_under_400_is_a_rate_limit_even_for_a_post() {
    let server = server_answering(refusal(400, "INVITATIONS_RATE_LIMITED_IP"), 1).await;
    let answer = client(&server)
        .execute::<Value>(request(reqwest::Method::POST))
        .await
        .expect("sent");
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(seen(&server).await, 2, "refused once, then served");
}

#[tokio::test]
async fn codes_the_caller_names_are_retried_without_a_loop() {
    let server = server_answering(refusal(400, "CANNOT_ASSUME_ROLE"), 2).await;
    let client = client(&server);
    let once = client
        .execute::<Value>(request(reqwest::Method::POST))
        .await
        .expect("sent");
    assert_eq!(once.status().as_u16(), 400, "not retried unless asked");
    assert_eq!(seen(&server).await, 1);

    let mut asked = request(reqwest::Method::POST);
    asked.options = CallOptions::default().retry_on_code("CANNOT_ASSUME_ROLE");
    let answer = client.execute::<Value>(asked).await.expect("sent");
    assert_eq!(answer.status().as_u16(), 200);
    assert_eq!(seen(&server).await, 3, "the second refusal, then served");
}

#[tokio::test]
async fn a_page_that_timed_out_counting_is_asked_again_without_the_count() {
    let server = MockServer::start().await;
    Mock::given(path(PATH))
        .and(wiremock::matchers::query_param("includeCount", "false"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"results": []})))
        .mount(&server)
        .await;
    Mock::given(path(PATH))
        .respond_with(refusal(500, "TIMEOUT_WHILE_PAGING"))
        .mount(&server)
        .await;
    let mut page = request(reqwest::Method::GET);
    page.query.push(("pageNum", "3".into()));
    page.query.push(("includeCount", "true".into()));
    let answer = client(&server).execute::<Value>(page).await.expect("sent");
    assert_eq!(answer.status().as_u16(), 200);
    let requests = server.received_requests().await.expect("recorded");
    let queries: Vec<_> = requests
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        queries,
        [
            "pageNum=3&includeCount=true",
            "pageNum=3&includeCount=false"
        ]
    );
}

#[tokio::test]
async fn the_user_agent_suffix_goes_on_api_and_token_requests() {
    let server = MockServer::start().await;
    let agent = concat!(
        "atlas-admin-runtime/",
        env!("CARGO_PKG_VERSION"),
        " my-tool/1.2"
    );
    Mock::given(method("POST"))
        .and(path("/api/oauth/token"))
        .and(header("user-agent", agent))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "a.b.c", "expires_in": 3600, "token_type": "Bearer"})))
        .mount(&server)
        .await;
    Mock::given(path(PATH))
        .and(header("user-agent", agent))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "e"})))
        .mount(&server)
        .await;
    // The client's own HTTP client, and one of the caller's (whose default
    // headers are not the client's): the same User-Agent on both kinds.
    for own_http_client in [false, true] {
        let mut builder = Transport::builder()
            .base_url(server.uri())
            .auth(Auth::service_account("mdb_sa_id_1", "mdb_sa_sk_1"))
            .user_agent_suffix("my-tool/1.2");
        if own_http_client {
            builder = builder.http_client(reqwest::Client::new());
        }
        let client = builder.build().expect("client");
        let answer = client
            .execute::<Value>(request(reqwest::Method::GET))
            .await
            .expect("sent");
        assert_eq!(
            answer.status().as_u16(),
            200,
            "both matched the user agent (own HTTP client: {own_http_client})"
        );
    }
    let tokens = server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .filter(|r| r.url.path() == "/api/oauth/token")
        .count();
    assert_eq!(tokens, 2, "one token request per client");
}
