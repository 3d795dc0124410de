//! Atlas's rate limits, shared by every clone of a client and every task
//! using it.
//!
//! Atlas puts every Administration API endpoint in an *endpoint set* with a
//! *scope* (organization, project, user or IP); each (set, scope id) pair
//! is a token bucket of `capacity` requests refilled by `refillRate`
//! every `refillDurationSeconds`. An empty bucket answers `429` with
//! `RATE_LIMITED_TOKEN_BUCKET`. The client keeps an estimate of each bucket
//! it has heard of, keyed the same way, and learns it from what Atlas says:
//!
//! - a refusal's body (`parameters: [set, retry seconds, capacity, refill,
//!   refill seconds]`, or the same figures in `detail`), read from the raw
//!   body whatever the operation's error type;
//! - `RateLimit-Limit`, `RateLimit-Remaining` and `Retry-After`, when sent;
//! - optionally, `listRateLimits` ([`TransportBuilder::rate_limits`](crate::TransportBuilder::rate_limits),
//!   [`Transport::discover_rate_limits`](crate::Transport::discover_rate_limits)),
//!   which also says which endpoints belong to which set.
//!
//! Before a request is sent its bucket gives it a token: when the bucket
//! is known to be empty the request waits for its refill (each waiting
//! request its own slot, one refill interval apart) instead of being
//! refused; after a refusal every request to the same bucket holds until
//! the time Atlas announced. Each wait gets a random extra of up to
//! [`RateLimitPolicy::max_jitter`] (and at most one refill interval), so
//! that many clients do not retry in lockstep. A bucket nothing is known
//! about lets requests through: the first burst's overflow is how Atlas
//! teaches it (seed it from `listRateLimits` to avoid even that).
//!
//! A request is mapped to its endpoint set by the endpoints a seeded set
//! lists (method and path template), else by the set a refusal named for
//! the same method and path template, else to a bucket of its own path
//! template. Its scope id is the `groupId` (project) or `orgId`
//! (organization) in its path as the set's scope says; user- and IP-scoped
//! sets have one bucket per client (one user, one address).
//!
//! Waits stay within the call's operation deadline (a call whose deadline
//! ends while it waits fails with that timeout) and within
//! [`RateLimitPolicy::max_wait`]: a bucket held for longer is not waited
//! for, and its refusal is the call's answer. [`RateLimitPolicy::off`]
//! turns all of it off (the [`RetryPolicy`](crate::RetryPolicy) alone
//! then decides, as for any 429).

mod bucket;
pub(crate) mod learn;
mod sets;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use tokio::time::Instant;

use crate::request::ApiRequest;

use bucket::{Bucket, Wave};
pub use sets::{EndpointSet, RateLimitScope};

/// How a client paces itself by Atlas's rate limits (see the
/// [module](self) documentation).
///
/// Defaults: on; waits for a bucket up to 120 s; up to 500 ms of jitter
/// per wait.
///
/// ```
/// use std::time::Duration;
/// use atlas_admin_runtime::{RateLimitPolicy, Transport};
///
/// let transport = Transport::builder()
///     .rate_limit(RateLimitPolicy::new().max_wait(Duration::from_secs(300)))
///     .build()?;
/// assert!(transport.rate_limit_policy().is_enabled());
/// let unpaced = Transport::builder().rate_limit(RateLimitPolicy::off()).build()?;
/// assert!(!unpaced.rate_limit_policy().is_enabled());
/// # Ok::<(), atlas_admin_runtime::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimitPolicy {
    enabled: bool,
    max_wait: Duration,
    max_jitter: Duration,
}

impl Default for RateLimitPolicy {
    fn default() -> Self {
        Self {
            enabled: true,
            max_wait: Duration::from_secs(120),
            max_jitter: Duration::from_millis(500),
        }
    }
}

impl RateLimitPolicy {
    /// The default policy (on).
    pub fn new() -> Self {
        Self::default()
    }

    /// No pacing: requests are sent when called, and a refusal is retried
    /// as the [`RetryPolicy`](crate::RetryPolicy) says (its
    /// `max_retry_after`, its attempts).
    pub fn off() -> Self {
        Self {
            enabled: false,
            ..Self::default()
        }
    }

    /// Longest a request waits for its bucket (default 120 s), before it
    /// is sent or before a refused one is sent again. A bucket Atlas holds
    /// for longer is not waited for: the refusal is returned.
    pub fn max_wait(mut self, wait: Duration) -> Self {
        self.max_wait = wait;
        self
    }

