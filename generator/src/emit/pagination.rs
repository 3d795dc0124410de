//! Page walkers of paginated list operations (see
//! [`crate::lower`]'s pagination detection): `pages()` and `stream()` on
//! their builders, and the runtime's `Page` trait on their page types.

use proc_macro2::TokenStream;
use quote::quote;

use super::access;
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
        let results = ident(&p.results.rust_name);
        let results = quote! { self.#results };
        let count = access::len(&results, p.results.shape);
        let into_items = access::into_list(&results, p.results.shape);
        let total = match &p.total_count {
            Some(f) => {
                let name = ident(&f.rust_name);
                access::copied(&quote! { self.#name }, f.shape)
            }
            None => quote! { Option::None },
        };
        let has_next = match &p.links {
            Some(links) => {
                let name = ident(&links.field.rust_name);
                let each = access::iter(
                    &quote! { self.#name },
                    links.field.shape,
                    links.nullable_items,
                );
                let rel = ident(&links.rel.rust_name);
                let rel = access::str_ref(&quote! { l.#rel }, links.rel.shape);
                quote! {
                    crate::runtime::next_link(#each.map(|l| #rel))
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
    let error = super::tokens::error_body();
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// A paginated list whose `results`, `totalCount` and `links` (and the
    /// links' `rel`) are required or not and nullable or not as asked.
    /// With `sent`, the page type is also a request body (so it serves both
    /// directions, and follows the request rules).
    fn spec(
        results: (bool, bool),
        total: (bool, bool),
        links: (bool, bool),
        rel: bool,
        sent: bool,
    ) -> String {
        let required: Vec<&str> = [
            ("results", results),
            ("totalCount", total),
            ("links", links),
        ]
        .into_iter()
        .filter(|(_, (req, _))| *req)
        .map(|(name, _)| name)
        .collect();
        let nullable = |(_, null): (bool, bool)| if null { ", nullable: true" } else { "" };
        format!(
            r#"openapi: 3.0.1
info: {{ title: Pages, version: '1' }}
paths:
  /things:
    get:
      operationId: listThings
      parameters:
        - {{ name: pageNum, in: query, schema: {{ type: integer, default: 1 }} }}
        - {{ name: itemsPerPage, in: query, schema: {{ type: integer, default: 100 }} }}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{ $ref: '#/components/schemas/PaginatedThing' }}
{}components:
  schemas:
    PaginatedThing:
      type: object
      required: [{}]
      properties:
        results: {{ type: array, items: {{ $ref: '#/components/schemas/Thing' }}{} }}
        totalCount: {{ type: integer{} }}
        links: {{ type: array, items: {{ $ref: '#/components/schemas/Link' }}{} }}
    Link:
      type: object
      required: [{}]
      properties:
        rel: {{ type: string }}
        href: {{ type: string }}
    Thing:
      type: object
      properties:
        id: {{ type: string }}
"#,
            if sent { SENT } else { "" },
            required.join(", "),
            nullable(results),
            nullable(total),
            nullable(links),
            if rel { "rel" } else { "" },
        )
    }

    const SENT: &str = r#"    post:
      operationId: createThings
      requestBody:
        content:
          application/json:
            schema: { $ref: '#/components/schemas/PaginatedThing' }
      responses:
        '204': { description: done }
"#;

    fn page_impl(text: &str) -> String {
        let spec = crate::load::parse(Path::new("pages.yaml"), text).expect("parses");
        let generated =
            crate::generate(&spec, &crate::Options::new("pages.yaml")).expect("generates");
        generated.files["pagination.rs"]
            .split_whitespace()
            .collect()
    }

    fn squash(text: &str) -> String {
        text.split_whitespace().collect()
    }

    /// Fails naming the first piece of `expected` the code lacks (both
    /// compared without white space).
    fn assert_has(code: &str, expected: &[&str]) {
        for piece in expected {
            assert!(code.contains(&squash(piece)), "lacks {piece}:\n{code}");
        }
    }

    #[test]
    fn required_fields_are_read_as_values() {
        // The early-2023 Atlas spec marks `links` required: `Vec<Link>`.
        let code = page_impl(&spec(
            (true, false),
            (true, false),
            (true, false),
            true,
            false,
        ));
        assert_has(
            &code,
            &[
                "self.results.len()",
                "Some(self.total_count)",
                "crate::runtime::next_link(self.links.iter().map(|l|Some(l.rel.as_str())))",
                "fn into_items(self)->Vec<Self::Item>{self.results}",
            ],
        );
    }

    #[test]
    fn optional_fields_are_read_through_their_option() {
        let code = page_impl(&spec(
            (false, false),
            (false, false),
            (false, false),
            false,
            false,
        ));
        assert_has(
            &code,
            &[
                "self.results.as_ref().map_or(0,Vec::len)",
                "fn total_count(&self)->Option<i64>{self.total_count}",
                "crate::runtime::next_link(self.links.iter().flatten().map(|l|l.rel.as_deref()))",
                "self.results.unwrap_or_default()",
            ],
        );
    }

    #[test]
    fn nullable_fields_are_read_whatever_their_view_makes_them() {
        // Required and nullable: `Option<T>` in either view.
        let code = page_impl(&spec((true, true), (true, true), (true, true), true, false));
        assert_has(
            &code,
            &[
                "self.results.as_ref().map_or(0,Vec::len)",
                "fn total_count(&self)->Option<i64>{self.total_count}",
                "self.links.iter().flatten().map(|l|Some(l.rel.as_str()))",
            ],
        );
        // Optional and nullable: `Option<T>` in a response type...
        let code = page_impl(&spec(
            (false, true),
            (false, true),
            (false, true),
            false,
            false,
        ));
        assert_has(
            &code,
            &[
                "fn total_count(&self)->Option<i64>{self.total_count}",
                "self.results.as_ref().map_or(0,Vec::len)",
                "self.links.iter().flatten().map(|l|l.rel.as_deref())",
            ],
        );
        // ...`Option<Option<T>>` in a type that is also sent.
        let code = page_impl(&spec(
            (false, true),
            (false, true),
            (false, true),
            false,
            true,
        ));
        assert_has(
            &code,
            &[
                "self.total_count.flatten()",
                "self.results.as_ref().and_then(Option::as_ref).map_or(0,Vec::len)",
                "self.links.iter().flatten().flatten().map(|l|l.rel.as_deref())",
                "self.results.flatten().unwrap_or_default()",
            ],
        );
    }
}
