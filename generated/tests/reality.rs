//! The reality suite: what Atlas really sends and accepts, as MongoDB
//! documents and records it (fixtures written by us, with their sources,
//! in `tests/reality/`), run through the library and the `atlas-api`
//! binary against loopback servers. Every documented real error keeps its
//! error code and parameters; every documented accepted request is sent
//! unchanged. The fixtures of other crates (`"crate": "combined"`: the
//! whole API) run in `tests/tests/full_spec.rs`.

use std::process::{Command, Output, Stdio};

use atlas_admin_api::{Client, Error, RetryPolicy};
use serde_json::Value;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const EXPORT: &str = "6641f4b6c0e1e3a1b2c3d4e5";
const EXPORT_PATH: &str =
    "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports/6641f4b6c0e1e3a1b2c3d4e5";
const EXPORTS_PATH: &str =
    "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports";

fn fixture(name: &str, list: &str) -> Vec<Value> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/reality")
        .join(name);
    let text = std::fs::read_to_string(&file).expect("fixture");
    let doc: Value = serde_json::from_str(&text).expect("fixture is JSON");
    doc[list].as_array().expect("list").clone()
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

fn atlas_api(args: &[&str]) -> Output {
    atlas_api_with(args, &[])
}

/// `atlas-api` with `args`, in an environment of API-key credentials and
/// `env`.
fn atlas_api_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().expect("home");
    Command::new(env!("CARGO_BIN_EXE_atlas-api"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .env("HOME", home.path())
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/atlas-api-tests/bus",
        )
        .env("MONGODB_ATLAS_PUBLIC_KEY", "public")
        .env("MONGODB_ATLAS_PRIVATE_KEY", "private")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(Stdio::null())
        .output()
        .expect("atlas-api runs")
}

/// `atlas-api cloudBackups getBackupExport` of the test's job at
/// `base_url`, with `extra` flags, in an environment with `env`.
fn get_export(base_url: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut args = vec![
        "cloudBackups",
        "getBackupExport",
        "--groupId",
        GROUP,
        "--clusterName",
        "Cluster0",
        "--exportId",
        EXPORT,
        "--base-url",
        base_url,
    ];
    args.extend_from_slice(extra);
    atlas_api_with(&args, env)
}

/// `atlas-api cloudBackups createBackupExport` on the test's cluster at
/// `base_url`, its body read with `--file` from a file holding `body` as
/// given, with `extra` flags; run off the async runtime.
async fn create_export_from_file(
    base_url: String,
    body: String,
    extra: &'static [&'static str],
) -> Output {
    tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("body.json");
        std::fs::write(&file, body).expect("write body");
        let file = file.to_string_lossy().into_owned();
        let mut args = vec![
            "cloudBackups",
            "createBackupExport",
            "--groupId",
            GROUP,
            "--clusterName",
            "Cluster0",
            "--file",
            &file,
            "--base-url",
            &base_url,
        ];
        args.extend_from_slice(extra);
        atlas_api(&args)
    })
    .await
    .expect("thread")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn answering(status: u16, body: &Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(EXPORT_PATH))
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn every_documented_error_keeps_its_code_through_the_library() {
    for case in fixture("errors.json", "errors") {
        let name = case["name"].as_str().expect("name");
        let status = u16::try_from(case["status"].as_u64().expect("status")).expect("u16");
        let body = &case["body"];
        let server = answering(status, body).await;
        let err = client(&server)
            .get_backup_export()
            .group_id(GROUP)
            .cluster_name("Cluster0")
            .export_id(EXPORT)
            .send()
            .await
            .expect_err(name);
        let code = body["errorCode"].as_str().expect("errorCode");
        assert!(err.is_error_code(code), "{name}: {err:?}");
        assert_eq!(err.status().map(|s| s.as_u16()), Some(status), "{name}");
        let parameters = body["parameters"].as_array().expect("parameters");
        assert_eq!(err.parameters(), parameters.as_slice(), "{name}");
        let Error::Api { body: api, .. } = &err else {
            panic!("{name}: {err:?}")
        };
        assert_eq!(api.detail(), body["detail"].as_str(), "{name}");
        assert_eq!(api.body(), body, "{name}: the body as sent");
        let raw: Value = serde_json::from_slice(api.raw()).expect("raw body is JSON");
        assert_eq!(&raw, body, "{name}: the raw body");
        // The message names the code, never a decoding failure.
        let message = err.to_string();
        assert!(message.contains(code), "{name}: {message}");
        assert!(!message.contains("did not decode"), "{name}: {message}");
    }
}

