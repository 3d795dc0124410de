//! The whole backup-export workflow against loopback servers: every
//! operation's wire format and typed responses, pagination, the export
//! waiter and run-time API versions.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use atlas_admin_api::mock::{GetBackupExportStub, MockAtlas, Stub};
use atlas_admin_api::models::{
    ApiError, DiskBackupExportJob, DiskBackupExportJobState,
    DiskBackupSnapshotAwsExportBucketRequest, DiskBackupSnapshotExportBucketRequest,
    DiskBackupSnapshotExportBucketResponse, ExportStatus, StateReason,
    UpdateRequirePrivateNetworkingRequestView,
};
use atlas_admin_api::operations::{CreateExportBucket, ListExportBuckets};
use atlas_admin_api::runtime::Progress;
use atlas_admin_api::{Client, Error, RetryPolicy, ValidationErrorKind};
use atlas_tests::Sequence;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const BUCKET: &str = "5f1a2b3c4d5e6f7a8b9c0d1e";
const ROLE: &str = "668c5f0ed436263134491592";
const EXPORT: &str = "6641f4b6c0e1e3a1b2c3d4e5";
const V2023: &str = "application/vnd.atlas.2023-01-01+json";
const V2024: &str = "application/vnd.atlas.2024-05-30+json";
const BUCKETS: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/backup/exportBuckets";
const ONE_BUCKET: &str =
    "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/backup/exportBuckets/5f1a2b3c4d5e6f7a8b9c0d1e";
const EXPORTS: &str =
    "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports";
const ONE_EXPORT: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports/6641f4b6c0e1e3a1b2c3d4e5";

fn client(server: &MockServer) -> Client {
    atlas_tests::test_client(&server.uri())
}

fn job(state: &str, done: i64, total: i64) -> Value {
    json!({
        "id": EXPORT,
        "exportBucketId": BUCKET,
        "snapshotId": "65a1b2c3d4e5f60718293a4b",
        "state": state,
        "exportStatus": { "exportedCollections": done, "totalCollections": total },
        "links": [{ "href": "https://cloud.mongodb.com/api/atlas", "rel": "self" }]
    })
}

fn aws_bucket(id: &str) -> Value {
    json!({
        "_id": id,
        "bucketName": "export-bucket",
        "cloudProvider": "AWS",
        "iamRoleId": ROLE,
        "region": "us-east-1",
        "requirePrivateNetworking": true,
        "links": [{ "href": "https://cloud.mongodb.com/api/atlas", "rel": "self" }]
    })
}

fn api_error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error": status, "errorCode": code, "reason": "Not Found", "detail": "no such thing"
    }))
}

async fn requests_to(server: &MockServer) -> usize {
    server.received_requests().await.map_or(0, |r| r.len())
}

// ----- operations ----------------------------------------------------------

#[tokio::test]
async fn get_backup_export_sends_its_path_and_decodes_the_job() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ONE_EXPORT))
        .and(header("accept", V2023))
        .and(header("authorization", "Bearer test-token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(job("InProgress", 2, 5)))
        .expect(1)
        .mount(&server)
        .await;
    let response = client(&server)
        .get_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .export_id(EXPORT)
        .send()
        .await
        .expect("job");
    assert_eq!(
        response.body.state,
        Some(DiskBackupExportJobState::InProgress)
    );
    let status = response.body.export_status.expect("exportStatus");
    assert_eq!(
        (status.exported_collections, status.total_collections),
        (Some(2), Some(5))
    );
    // GET has no body and no Content-Type.
    let sent = &server.received_requests().await.expect("recorded")[0];
    assert!(sent.headers.get("content-type").is_none());
    assert!(sent.body.is_empty());
}

#[tokio::test]
async fn get_backup_export_unwraps_the_envelope_and_types_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ONE_EXPORT))
        .and(query_param("envelope", "true"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "status": 404, "content": {
                "error": 404, "errorCode": "EXPORT_NOT_FOUND", "reason": "Not Found"
            }})),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .get_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .export_id(EXPORT)
        .envelope(true)
        .send()
        .await
        .expect_err("404 in the envelope");
    assert_eq!(err.status(), Some(atlas_admin_api::StatusCode::NOT_FOUND));
    assert_eq!(
        err.api_error().and_then(|e| e.error_code()),
        Some("EXPORT_NOT_FOUND")
    );
}

