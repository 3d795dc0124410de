//! `cargo xtask spec add` and `spec remove` on a temporary workspace whose
//! `spec/` is a small fixture of ours, with a fixture upstream (both
//! written here): shared components stay ours, unknown names and tags fail
//! with the closest ones and write nothing, a tag adds all its operations,
//! and removing what was added gives back the spec we had.

use std::path::Path;

use atlas_codegen::spec_tools::parse_document;
use xtask::spec::{parse_args, run, Outcome};

const OURS: &str = r#"openapi: 3.0.1
info: { title: Widgets (ours), version: '2.0' }
tags:
  - { name: Widgets, description: Our words for widgets. }
paths:
  /api/atlas/v2/widgets:
    get:
      operationId: listWidgets
      tags: [Widgets]
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: { type: array, items: { $ref: '#/components/schemas/Widget' } }
        '400': { $ref: '#/components/responses/badRequest' }
components:
  responses:
    badRequest:
      description: Bad request (our wording).
      content:
        application/json:
          schema: { $ref: '#/components/schemas/ApiError' }
  schemas:
    Widget:
      type: object
      description: A widget, as we describe it.
      properties:
        id: { type: string }
        name: { type: string }
    ApiError:
      type: object
      properties:
        detail: { type: string }
        errorCode: { type: string }
"#;

const UPSTREAM: &str = r#"openapi: 3.0.1
info: { title: Widgets (upstream), version: '2.0' }
tags:
  - { name: Widgets, description: Upstream words for widgets. }
  - { name: Gadgets, description: Gadgets. }
paths:
  /api/atlas/v2/widgets:
    parameters: [{ $ref: '#/components/parameters/envelope' }]
    get:
      operationId: listWidgets
      tags: [Widgets]
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: { type: array, items: { $ref: '#/components/schemas/Widget' } }
        '400': { $ref: '#/components/responses/badRequest' }
    post:
      operationId: createWidget
      tags: [Widgets]
      requestBody:
        required: true
        content:
          application/vnd.atlas.2023-01-01+json:
            schema: { $ref: '#/components/schemas/Widget' }
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: { $ref: '#/components/schemas/Widget' }
        '400': { $ref: '#/components/responses/badRequest' }
  /api/atlas/v2/widgets/{widgetId}:
    get:
      operationId: getWidget
      tags: [Widgets]
      parameters: [{ $ref: '#/components/parameters/widgetId' }]
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: { $ref: '#/components/schemas/WidgetDetail' }
        '400': { $ref: '#/components/responses/badRequest' }
  /api/atlas/v2/gadgets:
    post:
      operationId: createGadget
      tags: [Gadgets]
      requestBody:
        required: true
        content:
          application/vnd.atlas.2023-01-01+json:
            schema: { $ref: '#/components/schemas/Gadget' }
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: { $ref: '#/components/schemas/Gadget' }
        '400': { $ref: '#/components/responses/badRequest' }
  /api/atlas/v2/gadgets/{gadgetId}:
    delete:
      operationId: deleteGadget
      tags: [Gadgets]
      parameters:
        - { name: gadgetId, in: path, required: true, schema: { type: string, pattern: '^[a-f0-9]{24}$' } }
      responses:
        '204': { description: gone }
        '400': { $ref: '#/components/responses/badRequest' }
components:
  parameters:
    widgetId: { name: widgetId, in: path, required: true, schema: { type: string } }
    envelope: { name: envelope, in: query, schema: { type: boolean } }
  responses:
    badRequest:
      description: Bad request (upstream wording).
      content:
        application/json:
          schema: { $ref: '#/components/schemas/ApiError' }
  schemas:
    Widget:
      type: object
      description: A widget, as upstream describes it.
      properties:
        id: { type: string }
        name: { type: string }
        colour: { type: string }
    WidgetDetail:
      type: object
      properties:
        widget: { $ref: '#/components/schemas/Widget' }
        shade: { $ref: '#/components/schemas/Shade' }
    Shade: { type: string, enum: [LIGHT, DARK] }
    Gadget:
      type: object
      properties:
        id: { type: string, readOnly: true }
        size: { type: integer }
    ApiError:
      type: object
      properties:
        detail: { type: string }
        errorCode: { type: string }
"#;

