//! What the terminal is: whether a stream gets colour, how wide a table may
//! be, whether stdout and stderr are the same terminal. Queries only:
//! nothing here writes.

use std::io::IsTerminal;

use crate::cli::ColorWhen;

/// One of the two output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    /// True when the stream is a terminal.
    pub fn is_terminal(self) -> bool {
        match self {
            Stream::Stdout => std::io::stdout().is_terminal(),
            Stream::Stderr => std::io::stderr().is_terminal(),
        }
    }
}

/// Whether to colour a stream, by `--color WHEN`: `always` and `never` as
/// they say; `auto` colours a terminal, unless `NO_COLOR` is set to
/// anything but the empty string (<https://no-color.org>) or `TERM` is
/// `dumb`, and `CLICOLOR_FORCE` set to anything but the empty string or `0`
/// colours whatever the stream is (still not with `NO_COLOR`). `env` looks
/// up an environment variable.
pub fn use_color(when: ColorWhen, is_terminal: bool, env: impl Fn(&str) -> Option<String>) -> bool {
    let set = |k: &str| env(k).is_some_and(|v| !v.is_empty());
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto if set("NO_COLOR") => false,
        ColorWhen::Auto
            if set("CLICOLOR_FORCE") && env("CLICOLOR_FORCE").as_deref() != Some("0") =>
        {
            true
        }
        ColorWhen::Auto => is_terminal && env("TERM").as_deref() != Some("dumb"),
    }
}

/// [`use_color`] for a real stream and the process's environment.
pub fn stream_color(when: ColorWhen, stream: Stream) -> bool {
    use_color(when, stream.is_terminal(), |k| std::env::var(k).ok())
}

/// Narrowest width tables are fitted to, columns: narrower asks are taken
/// as this.
pub const MIN_WIDTH: u16 = 20;

/// The width tables on stdout are fitted to, in columns: `COLUMNS` when it
/// is a number (at least [`MIN_WIDTH`] is used), else the size of the
/// terminal stdout is, else `None` (a pipe or a file: no limit).
pub fn stdout_width(env: impl Fn(&str) -> Option<String>) -> Option<u16> {
    if let Some(n) = env("COLUMNS").and_then(|c| c.trim().parse::<u32>().ok())
        && n > 0
    {
        return Some(u16::try_from(n).unwrap_or(u16::MAX).max(MIN_WIDTH));
    }
    terminal_size::terminal_size_of(std::io::stdout())
        .map(|(terminal_size::Width(w), _)| w)
        .filter(|&w| w > 0)
        .map(|w| w.max(MIN_WIDTH))
}

/// True when stdout and stderr are the same terminal, so that a progress
/// bar on stderr must be taken away while stdout is written. On Unix the
/// two are compared by device and inode; elsewhere both being terminals is
/// taken as the same one.
pub fn shared_terminal() -> bool {
    if !(Stream::Stdout.is_terminal() && Stream::Stderr.is_terminal()) {
        return false;
    }
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::MetadataExt;
        let id = |fd: std::os::fd::BorrowedFd<'_>| {
            let file = std::fs::File::from(fd.try_clone_to_owned().ok()?);
            let meta = file.metadata().ok()?;
            Some((meta.dev(), meta.ino(), meta.rdev()))
        };
        match (id(std::io::stdout().as_fd()), id(std::io::stderr().as_fd())) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }
    #[cfg(not(unix))]
    {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |k| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn auto_colours_a_terminal_without_no_color() {
        let auto = |tty, vars: &[(&str, &str)]| use_color(ColorWhen::Auto, tty, env(vars));
        assert!(auto(true, &[]));
        assert!(!auto(false, &[]));
        assert!(!auto(true, &[("NO_COLOR", "1")]));
        // An empty NO_COLOR is unset (no-color.org).
        assert!(auto(true, &[("NO_COLOR", "")]));
        assert!(!auto(true, &[("TERM", "dumb")]));
        assert!(auto(false, &[("CLICOLOR_FORCE", "1")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "0")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]));
        assert!(use_color(
            ColorWhen::Always,
            false,
            env(&[("NO_COLOR", "1")])
        ));
        assert!(!use_color(ColorWhen::Never, true, env(&[])));
    }

    #[test]
    fn columns_decides_the_width() {
        assert_eq!(stdout_width(env(&[("COLUMNS", "60")])), Some(60));
        assert_eq!(stdout_width(env(&[("COLUMNS", "5")])), Some(MIN_WIDTH));
        assert_eq!(
            stdout_width(env(&[("COLUMNS", "99999999")])),
            Some(u16::MAX)
        );
    }
}