#[tokio::test]
async fn every_operation_validates_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server);
    let bad = "not-hex";
    let errors: Vec<Error<ApiError>> = vec![
        c.get_backup_export()
            .group_id(GROUP)
            .cluster_name("Cluster0")
            .export_id(bad)
            .send()
            .await
            .map(|_| ())
            .expect_err("exportId"),
        c.list_backup_exports()
            .group_id(GROUP)
            .cluster_name("-bad")
            .send()
            .await
            .map(|_| ())
            .expect_err("clusterName"),
        c.get_export_bucket()
            .group_id(GROUP)
            .export_bucket_id(bad)
            .send()
            .await
            .map(|_| ())
            .expect_err("exportBucketId"),
        c.delete_export_bucket()
            .group_id(bad)
            .export_bucket_id(BUCKET)
            .send()
            .await
            .map(|_| ())
            .expect_err("groupId"),
        c.list_export_buckets()
            .group_id(bad)
            .send()
            .await
            .map(|_| ())
            .expect_err("groupId"),
        c.update_backup_export_bucket()
            .group_id(GROUP)
            .export_bucket_id(BUCKET)
            .send()
            .await
            .map(|_| ())
            .expect_err("body"),
        c.create_export_bucket()
            .group_id(GROUP)
            .send()
            .await
            .map(|_| ())
            .expect_err("body"),
    ];
    let fields: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            Error::InvalidRequest(v) => v.field,
            other => panic!("expected InvalidRequest, got {other:?}"),
        })
        .collect();
    assert_eq!(
        fields,
        [
            "exportId",
            "clusterName",
            "exportBucketId",
            "groupId",
            "groupId",
            "body",
            "body"
        ]
    );
    assert!(matches!(
        &errors[0],
        Error::InvalidRequest(v) if matches!(&v.kind, ValidationErrorKind::Pattern { pattern, .. } if *pattern == "^([a-f0-9]{24})$")
    ));
    assert_eq!(requests_to(&server).await, 0, "nothing may be sent");
}

