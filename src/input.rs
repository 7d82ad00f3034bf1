//! Turns the command line's INPUTs into an ordered, de-duplicated list of
//! inputs, and reads their bytes. Never talks to the network.

use std::collections::HashSet;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::exit::usage;

/// Largest input file read, bytes. Anything bigger cannot become a picture
/// of at most 10 MB without absurd memory use, and is rejected unread.
pub const MAX_INPUT_BYTES: u64 = 256 * 1024 * 1024;

/// File name extensions (lower case) taken from directories with `-r`, and
/// matched without regard to case in glob patterns: pictures, and PDF
/// (scanned documents, read page by page).
pub const PICTURE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "jfif", "png", "bmp", "dib", "tif", "tiff", "webp", "gif", "heic",
    "heif", "avif", "pdf",
];

/// Where an input's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A path on disk.
    Path(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

/// Longest line of a `--files-from` list, bytes: Linux's PATH_MAX, so no
/// path is longer.
pub const MAX_LIST_LINE_BYTES: usize = 4096;
/// Most lines a `--files-from` list may have (blank ones included).
pub const MAX_LIST_LINES: usize = 1_000_000;
/// Largest `--files-from` list, bytes.
pub const MAX_LIST_BYTES: u64 = 256 * 1024 * 1024;

/// One input, in the order it will be scanned and printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The input as shown in output: the path as the user (or the directory
    /// walk) gave it, or `-`; see [`label_of`] for names that are not
    /// printable UTF-8. No two inputs have the same label.
    pub label: String,
    pub source: Source,
}

/// Options for [`expand`].
pub struct ExpandOptions<'a> {
    /// Descend into directories.
    pub recursive: bool,
    /// `--files-from`: a path, or `-` for standard input.
    pub files_from: Option<&'a str>,
}

/// Expands INPUT arguments (and `--files-from`) into inputs, in order, each
/// file once. A glob pattern (a word with `*`, `?` or `[` that is not an
/// existing path) is expanded here, sorted; one that matches nothing is a
/// usage error naming it. A directory is walked (sorted, hidden entries
/// skipped, pictures recognised by extension) with `recursive`; without it,
/// it stays one input that fails with a hint to use `-r`. Paths that do not
/// exist stay inputs too and fail when read, so the rest of the batch runs.
/// `stdin` is read for `--files-from -`.
pub fn expand(args: &[String], opts: &ExpandOptions, stdin: impl BufRead) -> Result<Vec<Input>> {
    let mut words: Vec<String> = args.to_vec();
    if let Some(list) = opts.files_from {
        if list == "-" && args.iter().any(|a| a == "-") {
            return Err(usage(
                "standard input cannot be both --files-from - and a picture (-)",
            ));
        }
        let text = if list == "-" {
            read_list(stdin, "-")
        } else {
            std::fs::File::open(list)
                .map_err(|e| usage(format!("cannot read --files-from {list}: {e}")))
                .map(std::io::BufReader::new)
                .map(|r| read_list(r, list))?
        }?;
        // Lines are literal paths, never patterns.
        words.extend(text.into_iter().map(|l| format!("\0{l}")));
    }

    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut stdin_seen = false;
    for word in words {
        let (literal, word) = match word.strip_prefix('\0') {
            Some(w) => (true, w.to_string()),
            None => (false, word),
        };
        if word == "-" && !literal {
            if !stdin_seen {
                stdin_seen = true;
                out.push(Input {
                    label: "-".into(),
                    source: Source::Stdin,
                });
            }
            continue;
        }
        let path = PathBuf::from(&word);
        let exists = path.symlink_metadata().is_ok();
        if !literal && !exists && is_pattern(&word) {
            let matches = glob_matches(&word, false)?;
            if matches.is_empty() {
                let other_case = glob_matches(&word, true)?;
                return Err(usage(match other_case.first() {
                    Some(m) => format!(
                        "no file matches the pattern {word:?}, but {} does in another case \
                         (patterns match case as written, but for picture extensions such as .jpg)",
                        label_of(m)
                    ),
                    None => format!("no file matches the pattern {word:?}"),
                }));
            }
            for m in matches {
                add_path(m, opts.recursive, &mut out, &mut seen);
            }
        } else {
            add_path(path, opts.recursive, &mut out, &mut seen);
        }
    }
    Ok(out)
}

