//! Tests of the module above.

use super::*;
use crate::diag::Severity;
use serde_json::json;

fn at() -> Pointer {
    Pointer::root().join("paths").join("/x").join("post")
}

fn ok(value: Value) -> Read {
    from_extensions(
        &json!({ extensions::ATLASCLI: value }),
        Path::new("s.yaml"),
        &at(),
    )
    .unwrap_or_else(|f| panic!("{f}"))
    .expect("present")
}

fn errors(value: Value) -> Vec<Diagnostic> {
    read(
        &value,
        Path::new("s.yaml"),
        &at().join(extensions::ATLASCLI),
    )
    .expect_err("malformed")
    .diagnostics
}

#[test]
fn a_match_watcher() {
    let read = ok(json!({"watcher": {
        "get": {
            "operation-id": "getGroupClusterBackupExport",
            "version": "2023-01-01",
            "params": {"groupId": "input:groupId", "exportId": "body:$.id"}
        },
        "expect": {"match": {"path": "$.state", "values": ["Successful", "Failed", "Failed"]}}
    }}));
    assert!(read.warnings.is_empty());
    assert_eq!(
        read.value.watcher,
        Some(Watcher {
            operation_id: "getGroupClusterBackupExport".into(),
            version: Some("2023-01-01".into()),
            params: vec![
                ("exportId".into(), WatchParam::Body("$.id".into())),
                ("groupId".into(), WatchParam::Input("groupId".into())),
            ],
            expect: Expect::Match {
                path: "$.state".into(),
                values: vec!["Successful".into(), "Failed".into()],
            },
        })
    );
}

#[test]
fn an_http_code_watcher_without_version() {
    let read = ok(json!({"watcher": {
        "get": {"operation-id": "getExportBucket", "params": {"exportBucketId": "input:exportBucketId"}},
        "expect": {"http-code": 404}
    }}));
    let watcher = read.value.watcher.expect("watcher");
    assert_eq!(watcher.version, None);
    assert_eq!(watcher.expect, Expect::HttpCode(404));
}

#[test]
fn parameter_and_override_keys() {
    let read = ok(json!({
        "aliases": ["projectId"],
        "flag-short": "p",
        "override": {"description": "Short.", "name": "project", "operationId": "other"},
        "command-aliases": ["ls", "ls"],
        "skip": true
    }));
    assert_eq!(
        read.value,
        AtlasCli {
            watcher: None,
            aliases: vec!["projectId".into()],
            command_aliases: vec!["ls".into()],
            description_override: Some("Short.".into()),
            name_override: Some("project".into()),
            operation_id_override: Some("other".into()),
            flag_short: Some("p".into()),
            skip: true,
        }
    );
}

#[test]
fn absent_extension_is_none() {
    let found = from_extensions(&json!({"x-other": 1}), Path::new("s"), &at()).expect("no error");
    assert_eq!(found, None);
}

#[test]
fn unknown_keys_are_warnings() {
    let read = ok(json!({
        "future": 1,
        "override": {"title": "x"},
        "watcher": {"get": {"operation-id": "g", "retries": 3}, "expect": {"http-code": 404, "timeout": 1}}
    }));
    let places: Vec<String> = read
        .warnings
        .iter()
        .map(|w| w.pointer.to_string())
        .collect();
    assert_eq!(
        places,
        [
            "#/paths/~1x/post/x-xgen-atlascli/future",
            "#/paths/~1x/post/x-xgen-atlascli/watcher/get/retries",
            "#/paths/~1x/post/x-xgen-atlascli/watcher/expect/timeout",
            "#/paths/~1x/post/x-xgen-atlascli/override/title",
        ]
    );
    assert!(read
        .warnings
        .iter()
        .all(|w| w.severity == Severity::Warning && w.code == Some(UNKNOWN_KEY)));
    assert!(read.value.watcher.is_some());
}

#[test]
fn malformed_values_are_errors_with_pointers() {
    let base = "#/paths/~1x/post/x-xgen-atlascli";
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!("watch"), "", "expected `x-xgen-atlascli` (an object)"),
        (
            json!({"aliases": "projectId"}),
            "/aliases",
            "list of strings",
        ),
        (json!({"aliases": [1]}), "/aliases/0", "expected a string"),
        (json!({"skip": "yes"}), "/skip", "`true` or `false`"),
        (
            json!({"flag-short": "pp"}),
            "/flag-short",
            "single character",
        ),
        (
            json!({"override": {"description": 5}}),
            "/override/description",
            "expected a string",
        ),
        (
            json!({"watcher": {"expect": {"http-code": 404}}}),
            "/watcher",
            "no `get`",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g"}}}),
            "/watcher",
            "no `expect`",
        ),
        (
            json!({"watcher": {"get": {}, "expect": {"http-code": 404}}}),
            "/watcher/get",
            "no `operation-id`",
        ),
        (
            json!({"watcher": {"get": {"operation-id": ""}, "expect": {"http-code": 404}}}),
            "/watcher/get/operation-id",
            "non-empty",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g", "version": "v2"}, "expect": {"http-code": 404}}}),
            "/watcher/get/version",
            "API version",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g", "params": ["a"]}, "expect": {"http-code": 404}}}),
            "/watcher/get/params",
            "expected an object",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g", "params": {"a": "query:a"}}, "expect": {"http-code": 404}}}),
            "/watcher/get/params/a",
            "`input:NAME`",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g", "params": {"a": "input:"}}, "expect": {"http-code": 404}}}),
            "/watcher/get/params/a",
            "names no parameter",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g", "params": {"a": "body:$.["}}, "expect": {"http-code": 404}}}),
            "/watcher/get/params/a",
            "not a valid JSONPath",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g"}, "expect": {}}}),
            "/watcher/expect",
            "neither",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g"}, "expect": {"http-code": 404, "match": {"path": "$.a", "values": ["x"]}}}}),
            "/watcher/expect",
            "both",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g"}, "expect": {"http-code": "404"}}}),
            "/watcher/expect/http-code",
            "HTTP status code",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g"}, "expect": {"http-code": 42}}}),
            "/watcher/expect/http-code",
            "HTTP status code",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g"}, "expect": {"match": {"values": ["x"]}}}}),
            "/watcher/expect/match",
            "no `path`",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g"}, "expect": {"match": {"path": "state", "values": ["x"]}}}}),
            "/watcher/expect/match/path",
            "not a valid JSONPath",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g"}, "expect": {"match": {"path": "$.s"}}}}),
            "/watcher/expect/match",
            "no `values`",
        ),
        (
            json!({"watcher": {"get": {"operation-id": "g"}, "expect": {"match": {"path": "$.s", "values": []}}}}),
            "/watcher/expect/match/values",
            "empty",
        ),
    ];
    for (value, pointer, message) in cases {
        let found = errors(value.clone());
        let expected = format!("{base}{pointer}");
        assert!(
            found.iter().any(|d| d.severity == Severity::Error
                && d.file == Path::new("s.yaml")
                && d.pointer.to_string() == expected
                && d.message.contains(message)),
            "{value}: expected {expected} {message:?}, found {found:#?}"
        );
    }
}
