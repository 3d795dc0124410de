//! Hand-written pieces of the `atlas-api` command line (cargo feature
//! `cli`). The generated `crate::gen::cli` is data: a table of
//! [`TagSpec`]s, each with its [`OpSpec`]s, whose flags are [`ArgSpec`]s
//! shared by every operation that has the same parameter, plus one small
//! function per operation that copies the parsed flags onto its typed
//! request builder and sends it. Everything else is here: building the
//! clap commands and their help texts from the table ([`command`]),
//! choosing the operation, API version and output format and printing the
//! warnings `atlas api` prints ([`prepare`]), running it ([`execute`]),
//! waiting for it with `--watch` on operations with a watcher ([`watch`]),
//! reading the request body, rendering and writing the result ([`render`],
//! [`write_output`]), shell completions, and turning errors into messages
//! and exit codes. Credentials, base URL and defaults come from
//! [`profile`].

pub mod profile;

use std::borrow::Cow;
use std::future::Future;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use clap::{Arg, ArgAction, ArgMatches, Command};
use serde::de::DeserializeOwned;
use serde::Serialize;

use self::profile::Settings;
use super::client::Transport;
use super::error::Error;
use super::response::Response;
use super::wait::{self, Expect, Polling, Progress};

/// Exit status of a request that was never sent: bad flags, a value that
/// breaks its pattern, a body that does not fit its type, missing
/// credentials.
pub const EXIT_USAGE: i32 = 2;
/// Exit status of a request that failed after it was sent (an API error, a
/// communication failure, a response that did not decode).
pub const EXIT_FAILURE: i32 = 1;

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

/// One tag of the spec: a command grouping its operations.
#[derive(Debug, Clone, Copy)]
pub struct TagSpec {
    /// The command name: the tag in lowerCamel (`cloudBackups`).
    pub name: &'static str,
    /// The tag as the spec spells it (`Cloud Backups`).
    pub tag: &'static str,
    /// The cargo feature that compiles its operations (`cloud-backups`).
    pub feature: &'static str,
    /// Its operations; empty when the feature is off.
    pub ops: &'static [OpSpec],
}

/// One operation: its command, help and the function that runs it.
#[derive(Debug, Clone, Copy)]
pub struct OpSpec {
    /// The command name: the operation's short name (`createBackupExport`).
    pub name: &'static str,
    /// The spec's `operationId`; a visible alias when it differs from
    /// `name`.
    pub operation_id: &'static str,
    /// The summary line (whitespace collapsed).
    pub summary: Option<&'static str>,
    /// The short help instead of the summary
    /// (`x-xgen-atlascli.override.description`).
    pub short_help: Option<&'static str>,
    /// The description (whitespace collapsed).
    pub description: Option<&'static str>,
    /// The HTTP method (`POST`).
    pub method: &'static str,
    /// The path template as in the spec.
    pub path: &'static str,
    /// One flag per parameter, in the operation's parameter order.
    pub args: &'static [&'static ArgSpec],
    /// The request body, if the operation takes one (`--file`).
    pub body: Option<BodySpec>,
    /// The API versions the operation offers, oldest first (`--version`
    /// when not empty).
    pub versions: &'static [VersionSpec],
    /// The API version the typed builder was generated for.
    pub version: Option<&'static str>,
    /// The page number parameter of a paginated list operation.
    pub page_flag: Option<&'static str>,
    /// Copies the flags onto the operation's request builder and sends it.
    pub run: RunFn,
    /// How `--watch` waits for the operation to take effect, for an
    /// operation with a watcher (`x-xgen-atlascli.watcher`).
    pub watch: Option<WatchSpec>,
}

/// How `--watch` waits for an operation to take effect: the operation it
/// polls, with which parameters, until when, and the function that does it
/// (the operation's generated waiter, `wait_after`).
#[derive(Debug, Clone, Copy)]
pub struct WatchSpec {
    /// The polled operation's tag command (`cloudBackups`).
    pub tag: &'static str,
    /// The polled operation's command (`getBackupExport`).
    pub operation: &'static str,
    /// The API version it is polled with, when it is not the polled
    /// command's default.
    pub version: Option<&'static str>,
    /// The polled operation's flags and where their values come from.
    pub params: &'static [(&'static str, WatchFrom)],
    /// When the wait is over.
    pub expect: Expect,
    /// Waits, given the operation's flags and the response it was sent.
    pub run: WatchFn,
}

/// Where a parameter of a polled operation comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchFrom {
    /// The watched command's parameter of this name.
    Input(&'static str),
    /// The value at this path (object keys) of the response it was sent.
    Body(&'static [&'static str]),
}

/// A watch function: the operation's flags (a [`Call`]), the response it
/// was sent (JSON, `null` for none) and the timing and progress callback;
/// returns the last polled response.
pub type WatchFn = for<'a> fn(Call<'a>, &'a serde_json::Value, Polling<'a>) -> Running<'a>;

/// `--watch-interval` and `--watchTimeout`, read before anything is sent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WatchTiming {
    /// Between two polls.
    pub interval: Duration,
    /// The whole wait, polls included; `None`: no limit (`--watchTimeout 0`).
    pub timeout: Option<Duration>,
}

impl WatchSpec {
    /// What the wait polls and until when, for help and messages
    /// (`getBackupExport until $.state is Successful, Failed or Cancelled`).
    pub fn describe(&self) -> String {
        let until = match self.expect {
            Expect::Status(code) => format!("it answers HTTP {code}"),
            Expect::Values { values, .. } => {
                let path = self.expect.path_text().unwrap_or_default();
                match values {
                    [one] => format!("{path} is {one}"),
                    [init @ .., last] => format!("{path} is {} or {last}", init.join(", ")),
                    [] => format!("{path} is set"),
                }
            }
        };
        format!("{} {} until {until}", self.tag, self.operation)
    }

    /// The command that polls once more by hand, with the values the wait
    /// used (`atlas-api cloudBackups getBackupExport --groupId ... --exportId ...`).
    pub fn command_line(
        &self,
        matches: &ArgMatches,
        fallbacks: &[(&'static str, String)],
        sent: &serde_json::Value,
    ) -> String {
        let mut line = format!("atlas-api {} {}", self.tag, self.operation);
        for (flag, from) in self.params {
            let value = match from {
                WatchFrom::Input(id) => matches
                    .try_get_raw(&flag_name(id))
                    .ok()
                    .flatten()
                    .and_then(|mut raw| raw.next())
                    .map(|raw| raw.to_string_lossy().into_owned())
                    .or_else(|| fallback(fallbacks, id)),
                WatchFrom::Body(path) => wait::value_at(sent, path).map(wait::text),
            };
            if let Some(value) = value {
                line.push_str(&format!(" --{flag} {value}"));
            }
        }
        if let Some(version) = self.version {
            line.push_str(&format!(" --version {version}"));
        }
        line
    }
}

/// One API version of an operation, as its media types describe it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionSpec {
    /// The version (`2023-01-01`, `preview`).
    pub name: &'static str,
    /// The response formats it offers (`csv`, `gzip`, `json`), sorted; empty
    /// when its responses have no versioned media type.
    pub formats: &'static [&'static str],
    /// Its `x-sunset` date (`YYYY-MM-DD`), if it has one.
    pub sunset: Option<&'static str>,
    /// Whether it is a public preview (`x-xgen-preview: {public: "true"}`);
    /// a `preview` version without that mark is a private preview.
    pub public_preview: bool,
}

impl VersionSpec {
    /// Whether `format` (`json`, `yaml`, `csv`, `gzip`) can be asked of this
    /// version; `yaml` is JSON rendered as YAML.
    pub fn offers(&self, format: &str) -> bool {
        let json = self.formats.is_empty() || self.formats.contains(&"json");
        match format {
            "json" | "yaml" => json,
            other => self.formats.contains(&other),
        }
    }

    /// The format printed when `--output` is not given: JSON where the
    /// version offers it, else its first format.
    pub fn default_format(&self) -> &'static str {
        if self.offers("json") {
            "json"
        } else {
            self.formats.first().copied().unwrap_or("json")
        }
    }
}

/// The request body of an operation, for its help text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodySpec {
    /// Its media type (`Content-Type`).
    pub media_type: &'static str,
    /// Whether it must be sent.
    pub required: bool,
    /// Its description (whitespace collapsed).
    pub doc: Option<&'static str>,
}

