//! Determinism and all-or-nothing writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use atlas_codegen::output::{self, FailAt};
use atlas_codegen::{generate, load, Options};
use atlas_tests::{specs_dir, workspace_root};
use xtask::{codegen, CodegenArgs};

fn generate_text(file: &str, text: &str) -> BTreeMap<String, String> {
    let spec = load::parse(Path::new(file), text).expect("parses");
    generate(&spec, &Options::new(file))
        .expect("generates")
        .files
}

/// Reorders every mapping of a YAML document (seeded, so reproducible).
fn shuffle(value: &mut serde_yaml::Value, seed: &mut u64) {
    match value {
        serde_yaml::Value::Mapping(map) => {
            let mut entries: Vec<(serde_yaml::Value, serde_yaml::Value)> =
                std::mem::take(map).into_iter().collect();
            // Fisher-Yates with a small xorshift generator.
            for i in (1..entries.len()).rev() {
                *seed ^= *seed << 13;
                *seed ^= *seed >> 7;
                *seed ^= *seed << 17;
                let j = (*seed % (i as u64 + 1)) as usize;
                entries.swap(i, j);
            }
            for (k, mut v) in entries {
                shuffle(&mut v, seed);
                map.insert(k, v);
            }
        }
        serde_yaml::Value::Sequence(items) => items.iter_mut().for_each(|v| shuffle(v, seed)),
        _ => {}
    }
}

fn assert_shuffle_invariant(path: &Path) {
    let text = std::fs::read_to_string(path).expect("spec");
    let original = generate_text("spec.yaml", &text);
    assert_eq!(
        original,
        generate_text("spec.yaml", &text),
        "two runs differ"
    );
    for seed in [1u64, 0x9e37_79b9_7f4a_7c15] {
        let mut doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("yaml");
        let mut state = seed;
        shuffle(&mut doc, &mut state);
        let shuffled = serde_yaml::to_string(&doc).expect("yaml out");
        assert_ne!(shuffled, text, "the shuffle changed nothing");
        let again = generate_text("spec.yaml", &shuffled);
        for (name, contents) in &original {
            assert!(
                again.get(name) == Some(contents),
                "{name} differs after shuffling map keys (seed {seed})"
            );
        }
        assert_eq!(original.len(), again.len());
    }
}

#[test]
fn output_is_identical_across_runs_and_key_orders() {
    assert_shuffle_invariant(&workspace_root().join("spec/atlas-admin-api.yaml"));
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn full_spec_output_is_identical_across_runs_and_key_orders() {
    assert_shuffle_invariant(&specs_dir().join("atlas-api-v2-combined.yaml"));
}

/// A copy of the checked-in generated directory and manifest to write into.
fn scratch() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let root = workspace_root();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("gen");
    copy_dir(&root.join("generated/src/gen"), &out);
    let manifest = dir.path().join("Cargo.toml");
    std::fs::copy(root.join("generated/Cargo.toml"), &manifest).expect("manifest");
    (dir, out, manifest)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
}

/// Every file below `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir") {
            let entry = entry.expect("entry");
            if entry.file_type().expect("type").is_dir() {
                stack.push(entry.path());
            } else {
                out.insert(entry.path(), std::fs::read(entry.path()).expect("read"));
            }
        }
    }
    out
}

/// A spec that generates different code from `spec/`, so a write would
/// change files.
fn changed_spec(dir: &Path) -> PathBuf {
    let text =
        std::fs::read_to_string(workspace_root().join("spec/atlas-admin-api.yaml")).expect("spec");
    let text = text.replace(
        "Where the job is in its life cycle.",
        "Changed description.",
    );
    let path = dir.join("changed.yaml");
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn a_failed_write_leaves_everything_as_it_was() {
    let root = workspace_root();
    let (dir, out, manifest) = scratch();
    let before = snapshot(dir.path());

    // 1. The spec is broken: nothing is written.
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "openapi: 3.0.1\ninfo: [").expect("write");
    let mut args = CodegenArgs::defaults(&root);
    args.spec = broken.clone();
    args.out = out.clone();
    args.manifest = Some(manifest.clone());
    assert!(codegen(&args, &root).is_err());
    std::fs::remove_file(&broken).expect("rm");
    assert_eq!(snapshot(dir.path()), before, "a broken spec changed files");

    // 2. A failure at each step of the write (injected): every earlier
    //    step is undone.
    let spec = changed_spec(dir.path());
    let before = snapshot(dir.path());
    let generated = atlas_codegen::load::load(&spec)
        .and_then(|loaded| {
            atlas_codegen::generate(&loaded, &atlas_codegen::Options::new("changed.yaml"))
        })
        .expect("generates");
    let current = std::fs::read_to_string(&manifest).expect("manifest");
    let updated = atlas_codegen::manifest::splice(&current, &generated.features).expect("markers")
        + "# changed\n";
    let extra = vec![
        (manifest.clone(), updated),
        (dir.path().join("NEW_FILE"), "new".to_owned()),
    ];
    for point in [
        FailAt::Staged,
        FailAt::DirSwapped,
        FailAt::FirstExtraSwapped,
    ] {
        let err = output::write_all_failing_at(&out, &generated.files, &extra, Some(point))
            .expect_err("injected failure");
        assert!(err.to_string().contains("injected"), "{err}");
        assert_eq!(
            snapshot(dir.path()),
            before,
            "a failure at {point:?} left changes"
        );
    }

    // 3. The output directory cannot be created (its parent is a file, as a
    //    full disk or missing mount would also refuse it).
    let file_parent = dir.path().join("not-a-dir");
    std::fs::write(&file_parent, "").expect("write");
    let mut args = CodegenArgs::defaults(&root);
    args.spec = spec.clone();
    args.out = file_parent.join("gen");
    args.manifest = Some(manifest.clone());
    let err = codegen(&args, &root).expect_err("cannot create");
    assert!(err.contains("error"), "{err}");
    std::fs::remove_file(&file_parent).expect("rm");
    assert_eq!(
        snapshot(dir.path()),
        before,
        "a failed directory write left changes"
    );

    // And with nothing in the way the same write succeeds and changes files.
    let mut args = CodegenArgs::defaults(&root);
    args.spec = spec;
    args.out = out;
    args.manifest = Some(manifest);
    codegen(&args, &root).expect("writes");
    assert_ne!(snapshot(dir.path()), before);
}
