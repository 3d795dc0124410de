//! Named object types: structs (with `allOf` merged), unions (tagged or
//! not) and string enums; then the passes over them that need every type
//! defined: the tag a union variant stands for, and which types have an
//! empty value (`Default`).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use openapiv3::{Schema, SchemaKind, Type as OaType};

use super::{all_optional, components_prefix, non_empty, AllOfWalk, Ctx, Job, Lowerer, Prop, SRef};
use crate::diag::{Pointer, WarningCode};
use crate::ir::{
    has_default, AliasDef, Api, EnumDef, Field, StructDef, Tag, Type, TypeDef, UnionDef,
    UnionVariant, Variant, View,
};
use crate::names::{field_name, type_name, NameScope};

impl<'a> Lowerer<'a> {
    /// The properties of an object, `allOf` members merged in order.
    pub(super) fn collect_props(
        &mut self,
        schema: &'a Schema,
        pointer: &Pointer,
        props: &mut Vec<Prop<'a>>,
        required: &mut BTreeSet<String>,
        walk: &mut AllOfWalk,
    ) {
        let (properties, req, all_of) = match &schema.schema_kind {
            SchemaKind::Type(OaType::Object(o)) => (Some(&o.properties), &o.required[..], &[][..]),
            SchemaKind::Any(any) => (Some(&any.properties), &any.required[..], &any.all_of[..]),
            SchemaKind::AllOf { all_of } => (None, &[][..], &all_of[..]),
            _ => {
                self.warn(
                    WarningCode::IgnoredKeyword,
                    pointer,
                    "an `allOf` member that is not an object is ignored",
                );
                (None, &[][..], &[][..])
            }
        };
        for (i, member) in all_of.iter().enumerate() {
            let member_ptr = pointer.join("allOf").join(i.to_string());
            match SRef::from(member) {
                SRef::Ref(r) => match self.resolve(r) {
                    Ok((_, s, target)) => {
                        let key = target.to_string();
                        if walk.stack.contains(&key) {
                            let mut chain = walk.stack.clone();
                            chain.push(key);
                            self.error(
                                &member_ptr,
                                format!(
                                    "`allOf` refers back to a schema that includes it: {}",
                                    chain.join(" -> ")
                                ),
                            );
                        } else if walk.seen.insert(key.clone()) {
                            // Each schema is merged once, however many
                            // paths lead to it.
                            walk.stack.push(key);
                            self.collect_props(s, &target, props, required, walk);
                            walk.stack.pop();
                        }
                    }
                    Err(message) => self.error(&member_ptr, message),
                },
                SRef::Inline(s) => self.collect_props(s, &member_ptr, props, required, walk),
            }
        }
        if let Some(properties) = properties {
            for (wire, schema) in properties {
                let prop_ptr = pointer.join("properties").join(wire);
                if let Some(existing) = props.iter_mut().find(|p| &p.wire == wire) {
                    existing.schema = schema.into();
                    existing.pointer = prop_ptr;
                } else {
                    props.push(Prop {
                        wire: wire.clone(),
                        schema: schema.into(),
                        pointer: prop_ptr,
                    });
                }
            }
        }
        for name in req {
            if properties.is_some_and(|p| !p.contains_key(name))
                && !props.iter().any(|p| &p.wire == name)
            {
                self.warn(
                    WarningCode::IgnoredKeyword,
                    &pointer.join("required"),
                    format!(
                        "`{name}` is listed in `required` but not defined in `properties`; ignored"
                    ),
                );
            }
            required.insert(name.clone());
        }
    }

    pub(super) fn lower_struct(&mut self, job: Job<'a>) {
        let mut props = Vec::new();
        let mut required = BTreeSet::new();
        let mut walk = AllOfWalk {
            stack: vec![job.pointer.to_string()],
            seen: HashSet::from([job.pointer.to_string()]),
        };
        self.collect_props(
            job.schema,
            &job.pointer,
            &mut props,
            &mut required,
            &mut walk,
        );
        let mut scope = NameScope::default();
        let mut fields = Vec::new();
        for prop in props {
            let (read_only, write_only, nullable, doc) = self.flags(prop.schema);
            let skip = match job.view {
                View::Request => read_only,
                View::Response => write_only,
            };
            if skip {
                continue;
            }
            let rust_name = field_name(&prop.wire);
            if scope.contains(&rust_name) {
                self.warn(WarningCode::Renamed,
                    &prop.pointer,
                    format!("property `{}` becomes the Rust field `{rust_name}`, which another property already has; it is numbered", prop.wire),
                );
            }
            let rust_name = scope.take(&rust_name);
            let ctx = Ctx {
                hint: format!("{}{}", job.name, type_name(&prop.wire)),
                field: prop.wire.clone(),
                site: super::newtype_names::Site::Property(job.name.clone()),
                depth: 0,
            };
            let ty = self.convert(prop.schema, &prop.pointer, job.view, &ctx);
            if let SRef::Inline(schema) = prop.schema {
                self.record_example(&prop.pointer, &ty, schema.schema_data.example.as_ref());
            }
            let example = self.example_of(prop.schema);
            fields.push(Field {
                example,
                required: required.contains(&prop.wire),
                wire_name: prop.wire,
                rust_name,
                ty,
                nullable,
                boxed: false,
                doc,
            });
        }
        let all_optional = all_optional(&fields, job.view);
        self.out.types.insert(
            job.name.clone(),
            TypeDef::Struct(StructDef {
                name: job.name,
                doc: non_empty(&job.schema.schema_data.description)
                    .or_else(|| non_empty(&job.schema.schema_data.title)),
                view: (!job.shared).then_some(job.view),
                fields,
                all_optional,
                has_default: false,
                tag: None,
            }),
        );
    }

