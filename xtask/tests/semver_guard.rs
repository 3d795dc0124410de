//! CI's semver guard (`cargo xtask release --check`) fails on a change that
//! breaks the generated crate's Rust API while the spec diff proposes a
//! minor release: planted in a temporary copy of this workspace's release
//! files (manifests, `spec/`, `spec/released/`), judged by the real
//! cargo-semver-checks. Built with xtask's feature `semver-checks` only
//! (`cargo test -p xtask --features semver-checks --test semver_guard`,
//! which `.ci/run` runs after installing the pinned cargo-semver-checks).

use std::path::{Path, PathBuf};

use xtask::release::{run_with, Bump, Checks, Version};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace")
        .to_owned()
}

/// A workspace in a temporary folder with this one's manifests and specs,
/// the runtime crates linked in, and `released` as the last release's spec
/// and `current` as `spec/`. The build folder of cargo-semver-checks is
/// this workspace's, so the dependencies are built once.
fn workspace(released: &str, current: &str) -> tempfile::TempDir {
    let real = root();
    let dir = tempfile::tempdir().expect("tempdir");
    let tmp = dir.path();
    let copy = |rel: &str| {
        let to = tmp.join(rel);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(real.join(rel), to).expect(rel);
    };
    for rel in ["Cargo.toml", "Cargo.lock", "spec/overlays/atlas-cli.yaml"] {
        copy(rel);
    }
    // A 1.x version: while 0.x every minor release is already one cargo
    // reads as incompatible, so only a patch could be too small.
    let manifest = std::fs::read_to_string(tmp.join("Cargo.toml")).expect("Cargo.toml");
    let manifest: Vec<String> = manifest
        .lines()
        .map(|l| {
            if l.starts_with("version = \"") {
                "version = \"1.4.2\"".to_owned()
            } else if l.starts_with("members = ") {
                // Only the members the copy has.
                r#"members = ["generated", "generated/runtime", "generated/cli"]"#.to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(tmp.join("Cargo.toml"), manifest.join("\n") + "\n").expect("Cargo.toml");
    for (rel, text) in [
        ("spec/released/atlas-admin-api.yaml", released),
        ("spec/atlas-admin-api.yaml", current),
    ] {
        std::fs::create_dir_all(tmp.join(rel).parent().expect("parent")).expect("mkdir");
        std::fs::write(tmp.join(rel), text).expect(rel);
    }
    // `generated/` and the runtime crates: their manifests at that version
    // (path dependencies included), everything else linked.
    for rel in ["generated", "generated/runtime", "generated/cli"] {
        mirror(&real.join(rel), &tmp.join(rel));
    }
    let target = real.join("target/semver-checks/target");
    std::fs::create_dir_all(&target).expect("target");
    std::fs::create_dir_all(tmp.join("target/semver-checks")).expect("work");
    std::os::unix::fs::symlink(&target, tmp.join("target/semver-checks/target")).expect("link");
    dir
}

/// `to` as a folder of links to the entries of `from`, but for its
/// `Cargo.toml`, copied with the `version` of path dependencies at 1.4.2
/// (and folders [`workspace`] mirrors itself).
fn mirror(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("folder") {
        let entry = entry.expect("entry");
        let name = entry.file_name();
        if name == "runtime" || name == "cli" {
            continue;
        }
        if name != "Cargo.toml" {
            std::os::unix::fs::symlink(entry.path(), to.join(&name)).expect("link");
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).expect("manifest");
        let lines: Vec<String> = text
            .lines()
            .map(|l| match (l.contains("path ="), l.find("version = \"")) {
                (true, Some(at)) => {
                    let rest = &l[at + "version = \"".len()..];
                    let end = rest.find('"').expect("closing quote");
                    format!("{}version = \"1.4.2{}", &l[..at], &rest[end..])
                }
                _ => l.to_owned(),
            })
            .collect();
        std::fs::write(to.join("Cargo.toml"), lines.join("\n") + "\n").expect("manifest");
    }
}

fn spec() -> String {
    std::fs::read_to_string(root().join("spec/atlas-admin-api.yaml")).expect("spec")
}

#[test]
fn a_change_breaking_in_rust_but_proposed_as_minor_fails_the_guard() {
    let released = spec();
    // The planted change: the tag is renamed, so the cargo feature
    // `cloud-backups` is gone (the spec diff does not compare tags), and an
    // optional response field is added (so the spec diff proposes minor).
    let current = released.replace("Cloud Backups", "Cloud Backup Exports").replacen(
        "        exportBucketId:\n",
        "        plantedNote:\n          type: string\n          description: A planted optional field.\n        exportBucketId:\n",
        1,
    );
    assert!(current.contains("plantedNote") && current.contains("Cloud Backup Exports"));
    let ws = workspace(&released, &current);
    let plan = run_with(ws.path(), "2026-12-06", true, Checks::Skip).expect("the spec diff's plan");
    assert_eq!(plan.spec_bump, Bump::Minor, "{}", plan.entry);
    assert_eq!((plan.from, plan.to), (Version(1, 4, 2), Version(1, 5, 0)));

    let err = run_with(ws.path(), "2026-12-06", false, Checks::Require)
        .expect_err("cargo-semver-checks requires a major release");
    assert!(err.contains("less than the API change requires"), "{err}");
    assert!(err.contains("Major is required"), "{err}");
    assert!(err.contains("feature_missing"), "{err}");
    // Nothing was written.
    assert_eq!(
        std::fs::read_to_string(ws.path().join("spec/released/atlas-admin-api.yaml"))
            .expect("released"),
        released
    );

    // Without `--check`, the release takes the bump cargo-semver-checks
    // requires, and its entry says why.
    let plan = run_with(ws.path(), "2026-12-06", true, Checks::IfInstalled).expect("plan");
    assert_eq!(plan.bump, Bump::Major, "{}", plan.entry);
    assert_eq!(plan.to, plan.from.bumped(Bump::Major));
    assert!(
        plan.entry.contains("cargo-semver-checks found"),
        "{}",
        plan.entry
    );
    let _: Version = plan.to;
}
