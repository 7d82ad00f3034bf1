//! The file system, safely: atomic writes, names safe as one path
//! component, and the check that a folder can be written before a batch
//! starts.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

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

/// Creates `dir` if needed and checks that a file can be written in it.
/// Fails naming the directory and the reason.
pub fn ensure_writable_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    tempfile::Builder::new()
        .prefix(".xocr-check-")
        .tempfile_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    Ok(())
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
}
