//! The result store of `--out-dir`: one JSON file per recognised picture,
//! keyed by the SHA-256 of the picture's bytes and the request type, so a
//! rerun never pays twice for a picture, whatever its name.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::Reading;
use crate::fields::Check;
use crate::fs::{Open, open_regular, read_regular, safe_component, write_atomic};

/// What one stored file holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct Stored {
    /// SHA-256 of the picture's bytes as read from the input, hex.
    pub sha256: String,
    /// The request type it was recognised with.
    #[serde(rename = "type")]
    pub request_type: String,
    /// The input that was sent (the first one, when several share the bytes).
    pub file: String,
    /// The reading, as the engine gave it (masked with `--mask-saved`).
    pub result: Reading,
    /// What preflight did to the picture before it was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preprocess: Option<String>,
    /// Preflight's warnings about the picture.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// True when `result` was masked (`--mask-saved`): its personal values
    /// are no longer the ones read, so `checks` keeps the checks made on the
    /// real values (their details masked too).
    #[serde(default)]
    pub masked: bool,
    /// With `masked`: the checks of the unmasked result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks: Option<Vec<Check>>,
}

/// Largest stored result read, bytes: eight times the default reply limit
/// (a stored result is about the size of the reply it came from).
pub const MAX_STORED_BYTES: u64 = 512 << 20;

impl Stored {
    /// A reading of input `file` to store, with what preflight did to the
    /// picture. `masked_checks` is given when `result` was masked
    /// (`--mask-saved`): the checks made on its values as read. `sha256`
    /// and `type` are set by [`Store::put`].
    pub fn new(
        file: String,
        result: Reading,
        preprocess: Option<String>,
        warnings: Vec<String>,
        masked_checks: Option<Vec<Check>>,
    ) -> Self {
        Stored {
            sha256: String::new(),
            request_type: String::new(),
            file,
            result,
            preprocess,
            warnings,
            masked: masked_checks.is_some(),
            checks: masked_checks,
        }
    }
}

/// A "done" flag and the condition variable that announces it.
type DoneCell = Arc<(Mutex<bool>, Condvar)>;

/// The `--out-dir` directory.
pub struct Store {
    dir: PathBuf,
    request_type: String,
    /// Pictures being recognised right now, so that a second input with the
    /// same bytes waits for the first instead of paying again.
    in_flight: Mutex<HashMap<String, DoneCell>>,
}

/// Who recognises a picture that has no stored result yet.
pub enum Claim<'a> {
    /// This worker: send the request, then [`Store::put`] and drop the claim.
    Owner(ClaimGuard<'a>),
    /// Another worker, in this process or another, did while this one
    /// waited: look in the store again.
    Waited,
}

/// Releases a claim (and wakes those waiting on it) when dropped.
pub struct ClaimGuard<'a> {
    store: &'a Store,
    key: String,
    cell: DoneCell,
    /// The lock file held across processes; `None` where the file system
    /// cannot lock (the claim then holds inside this process only).
    lock: Option<LockFile>,
}

impl Drop for ClaimGuard<'_> {
    fn drop(&mut self) {
        drop(self.lock.take());
        self.store
            .in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.key);
        let (done, cv) = &*self.cell;
        *done.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cv.notify_all();
    }
}

impl Store {
    /// Opens (creating it when needed) the store directory. Fails with the
    /// path named when it cannot be created.
    pub fn open(dir: &Path, request_type: &str) -> Result<Store> {
        crate::fs::prepare_output_dir(dir).context("--out-dir")?;
        remove_stale_locks(dir);
        Ok(Store {
            dir: dir.to_path_buf(),
            request_type: request_type.to_string(),
            in_flight: Mutex::new(HashMap::new()),
        })
    }

    /// The key of a picture: the SHA-256 of its bytes, hex.
    pub fn key(bytes: &[u8]) -> String {
        Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The file of a key: `DIR/<sha256>.<type>.json`.
    pub fn path(&self, key: &str) -> PathBuf {
        self.dir
            .join(format!("{key}.{}.json", safe_component(&self.request_type)))
    }

    /// The stored result of `key`, if there is a readable one. A file that
    /// does not parse (cut short by a crash before the atomic rename could
    /// not leave one, but a hand edit could) counts as absent.
    /// Only a regular file of at most [`MAX_STORED_BYTES`] is read: a FIFO
    /// or a link to a device put in its place counts as absent too.
    pub fn get(&self, key: &str) -> Option<Stored> {
        let bytes = read_regular(&self.path(key), Open::Read, MAX_STORED_BYTES).ok()??;
        let stored: Stored = serde_json::from_slice(&bytes).ok()?;
        (stored.sha256 == key && stored.request_type == self.request_type).then_some(stored)
    }

    /// Stores a result atomically (temporary file, then rename). `stored`'s
    /// `sha256` and `type` are set here.
    pub fn put(&self, key: &str, mut stored: Stored) -> Result<()> {
        stored.sha256 = key.to_string();
        stored.request_type = self.request_type.clone();
        let bytes = serde_json::to_vec(&stored)?;
        write_atomic(&self.path(key), &bytes)
    }

    /// Claims `key` for this worker, or waits for the worker that holds it
    /// (an owner should look in the store once more: another process may
    /// have stored the result between the caller's look and the claim):
    /// another worker of this process, or another process using the same
    /// folder (a lock file `<key>.<type>.lock` held with `flock`, which the
    /// system releases when its process dies, so a killed run's lock is
    /// taken over at once).
    pub fn claim(&self, key: &str) -> Claim<'_> {
        let waiting_for = {
            let mut map = self.in_flight.lock().unwrap_or_else(|e| e.into_inner());
            match map.get(key) {
                Some(cell) => Some(cell.clone()),
                None => {
                    map.insert(
                        key.to_string(),
                        Arc::new((Mutex::new(false), Condvar::new())),
                    );
                    None
                }
            }
        };
        let Some(cell) = waiting_for else {
            return self.claim_across_processes(key);
        };
        let (done, cv) = &*cell;
        let mut finished = done.lock().unwrap_or_else(|e| e.into_inner());
        while !*finished {
            finished = cv.wait(finished).unwrap_or_else(|e| e.into_inner());
        }
        Claim::Waited
    }

