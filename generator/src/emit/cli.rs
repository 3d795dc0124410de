//! The `atlas-api` command line, generated from the spec: one clap
//! subcommand per tag (lowerCamel, `cloudBackups`), one per operation below
//! it (the short name, `createBackupExport`, with the operationId as an
//! alias), one flag per parameter spelled as in the spec (`--groupId`), and
//! the dispatch from parsed flags to the generated request builders. The
//! emitted file is `gen/cli.rs`, compiled with the `cli` feature.
//!
//! The file is mostly data: a table of tags and operations
//! (`cli_runtime::{TagSpec, OpSpec}`) whose flags are `ArgSpec` statics,
//! each distinct one emitted once and shared by every operation that has
//! it, plus one small function per operation that copies the flags onto its
//! typed request builder and sends it, and for each operation with a
//! watcher a `WatchSpec` whose function fills the builder again and runs
//! its generated waiter (`--watch`). The hand-written crate `atlas-admin-cli` (`generated/cli/`)
//! builds the clap commands and help texts from the table and dispatches;
//! it and `src/bin/atlas-api.rs` also do body input, output, errors and
//! credentials.
//!

use std::collections::{HashMap, HashSet};

use heck::{ToLowerCamelCase, ToShoutySnakeCase};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

pub use super::cli_flags::reserved_flags;
use super::cli_flags::{aliases, flag_of};
use super::tokens::{doc_text, ident, models, ty_tokens};
use super::{body_template, markdown};
use crate::ir::*;

/// The tag's command name: lowerCamel (`Cloud Backups` is `cloudBackups`).
pub fn tag_command(tag: &str) -> String {
    tag.to_lower_camel_case()
}

/// Spec prose (Markdown) as the plain text of help (see
/// [`markdown::help_text`]): links as their text and URL, fragments against
/// the operation's docs page.
fn help(text: &str, op: &Operation) -> String {
    markdown::help_text(text, markdown::docs_page(op.docs_url.as_deref()))
}

/// [`help`] on one line, for a flag's help or a summary.
fn help_line(text: &str, op: &Operation) -> String {
    plain(&help(text, op))
}

