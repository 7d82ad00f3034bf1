//! HEIC/HEIF pictures (iPhone photos) decoded with libheif, with the cargo
//! feature `heic`; without it, the error that says what to do.
//!
//! libheif applies the file's own transformations (`irot`, `imir`,
//! `clap`) while decoding, so the picture comes out upright; an EXIF
//! orientation inside a HEIC is not applied again. The primary picture is
//! read; further pictures in the file (bursts, depth maps) are not.

use super::{Format, PreflightError};

/// The error for a HEIC/HEIF picture in a build without the `heic`
/// feature, worded for the engine: the service does not take HEIC
/// (PROTOCOL.md lists JPEG, PNG, BMP, TIFF); the offline engine reads only
/// what xocr can decode.
#[cfg(not(feature = "heic"))]
pub(crate) fn unsupported(offline: bool) -> PreflightError {
    let who = if offline {
        "and the offline engine can read only what xocr decodes"
    } else {
        "and the service does not take HEIC"
    };
    PreflightError::Unsupported {
        format: Format::Heif,
        hint: format!(
            "this xocr was built without HEIC support (cargo feature `heic`) {who}; \
             convert it first, e.g. {}, or build xocr with `--features heic`",
            super::reencode::conversion_hint(Format::Heif)
        ),
    }
}

/// Decodes the primary picture of a HEIC/HEIF file as 8-bit RGB(A),
/// checking its size against `max_pixels` first. Errors:
/// [`PreflightError::Corrupt`] when libheif finds the file damaged,
/// [`PreflightError::Unsupported`] (with a conversion command) when it
/// cannot decode a valid one (e.g. a codec variant the system's libde265
/// lacks), [`PreflightError::TooLarge`] over the pixel limit.
#[cfg(feature = "heic")]
pub(crate) fn decode(
    bytes: &[u8],
    opts: &super::Options,
) -> Result<image::DynamicImage, PreflightError> {
    use libheif_rs::{ColorSpace, HeifContext, HeifErrorCode, LibHeif, RgbChroma};
    let failed = |e: libheif_rs::HeifError| {
        let message = e.message.trim().to_string();
        match e.code {
            HeifErrorCode::InvalidInput => PreflightError::Corrupt {
                format: Format::Heif,
                reason: format!("damaged HEIC: {message}"),
            },
            _ => PreflightError::Unsupported {
                format: Format::Heif,
                hint: format!(
                    "libheif could not decode this picture ({message}); convert it first, e.g. {}",
                    super::reencode::conversion_hint(Format::Heif)
                ),
            },
        }
    };
    let mut ctx = HeifContext::read_from_bytes(bytes).map_err(failed)?;
    // The batch runs pictures in parallel already.
    ctx.set_max_decoding_threads(0);
    let handle = ctx.primary_image_handle().map_err(failed)?;
    let (w, h) = (handle.width(), handle.height());
    super::limits::check_decode_pixels(w, h, opts)?;
    let alpha = handle.has_alpha_channel();
    let chroma = if alpha {
        RgbChroma::Rgba
    } else {
        RgbChroma::Rgb
    };
    let picture = LibHeif::new()
        .decode(&handle, ColorSpace::Rgb(chroma), None)
        .map_err(failed)?;
    let planes = picture.planes();
    let plane = planes.interleaved.ok_or_else(|| PreflightError::Corrupt {
        format: Format::Heif,
        reason: "damaged HEIC: libheif gave no picture data".into(),
    })?;
    let channels = if alpha { 4 } else { 3 };
    let (pw, ph) = (plane.width as usize, plane.height as usize);
    let row = pw * channels;
    let mut pixels = Vec::with_capacity(row * ph);
    for y in 0..ph {
        let start = y * plane.stride;
        let line = plane
            .data
            .get(start..start + row)
            .ok_or_else(|| PreflightError::Corrupt {
                format: Format::Heif,
                reason: "damaged HEIC: libheif gave a short picture".into(),
            })?;
        pixels.extend_from_slice(line);
    }
    let short = || PreflightError::Corrupt {
        format: Format::Heif,
        reason: "damaged HEIC: libheif gave a short picture".into(),
    };
    Ok(if alpha {
        image::DynamicImage::ImageRgba8(
            image::RgbaImage::from_raw(plane.width, plane.height, pixels).ok_or_else(short)?,
        )
    } else {
        image::DynamicImage::ImageRgb8(
            image::RgbImage::from_raw(plane.width, plane.height, pixels).ok_or_else(short)?,
        )
    })
}
