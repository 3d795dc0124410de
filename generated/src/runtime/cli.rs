//! Hand-written pieces of the `atlas-api` command line (cargo feature
//! `cli`). The generated `crate::gen::cli` is data: a table of
//! [`TagSpec`]s, each with its [`OpSpec`]s, whose flags are [`ArgSpec`]s
//! shared by every operation that has the same parameter, plus one small
//! function per operation that copies the parsed flags onto its typed
//! request builder and sends it. Everything else is here: building the
//! clap commands and their help texts from the table ([`command`]),
//! finding the operation to run ([`run`]), common flags, reading the
//! request body, turning results into output and errors into messages and
//! exit codes.

use std::borrow::Cow;
use std::future::Future;
use std::io::{IsTerminal, Read};
use std::pin::Pin;

use bytes::Bytes;
use clap::{Arg, ArgAction, ArgMatches, Command};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::client::Client;
use super::error::Error;
use super::response::Response;

/// Exit status of a request that was never sent: bad flags, a value that
/// breaks its pattern, a body that does not fit its type.
pub const EXIT_USAGE: i32 = 2;
/// Exit status of a request that failed after it was sent (an API error, a
/// communication failure, a response that did not decode).
pub const EXIT_FAILURE: i32 = 1;

/// Flags every operation command has (or the binary adds); a spec parameter
/// with one of these names gets `Param` appended to its flag (see
/// [`flag_name`]).
pub const RESERVED_FLAGS: &[&str] = &["file", "version", "base-url", "help", "watch"];

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
    pub versions: &'static [&'static str],
    /// The API version the typed builder was generated for.
    pub version: Option<&'static str>,
    /// The page number parameter of a paginated list operation.
    pub page_flag: Option<&'static str>,
    /// Copies the flags onto the operation's request builder and sends it.
    pub run: RunFn,
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

/// What [`run`] hands an operation's function ([`OpSpec::run`]): the
/// client, the operation's flags (read with the methods), and the body and
/// version read for it.
#[derive(Debug, Clone)]
pub struct Call<'a> {
    /// The client to send with.
    pub client: &'a Client,
    /// The operation's matches (its own subcommand's).
    pub matches: &'a ArgMatches,
    /// The API version chosen with `--version`, when it is not the one the
    /// builder was generated for: the body is then sent as given and the
    /// response printed as received.
    pub version: Option<String>,
    /// The request body (see [`read_body`]); `None` for operations without
    /// one.
    pub body: Option<serde_json::Value>,
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

    /// The short help: the first sentence of the description (or what the
    /// parameter is), and its pattern.
    pub fn help(&self) -> String {
        let mut help = self.summary();
        if let Some(pattern) = self.pattern {
            help.push_str(&format!(" [pattern: {pattern}]"));
        }
        help
    }

    /// The long help: the whole description, then where the parameter goes,
    /// whether it is required, its pattern, default and example.
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

    /// The clap flag.
    pub fn to_arg(&self) -> Arg {
        let (id, flag): (clap::Id, clap::builder::Str) = match self.flag() {
            Cow::Borrowed(flag) => (flag.into(), flag.into()),
            Cow::Owned(flag) => (flag.clone().into(), flag.into()),
        };
        let arg = Arg::new(id)
            .long(flag)
            .value_name(self.value_name)
            .required(self.required)
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

impl OpSpec {
    /// The one-line help: the summary, else the method and path.
    pub fn about(&self) -> String {
        match self.summary {
            Some(summary) => summary.to_owned(),
            None => format!("{} {}", self.method, self.path),
        }
    }

    /// The long help: the summary, the description, the method, path and
    /// operationId.
    pub fn long_about(&self) -> String {
        let mut text = self.about();
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

    /// The text after the flags: an example invocation with every required
    /// flag (`tag` is the tag's command), the body, the API versions,
    /// pagination and credentials.
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
                    if Some(*v) == self.version {
                        format!("{v} (default, typed)")
                    } else {
                        format!("{v} (response printed as received)")
                    }
                })
                .collect();
            text.push_str(&format!(
                "\n\nAPI versions (--version): {}",
                list.join(", ")
            ));
        }
        if let Some(page) = self.page_flag {
            text.push_str(&format!(
                "\n\nPaginated: prints one page (--{page}, default 1)."
            ));
        }
        text.push_str("\n\nCredentials: MONGODB_ATLAS_CLIENT_ID/MONGODB_ATLAS_CLIENT_SECRET (service account) or MONGODB_ATLAS_PUBLIC_KEY/MONGODB_ATLAS_PRIVATE_KEY (API key).");
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
            command = command.arg(version_arg(self.versions, self.version.unwrap_or_default()));
        }
        command
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
/// tag.
pub fn command(about: &str, tags: &[TagSpec]) -> Command {
    root_command(about).subcommands(tags.iter().map(TagSpec::command))
}

