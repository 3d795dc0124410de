//! The user guide (`src/guide/`) checked against what it describes:
//!
//! - every ```` ```console ```` transcript of the CLI page is the output of
//!   the real `atlas-api` binary, run against a mock Atlas on loopback
//!   (`GUIDE_TRANSCRIPTS=overwrite` rewrites the page's transcripts from the
//!   binary instead, for review with `git diff`);
//! - the environment table of the authentication page names exactly the
//!   variables and profile keys the runtime and the CLI read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use atlas_admin_api::cli_runtime::profile;
use atlas_admin_api::mock::{MockAtlas, Stub};
use atlas_admin_api::models::{
    DiskBackupSnapshotAwsExportBucketResponse, DiskBackupSnapshotExportBucketResponse,
};
use atlas_admin_api::runtime::credentials::{self, CredentialKind};

fn guide(page: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/guide")
        .join(page)
}

/// Splits a transcript's command line into words: whitespace separates,
/// single quotes keep what is between them as it is (the only quoting the
/// guide uses).
fn words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

/// One transcript: the line of its `$ ` command and what follows it.
struct Transcript {
    /// Index of the opening fence's line.
    start: usize,
    /// Index of the closing fence's line.
    end: usize,
    command: String,
    expected: String,
}

fn transcripts(page: &str) -> Vec<Transcript> {
    let lines: Vec<&str> = page.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i] == "```console" {
            let end = (i + 1..lines.len())
                .find(|&j| lines[j] == "```")
                .expect("a console block is closed");
            let command = lines[i + 1]
                .strip_prefix("$ ")
                .expect("a console block starts with `$ `")
                .to_owned();
            let expected: String = lines[i + 2..end].iter().map(|l| format!("{l}\n")).collect();
            found.push(Transcript {
                start: i,
                end,
                command,
                expected,
            });
            i = end;
        }
        i += 1;
    }
    found
}

/// Runs a transcript's command: `atlas-api` in an environment holding only
/// the mock's settings, a home of its own and no reachable keyring. The
/// output is stdout, then stderr, then `? CODE` when the exit status is not
/// 0; the mock's address reads `[MOCK]`, the crate's version `[VERSION]`.
fn run(command: &str, mock: &MockAtlas, home: &Path) -> String {
    let words = words(command);
    assert_eq!(
        words[0], "atlas-api",
        "a transcript runs atlas-api: {command}"
    );
    let output = Command::new(env!("CARGO_BIN_EXE_atlas-api"))
        .args(&words[1..])
        .env_clear()
        .env("HOME", home)
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/atlas-api-tests/bus",
        )
        .envs(mock.env())
        .stdin(Stdio::null())
        .output()
        .expect("atlas-api runs");
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    if let Some(code) = output.status.code().filter(|&code| code != 0) {
        text.push_str(&format!("? {code}\n"));
    }
    text.replace(mock.uri(), "[MOCK]")
        .replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn the_cli_page_shows_what_the_binary_prints() {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let mock = runtime.block_on(MockAtlas::start());
    let bucket = |id: &str, name: &str| {
        DiskBackupSnapshotExportBucketResponse::Aws(
            DiskBackupSnapshotAwsExportBucketResponse::default()
                .with_id(id)
                .with_bucket_name(name)
                .with_iam_role_id("668c5f0ed436263134491592")
                .with_region("us-east-1"),
        )
    };
    mock.list_export_buckets()
        .group_id("32b6e34b3d91647abb20e7b8")
        .respond_with_pages(vec![
            bucket("5f1a2b3c4d5e6f7a8b9c0d1e", "exports-eu"),
            bucket("5f1a2b3c4d5e6f7a8b9c0d1f", "exports-us"),
        ]);
    let home = tempfile::tempdir().expect("a home");

    let path = guide("cli.md");
    let page = std::fs::read_to_string(&path).expect("the CLI page");
    let found = transcripts(&page);
    assert!(found.len() >= 4, "the CLI page has its transcripts");
    let overwrite = std::env::var("GUIDE_TRANSCRIPTS").as_deref() == Ok("overwrite");
    let lines: Vec<&str> = page.lines().collect();
    let mut rewritten: Vec<String> = Vec::new();
    let mut next = 0;
    let mut wrong = Vec::new();
    for transcript in &found {
        let actual = run(&transcript.command, &mock, home.path());
        if actual != transcript.expected {
            wrong.push(format!(
                "$ {}\n--- the page says:\n{}--- the binary prints:\n{}",
                transcript.command, transcript.expected, actual
            ));
        }
        rewritten.extend(
            lines[next..=transcript.start + 1]
                .iter()
                .map(|l| l.to_string()),
        );
        rewritten.extend(actual.lines().map(str::to_owned));
        next = transcript.end;
    }
    rewritten.extend(lines[next..].iter().map(|l| l.to_string()));
    if overwrite {
        std::fs::write(&path, rewritten.join("\n") + "\n").expect("rewrite the page");
        return;
    }
    assert!(
        wrong.is_empty(),
        "{} transcript(s) of {} differ from the binary (GUIDE_TRANSCRIPTS=overwrite rewrites them):\n\n{}",
        wrong.len(),
        path.display(),
        wrong.join("\n")
    );
}

