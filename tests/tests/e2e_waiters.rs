//! Generated waiters against loopback servers: `send_and_wait` and
//! `wait_after` of the two operations our overlay gives a watcher
//! (`createBackupExport` until the job's state is final, with the job's id
//! from the create response in the poll's path; `deleteExportBucket` until
//! the bucket answers 404), timeouts, failing polls, and the runtime's poll
//! loop driven by a hand-written endpoint (a cluster created, then polled
//! until `IDLE`).

use std::future::IntoFuture;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use atlas_admin_api::models::{ApiError, DiskBackupExportJobRequest, DiskBackupExportJobState};
use atlas_admin_api::runtime::wait::{self, Expect};
use atlas_admin_api::runtime::{AnyJson, ApiRequest, Endpoint, Progress, Wait};
use atlas_admin_api::waiters::export_outcome;
use atlas_admin_api::{Auth, Client, Error, Response, RetryPolicy};
use atlas_tests::Sequence;
use serde_json::{json, Value};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const BUCKET: &str = "5f1a2b3c4d5e6f7a8b9c0d1e";
const SNAPSHOT: &str = "65a1b2c3d4e5f60718293a4b";
/// The id the create call answers with; only the poll's path has it.
const NEW_EXPORT: &str = "aaaaaaaaaaaaaaaaaaaaaaaa";
const EXPORTS: &str =
    "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports";
const ONE_BUCKET: &str =
    "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/backup/exportBuckets/5f1a2b3c4d5e6f7a8b9c0d1e";

fn client(server: &MockServer) -> Client {
    atlas_tests::test_client(&server.uri())
}

fn job(state: &str) -> Value {
    json!({
        "id": NEW_EXPORT, "exportBucketId": BUCKET, "snapshotId": SNAPSHOT, "state": state,
        "exportStatus": { "exportedCollections": 1, "totalCollections": 2 }
    })
}

fn bucket() -> Value {
    json!({
        "_id": BUCKET, "bucketName": "b", "cloudProvider": "AWS",
        "iamRoleId": "668c5f0ed436263134491592", "region": "us-east-1"
    })
}

fn api_error(status: u16, code: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({
        "error": status, "errorCode": code, "reason": "r", "detail": "d"
    }))
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

async fn mount_create(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path(EXPORTS))
        .respond_with(ok(job("Queued")))
        .expect(1)
        .mount(server)
        .await;
}

fn create(c: &Client) -> atlas_admin_api::operations::CreateBackupExport<'_> {
    c.create_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body(DiskBackupExportJobRequest::new(
            BUCKET.parse().expect("id"),
            SNAPSHOT.parse().expect("id"),
        ))
}

/// Records every progress report: (status, value at the path, done).
type Seen = Arc<Mutex<Vec<(u16, Option<String>, bool)>>>;

