//! The `xocr` command: parse the command line, run it, exit with its code.

use clap::Parser;
use xocr::{app, cli, exit, output::report, term};

fn main() {
    let cli = cli::Cli::parse();
    report::set_color(term::stream_color(cli.color, term::Stream::Stderr));
    let code = match app::run(cli) {
        Ok(code) => code,
        Err(e) => {
            report::error(format_args!("{e:#}"));
            if e.downcast_ref::<exit::UsageError>().is_some() {
                exit::ExitCode::Usage
            } else {
                exit::ExitCode::SomeFailed
            }
        }
    };
    std::process::exit(code.code());
}
