//! `--debug` (`-D`, `$ATLAS_API_DEBUG`) and `$RUST_LOG`: `tracing` events
//! on standard error. `--debug` turns on the wire log
//! (`atlas_admin_api::wire` at `TRACE`: every request line, status and
//! time, headers and cut bodies, credentials redacted; see
//! [`atlas_admin_runtime::wire`]); `$RUST_LOG` takes `tracing`'s filter
//! directives (`atlas_admin_api::wire=debug` for request lines only,
//! `info` for everything at that level) and adds to it. API-version
//! lifecycle warnings ([`atlas_admin_runtime::lifecycle`]: a version past or
//! near its sunset, a `Deprecation` header) are always printed.

use tracing_subscriber::filter::{Directive, EnvFilter};

use atlas_admin_runtime::lifecycle::TARGET as LIFECYCLE;
use atlas_admin_runtime::wire::TARGET;

/// The filter for `debug` and the value of `$RUST_LOG`, with lifecycle
/// warnings always on (unless `$RUST_LOG` names their target itself). A
/// `$RUST_LOG` that does not parse is reported in the second value and
/// left out.
pub fn log_filter(debug: bool, rust_log: Option<&str>) -> (Option<EnvFilter>, Option<String>) {
    let rust_log = rust_log.map(str::trim).filter(|v| !v.is_empty());
    let mut problem = None;
    let mut filter = match rust_log.map(EnvFilter::try_new) {
        Some(Ok(filter)) => Some(filter),
        Some(Err(err)) => {
            problem = Some(format!("warning: $RUST_LOG ignored: {err}"));
            None
        }
        None => None,
    };
    if debug {
        let wire: Option<Directive> = format!("{TARGET}=trace").parse().ok();
        let base = filter.unwrap_or_else(|| EnvFilter::new("warn"));
        filter = Some(match wire {
            Some(wire) => base.add_directive(wire),
            None => base,
        });
    }
    let lifecycle: Option<Directive> = format!("{LIFECYCLE}=warn").parse().ok();
    let filter = match (filter, lifecycle) {
        (Some(filter), _) if rust_log.is_some_and(|l| l.contains(LIFECYCLE)) => filter,
        (Some(filter), Some(lifecycle)) => filter.add_directive(lifecycle),
        (None, Some(lifecycle)) => EnvFilter::new("off").add_directive(lifecycle),
        (filter, None) => filter.unwrap_or_else(|| EnvFilter::new("off")),
    };
    (Some(filter), problem)
}

/// Installs the subscriber that writes to standard error (see
/// [`log_filter`]).
pub fn init_logging(debug: bool) {
    let rust_log = std::env::var("RUST_LOG").ok();
    let (filter, problem) = log_filter(debug, rust_log.as_deref());
    if let Some(problem) = problem {
        eprintln!("{problem}");
    }
    if let Some(filter) = filter {
        // Another subscriber already set (a test harness): keep it.
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .with_env_filter(filter)
            .try_init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_rust_log_make_one_filter() {
        let lifecycle_only = Some(format!("{LIFECYCLE}=warn,off"));
        assert_eq!(
            log_filter(false, None).0.map(|f| f.to_string()),
            lifecycle_only
        );
        assert_eq!(
            log_filter(false, Some("  ")).0.map(|f| f.to_string()),
            lifecycle_only
        );
        let (debug, _) = log_filter(true, None);
        assert_eq!(
            debug.map(|f| f.to_string()),
            Some(format!("{LIFECYCLE}=warn,{TARGET}=trace,warn"))
        );
        let (both, _) = log_filter(true, Some("info"));
        assert_eq!(
            both.map(|f| f.to_string()),
            Some(format!("{LIFECYCLE}=warn,{TARGET}=trace,info"))
        );
        let (quiet, _) = log_filter(false, Some(&format!("{LIFECYCLE}=off")));
        assert_eq!(
            quiet.map(|f| f.to_string()),
            Some(format!("{LIFECYCLE}=off"))
        );
        let (bad, problem) = log_filter(false, Some("=[=="));
        assert_eq!(bad.map(|f| f.to_string()), lifecycle_only);
        assert!(problem.is_some_and(|p| p.contains("RUST_LOG")));
    }
}
