//! A user's program, written against the public API of `atlas-admin-api`
//! only: create an export, read it back, list them all, wait for it. It
//! compiles without type annotations, turbofish or pinning, and `?` works
//! across operations, validation, pagination and waiting.

use atlas_admin_api::models::{DiskBackupExportJob, DiskBackupExportJobRequest, GroupId};
use atlas_admin_api::prelude::*;
use atlas_admin_api::{Client, Result};

/// Exports a snapshot and returns the finished job and how many exports the
/// cluster has.
pub async fn export_and_wait(
    client: &Client,
    group: &GroupId,
    cluster: &str,
) -> Result<(DiskBackupExportJob, usize)> {
    let request = DiskBackupExportJobRequest::new(
        "32b6e34b3d91647abb20e7b8".parse()?,
        "32b6e34b3d91647abb20e7b9".parse()?,
    );
    let created = client
        .create_backup_export()
        .group_id(group)
        .cluster_name(cluster)
        .body(request)
        .send()
        .await?;
    let id = created.id.clone().unwrap_or_default();
    let fetched = client
        .get_backup_export()
        .group_id(group.clone())
        .cluster_name(cluster)
        .export_id(id.as_str())
        .send()
        .await?;
    println!("{:?} is {:?}", fetched.id, fetched.state);
    let mut all = client
        .list_backup_exports()
        .group_id(group)
        .cluster_name(cluster)
        .stream();
    let mut count = 0;
    while let Some(job) = all.try_next().await? {
        println!("{:?}", job.id);
        count += 1;
    }
    let done = client
        .wait_for_backup_export(group, cluster, id.as_str())
        .interval(std::time::Duration::from_millis(10))
        .await?;
    Ok((done.into_inner(), count))
}

/// Whether a group exists: an error code matched in one call.
pub async fn group_has_bucket(client: &Client, group: &GroupId, bucket: &str) -> Result<bool> {
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
