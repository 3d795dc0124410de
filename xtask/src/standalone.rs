//! `cargo xtask crate`: a client crate of its own, generated from any spec
//! (the whole upstream Atlas spec, say), outside this workspace. It takes the
//! hand-written runtime and `lib.rs` of `generated/`, the modules generated
//! from that spec, and a standalone manifest derived from
//! `generated/Cargo.toml` with the workspace's versions filled in.

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::{codegen, CodegenArgs};

fn read_toml(path: &Path) -> Result<Table, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.parse().map_err(|e| format!("{}: {e}", path.display()))
}

/// `generated/Cargo.toml` as a standalone package: every `workspace = true`
/// replaced by the workspace's value, with an empty feature block between
/// codegen's markers for codegen to fill.
pub fn standalone_manifest(root: &Path) -> Result<String, String> {
    let workspace = read_toml(&root.join("Cargo.toml"))?;
    let ws = workspace
        .get("workspace")
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    let ws_package = ws
        .get("package")
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    let ws_deps = ws
        .get("dependencies")
        .and_then(Value::as_table)
        .cloned()
        .unwrap_or_default();
    let mut manifest = read_toml(&root.join("generated/Cargo.toml"))?;
    if let Some(Value::Table(package)) = manifest.get_mut("package") {
        for (key, value) in package.iter_mut() {
            if value.get("workspace").and_then(Value::as_bool) == Some(true) {
                *value = ws_package
                    .get(key)
                    .cloned()
                    .ok_or_else(|| format!("workspace.package.{key} is not set"))?;
            }
        }
    }
    if let Some(Value::Table(deps)) = manifest.get_mut("dependencies") {
        for (name, value) in deps.iter_mut() {
            let Some(spec) = value.as_table().cloned() else {
                continue;
            };
            if spec.get("workspace").and_then(Value::as_bool) != Some(true) {
                continue;
            }
            let mut merged = match ws_deps.get(name).cloned() {
                Some(Value::String(version)) => {
                    Table::from_iter([("version".to_owned(), Value::String(version))])
                }
                Some(Value::Table(t)) => t,
                _ => return Err(format!("workspace dependency {name} is not set")),
            };
            for (k, v) in spec {
                match (k.as_str(), v) {
                    ("workspace", _) => {}
                    ("features", Value::Array(extra)) => {
                        if let Value::Array(list) = merged
                            .entry("features")
                            .or_insert_with(|| Value::Array(Vec::new()))
                        {
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
    // Tests, examples and the features codegen does not own stay behind.
    for key in ["dev-dependencies", "example", "bench", "test", "bin"] {
        manifest.remove(key);
    }
    let hand_written_features = manifest.remove("features");
    manifest.insert("workspace".into(), Value::Table(Table::new()));
    let mut out = toml::to_string(&manifest).map_err(|e| e.to_string())?;
    out.push_str("\n[features]\n");
    if let Some(Value::Table(features)) = hand_written_features {
        for (name, deps) in features {
            // Only the hand-written ones whose dependencies exist here.
            let Value::Array(list) = &deps else { continue };
            let available = list.iter().filter_map(Value::as_str).all(|d| {
                d.strip_prefix("dep:").is_none_or(|dep| {
                    manifest
                        .get("dependencies")
                        .and_then(|t| t.get(dep))
                        .is_some()
                })
            });
            if available
                && !["default", "full"].contains(&name.as_str())
                && !is_generated(&name, root)
            {
                out.push_str(&format!("{name} = {deps}\n"));
            }
        }
    }
    out.push_str(&format!(
        "{}\n{}\n",
        atlas_codegen::manifest::BEGIN,
        atlas_codegen::manifest::END
    ));
    Ok(out)
}

/// Whether `feature` is one of the lines codegen writes in `generated/Cargo.toml`.
fn is_generated(feature: &str, root: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(root.join("generated/Cargo.toml")) else {
        return false;
    };
    let Some(begin) = text.find(atlas_codegen::manifest::BEGIN) else {
        return false;
    };
    let Some(end) = text[begin..].find(atlas_codegen::manifest::END) else {
        return false;
    };
    text[begin..begin + end]
        .lines()
        .any(|l| l.split('=').next().map(str::trim) == Some(feature))
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Writes a crate generated from `spec` (with `overlays` applied, in order)
/// into `dir` and returns codegen's report. The runtime is copied from
/// `generated/src/runtime`.
pub fn generate_crate(
    root: &Path,
    spec: &Path,
    dir: &Path,
    version: atlas_codegen::lower::VersionPin,
    overlays: &[PathBuf],
) -> Result<String, String> {
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    std::fs::create_dir_all(dir.join("src")).map_err(io)?;
    std::fs::write(dir.join("Cargo.toml"), standalone_manifest(root)?).map_err(io)?;
    if root.join("Cargo.lock").exists() {
        std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(io)?;
    }
    let lib = std::fs::read_to_string(root.join("generated/src/lib.rs")).map_err(io)?;
    std::fs::write(dir.join("src/lib.rs"), without_spec_specific_modules(&lib)).map_err(io)?;
    let runtime = dir.join("src/runtime");
    if runtime.exists() {
        std::fs::remove_dir_all(&runtime).map_err(io)?;
    }
    copy_dir(&root.join("generated/src/runtime"), &runtime).map_err(io)?;
    let mut args = CodegenArgs::defaults(root);
    args.spec = spec.to_owned();
    args.out = dir.join("src/gen");
    args.manifest = Some(dir.join("Cargo.toml"));
    args.version = version;
    args.overlays = overlays.to_vec();
    codegen(&args, root)
}

/// Hand-written modules of `generated/` that call operations of the
/// shipped spec by name (what an export job's final state means); a crate generated from another
/// spec may not have those operations, so they stay behind.
const SPEC_SPECIFIC_MODULES: &[&str] = &["waiters"];

/// `lib.rs` without the declarations (and their attributes) of
/// [`SPEC_SPECIFIC_MODULES`].
fn without_spec_specific_modules(lib: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for line in lib.lines() {
        let declares = SPEC_SPECIFIC_MODULES
            .iter()
            .any(|m| line.trim() == format!("pub mod {m};") || line.trim() == format!("mod {m};"));
        if declares {
            while out.last().is_some_and(|l| l.trim_start().starts_with("#[")) {
                out.pop();
            }
            continue;
        }
        out.push(line);
    }
    out.join("\n") + "\n"
}

/// The crate directory `cargo xtask crate` writes by default.
pub fn default_dir(root: &Path, spec: &Path) -> PathBuf {
    let stem = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    root.join("target/atlas-crates").join(stem)
}
