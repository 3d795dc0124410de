//! `cargo xtask spec fetch` against GitHub on loopback (`fake_github`):
//! the combined spec, a per-version one and the Atlas CLI's overlays are
//! fetched, checked, reported and written whole; an HTTP error, an HTML
//! page, a truncated body or a SHA-256 mismatch leaves no file behind.
//! With `ATLAS_SPECS_DIR`, the upstream files are served as GitHub serves
//! them and the two commands of the guide (`spec fetch --overlays`, then
//! `install-cli`) give an installed whole-API `atlas-api`.

use std::path::Path;
use std::process::Command;

use atlas_tests::fake_github::{FakeGitHub, Files, CLI_COMMIT, SPEC_COMMIT};
use atlas_tests::{specs_dir, workspace_root};
use xtask::fetch::{fetch, FetchOptions};

/// A small spec of our own, with an `info.x-xgen-sha` as MongoDB's has.
const SPEC: &str = r#"openapi: 3.0.1
info:
  title: Fetch test
  version: "2.0"
  x-xgen-sha: abcdef0123456789abcdef0123456789abcdef01
paths:
  /api/atlas/v2/groups/{groupId}/clusters:
    get:
      operationId: listClusters
      tags: [Clusters]
      parameters:
        - name: groupId
          in: path
          required: true
          schema: { type: string, pattern: "^([a-f0-9]{24})$" }
      responses:
        "200":
          description: OK
          content:
            application/vnd.atlas.2024-08-05+json:
              schema: { type: object, properties: { name: { type: string } } }
"#;

const OVERLAY: &str = r#"overlay: 1.0.0
info: { title: test overlay, version: 1.0.0 }
actions:
  - target: $.info
    update: { description: overlaid }
"#;

fn small_files() -> Files {
    let mut files = Files::default();
    files
        .spec
        .insert("openapi/v2.yaml".into(), SPEC.as_bytes().to_vec());
    files.spec.insert(
        "openapi/v2/openapi-2024-08-05.yaml".into(),
        SPEC.replace("Fetch test", "Fetch test 2024-08-05")
            .into_bytes(),
    );
    files
        .overlays
        .insert("watchers.yaml".into(), OVERLAY.as_bytes().to_vec());
    files
        .overlays
        .insert("short-help-text.yaml".into(), OVERLAY.as_bytes().to_vec());
    files
}

