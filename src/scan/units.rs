//! Inputs into units of work: a file, or one page of a file of pages (a
//! PDF, a multi-page TIFF), each becoming a record of its own.
//!
//! Why here, lazily, and not in `input::expand`: a file's page count needs
//! its bytes (a PDF must be parsed), and a batch of 10,000 files must not
//! be read up front. So [`Units`] walks the inputs as the batch pulls them
//! (the batch pulls only as far as its ordering window, a few units a
//! worker ahead of the output): each file's first bytes are looked at
//! (regular files only, without waiting, as the folder walk does); only a
//! PDF, or a TIFF whose directory chain holds more than one page, is read
//! and opened there, and then yields one unit per page, in page order, at
//! the file's place in the input order. Every other file is read by the
//! worker that scans it, as before. Pages of one file are read by
//! whichever workers are free, so a long PDF uses the whole pool, and the
//! ordering keeps them in order. `--shard` splits the inputs, that is the
//! files, before this.
//!
//! Memory: an open document (its bytes, for a PDF its parsed objects) is
//! shared by its pages' units and dropped with the last of them; documents
//! open at once are bounded by [`DOCUMENT_BYTES`] (a larger one is read
//! alone), and a page's picture is decoded only while it is scanned.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use crate::documents::{self, Document};
use crate::input::{self, Input, Source};
use crate::preflight::{self, Format};

/// Bytes of open documents held at once (about: a PDF counts twice its
/// size, for its parsed objects): twice the largest input.
pub const DOCUMENT_BYTES: u64 = 2 * input::MAX_INPUT_BYTES;

/// One unit of work: a whole file, or one page of one.
pub struct Unit<'a> {
    /// The file's number in the inputs (for picture names).
    pub file: usize,
    /// The file.
    pub input: &'a Input,
    /// How the unit is shown: the input's label, with `#pN` (1-based) for
    /// a page of a file of more than one page.
    pub label: String,
    /// The page number when the file has more than one page.
    pub page: Option<usize>,
    /// Where the unit's picture comes from.
    pub what: What,
}

/// Where a unit's picture comes from.
pub enum What {
    /// The file's bytes: read by the worker (`None`), or read already
    /// (standard input, which can be read once only).
    File(Option<Vec<u8>>),
    /// Page `n` (1-based) of an open document.
    Page(Arc<Open>, usize),
    /// The file cannot be read as pages: the reason, a per-file error.
    Failed(String),
}

/// A document in work, and its share of [`DOCUMENT_BYTES`].
pub struct Open {
    /// The document.
    pub document: Document,
    _held: Held,
}

/// The lazy walk over the inputs; see the module's documentation.
pub struct Units<'a> {
    inputs: std::iter::Enumerate<std::slice::Iter<'a, Input>>,
    current: Option<(usize, &'a Input, Arc<Open>, usize)>,
    budget: Arc<Budget>,
    stop: &'a (dyn Fn() -> bool + Sync),
    extra: &'a AtomicUsize,
}

impl<'a> Units<'a> {
    /// Units of `inputs`, in order. Once `stop` is true no more files are
    /// opened (their units are whole files, which the work then reports as
    /// not attempted). `extra` counts the units beyond one a file, as they
    /// are found (for the progress bar).
    pub fn new(
        inputs: &'a [Input],
        stop: &'a (dyn Fn() -> bool + Sync),
        extra: &'a AtomicUsize,
    ) -> Self {
        Units {
            inputs: inputs.iter().enumerate(),
            current: None,
            budget: Arc::new(Budget::new(DOCUMENT_BYTES)),
            stop,
            extra,
        }
    }

