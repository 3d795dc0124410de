//! Lenient in what we accept: answers a spec-valid server may give (empty
//! bodies where the spec declares content without a schema, union values
//! their variant cannot decode, omitted required fields, integral floats,
//! unknown enum values) decode, and every tolerance is reported through
//! `tracing`; `strict_responses(true)` turns them back into errors. Strict
//! in what we send: a tagged-union variant only ever sends its own tag.

use std::io::Write;
use std::sync::{Arc, Mutex};

use atlas_admin_api::models::{
    DiskBackupExportJobState, DiskBackupSnapshotExportBucketRequest as NewBucket,
    DiskBackupSnapshotExportBucketResponse as Bucket,
};
use atlas_admin_api::runtime::{ApiRequest, Endpoint, MaybeJson};
use atlas_admin_api::{models::ApiError, Client, Error};
use serde_json::{json, Value};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const GROUP: &str = "32b6e34b3d91647abb20e7b8";
const BUCKET: &str = "5f1a2b3c4d5e6f7a8b9c0d1e";
const ROLE: &str = "668c5f0ed436263134491592";
const EXPORT: &str = "6641f4b6c0e1e3a1b2c3d4e5";
const BUCKETS: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/backup/exportBuckets";
const ONE_BUCKET: &str =
    "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/backup/exportBuckets/5f1a2b3c4d5e6f7a8b9c0d1e";
const ONE_EXPORT: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports/6641f4b6c0e1e3a1b2c3d4e5";

/// Everything `tracing` printed while the guard lives (this thread only:
/// `#[tokio::test]` runs on one thread).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn start(&self) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .with_max_level(tracing::Level::WARN)
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn client(server: &MockServer) -> Client {
    atlas_tests::test_client(&server.uri())
}

fn strict_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .retry(atlas_admin_api::RetryPolicy::none())
        .strict_responses(true)
        .build()
        .expect("client builds")
}

/// What the generator emits for an operation whose 202 declares content
/// without a schema (Atlas's `deleteGroupCluster`): the `MaybeJson` decoder.
struct DeleteCluster;

impl Endpoint for DeleteCluster {
    type Decoder = MaybeJson;
    type ErrorBody = ApiError;
    const SUCCESS: &'static [(u16, bool)] = &[(202, true)];
    const ERRORS: &'static [u16] = &[400, 404];
}

#[tokio::test]
async fn a_202_declared_without_a_schema_succeeds_whatever_the_body() {
    let server = MockServer::start().await;
    let cluster = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0";
    let bodies = [
        (ResponseTemplate::new(202), None),
        (
            ResponseTemplate::new(202).set_body_string("{\"deleting\": true}"),
            Some(json!({"deleting": true})),
        ),
        (
            ResponseTemplate::new(202).set_body_string("accepted"),
            Some(json!("accepted")),
        ),
    ];
    let c = client(&server);
    for (template, expected) in bodies {
        server.reset().await;
        Mock::given(method("DELETE"))
            .and(path(cluster))
            .respond_with(template)
            .expect(1)
            .mount(&server)
            .await;
        let request = ApiRequest::new(
            reqwest::Method::DELETE,
            "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}",
            &[GROUP, "Cluster0"],
            "application/vnd.atlas.2023-02-01+json",
        );
        let response = c
            .send::<DeleteCluster>(Ok(request))
            .await
            .expect("a 202 is a success");
        assert_eq!(
            (response.status(), response.body),
            (atlas_admin_api::StatusCode::ACCEPTED, expected)
        );
    }
}

#[tokio::test]
async fn a_variant_lacking_a_field_it_requires_decodes_and_is_reported() {
    let server = MockServer::start().await;
    // Valid against the base schema: an AWS bucket without `iamRoleId`.
    Mock::given(method("GET"))
        .and(path(ONE_BUCKET))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "_id": BUCKET, "bucketName": "b", "cloudProvider": "AWS" })),
        )
        .mount(&server)
        .await;
    let captured = Captured::default();
    let guard = captured.start();
    let got = client(&server)
        .get_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .send()
        .await
        .expect("decodes");
    drop(guard);
    let Bucket::Aws(bucket) = got.body else {
        panic!("expected the AWS variant: {:?}", got.body);
    };
    assert_eq!(
        (bucket.id.as_str(), bucket.iam_role_id.as_str()),
        (BUCKET, "")
    );
    let log = captured.text();
    assert!(
        log.contains("DiskBackupSnapshotAwsExportBucketResponse")
            && log.contains("required field `iamRoleId` is missing"),
        "{log}"
    );

    // Strictly, the variant that does not decode is an error naming the field.
    let err = strict_client(&server)
        .get_export_bucket()
        .group_id(GROUP)
        .export_bucket_id(BUCKET)
        .send()
        .await
        .expect_err("strict");
    assert!(
        matches!(&err, Error::InvalidResponse { .. }) && err.to_string().contains("iamRoleId"),
        "{err}"
    );
}