/// Reads a `--files-from` list: one path a line (`\n` or `\r\n`), blank
/// lines skipped, a byte-order mark at the start ignored. Fails with a usage
/// error naming the list and the line when a line is longer than
/// [`MAX_LIST_LINE_BYTES`] or not UTF-8, or the list has more than
/// [`MAX_LIST_LINES`] lines or [`MAX_LIST_BYTES`] bytes, so that
/// `--files-from /dev/zero` stops at once instead of filling memory.
fn read_list(r: impl BufRead, name: &str) -> Result<Vec<String>> {
    let mut r = r.take(MAX_LIST_BYTES + 1);
    let mut lines = Vec::new();
    let mut line = Vec::new();
    let mut read: u64 = 0;
    for n in 1.. {
        line.clear();
        let got = (&mut r)
            .take(MAX_LIST_LINE_BYTES as u64 + 2)
            .read_until(b'\n', &mut line)
            .map_err(|e| usage(format!("cannot read --files-from {name}: {e}")))?;
        if got == 0 {
            break;
        }
        read += got as u64;
        if read > MAX_LIST_BYTES {
            return Err(usage(format!(
                "--files-from {name} is larger than {} MiB: split the list",
                MAX_LIST_BYTES >> 20
            )));
        }
        if n > MAX_LIST_LINES {
            return Err(usage(format!(
                "--files-from {name} has more than {MAX_LIST_LINES} lines: split the list"
            )));
        }
        let ended = line.last() == Some(&b'\n');
        if ended {
            line.pop();
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        if line.len() > MAX_LIST_LINE_BYTES || (!ended && got > MAX_LIST_LINE_BYTES) {
            return Err(usage(format!(
                "--files-from {name}: line {n} is longer than {MAX_LIST_LINE_BYTES} bytes, longer than any path (is it a list of paths, one a line?)"
            )));
        }
        let Ok(text) = std::str::from_utf8(&line) else {
            return Err(usage(format!(
                "--files-from {name}: line {n} is not UTF-8 text"
            )));
        };
        // A byte-order mark, as Windows editors write, is not part of a path.
        let text = if n == 1 {
            text.trim_start_matches('\u{feff}')
        } else {
            text
        };
        if !text.trim().is_empty() {
            lines.push(text.to_string());
        }
    }
    Ok(lines)
}

fn is_pattern(word: &str) -> bool {
    word.contains(['*', '?', '['])
}

/// Expands a glob pattern as a shell does: `*`, `?` and `[…]` within one
/// name, `**` for any number of folders; a wildcard does not match a
/// leading dot; unreadable folders are skipped. A picture extension
/// written out at the end of a name (`*.jpg`, `IMG_*.heic`, see
/// [`PICTURE_EXTENSIONS`]) matches in any case (`A.JPG`, `IMG_0001.HEIC`);
/// the rest of the pattern matches case as written, or in any case at all
/// with `fold` (for the hint when nothing matched). Walked here, one path
/// component at a time with [`glob::Pattern`], rather than with
/// `glob::glob`, which panics on a folder holding a name that is not UTF-8:
/// such a name is matched as its lossy UTF-8 text. Sorted.
fn glob_matches(pattern: &str, fold: bool) -> Result<Vec<PathBuf>> {
    glob::Pattern::new(pattern).map_err(|e| usage(format!("bad glob pattern {pattern:?}: {e}")))?;
    let mut found: Vec<PathBuf> = vec![PathBuf::new()];
    let components: Vec<std::path::Component> = Path::new(pattern).components().collect();
    for (i, component) in components.iter().enumerate() {
        let last = i + 1 == components.len();
        let text = component.as_os_str().to_string_lossy();
        let mut next = Vec::new();
        let literal = !is_pattern(&text);
        let is_root_or_dots = !matches!(component, std::path::Component::Normal(_));
        if text == "**" {
            for base in &found {
                next.push(base.clone());
                next.extend(sub_dirs(base));
            }
        } else if literal && (!fold || is_root_or_dots) {
            for base in &found {
                let p = base.join(component.as_os_str());
                if p.symlink_metadata().is_ok() {
                    next.push(p);
                }
            }
        } else {
            let source = if literal {
                glob::Pattern::escape(&text)
            } else {
                text.to_string()
            };
            let part = NamePattern::new(&source, fold)
                .map_err(|e| usage(format!("bad glob pattern {pattern:?}: {e}")))?;
            for base in &found {
                let dir = if base.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    base.as_path()
                };
                let Ok(entries) = std::fs::read_dir(dir) else {
                    continue;
                };
                for entry in entries.flatten() {
                    let name = entry.file_name();
                    let lossy = name.to_string_lossy();
                    if lossy.starts_with('.') && !text.starts_with('.') {
                        continue;
                    }
                    if part.matches(&lossy) {
                        next.push(base.join(&name));
                    }
                }
            }
        }
        if !last {
            // Only folders lead further.
            next.retain(|p| p.as_os_str().is_empty() || p.is_dir());
        }
        found = next;
    }
    found.retain(|p| !p.as_os_str().is_empty());
    found.sort();
    found.dedup();
    Ok(found)
}

