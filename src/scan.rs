//! One input's pass: read, preflight, recognise, turn the reply into a
//! record (writing its pictures when asked).

use std::time::Instant;

use crate::api::{ApiError, Client, OcrResult};
use crate::config::Checks;
use crate::fields::{self, FieldRef};
use crate::images::{self, PictureNamer};
use crate::input::{self, Input};
use crate::preflight;
use crate::record::{ErrorInfo, Item, Picture, Record};

/// What every input's pass shares.
pub struct Context {
    pub client: Client,
    pub preflight: preflight::Options,
    /// Keys to keep; empty keeps all.
    pub fields: Vec<String>,
    pub include_images: bool,
    /// Set with `--save-images`.
    pub namer: Option<PictureNamer>,
    pub checks: Checks,
}

/// Scans input number `index` and returns its record. Never panics on bad
/// input: every failure becomes a record with an error naming the reason.
pub fn scan_one(ctx: &Context, index: usize, input: &Input) -> Record {
    let bytes = match input::read(input, std::io::stdin().lock()) {
        Ok(b) => b,
        Err(e) => return input_error(input, e.to_string()),
    };
    let read_len = bytes.len();
    let prepared = match preflight::prepare(bytes, &ctx.preflight) {
        Ok(p) => p,
        Err(e) => return input_error(input, e.to_string()),
    };
    let started = Instant::now();
    let reply = ctx.client.recognize(&prepared.bytes);
    let took = started.elapsed().as_millis();
    let cost = reply
        .as_ref()
        .ok()
        .and_then(|r| r.cost_time)
        .map(|ms| format!(" (service time {ms} ms)"))
        .unwrap_or_default();
    let mut record = match reply {
        Ok(result) => build_record(ctx, index, input, result),
        Err(e) => Record::failed(input.label.clone(), api_error_info(&e)),
    };
    record.log.push(format!(
        "read {read_len} bytes, sent {} bytes, {} after {took} ms{cost}",
        prepared.bytes.len(),
        match &record.error {
            None => "success".to_string(),
            Some(e) => format!("failed ({})", e.message),
        }
    ));
    record.preprocess = prepared.preprocess;
    record.warnings = prepared.warnings;
    record
}

fn input_error(input: &Input, message: String) -> Record {
    Record::failed(
        input.label.clone(),
        ErrorInfo {
            code: None,
            message,
            class: ErrorInfo::INPUT,
            hint: None,
        },
    )
}

/// The record's view of a service or transport error.
pub fn api_error_info(e: &ApiError) -> ErrorInfo {
    ErrorInfo {
        code: e.code(),
        message: e.to_string(),
        class: e.class().as_str(),
        hint: e.action().map(str::to_string),
    }
}

fn build_record(ctx: &Context, index: usize, input: &Input, mut result: OcrResult) -> Record {
    let mut saved = Vec::new();
    let mut save_errors = Vec::new();
    let mut items = Vec::with_capacity(result.item_list.len());
    for wire in std::mem::take(&mut result.item_list) {
        let picture = images::decode_picture(&wire.value);
        let mut item = Item {
            key: wire.key,
            description: wire.description,
            value: None,
            normalized: None,
            position: wire.position,
            picture: None,
        };
        match picture {
            Some((bytes, format)) => {
                let mut pic = Picture {
                    format,
                    bytes: bytes.len(),
                    saved: None,
                };
                if let Some(namer) = &ctx.namer {
                    let path = namer.path(index, &item.key, format);
                    match images::write_atomic(&path, &bytes) {
                        Ok(()) => {
                            let p = path.to_string_lossy().into_owned();
                            saved.push(p.clone());
                            pic.saved = Some(p);
                        }
                        Err(e) => save_errors.push(format!("{e:#}")),
                    }
                }
                if ctx.include_images {
                    item.value = Some(wire.value);
                }
                item.picture = Some(pic);
            }
            None => {
                item.normalized = fields::normalize(&result.doc_type, &item.key, &wire.value);
                item.value = Some(wire.value);
            }
        }
        items.push(item);
    }
    // Checks see every field, also those --fields leaves out.
    let refs: Vec<FieldRef> = items
        .iter()
        .filter(|i| i.picture.is_none())
        .map(|i| FieldRef::new(&i.key, i.value.as_deref().unwrap_or("")))
        .collect();
    let checks = fields::run_checks(&result.doc_type, &refs, ctx.checks.as_of);
    drop(refs);
    if !ctx.fields.is_empty() {
        items.retain(|i| ctx.fields.contains(&i.key));
    }
    let mut record = Record {
        file: input.label.clone(),
        ok: true,
        doc_type: Some(result.doc_type),
        type_description: Some(result.type_description),
        image_angle: Some(result.image_angle),
        rotated_image_width: Some(result.rotated_image_width),
        rotated_image_height: Some(result.rotated_image_height),
        items,
        checks,
        error: None,
        saved,
        preprocess: None,
        warnings: Vec::new(),
        log: Vec::new(),
    };
    let failed: Vec<String> = record.failed_checks().map(|c| c.check.clone()).collect();
    if ctx.checks.strict && !failed.is_empty() {
        record.ok = false;
        record.error = Some(ErrorInfo {
            code: None,
            message: format!("failed checks: {}", failed.join(", ")),
            class: ErrorInfo::CHECK,
            hint: Some("the picture was probably misread; check it by eye".into()),
        });
    }
    if !save_errors.is_empty() {
        // The result is kept, but the file counts as failed: a picture the
        // user asked for was not written.
        record.ok = false;
        record.error = Some(ErrorInfo {
            code: None,
            message: format!("cannot save pictures: {}", save_errors.join("; ")),
            class: ErrorInfo::INPUT,
            hint: Some("check that --save-images names a writable directory".into()),
        });
    }
    record
}
