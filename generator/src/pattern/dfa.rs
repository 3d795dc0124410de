//! Node tree -> Thompson NFA -> search DFA (subset construction, then minimisation).
//!
//! The DFA answers "does some substring match" (ECMA `test` semantics): after every
//! character the NFA start is added again, `^` only holds before the first character
//! and `$` only after the last one. Reaching the NFA's final state before the end means
//! the answer is yes whatever follows, so such transitions become [`Target::Accept`].

use std::collections::{BTreeMap, BTreeSet};

use regex_syntax::hir::ClassUnicode;

use super::parse::Node;
use super::plan::{Dfa, DfaState, Target};

/// Largest NFA we build (states); larger patterns go to a regex engine.
const MAX_NFA: usize = 20_000;
/// Largest DFA we emit as code (states after minimisation).
pub(crate) const MAX_DFA: usize = 400;
/// Largest DFA explored before minimisation.
const MAX_RAW_DFA: usize = 5_000;

#[derive(Debug, Clone)]
enum NState {
    Char(usize, usize),
    Split(Vec<usize>),
    Start(usize),
    End(usize),
    Match,
}

struct Nfa {
    states: Vec<NState>,
    sets: Vec<ClassUnicode>,
}

/// Why no DFA was built.
#[derive(Debug)]
pub(crate) enum DfaError {
    /// `\b` / `\B`.
    WordBoundary,
    /// Too many states.
    TooLarge,
}

impl Nfa {
    fn push(&mut self, s: NState) -> Result<usize, DfaError> {
        if self.states.len() >= MAX_NFA {
            return Err(DfaError::TooLarge);
        }
        self.states.push(s);
        Ok(self.states.len() - 1)
    }

    /// Compiles `node` so that it continues to `next`; returns the entry state.
    fn compile(&mut self, node: &Node, next: usize) -> Result<usize, DfaError> {
        match node {
            Node::Empty => Ok(next),
            Node::Set(set) => {
                let id = match self.sets.iter().position(|s| s == set) {
                    Some(id) => id,
                    None => {
                        self.sets.push(set.clone());
                        self.sets.len() - 1
                    }
                };
                self.push(NState::Char(id, next))
            }
            Node::Start => self.push(NState::Start(next)),
            Node::End => self.push(NState::End(next)),
            Node::WordBoundary(_) => Err(DfaError::WordBoundary),
            Node::Concat(items) => {
                let mut next = next;
                for item in items.iter().rev() {
                    next = self.compile(item, next)?;
                }
                Ok(next)
            }
            Node::Alt(alts) => {
                let entries = alts
                    .iter()
                    .map(|a| self.compile(a, next))
                    .collect::<Result<Vec<_>, _>>()?;
                self.push(NState::Split(entries))
            }
            Node::Repeat { node, min, max } => {
                let mut next = next;
                match max {
                    None => {
                        // x* : loop state L = Split[body -> L, next]
                        let l = self.push(NState::Split(Vec::new()))?;
                        let body = self.compile(node, l)?;
                        self.states[l] = NState::Split(vec![body, next]);
                        next = l;
                    }
                    Some(max) => {
                        for _ in *min..*max {
                            let body = self.compile(node, next)?;
                            next = self.push(NState::Split(vec![body, next]))?;
                        }
                    }
                }
                for _ in 0..*min {
                    next = self.compile(node, next)?;
                }
                Ok(next)
            }
        }
    }

    /// Epsilon closure of `seeds`, keeping only consuming/pending/final states.
    fn closure(&self, seeds: &[usize], at_start: bool, at_end: bool) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        let mut seen = vec![false; self.states.len()];
        let mut stack: Vec<usize> = seeds.iter().rev().copied().collect();
        while let Some(s) = stack.pop() {
            if std::mem::replace(&mut seen[s], true) {
                continue;
            }
            match &self.states[s] {
                NState::Char(..) | NState::Match => {
                    out.insert(s);
                }
                NState::Split(v) => stack.extend(v.iter().rev()),
                NState::Start(n) => {
                    if at_start {
                        stack.push(*n);
                    }
                }
                NState::End(n) => {
                    if at_end {
                        stack.push(*n);
                    } else {
                        out.insert(s);
                    }
                }
            }
        }
        out
    }
}