/// One flag: a parameter of one or more operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgSpec {
    /// The parameter's name in the spec; the flag (and clap id) unless it
    /// is reserved (see [`flag_name`]).
    pub id: &'static str,
    /// The placeholder in help (`GROUP_ID`).
    pub value_name: &'static str,
    /// Where the parameter goes.
    pub location: Location,
    /// Whether the flag must be given.
    pub required: bool,
    /// Its description (whitespace collapsed; empty when the spec has none).
    pub doc: &'static str,
    /// The pattern the value must match, if any.
    pub pattern: Option<&'static str>,
    /// The server's default, if the spec gives one.
    pub default: Option<&'static str>,
    /// The spec's example, if any.
    pub example: Option<&'static str>,
    /// How clap parses each value.
    pub kind: ArgKind,
    /// Whether the flag can be repeated (a list parameter).
    pub list: bool,
    /// Other spellings of the flag, accepted and shown in help
    /// (`projectId` for `groupId`, from `x-xgen-atlascli.aliases`).
    pub aliases: &'static [&'static str],
    /// The short help instead of the description's first sentence
    /// (`x-xgen-atlascli.override.description`).
    pub short_help: Option<&'static str>,
}

/// Where a parameter goes in the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// In the path.
    Path,
    /// In the query string.
    Query,
    /// In a header.
    Header,
}

impl Location {
    /// `path`, `query` or `header`.
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
        }
    }
}

/// How clap parses a flag's values (and so the type the generated code
/// reads them as).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// Any text, read as `String`: strings, validated strings (checked when
    /// the request is built), and enums, dates or JSON (parsed with
    /// [`Call::parse_one`]/[`Call::parse_many`]).
    Text,
    /// `true` or `false`, read as `bool`. A single boolean flag alone means
    /// `true` (`--envelope`); `--envelope=false` is accepted too.
    Bool,
    /// A 64-bit integer, read as `i64`.
    Integer,
    /// A floating-point number, read as `f64`.
    Number,
}

/// What [`execute`] hands an operation's function ([`OpSpec::run`]): the
/// client, the operation's flags (read with the methods), and the body,
/// version and format chosen for it.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    /// The client to send with.
    pub client: &'a Transport,
    /// The operation's matches (its own subcommand's).
    pub matches: &'a ArgMatches,
    /// The API version chosen, when it is not the one the builder was
    /// generated for: the body is then sent as given (not checked against
    /// the generated type).
    pub version: Option<String>,
    /// The response format to ask for when it is not JSON (`csv`, `gzip`):
    /// the response is then returned as received.
    pub format: Option<&'static str>,
    /// The request body (see [`read_body`]); `None` for operations without
    /// one.
    pub body: Option<serde_json::Value>,
    /// Values of flags that were not given, from the environment or the
    /// profile (`groupId` from `project_id`).
    pub fallbacks: &'a [(&'static str, String)],
}

/// The future an operation's function returns.
pub type Running<'a> = Pin<Box<dyn Future<Output = Result<Outcome, CliError>> + Send + 'a>>;

/// An operation's function: copies the flags of the [`Call`] onto the
/// operation's request builder and sends it.
pub type RunFn = for<'a> fn(Call<'a>) -> Running<'a>;

impl ArgSpec {
    /// The flag, which is also the clap id (see [`flag_name`]).
    pub fn flag(&self) -> Cow<'static, str> {
        flag_name(self.id)
    }

    /// The profile property (and, through it, the environment variable)
    /// that gives this required flag a value when it is not given, as
    /// `atlas api` does: `project_id` for `groupId`, `org_id` for `orgId`.
    /// Optional ones (a filter) are left unset.
    pub fn default_property(&self) -> Option<&'static str> {
        if !self.required || self.kind != ArgKind::Text || self.list {
            return None;
        }
        match self.id {
            "groupId" => Some("project_id"),
            "orgId" => Some("org_id"),
            _ => None,
        }
    }

    /// The short help: the first sentence of the description (or what the
    /// parameter is), and its pattern.
    pub fn help(&self) -> String {
        let mut help = match self.short_help {
            Some(short) => short.to_owned(),
            None => self.summary(),
        };
        if let Some(pattern) = self.pattern {
            help.push_str(&format!(" [pattern: {pattern}]"));
        }
        help
    }

    /// The long help: the whole description, then where the parameter goes,
    /// whether it is required, where its value comes from when it is not
    /// given, its pattern, default and example.
    pub fn long_help(&self) -> String {
        let mut help = if self.doc.is_empty() {
            self.summary()
        } else {
            self.doc.to_owned()
        };
        help.push_str(&format!(
            "\n\n{} parameter `{}`, {}.",
            self.location.as_str(),
            self.id,
            if self.required {
                "required"
            } else {
                "optional"
            }
        ));
        if let Some(property) = self.default_property() {
            let env = match property {
                "project_id" => profile::ENV_PROJECT_ID,
                _ => profile::ENV_ORG_ID,
            };
            help.push_str(&format!(
                "\nWhen not given: ${env}, else the profile's {property}."
            ));
        }
        if let Some(pattern) = self.pattern {
            help.push_str(&format!("\nPattern: {pattern}"));
        }
        if let Some(default) = self.default {
            help.push_str(&format!("\nServer default: {default}"));
        }
        if let Some(example) = self.example {
            help.push_str(&format!("\nExample: {example}"));
        }
        help
    }

    /// A value for the example invocation: the example, else the default,
    /// else `<id>`.
    pub fn example_value(&self) -> Cow<'static, str> {
        match self.example.or(self.default) {
            Some(value) => Cow::Borrowed(value),
            None => Cow::Owned(format!("<{}>", self.id)),
        }
    }

    /// The first sentence of the description, or what the parameter is.
    fn summary(&self) -> String {
        if self.doc.is_empty() {
            format!("The `{}` {} parameter.", self.id, self.location.as_str())
        } else {
            first_sentence(self.doc).to_owned()
        }
    }

    /// The clap flag. A flag with a [`Self::default_property`] is
    /// optional to clap; [`prepare`] fills it in or reports it missing.
    pub fn to_arg(&self) -> Arg {
        let (id, flag): (clap::Id, clap::builder::Str) = match self.flag() {
            Cow::Borrowed(flag) => (flag.into(), flag.into()),
            Cow::Owned(flag) => (flag.clone().into(), flag.into()),
        };
        let arg = Arg::new(id)
            .long(flag)
            .visible_aliases(self.aliases.iter().copied())
            .value_name(self.value_name)
            .required(self.required && self.default_property().is_none())
            .help(self.help())
            .long_help(self.long_help());
        let arg = match self.kind {
            ArgKind::Text => arg,
            ArgKind::Bool => arg.value_parser(clap::value_parser!(bool)),
            ArgKind::Integer => arg.value_parser(clap::value_parser!(i64)),
            ArgKind::Number => arg.value_parser(clap::value_parser!(f64)),
        };
        if self.list {
            arg.action(ArgAction::Append)
        } else if self.kind == ArgKind::Bool {
            arg.num_args(0..=1)
                .default_missing_value("true")
                .require_equals(true)
        } else {
            arg
        }
    }
}

/// Text up to and including the first `. ` (all of it if there is none).
fn first_sentence(text: &str) -> &str {
    let line = text.lines().next().unwrap_or("").trim();
    match line.find(". ") {
        Some(i) => &line[..=i],
        None => line,
    }
}

/// What the help says about credentials.
const CREDENTIALS_HELP: &str = "Credentials: MONGODB_ATLAS_CLIENT_ID/MONGODB_ATLAS_CLIENT_SECRET (service account) or MONGODB_ATLAS_PUBLIC_API_KEY/MONGODB_ATLAS_PRIVATE_API_KEY (API key; MONGODB_ATLAS_PUBLIC_KEY/MONGODB_ATLAS_PRIVATE_KEY too), else the Atlas CLI profile (--profile NAME, else $MONGODB_ATLAS_PROFILE, else the only profile in the file, else \"default\") in atlascli/config.toml, its secrets read from the OS keyring where `atlas` put them there. --no-auth sends none.";

impl OpSpec {
    /// The one-line help: the short help the overlays give, else the
    /// summary, else the method and path.
    pub fn about(&self) -> String {
        match self.short_help.or(self.summary) {
            Some(text) => text.to_owned(),
            None => format!("{} {}", self.method, self.path),
        }
    }

