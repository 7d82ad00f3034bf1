//! `xocr scan`: resolve the settings, expand the inputs, load the engine,
//! run the pass over every input on the pool, report, and choose the exit
//! code.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{Context as _, Result};

use crate::batch;
use crate::cli::{ColorWhen, Format, ScanArgs};
use crate::config::{self, EngineSettings, Settings};
use crate::engine::Engine;
use crate::engine::remote::Remote;
use crate::exit::{ExitCode, usage};
use crate::images::PictureNamer;
use crate::input::{self, ExpandOptions, Input};
use crate::interrupt;
use crate::output::{self, destination::Destination, report::Reporter, tally::Tally};
use crate::record::{Class, ErrorInfo, Record};
use crate::scan::{Context, RecordOptions, Unit, Units, scan_one};
use crate::store::Store;
use crate::term::{self, Stream};

/// Most inputs named one by one when the command cannot run (see
/// [`run`]); the rest are counted.
const MAX_UNREADABLE_SHOWN: usize = 20;

/// Runs `xocr scan`, colouring tables by `color` (`--color`). Usage and
/// configuration problems come back as errors holding a
/// [`crate::exit::UsageError`]. The inputs are expanded (standard input
/// read once, for `--files-from -`) before the settings are resolved, so
/// that a pattern that matches nothing is reported before the token is
/// asked for, and when the settings fail (no token, a bad value) the inputs
/// that cannot be read (missing files…) are named first: one run tells
/// every mistake.
pub fn run(args: &ScanArgs, color: ColorWhen) -> Result<ExitCode> {
    let mut reporter = Reporter::new(args.quiet, args.verbose);
    if args.format == Format::Xlsx && args.output.is_none() && io::stdout().is_terminal() {
        // Said before anything else is asked for (the token, the inputs).
        Destination::open(None, args.format)?;
    }
    let file = config::load_config(args.config.as_deref())?;
    let inputs = inputs(args)?;
    let settings = match config::resolve(args, &file, |k| std::env::var(k).ok()) {
        Ok(settings) => settings,
        Err(e) => {
            report_unreadable(&reporter, &inputs);
            return Err(e);
        }
    };
    let destination = Destination::open(settings.output.output.as_deref(), settings.output.format)?;
    let ctx = context(&settings, &inputs)?;

    // Without a handler Ctrl-C still ends the process; only the graceful
    // finish is lost.
    if let Err(e) = interrupt::install() {
        reporter.warn(format_args!("Ctrl-C will not finish gracefully: {e}"));
    }
    if inputs.is_empty() {
        reporter.say("no input falls in this shard");
    }
    let started = Instant::now();
    // Buffered, and flushed by the sink after each record: one write per
    // record, and nothing held back.
    let out = destination.writer()?;
    let look = match &destination {
        Destination::Stdout => output::Look {
            color: term::stream_color(color, Stream::Stdout),
            width: term::stdout_width(|k| std::env::var(k).ok()),
        },
        // A file: no colour unless --color always, no width.
        _ => output::Look {
            color: color == ColorWhen::Always,
            width: None,
        },
    };
    let mut sink = output::sink(&settings.output, look, out);
    let mut tally = Tally::default();
    let stopped = AtomicBool::new(false);
    let cancelled = || stopped.load(Ordering::SeqCst) || interrupt::interrupted();
    let work = |_: usize, unit: &Unit, stop_now: &dyn Fn() -> bool| {
        // Not begun, or stopped while it waited for its turn to be sent.
        let record = (!cancelled())
            .then(|| scan_one(&ctx, unit, stop_now))
            .flatten()
            .unwrap_or_else(|| {
                if stopped.load(Ordering::SeqCst) {
                    not_attempted(&unit.label, "the batch stopped after a stop-class error")
                } else {
                    not_attempted(&unit.label, "interrupted")
                }
            });
        if record.error.as_ref().is_some_and(ErrorInfo::is_stop) {
            stopped.store(true, Ordering::SeqCst);
        }
        record
    };
    reporter.start_progress(inputs.len());
    // Pages beyond one a file, as files of pages are opened.
    let extra_pages = AtomicUsize::new(0);
    let written = batch::run(
        Units::new(&inputs, &cancelled, &extra_pages),
        batch::Options {
            jobs: settings.batch.jobs,
            unordered: settings.batch.unordered,
        },
        &cancelled,
        &work,
        &mut |record: Record| {
            reporter.set_total(inputs.len() + extra_pages.load(Ordering::SeqCst));
            tally.add(&record);
            reporter.record(&record, &tally);
            reporter.suspend(|| sink.record(&record))
        },
    )
    .and_then(|()| sink.finish());
    drop(sink);
    reporter.finish_progress();
    match written {
        Ok(()) => destination.commit().context("cannot write the output")?,
        // The reader went away (`| head`): stop quietly, but do not claim
        // the batch was complete.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::BrokenPipe),
        Err(e) => return Err(anyhow::Error::new(e).context("cannot write the output")),
    }

    reporter.summary(
        inputs.len(),
        &tally,
        started.elapsed(),
        &settings.output.fields,
    );
    Ok(if interrupt::interrupted() {
        ExitCode::Interrupted
    } else if tally.stopped_by.is_some() {
        ExitCode::Stopped
    } else if tally.failed > 0 {
        ExitCode::SomeFailed
    } else {
        ExitCode::Success
    })
}

