//! Requests-per-second limit shared by all workers. The limit is a promise
//! about when requests start: at a rate R, no more than R (rounded down, at
//! least 1) requests start within any one second, and consecutive starts
//! are at least 1/R apart. Both are checked against the start times of the
//! requests that did start, taken under the limiter's lock at the moment a
//! request is let go, never against a plan: a worker that wakes late from
//! its wait does not squeeze the requests after it closer together.
//!
//! The rate halves when the service says "too many requests" (code 40018,
//! HTTP 429) and then grows back by a fixed step per second of success:
//! additive increase, multiplicative decrease, as the AWS CLI's adaptive
//! retry mode does.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Lowest rate the limiter falls to, requests per second.
pub const MIN_RATE: f64 = 0.2;

/// Longest sleep of a worker waiting for its turn before it looks whether
/// the batch was stopped.
pub const CANCEL_POLL: Duration = Duration::from_millis(50);

/// The window the rate counts requests in.
const WINDOW: Duration = Duration::from_secs(1);

/// A shared requests-per-second limit. `None` rate means no limit.
pub struct RateLimiter {
    inner: Mutex<Inner>,
}

struct Inner {
    /// `--qps`, the ceiling; `None`: no ceiling.
    cap: Option<f64>,
    /// The rate in force, requests per second; `None`: unlimited.
    rate: Option<f64>,
    /// Without a cap: the observed rate when last throttled; the limit is
    /// lifted once the rate climbs back to it.
    ceiling: f64,
    /// When the rate last changed, for the additive increase.
    changed: Instant,
    /// Start times of the requests of the last second, oldest first.
    recent: VecDeque<Instant>,
    /// Start time of the latest request.
    last: Option<Instant>,
}

impl Inner {
    /// Forgets the starts a second or more before `now`.
    fn prune(&mut self, now: Instant) {
        while self
            .recent
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= WINDOW)
        {
            self.recent.pop_front();
        }
    }
}

impl RateLimiter {
    /// A limiter capped at `qps` requests per second (`None`: unlimited
    /// until the service throttles).
    pub fn new(qps: Option<f64>) -> Self {
        RateLimiter {
            inner: Mutex::new(Inner {
                cap: qps,
                rate: qps,
                ceiling: 0.0,
                changed: Instant::now(),
                recent: VecDeque::new(),
                last: None,
            }),
        }
    }

    /// Waits for this request's turn and records its start: true. False,
    /// with nothing recorded, as soon as `cancelled` turns true while it
    /// waits (looked at every [`CANCEL_POLL`] at least): at a low rate the
    /// turn of a waiting worker can be many seconds away, and a stopped
    /// batch must not send it.
    pub fn acquire(&self, cancelled: &dyn Fn() -> bool) -> bool {
        loop {
            if cancelled() {
                return false;
            }
            // The clock is read under the lock: the start recorded is the
            // moment this request is let go, not an earlier one.
            match self.start_at(Instant::now) {
                Ok(()) => return true,
                Err(at) => {
                    let wait = at.saturating_duration_since(Instant::now());
                    std::thread::sleep(wait.clamp(Duration::from_micros(100), CANCEL_POLL));
                }
            }
        }
    }

    /// Starts a request at `now` when the limit allows it, recording the
    /// start; otherwise returns the earliest time worth trying again (an
    /// `Instant` after `now`). For a fake clock in tests; workers use
    /// [`RateLimiter::acquire`].
    pub fn try_start(&self, now: Instant) -> Result<(), Instant> {
        self.start_at(|| now)
    }

    fn start_at(&self, clock: impl Fn() -> Instant) -> Result<(), Instant> {
        let mut s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let now = clock();
        s.prune(now);
        if let Some(rate) = s.rate {
            // At most one request a minute, whatever the rate says.
            let gap = Duration::try_from_secs_f64(1.0 / rate)
                .unwrap_or(Duration::from_secs(60))
                .min(Duration::from_secs(60));
            let mut earliest = now;
            if let Some(last) = s.last {
                earliest = earliest.max(last + gap);
            }
            // Requests allowed to start within one second.
            let per_window = (rate.floor() as usize).max(1);
            if s.recent.len() >= per_window {
                earliest = earliest.max(s.recent[s.recent.len() - per_window] + WINDOW);
            }
            if earliest > now {
                return Err(earliest);
            }
        }
        s.recent.push_back(now);
        s.last = Some(now);
        Ok(())
    }

    /// The service said "too many requests": halve the rate (from the
    /// observed rate when there was no limit).
    pub fn throttled(&self, now: Instant) {
        let mut s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        s.prune(now);
        let observed = s.recent.len().max(1) as f64;
        let current = s.rate.unwrap_or(observed);
        if s.cap.is_none() {
            s.ceiling = s.ceiling.max(current);
        }
        s.rate = Some((current / 2.0).max(MIN_RATE));
        s.changed = now;
    }