    /// The long help: the summary, the description, the method, path and
    /// operationId.
    pub fn long_about(&self) -> String {
        let mut text = match self.summary {
            Some(summary) => summary.to_owned(),
            None => format!("{} {}", self.method, self.path),
        };
        if let Some(description) = self.description {
            text.push_str("\n\n");
            text.push_str(description);
        }
        text.push_str(&format!(
            "\n\n{} {} (operationId {}).",
            self.method, self.path, self.operation_id
        ));
        text
    }

    /// The version named `name`, if the operation offers it.
    pub fn find_version(&self, name: &str) -> Option<&'static VersionSpec> {
        self.versions.iter().find(|v| v.name == name)
    }

    /// The version used when `--version` is not given (and no default API
    /// version applies): the one the builder was generated for.
    pub fn default_version(&self) -> Option<&'static VersionSpec> {
        self.version
            .and_then(|v| self.find_version(v))
            .or(self.versions.last())
    }

    /// The values of `--output`: `json` and `yaml` where some version offers
    /// JSON (or none has a versioned response), then the other formats.
    pub fn output_formats(&self) -> Vec<&'static str> {
        let mut formats: Vec<&'static str> = Vec::new();
        if self.versions.is_empty() || self.versions.iter().any(|v| v.offers("json")) {
            formats.extend(["json", "yaml"]);
        }
        let mut others: Vec<&'static str> = self
            .versions
            .iter()
            .flat_map(|v| v.formats.iter().copied())
            .filter(|f| *f != "json")
            .collect();
        others.sort_unstable();
        others.dedup();
        formats.extend(others);
        formats
    }

    /// The text after the flags: an example invocation with every required
    /// flag (`tag` is the tag's command), the body, the API versions,
    /// output formats, pagination and credentials.
    pub fn after_help(&self, tag: &str) -> String {
        let mut example = format!("atlas-api {tag} {}", self.name);
        for arg in self.args.iter().filter(|a| a.required) {
            example.push_str(&format!(" --{} {}", arg.flag(), arg.example_value()));
        }
        if self.body.is_some() {
            example.push_str(" --file body.json");
        }
        let mut text = format!("Example:\n  {example}");
        if let Some(body) = &self.body {
            text.push_str(&format!(
                "\n\nRequest body ({}, {}): JSON from --file PATH, or from standard input when it is not a terminal.",
                body.media_type,
                if body.required { "required" } else { "optional" }
            ));
            if let Some(doc) = body.doc {
                text.push_str(&format!(" {doc}"));
            }
        }
        if !self.versions.is_empty() {
            let list: Vec<String> = self
                .versions
                .iter()
                .map(|v| {
                    let mut notes = vec![if Some(v.name) == self.version {
                        "default; body checked"
                    } else {
                        "body sent as given"
                    }
                    .to_owned()];
                    if v.name == "preview" {
                        notes.push(
                            if v.public_preview {
                                "public preview"
                            } else {
                                "private preview"
                            }
                            .to_owned(),
                        );
                    }
                    if let Some(sunset) = v.sunset {
                        notes.push(format!("sunset {sunset}"));
                    }
                    if v.formats.iter().any(|f| *f != "json") {
                        notes.push(v.formats.join("/"));
                    }
                    format!("{} ({})", v.name, notes.join("; "))
                })
                .collect();
            text.push_str(&format!(
                "\n\nAPI versions (--version): {}",
                list.join(", ")
            ));
        }
        let formats = self.output_formats();
        if formats.iter().any(|f| !["json", "yaml"].contains(f)) {
            text.push_str(&format!("\n\nOutput (--output): {}", formats.join(", ")));
            text.push_str(if formats.iter().any(|f| is_binary(f)) {
                "; binary output needs --outputFile PATH when standard output is a terminal."
            } else {
                "."
            });
        }
        if let Some(page) = self.page_flag {
            text.push_str(&format!(
                "\n\nPaginated: prints one page (--{page}, default 1)."
            ));
        }
        if let Some(watch) = &self.watch {
            text.push_str(&format!(
                "\n\nWatch (--watch): prints the response, then polls {} (every --watch-interval seconds, at most --watchTimeout seconds), showing progress on standard error.",
                watch.describe()
            ));
        }
        text.push_str("\n\n");
        text.push_str(CREDENTIALS_HELP);
        text
    }

    /// The operation's command (`tag` is the tag's command name).
    pub fn command(&self, tag: &str) -> Command {
        let mut command = Command::new(self.name);
        if self.operation_id != self.name {
            command = command.visible_alias(self.operation_id);
        }
        let mut command = command
            .about(self.about())
            .long_about(self.long_about())
            .after_help(self.after_help(tag))
            .args(self.args.iter().map(|a| a.to_arg()));
        if self.body.is_some() {
            command = command.arg(file_arg());
        }
        if !self.versions.is_empty() {
            let names: Vec<&'static str> = self.versions.iter().map(|v| v.name).collect();
            command = command.arg(version_arg(&names, self.version.unwrap_or_default()));
        }
        if let Some(watch) = &self.watch {
            command = command.args(watch_args(watch));
        }
        command.args(output_args(&self.output_formats()))
    }
}

impl TagSpec {
    /// The tag's command, with a subcommand per operation.
    pub fn command(&self) -> Command {
        Command::new(self.name)
            .about(format!(
                "Operations tagged \"{}\" (cargo feature `{}`).",
                self.tag, self.feature
            ))
            .subcommand_required(true)
            .arg_required_else_help(true)
            .subcommands(self.ops.iter().map(|op| op.command(self.name)))
    }
}

/// Every command: the root (see [`root_command`]) with one subcommand per
/// tag, and `completion`.
pub fn command(about: &str, tags: &[TagSpec]) -> Command {
    root_command(about)
        .subcommands(tags.iter().map(TagSpec::command))
        .subcommand(completion_command())
}

/// The root command with its global flags; [`command`] adds the tags.
/// `--version` here prints the tool's version (under an operation it picks
/// the API version, as in `atlas api`).
pub fn root_command(about: &str) -> Command {
    Command::new("atlas-api")
        .version(env!("CARGO_PKG_VERSION"))
        .about(about.to_owned())
        .long_about(format!(
            "{about}\n\nThe commands are `atlas-api <tag> <operation> [flags]`, as in `atlas api`; `atlas-api <tag> <operation> --help` describes one operation.\n\n{CREDENTIALS_HELP}\n\nResults go to standard output (JSON unless --output says otherwise) or --outputFile; warnings and errors go to standard error, with exit status 2 when nothing was sent (bad flags, missing credentials) and 1 when the request failed."
        ))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("base-url")
                .long("base-url")
                .global(true)
                .value_name("URL")
                .help("Another endpoint than https://cloud.mongodb.com (default: $MONGODB_ATLAS_OPS_MANAGER_URL, $MONGODB_ATLAS_BASE_URL, the profile's ops_manager_url or service)"),
        )
        .arg(
            Arg::new("profile")
                .long("profile")
                .short('P')
                .global(true)
                .value_name("NAME")
                .help("The Atlas CLI profile to read (default: $MONGODB_ATLAS_PROFILE, else the only profile, else \"default\")"),
        )
        .arg(
            Arg::new("no-auth")
                .long("no-auth")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Send requests without credentials (a local mock, a proxy that adds its own); a loopback --base-url does not imply it"),
        )
}

/// `completion SHELL`: prints the completion script of a shell.
pub fn completion_command() -> Command {
    Command::new("completion")
        .about("Print a shell completion script (bash, zsh, fish, powershell, elvish)")
        .long_about("Print a shell completion script to standard output, e.g. `atlas-api completion bash > ~/.local/share/bash-completion/completions/atlas-api`, `atlas-api completion zsh > \"${fpath[1]}/_atlas-api\"`, `atlas-api completion fish > ~/.config/fish/completions/atlas-api.fish`, `atlas-api completion powershell >> $PROFILE`.")
        .arg(
            Arg::new("shell")
                .required(true)
                .value_name("SHELL")
                .value_parser(clap::value_parser!(clap_complete::Shell)),
        )
}

/// The completion script of `shell` for `command` (all of `atlas-api`, as
/// the binary builds it).
pub fn completion_script(shell: clap_complete::Shell, command: &mut Command) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, command, "atlas-api", &mut script);
    script
}

