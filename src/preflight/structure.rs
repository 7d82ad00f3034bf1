//! Cheap structural checks and header reading, without decoding pixels.

use std::io::{Cursor, Read};

use image::ImageDecoder;

use super::{Format, PreflightError};

/// A valid picture that this crate cannot decode.
#[derive(Debug, Clone)]
pub(crate) struct Undecodable {
    /// e.g. "12-bit JPEG".
    pub what: String,
    /// True when the service lists the format, so that sending it as it is
    /// is reasonable when nothing else needs doing.
    pub pass: bool,
}

/// What the header and structure say.
#[derive(Debug, Clone, Default)]
pub(crate) struct Inspected {
    /// Stored width and height, px; 0 when not read.
    pub width: u32,
    pub height: u32,
    /// EXIF/TIFF orientation 1..=8 (absent, 0 and invalid values are 1).
    pub orientation: u8,
    /// Properties the service may mishandle, so the picture is converted:
    /// "CMYK", "16-bit", "transparency" …
    pub needs: Vec<&'static str>,
    pub undecodable: Option<Undecodable>,
    /// Pages or frames when known to be more than one.
    pub frames: u32,
    pub warnings: Vec<String>,
}

fn corrupt(format: Format, reason: impl Into<String>) -> PreflightError {
    PreflightError::Corrupt {
        format,
        reason: reason.into(),
    }
}

fn be16(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(i..i + 2)?.try_into().ok()?))
}
fn be32(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?))
}
fn le16(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
}
fn le32(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

/// Inspects a picture of a sniffed `format`. Errors are
/// [`PreflightError::Corrupt`] (and `Unsupported` is never returned here).
pub(crate) fn inspect(format: Format, b: &[u8]) -> Result<Inspected, PreflightError> {
    let mut info = match format {
        Format::Jpeg => jpeg(b)?,
        Format::Png => png(b)?,
        Format::Bmp => bmp(b)?,
        Format::Tiff => tiff(b)?,
        Format::Gif => gif(b)?,
        Format::WebP => webp(b)?,
        Format::Heif | Format::Avif => {
            iso_bmff(format, b)?;
            Inspected::default()
        }
        _ => Inspected::default(),
    };
    if !(1..=8).contains(&info.orientation) {
        if info.orientation > 8 {
            info.warnings.push(format!(
                "invalid EXIF orientation {} ignored",
                info.orientation
            ));
        }
        info.orientation = 1;
    }
    if matches!(
        format,
        Format::Jpeg | Format::Png | Format::Bmp | Format::Tiff | Format::Gif | Format::WebP
    ) && (info.width == 0 || info.height == 0)
    {
        return Err(corrupt(
            format,
            format!(
                "damaged {}: its header gives a size of {}x{} px",
                short(format),
                info.width,
                info.height
            ),
        ));
    }
    Ok(info)
}

/// "JPEG", "PNG" … for messages.
pub(crate) fn short(format: Format) -> &'static str {
    match format {
        Format::Jpeg => "JPEG",
        Format::Png => "PNG",
        Format::Bmp => "BMP",
        Format::Tiff => "TIFF",
        Format::WebP => "WebP",
        Format::Gif => "GIF",
        Format::Heif => "HEIC",
        Format::Avif => "AVIF",
        Format::Pdf => "PDF",
        Format::Jpeg2000 => "JPEG 2000",
        Format::JpegXl => "JPEG XL",
        Format::Svg => "SVG",
        Format::Tga => "TGA",
        Format::Ico => "ICO",
        Format::Psd => "PSD",
        Format::NotPicture(_) => "file",
    }
}

// ---------------------------------------------------------------- JPEG

