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

/// File name extensions (lower case) taken from directories with `-r`.
pub const PICTURE_EXTENSIONS: &[&str] = &[
    "jpg", "jpeg", "jpe", "jfif", "png", "bmp", "dib", "tif", "tiff", "webp", "gif", "heic",
    "heif", "avif",
];

/// Where an input's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A path on disk.
    Path(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

/// One input, in the order it will be scanned and printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The input as shown in output: the path as the user (or the directory
    /// walk) gave it, or `-`.
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
            let matches = glob_matches(&word)?;
            if matches.is_empty() {
                return Err(usage(format!("no file matches the pattern {word:?}")));
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

fn read_list(r: impl BufRead, name: &str) -> Result<Vec<String>> {
    let mut lines = Vec::new();
    for (n, line) in r.lines().enumerate() {
        let line = line.map_err(|e| usage(format!("cannot read --files-from {name}: {e}")))?;
        let line = line.trim_end_matches('\r');
        // A byte-order mark, as Windows editors write, is not part of a path.
        let line = if n == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        if !line.trim().is_empty() {
            lines.push(line.to_string());
        }
    }
    Ok(lines)
}

fn is_pattern(word: &str) -> bool {
    word.contains(['*', '?', '['])
}

fn glob_matches(pattern: &str) -> Result<Vec<PathBuf>> {
    // As a shell does: `*` does not match a leading dot.
    let options = glob::MatchOptions {
        require_literal_leading_dot: true,
        ..glob::MatchOptions::new()
    };
    let paths = glob::glob_with(pattern, options)
        .map_err(|e| usage(format!("bad glob pattern {pattern:?}: {e}")))?;
    // Unreadable entries are skipped, as a shell does.
    let mut v: Vec<PathBuf> = paths.filter_map(|p| p.ok()).collect();
    v.sort();
    Ok(v)
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
            label: path.to_string_lossy().into_owned(),
            source: Source::Path(path),
        });
    }
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
fn looks_like_picture(path: &Path) -> bool {
    let mut head = [0u8; 512];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut head))
        .unwrap_or(0);
    !matches!(
        crate::preflight::sniff(&head[..n]),
        crate::preflight::Format::NotPicture(_)
    )
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

/// Reads an input's bytes. Checks first that a path is a regular file, so
/// a FIFO never blocks the batch; standard input is locked only for `-`.
/// Fails with a [`ReadError`] naming the reason.
pub fn read(input: &Input) -> Result<Vec<u8>, ReadError> {
    match &input.source {
        Source::Stdin => read_capped(std::io::stdin().lock()),
        Source::Path(path) => {
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
            let file = std::fs::File::open(path).map_err(io_error)?;
            read_capped(file)
        }
    }
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
