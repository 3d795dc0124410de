//! What tolerant decoding costs: a page of 5,000 snapshot export jobs
//! (3.9 MB, every field set, values from the spec's examples) decoded
//! into the generated `PaginatedApiAtlasDiskBackupExportJobView`, against
//! the same types written by hand with `#[derive(Deserialize)]`.
//!
//! `cargo bench -p atlas-admin-api --bench decode`
//!
//! A measurement (from the README of 2026-12, on a shared 2-core machine):
//! 137.0 million instructions per page against 129.8 million for the
//! derives (+5.5%, callgrind), the client's own path (`decode_for`, status
//! dispatch and decoding scope) the same as `decode_slice`; medians moved
//! between 9.2 and 10.8 ms for all three. The difference is the per-field
//! dispatch (a key matched as text, then `Option`/`Seed` layers) where
//! derived code inlines a field-identifier state machine; parsing,
//! allocation and date-time parsing, the bulk of the time, are the same.

#![allow(clippy::result_large_err)] // the client's own error type, as `send` returns it

use std::hint::black_box;

use atlas_admin_api::models::PaginatedApiAtlasDiskBackupExportJobView;
use atlas_admin_api::operations::ListBackupExports;
use atlas_admin_api::runtime::serde_helpers::{decode_slice, with_options};
use atlas_admin_api::runtime::{DecodeOptions, RawResponse};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use serde_json::{json, Value};

/// The twin of the generated types, with serde's derives.
mod derived {
    use chrono::{DateTime, Utc};
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct Page {
        pub links: Option<Vec<Link>>,
        pub results: Vec<Job>,
        #[serde(rename = "totalCount")]
        pub total_count: Option<i64>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct Job {
        pub components: Option<Vec<Member>>,
        #[serde(rename = "createdAt")]
        pub created_at: Option<DateTime<Utc>>,
        #[serde(rename = "customData")]
        pub custom_data: Option<Vec<Label>>,
        #[serde(rename = "exportBucketId")]
        pub export_bucket_id: String,
        #[serde(rename = "exportStatus")]
        pub export_status: Option<Status>,
        #[serde(rename = "finishedAt")]
        pub finished_at: Option<DateTime<Utc>>,
        pub id: Option<String>,
        pub links: Option<Vec<Link>>,
        pub prefix: Option<String>,
        #[serde(rename = "snapshotId")]
        pub snapshot_id: Option<String>,
        pub state: Option<State>,
        #[serde(rename = "stateReason")]
        pub state_reason: Option<Reason>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct Member {
        #[serde(rename = "exportId")]
        pub export_id: Option<String>,
        #[serde(rename = "replicaSetName")]
        pub replica_set_name: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct Label {
        pub key: Option<String>,
        pub value: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct Status {
        #[serde(rename = "exportedCollections")]
        pub exported_collections: Option<i64>,
        #[serde(rename = "totalCollections")]
        pub total_collections: Option<i64>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct Link {
        pub href: Option<String>,
        pub rel: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    pub struct Reason {
        #[serde(rename = "errorCode")]
        pub error_code: Option<String>,
        pub message: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    pub enum State {
        Cancelled,
        Failed,
        InProgress,
        Queued,
        Successful,
        #[serde(other)]
        Unknown,
    }
}

const JOBS: usize = 5_000;

/// One export job with every field set, from the examples of
/// `spec/atlas-admin-api.yaml`; `i` varies the ids and the state.
fn job(i: usize) -> Value {
    let states = ["Cancelled", "Failed", "InProgress", "Queued", "Successful"];
    json!({
        "components": [
            { "exportId": format!("{:024x}", 2 * i + 1), "replicaSetName": "atlas-abc123-shard-0" },
            { "exportId": format!("{:024x}", 2 * i + 2), "replicaSetName": "atlas-abc123-shard-1" }
        ],
        "createdAt": "2024-05-06T07:08:09Z",
        "customData": [
            { "key": "exported_by", "value": "nightly-job" },
            { "key": "environment", "value": "production" }
        ],
        "exportBucketId": "32b6e34b3d91647abb20e7b8",
        "exportStatus": { "exportedCollections": i % 40, "totalCollections": 40 },
        "finishedAt": "2024-05-06T08:09:10.123Z",
        "id": format!("{i:024x}"),
        "links": [
            { "href": "https://cloud.mongodb.com/api/atlas", "rel": "self" }
        ],
        "prefix": "/exported_snapshots/MyOrg/MyProject/Cluster0/2024-05-06T0708/1714979289",
        "snapshotId": "32b6e34b3d91647abb20e7b8",
        "state": states[i % states.len()],
        "stateReason": { "errorCode": "NONE", "message": "The export finished." }
    })
}

fn page() -> Vec<u8> {
    let results: Vec<Value> = (0..JOBS).map(job).collect();
    let page = json!({
        "links": [{ "href": "https://cloud.mongodb.com/api/atlas", "rel": "self" }],
        "results": results,
        "totalCount": JOBS,
    });
    serde_json::to_vec(&page).expect("encodes")
}

fn decode(c: &mut Criterion) {
    let body = page();
    // Both decode every job.
    let generated: PaginatedApiAtlasDiskBackupExportJobView =
        decode_slice(&body).expect("generated types decode");
    let derived: derived::Page = serde_json::from_slice(&body).expect("derived types decode");
    assert_eq!(generated.results.len(), JOBS);
    assert_eq!(derived.results.len(), JOBS);

    let mut group = c.benchmark_group(format!("decode {JOBS} export jobs"));
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.sample_size(30);
    group.bench_function("serde derive", |b| {
        b.iter(|| serde_json::from_slice::<derived::Page>(black_box(&body)).expect("decodes"))
    });
    group.bench_function("generated, decode_slice", |b| {
        b.iter(|| {
            decode_slice::<PaginatedApiAtlasDiskBackupExportJobView>(black_box(&body))
                .expect("decodes")
        })
    });
    // What `send` does with the response: status dispatch, the decoding
    // scope, the body.
    let bytes = bytes::Bytes::from(body.clone());
    group.bench_function("generated, as the client (decode_for)", |b| {
        b.iter(|| {
            let raw = RawResponse::new(
                reqwest::StatusCode::OK,
                reqwest::header::HeaderMap::new(),
                black_box(bytes.clone()),
                false,
            );
            with_options(DecodeOptions::LENIENT, || {
                raw.decode_for::<ListBackupExports<'static>>()
            })
            .expect("decodes")
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
