//! `-o table`: a heading and an aligned table per file, for people. Widths
//! are measured in terminal columns, so Chinese text lines up.

use std::io::{self, Write};

use anstyle::Style;
use comfy_table::{presets, ContentArrangement, Table};

use super::{cell_value, Sink};
use crate::record::Record;

pub struct TableSink {
    out: anstream::AutoStream<Box<dyn Write + Send>>,
    count: usize,
}

impl TableSink {
    /// Styles are kept only when the output is a terminal and `NO_COLOR`
    /// is unset (anstream decides).
    pub fn new(out: Box<dyn Write + Send>) -> Self {
        TableSink {
            out: anstream::AutoStream::auto(out),
            count: 0,
        }
    }
}

impl Sink for TableSink {
    fn record(&mut self, r: &Record) -> io::Result<()> {
        // Failed files are reported on stderr; the table holds results.
        if !r.ok {
            return Ok(());
        }
        if self.count > 0 {
            writeln!(self.out)?;
        }
        self.count += 1;
        let bold = Style::new().bold();
        let doc_type = r.doc_type.as_deref().unwrap_or("");
        let desc = r
            .type_description
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        writeln!(
            self.out,
            "{bold}{}{bold:#}  {doc_type}{desc}  angle {}°",
            r.file,
            r.image_angle.unwrap_or(0)
        )?;
        if r.items.is_empty() {
            writeln!(self.out, "  (no fields recognised)")?;
            return Ok(());
        }
        let mut table = Table::new();
        table
            .load_preset(presets::UTF8_FULL_CONDENSED)
            .set_content_arrangement(ContentArrangement::Disabled)
            .set_header(vec!["description", "key", "value"]);
        for item in &r.items {
            table.add_row(vec![
                item.description.clone(),
                item.key.clone(),
                cell_value(item),
            ]);
        }
        writeln!(self.out, "{table}")?;
        Ok(())
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
