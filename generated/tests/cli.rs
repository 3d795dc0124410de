//! The `atlas-api` binary run as a real process against a loopback server:
//! help, a successful call, a validation error (nothing sent), an API
//! error, and `--watch`.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const BUCKET: &str = "5f1a2b3c4d5e6f7a8b9c0d1e";
const SNAPSHOT: &str = "65a1b2c3d4e5f60718293a4b";
const EXPORT: &str = "6641f4b6c0e1e3a1b2c3d4e5";
const EXPORTS: &str =
    "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports";
const MEDIA: &str = "application/vnd.atlas.2023-01-01+json";

/// Runs the binary with `args`, the given stdin, and a digest API key in the
/// environment (and nothing else that could leak in).
fn atlas_api(args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atlas-api"));
    command
        .args(args)
        .env_remove("MONGODB_ATLAS_CLIENT_ID")
        .env_remove("MONGODB_ATLAS_CLIENT_SECRET")
        .env("MONGODB_ATLAS_PUBLIC_KEY", "public")
        .env("MONGODB_ATLAS_PRIVATE_KEY", "private")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let mut child = command.spawn().expect("atlas-api starts");
    if let Some(text) = stdin {
        let mut input = child.stdin.take().expect("stdin");
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    child.wait_with_output().expect("atlas-api runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn job(state: &str, done: i64) -> Value {
    json!({
        "id": EXPORT, "exportBucketId": BUCKET, "snapshotId": SNAPSHOT, "state": state,
        "exportStatus": { "exportedCollections": done, "totalCollections": 4 }
    })
}

fn body_file(dir: &tempfile::TempDir, body: &Value) -> String {
    let file = dir.path().join("body.json");
    std::fs::write(&file, body.to_string()).expect("write body");
    file.display().to_string()
}

async fn requests_to(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

#[test]
fn help_shows_description_flags_patterns_example_and_versions() {
    let out = atlas_api(&["cloudBackups", "createBackupExport", "--help"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let help = text(&out.stdout);
    for expected in [
        "Start one snapshot export job",
        "Needs the Project Backup Export Operator role",
        "--groupId <GROUP_ID>",
        "--clusterName <CLUSTER_NAME>",
        "--envelope",
        "--file <PATH>",
        "--version <VERSION>",
        "--watch",
        "Pattern: ^([a-f0-9]{24})$",
        "Pattern: ^[a-zA-Z0-9][a-zA-Z0-9-]*$",
        "atlas-api cloudBackups createBackupExport --groupId 32b6e34b3d91647abb20e7b8 --clusterName Cluster0 --file body.json",
        "API versions (--version): 2023-01-01",
        "MONGODB_ATLAS_CLIENT_ID",
    ] {
        assert!(help.contains(expected), "help lacks {expected:?}:\n{help}");
    }
    // The long operationId is an alias, and a tag lists its operations.
    let alias = atlas_api(
        &["cloudBackups", "createGroupClusterBackupExport", "--help"],
        None,
    );
    assert_eq!(text(&alias.stdout), help);
    let tag = text(&atlas_api(&["cloudBackups", "--help"], None).stdout);
    for op in [
        "createBackupExport",
        "getBackupExport",
        "listBackupExports",
        "createExportBucket",
        "getExportBucket",
        "listExportBuckets",
        "deleteExportBucket",
        "updateBackupExportBucket",
    ] {
        assert!(tag.contains(op), "{op} missing:\n{tag}");
    }
    let versions = text(&atlas_api(&["cloudBackups", "createExportBucket", "--help"], None).stdout);
    assert!(
        versions.contains("2023-01-01 (response printed as received), 2024-05-30 (default, typed)"),
        "{versions}"
    );
}

#[tokio::test]
async fn a_successful_create_prints_the_job_as_json() {
    let server = MockServer::start().await;
    let request = json!({ "exportBucketId": BUCKET, "snapshotId": SNAPSHOT });
    Mock::given(method("POST"))
        .and(path(EXPORTS))
        .and(header("accept", MEDIA))
        .and(header("content-type", MEDIA))
        .and(body_json(request.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(job("Queued", 0)))
        .expect(2)
        .mount(&server)
        .await;
    let dir = tempfile::tempdir().expect("temp dir");
    let file = body_file(&dir, &request);
    let uri = server.uri();
    let out = atlas_api(
        &[
            "cloudBackups",
            "createBackupExport",
            "--base-url",
            &uri,
            "--groupId",
            GROUP,
            "--clusterName",
            "Cluster0",
            "--file",
            &file,
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(printed["id"], EXPORT);
    assert_eq!(printed["state"], "Queued");
    // Credentials came from MONGODB_ATLAS_PUBLIC_KEY/PRIVATE_KEY (digest): this
    // server never challenges, so the call costs one request.
    assert_eq!(requests_to(&server).await.len(), 1);

    // The body can come from stdin, and the alias works the same (the mock
    // expects these two requests).
    let out = atlas_api(
        &[
            "cloudBackups",
            "createGroupClusterBackupExport",
            "--base-url",
            &uri,
            "--groupId",
            GROUP,
            "--clusterName",
            "Cluster0",
        ],
        Some(&request.to_string()),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[tokio::test]
async fn invalid_input_exits_non_zero_and_sends_nothing() {
    let server = MockServer::start().await;
    let uri = server.uri();
    let dir = tempfile::tempdir().expect("temp dir");
    let good = body_file(
        &dir,
        &json!({ "exportBucketId": BUCKET, "snapshotId": SNAPSHOT }),
    );
    // A path parameter that breaks its pattern.
    let out = atlas_api(
        &[
            "cloudBackups",
            "createBackupExport",
            "--base-url",
            &uri,
            "--groupId",
            "not-a-group",
            "--clusterName",
            "Cluster0",
            "--file",
            &good,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("groupId") && err.contains("^([a-f0-9]{24})$"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // A body field that breaks its pattern.
    let bad_body = body_file(
        &dir,
        &json!({ "exportBucketId": "xyz", "snapshotId": SNAPSHOT }),
    );
    let out = atlas_api(
        &[
            "cloudBackups",
            "createBackupExport",
            "--base-url",
            &uri,
            "--groupId",
            GROUP,
            "--clusterName",
            "Cluster0",
            "--file",
            &bad_body,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("exportBucketId"),
        "{}",
        text(&out.stderr)
    );
    // A missing required flag, and a missing body.
    let out = atlas_api(
        &[
            "cloudBackups",
            "createBackupExport",
            "--base-url",
            &uri,
            "--groupId",
            GROUP,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--clusterName"),
        "{}",
        text(&out.stderr)
    );
    let out = atlas_api(
        &[
            "cloudBackups",
            "createBackupExport",
            "--base-url",
            &uri,
            "--groupId",
            GROUP,
            "--clusterName",
            "Cluster0",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("missing required `body`"),
        "{}",
        text(&out.stderr)
    );
    assert!(requests_to(&server).await.is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn an_api_error_exits_1_with_the_api_error_fields() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{EXPORTS}/{EXPORT}")))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "error": 404, "errorCode": "RESOURCE_NOT_FOUND", "reason": "Not Found",
            "detail": "Cannot find export job"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let uri = server.uri();
    let out = atlas_api(
        &[
            "cloudBackups",
            "getBackupExport",
            "--base-url",
            &uri,
            "--groupId",
            GROUP,
            "--clusterName",
            "Cluster0",
            "--exportId",
            EXPORT,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    for expected in [
        "HTTP 404",
        "\"errorCode\": \"RESOURCE_NOT_FOUND\"",
        "\"detail\": \"Cannot find export job\"",
    ] {
        assert!(err.contains(expected), "stderr lacks {expected:?}:\n{err}");
    }
    assert!(out.stdout.is_empty());
}

#[tokio::test]
async fn flags_reach_the_query_and_another_version_is_printed_as_received() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/api/atlas/v2/groups/{GROUP}/backup/exportBuckets")))
        .and(wiremock::matchers::query_param("itemsPerPage", "2"))
        .and(wiremock::matchers::query_param("includeCount", "false"))
        .and(wiremock::matchers::query_param("envelope", "true"))
        .and(header("accept", MEDIA))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "status": 200,
            "content": { "results": [{ "_id": BUCKET, "bucketName": "b", "cloudProvider": "AWS", "iamRoleId": GROUP, "extra": 1 }] }
        })))
        .expect(1)
        .mount(&server)
        .await;
    let uri = server.uri();
    let out = atlas_api(
        &[
            "cloudBackups",
            "listExportBuckets",
            "--base-url",
            &uri,
            "--groupId",
            GROUP,
            "--itemsPerPage",
            "2",
            "--includeCount=false",
            "--envelope",
            "--version",
            "2023-01-01",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    // As received (unknown fields kept), envelope unwrapped.
    assert_eq!(printed["results"][0]["extra"], 1);
}

/// Answers each request with the next job state; the last one repeats.
struct States(Vec<Value>, AtomicUsize);

impl Respond for States {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.1.fetch_add(1, Ordering::SeqCst).min(self.0.len() - 1);
        ResponseTemplate::new(200).set_body_json(self.0[i].clone())
    }
}

#[tokio::test]
async fn watch_prints_progress_lines_and_the_final_job() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(EXPORTS))
        .respond_with(ResponseTemplate::new(200).set_body_json(job("Queued", 0)))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{EXPORTS}/{EXPORT}")))
        .respond_with(States(
            vec![job("InProgress", 2), job("Successful", 4)],
            AtomicUsize::new(0),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let uri = server.uri();
    let body = json!({ "exportBucketId": BUCKET, "snapshotId": SNAPSHOT }).to_string();
    let out = atlas_api(
        &[
            "cloudBackups",
            "createBackupExport",
            "--base-url",
            &uri,
            "--groupId",
            GROUP,
            "--clusterName",
            "Cluster0",
            "--watch",
            "--watch-interval",
            "0.02",
        ],
        Some(&body),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!(
            "export {EXPORT}: InProgress, 2 of 4 collections exported"
        )),
        "{err}"
    );
    assert!(
        err.contains("Successful, 4 of 4 collections exported"),
        "{err}"
    );
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(printed["state"], "Successful");
}

#[tokio::test]
async fn watch_of_a_failed_job_exits_1_with_the_state_reason() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(EXPORTS))
        .respond_with(ResponseTemplate::new(200).set_body_json(job("Queued", 0)))
        .mount(&server)
        .await;
    let mut failed = job("Failed", 1);
    failed["stateReason"] = json!({ "errorCode": "EXPORT_FAILED", "message": "access denied" });
    Mock::given(method("GET"))
        .and(path(format!("{EXPORTS}/{EXPORT}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(failed))
        .mount(&server)
        .await;
    let uri = server.uri();
    let body = json!({ "exportBucketId": BUCKET, "snapshotId": SNAPSHOT }).to_string();
    let out = atlas_api(
        &[
            "cloudBackups",
            "createBackupExport",
            "--base-url",
            &uri,
            "--groupId",
            GROUP,
            "--clusterName",
            "Cluster0",
            "--watch",
            "--watch-interval",
            "0.02",
        ],
        Some(&body),
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("the export job failed: access denied (EXPORT_FAILED)"),
        "{err}"
    );
    assert!(err.contains("\"errorCode\": \"EXPORT_FAILED\""), "{err}");
}
