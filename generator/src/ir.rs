//! Stage 2: the intermediate representation. Every name is resolved, every
//! `$ref` followed, every type decided; nothing here is a Rust token.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::pattern::PatternPlan;

mod watch;

pub use crate::rules::View;
pub use watch::{WatchArg, WatchExpect, WatchSource, Watcher};

/// A generated API: everything the emitter needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// Title of the spec, for crate docs.
    pub title: String,
    /// Which spec this is (`info.version`, `info.x-xgen-sha`, the newest
    /// API version it offers), for `atlas-api --version` and crate docs.
    pub identity: SpecIdentity,
    /// Named types, keyed (and emitted in order) by Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// Validated string types, keyed by Rust name.
    pub newtypes: BTreeMap<String, Newtype>,
    /// Operations, sorted by Rust method name.
    pub operations: Vec<Operation>,
    /// Cargo features, one per tag, by feature name (`cloud-backups`).
    pub features: BTreeMap<String, Feature>,
    /// For each named type and validated string type, the features whose
    /// operations use it (it is compiled when any of them is on).
    pub type_features: BTreeMap<String, BTreeSet<String>>,
    /// The spec's examples with the type each should decode into (for
    /// round-trip tests of generated code), sorted by place.
    pub examples: Vec<Example>,
}

/// What names the spec a crate was generated from: MongoDB's published
/// spec carries the commit of its sources in `info.x-xgen-sha`, and its
/// newest `application/vnd.atlas.<date>+json` version dates it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpecIdentity {
    /// `info.version` (`2.0`).
    pub version: String,
    /// `info.x-xgen-sha`, when the spec has one.
    pub xgen_sha: Option<String>,
    /// The newest dated API version any operation offers (`2025-03-12`).
    pub newest_api_version: Option<String>,
}

impl SpecIdentity {
    /// One line for `--version` and docs: `spec 2.0, x-xgen-sha f84b8e4,
    /// API versions to 2025-03-12`.
    pub fn summary(&self) -> String {
        let mut out = format!("spec {}", self.version);
        if let Some(sha) = &self.xgen_sha {
            out.push_str(&format!(", x-xgen-sha {sha}"));
        }
        if let Some(date) = &self.newest_api_version {
            out.push_str(&format!(", API versions to {date}"));
        }
        out
    }
}

/// An example value from the spec and the generated type it describes.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// Where the example is (`#/components/schemas/Foo/example`).
    pub pointer: String,
    /// The type it should decode into.
    pub ty: Type,
    /// The example itself.
    pub value: Value,
}

/// A cargo feature: the operations of one tag and the types they use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    /// The tag as the spec spells it (`Cloud Backups`).
    pub tag: String,
    /// The Rust module holding its operations (`cloud_backups`).
    pub module: String,
    /// Optional dependencies it switches on (`regex`, `regress`).
    pub dependencies: BTreeSet<String>,
}

/// One named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    /// An object with known properties.
    Struct(StructDef),
    /// A string enum (with a fallback variant for unknown values).
    Enum(EnumDef),
    /// A `oneOf`/`anyOf`, or a discriminated base schema: one of several types.
    Union(UnionDef),
    /// Another name for an identical enum.
    Alias(AliasDef),
    /// A named wrapper around a list, map or scalar that contains itself.
    Wrapper(WrapperDef),
}

/// A named wrapper around another type (`#[serde(transparent)]`), for a
/// component that contains itself through a list or map.
#[derive(Debug, Clone, PartialEq)]
pub struct WrapperDef {
    /// Rust name.
    pub name: String,
    /// Description.
    pub doc: Option<String>,
    /// The wrapped type.
    pub ty: Type,
}

/// Another name for a type (an enum with the same values as one already
/// defined).
#[derive(Debug, Clone, PartialEq)]
pub struct AliasDef {
    /// Rust name.
    pub name: String,
    /// Description.
    pub doc: Option<String>,
    /// The type it names.
    pub target: String,
}

