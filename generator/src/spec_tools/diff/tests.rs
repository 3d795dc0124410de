//! Unit tests of the diff: one small spec, edited one change at a time.

use std::path::Path;

use std::collections::BTreeSet;

use serde_json::Value;

use super::rule::Rule;
use super::{diff, DiffOptions};
use crate::rules::VersionPin;
use crate::spec_tools::parse_document;
use crate::spec_tools::report::{ChangeKind, Classification, Report};

const BASE: &str = r##"
openapi: 3.0.1
info: {title: t, version: "1"}
paths:
  /things/{id}:
    post:
      operationId: createThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: verbose, in: query, schema: {type: boolean}}
      requestBody:
        required: true
        content:
          application/vnd.atlas.2023-01-01+json:
            schema: {$ref: '#/components/schemas/ThingRequest'}
      responses:
        "200":
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: {$ref: '#/components/schemas/Thing'}
        "404": {description: missing}
components:
  schemas:
    ThingRequest:
      type: object
      required: [name]
      properties:
        name: {type: string}
        size: {type: integer, format: int32}
        kind: {$ref: '#/components/schemas/Kind'}
        id: {type: string, pattern: '^[a-f0-9]{24}$'}
        shape:
          oneOf: [{$ref: '#/components/schemas/Round'}, {$ref: '#/components/schemas/Square'}]
          discriminator:
            propertyName: type
            mapping: {round: '#/components/schemas/Round', square: '#/components/schemas/Square'}
    Thing:
      type: object
      required: [name]
      properties:
        name: {type: string}
        state: {$ref: '#/components/schemas/State'}
        created: {type: string, format: date-time}
        size: {type: integer, format: int32}
        id: {type: string, pattern: '^[a-f0-9]{24}$'}
        note: {type: string}
    Kind: {type: string, enum: [A, B]}
    State: {type: string, enum: [QUEUED, DONE]}
    Round: {type: object, properties: {radius: {type: number}}}
    Square: {type: object, properties: {side: {type: number}}}
"##;

fn report(old: &str, new: &str) -> Report {
    let old = parse_document(Path::new("old.yaml"), old).expect("old parses");
    let new = parse_document(Path::new("new.yaml"), new).expect("new parses");
    diff(&old, &new, &DiffOptions::default()).expect("diffs")
}

/// The changes as `(kind, breaking, location)`.
fn changes(new: &str) -> Vec<(ChangeKind, bool, String)> {
    report(BASE, new)
        .changes
        .into_iter()
        .map(|c| {
            (
                c.kind,
                c.classification == Classification::Breaking,
                c.location,
            )
        })
        .collect()
}

fn edit(from: &str, to: &str) -> String {
    assert!(BASE.contains(from), "BASE lacks {from}");
    BASE.replacen(from, to, 1)
}

fn one(new: &str) -> (ChangeKind, bool, String) {
    let all = changes(new);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.into_iter()
        .next()
        .unwrap_or((ChangeKind::TypeAdded, false, String::new()))
}

const REQ_PROPS: &str =
    "        name: {type: string}\n        size: {type: integer, format: int32}\n        kind:";
const RESP_NOTE: &str = "        note: {type: string}\n";

#[test]
fn identical_specs_have_no_changes() {
    assert!(changes(BASE).is_empty());
    assert!(report(BASE, BASE).to_text().contains("no changes"));
}

#[test]
fn new_required_request_field_is_breaking_optional_is_not() {
    let required = edit("required: [name]\n      properties:\n        name: {type: string}\n        size", "required: [name, extra]\n      properties:\n        extra: {type: string}\n        name: {type: string}\n        size");
    assert_eq!(
        one(&required),
        (ChangeKind::FieldAdded, true, "field `extra`".into())
    );
    let optional = edit(
        REQ_PROPS,
        &format!("        extra: {{type: string}}\n{REQ_PROPS}"),
    );
    assert_eq!(
        one(&optional),
        (ChangeKind::FieldAdded, false, "field `extra`".into())
    );
}

#[test]
fn new_response_field_is_not_breaking_removed_field_is() {
    let added = edit(
        RESP_NOTE,
        "        note: {type: string}\n        more: {type: string}\n",
    );
    assert_eq!(
        one(&added),
        (ChangeKind::FieldAdded, false, "field `more`".into())
    );
    let removed = edit(RESP_NOTE, "");
    assert_eq!(
        one(&removed),
        (ChangeKind::FieldRemoved, true, "field `note`".into())
    );
}

