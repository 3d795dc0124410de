//! API-version lifecycle: a version past its `x-sunset` logs one warning
//! per operation per process; `Deprecation`/`Sunset` headers are kept on
//! the response and warned about once; a `410 VERSION_GONE` is an error
//! naming the operation, the version sent and what to do. One test (the
//! subscriber is per thread, and the warnings are once per process).

use std::sync::{Arc, Mutex};

use atlas_admin_runtime::{ApiRequest, Auth, Error, RetryPolicy, Transport};
use serde_json::{json, Value};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

#[path = "support/capture.rs"]
mod capture;

const VERSIONS: &[(&str, Option<&str>)] = &[
    ("2023-01-01", Some("2025-01-01")),
    ("2024-05-30", Some("2099-01-01")),
    ("2025-03-12", None),
];

fn request(operation_id: &'static str, at: &str) -> ApiRequest {
    let mut request = ApiRequest::new(
        reqwest::Method::GET,
        "/api/atlas/v2/groups/{groupId}/things",
        &[at],
        "application/vnd.atlas.2023-01-01+json",
    );
    request.operation_id = operation_id;
    request.versions = VERSIONS;
    request
}

#[tokio::test]
async fn sunsets_deprecations_and_gone_versions() {
    let out = Arc::new(Mutex::new(String::new()));
    let wire = Arc::new(Mutex::new(String::new()));
    let _guard = tracing::subscriber::set_default(capture::Capture::new(out.clone(), wire));
    tracing::callsite::rebuild_interest_cache();
    let server = MockServer::start().await;
    Mock::given(path("/api/atlas/v2/groups/ok/things"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    Mock::given(path("/api/atlas/v2/groups/deprecated/things"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("Deprecation", "@1735689600")
                .insert_header("Sunset", "Wed, 01 Jan 2031 00:00:00 GMT")
                .set_body_json(json!({})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/atlas/v2/groups/gone/things"))
        .respond_with(ResponseTemplate::new(410).set_body_json(json!({
            "detail": "The API version requested is no longer supported.", "error": 410,
            "errorCode": "VERSION_GONE", "parameters": ["2023-01-01"], "reason": "Gone"})))
        .mount(&server)
        .await;
    let client = Transport::builder()
        .base_url(server.uri())
        .auth(Auth::bearer("t"))
        .retry(RetryPolicy::none())
        .build()
        .expect("client");

    // Past its sunset: one warning per operation, however many calls.
    for _ in 0..3 {
        client
            .execute::<Value>(request("listThings", "ok"))
            .await
            .expect("sent");
    }
    client
        .execute::<Value>(request("listOtherThings", "ok"))
        .await
        .expect("sent");
    // A version with a sunset far away, or none: no warning.
    let mut current = request("listCurrentThings", "ok");
    current.api_version = Some("2025-03-12".into());
    client.execute::<Value>(current).await.expect("sent");
    let log = out.lock().expect("lock").clone();
    let warnings: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("whose sunset was"))
        .collect();
    assert_eq!(warnings.len(), 2, "{log}");
    assert!(
        warnings[0].contains("listThings uses API version 2023-01-01, whose sunset was 2025-01-01"),
        "{log}"
    );
    assert!(
        warnings[0].contains(".api_version(\"2025-03-12\")"),
        "{log}"
    );
    assert!(warnings[1].contains("listOtherThings"), "{log}");
    assert!(!log.contains("listCurrentThings uses"), "{log}");

    // Deprecation and Sunset headers: kept on the response, warned once.
    let mut current = request("getDeprecatedThing", "deprecated");
    current.api_version = Some("2025-03-12".into());
    let answer = client
        .execute::<Value>(current.clone())
        .await
        .expect("sent");
    client.execute::<Value>(current).await.expect("sent");
    assert_eq!(answer.meta().deprecation(), Some("@1735689600"));
    assert_eq!(
        answer.meta().sunset(),
        Some("Wed, 01 Jan 2031 00:00:00 GMT")
    );
    let log = out.lock().expect("lock").clone();
    assert_eq!(
        log.matches("of getDeprecatedThing is deprecated and will be removed on Wed, 01 Jan 2031")
            .count(),
        1,
        "{log}"
    );

    // 410 VERSION_GONE: an error that says what to do.
    let err = client
        .execute::<Value>(request("getGoneThing", "gone"))
        .await
        .expect_err("gone");
    assert!(
        matches!(&err, Error::VersionGone { operation: "getGoneThing", version, .. } if version == "2023-01-01"),
        "{err:?}"
    );
    assert!(err.is_error_code("VERSION_GONE"));
    assert_eq!(
        err.to_string(),
        "HTTP 410 VERSION_GONE: Atlas no longer serves API version 2023-01-01 of getGoneThing; pin a newer version with `.api_version(\"2025-03-12\")` or regenerate the client from a current spec"
    );
}
