//! The generated client against a real HTTP server on loopback: what goes on
//! the wire, and how every documented response decodes.

use atlas_admin_api::models::{
    ApiError, BackupLabel, DiskBackupExportJobRequest, DiskBackupExportJobState, SnapshotId,
};
use atlas_admin_api::{Client, Error, ValidationErrorKind};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const BUCKET: &str = "5f1a2b3c4d5e6f7a8b9c0d1e";
const SNAPSHOT: &str = "65a1b2c3d4e5f60718293a4b";
const PATH: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports";
const MEDIA: &str = "application/vnd.atlas.2023-01-01+json";

fn job_json(state: &str) -> Value {
    json!({
        "components": [{ "exportId": "32b6e34b3d91647abb20e7b8", "replicaSetName": "rs0" }],
        "createdAt": "2025-05-04T09:42:00Z",
        "customData": [{ "key": "team", "value": "data" }],
        "exportBucketId": BUCKET,
        "exportStatus": { "exportedCollections": 3, "totalCollections": 42 },
        "finishedAt": "2025-05-04T10:42:00Z",
        "id": "6641f4b6c0e1e3a1b2c3d4e5",
        "links": [{ "href": "https://cloud.mongodb.com/api/atlas", "rel": "self" }],
        "prefix": "exported_snapshots/org/project/Cluster0/2025-05-04T0942/1714815720",
        "snapshotId": SNAPSHOT,
        "state": state,
        "stateReason": { "errorCode": "NONE", "message": "ok" },
        "someFieldAddedLater": { "x": 1 }
    })
}

fn request_body() -> DiskBackupExportJobRequest {
    DiskBackupExportJobRequest::new(
        BUCKET.parse().expect("valid bucket id"),
        SNAPSHOT.parse().expect("valid snapshot id"),
    )
    .with_custom_data([BackupLabel::default().with_key("team").with_value("data")])
}

fn client(server: &MockServer) -> Client {
    atlas_tests::test_client(&server.uri())
}

async fn call(
    server: &MockServer,
    envelope: Option<bool>,
) -> Result<atlas_admin_api::Response<atlas_admin_api::models::DiskBackupExportJob>, Error<ApiError>>
{
    let client = client(server);
    let mut builder = client
        .create_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(request_body());
    if let Some(e) = envelope {
        builder = builder.envelope(e);
    }
    builder.send().await
}

#[tokio::test]
async fn sends_the_documented_request_and_decodes_the_job() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .and(query_param_is_missing("envelope"))
        .and(header("accept", MEDIA))
        .and(header("content-type", MEDIA))
        .and(header("authorization", "Bearer test-token"))
        .and(body_json(json!({
            "exportBucketId": BUCKET,
            "snapshotId": SNAPSHOT,
            "customData": [{ "key": "team", "value": "data" }]
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", MEDIA)
                .insert_header("RateLimit-Limit", "100")
                .insert_header("RateLimit-Remaining", "99")
                .set_body_json(job_json("Queued")),
        )
        .expect(1)
        .mount(&server)
        .await;

    let response = call(&server, None).await.expect("success");
    assert_eq!(response.status(), 200);
    assert_eq!(response.rate_limit().limit, Some(100));
    assert_eq!(response.rate_limit().remaining, Some(99));
    let job = response.body;
    assert_eq!(job.state, Some(DiskBackupExportJobState::Queued));
    assert_eq!(job.export_bucket_id, BUCKET);
    assert_eq!(job.id.as_deref(), Some("6641f4b6c0e1e3a1b2c3d4e5"));
    let status = job.export_status.expect("exportStatus");
    assert_eq!(
        (status.exported_collections, status.total_collections),
        (Some(3), Some(42))
    );
    let created = job.created_at.expect("createdAt");
    assert_eq!(created.to_rfc3339(), "2025-05-04T09:42:00+00:00");
    assert_eq!(
        job.components.expect("components")[0]
            .replica_set_name
            .as_deref(),
        Some("rs0")
    );
    assert_eq!(
        job.state_reason.expect("stateReason").error_code.as_deref(),
        Some("NONE")
    );

    // The user agent names the crate and its version.
    let requests = server.received_requests().await.expect("recording on");
    let ua = requests[0]
        .headers
        .get("user-agent")
        .expect("user agent")
        .to_str()
        .expect("ascii");
    assert_eq!(ua, concat!("atlas-admin-api/", env!("CARGO_PKG_VERSION")));
    // Read-only fields never go out.
    let sent: Value = serde_json::from_slice(&requests[0].body).expect("json body");
    assert!(sent.get("links").is_none());
}

#[tokio::test]
async fn envelope_true_is_sent_and_the_envelope_unwrapped() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .and(query_param("envelope", "true"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "status": 200, "content": job_json("InProgress") })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let job = call(&server, Some(true)).await.expect("success").body;
    assert_eq!(job.state, Some(DiskBackupExportJobState::InProgress));
    assert_eq!(job.snapshot_id.as_deref(), Some(SNAPSHOT));
}

#[tokio::test]
async fn envelope_false_is_sent_when_set() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .and(query_param("envelope", "false"))
        .respond_with(ResponseTemplate::new(200).set_body_json(job_json("Successful")))
        .expect(1)
        .mount(&server)
        .await;
    let job = call(&server, Some(false)).await.expect("success").body;
    assert_eq!(job.state, Some(DiskBackupExportJobState::Successful));
}

