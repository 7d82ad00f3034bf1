//! When to try a request again, and how long to wait first: exponential
//! backoff with full jitter (wait a random time between 0 and
//! base × 2^attempt, capped), or the server's `Retry-After` when it is longer.

use std::time::Duration;

use super::ApiError;
use crate::engine::ErrorClass;

/// Longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// The retry policy of a batch.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt (`--retries`, default 3).
    pub retries: u32,
    /// First backoff ceiling; doubles with each retry.
    pub base: Duration,
}

impl RetryPolicy {
    /// Whether `error`, after `attempt` retries so far, is worth another
    /// try: only retry-class errors, and only while retries remain.
    pub fn should_retry(&self, error: &ApiError, attempt: u32) -> bool {
        error.class() == ErrorClass::Retry && attempt < self.retries
    }

    /// How long to wait before retry number `attempt + 1`. `unit` is a
    /// random number in [0, 1). Code 40004 (the service's cluster is over its
    /// limit) waits four times longer.
    pub fn backoff(&self, error: &ApiError, attempt: u32, unit: f64) -> Duration {
        let long = if error.code() == Some(40004) { 4 } else { 1 };
        let ceiling = self
            .base
            .saturating_mul(long)
            .saturating_mul(1u32 << attempt.min(16))
            .min(MAX_BACKOFF);
        let jittered = ceiling.mul_f64(unit.clamp(0.0, 1.0));
        match error {
            ApiError::Http {
                retry_after: Some(after),
                ..
            } => jittered.max((*after).min(MAX_BACKOFF)),
            _ => jittered,
        }
    }
}

/// True for the answers that mean "slow down": code 40018 and HTTP 429.
pub fn is_throttle(error: &ApiError) -> bool {
    matches!(
        error,
        ApiError::Service { code: 40018, .. } | ApiError::Http { status: 429, .. }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(code: i64) -> ApiError {
        ApiError::Service {
            code,
            message: String::new(),
        }
    }

    #[test]
    fn only_retry_class_errors_are_retried_within_the_cap() {
        let p = RetryPolicy {
            retries: 2,
            base: Duration::from_millis(100),
        };
        assert!(p.should_retry(&service(40002), 0));
        assert!(p.should_retry(&service(40002), 1));
        assert!(!p.should_retry(&service(40002), 2));
        assert!(!p.should_retry(&service(40301), 0));
        assert!(!p.should_retry(&service(40101), 0));
        assert!(p.should_retry(&ApiError::Transport("reset".into()), 0));
        assert!(p.should_retry(&ApiError::Malformed("x".into()), 0));
    }

    #[test]
    fn backoff_doubles_is_jittered_capped_and_honours_retry_after() {
        let p = RetryPolicy {
            retries: 10,
            base: Duration::from_millis(100),
        };
        let e = service(500);
        assert_eq!(p.backoff(&e, 0, 0.999_999).as_millis(), 99);
        assert_eq!(p.backoff(&e, 3, 0.5), Duration::from_millis(400));
        assert_eq!(p.backoff(&e, 3, 0.0), Duration::ZERO);
        assert_eq!(p.backoff(&e, 20, 1.0), MAX_BACKOFF);
        assert_eq!(
            p.backoff(&service(40004), 0, 0.5),
            Duration::from_millis(200)
        );
        let limited = ApiError::Http {
            status: 429,
            retry_after: Some(Duration::from_secs(2)),
            detail: String::new(),
        };
        assert_eq!(p.backoff(&limited, 0, 0.5), Duration::from_secs(2));
        assert!(is_throttle(&limited) && is_throttle(&service(40018)));
        assert!(!is_throttle(&service(500)));
    }
}