impl TypeDef {
    /// The Rust name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.name,
            TypeDef::Enum(e) => &e.name,
            TypeDef::Union(u) => &u.name,
            TypeDef::Alias(a) => &a.name,
            TypeDef::Wrapper(w) => &w.name,
        }
    }
}

/// One of several types. With a discriminator the variant is chosen by the
/// value of one property (and an unknown value decodes into the fallback);
/// without, the first variant that decodes wins (and anything else decodes
/// into the fallback).
#[derive(Debug, Clone, PartialEq)]
pub struct UnionDef {
    /// Rust name.
    pub name: String,
    /// Description.
    pub doc: Option<String>,
    /// The discriminator property, for a tagged union.
    pub discriminator: Option<String>,
    /// Variants in spec order.
    pub variants: Vec<UnionVariant>,
    /// Name of the variant that keeps any other value as JSON.
    pub fallback: String,
}

/// One variant of a union.
#[derive(Debug, Clone, PartialEq)]
pub struct UnionVariant {
    /// Rust variant name.
    pub rust: String,
    /// Discriminator values that select it (tagged unions), first one used
    /// when the value itself lacks the property.
    pub tags: Vec<String>,
    /// The variant's type.
    pub ty: Type,
    /// Whether the value is boxed to break a cycle of types.
    pub boxed: bool,
}

/// An object type.
#[derive(Debug, Clone, PartialEq)]
pub struct StructDef {
    /// Rust name.
    pub name: String,
    /// The schema's description.
    pub doc: Option<String>,
    /// Which direction this type is for; `None` when it serves both (it
    /// then reads the same either way and follows the request rules).
    pub view: Option<View>,
    /// Fields in spec order.
    pub fields: Vec<Field>,
    /// Whether every field is optional (a request type then implements
    /// `Default`, and needs no constructor).
    pub all_optional: bool,
    /// Whether the type implements `Default`: a request type when every
    /// field is optional; a type that is received when every field has an
    /// empty value (what a missing required field decodes as). A type that
    /// holds itself through required fields never does.
    pub has_default: bool,
    /// The discriminator value this type stands for, when it is a variant
    /// of tagged unions that all select it by one value: the type then has
    /// no field for the discriminator and writes the value itself.
    pub tag: Option<Tag>,
}

/// A discriminator property and the value a type stands for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Tag {
    /// The property (`cloudProvider`).
    pub property: String,
    /// The value (`AWS`).
    pub value: String,
}

/// One property of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Name on the wire.
    pub wire_name: String,
    /// Rust name (snake case).
    pub rust_name: String,
    /// The value type.
    pub ty: Type,
    /// Whether `required` lists it.
    pub required: bool,
    /// Whether `null` is allowed.
    pub nullable: bool,
    /// Whether the value is boxed to break a cycle of types.
    pub boxed: bool,
    /// Description.
    pub doc: Option<String>,
    /// The property schema's example (for the command line's body
    /// templates).
    pub example: Option<serde_json::Value>,
}

impl Field {
    /// How the field is stored in a type of `view` (`None`: a type serving
    /// both directions, which follows the request rules); see
    /// [`crate::rules::shape`].
    pub fn shape(&self, view: Option<View>) -> crate::rules::Shape {
        crate::rules::shape(self.required, self.nullable, view.unwrap_or(View::Request))
    }
}

/// A string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    /// Rust name.
    pub name: String,
    /// Description.
    pub doc: Option<String>,
    /// Variants in spec order.
    pub variants: Vec<Variant>,
    /// Name of the variant that keeps values the spec does not list.
    pub fallback: String,
}

/// One enum value.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Value on the wire.
    pub wire: String,
    /// Rust variant name.
    pub rust: String,
}

/// A string type whose values match a pattern, validated on construction.
#[derive(Debug, Clone, PartialEq)]
pub struct Newtype {
    /// Rust name.
    pub name: String,
    /// The field or parameter name it was made for (named in errors).
    pub field: String,
    /// The pattern (ECMA-262 source).
    pub pattern: String,
    /// How the pattern is enforced.
    pub plan: PatternPlan,
    /// Description (a parameter's where one has the type, else the first
    /// use's).
    pub doc: Option<String>,
    /// The other validated types with the same pattern (each converts
    /// into this one with `From`, and builders taking this one take them).
    pub same_pattern: Vec<String>,
}

