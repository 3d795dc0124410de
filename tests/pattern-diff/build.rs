//! Emits `$OUT_DIR/matchers.rs`: the generator's matcher code for hand-written patterns,
//! for the two benchmark patterns and, when `ATLAS_SPECS_DIR` names the upstream Atlas
//! specs, for every distinct `pattern` of `atlas-api-v2-combined.yaml`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use atlas_codegen::pattern::{emit_is_match, plan, PatternPlan};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

const SPEC_FILE: &str = "atlas-api-v2-combined.yaml";

/// Patterns checked without upstream files: every feature the planner distinguishes.
const HANDWRITTEN: &[&str] = &[
    "",
    "^",
    "$",
    "^$",
    "a*",
    "abc",
    "^abc",
    "abc$",
    "^abc$",
    "^([a-f0-9]{24})$",
    "^[a-zA-Z0-9][a-zA-Z0-9-]*$",
    "^mdb_sa_id_[a-fA-F\\d]{24}$",
    "^[a-z][0-9a-z-]{4,28}[0-9a-z]{1}",
    "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
    "^([0-9a-f]){4}$",
    "^(ab){2,3}$",
    "^a{2,4}b?c*$",
    "^a*a$",
    "^x[a-c]{0,3}$",
    "^x[a-c]{2,}$",
    "[0-9a-f]+",
    "([\\d]+\\.[\\d]+\\.[\\d]+)",
    "^ab|cd$",
    "a|^$",
    "x^",
    "$x",
    "^\\s+$",
    "\\S",
    "^\\w*$",
    "\\W",
    "^\\D\\d$",
    "^.$",
    "^.*$",
    "^[^,]+$",
    "[^a-z]",
    "^a{$",
    "^\\{x\\}$",
    "^[a-z-0-9]+$",
    "^[\\d-z]+$",
    "^\\c$",
    "^[\\b]$",
    "^\\u00e9\\x41$",
    "^]$",
    "^[]$",
    "^[^]$",
    "^[\\p{L}\\p{N}\\-_.,' ]*$",
    "^[\\p{L}\\p{N}\\-_.(),:&@+']{1,64}$",
    "^(?:(?<cn>CN=(?<name>[^,]*)),)?(?<domain>(?:DC=[^,]+,?)+)$",
    "^([0-9]{1,3}\\.){3}[0-9]{1,3}|([0-9a-f]{1,4}\\:){7}([0-9a-f]{1,4})$",
    "(a|b)*abb",
    "^(a|ab)(c|bcd)(d*)$",
    "\\bfoo\\b",
    "\\Bx",
    "^(?=a)a.$",
    "^(a+)\\1$",
    "(?<!x)y",
    // Chunked class checks: every chunk size and overlap, case folding, edge bytes.
    "^([a-f0-9]{8,32})$",
    "^[a-fA-F0-9]{64}$",
    "^[0-9]{12}$",
    "^[A-Z]{2}$",
    "^[a-z]{5}$",
    "^[@-Z`-z]{9}$",
    "^[\\x00-\\x2f\\x7f]{17}$",
    "^[Zz0]{33}$",
    "^p-[0-9a-z]{24}-[aB]{4}",
    "^[^\\x80-\\uffff]{3,}$",
];

/// The benchmark patterns, always emitted.
const BENCH: [(&str, &str); 2] = [
    ("bench_hex24", "^([a-f0-9]{24})$"),
    ("bench_name", "^[a-zA-Z0-9][a-zA-Z0-9-]*$"),
];

