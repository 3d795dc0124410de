//! Instances of the raw spec's schemas, in each [`Mode`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use atlas_codegen::rules::escape_token;
use serde_json::{json, Map, Value};

use super::{
    child_tags, deref, deref_at, flag, lists, pattern_samples, tag_for, Checker, COMMON_SAMPLES,
};

/// How an instance is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    /// Only what JSON Schema requires: required properties, `minItems`
    /// items, the first `oneOf`/`anyOf` branch that validates.
    Minimal,
    /// Every property (but `writeOnly` ones), one item per list, one entry
    /// per map.
    Maximal,
    /// [`Mode::Maximal`] with `null` wherever the spec says `nullable`
    /// (properties, list items, map values).
    Nulls,
}

impl Mode {
    /// The name reports use.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Minimal => "minimal",
            Mode::Maximal => "maximal",
            Mode::Nulls => "nulls",
        }
    }
}

/// Counts of what could not be made as wanted.
#[derive(Debug, Clone, Default)]
pub struct GenStats {
    /// Patterns no sample was found for (the string may not match).
    pub unmatched_patterns: BTreeSet<String>,
    /// Unions (by pointer) none of whose branches gave a valid value;
    /// an optional property or list item is then left out, and an instance
    /// that needs one is not made.
    pub no_valid_branch: BTreeSet<String>,
    /// Instances that could not be made, by kind.
    pub not_made: BTreeMap<String, usize>,
}

/// Makes instances of the raw spec's schemas.
pub struct Generator<'d> {
    pub(super) doc: &'d Value,
    /// The validator (also used to pick union branches).
    pub checker: Checker,
    pattern_strings: HashMap<String, Option<String>>,
    /// What could not be made as wanted.
    pub stats: GenStats,
}

struct Walk {
    mode: Mode,
    /// `$ref` targets being expanded.
    stack: Vec<String>,
}

