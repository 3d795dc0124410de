//! Stage 3: emitting Rust tokens from the IR, one small `quote!` function per
//! concept. Generated code names crates by full path (`::serde_json::...`).
//! The prelude's `Option`, `String`, `Vec`, `Box` and `Result` are written
//! plainly: `names::type_name` never gives a generated type one of those
//! names (a schema called `String` becomes `StringType`), so they cannot be
//! shadowed.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

use crate::ir::*;
use crate::pattern;
use crate::rules::{self, Shape};

/// One generated file: its path below the generated module directory and
/// its tokens.
pub struct EmittedFile {
    /// Path below the generated directory, e.g. `operations/cloud_backups.rs`.
    pub name: String,
    /// The file's contents.
    pub tokens: TokenStream,
}

/// One file the emitter writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileKind {
    /// `mod.rs`: the module tree.
    Mod,
    /// `models/mod.rs`: the types several features (or all) use, the
    /// pattern matchers, and the per-feature model modules.
    Models,
    /// `models/<tag>.rs`: the types only the feature so named uses.
    FeatureModels(String),
    /// `operations/mod.rs`: one module per tag.
    OperationsMod,
    /// `operations/<tag>.rs`: the operations of the feature so named.
    Operations(String),
    /// `pagination.rs`: page streams of list operations.
    Pagination,
    /// `cli.rs`: the command line.
    Cli,
}

/// Every file to emit for `api`, with its path, biggest first (so that
/// emitting them in parallel keeps every worker busy).
pub fn files(api: &Api) -> Vec<(String, FileKind)> {
    // Rough sizes, for the order: an operation is about six types' worth
    // of code, the command line about one type per operation.
    let mut weighted: Vec<(usize, String, FileKind)> =
        vec![(api.operations.len(), "cli.rs".to_owned(), FileKind::Cli)];
    let grouped = feature_model_groups(api);
    let shared =
        api.types.len() + api.newtypes.len() - grouped.values().map(BTreeSet::len).sum::<usize>();
    weighted.push((shared, "models/mod.rs".to_owned(), FileKind::Models));
    for (feature, names) in &grouped {
        if let Some(def) = api.features.get(*feature) {
            weighted.push((
                names.len(),
                format!("models/{}.rs", def.module),
                FileKind::FeatureModels((*feature).to_owned()),
            ));
        }
    }
    for (feature, def) in &api.features {
        let ops = api
            .operations
            .iter()
            .filter(|op| &op.feature == feature)
            .count();
        weighted.push((
            ops * 6,
            format!("operations/{}.rs", def.module),
            FileKind::Operations(feature.clone()),
        ));
    }
    weighted.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    let mut files: Vec<(String, FileKind)> = weighted
        .into_iter()
        .map(|(_, name, kind)| (name, kind))
        .collect();
    files.extend([
        ("pagination.rs".to_owned(), FileKind::Pagination),
        ("operations/mod.rs".to_owned(), FileKind::OperationsMod),
        ("mod.rs".to_owned(), FileKind::Mod),
    ]);
    files
}

/// The feature that alone uses a type (or validated string type), given
/// the features that use it (`api.type_features`), when there are several
/// features: the type then lives in that feature's models module, which is
/// compiled only with the feature.
fn sole_feature<'a>(api: &Api, users: &'a BTreeSet<String>) -> Option<&'a str> {
    match users.first() {
        Some(feature) if users.len() == 1 && api.features.len() > 1 => Some(feature.as_str()),
        _ => None,
    }
}

/// The names of the types each feature alone uses.
fn feature_model_groups(api: &Api) -> BTreeMap<&str, BTreeSet<&str>> {
    let mut groups: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (name, users) in &api.type_features {
        if let Some(feature) = sole_feature(api, users) {
            groups.entry(feature).or_default().insert(name.as_str());
        }
    }
    groups
}

/// The names of the types `feature` alone uses (one group of
/// [`feature_model_groups`], without building the others).
fn types_alone_in<'a>(api: &'a Api, feature: &str) -> BTreeSet<&'a str> {
    api.type_features
        .iter()
        .filter(|(_, users)| sole_feature(api, users) == Some(feature))
        .map(|(name, _)| name.as_str())
        .collect()
}