    /// Normalises a discriminator mapping target (a `$ref` or a bare schema
    /// name) to a `$ref`.
    pub(super) fn mapping_ref(target: &str) -> String {
        if target.starts_with('#') || target.contains('/') {
            target.to_owned()
        } else {
            format!(
                "{}{}",
                components_prefix("schemas"),
                crate::diag::escape_token(target)
            )
        }
    }

    pub(super) fn lower_union(&mut self, job: Job<'a>) {
        let Some((members, disc)) = job.union.clone() else {
            return;
        };
        let mut scope = NameScope::default();
        let mut variants: Vec<UnionVariant> = Vec::new();
        // Targets by normalised `$ref`, with the discriminator values that select them.
        let mut tags_by_target: Vec<(String, &'a str, Vec<String>)> = Vec::new();
        if let Some(d) = disc {
            for (tag, target) in &d.mapping {
                let normal = Self::mapping_ref(target);
                match tags_by_target.iter_mut().find(|(t, _, _)| *t == normal) {
                    Some((_, _, tags)) => tags.push(tag.clone()),
                    None => tags_by_target.push((normal, target.as_str(), vec![tag.clone()])),
                }
            }
        }
        // Members in `oneOf` order, then mapping targets not listed there.
        let mut ordered: Vec<(SRef<'a>, Pointer, Vec<String>)> = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let ptr = job.pointer.join("oneOf").join(i.to_string());
            let tags = match m {
                SRef::Ref(r) => {
                    let normal = Self::mapping_ref(r);
                    match tags_by_target.iter().position(|(t, _, _)| *t == normal) {
                        Some(pos) => tags_by_target.remove(pos).2,
                        None if disc.is_some() => {
                            // Implicit mapping: the schema name is the value.
                            vec![r.rsplit('/').next().unwrap_or(r).to_owned()]
                        }
                        None => Vec::new(),
                    }
                }
                SRef::Inline(_) => Vec::new(),
            };
            ordered.push((*m, ptr, tags));
        }
        let mapping_ptr = job.pointer.join("discriminator").join("mapping");
        for (_, original, tags) in tags_by_target {
            let first = tags.first().cloned().unwrap_or_default();
            match self.resolve(original) {
                Ok(_) => ordered.push((SRef::Ref(original), mapping_ptr.join(&first), tags)),
                Err(message) => self.error(
                    &mapping_ptr.join(&first),
                    format!("discriminator mapping: {message}"),
                ),
            }
        }
        for (i, (member, ptr, tags)) in ordered.into_iter().enumerate() {
            let target_name = match member {
                SRef::Ref(r) => self.resolve(r).ok().map(|(n, _, _)| n),
                SRef::Inline(_) => None,
            };
            let rust = match (tags.as_slice(), target_name) {
                ([one], _) => type_name(one),
                (_, Some(n)) => type_name(n),
                _ => format!("Variant{}", i + 1),
            };
            let rust = scope.take(&rust);
            // A mapping back to the union itself means "the base fields only".
            let self_target = target_name.is_some_and(|n| {
                job.pointer == Pointer::root().join("components").join("schemas").join(n)
            });
            let ty = if self_target {
                let fields_name = self.names.type_scope.take(&format!("{}Fields", job.name));
                self.work.queue.push_back(Job {
                    name: fields_name.clone(),
                    schema: job.schema,
                    pointer: job.pointer.clone(),
                    view: job.view,
                    shared: job.shared,
                    union: None,
                });
                Type::Named(fields_name)
            } else {
                let ctx = Ctx {
                    hint: format!("{}{}", job.name, rust),
                    field: rust.clone(),
                    site: super::newtype_names::Site::Property(job.name.clone()),
                    depth: 0,
                };
                self.convert(member, &ptr, job.view, &ctx)
            };
            variants.push(UnionVariant {
                rust,
                tags,
                ty,
                boxed: false,
            });
        }
        let fallback = scope.take("Unknown");
        self.out.types.insert(
            job.name.clone(),
            TypeDef::Union(UnionDef {
                name: job.name,
                doc: non_empty(&job.schema.schema_data.description),
                discriminator: disc.map(|d| d.property_name.clone()),
                variants,
                fallback,
            }),
        );
    }

    pub(super) fn lower_enum(
        &mut self,
        name: &str,
        schema: &'a Schema,
        pointer: &Pointer,
        values: &[String],
    ) {
        // Enums with the same values (the spec repeats many inline) share one
        // definition; later ones become aliases of the first.
        if let Some(target) = self.names.enums_by_values.get(values) {
            let target = target.clone();
            self.out.types.insert(
                name.to_owned(),
                TypeDef::Alias(AliasDef {
                    name: name.to_owned(),
                    doc: non_empty(&schema.schema_data.description),
                    target,
                }),
            );
            return;
        }
        self.names
            .enums_by_values
            .insert(values.to_vec(), name.to_owned());
        let mut scope = NameScope::default();
        let mut variants = Vec::new();
        let mut seen = BTreeSet::new();
        for value in values {
            if !seen.insert(value.as_str()) {
                self.warn(
                    WarningCode::IgnoredKeyword,
                    pointer,
                    format!("enum value {value:?} is listed twice; kept once"),
                );
                continue;
            }
            let rust = type_name(value);
            if scope.contains(&rust) {
                self.warn(WarningCode::Renamed,
                    pointer,
                    format!("enum value {value:?} becomes the Rust variant `{rust}`, which another value already has; it is numbered"),
                );
            }
            variants.push(Variant {
                wire: value.clone(),
                rust: scope.take(&rust),
            });
        }
        let fallback = scope.take("Unknown");
        self.out.types.insert(
            name.to_owned(),
            TypeDef::Enum(EnumDef {
                name: name.to_owned(),
                doc: non_empty(&schema.schema_data.description),
                variants,
                fallback,
            }),
        );
    }

    /// Gives each object type that tagged unions (and nothing else) select
    /// by exactly one discriminator value that value: the type drops its field for the
    /// discriminator and writes the value itself, so a variant can only
    /// ever send the tag it stands for.
    pub(super) fn assign_tags(&mut self) {
        let mut tags: BTreeMap<String, BTreeSet<Tag>> = BTreeMap::new();
        for def in self.out.types.values() {
            let TypeDef::Union(u) = def else { continue };
            let Some(property) = &u.discriminator else {
                continue;
            };
            for v in &u.variants {
                let Type::Named(name) = &v.ty else { continue };
                let entry = tags.entry(name.clone()).or_default();
                for value in &v.tags {
                    entry.insert(Tag {
                        property: property.clone(),
                        value: value.clone(),
                    });
                }
                if v.tags.is_empty() {
                    // Selected by no value: it keeps its own field.
                    entry.insert(Tag {
                        property: property.clone(),
                        value: String::new(),
                    });
                }
            }
        }
        // A type also used on its own (a field's type, an operation's body
        // or response, an untagged union's shape) may carry another value
        // there: it keeps its field.
        let mut direct = BTreeSet::new();
        for def in self.out.types.values() {
            match def {
                TypeDef::Struct(s) => s
                    .fields
                    .iter()
                    .for_each(|f| Api::referenced_names(&f.ty, &mut direct)),
                TypeDef::Union(u) if u.discriminator.is_none() => u
                    .variants
                    .iter()
                    .for_each(|v| Api::referenced_names(&v.ty, &mut direct)),
                TypeDef::Union(_) | TypeDef::Enum(_) => {}
                TypeDef::Alias(a) => {
                    direct.insert(a.target.clone());
                }
                TypeDef::Wrapper(w) => Api::referenced_names(&w.ty, &mut direct),
            }
        }
        for op in &self.out.operations {
            let tys = op
                .params
                .iter()
                .map(|p| &p.ty)
                .chain(op.body.iter().map(|b| &b.ty))
                .chain(op.success.iter().filter_map(|c| c.ty.as_ref()))
                .chain([&op.error_type]);
            for ty in tys {
                Api::referenced_names(ty, &mut direct);
            }
        }
        for (name, set) in tags {
            if direct.contains(&name) {
                continue;
            }
            let mut set = set.into_iter();
            let (Some(tag), None) = (set.next(), set.next()) else {
                continue;
            };
            if tag.value.is_empty() {
                continue;
            }
            if let Some(TypeDef::Struct(s)) = self.out.types.get_mut(&name) {
                s.fields.retain(|f| f.wire_name != tag.property);
                s.all_optional = all_optional(&s.fields, s.view.unwrap_or(View::Request));
                s.tag = Some(tag);
            }
        }
    }

    /// Works out which object types implement `Default` (see
    /// [`StructDef::has_default`]): the least fixed point, so a type that
    /// holds itself through required fields never does (its default would
    /// never end).
    pub(super) fn compute_defaults(&mut self) {
        let types = &mut self.out.types;
        loop {
            let ready: Vec<String> = types
                .iter()
                .filter_map(|(name, def)| match def {
                    TypeDef::Struct(s) if !s.has_default => {
                        let received = s.view != Some(View::Request);
                        let ready = if received {
                            s.fields
                                .iter()
                                .all(|f| !f.required || f.nullable || has_default(types, &f.ty))
                        } else {
                            s.all_optional
                        };
                        ready.then(|| name.clone())
                    }
                    _ => None,
                })
                .collect();
            if ready.is_empty() {
                break;
            }
            for name in ready {
                if let Some(TypeDef::Struct(s)) = types.get_mut(&name) {
                    s.has_default = true;
                }
            }
        }
    }
}