#[tokio::test]
async fn every_documented_error_keeps_its_code_through_the_command_line() {
    for case in fixture("errors.json", "errors") {
        let name = case["name"].as_str().expect("name");
        let status = u16::try_from(case["status"].as_u64().expect("status")).expect("u16");
        let body = case["body"].clone();
        let server = answering(status, &body).await;
        let uri = server.uri();
        // Not waiting out the refusals' announced 50-55 s: the code is
        // what this test is about (the waits: `a_rate_limit_wait_...`).
        let out =
            tokio::task::spawn_blocking(move || get_export(&uri, &["--rate-limit-wait", "0"], &[]))
                .await
                .expect("thread");
        assert_eq!(out.status.code(), Some(1), "{name}: {}", text(&out.stderr));
        let asked = server.received_requests().await.expect("recorded").len();
        assert_eq!(asked, 1, "{name}: asked once, no wait, no retry");
        let stderr = text(&out.stderr);
        let code = body["errorCode"].as_str().expect("errorCode");
        assert!(
            stderr.starts_with(&format!("Error: HTTP {status} {code}")),
            "{name}: {stderr}"
        );
        // The body Atlas sent follows, as sent.
        let printed: Value = serde_json::from_str(
            stderr
                .split_once('\n')
                .map(|(_, rest)| rest)
                .expect("a body after the message"),
        )
        .expect("the API error as JSON");
        assert_eq!(printed, body, "{name}");
    }
}

/// Atlas's token-bucket refusal, announcing a refill in one second.
fn refusal_for_one_second() -> Value {
    serde_json::json!({
        "detail": "Rate limit exceeded for api/atlas/v2/groups. Please retry after 1 seconds. Request capacity: 10. Refill rate: 10 per 1 seconds.",
        "error": 429,
        "errorCode": "RATE_LIMITED_TOKEN_BUCKET",
        "parameters": ["api/atlas/v2/groups", 1, 10, 10, 1],
        "reason": "Too Many Requests"
    })
}

/// How many times `atlas-api` asked a server that always refuses for
/// one second, with `args` added and `env`; and its exit code.
async fn asked_of_a_refusing_server(args: &[&str], env: &[(&str, &str)]) -> (usize, Option<i32>) {
    let server = answering(429, &refusal_for_one_second()).await;
    let uri = server.uri();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let out = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        get_export(&uri, &args, &env)
    })
    .await
    .expect("thread");
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("Error: HTTP 429 RATE_LIMITED_TOKEN_BUCKET"),
        "{stderr}"
    );
    let asked = server.received_requests().await.expect("recorded").len();
    (asked, out.status.code())
}

#[tokio::test]
async fn a_rate_limit_wait_of_zero_fails_at_once_and_the_default_waits() {
    // By default a refusal within the wait allowance (120 s) is waited
    // out and asked again, up to the retry policy's 4 attempts.
    let (asked, code) = asked_of_a_refusing_server(&[], &[]).await;
    assert_eq!(
        (asked, code),
        (4, Some(1)),
        "the default waits and asks again"
    );
    // --rate-limit-wait 0, or its variable: the refusal is the answer.
    let (asked, code) = asked_of_a_refusing_server(&["--rate-limit-wait", "0"], &[]).await;
    assert_eq!((asked, code), (1, Some(1)), "--rate-limit-wait 0");
    let (asked, code) =
        asked_of_a_refusing_server(&[], &[("ATLAS_API_RATE_LIMIT_WAIT", "0")]).await;
    assert_eq!((asked, code), (1, Some(1)), "ATLAS_API_RATE_LIMIT_WAIT=0");
    // A wait shorter than the announced second: not waited for either.
    let (asked, _) = asked_of_a_refusing_server(&["--rate-limit-wait", "0.5"], &[]).await;
    assert_eq!(asked, 1, "--rate-limit-wait 0.5 against a 1 s hold");
}

#[test]
fn a_rate_limit_wait_must_be_seconds() {
    for bad in ["-1", "soon", "1e300"] {
        let flag = format!("--rate-limit-wait={bad}");
        let out = get_export("http://127.0.0.1:9", &[&flag], &[]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("rate-limit-wait"),
            "{bad}: {}",
            text(&out.stderr)
        );
    }
}

