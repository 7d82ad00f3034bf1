//! The application edge: runs a parsed command line and turns its outcome
//! into an exit code. `scan` lives in [`crate::scan_cmd`]; the small
//! informational commands are here.

use std::fmt::Write as _;
use std::io::{self, Write};

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::exit::{ExitCode, usage};

/// Runs one command. Usage and configuration problems come back as errors
/// holding a [`crate::exit::UsageError`].
pub fn run(cli: Cli) -> Result<ExitCode> {
    let width = crate::term::stdout_width(|k| std::env::var(k).ok());
    let text = match cli.command {
        Command::Scan(args) => return crate::scan_cmd::run(&args, cli.color),
        Command::Codes { code } => codes(code, width.unwrap_or(CODES_WIDTH))?,
        Command::Types { name } => types(name.as_deref())?,
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "xocr", &mut script);
            String::from_utf8_lossy(&script).into_owned()
        }
        Command::Man { command } => {
            String::from_utf8_lossy(&man_page(command.as_deref())?).into_owned()
        }
    };
    write_stdout(text.as_bytes())?;
    Ok(ExitCode::Success)
}

/// The width `xocr codes` is fitted to when stdout's is unknown (a pipe),
/// columns.
pub const CODES_WIDTH: u16 = 100;

/// The manual page (roff) of xocr, or of its subcommand `command` (one of
/// [`crate::cli::MAN_COMMANDS`]), generated from the clap definitions with
/// clap_mangen: `xocr.1`, `xocr-scan.1`, … as committed in `man/`.
pub fn man_page(command: Option<&str>) -> Result<Vec<u8>> {
    let mut cmd = Cli::command().disable_help_subcommand(true);
    cmd.build();
    let page = match command {
        None => cmd,
        Some(name) => cmd
            .find_subcommand(name)
            .cloned()
            .ok_or_else(|| usage(format!("no manual page for {name:?}")))?,
    };
    let mut out = Vec::new();
    clap_mangen::Man::new(page).render(&mut out)?;
    Ok(out)
}

/// Writes `bytes` to stdout. A reader that went away (`| head`) is not an
/// error: there is nobody left to tell.
pub fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// `xocr types [NAME]`: each document type with its keys, and whether the
/// offline engine reads it. An unknown NAME is a usage error offering the
/// nearest known one and listing them all.
fn types(name: Option<&str>) -> Result<String> {
    use crate::engine::LOCAL_TYPES;
    use crate::fields::{catalog, find_doc_type};
    let names = || catalog().iter().map(|d| d.name);
    let types: Vec<_> = match name {
        None => catalog().iter().collect(),
        Some(n) => vec![find_doc_type(n).ok_or_else(|| {
            let offer = crate::suggest::nearest(n, names())
                .map(|k| format!("; did you mean {k}?"))
                .unwrap_or_default();
            usage(format!(
                "unknown document type {n:?}{offer}\nThe document types: {}",
                names().collect::<Vec<_>>().join(", ")
            ))
        })?],
    };
    let mut out = String::new();
    if name.is_none() {
        writeln!(
            out,
            "The service answers these types. The offline engine (--engine local) reads {}, and answers other for anything else or when unsure of the type (one item per text line).\n",
            LOCAL_TYPES
                .iter()
                .filter(|t| **t != "other")
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        )?;
    }
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let note = if t.keys_confirmed {
            ""
        } else {
            "  (keys inferred, not confirmed by a real reply)"
        };
        let offline = if LOCAL_TYPES.contains(&t.name) {
            "  [also offline: --engine local]"
        } else {
            ""
        };
        writeln!(out, "{}  {}{offline}{note}", t.name, t.description)?;
        let mut table = comfy_table::Table::new();
        table
            .load_preset(comfy_table::presets::NOTHING)
            .set_header(vec!["  key", "description"]);
        for (key, desc) in t.keys {
            table.add_row(vec![format!("  {key}"), desc.to_string()]);
        }
        for line in table.to_string().lines() {
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    Ok(out)
}

/// `xocr codes [CODE]`: the vendor's error codes with class and advice, in
/// a table `width` columns wide at most.
fn codes(code: Option<i64>, width: u16) -> Result<String> {
    use crate::engine::remote::codes::{CODES, lookup};
    let rows: Vec<_> = match code {
        None => CODES.iter().collect(),
        Some(200) => return Ok("200  success: the reply carries a result\n".into()),
        Some(c) => match lookup(c) {
            Some(info) => vec![info],
            None => {
                return Err(usage(format!(
                    "{c} is not in the vendor's table; xocr treats an unknown code as a failure of that file alone"
                )));
            }
        },
    };
    let mut table = crate::output::new_table(crate::output::Look {
        color: false,
        width: Some(width),
    });
    table.set_header(vec!["code", "message", "meaning", "class", "what to do"]);
    for c in rows {
        table.add_row(vec![
            c.code.to_string(),
            c.message.to_string(),
            c.meaning.to_string(),
            c.class.as_str().to_string(),
            c.action.to_string(),
        ]);
    }
    Ok(format!("{table}\n"))
}
