//! Picture fields of a reading: recognise them (base64 of picture bytes),
//! and name the files they are saved to with `--save-images`.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use base64::Engine as _;
use sha2::{Digest, Sha256};

use anyhow::Result;

use crate::fs::{Open, create_atomic, is_already_exists, read_regular, safe_component};
use crate::preflight::{Format, sniff};

/// Decodes picture bytes (any format the build reads, guessed from the
/// bytes) refusing, before decoding, one over `max_side` px a side, and
/// any decoder allocation over `max_alloc` bytes. Fails with the
/// decoder's reason. Does not catch a decoder's panic: callers that decode
/// untrusted bytes do.
pub fn decode_limited(
    bytes: &[u8],
    max_side: u32,
    max_alloc: u64,
) -> Result<image::DynamicImage, String> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| e.to_string())?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(max_side);
    limits.max_image_height = Some(max_side);
    limits.max_alloc = Some(max_alloc);
    reader.limits(limits);
    reader.decode().map_err(|e| e.to_string())
}

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

/// Names and writes the pictures of each input: `<stem>.<key>.<ext>` in
/// one directory, so that no picture overwrites another's, in this run or
/// in another run writing to the same directory at the same time:
///
/// - inputs whose stems collide within the run (same name in different
///   folders, or names differing only by case) get the first 8 hex digits
///   of the SHA-256 of their path added to the stem, whatever order the
///   batch runs in;
/// - every file is created only where no file has that name yet (without
///   regard to case where the file system ignores it); a file there with
///   the same bytes is this picture already (a rerun) and is reused, one
///   with other bytes is kept, and this picture takes the hashed stem, or
///   failing that `-2`, `-3`… after the key;
/// - a key that comes twice in one reply (or two keys that become the same
///   safe name, or differ only by case) gets `-2`, `-3`… after the key.
pub struct PictureNamer {
    dir: PathBuf,
    /// Planned stem of each input.
    stems: Vec<String>,
    /// Stem with the path hash, for each input.
    hashed: Vec<String>,
    /// Names written in this run, lower-cased.
    written: Mutex<HashSet<String>>,
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

    /// Writes input number `index`'s picture `key` (`bytes` in `format`)
    /// under the first free name (see [`PictureNamer`]) and returns its
    /// path. For page `p` of a file of pages (`scan.pdf#p2`) the stem gets
    /// `_p<p>` (`scan_p2.crop_image.jpg`). `taken` holds the names (lower-cased) already given to this
    /// input's other pictures. Fails, naming the path, when the directory
    /// cannot be written.
    pub fn save(
        &self,
        (index, page): (usize, Option<usize>),
        key: &str,
        format: &str,
        bytes: &[u8],
        taken: &mut HashSet<String>,
    ) -> Result<PathBuf> {
        let key = safe_component(key);
        let ext = extension(format);
        let paged = |stem: &str| match page {
            Some(p) => format!("{stem}_p{p}"),
            None => stem.to_string(),
        };
        let stems = [paged(&self.stems[index]), paged(&self.hashed[index])];
        for n in 1u32.. {
            let suffix = if n == 1 {
                String::new()
            } else {
                format!("-{n}")
            };
            // The hashed stem is for a name another file holds on disk;
            // a name given in this run moves on to the next counter.
            for stem in &stems {
                let name = format!("{stem}.{key}{suffix}.{ext}");
                let folded = name.to_lowercase();
                if taken.contains(&folded) || self.written_contains(&folded) {
                    break;
                }
                let path = self.dir.join(&name);
                let ours = match create_atomic(&path, bytes) {
                    Ok(()) => true,
                    // A rerun finds its own picture there: a regular file
                    // of these bytes, read only when it has their length (a
                    // FIFO or a link to a device is passed over unread).
                    Err(e) if is_already_exists(&e) => {
                        read_regular(&path, Open::ReadNoFollow, bytes.len() as u64)
                            .is_ok_and(|old| old.is_some_and(|old| old == bytes))
                    }
                    Err(e) => return Err(e),
                };
                if ours {
                    self.written
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(folded.clone());
                    taken.insert(folded);
                    return Ok(path);
                }
            }
            if n > 10_000 {
                break;
            }
        }
        anyhow::bail!(
            "no free name for {}'s {key} in {}",
            stems[0],
            self.dir.display()
        )
    }

    fn written_contains(&self, folded: &str) -> bool {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(folded)
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

    fn name_of(p: &Path) -> &str {
        p.file_name().unwrap().to_str().unwrap()
    }

    #[test]
    fn colliding_stems_get_distinct_names() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let n = PictureNamer::new(d, &["a/id.jpg", "b/id.png", "c/other.jpg", "-", "d/ID.jpg"]);
        let mut t: [HashSet<String>; 5] = Default::default();
        let p0 = n
            .save((0, None), "crop_image", "jpeg", b"x", &mut t[0])
            .unwrap();
        let p1 = n
            .save((1, None), "crop_image", "jpeg", b"y", &mut t[1])
            .unwrap();
        let p4 = n
            .save((4, None), "crop_image", "jpeg", b"z", &mut t[4])
            .unwrap();
        assert_ne!(p0, p1);
        assert!(name_of(&p0).starts_with("id-"));
        // Stems differing only by case collide too.
        assert!(name_of(&p4).starts_with("ID-"), "{p4:?}");
        assert_eq!(
            n.save((2, None), "head_portrait", "png", b"z", &mut t[2])
                .unwrap(),
            d.join("other.head_portrait.png")
        );
        assert_eq!(
            n.save((3, None), "x", "bmp", b"w", &mut t[3]).unwrap(),
            d.join("stdin.x.bmp")
        );
        // The same key twice in one reply, and a key differing only by case.
        assert_eq!(
            n.save((2, None), "head_portrait", "png", b"v", &mut t[2])
                .unwrap(),
            d.join("other.head_portrait-2.png")
        );
        assert_eq!(
            n.save((2, None), "HEAD_PORTRAIT", "png", b"u", &mut t[2])
                .unwrap(),
            d.join("other.HEAD_PORTRAIT-3.png")
        );
        assert_eq!(
            std::fs::read(d.join("other.head_portrait-2.png")).unwrap(),
            b"v"
        );
    }

    #[test]
    fn an_earlier_or_other_runs_picture_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("x.head_portrait.png"), b"first person").unwrap();
        let n = PictureNamer::new(d, &["b/x.jpg"]);
        let p = n
            .save(
                (0, None),
                "head_portrait",
                "png",
                b"second person",
                &mut HashSet::new(),
            )
            .unwrap();
        assert!(name_of(&p).starts_with("x-"), "{p:?}");
        assert_eq!(
            std::fs::read(d.join("x.head_portrait.png")).unwrap(),
            b"first person"
        );
        // A rerun of the first input finds its own bytes and reuses the name.
        let again = PictureNamer::new(d, &["a/x.jpg"]);
        let q = again
            .save(
                (0, None),
                "head_portrait",
                "png",
                b"first person",
                &mut HashSet::new(),
            )
            .unwrap();
        assert_eq!(q, d.join("x.head_portrait.png"));
        // Another process with the same label and other bytes: neither the
        // plain nor the hashed name is taken over.
        let other = PictureNamer::new(d, &["b/x.jpg"]);
        let r = other
            .save(
                (0, None),
                "head_portrait",
                "png",
                b"third person",
                &mut HashSet::new(),
            )
            .unwrap();
        assert_ne!(r, p);
        assert_eq!(std::fs::read(&p).unwrap(), b"second person");
        assert_eq!(std::fs::read(&r).unwrap(), b"third person");
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
