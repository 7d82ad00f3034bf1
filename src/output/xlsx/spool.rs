//! What a workbook holds until the batch ends, kept in a temporary file
//! rather than in memory: the rows (a later file may add a column, so no
//! row can be written before the last is known) and the portraits.
//!
//! Both are read back once, in the order they were written. The files are
//! unnamed temporary files ([`tempfile::tempfile`]): nothing is left on
//! disk when the process ends, however it ends.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// Values of type `T` written one after the other as JSON lines, then read
/// back in order. Memory: one buffered line.
pub struct Spool<T> {
    file: BufWriter<File>,
    len: usize,
    _of: PhantomData<T>,
}

impl<T: Serialize + DeserializeOwned> Spool<T> {
    /// An empty spool. Fails when no temporary file can be made.
    pub fn new() -> io::Result<Self> {
        Ok(Spool {
            file: BufWriter::new(tempfile::tempfile()?),
            len: 0,
            _of: PhantomData,
        })
    }

    /// Values pushed so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Appends `value`. Fails when the temporary file cannot be written
    /// (a full disk).
    pub fn push(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer(&mut self.file, value).map_err(io::Error::other)?;
        self.file.write_all(b"\n")?;
        self.len += 1;
        Ok(())
    }

    /// The values in the order pushed.
    pub fn drain(self) -> io::Result<impl Iterator<Item = io::Result<T>>> {
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        Ok(BufReader::new(file)
            .lines()
            .map(|line| serde_json::from_str(&line?).map_err(|e| io::Error::other(e.to_string()))))
    }
}

/// Pictures (bytes) with a short text each, written one after the other,
/// then read back in order. A picture is numbered from 1 in the order
/// pushed; the same bytes pushed again are stored once and keep their
/// number. Memory: a buffer, and a SHA-256 digest (32 bytes) and number a
/// distinct picture.
pub struct Pictures {
    file: BufWriter<File>,
    len: u32,
    seen: HashMap<[u8; 32], u32>,
}

impl Pictures {
    /// No pictures yet. Fails when no temporary file can be made.
    pub fn new() -> io::Result<Self> {
        Ok(Pictures {
            file: BufWriter::new(tempfile::tempfile()?),
            len: 0,
            seen: HashMap::new(),
        })
    }

    /// Distinct pictures pushed so far.
    pub fn len(&self) -> u32 {
        self.len
    }

    /// Appends `bytes` with its `text` and returns its number, from 1: the
    /// number it was given before when the same bytes were pushed. Fails when the temporary file cannot be written, or with more than
    /// `u32::MAX` pictures or one of 4 GiB.
    pub fn push(&mut self, text: &str, bytes: &[u8]) -> io::Result<u32> {
        let digest: [u8; 32] = Sha256::digest(bytes).into();
        if let Some(&n) = self.seen.get(&digest) {
            return Ok(n);
        }
        let too_big = || io::Error::other("a picture too large for a workbook");
        let text_len = u32::try_from(text.len()).map_err(|_| too_big())?;
        let len = u32::try_from(bytes.len()).map_err(|_| too_big())?;
        self.file.write_all(&text_len.to_le_bytes())?;
        self.file.write_all(text.as_bytes())?;
        self.file.write_all(&len.to_le_bytes())?;
        self.file.write_all(bytes)?;
        self.len = self.len.checked_add(1).ok_or_else(too_big)?;
        self.seen.insert(digest, self.len);
        Ok(self.len)
    }

    /// A reader of the pictures in the order pushed.
    pub fn reader(self) -> io::Result<PictureReader> {
        let mut file = self.file.into_inner().map_err(|e| e.into_error())?;
        file.seek(SeekFrom::Start(0))?;
        Ok(PictureReader {
            file: BufReader::new(file),
            len: self.len,
            left: self.len,
        })
    }
}

/// Reads back what [`Pictures`] holds.
pub struct PictureReader {
    file: BufReader<File>,
    len: u32,
    left: u32,
}

impl PictureReader {
    /// The same pictures again from the first.
    pub fn restart(mut self) -> io::Result<PictureReader> {
        self.file.seek(SeekFrom::Start(0))?;
        self.left = self.len;
        Ok(self)
    }

    /// The next picture's text and bytes, `None` after the last.
    pub fn next_picture(&mut self) -> io::Result<Option<(String, Vec<u8>)>> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let text = self.chunk()?;
        let text = String::from_utf8(text).map_err(|e| io::Error::other(e.to_string()))?;
        let bytes = self.chunk()?;
        Ok(Some((text, bytes)))
    }

    fn chunk(&mut self) -> io::Result<Vec<u8>> {
        let mut len = [0u8; 4];
        self.file.read_exact(&mut len)?;
        let mut bytes = vec![0u8; u32::from_le_bytes(len) as usize];
        self.file.read_exact(&mut bytes)?;
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_come_back_in_order() {
        let mut spool = Spool::<(String, u32)>::new().unwrap();
        for i in 0..1000 {
            spool.push(&(format!("行{i}\n\"x\""), i)).unwrap();
        }
        assert_eq!(spool.len(), 1000);
        let back: Vec<_> = spool.drain().unwrap().map(Result::unwrap).collect();
        assert_eq!(back.len(), 1000);
        assert_eq!(back[0], ("行0\n\"x\"".to_string(), 0));
        assert_eq!(back[999].1, 999);
    }

    #[test]
    fn pictures_come_back_in_order_and_numbered_from_one() {
        let mut pictures = Pictures::new().unwrap();
        assert_eq!(pictures.push("head_portrait", &[1, 2, 3]).unwrap(), 1);
        assert_eq!(pictures.push("", &[]).unwrap(), 2);
        assert_eq!(pictures.push("照片", &[9; 70_000]).unwrap(), 3);
        // The same bytes again: stored once, the same number.
        assert_eq!(pictures.push("head_portrait", &[1, 2, 3]).unwrap(), 1);
        assert_eq!(pictures.len(), 3);
        let mut r = pictures.reader().unwrap();
        assert_eq!(
            r.next_picture().unwrap(),
            Some(("head_portrait".into(), vec![1, 2, 3]))
        );
        assert_eq!(r.next_picture().unwrap(), Some((String::new(), vec![])));
        let (text, bytes) = r.next_picture().unwrap().unwrap();
        assert_eq!((text.as_str(), bytes.len()), ("照片", 70_000));
        assert_eq!(r.next_picture().unwrap(), None);
    }
}
