//! The operation span of a retried call, as an exporter-free subscriber
//! captures it: OpenTelemetry's HTTP client field names, one span per
//! operation with a child per attempt, no credential and no path value.
//! (A suite of its own: a subscriber set for one test thread races with
//! callsites registered by other tests of the same binary.)

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "support/capture.rs"]
mod capture;

#[path = "support/export_job.rs"]
mod export_job;
use export_job::{client, request, GROUP, PATH, TEMPLATE};

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

#[tokio::test]
async fn a_retried_call_is_one_operation_span_with_semantic_convention_fields() {
    let out = Arc::new(Mutex::new(String::new()));
    let wire = Arc::new(Mutex::new(String::new()));
    let _guard = tracing::subscriber::set_default(capture::Capture::new(out.clone(), wire));
    tracing::callsite::rebuild_interest_cache();
    let server = server_answering(ResponseTemplate::new(503), 1).await;
    client(&server)
        .execute::<Value>(request(reqwest::Method::GET))
        .await
        .expect("sent");
    let out = out.lock().expect("lock").clone();
    assert_eq!(out.matches("span atlas.operation").count(), 1, "{out}");
    assert_eq!(out.matches("span atlas.request").count(), 2, "{out}");
    let port = server.address().port();
    for field in [
        "otel.kind=\"client\"".to_owned(),
        "http.request.method=GET".to_owned(),
        format!("url.template=\"{TEMPLATE}\""),
        "server.address=\"127.0.0.1\"".to_owned(),
        format!("server.port={port}"),
        "atlas.operation_id=\"getGroupClusterBackupExport\"".to_owned(),
        "atlas.api_version=\"2023-01-01\"".to_owned(),
        "http.response.status_code=200".to_owned(),
        "http.request.resend_count=1".to_owned(),
    ] {
        assert!(out.contains(&field), "{field} in {out}");
    }
    assert!(!out.contains("error.type"), "the call succeeded: {out}");
    assert!(!out.contains("s3cr3t"), "no credential: {out}");
    assert!(!out.contains(GROUP), "no path value: {out}");
}