fn jpeg(b: &[u8]) -> Result<Inspected, PreflightError> {
    const F: Format = Format::Jpeg;
    let mut info = Inspected::default();
    let mut sof: Option<(u8, u8, u16, u16, u8)> = None; // marker, precision, h, w, comps
    let mut sos = false;
    let mut eoi = false;
    let mut junk = false;
    let mut app1_exif: Option<&[u8]> = None;
    let mut i = 2usize;
    while i < b.len() {
        if b[i] != 0xFF {
            // libjpeg tolerates "extraneous bytes before marker"; so do we.
            junk = true;
            i += 1;
            continue;
        }
        while i < b.len() && b[i] == 0xFF {
            i += 1;
        }
        let Some(&m) = b.get(i) else { break };
        i += 1;
        match m {
            0x00 => junk = true,
            0xD9 => {
                eoi = true;
                break;
            }
            0xD8 | 0x01 | 0xD0..=0xD7 => {}
            _ => {
                let Some(len) = be16(b, i) else { break };
                let len = usize::from(len);
                if len < 2 {
                    return Err(corrupt(
                        F,
                        format!("damaged JPEG: a segment at byte {i} has an impossible length"),
                    ));
                }
                if i + len > b.len() {
                    break; // truncated inside a segment
                }
                let data = &b[i + 2..i + len];
                match m {
                    0xC0..=0xCF if !matches!(m, 0xC4 | 0xC8 | 0xCC) && sof.is_none() => {
                        if data.len() < 6 {
                            return Err(corrupt(
                                F,
                                "damaged JPEG: its frame header (SOF) is too short",
                            ));
                        }
                        let h = u16::from_be_bytes([data[1], data[2]]);
                        let w = u16::from_be_bytes([data[3], data[4]]);
                        sof = Some((m, data[0], h, w, data[5]));
                    }
                    0xE1 if app1_exif.is_none() && data.starts_with(b"Exif\0\0") => {
                        app1_exif = Some(&data[6..]);
                    }
                    0xDA => {
                        if sof.is_none() {
                            return Err(corrupt(
                                F,
                                "damaged JPEG: image data (SOS) comes before the frame header (SOF)",
                            ));
                        }
                        sos = true;
                        // Skip the entropy-coded data up to the next real marker.
                        let mut j = i + len;
                        loop {
                            match memchr::memchr(0xFF, &b[j.min(b.len())..]) {
                                None => {
                                    j = b.len();
                                    break;
                                }
                                Some(p) => {
                                    j += p;
                                    match b.get(j + 1) {
                                        None => break,
                                        Some(0x00) | Some(0xD0..=0xD7) | Some(0xFF) => j += 1,
                                        Some(_) => break,
                                    }
                                }
                            }
                        }
                        i = j;
                        continue;
                    }
                    _ => {}
                }
                i += len;
            }
        }
    }
    let Some((m, precision, h, w, comps)) = sof else {
        return Err(corrupt(
            F,
            "damaged JPEG: it has no frame header (SOF), so no picture size",
        ));
    };
    if !sos {
        return Err(corrupt(
            F,
            "truncated JPEG: the file ends before its image data (no SOS segment)",
        ));
    }
    if !eoi {
        return Err(corrupt(
            F,
            "truncated JPEG: the file ends before its end-of-image marker (EOI); it was probably cut short while copying or downloading",
        ));
    }
    if junk {
        info.warnings
            .push("JPEG has stray bytes between its segments (tolerated)".into());
    }
    info.width = u32::from(w);
    info.height = u32::from(h);
    let kind = match m {
        0xC0..=0xC2 => None,
        0xC3 => Some("lossless JPEG"),
        0xC5..=0xC7 => Some("hierarchical JPEG"),
        0xC9..=0xCB => Some("arithmetic-coded JPEG"),
        _ => Some("hierarchical arithmetic-coded JPEG"),
    };
    if let Some(k) = kind {
        info.undecodable = Some(Undecodable {
            what: k.into(),
            pass: true,
        });
    } else if precision != 8 {
        info.undecodable = Some(Undecodable {
            what: format!("{precision}-bit JPEG"),
            pass: true,
        });
    } else {
        match comps {
            1 | 3 => {}
            4 => info.needs.push("CMYK"),
            n => {
                info.undecodable = Some(Undecodable {
                    what: format!("JPEG with {n} colour components"),
                    pass: false,
                })
            }
        }
    }
    if h == 0 && info.undecodable.is_none() {
        // Height given later in a DNL marker: legal, rare, not decodable here.
        info.undecodable = Some(Undecodable {
            what: "JPEG with its height in a DNL marker".into(),
            pass: true,
        });
        info.height = 1;
    }
    info.orientation = match app1_exif {
        Some(tiff) => exif_orientation_raw(tiff, &mut info.warnings),
        None => 1,
    };
    Ok(info)
}

