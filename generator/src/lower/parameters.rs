//! The parameters of an operation and its path template.

use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr};

use super::{non_empty, Ctx, Lowerer};
use crate::diag::{Pointer, WarningCode};
use crate::extensions::{self, Extensions};
use crate::ir::{Param, ParamCli, ParamLocation, PathPart, Type, View};
use crate::names::{field_name, type_name, NameScope};

/// A piece of a path template: literal text or a `{variable}`.
pub(super) enum TemplatePart {
    Literal(String),
    Var(String),
}

impl<'a> Lowerer<'a> {
    /// The parameters of an operation: operation-level ones override
    /// path-level ones of the same name and location.
    pub(super) fn merged_parameters(
        &mut self,
        item: &'a openapiv3::PathItem,
        op: &'a openapiv3::Operation,
        path_item_ptr: &Pointer,
        pointer: &Pointer,
    ) -> Vec<(&'a Parameter, Pointer)> {
        let mut merged: Vec<(&'a Parameter, Pointer)> = Vec::new();
        let sources = item
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, path_item_ptr.join("parameters").join(i.to_string())))
            .chain(
                op.parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p, pointer.join("parameters").join(i.to_string()))),
            );
        for (p, ptr) in sources {
            let Some(param) = self.resolve_parameter(p) else {
                let what = match p {
                    ReferenceOr::Reference { reference } => format!("`$ref: {reference}` does not point to a parameter in #/components/parameters"),
                    ReferenceOr::Item(_) => "unresolvable parameter".to_owned(),
                };
                self.error(&ptr, what);
                continue;
            };
            let data = param.parameter_data_ref();
            let same = |q: &&(&Parameter, Pointer)| {
                q.0.parameter_data_ref().name == data.name
                    && std::mem::discriminant(q.0) == std::mem::discriminant(param)
            };
            if let Some(pos) = merged.iter().position(|q| same(&q)) {
                merged[pos] = (param, ptr);
            } else {
                merged.push((param, ptr));
            }
        }
        merged
    }

    /// The path template split into literal text and variables.
    pub(super) fn path_template(
        &mut self,
        path: &str,
        path_item_ptr: &Pointer,
    ) -> Option<Vec<TemplatePart>> {
        let mut parts_raw: Vec<TemplatePart> = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close_rel) = rest[open..].find('}') else {
                self.error(
                    path_item_ptr,
                    format!("path template `{path}` has an unclosed `{{`"),
                );
                return None;
            };
            if open > 0 {
                parts_raw.push(TemplatePart::Literal(rest[..open].to_owned()));
            }
            parts_raw.push(TemplatePart::Var(
                rest[open + 1..open + close_rel].to_owned(),
            ));
            rest = &rest[open + close_rel + 1..];
        }
        if !rest.is_empty() {
            parts_raw.push(TemplatePart::Literal(rest.to_owned()));
        }
        Some(parts_raw)
    }

    /// The parameters in builder order (path ones in template order, then
    /// the rest in spec order) and the path template pointing at them.
    pub(super) fn lower_params(
        &mut self,
        merged: &[(&'a Parameter, Pointer)],
        parts_raw: Vec<TemplatePart>,
        path: &str,
        path_item_ptr: &Pointer,
        builder_name: &str,
        tag: Option<&String>,
    ) -> Option<(Vec<Param>, Vec<PathPart>)> {
        let template_vars: Vec<&String> = parts_raw
            .iter()
            .filter_map(|p| match p {
                TemplatePart::Var(v) => Some(v),
                TemplatePart::Literal(_) => None,
            })
            .collect();
        let mut params = Vec::new();
        let mut param_scope = NameScope::with_reserved(crate::names::BUILDER_NAMES.iter().copied());
        let mut ordered: Vec<(&'a Parameter, Pointer)> = Vec::new();
        for var in &template_vars {
            match merged.iter().find(|(p, _)| {
                matches!(p, Parameter::Path { .. }) && &&p.parameter_data_ref().name == var
            }) {
                Some(found) => ordered.push(found.clone()),
                None => {
                    self.error(
                        path_item_ptr,
                        format!("path template variable `{{{var}}}` has no `in: path` parameter"),
                    );
                    return None;
                }
            }
        }
        for (p, ptr) in merged {
            match p {
                Parameter::Path { parameter_data, .. } => {
                    if !template_vars.iter().any(|v| **v == parameter_data.name) {
                        self.error(
                            ptr,
                            format!(
                                "path parameter `{}` does not appear in the path `{path}`",
                                parameter_data.name
                            ),
                        );
                        return None;
                    }
                }
                Parameter::Cookie { parameter_data, .. } => {
                    self.warn(
                        WarningCode::IgnoredKeyword,
                        ptr,
                        format!(
                            "cookie parameter `{}` is not supported; not sent",
                            parameter_data.name
                        ),
                    );
                }
                _ => ordered.push((p, ptr.clone())),
            }
        }
        for (p, ptr) in ordered {
            let data = p.parameter_data_ref();
            let location = match p {
                Parameter::Path { .. } => ParamLocation::Path,
                Parameter::Header { .. } => ParamLocation::Header,
                _ => ParamLocation::Query,
            };
            let ctx = Ctx {
                hint: format!("{builder_name}{}", type_name(&data.name)),
                field: data.name.clone(),
                site: super::newtype_names::Site::param(
                    tag.map_or(builder_name, String::as_str),
                    path,
                    &data.name,
                ),
                depth: 0,
            };
            let (ty, default, example) = match &data.format {
                ParameterSchemaOrContent::Schema(s) => {
                    let (default, example) = match s {
                        ReferenceOr::Item(schema) => (
                            schema.schema_data.default.clone(),
                            schema
                                .schema_data
                                .example
                                .clone()
                                .or_else(|| data.example.clone()),
                        ),
                        ReferenceOr::Reference { .. } => (None, data.example.clone()),
                    };
                    (
                        self.convert(s.into(), &ptr.join("schema"), View::Request, &ctx),
                        default,
                        example,
                    )
                }
                ParameterSchemaOrContent::Content(_) => {
                    self.warn(
                        WarningCode::JsonFallback,
                        &ptr,
                        "a parameter with `content` instead of `schema` is sent as a JSON string",
                    );
                    (Type::Json, None, data.example.clone())
                }
            };
            let required = data.required || location == ParamLocation::Path;
            let cli = self.param_atlascli(p, &ptr);
            params.push(Param {
                rust_name: param_scope.take(&field_name(&data.name)),
                wire_name: data.name.clone(),
                location,
                ty,
                required,
                default,
                doc: non_empty(&data.description),
                cli: ParamCli {
                    example,
                    aliases: cli.aliases,
                    help: cli.description_override,
                },
            });
        }
        let path_parts: Vec<PathPart> = parts_raw
            .into_iter()
            .map(|p| match p {
                TemplatePart::Literal(lit) => PathPart::Literal(lit),
                TemplatePart::Var(var) => PathPart::Param(
                    params
                        .iter()
                        .position(|q| q.location == ParamLocation::Path && q.wire_name == var)
                        .unwrap_or(0),
                ),
            })
            .collect();
        Some((params, path_parts))
    }
}

impl Lowerer<'_> {
    /// What `x-xgen-atlascli` says about a parameter (nothing when it has
    /// none). A shared parameter (`#/components/parameters/groupId`) is
    /// read, and its diagnostics placed, where it is defined; `at` is where
    /// the operation uses it.
    fn param_atlascli(&mut self, p: &Parameter, at: &Pointer) -> crate::atlascli::AtlasCli {
        let owner = &p.parameter_data_ref().extensions;
        if extensions::atlascli(owner).is_none() {
            return crate::atlascli::AtlasCli::default();
        }
        let defined = self
            .api
            .components
            .as_ref()
            .and_then(|c| {
                c.parameters
                    .iter()
                    .find(|(_, q)| matches!(q, ReferenceOr::Item(q) if std::ptr::eq(q, p)))
            })
            .map(|(name, _)| {
                Pointer::root()
                    .join("components")
                    .join("parameters")
                    .join(name)
            })
            .unwrap_or_else(|| at.clone());
        self.read_atlascli(owner, &defined)
    }

    /// Reads an `x-xgen-atlascli` extension (at `at`, the pointer of its
    /// owner): its unknown keys become warnings, its errors errors.
    pub(super) fn read_atlascli(
        &mut self,
        owner: &(impl Extensions + ?Sized),
        at: &Pointer,
    ) -> crate::atlascli::AtlasCli {
        match crate::atlascli::from_extensions(owner, self.file, at) {
            Ok(Some(read)) => {
                self.out.warnings.extend(read.warnings);
                read.value
            }
            Ok(None) => crate::atlascli::AtlasCli::default(),
            Err(failure) => {
                for d in failure.diagnostics {
                    match d.severity {
                        crate::diag::Severity::Error => self.out.errors.push(d),
                        crate::diag::Severity::Warning => self.out.warnings.push(d),
                    }
                }
                crate::atlascli::AtlasCli::default()
            }
        }
    }
}
