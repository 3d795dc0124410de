//! Stage 3: emitting Rust tokens from the IR, one small `quote!` function per
//! concept. Generated code names everything by full path (`::std::...`) so
//! that spec types called `String` or `Option` cannot break it.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::*;
use crate::pattern;

/// One generated file: its path below the generated module directory and
/// its tokens.
pub struct EmittedFile {
    /// File name, e.g. `models.rs`.
    pub name: &'static str,
    /// The file's contents.
    pub tokens: TokenStream,
}

/// Emits every generated file for `api`.
pub fn emit(api: &Api) -> Vec<EmittedFile> {
    vec![
        EmittedFile {
            name: "mod.rs",
            tokens: emit_mod(api),
        },
        EmittedFile {
            name: "models.rs",
            tokens: emit_models(api),
        },
        EmittedFile {
            name: "operations.rs",
            tokens: emit_operations(api),
        },
    ]
}

fn ident(name: &str) -> Ident {
    // Names come from `names.rs`, which only makes valid identifiers;
    // keywords there already carry a suffix.
    Ident::new(name, Span::call_site())
}

/// Makes spec prose safe for rustdoc: no accidental code blocks or doctests,
/// no bare URLs, no brackets read as intra-doc links.
pub fn doc_text(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.trim_start();
        let line = line.replace("```", "`` `");
        let mut rest = line.as_str();
        while !rest.is_empty() {
            let Some(at) = rest.find("http") else {
                out.push_str(&escape_brackets(rest));
                break;
            };
            let (before, from) = rest.split_at(at);
            out.push_str(&escape_brackets(before));
            let bare = (from.starts_with("https://") || from.starts_with("http://"))
                && !before.ends_with('(')
                && !before.ends_with('<');
            let end = from
                .find(|c: char| c.is_whitespace() || c == ')' || c == '>' || c == '"')
                .unwrap_or(from.len());
            let (url, after) = from.split_at(end);
            if bare {
                let url_trimmed = url.trim_end_matches(['.', ',', ';', ':']);
                let tail = &url[url_trimmed.len()..];
                out.push('<');
                out.push_str(url_trimmed);
                out.push('>');
                out.push_str(tail);
            } else {
                out.push_str(url);
            }
            rest = after;
        }
    }
    out
}

fn escape_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        match c {
            '[' => {
                // Keep `[text](url)` links; escape everything else.
                let closes_as_link = chars[i..]
                    .iter()
                    .position(|&c| c == ']')
                    .is_some_and(|j| chars.get(i + j + 1) == Some(&'('));
                if !closes_as_link {
                    out.push('\\');
                }
                out.push('[');
            }
            ']' => {
                if chars.get(i + 1) != Some(&'(') {
                    out.push('\\');
                }
                out.push(']');
            }
            _ => out.push(*c),
        }
    }
    out
}