/// `--output FORMAT` and `--outputFile PATH` of an operation that offers
/// `formats`.
pub fn output_args(formats: &[&'static str]) -> [Arg; 2] {
    [
        Arg::new("output")
            .long("output")
            .short('o')
            .value_name("FORMAT")
            .value_parser(clap::builder::PossibleValuesParser::new(formats.iter().copied()))
            .help(format!(
                "Output format: {} (default: JSON where the API version offers it)",
                formats.join(", ")
            )),
        Arg::new("outputFile")
            .long("outputFile")
            .value_name("PATH")
            .value_parser(clap::value_parser!(PathBuf))
            .help("Write the response to PATH instead of standard output (needed for binary output, gzip, on a terminal)"),
    ]
}

/// `--watch` (`-w`), `--watch-interval` and `--watchTimeout` of an
/// operation with a watcher.
pub fn watch_args(watch: &WatchSpec) -> [Arg; 3] {
    [
        Arg::new("watch")
            .long("watch")
            .short('w')
            .action(ArgAction::SetTrue)
            .help(format!(
                "Print the response, then wait: poll {}, showing progress on standard error",
                watch.describe()
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

/// `--watch` with its timing, if given on an operation with a watcher.
fn watch_timing(op: &OpSpec, m: &ArgMatches) -> Result<Option<WatchTiming>, CliError> {
    let watching = op.watch.is_some()
        && m.try_get_one::<bool>("watch")
            .ok()
            .flatten()
            .copied()
            .unwrap_or(false);
    if !watching {
        return Ok(None);
    }
    let value = |id: &str| m.try_get_one::<f64>(id).ok().flatten().copied();
    let duration = |id: &str, v: f64| {
        Duration::try_from_secs_f64(v)
            .map_err(|_| CliError::usage(format!("--{id}: {v} is not a number of seconds")))
    };
    let interval = duration("watch-interval", value("watch-interval").unwrap_or(10.0))?;
    let timeout = value("watchTimeout").unwrap_or(7200.0);
    let timeout = if timeout > 0.0 {
        Some(duration("watchTimeout", timeout)?)
    } else {
        None
    };
    Ok(Some(WatchTiming { interval, timeout }))
}

/// Formats written as they are received, unfit for a terminal.
fn is_binary(format: &str) -> bool {
    !matches!(format, "json" | "yaml" | "csv")
}

/// The operation `matches` (from [`command`] with the same `tags`) names,
/// with its tag's name and its own matches.
pub fn find_op<'m>(
    matches: &'m ArgMatches,
    tags: &'static [TagSpec],
) -> Result<(&'static str, &'static OpSpec, &'m ArgMatches), CliError> {
    let Some((tag, m)) = matches.subcommand() else {
        return Err(CliError::usage("no command given; see --help"));
    };
    let Some((operation, m)) = m.subcommand() else {
        return Err(CliError::usage(format!(
            "no operation given for {tag}; see --help"
        )));
    };
    let Some((tag, op)) = tags
        .iter()
        .filter(|t| t.name == tag)
        .flat_map(|t| t.ops.iter().map(move |op| (t.name, op)))
        .find(|(_, op)| op.name == operation)
    else {
        return Err(CliError::usage(format!(
            "unknown command {tag} {operation}"
        )));
    };
    Ok((tag, op, m))
}

/// An operation ready to run: everything [`prepare`] decided.
#[derive(Debug, Clone)]
pub struct Prepared<'m> {
    /// The tag's command name.
    pub tag: &'static str,
    /// The operation.
    pub op: &'static OpSpec,
    /// The operation's matches.
    pub matches: &'m ArgMatches,
    /// The API version to send (`None` for an operation without versioned
    /// media types).
    pub version: Option<&'static VersionSpec>,
    /// The output format (`json`, `yaml`, `csv`, `gzip`).
    pub format: &'static str,
    /// `--outputFile`, if given.
    pub output_file: Option<PathBuf>,
    /// The request body read for it.
    pub body: Option<serde_json::Value>,
    /// Warnings for standard error, in order (see [`version_warnings`]).
    pub warnings: Vec<String>,
    /// Values of flags not given (see [`Call::fallbacks`]).
    pub fallbacks: Vec<(&'static str, String)>,
    /// `--watch` and its timing, when given (see [`watch`]).
    pub watch: Option<WatchTiming>,
}

/// Everything about the operation `matches` names that can be decided
/// before sending: the API version (`--version`, else the default API
/// version of `settings` where the operation offers it, else the generated
/// one) and its warnings, the output format (refused when the version does
/// not offer it, or when it is binary and would go to a terminal:
/// `stdout_is_terminal`), `--groupId`/`--orgId` from `settings` when not
/// given, and the body.
pub fn prepare<'m>(
    matches: &'m ArgMatches,
    tags: &'static [TagSpec],
    settings: &Settings,
    stdout_is_terminal: bool,
) -> Result<Prepared<'m>, CliError> {
    let (tag, op, m) = find_op(matches, tags)?;
    let mut warnings = Vec::new();
    let given = m.try_get_one::<String>("version").ok().flatten();
    let version = match (given, &settings.api_version) {
        _ if op.versions.is_empty() => None,
        (Some(name), _) => op.find_version(name),
        (None, Some((name, source))) => match op.find_version(name) {
            Some(version) => Some(version),
            None => {
                let default = op.default_version();
                let from = match source {
                    profile::Source::Env(var) => format!("${var}"),
                    _ => "the profile's api_version".to_owned(),
                };
                warnings.push(format!(
                    "warning: version '{name}' ({from}) is not supported for this endpoint, using default API version '{}'; consider pinning a version to ensure consistency when updating the CLI",
                    default.map_or("", |v| v.name)
                ));
                default
            }
        },
        (None, None) => {
            let default = op.default_version();
            // An --output the default version does not offer: the newest
            // version that does.
            let wanted = m.try_get_one::<String>("output").ok().flatten();
            let offering = wanted.and_then(|format| {
                let version = default
                    .filter(|d| !d.offers(format))
                    .and_then(|_| op.versions.iter().rev().find(|v| v.offers(format)))?;
                Some((version, format))
            });
            match (offering, default) {
                (Some((version, format)), _) => {
                    warnings.push(format!(
                        "warning: using API version '{}', the newest that offers --output {format}; consider pinning a version to ensure consistency when updating the CLI",
                        version.name
                    ));
                    Some(version)
                }
                (None, Some(default)) if op.versions.len() > 1 => {
                    warnings.push(format!(
                        "warning: using default API version '{}'; consider pinning a version to ensure consistency when updating the CLI",
                        default.name
                    ));
                    Some(default)
                }
                (None, default) => default,
            }
        }
    };
    if let Some(version) = version {
        warnings.extend(version_warnings(op, version, &today()));
    }
    let format = output_format(op, version, m)?;
    let output_file = m
        .try_get_one::<PathBuf>("outputFile")
        .ok()
        .flatten()
        .cloned();
    if is_binary(format) && output_file.is_none() && stdout_is_terminal {
        return Err(CliError::usage(format!(
            "the {format} response is binary: write it to a file with --outputFile PATH, or redirect standard output (atlas-api {tag} {} ... > out.{format})",
            op.name
        )));
    }
    let mut fallbacks = Vec::new();
    for arg in op.args {
        let Some(property) = arg.default_property() else {
            continue;
        };
        if m.try_get_one::<String>(&arg.flag())
            .ok()
            .flatten()
            .is_some()
        {
            continue;
        }
        let value = match property {
            "project_id" => settings.project_id.clone(),
            _ => settings.org_id.clone(),
        };
        match value {
            Some(value) => fallbacks.push((arg.id, value)),
            None => {
                let also = arg
                    .aliases
                    .iter()
                    .map(|a| format!(" (or --{a})"))
                    .collect::<String>();
                return Err(CliError::usage(format!(
                    "--{}{also} is required: pass it, {}",
                    arg.flag(),
                    settings.default_sources(property)
                )));
            }
        }
    }
    let watch = watch_timing(op, m)?;
    let body = match op.body {
        Some(_) => read_body(m)?,
        None => None,
    };
    Ok(Prepared {
        tag,
        op,
        matches: m,
        version,
        format,
        output_file,
        body,
        warnings,
        fallbacks,
        watch,
    })
}

/// `--output`, else the version's default; refused when the version does
/// not offer it.
fn output_format(
    op: &OpSpec,
    version: Option<&VersionSpec>,
    m: &ArgMatches,
) -> Result<&'static str, CliError> {
    let given = m.try_get_one::<String>("output").ok().flatten();
    let Some(given) = given else {
        return Ok(version.map_or("json", VersionSpec::default_format));
    };
    let format = op
        .output_formats()
        .into_iter()
        .find(|f| f == given)
        .ok_or_else(|| CliError::usage(format!("--output {given} is not offered")))?;
    match version {
        Some(v) if !v.offers(format) => {
            let others: Vec<&str> = op
                .versions
                .iter()
                .filter(|o| o.offers(format))
                .map(|o| o.name)
                .collect();
            Err(CliError::usage(format!(
                "--output {format}: version {} of {} does not offer it (it offers {}); versions that do: {}",
                v.name,
                op.name,
                if v.formats.is_empty() {
                    "json".to_owned()
                } else {
                    v.formats.join(", ")
                },
                others.join(", ")
            )))
        }
        _ => Ok(format),
    }
}

/// Today's date (UTC) as `YYYY-MM-DD`.
fn today() -> String {
    chrono::DateTime::<chrono::Utc>::from(std::time::SystemTime::now())
        .date_naive()
        .to_string()
}

/// The warnings `atlas api` prints for the chosen `version` of `op`, given
/// `today` (`YYYY-MM-DD`): a preview version (public or private), a version
/// with a sunset date (passed or coming), or, when every version has one,
/// that the command is deprecated.
pub fn version_warnings(op: &OpSpec, version: &VersionSpec, today: &str) -> Vec<String> {
    let mut warnings = Vec::new();
    if version.name == "preview" {
        warnings.push(if version.public_preview {
            "warning: you've selected a public preview version of the endpoint, this version is subject to breaking changes.".to_owned()
        } else {
            "warning: you've selected a private preview version of the endpoint, this version might not be available for your account and is subject to breaking changes.".to_owned()
        });
    }
    if op.versions.iter().all(|v| v.sunset.is_some()) {
        if let Some((name, sunset)) = op.versions.iter().find_map(|v| Some((v.name, v.sunset?))) {
            warnings.push(format!(
                "Command \"{}\" is deprecated, all of the available endpoint versions have been deprecated. The API endpoint version {name} will no longer be available after the sunset date of {sunset}.",
                op.name
            ));
        }
    } else if let Some(sunset) = version.sunset {
        warnings.push(if sunset <= today {
            format!(
                "error: version '{}' is deprecated for this command and has already been sunset since {sunset}. Consider upgrading to a newer version if available.",
                version.name
            )
        } else {
            format!(
                "warning: version '{}' is deprecated for this command and will be sunset on {sunset}. Consider upgrading to a newer version if available.",
                version.name
            )
        });
    }
    warnings
}

/// Runs the prepared operation: calls its [`OpSpec::run`] with another
/// version than the generated one where chosen, the format where it is not
/// JSON, the body and the fallbacks.
pub async fn execute(client: &Transport, prepared: &Prepared<'_>) -> Result<Outcome, CliError> {
    let op = prepared.op;
    let version = prepared
        .version
        .filter(|v| Some(v.name) != op.version)
        .map(|v| v.name.to_owned());
    let format = (!matches!(prepared.format, "json" | "yaml")).then_some(prepared.format);
    (op.run)(Call {
        client,
        matches: prepared.matches,
        version,
        format,
        body: prepared.body.clone(),
        fallbacks: &prepared.fallbacks,
    })
    .await
}

/// Waits, after [`execute`], for the prepared operation to take effect:
/// its [`WatchSpec::run`] with the response it was sent (`sent`), the
/// timing of `--watch-interval` and `--watchTimeout`, and `on_progress`
/// called after every poll. Returns the last polled response. A failure
/// exits 1 (the request was sent) and names the command that polls again
/// by hand.
pub async fn watch<'a>(
    client: &'a Transport,
    prepared: &'a Prepared<'_>,
    sent: &'a Outcome,
    on_progress: impl FnMut(&Progress<'_>) + Send + 'a,
) -> Result<Outcome, CliError> {
    static NO_BODY: serde_json::Value = serde_json::Value::Null;
    let op = prepared.op;
    let (Some(spec), Some(timing)) = (op.watch, prepared.watch) else {
        return Err(CliError::usage(format!("{} has nothing to watch", op.name)));
    };
    let sent = match sent {
        Outcome::Json(value) => value,
        Outcome::NoContent => &NO_BODY,
        Outcome::Bytes(_) | Outcome::Text(_) => {
            return Err(CliError::failure(
                "--watch needs the JSON response; the response was not JSON",
            ))
        }
    };
    let polling = Polling::new()
        .interval(timing.interval)
        .max_interval(timing.interval.max(wait::DEFAULT_MAX_INTERVAL))
        .timeout(timing.timeout.unwrap_or(Duration::MAX))
        .on_progress(on_progress);
    let call = Call {
        client,
        matches: prepared.matches,
        version: None,
        format: None,
        body: None,
        fallbacks: &prepared.fallbacks,
    };
    (spec.run)(call, sent, polling).await.map_err(|mut err| {
        err.exit_code = EXIT_FAILURE;
        err.message = format!(
            "{}; to look again: {}",
            err.message,
            spec.command_line(prepared.matches, &prepared.fallbacks, sent)
        );
        err
    })
}

/// The bytes to write for `outcome` in `format`: JSON indented, YAML, or
/// the body as received; nothing for a response without a body.
pub fn render(outcome: &Outcome, format: &str) -> Result<Vec<u8>, CliError> {
    match (outcome, format) {
        (Outcome::Json(value), "yaml") => serde_yaml::to_string(value)
            .map(String::into_bytes)
            .map_err(|err| CliError::failure(format!("cannot print the response as YAML: {err}"))),
        (Outcome::Json(value), _) => {
            let mut out = serde_json::to_vec_pretty(value)
                .map_err(|err| CliError::failure(format!("cannot print the response: {err}")))?;
            out.push(b'\n');
            Ok(out)
        }
        (Outcome::NoContent, _) => Ok(Vec::new()),
        (Outcome::Bytes(bytes), _) => Ok(bytes.to_vec()),
        (Outcome::Text(text), _) => Ok(text.as_bytes().to_vec()),
    }
}

/// Writes `bytes` to `file` (created or truncated), else to standard output.
pub fn write_output(bytes: &[u8], file: Option<&Path>) -> Result<(), CliError> {
    match file {
        Some(file) => std::fs::write(file, bytes).map_err(|err| {
            CliError::failure(format!(
                "cannot write --outputFile {}: {err}",
                file.display()
            ))
        }),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .map_err(|err| CliError::failure(format!("cannot write the output: {err}")))
        }
    }
}

