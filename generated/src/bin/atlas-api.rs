//! `atlas-api`: the Atlas Administration API from the command line, in the
//! form of `atlas api`: `atlas-api <tag> <operation> [flags]`, for example
//! `atlas-api cloudBackups createBackupExport --groupId ... --clusterName ...
//! --file body.json`. The commands are generated from the spec
//! (`atlas_admin_api::cli`); this file adds credentials, output and
//! `createBackupExport --watch`.

use std::io::Write;
use std::process::ExitCode;

use atlas_admin_api::models::ApiError;
use atlas_admin_api::runtime::cli::{CliError, Outcome, EXIT_FAILURE};
use atlas_admin_api::{cli, Auth, Client};
use clap::{Arg, ArgAction, ArgMatches, Command};

fn main() -> ExitCode {
    let matches = match with_watch(cli::command()).try_get_matches() {
        Ok(matches) => matches,
        // Help goes to stdout with status 0, usage errors to stderr with 2.
        Err(err) => err.exit(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return fail(&CliError::failure(format!("cannot start: {err}"))),
    };
    match runtime.block_on(run(&matches)) {
        Ok(outcome) => {
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(&outcome.to_stdout())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::from(EXIT_FAILURE as u8);
            }
            ExitCode::SUCCESS
        }
        Err(err) => fail(&err),
    }
}

fn fail(err: &CliError) -> ExitCode {
    eprint!("{}", err.to_stderr());
    ExitCode::from(u8::try_from(err.exit_code).unwrap_or(1))
}

/// Adds `--watch` (and its timing flags) to `cloudBackups createBackupExport`.
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
                        .action(ArgAction::SetTrue)
                        .help(
                        "Wait for the export job to end, showing its progress (getBackupExport)",
                    ),
                )
                .arg(
                    Arg::new("watch-interval")
                        .long("watch-interval")
                        .value_name("SECONDS")
                        .value_parser(clap::value_parser!(f64))
                        .default_value("10")
                        .help("Seconds between two polls with --watch"),
                )
                .arg(
                    Arg::new("watch-timeout")
                        .long("watch-timeout")
                        .value_name("SECONDS")
                        .value_parser(clap::value_parser!(f64))
                        .default_value("7200")
                        .help("Give up waiting after this many seconds"),
                )
        })
    })
}

async fn run(matches: &ArgMatches) -> Result<Outcome, CliError> {
    let mut builder = Client::builder().auth(Auth::from_env().unwrap_or_else(Auth::none));
    if let Some(url) = matches.get_one::<String>("base-url") {
        builder = builder.base_url(url.as_str());
    }
    let client = builder.build::<ApiError>().map_err(CliError::from_error)?;
    let outcome = cli::run(&client, matches).await?;
    match watched(matches) {
        Some(m) => watch(&client, m, outcome).await,
        None => Ok(outcome),
    }
}

/// The flags of `cloudBackups createBackupExport` when `--watch` is given.
fn watched(matches: &ArgMatches) -> Option<&ArgMatches> {
    let ("cloudBackups", m) = matches.subcommand()? else {
        return None;
    };
    let ("createBackupExport", m) = m.subcommand()? else {
        return None;
    };
    m.get_flag("watch").then_some(m)
}

#[cfg(feature = "cloud-backups")]
fn seconds(m: &ArgMatches, id: &str) -> Result<std::time::Duration, CliError> {
    let value = m.get_one::<f64>(id).copied().unwrap_or(0.0);
    std::time::Duration::try_from_secs_f64(value)
        .map_err(|_| CliError::usage(format!("--{id}: {value} is not a number of seconds")))
}

#[cfg(feature = "cloud-backups")]
async fn watch(client: &Client, m: &ArgMatches, started: Outcome) -> Result<Outcome, CliError> {
    use atlas_admin_api::waiters::{ExportProgress, WaitError};

    let Outcome::Json(job) = &started else {
        return Err(CliError::failure(
            "the server returned no export job to watch",
        ));
    };
    let Some(export_id) = job.get("id").and_then(|id| id.as_str()) else {
        return Err(CliError::failure("the export job has no `id` to watch"));
    };
    let arg = |id: &str| m.get_one::<String>(id).cloned().unwrap_or_default();
    let interval = seconds(m, "watch-interval")?;
    let timeout = seconds(m, "watch-timeout")?;
    let progress = Progress::new(export_id);
    let waiter = client
        .wait_for_backup_export(arg("groupId"), arg("clusterName"), export_id)
        .interval(interval)
        .max_interval(interval.max(std::time::Duration::from_secs(60)))
        .backoff(1.0)
        .timeout(timeout)
        .on_progress(|p: &ExportProgress| progress.report(p));
    let result = waiter.wait().await;
    progress.finish();
    match result {
        Ok(job) => serde_json::to_value(&job)
            .map(Outcome::Json)
            .map_err(|err| CliError::failure(format!("cannot print the job: {err}"))),
        Err(WaitError::Request(err)) => Err(CliError::from_error(*err)),
        Err(err) => {
            let mut cli = CliError::failure(err.to_string());
            cli.api_error = err
                .state_reason()
                .and_then(|reason| serde_json::to_value(reason).ok());
            Err(cli)
        }
    }
}

#[cfg(not(feature = "cloud-backups"))]
async fn watch(_: &Client, _: &ArgMatches, started: Outcome) -> Result<Outcome, CliError> {
    Ok(started)
}

/// Progress of a watched job: a bar on a terminal, plain lines otherwise
/// (both on standard error, so standard output stays JSON).
#[cfg(feature = "cloud-backups")]
enum Progress {
    Bar(indicatif::ProgressBar),
    Lines(String),
}

#[cfg(feature = "cloud-backups")]
impl Progress {
    fn new(export_id: &str) -> Self {
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            let bar = indicatif::ProgressBar::new(0);
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} export {prefix} {msg} [{bar:30}] {pos}/{len} collections ({elapsed})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(export_id.to_owned());
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
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
