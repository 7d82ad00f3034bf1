//! Output formats. Each is a sink fed records one at a time, in output
//! order, by the one thread that owns stdout.

mod csv;
pub mod destination;
mod json;
pub mod report;
mod table;
pub mod tally;
mod xlsx;

pub use table::new_table;

use std::io::{self, Write};

use crate::cli::{CsvLayout, Format};
use crate::config::Output;
use crate::record::{Item, Record};

/// A consumer of records that writes one output format.
pub trait Sink {
    /// Writes one record and flushes it, so that a person watching or the
    /// next command in a pipe (`| head -1`) has it as soon as its file is
    /// done (the wide CSV alone holds its rows to the end: a later file may
    /// add a column). Called once per input, in output order.
    fn record(&mut self, record: &Record) -> io::Result<()>;
    /// Writes whatever closes the output (the JSON array's `]`, the wide
    /// CSV's buffered rows) and flushes.
    fn finish(&mut self) -> io::Result<()>;
}

/// How tables look where they are printed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Look {
    /// Colour: file names bold, failed checks red.
    pub color: bool,
    /// Columns a table may take; values wrap inside their cells to fit.
    /// `None`: no limit (a pipe or a file).
    pub width: Option<u16>,
}

/// Makes the sink for the chosen format, writing to `out`; with `--mask`,
/// records are masked before they reach it. `look` matters to tables only.
pub fn sink(settings: &Output, look: Look, out: Box<dyn Write + Send>) -> Box<dyn Sink + Send> {
    let cells = Cells {
        normalized: settings.normalized,
    };
    let inner: Box<dyn Sink + Send> = match settings.format {
        Format::Table => Box::new(table::TableSink::new(out, cells, look)),
        Format::Json => Box::new(json::JsonSink::array(out)),
        Format::Jsonl => Box::new(json::JsonSink::lines(out)),
        Format::Csv => {
            let csv = csv::Options {
                bom: settings.bom,
                raw: settings.csv_raw,
                annotated: settings.annotate.is_some(),
            };
            match settings.csv_layout {
                CsvLayout::Long => Box::new(csv::LongCsv::new(out, cells, csv)),
                CsvLayout::Wide => Box::new(csv::WideCsv::new(out, cells, csv)),
            }
        }
        Format::Xlsx => Box::new(xlsx::XlsxSink::new(
            out,
            cells,
            !settings.no_images,
            settings.annotate.is_some(),
        )),
    };
    if settings.mask {
        Box::new(Masked(inner))
    } else {
        inner
    }
}

/// Masks personal fields of each record, then passes it on.
struct Masked(Box<dyn Sink + Send>);

impl Sink for Masked {
    fn record(&mut self, record: &Record) -> io::Result<()> {
        self.0.record(&record.masked())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.0.finish()
    }
}

/// How table and CSV cells show a value.
#[derive(Debug, Clone, Copy)]
pub struct Cells {
    /// Show the normalised value where there is one.
    pub normalized: bool,
}

impl Cells {
    /// The text of an item's cell: its value (normalised with
    /// `--normalized`), or for a picture the saved path or a placeholder.
    pub fn value(&self, item: &Item) -> String {
        match (&item.picture, &item.normalized, &item.value) {
            (Some(p), _, _) => p
                .saved
                .clone()
                .unwrap_or_else(|| picture_placeholder(p.format, p.bytes)),
            (None, Some(n), _) if self.normalized => normalized_text(n),
            (None, _, Some(v)) => v.clone(),
            _ => String::new(),
        }
    }
}

/// A normalised value as cell text: strings as they are, periods as an
/// ISO 8601 interval (`2015-03-01/2035-03-01`, open end `2015-03-01/..`),
/// amounts as `<total> <currency>`, anything else as compact JSON.
pub fn normalized_text(v: &serde_json::Value) -> String {
    use serde_json::Value;
    match v {
        Value::String(s) => s.clone(),
        Value::Object(o) if o.contains_key("start") => {
            let part = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("..").to_string();
            format!("{}/{}", part("start"), part("end"))
        }
        Value::Object(o) if o.contains_key("total") => {
            let cur = o.get("currency").and_then(Value::as_str).unwrap_or("");
            format!("{} {cur}", o["total"]).trim_end().to_string()
        }
        other => other.to_string(),
    }
}

/// Failed check identifiers joined by `;`, for the CSV `checks_failed` column.
pub fn failed_checks_cell(record: &Record) -> String {
    record
        .failed_checks()
        .map(|c| c.check.as_str())
        .collect::<Vec<_>>()
        .join(";")
}

/// A short placeholder for a picture value in tables and CSV:
/// `[jpeg picture, 13 KB]`.
pub fn picture_placeholder(format: &str, bytes: usize) -> String {
    format!(
        "[{format} picture, {}]",
        crate::units::human_bytes(bytes as u64)
    )
}