#[test]
fn enum_values_added_are_not_breaking_removed_are() {
    let added = edit("enum: [QUEUED, DONE]", "enum: [QUEUED, DONE, FAILED]");
    assert_eq!(
        one(&added),
        (ChangeKind::EnumValueAdded, false, String::new())
    );
    let removed_request = edit("enum: [A, B]", "enum: [A]");
    assert_eq!(
        one(&removed_request),
        (ChangeKind::EnumValueRemoved, true, String::new())
    );
    let r = report(BASE, &removed_request);
    assert!(
        r.changes[0].reason.contains("no longer accepts"),
        "{:?}",
        r.changes[0]
    );
    let removed_response = edit("enum: [QUEUED, DONE]", "enum: [DONE]");
    assert_eq!(
        one(&removed_response),
        (ChangeKind::EnumValueRemoved, true, String::new())
    );
}

#[test]
fn operations_added_removed_renamed_and_moved() {
    let extra = BASE.replacen(
        "paths:\n",
        "paths:\n  /other:\n    get:\n      operationId: listOthers\n      responses: {\"200\": {description: ok}}\n",
        1,
    );
    assert_eq!(
        one(&extra),
        (ChangeKind::OperationAdded, false, String::new())
    );
    assert_eq!(
        report(&extra, BASE).changes[0].kind,
        ChangeKind::OperationRemoved
    );
    assert_eq!(
        report(&extra, BASE).changes[0].classification,
        Classification::Breaking
    );
    let renamed = edit("operationId: createThing", "operationId: makeThing");
    assert_eq!(
        one(&renamed),
        (ChangeKind::OperationRenamed, true, String::new())
    );
    let moved = edit("/things/{id}:", "/stuff/{id}:");
    assert_eq!(
        one(&moved),
        (ChangeKind::OperationMoved, false, String::new())
    );
    // A short-name override that keeps the Rust method name is no rename.
    let overridden = edit(
        "operationId: createThing",
        "operationId: createGroupThing\n      x-xgen-operation-id-override: createThing",
    );
    assert!(changes(&overridden).is_empty());
}

#[test]
fn parameters_added_removed_and_required_changes() {
    let required = edit(
        "        - {name: verbose",
        "        - {name: token, in: header, required: true, schema: {type: string}}\n        - {name: verbose",
    );
    assert_eq!(
        one(&required),
        (
            ChangeKind::ParameterAdded,
            true,
            "parameter `token` (header `token`)".into()
        )
    );
    let optional = edit(
        "        - {name: verbose",
        "        - {name: page, in: query, schema: {type: integer}}\n        - {name: verbose",
    );
    assert_eq!(
        one(&optional),
        (
            ChangeKind::ParameterAdded,
            false,
            "parameter `page` (query `page`)".into()
        )
    );
    let removed = edit(
        "        - {name: verbose, in: query, schema: {type: boolean}}\n",
        "",
    );
    assert_eq!(
        one(&removed),
        (
            ChangeKind::ParameterRemoved,
            true,
            "parameter `verbose` (query `verbose`)".into()
        )
    );
    let now_required = edit(
        "{name: verbose, in: query,",
        "{name: verbose, in: query, required: true,",
    );
    assert_eq!(
        one(&now_required),
        (
            ChangeKind::RequiredChanged,
            true,
            "parameter `verbose` (query `verbose`)".into()
        )
    );
    let now_optional = report(&now_required, BASE);
    assert_eq!(
        now_optional.changes[0].classification,
        Classification::NonBreaking
    );
    let retyped = edit(
        "{name: verbose, in: query, schema: {type: boolean}}",
        "{name: verbose, in: query, schema: {type: integer}}",
    );
    assert_eq!(
        one(&retyped),
        (
            ChangeKind::TypeChanged,
            true,
            "parameter `verbose` (query `verbose`)".into()
        )
    );
}

