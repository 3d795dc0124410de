//! The request body and the responses of an operation.

use std::collections::BTreeSet;

use openapiv3::StatusCode;

use super::{non_empty, pick_media, Ctx, Lowerer};
use crate::diag::{Pointer, WarningCode};
use crate::ir::{Body, ResponseCase, Type, View};
use crate::rules::{self, body_kind, BodyKind};

/// The responses of an operation, as [`Operation`] holds them.
pub(super) struct Responses {
    pub(super) success: Vec<ResponseCase>,
    pub(super) success_type: Option<Type>,
    pub(super) success_optional: bool,
    pub(super) errors: Vec<u16>,
    pub(super) error_type: Type,
    /// The media type of the first success body, for `Accept`.
    pub(super) accept: Option<String>,
}

impl<'a> Lowerer<'a> {
    /// The request body, at the operation's API version.
    pub(super) fn lower_body(
        &mut self,
        op: &'a openapiv3::Operation,
        pointer: &Pointer,
        version: Option<&str>,
        builder_name: &str,
    ) -> Option<Body> {
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
                            site: super::newtype_names::Site::Body(format!("{builder_name}Body")),
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
        body
    }

    /// The documented responses, at the operation's API version: success
    /// statuses with their bodies, the one type success decodes into,
    /// error statuses and their body type, and the `Accept` to send.
    pub(super) fn lower_responses(
        &mut self,
        op: &'a openapiv3::Operation,
        pointer: &Pointer,
        version: Option<&str>,
        builder_name: &str,
    ) -> Responses {
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
                    if rules::is_success(*code) && accept.is_none() {
                        accept = Some(media.to_owned());
                    }
                    Some(match body_kind(media) {
                        BodyKind::Text => Type::Text,
                        _ => Type::Binary,
                    })
                }
                Some((media, mt)) => {
                    if rules::is_success(*code) && accept.is_none() {
                        accept = Some(media.to_owned());
                    }
                    let ctx = Ctx {
                        hint: format!("{builder_name}Response{code}"),
                        field: "body".to_owned(),
                        site: super::newtype_names::Site::Body(format!("{builder_name}Response")),
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
                        None if rules::is_success(*code) => Some(Type::Untyped),
                        None => Some(Type::Json),
                    }
                }
                None => None,
            };
            if rules::is_non_error(*code) {
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
        // One named type (Atlas's `ApiError`) for every error status; any
        // other mix, or a body that is not an object type, is plain JSON.
        let error_type = match (error_types.len(), error_types.into_iter().next()) {
            (1, Some(Type::Named(name))) => Type::Named(name),
            _ => Type::Json,
        };
        Responses {
            success,
            success_type,
            success_optional,
            errors,
            error_type,
            accept,
        }
    }
}
