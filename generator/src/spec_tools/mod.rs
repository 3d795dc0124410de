//! Spec maintenance, the step before codegen: cut the operations this project
//! ships out of an upstream spec ([`mod@extract`]), and report what changed between
//! two specs in terms of the generated Rust crate ([`mod@diff`], [`report`]).
//!
//! Everything here works on the spec as a plain JSON tree
//! ([`serde_json::Value`]), so every keyword and `x-` extension survives,
//! including ones `openapiv3` does not model.

pub mod diff;
mod document;
pub mod extract;
pub mod merge;
pub mod report;

pub use diff::{diff, DiffOptions};
pub use document::{
    closest_names, operations, parse_document, read_document, to_yaml, Document, OperationEntry,
    METHODS,
};
pub use extract::{extract, Extracted};
pub use merge::{add, remove, tagged, Merged};
pub use report::{Change, Classification, Report, Subject};
