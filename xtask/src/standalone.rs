//! `cargo xtask crate`: a client crate of its own, generated from any spec
//! (the whole upstream Atlas spec, say), outside this workspace: the modules
//! generated from that spec, a two-line `lib.rs`, and a standalone manifest
//! derived from `generated/Cargo.toml` with the workspace's versions filled
//! in and path dependencies on the runtime crate (`generated/runtime`) and,
//! for the `cli` feature, the command line's runtime (`generated/cli`).

use std::path::{Path, PathBuf};

use toml::{Table, Value};

use crate::{codegen_with_identity, CodegenArgs};

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

/// What a generated crate was built from: the generator, the spec (its
/// file, SHA-256 and identity) and the overlays applied. Written into the
/// crate's `Cargo.toml` (`[package.metadata.atlas-codegen]`) and its docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The spec's file name.
    pub spec_file: String,
    /// SHA-256 of the spec file (hex).
    pub spec_sha256: String,
    /// `info.version`, `info.x-xgen-sha`, the newest API version.
    pub identity: atlas_codegen::ir::SpecIdentity,
    /// The API version pin (`latest`, `preview`, a date).
    pub api_version: String,
    /// Each overlay applied: file name and SHA-256 (hex).
    pub overlays: Vec<(String, String)>,
}

