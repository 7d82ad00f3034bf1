//! Picture fields of a reading: recognise them (base64 of picture bytes),
//! and name the files they are saved to with `--save-images`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::fs::safe_component;
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

/// Names the pictures of each input: `<stem>.<key>.<ext>` in one directory,
/// so that no picture overwrites another's:
///
/// - inputs whose stems collide within the run (same name in different
///   folders) get the first 8 hex digits of the SHA-256 of their path added
///   to the stem, whatever order the batch runs in;
/// - a file left by an earlier run under the plain name, with other bytes,
///   is kept: this input's picture takes the hashed stem instead (a rerun of
///   the same input finds its own bytes and reuses the plain name);
/// - a key that comes twice in one reply (or two keys that become the same
///   safe name) gets `-2`, `-3`… after the key.
pub struct PictureNamer {
    dir: PathBuf,
    /// Planned stem of each input.
    stems: Vec<String>,
    /// Stem with the path hash, for each input.
    hashed: Vec<String>,
    /// Paths written in this run.
    written: Mutex<HashSet<PathBuf>>,
}

impl PictureNamer {
    /// Plans the stems of `labels` (input paths as given, in input order).
    pub fn new(dir: &Path, labels: &[&str]) -> Self {
        let raw: Vec<String> = labels.iter().map(|l| stem_of(l)).collect();
        let mut counts: HashMap<String, usize> = HashMap::new();
        for s in &raw {
            *counts.entry(s.to_lowercase()).or_default() += 1;
        }
        let hashed: Vec<String> = raw
            .iter()
            .zip(labels)
            .map(|(stem, label)| {
                let hash = Sha256::digest(label.as_bytes());
                format!(
                    "{stem}-{:02x}{:02x}{:02x}{:02x}",
                    hash[0], hash[1], hash[2], hash[3]
                )
            })
            .collect();
        let stems = raw
            .iter()
            .zip(&hashed)
            .map(|(stem, h)| {
                if counts[&stem.to_lowercase()] > 1 {
                    h.clone()
                } else {
                    stem.clone()
                }
            })
            .collect();
        PictureNamer {
            dir: dir.to_path_buf(),
            stems,
            hashed,
            written: Mutex::new(HashSet::new()),
        }
    }

    /// Chooses the path for input number `index`'s picture `key` holding
    /// `bytes` in `format`, and reserves it for this run. `taken` holds the
    /// paths already given to this input's other pictures.
    pub fn claim(
        &self,
        index: usize,
        key: &str,
        format: &str,
        bytes: &[u8],
        taken: &mut HashSet<PathBuf>,
    ) -> PathBuf {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        let plain = &self.stems[index];
        let key = safe_component(key);
        let ext = extension(format);
        let mut chosen = None;
        for n in 1.. {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("-{n}")
            };
            let name = |stem: &str| self.dir.join(format!("{stem}.{key}{suffix}.{ext}"));
            let first = name(plain);
            if taken.contains(&first) || written.contains(&first) {
                continue;
            }
            let foreign = std::fs::read(&first).is_ok_and(|old| old != bytes);
            if !foreign {
                chosen = Some(first);
                break;
            }
            // An earlier run left another picture there: keep it, and use
            // this input's own hashed name (an old file there is an earlier
            // run's picture of this same input, replaced).
            let second = name(&self.hashed[index]);
            if !taken.contains(&second) && !written.contains(&second) {
                chosen = Some(second);
                break;
            }
        }
        let path = chosen.expect("the loop always chooses");
        written.insert(path.clone());
        taken.insert(path.clone());
        path
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_stems_get_distinct_names() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let n = PictureNamer::new(d, &["a/id.jpg", "b/id.png", "c/other.jpg", "-"]);
        let mut t = [
            HashSet::new(),
            HashSet::new(),
            HashSet::new(),
            HashSet::new(),
        ];
        let p0 = n.claim(0, "crop_image", "jpeg", b"x", &mut t[0]);
        let p1 = n.claim(1, "crop_image", "jpeg", b"y", &mut t[1]);
        assert_ne!(p0, p1);
        assert!(p0.file_name().unwrap().to_str().unwrap().starts_with("id-"));
        assert_eq!(
            n.claim(2, "head_portrait", "png", b"z", &mut t[2]),
            d.join("other.head_portrait.png")
        );
        assert_eq!(
            n.claim(3, "x", "bmp", b"w", &mut t[3]),
            d.join("stdin.x.bmp")
        );
        // The same key twice in one reply.
        assert_eq!(
            n.claim(2, "head_portrait", "png", b"v", &mut t[2]),
            d.join("other.head_portrait-2.png")
        );
    }

    #[test]
    fn an_earlier_runs_picture_of_another_input_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("x.head_portrait.png"), b"first person").unwrap();
        let n = PictureNamer::new(d, &["b/x.jpg"]);
        let p = n.claim(
            0,
            "head_portrait",
            "png",
            b"second person",
            &mut HashSet::new(),
        );
        assert_ne!(p, d.join("x.head_portrait.png"));
        assert!(p.file_name().unwrap().to_str().unwrap().starts_with("x-"));
        // A rerun of the first input finds its own bytes and reuses the name.
        let again = PictureNamer::new(d, &["a/x.jpg"]);
        let q = again.claim(
            0,
            "head_portrait",
            "png",
            b"first person",
            &mut HashSet::new(),
        );
        assert_eq!(q, d.join("x.head_portrait.png"));
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
