//! The names of validated string types, decided once every use is known.
//!
//! While lowering, each patterned string is recorded as a [`Use`]: the
//! concept it holds (the parameter, or the field; a generic field such as
//! `id` or `name` is the owner's: `ClusterDescription` + `Name`), its
//! pattern, and where it is (the owning schema, or the operation). Its type
//! is a placeholder until [`name_all`] names every use from the whole set,
//! so that no name depends on the order the spec lists things in:
//!
//! - One concept with one pattern is one type named for the concept
//!   (`GroupId`, `ClusterName`).
//! - A generic field whose owner names a parameter's concept with the same
//!   pattern is that concept (`name` of `ClusterDescription20240805` with
//!   the pattern of the `clusterName` parameter is `ClusterName`).
//! - A concept with several patterns keeps its plain name for the pattern
//!   its parameters use (else the one most owners use, then the first in
//!   text order); each other use is named for its owner and the concept
//!   (`CloudProviderAccessRoleRoleId`). Never a number.
//!
//! A name taken by a model type gets `Value` (`IpAddressValue`). Distinct
//! validated types with the same pattern convert into each other
//! ([`crate::ir::Newtype::same_pattern`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{Api, Newtype, Type, TypeDef};
use crate::names::type_name;
use crate::pattern::PatternPlan;

/// Fields whose name says nothing without their owner.
const GENERIC_FIELDS: &[&str] = &[
    "Id",
    "Name",
    "Key",
    "Value",
    "Type",
    "Identifier",
    "Description",
];

/// Where a patterned string is used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Site {
    /// A parameter of an operation: the operation's tag (as a type name),
    /// and for a path parameter the resource the path segment before it
    /// names, singular (`/flexClusters/{name}`: `FlexCluster`).
    Param {
        tag: String,
        segment: Option<String>,
        /// The items of a list parameter.
        item: bool,
    },
    /// A field (or union member, map value) of a type so named.
    Property(String),
    /// The items of a list field of a type so named (`clusterIds`: each is
    /// a `ClusterId`).
    Item(String),
    /// A whole request or response body (the type name it would get).
    Body(String),
}

impl Site {
    /// The site of parameter `name` of an operation tagged `tag` at `path`.
    pub fn param(tag: &str, path: &str, name: &str) -> Self {
        let var = format!("{{{name}}}");
        let segment = path.find(&var).and_then(|at| {
            let before = path[..at].trim_end_matches('/');
            let segment = before.rsplit('/').next()?;
            (!segment.contains('{') && !segment.is_empty()).then(|| singular(&type_name(segment)))
        });
        Site::Param {
            tag: type_name(tag),
            segment,
            item: false,
        }
    }

    /// The site of the items of a list at this site.
    pub fn item(&self) -> Self {
        match self {
            Site::Property(owner) => Site::Item(owner.clone()),
            Site::Param { tag, segment, .. } => Site::Param {
                tag: tag.clone(),
                segment: segment.clone(),
                item: true,
            },
            other => other.clone(),
        }
    }

    /// The name that qualifies a concept used here.
    fn place(&self) -> &str {
        match self {
            Site::Param { tag, .. } => tag,
            Site::Property(owner) | Site::Item(owner) => qualifier(owner),
            Site::Body(hint) => hint,
        }
    }
}

/// A plural type name made singular (`FlexClusters` -> `FlexCluster`,
/// `QueryShapeHashes` -> `QueryShapeHash`, `Policies` -> `Policy`).
fn singular(name: &str) -> String {
    if let Some(stem) = name.strip_suffix("ies") {
        return format!("{stem}y");
    }
    for ending in ["sses", "shes", "ches", "xes"] {
        if let Some(stem) = name.strip_suffix(ending) {
            return format!("{stem}{}", &ending[..ending.len() - 2]);
        }
    }
    match name.strip_suffix('s') {
        Some(stem) if !stem.ends_with('s') && !stem.is_empty() => stem.to_owned(),
        _ => name.to_owned(),
    }
}

/// MongoDB's object ids: a pattern of 24 hexadecimal digits.
fn is_object_id(pattern: &str) -> bool {
    let inner = pattern
        .trim_start_matches('^')
        .trim_end_matches('$')
        .trim_start_matches('(')
        .trim_end_matches(')');
    [
        "[a-f0-9]{24}",
        "[0-9a-f]{24}",
        "[a-fA-F0-9]{24}",
        "[0-9a-fA-F]{24}",
    ]
    .contains(&inner)
}

/// One patterned string (a distinct concept, pattern and place).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Use {
    /// The spec's field or parameter name.
    pub field: String,
    /// The pattern.
    pub pattern: String,
    /// Where.
    pub site: Site,
}

