//! The `--out-dir` result store in one input's pass: a stored reading
//! reused instead of a request, and a fresh one stored (masked with
//! `--mask-saved`).

use super::Context;
use super::build::{all_checks, build_record};
use crate::engine::{Note, Reading};
use crate::preflight::Prepared;
use crate::record::Record;
use crate::store::{self, Store, Stored};

/// Stores a fresh `reading` of the unit shown as `label` under `key`, with what preflight did
/// to the picture (`sent`), masked with `--mask-saved`. A failure to store
/// comes back as a warning for the record.
pub fn put(
    ctx: &Context,
    store: &Store,
    key: &str,
    label: &str,
    mut reading: Reading,
    sent: &Prepared,
) -> Option<String> {
    let mut checks = None;
    if ctx.mask_saved {
        let mut c = all_checks(&ctx.record.checks, &reading);
        store::mask(&mut reading, &mut c);
        checks = Some(c);
    }
    let stored = Stored {
        sha256: String::new(),
        request_type: String::new(),
        file: label.to_string(),
        result: reading,
        preprocess: sent.preprocess.clone(),
        warnings: sent.warnings.clone(),
        masked: ctx.mask_saved,
        checks,
    };
    store
        .put(key, stored)
        .err()
        .map(|e| format!("result not stored: {e:#}"))
}

/// The record of a stored reading, and its pictures to save. With
/// `--mask-saved`, a reading stored unmasked by an earlier run is masked in
/// the store now (the record keeps the values, as a fresh run's does).
pub fn reuse(
    ctx: &Context,
    label: &str,
    (store, key): (&Store, &str),
    stored: Stored,
) -> (Record, Vec<super::build::PictureBytes>) {
    let masked_copy = (ctx.mask_saved && !stored.masked).then(|| {
        let mut result = stored.result.clone();
        let mut checks = all_checks(&ctx.record.checks, &result);
        store::mask(&mut result, &mut checks);
        Stored {
            sha256: String::new(),
            request_type: String::new(),
            file: stored.file.clone(),
            result,
            preprocess: stored.preprocess.clone(),
            warnings: stored.warnings.clone(),
            masked: true,
            checks: Some(checks),
        }
    });
    // A masked reading keeps the checks made on the values as read.
    let checks = if stored.masked { stored.checks } else { None };
    let (mut record, pictures) = build_record(&ctx.record, label, stored.result, checks);
    record.preprocess = stored.preprocess;
    record.warnings.extend(stored.warnings);
    record.from_store = true;
    record
        .log
        .push(Note::v("stored result reused, no request sent"));
    if let Some(copy) = masked_copy {
        match store.put(key, copy) {
            Ok(()) => record
                .log
                .push(Note::v("stored result masked now (--mask-saved)")),
            Err(e) => record
                .warnings
                .push(format!("stored result left unmasked: {e:#}")),
        }
    }
    (record, pictures)
}