    fn whole(file: usize, input: &'a Input, what: What) -> Unit<'a> {
        Unit {
            file,
            input,
            label: input.label.clone(),
            page: None,
            what,
        }
    }

    /// The next page of the document being walked.
    fn next_page(&mut self) -> Option<Unit<'a>> {
        let (file, input, open, n) = self.current.take()?;
        let pages = open.document.pages();
        let unit = Unit {
            file,
            input,
            label: if pages > 1 {
                format!("{}#p{n}", input.label)
            } else {
                input.label.clone()
            },
            page: (pages > 1).then_some(n),
            what: What::Page(Arc::clone(&open), n),
        };
        if n < pages {
            self.current = Some((file, input, open, n + 1));
        }
        Some(unit)
    }

    /// The first unit of a file.
    fn open(&mut self, file: usize, input: &'a Input) -> Unit<'a> {
        let (format, bytes) = match &input.source {
            Source::Stdin => match input::read(input) {
                Ok(b) => (preflight::sniff(&b), Some(b)),
                Err(e) => return Self::whole(file, input, What::Failed(e.to_string())),
            },
            Source::Path(path) => {
                let Some(head) = input::peek(path, 1024) else {
                    return Self::whole(file, input, What::File(None));
                };
                (preflight::sniff(&head), None)
            }
        };
        let split = match (format, &input.source) {
            (Format::Pdf, _) => true,
            (Format::Tiff, Source::Path(path)) => std::fs::File::open(path)
                .map(std::io::BufReader::new)
                .is_ok_and(|f| documents::tiff_pages(f) > 1),
            (Format::Tiff, Source::Stdin) => bytes
                .as_deref()
                .is_some_and(|b| documents::tiff_pages(std::io::Cursor::new(b)) > 1),
            _ => false,
        };
        if !split {
            return Self::whole(file, input, What::File(bytes));
        }
        let size = match (&bytes, &input.source) {
            (Some(b), _) => b.len() as u64,
            (None, Source::Path(p)) => std::fs::metadata(p).map_or(0, |m| m.len()),
            (None, Source::Stdin) => 0,
        };
        let weight = if format == Format::Pdf {
            2 * size
        } else {
            size
        };
        let held = Budget::reserve(&self.budget, weight);
        let bytes = match bytes {
            Some(b) => b,
            None => match input::read(input) {
                Ok(b) => b,
                Err(e) => return Self::whole(file, input, What::Failed(e.to_string())),
            },
        };
        match Document::open(format, bytes) {
            Err(e) => Self::whole(file, input, What::Failed(e.to_string())),
            Ok(document) => {
                let pages = document.pages();
                self.extra.fetch_add(pages - 1, Ordering::SeqCst);
                let open = Arc::new(Open {
                    document,
                    _held: held,
                });
                self.current = Some((file, input, open, 1));
                self.next_page()
                    .unwrap_or_else(|| Self::whole(file, input, What::Failed("no pages".into())))
            }
        }
    }
}

impl<'a> Iterator for Units<'a> {
    type Item = Unit<'a>;

    fn next(&mut self) -> Option<Unit<'a>> {
        if let Some(unit) = self.next_page() {
            return Some(unit);
        }
        let (file, input) = self.inputs.next()?;
        if (self.stop)() {
            return Some(Self::whole(file, input, What::File(None)));
        }
        Some(self.open(file, input))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.inputs.len(), None)
    }
}

/// A bound on bytes held by open documents: a reservation waits until the
/// documents open now leave room for it (one larger than the whole bound
/// waits until nothing else is held, and is then held alone).
struct Budget {
    total: u64,
    used: Mutex<u64>,
    freed: Condvar,
}

/// Bytes reserved in a [`Budget`]; given back when dropped.
struct Held(Arc<Budget>, u64);

impl Budget {
    fn new(total: u64) -> Self {
        Budget {
            total: total.max(1),
            used: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    fn reserve(budget: &Arc<Budget>, bytes: u64) -> Held {
        let want = bytes.clamp(1, budget.total);
        let mut used = budget.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used > 0 && *used + want > budget.total {
            used = budget.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += want;
        Held(Arc::clone(budget), want)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut used = self.0.used.lock().unwrap_or_else(|e| e.into_inner());
        *used = used.saturating_sub(self.1);
        self.0.freed.notify_all();
    }
}
