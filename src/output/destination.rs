//! Where the output goes: stdout, or `--output FILE` written in full or
//! not at all ([`crate::fs::AtomicFile`]).

use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::Path;

use anyhow::Result;

use crate::cli::Format;
use crate::exit::usage;
use crate::fs::AtomicFile;

/// The output's destination, open.
pub enum Destination {
    /// Standard output.
    Stdout,
    /// `--output FILE`: a temporary file renamed over FILE by
    /// [`Destination::commit`].
    File(AtomicFile),
    /// `--output` naming something that is not a regular file (a FIFO,
    /// `/dev/stdout`): written to directly, since it cannot be replaced.
    Device(std::fs::File),
}

impl Destination {
    /// Opens where the output of `format` goes: `output` when given,
    /// else stdout. Fails with a usage error for a workbook on a terminal
    /// (`-o xlsx` without `--output`: binary data), and when `output`
    /// cannot be written (its folder missing or read-only, a folder).
    pub fn open(output: Option<&Path>, format: Format) -> Result<Self> {
        let Some(path) = output else {
            if format == Format::Xlsx && io::stdout().is_terminal() {
                return Err(usage(
                    "-o xlsx writes a workbook, not text for a terminal: give --output FILE (e.g. --output results.xlsx), or redirect stdout to a file",
                ));
            }
            return Ok(Destination::Stdout);
        };
        let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
        if special {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| usage(format!("--output {}: {e}", path.display())))?;
            return Ok(Destination::Device(file));
        }
        AtomicFile::create(path)
            .map(Destination::File)
            .map_err(|e| usage(format!("--output: {e:#}")))
    }

    /// A buffered writer to the destination; the sink flushes it after each
    /// record.
    pub fn writer(&self) -> Result<Box<dyn Write + Send>> {
        Ok(match self {
            Destination::Stdout => Box::new(BufWriter::new(io::stdout())),
            Destination::File(f) => Box::new(BufWriter::new(f.writer()?)),
            Destination::Device(f) => Box::new(BufWriter::new(f.try_clone()?)),
        })
    }

    /// Puts a complete `--output FILE` in place; nothing to do for the
    /// others. Call once the sink has finished without an error.
    pub fn commit(self) -> Result<()> {
        match self {
            Destination::File(f) => f.commit(),
            Destination::Stdout | Destination::Device(_) => Ok(()),
        }
    }
}
