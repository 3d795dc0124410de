//! Operations: each side's parts resolved, the API version the client is
//! generated for, pairing old and new, and comparing a pair's method name,
//! API versions, parameters, request body and responses.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::read::{deref, flag, json_schema, media_types, pick_media, rust_type, str_of, Dirs};
use super::rule::Rule;
use super::schema::{At, Differ};
use crate::diag::Pointer;
use crate::ir::View;
use crate::names::field_name;
use crate::rules::{self, BodyKind, VersionPin};
use crate::spec_tools::report::Subject;
use crate::spec_tools::OperationEntry;

/// Whether a status is a success (`2xx`) one, whose media types offer the
/// operation's API versions.
fn is_2xx(status: &str) -> bool {
    status.parse::<u16>().is_ok_and(rules::is_success)
}

/// What the client reads or writes through a `content` map, as codegen
/// decides it.
enum BodyType<'v> {
    /// A JSON media type with a schema: the schema's type.
    Schema(&'v str, &'v Value),
    /// A JSON media type without a schema: `serde_json::Value`.
    Json,
    /// Bytes (`bytes::Bytes`).
    Binary,
    /// Text (`String`).
    Text,
}

impl<'v> BodyType<'v> {
    /// The body of a `content` map for API version `version`, if it has one.
    fn of(content: Option<&'v Value>, version: Option<&str>) -> Option<Self> {
        let (media, object) = pick_media(content, version)?;
        Some(match (rules::body_kind(media), object.get("schema")) {
            (BodyKind::Json, Some(schema)) => BodyType::Schema(media, schema),
            (BodyKind::Json, None) => BodyType::Json,
            (BodyKind::Binary, _) => BodyType::Binary,
            (BodyKind::Text, _) => BodyType::Text,
        })
    }

    /// The Rust type, for messages.
    fn rust(&self, root: &Value, view: View) -> String {
        match self {
            BodyType::Schema(_, schema) => rust_type(root, schema, view, 0),
            BodyType::Json => "serde_json::Value".to_owned(),
            BodyType::Binary => "bytes::Bytes".to_owned(),
            BodyType::Text => "String".to_owned(),
        }
    }
}

