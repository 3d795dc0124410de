//! OpenAPI `pattern` keywords -> Rust matcher code, decided at generation time.
//!
//! Patterns are ECMA-262 regular expressions without flags, searched (not anchored
//! unless they say so). [`plan`] decides how a pattern is enforced; [`emit_is_match`]
//! writes a `bool` expression over the `&str` bound to a given identifier.
//!
//! Most patterns become straight Rust code ([`PatternPlan::Code`]): either a greedy scan
//! over ASCII byte classes ([`Matcher::Steps`], for the common `^[class]{n}…$` shapes) or
//! a minimised search DFA written out as nested `match`es ([`Matcher::Dfa`]). Only
//! look-around and backreferences need the `regress` crate at run time; word boundaries
//! and patterns too large for code use the `regex` crate.
//!
//! Deliberate deviations from strict flag-less ECMA-262, both in the direction of what
//! spec authors mean:
//! - `\p{..}`/`\P{..}` are Unicode property escapes (strictly they would be the
//!   characters `p{..}`), see `parse::UNICODE_PROPERTY_ESCAPES`;
//! - the input is a sequence of Unicode scalar values, as with `regress` on `&str`, not
//!   of UTF-16 code units (differs only for `.`/negated classes and characters outside
//!   the Basic Multilingual Plane).

mod dfa;
mod emit;
mod emit_dfa;
mod literals;
mod parse;
mod plan;
mod rust_syntax;

use parse::{Node, ParseError};

pub use emit::emit_is_match;
pub use plan::{Dfa, DfaState, Engine, Matcher, PatternPlan, Step, Steps, Target};

/// Decides how `pattern` (an OpenAPI / ECMA-262 pattern) is enforced.
pub fn plan(pattern: &str) -> PatternPlan {
    if let Some(reason) = not_a_regex(pattern) {
        return PatternPlan::Invalid { reason };
    }
    match parse::parse(pattern) {
        Err(ParseError::Syntax(why)) => match regress_check(pattern, "") {
            // Our parser is stricter than ECMA somewhere: trust the ECMA engine.
            Ok(()) => PatternPlan::Regress(pattern.to_owned()),
            Err(e) => PatternPlan::Invalid {
                reason: format!("not a valid ECMA-262 regular expression: {why} ({e})"),
            },
        },
        Err(ParseError::NeedsEcma(_)) => match regress_check(pattern, "") {
            Ok(()) => PatternPlan::Regress(pattern.to_owned()),
            Err(e) => PatternPlan::Invalid {
                reason: format!("not a valid ECMA-262 regular expression: {e}"),
            },
        },
        Ok(parsed) => {
            let flags = if parsed.uses_properties { "u" } else { "" };
            if let Err(e) = regress_check(pattern, flags) {
                return PatternPlan::Invalid {
                    reason: format!("not a valid ECMA-262 regular expression: {e}"),
                };
            }
            plan_parsed(&parsed.node, pattern)
        }
    }
}

fn plan_parsed(node: &Node, pattern: &str) -> PatternPlan {
    if let Some(steps) = steps_of(node) {
        if steps.steps.is_empty() && !steps.end_anchored {
            return PatternPlan::Code(Matcher::Always);
        }
        return PatternPlan::Code(Matcher::Steps(steps));
    }
    match dfa::build(node) {
        Ok(d) if d.states.is_empty() => PatternPlan::Code(Matcher::Always),
        Ok(d) => PatternPlan::Code(Matcher::Dfa(d)),
        Err(_) => {
            let src = rust_syntax::to_rust(node);
            if regex::Regex::new(&src).is_ok() {
                PatternPlan::Regex(src)
            } else if regress_check(pattern, "").is_ok() {
                PatternPlan::Regress(pattern.to_owned())
            } else {
                PatternPlan::Invalid {
                    reason: "too large for generated code and for the regex crate".to_owned(),
                }
            }
        }
    }
}

fn regress_check(pattern: &str, flags: &str) -> Result<(), String> {
    regress::Regex::with_flags(pattern, flags)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Valid ECMA-262 text that evidently is not meant as a regular expression.
fn not_a_regex(pattern: &str) -> Option<String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut placeholders = 0;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' {
            let next = chars.get(i + 1).copied();
            if next == Some('\\') {
                if let Some(&c) = chars.get(i + 2) {
                    if matches!(c, 'd' | 'D' | 'w' | 'W' | 's' | 'S' | 'b' | 'B') {
                        return Some(format!(
                            "double-escaped `\\\\{c}`: as ECMA-262 it matches a literal \
                             backslash followed by `{c}`, evidently a mis-escaped `\\{c}`"
                        ));
                    }
                }
            }
            if next == Some('{') {
                // `\{NAME\}` with an upper-case name: a URI template placeholder.
                let mut j = i + 2;
                while chars.get(j).is_some_and(|c| {
                    c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '-' | '_')
                }) {
                    j += 1;
                }
                if j > i + 2 && chars.get(j) == Some(&'\\') && chars.get(j + 1) == Some(&'}') {
                    placeholders += 1;
                }
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    (placeholders >= 2).then(|| {
        "a URI template with `\\{PLACEHOLDER\\}` segments, not a regular expression".to_owned()
    })
}