/// One name's pattern: as written, and, when it ends in a picture
/// extension written out (`*.jpg`), its stem with that extension in any
/// case.
struct NamePattern {
    whole: glob::Pattern,
    stem_and_ext: Option<(glob::Pattern, String)>,
    options: glob::MatchOptions,
}

impl NamePattern {
    fn new(text: &str, fold: bool) -> Result<NamePattern, glob::PatternError> {
        let options = glob::MatchOptions {
            require_literal_leading_dot: true,
            case_sensitive: !fold,
            ..glob::MatchOptions::new()
        };
        let stem_and_ext = match text.rsplit_once('.') {
            Some((stem, ext))
                if !stem.is_empty()
                    && PICTURE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) =>
            {
                Some((glob::Pattern::new(stem)?, ext.to_ascii_lowercase()))
            }
            _ => None,
        };
        Ok(NamePattern {
            whole: glob::Pattern::new(text)?,
            stem_and_ext,
            options,
        })
    }

    fn matches(&self, name: &str) -> bool {
        if self.whole.matches_with(name, self.options) {
            return true;
        }
        match (&self.stem_and_ext, name.rsplit_once('.')) {
            (Some((stem, ext)), Some((name_stem, name_ext))) => {
                name_ext.eq_ignore_ascii_case(ext) && stem.matches_with(name_stem, self.options)
            }
            _ => false,
        }
    }
}

/// Every folder below `base` (not `base` itself), hidden ones and those
/// below them skipped, symbolic links not followed.
fn sub_dirs(base: &Path) -> Vec<PathBuf> {
    let root = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    walkdir::WalkDir::new(root)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .flatten()
        .filter(|e| e.file_type().is_dir())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap_or(e.path());
            base.join(rel)
        })
        .collect()
}

fn add_path(path: PathBuf, recursive: bool, out: &mut Vec<Input>, seen: &mut HashSet<PathBuf>) {
    if recursive && path.is_dir() {
        let walker = walkdir::WalkDir::new(&path)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_dir() => {}
                Ok(e) if has_picture_extension(e.path()) || looks_like_picture(e.path()) => {
                    push(e.into_path(), out, seen)
                }
                Ok(_) => {}
                // An unreadable folder inside the tree: keep it as an input
                // so its error is reported with the rest of the batch.
                Err(e) => {
                    if let Some(p) = e.path() {
                        push(p.to_path_buf(), out, seen);
                    }
                }
            }
        }
    } else {
        push(path, out, seen);
    }
}

fn push(path: PathBuf, out: &mut Vec<Input>, seen: &mut HashSet<PathBuf>) {
    let identity = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
    if seen.insert(identity) {
        out.push(Input {
            label: label_of(&path),
            source: Source::Path(path),
        });
    }
}

