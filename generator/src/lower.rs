//! Stage 2: lowering a loaded spec into the [`ir`](crate::ir).
//!
//! Component schemas are named before they are converted (so forward and
//! cyclic references work), converted from a work queue (so deep reference
//! chains never deepen the Rust stack), and cycles are broken with `Box` in a
//! separate pass at the end.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::Path;

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, Discriminator, MediaType, NumberFormat, OpenAPI, Parameter,
    ParameterSchemaOrContent, ReferenceOr, RequestBody, Schema, SchemaKind, StatusCode,
    StringFormat, Type as OaType, VariantOrUnknownOrEmpty,
};

use crate::diag::{Diagnostic, Failure, Pointer};
use crate::ir::*;
use crate::load::Spec;
use crate::names::{field_name, type_name, NameScope};
use crate::pattern::{self, PatternPlan};

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

/// Which Atlas API version (`application/vnd.atlas.<version>+json`) each
/// operation is generated for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum VersionPin {
    /// The newest stable (dated) version each operation offers.
    #[default]
    Latest,
    /// The newest version no later than this date (`YYYY-MM-DD`); an
    /// operation whose versions are all later gets its oldest one.
    Date(String),
    /// `preview` where an operation offers it, else the newest stable one.
    Preview,
}

impl std::str::FromStr for VersionPin {
    type Err = String;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "latest" => Ok(Self::Latest),
            "preview" => Ok(Self::Preview),
            date if is_date(date) => Ok(Self::Date(date.to_owned())),
            other => Err(format!(
                "API version {other:?}: expected `latest`, `preview` or a date such as 2024-08-05"
            )),
        }
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

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
    lowerer.warnings.extend(spec.warnings.iter().cloned());
    lowerer.version = options.version.clone();
    lowerer.run();
    lowerer.finish()
}

/// The version and format of an Atlas media type:
/// `application/vnd.atlas.2023-01-01+json` is `("2023-01-01", "json")`.
fn atlas_media(media: &str) -> Option<(&str, &str)> {
    let rest = media
        .split(';')
        .next()?
        .trim()
        .strip_prefix("application/vnd.atlas.")?;
    let (version, format) = rest.split_once('+')?;
    (is_date(version) || version == "preview").then_some((version, format))
}

