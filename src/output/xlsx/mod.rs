//! `-o xlsx`: an Excel workbook for the person with the spreadsheet,
//! written with `rust_xlsxwriter`.
//!
//! Sheet `results`: a row per input (a page of a PDF or TIFF is an input of
//! its own, `scan.pdf#p2`) and a column per key, in the order keys were
//! first seen (the wide layout of `-o csv`), between `file`, `type`,
//! `status` in front and `checks_failed`, `error` (and `annotated` with
//! `--annotate`) behind. Two header rows: the key's Chinese description
//! and the key, both frozen, the filter on the second. Every value is a
//! text cell, so `110101199003071233` keeps its 18 digits and `12/30`
//! stays a card's expiry, not a date; with `--normalized` a normalised
//! date is a date cell (`yyyy-mm-dd`). A cell whose field failed a check is
//! filled red, with each failed check's detail in the cell's note. A
//! portrait is embedded in its cell ([`Worksheet::embed_image`]: it moves
//! with sorting and filtering) as a small JPEG ([`crate::thumbnail`])
//! unless `--no-images`; other pictures show their saved path
//! (`--save-images`) or a placeholder.
//!
//! Sheet `failed`: a row per input that failed: `file`, `class`, `code`,
//! `error`.
//!
//! Memory stays bounded whatever the number of inputs: rows are held
//! until the end (a later file may add a column) in a temporary file
//! ([`spool`]), portraits and failed inputs likewise; only the columns and
//! their widths are in memory. Both sheets are then written row by row in
//! `rust_xlsxwriter`'s constant-memory mode, and the portraits embedded
//! in the saved package ([`pictures`]), since the library holds embedded
//! pictures in memory and panics on one in a constant-memory sheet (the
//! unit test `the_library_still_panics_on_pictures_in_constant_memory`).

mod pictures;
mod spool;

use std::collections::{HashMap, HashSet};
use std::io::{self, Seek, SeekFrom, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};

use rust_xlsxwriter::{
    Color, ExcelDateTime, Format, FormatAlign, FormatBorder, Note, Workbook, Worksheet, XlsxError,
};
use serde::{Deserialize, Serialize};

use super::{Cells, Sink, failed_checks_cell};
use crate::record::{Item, Record};
use spool::{Pictures, Spool};

/// Rows a sheet holds (Excel's limit) less the two header rows.
const MAX_ROWS: usize = 1_048_576 - 2;
/// Key columns at most: Excel has 16,384 columns; the keys of a reply past
/// this many go together into one `other_items` column.
const MAX_KEY_COLUMNS: usize = 16_000;
/// Characters a cell holds (Excel's limit, in UTF-16 units); longer text
/// is cut, ending with `…`.
const MAX_CELL_CHARS: usize = 32_767;
/// Characters a note holds: the cell's limit less room for the author.
const MAX_NOTE_CHARS: usize = 32_767 - 54;
/// Widest column, in character widths.
const MAX_WIDTH: f64 = 60.0;
/// Height of a row with a portrait, points (96 px).
const PORTRAIT_ROW_HEIGHT: f64 = 72.0;
/// Width of a portrait column, character widths (about 96 px).
const PORTRAIT_WIDTH: f64 = 13.0;

/// The fixed columns before the keys: `(key, description)`.
const FRONT: [(&str, &str); 3] = [("file", "文件"), ("type", "类型"), ("status", "状态")];

/// A cell's value as written.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Value {
    Text(String),
    /// A normalised date (`--normalized`), days from 0001-01-01 (day 1,
    /// [`chrono::Datelike::num_days_from_ce`]).
    Date(i32),
}

/// One key's cell in a held row.
#[derive(Debug, Serialize, Deserialize)]
struct KeyCell {
    /// Index among the key columns.
    column: usize,
    value: Value,
    /// Details of the checks of this field that failed.
    failed: Vec<String>,
}