/// How a path is shown in output: as it is when it is UTF-8 text without
/// a backslash, a control character or a bidirectional control; otherwise
/// escaped, losslessly: `\` as `\\`, a byte that is not UTF-8 as `\xB6`,
/// a control character as `\x1b` or `\u{9b}`, a bidi control as `\u{202e}`
/// (see [`crate::safe_text::terminal_safe`]). An escaped label always
/// holds a backslash and a plain one never does, so two paths never get
/// the same label.
pub fn label_of(path: &Path) -> String {
    use crate::safe_text::terminal_safe;
    use std::os::unix::ffi::OsStrExt;
    let bytes = path.as_os_str().as_bytes();
    if let Ok(text) = std::str::from_utf8(bytes)
        && !text.contains('\\')
        && matches!(terminal_safe(text), std::borrow::Cow::Borrowed(_))
    {
        return text.to_string();
    }
    let mut out = String::with_capacity(bytes.len() + 8);
    for chunk in bytes.utf8_chunks() {
        out.push_str(&terminal_safe(&chunk.valid().replace('\\', "\\\\")));
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// Keeps the inputs of shard `k` of `n` (1-based): those whose label's
/// SHA-256, its first 8 bytes read as a big-endian number, is `k - 1`
/// modulo `n`. The split depends only on the labels, so every machine given
/// the same list agrees, and the shards never overlap.
pub fn shard(inputs: Vec<Input>, k: u32, n: u32) -> Vec<Input> {
    use sha2::{Digest, Sha256};
    inputs
        .into_iter()
        .filter(|i| {
            let h = Sha256::digest(i.label.as_bytes());
            let mut first = [0u8; 8];
            first.copy_from_slice(&h[..8]);
            u64::from_be_bytes(first) % u64::from(n) == u64::from(k - 1)
        })
        .collect()
}

/// True when the file's first bytes are those of a picture or document
/// format ([`crate::preflight::sniff`]), whatever its name: a folder walk
/// takes `scan-0001` and `photo.dat` too, and skips text and other files.
/// Only a regular file is opened (a FIFO, socket or device is not a
/// picture, and opening a FIFO waits for a writer), and it is opened
/// without waiting ([`crate::fs::open_regular`]) and checked again once open, so a
/// file swapped for a FIFO meanwhile cannot hang the walk either.
fn looks_like_picture(path: &Path) -> bool {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return false;
    }
    let Some(head) = sniff_head(path) else {
        return false;
    };
    !matches!(
        crate::preflight::sniff(&head),
        crate::preflight::Format::NotPicture(_)
    )
}

/// The first 512 bytes of `path` when, once opened, it is a regular file
/// (opened without waiting: [`crate::fs::open_regular`]).
fn sniff_head(path: &Path) -> Option<Vec<u8>> {
    peek(path, 512)
}

/// The first `n` bytes (or fewer, at the end) of `path` when it is a
/// regular file, opened without waiting ([`crate::fs::open_regular`]), so
/// that a FIFO or device is never waited on; `None` when it is not one or
/// cannot be read (reading it in full then names the reason).
pub fn peek(path: &Path, n: usize) -> Option<Vec<u8>> {
    let f = crate::fs::open_regular(path, crate::fs::Open::Read).ok()??;
    let mut head = Vec::with_capacity(n);
    f.take(n as u64).read_to_end(&mut head).ok()?;
    Some(head)
}

/// True when the path's extension is one of [`PICTURE_EXTENSIONS`],
/// ignoring case.
pub fn has_picture_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| PICTURE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Why an input's bytes could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("no such file")]
    Missing,
    #[error("broken symbolic link (its target does not exist)")]
    BrokenLink,
    #[error("is a directory (use -r to scan the pictures in it)")]
    Directory,
    #[error("not a regular file (a pipe, socket or device)")]
    NotRegular,
    #[error("permission denied")]
    PermissionDenied,
    #[error("file is larger than {} MiB", MAX_INPUT_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("cannot read: {0}")]
    Io(std::io::Error),
}