/// Flattens groups and concatenations.
fn flatten<'a>(node: &'a Node, out: &mut Vec<&'a Node>) {
    match node {
        Node::Concat(items) => items.iter().for_each(|n| flatten(n, out)),
        Node::Empty => {}
        other => out.push(other),
    }
}

/// ASCII byte ranges of a node that is a single ASCII character class.
fn ascii_set(node: &Node) -> Option<Vec<(u8, u8)>> {
    let Node::Set(set) = node else { return None };
    if set.ranges().is_empty() {
        return None;
    }
    set.ranges()
        .iter()
        .map(|r| {
            let lo = u8::try_from(u32::from(r.start())).ok()?;
            let hi = u8::try_from(u32::from(r.end())).ok()?;
            (hi < 0x80).then_some((lo, hi))
        })
        .collect()
}

/// (set, min, max) of a possibly repeated ASCII class.
type ClassStep = (Vec<(u8, u8)>, u32, Option<u32>);

/// The [`ClassStep`] of a possibly repeated ASCII class.
fn class_step(node: &Node) -> Option<ClassStep> {
    match node {
        Node::Set(_) => Some((ascii_set(node)?, 1, Some(1))),
        Node::Concat(items) if items.len() == 1 => class_step(&items[0]),
        Node::Alt(alts) if alts.len() == 1 => class_step(&alts[0]),
        Node::Repeat { node, min, max } => {
            let (set, imin, imax) = class_step(node)?;
            if Some(imin) == imax {
                Some((
                    set,
                    min.checked_mul(imin)?,
                    match max {
                        Some(m) => Some(m.checked_mul(imin)?),
                        None => None,
                    },
                ))
            } else if *min == 1 && *max == Some(1) {
                Some((set, imin, imax))
            } else {
                None
            }
        }
        _ => None,
    }
}

fn overlaps(a: &[(u8, u8)], b: &[(u8, u8)]) -> bool {
    a.iter()
        .any(|&(alo, ahi)| b.iter().any(|&(blo, bhi)| alo <= bhi && blo <= ahi))
}

/// Recognises `^ class{m,n} class{m,n} … $?` where greedy scanning is exact.
fn steps_of(node: &Node) -> Option<Steps> {
    let mut items = Vec::new();
    flatten(node, &mut items);
    if items.first() != Some(&&Node::Start) {
        return None;
    }
    let end_anchored = items.last() == Some(&&Node::End);
    let body = &items[1..items.len() - usize::from(end_anchored)];
    let mut classes = Vec::with_capacity(body.len());
    for item in body {
        classes.push(class_step(item)?);
    }
    // A variable-length class must be disjoint from everything that may come next:
    // the following classes up to and including the first one that is required.
    for (i, (set, min, max)) in classes.iter().enumerate() {
        if Some(*min) == *max {
            continue;
        }
        for (next, nmin, _) in &classes[i + 1..] {
            if overlaps(set, next) {
                return None;
            }
            if *nmin > 0 {
                break;
            }
        }
    }
    if !end_anchored {
        // Only a prefix must match: drop trailing optional steps, keep the required
        // minimum of the last one.
        while classes.last().is_some_and(|c| c.1 == 0) {
            classes.pop();
        }
        if let Some(last) = classes.last_mut() {
            last.2 = Some(last.1);
        }
    }
    let mut steps: Vec<Step> = Vec::new();
    for (set, min, max) in classes {
        if min == 1 && max == Some(1) && set.len() == 1 && set[0].0 == set[0].1 {
            if let Some(Step::Literal(bytes)) = steps.last_mut() {
                bytes.push(set[0].0);
                continue;
            }
            steps.push(Step::Literal(vec![set[0].0]));
        } else if max == Some(0) {
            continue;
        } else {
            steps.push(Step::Class { set, min, max });
        }
    }
    Some(Steps {
        steps,
        end_anchored,
    })
}

#[cfg(test)]
mod tests;
