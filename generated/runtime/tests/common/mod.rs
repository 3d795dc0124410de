//! What the transport and authentication suites share: the
//! `createBackupExport` request they send, built with the runtime alone
//! exactly as the generated `CreateBackupExport::into_request` builds it,
//! and a hand-written [`Endpoint`] with the generated operation's status
//! tables, its bodies read as plain JSON.

use atlas_admin_runtime::{ApiRequest, Endpoint, Error, Json, Response, Transport};
use serde_json::{json, Value};

/// The documented statuses of `createBackupExport`, as the generated
/// builder declares them; both bodies are plain JSON.
pub struct CreateBackupExport;

impl Endpoint for CreateBackupExport {
    type Decoder = Json<Value>;
    type ErrorBody = Value;
    const SUCCESS: &'static [(u16, bool)] = &[(200, true)];
    const ERRORS: &'static [u16] = &[400, 401, 403, 404, 409, 429, 500];
}

/// `POST /api/atlas/v2/groups/32b6e34b3d91647abb20e7b8/clusters/Cluster0/backup/exports`
/// with fixed bucket and snapshot ids, and `envelope` when set.
// The runtime's `Error` is large, as its crate-level allow explains.
#[allow(clippy::result_large_err)]
fn export_request(envelope: Option<bool>) -> Result<ApiRequest, Error<Value>> {
    let mut request = ApiRequest::new(
        reqwest::Method::POST,
        "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports",
        &["32b6e34b3d91647abb20e7b8", "Cluster0"],
        "application/vnd.atlas.2023-01-01+json",
    );
    request.query_opt("envelope", &envelope);
    let body = json!({
        "exportBucketId": "5f1a2b3c4d5e6f7a8b9c0d1e",
        "snapshotId": "65a1b2c3d4e5f60718293a4b",
    });
    request.json_bodies::<Value, Value>(
        "application/vnd.atlas.2023-01-01+json",
        None,
        Some(&body),
    )?;
    request.unwrap_envelope = envelope.unwrap_or(false);
    Ok(request)
}

/// Sends the `createBackupExport` request and decodes its response as the
/// generated operation does.
pub async fn export(
    transport: &Transport,
    envelope: Option<bool>,
) -> Result<Response<Value>, Error<Value>> {
    transport
        .send::<CreateBackupExport>(export_request(envelope))
        .await
}
