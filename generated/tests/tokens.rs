//! Tokens across runs of the real `atlas-api` binary, against the loopback
//! Atlas of `runtime/tests/support/oauth_server.rs` (Atlas's limit of 10
//! service-account tokens a minute included): 30 runs in a row with one
//! service account request one token; runs started together share it
//! without corrupting the cache; a cached token the server refuses is
//! replaced once; without the cache the limit is hit (and waited out when
//! it can be); an `atlas auth login` profile whose access token expired is
//! renewed once, and the new tokens are written back into its config.toml;
//! a dead refresh token says to run `atlas auth login`.
//!
//! Runs share a home directory (the token cache is in `~/.cache`), have
//! nothing else in their environment, and a D-Bus address that does not
//! exist, so no keyring answers and the files are used.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

#[path = "../runtime/tests/support/oauth_server.rs"]
mod oauth_server;

use oauth_server::{OAuthServer, CLIENT_ID, CLIENT_SECRET};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";

/// `atlas-api cloudBackups listExportBuckets` against `uri`, with `extra`
/// flags, `env` and `home` as its home directory.
fn command(home: &Path, uri: &str, extra: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_atlas-api"));
    command
        .args([
            "cloudBackups",
            "listExportBuckets",
            "--version",
            "2024-05-30",
            "--groupId",
            GROUP,
            "--base-url",
            uri,
        ])
        .args(extra)
        .env_clear()
        .env("HOME", home)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/atlas-api-tests/bus",
        )
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

const SERVICE_ACCOUNT: [(&str, &str); 2] = [
    ("MONGODB_ATLAS_CLIENT_ID", CLIENT_ID),
    ("MONGODB_ATLAS_CLIENT_SECRET", CLIENT_SECRET),
];

fn run(home: &Path, uri: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    command(home, uri, extra, env)
        .output()
        .expect("atlas-api runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn succeeded(out: &Output) -> bool {
    out.status.success()
        && serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .is_ok_and(|v| v["totalCount"] == 1)
}

/// The token cache's entries (files ending in `.json`) under `home`.
fn cache_entries(home: &Path) -> Vec<String> {
    let dir = home.join(".cache/atlas-admin-api/tokens");
    let mut entries: Vec<String> = std::fs::read_dir(&dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
                .map(|e| std::fs::read_to_string(e.path()).expect("entry"))
                .collect()
        })
        .unwrap_or_default();
    entries.sort();
    entries
}

#[tokio::test(flavor = "multi_thread")]
async fn thirty_runs_with_one_service_account_request_one_token() {
    let atlas = OAuthServer::start().await;
    let home = tempfile::tempdir().expect("home");
    for i in 0..30 {
        let out = run(home.path(), &atlas.uri(), &[], &SERVICE_ACCOUNT);
        assert!(succeeded(&out), "run {i}: {}", text(&out.stderr));
    }
    assert_eq!(atlas.state.tokens(), 1);
    assert_eq!(atlas.state.api_calls(), 30);
    assert_eq!(atlas.state.tokens_used().len(), 1);
    let entries = cache_entries(home.path());
    assert_eq!(entries.len(), 1);
    assert!(!entries[0].contains(CLIENT_SECRET), "{}", entries[0]);
}

