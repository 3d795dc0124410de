//! The `atlas-api` binary's tools for scripts and daily work, run as a real
//! process against loopback servers: `--debug` (and `$ATLAS_API_DEBUG`,
//! `$RUST_LOG`) logs the exchanges and never a secret; `--dry-run` and
//! `--curl` send nothing (and the curl command, run by `curl`, sends the
//! request `atlas-api` sends); `--all`, `--ndjson` and `--limit` walk the
//! pages; `--jq` filters; `--help` links the docs; `--body-template` makes
//! a body the server accepts.
//!
//! Each run gets an empty environment and home directory, and a D-Bus
//! address that does not exist (so no keyring is reachable).

use std::path::Path;
use std::process::{Command, Output, Stdio};

use serde_json::{json, Value};
use wiremock::matchers::{body_json, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[path = "../runtime/tests/support/oauth_server.rs"]
mod oauth_server;

use oauth_server::{OAuthServer, CLIENT_ID, CLIENT_SECRET, DEVICE_TOKEN_PATH};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const BUCKETS: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/backup/exportBuckets";
const PUBLIC_KEY: &str = "pub-key";
const PRIVATE_KEY: &str = "priv-key-d0nt-l0g-me";
const DIGEST_KEYS: [(&str, &str); 2] = [
    ("MONGODB_ATLAS_PUBLIC_API_KEY", PUBLIC_KEY),
    ("MONGODB_ATLAS_PRIVATE_API_KEY", PRIVATE_KEY),
];

/// Runs the binary with `args` and only the variables `env` (plus an
/// empty `HOME` and an unreachable D-Bus session bus).
fn atlas_api(args: &[&str], env: &[(&str, &str)]) -> Output {
    let home = tempfile::tempdir().expect("home");
    Command::new(env!("CARGO_BIN_EXE_atlas-api"))
        .args(args)
        .env_clear()
        .env("HOME", home.path())
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/atlas-api-tests/bus",
        )
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("atlas-api runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn requests_to(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.unwrap_or_default()
}

fn bucket(n: usize) -> Value {
    json!({ "_id": format!("{n:024x}"), "bucketName": format!("bucket-{n}"), "cloudProvider": "AWS", "iamRoleId": GROUP })
}

/// Whether `request` carries digest credentials for [`PUBLIC_KEY`].
fn has_digest(request: &Request) -> bool {
    let authorization = request
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    authorization.starts_with("Digest ")
        && authorization.contains(&format!("username=\"{PUBLIC_KEY}\""))
}

/// Challenges requests without digest credentials for [`PUBLIC_KEY`], as
/// Atlas does, and answers the others with one bucket.
struct DigestOnly;

impl Respond for DigestOnly {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if has_digest(request) {
            ResponseTemplate::new(200)
                .set_body_json(json!({ "results": [bucket(1)], "totalCount": 1 }))
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

/// The `response="..."` of a digest `Authorization` header.
fn digest_response(authorization: &str) -> Option<String> {
    let start = authorization.find("response=\"")? + "response=\"".len();
    let rest = &authorization[start..];
    Some(rest[..rest.find('"')?].to_owned())
}

#[tokio::test]
async fn debug_logs_the_digest_exchange_and_never_the_key_or_the_digest_response() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(BUCKETS))
        .respond_with(DigestOnly)
        .mount(&server)
        .await;
    let uri = server.uri();
    let args = [
        "cloudBackups",
        "listExportBuckets",
        "--version",
        "2024-05-30",
        "--groupId",
        GROUP,
        "--base-url",
        &uri,
        "--debug",
    ];
    let out = atlas_api(&args, &DIGEST_KEYS);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = text(&out.stderr);
    let sent = requests_to(&server).await;
    assert_eq!(sent.len(), 2, "the challenge, then the answer");
    let authorization = sent[1]
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .expect("digest credentials")
        .to_owned();
    let response = digest_response(&authorization).expect("a digest response");
    // Both attempts' request lines, the challenge and the success.
    let line = format!("> GET {uri}{BUCKETS}");
    assert_eq!(log.matches(&line).count(), 2, "{log}");
    assert!(log.contains("< 401 in "), "{log}");
    assert!(log.contains("< 200 in "), "{log}");
    assert!(log.contains("authorization: Digest [REDACTED]"), "{log}");
    assert!(log.contains("bucket-1"), "the body is shown: {log}");
    for secret in [PRIVATE_KEY, response.as_str()] {
        assert!(!log.contains(secret), "{secret:?} logged:\n{log}");
    }
    // The result still goes to stdout, alone.
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(printed["totalCount"], 1);

    // Without --debug nothing is logged; $RUST_LOG alone gives the request
    // lines (at DEBUG: no headers).
    let quiet = atlas_api(&args[..args.len() - 1], &DIGEST_KEYS);
    assert!(quiet.status.success());
    assert_eq!(text(&quiet.stderr), "");
    let mut env = DIGEST_KEYS.to_vec();
    env.push(("RUST_LOG", "atlas_admin_api::wire=debug"));
    let lines = atlas_api(&args[..args.len() - 1], &env);
    let log = text(&lines.stderr);
    assert!(log.contains(&line), "{log}");
    assert!(!log.contains("authorization"), "{log}");
    assert!(!log.contains(PRIVATE_KEY), "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn atlas_api_debug_logs_the_token_request_and_never_the_secret_or_the_token() {
    let atlas = OAuthServer::start().await;
    let uri = atlas.uri();
    let out = atlas_api(
        &[
            "cloudBackups",
            "listExportBuckets",
            "--version",
            "2024-05-30",
            "--groupId",
            GROUP,
            "--base-url",
            &uri,
            "--no-token-cache",
        ],
        &[
            ("MONGODB_ATLAS_CLIENT_ID", CLIENT_ID),
            ("MONGODB_ATLAS_CLIENT_SECRET", CLIENT_SECRET),
            ("ATLAS_API_DEBUG", "1"),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = text(&out.stderr);
    assert!(
        log.contains(&format!("> POST {uri}/api/oauth/token")),
        "{log}"
    );
    assert!(log.contains(&format!("> GET {uri}{BUCKETS}")), "{log}");
    assert!(log.contains("authorization: Bearer [REDACTED]"), "{log}");
    assert!(log.contains("authorization: Basic [REDACTED]"), "{log}");
    assert!(log.contains("[REDACTED] ("), "token bodies redacted: {log}");
    let tokens = atlas.state.tokens_used();
    assert_eq!(tokens.len(), 1);
    use base64::Engine as _;
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"));
    for secret in [CLIENT_SECRET, tokens[0].as_str(), basic.as_str()] {
        assert!(!log.contains(secret), "{secret:?} logged:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_logs_a_login_renewal_and_never_a_token() {
    let atlas = OAuthServer::start().await;
    let uri = atlas.uri();
    let home = tempfile::tempdir().expect("home");
    let (access, refresh) = atlas.state.user_login(Some(120));
    let file = home.path().join("config.toml");
    std::fs::write(
        &file,
        format!("version = 2\n\n[default]\n  auth_type = \"user_account\"\n  access_token = \"{access}\"\n  refresh_token = \"{refresh}\"\n"),
    )
    .expect("config");
    let file = file.display().to_string();
    let out = atlas_api(
        &[
            "cloudBackups",
            "listExportBuckets",
            "--version",
            "2024-05-30",
            "--groupId",
            GROUP,
            "--base-url",
            &uri,
            "-D",
        ],
        &[("ATLAS_CONFIG_FILE", file.as_str())],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(atlas.state.refreshes(), 1, "the expired login was renewed");
    let log = text(&out.stderr);
    assert!(
        log.contains("> POST ") && log.contains(DEVICE_TOKEN_PATH),
        "{log}"
    );
    assert!(log.contains(&format!("> GET {uri}{BUCKETS}")), "{log}");
    let config = std::fs::read_to_string(&file).expect("config");
    let renewed: toml::Table = config.parse().expect("TOML");
    let new_access = renewed["default"]["access_token"]
        .as_str()
        .expect("access")
        .to_owned();
    let new_refresh = renewed["default"]["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    assert_ne!(new_access, access);
    for secret in [&access, &refresh, &new_access, &new_refresh] {
        assert!(!log.contains(secret.as_str()), "{secret:?} logged:\n{log}");
    }
}

/// Counts every request; answers them as [`DigestOnly`].
async fn counting_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(DigestOnly)
        .mount(&server)
        .await;
    server
}

fn body_file(dir: &Path, name: &str, body: &str) -> String {
    let file = dir.join(name);
    std::fs::write(&file, body).expect("write body");
    file.display().to_string()
}

/// What identifies a request: method, path, query, body, and the headers
/// that say what it is.
fn request_key(request: &Request) -> (String, String, Option<String>, Value, Vec<String>) {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| format!("{name}: {v}"))
            .unwrap_or_default()
    };
    (
        request.method.to_string(),
        request.url.path().to_owned(),
        request.url.query().map(str::to_owned),
        serde_json::from_slice(&request.body).unwrap_or(Value::Null),
        vec![header("accept"), header("content-type")],
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_sends_nothing_and_its_curl_command_sends_the_same_request() {
    let server = counting_server().await;
    let uri = server.uri();
    let dir = tempfile::tempdir().expect("temp dir");
    let body = r#"{"bucketName": "it's-mine", "cloudProvider": "AWS", "iamRoleId": "32b6e34b3d91647abb20e7b8"}"#;
    let file = body_file(dir.path(), "body.json", body);
    let args = |extra: &str| {
        vec![
            "cloudBackups".to_owned(),
            "createExportBucket".to_owned(),
            "--groupId".to_owned(),
            GROUP.to_owned(),
            "--envelope=false".to_owned(),
            "--base-url".to_owned(),
            uri.clone(),
            "--file".to_owned(),
            file.clone(),
            extra.to_owned(),
        ]
    };
    let run = |extra: &str, env: &[(&str, &str)]| {
        let args = args(extra);
        let args: Vec<&str> = args
            .iter()
            .map(String::as_str)
            .filter(|a| !a.is_empty())
            .collect();
        atlas_api(&args, env)
    };

    // --dry-run: the request as text, nothing sent, with either kind of
    // credentials (a service account requests no token).
    let service_account = [
        ("MONGODB_ATLAS_CLIENT_ID", CLIENT_ID),
        ("MONGODB_ATLAS_CLIENT_SECRET", CLIENT_SECRET),
    ];
    for env in [&DIGEST_KEYS[..], &service_account[..]] {
        let out = run("--dry-run", env);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let printed = text(&out.stdout);
        assert!(
            printed.starts_with(&format!("POST {uri}{BUCKETS}?envelope=false\n")),
            "{printed}"
        );
        assert!(
            printed.contains("content-type: application/vnd.atlas.2024-05-30+json"),
            "{printed}"
        );
        assert!(
            printed.contains("\"bucketName\":\"it's-mine\""),
            "{printed}"
        );
        assert!(!printed.contains(PRIVATE_KEY) && !printed.contains(CLIENT_SECRET));
    }
    assert_eq!(
        requests_to(&server).await.len(),
        0,
        "a dry run sends nothing"
    );
    // An invalid body is still refused (exit 2), before anything is sent.
    let bad = body_file(
        dir.path(),
        "bad.json",
        r#"{"bucketName": "b", "cloudProvider": "AWS"}"#,
    );
    let out = atlas_api(
        &[
            "cloudBackups",
            "createExportBucket",
            "--groupId",
            GROUP,
            "--base-url",
            &uri,
            "--file",
            &bad,
            "--dry-run",
        ],
        &DIGEST_KEYS,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let file = body_file(dir.path(), "body.json", body);
    let _ = file;

    // --curl: a command; nothing sent by atlas-api.
    let out = run("--curl", &DIGEST_KEYS);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let curl = text(&out.stdout);
    assert!(curl.starts_with("curl "), "{curl}");
    assert!(!curl.contains(PRIVATE_KEY), "{curl}");
    assert_eq!(requests_to(&server).await.len(), 0, "--curl sends nothing");

    // The real request, then the curl command's: the same.
    let real = run("", &DIGEST_KEYS);
    assert!(real.status.success(), "{}", text(&real.stderr));
    let has_curl = Command::new("curl")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_curl {
        eprintln!("SKIPPED running the --curl command: `curl` is not installed");
        return;
    }
    let replay = Command::new("sh")
        .arg("-c")
        .arg(curl.trim())
        .env_clear()
        .envs(DIGEST_KEYS)
        .output()
        .expect("sh runs");
    assert!(replay.status.success(), "{}", text(&replay.stderr));
    // Each answered its challenge and sent the request with credentials
    // once: atlas-api first, then curl.
    let sent: Vec<Request> = requests_to(&server)
        .await
        .into_iter()
        .filter(has_digest)
        .collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(request_key(&sent[1]), request_key(&sent[0]));
    assert_eq!(sent[0].url.query(), Some("envelope=false"));
    assert_eq!(
        serde_json::from_slice::<Value>(&sent[1].body).expect("JSON body"),
        serde_json::from_str::<Value>(body).expect("JSON")
    );
}

/// Serves `total` buckets `per_page` at a time by `pageNum`, with
/// `totalCount` unless `includeCount=false`, and `next` links.
struct Pages {
    total: usize,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let page: usize = query("pageNum").and_then(|v| v.parse().ok()).unwrap_or(1);
        let per_page: usize = query("itemsPerPage")
            .and_then(|v| v.parse().ok())
            .unwrap_or(100);
        let first = (page - 1) * per_page + 1;
        let items: Vec<Value> = (first..=self.total).take(per_page).map(bucket).collect();
        let mut links = vec![json!({ "rel": "self", "href": request.url.as_str() })];
        if first + per_page <= self.total {
            links.push(json!({ "rel": "next", "href": "elsewhere" }));
        }
        let mut body = json!({ "results": items, "links": links });
        if query("includeCount").as_deref() != Some("false") {
            body["totalCount"] = json!(self.total);
        }
        ResponseTemplate::new(200).set_body_json(body)
    }
}

async fn pages_server(total: usize) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(BUCKETS))
        .respond_with(Pages { total })
        .mount(&server)
        .await;
    server
}

fn list<'a>(uri: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "cloudBackups",
        "listExportBuckets",
        "--groupId",
        GROUP,
        "--version",
        "2024-05-30",
        "--base-url",
        uri,
        "--itemsPerPage",
        "2",
    ];
    args.extend_from_slice(extra);
    args
}

fn names(items: &[Value]) -> Vec<String> {
    items
        .iter()
        .map(|i| i["bucketName"].as_str().unwrap_or("?").to_owned())
        .collect()
}

fn page_numbers(sent: &[Request]) -> Vec<String> {
    sent.iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "pageNum")
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn all_walks_three_pages_and_prints_every_item_once_in_order() {
    let server = pages_server(5).await;
    let uri = server.uri();
    let expected: Vec<String> = (1..=5).map(|n| format!("bucket-{n}")).collect();

    let out = atlas_api(&list(&uri, &["--all"]), &DIGEST_KEYS);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let items = printed["results"].as_array().expect("results");
    assert_eq!(names(items), expected);
    assert_eq!(page_numbers(&requests_to(&server).await), ["1", "2", "3"]);

    // Without totalCount the links end the walk just as well; YAML too.
    server.reset().await;
    Mock::given(method("GET"))
        .and(path(BUCKETS))
        .respond_with(Pages { total: 5 })
        .mount(&server)
        .await;
    let out = atlas_api(
        &list(&uri, &["--all", "--includeCount=false", "--output", "yaml"]),
        &DIGEST_KEYS,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let yaml = text(&out.stdout);
    assert!(yaml.starts_with("results:\n"), "{yaml}");
    for name in &expected {
        assert_eq!(
            yaml.matches(&format!("bucketName: {name}\n")).count(),
            1,
            "{yaml}"
        );
    }
    assert_eq!(page_numbers(&requests_to(&server).await), ["1", "2", "3"]);

    // --ndjson: one compact item per line, in order.
    let out = atlas_api(&list(&uri, &["--ndjson"]), &DIGEST_KEYS);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON item per line"))
        .collect();
    assert_eq!(names(&lines), expected);

    // --pageNum starts the walk later.
    let out = atlas_api(&list(&uri, &["--all", "--pageNum", "2"]), &DIGEST_KEYS);
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        names(printed["results"].as_array().expect("results")),
        ["bucket-3", "bucket-4", "bucket-5"]
    );

    // Without --all: one page, as the server sent it.
    let out = atlas_api(&list(&uri, &[]), &DIGEST_KEYS);
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(printed["totalCount"], 5);
    assert_eq!(printed["results"].as_array().map(Vec::len), Some(2));
}

#[tokio::test(flavor = "multi_thread")]
async fn limit_stops_after_n_items_and_asks_no_further_page() {
    let server = pages_server(5).await;
    let uri = server.uri();
    let out = atlas_api(&list(&uri, &["--limit", "3"]), &DIGEST_KEYS);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        names(printed["results"].as_array().expect("results")),
        ["bucket-1", "bucket-2", "bucket-3"]
    );
    assert_eq!(page_numbers(&requests_to(&server).await), ["1", "2"]);

    server.reset().await;
    Mock::given(method("GET"))
        .and(path(BUCKETS))
        .respond_with(Pages { total: 5 })
        .mount(&server)
        .await;
    let out = atlas_api(&list(&uri, &["--ndjson", "--limit", "2"]), &DIGEST_KEYS);
    assert_eq!(
        text(&out.stdout).lines().count(),
        2,
        "{}",
        text(&out.stdout)
    );
    assert_eq!(page_numbers(&requests_to(&server).await), ["1"]);

    let out = atlas_api(&list(&uri, &["--limit", "0"]), &DIGEST_KEYS);
    assert_eq!(out.status.code(), Some(2), "--limit 0 is refused");
}

/// The files in `dir`, sorted (no temporary file may stay behind).
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn ndjson_to_a_file_is_whole_or_not_at_all_and_jq_keeps_one_line_per_item() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("buckets.ndjson");
    std::fs::write(&file, "yesterday\n").expect("old file");
    let file_arg = file.to_string_lossy().into_owned();

    // Page 2 fails: the walk fails, and the old file is as it was.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(BUCKETS))
        .and(query_param("pageNum", "2"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({
            "error": 404, "errorCode": "RESOURCE_NOT_FOUND", "detail": "gone", "reason": "Not Found"
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(BUCKETS))
        .respond_with(Pages { total: 5 })
        .mount(&server)
        .await;
    let uri = server.uri();
    let out = atlas_api(
        &list(&uri, &["--ndjson", "--outputFile", &file_arg]),
        &DIGEST_KEYS,
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(page_numbers(&requests_to(&server).await), ["1", "2"]);
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "yesterday\n");
    assert_eq!(files_in(dir.path()), ["buckets.ndjson"]);

    // A whole walk replaces it; through --jq each item is still one line.
    let server = pages_server(5).await;
    let uri = server.uri();
    let out = atlas_api(
        &list(
            &uri,
            &[
                "--ndjson",
                "--jq",
                "{name: .bucketName, provider: .cloudProvider}",
                "--outputFile",
                &file_arg,
            ],
        ),
        &DIGEST_KEYS,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let written = std::fs::read_to_string(&file).expect("read");
    let lines: Vec<Value> = written
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(lines.len(), 5, "{written}");
    assert_eq!(lines[0]["name"], "bucket-1", "{written}");
    assert_eq!(files_in(dir.path()), ["buckets.ndjson"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn jq_filters_the_answer_and_a_bad_filter_fails() {
    let server = pages_server(5).await;
    let uri = server.uri();
    let out = atlas_api(
        &list(&uri, &["--jq", ".results[].bucketName"]),
        &DIGEST_KEYS,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "bucket-1\nbucket-2\n");

    let out = atlas_api(
        &list(
            &uri,
            &[
                "--all",
                "--jq",
                ".results | map(.bucketName) | {count: length, last: .[-1]}",
            ],
        ),
        &DIGEST_KEYS,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(printed, json!({ "count": 5, "last": "bucket-5" }));

    let out = atlas_api(&list(&uri, &["--ndjson", "--jq", "._id"]), &DIGEST_KEYS);
    assert_eq!(
        text(&out.stdout).lines().count(),
        5,
        "{}",
        text(&out.stdout)
    );

    // A filter that does not parse: exit 2, nothing sent.
    let before = requests_to(&server).await.len();
    let out = atlas_api(
        &list(&uri, &["--jq", ".results[] | select(.x"]),
        &DIGEST_KEYS,
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--jq"), "{}", text(&out.stderr));
    assert_eq!(requests_to(&server).await.len(), before, "nothing sent");
    // A filter that fails on the answer: exit 1.
    let out = atlas_api(&list(&uri, &["--jq", ".results + 1"]), &DIGEST_KEYS);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("--jq"), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
}

#[test]
fn help_shows_the_docs_link_and_the_new_flags() {
    let out = atlas_api(&["cloudBackups", "listExportBuckets", "--help"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let help = text(&out.stdout);
    for expected in [
        "Docs: https://mongodb.com/docs/atlas/reference/api-resources-spec/v2/#tag/Cloud-Backups/operation/listGroupBackupExportBuckets",
        "--all",
        "--limit <N>",
        "--ndjson",
        "--jq <EXPR>",
        "--dry-run",
        "--curl",
        "--debug",
    ] {
        assert!(help.contains(expected), "help lacks {expected:?}:\n{help}");
    }
    let create = text(&atlas_api(&["cloudBackups", "createExportBucket", "--help"], &[]).stdout);
    assert!(create.contains("--body-template"), "{create}");
    assert!(create.contains("Docs: https://"), "{create}");
    assert!(!create.contains("--ndjson"), "not paginated: {create}");
}

#[tokio::test(flavor = "multi_thread")]
async fn body_templates_pass_the_body_check_and_are_accepted() {
    let dir = tempfile::tempdir().expect("temp dir");
    for (operation, version, path_) in [
        ("createExportBucket", "2024-05-30", BUCKETS.to_owned()),
        (
            "createBackupExport",
            "2023-01-01",
            format!("/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/exports"),
        ),
    ] {
        // No flags, no credentials needed.
        let out = atlas_api(&["cloudBackups", operation, "--body-template"], &[]);
        assert!(out.status.success(), "{operation}: {}", text(&out.stderr));
        let template: Value = serde_json::from_slice(&out.stdout).expect("JSON template");
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path(path_.as_str()))
            .and(body_json(template.clone()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({ "_id": GROUP })))
            .expect(1)
            .mount(&server)
            .await;
        let file = dir.path().join(format!("{operation}.json"));
        std::fs::write(&file, &out.stdout).expect("write template");
        let uri = server.uri();
        let file = file.display().to_string();
        let mut args = vec!["cloudBackups", operation, "--groupId", GROUP];
        if operation == "createBackupExport" {
            args.extend(["--clusterName", "Cluster0"]);
        }
        args.extend(["--version", version, "--base-url", &uri, "--file", &file]);
        let out = atlas_api(&args, &DIGEST_KEYS);
        assert!(out.status.success(), "{operation}: {}", text(&out.stderr));
        server.verify().await;
    }
}