impl Call<'_> {
    /// The value of the flag of spec parameter `id`, of type `T` (as its
    /// [`ArgKind`] parses it), if it was given.
    pub fn one<T: Clone + Send + Sync + 'static>(&self, id: &str) -> Result<Option<T>, CliError> {
        self.matches
            .try_get_one::<T>(&flag_name(id))
            .map(|v| v.cloned())
            .map_err(|err| CliError::failure(format!("internal error reading --{id}: {err}")))
    }

    /// The values of the repeatable flag of spec parameter `id`, of type
    /// `T`, if any was given.
    pub fn many<T: Clone + Send + Sync + 'static>(
        &self,
        id: &str,
    ) -> Result<Option<Vec<T>>, CliError> {
        self.matches
            .try_get_many::<T>(&flag_name(id))
            .map(|v| v.map(|v| v.cloned().collect()))
            .map_err(|err| CliError::failure(format!("internal error reading --{id}: {err}")))
    }

    /// An [`ArgKind::Text`] flag, if given, else its fallback (see
    /// [`Call::fallbacks`]).
    pub fn text(&self, id: &str) -> Result<Option<String>, CliError> {
        Ok(self.one(id)?.or_else(|| fallback(self.fallbacks, id)))
    }

    /// An [`ArgKind::Bool`] flag, if given.
    pub fn boolean(&self, id: &str) -> Result<Option<bool>, CliError> {
        self.one(id)
    }

    /// An [`ArgKind::Integer`] flag, if given.
    pub fn integer(&self, id: &str) -> Result<Option<i64>, CliError> {
        self.one(id)
    }

    /// An [`ArgKind::Number`] flag, if given.
    pub fn number(&self, id: &str) -> Result<Option<f64>, CliError> {
        self.one(id)
    }

    /// A repeatable [`ArgKind::Text`] flag, if given.
    pub fn texts(&self, id: &str) -> Result<Option<Vec<String>>, CliError> {
        self.many(id)
    }

    /// A repeatable [`ArgKind::Bool`] flag, if given.
    pub fn booleans(&self, id: &str) -> Result<Option<Vec<bool>>, CliError> {
        self.many(id)
    }

    /// A repeatable [`ArgKind::Integer`] flag, if given.
    pub fn integers(&self, id: &str) -> Result<Option<Vec<i64>>, CliError> {
        self.many(id)
    }

    /// A repeatable [`ArgKind::Number`] flag, if given.
    pub fn numbers(&self, id: &str) -> Result<Option<Vec<f64>>, CliError> {
        self.many(id)
    }

    /// A text flag parsed as `T` (an enum, a date: see [`parse_arg`]), if it
    /// was given.
    pub fn parse_one<T: DeserializeOwned>(&self, id: &str) -> Result<Option<T>, CliError> {
        self.text(id)?.map(|v| parse_arg(id, &v)).transpose()
    }

    /// A repeatable text flag, each value parsed as `T`, if any was given.
    pub fn parse_many<T: DeserializeOwned>(&self, id: &str) -> Result<Option<Vec<T>>, CliError> {
        self.texts(id)?
            .map(|values| values.iter().map(|v| parse_arg(id, v)).collect())
            .transpose()
    }

    /// The body as the operation's request type `T` (see [`typed_body`]),
    /// if there is one.
    pub fn typed_body<T: DeserializeOwned>(&self) -> Result<Option<T>, CliError> {
        self.body.as_ref().map(typed_body).transpose()
    }
}