#[tokio::test]
async fn a_missing_required_field_is_tolerated_once_per_type_or_refused_strictly() {
    let server = MockServer::start().await;
    // No `exportBucketId` (required), twice in one list; `exportedCollections`
    // as an integral float; a state this spec does not list.
    let job = json!({ "id": EXPORT, "state": "Paused",
        "exportStatus": { "exportedCollections": 3.0, "totalCollections": 3e6 } });
    Mock::given(method("GET"))
        .and(path(ONE_EXPORT))
        .respond_with(ResponseTemplate::new(200).set_body_json(job.clone()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(ONE_EXPORT.trim_end_matches(&format!("/{EXPORT}"))))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({ "results": [job.clone(), job], "totalCount": 2 })),
        )
        .mount(&server)
        .await;
    let captured = Captured::default();
    let guard = captured.start();
    let c = client(&server);
    let got = c
        .get_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .export_id(EXPORT)
        .send()
        .await
        .expect("decodes");
    assert_eq!(got.body.export_bucket_id, "");
    assert_eq!(
        got.body.state,
        Some(DiskBackupExportJobState::Unknown("Paused".into()))
    );
    let status = got.body.export_status.clone().expect("status");
    assert_eq!(
        (status.exported_collections, status.total_collections),
        (Some(3), Some(3_000_000))
    );
    let page = c
        .list_backup_exports()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .send()
        .await
        .expect("decodes");
    drop(guard);
    assert_eq!(page.body.results.len(), 2);
    let log = captured.text();
    let missing = "DiskBackupExportJob: required field `exportBucketId` is missing";
    // Once for the single job, once for the page of two (one per response).
    assert_eq!(log.matches(missing).count(), 2, "{log}");
    assert!(
        log.contains("\"Paused\" is not one the spec lists"),
        "{log}"
    );

    let err = strict_client(&server)
        .get_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .export_id(EXPORT)
        .send()
        .await
        .expect_err("strict");
    assert!(
        err.to_string().contains("missing field `exportBucketId`"),
        "{err}"
    );
}

#[tokio::test]
async fn a_fractional_integer_is_an_error_naming_the_field() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(ONE_EXPORT))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "exportBucketId": BUCKET,
            "exportStatus": { "exportedCollections": 2.5 }
        })))
        .mount(&server)
        .await;
    let err = client(&server)
        .get_backup_export()
        .group_id(GROUP)
        .cluster_name("Cluster0")
        .export_id(EXPORT)
        .send()
        .await
        .expect_err("2.5 is not an integer");
    assert!(
        err.to_string()
            .contains("field `exportStatus.exportedCollections`: invalid value: floating point `2.5`, expected an integer"),
        "{err}"
    );
}

#[tokio::test]
async fn a_request_variant_can_only_send_its_own_tag() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(BUCKETS))
        .and(body_json(json!({
            "cloudProvider": "AWS", "bucketName": "export-bucket", "iamRoleId": ROLE
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "_id": BUCKET, "bucketName": "export-bucket", "cloudProvider": "AWS", "iamRoleId": ROLE
        })))
        .expect(1)
        .mount(&server)
        .await;
    let body = NewBucket::aws("export-bucket".into(), ROLE.parse().expect("role id"));
    let sent: Value = serde_json::to_value(&body).expect("encodes");
    assert_eq!(sent["cloudProvider"], "AWS");
    let created = client(&server)
        .create_export_bucket()
        .group_id(GROUP)
        .body(body)
        .send()
        .await
        .expect("created");
    assert!(matches!(created.body, Bucket::Aws(ref b) if b.iam_role_id == ROLE));
    // The response re-encodes losslessly, tag included.
    assert_eq!(
        serde_json::to_value(&created.body).expect("encodes")["cloudProvider"],
        "AWS"
    );
}