fn recorder(seen: &Seen) -> impl FnMut(&Progress<'_>) + Send + 'static {
    let sink = seen.clone();
    move |p| {
        sink.lock()
            .expect("lock")
            .push((p.status.as_u16(), p.value_text(), p.done))
    }
}

#[tokio::test]
async fn create_backup_export_then_wait_polls_the_created_job_until_successful() {
    let server = MockServer::start().await;
    mount_create(&server).await;
    // The poll's path has the id read from the create response (`body:$.id`).
    Mock::given(method("GET"))
        .and(path(format!("{EXPORTS}/{NEW_EXPORT}")))
        .and(header("accept", "application/vnd.atlas.2023-01-01+json"))
        .respond_with(Sequence::new(vec![
            ok(job("InProgress")),
            ok(job("Successful")),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    let seen = Seen::default();
    let c = client(&server);
    let done = create(&c)
        .send_and_wait()
        .interval(Duration::from_millis(5))
        .timeout(Duration::from_secs(10))
        .on_progress(recorder(&seen))
        .and_then(export_outcome)
        .await
        .expect("successful");
    assert_eq!(done.body.state, Some(DiskBackupExportJobState::Successful));
    assert_eq!(done.body.id.as_deref(), Some(NEW_EXPORT));
    assert_eq!(
        *seen.lock().expect("lock"),
        [
            (200, Some("InProgress".to_owned()), false),
            (200, Some("Successful".to_owned()), true)
        ]
    );
}

#[tokio::test]
async fn wait_after_keeps_the_sent_response_and_a_failed_job_is_an_error() {
    let server = MockServer::start().await;
    mount_create(&server).await;
    let mut failed = job("Failed");
    failed["stateReason"] = json!({ "errorCode": "EXPORT_FAILED", "message": "denied" });
    Mock::given(method("GET"))
        .and(path(format!("{EXPORTS}/{NEW_EXPORT}")))
        .respond_with(ok(failed))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server);
    let builder = create(&c);
    let sent = builder.clone().send().await.expect("created");
    assert_eq!(sent.body.state, Some(DiskBackupExportJobState::Queued));
    let sent_json = serde_json::to_value(&sent.body).expect("JSON");
    // The generated waiter ends on any final state; `Failed` is the job's.
    let last = builder
        .clone()
        .wait_after(&sent_json)
        .interval(Duration::from_millis(5))
        .await
        .expect("a final state");
    assert_eq!(last.body.state, Some(DiskBackupExportJobState::Failed));
    let err = export_outcome(last).expect_err("failed");
    assert!(
        matches!(&err, Error::WaitFailed { state, code, reason, .. }
            if state == "Failed" && code.as_deref() == Some("EXPORT_FAILED") && reason.as_deref() == Some("denied")),
        "{err:?}"
    );
    // A response without the id the poll needs: nothing is polled.
    let err = builder
        .wait_after(&json!({ "state": "Queued" }))
        .await
        .expect_err("no id");
    assert!(
        matches!(&err, Error::InvalidRequest(v) if v.field == "exportId"),
        "{err:?}"
    );
}

#[tokio::test]
async fn delete_export_bucket_then_wait_until_it_answers_404() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(ONE_BUCKET))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(ONE_BUCKET))
        .and(header("accept", "application/vnd.atlas.2024-05-30+json"))
        .respond_with(Sequence::new(vec![
            ok(bucket()),
            ok(bucket()),
            api_error(404, "EXPORT_BUCKET_NOT_FOUND"),
        ]))
        .expect(3)
        .mount(&server)
        .await;
    let seen = Seen::default();
    let gone: Response<()> = client(&server)
        .delete_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .send_and_wait()
        .interval(Duration::from_millis(5))
        .on_progress(recorder(&seen))
        .await
        .expect("gone");
    assert_eq!(gone.status(), 404);
    assert_eq!(
        *seen.lock().expect("lock"),
        [(200, None, false), (200, None, false), (404, None, true)]
    );
}

#[tokio::test]
async fn a_wait_that_times_out_says_how_long_how_often_and_what_it_saw_last() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(ONE_BUCKET))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(ONE_BUCKET))
        .respond_with(ok(bucket()))
        .mount(&server)
        .await;
    let err = client(&server)
        .delete_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .send_and_wait()
        .interval(Duration::from_millis(20))
        .timeout(Duration::from_millis(120))
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
    assert!(elapsed >= Duration::from_millis(120), "{elapsed:?}");
    assert!(polls >= 2, "{polls}");
    assert_eq!(last.expect("a body")["_id"], BUCKET);
}

