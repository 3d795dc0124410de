//! The hand-written command-line runtime of generated `atlas-api` binaries
//! (the `cli` feature of a generated client crate, which re-exports this
//! crate as `cli_runtime`). The generated `cli` module is data: a table of
//! [`TagSpec`]s, each with its [`OpSpec`]s, whose flags are [`ArgSpec`]s
//! shared by every operation that has the same parameter, plus one small
//! function per operation that copies the parsed flags onto its typed
//! request builder and sends it. Everything else is here, one concept per
//! module:
//!
//! | Module | What it holds |
//! |---|---|
//! | `table` | the table's types: [`TagSpec`], [`OpSpec`], [`ArgSpec`], [`VersionSpec`], [`WatchSpec`], [`Call`], … |
//! | `command` | the clap commands and their help texts ([`command`], [`OpSpec::after_help`], completions) |
//! | `prepare` | choosing the operation, API version and output format, and the warnings `atlas api` prints ([`prepare`]) |
//! | `execute` | running it ([`execute`]), every page (`--all`, [`each_item`]), `--watch` ([`watch`]), reading flags back ([`Call`]) |
//! | `progress` | the progress display of `--watch` ([`WatchDisplay`]) |
//! | `jq` | `--jq EXPR` ([`JqFilter`], jaq) |
//! | `logging` | `--debug` and `$RUST_LOG` on standard error ([`init_logging`]) |
//! | `input` | the request body (`--file`, standard input) and flag values ([`read_body`], [`parse_arg`]) |
//! | `output` | [`OutputFormat`] (one variant per `--output` value), [`Outcome`], [`render`], [`print_outcome`], [`write_output`], `--ndjson` ([`ItemWriter`]), dry runs ([`print_not_sent`]) |
//! | `error` | [`CliError`] and the exit codes |
//! | [`profile`] | the Atlas CLI's profiles: config file, credentials, OS keyring |
//!
//! Nothing in here is generated; the library runtime it builds on is
//! `atlas-admin-runtime`.
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![allow(clippy::result_large_err)]

mod command;
mod error;
mod execute;
mod input;
mod jq;
mod logging;
mod output;
mod prepare;
pub mod profile;
mod progress;
mod table;
pub mod token_cache;

pub use command::{
    body_template_arg, command, completion_command, completion_script, file_arg, output_args,
    page_args, print_completion, root_command, version_arg, watch_args, ALL, BODY_TEMPLATE,
    CA_CERT, CURL, DEBUG, DEBUG_ENV, DRY_RUN, JQ, LIMIT, NDJSON, STRICT,
};
pub use error::{CliError, EXIT_FAILURE, EXIT_USAGE};
pub use execute::{each_item, execute, watch};
pub use input::{checked_body, parse_arg, read_body, typed_body};
pub use jq::JqFilter;
pub use logging::{init_logging, log_filter};
pub use output::{
    bytes_outcome, json_outcome, outcome, print_not_sent, print_outcome, render, saved_outcome,
    text_outcome, write_output, ItemWriter, Outcome, OutputFormat,
};
pub use prepare::{body_template, find_op, prepare, version_warnings, DryRun, Prepared, Walk};
pub use progress::WatchDisplay;
pub use table::{
    flag_name, ArgKind, ArgSpec, BodySpec, Call, Location, OpSpec, PagesSpec, RunFn, Running,
    TagSpec, VersionSpec, WatchFn, WatchFrom, WatchSpec, WatchTiming, RESERVED_FLAGS,
};

#[cfg(test)]
mod tests;
