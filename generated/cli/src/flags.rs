//! Every flag of `atlas-api` that is not a spec parameter, in one place:
//! each one's name (a constant, which is also its clap id), its clap
//! [`Arg`], and the list of the names a spec parameter cannot take
//! ([`RESERVED_FLAGS`], [`flag_name`]).
//!
//! A new global flag is a constant, its `Arg` in [`global_args`] and its
//! name in [`RESERVED_FLAGS`] here (a test fails when the list and the
//! `Arg`s disagree), plus the code that reads it. The generator reads
//! [`RESERVED_FLAGS`] from this file's text (`atlas_codegen::emit::cli`),
//! so it has no copy to keep equal. The bottom of the crate with the
//! output formats (`format.rs`): it imports nothing else of it.

use std::borrow::Cow;
use std::path::PathBuf;

use clap::{Arg, ArgAction};

use crate::format::OutputFormat;

/// The clap id (and flag) of `--debug`.
pub const DEBUG: &str = "debug";
/// The environment variable that turns `--debug` on (`1`, `true`, `yes`, `on`).
pub const DEBUG_ENV: &str = "ATLAS_API_DEBUG";
/// The environment variable whose value `atlas-api` appends to the
/// `User-Agent` of every request, token requests included
/// (`my-pipeline/2.1`), so that a team's automation identifies itself to
/// Atlas.
pub const USER_AGENT_SUFFIX_ENV: &str = "ATLAS_API_USER_AGENT_SUFFIX";
/// The clap id (and flag) of `--dry-run`.
pub const DRY_RUN: &str = "dry-run";
/// The clap id (and flag) of `--curl`.
pub const CURL: &str = "curl";
/// The clap id (and flag) of `--strict`: a request body with a field the
/// spec does not list is refused (by default it is sent, with a warning).
pub const STRICT: &str = "strict";
/// The clap id (and flag) of `--jq`.
pub const JQ: &str = "jq";
/// The clap id (and flag) of `--all`.
pub const ALL: &str = "all";
/// The clap id (and flag) of `--limit`.
pub const LIMIT: &str = "limit";
/// The clap id (and flag) of `--ndjson`.
pub const NDJSON: &str = "ndjson";
/// The clap id (and flag) of `--body-template`.
pub const BODY_TEMPLATE: &str = "body-template";
/// The clap id (and flag) of `--caCert`.
pub const CA_CERT: &str = "caCert";
/// The clap id (and flag) of `--base-url`.
pub const BASE_URL: &str = "base-url";
/// The clap id (and flag) of `--profile`.
pub const PROFILE: &str = "profile";
/// The clap id (and flag) of `--no-token-cache`.
pub const NO_TOKEN_CACHE: &str = "no-token-cache";
/// The clap id (and flag) of `--no-auth`.
pub const NO_AUTH: &str = "no-auth";
/// The clap id (and flag) of `--rate-limit-wait`: the longest a request
/// waits for Atlas's rate limits (the client's `RateLimitPolicy::max_wait`),
/// in seconds.
pub const RATE_LIMIT_WAIT: &str = "rate-limit-wait";
/// The environment variable for `--rate-limit-wait`.
pub const RATE_LIMIT_WAIT_ENV: &str = "ATLAS_API_RATE_LIMIT_WAIT";

/// Flags every operation command has (or the binary adds); a spec parameter
/// with one of these names gets `Param` appended to its flag (see
/// [`flag_name`]).
pub const RESERVED_FLAGS: &[&str] = &[
    "file",
    "version",
    "base-url",
    "help",
    "watch",
    "watchTimeout",
    "watch-timeout",
    "watch-interval",
    "watchInterval",
    "output",
    "outputFile",
    "profile",
    "no-auth",
    "no-token-cache",
    "rate-limit-wait",
    "caCert",
    "debug",
    "dry-run",
    "curl",
    "strict",
    "all",
    "limit",
    "ndjson",
    "jq",
    "body-template",
];

/// The flag of the spec parameter `id`, which is also its clap id: the
/// spec's name, with `Param` appended when it is one of [`RESERVED_FLAGS`]
/// (a parameter `file` is `--fileParam`).
pub fn flag_name(id: &str) -> Cow<'_, str> {
    if RESERVED_FLAGS.contains(&id) {
        Cow::Owned(format!("{id}Param"))
    } else {
        Cow::Borrowed(id)
    }
}