/// One side of an operation pair, with its parts resolved.
pub(super) struct Op<'v> {
    pub(super) entry: OperationEntry<'v>,
    params: BTreeMap<(String, String), (&'v Value, Pointer)>,
    body: Option<(&'v Value, Pointer)>,
    responses: BTreeMap<String, (&'v Value, Pointer)>,
    /// The API versions the request body and success responses offer.
    offered: BTreeSet<&'v str>,
    /// The version the client is generated for (as codegen chooses it for
    /// the same pin).
    version: Option<&'v str>,
}

impl<'v> Op<'v> {
    pub(super) fn new(root: &'v Value, entry: OperationEntry<'v>, pin: &VersionPin) -> Self {
        let op_at = entry.pointer();
        let item_at = Pointer::root().join("paths").join(entry.path);
        let mut params = BTreeMap::new();
        for (list, at) in [(entry.item, item_at), (entry.op, op_at.clone())] {
            let Some(list) = list.get("parameters").and_then(Value::as_array) else {
                continue;
            };
            for (i, p) in list.iter().enumerate() {
                let (p, p_at) = deref(root, p, at.join("parameters").join(i.to_string()));
                let key = (
                    str_of(p, "in").unwrap_or("?").to_owned(),
                    str_of(p, "name").unwrap_or("?").to_owned(),
                );
                params.insert(key, (p, p_at));
            }
        }
        let body = entry
            .op
            .get("requestBody")
            .map(|b| deref(root, b, op_at.join("requestBody")));
        let mut responses = BTreeMap::new();
        if let Some(map) = entry.op.get("responses").and_then(Value::as_object) {
            for (status, r) in map {
                responses.insert(
                    status.clone(),
                    deref(root, r, op_at.join("responses").join(status)),
                );
            }
        }
        let body_media = body.iter().flat_map(|(b, _)| media_types(b.get("content")));
        let success_media = responses
            .iter()
            .filter(|(status, _)| is_2xx(status))
            .flat_map(|(_, (r, _))| media_types(r.get("content")));
        let offered = rules::offered_versions(body_media.chain(success_media));
        let version = rules::choose_version(&offered, pin);
        Op {
            entry,
            params,
            body,
            responses,
            offered,
            version,
        }
    }

    pub(super) fn subject(&self) -> Subject {
        let name = self.entry.short_name();
        Subject::Operation {
            method_name: field_name(&name),
            name,
            method: self.entry.method.to_uppercase(),
            path: self.entry.path.to_owned(),
        }
    }

    /// The media types the client sends, as codegen decides them:
    /// `Content-Type` (the request body's JSON media type) and `Accept` (the
    /// first success response's media type, else the `Content-Type`).
    fn sent(&self) -> (Option<&'v str>, Option<&'v str>) {
        let content_type = self
            .body
            .as_ref()
            .and_then(|(b, _)| pick_media(b.get("content"), self.version))
            .map(|(k, _)| k)
            .filter(|k| rules::body_kind(k) == BodyKind::Json);
        let accept = self
            .responses
            .iter()
            .filter(|(s, _)| is_2xx(s))
            .find_map(|(_, (r, _))| pick_media(r.get("content"), self.version))
            .map(|(k, _)| k)
            .or(content_type);
        (content_type, accept)
    }

    /// The schema positions the operation reads and writes, with directions.
    pub(super) fn roots(&self) -> Vec<(&'v Value, Dirs)> {
        let mut out = Vec::new();
        for (p, _) in self.params.values() {
            if let Some(s) = p.get("schema") {
                out.push((s, Dirs::REQUEST));
            }
        }
        if let Some((b, _)) = &self.body {
            if let Some((_, s)) = json_schema(b.get("content"), self.version) {
                out.push((s, Dirs::REQUEST));
            }
        }
        for (r, _) in self.responses.values() {
            if let Some((_, s)) = json_schema(r.get("content"), self.version) {
                out.push((s, Dirs::RESPONSE));
            }
        }
        out
    }

    /// Whether a response of this operation has a body, as codegen decides
    /// it: a JSON media type without a schema is read as JSON except in a
    /// 204 (Atlas's deletes name a media type but send nothing).
    fn has_body(&self, status: &str, response: &Value) -> bool {
        match BodyType::of(response.get("content"), self.version) {
            None => false,
            Some(BodyType::Json) => status != "204",
            Some(_) => true,
        }
    }
}

/// Pairs the operations of two documents: by method and path, then by name.
pub(super) fn pair<'v>(
    old: Vec<Op<'v>>,
    new: Vec<Op<'v>>,
) -> Vec<(Option<Op<'v>>, Option<Op<'v>>)> {
    let mut old: Vec<Option<Op<'v>>> = old.into_iter().map(Some).collect();
    let mut out = Vec::new();
    let mut unmatched_new = Vec::new();
    for n in new {
        let hit = old.iter().position(|o| {
            o.as_ref()
                .is_some_and(|o| o.entry.method == n.entry.method && o.entry.path == n.entry.path)
        });
        match hit {
            Some(i) => out.push((old[i].take(), Some(n))),
            None => unmatched_new.push(n),
        }
    }
    for n in unmatched_new {
        let name = n.entry.short_name();
        let hit = old
            .iter()
            .position(|o| o.as_ref().is_some_and(|o| o.entry.short_name() == name));
        match hit {
            Some(i) => out.push((old[i].take(), Some(n))),
            None => out.push((None, Some(n))),
        }
    }
    out.extend(old.into_iter().flatten().map(|o| (Some(o), None)));
    out
}

impl<'v> Differ<'v> {
    pub(super) fn compare_operation(&mut self, o: &Op<'v>, n: &Op<'v>) {
        let subject = n.subject();
        let at = At::top(
            &subject,
            Dirs::REQUEST,
            o.entry.pointer(),
            n.entry.pointer(),
        );
        let (on, nn) = (o.entry.short_name(), n.entry.short_name());
        if field_name(&on) != field_name(&nn) {
            let detail = format!(
                "client method `{}()` renamed to `{}()` (was `{on}`)",
                field_name(&on),
                field_name(&nn)
            );
            self.push(&at, Rule::OperationRenamed, detail);
        }
        if o.entry.method != n.entry.method || o.entry.path != n.entry.path {
            let detail = format!(
                "now {} {} (was {} {})",
                n.entry.method.to_uppercase(),
                n.entry.path,
                o.entry.method.to_uppercase(),
                o.entry.path
            );
            self.push(&at, Rule::OperationMoved, detail);
        }
        self.compare_versions(&at, o, n);
        self.compare_params(&at, o, n);
        self.compare_body(&at, o, n);
        self.compare_responses(&at, o, n);
    }

    fn compare_versions(&mut self, at: &At<'_>, o: &Op<'v>, n: &Op<'v>) {
        let (ov, nv) = (&o.offered, &n.offered);
        let (osent, nsent) = (o.sent(), n.sent());
        let sent_versions = |s: (Option<&'v str>, Option<&'v str>)| -> BTreeSet<&'v str> {
            [s.0, s.1]
                .into_iter()
                .flatten()
                .filter_map(rules::atlas_media)
                .map(|(version, _)| version)
                .collect()
        };
        let (os, ns) = (sent_versions(osent), sent_versions(nsent));
        for v in nv.difference(ov) {
            let rule = Rule::ApiVersionAdded {
                sent: ns.contains(v),
            };
            self.push(at, rule, format!("API version {v} added"));
        }
        for v in ov.difference(nv) {
            let rule = Rule::ApiVersionRemoved {
                sent: os.contains(v),
            };
            self.push(at, rule, format!("API version {v} removed"));
        }
        for (what, a, b) in [
            ("Content-Type", osent.0, nsent.0),
            ("Accept", osent.1, nsent.1),
        ] {
            if let (Some(a), Some(b)) = (a, b) {
                if a != b && !(nv.difference(ov).any(|v| b.contains(v))) {
                    // A switch to an older documented version (the one sent
                    // was removed).
                    let detail = format!("the client sends {what}: {b} (was {a})");
                    self.push(at, Rule::ApiVersionSelected, detail);
                }
            }
        }
    }

    fn compare_params(&mut self, at: &At<'_>, o: &Op<'v>, n: &Op<'v>) {
        let keys: BTreeSet<&(String, String)> = o.params.keys().chain(n.params.keys()).collect();
        for key in keys {
            let (loc, wire) = key;
            let rust = field_name(wire);
            let base = format!("parameter `{rust}` ({loc} `{wire}`)");
            match (o.params.get(key), n.params.get(key)) {
                (None, Some((p, p_at))) => {
                    let required = flag(p, "required");
                    let pat = At {
                        base,
                        old: at.old.clone(),
                        new: p_at.clone(),
                        ..at.clone()
                    };
                    let ty = p.get("schema").map_or_else(
                        || "String".to_owned(),
                        |s| rust_type(self.new, s, View::Request, 0),
                    );
                    let detail = if required {
                        format!("added, required (`{ty}`)")
                    } else {
                        format!("added, optional (`{ty}`)")
                    };
                    self.push(&pat, Rule::ParameterAdded { required }, detail);
                }
                (Some((_, p_at)), None) => {
                    let pat = At {
                        base,
                        old: p_at.clone(),
                        new: at.new.clone(),
                        ..at.clone()
                    };
                    self.push(&pat, Rule::ParameterRemoved, "removed".to_owned());
                }
                (Some((a, a_at)), Some((b, b_at))) => {
                    let pat = At {
                        base,
                        old: a_at.clone(),
                        new: b_at.clone(),
                        shaped: true,
                        ..at.clone()
                    };
                    let (ar, br) = (flag(a, "required"), flag(b, "required"));
                    if ar != br {
                        let detail = if br { "now required" } else { "now optional" };
                        self.push(&pat, Rule::ParameterRequired { now: br }, detail.to_owned());
                    }
                    if let (Some(sa), Some(sb)) = (a.get("schema"), b.get("schema")) {
                        let inner = At {
                            old: pat.old.join("schema"),
                            new: pat.new.join("schema"),
                            shaped: false,
                            ..pat.clone()
                        };
                        self.compare_schema(&inner, sa, sb, 0);
                    }
                }
                (None, None) => {}
            }
        }
    }

    fn compare_body(&mut self, at: &At<'_>, o: &Op<'v>, n: &Op<'v>) {
        let base = "request body".to_owned();
        match (o.body.clone(), n.body.clone()) {
            (None, Some((b, b_at))) => {
                let required = flag(b, "required");
                let bat = At {
                    base,
                    old: at.old.clone(),
                    new: b_at,
                    ..at.clone()
                };
                let detail = format!("added{}", if required { ", required" } else { "" });
                self.push(&bat, Rule::BodyAdded { required }, detail);
            }
            (Some((_, b_at)), None) => {
                let bat = At {
                    base,
                    old: b_at,
                    new: at.new.clone(),
                    ..at.clone()
                };
                self.push(&bat, Rule::BodyRemoved, "removed".to_owned());
            }
            (Some((a, a_at)), Some((b, b_at))) => {
                let bat = At {
                    base,
                    old: a_at,
                    new: b_at,
                    dirs: Dirs::REQUEST,
                    ..at.clone()
                };
                let (ar, br) = (flag(a, "required"), flag(b, "required"));
                if ar != br {
                    let detail = if br { "now required" } else { "now optional" };
                    self.push(&bat, Rule::BodyRequired { now: br }, detail.to_owned());
                }
                self.compare_content(&bat, (a, o.version), (b, n.version));
            }
            (None, None) => {}
        }
    }

    /// Compares what the client reads or writes through two bodies or
    /// responses, each for its operation's API version: the schemas of JSON
    /// media types, else the kind of body.
    fn compare_content(
        &mut self,
        at: &At<'_>,
        (a, a_version): (&'v Value, Option<&str>),
        (b, b_version): (&'v Value, Option<&str>),
    ) {
        let (Some(ta), Some(tb)) = (
            BodyType::of(a.get("content"), a_version),
            BodyType::of(b.get("content"), b_version),
        ) else {
            return;
        };
        match (&ta, &tb) {
            (BodyType::Schema(am, sa), BodyType::Schema(bm, sb)) => {
                let inner = At {
                    old: at.old.join("content").join(am).join("schema"),
                    new: at.new.join("content").join(bm).join("schema"),
                    ..at.clone()
                };
                self.compare_schema(&inner, sa, sb, 0);
            }
            (BodyType::Json, BodyType::Json)
            | (BodyType::Binary, BodyType::Binary)
            | (BodyType::Text, BodyType::Text) => {}
            _ => {
                let view = at.dirs.views().first().copied().unwrap_or(View::Request);
                let (x, y) = (ta.rust(self.old, view), tb.rust(self.new, view));
                self.push(at, Rule::TypeChanged, format!("type `{x}` -> `{y}`"));
            }
        }
    }

    fn compare_responses(&mut self, at: &At<'_>, o: &Op<'v>, n: &Op<'v>) {
        let statuses: BTreeSet<&String> = o.responses.keys().chain(n.responses.keys()).collect();
        for status in statuses {
            let base = format!("response {status}");
            let success = rules::is_non_error_key(status);
            match (o.responses.get(status), n.responses.get(status)) {
                (None, Some((_, r_at))) => {
                    let rat = At {
                        base,
                        old: at.old.clone(),
                        new: r_at.clone(),
                        ..at.clone()
                    };
                    self.push(&rat, Rule::ResponseAdded, "documented".to_owned());
                }
                (Some((_, r_at)), None) => {
                    let rat = At {
                        base,
                        old: r_at.clone(),
                        new: at.new.clone(),
                        ..at.clone()
                    };
                    let detail = "no longer documented".to_owned();
                    self.push(&rat, Rule::ResponseRemoved, detail);
                }
                (Some((a, a_at)), Some((b, b_at))) => {
                    let rat = At {
                        base,
                        old: a_at.clone(),
                        new: b_at.clone(),
                        dirs: Dirs::RESPONSE,
                        ..at.clone()
                    };
                    match (o.has_body(status, a), n.has_body(status, b)) {
                        (false, true) => {
                            let rule = Rule::ResponseBodyAdded { success };
                            self.push(&rat, rule, "now has a body".to_owned());
                        }
                        (true, false) => {
                            let rule = Rule::ResponseBodyRemoved { success };
                            self.push(&rat, rule, "no longer has a body".to_owned());
                        }
                        _ => self.compare_content(&rat, (a, o.version), (b, n.version)),
                    }
                }
                (None, None) => {}
            }
        }
    }
}
