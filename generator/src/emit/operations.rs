//! `operations/<tag>.rs`: one method on `Client` per operation, and its
//! request builder (inputs, checks, request building, `send`, `Endpoint`).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::markdown;
use super::tokens::{doc_lines, doc_text, ident, models, ty_tokens};
use crate::ir::*;

pub(super) fn emit_operations(feature: &str, def: &Feature, ops: &[&Operation]) -> TokenStream {
    let methods = ops.iter().map(|op| emit_client_method(op));
    let builders = ops.iter().map(|op| emit_builder(op));
    let extras = ops.iter().map(|op| {
        let versions = super::versions::emit_version_methods(op);
        let pages = super::pagination::emit_builder_methods(op);
        quote! { #versions #pages }
    });
    let doc = format!(
        " Operations tagged \"{}\" (cargo feature `{feature}`).",
        def.tag
    );
    quote! {
        #![doc = #doc]
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]

        use crate::runtime::{ApiRequest, Error, Response};
        use crate::Client;

        impl Client {
            #(#methods)*
        }

        #(#builders)*
        #(#extras)*
    }
}

pub(super) fn operation_doc(op: &Operation) -> Vec<String> {
    let page = markdown::docs_page(op.docs_url.as_deref());
    let prose = |text: &str| doc_text(&markdown::absolute_links(text, page));
    let mut lines = Vec::new();
    if let Some(summary) = &op.summary {
        lines.push(prose(summary));
    }
    if let Some(description) = &op.description {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(prose(description).lines().map(str::to_owned));
    }
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines.push(format!(
        "`{} {}` (operationId `{}`).",
        op.method.as_str(),
        op.path,
        op.operation_id
    ));
    if let Some(url) = &op.docs_url {
        lines.push(String::new());
        lines.push(format!("Docs: <{url}>"));
    }
    lines
}

pub(super) fn emit_client_method(op: &Operation) -> TokenStream {
    let method = ident(&op.method_name);
    let builder = ident(&op.builder_name);
    let mut lines = operation_doc(op);
    lines.push(String::new());
    lines.push(format!(
        "Returns a [`{}`] builder: set its inputs, then call `send`.",
        op.builder_name
    ));
    let doc = doc_lines(&lines);
    quote! {
        #doc
        pub fn #method(&self) -> #builder<'_> {
            #builder::new(self)
        }
    }
}

/// How a parameter is held in a builder and taken from a setter.
pub(super) struct ParamShape {
    /// Builder field type: `Option<T>`, or `Checked<T>` for validated ones.
    field: TokenStream,
    /// Setter argument type.
    arg: TokenStream,
    /// Expression storing `value` into the field.
    store: TokenStream,
}

