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
    let text = match cli.command {
        Command::Scan(args) => return crate::scan_cmd::run(&args),
        Command::Codes { code } => codes(code)?,
        Command::Types { name } => types(name.as_deref())?,
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "xocr", &mut script);
            String::from_utf8_lossy(&script).into_owned()
        }
    };
    write_stdout(text.as_bytes())?;
    Ok(ExitCode::Success)
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

/// `xocr types [NAME]`: each document type with its keys.
fn types(name: Option<&str>) -> Result<String> {
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
    let mut out = String::new();
    for (i, t) in types.iter().enumerate() {
        if i > 0 {
            out.push('\n');
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
        for line in table.to_string().lines() {
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    Ok(out)
}

/// `xocr codes [CODE]`: the vendor's error codes with class and advice.
fn codes(code: Option<i64>) -> Result<String> {
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
    Ok(format!("{table}\n"))
}
