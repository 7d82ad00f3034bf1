//! One unit's pass (a file, or one page of a PDF or multi-page TIFF, see
//! [`units`]): read the picture → look in the result store → preflight →
//! the engine → the record (a pure function of the reading) → its pictures
//! saved. Every failure becomes a record naming the reason.

mod annotated;
mod build;
mod pictures;
mod stored;
pub mod units;

use std::time::Instant;

pub use build::{PictureBytes, RecordOptions, all_checks, build_record};
pub use units::{Unit, Units, What};

use crate::engine::{Attempt, Engine, Note};
use crate::images::PictureNamer;
use crate::input;
use crate::preflight;
use crate::record::{Class, ErrorInfo, Record, Thumbnail};
use crate::store::{Claim, Store};

/// What every input's pass shares, built once per run.
pub struct Context {
    /// Who reads the pictures.
    pub engine: Engine,
    /// Preflight as the engine needs it ([`Engine::preflight`]).
    pub preflight: preflight::Options,
    /// What a record keeps of a reading.
    pub record: RecordOptions,
    /// Set with `--save-images`.
    pub namer: Option<PictureNamer>,
    /// Set with `--annotate`: names the annotated pictures.
    pub annotator: Option<PictureNamer>,
    /// Portraits get thumbnails for the workbook's cells (`-o xlsx`
    /// without `--no-images`).
    pub thumbnails: bool,
    /// Set with `--out-dir`.
    pub store: Option<Store>,
    /// Read again even when a result is stored (`--force`).
    pub force: bool,
    /// Mask personal fields before storing (`--mask-saved`).
    pub mask_saved: bool,
}

/// Scans one unit (a file, or a page of one) and returns its record.
/// `cancelled` turns true when the batch stops (stop-class error, Ctrl-C):
/// no request or retry starts after that, and `None` says the unit was not
/// attempted (it was waiting for its turn to be sent). Never panics on bad
/// input.
pub fn scan_one(ctx: &Context, unit: &Unit, cancelled: &dyn Fn() -> bool) -> Option<Record> {
    let label = unit.label.as_str();
    let failed =
        |reason: String| Record::failed(label.to_string(), ErrorInfo::new(Class::Input, reason));
    let mut page_warnings = Vec::new();
    let bytes = match &unit.what {
        What::Failed(reason) => return Some(failed(reason.clone())),
        What::File(Some(bytes)) => bytes.clone(),
        What::File(None) => match input::read(unit.input) {
            Ok(b) => b,
            Err(e) => return Some(failed(e.to_string())),
        },
        What::Page(open, n) => match open.document.page(*n, &ctx.preflight) {
            Ok(page) => {
                page_warnings = page.warnings;
                page.bytes
            }
            Err(e) => return Some(failed(e.to_string())),
        },
    };
    let read_len = bytes.len();

    // A stored reading is reused; a picture another worker is reading
    // right now is waited for.
    let mut claim = None;
    if let Some(store) = &ctx.store {
        let key = Store::key(&bytes);
        let look = || if ctx.force { None } else { store.get(&key) };
        let mut stored = look();
        while stored.is_none() {
            match store.claim(&key) {
                // Another process may have stored it before our claim.
                Claim::Owner(guard) => {
                    stored = look();
                    if stored.is_none() {
                        claim = Some((store, key.clone(), guard));
                    }
                    break;
                }
                // Nothing stored when the one we waited for failed: then
                // this one claims the picture (and stores what it reads).
                Claim::Waited => stored = store.get(&key),
            }
        }
        if let Some(stored) = stored {
            let (mut record, pictures) = stored::reuse(ctx, label, (store, &key), stored);
            record.warnings.splice(0..0, page_warnings);
            let mut record = with_pictures(ctx, unit, record, pictures);
            if ctx.annotator.is_some() {
                // The picture as it was read when it was stored.
                match preflight::prepare(bytes, &ctx.preflight) {
                    Ok(sent) => with_annotation(ctx, unit, &mut record, &sent.bytes),
                    Err(e) => record.warnings.push(format!("not annotated: {e}")),
                }
            }
            return Some(record);
        }
    }

    let prepared = match preflight::prepare(bytes, &ctx.preflight) {
        Ok(p) => p,
        Err(e) => {
            let mut record = failed(e.to_string());
            record.warnings = page_warnings;
            return Some(record);
        }
    };
    let started = Instant::now();
    let Attempt {
        reading,
        retries,
        sent,
        mut log,
    } = ctx.engine.read(prepared, cancelled)?;
    let took = started.elapsed().as_millis();
    let cost = reading
        .as_ref()
        .ok()
        .and_then(|r| r.cost_time)
        .map(|ms| format!(" (service time {ms} ms)"))
        .unwrap_or_default();

    let mut not_stored = None;
    let mut record = match reading {
        Ok(reading) => {
            if let Some((store, key, _)) = &claim {
                not_stored = stored::put(ctx, store, key, label, reading.clone(), &sent);
            }
            let (record, pictures) = build_record(&ctx.record, label, reading, None);
            let mut record = with_pictures(ctx, unit, record, pictures);
            with_annotation(ctx, unit, &mut record, &sent.bytes);
            record
        }
        Err(failure) => Record::failed(label.to_string(), failure.into()),
    };
    drop(claim);
    record.preprocess = sent.preprocess;
    record.warnings.extend(page_warnings);
    record.warnings.extend(sent.warnings);
    record.warnings.extend(not_stored);
    log.push(Note::v(format!(
        "read {read_len} bytes, {} {} bytes, {} after {took} ms{cost}",
        ctx.engine.verb(),
        sent.bytes.len(),
        match &record.error {
            None => "success".to_string(),
            Some(e) => format!("failed ({})", e.message),
        }
    )));
    record.log = log;
    record.retries = retries;
    Some(record)
}

/// Writes the record's annotated picture with `--annotate`; `picture` is
/// what the engine read.
fn with_annotation(ctx: &Context, unit: &Unit, record: &mut Record, picture: &[u8]) {
    if let Some(namer) = &ctx.annotator {
        annotated::write(namer, (unit.file, unit.page), record, picture);
    }
}

/// Makes the portraits' thumbnails for a workbook, and saves the record's
/// pictures with `--save-images`.
fn with_pictures(
    ctx: &Context,
    unit: &Unit,
    mut record: Record,
    pictures: Vec<PictureBytes>,
) -> Record {
    if ctx.thumbnails {
        for p in pictures
            .iter()
            .filter(|p| p.item.is_some() && is_portrait(&p.key))
        {
            match crate::thumbnail::thumbnail(&p.bytes) {
                Ok(jpeg) => record.thumbnails.push(Thumbnail {
                    key: p.key.clone(),
                    jpeg,
                }),
                Err(e) => record
                    .warnings
                    .push(format!("{}: not embedded in the workbook: {e}", p.key)),
            }
        }
    }
    if let Some(namer) = &ctx.namer {
        pictures::save(namer, (unit.file, unit.page), &mut record, pictures);
    }
    record
}

/// True for a picture of a face: `head_portrait`, or any key ending in
/// `portrait`.
fn is_portrait(key: &str) -> bool {
    key.ends_with("portrait")
}