/// How a body with this media type is read.
fn body_kind(media: &str) -> BodyKind {
    let essence = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if is_json_media(&essence) {
        BodyKind::Json
    } else if essence.ends_with("+gzip")
        || essence == "application/gzip"
        || essence == "application/octet-stream"
        || essence.ends_with("+zip")
    {
        BodyKind::Binary
    } else if essence.starts_with("text/") || essence.ends_with("+csv") {
        BodyKind::Text
    } else {
        BodyKind::Binary
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Json,
    Binary,
    Text,
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

struct Lowerer<'a> {
    file: &'a Path,
    api: &'a OpenAPI,
    warnings: Vec<Diagnostic>,
    errors: Vec<Diagnostic>,
    type_scope: NameScope,
    types: BTreeMap<String, TypeDef>,
    component_names: BTreeMap<(String, Option<View>), String>,
    inline_names: HashMap<(Pointer, Option<View>), String>,
    /// Components without a named type (lists, maps, scalars) being
    /// converted in place, to catch one that contains itself.
    inlining: Vec<(String, View)>,
    /// Such self-containing components, given a wrapper type, by (name, view).
    wrappers: BTreeMap<(String, View), String>,
    base_names: BTreeMap<String, String>,
    directions: BTreeMap<String, BTreeSet<View>>,
    differs: BTreeMap<String, bool>,
    queue: VecDeque<Job<'a>>,
    newtypes: BTreeMap<String, Newtype>,
    enums_by_values: HashMap<Vec<String>, String>,
    newtype_keys: HashMap<(String, String), String>,
    plans: HashMap<String, PatternPlan>,
    operations: Vec<Operation>,
    version: VersionPin,
    examples: BTreeMap<(String, Type), serde_json::Value>,
}

fn components_prefix(kind: &str) -> String {
    format!("#/components/{kind}/")
}

fn is_json_media(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json") || essence == "*/*"
}

/// Picks the media type to use from a `content` map for API version
/// `version`: see [`pick_media_type`].
fn pick_media<'m>(
    content: &'m IndexMap<String, MediaType>,
    version: Option<&str>,
) -> Option<(&'m str, &'m MediaType)> {
    let media = pick_media_type(content.keys().map(String::as_str), version)?;
    content.get_key_value(media).map(|(k, v)| (k.as_str(), v))
}

/// Which of the media types a `content` map offers (in the map's order) the
/// generated code uses for API version `version` ([`Operation::api_version`]):
/// that version, else the newest one before it, else the first JSON media
/// type, else the first of any kind. Public so that tests can find the
/// spec's schema behind each generated body.
///
/// [`Operation::api_version`]: crate::ir::Operation::api_version
pub fn pick_media_type<'m>(
    media_types: impl IntoIterator<Item = &'m str>,
    version: Option<&str>,
) -> Option<&'m str> {
    let media_types: Vec<&'m str> = media_types.into_iter().collect();
    let versioned = || {
        let version = version?;
        media_types
            .iter()
            .filter_map(|k| atlas_media(k).map(|(ver, _)| (ver, *k)))
            .filter(|(ver, _)| {
                *ver == version || (is_date(ver) && (version == "preview" || *ver <= version))
            })
            .max_by(|a, b| {
                // The exact version first, then the newest date.
                (a.0 == version, a.0).cmp(&(b.0 == version, b.0))
            })
            .map(|(_, k)| k)
    };
    versioned()
        .or_else(|| media_types.iter().copied().find(|k| is_json_media(k)))
        .or_else(|| media_types.first().copied())
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
            warnings: Vec::new(),
            errors: Vec::new(),
            type_scope: NameScope::default(),
            types: BTreeMap::new(),
            component_names: BTreeMap::new(),
            inline_names: HashMap::new(),
            inlining: Vec::new(),
            wrappers: BTreeMap::new(),
            base_names: BTreeMap::new(),
            directions: BTreeMap::new(),
            differs: BTreeMap::new(),
            queue: VecDeque::new(),
            newtypes: BTreeMap::new(),
            enums_by_values: HashMap::new(),
            newtype_keys: HashMap::new(),
            plans: HashMap::new(),
            operations: Vec::new(),
            version: VersionPin::Latest,
            examples: BTreeMap::new(),
        }
    }

    fn warn(&mut self, code: &'static str, pointer: &Pointer, message: impl Into<String>) {
        self.warnings
            .push(Diagnostic::warning(self.file, pointer, message).with_code(code));
    }

    fn error(&mut self, pointer: &Pointer, message: impl Into<String>) {
        self.errors
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
                .and_then(|s| s.get_key_value(&unescape(name)));
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
        while let Some(job) = self.queue.pop_front() {
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
        if !self.errors.is_empty() {
            self.errors.sort();
            self.errors.dedup();
            let mut diagnostics = self.errors;
            diagnostics.extend(self.warnings);
            return Err(Failure { diagnostics });
        }
        self.operations
            .sort_by(|a, b| a.method_name.cmp(&b.method_name));
        self.warnings.sort();
        self.warnings.dedup();
        let title = self.api.info.title.clone();
        let mut api = Api {
            title,
            types: self.types,
            newtypes: self.newtypes,
            operations: self.operations,
            features: BTreeMap::new(),
            type_features: BTreeMap::new(),
            examples: self
                .examples
                .into_iter()
                .map(|((pointer, ty), value)| Example { pointer, ty, value })
                .collect(),
        };
        assign_features(&mut api);
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
        crate::paginate::detect_all(&mut api);
        Ok(Lowered {
            api,
            warnings: self.warnings,
        })
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
                self.warn("renamed", 
                    &pointer,
                    format!(
                        "schema names {} all become the Rust name `{rust}`; later ones are numbered",
                        names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
            for name in names {
                let taken = self.type_scope.take(&rust);
                self.base_names.insert(name.to_owned(), taken);
            }
        }
    }

    // ----- which schemas read differently per direction ------------------

    /// Direct `$ref`s of a schema and whether it, without following
    /// references, reads differently when sent and when received.
    fn scan(schema: &'a Schema, refs: &mut Vec<&'a str>) -> bool {
        let mut differs = schema.schema_data.read_only || schema.schema_data.write_only;
        let mut nested = false;
        if let Some(d) = &schema.schema_data.discriminator {
            refs.extend(d.mapping.values().map(String::as_str));
        }
        let mut visit = |s: SRef<'a>, refs: &mut Vec<&'a str>| match s {
            SRef::Ref(r) => refs.push(r),
            SRef::Inline(inner) => nested |= Self::scan(inner, refs),
        };
        match &schema.schema_kind {
            SchemaKind::Type(OaType::String(s)) => {
                differs |= s.pattern.is_some();
            }
            SchemaKind::Type(OaType::Object(o)) => {
                for p in o.properties.values() {
                    visit(p.into(), refs);
                }
                if let Some(AdditionalProperties::Schema(s)) = &o.additional_properties {
                    visit(s.as_ref().into(), refs);
                }
            }
            SchemaKind::Type(OaType::Array(a)) => {
                if let Some(items) = &a.items {
                    visit(items.into(), refs);
                }
            }
            SchemaKind::Type(_) => {}
            SchemaKind::OneOf { one_of: list }
            | SchemaKind::AllOf { all_of: list }
            | SchemaKind::AnyOf { any_of: list } => {
                for s in list {
                    visit(s.into(), refs);
                }
            }
            SchemaKind::Not { not } => visit(not.as_ref().into(), refs),
            SchemaKind::Any(any) => {
                differs |= any.pattern.is_some();
                for p in any.properties.values() {
                    visit(p.into(), refs);
                }
                if let Some(items) = &any.items {
                    visit(items.into(), refs);
                }
                if let Some(AdditionalProperties::Schema(s)) = &any.additional_properties {
                    visit(s.as_ref().into(), refs);
                }
                for s in any.one_of.iter().chain(&any.all_of).chain(&any.any_of) {
                    visit(s.into(), refs);
                }
            }
        }
        differs || nested
    }

    fn ref_target_name(&self, reference: &str) -> Option<&'a str> {
        self.resolve(reference).ok().map(|(name, _, _)| name)
    }

    fn compute_differs(&mut self) {
        let Some(schemas) = self.schemas() else {
            return;
        };
        let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        let mut differs: BTreeMap<&str, bool> = BTreeMap::new();
        for (name, schema) in schemas {
            let ReferenceOr::Item(schema) = schema else {
                continue;
            };
            let mut refs = Vec::new();
            let local = Self::scan(schema, &mut refs);
            let targets = refs
                .iter()
                .filter_map(|r| self.ref_target_name(r))
                .collect();
            edges.insert(name, targets);
            differs.insert(name, local);
        }
        // Propagate to a fixed point: a schema differs if anything it uses does.
        let mut changed = true;
        while changed {
            changed = false;
            for (name, targets) in &edges {
                if differs.get(name) == Some(&false)
                    && targets.iter().any(|t| differs.get(t) == Some(&true))
                {
                    differs.insert(name, true);
                    changed = true;
                }
            }
        }
        self.differs = differs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
    }

    fn compute_directions(&mut self) {
        let mut work: Vec<(&'a str, View)> = Vec::new();
        let mut roots: Vec<(SRef<'a>, View)> = Vec::new();
        for (_, item) in self.api.paths.iter() {
            let ReferenceOr::Item(item) = item else {
                continue;
            };
            for (_, op) in item.iter() {
                for p in item.parameters.iter().chain(&op.parameters) {
                    if let Some(ParameterSchemaOrContent::Schema(s)) = self
                        .resolve_parameter(p)
                        .map(|p| &p.parameter_data_ref().format)
                    {
                        roots.push((s.into(), View::Request));
                    }
                }
                if let Some(body) = op.request_body.as_ref().and_then(|b| self.resolve_body(b)) {
                    for media in body.content.values() {
                        if let Some(s) = &media.schema {
                            roots.push((s.into(), View::Request));
                        }
                    }
                }
                for (_, resp) in &op.responses.responses {
                    if let Some(resp) = self.resolve_response(resp) {
                        for media in resp.content.values() {
                            if let Some(s) = &media.schema {
                                roots.push((s.into(), View::Response));
                            }
                        }
                    }
                }
            }
        }
        for (root, view) in roots {
            let mut refs = Vec::new();
            match root {
                SRef::Ref(r) => refs.push(r),
                SRef::Inline(s) => {
                    Self::scan(s, &mut refs);
                }
            }
            work.extend(
                refs.into_iter()
                    .filter_map(|r| self.ref_target_name(r))
                    .map(|n| (n, view)),
            );
        }
        while let Some((name, view)) = work.pop() {
            if !self
                .directions
                .entry(name.to_owned())
                .or_default()
                .insert(view)
            {
                continue;
            }
            if let Ok((_, schema, _)) = self.resolve(&format!(
                "{}{}",
                components_prefix("schemas"),
                crate::diag::escape_token(name)
            )) {
                let mut refs = Vec::new();
                Self::scan(schema, &mut refs);
                work.extend(
                    refs.into_iter()
                        .filter_map(|r| self.ref_target_name(r))
                        .map(|n| (n, view)),
                );
            }
        }
    }

    // ----- schemas -------------------------------------------------------

    /// The members and discriminator of a union schema: a `oneOf`/`anyOf`, or
    /// a base schema whose discriminator maps values to child schemas.
    fn union_parts(schema: &'a Schema) -> Option<(Vec<SRef<'a>>, Option<&'a Discriminator>)> {
        let disc = schema.schema_data.discriminator.as_ref();
        let members: Vec<SRef<'a>> = match &schema.schema_kind {
            SchemaKind::OneOf { one_of: list } | SchemaKind::AnyOf { any_of: list } => {
                list.iter().map(SRef::from).collect()
            }
            SchemaKind::Any(any) if !any.one_of.is_empty() || !any.any_of.is_empty() => any
                .one_of
                .iter()
                .chain(&any.any_of)
                .map(SRef::from)
                .collect(),
            _ => Vec::new(),
        };
        if !members.is_empty() || disc.is_some_and(|d| !d.mapping.is_empty()) {
            Some((members, disc))
        } else {
            None
        }
    }

    /// The single member of an `allOf` that only wraps a reference (often to
    /// add a description), which is then an alias of that member.
    fn all_of_alias(schema: &'a Schema) -> Option<SRef<'a>> {
        match &schema.schema_kind {
            SchemaKind::AllOf { all_of } if all_of.len() == 1 => all_of.first().map(SRef::from),
            _ => None,
        }
    }

    /// String enum values of a schema, or of every member of a union of
    /// string enums (merged, in order, without repeats).
    fn enum_values(&self, schema: &'a Schema) -> Option<Vec<String>> {
        if let SchemaKind::Type(OaType::String(s)) = &schema.schema_kind {
            return (!s.enumeration.is_empty())
                .then(|| s.enumeration.iter().flatten().cloned().collect());
        }
        let (members, disc) = Self::union_parts(schema)?;
        if disc.is_some() || members.is_empty() {
            return None;
        }
        let mut values: Vec<String> = Vec::new();
        for m in members {
            let member = match m {
                SRef::Inline(s) => s,
                SRef::Ref(r) => self.resolve(r).ok()?.1,
            };
            let SchemaKind::Type(OaType::String(st)) = &member.schema_kind else {
                return None;
            };
            if st.enumeration.is_empty() {
                return None;
            }
            for v in st.enumeration.iter().flatten() {
                if !values.contains(v) {
                    values.push(v.clone());
                }
            }
        }
        Some(values)
    }

    fn kind(&self, schema: &'a Schema) -> Kind<'a> {
        if let Some(member) = Self::all_of_alias(schema) {
            return Kind::Alias(member);
        }
        if let Some(values) = self.enum_values(schema) {
            return Kind::Enum(values);
        }
        if let Some((members, disc)) = Self::union_parts(schema) {
            return Kind::Union(members, disc);
        }
        let structish = match &schema.schema_kind {
            SchemaKind::Type(OaType::Object(o)) => !o.properties.is_empty(),
            SchemaKind::AllOf { .. } => true,
            SchemaKind::Any(any) => !any.properties.is_empty() || !any.all_of.is_empty(),
            _ => false,
        };
        if structish {
            Kind::Struct
        } else {
            Kind::Other
        }
    }

    /// The readOnly / writeOnly / nullable flags and description of a
    /// position, looking through a `$ref`.
    fn flags(&self, s: SRef<'a>) -> (bool, bool, bool, Option<String>) {
        let schema = match s {
            SRef::Inline(schema) => Some(schema),
            SRef::Ref(r) => self.resolve(r).ok().map(|(_, schema, _)| schema),
        };
        match schema {
            Some(schema) => {
                let d = &schema.schema_data;
                (
                    d.read_only,
                    d.write_only,
                    d.nullable,
                    non_empty(&d.description),
                )
            }
            None => (false, false, false, None),
        }
    }

    fn convert(&mut self, s: SRef<'a>, pointer: &Pointer, view: View, ctx: &Ctx) -> Type {
        match s {
            SRef::Ref(reference) => match self.resolve(reference) {
                Ok((name, schema, target)) => match self.kind(schema) {
                    Kind::Other => self.convert_component_inline(name, schema, &target, view, ctx),
                    Kind::Alias(member) => {
                        if ctx.depth > MAX_REF_CHAIN {
                            self.error(&target, "`allOf` aliases refer back to themselves");
                            return Type::Json;
                        }
                        let deeper = Ctx {
                            depth: ctx.depth + 1,
                            ..ctx.clone()
                        };
                        self.convert(member, &target.join("allOf").join("0"), view, &deeper)
                    }
                    kind => Type::Named(self.component_type(name, schema, target, view, kind)),
                },
                Err(message) => {
                    self.error(pointer, message);
                    Type::Json
                }
            },
            SRef::Inline(schema) => self.convert_inline(schema, pointer, view, ctx),
        }
    }

    /// Keeps an example and the type it should decode into, except where the
    /// type takes any JSON anyway.
    fn record_example(&mut self, at: &Pointer, ty: &Type, example: Option<&serde_json::Value>) {
        let Some(value) = example else { return };
        if matches!(
            ty,
            Type::Json | Type::JsonObject | Type::Binary | Type::Text
        ) {
            return;
        }
        self.examples
            .insert((at.join("example").to_string(), ty.clone()), value.clone());
    }

    /// A component that is a list, map or scalar is converted in place, unless
    /// it contains itself (`S: {additionalProperties: {$ref: S}}`): then it
    /// becomes a named wrapper type, which gives the recursion a name.
    fn convert_component_inline(
        &mut self,
        name: &str,
        schema: &'a Schema,
        target: &Pointer,
        view: View,
        ctx: &Ctx,
    ) -> Type {
        let key = (name.to_owned(), view);
        if let Some(wrapper) = self.wrappers.get(&key) {
            return Type::Named(wrapper.clone());
        }
        if self.inlining.contains(&key) {
            let base = self
                .base_names
                .get(name)
                .cloned()
                .unwrap_or_else(|| type_name(name));
            let rust =
                if self.wrappers.values().any(|w| *w == base) || self.types.contains_key(&base) {
                    self.type_scope.take(&format!("{base}{view:?}"))
                } else {
                    base
                };
            self.wrappers.insert(key, rust.clone());
            return Type::Named(rust);
        }
        self.inlining.push(key.clone());
        let ty = self.convert_inline(schema, target, view, ctx);
        self.inlining.pop();
        match self.wrappers.get(&key).cloned() {
            Some(wrapper) => {
                self.types.insert(
                    wrapper.clone(),
                    TypeDef::Wrapper(WrapperDef {
                        name: wrapper.clone(),
                        doc: non_empty(&schema.schema_data.description),
                        ty,
                    }),
                );
                Type::Named(wrapper)
            }
            None => ty,
        }
    }

    fn component_type(
        &mut self,
        name: &str,
        schema: &'a Schema,
        pointer: Pointer,
        view: View,
        kind: Kind<'a>,
    ) -> String {
        let enum_like = matches!(kind, Kind::Enum(_));
        let differs = !enum_like && self.differs.get(name).copied().unwrap_or(true);
        let key = (name.to_owned(), differs.then_some(view));
        if let Some(existing) = self.component_names.get(&key) {
            return existing.clone();
        }
        let base = self
            .base_names
            .get(name)
            .cloned()
            .unwrap_or_else(|| type_name(name));
        let both = self.directions.get(name).is_some_and(|d| d.len() > 1);
        let rust = if differs && both && view == View::Request {
            self.type_scope.take(&format!("{base}Request"))
        } else {
            base
        };
        self.component_names.insert(key, rust.clone());
        self.define(rust.clone(), schema, pointer, view, !differs && both, kind);
        rust
    }

    /// Defines the named type `rust` for `schema`: enums at once, structs and
    /// unions through the work queue.
    fn define(
        &mut self,
        rust: String,
        schema: &'a Schema,
        pointer: Pointer,
        view: View,
        shared: bool,
        kind: Kind<'a>,
    ) {
        self.record_example(
            &pointer,
            &Type::Named(rust.clone()),
            schema.schema_data.example.as_ref(),
        );
        match kind {
            Kind::Enum(values) => self.lower_enum(&rust, schema, &pointer, &values),
            Kind::Union(members, disc) => self.queue.push_back(Job {
                name: rust,
                schema,
                pointer,
                view,
                shared,
                union: Some((members, disc)),
            }),
            _ => self.queue.push_back(Job {
                name: rust,
                schema,
                pointer,
                view,
                shared,
                union: None,
            }),
        }
    }

    fn inline_type(
        &mut self,
        schema: &'a Schema,
        pointer: &Pointer,
        view: View,
        hint: &str,
        kind: Kind<'a>,
    ) -> String {
        let enum_like = matches!(kind, Kind::Enum(_));
        let key = (pointer.clone(), (!enum_like).then_some(view));
        if let Some(existing) = self.inline_names.get(&key) {
            return existing.clone();
        }
        let rust = self.type_scope.take(hint);
        self.inline_names.insert(key, rust.clone());
        self.define(rust.clone(), schema, pointer.clone(), view, false, kind);
        rust
    }

    fn convert_inline(
        &mut self,
        schema: &'a Schema,
        pointer: &Pointer,
        view: View,
        ctx: &Ctx,
    ) -> Type {
        match self.kind(schema) {
            Kind::Other => {}
            Kind::Alias(member) => {
                if ctx.depth > MAX_REF_CHAIN {
                    self.error(pointer, "`allOf` aliases refer back to themselves");
                    return Type::Json;
                }
                let deeper = Ctx {
                    depth: ctx.depth + 1,
                    ..ctx.clone()
                };
                return self.convert(member, &pointer.join("allOf").join("0"), view, &deeper);
            }
            kind => return Type::Named(self.inline_type(schema, pointer, view, &ctx.hint, kind)),
        }
        match &schema.schema_kind {
            SchemaKind::Type(OaType::String(s)) => {
                match &s.format {
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => return Type::DateTime,
                    VariantOrUnknownOrEmpty::Item(StringFormat::Date) => return Type::Date,
                    VariantOrUnknownOrEmpty::Unknown(f)
                        if !KNOWN_STRING_FORMATS.contains(&f.as_str()) =>
                    {
                        self.warn(
                            "ignored-keyword",
                            &pointer.join("format"),
                            format!("unknown string format `{f}`: treated as a plain string"),
                        );
                    }
                    _ => {}
                }
                match (&s.pattern, view) {
                    (Some(p), View::Request) => {
                        self.newtype(p, pointer, ctx, &schema.schema_data.description)
                    }
                    _ => Type::String,
                }
            }
            // Every integer is an `i64`, `format: int32` included: Atlas has
            // sent values past `i32::MAX` in fields the spec calls int32, and
            // a wider type never fails to decode them.
            SchemaKind::Type(OaType::Integer(i)) => {
                if let VariantOrUnknownOrEmpty::Unknown(f) = &i.format {
                    self.warn(
                        "ignored-keyword",
                        &pointer.join("format"),
                        format!("unknown integer format `{f}`: treated as a 64-bit integer"),
                    );
                }
                Type::I64
            }
            SchemaKind::Type(OaType::Number(n)) => {
                let _: Option<&NumberFormat> = match &n.format {
                    VariantOrUnknownOrEmpty::Item(f) => Some(f),
                    _ => None,
                };
                Type::F64
            }
            SchemaKind::Type(OaType::Boolean(_)) => Type::Bool,
            SchemaKind::Type(OaType::Array(a)) => match &a.items {
                Some(items) => {
                    let inner_ctx = Ctx {
                        hint: format!("{}Item", ctx.hint),
                        field: ctx.field.clone(),
                        depth: ctx.depth,
                    };
                    let nullable = self.flags(items.into()).2;
                    let item = self.convert(items.into(), &pointer.join("items"), view, &inner_ctx);
                    Type::Vec(Box::new(nullable_if(nullable, item)))
                }
                None => {
                    self.warn("json-fallback", pointer, "`type: array` without `items`: elements are kept as JSON values (`serde_json::Value`)");
                    Type::Vec(Box::new(Type::Json))
                }
            },
            SchemaKind::Type(OaType::Object(o)) => {
                self.map_type(o.additional_properties.as_ref(), pointer, view, ctx)
            }
            SchemaKind::Any(any)
                if matches!(
                    any.typ.as_deref(),
                    Some("integer" | "number" | "string" | "boolean")
                ) =>
            {
                // A scalar with keywords its type does not have (a `pattern`
                // on an integer, say): the keywords are ignored.
                let ty = any.typ.as_deref().unwrap_or_default();
                let ignored: Vec<&str> = [
                    ("pattern", any.pattern.is_some()),
                    ("properties", !any.properties.is_empty()),
                    ("items", any.items.is_some()),
                    ("minLength", any.min_length.is_some()),
                    ("maxLength", any.max_length.is_some()),
                ]
                .into_iter()
                .filter_map(|(k, present)| present.then_some(k))
                .collect();
                if !ignored.is_empty() {
                    self.warn(
                        "ignored-keyword",
                        pointer,
                        format!(
                            "`type: {ty}` with {}: ignored (not enforced)",
                            ignored
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    );
                }
                match ty {
                    "integer" => Type::I64,
                    "number" => Type::F64,
                    "boolean" => Type::Bool,
                    _ => Type::String,
                }
            }
            SchemaKind::Any(any) => {
                if any.items.is_some() {
                    self.warn(
                        "json-fallback",
                        pointer,
                        "`items` without `type: array`: kept as a JSON value",
                    );
                }
                if any.additional_properties.is_some() {
                    return self.map_type(any.additional_properties.as_ref(), pointer, view, ctx);
                }
                if !any.one_of.is_empty() || !any.any_of.is_empty() {
                    self.warn("json-fallback", pointer, "`oneOf`/`anyOf` is not modelled yet: kept as a JSON value (`serde_json::Value`)");
                }
                Type::Json
            }
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::Not { .. } => {
                self.warn("json-fallback", pointer, "`oneOf`/`anyOf`/`not` is not modelled yet: kept as a JSON value (`serde_json::Value`)");
                Type::Json
            }
            SchemaKind::AllOf { .. } => Type::Json,
        }
    }

    fn map_type(
        &mut self,
        additional: Option<&'a AdditionalProperties>,
        pointer: &Pointer,
        view: View,
        ctx: &Ctx,
    ) -> Type {
        match additional {
            Some(AdditionalProperties::Schema(s)) => {
                let inner_ctx = Ctx {
                    hint: format!("{}Value", ctx.hint),
                    field: ctx.field.clone(),
                    depth: ctx.depth,
                };
                let nullable = self.flags(s.as_ref().into()).2;
                let inner = self.convert(
                    s.as_ref().into(),
                    &pointer.join("additionalProperties"),
                    view,
                    &inner_ctx,
                );
                Type::Map(Box::new(nullable_if(nullable, inner)))
            }
            _ => Type::JsonObject,
        }
    }

    fn newtype(
        &mut self,
        pattern: &str,
        pointer: &Pointer,
        ctx: &Ctx,
        doc: &Option<String>,
    ) -> Type {
        let plan = self
            .plans
            .entry(pattern.to_owned())
            .or_insert_with(|| pattern::plan(pattern))
            .clone();
        if let PatternPlan::Invalid { reason } = &plan {
            self.warn(
                "unenforced-pattern",
                pointer,
                format!("pattern `{pattern}` is not enforced: {reason}"),
            );
            return Type::String;
        }
        let key = (ctx.field.clone(), pattern.to_owned());
        if let Some(name) = self.newtype_keys.get(&key) {
            return Type::Newtype(name.clone());
        }
        let name = self.type_scope.take(&type_name(&ctx.field));
        self.newtype_keys.insert(key, name.clone());
        self.newtypes.insert(
            name.clone(),
            Newtype {
                name: name.clone(),
                field: ctx.field.clone(),
                pattern: pattern.to_owned(),
                plan,
                doc: non_empty(doc),
            },
        );
        Type::Newtype(name)
    }

    /// The properties of an object, `allOf` members merged in order.
    fn collect_props(
        &mut self,
        schema: &'a Schema,
        pointer: &Pointer,
        props: &mut Vec<Prop<'a>>,
        required: &mut BTreeSet<String>,
        walk: &mut AllOfWalk,
    ) {
        let (properties, req, all_of) = match &schema.schema_kind {
            SchemaKind::Type(OaType::Object(o)) => (Some(&o.properties), &o.required[..], &[][..]),
            SchemaKind::Any(any) => (Some(&any.properties), &any.required[..], &any.all_of[..]),
            SchemaKind::AllOf { all_of } => (None, &[][..], &all_of[..]),
            _ => {
                self.warn(
                    "ignored-keyword",
                    pointer,
                    "an `allOf` member that is not an object is ignored",
                );
                (None, &[][..], &[][..])
            }
        };
        for (i, member) in all_of.iter().enumerate() {
            let member_ptr = pointer.join("allOf").join(i.to_string());
            match SRef::from(member) {
                SRef::Ref(r) => match self.resolve(r) {
                    Ok((_, s, target)) => {
                        let key = target.to_string();
                        if walk.stack.contains(&key) {
                            let mut chain = walk.stack.clone();
                            chain.push(key);
                            self.error(
                                &member_ptr,
                                format!(
                                    "`allOf` refers back to a schema that includes it: {}",
                                    chain.join(" -> ")
                                ),
                            );
                        } else if walk.seen.insert(key.clone()) {
                            // Each schema is merged once, however many
                            // paths lead to it.
                            walk.stack.push(key);
                            self.collect_props(s, &target, props, required, walk);
                            walk.stack.pop();
                        }
                    }
                    Err(message) => self.error(&member_ptr, message),
                },
                SRef::Inline(s) => self.collect_props(s, &member_ptr, props, required, walk),
            }
        }
        if let Some(properties) = properties {
            for (wire, schema) in properties {
                let prop_ptr = pointer.join("properties").join(wire);
                if let Some(existing) = props.iter_mut().find(|p| &p.wire == wire) {
                    existing.schema = schema.into();
                    existing.pointer = prop_ptr;
                } else {
                    props.push(Prop {
                        wire: wire.clone(),
                        schema: schema.into(),
                        pointer: prop_ptr,
                    });
                }
            }
        }
        for name in req {
            if properties.is_some_and(|p| !p.contains_key(name))
                && !props.iter().any(|p| &p.wire == name)
            {
                self.warn(
                    "ignored-keyword",
                    &pointer.join("required"),
                    format!(
                        "`{name}` is listed in `required` but not defined in `properties`; ignored"
                    ),
                );
            }
            required.insert(name.clone());
        }
    }

    fn lower_struct(&mut self, job: Job<'a>) {
        let mut props = Vec::new();
        let mut required = BTreeSet::new();
        let mut walk = AllOfWalk {
            stack: vec![job.pointer.to_string()],
            seen: HashSet::from([job.pointer.to_string()]),
        };
        self.collect_props(
            job.schema,
            &job.pointer,
            &mut props,
            &mut required,
            &mut walk,
        );
        let mut scope = NameScope::default();
        let mut fields = Vec::new();
        for prop in props {
            let (read_only, write_only, nullable, doc) = self.flags(prop.schema);
            let skip = match job.view {
                View::Request => read_only,
                View::Response => write_only,
            };
            if skip {
                continue;
            }
            let rust_name = field_name(&prop.wire);
            if scope.contains(&rust_name) {
                self.warn("renamed", 
                    &prop.pointer,
                    format!("property `{}` becomes the Rust field `{rust_name}`, which another property already has; it is numbered", prop.wire),
                );
            }
            let rust_name = scope.take(&rust_name);
            let ctx = Ctx {
                hint: format!("{}{}", job.name, type_name(&prop.wire)),
                field: prop.wire.clone(),
                depth: 0,
            };
            let ty = self.convert(prop.schema, &prop.pointer, job.view, &ctx);
            if let SRef::Inline(schema) = prop.schema {
                self.record_example(&prop.pointer, &ty, schema.schema_data.example.as_ref());
            }
            fields.push(Field {
                required: required.contains(&prop.wire),
                wire_name: prop.wire,
                rust_name,
                ty,
                nullable,
                boxed: false,
                doc,
            });
        }
        let all_optional = all_optional(&fields, job.view);
        self.types.insert(
            job.name.clone(),
            TypeDef::Struct(StructDef {
                name: job.name,
                doc: non_empty(&job.schema.schema_data.description)
                    .or_else(|| non_empty(&job.schema.schema_data.title)),
                view: (!job.shared).then_some(job.view),
                fields,
                all_optional,
                has_default: false,
                tag: None,
            }),
        );
    }

    /// Normalises a discriminator mapping target (a `$ref` or a bare schema
    /// name) to a `$ref`.
    fn mapping_ref(target: &str) -> String {
        if target.starts_with('#') || target.contains('/') {
            target.to_owned()
        } else {
            format!(
                "{}{}",
                components_prefix("schemas"),
                crate::diag::escape_token(target)
            )
        }
    }

    fn lower_union(&mut self, job: Job<'a>) {
        let Some((members, disc)) = job.union.clone() else {
            return;
        };
        let mut scope = NameScope::default();
        let mut variants: Vec<UnionVariant> = Vec::new();
        // Targets by normalised `$ref`, with the discriminator values that select them.
        let mut tags_by_target: Vec<(String, &'a str, Vec<String>)> = Vec::new();
        if let Some(d) = disc {
            for (tag, target) in &d.mapping {
                let normal = Self::mapping_ref(target);
                match tags_by_target.iter_mut().find(|(t, _, _)| *t == normal) {
                    Some((_, _, tags)) => tags.push(tag.clone()),
                    None => tags_by_target.push((normal, target.as_str(), vec![tag.clone()])),
                }
            }
        }
        // Members in `oneOf` order, then mapping targets not listed there.
        let mut ordered: Vec<(SRef<'a>, Pointer, Vec<String>)> = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let ptr = job.pointer.join("oneOf").join(i.to_string());
            let tags = match m {
                SRef::Ref(r) => {
                    let normal = Self::mapping_ref(r);
                    match tags_by_target.iter().position(|(t, _, _)| *t == normal) {
                        Some(pos) => tags_by_target.remove(pos).2,
                        None if disc.is_some() => {
                            // Implicit mapping: the schema name is the value.
                            vec![r.rsplit('/').next().unwrap_or(r).to_owned()]
                        }
                        None => Vec::new(),
                    }
                }
                SRef::Inline(_) => Vec::new(),
            };
            ordered.push((*m, ptr, tags));
        }
        let mapping_ptr = job.pointer.join("discriminator").join("mapping");
        for (_, original, tags) in tags_by_target {
            let first = tags.first().cloned().unwrap_or_default();
            match self.resolve(original) {
                Ok(_) => ordered.push((SRef::Ref(original), mapping_ptr.join(&first), tags)),
                Err(message) => self.error(
                    &mapping_ptr.join(&first),
                    format!("discriminator mapping: {message}"),
                ),
            }
        }
        for (i, (member, ptr, tags)) in ordered.into_iter().enumerate() {
            let target_name = match member {
                SRef::Ref(r) => self.resolve(r).ok().map(|(n, _, _)| n),
                SRef::Inline(_) => None,
            };
            let rust = match (tags.as_slice(), target_name) {
                ([one], _) => type_name(one),
                (_, Some(n)) => type_name(n),
                _ => format!("Variant{}", i + 1),
            };
            let rust = scope.take(&rust);
            // A mapping back to the union itself means "the base fields only".
            let self_target = target_name.is_some_and(|n| {
                job.pointer == Pointer::root().join("components").join("schemas").join(n)
            });
            let ty = if self_target {
                let fields_name = self.type_scope.take(&format!("{}Fields", job.name));
                self.queue.push_back(Job {
                    name: fields_name.clone(),
                    schema: job.schema,
                    pointer: job.pointer.clone(),
                    view: job.view,
                    shared: job.shared,
                    union: None,
                });
                Type::Named(fields_name)
            } else {
                let ctx = Ctx {
                    hint: format!("{}{}", job.name, rust),
                    field: rust.clone(),
                    depth: 0,
                };
                self.convert(member, &ptr, job.view, &ctx)
            };
            variants.push(UnionVariant {
                rust,
                tags,
                ty,
                boxed: false,
            });
        }
        let fallback = scope.take("Unknown");
        self.types.insert(
            job.name.clone(),
            TypeDef::Union(UnionDef {
                name: job.name,
                doc: non_empty(&job.schema.schema_data.description),
                discriminator: disc.map(|d| d.property_name.clone()),
                variants,
                fallback,
            }),
        );
    }

    fn lower_enum(&mut self, name: &str, schema: &'a Schema, pointer: &Pointer, values: &[String]) {
        // Enums with the same values (the spec repeats many inline) share one
        // definition; later ones become aliases of the first.
        if let Some(target) = self.enums_by_values.get(values) {
            let target = target.clone();
            self.types.insert(
                name.to_owned(),
                TypeDef::Alias(AliasDef {
                    name: name.to_owned(),
                    doc: non_empty(&schema.schema_data.description),
                    target,
                }),
            );
            return;
        }
        self.enums_by_values
            .insert(values.to_vec(), name.to_owned());
        let mut scope = NameScope::default();
        let mut variants = Vec::new();
        let mut seen = BTreeSet::new();
        for value in values {
            if !seen.insert(value.as_str()) {
                self.warn(
                    "ignored-keyword",
                    pointer,
                    format!("enum value {value:?} is listed twice; kept once"),
                );
                continue;
            }
            let rust = type_name(value);
            if scope.contains(&rust) {
                self.warn("renamed", 
                    pointer,
                    format!("enum value {value:?} becomes the Rust variant `{rust}`, which another value already has; it is numbered"),
                );
            }
            variants.push(Variant {
                wire: value.clone(),
                rust: scope.take(&rust),
            });
        }
        let fallback = scope.take("Unknown");
        self.types.insert(
            name.to_owned(),
            TypeDef::Enum(EnumDef {
                name: name.to_owned(),
                doc: non_empty(&schema.schema_data.description),
                variants,
                fallback,
            }),
        );
    }

    /// Boxes every field or union variant whose type leads back to the type
    /// holding it without a `Vec` or map in between.
    fn box_cycles(&mut self) {
        let direct = |def: &TypeDef| -> Vec<String> {
            match def {
                TypeDef::Struct(s) => s
                    .fields
                    .iter()
                    .filter_map(|f| f.ty.direct_named().map(str::to_owned))
                    .collect(),
                TypeDef::Union(u) => u
                    .variants
                    .iter()
                    .filter_map(|v| v.ty.direct_named().map(str::to_owned))
                    .collect(),
                TypeDef::Enum(_) | TypeDef::Alias(_) | TypeDef::Wrapper(_) => Vec::new(),
            }
        };
        let edges: BTreeMap<String, Vec<String>> = self
            .types
            .iter()
            .map(|(name, def)| (name.clone(), direct(def)))
            .collect();
        // A field leads back to its holder exactly when both are in the same
        // strongly connected component of the "holds directly" graph.
        let component = strongly_connected(&edges);
        let reaches = |from: &str, to: &str| -> bool {
            matches!((component.get(from), component.get(to)), (Some(a), Some(b)) if a == b)
        };
        let mut to_box: Vec<(String, usize)> = Vec::new();
        for name in edges.keys() {
            let Some(def) = self.types.get(name) else {
                continue;
            };
            let tys: Vec<&Type> = match def {
                TypeDef::Struct(s) => s.fields.iter().map(|f| &f.ty).collect(),
                TypeDef::Union(u) => u.variants.iter().map(|v| &v.ty).collect(),
                TypeDef::Enum(_) | TypeDef::Alias(_) | TypeDef::Wrapper(_) => Vec::new(),
            };
            for (i, ty) in tys.iter().enumerate() {
                if let Some(target) = ty.direct_named() {
                    if reaches(target, name) {
                        to_box.push((name.clone(), i));
                    }
                }
            }
        }
        for (name, i) in to_box {
            match self.types.get_mut(&name) {
                Some(TypeDef::Struct(s)) => {
                    if let Some(f) = s.fields.get_mut(i) {
                        f.boxed = true;
                    }
                }
                Some(TypeDef::Union(u)) => {
                    if let Some(v) = u.variants.get_mut(i) {
                        v.boxed = true;
                    }
                }
                _ => {}
            }
        }
    }

    /// Gives each object type that tagged unions select by exactly one
    /// discriminator value that value: the type drops its field for the
    /// discriminator and writes the value itself, so a variant can only
    /// ever send the tag it stands for.
    fn assign_tags(&mut self) {
        let mut tags: BTreeMap<String, BTreeSet<Tag>> = BTreeMap::new();
        for def in self.types.values() {
            let TypeDef::Union(u) = def else { continue };
            let Some(property) = &u.discriminator else {
                continue;
            };
            for v in &u.variants {
                let Type::Named(name) = &v.ty else { continue };
                let entry = tags.entry(name.clone()).or_default();
                for value in &v.tags {
                    entry.insert(Tag {
                        property: property.clone(),
                        value: value.clone(),
                    });
                }
                if v.tags.is_empty() {
                    // Selected by no value: it keeps its own field.
                    entry.insert(Tag {
                        property: property.clone(),
                        value: String::new(),
                    });
                }
            }
        }
        for (name, set) in tags {
            let mut set = set.into_iter();
            let (Some(tag), None) = (set.next(), set.next()) else {
                continue;
            };
            if tag.value.is_empty() {
                continue;
            }
            if let Some(TypeDef::Struct(s)) = self.types.get_mut(&name) {
                s.fields.retain(|f| f.wire_name != tag.property);
                s.all_optional = all_optional(&s.fields, s.view.unwrap_or(View::Request));
                s.tag = Some(tag);
            }
        }
    }

    /// Works out which object types implement `Default` (see
    /// [`StructDef::has_default`]): the least fixed point, so a type that
    /// holds itself through required fields never does (its default would
    /// never end).
    fn compute_defaults(&mut self) {
        let mut api = Api {
            title: String::new(),
            types: std::mem::take(&mut self.types),
            newtypes: BTreeMap::new(),
            operations: Vec::new(),
            features: BTreeMap::new(),
            type_features: BTreeMap::new(),
            examples: Vec::new(),
        };
        loop {
            let ready: Vec<String> = api
                .types
                .iter()
                .filter_map(|(name, def)| match def {
                    TypeDef::Struct(s) if !s.has_default => {
                        let received = s.view != Some(View::Request);
                        let ready = if received {
                            s.fields
                                .iter()
                                .all(|f| !(f.required && !f.nullable) || api.has_default(&f.ty))
                        } else {
                            s.all_optional
                        };
                        ready.then(|| name.clone())
                    }
                    _ => None,
                })
                .collect();
            if ready.is_empty() {
                break;
            }
            for name in ready {
                if let Some(TypeDef::Struct(s)) = api.types.get_mut(&name) {
                    s.has_default = true;
                }
            }
        }
        self.types = api.types;
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
                    current = get(self.api.components.as_ref()?).get(&unescape(name))?;
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

    fn lower_operations(&mut self) {
        let api = self.api;
        let mut method_scope =
            NameScope::with_reserved(["builder", "base_url", "clone", "execute"]);
        // Builders live beside the names an operations module imports and
        // the prelude names its code uses.
        let mut builder_scope = NameScope::with_reserved([
            "ApiRequest",
            "Client",
            "Error",
            "Response",
            "Option",
            "Some",
            "None",
            "Result",
            "Ok",
            "Err",
            "String",
            "Vec",
            "Box",
        ]);
        let mut seen_ids: BTreeMap<String, Pointer> = BTreeMap::new();
        let mut ops: Vec<(
            String,
            &'a str,
            &'a openapiv3::PathItem,
            &'a str,
            &'a openapiv3::Operation,
        )> = Vec::new();
        for (path, item) in api.paths.iter() {
            let path_ptr = Pointer::root().join("paths").join(path);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { reference } => {
                    self.error(
                        &path_ptr,
                        format!(
                            "path item `$ref: {reference}` is not supported; inline the path item"
                        ),
                    );
                    continue;
                }
            };
            for (method, op) in item.iter() {
                let sort_key = op.operation_id.clone().unwrap_or_default();
                ops.push((sort_key, path, item, method, op));
            }
        }
        // Names are handed out in operationId order so they do not depend on
        // the order of paths in the file.
        ops.sort_by(|a, b| (&a.0, a.1, a.3).cmp(&(&b.0, b.1, b.3)));
        for (_, path, item, method, op) in ops {
            let pointer = Pointer::root().join("paths").join(path).join(method);
            let Some(operation_id) = op.operation_id.clone() else {
                self.error(
                    &pointer,
                    "operation has no `operationId`; every operation needs one to be named",
                );
                continue;
            };
            if let Some(first) = seen_ids.get(&operation_id) {
                let first = first.clone();
                self.error(
                    &pointer.join("operationId"),
                    format!("duplicate operationId `{operation_id}` (first used at {first})"),
                );
                continue;
            }
            seen_ids.insert(operation_id.clone(), pointer.clone());
            let short_name = op
                .extensions
                .get("x-xgen-operation-id-override")
                .and_then(|v| v.as_str())
                .unwrap_or(&operation_id)
                .to_owned();
            let mut method_name = field_name(&short_name);
            if method_scope.contains(&method_name) && short_name != operation_id {
                let long = field_name(&operation_id);
                self.warn("renamed", &pointer, format!("operation name `{short_name}` becomes `{method_name}`, which another operation already has; using `{long}` from the operationId"));
                method_name = long;
            }
            if method_scope.contains(&method_name) {
                self.error(&pointer.join("operationId"), format!("operationId `{operation_id}` becomes the Rust name `{method_name}`, which another operation already has"));
                continue;
            }
            let method_name = method_scope.take(&method_name);
            let builder_name = builder_scope.take(&type_name(&method_name));
            let lowered = self.lower_operation(OpInput {
                pointer,
                path,
                item,
                method,
                op,
                operation_id,
                short_name,
                method_name,
                builder_name,
            });
            if let Some(lowered) = lowered {
                self.operations.push(lowered);
            }
        }
    }

    fn lower_operation(&mut self, input: OpInput<'a>) -> Option<Operation> {
        let OpInput {
            pointer,
            path,
            item,
            method,
            op,
            operation_id,
            short_name,
            method_name,
            builder_name,
        } = input;
        let method = match method {
            "get" => Method::Get,
            "put" => Method::Put,
            "post" => Method::Post,
            "delete" => Method::Delete,
            "options" => Method::Options,
            "head" => Method::Head,
            "patch" => Method::Patch,
            _ => Method::Trace,
        };
        // Parameters: operation-level ones override path-level ones.
        let mut merged: Vec<(&'a Parameter, Pointer)> = Vec::new();
        let path_item_ptr = Pointer::root().join("paths").join(path);
        let sources = item
            .parameters
            .iter()
            .enumerate()
            .map(|(i, p)| (p, path_item_ptr.join("parameters").join(i.to_string())))
            .chain(
                op.parameters
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p, pointer.join("parameters").join(i.to_string()))),
            );
        for (p, ptr) in sources {
            let Some(param) = self.resolve_parameter(p) else {
                let what = match p {
                    ReferenceOr::Reference { reference } => format!("`$ref: {reference}` does not point to a parameter in #/components/parameters"),
                    ReferenceOr::Item(_) => "unresolvable parameter".to_owned(),
                };
                self.error(&ptr, what);
                continue;
            };
            let data = param.parameter_data_ref();
            let same = |q: &&(&Parameter, Pointer)| {
                q.0.parameter_data_ref().name == data.name
                    && std::mem::discriminant(q.0) == std::mem::discriminant(param)
            };
            if let Some(pos) = merged.iter().position(|q| same(&q)) {
                merged[pos] = (param, ptr);
            } else {
                merged.push((param, ptr));
            }
        }
        // The path template.
        let mut parts_raw: Vec<Result<String, String>> = Vec::new();
        let mut rest = path;
        while let Some(open) = rest.find('{') {
            let Some(close_rel) = rest[open..].find('}') else {
                self.error(
                    &path_item_ptr,
                    format!("path template `{path}` has an unclosed `{{`"),
                );
                return None;
            };
            if open > 0 {
                parts_raw.push(Ok(rest[..open].to_owned()));
            }
            parts_raw.push(Err(rest[open + 1..open + close_rel].to_owned()));
            rest = &rest[open + close_rel + 1..];
        }
        if !rest.is_empty() {
            parts_raw.push(Ok(rest.to_owned()));
        }
        let template_vars: Vec<&String> =
            parts_raw.iter().filter_map(|p| p.as_ref().err()).collect();
        let mut params = Vec::new();
        let mut param_scope = NameScope::with_reserved([
            "body",
            "client",
            "send",
            "request",
            "raw",
            "unwrap_envelope",
            "new",
            // Builder methods every operation may get (see `paginate` and `emit_cli`).
            "api_version",
            "raw_body",
            "send_json",
            "into_request",
            "pages",
            "stream",
        ]);
        let mut ordered: Vec<(&'a Parameter, Pointer)> = Vec::new();
        for var in &template_vars {
            match merged.iter().find(|(p, _)| {
                matches!(p, Parameter::Path { .. }) && &&p.parameter_data_ref().name == var
            }) {
                Some(found) => ordered.push(found.clone()),
                None => {
                    self.error(
                        &path_item_ptr,
                        format!("path template variable `{{{var}}}` has no `in: path` parameter"),
                    );
                    return None;
                }
            }
        }
        for (p, ptr) in &merged {
            match p {
                Parameter::Path { parameter_data, .. } => {
                    if !template_vars.iter().any(|v| **v == parameter_data.name) {
                        self.error(
                            ptr,
                            format!(
                                "path parameter `{}` does not appear in the path `{path}`",
                                parameter_data.name
                            ),
                        );
                        return None;
                    }
                }
                Parameter::Cookie { parameter_data, .. } => {
                    self.warn(
                        "ignored-keyword",
                        ptr,
                        format!(
                            "cookie parameter `{}` is not supported; not sent",
                            parameter_data.name
                        ),
                    );
                }
                _ => ordered.push((p, ptr.clone())),
            }
        }
        for (p, ptr) in ordered {
            let data = p.parameter_data_ref();
            let location = match p {
                Parameter::Path { .. } => ParamLocation::Path,
                Parameter::Header { .. } => ParamLocation::Header,
                _ => ParamLocation::Query,
            };
            let ctx = Ctx {
                hint: format!("{builder_name}{}", type_name(&data.name)),
                field: data.name.clone(),
                depth: 0,
            };
            let (ty, default, example) = match &data.format {
                ParameterSchemaOrContent::Schema(s) => {
                    let (default, example) = match s {
                        ReferenceOr::Item(schema) => (
                            schema.schema_data.default.clone(),
                            schema
                                .schema_data
                                .example
                                .clone()
                                .or_else(|| data.example.clone()),
                        ),
                        ReferenceOr::Reference { .. } => (None, data.example.clone()),
                    };
                    (
                        self.convert(s.into(), &ptr.join("schema"), View::Request, &ctx),
                        default,
                        example,
                    )
                }
                ParameterSchemaOrContent::Content(_) => {
                    self.warn(
                        "json-fallback",
                        &ptr,
                        "a parameter with `content` instead of `schema` is sent as a JSON string",
                    );
                    (Type::Json, None, data.example.clone())
                }
            };
            let required = data.required || location == ParamLocation::Path;
            params.push(Param {
                rust_name: param_scope.take(&field_name(&data.name)),
                wire_name: data.name.clone(),
                location,
                ty,
                required,
                default,
                example,
                doc: non_empty(&data.description),
            });
        }
        let path_parts = parts_raw
            .into_iter()
            .map(|p| match p {
                Ok(lit) => PathPart::Literal(lit),
                Err(var) => PathPart::Param(
                    params
                        .iter()
                        .position(|q| q.location == ParamLocation::Path && q.wire_name == var)
                        .unwrap_or(0),
                ),
            })
            .collect();
        // The API version: chosen once for the whole operation.
        let api_version = self.choose_version(op);
        let version = api_version.as_deref();
        // Body.
        let mut body = None;
        if let Some(rb) = &op.request_body {
            let body_ptr = pointer.join("requestBody");
            match self.resolve_body(rb) {
                None => self.error(
                    &body_ptr,
                    "`$ref` does not point to a request body in #/components/requestBodies",
                ),
                Some(rb) => match pick_media(&rb.content, version) {
                    Some((media, mt)) if body_kind(media) == BodyKind::Json => {
                        let ctx = Ctx {
                            hint: format!("{builder_name}Body"),
                            field: "body".to_owned(),
                            depth: 0,
                        };
                        let media_ptr = body_ptr.join("content").join(media).join("schema");
                        let ty = match &mt.schema {
                            Some(s) => self.convert(s.into(), &media_ptr, View::Request, &ctx),
                            None => Type::Json,
                        };
                        body = Some(Body {
                            media_type: media.to_owned(),
                            ty,
                            required: rb.required,
                            doc: non_empty(&rb.description),
                        });
                    }
                    _ => {
                        self.warn("ignored-keyword", &body_ptr.join("content"), "no JSON media type in the request body; the operation is generated without a body");
                    }
                },
            }
        }
        // Responses.
        let mut success = Vec::new();
        let mut errors = Vec::new();
        let mut error_types = BTreeSet::new();
        let mut accept: Option<String> = None;
        for (status, resp) in &op.responses.responses {
            let resp_ptr = pointer.join("responses").join(status.to_string());
            let StatusCode::Code(code) = status else {
                self.warn("ignored-keyword", &resp_ptr, format!("status range `{status}` is not modelled; such responses are reported as undocumented"));
                continue;
            };
            let Some(resp) = self.resolve_response(resp) else {
                self.error(
                    &resp_ptr,
                    "`$ref` does not point to a response in #/components/responses",
                );
                continue;
            };
            let ty = match pick_media(&resp.content, version) {
                Some((media, _)) if body_kind(media) != BodyKind::Json => {
                    if (200..300).contains(code) && accept.is_none() {
                        accept = Some(media.to_owned());
                    }
                    Some(match body_kind(media) {
                        BodyKind::Text => Type::Text,
                        _ => Type::Binary,
                    })
                }
                Some((media, mt)) => {
                    let is_success = (200..300).contains(code);
                    if is_success && accept.is_none() {
                        accept = Some(media.to_owned());
                    }
                    let ctx = Ctx {
                        hint: format!("{builder_name}Response{code}"),
                        field: "body".to_owned(),
                        depth: 0,
                    };
                    let media_ptr = resp_ptr.join("content").join(media).join("schema");
                    match &mt.schema {
                        Some(s) => {
                            let ty = self.convert(s.into(), &media_ptr, View::Response, &ctx);
                            let example_ptr = resp_ptr.join("content").join(media);
                            self.record_example(&example_ptr, &ty, mt.example.as_ref());
                            Some(ty)
                        }
                        // A 204 names its media type but has no body (Atlas's deletes).
                        None if *code == 204 => None,
                        // Content without a schema: a success may carry
                        // anything, or nothing (Atlas's 202s).
                        None if (200..300).contains(code) => Some(Type::Untyped),
                        None => Some(Type::Json),
                    }
                }
                None => None,
            };
            if (100..300).contains(code) {
                success.push(ResponseCase { status: *code, ty });
            } else {
                if let Some(t) = ty {
                    error_types.insert(t);
                }
                errors.push(*code);
            }
        }
        // Statuses without a schema beside ones with a schema: the typed
        // body is decoded where the spec gives one, `None` elsewhere.
        if success
            .iter()
            .any(|c| c.ty.as_ref().is_some_and(|t| *t != Type::Untyped))
        {
            for case in &mut success {
                if case.ty == Some(Type::Untyped) {
                    case.ty = None;
                }
            }
        }
        // Some success statuses with a body and some without (`200` with a
        // report, `102` while it is prepared): the body is an `Option`.
        let success_optional =
            success.iter().any(|c| c.ty.is_some()) && success.iter().any(|c| c.ty.is_none());
        let success_types: BTreeSet<&Type> = success.iter().filter_map(|c| c.ty.as_ref()).collect();
        let success_type = match success_types.len() {
            0 => None,
            1 => success_types.into_iter().next().cloned(),
            _ => {
                self.warn(
                    "json-fallback",
                    &pointer.join("responses"),
                    "success statuses have different body types; decoded as JSON values",
                );
                Some(Type::Json)
            }
        };
        // Binary, text and untyped bodies read an empty body as empty, not
        // as missing.
        let success_optional = success_optional
            && !matches!(
                success_type,
                Some(Type::Binary | Type::Text | Type::Untyped)
            );
        let error_type = if error_types.len() == 1 {
            error_types.into_iter().next().unwrap_or(Type::Json)
        } else {
            Type::Json
        };
        let accept = accept
            .or_else(|| body.as_ref().map(|b| b.media_type.clone()))
            .unwrap_or_else(|| "application/json".to_owned());
        let envelope_param = params.iter().position(|p| {
            p.wire_name == "envelope" && p.location == ParamLocation::Query && p.ty == Type::Bool
        });
        Some(Operation {
            operation_id,
            short_name,
            method_name,
            builder_name,
            tag: op.tags.first().cloned(),
            method,
            path: path.to_owned(),
            path_parts,
            params,
            body,
            accept,
            success,
            success_type,
            errors,
            error_type,
            summary: non_empty(&op.summary),
            description: non_empty(&op.description),
            envelope_param,
            api_version,
            success_optional,
            authenticated: op.security.as_ref().is_none_or(|reqs| !reqs.is_empty()),
            feature: String::new(),
            api_versions: self
                .offered_versions(op)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            pagination: None,
        })
    }

    /// Every API version an operation's request body and success responses offer.
    fn offered_versions(&self, op: &'a openapiv3::Operation) -> BTreeSet<&'a str> {
        let mut offered: BTreeSet<&'a str> = BTreeSet::new();
        if let Some(rb) = op.request_body.as_ref().and_then(|b| self.resolve_body(b)) {
            offered.extend(
                rb.content
                    .keys()
                    .filter_map(|k| atlas_media(k))
                    .map(|(v, _)| v),
            );
        }
        for (status, resp) in &op.responses.responses {
            if !matches!(status, StatusCode::Code(c) if (200..300).contains(c)) {
                continue;
            }
            if let Some(resp) = self.resolve_response(resp) {
                offered.extend(
                    resp.content
                        .keys()
                        .filter_map(|k| atlas_media(k))
                        .map(|(v, _)| v),
                );
            }
        }
        offered
    }

    /// The API version an operation is generated for, from the versions its
    /// request body and success responses offer and the pin.
    fn choose_version(&self, op: &'a openapiv3::Operation) -> Option<String> {
        let offered = self.offered_versions(op);
        let stable = || offered.iter().copied().filter(|v| is_date(v));
        let chosen = match &self.version {
            VersionPin::Latest => stable().next_back(),
            VersionPin::Preview => offered
                .get("preview")
                .copied()
                .or_else(|| stable().next_back()),
            VersionPin::Date(pin) => stable()
                .rfind(|v| *v <= pin.as_str())
                .or_else(|| stable().next()),
        };
        chosen
            .or_else(|| offered.iter().next().copied())
            .map(str::to_owned)
    }
}

/// Puts each operation in the feature of its first tag and works out which
/// features need each type (and which optional dependencies each needs).
fn assign_features(api: &mut Api) {
    use heck::{ToKebabCase, ToSnakeCase};
    let mut module_scope = NameScope::with_reserved(["mod", "full"]);
    let mut by_tag: BTreeMap<String, String> = BTreeMap::new();
    let mut tags: BTreeSet<String> = BTreeSet::new();
    for op in &api.operations {
        tags.insert(op.tag.clone().unwrap_or_else(|| "Other".to_owned()));
    }
    for tag in tags {
        let mut feature = crate::names::field_name(&tag).to_kebab_case();
        if feature.is_empty() || feature == "full" || feature == "default" {
            feature = format!("tag-{feature}");
        }
        let module = module_scope.take(&crate::names::field_name(&feature.to_snake_case()));
        by_tag.insert(tag.clone(), feature.clone());
        api.features.insert(
            feature,
            Feature {
                tag,
                module,
                dependencies: BTreeSet::new(),
            },
        );
    }
    // What each type uses directly.
    let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, def) in &api.types {
        let mut out = BTreeSet::new();
        match def {
            TypeDef::Struct(s) => s
                .fields
                .iter()
                .for_each(|f| Api::referenced_names(&f.ty, &mut out)),
            TypeDef::Union(u) => u
                .variants
                .iter()
                .for_each(|v| Api::referenced_names(&v.ty, &mut out)),
            TypeDef::Alias(a) => {
                out.insert(a.target.clone());
            }
            TypeDef::Wrapper(w) => Api::referenced_names(&w.ty, &mut out),
            TypeDef::Enum(_) => {}
        }
        uses.insert(name.clone(), out);
    }
    let mut type_features: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for op in &mut api.operations {
        let tag = op.tag.clone().unwrap_or_else(|| "Other".to_owned());
        let feature = by_tag.get(&tag).cloned().unwrap_or_default();
        op.feature = feature.clone();
        let mut stack: Vec<String> = Vec::new();
        let mut roots = BTreeSet::new();
        for p in &op.params {
            Api::referenced_names(&p.ty, &mut roots);
        }
        if let Some(b) = &op.body {
            Api::referenced_names(&b.ty, &mut roots);
        }
        if let Some(t) = &op.success_type {
            Api::referenced_names(t, &mut roots);
        }
        Api::referenced_names(&op.error_type, &mut roots);
        stack.extend(roots);
        while let Some(name) = stack.pop() {
            if type_features
                .entry(name.clone())
                .or_default()
                .insert(feature.clone())
            {
                if let Some(next) = uses.get(&name) {
                    stack.extend(next.iter().cloned());
                }
            }
        }
    }
    for (name, newtype) in &api.newtypes {
        let engine = match newtype.plan.engine() {
            Some(crate::pattern::Engine::Regex) => "regex",
            Some(crate::pattern::Engine::Regress) => "regress",
            None => continue,
        };
        for feature in type_features.get(name).into_iter().flatten() {
            if let Some(f) = api.features.get_mut(feature) {
                f.dependencies.insert(engine.to_owned());
            }
        }
    }
    api.type_features = type_features;
}

/// Kosaraju's algorithm, iteratively (no recursion, whatever the graph's
/// depth): the strongly connected component of every node, as an index.
fn strongly_connected(edges: &BTreeMap<String, Vec<String>>) -> BTreeMap<&str, usize> {
    let mut order: Vec<&str> = Vec::with_capacity(edges.len());
    let mut visited: BTreeSet<&str> = BTreeSet::new();
    for start in edges.keys() {
        if !visited.insert(start) {
            continue;
        }
        // (node, index of the next edge to follow)
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        while let Some((node, next)) = stack.pop() {
            let targets = edges.get(node).map(Vec::as_slice).unwrap_or_default();
            if let Some(target) = targets.get(next) {
                stack.push((node, next + 1));
                if edges.contains_key(target.as_str()) && visited.insert(target) {
                    stack.push((target, 0));
                }
            } else {
                order.push(node);
            }
        }
    }
    let mut reverse: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, targets) in edges {
        for to in targets {
            if edges.contains_key(to.as_str()) {
                reverse.entry(to.as_str()).or_default().push(from.as_str());
            }
        }
    }
    let mut component: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, start) in order.into_iter().rev().enumerate() {
        if component.contains_key(start) {
            continue;
        }
        let mut stack = vec![start];
        component.insert(start, index);
        while let Some(node) = stack.pop() {
            for &from in reverse.get(node).map(Vec::as_slice).unwrap_or_default() {
                if !component.contains_key(from) {
                    component.insert(from, index);
                    stack.push(from);
                }
            }
        }
    }
    component
}

struct OpInput<'a> {
    pointer: Pointer,
    path: &'a str,
    item: &'a openapiv3::PathItem,
    method: &'a str,
    op: &'a openapiv3::Operation,
    operation_id: String,
    short_name: String,
    method_name: String,
    builder_name: String,
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