/// The properties of an object schema with its `allOf` members merged.
#[derive(Default)]
struct Merged<'d> {
    props: Vec<(String, &'d Value, String)>,
    required: BTreeSet<String>,
    additional: Option<(&'d Value, String)>,
    /// The discriminator property and value of a schema that is a mapped
    /// child of a base it includes through `allOf`.
    tag: Option<(String, String)>,
}

impl<'d> Generator<'d> {
    /// A generator for `doc` (the raw spec).
    pub fn new(doc: &'d Value) -> Self {
        Self {
            doc,
            checker: Checker::new(doc),
            pattern_strings: HashMap::new(),
            stats: GenStats::default(),
        }
    }

    /// An instance of the schema at `pointer`, or `None` when none can be
    /// made (a required property that holds itself).
    pub fn instance(&mut self, pointer: &str, mode: Mode) -> Option<Value> {
        let doc = self.doc;
        let schema = doc.pointer(pointer)?;
        let mut walk = Walk {
            mode,
            stack: Vec::new(),
        };
        self.value(schema, pointer.to_owned(), &mut walk, false)
    }

    fn nullable(&self, schema: &Value) -> bool {
        flag(self.doc, schema, "nullable")
    }

    fn value(
        &mut self,
        schema: &'d Value,
        at: String,
        walk: &mut Walk,
        salt: bool,
    ) -> Option<Value> {
        if walk.stack.len() > 40 {
            return None;
        }
        if schema.get("$ref").is_some() {
            let (target, target_at) = deref_at(self.doc, schema, at);
            let seen = walk.stack.iter().filter(|s| **s == target_at).count();
            let outer_mode = walk.mode;
            match seen {
                0 => {}
                // Into a schema already being expanded: only what it requires.
                1 => walk.mode = Mode::Minimal,
                _ => return None,
            }
            walk.stack.push(target_at.clone());
            let value = self.value(target, target_at, walk, salt);
            walk.stack.pop();
            walk.mode = outer_mode;
            return value;
        }
        let map = schema.as_object()?;
        if let Some(values) = map.get("enum").and_then(Value::as_array) {
            // Values of the declared type (an `enum` of strings on an
            // array has none: nothing valid can be made).
            let declared = map.get("type").and_then(Value::as_str);
            let fitting: Vec<&Value> = values
                .iter()
                .filter(|v| !v.is_null() && declared.is_none_or(|t| of_type(v, t)))
                .collect();
            let pick = if salt && fitting.len() > 1 { 1 } else { 0 };
            return fitting.get(pick).map(|v| (*v).clone());
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = map.get(key).and_then(Value::as_array) {
                return self.union(schema, key, branches, at, walk, salt);
            }
        }
        let ty = map.get("type").and_then(Value::as_str).or_else(|| {
            if map.contains_key("properties")
                || map.contains_key("allOf")
                || map.contains_key("additionalProperties")
            {
                Some("object")
            } else if map.contains_key("items") {
                Some("array")
            } else {
                None
            }
        });
        match ty {
            Some("object") => self.object(schema, at, walk, true),
            Some("array") => self.array(map, at, walk),
            Some("string") => Some(Value::String(self.string(map, salt))),
            Some("integer") => Some(number(map, walk.mode, true, salt)),
            Some("number") => Some(number(map, walk.mode, false, salt)),
            Some("boolean") => Some(Value::Bool(walk.mode != Mode::Minimal)),
            _ => Some(match walk.mode {
                Mode::Minimal => json!({}),
                _ => json!({ "anything": ["goes", 1, true] }),
            }),
        }
    }

    fn union(
        &mut self,
        schema: &'d Value,
        key: &str,
        branches: &'d [Value],
        at: String,
        walk: &mut Walk,
        salt: bool,
    ) -> Option<Value> {
        // The schema's own properties (beside the union) apply too.
        let own = schema.get("properties").is_some() || schema.get("allOf").is_some();
        let tag_property = schema
            .pointer("/discriminator/propertyName")
            .and_then(Value::as_str);
        let outer = walk.mode;
        for (i, branch) in branches.iter().enumerate() {
            let branch_at = format!("{at}/{key}/{i}");
            let tag = tag_property.and_then(|_| tag_for(schema, branch));
            // The branch as the mode asks, then with every property (which
            // may tell it from its siblings); with the discriminator's value
            // for it when there is one, as a server sends it.
            let mut tries: Vec<Value> = Vec::new();
            for mode in [outer, Mode::Maximal] {
                walk.mode = mode;
                let candidate = self.value(branch, branch_at.clone(), walk, salt);
                let base = if own {
                    self.object(schema, at.clone(), walk, false)
                } else {
                    None
                };
                walk.mode = outer;
                let Some(mut candidate) = candidate else {
                    continue;
                };
                if let (Some(Value::Object(base)), Value::Object(c)) = (base, &mut candidate) {
                    for (k, v) in base {
                        c.entry(k).or_insert(v);
                    }
                }
                if let (Some(property), Some(tag), Value::Object(c)) =
                    (tag_property, &tag, &mut candidate)
                {
                    c.insert(property.to_owned(), Value::String(tag.clone()));
                }
                tries.push(candidate);
                if outer == Mode::Maximal {
                    break;
                }
            }
            for candidate in tries {
                if self.checker.check(&at, &candidate).is_ok() {
                    return Some(candidate);
                }
            }
        }
        self.stats.no_valid_branch.insert(at);
        None
    }

    fn merge(
        &self,
        schema: &'d Value,
        at: String,
        merged: &mut Merged<'d>,
        seen: &mut Vec<String>,
        unions: bool,
    ) {
        let (schema, at) = deref_at(self.doc, schema, at);
        if seen.contains(&at) {
            return;
        }
        seen.push(at.clone());
        if let Some(members) = schema.get("allOf").and_then(Value::as_array) {
            for (i, member) in members.iter().enumerate() {
                // A base whose union lists this schema (a discriminated
                // hierarchy): its properties, not its other children's.
                let base = deref(self.doc, member);
                let base_lists_this = lists(base, &at);
                if let Some((property, tags)) = child_tags(base, &at) {
                    if let Some(tag) = tags.into_iter().next() {
                        merged.tag.get_or_insert((property, tag));
                    }
                }
                self.merge(
                    member,
                    format!("{at}/allOf/{i}"),
                    merged,
                    seen,
                    !base_lists_this,
                );
            }
        }
        for key in ["oneOf", "anyOf"].into_iter().filter(|_| unions) {
            // A union inside an `allOf`: its first branch.
            if let Some(first) = schema
                .get(key)
                .and_then(Value::as_array)
                .and_then(|b| b.first())
            {
                self.merge(first, format!("{at}/{key}/0"), merged, seen, true);
            }
        }
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (name, prop) in props {
                let here = format!("{at}/properties/{}", escape_token(name));
                match merged.props.iter_mut().find(|(n, _, _)| n == name) {
                    Some(existing) => {
                        existing.1 = prop;
                        existing.2 = here;
                    }
                    None => merged.props.push((name.clone(), prop, here)),
                }
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            merged
                .required
                .extend(required.iter().filter_map(Value::as_str).map(str::to_owned));
        }
        if let Some(additional) = schema.get("additionalProperties") {
            if additional.is_object() && merged.additional.is_none() {
                merged.additional = Some((additional, format!("{at}/additionalProperties")));
            }
        }
    }

    /// An object from the (merged) properties of `schema`; `unions` says
    /// whether a union at its top is merged too (its first branch).
    fn object(
        &mut self,
        schema: &'d Value,
        at: String,
        walk: &mut Walk,
        unions: bool,
    ) -> Option<Value> {
        let mut merged = Merged::default();
        self.merge(schema, at, &mut merged, &mut Vec::new(), unions);
        let mut out = Map::new();
        let doc = self.doc;
        for (name, prop, here) in &merged.props {
            if flag(doc, prop, "writeOnly") {
                continue;
            }
            let required = merged.required.contains(name);
            if walk.mode == Mode::Minimal && !required {
                continue;
            }
            if walk.mode == Mode::Nulls && self.nullable(prop) {
                out.insert(name.clone(), Value::Null);
                continue;
            }
            match self.value(prop, here.clone(), walk, false) {
                Some(v) => {
                    out.insert(name.clone(), v);
                }
                None if required => return None,
                None => {}
            }
        }
        for name in &merged.required {
            if !out.contains_key(name)
                && !merged
                    .props
                    .iter()
                    .any(|(n, p, _)| n == name && flag(doc, p, "writeOnly"))
            {
                // Required but defined nowhere: any value will do.
                out.insert(name.clone(), json!("value"));
            }
        }
        if let Some((property, tag)) = &merged.tag {
            out.insert(property.clone(), Value::String(tag.clone()));
        }
        if walk.mode != Mode::Minimal {
            if let Some((additional, here)) = merged.additional {
                let key = (1..)
                    .map(|i| format!("additionalProp{i}"))
                    .find(|k| !out.contains_key(k))
                    .unwrap_or_default();
                if walk.mode == Mode::Nulls && self.nullable(additional) {
                    out.insert(key, Value::Null);
                } else if let Some(v) = self.value(additional, here, walk, false) {
                    out.insert(key, v);
                }
            }
        }
        Some(Value::Object(out))
    }

    fn array(&mut self, map: &'d Map<String, Value>, at: String, walk: &mut Walk) -> Option<Value> {
        let min = map.get("minItems").and_then(Value::as_u64).unwrap_or(0);
        let max = map
            .get("maxItems")
            .and_then(Value::as_u64)
            .unwrap_or(u64::MAX);
        let n = match walk.mode {
            Mode::Minimal => min,
            _ => min.max(1).min(max),
        };
        let Some(items) = map.get("items") else {
            return Some(Value::Array((0..n).map(|i| json!(i)).collect()));
        };
        let mut out = Vec::new();
        for i in 0..n {
            if walk.mode == Mode::Nulls && self.nullable(items) {
                out.push(Value::Null);
                continue;
            }
            match self.value(items, format!("{at}/items"), walk, i % 2 == 1) {
                Some(item) => out.push(item),
                None if min == 0 => return Some(Value::Array(Vec::new())),
                None => return None,
            }
        }
        Some(Value::Array(out))
    }

    fn string(&mut self, map: &Map<String, Value>, salt: bool) -> String {
        let example = map.get("example").and_then(Value::as_str);
        let min = map.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = map
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        if let Some(pattern) = map.get("pattern").and_then(Value::as_str) {
            if let Some(found) = self.pattern_string(pattern, example, min, max) {
                return found;
            }
            self.stats.unmatched_patterns.insert(pattern.to_owned());
        }
        let text = match map.get("format").and_then(Value::as_str) {
            Some("date-time") => "2024-05-06T07:08:09Z".to_owned(),
            Some("date") => "2024-05-06".to_owned(),
            Some("email") => "someone@example.com".to_owned(),
            Some("uuid") => "123e4567-e89b-12d3-a456-426614174000".to_owned(),
            Some("uri") => "https://example.com/a".to_owned(),
            Some("byte") => "AAEC".to_owned(),
            _ => match example {
                Some(example) => example.to_owned(),
                None if salt => "other string".to_owned(),
                None => "string".to_owned(),
            },
        };
        fit_length(text, min, max)
    }

    fn pattern_string(
        &mut self,
        pattern: &str,
        example: Option<&str>,
        min: usize,
        max: Option<usize>,
    ) -> Option<String> {
        let key = format!(
            "{pattern}\u{0}{}\u{0}{min}\u{0}{max:?}",
            example.unwrap_or("")
        );
        if let Some(found) = self.pattern_strings.get(&key) {
            return found.clone();
        }
        let fits = |s: &str| s.chars().count() >= min && max.is_none_or(|m| s.chars().count() <= m);
        // The spec's own example first (realistic), then samples.
        let mut candidates: Vec<String> = example.map(str::to_owned).into_iter().collect();
        candidates.extend(pattern_samples(pattern));
        candidates.extend(COMMON_SAMPLES.iter().map(|s| (*s).to_owned()));
        let found = candidates
            .into_iter()
            .find(|c| fits(c) && self.checker.patterns.matches(pattern, c));
        self.pattern_strings.insert(key, found.clone());
        found
    }
}

/// Whether `value` is of JSON Schema type `ty`.
fn of_type(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => value.is_string(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    }
}

/// `text` padded or cut to the length bounds.
fn fit_length(mut text: String, min: usize, max: Option<usize>) -> String {
    while text.chars().count() < min {
        text.push('a');
    }
    if let Some(max) = max {
        text = text.chars().take(max).collect();
    }
    text
}

fn number(map: &Map<String, Value>, mode: Mode, integer: bool, salt: bool) -> Value {
    let get = |k: &str| map.get(k).and_then(Value::as_f64);
    let exclusive = |k: &str| map.get(k).and_then(Value::as_bool) == Some(true);
    let step = if integer { 1.0 } else { 0.5 };
    let lo = get("minimum").map(|m| {
        if exclusive("exclusiveMinimum") {
            m + step
        } else {
            m
        }
    });
    let hi = get("maximum").map(|m| {
        if exclusive("exclusiveMaximum") {
            m - step
        } else {
            m
        }
    });
    let example = get("example");
    let mut v = match mode {
        Mode::Minimal => lo.unwrap_or(0.0),
        _ => match example {
            Some(e)
                if (!integer || e.fract() == 0.0)
                    && lo.is_none_or(|l| e >= l)
                    && hi.is_none_or(|h| e <= h) =>
            {
                e
            }
            _ => lo.map_or(if integer { 7.0 } else { 2.5 }, |l| l + step),
        },
    };
    if salt {
        v += step;
    }
    if let Some(h) = hi {
        v = v.min(h);
    }
    if let Some(l) = lo {
        v = v.max(l);
    }
    if let Some(multiple) = get("multipleOf") {
        if multiple > 0.0 {
            v = (v / multiple).ceil() * multiple;
        }
    }
    if integer && v.fract() == 0.0 && v.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        return json!(v as i64);
    }
    json!(v)
}
