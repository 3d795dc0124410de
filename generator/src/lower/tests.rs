//! Lowering decisions, tested on the IR itself (no emitted code).

use std::path::Path;

use super::{lower_with, Options};
use crate::ir::{
    Api, Field, Operation, StructDef, Tag, Type, TypeDef, View, WatchArg, WatchExpect, WatchSource,
    Watcher,
};
use crate::load;
use crate::rules::VersionPin;

fn lower_yaml(yaml: &str, version: VersionPin) -> Api {
    let spec = load::parse(Path::new("t.yaml"), yaml).expect("parses");
    lower_with(&spec, &Options { version }).expect("lowers").api
}

/// A spec with one `POST /things` taking `body` and answering `response`
/// (schemas under `components`, each a YAML block indented by 4).
fn spec(body: &str, response: &str, schemas: &str) -> String {
    format!(
        "openapi: 3.0.1
info: {{ title: t, version: '1' }}
paths:
  /things:
    post:
      operationId: makeThing
      tags: [Things]
      requestBody:
        content:
          application/json:
            schema: {{ $ref: '#/components/schemas/{body}' }}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{ $ref: '#/components/schemas/{response}' }}
components:
  schemas:
{schemas}"
    )
}

fn strukt<'a>(api: &'a Api, name: &str) -> &'a StructDef {
    match api.types.get(name) {
        Some(TypeDef::Struct(s)) => s,
        other => panic!("{name} is not a struct: {other:?}"),
    }
}

fn field<'a>(s: &'a StructDef, wire: &str) -> &'a Field {
    s.fields
        .iter()
        .find(|f| f.wire_name == wire)
        .unwrap_or_else(|| panic!("{} has no field {wire}", s.name))
}