#[tokio::test]
async fn a_poll_that_fails_for_good_ends_the_wait_with_its_error() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(ONE_BUCKET))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(ONE_BUCKET))
        .respond_with(Sequence::new(vec![
            ok(bucket()),
            api_error(403, "USER_UNAUTHORIZED"),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    let err = client(&server)
        .delete_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .send_and_wait()
        .interval(Duration::from_millis(5))
        .await
        .expect_err("403");
    assert_eq!(err.status(), Some(atlas_admin_api::StatusCode::FORBIDDEN));
    assert_eq!(
        err.api_error().and_then(|e: &ApiError| e.error_code()),
        Some("USER_UNAUTHORIZED")
    );
}

#[tokio::test]
async fn a_poll_that_fails_for_a_moment_is_retried_by_the_client() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(ONE_BUCKET))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(ONE_BUCKET))
        .respond_with(Sequence::new(vec![
            ResponseTemplate::new(503),
            api_error(404, "EXPORT_BUCKET_NOT_FOUND"),
        ]))
        .expect(2)
        .mount(&server)
        .await;
    let c = Client::builder()
        .base_url(server.uri())
        .auth(Auth::none())
        .retry(RetryPolicy::new().base_delay(Duration::from_millis(1)))
        .build()
        .expect("client");
    let seen = Seen::default();
    let gone = c
        .delete_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .send_and_wait()
        .interval(Duration::from_millis(5))
        .on_progress(recorder(&seen))
        .await
        .expect("gone after a retried 503");
    assert_eq!(gone.status(), 404);
    // One poll, two attempts.
    assert_eq!(*seen.lock().expect("lock"), [(404, None, true)]);
}

// ----- the poll loop with a hand-written endpoint ----------------------------

/// `GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}` read as JSON:
/// an operation `spec/` does not have, polled with the runtime's loop.
struct GetCluster;

impl Endpoint for GetCluster {
    type Decoder = AnyJson;
    type ErrorBody = ApiError;
    const SUCCESS: &'static [(u16, bool)] = &[(200, true)];
    const ERRORS: &'static [u16] = &[401, 403, 404, 429, 500];
}

fn cluster(state: &str) -> Value {
    json!({ "name": "Cluster0", "stateName": state })
}

#[tokio::test]
async fn a_hand_written_waiter_polls_a_created_cluster_until_idle() {
    let server = MockServer::start().await;
    let one = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0";
    Mock::given(method("GET"))
        .and(path(one))
        .respond_with(Sequence::new(vec![
            ok(cluster("CREATING")),
            ok(cluster("CREATING")),
            ok(cluster("IDLE")),
        ]))
        .expect(3)
        .mount(&server)
        .await;
    let client = client(&server);
    let c = &client;
    let request = ApiRequest::new(
        reqwest::Method::GET,
        "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}",
        &[GROUP, "Cluster0"],
        "application/vnd.atlas.2024-08-05+json",
    );
    let seen = Seen::default();
    let wait: Wait<'_, Response<Value>, ApiError> = Wait::new(|polling| {
        Box::pin(wait::until_values(
            polling,
            &["stateName"],
            &["IDLE"],
            move || c.send::<GetCluster>(Ok(request.clone())),
        ))
    });
    let idle = wait
        .interval(Duration::from_millis(5))
        .on_progress(recorder(&seen))
        .await
        .expect("idle");
    assert_eq!(idle.body["stateName"], "IDLE");
    let values: Vec<_> = seen
        .lock()
        .expect("lock")
        .iter()
        .map(|s| s.1.clone())
        .collect();
    assert_eq!(
        values,
        [
            Some("CREATING".to_owned()),
            Some("CREATING".to_owned()),
            Some("IDLE".to_owned())
        ]
    );
    assert_eq!(
        Expect::Values {
            path: &["stateName"],
            values: &["IDLE"]
        }
        .path_text()
        .as_deref(),
        Some("$.stateName")
    );
}

#[tokio::test]
async fn dropping_a_wait_stops_polling() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ONE_BUCKET))
        .respond_with(ok(bucket()))
        .mount(&server)
        .await;
    let c = client(&server);
    let wait = c
        .delete_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .wait_after(&Value::Null)
        .interval(Duration::from_millis(10))
        .into_future();
    // Cancelled by dropping the future when the timeout below fires.
    let cut = tokio::time::timeout(Duration::from_millis(55), wait).await;
    assert!(cut.is_err(), "still waiting");
    let polls = server.received_requests().await.map_or(0, |r| r.len());
    tokio::time::sleep(Duration::from_millis(60)).await;
    let later = server.received_requests().await.map_or(0, |r| r.len());
    assert!(polls >= 2, "{polls}");
    assert_eq!(polls, later, "no poll after the wait was dropped");
}