/// Orientation from raw EXIF (a TIFF structure, with or without the
/// `Exif\0\0` prefix). Unreadable EXIF counts as orientation 1, with a warning.
fn exif_orientation_raw(raw: &[u8], warnings: &mut Vec<String>) -> u8 {
    let tiff = raw.strip_prefix(b"Exif\0\0").unwrap_or(raw);
    match exif::Reader::new().read_raw(tiff.to_vec()) {
        Ok(e) => orientation_of(&e),
        Err(e) => {
            warnings.push(format!(
                "unreadable EXIF data ignored ({e}): orientation taken as normal"
            ));
            1
        }
    }
}

fn orientation_of(e: &exif::Exif) -> u8 {
    e.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
        .and_then(|f| f.value.get_uint(0))
        .map(|v| u8::try_from(v).unwrap_or(u8::MAX))
        .unwrap_or(1)
}

// ---------------------------------------------------------------- PNG

const PNG_SIG: &[u8; 8] = b"\x89PNG\r\n\x1a\n";

fn png(b: &[u8]) -> Result<Inspected, PreflightError> {
    const F: Format = Format::Png;
    if b.len() < 8 || &b[..8] != PNG_SIG {
        let why = if b.len() < 8 {
            "truncated PNG: the file is shorter than the PNG signature"
        } else if b[0] == 0x09 {
            "damaged PNG signature: the top bit of its first byte was lost (the file went through a 7-bit transfer)"
        } else if &b[4..8] != b"\r\n\x1a\n" {
            "damaged PNG signature: its line-ending bytes were changed (the file was transferred in text mode); copy it again in binary mode"
        } else {
            "damaged PNG signature: its letters were changed"
        };
        return Err(corrupt(F, why));
    }
    let mut info = Inspected::default();
    let mut i = 8usize;
    let mut ihdr = false;
    let mut idat = false;
    let mut iend = false;
    let mut exif_raw: Option<Vec<u8>> = None;
    while i + 12 <= b.len() {
        let (Some(n), Some(typ)) = (be32(b, i), b.get(i + 4..i + 8)) else {
            break;
        };
        if n > 0x7FFF_FFFF {
            return Err(corrupt(
                F,
                format!("damaged PNG: a chunk at byte {i} has an impossible length"),
            ));
        }
        if !typ.iter().all(u8::is_ascii_alphabetic) {
            return Err(corrupt(
                F,
                format!("damaged PNG: the chunk at byte {i} has an invalid type"),
            ));
        }
        let n = n as usize;
        let Some(end) = i.checked_add(12 + n).filter(|&e| e <= b.len()) else {
            break;
        };
        let name = String::from_utf8_lossy(typ).into_owned();
        if !ihdr && typ != b"IHDR" {
            return Err(corrupt(
                F,
                "damaged PNG: its header chunk (IHDR) is missing or not first",
            ));
        }
        let stored = be32(b, i + 8 + n).unwrap_or(0);
        if crc32fast::hash(&b[i + 4..i + 8 + n]) != stored {
            return Err(corrupt(
                F,
                format!("damaged PNG: its {name} chunk fails its checksum (CRC)"),
            ));
        }
        let data = &b[i + 8..i + 8 + n];
        match typ {
            b"IHDR" => {
                if ihdr {
                    return Err(corrupt(F, "damaged PNG: it has two header chunks (IHDR)"));
                }
                ihdr = true;
                png_ihdr(data, &mut info)?;
            }
            b"IDAT" => idat = true,
            b"IEND" => {
                iend = true;
                break;
            }
            b"tRNS" => push_once(&mut info.needs, "transparency"),
            b"acTL" => info.frames = be32(data, 0).unwrap_or(1),
            b"eXIf" => exif_raw = Some(data.to_vec()),
            b"tEXt" | b"zTXt" | b"iTXt" if exif_raw.is_none() => {
                exif_raw = raw_profile_exif(typ, data);
            }
            _ => {}
        }
        i = end;
    }
    if !iend {
        return Err(corrupt(
            F,
            "truncated PNG: the file ends before its IEND chunk; it was probably cut short while copying or downloading",
        ));
    }
    if !idat {
        return Err(corrupt(F, "damaged PNG: it has no image data (IDAT chunk)"));
    }
    if info.frames > 1 {
        // reported by the caller (unchanged vs first frame)
    } else {
        info.frames = 1;
    }
    info.orientation = match exif_raw {
        Some(raw) => exif_orientation_raw(&raw, &mut info.warnings),
        None => 1,
    };
    Ok(info)
}

fn push_once(v: &mut Vec<&'static str>, s: &'static str) {
    if !v.contains(&s) {
        v.push(s);
    }
}

