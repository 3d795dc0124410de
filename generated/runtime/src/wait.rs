//! Waiting for long-running operations: the poll loop behind every
//! generated waiter.
//!
//! An operation whose spec carries an `x-xgen-atlascli` watcher (see the
//! user guide, `atlas_admin_api::guide::pagination`) gets two more builder methods: `send_and_wait()`,
//! which sends the request and then polls another operation (a GET) until
//! its answer says the work is done, and `wait_after(&sent)`, which does the
//! polling for a request already sent. Both return a [`Wait`]: set its
//! timing and a progress callback, then await it. In `atlas-admin-api`
//! (the guide compiles this example; this crate cannot depend on that one):
//!
//! ```text
//! use std::time::Duration;
//! use atlas_admin_api::models::DiskBackupExportJobRequest;
//!
//! let done = client
//!     .create_backup_export()
//!     .group_id("32b6e34b3d91647abb20e7b8")
//!     .cluster_name("Cluster0")
//!     .body(DiskBackupExportJobRequest::new("32b6e34b3d91647abb20e7b8".parse()?, "32b6e34b3d91647abb20e7b9".parse()?))
//!     .send_and_wait()                        // POST, then GET .../exports/{id} until $.state is final
//!     .interval(Duration::from_secs(5))       // first wait between polls (default 10 s)
//!     .timeout(Duration::from_secs(3600))     // polls included (default 2 h)
//!     .on_progress(|p| eprintln!("{:?} after {} polls", p.value, p.polls))
//!     .await?;                                // the last polled job
//! println!("{:?}", done.body.state);
//! ```
//!
//! The loop ([`until`]): poll; a poll that fails is retried by the client
//! as any request is (its [`RetryPolicy`](super::RetryPolicy): 429s,
//! 5xx and connection failures of a GET), so a failure that reaches the
//! loop is permanent and ends the wait with that error, unless it is the
//! status the watcher waits for (404 after a delete). Otherwise the answer
//! is reported to the progress callback and checked against the
//! [`Expect`]ation; if it does not meet it, the loop sleeps (the interval,
//! multiplied by the backoff after each poll, at most the maximum interval)
//! and polls again. The timeout bounds the whole wait, polls included (a
//! slow poll is cut short): [`Error::WaitTimeout`] with the last polled
//! body. Dropping the future cancels the wait.
//!
//! Paths are read at run time as chains of object keys (`$.state` is
//! `&["state"]`, `$` alone is `&[]`): the subset of JSONPath the Atlas
//! CLI's watchers use; the generator refuses others.

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tokio::time::Instant;

use super::client::Transport;
use super::error::Error;
use super::response::{body_prefix, Response, ResponseMeta};
use super::serde_helpers::{decode_value, with_options, Decode};
use super::validate::{Checked, ValidationError};

/// Default first wait between two polls.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// Default longest wait between two polls.
pub const DEFAULT_MAX_INTERVAL: Duration = Duration::from_secs(60);
/// Default limit of a whole wait, polls included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2 * 60 * 60);

/// A boxed future that can cross threads.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The progress callback: called after every poll that answered.
pub type ProgressFn<'a> = Box<dyn FnMut(&Progress<'_>) + Send + 'a>;

/// When a wait is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The poll answers this HTTP status (404: the resource is gone).
    Status(u16),
    /// The value at `path` (object keys from the root of the polled body)
    /// is one of `values`, compared as text (a JSON string as it is, other
    /// values as their JSON).
    Values {
        /// The keys leading to the value (`$.state` is `&["state"]`).
        path: &'static [&'static str],
        /// The values that end the wait.
        values: &'static [&'static str],
    },
}

impl Expect {
    /// The path as JSONPath (`$.state`).
    pub fn path_text(&self) -> Option<String> {
        match self {
            Expect::Status(_) => None,
            Expect::Values { path, .. } => Some(path.iter().fold("$".to_owned(), |mut p, k| {
                p.push('.');
                p.push_str(k);
                p
            })),
        }
    }
}