/// Emits one file.
pub fn emit_file(api: &Api, kind: &FileKind) -> TokenStream {
    match kind {
        FileKind::Mod => emit_mod(api),
        FileKind::Models => emit_models(api),
        FileKind::FeatureModels(feature) => emit_feature_models(api, feature),
        FileKind::OperationsMod => emit_operations_mod(api),
        FileKind::Pagination => crate::paginate::emit_page_impls(api, |name| cfg_for(api, name)),
        FileKind::Cli => crate::emit_cli::emit_cli(api),
        FileKind::Operations(feature) => {
            let ops: Vec<&Operation> = api
                .operations
                .iter()
                .filter(|op| &op.feature == feature)
                .collect();
            match api.features.get(feature) {
                Some(def) => emit_operations(feature, def, &ops),
                None => TokenStream::new(),
            }
        }
    }
}

/// Emits every generated file for `api`.
pub fn emit(api: &Api) -> Vec<EmittedFile> {
    files(api)
        .into_iter()
        .map(|(name, kind)| EmittedFile {
            tokens: emit_file(api, &kind),
            name,
        })
        .collect()
}

/// The `[features]` entries of the generated crate's `Cargo.toml`: one per
/// tag (switching on the optional pattern engines its types need), `full`
/// for all, and `full` by default.
pub fn features_block(api: &Api) -> String {
    let mut out = String::new();
    out.push_str("default = [\"full\"]\n");
    let all: Vec<String> = api.features.keys().map(|f| format!("\"{f}\"")).collect();
    out.push_str(&format!("full = [{}]\n", all.join(", ")));
    for (feature, def) in &api.features {
        let deps: Vec<String> = def
            .dependencies
            .iter()
            .map(|d| format!("\"dep:{d}\""))
            .collect();
        out.push_str(&format!(
            "# Operations tagged \"{}\".\n{feature} = [{}]\n",
            def.tag.replace('"', "'"),
            deps.join(", ")
        ));
    }
    out
}