    /// With `key` claimed inside this process: claims it from other
    /// processes too, or waits for the one that holds it.
    fn claim_across_processes(&self, key: &str) -> Claim<'_> {
        let cell = self
            .in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
            .cloned()
            .unwrap_or_default();
        let mut guard = ClaimGuard {
            store: self,
            key: key.to_string(),
            cell,
            lock: None,
        };
        match LockFile::acquire(&self.lock_path(key)) {
            Ok(Locked::Owner(lock)) => {
                guard.lock = Some(lock);
                Claim::Owner(guard)
            }
            Ok(Locked::Waited) => Claim::Waited,
            // A file system that cannot lock, or a name that holds no
            // regular file: this process's claim only.
            Err(_) => Claim::Owner(guard),
        }
    }

    /// The lock file of a key: `DIR/<sha256>.<type>.lock`, there only while
    /// a process reads that picture.
    fn lock_path(&self, key: &str) -> PathBuf {
        self.dir
            .join(format!("{key}.{}.lock", safe_component(&self.request_type)))
    }
}

/// Removes the lock files in `dir` that no process holds (left by a run
/// that was killed before it could remove them).
fn remove_stale_locks(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "lock") {
            // Neither a FIFO (opening it would wait for a reader) nor a link
            // (locking would go through it) is a lock file of ours.
            let Ok(Some(file)) = open_regular(&path, Open::Lock) else {
                continue;
            };
            if file.try_lock().is_ok() && same_file(&file, &path) {
                drop(LockFile { file, path });
            }
        }
    }
}

/// True while `path` names the file `file` has open (not removed or
/// replaced since).
fn same_file(file: &std::fs::File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(held), Ok(now)) => now.dev() == held.dev() && now.ino() == held.ino(),
        _ => false,
    }
}

/// A lock file held with an exclusive `flock`, removed when dropped.
struct LockFile {
    file: std::fs::File,
    path: PathBuf,
}

/// What [`LockFile::acquire`] found.
enum Locked {
    /// The lock is ours.
    Owner(LockFile),
    /// Another process held it; it has let go now.
    Waited,
}

impl LockFile {
    /// Takes the lock at `path`, waiting while another process holds it.
    /// A lock file removed by its owner while this one waited for it is
    /// opened again, so two processes never both own one key. Fails when
    /// the file cannot be created, the name holds something else than a
    /// regular file (a FIFO, a symbolic link), or the file system cannot
    /// lock.
    fn acquire(path: &Path) -> std::io::Result<Locked> {
        let mut waited = false;
        loop {
            // A FIFO or a link planted under the name: no lock here.
            let file = open_regular(path, Open::Lock)?.ok_or_else(|| {
                std::io::Error::other("the lock file's name holds no regular file")
            })?;
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    waited = true;
                    file.lock()?;
                }
                Err(std::fs::TryLockError::Error(e)) => return Err(e),
            }
            // The owner removes the file before it lets go: a lock on a
            // removed file guards nothing.
            if !same_file(&file, path) {
                continue;
            }
            let lock = LockFile {
                file,
                path: path.to_path_buf(),
            };
            return Ok(if waited {
                // The owner is done: the result is in the store, or the
                // picture failed there. Let go (removing the file) at once.
                Locked::Waited
            } else {
                Locked::Owner(lock)
            });
        }
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        // Removed while held, then unlocked: see `acquire`.
        let _ = std::fs::remove_file(&self.path);
        let _ = self.file.unlock();
    }
}

/// Masks personal text fields of `reading` in place (`--mask-saved`), by
/// the rules of [`crate::fields::mask`], and every quotation of their values
/// in `checks`' details; pictures are kept.
pub fn mask(reading: &mut Reading, checks: &mut [Check]) {
    for item in &mut reading.items {
        if crate::images::decode_picture(&item.value).is_some() {
            continue;
        }
        if let Some(m) =
            crate::fields::mask::mask_quoted(&reading.doc_type, &item.key, &item.value, checks)
        {
            item.value = m;
        }
    }
}