/// The value a flag takes when it is not given (the profile's project
/// for `--groupId`), if it has one.
fn fallback(fallbacks: &[(&'static str, String)], id: &str) -> Option<String> {
    fallbacks
        .iter()
        .find(|(flag, _)| *flag == id)
        .map(|(_, value)| value.clone())
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

/// The request body: `--file PATH` (`-` for stdin), else standard input when
/// it is not a terminal; `None` when neither gives any text.
pub fn read_body(matches: &ArgMatches) -> Result<Option<serde_json::Value>, CliError> {
    let path = matches.try_get_one::<String>("file").ok().flatten();
    let text = match path.map(String::as_str) {
        Some("-") => read_stdin()?,
        Some(path) => std::fs::read_to_string(path)
            .map_err(|err| CliError::usage(format!("cannot read --file {path}: {err}")))?,
        None if !std::io::stdin().is_terminal() => read_stdin()?,
        None => String::new(),
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|err| CliError::usage(format!("the request body is not JSON: {err}")))
}

fn read_stdin() -> Result<String, CliError> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|err| CliError::usage(format!("cannot read standard input: {err}")))?;
    Ok(text)
}

/// The body as the operation's request type: fields that break their
/// pattern or type are reported here, before anything is sent.
pub fn typed_body<T: DeserializeOwned>(body: &serde_json::Value) -> Result<T, CliError> {
    // Exactly: required fields present, and no field the type does not
    // know (a typo would otherwise be dropped silently); the error names
    // the field and the closest known name.
    crate::serde_helpers::with_options(crate::DecodeOptions::EXACT, || T::deserialize(body))
        .map_err(|err| CliError::usage(format!("invalid request body: {err}")))
}

/// A flag value of a type other than a string, number or boolean (an enum,
/// a date): read as a JSON string, else as JSON.
pub fn parse_arg<T: DeserializeOwned>(flag: &str, value: &str) -> Result<T, CliError> {
    serde_json::from_value(serde_json::Value::String(value.to_owned()))
        .or_else(|_| serde_json::from_str(value))
        .map_err(|err| CliError::usage(format!("invalid --{flag} {value:?}: {err}")))
}

/// What a successful command prints.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A JSON body.
    Json(serde_json::Value),
    /// A success without a body.
    NoContent,
    /// A binary body, written as is.
    Bytes(Bytes),
    /// A text body (CSV), written as is.
    Text(String),
}

/// A typed result, printed as JSON.
pub fn outcome<T: Serialize, E: Serialize + crate::ErrorDetails + std::fmt::Debug>(
    result: Result<Response<T>, Error<E>>,
) -> Result<Outcome, CliError> {
    let response = result.map_err(CliError::from_error)?;
    match serde_json::to_value(&response.body) {
        Ok(serde_json::Value::Null) => Ok(Outcome::NoContent),
        Ok(value) => Ok(Outcome::Json(value)),
        Err(err) => Err(CliError::failure(format!(
            "cannot print the response: {err}"
        ))),
    }
}

/// A result decoded as plain JSON (another API version).
pub fn json_outcome<E: Serialize + crate::ErrorDetails + std::fmt::Debug>(
    result: Result<Response<serde_json::Value>, Error<E>>,
) -> Result<Outcome, CliError> {
    let response = result.map_err(CliError::from_error)?;
    Ok(match response.body {
        serde_json::Value::Null => Outcome::NoContent,
        value => Outcome::Json(value),
    })
}

/// A binary result.
pub fn bytes_outcome<E: Serialize + crate::ErrorDetails + std::fmt::Debug>(
    result: Result<Response<Bytes>, Error<E>>,
) -> Result<Outcome, CliError> {
    Ok(Outcome::Bytes(result.map_err(CliError::from_error)?.body))
}

/// A text result.
pub fn text_outcome<E: Serialize + crate::ErrorDetails + std::fmt::Debug>(
    result: Result<Response<String>, Error<E>>,
) -> Result<Outcome, CliError> {
    Ok(Outcome::Text(result.map_err(CliError::from_error)?.body))
}

/// Why a command failed: the message for standard error, the exit status,
/// and for an API error its status and decoded body (the `ApiError` fields).
#[derive(Debug, Clone, PartialEq)]
pub struct CliError {
    /// Exit status ([`EXIT_USAGE`] or [`EXIT_FAILURE`]).
    pub exit_code: i32,
    /// What went wrong, in one line.
    pub message: String,
    /// The HTTP status, when the server answered.
    pub status: Option<u16>,
    /// The decoded error body of a documented error status.
    pub api_error: Option<serde_json::Value>,
}

