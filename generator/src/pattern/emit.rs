//! Token emission for [`PatternPlan`]s.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{quote, ToTokens};

use super::{Dfa, DfaState, Matcher, PatternPlan, Step, Steps, Target};

/// Arms with more ranges than this test a static sorted table instead of a pattern.
const MAX_PATTERN_RANGES: usize = 16;

/// Emits a Rust expression of type `bool` that tests the `&str` bound to `input`.
///
/// [`PatternPlan::Code`] becomes plain code over bytes or chars (no allocation, no regex
/// engine). [`PatternPlan::Regex`] / [`PatternPlan::Regress`] use a block-local
/// `static RE: ::std::sync::LazyLock<..>` compiled once; the source is compiled here
/// first, and only a source that compiled is `.expect`ed at run time (one that does not
/// yields `false`). [`PatternPlan::Invalid`] is not enforced: the expression is `true`.
pub fn emit_is_match(plan: &PatternPlan, input: &Ident) -> TokenStream {
    match plan {
        PatternPlan::Code(matcher) => emit_matcher(matcher, input),
        PatternPlan::Regex(src) => {
            if regex::Regex::new(src).is_ok() {
                quote! {{
                    static RE: ::std::sync::LazyLock<::regex::Regex> =
                        ::std::sync::LazyLock::new(|| {
                            ::regex::Regex::new(#src).expect("pattern verified at generation time")
                        });
                    RE.is_match(#input)
                }}
            } else {
                quote! {{
                    static RE: ::std::sync::LazyLock<::core::option::Option<::regex::Regex>> =
                        ::std::sync::LazyLock::new(|| ::regex::Regex::new(#src).ok());
                    RE.as_ref().is_some_and(|re| re.is_match(#input))
                }}
            }
        }
        PatternPlan::Regress(src) => {
            if regress::Regex::new(src).is_ok() {
                quote! {{
                    static RE: ::std::sync::LazyLock<::regress::Regex> =
                        ::std::sync::LazyLock::new(|| {
                            ::regress::Regex::new(#src).expect("pattern verified at generation time")
                        });
                    RE.find(#input).is_some()
                }}
            } else {
                quote! {{
                    static RE: ::std::sync::LazyLock<::core::option::Option<::regress::Regex>> =
                        ::std::sync::LazyLock::new(|| ::regress::Regex::new(#src).ok());
                    RE.as_ref().is_some_and(|re| re.find(#input).is_some())
                }}
            }
        }
        PatternPlan::Invalid { .. } => quote! {{ let _ = #input; true }},
    }
}

fn emit_matcher(matcher: &Matcher, input: &Ident) -> TokenStream {
    match matcher {
        Matcher::Always => quote! {{ let _ = #input; true }},
        Matcher::Steps(steps) => emit_steps(steps, input),
        Matcher::Dfa(dfa) => emit_dfa(dfa, input),
    }
}

fn label() -> syn::Lifetime {
    syn::Lifetime::new("'pattern", Span::call_site())
}

fn byte_lit(b: u8) -> TokenStream {
    syn::LitByte::new(b, Span::call_site()).into_token_stream()
}

fn char_lit(c: char) -> TokenStream {
    Literal::character(c).into_token_stream()
}

fn usize_lit(n: usize) -> TokenStream {
    Literal::usize_unsuffixed(n).into_token_stream()
}

/// `std` method equivalent to an ASCII set, if any (clippy prefers them).
fn ascii_method<T: Copy + PartialEq + From<u8>>(set: &[(T, T)]) -> Option<&'static str> {
    let r = |a: u8, b: u8| (T::from(a), T::from(b));
    let known: [(&[(T, T)], &str); 6] = [
        (&[r(b'0', b'9')], "is_ascii_digit"),
        (&[r(b'a', b'z')], "is_ascii_lowercase"),
        (&[r(b'A', b'Z')], "is_ascii_uppercase"),
        (&[r(b'A', b'Z'), r(b'a', b'z')], "is_ascii_alphabetic"),
        (
            &[r(b'0', b'9'), r(b'A', b'Z'), r(b'a', b'z')],
            "is_ascii_alphanumeric",
        ),
        (
            &[r(b'0', b'9'), r(b'A', b'F'), r(b'a', b'f')],
            "is_ascii_hexdigit",
        ),
    ];
    known.iter().find(|(k, _)| *k == set).map(|(_, name)| *name)
}

/// Or-pattern for ranges, given a literal maker.
fn range_pattern<T: Copy + PartialEq>(
    ranges: &[(T, T)],
    lit: impl Fn(T) -> TokenStream,
) -> TokenStream {
    let alts = ranges.iter().map(|&(lo, hi)| {
        let lo_t = lit(lo);
        if lo == hi {
            lo_t
        } else {
            let hi_t = lit(hi);
            quote!(#lo_t..=#hi_t)
        }
    });
    quote!(#(#alts)|*)
}

/// A `bool` expression: is the byte `var` in `set`.
fn byte_test(var: &TokenStream, set: &[(u8, u8)]) -> TokenStream {
    if let Some(m) = ascii_method(set) {
        let m = Ident::new(m, Span::call_site());
        return quote!(#var.#m());
    }
    if let [(lo, hi)] = set {
        if lo == hi {
            let b = byte_lit(*lo);
            return quote!(#var == #b);
        }
    }
    let pat = range_pattern(set, byte_lit);
    quote!(::core::matches!(#var, #pat))
}

// ---------------------------------------------------------------------------------
// Steps
//
// The input's length is checked against the pattern's bounds first. Runs of class bytes
// are then tested 16 (or 8, or 4) at a time: per class, a block-local
// `fn class_N(b: u8) -> bool` tests one byte without branches (`wrapping_sub` range
// tests joined with `|`), and `fn all_N(&[u8]) -> bool` folds it over fixed-size chunks
// (first and last chunk overlapping), which the compiler turns into SIMD compares.

/// Maximal ranges of the members of a 128-entry membership table.
fn ranges_of(member: &[bool; 128]) -> Vec<(u8, u8)> {
    let mut out: Vec<(u8, u8)> = Vec::new();
    for b in 0u8..128 {
        if member[usize::from(b)] {
            match out.last_mut() {
                Some(last) if last.1 + 1 == b => last.1 = b,
                _ => out.push((b, b)),
            }
        }
    }
    out
}

/// Branch-free `bool` term: the byte `var` is in `lo..=hi`.
fn range_term(var: &TokenStream, lo: u8, hi: u8) -> TokenStream {
    let lo_t = byte_lit(lo);
    if lo == hi {
        quote!(#var == #lo_t)
    } else if lo == 0 {
        let hi_t = byte_lit(hi);
        quote!(#var <= #hi_t)
    } else {
        let width = Literal::u8_unsuffixed(hi - lo + 1);
        quote!(#var.wrapping_sub(#lo_t) < #width)
    }
}

/// `fn #name(b: u8) -> bool`: whether `b` is in `set` (ASCII), without branches.
fn class_fn(name: &Ident, set: &[(u8, u8)]) -> TokenStream {
    let mut member = [false; 128];
    for &(lo, hi) in set {
        for b in lo..=hi.min(0x7f) {
            member[usize::from(b)] = true;
        }
    }
    // Letters closed under case are tested once, on the byte with bit 5 set (which maps
    // `A-Z` onto `a-z` and no other byte into `a-z`).
    let letters = b'a'..=b'z';
    let fold = letters.clone().any(|b| member[usize::from(b)])
        && letters
            .clone()
            .all(|b| member[usize::from(b)] == member[usize::from(b - 0x20)]);
    let mut lower = [false; 128];
    if fold {
        for b in letters {
            lower[usize::from(b)] = member[usize::from(b)];
            member[usize::from(b)] = false;
            member[usize::from(b - 0x20)] = false;
        }
    }
    let b = quote!(b);
    let folded = quote!((b | 0x20));
    let terms: Vec<TokenStream> = ranges_of(&member)
        .into_iter()
        .map(|(lo, hi)| range_term(&b, lo, hi))
        .chain(
            ranges_of(&lower)
                .into_iter()
                .map(|(lo, hi)| range_term(&folded, lo, hi)),
        )
        .collect();
    let body = match terms.as_slice() {
        [] => quote!(false),
        [one] => one.clone(),
        many => {
            let many = many.iter().map(|t| quote!((#t)));
            quote!(#(#many)|*)
        }
    };
    quote! {
        #[inline(always)]
        const fn #name(b: u8) -> bool {
            #body
        }
    }
}

/// `fn #all(s: &[u8]) -> bool`: whether every byte of `s` passes `#class`.
fn all_fn(all: &Ident, class: &Ident) -> TokenStream {
    quote! {
        #[inline(always)]
        fn #all(s: &[u8]) -> bool {
            #[inline(always)]
            fn chunk<const N: usize>(c: &[u8; N]) -> bool {
                c.iter().fold(true, |ok, &b| ok & #class(b))
            }
            // First and last chunk (overlapping), then whole chunks in between.
            if let (::core::option::Option::Some((a, mut rest)), ::core::option::Option::Some(z)) =
                (s.split_first_chunk::<16>(), s.last_chunk::<16>())
            {
                let mut ok = chunk(a) & chunk(z);
                while ok {
                    let ::core::option::Option::Some((c, r)) = rest.split_first_chunk::<16>() else {
                        break;
                    };
                    ok = chunk(c);
                    rest = r;
                }
                ok
            } else if let (::core::option::Option::Some(a), ::core::option::Option::Some(z)) =
                (s.first_chunk::<8>(), s.last_chunk::<8>())
            {
                chunk(a) & chunk(z)
            } else if let (::core::option::Option::Some(a), ::core::option::Option::Some(z)) =
                (s.first_chunk::<4>(), s.last_chunk::<4>())
            {
                chunk(a) & chunk(z)
            } else {
                s.iter().all(|&b| #class(b))
            }
        }
    }
}

/// Block-local helpers of a Steps matcher, declared on first use.
#[derive(Default)]
struct StepHelpers {
    /// Classes with `class_N` and `all_N` functions, in order.
    classes: Vec<Vec<(u8, u8)>>,
}

impl StepHelpers {
    /// `bool` expression: every byte of the slice `s` is in `set`.
    fn all_of(&mut self, s: &TokenStream, set: &[(u8, u8)]) -> TokenStream {
        let i = match self.classes.iter().position(|c| c == set) {
            Some(i) => i,
            None => {
                self.classes.push(set.to_vec());
                self.classes.len() - 1
            }
        };
        let all = Ident::new(&format!("all_{i}"), Span::call_site());
        quote!(#all(#s))
    }

    fn items(&self) -> TokenStream {
        let items = self.classes.iter().enumerate().map(|(i, set)| {
            let class = Ident::new(&format!("class_{i}"), Span::call_site());
            let all = Ident::new(&format!("all_{i}"), Span::call_site());
            let class_fn = class_fn(&class, set);
            let all_fn = all_fn(&all, &class);
            quote!(#class_fn #all_fn)
        });
        quote!(#(#items)*)
    }
}

/// The failing condition of a length `len` outside `min..=max`, if it can fail.
fn length_fails(s: &TokenStream, min: u64, max: Option<u64>) -> Option<TokenStream> {
    let len = quote!(#s.len());
    let lit = |n: u64| usize_lit(usize::try_from(n).unwrap_or(usize::MAX));
    match (min, max) {
        (min, Some(max)) if min == max => {
            let k = lit(min);
            Some(quote!(#len != #k))
        }
        (0, Some(max)) => {
            let k = lit(max);
            Some(quote!(#len > #k))
        }
        (min, Some(max)) => {
            let (lo, hi) = (lit(min), lit(max));
            Some(quote!(!(#lo..=#hi).contains(&#len)))
        }
        (0, None) => None,
        (1, None) => Some(quote!(#s.is_empty())),
        (min, None) => {
            let k = lit(min);
            Some(quote!(#len < #k))
        }
    }
}

fn step_bounds(step: &Step) -> (u64, Option<u64>) {
    match step {
        Step::Literal(b) => (b.len() as u64, Some(b.len() as u64)),
        Step::Class { min, max, .. } => (u64::from(*min), max.map(u64::from)),
    }
}

fn emit_steps(steps: &Steps, input: &Ident) -> TokenStream {
    let label = label();
    let fail = quote!(break #label false);
    let n = steps.steps.len();
    if n == 0 {
        return if steps.end_anchored {
            quote!(#input.is_empty())
        } else {
            quote! {{ let _ = #input; true }}
        };
    }
    let (total_min, total_max) = steps
        .steps
        .iter()
        .map(step_bounds)
        .fold((0u64, Some(0u64)), |(amin, amax), (min, max)| {
            (amin + min, amax.zip(max).map(|(a, b)| a + b))
        });
    let len = quote!(s);
    let mut stmts = Vec::new();
    // Wrong lengths fail first, in one or two comparisons.
    let precheck = if steps.end_anchored {
        length_fails(&len, total_min, total_max)
    } else {
        length_fails(&len, total_min, None)
    };
    if let Some(c) = &precheck {
        stmts.push(quote! { if #c { #fail; } });
    }
    let mut helpers = StepHelpers::default();
    // Whether the steps so far consume a fixed number of bytes (then the precheck
    // already bounds what is left).
    let mut fixed_so_far = true;
    let b = quote!(b);
    let head = quote!(head);
    let mut tail = if steps.end_anchored {
        quote!(s.is_empty())
    } else {
        quote!(true)
    };
    for (i, step) in steps.steps.iter().enumerate() {
        let last = i + 1 == n;
        // What is left after the step, unused after the last one of an unanchored end.
        let rest = if last && !steps.end_anchored {
            quote!(_)
        } else {
            quote!(s)
        };
        stmts.push(match step {
            Step::Literal(bytes) => {
                let lit = syn::LitByteStr::new(bytes, Span::call_site());
                if last {
                    tail = if steps.end_anchored {
                        quote!(s == #lit)
                    } else {
                        quote!(s.starts_with(#lit))
                    };
                    break;
                }
                quote! {
                    let ::core::option::Option::Some(s) = s.strip_prefix(#lit) else { #fail };
                }
            }
            Step::Class { set, min, max } if Some(*min) == *max && *min == 1 => {
                let test = byte_test(&b, set);
                quote! {
                    let ::core::option::Option::Some((&b, #rest)) = s.split_first() else { #fail };
                    if !(#test) { #fail; }
                }
            }
            Step::Class { set, min, max } if Some(*min) == *max => {
                let k = usize_lit(*min as usize);
                let all = helpers.all_of(&head, set);
                quote! {
                    let ::core::option::Option::Some((head, #rest)) = s.split_first_chunk::<#k>() else { #fail };
                    if !#all { #fail; }
                }
            }
            Step::Class { set, min, max } if last && steps.end_anchored => {
                // The rest of the input, all of it in the class.
                let bounds = if fixed_so_far {
                    None
                } else {
                    length_fails(&len, u64::from(*min), max.map(u64::from))
                };
                if let Some(c) = bounds {
                    stmts.push(quote! { if #c { #fail; } });
                }
                tail = helpers.all_of(&quote!(s), set);
                break;
            }
            Step::Class { set, min, max } => {
                let test = byte_test(&b, set);
                let take = max.map(|m| {
                    let m = usize_lit(m as usize);
                    quote!(.take(#m))
                });
                let check = (*min > 0).then(|| {
                    let k = usize_lit(*min as usize);
                    quote! { if n < #k { #fail; } }
                });
                quote! {
                    let n = s.iter()#take.take_while(|&&b| #test).count();
                    #check
                    let s = &s[n..];
                }
            }
        });
        let (min, max) = step_bounds(step);
        fixed_so_far &= Some(min) == max;
    }
    let items = helpers.items();
    let uses_label = stmts.iter().any(|s| !s.is_empty());
    if uses_label {
        quote! {
            #label: {
                #items
                let s = #input.as_bytes();
                #(#stmts)*
                #tail
            }
        }
    } else {
        quote! {{
            #items
            let s = #input.as_bytes();
            #tail
        }}
    }
}

// ---------------------------------------------------------------------------------
// DFA

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

fn emit_dfa(dfa: &Dfa, input: &Ident) -> TokenStream {
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