fn doc_attrs(doc: Option<&str>) -> TokenStream {
    match doc {
        Some(text) => {
            let text = doc_text(text);
            let lines = text.lines().map(|l| format!(" {l}"));
            quote! { #( #[doc = #lines] )* }
        }
        None => TokenStream::new(),
    }
}

fn doc_lines(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// The Rust type for `ty`; `models` is the path to the models module.
fn ty_tokens(ty: &Type, models: &TokenStream) -> TokenStream {
    match ty {
        Type::String => quote! { ::std::string::String },
        Type::Bool => quote! { bool },
        Type::I32 => quote! { i32 },
        Type::I64 => quote! { i64 },
        Type::F64 => quote! { f64 },
        Type::DateTime => quote! { ::chrono::DateTime<::chrono::Utc> },
        Type::Date => quote! { ::chrono::NaiveDate },
        Type::Json => quote! { ::serde_json::Value },
        Type::JsonObject => {
            quote! { ::serde_json::Map<::std::string::String, ::serde_json::Value> }
        }
        Type::Named(n) | Type::Newtype(n) => {
            let n = ident(n);
            quote! { #models #n }
        }
        Type::Vec(inner) => {
            let inner = ty_tokens(inner, models);
            quote! { ::std::vec::Vec<#inner> }
        }
        Type::Map(inner) => {
            let inner = ty_tokens(inner, models);
            quote! { ::std::collections::BTreeMap<::std::string::String, #inner> }
        }
    }
}

// ----- mod.rs ----------------------------------------------------------

fn emit_mod(api: &Api) -> TokenStream {
    let doc = format!(
        " Code generated from the OpenAPI document \"{}\".",
        api.title
    );
    quote! {
        #![doc = #doc]
        pub mod models;
        pub mod operations;
    }
}

// ----- models.rs ---------------------------------------------------------

fn emit_models(api: &Api) -> TokenStream {
    let types = api.types.values().map(|def| match def {
        TypeDef::Struct(s) => emit_struct(s),
        TypeDef::Enum(e) => emit_enum(e),
    });
    let newtypes = api.newtypes.values().map(emit_newtype);
    quote! {
        //! Models: the request and response bodies of every operation, and the
        //! validated string types of their patterned fields and parameters.
        #![allow(clippy::large_enum_variant, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
        #(#types)*
        #(#newtypes)*
    }
}

fn emit_struct(s: &StructDef) -> TokenStream {
    let name = ident(&s.name);
    let models = TokenStream::new();
    let view_note = match s.view {
        None => "Sent in requests and received in responses.",
        Some(View::Request) => "Sent in requests: read-only properties are left out and patterns are checked when values are built.",
        Some(View::Response) => "Received in responses: write-only properties are left out, unknown fields are ignored and patterns are not checked.",
    };
    let doc = doc_attrs(s.doc.as_deref());
    let view_doc = format!(" {view_note}");
    let separator = if s.doc.is_some() {
        quote! { #[doc = ""] }
    } else {
        TokenStream::new()
    };
    let fields = s.fields.iter().map(|f| emit_field(f, s.view, &models));
    let default = s.all_optional.then(|| quote! { Default, });
    let constructor = emit_constructor(s, &models);
    quote! {
        #doc
        #separator
        #[doc = #view_doc]
        #[derive(Debug, Clone, PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name {
            #(#fields)*
        }
        #constructor
    }
}

/// How a field is stored, given its view.
enum Shape {
    /// `T`, always present.
    Plain,
    /// `Option<T>`, `None` skipped when sending.
    Optional,
    /// `Option<T>`, `None` sent as `null`.
    NullableRequired,
    /// `Option<Option<T>>`: absent, `null` or a value.
    ThreeState,
}

fn shape(f: &Field, view: Option<View>) -> Shape {
    let view = view.unwrap_or(View::Request);
    match (view, f.required, f.nullable) {
        (_, true, false) => Shape::Plain,
        (View::Response, _, _) => Shape::Optional,
        (View::Request, true, true) => Shape::NullableRequired,
        (View::Request, false, false) => Shape::Optional,
        (View::Request, false, true) => Shape::ThreeState,
    }
}

fn field_inner_ty(f: &Field, models: &TokenStream) -> TokenStream {
    let inner = ty_tokens(&f.ty, models);
    if f.boxed {
        quote! { ::std::boxed::Box<#inner> }
    } else {
        inner
    }
}

fn emit_field(f: &Field, view: Option<View>, models: &TokenStream) -> TokenStream {
    let name = ident(&f.rust_name);
    let inner = field_inner_ty(f, models);
    let fallback_doc = format!(
        "The `{}` property (the spec does not describe it).",
        f.wire_name
    );
    let doc = doc_attrs(Some(f.doc.as_deref().unwrap_or(&fallback_doc)));
    let rename = (f.rust_name != f.wire_name).then(|| {
        let wire = &f.wire_name;
        quote! { #[serde(rename = #wire)] }
    });
    let (ty, attrs) = match shape(f, view) {
        Shape::Plain => (inner, TokenStream::new()),
        Shape::Optional => (
            quote! { ::std::option::Option<#inner> },
            quote! { #[serde(default, skip_serializing_if = "::std::option::Option::is_none")] },
        ),
        Shape::NullableRequired => (quote! { ::std::option::Option<#inner> }, TokenStream::new()),
        Shape::ThreeState => (
            quote! { ::std::option::Option<::std::option::Option<#inner>> },
            quote! {
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none", with = "crate::runtime::serde_helpers::double_option")]
            },
        ),
    };
    quote! {
        #doc
        #rename
        #attrs
        pub #name: #ty,
    }
}

fn emit_constructor(s: &StructDef, models: &TokenStream) -> Option<TokenStream> {
    if s.all_optional {
        return None;
    }
    let name = ident(&s.name);
    let mut args = Vec::new();
    let mut inits = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.rust_name);
        match shape(f, s.view) {
            Shape::Plain | Shape::NullableRequired => {
                let mut ty = field_inner_ty(f, models);
                if matches!(shape(f, s.view), Shape::NullableRequired) {
                    ty = quote! { ::std::option::Option<#ty> };
                }
                args.push(quote! { #fname: #ty });
                inits.push(quote! { #fname });
            }
            Shape::Optional | Shape::ThreeState => {
                inits.push(quote! { #fname: ::std::option::Option::None })
            }
        }
    }
    let doc = format!(
        " A `{}` with the required fields set and every optional one empty.",
        s.name
    );
    Some(quote! {
        impl #name {
            #[doc = #doc]
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
        }
    })
}

fn emit_enum(e: &EnumDef) -> TokenStream {
    let name = ident(&e.name);
    let doc = doc_attrs(e.doc.as_deref());
    let fallback = ident(&e.fallback);
    let variants = e.variants.iter().map(|v| {
        let rust = ident(&v.rust);
        let wire = &v.wire;
        let vdoc = format!(" `{wire}`");
        let rename = (v.rust != v.wire).then(|| quote! { #[serde(rename = #wire)] });
        quote! {
            #[doc = #vdoc]
            #rename
            #rust,
        }
    });
    let arms = e.variants.iter().map(|v| {
        let rust = ident(&v.rust);
        let wire = &v.wire;
        quote! { Self::#rust => #wire, }
    });
    let values = e.variants.iter().map(|v| &v.wire);
    quote! {
        #doc
        #[doc = ""]
        #[doc = " Values the spec does not list decode into the fallback variant instead of failing."]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the spec does not list, kept as sent.
            #[serde(untagged)]
            #fallback(::std::string::String),
        }

        impl #name {
            /// Every value the spec lists, in spec order.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];

            /// The value as it goes on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#arms)*
                    Self::#fallback(value) => value,
                }
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

fn emit_newtype(n: &Newtype) -> TokenStream {
    let name = ident(&n.name);
    let field = &n.field;
    let pattern = &n.pattern;
    let input = format_ident!("input");
    let matcher = pattern::emit_is_match(&n.plan, &input);
    let doc = doc_attrs(n.doc.as_deref());
    let separator = n.doc.is_some().then(|| quote! { #[doc = ""] });
    let what = format!(
        " A `{field}` value, checked against the pattern `{}` when it is built.",
        pattern.replace('`', "'")
    );
    quote! {
        #doc
        #separator
        #[doc = #what]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(try_from = "::std::string::String", into = "::std::string::String")]
        pub struct #name(::std::string::String);

        impl #name {
            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl crate::runtime::Validated for #name {
            const FIELD: &'static str = #field;
            const PATTERN: &'static str = #pattern;

            fn is_valid(#input: &str) -> bool {
                #matcher
            }

            fn from_checked(value: ::std::string::String) -> Self {
                Self(value)
            }

            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::str::FromStr for #name {
            type Err = crate::runtime::ValidationError;

            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                <Self as crate::runtime::Validated>::parse(value)
            }
        }

        impl ::std::convert::TryFrom<::std::string::String> for #name {
            type Error = crate::runtime::ValidationError;

            fn try_from(value: ::std::string::String) -> ::std::result::Result<Self, Self::Error> {
                <Self as crate::runtime::Validated>::parse(value)
            }
        }

        impl ::std::convert::From<#name> for ::std::string::String {
            fn from(value: #name) -> Self {
                value.0
            }
        }

        impl ::std::convert::AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    }
}

// ----- operations.rs -------------------------------------------------------

fn emit_operations(api: &Api) -> TokenStream {
    let methods = api.operations.iter().map(emit_client_method);
    let builders = api.operations.iter().map(emit_builder);
    quote! {
        //! Operations: one method on [`Client`](crate::Client) per operation,
        //! returning a builder; set the inputs, then `send().await`.
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]

        use crate::runtime::{ApiRequest, Client, Error, Response};

        impl Client {
            #(#methods)*
        }

        #(#builders)*
    }
}

fn operation_doc(op: &Operation) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(summary) = &op.summary {
        lines.push(doc_text(summary));
    }
    if let Some(description) = &op.description {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(doc_text(description).lines().map(str::to_owned));
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
    lines
}

fn emit_client_method(op: &Operation) -> TokenStream {
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
struct ParamShape {
    /// Builder field type (inside the `Option`).
    stored: TokenStream,
    /// Setter argument type.
    arg: TokenStream,
    /// Expression storing `value` into the field.
    store: TokenStream,
    /// Whether the stored value is a `Result` that validation unwraps.
    validated: bool,
}

fn param_shape(ty: &Type, models: &TokenStream) -> ParamShape {
    let t = ty_tokens(ty, models);
    match ty {
        Type::Newtype(_) => ParamShape {
            stored: quote! { ::std::result::Result<#t, crate::runtime::ValidationError> },
            arg: quote! { impl crate::runtime::IntoValidated<#t> },
            store: quote! { value.into_validated() },
            validated: true,
        },
        Type::Vec(inner) if matches!(**inner, Type::Newtype(_)) => {
            let it = ty_tokens(inner, models);
            ParamShape {
                stored: quote! { ::std::result::Result<#t, crate::runtime::ValidationError> },
                arg: quote! { impl ::std::iter::IntoIterator<Item = impl crate::runtime::IntoValidated<#it>> },
                store: quote! { value.into_iter().map(crate::runtime::IntoValidated::into_validated).collect() },
                validated: true,
            }
        }
        Type::String => ParamShape {
            stored: t,
            arg: quote! { impl ::std::convert::Into<::std::string::String> },
            store: quote! { value.into() },
            validated: false,
        },
        _ => ParamShape {
            stored: t.clone(),
            arg: t,
            store: quote! { value },
            validated: false,
        },
    }
}

/// An expression turning `value: &T` into the string sent in a path, query or header.
fn to_wire_string(ty: &Type, value: &TokenStream) -> TokenStream {
    match ty {
        Type::String => quote! { #value.clone() },
        Type::Newtype(_) | Type::Named(_) => quote! { #value.as_str().to_owned() },
        Type::DateTime => quote! { #value.to_rfc3339() },
        Type::Json | Type::JsonObject => {
            quote! { ::serde_json::to_string(#value).unwrap_or_default() }
        }
        _ => quote! { #value.to_string() },
    }
}

fn emit_builder(op: &Operation) -> TokenStream {
    let models = quote! { crate::models:: };
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
    for p in &op.params {
        let pname = ident(&p.rust_name);
        let shape = param_shape(&p.ty, &models);
        let stored = &shape.stored;
        fields.push(quote! { #pname: ::std::option::Option<#stored>, });
        inits.push(quote! { #pname: ::std::option::Option::None, });
        let mut lines: Vec<String> = p
            .doc
            .as_deref()
            .map(|d| doc_text(d).lines().map(str::to_owned).collect())
            .unwrap_or_default();
        if !lines.is_empty() {
            lines.push(String::new());
        }
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
                self.#pname = ::std::option::Option::Some(#store);
                self
            }
        });
        let wire = &p.wire_name;
        let take = match (p.required, shape.validated) {
            (true, true) => quote! { let #pname = crate::runtime::required(self.#pname, #wire)?; },
            (true, false) => {
                quote! { let #pname = self.#pname.ok_or(crate::runtime::ValidationError::missing(#wire))?; }
            }
            (false, true) => quote! { let #pname = self.#pname.transpose()?; },
            (false, false) => quote! { let #pname = self.#pname; },
        };
        takes.push(take);
    }
    let mut body_take = TokenStream::new();
    let mut body_send = TokenStream::new();
    if let Some(body) = &op.body {
        let t = ty_tokens(&body.ty, &models);
        fields.push(quote! { body: ::std::option::Option<#t>, });
        inits.push(quote! { body: ::std::option::Option::None, });
        let mut lines: Vec<String> = body
            .doc
            .as_deref()
            .map(|d| doc_text(d).lines().map(str::to_owned).collect())
            .unwrap_or_default();
        if !lines.is_empty() {
            lines.push(String::new());
        }
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
                self.body = ::std::option::Option::Some(value);
                self
            }
        });
        let media = &body.media_type;
        if body.required {
            body_take = quote! { let body = self.body.ok_or(crate::runtime::ValidationError::missing("body"))?; };
            body_send = quote! {
                request.json_body(#media, &body).map_err(|err| Error::Config(::std::format!("request body: {err}")))?;
            };
        } else {
            body_take = quote! { let body = self.body; };
            body_send = quote! {
                if let ::std::option::Option::Some(body) = &body {
                    request.json_body(#media, body).map_err(|err| Error::Config(::std::format!("request body: {err}")))?;
                }
            };
        }
    }
    // Path: literal pieces and encoded parameters, concatenated.
    let mut pieces = Vec::new();
    for part in &op.path_parts {
        match part {
            PathPart::Literal(lit) => pieces.push(quote! { #lit }),
            PathPart::Param(i) => {
                if let Some(p) = op.params.get(*i) {
                    let pname = ident(&p.rust_name);
                    let value = match &p.ty {
                        Type::String | Type::Newtype(_) | Type::Named(_) => {
                            quote! { #pname.as_str() }
                        }
                        other => {
                            let s = to_wire_string(other, &quote! { #pname });
                            quote! { #s.as_str() }
                        }
                    };
                    pieces.push(quote! { crate::runtime::encode_path_segment(#value).as_str() });
                }
            }
        }
    }
    let path_expr = match op.path_parts.as_slice() {
        [PathPart::Literal(lit)] => quote! { ::std::string::String::from(#lit) },
        _ => quote! { [#(#pieces),*].concat() },
    };
    // Query and headers.
    let mut extras = Vec::new();
    for p in &op.params {
        let pname = ident(&p.rust_name);
        let wire = &p.wire_name;
        let push = |value: TokenStream| match p.location {
            ParamLocation::Query => quote! { request.query(#wire, #value); },
            ParamLocation::Header => quote! { request.headers.push((#wire, #value)); },
            ParamLocation::Path => TokenStream::new(),
        };
        if p.location == ParamLocation::Path {
            continue;
        }
        let one = |value: TokenStream| {
            let ty = match &p.ty {
                Type::Vec(inner) => inner.as_ref(),
                other => other,
            };
            push(to_wire_string(ty, &value))
        };
        let emit_value = match &p.ty {
            Type::Vec(_) => {
                let each = one(quote! { item });
                quote! { for item in value { #each } }
            }
            _ => one(quote! { value }),
        };
        extras.push(if p.required {
            quote! { { let value = &#pname; #emit_value } }
        } else {
            quote! { if let ::std::option::Option::Some(value) = &#pname { #emit_value } }
        });
    }
    let envelope = match op.envelope_param.and_then(|i| op.params.get(i)) {
        Some(p) => {
            let pname = ident(&p.rust_name);
            if p.required {
                quote! { let unwrap_envelope = #pname; }
            } else {
                quote! { let unwrap_envelope = #pname.unwrap_or(false); }
            }
        }
        None => quote! { let unwrap_envelope = false; },
    };
    // Responses.
    let success_ty = match &op.success_type {
        Some(t) => ty_tokens(t, &models),
        None => quote! { () },
    };
    let error_ty = ty_tokens(&op.error_type, &models);
    let mut arms = Vec::new();
    for case in &op.success {
        let status = Literal::u16_unsuffixed(case.status);
        let decode = match (&op.success_type, &case.ty) {
            (None, _) => quote! { raw.no_content() },
            (Some(_), Some(_)) => quote! { raw.success() },
            // Lowering warns about a success status without a body next to
            // one with a body; such a response fails to decode.
            (Some(_), None) => quote! { raw.success() },
        };
        arms.push(quote! { #status => #decode, });
    }
    if !op.errors.is_empty() {
        let statuses = op.errors.iter().map(|s| Literal::u16_unsuffixed(*s));
        arms.push(quote! { #(#statuses)|* => ::std::result::Result::Err(raw.api_error()), });
    }
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
    let mutability = (!extras.is_empty() || op.body.is_some()).then(|| quote! { mut });
    quote! {
        #[doc = #builder_doc]
        #[derive(Debug)]
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

            #send_doc
            pub async fn send(self) -> ::std::result::Result<Response<#success_ty>, Error<#error_ty>> {
                #(#takes)*
                #body_take
                #envelope
                let #mutability request = ApiRequest::new(
                    ::reqwest::Method::#http_method,
                    #template,
                    #path_expr,
                    #accept,
                );
                #(#extras)*
                #body_send
                let raw = self.client.execute(request, unwrap_envelope).await?;
                match raw.status() {
                    #(#arms)*
                    _ => ::std::result::Result::Err(raw.unexpected()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::doc_text;

    #[test]
    fn prose_is_made_safe_for_rustdoc() {
        assert_eq!(doc_text("see https://x.y/z."), "see <https://x.y/z>.");
        assert_eq!(doc_text("[link](https://x.y)"), "[link](https://x.y)");
        assert_eq!(doc_text("^([a-f0-9]{24})$"), "^(\\[a-f0-9\\]{24})$");
        assert_eq!(doc_text("    indented code"), "indented code");
    }
}