/// A record as held until the end.
#[derive(Debug, Serialize, Deserialize)]
struct Row {
    file: String,
    doc_type: String,
    status: String,
    cells: Vec<KeyCell>,
    /// (key column, picture number in [`Pictures`]) of each portrait
    /// embedded.
    portraits: Vec<(usize, u32)>,
    checks_failed: String,
    error: String,
    annotated: String,
}

/// A failed input, for the `failed` sheet.
#[derive(Debug, Serialize, Deserialize)]
struct Failed {
    file: String,
    class: String,
    code: String,
    error: String,
}

/// `-o xlsx`, written to `out` when the batch finishes.
pub struct XlsxSink {
    out: Option<Box<dyn Write + Send>>,
    cells: Cells,
    /// Portraits embedded (not `--no-images`).
    images: bool,
    /// An `annotated` column (`--annotate`).
    annotate: bool,
    /// Key columns in first-seen order, with the description each header
    /// shows.
    keys: Vec<(String, String)>,
    columns: HashMap<String, usize>,
    /// The `other_items` column is needed (more than [`MAX_KEY_COLUMNS`]
    /// keys).
    overflow: bool,
    /// The rows held, on disk (made with the first).
    rows: Option<Spool<Row>>,
    /// The portraits held, on disk (made with the first).
    pictures: Option<Pictures>,
    /// Key columns that hold a portrait in some row.
    portrait_columns: HashSet<usize>,
    /// Widths of `file`, `type`, `status`.
    front_widths: [f64; 3],
    /// Widths of the key columns (with `other_items`).
    key_widths: Vec<f64>,
    /// Widths of `checks_failed`, `error`, `annotated`.
    tail_widths: [f64; 3],
    /// The failed inputs held, on disk (made with the first).
    failed: Option<Spool<Failed>>,
    /// Widths of the `failed` sheet's columns.
    failed_widths: [f64; 4],
}

impl XlsxSink {
    /// A workbook for `out`: portraits embedded when `images`, an
    /// `annotated` column when `annotate`.
    pub fn new(out: Box<dyn Write + Send>, cells: Cells, images: bool, annotate: bool) -> Self {
        XlsxSink {
            out: Some(out),
            cells,
            images,
            annotate,
            keys: Vec::new(),
            columns: HashMap::new(),
            overflow: false,
            rows: None,
            pictures: None,
            portrait_columns: HashSet::new(),
            front_widths: [6.0; 3],
            key_widths: Vec::new(),
            tail_widths: [6.0; 3],
            failed: None,
            failed_widths: [6.0; 4],
        }
    }

    /// Widens key column `column` to fit `text`.
    fn fit_key(&mut self, column: usize, text: &str) {
        if self.key_widths.len() <= column {
            self.key_widths.resize(column + 1, 6.0);
        }
        fit_width(&mut self.key_widths[column], text);
    }

    /// The key column of `item` in a record of `doc_type`, made when new;
    /// `None` past [`MAX_KEY_COLUMNS`].
    fn column(&mut self, doc_type: &str, item: &Item) -> Option<usize> {
        if let Some(&c) = self.columns.get(&item.key) {
            if self.keys[c].1.is_empty() && !item.description.is_empty() {
                self.keys[c].1 = item.description.clone();
            }
            return Some(c);
        }
        if self.keys.len() >= MAX_KEY_COLUMNS {
            self.overflow = true;
            return None;
        }
        let description = if item.description.is_empty() {
            catalogue_description(doc_type, &item.key).unwrap_or_default()
        } else {
            item.description.clone()
        };
        self.keys.push((item.key.clone(), description));
        self.columns.insert(item.key.clone(), self.keys.len() - 1);
        Some(self.keys.len() - 1)
    }

    /// The value of `item`'s cell.
    fn value(&self, item: &Item) -> Value {
        if self.cells.normalized
            && item.picture.is_none()
            && let Some(serde_json::Value::String(n)) = &item.normalized
            && let Some(date) = iso_date(n)
        {
            use chrono::Datelike;
            return Value::Date(date.num_days_from_ce());
        }
        Value::Text(self.cells.value(item))
    }
}

