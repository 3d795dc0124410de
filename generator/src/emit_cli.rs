//! The `atlas-api` command line, generated from the spec: one clap
//! subcommand per tag (lowerCamel, `cloudBackups`), one per operation below
//! it (the short name, `createBackupExport`, with the operationId as an
//! alias), one flag per parameter spelled as in the spec (`--groupId`), and
//! the dispatch from parsed flags to the generated request builders. The
//! emitted file is `gen/cli.rs`, compiled with the `cli` feature; the
//! hand-written parts (body input, output, errors, credentials) are in
//! `runtime/cli.rs` and `src/bin/atlas-api.rs`.
//!
//! Also here: the builder methods every operation gets for choosing another
//! API version at run time (`api_version`, `raw_body`, `send_json`).

use heck::{ToLowerCamelCase, ToShoutySnakeCase};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::emit::{doc_text, ty_tokens};
use crate::ir::*;

/// Flags every operation command has; a spec parameter with one of these
/// names gets `Param` appended to its flag.
const RESERVED_FLAGS: &[&str] = &["file", "version", "base-url", "help", "watch"];

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

fn models() -> TokenStream {
    quote! { crate::models:: }
}

/// Whether a success type is decoded from JSON (so `send_json` applies).
fn json_success(op: &Operation) -> bool {
    !matches!(op.success_type, Some(Type::Binary) | Some(Type::Text))
}

