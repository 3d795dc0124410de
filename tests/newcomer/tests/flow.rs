//! The newcomer's program against a loopback server: it compiles as a user
//! writes it (see `src/lib.rs`), and it runs.

use atlas_admin_api::models::GroupId;
use atlas_admin_api::{Client, Error, RetryPolicy};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const EXPORTS: &str =
    "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports";

fn job(state: &str) -> serde_json::Value {
    json!({ "id": "6641f4b6c0e1e3a1b2c3d4e5", "exportBucketId": "32b6e34b3d91647abb20e7b8", "state": state })
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn create_get_stream_and_wait_with_question_marks_only() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(EXPORTS))
        .respond_with(ResponseTemplate::new(200).set_body_json(job("Queued")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{EXPORTS}/6641f4b6c0e1e3a1b2c3d4e5")))
        .respond_with(ResponseTemplate::new(200).set_body_json(job("Successful")))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(EXPORTS))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "results": [job("Successful"), job("Failed")], "totalCount": 2
        })))
        .expect(1)
        .mount(&server)
        .await;
    let group: GroupId = "32b6e34b3d91647abb20e7b8".parse().expect("valid");
    let (done, count) = atlas_newcomer::export_and_wait(&client(&server), &group, "Cluster0")
        .await
        .expect("the whole flow succeeds");
    assert_eq!(count, 2);
    assert_eq!(done.id.as_deref(), Some("6641f4b6c0e1e3a1b2c3d4e5"));
}

#[tokio::test]
async fn an_error_code_is_matched_in_one_call() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "error": 404, "errorCode": "RESOURCE_NOT_FOUND", "detail": "No such bucket."
        })))
        .mount(&server)
        .await;
    let group: GroupId = "32b6e34b3d91647abb20e7b8".parse().expect("valid");
    let found =
        atlas_newcomer::group_has_bucket(&client(&server), &group, "5f1a2b3c4d5e6f7a8b9c0d1e")
            .await
            .expect("a 404 is an answer");
    assert!(!found);
}

#[tokio::test]
async fn a_failed_wait_is_the_same_error_type_with_the_reason() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "6641f4b6c0e1e3a1b2c3d4e5", "exportBucketId": "32b6e34b3d91647abb20e7b8",
            "state": "Failed", "stateReason": { "errorCode": "EXPORT_FAILED", "message": "denied" }
        })))
        .mount(&server)
        .await;
    let c = client(&server);
    let wait = async {
        let job = c
            .wait_for_backup_export(
                "32b6e34b3d91647abb20e7b8",
                "Cluster0",
                "6641f4b6c0e1e3a1b2c3d4e5",
            )
            .wait()
            .await?;
        Ok::<_, Error>(job)
    };
    let err = wait.await.expect_err("failed");
    assert!(err.is_error_code("EXPORT_FAILED"), "{err}");
    assert_eq!(
        err.to_string(),
        "the wait ended in state Failed: EXPORT_FAILED: denied"
    );
}
