//! Pictures embedded in cells of a sheet written in constant memory.
//!
//! `rust_xlsxwriter` 0.102 holds every picture embedded in a workbook in
//! memory until it is saved, and panics when a picture is embedded in a
//! constant-memory sheet (the unit test
//! `the_library_still_panics_on_pictures_in_constant_memory`). So the sheet
//! is written in constant memory with each picture's cell holding its
//! number (1, 2, … in row order), and the saved package is then copied
//! entry by entry into the final one, with:
//!
//! - each such number cell of a picture column turned into the cell the
//!   library writes for an embedded picture,
//!   `<c r="E3" s="5" t="e" vm="3"><v>#VALUE!</v></c>`;
//! - the parts of an in-cell picture (Office Open XML rich data, as Excel
//!   365 writes them and as `rust_xlsxwriter` writes them in memory):
//!   `xl/metadata.xml`, `xl/richData/{rdrichvalue, rdrichvaluestructure,
//!   rdRichValueTypes, richValueRel}.xml`, `xl/richData/_rels/
//!   richValueRel.xml.rels` and `xl/media/imageN.jpeg`, streamed from the
//!   picture spool;
//! - their entries in `[Content_Types].xml` and `xl/_rels/workbook.xml.rels`.
//!
//! Memory: a buffer, whatever the number of pictures. The unit test
//! `parts_equal_the_librarys_own` checks every part against the workbook
//! the library writes in memory for the same pictures.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use super::spool::{PictureReader, Pictures};

/// The sheet the pictures are in (the first: `results`).
const SHEET: &str = "xl/worksheets/sheet1.xml";
const RICHDATA_NS: &str = "http://schemas.microsoft.com/office/spreadsheetml/2017/richdata";
const OFFICE_RELS: &str = "http://schemas.microsoft.com/office";
const DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n";

