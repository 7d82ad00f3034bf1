//! Requests-per-second limit shared by all workers: a token bucket of one
//! token (requests evenly spaced at 1/rate s), whose rate halves when the
//! service says "too many requests" (code 40018, HTTP 429) and then grows
//! back by a fixed step per second of success: additive increase,
//! multiplicative decrease, as the AWS CLI's adaptive retry mode does.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Lowest rate the limiter falls to, requests per second.
pub const MIN_RATE: f64 = 0.2;

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
    /// Earliest time the next request may start.
    next: Instant,
    /// When the rate last changed, for the additive increase.
    changed: Instant,
    /// Start times of the requests of the last second.
    recent: VecDeque<Instant>,
}

impl RateLimiter {
    /// A limiter capped at `qps` requests per second (`None`: unlimited
    /// until the service throttles).
    pub fn new(qps: Option<f64>) -> Self {
        let now = Instant::now();
        RateLimiter {
            inner: Mutex::new(Inner {
                cap: qps,
                rate: qps,
                ceiling: 0.0,
                next: now,
                changed: now,
                recent: VecDeque::new(),
            }),
        }
    }

    /// Waits for this request's turn. Returns how long it waited.
    pub fn acquire(&self) -> Duration {
        let now = Instant::now();
        let at = self.reserve(now);
        let wait = at.saturating_duration_since(now);
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
        wait
    }

    /// Books the next slot at or after `now` and returns its start time.
    pub fn reserve(&self, now: Instant) -> Instant {
        let mut s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let at = match s.rate {
            None => now,
            Some(rate) => {
                let at = s.next.max(now);
                // At most one request a minute, whatever the rate says.
                let gap = Duration::try_from_secs_f64(1.0 / rate)
                    .unwrap_or(Duration::from_secs(60))
                    .min(Duration::from_secs(60));
                s.next = at + gap;
                at
            }
        };
        s.recent.push_back(at);
        while s
            .recent
            .front()
            .is_some_and(|t| at.saturating_duration_since(*t) > Duration::from_secs(1))
        {
            s.recent.pop_front();
        }
        at
    }

    /// The service said "too many requests": halve the rate (from the
    /// observed rate when there was no limit).
    pub fn throttled(&self, now: Instant) {
        let mut s = self.inner.lock().unwrap_or_else(|e| e.into_inner());
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

    #[test]
    fn slots_are_spaced_by_the_rate() {
        let l = RateLimiter::new(Some(4.0));
        let t0 = Instant::now();
        let slots: Vec<Duration> = (0..5).map(|_| l.reserve(t0) - t0).collect();
        assert_eq!(slots[0], Duration::ZERO);
        assert_eq!(slots[4], Duration::from_millis(1000));
    }

    #[test]
    fn unlimited_never_waits() {
        let l = RateLimiter::new(None);
        let t0 = Instant::now();
        for _ in 0..100 {
            assert_eq!(l.reserve(t0), t0);
        }
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
            l.reserve(t0);
        }
        l.throttled(t0);
        assert_eq!(l.rate(), Some(4.0));
        l.succeeded(t0 + Duration::from_secs(2));
        assert_eq!(l.rate(), Some(5.6));
        l.succeeded(t0 + Duration::from_secs(30));
        assert_eq!(l.rate(), None);
    }
}