/// The description the catalogue gives `key` in `doc_type`.
fn catalogue_description(doc_type: &str, key: &str) -> Option<String> {
    crate::fields::find_doc_type(doc_type)?
        .keys
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, d)| d.to_string())
}

/// `YYYY-MM-DD` as a date in the years a spreadsheet shows (1900-9999).
fn iso_date(s: &str) -> Option<chrono::NaiveDate> {
    use chrono::Datelike;
    if s.len() != 10 {
        return None;
    }
    let d = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    (1900..=9999).contains(&d.year()).then_some(d)
}

impl Sink for XlsxSink {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        let held = self.rows.as_ref().map_or(0, Spool::len);
        if held >= MAX_ROWS {
            return Err(io::Error::other(format!(
                "a workbook sheet holds at most {MAX_ROWS} rows: split the inputs (--shard) or use -o csv"
            )));
        }
        let doc_type = r.doc_type.clone().unwrap_or_default();
        let mut cells: Vec<KeyCell> = Vec::with_capacity(r.items.len());
        let mut other = Vec::new();
        for item in &r.items {
            let Some(column) = self.column(&doc_type, item) else {
                other.push(format!("{}: {}", item.key, self.cells.value(item)));
                continue;
            };
            let failed: Vec<String> = r
                .failed_checks()
                .filter(|c| c.field == item.key)
                .map(|c| format!("{}: {}", c.check, c.detail))
                .collect();
            let value = self.value(item);
            // A key repeated within one file: its values joined, as text.
            match cells.iter_mut().find(|c| c.column == column) {
                Some(cell) => {
                    let joined = format!("{}\n{}", text_of(&cell.value), text_of(&value));
                    cell.value = Value::Text(joined);
                }
                None => cells.push(KeyCell {
                    column,
                    value,
                    failed,
                }),
            }
        }
        if !other.is_empty() {
            let column = self.keys.len();
            cells.push(KeyCell {
                column,
                value: Value::Text(other.join("\n")),
                failed: Vec::new(),
            });
        }
        let mut portraits = Vec::new();
        if self.images && !r.thumbnails.is_empty() {
            if self.pictures.is_none() {
                self.pictures = Some(Pictures::new()?);
            }
            let pictures = self.pictures.as_mut().expect("made above");
            for t in &r.thumbnails {
                if let Some(&c) = self.columns.get(&t.key)
                    && !portraits.iter().any(|(p, _)| *p == c)
                {
                    let alt = fit(&t.key, 200);
                    portraits.push((c, pictures.push(&alt, &t.jpeg)?));
                    self.portrait_columns.insert(c);
                }
            }
        }
        for cell in &cells {
            match &cell.value {
                Value::Text(t) => self.fit_key(cell.column, t),
                Value::Date(_) => self.fit_key(cell.column, "0000-00-00"),
            }
        }
        fit_width(&mut self.front_widths[0], &r.file);
        fit_width(&mut self.front_widths[1], &doc_type);
        let checks_failed = failed_checks_cell(r);
        let error = r.error_line().unwrap_or_default();
        let annotated = r.annotated.clone().unwrap_or_default();
        fit_width(&mut self.tail_widths[0], &checks_failed);
        fit_width(&mut self.tail_widths[1], &error);
        fit_width(&mut self.tail_widths[2], &annotated);
        if let Some(e) = &r.error {
            let failed = Failed {
                file: r.file.clone(),
                class: e.class.as_str().to_string(),
                code: e.code.map(|c| c.to_string()).unwrap_or_default(),
                error: r.error_line().unwrap_or_default(),
            };
            for (w, s) in self.failed_widths.iter_mut().zip([
                &failed.file,
                &failed.class,
                &failed.code,
                &failed.error,
            ]) {
                fit_width(w, s);
            }
            if self.failed.is_none() {
                self.failed = Some(Spool::new()?);
            }
            self.failed.as_mut().expect("made above").push(&failed)?;
        }
        let row = Row {
            file: r.file.clone(),
            doc_type,
            status: if r.ok { "ok" } else { "failed" }.to_string(),
            cells,
            portraits,
            checks_failed,
            error,
            annotated,
        };
        if self.rows.is_none() {
            self.rows = Some(Spool::new()?);
        }
        self.rows.as_mut().expect("made above").push(&row)
    }

    fn finish(&mut self) -> io::Result<()> {
        let Some(mut out) = self.out.take() else {
            return Ok(());
        };
        let written = catch_unwind(AssertUnwindSafe(|| self.write(&mut out)));
        match written {
            Ok(Ok(())) => out.flush(),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(io::Error::other(
                "the workbook writer (rust_xlsxwriter) failed unexpectedly; -o csv writes the same rows",
            )),
        }
    }
}

