//! One input's pass: read, look in the result store, preflight, recognise
//! (rate-limited, retried), store, and turn the result into a record
//! (writing its pictures when asked).

use std::time::{Duration, Instant};

use crate::api::{ApiError, Client, ErrorClass, OcrResult};
use crate::batch::rate::RateLimiter;
use crate::batch::retry::{self, RetryPolicy};
use crate::config::Checks;
use crate::fields::Check;
use crate::fields::{self, FieldRef};
use crate::images::{self, PictureNamer};
use crate::input::{self, Input};
use crate::preflight;
use crate::record::{ErrorInfo, Item, Picture, Record};
use crate::store::{Claim, Store, Stored};

/// Who reads a picture.
pub enum Reader {
    /// The OCR service.
    Remote(Client),
    /// The offline recogniser, loaded once and shared by the workers.
    #[cfg(feature = "local")]
    Local(Box<crate::local::LocalEngine>),
}

/// What every input's pass shares.
pub struct Context {
    pub reader: Reader,
    pub preflight: preflight::Options,
    /// Keys to keep; empty keeps all.
    pub fields: Vec<String>,
    pub include_images: bool,
    /// Set with `--save-images`.
    pub namer: Option<PictureNamer>,
    pub checks: Checks,
    pub limiter: RateLimiter,
    pub retry: RetryPolicy,
    /// Set with `--out-dir`.
    pub store: Option<Store>,
    /// Request even when a result is stored.
    pub force: bool,
    /// Mask personal fields before storing.
    pub mask_saved: bool,
}

impl Context {
    /// True when the offline recogniser reads the pictures.
    pub fn is_local(&self) -> bool {
        !matches!(self.reader, Reader::Remote(_))
    }
}

/// Scans input number `index` and returns its record. `cancelled` turns
/// true when the batch stops (stop-class error, Ctrl-C): no retry starts
/// after that. Never panics on bad input: every failure becomes a record
/// with an error naming the reason.
pub fn scan_one(
    ctx: &Context,
    index: usize,
    input: &Input,
    cancelled: &dyn Fn() -> bool,
) -> Record {
    let bytes = match input::read(input) {
        Ok(b) => b,
        Err(e) => return input_error(input, e.to_string()),
    };
    let read_len = bytes.len();

    // A stored result is reused; a picture another worker is recognising
    // right now is waited for.
    let mut claim = None;
    if let Some(store) = &ctx.store {
        let key = Store::key(&bytes);
        if !ctx.force {
            if let Some(stored) = store.get(&key) {
                return from_store(ctx, index, input, (store, &key), stored);
            }
        }
        match store.claim(&key) {
            Claim::Owner(guard) => claim = Some((key, guard)),
            Claim::Waited => {
                if let Some(stored) = store.get(&key) {
                    return from_store(ctx, index, input, (store, &key), stored);
                }
            }
        }
    }

    let prepared = match preflight::prepare(bytes, &ctx.preflight) {
        Ok(p) => p,
        Err(e) => return input_error(input, e.to_string()),
    };
    let mut log = Vec::new();
    let started = Instant::now();
    let (reply, retries, prepared) = match &ctx.reader {
        Reader::Remote(client) => read_remotely(ctx, client, prepared, cancelled, &mut log),
        #[cfg(feature = "local")]
        Reader::Local(engine) => {
            let reply = read_locally(engine, &prepared.bytes);
            (reply, 0, prepared)
        }
    };
    let took = started.elapsed().as_millis();

    let cost = reply
        .as_ref()
        .ok()
        .and_then(|r| r.cost_time)
        .map(|ms| format!(" (service time {ms} ms)"))
        .unwrap_or_default();
    let to_store = match (&reply, &claim) {
        (Ok(result), Some(_)) => Some(result.clone()),
        _ => None,
    };
    let mut record = match reply {
        Ok(result) => build_record(ctx, index, input, result, None),
        Err(Failure::Api(e)) => Record::failed(input.label.clone(), api_error_info(&e)),
        Err(Failure::Local(message)) => Record::failed(
            input.label.clone(),
            ErrorInfo {
                code: None,
                message,
                class: ErrorClass::File.as_str(),
                hint: None,
            },
        ),
    };
    record.preprocess = prepared.preprocess;
    record.warnings.extend(prepared.warnings);
    if let (Some(result), Some((key, _))) = (to_store, &claim) {
        store_result(ctx, key, input, result, &mut record);
    }
    drop(claim);
    log.push(format!(
        "read {read_len} bytes, {} {} bytes, {} after {took} ms{cost}",
        if ctx.is_local() {
            "read locally"
        } else {
            "sent"
        },
        prepared.bytes.len(),
        match &record.error {
            None => "success".to_string(),
            Some(e) => format!("failed ({})", e.message),
        }
    ));
    record.log = log;
    record.retries = retries;
    record
}