#[tokio::test]
async fn create_export_bucket_sends_the_tagged_2024_body_and_decodes_each_provider() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(BUCKETS))
        .and(header("accept", V2024))
        .and(header("content-type", V2024))
        .and(body_json(json!({
            "cloudProvider": "AWS", "bucketName": "export-bucket", "iamRoleId": ROLE,
            "requirePrivateNetworking": false
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(aws_bucket(BUCKET)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(BUCKETS))
        .and(body_json(
            json!({ "cloudProvider": "GCP", "bucketName": "gcs-bucket", "roleId": ROLE }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "_id": BUCKET, "bucketName": "gcs-bucket", "cloudProvider": "GCP", "roleId": ROLE
        })))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    // The variant stands for its tag: it has no field for it.
    let aws = DiskBackupSnapshotAwsExportBucketRequest::new(
        "export-bucket".into(),
        ROLE.parse().expect("role id"),
    )
    .with_require_private_networking(false);
    let created = c
        .create_export_bucket()
        .group_id(GROUP)
        .body(DiskBackupSnapshotExportBucketRequest::Aws(aws))
        .send()
        .await
        .expect("created");
    let DiskBackupSnapshotExportBucketResponse::Aws(bucket) = created.body else {
        panic!("expected the AWS variant: {:?}", created.body);
    };
    assert_eq!(
        (bucket.id.as_str(), bucket.region.as_deref()),
        (BUCKET, Some("us-east-1"))
    );
    assert_eq!(bucket.require_private_networking, Some(true));

    let gcp = DiskBackupSnapshotExportBucketRequest::gcp(
        "gcs-bucket".into(),
        ROLE.parse().expect("role id"),
    );
    let created = c
        .create_export_bucket()
        .group_id(GROUP)
        .body(gcp)
        .send()
        .await
        .expect("created");
    assert!(matches!(
        created.body,
        DiskBackupSnapshotExportBucketResponse::Gcp(ref b) if b.role_id == ROLE
    ));
}

#[tokio::test]
async fn create_export_bucket_with_the_2023_version_sends_that_media_type() {
    let server = MockServer::start().await;
    let raw = json!({ "bucketName": "export-bucket", "cloudProvider": "AWS", "iamRoleId": ROLE });
    Mock::given(method("POST"))
        .and(path(BUCKETS))
        .and(header("accept", V2023))
        .and(header("content-type", V2023))
        .and(body_json(raw.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(aws_bucket(BUCKET)))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(
        CreateExportBucket::API_VERSIONS,
        ["2023-01-01", "2024-05-30"]
    );
    assert_eq!(CreateExportBucket::API_VERSION, Some("2024-05-30"));
    let response = client(&server)
        .create_export_bucket()
        .group_id(GROUP)
        .api_version("2023-01-01")
        .raw_body(raw)
        .send_json()
        .await
        .expect("created");
    assert_eq!(response.body["iamRoleId"], ROLE);
}

#[tokio::test]
async fn get_export_bucket_decodes_azure_and_keeps_unknown_providers() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ONE_BUCKET))
        .and(header("accept", V2024))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(200).set_body_json(json!({
                "_id": BUCKET, "bucketName": "container", "cloudProvider": "AZURE", "roleId": ROLE,
                "serviceUrl": "https://examplestorageaccount.blob.core.windows.net/container",
                "tenantId": "4297fc77-1592-4de8-a6d5-a8c32401df87"
            })),
            ResponseTemplate::new(200).set_body_json(json!({
                "_id": BUCKET, "bucketName": "b", "cloudProvider": "OCI"
            })),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server);
    let get = || {
        c.get_export_bucket()
            .group_id(GROUP)
            .export_bucket_id(BUCKET)
            .send()
    };
    match get().await.expect("azure").body {
        DiskBackupSnapshotExportBucketResponse::Azure(b) => {
            assert_eq!(b.tenant_id, "4297fc77-1592-4de8-a6d5-a8c32401df87");
            // Re-encoded, the variant writes the tag it stands for.
            assert_eq!(
                serde_json::to_value(&b).expect("encodes")["cloudProvider"],
                "AZURE"
            );
        }
        other => panic!("expected Azure: {other:?}"),
    }
    match get().await.expect("unknown").body {
        DiskBackupSnapshotExportBucketResponse::Unknown(v) => assert_eq!(v["cloudProvider"], "OCI"),
        other => panic!("expected the fallback: {other:?}"),
    }
}

#[tokio::test]
async fn delete_export_bucket_accepts_204_without_a_body() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(ONE_BUCKET))
        .and(header("accept", V2023))
        .respond_with(ResponseTemplate::new(204).insert_header("RateLimit-Remaining", "7"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(
            "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/backup/exportBuckets/aaaaaaaaaaaaaaaaaaaaaaaa",
        ))
        .respond_with(api_error(404, "BUCKET_NOT_FOUND"))
        .mount(&server)
        .await;
    let c = client(&server);
    let gone = c
        .delete_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .send()
        .await
        .expect("deleted");
    assert_eq!(
        (gone.status(), gone.rate_limit().remaining),
        (atlas_admin_api::StatusCode::NO_CONTENT, Some(7))
    );
    let err = c
        .delete_export_bucket()
        .group_id(GROUP)
        .export_bucket_id("aaaaaaaaaaaaaaaaaaaaaaaa")
        .send()
        .await
        .expect_err("404");
    assert_eq!(
        err.api_error().and_then(|e| e.error_code()),
        Some("BUCKET_NOT_FOUND")
    );
}