fn text_of(v: &Value) -> String {
    match v {
        Value::Text(t) => t.clone(),
        Value::Date(d) => date_of(*d)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
    }
}

/// The date `days` from the common era's first day ([`Value::Date`]).
fn date_of(days: i32) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::from_num_days_from_ce_opt(days)
}

fn xlsx_err(e: XlsxError) -> io::Error {
    match e {
        XlsxError::IoError(e) => e,
        other => io::Error::other(format!("cannot write the workbook: {other}")),
    }
}

/// The formats of the workbook's cells.
struct Formats {
    header: Format,
    key_header: Format,
    text: Format,
    date: Format,
    bad: Format,
    bad_date: Format,
    portrait: Format,
}

impl Formats {
    fn new() -> Self {
        let text = Format::new().set_align(FormatAlign::Top);
        let bad = |f: Format| {
            f.set_background_color(Color::RGB(0xFFC7CE))
                .set_font_color(Color::RGB(0x9C0006))
        };
        let date = text.clone().set_num_format("yyyy-mm-dd");
        Formats {
            header: Format::new().set_bold(),
            key_header: Format::new()
                .set_font_color(Color::RGB(0x595959))
                .set_border_bottom(FormatBorder::Thin),
            bad: bad(text.clone()),
            portrait: Format::new()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            bad_date: bad(date.clone()),
            text,
            date,
        }
    }
}

