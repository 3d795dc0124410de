//! A user's own code on top of `atlas-admin-api`: what the tests in
//! `tests/` check against the generated mock Atlas.

use std::time::Duration;

use atlas_admin_api::models::{
    DiskBackupExportJob, DiskBackupExportJobRequest, DiskBackupExportJobState,
};
use atlas_admin_api::prelude::*;
use atlas_admin_api::waiters::export_outcome;
use atlas_admin_api::{Client, Result};

/// The ids of the cluster's export jobs that failed, every page read.
pub async fn failed_exports(client: &Client, group: &str, cluster: &str) -> Result<Vec<String>> {
    let jobs: Vec<DiskBackupExportJob> = client
        .list_backup_exports()
        .group_id(group)
        .cluster_name(cluster)
        .items_per_page(2)
        .stream()
        .try_collect()
        .await?;
    Ok(jobs
        .into_iter()
        .filter(|job| job.state == Some(DiskBackupExportJobState::Failed))
        .filter_map(|job| job.id)
        .collect())
}

/// One line per failed export, for an alert; `None` when none failed.
pub async fn export_alert(client: &Client, group: &str, cluster: &str) -> Result<Option<String>> {
    let failed = failed_exports(client, group, cluster).await?;
    Ok((!failed.is_empty()).then(|| {
        format!(
            "{} export(s) failed on {cluster}: {}",
            failed.len(),
            failed.join(", ")
        )
    }))
}

/// Starts an export and waits until it is over; a `Failed` or `Cancelled`
/// job is an error.
pub async fn export_snapshot(
    client: &Client,
    group: &str,
    cluster: &str,
    bucket: &str,
    snapshot: &str,
    poll: Duration,
) -> Result<DiskBackupExportJob> {
    let job = client
        .create_backup_export()
        .group_id(group)
        .cluster_name(cluster)
        .body(DiskBackupExportJobRequest::new(
            bucket.parse()?,
            snapshot.parse()?,
        ))
        .send_and_wait()
        .interval(poll)
        .and_then(export_outcome)
        .await?;
    Ok(job.into_inner())
}

/// Whether the project has this export bucket.
pub async fn bucket_exists(client: &Client, group: &str, bucket: &str) -> Result<bool> {
    match client
        .get_export_bucket()
        .group_id(group)
        .export_bucket_id(bucket)
        .send()
        .await
    {
        Ok(_) => Ok(true),
        Err(err) if err.is_error_code("RESOURCE_NOT_FOUND") => Ok(false),
        Err(err) => Err(err),
    }
}
