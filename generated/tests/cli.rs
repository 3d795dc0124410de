//! The `atlas-api` binary run as a real process against a loopback server:
//! help, a successful call, a validation error (nothing sent), an API
//! error, `--watch`, credentials from the environment and from Atlas CLI
//! profiles (and their precedence), output formats, warnings, completions.
//! Each run gets an empty environment and home directory, and a D-Bus
//! address that does not exist (so no keyring is reachable).

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{json, Value};

#[path = "../runtime/tests/support/tls_server.rs"]
mod tls_server;
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
    atlas_api_with(
        args,
        stdin,
        &[
            ("MONGODB_ATLAS_PUBLIC_KEY", "public"),
            ("MONGODB_ATLAS_PRIVATE_KEY", "private"),
        ],
    )
}

/// Runs the binary with `args`, the given stdin and only the variables
/// `env` (plus an empty `HOME` and an unreachable D-Bus session bus).
fn atlas_api_with(args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().expect("home");
    let mut command = Command::new(env!("CARGO_BIN_EXE_atlas-api"));
    command
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/atlas-api-tests/bus",
        )
        .envs(env.iter().copied())
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
        // A command refused before it reads its input closes the pipe early.
        if let Err(err) = input.write_all(text.as_bytes()) {
            assert_eq!(
                err.kind(),
                std::io::ErrorKind::BrokenPipe,
                "write stdin: {err}"
            );
        }
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
        versions.contains("2023-01-01 (body sent as given), 2024-05-30 (default; body checked)"),
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
    // A typo of a required field is refused (the field is missing),
    // naming the unknown field and the closest known name.
    let typo = body_file(
        &dir,
        &json!({ "exportBucketId": BUCKET, "snapshotID": "typo", "extra": 1 }),
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
            &typo,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("unknown field `extra`") || err.contains("unknown field `snapshotID`"),
        "{err}"
    );
    let typo_only = body_file(
        &dir,
        &json!({ "exportBucketId": BUCKET, "snapshotID": SNAPSHOT }),
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
            &typo_only,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains(
            "unknown field `snapshotID` in DiskBackupExportJobRequest; did you mean `snapshotId`?"
        ),
        "{err}"
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
async fn watch_prints_the_created_job_then_progress_lines() {
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
            "-w",
            "--watch-interval",
            "0.02",
        ],
        Some(&body),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("createBackupExport: InProgress, 2 of 4 collections exported (poll 1)"),
        "{err}"
    );
    assert!(
        err.contains("Successful, 4 of 4 collections exported, done (poll 2)"),
        "{err}"
    );
    // Standard output holds the response, the created job, as `atlas api`
    // prints it; the watch reports on standard error.
    let printed: Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(printed["state"], "Queued");
    assert_eq!(printed["id"], EXPORT);
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
    // `waiters::export_failure`: the job's stateReason, its fields as JSON.
    assert!(
        err.contains(&format!("Error: export job {EXPORT}: "))
            && err.contains("Failed")
            && err.contains("access denied"),
        "{err}"
    );
    assert!(err.contains("\"errorCode\": \"EXPORT_FAILED\""), "{err}");
}

/// Answers each request with the next template; the last one repeats.
struct Templates(Vec<ResponseTemplate>, AtomicUsize);

impl Respond for Templates {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let i = self.1.fetch_add(1, Ordering::SeqCst).min(self.0.len() - 1);
        self.0[i].clone()
    }
}

const ONE_BUCKET: &str =
    "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/backup/exportBuckets/5f1a2b3c4d5e6f7a8b9c0d1e";

