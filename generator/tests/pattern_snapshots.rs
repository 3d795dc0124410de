//! Snapshots of the matcher code emitted for representative patterns.

use atlas_codegen::pattern::{emit_is_match, plan};
use proc_macro2::{Ident, Span};
use quote::quote;

/// The emitted expression, wrapped in a function and pretty-printed.
fn emitted(pattern: &str) -> String {
    let input = Ident::new("input", Span::call_site());
    let plan = plan(pattern);
    let body = emit_is_match(&plan, &input);
    let file = quote! {
        fn is_match(input: &str) -> bool { #body }
    };
    let file = syn::parse2::<syn::File>(file).expect("emitted code parses");
    format!("// pattern: {pattern}\n{}", prettyplease::unparse(&file))
}

#[test]
fn fixed_length_hex() {
    insta::assert_snapshot!("hex24", emitted("^([a-f0-9]{24})$"));
}

#[test]
fn name_with_dashes() {
    insta::assert_snapshot!("name", emitted("^[a-zA-Z0-9][a-zA-Z0-9-]*$"));
}

#[test]
fn literal_prefix_and_uuid() {
    insta::assert_snapshot!("mdb_sa_id", emitted("^mdb_sa_id_[a-fA-F\\d]{24}$"));
    insta::assert_snapshot!(
        "uuid",
        emitted("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
    );
}

#[test]
fn unanchored_search_dfa() {
    insta::assert_snapshot!("version", emitted("([\\d]+\\.[\\d]+\\.[\\d]+)"));
}

#[test]
fn overlapping_classes_dfa() {
    insta::assert_snapshot!("gcp_name", emitted("^[a-z][0-9a-z-]{4,28}[0-9a-z]{1}"));
}

#[test]
fn unicode_properties() {
    insta::assert_snapshot!("unicode_greek", emitted("^\\p{Greek}+-\\d$"));
}

#[test]
fn look_ahead_uses_regress() {
    insta::assert_snapshot!(
        "ip_lookahead",
        emitted(
            "^((25[0-5]|(2[0-4]|1\\d|[1-9]|)\\d)(\\.(?!$)|$)){4}|([0-9a-f]{1,4}:){7}[0-9a-f]{1,4}$"
        )
    );
}

#[test]
fn word_boundary_uses_regex() {
    insta::assert_snapshot!("word_boundary", emitted("\\bv\\d+\\b"));
}
