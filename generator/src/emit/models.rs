//! `models/mod.rs` and `models/<tag>.rs`: structs, enums, unions,
//! wrappers and aliases, validated string types and their pattern
//! matchers, each with its serde impls (through the runtime's macros).

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::features::{cfg_any, cfg_for, feature_model_groups, sole_feature, types_alone_in};
use super::tokens::{doc_attrs, ident, ty_tokens};
use crate::ir::*;
use crate::pattern;
use crate::rules::Shape;

/// For each distinct pattern: the name of its matcher function, the first
/// validated type with it, and the features whose types use it (`None`:
/// always compiled).
pub(super) type Matchers<'a> = BTreeMap<&'a str, (Ident, &'a Newtype, Option<BTreeSet<String>>)>;

/// The matchers of `api`'s validated string types.
pub(super) fn matchers(api: &Api) -> Matchers<'_> {
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
pub(super) fn emit_model_items(
    api: &Api,
    matchers: &Matchers<'_>,
    keep: impl Fn(&str) -> bool,
    cfg: impl Fn(&str) -> TokenStream,
) -> TokenStream {
    let error_types = api.error_body_types();
    let types = api
        .types
        .values()
        .filter(|def| keep(def.name()))
        .map(|def| {
            let cfg = cfg(def.name());
            if error_types.contains(def.name()) {
                emit_error_alias(def, &cfg)
            } else {
                emit_type(api, def, &cfg)
            }
        });
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

/// `From` (and builder input) conversions between the validated types
/// with the same pattern, each compiled when both types are.
fn emit_same_pattern(api: &Api) -> TokenStream {
    let pairs = api.newtypes.values().flat_map(|n| {
        n.same_pattern
            .iter()
            .filter(|other| n.name < **other && api.newtypes.contains_key(*other))
            .map(move |other| {
                let (a, b) = (ident(&n.name), ident(other));
                let (cfg_a, cfg_b) = (cfg_for(api, &n.name), cfg_for(api, other));
                quote! {
                    #cfg_a
                    #cfg_b
                    sh::same_pattern!(#a, #b);
                }
            })
    });
    quote! { #(#pairs)* }
}

pub(super) fn emit_models(api: &Api) -> TokenStream {
    let matchers = matchers(api);
    let same_pattern = emit_same_pattern(api);
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
        #same_pattern
        #(#matchers)*
    }
}

/// `models/<tag>.rs`: the types only `feature` uses, compiled with it.
pub(super) fn emit_feature_models(api: &Api, feature: &str) -> TokenStream {
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

pub(super) fn emit_type(api: &Api, def: &TypeDef, cfg: &TokenStream) -> TokenStream {
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

pub(super) fn emit_struct(api: &Api, s: &StructDef, cfg: &TokenStream) -> TokenStream {
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
    let setters = emit_setters(s, &models, cfg);
    let serde = emit_struct_serde(api, s, cfg);
    let build_doc = format!(" {}", construction_note(s));
    quote! {
        #cfg
        #doc
        #separator
        #[doc = #view_doc]
        #[doc = ""]
        #[doc = #build_doc]
        #[derive(Debug, Clone, PartialEq, #default)]
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
        #constructor
        #setters
        #serde
    }
}

/// How code outside the crate builds a struct, for its docs: the struct is
/// `#[non_exhaustive]` (a field Atlas adds is a compatible release), so
/// through `new` or `Default`, then the `with_` setters.
fn construction_note(s: &StructDef) -> String {
    let start = if has_constructor(s) {
        format!("`{}::new(..)` (the required fields)", s.name)
    } else {
        format!("`{}::default()`", s.name)
    };
    format!(
        "Build it with {start} and the `with_<field>` setters; the struct is `#[non_exhaustive]`, so fields Atlas adds in later releases are not breaking changes."
    )
}

/// The setters' names of a struct's fields, in field order:
/// `with_<field>`, without the field's leading underscores
/// (`_2dsphereIndexVersion` has `with_2dsphere_index_version`) unless
/// another field's setter has that name.
pub(super) fn setter_names(s: &StructDef) -> Vec<Ident> {
    let trimmed = |f: &Field| f.rust_name.trim_start_matches('_').to_owned();
    let mut count = BTreeMap::<String, usize>::new();
    for f in &s.fields {
        *count.entry(trimmed(f)).or_default() += 1;
    }
    s.fields
        .iter()
        .map(|f| {
            let name = trimmed(f);
            if count.get(&name) == Some(&1) && !name.is_empty() {
                format_ident!("with_{name}")
            } else {
                format_ident!("with_{}", f.rust_name)
            }
        })
        .collect()
}

/// One `with_<field>` setter per field: with `new`/`Default`, the way code
/// outside the crate builds a `#[non_exhaustive]` struct. A setter takes
/// anything that converts into the field's type (an optional field is set
/// to `Some(value)`; a nullable optional one takes `Some(value)` or
/// `None`, which sends `null`).
pub(super) fn emit_setters(
    s: &StructDef,
    models: &TokenStream,
    cfg: &TokenStream,
) -> Option<TokenStream> {
    if s.fields.is_empty() {
        return None;
    }
    let name = ident(&s.name);
    let setters = s.fields.iter().zip(setter_names(s)).map(|(f, setter)| {
        let field = ident(&f.rust_name);
        // A name that keeps its underscores (two fields differ only by them).
        let allow = setter
            .to_string()
            .contains("__")
            .then(|| quote! { #[allow(non_snake_case)] });
        let inner = field_inner_ty(f, models);
        let (arg, value, note) = match shape(f, s.view) {
            Shape::Plain => (quote! { #inner }, quote! { value.into() }, ""),
            Shape::Optional | Shape::NullableRequired => (
                quote! { #inner },
                quote! { Some(value.into()) },
                " (to `Some(value)`)",
            ),
            Shape::ThreeState => (
                quote! { Option<#inner> },
                quote! { Some(value.into()) },
                " (`None` sends `null`)",
            ),
        };
        let doc = format!(" Sets `{}`{note}.", f.rust_name);
        quote! {
            #[doc = #doc]
            #allow
            pub fn #setter(mut self, value: impl Into<#arg>) -> Self {
                self.#field = #value;
                self
            }
        }
    });
    Some(quote! {
        #cfg
        impl #name {
            #(#setters)*
        }
    })
}

/// `Serialize` and `Deserialize` for a struct: one `object!` line (the
/// runtime's `serde_helpers`, imported as `sh`) listing each field with
/// its kind and wire name. The macro expands to a fraction of the code the
/// serde derives would, which keeps the whole API's crate within its
/// compile budget, and the table is a fraction of the tokens the expanded
/// impls would be to emit and format.
pub(super) fn emit_struct_serde(api: &Api, s: &StructDef, cfg: &TokenStream) -> TokenStream {
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
pub(super) fn shape(f: &Field, view: Option<View>) -> Shape {
    f.shape(view)
}

pub(super) fn field_inner_ty(f: &Field, models: &TokenStream) -> TokenStream {
    let inner = ty_tokens(&f.ty, models);
    if f.boxed {
        quote! { Box<#inner> }
    } else {
        inner
    }
}

pub(super) fn emit_field(f: &Field, view: Option<View>, models: &TokenStream) -> TokenStream {
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

/// Whether a struct gets a `new` constructor: a type with required
/// request fields does; a response-only type or one whose fields are all
/// optional has `Default` instead (so a field Atlas adds to it changes
/// no signature), unless it has no `Default` (it holds itself through
/// required fields), which code outside the crate could then not build.
pub(super) fn has_constructor(s: &StructDef) -> bool {
    !(s.all_optional || s.view == Some(View::Response)) || !s.has_default
}

/// The arguments of a struct's constructor: its required fields, in order.
pub(super) fn constructor_args(s: &StructDef, models: &TokenStream) -> Vec<(Ident, TokenStream)> {
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

pub(super) fn emit_constructor(
    s: &StructDef,
    models: &TokenStream,
    cfg: &TokenStream,
) -> Option<TokenStream> {
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

pub(super) fn emit_enum(e: &EnumDef, cfg: &TokenStream) -> TokenStream {
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
        #[doc = ""]
        #[doc = " `#[non_exhaustive]`: values Atlas adds in later releases are not breaking changes."]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value this version of the spec does not list, kept as sent.
            #fallback(String),
        }

        #cfg
        sh::string_enum!(#name, #fallback { #(#table),* });
    }
}

pub(super) fn emit_union(api: &Api, u: &UnionDef, cfg: &TokenStream) -> TokenStream {
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
            #[doc = " One of several shapes: the variant that fits best wins (the fewest keys it does not know, then the fewest tolerances, then the first); anything else decodes into the fallback variant."]
            #[doc = ""]
            #[doc = " `#[non_exhaustive]`: shapes Atlas adds in later releases are not breaking changes."]
            #[derive(Debug, Clone, PartialEq)]
            #[non_exhaustive]
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
        #[doc = ""]
        #[doc = " `#[non_exhaustive]`: variants Atlas adds in later releases are not breaking changes."]
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
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
pub(super) fn emit_variant_constructors(
    api: &Api,
    u: &UnionDef,
    cfg: &TokenStream,
) -> Option<TokenStream> {
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

pub(super) fn emit_newtype(n: &Newtype, cfg: &TokenStream, matcher_fn: &Ident) -> TokenStream {
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

/// A spec's error schema (Atlas's `ApiError`): an alias of the runtime's
/// tolerant `ApiError`, which reads every error body whatever it holds
/// (the schema says `parameters` are objects, Atlas sends scalars).
fn emit_error_alias(def: &TypeDef, cfg: &TokenStream) -> TokenStream {
    let name = ident(def.name());
    let doc = match def {
        TypeDef::Struct(s) => s.doc.as_deref(),
        _ => None,
    };
    let doc = doc_attrs(doc);
    let note = format!(
        " The spec's `{}` schema, read by the runtime's [`crate::runtime::ApiError`]: any body decodes (the status, `errorCode`, `detail`, `parameters` as sent, the raw body), as Atlas's error bodies do not always match the schema.",
        def.name()
    );
    quote! {
        #cfg
        #doc
        #[doc = ""]
        #[doc = #note]
        pub type #name = crate::runtime::ApiError;
    }
}