impl CliError {
    /// A command that could not be sent as given.
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            exit_code: EXIT_USAGE,
            message: message.into(),
            status: None,
            api_error: None,
        }
    }

    /// A command that failed after it was sent.
    pub fn failure(message: impl Into<String>) -> Self {
        Self {
            exit_code: EXIT_FAILURE,
            message: message.into(),
            status: None,
            api_error: None,
        }
    }

    /// From a client error: validation errors are usage errors (nothing was
    /// sent); API errors keep their status and body.
    pub fn from_error<E: Serialize + crate::ErrorDetails + std::fmt::Debug>(err: Error<E>) -> Self {
        match err {
            Error::InvalidRequest(err) => Self::usage(format!("request not sent: {err}")),
            Error::Config(msg) => Self::usage(format!("configuration: {msg}")),
            err @ Error::Api { .. } => Self {
                exit_code: EXIT_FAILURE,
                message: err.to_string(),
                status: err.status(),
                api_error: err
                    .api_error()
                    .and_then(|body| serde_json::to_value(body).ok()),
            },
            other => {
                let status = other.status();
                Self {
                    status,
                    ..Self::failure(other.to_string())
                }
            }
        }
    }

    /// The text for standard error: the message, then the API error's
    /// fields as JSON when there is one.
    pub fn to_stderr(&self) -> String {
        let mut out = format!("Error: {}\n", self.message);
        if let Some(body) = &self.api_error {
            out.push_str(&serde_json::to_string_pretty(body).unwrap_or_default());
            out.push('\n');
        }
        out
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static GROUP: ArgSpec = ArgSpec {
        id: "groupId",
        value_name: "GROUP_ID",
        location: Location::Path,
        required: true,
        doc: "The project. Atlas calls it a group.",
        pattern: Some("^([a-f0-9]{24})$"),
        default: None,
        example: Some("32b6e34b3d91647abb20e7b8"),
        kind: ArgKind::Text,
        list: false,
        aliases: &["projectId"],
        short_help: None,
    };
    static ENVELOPE: ArgSpec = ArgSpec {
        id: "envelope",
        value_name: "ENVELOPE",
        location: Location::Query,
        required: false,
        doc: "",
        pattern: None,
        default: Some("false"),
        example: None,
        kind: ArgKind::Bool,
        list: false,
        aliases: &[],
        short_help: None,
    };
    // Named like the `--file` every operation with a body has.
    static FILE: ArgSpec = ArgSpec {
        id: "file",
        value_name: "FILE",
        location: Location::Query,
        required: true,
        doc: "A file name.",
        pattern: None,
        default: None,
        example: None,
        kind: ArgKind::Text,
        list: false,
        aliases: &[],
        short_help: None,
    };
    static IDS: ArgSpec = ArgSpec {
        id: "ids",
        value_name: "IDS",
        location: Location::Query,
        required: false,
        doc: "Ids.",
        pattern: None,
        default: None,
        example: None,
        kind: ArgKind::Integer,
        list: true,
        aliases: &[],
        short_help: None,
    };

    /// Prints what it was given.
    fn echo(call: Call<'_>) -> Running<'_> {
        Box::pin(async move {
            Ok(Outcome::Json(json!({
                "groupId": call.text("groupId")?,
                "envelope": call.boolean("envelope")?,
                "file": call.text("file")?,
                "ids": call.integers("ids")?,
                "body": call.typed_body::<serde_json::Value>()?,
                "version": call.version,
                "format": call.format,
            })))
        })
    }

    /// An operation with no documented statuses and JSON error bodies.
    struct Raw;

    impl crate::Endpoint for Raw {
        type Decoder = crate::AnyJson;
        type ErrorBody = serde_json::Value;
        const SUCCESS: &'static [(u16, bool)] = &[];
        const ERRORS: &'static [u16] = &[];
    }

    /// Sends `GET /report` with the Accept of the format asked for and
    /// returns the body as received (what a generated `send_as` does).
    fn report(call: Call<'_>) -> Running<'_> {
        Box::pin(async move {
            let version = call.version.as_deref().unwrap_or("2023-01-01");
            let format = call.format.unwrap_or("json");
            let accept: &'static str = match format {
                "csv" => "application/vnd.atlas.2023-01-01+csv",
                "gzip" => "application/vnd.atlas.2023-01-01+gzip",
                _ => "application/vnd.atlas.2023-01-01+json",
            };
            let mut request = crate::ApiRequest::new(reqwest::Method::GET, "/report", &[], accept);
            request.api_version = Some(version.to_owned());
            if call.format.is_some() {
                bytes_outcome(call.client.send::<crate::AsBytes<Raw>>(Ok(request)).await)
            } else {
                json_outcome(
                    call.client
                        .send::<crate::AnyVersion<Raw>>(Ok(request))
                        .await,
                )
            }
        })
    }

    static OPS: &[OpSpec] = &[
        OpSpec {
            name: "getThing",
            operation_id: "getGroupThing",
            summary: Some("Return one thing"),
            short_help: None,
            description: Some("Returns the thing."),
            method: "POST",
            path: "/groups/{groupId}/things",
            args: &[&GROUP, &ENVELOPE, &FILE, &IDS],
            body: Some(BodySpec {
                media_type: "application/json",
                required: false,
                doc: None,
            }),
            versions: &[
                VersionSpec {
                    name: "2023-01-01",
                    formats: &["json"],
                    sunset: Some("2027-07-01"),
                    public_preview: false,
                },
                VersionSpec {
                    name: "2024-05-30",
                    formats: &["json"],
                    sunset: None,
                    public_preview: false,
                },
                VersionSpec {
                    name: "preview",
                    formats: &["json"],
                    sunset: None,
                    public_preview: true,
                },
            ],
            version: Some("2024-05-30"),
            page_flag: None,
            run: echo,
            watch: None,
        },
        OpSpec {
            name: "getReport",
            operation_id: "getReport",
            summary: None,
            short_help: None,
            description: None,
            method: "GET",
            path: "/report",
            args: &[],
            body: None,
            versions: &[
                VersionSpec {
                    name: "2023-01-01",
                    formats: &["csv", "json"],
                    sunset: None,
                    public_preview: false,
                },
                VersionSpec {
                    name: "preview",
                    formats: &["gzip"],
                    sunset: None,
                    public_preview: false,
                },
            ],
            version: Some("2023-01-01"),
            page_flag: None,
            run: report,
            watch: None,
        },
    ];
    static TAGS: &[TagSpec] = &[TagSpec {
        name: "things",
        tag: "Things",
        feature: "things",
        ops: OPS,
    }];

    fn parse(args: &[&str]) -> ArgMatches {
        let mut argv = vec!["atlas-api"];
        argv.extend_from_slice(args);
        command("About.", TAGS)
            .try_get_matches_from(argv)
            .expect("parses")
    }

    #[test]
    fn help_texts_are_built_from_the_table() {
        assert_eq!(GROUP.help(), "The project. [pattern: ^([a-f0-9]{24})$]");
        assert_eq!(
            GROUP.long_help(),
            "The project. Atlas calls it a group.\n\npath parameter `groupId`, required.\nWhen not given: $MONGODB_ATLAS_PROJECT_ID, else the profile's project_id.\nPattern: ^([a-f0-9]{24})$\nExample: 32b6e34b3d91647abb20e7b8"
        );
        assert_eq!(ENVELOPE.help(), "The `envelope` query parameter.");
        assert_eq!(
            ENVELOPE.long_help(),
            "The `envelope` query parameter.\n\nquery parameter `envelope`, optional.\nServer default: false"
        );
        assert_eq!(FILE.flag(), "fileParam");
        let op = &OPS[0];
        assert_eq!(
            op.long_about(),
            "Return one thing\n\nReturns the thing.\n\nPOST /groups/{groupId}/things (operationId getGroupThing)."
        );
        let after = op.after_help("things");
        assert!(
            after.starts_with(
                "Example:\n  atlas-api things getThing --groupId 32b6e34b3d91647abb20e7b8 --fileParam <file> --file body.json\n\nRequest body (application/json, optional): JSON from --file PATH"
            ),
            "{after}"
        );
        assert!(
            after.contains("API versions (--version): 2023-01-01 (body sent as given; sunset 2027-07-01), 2024-05-30 (default; body checked), preview (body sent as given; public preview)\n\nCredentials: "),
            "{after}"
        );
        assert_eq!(op.output_formats(), ["json", "yaml"]);
        assert_eq!(OPS[1].output_formats(), ["json", "yaml", "csv", "gzip"]);
        assert!(OPS[1].after_help("things").contains(
            "Output (--output): json, yaml, csv, gzip; binary output needs --outputFile PATH"
        ));
        // clap's own checks (unique ids and flags among them).
        command("About.", TAGS).debug_assert();
    }

    #[tokio::test]
    async fn the_table_dispatches_with_the_flags_body_version_and_fallbacks() {
        let client = Transport::builder().build().expect("client");
        let dir = tempfile::tempdir().expect("temp dir");
        let body = dir.path().join("body.json");
        std::fs::write(&body, r#"{"a": 1}"#).expect("body");
        let body = body.display().to_string();
        let matches = parse(&[
            "things",
            "getGroupThing",
            "--projectId",
            "g",
            "--envelope",
            "--fileParam",
            "f.txt",
            "--ids",
            "1",
            "--ids",
            "2",
            "--file",
            &body,
            "--version",
            "2023-01-01",
        ]);
        let prepared = prepare(&matches, TAGS, &Settings::empty(), false).expect("prepared");
        assert_eq!(prepared.format, "json");
        let out = execute(&client, &prepared).await.expect("runs");
        assert_eq!(
            out,
            Outcome::Json(json!({
                "groupId": "g", "envelope": true, "file": "f.txt", "ids": [1, 2],
                "version": "2023-01-01", "body": { "a": 1 }, "format": null
            }))
        );
        // The generated version is no other version; `=false` is false;
        // --groupId comes from the settings when not given.
        let matches = parse(&[
            "things",
            "getThing",
            "--fileParam",
            "f.txt",
            "--envelope=false",
            "--file",
            &body,
            "--version",
            "2024-05-30",
        ]);
        let settings = Settings {
            project_id: Some("from-profile".into()),
            ..Settings::empty()
        };
        let prepared = prepare(&matches, TAGS, &settings, false).expect("prepared");
        let Outcome::Json(out) = execute(&client, &prepared).await.expect("runs") else {
            panic!("not JSON");
        };
        assert_eq!(out["version"], json!(null));
        assert_eq!(out["envelope"], json!(false));
        assert_eq!(out["ids"], json!(null));
        assert_eq!(out["groupId"], json!("from-profile"));
        // Without one: the flag, the variable and the profile are named.
        let err = prepare(&matches, TAGS, &Settings::empty(), false).expect_err("no group");
        assert_eq!(err.exit_code, EXIT_USAGE);
        assert!(
            err.message
                .starts_with("--groupId (or --projectId) is required: pass it, set MONGODB_ATLAS_PROJECT_ID, or set project_id in an Atlas CLI profile"),
            "{err}"
        );
        // A bad integer is clap's usage error; no operation, no tag: ours.
        assert!(command("About.", TAGS)
            .try_get_matches_from(["atlas-api", "things", "getThing", "--ids", "x"])
            .is_err());
        let matches = Command::new("atlas-api")
            .subcommand(Command::new("things").subcommand(Command::new("nothing")))
            .get_matches_from(["atlas-api", "things", "nothing"]);
        let err = prepare(&matches, TAGS, &Settings::empty(), false).expect_err("unknown");
        assert_eq!(err.exit_code, EXIT_USAGE);
        assert_eq!(err.message, "unknown command things nothing");
    }

    #[test]
    fn versions_warn_as_atlas_api_does() {
        let op = &OPS[0];
        let [old, current, preview] = [&op.versions[0], &op.versions[1], &op.versions[2]];
        assert!(version_warnings(op, current, "2026-01-01").is_empty());
        assert_eq!(
            version_warnings(op, old, "2026-01-01"),
            ["warning: version '2023-01-01' is deprecated for this command and will be sunset on 2027-07-01. Consider upgrading to a newer version if available."]
        );
        assert_eq!(
            version_warnings(op, old, "2027-07-01"),
            ["error: version '2023-01-01' is deprecated for this command and has already been sunset since 2027-07-01. Consider upgrading to a newer version if available."]
        );
        assert_eq!(
            version_warnings(op, preview, "2026-01-01"),
            ["warning: you've selected a public preview version of the endpoint, this version is subject to breaking changes."]
        );
        let private = &OPS[1].versions[1];
        assert_eq!(
            version_warnings(&OPS[1], private, "2026-01-01"),
            ["warning: you've selected a private preview version of the endpoint, this version might not be available for your account and is subject to breaking changes."]
        );
        // Every version sunset: the command is deprecated.
        static SUNSET: &[VersionSpec] = &[VersionSpec {
            name: "2023-01-01",
            formats: &["json"],
            sunset: Some("2025-01-01"),
            public_preview: false,
        }];
        let gone = OpSpec {
            versions: SUNSET,
            ..OPS[0]
        };
        assert_eq!(
            version_warnings(&gone, &SUNSET[0], "2026-01-01"),
            ["Command \"getThing\" is deprecated, all of the available endpoint versions have been deprecated. The API endpoint version 2023-01-01 will no longer be available after the sunset date of 2025-01-01."]
        );
        // prepare: the reminder once when --version is omitted, none when
        // given; the profile's api_version applies where offered.
        let settings = Settings {
            project_id: Some("g".into()),
            ..Settings::empty()
        };
        let omitted = parse(&["things", "getThing", "--fileParam", "f"]);
        let prepared = prepare(&omitted, TAGS, &settings, false).expect("prepared");
        assert_eq!(
            prepared.warnings,
            ["warning: using default API version '2024-05-30'; consider pinning a version to ensure consistency when updating the CLI"]
        );
        let given = parse(&[
            "things",
            "getThing",
            "--fileParam",
            "f",
            "--version",
            "preview",
        ]);
        let prepared = prepare(&given, TAGS, &settings, false).expect("prepared");
        assert_eq!(prepared.warnings.len(), 1);
        assert!(prepared.warnings[0].contains("public preview"));
        let pinned = Settings {
            api_version: Some(("2023-01-01".into(), profile::Source::Profile("api_version"))),
            ..settings.clone()
        };
        let prepared = prepare(&omitted, TAGS, &pinned, false).expect("prepared");
        assert_eq!(prepared.version.map(|v| v.name), Some("2023-01-01"));
        assert!(
            prepared.warnings[0].contains("will be sunset on 2027-07-01"),
            "{:?}",
            prepared.warnings
        );
        let unknown = Settings {
            api_version: Some(("2020-01-01".into(), profile::Source::Profile("api_version"))),
            ..settings
        };
        let prepared = prepare(&omitted, TAGS, &unknown, false).expect("prepared");
        assert_eq!(prepared.version.map(|v| v.name), Some("2024-05-30"));
        assert_eq!(
            prepared.warnings,
            ["warning: version '2020-01-01' (the profile's api_version) is not supported for this endpoint, using default API version '2024-05-30'; consider pinning a version to ensure consistency when updating the CLI"]
        );
    }

    #[tokio::test]
    async fn output_formats_yaml_csv_gzip_and_files() {
        use wiremock::matchers::{header, method, path};
        use wiremock::{Mock, MockServer, ResponseTemplate};
        let server = MockServer::start().await;
        for (format, body) in [
            ("json", &b"{\"a\": [1, \"x\"]}"[..]),
            ("csv", b"a,b\n1,2\n"),
        ] {
            Mock::given(method("GET"))
                .and(path("/report"))
                .and(header(
                    "accept",
                    format!("application/vnd.atlas.2023-01-01+{format}").as_str(),
                ))
                .respond_with(ResponseTemplate::new(200).set_body_bytes(body))
                .mount(&server)
                .await;
        }
        Mock::given(method("GET"))
            .and(path("/report"))
            .and(header("accept", "application/vnd.atlas.preview+gzip"))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(&b"\x1f\x8b\x08\x00"[..]))
            .mount(&server)
            .await;
        let client = Transport::builder()
            .base_url(server.uri())
            .build()
            .expect("client");
        let run = |args: &[&str], terminal: bool| {
            let mut argv = vec!["things", "getReport"];
            argv.extend_from_slice(args);
            let matches = parse(&argv);
            prepare(&matches, TAGS, &Settings::empty(), terminal)
                .map(|p| (p.format, p.version.map(|v| v.name), p.output_file))
        };
        // YAML renders the JSON.
        let matches = parse(&["things", "getReport", "-o", "yaml"]);
        let prepared = prepare(&matches, TAGS, &Settings::empty(), true).expect("yaml");
        let out = execute(&client, &prepared).await.expect("yaml runs");
        assert_eq!(
            String::from_utf8(render(&out, prepared.format).expect("render")).expect("utf-8"),
            "a:\n- 1\n- x\n"
        );
        // CSV asks for +csv and prints it as received.
        let matches = parse(&["things", "getReport", "--output", "csv"]);
        let prepared = prepare(&matches, TAGS, &Settings::empty(), true).expect("csv");
        let out = execute(&client, &prepared).await.expect("csv runs");
        assert_eq!(render(&out, "csv").expect("render"), b"a,b\n1,2\n");
        // gzip: only the preview offers it; binary is refused on a
        // terminal without --outputFile, written to the file with it.
        let refused = run(&["-o", "gzip", "--version", "2023-01-01"], false);
        let err = refused.expect_err("not offered by 2023-01-01");
        assert_eq!(
            err.message,
            "--output gzip: version 2023-01-01 of getReport does not offer it (it offers csv, json); versions that do: preview"
        );
        let refused = run(&["-o", "gzip", "--version", "preview"], true);
        let err = refused.expect_err("binary to a terminal");
        assert!(
            err.message.starts_with(
                "the gzip response is binary: write it to a file with --outputFile PATH"
            ),
            "{err}"
        );
        let piped = run(&["-o", "gzip", "--version", "preview"], false);
        assert!(piped.is_ok());
        // Without --version: the newest version that offers the format.
        let matches = parse(&["things", "getReport", "-o", "gzip"]);
        let prepared = prepare(&matches, TAGS, &Settings::empty(), false).expect("newest gzip");
        assert_eq!(prepared.version.map(|v| v.name), Some("preview"));
        assert_eq!(
            prepared.warnings[0],
            "warning: using API version 'preview', the newest that offers --output gzip; consider pinning a version to ensure consistency when updating the CLI"
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("report.gz");
        let file_arg = file.display().to_string();
        let matches = parse(&[
            "things",
            "getReport",
            "-o",
            "gzip",
            "--version",
            "preview",
            "--outputFile",
            &file_arg,
        ]);
        let prepared = prepare(&matches, TAGS, &Settings::empty(), true).expect("gzip to a file");
        // A preview version without x-xgen-preview public is private.
        assert!(prepared
            .warnings
            .iter()
            .any(|w| w.contains("private preview")));
        let out = execute(&client, &prepared).await.expect("gzip runs");
        write_output(
            &render(&out, prepared.format).expect("render"),
            prepared.output_file.as_deref(),
        )
        .expect("written");
        assert_eq!(std::fs::read(&file).expect("file"), b"\x1f\x8b\x08\x00");
        // The only format of a version is its default.
        let default = run(&["--version", "preview"], false);
        assert_eq!(default.expect("default").0, "gzip");
    }
}
