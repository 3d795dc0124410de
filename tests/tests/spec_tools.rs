//! `cargo xtask spec extract|update|diff`: extraction from the upstream
//! combined spec (self-contained, nothing unreferenced, same generator IR as
//! the full spec), the change report between two upstream versions, and
//! `spec update` on a temporary copy of the workspace (never on `spec/`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use atlas_codegen::ir::{Api, Operation, Type, TypeDef};
use atlas_codegen::spec_tools::{self, extract, parse_document, read_document, to_yaml, Document};
use atlas_tests::{specs_dir, workspace_root};
use serde_json::Value;
use xtask::spec::{parse_args, run, Outcome, EXIT_BREAKING};

const BACKUP_EXPORT_OPS: [&str; 8] = [
    "createBackupExport",
    "getBackupExport",
    "listBackupExports",
    "createExportBucket",
    "getExportBucket",
    "listExportBuckets",
    "deleteExportBucket",
    "updateBackupExportBucket",
];

fn combined_path() -> PathBuf {
    specs_dir().join("atlas-api-v2-combined.yaml")
}

/// The combined spec, read once per test binary.
fn combined() -> &'static Document {
    static DOC: OnceLock<Document> = OnceLock::new();
    DOC.get_or_init(|| read_document(&combined_path()).unwrap_or_else(|f| panic!("{f}")))
}

/// The generator IR of the whole combined spec, lowered once.
fn combined_ir() -> &'static Api {
    static API: OnceLock<Api> = OnceLock::new();
    API.get_or_init(|| {
        let path = combined_path();
        let text = std::fs::read_to_string(&path).expect("read the combined spec");
        let spec = atlas_codegen::load::parse(&path, &text).unwrap_or_else(|f| panic!("{f}"));
        match atlas_codegen::lower::lower(&spec) {
            Ok(lowered) => lowered.api,
            Err(f) => panic!(
                "the full combined spec cannot be lowered by today's generator, so extracted \
                 operations cannot be compared with it:\n{f}"
            ),
        }
    })
}

// ----- an independent check of self-containedness ------------------------

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r.clone()),
                    ("discriminator", d) => {
                        if let Some(m) = d.get("mapping").and_then(Value::as_object) {
                            for t in m.values().filter_map(Value::as_str) {
                                out.push(t.to_owned());
                            }
                        }
                    }
                    _ => collect_refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect_refs(i, out)),
        _ => {}
    }
}

fn security_schemes(value: Option<&Value>, out: &mut Vec<String>) {
    for req in value.and_then(Value::as_array).into_iter().flatten() {
        if let Some(m) = req.as_object() {
            out.extend(
                m.keys()
                    .map(|k| format!("#/components/securitySchemes/{k}")),
            );
        }
    }
}

/// Checks that every `$ref` resolves inside `doc` and that every component is
/// reachable from the paths or the global `security`; returns the problems.
fn self_contained_problems(doc: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let mut work = Vec::new();
    collect_refs(&doc["paths"], &mut work);
    security_schemes(doc.get("security"), &mut work);
    for item in doc["paths"].as_object().into_iter().flatten() {
        for op in item.1.as_object().into_iter().flatten() {
            security_schemes(op.1.get("security"), &mut work);
        }
    }
    let mut reached: BTreeSet<String> = BTreeSet::new();
    while let Some(r) = work.pop() {
        let r = if r.starts_with('#') {
            r
        } else {
            format!("#/components/schemas/{r}")
        };
        let parts: Vec<&str> = r.trim_start_matches("#/").splitn(4, '/').collect();
        let top = format!(
            "#/{}",
            parts.iter().take(3).copied().collect::<Vec<_>>().join("/")
        );
        match doc.pointer(&r[1..]) {
            None => problems.push(format!("unresolved: {r}")),
            Some(_) => {
                if reached.insert(top.clone()) {
                    if let Some(target) = doc.pointer(&top[1..]) {
                        collect_refs(target, &mut work);
                    }
                }
            }
        }
    }
    for (kind, map) in doc
        .get("components")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for name in map.as_object().into_iter().flat_map(|m| m.keys()) {
            let p = format!(
                "#/components/{kind}/{}",
                name.replace('~', "~0").replace('/', "~1")
            );
            if !reached.contains(&p) {
                problems.push(format!("unreferenced: {p}"));
            }
        }
    }
    problems
}

