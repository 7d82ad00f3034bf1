//! `-o table`: a heading and an aligned table per file, for people. Widths
//! are measured in terminal columns, so Chinese text lines up. Every text
//! from outside (file names, the service's types, keys, labels and values)
//! is printed through [`terminal_safe`]: its control characters, escape
//! sequences and bidirectional controls show as `\x1b`, `\u{202e}`…

use std::io::{self, Write};

use anstyle::Style;
use comfy_table::{ContentArrangement, Table, presets};

use super::{Cells, Sink};
use crate::record::Record;
use crate::safe_text::terminal_safe;

pub struct TableSink {
    out: anstream::AutoStream<Box<dyn Write + Send>>,
    cells: Cells,
    count: usize,
}

impl TableSink {
    /// Styles are kept only when the output is a terminal and `NO_COLOR`
    /// is unset (anstream decides).
    pub fn new(out: Box<dyn Write + Send>, cells: Cells) -> Self {
        TableSink {
            out: anstream::AutoStream::auto(out),
            cells,
            count: 0,
        }
    }
}

impl Sink for TableSink {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        // Failed files are reported on stderr; the table holds results
        // (also those that --strict failed for a check).
        if r.doc_type.is_none() {
            return Ok(());
        }
        if self.count > 0 {
            writeln!(self.out)?;
        }
        self.count += 1;
        let bold = Style::new().bold();
        let doc_type = terminal_safe(r.doc_type.as_deref().unwrap_or(""));
        let desc = r
            .type_description
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| format!(" ({})", terminal_safe(d)))
            .unwrap_or_default();
        writeln!(
            self.out,
            "{bold}{}{bold:#}  {doc_type}{desc}  angle {}°",
            terminal_safe(&r.file),
            r.image_angle.unwrap_or(0)
        )?;
        if r.items.is_empty() {
            writeln!(self.out, "  (no fields recognised)")?;
            return Ok(());
        }
        let failed: Vec<_> = r.failed_checks().collect();
        let mut header = vec!["description", "key", "value"];
        if !failed.is_empty() {
            header.push("check");
        }
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(header);
        for item in &r.items {
            let mut row = vec![
                terminal_safe(&item.description).into_owned(),
                terminal_safe(&item.key).into_owned(),
                terminal_safe(&self.cells.value(item)).into_owned(),
            ];
            if !failed.is_empty() {
                let marks: Vec<String> = failed
                    .iter()
                    .filter(|c| c.field == item.key)
                    .map(|c| format!("✗ {}", terminal_safe(&c.check)))
                    .collect();
                row.push(marks.join(" "));
            }
            table.add_row(row);
        }
        writeln!(self.out, "{table}")?;
        for c in &failed {
            writeln!(
                self.out,
                "  ✗ {} ({}): {}",
                terminal_safe(&c.field),
                terminal_safe(&c.check),
                terminal_safe(&c.detail)
            )?;
        }
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
