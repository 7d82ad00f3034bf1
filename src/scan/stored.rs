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
    let checks = ctx.mask_saved.then(|| mask(ctx, &mut reading));
    let stored = Stored::new(
        label.to_string(),
        reading,
        sent.preprocess.clone(),
        sent.warnings.clone(),
        checks,
    );
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
        let checks = mask(ctx, &mut result);
        Stored::new(
            stored.file.clone(),
            result,
            stored.preprocess.clone(),
            stored.warnings.clone(),
            Some(checks),
        )
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

/// Masks `reading` for the store (`--mask-saved`) and returns the checks
/// made on its values as read, their details masked too.
fn mask(ctx: &Context, reading: &mut Reading) -> Vec<crate::fields::Check> {
    let mut checks = all_checks(&ctx.record.checks, reading);
    store::mask(reading, &mut checks);
    checks
}