fn spec_requests() -> Vec<Value> {
    fixture("requests.json", "requests")
        .into_iter()
        .filter(|r| r["crate"] == "spec")
        .collect()
}

async fn accepting(body: &Value, times: u64) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(EXPORTS_PATH))
        .and(body_json(body))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "id": EXPORT,
            "exportBucketId": GROUP,
            "state": "Queued"
        })))
        .expect(times)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn every_documented_request_is_sent_unchanged_through_the_library() {
    for case in spec_requests() {
        let name = case["name"].as_str().expect("name");
        assert_eq!(case["operation"], "createBackupExport", "{name}");
        let body = &case["body"];
        let unknown = case["unknown"].as_array().expect("unknown");
        // Sent as given, and once more with strict_body when every field
        // is one the spec lists (wiremock checks the count when dropped).
        let server = accepting(body, if unknown.is_empty() { 2 } else { 1 }).await;
        client(&server)
            .create_backup_export()
            .group_id(GROUP)
            .cluster_name("Cluster0")
            .raw_body(body.clone())
            .send()
            .await
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        // Strict: refused, unless every field is one the spec lists.
        let strict = client(&server)
            .create_backup_export()
            .group_id(GROUP)
            .cluster_name("Cluster0")
            .raw_body(body.clone())
            .strict_body(true)
            .send()
            .await;
        match (unknown.first(), strict) {
            (None, Ok(_)) => {}
            (Some(field), Err(Error::InvalidRequest(err))) => {
                let field = field.as_str().expect("field");
                assert!(err.to_string().contains(field), "{name}: {err}");
            }
            (_, other) => panic!("{name}: strict_body gave {other:?}"),
        }
    }
}

#[tokio::test]
async fn every_documented_request_is_sent_unchanged_through_the_command_line() {
    for case in spec_requests() {
        let name = case["name"].as_str().expect("name");
        let body = case["body"].clone();
        let unknown: Vec<String> = case["unknown"]
            .as_array()
            .expect("unknown")
            .iter()
            .map(|f| f.as_str().expect("field").to_owned())
            .collect();
        // Sent once without --strict, and once more with it only when
        // every field is known (wiremock checks the count when dropped).
        let server = accepting(&body, if unknown.is_empty() { 2 } else { 1 }).await;
        let run = |strict: bool| {
            let extra: &'static [&'static str] = if strict { &["--strict"] } else { &[] };
            create_export_from_file(server.uri(), body.to_string(), extra)
        };
        let out = run(false).await;
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{name}: {stderr}");
        for field in &unknown {
            assert!(
                stderr.contains(&format!("warning: the request body has field `{field}`")),
                "{name}: {stderr}"
            );
        }
        if unknown.is_empty() {
            assert!(!stderr.contains("warning"), "{name}: {stderr}");
        }
        // --strict refuses what the spec does not list, before sending.
        let out = run(true).await;
        match unknown.first() {
            None => assert_eq!(out.status.code(), Some(0), "{name}"),
            Some(field) => {
                assert_eq!(out.status.code(), Some(2), "{name}");
                assert!(text(&out.stderr).contains(field.as_str()), "{name}");
            }
        }
    }
}

#[tokio::test]
async fn what_the_spec_is_sure_of_is_still_checked() {
    // A snapshot id that breaks its pattern, and a number where a list of
    // labels goes: refused before anything is sent, strict or not.
    let server = accepting(&Value::Null, 0).await;
    for body in [
        serde_json::json!({"exportBucketId": GROUP, "snapshotId": "zzz"}),
        serde_json::json!({"exportBucketId": GROUP, "snapshotId": GROUP, "customData": 5}),
        serde_json::json!({"snapshotId": GROUP}),
    ] {
        let err = client(&server)
            .create_backup_export()
            .group_id(GROUP)
            .cluster_name("Cluster0")
            .raw_body(body.clone())
            .send()
            .await
            .expect_err("refused");
        assert!(matches!(err, Error::InvalidRequest(_)), "{body}: {err:?}");
        let out = create_export_from_file(server.uri(), body.to_string(), &[]).await;
        assert_eq!(out.status.code(), Some(2), "{body}: {}", text(&out.stderr));
    }
    // Malformed JSON.
    let out = create_export_from_file(server.uri(), "{\"snapshotId\": ".to_owned(), &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not JSON"),
        "{}",
        text(&out.stderr)
    );
}
