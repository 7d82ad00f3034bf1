//! The decision (unchanged / re-encode / error) and the re-encoding itself.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{AnimationDecoder, DynamicImage, ImageDecoder, ImageError, Limits, RgbImage};

use super::limits::{self, Limit, Problem, SERVICE_MIN_SIDE, effective_max_side, human_bytes};
use super::structure::{self, Inspected, short};
use super::{Format, Options, PreflightError, Prepared, sniff};

/// Conversion command to suggest for a format this crate cannot convert.
pub(crate) fn conversion_hint(format: Format) -> &'static str {
    match format {
        Format::Heif => "`heif-convert in.heic out.jpg` (libheif-examples)",
        Format::Avif => "`heif-convert in.avif out.jpg` or `avifdec in.avif out.png`",
        Format::Jpeg2000 => "`opj_decompress -i in.jp2 -o out.png`",
        Format::JpegXl => "`djxl in.jxl out.png`",
        Format::Svg => "`rsvg-convert -o out.png in.svg`",
        Format::Pdf => "`pdftoppm -jpeg -r 200 in.pdf page`",
        Format::Jpeg => "`convert in.jpg -depth 8 out.jpg` (ImageMagick)",
        Format::Tiff => "`convert 'in.tif[0]' -depth 8 out.jpg` (ImageMagick)",
        Format::Bmp => "`convert in.bmp out.png` (ImageMagick)",
        Format::Tga => "`convert in.tga out.png` (ImageMagick)",
        Format::Ico => "`convert 'in.ico[0]' out.png` (ImageMagick)",
        Format::Psd => "`convert 'in.psd[0]' out.jpg` (ImageMagick)",
        _ => "`convert in.file out.jpg` (ImageMagick)",
    }
}

fn unsupported_format(format: Format) -> PreflightError {
    let hint = match format {
        Format::Pdf => format!(
            "convert the page to a picture first, e.g. {}",
            conversion_hint(format)
        ),
        Format::Svg => format!(
            "a drawing, not a picture; render it first, e.g. {}",
            conversion_hint(format)
        ),
        _ => format!(
            "xocr cannot convert this format and the service does not take it; convert it first, e.g. {}",
            conversion_hint(format)
        ),
    };
    PreflightError::Unsupported { format, hint }
}

fn unchanged(bytes: Vec<u8>, format: Format, info: &Inspected, warnings: Vec<String>) -> Prepared {
    Prepared {
        bytes,
        format,
        width: info.width,
        height: info.height,
        converted: false,
        preprocess: None,
        warnings,
    }
}

fn frames_warning(format: Format, frames: u32, sent_unchanged: bool) -> Option<String> {
    if frames <= 1 {
        return None;
    }
    let (what, unit) = match format {
        Format::Tiff => ("multi-page TIFF", "pages"),
        Format::Png => ("animated PNG", "frames"),
        Format::Gif => ("animated GIF", "frames"),
        Format::WebP => ("animated WebP", "frames"),
        _ => ("multi-frame picture", "frames"),
    };
    let count = if format == Format::WebP || format == Format::Gif {
        String::new()
    } else {
        format!(" of {frames} {unit}")
    };
    Some(if sent_unchanged {
        format!("{what}: sent as it is; the service reads only the first{count}")
    } else {
        format!(
            "{what}: first{} used",
            if count.is_empty() {
                " frame".to_string()
            } else {
                count
            }
        )
    })
}

