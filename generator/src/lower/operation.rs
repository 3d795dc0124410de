//! Operations: names, parameters, the path template, the request body and
//! the responses of each operation.

use std::collections::BTreeMap;

use openapiv3::ReferenceOr;

use super::bodies::Responses;
use super::{features, non_empty, Lowerer};
use crate::diag::{Pointer, WarningCode};
use crate::extensions;
use crate::ir::{Method, Operation, OperationCli, ParamLocation, Type};
use crate::names::{field_name, type_name, NameScope};

impl<'a> Lowerer<'a> {
    pub(super) fn lower_operations(&mut self) {
        let api = self.api;
        self.out.features = features::plan_features(api);
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
            let short_name = extensions::operation_id_override(&op.extensions)
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
        let path_item_ptr = Pointer::root().join("paths").join(path);
        let merged = self.merged_parameters(item, op, &path_item_ptr, &pointer);
        let template = self.path_template(path, &path_item_ptr)?;
        let (params, path_parts) = self.lower_params(
            &merged,
            template,
            path,
            &path_item_ptr,
            &builder_name,
            op.tags.first(),
        )?;
        // The API version: chosen once for the whole operation.
        let api_version = self.choose_version(op);
        let version = api_version.as_deref();
        let body = self.lower_body(op, &pointer, version, &builder_name);
        let Responses {
            success,
            success_type,
            success_optional,
            errors,
            error_type,
            accept,
        } = self.lower_responses(op, &pointer, version, &builder_name);
        let accept = accept
            .or_else(|| body.as_ref().map(|b| b.media_type.clone()))
            .unwrap_or_else(|| "application/json".to_owned());
        let cli = self.read_atlascli(&op.extensions, &pointer);
        if let Some(watcher) = cli.watcher {
            let at = pointer.join(extensions::ATLASCLI).join("watcher");
            self.work.watchers.push((operation_id.clone(), watcher, at));
        }
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
            docs_url: self.docs_url(op, &pointer),
            envelope_param,
            api_version,
            success_optional,
            authenticated: op.security.as_ref().is_none_or(|reqs| !reqs.is_empty()),
            feature: features::feature_of(&self.out.features, op.tags.first().map(String::as_str)),
            api_versions: self
                .offered_versions(op)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            pagination: None,
            version_media: self.version_media(op),
            watcher: None,
            cli: OperationCli {
                help: cli.description_override,
            },
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

impl Lowerer<'_> {
    /// The operation's `x-xgen-docs-url`, when it is an absolute http(s)
    /// URL; anything else is a warning and no link.
    fn docs_url(&mut self, op: &openapiv3::Operation, pointer: &Pointer) -> Option<String> {
        match extensions::docs_url(&op.extensions) {
            Ok(url) => url.map(str::to_owned),
            Err(value) => {
                let key = extensions::DOCS_URL;
                let message = format!("`{key}` is not an absolute http(s) URL ({value}); the operation's docs link is left out");
                self.warn(WarningCode::IgnoredKeyword, &pointer.join(key), message);
                None
            }
        }
    }
}
