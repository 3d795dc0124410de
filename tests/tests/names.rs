//! Public names of the whole-API crate: named for what they hold, never
//! numbered, and stable when the spec grows (`lower/newtype_names.rs`).

use std::collections::BTreeSet;
use std::path::Path;

use atlas_codegen::ir::Api;
use atlas_codegen::names::type_name;
use atlas_codegen::spec_tools::{extract, operations, read_document, to_yaml, Document};
use atlas_tests::specs_dir;

fn lower(doc: &Document, names: &[String]) -> Api {
    let extracted = extract(doc, names).unwrap_or_else(|f| panic!("{f}"));
    let file = Path::new("extracted.yaml");
    let text = to_yaml(file, &extracted.root).unwrap_or_else(|f| panic!("{f}"));
    let spec = atlas_codegen::load::parse(file, &text).unwrap_or_else(|f| panic!("{f}"));
    atlas_codegen::lower::lower(&spec)
        .unwrap_or_else(|f| panic!("{f}"))
        .api
}

/// Every public type name: models and validated strings.
fn public_names(api: &Api) -> BTreeSet<String> {
    api.types
        .keys()
        .chain(api.newtypes.keys())
        .cloned()
        .collect()
}

/// Tags whose operations make the base spec; the last operation of each is
/// held back and added alone (several bring a second pattern for a concept
/// the base already names: `invoiceId`, `endpointId`, the upper-case
/// `groupId` of the standby links, a flex cluster's `name`).
const TAGS: &[&str] = &[
    "Clusters",
    "Projects",
    "Invoices",
    "Private Endpoint Services",
    "Standby Links",
    "Flex Clusters",
    "Teams",
    "Project IP Access List",
];

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn adding_an_operation_renames_nothing() {
    let doc = read_document(&specs_dir().join("atlas-api-v2-combined.yaml"))
        .unwrap_or_else(|f| panic!("{f}"));
    let all = operations(&doc.root);
    let mut base = Vec::new();
    let mut held_back = Vec::new();
    for tag in TAGS {
        let mut of_tag: Vec<String> = all
            .iter()
            .filter(|e| {
                e.op.get("tags")
                    .and_then(|t| t.get(0))
                    .and_then(|t| t.as_str())
                    == Some(tag)
            })
            .map(|e| e.short_name())
            .collect();
        let last = of_tag
            .pop()
            .unwrap_or_else(|| panic!("no operation tagged {tag}"));
        base.extend(of_tag);
        held_back.push(last);
    }
    // One known to bring a second `invoiceId` pattern, wherever it is.
    if !held_back.iter().any(|n| n == "getInvoiceCsv") {
        base.retain(|n| n != "getInvoiceCsv");
        held_back.push("getInvoiceCsv".into());
    }
    let before = public_names(&lower(&doc, &base));
    let validated_before: BTreeSet<String> = lower(&doc, &base).newtypes.keys().cloned().collect();
    assert!(validated_before.len() > 20, "{validated_before:?}");
    for added in &held_back {
        let mut grown = base.clone();
        grown.push(added.clone());
        let after = public_names(&lower(&doc, &grown));
        let lost: Vec<&String> = before.difference(&after).collect();
        assert!(
            lost.is_empty(),
            "adding {added} renamed or removed public types: {lost:?}"
        );
    }
}

/// The names a spec gives its schemas, as Rust names: the only public names
/// that may end in a digit (`ClusterDescription20240805`).
fn spec_names(doc: &Document) -> BTreeSet<String> {
    doc.root["components"]["schemas"]
        .as_object()
        .map(|schemas| schemas.keys().map(|k| type_name(k)).collect())
        .unwrap_or_default()
}

#[test]
#[ignore = "needs ATLAS_SPECS_DIR (upstream Atlas specs)"]
fn no_public_name_of_the_whole_api_is_numbered() {
    let path = specs_dir().join("atlas-api-v2-combined.yaml");
    let doc = read_document(&path).unwrap_or_else(|f| panic!("{f}"));
    let spec = atlas_codegen::load::load(&path).unwrap_or_else(|f| panic!("{f}"));
    let api = atlas_codegen::lower::lower(&spec)
        .unwrap_or_else(|f| panic!("{f}"))
        .api;
    let own = spec_names(&doc);
    let numbered: Vec<String> = public_names(&api)
        .into_iter()
        .filter(|n| n.ends_with(|c: char| c.is_ascii_digit()) && !own.contains(n))
        .collect();
    assert!(numbered.is_empty(), "numbered public names: {numbered:?}");
    // Validated types: none numbered at all, one per (concept, pattern),
    // and the ones the issue names are what they hold.
    for name in api.newtypes.keys() {
        assert!(!name.ends_with(|c: char| c.is_ascii_digit()), "{name}");
    }
    for (name, expected) in [("GroupId", "^([a-f0-9]{24})$"), ("ClusterName", "")] {
        let n = api
            .newtypes
            .get(name)
            .unwrap_or_else(|| panic!("no {name}"));
        assert!(
            expected.is_empty() || n.pattern == expected,
            "{name}: {}",
            n.pattern
        );
    }
    // `name` of the cluster request body has the pattern of the
    // `clusterName` parameter: it is a `ClusterName`.
    let body = api
        .types
        .values()
        .find_map(|def| match def {
            atlas_codegen::ir::TypeDef::Struct(s)
                if s.name == "ClusterDescription20240805Request" =>
            {
                Some(s)
            }
            _ => None,
        })
        .expect("ClusterDescription20240805Request");
    let name = body
        .fields
        .iter()
        .find(|f| f.wire_name == "name")
        .expect("name");
    assert_eq!(
        name.ty,
        atlas_codegen::ir::Type::Newtype("ClusterName".into())
    );
    // Same-pattern types convert into each other.
    let group = &api.newtypes["GroupId"];
    assert!(
        group.same_pattern.contains(&"OrgId".to_owned()),
        "{:?}",
        group.same_pattern
    );
    // Every doc link of the IR is absolute (or plain text).
    let mut docs: Vec<&str> = Vec::new();
    for def in api.types.values() {
        if let atlas_codegen::ir::TypeDef::Struct(s) = def {
            docs.extend(s.doc.as_deref());
            docs.extend(s.fields.iter().filter_map(|f| f.doc.as_deref()));
        }
    }
    for op in &api.operations {
        docs.extend(op.params.iter().filter_map(|p| p.doc.as_deref()));
        docs.extend(op.description.as_deref());
    }
    docs.extend(api.newtypes.values().filter_map(|n| n.doc.as_deref()));
    let relative: Vec<&&str> = docs.iter().filter(|d| d.contains("](#")).collect();
    assert!(
        relative.is_empty(),
        "{} docs with fragment links, e.g. {:?}",
        relative.len(),
        relative.first()
    );
}
