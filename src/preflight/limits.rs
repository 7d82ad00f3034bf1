//! The service's limits and the user's, and the texts that name them.

use super::{Options, PreflightError};

/// The service's smallest accepted side, px.
pub const SERVICE_MIN_SIDE: u32 = 20;
/// The service's largest accepted side, px.
pub const SERVICE_MAX_SIDE: u32 = 10_000;

/// Most pages read from one PDF or TIFF; a file with more is refused
/// whole (split it first). Also bounds what a hostile page tree or
/// directory chain can make xocr walk.
pub const MAX_PAGES: usize = 10_000;

/// Which limit a [`PreflightError::TooLarge`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Limit {
    /// File size in bytes (`--max-bytes`).
    Bytes,
    /// Longest side in pixels (`--max-side`, at most 10000).
    Side,
    /// Width × height in pixels, the most this crate will decode
    /// ([`Options::max_decode_pixels`]).
    Pixels,
}

/// The longest side xocr decodes, px, whatever the pixel count.
pub const MAX_DECODE_SIDE: u32 = 65_535 * 4;

/// `opts.max_side` clamped to what the service takes (20..=10000).
pub(crate) fn effective_max_side(opts: &Options) -> u32 {
    opts.max_side.clamp(SERVICE_MIN_SIDE, SERVICE_MAX_SIDE)
}

pub(crate) use crate::units::human_bytes;

pub(crate) fn too_large_message(
    limit: Limit,
    actual: u64,
    max: u64,
    width: u32,
    height: u32,
    no_convert: bool,
) -> String {
    match limit {
        Limit::Bytes if no_convert => format!(
            "file is {}, over the {} limit (--max-bytes); drop --no-convert to let xocr shrink it",
            human_bytes(actual),
            human_bytes(max)
        ),
        Limit::Bytes => format!(
            "could not shrink the picture under the {} limit (--max-bytes): the smallest try was {}; \
             raise --max-bytes or crop the picture",
            human_bytes(max),
            human_bytes(actual)
        ),
        Limit::Side => format!(
            "picture is {width}x{height} px, over the {max} px side limit (--max-side){}",
            if no_convert {
                "; drop --no-convert to let xocr scale it down"
            } else {
                ""
            }
        ),
        Limit::Pixels if width.max(height) > MAX_DECODE_SIDE => format!(
            "picture header claims {width}x{height} px, a side longer than the {MAX_DECODE_SIDE} px \
             xocr will decode; it is probably damaged or a decompression bomb (if it is real, scale it \
             down first, e.g. `convert in.jpg -resize 4096x4096 out.jpg`)"
        ),
        Limit::Pixels => format!(
            "picture header claims {width}x{height} px ({} megapixels), more than the {} megapixels \
             xocr will decode; it is probably damaged or a decompression bomb (if it is real, scale it \
             down first, e.g. `convert in.jpg -resize 4096x4096 out.jpg`)",
            actual / 1_000_000,
            max / 1_000_000
        ),
    }
}

/// Refuses headers whose pixel count would make decoding allocate more than
/// the caller allows.
pub(crate) fn check_decode_pixels(w: u32, h: u32, opts: &Options) -> Result<(), PreflightError> {
    let px = u64::from(w) * u64::from(h);
    let too_wide = w.max(h) > MAX_DECODE_SIDE;
    if px > opts.max_decode_pixels || too_wide {
        return Err(PreflightError::TooLarge {
            limit: Limit::Pixels,
            actual: px,
            max: opts.max_decode_pixels,
            width: w,
            height: h,
            no_convert: false,
        });
    }
    Ok(())
}

/// Limits check for a file to be sent unchanged. `Ok(None)` = fine,
/// `Ok(Some(reason))` = needs conversion for this reason.
pub(crate) fn unchanged_problem(bytes: u64, w: u32, h: u32, opts: &Options) -> Option<Problem> {
    let max_side = effective_max_side(opts);
    if bytes > opts.max_bytes {
        return Some(Problem::Bytes);
    }
    if w != 0 && h != 0 {
        if w.max(h) > max_side {
            return Some(Problem::Side);
        }
        if w.min(h) < SERVICE_MIN_SIDE {
            return Some(Problem::Small);
        }
    }
    None
}

/// A limit an unchanged file would break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Problem {
    Bytes,
    Side,
    Small,
}

impl Problem {
    /// The error for `--no-convert`.
    pub(crate) fn no_convert_error(
        self,
        bytes: u64,
        w: u32,
        h: u32,
        opts: &Options,
    ) -> PreflightError {
        match self {
            Problem::Bytes => PreflightError::TooLarge {
                limit: Limit::Bytes,
                actual: bytes,
                max: opts.max_bytes,
                width: w,
                height: h,
                no_convert: true,
            },
            Problem::Side => PreflightError::TooLarge {
                limit: Limit::Side,
                actual: u64::from(w.max(h)),
                max: u64::from(effective_max_side(opts)),
                width: w,
                height: h,
                no_convert: true,
            },
            Problem::Small => PreflightError::TooSmall {
                width: w,
                height: h,
                min_side: SERVICE_MIN_SIDE,
            },
        }
    }

    pub(crate) fn describe(self) -> &'static str {
        match self {
            Problem::Bytes => "over the size limit",
            Problem::Side => "over the side limit",
            Problem::Small => "under 20 px a side",
        }
    }
}