fn png_ihdr(d: &[u8], info: &mut Inspected) -> Result<(), PreflightError> {
    const F: Format = Format::Png;
    if d.len() != 13 {
        return Err(corrupt(
            F,
            "damaged PNG: its header chunk (IHDR) has the wrong length",
        ));
    }
    info.width = be32(d, 0).unwrap_or(0);
    info.height = be32(d, 4).unwrap_or(0);
    let (depth, ctype) = (d[8], d[9]);
    let ok_depth: &[u8] = match ctype {
        0 => &[1, 2, 4, 8, 16],
        2 | 4 | 6 => &[8, 16],
        3 => &[1, 2, 4, 8],
        _ => {
            return Err(corrupt(
                F,
                format!("damaged PNG: invalid colour type {ctype} in its header"),
            ));
        }
    };
    if !ok_depth.contains(&depth) {
        return Err(corrupt(
            F,
            format!("damaged PNG: invalid bit depth {depth} for colour type {ctype}"),
        ));
    }
    if d[10] != 0 || d[11] != 0 || d[12] > 1 {
        return Err(corrupt(
            F,
            "damaged PNG: invalid compression, filter or interlace method in its header",
        ));
    }
    if info.width > 0x7FFF_FFFF || info.height > 0x7FFF_FFFF {
        return Err(corrupt(
            F,
            "damaged PNG: its header gives an impossible size",
        ));
    }
    if depth == 16 {
        info.needs.push("16-bit");
    }
    if ctype == 4 || ctype == 6 {
        info.needs.push("transparency");
    }
    Ok(())
}