// ----- comparing generator IR modulo type names -----------------------------

/// A type as its users see it, for comparing one operation between the
/// full spec and an extraction. Three generator behaviours depend on the
/// whole spec rather than on the operation (the third is handled in
/// [`Pairing::named`]: a struct used in both directions by the full spec is
/// shared there): an enum with the same values as one
/// defined earlier is replaced by (or aliased to) that one, so enums compare
/// by their values and variants; and a validated string takes the
/// description of its first use in the spec. Names are compared through the
/// pairing (numbering may differ), everything else exactly.
fn effective(api: &Api, def: &TypeDef) -> TypeDef {
    let mut def = def.clone();
    if let TypeDef::Alias(a) = &def {
        if let Some(target @ TypeDef::Enum(_)) = api.types.get(&a.target) {
            def = target.clone();
        }
    }
    match &mut def {
        TypeDef::Struct(s) => {
            s.name.clear();
            s.fields.iter_mut().for_each(|f| f.ty = Type::Json);
        }
        TypeDef::Enum(e) => {
            e.name.clear();
            e.doc = None;
        }
        TypeDef::Union(u) => {
            u.name.clear();
            u.variants.iter_mut().for_each(|v| v.ty = Type::Json);
        }
        TypeDef::Alias(a) => a.name.clear(),
        TypeDef::Wrapper(w) => {
            w.name.clear();
            w.ty = Type::Json;
        }
    }
    def
}

/// Walks the types one operation reaches in both IRs side by side.
#[derive(Default)]
struct Pairing {
    seen: BTreeSet<(String, String)>,
    problems: Vec<String>,
}

impl Pairing {
    fn ty(&mut self, full: &Api, ext: &Api, f: &Type, e: &Type, at: &str) {
        match (f, e) {
            (Type::Named(a), Type::Named(b)) => self.named(full, ext, a, b, at),
            (Type::Newtype(a), Type::Newtype(b)) => {
                if !self
                    .seen
                    .insert((format!("newtype {a}"), format!("newtype {b}")))
                {
                    return;
                }
                match (full.newtypes.get(a), ext.newtypes.get(b)) {
                    (Some(x), Some(y)) => {
                        let mut y = y.clone();
                        y.name = x.name.clone();
                        y.doc = x.doc.clone();
                        // The other types with its pattern depend on the
                        // rest of the spec, not on this type.
                        y.same_pattern = x.same_pattern.clone();
                        // A type several fields share is described by one
                        // of them, which depends on which the spec has.
                        y.field = x.field.clone();
                        if x != &y {
                            self.problems
                                .push(format!("{at}: validated string {a}: {x:?} vs {y:?}"));
                        }
                    }
                    _ => self
                        .problems
                        .push(format!("{at}: validated string {a} or {b} is missing")),
                }
            }
            (Type::Vec(a), Type::Vec(b)) | (Type::Map(a), Type::Map(b)) => {
                self.ty(full, ext, a, b, at)
            }
            _ if f == e => {}
            _ => self.problems.push(format!("{at}: {f:?} vs {e:?}")),
        }
    }