#[tokio::test]
async fn update_backup_export_bucket_patches_with_the_2024_media_type() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(ONE_BUCKET))
        .and(query_param("pretty", "true"))
        .and(header("content-type", V2024))
        .and(header("accept", V2024))
        .and(body_json(json!({ "requirePrivateNetworking": true })))
        .respond_with(ResponseTemplate::new(200).set_body_json(aws_bucket(BUCKET)))
        .expect(1)
        .mount(&server)
        .await;
    let updated = client(&server)
        .update_backup_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .pretty(true)
        .body(UpdateRequirePrivateNetworkingRequestView::new(true))
        .send()
        .await
        .expect("updated");
    assert_eq!(updated.body.require_private_networking, Some(true));
    assert_eq!(updated.body.iam_role_id, ROLE);
}

#[tokio::test]
async fn post_and_patch_are_not_retried_on_500_but_gets_are() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(ONE_BUCKET))
        .respond_with(api_error(500, "UNEXPECTED_ERROR"))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(ONE_BUCKET))
        .respond_with(Sequence::new(vec![
            api_error(503, "UNEXPECTED_ERROR"),
            ResponseTemplate::new(200).set_body_json(aws_bucket(BUCKET)),
        ]))
        .mount(&server)
        .await;
    let c = Client::builder()
        .base_url(server.uri())
        .retry(RetryPolicy::new().base_delay(Duration::from_millis(1)))
        .build()
        .expect("client");
    let err = c
        .update_backup_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .body(UpdateRequirePrivateNetworkingRequestView::new(false))
        .send()
        .await
        .expect_err("500");
    assert_eq!(
        err.status(),
        Some(atlas_admin_api::StatusCode::INTERNAL_SERVER_ERROR)
    );
    assert_eq!(requests_to(&server).await, 1);
    c.get_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .send()
        .await
        .expect("retried GET succeeds");
    assert_eq!(requests_to(&server).await, 3);
}

// ----- pagination ----------------------------------------------------------
//
// Against the generated mock Atlas, which serves a list as Atlas pages it
// (`pageNum`, `itemsPerPage`, `totalCount` unless `includeCount=false`,
// `links` with `next` while items remain): what is checked is how many
// pages the client's walk asks for, and that it keeps every item.

fn buckets(n: usize) -> Vec<DiskBackupSnapshotExportBucketResponse> {
    (0..n)
        .map(|i| serde_json::from_value(aws_bucket(&format!("{i:024x}"))).expect("a bucket"))
        .collect()
}

fn ids(items: &[DiskBackupSnapshotExportBucketResponse]) -> Vec<String> {
    items
        .iter()
        .map(|b| match b {
            DiskBackupSnapshotExportBucketResponse::Aws(b) => b.id.clone(),
            other => panic!("expected AWS buckets: {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn stream_walks_three_pages_with_total_count() {
    let mock = MockAtlas::start().await;
    // The last page is short, and totalCount is reached: no fourth request.
    mock.list_export_buckets()
        .group_id(GROUP)
        .items_per_page(3)
        .respond_with_pages(buckets(7))
        .times(3);
    let items: Vec<_> = mock
        .client()
        .list_export_buckets()
        .group_id(GROUP)
        .items_per_page(3)
        .stream()
        .try_collect()
        .await
        .expect("all items");
    let expected: Vec<String> = (0..7).map(|i| format!("{i:024x}")).collect();
    assert_eq!(ids(&items), expected);
}

#[tokio::test]
async fn stream_walks_three_full_pages_without_include_count_until_no_next_link() {
    let mock = MockAtlas::start().await;
    // A full last page: only the missing `next` link says it is the last.
    let list = mock
        .list_export_buckets()
        .include_count(false)
        .respond_with_pages(buckets(9))
        .times(3);
    let items: Vec<_> = mock
        .client()
        .list_export_buckets()
        .group_id(GROUP)
        .items_per_page(3)
        .include_count(false)
        .stream()
        .try_collect()
        .await
        .expect("all items");
    assert_eq!(items.len(), 9);
    let pages: Vec<Option<String>> = list
        .requests()
        .iter()
        .map(|r| r.query_value("pageNum").map(str::to_owned))
        .collect();
    assert_eq!(
        pages,
        [Some("1".into()), Some("2".into()), Some("3".into())]
    );
}

#[tokio::test]
async fn pages_are_fetched_lazily_and_one_page_is_a_send() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(EXPORTS))
        .and(query_param("pageNum", "2"))
        .and(query_param("itemsPerPage", "2"))
        .and(header("accept", V2023))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "results": [job("Successful", 1, 1), job("Failed", 0, 1)], "totalCount": 9
        })))
        .expect(2)
        .mount(&server)
        .await;
    let c = client(&server);
    let builder = c
        .list_backup_exports()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .items_per_page(2)
        .page_num(2);
    let one = builder.clone().send().await.expect("one page");
    assert_eq!((one.body.results.len(), one.body.total_count), (2, Some(9)));
    let pages = builder.pages();
    futures_util::pin_mut!(pages);
    assert_eq!(
        requests_to(&server).await,
        1,
        "nothing fetched before polling"
    );
    let second = pages.next().await.expect("a page").expect("ok");
    assert_eq!(
        second.body.results[1].state,
        Some(DiskBackupExportJobState::Failed)
    );
    assert_eq!(requests_to(&server).await, 2, "one page per poll");
}