/// Copies the package `workbook` (as `rust_xlsxwriter` saved it) to `out`,
/// with the `pictures` embedded in the number cells of `columns` (0-based
/// column indices) of the first sheet. Fails when a part cannot be read or
/// written, or when the sheet's picture cells do not match the pictures in
/// number.
pub fn embed(
    workbook: File,
    pictures: Pictures,
    columns: &HashSet<u16>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let count = pictures.len();
    let mut archive = ZipArchive::new(workbook).map_err(zip_err)?;
    let mut package = tempfile::tempfile()?;
    let mut zip = ZipWriter::new(BufWriter::new(&mut package));
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(DateTime::default())
        .unix_permissions(0o600);
    let stored = deflated.compression_method(CompressionMethod::Stored);
    let mut cells = 0;
    for i in 0..archive.len() {
        let name = archive
            .by_index_raw(i)
            .map_err(zip_err)?
            .name()
            .map_err(zip_err)?
            .to_string();
        match name.as_str() {
            "[Content_Types].xml" | "xl/_rels/workbook.xml.rels" => {
                let mut text = String::new();
                archive
                    .by_index(i)
                    .map_err(zip_err)?
                    .read_to_string(&mut text)?;
                let text = if name.starts_with('[') {
                    content_types(&text)
                } else {
                    workbook_rels(&text)
                }?;
                zip.start_file(name, deflated).map_err(zip_err)?;
                zip.write_all(text.as_bytes())?;
            }
            "xl/metadata.xml" => {
                return Err(io::Error::other(
                    "the workbook already holds cell metadata: pictures cannot be added",
                ));
            }
            SHEET => {
                let entry = archive.by_index(i).map_err(zip_err)?;
                zip.start_file(name, deflated).map_err(zip_err)?;
                cells = mark_cells(entry, &mut zip, columns, count)?;
            }
            _ => zip
                .raw_copy_file(archive.by_index_raw(i).map_err(zip_err)?)
                .map_err(zip_err)?,
        }
    }
    if cells < count {
        return Err(io::Error::other(format!(
            "the sheet has {cells} picture cells for {count} pictures"
        )));
    }
    zip.start_file("xl/metadata.xml", deflated)
        .map_err(zip_err)?;
    metadata(&mut zip, count)?;
    zip.start_file("xl/richData/rdrichvalue.xml", deflated)
        .map_err(zip_err)?;
    let mut reader = pictures.reader()?;
    rich_values(&mut zip, &mut reader, count)?;
    zip.start_file("xl/richData/rdRichValueTypes.xml", deflated)
        .map_err(zip_err)?;
    zip.write_all(RICH_VALUE_TYPES.as_bytes())?;
    zip.start_file("xl/richData/rdrichvaluestructure.xml", deflated)
        .map_err(zip_err)?;
    write!(
        zip,
        "{DECLARATION}<rvStructures xmlns=\"{RICHDATA_NS}\" count=\"1\"><s t=\"_localImage\">\
         <k n=\"_rvRel:LocalImageIdentifier\" t=\"i\"/><k n=\"CalcOrigin\" t=\"i\"/>\
         <k n=\"Text\" t=\"s\"/></s></rvStructures>"
    )?;
    zip.start_file("xl/richData/richValueRel.xml", deflated)
        .map_err(zip_err)?;
    write!(
        zip,
        "{DECLARATION}<richValueRels xmlns=\"{OFFICE_RELS}/spreadsheetml/2022/richvaluerel\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    )?;
    for n in 1..=count {
        write!(zip, "<rel r:id=\"rId{n}\"/>")?;
    }
    zip.write_all(b"</richValueRels>")?;
    zip.start_file("xl/richData/_rels/richValueRel.xml.rels", deflated)
        .map_err(zip_err)?;
    write!(
        zip,
        "{DECLARATION}<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    )?;
    for n in 1..=count {
        write!(
            zip,
            "<Relationship Id=\"rId{n}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/image\" Target=\"../media/image{n}.jpeg\"/>"
        )?;
    }
    zip.write_all(b"</Relationships>")?;
    let mut reader = reader.restart()?;
    let mut n = 0;
    while let Some((_, jpeg)) = reader.next_picture()? {
        n += 1;
        zip.start_file(format!("xl/media/image{n}.jpeg"), stored)
            .map_err(zip_err)?;
        zip.write_all(&jpeg)?;
    }
    zip.finish().map_err(zip_err)?.flush()?;
    package.seek(SeekFrom::Start(0))?;
    io::copy(&mut package, out)?;
    Ok(())
}

fn zip_err(e: zip::result::ZipError) -> io::Error {
    match e {
        zip::result::ZipError::Io(e) => e,
        other => io::Error::other(format!("cannot rewrite the workbook: {other}")),
    }
}

/// `[Content_Types].xml` with the JPEG default and the overrides of the
/// rich-data parts. Fails when `text` is not a content-types part.
fn content_types(text: &str) -> io::Result<String> {
    let mut text = text.to_string();
    if !text.contains("Extension=\"jpeg\"") {
        let at = text
            .find("<Override ")
            .or_else(|| text.find("</Types>"))
            .ok_or_else(|| io::Error::other("no content types in the workbook"))?;
        text.insert_str(
            at,
            "<Default Extension=\"jpeg\" ContentType=\"image/jpeg\"/>",
        );
    }
    let overrides = [
        (
            "/xl/metadata.xml",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml",
        ),
        (
            "/xl/richData/rdRichValueTypes.xml",
            "application/vnd.ms-excel.rdrichvaluetypes+xml",
        ),
        (
            "/xl/richData/rdrichvalue.xml",
            "application/vnd.ms-excel.rdrichvalue+xml",
        ),
        (
            "/xl/richData/rdrichvaluestructure.xml",
            "application/vnd.ms-excel.rdrichvaluestructure+xml",
        ),
        (
            "/xl/richData/richValueRel.xml",
            "application/vnd.ms-excel.richvaluerel+xml",
        ),
    ];
    let added: String = overrides
        .iter()
        .map(|(part, kind)| format!("<Override PartName=\"{part}\" ContentType=\"{kind}\"/>"))
        .collect();
    let end = text
        .rfind("</Types>")
        .ok_or_else(|| io::Error::other("no content types in the workbook"))?;
    text.insert_str(end, &added);
    Ok(text)
}

/// `xl/_rels/workbook.xml.rels` with the relationships of the metadata and
/// rich-data parts, numbered after the highest `rIdN`.
fn workbook_rels(text: &str) -> io::Result<String> {
    let highest = text
        .match_indices("Id=\"rId")
        .filter_map(|(at, m)| {
            let digits: String = text[at + m.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse::<u32>().ok()
        })
        .max()
        .unwrap_or(0);
    let doc = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let rels = [
        (format!("{doc}/sheetMetadata"), "metadata.xml"),
        (
            format!("{OFFICE_RELS}/2022/10/relationships/richValueRel"),
            "richData/richValueRel.xml",
        ),
        (
            format!("{OFFICE_RELS}/2017/06/relationships/rdRichValue"),
            "richData/rdrichvalue.xml",
        ),
        (
            format!("{OFFICE_RELS}/2017/06/relationships/rdRichValueStructure"),
            "richData/rdrichvaluestructure.xml",
        ),
        (
            format!("{OFFICE_RELS}/2017/06/relationships/rdRichValueTypes"),
            "richData/rdRichValueTypes.xml",
        ),
    ];
    let added: String = rels
        .iter()
        .zip(highest + 1..)
        .map(|((kind, target), id)| {
            format!("<Relationship Id=\"rId{id}\" Type=\"{kind}\" Target=\"{target}\"/>")
        })
        .collect();
    let end = text
        .rfind("</Relationships>")
        .ok_or_else(|| io::Error::other("no relationships in the workbook"))?;
    let mut text = text.to_string();
    text.insert_str(end, &added);
    Ok(text)
}

/// `xl/metadata.xml` for `count` pictures: one rich-value block each.
fn metadata(w: &mut dyn Write, count: u32) -> io::Result<()> {
    write!(
        w,
        "{DECLARATION}<metadata xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" \
         xmlns:xlrd=\"{RICHDATA_NS}\"><metadataTypes count=\"1\"><metadataType name=\"XLRICHVALUE\" \
         minSupportedVersion=\"120000\" copy=\"1\" pasteAll=\"1\" pasteValues=\"1\" merge=\"1\" \
         splitFirst=\"1\" rowColShift=\"1\" clearFormats=\"1\" clearComments=\"1\" assign=\"1\" \
         coerce=\"1\"/></metadataTypes><futureMetadata name=\"XLRICHVALUE\" count=\"{count}\">"
    )?;
    for i in 0..count {
        write!(
            w,
            "<bk><extLst><ext uri=\"{{3e2802c4-a4d2-4d8b-9148-e3be6c30e623}}\"><xlrd:rvb i=\"{i}\"/></ext></extLst></bk>"
        )?;
    }
    write!(w, "</futureMetadata><valueMetadata count=\"{count}\">")?;
    for i in 0..count {
        write!(w, "<bk><rc t=\"1\" v=\"{i}\"/></bk>")?;
    }
    w.write_all(b"</valueMetadata></metadata>")
}

/// `xl/richData/rdrichvalue.xml`: for each picture its relationship index
/// (from 0), `5` (a picture placed in its cell) and its alternative text.
fn rich_values(w: &mut dyn Write, pictures: &mut PictureReader, count: u32) -> io::Result<()> {
    write!(
        w,
        "{DECLARATION}<rvData xmlns=\"{RICHDATA_NS}\" count=\"{count}\">"
    )?;
    let mut i = 0;
    while let Some((text, _)) = pictures.next_picture()? {
        write!(
            w,
            "<rv s=\"0\"><v>{i}</v><v>5</v><v>{}</v></rv>",
            escape(&text)
        )?;
        i += 1;
    }
    w.write_all(b"</rvData>")
}

/// `text` escaped for XML character data.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Copies the sheet XML from `sheet` to `out`, turning each number cell of
/// `columns` into an embedded-picture cell whose value metadata is that
/// number; returns how many were turned. Cells are found by the shape the
/// library writes them in: `<c r="E3" s="5"><v>3</v></c>` or without `s`.
/// Fails when a number is not a picture's (1..=`count`).
fn mark_cells(
    mut sheet: impl Read,
    out: &mut dyn Write,
    columns: &HashSet<u16>,
    count: u32,
) -> io::Result<u32> {
    const START: &[u8] = b"<c r=\"";
    /// Longer than any picture cell.
    const CELL_MAX: usize = 64;
    let mut buf: Vec<u8> = Vec::with_capacity(1 << 17);
    let mut chunk = vec![0u8; 1 << 16];
    let mut done = false;
    let mut turned = 0;
    loop {
        if !done {
            let n = sheet.read(&mut chunk)?;
            if n == 0 {
                done = true;
            } else {
                buf.extend_from_slice(&chunk[..n]);
            }
        }
        let mut at = 0;
        while let Some(found) = memchr::memmem::find(&buf[at..], START) {
            let start = at + found;
            if !done && buf.len() - start < CELL_MAX {
                break;
            }
            out.write_all(&buf[at..start])?;
            match picture_cell(&buf[start..], columns) {
                Some((_, _, n)) if n == 0 || n > count => {
                    return Err(io::Error::other(format!(
                        "a picture cell names picture {n} of {count}"
                    )));
                }
                Some((len, rewritten, _)) => {
                    out.write_all(rewritten.as_bytes())?;
                    turned += 1;
                    at = start + len;
                }
                None => {
                    out.write_all(START)?;
                    at = start + START.len();
                }
            }
        }
        // Keep a tail that may hold the start of a cell.
        let keep_from = if done {
            buf.len()
        } else {
            let tail = buf.len().saturating_sub(CELL_MAX).max(at);
            match memchr::memmem::find(&buf[tail..], START) {
                Some(f) => tail + f,
                None => buf.len().saturating_sub(START.len() - 1).max(at),
            }
        };
        out.write_all(&buf[at..keep_from])?;
        buf.drain(..keep_from);
        if done && buf.is_empty() {
            return Ok(turned);
        }
    }
}

/// The cell at the start of `xml` when it is a number cell of one of
/// `columns`: its length in bytes, the embedded-picture cell it becomes and
/// the picture's number.
fn picture_cell(xml: &[u8], columns: &HashSet<u16>) -> Option<(usize, String, u32)> {
    let text = std::str::from_utf8(&xml[..xml.len().min(64)])
        .or_else(|e| std::str::from_utf8(&xml[..e.valid_up_to()]))
        .ok()?;
    let rest = text.strip_prefix("<c r=\"")?;
    let letters = rest.bytes().take_while(u8::is_ascii_uppercase).count();
    let column = column_index(&rest[..letters])?;
    if !columns.contains(&column) {
        return None;
    }
    let quote = rest.find('"')?;
    let reference = &rest[..quote];
    let rest = &rest[quote + 1..];
    let (style, rest) = match rest.strip_prefix(" s=\"") {
        Some(s) => {
            let q = s.find('"')?;
            (Some(&s[..q]), &s[q + 1..])
        }
        None => (None, rest),
    };
    let rest = rest.strip_prefix("><v>")?;
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let number: u32 = rest[..digits].parse().ok()?;
    let after = rest[digits..].strip_prefix("</v></c>")?;
    let len = text.len() - after.len();
    let style = style.map(|s| format!(" s=\"{s}\"")).unwrap_or_default();
    Some((
        len,
        format!("<c r=\"{reference}\"{style} t=\"e\" vm=\"{number}\"><v>#VALUE!</v></c>"),
        number,
    ))
}

/// `A` → 0, `Z` → 25, `AA` → 26, … up to Excel's last column `XFD`.
fn column_index(letters: &str) -> Option<u16> {
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let n = letters
        .bytes()
        .fold(0u32, |n, b| n * 26 + u32::from(b - b'A' + 1));
    u16::try_from(n - 1).ok().filter(|&c| c < 16_384)
}

/// `xl/richData/rdRichValueTypes.xml`, the same for every workbook.
const RICH_VALUE_TYPES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n",
    "<rvTypesInfo xmlns=\"http://schemas.microsoft.com/office/spreadsheetml/2017/richdata2\" ",
    "xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" mc:Ignorable=\"x\" ",
    "xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><global><keyFlags>",
    "<key name=\"_Self\"><flag name=\"ExcludeFromFile\" value=\"1\"/><flag name=\"ExcludeFromCalcComparison\" value=\"1\"/></key>",
    "<key name=\"_DisplayString\"><flag name=\"ExcludeFromCalcComparison\" value=\"1\"/></key>",
    "<key name=\"_Flags\"><flag name=\"ExcludeFromCalcComparison\" value=\"1\"/></key>",
    "<key name=\"_Format\"><flag name=\"ExcludeFromCalcComparison\" value=\"1\"/></key>",
    "<key name=\"_SubLabel\"><flag name=\"ExcludeFromCalcComparison\" value=\"1\"/></key>",
    "<key name=\"_Attribution\"><flag name=\"ExcludeFromCalcComparison\" value=\"1\"/></key>",
    "<key name=\"_Icon\"><flag name=\"ExcludeFromCalcComparison\" value=\"1\"/></key>",
    "<key name=\"_Display\"><flag name=\"ExcludeFromCalcComparison\" value=\"1\"/></key>",
    "<key name=\"_CanonicalPropertyNames\"><flag name=\"ExcludeFromCalcComparison\" value=\"1\"/></key>",
    "<key name=\"_ClassificationId\"><flag name=\"ExcludeFromCalcComparison\" value=\"1\"/></key>",
    "</keyFlags></global></rvTypesInfo>"
);

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::{Format, Image, Workbook};

    fn jpeg(shade: u8) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(8, 8, image::Rgb([shade, 99, 199]));
        let mut out = Vec::new();
        img.write_to(&mut io::Cursor::new(&mut out), image::ImageFormat::Jpeg)
            .unwrap();
        out
    }

    fn parts(bytes: &[u8]) -> std::collections::BTreeMap<String, String> {
        let mut zip = ZipArchive::new(io::Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut data = Vec::new();
                f.read_to_end(&mut data).unwrap();
                (
                    f.name().unwrap().to_string(),
                    String::from_utf8_lossy(&data).into_owned(),
                )
            })
            .collect()
    }

    /// `(sorted elements, in order)` of a part, for parts whose order of
    /// entries does not matter.
    fn entries(xml: &str, tag: &str) -> Vec<String> {
        let mut v: Vec<String> = xml
            .split(&format!("<{tag} "))
            .skip(1)
            .map(|e| {
                e.split("/>")
                    .next()
                    .unwrap()
                    .replace(|c: char| c.is_ascii_digit(), "")
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn parts_equal_the_librarys_own() {
        let shots = [jpeg(10), jpeg(120), jpeg(250)];
        let centre = Format::new().set_align(rust_xlsxwriter::FormatAlign::Center);
        // The library's own, in memory.
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "file").unwrap();
        for (i, shot) in shots.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write_string(row, 0, format!("{i}.jpg")).unwrap();
            let image = Image::new_from_buffer(shot)
                .unwrap()
                .set_alt_text("head_portrait");
            sheet
                .embed_image_with_format(row, 2, &image, &centre)
                .unwrap();
        }
        let theirs = parts(&book.save_to_buffer().unwrap());
        // Ours: numbers in constant memory, then embedded.
        let mut book = Workbook::new();
        let sheet = book.add_worksheet_with_constant_memory().unwrap();
        sheet.write_string(0, 0, "file").unwrap();
        let mut pictures = Pictures::new().unwrap();
        for (i, shot) in shots.iter().enumerate() {
            let row = i as u32 + 1;
            sheet.write_string(row, 0, format!("{i}.jpg")).unwrap();
            let n = pictures.push("head_portrait", shot).unwrap();
            sheet
                .write_number_with_format(row, 2, f64::from(n), &centre)
                .unwrap();
        }
        let mut saved = tempfile::tempfile().unwrap();
        book.save_to_writer(&mut saved).unwrap();
        saved.seek(SeekFrom::Start(0)).unwrap();
        let mut out = Vec::new();
        embed(saved, pictures, &HashSet::from([2]), &mut out).unwrap();
        let ours = parts(&out);

        for part in [
            "xl/metadata.xml",
            "xl/richData/rdrichvalue.xml",
            "xl/richData/rdRichValueTypes.xml",
            "xl/richData/rdrichvaluestructure.xml",
            "xl/richData/richValueRel.xml",
            "xl/richData/_rels/richValueRel.xml.rels",
            "xl/media/image1.jpeg",
            "xl/media/image3.jpeg",
        ] {
            assert_eq!(ours.get(part), theirs.get(part), "{part}");
        }
        // Less sharedStrings: a constant-memory sheet writes its strings
        // inline.
        let without_sst = |v: Vec<String>| -> Vec<String> {
            v.into_iter()
                .filter(|e| !e.contains("sharedStrings"))
                .collect()
        };
        assert_eq!(
            without_sst(entries(&ours["[Content_Types].xml"], "Override")),
            without_sst(entries(&theirs["[Content_Types].xml"], "Override"))
        );
        assert_eq!(
            entries(&ours["[Content_Types].xml"], "Default"),
            entries(&theirs["[Content_Types].xml"], "Default")
        );
        assert_eq!(
            without_sst(entries(&ours["xl/_rels/workbook.xml.rels"], "Relationship")),
            without_sst(entries(
                &theirs["xl/_rels/workbook.xml.rels"],
                "Relationship"
            ))
        );
        // Each picture cell as the library writes it.
        let sheet = &ours[SHEET];
        for (n, row) in [(1, 2), (2, 3), (3, 4)] {
            let cell = format!("<c r=\"C{row}\" s=\"1\" t=\"e\" vm=\"{n}\"><v>#VALUE!</v></c>");
            assert!(sheet.contains(&cell), "{cell} in {sheet}");
            assert!(theirs[SHEET].contains(&cell), "{cell} in the library's");
        }
    }

    #[test]
    fn cells_are_found_across_reads_of_any_size() {
        let mut xml = String::from("<sheetData>");
        for row in 1..=2000 {
            xml.push_str(&format!(
                "<row r=\"{row}\"><c r=\"A{row}\" t=\"inlineStr\"><is><t>&lt;c r=\"B{row}\"</t></is></c><c r=\"B{row}\" s=\"4\"><v>{row}</v></c><c r=\"C{row}\"><v>7</v></c></row>"
            ));
        }
        xml.push_str("</sheetData>");
        /// Hands out `step` bytes a read.
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.1.min(self.0.len()).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut expected = String::from("<sheetData>");
        for row in 1..=2000 {
            expected.push_str(&format!(
                "<row r=\"{row}\"><c r=\"A{row}\" t=\"inlineStr\"><is><t>&lt;c r=\"B{row}\"</t></is></c><c r=\"B{row}\" s=\"4\" t=\"e\" vm=\"{row}\"><v>#VALUE!</v></c><c r=\"C{row}\"><v>7</v></c></row>"
            ));
        }
        expected.push_str("</sheetData>");
        // Column C is not a picture column; the text in A is untouched.
        for step in [1, 7, 63, 64, 65, 1 << 16] {
            let mut out = Vec::new();
            let columns = HashSet::from([1]);
            let n = mark_cells(Trickle(xml.as_bytes(), step), &mut out, &columns, 2000).unwrap();
            assert_eq!(n, 2000, "step {step}");
            assert!(String::from_utf8(out).unwrap() == expected, "step {step}");
        }
        // A number that is no picture's is refused.
        let err = mark_cells(xml.as_bytes(), &mut Vec::new(), &HashSet::from([1]), 1999);
        assert!(
            err.unwrap_err()
                .to_string()
                .contains("picture 2000 of 1999")
        );
    }

    #[test]
    fn columns_are_numbered_as_excel_does() {
        assert_eq!(column_index("A"), Some(0));
        assert_eq!(column_index("Z"), Some(25));
        assert_eq!(column_index("AA"), Some(26));
        assert_eq!(column_index("XFD"), Some(16_383));
        assert_eq!(column_index("XFE"), None);
        assert_eq!(column_index(""), None);
        assert_eq!(column_index("ABCD"), None);
    }
}