/// A value type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Type {
    /// A string.
    String,
    /// A boolean.
    Bool,
    /// A 64-bit integer.
    I64,
    /// A floating-point number.
    F64,
    /// An RFC 3339 date-time.
    DateTime,
    /// An RFC 3339 full date.
    Date,
    /// Any JSON value.
    Json,
    /// Any JSON object.
    JsonObject,
    /// A named type from [`Api::types`].
    Named(String),
    /// A validated string from [`Api::newtypes`].
    Newtype(String),
    /// A list.
    Vec(Box<Type>),
    /// A map with string keys.
    Map(Box<Type>),
    /// A binary body (`+gzip`, `application/octet-stream`), as bytes.
    Binary,
    /// A text body that is not JSON (`+csv`, `text/plain`), as a string.
    Text,
    /// A value that may be `null` where the spec says `nullable` (list
    /// items, map values): `Option<T>`.
    Nullable(Box<Type>),
    /// A response body the spec declares without a schema: anything,
    /// possibly empty (`Option<serde_json::Value>`, `None` when empty).
    Untyped,
}

impl Type {
    /// Whether a request builder keeps a parameter of this type checked
    /// (`runtime::Checked`: validated strings and lists of them, whose
    /// check is reported when the request is built) rather than as an
    /// `Option`.
    pub fn is_checked_param(&self) -> bool {
        match self {
            Type::Newtype(_) => true,
            Type::Vec(inner) => matches!(**inner, Type::Newtype(_)),
            _ => false,
        }
    }

    /// The named types this type mentions directly (not through a `Vec` or
    /// `Map`, which already allocate).
    pub fn direct_named(&self) -> Option<&str> {
        match self {
            Type::Named(n) => Some(n),
            _ => None,
        }
    }
}

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    /// GET
    Get,
    /// PUT
    Put,
    /// POST
    Post,
    /// DELETE
    Delete,
    /// OPTIONS
    Options,
    /// HEAD
    Head,
    /// PATCH
    Patch,
    /// TRACE
    Trace,
}

impl Method {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ParamLocation {
    /// A path segment.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
}

/// One operation parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name in the spec.
    pub wire_name: String,
    /// Rust name (snake case).
    pub rust_name: String,
    /// Where it goes.
    pub location: ParamLocation,
    /// The value type.
    pub ty: Type,
    /// Whether it must be set.
    pub required: bool,
    /// The spec's default, for docs.
    pub default: Option<Value>,
    /// Description.
    pub doc: Option<String>,
    /// What only the command line reads.
    pub cli: ParamCli,
}

/// What only the command line (`emit/cli.rs`) reads of a parameter: the
/// client's types and builders never depend on it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParamCli {
    /// The spec's example value, for the flag's help text.
    pub example: Option<Value>,
    /// Other names for the parameter's flag
    /// (`x-xgen-atlascli.aliases`: `projectId` for `groupId`).
    pub aliases: Vec<String>,
    /// The flag's help text instead of the description
    /// (`x-xgen-atlascli.override.description`).
    pub help: Option<String>,
}

/// What only the command line (`emit/cli.rs`) reads of an operation.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OperationCli {
    /// The command's short help instead of the summary
    /// (`x-xgen-atlascli.override.description`).
    pub help: Option<String>,
}

/// A part of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathPart {
    /// Literal text.
    Literal(String),
    /// A path parameter, by index into [`Operation::params`].
    Param(usize),
}

/// The request body of an operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Its media type (`Content-Type`).
    pub media_type: String,
    /// Its type.
    pub ty: Type,
    /// Whether it must be sent.
    pub required: bool,
    /// Description.
    pub doc: Option<String>,
}

