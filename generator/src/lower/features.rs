//! Cargo features: one per tag, and the types each feature needs.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::ReferenceOr;

use crate::ir::{Api, Feature, TypeDef};
use crate::names::NameScope;

/// The cargo feature of every tag that operations of `api` have first (an
/// operation without tags is in `Other`), by feature name, as
/// [`Api::features`] holds them; modules are named in tag order, so they do
/// not depend on the order of paths.
pub(super) fn plan_features(api: &openapiv3::OpenAPI) -> BTreeMap<String, Feature> {
    use heck::{ToKebabCase, ToSnakeCase};
    let mut module_scope = NameScope::with_reserved(["mod", "full"]);
    let mut tags: BTreeSet<String> = BTreeSet::new();
    for (_, item) in api.paths.iter() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (_, op) in item.iter() {
            tags.insert(
                op.tags
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "Other".to_owned()),
            );
        }
    }
    let mut by_name = BTreeMap::new();
    for tag in tags {
        let mut feature = crate::names::field_name(&tag).to_kebab_case();
        if feature.is_empty() || feature == "full" || feature == "default" {
            feature = format!("tag-{feature}");
        }
        let module = module_scope.take(&crate::names::field_name(&feature.to_snake_case()));
        by_name.insert(
            feature,
            Feature {
                tag,
                module,
                dependencies: BTreeSet::new(),
            },
        );
    }
    by_name
}

/// The feature name of the operation with first tag `tag`.
pub(super) fn feature_of(features: &BTreeMap<String, Feature>, tag: Option<&str>) -> String {
    let tag = tag.unwrap_or("Other");
    features
        .iter()
        .find(|(_, f)| f.tag == tag)
        .map(|(name, _)| name.clone())
        .unwrap_or_default()
}

/// Works out which features need each type (and which optional
/// dependencies each feature needs), from the features operations are in.
pub(super) fn assign_type_features(api: &mut Api) {
    // What each type uses directly.
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, def) in &api.types {
        let mut out = BTreeSet::new();
        match def {
            TypeDef::Struct(s) => s
                .fields
                .iter()
                .for_each(|f| Api::referenced_names(&f.ty, &mut out)),
            TypeDef::Union(u) => u
                .variants
                .iter()
                .for_each(|v| Api::referenced_names(&v.ty, &mut out)),
            TypeDef::Alias(a) => {
                out.insert(a.target.clone());
            }
            TypeDef::Wrapper(w) => Api::referenced_names(&w.ty, &mut out),
            TypeDef::Enum(_) => {}
        }
        uses.insert(name.clone(), out);
    }
    let mut type_features: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for op in &api.operations {
        let feature = op.feature.clone();
        let mut stack: Vec<String> = Vec::new();
        let mut roots = BTreeSet::new();
        for p in &op.params {
            Api::referenced_names(&p.ty, &mut roots);
        }
        if let Some(b) = &op.body {
            Api::referenced_names(&b.ty, &mut roots);
        }
        if let Some(t) = &op.success_type {
            Api::referenced_names(t, &mut roots);
        }
        Api::referenced_names(&op.error_type, &mut roots);
        stack.extend(roots);
        while let Some(name) = stack.pop() {
            if type_features
                .entry(name.clone())
                .or_default()
                .insert(feature.clone())
            {
                if let Some(next) = uses.get(&name) {
                    stack.extend(next.iter().cloned());
                }
            }
        }
    }
    for (name, newtype) in &api.newtypes {
        let engine = match newtype.plan.engine() {
            Some(crate::pattern::Engine::Regex) => "regex",
            Some(crate::pattern::Engine::Regress) => "regress",
            None => continue,
        };
        for feature in type_features.get(name).into_iter().flatten() {
            if let Some(f) = api.features.get_mut(feature) {
                f.dependencies.insert(engine.to_owned());
            }
        }
    }
    api.type_features = type_features;
}
