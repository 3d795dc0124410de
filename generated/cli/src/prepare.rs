//! Everything decided before a request is sent: the operation, its API
//! version and the warnings `atlas api` prints for it, the output format,
//! `--groupId`/`--orgId` from the profile, `--watch` timing and the body.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::ArgMatches;

use crate::error::CliError;
use crate::flags::{ALL, CURL, DRY_RUN, JQ, LIMIT, NDJSON, RATE_LIMIT_WAIT};
use crate::format::{DryRun, OutputFormat};
use crate::input::read_body;
use crate::jq::JqFilter;
use crate::profile::{self, Settings};
use crate::table::{OpSpec, TagSpec, VersionSpec, WatchTiming};

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
    let interval = duration("watch-interval", value("watch-interval").unwrap_or(10.0))?;
    let timeout = value("watchTimeout").unwrap_or(7200.0);
    let timeout = if timeout > 0.0 {
        Some(duration("watchTimeout", timeout)?)
    } else {
        None
    };
    Ok(Some(WatchTiming { interval, timeout }))
}

/// The value `v` of the seconds flag `--id` as a duration; one too large
/// for a `Duration` is a usage error.
fn duration(id: &str, v: f64) -> Result<Duration, CliError> {
    Duration::try_from_secs_f64(v)
        .map_err(|_| CliError::usage(format!("--{id}: {v} is not a number of seconds")))
}

/// The operation `matches` (from [`crate::command`] with the same `tags`) names,
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
    /// The output format.
    pub format: OutputFormat,
    /// `--outputFile`, if given.
    pub output_file: Option<PathBuf>,
    /// The request body read for it.
    pub body: Option<serde_json::Value>,
    /// Warnings for standard error, in order (see [`version_warnings`]).
    pub warnings: Vec<String>,
    /// Values of flags not given (see [`Call::fallbacks`](crate::Call::fallbacks)).
    pub fallbacks: Vec<(&'static str, String)>,
    /// `--watch` and its timing, when given (see [`watch`](crate::watch)).
    pub watch: Option<WatchTiming>,
    /// `--dry-run` or `--curl`: how to print the request instead of
    /// sending it.
    pub dry_run: Option<DryRun>,
    /// `--all`, `--limit`, `--ndjson` on a paginated operation: walk the
    /// pages.
    pub walk: Option<Walk>,
    /// `--jq EXPR`, compiled.
    pub jq: Option<Arc<JqFilter>>,
    /// `--rate-limit-wait` (or `$ATLAS_API_RATE_LIMIT_WAIT`), when given:
    /// the longest a request waits for Atlas's rate limits (the client's
    /// `RateLimitPolicy::max_wait`).
    pub rate_limit_wait: Option<Duration>,
}

/// Walking every page of a list (`--all`, `--limit`, `--ndjson`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Walk {
    /// Stop after this many items (`--limit N`).
    pub limit: Option<u64>,
    /// Print one item per line as the pages arrive (`--ndjson`) instead of
    /// one merged `results` list.
    pub ndjson: bool,
}

fn flag(m: &ArgMatches, id: &str) -> bool {
    m.try_get_one::<bool>(id)
        .ok()
        .flatten()
        .copied()
        .unwrap_or(false)
}

/// `--dry-run` and `--curl`.
fn dry_run(m: &ArgMatches) -> Option<DryRun> {
    if flag(m, CURL) {
        Some(DryRun::Curl)
    } else if flag(m, DRY_RUN) {
        Some(DryRun::Text)
    } else {
        None
    }
}

/// `--all`, `--limit`, `--ndjson` (on paginated operations only).
fn walk(op: &OpSpec, m: &ArgMatches) -> Option<Walk> {
    op.pages?;
    let limit = m.try_get_one::<u64>(LIMIT).ok().flatten().copied();
    let ndjson = flag(m, NDJSON);
    (flag(m, ALL) || limit.is_some() || ndjson).then_some(Walk { limit, ndjson })
}

/// `--jq EXPR`, compiled (a usage error when it is not a filter, or when
/// the output is not JSON).
fn jq(m: &ArgMatches, format: OutputFormat) -> Result<Option<Arc<JqFilter>>, CliError> {
    let Some(expr) = m.try_get_one::<String>(JQ).ok().flatten() else {
        return Ok(None);
    };
    if format != OutputFormat::Json {
        return Err(CliError::usage(format!(
            "--jq filters JSON; it cannot be used with --output {format}"
        )));
    }
    Ok(Some(Arc::new(JqFilter::new(expr)?)))
}