/// A workspace with our fixture as `spec/`, the generated crate's
/// manifest, the upstream fixture beside it, and code generated from ours.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("spec")).expect("mkdir");
    std::fs::create_dir_all(root.join("generated/src/gen")).expect("mkdir");
    std::fs::write(root.join(xtask::DEFAULT_SPEC), OURS).expect("write spec");
    std::fs::write(root.join("upstream.yaml"), UPSTREAM).expect("write upstream");
    std::fs::copy(
        atlas_tests::workspace_root().join("generated/Cargo.toml"),
        root.join("generated/Cargo.toml"),
    )
    .expect("copy the manifest");
    if let Err(report) = xtask::codegen(&xtask::CodegenArgs::defaults(root), root) {
        panic!("{report}");
    }
    dir
}

fn spec_cmd(root: &Path, args: &[&str]) -> Outcome {
    let mut list: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    if list[0] == "add" {
        list.insert(1, "--from".into());
        list.insert(2, root.join("upstream.yaml").display().to_string());
    }
    run(&parse_args(&list).expect("parses"), root)
}

fn spec_of(root: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(root.join(xtask::DEFAULT_SPEC)).expect("read");
    parse_document(Path::new("spec.yaml"), &text)
        .expect("parses")
        .root
}

fn generated(root: &Path, file: &str) -> String {
    std::fs::read_to_string(root.join("generated/src/gen").join(file)).unwrap_or_default()
}

#[test]
fn an_added_operation_brings_what_it_needs_and_keeps_what_we_had() {
    let ws = workspace();
    let root = ws.path();
    let outcome = spec_cmd(root, &["add", "--op", "getWidget"]);
    assert_eq!(outcome.status, 0, "{}{}", outcome.stdout, outcome.stderr);
    // The change report says what the crate gains.
    assert!(outcome.stdout.contains("getWidget"), "{}", outcome.stdout);
    assert!(
        outcome
            .stderr
            .contains("added 1 operation(s) (getWidget) and 3 component(s)"),
        "{}",
        outcome.stderr
    );
    assert!(
        outcome
            .stderr
            .contains("kept as they are 3 component(s) the spec already had (responses/badRequest, schemas/ApiError, schemas/Widget)"),
        "{}",
        outcome.stderr
    );
    let spec = spec_of(root);
    let schemas = &spec["components"]["schemas"];
    // Ours, word for word, where both have it; upstream's colour is not in.
    assert_eq!(
        schemas["Widget"]["description"],
        "A widget, as we describe it."
    );
    assert!(schemas["Widget"]["properties"].get("colour").is_none());
    assert_eq!(
        spec["components"]["responses"]["badRequest"]["description"],
        "Bad request (our wording)."
    );
    assert_eq!(spec["tags"][0]["description"], "Our words for widgets.");
    for new in ["WidgetDetail", "Shade"] {
        assert!(schemas.get(new).is_some(), "{new} missing: {schemas}");
    }
    assert!(spec["components"]["parameters"].get("widgetId").is_some());
    assert!(spec["paths"]["/api/atlas/v2/widgets/{widgetId}"]
        .get("get")
        .is_some());
    assert!(generated(root, "operations/widgets.rs").contains("pub fn widget_id("));

    // Adding it again is refused, and nothing changes.
    let before = std::fs::read_to_string(root.join(xtask::DEFAULT_SPEC)).expect("read");
    let again = spec_cmd(root, &["add", "--op", "getWidget"]);
    assert_eq!(again.status, 1);
    assert!(
        again.stderr.contains("is already in this spec"),
        "{}",
        again.stderr
    );
    assert!(
        again.stderr.contains("nothing was written"),
        "{}",
        again.stderr
    );
    assert_eq!(
        std::fs::read_to_string(root.join(xtask::DEFAULT_SPEC)).expect("read"),
        before
    );

    // Removing it gives back what we had: the same document.
    let removed = spec_cmd(root, &["remove", "--op", "getWidget"]);
    assert_eq!(removed.status, 0, "{}{}", removed.stdout, removed.stderr);
    assert!(
        removed
            .stderr
            .contains("removed 1 operation(s) (getWidget) and 3 component(s)"),
        "{}",
        removed.stderr
    );
    let ours = parse_document(Path::new("ours.yaml"), OURS)
        .expect("parses")
        .root;
    assert_eq!(spec_of(root), ours);
    assert!(!generated(root, "operations/widgets.rs").contains("pub fn widget_id("));
}