/// `#[cfg(feature = "a")]`, or `#[cfg(any(feature = "a", ...))]` for several.
fn cfg_any(features: &BTreeSet<String>) -> TokenStream {
    match features.iter().collect::<Vec<_>>().as_slice() {
        [one] => quote! { #[cfg(feature = #one)] },
        many => quote! { #[cfg(any(#(feature = #many),*))] },
    }
}

/// The `#[cfg]` that compiles a type only with the features that use it.
fn cfg_for(api: &Api, name: &str) -> TokenStream {
    match api.type_features.get(name) {
        Some(set) if !set.is_empty() && set.len() < api.features.len() => cfg_any(set),
        _ => TokenStream::new(),
    }
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
            let end = from
                .find(|c: char| c.is_whitespace() || c == ')' || c == '>' || c == '"')
                .unwrap_or(from.len());
            let (url, after) = from.split_at(end);
            let is_url = from.starts_with("https://") || from.starts_with("http://");
            // `<https://...>` is already a link: keep its brackets.
            let autolink = is_url && before.ends_with('<') && after.starts_with('>');
            if autolink {
                out.push_str(&escape_brackets(&before[..before.len() - 1]));
                out.push('<');
                out.push_str(url);
                out.push('>');
                rest = &after[1..];
                continue;
            }
            out.push_str(&escape_brackets(before));
            let bare = is_url && !before.ends_with('(');
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
    // Inside a `code span` nothing is markup, so nothing is escaped.
    let mut in_code = false;
    for (i, c) in chars.iter().enumerate() {
        if *c == '`' {
            in_code = !in_code;
        }
        if in_code {
            out.push(*c);
            continue;
        }
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
            // Not HTML: `the <value> can be` would be read as a tag.
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
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
/// The Rust spelling of `ty` for code outside the generated crate, with
/// named types under `models_path` (e.g. `atlas_admin_api::models`).
pub fn type_path(ty: &Type, models_path: &str) -> String {
    let models: TokenStream = format!("{models_path}::").parse().unwrap_or_default();
    ty_tokens(ty, &models).to_string()
}

pub(crate) fn ty_tokens(ty: &Type, models: &TokenStream) -> TokenStream {
    match ty {
        Type::String => quote! { String },
        Type::Bool => quote! { bool },
        Type::I64 => quote! { i64 },
        Type::F64 => quote! { f64 },
        Type::DateTime => quote! { ::chrono::DateTime<::chrono::Utc> },
        Type::Date => quote! { ::chrono::NaiveDate },
        Type::Json => quote! { ::serde_json::Value },
        Type::JsonObject => {
            quote! { ::serde_json::Map<String, ::serde_json::Value> }
        }
        Type::Named(n) | Type::Newtype(n) => {
            let n = ident(n);
            quote! { #models #n }
        }
        Type::Vec(inner) => {
            let inner = ty_tokens(inner, models);
            quote! { Vec<#inner> }
        }
        Type::Binary => quote! { ::bytes::Bytes },
        Type::Text => quote! { String },
        Type::Map(inner) => {
            let inner = ty_tokens(inner, models);
            quote! { ::std::collections::BTreeMap<String, #inner> }
        }
        Type::Nullable(inner) => {
            let inner = ty_tokens(inner, models);
            quote! { Option<#inner> }
        }
        Type::Untyped => quote! { Option<::serde_json::Value> },
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
        mod pagination;
        #[cfg(feature = "cli")]
        pub mod cli;
    }
}

fn emit_operations_mod(api: &Api) -> TokenStream {
    let modules = api.features.iter().map(|(feature, def)| {
        let module = ident(&def.module);
        let doc = format!(
            " Operations tagged \"{}\" (cargo feature `{feature}`).",
            def.tag
        );
        quote! {
            #[doc = #doc]
            #[cfg(feature = #feature)]
            pub mod #module;
            #[cfg(feature = #feature)]
            pub use #module::*;
        }
    });
    quote! {
        //! Operations: one method on [`Client`](crate::Client) per operation,
        //! returning a builder; set the inputs, then `send().await`. Each tag
        //! of the spec is a module behind a cargo feature of the same name.
        #(#modules)*
    }
}

// ----- models/ ------------------------------------------------------------

/// For each distinct pattern: the name of its matcher function, the first
/// validated type with it, and the features whose types use it (`None`:
/// always compiled).
type Matchers<'a> = BTreeMap<&'a str, (Ident, &'a Newtype, Option<BTreeSet<String>>)>;

/// The matchers of `api`'s validated string types.
fn matchers(api: &Api) -> Matchers<'_> {
    let mut patterns: BTreeMap<&str, (&Newtype, BTreeSet<String>, bool)> = BTreeMap::new();
    for n in api.newtypes.values() {
        let entry = patterns
            .entry(n.pattern.as_str())
            .or_insert((n, BTreeSet::new(), false));
        match api.type_features.get(&n.name) {
            Some(set) if !set.is_empty() => entry.1.extend(set.iter().cloned()),
            _ => entry.2 = true,
        }
    }
    patterns
        .into_iter()
        .enumerate()
        .map(|(i, (pattern, (first, features, always)))| {
            let name = format_ident!("matches_pattern_{}", i + 1);
            let features = (!always && features.len() < api.features.len()).then_some(features);
            (pattern, (name, first, features))
        })
        .collect()
}

/// The items of the types (and validated string types) `keep` selects, each
/// with the cfg `cfg` gives it.
fn emit_model_items(
    api: &Api,
    matchers: &Matchers<'_>,
    keep: impl Fn(&str) -> bool,
    cfg: impl Fn(&str) -> TokenStream,
) -> TokenStream {
    let types = api
        .types
        .values()
        .filter(|def| keep(def.name()))
        .map(|def| emit_type(api, def, &cfg(def.name())));
    let newtypes = api
        .newtypes
        .values()
        .filter(|n| keep(&n.name))
        .filter_map(|n| {
            let (matcher, _, _) = matchers.get(n.pattern.as_str())?;
            Some(emit_newtype(n, &cfg(&n.name), matcher))
        });
    quote! {
        #(#types)*
        #(#newtypes)*
    }
}

fn emit_models(api: &Api) -> TokenStream {
    let matchers = matchers(api);
    // A type's cfg goes on every item it emits (the type and its impls).
    let items = emit_model_items(
        api,
        &matchers,
        |name| {
            api.type_features
                .get(name)
                .and_then(|users| sole_feature(api, users))
                .is_none()
        },
        |name| cfg_for(api, name),
    );
    // One matcher function per distinct pattern, however many validated
    // types share it; compiled when any of them is.
    let matchers = matchers
        .into_iter()
        .map(|(pattern, (fn_name, first, features))| {
            let input = format_ident!("input");
            let matcher = pattern::emit_is_match(&first.plan, &input);
            let cfg = features.map(|f| cfg_any(&f));
            let doc = format!(" Whether `input` matches `{}`.", pattern.replace('`', "'"));
            quote! {
                #cfg
                #[doc = #doc]
                fn #fn_name(#input: &str) -> bool {
                    #matcher
                }
            }
        });
    let modules = feature_model_groups(api).into_keys().filter_map(|feature| {
        let def = api.features.get(feature)?;
        let module = ident(&def.module);
        Some(quote! {
            #[cfg(feature = #feature)]
            mod #module;
            #[cfg(feature = #feature)]
            pub use #module::*;
        })
    });
    quote! {
        //! Models: the request and response bodies of every operation, and the
        //! validated string types of their patterned fields and parameters.
        //! The types only one feature uses are defined in that feature's
        //! module and re-exported here.
        #![allow(clippy::large_enum_variant, clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
        #[allow(unused_imports)]
        use crate::runtime::serde_helpers as sh;
        #(#modules)*
        #items
        #(#matchers)*
    }
}

/// `models/<tag>.rs`: the types only `feature` uses, compiled with it.
fn emit_feature_models(api: &Api, feature: &str) -> TokenStream {
    let alone = types_alone_in(api, feature);
    let items = emit_model_items(
        api,
        &matchers(api),
        |name| alone.contains(name),
        |_| TokenStream::new(),
    );
    let tag = api
        .features
        .get(feature)
        .map_or(feature, |d| d.tag.as_str());
    let doc =
        format!(" The types only operations tagged \"{tag}\" use (cargo feature `{feature}`).");
    quote! {
        #![doc = #doc]
        #[allow(unused_imports)]
        use super::*;
        #items
    }
}

fn emit_type(api: &Api, def: &TypeDef, cfg: &TokenStream) -> TokenStream {
    match def {
        TypeDef::Struct(s) => emit_struct(api, s, cfg),
        TypeDef::Enum(e) => emit_enum(e, cfg),
        TypeDef::Union(u) => emit_union(api, u, cfg),
        TypeDef::Wrapper(w) => {
            let name = ident(&w.name);
            let doc = doc_attrs(w.doc.as_deref());
            let inner = ty_tokens(&w.ty, &TokenStream::new());
            let default = api.has_default(&w.ty).then(|| quote! { Default, });
            quote! {
                #cfg
                #doc
                #[derive(Debug, Clone, PartialEq, #default)]
                pub struct #name(pub #inner);

                #cfg
                sh::wrapper!(#name);
            }
        }
        TypeDef::Alias(a) => {
            let name = ident(&a.name);
            let target = ident(&a.target);
            let doc = doc_attrs(a.doc.as_deref());
            let note = format!(" The same values as [`{}`].", a.target);
            let separator = a.doc.is_some().then(|| quote! { #[doc = ""] });
            quote! {
                #cfg
                #doc
                #separator
                #[doc = #note]
                pub type #name = #target;
            }
        }
    }
}

fn emit_struct(api: &Api, s: &StructDef, cfg: &TokenStream) -> TokenStream {
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
    let default = s.has_default.then(|| quote! { Default, });
    let constructor = emit_constructor(s, &models, cfg);
    let serde = emit_struct_serde(api, s, cfg);
    quote! {
        #cfg
        #doc
        #separator
        #[doc = #view_doc]
        #[derive(Debug, Clone, PartialEq, #default)]
        pub struct #name {
            #(#fields)*
        }
        #constructor
        #serde
    }
}

/// `Serialize` and `Deserialize` for a struct: one `object!` line (the
/// runtime's `serde_helpers`, imported as `sh`) listing each field with
/// its kind and wire name. The macro expands to a fraction of the code the
/// serde derives would, which keeps the whole API's crate within its
/// compile budget, and the table is a fraction of the tokens the expanded
/// impls would be to emit and format.
fn emit_struct_serde(api: &Api, s: &StructDef, cfg: &TokenStream) -> TokenStream {
    let name = ident(&s.name);
    // Required fields of a type that is received are tolerated when
    // missing (their empty value), where the type has one.
    let received = s.view != Some(View::Request);
    let fields = s.fields.iter().map(|f| {
        let field = ident(&f.rust_name);
        let wire = &f.wire_name;
        let kind = match shape(f, s.view) {
            Shape::Plain | Shape::NullableRequired if received && api.has_default(&f.ty) => {
                format_ident!("expected")
            }
            Shape::Plain | Shape::NullableRequired => format_ident!("required"),
            Shape::Optional => format_ident!("optional"),
            Shape::ThreeState => format_ident!("three_state"),
        };
        quote! { #field #kind #wire }
    });
    let tag = s.tag.as_ref().map(|t| {
        let (property, value) = (&t.property, &t.value);
        quote! { tag #property #value }
    });
    quote! {
        #cfg
        sh::object!(#name #tag { #(#fields),* });
    }
}

/// How a field is stored, given its view (see [`rules::shape`]).
fn shape(f: &Field, view: Option<View>) -> Shape {
    rules::shape(f.required, f.nullable, view.unwrap_or(View::Request))
}

fn field_inner_ty(f: &Field, models: &TokenStream) -> TokenStream {
    let inner = ty_tokens(&f.ty, models);
    if f.boxed {
        quote! { Box<#inner> }
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
    let ty = match shape(f, view) {
        Shape::Plain => inner,
        Shape::Optional | Shape::NullableRequired => quote! { Option<#inner> },
        Shape::ThreeState => quote! { Option<Option<#inner>> },
    };
    quote! {
        #doc
        pub #name: #ty,
    }
}

/// Whether a struct gets a `new` constructor: response-only types are
/// decoded, not built, and a type whose fields are all optional has
/// `Default` instead.
fn has_constructor(s: &StructDef) -> bool {
    !(s.all_optional || s.view == Some(View::Response))
}

/// The arguments of a struct's constructor: its required fields, in order.
fn constructor_args(s: &StructDef, models: &TokenStream) -> Vec<(Ident, TokenStream)> {
    s.fields
        .iter()
        .filter_map(|f| {
            let ty = field_inner_ty(f, models);
            match shape(f, s.view) {
                Shape::Plain => Some((ident(&f.rust_name), ty)),
                Shape::NullableRequired => Some((ident(&f.rust_name), quote! { Option<#ty> })),
                Shape::Optional | Shape::ThreeState => None,
            }
        })
        .collect()
}

fn emit_constructor(s: &StructDef, models: &TokenStream, cfg: &TokenStream) -> Option<TokenStream> {
    if !has_constructor(s) {
        return None;
    }
    let name = ident(&s.name);
    let args = constructor_args(s, models)
        .into_iter()
        .map(|(name, ty)| quote! { #name: #ty });
    let inits = s.fields.iter().map(|f| {
        let fname = ident(&f.rust_name);
        match shape(f, s.view) {
            Shape::Plain | Shape::NullableRequired => quote! { #fname },
            Shape::Optional | Shape::ThreeState => quote! { #fname: Option::None },
        }
    });
    let doc = format!(
        " A `{}` with the required fields set and every optional one empty.",
        s.name
    );
    Some(quote! {
        #cfg
        impl #name {
            #[doc = #doc]
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits),* }
            }
        }
    })
}

fn emit_enum(e: &EnumDef, cfg: &TokenStream) -> TokenStream {
    let name = ident(&e.name);
    let doc = doc_attrs(e.doc.as_deref());
    let fallback = ident(&e.fallback);
    let variants = e.variants.iter().map(|v| {
        let rust = ident(&v.rust);
        let vdoc = format!(" `{}`", v.wire);
        quote! {
            #[doc = #vdoc]
            #rust,
        }
    });
    let table = e.variants.iter().map(|v| {
        let rust = ident(&v.rust);
        let wire = &v.wire;
        quote! { #rust #wire }
    });
    quote! {
        #cfg
        #doc
        #[doc = ""]
        #[doc = " Values the spec does not list decode into the fallback variant instead of failing."]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the spec does not list, kept as sent.
            #fallback(String),
        }

        #cfg
        sh::string_enum!(#name, #fallback { #(#table),* });
    }
}

fn emit_union(api: &Api, u: &UnionDef, cfg: &TokenStream) -> TokenStream {
    let name = ident(&u.name);
    let doc = doc_attrs(u.doc.as_deref());
    let fallback = ident(&u.fallback);
    let models = TokenStream::new();
    let variant_ty = |v: &UnionVariant| {
        let t = ty_tokens(&v.ty, &models);
        if v.boxed {
            quote! { Box<#t> }
        } else {
            t
        }
    };
    let constructors = emit_variant_constructors(api, u, cfg);
    let separator = u.doc.is_some().then(|| quote! { #[doc = ""] });
    let Some(prop) = &u.discriminator else {
        let variants = u.variants.iter().map(|v| {
            let rust = ident(&v.rust);
            let t = variant_ty(v);
            quote! {
                #[doc = " One of the shapes the spec allows."]
                #rust(#t),
            }
        });
        let names = u.variants.iter().map(|v| ident(&v.rust));
        return quote! {
            #cfg
            #doc
            #separator
            #[doc = " One of several shapes: the first variant that decodes wins; anything else decodes into the fallback variant."]
            #[derive(Debug, Clone, PartialEq)]
            pub enum #name {
                #(#variants)*
                /// A value of none of the shapes above, kept as JSON.
                #fallback(::serde_json::Value),
            }

            #cfg
            sh::untagged_union!(#name, #fallback { #(#names),* });
            #constructors
        };
    };
    let variants = u.variants.iter().map(|v| {
        let rust = ident(&v.rust);
        let t = variant_ty(v);
        let tags = v
            .tags
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let vdoc = format!(" `{prop}` is {tags}.");
        quote! {
            #[doc = #vdoc]
            #rust(#t),
        }
    });
    let table = u.variants.iter().map(|v| {
        let rust = ident(&v.rust);
        let sent = v.tags.first().cloned().unwrap_or_default();
        let tags = &v.tags;
        // An object type that stands for this tag writes it itself.
        let own = match &v.ty {
            Type::Named(n) => match api.types.get(n) {
                Some(TypeDef::Struct(s)) => s
                    .tag
                    .as_ref()
                    .is_some_and(|t| &t.property == prop && t.value == sent),
                _ => false,
            },
            _ => false,
        };
        let own = own.then(|| quote! { own });
        quote! { #rust #sent [#(#tags),*] #own }
    });
    let fallback_doc = format!(
        " Any other `{prop}` value (or none, or a value its variant cannot decode), kept as JSON."
    );
    let disc_doc = format!(" The variant is chosen by the `{prop}` property; a value without it, with a value the spec does not list, or that the chosen variant cannot decode, decodes into [`{}::{}`].", u.name, u.fallback);
    quote! {
        #cfg
        #doc
        #separator
        #[doc = #disc_doc]
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
            #[doc = #fallback_doc]
            #fallback(::serde_json::Value),
        }

        #cfg
        sh::tagged_union!(#name, #prop, #fallback { #(#table),* });
        #constructors
    }
}

/// A short constructor per variant whose object type has a `new`:
/// `NewBucket::aws(bucket_name, iam_role_id)` for `NewBucket::Aws(Aws::new(..))`.
fn emit_variant_constructors(api: &Api, u: &UnionDef, cfg: &TokenStream) -> Option<TokenStream> {
    use heck::ToSnakeCase;
    let models = TokenStream::new();
    let mut taken = BTreeSet::new();
    let methods: Vec<TokenStream> = u
        .variants
        .iter()
        .filter_map(|v| {
            let Type::Named(n) = &v.ty else { return None };
            let Some(TypeDef::Struct(s)) = api.types.get(n) else {
                return None;
            };
            if !has_constructor(s) || v.boxed {
                return None;
            }
            let method = crate::names::field_name(&v.rust.to_snake_case());
            if matches!(method.as_str(), "default" | "new" | "clone") || !taken.insert(method.clone()) {
                return None;
            }
            let method = ident(&method);
            let rust = ident(&v.rust);
            let ty = ident(&s.name);
            let args = constructor_args(s, &models);
            let params = args.iter().map(|(name, ty)| quote! { #name: #ty });
            let names = args.iter().map(|(name, _)| name);
            let doc = format!(" [`Self::{}`] with the required fields of [`{}`] set and every optional one empty.", v.rust, s.name);
            Some(quote! {
                #[doc = #doc]
                #[allow(clippy::too_many_arguments)]
                pub fn #method(#(#params),*) -> Self {
                    Self::#rust(#ty::new(#(#names),*))
                }
            })
        })
        .collect();
    if methods.is_empty() {
        return None;
    }
    let name = ident(&u.name);
    Some(quote! {
        #cfg
        impl #name {
            #(#methods)*
        }
    })
}

fn emit_newtype(n: &Newtype, cfg: &TokenStream, matcher_fn: &Ident) -> TokenStream {
    let name = ident(&n.name);
    let field = &n.field;
    let pattern = &n.pattern;
    let doc = doc_attrs(n.doc.as_deref());
    let separator = n.doc.is_some().then(|| quote! { #[doc = ""] });
    let what = format!(
        " A `{field}` value, checked against the pattern `{}` when it is built.",
        pattern.replace('`', "'")
    );
    quote! {
        #cfg
        #doc
        #separator
        #[doc = #what]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct #name(String);

        #cfg
        sh::validated!(#name, #field, #pattern, #matcher_fn);
    }
}

// ----- operations.rs -------------------------------------------------------

fn emit_operations(feature: &str, def: &Feature, ops: &[&Operation]) -> TokenStream {
    let methods = ops.iter().map(|op| emit_client_method(op));
    let builders = ops.iter().map(|op| emit_builder(op));
    let extras = ops.iter().map(|op| {
        let versions = crate::emit_cli::emit_version_methods(op);
        let pages = crate::paginate::emit_builder_methods(op);
        quote! { #versions #pages }
    });
    let doc = format!(
        " Operations tagged \"{}\" (cargo feature `{feature}`).",
        def.tag
    );
    quote! {
        #![doc = #doc]
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]

        use crate::runtime::{ApiRequest, Client, Error, Response};

        impl Client {
            #(#methods)*
        }

        #(#builders)*
        #(#extras)*
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
    /// Builder field type: `Option<T>`, or `Checked<T>` for validated ones.
    field: TokenStream,
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
            field: quote! { crate::runtime::Checked<#t> },
            arg: quote! { impl crate::runtime::IntoValidated<#t> },
            store: quote! { value.into_validated() },
            validated: true,
        },
        Type::Vec(inner) if matches!(**inner, Type::Newtype(_)) => {
            let it = ty_tokens(inner, models);
            ParamShape {
                field: quote! { crate::runtime::Checked<#t> },
                arg: quote! { impl ::std::iter::IntoIterator<Item = impl crate::runtime::IntoValidated<#it>> },
                store: quote! { value.into_iter().map(crate::runtime::IntoValidated::into_validated).collect() },
                validated: true,
            }
        }
        Type::String => ParamShape {
            field: quote! { Option<#t> },
            arg: quote! { impl ::std::convert::Into<String> },
            store: quote! { value.into() },
            validated: false,
        },
        _ => ParamShape {
            field: quote! { Option<#t> },
            arg: t,
            store: quote! { value },
            validated: false,
        },
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
    let mut extras = Vec::new();
    for p in &op.params {
        let pname = ident(&p.rust_name);
        let shape = param_shape(&p.ty, &models);
        let field = &shape.field;
        fields.push(quote! { #pname: #field, });
        inits.push(quote! { #pname: None, });
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
                self.#pname = Some(#store);
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
                self.body = Some(value);
                self
            }
        });
        let media = &body.media_type;
        // A raw JSON body (`raw_body`, for another API version) stands in
        // for the typed one.
        fields.push(quote! { raw_body: Option<::serde_json::Value>, });
        inits.push(quote! { raw_body: None, });
        if body.required {
            body_take = quote! {
                if self.raw_body.is_none() && self.body.is_none() {
                    return Err(crate::runtime::ValidationError::missing("body").into());
                }
            };
        }
        body_send = quote! {
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
    let error_ty = ty_tokens(&op.error_type, &models);
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

            #send_doc
            pub fn send(self) -> impl ::std::future::Future<Output = Result<Response<#success_ty>, Error<#error_ty>>> + 'a {
                let client = self.client;
                client.send::<Self>(self.into_request())
            }

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

#[cfg(test)]
mod tests {
    use super::doc_text;

    #[test]
    fn prose_is_made_safe_for_rustdoc() {
        assert_eq!(doc_text("see https://x.y/z."), "see <https://x.y/z>.");
        assert_eq!(doc_text("[link](https://x.y)"), "[link](https://x.y)");
        assert_eq!(doc_text("^([a-f0-9]{24})$"), "^(\\[a-f0-9\\]{24})$");
        assert_eq!(doc_text("    indented code"), "indented code");
        assert_eq!(doc_text("the <value> can be"), "the &lt;value&gt; can be");
        assert_eq!(doc_text("use `a[0] > b` here"), "use `a[0] > b` here");
        assert_eq!(doc_text("see <https://x.y/z>."), "see <https://x.y/z>.");
    }
}
