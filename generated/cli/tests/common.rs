//! What the `--outputFile` suites share: a download as a generated binary
//! operation declares it, a client with short limits, and a payload whose
//! bytes do not repeat in any short period.

#![allow(dead_code)]

use std::io::Write;
use std::net::TcpStream;
use std::time::Duration;

use atlas_admin_runtime::{ApiRequest, Auth, Binary, Endpoint, RetryPolicy, Transport};
use serde_json::Value;

/// `monitoringAndLogs downloadClusterLog` as the generator declares it.
pub struct Download;

impl Endpoint for Download {
    type Decoder = Binary;
    type ErrorBody = Value;
    const SUCCESS: &'static [(u16, bool)] = &[(200, true)];
    const ERRORS: &'static [u16] = &[404, 500];
}

pub fn download_request() -> ApiRequest {
    let mut request = ApiRequest::new(
        reqwest::Method::GET,
        "/api/atlas/v2/groups/{groupId}/clusters/{hostName}/logs/{logName}.gz",
        &[
            "32b6e34b3d91647abb20e7b8",
            "cluster0-shard-00-00",
            "mongodb",
        ],
        "application/vnd.atlas.2023-02-01+gzip",
    );
    request.operation_id = "downloadClusterLog";
    request
}

/// The response and read limits: 500 ms each.
pub const LIMIT: Duration = Duration::from_millis(500);

pub fn client(base: &str) -> Transport {
    Transport::builder()
        .base_url(base)
        .auth(Auth::bearer("t0k3n"))
        .retry(
            RetryPolicy::new()
                .max_attempts(3)
                .base_delay(Duration::from_millis(10)),
        )
        .response_timeout(LIMIT)
        .read_timeout(LIMIT)
        .build()
        .expect("client")
}

pub fn payload(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9E37_79B9;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

/// Sends a 200 with `body` in `chunk`-byte pieces, `pause` apart.
pub fn trickle(stream: &mut TcpStream, body: &[u8], chunk: usize, pause: Duration) {
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.atlas.2023-02-01+gzip\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    if stream.write_all(head.as_bytes()).is_err() {
        return;
    }
    for piece in body.chunks(chunk) {
        std::thread::sleep(pause);
        if stream
            .write_all(piece)
            .and_then(|()| stream.flush())
            .is_err()
        {
            return;
        }
    }
}

/// The names in `dir`, sorted.
pub fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
