//! `cargo xtask crate`: a client crate of its own, generated from any spec
//! (the whole upstream Atlas spec, say), outside this workspace: the modules
//! generated from that spec, a two-line `lib.rs`, and a standalone manifest
//! derived from `generated/Cargo.toml` with the workspace's versions filled
//! in and path dependencies on the runtime crate (`generated/runtime`) and,
//! for the `cli` feature, the command line's runtime (`generated/cli`).

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
            // A path dependency (the runtime, the CLI runtime) is found from
            // anywhere.
            if let Some(Value::String(path)) = spec.get("path") {
                let absolute = root.join("generated").join(path);
                let mut spec = spec.clone();
                spec.insert(
                    "path".to_owned(),
                    Value::String(absolute.to_string_lossy().into_owned()),
                );
                *value = Value::Table(spec);
                continue;
            }
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

/// Writes a crate generated from `spec` (with `overlays` applied, in order)
/// into `dir` and returns codegen's report. The crate depends on the
/// runtime crates (`generated/runtime`, `generated/cli`, by path); everything else in it is
/// generated, but for a `lib.rs` that declares the generated module.
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
    let name = spec
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    std::fs::write(dir.join("src/lib.rs"), standalone_lib(&name)).map_err(io)?;
    // A runtime copied by earlier versions of this command is not used.
    let old_runtime = dir.join("src/runtime");
    if old_runtime.exists() {
        std::fs::remove_dir_all(&old_runtime).map_err(io)?;
    }
    let mut args = CodegenArgs::defaults(root);
    args.spec = spec.to_owned();
    args.out = dir.join("src/gen");
    args.manifest = Some(dir.join("Cargo.toml"));
    args.version = version;
    args.overlays = overlays.to_vec();
    codegen(&args, root)
}

/// The `lib.rs` of a standalone crate: its docs and the generated module,
/// whose items (client, models, operations, error type, the runtime's
/// re-exports) are the crate's.
fn standalone_lib(spec_name: &str) -> String {
    format!(
        "//! A typed, validated async client generated by `cargo xtask crate` from `{spec_name}`\n\
         //! (see the docs of `atlas-admin-api` for how to use it).\n\
         #![forbid(unsafe_code)]\n\
         #![warn(missing_docs)]\n\
         #![allow(clippy::result_large_err)]\n\
         \n\
         #[rustfmt::skip]\n\
         mod gen;\n\
         pub use gen::*;\n"
    )
}

/// The crate directory `cargo xtask crate` writes by default.
pub fn default_dir(root: &Path, spec: &Path) -> PathBuf {
    let stem = spec
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    root.join("target/atlas-crates").join(stem)
}
