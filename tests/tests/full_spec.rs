//! The whole upstream Atlas Admin API: every operation and schema of the
//! three upstream specs generates, and the generated crate compiles without
//! warnings (RUSTFLAGS=-D warnings); for the combined spec (with the Atlas
//! CLI's eight overlays, so with their waiters and `--watch`es) also with
//! every feature on (the mock Atlas of `test-util` included), clippy-clean,
//! with docs that build, round-tripping, and the whole-API part of the
//! reality suite (`tests/reality/`).

use atlas_tests::full_crate::{cargo, generate_crate, generate_crate_with_overlays};
use atlas_tests::{specs_dir, workspace_root};

fn check_spec(file: &str, extra: &[&str]) -> String {
    let spec = specs_dir().join(file);
    let dir = workspace_root()
        .join("target/full-spec-crates")
        .join(file.trim_end_matches(".yaml"));
    let (dir, report) = generate_crate(&spec, &dir);
    let mut args = vec!["check", "--quiet"];
    args.extend_from_slice(extra);
    cargo(&dir, &args);
    report
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn combined_spec_generates_compiles_and_round_trips() {
    // Every feature: all tags, and the command line generated from them;
    // clippy (which checks too) and rustdoc, warnings denied.
    let spec = specs_dir().join("atlas-api-v2-combined.yaml");
    let dir = workspace_root().join("target/full-spec-crates/atlas-api-v2-combined");
    let (dir, report) = generate_crate_with_overlays(&spec, &[specs_dir().join("overlays")], &dir);
    assert!(report.contains("540 operations"), "{report}");
    // The 25 watchers of the overlays (two mended) are waiters, and
    // `--watch`es of the command line.
    let mut waiters = 0;
    for entry in std::fs::read_dir(dir.join("src/gen/operations")).expect("operations") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        waiters += text.matches("pub fn send_and_wait(").count();
    }
    assert_eq!(waiters, 25);
    // Every operation has a typed stub in the mock Atlas (feature
    // `test-util`, which `--all-features` below compiles, clippy- and
    // rustdoc-clean).
    let mut stubs = 0;
    for entry in std::fs::read_dir(dir.join("src/gen/mock")).expect("mock") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("read");
        stubs += text.matches("const OPERATION_ID: &'static str").count();
    }
    assert_eq!(stubs, 540);
    let cli = std::fs::read_to_string(dir.join("src/gen/cli.rs")).expect("cli.rs");
    assert_eq!(cli.matches("watch: Some(").count(), 25);
    // Every docs link is absolute: no `#tag/...` fragment is left in any
    // emitted doc (fields, parameters, enums, models, operations).
    let mut relative = Vec::new();
    let mut stack = vec![dir.join("src/gen")];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read");
            relative.extend(
                text.lines()
                    .filter(|l| {
                        l.trim_start().starts_with("///") || l.trim_start().starts_with("//!")
                    })
                    .filter(|l| l.contains("](#"))
                    .map(|l| format!("{}: {}", path.display(), l.trim())),
            );
        }
    }
    assert!(
        relative.is_empty(),
        "{} relative links, e.g. {:?}",
        relative.len(),
        relative.first()
    );
    // What the crate was built from: its manifest and its docs say.
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains("[package.metadata.atlas-codegen]"),
        "{manifest}"
    );
    assert!(manifest.contains("x-xgen-sha = \"f84b8e4346991132f70f5610809ad1b6af020975\""));
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).expect("lib.rs");
    assert!(
        lib.contains("x-xgen-sha f84b8e4346991132f70f5610809ad1b6af020975"),
        "{lib}"
    );
    cargo(
        &dir,
        &[
            "clippy",
            "--quiet",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
    );
    cargo(&dir, &["doc", "--quiet", "--no-deps", "--all-features"]);
    // One area alone: its operations and the types they use, nothing else.
    cargo(
        &dir,
        &[
            "check",
            "--quiet",
            "--no-default-features",
            "--features",
            "cloud-backups",
        ],
    );

    // Round trips: every example of the spec decodes into its type, and
    // values made from the IR for a sample of types survive
    // decode -> encode -> decode.
    let spec =
        atlas_codegen::load::load(&specs_dir().join("atlas-api-v2-combined.yaml")).expect("loads");
    let api = atlas_codegen::lower::lower(&spec).expect("lowers").api;
    let (source, examples, generated) =
        atlas_tests::roundtrip::test_source(&api, "atlas_admin_api", 300, 3);
    assert!(examples > 500, "only {examples} examples");
    assert!(generated > 300, "only {generated} generated values");
    let dir = workspace_root().join("target/full-spec-crates/atlas-api-v2-combined");
    std::fs::create_dir_all(dir.join("tests")).expect("mkdir");
    std::fs::write(dir.join("tests/roundtrip.rs"), source).expect("write");

    // The reality suite of the whole API (tests/reality/whole_api_test.rs,
    // with the fixtures beside it): the documented cluster requests
    // (analytics and read-only nodes, compute auto-scaling bounds) are
    // typed and sent unchanged by the library and by `atlas-api clusters
    // createCluster --file`, documented errors keep their code. Built in
    // the same `cargo test` as the round trips (one compilation, with the
    // command line).
    let reality = workspace_root().join("tests/reality");
    std::fs::create_dir_all(dir.join("tests/reality")).expect("mkdir");
    for fixture in ["errors.json", "requests.json"] {
        std::fs::copy(
            reality.join(fixture),
            dir.join("tests/reality").join(fixture),
        )
        .expect("copy fixture");
    }
    std::fs::copy(
        reality.join("whole_api_test.rs"),
        dir.join("tests/reality.rs"),
    )
    .expect("copy the reality suite");
    cargo(
        &dir,
        &[
            "test",
            "--quiet",
            "--features",
            "cli",
            "--test",
            "roundtrip",
            "--test",
            "reality",
        ],
    );
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn per_version_spec_generates_and_compiles() {
    let report = check_spec("openapi-2024-08-05.yaml", &[]);
    assert!(report.contains("operations"), "{report}");
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn sdk_transformed_spec_generates_and_compiles() {
    let report = check_spec("atlas-sdk-go-atlas-api-transformed.yaml", &[]);
    assert!(report.contains("operations"), "{report}");
}