    fn named(&mut self, full: &Api, ext: &Api, f: &str, e: &str, at: &str) {
        if !self.seen.insert((f.to_owned(), e.to_owned())) {
            return;
        }
        let (Some(fd), Some(ed)) = (full.types.get(f), ext.types.get(e)) else {
            self.problems
                .push(format!("{at}: type {f} or {e} is missing"));
            return;
        };
        let at = format!("{at} > {f}");
        let (fe, mut ee) = (effective(full, fd), effective(ext, ed));
        // A struct that other operations of the full spec use in the other
        // direction is shared there (`view: None`); the extraction only
        // sees one direction.
        if let (TypeDef::Struct(a), TypeDef::Struct(b)) = (&fe, &mut ee) {
            if a.view.is_none() && b.view.is_some() {
                b.view = None;
            }
        }
        if fe != ee {
            self.problems
                .push(format!("{at}: differs:\nfull: {fe:#?}\nextracted: {ee:#?}"));
            return;
        }
        match (fd, ed) {
            (TypeDef::Struct(a), TypeDef::Struct(b)) => {
                for (x, y) in a.fields.iter().zip(&b.fields) {
                    self.ty(full, ext, &x.ty, &y.ty, &format!("{at}.{}", x.wire_name));
                }
            }
            (TypeDef::Union(a), TypeDef::Union(b)) => {
                for (x, y) in a.variants.iter().zip(&b.variants) {
                    self.ty(full, ext, &x.ty, &y.ty, &format!("{at}::{}", x.rust));
                }
            }
            (TypeDef::Wrapper(a), TypeDef::Wrapper(b)) => {
                self.ty(full, ext, &a.ty, &b.ty, &format!("{at}.0"))
            }
            _ => {}
        }
    }

    /// Pairs with different names: the same type numbered differently.
    fn renamed(&self) -> usize {
        self.seen.iter().filter(|(a, b)| a != b).count()
    }
}

fn blank_types(op: &mut Operation) {
    op.params.iter_mut().for_each(|p| p.ty = Type::Json);
    if let Some(b) = &mut op.body {
        b.ty = Type::Json;
    }
    for case in &mut op.success {
        if case.ty.is_some() {
            case.ty = Some(Type::Json);
        }
    }
    if op.success_type.is_some() {
        op.success_type = Some(Type::Json);
    }
    op.error_type = Type::Json;
}

/// Compares one operation (and every type and validated string it reaches)
/// between the full spec's IR and the extracted spec's IR. Returns the
/// differences and how many type names differ only by numbering.
fn compare_operation(full: &Api, ext: &Api, operation_id: &str) -> (Vec<String>, usize) {
    let find = |api: &Api| {
        api.operations
            .iter()
            .find(|o| o.operation_id == operation_id)
            .cloned()
    };
    let (Some(mut f), Some(mut e)) = (find(full), find(ext)) else {
        return (vec![format!("{operation_id}: missing from one IR")], 0);
    };
    let mut pairing = Pairing::default();
    for (x, y) in f.params.iter().zip(&e.params) {
        pairing.ty(
            full,
            ext,
            &x.ty,
            &y.ty,
            &format!("{operation_id} param {}", x.wire_name),
        );
    }
    if let (Some(x), Some(y)) = (&f.body, &e.body) {
        pairing.ty(full, ext, &x.ty, &y.ty, &format!("{operation_id} body"));
    }
    for (x, y) in f.success.iter().zip(&e.success) {
        if let (Some(a), Some(b)) = (&x.ty, &y.ty) {
            pairing.ty(full, ext, a, b, &format!("{operation_id} {}", x.status));
        }
    }
    if let (Some(a), Some(b)) = (&f.success_type, &e.success_type) {
        pairing.ty(full, ext, a, b, &format!("{operation_id} success"));
    }
    pairing.ty(
        full,
        ext,
        &f.error_type,
        &e.error_type,
        &format!("{operation_id} error"),
    );
    let mut problems = std::mem::take(&mut pairing.problems);
    blank_types(&mut f);
    blank_types(&mut e);
    if f != e {
        problems.push(format!(
            "{operation_id}: operation differs:\nfull: {f:#?}\nextracted: {e:#?}"
        ));
    }
    (problems, pairing.renamed())
}