/// EXIF kept by ImageMagick/exiftool in a text chunk "Raw profile type exif"
/// (or APP1): hex digits after three header lines.
fn raw_profile_exif(typ: &[u8], data: &[u8]) -> Option<Vec<u8>> {
    let nul = data.iter().position(|&c| c == 0)?;
    let key = &data[..nul];
    if key != b"Raw profile type exif" && key != b"Raw profile type APP1" {
        return None;
    }
    let rest = &data[nul + 1..];
    let text: Vec<u8> = match typ {
        b"tEXt" => rest.to_vec(),
        b"zTXt" => inflate(rest.get(1..)?)?,
        _ => {
            // iTXt: flag, method, language\0, translated keyword\0, text
            let flag = *rest.first()?;
            let mut r = rest.get(2..)?;
            for _ in 0..2 {
                let p = r.iter().position(|&c| c == 0)?;
                r = &r[p + 1..];
            }
            if flag == 1 { inflate(r)? } else { r.to_vec() }
        }
    };
    let s = std::str::from_utf8(&text).ok()?;
    let mut lines = s.trim_start_matches('\n').splitn(3, '\n');
    let _name = lines.next()?;
    let _len = lines.next()?;
    let hex: Vec<u8> = lines
        .next()?
        .bytes()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    hex.chunks_exact(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}

fn inflate(z: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::ZlibDecoder::new(z)
        .take(4 << 20)
        .read_to_end(&mut out)
        .ok()?;
    Some(out)
}

// ---------------------------------------------------------------- BMP

fn bmp(b: &[u8]) -> Result<Inspected, PreflightError> {
    const F: Format = Format::Bmp;
    let short = || corrupt(F, "truncated BMP: the file ends inside its header");
    let mut info = Inspected {
        orientation: 1,
        frames: 1,
        ..Default::default()
    };
    let off = u64::from(le32(b, 10).ok_or_else(short)?);
    let hdr = le32(b, 14).ok_or_else(short)?;
    let (w, h, bpp, comp): (i64, i64, u16, u32) = match hdr {
        12 => (
            i64::from(le16(b, 18).ok_or_else(short)?),
            i64::from(le16(b, 20).ok_or_else(short)?),
            le16(b, 24).ok_or_else(short)?,
            0,
        ),
        16 | 40 | 52 | 56 | 64 | 108 | 124 => {
            let w = i64::from(le32(b, 18).ok_or_else(short)? as i32);
            let h = i64::from(le32(b, 22).ok_or_else(short)? as i32);
            let bpp = le16(b, 28).ok_or_else(short)?;
            let comp = if hdr >= 40 {
                le32(b, 30).ok_or_else(short)?
            } else {
                0
            };
            (w, h, bpp, comp)
        }
        n => {
            return Err(corrupt(F, format!("damaged BMP: unknown header size {n}")));
        }
    };
    if hdr == 16 || hdr == 64 {
        info.needs.push("OS/2 2.x bitmap");
    }
    if w <= 0 || h == 0 || w > i64::from(u32::MAX) || h.abs() > i64::from(u32::MAX) {
        return Err(corrupt(
            F,
            format!("damaged BMP: its header gives a size of {w}x{h} px"),
        ));
    }
    info.width = w as u32;
    info.height = h.unsigned_abs() as u32;
    let embedded = hdr >= 40 && matches!(le32(b, 30), Some(4 | 5));
    let bpp_ok = matches!(bpp, 1 | 2 | 4 | 8 | 16 | 24 | 32) || (embedded && bpp == 0);
    if !bpp_ok {
        return Err(corrupt(F, format!("damaged BMP: invalid bit count {bpp}")));
    }
    if bpp == 2 {
        info.needs.push("2-bit bitmap");
    }
    match (comp, bpp) {
        (0, _) | (1, 8) | (2, 4) | (3, 16) | (3, 32) => {}
        (4, _) | (5, _) => {
            info.undecodable = Some(Undecodable {
                what: format!(
                    "BMP holding an embedded {}",
                    if comp == 4 { "JPEG" } else { "PNG" }
                ),
                pass: false,
            });
            return Ok(info);
        }
        (3, _) | (6, _) => info.needs.push("unusual bit fields"),
        _ => {
            return Err(corrupt(
                F,
                format!("damaged BMP: unknown compression {comp} for {bpp}-bit pixels"),
            ));
        }
    }
    if bpp == 32 && hdr >= 56 && le32(b, 54).unwrap_or(0) != 0 {
        info.needs.push("transparency");
    }
    if off < 14 + u64::from(hdr) || off > b.len() as u64 {
        return Err(corrupt(
            F,
            "damaged BMP: its pixel data offset points outside the file",
        ));
    }
    if comp == 0 || comp == 3 {
        let stride = (info.width as u64 * u64::from(bpp)).div_ceil(32) * 4;
        let need = off.saturating_add(stride.saturating_mul(u64::from(info.height)));
        if need > b.len() as u64 {
            return Err(corrupt(
                F,
                format!(
                    "truncated BMP: its pixels need {need} bytes but the file has {}",
                    b.len()
                ),
            ));
        }
    }
    Ok(info)
}

// ---------------------------------------------------------------- TIFF

fn tiff(b: &[u8]) -> Result<Inspected, PreflightError> {
    let mut dec = match tiff::decoder::Decoder::new(Cursor::new(b)) {
        Ok(d) => d,
        Err(tiff::TiffError::UnsupportedError(e)) => return tiff_unsupported(b, e.to_string()),
        Err(e) => return Err(tiff_corrupt(&e)),
    };
    let (w, h) = dec.dimensions().map_err(|e| tiff_corrupt(&e))?;
    let orientation = dec
        .find_tag(tiff::tags::Tag::Orientation)
        .ok()
        .flatten()
        .and_then(|v| v.into_u16().ok())
        .map(|v| u8::try_from(v).unwrap_or(u8::MAX))
        .unwrap_or(1);
    let mut pages = 1u32;
    while dec.more_images() && pages < 10_000 {
        if dec.next_image().is_err() {
            break;
        }
        pages += 1;
    }
    Ok(Inspected {
        width: w,
        height: h,
        orientation,
        frames: pages,
        ..Default::default()
    })
}

fn tiff_corrupt(e: &tiff::TiffError) -> PreflightError {
    let reason = match e {
        tiff::TiffError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            "truncated TIFF: a directory or strip points past the end of the file".to_string()
        }
        e => format!("damaged TIFF: {e}"),
    };
    corrupt(Format::Tiff, reason)
}

/// A TIFF the `tiff` crate cannot even open (e.g. no photometric
/// interpretation): size and orientation from the EXIF reader's view of
/// IFD0; not decodable here.
fn tiff_unsupported(b: &[u8], why: String) -> Result<Inspected, PreflightError> {
    let e = exif::Reader::new()
        .read_from_container(&mut Cursor::new(b))
        .map_err(|_| corrupt(Format::Tiff, format!("damaged TIFF: {why}")))?;
    let dim = |t| {
        e.get_field(t, exif::In::PRIMARY)
            .and_then(|f| f.value.get_uint(0))
            .unwrap_or(0)
    };
    Ok(Inspected {
        width: dim(exif::Tag::ImageWidth),
        height: dim(exif::Tag::ImageLength),
        orientation: orientation_of(&e),
        frames: 1,
        undecodable: Some(Undecodable {
            what: format!("this TIFF variant ({why})"),
            pass: true,
        }),
        ..Default::default()
    })
}

