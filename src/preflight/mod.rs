//! Preflight and re-encoding of pictures before they are sent to the OCR
//! service (issue 5).
//!
//! The service takes JPEG, PNG, BMP (and, per the vendor document, TIFF) of at
//! most 10 MB and 20–10000 px a side. [`prepare`] sniffs the bytes, checks
//! their structure and header cheaply, and either hands them back unchanged
//! (byte for byte, no full decode), re-encodes them as a JPEG that fits the
//! limits (EXIF orientation applied, 8-bit RGB, alpha on white, scaled), or
//! returns a [`PreflightError`] whose `Display` text is the user-facing reason
//! (the caller prefixes the file name).
//!
//! Decisions (see also the crate README/report):
//! * Sent unchanged: JPEG (baseline/extended/progressive, 8-bit, grey or
//!   YCbCr/RGB), PNG (≤ 8 bits a sample, no alpha channel, no tRNS), BMP
//!   (plain 1/4/8/16/24-bit, RLE4/8, 32-bit without alpha), within the limits
//!   and with EXIF orientation absent, 0 or 1.
//! * Re-encoded: CMYK/YCCK JPEG (backends often get the colours wrong),
//!   16-bit or transparent PNG, EXIF orientation 2–8 (also in PNG eXIf and
//!   ImageMagick "Raw profile" text), TIFF, GIF, WebP, odd BMPs, and anything
//!   over the limits.
//! * Valid pictures this crate cannot decode (12-bit, arithmetic-coded,
//!   lossless or hierarchical JPEG; TIFF variants the `tiff` crate rejects,
//!   e.g. CIELab) are sent unchanged with a warning when nothing else needs
//!   doing, since the service lists their format; otherwise they are
//!   [`PreflightError::Unsupported`] with a conversion command.
//! * HEIC/HEIF: decoded with libheif with the cargo feature `heic`
//!   ([`heic`]); without it, unsupported with a conversion command.
//! * AVIF, JPEG 2000, JPEG XL, TGA, ICO, PSD and SVG: unsupported (no
//!   well-kept pure-Rust decoder for AV1 stills), with a conversion command
//!   in the error. A PDF reaching here is refused too: PDFs are split into
//!   their pages' pictures before preflight (`crate::documents`).
//! * Pictures under 20 px a side are enlarged (white padding where the
//!   aspect ratio does not allow it), with a warning.
//! * `--no-convert` ([`Options::convert`] false): nothing is re-encoded; over
//!   a limit is an error naming it; every picture format (also HEIC, WebP …)
//!   is sent as it is, with warnings for what the service may mishandle
//!   (orientation, CMYK, alpha …). Empty files, non-pictures, PDF and SVG are
//!   errors in both modes, and so are damaged files.
//! * Memory: headers are checked against [`Options::max_decode_pixels`]
//!   before decoding, and the decoders run under `image::Limits` with
//!   `max_alloc` = 4 bytes × that many pixels (at least 256 MiB). A 12 MP
//!   photo peaks at about 90 MB.

mod budget;
mod heic;
mod limits;
mod reencode;
mod sniff;
mod structure;

use std::fmt;

pub(crate) use limits::check_decode_pixels;
pub use limits::{Limit, MAX_PAGES, SERVICE_MAX_SIDE, SERVICE_MIN_SIDE};
pub use sniff::sniff;

/// Reserves `pixels` (width × height) of the process-wide bound on pixels
/// being decoded at once (`opts.max_decode_pixels`), waiting until they
/// fit; released when the reservation is dropped. For decoders outside
/// preflight (a PDF page's raster).
pub(crate) fn reserve_pixels(pixels: u64, opts: &Options) -> impl Drop {
    budget::reserve(pixels, opts.max_decode_pixels)
}

/// A file format as recognised from its magic bytes by [`sniff`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// JPEG / JFIF / EXIF (`FF D8 FF`); MPO files are JPEGs too.
    Jpeg,
    /// PNG, including APNG, or a PNG whose signature was damaged in transfer.
    Png,
    /// Windows/OS2 bitmap (`BM`).
    Bmp,
    /// TIFF or BigTIFF (`II*\0`, `MM\0*`, `II+\0`, `MM\0+`).
    Tiff,
    /// WebP (`RIFF….WEBP`).
    WebP,
    /// GIF87a / GIF89a.
    Gif,
    /// HEIF/HEIC (ISO-BMFF `ftyp` with a HEIF brand).
    Heif,
    /// AVIF (ISO-BMFF `ftyp` with an AVIF brand).
    Avif,
    /// PDF document (`%PDF-`).
    Pdf,
    /// JPEG 2000 (JP2 box or raw codestream).
    Jpeg2000,
    /// JPEG XL.
    JpegXl,
    /// SVG (XML text with an `<svg` element).
    Svg,
    /// Truevision TGA (only recognisable by its v2 footer).
    Tga,
    /// Windows icon.
    Ico,
    /// Photoshop document.
    Psd,
    /// Not a picture; the text says what it looks like: `"empty"`,
    /// `"plain text"`, `"HTML"`, `"a ZIP archive (or an Office/ODF document)"` …
    NotPicture(&'static str),
}

