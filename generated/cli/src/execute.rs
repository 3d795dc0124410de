//! Running a prepared operation ([`execute`]), waiting for it with
//! `--watch` ([`watch`]), and reading its flags
//! back ([`Call`]'s methods).

use std::time::Duration;

use atlas_admin_runtime::pagination::{is_last_page, JsonPage, Page};
use atlas_admin_runtime::wait::{self, Polling, Progress};
use atlas_admin_runtime::Transport;
use serde::de::DeserializeOwned;

use crate::error::{CliError, EXIT_FAILURE};
use crate::flags::flag_name;
use crate::input::{checked_body, parse_arg, typed_body};
use crate::outcome::Outcome;
use crate::prepare::Prepared;
use crate::table::{fallback, Call};

/// Sends the prepared operation through its function ([`crate::OpSpec::run`])
/// with its flags, the API version where another version than the
/// generated one was chosen, the format where it is not JSON, the body and
/// the fallbacks.
///
/// With [`Prepared::walk`] (`--all`, `--limit`) the pages are walked (see
/// [`each_item`]) and their items returned as one `{"results": [...]}`.
pub async fn execute(client: &Transport, prepared: &Prepared<'_>) -> Result<Outcome, CliError> {
    if prepared.walk.is_some() {
        let mut results = Vec::new();
        each_item(client, prepared, |item| {
            results.push(item);
            Ok(())
        })
        .await?;
        return Ok(Outcome::Json(serde_json::json!({ "results": results })));
    }
    (prepared.op.run)(first_call(client, prepared)).await
}

/// The call of the prepared operation as the flags give it.
fn first_call<'a>(client: &'a Transport, prepared: &'a Prepared<'_>) -> Call<'a> {
    let op = prepared.op;
    let version = prepared
        .version
        .filter(|v| Some(v.name) != op.version)
        .map(|v| v.name.to_owned());
    Call {
        client,
        matches: prepared.matches,
        version,
        format: prepared.format.requested(),
        body: prepared.body.clone(),
        fallbacks: &prepared.fallbacks,
        page: None,
        output_file: prepared.output_file.as_deref(),
    }
}

/// Walks the pages of the prepared list operation from `--pageNum`
/// (default 1), one request at a time, and hands each item to `each` in
/// order, stopping after `--limit` items or after the last page (the
/// runtime's rule, [`is_last_page`], over the page read as a
/// [`JsonPage`]: an empty or short page, `totalCount` reached, no `next`
/// link). One page is held at a time. Returns how many items were handed
/// on.
pub async fn each_item(
    client: &Transport,
    prepared: &Prepared<'_>,
    mut each: impl FnMut(serde_json::Value) -> Result<(), CliError>,
) -> Result<u64, CliError> {
    let op = prepared.op;
    let Some(pages) = op.pages else {
        return Err(CliError::usage(format!(
            "{} is not a paginated list; --all, --limit and --ndjson do not apply",
            op.name
        )));
    };
    let limit = prepared.walk.and_then(|w| w.limit);
    let call = first_call(client, prepared);
    let mut page_num = call.integer(pages.page)?.unwrap_or(1);
    let per_page = call.integer(pages.size)?.or(pages.default_size);
    let mut seen: u64 = 0;
    loop {
        let outcome = (op.run)(Call {
            page: Some((pages.page, page_num)),
            // Pages are read as JSON, never streamed to a file.
            output_file: None,
            ..call.clone()
        })
        .await?;
        let page = match outcome {
            Outcome::Json(body) => JsonPage(body),
            Outcome::NoContent => JsonPage(serde_json::Value::Null),
            Outcome::Bytes(_) | Outcome::Text(_) | Outcome::Saved { .. } => {
                return Err(CliError::failure(format!(
                    "page {page_num} was not JSON; --all walks JSON pages only"
                )))
            }
        };
        let last = is_last_page(&page, page_num, per_page);
        for item in page.into_items() {
            if limit.is_some_and(|limit| seen >= limit) {
                return Ok(seen);
            }
            each(item)?;
            seen += 1;
        }
        if last || limit.is_some_and(|limit| seen >= limit) {
            return Ok(seen);
        }
        page_num = page_num
            .checked_add(1)
            .ok_or_else(|| CliError::failure("too many pages"))?;
    }
}

/// Waits, after [`execute`], for the prepared operation to take effect:
/// its [`WatchSpec::run`](crate::WatchSpec::run) with the response it was sent (`sent`), the
/// timing of `--watch-interval` and `--watchTimeout`, and `on_progress`
/// called after every poll. Returns the last polled response. A failure
/// exits 1 (the request was sent) and names the command that polls again
/// by hand.
pub async fn watch<'a>(
    client: &'a Transport,
    prepared: &'a Prepared<'_>,
    sent: &'a Outcome,
    on_progress: impl FnMut(&Progress<'_>) + Send + 'a,
) -> Result<Outcome, CliError> {
    static NO_BODY: serde_json::Value = serde_json::Value::Null;
    let op = prepared.op;
    let (Some(spec), Some(timing)) = (op.watch, prepared.watch) else {
        return Err(CliError::usage(format!("{} has nothing to watch", op.name)));
    };
    let sent = match sent {
        Outcome::Json(value) => value,
        Outcome::NoContent => &NO_BODY,
        Outcome::Bytes(_) | Outcome::Text(_) | Outcome::Saved { .. } => {
            return Err(CliError::failure(
                "--watch needs the JSON response; the response was not JSON",
            ))
        }
    };
    let polling = Polling::new()
        .interval(timing.interval)
        .max_interval(timing.interval.max(wait::DEFAULT_MAX_INTERVAL))
        .timeout(timing.timeout.unwrap_or(Duration::MAX))
        .on_progress(on_progress);
    let call = Call {
        client,
        matches: prepared.matches,
        version: None,
        format: None,
        body: None,
        fallbacks: &prepared.fallbacks,
        page: None,
        output_file: None,
    };
    (spec.run)(call, sent, polling).await.map_err(|mut err| {
        err.exit_code = EXIT_FAILURE;
        err.message = format!(
            "{}; to look again: {}",
            err.message,
            spec.command_line(prepared.matches, &prepared.fallbacks, sent)
        );
        err
    })
}