#[tokio::test]
async fn a_failed_page_ends_the_stream_with_its_error() {
    let mock = MockAtlas::start().await;
    mock.list_export_buckets().page_num(2).respond_api_error(
        404,
        "GROUP_NOT_FOUND",
        "no such group",
    );
    mock.list_export_buckets().respond_with_pages(buckets(10));
    let results: Vec<_> = mock
        .client()
        .list_export_buckets()
        .group_id(GROUP)
        .items_per_page(3)
        .stream()
        .collect()
        .await;
    assert_eq!(results.len(), 4);
    assert!(results[..3].iter().all(Result::is_ok));
    let err = results[3].as_ref().expect_err("the 404");
    assert_eq!(
        err.api_error().and_then(|e| e.error_code()),
        Some("GROUP_NOT_FOUND")
    );
    assert_eq!(ListExportBuckets::API_VERSION, Some("2024-05-30"));
}

#[tokio::test]
async fn an_empty_page_ends_the_walk_with_the_server_default_page_size() {
    let mock = MockAtlas::start().await;
    let list = mock
        .list_export_buckets()
        .respond_with_pages(buckets(0))
        .times(1);
    let items: Vec<_> = mock
        .client()
        .list_export_buckets()
        .group_id(GROUP)
        .stream()
        .try_collect()
        .await
        .expect("no items");
    assert!(items.is_empty());
    assert_eq!(list.requests()[0].query_value("itemsPerPage"), None);
}

// ----- the export waiter -----------------------------------------------------
//
// `wait_for_backup_export` is the generated waiter of `createBackupExport`
// (`wait_after` with the job's id) plus `waiters::export_outcome`, polling
// `getBackupExport` on the generated mock Atlas.

fn typed_job(state: DiskBackupExportJobState, done: i64, total: i64) -> DiskBackupExportJob {
    DiskBackupExportJob::default()
        .with_id(EXPORT)
        .with_export_bucket_id(BUCKET)
        .with_state(state)
        .with_export_status(
            ExportStatus::default()
                .with_exported_collections(done)
                .with_total_collections(total),
        )
}

/// The stub of the waiter's poll: `getBackupExport` of this job.
fn poll(mock: &MockAtlas) -> GetBackupExportStub {
    mock.get_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .export_id(EXPORT)
}

