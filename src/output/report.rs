//! The one voice on stderr: every line xocr writes there goes through here,
//! with the `xocr: ` prefix, the quiet and verbose levels, and the progress
//! bar suspended while a line is written (in the spirit of ripgrep's
//! `messages.rs`). stdout is for data alone.

use std::fmt::Display;
use std::io::{self, IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::tally::Tally;
use crate::record::{Class, Record};
use crate::safe_text::terminal_safe;

/// Whether stderr lines are coloured ([`set_color`]).
static COLOR: AtomicBool = AtomicBool::new(false);
/// The progress bar on screen, if any, for the Ctrl-C handler's notice.
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);
/// True while a progress bar may be on screen.
static BAR_SHOWN: AtomicBool = AtomicBool::new(false);

/// Colours stderr lines from now on (`--color`, decided by
/// [`crate::term::stream_color`]): errors red, warnings yellow, file names
/// bold.
pub fn set_color(on: bool) {
    COLOR.store(on, Ordering::Relaxed);
}

/// What a part of a line is, for its colour.
#[derive(Clone, Copy)]
enum Tone {
    Plain,
    File,
    Error,
    Warning,
}

impl Tone {
    fn style(self) -> Style {
        match self {
            Tone::Plain => Style::new(),
            Tone::File => Style::new().bold(),
            Tone::Error => Style::new().fg_color(Some(AnsiColor::Red.into())),
            Tone::Warning => Style::new().fg_color(Some(AnsiColor::Yellow.into())),
        }
    }
}

