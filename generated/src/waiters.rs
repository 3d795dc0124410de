//! Waiting for long-running jobs (hand-written, on top of the generated
//! operations).
//!
//! [`Client::wait_for_backup_export`] polls `getBackupExport` until the
//! export job is `Successful`, `Failed` or `Cancelled`:
//!
//! ```no_run
//! # async fn run(client: atlas_admin_api::Client) -> Result<(), atlas_admin_api::waiters::WaitError> {
//! use std::time::Duration;
//!
//! let job = client
//!     .wait_for_backup_export("32b6e34b3d91647abb20e7b8", "Cluster0", "6641f4b6c0e1e3a1b2c3d4e5")
//!     .interval(Duration::from_secs(5))      // first wait between polls (default 10 s)
//!     .backoff(1.5)                          // each wait is 1.5 times the last (default 1.0)
//!     .max_interval(Duration::from_secs(60)) // but never longer than this (default 60 s)
//!     .timeout(Duration::from_secs(3600))    // give up after an hour (default 2 h)
//!     .on_progress(|p| eprintln!("{:?}: {:?} of {:?} collections", p.state, p.exported_collections, p.total_collections))
//!     .wait()
//!     .await?;
//! println!("exported to {:?}", job.prefix);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::time::Duration;

use tokio::time::Instant;

use crate::models::{ApiError, DiskBackupExportJob, DiskBackupExportJobState, StateReason};
use crate::runtime::Error;
use crate::Client;

/// Default first wait between two polls.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// Default longest wait between two polls.
pub const DEFAULT_MAX_INTERVAL: Duration = Duration::from_secs(60);
/// Default overall time limit.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2 * 60 * 60);

/// Where an export job stands, reported after every poll.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportProgress {
    /// The job's state (`None` when the server left it out).
    pub state: Option<DiskBackupExportJobState>,
    /// `exportStatus.exportedCollections`: collections exported so far.
    pub exported_collections: Option<i64>,
    /// `exportStatus.totalCollections`: collections the job exports in all.
    pub total_collections: Option<i64>,
    /// Polls made so far (1 after the first).
    pub polls: u32,
    /// Time since the wait started.
    pub elapsed: Duration,
}

impl ExportProgress {
    fn of(job: &DiskBackupExportJob, polls: u32, elapsed: Duration) -> Self {
        let status = job.export_status.as_ref();
        Self {
            state: job.state.clone(),
            exported_collections: status.and_then(|s| s.exported_collections),
            total_collections: status.and_then(|s| s.total_collections),
            polls,
            elapsed,
        }
    }
}

/// Why a wait did not end with a `Successful` job.
#[derive(Debug)]
pub enum WaitError {
    /// The job ended `Failed`; `state_reason` says why.
    Failed {
        /// The job's `stateReason` (error code and message), if sent.
        state_reason: Option<StateReason>,
        /// The job as last polled.
        job: Box<DiskBackupExportJob>,
    },
    /// The job ended `Cancelled`.
    Cancelled {
        /// The job's `stateReason`, if sent.
        state_reason: Option<StateReason>,
        /// The job as last polled.
        job: Box<DiskBackupExportJob>,
    },
    /// The job had not ended when the timeout passed.
    Timeout {
        /// How long the wait lasted.
        elapsed: Duration,
        /// The job as last polled, if any poll answered.
        last: Option<Box<DiskBackupExportJob>>,
    },
    /// A poll failed (after the client's retries).
    Request(Box<Error<ApiError>>),
}

impl WaitError {
    /// The `stateReason` of a failed or cancelled job.
    pub fn state_reason(&self) -> Option<&StateReason> {
        match self {
            WaitError::Failed { state_reason, .. } | WaitError::Cancelled { state_reason, .. } => {
                state_reason.as_ref()
            }
            _ => None,
        }
    }
}

impl fmt::Display for WaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reason = |r: &Option<StateReason>| match r {
            Some(r) => format!(
                ": {} ({})",
                r.message.as_deref().unwrap_or("no message"),
                r.error_code.as_deref().unwrap_or("no error code")
            ),
            None => String::new(),
        };
        match self {
            WaitError::Failed { state_reason, .. } => {
                write!(f, "the export job failed{}", reason(state_reason))
            }
            WaitError::Cancelled { state_reason, .. } => {
                write!(f, "the export job was cancelled{}", reason(state_reason))
            }
            WaitError::Timeout { elapsed, .. } => write!(
                f,
                "the export job had not finished after {:.1} s",
                elapsed.as_secs_f64()
            ),
            WaitError::Request(err) => write!(f, "polling the export job failed: {err}"),
        }
    }
}

impl std::error::Error for WaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Request(err) => Some(err.as_ref()),
            _ => None,
        }
    }
}

impl From<WaitError> for Error<ApiError> {
    /// One error story: a wait that ends without a `Successful` job is the
    /// crate's [`Error`] (`WaitFailed` with the job's `stateReason`,
    /// `WaitTimeout`, or the poll's own error), so `?` works across
    /// operations and waits.
    fn from(err: WaitError) -> Self {
        let json = |job: &DiskBackupExportJob| {
            Box::new(serde_json::to_value(job).unwrap_or(serde_json::Value::Null))
        };
        match err {
            WaitError::Failed { state_reason, job }
            | WaitError::Cancelled { state_reason, job } => Error::WaitFailed {
                state: job
                    .state
                    .as_ref()
                    .map_or_else(String::new, |s| s.to_string()),
                code: state_reason.as_ref().and_then(|r| r.error_code.clone()),
                reason: state_reason.and_then(|r| r.message),
                last: json(&job),
            },
            WaitError::Timeout { elapsed, last } => Error::WaitTimeout {
                elapsed,
                polls: 0,
                last: last.as_deref().map(json),
            },
            WaitError::Request(err) => *err,
        }
    }
}