/// Reads an input's bytes. Checks first that a path is a regular file
/// ([`check`]), so a FIFO never blocks the batch; standard input is locked
/// only for `-`, and a picture given there as base64 text is decoded
/// ([`decode_text_picture`]). Fails with a [`ReadError`] naming the reason.
pub fn read(input: &Input) -> Result<Vec<u8>, ReadError> {
    match &input.source {
        Source::Stdin => {
            let bytes = read_capped(std::io::stdin().lock())?;
            Ok(decode_text_picture(&bytes).unwrap_or(bytes))
        }
        Source::Path(path) => {
            check_path(path)?;
            // Opened without waiting and checked again once open: the name
            // may have become a FIFO since the look above.
            match crate::fs::open_regular(path, crate::fs::Open::Read).map_err(io_error)? {
                Some(file) => read_capped(file),
                None => Err(ReadError::NotRegular),
            }
        }
    }
}

/// The picture that `text` carries as base64, as web forms pass it on:
/// the standard or the URL-safe alphabet, with or without `=` padding, line
/// breaks and white space anywhere, a byte-order mark, or a
/// `data:image/…;base64,` URL. `None` when `text` is not such text (binary
/// picture bytes, other text) or what it decodes to is not a picture or
/// document ([`crate::preflight::sniff`]).
pub fn decode_text_picture(text: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let text = std::str::from_utf8(text).ok()?;
    let text = text.trim_start_matches('\u{feff}').trim();
    let body = match text.get(..5) {
        Some(p) if p.eq_ignore_ascii_case("data:") => {
            let (meta, data) = text[5..].split_once(',')?;
            if !meta.to_ascii_lowercase().ends_with(";base64") {
                return None;
            }
            data
        }
        _ => text,
    };
    let compact: Vec<u8> = body.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    let url_safe = compact.iter().any(|&b| b == b'-' || b == b'_');
    let alphabet = if url_safe {
        &base64::alphabet::URL_SAFE
    } else {
        &base64::alphabet::STANDARD
    };
    let config = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    let bytes = GeneralPurpose::new(alphabet, config)
        .decode(&compact)
        .ok()?;
    match crate::preflight::sniff(&bytes) {
        crate::preflight::Format::NotPicture(_) => None,
        _ => Some(bytes),
    }
}

/// What [`read`] would find wrong with an input before reading a byte:
/// a path that is missing, a broken link, a folder, not a regular file, or
/// too large. Standard input is always fine here (it is read only once).
pub fn check(input: &Input) -> Result<(), ReadError> {
    match &input.source {
        Source::Stdin => Ok(()),
        Source::Path(path) => check_path(path),
    }
}

fn check_path(path: &Path) -> Result<(), ReadError> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(if path.symlink_metadata().is_ok() {
                ReadError::BrokenLink
            } else {
                ReadError::Missing
            });
        }
        Err(e) => return Err(io_error(e)),
    };
    if meta.is_dir() {
        return Err(ReadError::Directory);
    }
    if !meta.is_file() {
        return Err(ReadError::NotRegular);
    }
    if meta.len() > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(())
}

fn read_capped(r: impl Read) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    r.take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(ReadError::TooLarge);
    }
    Ok(bytes)
}

