//! `atlas-api`: the Atlas Administration API from the command line, in the
//! form of `atlas api`: `atlas-api <tag> <operation> [flags]`, for example
//! `atlas-api cloudBackups createBackupExport --groupId ... --clusterName ...
//! --file body.json --watch`. The commands are generated from the spec
//! (`atlas_admin_api::cli`); the command line's runtime (the crate
//! `atlas-admin-cli`, `atlas_admin_api::cli_runtime`) chooses version and
//! format, reads the Atlas CLI's profiles, runs `--watch` on every
//! operation with a watcher and shows its progress; this file puts it
//! together and says what an export job's progress and final state mean.

use std::io::IsTerminal;
use std::process::ExitCode;

use atlas_admin_api::cli_runtime::{self as rt, profile, CliError, Outcome, Prepared};
use atlas_admin_api::runtime::wait::Progress;
use atlas_admin_api::runtime::RateLimitPolicy;
use atlas_admin_api::{cli, Client};
use clap::ArgMatches;

fn main() -> ExitCode {
    let mut command = cli::command();
    let matches = match command.try_get_matches_from_mut(std::env::args_os()) {
        Ok(matches) => matches,
        // Help and --version go to stdout with status 0, usage errors to
        // stderr with 2.
        Err(err) => err.exit(),
    };
    let result = match matches.subcommand() {
        Some(("completion", m)) => rt::print_completion(m, &mut command),
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
    // --body-template needs neither flags nor credentials.
    if let Some(template) = rt::body_template(matches, cli::TAGS) {
        return rt::write_output(format!("{template}\n").as_bytes(), None);
    }
    // --debug, $ATLAS_API_DEBUG, $RUST_LOG: the wire log on stderr.
    rt::init_logging(
        matches
            .try_get_one::<bool>(rt::DEBUG)
            .ok()
            .flatten()
            .copied()
            .unwrap_or(false),
    );
    let options = profile::Options {
        profile: matches.get_one::<String>(rt::PROFILE).cloned(),
        base_url: matches.get_one::<String>(rt::BASE_URL).cloned(),
        no_auth: matches.get_flag(rt::NO_AUTH),
        no_token_cache: matches.get_flag(rt::NO_TOKEN_CACHE),
    };
    // Before any runtime exists: the keyring may be asked (only when a
    // profile keeps its secrets there).
    let keyring = profile::os_keyring();
    let settings = profile::resolve(&options, &profile::process_env, keyring.as_ref())?;
    // Service-account tokens outlive the run (the keyring, else the cache
    // directory), so that scripts stay under Atlas's token limit.
    let token_cache = match settings.credentials {
        profile::Credentials::ServiceAccount { .. } => {
            rt::token_cache::token_cache(!options.no_token_cache, keyring.clone())
        }
        _ => None,
    };
    let prepared = rt::prepare(
        matches,
        cli::TAGS,
        &settings,
        std::io::stdout().is_terminal(),
    )?;
    for warning in &prepared.warnings {
        eprintln!("{warning}");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|err| CliError::failure(format!("cannot start: {err}")))?;
    runtime.block_on(async {
        let mut builder = Client::builder()
            .auth(settings.auth(token_cache, keyring))
            // --dry-run, --curl: everything is checked and the request
            // built, nothing is sent and no token requested.
            .dry_run(prepared.dry_run.is_some());
        if let Some(url) = &settings.base_url {
            builder = builder.base_url(url.as_str());
        }
        if let Ok(suffix) = std::env::var(rt::USER_AGENT_SUFFIX_ENV) {
            builder = builder.user_agent_suffix(suffix);
        }
        // --rate-limit-wait, $ATLAS_API_RATE_LIMIT_WAIT: how long a
        // request may wait for Atlas's rate limits (0: fail at once).
        if let Some(wait) = prepared.rate_limit_wait {
            builder = builder.rate_limit(RateLimitPolicy::new().max_wait(wait));
        }
        if let Some(file) = matches.get_one::<std::path::PathBuf>(rt::CA_CERT) {
            let pem = std::fs::read(file).map_err(|err| {
                CliError::usage(format!("cannot read --caCert {}: {err}", file.display()))
            })?;
            builder = builder.add_root_certificate_pem(pem);
        }
        let client = builder
            .build()
            .map_err(|err| CliError::usage(err.to_string()))?;
        let not_sent = |err: CliError| match (err.not_sent.as_deref(), prepared.dry_run) {
            (Some(request), Some(how)) => rt::print_not_sent(request, how),
            _ => Err(err),
        };
        // --ndjson: each item as its page arrives, one page held at a time.
        if prepared.walk.is_some_and(|w| w.ndjson) && prepared.dry_run.is_none() {
            let mut out = rt::ItemWriter::new(&prepared)?;
            return match rt::each_item(&client, &prepared, |item| out.write(&item)).await {
                Ok(_) => out.finish(),
                Err(err) => not_sent(err),
            };
        }
        let outcome = match rt::execute(&client, &prepared).await {
            Ok(outcome) => outcome,
            Err(err) => return not_sent(err),
        };
        // The response first, so that a watch that fails or times out
        // never loses the created resource (its id).
        rt::print_outcome(&prepared, &outcome)?;
        if prepared.watch.is_none() {
            return Ok(());
        }
        let display = rt::WatchDisplay::new(&prepared);
        let last = rt::watch(&client, &prepared, &outcome, |p| {
            display.report(p, export_progress)
        })
        .await;
        display.finish();
        meaning(&prepared, last?)
    })
}

/// What the end of a watch means beyond "the watcher's condition holds",
/// where this crate knows: an export job that ended `Failed` or `Cancelled`
/// (`waiters::export_failure`) exits 1 with its `stateReason`.
fn meaning(prepared: &Prepared<'_>, last: Outcome) -> Result<(), CliError> {
    #[cfg(feature = "cloud-backups")]
    if (prepared.tag, prepared.op.name) == ("cloudBackups", "createBackupExport") {
        if let Outcome::Json(job) = &last {
            let failure = serde_json::from_value(job.clone())
                .ok()
                .and_then(|job| atlas_admin_api::waiters::export_failure(&job));
            if let Some(err) = failure {
                let mut cli = CliError::from_error(err);
                cli.api_error = job.get("stateReason").cloned();
                if let Some(id) = job.get("id").and_then(|id| id.as_str()) {
                    cli.message = format!("export job {id}: {}", cli.message);
                }
                return Err(cli);
            }
        }
    }
    let _ = (prepared, last);
    Ok(())
}

/// An export job's progress beyond the state the watcher reads: `, 3 of 5
/// collections exported`.
fn export_progress(p: &Progress<'_>) -> Option<String> {
    let status = &p.body["exportStatus"];
    let done = status["exportedCollections"].as_i64()?;
    let total = status["totalCollections"].as_i64()?;
    Some(format!(", {done} of {total} collections exported"))
}