type ProgressFn<'a> = Box<dyn FnMut(&ExportProgress) + Send + 'a>;

/// Waits for one export job; built by [`Client::wait_for_backup_export`],
/// run with [`ExportWaiter::wait`].
#[must_use = "a waiter does nothing until `wait` is awaited"]
pub struct ExportWaiter<'a> {
    client: &'a Client,
    group_id: String,
    cluster_name: String,
    export_id: String,
    interval: Duration,
    max_interval: Duration,
    backoff: f64,
    timeout: Duration,
    on_progress: Option<ProgressFn<'a>>,
}

impl fmt::Debug for ExportWaiter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExportWaiter")
            .field("group_id", &self.group_id)
            .field("cluster_name", &self.cluster_name)
            .field("export_id", &self.export_id)
            .field("interval", &self.interval)
            .field("max_interval", &self.max_interval)
            .field("backoff", &self.backoff)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Waits for a snapshot export job (started with `createBackupExport`)
    /// to end, polling `getBackupExport`. Returns the `Successful` job, or a
    /// [`WaitError`]: `Failed` (with the job's `stateReason`), `Cancelled`,
    /// `Timeout` or a failed poll. Inputs are checked by the first poll
    /// (a bad id is [`Error::InvalidRequest`] inside [`WaitError::Request`]).
    pub fn wait_for_backup_export(
        &self,
        group_id: impl Into<String>,
        cluster_name: impl Into<String>,
        export_id: impl Into<String>,
    ) -> ExportWaiter<'_> {
        ExportWaiter {
            client: self,
            group_id: group_id.into(),
            cluster_name: cluster_name.into(),
            export_id: export_id.into(),
            interval: DEFAULT_INTERVAL,
            max_interval: DEFAULT_MAX_INTERVAL,
            backoff: 1.0,
            timeout: DEFAULT_TIMEOUT,
            on_progress: None,
        }
    }
}

impl<'a> ExportWaiter<'a> {
    /// The first wait between two polls (default 10 s).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval;
        self
    }

    /// The longest wait between two polls (default 60 s).
    pub fn max_interval(mut self, max_interval: Duration) -> Self {
        self.max_interval = max_interval;
        self
    }

    /// Each wait is the previous one times `factor` (default 1.0: a fixed
    /// interval; values below 1 are taken as 1), up to
    /// [`Self::max_interval`].
    pub fn backoff(mut self, factor: f64) -> Self {
        self.backoff = if factor.is_finite() {
            factor.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// How long to wait in all, polls included (default 2 hours).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Called after every poll with the job's state and progress
    /// (`exportStatus.exportedCollections` of `totalCollections`).
    pub fn on_progress(mut self, callback: impl FnMut(&ExportProgress) + Send + 'a) -> Self {
        self.on_progress = Some(Box::new(callback));
        self
    }

    /// Polls until the job ends or the timeout passes.
    pub async fn wait(mut self) -> Result<DiskBackupExportJob, WaitError> {
        let start = Instant::now();
        // A timeout too large for the clock is as good as none.
        let deadline = start
            .checked_add(self.timeout)
            .unwrap_or_else(|| start + Duration::from_secs(100 * 365 * 24 * 60 * 60));
        let mut interval = self.interval;
        let mut polls = 0u32;
        let mut last: Option<Box<DiskBackupExportJob>> = None;
        loop {
            let poll = self
                .client
                .get_backup_export()
                .group_id(self.group_id.as_str())
                .cluster_name(self.cluster_name.as_str())
                .export_id(self.export_id.as_str())
                .send();
            let job = match tokio::time::timeout_at(deadline, poll).await {
                Ok(Ok(response)) => response.body,
                Ok(Err(err)) => return Err(WaitError::Request(Box::new(err))),
                Err(_) => {
                    return Err(WaitError::Timeout {
                        elapsed: start.elapsed(),
                        last,
                    })
                }
            };
            polls += 1;
            if let Some(callback) = self.on_progress.as_mut() {
                callback(&ExportProgress::of(&job, polls, start.elapsed()));
            }
            match job.state {
                Some(DiskBackupExportJobState::Successful) => return Ok(job),
                Some(DiskBackupExportJobState::Failed) => {
                    return Err(WaitError::Failed {
                        state_reason: job.state_reason.clone(),
                        job: Box::new(job),
                    })
                }
                Some(DiskBackupExportJobState::Cancelled) => {
                    return Err(WaitError::Cancelled {
                        state_reason: job.state_reason.clone(),
                        job: Box::new(job),
                    })
                }
                // Queued, InProgress, a state this spec does not list, or none.
                _ => {}
            }
            last = Some(Box::new(job));
            let now = Instant::now();
            if now >= deadline {
                return Err(WaitError::Timeout {
                    elapsed: start.elapsed(),
                    last,
                });
            }
            let wake = (now + interval).min(deadline);
            tokio::time::sleep_until(wake).await;
            if wake >= deadline {
                return Err(WaitError::Timeout {
                    elapsed: start.elapsed(),
                    last,
                });
            }
            interval = Duration::try_from_secs_f64(interval.as_secs_f64() * self.backoff)
                .unwrap_or(self.max_interval)
                .min(self.max_interval);
        }
    }
}
