//! The one voice on stderr: every line xocr writes there goes through here,
//! with the `xocr: ` prefix, the quiet and verbose levels, and the progress
//! bar suspended while a line is written (in the spirit of ripgrep's
//! `messages.rs`). stdout is for data alone.

use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::tally::Tally;
use crate::record::{Class, Record};
use crate::safe_text::terminal_safe;

/// Writes one line on stderr, `xocr: ` first. A stderr that went away is
/// not an error: there is nobody left to tell.
/// Control characters and bidi controls in what it says (file names,
/// server messages) are escaped ([`terminal_safe`]), so nothing from
/// outside can move the cursor, retitle the window or reorder the line.
fn line(text: impl Display) {
    let text = text.to_string();
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "xocr: {}", terminal_safe(&text));
}

/// An error that ends the command (`xocr: error: …`), printed even with
/// `--quiet`.
pub fn error(e: impl Display) {
    line(format_args!("error: {e}"));
}

/// A notice that cannot wait for a reporter (the Ctrl-C handler), printed
/// even with `--quiet`; `newline` starts a fresh line first (after an
/// echoed `^C`).
pub fn notice(text: impl Display, newline: bool) {
    if newline {
        let _ = writeln!(io::stderr().lock());
    }
    line(text);
}

/// The reporter of one run: what is printed depends on `--quiet` and
/// `--verbose`, and a progress bar is shown on a terminal.
pub struct Reporter {
    quiet: bool,
    verbose: bool,
    bar: ProgressBar,
}

impl Reporter {
    /// A reporter without a progress bar yet.
    pub fn new(quiet: bool, verbose: bool) -> Self {
        Reporter {
            quiet,
            verbose: verbose && !quiet,
            bar: ProgressBar::hidden(),
        }
    }

    /// Shows a progress bar over `total` files: only on a terminal, for more
    /// than one file, and not with `--quiet`.
    pub fn start_progress(&mut self, total: usize) {
        if self.quiet || total < 2 || !io::stderr().is_terminal() {
            return;
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} · {rate} · ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .with_key(
                    "rate",
                    |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                        let _ = write!(w, "{:.1}/s", state.per_sec());
                    },
                ),
        );
        self.bar = bar;
    }

    /// Sets the progress bar's total: the files, and the pages beyond one
    /// a file found so far in PDFs and multi-page TIFFs.
    pub fn set_total(&self, total: usize) {
        if self.bar.length() != Some(total as u64) {
            self.bar.set_length(total as u64);
        }
    }

    /// Clears the progress bar.
    pub fn finish_progress(&self) {
        self.bar.finish_and_clear();
    }

    /// A warning (`xocr: warning: …`), unless quiet.
    pub fn warn(&self, text: impl Display) {
        self.say(format_args!("warning: {text}"));
    }

    /// A line (`xocr: …`), unless quiet.
    pub fn say(&self, text: impl Display) {
        if !self.quiet {
            self.bar.suspend(|| line(text));
        }
    }

    /// A record's notes, each line prefixed with its file: its request log
    /// and preprocessing (with `-v`), warnings and error (unless quiet; a
    /// file not attempted only with `-v`); then the progress advanced by one.
    pub fn record(&self, record: &Record, tally: &Tally) {
        if !self.quiet {
            self.bar.suspend(|| {
                let file = &record.file;
                if self.verbose {
                    for l in &record.log {
                        line(format_args!("{file}: {l}"));
                    }
                    if let Some(p) = &record.preprocess {
                        line(format_args!("{file}: preprocess: {p}"));
                    }
                }
                for w in &record.warnings {
                    line(format_args!("{file}: warning: {w}"));
                }
                if let Some(l) = record.error_line() {
                    let attempted = record
                        .error
                        .as_ref()
                        .is_some_and(|e| e.class != Class::NotAttempted);
                    if attempted || self.verbose {
                        line(format_args!("{file}: {l}"));
                    }
                }
            });
        }
        self.bar
            .set_message(format!("{} ok, {} failed", tally.succeeded, tally.failed));
        self.bar.inc(1);
    }

    /// The closing lines: the summary (for more than one file or page, or
    /// when any failed), why the batch stopped, and `--fields` keys no
    /// result had.
    pub fn summary(&self, files: usize, tally: &Tally, elapsed: Duration, fields: &[String]) {
        if files > 1 || tally.records() > 1 || tally.failed > 0 || tally.not_attempted > 0 {
            self.say(tally.summary(files, elapsed));
        }
        if let Some(reason) = &tally.stopped_by {
            self.say(format_args!("stopped: {reason}"));
        }
        let unseen: Vec<&str> = fields
            .iter()
            .filter(|f| !tally.keys_seen.contains(*f))
            .map(String::as_str)
            .collect();
        if !unseen.is_empty() && tally.succeeded > 0 {
            self.warn(format_args!(
                "--fields: no result had {} (`xocr types` lists the keys)",
                unseen.join(", ")
            ));
        }
    }
}
