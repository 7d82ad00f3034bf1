//! `-o json` (one array, pretty) and `-o jsonl` (one compact object a line).

use std::io::{self, Write};

use super::Sink;
use crate::record::Record;

pub struct JsonSink {
    out: Box<dyn Write + Send>,
    lines: bool,
    count: usize,
}

impl JsonSink {
    /// One JSON array; `[` is written with the first record (or at finish),
    /// and each element is flushed as it is written.
    pub fn array(out: Box<dyn Write + Send>) -> Self {
        JsonSink {
            out,
            lines: false,
            count: 0,
        }
    }

    /// One object per line, flushed as each record arrives.
    pub fn lines(out: Box<dyn Write + Send>) -> Self {
        JsonSink {
            out,
            lines: true,
            count: 0,
        }
    }
}

impl Sink for JsonSink {
    fn record(&mut self, record: &Record) -> io::Result<()> {
        if self.lines {
            serde_json::to_writer(&mut self.out, record)?;
            self.out.write_all(b"\n")?;
            self.out.flush()?;
        } else {
            self.out
                .write_all(if self.count == 0 { b"[\n" } else { b",\n" })?;
            // Each element indented by two spaces, as a pretty array is.
            let pretty = serde_json::to_string_pretty(record)?;
            for (i, line) in pretty.lines().enumerate() {
                if i > 0 {
                    self.out.write_all(b"\n")?;
                }
                self.out.write_all(b"  ")?;
                self.out.write_all(line.as_bytes())?;
            }
            self.out.flush()?;
        }
        self.count += 1;
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        if !self.lines {
            self.out
                .write_all(if self.count == 0 { b"[]\n" } else { b"\n]\n" })?;
        }
        self.out.flush()
    }
}
