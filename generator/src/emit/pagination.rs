//! Page walkers of paginated list operations (see
//! [`crate::lower`]'s pagination detection): `pages()` and `stream()` on
//! their builders, and the runtime's `Page` trait on their page types.

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::{ident, models, ty_tokens};
use crate::ir::*;

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
        let item = ty_tokens(&p.item, &models());
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
    let item = ty_tokens(&p.item, &models());
    let error = ty_tokens(&op.error_type, &models());
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
            ) -> crate::runtime::pagination::Results<'a, Response<crate::models::#page>, #error> {
                let first = self.#page_num.unwrap_or(1);
                let per_page = self.#per_page.or(#default_per_page);
                crate::runtime::pagination::pages(first, per_page, move |n| self.clone().#page_num(n).send())
            }

            #[doc = #stream_doc]
            pub fn stream(self) -> crate::runtime::pagination::Results<'a, #item, #error> {
                crate::runtime::pagination::items(self.pages())
            }
        }
    }
}
