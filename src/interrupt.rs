//! Ctrl-C: the first stops dispatching (requests in flight finish and are
//! stored, the summary is printed, exit code 130); the second exits at once.
//! The progress bar is taken away for the notice, and cleared before an
//! exit at once.

use std::sync::atomic::{AtomicUsize, Ordering};

static PRESSES: AtomicUsize = AtomicUsize::new(0);

/// Installs the handler. Fails only when another handler is installed.
pub fn install() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| {
        if PRESSES.fetch_add(1, Ordering::SeqCst) >= 1 {
            crate::output::report::clear_bar_now();
            std::process::exit(crate::exit::ExitCode::Interrupted.code());
        }
        // Written from a thread of its own, so that the handler is free
        // for a second Ctrl-C even while the bar is busy.
        let _ = std::thread::Builder::new()
            .name("ctrl-c notice".into())
            .spawn(|| {
                // On a terminal, start a fresh line after the echoed ^C.
                crate::output::report::notice(
                    "interrupted: finishing the requests in flight (Ctrl-C again to quit now)",
                    std::io::IsTerminal::is_terminal(&std::io::stderr()),
                );
            });
    })
}

/// True once Ctrl-C was pressed.
pub fn interrupted() -> bool {
    PRESSES.load(Ordering::SeqCst) > 0
}
