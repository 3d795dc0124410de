//! The builder methods for choosing another API version or response format
//! at run time: `api_version`, `send_json` and `send_as`.

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use super::tokens::ident;
use crate::ir::*;

/// `api_version` and `send_json` for the builder of `op`.
pub(super) fn emit_version_methods(op: &Operation) -> TokenStream {
    let builder = ident(&op.builder_name);
    let error = super::tokens::error_body();
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
    let sunsets = op.version_media.iter().map(|v| {
        let version = &v.version;
        match &v.sunset {
            Some(date) => quote! { (#version, Some(#date)) },
            None => quote! { (#version, None) },
        }
    });
    let generated_tokens = match &op.api_version {
        Some(v) => quote! { Some(#v) },
        None => quote! { None },
    };
    let version_doc = format!(
        " Sends another API version than the generated `{generated}` (offered: {offered}) in `Accept` and `Content-Type`. `send` still decodes into the generated version's types; `send_json`, where the body is JSON, decodes any version."
    );
    let send_json = op.decodes_json().then(|| {
        quote! {
            /// Like [`Self::send`], but any 2xx body decodes as plain JSON
            /// (`null` when empty): for an API version set with
            /// [`Self::api_version`] that the crate was not generated for.
            /// Inputs are checked and documented errors decoded as in `send`.
            pub fn send_json(self) -> impl ::std::future::Future<Output = Result<Response<::serde_json::Value>, Error<#error>>> + 'a {
                let client = self.client;
                client.send::<crate::runtime::AnyVersion<Self>>(self.into_request())
            }
        }
    });
    let send_as = emit_send_as(op, &error);
    quote! {
        impl<'a> #builder<'a> {
            /// The API versions the spec offers for this operation, oldest first.
            pub const API_VERSIONS: &'static [&'static str] = &[#(#versions),*];
            /// The API version the builder's types were generated for.
            pub const API_VERSION: Option<&'static str> = #generated_tokens;
            /// Each API version the spec offers, oldest first, with its
            /// `x-sunset` date (`YYYY-MM-DD`) when the spec gives one: calling
            /// a version near or past it logs a warning, and Atlas answers
            /// `410 Gone` once it has passed (see
            /// [`lifecycle`](crate::runtime::lifecycle)).
            pub const API_VERSION_SUNSETS: &'static [(&'static str, Option<&'static str>)] = &[#(#sunsets),*];

            #[doc = #version_doc]
            pub fn api_version(mut self, version: impl Into<String>) -> Self {
                self.api_version = Some(version.into());
                self
            }

            #send_json
            #send_as
        }
    }
}

/// The `Accept` media type `send_as` sends for each response format some
/// version of `op` offers (sorted by format): that of the generated version
/// when it offers the format, else of the newest version that does.
pub(super) fn send_as_accepts(op: &Operation) -> Vec<(&str, String)> {
    let formats: BTreeSet<&str> = op
        .version_media
        .iter()
        .flat_map(|v| v.formats.iter().map(String::as_str))
        .collect();
    formats
        .into_iter()
        .map(|format| {
            let offering = |v: &&VersionMedia| v.formats.iter().any(|f| f == format);
            let version = op
                .version_media
                .iter()
                .filter(offering)
                .find(|v| Some(&v.version) == op.api_version.as_ref())
                .or_else(|| op.version_media.iter().rfind(offering))
                .map_or("", |v| v.version.as_str());
            (format, format!("application/vnd.atlas.{version}+{format}"))
        })
        .collect()
}

/// `send_as` for an operation some version of which offers a response
/// format other than JSON, sending [`send_as_accepts`] (an `api_version`
/// replaces the version either way).
fn emit_send_as(op: &Operation, error: &TokenStream) -> Option<TokenStream> {
    let others = op.other_formats();
    if others.is_empty() {
        return None;
    }
    let accepts = send_as_accepts(op);
    let arms = accepts
        .iter()
        .map(|(format, media)| quote! { #format => Some(#media), });
    let offered = accepts
        .iter()
        .map(|(f, _)| *f)
        .collect::<Vec<_>>()
        .join(", ");
    let doc = format!(
        " Sends the request asking for the response in `format`, one of the formats the spec offers for this operation ({offered}: the `+<format>` of `application/vnd.atlas.<version>+<format>`), and returns the body as received. An API version set with [`Self::api_version`] applies. Inputs are checked and documented errors decoded as in `send`; a format the operation does not offer is [`Error::Config`] and nothing is sent."
    );
    Some(quote! {
        #[doc = #doc]
        pub fn send_as(self, format: &str) -> impl ::std::future::Future<Output = Result<Response<::bytes::Bytes>, Error<#error>>> + 'a {
            let client = self.client;
            client.send::<crate::runtime::AsBytes<Self>>(self.into_request_as(format))
        }

        /// Like [`Self::send_as`], but a 2xx body is handed back as it
        /// arrives, in bounded memory whatever its length (see
        /// [`ByteStream`](crate::runtime::ByteStream)). Retries happen only
        /// before the body starts; a failure mid-body ends the stream with
        /// an error, and no byte is delivered twice.
        pub fn send_as_stream(self, format: &str) -> impl ::std::future::Future<Output = Result<Response<crate::runtime::ByteStream<#error>>, Error<#error>>> + 'a {
            let client = self.client;
            client.send_stream::<crate::runtime::AsBytes<Self>>(self.into_request_as(format))
        }

        /// The request asking for the response in `format`.
        fn into_request_as(self, format: &str) -> Result<ApiRequest, Error<#error>> {
            let accept: Option<&'static str> = match format {
                #(#arms)*
                _ => None,
            };
            match accept {
                Some(accept) => self.into_request().map(|mut request| {
                    request.accept = accept;
                    request
                }),
                None => Err(Error::Config(format!("the response format {format:?} is not offered (offered: {})", #offered))),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// An operation with a version past its sunset and a current one.
    const FIXTURE: &str = r##"
openapi: 3.0.1
info: { title: Fixture, version: "2.0" }
paths:
  /api/atlas/v2/groups/{groupId}/reports:
    get:
      operationId: getReport
      tags: [Reports]
      parameters:
        - { name: groupId, in: path, required: true, schema: { type: string } }
      responses:
        "200":
          description: OK
          content:
            application/vnd.atlas.2023-01-01+json:
              schema: { type: object }
              x-sunset: "2025-06-01"
            application/vnd.atlas.2025-03-12+json:
              schema: { type: object }
"##;

    #[test]
    fn every_version_is_emitted_with_its_sunset() {
        let spec = crate::load::parse(Path::new("fixture.yaml"), FIXTURE).expect("parses");
        let api = crate::lower::lower(&spec).expect("lowers").api;
        let op = &api.operations[0];
        let tokens = super::emit_version_methods(op).to_string();
        assert!(
            tokens.contains(
                r#"API_VERSION_SUNSETS : & 'static [(& 'static str , Option < & 'static str >)] = & [("2023-01-01" , Some ("2025-06-01")) , ("2025-03-12" , None)]"#
            ),
            "{tokens}"
        );
        let builder = super::super::operations::emit_builder(op).to_string();
        assert!(
            builder.contains("request . versions = Self :: API_VERSION_SUNSETS ;"),
            "{builder}"
        );
    }
}