/// [`super::prepare`] (`force = false`) and [`super::reencode`] (`force = true`).
pub(crate) fn run(bytes: Vec<u8>, opts: &Options, force: bool) -> Result<Prepared, PreflightError> {
    if bytes.is_empty() {
        return Err(PreflightError::Empty);
    }
    let format = sniff(&bytes);
    match format {
        Format::NotPicture(looks_like) => return Err(PreflightError::NotPicture { looks_like }),
        Format::Pdf | Format::Svg => return Err(unsupported_format(format)),
        _ => {}
    }
    let info = structure::inspect(format, &bytes)?;
    let len = bytes.len() as u64;
    let (w, h) = (info.width, info.height);
    let problem = limits::unchanged_problem(len, w, h, opts);
    let mut warnings = info.warnings.clone();

    if !force && !opts.convert {
        if let Some(p) = problem {
            return Err(p.no_convert_error(len, w, h, opts));
        }
        if info.orientation != 1 {
            warnings.push(format!(
                "EXIF orientation {} not applied (--no-convert): the service may see the picture turned or mirrored",
                info.orientation
            ));
        }
        if !format.service_accepts() && format != Format::Tiff {
            warnings.push(format!(
                "{format} is not among the formats the service lists (JPEG, PNG, BMP, TIFF); sent as it is (--no-convert)"
            ));
        }
        for n in &info.needs {
            warnings.push(format!(
                "{n}: sent as it is (--no-convert); the service may mishandle it"
            ));
        }
        warnings.extend(frames_warning(format, info.frames, true));
        return Ok(unchanged(bytes, format, &info, warnings));
    }

    let simple = problem.is_none() && info.orientation == 1 && info.needs.is_empty();
    if !force && simple && format.service_accepts() && info.undecodable.is_none() {
        warnings.extend(frames_warning(format, info.frames, true));
        return Ok(unchanged(bytes, format, &info, warnings));
    }
    if let Some(u) = &info.undecodable {
        if !force && u.pass && simple {
            warnings.push(format!(
                "{}: sent as it is, since xocr cannot convert it; if the service refuses it, convert it first, e.g. {}",
                u.what,
                conversion_hint(format)
            ));
            return Ok(unchanged(bytes, format, &info, warnings));
        }
        let why = why_convert(problem, &info);
        return Err(PreflightError::Unsupported {
            format,
            hint: format!(
                "{} cannot be converted here{why}; convert it first, e.g. {}",
                u.what,
                conversion_hint(format)
            ),
        });
    }
    if format == Format::Heif {
        #[cfg(feature = "heic")]
        {
            let img = super::heic::decode(&bytes, opts)?;
            drop(bytes);
            return encode(img, format, &info, opts, warnings);
        }
        #[cfg(not(feature = "heic"))]
        return Err(super::heic::unsupported(opts.offline));
    }
    if !matches!(
        format,
        Format::Jpeg | Format::Png | Format::Bmp | Format::Tiff | Format::Gif | Format::WebP
    ) {
        return Err(unsupported_format(format));
    }
    limits::check_decode_pixels(w, h, opts)?;
    // Held through decode, resize and encode.
    let _pixels = super::budget::reserve(u64::from(w) * u64::from(h), opts.max_decode_pixels);

    let mut frame_note = None;
    let decoded = decode(format, &bytes, opts, &mut frame_note);
    let img = match decoded {
        Ok(img) => img,
        Err(ImageError::Unsupported(e)) => {
            let detail = match e.kind() {
                image::error::UnsupportedErrorKind::GenericFeature(s) => s,
                image::error::UnsupportedErrorKind::Color(c) => format!("colour type {c:?}"),
                _ => e.to_string(),
            };
            let what = format!("this {} variant ({detail})", short(format));
            if !force && format == Format::Tiff && problem.is_none() && info.orientation == 1 {
                warnings.push(format!(
                    "{what}: sent as it is, since xocr cannot convert it; if the service refuses it, convert it first, e.g. {}",
                    conversion_hint(format)
                ));
                return Ok(unchanged(bytes, format, &info, warnings));
            }
            return Err(PreflightError::Unsupported {
                format,
                hint: format!(
                    "{what} cannot be converted here; convert it first, e.g. {}",
                    conversion_hint(format)
                ),
            });
        }
        Err(ImageError::Limits(_)) => {
            return Err(PreflightError::Corrupt {
                format,
                reason: format!(
                    "damaged {}: decoding it would need far more memory than its {w}x{h} px size explains",
                    short(format)
                ),
            });
        }
        Err(e) => {
            return Err(PreflightError::Corrupt {
                format,
                reason: format!("damaged or truncated {}: {e}", short(format)),
            });
        }
    };
    let frames = frame_note.unwrap_or(info.frames);
    warnings.extend(frames_warning(format, frames, false));
    drop(bytes);
    encode(img, format, &info, opts, warnings)
}

fn why_convert(problem: Option<Problem>, info: &Inspected) -> String {
    let mut v: Vec<String> = Vec::new();
    if let Some(p) = problem {
        v.push(p.describe().to_string());
    }
    if info.orientation != 1 {
        v.push(format!("EXIF orientation {}", info.orientation));
    }
    v.extend(info.needs.iter().map(|s| s.to_string()));
    if v.is_empty() {
        String::new()
    } else {
        format!(" and this picture needs converting ({})", v.join(", "))
    }
}