/// What lowering records of each [`Use`].
#[derive(Debug, Clone)]
pub(super) struct Recorded {
    pub plan: PatternPlan,
    pub doc: Option<String>,
}

/// The placeholder type name of the `index`th use (never a Rust name).
pub(super) fn placeholder(index: usize) -> String {
    format!("\u{0}newtype{index}")
}

fn placeholder_index(name: &str) -> Option<usize> {
    name.strip_prefix("\u{0}newtype")?.parse().ok()
}

/// An owner's name as a concept's qualifier: without the `Request` and
/// `Response` its views add.
fn qualifier(owner: &str) -> &str {
    owner
        .strip_suffix("Request")
        .or_else(|| owner.strip_suffix("Response"))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(owner)
}

/// The words of an UpperCamelCase name (`ClusterDescription20240805` ->
/// `Cluster`, `Description`, `20240805`).
fn words(name: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = name.as_bytes();
    for i in 1..bytes.len() {
        let (prev, cur) = (bytes[i - 1], bytes[i]);
        let boundary = (cur.is_ascii_uppercase() && !prev.is_ascii_uppercase())
            || (cur.is_ascii_digit() != prev.is_ascii_digit());
        if boundary {
            out.push(&name[start..i]);
            start = i;
        }
    }
    out.push(&name[start..]);
    out
}

/// The concept a use holds, before patterns are compared.
fn concept(u: &Use) -> String {
    let field = type_name(&u.field);
    let generic = GENERIC_FIELDS.contains(&field.as_str());
    match &u.site {
        Site::Param { item: true, .. } => one_of_list(&field, &u.pattern),
        Site::Param {
            segment: Some(segment),
            ..
        } if generic => format!("{segment}{field}"),
        Site::Param { .. } => field,
        Site::Property(owner) if generic => format!("{}{field}", qualifier(owner)),
        Site::Property(_) => field,
        // Each item of `clusterIds` is a `ClusterId`; of `clusters`
        // (object ids), a `ClusterId` too.
        Site::Item(owner) => {
            let one = one_of_list(&field, &u.pattern);
            if GENERIC_FIELDS.contains(&one.as_str()) {
                format!("{}{one}", qualifier(owner))
            } else {
                one
            }
        }
        Site::Body(hint) => hint.clone(),
    }
}

/// What one item of a list field holds: the field singular, and an object
/// id's `Id` where the name does not say it.
fn one_of_list(field: &str, pattern: &str) -> String {
    let one = singular(field);
    if is_object_id(pattern) && !one.ends_with("Id") && !GENERIC_FIELDS.contains(&one.as_str()) {
        format!("{one}Id")
    } else {
        one
    }
}

