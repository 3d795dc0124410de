//! Stage 2: the intermediate representation. Every name is resolved, every
//! `$ref` followed, every type decided; nothing here is a Rust token.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::pattern::PatternPlan;

/// Which side of the wire a type describes. A schema with `readOnly` or
/// `writeOnly` properties (or anything else that reads differently in each
/// direction) becomes one type per direction it is used in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum View {
    /// Sent by the client: no `readOnly` fields; patterns enforced.
    Request,
    /// Received from the server: no `writeOnly` fields; lenient.
    Response,
}

/// A generated API: everything the emitter needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// Title of the spec, for crate docs.
    pub title: String,
    /// Named types, keyed (and emitted in order) by Rust name.
    pub types: BTreeMap<String, TypeDef>,
    /// Validated string types, keyed by Rust name.
    pub newtypes: BTreeMap<String, Newtype>,
    /// Operations, sorted by Rust method name.
    pub operations: Vec<Operation>,
}

/// One named type.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeDef {
    /// An object with known properties.
    Struct(StructDef),
    /// A string enum (with a fallback variant for unknown values).
    Enum(EnumDef),
}

impl TypeDef {
    /// The Rust name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Struct(s) => &s.name,
            TypeDef::Enum(e) => &e.name,
        }
    }
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
    /// Whether every field is optional (the type then implements `Default`).
    pub all_optional: bool,
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
    /// Description of the first use.
    pub doc: Option<String>,
}

/// A value type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Type {
    /// A string.
    String,
    /// A boolean.
    Bool,
    /// A 32-bit integer (request side of `format: int32`).
    I32,
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
}

impl Type {
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
    /// Documented error statuses.
    pub errors: Vec<u16>,
    /// The type documented error bodies decode into.
    pub error_type: Type,
    /// Summary line.
    pub summary: Option<String>,
    /// Longer description.
    pub description: Option<String>,
    /// Name of the boolean `envelope` query parameter's index, if the operation has one.
    pub envelope_param: Option<usize>,
}

impl Api {
    /// Every type name a type refers to, for reachability checks.
    pub fn referenced_names(ty: &Type, out: &mut BTreeSet<String>) {
        match ty {
            Type::Named(n) | Type::Newtype(n) => {
                out.insert(n.clone());
            }
            Type::Vec(inner) | Type::Map(inner) => Self::referenced_names(inner, out),
            _ => {}
        }
    }
}