#[test]
fn type_and_format_changes_break_only_when_the_rust_type_changes() {
    let retyped = edit(
        "        note: {type: string}",
        "        note: {type: integer}",
    );
    assert_eq!(
        one(&retyped),
        (ChangeKind::TypeChanged, true, "field `note`".into())
    );
    // int32 -> int64: every integer is an `i64`.
    let request = edit(
        "        size: {type: integer, format: int32}\n        kind",
        "        size: {type: integer, format: int64}\n        kind",
    );
    assert_eq!(
        one(&request),
        (ChangeKind::FormatChanged, false, "field `size`".into())
    );
    let response = edit(
        "        size: {type: integer, format: int32}\n        id",
        "        size: {type: integer, format: int64}\n        id",
    );
    assert_eq!(
        one(&response),
        (ChangeKind::FormatChanged, false, "field `size`".into())
    );
    let date = edit("format: date-time", "format: date");
    assert_eq!(
        one(&date),
        (ChangeKind::FormatChanged, true, "field `created`".into())
    );
    let email = edit(
        "        note: {type: string}",
        "        note: {type: string, format: email}",
    );
    assert_eq!(
        one(&email),
        (ChangeKind::FormatChanged, false, "field `note`".into())
    );
    let to_named = edit(
        "        note: {type: string}",
        "        note: {$ref: '#/components/schemas/State'}",
    );
    assert_eq!(
        one(&to_named),
        (ChangeKind::TypeChanged, true, "field `note`".into())
    );
}

#[test]
fn patterns_break_requests_only() {
    let request = edit(
        "        id: {type: string, pattern: '^[a-f0-9]{24}$'}\n        shape",
        "        id: {type: string, pattern: '^[a-f0-9]{32}$'}\n        shape",
    );
    assert_eq!(
        one(&request),
        (ChangeKind::PatternChanged, true, "field `id`".into())
    );
    let response = edit(
        "        id: {type: string, pattern: '^[a-f0-9]{24}$'}\n        note",
        "        id: {type: string}\n        note",
    );
    assert_eq!(
        one(&response),
        (ChangeKind::PatternChanged, false, "field `id`".into())
    );
}

#[test]
fn required_and_nullable_break_when_the_field_type_changes() {
    // Response: optional -> required turns `Option<String>` into `String`.
    let required = edit(
        "required: [name]\n      properties:\n        name: {type: string}\n        state",
        "required: [name, note]\n      properties:\n        name: {type: string}\n        state",
    );
    assert_eq!(
        one(&required),
        (ChangeKind::RequiredChanged, true, "field `note`".into())
    );
    // Response: an optional field made nullable stays `Option<String>`.
    let nullable = edit(
        "        note: {type: string}",
        "        note: {type: string, nullable: true}",
    );
    assert_eq!(
        one(&nullable),
        (ChangeKind::NullableChanged, false, "field `note`".into())
    );
    // Response: a required field made nullable becomes `Option<String>`.
    let required_nullable = edit(
        "        name: {type: string}\n        state",
        "        name: {type: string, nullable: true}\n        state",
    );
    assert_eq!(
        one(&required_nullable),
        (ChangeKind::NullableChanged, true, "field `name`".into())
    );
    // Request: an optional field made nullable becomes `Option<Option<i32>>`.
    let request = edit(
        "        size: {type: integer, format: int32}\n        kind",
        "        size: {type: integer, format: int32, nullable: true}\n        kind",
    );
    assert_eq!(
        one(&request),
        (ChangeKind::NullableChanged, true, "field `size`".into())
    );
}

#[test]
fn read_only_fields_leave_the_request_type() {
    let read_only = edit(
        "        size: {type: integer, format: int32}\n        kind",
        "        size: {type: integer, format: int32, readOnly: true}\n        kind",
    );
    assert_eq!(
        one(&read_only),
        (
            ChangeKind::FieldVisibilityChanged,
            true,
            "field `size`".into()
        )
    );
    // A new read-only field in a request-only type does not show up at all.
    let hidden = edit(
        REQ_PROPS,
        &format!("        extra: {{type: string, readOnly: true}}\n{REQ_PROPS}"),
    );
    assert!(changes(&hidden).is_empty());
}