#[test]
fn read_only_and_write_only_split_a_schema_into_request_and_response_views() {
    let schemas = "    Account:
      type: object
      required: [id, name]
      properties:
        id: { type: string, readOnly: true }
        password: { type: string, writeOnly: true }
        name: { type: string }
";
    let api = lower_yaml(&spec("Account", "Account", schemas), VersionPin::Latest);
    let request = strukt(&api, "AccountRequest");
    let response = strukt(&api, "Account");
    assert_eq!(request.view, Some(View::Request));
    assert_eq!(response.view, Some(View::Response));
    let wires = |s: &StructDef| {
        s.fields
            .iter()
            .map(|f| f.wire_name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(wires(request), ["name", "password"]);
    assert_eq!(wires(response), ["id", "name"]);
    // A received type has an empty value for its required fields; a
    // request type with required fields does not.
    assert!(response.has_default && !request.has_default);
}

#[test]
fn read_only_counts_only_at_the_property_as_openapi_3_0_defines_it() {
    // `Spec` is read-only as a whole schema (as Atlas's
    // DedicatedHardwareSpec20240805 is): the properties referring to it
    // are still sent. Only a property's own readOnly, directly or through
    // an allOf member at the property, leaves it out of the request.
    let schemas = "    Region:
      type: object
      properties:
        analyticsSpecs: { $ref: '#/components/schemas/Spec' }
        effectiveSpecs:
          allOf: [{ $ref: '#/components/schemas/Spec' }]
          readOnly: true
        reportedSpecs:
          allOf: [{ $ref: '#/components/schemas/Spec' }, { readOnly: true }]
        name: { type: string }
    Spec:
      type: object
      readOnly: true
      properties:
        nodeCount: { type: integer }
";
    let api = lower_yaml(&spec("Region", "Region", schemas), VersionPin::Latest);
    let wires = |s: &StructDef| {
        s.fields
            .iter()
            .map(|f| f.wire_name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        wires(strukt(&api, "RegionRequest")),
        ["analyticsSpecs", "name"]
    );
    assert_eq!(
        wires(strukt(&api, "Region")),
        ["analyticsSpecs", "effectiveSpecs", "name", "reportedSpecs"]
    );
    // The read-only schema alone does not split `Spec` into two views.
    assert!(!api.types.contains_key("SpecRequest"));
    assert_eq!(strukt(&api, "Spec").view, None);
}

#[test]
fn a_type_that_holds_itself_directly_is_boxed_and_has_no_default() {
    let schemas = "    Node:
      type: object
      required: [next]
      properties:
        next: { $ref: '#/components/schemas/Node' }
        children: { type: array, items: { $ref: '#/components/schemas/Node' } }
";
    let api = lower_yaml(&spec("Node", "Node", schemas), VersionPin::Latest);
    let node = strukt(&api, "Node");
    assert!(
        field(node, "next").boxed,
        "a direct self-reference is boxed"
    );
    assert!(!field(node, "children").boxed, "a list already allocates");
    // Its default would never end: a missing `next` stays an error.
    assert!(!node.has_default);
}

#[test]
fn operations_get_the_feature_of_their_first_tag_and_types_the_features_using_them() {
    let schemas = "    Thing: { type: object, properties: { a: { type: string } } }
";
    let api = lower_yaml(&spec("Thing", "Thing", schemas), VersionPin::Latest);
    let op = &api.operations[0];
    assert_eq!(op.feature, "things");
    assert_eq!(api.features["things"].module, "things");
    assert_eq!(
        api.type_features
            .get("Thing")
            .map(|f| f.iter().cloned().collect::<Vec<_>>()),
        Some(vec!["things".to_owned()])
    );
}

#[test]
fn the_version_pin_picks_the_media_type_and_its_schema() {
    let yaml = "openapi: 3.0.1
info: { title: t, version: '1' }
paths:
  /things:
    get:
      operationId: getThing
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: { $ref: '#/components/schemas/Old' }
            application/vnd.atlas.2024-05-30+json:
              schema: { $ref: '#/components/schemas/New' }
            application/vnd.atlas.preview+json:
              schema: { $ref: '#/components/schemas/Preview' }
components:
  schemas:
    Old: { type: object, properties: { a: { type: string } } }
    New: { type: object, properties: { b: { type: string } } }
    Preview: { type: object, properties: { c: { type: string } } }
";
    let cases = [
        (VersionPin::Latest, "2024-05-30", "New"),
        (VersionPin::Date("2024-01-01".into()), "2023-01-01", "Old"),
        (VersionPin::Date("2022-01-01".into()), "2023-01-01", "Old"),
        (VersionPin::Preview, "preview", "Preview"),
    ];
    for (pin, version, ty) in cases {
        let api = lower_yaml(yaml, pin.clone());
        let op = &api.operations[0];
        assert_eq!(op.api_version.as_deref(), Some(version), "{pin:?}");
        assert_eq!(op.success_type, Some(Type::Named(ty.into())), "{pin:?}");
        assert_eq!(op.accept, format!("application/vnd.atlas.{version}+json"));
        assert_eq!(op.api_versions, ["2023-01-01", "2024-05-30", "preview"]);
    }
}

#[test]
fn tagged_union_variants_stand_for_their_tag() {
    let schemas = "    Bucket:
      type: object
      required: [cloudProvider]
      properties:
        cloudProvider: { type: string, enum: [AWS, GCP] }
      discriminator:
        propertyName: cloudProvider
        mapping: { AWS: '#/components/schemas/Aws', GCP: '#/components/schemas/Gcp' }
    Aws:
      allOf:
        - $ref: '#/components/schemas/Bucket'
        - { type: object, required: [roleId], properties: { roleId: { type: string } } }
    Gcp:
      allOf:
        - $ref: '#/components/schemas/Bucket'
        - { type: object, properties: { account: { type: string } } }
";
    let api = lower_yaml(&spec("Bucket", "Bucket", schemas), VersionPin::Latest);
    let Some(TypeDef::Union(u)) = api.types.get("Bucket") else {
        panic!("Bucket is not a union");
    };
    assert_eq!(u.discriminator.as_deref(), Some("cloudProvider"));
    assert_eq!(u.fallback, "Unknown");
    let tags: Vec<_> = u
        .variants
        .iter()
        .map(|v| (v.rust.as_str(), v.tags.clone()))
        .collect();
    assert_eq!(
        tags,
        [
            ("Aws", vec!["AWS".to_owned()]),
            ("Gcp", vec!["GCP".to_owned()])
        ]
    );
    let aws = strukt(&api, "Aws");
    assert_eq!(
        aws.tag,
        Some(Tag {
            property: "cloudProvider".into(),
            value: "AWS".into()
        })
    );
    assert!(aws.fields.iter().all(|f| f.wire_name != "cloudProvider"));
    // The discriminator's enum is no longer used by anything: not generated.
    assert!(
        api.types.keys().all(|n| !n.contains("CloudProvider")),
        "{:?}",
        api.types.keys()
    );
}

#[test]
fn nullable_items_and_map_values_are_options() {
    let schemas = "    Thing:
      type: object
      properties:
        ids: { type: array, items: { type: string, nullable: true } }
        counts: { type: object, additionalProperties: { type: integer, nullable: true } }
        any: { type: array, items: { nullable: true } }
";
    let api = lower_yaml(&spec("Thing", "Thing", schemas), VersionPin::Latest);
    let thing = strukt(&api, "Thing");
    let nullable = |t: Type| Box::new(Type::Nullable(Box::new(t)));
    assert_eq!(field(thing, "ids").ty, Type::Vec(nullable(Type::String)));
    assert_eq!(field(thing, "counts").ty, Type::Map(nullable(Type::I64)));
    // A JSON value holds `null` already.
    assert_eq!(field(thing, "any").ty, Type::Vec(Box::new(Type::Json)));
}

#[test]
fn content_without_a_schema_is_an_untyped_success_and_204_has_none() {
    let yaml = "openapi: 3.0.1
info: { title: t, version: '1' }
paths:
  /a:
    delete:
      operationId: deleteA
      responses:
        '202': { description: ok, content: { application/vnd.atlas.2023-02-01+json: {} } }
        '204': { description: gone, content: { application/vnd.atlas.2023-02-01+json: {} } }
  /b:
    post:
      operationId: postB
      responses:
        '200':
          description: ok
          content: { application/json: { schema: { type: object, properties: { a: { type: string } } } } }
        '202': { description: later, content: { application/json: {} } }
";
    let api = lower_yaml(yaml, VersionPin::Latest);
    let op = |id: &str| {
        api.operations
            .iter()
            .find(|o| o.operation_id == id)
            .expect("op")
    };
    let a = op("deleteA");
    assert_eq!(a.success_type, Some(Type::Untyped));
    assert!(!a.success_optional);
    assert_eq!(
        a.success
            .iter()
            .map(|c| (c.status, c.ty.clone()))
            .collect::<Vec<_>>(),
        [(202, Some(Type::Untyped)), (204, None)]
    );
    // Beside a typed status, an untyped one decodes to `None`.
    let b = op("postB");
    assert!(b.success_optional);
    assert_eq!(
        b.success.iter().map(|c| c.ty.is_some()).collect::<Vec<_>>(),
        [true, false]
    );
}

#[test]
fn discriminated_unions_keep_a_fallback_and_untagged_unions_try_shapes_in_order() {
    let schemas = "    Shape:
      oneOf:
        - { type: object, required: [radius], properties: { radius: { type: number } } }
        - { type: object, required: [side], properties: { side: { type: number } } }
";
    let api = lower_yaml(&spec("Shape", "Shape", schemas), VersionPin::Latest);
    let Some(TypeDef::Union(u)) = api.types.get("Shape") else {
        panic!("Shape is not a union");
    };
    assert_eq!(u.discriminator, None);
    assert_eq!(u.variants.len(), 2);
    assert_eq!(u.fallback, "Unknown");
}

// ----- x-xgen-atlascli: watchers, aliases, help ------------------------------

/// A spec of things: `createThing` (POST, answers the thing), `getThing`
/// (GET, versions 2023-01-01 and 2024-05-30), `deleteThing` (DELETE, 204),
/// `renameThing` (PATCH); `watcher` is the `x-xgen-atlascli` of
/// `createThing` (YAML, indented by 6), `delete` that of `deleteThing`.
fn things(watcher: &str, delete: &str) -> String {
    format!(
        r##"openapi: 3.0.1
info: {{ title: t, version: '1' }}
paths:
  /groups/{{groupId}}/things:
    post:
      operationId: createThing
      tags: [Things]
      parameters:
        - $ref: '#/components/parameters/groupId'
      x-xgen-atlascli:
{watcher}
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: {{ $ref: '#/components/schemas/Thing' }}
  /groups/{{groupId}}/things/{{thingId}}:
    get:
      operationId: getThing
      tags: [Things]
      parameters:
        - $ref: '#/components/parameters/groupId'
        - {{ name: thingId, in: path, required: true, schema: {{ type: string }} }}
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: {{ $ref: '#/components/schemas/Thing' }}
            application/vnd.atlas.2024-05-30+json:
              schema: {{ $ref: '#/components/schemas/Thing' }}
    delete:
      operationId: deleteThing
      tags: [Things]
      parameters:
        - $ref: '#/components/parameters/groupId'
        - {{ name: thingId, in: path, required: true, schema: {{ type: string }} }}
      x-xgen-atlascli:
{delete}
      responses:
        '204':
          description: gone
    patch:
      operationId: renameThing
      tags: [Things]
      parameters:
        - $ref: '#/components/parameters/groupId'
        - {{ name: thingId, in: path, required: true, schema: {{ type: string }} }}
      responses:
        '200':
          description: ok
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: {{ $ref: '#/components/schemas/Thing' }}
components:
  parameters:
    groupId:
      name: groupId
      in: path
      required: true
      schema: {{ type: string }}
      x-xgen-atlascli:
        aliases: [projectId]
        override: {{ description: The project. }}
  schemas:
    Thing:
      type: object
      properties:
        id: {{ type: string }}
        state: {{ type: string }}
"##
    )
}

const CREATE_WATCHER: &str = "        watcher:
          get:
            operation-id: getThing
            version: '2024-05-30'
            params: { groupId: 'input:groupId', thingId: 'body:$.id' }
          expect: { match: { path: '$.state', values: [READY, FAILED] } }
        override: { description: Makes a thing. }";

const DELETE_WATCHER: &str = "        watcher:
          get:
            operation-id: getThing
            params: { groupId: 'input:groupId', thingId: 'input:thingId' }
          expect: { http-code: 404 }";

fn lower_things(watcher: &str, delete: &str) -> (Api, Vec<crate::diag::Diagnostic>) {
    let spec = load::parse(Path::new("t.yaml"), &things(watcher, delete)).expect("parses");
    let lowered = lower_with(&spec, &Options::default()).expect("lowers");
    (lowered.api, lowered.warnings)
}

fn op<'a>(api: &'a Api, id: &str) -> &'a Operation {
    api.operations
        .iter()
        .find(|o| o.operation_id == id)
        .unwrap_or_else(|| panic!("no {id}"))
}

fn watcher_warnings(warnings: &[crate::diag::Diagnostic]) -> Vec<String> {
    warnings
        .iter()
        .filter(|w| w.code == Some(crate::diag::WarningCode::AtlasCliWatcher))
        .map(|w| w.message.clone())
        .collect()
}

#[test]
fn watchers_resolve_to_the_polled_operation_and_its_parameters() {
    let (api, warnings) = lower_things(CREATE_WATCHER, DELETE_WATCHER);
    assert!(watcher_warnings(&warnings).is_empty(), "{warnings:#?}");
    let get = op(&api, "getThing");
    let group = get.params.iter().position(|p| p.wire_name == "groupId");
    let thing = get.params.iter().position(|p| p.wire_name == "thingId");
    let create = op(&api, "createThing");
    assert_eq!(
        create.watcher,
        Some(Watcher {
            operation_id: "getThing".into(),
            // getThing is generated for 2024-05-30: no other version needed.
            version: None,
            params: vec![
                WatchArg {
                    param: group.expect("groupId"),
                    source: WatchSource::Input(0),
                },
                WatchArg {
                    param: thing.expect("thingId"),
                    source: WatchSource::Body(vec!["id".into()]),
                },
            ],
            expect: WatchExpect::Values {
                path: vec!["state".into()],
                values: vec!["READY".into(), "FAILED".into()],
            },
        })
    );
    assert_eq!(create.cli.help.as_deref(), Some("Makes a thing."));
    let delete = op(&api, "deleteThing");
    let watcher = delete.watcher.as_ref().expect("a watcher");
    assert_eq!(watcher.expect, WatchExpect::Status(404));
    assert_eq!(
        watcher.params.iter().map(|a| &a.source).collect::<Vec<_>>(),
        [&WatchSource::Input(0), &WatchSource::Input(1)]
    );
    assert_eq!(op(&api, "renameThing").watcher, None);
    // The shared parameter's aliases and help reach every operation.
    for o in &api.operations {
        let p = &o.params[0];
        assert_eq!(
            (p.wire_name.as_str(), p.cli.aliases.as_slice()),
            ("groupId", &["projectId".to_owned()][..])
        );
        assert_eq!(p.cli.help.as_deref(), Some("The project."));
    }
}

#[test]
fn an_older_version_is_polled_as_json_and_an_unknown_one_falls_back() {
    let older = CREATE_WATCHER.replace("'2024-05-30'", "'2023-01-01'");
    let (api, warnings) = lower_things(&older, DELETE_WATCHER);
    assert!(watcher_warnings(&warnings).is_empty(), "{warnings:#?}");
    let watcher = op(&api, "createThing").watcher.as_ref().expect("a watcher");
    assert_eq!(watcher.version.as_deref(), Some("2023-01-01"));

    let unknown = CREATE_WATCHER.replace("'2024-05-30'", "'2019-01-01'");
    let (api, warnings) = lower_things(&unknown, DELETE_WATCHER);
    let watcher = op(&api, "createThing").watcher.as_ref().expect("kept");
    assert_eq!(watcher.version, None);
    let messages = watcher_warnings(&warnings);
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(
        messages[0].contains("does not offer API version 2019-01-01")
            && messages[0].contains("polls 2024-05-30 instead"),
        "{messages:#?}"
    );
}

#[test]
fn a_watcher_that_cannot_work_is_a_warning_and_no_waiter() {
    let cases = [
        (
            CREATE_WATCHER.replace("operation-id: getThing", "operation-id: getNothing"),
            "it polls `getNothing`, which is not an operationId of this spec",
        ),
        (
            // No GET at `/groups/{groupId}/things` to poll instead.
            CREATE_WATCHER.replace("operation-id: getThing", "operation-id: createThing"),
            "it polls `createThing`, a POST (only a GET can be polled)",
        ),
        (
            CREATE_WATCHER.replace("'input:groupId'", "'input:projectId'"),
            "`input:projectId` (for `groupId`): `createThing` has no parameter `projectId`",
        ),
        (
            CREATE_WATCHER.replace("thingId: 'body:$.id'", "thing: 'body:$.id'"),
            "`getThing` has no parameter `thing`",
        ),
        (
            CREATE_WATCHER.replace(", thingId: 'body:$.id'", ""),
            "`getThing` needs `thingId`, which the watcher does not give",
        ),
        (
            CREATE_WATCHER.replace("'$.state'", "'$.items[0].state'"),
            "`match` path `$.items[0].state`: only plain paths",
        ),
        (
            CREATE_WATCHER.replace("'body:$.id'", "'body:$..id'"),
            "`body:$..id` (for `thingId`): only plain paths",
        ),
    ];
    for (watcher, expected) in cases {
        let (api, warnings) = lower_things(&watcher, DELETE_WATCHER);
        assert_eq!(op(&api, "createThing").watcher, None, "{expected}");
        let messages = watcher_warnings(&warnings);
        assert!(
            messages
                .iter()
                .any(|m| m.contains(expected)
                    && m.starts_with("watcher of `createThing` not generated")),
            "{expected}: {messages:#?}"
        );
        // The other watcher is not affected.
        assert!(op(&api, "deleteThing").watcher.is_some());
    }
}

#[test]
fn a_watcher_of_a_mutation_polls_the_get_at_its_path_and_a_bodiless_answer_takes_inputs() {
    // renameThing (PATCH) named as the poll: getThing, the one GET at its
    // path, is polled instead, with a warning; the PATCH is never resent.
    let polls_patch = CREATE_WATCHER.replace("operation-id: getThing", "operation-id: renameThing");
    let (api, warnings) = lower_things(&polls_patch, DELETE_WATCHER);
    let watcher = op(&api, "createThing").watcher.as_ref().expect("mended");
    assert_eq!(watcher.operation_id, "getThing");
    let messages = watcher_warnings(&warnings);
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(
        messages[0].starts_with("watcher of `createThing` mended: it names `renameThing`, a PATCH")
            && messages[0].contains("it polls `getThing`, the GET at the same path"),
        "{messages:#?}"
    );

    // deleteThing answers a 204: `body:$.id` for `thingId` takes its input
    // `thingId` instead.
    let from_body = DELETE_WATCHER.replace("'input:thingId'", "'body:$.id'");
    let (api, warnings) = lower_things(CREATE_WATCHER, &from_body);
    let watcher = op(&api, "deleteThing").watcher.as_ref().expect("mended");
    assert_eq!(
        watcher.params.iter().map(|a| &a.source).collect::<Vec<_>>(),
        [&WatchSource::Input(0), &WatchSource::Input(1)]
    );
    let messages = watcher_warnings(&warnings);
    assert_eq!(messages.len(), 1, "{messages:#?}");
    assert!(
        messages[0].contains("`body:$.id` (for `thingId`): `deleteThing` answers no body; its input `thingId` is used instead"),
        "{messages:#?}"
    );
}

#[test]
fn plain_paths_are_chains_of_keys() {
    use super::watchers::simple_path;
    let keys = |p: &str| simple_path(p).map(|k| k.join("/"));
    assert_eq!(keys("$").as_deref(), Some(""));
    assert_eq!(keys("$.state").as_deref(), Some("state"));
    assert_eq!(keys("$.a.b_c").as_deref(), Some("a/b_c"));
    assert_eq!(keys("$['a'][\"b.c\"]").as_deref(), Some("a/b.c"));
    for other in ["$.a[0]", "$..a", "$.*", "$[?(@.a)]", "a.b", "$.", "$['a'"] {
        assert_eq!(simple_path(other), None, "{other}");
    }
}

#[test]
fn every_doc_link_resolves_against_the_docs_page_and_the_spec_is_identified() {
    let yaml = r##"openapi: 3.0.1
info: { title: t, version: '2.0', x-xgen-sha: abc123 }
paths:
  /groups/{groupId}/things:
    get:
      operationId: listThings
      tags: [Things]
      x-xgen-docs-url: https://docs.example/v2/#tag/Things/operation/listThings
      parameters:
        - name: groupId
          in: path
          required: true
          description: Use [/groups](#tag/Projects/operation/listProjects).
          schema: { type: string, pattern: "^([a-f0-9]{24})$" }
      responses:
        "200":
          description: OK
          content:
            application/vnd.atlas.2024-08-05+json:
              schema: { $ref: '#/components/schemas/Thing' }
components:
  schemas:
    Thing:
      type: object
      description: See [projects](#tag/Projects).
      properties:
        kind:
          type: string
          enum: [a, b]
          description: One of [these](#tag/Things/operation/listThings) or [that](other.html).
"##;
    let api = lower_yaml(yaml, VersionPin::Latest);
    let page = "https://docs.example/v2/";
    let op = &api.operations[0];
    assert_eq!(
        op.params[0].doc.as_deref(),
        Some(format!("Use [/groups]({page}#tag/Projects/operation/listProjects).").as_str())
    );
    let Some(TypeDef::Struct(thing)) = api.types.get("Thing") else {
        panic!("no Thing: {:?}", api.types.keys());
    };
    assert_eq!(
        thing.doc.as_deref(),
        Some(format!("See [projects]({page}#tag/Projects).").as_str())
    );
    assert_eq!(
        thing.fields[0].doc.as_deref(),
        Some(format!("One of [these]({page}#tag/Things/operation/listThings) or that.").as_str())
    );
    assert_eq!(api.identity.version, "2.0");
    assert_eq!(api.identity.xgen_sha.as_deref(), Some("abc123"));
    assert_eq!(
        api.identity.newest_api_version.as_deref(),
        Some("2024-08-05")
    );
    assert_eq!(
        api.identity.summary(),
        "spec 2.0, x-xgen-sha abc123, API versions to 2024-08-05"
    );
}
