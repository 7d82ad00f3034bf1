//! Runs the scan of many inputs on a fixed pool of worker threads and hands
//! the records to the one sink that owns stdout: in input order, or as they
//! finish with `--unordered`. Workers run at most a window of inputs ahead
//! of the output, so memory is bounded by the pool, not the batch.

pub mod rate;
pub mod retry;

use std::collections::{BTreeMap, HashMap};
use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, mpsc};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::input::Input;
use crate::interrupt;
use crate::output::Sink;
use crate::record::{ErrorInfo, Record};
use crate::scan::{Context, scan_one};

/// How a batch ended.
#[derive(Debug, Default)]
pub struct Outcome {
    pub succeeded: usize,
    pub failed: usize,
    /// Failed files by reason: the service code, or the error class.
    pub failed_by: BTreeMap<String, usize>,
    /// Succeeded from the `--out-dir` store, without a request.
    pub skipped: usize,
    /// Files never sent because the batch stopped.
    pub not_attempted: usize,
    /// Retries spent in all.
    pub retries: u64,
    /// The stop-class error that ended the batch, if one did.
    pub stopped_by: Option<String>,
    /// Ctrl-C ended the batch.
    pub interrupted: bool,
    /// Every item key printed, for the `--fields` check.
    pub keys_seen: std::collections::HashSet<String>,
    pub elapsed: Duration,
}

/// How the batch runs and what it prints on stderr.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Worker threads (requests in flight).
    pub jobs: usize,
    /// Hand records to the sink as they finish.
    pub unordered: bool,
    /// No per-file errors, no summary, no progress bar.
    pub quiet: bool,
    /// Print each record's request log.
    pub verbose: bool,
}

/// Scans `inputs`. Each input gets exactly one record, passed to `sink`
/// once. A stop-class error or Ctrl-C stops dispatching: requests in flight
/// finish, the rest are recorded as not attempted. Fails only when writing
/// to the sink fails (e.g. a closed pipe); the workers are then stopped.
pub fn run(
    ctx: &Context,
    inputs: &[Input],
    opts: Options,
    sink: &mut dyn Sink,
) -> io::Result<Outcome> {
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let workers = opts.jobs.clamp(1, inputs.len().max(1));
    // Ordered output: workers may run this many inputs ahead of the output.
    let window = Window::new(if opts.unordered {
        usize::MAX
    } else {
        workers * 4
    });
    let bar = progress_bar(inputs.len(), opts);
    let mut outcome = Outcome::default();
    let cancelled = || stop.load(Ordering::SeqCst) || interrupt::interrupted();

    let written: io::Result<()> = std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<(usize, Record)>(workers * 2);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop, window, cancelled) = (&next, &stop, &window, &cancelled);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(input) = inputs.get(i) else { break };
                    window.wait_for(i);
                    let record = if stop.load(Ordering::SeqCst) {
                        not_attempted(input, "the batch stopped after a stop-class error")
                    } else if interrupt::interrupted() {
                        not_attempted(input, "interrupted")
                    } else {
                        scan_one(ctx, i, input, cancelled)
                    };
                    if record.error.as_ref().is_some_and(ErrorInfo::is_stop) {
                        stop.store(true, Ordering::SeqCst);
                    }
                    if tx.send((i, record)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);

        let mut pending: HashMap<usize, Record> = HashMap::new();
        let mut emitted = 0;
        for (i, record) in rx {
            let ready: Vec<Record> = if opts.unordered {
                vec![record]
            } else {
                pending.insert(i, record);
                let mut v = Vec::new();
                while let Some(r) = pending.remove(&(emitted + v.len())) {
                    v.push(r);
                }
                v
            };
            for record in ready {
                emitted += 1;
                window.advance(emitted);
                tally(&mut outcome, &record);
                if !opts.quiet {
                    bar.suspend(|| print_notes(&record, opts.verbose));
                }
                bar.set_message(format!(
                    "{} ok, {} failed",
                    outcome.succeeded, outcome.failed
                ));
                bar.inc(1);
                if let Err(e) = sink.record(&record) {
                    // Stop the workers; what they still send is dropped.
                    stop.store(true, Ordering::SeqCst);
                    next.store(inputs.len(), Ordering::SeqCst);
                    window.advance(usize::MAX / 2);
                    return Err(e);
                }
            }
        }
        Ok(())
    });
    bar.finish_and_clear();
    written?;
    sink.finish()?;
    outcome.interrupted = interrupt::interrupted();
    outcome.elapsed = started.elapsed();
    Ok(outcome)
}

