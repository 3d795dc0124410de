//! What verification reports: expectations that failed, requests no stub
//! matched, and every request received.

use std::sync::{Arc, PoisonError};

use super::matcher::{Mismatch, RuleCore};
use super::state::State;

/// How many near stubs an unmatched request names.
const NEAREST: usize = 3;

/// The nearest stubs of an unmatched request, nearest first, as one
/// sentence.
pub(crate) fn nearest(misses: &mut [(Mismatch, &Arc<RuleCore>)]) -> String {
    if misses.is_empty() {
        return "The mock has no stubs.".to_owned();
    }
    misses.sort_by_key(|(miss, _)| miss.nearness);
    let lines: Vec<String> = misses
        .iter()
        .take(NEAREST)
        .map(|(miss, rule)| format!("{}: {}", rule.describe(), miss.reason))
        .collect();
    format!("Nearest stubs: {}.", lines.join("; "))
}

/// `Ok` when every expectation holds and every request matched; else the
/// report.
pub(crate) fn check(state: &State) -> Result<(), String> {
    let rules = state
        .rules
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    let mut failed = Vec::new();
    for rule in &rules {
        let (expect, calls) = {
            let inner = rule.lock();
            (inner.expect, inner.calls)
        };
        if let Some(expect) = expect {
            if !expect.holds(calls) {
                failed.push(format!(
                    "  - {}: expected {} request(s), received {calls}",
                    rule.describe(),
                    expect.describe()
                ));
            }
        }
    }
    let unmatched = state
        .unmatched
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    if failed.is_empty() && unmatched.is_empty() {
        return Ok(());
    }
    let mut report = String::from("mock Atlas: verification failed\n");
    if !failed.is_empty() {
        report.push_str("expectations not met:\n");
        for line in &failed {
            report.push_str(line);
            report.push('\n');
        }
    }
    if !unmatched.is_empty() {
        report.push_str("requests no stub matched:\n");
        for (request, nearest) in &unmatched {
            report.push_str(&format!("  - {}. {nearest}\n", request.summary()));
        }
    }
    let received = state
        .received
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    report.push_str(&format!("requests received ({}):\n", received.len()));
    for (i, request) in received.iter().enumerate() {
        report.push_str(&format!("  {}. {}\n", i + 1, request.summary()));
    }
    Err(report)
}
