//! The typed result of one input, as every output format sees it.

use serde::Serialize;

use crate::engine::{ErrorClass, Failure};
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
    /// Path of the picture written with `--annotate`: the input, upright,
    /// with every item's box drawn; absent without `--annotate`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotated: Option<String>,
    /// Small JPEG copies of the portraits, for the cells of `-o xlsx`
    /// (made only for it); not serialised.
    #[serde(skip)]
    pub thumbnails: Vec<Thumbnail>,
    /// What was done to the picture before upload, e.g. `rotated 90,
    /// resized 6000x4000 -> 4096x2731, jpeg 1.9 MB`; absent when it was sent
    /// unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preprocess: Option<String>,
    /// Warnings about this file (also printed on stderr).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Per-request details printed on stderr with `-v` and `-vv` (each
    /// note says which); not serialised.
    #[serde(skip)]
    pub log: Vec<crate::engine::Note>,
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

/// A portrait made small for a workbook cell.
#[derive(Debug, Clone)]
pub struct Thumbnail {
    /// The portrait item's key, e.g. `head_portrait`.
    pub key: String,
    /// A baseline JPEG of at most [`crate::thumbnail::MAX_SIDE`] px a side.
    pub jpeg: Vec<u8>,
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
    /// Serialised as `retry`, `file` or `stop` for engine errors (see
    /// PROTOCOL.md), `input`, `output`, `check` or `not_attempted`.
    pub class: Class,
    /// What to do about it, when there is something to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// The class of a failed file: what failed it, and whether the batch goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// The engine's retries were spent on a transient failure.
    Retry,
    /// The engine could not read this picture.
    File,
    /// The engine can read no further picture (credentials, quota,
    /// endpoint): the batch stops.
    Stop,
    /// Found before the engine saw it: unreadable file, unsupported format,
    /// over the limits.
    Input,
    /// Its result could not be written out (its pictures, with
    /// `--save-images`).
    Output,
    /// Failed by `--strict` because a check failed.
    Check,
    /// Skipped because the batch stopped first.
    NotAttempted,
}

impl Class {
    /// The name in output: `retry`, `file`, `stop`, `input`, `output`,
    /// `check` or `not_attempted`.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Retry => "retry",
            Class::File => "file",
            Class::Stop => "stop",
            Class::Input => "input",
            Class::Output => "output",
            Class::Check => "check",
            Class::NotAttempted => "not_attempted",
        }
    }
}

impl From<ErrorClass> for Class {
    fn from(c: ErrorClass) -> Self {
        match c {
            ErrorClass::Retry => Class::Retry,
            ErrorClass::File => Class::File,
            ErrorClass::Stop => Class::Stop,
        }
    }
}

impl From<Failure> for ErrorInfo {
    fn from(f: Failure) -> Self {
        ErrorInfo {
            code: f.code,
            message: f.message,
            class: f.class.into(),
            hint: f.hint,
        }
    }
}

impl ErrorInfo {
    /// An error of `class` without a code or a hint.
    pub fn new(class: Class, message: impl Into<String>) -> Self {
        ErrorInfo {
            code: None,
            message: message.into(),
            class,
            hint: None,
        }
    }

    /// True when this error stops the batch.
    pub fn is_stop(&self) -> bool {
        self.class == Class::Stop
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
            annotated: None,
            thumbnails: Vec::new(),
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

    /// A copy with personal fields masked (`--mask`) by the rules of
    /// [`crate::fields::mask`]: names keep their first character, ID and
    /// card numbers their first 6 and last 4, addresses their first 6
    /// characters. Check details that quote a masked value (or its
    /// normalised form) quote the masked form. Portrait thumbnails are
    /// dropped.
    pub fn masked(&self) -> Record {
        use crate::fields::mask::mask_quoted;
        let mut r = self.clone();
        // A face is as personal as a name.
        r.thumbnails.clear();
        let doc_type = r.doc_type.clone().unwrap_or_default();
        for item in &mut r.items {
            let Some(value) = &item.value else { continue };
            if item.picture.is_some() {
                continue;
            }
            let Some(masked) = mask_quoted(&doc_type, &item.key, value, &mut r.checks) else {
                continue;
            };
            item.normalized = match &item.normalized {
                Some(serde_json::Value::String(n)) => {
                    mask_quoted(&doc_type, &item.key, n, &mut r.checks)
                        .map(serde_json::Value::String)
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
