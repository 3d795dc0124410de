//! What an export job's final state means (hand-written, on top of the
//! generated waiter).
//!
//! `createBackupExport` has a watcher (`spec/overlays/atlas-cli.yaml`): its
//! generated `send_and_wait()` polls `getBackupExport` until the job's
//! `state` is `Successful`, `Failed` or `Cancelled`, and returns the job in
//! any of them. [`export_outcome`] says which of those is a success:
//!
//! ```no_run
//! # async fn run(client: atlas_admin_api::Client) -> atlas_admin_api::Result<()> {
//! use std::time::Duration;
//! use atlas_admin_api::models::DiskBackupExportJobRequest;
//! use atlas_admin_api::waiters::export_outcome;
//!
//! let job = client
//!     .create_backup_export()
//!     .group_id("32b6e34b3d91647abb20e7b8")
//!     .cluster_name("Cluster0")
//!     .body(DiskBackupExportJobRequest::new("32b6e34b3d91647abb20e7b8".parse()?, "32b6e34b3d91647abb20e7b9".parse()?))
//!     .send_and_wait()
//!     .interval(Duration::from_secs(5))
//!     .on_progress(|p| eprintln!("{:?}", p.body["exportStatus"]))
//!     .and_then(export_outcome)   // Failed, Cancelled: Error::WaitFailed with the stateReason
//!     .await?;
//! println!("exported to {:?}", job.body.prefix);
//! # Ok(())
//! # }
//! ```

use crate::models::{
    ApiError, ClusterName, DiskBackupExportJob, DiskBackupExportJobState, GroupId,
};
use crate::runtime::{IntoValidated, Response, Wait};
use crate::{Client, Error, Result};

/// An export job's final state as a result: the job when it is not
/// `Failed` or `Cancelled` (`Successful`, or a state this spec does not
/// list), else [`export_failure`]'s error.
pub fn export_outcome(job: Response<DiskBackupExportJob>) -> Result<Response<DiskBackupExportJob>> {
    match export_failure(&job.body) {
        Some(err) => Err(err),
        None => Ok(job),
    }
}

/// The error a `Failed` or `Cancelled` export job stands for:
/// [`Error::WaitFailed`] with the state, the job's
/// `stateReason.errorCode` and `stateReason.message`, and the job as JSON.
/// `None` for any other state.
pub fn export_failure(job: &DiskBackupExportJob) -> Option<Error> {
    let state = match job.state.as_ref()? {
        DiskBackupExportJobState::Failed => "Failed",
        DiskBackupExportJobState::Cancelled => "Cancelled",
        _ => return None,
    };
    let reason = job.state_reason.as_ref();
    Some(Error::WaitFailed {
        state: state.to_owned(),
        code: reason.and_then(|r| r.error_code.clone()),
        reason: reason.and_then(|r| r.message.clone()),
        last: Box::new(serde_json::to_value(job).unwrap_or_default()),
    })
}

impl Client {
    /// Waits for an export job that is already running (started with
    /// `createBackupExport`) to end: the generated waiter of
    /// `createBackupExport` (`wait_after`, given the job's id) followed by
    /// [`export_outcome`]. Returns the `Successful` job; `Failed` and
    /// `Cancelled` are [`Error::WaitFailed`]. A malformed id is
    /// [`Error::InvalidRequest`], found before anything is sent.
    ///
    /// The group and cluster are taken as the builders take them: the
    /// validated types, references to them, or strings (checked before
    /// anything is sent).
    pub fn wait_for_backup_export(
        &self,
        group_id: impl IntoValidated<GroupId>,
        cluster_name: impl IntoValidated<ClusterName>,
        export_id: impl Into<String>,
    ) -> Wait<'_, Response<DiskBackupExportJob>, ApiError> {
        let sent = serde_json::json!({ "id": export_id.into() });
        self.create_backup_export()
            .group_id(group_id)
            .cluster_name(cluster_name)
            .wait_after(&sent)
            .and_then(export_outcome)
    }
}
