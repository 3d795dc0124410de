//! OpenAPI Overlays: ours (`spec/overlays/`) apply cleanly and give two
//! operations a waiter, `--projectId` and short help; the Atlas CLI's eight
//! upstream overlays apply to the combined spec, whose 25 watched
//! operations all get waiters (two watchers mended, with warnings), and which still generates.

use std::collections::BTreeSet;
use std::path::PathBuf;

use atlas_codegen::atlascli::{self, Expect, WatchParam};
use atlas_codegen::diag::{Pointer, Severity, WarningCode};
use atlas_codegen::{extensions, generate, load, overlay, Options};
use atlas_tests::{specs_dir, workspace_root, NEEDS_SPECS};
use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Every operation of a document: (pointer, path, method, operation).
fn operations(doc: &Value) -> Vec<(Pointer, String, String, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                let at = Pointer::root().join("paths").join(path).join(method);
                out.push((at, path.clone(), method.to_owned(), op));
            }
        }
    }
    out
}

fn ours() -> (PathBuf, Vec<PathBuf>) {
    let root = workspace_root();
    let files = overlay::expand(&[root.join(xtask::DEFAULT_OVERLAYS)]).expect("expands");
    (root.join(xtask::DEFAULT_SPEC), files)
}

#[test]
fn our_overlays_apply_cleanly_and_give_two_waiters_an_alias_and_help() {
    let (spec, files) = ours();
    assert_eq!(
        files
            .iter()
            .map(|f| f
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned())
            .collect::<Vec<_>>(),
        ["atlas-cli.yaml"]
    );
    let overlays = overlay::read_all(&files).unwrap_or_else(|f| panic!("{f}"));
    let mut doc =
        load::parse_value(&spec, &load::read_text(&spec).expect("reads")).expect("parses");
    let warnings = overlay::apply_all(&mut doc, &overlays, &spec).unwrap_or_else(|f| panic!("{f}"));
    assert!(warnings.is_empty(), "{warnings:#?}");

    // What the overlay says, read back through the typed reader.
    let mut watchers = Vec::new();
    for (at, _, _, op) in operations(&doc) {
        let Some(ext) = op.get(extensions::ATLASCLI) else {
            continue;
        };
        let read = atlascli::read(ext, &spec, &at.join(extensions::ATLASCLI))
            .unwrap_or_else(|f| panic!("{f}"));
        assert!(read.warnings.is_empty(), "{:#?}", read.warnings);
        let name = extensions::operation_id_override(op).unwrap_or_default();
        if let Some(watcher) = read.value.watcher {
            watchers.push((name.to_owned(), watcher));
        }
    }
    assert_eq!(watchers.len(), 2, "{watchers:#?}");
    let (_, export) = watchers
        .iter()
        .find(|(n, _)| n == "createBackupExport")
        .expect("createBackupExport has a watcher");
    assert_eq!(export.operation_id, "getGroupClusterBackupExport");
    assert!(export
        .params
        .contains(&("exportId".to_owned(), WatchParam::Body("$.id".to_owned()))));
    assert_eq!(
        export.expect,
        Expect::Match {
            path: "$.state".into(),
            values: vec!["Successful".into(), "Failed".into(), "Cancelled".into()],
        }
    );
    let (_, delete) = watchers
        .iter()
        .find(|(n, _)| n == "deleteExportBucket")
        .expect("deleteExportBucket has a watcher");
    assert_eq!(delete.expect, Expect::HttpCode(404));
    // Every polled operation and every parameter it is given exist.
    for (_, watcher) in &watchers {
        let (_, _, _, polled) = operations(&doc)
            .into_iter()
            .find(|(_, _, _, op)| op["operationId"] == watcher.operation_id.as_str())
            .unwrap_or_else(|| panic!("{} is not in the spec", watcher.operation_id));
        let names: BTreeSet<String> = polled["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| match p["$ref"].as_str() {
                Some(r) => r.rsplit('/').next().unwrap_or_default().to_owned(),
                None => p["name"].as_str().unwrap_or_default().to_owned(),
            })
            .collect();
        for (param, _) in &watcher.params {
            assert!(names.contains(param), "{param} not among {names:?}");
        }
    }
    let group_id = &doc["components"]["parameters"]["groupId"][extensions::ATLASCLI];
    let read = atlascli::read(group_id, &spec, &Pointer::root()).expect("reads");
    assert_eq!(read.value.aliases, ["projectId"]);

    // Lowering reads them: the operations file gains the two waiters, the
    // command line the watches, the alias and the short help; nothing else
    // changes.
    let options = Options::new("spec");
    let with = load::load_with_overlays(&spec, &files)
        .and_then(|loaded| generate(&loaded, &options))
        .expect("generates");
    let without = load::load(&spec)
        .and_then(|loaded| generate(&loaded, &options))
        .expect("generates");
    let changed: Vec<&String> = with
        .files
        .keys()
        .filter(|name| with.files.get(*name) != without.files.get(*name))
        .collect();
    assert_eq!(
        changed,
        ["cli.rs", "operations.md", "operations/cloud_backups.rs"]
    );
    let count = |files: &atlas_codegen::FileSet, name: &str, needle: &str| {
        files
            .get(name)
            .map_or(0, |text| text.matches(needle).count())
    };
    for (name, needle, expected) in [
        ("operations/cloud_backups.rs", "pub fn send_and_wait(", 2),
        ("operations/cloud_backups.rs", "pub fn wait_after(", 2),
        ("cli.rs", "watch: Some(", 2),
        ("cli.rs", r#"aliases: &["projectId"]"#, 1),
        ("cli.rs", "short_help: Some(", 2),
    ] {
        assert_eq!(
            count(&with.files, name, needle),
            expected,
            "{name}: {needle}"
        );
        assert_eq!(count(&without.files, name, needle), 0, "{name}: {needle}");
    }
    assert!(
        with.warnings
            .iter()
            .all(|w| w.code != Some(overlay::NO_MATCH)
                && w.code != Some(WarningCode::AtlasCliWatcher))
    );
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn the_atlas_cli_overlays_apply_to_the_combined_spec() {
    let dir = specs_dir();
    let spec = dir.join("atlas-api-v2-combined.yaml");
    let files = overlay::expand(&[dir.join("overlays")]).expect("expands");
    assert_eq!(
        files.len(),
        8,
        "{NEEDS_SPECS}: expected the 8 overlays, found {files:?}"
    );
    let overlays = overlay::read_all(&files).unwrap_or_else(|f| panic!("{f}"));
    let text = load::read_text(&spec).expect("reads");
    let mut doc = load::parse_value(&spec, &text).expect("parses");
    let warnings = overlay::apply_all(&mut doc, &overlays, &spec).unwrap_or_else(|f| panic!("{f}"));
    assert!(warnings
        .iter()
        .all(|w| w.severity == Severity::Warning && w.code == Some(overlay::NO_MATCH)));

    // Watcher targets that are not in this spec.
    let mut missing = Vec::new();
    for w in &warnings {
        let index: usize = w
            .pointer
            .tokens()
            .nth(1)
            .and_then(|t| t.parse().ok())
            .expect("an action pointer");
        let file = w.file.file_name().unwrap_or_default().to_string_lossy();
        let o = overlays
            .iter()
            .find(|o| o.file == w.file)
            .expect("its overlay");
        missing.push(format!(
            "{file} action {index}: {}",
            o.actions[index].target
        ));
    }
    let mut watched = Vec::new();
    let mut problems = Vec::new();
    for (at, path, method, op) in operations(&doc) {
        let Some(ext) = op.get(extensions::ATLASCLI) else {
            continue;
        };
        match atlascli::read(ext, &spec, &at.join(extensions::ATLASCLI)) {
            Ok(read) => {
                problems.extend(read.warnings.iter().map(ToString::to_string));
                if read.value.watcher.is_some() {
                    watched.push(format!("{} {path}", method.to_uppercase()));
                }
            }
            Err(f) => problems.push(f.to_string()),
        }
    }
    println!(
        "{} operations with a watcher; {} no-match warning(s):\n  {}",
        watched.len(),
        warnings.len(),
        missing.join("\n  ")
    );
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(
        watched.len(),
        25,
        "{watched:#?}\nnot in the spec:\n{missing:#?}"
    );
    // The serverless and pipeline operations are gone from this spec.
    assert_eq!(missing.len(), 7, "{missing:#?}");
    assert!(
        missing
            .iter()
            .all(|m| m.contains("/serverless") || m.contains("/pipelines")),
        "{missing:#?}"
    );

    // The result still reads and generates, with a waiter for each
    // watcher that can work.
    let loaded = load::from_value(&spec, doc, warnings).unwrap_or_else(|f| panic!("{f}"));
    let lowered = atlas_codegen::lower::lower(&loaded).unwrap_or_else(|f| panic!("{f}"));
    let api = &lowered.api;
    let mut waiters = Vec::new();
    for op in &api.operations {
        let Some((polled, watcher)) = api.polled(op) else {
            continue;
        };
        waiters.push(format!(
            "{} -> {}{}: {}",
            op.operation_id,
            polled.operation_id,
            watcher
                .version
                .as_deref()
                .map(|v| format!(" (at {v}, as JSON)"))
                .unwrap_or_default(),
            match &watcher.expect {
                atlas_codegen::ir::WatchExpect::Status(code) => format!("HTTP {code}"),
                atlas_codegen::ir::WatchExpect::Values { path, values } => format!(
                    "{} in {}",
                    atlas_codegen::emit::waiters::path_text(path),
                    values.join("|")
                ),
            }
        ));
    }
    let dropped: Vec<String> = lowered
        .warnings
        .iter()
        .filter(|w| w.code == Some(WarningCode::AtlasCliWatcher))
        .map(|w| w.message.clone())
        .collect();
    println!(
        "{} waiters:\n  {}\nwatcher warnings:\n  {}",
        waiters.len(),
        waiters.join("\n  "),
        dropped.join("\n  ")
    );
    // Two of the 25 cannot work as the overlay writes them: one polls a
    // PATCH (itself), one reads ids from the body of a 204. Both are mended
    // with a warning: the PATCH's watcher polls the GET at its path, the
    // DELETE's takes the ids from its own inputs. All 25 get waiters.
    assert_eq!(waiters.len(), 25, "{waiters:#?}");
    for expected in [
        "updateGroupCluster -> getGroupCluster",
        "deleteGroupPrivateEndpointEndpointService -> getGroupPrivateEndpointEndpointService",
    ] {
        assert!(
            waiters.iter().any(|w| w.starts_with(expected)),
            "{expected}: {waiters:#?}"
        );
    }
    let mended: Vec<&String> = dropped.iter().filter(|m| m.contains("mended")).collect();
    assert_eq!(mended.len(), 3, "{dropped:#?}");
    assert!(
        mended[0].contains("`updateGroupCluster`, a PATCH (polling would resend it)")
            && mended[0].contains("it polls `getGroupCluster`"),
        "{mended:#?}"
    );
    for name in ["cloudProvider", "endpointServiceId"] {
        assert!(
            mended.iter().any(|m| m
                .contains("watcher of `deleteGroupPrivateEndpointEndpointService` mended")
                && m.contains(&format!("its input `{name}` is used instead"))),
            "{name}: {mended:#?}"
        );
    }
    assert!(
        !dropped.iter().any(|m| m.contains("not generated")),
        "{dropped:#?}"
    );
    let generated = generate(&loaded, &Options::new("atlas-api-v2-combined.yaml"))
        .unwrap_or_else(|f| panic!("{f}"));
    assert!(generated.summary.operations > 500, "{}", generated.summary);
    // Each of the 25 is a command with --watch and a `send_and_wait` (and
    // `wait_after`) in the library.
    let count = |prefix: &str, needle: &str| -> usize {
        generated
            .files
            .iter()
            .filter(|(name, _)| name.starts_with(prefix))
            .map(|(_, text)| text.matches(needle).count())
            .sum()
    };
    let watch_commands = count("cli.rs", "watch: Some(rt::WatchSpec");
    let send_and_wait = count("operations/", "pub fn send_and_wait(");
    let wait_after = count("operations/", "pub fn wait_after(");
    println!(
        "{watch_commands} --watch commands, {send_and_wait} send_and_wait, {wait_after} wait_after"
    );
    assert_eq!((watch_commands, send_and_wait, wait_after), (25, 25, 25));
    // Every paginated operation (a `pages()` builder) has --all, --ndjson
    // and --limit in the command line.
    let walked = count("cli.rs", "pages: Some(rt::PagesSpec");
    let paginated = count("operations/", "pub fn pages(");
    println!("{walked} commands with --all, {paginated} paginated operations");
    assert!(paginated > 90, "{paginated}");
    assert_eq!(walked, paginated);
}

#[test]
fn overlay_errors_name_the_overlay_file() {
    let (spec, _) = ours();
    let dir = tempfile::tempdir().expect("temp dir");
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.components.parameters.groupId\n    update: [1]\n",
    )
    .expect("write");
    let failure = load::load_with_overlays(&spec, std::slice::from_ref(&bad))
        .and_then(|loaded| generate(&loaded, &Options::new("spec")))
        .expect_err("an object cannot take a list");
    let e = &failure.diagnostics[0];
    assert_eq!(
        (e.file.as_path(), e.pointer.to_string().as_str()),
        (bad.as_path(), "#/actions/0/update")
    );
}