#[tokio::test]
async fn watch_of_a_delete_waits_for_404_and_prints_nothing_for_the_204() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(ONE_BUCKET))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let bucket = json!({ "_id": BUCKET, "bucketName": "b", "cloudProvider": "AWS" });
    Mock::given(method("GET"))
        .and(path(ONE_BUCKET))
        .and(header("accept", "application/vnd.atlas.2024-05-30+json"))
        .respond_with(Templates(
            vec![
                ResponseTemplate::new(200).set_body_json(bucket),
                ResponseTemplate::new(404).set_body_json(json!({
                    "error": 404, "errorCode": "EXPORT_BUCKET_NOT_FOUND", "reason": "Not Found"
                })),
            ],
            AtomicUsize::new(0),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let uri = server.uri();
    let out = atlas_api(
        &[
            "cloudBackups",
            "deleteExportBucket",
            "--base-url",
            &uri,
            "--projectId",
            GROUP,
            "--exportBucketId",
            BUCKET,
            "--watch",
            "--watch-interval",
            "0.02",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let err = text(&out.stderr);
    assert!(
        err.contains("deleteExportBucket: HTTP 200, still there (poll 1)"),
        "{err}"
    );
    assert!(
        err.contains("deleteExportBucket: HTTP 404, done (poll 2)"),
        "{err}"
    );

    // A poll refused for good ends the watch: exit 1, the API error, and
    // the command that looks again.
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .and(path(ONE_BUCKET))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(ONE_BUCKET))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "error": 403, "errorCode": "USER_UNAUTHORIZED", "reason": "Forbidden"
        })))
        .expect(1)
        .mount(&server)
        .await;
    let uri = server.uri();
    let out = atlas_api(
        &[
            "cloudBackups",
            "deleteExportBucket",
            "--base-url",
            &uri,
            "--groupId",
            GROUP,
            "--exportBucketId",
            BUCKET,
            "-w",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("HTTP 403"), "{err}");
    assert!(
        err.contains("\"errorCode\": \"USER_UNAUTHORIZED\""),
        "{err}"
    );
    assert!(
        err.contains(&format!("to look again: atlas-api cloudBackups getExportBucket --groupId {GROUP} --exportBucketId {BUCKET}")),
        "{err}"
    );
}

#[test]
fn watch_flags_and_short_help_come_from_the_overlay() {
    let help = |op: &str| text(&atlas_api(&["cloudBackups", op, "--help"], None).stdout);
    for op in ["createBackupExport", "deleteExportBucket"] {
        let help = help(op);
        for flag in [
            "-w, --watch",
            "--watch-interval <SECONDS>",
            "--watchTimeout <SECONDS>",
            "Watch (--watch):",
        ] {
            assert!(help.contains(flag), "{op} lacks {flag}:\n{help}");
        }
    }
    assert!(help("deleteExportBucket")
        .contains("cloudBackups getExportBucket until it answers HTTP 404"));
    assert!(help("createBackupExport")
        .contains("cloudBackups getBackupExport until $.state is Successful, Failed or Cancelled"));
    for op in ["getExportBucket", "createExportBucket", "listBackupExports"] {
        assert!(!help(op).contains("--watch"), "{op} has no watcher");
    }
    // `override.description` is the short help in the tag's list.
    let tag = text(&atlas_api(&["cloudBackups", "--help"], None).stdout);
    assert!(
        tag.contains(
            "Starts exporting one cloud backup snapshot of a cluster to an export bucket."
        ),
        "{tag}"
    );
    // --watch on a command without a watcher is refused by clap.
    let out = atlas_api(&["cloudBackups", "getExportBucket", "--watch"], None);
    assert_eq!(out.status.code(), Some(2));
}

/// A config file of the Atlas CLI in a temporary directory, found through
/// `XDG_CONFIG_HOME` (as the Atlas CLI finds it on Linux) or
/// `ATLAS_CONFIG_FILE`.
struct Config {
    dir: tempfile::TempDir,
}

impl Config {
    fn new(toml: &str) -> Self {
        let dir = tempfile::tempdir().expect("config dir");
        std::fs::create_dir_all(dir.path().join("atlascli")).expect("atlascli dir");
        std::fs::write(dir.path().join("atlascli/config.toml"), toml).expect("config");
        Config { dir }
    }

    fn file(&self) -> String {
        self.dir
            .path()
            .join("atlascli/config.toml")
            .display()
            .to_string()
    }
}

const BUCKETS: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/backup/exportBuckets";
const OTHER_GROUP: &str = "aaaaaaaaaaaaaaaaaaaaaaaa";

/// Answers with a bucket list, the group echoed in a header.
fn buckets() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "results": [{ "_id": BUCKET, "bucketName": "b", "cloudProvider": "AWS", "iamRoleId": GROUP }],
        "totalCount": 1
    }))
}

async fn list_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path_regex(
            r"^/api/atlas/v2/groups/[a-f0-9]{24}/backup/exportBuckets$",
        ))
        .respond_with(buckets())
        .mount(&server)
        .await;
    server
}

