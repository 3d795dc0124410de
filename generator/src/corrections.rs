//! Our corrections to the Atlas Admin API spec: where the spec is wrong in
//! a way the generator cannot infer (Atlas sends or accepts something
//! else), an OpenAPI Overlay 1.0 document of ours, `generator/corrections.yaml`,
//! embedded here and applied by [`crate::load`] to every spec it reads
//! (`spec/` and upstream alike), before any overlay named by the caller.
//!
//! Each correction has a name (`x-correction`), a description of what is
//! wrong and what changes, and its evidence (`x-evidence`: a MongoDB docs
//! page, an issue or a recorded exchange, and what it shows). A correction
//! whose targets select nothing (a spec without that schema) is skipped
//! silently; the ones applied are listed in [`crate::load::Spec::corrections`]
//! and by `cargo xtask codegen` and `cargo xtask spec diff`. The one home of
//! these facts: the generator reads them from this file only.

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use crate::diag::Failure;
use crate::overlay::{self, Overlay};

/// Where the corrections are kept, relative to the workspace (how
/// diagnostics and reports name them).
pub const FILE: &str = "generator/corrections.yaml";

/// The corrections overlay, as written.
pub const SOURCE: &str = include_str!("../corrections.yaml");

/// One piece of evidence: where Atlas's real behaviour is shown, and what
/// it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The MongoDB docs page, issue or recorded exchange.
    pub url: String,
    /// What it shows.
    pub shows: String,
}

/// One correction: the actions of the overlay that share an `x-correction`
/// name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    /// The `x-correction` name (`api-error-parameters-are-any-json`).
    pub name: String,
    /// What is wrong and what the correction changes (its first action's
    /// `description`).
    pub description: String,
    /// Why we know (every action's `x-evidence`).
    pub evidence: Vec<Evidence>,
    /// The indices of its actions in the overlay.
    pub actions: Vec<usize>,
}

/// A correction applied to a spec, with how many nodes its actions changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The `x-correction` name.
    pub name: String,
    /// Nodes its actions selected (and changed).
    pub nodes: usize,
}

struct Parsed {
    overlay: Overlay,
    corrections: Vec<Correction>,
}

