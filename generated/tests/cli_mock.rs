//! The `atlas-api` binary run as a real process against the generated mock
//! Atlas (feature `test-util`), the way a user tests a script that drives
//! the command line: `MockAtlas::env()` points it at the mock (base URL and
//! the credentials the mock requires), typed stubs answer, and the mock's
//! recording and expectations check what the binary sent. Each run gets an
//! empty environment but for the mock's, its own home directory, and a
//! D-Bus address that does not exist (so no keyring is reachable and the
//! token cache is a file under the home directory).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use atlas_admin_api::mock::{MockAtlas, MockServer, Stub};
use atlas_admin_api::models::{
    ApiError, DiskBackupExportJob, DiskBackupExportJobState, ExportStatus,
};
use serde_json::Value;

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const BUCKET: &str = "5f1a2b3c4d5e6f7a8b9c0d1e";
const SNAPSHOT: &str = "65a1b2c3d4e5f60718293a4b";
const EXPORT: &str = "6641f4b6c0e1e3a1b2c3d4e5";

fn job(state: DiskBackupExportJobState, done: i64) -> DiskBackupExportJob {
    DiskBackupExportJob::default()
        .with_id(EXPORT)
        .with_export_bucket_id(BUCKET)
        .with_snapshot_id(SNAPSHOT)
        .with_state(state)
        .with_export_status(
            ExportStatus::default()
                .with_exported_collections(done)
                .with_total_collections(4),
        )
}

/// Runs the binary with `args` and `stdin`, in the environment
/// `mock.env()` gives (and nothing else), with `home` as its home.
///
/// The mock's server runs on the test's runtime, so the process is waited
/// for on a blocking thread, never on the runtime's own.
async fn atlas_api(mock: &MockAtlas, home: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atlas-api"));
    command
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/atlas-api-tests/bus",
        )
        .envs(mock.env())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        });
    let stdin = stdin.map(str::to_owned);
    tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().expect("atlas-api starts");
        if let Some(text) = stdin {
            use std::io::Write as _;
            let mut input = child.stdin.take().expect("stdin");
            input.write_all(text.as_bytes()).expect("write stdin");
        }
        child.wait_with_output().expect("atlas-api runs")
    })
    .await
    .expect("the waiting thread")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn watch_runs_against_typed_stubs_with_digest() {
    let mock =
        MockAtlas::start_with(MockServer::builder().require_digest("PUBLIC", "PRIVATE")).await;
    let create = mock
        .create_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .body_matches(|body| body.snapshot_id.as_str() == SNAPSHOT)
        .respond_with(job(DiskBackupExportJobState::Queued, 0))
        .times(1);
    let polls = mock
        .get_backup_export()
        .export_id(EXPORT)
        .respond_with(job(DiskBackupExportJobState::InProgress, 2))
        .respond_with(job(DiskBackupExportJobState::Successful, 4))
        .times(2);
    let home = tempfile::tempdir().expect("home");
    let body = format!(r#"{{"exportBucketId": "{BUCKET}", "snapshotId": "{SNAPSHOT}"}}"#);
    let out = atlas_api(
        &mock,
        home.path(),
        &[
            "cloudBackups",
            "createBackupExport",
            "--groupId",
            GROUP,
            "--clusterName",
            "Cluster0",
            "--watch",
            "--watch-interval",
            "0.01",
        ],
        Some(&body),
    )
    .await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(printed["id"], EXPORT);
    assert_eq!(printed["state"], "Queued");
    let progress = text(&out.stderr);
    assert!(
        progress.contains("Successful, 4 of 4 collections exported, done (poll 2)"),
        "{progress}"
    );
    // What the binary sent, typed: the body it read from stdin.
    assert_eq!(create.bodies()[0].export_bucket_id.as_str(), BUCKET);
    assert_eq!(polls.calls(), 2);
    // It answered the digest challenge: each run's first request was one.
    let challenged = mock.received().iter().filter(|r| r.status == 401).count();
    assert_eq!(challenged, 1, "{:?}", mock.received());
    mock.verify();
}

#[tokio::test]
async fn service_account_runs_share_one_token_from_the_mock() {
    let mock = MockAtlas::start_with(
        MockServer::builder().require_service_account("mdb_sa_id_cli", "mdb_sa_sk_cli"),
    )
    .await;
    let list = mock
        .list_backup_exports()
        .group_id(GROUP)
        .respond_with_pages(vec![
            job(DiskBackupExportJobState::Successful, 4),
            job(DiskBackupExportJobState::Failed, 1),
        ])
        .times(3);
    let home = tempfile::tempdir().expect("home");
    let args = [
        "cloudBackups",
        "listBackupExports",
        "--groupId",
        GROUP,
        "--clusterName",
        "Cluster0",
    ];
    for _ in 0..3 {
        let out = atlas_api(&mock, home.path(), &args, None).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(printed["totalCount"], 2);
        assert_eq!(printed["results"][1]["state"], "Failed");
    }
    // Three processes, one token: the command line's token cache kept it.
    let tokens = mock
        .received()
        .iter()
        .filter(|r| r.path == "/api/oauth/token")
        .count();
    assert_eq!(tokens, 1);
    assert_eq!(list.calls(), 3);
    // A token the mock no longer accepts is dropped from the cache and
    // replaced, once.
    mock.expire_tokens();
    let out = atlas_api(&mock, home.path(), &args, None).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let tokens = mock
        .received()
        .iter()
        .filter(|r| r.path == "/api/oauth/token")
        .count();
    assert_eq!(tokens, 2);
    // Four calls against `times(3)`: the report says so.
    let report = mock.check().expect_err("four calls, three expected");
    assert!(
        report.contains("listGroupClusterBackupExports (list_backup_exports) GET /api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports"),
        "{report}"
    );
    assert!(
        report.contains("expected exactly 3 request(s), received 4"),
        "{report}"
    );
    mock.reset();
}

#[tokio::test]
async fn a_typed_error_and_an_unmatched_request_reach_the_user_as_exit_1() {
    let mock = MockAtlas::start().await;
    mock.get_backup_export()
        .export_id(EXPORT)
        .respond_error(
            404,
            ApiError::from_value(serde_json::json!({
                "error": 404,
                "errorCode": "EXPORT_NOT_FOUND",
                "detail": "No export job.",
            })),
        )
        .times(1);
    let home = tempfile::tempdir().expect("home");
    let get = |id: &'static str| {
        [
            "cloudBackups",
            "getBackupExport",
            "--groupId",
            GROUP,
            "--clusterName",
            "Cluster0",
            "--exportId",
            id,
        ]
    };
    let out = atlas_api(&mock, home.path(), &get(EXPORT), None).await;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(err.contains("HTTP 404"), "{err}");
    assert!(err.contains("\"errorCode\": \"EXPORT_NOT_FOUND\""), "{err}");
    assert!(out.stdout.is_empty());
    // Another id: no stub matches, and the binary prints the mock's reason.
    let out = atlas_api(&mock, home.path(), &get("0123456789abcdef01234567"), None).await;
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("MOCK_NO_MATCHING_STUB"), "{err}");
    assert!(
        err.contains("getGroupClusterBackupExport (get_backup_export)"),
        "{err}"
    );
    assert_eq!(mock.unmatched().len(), 1);
    assert!(mock.check().is_err());
    mock.reset();
}
