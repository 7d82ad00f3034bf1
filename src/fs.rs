//! The file system, safely: atomic writes, names safe as one path
//! component, and the check that a folder can be written before a batch
//! starts.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

/// Longest safe component, in bytes: a picture's name is a stem and a key
/// of at most this many bytes each, a hash, a counter and an extension, so
/// it stays well within the 255-byte name limit of common file systems
/// (ext4, APFS, NTFS counted in UTF-16 units, which is fewer).
pub const MAX_COMPONENT_BYTES: usize = 100;

/// What the names of xocr's temporary files start with: `.xocr-<pid>-`,
/// so that those of a run that died (`kill -9`, power loss) can be told
/// from those of a run still at work ([`remove_stale_temp_files`]).
const TEMP_PREFIX: &str = ".xocr-";

/// Temporary files older than this are removed whatever their process:
/// a live one holds its temporary file for milliseconds, and a process id
/// can be reused.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Makes a key or a file stem safe as one path component: letters and
/// digits of any script, `-`, `_` and `.` are kept, everything else (path
/// separators, `..`, control characters, spaces) becomes `_`; a leading dot
/// is replaced too. The result is never empty and at most
/// [`MAX_COMPONENT_BYTES`] bytes of UTF-8, cut on a character boundary.
pub fn safe_component(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
            c
        } else {
            '_'
        };
        if out.len() + c.len_utf8() > MAX_COMPONENT_BYTES {
            break;
        }
        out.push(c);
    }
    if out.starts_with('.') {
        out.replace_range(0..1, "_");
    }
    if out.is_empty() || out.chars().all(|c| c == '_' || c == '.') {
        out.insert(0, '_');
    }
    out
}

/// Makes `dir` ready for a run's output: creates it if needed, checks that
/// a file can be written in it, and removes the temporary files that runs
/// which died left there ([`remove_stale_temp_files`]). Fails naming the
/// directory and the reason.
pub fn prepare_output_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    temp_file_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    remove_stale_temp_files(dir);
    Ok(())
}

/// A temporary file in `dir`, named `.xocr-<pid>-<random>`, removed when
/// dropped. It is created as any file the user makes (mode 0666 less the
/// umask), not owner-only as temporary files are by default: renamed into
/// place it becomes a stored result or a saved picture, which the others
/// sharing the folder (the group of a shared `--out-dir`, the person with
/// the spreadsheet) must be able to read.
fn temp_file_in(dir: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!("{TEMP_PREFIX}{}-", std::process::id());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    builder.tempfile_in(dir)
}

/// Removes xocr's temporary files in `dir` whose process is gone (Linux:
/// no `/proc/<pid>`), and any older than 24 hours (also those of older
/// versions, which carried no process id). Returns how many were removed;
/// files that cannot be read or removed are left alone.
pub fn remove_stale_temp_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix(TEMP_PREFIX)) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        let pid = rest.split('-').next().and_then(|p| p.parse::<u32>().ok());
        let dead = match pid {
            Some(pid) => pid != std::process::id() && !process_alive(pid),
            None => false,
        };
        if (dead || old) && std::fs::remove_file(entry.path()).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// Whether process `pid` runs. Where that cannot be known (no `/proc`),
/// it is taken to run, so only age removes its files.
fn process_alive(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}

/// How [`open_regular`] opens a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// For reading, following symbolic links.
    Read,
    /// For reading, never through a symbolic link: a name xocr creates
    /// itself (a saved picture), where a link can only have been planted.
    ReadNoFollow,
    /// For writing, created when missing (never truncated), never through
    /// a symbolic link: a lock file.
    Lock,
}

