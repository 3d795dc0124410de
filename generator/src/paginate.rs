//! Paginated list operations: detecting them in the IR and emitting their
//! page walkers.
//!
//! An operation is paginated when it has `pageNum` and `itemsPerPage` query
//! parameters (integers) and its success type is a struct with a `results`
//! list (Atlas's `Paginated*` wrappers, which may also carry `totalCount` and
//! `links`). Its builder then gets `pages()` (a `Stream` of whole pages) and
//! `stream()` (a `Stream` of items), and its page type implements
//! `crate::runtime::Page`. When the walk stops is decided once, in the
//! runtime (`runtime/pagination.rs`).

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::*;

/// Fills [`Operation::pagination`] for every paginated operation of `api`.
pub fn detect_all(api: &mut Api) {
    let found: Vec<Option<Pagination>> = api
        .operations
        .iter()
        .map(|op| detect(&api.types, op))
        .collect();
    for (op, pagination) in api.operations.iter_mut().zip(found) {
        op.pagination = pagination;
    }
}

/// The pagination of `op`, if it is a paginated list operation.
pub fn detect(
    types: &std::collections::BTreeMap<String, TypeDef>,
    op: &Operation,
) -> Option<Pagination> {
    let query_int = |name: &str| {
        op.params.iter().position(|p| {
            p.wire_name == name && p.location == ParamLocation::Query && p.ty == Type::I64
        })
    };
    let page_num = query_int("pageNum")?;
    let items_per_page = query_int("itemsPerPage")?;
    let Some(Type::Named(page_type)) = &op.success_type else {
        return None;
    };
    let Some(TypeDef::Struct(page)) = types.get(page_type) else {
        return None;
    };
    let results = page.fields.iter().find(|f| f.wire_name == "results")?;
    let Type::Vec(item) = &results.ty else {
        return None;
    };
    let total_count_field = page
        .fields
        .iter()
        .find(|f| f.wire_name == "totalCount" && f.ty == Type::I64)
        .map(|f| f.rust_name.clone());
    let links = page.fields.iter().find_map(|f| {
        if f.wire_name != "links" {
            return None;
        }
        let Type::Vec(inner) = &f.ty else {
            return None;
        };
        let Type::Named(link) = inner.as_ref() else {
            return None;
        };
        let Some(TypeDef::Struct(link)) = types.get(link) else {
            return None;
        };
        let rel = link
            .fields
            .iter()
            .find(|l| l.wire_name == "rel" && l.ty == Type::String && !l.required)?;
        Some((f.rust_name.clone(), rel.rust_name.clone()))
    });
    let default_items_per_page = op.params[items_per_page]
        .default
        .as_ref()
        .and_then(serde_json::Value::as_i64);
    Some(Pagination {
        page_num,
        items_per_page,
        default_items_per_page,
        page_type: page_type.clone(),
        results_field: results.rust_name.clone(),
        results_optional: !results.required || results.nullable,
        item: (**item).clone(),
        total_count_field,
        links,
    })
}

fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The `Page` implementations of every page type, one each, compiled with
/// the features of the type.
pub fn emit_page_impls(api: &Api, cfg_for: impl Fn(&str) -> TokenStream) -> TokenStream {
    let mut seen = std::collections::BTreeSet::new();
    let mut impls = Vec::new();
    for p in api
        .operations
        .iter()
        .filter_map(|op| op.pagination.as_ref())
    {
        if !seen.insert(p.page_type.clone()) {
            continue;
        }
        let cfg = cfg_for(&p.page_type);
        let page = ident(&p.page_type);
        let item = super::emit::ty_tokens(&p.item, &quote! { crate::models:: });
        let results = ident(&p.results_field);
        let (count, into_items) = if p.results_optional {
            (
                quote! { self.#results.as_ref().map_or(0, |r| r.len()) },
                quote! { self.#results.unwrap_or_default() },
            )
        } else {
            (quote! { self.#results.len() }, quote! { self.#results })
        };
        let total = match &p.total_count_field {
            Some(f) => {
                let f = ident(f);
                quote! { self.#f }
            }
            None => quote! { Option::None },
        };
        let has_next = match &p.links {
            Some((links, rel)) => {
                let links = ident(links);
                let rel = ident(rel);
                quote! {
                    crate::runtime::next_link(self.#links.iter().flatten().map(|l| l.#rel.as_deref()))
                }
            }
            None => quote! { Option::None },
        };
        impls.push(quote! {
            #cfg
            impl crate::runtime::Page for crate::models::#page {
                type Item = #item;

                fn item_count(&self) -> usize {
                    #count
                }

                fn total_count(&self) -> Option<i64> {
                    #total
                }

                fn has_next_link(&self) -> Option<bool> {
                    #has_next
                }

                fn into_items(self) -> Vec<Self::Item> {
                    #into_items
                }
            }
        });
    }
    quote! {
        //! How each page type of a paginated operation reads: its items, its
        //! `totalCount` and whether its `links` name a next page.
        #(#impls)*
    }
}

/// `pages()` and `stream()` for the builder of a paginated operation.
pub fn emit_builder_methods(op: &Operation) -> TokenStream {
    let Some(p) = &op.pagination else {
        return TokenStream::new();
    };
    let (Some(page_param), Some(per_page_param)) =
        (op.params.get(p.page_num), op.params.get(p.items_per_page))
    else {
        return TokenStream::new();
    };
    let builder = ident(&op.builder_name);
    let page_num = ident(&page_param.rust_name);
    let per_page = ident(&per_page_param.rust_name);
    let page = ident(&p.page_type);
    let item = super::emit::ty_tokens(&p.item, &quote! { crate::models:: });
    let error = super::emit::ty_tokens(&op.error_type, &quote! { crate::models:: });
    let default_per_page = match p.default_items_per_page {
        Some(n) => quote! { Option::Some(#n) },
        None => quote! { Option::None },
    };
    let pages_doc = format!(
        " Every page from `{}` on (default 1), fetched lazily one request at a time as the stream is polled; see [`crate::runtime::pagination`] for when it stops. A failed request ends the stream with its error.",
        page_param.wire_name
    );
    let stream_doc = format!(
        " Every item of every page (the `results` of each [`crate::models::{}`]), fetched lazily like [`Self::pages`].",
        p.page_type
    );
    quote! {
        impl<'a> #builder<'a> {
            #[doc = #pages_doc]
            pub fn pages(
                self,
            ) -> impl ::futures_util::Stream<Item = Result<Response<crate::models::#page>, Error<#error>>> + 'a {
                let first = self.#page_num.unwrap_or(1);
                let per_page = self.#per_page.or(#default_per_page);
                crate::runtime::pagination::pages(first, per_page, move |n| self.clone().#page_num(n).send())
            }

            #[doc = #stream_doc]
            pub fn stream(self) -> impl ::futures_util::Stream<Item = Result<#item, Error<#error>>> + 'a {
                crate::runtime::pagination::items(self.pages())
            }
        }
    }
}
