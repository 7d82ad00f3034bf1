//! The OCR service: the client and its wire types, the error-code table,
//! retries with backoff, the shared rate limit, and the re-encode fallback
//! when the service refuses a picture as it was (PROTOCOL.md).

pub mod client;
pub mod codes;
pub mod rate;
pub mod retry;
pub mod wire;

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

pub use client::{ApiError, Client, parse_reply};
use rate::RateLimiter;
use retry::RetryPolicy;

use super::{Attempt, ErrorClass, Failure, Note, Reading};
use crate::preflight::{self, Prepared};
use crate::secret::Secret;

/// The request types PROTOCOL.md lists (`--type`), with what each asks for.
pub const REQUEST_TYPES: &[(&str, &str)] = &[(
    "8",
    "multi-certificate: the service classifies the picture and answers its document type",
)];

/// Files in a row that got no answer at all (every attempt refused, failed
/// to connect, or timed out) after which the endpoint is taken for dead and
/// the batch stops (exit code 3), instead of spending every retry on every
/// remaining file.
pub const DEAD_AFTER_FILES: u32 = 3;

/// How to reach the service.
#[derive(Debug, Clone)]
pub struct Service {
    /// Endpoint URL, `http://` or `https://`.
    pub endpoint: String,
    /// The `type` field of every request.
    pub request_type: String,
    /// Connect and read time-out.
    pub timeout: Duration,
    /// The account's token; redacted in every print.
    pub token: Secret,
    /// Largest reply body read, bytes (after any content decoding); a
    /// larger reply fails its file.
    pub max_reply_bytes: u64,
}

/// The service as an engine: one client (and connection pool) for all
/// workers, the rate limit they share, the retry policy, and the preflight
/// options a refused picture is re-encoded with.
pub struct Remote {
    client: Client,
    request_type: String,
    limiter: RateLimiter,
    retry: RetryPolicy,
    preflight: preflight::Options,
    /// Files in a row, in the order they finished, whose every attempt got
    /// no answer ([`ApiError::Unreachable`]); any answer resets it.
    unanswered: AtomicU32,
}

impl Remote {
    /// The service for `jobs` workers, capped at `qps` requests per second
    /// (`None`: no cap until the service throttles).
    pub fn new(
        service: &Service,
        jobs: usize,
        qps: Option<f64>,
        retry: RetryPolicy,
        preflight: &preflight::Options,
    ) -> Self {
        Remote {
            client: Client::new(service, jobs),
            request_type: service.request_type.clone(),
            limiter: RateLimiter::new(qps),
            retry,
            preflight: preflight.clone(),
            unanswered: AtomicU32::new(0),
        }
    }

    /// The request type every request carries.
    pub fn request_type(&self) -> &str {
        &self.request_type
    }

    /// Sends a prepared picture (rate-limited, retried); when the service
    /// refuses it as it was (40301, 40302), converts it once and sends it
    /// again. The [`DEAD_AFTER_FILES`]-th file in a row that got no answer
    /// at all fails with class stop, which stops the batch. `None` when the
    /// batch was stopped (`cancelled`) before the picture's first request
    /// could start.
    pub fn read(&self, mut prepared: Prepared, cancelled: &dyn Fn() -> bool) -> Option<Attempt> {
        let mut log = Vec::new();
        let mut answered = false;
        let (mut reply, mut retries) =
            self.send(&prepared.bytes, cancelled, &mut log, &mut answered)?;
        if let Err(ApiError::Service {
            code: code @ (40301 | 40302),
            ..
        }) = &reply
            && !prepared.converted
            && self.preflight.convert
            && !cancelled()
        {
            let code = *code;
            match preflight::reencode(&prepared.bytes, &self.preflight) {
                Ok(converted) => {
                    log.push(Note::v(format!(
                        "service answered {code} for the picture as it was: re-encoded and sent again"
                    )));
                    match self.send(&converted.bytes, cancelled, &mut log, &mut answered) {
                        Some((again, more)) => {
                            prepared = converted;
                            reply = again;
                            retries += more;
                        }
                        // The first answer stands.
                        None => log.push(Note::v(
                            "the batch stopped before the re-encoded picture went out",
                        )),
                    }
                }
                Err(e) => log.push(Note::v(format!("cannot re-encode after {code}: {e}"))),
            }
        }
        let reading = match reply {
            Ok(reading) => Ok(reading),
            Err(e @ ApiError::Unreachable(_)) if !answered && self.unanswered() => Err(Failure {
                code: None,
                message: format!(
                    "{e}; {DEAD_AFTER_FILES} files in a row got no answer: the batch stops"
                ),
                class: ErrorClass::Stop,
                hint: Some(
                    "check --endpoint / XOCR_ENDPOINT, the network and any proxy settings; with --out-dir, a rerun sends only the files without a result"
                        .into(),
                ),
            }),
            Err(e) => Err(Failure::from(&e)),
        };
        Some(Attempt {
            reading,
            retries,
            sent: prepared,
            log,
        })
    }

    /// Counts one more file whose every attempt got no answer; true when
    /// that makes [`DEAD_AFTER_FILES`] in a row (only the file that reaches
    /// the count: one stop, one message).
    fn unanswered(&self) -> bool {
        self.unanswered.fetch_add(1, Ordering::SeqCst) + 1 == DEAD_AFTER_FILES
    }

    /// Sends a picture, waiting for the rate limit before each attempt and
    /// retrying retry-class failures with backoff. Returns the last reply and
    /// the number of retries spent; `answered` is set when any attempt got
    /// an answer (resetting the count of files in a row without one).
    /// `None` when `cancelled` turned true before the first request could
    /// start (no retry starts after it either).
    fn send(
        &self,
        picture: &[u8],
        cancelled: &dyn Fn() -> bool,
        log: &mut Vec<Note>,
        answered: &mut bool,
    ) -> Option<(Result<Reading, ApiError>, u32)> {
        let body = match self.client.request_body(picture) {
            Ok(body) => body,
            Err(e) => return Some((Err(e), 0)),
        };
        let mut attempt = 0;
        let mut last = None;
        loop {
            // The cap holds at the moment of sending: the body is ready.
            if !self.limiter.acquire(cancelled) {
                return last.map(|reply| (reply, attempt - 1));
            }
            let reply = self.client.send(&body, log);
            if !matches!(reply, Err(ApiError::Unreachable(_))) {
                // An answer, whatever it says: the endpoint is alive.
                *answered = true;
                self.unanswered.store(0, Ordering::SeqCst);
            }
            let e = match &reply {
                Ok(_) => {
                    self.limiter.succeeded(Instant::now());
                    return Some((reply, attempt));
                }
                Err(e) => e,
            };
            if retry::is_throttle(e) {
                self.limiter.throttled(Instant::now());
            }
            if !self.retry.should_retry(e, attempt) || cancelled() {
                return Some((reply, attempt));
            }
            let wait = self.retry.backoff(e, attempt, fastrand::f64());
            attempt += 1;
            log.push(Note::v(format!(
                "retry {attempt} of {} in {} ms after: {e}",
                self.retry.retries,
                wait.as_millis()
            )));
            if !sleep_unless(wait, cancelled) {
                return Some((reply, attempt - 1));
            }
            last = Some(reply);
        }
    }
}

/// Sleeps for `d`, waking every 50 ms to look at `cancelled`; false when it
/// was cancelled.
fn sleep_unless(d: Duration, cancelled: &dyn Fn() -> bool) -> bool {
    let end = Instant::now() + d;
    loop {
        if cancelled() {
            return false;
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}
