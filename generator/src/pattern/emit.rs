//! Token emission for [`PatternPlan`]s.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::quote;

use super::emit_dfa::emit_dfa;
use super::literals::*;
use super::plan::{Matcher, PatternPlan, Step, Steps};

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
