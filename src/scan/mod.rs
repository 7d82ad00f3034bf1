//! One input's pass: read the file → look in the result store → preflight
//! → the engine → the record (a pure function of the reading) → its
//! pictures saved. Every failure becomes a record naming the reason.

mod build;
mod pictures;
mod stored;

use std::time::Instant;

pub use build::{PictureBytes, RecordOptions, all_checks, build_record};

use crate::engine::{Attempt, Engine};
use crate::images::PictureNamer;
use crate::input::{self, Input};
use crate::preflight;
use crate::record::{Class, ErrorInfo, Record};
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
    /// Set with `--out-dir`.
    pub store: Option<Store>,
    /// Read again even when a result is stored (`--force`).
    pub force: bool,
    /// Mask personal fields before storing (`--mask-saved`).
    pub mask_saved: bool,
}

/// Scans input number `index` and returns its record. `cancelled` turns
/// true when the batch stops (stop-class error, Ctrl-C): no request or
/// retry starts after that, and `None` says the input was not attempted
/// (it was waiting for its turn to be sent). Never panics on bad input.
pub fn scan_one(
    ctx: &Context,
    index: usize,
    input: &Input,
    cancelled: &dyn Fn() -> bool,
) -> Option<Record> {
    let bytes = match input::read(input) {
        Ok(b) => b,
        Err(e) => {
            return Some(Record::failed(
                input.label.clone(),
                ErrorInfo::new(Class::Input, e.to_string()),
            ));
        }
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
            let (record, pictures) = stored::reuse(ctx, input, (store, &key), stored);
            return Some(with_pictures(ctx, index, record, pictures));
        }
    }

    let prepared = match preflight::prepare(bytes, &ctx.preflight) {
        Ok(p) => p,
        Err(e) => {
            return Some(Record::failed(
                input.label.clone(),
                ErrorInfo::new(Class::Input, e.to_string()),
            ));
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
                not_stored = stored::put(ctx, store, key, input, reading.clone(), &sent);
            }
            let (record, pictures) = build_record(&ctx.record, &input.label, reading, None);
            with_pictures(ctx, index, record, pictures)
        }
        Err(failure) => Record::failed(input.label.clone(), failure.into()),
    };
    drop(claim);
    record.preprocess = sent.preprocess;
    record.warnings.extend(sent.warnings);
    record.warnings.extend(not_stored);
    log.push(format!(
        "read {read_len} bytes, {} {} bytes, {} after {took} ms{cost}",
        ctx.engine.verb(),
        sent.bytes.len(),
        match &record.error {
            None => "success".to_string(),
            Some(e) => format!("failed ({})", e.message),
        }
    ));
    record.log = log;
    record.retries = retries;
    Some(record)
}

/// Saves the record's pictures with `--save-images`.
fn with_pictures(
    ctx: &Context,
    index: usize,
    mut record: Record,
    pictures: Vec<PictureBytes>,
) -> Record {
    if let Some(namer) = &ctx.namer {
        pictures::save(namer, index, &mut record, pictures);
    }
    record
}