/// A documented response status.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseCase {
    /// The HTTP status.
    pub status: u16,
    /// The body type, `None` when there is no body.
    pub ty: Option<Type>,
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// The spec's `operationId`.
    pub operation_id: String,
    /// The short name (`x-xgen-operation-id-override`, else the operationId).
    pub short_name: String,
    /// Rust method name on the client (snake case).
    pub method_name: String,
    /// Rust name of the request builder type.
    pub builder_name: String,
    /// The operation's first tag.
    pub tag: Option<String>,
    /// HTTP method.
    pub method: Method,
    /// The path template as in the spec.
    pub path: String,
    /// The path template split into literals and parameters.
    pub path_parts: Vec<PathPart>,
    /// Parameters: path ones first in template order, then the rest in spec order.
    pub params: Vec<Param>,
    /// The body, if any.
    pub body: Option<Body>,
    /// The `Accept` header to send.
    pub accept: String,
    /// Documented success statuses (2xx, 1xx).
    pub success: Vec<ResponseCase>,
    /// The type a success decodes into (all success bodies share it, or JSON).
    pub success_type: Option<Type>,
    /// Some success statuses have no body: the success type is wrapped in an
    /// `Option` (`None` for those statuses).
    pub success_optional: bool,
    /// Documented error statuses.
    pub errors: Vec<u16>,
    /// The type the spec documents for error bodies (every error body is
    /// read into the runtime's tolerant `ApiError`; a named type here is
    /// generated as an alias of it: [`Api::error_body_types`]).
    pub error_type: Type,
    /// Summary line.
    pub summary: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// The operation's page of the API reference (`x-xgen-docs-url`, an
    /// absolute http(s) URL).
    pub docs_url: Option<String>,
    /// Index of the boolean `envelope` query parameter, if the operation has one.
    pub envelope_param: Option<usize>,
    /// The Atlas API version generated (`2023-01-01`, `preview`), if the
    /// operation uses versioned media types.
    pub api_version: Option<String>,
    /// Whether requests carry credentials (`security: []` turns them off).
    pub authenticated: bool,
    /// The cargo feature (one per tag) that compiles this operation.
    pub feature: String,
    /// Every Atlas API version the operation's body and success responses
    /// offer, oldest first (`api_version` is one of them).
    pub api_versions: Vec<String>,
    /// How to walk the pages of a paginated list operation (see
    /// `lower/pagination.rs`).
    pub pagination: Option<Pagination>,
    /// What each of [`Self::api_versions`] offers, in the same order (for
    /// the command line's `--output` and its warnings).
    pub version_media: Vec<VersionMedia>,
    /// How to wait for the operation's effect (`x-xgen-atlascli.watcher`),
    /// resolved against the operation it polls.
    pub watcher: Option<Watcher>,
    /// What only the command line reads.
    pub cli: OperationCli,
}

/// A list operation that returns one page at a time: `pageNum` and
/// `itemsPerPage` query parameters, and a success type with a `results`
/// list (Atlas's `Paginated*` wrappers).
#[derive(Debug, Clone, PartialEq)]
pub struct Pagination {
    /// Index of the `pageNum` parameter in [`Operation::params`].
    pub page_num: usize,
    /// Index of the `itemsPerPage` parameter.
    pub items_per_page: usize,
    /// The spec's default for `itemsPerPage` (what the server uses when the
    /// parameter is not sent).
    pub default_items_per_page: Option<i64>,
    /// The page type (a struct in [`Api::types`]).
    pub page_type: String,
    /// Its `results` field (a list of [`Self::item`]).
    pub results: PageField,
    /// The type of one item.
    pub item: Type,
    /// Its `totalCount` field (an integer), if it has one.
    pub total_count: Option<PageField>,
    /// Its `links` field, if the page carries links.
    pub links: Option<PageLinks>,
}

/// A field of a page type the page walker reads, and how it is stored
/// (required or not, nullable or not, in the page type's view), which is
/// how the walker's code must read it.
#[derive(Debug, Clone, PartialEq)]
pub struct PageField {
    /// Rust name of the field.
    pub rust_name: String,
    /// How it is stored (`T`, `Option<T>`, `Option<Option<T>>`).
    pub shape: crate::rules::Shape,
}

