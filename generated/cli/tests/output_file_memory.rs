//! Memory of `--outputFile`: an 8 MiB download streamed to a file grows
//! the process's peak resident memory by a fraction of the body, where the
//! same download read into memory grows it by at least the body. Alone in
//! its binary, so that no other test's allocations count. Linux only
//! (`/proc/self/status`, and `clear_refs` to reset the peak).
//!
//! A measurement (from the README of 2026-12): saving the 8 MiB download
//! raised the peak by 116 KiB; reading it into memory, by 15 MiB.

#![cfg(target_os = "linux")]

use std::sync::Arc;
use std::time::Duration;

use atlas_admin_cli::{bytes_outcome, saved_outcome, Outcome};

mod common;
#[path = "../../runtime/tests/raw_server/mod.rs"]
mod raw_server;

use common::{client, download_request, payload, trickle, Download};
use raw_server::{raw_server, read_request};

const BODY: usize = 8 * 1024 * 1024;

/// A figure of `/proc/self/status`, in bytes.
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("status");
    status
        .lines()
        .find_map(|l| {
            l.strip_prefix(field)?
                .trim()
                .strip_suffix("kB")?
                .trim()
                .parse::<u64>()
                .ok()
        })
        .expect("field")
        * 1024
}

/// Resets the peak (VmHWM) to the current resident memory; returns it.
fn reset_peak() -> u64 {
    std::fs::write("/proc/self/clear_refs", "5").expect("clear_refs");
    status_bytes("VmRSS:")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_8_mib_download_to_a_file_stays_in_bounded_memory() {
    let body = Arc::new(payload(BODY));
    let served = body.clone();
    // 64 KiB every 2 ms: fast enough for a test, in many small pieces.
    let (base, _) = raw_server(move |mut stream, _| {
        read_request(&mut stream);
        trickle(&mut stream, &served, 64 * 1024, Duration::from_millis(2));
    });
    let client = client(&base);
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("mongodb.gz");

    // Warm up (connection pool, runtime, first allocations), then measure.
    let _ = saved_outcome(
        client.send_stream::<Download>(Ok(download_request())).await,
        &path,
    )
    .await
    .expect("saved");
    let before = reset_peak();
    let outcome = saved_outcome(
        client.send_stream::<Download>(Ok(download_request())).await,
        &path,
    )
    .await
    .expect("saved");
    let streamed = status_bytes("VmHWM:").saturating_sub(before);
    assert!(matches!(outcome, Outcome::Saved { bytes, .. } if bytes == BODY as u64));
    assert_eq!(std::fs::read(&path).expect("file"), *body);

    // The control: the same body read into memory.
    let before = reset_peak();
    let outcome =
        bytes_outcome(client.send::<Download>(Ok(download_request())).await).expect("read");
    let buffered = status_bytes("VmHWM:").saturating_sub(before);
    assert!(matches!(&outcome, Outcome::Bytes(b) if b.len() == BODY));
    drop(outcome);

    println!(
        "8 MiB body: peak memory +{} KiB streamed to a file, +{} KiB read into memory",
        streamed / 1024,
        buffered / 1024
    );
    assert!(
        buffered >= BODY as u64,
        "the control holds the body: {buffered}"
    );
    assert!(
        streamed < BODY as u64 / 4,
        "streaming grew the peak by {streamed} bytes for an {BODY}-byte body"
    );
}
