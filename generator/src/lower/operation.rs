//! Operations: names, parameters, the path template, the request body and
//! the responses of each operation.

use super::*;

impl<'a> Lowerer<'a> {
    pub(super) fn lower_operations(&mut self) {
        let api = self.api;
        let mut method_scope =
            NameScope::with_reserved(["builder", "base_url", "clone", "execute"]);
        // Builders live beside the names an operations module imports and
        // the prelude names its code uses.
        let mut builder_scope = NameScope::with_reserved([
            "ApiRequest",
            "Client",
            "Error",
            "Response",
            "Option",
            "Some",
            "None",
            "Result",
            "Ok",
            "Err",
            "String",
            "Vec",
            "Box",
        ]);
        let mut seen_ids: BTreeMap<String, Pointer> = BTreeMap::new();
        let mut ops: Vec<(
            String,
            &'a str,
            &'a openapiv3::PathItem,
            &'a str,
            &'a openapiv3::Operation,
        )> = Vec::new();
        for (path, item) in api.paths.iter() {
            let path_ptr = Pointer::root().join("paths").join(path);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { reference } => {
                    self.error(
                        &path_ptr,
                        format!(
                            "path item `$ref: {reference}` is not supported; inline the path item"
                        ),
                    );
                    continue;
                }
            };
            for (method, op) in item.iter() {
                let sort_key = op.operation_id.clone().unwrap_or_default();
                ops.push((sort_key, path, item, method, op));
            }
        }
        // Names are handed out in operationId order so they do not depend on
        // the order of paths in the file.
        ops.sort_by(|a, b| (&a.0, a.1, a.3).cmp(&(&b.0, b.1, b.3)));
        for (_, path, item, method, op) in ops {
            let pointer = Pointer::root().join("paths").join(path).join(method);
            let Some(operation_id) = op.operation_id.clone() else {
                self.error(
                    &pointer,
                    "operation has no `operationId`; every operation needs one to be named",
                );
                continue;
            };
            if let Some(first) = seen_ids.get(&operation_id) {
                let first = first.clone();
                self.error(
                    &pointer.join("operationId"),
                    format!("duplicate operationId `{operation_id}` (first used at {first})"),
                );
                continue;
            }
            seen_ids.insert(operation_id.clone(), pointer.clone());
            let short_name = op
                .extensions
                .get("x-xgen-operation-id-override")
                .and_then(|v| v.as_str())
                .unwrap_or(&operation_id)
                .to_owned();
            let mut method_name = field_name(&short_name);
            if method_scope.contains(&method_name) && short_name != operation_id {
                let long = field_name(&operation_id);
                self.warn(WarningCode::Renamed, &pointer, format!("operation name `{short_name}` becomes `{method_name}`, which another operation already has; using `{long}` from the operationId"));
                method_name = long;
            }
            if method_scope.contains(&method_name) {
                self.error(&pointer.join("operationId"), format!("operationId `{operation_id}` becomes the Rust name `{method_name}`, which another operation already has"));
                continue;
            }
            let method_name = method_scope.take(&method_name);
            let builder_name = builder_scope.take(&type_name(&method_name));
            let lowered = self.lower_operation(OpInput {
                pointer,
                path,
                item,
                method,
                op,
                operation_id,
                short_name,
                method_name,
                builder_name,
            });
            if let Some(lowered) = lowered {
                self.out.operations.push(lowered);
            }
        }
    }

    pub(super) fn lower_operation(&mut self, input: OpInput<'a>) -> Option<Operation> {
        let OpInput {
            pointer,
            path,
            item,
            method,
            op,
            operation_id,
            short_name,
            method_name,
            builder_name,
        } = input;
        let method = match method {
            "get" => Method::Get,
            "put" => Method::Put,
            "post" => Method::Post,
            "delete" => Method::Delete,
            "options" => Method::Options,
            "head" => Method::Head,
            "patch" => Method::Patch,
            _ => Method::Trace,
        };
        // Parameters: operation-level ones override path-level ones.
        let mut merged: Vec<(&'a Parameter, Pointer)> = Vec::new();
        let path_item_ptr = Pointer::root().join("paths").join(path);
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
        // The path template.
        let mut parts_raw: Vec<Result<String, String>> = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close_rel) = rest[open..].find('}') else {
                self.error(
                    &path_item_ptr,
                    format!("path template `{path}` has an unclosed `{{`"),
                );
                return None;
            };
            if open > 0 {
                parts_raw.push(Ok(rest[..open].to_owned()));
            }
            parts_raw.push(Err(rest[open + 1..open + close_rel].to_owned()));
            rest = &rest[open + close_rel + 1..];
        }
        if !rest.is_empty() {
            parts_raw.push(Ok(rest.to_owned()));
        }
        let template_vars: Vec<&String> =
            parts_raw.iter().filter_map(|p| p.as_ref().err()).collect();
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
                        &path_item_ptr,
                        format!("path template variable `{{{var}}}` has no `in: path` parameter"),
                    );
                    return None;
                }
            }
        }
        for (p, ptr) in &merged {
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
            params.push(Param {
                rust_name: param_scope.take(&field_name(&data.name)),
                wire_name: data.name.clone(),
                location,
                ty,
                required,
                default,
                example,
                doc: non_empty(&data.description),
            });
        }
        let path_parts = parts_raw
            .into_iter()
            .map(|p| match p {
                Ok(lit) => PathPart::Literal(lit),
                Err(var) => PathPart::Param(
                    params
                        .iter()
                        .position(|q| q.location == ParamLocation::Path && q.wire_name == var)
                        .unwrap_or(0),
                ),
            })
            .collect();
        // The API version: chosen once for the whole operation.
        let api_version = self.choose_version(op);
        let version = api_version.as_deref();
        // Body.
        let mut body = None;
        if let Some(rb) = &op.request_body {
            let body_ptr = pointer.join("requestBody");
            match self.resolve_body(rb) {
                None => self.error(
                    &body_ptr,
                    "`$ref` does not point to a request body in #/components/requestBodies",
                ),
                Some(rb) => match pick_media(&rb.content, version) {
                    Some((media, mt)) if body_kind(media) == BodyKind::Json => {
                        let ctx = Ctx {
                            hint: format!("{builder_name}Body"),
                            field: "body".to_owned(),
                            depth: 0,
                        };
                        let media_ptr = body_ptr.join("content").join(media).join("schema");
                        let ty = match &mt.schema {
                            Some(s) => self.convert(s.into(), &media_ptr, View::Request, &ctx),
                            None => Type::Json,
                        };
                        body = Some(Body {
                            media_type: media.to_owned(),
                            ty,
                            required: rb.required,
                            doc: non_empty(&rb.description),
                        });
                    }
                    _ => {
                        self.warn(WarningCode::IgnoredKeyword, &body_ptr.join("content"), "no JSON media type in the request body; the operation is generated without a body");
                    }
                },
            }
        }
        // Responses.
        let mut success = Vec::new();
        let mut errors = Vec::new();
        let mut error_types = BTreeSet::new();
        let mut accept: Option<String> = None;
        for (status, resp) in &op.responses.responses {
            let resp_ptr = pointer.join("responses").join(status.to_string());
            let StatusCode::Code(code) = status else {
                self.warn(WarningCode::IgnoredKeyword, &resp_ptr, format!("status range `{status}` is not modelled; such responses are reported as undocumented"));
                continue;
            };
            let Some(resp) = self.resolve_response(resp) else {
                self.error(
                    &resp_ptr,
                    "`$ref` does not point to a response in #/components/responses",
                );
                continue;
            };
            let ty = match pick_media(&resp.content, version) {
                Some((media, _)) if body_kind(media) != BodyKind::Json => {
                    if (200..300).contains(code) && accept.is_none() {
                        accept = Some(media.to_owned());
                    }
                    Some(match body_kind(media) {
                        BodyKind::Text => Type::Text,
                        _ => Type::Binary,
                    })
                }
                Some((media, mt)) => {
                    let is_success = (200..300).contains(code);
                    if is_success && accept.is_none() {
                        accept = Some(media.to_owned());
                    }
                    let ctx = Ctx {
                        hint: format!("{builder_name}Response{code}"),
                        field: "body".to_owned(),
                        depth: 0,
                    };
                    let media_ptr = resp_ptr.join("content").join(media).join("schema");
                    match &mt.schema {
                        Some(s) => {
                            let ty = self.convert(s.into(), &media_ptr, View::Response, &ctx);
                            let example_ptr = resp_ptr.join("content").join(media);
                            self.record_example(&example_ptr, &ty, mt.example.as_ref());
                            Some(ty)
                        }
                        // A 204 names its media type but has no body (Atlas's deletes).
                        None if *code == 204 => None,
                        // Content without a schema: a success may carry
                        // anything, or nothing (Atlas's 202s).
                        None if (200..300).contains(code) => Some(Type::Untyped),
                        None => Some(Type::Json),
                    }
                }
                None => None,
            };
            if (100..300).contains(code) {
                success.push(ResponseCase { status: *code, ty });
            } else {
                if let Some(t) = ty {
                    error_types.insert(t);
                }
                errors.push(*code);
            }
        }
        // Statuses without a schema beside ones with a schema: the typed
        // body is decoded where the spec gives one, `None` elsewhere.
        if success
            .iter()
            .any(|c| c.ty.as_ref().is_some_and(|t| *t != Type::Untyped))
        {
            for case in &mut success {
                if case.ty == Some(Type::Untyped) {
                    case.ty = None;
                }
            }
        }
        // Some success statuses with a body and some without (`200` with a
        // report, `102` while it is prepared): the body is an `Option`.
        let success_optional =
            success.iter().any(|c| c.ty.is_some()) && success.iter().any(|c| c.ty.is_none());
        let success_types: BTreeSet<&Type> = success.iter().filter_map(|c| c.ty.as_ref()).collect();
        let success_type = match success_types.len() {
            0 => None,
            1 => success_types.into_iter().next().cloned(),
            _ => {
                self.warn(
                    WarningCode::JsonFallback,
                    &pointer.join("responses"),
                    "success statuses have different body types; decoded as JSON values",
                );
                Some(Type::Json)
            }
        };
        // Binary, text and untyped bodies read an empty body as empty, not
        // as missing.
        let success_optional = success_optional
            && !matches!(
                success_type,
                Some(Type::Binary | Type::Text | Type::Untyped)
            );
        let error_type = if error_types.len() == 1 {
            error_types.into_iter().next().unwrap_or(Type::Json)
        } else {
            Type::Json
        };
        let accept = accept
            .or_else(|| body.as_ref().map(|b| b.media_type.clone()))
            .unwrap_or_else(|| "application/json".to_owned());
        let envelope_param = params.iter().position(|p| {
            p.wire_name == "envelope" && p.location == ParamLocation::Query && p.ty == Type::Bool
        });
        Some(Operation {
            operation_id,
            short_name,
            method_name,
            builder_name,
            tag: op.tags.first().cloned(),
            method,
            path: path.to_owned(),
            path_parts,
            params,
            body,
            accept,
            success,
            success_type,
            errors,
            error_type,
            summary: non_empty(&op.summary),
            description: non_empty(&op.description),
            envelope_param,
            api_version,
            success_optional,
            authenticated: op.security.as_ref().is_none_or(|reqs| !reqs.is_empty()),
            feature: String::new(),
            api_versions: self
                .offered_versions(op)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            pagination: None,
        })
    }
}

pub(super) struct OpInput<'a> {
    pointer: Pointer,
    path: &'a str,
    item: &'a openapiv3::PathItem,
    method: &'a str,
    op: &'a openapiv3::Operation,
    operation_id: String,
    short_name: String,
    method_name: String,
    builder_name: String,
}