/// SHA-256 (hex) of a file's bytes.
pub fn file_sha256(path: &Path) -> Result<String, String> {
    use sha2::Digest as _;
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(hex::encode(sha2::Sha256::digest(bytes)))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Provenance {
    /// The `[package.metadata.atlas-codegen]` table.
    pub fn metadata_toml(&self) -> String {
        let mut table = Table::new();
        let mut put = |key: &str, value: &str| {
            table.insert(key.to_owned(), Value::String(value.to_owned()));
        };
        put(
            "generator",
            &format!("atlas-codegen {}", atlas_codegen::VERSION),
        );
        put("spec", &self.spec_file);
        put("spec-sha256", &self.spec_sha256);
        put("spec-version", &self.identity.version);
        if let Some(sha) = &self.identity.xgen_sha {
            put("x-xgen-sha", sha);
        }
        if let Some(date) = &self.identity.newest_api_version {
            put("newest-api-version", date);
        }
        put("api-version", &self.api_version);
        table.insert(
            "overlays".to_owned(),
            Value::Array(
                self.overlays
                    .iter()
                    .map(|(name, sha)| Value::String(format!("{name} sha256:{sha}")))
                    .collect(),
            ),
        );
        format!(
            "[package.metadata.atlas-codegen]\n# What this crate was generated from (`cargo xtask crate`).\n{}",
            toml::to_string(&table).unwrap_or_default()
        )
    }

    /// The paragraph of the crate docs that says the same.
    pub fn doc_lines(&self) -> String {
        let mut text = format!(
            "Generated by atlas-codegen {} from `{}` ({}; SHA-256 `{}`), API version `{}`",
            atlas_codegen::VERSION,
            self.spec_file,
            self.identity.summary(),
            self.spec_sha256,
            self.api_version,
        );
        if self.overlays.is_empty() {
            text.push_str(", no overlays.");
        } else {
            let names: Vec<String> = self
                .overlays
                .iter()
                .map(|(n, _)| format!("`{n}`"))
                .collect();
            text.push_str(&format!(", with the overlays {}.", names.join(", ")));
        }
        text.push_str(" The same is in `Cargo.toml` under `[package.metadata.atlas-codegen]`.");
        text
    }
}

/// Writes a crate generated from `spec` (with `overlays` applied, in order)
/// into `dir` and returns codegen's report. The crate depends on the
/// runtime crates (`generated/runtime`, `generated/cli`, by path); everything else in it is
/// generated, but for a `lib.rs` that declares the generated module (and
/// the hand-written waiters, `generated/src/waiters.rs`), and its
/// `atlas-api` binary is `generated/src/bin/atlas-api.rs` (feature `cli`).
/// The manifest's `[package.metadata.atlas-codegen]` and the crate docs say
/// what it was generated from ([`Provenance`]).
pub fn generate_crate(
    root: &Path,
    spec: &Path,
    dir: &Path,
    version: atlas_codegen::lower::VersionPin,
    overlays: &[PathBuf],
) -> Result<String, String> {
    let io = |e: std::io::Error| format!("{}: {e}", dir.display());
    std::fs::create_dir_all(dir.join("src")).map_err(io)?;
    let manifest = standalone_manifest(root)?;
    std::fs::write(dir.join("Cargo.toml"), &manifest).map_err(io)?;
    if root.join("Cargo.lock").exists() {
        std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(io)?;
    }
    // A runtime copied by earlier versions of this command is not used.
    let old_runtime = dir.join("src/runtime");
    if old_runtime.exists() {
        std::fs::remove_dir_all(&old_runtime).map_err(io)?;
    }
    let overlay_files = atlas_codegen::overlay::expand(overlays).map_err(|f| f.to_string())?;
    let mut args = CodegenArgs::defaults(root);
    args.spec = spec.to_owned();
    args.out = dir.join("src/gen");
    args.manifest = Some(dir.join("Cargo.toml"));
    args.version = version.clone();
    args.overlays = overlays.to_vec();
    let (report, identity) = codegen_with_identity(&args, root)?;
    let provenance = Provenance {
        spec_file: file_name(spec),
        spec_sha256: file_sha256(spec)?,
        identity,
        api_version: version.to_string(),
        overlays: overlay_files
            .iter()
            .map(|o| Ok((file_name(o), file_sha256(o)?)))
            .collect::<Result<_, String>>()?,
    };
    // The metadata goes before the features codegen filled in.
    let written = std::fs::read_to_string(dir.join("Cargo.toml")).map_err(io)?;
    let with_metadata = match written.find("\n[features]\n") {
        Some(at) => format!(
            "{}\n{}{}",
            &written[..at],
            provenance.metadata_toml(),
            &written[at..]
        ),
        None => format!("{written}\n{}", provenance.metadata_toml()),
    };
    // The `atlas-api` binary (feature `cli`) is the workspace's, by path,
    // with the hand-written export waiters it uses: where the generated
    // models have what they need (any spec of the Atlas API with its
    // Cloud Backups operations).
    let hosts_cli = hosts_export_waiters(root, dir);
    let with_bin = if hosts_cli {
        let bin = Table::from_iter([
            ("name".to_owned(), Value::String("atlas-api".into())),
            (
                "path".to_owned(),
                Value::String(
                    root.join("generated/src/bin/atlas-api.rs")
                        .to_string_lossy()
                        .into_owned(),
                ),
            ),
            (
                "required-features".to_owned(),
                Value::Array(vec![Value::String("cli".into())]),
            ),
        ]);
        let bins = Table::from_iter([("bin".to_owned(), Value::Array(vec![Value::Table(bin)]))]);
        format!(
            "{with_metadata}\n{}",
            toml::to_string(&bins).map_err(|e| e.to_string())?
        )
    } else {
        with_metadata
    };
    std::fs::write(dir.join("Cargo.toml"), with_bin).map_err(io)?;
    std::fs::write(
        dir.join("src/lib.rs"),
        standalone_lib(root, &provenance, hosts_cli),
    )
    .map_err(io)?;
    Ok(report)
}

/// [`generate_crate`] into `dir` through a scratch folder beside it
/// (`<dir>.new`): only the files whose bytes changed are written into
/// `dir`, and files no longer generated are removed, so cargo rebuilds a
/// crate only when its code changed (`install-cli`, `crate` and the
/// whole-API tests, which share one target directory).
pub fn generate_crate_synced(
    root: &Path,
    spec: &Path,
    dir: &Path,
    version: atlas_codegen::lower::VersionPin,
    overlays: &[PathBuf],
) -> Result<String, String> {
    let mut scratch = dir.as_os_str().to_owned();
    scratch.push(".new");
    let scratch = PathBuf::from(scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    let result = generate_crate(root, spec, &scratch, version, overlays).and_then(|report| {
        for name in ["Cargo.toml", "Cargo.lock"] {
            sync_file(&scratch.join(name), &dir.join(name))?;
        }
        sync_dir(&scratch.join("src"), &dir.join("src"))?;
        Ok(report)
    });
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

/// Writes `to` with the bytes of `from` unless it has them already.
fn sync_file(from: &Path, to: &Path) -> Result<(), String> {
    let Ok(new) = std::fs::read(from) else {
        return Ok(());
    };
    if std::fs::read(to).ok().as_deref() == Some(&new[..]) {
        return Ok(());
    }
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(to, new).map_err(|e| format!("{}: {e}", to.display()))
}

/// Makes the folder `to` hold what `from` holds, writing only what changed.
fn sync_dir(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let names = |dir: &Path| -> Vec<std::ffi::OsString> {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name())
                    .collect()
            })
            .unwrap_or_default()
    };
    let wanted = names(from);
    for stale in names(to).into_iter().filter(|n| !wanted.contains(n)) {
        let path = to.join(stale);
        let _ = std::fs::remove_dir_all(&path).or_else(|_| std::fs::remove_file(&path));
    }
    for name in wanted {
        let (source, target) = (from.join(&name), to.join(&name));
        if source.is_dir() {
            if target.is_file() {
                let _ = std::fs::remove_file(&target);
            }
            sync_dir(&source, &target)?;
        } else {
            if target.is_dir() {
                let _ = std::fs::remove_dir_all(&target);
            }
            sync_file(&source, &target)?;
        }
    }
    Ok(())
}

