//! `-o csv`: RFC 4180 through the `csv` crate, long or wide layout.

use std::io::{self, Write};

use super::{Cells, Sink, failed_checks_cell};
use crate::record::Record;

const BOM: &[u8] = b"\xEF\xBB\xBF";

fn writer(
    mut out: Box<dyn Write + Send>,
    bom: bool,
) -> io::Result<csv::Writer<Box<dyn Write + Send>>> {
    if bom {
        out.write_all(BOM)?;
    }
    Ok(csv::WriterBuilder::new().flexible(false).from_writer(out))
}

fn io_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// One row per item: `file,type,key,description,value,error,checks_failed`.
/// A file with no items, or that failed, still gets one row (empty key).
pub struct LongCsv {
    out: Option<Box<dyn Write + Send>>,
    bom: bool,
    cells: Cells,
    w: Option<csv::Writer<Box<dyn Write + Send>>>,
}

impl LongCsv {
    pub fn new(out: Box<dyn Write + Send>, bom: bool, cells: Cells) -> Self {
        LongCsv {
            out: Some(out),
            bom,
            cells,
            w: None,
        }
    }

    fn writer(&mut self) -> io::Result<&mut csv::Writer<Box<dyn Write + Send>>> {
        if self.w.is_none() {
            let out = self.out.take().expect("writer is made once");
            let mut w = writer(out, self.bom)?;
            w.write_record([
                "file",
                "type",
                "key",
                "description",
                "value",
                "error",
                "checks_failed",
            ])
            .map_err(io_err)?;
            self.w = Some(w);
        }
        Ok(self.w.as_mut().expect("made above"))
    }
}

impl Sink for LongCsv {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        let doc_type = r.doc_type.clone().unwrap_or_default();
        let error = r.error_line().unwrap_or_default();
        let checks = failed_checks_cell(r);
        let cells = self.cells;
        let w = self.writer()?;
        if r.items.is_empty() {
            w.write_record([r.file.as_str(), &doc_type, "", "", "", &error, &checks])
                .map_err(io_err)?;
        }
        for item in &r.items {
            w.write_record([
                r.file.as_str(),
                &doc_type,
                &item.key,
                &item.description,
                &cells.value(item),
                &error,
                &checks,
            ])
            .map_err(io_err)?;
        }
        w.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.writer()?.flush()
    }
}

/// A buffered wide row.
struct WideRow {
    file: String,
    doc_type: String,
    /// (column index among the keys, cell text)
    cells: Vec<(usize, String)>,
    error: String,
    checks_failed: String,
}

/// One row per file: `file,type,<key>…,error,checks_failed`, keys in
/// first-seen order. Rows are buffered until the end, since a later file may
/// add a column.
pub struct WideCsv {
    out: Option<Box<dyn Write + Send>>,
    bom: bool,
    cells: Cells,
    keys: Vec<String>,
    rows: Vec<WideRow>,
}

impl WideCsv {
    pub fn new(out: Box<dyn Write + Send>, bom: bool, cells: Cells) -> Self {
        WideCsv {
            out: Some(out),
            bom,
            cells,
            keys: Vec::new(),
            rows: Vec::new(),
        }
    }
}

impl Sink for WideCsv {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        let mut cells = Vec::with_capacity(r.items.len());
        for item in &r.items {
            let col = match self.keys.iter().position(|k| *k == item.key) {
                Some(i) => i,
                None => {
                    self.keys.push(item.key.clone());
                    self.keys.len() - 1
                }
            };
            cells.push((col, self.cells.value(item)));
        }
        self.rows.push(WideRow {
            file: r.file.clone(),
            doc_type: r.doc_type.clone().unwrap_or_default(),
            cells,
            error: r.error_line().unwrap_or_default(),
            checks_failed: failed_checks_cell(r),
        });
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        let Some(out) = self.out.take() else {
            return Ok(());
        };
        let mut w = writer(out, self.bom)?;
        let mut header = vec!["file".to_string(), "type".to_string()];
        header.extend(self.keys.iter().cloned());
        header.push("error".into());
        header.push("checks_failed".into());
        w.write_record(&header).map_err(io_err)?;
        for r in self.rows.drain(..) {
            let mut row = vec![String::new(); self.keys.len() + 4];
            row[0] = r.file;
            row[1] = r.doc_type;
            for (col, value) in r.cells {
                // A key repeated within one file: join its values.
                let cell = &mut row[col + 2];
                if cell.is_empty() {
                    *cell = value;
                } else {
                    cell.push('\n');
                    cell.push_str(&value);
                }
            }
            let n = row.len();
            row[n - 2] = r.error;
            row[n - 1] = r.checks_failed;
            w.write_record(&row).map_err(io_err)?;
        }
        w.flush()
    }
}
