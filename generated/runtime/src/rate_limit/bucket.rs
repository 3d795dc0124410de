//! One token bucket as the client estimates it: what Atlas said about it
//! (capacity, refill rate, tokens left, when to retry) and the requests of
//! this client that have reserved a token and wait for it.

use std::time::Duration;

use tokio::time::Instant;

/// What one response said about its bucket (see [`super::learn`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Observation {
    /// The endpoint set Atlas named (a 429's `parameters[0]`).
    pub(crate) set: Option<String>,
    /// Requests the bucket holds when full (`RateLimit-Limit`, a 429's
    /// capacity).
    pub(crate) capacity: Option<f64>,
    /// Tokens added per second (a 429's refill rate over its duration).
    pub(crate) rate: Option<f64>,
    /// Tokens left (`RateLimit-Remaining`; 0 for a 429).
    pub(crate) remaining: Option<f64>,
    /// How long Atlas asks to wait (`Retry-After`, a 429's seconds).
    pub(crate) retry_after: Option<Duration>,
    /// Whether the answer refused the request for its rate limit.
    pub(crate) limited: bool,
}

/// The client's estimate of one (endpoint set, scope) bucket.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    capacity: Option<f64>,
    rate: Option<f64>,
    /// Tokens left minus the reservations of this client not yet sent;
    /// negative when requests queue. Meaningful once `known`.
    tokens: f64,
    known: bool,
    updated: Instant,
    /// Nobody sends before this (after a 429).
    hold_until: Option<Instant>,
    /// Reservations waiting for their turn.
    waiting: usize,
    /// Requests sent and not answered yet.
    in_flight: usize,
    /// Requests of the first burst, sent before any answer, not yet
    /// answered.
    first_wave: usize,
    /// Whether any answer came back.
    answered: bool,
}

/// Where a request stands with a bucket whose pace is not known yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wave {
    /// Part of the first burst (no answer yet): it goes.
    Join,
    /// Answers came back that do not say when a token is free (none at
    /// all, or no refill rate with no token left), and the first burst (or
    /// the one request probing an empty bucket) is still out: wait for its
    /// answers (a refusal among them teaches the bucket).
    Wait,
    /// Nothing to wait for.
    Done,
}

impl Bucket {
    /// A bucket nothing is known about: requests go through until Atlas
    /// says something.
    pub(crate) fn unknown(now: Instant) -> Self {
        Self {
            capacity: None,
            rate: None,
            tokens: 0.0,
            known: false,
            updated: now,
            hold_until: None,
            waiting: 0,
            in_flight: 0,
            first_wave: 0,
            answered: false,
        }
    }

    /// A bucket whose figures `listRateLimits` gave, assumed full.
    pub(crate) fn seeded(capacity: f64, rate: f64, now: Instant) -> Self {
        Self {
            capacity: Some(capacity),
            rate: Some(rate),
            tokens: capacity,
            known: true,
            updated: now,
            hold_until: None,
            waiting: 0,
            in_flight: 0,
            first_wave: 0,
            answered: true,
        }
    }

    /// Seconds between two tokens, when the refill rate is known.
    pub(crate) fn slot(&self) -> Option<Duration> {
        self.rate
            .filter(|r| *r > 0.0)
            .map(|r| Duration::from_secs_f64(1.0 / r))
    }

    fn refill(&mut self, now: Instant) {
        if let Some(rate) = self.rate {
            let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
            let cap = self.capacity.unwrap_or(f64::INFINITY);
            self.tokens = (self.tokens + rate * elapsed).min(cap);
        }
        self.updated = now;
    }

    /// Whether a request to a bucket nothing is known about goes with the
    /// first burst, waits for its answers, or neither.
    pub(crate) fn wave(&mut self) -> Wave {
        if self.rate.is_some() || self.hold_until.is_some() {
            // Its pace is known: reservations take care of it.
            Wave::Done
        } else if !self.answered {
            self.first_wave += 1;
            Wave::Join
        } else if self.first_wave > 0 && (!self.known || self.tokens < 1.0) {
            // Nothing known, or no token left and no refill rate known.
            Wave::Wait
        } else if self.known && self.tokens < 1.0 && self.in_flight > 0 {
            // No token left and no refill rate known: one request at a
            // time finds out (a refusal says the rate).
            Wave::Wait
        } else {
            Wave::Done
        }
    }