#[tokio::test]
async fn an_enveloped_error_carries_the_status_inside_the_envelope() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": 404,
            "content": { "error": 404, "errorCode": "RESOURCE_NOT_FOUND", "reason": "Not Found", "detail": "Cannot find resource AWS" }
        })))
        .mount(&server)
        .await;
    let err = call(&server, Some(true))
        .await
        .expect_err("404 inside the envelope");
    assert_eq!(err.status(), Some(atlas_admin_api::StatusCode::NOT_FOUND));
    let body = err.api_error().expect("typed error body");
    assert_eq!(body.error_code(), Some("RESOURCE_NOT_FOUND"));
}

#[tokio::test]
async fn every_documented_error_status_decodes_into_api_error() {
    let cases = [
        (400, "VALIDATION_ERROR", "Bad Request"),
        (401, "NOT_ORG_GROUP_CREATOR", "Unauthorized"),
        (403, "CANNOT_CHANGE_GROUP_NAME", "Forbidden"),
        (404, "RESOURCE_NOT_FOUND", "Not Found"),
        (
            409,
            "CANNOT_DELETE_ORG_ACTIVE_LIVE_MIGRATION_ATLAS_ORG_LINK",
            "Conflict",
        ),
        (429, "RATE_LIMITED", "Too Many Requests"),
        (500, "UNEXPECTED_ERROR", "Internal Server Error"),
    ];
    for (status, code, reason) in cases {
        let server = MockServer::start().await;
        let mut body = json!({
            "error": status,
            "errorCode": code,
            "reason": reason,
            "detail": "(This is just an example)"
        });
        if status == 400 {
            body["badRequestDetail"] =
                json!({ "fields": [{ "field": "snapshotId", "description": "unknown snapshot" }] });
            body["parameters"] = json!([{ "name": "snapshotId" }]);
        }
        Mock::given(method("POST"))
            .and(path(PATH))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("Retry-After", "7")
                    .set_body_json(body),
            )
            .expect(1)
            .mount(&server)
            .await;
        let err = call(&server, None).await.expect_err("error status");
        let Error::Api { meta, body } = &err else {
            panic!("{status}: expected Error::Api, got {err:?}");
        };
        assert_eq!(meta.status, status);
        assert_eq!(body.status(), Some(status));
        assert_eq!(body.error_code(), Some(code));
        assert_eq!(body.reason(), Some(reason));
        assert!(err.to_string().contains(&status.to_string()), "{err}");
        if status == 400 {
            let detail: atlas_admin_api::models::BadRequestDetail = body
                .field("badRequestDetail")
                .map(atlas_admin_api::runtime::serde_helpers::decode_value)
                .expect("badRequestDetail")
                .expect("decodes");
            let fields = detail.fields.as_ref().expect("fields");
            assert_eq!(fields[0].field, "snapshotId");
            assert_eq!(body.parameters().len(), 1);
        }
        if status == 429 {
            assert_eq!(
                meta.headers
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok()),
                Some("7")
            );
        }
    }
}

