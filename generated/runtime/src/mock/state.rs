//! What the mock server shares between its connections and its handle:
//! the stubs, every request received, the unmatched ones, the credentials
//! it requires.

use std::sync::{Arc, Mutex, PoisonError};

use super::auth::AuthCheck;
use super::matcher::RuleCore;
use super::recorded::RecordedRequest;

/// What the server and its stubs share.
#[derive(Default)]
pub(crate) struct State {
    pub(crate) rules: Mutex<Vec<Arc<RuleCore>>>,
    pub(crate) received: Mutex<Vec<RecordedRequest>>,
    /// Requests no stub matched, each with the nearest stubs.
    pub(crate) unmatched: Mutex<Vec<(RecordedRequest, String)>>,
    pub(crate) auth: AuthCheck,
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