fn limits_for(opts: &Options) -> Limits {
    let mut l = Limits::default();
    l.max_alloc = Some(
        opts.max_decode_pixels
            .saturating_mul(4)
            .max(256 * 1024 * 1024),
    );
    l
}

/// Decodes the first picture (page, frame). `frames` is set for GIF when it
/// has more than one frame.
fn decode(
    format: Format,
    bytes: &[u8],
    opts: &Options,
    frames: &mut Option<u32>,
) -> Result<DynamicImage, ImageError> {
    use image::codecs::*;
    let limits = limits_for(opts);
    let cur = Cursor::new(bytes);
    match format {
        Format::Jpeg => {
            let mut d = jpeg::JpegDecoder::new(cur)?;
            d.set_limits(limits)?;
            DynamicImage::from_decoder(d)
        }
        Format::Png => DynamicImage::from_decoder(png::PngDecoder::with_limits(cur, limits)?),
        Format::Bmp => {
            let mut d = bmp::BmpDecoder::new(cur)?;
            d.set_limits(limits)?;
            DynamicImage::from_decoder(d)
        }
        Format::Tiff => {
            let mut d = tiff::TiffDecoder::new(cur)?;
            d.set_limits(limits)?;
            DynamicImage::from_decoder(d)
        }
        Format::WebP => {
            let mut d = webp::WebPDecoder::new(cur)?;
            d.set_limits(limits)?;
            let _ = d.set_background_color(image::Rgba([255, 255, 255, 255]));
            DynamicImage::from_decoder(d)
        }
        Format::Gif => {
            let mut d = gif::GifDecoder::new(cur)?;
            d.set_limits(limits)?;
            let mut it = d.into_frames();
            let first = it.next().ok_or_else(|| {
                ImageError::IoError(std::io::Error::other("the GIF has no frames"))
            })??;
            if it.next().is_some() {
                *frames = Some(2);
            }
            Ok(DynamicImage::ImageRgba8(first.into_buffer()))
        }
        _ => Err(ImageError::Unsupported(
            image::error::UnsupportedError::from_format_and_kind(
                image::error::ImageFormatHint::Unknown,
                image::error::UnsupportedErrorKind::Format(image::error::ImageFormatHint::Unknown),
            ),
        )),
    }
}

/// 8-bit RGB, alpha composited on white.
fn to_rgb8(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u32::from(p[3]);
        for c in 0..3 {
            o[c] = ((u32::from(p[c]) * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    out
}

fn orientation_text(o: u8) -> Option<&'static str> {
    match o {
        2 => Some("flipped left-right"),
        3 => Some("rotated 180"),
        4 => Some("flipped top-bottom"),
        5 => Some("rotated 90 and flipped"),
        6 => Some("rotated 90"),
        7 => Some("rotated 270 and flipped"),
        8 => Some("rotated 270"),
        _ => None,
    }
}

fn fit(w: u32, h: u32, max_side: u32) -> (u32, u32) {
    let long = w.max(h);
    if long <= max_side {
        return (w, h);
    }
    let s = f64::from(max_side) / f64::from(long);
    let nw = ((f64::from(w) * s).round() as u32).clamp(1, max_side);
    let nh = ((f64::from(h) * s).round() as u32).clamp(1, max_side);
    (nw, nh)
}

/// Downscaling uses `thumbnail` (area averaging, no full-size float
/// intermediate: a 280 MP scan would otherwise need another ~1 GB);
/// enlarging tiny pictures uses a triangle filter.
fn resize(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    if w <= img.width() && h <= img.height() {
        image::imageops::thumbnail(img, w, h)
    } else {
        image::imageops::resize(img, w, h, FilterType::Triangle)
    }
}

fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, PreflightError> {
    let mut out = Vec::with_capacity((img.width() as usize * img.height() as usize) / 4);
    JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100))
        .encode_image(img)
        .map_err(|e| PreflightError::Encode {
            reason: e.to_string(),
        })?;
    Ok(out)
}