// ---------------------------------------------------------------- GIF, WebP

fn gif(b: &[u8]) -> Result<Inspected, PreflightError> {
    let w = u32::from(le16(b, 6).unwrap_or(0));
    let h = u32::from(le16(b, 8).unwrap_or(0));
    if b.len() < 13 {
        return Err(corrupt(
            Format::Gif,
            "truncated GIF: the file ends inside its header",
        ));
    }
    // The first frame may claim more than the logical screen: size the
    // canvas by both, so the pixel check sees what decoding would allocate.
    let (fw, fh) = gif_first_frame_extent(b).unwrap_or((0, 0));
    Ok(Inspected {
        width: if w == 0 { 0 } else { w.max(fw) },
        height: if h == 0 { 0 } else { h.max(fh) },
        orientation: 1,
        frames: 1,
        ..Default::default()
    })
}

/// Right and bottom edge of the first image descriptor (left + width,
/// top + height), skipping the colour table and extension blocks.
fn gif_first_frame_extent(b: &[u8]) -> Option<(u32, u32)> {
    let flags = *b.get(10)?;
    let mut i = 13usize;
    if flags & 0x80 != 0 {
        i += 3 << ((flags & 7) + 1);
    }
    loop {
        match *b.get(i)? {
            0x2C => {
                let l = u32::from(le16(b, i + 1)?);
                let t = u32::from(le16(b, i + 3)?);
                let w = u32::from(le16(b, i + 5)?);
                let h = u32::from(le16(b, i + 7)?);
                return Some((l + w, t + h));
            }
            0x21 => {
                i += 2;
                loop {
                    let n = usize::from(*b.get(i)?);
                    i += 1 + n;
                    if n == 0 {
                        break;
                    }
                }
            }
            _ => return None,
        }
    }
}

fn webp(b: &[u8]) -> Result<Inspected, PreflightError> {
    const F: Format = Format::WebP;
    let mut dec = image::codecs::webp::WebPDecoder::new(Cursor::new(b))
        .map_err(|e| corrupt(F, format!("damaged WebP: {e}")))?;
    let (w, h) = dec.dimensions();
    let frames = if dec.has_animation() { 2 } else { 1 };
    let mut warnings = Vec::new();
    let orientation = match dec.exif_metadata() {
        Ok(Some(raw)) => exif_orientation_raw(&raw, &mut warnings),
        _ => 1,
    };
    Ok(Inspected {
        width: w,
        height: h,
        orientation,
        frames,
        warnings,
        ..Default::default()
    })
}

// ---------------------------------------------------------------- HEIF/AVIF

/// Walks the top-level ISO-BMFF boxes: each must fit in the file, and a
/// `meta` box must be present.
fn iso_bmff(format: Format, b: &[u8]) -> Result<(), PreflightError> {
    let name = short(format);
    let mut i = 0usize;
    let mut meta = false;
    let mut count = 0;
    while i + 8 <= b.len() && count < 10_000 {
        count += 1;
        let size32 = be32(b, i).unwrap_or(0) as u64;
        let typ = &b[i + 4..i + 8];
        let (size, hdr) = match size32 {
            0 => ((b.len() - i) as u64, 8),
            1 => match b.get(i + 8..i + 16) {
                Some(s) => (u64::from_be_bytes(s.try_into().unwrap_or([0; 8])), 16),
                None => (u64::MAX, 16),
            },
            s => (s, 8),
        };
        if size < hdr || !typ.iter().all(|c| c.is_ascii_graphic() || *c == b' ') {
            return Err(corrupt(
                format,
                format!("damaged {name}: invalid box structure at byte {i}"),
            ));
        }
        if size > (b.len() - i) as u64 {
            return Err(corrupt(
                format,
                format!(
                    "truncated {name}: its '{}' box runs past the end of the file",
                    String::from_utf8_lossy(typ)
                ),
            ));
        }
        if typ == b"meta" {
            meta = true;
        }
        i += size as usize;
    }
    if !meta {
        return Err(corrupt(
            format,
            format!("damaged {name}: it has no 'meta' box describing its pictures"),
        ));
    }
    Ok(())
}
