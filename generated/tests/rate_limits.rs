//! Atlas's token-bucket rate limits against a loopback Atlas that keeps
//! real buckets: one per endpoint set and project, capacity 10, refilled
//! by 5 every second, refusing with Atlas's own 429 body
//! (`RATE_LIMITED_TOKEN_BUCKET`, scalar `parameters`), with or without the
//! `RateLimit-*` and `Retry-After` headers. Twenty tasks share one
//! `Client` and make five `getBackupExport` calls each; the client must
//! lose no call, be refused only for the first burst's overflow, and take
//! about as long as the bucket itself allows ((100 - 10) / 5 = 18 s).
//!
//! Outcomes are counted (calls that succeed, 429s the server sent, time),
//! independently of how error bodies decode. Also: a long `Retry-After`
//! holds the sibling tasks; a page walk survives `TIMEOUT_WHILE_PAGING`.
//!
//! `RATE_LIMITS_TRACE=1` prints each 429 the loopback Atlas sends.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use atlas_admin_api::runtime::{RateLimitPolicy, RetryPolicy};
use atlas_admin_api::Client;
use serde_json::json;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const SET: &str = "api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports";
const EXPORT_PATH: &str =
    "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports/{exportId}";

/// How long the loopback Atlas takes to answer, as a real one does (tens
/// of milliseconds): the first burst is then a burst however busy the
/// machine running the suite.
const LATENCY: Duration = Duration::from_millis(30);

/// One project's bucket of the endpoint set, as Atlas keeps it.
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The loopback Atlas's `getBackupExport`: a token bucket per project.
struct Limited {
    capacity: f64,
    refill: f64,
    per_seconds: f64,
    headers: bool,
    started: Instant,
    buckets: Mutex<std::collections::HashMap<String, Bucket>>,
    ok: AtomicUsize,
    refused: AtomicUsize,
}

impl Limited {
    fn new(headers: bool) -> Arc<Self> {
        Arc::new(Self {
            capacity: 10.0,
            refill: 5.0,
            per_seconds: 1.0,
            headers,
            started: Instant::now(),
            buckets: Mutex::default(),
            ok: AtomicUsize::new(0),
            refused: AtomicUsize::new(0),
        })
    }
}

/// A responder shared with the test, which reads its counts.
struct Shared<T>(Arc<T>);

impl Respond for Shared<Limited> {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        self.0.answer(request)
    }
}

impl Limited {
    fn answer(&self, request: &Request) -> ResponseTemplate {
        let project = request
            .url
            .path()
            .split('/')
            .nth(5)
            .unwrap_or_default()
            .to_owned();
        let rate = self.refill / self.per_seconds;
        let mut buckets = self.buckets.lock().expect("lock");
        let now = Instant::now();
        let bucket = buckets.entry(project).or_insert(Bucket {
            tokens: self.capacity,
            at: now,
        });
        bucket.tokens = (bucket.tokens + rate * (now - bucket.at).as_secs_f64()).min(self.capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            self.ok.fetch_add(1, Ordering::SeqCst);
            let mut answer = ResponseTemplate::new(200).set_delay(LATENCY).set_body_json(json!({
                "id": "6745f1d2e3a4b5c6d7e8f901", "exportBucketId": "6745f1d2e3a4b5c6d7e8f902",
                "createdAt": "2026-03-03T10:00:00Z", "state": "Successful", "snapshotId": "6745f1d2e3a4b5c6d7e8f903",
            }));
            if self.headers {
                answer = answer
                    .insert_header("RateLimit-Limit", format!("{}", self.capacity))
                    .insert_header("RateLimit-Remaining", format!("{}", bucket.tokens.floor()));
            }
            return answer;
        }
        self.refused.fetch_add(1, Ordering::SeqCst);
        if std::env::var_os("RATE_LIMITS_TRACE").is_some() {
            eprintln!(
                "headers {}: 429 at {:.3} s, tokens {:.3}, {}",
                self.headers,
                (now - self.started).as_secs_f64(),
                bucket.tokens,
                request.url.path().rsplit('/').next().unwrap_or_default(),
            );
        }
        let retry = ((1.0 - bucket.tokens) / rate).ceil().max(1.0) as u64;
        let (capacity, refill, per) = (
            self.capacity as u64,
            self.refill as u64,
            self.per_seconds as u64,
        );
        let mut answer = ResponseTemplate::new(429).set_delay(LATENCY).set_body_json(json!({
            "detail": format!("Rate limit exceeded for {SET}. Please retry after {retry} seconds. Request capacity: {capacity}. Refill rate: {refill} per {per} seconds."),
            "error": 429,
            "errorCode": "RATE_LIMITED_TOKEN_BUCKET",
            "parameters": [SET, retry, capacity, refill, per],
            "reason": "Too Many Requests",
        }));
        if self.headers {
            answer = answer
                .insert_header("RateLimit-Limit", format!("{capacity}"))
                .insert_header("RateLimit-Remaining", "0")
                .insert_header("Retry-After", format!("{retry}"));
        }
        answer
    }
}

