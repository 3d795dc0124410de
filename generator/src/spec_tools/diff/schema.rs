//! Comparing schemas: named types, inline schemas, enums, alternatives and
//! discriminator mappings. Fields are compared in [`fields`](super::fields).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::read::{
    enum_values, flag, is_struct_like, ref_of, resolve, rust_type, schema_name, str_of, Dirs,
    Resolved, MAX_DEPTH,
};
use super::rule::Rule;
use crate::diag::Pointer;
use crate::ir::View;
use crate::names::type_name;
use crate::spec_tools::report::{Change, Side, Subject};

/// Where a comparison is: its subject, a description of the position, the
/// directions that matter, and the pointers on both sides.
#[derive(Clone)]
pub(super) struct At<'s> {
    pub(super) subject: &'s Subject,
    pub(super) base: String,
    pub(super) path: String,
    pub(super) dirs: Dirs,
    pub(super) old: Pointer,
    pub(super) new: Pointer,
    /// Nullability is compared by the caller (it shapes a field or parameter).
    pub(super) shaped: bool,
}

impl<'s> At<'s> {
    /// The top of a subject: no position inside it yet.
    pub(super) fn top(subject: &'s Subject, dirs: Dirs, old: Pointer, new: Pointer) -> Self {
        At {
            subject,
            base: String::new(),
            path: String::new(),
            dirs,
            old,
            new,
            shaped: false,
        }
    }

    fn location(&self) -> String {
        match (self.base.is_empty(), self.path.is_empty()) {
            (_, true) => self.base.clone(),
            (true, false) => format!("field `{}`", self.path),
            (false, false) => format!("{}, field `{}`", self.base, self.path),
        }
    }

    pub(super) fn field(&self, rust: &str, old: Pointer, new: Pointer, dirs: Dirs) -> Self {
        let path = if self.path.is_empty() {
            rust.to_owned()
        } else {
            format!("{}.{rust}", self.path)
        };
        At {
            path,
            dirs,
            old,
            new,
            shaped: true,
            ..self.clone()
        }
    }

    fn nested(&self, suffix: &str, key: &str) -> Self {
        At {
            path: format!("{}{suffix}", self.path),
            old: self.old.join(key),
            new: self.new.join(key),
            shaped: false,
            ..self.clone()
        }
    }
}

/// The comparison of two documents: the changes found so far.
pub(super) struct Differ<'v> {
    pub(super) old: &'v Value,
    pub(super) new: &'v Value,
    pub(super) changes: Vec<Change>,
}

impl<'v> Differ<'v> {
    /// Records a change at `at`, classified by `rule`.
    pub(super) fn push(&mut self, at: &At<'_>, rule: Rule, detail: String) {
        let (classification, reason) = rule.verdict();
        let side = rule.side();
        let pointer = match side {
            Side::Old => &at.old,
            Side::New => &at.new,
        };
        self.changes.push(Change {
            subject: at.subject.clone(),
            kind: rule.kind(),
            location: at.location(),
            detail,
            classification,
            reason: reason.to_owned(),
            side,
            pointer: pointer.to_string(),
        });
    }

    pub(super) fn rust_both(&self, o: &Value, n: &Value, view: View) -> (String, String) {
        (
            rust_type(self.old, o, view, 0),
            rust_type(self.new, n, view, 0),
        )
    }

    pub(super) fn compare_schema(&mut self, at: &At<'_>, o: &'v Value, n: &'v Value, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let ro = resolve(self.old, o, at.old.clone());
        let rn = resolve(self.new, n, at.new.clone());
        match (ro, rn) {
            (Resolved::Named(a), Resolved::Named(b)) => {
                if a != b {
                    let detail = format!("type `{}` -> `{}`", type_name(&a), type_name(&b));
                    self.push(at, Rule::TypeChanged, detail);
                }
            }
            (Resolved::Inline(os, op), Resolved::Inline(ns, np)) => {
                let at = At {
                    old: op,
                    new: np,
                    ..at.clone()
                };
                self.compare_inline(&at, os, ns, depth);
            }
            _ => {
                let view = at.dirs.views().first().copied().unwrap_or(View::Request);
                let (a, b) = self.rust_both(o, n, view);
                self.push(at, Rule::TypeChanged, format!("type `{a}` -> `{b}`"));
            }
        }
    }