#[tokio::test(flavor = "multi_thread")]
async fn runs_started_together_share_one_token_and_a_whole_cache() {
    let atlas = OAuthServer::start().await;
    let home = tempfile::tempdir().expect("home");
    for round in 0..3 {
        let children: Vec<Child> = (0..4)
            .map(|_| {
                command(home.path(), &atlas.uri(), &[], &SERVICE_ACCOUNT)
                    .spawn()
                    .expect("atlas-api starts")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("atlas-api runs");
            assert!(succeeded(&out), "round {round}: {}", text(&out.stderr));
        }
    }
    assert_eq!(atlas.state.tokens(), 1);
    assert_eq!(atlas.state.api_calls(), 12);
    let entries = cache_entries(home.path());
    assert_eq!(entries.len(), 1);
    let entry: serde_json::Value = serde_json::from_str(&entries[0]).expect("a whole entry");
    assert_eq!(entry["client_id"], CLIENT_ID);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_cached_token_is_replaced_once() {
    let atlas = OAuthServer::start().await;
    let home = tempfile::tempdir().expect("home");
    assert!(succeeded(&run(
        home.path(),
        &atlas.uri(),
        &[],
        &SERVICE_ACCOUNT
    )));
    let first = atlas.state.tokens_used();
    atlas.state.revoke(&first[0]);
    let out = run(home.path(), &atlas.uri(), &[], &SERVICE_ACCOUNT);
    assert!(succeeded(&out), "{}", text(&out.stderr));
    assert_eq!(atlas.state.tokens(), 2);
    // The refused call, then the call with the new token.
    assert_eq!(atlas.state.api_calls(), 3);
    let used = atlas.state.tokens_used();
    assert_eq!(used.len(), 2);
    let entries = cache_entries(home.path());
    assert!(entries[0].contains(&used[1]), "{}", entries[0]);
    // The next run uses the replacement.
    assert!(succeeded(&run(
        home.path(),
        &atlas.uri(),
        &[],
        &SERVICE_ACCOUNT
    )));
    assert_eq!(atlas.state.tokens(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_cache_every_run_requests_a_token_and_hits_the_limit() {
    // Ten tokens every ten minutes: the eleventh run's Retry-After is past
    // what the client waits (120 s), so it fails naming the limit.
    let atlas = OAuthServer::with_limit(10, Duration::from_secs(600)).await;
    let home = tempfile::tempdir().expect("home");
    for i in 0..10 {
        let out = run(
            home.path(),
            &atlas.uri(),
            &["--no-token-cache"],
            &SERVICE_ACCOUNT,
        );
        assert!(succeeded(&out), "run {i}: {}", text(&out.stderr));
    }
    let out = run(
        home.path(),
        &atlas.uri(),
        &["--no-token-cache"],
        &SERVICE_ACCOUNT,
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("rate limit")
            && err.contains(
                "RATE_LIMITED: Resource /api/oauth/token is limited to 10 requests every 10 minutes."
            ),
        "{err}"
    );
    assert_eq!((atlas.state.tokens(), atlas.state.limited()), (11, 1));
    assert!(cache_entries(home.path()).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limited_run_waits_as_retry_after_asks() {
    // One token every 2 s: the second run is refused, waits, and succeeds.
    let atlas = OAuthServer::with_limit(1, Duration::from_secs(2)).await;
    let home = tempfile::tempdir().expect("home");
    for _ in 0..2 {
        let out = run(
            home.path(),
            &atlas.uri(),
            &["--no-token-cache"],
            &SERVICE_ACCOUNT,
        );
        assert!(succeeded(&out), "{}", text(&out.stderr));
    }
    assert_eq!(atlas.state.limited(), 1);
    assert_eq!(atlas.state.tokens(), 3);
}

/// A config.toml with a user's login in profile `default`.
fn login_profile(dir: &Path, access: &str, refresh: &str) -> String {
    let file = dir.join("config.toml");
    std::fs::write(
        &file,
        format!(
            "# written by atlas auth login\nversion = 2\n\n[default]\n  auth_type = \"user_account\"\n  access_token = \"{access}\"\n  refresh_token = \"{refresh}\"\n  org_id = \"5f1a2b3c4d5e6f7a8b9c0d1e\"\n"
        ),
    )
    .expect("config");
    file.display().to_string()
}

fn profile_tokens(file: &str) -> (String, String) {
    let table: toml::Table = std::fs::read_to_string(file)
        .expect("config")
        .parse()
        .expect("TOML");
    let get = |k: &str| table["default"][k].as_str().expect(k).to_owned();
    (get("access_token"), get("refresh_token"))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_login_is_renewed_once_and_written_back() {
    let atlas = OAuthServer::start().await;
    let home = tempfile::tempdir().expect("home");
    let (access, refresh) = atlas.state.user_login(Some(120));
    let file = login_profile(home.path(), &access, &refresh);
    let env = [("ATLAS_CONFIG_FILE", file.as_str())];
    let out = run(home.path(), &atlas.uri(), &[], &env);
    assert!(succeeded(&out), "{}", text(&out.stderr));
    assert_eq!(atlas.state.refreshes(), 1);
    let (new_access, new_refresh) = profile_tokens(&file);
    assert_ne!(new_access, access);
    assert_eq!(atlas.state.tokens_used(), std::slice::from_ref(&new_access));
    assert!(atlas.state.refresh_token_works(&new_refresh));
    assert!(!atlas.state.refresh_token_works(&refresh));
    // The rest of the file is as it was.
    let written = std::fs::read_to_string(&file).expect("config");
    assert!(
        written.starts_with("# written by atlas auth login\nversion = 2\n")
            && written.contains("  org_id = \"5f1a2b3c4d5e6f7a8b9c0d1e\"\n"),
        "{written}"
    );
    // The next run sends the renewed token without renewing again.
    let out = run(home.path(), &atlas.uri(), &[], &env);
    assert!(succeeded(&out), "{}", text(&out.stderr));
    assert_eq!(atlas.state.refreshes(), 1);
    assert_eq!(atlas.state.api_calls(), 2);

    // A token the server refused before its expiry: renewed once, the call
    // sent again.
    atlas.state.revoke(&new_access);
    let out = run(home.path(), &atlas.uri(), &[], &env);
    assert!(succeeded(&out), "{}", text(&out.stderr));
    assert_eq!(atlas.state.refreshes(), 2);
    assert_eq!(atlas.state.api_calls(), 4);
    assert_ne!(profile_tokens(&file).0, new_access);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dead_refresh_token_says_to_run_atlas_auth_login() {
    let atlas = OAuthServer::start().await;
    let home = tempfile::tempdir().expect("home");
    let (access, _) = atlas.state.user_login(Some(120));
    let file = login_profile(home.path(), &access, "refresh-expired-long-ago");
    let out = run(
        home.path(),
        &atlas.uri(),
        &[],
        &[("ATLAS_CONFIG_FILE", file.as_str())],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("session expired")
            && err.contains("INVALID_REFRESH_TOKEN")
            && err.contains("run `atlas auth login`"),
        "{err}"
    );
    assert!(!err.contains("refresh-expired-long-ago"), "{err}");
    assert_eq!(atlas.state.refreshes(), 1);
    assert_eq!(atlas.state.api_calls(), 0);
    // The profile is left as it was.
    assert_eq!(
        profile_tokens(&file),
        (access, "refresh-expired-long-ago".to_owned())
    );
}