/// Why a picture has no result.
enum Failure {
    /// From the service (or the way to it).
    Api(ApiError),
    /// From the offline recogniser.
    #[cfg_attr(not(feature = "local"), allow(dead_code))]
    Local(String),
}

/// Sends a prepared picture to the service (rate-limited, retried); when the
/// service refuses it as it was (40301, 40302), converts it once and sends
/// it again. Returns the reply, the retries spent, and what was sent.
fn read_remotely(
    ctx: &Context,
    client: &Client,
    mut prepared: preflight::Prepared,
    cancelled: &dyn Fn() -> bool,
    log: &mut Vec<String>,
) -> (Result<OcrResult, Failure>, u32, preflight::Prepared) {
    let (mut reply, mut retries) = send_with_retries(ctx, client, &prepared.bytes, cancelled, log);
    if let Err(ApiError::Service {
        code: code @ (40301 | 40302),
        ..
    }) = &reply
    {
        if !prepared.converted && ctx.preflight.convert && !cancelled() {
            let code = *code;
            match preflight::reencode(&prepared.bytes, &ctx.preflight) {
                Ok(converted) => {
                    log.push(format!(
                        "service answered {code} for the picture as it was: re-encoded and sent again"
                    ));
                    prepared = converted;
                    let (again, more) =
                        send_with_retries(ctx, client, &prepared.bytes, cancelled, log);
                    reply = again;
                    retries += more;
                }
                Err(e) => log.push(format!("cannot re-encode after {code}: {e}")),
            }
        }
    }
    (reply.map_err(Failure::Api), retries, prepared)
}

/// Reads a prepared picture with the offline recogniser and returns the
/// service's shape (type, fields, turn, pictures): see
/// [`crate::local::cards::read_card`].
#[cfg(feature = "local")]
fn read_locally(engine: &crate::local::LocalEngine, picture: &[u8]) -> Result<OcrResult, Failure> {
    let img = image::load_from_memory(picture)
        .map_err(|e| Failure::Local(format!("cannot decode the picture: {e}")))?
        .to_rgb8();
    crate::local::cards::read_card(engine, &img)
        .map_err(|e| Failure::Local(format!("offline recogniser failed: {e:#}")))
}

/// Stores a fresh result under `key` (`--out-dir`), masked with
/// `--mask-saved`; a failure to store becomes a warning on the record.
fn store_result(
    ctx: &Context,
    key: &str,
    input: &Input,
    mut result: OcrResult,
    record: &mut Record,
) {
    let Some(store) = &ctx.store else { return };
    let mut checks = None;
    if ctx.mask_saved {
        let mut c = all_checks(ctx, &result);
        crate::store::mask(&mut result, &mut c);
        checks = Some(c);
    }
    let stored = Stored {
        sha256: String::new(),
        request_type: String::new(),
        file: input.label.clone(),
        result,
        preprocess: record.preprocess.clone(),
        warnings: record.warnings.clone(),
        masked: ctx.mask_saved,
        checks,
    };
    if let Err(e) = store.put(key, stored) {
        record.warnings.push(format!("result not stored: {e:#}"));
    }
}

/// Sends a picture, waiting for the rate limit before each attempt and
/// retrying retry-class failures with backoff. Returns the last reply and
/// the number of retries spent.
fn send_with_retries(
    ctx: &Context,
    client: &Client,
    picture: &[u8],
    cancelled: &dyn Fn() -> bool,
    log: &mut Vec<String>,
) -> (Result<OcrResult, ApiError>, u32) {
    let mut attempt = 0;
    loop {
        ctx.limiter.acquire();
        let reply = client.recognize(picture);
        let e = match &reply {
            Ok(_) => {
                ctx.limiter.succeeded(Instant::now());
                return (reply, attempt);
            }
            Err(e) => e,
        };
        if retry::is_throttle(e) {
            ctx.limiter.throttled(Instant::now());
        }
        if !ctx.retry.should_retry(e, attempt) || cancelled() {
            return (reply, attempt);
        }
        let wait = ctx.retry.backoff(e, attempt, fastrand::f64());
        attempt += 1;
        log.push(format!(
            "retry {attempt} of {} in {} ms after: {e}",
            ctx.retry.retries,
            wait.as_millis()
        ));
        if !sleep_unless(wait, cancelled) {
            return (reply, attempt - 1);
        }
    }
}