fn main() {
    println!("cargo:rerun-if-env-changed=ATLAS_SPECS_DIR");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace_root = manifest.join("../..");

    let upstream = std::env::var_os("ATLAS_SPECS_DIR").and_then(|dir| {
        let dir = PathBuf::from(dir);
        let dir = if dir.is_absolute() {
            dir
        } else {
            workspace_root.join(dir)
        };
        let file = dir.join(SPEC_FILE);
        if file.is_file() {
            println!("cargo:rerun-if-changed={}", file.display());
            Some(spec_patterns(&file))
        } else {
            println!(
                "cargo:warning=ATLAS_SPECS_DIR is set but {} does not exist",
                file.display()
            );
            None
        }
    });

    let mut items = Vec::new();
    let hand = table(&mut items, "hand", HANDWRITTEN.iter().copied());
    let upstream_table = match &upstream {
        Some(patterns) => {
            let t = table(&mut items, "upstream", patterns.iter().map(String::as_str));
            quote!(::core::option::Option::Some(#t))
        }
        None => quote!(::core::option::Option::None),
    };
    for (name, pattern) in BENCH {
        let name = Ident::new(name, Span::call_site());
        let input = Ident::new("input", Span::call_site());
        let body = emit_is_match(&plan(pattern), &input);
        let doc = format!("Pattern {pattern:?}.");
        items.push(quote! {
            #[doc = #doc]
            pub fn #name(input: &str) -> bool { #body }
        });
    }
    let file: TokenStream = quote! {
        /// Hand-written patterns: (pattern, plan kind, generated matcher if enforced).
        pub static HANDWRITTEN: &[Case] = #hand;
        /// Distinct upstream patterns, when built with `ATLAS_SPECS_DIR`.
        pub static UPSTREAM: ::core::option::Option<&[Case]> = #upstream_table;
        #(#items)*
    };
    let text = match syn::parse2::<syn::File>(file.clone()) {
        Ok(f) => prettyplease::unparse(&f),
        Err(_) => file.to_string(),
    };
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo")).join("matchers.rs");
    std::fs::write(&out, text).expect("write matchers.rs");
}

/// Emits one function per enforceable pattern and returns the table expression.
fn table<'a>(
    items: &mut Vec<TokenStream>,
    prefix: &str,
    patterns: impl Iterator<Item = &'a str>,
) -> TokenStream {
    let input = Ident::new("input", Span::call_site());
    let rows: Vec<TokenStream> = patterns
        .enumerate()
        .map(|(i, pattern)| {
            let p = plan(pattern);
            let kind = match &p {
                PatternPlan::Code(_) => "code",
                PatternPlan::Regex(_) => "regex",
                PatternPlan::Regress(_) => "regress",
                PatternPlan::Invalid { .. } => "invalid",
            };
            let matcher = if let PatternPlan::Invalid { .. } = p {
                quote!(::core::option::Option::None)
            } else {
                let name = Ident::new(&format!("{prefix}_{i}"), Span::call_site());
                let body = emit_is_match(&p, &input);
                let doc = format!("Pattern {pattern:?}.");
                items.push(quote! {
                    #[doc = #doc]
                    fn #name(input: &str) -> bool { #body }
                });
                quote!(::core::option::Option::Some(#name as fn(&str) -> bool))
            };
            quote!(Case { pattern: #pattern, plan: #kind, matcher: #matcher })
        })
        .collect();
    quote!(&[#(#rows),*])
}

/// Every distinct string value of a `pattern` key in the spec.
fn spec_patterns(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).expect("read the Atlas spec");
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("parse the Atlas spec");
    let mut out = BTreeSet::new();
    walk(&doc, &mut out);
    out.into_iter().collect()
}

fn walk(v: &serde_yaml::Value, out: &mut BTreeSet<String>) {
    match v {
        serde_yaml::Value::Mapping(m) => {
            for (k, v) in m {
                if let (Some("pattern"), Some(p)) = (k.as_str(), v.as_str()) {
                    out.insert(p.to_owned());
                }
                walk(v, out);
            }
        }
        serde_yaml::Value::Sequence(s) => s.iter().for_each(|v| walk(v, out)),
        serde_yaml::Value::Tagged(t) => walk(&t.value, out),
        _ => {}
    }
}