#[tokio::test]
async fn waiter_reports_progress_until_successful() {
    use DiskBackupExportJobState::*;
    let mock = MockAtlas::start().await;
    poll(&mock)
        .respond_with(typed_job(Queued, 0, 0))
        .respond_with(typed_job(InProgress, 2, 5))
        .respond_with(typed_job(InProgress, 4, 5))
        .respond_with(typed_job(Successful, 5, 5))
        .times(4);
    // (state, exported collections, polls, done) of each report.
    type Report = (Option<String>, Value, u32, bool);
    let seen: Arc<Mutex<Vec<Report>>> = Arc::default();
    let sink = seen.clone();
    let c = mock.client();
    let job = c
        .wait_for_backup_export(GROUP, "Cluster0", EXPORT)
        .interval(Duration::from_millis(5))
        .backoff(2.0)
        .max_interval(Duration::from_millis(20))
        .timeout(Duration::from_secs(10))
        .on_progress(move |p: &Progress<'_>| {
            sink.lock().expect("lock").push((
                p.value_text(),
                p.body["exportStatus"]["exportedCollections"].clone(),
                p.polls,
                p.done,
            ))
        })
        .await
        .expect("successful");
    assert_eq!(job.body.state, Some(Successful));
    assert_eq!(job.status(), 200);
    let seen = seen.lock().expect("lock");
    let state = |s: &str| Some(s.to_owned());
    assert_eq!(
        *seen,
        [
            (state("Queued"), json!(0), 1, false),
            (state("InProgress"), json!(2), 2, false),
            (state("InProgress"), json!(4), 3, false),
            (state("Successful"), json!(5), 4, true),
        ]
    );
}

#[tokio::test]
async fn waiter_returns_the_state_reason_of_a_failed_job() {
    let mock = MockAtlas::start().await;
    let failed = typed_job(DiskBackupExportJobState::Failed, 1, 5).with_state_reason(
        StateReason::default()
            .with_error_code("EXPORT_FAILED")
            .with_message("bucket access denied"),
    );
    poll(&mock)
        .respond_with(typed_job(DiskBackupExportJobState::InProgress, 1, 5))
        .respond_with(failed)
        .times(2);
    let err = mock
        .client()
        .wait_for_backup_export(GROUP, "Cluster0", EXPORT)
        .interval(Duration::from_millis(5))
        .await
        .expect_err("failed");
    let Error::WaitFailed {
        ref state,
        ref code,
        ref reason,
        ref last,
    } = err
    else {
        panic!("expected WaitFailed: {err:?}");
    };
    assert_eq!(state, "Failed");
    assert_eq!(code.as_deref(), Some("EXPORT_FAILED"));
    assert_eq!(reason.as_deref(), Some("bucket access denied"));
    assert_eq!(last["id"], EXPORT);
    assert!(err.to_string().contains("bucket access denied"), "{err}");
}

#[tokio::test]
async fn waiter_times_out_with_the_last_job() {
    let mock = MockAtlas::start().await;
    let polled = poll(&mock).respond_with(typed_job(DiskBackupExportJobState::InProgress, 1, 5));
    let started = std::time::Instant::now();
    let err = mock
        .client()
        .wait_for_backup_export(GROUP, "Cluster0", EXPORT)
        .interval(Duration::from_millis(20))
        .timeout(Duration::from_millis(150))
        .await
        .expect_err("times out");
    let Error::WaitTimeout {
        elapsed,
        polls,
        last,
    } = err
    else {
        panic!("expected a timeout: {err:?}");
    };
    assert!(elapsed >= Duration::from_millis(150), "{elapsed:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(last.expect("a job")["state"], "InProgress");
    assert!(polls >= 2, "{polls}");
    assert_eq!(polled.calls(), polls as usize);
}

#[tokio::test]
async fn waiter_timeout_also_cuts_a_slow_poll() {
    let mock = MockAtlas::start().await;
    poll(&mock)
        .respond_with(typed_job(DiskBackupExportJobState::InProgress, 1, 5))
        .delay(Duration::from_secs(5));
    let started = std::time::Instant::now();
    let err = mock
        .client()
        .wait_for_backup_export(GROUP, "Cluster0", EXPORT)
        .timeout(Duration::from_millis(100))
        .await
        .expect_err("times out");
    assert!(
        matches!(
            err,
            Error::WaitTimeout {
                last: None,
                polls: 0,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn waiter_passes_on_a_bad_id_without_sending() {
    let server = MockServer::start().await;
    let err = client(&server)
        .wait_for_backup_export(GROUP, "Cluster0", "nope")
        .wait()
        .await
        .expect_err("invalid");
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(requests_to(&server).await, 0);
}