    /// Most random time added to each wait (default 500 ms; never more
    /// than one refill interval of the bucket). Zero makes waits exact.
    pub fn max_jitter(mut self, jitter: Duration) -> Self {
        self.max_jitter = jitter;
        self
    }

    /// Whether the client paces itself.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// The longest wait for a bucket.
    pub fn wait_allowance(&self) -> Duration {
        self.max_wait
    }
}

/// The bucket a request draws from: its endpoint set (or, while that is
/// unknown, its method and path template) and its scope id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct BucketKey {
    set: Arc<str>,
    scope: String,
    /// Whether `set` is a guess (the path template), to be replaced by the
    /// set a refusal names.
    guessed: bool,
}

/// Longest a request waits for the answers of the first burst to a bucket
/// whose pace is unknown (or of the request probing it).
const FIRST_WAVE_WAIT: Duration = Duration::from_secs(2);

/// Where a request stands with its bucket (see
/// [`RateLimiter::take_turn`]).
enum Turn {
    /// Sent now, with its bucket and whether it is of the first burst.
    Now(BucketKey, bool),
    /// Its token comes at a time (and the bucket's refill interval).
    At(BucketKey, Instant, Option<Duration>, bool),
    /// Waits for the first burst's answers first.
    AfterAnswers,
}

/// The rate-limit state of a client and all its clones.
#[derive(Debug, Clone)]
pub(crate) struct RateLimiter {
    policy: RateLimitPolicy,
    state: Arc<Mutex<State>>,
    /// Wakes requests waiting for a first burst's answers.
    answers: Arc<tokio::sync::Notify>,
}

/// A request's right to be sent: its bucket, and whether it belongs to
/// the first burst to that bucket (whose answer others may wait for).
/// Its answer is recorded by [`RateLimiter::observe`]; a permit dropped
/// without one (the attempt failed, the call was dropped) is counted as
/// answered all the same.
#[derive(Debug)]
pub(crate) struct Permit {
    limiter: RateLimiter,
    key: BucketKey,
    first_wave: bool,
    /// Whether [`RateLimiter::observe`] recorded the answer.
    observed: bool,
}

impl Drop for Permit {
    fn drop(&mut self) {
        if self.observed {
            return;
        }
        let mut state = self.limiter.lock();
        if let Some(bucket) = state.bucket(&self.key) {
            bucket.answered(self.first_wave);
        }
        let waiters = state.waiting_for_answers;
        drop(state);
        self.limiter.answered(waiters);
    }
}

#[derive(Debug, Default)]
struct State {
    sets: sets::Sets,
    buckets: HashMap<BucketKey, Bucket>,
    /// Guessed keys whose bucket moved to the set a refusal named.
    moved: HashMap<BucketKey, BucketKey>,
    /// Requests waiting for a first burst's answers (woken by
    /// [`RateLimiter::answers`]); none on the usual path, which then
    /// notifies nobody.
    waiting_for_answers: usize,
}

impl State {
    /// The bucket of `key`, following a move.
    fn bucket(&mut self, key: &BucketKey) -> Option<&mut Bucket> {
        match self.moved.get(key) {
            Some(moved) => {
                let moved = moved.clone();
                self.buckets.get_mut(&moved)
            }
            None => self.buckets.get_mut(key),
        }
    }
}

impl RateLimiter {
    pub(crate) fn new(policy: RateLimitPolicy, seed: Vec<EndpointSet>) -> Self {
        let mut state = State::default();
        state.sets.seed(seed);
        Self {
            policy,
            state: Arc::new(Mutex::new(state)),
            answers: Arc::new(tokio::sync::Notify::new()),
        }
    }