/// `listRateLimits` of the loopback Atlas: the one endpoint set.
fn list_rate_limits() -> serde_json::Value {
    json!({"results": [{
        "endpointSetId": SET, "endpointSetName": "Backup exports", "scope": "GROUP",
        "capacity": {"value": 10}, "refillRate": {"value": 5}, "refillDurationSeconds": {"value": 1},
        "endpoints": [{"method": "GET", "path": EXPORT_PATH}],
    }], "totalCount": 1})
}

struct Run {
    failed: usize,
    refused: usize,
    elapsed: Duration,
}

/// 20 tasks × 5 calls on one client against the loopback Atlas.
async fn twenty_tasks(headers: bool, discover: bool) -> Run {
    let server = MockServer::start().await;
    let atlas = Limited::new(headers);
    Mock::given(method("GET"))
        .and(path("/api/atlas/v2/rateLimits"))
        .respond_with(ResponseTemplate::new(200).set_body_json(list_rate_limits()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("/backup/exports/[^/]+$"))
        .respond_with(Shared(atlas.clone()))
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .build()
        .expect("client");
    if discover {
        let found = client
            .discover_rate_limits(&[])
            .await
            .expect("listRateLimits");
        assert_eq!(found, 1);
    }
    // The twenty tasks start together, however busy the machine.
    let start = Arc::new(tokio::sync::Barrier::new(21));
    let tasks: Vec<_> = (0..20)
        .map(|task| {
            let client = client.clone();
            let start = start.clone();
            tokio::spawn(async move {
                start.wait().await;
                let mut failed = 0;
                for call in 0..5 {
                    let answer = client
                        .get_backup_export()
                        .group_id(GROUP)
                        .cluster_name("Cluster0")
                        .export_id(format!("{:024x}", task * 5 + call))
                        .send()
                        .await;
                    if let Err(err) = answer {
                        eprintln!("task {task} call {call}: {err}");
                        failed += 1;
                    }
                }
                failed
            })
        })
        .collect();
    start.wait().await;
    let started = Instant::now();
    let mut failed = 0;
    for task in tasks {
        failed += task.await.expect("task");
    }
    let run = Run {
        failed,
        refused: atlas.refused.load(Ordering::SeqCst),
        elapsed: started.elapsed(),
    };
    eprintln!(
        "headers {headers}, seeded {discover}: {} failed, {} answers of 429, {} ok, {:.2} s",
        run.failed,
        run.refused,
        atlas.ok.load(Ordering::SeqCst),
        run.elapsed.as_secs_f64()
    );
    run
}

/// The bucket's own bound: (100 - 10) / 5 s.
const BOUND: f64 = 18.0;

fn assert_paced(run: &Run, most_refused: usize) {
    assert_eq!(run.failed, 0, "no call fails");
    assert!(
        run.refused <= most_refused,
        "{} answers of 429",
        run.refused
    );
    let secs = run.elapsed.as_secs_f64();
    assert!(
        (BOUND * 0.95..=BOUND * 1.15).contains(&secs),
        "{secs:.2} s against a bound of {BOUND} s"
    );
}

/// The three runs at once (each against its own loopback Atlas), so that
/// the suite spends the bucket's 18 s once: with the `RateLimit-*` and
/// `Retry-After` headers; without them, learning from 429 bodies alone;
/// seeded from `listRateLimits`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_tasks_share_one_client_and_lose_no_call() {
    let (with_headers, bodies_alone, seeded) = tokio::join!(
        twenty_tasks(true, false),
        twenty_tasks(false, false),
        twenty_tasks(false, true),
    );
    assert_paced(&with_headers, 12);
    assert_paced(&bodies_alone, 12);
    assert_paced(&seeded, 2);
}

/// A loopback Atlas that refuses everything for `hold` after the first
/// request with `Retry-After` of that many seconds, then serves all.
struct Holds {
    hold: Duration,
    first: Mutex<Option<Instant>>,
    refused: AtomicUsize,
}

impl Respond for Shared<Holds> {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        self.0.answer()
    }
}

impl Holds {
    fn answer(&self) -> ResponseTemplate {
        let now = Instant::now();
        let first = *self.first.lock().expect("lock").get_or_insert(now);
        if now - first < self.hold {
            self.refused.fetch_add(1, Ordering::SeqCst);
            let secs = self.hold.as_secs();
            return ResponseTemplate::new(429)
                .insert_header("Retry-After", secs.to_string())
                .set_body_json(json!({
                    "detail": format!("Rate limit exceeded for {SET}. Please retry after {secs} seconds. Request capacity: 10. Refill rate: 5 per {secs} seconds."),
                    "error": 429, "errorCode": "RATE_LIMITED_TOKEN_BUCKET",
                    "parameters": [SET, secs, 10, 5, secs], "reason": "Too Many Requests",
                }));
        }
        ResponseTemplate::new(200).set_body_json(json!({"id": "6745f1d2e3a4b5c6d7e8f901"}))
    }
}