/// Where a wait stands, reported after every poll that answered.
#[derive(Debug)]
#[non_exhaustive]
pub struct Progress<'p> {
    /// Polls made so far (1 after the first).
    pub polls: u32,
    /// Time since the wait started.
    pub elapsed: Duration,
    /// The poll's HTTP status.
    pub status: reqwest::StatusCode,
    /// The polled body as JSON (`null` for the expected error status of a
    /// wait for a 404).
    pub body: &'p Value,
    /// The value at the expectation's path, if the body has one there
    /// (`None` for a wait for a status).
    pub value: Option<&'p Value>,
    /// Whether this poll ends the wait.
    pub done: bool,
}

impl Progress<'_> {
    /// [`Self::value`] as text (see [`text`]).
    pub fn value_text(&self) -> Option<String> {
        self.value.map(text)
    }
}

/// The timing of a wait and its progress callback: what [`Wait`]'s setters
/// change, handed to the function that runs the wait.
pub struct Polling<'a> {
    interval: Duration,
    max_interval: Duration,
    backoff: f64,
    timeout: Duration,
    on_progress: Option<ProgressFn<'a>>,
}

impl Default for Polling<'_> {
    fn default() -> Self {
        Self {
            interval: DEFAULT_INTERVAL,
            max_interval: DEFAULT_MAX_INTERVAL,
            backoff: 1.0,
            timeout: DEFAULT_TIMEOUT,
            on_progress: None,
        }
    }
}

impl std::fmt::Debug for Polling<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Polling")
            .field("interval", &self.interval)
            .field("max_interval", &self.max_interval)
            .field("backoff", &self.backoff)
            .field("timeout", &self.timeout)
            .field("on_progress", &self.on_progress.is_some())
            .finish()
    }
}

impl<'a> Polling<'a> {
    /// The defaults: 10 s between polls, no backoff, at most 60 s between
    /// polls, 2 hours in all, no callback.
    pub fn new() -> Self {
        Self::default()
    }

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
    /// interval; values below 1, and NaN, are taken as 1), up to
    /// [`Self::max_interval`].
    pub fn backoff(mut self, factor: f64) -> Self {
        self.backoff = if factor.is_finite() {
            factor.max(1.0)
        } else {
            1.0
        };
        self
    }

    /// How long to wait in all, polls included (default 2 hours;
    /// `Duration::MAX` for no limit).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Called after every poll that answered (see [`Progress`]).
    pub fn on_progress(mut self, callback: impl FnMut(&Progress<'_>) + Send + 'a) -> Self {
        self.on_progress = Some(Box::new(callback));
        self
    }

    fn report(&mut self, progress: &Progress<'_>) {
        if let Some(callback) = self.on_progress.as_mut() {
            callback(progress);
        }
    }
}

type Start<'a, T, E> =
    Box<dyn FnOnce(Polling<'a>) -> BoxFuture<'a, Result<T, Error<E>>> + Send + 'a>;

/// A wait for a long-running operation, not started yet: set its timing and
/// progress callback, then await it (it implements [`IntoFuture`]; or call
/// [`Wait::wait`]). Returned by the `send_and_wait` and `wait_after`
/// methods of the operations that have a watcher.
#[must_use = "a wait does nothing until it is awaited"]
pub struct Wait<'a, T, E> {
    polling: Polling<'a>,
    start: Start<'a, T, E>,
}

impl<T, E> std::fmt::Debug for Wait<'_, T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wait")
            .field("polling", &self.polling)
            .finish_non_exhaustive()
    }
}

