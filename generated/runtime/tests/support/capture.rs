//! A `tracing` subscriber that keeps what it is told as text, for suites
//! that check what the runtime logs (spans, the wire log). Included with
//! `#[path]` by each suite that uses it.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A `tracing` subscriber that writes every span and event, with all fields, to a string.
pub struct Capture {
    out: Arc<Mutex<String>>,
    /// Events of the wire log (`atlas_admin_api::wire`), which name the
    /// URL with its values.
    wire: Arc<Mutex<String>>,
    next: AtomicU64,
}

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={value:?}", field.name());
    }
}

impl Capture {
    /// Spans and other events to `out`, the wire log's events to `wire`.
    pub fn new(out: Arc<Mutex<String>>, wire: Arc<Mutex<String>>) -> Self {
        Self {
            out,
            wire,
            next: AtomicU64::new(1),
        }
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut out = self.out.lock().expect("lock");
        let _ = write!(out, "\nspan {}", span.metadata().name());
        span.record(&mut Fields(&mut out));
        tracing::span::Id::from_u64(self.next.fetch_add(1, Ordering::SeqCst))
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut out = self.out.lock().expect("lock");
        out.push_str("\nrecord");
        values.record(&mut Fields(&mut out));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let target = event.metadata().target();
        let mut out = if target == atlas_admin_runtime::wire::TARGET {
            self.wire.lock().expect("lock")
        } else {
            self.out.lock().expect("lock")
        };
        out.push_str("\nevent");
        event.record(&mut Fields(&mut out));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}