    /// A request went through: grow the rate by a tenth of the ceiling (at
    /// least 0.5 request/s) per second since the last change, up to the cap.
    /// Without a cap, the limit is lifted once the rate is back to where it
    /// was throttled.
    pub fn succeeded(&self, now: Instant) {
        let mut s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let Some(rate) = s.rate else { return };
        let top = s.cap.unwrap_or(s.ceiling);
        if s.cap.is_some_and(|c| rate >= c) {
            return;
        }
        let secs = now.saturating_duration_since(s.changed).as_secs_f64();
        let step = (top / 10.0).max(0.5);
        let grown = rate + step * secs;
        s.changed = now;
        s.rate = match s.cap {
            Some(cap) => Some(grown.min(cap)),
            None if grown >= top => None,
            None => Some(grown),
        };
    }

    /// The rate in force, requests per second (`None`: unlimited).
    pub fn rate(&self) -> Option<f64> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `n` requests against the limiter on a fake clock starting at
    /// `t0`: each tries at the time it is told, plus `late(i)` (a worker
    /// that wakes late). Returns the start times.
    fn simulate(
        l: &RateLimiter,
        t0: Instant,
        n: usize,
        late: impl Fn(usize) -> Duration,
    ) -> Vec<Instant> {
        let mut starts = Vec::new();
        let mut t = t0;
        let mut tries = 0;
        while starts.len() < n {
            tries += 1;
            assert!(tries < 100 * n, "the limiter never lets a request go");
            match l.try_start(t) {
                Ok(()) => starts.push(t),
                Err(at) => {
                    assert!(at > t);
                    t = at + late(tries);
                }
            }
        }
        starts
    }

    /// The shortest span of `k + 1` consecutive starts.
    fn shortest(starts: &[Instant], k: usize) -> Duration {
        starts.windows(k + 1).map(|w| w[k] - w[0]).min().unwrap()
    }

    #[test]
    fn starts_are_spaced_by_the_rate() {
        let l = RateLimiter::new(Some(4.0));
        let t0 = Instant::now();
        let starts = simulate(&l, t0, 5, |_| Duration::ZERO);
        let ms: Vec<u128> = starts.iter().map(|t| (*t - t0).as_millis()).collect();
        assert_eq!(ms, [0, 250, 500, 750, 1000]);
    }

    #[test]
    fn late_wake_ups_never_squeeze_the_next_requests() {
        let t0 = Instant::now();
        for qps in [1.0, 4.0, 5.0, 10.0, 30.0] {
            let l = RateLimiter::new(Some(qps));
            // Wake-ups late by 0 to 37 ms, varying from one to the next.
            let starts = simulate(&l, t0, 200, |i| {
                Duration::from_millis((i * 7919 % 38) as u64)
            });
            let n = qps as usize;
            assert!(
                shortest(&starts, n) >= WINDOW,
                "{qps}: {:?}",
                shortest(&starts, n)
            );
            let gap = Duration::from_secs_f64(1.0 / qps);
            assert!(shortest(&starts, 1) >= gap, "{qps}");
        }
    }

    #[test]
    fn a_fractional_rate_lets_its_whole_part_into_any_second() {
        let t0 = Instant::now();
        for (qps, n) in [(2.5, 2), (0.5, 1), (7.9, 7), (1.25, 1)] {
            let l = RateLimiter::new(Some(qps));
            let starts = simulate(&l, t0, 40, |_| Duration::ZERO);
            assert!(
                shortest(&starts, n) >= WINDOW,
                "{qps}: {:?}",
                shortest(&starts, n)
            );
        }
    }

    #[test]
    fn unlimited_never_waits() {
        let l = RateLimiter::new(None);
        let t0 = Instant::now();
        for _ in 0..100 {
            assert_eq!(l.try_start(t0), Ok(()));
        }
    }

    #[test]
    fn a_throttle_slows_the_very_next_start() {
        let l = RateLimiter::new(Some(10.0));
        let t0 = Instant::now();
        assert_eq!(l.try_start(t0), Ok(()));
        l.throttled(t0);
        // 5 per second now: the next start is 200 ms after the last.
        assert_eq!(
            l.try_start(t0 + Duration::from_millis(100)),
            Err(t0 + Duration::from_millis(200))
        );
    }

    #[test]
    fn throttle_halves_and_success_recovers_to_the_cap() {
        let l = RateLimiter::new(Some(10.0));
        let t0 = Instant::now();
        l.throttled(t0);
        assert_eq!(l.rate(), Some(5.0));
        l.throttled(t0);
        assert_eq!(l.rate(), Some(2.5));
        // One second later: +1 request/s (a tenth of the cap).
        l.succeeded(t0 + Duration::from_secs(1));
        assert_eq!(l.rate(), Some(3.5));
        l.succeeded(t0 + Duration::from_secs(60));
        assert_eq!(l.rate(), Some(10.0));
        for _ in 0..20 {
            l.throttled(t0);
        }
        assert_eq!(l.rate(), Some(MIN_RATE));
    }

    #[test]
    fn without_a_cap_the_limit_lifts_after_recovery() {
        let l = RateLimiter::new(None);
        let t0 = Instant::now();
        for _ in 0..8 {
            l.try_start(t0).unwrap();
        }
        l.throttled(t0);
        assert_eq!(l.rate(), Some(4.0));
        l.succeeded(t0 + Duration::from_secs(2));
        assert_eq!(l.rate(), Some(5.6));
        l.succeeded(t0 + Duration::from_secs(30));
        assert_eq!(l.rate(), None);
    }
}