impl<'a, T: Send + 'a, E: Send + 'a> Wait<'a, T, E> {
    /// A wait that runs `start` with the [`Polling`] set on it (the
    /// generated waiters call [`until`] in there; so can a hand-written one).
    pub fn new(
        start: impl FnOnce(Polling<'a>) -> BoxFuture<'a, Result<T, Error<E>>> + Send + 'a,
    ) -> Self {
        Self {
            polling: Polling::default(),
            start: Box::new(start),
        }
    }

    /// A wait that ends at once with `result` (an input that cannot be
    /// polled with, found before anything is sent).
    pub fn ready(result: Result<T, Error<E>>) -> Self {
        Self::new(move |_| Box::pin(std::future::ready(result)))
    }

    /// The first wait between two polls (default 10 s).
    pub fn interval(mut self, interval: Duration) -> Self {
        self.polling = self.polling.interval(interval);
        self
    }

    /// The longest wait between two polls (default 60 s).
    pub fn max_interval(mut self, max_interval: Duration) -> Self {
        self.polling = self.polling.max_interval(max_interval);
        self
    }

    /// Each wait between polls is the previous one times `factor` (default
    /// 1.0: a fixed interval), up to [`Self::max_interval`].
    pub fn backoff(mut self, factor: f64) -> Self {
        self.polling = self.polling.backoff(factor);
        self
    }

    /// How long to wait in all, polls included (default 2 hours;
    /// `Duration::MAX` for no limit); then [`Error::WaitTimeout`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.polling = self.polling.timeout(timeout);
        self
    }

    /// Called after every poll that answered, with its status and body.
    pub fn on_progress(mut self, callback: impl FnMut(&Progress<'_>) + Send + 'a) -> Self {
        self.polling = self.polling.on_progress(callback);
        self
    }

    /// Replaces the timing and the progress callback at once.
    pub fn polling(mut self, polling: Polling<'a>) -> Self {
        self.polling = polling;
        self
    }

    /// What the wait's result means, applied when it ends: `check` turns
    /// the last polled response into the result or an error (as
    /// `waiters::export_outcome` turns an export job's `Failed` into
    /// [`Error::WaitFailed`]).
    pub fn and_then<U: Send + 'a>(
        self,
        check: impl FnOnce(T) -> Result<U, Error<E>> + Send + 'a,
    ) -> Wait<'a, U, E> {
        let start = self.start;
        Wait {
            polling: self.polling,
            start: Box::new(move |polling| {
                Box::pin(async move { start(polling).await.and_then(check) })
            }),
        }
    }

    /// Runs the wait: the same as awaiting it.
    pub fn wait(self) -> BoxFuture<'a, Result<T, Error<E>>> {
        (self.start)(self.polling)
    }

    /// Runs the wait with `polling` instead of its own timing and callback
    /// (how `send_and_wait` hands its settings to `wait_after`).
    pub fn run(self, polling: Polling<'a>) -> BoxFuture<'a, Result<T, Error<E>>> {
        (self.start)(polling)
    }
}

impl<'a, T: Send + 'a, E: Send + 'a> IntoFuture for Wait<'a, T, E> {
    type Output = Result<T, Error<E>>;
    type IntoFuture = BoxFuture<'a, Result<T, Error<E>>>;

    fn into_future(self) -> Self::IntoFuture {
        self.wait()
    }
}

/// How a wait ended.
#[derive(Debug, Clone)]
pub enum Ended {
    /// The value at the path was one of the expected values: the last
    /// polled response.
    Matched(Response<Value>),
    /// The poll answered the expected status: its status and headers.
    Status(ResponseMeta),
}