/// Names the inputs that cannot be read (missing, a folder without `-r`,
/// …), at most [`MAX_UNREADABLE_SHOWN`] of them, for a run that stops
/// before the batch.
fn report_unreadable(reporter: &Reporter, inputs: &[Input]) {
    let unreadable: Vec<_> = inputs
        .iter()
        .filter_map(|i| input::check(i).err().map(|e| (i, e)))
        .collect();
    for (input, e) in unreadable.iter().take(MAX_UNREADABLE_SHOWN) {
        reporter.input_error(&input.label, e);
    }
    if unreadable.len() > MAX_UNREADABLE_SHOWN {
        reporter.say(format_args!(
            "… and {} more inputs that cannot be read",
            unreadable.len() - MAX_UNREADABLE_SHOWN
        ));
    }
}

/// The inputs the arguments name, in order, de-duplicated, and only this
/// shard's with `--shard`. Fails with a usage error when they name no
/// picture, a pattern matches nothing, or stdin is wanted but is a
/// terminal.
fn inputs(args: &ScanArgs) -> Result<Vec<Input>> {
    let inputs = input::expand(
        &args.inputs,
        &ExpandOptions {
            recursive: args.recursive,
            files_from: args.files_from.as_deref(),
        },
        io::stdin().lock(),
    )?;
    if inputs.is_empty() {
        return Err(usage(
            "no input to scan: the arguments, folders and --files-from named no picture",
        ));
    }
    if inputs.iter().any(|i| i.source == input::Source::Stdin) && io::stdin().is_terminal() {
        return Err(usage(
            "standard input is a terminal: pipe a picture into `xocr scan -`, e.g. `xocr scan - < id.jpg`",
        ));
    }
    Ok(match args.shard {
        Some((k, n)) => input::shard(inputs, k, n),
        None => inputs,
    })
}

/// What every worker shares: the engine, the store, the picture namer.
fn context(settings: &Settings, inputs: &[Input]) -> Result<Context> {
    let engine = load_engine(settings, inputs.len())?;
    let store = match &settings.batch.out_dir {
        Some(dir) => {
            Some(Store::open(dir, engine.store_tag()).map_err(|e| usage(format!("{e:#}")))?)
        }
        None => None,
    };
    if let Some(dir) = &settings.output.save_images {
        crate::fs::prepare_output_dir(dir)
            .context("--save-images")
            .map_err(|e| usage(format!("{e:#}")))?;
    }
    if let Some(dir) = &settings.output.annotate {
        crate::fs::prepare_output_dir(dir)
            .context("--annotate")
            .map_err(|e| usage(format!("{e:#}")))?;
    }
    let labels: Vec<&str> = inputs.iter().map(|i| i.label.as_str()).collect();
    let namer = settings
        .output
        .save_images
        .as_deref()
        .map(|dir| PictureNamer::new(dir, &labels));
    let annotator = settings
        .output
        .annotate
        .as_deref()
        .map(|dir| PictureNamer::new(dir, &labels));
    Ok(Context {
        preflight: engine.preflight(&settings.preflight),
        record: RecordOptions {
            fields: settings.output.fields.clone(),
            include_images: settings.output.include_images,
            checks: settings.checks,
            engine: engine.local_name(),
        },
        engine,
        namer,
        annotator,
        thumbnails: settings.output.format == Format::Xlsx
            && !settings.output.no_images
            && !settings.output.mask,
        store,
        force: settings.batch.force,
        mask_saved: settings.batch.mask_saved,
    })
}

/// The engine the settings name, for `files` inputs: the service's client,
/// or the offline recogniser loaded once for all workers.
fn load_engine(settings: &Settings, files: usize) -> Result<Engine> {
    let jobs = settings.batch.jobs;
    match &settings.engine {
        EngineSettings::Remote(service) => Ok(Engine::Remote(Remote::new(
            service,
            jobs,
            settings.batch.qps,
            settings.batch.retry,
            &settings.preflight,
        ))),
        #[cfg(feature = "local")]
        EngineSettings::Local { det_max_side } => {
            let local = crate::engine::local::Local::load(*det_max_side, jobs.min(files.max(1)))
                .map_err(|e| usage(format!("cannot load the offline recogniser: {e:#}")))?;
            Ok(Engine::Local(Box::new(local)))
        }
        #[cfg(not(feature = "local"))]
        EngineSettings::Local { .. } => {
            let _ = files;
            Err(usage(
                "this xocr was built without the offline recogniser (cargo feature `local`); use --engine remote",
            ))
        }
    }
}

fn not_attempted(label: &str, why: &str) -> Record {
    Record::failed(
        label.to_string(),
        ErrorInfo::new(Class::NotAttempted, format!("not attempted: {why}")),
    )
}