/// `Retry-After` longer than the retry policy's `max_retry_after` (scaled:
/// 2 s against 1 s, as 55 s against 30 s): the refused call and its
/// siblings hold until the announced time instead of each being refused.
/// With the limiter off, each is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_retry_after_holds_the_siblings() {
    for paced in [true, false] {
        let server = MockServer::start().await;
        let atlas = Arc::new(Holds {
            hold: Duration::from_secs(2),
            first: Mutex::default(),
            refused: AtomicUsize::new(0),
        });
        Mock::given(method("GET"))
            .and(path_regex("/backup/exports/[^/]+$"))
            .respond_with(Shared(atlas.clone()))
            .mount(&server)
            .await;
        let policy = if paced {
            RateLimitPolicy::new().max_wait(Duration::from_secs(5))
        } else {
            RateLimitPolicy::off()
        };
        let client = Client::builder()
            .base_url(server.uri())
            .retry(RetryPolicy::new().max_retry_after(Duration::from_secs(1)))
            .rate_limit(policy)
            .build()
            .expect("client");
        let call = |client: Client, n: usize| async move {
            client
                .get_backup_export()
                .group_id(GROUP)
                .cluster_name("Cluster0")
                .export_id(format!("{n:024x}"))
                .send()
                .await
                .is_ok()
        };
        let started = Instant::now();
        let first = tokio::spawn(call(client.clone(), 0));
        while atlas.refused.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        let siblings: Vec<_> = (1..10)
            .map(|n| tokio::spawn(call(client.clone(), n)))
            .collect();
        let mut ok = usize::from(first.await.expect("task"));
        for sibling in siblings {
            ok += usize::from(sibling.await.expect("task"));
        }
        let refused = atlas.refused.load(Ordering::SeqCst);
        if paced {
            assert_eq!((ok, refused), (10, 1), "all held, one refusal");
            assert!(started.elapsed() >= Duration::from_secs(2));
        } else {
            assert_eq!((ok, refused), (0, 10), "each refused on its own");
        }
    }
}

/// A walk of `listBackupExports` (7 jobs, 2 a page) whose page 3 times out
/// counting (`500 TIMEOUT_WHILE_PAGING`) unless asked with
/// `includeCount=false`: the walk completes, page 3 asked again without
/// the count.
#[tokio::test]
async fn a_page_walk_survives_timeout_while_paging() {
    use atlas_admin_api::runtime::prelude::*;

    struct Pages;
    impl Respond for Pages {
        fn respond(&self, request: &Request) -> ResponseTemplate {
            let query = |name: &str| {
                request
                    .url
                    .query_pairs()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
            };
            let page: usize = query("pageNum").and_then(|p| p.parse().ok()).unwrap_or(1);
            let counted = query("includeCount").as_deref() != Some("false");
            if page == 3 && counted {
                return ResponseTemplate::new(500).set_body_json(json!({
                    "detail": "Timeout while paging. Please retry with includeCount=false.",
                    "error": 500, "errorCode": "TIMEOUT_WHILE_PAGING", "parameters": [],
                    "reason": "Internal Server Error"}));
            }
            let results: Vec<_> = ((page - 1) * 2..(page * 2).min(7))
                .map(|n| json!({"id": format!("{n:024x}")}))
                .collect();
            let mut body = json!({ "results": results });
            if counted {
                body["totalCount"] = json!(7);
            }
            ResponseTemplate::new(200).set_body_json(body)
        }
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/api/atlas/v2/groups/{GROUP}/clusters/Cluster0/backup/exports"
        )))
        .respond_with(Pages)
        .mount(&server)
        .await;
    let client = Client::builder()
        .base_url(server.uri())
        .build()
        .expect("client");
    let jobs: Vec<_> = client
        .list_backup_exports()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .items_per_page(2)
        .stream()
        .try_collect()
        .await
        .expect("the walk completes");
    assert_eq!(jobs.len(), 7);
    let asked: Vec<String> = server
        .received_requests()
        .await
        .expect("recorded")
        .iter()
        .map(|r| r.url.query().unwrap_or_default().to_owned())
        .collect();
    let page3: Vec<&String> = asked.iter().filter(|q| q.contains("pageNum=3")).collect();
    assert_eq!(page3.len(), 2, "{asked:?}");
    assert!(page3[1].contains("includeCount=false"), "{asked:?}");
}
