//! Starts a snapshot export job, like the Go snippet in the Atlas docs.
//!
//! ```sh
//! export MONGODB_ATLAS_CLIENT_ID=...       # a service account, as in the Go example
//! export MONGODB_ATLAS_CLIENT_SECRET=...
//! export ATLAS_GROUP_ID=32b6e34b3d91647abb20e7b8
//! export ATLAS_CLUSTER_NAME=Cluster0
//! export ATLAS_EXPORT_BUCKET_ID=...    # 24 hex characters
//! export ATLAS_SNAPSHOT_ID=...         # 24 hex characters
//! # optional: MONGODB_ATLAS_BASE_URL=https://cloud.mongodb.com
//! cargo run -p atlas-admin-api --example create_backup_export
//! ```

use atlas_admin_api::models::{BackupLabel, DiskBackupExportJobRequest};
use atlas_admin_api::{Auth, Client, DEFAULT_BASE_URL};

fn env(name: &str) -> Result<String, Box<dyn std::error::Error>> {
    std::env::var(name).map_err(|_| format!("set {name}").into())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::builder()
        .base_url(
            std::env::var("MONGODB_ATLAS_BASE_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.to_owned()),
        )
        // Like the Go SDK's `UseOAuthAuth(clientID, clientSecret)`: a service
        // account from MONGODB_ATLAS_CLIENT_ID / MONGODB_ATLAS_CLIENT_SECRET
        // (or an API key pair from MONGODB_ATLAS_PUBLIC_KEY /
        // MONGODB_ATLAS_PRIVATE_KEY, sent with HTTP digest).
        .auth(Auth::from_env().ok_or(
            "set MONGODB_ATLAS_CLIENT_ID and MONGODB_ATLAS_CLIENT_SECRET \
             (or MONGODB_ATLAS_PUBLIC_KEY and MONGODB_ATLAS_PRIVATE_KEY)",
        )?)
        .build()?;

    // The required fields in `new`, the optional ones with `with_` setters.
    let body = DiskBackupExportJobRequest::new(
        env("ATLAS_EXPORT_BUCKET_ID")?.parse()?,
        env("ATLAS_SNAPSHOT_ID")?.parse()?,
    )
    .with_custom_data([BackupLabel::default()
        .with_key("exported-by")
        .with_value("atlas-admin-api")]);
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
