//! xocr: read ID cards, bank cards, licences and other certificates from
//! pictures, and print their fields as a table, JSON or CSV.

mod api;
mod app;
mod batch;
mod cli;
mod config;
mod exit;
mod images;
mod input;
mod output;
mod preflight;
mod record;
mod scan;
mod secret;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let code = match app::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xocr: error: {e:#}");
            if e.downcast_ref::<exit::UsageError>().is_some() {
                exit::ExitCode::Usage
            } else {
                exit::ExitCode::SomeFailed
            }
        }
    };
    std::process::exit(code.code());
}