fn options(server: &FakeGitHub, out: &Path) -> FetchOptions {
    let mut options = FetchOptions::new(out);
    options.raw_url = server.url.clone();
    options.api_url = server.url.clone();
    options
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The names in `dir` (none when it does not exist).
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn the_combined_spec_and_the_overlays_are_fetched_and_reported() {
    let server = FakeGitHub::start(small_files());
    let out = tempfile::tempdir().expect("tempdir");
    let mut options = options(&server, out.path());
    options.overlays = Some("master".into());
    let fetched = fetch(&options).expect("fetches");
    assert_eq!(fetched.spec, out.path().join("v2.yaml"));
    assert_eq!(std::fs::read(&fetched.spec).expect("spec"), SPEC.as_bytes());
    assert_eq!(
        fetched.url,
        format!(
            "{}/mongodb/openapi/{SPEC_COMMIT}/openapi/v2.yaml",
            server.url
        )
    );
    assert_eq!(fetched.commit.as_deref(), Some(SPEC_COMMIT));
    assert_eq!(
        fetched.xgen_sha.as_deref(),
        Some("abcdef0123456789abcdef0123456789abcdef01")
    );
    assert_eq!(fetched.sha256, sha256(SPEC.as_bytes()));
    // The overlays, without the folder's README.
    assert_eq!(
        listing(&out.path().join("overlays")),
        ["short-help-text.yaml", "watchers.yaml"]
    );
    let report = fetched.report();
    for needle in [
        SPEC_COMMIT,
        "abcdef0123456789abcdef0123456789abcdef01",
        &fetched.sha256,
        "2 files",
    ] {
        assert!(report.contains(needle), "{needle} not in:\n{report}");
    }
    // Listing and files at the commit the CLI's ref named.
    let requests = server.requests.lock().expect("lock").clone();
    assert!(requests.contains(&format!(
        "/repos/mongodb/mongodb-atlas-cli/contents/tools/internal/specs/overlays?ref={CLI_COMMIT}"
    )));
    // Only the two files and the overlays folder: nothing temporary left.
    assert_eq!(listing(out.path()), ["overlays", "v2.yaml"]);

    // Again, pinned: the same SHA-256 passes and the folder is replaced.
    options.sha256 = Some(fetched.sha256.to_uppercase());
    fetch(&options).expect("pinned fetch");
    assert_eq!(listing(out.path()), ["overlays", "v2.yaml"]);
}

#[test]
fn a_per_version_spec_is_fetched_through_the_command_line() {
    let server = FakeGitHub::start(small_files());
    let out = tempfile::tempdir().expect("tempdir");
    let out_dir = out.path().to_string_lossy().into_owned();
    let cli = <xtask::cli::Cli as clap::Parser>::try_parse_from([
        "xtask",
        "spec",
        "fetch",
        "--out",
        &out_dir,
        "--version",
        "2024-08-05",
        "--ref",
        "v1.2.3",
        "--raw-url",
        &server.url,
        "--api-url",
        &server.url,
    ])
    .expect("parses");
    let Some(xtask::cli::Command::Spec(xtask::cli::SpecCli {
        command: Some(command),
    })) = cli.command
    else {
        panic!("not spec fetch");
    };
    let outcome = xtask::spec::run(&command, &workspace_root());
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    assert!(outcome
        .stdout
        .contains("/mongodb/openapi/1111111111111111111111111111111111111111/openapi/v2/openapi-2024-08-05.yaml"));
    assert!(outcome.stderr.contains("next: cargo xtask crate --spec"));
    let written = out.path().join("openapi-2024-08-05.yaml");
    assert!(std::fs::read_to_string(written)
        .expect("written")
        .contains("Fetch test 2024-08-05"));
    assert!(server
        .requests
        .lock()
        .expect("lock")
        .contains(&"/repos/mongodb/openapi/commits/v1.2.3".to_owned()));
}

/// Each failure names its cause, and the folder stays empty.
#[test]
fn failures_are_explained_and_leave_nothing_behind() {
    let server = FakeGitHub::start(small_files());
    type Change = Box<dyn Fn(&mut FetchOptions)>;
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "HTTP error",
            Box::new(|o| o.git_ref = "gone".into()),
            "HTTP 404",
        ),
        (
            "no such version",
            Box::new(|o| o.version = Some("1999-01-01".into())),
            "HTTP 404",
        ),
        (
            "an HTML page",
            Box::new(|o| o.git_ref = "html".into()),
            "HTML page",
        ),
        (
            "a truncated body",
            Box::new(|o| o.git_ref = "cut".into()),
            "cut short",
        ),
        (
            "a checksum mismatch",
            Box::new(|o| o.sha256 = Some("0".repeat(64))),
            "SHA-256 mismatch",
        ),
        (
            "a bad checksum",
            Box::new(|o| o.sha256 = Some("xyz".into())),
            "64 hex digits",
        ),
        (
            "a bad date",
            Box::new(|o| o.version = Some("latest".into())),
            "YYYY-MM-DD",
        ),
    ];
    for (what, change, expected) in cases {
        let out = tempfile::tempdir().expect("tempdir");
        let target = out.path().join("specs");
        let mut options = options(&server, &target);
        options.overlays = Some("master".into());
        change(&mut options);
        let err = fetch(&options).expect_err(what);
        assert!(err.contains(expected), "{what}: {err}");
        assert!(
            listing(&target).is_empty(),
            "{what}: {:?}",
            listing(&target)
        );
    }
    // A spec already there is kept when a new fetch fails.
    let out = tempfile::tempdir().expect("tempdir");
    std::fs::write(out.path().join("v2.yaml"), "old").expect("write");
    let mut options = options(&server, out.path());
    options.sha256 = Some("0".repeat(64));
    fetch(&options).expect_err("mismatch");
    assert_eq!(
        std::fs::read_to_string(out.path().join("v2.yaml")).expect("old"),
        "old"
    );
    assert_eq!(listing(out.path()), ["v2.yaml"]);
}

/// The one settings rule the fetch shares with the runtime: the name of
/// the extra-roots variable.
#[test]
fn extra_roots_are_read_as_the_runtime_reads_them() {
    assert_eq!(
        xtask::fetch::ENV_CA_CERT,
        atlas_admin_api::runtime::ENV_CA_CERT
    );
}

/// The upstream files served as GitHub serves them.
fn upstream_files() -> Files {
    let dir = specs_dir();
    let mut files = Files::default();
    files.spec.insert(
        "openapi/v2.yaml".into(),
        std::fs::read(dir.join("atlas-api-v2-combined.yaml")).expect("combined spec"),
    );
    for name in listing(&dir.join("overlays")) {
        files.overlays.insert(
            name.clone(),
            std::fs::read(dir.join("overlays").join(&name)).expect("overlay"),
        );
    }
    files
}

