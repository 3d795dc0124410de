//! The clap commands and their help texts, built from the table: one
//! command per tag, one subcommand per operation, one flag per parameter,
//! the global flags, and shell completions.

use std::borrow::Cow;
use std::path::PathBuf;

use clap::{Arg, ArgAction, ArgMatches, Command};

use crate::error::CliError;
use crate::output::{write_output, OutputFormat};
use crate::profile;
use crate::table::{flag_name, ArgKind, ArgSpec, OpSpec, TagSpec, VersionSpec, WatchSpec};

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
    /// optional to clap; [`prepare`](crate::prepare) fills it in or reports it missing.
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
    pub fn output_formats(&self) -> Vec<OutputFormat> {
        OutputFormat::ALL
            .into_iter()
            .filter(|format| {
                (self.versions.is_empty() && format.served_as() == "json")
                    || self.versions.iter().any(|v| v.offers(*format))
            })
            .collect()
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
                    if v.formats
                        .iter()
                        .any(|f| *f != OutputFormat::Json.served_as())
                    {
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
        if formats.iter().any(|f| f.requested().is_some()) {
            text.push_str(&format!("\n\nOutput (--output): {}", names(&formats)));
            text.push_str(if formats.iter().any(|f| f.is_binary()) {
                "; binary output needs --outputFile PATH when standard output is a terminal."
            } else {
                "."
            });
        }
        if let Some(pages) = &self.pages {
            text.push_str(&format!(
                "\n\nPaginated: prints one page (--{}, default 1; --{} items); --all walks every page from there and prints their items as one `results` list, --ndjson prints one item per line as the pages come, --limit N stops after N items.",
                pages.page, pages.size
            ));
        }
        if self.body_template.is_some() {
            text.push_str(&format!(
                "\n\nBody template: atlas-api {tag} {} --body-template > body.json",
                self.name
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
        let template = self.body_template.is_some();
        let mut command = command
            .about(self.about())
            .long_about(self.long_about())
            .after_help(self.after_help(tag))
            .args(self.args.iter().map(|a| {
                let arg = a.to_arg();
                // --body-template needs none of the request's flags.
                if template && arg.is_required_set() {
                    arg.required(false).required_unless_present(BODY_TEMPLATE)
                } else {
                    arg
                }
            }));
        if template {
            command = command.arg(body_template_arg());
        }
        if self.pages.is_some() {
            command = command.args(page_args());
        }
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
            Arg::new("no-token-cache")
                .long("no-token-cache")
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Request a new service-account token instead of reusing the one an earlier run kept (in the OS keyring, else the user's cache directory); Atlas issues 10 tokens a minute"),
        )
        .arg(
            Arg::new(DEBUG)
                .long(DEBUG)
                .short('D')
                .global(true)
                .env(DEBUG_ENV)
                .action(ArgAction::SetTrue)
                .value_parser(clap::builder::BoolishValueParser::new())
                .help("Log every HTTP exchange on standard error (request line, status, time, headers and bodies cut short; credentials, tokens and secrets redacted). Also: $RUST_LOG=atlas_admin_api::wire=debug"),
        )
        .arg(
            Arg::new(DRY_RUN)
                .long(DRY_RUN)
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Check everything and print the request that would be sent (credentials left out) instead of sending it; no token is requested"),
        )
        .arg(
            Arg::new(STRICT)
                .long(STRICT)
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Refuse a request body (--file, standard input) with a field the spec does not list, instead of sending it with a warning"),
        )
        .arg(
            Arg::new(CURL)
                .long(CURL)
                .global(true)
                .action(ArgAction::SetTrue)
                .help("Like --dry-run, printing the request as a curl command (credentials from $MONGODB_ATLAS_PUBLIC_API_KEY/$MONGODB_ATLAS_PRIVATE_API_KEY, or $ATLAS_ACCESS_TOKEN)"),
        )
        .arg(
            Arg::new(JQ)
                .long(JQ)
                .global(true)
                .value_name("EXPR")
                .help("Filter the JSON answer with a jq expression (jaq); strings print as raw text, other results as JSON, one per line. A bad expression sends nothing; a filter error exits 1"),
        )
        .arg(
            Arg::new(CA_CERT)
                .long(CA_CERT)
                .global(true)
                .value_name("FILE")
                .value_parser(clap::value_parser!(std::path::PathBuf))
                .help("A PEM file of root certificates to trust besides the system's (a private CA, a company's TLS-inspecting proxy); $ATLAS_CA_CERT names one too"),
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

/// The clap id (and flag) of `--debug`.
pub const DEBUG: &str = "debug";
/// The environment variable that turns `--debug` on (`1`, `true`, `yes`, `on`).
pub const DEBUG_ENV: &str = "ATLAS_API_DEBUG";
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
fn names(formats: &[OutputFormat]) -> String {
    formats
        .iter()
        .map(|f| f.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Runs `completion SHELL` (its matches): writes the completion script of
/// `command` to standard output.
pub fn print_completion(matches: &ArgMatches, command: &mut Command) -> Result<(), CliError> {
    match matches.get_one::<clap_complete::Shell>("shell") {
        Some(shell) => write_output(&completion_script(*shell, command), None),
        None => Ok(()),
    }
}
