//! Tests of the module above.

use super::*;
use crate::diag::Severity;
use serde_json::json;

fn overlay(text: &str) -> Overlay {
    parse(Path::new("o.yaml"), text).unwrap_or_else(|f| panic!("{f}"))
}

fn errors(text: &str) -> Vec<Diagnostic> {
    parse(Path::new("o.yaml"), text)
        .expect_err("malformed")
        .diagnostics
}

/// One overlay of `actions` (YAML list items) applied to `doc`.
fn run(doc: &mut Value, actions: &str) -> Result<Vec<Diagnostic>, Failure> {
    let o = overlay(&format!(
        "overlay: 1.0.0\ninfo: {{title: t, version: 1.0.0}}\nactions:\n{actions}"
    ));
    apply(doc, &o, Path::new("spec.yaml"))
}

fn applied(mut doc: Value, actions: &str) -> Value {
    let warnings = run(&mut doc, actions).unwrap_or_else(|f| panic!("{f}"));
    assert!(warnings.is_empty(), "{warnings:?}");
    doc
}

/// A spec shaped like the Atlas one, for the JSONPath forms its overlays use.
fn atlas_like() -> Value {
    json!({
        "openapi": "3.0.1",
        "components": {"parameters": {"groupId": {"name": "groupId", "in": "path"}}},
        "paths": {
            "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}": {
                "get": {"parameters": [
                    {"$ref": "#/components/parameters/groupId"},
                    {"name": "clusterName", "in": "path"}
                ]},
                "patch": {"parameters": [
                    {"$ref": "#/components/parameters/groupId"},
                    {"name": "clusterName", "in": "path"}
                ], "requestBody": {"content": {
                    "application/vnd.atlas.2024-10-23+json": {"schema": {}}
                }}},
                "delete": {"parameters": [{"$ref": "#/components/parameters/groupId"}]}
            },
            "/api/atlas/v2/groups/{groupId}/search": {
                "post": {"operationId": "a"},
                "patch": {"operationId": "b"},
                "delete": {"operationId": "c"}
            }
        }
    })
}

#[test]
fn update_merges_objects_recursively() {
    let doc = applied(
        json!({"a": {"keep": 1, "inner": {"x": 1, "y": 2}, "s": "old"}}),
        "  - target: $.a\n    update: {inner: {y: 3, z: 4}, s: new, added: [1]}\n",
    );
    assert_eq!(
        doc,
        json!({"a": {"keep": 1, "inner": {"x": 1, "y": 3, "z": 4}, "s": "new", "added": [1]}})
    );
}

#[test]
fn update_appends_to_arrays() {
    // Nested arrays are concatenated; an array target takes the update's
    // items, or the update itself as one item.
    let doc = applied(
        json!({"a": {"tags": ["x"]}, "list": [1]}),
        "  - target: $.a\n    update: {tags: [y, z]}\n  - target: $.list\n    update: [2, 3]\n  - target: $.list\n    update: {n: 4}\n",
    );
    assert_eq!(
        doc,
        json!({"a": {"tags": ["x", "y", "z"]}, "list": [1, 2, 3, {"n": 4}]})
    );
}

#[test]
fn update_replaces_scalars() {
    let doc = applied(
        json!({"a": {"n": 1, "b": true, "o": {"k": 1}}, "s": "x"}),
        "  - target: $.a\n    update: {n: 2, b: null, o: scalar}\n  - target: $.s\n    update: y\n",
    );
    assert_eq!(
        doc,
        json!({"a": {"n": 2, "b": null, "o": "scalar"}, "s": "y"})
    );
}

#[test]
fn remove_takes_nodes_out_of_their_parents() {
    let doc = applied(
        json!({"a": {"drop": 1, "keep": 2}, "list": [0, 1, 2, 3, 4], "nested": {"x": {"y": 1}}}),
        "  - target: $.a.drop\n    remove: true\n  - target: $.list[1,3]\n    remove: true\n  - target: $..x\n    remove: true\n",
    );
    assert_eq!(
        doc,
        json!({"a": {"keep": 2}, "list": [0, 2, 4], "nested": {}})
    );
    // A node and one inside it, selected together.
    let doc = applied(
        json!({"a": {"b": {"b": 1}}}),
        "  - target: $..b\n    remove: true\n",
    );
    assert_eq!(doc, json!({"a": {}}));
    // `remove: true` wins over `update`.
    let doc = applied(
        json!({"a": 1, "b": 2}),
        "  - target: $.a\n    update: 5\n    remove: true\n",
    );
    assert_eq!(doc, json!({"b": 2}));
}

#[test]
fn actions_see_the_results_of_earlier_ones() {
    let doc = applied(
        json!({"a": {}}),
        "  - target: $.a\n    update: {b: {c: 1}}\n  - target: $.a.b\n    update: {d: 2}\n",
    );
    assert_eq!(doc, json!({"a": {"b": {"c": 1, "d": 2}}}));
}