/// Runs the operation that `matches` (from [`command`] with the same
/// `tags`) names: reads its body when it takes one, notes another API
/// version, and calls its [`OpSpec::run`].
pub async fn run(
    client: &Client,
    matches: &ArgMatches,
    tags: &[TagSpec],
) -> Result<Outcome, CliError> {
    let Some((tag, m)) = matches.subcommand() else {
        return Err(CliError::usage("no command given; see --help"));
    };
    let Some((operation, m)) = m.subcommand() else {
        return Err(CliError::usage(format!(
            "no operation given for {tag}; see --help"
        )));
    };
    let Some(op) = tags
        .iter()
        .filter(|t| t.name == tag)
        .flat_map(|t| t.ops)
        .find(|op| op.name == operation)
    else {
        return Err(CliError::usage(format!(
            "unknown command {tag} {operation}"
        )));
    };
    let body = match op.body {
        Some(_) => read_body(m)?,
        None => None,
    };
    let version = match op.versions {
        [] => None,
        _ => other_version(m, op.version.unwrap_or_default()),
    };
    (op.run)(Call {
        client,
        matches: m,
        version,
        body,
    })
    .await
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

    /// An [`ArgKind::Text`] flag, if given.
    pub fn text(&self, id: &str) -> Result<Option<String>, CliError> {
        self.one(id)
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

/// The root command with its global flags; [`command`] adds the tags.
pub fn root_command(about: &str) -> Command {
    Command::new("atlas-api")
        .about(about.to_owned())
        .long_about(format!(
            "{about}\n\nUsage: atlas-api <tag> <operation> [flags]; `atlas-api <tag> <operation> --help` describes one operation.\n\nCredentials come from MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET (a service account), else MONGODB_ATLAS_PUBLIC_KEY and MONGODB_ATLAS_PRIVATE_KEY (an API key, HTTP digest). Results are printed to standard output as JSON; errors go to standard error with a non-zero exit status (2: nothing was sent, 1: the request failed)."
        ))
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("base-url")
                .long("base-url")
                .global(true)
                .value_name("URL")
                .help("Another endpoint than https://cloud.mongodb.com"),
        )
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
            "The API version to call (default {default}); another one prints the response as received"
        ))
}