#[tokio::test]
async fn an_unknown_state_is_kept_not_rejected() {
    let server = MockServer::start().await;
    let mut body = job_json("Paused");
    // Patterns are never enforced on responses either.
    body["id"] = json!("not-a-hex-id");
    Mock::given(method("POST"))
        .and(path(PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    let job = call(&server, None).await.expect("decodes").body;
    assert_eq!(
        job.state,
        Some(DiskBackupExportJobState::Unknown("Paused".into()))
    );
    assert_eq!(job.state.as_ref().map(|s| s.as_str()), Some("Paused"));
    assert_eq!(job.id.as_deref(), Some("not-a-hex-id"));
    // And it serialises back unchanged.
    assert_eq!(
        serde_json::to_value(&job.state).expect("serialises"),
        json!("Paused")
    );
}

#[tokio::test]
async fn invalid_inputs_are_rejected_before_anything_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(job_json("Queued")))
        .expect(0)
        .mount(&server)
        .await;
    let client = client(&server);

    let err = client
        .create_backup_export()
        .group_id("32B6E34B3D91647ABB20E7B8") // upper case: not in [a-f0-9]
        .cluster_name("Cluster0")
        .body(request_body())
        .send()
        .await
        .expect_err("invalid groupId");
    let Error::InvalidRequest(v) = &err else {
        panic!("expected InvalidRequest, got {err:?}")
    };
    assert_eq!(v.field, "groupId");
    assert_eq!(
        v.kind,
        ValidationErrorKind::Pattern {
            value: "32B6E34B3D91647ABB20E7B8".into(),
            pattern: "^([a-f0-9]{24})$"
        }
    );

    let err = client
        .create_backup_export()
        .group_id(GROUP)
        .cluster_name("-leading-dash")
        .body(request_body())
        .send()
        .await
        .expect_err("invalid clusterName");
    assert!(err.to_string().contains("clusterName"), "{err}");
    assert!(
        err.to_string().contains("^[a-zA-Z0-9][a-zA-Z0-9-]*$"),
        "{err}"
    );

    let err = client
        .create_backup_export()
        .group_id(GROUP)
        .body(request_body())
        .send()
        .await
        .expect_err("missing clusterName");
    assert_eq!(
        err.to_string(),
        "request not sent: missing required `clusterName`"
    );

    let err = client
        .create_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .send()
        .await
        .expect_err("missing body");
    assert_eq!(err.to_string(), "request not sent: missing required `body`");

    // Body fields are validated newtypes: a bad id cannot even be built ...
    let bad = "65a1b2c3d4e5f60718293a4"
        .parse::<SnapshotId>()
        .expect_err("23 characters");
    assert_eq!(bad.field, "snapshotId");
    // ... nor smuggled in through JSON.
    let smuggled = serde_json::from_value::<DiskBackupExportJobRequest>(json!({
        "exportBucketId": BUCKET,
        "snapshotId": "zzz"
    }));
    let msg = smuggled
        .expect_err("pattern enforced when decoding a request")
        .to_string();
    assert!(msg.contains("snapshotId") && msg.contains("zzz"), "{msg}");
    // wiremock checks `.expect(0)` when the server drops.
}

#[tokio::test]
async fn an_undocumented_status_keeps_status_and_body() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(418).set_body_string("I'm a teapot"))
        .mount(&server)
        .await;
    let err = call(&server, None).await.expect_err("418");
    let Error::UnexpectedStatus { meta, body_prefix } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(meta.status, 418);
    assert_eq!(body_prefix, "I'm a teapot");
}

#[tokio::test]
async fn a_body_that_does_not_decode_keeps_status_and_first_bytes() {
    let server = MockServer::start().await;
    let html = format!("<html><body>{}</body></html>", "x".repeat(5000));
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string(html))
        .mount(&server)
        .await;
    let err = call(&server, None).await.expect_err("not JSON");
    let Error::InvalidResponse {
        meta, body_prefix, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(meta.status, 200);
    assert!(body_prefix.starts_with("<html><body>xxx"));
    assert_eq!(body_prefix.len(), 1024);

    // A documented error status with a body that is not JSON: still the
    // API error, its status and raw body kept, no error code.
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("upstream proxy error"))
        .mount(&server)
        .await;
    let err = call(&server, None).await.expect_err("500");
    let Error::Api { meta, body } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(meta.status, 500);
    assert_eq!(&body.raw()[..], b"upstream proxy error");
    assert_eq!(err.error_code(), None);
}

#[tokio::test]
async fn a_dead_server_is_a_communication_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .build()
        .expect("client");
    let err = client
        .create_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(request_body())
        .send()
        .await
        .expect_err("nothing listens");
    assert!(matches!(err, Error::Communication { .. }), "{err:?}");
}
