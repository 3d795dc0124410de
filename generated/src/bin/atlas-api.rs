//! `atlas-api`: the Atlas Administration API from the command line, in the
//! form of `atlas api`: `atlas-api <tag> <operation> [flags]`, for example
//! `atlas-api cloudBackups createBackupExport --groupId ... --clusterName ...
//! --file body.json`. The commands are generated from the spec
//! (`atlas_admin_api::cli`); the runtime (`atlas_admin_api::runtime::cli`)
//! chooses version and format and reads the Atlas CLI's profiles; this file
//! puts it together and adds `createBackupExport --watch`.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use atlas_admin_api::runtime::cli::{self as rt, profile, CliError, Outcome, Prepared};
use atlas_admin_api::{cli, Client};
use clap::{Arg, ArgAction, ArgMatches, Command};

fn main() -> ExitCode {
    let mut command = with_watch(cli::command());
    let matches = match command.try_get_matches_from_mut(std::env::args_os()) {
        Ok(matches) => matches,
        // Help and --version go to stdout with status 0, usage errors to
        // stderr with 2.
        Err(err) => err.exit(),
    };
    let result = match matches.subcommand() {
        Some(("completion", m)) => match m.get_one::<clap_complete::Shell>("shell") {
            Some(shell) => rt::write_output(&rt::completion_script(*shell, &mut command), None),
            None => Ok(()),
        },
        _ => run(&matches),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprint!("{}", err.to_stderr());
            ExitCode::from(u8::try_from(err.exit_code).unwrap_or(1))
        }
    }
}

fn run(matches: &ArgMatches) -> Result<(), CliError> {
    let options = profile::Options {
        profile: matches.get_one::<String>("profile").cloned(),
        base_url: matches.get_one::<String>("base-url").cloned(),
        no_auth: matches.get_flag("no-auth"),
    };
    // Before any runtime exists: the keyring may be asked (only when a
    // profile keeps its secrets there).
    let keyring = profile::os_keyring();
    let settings = profile::resolve(&options, &profile::process_env, keyring.as_ref())?;
    let prepared = rt::prepare(
        matches,
        cli::TAGS,
        &settings,
        std::io::stdout().is_terminal(),
    )?;
    for warning in &prepared.warnings {
        eprintln!("{warning}");
    }
    let watch = Watch::from(&prepared)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| CliError::failure(format!("cannot start: {err}")))?;
    runtime.block_on(async {
        let mut builder = Client::builder().auth(settings.credentials.to_auth());
        if let Some(url) = &settings.base_url {
            builder = builder.base_url(url.as_str());
        }
        let client = builder
            .build()
            .map_err(|err| CliError::usage(err.to_string()))?;
        let outcome = rt::execute(&client, &prepared).await?;
        // The response first, so that a watch that fails or times out
        // never loses the job's id.
        rt::write_output(
            &rt::render(&outcome, prepared.format)?,
            prepared.output_file.as_deref(),
        )?;
        match watch {
            Some(watch) => watch.run(&client, &prepared, &outcome).await,
            None => Ok(()),
        }
    })
}

