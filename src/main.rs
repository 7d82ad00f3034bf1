//! The `xocr` command: parse the command line, run it, exit with its code.

use clap::Parser;
use xocr::{app, cli, exit};

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