#[test]
fn api_versions_break_when_the_client_switches() {
    let newer = edit(
        "          application/vnd.atlas.2023-01-01+json:\n              schema: {$ref: '#/components/schemas/Thing'}",
        "          application/vnd.atlas.2023-01-01+json:\n              schema: {$ref: '#/components/schemas/Thing'}\n            application/vnd.atlas.2025-01-01+json:\n              schema: {$ref: '#/components/schemas/Thing'}",
    );
    assert_eq!(
        one(&newer),
        (ChangeKind::ApiVersionAdded, true, String::new())
    );
    let older = newer.replace("2025-01-01", "2022-01-01");
    assert_eq!(
        one(&older),
        (ChangeKind::ApiVersionAdded, false, String::new())
    );
    let back = report(&newer, BASE);
    let kinds: Vec<(ChangeKind, Classification)> = back
        .changes
        .iter()
        .map(|c| (c.kind, c.classification))
        .collect();
    assert_eq!(
        kinds,
        [
            (ChangeKind::ApiVersionRemoved, Classification::Breaking),
            (ChangeKind::ApiVersionSelected, Classification::Breaking)
        ]
    );
}

#[test]
fn bodies_responses_and_variants() {
    let optional_body = edit(
        "      requestBody:\n        required: true",
        "      requestBody:\n        required: false",
    );
    assert_eq!(
        one(&optional_body),
        (ChangeKind::RequiredChanged, false, "request body".into())
    );
    assert_eq!(
        report(&optional_body, BASE).changes[0].classification,
        Classification::Breaking
    );
    let status = edit(
        "        \"404\": {description: missing}",
        "        \"404\": {description: missing}\n        \"409\": {description: conflict}",
    );
    assert_eq!(
        one(&status),
        (ChangeKind::ResponseAdded, false, "response 409".into())
    );
    let mapping = edit(", square: '#/components/schemas/Square'}", "}");
    assert_eq!(
        one(&mapping),
        (ChangeKind::VariantRemoved, true, "field `shape`".into())
    );
    let alternative = edit(", {$ref: '#/components/schemas/Square'}]", "]");
    let all = changes(&alternative);
    assert!(
        all.contains(&(ChangeKind::VariantRemoved, true, "field `shape`".into())),
        "{all:?}"
    );
    let types = edit(
        "    Square: {type: object, properties: {side: {type: number}}}",
        "    Square: {type: object, properties: {side: {type: number}, corner: {type: number}}}",
    );
    // Square is used by a request type: a new optional field is fine.
    assert_eq!(
        one(&types),
        (ChangeKind::FieldAdded, false, "field `corner`".into())
    );
}

#[test]
fn reports_render_as_text_and_json() {
    let r = report(BASE, &edit("enum: [A, B]", "enum: [A]"));
    let text = r.to_text();
    assert!(text.contains("1 breaking, 0 non-breaking"), "{text}");
    assert!(text.contains("type Kind (request)"), "{text}");
    assert!(
        text.contains("BREAKING enum value `B` removed (variant `B`)"),
        "{text}"
    );
    let json: Value = serde_json::from_str(&r.to_json()).expect("json");
    assert_eq!(json["counts"]["breaking"], 1);
    assert_eq!(json["changes"][0]["kind"], "enum-value-removed");
    assert_eq!(json["changes"][0]["classification"], "breaking");
    assert_eq!(json["changes"][0]["subject"]["kind"], "type");
    assert_eq!(json["changes"][0]["pointer"], "#/components/schemas/Kind");
    assert!(r.has_breaking());
}

#[test]
fn unknown_operation_filters_fail_with_suggestions() {
    let doc = parse_document(Path::new("a.yaml"), BASE).expect("parses");
    let err = diff(
        &doc,
        &doc,
        &DiffOptions {
            only: vec!["createThng".to_owned()],
            ..DiffOptions::default()
        },
    )
    .expect_err("unknown");
    assert!(
        err.to_string().contains("closest names: createThing"),
        "{err}"
    );
}