/// Text reflowed to single spaces.
fn plain(text: &str) -> String {
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

/// `Some("text")` or `None`, as tokens.
fn opt_str(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote! { Some(#v) },
        None => quote! { None },
    }
}

/// How a parameter's flag is parsed (`cli_runtime::ArgKind`, and whether
/// it repeats) and the `cli_runtime::Call` method reading it back (into an
/// `Option` of what the builder's setter takes). Both come from here so
/// they cannot disagree.
fn access(ty: &Type) -> (&'static str, bool, &'static str) {
    let text = |t: &Type| matches!(t, Type::String | Type::Text | Type::Newtype(_));
    match ty {
        t if text(t) => ("Text", false, "text"),
        Type::Bool => ("Bool", false, "boolean"),
        Type::I64 => ("Integer", false, "integer"),
        Type::F64 => ("Number", false, "number"),
        Type::Vec(inner) => match inner.as_ref() {
            t if text(t) => ("Text", true, "texts"),
            Type::Bool => ("Bool", true, "booleans"),
            Type::I64 => ("Integer", true, "integers"),
            Type::F64 => ("Number", true, "numbers"),
            // Enums, dates, JSON: text parsed into the setter's item type.
            _ => ("Text", true, "parse_many"),
        },
        _ => ("Text", false, "parse_one"),
    }
}

/// One flag as emitted (a `cli_runtime::ArgSpec`): equal ones are emitted
/// once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ArgData {
    id: String,
    value_name: String,
    location: &'static str,
    required: bool,
    doc: String,
    pattern: Option<String>,
    default: Option<String>,
    example: Option<String>,
    kind: &'static str,
    list: bool,
    aliases: Vec<String>,
    short_help: Option<String>,
}

impl ArgData {
    fn new(api: &Api, op: &Operation, index: usize, p: &Param) -> Self {
        let (kind, list, _) = access(&p.ty);
        ArgData {
            id: p.wire_name.clone(),
            value_name: p.wire_name.to_shouty_snake_case(),
            location: match p.location {
                ParamLocation::Path => "Path",
                ParamLocation::Query => "Query",
                ParamLocation::Header => "Header",
            },
            required: p.required,
            doc: p
                .doc
                .as_deref()
                .map(|d| help_line(d, op))
                .unwrap_or_default(),
            pattern: pattern_of(api, &p.ty).map(str::to_owned),
            default: p.default.as_ref().map(json_scalar),
            example: p.cli.example.as_ref().map(json_scalar),
            kind,
            list,
            aliases: aliases(op, index),
            short_help: p.cli.help.as_deref().map(|d| help_line(d, op)),
        }
    }

    fn tokens(&self, name: &Ident, rt: &Ident) -> TokenStream {
        let ArgData {
            id,
            value_name,
            required,
            doc,
            list,
            aliases,
            ..
        } = self;
        let location = ident(self.location);
        let kind = ident(self.kind);
        let pattern = opt_str(self.pattern.as_deref());
        let default = opt_str(self.default.as_deref());
        let example = opt_str(self.example.as_deref());
        let short_help = opt_str(self.short_help.as_deref());
        quote! {
            pub(super) static #name: #rt::ArgSpec = #rt::ArgSpec {
                id: #id,
                value_name: #value_name,
                location: #rt::Location::#location,
                required: #required,
                doc: #doc,
                pattern: #pattern,
                default: #default,
                example: #example,
                kind: #rt::ArgKind::#kind,
                list: #list,
                aliases: &[#(#aliases),*],
                short_help: #short_help,
            };
        }
    }
}

/// The distinct flags of all operations, in order of first use, each a
/// static named after its parameter (`GROUP_ID`, `GROUP_ID_2`, ...).
#[derive(Default)]
struct ArgTable {
    names: HashMap<ArgData, Ident>,
    taken: HashSet<String>,
    items: Vec<TokenStream>,
}

impl ArgTable {
    /// The static holding `data`, emitted on first use.
    fn intern(&mut self, data: ArgData, rt: &Ident) -> Ident {
        if let Some(name) = self.names.get(&data) {
            return name.clone();
        }
        let mut base: String = data
            .id
            .to_shouty_snake_case()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !base.starts_with(|c: char| c.is_ascii_alphabetic()) {
            base.insert_str(0, "P_");
        }
        let mut name = base.clone();
        let mut n = 1;
        while !self.taken.insert(name.clone()) {
            n += 1;
            name = format!("{base}_{n}");
        }
        let name = ident(&name);
        self.items.push(data.tokens(&name, rt));
        self.names.insert(data, name.clone());
        name
    }
}

/// Names the emitted file gives to items of its own, chosen so that no tag
/// module has them.
struct Names {
    /// The alias of `crate::cli_runtime` (`rt`).
    rt: Ident,
    /// The module of the shared flags (`args`).
    args: Ident,
}

/// `base`, or `base_`, `base__`... if a tag module already has that name.
fn free_name(base: &str, api: &Api) -> Ident {
    let mut name = base.to_owned();
    while api.features.values().any(|def| def.module == name) {
        name.push('_');
    }
    ident(&name)
}

/// The operation's entry in its tag's table (`cli_runtime::OpSpec`).
fn emit_op_spec(api: &Api, op: &Operation, names: &Names, args: &mut ArgTable) -> TokenStream {
    let Names { rt, args: args_mod } = names;
    let name = &op.short_name;
    let operation_id = &op.operation_id;
    let summary = opt_str(op.summary.as_deref().map(|d| help_line(d, op)).as_deref());
    let mut description = op.description.as_deref().map(|d| help(d, op));
    if let Some(url) = &op.docs_url {
        // The docs link ends the description (`Docs: https://...`).
        let text = description.get_or_insert_with(String::new);
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&format!("Docs: {url}"));
    }
    let description = opt_str(description.as_deref());
    let method = op.method.as_str();
    let path = &op.path;
    let arg_names = op
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| args.intern(ArgData::new(api, op, i, p), rt));
    let body = match &op.body {
        Some(body) => {
            let media_type = &body.media_type;
            let required = body.required;
            let doc = opt_str(body.doc.as_deref().map(|d| help_line(d, op)).as_deref());
            quote! {
                Some(#rt::BodySpec { media_type: #media_type, required: #required, doc: #doc })
            }
        }
        None => quote! { None },
    };
    let versions = op.version_media.iter().map(|v| {
        let name = &v.version;
        let formats = v.formats.iter();
        let sunset = opt_str(v.sunset.as_deref());
        let public_preview = v.public_preview;
        quote! {
            #rt::VersionSpec { name: #name, formats: &[#(#formats),*], sunset: #sunset, public_preview: #public_preview }
        }
    });
    let version = opt_str(op.api_version.as_deref());
    let pages = match &op.pagination {
        Some(p) => {
            let name =
                |i: usize, or: &'static str| op.params.get(i).map_or(or, |p| p.wire_name.as_str());
            let page = name(p.page_num, "pageNum");
            let size = name(p.items_per_page, "itemsPerPage");
            let default_size = match p.default_items_per_page {
                Some(n) => {
                    let n = proc_macro2::Literal::i64_unsuffixed(n);
                    quote! { Some(#n) }
                }
                None => quote! { None },
            };
            quote! { Some(#rt::PagesSpec { page: #page, size: #size, default_size: #default_size }) }
        }
        None => quote! { None },
    };
    let body_template = opt_str(body_template::body_template(api, op).as_deref());
    let run = ident(&op.method_name);
    let short_help = opt_str(op.cli.help.as_deref().map(|d| help_line(d, op)).as_deref());
    let watch = match api.polled(op) {
        Some((polled, watcher)) => {
            let spec = emit_watch_spec(api, op, polled, watcher, names);
            if polled.feature == op.feature {
                quote! { watch: #spec, }
            } else {
                // The waiter needs the polled operation's feature too.
                let feature = &polled.feature;
                quote! {
                    #[cfg(feature = #feature)]
                    watch: #spec,
                    #[cfg(not(feature = #feature))]
                    watch: None,
                }
            }
        }
        None => quote! { watch: None, },
    };
    quote! {
        #rt::OpSpec {
            name: #name,
            operation_id: #operation_id,
            summary: #summary,
            short_help: #short_help,
            description: #description,
            method: #method,
            path: #path,
            args: &[#(&#args_mod::#arg_names),*],
            body: #body,
            versions: &[#(#versions),*],
            version: #version,
            pages: #pages,
            body_template: #body_template,
            run: #run,
            #watch
        }
    }
}

/// The `Some(cli_runtime::WatchSpec { .. })` of an operation with a
/// watcher.
fn emit_watch_spec(
    api: &Api,
    op: &Operation,
    polled: &Operation,
    watcher: &Watcher,
    names: &Names,
) -> TokenStream {
    let rt = &names.rt;
    let tag = polled
        .tag
        .as_deref()
        .map(tag_command)
        .or_else(|| {
            api.features
                .get(&polled.feature)
                .map(|d| tag_command(&d.tag))
        })
        .unwrap_or_default();
    let operation = &polled.short_name;
    let version = opt_str(watcher.version.as_deref());
    let params = watcher.params.iter().filter_map(|arg| {
        let flag = flag_of(&polled.params.get(arg.param)?.wire_name);
        let from = match &arg.source {
            WatchSource::Input(i) => {
                let input = &op.params.get(*i)?.wire_name;
                quote! { #rt::WatchFrom::Input(#input) }
            }
            WatchSource::Body(path) => quote! { #rt::WatchFrom::Body(&[#(#path),*]) },
        };
        Some(quote! { (#flag, #from) })
    });
    let expect = match &watcher.expect {
        WatchExpect::Status(code) => {
            let code = proc_macro2::Literal::u16_unsuffixed(*code);
            quote! { crate::runtime::wait::Expect::Status(#code) }
        }
        WatchExpect::Values { path, values } => quote! {
            crate::runtime::wait::Expect::Values { path: &[#(#path),*], values: &[#(#values),*] }
        },
    };
    let run = ident(&op.method_name);
    quote! {
        Some(#rt::WatchSpec {
            tag: #tag,
            operation: #operation,
            version: #version,
            params: &[#(#params),*],
            expect: #expect,
            run: watch::#run,
        })
    }
}

/// The function that runs `op` (an `OpSpec::run`): the flags onto the
/// builder, then the body typed (or raw, for another API version), then
/// the call. A binary or text answer bound for `--outputFile` is streamed
/// to it (`send_stream`, `send_as_stream`), not read into memory.
fn emit_op_run(op: &Operation, rt: &Ident) -> TokenStream {
    let method = ident(&op.method_name);
    let sets = flag_setters(op);
    let has_versions = !op.api_versions.is_empty();
    let has_formats = !op.other_formats().is_empty();
    // The body as given, checked against the request type and sent
    // unchanged (`--strict` refuses fields the type does not know).
    let checked = op.body.as_ref().map(|body| {
        let t = ty_tokens(&body.ty, &models());
        quote! {
            if let Some((body, strict)) = call.checked_body::<#t>()? {
                b = b.strict_body(strict).raw_body(body);
            }
        }
    });
    let formatted = has_formats.then(|| {
        let (with_version, generated) = match &op.body {
            Some(_) => (
                quote! { b = b.api_version(v); if let Some(body) = call.body { b = b.raw_body(body); } },
                quote! { else { #checked } },
            ),
            None => (quote! { b = b.api_version(v); }, TokenStream::new()),
        };
        quote! {
            if let Some(format) = call.format {
                if let Some(v) = call.version { #with_version } #generated
                if let Some(path) = call.output_file {
                    return #rt::saved_outcome(b.send_as_stream(format).await, path).await;
                }
                return #rt::bytes_outcome(b.send_as(format).await);
            }
        }
    });
    // Another version: its body is sent as given (not as the generated
    // type), and its answer printed as any JSON answer is.
    let other_version = match (has_versions, &op.body) {
        (false, _) => TokenStream::new(),
        (true, Some(_)) if op.decodes_json() => quote! {
            if let Some(v) = call.version {
                b = b.api_version(v);
                if let Some(body) = call.body { b = b.raw_body(body); }
                return #rt::json_outcome(b.send_json().await);
            }
        },
        (true, _) => quote! {
            if let Some(v) = &call.version { b = b.api_version(v); }
        },
    };
    let body_typed = checked.clone();
    // A JSON answer is printed as the server sent it (as `atlas api`
    // does), not re-encoded from the generated type, which would fill in
    // what the server left out.
    let streamed = quote! {
        if let Some(path) = call.output_file {
            return #rt::saved_outcome(b.send_stream().await, path).await;
        }
    };
    let send = match &op.success_type {
        Some(Type::Binary) => quote! { #streamed #rt::bytes_outcome(b.send().await) },
        Some(Type::Text) => quote! { #streamed #rt::text_outcome(b.send().await) },
        _ => quote! { #rt::json_outcome(b.send_json().await) },
    };
    let reassigned = !sets.is_empty() || op.body.is_some() || has_formats || has_versions;
    let binding = if reassigned {
        quote! { mut b }
    } else {
        quote! { b }
    };
    quote! {
        fn #method(call: #rt::Call<'_>) -> #rt::Running<'_> {
            Box::pin(async move {
                let client = crate::Client::from(call.client.clone());
                let #binding = client.#method();
                #(#sets)*
                #formatted
                #other_version
                #body_typed
                #send
            })
        }
    }
}

/// The flags of `op` onto its builder `b` (`call` is the `cli_runtime::Call`).
fn flag_setters(op: &Operation) -> Vec<TokenStream> {
    op.params
        .iter()
        .map(|p| {
            let read = ident(access(&p.ty).2);
            let id = &p.wire_name;
            let setter = ident(&p.rust_name);
            quote! { if let Some(v) = call.#read(#id)? { b = b.#setter(v); } }
        })
        .collect()
}

/// The function that waits for `op` after it was sent (a
/// `WatchSpec::run`): the flags onto the builder again, then its
/// `wait_after` with the response as sent and the command's timing and
/// progress.
fn emit_watch_run(op: &Operation, rt: &Ident) -> TokenStream {
    let method = ident(&op.method_name);
    let sets = flag_setters(op);
    let binding = if sets.is_empty() {
        quote! { b }
    } else {
        quote! { mut b }
    };
    quote! {
        pub(super) fn #method<'a>(
            call: #rt::Call<'a>,
            sent: &'a ::serde_json::Value,
            polling: crate::runtime::Polling<'a>,
        ) -> #rt::Running<'a> {
            Box::pin(async move {
                let client = crate::Client::from(call.client.clone());
                let #binding = client.#method();
                #(#sets)*
                #rt::outcome(b.wait_after(sent).polling(polling).await)
            })
        }
    }
}

/// The `cli.rs` file.
pub fn emit_cli(api: &Api) -> TokenStream {
    let names = Names {
        rt: free_name("rt", api),
        args: free_name("args", api),
    };
    let Names { rt, args: args_mod } = &names;
    let mut args = ArgTable::default();
    let mut tags = Vec::new();
    let mut modules = Vec::new();
    for (feature, def) in &api.features {
        let name = tag_command(&def.tag);
        let tag = &def.tag;
        let module = ident(&def.module);
        let ops: Vec<&Operation> = api
            .operations
            .iter()
            .filter(|op| &op.feature == feature)
            .collect();
        let specs: Vec<TokenStream> = ops
            .iter()
            .map(|op| emit_op_spec(api, op, &names, &mut args))
            .collect();
        let runs = ops.iter().map(|op| emit_op_run(op, rt));
        // A waiter whose polled operation is of another tag is compiled
        // with that tag's feature only; when all are, so is the module.
        let mut watches = Vec::new();
        let mut needs: Option<std::collections::BTreeSet<String>> = Some(Default::default());
        for op in &ops {
            let Some((polled, _)) = api.polled(op) else {
                continue;
            };
            let run = emit_watch_run(op, rt);
            if polled.feature == op.feature {
                needs = None;
                watches.push(run);
            } else {
                let feature = &polled.feature;
                if let Some(needs) = needs.as_mut() {
                    needs.insert(feature.clone());
                }
                watches.push(quote! { #[cfg(feature = #feature)] #run });
            }
        }
        let watch_cfg = needs
            .filter(|n| !n.is_empty())
            .map(|n| super::features::cfg_any(&n));
        let watch_mod = (!watches.is_empty()).then(|| {
            quote! {
                /// Waiting for operations after they were sent (`--watch`).
                #watch_cfg
                mod watch {
                    use super::*;

                    #(#watches)*
                }
            }
        });
        tags.push(quote! {
            #rt::TagSpec {
                name: #name,
                tag: #tag,
                feature: #feature,
                #[cfg(feature = #feature)]
                ops: #module::OPS,
                #[cfg(not(feature = #feature))]
                ops: &[],
            }
        });
        modules.push(quote! {
            #[cfg(feature = #feature)]
            mod #module {
                use super::*;

                pub(super) static OPS: &[#rt::OpSpec] = &[#(#specs),*];

                #(#runs)*

                #watch_mod
            }
        });
    }
    let arg_items = &args.items;
    let title = doc_text(&api.title);
    let about = format!("Calls the {} from the command line.", plain(&title));
    // `atlas-api --version`: the crate's version and the spec it was built from.
    let version = format!(" ({})", api.identity.summary());
    quote! {
        //! The `atlas-api` command line (cargo feature `cli`): `atlas-api <tag>
        //! <operation> [flags]`, one subcommand per tag and operation of the
        //! spec, one flag per parameter. This file is the table of tags,
        //! operations and flags, and per operation the function that fills in
        //! and sends its request builder; [`crate::cli_runtime`] builds the
        //! commands from the table and dispatches. The binary is
        //! `src/bin/atlas-api.rs`.

        use crate::cli_runtime as #rt;

        /// Every command: `atlas-api <tag> <operation> [flags]`; `--version`
        /// names the spec the crate was generated from.
        pub fn command() -> ::clap::Command {
            #rt::command(#about, TAGS).version(concat!(env!("CARGO_PKG_VERSION"), #version))
        }

        /// Every tag; the operations of those whose feature is on (see
        /// [`crate::cli_runtime::prepare`] and [`crate::cli_runtime::execute`]).
        pub static TAGS: &[#rt::TagSpec] = &[#(#tags),*];

        /// Every distinct flag, shared by the operations that have it.
        #[allow(dead_code)]
        mod #args_mod {
            use super::#rt;

            #(#arg_items)*
        }

        #(#modules)*
    }
}

#[cfg(test)]
mod tests;
