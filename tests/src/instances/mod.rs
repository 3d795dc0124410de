//! JSON instances of a spec's response schemas, made from the raw spec (not
//! from the generator's IR) and checked with a JSON Schema validator, for
//! the differential decoding test: every instance a spec-valid server may
//! send must decode with the generated types.
//!
//! The OpenAPI 3.0 schemas are first turned into JSON Schema (draft
//! 2020-12) as OpenAPI says they read in a response: `nullable` admits
//! `null`, `writeOnly` properties are left out (and out of `required`),
//! siblings of `$ref` are ignored, boolean `exclusiveMinimum` and
//! `exclusiveMaximum` become numbers, and `discriminator`, `example`,
//! `x-` extensions and other annotations are dropped. Instances are then
//! made from the raw schemas in several kinds ([`Mode`]) and each is checked
//! against the converted schema, so a test knows which are valid.

mod cases;
mod compare;
mod generate;
mod patterns;
mod schema;
#[cfg(test)]
mod tests;

pub use cases::{response_cases, Instance, ResponseCase};
pub use compare::losses;
pub use generate::{GenStats, Generator, Mode};
pub use patterns::pattern_samples;
use patterns::COMMON_SAMPLES;
use schema::{child_tags, flag, lists, tag_for};
pub use schema::{convert_document, deref, deref_at, Checker, ConvertStats};
