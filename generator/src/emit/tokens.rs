//! The token-level vocabulary every emitter shares: identifiers, Rust
//! spellings of IR types, and doc comments made safe for rustdoc.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::*;

/// The path generated code names models by (`crate::models::`), for
/// [`ty_tokens`] in files other than the models' own.
pub(crate) fn models() -> TokenStream {
    quote! { crate::models:: }
}

/// The type every generated operation, waiter and page stream reads error
/// bodies into: the runtime's `ApiError`, which reads whatever Atlas sends
/// (the spec's error schema says `parameters` are objects; Atlas sends
/// scalars). The one home of that rule; the spec's error schemas become
/// aliases of it ([`Api::error_body_types`]).
pub(crate) fn error_body() -> TokenStream {
    quote! { crate::runtime::ApiError }
}

pub(crate) fn ident(name: &str) -> Ident {
    // Names come from `names.rs`, which only makes valid identifiers;
    // keywords there already carry a suffix.
    Ident::new(name, Span::call_site())
}

/// Makes spec prose safe for rustdoc: no accidental code blocks or doctests,
/// no bare URLs, no brackets read as intra-doc links.
pub fn doc_text(text: &str) -> String {
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let line = line.trim_start();
        let line = line.replace("```", "`` `");
        let mut rest = line.as_str();
        while !rest.is_empty() {
            let Some(at) = rest.find("http") else {
                out.push_str(&escape_brackets(rest));
                break;
            };
            let (before, from) = rest.split_at(at);
            let end = from
                .find(|c: char| c.is_whitespace() || c == ')' || c == '>' || c == '"')
                .unwrap_or(from.len());
            let (url, after) = from.split_at(end);
            let is_url = from.starts_with("https://") || from.starts_with("http://");
            // `<https://...>` is already a link: keep its brackets.
            let autolink = is_url && before.ends_with('<') && after.starts_with('>');
            if autolink {
                out.push_str(&escape_brackets(&before[..before.len() - 1]));
                out.push('<');
                out.push_str(url);
                out.push('>');
                rest = &after[1..];
                continue;
            }
            out.push_str(&escape_brackets(before));
            let bare = is_url && !before.ends_with('(');
            if bare {
                let url_trimmed = url.trim_end_matches(['.', ',', ';', ':']);
                let tail = &url[url_trimmed.len()..];
                out.push('<');
                out.push_str(url_trimmed);
                out.push('>');
                out.push_str(tail);
            } else {
                out.push_str(url);
            }
            rest = after;
        }
    }
    out
}

pub(crate) fn escape_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let chars: Vec<char> = text.chars().collect();
    // Inside a `code span` nothing is markup, so nothing is escaped.
    let mut in_code = false;
    for (i, c) in chars.iter().enumerate() {
        if *c == '`' {
            in_code = !in_code;
        }
        if in_code {
            out.push(*c);
            continue;
        }
        match c {
            '[' => {
                // Keep `[text](url)` links; escape everything else.
                let closes_as_link = chars[i..]
                    .iter()
                    .position(|&c| c == ']')
                    .is_some_and(|j| chars.get(i + j + 1) == Some(&'('));
                if !closes_as_link {
                    out.push('\\');
                }
                out.push('[');
            }
            ']' => {
                if chars.get(i + 1) != Some(&'(') {
                    out.push('\\');
                }
                out.push(']');
            }
            // Not HTML: `the <value> can be` would be read as a tag.
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(*c),
        }
    }
    out
}

pub(crate) fn doc_attrs(doc: Option<&str>) -> TokenStream {
    match doc {
        Some(text) => {
            let text = doc_text(text);
            let lines = text.lines().map(|l| format!(" {l}"));
            quote! { #( #[doc = #lines] )* }
        }
        None => TokenStream::new(),
    }
}

pub(crate) fn doc_lines(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// The Rust type for `ty`; `models` is the path to the models module.
/// The Rust spelling of `ty` for code outside the generated crate, with
/// named types under `models_path` (e.g. `atlas_admin_api::models`).
pub fn type_path(ty: &Type, models_path: &str) -> String {
    let models: TokenStream = format!("{models_path}::").parse().unwrap_or_default();
    ty_tokens(ty, &models).to_string()
}

pub(crate) fn ty_tokens(ty: &Type, models: &TokenStream) -> TokenStream {
    match ty {
        Type::String => quote! { String },
        Type::Bool => quote! { bool },
        Type::I64 => quote! { i64 },
        Type::F64 => quote! { f64 },
        Type::DateTime => quote! { ::chrono::DateTime<::chrono::Utc> },
        Type::Date => quote! { ::chrono::NaiveDate },
        Type::Json => quote! { ::serde_json::Value },
        Type::JsonObject => {
            quote! { ::serde_json::Map<String, ::serde_json::Value> }
        }
        Type::Named(n) | Type::Newtype(n) => {
            let n = ident(n);
            quote! { #models #n }
        }
        Type::Vec(inner) => {
            let inner = ty_tokens(inner, models);
            quote! { Vec<#inner> }
        }
        Type::Binary => quote! { ::bytes::Bytes },
        Type::Text => quote! { String },
        Type::Map(inner) => {
            let inner = ty_tokens(inner, models);
            quote! { ::std::collections::BTreeMap<String, #inner> }
        }
        Type::Nullable(inner) => {
            let inner = ty_tokens(inner, models);
            quote! { Option<#inner> }
        }
        Type::Untyped => quote! { Option<::serde_json::Value> },
    }
}

#[cfg(test)]
mod tests {
    use super::doc_text;

    #[test]
    fn prose_is_made_safe_for_rustdoc() {
        assert_eq!(doc_text("see https://x.y/z."), "see <https://x.y/z>.");
        assert_eq!(doc_text("[link](https://x.y)"), "[link](https://x.y)");
        assert_eq!(doc_text("^([a-f0-9]{24})$"), "^(\\[a-f0-9\\]{24})$");
        assert_eq!(doc_text("    indented code"), "indented code");
        assert_eq!(doc_text("the <value> can be"), "the &lt;value&gt; can be");
        assert_eq!(doc_text("use `a[0] > b` here"), "use `a[0] > b` here");
        assert_eq!(doc_text("see <https://x.y/z>."), "see <https://x.y/z>.");
    }
}