/// The poll loop (see the module docs): calls `poll` until its answer
/// meets `expect`, `polling`'s timeout passes, or a poll fails otherwise.
/// `poll` returns the polled body as JSON (a generated builder's
/// `send_json()`).
pub async fn until<'a, E, F, Fut>(
    mut polling: Polling<'a>,
    expect: Expect,
    mut poll: F,
) -> Result<Ended, Error<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Response<Value>, Error<E>>>,
{
    let start = Instant::now();
    // A timeout too large for the clock is as good as none.
    let deadline = start
        .checked_add(polling.timeout)
        .unwrap_or_else(|| start + Duration::from_secs(100 * 365 * 24 * 60 * 60));
    let mut interval = polling.interval;
    let mut polls = 0u32;
    let mut last: Option<Box<Value>> = None;
    let timed_out = |polls: u32, last: Option<Box<Value>>| Error::WaitTimeout {
        elapsed: start.elapsed(),
        polls,
        last,
    };
    loop {
        let answer = match tokio::time::timeout_at(deadline, poll()).await {
            Ok(answer) => answer,
            Err(_) => return Err(timed_out(polls, last)),
        };
        polls += 1;
        let response = match (expect, answer) {
            (Expect::Status(code), Err(err)) if err.status().is_some_and(|s| s == code) => {
                let Some(meta) = err.meta().cloned() else {
                    return Err(err);
                };
                polling.report(&Progress {
                    polls,
                    elapsed: start.elapsed(),
                    status: meta.status,
                    body: &Value::Null,
                    value: None,
                    done: true,
                });
                return Ok(Ended::Status(meta));
            }
            (_, Err(err)) => return Err(err),
            (_, Ok(response)) => response,
        };
        let (value, done) = match expect {
            Expect::Status(code) => (None, response.status() == code),
            Expect::Values { path, values } => {
                let value = value_at(&response.body, path);
                let done = value.is_some_and(|v| values.contains(&text(v).as_str()));
                (value, done)
            }
        };
        polling.report(&Progress {
            polls,
            elapsed: start.elapsed(),
            status: response.status(),
            body: &response.body,
            value,
            done,
        });
        if done {
            return Ok(match expect {
                Expect::Status(_) => Ended::Status(response.meta),
                Expect::Values { .. } => Ended::Matched(response),
            });
        }
        last = Some(Box::new(response.body));
        let now = Instant::now();
        if now >= deadline {
            return Err(timed_out(polls, last));
        }
        let wake = (now + interval).min(deadline);
        tokio::time::sleep_until(wake).await;
        if wake >= deadline {
            return Err(timed_out(polls, last));
        }
        interval = Duration::try_from_secs_f64(interval.as_secs_f64() * polling.backoff)
            .unwrap_or(polling.max_interval)
            .min(polling.max_interval);
    }
}

/// [`until`] for [`Expect::Values`]: the last polled response, whose value
/// at `path` is one of `values`.
pub async fn until_values<'a, E, F, Fut>(
    polling: Polling<'a>,
    path: &'static [&'static str],
    values: &'static [&'static str],
    poll: F,
) -> Result<Response<Value>, Error<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Response<Value>, Error<E>>>,
{
    match until(polling, Expect::Values { path, values }, poll).await? {
        Ended::Matched(response) => Ok(response),
        // `until` ends a wait for values only with `Matched`.
        Ended::Status(meta) => Ok(Response {
            meta,
            body: Value::Null,
        }),
    }
}

/// [`until`] for [`Expect::Status`]: the status and headers of the poll
/// that answered `status` (a 404: the resource is gone), with no body.
pub async fn until_status<'a, E, F, Fut>(
    polling: Polling<'a>,
    status: u16,
    poll: F,
) -> Result<Response<()>, Error<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Response<Value>, Error<E>>>,
{
    match until(polling, Expect::Status(status), poll).await? {
        Ended::Status(meta) => Ok(Response { meta, body: () }),
        Ended::Matched(response) => Ok(Response {
            meta: response.meta,
            body: (),
        }),
    }
}

/// Decodes a polled body read as JSON into the polled operation's type `T`,
/// as `client` decodes responses (leniently unless it was built with
/// `strict_responses`).
pub fn decode<T: Decode, E>(
    client: &Transport,
    response: Response<Value>,
) -> Result<Response<T>, Error<E>> {
    match with_options(client.decode_options(), || decode_value(&response.body)) {
        Ok(body) => Ok(Response {
            meta: response.meta,
            body,
        }),
        Err(source) => Err(Error::InvalidResponse {
            body_prefix: body_prefix(response.body.to_string().as_bytes()),
            meta: response.meta,
            source,
        }),
    }
}

/// The value at `path` (object keys) in `body`, if there is one.
pub fn value_at<'v>(body: &'v Value, path: &[&str]) -> Option<&'v Value> {
    path.iter().try_fold(body, |value, key| value.get(key))
}

/// A JSON value as the text a parameter or a comparison takes: a string as
/// it is, anything else as its JSON (`5`, `true`).
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A JSON value as a list of texts (for a list parameter): each item of a
/// list, else the value alone.
pub fn texts(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().map(text).collect(),
        other => vec![text(other)],
    }
}

