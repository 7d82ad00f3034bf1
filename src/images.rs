//! Picture fields of a reply: recognise them, and write them to disk safely
//! and atomically.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::preflight::{Format, sniff};

/// The format of picture bytes from their magic number ([`sniff`]):
/// `jpeg`, `png`, `gif`, `bmp`, `webp` or `tiff`; `None` for anything else.
pub fn picture_format(bytes: &[u8]) -> Option<&'static str> {
    match sniff(bytes) {
        Format::Jpeg => Some("jpeg"),
        Format::Png => Some("png"),
        Format::Gif => Some("gif"),
        Format::Bmp => Some("bmp"),
        Format::WebP => Some("webp"),
        Format::Tiff => Some("tiff"),
        _ => None,
    }
}

/// File extension for a format name from [`picture_format`].
pub fn extension(format: &str) -> &'static str {
    match format {
        "jpeg" => "jpg",
        "png" => "png",
        "gif" => "gif",
        "bmp" => "bmp",
        "webp" => "webp",
        _ => "tif",
    }
}

/// Decodes an item value that holds a picture: base64 (standard alphabet;
/// white space and a `data:…;base64,` prefix tolerated) of bytes with a
/// known picture magic number. Returns the bytes and their format; `None`
/// for ordinary text.
pub fn decode_picture(value: &str) -> Option<(Vec<u8>, &'static str)> {
    // Text fields are short; a picture is at least a few dozen bytes.
    if value.len() < 32 {
        return None;
    }
    let body = match value.find(";base64,") {
        Some(i) if value.starts_with("data:") => &value[i + 8..],
        _ => value,
    };
    let compact: String;
    let body = if body.bytes().any(|b| b.is_ascii_whitespace()) {
        compact = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        compact.as_str()
    } else {
        body
    };
    let engine = &base64::engine::general_purpose::STANDARD;
    let bytes = engine
        .decode(body)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(body))
        .ok()?;
    let format = picture_format(&bytes)?;
    Some((bytes, format))
}

/// Makes a key or a file stem safe as one path component: letters and
/// digits of any script, `-`, `_` and `.` are kept, everything else (path
/// separators, `..`, control characters, spaces) becomes `_`; a leading dot
/// is replaced too, and the result is never empty and at most 100 characters.
pub fn safe_component(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .take(100)
        .collect();
    if out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    if out.is_empty() || out.chars().all(|c| c == '_' || c == '.') {
        out = format!("_{out}");
    }
    out
}

/// Names the pictures of each input: `<stem>.<key>.<ext>` in one directory.
/// Inputs whose stems collide (same name in different folders) get the first
/// 8 hex digits of the SHA-256 of their full path added to the stem, so no
/// input overwrites another's pictures, whatever order the batch runs in.
pub struct PictureNamer {
    dir: PathBuf,
    stems: Vec<String>,
}

impl PictureNamer {
    /// Plans the stems of `labels` (input paths as given, in input order).
    pub fn new(dir: &Path, labels: &[&str]) -> Self {
        let raw: Vec<String> = labels.iter().map(|l| stem_of(l)).collect();
        let mut counts: HashMap<String, usize> = HashMap::new();
        for s in &raw {
            *counts.entry(s.to_lowercase()).or_default() += 1;
        }
        let stems = raw
            .into_iter()
            .zip(labels)
            .map(|(stem, label)| {
                if counts[&stem.to_lowercase()] > 1 {
                    let hash = Sha256::digest(label.as_bytes());
                    format!(
                        "{stem}-{:02x}{:02x}{:02x}{:02x}",
                        hash[0], hash[1], hash[2], hash[3]
                    )
                } else {
                    stem
                }
            })
            .collect();
        PictureNamer {
            dir: dir.to_path_buf(),
            stems,
        }
    }

    /// Path for input number `index`'s picture `key` in `format`.
    pub fn path(&self, index: usize, key: &str, format: &str) -> PathBuf {
        self.dir.join(format!(
            "{}.{}.{}",
            self.stems[index],
            safe_component(key),
            extension(format)
        ))
    }
}

fn stem_of(label: &str) -> String {
    if label == "-" {
        return "stdin".to_string();
    }
    let stem = Path::new(label)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    safe_component(&stem)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, flushed, then renamed over `path`. Creates the directory.
/// Fails with the path named when the directory cannot be created or
/// written.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".xocr-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_component_cannot_escape() {
        assert_eq!(safe_component("../../etc/passwd"), "_._.._etc_passwd");
        assert_eq!(safe_component(".hidden"), "_hidden");
        assert_eq!(safe_component(""), "_");
        assert_eq!(safe_component(".."), "__.");
        assert_eq!(safe_component("head_portrait"), "head_portrait");
        assert_eq!(safe_component("身份证 正面 (1)"), "身份证_正面__1_");
        assert!(!safe_component("a/b\\c\0d").contains(['/', '\\', '\0']));
    }

    #[test]
    fn colliding_stems_get_distinct_names() {
        let n = PictureNamer::new(
            Path::new("out"),
            &["a/id.jpg", "b/id.png", "c/other.jpg", "-"],
        );
        let p0 = n.path(0, "crop_image", "jpeg");
        let p1 = n.path(1, "crop_image", "jpeg");
        assert_ne!(p0, p1);
        assert!(p0.to_str().unwrap().starts_with("out/id-"));
        assert_eq!(
            n.path(2, "head_portrait", "png"),
            Path::new("out/other.head_portrait.png")
        );
        assert_eq!(n.path(3, "x", "bmp"), Path::new("out/stdin.x.bmp"));
    }

    #[test]
    fn decode_picture_needs_picture_magic() {
        let png = [
            0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 1, 2, 3, 4, 5, 6, 7, 8, 9,
            10, 11, 12, 13, 14, 15, 16, 17,
        ];
        let b64 = base64::engine::general_purpose::STANDARD.encode(png);
        let (bytes, format) = decode_picture(&b64).unwrap();
        assert_eq!((bytes.len(), format), (png.len(), "png"));
        let with_prefix = format!("data:image/png;base64,{b64}");
        assert_eq!(decode_picture(&with_prefix).unwrap().1, "png");
        assert!(decode_picture("310102197707077777").is_none());
        let text =
            base64::engine::general_purpose::STANDARD.encode("just some text that is long enough");
        assert!(decode_picture(&text).is_none());
    }
}
