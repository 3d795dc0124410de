//! Generated pattern matchers (see `build.rs`) and a deterministic corpus generator for
//! checking them against `regress`, the ECMA-262 reference engine.
#![deny(warnings)]

pub mod corpus;

/// One pattern and the code the generator emitted for it.
#[derive(Debug, Clone, Copy)]
pub struct Case {
    /// The OpenAPI pattern.
    pub pattern: &'static str,
    /// `code`, `regex`, `regress` or `invalid`.
    pub plan: &'static str,
    /// The generated matcher, absent for `invalid` plans.
    pub matcher: Option<fn(&str) -> bool>,
}

/// The message of the upstream test when the specs are not available.
pub const NEEDS_SPECS: &str = "needs ATLAS_SPECS_DIR (upstream Atlas specs)";

/// Flags under which `regress` reads `pattern` the way the generator does:
/// `\p{..}` property escapes need unicode mode.
pub fn oracle_flags(pattern: &str) -> &'static str {
    if pattern.contains("\\p{") || pattern.contains("\\P{") {
        "u"
    } else {
        ""
    }
}

include!(concat!(env!("OUT_DIR"), "/matchers.rs"));