#[test]
fn operations_are_read_at_the_pinned_version() {
    // A second, newer version of the response with its own schema.
    let two = edit(
        "          application/vnd.atlas.2023-01-01+json:\n              schema: {$ref: '#/components/schemas/Thing'}",
        "          application/vnd.atlas.2023-01-01+json:\n              schema: {$ref: '#/components/schemas/Thing'}\n            application/vnd.atlas.2025-01-01+json:\n              schema: {$ref: '#/components/schemas/State'}",
    );
    let changed = two.replacen("        note: {type: string}\n", "", 1);
    let at = |pin: &str| {
        let old = parse_document(Path::new("old.yaml"), &two).expect("old parses");
        let new = parse_document(Path::new("new.yaml"), &changed).expect("new parses");
        let options = DiffOptions {
            version: pin.parse::<VersionPin>().expect("pin"),
            ..DiffOptions::default()
        };
        let report = diff(&old, &new, &options).expect("diffs");
        report
            .changes
            .iter()
            .map(|c| (c.kind, c.location.clone()))
            .collect::<Vec<_>>()
    };
    // The newest version returns `State`: `Thing` is not read at all.
    assert_eq!(at("latest"), []);
    assert_eq!(at("2025-06-01"), []);
    // Pinned to 2023-01-01 (or any date before 2025), the client reads `Thing`.
    assert_eq!(
        at("2023-01-01"),
        [(ChangeKind::FieldRemoved, "field `note`".to_owned())]
    );
    assert_eq!(at("2024-12-31"), at("2023-01-01"));
}

#[test]
fn a_body_read_as_json_values_then_typed_changes_the_return_type() {
    let untyped = edit(
        "              schema: {$ref: '#/components/schemas/Thing'}",
        "              x-xgen-version: '2023-01-01'",
    );
    let r = report(&untyped, BASE);
    let all: Vec<(ChangeKind, Classification, &str, &str)> = r
        .changes
        .iter()
        .map(|c| {
            (
                c.kind,
                c.classification,
                c.location.as_str(),
                c.detail.as_str(),
            )
        })
        .collect();
    assert_eq!(
        all,
        [(
            ChangeKind::TypeChanged,
            Classification::Breaking,
            "response 200",
            "type `serde_json::Value` -> `Thing`"
        )]
    );
    // A 204 that names a media type without a schema has no body.
    let no_content = edit(
        "\"200\":\n          description: ok",
        "\"204\":\n          description: ok",
    );
    let gone = no_content.replacen(
        "              schema: {$ref: '#/components/schemas/Thing'}",
        "              x-xgen-version: '2023-01-01'",
        1,
    );
    let kinds: Vec<(ChangeKind, Classification)> = report(&no_content, &gone)
        .changes
        .iter()
        .map(|c| (c.kind, c.classification))
        .collect();
    assert_eq!(
        kinds,
        [(ChangeKind::ResponseBodyRemoved, Classification::Breaking)]
    );
}

// ----- the rules and the table of the module docs ---------------------------

/// How many variants [`Rule`] has (see [`variant`]).
const VARIANTS: usize = 35;

/// The index of a rule's variant. A new variant fails to compile here: give
/// it the next index, bump [`VARIANTS`] and add it to [`every_rule`].
fn variant(rule: Rule) -> usize {
    match rule {
        Rule::OperationAdded => 0,
        Rule::OperationRemoved => 1,
        Rule::OperationRenamed => 2,
        Rule::OperationMoved => 3,
        Rule::ApiVersionAdded { .. } => 4,
        Rule::ApiVersionRemoved { .. } => 5,
        Rule::ApiVersionSelected => 6,
        Rule::ParameterAdded { .. } => 7,
        Rule::ParameterRemoved => 8,
        Rule::ParameterRequired { .. } => 9,
        Rule::BodyAdded { .. } => 10,
        Rule::BodyRemoved => 11,
        Rule::BodyRequired { .. } => 12,
        Rule::ResponseAdded => 13,
        Rule::ResponseRemoved => 14,
        Rule::ResponseBodyAdded { .. } => 15,
        Rule::ResponseBodyRemoved { .. } => 16,
        Rule::TypeAdded => 17,
        Rule::TypeRemoved => 18,
        Rule::FieldAdded { .. } => 19,
        Rule::FieldRemoved => 20,
        Rule::FieldHidden => 21,
        Rule::FieldShown { .. } => 22,
        Rule::FieldRequired { .. } => 23,
        Rule::FieldNullable { .. } => 24,
        Rule::Nullable => 25,
        Rule::TypeChanged => 26,
        Rule::FormatChanged { .. } => 27,
        Rule::PatternChanged { .. } => 28,
        Rule::DefaultChanged => 29,
        Rule::EnumValueAdded => 30,
        Rule::EnumValueRemoved { .. } => 31,
        Rule::VariantAdded => 32,
        Rule::VariantRemoved => 33,
        Rule::DiscriminatorRetargeted => 34,
    }
}