fn encode(
    img: DynamicImage,
    format: Format,
    info: &Inspected,
    opts: &Options,
    warnings: Vec<String>,
) -> Result<Prepared, PreflightError> {
    let mut parts: Vec<String> = Vec::new();
    if format != Format::Jpeg {
        parts.push(format!("from {}", short(format)));
    }
    for n in &info.needs {
        parts.push(match *n {
            "transparency" => "transparency on white".to_string(),
            "16-bit" => "16-bit -> 8-bit".to_string(),
            "CMYK" => "CMYK -> RGB".to_string(),
            other => other.to_string(),
        });
    }
    let mut warnings = warnings;
    let mut rgb = to_rgb8(img);
    let max_side = effective_max_side(opts);
    let (w0, h0) = rgb.dimensions();

    // Scale before turning: cheaper, and the side limit is the same both ways.
    let (nw, nh) = fit(w0, h0, max_side);
    if (nw, nh) != (w0, h0) {
        rgb = resize(&rgb, nw, nh);
    }
    if info.orientation != 1
        && let Some(o) = Orientation::from_exif(info.orientation)
    {
        let mut d = DynamicImage::ImageRgb8(rgb);
        d.apply_orientation(o);
        rgb = d.into_rgb8();
        parts.extend(orientation_text(info.orientation).map(String::from));
    }
    if (nw, nh) != (w0, h0) {
        let (a, b) = if matches!(info.orientation, 5..=8) {
            ((h0, w0), (nh, nw))
        } else {
            ((w0, h0), (nw, nh))
        };
        parts.push(format!("resized {}x{} -> {}x{}", a.0, a.1, b.0, b.1));
    }
    // Too small for the service: enlarge, padding with white if the aspect
    // ratio would push the long side over the limit.
    let (w1, h1) = rgb.dimensions();
    if w1.min(h1) < SERVICE_MIN_SIDE {
        let s = f64::from(SERVICE_MIN_SIDE) / f64::from(w1.min(h1).max(1));
        let tw = ((f64::from(w1) * s).ceil() as u32).clamp(SERVICE_MIN_SIDE, max_side);
        let th = ((f64::from(h1) * s).ceil() as u32).clamp(SERVICE_MIN_SIDE, max_side);
        let (fw, fh) = fit(
            ((f64::from(w1) * s).ceil() as u32).max(1),
            ((f64::from(h1) * s).ceil() as u32).max(1),
            max_side,
        );
        let scaled = resize(&rgb, fw.max(1), fh.max(1));
        let mut canvas = RgbImage::from_pixel(tw.max(fw), th.max(fh), image::Rgb([255, 255, 255]));
        image::imageops::overlay(&mut canvas, &scaled, 0, 0);
        rgb = canvas;
        parts.push(format!(
            "enlarged {w1}x{h1} -> {}x{}",
            rgb.width(),
            rgb.height()
        ));
        warnings.push(format!(
            "picture is only {w1}x{h1} px: enlarged to {SERVICE_MIN_SIDE} px a side (the service's minimum); too small to read well"
        ));
    }

    let mut quality = opts.jpeg_quality.clamp(1, 100);
    let mut out = encode_jpeg(&rgb, quality)?;
    let mut tries = 0;
    while out.len() as u64 > opts.max_bytes {
        tries += 1;
        if tries > 12 {
            return Err(PreflightError::TooLarge {
                limit: Limit::Bytes,
                actual: out.len() as u64,
                max: opts.max_bytes,
                width: rgb.width(),
                height: rgb.height(),
                no_convert: false,
            });
        }
        if quality > 70 {
            quality = quality.saturating_sub(10).max(70);
        } else {
            let ratio = (opts.max_bytes as f64 / out.len() as f64).sqrt() * 0.9;
            let ratio = ratio.clamp(0.25, 0.9);
            let (cw, ch) = rgb.dimensions();
            let nw = ((f64::from(cw) * ratio) as u32).max(SERVICE_MIN_SIDE);
            let nh = ((f64::from(ch) * ratio) as u32).max(SERVICE_MIN_SIDE);
            if (nw, nh) == (cw, ch) {
                tries = 99;
                continue;
            }
            let before = format!("{cw}x{ch}");
            rgb = resize(&rgb, nw, nh);
            parts.push(format!(
                "shrunk {before} -> {nw}x{nh} to fit {}",
                human_bytes(opts.max_bytes)
            ));
        }
        out = encode_jpeg(&rgb, quality)?;
    }
    let q = if quality != opts.jpeg_quality {
        format!(" q{quality}")
    } else {
        String::new()
    };
    parts.push(format!("jpeg{q} {}", human_bytes(out.len() as u64)));
    Ok(Prepared {
        width: rgb.width(),
        height: rgb.height(),
        bytes: out,
        format: Format::Jpeg,
        converted: true,
        preprocess: Some(parts.join(", ")),
        warnings,
    })
}