pub(super) fn param_shape(ty: &Type, models: &TokenStream) -> ParamShape {
    let t = ty_tokens(ty, models);
    match ty {
        Type::Newtype(_) => ParamShape {
            field: quote! { crate::runtime::Checked<#t> },
            arg: quote! { impl crate::runtime::IntoValidated<#t> },
            store: quote! { value.into_validated() },
        },
        Type::Vec(inner) if matches!(**inner, Type::Newtype(_)) => {
            let it = ty_tokens(inner, models);
            ParamShape {
                field: quote! { crate::runtime::Checked<#t> },
                arg: quote! { impl ::std::iter::IntoIterator<Item = impl crate::runtime::IntoValidated<#it>> },
                store: quote! { value.into_iter().map(crate::runtime::IntoValidated::into_validated).collect() },
            }
        }
        Type::String => ParamShape {
            field: quote! { Option<#t> },
            arg: quote! { impl ::std::convert::Into<String> },
            store: quote! { value.into() },
        },
        _ => ParamShape {
            field: quote! { Option<#t> },
            arg: t,
            store: quote! { value },
        },
    }
}

pub(super) fn emit_builder(op: &Operation) -> TokenStream {
    let models = models();
    let name = ident(&op.builder_name);
    let builder_doc = format!(
        " Request builder for [`Client::{}`]: `{} {}`.",
        op.method_name,
        op.method.as_str(),
        op.path
    );
    let mut fields = Vec::new();
    let mut inits = Vec::new();
    let mut setters = Vec::new();
    let mut takes = Vec::new();
    let mut extras = Vec::new();
    for p in &op.params {
        let pname = ident(&p.rust_name);
        let shape = param_shape(&p.ty, &models);
        let field = &shape.field;
        fields.push(quote! { #pname: #field, });
        inits.push(quote! { #pname: None, });
        let mut lines = doc_paragraph(p.doc.as_deref());
        let location = match p.location {
            ParamLocation::Path => "path",
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
        };
        let mut facts = format!(
            "`{}` ({location} parameter, {})",
            p.wire_name,
            if p.required { "required" } else { "optional" }
        );
        if let Some(default) = &p.default {
            facts.push_str(&format!("; the server's default is `{default}`"));
        }
        facts.push('.');
        lines.push(facts);
        let doc = doc_lines(&lines);
        let arg = &shape.arg;
        let store = &shape.store;
        setters.push(quote! {
            #doc
            pub fn #pname(mut self, value: #arg) -> Self {
                self.#pname = Some(#store);
                self
            }
        });
        let wire = &p.wire_name;
        let take = match (p.required, p.ty.is_checked_param()) {
            (true, true) => quote! { let #pname = crate::runtime::required(self.#pname, #wire)?; },
            (true, false) => {
                quote! { let #pname = self.#pname.ok_or(crate::runtime::ValidationError::missing(#wire))?; }
            }
            (false, true) => quote! { let #pname = self.#pname.transpose()?; },
            // Read straight from the builder where it is used.
            (false, false) => TokenStream::new(),
        };
        let value = if take.is_empty() {
            quote! { self.#pname }
        } else {
            quote! { #pname }
        };
        takes.push(take);
        // Query and headers, in parameter order (path values go into the
        // template below).
        let list = matches!(p.ty, Type::Vec(_));
        let method = match (p.location, p.required, list) {
            (ParamLocation::Path, _, _) => continue,
            (ParamLocation::Query, true, false) => "query",
            (ParamLocation::Query, false, false) => "query_opt",
            (ParamLocation::Query, true, true) => "query_each",
            (ParamLocation::Query, false, true) => "query_each_opt",
            (ParamLocation::Header, true, _) => "header",
            (ParamLocation::Header, false, _) => "header_opt",
        };
        let method = format_ident!("{}", method);
        extras.push(quote! { request.#method(#wire, &#value); });
    }
    let mut body_take = TokenStream::new();
    let mut body_send = TokenStream::new();
    if let Some(body) = &op.body {
        let t = ty_tokens(&body.ty, &models);
        fields.push(quote! { body: Option<#t>, });
        inits.push(quote! { body: None, });
        let mut lines = doc_paragraph(body.doc.as_deref());
        lines.push(format!(
            "The request body (`{}`, {}).",
            body.media_type,
            if body.required {
                "required"
            } else {
                "optional"
            }
        ));
        let doc = doc_lines(&lines);
        setters.push(quote! {
            #doc
            pub fn body(mut self, value: #t) -> Self {
                self.body = Some(value);
                self
            }
        });
        let media = &body.media_type;
        // A raw JSON body (`raw_body`: a field the spec does not list yet,
        // another API version) stands in for the typed one; checked
        // against the typed one at the generated version.
        fields.push(quote! { raw_body: Option<::serde_json::Value>, });
        inits.push(quote! { raw_body: None, });
        fields.push(quote! { strict_body: bool, });
        inits.push(quote! { strict_body: false, });
        setters.push(quote! {
            /// Sends this JSON as the request body instead of [`Self::body`],
            /// unchanged. At the API version the crate was generated for it
            /// is checked first against the body type: a value of the wrong
            /// type, a broken pattern or a missing required field is
            /// [`Error::InvalidRequest`](crate::runtime::Error::InvalidRequest)
            /// and nothing is sent; a field the type does not know is sent,
            /// with a `tracing` warning (Atlas, not the client, decides what
            /// it accepts), unless [`Self::strict_body`] refuses it. For
            /// another API version (set with `api_version`) it is sent unchecked.
            pub fn raw_body(mut self, value: ::serde_json::Value) -> Self {
                self.raw_body = Some(value);
                self
            }

            /// Whether a [`Self::raw_body`] with fields its type does not
            /// know is refused instead of sent with a warning (default
            /// `false`; the command line's `--strict`).
            pub fn strict_body(mut self, strict: bool) -> Self {
                self.strict_body = strict;
                self
            }
        });
        let generated_version = match &op.api_version {
            Some(v) => quote! { Some(#v) },
            None => quote! { None },
        };
        if body.required {
            body_take = quote! {
                if self.raw_body.is_none() && self.body.is_none() {
                    return Err(crate::runtime::ValidationError::missing("body").into());
                }
            };
        }
        let op_id = &op.operation_id;
        body_send = quote! {
            if let Some(raw) = &self.raw_body {
                let generated: Option<&str> = #generated_version;
                if self.api_version.is_none() || self.api_version.as_deref() == generated {
                    let unknown = crate::runtime::check_json_body::<#t>("body", raw, self.strict_body)?;
                    crate::runtime::warn_unknown_fields(#op_id, &unknown);
                }
            }
            request
                .json_bodies(#media, self.raw_body.as_ref(), self.body.as_ref())?;
        };
    }
    // Path: the values of the template's parameters, in template order
    // (the runtime encodes them and fills in the template).
    let mut path_values = Vec::new();
    for part in &op.path_parts {
        if let PathPart::Param(i) = part {
            if let Some(p) = op.params.get(*i) {
                let pname = ident(&p.rust_name);
                path_values.push(match &p.ty {
                    Type::String | Type::Newtype(_) | Type::Named(_) => quote! { #pname.as_str() },
                    _ => quote! { crate::runtime::ToWire::to_wire(&#pname).as_str() },
                });
            }
        }
    }
    let envelope = op.envelope_param.and_then(|i| op.params.get(i)).map(|p| {
        let pname = ident(&p.rust_name);
        if p.required {
            quote! { request.unwrap_envelope = #pname; }
        } else {
            quote! { request.unwrap_envelope = self.#pname.unwrap_or(false); }
        }
    });
    // Responses.
    let success_ty = match &op.success_type {
        Some(t) if op.success_optional => {
            let t = ty_tokens(t, &models);
            quote! { Option<#t> }
        }
        Some(t) => ty_tokens(t, &models),
        None => quote! { () },
    };
    let error_ty = super::tokens::error_body();
    let decoder = match &op.success_type {
        None => quote! { crate::runtime::NoContent },
        Some(Type::Binary) => quote! { crate::runtime::Binary },
        Some(Type::Text) => quote! { crate::runtime::Text },
        Some(Type::Untyped) => quote! { crate::runtime::MaybeJson },
        Some(t) => {
            let t = ty_tokens(t, &models);
            if op.success_optional {
                quote! { crate::runtime::JsonIfAny<#t> }
            } else {
                quote! { crate::runtime::Json<#t> }
            }
        }
    };
    let success = op.success.iter().map(|case| {
        let status = Literal::u16_unsuffixed(case.status);
        let body = case.ty.is_some();
        quote! { (#status, #body) }
    });
    let errors = op.errors.iter().map(|s| Literal::u16_unsuffixed(*s));
    let http_method = format_ident!("{}", op.method.as_str());
    let template = &op.path;
    let accept = &op.accept;
    let send_lines = {
        let mut lines = operation_doc(op);
        lines.push(String::new());
        lines.push("Checks every input first: a missing required input or a value that breaks its pattern returns [`Error::InvalidRequest`] and nothing is sent.".to_owned());
        let statuses: Vec<String> = op.errors.iter().map(u16::to_string).collect();
        if !statuses.is_empty() {
            lines.push(format!(
                "Documented error statuses ({}) return [`Error::Api`] with the decoded body.",
                statuses.join(", ")
            ));
        }
        lines
    };
    let send_doc = doc_lines(&send_lines);
    let no_auth = (!op.authenticated).then(|| quote! { request.authenticate = false; });
    fields.push(quote! { api_version: Option<String>, });
    inits.push(quote! { api_version: None, });
    fields.push(quote! { call_options: crate::runtime::CallOptions, });
    inits.push(quote! { call_options: ::std::default::Default::default(), });
    let operation_id = &op.operation_id;
    let send_stream = matches!(op.success_type, Some(Type::Binary | Type::Text)).then(|| {
        quote! {
            /// Like [`Self::send`], but a 2xx body is handed back as it
            /// arrives, in bounded memory whatever its length (see
            /// [`ByteStream`](crate::runtime::ByteStream): `save_to` a file,
            /// `write_to` any `AsyncWrite`, or read it as a `Stream`). Retries
            /// happen only before the body starts; a failure mid-body ends
            /// the stream with an error, and no byte is delivered twice.
            pub fn send_stream(self) -> impl ::std::future::Future<Output = Result<Response<crate::runtime::ByteStream<#error_ty>>, Error<#error_ty>>> + 'a {
                let client = self.client;
                client.send_stream::<Self>(self.into_request())
            }
        }
    });
    quote! {
        #[doc = #builder_doc]
        #[derive(Debug, Clone)]
        #[must_use = "a request builder does nothing until `send` is awaited"]
        pub struct #name<'a> {
            client: &'a Client,
            #(#fields)*
        }

        impl<'a> #name<'a> {
            fn new(client: &'a Client) -> Self {
                Self { client, #(#inits)* }
            }

            #(#setters)*

            /// Overrides the client's settings for this call: timeouts,
            /// retry policy, extra headers
            /// (`.customize(|c| c.operation_timeout(Duration::from_secs(20)).retry(RetryPolicy::none()))`;
            /// see [`CallOptions`](crate::runtime::CallOptions)).
            pub fn customize(mut self, f: impl ::std::ops::FnOnce(crate::runtime::CallOptions) -> crate::runtime::CallOptions) -> Self {
                self.call_options = f(self.call_options);
                self
            }

            #send_doc
            pub fn send(self) -> impl ::std::future::Future<Output = Result<Response<#success_ty>, Error<#error_ty>>> + 'a {
                let client = self.client;
                client.send::<Self>(self.into_request())
            }

            #send_stream

            /// Checks the inputs and builds the request.
            fn into_request(self) -> Result<ApiRequest, Error<#error_ty>> {
                #(#takes)*
                #body_take
                let mut request = ApiRequest::new(
                    ::reqwest::Method::#http_method,
                    #template,
                    &[#(#path_values),*],
                    #accept,
                );
                #(#extras)*
                #no_auth
                #body_send
                #envelope
                request.api_version = self.api_version;
                request.operation_id = #operation_id;
                request.versions = Self::API_VERSION_SUNSETS;
                request.options = self.call_options;
                Ok(request)
            }
        }

        impl crate::runtime::Endpoint for #name<'_> {
            type Decoder = #decoder;
            type ErrorBody = #error_ty;
            const SUCCESS: &'static [(u16, bool)] = &[#(#success),*];
            const ERRORS: &'static [u16] = &[#(#errors),*];
        }
    }
}

/// The lines of a description made safe for rustdoc, followed by an empty
/// line when there are any (so that what follows starts a paragraph).
fn doc_paragraph(doc: Option<&str>) -> Vec<String> {
    let mut lines: Vec<String> = doc
        .map(|d| doc_text(d).lines().map(str::to_owned).collect())
        .unwrap_or_default();
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines
}
