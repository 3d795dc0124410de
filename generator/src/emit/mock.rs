//! `mock/mod.rs` and `mock/<tag>.rs` (cargo feature `test-util`): the typed
//! layer of the mock Atlas over the runtime's engine (`runtime::mock`).
//! `MockAtlas` starts the server and hands out clients; per operation, the
//! routing constants (`runtime::mock::Operation` on its request builder),
//! a `MockAtlas` method, and a stub builder with one setter per path and
//! query parameter. Everything else a stub does is the runtime's `Stub`
//! trait, compiled only where a test uses it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::tokens::{doc_lines, ident, models, ty_tokens};
use crate::ir::*;

/// `mock/mod.rs`: `MockAtlas`, the runtime's stub vocabulary, one module
/// per tag.
pub(super) fn emit_mock_mod(api: &Api) -> TokenStream {
    let modules = api.features.iter().map(|(feature, def)| {
        let module = ident(&def.module);
        quote! {
            #[cfg(feature = #feature)]
            mod #module;
            #[cfg(feature = #feature)]
            pub use #module::*;
        }
    });
    quote! {
        //! Test doubles (cargo feature `test-util`): a mock Atlas that a test
        //! starts, a real HTTP server on 127.0.0.1, with one typed stub builder
        //! per operation. The client under test runs its real authentication,
        //! retries, decoding, pagination and waiters against it.
        //!
        //! `MockAtlas::start().await`, then per operation
        //! `mock.<operation>()` (the same name as the client's method): match
        //! on its path and query parameters (one setter each) and
        //! [`Stub::body_matches`], answer with [`Stub::respond_with`] (the
        //! operation's own response type), [`Stub::respond_error`],
        //! [`Stub::respond_api_error`], [`Stub::respond_status`] or
        //! [`Stub::respond_with_pages`] (served as the operation pages), one
        //! reply per call in order, and expect with [`Stub::times`] or
        //! [`Stub::never`]. [`MockAtlas::client`] is a client of the mock;
        //! [`MockAtlas::uri`] is its base URL and [`MockServer::env`] the
        //! environment (base URL, credentials) that points the `atlas-api`
        //! command line, or any program reading its settings from the
        //! environment, at it. Expectations are checked when the mock is dropped,
        //! or with `verify()`/`check()`. The engine is
        //! [`runtime::mock`](crate::runtime::mock), which says what each part
        //! does.
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]

        pub use crate::runtime::mock::{MockServer, MockServerBuilder, RecordedRequest, Rule, Stub};

        #(#modules)*

        /// A running mock Atlas: start it, stub operations on it, point a
        /// [`Client`](crate::Client) at it. It derefs to the runtime's
        /// [`MockServer`] (`verify()`, `check()`, `received()`,
        /// `unmatched()`, `expire_tokens()`, `env()`); dropping it checks the
        /// expectations.
        #[derive(Debug)]
        pub struct MockAtlas {
            server: MockServer,
        }

        impl MockAtlas {
            /// Starts a mock that requires no credentials.
            pub async fn start() -> Self {
                Self { server: MockServer::start().await }
            }

            /// Starts a mock configured by `builder` (the credentials it
            /// requires: [`MockServerBuilder::require_digest`],
            /// [`MockServerBuilder::require_service_account`]).
            pub async fn start_with(builder: MockServerBuilder) -> Self {
                Self { server: builder.start().await }
            }

            /// A client of this mock: its base URL, the credentials it
            /// requires, and retries that wait milliseconds.
            pub fn client(&self) -> crate::Client {
                self.server.client()
            }

            /// A client builder aimed at this mock, to change the client's
            /// settings before building it.
            pub fn client_builder(&self) -> crate::ClientBuilder {
                self.server.client_builder()
            }

            /// The base URL (`http://127.0.0.1:PORT`).
            pub fn uri(&self) -> &str {
                self.server.uri()
            }
        }

        impl ::std::ops::Deref for MockAtlas {
            type Target = MockServer;
            fn deref(&self) -> &MockServer {
                &self.server
            }
        }
    }
}