#[test]
fn unknown_names_and_tags_fail_with_the_closest_and_write_nothing() {
    let ws = workspace();
    let root = ws.path();
    let before = std::fs::read_to_string(root.join(xtask::DEFAULT_SPEC)).expect("read");
    let code = generated(root, "operations/widgets.rs");
    let outcome = spec_cmd(root, &["add", "--op", "getWidgit"]);
    assert_eq!(outcome.status, 1);
    assert!(
        outcome.stderr.contains("no operation named `getWidgit`")
            && outcome.stderr.contains("closest names: getWidget"),
        "{}",
        outcome.stderr
    );
    assert!(outcome
        .stderr
        .contains("spec add failed; nothing was written"));
    let tag = spec_cmd(root, &["add", "--tag", "Gadget"]);
    assert_eq!(tag.status, 1);
    assert!(
        tag.stderr
            .contains("no operation is tagged `Gadget`; closest tags: Gadgets"),
        "{}",
        tag.stderr
    );
    let remove = spec_cmd(root, &["remove", "--op", "listWidget"]);
    assert_eq!(remove.status, 1);
    assert!(
        remove.stderr.contains("closest names: listWidgets"),
        "{}",
        remove.stderr
    );
    // Removing the last operation is refused.
    let last = spec_cmd(root, &["remove", "--op", "listWidgets"]);
    assert_eq!(last.status, 1);
    assert!(
        last.stderr.contains("would leave the spec with none"),
        "{}",
        last.stderr
    );
    assert_eq!(
        std::fs::read_to_string(root.join(xtask::DEFAULT_SPEC)).expect("read"),
        before
    );
    assert_eq!(generated(root, "operations/widgets.rs"), code);
}

#[test]
fn a_tag_adds_each_of_its_operations_and_the_tag() {
    let ws = workspace();
    let root = ws.path();
    let dry = spec_cmd(root, &["add", "--tag", "Gadgets", "--dry-run"]);
    assert_eq!(dry.status, 0, "{}", dry.stderr);
    assert!(dry.stderr.contains("--dry-run: nothing was written"));
    assert!(spec_of(root)["paths"]
        .get("/api/atlas/v2/gadgets")
        .is_none());

    let outcome = spec_cmd(root, &["add", "--tag", "Gadgets"]);
    assert_eq!(outcome.status, 0, "{}{}", outcome.stdout, outcome.stderr);
    assert!(
        outcome
            .stderr
            .contains("added 2 operation(s) (createGadget, deleteGadget)"),
        "{}",
        outcome.stderr
    );
    let spec = spec_of(root);
    let tags: Vec<&str> = spec["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(tags, ["Widgets", "Gadgets"]);
    assert!(spec["components"]["schemas"].get("Gadget").is_some());
    let gadgets = generated(root, "operations/gadgets.rs");
    assert!(gadgets.contains("pub struct CreateGadget"), "{gadgets}");
    assert!(gadgets.contains("pub struct DeleteGadget"), "{gadgets}");

    // Removing both takes the tag and their components out again.
    let removed = spec_cmd(
        root,
        &["remove", "--op", "createGadget", "--op", "deleteGadget"],
    );
    assert_eq!(removed.status, 0, "{}", removed.stderr);
    let ours = parse_document(Path::new("ours.yaml"), OURS)
        .expect("parses")
        .root;
    assert_eq!(spec_of(root), ours);
}

#[test]
fn an_operation_joining_a_path_we_have_leaves_its_operations_alone() {
    let ws = workspace();
    let root = ws.path();
    let outcome = spec_cmd(root, &["add", "--op", "createWidget"]);
    assert_eq!(outcome.status, 0, "{}{}", outcome.stdout, outcome.stderr);
    let spec = spec_of(root);
    let item = &spec["paths"]["/api/atlas/v2/widgets"];
    // Upstream's path-level parameter is the new operation's own; the path
    // item and the operation we had are as they were.
    assert!(item.get("parameters").is_none(), "{item}");
    let ours = parse_document(Path::new("ours.yaml"), OURS)
        .expect("parses")
        .root;
    assert_eq!(item["get"], ours["paths"]["/api/atlas/v2/widgets"]["get"]);
    assert_eq!(
        item["post"]["parameters"],
        serde_json::json!([{ "$ref": "#/components/parameters/envelope" }])
    );
    assert!(spec["components"]["parameters"].get("envelope").is_some());
    let widgets = generated(root, "operations/widgets.rs");
    assert!(widgets.contains("pub struct CreateWidget"), "{widgets}");

    let removed = spec_cmd(root, &["remove", "--op", "createWidget"]);
    assert_eq!(removed.status, 0, "{}", removed.stderr);
    assert_eq!(spec_of(root), ours);
}
