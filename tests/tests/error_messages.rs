//! What each kind of error says (insta snapshots of `Display`), made by
//! real calls against loopback servers where a server is involved: errors
//! read as sentences, keep their cause, and match in one call.

use std::time::Duration;

use atlas_admin_api::{models::ApiError, Auth, Client, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const BUCKET: &str = "5f1a2b3c4d5e6f7a8b9c0d1e";

/// The message with the server's address made stable.
fn message(err: &Error, server: &str) -> String {
    err.to_string().replace(server, "http://SERVER")
}

fn client(base: &str) -> Client {
    atlas_tests::test_client(base)
}

async fn get_bucket(client: &Client) -> Error {
    client
        .get_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .send()
        .await
        .expect_err("fails")
}

async fn answering(template: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(".*"))
        .respond_with(template)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn every_kind_of_error_reads_as_a_sentence() {
    let mut lines = Vec::new();

    let invalid = client("http://127.0.0.1:9")
        .get_export_bucket()
        .group_id("not-a-group")
        .export_bucket_id(BUCKET)
        .send()
        .await
        .expect_err("invalid");
    lines.push(format!("InvalidRequest: {invalid}"));

    let config: Error = Client::builder()
        .base_url("not a url")
        .build()
        .expect_err("bad URL")
        .into();
    lines.push(format!("Config: {config}"));

    let not_found = answering(ResponseTemplate::new(404).set_body_json(json!({
        "detail": "No export bucket with ID 5f1a2b3c4d5e6f7a8b9c0d1e exists in group 32b6e34b3d91647abb20e7b8.",
        "error": 404, "errorCode": "RESOURCE_NOT_FOUND", "reason": "Not Found"
    })))
    .await;
    let api = get_bucket(&client(&not_found.uri())).await;
    assert!(api.is_error_code("RESOURCE_NOT_FOUND"));
    assert_eq!(
        (api.status(), api.error_code()),
        (
            Some(atlas_admin_api::StatusCode::NOT_FOUND),
            Some("RESOURCE_NOT_FOUND")
        )
    );
    assert_eq!(
        api.api_error().and_then(|e: &ApiError| e.status()),
        Some(404)
    );
    lines.push(format!("Api: {api}"));
    let debug = format!("{api:?}");
    assert!(
        !debug.contains("application/json"),
        "Debug shows header names, not values: {debug}"
    );

    let teapot = answering(ResponseTemplate::new(418).set_body_string("short and stout")).await;
    lines.push(format!(
        "UnexpectedStatus: {}",
        get_bucket(&client(&teapot.uri())).await
    ));

    let garbled = answering(ResponseTemplate::new(200).set_body_string("{\"_id\": 5")).await;
    lines.push(format!(
        "InvalidResponse: {}",
        get_bucket(&client(&garbled.uri())).await
    ));

    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let refused_base = format!("http://127.0.0.1:{port}");
    let refused = Client::builder()
        .base_url(&refused_base)
        .retry(
            RetryPolicy::new()
                .max_attempts(3)
                .base_delay(Duration::from_millis(1))
                .max_delay(Duration::from_millis(2)),
        )
        .build()
        .expect("client");
    let err = get_bucket(&refused).await;
    assert!(
        std::error::Error::source(&err).is_some(),
        "the cause is kept"
    );
    let text = message(&err, &refused_base)
        // The OS's wording of a refused connection.
        .replace("Connection refused (os error 111)", "CONNECTION REFUSED");
    lines.push(format!("Communication: {text}"));

    let token = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path_regex("/api/oauth/token"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client"})))
        .mount(&token)
        .await;
    let auth = Client::builder()
        .base_url(token.uri())
        .auth(Auth::service_account("mdb_sa_id_x", "mdb_sa_sk_y"))
        .retry(RetryPolicy::none())
        .build()
        .expect("client");
    lines.push(format!(
        "Auth: {}",
        message(&get_bucket(&auth).await, &token.uri())
    ));

    let timeout: Error = Error::WaitTimeout {
        elapsed: Duration::from_secs(600),
        polls: 42,
        last: None,
    };
    lines.push(format!("WaitTimeout: {timeout}"));
    let failed: Error = Error::WaitFailed {
        state: "Failed".into(),
        code: Some("EXPORT_FAILED".into()),
        reason: Some("The bucket refused the write.".into()),
        last: Box::new(json!({})),
    };
    assert!(failed.is_error_code("EXPORT_FAILED"));
    lines.push(format!("WaitFailed: {failed}"));

    insta::assert_snapshot!(lines.join("\n"));
}
