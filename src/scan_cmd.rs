//! `xocr scan`: resolve the settings, expand the inputs, build the shared
//! context, run the batch, report, and choose the exit code.

use std::io::{self, BufWriter, IsTerminal, Write};

use anyhow::{Context as _, Result};

use crate::api::Client;
use crate::batch::{self, rate::RateLimiter};
use crate::cli::ScanArgs;
use crate::config::{self, Engine, Settings};
use crate::exit::{ExitCode, usage};
use crate::images::PictureNamer;
use crate::input::{self, ExpandOptions, Input};
use crate::interrupt;
use crate::output;
use crate::scan::{Context, Reader};
use crate::store::Store;

/// Runs `xocr scan`. Usage and configuration problems come back as errors
/// holding a [`crate::exit::UsageError`].
pub fn run(args: &ScanArgs) -> Result<ExitCode> {
    let file = config::load_config(args.config.as_deref())?;
    let settings = config::resolve(args, &file, |k| std::env::var(k).ok())?;
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
    let inputs = match settings.batch.shard {
        Some((k, n)) => input::shard(inputs, k, n),
        None => inputs,
    };
    let ctx = context(&settings, &inputs)?;

    // Without a handler Ctrl-C still ends the process; only the graceful
    // finish is lost.
    if let Err(e) = interrupt::install() {
        if !settings.quiet {
            eprintln!("xocr: warning: Ctrl-C will not finish gracefully: {e}");
        }
    }
    let stdout: Box<dyn Write + Send> = Box::new(BufWriter::new(io::stdout()));
    let mut sink = output::sink(&settings.output, stdout);
    let opts = batch::Options {
        jobs: settings.batch.jobs,
        unordered: settings.batch.unordered,
        quiet: settings.quiet,
        verbose: settings.verbose,
    };
    let outcome = match batch::run(&ctx, &inputs, opts, sink.as_mut()) {
        Ok(o) => o,
        // The reader went away (`| head`): stop quietly, but do not claim
        // the batch was complete.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::BrokenPipe),
        Err(e) => return Err(anyhow::Error::new(e).context("cannot write the output")),
    };

    if !settings.quiet {
        if inputs.is_empty() {
            eprintln!("xocr: no input falls in this shard");
        } else if inputs.len() > 1 || outcome.failed > 0 || outcome.not_attempted > 0 {
            eprintln!("xocr: {}", outcome.summary());
        }
        if let Some(reason) = &outcome.stopped_by {
            eprintln!("xocr: stopped: {reason}");
        }
        let unseen: Vec<&str> = settings
            .output
            .fields
            .iter()
            .filter(|f| !outcome.keys_seen.contains(*f))
            .map(String::as_str)
            .collect();
        if !unseen.is_empty() && outcome.succeeded > 0 {
            eprintln!(
                "xocr: warning: --fields: no result had {} (`xocr types` lists the keys)",
                unseen.join(", ")
            );
        }
    }
    Ok(if outcome.interrupted {
        ExitCode::Interrupted
    } else if outcome.stopped_by.is_some() {
        ExitCode::Stopped
    } else if outcome.failed > 0 {
        ExitCode::SomeFailed
    } else {
        ExitCode::Success
    })
}

/// What every worker shares: the client and its connection pool, the rate
/// limit, the store, the picture namer.
fn context(settings: &Settings, inputs: &[Input]) -> Result<Context> {
    let jobs = settings.batch.jobs;
    let (reader, store_kind, preflight) = match &settings.engine {
        Engine::Remote(service) => (
            Reader::Remote(Client::new(service, jobs)),
            service.request_type.clone(),
            settings.preflight.clone(),
        ),
        Engine::Local { det_max_side } => {
            let (reader, kind) = local_reader(*det_max_side, jobs.min(inputs.len().max(1)))?;
            (reader, kind, local_preflight(&settings.preflight))
        }
    };
    let store = match &settings.batch.out_dir {
        Some(dir) => Some(Store::open(dir, &store_kind).map_err(|e| usage(format!("{e:#}")))?),
        None => None,
    };
    if let Some(dir) = &settings.output.save_images {
        crate::images::ensure_writable_dir(dir)
            .context("--save-images")
            .map_err(|e| usage(format!("{e:#}")))?;
    }
    let namer = settings.output.save_images.as_deref().map(|dir| {
        let labels: Vec<&str> = inputs.iter().map(|i| i.label.as_str()).collect();
        PictureNamer::new(dir, &labels)
    });
    Ok(Context {
        reader,
        preflight,
        fields: settings.output.fields.clone(),
        include_images: settings.output.include_images,
        namer,
        checks: settings.checks,
        limiter: RateLimiter::new(settings.batch.qps),
        retry: settings.batch.retry,
        store,
        force: settings.batch.force,
        mask_saved: settings.batch.mask_saved,
    })
}

/// Loads the offline recogniser once for all `workers`, and names what its
/// results are stored under in `--out-dir` (`local-r<revision>-d<size>`,
/// so a result read by another engine revision or at another detection
/// size is read again, not reused). With several workers each picture runs
/// on one thread; a lone worker uses up to 4 cores.
#[cfg(feature = "local")]
fn local_reader(det_max_side: u32, workers: usize) -> Result<(Reader, String)> {
    use crate::local::{EngineOptions, LocalEngine};
    let engine = LocalEngine::load(&EngineOptions {
        det_max_side,
        model_dir: None,
    })
    .map_err(|e| usage(format!("cannot load the offline recogniser: {e:#}")))?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut tuning = engine.tuning();
    tuning.threads = (cores / workers.max(1)).clamp(1, 4);
    let kind = format!("local-r{}-d{det_max_side}", crate::local::ENGINE_REVISION);
    Ok((Reader::Local(Box::new(engine.with_tuning(tuning))), kind))
}

#[cfg(not(feature = "local"))]
fn local_reader(_det_max_side: u32, _workers: usize) -> Result<(Reader, String)> {
    Err(usage(
        "this xocr was built without the offline recogniser (cargo feature `local`); use --engine remote",
    ))
}

/// The offline recogniser reads pictures in full: convert only what must
/// be (orientation, colour, format), keep the size up to the largest side
/// the service would take, and re-encode near-losslessly.
fn local_preflight(remote: &crate::preflight::Options) -> crate::preflight::Options {
    crate::preflight::Options {
        max_side: crate::preflight::SERVICE_MAX_SIDE,
        max_bytes: u64::MAX,
        jpeg_quality: 95,
        ..remote.clone()
    }
}