/// How far ahead of the output the workers may run: input `i` may start
/// once fewer than `size` inputs before it are still unwritten.
struct Window {
    size: usize,
    emitted: Mutex<usize>,
    cv: Condvar,
}

impl Window {
    fn new(size: usize) -> Self {
        Window {
            size,
            emitted: Mutex::new(0),
            cv: Condvar::new(),
        }
    }

    fn wait_for(&self, i: usize) {
        let mut emitted = self.emitted.lock().unwrap_or_else(|e| e.into_inner());
        while i >= emitted.saturating_add(self.size) {
            emitted = self.cv.wait(emitted).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn advance(&self, emitted: usize) {
        *self.emitted.lock().unwrap_or_else(|e| e.into_inner()) = emitted;
        self.cv.notify_all();
    }
}

/// A record's notes on stderr: its request log (with `-v`), warnings and
/// error, each line prefixed with the file.
fn print_notes(record: &Record, verbose: bool) {
    let file = &record.file;
    if verbose {
        for line in &record.log {
            eprintln!("xocr: {file}: {line}");
        }
        if let Some(p) = &record.preprocess {
            eprintln!("xocr: {file}: preprocess: {p}");
        }
    }
    for w in &record.warnings {
        eprintln!("xocr: {file}: warning: {w}");
    }
    if let Some(line) = record.error_line() {
        if record
            .error
            .as_ref()
            .is_some_and(|e| e.class != ErrorInfo::NOT_ATTEMPTED)
            || verbose
        {
            eprintln!("xocr: {file}: {line}");
        }
    }
}

fn not_attempted(input: &Input, why: &str) -> Record {
    Record::failed(
        input.label.clone(),
        ErrorInfo {
            code: None,
            message: format!("not attempted: {why}"),
            class: ErrorInfo::NOT_ATTEMPTED,
            hint: None,
        },
    )
}

fn tally(outcome: &mut Outcome, record: &Record) {
    outcome.retries += u64::from(record.retries);
    for item in &record.items {
        if !outcome.keys_seen.contains(&item.key) {
            outcome.keys_seen.insert(item.key.clone());
        }
    }
    match &record.error {
        None => {
            outcome.succeeded += 1;
            if record.from_store {
                outcome.skipped += 1;
            }
        }
        Some(e) if e.class == ErrorInfo::NOT_ATTEMPTED => outcome.not_attempted += 1,
        Some(e) => {
            outcome.failed += 1;
            let reason = e
                .code
                .map_or_else(|| e.class.to_string(), |c| c.to_string());
            if e.is_stop() && outcome.stopped_by.is_none() {
                outcome.stopped_by = Some(e.message.clone());
            }
            *outcome.failed_by.entry(reason).or_default() += 1;
        }
    }
}

fn progress_bar(total: usize, opts: Options) -> ProgressBar {
    if opts.quiet || total < 2 || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
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
    bar
}

impl Outcome {
    /// The one summary line printed on stderr at the end, e.g.
    /// `5 files: 3 succeeded (1 already stored), 1 failed (40301: 1),
    /// 1 not attempted, 2 retries, 0.4 s`.
    pub fn summary(&self) -> String {
        let total = self.succeeded + self.failed + self.not_attempted;
        let mut s = format!(
            "{total} file{}: {} succeeded",
            if total == 1 { "" } else { "s" },
            self.succeeded
        );
        if self.skipped > 0 {
            s.push_str(&format!(" ({} already stored)", self.skipped));
        }
        s.push_str(&format!(", {} failed", self.failed));
        if !self.failed_by.is_empty() {
            let by: Vec<String> = self
                .failed_by
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect();
            s.push_str(&format!(" ({})", by.join(", ")));
        }
        if self.not_attempted > 0 {
            s.push_str(&format!(", {} not attempted", self.not_attempted));
        }
        s.push_str(&format!(
            ", {} retr{}, {:.1} s",
            self.retries,
            if self.retries == 1 { "y" } else { "ies" },
            self.elapsed.as_secs_f64()
        ));
        s
    }
}