/// Extracts `names` from the combined spec and checks everything the issue
/// asks for: it parses (after writing it as YAML), every `$ref` resolves,
/// nothing is unreferenced, and the generator IR of each operation matches
/// the full spec's.
fn check_extraction(names: &[String]) {
    let doc = combined();
    let extracted = extract(doc, names).unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(extracted.operations.len(), names.len());
    let file = Path::new("extracted.yaml");
    let text = to_yaml(file, &extracted.root).unwrap_or_else(|f| panic!("{f}"));
    let reread = parse_document(file, &text).unwrap_or_else(|f| panic!("{f}"));
    assert_eq!(reread.root, extracted.root, "the YAML does not round-trip");
    let problems = self_contained_problems(&reread.root);
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    let spec = atlas_codegen::load::parse(file, &text).unwrap_or_else(|f| panic!("{f}"));
    let ext = atlas_codegen::lower::lower(&spec)
        .unwrap_or_else(|f| panic!("the extracted spec does not lower:\n{f}"))
        .api;
    assert_eq!(ext.operations.len(), names.len());
    let full = combined_ir();
    let mut problems = Vec::new();
    let mut renamed = 0;
    for op in &extracted.operations {
        let id = op
            .operation_id
            .as_deref()
            .expect("Atlas operations have ids");
        let (p, r) = compare_operation(full, &ext, id);
        problems.extend(p);
        renamed += r;
    }
    eprintln!(
        "{} operation(s) compared with the full spec's IR, {renamed} type pair(s) named differently",
        names.len()
    );
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

fn owned(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn extract_create_backup_export() {
    check_extraction(&owned(&["createBackupExport"]));
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn extract_all_eight_backup_export_operations() {
    check_extraction(&owned(&BACKUP_EXPORT_OPS));
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn extract_a_sample_of_twenty_other_operations() {
    let mut names: Vec<String> = spec_tools::operations(&combined().root)
        .iter()
        .map(|e| e.short_name())
        .filter(|n| !BACKUP_EXPORT_OPS.contains(&n.as_str()))
        .collect();
    names.sort();
    names.dedup();
    // Every 27th name: spread over the whole spec, the same on every run.
    let step = names.len() / 20;
    let sample: Vec<String> = names.iter().step_by(step).take(20).cloned().collect();
    assert_eq!(sample.len(), 20);
    check_extraction(&sample);
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn extraction_matches_the_independent_fragment() {
    // SOURCES.md's fragments were cut by another tool: same paths and components.
    let extracted =
        extract(combined(), &owned(&BACKUP_EXPORT_OPS)).unwrap_or_else(|f| panic!("{f}"));
    let fragment = read_document(&specs_dir().join("backupExports-all-fragment.yaml"))
        .unwrap_or_else(|f| panic!("{f}"));
    for key in ["paths", "components", "tags", "servers", "security"] {
        assert_eq!(extracted.root[key], fragment.root[key], "{key} differs");
    }
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn unknown_names_suggest_the_closest() {
    let err = extract(combined(), &owned(&["createBackupExprt"])).expect_err("unknown");
    let text = err.to_string();
    assert!(
        text.contains("closest names: createBackupExport,"),
        "{text}"
    );
    assert!(
        text.contains("atlas-api-v2-combined.yaml at #/paths"),
        "{text}"
    );
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn diff_2024_08_05_to_combined_for_backup_exports() {
    let dir = specs_dir();
    let args: Vec<String> = ["diff", "OLD", "NEW"]
        .into_iter()
        .map(str::to_owned)
        .chain(
            BACKUP_EXPORT_OPS
                .iter()
                .flat_map(|n| ["--op".to_owned(), (*n).to_owned()]),
        )
        .collect();
    let mut command = parse_args(&args).expect("parses");
    if let xtask::spec::SpecCommand::Diff { old, new, .. } = &mut command {
        *old = dir.join("openapi-2024-08-05.yaml");
        *new = dir.join("atlas-api-v2-combined.yaml");
    }
    let outcome = run(&command, &workspace_root());
    assert_eq!(outcome.status, 0, "{}", outcome.stderr);
    let text = outcome
        .stdout
        .replace(&dir.display().to_string(), "$ATLAS_SPECS_DIR");
    insta::assert_snapshot!("diff_2024_08_05_to_combined_backup_exports", text);

    // The same report as JSON, failing on breaking changes.
    if let xtask::spec::SpecCommand::Diff {
        json,
        fail_on_breaking,
        ..
    } = &mut command
    {
        *json = true;
        *fail_on_breaking = true;
    }
    let outcome = run(&command, &workspace_root());
    assert_eq!(outcome.status, EXIT_BREAKING);
    let json: Value = serde_json::from_str(&outcome.stdout).expect("JSON report");
    assert!(json["counts"]["breaking"].as_u64() > Some(0));
    assert_eq!(
        json["changes"].as_array().map(Vec::len),
        Some(
            text.lines()
                .filter(|l| l.starts_with("  BREAKING") || l.starts_with("  ok"))
                .count()
        )
    );
}

// ----- spec update, on a copy of the workspace ------------------------------

/// A temporary workspace with copies of `spec/` and `generated/src/gen/`.
fn temp_workspace() -> tempfile::TempDir {
    let root = workspace_root();
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = |rel: &str| {
        let from = root.join(rel);
        let to = dir.path().join(rel);
        std::fs::create_dir_all(&to).expect("mkdir");
        for entry in std::fs::read_dir(&from).expect("read dir") {
            let entry = entry.expect("entry");
            if entry.path().is_file() {
                std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
            }
        }
    };
    copy("spec");
    copy("generated/src/gen");
    std::fs::copy(
        root.join("generated/Cargo.toml"),
        dir.path().join("generated/Cargo.toml"),
    )
    .expect("copy the generated crate's manifest");
    // Bring the copy's generated code up to date with today's generator first.
    let args = xtask::CodegenArgs::defaults(dir.path());
    if let Err(report) = xtask::codegen(&args, dir.path()) {
        panic!("{report}");
    }
    dir
}

fn update(root: &Path, from: &Path, extra: &[&str]) -> Outcome {
    let mut args = vec![
        "update".to_owned(),
        "--from".to_owned(),
        from.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    run(&parse_args(&args).expect("parses"), root)
}

fn checked_in_spec() -> String {
    std::fs::read_to_string(workspace_root().join(xtask::DEFAULT_SPEC)).expect("read spec/")
}

#[test]
fn update_from_our_own_spec_changes_nothing_but_the_layout() {
    let before = checked_in_spec();
    let ws = temp_workspace();
    let upstream = ws.path().join("upstream.yaml");
    std::fs::write(&upstream, &before).expect("write");
    let outcome = update(ws.path(), &upstream, &[]);
    assert_eq!(outcome.status, 0, "{}{}", outcome.stdout, outcome.stderr);
    assert!(outcome.stdout.contains("no changes"), "{}", outcome.stdout);
    // The rewritten spec means the same and generates the same code.
    let written = std::fs::read_to_string(ws.path().join(xtask::DEFAULT_SPEC)).expect("read");
    let a = parse_document(Path::new("a"), &before).expect("parses");
    let b = parse_document(Path::new("b"), &written).expect("parses");
    assert_eq!(a.root, b.root);
    assert!(
        outcome.stderr.contains("already up to date"),
        "{}",
        outcome.stderr
    );
    assert_eq!(checked_in_spec(), before, "spec/ must never be touched");
}

#[test]
fn update_refuses_breaking_changes_when_asked_and_writes_nothing() {
    let ws = temp_workspace();
    let spec_path = ws.path().join(xtask::DEFAULT_SPEC);
    let original = std::fs::read_to_string(&spec_path).expect("read");
    let upstream = ws.path().join("upstream.yaml");
    // Upstream drops the enum value `Queued` from the export job's state.
    let queued = "\n            - Queued\n";
    assert!(original.contains(queued), "the test needs the Queued state");
    std::fs::write(&upstream, original.replacen(queued, "\n", 1)).expect("write");
    let refused = update(ws.path(), &upstream, &["--fail-on-breaking"]);
    assert_eq!(
        refused.status, EXIT_BREAKING,
        "{}{}",
        refused.stdout, refused.stderr
    );
    assert!(
        refused
            .stdout
            .contains("BREAKING field `state`: enum value `Queued` removed"),
        "{}",
        refused.stdout
    );
    assert!(
        refused.stderr.contains("nothing was written"),
        "{}",
        refused.stderr
    );
    assert_eq!(std::fs::read_to_string(&spec_path).expect("read"), original);

    let dry = update(ws.path(), &upstream, &["--dry-run", "--json"]);
    assert_eq!(dry.status, 0);
    let json: Value = serde_json::from_str(&dry.stdout).expect("json");
    assert_eq!(json["counts"]["breaking"], 1);
    assert_eq!(std::fs::read_to_string(&spec_path).expect("read"), original);

    // Without the flag the update goes through and regenerates the code.
    let done = update(ws.path(), &upstream, &[]);
    assert_eq!(done.status, 0, "{}{}", done.stdout, done.stderr);
    assert!(
        done.stderr.contains("wrote spec/atlas-admin-api.yaml"),
        "{}",
        done.stderr
    );
    assert!(
        done.stderr.contains("wrote generated/src/gen"),
        "{}",
        done.stderr
    );
    let models =
        std::fs::read_to_string(ws.path().join("generated/src/gen/models/mod.rs")).expect("read");
    assert!(
        !models.contains("\"Queued\""),
        "the regenerated code still has Queued"
    );
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn update_from_the_combined_spec_on_a_copy() {
    let before = checked_in_spec();
    let ws = temp_workspace();
    let outcome = update(ws.path(), &combined_path(), &[]);
    assert_eq!(outcome.status, 0, "{}{}", outcome.stdout, outcome.stderr);
    assert!(
        outcome.stderr.contains("extracted 8 operation(s)"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome.stderr.contains("wrote generated/src/gen"),
        "{}",
        outcome.stderr
    );
    // spec/ now holds exactly the upstream extraction of the eight
    // backup-export operations it ships.
    let written = read_document(&ws.path().join(xtask::DEFAULT_SPEC)).expect("reads");
    let expected = extract(combined(), &owned(&BACKUP_EXPORT_OPS)).expect("extracts");
    assert_eq!(written.root, expected.root);
    assert_eq!(checked_in_spec(), before, "spec/ must never be touched");
    // Running it again finds nothing to do.
    let again = update(ws.path(), &combined_path(), &[]);
    assert!(again.stdout.contains("no changes"), "{}", again.stdout);
}

#[test]
fn the_ir_comparison_notices_a_changed_field() {
    let path = workspace_root().join(xtask::DEFAULT_SPEC);
    let text = std::fs::read_to_string(&path).expect("read spec/");
    let lower = |text: &str| {
        let spec = atlas_codegen::load::parse(&path, text).unwrap_or_else(|f| panic!("{f}"));
        atlas_codegen::lower::lower(&spec)
            .unwrap_or_else(|f| panic!("{f}"))
            .api
    };
    let id = "createGroupClusterBackupExport";
    let same = lower(&text);
    assert_eq!(compare_operation(&same, &same, id), (vec![], 0));
    let changed = lower(&text.replacen("            - Queued\n", "", 1));
    let (problems, _) = compare_operation(&same, &changed, id);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(problems[0].contains("Queued"), "{}", problems[0]);
}

// ----- the API version pin: spec diff and codegen read the same schema -----

/// One operation offering two dated versions whose response schemas differ
/// (`ThingV1` until 2024-05-30, `ThingV2` from then).
const TWO_VERSIONS: &str = r##"
openapi: 3.0.1
info: {title: t, version: "1"}
paths:
  /things/{id}:
    get:
      operationId: getThing
      tags: [Things]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: {$ref: '#/components/schemas/ThingV1'}
            application/vnd.atlas.2024-05-30+json:
              schema: {$ref: '#/components/schemas/ThingV2'}
components:
  schemas:
    ThingV1:
      type: object
      properties:
        name: {type: string}
    ThingV2:
      type: object
      properties:
        title: {type: string}
"##;

#[test]
fn spec_diff_and_codegen_read_the_same_version_for_a_pin() {
    let dir = tempfile::tempdir().expect("temp dir");
    let old = dir.path().join("old.yaml");
    let new = dir.path().join("new.yaml");
    std::fs::write(&old, TWO_VERSIONS).expect("write old");
    // Each version's schema gains a field.
    let changed = TWO_VERSIONS
        .replace(
            "        name: {type: string}\n",
            "        name: {type: string}\n        size: {type: integer}\n",
        )
        .replace(
            "        title: {type: string}\n",
            "        title: {type: string}\n        label: {type: string}\n",
        );
    assert_ne!(changed, TWO_VERSIONS);
    std::fs::write(&new, &changed).expect("write new");
    for (pin, read, unread, field) in [
        ("2023-01-01", "ThingV1", "ThingV2", "size"),
        ("2024-01-01", "ThingV1", "ThingV2", "size"),
        ("2024-05-30", "ThingV2", "ThingV1", "label"),
        ("latest", "ThingV2", "ThingV1", "label"),
        ("preview", "ThingV2", "ThingV1", "label"),
    ] {
        // `spec diff --api-version PIN`: the type of that version changed.
        let args: Vec<String> = ["diff", "OLD", "NEW", "--api-version", pin, "--json"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        let mut command = parse_args(&args).expect("parses");
        if let xtask::spec::SpecCommand::Diff { old: o, new: n, .. } = &mut command {
            o.clone_from(&old);
            n.clone_from(&new);
        }
        let outcome = run(&command, &workspace_root());
        assert_eq!(outcome.status, 0, "{pin}: {}", outcome.stderr);
        let report: Value = serde_json::from_str(&outcome.stdout).expect("JSON report");
        let changes: Vec<(String, String, String)> = report["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .map(|c| {
                (
                    c["subject"]["name"].as_str().unwrap_or_default().to_owned(),
                    c["kind"].as_str().unwrap_or_default().to_owned(),
                    c["location"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            changes,
            [(
                read.to_owned(),
                "field-added".to_owned(),
                format!("field `{field}`")
            )],
            "spec diff --api-version {pin}"
        );

        // `codegen --api-version PIN`: the same type, with that field.
        let out = dir.path().join(format!("gen-{pin}"));
        let args = xtask::CodegenArgs {
            spec: new.clone(),
            out: out.clone(),
            version: pin.parse().expect("pin"),
            ..xtask::CodegenArgs::defaults(dir.path())
        };
        xtask::codegen(&args, dir.path()).unwrap_or_else(|e| panic!("codegen {pin}: {e}"));
        let mut code = String::new();
        for file in ["models/mod.rs", "models/things.rs", "operations/things.rs"] {
            code.push_str(&std::fs::read_to_string(out.join(file)).unwrap_or_default());
        }
        assert!(
            code.contains(&format!("pub struct {read} {{")),
            "codegen --api-version {pin} does not generate {read}:\n{code}"
        );
        assert!(
            code.contains(&format!("pub {field}: Option<")),
            "codegen --api-version {pin}: no field {field}"
        );
        assert!(
            !code.contains(&format!("struct {unread}")),
            "codegen --api-version {pin} generates {unread}"
        );
    }
}