    fn compare_inline(&mut self, at: &At<'_>, o: &'v Value, n: &'v Value, depth: usize) {
        let views = at.dirs.views();
        let changed_views: Vec<(View, String, String)> = views
            .iter()
            .map(|&v| {
                let (a, b) = self.rust_both(o, n, v);
                (v, a, b)
            })
            .filter(|(_, a, b)| a != b)
            .collect();
        let (oe, ne) = (enum_values(o), enum_values(n));
        if str_of(o, "type") != str_of(n, "type") || oe.is_some() != ne.is_some() {
            if let Some((_, a, b)) = changed_views.first() {
                self.push(at, Rule::TypeChanged, format!("type `{a}` -> `{b}`"));
                return;
            }
        }
        if str_of(o, "format") != str_of(n, "format") {
            let show =
                |f: Option<&str>| f.map_or_else(|| "(none)".to_owned(), |f| format!("`{f}`"));
            let (of, nf) = (show(str_of(o, "format")), show(str_of(n, "format")));
            let (detail, changes_type) = match changed_views.first() {
                Some((_, a, b)) => (format!("format {of} -> {nf} (`{a}` -> `{b}`)"), true),
                None => (format!("format {of} -> {nf} (Rust type unchanged)"), false),
            };
            self.push(at, Rule::FormatChanged { changes_type }, detail);
        }
        let (op, np) = (str_of(o, "pattern"), str_of(n, "pattern"));
        if op != np {
            let detail = match (op, np) {
                (None, Some(p)) => format!("pattern `{p}` added"),
                (Some(p), None) => format!("pattern `{p}` removed"),
                (Some(a), Some(b)) => format!("pattern `{a}` -> `{b}`"),
                (None, None) => String::new(),
            };
            let rule = Rule::PatternChanged {
                request: at.dirs.request,
            };
            self.push(at, rule, detail);
        }
        if !at.shaped && flag(o, "nullable") != flag(n, "nullable") {
            let detail = if flag(n, "nullable") {
                "now nullable"
            } else {
                "no longer nullable"
            };
            self.push(at, Rule::Nullable, detail.to_owned());
        }
        if o.get("default") != n.get("default") {
            let show = |v: Option<&Value>| v.map_or_else(|| "(none)".to_owned(), Value::to_string);
            let detail = format!(
                "default {} -> {}",
                show(o.get("default")),
                show(n.get("default"))
            );
            self.push(at, Rule::DefaultChanged, detail);
        }
        if let (Some(oe), Some(ne)) = (&oe, &ne) {
            self.compare_enum(at, oe, ne);
        }
        if is_struct_like(o) && is_struct_like(n) {
            self.compare_fields(at, o, n, depth);
        }
        if let (Some(oi), Some(ni)) = (o.get("items"), n.get("items")) {
            self.compare_schema(&at.nested("[]", "items"), oi, ni, depth + 1);
        }
        if let (Some(oa @ Value::Object(_)), Some(na @ Value::Object(_))) =
            (o.get("additionalProperties"), n.get("additionalProperties"))
        {
            self.compare_schema(&at.nested("{}", "additionalProperties"), oa, na, depth + 1);
        }
        for key in ["oneOf", "anyOf"] {
            self.compare_alternatives(at, key, o.get(key), n.get(key), depth);
        }
        self.compare_mapping(at, o, n);
    }

    fn compare_enum(&mut self, at: &At<'_>, oe: &[String], ne: &[String]) {
        for v in ne.iter().filter(|v| !oe.contains(v)) {
            let detail = format!("enum value `{v}` added (variant `{}`)", type_name(v));
            self.push(at, Rule::EnumValueAdded, detail);
        }
        for v in oe.iter().filter(|v| !ne.contains(v)) {
            let detail = format!("enum value `{v}` removed (variant `{}`)", type_name(v));
            let rule = Rule::EnumValueRemoved {
                request: at.dirs.request,
            };
            self.push(at, rule, detail);
        }
    }