impl Call<'_> {
    /// The value of the flag of spec parameter `id`, of type `T` (as its
    /// [`ArgKind`](crate::ArgKind) parses it), if it was given.
    pub fn one<T: Clone + Send + Sync + 'static>(&self, id: &str) -> Result<Option<T>, CliError> {
        self.matches
            .try_get_one::<T>(&flag_name(id))
            .map(|v| v.cloned())
            .map_err(|err| CliError::failure(format!("internal error reading --{id}: {err}")))
    }

    /// The values of the repeatable flag of spec parameter `id`, of type
    /// `T`, if any was given.
    pub fn many<T: Clone + Send + Sync + 'static>(
        &self,
        id: &str,
    ) -> Result<Option<Vec<T>>, CliError> {
        self.matches
            .try_get_many::<T>(&flag_name(id))
            .map(|v| v.map(|v| v.cloned().collect()))
            .map_err(|err| CliError::failure(format!("internal error reading --{id}: {err}")))
    }

    /// An [`ArgKind::Text`](crate::ArgKind::Text) flag, if given, else its fallback (see
    /// [`Call::fallbacks`]).
    pub fn text(&self, id: &str) -> Result<Option<String>, CliError> {
        Ok(self.one(id)?.or_else(|| fallback(self.fallbacks, id)))
    }

    /// An [`ArgKind::Bool`](crate::ArgKind::Bool) flag, if given.
    pub fn boolean(&self, id: &str) -> Result<Option<bool>, CliError> {
        self.one(id)
    }

    /// An [`ArgKind::Integer`](crate::ArgKind::Integer) flag, if given.
    pub fn integer(&self, id: &str) -> Result<Option<i64>, CliError> {
        match self.page {
            Some((page, n)) if page == id => Ok(Some(n)),
            _ => self.one(id),
        }
    }

    /// An [`ArgKind::Number`](crate::ArgKind::Number) flag, if given.
    pub fn number(&self, id: &str) -> Result<Option<f64>, CliError> {
        self.one(id)
    }

    /// A repeatable [`ArgKind::Text`](crate::ArgKind::Text) flag, if given.
    pub fn texts(&self, id: &str) -> Result<Option<Vec<String>>, CliError> {
        self.many(id)
    }

    /// A repeatable [`ArgKind::Bool`](crate::ArgKind::Bool) flag, if given.
    pub fn booleans(&self, id: &str) -> Result<Option<Vec<bool>>, CliError> {
        self.many(id)
    }

    /// A repeatable [`ArgKind::Integer`](crate::ArgKind::Integer) flag, if given.
    pub fn integers(&self, id: &str) -> Result<Option<Vec<i64>>, CliError> {
        self.many(id)
    }

    /// A repeatable [`ArgKind::Number`](crate::ArgKind::Number) flag, if given.
    pub fn numbers(&self, id: &str) -> Result<Option<Vec<f64>>, CliError> {
        self.many(id)
    }

    /// A text flag parsed as `T` (an enum, a date: see [`parse_arg`]), if it
    /// was given.
    pub fn parse_one<T: DeserializeOwned>(&self, id: &str) -> Result<Option<T>, CliError> {
        self.text(id)?.map(|v| parse_arg(id, &v)).transpose()
    }

    /// A repeatable text flag, each value parsed as `T`, if any was given.
    pub fn parse_many<T: DeserializeOwned>(&self, id: &str) -> Result<Option<Vec<T>>, CliError> {
        self.texts(id)?
            .map(|values| values.iter().map(|v| parse_arg(id, v)).collect())
            .transpose()
    }

    /// The body as given (`--file`, standard input), checked against the
    /// operation's request type `T` (see [`checked_body`]; `--strict`
    /// refuses fields `T` does not know), with whether `--strict` was given:
    /// sent unchanged through the builder's `raw_body`.
    pub fn checked_body<T: DeserializeOwned>(
        &self,
    ) -> Result<Option<(serde_json::Value, bool)>, CliError> {
        let strict = self
            .matches
            .try_get_one::<bool>(crate::flags::STRICT)
            .ok()
            .flatten()
            .copied()
            .unwrap_or(false);
        match &self.body {
            Some(body) => {
                checked_body::<T>(body, strict)?;
                Ok(Some((body.clone(), strict)))
            }
            None => Ok(None),
        }
    }

    /// The body as the operation's request type `T` (see [`typed_body`]),
    /// if there is one.
    pub fn typed_body<T: DeserializeOwned>(&self) -> Result<Option<T>, CliError> {
        self.body.as_ref().map(typed_body).transpose()
    }
}