    pub(crate) fn policy(&self) -> &RateLimitPolicy {
        &self.policy
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds (or replaces) endpoint sets, as `listRateLimits` lists them.
    pub(crate) fn seed(&self, found: Vec<EndpointSet>) {
        let mut state = self.lock();
        state.sets.seed(found);
        // Buckets keyed by a guess are re-keyed on their next request.
        state.buckets.retain(|key, _| !key.guessed);
    }

    /// The endpoint sets known (seeded or named by a refusal).
    pub(crate) fn endpoint_sets(&self) -> Vec<EndpointSet> {
        self.lock().sets.all()
    }

    fn key_for(state: &mut State, request: &ApiRequest) -> BucketKey {
        let (set, scope, guessed) =
            state
                .sets
                .lookup(&request.method, request.path_template, &request.path);
        BucketKey {
            set,
            scope,
            guessed,
        }
    }

    /// Waits until `request` may be sent by its bucket; its permit, or
    /// `None` with the limiter off.
    pub(crate) async fn acquire(&self, request: &ApiRequest) -> Option<Permit> {
        if !self.policy.enabled {
            return None;
        }
        match self.take_turn(request, Instant::now(), false, false) {
            Turn::Now(key, first_wave) => Some(self.permit(key, first_wave)),
            // A wait: boxed, so that the usual path's future (every
            // call's) does not carry the waiting machinery's state.
            turn => Some(Box::pin(self.wait_for_turn(request, turn)).await),
        }
    }

    /// Where `request` stands with its bucket, decided under one lock: a
    /// token taken now or at a time, or a wait for the first burst's
    /// answers (counted as a waiter when `counted`). A wait that has
    /// `waited_out` its allowance stops waiting for answers.
    fn take_turn(
        &self,
        request: &ApiRequest,
        now: Instant,
        waited_out: bool,
        counted: bool,
    ) -> Turn {
        let mut guard = self.lock();
        let state = &mut *guard;
        let key = Self::key_for(state, request);
        let entry = state.buckets.entry(key);
        // The permit's copy of the key.
        let key = entry.key().clone();
        let bucket = entry.or_insert_with(|| {
            let seeded = state.sets.seeded_bucket(&key.set, now);
            seeded.unwrap_or_else(|| Bucket::unknown(now))
        });
        let wave = bucket.wave();
        if wave == Wave::Wait && waited_out {
            bucket.end_wave();
        }
        if wave == Wave::Wait && !waited_out {
            if counted {
                state.waiting_for_answers += 1;
            }
            return Turn::AfterAnswers;
        }
        let first_wave = wave == Wave::Join;
        match bucket.reserve(now) {
            None => {
                bucket.going();
                Turn::Now(key, first_wave)
            }
            Some(at) => Turn::At(key, at, bucket.slot(), first_wave),
        }
    }

    fn permit(&self, key: BucketKey, first_wave: bool) -> Permit {
        Permit {
            limiter: self.clone(),
            key,
            first_wave,
            observed: false,
        }
    }

    /// The rest of [`Self::acquire`] when `turn` is not now: waits for the
    /// first burst's answers, then for the reserved time.
    async fn wait_for_turn(&self, request: &ApiRequest, mut turn: Turn) -> Permit {
        // Until when a request waits for the first burst's answers.
        let mut wave_deadline: Option<Instant> = None;
        let (key, mut at, slot, first_wave) = loop {
            match turn {
                Turn::Now(key, first_wave) => return self.permit(key, first_wave),
                Turn::At(key, at, slot, first_wave) => break (key, at, slot, first_wave),
                Turn::AfterAnswers => {}
            }
            // Made before the state is read, so that no answer between the
            // two is missed.
            let answers = self.answers.notified();
            let now = Instant::now();
            let waited_out = wave_deadline.is_some_and(|d| d <= now);
            turn = self.take_turn(request, now, waited_out, true);
            if let Turn::AfterAnswers = turn {
                // An answer told nothing while the first burst is out: its
                // refusals, if any, are about to teach the bucket.
                let deadline = *wave_deadline.get_or_insert_with(|| now + FIRST_WAVE_WAIT);
                let counted = WaitingForAnswers(self);
                let _ = tokio::time::timeout_at(deadline, answers).await;
                drop(counted);
            }
        };
        let permit = self.permit(key.clone(), first_wave);
        let mut waiting = Waiting {
            limiter: self,
            key: key.clone(),
            armed: true,
        };
        loop {
            if at.saturating_duration_since(Instant::now()) > self.policy.max_wait {
                // Not waited for: sent now, and Atlas's answer is the call's.
                tracing::debug!(set = %key.set, "rate limit: the wait is longer than max_wait; sending");
                break;
            }
            let jitter = self.jitter(slot);
            tracing::debug!(
                set = %key.set,
                scope = %key.scope,
                wait_ms = at.saturating_duration_since(Instant::now()).as_millis() as u64,
                "rate limit: waiting for the bucket"
            );
            tokio::time::sleep_until(at + jitter).await;
            let now = Instant::now();
            let held = self.lock().bucket(&key).and_then(|b| b.held_until(now));
            match held {
                Some(until) => at = until,
                None => break,
            }
        }
        waiting.sent();
        permit
    }

    fn jitter(&self, slot: Option<Duration>) -> Duration {
        let most = slot.map_or(self.policy.max_jitter, |s| s.min(self.policy.max_jitter));
        most.mul_f64(fastrand::f64())
    }

    /// Requests may wait for an answer (the first burst's, a probe's):
    /// wakes them, when `waiters` (read under the lock) says there are.
    fn answered(&self, waiters: usize) {
        if waiters > 0 {
            self.answers.notify_waiters();
        }
    }

    /// Learns what the answer to the request of `permit` says, and counts
    /// it answered (one lock for both); whether it was a rate-limit
    /// refusal.
    pub(crate) fn observe(
        &self,
        permit: Option<Permit>,
        request: &ApiRequest,
        status: StatusCode,
        headers: &HeaderMap,
        json: Option<&serde_json::Value>,
        fallback_hold: Duration,
    ) -> bool {
        let Some(mut permit) = permit else {
            return false;
        };
        permit.observed = true;
        let now = Instant::now();
        let seen = learn::observe(status, headers, json);
        let mut state = self.lock();
        // Learnt first: the count of requests in flight still has this one.
        let bucket = match &seen {
            Some(seen) => Some(Self::learn(
                &mut state,
                &permit.key,
                request,
                seen,
                now,
                fallback_hold,
            )),
            None => state.bucket(&permit.key),
        };
        if let Some(bucket) = bucket {
            if seen.is_none() {
                bucket.heard();
            }
            bucket.answered(permit.first_wave);
        }
        let limited = seen.is_some_and(|seen| seen.limited);
        let waiters = state.waiting_for_answers;
        drop(state);
        self.answered(waiters);
        limited
    }

    /// Applies what an answer said to the bucket of `permit_key` (moving
    /// a guessed bucket to the set a refusal named); that bucket.
    fn learn<'s>(
        state: &'s mut State,
        permit_key: &BucketKey,
        request: &ApiRequest,
        seen: &bucket::Observation,
        now: Instant,
        fallback_hold: Duration,
    ) -> &'s mut Bucket {
        let mut key = state.moved.get(permit_key).unwrap_or(permit_key).clone();
        if let (true, Some(set)) = (key.guessed, seen.set.as_deref()) {
            // Atlas named the set: this method and template belong to it,
            // and so does what was learned under the guess.
            let scope = state
                .sets
                .learn(&request.method, request.path_template, set, &key.scope);
            let moved = state.buckets.remove(&key);
            key = BucketKey {
                set: Arc::from(set),
                scope,
                guessed: false,
            };
            if let Some(moved) = moved {
                state.buckets.entry(key.clone()).or_insert(moved);
            }
            state.moved.insert(permit_key.clone(), key.clone());
        }
        let bucket = state
            .buckets
            .entry(key)
            .or_insert_with(|| Bucket::unknown(now));
        bucket.observe(seen, now, fallback_hold);
        bucket
    }

    /// After a refusal of `request`: whether its bucket's hold ends within
    /// [`RateLimitPolicy::max_wait`], so that the request is sent again
    /// (its next [`Self::acquire`] waits for the hold).
    pub(crate) fn may_retry(&self, request: &ApiRequest) -> bool {
        let now = Instant::now();
        let mut state = self.lock();
        let key = Self::key_for(&mut state, request);
        let left = state
            .buckets
            .get(&key)
            .and_then(|b| b.held_until(now))
            .map_or(Duration::ZERO, |until| until - now);
        left <= self.policy.max_wait
    }

    fn cancel(&self, key: &BucketKey) {
        let now = Instant::now();
        if let Some(bucket) = self.lock().bucket(key) {
            bucket.cancel(now);
        }
    }

    /// A waiting reservation is sent now.
    fn sent(&self, key: &BucketKey) {
        if let Some(bucket) = self.lock().bucket(key) {
            bucket.sent();
            bucket.going();
        }
    }
}

/// A request counted in [`State::waiting_for_answers`] while it waits
/// (and no longer once it stops, or its call is dropped).
struct WaitingForAnswers<'a>(&'a RateLimiter);

impl Drop for WaitingForAnswers<'_> {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.waiting_for_answers = state.waiting_for_answers.saturating_sub(1);
    }
}

/// A reservation waiting for its turn; dropped before it is sent (the
/// call's deadline, a dropped future) it gives its token back.
struct Waiting<'a> {
    limiter: &'a RateLimiter,
    key: BucketKey,
    armed: bool,
}

impl Waiting<'_> {
    fn sent(&mut self) {
        self.armed = false;
        self.limiter.sent(&self.key);
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.limiter.cancel(&self.key);
        }
    }
}