    fn compare_alternatives(
        &mut self,
        at: &At<'_>,
        key: &str,
        o: Option<&'v Value>,
        n: Option<&'v Value>,
        depth: usize,
    ) {
        let list = |v: Option<&'v Value>| -> Vec<&'v Value> {
            v.and_then(Value::as_array)
                .map(|a| a.iter().collect())
                .unwrap_or_default()
        };
        let (ol, nl) = (list(o), list(n));
        let refs = |l: &[&Value]| -> BTreeSet<String> {
            l.iter()
                .filter_map(|v| ref_of(v).map(str::to_owned))
                .collect()
        };
        let (orefs, nrefs) = (refs(&ol), refs(&nl));
        let name = |r: &String| schema_name(r).map_or_else(|| r.clone(), |n| type_name(&n));
        for r in nrefs.difference(&orefs) {
            let detail = format!("`{key}` alternative `{}` added", name(r));
            self.push(at, Rule::VariantAdded, detail);
        }
        for r in orefs.difference(&nrefs) {
            let detail = format!("`{key}` alternative `{}` removed", name(r));
            self.push(at, Rule::VariantRemoved, detail);
        }
        let inline = |l: &[&'v Value]| -> Vec<(usize, &'v Value)> {
            l.iter()
                .copied()
                .enumerate()
                .filter(|(_, v)| ref_of(v).is_none())
                .collect()
        };
        let (oi, ni) = (inline(&ol), inline(&nl));
        for ((i, a), (j, b)) in oi.iter().zip(ni.iter()) {
            let next = At {
                path: format!("{}<{key} {j}>", at.path),
                old: at.old.join(key).join(i.to_string()),
                new: at.new.join(key).join(j.to_string()),
                shaped: false,
                ..at.clone()
            };
            self.compare_schema(&next, a, b, depth + 1);
        }
        if oi.len() < ni.len() {
            let count = ni.len() - oi.len();
            let detail = format!("{count} inline `{key}` alternative(s) added");
            self.push(at, Rule::VariantAdded, detail);
        } else if oi.len() > ni.len() {
            let count = oi.len() - ni.len();
            let detail = format!("{count} inline `{key}` alternative(s) removed");
            self.push(at, Rule::VariantRemoved, detail);
        }
    }

    fn compare_mapping(&mut self, at: &At<'_>, o: &Value, n: &Value) {
        let mapping = |v: &Value| -> BTreeMap<String, String> {
            v.pointer("/discriminator/mapping")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                        .collect()
                })
                .unwrap_or_default()
        };
        let (om, nm) = (mapping(o), mapping(n));
        let target = |t: &str| schema_name(t).map_or_else(|| t.to_owned(), |n| type_name(&n));
        for (k, t) in &nm {
            match om.get(k) {
                None => {
                    let detail = format!("discriminator value `{k}` added (`{}`)", target(t));
                    self.push(at, Rule::VariantAdded, detail);
                }
                Some(old) if old != t => {
                    let detail = format!(
                        "discriminator value `{k}`: `{}` -> `{}`",
                        target(old),
                        target(t)
                    );
                    self.push(at, Rule::DiscriminatorRetargeted, detail);
                }
                Some(_) => {}
            }
        }
        for (k, t) in &om {
            if !nm.contains_key(k) {
                let detail = format!("discriminator value `{k}` removed (`{}`)", target(t));
                self.push(at, Rule::VariantRemoved, detail);
            }
        }
    }

    /// Compares the named type of component schema `name`, used in `dirs`.
    pub(super) fn compare_type(&mut self, name: &str, dirs: Dirs) {
        let subject = Subject::Type {
            name: type_name(name),
            schema: name.to_owned(),
            directions: dirs.names(),
        };
        let pointer = Pointer::root()
            .join("components")
            .join("schemas")
            .join(name);
        let at = At::top(&subject, dirs, pointer.clone(), pointer.clone());
        let get = |root: &'v Value| root.pointer(&pointer.to_string()[1..]);
        match (get(self.old), get(self.new)) {
            (Some(a), Some(b)) => self.compare_inline(&at, a, b, 0),
            (None, Some(_)) => self.push(&at, Rule::TypeAdded, "added".to_owned()),
            (Some(_), None) => self.push(&at, Rule::TypeRemoved, "removed".to_owned()),
            (None, None) => {}
        }
    }
}