/// A temporary workspace with copies of `spec/atlas-admin-api.yaml`,
/// `generated/src/gen/` and `generated/Cargo.toml`, no overlays.
fn temp_workspace() -> tempfile::TempDir {
    fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).expect("mkdir");
        for entry in std::fs::read_dir(from).expect("read dir") {
            let entry = entry.expect("entry");
            if entry.path().is_dir() {
                copy_dir(&entry.path(), &to.join(entry.file_name()));
            } else {
                std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
            }
        }
    }
    let root = workspace_root();
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(
        &root.join("generated/src/gen"),
        &dir.path().join("generated/src/gen"),
    );
    std::fs::create_dir_all(dir.path().join("spec")).expect("mkdir");
    for rel in [xtask::DEFAULT_SPEC, "generated/Cargo.toml"] {
        std::fs::copy(root.join(rel), dir.path().join(rel)).expect("copy");
    }
    dir
}

#[test]
fn spec_update_applies_overlays_when_it_regenerates() {
    let ws = temp_workspace();
    let upstream = ws.path().join("upstream.yaml");
    std::fs::copy(ws.path().join(xtask::DEFAULT_SPEC), &upstream).expect("copy");
    let overlays = ws.path().join("my-overlays");
    std::fs::create_dir_all(&overlays).expect("mkdir");
    let update = |overlay: &std::path::Path| {
        let args: Vec<String> = ["update", "--from"]
            .iter()
            .map(|s| (*s).to_owned())
            .chain([
                upstream.display().to_string(),
                "--overlay".to_owned(),
                overlay.display().to_string(),
            ])
            .collect();
        let command = xtask::spec::parse_args(&args).expect("parses");
        xtask::spec::run(&command, ws.path())
    };
    let spec_before = std::fs::read_to_string(ws.path().join(xtask::DEFAULT_SPEC)).expect("read");

    // A broken overlay: nothing is written.
    let bad = overlays.join("1-bad.yaml");
    std::fs::write(&bad, "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.paths[\n    update: {}\n").expect("write");
    let outcome = update(&bad);
    assert_eq!(outcome.status, 1, "{}", outcome.stderr);
    assert!(
        outcome.stderr.contains("1-bad.yaml") && outcome.stderr.contains("#/actions/0/target"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("nothing was written"),
        "{}",
        outcome.stderr
    );
    std::fs::remove_file(&bad).expect("remove");

    // An overlay that changes a summary: spec/ keeps the upstream text, the
    // regenerated code has the overlay's.
    std::fs::write(
        overlays.join("2-summary.yaml"),
        "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.paths.*.delete\n    update: {summary: Throw away one export bucket (overlay)}\n",
    )
    .expect("write");
    let outcome = update(&overlays);
    assert_eq!(outcome.status, 0, "{}{}", outcome.stdout, outcome.stderr);
    let spec_after = std::fs::read_to_string(ws.path().join(xtask::DEFAULT_SPEC)).expect("read");
    assert!(!spec_after.contains("(overlay)"));
    let parse = |text: &str| {
        atlas_codegen::spec_tools::parse_document(std::path::Path::new("s"), text)
            .expect("parses")
            .root
    };
    assert_eq!(parse(&spec_before), parse(&spec_after));
    let operations = std::fs::read_to_string(
        ws.path()
            .join("generated/src/gen/operations/cloud_backups.rs"),
    )
    .expect("read");
    assert!(
        operations.contains("Throw away one export bucket (overlay)"),
        "{}",
        outcome.stderr
    );
}

#[test]
fn the_generator_keeps_aliases_off_the_flags_the_runtime_reserves() {
    assert_eq!(
        atlas_codegen::emit::cli::reserved_flags(),
        atlas_admin_api::cli_runtime::RESERVED_FLAGS
    );
}