fn io_error(e: std::io::Error) -> ReadError {
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        ReadError::PermissionDenied
    } else {
        ReadError::Io(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[Input]) -> Vec<String> {
        v.iter().map(|i| i.label.clone()).collect()
    }

    #[test]
    fn expands_globs_dirs_and_dedups_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for f in ["b.jpg", "a.png", "notes.txt", "sub/c.JPEG", ".hidden/d.jpg"] {
            let p = d.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, b"x").unwrap();
        }
        let s = |p: &str| d.join(p).to_string_lossy().into_owned();
        let args = vec![s("b.jpg"), s("*.png"), s("b.jpg"), s("sub"), "-".into()];
        let opts = ExpandOptions {
            recursive: true,
            files_from: None,
        };
        let got = expand(&args, &opts, std::io::empty()).unwrap();
        assert_eq!(
            labels(&got),
            vec![s("b.jpg"), s("a.png"), s("sub/c.JPEG"), "-".to_string()]
        );
        assert_eq!(got[3].source, Source::Stdin);

        let walked = expand(&[s("")], &opts, std::io::empty()).unwrap();
        assert_eq!(
            labels(&walked),
            vec![s("a.png"), s("b.jpg"), s("sub/c.JPEG")]
        );

        let err = expand(&[s("*.gif")], &opts, std::io::empty()).unwrap_err();
        assert!(err.to_string().contains("no file matches"), "{err}");
    }

    #[test]
    fn files_from_lines_are_literal() {
        let list = "a[1].jpg\r\n\nb.jpg\n";
        let opts = ExpandOptions {
            recursive: false,
            files_from: Some("-"),
        };
        let got = expand(&[], &opts, list.as_bytes()).unwrap();
        assert_eq!(labels(&got), vec!["a[1].jpg", "b.jpg"]);
    }

    #[test]
    fn labels_are_lossless_and_never_shared() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let l = |b: &[u8]| label_of(Path::new(OsStr::from_bytes(b)));
        assert_eq!(l(b"gbk/\xB6\xAB.jpg"), "gbk/\\xB6\\xAB.jpg");
        assert_ne!(l(b"gbk/\xB6\xAB.jpg"), l(b"gbk/\xB6\xAC.jpg"));
        assert_eq!(l(b"plain/\xe5\xbc\xa0.jpg"), "plain/张.jpg");
        // A name that reads like an escape is escaped itself.
        assert_eq!(l(b"gbk/\\xB6\\xAB.jpg"), "gbk/\\\\xB6\\\\xAB.jpg");
        assert_ne!(l(b"gbk/\\xB6\\xAB.jpg"), l(b"gbk/\xB6\xAB.jpg"));
        assert_eq!(l(b"a\x1b[2J.png"), "a\\x1b[2J.png");
        assert_ne!(l(b"a\x1b.png"), l(b"a\\x1b.png"));
    }

    #[test]
    fn a_fifo_is_never_opened_to_sniff_it() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here
        }
        // Opened without a writer, it would block forever.
        assert!(!looks_like_picture(&fifo));
        assert_eq!(sniff_head(&fifo), None);
    }

    #[test]
    fn list_lines_and_sizes_are_bounded() {
        let long = format!("a.jpg\n{}\n", "x".repeat(5000));
        let e = read_list(long.as_bytes(), "l.txt").unwrap_err().to_string();
        assert!(e.contains("l.txt: line 2 is longer than 4096 bytes"), "{e}");
        let zeros = std::io::BufReader::new(std::io::repeat(0));
        let e = read_list(zeros, "/dev/zero").unwrap_err().to_string();
        assert!(e.contains("/dev/zero: line 1 is longer"), "{e}");
        let ok = format!("{}\r\n\nb.jpg", "y".repeat(4096));
        assert_eq!(read_list(ok.as_bytes(), "l").unwrap().len(), 2);
        let e = read_list(&b"a.jpg\n\xff.jpg\n"[..], "l")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2 is not UTF-8"), "{e}");
    }

    #[test]
    fn read_names_each_problem() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let input = |p: &Path| Input {
            label: p.to_string_lossy().into_owned(),
            source: Source::Path(p.to_path_buf()),
        };
        assert!(matches!(
            read(&input(&d.join("nope.jpg"))),
            Err(ReadError::Missing)
        ));
        assert!(matches!(read(&input(d)), Err(ReadError::Directory)));
        std::os::unix::fs::symlink(d.join("missing.jpg"), d.join("link.jpg")).unwrap();
        assert!(matches!(
            read(&input(&d.join("link.jpg"))),
            Err(ReadError::BrokenLink)
        ));
        std::fs::write(d.join("ok.jpg"), b"abc").unwrap();
        assert_eq!(read(&input(&d.join("ok.jpg"))).unwrap(), b"abc");
        assert_eq!(read_capped(&b"xyz"[..]).unwrap(), b"xyz");
    }
}