/// Sleeps for `d`, waking every 50 ms to look at `cancelled`; false when it
/// was cancelled.
fn sleep_unless(d: Duration, cancelled: &dyn Fn() -> bool) -> bool {
    let end = Instant::now() + d;
    loop {
        if cancelled() {
            return false;
        }
        let left = end.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return true;
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

/// The record of a stored result. With `--mask-saved`, a result stored
/// unmasked by an earlier run is masked in the store now (the record keeps
/// the values, as a fresh run's does).
fn from_store(
    ctx: &Context,
    index: usize,
    input: &Input,
    (store, key): (&Store, &str),
    stored: Stored,
) -> Record {
    let masked_copy = (ctx.mask_saved && !stored.masked).then(|| {
        let mut result = stored.result.clone();
        let mut checks = all_checks(ctx, &result);
        crate::store::mask(&mut result, &mut checks);
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
    // A masked result keeps the checks made on the values as read.
    let checks = if stored.masked { stored.checks } else { None };
    let mut record = build_record(ctx, index, input, stored.result, checks);
    record.preprocess = stored.preprocess;
    record.warnings.extend(stored.warnings);
    record.from_store = true;
    record
        .log
        .push("stored result reused, no request sent".into());
    if let Some(copy) = masked_copy {
        match store.put(key, copy) {
            Ok(()) => record
                .log
                .push("stored result masked now (--mask-saved)".into()),
            Err(e) => record
                .warnings
                .push(format!("stored result left unmasked: {e:#}")),
        }
    }
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

/// The checks of every text field of `result` (before `--fields`).
fn all_checks(ctx: &Context, result: &OcrResult) -> Vec<Check> {
    let refs: Vec<FieldRef> = result
        .item_list
        .iter()
        .filter(|i| images::decode_picture(&i.value).is_none())
        .map(|i| FieldRef::new(&i.key, &i.value))
        .collect();
    fields::run_checks(&result.doc_type, &refs, ctx.checks.as_of)
}

/// Turns a result into a record: pictures recognised (and written with
/// `--save-images`), values normalised, checks run (or `checks` given, for
/// a masked stored result), `--fields` applied, `--strict` judged.
fn build_record(
    ctx: &Context,
    index: usize,
    input: &Input,
    mut result: OcrResult,
    checks: Option<Vec<Check>>,
) -> Record {
    let mut saved = Vec::new();
    let mut save_error: Option<String> = None;
    let mut taken = std::collections::HashSet::new();
    let mut items = Vec::with_capacity(result.item_list.len());
    for wire in std::mem::take(&mut result.item_list) {
        let picture = images::decode_picture(&wire.value);
        let mut item = Item {
            key: wire.key,
            description: wire.description,
            value: None,
            normalized: None,
            confidence: wire.confidence,
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
                if let (Some(namer), None) = (&ctx.namer, &save_error) {
                    let path = namer.claim(index, &item.key, format, &bytes, &mut taken);
                    match images::write_atomic(&path, &bytes) {
                        Ok(()) => {
                            let p = path.to_string_lossy().into_owned();
                            saved.push(p.clone());
                            pic.saved = Some(p);
                        }
                        // The next pictures would fail alike: say it once.
                        Err(e) => save_error = Some(format!("{e:#}")),
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
    let mut checks = checks.unwrap_or_else(|| {
        let refs: Vec<FieldRef> = items
            .iter()
            .filter(|i| i.picture.is_none())
            .map(|i| FieldRef::new(&i.key, i.value.as_deref().unwrap_or("")))
            .collect();
        fields::run_checks(&result.doc_type, &refs, ctx.checks.as_of)
    });
    if !ctx.fields.is_empty() {
        items.retain(|i| ctx.fields.contains(&i.key));
        checks.retain(|c| ctx.fields.contains(&c.field));
    }
    let mut record = Record {
        file: input.label.clone(),
        ok: true,
        doc_type: Some(result.doc_type),
        type_description: Some(result.type_description),
        image_angle: Some(result.image_angle),
        rotated_image_width: Some(result.rotated_image_width),
        rotated_image_height: Some(result.rotated_image_height),
        engine: ctx.is_local().then_some("local"),
        items,
        checks,
        error: None,
        saved,
        preprocess: None,
        warnings: Vec::new(),
        log: Vec::new(),
        retries: 0,
        from_store: false,
    };
    let failed: Vec<String> = record.failed_checks().map(|c| c.check.clone()).collect();
    if ctx.checks.strict && !failed.is_empty() {
        record.ok = false;
        record.error = Some(ErrorInfo {
            code: None,
            message: format!("failed checks: {}", failed.join(", ")),
            class: ErrorInfo::CHECK,
            hint: Some(if failed.iter().all(|c| c == "validity_expiry") {
                "the document has expired".into()
            } else {
                "the picture may have been misread, or the document is not valid; see checks".into()
            }),
        });
    }
    if let Some(e) = save_error {
        // The result is kept, but the file counts as failed: a picture the
        // user asked for was not written.
        record.ok = false;
        record.error = Some(ErrorInfo {
            code: None,
            message: format!("cannot save pictures: {e}"),
            class: ErrorInfo::OUTPUT,
            hint: Some("check that --save-images names a writable directory".into()),
        });
    }
    record
}
