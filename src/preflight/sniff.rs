//! Format sniffing from magic bytes (never from the file name).

use super::Format;

/// Sniffs the format of `bytes` from its leading (and, for TGA, trailing)
/// magic bytes only; the file name and extension are never consulted.
///
/// Returns [`Format::NotPicture`] with a short description of what the bytes
/// look like (`"empty"`, `"plain text"`, `"HTML"`, `"a ZIP archive"` …) when
/// no picture format matches. Reads at most the first 4 KiB and the last
/// 18 bytes; never panics, whatever the input.
pub fn sniff(bytes: &[u8]) -> Format {
    let b = bytes;
    if b.is_empty() {
        return Format::NotPicture("empty");
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Format::Jpeg;
    }
    if looks_like_png_signature(b) {
        return Format::Png;
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return Format::Gif;
    }
    if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Format::WebP;
    }
    if b.starts_with(b"II*\0")
        || b.starts_with(b"MM\0*")
        || b.starts_with(b"II+\0")
        || b.starts_with(b"MM\0+")
    {
        return Format::Tiff;
    }
    if is_bmp(b) {
        return Format::Bmp;
    }
    if b.starts_with(&[
        0, 0, 0, 0x0C, b'j', b'P', b' ', b' ', 0x0D, 0x0A, 0x87, 0x0A,
    ]) || b.starts_with(&[0xFF, 0x4F, 0xFF, 0x51])
    {
        return Format::Jpeg2000;
    }
    if b.starts_with(&[0xFF, 0x0A])
        || b.starts_with(&[
            0, 0, 0, 0x0C, b'J', b'X', b'L', b' ', 0x0D, 0x0A, 0x87, 0x0A,
        ])
    {
        return Format::JpegXl;
    }
    if let Some(f) = iso_bmff(b) {
        return f;
    }
    if b.starts_with(b"8BPS") {
        return Format::Psd;
    }
    if b.len() >= 6 && b.starts_with(&[0, 0, 1, 0]) && b[4] != 0 && b[5] == 0 {
        return Format::Ico;
    }
    if b.len() >= 26 && &b[b.len() - 18..b.len() - 2] == b"TRUEVISION-XFILE" {
        return Format::Tga;
    }
    let head = &b[..b.len().min(4096)];
    if find(&head[..head.len().min(1024)], b"%PDF-").is_some() {
        return Format::Pdf;
    }
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Format::NotPicture("a ZIP archive (or an Office/ODF document)");
    }
    if head.starts_with(&[0x1F, 0x8B]) {
        return Format::NotPicture("a gzip archive");
    }
    if head.starts_with(b"7z\xBC\xAF\x27\x1C") {
        return Format::NotPicture("a 7-Zip archive");
    }
    if head.starts_with(b"Rar!\x1A\x07") {
        return Format::NotPicture("a RAR archive");
    }
    if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Format::NotPicture("an old Microsoft Office document");
    }
    if head.starts_with(b"\x7FELF") {
        return Format::NotPicture("an executable program (ELF)");
    }
    if head.starts_with(b"MZ") {
        return Format::NotPicture("a Windows executable");
    }
    if head.starts_with(b"ID3") || head.starts_with(b"OggS") || head.starts_with(b"fLaC") {
        return Format::NotPicture("an audio file");
    }
    if head.len() >= 12 && &head[0..4] == b"RIFF" {
        return Format::NotPicture("a RIFF media file (audio or video)");
    }
    if head.starts_with(b"%!PS") {
        return Format::NotPicture("a PostScript document");
    }
    if head.starts_with(b"{\\rtf") {
        return Format::NotPicture("an RTF document");
    }
    if let Some(text) = as_text(head) {
        let lower = text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .to_ascii_lowercase();
        if lower.contains("<svg") {
            return Format::Svg;
        }
        if lower.starts_with("<!doctype html")
            || lower.starts_with("<html")
            || lower.contains("<html")
        {
            return Format::NotPicture("HTML");
        }
        if lower.starts_with("<?xml") || lower.starts_with('<') {
            return Format::NotPicture("XML");
        }
        if lower.starts_with('{') || lower.starts_with('[') {
            return Format::NotPicture("JSON or other structured text");
        }
        if lower.starts_with("data:image/") {
            return Format::NotPicture("a data: URL (text); decode the base64 first");
        }
        return Format::NotPicture("plain text");
    }
    Format::NotPicture("binary data of an unknown kind")
}

/// The PNG signature, or a damaged copy of it (wrong case, high bit lost, line
/// endings converted by a text-mode transfer): still "a PNG", so that the
/// structure check can name the damage.
fn looks_like_png_signature(b: &[u8]) -> bool {
    if b.len() < 4 {
        return false;
    }
    if b.starts_with(b"\x89PNG") {
        return true;
    }
    let lead_ok = b[0] & 0x7F == 0x09;
    let letters = b[1..4].to_ascii_uppercase();
    let matches = letters.iter().zip(b"PNG").filter(|(x, y)| x == y).count();
    lead_ok && matches >= 2
}

fn is_bmp(b: &[u8]) -> bool {
    if b.len() < 18 || !b.starts_with(b"BM") {
        return false;
    }
    let hdr = u32::from_le_bytes([b[14], b[15], b[16], b[17]]);
    // Known header sizes, plus any plausible size: broken headers are still
    // BMPs as far as naming the damage goes.
    (12..=256).contains(&hdr)
}

/// ISO base media file format (HEIF, AVIF, JPEG 2000 family, MP4 …).
fn iso_bmff(b: &[u8]) -> Option<Format> {
    if b.len() < 16 || &b[4..8] != b"ftyp" {
        return None;
    }
    let size = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
    let end = size.clamp(16, b.len().min(256));
    let major = &b[8..12];
    let mut brands: Vec<&[u8]> = vec![major];
    let mut i = 16;
    while i + 4 <= end {
        brands.push(&b[i..i + 4]);
        i += 4;
    }
    let has = |list: &[&[u8]]| brands.iter().any(|x| list.contains(x));
    if major == b"avif" || major == b"avis" {
        return Some(Format::Avif);
    }
    if has(&[
        b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs",
    ]) {
        return Some(Format::Heif);
    }
    if has(&[b"avif", b"avis"]) {
        return Some(Format::Avif);
    }
    if has(&[b"mif1", b"msf1"]) {
        return Some(Format::Heif);
    }
    if has(&[b"jp2 ", b"jpx ", b"jpm "]) {
        return Some(Format::Jpeg2000);
    }
    if has(&[b"crx "]) {
        return Some(Format::NotPicture("a Canon raw photo (CR3)"));
    }
    Some(Format::NotPicture("an MP4/QuickTime video"))
}

fn as_text(head: &[u8]) -> Option<&str> {
    // A multi-byte UTF-8 sequence may be cut at the 4 KiB boundary.
    let s = match std::str::from_utf8(head) {
        Ok(s) => s,
        Err(e) if e.error_len().is_none() && e.valid_up_to() + 4 > head.len() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).ok()?
        }
        Err(_) => return None,
    };
    let bad = s
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    (bad == 0).then_some(s)
}

pub(crate) fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || hay.len() < needle.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}
