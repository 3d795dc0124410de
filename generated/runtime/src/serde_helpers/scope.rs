//! How strictly responses decode, and what lenient decoding tolerated.
//!
//! Decoding is lenient by default ("lenient in what we accept"): a response
//! object that lacks a field the spec calls required decodes with the
//! field's empty value, a union variant that does not decode falls back to
//! the raw JSON, and an unknown enum value is kept as sent. Each tolerance
//! is reported through `tracing` (target `atlas_admin_api::decode`), once
//! per type and kind within one decoding scope (one response), however
//! many list items repeat it.
//!
//! [`DecodeOptions::strict`] turns the tolerances into errors; the CLI also
//! uses [`DecodeOptions::deny_unknown_fields`] to check request bodies.

use std::cell::RefCell;
use std::collections::BTreeSet;

/// How generated types decode JSON.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DecodeOptions {
    /// A missing (or `null`) required field, or a union value that its
    /// variant cannot decode, is an error instead of being tolerated.
    pub strict: bool,
    /// A key an object type does not know is an error naming it and the
    /// closest known name (for checking bodies about to be sent).
    pub deny_unknown_fields: bool,
}

impl DecodeOptions {
    /// The default: tolerant, reporting through `tracing`.
    pub const LENIENT: Self = Self {
        strict: false,
        deny_unknown_fields: false,
    };

    /// Strict decoding (`Client::builder().strict_responses(true)`).
    pub const STRICT: Self = Self {
        strict: true,
        deny_unknown_fields: false,
    };

    /// Strict decoding that also refuses unknown keys: what a request
    /// body must pass before it is sent.
    pub const EXACT: Self = Self {
        strict: true,
        deny_unknown_fields: true,
    };
}

struct Scope {
    options: DecodeOptions,
    /// What was tolerated: (type, message), each reported once.
    tolerated: BTreeSet<(&'static str, String)>,
    /// Keys that object types skipped because they do not know them.
    skipped: usize,
    /// The same keys, each as "`key` in Type" (what a checked request
    /// body warns about).
    unknown: BTreeSet<String>,
}

impl Scope {
    fn new(options: DecodeOptions) -> Self {
        Self {
            options,
            tolerated: BTreeSet::new(),
            skipped: 0,
            unknown: BTreeSet::new(),
        }
    }
}

thread_local! {
    static SCOPE: RefCell<Option<Scope>> = const { RefCell::new(None) };
}

/// Runs `decode` in a scope of its own with `options`, and returns what
/// the scope recorded with its result; the outer scope is back after.
fn scoped<R>(options: DecodeOptions, decode: impl FnOnce() -> R) -> (R, Scope) {
    let outer = SCOPE.with(|scope| scope.borrow_mut().replace(Scope::new(options)));
    let result = decode();
    let inner = SCOPE.with(|scope| std::mem::replace(&mut *scope.borrow_mut(), outer));
    // The scope installed above is the one taken back: `decode` leaves the
    // nesting as it found it.
    (result, inner.unwrap_or_else(|| Scope::new(options)))
}

/// Runs `decode` with `options` and then reports, through `tracing`, what
/// it tolerated (once per type and kind). Decoding is synchronous, so the
/// options travel in a thread-local; scopes nest.
pub fn with_options<R>(options: DecodeOptions, decode: impl FnOnce() -> R) -> R {
    let (result, scope) = scoped(options, decode);
    for (ty, message) in scope.tolerated {
        report(ty, &message);
    }
    result
}

/// Runs `decode` with `options` (tolerances reported as
/// [`with_options`] does) and returns, with its result, the keys object
/// types skipped because they do not know them, each as "`key` in Type":
/// how a request body is checked without refusing fields the spec does
/// not list (they are sent, with a warning).
pub fn with_options_noting_unknown<R>(
    options: DecodeOptions,
    decode: impl FnOnce() -> R,
) -> (R, Vec<String>) {
    let (result, scope) = scoped(options, decode);
    for (ty, message) in scope.tolerated {
        report(ty, &message);
    }
    (result, scope.unknown.into_iter().collect())
}

/// What one [`attempt`] skipped and tolerated, kept only if the attempt is
/// the one chosen.
#[derive(Debug)]
pub struct Tried {
    skipped: usize,
    tolerated: BTreeSet<(&'static str, String)>,
    unknown: BTreeSet<String>,
}

impl Tried {
    /// How badly the value fits: keys skipped as unknown, then things
    /// tolerated (a missing required field, an unlisted enum value).
    /// `(0, 0)` is an exact fit.
    pub fn misfit(&self) -> (usize, usize) {
        (self.skipped, self.tolerated.len())
    }

    /// Keeps what the attempt skipped and tolerated in the current scope
    /// (reported with it): the attempt was chosen.
    pub fn keep(self) {
        SCOPE.with(|scope| {
            if let Some(scope) = scope.borrow_mut().as_mut() {
                scope.skipped += self.skipped;
                scope.unknown.extend(self.unknown);
            }
        });
        for (ty, message) in self.tolerated {
            tolerate(ty, || message);
        }
    }
}

/// Runs `decode` with the current options as one attempt among others (a
/// shape of an untagged union): what it skips and tolerates is returned
/// with its value instead of being recorded, see [`Tried::keep`].
pub fn attempt<T, E>(decode: impl FnOnce() -> Result<T, E>) -> Result<(T, Tried), E> {
    let (result, scope) = scoped(options(), decode);
    result.map(|value| {
        (
            value,
            Tried {
                skipped: scope.skipped,
                tolerated: scope.tolerated,
                unknown: scope.unknown,
            },
        )
    })
}

/// A key an object type does not know: whether to skip it (counted, see
/// [`Tried::misfit`], and noted for [`with_options_noting_unknown`]), or
/// refuse it (the scope denies unknown fields).
pub fn skip_unknown_key(key: &str, ty: &'static str) -> bool {
    SCOPE.with(|scope| match scope.borrow_mut().as_mut() {
        Some(scope) if scope.options.deny_unknown_fields => false,
        Some(scope) => {
            scope.skipped += 1;
            scope.unknown.insert(format!("`{key}` in {ty}"));
            true
        }
        None => true,
    })
}

/// The options of the innermost scope (lenient outside any scope).
pub fn options() -> DecodeOptions {
    SCOPE.with(|scope| {
        scope
            .borrow()
            .as_ref()
            .map_or(DecodeOptions::LENIENT, |s| s.options)
    })
}

/// Whether tolerances are errors in the current scope.
pub fn strict() -> bool {
    options().strict
}

/// Records that decoding a `ty` tolerated what `message` says; reported
/// when the scope ends (at once outside any scope).
pub fn tolerate(ty: &'static str, message: impl FnOnce() -> String) {
    let message = message();
    let pending = SCOPE.with(|scope| match scope.borrow_mut().as_mut() {
        Some(scope) => {
            scope.tolerated.insert((ty, message));
            None
        }
        None => Some(message),
    });
    if let Some(message) = pending {
        report(ty, &message);
    }
}

fn report(ty: &str, message: &str) {
    tracing::warn!(target: "atlas_admin_api::decode", r#type = ty, "{ty}: {message}");
}