    /// A request is sent.
    pub(crate) fn going(&mut self) {
        self.in_flight += 1;
    }

    /// A request has its answer (or failed); `first_wave` when it was
    /// part of the first burst.
    pub(crate) fn answered(&mut self, first_wave: bool) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if first_wave {
            self.first_wave = self.first_wave.saturating_sub(1);
        }
    }

    /// The first burst's answers take too long: stop waiting for them.
    pub(crate) fn end_wave(&mut self) {
        self.first_wave = 0;
    }

    /// Takes a token for one request: when it may be sent (`None`: now).
    /// A request that must wait is counted in [`Self::waiting`] until
    /// [`Self::sent`] or [`Self::cancel`].
    pub(crate) fn reserve(&mut self, now: Instant) -> Option<Instant> {
        self.refill(now);
        let hold = self.hold_until.filter(|h| *h > now);
        if !self.known {
            if hold.is_some() {
                self.waiting += 1;
            }
            return hold;
        }
        self.tokens -= 1.0;
        let by_tokens = if self.tokens >= 0.0 {
            None
        } else {
            // Without a refill rate nothing says when a token comes back:
            // the request goes and Atlas's answer teaches the rate.
            self.rate
                .filter(|r| *r > 0.0)
                .map(|r| now + Duration::from_secs_f64(-self.tokens / r))
        };
        let at = match (hold, by_tokens) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        if at.is_some() {
            self.waiting += 1;
        }
        at
    }

    /// When a waiting reservation may go now: `None` once no hold is in
    /// force (a 429 seen while it waited may have set one).
    pub(crate) fn held_until(&self, now: Instant) -> Option<Instant> {
        self.hold_until.filter(|h| *h > now)
    }

    /// A waiting reservation is being sent.
    pub(crate) fn sent(&mut self) {
        self.waiting = self.waiting.saturating_sub(1);
    }

    /// A waiting reservation was given up (its call ended): its token
    /// goes back.
    pub(crate) fn cancel(&mut self, now: Instant) {
        self.waiting = self.waiting.saturating_sub(1);
        if self.known {
            self.refill(now);
            let cap = self.capacity.unwrap_or(f64::INFINITY);
            self.tokens = (self.tokens + 1.0).min(cap);
        }
    }

    /// What a response said, applied. While the refill rate is known,
    /// figures lower the estimate, never raise it (answers arrive out of
    /// order, and the refill is counted by [`Self::reserve`]); the first
    /// figures make a bucket known. Without a rate nothing else would ever
    /// raise it, so Atlas's count is taken as it comes.
    pub(crate) fn observe(&mut self, seen: &Observation, now: Instant, fallback_hold: Duration) {
        self.refill(now);
        self.answered = true;
        if let Some(capacity) = seen.capacity.filter(|c| *c > 0.0) {
            self.capacity = Some(capacity);
        }
        if let Some(rate) = seen.rate.filter(|r| *r > 0.0) {
            self.rate = Some(rate);
        }
        let waiting = self.waiting as f64;
        let remaining = if seen.limited {
            Some(0.0)
        } else {
            seen.remaining
        };
        if let Some(remaining) = remaining {
            // A count is from before the requests still out (this one
            // aside) reached Atlas: they may all take from it. A refusal
            // says the bucket is empty now: every earlier request has
            // reached Atlas, only the waiting ones remain.
            let others = if seen.limited {
                0.0
            } else {
                self.in_flight.saturating_sub(1) as f64
            };
            let estimate = remaining - waiting - others;
            if !self.known || seen.limited || self.rate.is_none() {
                self.tokens = estimate;
                self.known = true;
            } else {
                self.tokens = self.tokens.min(estimate);
            }
        } else if !self.known && self.capacity.is_some() && self.rate.is_some() {
            // Capacity and rate without a count: assume it full.
            self.tokens = self.capacity.unwrap_or(0.0) - waiting;
            self.known = true;
        }
        if seen.limited {
            let wait = seen
                .retry_after
                .or_else(|| self.slot())
                .unwrap_or(fallback_hold);
            let until = now + wait;
            // The bucket refills during the hold (Atlas's own bucket
            // does): what accrued is usable when it ends.
            self.hold_until = Some(self.hold_until.map_or(until, |h| h.max(until)));
        }
    }

    /// An answer that said nothing about the bucket came back.
    pub(crate) fn heard(&mut self) {
        self.answered = true;
    }

    /// Whether Atlas has said anything about this bucket.
    #[cfg(test)]
    pub(crate) fn is_known(&self) -> bool {
        self.known
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limited(retry: u64) -> Observation {
        Observation {
            set: Some("s".into()),
            capacity: Some(10.0),
            rate: Some(5.0),
            remaining: Some(0.0),
            retry_after: Some(Duration::from_secs(retry)),
            limited: true,
        }
    }

    #[test]
    fn an_unknown_bucket_lets_requests_through() {
        let now = Instant::now();
        let mut b = Bucket::unknown(now);
        assert!((0..50).all(|_| b.reserve(now).is_none()));
        assert!(!b.is_known());
    }

    #[test]
    fn a_seeded_bucket_spaces_requests_by_its_rate() {
        let now = Instant::now();
        let mut b = Bucket::seeded(10.0, 5.0, now);
        for _ in 0..10 {
            assert_eq!(b.reserve(now), None);
        }
        let next = b.reserve(now).expect("waits");
        assert_eq!(next - now, Duration::from_millis(200));
        let after = b.reserve(now).expect("waits");
        assert_eq!(after - now, Duration::from_millis(400));
    }

    #[test]
    fn a_refusal_holds_everyone_until_the_announced_time() {
        let now = Instant::now();
        let mut b = Bucket::unknown(now);
        b.observe(&limited(1), now, Duration::from_millis(500));
        assert_eq!(b.held_until(now), Some(now + Duration::from_secs(1)));
        // Tokens accrue from the end of the hold: 5 may go at once then.
        for _ in 0..5 {
            assert_eq!(b.reserve(now), Some(now + Duration::from_secs(1)));
        }
        let sixth = b.reserve(now).expect("waits");
        assert_eq!(sixth - now, Duration::from_millis(1200));
    }

    #[test]
    fn headers_lower_the_estimate_and_never_raise_it() {
        let now = Instant::now();
        let mut b = Bucket::unknown(now);
        let seen = |remaining| Observation {
            capacity: Some(10.0),
            remaining: Some(remaining),
            ..Observation::default()
        };
        b.observe(&seen(3.0), now, Duration::ZERO);
        assert!(b.is_known());
        b.observe(&seen(7.0), now, Duration::ZERO);
        for _ in 0..3 {
            assert_eq!(b.reserve(now), None);
        }
        // No rate known yet: the fourth goes too and Atlas teaches it.
        assert_eq!(b.reserve(now), None);
    }

    #[test]
    fn without_a_rate_atlas_counts_raise_the_estimate() {
        // Headers only, never a refusal: the bucket refills at Atlas, and
        // only its count says so. Requests must not queue one at a time
        // once this client has sent `capacity` of them.
        let now = Instant::now();
        let mut b = Bucket::unknown(now);
        let seen = |remaining| Observation {
            capacity: Some(3.0),
            remaining: Some(remaining),
            ..Observation::default()
        };
        for _ in 0..3 {
            assert_eq!(b.wave(), Wave::Join);
            assert_eq!(b.reserve(now), None);
            b.going();
        }
        b.observe(&seen(2.0), now, Duration::ZERO);
        b.answered(true);
        for _ in 0..4 {
            assert_eq!(b.reserve(now), None);
        }
        assert_eq!(b.wave(), Wave::Wait, "no token left by the estimate");
        // Atlas refilled: its count says 3 left.
        b.observe(&seen(3.0), now, Duration::ZERO);
        assert_eq!(b.wave(), Wave::Done);
    }
}