/// Display width of `text` in a spreadsheet's character widths: the
/// longest line, a wide (CJK, full-width) character counting two.
fn display_width(text: &str) -> f64 {
    text.lines()
        .map(|l| {
            l.chars()
                .map(|c| if is_wide(c) { 2.0 } else { 1.0 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

/// East Asian wide and full-width characters (Unicode UAX #11, the
/// common blocks).
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6
        | 0x20000..=0x2FFFD | 0x30000..=0x3FFFD)
}

/// `text` cut to what a cell holds (`max` UTF-16 units), ending with `…`
/// when cut.
fn fit(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.len() <= max || text.encode_utf16().count() <= max {
        return text.into();
    }
    let mut units = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if units + c.len_utf16() > max - 1 {
            break;
        }
        units += c.len_utf16();
        end = i + c.len_utf8();
    }
    format!("{}…", &text[..end]).into()
}

/// Widens `width` (character widths) to fit `text`, up to [`MAX_WIDTH`].
fn fit_width(width: &mut f64, text: &str) {
    let w = (display_width(text) + 2.0).min(MAX_WIDTH);
    if w > *width {
        *width = w;
    }
}

/// Column widths: the widest cell or header of each, within bounds.
struct Widths(Vec<f64>);

impl Widths {
    fn fit(&mut self, col: usize, text: &str) {
        fit_width(&mut self.0[col], text);
    }
}

impl XlsxSink {
    /// The number of key columns (with `other_items`).
    fn key_columns(&self) -> usize {
        self.keys.len() + usize::from(self.overflow)
    }

    /// Headers of the `results` sheet: `(key, description)`.
    fn headers(&self) -> Vec<(String, String)> {
        let mut h: Vec<(String, String)> = FRONT
            .iter()
            .map(|(k, d)| (k.to_string(), d.to_string()))
            .collect();
        h.extend(self.keys.iter().cloned());
        if self.overflow {
            h.push(("other_items".into(), "其他字段".into()));
        }
        h.push(("checks_failed".into(), "未通过的校验".into()));
        h.push(("error".into(), "错误".into()));
        if self.annotate {
            h.push(("annotated".into(), "标注图片".into()));
        }
        h
    }

    /// Writes the workbook to `out`.
    fn write(&mut self, out: &mut Box<dyn Write + Send>) -> io::Result<()> {
        let rows = self.rows.take();
        let mut workbook = Workbook::new();
        let formats = Formats::new();
        let sheet = add_sheet(&mut workbook)?;
        self.write_results(sheet, &formats, rows)?;
        let sheet = add_sheet(&mut workbook)?;
        self.write_failed(sheet, &formats)?;
        let Some(pictures) = self.pictures.take().filter(|p| p.len() > 0) else {
            return workbook.save_to_writer(out).map_err(xlsx_err);
        };
        let mut saved = tempfile::tempfile()?;
        workbook.save_to_writer(&mut saved).map_err(xlsx_err)?;
        saved.seek(SeekFrom::Start(0))?;
        let columns: HashSet<u16> = self
            .portrait_columns
            .iter()
            .map(|c| (FRONT.len() + c) as u16)
            .collect();
        pictures::embed(saved, pictures, &columns, out)
    }

    fn write_results(
        &mut self,
        sheet: &mut Worksheet,
        f: &Formats,
        rows: Option<Spool<Row>>,
    ) -> io::Result<()> {
        sheet.set_name("results").map_err(xlsx_err)?;
        let headers = self.headers();
        let first_key = FRONT.len();
        let after_keys = first_key + self.key_columns();
        let mut widths = Widths(vec![6.0; headers.len()]);
        for (c, (key, description)) in headers.iter().enumerate() {
            widths.fit(c, key);
            widths.fit(c, description);
        }
        for (c, w) in self.front_widths.iter().enumerate() {
            widths.0[c] = widths.0[c].max(*w);
        }
        for (c, w) in self.key_widths.iter().enumerate() {
            widths.0[first_key + c] = widths.0[first_key + c].max(*w);
        }
        let tails = if self.annotate { 3 } else { 2 };
        for (c, w) in self.tail_widths.iter().take(tails).enumerate() {
            widths.0[after_keys + c] = widths.0[after_keys + c].max(*w);
        }
        for &c in &self.portrait_columns {
            widths.0[first_key + c] = widths.0[first_key + c].max(PORTRAIT_WIDTH);
        }
        let count = rows.as_ref().map_or(0, Spool::len);
        let rows = rows.map(Spool::drain).transpose()?.into_iter().flatten();
        self.write_rows(sheet, f, &headers, &widths, count, rows)
            .map_err(xlsx_err)
    }

    /// The header rows and then the `rows` (`count` of them) of the
    /// `results` sheet.
    fn write_rows(
        &self,
        sheet: &mut Worksheet,
        f: &Formats,
        headers: &[(String, String)],
        widths: &Widths,
        count: usize,
        rows: impl Iterator<Item = io::Result<Row>>,
    ) -> Result<(), XlsxError> {
        let first_key = FRONT.len();
        let after_keys = first_key + self.key_columns();
        for (c, w) in widths.0.iter().enumerate() {
            sheet.set_column_width(c as u16, *w)?;
        }
        // Row by row: a constant-memory sheet has flushed row 0 once row 1
        // is written, and drops later writes to it.
        for (c, (_, description)) in headers.iter().enumerate() {
            sheet.write_string_with_format(
                0,
                c as u16,
                fit(description, MAX_CELL_CHARS),
                &f.header,
            )?;
        }
        for (c, (key, _)) in headers.iter().enumerate() {
            sheet.write_string_with_format(1, c as u16, fit(key, MAX_CELL_CHARS), &f.key_header)?;
        }
        let last_col = (headers.len() - 1) as u16;
        let last_row = (count + 1) as u32;
        sheet.set_freeze_panes(2, 1)?;
        sheet.autofilter(1, 0, last_row, last_col)?;
        let text = |sheet: &mut Worksheet, row: u32, col: usize, s: &str| {
            if s.is_empty() {
                return Ok(());
            }
            sheet
                .write_string_with_format(row, col as u16, fit(s, MAX_CELL_CHARS), &f.text)
                .map(|_| ())
        };
        for (i, r) in rows.enumerate() {
            let r = r.map_err(XlsxError::IoError)?;
            let row = (i + 2) as u32;
            if !r.portraits.is_empty() {
                sheet.set_row_height(row, PORTRAIT_ROW_HEIGHT)?;
            }
            text(sheet, row, 0, &r.file)?;
            text(sheet, row, 1, &r.doc_type)?;
            text(sheet, row, 2, &r.status)?;
            for cell in &r.cells {
                let col = (first_key + cell.column) as u16;
                let bad = !cell.failed.is_empty();
                if let Some((_, n)) = r.portraits.iter().find(|(c, _)| *c == cell.column) {
                    // The picture's number, made its cell by pictures::embed.
                    sheet.write_number_with_format(row, col, f64::from(*n), &f.portrait)?;
                } else {
                    match &cell.value {
                        Value::Text(t) if t.is_empty() && !bad => {}
                        Value::Text(t) => {
                            let format = if bad { &f.bad } else { &f.text };
                            sheet.write_string_with_format(
                                row,
                                col,
                                fit(t, MAX_CELL_CHARS),
                                format,
                            )?;
                        }
                        Value::Date(days) => {
                            use chrono::Datelike;
                            let Some(d) = date_of(*days) else { continue };
                            let date = ExcelDateTime::from_ymd(
                                d.year() as u16,
                                d.month() as u8,
                                d.day() as u8,
                            )?;
                            let format = if bad { &f.bad_date } else { &f.date };
                            sheet.write_datetime_with_format(row, col, &date, format)?;
                        }
                    }
                }
                if bad {
                    let note = Note::new(fit(&cell.failed.join("\n"), MAX_NOTE_CHARS))
                        .set_author("xocr")
                        .add_author_prefix(false);
                    sheet.insert_note(row, col, &note)?;
                }
            }
            text(sheet, row, after_keys, &r.checks_failed)?;
            text(sheet, row, after_keys + 1, &r.error)?;
            if self.annotate {
                text(sheet, row, after_keys + 2, &r.annotated)?;
            }
        }
        Ok(())
    }

    fn write_failed(&mut self, sheet: &mut Worksheet, f: &Formats) -> io::Result<()> {
        let failed = self.failed.take();
        let count = failed.as_ref().map_or(0, Spool::len);
        let rows = failed.map(Spool::drain).transpose()?.into_iter().flatten();
        self.write_failed_rows(sheet, f, count, rows)
            .map_err(xlsx_err)
    }

    /// The header rows and then the `rows` (`count` of them) of the
    /// `failed` sheet.
    fn write_failed_rows(
        &self,
        sheet: &mut Worksheet,
        f: &Formats,
        count: usize,
        rows: impl Iterator<Item = io::Result<Failed>>,
    ) -> Result<(), XlsxError> {
        sheet.set_name("failed")?;
        let headers = [
            ("file", "文件"),
            ("class", "类别"),
            ("code", "错误码"),
            ("error", "错误"),
        ];
        let mut widths = Widths(self.failed_widths.to_vec());
        for (c, (k, d)) in headers.iter().enumerate() {
            widths.fit(c, k);
            widths.fit(c, d);
        }
        for (c, w) in widths.0.iter().enumerate() {
            sheet.set_column_width(c as u16, *w)?;
        }
        for (c, (_, d)) in headers.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *d, &f.header)?;
        }
        for (c, (k, _)) in headers.iter().enumerate() {
            sheet.write_string_with_format(1, c as u16, *k, &f.key_header)?;
        }
        sheet.set_freeze_panes(2, 1)?;
        sheet.autofilter(1, 0, (count + 1) as u32, 3)?;
        for (i, r) in rows.enumerate() {
            let r = r.map_err(XlsxError::IoError)?;
            let row = (i + 2) as u32;
            for (c, s) in [&r.file, &r.class, &r.code, &r.error].iter().enumerate() {
                if !s.is_empty() {
                    sheet.write_string_with_format(
                        row,
                        c as u16,
                        fit(s, MAX_CELL_CHARS),
                        &f.text,
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// A new sheet in constant memory (each row goes to a temporary file as it
/// is written).
fn add_sheet(workbook: &mut Workbook) -> io::Result<&mut Worksheet> {
    workbook
        .add_worksheet_with_constant_memory()
        .map_err(xlsx_err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_pixel(8, 8, image::Rgb([9, 99, 199]));
        let mut out = Vec::new();
        img.write_to(
            &mut std::io::Cursor::new(&mut out),
            image::ImageFormat::Jpeg,
        )
        .unwrap();
        out
    }

    /// Why portraits are embedded by [`pictures`] after the library has
    /// saved the workbook. Should this fail after an update of
    /// rust_xlsxwriter, the library takes pictures in constant memory now
    /// (check the workbook it writes, and whether it still holds every
    /// picture in memory until saved).
    #[test]
    fn the_library_still_panics_on_pictures_in_constant_memory() {
        let image = rust_xlsxwriter::Image::new_from_buffer(&jpeg()).unwrap();
        let outcome = catch_unwind(|| {
            let mut workbook = Workbook::new();
            let sheet = workbook.add_worksheet_with_constant_memory().unwrap();
            sheet.write_string(0, 0, "file").unwrap();
            sheet.write_string(1, 0, "a.jpg").unwrap();
            sheet.embed_image(1, 1, &image).unwrap();
            sheet.write_string(2, 0, "b.jpg").unwrap();
            workbook.save_to_buffer().map(|_| ())
        });
        // 0.102 panics writing the sheet: index out of bounds at
        // worksheet.rs:19426.
        assert!(
            outcome.is_err(),
            "a picture embedded in a constant-memory sheet no longer panics: {outcome:?}"
        );
    }

    #[test]
    fn widths_count_chinese_characters_twice() {
        assert_eq!(display_width("abc"), 3.0);
        assert_eq!(display_width("北京市朝阳区"), 12.0);
        assert_eq!(display_width("ab\n北京"), 4.0);
        assert_eq!(display_width("ＡＢ"), 4.0);
    }

    #[test]
    fn long_text_is_cut_to_what_a_cell_holds() {
        assert_eq!(fit("short", 10), "short");
        let long = "身".repeat(40_000);
        let cut = fit(&long, MAX_CELL_CHARS);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with('…'));
        // A character outside the BMP takes two units and is not split.
        let emoji = "😀".repeat(20_000);
        let cut = fit(&emoji, MAX_CELL_CHARS);
        assert!(cut.encode_utf16().count() <= MAX_CELL_CHARS);
    }

    #[test]
    fn only_real_dates_are_date_cells() {
        assert!(iso_date("1990-03-07").is_some());
        assert!(iso_date("1990-02-30").is_none());
        assert!(iso_date("12/30").is_none());
        assert!(iso_date("0001-01-01").is_none());
        assert!(iso_date("+1990-03-07").is_none());
    }
}