/// The final Rust name of each use (by index), from the whole set.
/// `taken` holds the names of model types.
fn decide(uses: &[Use], taken: &BTreeSet<String>) -> Vec<String> {
    // Concepts of parameters with their patterns.
    let mut param_patterns: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for u in uses {
        if let Site::Param { .. } = u.site {
            param_patterns
                .entry(concept(u))
                .or_default()
                .insert(&u.pattern);
        }
    }
    // A generic field of an owner whose leading words name a parameter's
    // concept with this pattern is that concept (the longest such).
    let concepts: Vec<String> = uses
        .iter()
        .map(|u| {
            let plain = concept(u);
            let field = type_name(&u.field);
            let Site::Property(owner) = &u.site else {
                return plain;
            };
            if !GENERIC_FIELDS.contains(&field.as_str()) {
                return plain;
            }
            let owner_words = words(qualifier(owner));
            (1..=owner_words.len())
                .rev()
                .map(|n| format!("{}{field}", owner_words[..n].concat()))
                .find(|candidate| {
                    param_patterns
                        .get(candidate)
                        .is_some_and(|p| p.contains(u.pattern.as_str()))
                })
                .unwrap_or(plain)
        })
        .collect();
    // One concept however its field is cased (`hostname`, `hostName`):
    // a parameter's spelling, else the first in text order.
    let mut spellings: BTreeMap<String, (bool, String)> = BTreeMap::new();
    for (u, c) in uses.iter().zip(&concepts) {
        let is_param = matches!(u.site, Site::Param { .. });
        let entry = spellings
            .entry(c.to_lowercase())
            .or_insert_with(|| (is_param, c.clone()));
        if (is_param, std::cmp::Reverse(c)) > (entry.0, std::cmp::Reverse(&entry.1)) {
            *entry = (is_param, c.clone());
        }
    }
    let concepts: Vec<String> = concepts
        .iter()
        .map(|c| spellings[&c.to_lowercase()].1.clone())
        .collect();
    // The pattern keeping each concept's plain name.
    let mut by_concept: BTreeMap<&str, BTreeMap<&str, (bool, BTreeSet<&Site>)>> = BTreeMap::new();
    for (u, c) in uses.iter().zip(&concepts) {
        let entry = by_concept
            .entry(c.as_str())
            .or_default()
            .entry(u.pattern.as_str())
            .or_default();
        entry.0 |= matches!(u.site, Site::Param { .. });
        entry.1.insert(&u.site);
    }
    let plain_pattern: BTreeMap<&str, &str> = by_concept
        .iter()
        .map(|(c, patterns)| {
            let best = patterns
                .iter()
                .max_by(|(pa, (param_a, sites_a)), (pb, (param_b, sites_b))| {
                    param_a
                        .cmp(param_b)
                        .then(sites_a.len().cmp(&sites_b.len()))
                        // The first in text order wins a tie.
                        .then(pb.cmp(pa))
                })
                .map(|(p, _)| *p)
                .unwrap_or_default();
            (*c, best)
        })
        .collect();
    let mut names: Vec<String> = uses
        .iter()
        .zip(&concepts)
        .map(|(u, c)| {
            let name = if plain_pattern.get(c.as_str()) == Some(&u.pattern.as_str()) {
                c.clone()
            } else {
                let place = u.site.place();
                if c.starts_with(place) {
                    format!("{c}Pattern")
                } else {
                    format!("{place}{c}")
                }
            };
            if taken.contains(&name) {
                format!("{name}Value")
            } else {
                name
            }
        })
        .collect();
    // Two concepts that came to one name with different patterns (rare):
    // the uses of the pattern that did not keep it are named for their
    // place too, until every name has one pattern.
    for _ in 0..4 {
        let mut patterns: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (u, n) in uses.iter().zip(&names) {
            patterns.entry(n).or_default().insert(&u.pattern);
        }
        let clashing: BTreeMap<String, String> = patterns
            .into_iter()
            .filter(|(_, p)| p.len() > 1)
            .map(|(n, p)| {
                (
                    n.to_owned(),
                    p.first().copied().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        if clashing.is_empty() {
            break;
        }
        for (u, n) in uses.iter().zip(names.iter_mut()) {
            if clashing
                .get(n.as_str())
                .is_some_and(|keep| *keep != u.pattern)
            {
                let place = u.site.place();
                *n = if n.starts_with(place) {
                    format!("{n}Value")
                } else {
                    format!("{place}{n}")
                };
            }
        }
    }
    names
}

fn rename(ty: &mut Type, names: &[String]) {
    match ty {
        Type::Newtype(name) => {
            if let Some(i) = placeholder_index(name) {
                if let Some(new) = names.get(i) {
                    *name = new.clone();
                }
            }
        }
        Type::Vec(inner) | Type::Map(inner) | Type::Nullable(inner) => rename(inner, names),
        _ => {}
    }
}

/// Names every recorded use and puts the validated types into `api`,
/// replacing the placeholders everywhere.
pub(super) fn name_all(api: &mut Api, uses: &[(Use, Recorded)]) {
    let plain: Vec<Use> = uses.iter().map(|(u, _)| u.clone()).collect();
    let taken: BTreeSet<String> = api.types.keys().cloned().collect();
    let names = decide(&plain, &taken);
    for def in api.types.values_mut() {
        match def {
            TypeDef::Struct(s) => s.fields.iter_mut().for_each(|f| rename(&mut f.ty, &names)),
            TypeDef::Union(u) => u
                .variants
                .iter_mut()
                .for_each(|v| rename(&mut v.ty, &names)),
            TypeDef::Wrapper(w) => rename(&mut w.ty, &names),
            TypeDef::Enum(_) | TypeDef::Alias(_) => {}
        }
    }
    for op in &mut api.operations {
        op.params.iter_mut().for_each(|p| rename(&mut p.ty, &names));
        if let Some(body) = &mut op.body {
            rename(&mut body.ty, &names);
        }
        for case in &mut op.success {
            if let Some(ty) = &mut case.ty {
                rename(ty, &names);
            }
        }
        if let Some(ty) = &mut op.success_type {
            rename(ty, &names);
        }
        rename(&mut op.error_type, &names);
        if let Some(p) = &mut op.pagination {
            rename(&mut p.item, &names);
        }
    }
    for example in &mut api.examples {
        rename(&mut example.ty, &names);
    }
    // One type per name: the doc of a parameter first, else of the first
    // use in (site, field) order.
    let mut order: Vec<usize> = (0..uses.len()).collect();
    order.sort_by_key(|&i| {
        let (u, _) = &uses[i];
        (
            !matches!(u.site, Site::Param { .. }),
            u.site.clone(),
            u.field.clone(),
        )
    });
    for i in order {
        let (u, recorded) = &uses[i];
        let name = &names[i];
        let entry = api.newtypes.entry(name.clone()).or_insert_with(|| Newtype {
            name: name.clone(),
            field: u.field.clone(),
            pattern: u.pattern.clone(),
            plan: recorded.plan.clone(),
            doc: None,
            same_pattern: Vec::new(),
        });
        if entry.doc.is_none() {
            entry.doc = recorded.doc.clone();
        }
    }
    let mut by_pattern: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in api.newtypes.values() {
        by_pattern
            .entry(n.pattern.clone())
            .or_default()
            .push(n.name.clone());
    }
    for n in api.newtypes.values_mut() {
        n.same_pattern = by_pattern[&n.pattern]
            .iter()
            .filter(|other| **other != n.name)
            .cloned()
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "^([a-f0-9]{24})$";
    const HEX_ANY_CASE: &str = "^([a-fA-F0-9]{24})$";
    const CLUSTER: &str = "^[a-zA-Z0-9][a-zA-Z0-9-]*$";

    fn param(field: &str, pattern: &str) -> Use {
        Use {
            field: field.into(),
            pattern: pattern.into(),
            site: Site::param("Things", "/things/{x}", field),
        }
    }

    fn prop(owner: &str, field: &str, pattern: &str) -> Use {
        Use {
            field: field.into(),
            pattern: pattern.into(),
            site: Site::Property(owner.into()),
        }
    }

    #[test]
    fn names_say_what_they_hold() {
        let uses = [
            param("groupId", HEX),
            param("clusterName", CLUSTER),
            prop("ClusterDescription20240805Request", "name", CLUSTER),
            prop("ClusterDescription20240805", "id", HEX),
            prop("Invoice", "groupId", HEX_ANY_CASE),
            prop("Team", "groupId", HEX),
            prop("IpAddress", "ipAddress", "^x$"),
        ];
        let taken = BTreeSet::from(["IpAddress".to_owned()]);
        let names = decide(&uses, &taken);
        assert_eq!(
            names,
            [
                "GroupId",
                "ClusterName",
                "ClusterName",
                "ClusterDescription20240805Id",
                "InvoiceGroupId",
                "GroupId",
                "IpAddressValue",
            ]
        );
    }

    #[test]
    fn names_do_not_depend_on_order() {
        let mut uses = vec![
            prop("Role", "roleId", HEX),
            prop("Access", "roleId", HEX_ANY_CASE),
            prop("Other", "roleId", HEX),
            param("groupId", HEX),
        ];
        let forward: BTreeMap<Use, String> = uses
            .iter()
            .cloned()
            .zip(decide(&uses, &BTreeSet::new()))
            .collect();
        uses.reverse();
        let backward: BTreeMap<Use, String> = uses
            .iter()
            .cloned()
            .zip(decide(&uses, &BTreeSet::new()))
            .collect();
        assert_eq!(forward, backward);
        // Two owners use the lower-case pattern: it keeps `RoleId`.
        assert_eq!(
            forward[&prop("Access", "roleId", HEX_ANY_CASE)],
            "AccessRoleId"
        );
        assert_eq!(forward[&prop("Role", "roleId", HEX)], "RoleId");
    }

    #[test]
    fn lists_and_paths_name_what_one_item_is() {
        assert_eq!(singular("FlexClusters"), "FlexCluster");
        assert_eq!(singular("QueryShapeHashes"), "QueryShapeHash");
        assert_eq!(singular("Policies"), "Policy");
        assert_eq!(singular("Address"), "Address");
        assert_eq!(one_of_list("ClusterIds", HEX), "ClusterId");
        assert_eq!(one_of_list("Projects", HEX), "ProjectId");
        assert_eq!(one_of_list("Hostnames", "^x$"), "Hostname");
        let site = Site::param(
            "Flex Clusters",
            "/groups/{groupId}/flexClusters/{name}",
            "name",
        );
        assert_eq!(
            site,
            Site::Param {
                tag: "FlexClusters".into(),
                segment: Some("FlexCluster".into()),
                item: false,
            }
        );
        let name = Use {
            field: "name".into(),
            pattern: CLUSTER.into(),
            site,
        };
        assert_eq!(concept(&name), "FlexClusterName");
        assert!(is_object_id("^([a-f0-9]{24})$") && is_object_id("^[a-fA-F0-9]{24}$"));
        assert!(!is_object_id("[0-9a-f]+"));
    }

    #[test]
    fn words_split_camel_case_and_digits() {
        assert_eq!(
            words("ClusterDescription20240805"),
            ["Cluster", "Description", "20240805"]
        );
    }
}
