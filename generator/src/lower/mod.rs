//! Stage 2: lowering a loaded spec into the [`ir`](crate::ir).
//!
//! Component schemas are named before they are converted (so forward and
//! cyclic references work), converted from a work queue (so deep reference
//! chains never deepen the Rust stack), and cycles are broken with `Box` in a
//! separate pass at the end.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::Path;

use indexmap::IndexMap;
use openapiv3::{Discriminator, MediaType, OpenAPI, Parameter, ReferenceOr, RequestBody, Schema};

use crate::diag::{Diagnostic, Failure, Pointer, WarningCode};
use crate::ir::{Api, Example, Feature, Field, Operation, Type, TypeDef, View};
use crate::load::Spec;
use crate::names::{type_name, NameScope};
use crate::pattern::PatternPlan;
pub use crate::rules::VersionPin;
use crate::rules::{self, unescape_token, Scalar};

mod bodies;
mod cycles;
mod directions;
mod docs;
mod features;
mod media;
mod newtype_names;
mod objects;
mod operation;
mod pagination;
mod parameters;
mod schema;
#[cfg(test)]
mod tests;
mod watchers;

/// The result of lowering: the IR and the warnings collected on the way.
#[derive(Debug, Clone)]
pub struct Lowered {
    /// The IR.
    pub api: Api,
    /// Fallbacks taken, patterns not enforced, keywords ignored.
    pub warnings: Vec<Diagnostic>,
}

/// String formats that need no warning: the ones modelled (`date`,
/// `date-time`) and the usual ones that are plain strings in Rust.
const KNOWN_STRING_FORMATS: &[&str] = &[
    "password",
    "byte",
    "binary",
    "email",
    "uri",
    "uri-reference",
    "uuid",
    "hostname",
    "ipv4",
    "ipv6",
    "regex",
    "time",
    "duration",
    "idn-email",
    "idn-hostname",
    "iri",
    "iri-reference",
    "json-pointer",
    "relative-json-pointer",
    "uri-template",
];

/// Longest chain of `$ref`s to `$ref`s followed before giving up.
const MAX_REF_CHAIN: usize = 32;

/// Options of the lowering stage.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Which API version to generate each operation for.
    pub version: VersionPin,
}

/// Lowers `spec` into the IR with default options.
pub fn lower(spec: &Spec) -> Result<Lowered, Failure> {
    lower_with(spec, &Options::default())
}

/// Lowers `spec` into the IR.
pub fn lower_with(spec: &Spec, options: &Options) -> Result<Lowered, Failure> {
    let mut lowerer = Lowerer::new(&spec.file, &spec.api);
    lowerer.out.warnings.extend(spec.warnings.iter().cloned());
    lowerer.version = options.version.clone();
    lowerer.run();
    lowerer.finish()
}

/// A schema position: a `$ref` or an inline schema.
#[derive(Clone, Copy)]
enum SRef<'a> {
    Ref(&'a str),
    Inline(&'a Schema),
}

impl<'a> From<&'a ReferenceOr<Schema>> for SRef<'a> {
    fn from(r: &'a ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SRef::Ref(reference),
            ReferenceOr::Item(s) => SRef::Inline(s),
        }
    }
}

impl<'a> From<&'a ReferenceOr<Box<Schema>>> for SRef<'a> {
    fn from(r: &'a ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SRef::Ref(reference),
            ReferenceOr::Item(s) => SRef::Inline(s),
        }
    }
}

/// What a conversion is for: the name an inline type would get and the
/// field a validated string is named after.
#[derive(Clone)]
struct Ctx {
    hint: String,
    field: String,
    /// Where the value is (names its validated type).
    site: newtype_names::Site,
    /// How many `allOf` aliases were followed to get here.
    depth: usize,
}

/// What a schema becomes.
#[derive(Clone)]
enum Kind<'a> {
    /// A struct (an object with properties, or an `allOf`).
    Struct,
    /// A string enum with these values.
    Enum(Vec<String>),
    /// A union of these members, maybe with a discriminator.
    Union(Vec<SRef<'a>>, Option<&'a Discriminator>),
    /// `allOf` with one member: the member itself.
    Alias(SRef<'a>),
    /// A scalar, list, map or free-form value: no named type.
    Other,
}