/// `api_version`, `raw_body` and `send_json` for the builder of `op`.
pub fn emit_version_methods(op: &Operation) -> TokenStream {
    let builder = ident(&op.builder_name);
    let error = ty_tokens(&op.error_type, &models());
    let offered = if op.api_versions.is_empty() {
        "none".to_owned()
    } else {
        op.api_versions
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let generated = op.api_version.as_deref().unwrap_or("none");
    let versions = op.api_versions.iter();
    let generated_tokens = match &op.api_version {
        Some(v) => quote! { Some(#v) },
        None => quote! { None },
    };
    let version_doc = format!(
        " Sends another API version than the generated `{generated}` (offered: {offered}) in `Accept` and `Content-Type`. `send` still decodes into the generated version's types; `send_json`, where the body is JSON, decodes any version."
    );
    let raw_body = op.body.as_ref().map(|_| {
        quote! {
            /// Sends this JSON as the request body instead of [`Self::body`]
            /// (for another API version, whose body the generated type does
            /// not describe). It is sent as given, without validation.
            pub fn raw_body(mut self, value: ::serde_json::Value) -> Self {
                self.raw_body = Some(value);
                self
            }
        }
    });
    let send_json = json_success(op).then(|| {
        let errors = op
            .errors
            .iter()
            .map(|s| proc_macro2::Literal::u16_unsuffixed(*s));
        quote! {
            /// Like [`Self::send`], but any 2xx body decodes as plain JSON
            /// (`null` when empty): for an API version set with
            /// [`Self::api_version`] that the crate was not generated for.
            /// Inputs are checked and documented errors decoded as in `send`.
            pub fn send_json(self) -> impl ::std::future::Future<Output = Result<Response<::serde_json::Value>, Error<#error>>> + 'a {
                let client = self.client;
                client.send::<crate::runtime::AnyJson, _>(self.into_request(), &[], &[#(#errors),*])
            }
        }
    });
    quote! {
        impl<'a> #builder<'a> {
            /// The API versions the spec offers for this operation, oldest first.
            pub const API_VERSIONS: &'static [&'static str] = &[#(#versions),*];
            /// The API version the builder's types were generated for.
            pub const API_VERSION: Option<&'static str> = #generated_tokens;

            #[doc = #version_doc]
            pub fn api_version(mut self, version: impl Into<String>) -> Self {
                self.api_version = Some(version.into());
                self
            }

            #raw_body
            #send_json
        }
    }
}

/// The tag's command name: lowerCamel (`Cloud Backups` is `cloudBackups`).
pub fn tag_command(tag: &str) -> String {
    tag.to_lower_camel_case()
}

/// The flag of a parameter: its spec name, unless that is reserved.
pub fn flag_name(wire: &str) -> String {
    if RESERVED_FLAGS.contains(&wire) {
        format!("{wire}Param")
    } else {
        wire.to_owned()
    }
}

fn first_sentence(text: &str) -> String {
    let line = text.lines().next().unwrap_or("").trim();
    match line.find(". ") {
        Some(i) => line[..=i].to_owned(),
        None => line.to_owned(),
    }
}

fn plain(text: &str) -> String {
    // Help is plain text: rustdoc escapes are not wanted, but spec prose is
    // reflowed to single spaces.
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn json_scalar(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Pattern of a parameter (its validated type's), if any.
fn pattern_of<'a>(api: &'a Api, ty: &Type) -> Option<&'a str> {
    match ty {
        Type::Newtype(n) => api.newtypes.get(n).map(|n| n.pattern.as_str()),
        Type::Vec(inner) => pattern_of(api, inner),
        _ => None,
    }
}

/// Example value shown in help and in the example invocation.
fn example_of(p: &Param) -> String {
    match (&p.example, &p.default) {
        (Some(e), _) => json_scalar(e),
        (None, Some(d)) => json_scalar(d),
        (None, None) => format!("<{}>", p.wire_name),
    }
}

fn emit_arg(api: &Api, p: &Param) -> TokenStream {
    let id = &p.wire_name;
    let long = flag_name(&p.wire_name);
    let value_name = p.wire_name.to_shouty_snake_case();
    let location = match p.location {
        ParamLocation::Path => "path",
        ParamLocation::Query => "query",
        ParamLocation::Header => "header",
    };
    let doc = p.doc.as_deref().map(plain).unwrap_or_default();
    let short = if doc.is_empty() {
        format!("The `{}` {location} parameter.", p.wire_name)
    } else {
        first_sentence(&doc)
    };
    let mut long_help = if doc.is_empty() { short.clone() } else { doc };
    long_help.push_str(&format!(
        "\n\n{location} parameter `{}`, {}.",
        p.wire_name,
        if p.required { "required" } else { "optional" }
    ));
    if let Some(pattern) = pattern_of(api, &p.ty) {
        long_help.push_str(&format!("\nPattern: {pattern}"));
    }
    if let Some(default) = &p.default {
        long_help.push_str(&format!("\nServer default: {}", json_scalar(default)));
    }
    if let Some(example) = &p.example {
        long_help.push_str(&format!("\nExample: {}", json_scalar(example)));
    }
    let mut short_help = short;
    if let Some(pattern) = pattern_of(api, &p.ty) {
        short_help.push_str(&format!(" [pattern: {pattern}]"));
    }
    let required = p.required;
    let (inner, multiple) = match &p.ty {
        Type::Vec(inner) => (inner.as_ref(), true),
        other => (other, false),
    };
    let parser = match inner {
        Type::Bool => quote! { .value_parser(::clap::value_parser!(bool)) },
        Type::I64 => quote! { .value_parser(::clap::value_parser!(i64)) },
        Type::F64 => quote! { .value_parser(::clap::value_parser!(f64)) },
        _ => TokenStream::new(),
    };
    let action = if multiple {
        quote! { .action(::clap::ArgAction::Append) }
    } else if *inner == Type::Bool {
        // `--envelope` alone means true; `--envelope=false` is accepted too.
        quote! { .num_args(0..=1).default_missing_value("true").require_equals(true) }
    } else {
        TokenStream::new()
    };
    quote! {
        .arg(
            ::clap::Arg::new(#id)
                .long(#long)
                .value_name(#value_name)
                .required(#required)
                .help(#short_help)
                .long_help(#long_help)
                #parser
                #action
        )
    }
}

/// Statements that copy one parsed flag onto the builder `b`.
fn emit_set(p: &Param) -> TokenStream {
    let id = &p.wire_name;
    let setter = ident(&p.rust_name);
    let m = models();
    match &p.ty {
        Type::String | Type::Text => quote! {
            if let Option::Some(v) = m.get_one::<String>(#id) { b = b.#setter(v.clone()); }
        },
        Type::Newtype(_) => quote! {
            if let Option::Some(v) = m.get_one::<String>(#id) { b = b.#setter(v.as_str()); }
        },
        Type::Bool => quote! {
            if let Option::Some(v) = m.get_one::<bool>(#id) { b = b.#setter(*v); }
        },
        Type::I64 => quote! {
            if let Option::Some(v) = m.get_one::<i64>(#id) { b = b.#setter(*v); }
        },
        Type::F64 => quote! {
            if let Option::Some(v) = m.get_one::<f64>(#id) { b = b.#setter(*v); }
        },
        Type::Vec(inner) => match inner.as_ref() {
            Type::String | Type::Text | Type::Newtype(_) => quote! {
                if let Option::Some(v) = m.get_many::<String>(#id) { b = b.#setter(v.cloned().collect::<Vec<String>>()); }
            },
            Type::Bool => quote! {
                if let Option::Some(v) = m.get_many::<bool>(#id) { b = b.#setter(v.copied().collect::<Vec<bool>>()); }
            },
            Type::I64 => quote! {
                if let Option::Some(v) = m.get_many::<i64>(#id) { b = b.#setter(v.copied().collect::<Vec<i64>>()); }
            },
            Type::F64 => quote! {
                if let Option::Some(v) = m.get_many::<f64>(#id) { b = b.#setter(v.copied().collect::<Vec<f64>>()); }
            },
            other => {
                let t = ty_tokens(other, &m);
                quote! {
                    if let Option::Some(v) = m.get_many::<String>(#id) {
                        let values = v.map(|v| rt::parse_arg::<#t>(#id, v)).collect::<Result<Vec<#t>, CliError>>()?;
                        b = b.#setter(values);
                    }
                }
            }
        },
        other => {
            let t = ty_tokens(other, &m);
            quote! {
                if let Option::Some(v) = m.get_one::<String>(#id) { b = b.#setter(rt::parse_arg::<#t>(#id, v)?); }
            }
        }
    }
}

fn op_fn_name(op: &Operation) -> (Ident, Ident) {
    (
        ident(&format!("{}_command", op.method_name)),
        ident(&format!("run_{}", op.method_name)),
    )
}

fn emit_op_command(api: &Api, op: &Operation, tag: &str) -> TokenStream {
    let (command_fn, _) = op_fn_name(op);
    let feature = &op.feature;
    let name = &op.short_name;
    let alias = (op.operation_id != op.short_name).then(|| {
        let id = &op.operation_id;
        quote! { .visible_alias(#id) }
    });
    let about = op
        .summary
        .as_deref()
        .map(plain)
        .unwrap_or_else(|| format!("{} {}", op.method.as_str(), op.path));
    let mut long_about = about.clone();
    if let Some(d) = &op.description {
        long_about.push_str("\n\n");
        long_about.push_str(&plain(d));
    }
    long_about.push_str(&format!(
        "\n\n{} {} (operationId {}).",
        op.method.as_str(),
        op.path,
        op.operation_id
    ));
    // The example invocation: every required flag, and the body.
    let mut example = format!("atlas-api {tag} {}", op.short_name);
    for p in op.params.iter().filter(|p| p.required) {
        example.push_str(&format!(" --{} {}", flag_name(&p.wire_name), example_of(p)));
    }
    if op.body.is_some() {
        example.push_str(" --file body.json");
    }
    let mut after = format!("Example:\n  {example}");
    if let Some(body) = &op.body {
        after.push_str(&format!(
            "\n\nRequest body ({}, {}): JSON from --file PATH, or from standard input when it is not a terminal.",
            body.media_type,
            if body.required { "required" } else { "optional" }
        ));
        if let Some(doc) = &body.doc {
            after.push_str(&format!(" {}", plain(doc)));
        }
    }
    if !op.api_versions.is_empty() {
        let list: Vec<String> = op
            .api_versions
            .iter()
            .map(|v| {
                if Some(v) == op.api_version.as_ref() {
                    format!("{v} (default, typed)")
                } else {
                    format!("{v} (response printed as received)")
                }
            })
            .collect();
        after.push_str(&format!(
            "\n\nAPI versions (--version): {}",
            list.join(", ")
        ));
    }
    if let Some(p) = &op.pagination {
        let page = op
            .params
            .get(p.page_num)
            .map_or("pageNum", |p| p.wire_name.as_str());
        after.push_str(&format!(
            "\n\nPaginated: prints one page (--{page}, default 1)."
        ));
    }
    after.push_str("\n\nCredentials: MONGODB_ATLAS_CLIENT_ID/MONGODB_ATLAS_CLIENT_SECRET (service account) or MONGODB_ATLAS_PUBLIC_KEY/MONGODB_ATLAS_PRIVATE_KEY (API key).");
    let args = op.params.iter().map(|p| emit_arg(api, p));
    let file = op.body.as_ref().map(|_| quote! { .arg(rt::file_arg()) });
    let versions = op.api_versions.iter();
    let version = (!op.api_versions.is_empty()).then(|| {
        let default = op.api_version.clone().unwrap_or_default();
        quote! { .arg(rt::version_arg(&[#(#versions),*], #default)) }
    });
    quote! {
        #[cfg(feature = #feature)]
        fn #command_fn() -> ::clap::Command {
            ::clap::Command::new(#name)
                #alias
                .about(#about)
                .long_about(#long_about)
                .after_help(#after)
                #(#args)*
                #file
                #version
        }
    }
}

fn emit_op_run(op: &Operation) -> TokenStream {
    let (_, run_fn) = op_fn_name(op);
    let feature = &op.feature;
    let method = ident(&op.method_name);
    let sets = op.params.iter().map(emit_set);
    let m = models();
    let generated = op.api_version.clone().unwrap_or_default();
    let has_versions = !op.api_versions.is_empty();
    let body_typed = op.body.as_ref().map(|body| {
        let t = ty_tokens(&body.ty, &m);
        quote! {
            if let Option::Some(body) = &body {
                b = b.body(rt::typed_body::<#t>(body)?);
            }
        }
    });
    let body_raw = op.body.as_ref().map(|_| {
        quote! {
            if let Option::Some(body) = body {
                b = b.raw_body(body);
            }
        }
    });
    let read_body = if op.body.is_some() {
        quote! { let body = rt::read_body(m)?; }
    } else {
        TokenStream::new()
    };
    let typed_send = match &op.success_type {
        Some(Type::Binary) => quote! { rt::bytes_outcome(b.send().await) },
        Some(Type::Text) => quote! { rt::text_outcome(b.send().await) },
        _ => quote! { rt::outcome(b.send().await) },
    };
    let other_version = if has_versions && json_success(op) {
        quote! {
            if let Option::Some(version) = rt::other_version(m, #generated) {
                b = b.api_version(version);
                #body_raw
                return rt::json_outcome(b.send_json().await);
            }
        }
    } else if has_versions {
        quote! {
            if let Option::Some(version) = rt::other_version(m, #generated) {
                b = b.api_version(version);
            }
        }
    } else {
        TokenStream::new()
    };
    quote! {
        #[cfg(feature = #feature)]
        async fn #run_fn(client: &Client, m: &::clap::ArgMatches) -> Result<rt::Outcome, CliError> {
            let _ = m;
            let mut b = client.#method();
            #(#sets)*
            #read_body
            #other_version
            #body_typed
            #typed_send
        }
    }
}

/// The `cli.rs` file.
pub fn emit_cli(api: &Api) -> TokenStream {
    let mut tag_fns = Vec::new();
    let mut tag_calls = Vec::new();
    let mut arms = Vec::new();
    let mut op_items = Vec::new();
    for (feature, def) in &api.features {
        let tag = tag_command(&def.tag);
        let tag_fn = ident(&format!("{}_commands", def.module));
        let about = format!(
            "Operations tagged \"{}\" (cargo feature `{feature}`).",
            def.tag
        );
        let ops: Vec<&Operation> = api
            .operations
            .iter()
            .filter(|op| &op.feature == feature)
            .collect();
        let subs = ops.iter().map(|op| {
            let (command_fn, _) = op_fn_name(op);
            let feature = &op.feature;
            quote! {
                #[cfg(feature = #feature)]
                let command = command.subcommand(#command_fn());
            }
        });
        tag_fns.push(quote! {
            fn #tag_fn() -> ::clap::Command {
                let command = ::clap::Command::new(#tag)
                    .about(#about)
                    .subcommand_required(true)
                    .arg_required_else_help(true);
                #(#subs)*
                command
            }
        });
        tag_calls.push(quote! { .subcommand(#tag_fn()) });
        for op in ops {
            op_items.push(emit_op_command(api, op, &tag));
            op_items.push(emit_op_run(op));
            let (_, run_fn) = op_fn_name(op);
            let name = &op.short_name;
            let feature = &op.feature;
            arms.push(quote! {
                #[cfg(feature = #feature)]
                (#tag, #name) => #run_fn(client, m).await,
            });
        }
    }
    let title = doc_text(&api.title);
    let about = format!("Calls the {} from the command line.", plain(&title));
    quote! {
        //! The `atlas-api` command line (cargo feature `cli`): `atlas-api <tag>
        //! <operation> [flags]`, one subcommand per tag and operation of the
        //! spec, one flag per parameter. The binary is `src/bin/atlas-api.rs`;
        //! shared pieces are in [`crate::runtime::cli`].
        #![allow(unused_imports, unused_mut, clippy::needless_borrow)]

        use crate::runtime::cli::{self as rt, CliError};
        use crate::runtime::Client;

        /// Every command: `atlas-api <tag> <operation> [flags]`.
        pub fn command() -> ::clap::Command {
            rt::root_command(#about)
                #(#tag_calls)*
        }

        /// Runs the operation that `matches` (from [`command`]) names and
        /// returns what to print.
        pub async fn run(client: &Client, matches: &::clap::ArgMatches) -> Result<rt::Outcome, CliError> {
            let Option::Some((tag, m)) = matches.subcommand() else {
                return Result::Err(CliError::usage("no command given; see --help"));
            };
            let Option::Some((operation, m)) = m.subcommand() else {
                return Result::Err(CliError::usage(::std::format!("no operation given for {tag}; see --help")));
            };
            match (tag, operation) {
                #(#arms)*
                _ => Result::Err(CliError::usage(::std::format!("unknown command {tag} {operation}"))),
            }
        }

        #(#tag_fns)*
        #(#op_items)*
    }
}
