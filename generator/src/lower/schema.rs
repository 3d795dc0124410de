//! Schemas to IR types: what kind of type a schema becomes, the
//! conversion of `$ref`s and inline schemas (scalars, lists, maps), named
//! and inline type definitions, and validated string types.

use openapiv3::{
    AdditionalProperties, Discriminator, NumberFormat, Schema, SchemaKind, StringFormat,
    Type as OaType, VariantOrUnknownOrEmpty,
};

use super::newtype_names;
use super::{
    non_empty, nullable_if, scalar_type, Ctx, Job, Kind, Lowerer, SRef, KNOWN_STRING_FORMATS,
    MAX_REF_CHAIN,
};
use crate::diag::{Pointer, WarningCode};
use crate::ir::{Type, TypeDef, View, WrapperDef};
use crate::names::type_name;
use crate::pattern::{self, PatternPlan};
use crate::rules::{self, Scalar};

impl<'a> Lowerer<'a> {
    /// The members and discriminator of a union schema: a `oneOf`/`anyOf`, or
    /// a base schema whose discriminator maps values to child schemas.
    pub(super) fn union_parts(
        schema: &'a Schema,
    ) -> Option<(Vec<SRef<'a>>, Option<&'a Discriminator>)> {
        let disc = schema.schema_data.discriminator.as_ref();
        let members: Vec<SRef<'a>> = match &schema.schema_kind {
            SchemaKind::OneOf { one_of: list } | SchemaKind::AnyOf { any_of: list } => {
                list.iter().map(SRef::from).collect()
            }
            SchemaKind::Any(any) if !any.one_of.is_empty() || !any.any_of.is_empty() => any
                .one_of
                .iter()
                .chain(&any.any_of)
                .map(SRef::from)
                .collect(),
            _ => Vec::new(),
        };
        if !members.is_empty() || disc.is_some_and(|d| !d.mapping.is_empty()) {
            Some((members, disc))
        } else {
            None
        }
    }

    /// The single member of an `allOf` that only wraps a reference (often to
    /// add a description), which is then an alias of that member.
    pub(super) fn all_of_alias(schema: &'a Schema) -> Option<SRef<'a>> {
        match &schema.schema_kind {
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => all_of.first().map(SRef::from),
            _ => None,
        }
    }

    /// String enum values of a schema, or of every member of a union of
    /// string enums (merged, in order, without repeats).
    pub(super) fn enum_values(&self, schema: &'a Schema) -> Option<Vec<String>> {
        if let SchemaKind::Type(OaType::String(s)) = &schema.schema_kind {
            return (!s.enumeration.is_empty())
                .then(|| s.enumeration.iter().flatten().cloned().collect());
        }
        let (members, disc) = Self::union_parts(schema)?;
        if disc.is_some() || members.is_empty() {
            return None;
        }
        let mut values: Vec<String> = Vec::new();
        for m in members {
            let member = match m {
                SRef::Inline(s) => s,
                SRef::Ref(r) => self.resolve(r).ok()?.1,
            };
            let SchemaKind::Type(OaType::String(st)) = &member.schema_kind else {
                return None;
            };
            if st.enumeration.is_empty() {
                return None;
            }
            for v in st.enumeration.iter().flatten() {
                if !values.contains(v) {
                    values.push(v.clone());
                }
            }
        }
        Some(values)
    }

    pub(super) fn kind(&self, schema: &'a Schema) -> Kind<'a> {
        if let Some(member) = Self::all_of_alias(schema) {
            return Kind::Alias(member);
        }
        if let Some(values) = self.enum_values(schema) {
            return Kind::Enum(values);
        }
        if let Some((members, disc)) = Self::union_parts(schema) {
            return Kind::Union(members, disc);
        }
        let structish = match &schema.schema_kind {
            SchemaKind::Type(OaType::Object(o)) => !o.properties.is_empty(),
            SchemaKind::AllOf { .. } => true,
            SchemaKind::Any(any) => !any.properties.is_empty() || !any.all_of.is_empty(),
            _ => false,
        };
        if structish {
            Kind::Struct
        } else {
            Kind::Other
        }
    }

    /// The readOnly / writeOnly / nullable flags and description of a
    /// position. Nullable and description look through a `$ref`;
    /// readOnly and writeOnly do not ([`own_direction`](Self::own_direction)).
    pub(super) fn flags(&self, s: SRef<'a>) -> (bool, bool, bool, Option<String>) {
        let (read_only, write_only) = Self::own_direction(s);
        let schema = match s {
            SRef::Inline(schema) => Some(schema),
            SRef::Ref(r) => self.resolve(r).ok().map(|(_, schema, _)| schema),
        };
        match schema {
            Some(schema) => {
                let d = &schema.schema_data;
                (read_only, write_only, d.nullable, non_empty(&d.description))
            }
            None => (read_only, write_only, false, None),
        }
    }

    /// Whether the property at `s` is itself `readOnly` / `writeOnly`, as
    /// OpenAPI 3.0 defines them ("relevant only for Schema `properties`
    /// definitions"): its own keyword, or one of the inline `allOf`
    /// members at the property (`allOf: [{$ref: X}, {readOnly: true}]`).
    /// A `readOnly` on a referenced component schema does not make the
    /// properties that use it read-only: Atlas's spec marks whole schemas
    /// (`DedicatedHardwareSpec20240805`, `BaseCloudProviderInstanceSize`)
    /// `readOnly` although requests send them (`analyticsSpecs`,
    /// `autoScaling.compute.maxInstanceSize`). A property that is truly
    /// read-only where the spec does not say so is corrected in our
    /// overlay (`generator/corrections.yaml`), at the property.
    pub(super) fn own_direction(s: SRef<'a>) -> (bool, bool) {
        let SRef::Inline(schema) = s else {
            return (false, false);
        };
        let d = &schema.schema_data;
        let (mut read_only, mut write_only) = (d.read_only, d.write_only);
        let members = match &schema.schema_kind {
            SchemaKind::AllOf { all_of } => Some(all_of),
            SchemaKind::Any(any) if !any.all_of.is_empty() => Some(&any.all_of),
            _ => None,
        };
        for member in members.into_iter().flatten() {
            let (r, w) = Self::own_direction(member.into());
            read_only |= r;
            write_only |= w;
        }
        (read_only, write_only)
    }

    /// The example of a schema, or of the schema a `$ref` names.
    pub(super) fn example_of(&self, s: SRef<'a>) -> Option<serde_json::Value> {
        let schema = match s {
            SRef::Inline(schema) => Some(schema),
            SRef::Ref(r) => self.resolve(r).ok().map(|(_, schema, _)| schema),
        };
        schema.and_then(|schema| schema.schema_data.example.clone())
    }

    pub(super) fn convert(
        &mut self,
        s: SRef<'a>,
        pointer: &Pointer,
        view: View,
        ctx: &Ctx,
    ) -> Type {
        match s {
            SRef::Ref(reference) => match self.resolve(reference) {
                Ok((name, schema, target)) => match self.kind(schema) {
                    Kind::Other => self.convert_component_inline(name, schema, &target, view, ctx),
                    Kind::Alias(member) => {
                        if ctx.depth > MAX_REF_CHAIN {
                            self.error(&target, "`allOf` aliases refer back to themselves");
                            return Type::Json;
                        }
                        let deeper = Ctx {
                            depth: ctx.depth + 1,
                            ..ctx.clone()
                        };
                        self.convert(member, &target.join("allOf").join("0"), view, &deeper)
                    }
                    kind => Type::Named(self.component_type(name, schema, target, view, kind)),
                },
                Err(message) => {
                    self.error(pointer, message);
                    Type::Json
                }
            },
            SRef::Inline(schema) => self.convert_inline(schema, pointer, view, ctx),
        }
    }

    /// Keeps an example and the type it should decode into, except where the
    /// type takes any JSON anyway.
    pub(super) fn record_example(
        &mut self,
        at: &Pointer,
        ty: &Type,
        example: Option<&serde_json::Value>,
    ) {
        let Some(value) = example else { return };
        if matches!(
            ty,
            Type::Json | Type::JsonObject | Type::Binary | Type::Text
        ) {
            return;
        }
        self.out
            .examples
            .insert((at.join("example").to_string(), ty.clone()), value.clone());
    }

    /// A component that is a list, map or scalar is converted in place, unless
    /// it contains itself (`S: {additionalProperties: {$ref: S}}`): then it
    /// becomes a named wrapper type, which gives the recursion a name.
    pub(super) fn convert_component_inline(
        &mut self,
        name: &str,
        schema: &'a Schema,
        target: &Pointer,
        view: View,
        ctx: &Ctx,
    ) -> Type {
        let key = (name.to_owned(), view);
        if let Some(wrapper) = self.names.wrappers.get(&key) {
            return Type::Named(wrapper.clone());
        }
        if self.work.inlining.contains(&key) {
            let base = self
                .names
                .base_names
                .get(name)
                .cloned()
                .unwrap_or_else(|| type_name(name));
            let rust = if self.names.wrappers.values().any(|w| *w == base)
                || self.out.types.contains_key(&base)
            {
                self.names.type_scope.take(&format!("{base}{view:?}"))
            } else {
                base
            };
            self.names.wrappers.insert(key, rust.clone());
            return Type::Named(rust);
        }
        self.work.inlining.push(key.clone());
        let ty = self.convert_inline(schema, target, view, ctx);
        self.work.inlining.pop();
        match self.names.wrappers.get(&key).cloned() {
            Some(wrapper) => {
                self.out.types.insert(
                    wrapper.clone(),
                    TypeDef::Wrapper(WrapperDef {
                        name: wrapper.clone(),
                        doc: non_empty(&schema.schema_data.description),
                        ty,
                    }),
                );
                Type::Named(wrapper)
            }
            None => ty,
        }
    }

    pub(super) fn component_type(
        &mut self,
        name: &str,
        schema: &'a Schema,
        pointer: Pointer,
        view: View,
        kind: Kind<'a>,
    ) -> String {
        let enum_like = matches!(kind, Kind::Enum(_));
        let differs = !enum_like && self.analysis.differs.get(name).copied().unwrap_or(true);
        let key = (name.to_owned(), differs.then_some(view));
        if let Some(existing) = self.names.component_names.get(&key) {
            return existing.clone();
        }
        let base = self
            .names
            .base_names
            .get(name)
            .cloned()
            .unwrap_or_else(|| type_name(name));
        let both = self
            .analysis
            .directions
            .get(name)
            .is_some_and(|d| d.len() > 1);
        let rust = if differs && both && view == View::Request {
            // The request view is `FooRequest`, or `FooRequestBody` when the
            // spec has a `FooRequest` of its own: a name that says what it
            // is, never a number.
            let free = ["Request", "RequestBody", "RequestView"]
                .iter()
                .map(|suffix| format!("{base}{suffix}"))
                .find(|candidate| !self.names.type_scope.is_taken(candidate))
                .unwrap_or_else(|| format!("{base}Request"));
            self.names.type_scope.take(&free)
        } else {
            base
        };
        self.names.component_names.insert(key, rust.clone());
        self.define(rust.clone(), schema, pointer, view, !differs && both, kind);
        rust
    }

    /// Defines the named type `rust` for `schema`: enums at once, structs and
    /// unions through the work queue.
    pub(super) fn define(
        &mut self,
        rust: String,
        schema: &'a Schema,
        pointer: Pointer,
        view: View,
        shared: bool,
        kind: Kind<'a>,
    ) {
        self.record_example(
            &pointer,
            &Type::Named(rust.clone()),
            schema.schema_data.example.as_ref(),
        );
        match kind {
            Kind::Enum(values) => self.lower_enum(&rust, schema, &pointer, &values),
            Kind::Union(members, disc) => self.work.queue.push_back(Job {
                name: rust,
                schema,
                pointer,
                view,
                shared,
                union: Some((members, disc)),
            }),
            _ => self.work.queue.push_back(Job {
                name: rust,
                schema,
                pointer,
                view,
                shared,
                union: None,
            }),
        }
    }

    pub(super) fn inline_type(
        &mut self,
        schema: &'a Schema,
        pointer: &Pointer,
        view: View,
        hint: &str,
        kind: Kind<'a>,
    ) -> String {
        let enum_like = matches!(kind, Kind::Enum(_));
        let key = (pointer.clone(), (!enum_like).then_some(view));
        if let Some(existing) = self.names.inline_names.get(&key) {
            return existing.clone();
        }
        let rust = self.names.type_scope.take(hint);
        self.names.inline_names.insert(key, rust.clone());
        self.define(rust.clone(), schema, pointer.clone(), view, false, kind);
        rust
    }

    pub(super) fn convert_inline(
        &mut self,
        schema: &'a Schema,
        pointer: &Pointer,
        view: View,
        ctx: &Ctx,
    ) -> Type {
        match self.kind(schema) {
            Kind::Other => {}
            Kind::Alias(member) => {
                if ctx.depth > MAX_REF_CHAIN {
                    self.error(pointer, "`allOf` aliases refer back to themselves");
                    return Type::Json;
                }
                let deeper = Ctx {
                    depth: ctx.depth + 1,
                    ..ctx.clone()
                };
                return self.convert(member, &pointer.join("allOf").join("0"), view, &deeper);
            }
            kind => return Type::Named(self.inline_type(schema, pointer, view, &ctx.hint, kind)),
        }
        match &schema.schema_kind {
            SchemaKind::Type(OaType::String(s)) => {
                let format = match &s.format {
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => Some("date-time"),
                    VariantOrUnknownOrEmpty::Item(StringFormat::Date) => Some("date"),
                    VariantOrUnknownOrEmpty::Unknown(f) => {
                        if !KNOWN_STRING_FORMATS.contains(&f.as_str()) {
                            self.warn(
                                WarningCode::IgnoredKeyword,
                                &pointer.join("format"),
                                format!("unknown string format `{f}`: treated as a plain string"),
                            );
                        }
                        Some(f.as_str())
                    }
                    _ => None,
                };
                match (
                    rules::scalar("string", format, s.pattern.is_some(), view),
                    &s.pattern,
                ) {
                    (Some(Scalar::Validated), Some(p)) => {
                        self.newtype(p, pointer, ctx, &schema.schema_data.description)
                    }
                    (scalar, _) => scalar_type(scalar),
                }
            }
            // Every integer is an `i64`, `format: int32` included: Atlas has
            // sent values past `i32::MAX` in fields the spec calls int32, and
            // a wider type never fails to decode them.
            SchemaKind::Type(OaType::Integer(i)) => {
                if let VariantOrUnknownOrEmpty::Unknown(f) = &i.format {
                    self.warn(
                        WarningCode::IgnoredKeyword,
                        &pointer.join("format"),
                        format!("unknown integer format `{f}`: treated as a 64-bit integer"),
                    );
                }
                scalar_type(rules::scalar("integer", None, false, view))
            }
            SchemaKind::Type(OaType::Number(n)) => {
                let _: Option<&NumberFormat> = match &n.format {
                    VariantOrUnknownOrEmpty::Item(f) => Some(f),
                    _ => None,
                };
                scalar_type(rules::scalar("number", None, false, view))
            }
            SchemaKind::Type(OaType::Boolean(_)) => {
                scalar_type(rules::scalar("boolean", None, false, view))
            }
            SchemaKind::Type(OaType::Array(a)) => match &a.items {
                Some(items) => {
                    let inner_ctx = Ctx {
                        hint: format!("{}Item", ctx.hint),
                        field: ctx.field.clone(),
                        site: ctx.site.item(),
                        depth: ctx.depth,
                    };
                    let nullable = self.flags(items.into()).2;
                    let item = self.convert(items.into(), &pointer.join("items"), view, &inner_ctx);
                    Type::Vec(Box::new(nullable_if(nullable, item)))
                }
                None => {
                    self.warn(WarningCode::JsonFallback, pointer, "`type: array` without `items`: elements are kept as JSON values (`serde_json::Value`)");
                    Type::Vec(Box::new(Type::Json))
                }
            },
            SchemaKind::Type(OaType::Object(o)) => {
                self.map_type(o.additional_properties.as_ref(), pointer, view, ctx)
            }
            SchemaKind::Any(any)
                if matches!(
                    any.typ.as_deref(),
                    Some("integer" | "number" | "string" | "boolean")
                ) =>
            {
                // A scalar with keywords its type does not have (a `pattern`
                // on an integer, say): the keywords are ignored.
                let ty = any.typ.as_deref().unwrap_or_default();
                let ignored: Vec<&str> = [
                    ("pattern", any.pattern.is_some()),
                    ("properties", !any.properties.is_empty()),
                    ("items", any.items.is_some()),
                    ("minLength", any.min_length.is_some()),
                    ("maxLength", any.max_length.is_some()),
                ]
                .into_iter()
                .filter_map(|(k, present)| present.then_some(k))
                .collect();
                if !ignored.is_empty() {
                    self.warn(
                        WarningCode::IgnoredKeyword,
                        pointer,
                        format!(
                            "`type: {ty}` with {}: ignored (not enforced)",
                            ignored
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
                scalar_type(rules::scalar(ty, None, false, view))
            }
            SchemaKind::Any(any) => {
                if any.items.is_some() {
                    self.warn(
                        WarningCode::JsonFallback,
                        pointer,
                        "`items` without `type: array`: kept as a JSON value",
                    );
                }
                if any.additional_properties.is_some() {
                    return self.map_type(any.additional_properties.as_ref(), pointer, view, ctx);
                }
                if !any.one_of.is_empty() || !any.any_of.is_empty() {
                    self.warn(WarningCode::JsonFallback, pointer, "`oneOf`/`anyOf` is not modelled yet: kept as a JSON value (`serde_json::Value`)");
                }
                Type::Json
            }
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::Not { .. } => {
                self.warn(WarningCode::JsonFallback, pointer, "`oneOf`/`anyOf`/`not` is not modelled yet: kept as a JSON value (`serde_json::Value`)");
                Type::Json
            }
            SchemaKind::AllOf { .. } => Type::Json,
        }
    }

    pub(super) fn map_type(
        &mut self,
        additional: Option<&'a AdditionalProperties>,
        pointer: &Pointer,
        view: View,
        ctx: &Ctx,
    ) -> Type {
        match additional {
            Some(AdditionalProperties::Schema(s)) => {
                let inner_ctx = Ctx {
                    hint: format!("{}Value", ctx.hint),
                    field: ctx.field.clone(),
                    site: ctx.site.clone(),
                    depth: ctx.depth,
                };
                let nullable = self.flags(s.as_ref().into()).2;
                let inner = self.convert(
                    s.as_ref().into(),
                    &pointer.join("additionalProperties"),
                    view,
                    &inner_ctx,
                );
                Type::Map(Box::new(nullable_if(nullable, inner)))
            }
            _ => Type::JsonObject,
        }
    }

    pub(super) fn newtype(
        &mut self,
        pattern: &str,
        pointer: &Pointer,
        ctx: &Ctx,
        doc: &Option<String>,
    ) -> Type {
        let plan = self
            .work
            .plans
            .entry(pattern.to_owned())
            .or_insert_with(|| pattern::plan(pattern))
            .clone();
        if let PatternPlan::Invalid { reason } = &plan {
            self.warn(
                WarningCode::UnenforcedPattern,
                pointer,
                format!("pattern `{pattern}` is not enforced: {reason}"),
            );
            return Type::String;
        }
        let key = newtype_names::Use {
            field: ctx.field.clone(),
            pattern: pattern.to_owned(),
            site: ctx.site.clone(),
        };
        let index = match self.names.newtype_uses.get(&key) {
            Some(index) => *index,
            None => {
                let index = self.out.uses.len();
                self.names.newtype_uses.insert(key.clone(), index);
                self.out.uses.push((
                    key,
                    newtype_names::Recorded {
                        plan,
                        doc: non_empty(doc),
                    },
                ));
                index
            }
        };
        Type::Newtype(newtype_names::placeholder(index))
    }
}