fn list_args<'a>(uri: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "cloudBackups",
        "listExportBuckets",
        "--version",
        "2024-05-30",
        "--base-url",
        uri,
    ];
    args.extend_from_slice(extra);
    args
}

#[tokio::test]
async fn missing_or_half_credentials_exit_2_and_send_nothing() {
    let server = list_server().await;
    let uri = server.uri();
    let args = list_args(&uri, &["--groupId", GROUP]);
    let out = atlas_api_with(&args, None, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    for expected in [
        "no credentials",
        "MONGODB_ATLAS_CLIENT_ID",
        "MONGODB_ATLAS_CLIENT_SECRET",
        "MONGODB_ATLAS_PUBLIC_API_KEY",
        "MONGODB_ATLAS_PRIVATE_API_KEY",
        "MONGODB_ATLAS_PUBLIC_KEY",
        "--profile",
        "atlascli/config.toml",
        "--no-auth",
    ] {
        assert!(err.contains(expected), "stderr lacks {expected:?}:\n{err}");
    }
    // Half a pair names the missing half.
    let out = atlas_api_with(&args, None, &[("MONGODB_ATLAS_PUBLIC_KEY", "public")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains(
            "MONGODB_ATLAS_PUBLIC_KEY is set but MONGODB_ATLAS_PRIVATE_API_KEY (or MONGODB_ATLAS_PRIVATE_KEY) is not"
        ),
        "{}",
        text(&out.stderr)
    );
    let out = atlas_api_with(&args, None, &[("MONGODB_ATLAS_CLIENT_ID", "mdb_sa_id")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr)
            .contains("MONGODB_ATLAS_CLIENT_ID is set but MONGODB_ATLAS_CLIENT_SECRET is not"),
        "{}",
        text(&out.stderr)
    );
    assert!(requests_to(&server).await.is_empty(), "nothing may be sent");
    // --no-auth sends without credentials, even to a loopback server only
    // when asked.
    let mut no_auth = args.clone();
    no_auth.push("--no-auth");
    let out = atlas_api_with(&no_auth, None, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sent = requests_to(&server).await;
    assert_eq!(sent.len(), 1);
    assert!(!sent[0].headers.contains_key("authorization"));
}

/// Challenges requests without digest credentials for `public`, answers
/// the others with the bucket list.
struct DigestOnly;

impl Respond for DigestOnly {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let authorization = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if authorization.starts_with("Digest ") && authorization.contains("username=\"pub-key\"") {
            buckets()
        } else {
            ResponseTemplate::new(401)
                .insert_header(
                    "WWW-Authenticate",
                    r#"Digest realm="MMS Public API", domain="", nonce="n0nce", algorithm=MD5, qop="auth", stale=false"#,
                )
                .set_body_json(json!({ "error": 401, "errorCode": "USER_UNAUTHORIZED", "reason": "Unauthorized" }))
        }
    }
}

#[tokio::test]
async fn a_profile_with_api_keys_sends_digest_auth_to_its_base_url() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(BUCKETS))
        .respond_with(DigestOnly)
        .mount(&server)
        .await;
    // The profile gives the keys, the project and the endpoint; it is the
    // only profile, so it is used whatever its name.
    let config = Config::new(&format!(
        "version = 2\n\n[Work]\npublic_api_key = \"pub-key\"\nprivate_api_key = \"priv-key\"\nproject_id = \"{GROUP}\"\nops_manager_url = \"{}/\"\nservice = \"cloud\"\n",
        server.uri()
    ));
    let dir = config.dir.path().display().to_string();
    let args = [
        "cloudBackups",
        "listExportBuckets",
        "--version",
        "2024-05-30",
    ];
    let out = atlas_api_with(&args, None, &[("XDG_CONFIG_HOME", &dir)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(printed["results"][0]["_id"], BUCKET);
    let sent = requests_to(&server).await;
    assert_eq!(sent.len(), 2, "challenge, then the answer");
    let answer = sent[1].headers["authorization"].to_str().expect("ascii");
    assert!(
        answer.starts_with("Digest username=\"pub-key\""),
        "{answer}"
    );
    // The same by name and through ATLAS_CONFIG_FILE.
    let file = config.file();
    let mut named = args.to_vec();
    named.extend(["--profile", "work"]);
    let out = atlas_api_with(&named, None, &[("ATLAS_CONFIG_FILE", &file)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // A profile that is not there.
    let mut unknown = args.to_vec();
    unknown.extend(["-P", "nope"]);
    let out = atlas_api_with(&unknown, None, &[("ATLAS_CONFIG_FILE", &file)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("profile \"nope\" not found in")
            && text(&out.stderr).contains("(profiles there: work)"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn a_profile_with_a_service_account_sends_a_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/oauth/token"))
        // base64("mdb_sa_id_x:mdb_sa_sk_y")
        .and(header(
            "authorization",
            "Basic bWRiX3NhX2lkX3g6bWRiX3NhX3NrX3k=",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(BUCKETS))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(buckets())
        .expect(1)
        .mount(&server)
        .await;
    let config = Config::new(&format!(
        "[default]\nauth_type = \"service_account\"\nclient_id = \"mdb_sa_id_x\"\nclient_secret = \"mdb_sa_sk_y\"\nproject_id = \"{GROUP}\"\n\n[other]\npublic_api_key = \"a\"\nprivate_api_key = \"b\"\n"
    ));
    let file = config.file();
    let uri = server.uri();
    let out = atlas_api_with(&list_args(&uri, &[]), None, &[("ATLAS_CONFIG_FILE", &file)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(printed["totalCount"], 1);
}

#[tokio::test]
async fn flags_win_over_variables_which_win_over_the_profile() {
    let server = list_server().await;
    let uri = server.uri();
    // The profile points at a port nothing listens on and has its own
    // project and API key; the environment and the flags override them.
    let config = Config::new(&format!(
        "[default]\npublic_api_key = \"profile-pub\"\nprivate_api_key = \"profile-priv\"\nproject_id = \"{OTHER_GROUP}\"\nops_manager_url = \"http://127.0.0.1:9\"\n"
    ));
    let file = config.file();
    let path_of = |request: &Request| request.url.path().to_owned();
    // Flag --base-url over the profile's URL; the profile's project.
    let out = atlas_api_with(&list_args(&uri, &[]), None, &[("ATLAS_CONFIG_FILE", &file)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // The environment's URL, project and key over the profile's.
    let env_group = "bbbbbbbbbbbbbbbbbbbbbbbb";
    let env = [
        ("ATLAS_CONFIG_FILE", file.as_str()),
        ("MONGODB_ATLAS_OPS_MANAGER_URL", uri.as_str()),
        ("MONGODB_ATLAS_PROJECT_ID", env_group),
    ];
    let args = [
        "cloudBackups",
        "listExportBuckets",
        "--version",
        "2024-05-30",
    ];
    let out = atlas_api_with(&args, None, &env);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // And the flag (here its alias --projectId) over the environment.
    let mut flagged = args.to_vec();
    flagged.extend(["--projectId", GROUP]);
    let out = atlas_api_with(&flagged, None, &env);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let paths: Vec<String> = requests_to(&server).await.iter().map(path_of).collect();
    assert_eq!(
        paths,
        [
            format!("/api/atlas/v2/groups/{OTHER_GROUP}/backup/exportBuckets"),
            format!("/api/atlas/v2/groups/{env_group}/backup/exportBuckets"),
            BUCKETS.to_owned(),
        ]
    );
    // No project anywhere: the flag, its alias and where a default could
    // come from are named; nothing is sent.
    let bare = Config::new("[default]\npublic_api_key = \"a\"\nprivate_api_key = \"b\"\n");
    let bare_file = bare.file();
    let out = atlas_api_with(
        &list_args(&uri, &[]),
        None,
        &[("ATLAS_CONFIG_FILE", &bare_file)],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--groupId (or --projectId) is required: pass it, set MONGODB_ATLAS_PROJECT_ID, or set project_id in profile \"default\""),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(requests_to(&server).await.len(), 3);
}

#[tokio::test]
async fn secrets_in_an_unreachable_keyring_are_reported() {
    // A profile written by a newer Atlas CLI: the secrets went to the
    // keyring, the file keeps auth_type. Here no keyring can be reached.
    let config = Config::new(&format!(
        "version = 2\n[default]\nauth_type = \"api_keys\"\nproject_id = \"{GROUP}\"\n"
    ));
    let file = config.file();
    let out = atlas_api_with(
        &list_args("http://127.0.0.1:9", &[]),
        None,
        &[("ATLAS_CONFIG_FILE", &file)],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    for expected in [
        "profile \"default\"",
        "auth_type = \"api_keys\"",
        "OS keyring (service \"atlascli_default\")",
        "public_api_key or private_api_key",
        "cannot be read here",
    ] {
        assert!(err.contains(expected), "stderr lacks {expected:?}:\n{err}");
    }
    // Credentials from the environment make the keyring unnecessary.
    let server = list_server().await;
    let uri = server.uri();
    let out = atlas_api_with(
        &list_args(&uri, &[]),
        None,
        &[
            ("ATLAS_CONFIG_FILE", &file),
            ("MONGODB_ATLAS_PUBLIC_API_KEY", "p"),
            ("MONGODB_ATLAS_PRIVATE_API_KEY", "q"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[tokio::test]
async fn output_yaml_and_output_file() {
    let server = list_server().await;
    let uri = server.uri();
    let out = atlas_api(&list_args(&uri, &["--groupId", GROUP, "-o", "yaml"]), None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let yaml = text(&out.stdout);
    assert!(
        yaml.starts_with("results:\n- _id: 5f1a2b3c4d5e6f7a8b9c0d1e\n"),
        "{yaml}"
    );
    assert!(yaml.contains("totalCount: 1"), "{yaml}");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("buckets.json");
    let file_arg = file.display().to_string();
    let out = atlas_api(
        &list_args(&uri, &["--groupId", GROUP, "--outputFile", &file_arg]),
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let written: Value =
        serde_json::from_slice(&std::fs::read(&file).expect("file")).expect("JSON");
    assert_eq!(written["totalCount"], 1);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(
        names,
        ["buckets.json"],
        "written whole, no temporary file left"
    );
    // A format the operation does not offer is clap's usage error.
    let out = atlas_api(&list_args(&uri, &["--groupId", GROUP, "-o", "csv"]), None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("[possible values: json, yaml]"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn omitting_version_on_a_multi_version_operation_reminds_once() {
    let server = list_server().await;
    let uri = server.uri();
    let args = [
        "cloudBackups",
        "listExportBuckets",
        "--base-url",
        &uri,
        "--groupId",
        GROUP,
    ];
    let out = atlas_api(&args, None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "warning: using default API version '2024-05-30'; consider pinning a version to ensure consistency when updating the CLI\n"
    );
    // None with --version, none for a single-version operation.
    let out = atlas_api(&list_args(&uri, &["--groupId", GROUP]), None);
    assert_eq!(text(&out.stderr), "");
    let out = atlas_api(
        &[
            "cloudBackups",
            "listBackupExports",
            "--base-url",
            &uri,
            "--groupId",
            GROUP,
            "--clusterName",
            "Cluster0",
        ],
        None,
    );
    assert!(
        !text(&out.stderr).contains("warning"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn completions_are_generated_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _atlas__api"),
        ("zsh", "#compdef atlas-api"),
        ("fish", "complete -c atlas-api"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = atlas_api_with(&["completion", shell], None, &[]);
        assert!(out.status.success(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell} lacks {marker:?}");
        assert!(script.contains("createBackupExport"), "{shell}");
        assert!(script.contains("projectId"), "{shell}");
    }
    let out = atlas_api_with(&["completion", "tcsh"], None, &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn top_level_version_and_help() {
    let out = atlas_api_with(&["--version"], None, &[]);
    assert!(out.status.success());
    // The crate's version, then the spec it was generated from: `info.version`
    // of spec/atlas-admin-api.yaml ('2.0'; it has no x-xgen-sha) and the
    // newest API version its operations offer.
    assert_eq!(
        text(&out.stdout),
        format!(
            "atlas-api {} (spec 2.0, API versions to 2024-05-30)\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    let out = atlas_api_with(&["--help"], None, &[]);
    assert!(out.status.success());
    let help = text(&out.stdout);
    assert_eq!(help.matches("Usage:").count(), 1, "{help}");
    for expected in [
        "cloudBackups",
        "completion",
        "--profile",
        "--no-auth",
        "--version",
    ] {
        assert!(help.contains(expected), "help lacks {expected:?}:\n{help}");
    }
    // Under an operation --version is the API version.
    let out = atlas_api_with(
        &["cloudBackups", "getExportBucket", "--version", "2099-01-01"],
        None,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("[possible values: 2023-01-01, 2024-05-30]"));
}

#[tokio::test]
async fn watch_flags_are_checked_before_anything_is_sent() {
    let server = MockServer::start().await;
    let uri = server.uri();
    let body = json!({ "exportBucketId": BUCKET, "snapshotId": SNAPSHOT }).to_string();
    for bad in ["--watch-interval=0", "--watchTimeout=-1"] {
        let mut args = vec![
            "cloudBackups",
            "createBackupExport",
            "--base-url",
            &uri,
            "--groupId",
            GROUP,
            "--clusterName",
            "Cluster0",
            "--watch",
        ];
        args.push(bad);
        let out = atlas_api(&args, Some(&body));
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let flag = bad.split('=').next().unwrap_or(bad);
        assert!(text(&out.stderr).contains(flag), "{}", text(&out.stderr));
    }
    assert!(requests_to(&server).await.is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn a_watch_that_times_out_keeps_the_job_id_on_stdout() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(EXPORTS))
        .respond_with(ResponseTemplate::new(200).set_body_json(job("Queued", 0)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("{EXPORTS}/{EXPORT}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(job("InProgress", 1)))
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
            "0.05",
            "--watch-timeout",
            "0.3",
        ],
        Some(&body),
    );
    assert_eq!(out.status.code(), Some(1));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("the created job");
    assert_eq!(printed["id"], EXPORT);
    let err = text(&out.stderr);
    assert!(
        err.contains(&format!("to look again: atlas-api cloudBackups getBackupExport --groupId {GROUP} --clusterName Cluster0 --exportId {EXPORT}")),
        "{err}"
    );
}

#[tokio::test]
async fn the_response_is_printed_as_the_server_sent_it() {
    // No `exportBucketId` (required by the spec), an unknown field and a
    // state the spec does not list: printed as sent, nothing filled in.
    let sent = json!({ "id": EXPORT, "state": "Paused", "somethingNew": [1, 2] });
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{EXPORTS}/{EXPORT}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(sent.clone()))
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
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(printed, sent);
}

/// An Ops Manager (or a TLS-inspecting proxy) whose certificate a private CA
/// signed: refused as a certificate problem, once, without the CA; trusted
/// with `--caCert FILE` and with `ATLAS_CA_CERT`.
#[tokio::test(flavor = "multi_thread")]
async fn a_private_ca_is_trusted_with_ca_cert_or_atlas_ca_cert() {
    let server = tls_server::TlsServer::start().await;
    let dir = tempfile::tempdir().expect("dir");
    let ca = dir.path().join("company-ca.pem");
    std::fs::write(&ca, &server.ca_pem).expect("PEM");
    let ca_arg = ca.display().to_string();
    let keys = [
        ("MONGODB_ATLAS_PUBLIC_KEY", "public"),
        ("MONGODB_ATLAS_PRIVATE_KEY", "private"),
    ];
    let base = server.base.clone();

    let out = atlas_api_with(&list_args(&base, &["--groupId", GROUP]), None, &keys);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("certificate")
            && stderr.contains("ATLAS_CA_CERT")
            && stderr.contains("(1 attempt); here: --caCert FILE"),
        "{stderr}"
    );
    assert_eq!(server.requests.load(Ordering::SeqCst), 0);

    let out = atlas_api_with(
        &list_args(&base, &["--groupId", GROUP, "--caCert", &ca_arg]),
        None,
        &keys,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let page: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(page["totalCount"], 0);

    let mut env = keys.to_vec();
    env.push(("ATLAS_CA_CERT", &ca_arg));
    let out = atlas_api_with(&list_args(&base, &["--groupId", GROUP]), None, &env);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(server.requests.load(Ordering::SeqCst), 2);

    // A file that is not there: a usage error, nothing sent.
    let missing = dir.path().join("missing.pem").display().to_string();
    let out = atlas_api_with(
        &list_args(&base, &["--groupId", GROUP, "--caCert", &missing]),
        None,
        &keys,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("--caCert"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(server.requests.load(Ordering::SeqCst), 2);
}
