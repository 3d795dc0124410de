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
// are then tested eight at a time (SWAR): per class, a block-local
// `fn outside_N(w: u64) -> u64` sets the high bit of every byte of `w` that is not in
// the class, from a few additions and masks per range (every byte is first reduced to
// seven bits, so no carry crosses a byte; bytes >= 0x80 are rejected through the high
// bit of `w` itself). Fixed runs are unrolled word by word, the last word overlapping
// the one before; a final unbounded run uses `all_N(&[u8]) -> bool`.

/// A `u64` with every byte equal to `b`, as a hex literal.
fn splat(b: u8) -> TokenStream {
    let v = u64::from(b) * 0x0101_0101_0101_0101;
    let hex = format!("{v:016x}");
    let text = format!(
        "0x{}_{}_{}_{}",
        &hex[0..4],
        &hex[4..8],
        &hex[8..12],
        &hex[12..16]
    );
    syn::LitInt::new(&text, Span::call_site()).into_token_stream()
}

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

/// SWAR term over the 7-bit bytes of `var`: high bit set where the byte is in `lo..=hi`.
fn swar_range(var: &TokenStream, lo: u8, hi: u8) -> TokenStream {
    // `x + (0x80 - lo)` has the high bit iff `x >= lo`; `x + (0x7f - hi)` iff `x > hi`.
    let ge = |lo: u8| {
        let k = splat(0x80 - lo);
        quote!((#var + #k))
    };
    let gt = |hi: u8| {
        let k = splat(0x7f - hi);
        quote!((#var + #k))
    };
    match (lo, hi) {
        (0, 0x7f) => quote!(!0),
        (lo, hi) if lo == hi => {
            let c = splat(lo);
            let k = splat(0x7f);
            quote!(!((#var ^ #c) + #k))
        }
        (0, hi) => {
            let gt = gt(hi);
            quote!(!#gt)
        }
        (lo, 0x7f) => ge(lo),
        (lo, hi) => {
            let (ge, gt) = (ge(lo), gt(hi));
            quote!(#ge & !#gt)
        }
    }
}

/// `fn #name(w: u64) -> u64`: the high bit of every byte of `w` not in `set` (ASCII).
fn swar_outside_fn(name: &Ident, set: &[(u8, u8)]) -> TokenStream {
    let mut member = [false; 128];
    for &(lo, hi) in set {
        for b in lo..=hi.min(0x7f) {
            member[usize::from(b)] = true;
        }
    }
    // Letters closed under case are tested once, on the input with bit 5 set (which
    // maps `A-Z` onto `a-z` and no other byte into `a-z`).
    let letters = b'a'..=b'z';
    let has_letter = letters.clone().any(|b| member[usize::from(b)]);
    let fold = has_letter
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
    let x = quote!(x);
    let f = quote!(f);
    let mut terms: Vec<TokenStream> = ranges_of(&member)
        .into_iter()
        .map(|(lo, hi)| swar_range(&x, lo, hi))
        .chain(
            ranges_of(&lower)
                .into_iter()
                .map(|(lo, hi)| swar_range(&f, lo, hi)),
        )
        .collect();
    if terms.len() > 1 {
        for t in &mut terms {
            *t = quote!((#t));
        }
    }
    let seven = splat(0x7f);
    let high = splat(0x80);
    let fold_let = fold.then(|| {
        let case = splat(0x20);
        quote!(let f = x | #case;)
    });
    if terms.iter().any(|t| t.to_string() == "! 0") {
        return quote! {
            #[inline(always)]
            const fn #name(w: u64) -> u64 {
                w & #high
            }
        };
    }
    quote! {
        #[inline(always)]
        const fn #name(w: u64) -> u64 {
            let x = w & #seven;
            #fold_let
            let inside = #(#terms)|*;
            (w | !inside) & #high
        }
    }
}

/// Block-local helpers of a Steps matcher, declared on first use.
#[derive(Default)]
struct StepHelpers {
    /// Classes with an `outside_N` function, in order.
    classes: Vec<Vec<(u8, u8)>>,
    /// Classes with an `all_N` function (indices into `classes`).
    all: Vec<usize>,
    word: bool,
    half: bool,
}

impl StepHelpers {
    fn class(&mut self, set: &[(u8, u8)]) -> usize {
        match self.classes.iter().position(|s| s == set) {
            Some(i) => i,
            None => {
                self.classes.push(set.to_vec());
                self.classes.len() - 1
            }
        }
    }

    fn outside(&mut self, set: &[(u8, u8)]) -> Ident {
        let i = self.class(set);
        Ident::new(&format!("outside_{i}"), Span::call_site())
    }

    /// `u64` expression, zero iff every byte of `head` (exactly `len` bytes, `len >= 4`)
    /// is in `set`.
    fn fixed_run(&mut self, head: &TokenStream, set: &[(u8, u8)], len: usize) -> TokenStream {
        let outside = self.outside(set);
        let words: Vec<TokenStream> = if len < 8 {
            self.half = true;
            let last = usize_lit(len - 4);
            vec![quote!(#outside(half(#head, 0) | (half(#head, #last) << 32)))]
        } else {
            self.word = true;
            let mut offsets: Vec<usize> = (0..len / 8).map(|i| i * 8).collect();
            if len % 8 != 0 {
                offsets.push(len - 8);
            }
            offsets
                .into_iter()
                .map(|at| {
                    let at = usize_lit(at);
                    quote!(#outside(word(#head, #at)))
                })
                .collect()
        };
        quote!((#(#words)|*))
    }

    /// `bool` expression: every byte of the slice `s` is in `set`.
    fn all_of(&mut self, s: &TokenStream, set: &[(u8, u8)]) -> TokenStream {
        let i = self.class(set);
        if !self.all.contains(&i) {
            self.all.push(i);
        }
        let all = Ident::new(&format!("all_{i}"), Span::call_site());
        quote!(#all(#s))
    }

    fn items(&self) -> TokenStream {
        let mut items = Vec::new();
        if self.word || !self.all.is_empty() {
            items.push(quote! {
                /// The 8 bytes at `at`, little-endian (non-ASCII filler past the end).
                #[inline(always)]
                fn word(s: &[u8], at: usize) -> u64 {
                    s.get(at..)
                        .and_then(<[u8]>::first_chunk::<8>)
                        .map_or(u64::MAX, |w| u64::from_le_bytes(*w))
                }
            });
        }
        if self.half || !self.all.is_empty() {
            items.push(quote! {
                /// The 4 bytes at `at`, little-endian (non-ASCII filler past the end).
                #[inline(always)]
                fn half(s: &[u8], at: usize) -> u64 {
                    s.get(at..)
                        .and_then(<[u8]>::first_chunk::<4>)
                        .map_or(u64::from(u32::MAX), |w| u64::from(u32::from_le_bytes(*w)))
                }
            });
        }
        for (i, set) in self.classes.iter().enumerate() {
            let name = Ident::new(&format!("outside_{i}"), Span::call_site());
            items.push(swar_outside_fn(&name, set));
        }
        for &i in &self.all {
            let set = &self.classes[i];
            let outside = Ident::new(&format!("outside_{i}"), Span::call_site());
            let all = Ident::new(&format!("all_{i}"), Span::call_site());
            let test = byte_test(&quote!(b), set);
            items.push(quote! {
                /// Whether every byte of `s` is in the class.
                #[inline(always)]
                fn #all(s: &[u8]) -> bool {
                    let n = s.len();
                    if n >= 8 {
                        // The first and the last 8 bytes (overlapping), then the first
                        // and last 16, then any words between them.
                        let mut outside = #outside(word(s, 0)) | #outside(word(s, n - 8));
                        if n > 16 && outside == 0 {
                            outside |= #outside(word(s, 8)) | #outside(word(s, n - 16));
                            let mut at = 16;
                            while at + 16 < n {
                                outside |= #outside(word(s, at));
                                at += 8;
                            }
                        }
                        outside == 0
                    } else if n >= 4 {
                        #outside(half(s, 0) | (half(s, n - 4) << 32)) == 0
                    } else {
                        s.iter().all(|&b| #test)
                    }
                }
            });
        }
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
                let fails = if *min < 4 {
                    let test = byte_test(&b, set);
                    quote!(!#head.iter().all(|&b| #test))
                } else {
                    let outside = helpers.fixed_run(&head, set, *min as usize);
                    quote!(#outside != 0)
                };
                quote! {
                    let ::core::option::Option::Some((head, #rest)) = s.split_first_chunk::<#k>() else { #fail };
                    if #fails { #fail; }
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
        let name = Ident::new(&format!("TABLE_{}", self.tables.len()), Span::call_site());
        let len = usize_lit(ranges.len());
        let entries = ranges.iter().map(|&(lo, hi)| {
            let (lo, hi) = (char_lit(lo), char_lit(hi));
            quote!((#lo, #hi))
        });
        self.tables.push(quote! {
            static #name: [(char, char); #len] = [#(#entries),*];
        });
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
