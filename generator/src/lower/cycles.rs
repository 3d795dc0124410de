//! Breaking cycles of types: a field or union variant that leads back to
//! the type holding it without a list or map in between is boxed.

use std::collections::{BTreeMap, BTreeSet};

use super::Lowerer;
use crate::ir::{Type, TypeDef};

impl<'a> Lowerer<'a> {
    /// Boxes every field or union variant whose type leads back to the type
    /// holding it without a `Vec` or map in between.
    pub(super) fn box_cycles(&mut self) {
        let direct = |def: &TypeDef| -> Vec<String> {
            match def {
                TypeDef::Struct(s) => s
                    .fields
                    .iter()
                    .filter_map(|f| f.ty.direct_named().map(str::to_owned))
                    .collect(),
                TypeDef::Union(u) => u
                    .variants
                    .iter()
                    .filter_map(|v| v.ty.direct_named().map(str::to_owned))
                    .collect(),
                TypeDef::Enum(_) | TypeDef::Alias(_) | TypeDef::Wrapper(_) => Vec::new(),
            }
        };
        let edges: BTreeMap<String, Vec<String>> = self
            .out
            .types
            .iter()
            .map(|(name, def)| (name.clone(), direct(def)))
            .collect();
        // A field leads back to its holder exactly when both are in the same
        // strongly connected component of the "holds directly" graph.
        let component = strongly_connected(&edges);
        let reaches = |from: &str, to: &str| -> bool {
            matches!((component.get(from), component.get(to)), (Some(a), Some(b)) if a == b)
        };
        let mut to_box: Vec<(String, usize)> = Vec::new();
        for name in edges.keys() {
            let Some(def) = self.out.types.get(name) else {
                continue;
            };
            let tys: Vec<&Type> = match def {
                TypeDef::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
                TypeDef::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
                TypeDef::Enum(_) | TypeDef::Alias(_) | TypeDef::Wrapper(_) => Vec::new(),
            };
            for (i, ty) in tys.iter().enumerate() {
                if let Some(target) = ty.direct_named() {
                    if reaches(target, name) {
                        to_box.push((name.clone(), i));
                    }
                }
            }
        }
        for (name, i) in to_box {
            match self.out.types.get_mut(&name) {
                Some(TypeDef::Struct(s)) => {
                    if let Some(f) = s.fields.get_mut(i) {
                        f.boxed = true;
                    }
                }
                Some(TypeDef::Union(u)) => {
                    if let Some(v) = u.variants.get_mut(i) {
                        v.boxed = true;
                    }
                }
                _ => {}
            }
        }
    }
}

/// Kosaraju's algorithm, iteratively (no recursion, whatever the graph's
/// depth): the strongly connected component of every node, as an index.
pub(super) fn strongly_connected(edges: &BTreeMap<String, Vec<String>>) -> BTreeMap<&str, usize> {
    let mut order: Vec<&str> = Vec::with_capacity(edges.len());
    let mut visited: BTreeSet<&str> = BTreeSet::new();
    for start in edges.keys() {
        if !visited.insert(start) {
            continue;
        }
        // (node, index of the next edge to follow)
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        while let Some((node, next)) = stack.pop() {
            let targets = edges.get(node).map(Vec::as_slice).unwrap_or_default();
            if let Some(target) = targets.get(next) {
                stack.push((node, next + 1));
                if edges.contains_key(target.as_str()) && visited.insert(target) {
                    stack.push((target, 0));
                }
            } else {
                order.push(node);
            }
        }
    }
    let mut reverse: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, targets) in edges {
        for to in targets {
            if edges.contains_key(to.as_str()) {
                reverse.entry(to.as_str()).or_default().push(from.as_str());
            }
        }
    }
    let mut component: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, start) in order.into_iter().rev().enumerate() {
        if component.contains_key(start) {
            continue;
        }
        let mut stack = vec![start];
        component.insert(start, index);
        while let Some(node) = stack.pop() {
            for &from in reverse.get(node).map(Vec::as_slice).unwrap_or_default() {
                if !component.contains_key(from) {
                    component.insert(from, index);
                    stack.push(from);
                }
            }
        }
    }
    component
}
