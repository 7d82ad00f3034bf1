//! Output formats. Each is a sink fed records one at a time, in output
//! order, by the one thread that owns stdout.

mod csv;
mod json;
mod table;

use std::io::{self, Write};

use crate::cli::{CsvLayout, Format};
use crate::config::Output;
use crate::record::Record;

/// A consumer of records that writes one output format.
pub trait Sink {
    /// Writes one record. Called once per input, in output order.
    fn record(&mut self, record: &Record) -> io::Result<()>;
    /// Writes whatever closes the output (the JSON array's `]`, the wide
    /// CSV's buffered rows) and flushes.
    fn finish(&mut self) -> io::Result<()>;
}

/// Makes the sink for the chosen format, writing to `out`.
pub fn sink(settings: &Output, out: Box<dyn Write + Send>) -> Box<dyn Sink + Send> {
    match settings.format {
        Format::Table => Box::new(table::TableSink::new(out)),
        Format::Json => Box::new(json::JsonSink::array(out)),
        Format::Jsonl => Box::new(json::JsonSink::lines(out)),
        Format::Csv => match settings.csv_layout {
            CsvLayout::Long => Box::new(csv::LongCsv::new(out, settings.bom)),
            CsvLayout::Wide => Box::new(csv::WideCsv::new(out, settings.bom)),
        },
    }
}

/// A short placeholder for a picture value in tables and CSV:
/// `[jpeg picture, 12.3 KB]`.
pub fn picture_placeholder(format: &str, bytes: usize) -> String {
    format!("[{format} picture, {}]", human_bytes(bytes as u64))
}

/// Bytes as B, KB, MB (powers of 1000, one decimal).
pub fn human_bytes(n: u64) -> String {
    match n {
        0..=999 => format!("{n} B"),
        1_000..=999_999 => format!("{:.1} KB", n as f64 / 1e3),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}

/// The text shown for an item in a table or CSV cell: its value, or for a
/// picture the saved path or a placeholder.
fn cell_value(item: &crate::record::Item) -> String {
    match (&item.picture, &item.value) {
        (Some(p), _) => p
            .saved
            .clone()
            .unwrap_or_else(|| picture_placeholder(p.format, p.bytes)),
        (None, Some(v)) => v.clone(),
        (None, None) => String::new(),
    }
}