impl Format {
    /// True for the formats the service lists and takes as they are: JPEG,
    /// PNG, BMP. (TIFF is listed by the vendor document but not by its
    /// 40301 message, so TIFF is converted whenever it can be.)
    pub fn service_accepts(self) -> bool {
        matches!(self, Format::Jpeg | Format::Png | Format::Bmp)
    }

    /// MIME type of the format, `application/octet-stream` when unknown.
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Bmp => "image/bmp",
            Format::Tiff => "image/tiff",
            Format::WebP => "image/webp",
            Format::Gif => "image/gif",
            Format::Heif => "image/heic",
            Format::Avif => "image/avif",
            Format::Pdf => "application/pdf",
            Format::Jpeg2000 => "image/jp2",
            Format::JpegXl => "image/jxl",
            Format::Svg => "image/svg+xml",
            Format::Tga => "image/x-tga",
            Format::Ico => "image/vnd.microsoft.icon",
            Format::Psd => "image/vnd.adobe.photoshop",
            Format::NotPicture(_) => "application/octet-stream",
        }
    }
}

impl fmt::Display for Format {
    /// Short human name: "JPEG picture", "PDF document", "not a picture (plain text)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Format::Jpeg => "JPEG picture",
            Format::Png => "PNG picture",
            Format::Bmp => "BMP picture",
            Format::Tiff => "TIFF picture",
            Format::WebP => "WebP picture",
            Format::Gif => "GIF picture",
            Format::Heif => "HEIC/HEIF picture",
            Format::Avif => "AVIF picture",
            Format::Pdf => "PDF document",
            Format::Jpeg2000 => "JPEG 2000 picture",
            Format::JpegXl => "JPEG XL picture",
            Format::Svg => "SVG drawing",
            Format::Tga => "TGA picture",
            Format::Ico => "Windows icon",
            Format::Psd => "Photoshop document",
            Format::NotPicture(what) => return write!(f, "not a picture ({what})"),
        };
        f.write_str(s)
    }
}

/// What [`prepare`] may do, with the limits it enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Longest side allowed, in pixels (`--max-side`). Default 4096; values
    /// above the service's 10000 are treated as 10000.
    pub max_side: u32,
    /// Largest file allowed, in bytes of the file as uploaded (before base64,
    /// which adds a third: 10 MB of file is about 13.3 MB of JSON)
    /// (`--max-bytes`). Default 10 MiB.
    pub max_bytes: u64,
    /// JPEG quality for re-encoding, 1–100 (`--jpeg-quality`). Default 90.
    pub jpeg_quality: u8,
    /// `false` for `--no-convert`: never re-encode; a file outside the limits
    /// is an error, and a format the service does not list is sent as it is.
    pub convert: bool,
    /// Largest picture, in pixels (width × height from the header), that will
    /// be decoded; bigger headers are refused before any allocation. Default
    /// 300 000 000 (a 20000×15000 scan; about 1 GB while converting).
    pub max_decode_pixels: u64,
    /// True when the offline engine reads the pictures (not the service):
    /// only the wording of errors about formats changes.
    pub offline: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_side: 4096,
            max_bytes: 10 * 1024 * 1024,
            jpeg_quality: 90,
            convert: true,
            max_decode_pixels: 300_000_000,
            offline: false,
        }
    }
}

/// The picture to upload, and what was done to get it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepared {
    /// The bytes to upload (base64 them into the request).
    pub bytes: Vec<u8>,
    /// Format of `bytes` (always [`Format::Jpeg`] when `converted`).
    pub format: Format,
    /// Width of the uploaded picture in pixels, as stored (before any EXIF
    /// orientation the service might apply); 0 when not known (a format
    /// passed through with `--no-convert` whose header is not read).
    pub width: u32,
    /// Height in pixels, as for `width`.
    pub height: u32,
    /// True when `bytes` were re-encoded; false when they are the input, byte
    /// for byte.
    pub converted: bool,
    /// What was done, for `preprocess` in JSON output and `-v`: e.g.
    /// `"rotated 90, resized 6000x4000 -> 4096x2731, jpeg 1.9 MB"`. `None`
    /// when sent unchanged.
    pub preprocess: Option<String>,
    /// Things the user should know, e.g. `"multi-page TIFF: first of 3 pages used"`.
    pub warnings: Vec<String>,
}