/// A character class of the alphabet partition: ranges and which NFA sets contain it.
struct AlphaClass {
    ranges: Vec<(u32, u32)>,
    members: Vec<bool>,
}

fn partition(sets: &[ClassUnicode]) -> Vec<AlphaClass> {
    let mut bounds = BTreeSet::new();
    bounds.insert(0u32);
    bounds.insert(0x11_0000);
    for set in sets {
        for r in set.ranges() {
            bounds.insert(u32::from(r.start()));
            bounds.insert(u32::from(r.end()) + 1);
        }
    }
    let bounds: Vec<u32> = bounds.into_iter().collect();
    let mut by_sig: BTreeMap<Vec<bool>, Vec<(u32, u32)>> = BTreeMap::new();
    for w in bounds.windows(2) {
        let (lo, hi) = (w[0], w[1] - 1);
        let Some((lo, hi)) = clamp_surrogates(lo, hi) else {
            continue;
        };
        let probe = char::from_u32(lo).unwrap_or('\0');
        let sig: Vec<bool> = sets
            .iter()
            .map(|s| {
                s.ranges()
                    .iter()
                    .any(|r| r.start() <= probe && probe <= r.end())
            })
            .collect();
        let ranges = by_sig.entry(sig).or_default();
        match ranges.last_mut() {
            Some(last) if last.1 + 1 == lo || (last.1 == 0xD7FF && lo == 0xE000) => last.1 = hi,
            _ => ranges.push((lo, hi)),
        }
    }
    by_sig
        .into_iter()
        .map(|(members, ranges)| AlphaClass { ranges, members })
        .collect()
}

/// Drops the surrogate gap from an interval of scalar values.
fn clamp_surrogates(lo: u32, hi: u32) -> Option<(u32, u32)> {
    let lo = if (0xD800..=0xDFFF).contains(&lo) {
        0xE000
    } else {
        lo
    };
    let hi = if (0xD800..=0xDFFF).contains(&hi) {
        0xD7FF
    } else {
        hi
    };
    (lo <= hi).then_some((lo, hi))
}

