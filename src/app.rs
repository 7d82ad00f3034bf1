//! The application edge: runs a parsed command line and turns its outcome
//! into an exit code.

use std::io::{self, BufWriter, Write};

use anyhow::Result;
use clap::CommandFactory;

use crate::api::Client;
use crate::batch::{self, Report};
use crate::cli::{Cli, Command, ScanArgs};
use crate::config;
use crate::exit::{usage, ExitCode};
use crate::images::PictureNamer;
use crate::input::{self, ExpandOptions};
use crate::output;
use crate::preflight;
use crate::scan::Context;

/// Runs one command. Usage and configuration problems come back as errors
/// holding a [`crate::exit::UsageError`].
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan(&args),
        Command::Codes { code } => codes(code),
        Command::Types { name } => types(name.as_deref()),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "xocr", &mut io::stdout());
            Ok(ExitCode::Success)
        }
    }
}

fn types(name: Option<&str>) -> Result<ExitCode> {
    use crate::fields::{catalog, find_doc_type};
    let types: Vec<_> = match name {
        None => catalog().iter().collect(),
        Some(n) => vec![find_doc_type(n).ok_or_else(|| {
            let names: Vec<&str> = catalog().iter().map(|d| d.name).collect();
            usage(format!(
                "unknown document type {n:?}; known: {}",
                names.join(", ")
            ))
        })?],
    };
    let mut out = anstream::stdout();
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let note = if t.keys_confirmed {
            ""
        } else {
            "  (keys inferred, not confirmed by a real reply)"
        };
        writeln!(out, "{}  {}{note}", t.name, t.description)?;
        let mut table = comfy_table::Table::new();
        table
            .load_preset(comfy_table::presets::NOTHING)
            .set_header(vec!["  key", "description"]);
        for (key, desc) in t.keys {
            table.add_row(vec![format!("  {key}"), desc.to_string()]);
        }
        writeln!(out, "{table}")?;
    }
    Ok(ExitCode::Success)
}

fn codes(code: Option<i64>) -> Result<ExitCode> {
    use crate::api::codes::{lookup, CODES};
    let rows: Vec<_> = match code {
        None => CODES.iter().collect(),
        Some(c) => match lookup(c) {
            Some(info) => vec![info],
            None => {
                return Err(usage(format!(
                    "{c} is not in the vendor's table; xocr treats an unknown code as a failure of that file alone"
                )))
            }
        },
    };
    let mut table = comfy_table::Table::new();
    table
        .load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic)
        .set_header(vec!["code", "message", "meaning", "class", "what to do"]);
    for c in rows {
        table.add_row(vec![
            c.code.to_string(),
            c.message.to_string(),
            c.meaning.to_string(),
            c.class.as_str().to_string(),
            c.action.to_string(),
        ]);
    }
    println!("{table}");
    Ok(ExitCode::Success)
}

fn scan(args: &ScanArgs) -> Result<ExitCode> {
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
            "no input to scan: the arguments and --files-from named no file",
        ));
    }
    let namer = settings.output.save_images.as_deref().map(|dir| {
        let labels: Vec<&str> = inputs.iter().map(|i| i.label.as_str()).collect();
        PictureNamer::new(dir, &labels)
    });
    let ctx = Context {
        client: Client::new(&settings.service, settings.jobs),
        preflight: preflight::Options { convert: true },
        fields: settings.output.fields.clone(),
        include_images: settings.output.include_images,
        namer,
        checks: settings.checks,
    };
    let stdout: Box<dyn Write + Send> = Box::new(BufWriter::new(io::stdout()));
    let mut sink = output::sink(&settings.output, stdout);
    let report = Report {
        quiet: settings.quiet,
        verbose: settings.verbose,
    };
    let outcome = match batch::run(&ctx, &inputs, settings.jobs, sink.as_mut(), report) {
        Ok(o) => o,
        // The reader went away (`| head`): nothing more to say.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(ExitCode::Success),
        Err(e) => return Err(anyhow::Error::new(e).context("cannot write the output")),
    };
    if !settings.quiet && (inputs.len() > 1 || outcome.failed > 0 || outcome.not_attempted > 0) {
        eprintln!("xocr: {}", outcome.summary());
    }
    if let Some(reason) = &outcome.stopped_by {
        if !settings.quiet {
            eprintln!("xocr: stopped: {reason}");
        }
        return Ok(ExitCode::Stopped);
    }
    Ok(if outcome.failed > 0 {
        ExitCode::SomeFailed
    } else {
        ExitCode::Success
    })
}