/// A struct still to convert.
struct Job<'a> {
    name: String,
    schema: &'a Schema,
    pointer: Pointer,
    view: View,
    /// The type serves both directions (it reads the same in each).
    shared: bool,
    /// Members and discriminator, when the type is a union.
    union: Option<(Vec<SRef<'a>>, Option<&'a Discriminator>)>,
}

/// The component schemas on the way through nested `allOf`s (to find
/// cycles) and all merged so far (each is merged once).
struct AllOfWalk {
    stack: Vec<String>,
    seen: HashSet<String>,
}

/// One property of a (possibly `allOf`-merged) object.
struct Prop<'a> {
    wire: String,
    schema: SRef<'a>,
    pointer: Pointer,
}

/// The lowering of one spec: its input, and its state grouped by role.
/// Each concept's passes are an `impl Lowerer` block of their own, in the
/// file named after it (`schema.rs`, `objects.rs`, `cycles.rs`, ...).
struct Lowerer<'a> {
    /// The spec file (named in diagnostics).
    file: &'a Path,
    /// The spec.
    api: &'a OpenAPI,
    /// Which API version each operation is generated for.
    version: VersionPin,
    /// Names handed out, and the keys that find them again.
    names: Names,
    /// What is known of the component schemas before conversion.
    analysis: Analysis,
    /// What lowering produces.
    out: Output,
    /// Work in progress.
    work: Work<'a>,
}

/// Names handed out, and the keys that find them again.
#[derive(Default)]
struct Names {
    /// Every Rust type name taken.
    type_scope: NameScope,
    /// Rust name of each component schema (by view, when it reads
    /// differently in each direction).
    component_names: BTreeMap<(String, Option<View>), String>,
    /// Rust name of each inline schema, by pointer (and view).
    inline_names: HashMap<(Pointer, Option<View>), String>,
    /// The Rust name reserved for each component schema.
    base_names: BTreeMap<String, String>,
    /// Self-containing list, map or scalar components given a wrapper
    /// type, by (name, view).
    wrappers: BTreeMap<(String, View), String>,
    /// The patterned strings met, by use (its index in `Output::uses`).
    newtype_uses: HashMap<newtype_names::Use, usize>,
    /// The first enum with each list of values (later ones alias it).
    enums_by_values: HashMap<Vec<String>, String>,
}

/// What is known of the component schemas before conversion.
#[derive(Default)]
struct Analysis {
    /// The directions each component is used in.
    directions: BTreeMap<String, BTreeSet<View>>,
    /// Whether each component reads differently when sent and received.
    differs: BTreeMap<String, bool>,
}

/// What lowering produces.
#[derive(Default)]
struct Output {
    types: BTreeMap<String, TypeDef>,
    /// Patterned strings, named once all are known (`newtype_names.rs`).
    uses: Vec<(newtype_names::Use, newtype_names::Recorded)>,
    operations: Vec<Operation>,
    /// The cargo features, planned before operations are lowered.
    features: BTreeMap<String, Feature>,
    examples: BTreeMap<(String, Type), serde_json::Value>,
    warnings: Vec<Diagnostic>,
    errors: Vec<Diagnostic>,
}

/// Work in progress.
struct Work<'a> {
    /// Structs and unions still to convert.
    queue: VecDeque<Job<'a>>,
    /// Components without a named type (lists, maps, scalars) being
    /// converted in place, to catch one that contains itself.
    inlining: Vec<(String, View)>,
    /// How each pattern is enforced (computed once per pattern).
    plans: HashMap<String, PatternPlan>,
    /// Watchers read from operations, resolved once every operation is
    /// lowered: (the watching operation's `operationId`, the watcher, its
    /// pointer).
    watchers: Vec<(String, crate::atlascli::Watcher, Pointer)>,
}

fn components_prefix(kind: &str) -> String {
    format!("#/components/{kind}/")
}

/// Picks the media type to use from a `content` map for API version
/// `version`: that version, else the newest one before it, else the first
/// JSON media type, else the first of any kind.
fn pick_media<'m>(
    content: &'m IndexMap<String, MediaType>,
    version: Option<&str>,
) -> Option<(&'m str, &'m MediaType)> {
    let media = rules::pick_media(content.keys().map(String::as_str), version)?;
    content.get_key_value(media).map(|(k, v)| (k.as_str(), v))
}

