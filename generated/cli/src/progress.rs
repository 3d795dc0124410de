//! The progress of a `--watch` on standard error (standard output keeps
//! only the response): a spinner with the polled state on a terminal, one
//! line per poll otherwise.

use std::io::IsTerminal;
use std::time::Duration;

use atlas_admin_runtime::wait::Progress;

use crate::prepare::Prepared;

/// Shows the progress of a `--watch`; call [`WatchDisplay::report`] after
/// every poll and [`WatchDisplay::finish`] when the wait is over.
#[derive(Debug)]
pub enum WatchDisplay {
    /// A spinner, on a terminal.
    Bar(indicatif::ProgressBar),
    /// One line per poll, labelled with the operation's name.
    Lines(String),
}

impl WatchDisplay {
    /// The display of the watch of `prepared`: a spinner when standard
    /// error is a terminal, else lines.
    pub fn new(prepared: &Prepared<'_>) -> Self {
        let label = prepared.op.name.to_owned();
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new_spinner();
            if let Ok(style) = indicatif::ProgressStyle::with_template(
                "{spinner} {prefix}: {wide_msg} ({elapsed})",
            ) {
                bar.set_style(style);
            }
            bar.set_prefix(label);
            bar.enable_steady_tick(Duration::from_millis(120));
            WatchDisplay::Bar(bar)
        } else {
            WatchDisplay::Lines(label)
        }
    }

    /// One poll: the value the watcher reads (or the status), what `detail`
    /// adds for this operation (`, 3 of 5 collections exported`), and
    /// `, done` at the end.
    pub fn report(&self, p: &Progress<'_>, detail: impl Fn(&Progress<'_>) -> Option<String>) {
        let mut text = match p.value_text() {
            Some(value) => value,
            None if p.body.is_null() || !p.status.is_success() => {
                format!("HTTP {}", p.status.as_u16())
            }
            None => format!("HTTP {}, still there", p.status.as_u16()),
        };
        if let Some(detail) = detail(p) {
            text.push_str(&detail);
        }
        if p.done {
            text.push_str(", done");
        }
        match self {
            WatchDisplay::Bar(bar) => bar.set_message(text),
            WatchDisplay::Lines(label) => eprintln!("{label}: {text} (poll {})", p.polls),
        }
    }

    /// The wait is over: the spinner stops.
    pub fn finish(&self) {
        if let WatchDisplay::Bar(bar) = self {
            bar.finish();
        }
    }
}
