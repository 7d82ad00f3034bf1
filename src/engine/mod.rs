//! Who reads a picture: the OCR service ([`remote`]) or xocr's own offline
//! recogniser ([`local`], cargo feature `local`), behind one closed enum with
//! the behaviour on it, as ripgrep does with its matchers. Both give the same
//! engine-neutral [`Reading`]; nothing here knows about files, terminals or
//! output formats.

#[cfg(feature = "local")]
pub mod local;
pub mod reading;
pub mod remote;

use std::ops::RangeInclusive;

use serde::Serialize;

use crate::preflight::{self, Prepared};
pub use reading::{ReadItem, Reading};

/// The document types the offline engine (`--engine local`) can answer,
/// as its readings name them: everything it cannot tell apart is `other`
/// (one item per text line). The classifier's tests check that this is
/// what it can return.
pub const LOCAL_TYPES: &[&str] = &[
    "id_card",
    "bank_card",
    "drive_license",
    "vehicle_license",
    "business_license",
    "passport",
    "hongkong_idcard",
    "social_security_cards",
    "other",
];

/// `--det-max-side` when not given: the long side, px, pictures are scaled
/// to for the offline engine's text detection (RapidOCR's default).
pub const DEFAULT_DET_MAX_SIDE: u32 = 960;
/// The detection sizes the offline engine takes, px (multiples of 32).
pub const DET_MAX_SIDE_RANGE: RangeInclusive<u32> = 32..=4096;

/// True when `px` is a detection size the offline engine takes: a
/// multiple of 32 in [`DET_MAX_SIDE_RANGE`].
pub fn valid_det_max_side(px: u32) -> bool {
    DET_MAX_SIDE_RANGE.contains(&px) && px.is_multiple_of(32)
}

/// What a client does after a failure (PROTOCOL.md, "What to do").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Transient: try again with backoff; once the retries are spent the file
    /// counts as failed.
    Retry,
    /// This picture failed; go on with the next.
    File,
    /// Every further request would fail the same way (credentials, quota,
    /// endpoint): stop sending, report the rest as not attempted.
    Stop,
}

impl ErrorClass {
    /// The lower-case name used in output (`retry`, `file`, `stop`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Retry => "retry",
            ErrorClass::File => "file",
            ErrorClass::Stop => "stop",
        }
    }
}

/// Why an engine gave no reading of a picture.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// The service's error code, when the service gave one.
    pub code: Option<i64>,
    /// What went wrong, naming the reason (never the token).
    pub message: String,
    /// Whether to retry, go on, or stop the batch.
    pub class: ErrorClass,
    /// What the user can do about it, when there is something to say.
    pub hint: Option<String>,
}

impl Failure {
    /// A failure of this picture alone (class `file`), without a code.
    pub fn file(message: impl Into<String>) -> Self {
        Failure {
            code: None,
            message: message.into(),
            class: ErrorClass::File,
            hint: None,
        }
    }
}

/// One picture read by an engine: the reading or why there is none, with
/// what it took.
#[derive(Debug)]
pub struct Attempt {
    /// The reading, or the last failure.
    pub reading: Result<Reading, Failure>,
    /// Retries spent after the first request (always 0 offline).
    pub retries: u32,
    /// What was read: the prepared picture, or its re-encoded form when
    /// the service refused it as it was.
    pub sent: Prepared,
    /// Per-request notes: retries and re-encoding for `-v`, the HTTP
    /// exchange for `-vv`.
    pub log: Vec<Note>,
}

/// One line of a picture's log, printed on stderr by the reporter (the
/// engine never prints). Never holds the token or a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The verbosity that shows it: 1 for `-v`, 2 for `-vv`.
    pub level: u8,
    /// The line, without the file name.
    pub text: String,
}

impl Note {
    /// A line for `-v`: retries, conversions, what a file took.
    pub fn v(text: impl Into<String>) -> Self {
        Note {
            level: 1,
            text: text.into(),
        }
    }

    /// A line for `-vv`: a request's or reply's line, headers and sizes.
    pub fn vv(text: impl Into<String>) -> Self {
        Note {
            level: 2,
            text: text.into(),
        }
    }
}

/// Who reads the pictures of a run, loaded once and shared by the workers.
// One per run: the size of the remote variant does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Engine {
    /// The OCR service.
    Remote(remote::Remote),
    /// The offline recogniser.
    #[cfg(feature = "local")]
    Local(Box<local::Local>),
}

impl Engine {
    /// Reads one prepared picture. `cancelled` turns true when the batch
    /// stops (a stop-class error, Ctrl-C): no request or retry starts after
    /// that, and `None` says the picture was not sent at all (the service's
    /// rate limit held it back until then). Never panics on bad input: a
    /// picture that cannot be read gives a [`Failure`].
    pub fn read(&self, prepared: Prepared, cancelled: &dyn Fn() -> bool) -> Option<Attempt> {
        match self {
            Engine::Remote(remote) => remote.read(prepared, cancelled),
            #[cfg(feature = "local")]
            Engine::Local(local) => {
                let (reading, log) = match local.read(&prepared.bytes) {
                    Ok(card) => (Ok(card.reading), vec![Note::v(card.evidence)]),
                    Err(e) => (Err(e), Vec::new()),
                };
                Some(Attempt {
                    reading,
                    retries: 0,
                    sent: prepared,
                    log,
                })
            }
        }
    }

    /// What readings are stored under in `--out-dir`, so that a reading by
    /// another engine (or request type, engine revision or detection size)
    /// is never reused: the request type for the service (`8`),
    /// `local-r<revision>-d<size>` offline.
    pub fn store_tag(&self) -> &str {
        match self {
            Engine::Remote(remote) => remote.request_type(),
            #[cfg(feature = "local")]
            Engine::Local(local) => local.store_tag(),
        }
    }

    /// `local` for the offline engine, `None` for the service (the record's
    /// `engine` field).
    pub fn local_name(&self) -> Option<&'static str> {
        match self {
            Engine::Remote(_) => None,
            #[cfg(feature = "local")]
            Engine::Local(_) => Some("local"),
        }
    }

    /// What this engine needs of preflight, from the user's `options`: the
    /// service's limits as given; the offline engine reads pictures in full,
    /// so only what must be is converted (orientation, colour, format), the
    /// size is kept up to the largest side the service would take, and
    /// re-encoding is near-lossless.
    pub fn preflight(&self, options: &preflight::Options) -> preflight::Options {
        match self {
            Engine::Remote(_) => options.clone(),
            #[cfg(feature = "local")]
            Engine::Local(_) => preflight::Options {
                max_side: preflight::SERVICE_MAX_SIDE,
                max_bytes: u64::MAX,
                jpeg_quality: 95,
                offline: true,
                ..options.clone()
            },
        }
    }

    /// `sent` for the service, `read locally` offline (for `-v`).
    pub fn verb(&self) -> &'static str {
        match self {
            Engine::Remote(_) => "sent",
            #[cfg(feature = "local")]
            Engine::Local(_) => "read locally",
        }
    }
}