/// Whether the crate in `dir` can host `generated/src/waiters.rs` (and so
/// `atlas-api`): it has the `cloud-backups` feature, waiters (the Atlas
/// CLI's watchers overlay) and every model the waiters import (a struct,
/// an enum, or an alias such as `ApiError`, the runtime's tolerant type).
fn hosts_export_waiters(root: &Path, dir: &Path) -> bool {
    let Ok(waiters) = std::fs::read_to_string(root.join("generated/src/waiters.rs")) else {
        return false;
    };
    let Some(imports) = waiters
        .split("use crate::models::{")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
    else {
        return false;
    };
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap_or_default();
    if !manifest.lines().any(|l| l.starts_with("cloud-backups =")) {
        return false;
    }
    // `wait_for_backup_export` runs the watcher of `createBackupExport`.
    let mut operations = String::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("src/gen/operations")) {
        for entry in entries.flatten() {
            operations.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    if !operations.contains("pub fn wait_after(") {
        return false;
    }
    let mut models = String::new();
    if let Ok(entries) = std::fs::read_dir(dir.join("src/gen/models")) {
        for entry in entries.flatten() {
            models.push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
        }
    }
    imports
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .all(|name| {
            ["struct", "enum", "type"]
                .iter()
                .any(|kind| models.contains(&format!("pub {kind} {name}")))
        })
}

/// A path as a Rust string literal.
fn path_literal(path: &Path) -> String {
    format!("{:?}", path.to_string_lossy())
}

/// The `lib.rs` of a standalone crate: its docs and the generated module,
/// whose items (client, models, operations, error type, the runtime's
/// re-exports) are the crate's, and the hand-written waiters of
/// `generated/src/waiters.rs` (which `atlas-api` uses).
fn standalone_lib(root: &Path, provenance: &Provenance, waiters: bool) -> String {
    let waiters = if waiters {
        format!(
            "\n#[cfg(feature = \"cloud-backups\")]\n#[path = {}]\npub mod waiters;\n",
            path_literal(&root.join("generated/src/waiters.rs"))
        )
    } else {
        String::new()
    };
    format!(
        "//! A typed, validated async client generated by `cargo xtask crate` from `{spec}`\n\
         //! (see the docs of `atlas-admin-api` for how to use it).\n\
         //!\n\
         //! {provenance}\n\
         #![forbid(unsafe_code)]\n\
         #![warn(missing_docs)]\n\
         #![allow(clippy::result_large_err)]\n\
         \n\
         #[rustfmt::skip]\n\
         mod gen;\n\
         pub use gen::*;\n\
         {waiters}",
        spec = provenance.spec_file,
        provenance = provenance.doc_lines(),
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