/// The guide's two commands from GitHub (on loopback) to an installed
/// whole-API `atlas-api`: every operation, the watchers, `--projectId`,
/// `--version` naming the spec; `clusters listClusters --help` and a
/// `--watch` against a loopback Atlas.
#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn two_commands_install_the_whole_api_cli() {
    let server = FakeGitHub::start(upstream_files());
    let work = tempfile::tempdir().expect("tempdir");
    let specs = work.path().join("specs");
    let root = workspace_root();
    // 1. cargo xtask spec fetch --out specs --overlays
    let mut options = options(&server, &specs);
    options.overlays = Some("master".into());
    let fetched = fetch(&options).expect("fetches");
    assert_eq!(
        fetched.xgen_sha.as_deref(),
        Some("f84b8e4346991132f70f5610809ad1b6af020975")
    );
    // 2. cargo xtask install-cli --spec specs/v2.yaml --overlays specs/overlays --root R
    let install_root = work.path().join("root");
    let cli = <xtask::cli::Cli as clap::Parser>::try_parse_from([
        "xtask".as_ref(),
        "install-cli".as_ref(),
        "--spec".as_ref(),
        specs.join("v2.yaml").as_os_str(),
        "--overlays".as_ref(),
        specs.join("overlays").as_os_str(),
        "--root".as_ref(),
        install_root.as_os_str(),
        "--dir".as_ref(),
        root.join("target/full-spec-crates/installed-v2")
            .as_os_str(),
        "--debug".as_ref(),
    ] as [&std::ffi::OsStr; 11])
    .expect("parses");
    let Some(xtask::cli::Command::InstallCli(args)) = cli.command else {
        panic!("not install-cli");
    };
    // Built as the whole-API tests build (`full_crate::cargo`, the same
    // target directory): warnings denied, so the dependencies they built
    // are reused. No other test of this file runs cargo.
    std::env::set_var("RUSTFLAGS", "-D warnings");
    let report = xtask::install::install_cli(&root, &args.options(&root))
        .unwrap_or_else(|report| panic!("{report}"));
    assert!(report.contains("540 operations"), "{report}");
    let bin = install_root
        .join("bin")
        .join(format!("atlas-api{}", std::env::consts::EXE_SUFFIX));
    let run = |args: &[&str]| {
        let output = Command::new(&bin).args(args).output().expect("runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (status, version, _) = run(&["--version"]);
    assert_eq!(status, Some(0));
    assert!(
        version.contains("x-xgen-sha f84b8e4346991132f70f5610809ad1b6af020975")
            && version.contains("API versions to 20"),
        "{version}"
    );
    let (status, help, stderr) = run(&["clusters", "listClusters", "--help"]);
    assert_eq!(status, Some(0), "{stderr}");
    assert!(help.contains("--projectId"), "{help}");
    let (_, help, _) = run(&["clusters", "createCluster", "--help"]);
    assert!(help.contains("--watch"), "{help}");
    // --watch against a loopback Atlas: created, then polled until IDLE.
    let atlas = loopback_atlas();
    let body = work.path().join("cluster.json");
    std::fs::write(&body, r#"{"name":"c1","clusterType":"REPLICASET"}"#).expect("body");
    let (status, out, stderr) = run(&[
        "clusters",
        "createCluster",
        "--projectId",
        "32b6e34b3d91647abb20e7b8",
        "--file",
        &body.to_string_lossy(),
        "--base-url",
        &atlas,
        "--no-auth",
        "--watch",
        "--watchTimeout",
        "60",
        "--watch-interval",
        "1",
    ]);
    assert_eq!(status, Some(0), "stdout:\n{out}\nstderr:\n{stderr}");
    assert!(out.contains("\"c1\""), "{out}");
}

/// A loopback Atlas for `createCluster --watch`: the POST answers the new
/// cluster `CREATING`, each GET of it `IDLE`.
fn loopback_atlas() -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let mut length = 0usize;
            let mut accept = String::from("application/json");
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
                let lower = header.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                if let Some(v) = lower.strip_prefix("accept:") {
                    accept = v.split(',').next().unwrap_or_default().trim().to_owned();
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let state = if line.starts_with("POST") {
                "CREATING"
            } else {
                "IDLE"
            };
            let status = if line.starts_with("POST") {
                "201 Created"
            } else {
                "200 OK"
            };
            let answer = format!(
                r#"{{"name":"c1","groupId":"32b6e34b3d91647abb20e7b8","stateName":"{state}","clusterType":"REPLICASET"}}"#
            );
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {accept}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                answer.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    url
}
