//! Token emission of a [`Matcher::Dfa`](super::Matcher::Dfa): a minimised
//! search DFA written out as nested `match`es, with static tables for
//! large classes.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::literals::*;
use super::plan::{Dfa, DfaState, Target};

struct DfaEmitter<'a> {
    dfa: &'a Dfa,
    tables: Vec<TokenStream>,
    /// Tables already declared, by their ranges: states that test the same
    /// class share one table.
    table_names: std::collections::BTreeMap<Vec<(char, char)>, Ident>,
}

impl DfaEmitter<'_> {
    fn target(&self, t: Target) -> TokenStream {
        let label = label();
        match t {
            Target::Reject => quote!(break #label false),
            Target::Accept => quote!(break #label true),
            Target::State(n) => usize_lit(n),
        }
    }

    /// Pattern (and optional guard) matching the unit `c` against `ranges`.
    fn arm_pattern(&mut self, ranges: &[(char, char)]) -> TokenStream {
        if self.dfa.bytes {
            let bytes: Vec<(u8, u8)> = ranges
                .iter()
                .filter_map(|&(lo, hi)| {
                    let lo = u8::try_from(u32::from(lo)).ok()?;
                    let hi = u8::try_from(u32::from(hi).min(0xFF)).ok()?;
                    Some((lo, hi))
                })
                .collect();
            range_pattern(&bytes, byte_lit)
        } else if ranges.len() > MAX_PATTERN_RANGES {
            let table = self.table(ranges);
            quote!(c if #table)
        } else {
            range_pattern(ranges, char_lit)
        }
    }

    /// Declares a static table for `ranges`; returns the membership test for `c`.
    fn table(&mut self, ranges: &[(char, char)]) -> TokenStream {
        let name = match self.table_names.get(ranges) {
            Some(name) => name.clone(),
            None => {
                let name = Ident::new(&format!("TABLE_{}", self.tables.len()), Span::call_site());
                let len = usize_lit(ranges.len());
                let entries = ranges.iter().map(|&(lo, hi)| {
                    let (lo, hi) = (char_lit(lo), char_lit(hi));
                    quote!((#lo, #hi))
                });
                self.tables.push(quote! {
                    static #name: [(char, char); #len] = [#(#entries),*];
                });
                self.table_names.insert(ranges.to_vec(), name.clone());
                name
            }
        };
        quote! {
            #name
                .get(#name.partition_point(|&(_, hi)| hi < c))
                .is_some_and(|&(lo, _)| lo <= c)
        }
    }

    /// `match c { .. }` (or just the target) for one state.
    fn state_body(&mut self, state: &DfaState) -> TokenStream {
        let otherwise = self.target(state.otherwise);
        if state.arms.is_empty() {
            return otherwise;
        }
        let arms: Vec<TokenStream> = state
            .arms
            .iter()
            .map(|(ranges, t)| {
                let pat = self.arm_pattern(ranges);
                let t = self.target(*t);
                quote!(#pat => #t,)
            })
            .collect();
        quote! {
            match c {
                #(#arms)*
                _ => #otherwise,
            }
        }
    }

    /// A `bool` test of `c` for the degenerate single-state DFA.
    fn unit_test(&mut self, state: &DfaState) -> Option<TokenStream> {
        // Accepting ranges, or the complement of the rejecting ones.
        let (ranges, negate): (Vec<(char, char)>, bool) = if state.otherwise == Target::Accept {
            (
                state
                    .arms
                    .iter()
                    .flat_map(|(r, _)| r.iter().copied())
                    .collect(),
                true,
            )
        } else {
            (
                state
                    .arms
                    .iter()
                    .filter(|(_, t)| *t == Target::Accept)
                    .flat_map(|(r, _)| r.iter().copied())
                    .collect(),
                false,
            )
        };
        let mut ranges = ranges;
        if ranges.is_empty() {
            return None;
        }
        ranges.sort_unstable();
        let test = if self.dfa.bytes {
            let bytes: Vec<(u8, u8)> = ranges
                .iter()
                .filter_map(|&(lo, hi)| {
                    Some((
                        u8::try_from(u32::from(lo)).ok()?,
                        u8::try_from(u32::from(hi).min(0xFF)).ok()?,
                    ))
                })
                .collect();
            byte_test(&quote!(c), &bytes)
        } else if let Some(m) = ascii_method(&ranges) {
            let m = Ident::new(m, Span::call_site());
            quote!(c.#m())
        } else if ranges.len() > MAX_PATTERN_RANGES {
            self.table(&ranges)
        } else {
            let pat = range_pattern(&ranges, char_lit);
            quote!(::core::matches!(c, #pat))
        };
        Some(if negate { quote!(!(#test)) } else { test })
    }
}

pub(super) fn emit_dfa(dfa: &Dfa, input: &Ident) -> TokenStream {
    let mut e = DfaEmitter {
        dfa,
        tables: Vec::new(),
        table_names: std::collections::BTreeMap::new(),
    };
    let label = label();
    let units = if dfa.bytes {
        quote!(#input.bytes())
    } else {
        quote!(#input.chars())
    };
    let loops = dfa.states.iter().any(|s| {
        std::iter::once(&s.otherwise)
            .chain(s.arms.iter().map(|(_, t)| t))
            .any(|t| matches!(t, Target::State(_)))
    });
    if !loops {
        // Only the first unit matters.
        let state = &dfa.states[0];
        let Some(test) = e.unit_test(state) else {
            // Every first unit leads to the same answer.
            let any = state.otherwise == Target::Accept;
            return match (any, state.accept_at_end) {
                (true, true) => quote! {{ let _ = #input; true }},
                (true, false) => quote!(!#input.is_empty()),
                (false, true) => quote!(#input.is_empty()),
                (false, false) => quote! {{ let _ = #input; false }},
            };
        };
        let tables = &e.tables;
        let first = if dfa.bytes {
            quote!(#input.as_bytes().first().copied())
        } else {
            quote!(#input.chars().next())
        };
        let body = if state.accept_at_end {
            quote!(#first.map_or(true, |c| #test))
        } else {
            quote!(#first.is_some_and(|c| #test))
        };
        return quote! {{
            #(#tables)*
            #body
        }};
    }
    let uses_unit = dfa.states.iter().any(|s| !s.arms.is_empty());
    let states: Vec<TokenStream> = dfa
        .states
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let n = usize_lit(i);
            let body = e.state_body(s);
            quote!(#n => #body,)
        })
        .collect();
    // Runs of consecutive accepting states as ranges (clippy: manual_range_patterns).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (i, _) in dfa
        .states
        .iter()
        .enumerate()
        .filter(|(_, s)| s.accept_at_end)
    {
        match runs.last_mut() {
            Some(last) if last.1 + 1 == i => last.1 = i,
            _ => runs.push((i, i)),
        }
    }
    let accepting: Vec<TokenStream> = runs
        .iter()
        .map(|&(lo, hi)| {
            let lo_t = usize_lit(lo);
            let hi_t = usize_lit(hi);
            if lo == hi {
                lo_t
            } else {
                quote!(#lo_t..=#hi_t)
            }
        })
        .collect();
    let end = if accepting.is_empty() {
        quote!(false)
    } else {
        quote!(::core::matches!(state, #(#accepting)|*))
    };
    let unit = if uses_unit { quote!(c) } else { quote!(_) };
    let tables = &e.tables;
    quote! {
        #label: {
            #(#tables)*
            let mut state: usize = 0;
            for #unit in #units {
                state = match state {
                    #(#states)*
                    _ => break #label false,
                };
            }
            #end
        }
    }
}
