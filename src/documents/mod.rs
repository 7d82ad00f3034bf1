//! Files of several pages: PDF documents and multi-page TIFFs, opened once
//! and read page by page, each page becoming a picture of its own.
//!
//! Office scanners write PDFs holding one picture per page (a JPEG, a
//! Flate-compressed raster, a CCITT fax image) and multi-page TIFFs. xocr
//! reads every page as an input of its own, labelled `FILE#pN` (1-based)
//! when the file has more than one page: [`Document::page`] gives page `n`
//! as picture bytes (a JPEG, PNG or single-page TIFF) that then take the
//! same path as any picture file (store key, preflight, engine).
//!
//! What is held: a [`Document`] keeps the file's bytes (and, for a PDF,
//! its parsed objects) while its pages are in work; a page's picture is
//! decoded only when that page is read, and dropped after it, so a
//! 500-page PDF is never decoded whole. [`MAX_PAGES`] bounds the pages of
//! one file and preflight's pixel limit bounds each page's picture.

mod pdf;
mod tiff;

use crate::preflight::{self, Format};

pub use crate::preflight::MAX_PAGES;

/// A file of pages, opened: its bytes and where its pages are.
pub struct Document {
    kind: Kind,
    pages: usize,
}

enum Kind {
    Pdf(Box<pdf::Pdf>),
    Tiff(tiff::Tiff),
}

/// One page read as a picture.
#[derive(Debug)]
pub struct Page {
    /// The picture's bytes (JPEG, PNG or a single-page TIFF), the input of
    /// preflight and what the `--out-dir` store keys on.
    pub bytes: Vec<u8>,
    /// What the user should know, e.g. that a transparency mask was left out.
    pub warnings: Vec<String>,
}

/// Why a file of pages cannot be read at all: a per-file error. `Display`
/// is the user-facing reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DocumentError(pub String);

/// Why one page cannot be read: a per-page error naming the page.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PageError(pub String);

/// True for the formats whose files may hold several pages to split: PDF
/// and TIFF.
pub fn may_have_pages(format: Format) -> bool {
    matches!(format, Format::Pdf | Format::Tiff)
}

/// Counts the pages of the TIFF that `r` holds, reading only its
/// directories (not its pictures): 1 for a one-page TIFF, also when the
/// directory chain is damaged after the first (preflight names the damage);
/// reduced-resolution copies (thumbnails) are not pages. At most
/// [`MAX_PAGES`] + 1.
pub fn tiff_pages(r: impl std::io::Read + std::io::Seek) -> usize {
    tiff::page_offsets(r).map_or(1, |o| o.len().max(1))
}

impl Document {
    /// Opens `bytes` of a sniffed `format` ([`may_have_pages`]) as pages.
    /// Fails with a [`DocumentError`] for an encrypted, damaged or empty
    /// PDF, or one of more than [`MAX_PAGES`] pages. Never panics: the PDF
    /// parser runs under `catch_unwind`.
    pub fn open(format: Format, bytes: Vec<u8>) -> Result<Document, DocumentError> {
        match format {
            Format::Pdf => {
                let pdf = pdf::Pdf::open(&bytes)?;
                Ok(Document {
                    pages: pdf.pages(),
                    kind: Kind::Pdf(Box::new(pdf)),
                })
            }
            Format::Tiff => {
                let tiff = tiff::Tiff::open(bytes)?;
                Ok(Document {
                    pages: tiff.pages(),
                    kind: Kind::Tiff(tiff),
                })
            }
            other => Err(DocumentError(format!("{other} has no pages to split"))),
        }
    }

    /// Number of pages, at least 1.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Page `n` (1-based) as picture bytes. Its picture is checked against
    /// `opts.max_decode_pixels` before it is decoded. Fails with a
    /// [`PageError`] naming the page: no picture on it (a text or vector
    /// page), a picture coded in a way xocr cannot decode (JPEG 2000,
    /// JBIG2), damaged data. Never panics.
    pub fn page(&self, n: usize, opts: &preflight::Options) -> Result<Page, PageError> {
        let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match &self.kind {
            Kind::Pdf(pdf) => pdf.page(n, opts),
            Kind::Tiff(tiff) => tiff.page(n),
        }));
        read.unwrap_or_else(|_| {
            Err(PageError(format!(
                "page {n}: damaged page (the PDF reader gave up on it)"
            )))
        })
    }
}