/// Builds the minimised search DFA for `node`.
pub(crate) fn build(node: &Node) -> Result<Dfa, DfaError> {
    let mut nfa = Nfa {
        states: Vec::new(),
        sets: Vec::new(),
    };
    let done = nfa.push(NState::Match)?;
    let start = nfa.compile(node, done)?;
    let has_start_assertion = nfa.states.iter().any(|s| matches!(s, NState::Start(_)));
    let alphabet = partition(&nfa.sets);

    let initial = nfa.closure(&[start], true, false);
    let restart = nfa.closure(&[start], false, false);
    let contains_match = |set: &BTreeSet<usize>| set.contains(&done);
    if contains_match(&initial) {
        return Ok(Dfa {
            states: Vec::new(),
            bytes: true,
        });
    }

    // Raw subset construction. Key: (NFA set, is the initial position).
    type Key = (BTreeSet<usize>, bool);
    let mut ids: BTreeMap<Key, usize> = BTreeMap::new();
    let mut keys: Vec<Key> = Vec::new();
    let mut trans: Vec<Vec<Target>> = Vec::new();
    let first: Key = (initial, has_start_assertion);
    ids.insert(first.clone(), 0);
    keys.push(first);
    let mut i = 0;
    while i < keys.len() {
        let (set, _) = keys[i].clone();
        let mut row = Vec::with_capacity(alphabet.len());
        for class in &alphabet {
            let mut seeds = Vec::new();
            for &s in &set {
                if let NState::Char(id, next) = nfa.states[s] {
                    if class.members[id] {
                        seeds.push(next);
                    }
                }
            }
            let mut next = nfa.closure(&seeds, false, false);
            next.extend(restart.iter().copied());
            let target = if contains_match(&next) {
                Target::Accept
            } else if next.is_empty() {
                Target::Reject
            } else {
                let key = (next, false);
                let id = match ids.get(&key) {
                    Some(&id) => id,
                    None => {
                        if keys.len() >= MAX_RAW_DFA {
                            return Err(DfaError::TooLarge);
                        }
                        ids.insert(key.clone(), keys.len());
                        keys.push(key);
                        keys.len() - 1
                    }
                };
                Target::State(id)
            };
            row.push(target);
        }
        trans.push(row);
        i += 1;
    }
    let accept_at_end: Vec<bool> = keys
        .iter()
        .map(|(set, initial)| {
            let pending: Vec<usize> = set.iter().copied().collect();
            contains_match(&nfa.closure(&pending, *initial, true))
        })
        .collect();

    let (trans, accept_at_end) = minimise(&trans, &accept_at_end);
    // Scanning bytes is exact when only ASCII characters are ever consumed: every
    // other byte then behaves like any other unmatched character (see `emit`).
    let bytes = alphabet
        .iter()
        .all(|c| c.members.iter().all(|m| !m) || c.ranges.iter().all(|&(_, hi)| hi < 0x80));
    if trans.len() > MAX_DFA {
        return Err(DfaError::TooLarge);
    }

    let to_chars = |ranges: &[(u32, u32)]| -> Vec<(char, char)> {
        ranges
            .iter()
            .filter_map(|&(lo, hi)| Some((char::from_u32(lo)?, char::from_u32(hi)?)))
            .collect()
    };
    let states = trans
        .iter()
        .zip(&accept_at_end)
        .map(|(row, &accept)| {
            // Group the alphabet classes by target; the target owning the most ranges
            // becomes the default arm.
            let mut groups: BTreeMap<Target, Vec<(u32, u32)>> = BTreeMap::new();
            for (class, target) in alphabet.iter().zip(row) {
                groups.entry(*target).or_default().extend(&class.ranges);
            }
            // In byte mode the default arm must be the target of non-ASCII characters.
            let otherwise = if bytes {
                groups
                    .iter()
                    .find(|(_, r)| r.iter().any(|&(lo, hi)| lo <= 0x80 && 0x80 <= hi))
                    .map(|(t, _)| *t)
            } else {
                groups
                    .iter()
                    .max_by_key(|(t, r)| (r.len(), std::cmp::Reverse(**t)))
                    .map(|(t, _)| *t)
            }
            .unwrap_or(Target::Reject);
            let arms = groups
                .into_iter()
                .filter(|(t, _)| *t != otherwise)
                .map(|(t, mut r)| {
                    r.sort_unstable();
                    (to_chars(&merge(r)), t)
                })
                .collect();
            DfaState {
                arms,
                otherwise,
                accept_at_end: accept,
            }
        })
        .collect();
    Ok(Dfa { states, bytes })
}

fn merge(ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for (lo, hi) in ranges {
        match out.last_mut() {
            Some(last) if last.1 + 1 >= lo || (last.1 == 0xD7FF && lo == 0xE000) => {
                last.1 = last.1.max(hi)
            }
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// Moore partition refinement; state 0 stays the initial state.
fn minimise(trans: &[Vec<Target>], accept: &[bool]) -> (Vec<Vec<Target>>, Vec<bool>) {
    let n = trans.len();
    let mut block: Vec<usize> = accept.iter().map(|&a| usize::from(a)).collect();
    loop {
        let mut sigs: BTreeMap<(usize, Vec<Target>), usize> = BTreeMap::new();
        let mut next_block = vec![0; n];
        // Number blocks in order of first appearance so that state 0 keeps block 0.
        for s in 0..n {
            let row: Vec<Target> = trans[s]
                .iter()
                .map(|t| match t {
                    Target::State(x) => Target::State(block[*x]),
                    other => *other,
                })
                .collect();
            let len = sigs.len();
            next_block[s] = *sigs.entry((block[s], row)).or_insert(len);
        }
        let stable = sigs.len() == block.iter().collect::<BTreeSet<_>>().len();
        block = next_block;
        if stable {
            break;
        }
    }
    let count = block.iter().max().map_or(0, |m| m + 1);
    let mut out_trans = vec![Vec::new(); count];
    let mut out_accept = vec![false; count];
    for s in 0..n {
        let b = block[s];
        if out_trans[b].is_empty() {
            out_trans[b] = trans[s]
                .iter()
                .map(|t| match t {
                    Target::State(x) => Target::State(block[*x]),
                    other => *other,
                })
                .collect();
            out_accept[b] = accept[s];
        }
    }
    (out_trans, out_accept)
}