fn parsed() -> Result<&'static Parsed, Failure> {
    static PARSED: OnceLock<Result<Parsed, Failure>> = OnceLock::new();
    PARSED
        .get_or_init(|| {
            let file = Path::new(FILE);
            let value = crate::load::parse_text(file, SOURCE)?;
            let overlay = overlay::from_value(file, &value)?;
            let corrections = read_corrections(&value);
            Ok(Parsed {
                overlay,
                corrections,
            })
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn read_corrections(value: &Value) -> Vec<Correction> {
    let mut out: Vec<Correction> = Vec::new();
    let actions = value
        .get("actions")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for (index, action) in actions.iter().enumerate() {
        let text = |key: &str| action.get(key).and_then(Value::as_str).map(str::to_owned);
        let name = text("x-correction").unwrap_or_else(|| format!("action-{index}"));
        let evidence = action
            .get("x-evidence")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .map(|e| Evidence {
                        url: e
                            .get("url")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_owned(),
                        shows: e
                            .get("shows")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .trim()
                            .to_owned(),
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        match out.iter_mut().find(|c| c.name == name) {
            Some(existing) => {
                existing.actions.push(index);
                existing.evidence.extend(evidence);
            }
            None => out.push(Correction {
                name,
                description: text("description").unwrap_or_default().trim().to_owned(),
                evidence,
                actions: vec![index],
            }),
        }
    }
    out
}

/// Every correction of the overlay, in order.
pub fn all() -> Result<&'static [Correction], Failure> {
    parsed().map(|p| p.corrections.as_slice())
}

/// Applies the corrections to a spec document read from `file`; the ones
/// that changed something, in order.
pub fn apply(doc: &mut Value, file: &Path) -> Result<Vec<Applied>, Failure> {
    let parsed = parsed()?;
    let counts = overlay::apply_quietly(doc, &parsed.overlay, file)?;
    Ok(parsed
        .corrections
        .iter()
        .filter_map(|c| {
            let nodes: usize = c
                .actions
                .iter()
                .map(|&i| counts.get(i).copied().unwrap_or(0))
                .sum();
            (nodes > 0).then(|| Applied {
                name: c.name.clone(),
                nodes,
            })
        })
        .collect())
}

/// One line naming the corrections applied (`corrections (generator/corrections.yaml): 3 applied:
/// a, b, c`), or `None` when none applied.
pub fn summary(applied: &[Applied]) -> Option<String> {
    if applied.is_empty() {
        return None;
    }
    let names: Vec<String> = applied
        .iter()
        .map(|a| {
            format!(
                "{} ({} node{})",
                a.name,
                a.nodes,
                if a.nodes == 1 { "" } else { "s" }
            )
        })
        .collect();
    Some(format!(
        "corrections ({FILE}): {} applied: {}",
        applied.len(),
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_corrections_parse_and_each_has_evidence() {
        let all = all().expect("corrections.yaml is a valid overlay");
        assert!(all.len() >= 5, "{all:?}");
        for c in all {
            assert!(!c.description.is_empty(), "{} has no description", c.name);
            assert!(!c.evidence.is_empty(), "{} has no evidence", c.name);
            for e in &c.evidence {
                assert!(e.url.starts_with("https://"), "{}: {e:?}", c.name);
                assert!(!e.shows.is_empty(), "{}: {e:?}", c.name);
            }
        }
    }

    #[test]
    fn api_error_parameters_become_any_json_and_unknown_specs_are_untouched() {
        let mut doc = serde_json::json!({
            "openapi": "3.0.1",
            "components": {"schemas": {"ApiError": {"type": "object", "properties": {
                "parameters": {"type": "array", "items": {"type": "object", "description": "d"}}
            }}}}
        });
        let applied = apply(&mut doc, Path::new("x.yaml")).expect("applies");
        assert_eq!(
            applied,
            vec![Applied {
                name: "api-error-parameters-are-any-json".into(),
                nodes: 1
            }]
        );
        assert_eq!(
            doc["components"]["schemas"]["ApiError"]["properties"]["parameters"]["items"],
            serde_json::json!({"description": "d"})
        );
        let mut other = serde_json::json!({"openapi": "3.0.1", "paths": {}});
        let before = other.clone();
        assert!(apply(&mut other, Path::new("y.yaml"))
            .expect("applies")
            .is_empty());
        assert_eq!(other, before);
    }

    #[test]
    fn a_read_only_reference_becomes_a_read_only_property() {
        let mut doc = serde_json::json!({"components": {"schemas": {
            "ClusterDescription20240805": {"type": "object", "properties": {
                "connectionStrings": {"$ref": "#/components/schemas/ClusterConnectionStrings"},
                "name": {"type": "string"}
            }},
            "ClusterConnectionStrings": {"type": "object", "readOnly": true},
            "BaseCloudProviderInstanceSize": {"type": "object", "readOnly": true,
                "oneOf": [{"type": "string", "enum": ["M10"]}]}
        }}});
        let applied = apply(&mut doc, Path::new("x.yaml")).expect("applies");
        let names: Vec<&str> = applied.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "instance-size-bounds-are-sent",
                "instance-size-union-is-a-string",
                "connection-strings-are-read-only"
            ]
        );
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["ClusterDescription20240805"]["properties"]["connectionStrings"],
            serde_json::json!({"allOf": [{"$ref": "#/components/schemas/ClusterConnectionStrings"}], "readOnly": true})
        );
        assert_eq!(
            schemas["BaseCloudProviderInstanceSize"],
            serde_json::json!({"oneOf": [{"type": "string", "enum": ["M10"]}]})
        );
        let line = summary(&applied).expect("some applied");
        assert!(line.starts_with("corrections (generator/corrections.yaml): 3 applied: instance-size-bounds-are-sent (1 node)"), "{line}");
    }
}
