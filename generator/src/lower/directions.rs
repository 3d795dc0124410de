//! Which schemas read differently when sent and when received
//! (`readOnly`, `writeOnly`, patterns), and in which directions each
//! component is used: the basis of the request/response views.

use std::collections::BTreeMap;

use openapiv3::{
    AdditionalProperties, ParameterSchemaOrContent, ReferenceOr, Schema, SchemaKind, Type as OaType,
};

use super::{components_prefix, Lowerer, SRef};
use crate::ir::View;

impl<'a> Lowerer<'a> {
    /// Direct `$ref`s of a schema and whether it, without following
    /// references, reads differently when sent and when received: a
    /// pattern, or a property that is itself `readOnly`/`writeOnly` (the
    /// rule of [`Lowerer::own_direction`]; the schema's own top-level
    /// `readOnly` counts only where the schema is a property's inline
    /// one).
    pub(super) fn scan(schema: &'a Schema, refs: &mut Vec<&'a str>) -> bool {
        Self::scan_at(schema, refs, false)
    }

    fn scan_at(schema: &'a Schema, refs: &mut Vec<&'a str>, at_property: bool) -> bool {
        let mut differs =
            at_property && (schema.schema_data.read_only || schema.schema_data.write_only);
        let mut nested = false;
        if let Some(d) = &schema.schema_data.discriminator {
            refs.extend(d.mapping.values().map(String::as_str));
        }
        // An inline schema below this one is a property's (or an item's,
        // or an `allOf` member's at a property): its own flags count.
        let mut visit = |s: SRef<'a>, refs: &mut Vec<&'a str>| match s {
            SRef::Ref(r) => refs.push(r),
            SRef::Inline(inner) => nested |= Self::scan_at(inner, refs, true),
        };
        match &schema.schema_kind {
            SchemaKind::Type(OaType::String(s)) => {
                differs |= s.pattern.is_some();
            }
            SchemaKind::Type(OaType::Object(o)) => {
                for p in o.properties.values() {
                    visit(p.into(), refs);
                }
                if let Some(AdditionalProperties::Schema(s)) = &o.additional_properties {
                    visit(s.as_ref().into(), refs);
                }
            }
            SchemaKind::Type(OaType::Array(a)) => {
                if let Some(items) = &a.items {
                    visit(items.into(), refs);
                }
            }
            SchemaKind::Type(_) => {}
            SchemaKind::OneOf { one_of: list }
            | SchemaKind::AllOf { all_of: list }
            | SchemaKind::AnyOf { any_of: list } => {
                for s in list {
                    visit(s.into(), refs);
                }
            }
            SchemaKind::Not { not } => visit(not.as_ref().into(), refs),
            SchemaKind::Any(any) => {
                differs |= any.pattern.is_some();
                for p in any.properties.values() {
                    visit(p.into(), refs);
                }
                if let Some(items) = &any.items {
                    visit(items.into(), refs);
                }
                if let Some(AdditionalProperties::Schema(s)) = &any.additional_properties {
                    visit(s.as_ref().into(), refs);
                }
                for s in any.one_of.iter().chain(&any.all_of).chain(&any.any_of) {
                    visit(s.into(), refs);
                }
            }
        }
        differs || nested
    }

    pub(super) fn ref_target_name(&self, reference: &str) -> Option<&'a str> {
        self.resolve(reference).ok().map(|(name, _, _)| name)
    }

    pub(super) fn compute_differs(&mut self) {
        let Some(schemas) = self.schemas() else {
            return;
        };
        let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut differs: BTreeMap<&str, bool> = BTreeMap::new();
        for (name, schema) in schemas {
            let ReferenceOr::Item(schema) = schema else {
                continue;
            };
            let mut refs = Vec::new();
            let local = Self::scan(schema, &mut refs);
            let targets = refs
                .iter()
                .filter_map(|r| self.ref_target_name(r))
                .collect();
            edges.insert(name, targets);
            differs.insert(name, local);
        }
        // Propagate to a fixed point: a schema differs if anything it uses does.
        let mut changed = true;
        while changed {
            changed = false;
            for (name, targets) in &edges {
                if differs.get(name) == Some(&false)
                    && targets.iter().any(|t| differs.get(t) == Some(&true))
                {
                    differs.insert(name, true);
                    changed = true;
                }
            }
        }
        self.analysis.differs = differs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
    }

    pub(super) fn compute_directions(&mut self) {
        let mut work: Vec<(&'a str, View)> = Vec::new();
        let mut roots: Vec<(SRef<'a>, View)> = Vec::new();
        for (_, item) in self.api.paths.iter() {
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            for (_, op) in item.iter() {
                for p in item.parameters.iter().chain(&op.parameters) {
                    if let Some(ParameterSchemaOrContent::Schema(s)) = self
                        .resolve_parameter(p)
                        .map(|p| &p.parameter_data_ref().format)
                    {
                        roots.push((s.into(), View::Request));
                    }
                }
                if let Some(body) = op.request_body.as_ref().and_then(|b| self.resolve_body(b)) {
                    for media in body.content.values() {
                        if let Some(s) = &media.schema {
                            roots.push((s.into(), View::Request));
                        }
                    }
                }
                for (_, resp) in &op.responses.responses {
                    if let Some(resp) = self.resolve_response(resp) {
                        for media in resp.content.values() {
                            if let Some(s) = &media.schema {
                                roots.push((s.into(), View::Response));
                            }
                        }
                    }
                }
            }
        }
        for (root, view) in roots {
            let mut refs = Vec::new();
            match root {
                SRef::Ref(r) => refs.push(r),
                SRef::Inline(s) => {
                    Self::scan(s, &mut refs);
                }
            }
            work.extend(
                refs.into_iter()
                    .filter_map(|r| self.ref_target_name(r))
                    .map(|n| (n, view)),
            );
        }
        while let Some((name, view)) = work.pop() {
            if !self
                .analysis
                .directions
                .entry(name.to_owned())
                .or_default()
                .insert(view)
            {
                continue;
            }
            if let Ok((_, schema, _)) = self.resolve(&format!(
                "{}{}",
                components_prefix("schemas"),
                crate::diag::escape_token(name)
            )) {
                let mut refs = Vec::new();
                Self::scan(schema, &mut refs);
                work.extend(
                    refs.into_iter()
                        .filter_map(|r| self.ref_target_name(r))
                        .map(|n| (n, view)),
                );
            }
        }
    }
}