/// The global flags, every command's (the binary's own, before the
/// operation): `--base-url`, `--profile`, `--no-token-cache`, `--debug`,
/// `--dry-run`, `--strict`, `--curl`, `--jq`, `--caCert`, `--no-auth` and
/// `--rate-limit-wait`.
pub fn global_args() -> Vec<Arg> {
    vec![
        Arg::new(BASE_URL)
            .long(BASE_URL)
            .global(true)
            .value_name("URL")
            .help("Another endpoint than https://cloud.mongodb.com (default: $MONGODB_ATLAS_OPS_MANAGER_URL, $MONGODB_ATLAS_BASE_URL, the profile's ops_manager_url or service)"),
        Arg::new(PROFILE)
            .long(PROFILE)
            .short('P')
            .global(true)
            .value_name("NAME")
            .help("The Atlas CLI profile to read (default: $MONGODB_ATLAS_PROFILE, else the only profile, else \"default\")"),
        Arg::new(NO_TOKEN_CACHE)
            .long(NO_TOKEN_CACHE)
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Request a new service-account token instead of reusing the one an earlier run kept (in the OS keyring, else the user's cache directory); Atlas issues 10 tokens a minute"),
        Arg::new(DEBUG)
            .long(DEBUG)
            .short('D')
            .global(true)
            .env(DEBUG_ENV)
            .action(ArgAction::SetTrue)
            .value_parser(clap::builder::BoolishValueParser::new())
            .help("Log every HTTP exchange on standard error (request line, status, time, headers and bodies cut short; credentials, tokens and secrets redacted). Also: $RUST_LOG=atlas_admin_api::wire=debug"),
        Arg::new(DRY_RUN)
            .long(DRY_RUN)
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Check everything and print the request that would be sent (credentials left out) instead of sending it; no token is requested"),
        Arg::new(STRICT)
            .long(STRICT)
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Refuse a request body (--file, standard input) with a field the spec does not list, instead of sending it with a warning"),
        Arg::new(CURL)
            .long(CURL)
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Like --dry-run, printing the request as a curl command (credentials from $MONGODB_ATLAS_PUBLIC_API_KEY/$MONGODB_ATLAS_PRIVATE_API_KEY, or $ATLAS_ACCESS_TOKEN)"),
        Arg::new(JQ)
            .long(JQ)
            .global(true)
            .value_name("EXPR")
            .help("Filter the JSON answer with a jq expression (jaq); strings print as raw text, other results as JSON, one per line. A bad expression sends nothing; a filter error exits 1"),
        Arg::new(CA_CERT)
            .long(CA_CERT)
            .global(true)
            .value_name("FILE")
            .value_parser(clap::value_parser!(std::path::PathBuf))
            .help("A PEM file of root certificates to trust besides the system's (a private CA, a company's TLS-inspecting proxy); $ATLAS_CA_CERT names one too"),
        Arg::new(NO_AUTH)
            .long(NO_AUTH)
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Send requests without credentials (a local mock, a proxy that adds its own); a loopback --base-url does not imply it"),
        Arg::new(RATE_LIMIT_WAIT)
            .long(RATE_LIMIT_WAIT)
            .global(true)
            .env(RATE_LIMIT_WAIT_ENV)
            .value_name("SECONDS")
            .value_parser(seconds)
            .help("Longest wait for Atlas's rate limits, before a request is sent or sent again after a 429 (default 120); a limit held longer is not waited for and its refusal is the answer. 0: never wait, fail at once"),
    ]
}

/// `--output FORMAT` and `--outputFile PATH` of an operation that offers
/// `formats`.
pub fn output_args(formats: &[OutputFormat]) -> [Arg; 2] {
    [
        Arg::new("output")
            .long("output")
            .short('o')
            .value_name("FORMAT")
            .value_parser(clap::builder::PossibleValuesParser::new(
                formats.iter().map(|f| f.name()),
            ))
            .help(format!(
                "Output format: {} (default: JSON where the API version offers it)",
                names(formats)
            )),
        Arg::new("outputFile")
            .long("outputFile")
            .value_name("PATH")
            .value_parser(clap::value_parser!(PathBuf))
            .help("Write the response to PATH instead of standard output (needed for binary output, gzip, on a terminal)"),
    ]
}

/// `--watch` (`-w`), `--watch-interval` and `--watchTimeout` of an
/// operation whose watcher polls as `what` says (see `crate::watch_args`).
pub(crate) fn watch_args(what: &str) -> [Arg; 3] {
    [
        Arg::new("watch")
            .long("watch")
            .short('w')
            .action(ArgAction::SetTrue)
            .help(format!(
                "Print the response, then wait: poll {}, showing progress on standard error",
                what
            )),
        Arg::new("watch-interval")
            .long("watch-interval")
            .visible_alias("watchInterval")
            .value_name("SECONDS")
            .value_parser(positive_seconds)
            .default_value("10")
            .help("Seconds between two polls with --watch (more than 0)"),
        Arg::new("watchTimeout")
            .long("watchTimeout")
            .visible_alias("watch-timeout")
            .value_name("SECONDS")
            .value_parser(seconds)
            .default_value("7200")
            .help("With --watch, give up after this many seconds (0: no limit)"),
    ]
}

/// A number of seconds, 0 or more.
fn seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 0.0 => Ok(value),
        _ => Err("expected a number of seconds, 0 or more".to_owned()),
    }
}

