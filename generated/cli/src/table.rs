//! The table the generated `cli` module is: [`TagSpec`]s, their
//! [`OpSpec`]s, the flags ([`ArgSpec`]), API versions ([`VersionSpec`]),
//! request bodies ([`BodySpec`]) and watchers ([`WatchSpec`]), and what an
//! operation's function is handed ([`Call`]).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use atlas_admin_runtime::wait::{self, Expect, Polling};
use atlas_admin_runtime::Transport;
use clap::ArgMatches;

use crate::error::CliError;
use crate::flags::flag_name;
use crate::format::OutputFormat;
use crate::outcome::Outcome;

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
    /// The description, rendered from the spec's Markdown as plain text
    /// (paragraphs and list items kept apart, links as text and URL), its
    /// docs link (`Docs: https://...`) last.
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
    /// The paging parameters of a paginated list operation (`--all`).
    pub pages: Option<PagesSpec>,
    /// A request body to start from (`--body-template`), for an operation
    /// with a JSON body: made at codegen time from the request type,
    /// required properties first, with the spec's examples.
    pub body_template: Option<&'static str>,
    /// Copies the flags onto the operation's request builder and sends it.
    pub run: RunFn,
    /// How `--watch` waits for the operation to take effect, for an
    /// operation with a watcher (`x-xgen-atlascli.watcher`).
    pub watch: Option<WatchSpec>,
}

/// The paging parameters of a paginated list operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PagesSpec {
    /// The page number parameter (`pageNum`).
    pub page: &'static str,
    /// The page size parameter (`itemsPerPage`).
    pub size: &'static str,
    /// The spec's default page size (what the server uses when none is
    /// sent).
    pub default_size: Option<i64>,
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
    /// Whether `format` can be asked of this version: it offers the
    /// response format the output is printed from (see
    /// [`OutputFormat::served_as`]; a version without versioned media types
    /// offers JSON).
    pub fn offers(&self, format: OutputFormat) -> bool {
        let served = format.served_as();
        self.formats.contains(&served) || (self.formats.is_empty() && served == "json")
    }

    /// The format printed when `--output` is not given: JSON where the
    /// version offers it, else its first format.
    pub fn default_format(&self) -> OutputFormat {
        if self.offers(OutputFormat::Json) {
            OutputFormat::Json
        } else {
            self.formats
                .iter()
                .find_map(|name| {
                    OutputFormat::ALL
                        .into_iter()
                        .find(|f| f.served_as() == *name)
                })
                .unwrap_or(OutputFormat::Json)
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

/// What [`execute`](crate::execute) hands an operation's function ([`OpSpec::run`]): the
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
    /// The request body (see [`read_body`](crate::read_body)); `None` for operations without
    /// one.
    pub body: Option<serde_json::Value>,
    /// Values of flags that were not given, from the environment or the
    /// profile (`groupId` from `project_id`).
    pub fallbacks: &'a [(&'static str, String)],
    /// A value that replaces an integer flag's (`--all` walking the pages
    /// sets the page number parameter this way).
    pub page: Option<(&'static str, i64)>,
    /// `--outputFile`, if given: a binary or text answer is streamed there
    /// ([`saved_outcome`](crate::saved_outcome)) instead of read into memory.
    pub output_file: Option<&'a std::path::Path>,
}

/// The future an operation's function returns.
pub type Running<'a> = Pin<Box<dyn Future<Output = Result<Outcome, CliError>> + Send + 'a>>;

/// An operation's function: copies the flags of the [`Call`] onto the
/// operation's request builder and sends it.
pub type RunFn = for<'a> fn(Call<'a>) -> Running<'a>;

/// The value a flag takes when it is not given (the profile's project
/// for `--groupId`), if it has one.
pub(crate) fn fallback(fallbacks: &[(&'static str, String)], id: &str) -> Option<String> {
    fallbacks
        .iter()
        .find(|(flag, _)| *flag == id)
        .map(|(_, value)| value.clone())
}
