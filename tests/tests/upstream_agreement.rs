//! `spec/` is written by us; this checks it against the upstream fragment on
//! everything that shapes generated code.

use atlas_tests::{differences, operation_shape, read_doc, specs_dir, workspace_root, NEEDS_SPECS};

const PATH: &str = "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports";

/// Every operation of the backup-export workflow: path, method and the
/// per-operation upstream fragment.
const OPERATIONS: [(&str, &str, &str); 8] = [
    (PATH, "post", "createBackupExport"),
    (PATH, "get", "listBackupExports"),
    (
        "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports/{exportId}",
        "get",
        "getBackupExport",
    ),
    (
        "/api/atlas/v2/groups/{groupId}/backup/exportBuckets",
        "post",
        "createExportBucket",
    ),
    (
        "/api/atlas/v2/groups/{groupId}/backup/exportBuckets",
        "get",
        "listExportBuckets",
    ),
    (
        "/api/atlas/v2/groups/{groupId}/backup/exportBuckets/{exportBucketId}",
        "get",
        "getExportBucket",
    ),
    (
        "/api/atlas/v2/groups/{groupId}/backup/exportBuckets/{exportBucketId}",
        "delete",
        "deleteExportBucket",
    ),
    (
        "/api/atlas/v2/groups/{groupId}/backup/exportBuckets/{exportBucketId}",
        "patch",
        "updateBackupExportBucket",
    ),
];

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn spec_agrees_with_upstream_create_backup_export() {
    let _ = NEEDS_SPECS;
    let upstream = read_doc(&specs_dir().join("createBackupExport-fragment.yaml"));
    let ours = read_doc(&workspace_root().join("spec/atlas-admin-api.yaml"));
    let theirs = operation_shape(&upstream, PATH, "post");
    let mine = operation_shape(&ours, PATH, "post");
    let diffs = differences(&theirs, &mine);
    assert!(
        diffs.is_empty(),
        "spec/ disagrees with upstream createBackupExport (upstream vs ours):\n{}",
        diffs.join("\n")
    );
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn spec_agrees_with_upstream_on_every_backup_export_operation() {
    let _ = NEEDS_SPECS;
    let upstream = read_doc(&specs_dir().join("backupExports-all-fragment.yaml"));
    let ours = read_doc(&workspace_root().join("spec/atlas-admin-api.yaml"));
    let mut report = Vec::new();
    for (path, method, name) in OPERATIONS {
        let theirs = operation_shape(&upstream, path, method);
        let mine = operation_shape(&ours, path, method);
        assert_eq!(
            mine[atlas_codegen::extensions::OPERATION_ID_OVERRIDE],
            name,
            "{method} {path} is not {name}"
        );
        for diff in differences(&theirs, &mine) {
            report.push(format!("{name}: {diff}"));
        }
    }
    assert!(
        report.is_empty(),
        "spec/ disagrees with upstream (upstream vs ours):\n{}",
        report.join("\n")
    );
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn each_operation_agrees_with_its_own_upstream_fragment() {
    let ours = read_doc(&workspace_root().join("spec/atlas-admin-api.yaml"));
    for (path, method, name) in OPERATIONS {
        let upstream = read_doc(&specs_dir().join(format!("{name}-fragment.yaml")));
        let diffs = differences(
            &operation_shape(&upstream, path, method),
            &operation_shape(&ours, path, method),
        );
        assert!(
            diffs.is_empty(),
            "{name} (upstream vs ours):\n{}",
            diffs.join("\n")
        );
    }
}

#[test]
fn spec_holds_exactly_the_workflow_operations() {
    let ours = read_doc(&workspace_root().join("spec/atlas-admin-api.yaml"));
    let mut found = Vec::new();
    for (path, item) in ours["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            found.push((
                path.clone(),
                method.clone(),
                atlas_codegen::extensions::operation_id_override(op)
                    .unwrap_or("")
                    .to_owned(),
            ));
        }
    }
    found.sort();
    let mut expected: Vec<_> = OPERATIONS
        .iter()
        .map(|(p, m, n)| (p.to_string(), m.to_string(), n.to_string()))
        .collect();
    expected.sort();
    assert_eq!(found, expected);
}

#[test]
fn shape_comparison_notices_a_changed_pattern() {
    // The comparison itself must be able to fail.
    let mut ours = read_doc(&workspace_root().join("spec/atlas-admin-api.yaml"));
    let before = operation_shape(&ours, PATH, "post");
    *ours
        .pointer_mut("/components/schemas/DiskBackupExportJobRequest/properties/snapshotId/pattern")
        .expect("snapshotId has a pattern") = serde_json::json!("^x$");
    let after = operation_shape(&ours, PATH, "post");
    let diffs = differences(&before, &after);
    assert_eq!(
        diffs,
        ["/schemas/DiskBackupExportJobRequest/properties/snapshotId/pattern: \"^([a-f0-9]{24})$\" vs \"^x$\""]
    );
}

#[test]
fn shape_covers_every_schema_of_the_operation() {
    let ours = read_doc(&workspace_root().join("spec/atlas-admin-api.yaml"));
    let shape = operation_shape(&ours, PATH, "post");
    let mut names: Vec<&String> = shape["schemas"]
        .as_object()
        .expect("schemas")
        .keys()
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "ApiError",
            "BackupLabel",
            "BadRequestDetail",
            "DiskBackupExportJob",
            "DiskBackupExportJobRequest",
            "DiskBackupExportMember",
            "ExportStatus",
            "FieldViolation",
            "Link",
            "StateReason"
        ]
    );
    assert_eq!(shape["responses"].as_object().map(|r| r.len()), Some(8));
    assert_eq!(shape["parameters"].as_object().map(|p| p.len()), Some(3));
    assert_eq!(
        shape["responses"]["429"]["headers"]
            .as_object()
            .map(|h| h.len()),
        Some(3),
        "{}",
        shape["responses"]["429"]
    );
}
