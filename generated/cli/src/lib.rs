//! The hand-written command-line runtime of generated `atlas-api` binaries
//! (the `cli` feature of a generated client crate, which re-exports this
//! crate as `cli_runtime`). The generated `cli` module is data: a table of
//! [`TagSpec`]s, each with its [`OpSpec`]s, whose flags are [`ArgSpec`]s
//! shared by every operation that has the same parameter, plus one small
//! function per operation that copies the parsed flags onto its typed
//! request builder and sends it. Everything else is here, one concept per
//! module, in layers: each module imports only the ones above it in this
//! table, never one below (the workspace test `tests/tests/layers.rs` fails
//! on an import cycle between files).
//!
//! | Layer | Module | What it holds |
//! |---|---|---|
//! | vocabulary | `error` | [`CliError`] and the exit codes |
//! | | `outcome` | [`Outcome`], what a command prints, and the functions generated code makes one with ([`outcome()`], [`json_outcome`], [`saved_outcome`], …) |
//! | | `format` | [`OutputFormat`] (one variant per `--output` value, and every `match` on it: names, served formats, [`render`]) and [`DryRun`] |
//! | | `flags` | every flag that is not a spec parameter: its name (a constant, [`DEBUG`], [`CA_CERT`], …), its clap `Arg` ([`global_args`], [`output_args`], [`page_args`], …) and [`RESERVED_FLAGS`] ([`flag_name`]) |
//! | | `input`, `jq`, `logging`, [`profile`], [`token_cache`] | the request body and flag values ([`read_body`], [`parse_arg`]), `--jq` ([`JqFilter`]), `--debug` ([`init_logging`]), the Atlas CLI's profiles, the token cache |
//! | table | `table` | the generated table's types: [`TagSpec`], [`OpSpec`], [`ArgSpec`], [`VersionSpec`], [`WatchSpec`], [`Call`], … |
//! | commands | `command` | the clap commands and their help texts ([`command`], [`root_command`], [`OpSpec::after_help`], completions) |
//! | preparation | `prepare` | choosing the operation, API version and output format, and the warnings `atlas api` prints ([`prepare`]) |
//! | output | `output` | writing: [`print_outcome`], [`print_not_sent`], `--ndjson` ([`ItemWriter`]), [`print_completion`], all through [`write_output`] |
//! | execution | `progress`, `execute` | the progress of `--watch` ([`WatchDisplay`]); running an operation ([`execute`]), every page (`--all`, [`each_item`]), `--watch` ([`watch`]) |
//!
//! A new global flag is `flags.rs` (its constant, its `Arg` in
//! [`global_args`], its name in [`RESERVED_FLAGS`]; a test there fails when
//! the list and the `Arg`s disagree) and the code that reads it; the
//! generator reads [`RESERVED_FLAGS`] from `flags.rs` itself. A new output
//! format is `format.rs`.
//!
//! Nothing in here is generated; the library runtime it builds on is
//! `atlas-admin-runtime`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![allow(clippy::result_large_err)]

// The layers, bottom first (see the crate docs): each module imports only
// the ones before it.
mod command;
mod error;
mod execute;
mod flags;
mod format;
mod input;
mod jq;
mod logging;
mod outcome;
mod output;
mod prepare;
pub mod profile;
mod progress;
mod table;
pub mod token_cache;

pub use command::{command, completion_command, completion_script, root_command, watch_args};
pub use error::{CliError, EXIT_FAILURE, EXIT_USAGE};
pub use execute::{each_item, execute, watch};
// Every public item of `flags.rs`: a new flag's constant is exported with
// no change here.
pub use flags::*;
pub use format::{render, DryRun, OutputFormat};
pub use input::{checked_body, parse_arg, read_body, typed_body};
pub use jq::JqFilter;
pub use logging::{init_logging, log_filter};
pub use outcome::{bytes_outcome, json_outcome, outcome, saved_outcome, text_outcome, Outcome};
pub use output::{print_completion, print_not_sent, print_outcome, write_output, ItemWriter};
pub use prepare::{body_template, find_op, prepare, version_warnings, Prepared, Walk};
pub use progress::WatchDisplay;
pub use table::{
    ArgKind, ArgSpec, BodySpec, Call, Location, OpSpec, PagesSpec, RunFn, Running, TagSpec,
    VersionSpec, WatchFn, WatchFrom, WatchSpec, WatchTiming,
};

#[cfg(test)]
mod tests;
