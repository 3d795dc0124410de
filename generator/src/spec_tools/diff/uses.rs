//! Which named types the compared operations reach, and in which directions.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::read::{is_named, lookup, ref_of, schema_name, Dirs, MAX_DEPTH};

/// A walk from the schemas of some operations through every `$ref`.
pub(super) struct Uses<'v> {
    root: &'v Value,
    types: BTreeMap<String, Dirs>,
    work: Vec<(&'v Value, Dirs)>,
    aliases: BTreeSet<(String, Dirs)>,
}

impl<'v> Uses<'v> {
    /// The named types reached from `roots`, by component name, with the
    /// directions they are used in.
    pub(super) fn collect(
        root: &'v Value,
        roots: Vec<(&'v Value, Dirs)>,
    ) -> BTreeMap<String, Dirs> {
        let mut uses = Uses {
            root,
            types: BTreeMap::new(),
            work: roots,
            aliases: BTreeSet::new(),
        };
        while let Some((schema, dirs)) = uses.work.pop() {
            uses.walk(schema, dirs, 0);
        }
        uses.types
    }

    fn reference(&mut self, reference: &str, dirs: Dirs, depth: usize) {
        let (Some(name), Some(target)) = (schema_name(reference), lookup(self.root, reference))
        else {
            return;
        };
        if is_named(target) {
            let entry = self.types.entry(name).or_default();
            let merged = entry.union(dirs);
            if merged != *entry {
                *entry = merged;
                self.work.push((target, merged));
            }
        } else if self.aliases.insert((name, dirs)) {
            self.walk(target, dirs, depth + 1);
        }
    }

    fn walk(&mut self, value: &'v Value, dirs: Dirs, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    match (key.as_str(), child) {
                        ("$ref", Value::String(r)) => self.reference(r, dirs, depth),
                        ("example" | "examples", _) => {}
                        ("allOf", Value::Array(members)) => {
                            // Members are merged into the type, not used as types.
                            for m in members {
                                match ref_of(m)
                                    .and_then(|r| lookup(self.root, r).map(|t| (schema_name(r), t)))
                                {
                                    Some((Some(name), target)) => {
                                        if self.aliases.insert((format!("allOf {name}"), dirs)) {
                                            self.walk(target, dirs, depth + 1);
                                        }
                                    }
                                    _ => self.walk(m, dirs, depth + 1),
                                }
                            }
                        }
                        ("discriminator", _) => {
                            let targets: Vec<&str> = child
                                .get("mapping")
                                .and_then(Value::as_object)
                                .into_iter()
                                .flat_map(|m| m.values().filter_map(Value::as_str))
                                .collect();
                            for t in targets {
                                if t.starts_with('#') {
                                    self.reference(t, dirs, depth);
                                } else {
                                    self.reference(
                                        &format!("#/components/schemas/{t}"),
                                        dirs,
                                        depth,
                                    );
                                }
                            }
                        }
                        _ => self.walk(child, dirs, depth + 1),
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.walk(item, dirs, depth + 1);
                }
            }
            _ => {}
        }
    }
}