/// The IR type of a scalar (see [`rules::scalar`]); a validated string
/// without a usable pattern, or no scalar at all, is a plain `String`.
fn scalar_type(scalar: Option<Scalar>) -> Type {
    match scalar {
        Some(Scalar::DateTime) => Type::DateTime,
        Some(Scalar::Date) => Type::Date,
        Some(Scalar::I64) => Type::I64,
        Some(Scalar::F64) => Type::F64,
        Some(Scalar::Bool) => Type::Bool,
        Some(Scalar::String | Scalar::Validated) | None => Type::String,
    }
}

/// `ty`, or `Option<ty>` when the spec allows `null` there (a JSON value
/// holds `null` already).
fn nullable_if(nullable: bool, ty: Type) -> Type {
    if nullable && ty != Type::Json {
        Type::Nullable(Box::new(ty))
    } else {
        ty
    }
}

/// Whether every field of an object read in `view` may be left out.
fn all_optional(fields: &[Field], view: View) -> bool {
    fields
        .iter()
        .all(|f| !f.required || (view == View::Response && f.nullable))
}

fn non_empty(text: &Option<String>) -> Option<String> {
    text.as_ref()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
}

impl<'a> Lowerer<'a> {
    fn new(file: &'a Path, api: &'a OpenAPI) -> Self {
        Self {
            file,
            api,
            version: VersionPin::Latest,
            names: Names::default(),
            analysis: Analysis::default(),
            out: Output::default(),
            work: Work {
                queue: VecDeque::new(),
                inlining: Vec::new(),
                plans: HashMap::new(),
                watchers: Vec::new(),
            },
        }
    }

    fn warn(&mut self, code: WarningCode, pointer: &Pointer, message: impl Into<String>) {
        self.out
            .warnings
            .push(Diagnostic::warning(self.file, pointer, message).with_code(code));
    }

    fn error(&mut self, pointer: &Pointer, message: impl Into<String>) {
        self.out
            .errors
            .push(Diagnostic::error(self.file, pointer, message));
    }

