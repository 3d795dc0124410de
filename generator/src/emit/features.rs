//! Which feature compiles what: the types each feature alone uses (they
//! live in its models module) and the `#[cfg]` attributes that gate a type
//! or an item. Shared by the emitters of the models, the CLI and `mod.rs`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::Api;

/// The feature that alone uses a type (or validated string type), given
/// the features that use it (`api.type_features`), when there are several
/// features: the type then lives in that feature's models module, which is
/// compiled only with the feature.
pub(super) fn sole_feature<'a>(api: &Api, users: &'a BTreeSet<String>) -> Option<&'a str> {
    match users.first() {
        Some(feature) if users.len() == 1 && api.features.len() > 1 => Some(feature.as_str()),
        _ => None,
    }
}

/// The names of the types each feature alone uses.
pub(super) fn feature_model_groups(api: &Api) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut groups: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, users) in &api.type_features {
        if let Some(feature) = sole_feature(api, users) {
            groups.entry(feature).or_default().insert(name.as_str());
        }
    }
    groups
}

/// The names of the types `feature` alone uses (one group of
/// [`feature_model_groups`], without building the others).
pub(super) fn types_alone_in<'a>(api: &'a Api, feature: &str) -> BTreeSet<&'a str> {
    api.type_features
        .iter()
        .filter(|(_, users)| sole_feature(api, users) == Some(feature))
        .map(|(name, _)| name.as_str())
        .collect()
}

/// `#[cfg(feature = "a")]`, or `#[cfg(any(feature = "a", ...))]` for several.
pub(super) fn cfg_any(features: &BTreeSet<String>) -> TokenStream {
    match features.iter().collect::<Vec<_>>().as_slice() {
        [one] => quote! { #[cfg(feature = #one)] },
        many => quote! { #[cfg(any(#(feature = #many),*))] },
    }
}

/// The `#[cfg]` that compiles a type only with the features that use it.
pub(super) fn cfg_for(api: &Api, name: &str) -> TokenStream {
    match api.type_features.get(name) {
        Some(set) if !set.is_empty() && set.len() < api.features.len() => cfg_any(set),
        _ => TokenStream::new(),
    }
}
