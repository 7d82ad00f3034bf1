//! The application edge: runs a parsed command line and turns its outcome
//! into an exit code.

use std::io::{self, Write};

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::{Cli, Command};
use crate::exit::{ExitCode, usage};

/// Runs one command. Usage and configuration problems come back as errors
/// holding a [`crate::exit::UsageError`].
pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => crate::scan_cmd::run(&args),
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
    use crate::api::codes::{CODES, lookup};
    let rows: Vec<_> = match code {
        None => CODES.iter().collect(),
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
    println!("{table}");
    Ok(ExitCode::Success)
}
