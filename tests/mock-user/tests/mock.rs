//! Every part of the generated mock Atlas, used as a user uses it: the
//! user's code (`src/lib.rs`) and the client against `MockAtlas`.

use std::time::Duration;

use atlas_admin_api::mock::{MockAtlas, MockServer, Stub};
use atlas_admin_api::models::{
    ApiError, DiskBackupExportJob, DiskBackupExportJobRequest, DiskBackupExportJobState,
};
use atlas_admin_api::{Auth, Client, StatusCode};
use atlas_mock_user::{bucket_exists, export_alert, export_snapshot, failed_exports};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const BUCKET: &str = "5f1a2b3c4d5e6f7a8b9c0d1e";
const SNAPSHOT: &str = "65a1b2c3d4e5f60718293a4b";
const EXPORT: &str = "6641f4b6c0e1e3a1b2c3d4e5";

fn job(id: &str, state: DiskBackupExportJobState) -> DiskBackupExportJob {
    DiskBackupExportJob::default()
        .with_id(id)
        .with_export_bucket_id(BUCKET)
        .with_snapshot_id(SNAPSHOT)
        .with_state(state)
}

fn request() -> DiskBackupExportJobRequest {
    DiskBackupExportJobRequest::new(BUCKET.parse().expect("id"), SNAPSHOT.parse().expect("id"))
}

#[tokio::test]
async fn typed_match_typed_answer_versioned_media_and_typed_recording() {
    let mock = MockAtlas::start().await;
    let create = mock
        .create_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body_matches(|body| body.snapshot_id.as_str() == SNAPSHOT)
        .respond_with(job(EXPORT, DiskBackupExportJobState::Queued))
        .times(1);
    let client = mock.client();
    let sent = client
        .create_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(request())
        .send()
        .await
        .expect("created");
    assert_eq!(sent.id.as_deref(), Some(EXPORT));
    assert_eq!(sent.state, Some(DiskBackupExportJobState::Queued));
    assert_eq!(
        sent.headers()["content-type"],
        "application/vnd.atlas.2023-01-01+json"
    );
    // The request as received: typed body, method, path, Accept.
    assert_eq!(create.calls(), 1);
    let bodies = create.bodies();
    assert_eq!(bodies.len(), 1);
    assert_eq!(bodies[0].export_bucket_id.as_str(), BUCKET);
    let received = &create.requests()[0];
    assert_eq!(received.method, "POST");
    assert_eq!(
        received.path,
        format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/exports")
    );
    assert_eq!(
        received.header("accept"),
        Some("application/vnd.atlas.2023-01-01+json")
    );
    mock.verify();
}

#[tokio::test]
async fn a_body_predicate_that_fails_leaves_the_request_unmatched() {
    let mock = MockAtlas::start().await;
    let create = mock
        .create_backup_export()
        .body_matches(|body| body.snapshot_id.as_str() == "not this one")
        .respond_with(job(EXPORT, DiskBackupExportJobState::Queued));
    let err = mock
        .client()
        .create_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(request())
        .send()
        .await
        .expect_err("no stub matches");
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(err.error_code(), Some("MOCK_NO_MATCHING_STUB"));
    assert_eq!(create.calls(), 0);
    let report = mock
        .check()
        .expect_err("an unmatched request fails verification");
    assert!(
        report.contains("the body fails body predicate #1"),
        "{report}"
    );
    // Asserted above; the drop would report it again.
    mock.reset();
}

#[tokio::test]
async fn typed_errors_reach_the_users_code() {
    let mock = MockAtlas::start().await;
    mock.get_export_bucket()
        .export_bucket_id(BUCKET)
        .respond_error(
            404,
            ApiError::from_value(serde_json::json!({
                "error": 404,
                "errorCode": "RESOURCE_NOT_FOUND",
                "detail": format!("No export bucket {BUCKET}."),
            })),
        )
        .times(1);
    assert!(!bucket_exists(&mock.client(), GROUP, BUCKET)
        .await
        .expect("answers"));
    // Other errors stay errors, with their code and status.
    let other = MockAtlas::start().await;
    other
        .get_export_bucket()
        .respond_api_error(403, "USER_UNAUTHORIZED", "no");
    let err = bucket_exists(&other.client(), GROUP, BUCKET)
        .await
        .expect_err("403 is an error");
    assert_eq!(err.status(), Some(StatusCode::FORBIDDEN));
    assert_eq!(err.error_code(), Some("USER_UNAUTHORIZED"));
}