/// Adds `--watch` (`-w`) and its timing flags to `cloudBackups
/// createBackupExport`.
fn with_watch(command: Command) -> Command {
    let has_create = command
        .find_subcommand("cloudBackups")
        .and_then(|tag| tag.find_subcommand("createBackupExport"))
        .is_some();
    if !has_create {
        return command;
    }
    command.mut_subcommand("cloudBackups", |tag| {
        tag.mut_subcommand("createBackupExport", |create| {
            create
                .arg(
                    Arg::new("watch")
                        .long("watch")
                        .short('w')
                        .action(ArgAction::SetTrue)
                        .help("Print the created job, then wait for it to end, showing its progress on standard error (getBackupExport)"),
                )
                .arg(
                    Arg::new("watch-interval")
                        .long("watch-interval")
                        .visible_alias("watchInterval")
                        .value_name("SECONDS")
                        .value_parser(positive_seconds)
                        .default_value("10")
                        .help("Seconds between two polls with --watch (more than 0)"),
                )
                .arg(
                    Arg::new("watchTimeout")
                        .long("watchTimeout")
                        .visible_alias("watch-timeout")
                        .value_name("SECONDS")
                        .value_parser(seconds)
                        .default_value("7200")
                        .help("Give up waiting after this many seconds (0: no limit)"),
                )
        })
    })
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

/// `--watch` and its timing, read before anything is sent.
#[cfg_attr(not(feature = "cloud-backups"), allow(dead_code))]
struct Watch {
    interval: Duration,
    /// `None`: no limit.
    timeout: Option<Duration>,
}

impl Watch {
    /// The watch asked for on `cloudBackups createBackupExport`, if any.
    fn from(prepared: &Prepared<'_>) -> Result<Option<Self>, CliError> {
        let m = prepared.matches;
        if (prepared.tag, prepared.op.name) != ("cloudBackups", "createBackupExport")
            || !m
                .try_get_one::<bool>("watch")
                .ok()
                .flatten()
                .copied()
                .unwrap_or(false)
        {
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
        Ok(Some(Watch { interval, timeout }))
    }

    #[cfg(feature = "cloud-backups")]
    async fn run(
        self,
        client: &Client,
        prepared: &Prepared<'_>,
        started: &Outcome,
    ) -> Result<(), CliError> {
        use atlas_admin_api::waiters::{ExportProgress, WaitError};

        let Outcome::Json(job) = started else {
            return Err(CliError::failure(
                "the server returned no export job to watch",
            ));
        };
        let Some(export_id) = job.get("id").and_then(|id| id.as_str()) else {
            return Err(CliError::failure("the export job has no `id` to watch"));
        };
        let arg = |id: &str| {
            prepared
                .matches
                .try_get_one::<String>(id)
                .ok()
                .flatten()
                .cloned()
                .or_else(|| {
                    prepared
                        .fallbacks
                        .iter()
                        .find(|(flag, _)| *flag == id)
                        .map(|(_, v)| v.clone())
                })
                .unwrap_or_default()
        };
        let (group, cluster) = (arg("groupId"), arg("clusterName"));
        let progress = Progress::new(export_id);
        let waiter = client
            .wait_for_backup_export(group.as_str(), cluster.as_str(), export_id)
            .interval(self.interval)
            .max_interval(self.interval.max(Duration::from_secs(60)))
            .backoff(1.0)
            .timeout(self.timeout.unwrap_or(Duration::MAX))
            .on_progress(|p: &ExportProgress| progress.report(p));
        let result = waiter.wait().await;
        progress.finish();
        match result {
            Ok(_) => Ok(()),
            Err(WaitError::Request(err)) => Err(CliError::from_error(*err)),
            Err(err) => {
                let mut cli = CliError::failure(format!(
                    "{err}; the job is {export_id} (`atlas-api cloudBackups getBackupExport --groupId {group} --clusterName {cluster} --exportId {export_id}`)"
                ));
                cli.api_error = err
                    .state_reason()
                    .and_then(|reason| serde_json::to_value(reason).ok());
                Err(cli)
            }
        }
    }

    #[cfg(not(feature = "cloud-backups"))]
    async fn run(self, _: &Client, _: &Prepared<'_>, _: &Outcome) -> Result<(), CliError> {
        Ok(())
    }
}

/// Progress of a watched job: a bar on a terminal, plain lines otherwise
/// (both on standard error, so standard output keeps only the response).
#[cfg(feature = "cloud-backups")]
enum Progress {
    Bar(indicatif::ProgressBar),
    Lines(String),
}

#[cfg(feature = "cloud-backups")]
impl Progress {
    fn new(export_id: &str) -> Self {
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} export {prefix} {msg} [{bar:30}] {pos}/{len} collections ({elapsed})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(export_id.to_owned());
            bar.enable_steady_tick(Duration::from_millis(120));
            Progress::Bar(bar)
        } else {
            Progress::Lines(export_id.to_owned())
        }
    }

    fn report(&self, p: &atlas_admin_api::waiters::ExportProgress) {
        let state = p
            .state
            .as_ref()
            .map_or_else(|| "unknown".to_owned(), |s| s.to_string());
        let done = p.exported_collections.unwrap_or(0);
        let total = p.total_collections.unwrap_or(0);
        match self {
            Progress::Bar(bar) => {
                bar.set_length(u64::try_from(total).unwrap_or(0));
                bar.set_position(u64::try_from(done).unwrap_or(0));
                bar.set_message(state);
            }
            Progress::Lines(id) => {
                eprintln!("export {id}: {state}, {done} of {total} collections exported");
            }
        }
    }

    fn finish(&self) {
        if let Progress::Bar(bar) = self {
            bar.finish();
        }
    }
}