/// A number of seconds, more than 0.
fn positive_seconds(text: &str) -> Result<f64, String> {
    match seconds(text) {
        Ok(value) if value > 0.0 => Ok(value),
        _ => Err("expected a number of seconds more than 0".to_owned()),
    }
}

/// `--all`, `--limit N` and `--ndjson` of a paginated list operation.
pub fn page_args() -> [Arg; 3] {
    [
        Arg::new(ALL)
            .long(ALL)
            .action(ArgAction::SetTrue)
            .help("Walk every page (from --pageNum, default 1) and print all their items as one `results` list"),
        Arg::new(LIMIT)
            .long(LIMIT)
            .value_name("N")
            .value_parser(clap::value_parser!(u64).range(1..))
            .help("Walk the pages (as --all) but stop after N items"),
        Arg::new(NDJSON)
            .long(NDJSON)
            .action(ArgAction::SetTrue)
            .help("Walk the pages (as --all) and print one item per line (compact JSON) as each page arrives, holding one page at a time"),
    ]
}

/// `--body-template` of an operation with a JSON request body.
pub fn body_template_arg() -> Arg {
    Arg::new(BODY_TEMPLATE)
        .long(BODY_TEMPLATE)
        .action(ArgAction::SetTrue)
        .help("Print a request body to start from (required properties first, with the spec's examples) and exit; edit it and pass it back with --file")
}

/// `--file PATH`: where the request body is read from (`-` for stdin).
pub fn file_arg() -> Arg {
    Arg::new("file")
        .long("file")
        .value_name("PATH")
        .help("Read the JSON request body from PATH (`-` for standard input)")
        .long_help("Read the JSON request body from PATH (`-` for standard input). Without --file the body is read from standard input when it is not a terminal.")
}

/// `--version VERSION`: one of the API versions the operation offers.
pub fn version_arg(versions: &[&'static str], default: &'static str) -> Arg {
    Arg::new("version")
        .long("version")
        .value_name("VERSION")
        .value_parser(clap::builder::PossibleValuesParser::new(versions.iter().copied()))
        .help(format!(
            "The API version to call (default {default}, or the profile's api_version); another one prints the response as received"
        ))
}

/// `json, yaml, csv`.
pub(crate) fn names(formats: &[OutputFormat]) -> String {
    formats
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every long name and alias of the flags built here, and `help`
    /// (clap's own).
    fn built() -> Vec<String> {
        let mut args = global_args();
        args.extend(output_args(&OutputFormat::ALL));
        args.extend(watch_args("until done"));
        args.extend(page_args());
        args.extend([body_template_arg(), file_arg(), version_arg(&["v1"], "v1")]);
        let mut names = vec!["help".to_owned()];
        for arg in &args {
            names.extend(arg.get_long().map(str::to_owned));
            names.extend(
                arg.get_all_aliases()
                    .unwrap_or_default()
                    .into_iter()
                    .map(str::to_owned),
            );
        }
        names.sort();
        names
    }

    #[test]
    fn the_reserved_list_is_every_flag_built_here() {
        let mut reserved: Vec<String> = RESERVED_FLAGS.iter().map(|s| (*s).to_owned()).collect();
        reserved.sort();
        assert_eq!(reserved, built());
    }

    #[test]
    fn a_reserved_name_gets_param_appended() {
        assert_eq!(flag_name("file"), "fileParam");
        assert_eq!(flag_name(CA_CERT), "caCertParam");
        assert_eq!(flag_name("groupId"), "groupId");
    }
}
