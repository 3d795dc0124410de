//! `--outputFile` for binary and text answers, as the generated `atlas-api`
//! runs it (`saved_outcome` over the operation's `send_stream`), against a
//! raw server on loopback: a slow body that keeps moving is saved whole;
//! one that stalls, is cut, or is an error status leaves the old file as
//! it was and no temporary file; JSON output replaces the file whole.

use std::io::Write;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use atlas_admin_cli::{saved_outcome, write_output, Outcome, EXIT_FAILURE};

mod common;
#[path = "../../runtime/tests/raw_server/mod.rs"]
mod raw_server;

use common::{client, download_request, names, payload, trickle, Download, LIMIT};
use raw_server::{raw_server, read_request};

/// 1 MiB at about 256 KiB/s: 4 s of body, eight times each limit; the old
/// whole-exchange limit, scaled as the limits are (60 s to 500 ms), would
/// have cut it at an eighth.
#[tokio::test]
async fn a_slow_download_that_keeps_moving_is_saved_whole() {
    let body = Arc::new(payload(1024 * 1024));
    let served = body.clone();
    let (base, connections) = raw_server(move |mut stream, _| {
        read_request(&mut stream);
        trickle(&mut stream, &served, 16 * 1024, Duration::from_millis(62));
    });
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("mongodb.gz");
    std::fs::write(&path, b"last week's log").expect("old file");
    let started = Instant::now();
    let outcome = saved_outcome(
        client(&base)
            .send_stream::<Download>(Ok(download_request()))
            .await,
        &path,
    )
    .await
    .expect("saved");
    let elapsed = started.elapsed();
    assert!(
        elapsed > LIMIT * 4,
        "{elapsed:?}: slower than any one limit"
    );
    println!(
        "1 MiB saved in {elapsed:?}: {:.1} x the 500 ms limits",
        elapsed.as_secs_f64() / LIMIT.as_secs_f64()
    );
    assert_eq!(
        outcome,
        Outcome::Saved {
            path: path.clone(),
            bytes: body.len() as u64
        }
    );
    assert_eq!(std::fs::read(&path).expect("file"), *body);
    assert_eq!(names(dir.path()), ["mongodb.gz"], "no temporary file left");
    assert_eq!(connections.load(Ordering::SeqCst), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"").expect("plain file");
        let mode = |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode();
        assert_eq!(mode(&path), mode(&plain), "an ordinary file's mode");
    }
}

#[tokio::test]
async fn a_stalled_download_leaves_the_old_file_and_no_temporary_one() {
    let (base, connections) = raw_server(|mut stream, _| {
        read_request(&mut stream);
        let body = payload(256 * 1024);
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(&body[..100 * 1024]);
        let _ = stream.flush();
        std::thread::sleep(Duration::from_secs(5));
    });
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("mongodb.gz");
    std::fs::write(&path, b"last week's log").expect("old file");
    let started = Instant::now();
    let err = saved_outcome(
        client(&base)
            .send_stream::<Download>(Ok(download_request()))
            .await,
        &path,
    )
    .await
    .expect_err("stalled");
    let elapsed = started.elapsed();
    assert!(elapsed < LIMIT * 4, "{elapsed:?}");
    println!(
        "stall detected after {elapsed:?}: {:.2} x the 500 ms read limit",
        elapsed.as_secs_f64() / LIMIT.as_secs_f64()
    );
    assert_eq!(err.exit_code, EXIT_FAILURE);
    assert!(
        err.message.contains("--outputFile") && err.message.contains("stalled"),
        "{}",
        err.message
    );
    assert_eq!(std::fs::read(&path).expect("kept"), b"last week's log");
    assert_eq!(names(dir.path()), ["mongodb.gz"], "no temporary file left");
    assert_eq!(connections.load(Ordering::SeqCst), 1, "never re-requested");

    // A connection cut midway: the same.
    let (base, _) = raw_server(|mut stream, _| {
        read_request(&mut stream);
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\nonly this");
    });
    saved_outcome(
        client(&base)
            .send_stream::<Download>(Ok(download_request()))
            .await,
        &path,
    )
    .await
    .expect_err("cut");
    assert_eq!(std::fs::read(&path).expect("kept"), b"last week's log");
    assert_eq!(names(dir.path()), ["mongodb.gz"]);
}

#[tokio::test]
async fn an_error_answer_is_reported_and_writes_nothing() {
    let (base, _) = raw_server(|mut stream, _| {
        read_request(&mut stream);
        let body =
            r#"{"error":404,"errorCode":"RESOURCE_NOT_FOUND","detail":"No log for this host."}"#;
        let _ = stream.write_all(
            format!(
                "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
            .as_bytes(),
        );
    });
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("mongodb.gz");
    let err = saved_outcome(
        client(&base)
            .send_stream::<Download>(Ok(download_request()))
            .await,
        &path,
    )
    .await
    .expect_err("404");
    assert_eq!(err.status, Some(404));
    assert!(
        err.message.contains("RESOURCE_NOT_FOUND"),
        "{}",
        err.message
    );
    assert!(names(dir.path()).is_empty(), "no file at all");
}

#[test]
fn json_output_replaces_the_file_whole() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("bucket.json");
    std::fs::write(&path, "an older, longer answer that must not show through").expect("old");
    write_output(b"{}\n", Some(&path)).expect("written");
    assert_eq!(std::fs::read(&path).expect("file"), b"{}\n");
    assert_eq!(names(dir.path()), ["bucket.json"]);
    // The mode of any new file (0666 less the umask), not a private 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"").expect("plain file");
        let mode = |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode();
        assert_eq!(mode(&path), mode(&plain));
        std::fs::remove_file(&plain).expect("rm");
    }
    // A directory that is not there: an error naming the flag, no file.
    let err = write_output(b"{}", Some(&dir.path().join("no/such/dir.json"))).expect_err("no dir");
    assert!(err.message.contains("--outputFile"), "{}", err.message);
}
