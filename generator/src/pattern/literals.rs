//! Small token helpers both pattern emitters share: literals, the loop
//! label, ASCII class methods and range patterns.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{quote, ToTokens};

/// Arms with more ranges than this test a static sorted table instead of a pattern.
pub(super) const MAX_PATTERN_RANGES: usize = 16;

pub(super) fn label() -> syn::Lifetime {
    syn::Lifetime::new("'pattern", Span::call_site())
}

pub(super) fn byte_lit(b: u8) -> TokenStream {
    syn::LitByte::new(b, Span::call_site()).into_token_stream()
}

pub(super) fn char_lit(c: char) -> TokenStream {
    Literal::character(c).into_token_stream()
}

pub(super) fn usize_lit(n: usize) -> TokenStream {
    Literal::usize_unsuffixed(n).into_token_stream()
}

/// `std` method equivalent to an ASCII set, if any (clippy prefers them).
pub(super) fn ascii_method<T: Copy + PartialEq + From<u8>>(set: &[(T, T)]) -> Option<&'static str> {
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
pub(super) fn range_pattern<T: Copy + PartialEq>(
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
pub(super) fn byte_test(var: &TokenStream, set: &[(u8, u8)]) -> TokenStream {
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
