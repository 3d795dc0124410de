//! Stage 3: emitting Rust tokens from the IR, one small `quote!` function per
//! concept. Generated code names crates by full path (`::serde_json::...`).
//! The prelude's `Option`, `String`, `Vec`, `Box` and `Result` are written
//! plainly: `names::type_name` never gives a generated type one of those
//! names (a schema called `String` becomes `StringType`), so they cannot be
//! shadowed.

mod access;
pub mod body_template;
pub mod cli;
mod cli_flags;
pub mod docs;
mod features;
pub mod markdown;
mod mock;
mod models;
mod operations;
mod pagination;
mod tokens;
mod versions;
pub mod waiters;

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::*;

use features::{cfg_for, feature_model_groups};
use tokens::ident;
pub use tokens::{doc_text, type_path};

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
    /// `mock/mod.rs`: the mock Atlas (feature `test-util`).
    MockMod,
    /// `mock/<tag>.rs`: the stubs of the operations of the feature so named.
    Mock(String),
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
        weighted.push((
            ops,
            format!("mock/{}.rs", def.module),
            FileKind::Mock(feature.clone()),
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
        ("mock/mod.rs".to_owned(), FileKind::MockMod),
        ("mod.rs".to_owned(), FileKind::Mod),
    ]);
    files
}

/// Emits one file.
pub fn emit_file(api: &Api, kind: &FileKind) -> TokenStream {
    match kind {
        FileKind::Mod => emit_mod(api),
        FileKind::Models => models::emit_models(api),
        FileKind::FeatureModels(feature) => models::emit_feature_models(api, feature),
        FileKind::OperationsMod => emit_operations_mod(api),
        FileKind::Pagination => pagination::emit_page_impls(api, |name| cfg_for(api, name)),
        FileKind::Cli => cli::emit_cli(api),
        FileKind::MockMod => mock::emit_mock_mod(api),
        FileKind::Mock(feature) => {
            let ops: Vec<&Operation> = api
                .operations
                .iter()
                .filter(|op| &op.feature == feature)
                .collect();
            mock::emit_mock_feature(&ops)
        }
        FileKind::Operations(feature) => {
            let ops: Vec<&Operation> = api
                .operations
                .iter()
                .filter(|op| &op.feature == feature)
                .collect();
            match api.features.get(feature) {
                Some(def) => {
                    let mut tokens = operations::emit_operations(feature, def, &ops);
                    tokens.extend(waiters::emit_waiters(api, &ops));
                    tokens
                }
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

// ----- mod.rs ----------------------------------------------------------

fn emit_mod(api: &Api) -> TokenStream {
    let doc = format!(
        " Code generated from the OpenAPI document \"{}\".",
        api.title
    );
    // The crate's error type: the runtime's, reading error bodies into the
    // runtime's tolerant `ApiError`.
    let error_body = tokens::error_body();
    let error_doc = " The error every operation, waiter and page stream of this API returns: [`crate::runtime::Error`] with the error body read into [`crate::runtime::ApiError`] (whatever the server sends: status, `errorCode`, `detail`, `parameters` as sent, the raw body).";
    quote! {
        #![doc = #doc]
        pub mod models;
        pub mod operations;
        mod pagination;
        #[cfg(feature = "cli")]
        pub mod cli;
        #[cfg(feature = "test-util")]
        pub mod mock;

        /// The hand-written runtime the generated code builds on (the crate
        /// `atlas-admin-runtime`): transport, authentication, retries,
        /// pagination, errors and serde helpers.
        pub use ::atlas_admin_runtime as runtime;
        /// The hand-written runtime of the command line the `cli` module is
        /// the table of (the crate `atlas-admin-cli`): commands and help,
        /// version and format choice, execution, output, profiles.
        #[cfg(feature = "cli")]
        pub use ::atlas_admin_cli as cli_runtime;
        pub use ::atlas_admin_runtime::prelude;
        pub use ::atlas_admin_runtime::{
            ApiError, AttemptInfo, AttemptOutcome, Auth, AuthError, ByteStream, CallOptions,
            CommunicationError, ConfigError, Interceptor, IntoValidated, RateLimit, Response,
            ResponseMeta, RetryPolicy, ServiceAccount, StatusCode, TimeoutKind, Validated,
            ValidationError, ValidationErrorKind, Wait, DEFAULT_BASE_URL,
        };

        /// A client of this API: one method per operation (see
        /// [`operations`]), each returning a request builder; set its inputs,
        /// then `send().await`. Cheap to clone: clones share the connection
        /// pool and the authentication state. It derefs to the
        /// [`runtime::Transport`](crate::runtime::Transport) it wraps.
        #[derive(Debug, Clone)]
        pub struct Client {
            transport: crate::runtime::Transport,
        }

        /// Configures a [`Client`] (credentials, base URL, timeouts, retries).
        pub type ClientBuilder = crate::runtime::TransportBuilder<Client>;

        impl Client {
            /// Starts configuring a client.
            pub fn builder() -> ClientBuilder {
                crate::runtime::TransportBuilder::new()
                    .user_agent(concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")))
            }

            /// A client configured from the environment: a service account
            /// from `MONGODB_ATLAS_CLIENT_ID` and `MONGODB_ATLAS_CLIENT_SECRET`,
            /// else an API key pair from `MONGODB_ATLAS_PUBLIC_API_KEY` and
            /// `MONGODB_ATLAS_PRIVATE_API_KEY` (or `MONGODB_ATLAS_PUBLIC_KEY`
            /// and `MONGODB_ATLAS_PRIVATE_KEY`), and the base URL as `atlas-api`
            /// reads it: `MONGODB_ATLAS_OPS_MANAGER_URL`, else
            /// `MONGODB_ATLAS_BASE_URL`, else the deprecated `ATLAS_BASE_URL`,
            /// else `MONGODB_ATLAS_SERVICE`. Without credentials it is an
            /// error naming the variables.
            pub fn from_env() -> ::std::result::Result<Self, crate::runtime::ConfigError> {
                Self::builder().with_env()?.build()
            }

            /// The transport this client sends through.
            pub fn transport(&self) -> &crate::runtime::Transport {
                &self.transport
            }
        }

        impl ::std::convert::From<crate::runtime::Transport> for Client {
            fn from(transport: crate::runtime::Transport) -> Self {
                Self { transport }
            }
        }

        impl ::std::ops::Deref for Client {
            type Target = crate::runtime::Transport;
            fn deref(&self) -> &crate::runtime::Transport {
                &self.transport
            }
        }

        #[doc = #error_doc]
        pub type Error<E = #error_body> = crate::runtime::Error<E>;

        /// `Result` with the error of this API ([`Error`]) by default.
        pub type Result<T, E = Error> = ::std::result::Result<T, E>;
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