    fn schemas(&self) -> Option<&'a IndexMap<String, ReferenceOr<Schema>>> {
        self.api.components.as_ref().map(|c| &c.schemas)
    }

    /// Follows a schema `$ref` (and `$ref`s it points to) to a schema.
    fn resolve(&self, reference: &str) -> Result<(&'a str, &'a Schema, Pointer), String> {
        let prefix = components_prefix("schemas");
        let normalised;
        let mut current = reference;
        if !reference.starts_with('#') && !reference.contains('/') {
            normalised = Self::mapping_ref(reference);
            current = &normalised;
        }
        for _ in 0..MAX_REF_CHAIN {
            let Some(name) = current.strip_prefix(&prefix) else {
                return Err(if current.starts_with('#') {
                    format!("`$ref: {current}` does not point into #/components/schemas")
                } else {
                    format!("`$ref: {current}` points outside this file; only local references (`#/components/...`) are supported")
                });
            };
            let found = self
                .schemas()
                .and_then(|s| s.get_key_value(&unescape_token(name)));
            match found {
                Some((key, ReferenceOr::Item(schema))) => {
                    let pointer = Pointer::root().join("components").join("schemas").join(key);
                    return Ok((key.as_str(), schema, pointer));
                }
                Some((_, ReferenceOr::Reference { reference })) => current = reference,
                None => {
                    return Err(format!(
                        "`$ref: {current}` points to a schema that does not exist"
                    ))
                }
            }
        }
        Err(format!(
            "`$ref: {reference}` is a cycle of references that never reaches a schema"
        ))
    }

    fn run(&mut self) {
        self.reserve_component_names();
        self.compute_differs();
        self.compute_directions();
        self.lower_operations();
        self.resolve_watchers();
        while let Some(job) = self.work.queue.pop_front() {
            if job.union.is_some() {
                self.lower_union(job);
            } else {
                self.lower_struct(job);
            }
        }
        self.box_cycles();
        self.assign_tags();
        self.compute_defaults();
    }

    fn finish(mut self) -> Result<Lowered, Failure> {
        if !self.out.errors.is_empty() {
            self.out.errors.sort();
            self.out.errors.dedup();
            let mut diagnostics = self.out.errors;
            diagnostics.extend(self.out.warnings);
            return Err(Failure { diagnostics });
        }
        self.out
            .operations
            .sort_by(|a, b| a.method_name.cmp(&b.method_name));
        self.out.warnings.sort();
        self.out.warnings.dedup();
        let title = self.api.info.title.clone();
        let identity = self.identity();
        let mut api = Api {
            title,
            identity,
            types: self.out.types,
            newtypes: BTreeMap::new(),
            operations: self.out.operations,
            features: std::mem::take(&mut self.out.features),
            type_features: BTreeMap::new(),
            examples: self
                .out
                .examples
                .into_iter()
                .map(|((pointer, ty), value)| Example { pointer, ty, value })
                .collect(),
        };
        newtype_names::name_all(&mut api, &self.out.uses);
        features::assign_type_features(&mut api);
        // Types no operation reaches any more (the discriminator enum of
        // variants that now write their tag themselves) are not generated.
        let reached = std::mem::take(&mut api.type_features);
        api.types.retain(|name, _| reached.contains_key(name));
        api.newtypes.retain(|name, _| reached.contains_key(name));
        api.examples.retain(|e| {
            let mut names = BTreeSet::new();
            Api::referenced_names(&e.ty, &mut names);
            names.iter().all(|n| reached.contains_key(n))
        });
        api.type_features = reached;
        pagination::detect_all(&mut api);
        docs::absolute_doc_links(&mut api);
        Ok(Lowered {
            api,
            warnings: self.out.warnings,
        })
    }

    /// The spec's identity (see [`SpecIdentity`](crate::ir::SpecIdentity)).
    fn identity(&self) -> crate::ir::SpecIdentity {
        let info = &self.api.info;
        let newest_api_version = self
            .out
            .operations
            .iter()
            .flat_map(|op| &op.api_versions)
            .filter(|v| rules::is_date(v))
            .max()
            .cloned();
        crate::ir::SpecIdentity {
            version: info.version.clone(),
            xgen_sha: crate::extensions::xgen_sha(&info.extensions).map(str::to_owned),
            newest_api_version,
        }
    }

    // ----- naming -------------------------------------------------------

    fn reserve_component_names(&mut self) {
        let Some(schemas) = self.schemas() else {
            return;
        };
        let mut by_rust: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for name in schemas.keys() {
            by_rust.entry(type_name(name)).or_default().push(name);
        }
        for (rust, mut names) in by_rust {
            names.sort_unstable();
            if names.len() > 1 {
                let pointer = Pointer::root()
                    .join("components")
                    .join("schemas")
                    .join(names[1]);
                self.warn(WarningCode::Renamed,
                    &pointer,
                    format!(
                        "schema names {} all become the Rust name `{rust}`; later ones are numbered",
                        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            for name in names {
                let taken = self.names.type_scope.take(&rust);
                self.names.base_names.insert(name.to_owned(), taken);
            }
        }
    }

    // ----- operations ----------------------------------------------------

    fn resolve_component<'x, T: 'a>(
        &self,
        item: &'x ReferenceOr<T>,
        kind: &str,
        get: impl Fn(&'a openapiv3::Components) -> &'a IndexMap<String, ReferenceOr<T>>,
    ) -> Option<&'x T>
    where
        'a: 'x,
    {
        let mut current = item;
        for _ in 0..MAX_REF_CHAIN {
            match current {
                ReferenceOr::Item(t) => return Some(t),
                ReferenceOr::Reference { reference } => {
                    let name = reference.strip_prefix(&components_prefix(kind))?;
                    current = get(self.api.components.as_ref()?).get(&unescape_token(name))?;
                }
            }
        }
        None
    }

    fn resolve_parameter<'x>(&self, p: &'x ReferenceOr<Parameter>) -> Option<&'x Parameter>
    where
        'a: 'x,
    {
        self.resolve_component(p, "parameters", |c| &c.parameters)
    }

    fn resolve_body<'x>(&self, b: &'x ReferenceOr<RequestBody>) -> Option<&'x RequestBody>
    where
        'a: 'x,
    {
        self.resolve_component(b, "requestBodies", |c| &c.request_bodies)
    }

    fn resolve_response<'x>(
        &self,
        r: &'x ReferenceOr<openapiv3::Response>,
    ) -> Option<&'x openapiv3::Response>
    where
        'a: 'x,
    {
        self.resolve_component(r, "responses", |c| &c.responses)
    }
}
