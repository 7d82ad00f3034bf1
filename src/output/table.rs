//! `-o table`: a heading and an aligned table per file, for people. Widths
//! are measured in terminal columns, so Chinese text lines up. Every text
//! from outside (file names, the service's types, keys, labels and values)
//! is printed through [`terminal_safe`]: its control characters, escape
//! sequences and bidirectional controls show as `\x1b`, `\u{202e}`…

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use comfy_table::{Cell, Color, ContentArrangement, Table, presets};

use super::{Cells, Look, Sink};
use crate::record::Record;
use crate::safe_text::terminal_safe;

/// `-o table`: a heading line and a table of items per successful file.
pub struct TableSink {
    out: Box<dyn Write + Send>,
    cells: Cells,
    look: Look,
    count: usize,
}

impl TableSink {
    /// Tables for `out`, coloured and fitted to a width as `look` says.
    pub fn new(out: Box<dyn Write + Send>, cells: Cells, look: Look) -> Self {
        TableSink {
            out,
            cells,
            look,
            count: 0,
        }
    }

    /// `style` around `text` when colour is on.
    fn styled(&self, style: Style, text: &str) -> String {
        if self.look.color {
            format!("{style}{text}{style:#}")
        } else {
            text.to_string()
        }
    }
}

/// A table in the preset every xocr table has, its width as `look` says:
/// with a width, columns shrink and their text wraps inside the cells
/// (measured in terminal columns: a Chinese character takes two); without
/// one, nothing is wrapped. comfy-table never asks the terminal itself.
pub fn new_table(look: Look) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_FULL_CONDENSED)
        .force_no_tty();
    if look.color {
        table.enforce_styling();
    }
    match look.width {
        Some(w) => table
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(w),
        None => table.set_content_arrangement(ContentArrangement::Disabled),
    };
    table
}

impl Sink for TableSink {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        self.write_record(r)?;
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

impl TableSink {
    fn write_record(&mut self, r: &Record) -> io::Result<()> {
        // Failed files are reported on stderr; the table holds results
        // (also those that --strict failed for a check).
        if r.doc_type.is_none() {
            return Ok(());
        }
        if self.count > 0 {
            writeln!(self.out)?;
        }
        self.count += 1;
        let doc_type = terminal_safe(r.doc_type.as_deref().unwrap_or(""));
        let desc = r
            .type_description
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| format!(" ({})", terminal_safe(d)))
            .unwrap_or_default();
        let file = self.styled(Style::new().bold(), &terminal_safe(&r.file));
        writeln!(
            self.out,
            "{file}  {doc_type}{desc}  angle {}°",
            r.image_angle.unwrap_or(0)
        )?;
        if let Some(path) = &r.annotated {
            writeln!(self.out, "  annotated: {}", terminal_safe(path))?;
        }
        if r.items.is_empty() {
            writeln!(self.out, "  (no fields recognised)")?;
            return Ok(());
        }
        let failed: Vec<_> = r.failed_checks().collect();
        let mut header = vec!["description", "key", "value"];
        if !failed.is_empty() {
            header.push("check");
        }
        let mut table = new_table(self.look);
        table.set_header(header);
        for item in &r.items {
            let mut row = vec![
                Cell::new(terminal_safe(&item.description)),
                Cell::new(terminal_safe(&item.key)),
                Cell::new(terminal_safe(&self.cells.value(item))),
            ];
            if !failed.is_empty() {
                let marks: Vec<String> = failed
                    .iter()
                    .filter(|c| c.field == item.key)
                    .map(|c| format!("✗ {}", terminal_safe(&c.check)))
                    .collect();
                row.push(Cell::new(marks.join(" ")).fg(Color::Red));
            }
            table.add_row(row);
        }
        writeln!(self.out, "{table}")?;
        let red = Style::new().fg_color(Some(AnsiColor::Red.into()));
        for c in &failed {
            let text = format!(
                "✗ {} ({}): {}",
                terminal_safe(&c.field),
                terminal_safe(&c.check),
                terminal_safe(&c.detail)
            );
            writeln!(self.out, "  {}", self.styled(red, &text))?;
        }
        Ok(())
    }
}