/// Why a file cannot be sent. `Display` is the user-facing reason, without the
/// file name (the caller prefixes it). No variant means a request was spent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PreflightError {
    /// The file has no bytes.
    #[error("empty file (0 bytes): there is no picture to send")]
    Empty,
    /// The bytes are not a picture at all.
    #[error("not a picture: looks like {looks_like}")]
    NotPicture {
        /// What it looks like: `"plain text"`, `"HTML"`, `"a ZIP archive …"` …
        looks_like: &'static str,
    },
    /// A real picture or document in a format this crate cannot convert and
    /// the service does not take; `hint` says how to convert it.
    #[error("{format}: {hint}")]
    Unsupported {
        /// The sniffed format.
        format: Format,
        /// What to do, e.g. "convert it first, e.g. `heif-convert in.heic out.jpg`".
        hint: String,
    },
    /// Truncated or damaged picture; `reason` names the format and the damage,
    /// e.g. "truncated PNG: the file ends before its IEND chunk".
    #[error("{reason}")]
    Corrupt {
        /// The sniffed format.
        format: Format,
        /// Full user-facing sentence.
        reason: String,
    },
    /// Over a limit: file bytes, side length, or decodable pixel count.
    /// `actual`/`max` are in bytes for [`Limit::Bytes`], pixels of the longest
    /// side for [`Limit::Side`], pixels (w×h) for [`Limit::Pixels`].
    #[error("{}", limits::too_large_message(*.limit, *.actual, *.max, *.width, *.height, *.no_convert))]
    TooLarge {
        /// Which limit.
        limit: Limit,
        /// The picture's value.
        actual: u64,
        /// The limit's value.
        max: u64,
        /// Width from the header, px (0 if unknown).
        width: u32,
        /// Height from the header, px (0 if unknown).
        height: u32,
        /// True when only `--no-convert` prevented fixing it.
        no_convert: bool,
    },
    /// A side is under the service's 20 px minimum and `--no-convert` is on.
    #[error(
        "picture is {width}x{height} px, under the service's minimum of {min_side} px a side; drop --no-convert to let xocr enlarge it"
    )]
    TooSmall {
        /// Width, px.
        width: u32,
        /// Height, px.
        height: u32,
        /// The minimum, px (20).
        min_side: u32,
    },
    /// Re-encoding failed (should not happen for a decodable picture).
    #[error("could not re-encode the picture as JPEG: {reason}")]
    Encode {
        /// The encoder's message.
        reason: String,
    },
}

/// Decides and does: returns `bytes` unchanged when the service takes them as
/// they are, a re-encoded JPEG when it would not (or `opts.convert` is false
/// and the format is merely unlisted: then unchanged), or an error.
///
/// The unchanged path reads headers and walks the file's structure (PNG
/// chunks with CRCs, JPEG markers up to EOI, BMP header vs size, TIFF IFDs)
/// but never decodes pixels. Dimensions are checked against
/// `opts.max_decode_pixels` before any decode. Never panics.
///
/// Errors: [`PreflightError::Empty`], [`PreflightError::NotPicture`],
/// [`PreflightError::Unsupported`], [`PreflightError::Corrupt`],
/// [`PreflightError::TooLarge`], [`PreflightError::TooSmall`],
/// [`PreflightError::Encode`].
pub fn prepare(bytes: Vec<u8>, opts: &Options) -> Result<Prepared, PreflightError> {
    guarded(bytes, opts, false)
}

/// Like [`prepare`], but always re-encodes (ignoring `opts.convert`): for a
/// picture sent unchanged that the service refused with 40301/40302. Returns
/// [`PreflightError::Unsupported`] when the picture cannot be decoded here.
pub fn reencode(bytes: &[u8], opts: &Options) -> Result<Prepared, PreflightError> {
    guarded(bytes.to_vec(), opts, true)
}

/// Runs the preflight, turning a panic in any decoder (there should be none;
/// this is the last line of defence for hostile files) into
/// [`PreflightError::Corrupt`].
fn guarded(bytes: Vec<u8>, opts: &Options, force: bool) -> Result<Prepared, PreflightError> {
    let format = sniff(&bytes);
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        reencode::run(bytes, opts, force)
    }))
    .unwrap_or_else(|_| {
        Err(PreflightError::Corrupt {
            format,
            reason: format!("damaged {format}: the decoder gave up on it"),
        })
    })
}

#[cfg(test)]
mod tests;
