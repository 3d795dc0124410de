//! `--debug` (`-D`, `$ATLAS_API_DEBUG`) and `$RUST_LOG`: `tracing` events
//! on standard error. `--debug` turns on the wire log
//! (`atlas_admin_api::wire` at `TRACE`: every request line, status and
//! time, headers and cut bodies, credentials redacted; see
//! [`atlas_admin_runtime::wire`]); `$RUST_LOG` takes `tracing`'s filter
//! directives (`atlas_admin_api::wire=debug` for request lines only,
//! `info` for everything at that level) and adds to it.

use tracing_subscriber::filter::{Directive, EnvFilter};

use atlas_admin_runtime::wire::TARGET;

/// The filter for `debug` and the value of `$RUST_LOG`; `None` when
/// neither asks for anything. A `$RUST_LOG` that does not parse is
/// reported in the second value and left out.
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
    (filter, problem)
}

/// Installs the subscriber that writes to standard error, when `--debug`
/// or `$RUST_LOG` asks for one (see [`log_filter`]).
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
        assert!(log_filter(false, None).0.is_none());
        assert!(log_filter(false, Some("  ")).0.is_none());
        let (debug, _) = log_filter(true, None);
        assert_eq!(
            debug.map(|f| f.to_string()),
            Some(format!("{TARGET}=trace,warn"))
        );
        let (both, _) = log_filter(true, Some("info"));
        assert_eq!(
            both.map(|f| f.to_string()),
            Some(format!("{TARGET}=trace,info"))
        );
        let (bad, problem) = log_filter(false, Some("=[=="));
        assert!(bad.is_none());
        assert!(problem.is_some_and(|p| p.contains("RUST_LOG")));
    }
}
