//! Comparing the fields of two objects (`allOf` members merged): added,
//! removed, moved in or out of a direction by `readOnly`/`writeOnly`, made
//! required, optional, nullable or not, and their schemas.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::read::{collect_props, field_flags, rust_type, shaped, Dirs};
use super::rule::Rule;
use super::schema::{At, Differ};
use crate::ir::View;
use crate::names::field_name;

/// Whether a field with these `(readOnly, writeOnly, nullable)` flags is in
/// the type of `view`.
fn visible(flags: (bool, bool, bool), view: View) -> bool {
    match view {
        View::Request => !flags.0,
        View::Response => !flags.1,
    }
}

impl<'v> Differ<'v> {
    pub(super) fn compare_fields(&mut self, at: &At<'_>, o: &'v Value, n: &'v Value, depth: usize) {
        let (mut op, mut oreq) = (BTreeMap::new(), BTreeSet::new());
        let (mut np, mut nreq) = (BTreeMap::new(), BTreeSet::new());
        collect_props(self.old, o, &at.old, &mut op, &mut oreq, 0);
        collect_props(self.new, n, &at.new, &mut np, &mut nreq, 0);
        let names: BTreeSet<&String> = op.keys().chain(np.keys()).collect();
        let views = at.dirs.views();
        for wire in names {
            let rust = field_name(wire);
            let label = if &rust == wire {
                String::new()
            } else {
                format!("(`{wire}` on the wire) ")
            };
            match (op.get(wire), np.get(wire)) {
                (None, Some(p)) => {
                    let flags = field_flags(self.new, p.schema);
                    let seen: Vec<View> = views
                        .iter()
                        .copied()
                        .filter(|&v| visible(flags, v))
                        .collect();
                    let Some(&first) = seen.first() else { continue };
                    let required = nreq.contains(wire);
                    let request = seen.contains(&View::Request);
                    let view = if required && request {
                        View::Request
                    } else {
                        first
                    };
                    let ty = shaped(
                        &rust_type(self.new, p.schema, view, 0),
                        required,
                        flags.2,
                        view,
                    );
                    let field_at = at.field(&rust, at.old.clone(), p.at.clone(), at.dirs);
                    let detail = format!(
                        "{label}`{ty}` added{}",
                        if required { ", required" } else { "" }
                    );
                    self.push(&field_at, Rule::FieldAdded { request, required }, detail);
                }
                (Some(p), None) => {
                    let flags = field_flags(self.old, p.schema);
                    if !views.iter().any(|&v| visible(flags, v)) {
                        continue;
                    }
                    let field_at = at.field(&rust, p.at.clone(), at.new.clone(), at.dirs);
                    self.push(&field_at, Rule::FieldRemoved, format!("{label}removed"));
                }
                (Some(a), Some(b)) => {
                    let (of, nf) = (
                        field_flags(self.old, a.schema),
                        field_flags(self.new, b.schema),
                    );
                    let (oreq, nreq) = (oreq.contains(wire), nreq.contains(wire));
                    let field_at = at.field(&rust, a.at.clone(), b.at.clone(), at.dirs);
                    let mut both = Dirs::default();
                    for &v in &views {
                        match (visible(of, v), visible(nf, v)) {
                            (true, true) => both = both.union(Dirs::only(v)),
                            (true, false) => {
                                let what = if v == View::Request {
                                    "readOnly: gone from the request type"
                                } else {
                                    "writeOnly: gone from the response type"
                                };
                                let detail = format!("{label}now {what}");
                                self.push(&field_at, Rule::FieldHidden, detail);
                            }
                            (false, true) => {
                                let what = if v == View::Request {
                                    "no longer readOnly: now in the request type"
                                } else {
                                    "no longer writeOnly: now in the response type"
                                };
                                let rule = Rule::FieldShown {
                                    request: v == View::Request,
                                    required: nreq,
                                };
                                self.push(&field_at, rule, format!("{label}{what}"));
                            }
                            (false, false) => {}
                        }
                    }
                    let both_views = both.views();
                    let (old_root, new_root) = (self.old, self.new);
                    // The first direction in which the field's Rust type
                    // changes with required-ness and nullability: the old
                    // and new spellings.
                    let shapes = |req_o: bool,
                                  null_o: bool,
                                  req_n: bool,
                                  null_n: bool|
                     -> Option<(String, String)> {
                        both_views.iter().find_map(|&v| {
                            let inner_o = rust_type(old_root, a.schema, v, 0);
                            let inner_n = rust_type(new_root, b.schema, v, 0);
                            let so = shaped(&inner_o, req_o, null_o, v);
                            let sn = shaped(&inner_o, req_n, null_n, v);
                            (so != sn).then(|| (so, shaped(&inner_n, req_n, null_n, v)))
                        })
                    };
                    if oreq != nreq && !both_views.is_empty() {
                        let what = if nreq { "now required" } else { "now optional" };
                        let change = shapes(oreq, of.2, nreq, of.2);
                        let detail = match &change {
                            Some((x, y)) => format!("{label}{what}: `{x}` -> `{y}`"),
                            None => format!("{label}{what} (Rust type unchanged)"),
                        };
                        let rule = Rule::FieldRequired {
                            changes_type: change.is_some(),
                        };
                        self.push(&field_at, rule, detail);
                    }
                    if of.2 != nf.2 && !both_views.is_empty() {
                        let what = if nf.2 {
                            "now nullable"
                        } else {
                            "no longer nullable"
                        };
                        let change = shapes(nreq, of.2, nreq, nf.2);
                        let detail = match &change {
                            Some((x, y)) => format!("{label}{what}: `{x}` -> `{y}`"),
                            None => format!("{label}{what} (Rust type unchanged)"),
                        };
                        let rule = Rule::FieldNullable {
                            changes_type: change.is_some(),
                        };
                        self.push(&field_at, rule, detail);
                    }
                    if !both_views.is_empty() {
                        let inner = At {
                            dirs: both,
                            ..field_at
                        };
                        self.compare_schema(&inner, a.schema, b.schema, depth + 1);
                    }
                }
                (None, None) => {}
            }
        }
    }
}
