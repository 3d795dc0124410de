//! The facts the command line's table is made of, derived from a small
//! spec's IR, and one snapshot of the `cli.rs` made from it.

use std::path::Path;

use super::super::versions::send_as_accepts;
use super::{aliases, emit_cli, flag_of, reserved_flags, ArgData, ArgTable, Names};
use crate::ir::{Api, Operation};

/// Two operations: one with three versions (JSON and CSV with a sunset
/// date, JSON, a public preview in gzip) and a `groupId`; one with both
/// `groupId` and `projectId` parameters.
const FIXTURE: &str = r##"
openapi: 3.0.1
info: { title: Fixture, version: "2.0" }
paths:
  /api/atlas/v2/groups/{groupId}/reports:
    get:
      operationId: getGroupReport
      x-xgen-operation-id-override: getReport
      tags: [Reports]
      parameters:
        - name: groupId
          in: path
          required: true
          schema: { type: string }
          x-xgen-atlascli: { aliases: [projectId] }
      responses:
        "200":
          description: OK
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: { $ref: "#/components/schemas/Report" }
              x-sunset: "2026-01-01"
            application/vnd.atlas.2023-01-01+csv:
              schema: { type: string }
              x-sunset: "2026-03-01"
            application/vnd.atlas.2024-05-30+json:
              schema: { $ref: "#/components/schemas/Report" }
            application/vnd.atlas.preview+gzip:
              schema: { type: string, format: binary }
              x-xgen-preview: { public: "true" }
  /api/atlas/v2/groups/{groupId}/projects/{projectId}:
    get:
      operationId: getPair
      tags: [Reports]
      parameters:
        - name: groupId
          in: path
          required: true
          schema: { type: string }
          x-xgen-atlascli: { aliases: [projectId, project, version] }
        - { name: projectId, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: OK
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: { $ref: "#/components/schemas/Report" }
components:
  schemas:
    Report:
      type: object
      properties:
        name: { type: string }
"##;

fn api() -> Api {
    let spec = crate::load::parse(Path::new("fixture.yaml"), FIXTURE).expect("fixture parses");
    crate::lower::lower(&spec).expect("fixture lowers").api
}

fn op<'a>(api: &'a Api, short_name: &str) -> &'a Operation {
    api.operations
        .iter()
        .find(|op| op.short_name == short_name)
        .unwrap_or_else(|| panic!("no {short_name}"))
}

#[test]
fn versions_formats_sunsets_and_previews_reach_the_table() {
    let api = api();
    let report = op(&api, "getReport");
    assert_eq!(report.api_versions, ["2023-01-01", "2024-05-30", "preview"]);
    let media: Vec<_> = report
        .version_media
        .iter()
        .map(|v| {
            (
                v.version.as_str(),
                v.formats.join("/"),
                v.sunset.as_deref(),
                v.public_preview,
            )
        })
        .collect();
    assert_eq!(
        media,
        [
            (
                "2023-01-01",
                "csv/json".to_owned(),
                Some("2026-01-01"),
                false
            ),
            ("2024-05-30", "json".to_owned(), None, false),
            ("preview", "gzip".to_owned(), None, true),
        ]
    );
    // Other formats go through the builder's `send_as`: the generated
    // version (2024-05-30) has JSON; CSV is 2023-01-01's, gzip the preview's.
    assert_eq!(
        report.other_formats().into_iter().collect::<Vec<_>>(),
        ["csv", "gzip"]
    );
    assert_eq!(
        send_as_accepts(report),
        [
            ("csv", "application/vnd.atlas.2023-01-01+csv".to_owned()),
            ("gzip", "application/vnd.atlas.preview+gzip".to_owned()),
            ("json", "application/vnd.atlas.2024-05-30+json".to_owned()),
        ]
    );
    assert!(op(&api, "getPair").other_formats().is_empty());
}

#[test]
fn aliases_skip_other_flags_earlier_aliases_and_reserved_flags() {
    let api = api();
    // The overlay's --projectId for groupId ...
    assert_eq!(aliases(op(&api, "getReport"), 0), ["projectId"]);
    // ... except where projectId is a parameter; never a reserved flag
    // (--version).
    let pair = op(&api, "getPair");
    assert!(reserved_flags().contains(&"version"));
    assert_eq!(aliases(pair, 0), ["project"]);
    assert_eq!(aliases(pair, 1), Vec::<String>::new());
    assert_eq!(aliases(pair, 9), Vec::<String>::new(), "no such parameter");
    // A parameter named like a reserved flag gets `Param` appended.
    assert_eq!(flag_of("version"), "versionParam");
    assert_eq!(flag_of("groupId"), "groupId");
}

#[test]
fn equal_flags_share_one_static_and_others_are_numbered() {
    let api = api();
    let (report, pair) = (op(&api, "getReport"), op(&api, "getPair"));
    let report_group = ArgData::new(&api, report, 0, &report.params[0]);
    let pair_group = ArgData::new(&api, pair, 0, &pair.params[0]);
    assert_eq!(
        (
            report_group.id.as_str(),
            report_group.location,
            report_group.required
        ),
        ("groupId", "Path", true)
    );
    assert_eq!(report_group.value_name, "GROUP_ID");
    assert_eq!((report_group.kind, report_group.list), ("Text", false));
    // Same parameter, other aliases: two flags.
    assert_ne!(report_group, pair_group);
    let rt = super::ident("rt");
    let mut table = ArgTable::default();
    let first = table.intern(report_group.clone(), &rt);
    let again = table.intern(report_group, &rt);
    let other = table.intern(pair_group, &rt);
    assert_eq!(first, again);
    assert_eq!(
        (first.to_string(), other.to_string()),
        ("GROUP_ID".to_owned(), "GROUP_ID_2".to_owned())
    );
    assert_eq!(table.items.len(), 2);
}

#[test]
fn own_item_names_avoid_tag_modules() {
    let api = api();
    let names = Names {
        rt: super::free_name("rt", &api),
        args: super::free_name("args", &api),
    };
    assert_eq!(
        (names.rt.to_string(), names.args.to_string()),
        ("rt".to_owned(), "args".to_owned())
    );
    let mut clash = api.clone();
    if let Some(def) = clash.features.values_mut().next() {
        def.module = "rt".to_owned();
    }
    assert_eq!(super::free_name("rt", &clash).to_string(), "rt_");
}

#[test]
fn cli_file_snapshot() {
    let api = api();
    let file = crate::format::format_file(emit_cli(&api), "fixture.yaml").expect("formats");
    insta::assert_snapshot!(file);
}
