//! Runs the scan of many inputs on a small pool of worker threads and hands
//! the records, in input order, to the one sink that owns stdout.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::input::Input;
use crate::output::Sink;
use crate::record::{ErrorInfo, Record};
use crate::scan::{scan_one, Context};

/// How a batch ended.
#[derive(Debug, Default)]
pub struct Outcome {
    pub succeeded: usize,
    pub failed: usize,
    /// Failed files by reason: the service code, or the error class.
    pub failed_by: BTreeMap<String, usize>,
    /// Files never sent because a stop-class error ended the batch.
    pub not_attempted: usize,
    /// The stop-class error that ended the batch, if one did.
    pub stopped_by: Option<String>,
    pub elapsed: Duration,
}

/// What the batch prints on stderr.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// No per-file errors, no summary, no progress bar.
    pub quiet: bool,
    /// Print each record's request log.
    pub verbose: bool,
}

/// Scans `inputs` with `jobs` workers. Each input gets exactly one record,
/// passed to `sink` in input order. A stop-class error stops dispatching:
/// requests in flight finish, the rest are recorded as not attempted. Fails
/// only when writing to the sink fails (e.g. a closed pipe); the workers are
/// then stopped.
pub fn run(
    ctx: &Context,
    inputs: &[Input],
    jobs: usize,
    sink: &mut dyn Sink,
    report: Report,
) -> io::Result<Outcome> {
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let bar = progress_bar(inputs.len(), report);
    let mut outcome = Outcome::default();
    let workers = jobs.clamp(1, inputs.len().max(1));

    let written: io::Result<()> = std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<(usize, Record)>(workers * 2);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(input) = inputs.get(i) else { break };
                let record = if stop.load(Ordering::SeqCst) {
                    not_attempted(input)
                } else {
                    scan_one(ctx, i, input)
                };
                if record.error.as_ref().is_some_and(ErrorInfo::is_stop) {
                    stop.store(true, Ordering::SeqCst);
                }
                if tx.send((i, record)).is_err() {
                    break;
                }
            });
        }
        drop(tx);

        let mut pending: HashMap<usize, Record> = HashMap::new();
        let mut emit_at = 0;
        for (i, record) in rx {
            pending.insert(i, record);
            while let Some(record) = pending.remove(&emit_at) {
                emit_at += 1;
                tally(&mut outcome, &record);
                if !report.quiet {
                    bar.suspend(|| print_notes(&record, report.verbose));
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
                    return Err(e);
                }
            }
        }
        Ok(())
    });
    bar.finish_and_clear();
    written?;
    sink.finish()?;
    outcome.elapsed = started.elapsed();
    Ok(outcome)
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
        eprintln!("xocr: {file}: {line}");
    }
}

fn not_attempted(input: &Input) -> Record {
    Record::failed(
        input.label.clone(),
        ErrorInfo {
            code: None,
            message: "not attempted: the batch stopped after a stop-class error".into(),
            class: ErrorInfo::NOT_ATTEMPTED,
            hint: None,
        },
    )
}

fn tally(outcome: &mut Outcome, record: &Record) {
    match &record.error {
        None => outcome.succeeded += 1,
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

fn progress_bar(total: usize, report: Report) -> ProgressBar {
    if report.quiet || total < 2 || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} · {per_sec} · ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}

impl Outcome {
    /// The one summary line printed on stderr at the end, e.g.
    /// `3 files: 1 succeeded, 1 failed (40301: 1), 1 not attempted, 0.4 s`.
    pub fn summary(&self) -> String {
        let total = self.succeeded + self.failed + self.not_attempted;
        let mut s = format!(
            "{total} file{}: {} succeeded, {} failed",
            if total == 1 { "" } else { "s" },
            self.succeeded,
            self.failed
        );
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
        s.push_str(&format!(", {:.1} s", self.elapsed.as_secs_f64()));
        s
    }
}
