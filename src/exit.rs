//! Exit codes, as documented in `--help` and the README.

use std::fmt;

/// The process exit code of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// 0: every file succeeded.
    Success = 0,
    /// 1: at least one file failed; the others were still scanned.
    SomeFailed = 1,
    /// 2: usage or configuration error (bad flag, no token, no input matched).
    Usage = 2,
    /// 3: a stop-class service code stopped the batch.
    Stopped = 3,
    /// 130: interrupted by Ctrl-C (128 + SIGINT).
    Interrupted = 130,
    /// 141: the reader of stdout went away (128 + SIGPIPE); the batch was
    /// stopped, as a program killed by SIGPIPE would be.
    BrokenPipe = 141,
}

impl ExitCode {
    /// The number handed to the operating system.
    pub fn code(self) -> i32 {
        self as i32
    }
}

/// An error that is the user's to fix before anything can run (exit code 2):
/// a bad flag value, a missing token, a pattern that matched nothing, an
/// unreadable config file. Its text says what to do.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Shorthand for returning a [`UsageError`] wrapped in `anyhow`.
pub fn usage(msg: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(msg.into()))
}
