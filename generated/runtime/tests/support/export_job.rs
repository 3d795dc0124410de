//! One getBackupExport request and a bearer-token transport with a short
//! retry delay, for the suites that drive the transport against a wiremock
//! server (`limits.rs`, `spans.rs`). Included with `#[path]`.

use std::time::Duration;

use atlas_admin_runtime::{ApiRequest, Auth, RetryPolicy, Transport};
use wiremock::MockServer;

pub const TEMPLATE: &str =
    "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports/{exportId}";
pub const GROUP: &str = "32b6e34b3d91647abb20e7b8";
pub const PATH: &str = "/api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports/6745f1d2e3a4b5c6d7e8f901";

/// The request of getBackupExport (`operation_id` set) with `method`.
pub fn request(method: reqwest::Method) -> ApiRequest {
    let mut request = ApiRequest::new(
        method,
        TEMPLATE,
        &[GROUP, "Cluster0", "6745f1d2e3a4b5c6d7e8f901"],
        "application/vnd.atlas.2023-01-01+json",
    );
    request.operation_id = "getGroupClusterBackupExport";
    request
}

/// A transport to `server` with a bearer token and 20 ms retry delays.
pub fn client(server: &MockServer) -> Transport {
    Transport::builder()
        .base_url(server.uri())
        .auth(Auth::bearer("s3cr3t-t0k3n"))
        .retry(RetryPolicy::new().base_delay(Duration::from_millis(20)))
        .build()
        .expect("client")
}