/// A JSON value as a parameter of type `T` (a number, an enum, a date);
/// `None` when it is not one (the parameter is then left unset, and the
/// poll reports it missing if it is required).
pub fn typed<T: DeserializeOwned>(value: &Value) -> Option<T> {
    T::deserialize(value).ok()
}

/// The value a builder holds for a parameter, as JSON.
pub fn input<T: Serialize>(value: &Option<T>) -> Option<Value> {
    value.as_ref().and_then(|v| serde_json::to_value(v).ok())
}

/// The value a builder holds for a validated parameter, as JSON; the
/// error when it broke its pattern.
pub fn checked_input<T: Serialize>(value: &Checked<T>) -> Result<Option<Value>, ValidationError> {
    match value {
        None => Ok(None),
        Some(Ok(v)) => Ok(serde_json::to_value(v).ok()),
        Some(Err(err)) => Err(err.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_read_object_keys() {
        let body = json!({"state": "IDLE", "a": {"b": 3}});
        assert_eq!(value_at(&body, &["state"]), Some(&json!("IDLE")));
        assert_eq!(value_at(&body, &["a", "b"]).map(text), Some("3".to_owned()));
        assert_eq!(value_at(&body, &[]), Some(&body));
        assert_eq!(value_at(&body, &["nope"]), None);
        assert_eq!(value_at(&body, &["state", "x"]), None);
        assert_eq!(
            Expect::Values {
                path: &["a", "b"],
                values: &[]
            }
            .path_text()
            .as_deref(),
            Some("$.a.b")
        );
    }

    #[test]
    fn values_become_parameter_texts() {
        assert_eq!(text(&json!("x")), "x");
        assert_eq!(text(&json!(true)), "true");
        assert_eq!(texts(&json!(["a", 1])), ["a", "1"]);
        assert_eq!(typed::<i64>(&json!(7)), Some(7));
        assert_eq!(typed::<i64>(&json!("x")), None);
        assert_eq!(input(&Some("g".to_owned())), Some(json!("g")));
        let bad: Checked<String> = Some(Err(ValidationError::missing("groupId")));
        assert!(checked_input(&bad).is_err());
    }

    fn answer(status: u16, body: Value) -> Result<Response<Value>, Error<()>> {
        let meta = ResponseMeta {
            status: reqwest::StatusCode::from_u16(status).expect("a status"),
            headers: Default::default(),
            rate_limit: Default::default(),
        };
        if status < 400 {
            Ok(Response { meta, body })
        } else {
            Err(Error::UnexpectedStatus {
                meta,
                body_prefix: String::new(),
            })
        }
    }

    #[tokio::test]
    async fn backoff_grows_the_interval_up_to_the_maximum() {
        tokio::time::pause();
        let mut asked = Vec::new();
        let start = Instant::now();
        let result: Result<Ended, Error<()>> = until(
            Polling::new()
                .interval(Duration::from_secs(1))
                .backoff(2.0)
                .max_interval(Duration::from_secs(5))
                .timeout(Duration::from_secs(100)),
            Expect::Status(404),
            || {
                asked.push(start.elapsed().as_secs());
                let n = asked.len();
                async move { answer(if n < 6 { 200 } else { 404 }, json!({})) }
            },
        )
        .await;
        assert!(matches!(result, Ok(Ended::Status(ref m)) if m.status == 404));
        // Waits of 1, 2, 4, 5, 5 seconds.
        assert_eq!(asked, [0, 1, 3, 7, 12, 17]);
    }

    #[tokio::test]
    async fn a_timeout_keeps_the_last_body_and_counts_polls() {
        tokio::time::pause();
        let result: Result<Ended, Error<()>> = until(
            Polling::new()
                .interval(Duration::from_secs(10))
                .timeout(Duration::from_secs(25)),
            Expect::Values {
                path: &["state"],
                values: &["IDLE"],
            },
            || async { answer(200, json!({"state": "CREATING"})) },
        )
        .await;
        match result {
            Err(Error::WaitTimeout { polls, last, .. }) => {
                assert_eq!(polls, 3);
                assert_eq!(last.map(|v| v["state"].clone()), Some(json!("CREATING")));
            }
            other => panic!("expected a timeout: {other:?}"),
        }
    }
}