/// The backticked names of the table between the page's `env-table`
/// markers: upper-case ones (environment variables) and lower-case ones
/// (profile keys) of the environment and profile columns.
fn table_names(page: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let start = page.find("<!-- env-table begin").expect("begin marker");
    let end = page.find("<!-- env-table end -->").expect("end marker");
    let mut vars = BTreeSet::new();
    let mut keys = BTreeSet::new();
    for row in page[start..end]
        .lines()
        .filter(|l| l.starts_with('|'))
        .skip(2)
    {
        // `|` at both ends: the cells are between.
        let cells: Vec<&str> = row.split('|').collect();
        assert_eq!(cells.len(), 7, "a row of five cells: {row}");
        for (cell, into) in [(cells[3], &mut vars), (cells[4], &mut keys)] {
            for (i, part) in cell.split('`').enumerate() {
                let is_name = i % 2 == 1
                    && !part.is_empty()
                    && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if is_name {
                    into.insert(part.to_owned());
                }
            }
        }
    }
    (vars, keys)
}

#[test]
fn the_environment_table_names_what_the_code_reads() {
    let page = std::fs::read_to_string(guide("authentication.md")).expect("the page");
    let (vars, keys) = table_names(&page);

    let mut code_vars: BTreeSet<String> = BTreeSet::new();
    for pair in credentials::ENV_PAIRS {
        code_vars.extend(pair.first.iter().chain(pair.second).map(|v| v.to_string()));
    }
    code_vars.extend(credentials::BASE_URL_ENV.iter().map(|v| v.to_string()));
    for name in [
        credentials::ENV_SERVICE,
        atlas_admin_api::runtime::ENV_CA_CERT,
        profile::ENV_PROJECT_ID,
        profile::ENV_ORG_ID,
        profile::ENV_API_VERSION,
        profile::ENV_PROFILE,
        profile::ENV_CONFIG_FILE,
        atlas_admin_api::cli_runtime::DEBUG_ENV,
        atlas_admin_api::cli_runtime::USER_AGENT_SUFFIX_ENV,
        atlas_admin_api::cli_runtime::RATE_LIMIT_WAIT_ENV,
        // reqwest's proxy variables and tracing-subscriber's filter.
        "HTTPS_PROXY",
        "HTTP_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "RUST_LOG",
    ] {
        code_vars.insert(name.to_owned());
    }
    assert_eq!(vars, code_vars, "the table's variables and the code's");

    let mut code_keys: BTreeSet<String> = BTreeSet::new();
    for kind in CredentialKind::ALL {
        code_keys.extend(kind.properties().map(str::to_owned));
        code_keys.insert(kind.auth_type().to_owned());
    }
    for key in [
        "access_token",
        "refresh_token",
        "account_url",
        "auth_type",
        "user_account",
        "no_auth",
        "ops_manager_url",
        "base_url",
        "service",
        "project_id",
        "org_id",
        "api_version",
        "default",
    ] {
        code_keys.insert(key.to_owned());
    }
    assert_eq!(keys, code_keys, "the table's profile keys and the code's");
}