/// The `links` of a page: a list of link objects with a string `rel`.
#[derive(Debug, Clone, PartialEq)]
pub struct PageLinks {
    /// The `links` field.
    pub field: PageField,
    /// Whether the list's items are nullable (`Vec<Option<Link>>`).
    pub nullable_items: bool,
    /// The `rel` field of a link.
    pub rel: PageField,
}

impl Api {
    /// The named types the spec gives error responses (aliases resolved to
    /// the type they name): generated as aliases of the runtime's tolerant
    /// `ApiError`, which every error body is read into, whatever it holds.
    pub fn error_body_types(&self) -> BTreeSet<&str> {
        let mut names = BTreeSet::new();
        for op in &self.operations {
            let Type::Named(name) = &op.error_type else {
                continue;
            };
            let mut name = name.as_str();
            while let Some(TypeDef::Alias(a)) = self.types.get(name) {
                name = &a.target;
            }
            names.insert(name);
        }
        names
    }

    /// The operation `op`'s watcher polls, with the watcher, if it has one.
    pub fn polled<'a>(&'a self, op: &'a Operation) -> Option<(&'a Operation, &'a Watcher)> {
        let watcher = op.watcher.as_ref()?;
        let found = self
            .operations
            .iter()
            .find(|o| o.operation_id == watcher.operation_id)?;
        Some((found, watcher))
    }

    /// Whether a value of `ty` has an empty value (`Default`): what a
    /// missing required field of a received type decodes as.
    pub fn has_default(&self, ty: &Type) -> bool {
        has_default(&self.types, ty)
    }

    /// Every type name a type refers to, for reachability checks.
    pub fn referenced_names(ty: &Type, out: &mut BTreeSet<String>) {
        match ty {
            Type::Named(n) | Type::Newtype(n) => {
                out.insert(n.clone());
            }
            Type::Vec(inner) | Type::Map(inner) | Type::Nullable(inner) => {
                Self::referenced_names(inner, out)
            }
            _ => {}
        }
    }
}

/// One API version of an operation as its versioned media types
/// (`application/vnd.atlas.<version>+<format>`) describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionMedia {
    /// The version (`2023-01-01`, `preview`).
    pub version: String,
    /// The formats of its 2xx response media types (`csv`, `gzip`, `json`),
    /// sorted.
    pub formats: Vec<String>,
    /// The earliest `x-sunset` date (`YYYY-MM-DD`) among its request and 2xx
    /// response media types.
    pub sunset: Option<String>,
    /// Whether one of its media types says `x-xgen-preview: {public: "true"}`.
    pub public_preview: bool,
}

impl Operation {
    /// Whether the success body is decoded from JSON (so that the body of
    /// another API version can be read as plain JSON: `send_json`).
    pub fn decodes_json(&self) -> bool {
        !matches!(self.success_type, Some(Type::Binary) | Some(Type::Text))
    }

    /// The response formats other than JSON that some version of the
    /// operation offers (`csv`, `gzip`), sorted.
    pub fn other_formats(&self) -> BTreeSet<&str> {
        self.version_media
            .iter()
            .flat_map(|v| v.formats.iter().map(String::as_str))
            .filter(|f| *f != "json")
            .collect()
    }
}

/// Whether a value of `ty` has an empty value, given the named `types`
/// (see [`Api::has_default`]; lowering asks it before the `Api` exists).
pub fn has_default(types: &BTreeMap<String, TypeDef>, ty: &Type) -> bool {
    match ty {
        Type::Newtype(_) => false,
        Type::Named(name) => match types.get(name) {
            Some(TypeDef::Struct(s)) => s.has_default,
            Some(TypeDef::Enum(_) | TypeDef::Union(_)) => true,
            Some(TypeDef::Alias(a)) => has_default(types, &Type::Named(a.target.clone())),
            Some(TypeDef::Wrapper(w)) => has_default(types, &w.ty),
            None => false,
        },
        _ => true,
    }
}