/// `mock/<tag>.rs`: the stubs of one tag's operations.
pub(super) fn emit_mock_feature(ops: &[&Operation]) -> TokenStream {
    let items = ops.iter().map(|op| emit_op(op));
    quote! {
        //! Stubs of this tag's operations.
        use crate::runtime::mock::{Rule, Stub};
        #(#items)*
    }
}

fn emit_op(op: &Operation) -> TokenStream {
    let models = models();
    let builder = ident(&op.builder_name);
    let stub = format_ident!("{}Stub", op.builder_name);
    let method = ident(&op.method_name);
    let operation_id = &op.operation_id;
    let name = &op.method_name;
    let http = op.method.as_str();
    let path = &op.path;
    let mut versions = op.api_versions.clone();
    if versions.is_empty() {
        versions.extend(op.api_version.clone());
    }
    let body = match &op.body {
        Some(body) => ty_tokens(&body.ty, &models),
        None => quote! { () },
    };
    let per_page = op
        .pagination
        .as_ref()
        .and_then(|p| p.default_items_per_page)
        .map(|n| quote! { const ITEMS_PER_PAGE: i64 = #n; });
    let setters = op.params.iter().filter_map(emit_setter).collect::<Vec<_>>();
    let method_doc = doc_lines(&[
        format!(
            "Stubs [`Client::{name}`](crate::Client::{name}): `{http} {path}` (operationId `{operation_id}`)."
        ),
        String::new(),
        "The stub answers once it has a reply or an expectation; see [`Stub`].".to_owned(),
    ]);
    let stub_doc = format!(" A stub of `{operation_id}` (`{http} {path}`): one setter per path and query parameter to match on, and everything [`Stub`] does.");
    let rule = quote! { Rule<crate::operations::#builder<'static>> };
    quote! {
        impl crate::runtime::mock::Operation for crate::operations::#builder<'static> {
            const OPERATION_ID: &'static str = #operation_id;
            const NAME: &'static str = #name;
            const METHOD: &'static str = #http;
            const PATH: &'static str = #path;
            const VERSIONS: &'static [&'static str] = &[#(#versions),*];
            #per_page
            type Body = #body;
        }

        impl super::MockAtlas {
            #method_doc
            pub fn #method(&self) -> #stub {
                #stub(Rule::new(&self.server))
            }
        }

        #[doc = #stub_doc]
        #[derive(Debug, Clone)]
        pub struct #stub(#rule);

        impl #stub {
            #(#setters)*
        }

        impl Stub for #stub {
            type Op = crate::operations::#builder<'static>;
            fn rule(&self) -> &#rule {
                &self.0
            }
        }
    }
}

/// The setter of a path or query parameter: matches requests whose value
/// (one of the values, for a list) is the one given. Header parameters
/// have none (`Stub::header` matches any header).
fn emit_setter(p: &Param) -> Option<TokenStream> {
    let (matcher, kind) = match p.location {
        ParamLocation::Path => (quote! { path_param }, "path"),
        ParamLocation::Query => (quote! { query_param }, "query"),
        ParamLocation::Header => return None,
    };
    let ty = match &p.ty {
        Type::Vec(inner) => inner.as_ref(),
        ty => ty,
    };
    let setter = ident(&p.rust_name);
    let wire = &p.wire_name;
    let doc = format!(" Matches only requests whose {kind} parameter `{wire}` is `value`.");
    Some(match ty {
        Type::String | Type::Newtype(_) => quote! {
            #[doc = #doc]
            pub fn #setter(self, value: impl ::std::convert::AsRef<str>) -> Self {
                Stub::#matcher(self, #wire, value.as_ref())
            }
        },
        _ => {
            let t = ty_tokens(ty, &models());
            quote! {
                #[doc = #doc]
                pub fn #setter(self, value: #t) -> Self {
                    Stub::#matcher(self, #wire, &value)
                }
            }
        }
    })
}