/// Every rule, with each value of what its verdict depends on, in the order
/// of the table.
fn every_rule() -> Vec<Rule> {
    let mut all = vec![
        Rule::OperationAdded,
        Rule::OperationRemoved,
        Rule::OperationRenamed,
        Rule::OperationMoved,
    ];
    for b in [true, false] {
        all.push(Rule::ApiVersionAdded { sent: b });
    }
    for b in [true, false] {
        all.push(Rule::ApiVersionRemoved { sent: b });
    }
    all.push(Rule::ApiVersionSelected);
    for b in [true, false] {
        all.push(Rule::ParameterAdded { required: b });
    }
    all.push(Rule::ParameterRemoved);
    for b in [true, false] {
        all.push(Rule::ParameterRequired { now: b });
    }
    for b in [true, false] {
        all.push(Rule::BodyAdded { required: b });
    }
    all.push(Rule::BodyRemoved);
    for b in [true, false] {
        all.push(Rule::BodyRequired { now: b });
    }
    all.extend([Rule::ResponseAdded, Rule::ResponseRemoved]);
    for b in [true, false] {
        all.push(Rule::ResponseBodyAdded { success: b });
    }
    for b in [true, false] {
        all.push(Rule::ResponseBodyRemoved { success: b });
    }
    all.extend([Rule::TypeAdded, Rule::TypeRemoved]);
    for (request, required) in [(true, true), (true, false), (false, true), (false, false)] {
        all.push(Rule::FieldAdded { request, required });
    }
    all.extend([Rule::FieldRemoved, Rule::FieldHidden]);
    for (request, required) in [(true, true), (true, false), (false, true), (false, false)] {
        all.push(Rule::FieldShown { request, required });
    }
    for b in [true, false] {
        all.push(Rule::FieldRequired { changes_type: b });
    }
    for b in [true, false] {
        all.push(Rule::FieldNullable { changes_type: b });
    }
    all.extend([Rule::Nullable, Rule::TypeChanged]);
    for b in [true, false] {
        all.push(Rule::FormatChanged { changes_type: b });
    }
    for b in [true, false] {
        all.push(Rule::PatternChanged { request: b });
    }
    all.extend([Rule::DefaultChanged, Rule::EnumValueAdded]);
    for b in [true, false] {
        all.push(Rule::EnumValueRemoved { request: b });
    }
    all.extend([
        Rule::VariantAdded,
        Rule::VariantRemoved,
        Rule::DiscriminatorRetargeted,
    ]);
    all
}

#[test]
fn the_docs_table_is_the_rules() {
    let rules = every_rule();
    let seen: BTreeSet<usize> = rules.iter().map(|&r| variant(r)).collect();
    assert_eq!(
        seen,
        (0..VARIANTS).collect(),
        "every_rule() misses a variant"
    );
    let mut rows: Vec<String> = Vec::new();
    for rule in &rules {
        let (change, when) = rule.row();
        let row = format!("| {change} | {when} |");
        if !rows.contains(&row) {
            rows.push(row);
        }
    }
    assert_eq!(rows.len(), VARIANTS, "two rules share a row of the table");
    let docs: Vec<&str> = include_str!("mod.rs")
        .lines()
        .filter_map(|l| l.strip_prefix("//! "))
        .filter(|l| l.starts_with('|'))
        .skip(2)
        .collect();
    let expected: Vec<String> = rows.iter().map(|r| format!("//! {r}")).collect();
    assert_eq!(
        docs,
        rows,
        "the table in the docs of spec_tools::diff is not the rules; it should read:\n{}",
        expected.join("\n")
    );
}

#[test]
fn verdicts_agree_with_the_table() {
    let rules = every_rule();
    for rule in &rules {
        let (change, when) = rule.row();
        let (verdict, reason) = rule.verdict();
        assert!(!reason.is_empty(), "{rule:?}");
        let same_row: BTreeSet<Classification> = rules
            .iter()
            .filter(|r| r.row() == (change, when))
            .map(|r| r.verdict().0)
            .collect();
        if when.starts_with("always") {
            assert_eq!(verdict, Classification::Breaking, "{rule:?}: {when}");
        } else if when.starts_with("never") {
            assert_eq!(verdict, Classification::NonBreaking, "{rule:?}: {when}");
        } else {
            // A condition: some cases break, some do not.
            assert_eq!(same_row.len(), 2, "{change}: {when}");
        }
    }
}