#[tokio::test]
async fn a_sequence_of_503s_then_200_is_retried_through() {
    let mock = MockAtlas::start().await;
    let get = mock
        .get_backup_export()
        .export_id(EXPORT)
        .respond_status(503)
        .respond_status(503)
        .respond_with(job(EXPORT, DiskBackupExportJobState::Successful))
        .times(3);
    let found = mock
        .client()
        .get_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .export_id(EXPORT)
        .send()
        .await
        .expect("the third attempt answers");
    assert_eq!(found.state, Some(DiskBackupExportJobState::Successful));
    assert_eq!(get.calls(), 3);
}

#[tokio::test]
async fn a_429_with_retry_after_is_retried_even_for_a_post() {
    let mock = MockAtlas::start().await;
    mock.create_backup_export()
        .respond_api_error(429, "RATE_LIMITED", "slow down")
        .with_header("Retry-After", "0")
        .respond_with(job(EXPORT, DiskBackupExportJobState::Queued))
        .times(2);
    let sent = mock
        .client()
        .create_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(request())
        .send()
        .await
        .expect("retried after the 429");
    assert_eq!(sent.id.as_deref(), Some(EXPORT));
}

#[tokio::test]
async fn a_delay_meets_the_clients_timeout() {
    let mock = MockAtlas::start().await;
    mock.get_export_bucket()
        .delay(Duration::from_secs(2))
        .respond_api_error(404, "RESOURCE_NOT_FOUND", "late");
    let client: Client = mock
        .client_builder()
        .response_timeout(Duration::from_millis(100))
        .retry(atlas_admin_api::RetryPolicy::none())
        .build()
        .expect("client");
    let err = bucket_exists(&client, GROUP, BUCKET)
        .await
        .expect_err("times out");
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[tokio::test]
async fn a_waiter_polls_through_in_progress_to_successful() {
    let mock = MockAtlas::start().await;
    mock.create_backup_export()
        .respond_with(job(EXPORT, DiskBackupExportJobState::Queued))
        .times(1);
    let polls = mock
        .get_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .export_id(EXPORT)
        .respond_with(job(EXPORT, DiskBackupExportJobState::InProgress))
        .respond_with(job(EXPORT, DiskBackupExportJobState::InProgress))
        .respond_with(job(EXPORT, DiskBackupExportJobState::Successful))
        .times(3);
    let done = export_snapshot(
        &mock.client(),
        GROUP,
        "Cluster0",
        BUCKET,
        SNAPSHOT,
        Duration::from_millis(1),
    )
    .await
    .expect("exported");
    assert_eq!(done.state, Some(DiskBackupExportJobState::Successful));
    assert_eq!(polls.calls(), 3);
}

#[tokio::test]
async fn a_failed_export_is_the_users_error() {
    let mock = MockAtlas::start().await;
    mock.create_backup_export()
        .respond_with(job(EXPORT, DiskBackupExportJobState::Queued));
    mock.get_backup_export()
        .respond_with(job(EXPORT, DiskBackupExportJobState::Failed));
    let err = export_snapshot(
        &mock.client(),
        GROUP,
        "Cluster0",
        BUCKET,
        SNAPSHOT,
        Duration::from_millis(1),
    )
    .await
    .expect_err("a failed job is an error");
    assert!(err.to_string().contains("Failed"), "{err}");
}

#[tokio::test]
async fn lists_are_served_page_by_page_as_the_operation_pages() {
    let mock = MockAtlas::start().await;
    let jobs: Vec<DiskBackupExportJob> = (0..5)
        .map(|i| {
            let state = if i % 2 == 0 {
                DiskBackupExportJobState::Successful
            } else {
                DiskBackupExportJobState::Failed
            };
            job(&format!("{EXPORT}{i}"), state)
        })
        .collect();
    let list = mock
        .list_backup_exports()
        .group_id(GROUP)
        .respond_with_pages(jobs)
        .times(3);
    let failed = failed_exports(&mock.client(), GROUP, "Cluster0")
        .await
        .expect("listed");
    assert_eq!(failed, [format!("{EXPORT}1"), format!("{EXPORT}3")]);
    let pages: Vec<(Option<String>, Option<String>)> = list
        .requests()
        .iter()
        .map(|r| {
            let read = |name| r.query_value(name).map(str::to_owned);
            (read("pageNum"), read("itemsPerPage"))
        })
        .collect();
    let page = |n: &str| (Some(n.to_owned()), Some("2".to_owned()));
    assert_eq!(pages, [page("1"), page("2"), page("3")]);
    // One page by hand: Atlas's shape.
    let page = mock
        .client()
        .list_backup_exports()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .items_per_page(2)
        .page_num(3)
        .send()
        .await
        .expect("page 3");
    assert_eq!(page.results.len(), 1);
    assert_eq!(page.total_count, Some(5));
    // `times(3)` counted this fourth request: verification says so.
    let report = mock.check().expect_err("four requests, three expected");
    assert!(
        report.contains("expected exactly 3 request(s), received 4"),
        "{report}"
    );
    mock.reset();
}

#[tokio::test]
async fn the_alert_story() {
    let mock = MockAtlas::start().await;
    mock.list_backup_exports().respond_with_pages(vec![
        job("a", DiskBackupExportJobState::Successful),
        job("b", DiskBackupExportJobState::Failed),
    ]);
    let alert = export_alert(&mock.client(), GROUP, "Cluster0")
        .await
        .expect("listed");
    assert_eq!(alert.as_deref(), Some("1 export(s) failed on Cluster0: b"));
}

#[tokio::test]
async fn a_wrong_accept_is_refused_as_atlas_refuses_it() {
    let mock = MockAtlas::start().await;
    let get = mock
        .get_export_bucket()
        .respond_api_error(404, "RESOURCE_NOT_FOUND", "none");
    let err = mock
        .client()
        .get_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .api_version("2099-01-01")
        .send_json()
        .await
        .expect_err("no such version");
    assert_eq!(err.status(), Some(StatusCode::NOT_ACCEPTABLE));
    // 406 is not a documented status of the operation: its body is kept as text.
    assert!(err.to_string().contains("INVALID_VERSION_DATE"), "{err}");
    // A version the operation has is answered, with its media type.
    let err = mock
        .client()
        .get_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .api_version("2023-01-01")
        .send_json()
        .await
        .expect_err("the stub's 404");
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(get.calls(), 1);
    assert_eq!(get.requests().len(), 2);
}

#[tokio::test]
async fn failed_expectations_list_what_was_expected_and_received() {
    let mock = MockAtlas::start().await;
    mock.create_backup_export().never();
    mock.delete_export_bucket().respond_status(204).times(2);
    let client = mock.client();
    client
        .delete_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .send()
        .await
        .expect("deleted");
    let err = client
        .create_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(request())
        .send()
        .await
        .expect_err("never expected: the mock answers 500");
    assert_eq!(err.error_code(), Some("MOCK_UNEXPECTED_CALL"));
    let report = mock.check().expect_err("both expectations fail");
    let want = [
        "mock Atlas: verification failed",
        "expectations not met:",
        "createGroupClusterBackupExport (create_backup_export) POST /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports: expected never request(s), received 1",
        "deleteGroupBackupExportBucket (delete_export_bucket) DELETE /api/atlas/v2/groups/{groupId}/backup/exportBuckets/{exportBucketId}: expected exactly 2 request(s), received 1",
        "requests received (2):",
        "1. DELETE /api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/backup/exportBuckets/5f1a2b3c4d5e6f7a8b9c0d1e -> 204 (deleteGroupBackupExportBucket)",
        "2. POST /api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports -> 500 (createGroupClusterBackupExport)",
    ];
    for line in want {
        assert!(report.contains(line), "missing {line:?} in:\n{report}");
    }
    mock.reset();
}

#[tokio::test]
#[should_panic(expected = "expected exactly 1 request(s), received 0")]
async fn an_unmet_expectation_panics_when_the_mock_is_dropped() {
    let mock = MockAtlas::start().await;
    mock.get_export_bucket().respond_status(200).times(1);
}

#[tokio::test]
async fn an_unmatched_request_names_the_nearest_stubs() {
    let mock = MockAtlas::start().await;
    mock.get_backup_export()
        .export_id(EXPORT)
        .respond_with(job(EXPORT, DiskBackupExportJobState::Queued));
    mock.list_export_buckets().respond_with_pages(Vec::new());
    let err = mock
        .client()
        .get_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .export_id("0123456789abcdef01234567")
        .send()
        .await
        .expect_err("no stub for that id");
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(err.error_code(), Some("MOCK_NO_MATCHING_STUB"));
    let detail = err
        .api_error()
        .and_then(|e| e.detail().map(str::to_owned))
        .unwrap_or_default();
    assert!(
        detail.starts_with("mock Atlas: no stub matches GET /api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports/0123456789abcdef01234567. Nearest stubs: getGroupClusterBackupExport (get_backup_export) GET "),
        "{detail}"
    );
    assert!(
        detail.contains(r#"path parameter exportId is "0123456789abcdef01234567", the stub wants "6641f4b6c0e1e3a1b2c3d4e5""#),
        "{detail}"
    );
    assert_eq!(mock.unmatched().len(), 1);
    let report = mock.check().expect_err("reported");
    assert!(report.contains("requests no stub matched:"), "{report}");
    mock.reset();
}

#[tokio::test]
async fn digest_is_required_when_asked_for() {
    let mock =
        MockAtlas::start_with(MockServer::builder().require_digest("PUBLIC", "PRIVATE")).await;
    let get = mock
        .get_export_bucket()
        .respond_api_error(404, "RESOURCE_NOT_FOUND", "none");
    // The mock's client answers the challenge.
    assert!(!bucket_exists(&mock.client(), GROUP, BUCKET)
        .await
        .expect("authenticated"));
    assert!(!bucket_exists(&mock.client(), GROUP, BUCKET)
        .await
        .expect("authenticated"));
    assert_eq!(get.calls(), 2);
    let challenged = mock.received().iter().filter(|r| r.status == 401).count();
    assert_eq!(challenged, 2, "one challenge per new client");
    // A wrong key never gets through.
    let wrong: Client = mock
        .client_builder()
        .auth(Auth::digest("PUBLIC", "WRONG"))
        .build()
        .expect("client");
    let err = bucket_exists(&wrong, GROUP, BUCKET)
        .await
        .expect_err("rejected");
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    assert_eq!(get.calls(), 2);
}

#[tokio::test]
async fn a_service_account_gets_its_token_from_the_mock() {
    let mock = MockAtlas::start_with(
        MockServer::builder().require_service_account("mdb_sa_id_1", "mdb_sa_sk_1"),
    )
    .await;
    let get = mock
        .get_export_bucket()
        .respond_api_error(404, "RESOURCE_NOT_FOUND", "none");
    let client = mock.client();
    assert!(!bucket_exists(&client, GROUP, BUCKET)
        .await
        .expect("authenticated"));
    assert!(!bucket_exists(&client, GROUP, BUCKET)
        .await
        .expect("token reused"));
    let tokens = || {
        mock.received()
            .iter()
            .filter(|r| r.path == "/api/oauth/token")
            .count()
    };
    assert_eq!(tokens(), 1);
    // An expired token: the client fetches a new one and retries.
    mock.expire_tokens();
    assert!(!bucket_exists(&client, GROUP, BUCKET)
        .await
        .expect("renewed"));
    assert_eq!(tokens(), 2);
    assert_eq!(get.calls(), 3);
    // Without credentials: Atlas's 401.
    let anonymous: Client = mock
        .client_builder()
        .auth(Auth::none())
        .build()
        .expect("client");
    let err = bucket_exists(&anonymous, GROUP, BUCKET)
        .await
        .expect_err("401");
    assert_eq!(err.status(), Some(StatusCode::UNAUTHORIZED));
    let wrong: Client = mock
        .client_builder()
        .auth(Auth::service_account("mdb_sa_id_1", "wrong"))
        .build()
        .expect("client");
    let err = bucket_exists(&wrong, GROUP, BUCKET)
        .await
        .expect_err("token refused");
    assert!(err.to_string().contains("invalid_client"), "{err}");
}

#[tokio::test]
async fn envelope_true_is_answered_in_atlas_envelope() {
    let mock = MockAtlas::start().await;
    let get = mock
        .get_backup_export()
        .envelope(true)
        .respond_api_error(404, "EXPORT_NOT_FOUND", "gone")
        .times(1);
    let err = mock
        .client()
        .get_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .export_id(EXPORT)
        .envelope(true)
        .send()
        .await
        .expect_err("the status inside the envelope");
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert_eq!(err.error_code(), Some("EXPORT_NOT_FOUND"));
    assert_eq!(get.requests()[0].status, 404);
    assert!(mock.received()[0].query_value("envelope") == Some("true"));
}

#[tokio::test]
async fn query_parameters_are_matched_typed() {
    let mock = MockAtlas::start().await;
    // Only the request with `pageNum=2` and `itemsPerPage=2` matches.
    let second = mock
        .list_backup_exports()
        .cluster_name("Cluster0")
        .page_num(2)
        .items_per_page(2)
        .respond_with_pages(vec![job("c", DiskBackupExportJobState::Failed)])
        .times(1);
    let client = mock.client();
    let page = |n: i64| {
        client
            .list_backup_exports()
            .group_id(GROUP)
            .cluster_name("Cluster0")
            .items_per_page(2)
            .page_num(n)
            .send()
    };
    let err = page(1).await.expect_err("pageNum=1 matches no stub");
    assert_eq!(err.error_code(), Some("MOCK_NO_MATCHING_STUB"));
    let detail = err
        .api_error()
        .and_then(|e| e.detail().map(str::to_owned))
        .unwrap_or_default();
    assert!(
        detail.contains(r#"query parameter pageNum is ["1"], the stub wants "2""#),
        "{detail}"
    );
    page(2).await.expect("pageNum=2 matches");
    assert_eq!(second.calls(), 1);
    assert_eq!(second.requests()[0].query_value("pageNum"), Some("2"));
    assert_eq!(mock.unmatched().len(), 1);
    mock.reset();
}