/// Opens `path` only if it is a regular file, and never waits doing so: the
/// file when it is one once open, `Ok(None)` when the name holds something
/// else (a FIFO, a device, a socket, a folder; except with [`Open::Read`], a
/// symbolic link). Opening uses `O_NONBLOCK` (a FIFO without a writer, or
/// without a reader for writing, does not block the open) and the check
/// is made on the open file, so a name swapped for a FIFO or a link to
/// `/dev/zero` between a look and the open is caught too. Fails with the
/// open's error otherwise (missing, permission denied).
pub fn open_regular(path: &Path, how: Open) -> std::io::Result<Option<std::fs::File>> {
    let mut opts = std::fs::OpenOptions::new();
    match how {
        Open::Read | Open::ReadNoFollow => opts.read(true),
        Open::Lock => opts.write(true).create(true).truncate(false),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut flags = libc::O_NONBLOCK;
        if how != Open::Read {
            flags |= libc::O_NOFOLLOW;
        }
        opts.custom_flags(flags);
    }
    let file = match opts.open(path) {
        Ok(f) => f,
        // O_NOFOLLOW on a link (ELOOP); a FIFO without a reader opened for
        // writing (ENXIO), or a socket.
        #[cfg(unix)]
        Err(e) if matches!(e.raw_os_error(), Some(libc::ELOOP | libc::ENXIO)) => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(file.metadata()?.is_file().then_some(file))
}

/// The bytes of the regular file at `path` ([`open_regular`]), if it is one
/// of at most `max` bytes: `Ok(None)` for anything else, a larger file
/// included (not read), so that neither a FIFO nor a link to `/dev/zero`
/// under a name xocr reads can block it or fill its memory.
pub fn read_regular(path: &Path, how: Open, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let Some(file) = open_regular(path, how)? else {
        return Ok(None);
    };
    if file.metadata()?.len() > max {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, flushed, then renamed over `path`. Creates the directory.
/// Fails with the path named when the directory cannot be created or
/// written.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = filled_temp(path, bytes)?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Writes `bytes` to `path` atomically, only if no file has that name (on
/// a case-insensitive file system, also no name differing only by case):
/// the complete file appears at once, or not at all. Fails with
/// [`std::io::ErrorKind::AlreadyExists`] (the error's root cause) when the
/// name is taken, naming the path otherwise.
pub fn create_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = filled_temp(path, bytes)?;
    tmp.persist_noclobber(path)
        .map_err(|e| e.error)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// True when `e` (from [`create_atomic`]) says the name is taken.
pub fn is_already_exists(e: &anyhow::Error) -> bool {
    e.root_cause()
        .downcast_ref::<std::io::Error>()
        .is_some_and(|io| io.kind() == std::io::ErrorKind::AlreadyExists)
}

/// A file written in full, then put in place at once: `--output FILE`.
/// The bytes go to a temporary file beside the destination (so that the
/// rename cannot cross file systems), created as any file the user makes
/// (mode 0666 less the umask); [`AtomicFile::commit`] syncs it and renames
/// it over the destination. Dropped without a commit (a write failed, the
/// run stopped on an error) the temporary file is removed and a file that
/// held the name before is left as it was; a run killed outright leaves
/// only a `.xocr-<pid>-…` file, removed by a later run
/// ([`remove_stale_temp_files`]).
pub struct AtomicFile {
    tmp: tempfile::NamedTempFile,
    /// Where it goes; a symbolic link's target, so the link is kept.
    dest: std::path::PathBuf,
}

impl AtomicFile {
    /// Starts the file that becomes `path`. Fails, naming the folder, when
    /// it does not exist or cannot be written, and when `path` is a folder.
    pub fn create(path: &Path) -> Result<Self> {
        let dest = match std::fs::canonicalize(path) {
            // A link to a file: the file is replaced, the link kept.
            Ok(target) if path.is_symlink() => target,
            _ => path.to_path_buf(),
        };
        if dest.is_dir() {
            anyhow::bail!("{} is a folder, not a file", path.display());
        }
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp =
            temp_file_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
        remove_stale_temp_files(dir);
        Ok(AtomicFile { tmp, dest })
    }

    /// A second handle on the temporary file, to write the output through.
    pub fn writer(&self) -> Result<std::fs::File> {
        self.tmp
            .as_file()
            .try_clone()
            .with_context(|| format!("cannot write {}", self.dest.display()))
    }

    /// Syncs the temporary file and renames it over the destination.
    /// Fails, naming the destination, when either fails (the temporary
    /// file is then removed).
    pub fn commit(self) -> Result<()> {
        let dest = self.dest;
        self.tmp
            .as_file()
            .sync_all()
            .with_context(|| format!("cannot write {}", dest.display()))?;
        self.tmp
            .persist(&dest)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", dest.display()))?;
        Ok(())
    }
}

/// A temporary file beside `path` holding `bytes`, synced.
fn filled_temp(path: &Path, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp =
        temp_file_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(tmp)
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
    fn safe_component_counts_bytes_and_cuts_on_a_character_boundary() {
        let long = "身".repeat(100);
        let cut = safe_component(&long);
        assert_eq!(cut.len(), 99, "33 characters of 3 bytes");
        assert_eq!(cut, "身".repeat(33));
        assert_eq!(safe_component(&"a".repeat(300)).len(), MAX_COMPONENT_BYTES);
    }

    #[test]
    fn create_atomic_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.png");
        create_atomic(&p, b"first").unwrap();
        let e = create_atomic(&p, b"second").unwrap_err();
        assert!(is_already_exists(&e), "{e:#}");
        assert_eq!(std::fs::read(&p).unwrap(), b"first");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
        assert_eq!(names.len(), 1, "no temporary file is left");
    }

    #[test]
    fn only_regular_files_are_opened_and_never_with_a_wait() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("a.json"), b"{}").unwrap();
        let read = |p: &Path, how| read_regular(p, how, 10).unwrap();
        assert_eq!(read(&d.join("a.json"), Open::Read).unwrap(), b"{}");
        assert_eq!(
            read_regular(&d.join("a.json"), Open::Read, 1).unwrap(),
            None
        );
        assert_eq!(read(Path::new("/dev/zero"), Open::Read), None);
        assert_eq!(read(d, Open::Read), None);
        std::os::unix::fs::symlink(d.join("a.json"), d.join("link")).unwrap();
        assert!(read(&d.join("link"), Open::Read).is_some());
        assert_eq!(read(&d.join("link"), Open::ReadNoFollow), None);
        assert!(open_regular(&d.join("link"), Open::Lock).unwrap().is_none());
        let fifo = d.join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            // Without O_NONBLOCK both would wait for the other end.
            assert_eq!(read(&fifo, Open::Read), None);
            assert!(open_regular(&fifo, Open::Lock).unwrap().is_none());
        }
        assert!(open_regular(&d.join("missing"), Open::Read).is_err());
    }

    #[test]
    fn temp_files_of_dead_runs_are_removed_and_live_ones_kept() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // A process id that cannot run: above Linux's pid_max limit (2^22).
        std::fs::write(d.join(".xocr-4194305-abc123"), b"left by kill -9").unwrap();
        let mine = format!(".xocr-{}-def456", std::process::id());
        std::fs::write(d.join(&mine), b"in work").unwrap();
        std::fs::write(d.join(".xocr-notapid"), b"older version, fresh").unwrap();
        std::fs::write(d.join("id.crop_image.jpg"), b"a result").unwrap();
        if Path::new("/proc/self").exists() {
            assert_eq!(remove_stale_temp_files(d), 1);
            assert!(!d.join(".xocr-4194305-abc123").exists());
        }
        assert!(d.join(&mine).exists());
        assert!(d.join(".xocr-notapid").exists());
        assert!(d.join("id.crop_image.jpg").exists());
    }
}
