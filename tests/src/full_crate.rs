//! Building the generated crate from another spec (the whole upstream Atlas
//! spec) in a scratch directory: the hand-written runtime and `lib.rs` of
//! `generated/`, the generated modules from that spec, and a standalone
//! manifest derived from `generated/Cargo.toml` with the workspace's
//! dependency versions filled in.

use std::path::{Path, PathBuf};
use std::process::Command;

use toml::{Table, Value};

use crate::workspace_root;

fn read_toml(path: &Path) -> Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.parse().unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `generated/Cargo.toml` with every `workspace = true` replaced by the
/// workspace's value, as a standalone package.
pub fn standalone_manifest() -> String {
    let root = workspace_root();
    let workspace = read_toml(&root.join("Cargo.toml"));
    let ws = workspace.get("workspace").and_then(Value::as_table).cloned().unwrap_or_default();
    let ws_package = ws.get("package").and_then(Value::as_table).cloned().unwrap_or_default();
    let ws_deps = ws.get("dependencies").and_then(Value::as_table).cloned().unwrap_or_default();
    let text = std::fs::read_to_string(root.join("generated/Cargo.toml")).expect("generated/Cargo.toml");
    let mut manifest: Table = text.parse().expect("generated/Cargo.toml parses");
    if let Some(Value::Table(package)) = manifest.get_mut("package") {
        for (key, value) in package.iter_mut() {
            if value.get("workspace").and_then(Value::as_bool) == Some(true) {
                *value = ws_package.get(key).cloned().unwrap_or_else(|| panic!("workspace.package.{key}"));
            }
        }
    }
    for section in ["dependencies", "dev-dependencies"] {
        let Some(Value::Table(deps)) = manifest.get_mut(section) else { continue };
        for (name, value) in deps.iter_mut() {
            let Some(spec) = value.as_table().cloned() else { continue };
            if spec.get("workspace").and_then(Value::as_bool) != Some(true) {
                continue;
            }
            let base = ws_deps.get(name).cloned().unwrap_or_else(|| panic!("workspace dependency {name}"));
            let mut merged = match base {
                Value::String(version) => {
                    let mut t = Table::new();
                    t.insert("version".into(), Value::String(version));
                    t
                }
                Value::Table(t) => t,
                other => panic!("workspace dependency {name}: {other}"),
            };
            for (k, v) in spec {
                match (k.as_str(), v) {
                    ("workspace", _) => {}
                    ("features", Value::Array(extra)) => {
                        let features = merged.entry("features").or_insert_with(|| Value::Array(Vec::new()));
                        if let Value::Array(list) = features {
                            list.extend(extra);
                        }
                    }
                    (k, v) => {
                        merged.insert(k.to_owned(), v);
                    }
                }
            }
            *value = Value::Table(merged);
        }
    }
    manifest.remove("dev-dependencies");
    manifest.remove("example");
    manifest.remove("bench");
    manifest.insert("workspace".into(), Value::Table(Table::new()));
    let mut out = toml::to_string(&manifest).expect("manifest serialises");
    // Keep codegen's feature markers (comments do not survive the TOML
    // round trip): put them back around an empty generated block.
    out.push('\n');
    out = out.replace("[features]\n", "");
    out.push_str(&format!(
        "[features]\n{}\n{}\n",
        atlas_codegen::manifest::BEGIN,
        atlas_codegen::manifest::END
    ));
    out
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// A scratch crate in `dir` generated from `spec`: returns its path and the
/// codegen report.
pub fn generate_crate(spec: &Path, dir: &Path) -> (PathBuf, String) {
    let root = workspace_root();
    std::fs::create_dir_all(dir.join("src")).expect("mkdir");
    std::fs::write(dir.join("Cargo.toml"), standalone_manifest()).expect("manifest");
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).expect("lock");
    std::fs::copy(root.join("generated/src/lib.rs"), dir.join("src/lib.rs")).expect("lib.rs");
    let _ = std::fs::remove_dir_all(dir.join("src/runtime"));
    copy_dir(&root.join("generated/src/runtime"), &dir.join("src/runtime"));
    let mut args = xtask::CodegenArgs::defaults(&root);
    args.spec = spec.to_owned();
    args.out = dir.join("src/gen");
    args.manifest = Some(dir.join("Cargo.toml"));
    let report = xtask::codegen(&args, &root).unwrap_or_else(|report| panic!("codegen failed:\n{report}"));
    (dir.to_owned(), report)
}

/// Runs `cargo <args>` in `dir` with the workspace's shared scratch target
/// directory; panics with the output unless it succeeds without warnings.
pub fn cargo(dir: &Path, args: &[&str]) {
    let target = workspace_root().join("target/full-spec");
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env("RUSTFLAGS", "-D warnings")
        .env("RUSTDOCFLAGS", "-D warnings")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "cargo {} failed in {}:\n{}",
        args.join(" "),
        dir.display(),
        stderr.lines().filter(|l| !l.trim_start().starts_with("Compiling")).take(80).collect::<Vec<_>>().join("\n")
    );
}