/// Writes one line on stderr, `xocr: ` first, then the parts, each in its
/// tone when colour is on. A stderr that went away is not an error: there
/// is nobody left to tell. Control characters and bidi controls in the
/// parts (file names, server messages) are escaped ([`terminal_safe`])
/// before any colour is added, so nothing from outside can move the
/// cursor, retitle the window or reorder the line.
fn line(parts: &[(Tone, &dyn Display)]) {
    let color = COLOR.load(Ordering::Relaxed);
    let mut text = String::from("xocr: ");
    for (tone, part) in parts {
        let part = part.to_string();
        let safe = terminal_safe(&part);
        if color && !matches!(tone, Tone::Plain) {
            let style = tone.style();
            text.push_str(&format!("{style}{safe}{style:#}"));
        } else {
            text.push_str(&safe);
        }
    }
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// An error that ends the command (`xocr: error: …`), printed even with
/// `--quiet`. Each line of the message is a line of its own (the message
/// is xocr's; whatever it quotes has its line breaks escaped like any
/// other control character).
pub fn error(e: impl Display) {
    let text = e.to_string();
    let mut lines = text.split('\n');
    line(&[
        (Tone::Error, &"error:"),
        (
            Tone::Plain,
            &format_args!(" {}", lines.next().unwrap_or("")),
        ),
    ]);
    let mut err = io::stderr().lock();
    for l in lines {
        let _ = writeln!(err, "{}", terminal_safe(l));
    }
}

/// A notice that cannot wait for a reporter (the Ctrl-C handler), printed
/// even with `--quiet`, with the progress bar taken away while it is
/// written; `newline` starts a fresh line first (after an echoed `^C`)
/// when there is no bar to take away.
pub fn notice(text: impl Display, newline: bool) {
    let bar = BAR.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match bar {
        Some(bar) if !bar.is_hidden() => bar.suspend(|| line(&[(Tone::Plain, &text)])),
        _ => {
            if newline {
                let _ = writeln!(io::stderr().lock());
            }
            line(&[(Tone::Plain, &text)]);
        }
    }
}

/// Takes a progress bar off the screen at once, for an exit that cannot
/// wait (a second Ctrl-C): written straight to the terminal, without
/// waiting for the bar or stderr's lock, which another thread may hold.
pub fn clear_bar_now() {
    if !BAR_SHOWN.load(Ordering::SeqCst) {
        return;
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = io::stderr().as_fd().try_clone_to_owned() {
            let _ = std::fs::File::from(fd).write_all(b"\r\x1b[2K");
        }
    }
    #[cfg(not(unix))]
    {
        let _ = io::stderr().write_all(b"\r\x1b[2K");
    }
}

/// The reporter of one run: what is printed depends on `--quiet` and
/// `--verbose`, and a progress bar is shown on a terminal.
pub struct Reporter {
    quiet: bool,
    /// 0, or the number of `-v`.
    verbose: u8,
    bar: ProgressBar,
    /// stdout is the terminal the bar is on: the bar is taken away while
    /// stdout is written.
    shared: bool,
}

impl Reporter {
    /// A reporter without a progress bar yet; `verbose` is the number of
    /// `-v` (ignored with `quiet`).
    pub fn new(quiet: bool, verbose: u8) -> Self {
        Reporter {
            quiet,
            verbose: if quiet { 0 } else { verbose },
            bar: ProgressBar::hidden(),
            shared: false,
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
        self.shared = crate::term::shared_terminal();
        *BAR.lock().unwrap_or_else(|e| e.into_inner()) = Some(bar.clone());
        BAR_SHOWN.store(true, Ordering::SeqCst);
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
        BAR_SHOWN.store(false, Ordering::SeqCst);
        *BAR.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// Runs `write` (which writes stdout) with the progress bar taken off
    /// the screen when stdout is the bar's terminal, so that no stale bar
    /// line is left between what stdout shows; `write` must flush.
    pub fn suspend<T>(&self, write: impl FnOnce() -> T) -> T {
        if self.shared {
            self.bar.suspend(write)
        } else {
            write()
        }
    }

    /// A warning (`xocr: warning: …`), unless quiet.
    pub fn warn(&self, text: impl Display) {
        if !self.quiet {
            self.bar.suspend(|| {
                line(&[
                    (Tone::Warning, &"warning:"),
                    (Tone::Plain, &format_args!(" {text}")),
                ])
            });
        }
    }

    /// A line (`xocr: …`), unless quiet.
    pub fn say(&self, text: impl Display) {
        if !self.quiet {
            self.bar.suspend(|| line(&[(Tone::Plain, &text)]));
        }
    }

    /// The error of an input named before the batch runs (e.g. a missing
    /// file, when the command cannot run anyway): `xocr: FILE: why`,
    /// printed even with `--quiet`, as every failed file is.
    pub fn input_error(&self, file: &str, why: impl Display) {
        self.bar.suspend(|| {
            line(&[
                (Tone::File, &file),
                (Tone::Plain, &": "),
                (Tone::Error, &why),
            ])
        });
    }

    /// A record's notes, each line prefixed with its file: its request log
    /// (`-v`, and its HTTP lines with `-vv`) and preprocessing (`-v`),
    /// warnings and error (unless quiet; a file not attempted only with
    /// `-v`); then the progress advanced by one.
    pub fn record(&self, record: &Record, tally: &Tally) {
        if !self.quiet {
            self.bar.suspend(|| {
                let file = &record.file;
                let with_file = |tone: Tone, text: &dyn Display| {
                    line(&[(Tone::File, file), (Tone::Plain, &": "), (tone, text)])
                };
                for note in record.log.iter().filter(|n| n.level <= self.verbose) {
                    with_file(Tone::Plain, &note.text);
                }
                if self.verbose > 0
                    && let Some(p) = &record.preprocess
                {
                    with_file(Tone::Plain, &format_args!("preprocess: {p}"));
                }
                for w in &record.warnings {
                    line(&[
                        (Tone::File, file),
                        (Tone::Plain, &": "),
                        (Tone::Warning, &"warning:"),
                        (Tone::Plain, &format_args!(" {w}")),
                    ]);
                }
                if let Some(l) = record.error_line() {
                    let attempted = record
                        .error
                        .as_ref()
                        .is_some_and(|e| e.class != Class::NotAttempted);
                    if attempted || self.verbose > 0 {
                        with_file(Tone::Error, &l);
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
        if let Some(reason) = &tally.stopped_by
            && !self.quiet
        {
            self.bar.suspend(|| {
                line(&[
                    (Tone::Error, &"stopped:"),
                    (Tone::Plain, &format_args!(" {reason}")),
                ])
            });
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
