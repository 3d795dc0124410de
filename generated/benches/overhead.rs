//! What the client costs per call over a bare `reqwest::Client`: the same
//! loopback GET of one export job (a minimal keep-alive HTTP/1.1 server on
//! 127.0.0.1), read and decoded, by reqwest alone (`serde_json::Value`)
//! and by `get_backup_export` with the rate limiter on (the default) and
//! off. The limiter's share is what it adds per call: a bucket lookup and
//! the reading of `RateLimit-*` headers the server sends.
//!
//! `cargo bench -p atlas-admin-api --bench overhead`

#![allow(clippy::result_large_err)] // the client's own error type, as `send` returns it

use std::hint::black_box;

use atlas_admin_api::runtime::RateLimitPolicy;
use atlas_admin_api::Client;
use criterion::{criterion_group, criterion_main, Criterion};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const BODY: &str = r#"{"id":"6745f1d2e3a4b5c6d7e8f901","exportBucketId":"6745f1d2e3a4b5c6d7e8f902","createdAt":"2026-03-03T10:00:00Z","state":"Successful","snapshotId":"6745f1d2e3a4b5c6d7e8f903","exportStatus":{"exportedCollections":5,"totalCollections":5}}"#;

/// Serves every request on every connection with the same 200 answer
/// (with `RateLimit-*` headers, as Atlas may send), until the process ends.
async fn serve(listener: tokio::net::TcpListener) {
    let answer = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.atlas.2023-01-01+json\r\nratelimit-limit: 100000\r\nratelimit-remaining: 99999\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        let answer = answer.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 8192];
            let mut seen = Vec::new();
            loop {
                let Ok(n) = stream.read(&mut buf).await else {
                    return;
                };
                if n == 0 {
                    return;
                }
                seen.extend_from_slice(&buf[..n]);
                while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                    seen.drain(..end + 4);
                    if stream.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            }
        });
    }
}

/// One loopback server on `rt` and the three ways to call it.
struct Setup {
    rt: tokio::runtime::Runtime,
    url: String,
    bare: reqwest::Client,
    limited: Client,
    unlimited: Client,
}

impl Setup {
    fn new(rt: tokio::runtime::Runtime) -> Self {
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        rt.spawn(serve(listener));
        let url = format!(
            "{base}/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/exports/6745f1d2e3a4b5c6d7e8f901"
        );
        let client = |policy: RateLimitPolicy| {
            Client::builder()
                .base_url(&base)
                .rate_limit(policy)
                .build()
                .expect("client")
        };
        Self {
            rt,
            url,
            bare: reqwest::Client::new(),
            limited: client(RateLimitPolicy::new()),
            unlimited: client(RateLimitPolicy::off()),
        }
    }

    /// One GET by reqwest alone, read and parsed.
    fn bare_call(&self) {
        self.rt.block_on(async {
            let answer = self
                .bare
                .get(&self.url)
                .header("accept", "application/vnd.atlas.2023-01-01+json")
                .send()
                .await
                .expect("answered");
            let bytes = answer.bytes().await.expect("body");
            black_box(serde_json::from_slice::<serde_json::Value>(&bytes).expect("json"));
        })
    }

    /// One `get_backup_export` call by `client`.
    fn client_call(&self, client: &Client) {
        let answer = self.rt.block_on(
            client
                .get_backup_export()
                .group_id(GROUP)
                .cluster_name("Cluster0")
                .export_id("6745f1d2e3a4b5c6d7e8f901")
                .send(),
        );
        black_box(answer.expect("answered"));
    }

    /// The ratios client / bare reqwest (limiter on, off), robust to a
    /// busy machine: rounds of 200 calls each way, interleaved and each
    /// round in another order, the median of the rounds' ratios.
    fn ratios(&self) -> (f64, f64) {
        let mut on_ratios = Vec::new();
        let mut off_ratios = Vec::new();
        let time = |f: &dyn Fn()| {
            let started = std::time::Instant::now();
            for _ in 0..200 {
                f();
            }
            started.elapsed().as_secs_f64()
        };
        let bare = || self.bare_call();
        let on = || self.client_call(&self.limited);
        let off = || self.client_call(&self.unlimited);
        let runs: [&dyn Fn(); 3] = [&bare, &on, &off];
        for round in 0..25 {
            let mut took = [0.0; 3];
            for i in 0..3 {
                let which = (i + round) % 3;
                took[which] = time(runs[which]);
            }
            on_ratios.push(took[1] / took[0]);
            off_ratios.push(took[2] / took[0]);
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        (median(&mut on_ratios), median(&mut off_ratios))
    }
}

fn overhead(c: &mut Criterion) {
    // The ratio on both runtimes: one thread (the client's own work per
    // call, with no wake-ups between threads in the figure) and the
    // default multi-threaded one (server and client on different threads,
    // as `#[tokio::main]` runs them).
    let current = Setup::new(
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime"),
    );
    let (on, off) = current.ratios();
    eprintln!(
        "client / bare reqwest, current-thread runtime, median of 25 interleaved rounds of 200 calls: limiter on {on:.3}, limiter off {off:.3}"
    );
    drop(current);
    let multi = Setup::new(
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime"),
    );
    let (on, off) = multi.ratios();
    eprintln!(
        "client / bare reqwest, multi-thread runtime, median of 25 interleaved rounds of 200 calls: limiter on {on:.3}, limiter off {off:.3}"
    );

    let mut group = c.benchmark_group("loopback GET getBackupExport");
    group.bench_function("bare reqwest", |b| b.iter(|| multi.bare_call()));
    group.bench_function("client, rate limiter on", |b| {
        b.iter(|| multi.client_call(&multi.limited))
    });
    group.bench_function("client, rate limiter off", |b| {
        b.iter(|| multi.client_call(&multi.unlimited))
    });
    group.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
