//! Cargo features: one per tag, and the types each feature needs.

use super::*;

/// Puts each operation in the feature of its first tag and works out which
/// features need each type (and which optional dependencies each needs).
pub(super) fn assign_features(api: &mut Api) {
    use heck::{ToKebabCase, ToSnakeCase};
    let mut module_scope = NameScope::with_reserved(["mod", "full"]);
    let mut by_tag: BTreeMap<String, String> = BTreeMap::new();
    let mut tags: BTreeSet<String> = BTreeSet::new();
    for op in &api.operations {
        tags.insert(op.tag.clone().unwrap_or_else(|| "Other".to_owned()));
    }
    for tag in tags {
        let mut feature = crate::names::field_name(&tag).to_kebab_case();
        if feature.is_empty() || feature == "full" || feature == "default" {
            feature = format!("tag-{feature}");
        }
        let module = module_scope.take(&crate::names::field_name(&feature.to_snake_case()));
        by_tag.insert(tag.clone(), feature.clone());
        api.features.insert(
            feature,
            Feature {
                tag,
                module,
                dependencies: BTreeSet::new(),
            },
        );
    }
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
    for op in &mut api.operations {
        let tag = op.tag.clone().unwrap_or_else(|| "Other".to_owned());
        let feature = by_tag.get(&tag).cloned().unwrap_or_default();
        op.feature = feature.clone();
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
