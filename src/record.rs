//! The typed result of one input, as every output format sees it.

use serde::Serialize;

use crate::api::ErrorClass;
use crate::fields::{Check, CheckStatus};

/// The outcome for one input file: recognised fields, or an error.
/// Serialised as one JSON object per input (`-o json`, `-o jsonl`).
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    /// The input as the user named it (`-` for standard input).
    pub file: String,
    /// True when the service returned a result.
    pub ok: bool,
    /// Document type, e.g. `id_card`; `other` when nothing was recognised;
    /// null when the file failed.
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    /// The service's description of the type; may be empty.
    pub type_description: Option<String>,
    /// Degrees the original must be turned clockwise to stand upright.
    pub image_angle: Option<i64>,
    /// Width of the upright picture, px.
    pub rotated_image_width: Option<i64>,
    /// Height of the upright picture, px.
    pub rotated_image_height: Option<i64>,
    /// `local` when xocr's offline recogniser read the picture; absent for
    /// the service.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub engine: Option<&'static str>,
    /// Recognised fields in the service's order (after `--fields`).
    pub items: Vec<Item>,
    /// The document's own rules checked against the fields (ID check
    /// character, Luhn, …): `{field, check, status, detail}` each.
    pub checks: Vec<Check>,
    /// Why the file failed; absent on success.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
    /// Paths of the pictures written with `--save-images`.
    pub saved: Vec<String>,
    /// What was done to the picture before upload, e.g. `rotated 90,
    /// resized 6000x4000 -> 4096x2731, jpeg 1.9 MB`; absent when it was sent
    /// unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preprocess: Option<String>,
    /// Warnings about this file (also printed on stderr).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Per-request details printed on stderr with `-v`; not serialised.
    #[serde(skip)]
    pub log: Vec<String>,
    /// Retries spent on this file; counted in the summary, not serialised.
    #[serde(skip)]
    pub retries: u32,
    /// True when the result came from the `--out-dir` store, not a request.
    #[serde(skip)]
    pub from_store: bool,
}

/// One recognised field.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// Field name, e.g. `name`, `id_number`, `head_portrait`.
    pub key: String,
    /// The field's Chinese label, e.g. `姓名`.
    pub description: String,
    /// The text found. For a picture field, its base64 value with
    /// `--include-images`, otherwise absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Empty, or 8 integers: x,y of the four corners (top-left first,
    /// clockwise) in the upright picture, px.
    pub position: Vec<i64>,
    /// The value in its standard form, when the field has one: ISO 8601
    /// dates, `{"start","end"}` periods (end null for 长期), `M`/`F`, card
    /// numbers without spaces, registered capital as amount and unit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub normalized: Option<serde_json::Value>,
    /// With `--engine local`: how sure the recogniser is of the text, 0..1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Set when the value is a picture.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picture: Option<Picture>,
}

/// A picture field's kind and size.
#[derive(Debug, Clone, Serialize)]
pub struct Picture {
    /// Format sniffed from the decoded bytes: `jpeg`, `png`, `bmp`, `gif`,
    /// `webp` or `tiff`.
    pub format: &'static str,
    /// Size of the decoded picture, bytes.
    pub bytes: usize,
    /// Where it was written with `--save-images`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved: Option<String>,
}

/// Why a file has no result.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorInfo {
    /// The service's error code, when the service gave one.
    pub code: Option<i64>,
    /// What went wrong, naming the reason.
    pub message: String,
    /// `retry`, `file` or `stop` for service and transport errors (see
    /// PROTOCOL.md); `input` when the file never reached the service;
    /// `output` when its pictures could not be saved; `check` when
    /// `--strict` failed it; `not_attempted` when the batch stopped first.
    pub class: &'static str,
    /// What to do about it, when there is something to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl ErrorInfo {
    /// Class name of an error found before any request was sent.
    pub const INPUT: &'static str = "input";
    /// Class name of a file whose result could not be written out (its
    /// pictures, with `--save-images`).
    pub const OUTPUT: &'static str = "output";
    /// Class name of a file failed by `--strict` because a check failed.
    pub const CHECK: &'static str = "check";
    /// Class name of a file skipped because the batch stopped.
    pub const NOT_ATTEMPTED: &'static str = "not_attempted";

    /// True when this error stops the batch.
    pub fn is_stop(&self) -> bool {
        self.class == ErrorClass::Stop.as_str()
    }
}

impl Record {
    /// A failed record for `file`.
    pub fn failed(file: String, error: ErrorInfo) -> Self {
        Record {
            file,
            ok: false,
            doc_type: None,
            type_description: None,
            image_angle: None,
            rotated_image_width: None,
            rotated_image_height: None,
            engine: None,
            items: Vec::new(),
            checks: Vec::new(),
            error: Some(error),
            saved: Vec::new(),
            preprocess: None,
            warnings: Vec::new(),
            log: Vec::new(),
            retries: 0,
            from_store: false,
        }
    }

    /// The checks that failed.
    pub fn failed_checks(&self) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::Failed)
    }

    /// A copy with personal fields masked (`--mask`): names keep their first
    /// character, ID and card numbers their first 6 and last 4, addresses
    /// their first 6 characters. Check details that quote a masked value
    /// quote the masked form.
    pub fn masked(&self) -> Record {
        let mut r = self.clone();
        let doc_type = r.doc_type.clone().unwrap_or_default();
        for item in &mut r.items {
            let Some(value) = &item.value else { continue };
            if item.picture.is_some() {
                continue;
            }
            let Some(masked) = crate::fields::mask(&doc_type, &item.key, value) else {
                continue;
            };
            mask_details(&mut r.checks, value, &masked);
            if let Some(serde_json::Value::String(n)) = &item.normalized {
                let m = crate::fields::mask(&doc_type, &item.key, n).unwrap_or_default();
                mask_details(&mut r.checks, n, &m);
            }
            item.normalized = match &item.normalized {
                Some(serde_json::Value::String(n)) => {
                    crate::fields::mask(&doc_type, &item.key, n).map(serde_json::Value::String)
                }
                _ => None,
            };
            item.value = Some(masked);
        }
        r
    }

    /// One line saying why the record failed, e.g.
    /// `service error 40301 (Image format error): convert the picture to JPEG or PNG`.
    pub fn error_line(&self) -> Option<String> {
        let e = self.error.as_ref()?;
        Some(match &e.hint {
            Some(h) => format!("{} ({h})", e.message),
            None => e.message.clone(),
        })
    }
}

/// Replaces every quotation of `value` in the checks' details by `masked`.
pub fn mask_details(checks: &mut [Check], value: &str, masked: &str) {
    if value.is_empty() {
        return;
    }
    for check in checks {
        if check.detail.contains(value) {
            check.detail = check.detail.replace(value, masked);
        }
    }
}
