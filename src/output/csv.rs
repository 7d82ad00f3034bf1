//! `-o csv`: RFC 4180 through the `csv` crate, long or wide layout, every
//! cell guarded against formula injection unless `--csv-raw`.

use std::borrow::Cow;
use std::collections::HashMap;
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

/// A cell as written: unless `raw`, a cell a spreadsheet would run as a
/// formula gets a single quote in front, as OWASP advises against CSV
/// injection. Guarded: a cell whose first character is `=`, `+`, `-`, `@`,
/// a tab or a carriage return, or whose first character after leading
/// white space is `=`, `+`, `-` or `@`; not a cell that is a plain number
/// (an optional sign, digits with an optional fraction, an optional
/// exponent: `-12.5`, `+86`, `1e5`), which a spreadsheet reads as the number
/// it is.
pub fn guard(cell: &str, raw: bool) -> Cow<'_, str> {
    let starts = |c: char| matches!(c, '=' | '+' | '-' | '@');
    let first = cell.chars().next();
    let after_blank = cell.trim_start().chars().next();
    let risky = first.is_some_and(|c| starts(c) || c == '\t' || c == '\r')
        || after_blank.is_some_and(starts);
    if raw || !risky || is_plain_number(cell) {
        Cow::Borrowed(cell)
    } else {
        Cow::Owned(format!("'{cell}"))
    }
}

/// `[+-]?(digits[.digits?]|.digits)([eE][+-]?digits)?`, nothing else.
fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let mut n = digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Writes one row, each cell through [`guard`].
fn write_row<S: AsRef<str>>(
    w: &mut csv::Writer<Box<dyn Write + Send>>,
    cells: &[S],
    raw: bool,
) -> io::Result<()> {
    w.write_record(cells.iter().map(|c| guard(c.as_ref(), raw).into_owned()))
        .map_err(io_err)
}

fn io_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// How the CSV is written.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Start with a UTF-8 byte-order mark (`--bom`).
    pub bom: bool,
    /// Cells as they are, without [`guard`] (`--csv-raw`).
    pub raw: bool,
    /// An `annotated` column last: the `--annotate` picture's path.
    pub annotated: bool,
}

/// One row per item: `file,type,key,description,value,error,checks_failed`
/// (and `annotated` with `--annotate`). A file with no items, or that
/// failed, still gets one row (empty key).
pub struct LongCsv {
    out: Option<Box<dyn Write + Send>>,
    bom: bool,
    cells: Cells,
    /// Cells as they are, without [`guard`].
    raw: bool,
    annotated: bool,
    w: Option<csv::Writer<Box<dyn Write + Send>>>,
}

impl LongCsv {
    pub fn new(out: Box<dyn Write + Send>, cells: Cells, o: Options) -> Self {
        LongCsv {
            out: Some(out),
            bom: o.bom,
            cells,
            raw: o.raw,
            annotated: o.annotated,
            w: None,
        }
    }

    fn writer(&mut self) -> io::Result<&mut csv::Writer<Box<dyn Write + Send>>> {
        if self.w.is_none() {
            let out = self.out.take().expect("writer is made once");
            let mut w = writer(out, self.bom)?;
            let mut header = vec![
                "file",
                "type",
                "key",
                "description",
                "value",
                "error",
                "checks_failed",
            ];
            if self.annotated {
                header.push("annotated");
            }
            w.write_record(header).map_err(io_err)?;
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
        let (cells, raw) = (self.cells, self.raw);
        let annotated = self
            .annotated
            .then(|| r.annotated.clone().unwrap_or_default());
        let w = self.writer()?;
        let mut row = |key: &str, description: &str, value: &str| {
            let mut row = vec![
                r.file.as_str(),
                &doc_type,
                key,
                description,
                value,
                &error,
                &checks,
            ];
            row.extend(annotated.as_deref());
            write_row(w, &row, raw)
        };
        if r.items.is_empty() {
            row("", "", "")?;
        }
        for item in &r.items {
            row(&item.key, &item.description, &cells.value(item))?;
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
    annotated: String,
}

/// One row per file: `file,type,<key>…,error,checks_failed` (and
/// `annotated` with `--annotate`), keys in first-seen order. Rows are
/// buffered until the end, since a later file may add a column.
pub struct WideCsv {
    out: Option<Box<dyn Write + Send>>,
    bom: bool,
    cells: Cells,
    /// Cells as they are, without [`guard`].
    raw: bool,
    annotated: bool,
    /// Column keys in first-seen order.
    keys: Vec<String>,
    /// Each key's index in `keys`: finding a key's column is one lookup,
    /// not a walk of every column seen so far (which made 50,000 distinct
    /// keys take seconds).
    columns: HashMap<String, usize>,
    rows: Vec<WideRow>,
}

impl WideCsv {
    pub fn new(out: Box<dyn Write + Send>, cells: Cells, o: Options) -> Self {
        WideCsv {
            out: Some(out),
            bom: o.bom,
            cells,
            raw: o.raw,
            annotated: o.annotated,
            keys: Vec::new(),
            columns: HashMap::new(),
            rows: Vec::new(),
        }
    }
}

impl Sink for WideCsv {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        let mut cells = Vec::with_capacity(r.items.len());
        for item in &r.items {
            let col = match self.columns.get(&item.key) {
                Some(&i) => i,
                None => {
                    self.keys.push(item.key.clone());
                    self.columns.insert(item.key.clone(), self.keys.len() - 1);
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
            annotated: r.annotated.clone().unwrap_or_default(),
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
        if self.annotated {
            header.push("annotated".into());
        }
        write_row(&mut w, &header, self.raw)?;
        let extra = usize::from(self.annotated);
        for r in self.rows.drain(..) {
            let mut row = vec![String::new(); self.keys.len() + 4 + extra];
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
            let n = row.len() - extra;
            row[n - 2] = r.error;
            row[n - 1] = r.checks_failed;
            if self.annotated {
                row[n] = r.annotated;
            }
            write_row(&mut w, &row, self.raw)?;
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_guarded_and_numbers_kept() {
        for (cell, want) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("\t=1", "'\t=1"),
            ("\rx", "'\rx"),
            ("  =1+1", "'  =1+1"),
            ("\n@x", "'\n@x"),
            ("+86 138 0013 8000", "'+86 138 0013 8000"),
            ("-", "'-"),
            ("-12.5", "-12.5"),
            ("+86", "+86"),
            ("1e5", "1e5"),
            ("-.5E-3", "-.5E-3"),
            ("张三", "张三"),
            ("a=b", "a=b"),
            ("", ""),
            ("  plain", "  plain"),
        ] {
            assert_eq!(guard(cell, false), want, "{cell:?}");
            assert_eq!(guard(cell, true), cell, "{cell:?}");
        }
        for not in ["1e", "+", ".", "1.2.3", "--1", "0x10", "1 2"] {
            assert!(!is_plain_number(not), "{not}");
        }
    }
}