/// The API version chosen with `--version`, when it is not `generated`.
pub fn other_version(matches: &ArgMatches, generated: &str) -> Option<String> {
    matches
        .try_get_one::<String>("version")
        .ok()
        .flatten()
        .filter(|v| v.as_str() != generated)
        .cloned()
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
    serde_json::from_value(body.clone())
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

impl Outcome {
    /// The bytes written to standard output.
    pub fn to_stdout(&self) -> Vec<u8> {
        match self {
            Outcome::Json(value) => {
                let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
                out.push(b'\n');
                out
            }
            Outcome::NoContent => Vec::new(),
            Outcome::Bytes(bytes) => bytes.to_vec(),
            Outcome::Text(text) => text.as_bytes().to_vec(),
        }
    }
}

/// A typed result, printed as JSON.
pub fn outcome<T: Serialize, E: Serialize + std::fmt::Debug>(
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
pub fn json_outcome<E: Serialize + std::fmt::Debug>(
    result: Result<Response<serde_json::Value>, Error<E>>,
) -> Result<Outcome, CliError> {
    let response = result.map_err(CliError::from_error)?;
    Ok(match response.body {
        serde_json::Value::Null => Outcome::NoContent,
        value => Outcome::Json(value),
    })
}

/// A binary result.
pub fn bytes_outcome<E: Serialize + std::fmt::Debug>(
    result: Result<Response<Bytes>, Error<E>>,
) -> Result<Outcome, CliError> {
    Ok(Outcome::Bytes(result.map_err(CliError::from_error)?.body))
}

/// A text result.
pub fn text_outcome<E: Serialize + std::fmt::Debug>(
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
    pub fn from_error<E: Serialize + std::fmt::Debug>(err: Error<E>) -> Self {
        match err {
            Error::InvalidRequest(err) => Self::usage(format!("request not sent: {err}")),
            Error::Config(msg) => Self::usage(format!("configuration: {msg}")),
            Error::Api { meta, body } => Self {
                exit_code: EXIT_FAILURE,
                message: format!("the server answered HTTP {}", meta.status),
                status: Some(meta.status),
                api_error: serde_json::to_value(&body).ok(),
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
            })))
        })
    }

    static OPS: &[OpSpec] = &[OpSpec {
        name: "getThing",
        operation_id: "getGroupThing",
        summary: Some("Return one thing"),
        description: Some("Returns the thing."),
        method: "POST",
        path: "/groups/{groupId}/things",
        args: &[&GROUP, &ENVELOPE, &FILE, &IDS],
        body: Some(BodySpec {
            media_type: "application/json",
            required: false,
            doc: None,
        }),
        versions: &["2023-01-01", "2024-05-30"],
        version: Some("2024-05-30"),
        page_flag: None,
        run: echo,
    }];
    static TAGS: &[TagSpec] = &[TagSpec {
        name: "things",
        tag: "Things",
        feature: "things",
        ops: OPS,
    }];

    #[test]
    fn help_texts_are_built_from_the_table() {
        assert_eq!(GROUP.help(), "The project. [pattern: ^([a-f0-9]{24})$]");
        assert_eq!(
            GROUP.long_help(),
            "The project. Atlas calls it a group.\n\npath parameter `groupId`, required.\nPattern: ^([a-f0-9]{24})$\nExample: 32b6e34b3d91647abb20e7b8"
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
            after.contains("API versions (--version): 2023-01-01 (response printed as received), 2024-05-30 (default, typed)\n\nCredentials: "),
            "{after}"
        );
        // clap's own checks (unique ids and flags among them).
        command("About.", TAGS).debug_assert();
    }

    #[tokio::test]
    async fn the_table_dispatches_with_the_flags_body_and_version() {
        let client = Client::builder().build::<()>().expect("client");
        let dir = std::env::temp_dir().join(format!("cli-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let body = dir.join("body.json");
        std::fs::write(&body, r#"{"a": 1}"#).expect("body");
        let body = body.display().to_string();
        let matches = command("About.", TAGS)
            .try_get_matches_from([
                "atlas-api",
                "things",
                "getGroupThing",
                "--groupId",
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
            ])
            .expect("parses");
        let out = run(&client, &matches, TAGS).await.expect("runs");
        assert_eq!(
            out,
            Outcome::Json(json!({
                "groupId": "g", "envelope": true, "file": "f.txt", "ids": [1, 2],
                "version": "2023-01-01", "body": { "a": 1 }
            }))
        );
        // The generated version is no other version; `=false` is false.
        let matches = command("About.", TAGS)
            .try_get_matches_from([
                "atlas-api",
                "things",
                "getThing",
                "--groupId",
                "g",
                "--fileParam",
                "f.txt",
                "--envelope=false",
                "--file",
                &body,
                "--version",
                "2024-05-30",
            ])
            .expect("parses");
        let out = run(&client, &matches, TAGS).await.expect("runs");
        let _ = std::fs::remove_dir_all(&dir);
        let Outcome::Json(out) = out else {
            panic!("not JSON");
        };
        assert_eq!(out["version"], json!(null));
        assert_eq!(out["envelope"], json!(false));
        assert_eq!(out["ids"], json!(null));
        // A bad integer is clap's usage error; no operation, no tag: ours.
        assert!(command("About.", TAGS)
            .try_get_matches_from(["atlas-api", "things", "getThing", "--ids", "x"])
            .is_err());
        let matches = Command::new("atlas-api")
            .subcommand(Command::new("things").subcommand(Command::new("nothing")))
            .get_matches_from(["atlas-api", "things", "nothing"]);
        let err = run(&client, &matches, TAGS).await.expect_err("unknown");
        assert_eq!(err.exit_code, EXIT_USAGE);
        assert_eq!(err.message, "unknown command things nothing");
    }
}