#[test]
fn a_target_that_selects_nothing_is_a_warning() {
    let mut doc = json!({"a": {}});
    let before = doc.clone();
    let warnings = run(
        &mut doc,
        "  - target: $.a\n    update: {}\n  - target: $.missing\n    update: {x: 1}\n",
    )
    .expect("applies");
    assert_eq!(doc, before);
    assert_eq!(warnings.len(), 1);
    let w = &warnings[0];
    assert_eq!((w.severity, w.code), (Severity::Warning, Some(NO_MATCH)));
    assert_eq!(w.file, Path::new("o.yaml"));
    assert_eq!(w.pointer.to_string(), "#/actions/1/target");
    assert!(w.message.contains("$.missing"), "{}", w.message);
}

#[test]
fn jsonpath_forms_of_the_atlas_cli_overlays() {
    let ext = "    update: {x-hit: 1}\n";
    let count = |doc: &Value| doc.to_string().matches("\"x-hit\"").count();
    // Name selectors in brackets and dots.
    let doc = applied(
        atlas_like(),
        &format!("  - target: $.paths['/api/atlas/v2/groups/{{groupId}}/clusters/{{clusterName}}'].patch\n{ext}"),
    );
    assert_eq!(
        doc["paths"]["/api/atlas/v2/groups/{groupId}/clusters/{clusterName}"]["patch"]["x-hit"],
        1
    );
    assert_eq!(count(&doc), 1);
    // A union of names.
    let doc = applied(
        atlas_like(),
        &format!(
            "  - target: $.paths['/api/atlas/v2/groups/{{groupId}}/search']['post','patch']\n{ext}"
        ),
    );
    let search = &doc["paths"]["/api/atlas/v2/groups/{groupId}/search"];
    assert_eq!(
        (&search["post"]["x-hit"], &search["patch"]["x-hit"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(count(&doc), 2);
    // Filters on `$ref` and on `name`, after a name selector.
    let doc = applied(
        atlas_like(),
        &format!("  - target: $.paths['/api/atlas/v2/groups/{{groupId}}/clusters/{{clusterName}}'].get.parameters[?(@['$ref'] == '#/components/parameters/groupId')]\n{ext}  - target: $.paths['/api/atlas/v2/groups/{{groupId}}/clusters/{{clusterName}}'].get.parameters[?(@['name'] == 'clusterName')]\n    update: {{x-other: 2}}\n"),
    );
    let params =
        &doc["paths"]["/api/atlas/v2/groups/{groupId}/clusters/{clusterName}"]["get"]["parameters"];
    assert_eq!(params[0]["x-hit"], 1);
    assert_eq!(params[1]["x-other"], 2);
    assert_eq!(count(&doc), 1);
    // Wildcards with a filter: every use of the parameter.
    let doc = applied(
        atlas_like(),
        &format!("  - target: $.paths.*.*.parameters[?(@['$ref'] == '#/components/parameters/groupId')]\n{ext}"),
    );
    assert_eq!(count(&doc), 3);
    // A name with `+` and `.` in brackets.
    let doc = applied(
        atlas_like(),
        &format!("  - target: $.paths['/api/atlas/v2/groups/{{groupId}}/clusters/{{clusterName}}'].patch.requestBody.content['application/vnd.atlas.2024-10-23+json']\n{ext}"),
    );
    assert_eq!(count(&doc), 1);
    // A component.
    let doc = applied(
        atlas_like(),
        &format!("  - target: $.components.parameters.groupId\n{ext}"),
    );
    assert_eq!(doc["components"]["parameters"]["groupId"]["x-hit"], 1);
}

#[test]
fn the_same_node_selected_twice_is_updated_once() {
    let doc = applied(
        json!({"a": {"l": []}}),
        "  - target: $['a','a']\n    update: {l: [1]}\n",
    );
    assert_eq!(doc, json!({"a": {"l": [1]}}));
}

#[test]
fn update_of_an_object_with_a_non_object_is_an_error() {
    for bad in ["[1]", "5", "null", "text"] {
        let mut doc = json!({"a": {}});
        let failure = run(
            &mut doc,
            &format!(
                "  - target: $.missing\n    update: {{}}\n  - target: $.a\n    update: {bad}\n"
            ),
        )
        .expect_err("not an object");
        let e = &failure.diagnostics[0];
        assert_eq!(e.severity, Severity::Error);
        assert_eq!(e.pointer.to_string(), "#/actions/1/update");
        assert!(e.message.contains("must be an object"), "{}", e.message);
        // The warning collected before is kept.
        assert_eq!(failure.diagnostics[1].code, Some(NO_MATCH));
    }
}

#[test]
fn removing_the_root_is_an_error() {
    let failure = run(&mut json!({}), "  - target: $\n    remove: true\n").expect_err("root");
    assert_eq!(
        failure.diagnostics[0].pointer.to_string(),
        "#/actions/0/target"
    );
}

#[test]
fn malformed_overlays_are_errors_with_pointers() {
    let cases: &[(&str, &str, &str)] = &[
        ("actions: [\n", "#", "YAML syntax error"),
        ("- 1\n", "#", "expected an Overlay document"),
        ("openapi: 3.0.1\n", "#", "OpenAPI document, not an Overlay"),
        ("overlay: 2.0.0\ninfo: {title: t, version: v}\nactions: [{target: $, update: {}}]\n", "#/overlay", "unsupported Overlay version"),
        ("overlay: 1.0.0\ninfo: {title: t}\nactions: [{target: $, update: {}}]\n", "#/info", "no `version`"),
        ("overlay: 1.0.0\ninfo: {title: t, version: v}\n", "#", "no `actions`"),
        ("overlay: 1.0.0\ninfo: {title: t, version: v}\nactions: []\n", "#/actions", "at least one"),
        ("overlay: 1.0.0\ninfo: {title: t, version: v}\nactions: {}\n", "#/actions", "expected a list"),
        ("overlay: 1.0.0\ninfo: {title: t, version: v}\nactions: [{update: {}}]\n", "#/actions/0", "no `target`"),
        ("overlay: 1.0.0\ninfo: {title: t, version: v}\nactions: [{target: $}, {target: $, update: {}}]\n", "#/actions/0", "neither `update` nor `remove: true`"),
        ("overlay: 1.0.0\ninfo: {title: t, version: v}\nactions: [{target: '$.paths[?(@.x ==]', update: {}}]\n", "#/actions/0/target", "not a valid JSONPath"),
        ("overlay: 1.0.0\ninfo: {title: t, version: v}\nactions: [{target: 'paths.x', update: {}}]\n", "#/actions/0/target", "not a valid JSONPath"),
        ("overlay: 1.0.0\ninfo: {title: t, version: v}\nactions: [{target: 5, update: {}}]\n", "#/actions/0/target", "expected a JSONPath"),
        ("overlay: 1.0.0\ninfo: {title: t, version: v}\nactions: [{target: $, remove: yes}]\n", "#/actions/0/remove", "expected `true` or `false`"),
        ("overlay: 1.0.0\ninfo: {title: t, version: v}\nactions: [{target: $, updates: {}}]\n", "#/actions/0/updates", "unknown field"),
        ("overlay: 1.0.0\ninfo: {title: t, version: v}\nacts: []\nactions: [{target: $, update: {}}]\n", "#/acts", "unknown field"),
    ];
    for (text, pointer, message) in cases {
        let found = errors(text);
        assert!(
            found.iter().any(|d| d.severity == Severity::Error
                && d.file == Path::new("o.yaml")
                && d.pointer.to_string() == *pointer
                && d.message.contains(message)),
            "{text:?}: expected {pointer} {message:?}, found {found:#?}"
        );
    }
    // Syntax errors carry a line and column.
    assert_eq!(
        errors("overlay: 1.0.0\nactions: [\n")[0]
            .line_col
            .map(|(l, _)| l),
        Some(3)
    );
    // Every bad action is reported, not only the first.
    let found = errors("overlay: 1.0.0\ninfo: {title: t, version: v}\nactions: [{target: 1, update: {}}, {target: $}]\n");
    assert_eq!(found.len(), 2, "{found:#?}");
}

#[test]
fn extensions_and_descriptions_are_accepted() {
    let o = overlay("overlay: 1.0.0\ninfo: {title: T, version: '2', x-a: 1}\nx-top: 1\nextends: spec.yaml\nactions:\n  - target: $.a\n    description: why\n    x-note: 1\n    update: {b: 1}\n");
    assert_eq!((o.title.as_str(), o.version.as_str()), ("T", "2"));
    assert_eq!(o.extends.as_deref(), Some("spec.yaml"));
    assert_eq!(o.actions[0].description.as_deref(), Some("why"));
    assert_eq!(o.actions[0].kind, ActionKind::Update(json!({"b": 1})));
}

#[test]
fn directories_expand_to_their_overlay_files_in_name_order() {
    let dir = std::env::temp_dir().join(format!("overlay-expand-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub.yaml")).expect("mkdir");
    for name in [
        "b.yml",
        "a.yaml",
        "c.JSON",
        "notes.txt",
        "10.yaml",
        "2.yaml",
    ] {
        std::fs::write(dir.join(name), "").expect("write");
    }
    let single = PathBuf::from("single.yaml");
    let found = expand(&[dir.clone(), single.clone()]).expect("expands");
    let names: Vec<_> = found
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(
        names,
        [
            "10.yaml",
            "2.yaml",
            "a.yaml",
            "b.yml",
            "c.JSON",
            "single.yaml"
        ]
    );
    assert_eq!(found.last(), Some(&single));
    let _ = std::fs::remove_dir_all(&dir);
}