/// The body template of the operation `matches` names, when
/// `--body-template` was given: printed instead of running anything, so
/// that neither flags nor credentials are needed.
pub fn body_template(matches: &ArgMatches, tags: &'static [TagSpec]) -> Option<&'static str> {
    let (_, op, m) = find_op(matches, tags).ok()?;
    let template = op.body_template?;
    flag(m, crate::flags::BODY_TEMPLATE).then_some(template)
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
    let version = choose_version(op, m, settings, &mut warnings);
    if let Some(version) = version {
        warnings.extend(version_warnings(op, version, &today()));
    }
    let format = output_format(op, version, m)?;
    let output_file = m
        .try_get_one::<PathBuf>("outputFile")
        .ok()
        .flatten()
        .cloned();
    if format.is_binary() && output_file.is_none() && stdout_is_terminal {
        return Err(CliError::usage(format!(
            "the {format} response is binary: write it to a file with --outputFile PATH, or redirect standard output (atlas-api {tag} {} ... > out.{format})",
            op.name
        )));
    }
    let jq = jq(m, format)?;
    let fallbacks = fallbacks(op, m, settings)?;
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
        dry_run: dry_run(m),
        walk: walk(op, m),
        jq,
        rate_limit_wait: rate_limit_wait(m)?,
    })
}

/// `--rate-limit-wait SECONDS`, when given.
fn rate_limit_wait(m: &ArgMatches) -> Result<Option<Duration>, CliError> {
    m.try_get_one::<f64>(RATE_LIMIT_WAIT)
        .ok()
        .flatten()
        .map(|seconds| duration(RATE_LIMIT_WAIT, *seconds))
        .transpose()
}

/// The API version to send: `--version`, else the default API version of
/// `settings` where the operation offers it, else the generated one (or the
/// newest that offers `--output`); the warnings `atlas api` prints about
/// the choice go to `warnings`.
fn choose_version(
    op: &'static OpSpec,
    m: &ArgMatches,
    settings: &Settings,
    warnings: &mut Vec<String>,
) -> Option<&'static VersionSpec> {
    if op.versions.is_empty() {
        return None;
    }
    if let Some(name) = m.try_get_one::<String>("version").ok().flatten() {
        return op.find_version(name);
    }
    if let Some((name, source)) = &settings.api_version {
        if let Some(version) = op.find_version(name) {
            return Some(version);
        }
        let default = op.default_version();
        let from = match source {
            profile::Source::Env(var) => format!("${var}"),
            _ => "the profile's api_version".to_owned(),
        };
        warnings.push(format!(
            "warning: version '{name}' ({from}) is not supported for this endpoint, using default API version '{}'; consider pinning a version to ensure consistency when updating the CLI",
            default.map_or("", |v| v.name)
        ));
        return default;
    }
    let default = op.default_version();
    // An --output the default version does not offer: the newest version
    // that does.
    let offering = given_format(m).and_then(|format| {
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

/// The values of the required flags not given that `settings` has
/// (`--groupId` from `project_id`); an error naming where to set one that
/// has none.
fn fallbacks(
    op: &OpSpec,
    m: &ArgMatches,
    settings: &Settings,
) -> Result<Vec<(&'static str, String)>, CliError> {
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
    Ok(fallbacks)
}

/// `--output`, else the version's default; refused when the version does
/// not offer it.
fn output_format(
    op: &OpSpec,
    version: Option<&VersionSpec>,
    m: &ArgMatches,
) -> Result<OutputFormat, CliError> {
    let Some(format) = given_format(m) else {
        return Ok(version.map_or(OutputFormat::Json, VersionSpec::default_format));
    };
    if !op.output_formats().contains(&format) {
        return Err(CliError::usage(format!("--output {format} is not offered")));
    }
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
                    OutputFormat::Json.served_as().to_owned()
                } else {
                    v.formats.join(", ")
                },
                others.join(", ")
            )))
        }
        _ => Ok(format),
    }
}

/// `--output`, if given (clap accepts only the operation's formats).
fn given_format(m: &ArgMatches) -> Option<OutputFormat> {
    m.try_get_one::<String>("output")
        .ok()
        .flatten()
        .and_then(|name| OutputFormat::from_name(name))
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
