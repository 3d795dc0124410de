//! Starts a snapshot export job, like the Go snippet in the Atlas docs.
//!
//! ```sh
//! export ATLAS_ACCESS_TOKEN=...        # a service-account access token
//! export ATLAS_GROUP_ID=32b6e34b3d91647abb20e7b8
//! export ATLAS_CLUSTER_NAME=Cluster0
//! export ATLAS_EXPORT_BUCKET_ID=...    # 24 hex characters
//! export ATLAS_SNAPSHOT_ID=...         # 24 hex characters
//! # optional: ATLAS_BASE_URL=https://cloud.mongodb.com
//! cargo run -p atlas-admin-api --example create_backup_export
//! ```

use atlas_admin_api::models::{ApiError, DiskBackupExportJobRequest};
use atlas_admin_api::{Auth, Client, Error, DEFAULT_BASE_URL};

fn env(name: &str) -> Result<String, Error<ApiError>> {
    std::env::var(name).map_err(|_| Error::Config(format!("set {name}")))
}

#[tokio::main]
async fn main() -> Result<(), Error<ApiError>> {
    let client = Client::builder()
        .base_url(std::env::var("ATLAS_BASE_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.to_owned()))
        .auth(Auth::bearer(env("ATLAS_ACCESS_TOKEN")?))
        .build()?;

    let body = DiskBackupExportJobRequest::new(
        env("ATLAS_EXPORT_BUCKET_ID")?.parse()?,
        env("ATLAS_SNAPSHOT_ID")?.parse()?,
    );
    let response = client
        .create_backup_export()
        .group_id(env("ATLAS_GROUP_ID")?)
        .cluster_name(env("ATLAS_CLUSTER_NAME")?)
        .body(body)
        .send()
        .await?;

    let job = response.body;
    println!(
        "export job {} is {}",
        job.id.as_deref().unwrap_or("?"),
        job.state
            .map(|s| s.to_string())
            .unwrap_or_else(|| "unknown".into())
    );
    Ok(())
}
